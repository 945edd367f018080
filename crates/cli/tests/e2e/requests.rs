//! What a `mise install` costs in GitHub API requests, counted in the fake's log. The budget:
//! one pinned tool cold at most 6 requests, five tools from an origin with about 140 releases
//! and tags at most 19 (`docs/benchmarks.md` has the breakdown). Each includes one
//! attestations lookup per tool (the default policy, `auto`).

use testkit::{Cli, Listener, OriginBuilder, TokenSpec};

use crate::mise::{TOKEN, World};

/// `acme/busy`: five CLIs, 28 releases each (140 releases, 140 tags: two pages of each).
fn busy_origin() -> OriginBuilder {
    let versions: Vec<String> = (0..28).map(|i| format!("1.{i}.0")).collect();
    let versions: Vec<&str> = versions.iter().map(String::as_str).collect();
    let mut origin = OriginBuilder::new("acme", "busy");
    for name in ["jira", "tfc", "oxid", "kube", "vault"] {
        origin = origin.cli(Cli::new(name).versions(&versions));
    }
    origin
}

fn busy_world() -> Option<World> {
    let world = World::bare()?;
    world.github.add_repo(busy_origin().build());
    world
        .github
        .add_token(TokenSpec::new(TOKEN, "e2e").owner("acme"));
    world.write_hosts_toml(true);
    Some(world)
}

/// API requests (storage excluded), as `METHOD path?query` lines for failure messages.
fn api_requests(world: &World) -> Vec<String> {
    world
        .github
        .requests()
        .into_iter()
        .filter(|r| r.listener == Listener::Api)
        .map(|r| format!("{} {}?{}", r.status, r.path, r.query))
        .collect()
}

#[test]
fn a_cold_install_of_one_pinned_tool_costs_at_most_six_api_requests() {
    let Some(world) = busy_world() else { return };
    world.write_mise_toml("[tools]\n\"skillrig:acme/busy/tfc\" = \"1.7.0\"\n");
    world.install_ok();
    assert_eq!(world.run_tool("tfc"), "tfc 1.7.0");
    let requests = api_requests(&world);
    // Two listing pages, the origin file, the asset, its checksums file (issue #17's budget of
    // five) and its attestations (issue #15's one more per tool under `auto`).
    let attestations = requests
        .iter()
        .filter(|r| r.contains("/attestations/"))
        .count();
    assert_eq!(attestations, 1, "{}", requests.join("\n"));
    assert!(
        requests.len() - attestations <= 5,
        "{} requests:\n{}",
        requests.len(),
        requests.join("\n")
    );
}

#[test]
fn five_tools_from_an_origin_with_140_releases_cost_at_most_19_api_requests() {
    let Some(world) = busy_world() else { return };
    world.write_mise_toml(
        "[tools]\n\"skillrig:acme/busy/jira\" = \"latest\"\n\"skillrig:acme/busy/tfc\" = \"1.7.0\"\n\
         \"skillrig:acme/busy/oxid\" = \"latest\"\n\"skillrig:acme/busy/kube\" = \"1.3.0\"\n\
         \"skillrig:acme/busy/vault\" = \"latest\"\n",
    );
    world.install_ok();
    assert_eq!(world.run_tool("jira"), "jira 1.27.0");
    assert_eq!(world.run_tool("kube"), "kube 1.3.0");
    let requests = api_requests(&world);
    // `auto` costs one request per tool, for the asset's digest; the rest is issue #17's
    // budget of 14.
    let attestations = requests
        .iter()
        .filter(|r| r.contains("/attestations/"))
        .count();
    assert_eq!(attestations, 5, "{}", requests.join("\n"));
    assert!(
        requests.len() - attestations <= 14,
        "{} requests:\n{}",
        requests.len(),
        requests.join("\n")
    );
}
