//! mise's own rules on one machine with several projects (issue #13): each project runs the
//! version it asked for, one project's `mise upgrade`/`mise prune` leaves the other's alone,
//! two addresses that mise would put in one directory are refused, and a tool the origin does
//! not release says what it does release.

use origin_meta::ToolAddress;
use skillrig_cli::mise::tool_dir_name;
use testkit::{Cli, OriginBuilder};

use crate::mise::{World, stderr, stdout};

/// A consumer repository whose one skill requires `jira >=1.6.0, <2` from the demo origin.
fn write_consumer(world: &World) {
    let skill = world.path("project/.agents/skills/deploy-check");
    std::fs::create_dir_all(&skill).unwrap();
    std::fs::write(
        skill.join("SKILL.md"),
        "---\nname: deploy-check\ndescription: Checks a deployment plan.\nmetadata:\n  \
         x-skillrig.version: \"2.1.0\"\n  x-skillrig.requires:\n    \
         - {tool: jira, version: \">=1.6.0, <2\", source: acme/tools, manager: mise}\n---\n\
         # Deploy check\n",
    )
    .unwrap();
    std::fs::create_dir_all(world.path("project/.skillrig")).unwrap();
    std::fs::write(
        world.path("project/.skillrig/skills-lock.json"),
        r#"{
  "lockfileVersion": 1,
  "origin": "acme/tools@main",
  "skills": {
    "deploy-check": {
      "version": "deploy-check-v2.1.0",
      "commit": "0123456789abcdef0123456789abcdef01234567",
      "treeSha": "89abcdef0123456789abcdef0123456789abcdef",
      "path": ".agents/skills/deploy-check"
    }
  }
}
"#,
    )
    .unwrap();
}

