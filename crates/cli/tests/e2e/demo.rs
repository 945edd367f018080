//! The README demo's last step: `skillrig-mise verify` passes in the demo project.
//!
//! As `scripts/demo.sh` does it: the fake GitHub serves the demo origin with its git history
//! (what `testkit serve --demo` serves), real mise installs the CLIs the skills require, the
//! skills are vendored from a second, separately built copy of that history (what
//! `testkit vendor` writes, in its own process), and verify asks mise where each tool is.

use serde_json::Value;
use testkit::{TokenSpec, demo_origin_with_history, vendor_demo_skills};

use crate::mise::{TOKEN, World, stderr, stdout};

/// The tools the demo's skills require: deploy-check (jira >=1.7.0, tfc 0.0.6) and
/// release-notes (oxid >=0.5.0).
const TOOLS: &str = r#"
[tools]
"skillrig:acme/tools/jira" = "latest"
"skillrig:acme/tools/tfc" = "0.0.6"
"skillrig:acme/tools/oxid" = "latest"
"#;

#[test]
fn verify_passes_in_the_demo_project() {
    let Some(world) = World::bare() else { return };
    world.github.add_repo(demo_origin_with_history().build());
    world
        .github
        .add_token(TokenSpec::new(TOKEN, "e2e").owner("acme"));
    world.write_hosts_toml(true);
    world.write_mise_toml(TOOLS);
    world.install_ok();
    vendor_demo_skills(&world.path("project"));

    // verify runs `mise where` in the project: the same mise, in the same world.
    let dirs = ["data", "config", "cache", "state"].map(|d| {
        (
            format!("MISE_{}_DIR", d.to_uppercase()),
            world.path(&format!("mise/{d}")).display().to_string(),
        )
    });
    let mise = world.mise_bin().display().to_string();
    let mut env: Vec<(&str, &str)> = dirs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.push(("MISE_BIN", &mise));
    env.push(("SKILLRIG_MISE_BIN", env!("CARGO_BIN_EXE_skillrig-mise")));

    let out = world.skillrig(&["verify", "--json"], &env);
    let report: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
    assert_eq!(out.status.code(), Some(0), "{report:#}\n{}", stderr(&out));
    assert_eq!(report["passed"], true, "{report:#}");
    assert_eq!(
        report["summary"],
        serde_json::json!({"tools": 3, "ok": 3, "warnings": 0, "failed": 0}),
        "{report:#}"
    );
    let tools: Vec<&Value> = report["skills"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["tools"].as_array().unwrap())
        .collect();
    let installed: Vec<(&str, &str)> = tools
        .iter()
        .map(|t| {
            (
                t["tool"].as_str().unwrap(),
                t["install"]["version"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        installed,
        [
            ("acme/tools/jira", "2.10.0"),
            ("acme/tools/tfc", "0.0.6"),
            ("acme/tools/oxid", "0.10.0"),
        ]
    );
    for tool in &tools {
        assert_eq!(tool["findings"], serde_json::json!([]), "{tool:#}");
        assert_eq!(tool["install"]["found_by"], "mise", "{tool:#}");
        assert_eq!(tool["install"]["binary"], "intact", "{tool:#}");
        // Every release was cut from main before the skills were locked at main's tip.
        let provenance = &tool["provenance"];
        assert_eq!(provenance["relation"], "release-is-ancestor", "{tool:#}");
        assert_eq!(provenance["tree"], "equal", "{tool:#}");
    }

    let text = world.skillrig(&["verify"], &env);
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    assert!(
        stdout(&text).contains("3 ok, 0 with warnings, 0 failed: passed"),
        "{}",
        stdout(&text)
    );
}
