//! What a user of mise sees when installing CLIs from a skillrig origin.

use crate::mise::{TOKEN, World, stderr, stdout};

const FIVE_TOOLS: &str = r#"
[tools]
"skillrig:acme/tools/jira" = "latest"
"skillrig:acme/tools/tfc" = "0.0.6"
"skillrig:acme/tools/oxid" = "latest"
"skillrig:acme/tools/kubelint" = "latest"
"skillrig:acme/tools/jira-cli" = "latest"
"#;

#[test]
fn co_installs_five_clis_from_one_origin_each_as_its_own_tool() {
    let Some(world) = World::new() else { return };
    world.write_mise_toml(FIVE_TOOLS);
    world.install_ok();

    // Each tool runs and prints its own name and the version its own stream resolved to.
    assert_eq!(world.run_tool("jira"), "jira 2.10.0", "2.10.0 beats 2.9.0");
    assert_eq!(world.run_tool("tfc"), "tfc 0.0.6", "pinned older version");
    assert_eq!(world.run_tool("oxid"), "oxid 0.10.0", "prefix stream");
    assert_eq!(
        world.run_tool("kubelint"),
        "kubelint 1.1.0",
        "[[binaries]] metadata"
    );
    assert_eq!(world.run_tool("jira-cli"), "jira-cli 0.4.0");

    // `mise ls` shows five tools, each at its own version.
    let ls = world.mise(&["ls", "--json"]);
    let ls: serde_json::Value = serde_json::from_slice(&ls.stdout).expect("mise ls --json");
    let version = |tool: &str| ls[tool][0]["version"].as_str().map(str::to_owned);
    assert_eq!(
        version("skillrig:acme/tools/jira").as_deref(),
        Some("2.10.0")
    );
    assert_eq!(version("skillrig:acme/tools/tfc").as_deref(), Some("0.0.6"));
    assert_eq!(
        version("skillrig:acme/tools/oxid").as_deref(),
        Some("0.10.0")
    );
    assert_eq!(
        version("skillrig:acme/tools/kubelint").as_deref(),
        Some("1.1.0")
    );
    assert_eq!(
        version("skillrig:acme/tools/jira-cli").as_deref(),
        Some("0.4.0")
    );

    // `mise where` differs per tool.
    let mut wheres = std::collections::BTreeSet::new();
    for tool in ["jira", "tfc", "oxid", "kubelint", "jira-cli"] {
        let out = world.mise(&["where", &format!("skillrig:acme/tools/{tool}")]);
        assert!(out.status.success(), "{}", stderr(&out));
        wheres.insert(stdout(&out).trim().to_owned());
    }
    assert_eq!(wheres.len(), 5);

    // One listing of the origin's releases served all five tools (the rest came from cache).
    assert_eq!(
        world.github.count("/repos/acme/tools/releases") - downloads(&world),
        1
    );
    assert_eq!(world.github.storage_auth_leaks(), 0);

    // Each install left a receipt naming what was verified.
    let receipt = std::fs::read_to_string(
        world
            .install_dir("acme/tools/jira", "2.10.0")
            .join(".skillrig/receipt.json"),
    )
    .expect("receipt");
    let platform = origin_meta::Platform::current();
    let asset = format!("jira_2.10.0_{}_{}.tar.gz", platform.os(), platform.arch());
    assert!(receipt.contains(&asset), "{receipt}");

    // No token in any file the run left behind (caches, receipts, mise's state).
    assert_no_token_under(world.root.path());
}

/// Asset downloads go through `/releases/assets/{id}`, not the listing path.
fn downloads(world: &World) -> usize {
    world.github.count("/repos/acme/tools/releases/assets/")
}

fn assert_no_token_under(dir: &std::path::Path) {
    for entry in testkit::entries_under(dir) {
        if entry.file_name().is_some_and(|n| n == "token") {
            continue;
        }
        let entry = dir.join(entry);
        if let Ok(bytes) = std::fs::read(&entry) {
            let hit = bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes());
            assert!(!hit, "token found in {}", entry.display());
        }
    }
}