fn all_output(out: &std::process::Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

#[test]
fn two_projects_run_their_own_versions_and_one_projects_upgrade_and_prune_spare_the_other() {
    let Some(world) = World::new() else { return };
    // Project B: wire pins the skill's range `>=1.6.0, <2` to the newest release in it.
    write_consumer(&world);
    world.write_mise_toml("[tools]\n");
    let wired = world.skillrig(&["wire"], &[]);
    assert!(wired.status.success(), "wire: {}", all_output(&wired));
    let toml = std::fs::read_to_string(world.path("project/mise.toml")).unwrap();
    assert!(
        toml.contains(
            r#""skillrig:acme/tools/jira" = { version = "1.7.0", constraint = ">=1.6.0, <2" }"#
        ),
        "{toml}"
    );
    world.write_mise_toml(&toml);

    // Project A: plain `latest`, installed first, so 2.10.0 is on the machine.
    world.write_project("a", "[tools]\n\"skillrig:acme/tools/jira\" = \"latest\"\n");
    let a = world.mise_in("a", &["install"], &[]);
    assert!(a.status.success(), "{}", all_output(&a));
    world.install_ok();

    let jira_in = |rel: &str| {
        let out = world.mise_in(rel, &["exec", "--", "jira"], &[]);
        assert!(out.status.success(), "{rel}: {}", all_output(&out));
        stdout(&out).trim().to_owned()
    };
    assert_eq!(jira_in("a"), "jira 2.10.0");
    assert_eq!(jira_in("project"), "jira 1.7.0", "B's pin, not A's latest");

    // A upgrades and prunes: B's pinned 1.7.0 is in use by a tracked project and stays;
    // a version nobody asks for goes.
    let stray = world.mise_in("a", &["install", "skillrig:acme/tools/jira@1.6.0"], &[]);
    assert!(stray.status.success(), "{}", all_output(&stray));
    for args in [&["upgrade"][..], &["prune", "--tools", "--yes"][..]] {
        let out = world.mise_in("a", args, &[]);
        assert!(out.status.success(), "{args:?}: {}", all_output(&out));
    }
    assert!(
        world
            .install_dir("acme/tools/jira", "1.7.0")
            .join("bin/jira")
            .is_file()
    );
    assert!(
        !world.install_dir("acme/tools/jira", "1.6.0").exists(),
        "pruned"
    );
    assert_eq!(jira_in("project"), "jira 1.7.0");
    assert_eq!(jira_in("a"), "jira 2.10.0");

    // B moves its pin within the range only when asked, and never past it.
    let upgraded = world.skillrig(&["wire", "--upgrade"], &[]);
    assert!(upgraded.status.success(), "{}", all_output(&upgraded));
    let toml = std::fs::read_to_string(world.path("project/mise.toml")).unwrap();
    assert!(toml.contains(r#"version = "1.7.0""#), "{toml}");
}

#[test]
fn mise_names_install_directories_as_tool_dir_name_computes() {
    let Some(world) = World::new() else { return };
    world.write_mise_toml(
        "[tools]\n\"skillrig:acme/tools/jira-cli\" = \"0.4.0\"\n\"skillrig:acme/tools/kubelint\" = \"1.1.0\"\n",
    );
    world.install_ok();
    for tool in ["acme/tools/jira-cli", "acme/tools/kubelint"] {
        let out = world.mise(&["where", &format!("skillrig:{tool}")]);
        assert!(out.status.success(), "{}", all_output(&out));
        let dir = std::path::PathBuf::from(stdout(&out).trim());
        let parent = dir
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            parent,
            tool_dir_name(&ToolAddress::parse(tool, None).unwrap())
        );
    }
}

/// A fake GitHub with `a/b-c` and `a-b/c`, each releasing a CLI `d`.
fn colliding_world() -> Option<World> {
    let world = World::bare()?;
    for (owner, repo, version) in [("a", "b-c", "1.0.0"), ("a-b", "c", "2.0.0")] {
        world.github.add_repo(
            OriginBuilder::new(owner, repo)
                .public()
                .cli(Cli::new("d").versions(&[version]))
                .build(),
        );
    }
    world.write_hosts_toml(false);
    Some(world)
}

#[test]
fn two_addresses_sharing_a_mise_directory_are_refused_naming_both_and_an_alias_separates_them() {
    let Some(world) = colliding_world() else {
        return;
    };
    assert_eq!(
        tool_dir_name(&ToolAddress::parse("a/b-c/d", None).unwrap()),
        tool_dir_name(&ToolAddress::parse("a-b/c/d", None).unwrap()),
    );
    world.write_mise_toml("[tools]\n\"skillrig:a/b-c/d\" = \"1.0.0\"\n");
    world.install_ok();

    world.write_project("other", "[tools]\n\"skillrig:a-b/c/d\" = \"2.0.0\"\n");
    let refused = world.mise_in("other", &["install"], &[]);
    let text = all_output(&refused);
    assert!(!refused.status.success(), "{text}");
    assert!(
        text.contains("`skillrig:a/b-c/d` is installed where `skillrig:a-b/c/d` belongs")
            && text.contains("skillrig-a-b-c-d")
            && text.contains("[tool_alias]"),
        "{text}"
    );
    assert!(!text.contains("stack traceback"), "{text}");
    // The first tool's install is untouched and nothing of the second was left.
    assert_eq!(world.run_tool("d"), "d 1.0.0");
    let dir = world.path("mise/data/installs/skillrig-a-b-c-d");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(Result::unwrap)
        // mise's own `latest`, `1.0` and `1` symlinks point at the one version.
        .filter(|e| !e.file_type().unwrap().is_symlink())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(names, ["1.0.0"], "{}", dir.display());

    // The fix the message names: an alias gives the second tool its own directory.
    world.write_project(
        "other",
        "[tool_alias]\nd2 = \"skillrig:a-b/c/d\"\n\n[tools]\nd2 = \"2.0.0\"\n",
    );
    let aliased = world.mise_in("other", &["install"], &[]);
    assert!(aliased.status.success(), "{}", all_output(&aliased));
    let ran = world.mise_in("other", &["exec", "--", "d"], &[]);
    assert_eq!(stdout(&ran).trim(), "d 2.0.0", "{}", all_output(&ran));
    assert_eq!(world.run_tool("d"), "d 1.0.0");
}

#[test]
fn a_tool_the_origin_does_not_release_names_the_ones_it_does() {
    let Some(world) = World::new() else { return };
    world.write_mise_toml("[tools]\n\"skillrig:acme/tools/confluence\" = \"latest\"\n");
    let out = world.mise(&["install"]);
    let text = all_output(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("releases no CLI named `confluence`"),
        "{text}"
    );
    for released in ["jira", "tfc", "oxid", "kubelint", "jira-cli"] {
        assert!(text.contains(released), "{released}: {text}");
    }

    let out = world.mise(&["ls-remote", "skillrig:acme/tools/jria"]);
    let text = all_output(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("did you mean `skillrig:acme/tools/jira`?"),
        "{text}"
    );
    assert!(
        !text.contains("stack traceback") && !text.contains(".lua:"),
        "{text}"
    );
}

#[test]
fn a_bare_tool_name_says_how_to_write_the_address() {
    let Some(world) = World::new() else { return };
    world.write_mise_toml(
        "[tools]\n\"skillrig:kubelint\" = { version = \"latest\", origin = \"acme/tools\" }\n",
    );
    let out = world.mise(&["install"]);
    let text = all_output(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("a bare tool name is no longer supported")
            && text.contains("\"skillrig:acme/tools/kubelint\""),
        "{text}"
    );
}
