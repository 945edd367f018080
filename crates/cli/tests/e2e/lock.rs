//! The tools lock through real mise: every teammate and CI job installs the bytes the team
//! locked, even when a release's asset *and* its checksums file are replaced afterwards.

use std::sync::Arc;

use testkit::{Asset, Listener, demo_origin, sha256_hex, tar_gz};

use crate::mise::{World, stderr, stdout};

const FIVE_TOOLS: &str = r#"
[tools]
"skillrig:acme/tools/jira" = "2.10.0"
"skillrig:acme/tools/tfc" = "0.0.6"
"skillrig:acme/tools/oxid" = "0.10.0"
"skillrig:acme/tools/kubelint" = "1.1.0"
"skillrig:acme/tools/jira-cli" = "0.4.0"
"#;

fn lock_json(world: &World) -> serde_json::Value {
    let text = std::fs::read_to_string(world.path("project/.skillrig/tools-lock.json"))
        .expect("the tools lock was written");
    serde_json::from_str(&text).expect("the tools lock is JSON")
}

/// `skillrig-mise lock [args]` in the project; panics with its output unless it exits `code`.
fn lock(world: &World, args: &[&str], code: i32) -> String {
    let mut all = vec!["lock"];
    all.extend_from_slice(args);
    let out = world.skillrig(&all, &[]);
    assert_eq!(
        out.status.code(),
        Some(code),
        "lock {args:?}:\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    format!("{}{}", stdout(&out), stderr(&out))
}

#[test]
fn the_lock_records_every_platform_the_release_publishes_with_the_assets_digests() {
    let Some(world) = World::new() else { return };
    world.write_mise_toml(FIVE_TOOLS);
    lock(&world, &[], 0);
    let json = lock_json(&world);
    assert_eq!(json["lockfileVersion"], 1);
    let tools = json["tools"].as_object().unwrap();
    assert_eq!(tools.len(), 5, "{json:#}");

    // What the fake serves, rebuilt (the builder is deterministic).
    let served = demo_origin().build();
    let asset = |name: &str| {
        served
            .releases
            .iter()
            .flat_map(|r| &r.assets)
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no asset {name}"))
    };
    let jira = &tools["skillrig:acme/tools/jira"];
    assert_eq!(jira["version"], "2.10.0");
    assert_eq!(jira["tag"], "2.10.0+jira");
    let platforms: Vec<&String> = jira["assets"].as_object().unwrap().keys().collect();
    assert_eq!(platforms, ["darwin-arm64", "linux-amd64", "linux-arm64"]);
    for (platform, entry) in jira["assets"].as_object().unwrap() {
        let name = entry["name"].as_str().unwrap();
        assert!(
            name.contains(&platform.replace('-', "_")),
            "{platform}: {name}"
        );
        assert_eq!(entry["sha256"], sha256_hex(&asset(name).bytes), "{name}");
        assert_eq!(
            entry["vouchedBy"],
            serde_json::json!(["checksums-file:jira_checksums.txt", "github-digest"])
        );
    }
    // The [[binaries]]-described tool, with its own asset names.
    let kube = &tools["skillrig:acme/tools/kubelint"];
    assert_eq!(
        kube["assets"]["linux-amd64"]["name"],
        "kubelint-1.1.0-linux-amd64.tar.gz"
    );
    // A second run changes nothing (stable order, same bytes).
    let before = std::fs::read(world.path("project/.skillrig/tools-lock.json")).unwrap();
    let again = lock(&world, &[], 0);
    assert!(again.contains("is up to date"), "{again}");
    assert_eq!(
        std::fs::read(world.path("project/.skillrig/tools-lock.json")).unwrap(),
        before
    );
}

#[test]
fn a_replaced_asset_and_checksums_file_are_refused_on_a_fresh_machine() {
    let Some(world) = World::new() else { return };
    world.write_mise_toml(FIVE_TOOLS);
    lock(&world, &[], 0);
    let locked =
        lock_json(&world)["tools"]["skillrig:acme/tools/tfc"]["assets"]["linux-amd64"]["sha256"]
            .as_str()
            .unwrap()
            .to_owned();

    // Someone with write access replaces tfc 0.0.6's asset and its checksums file (GitHub
    // recomputes the digest of a re-uploaded asset, so that agrees with the new bytes too).
    let evil = tar_gz("tfc", "0.0.6-evil", None, 0);
    let evil_sha = sha256_hex(&evil);
    world.github.update_repo("acme", "tools", |repo| {
        let release = repo.release_mut("0.0.6+tfc").expect("tfc 0.0.6");
        for asset in &mut release.assets {
            if asset.name == "tfc_0.0.6_linux_amd64.tar.gz" {
                *asset = Asset::new(&asset.name, evil.clone());
            }
        }
        for asset in &mut release.assets {
            if asset.name == "tfc_checksums.txt" {
                let text = String::from_utf8_lossy(&asset.bytes).replace(&locked, &evil_sha);
                asset.bytes = Arc::new(text.into_bytes());
                asset.digest = Some(format!("sha256:{}", sha256_hex(&asset.bytes)));
            }
        }
    });

    // A fresh machine: no mise installs, no cache; the same project and lock.
    for dir in ["mise/data", "mise/cache", "mise/state", "cache"] {
        let _ = std::fs::remove_dir_all(world.path(dir));
    }
    let plugin = crate::mise::plugin_dir();
    let linked = world.mise(&["plugins", "link", "--force", "skillrig", &plugin]);
    assert!(linked.status.success(), "{}", stderr(&linked));
    let out = world.mise(&["install"]);
    assert!(!out.status.success(), "the replaced asset must be refused");
    let err = stderr(&out);
    assert!(err.contains(&locked), "names the locked digest: {err}");
    assert!(err.contains(&evil_sha), "names the actual digest: {err}");
    assert!(
        err.contains("skillrig-mise lock"),
        "says how to re-lock: {err}"
    );

    // Nothing of tfc was installed; the other four were (run directly: `mise exec` would try
    // to install tfc again first).
    let tfc = world.install_dir("acme/tools/tfc", "0.0.6");
    assert!(!tfc.join("bin/tfc").exists(), "no tfc binary");
    for (tool, version) in [
        ("jira", "2.10.0"),
        ("oxid", "0.10.0"),
        ("kubelint", "1.1.0"),
        ("jira-cli", "0.4.0"),
    ] {
        let bin = world
            .install_dir(&format!("acme/tools/{tool}"), version)
            .join("bin")
            .join(tool);
        let ran = std::process::Command::new(&bin)
            .output()
            .expect("run the tool");
        assert_eq!(stdout(&ran).trim(), format!("{tool} {version}"));
    }

    // lock --check still passes: mise.toml and the lock agree; the drift is in the release.
    lock(&world, &["--check"], 0);
}

#[test]
fn lock_check_fails_on_missing_or_stale_entries_and_passes_after_lock() {
    let Some(world) = World::new() else { return };
    world.write_mise_toml(FIVE_TOOLS);
    let missing = lock(&world, &["--check"], 1);
    assert!(missing.contains("has no entry in the lock"), "{missing}");
    assert!(
        !world.path("project/.skillrig/tools-lock.json").exists(),
        "--check writes nothing"
    );
    lock(&world, &[], 0);
    lock(&world, &["--check"], 0);

    // Another pin: stale entry.
    world.write_mise_toml(&FIVE_TOOLS.replace(r#""0.0.6""#, r#""0.0.5""#));
    let stale = lock(&world, &["--check"], 1);
    assert!(
        stale.contains("`skillrig:acme/tools/tfc` resolves to 0.0.5, the lock has 0.0.6"),
        "{stale}"
    );
    // A tool dropped from mise.toml.
    world.write_mise_toml(&FIVE_TOOLS.replace("\"skillrig:acme/tools/oxid\" = \"0.10.0\"\n", ""));
    let dropped = lock(&world, &["--check"], 1);
    assert!(
        dropped.contains("is locked but mise.toml does not pin it"),
        "{dropped}"
    );
    lock(&world, &[], 0);
    lock(&world, &["--check"], 0);
}

#[test]
fn locking_five_tools_after_an_install_reuses_the_listing_cache() {
    let Some(world) = World::new() else { return };
    world.write_mise_toml(FIVE_TOOLS);
    world.install_ok();
    world.github.clear_log();
    lock(&world, &[], 0);
    let api: Vec<String> = world
        .github
        .requests()
        .into_iter()
        .filter(|r| r.listener == Listener::Api)
        .map(|r| format!("{} {}?{}", r.status, r.path, r.query))
        .collect();
    // No listing page and no metadata file again (fresh in the cache); one checksums file per
    // tool, and one tags listing for all five release commits: 6 requests (docs/benchmarks.md).
    assert!(
        api.iter()
            .all(|r| !r.contains("/releases?") && !r.contains("/contents/")),
        "{api:#?}"
    );
    let (lookups, rest): (Vec<&String>, Vec<&String>) =
        api.iter().partition(|r| r.contains("/attestations/"));
    assert_eq!(rest.len(), 6, "{api:#?}");
    // Plus one attestation lookup per locked asset the install did not already look up: every
    // platform's but this machine's, one per distinct digest.
    let assets: usize = lock_json(&world)["tools"]
        .as_object()
        .unwrap()
        .values()
        .map(|t| t["assets"].as_object().unwrap().len())
        .sum();
    assert_eq!(lookups.len(), assets - 5, "{api:#?}");
}
