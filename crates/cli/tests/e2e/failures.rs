//! How a failure reads under mise (issue #13, item 4): skillrig-mise's cause and its hints,
//! once, without Lua file positions, `stack traceback` blocks or cmd.exec's `Command failed
//! with status` wrapper. Before, four tools without a token printed 173 lines.

use crate::mise::{World, stderr, stdout};
use crate::ship::{assert_no_lua_noise, user_path};

const FOUR_TOOLS: &str = r#"
[tools]
"skillrig:acme/tools/jira" = "latest"
"skillrig:acme/tools/tfc" = "0.0.6"
"skillrig:acme/tools/oxid" = "latest"
"skillrig:acme/tools/kubelint" = "latest"
"#;

const CAUSE: &str =
    "skillrig-mise: releases of acme/tools not found on github.com (HTTP 404; no token was sent)";

#[test]
fn four_tools_without_a_token_show_the_cause_once_without_lua_noise() {
    let Some(world) = World::new() else { return };
    world.write_hosts_toml(false);
    world.write_mise_toml(FOUR_TOOLS);
    let out = world.mise(&["install"]);
    assert!(!out.status.success());
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_no_lua_noise(&text);
    assert_eq!(text.matches(CAUSE).count(), 1, "the cause, once:\n{text}");
    assert!(
        text.contains("hint: if the repository is private")
            && text.contains("skillrig-auth doctor --repo acme/tools"),
        "its hints:\n{text}"
    );
    // What is left is mise's own frame: a ✗ line, a WARN and a summary line per tool.
    let lines = text.lines().count();
    assert!(lines <= 30, "{lines} lines (173 before):\n{text}");
}

#[test]
fn a_failing_install_shows_the_sha256_mismatch_once_without_lua_noise() {
    let Some(world) = World::new() else { return };
    world.github.tamper_asset(
        "acme",
        "tools",
        "tfc_0.0.6_linux_amd64.tar.gz",
        testkit::tar_gz("tfc", "6.6.6", None, 0),
    );
    world.write_mise_toml("[tools]\n\"skillrig:acme/tools/tfc\" = \"0.0.6\"\n");
    let out = world.mise(&["install"]);
    assert!(!out.status.success());
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_no_lua_noise(&text);
    assert_eq!(text.matches("sha256 mismatch").count(), 1, "{text}");
}

#[test]
fn the_development_plugin_without_a_helper_says_how_to_get_one() {
    let Some(world) = World::new() else { return };
    world.write_mise_toml("[tools]\n\"skillrig:acme/tools/jira\" = \"latest\"\n");
    // This checkout's plugin/ pins no helper: with none on PATH and no SKILLRIG_MISE_BIN it
    // cannot run anything, and says what to do.
    let bin = user_path(&world);
    let out = world.mise_env(
        &["ls-remote", "skillrig:acme/tools/jira"],
        &[("SKILLRIG_MISE_BIN", ""), ("PATH", bin.to_str().unwrap())],
    );
    assert!(!out.status.success());
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_no_lua_noise(&text);
    assert!(
        text.contains("a development copy that pins no helper")
            && text.contains("SKILLRIG_MISE_BIN")
            && text.contains("https://github.com/skillrig/skillrig-mise#install"),
        "{text}"
    );
}
