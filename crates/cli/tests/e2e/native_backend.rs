//! Why the plugin exists: mise's native `github:` backend, pointed at the same origin, sees one
//! tool per repository, so the CLIs' version streams collapse into one list and one `latest`.

use crate::mise::{TOKEN, World, stderr, stdout};

#[test]
fn native_github_backend_collapses_the_streams_into_one_tool() {
    let Some(world) = World::new() else { return };
    world.write_mise_toml("[tools]\n");
    // mise attaches its token only to api.github.com, api.*.ghe.com and `/api/v3` URLs, so the
    // fake is addressed Enterprise-style here.
    let tool = format!("github:acme/tools[api_url={}]", world.github.ghes_api_url());
    let out = world.mise_with_token(&["ls-remote", &tool]);
    assert!(out.status.success(), "native ls-remote: {}", stderr(&out));
    let listed: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    // Every CLI's releases show up as versions of one tool.
    for tag in [
        "2.10.0+jira",
        "0.0.6+tfc",
        "oxid-v0.10.0",
        "1.1.0+kubelint",
        "0.4.0+jira-cli",
    ] {
        assert!(
            listed.iter().any(|v| v == tag),
            "{tag} missing from {listed:?}"
        );
    }
    // So there is one "latest" for all of them: jira's, whichever CLI you wanted.
    let latest = world.mise_with_token(&["latest", &tool]);
    assert_eq!(stdout(&latest).trim(), "2.10.0+jira");
}

impl World {
    /// Runs mise with `MISE_GITHUB_TOKEN` set, which only mise's native backend reads.
    pub(crate) fn mise_with_token(&self, args: &[&str]) -> std::process::Output {
        self.mise_env(args, &[("MISE_GITHUB_TOKEN", TOKEN)])
    }
}