#[test]
fn latest_skips_prereleases_and_drafts_and_ls_remote_is_per_stream() {
    let Some(world) = World::new() else { return };
    world.write_mise_toml("[tools]\n");
    let out = world.mise(&["ls-remote", "skillrig:acme/tools/jira"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(listed, ["1.6.0", "1.7.0", "2.9.0", "2.10.0"]);

    let pre = world.mise(&["ls-remote", "--prerelease", "skillrig:acme/tools/jira"]);
    let pre = stdout(&pre);
    assert!(
        pre.contains("2.11.0-rc.1"),
        "prerelease listed on request: {pre}"
    );
    assert!(!pre.contains("3.0.0"), "drafts are never listed: {pre}");

    let latest = world.mise(&["latest", "skillrig:acme/tools/jira"]);
    assert_eq!(stdout(&latest).trim(), "2.10.0");
    let oxid = world.mise(&["ls-remote", "skillrig:acme/tools/oxid"]);
    assert_eq!(
        stdout(&oxid).lines().collect::<Vec<_>>(),
        ["0.4.0", "0.5.0", "0.10.0"]
    );
    // jira-cli's tags never leak into jira's stream, nor the other way round.
    let cli = world.mise(&["ls-remote", "skillrig:acme/tools/jira-cli"]);
    assert_eq!(stdout(&cli).lines().collect::<Vec<_>>(), ["0.3.0", "0.4.0"]);
}

#[test]
fn without_a_token_the_error_names_the_404_and_the_doctor() {
    let Some(world) = World::new() else { return };
    world.write_hosts_toml(false);
    world.write_mise_toml("[tools]\n\"skillrig:acme/tools/jira\" = \"latest\"\n");
    let out = world.mise(&["install"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("404"), "{err}");
    assert!(err.contains("no token"), "{err}");
    assert!(
        err.contains("skillrig-auth doctor --repo acme/tools"),
        "{err}"
    );
}

#[test]
fn a_tampered_asset_fails_the_install_and_leaves_nothing_on_path() {
    let Some(world) = World::new() else { return };
    world.github.tamper_asset(
        "acme",
        "tools",
        "tfc_0.0.6_linux_amd64.tar.gz",
        testkit::tar_gz("tfc", "6.6.6", None, 0),
    );
    world.write_mise_toml("[tools]\n\"skillrig:acme/tools/tfc\" = \"0.0.6\"\n");
    let out = world.mise(&["install"]);
    assert!(!out.status.success(), "tampered install must fail");
    let err = stderr(&out);
    assert!(err.contains("sha256"), "{err}");
    assert!(
        !world
            .install_dir("acme/tools/tfc", "0.0.6")
            .join("bin/tfc")
            .exists()
    );
    let which = world.mise(&["exec", "--", "tfc"]);
    assert!(!which.status.success(), "tfc must not be runnable");
}

#[test]
fn an_unknown_version_lists_the_nearest_ones() {
    let Some(world) = World::new() else { return };
    world.write_mise_toml("[tools]\n\"skillrig:acme/tools/jira\" = \"2.8.0\"\n");
    let out = world.mise(&["install"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("2.8.0"), "{err}");
    assert!(
        err.contains("2.9.0") && err.contains("1.7.0"),
        "nearest versions: {err}"
    );
}

#[test]
fn a_constraint_written_by_wire_bounds_latest_and_rejects_pins_outside_it() {
    let Some(world) = World::new() else { return };
    world.write_mise_toml(
        "[tools]\n\"skillrig:acme/tools/jira\" = { version = \"latest\", constraint = \">=1.6.0, <2\" }\n",
    );
    world.install_ok();
    assert_eq!(
        world.run_tool("jira"),
        "jira 1.7.0",
        "newest version inside the range"
    );

    world.write_mise_toml(
        "[tools]\n\"skillrig:acme/tools/jira\" = { version = \"2.9.0\", constraint = \">=1.6.0, <2\" }\n",
    );
    let out = world.mise(&["install"]);
    assert!(
        !out.status.success(),
        "a pin outside the constraint must fail"
    );
    let err = stderr(&out);
    assert!(err.contains("2.9.0"), "{err}");
}

#[test]
fn the_plugin_installs_from_a_git_url_as_published() {
    let Some(world) = World::new() else { return };
    // Publish plugin/ as the root of its own repository, as releases do (publish-plugin.yml).
    let published = world.path("published-plugin");
    copy_dir(std::path::Path::new(&crate::mise::plugin_dir()), &published);
    for args in [
        vec!["init", "-q", "-b", "main"],
        vec!["add", "."],
        vec![
            "-c",
            "user.name=skillrig",
            "-c",
            "user.email=ci@skillrig.invalid",
            "commit",
            "-qm",
            "plugin",
        ],
    ] {
        let status = std::process::Command::new("git")
            .args(&args)
            .current_dir(&published)
            .status()
            .expect("git");
        assert!(status.success(), "git {args:?}");
    }
    let uninstall = world.mise(&["plugins", "uninstall", "skillrig"]);
    assert!(uninstall.status.success(), "{}", stderr(&uninstall));
    let url = format!("file://{}", published.display());
    let installed = world.mise(&["plugins", "install", "skillrig", &url]);
    assert!(installed.status.success(), "{}", stderr(&installed));

    world.write_mise_toml("[tools]\n\"skillrig:acme/tools/oxid\" = \"0.5.0\"\n");
    world.install_ok();
    assert_eq!(world.run_tool("oxid"), "oxid 0.5.0");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
