//! `skillrig-mise wire`, the real binary, against fixture consumer repositories and a fake
//! GitHub that releases their tools (ranges are pinned to the newest released version in
//! them, so wire asks for versions).
//!
//! Each directory under `tests/fixtures/wire/` is a case: `repo/` is the consumer repository
//! (lock, vendored `SKILL.md` files, maybe a `mise.toml`), `expected.mise.toml` the exact file
//! wire must leave, and `expected.report.txt` what it prints. Set `SKILLRIG_BLESS=1` to rewrite
//! the expected files after an intended change, then review the diff.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use testkit::{Cli, FakeGitHub, TokenSpec, demo_origin};

const CASES: &[&str] = &["basic", "conflict", "ghe-fresh", "implicit-tools", "update"];
const TOKEN: &str = "ghp_wireSentinelToken0123456789abcdef";
const LOCK: &str = ".skillrig/skills-lock.json";
const LINT: &str = ".agents/skills/lint/SKILL.md";

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/wire")
        .join(case)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A fake GitHub releasing the fixtures' tools (for github.com and `ghe.example.com`), a
/// config pointing both hosts at it, and a copy of a case's repository.
struct World {
    github: FakeGitHub,
    root: tempfile::TempDir,
}

/// What one run of the binary did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl World {
    fn new(case: &str) -> World {
        let github = FakeGitHub::start();
        github.add_repo(
            demo_origin()
                .cli(Cli::new("deploy").versions(&["1.3.0", "1.4.0", "1.4.2", "1.5.0"]))
                .build(),
        );
        github.add_token(TokenSpec::new(TOKEN, "wire").owner("acme"));
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("config/skillrig")).unwrap();
        fs::write(root.path().join("token"), format!("{TOKEN}\n")).unwrap();
        let command = format!("cat '{}'", root.path().join("token").display());
        fs::write(
            root.path().join("config/skillrig/hosts.toml"),
            format!(
                "[hosts.\"github.com\"]\napi_url = \"{}\"\ncredential_command = \"{command}\"\n\n\
                 [hosts.\"ghe.example.com\"]\napi_url = \"{}\"\ncredential_command = \"{command}\"\n",
                github.api_url(),
                github.ghes_api_url()
            ),
        )
        .unwrap();
        copy_dir(&fixture(case).join("repo"), &root.path().join("repo"));
        World { github, root }
    }

    fn repo(&self) -> PathBuf {
        self.root.path().join("repo")
    }

    fn mise_toml(&self) -> Option<String> {
        fs::read_to_string(self.repo().join("mise.toml")).ok()
    }

    /// `skillrig-mise wire ARGS` in the repository, in an environment of its own.
    fn wire(&self, args: &[&str]) -> Run {
        let root = self.root.path();
        let out = Command::new(env!("CARGO_BIN_EXE_skillrig-mise"))
            .arg("wire")
            .args(args)
            .current_dir(self.repo())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", root.join("home"))
            .env("XDG_CONFIG_HOME", root.join("config"))
            .env("XDG_CACHE_HOME", root.join("cache"))
            .output()
            .expect("run skillrig-mise");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout)
                .replace(&*root.to_string_lossy(), "[ROOT]"),
            stderr: String::from_utf8_lossy(&out.stderr)
                .replace(&*root.to_string_lossy(), "[ROOT]"),
        }
    }
}

/// Every file under `dir` with its bytes, to prove a run wrote nothing.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.clone(), fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Compares with a golden file (or rewrites it under `SKILLRIG_BLESS=1`).
fn assert_golden(path: &Path, actual: &str) {
    if std::env::var_os("SKILLRIG_BLESS").is_some() {
        fs::write(path, actual).unwrap();
        // Blessing rewrites instead of comparing: a developer's step, never a CI pass.
        assert!(
            !testkit::under_ci(),
            "SKILLRIG_BLESS is set under CI: nothing would be compared"
        );
        return;
    }
    let expected = fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with SKILLRIG_BLESS=1)", path.display()));
    assert!(
        expected == actual,
        "{} differs\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

#[test]
fn golden_cases_then_idempotence_then_check() {
    for case in CASES {
        let world = World::new(case);
        let first = world.wire(&[]);
        let conflicted = case == &"conflict";
        assert_eq!(
            first.code,
            if conflicted { 1 } else { 0 },
            "{case}: {}{}",
            first.stdout,
            first.stderr
        );
        let written = world.mise_toml().unwrap_or_default();
        assert_golden(&fixture(case).join("expected.mise.toml"), &written);
        assert_golden(&fixture(case).join("expected.report.txt"), &first.stdout);

        // A second run finds nothing to do and leaves the bytes alone.
        let again = world.wire(&[]);
        assert_eq!(again.code, first.code, "{case}: {}", again.stdout);
        assert!(
            again.stdout.lines().all(|l| !l.starts_with(['+', '~'])),
            "{case}: {}",
            again.stdout
        );
        assert_eq!(world.mise_toml().unwrap_or_default(), written, "{case}");

        // --check agrees, without a request.
        world.github.clear_log();
        let check = world.wire(&["--check"]);
        assert_eq!(
            check.code, first.code,
            "{case}: {}{}",
            check.stdout, check.stderr
        );
        assert!(
            world.github.requests().is_empty(),
            "{case}: --check asked GitHub"
        );
    }
}

#[test]
fn dry_run_and_check_write_nothing() {
    for case in CASES {
        for mode in ["--dry-run", "--check"] {
            let world = World::new(case);
            let before = snapshot(&world.repo());
            let run = world.wire(&[mode]);
            assert_eq!(
                snapshot(&world.repo()),
                before,
                "{case} {mode} wrote something"
            );
            // Every fixture needs changes: a check fails (exit 1), a dry run reports them.
            if mode == "--check" {
                assert_eq!(run.code, 1, "{case}: {}", run.stdout);
                assert!(
                    run.stderr.contains("is out of date") || run.stderr.contains("cannot be met"),
                    "{case}: {}",
                    run.stderr
                );
            } else {
                assert!(run.stdout.contains("dry run: "), "{case}: {}", run.stdout);
                assert!(
                    run.stdout
                        .lines()
                        .any(|l| l.starts_with(['+', '~']) || l.starts_with("conflict: ")),
                    "{case}: {}",
                    run.stdout
                );
            }
        }
    }
}

#[test]
fn a_range_becomes_the_newest_release_in_it_and_holds_it() {
    let world = World::new("basic");
    assert_eq!(world.wire(&[]).code, 0);
    // jira: skills need `>=1.6.0, <2`; 2.10.0 is newer but outside, 2.11.0-rc.1 a prerelease.
    let text = world.mise_toml().unwrap();
    assert!(
        text.contains(
            r#""skillrig:acme/tools/jira" = { version = "1.7.0", constraint = ">=1.6.0, <2" }"#
        ),
        "{text}"
    );
    // A release inside the range appears: plain wire keeps the pin, --upgrade moves it.
    let mut newer = testkit::OriginBuilder::new("acme", "tools")
        .cli(Cli::new("jira").versions(&["1.8.0"]))
        .build()
        .releases;
    world
        .github
        .update_repo("acme", "tools", |repo| repo.releases.append(&mut newer));
    std::fs::remove_dir_all(world.root.path().join("cache")).ok();
    assert_eq!(world.wire(&[]).code, 0);
    assert!(world.mise_toml().unwrap().contains(r#"version = "1.7.0""#));
    let upgrade = world.wire(&["--upgrade"]);
    assert_eq!(upgrade.code, 0, "{}", upgrade.stderr);
    assert!(
        upgrade.stdout.contains(r#"~ skillrig:acme/tools/jira: { version = "1.7.0", constraint = ">=1.6.0, <2" } -> { version = "1.8.0", constraint = ">=1.6.0, <2" }"#),
        "{}",
        upgrade.stdout
    );
}

#[test]
fn check_fails_on_a_pin_outside_the_skills_requirement() {
    let world = World::new("basic");
    assert_eq!(world.wire(&[]).code, 0);
    assert_eq!(world.wire(&["--check"]).code, 0);
    // A skill tightening its requirement makes the pin a conflict.
    let skill = world.repo().join(LINT);
    let text = fs::read_to_string(&skill).unwrap();
    fs::write(&skill, text.replace(">=1.6.0", ">=1.8.0")).unwrap();
    let check = world.wire(&["--check"]);
    assert_eq!(check.code, 1);
    assert!(
        check
            .stdout
            .contains("conflict: `skillrig:acme/tools/jira` is pinned to `1.7.0`"),
        "{}",
        check.stdout
    );
    assert!(check.stderr.contains("--upgrade"), "{}", check.stderr);
}

#[test]
fn a_tool_the_origin_does_not_release_is_reported_not_written() {
    let world = World::new("basic");
    let skill = world.repo().join(LINT);
    let text = fs::read_to_string(&skill).unwrap();
    fs::write(&skill, text.replace("tool: jira", "tool: jria")).unwrap();
    let run = world.wire(&[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("not released: acme/tools releases no CLI named `jria`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("did you mean `skillrig:acme/tools/jira`?"),
        "{}",
        run.stdout
    );
    assert!(!world.mise_toml().unwrap().contains("jria"));
}

#[test]
fn only_the_origins_own_tools_are_wired() {
    let world = World::new("basic");
    let run = world.wire(&["--dry-run"]);
    for tool in ["gh", "terraform", "yq"] {
        assert!(
            !run.stdout.contains(&format!("/{tool} ")),
            "{tool} must not be wired"
        );
        assert!(
            run.stdout.contains(&format!("`{tool}`")),
            "{tool} skip is reported"
        );
    }
}

#[test]
fn write_leaves_no_temporary_files() {
    let world = World::new("basic");
    let names = |dir: &Path| {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let before = names(&world.repo());
    assert_eq!(world.wire(&[]).code, 0);
    assert_eq!(names(&world.repo()), before);
}

#[cfg(unix)]
#[test]
fn write_keeps_a_symlink_and_the_file_mode() {
    use std::os::unix::fs::{PermissionsExt as _, symlink};

    let world = World::new("basic");
    let real = world.root.path().join("shared-mise.toml");
    fs::rename(world.repo().join("mise.toml"), &real).unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    symlink(&real, world.repo().join("mise.toml")).unwrap();

    assert_eq!(world.wire(&[]).code, 0);
    let link = fs::symlink_metadata(world.repo().join("mise.toml")).unwrap();
    assert!(link.file_type().is_symlink(), "the link survives");
    assert_eq!(
        fs::read_to_string(&real).unwrap(),
        fs::read_to_string(fixture("basic").join("expected.mise.toml")).unwrap()
    );
    assert_eq!(
        fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[test]
fn nothing_required_creates_no_file() {
    let world = World::new("ghe-fresh");
    fs::write(
        world.repo().join(".agents/skills/deploy/SKILL.md"),
        "---\nname: deploy\nmetadata:\n  x-skillrig.version: \"1.0.0\"\n---\n",
    )
    .unwrap();
    let run = world.wire(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.ends_with("is up to date\n"), "{}", run.stdout);
    assert!(world.mise_toml().is_none());
}

#[test]
fn finds_the_project_from_a_subdirectory() {
    let world = World::new("basic");
    let nested = world.repo().join("src/deep");
    fs::create_dir_all(&nested).unwrap();
    assert_eq!(
        skillrig_cli::consumer::find_project_dir(&nested).as_deref(),
        Some(world.repo().as_path())
    );
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(skillrig_cli::consumer::find_project_dir(empty.path()), None);
}

fn write(root: &Path, rel: &str, text: &str) {
    fs::write(root.join(rel), text).unwrap();
}

#[test]
fn errors_name_the_file_and_say_what_to_do() {
    // (edit, exit code, message fragment, hint fragment)
    type Edit = Box<dyn FnOnce(&Path)>;
    let cases: Vec<(&str, Edit, i32, &str, &str)> = vec![
        (
            "missing lock",
            Box::new(|root| fs::remove_file(root.join(LOCK)).unwrap()),
            2,
            "no skills lock at `",
            "`skillrig add <skill>` vendors a skill and creates the lock",
        ),
        (
            "lock not JSON",
            Box::new(|root| write(root, LOCK, "{ nope")),
            2,
            "skills-lock.json`: not a valid skills lock",
            "restore it from version control",
        ),
        (
            "lock without origin",
            Box::new(|root| write(root, LOCK, r#"{"lockfileVersion": 1, "skills": {}}"#)),
            2,
            "skills-lock.json` names no origin",
            "records the origin",
        ),
        (
            "local origin",
            Box::new(|root| {
                write(
                    root,
                    LOCK,
                    r#"{"lockfileVersion": 1, "origin": "../origin", "skills": {}}"#,
                )
            }),
            2,
            "skills-lock.json`: invalid origin `../origin`: local origins are not supported",
            "must be a GitHub repository",
        ),
        (
            "path outside the project",
            Box::new(|root| {
                write(
                    root,
                    LOCK,
                    r#"{"lockfileVersion": 1, "origin": "acme/tools", "skills": {"x": {"path": "../x"}}}"#,
                )
            }),
            2,
            "skill `x` has path `../x`, which is not inside the project",
            "re-add the skill",
        ),
        (
            "vendored skill missing",
            Box::new(|root| fs::remove_file(root.join(LINT)).unwrap()),
            1,
            "lint/SKILL.md`: cannot read the file",
            "`skillrig verify`",
        ),
        (
            "malformed SKILL.md",
            Box::new(|root| write(root, LINT, "---\nname: lint\n")),
            2,
            "lint/SKILL.md`: unterminated YAML frontmatter",
            "fix it in the origin and re-add the skill",
        ),
        (
            "bad constraint from the origin",
            Box::new(|root| {
                write(
                    root,
                    LINT,
                    "---\nname: lint\nmetadata:\n  x-skillrig.version: \"1\"\n  x-skillrig.requires:\n    - {tool: jira, version: \"latest\", source: acme/tools}\n---\n",
                )
            }),
            2,
            "lint/SKILL.md`: invalid version constraint `latest`",
            "joined with commas",
        ),
        (
            "tool that is not a binary name",
            Box::new(|root| {
                write(
                    root,
                    LINT,
                    "---\nname: lint\nmetadata:\n  x-skillrig.version: \"1\"\n  x-skillrig.requires:\n    - {tool: acme/tools/jira, source: acme/tools}\n---\n",
                )
            }),
            2,
            "lint/SKILL.md`: `tool: acme/tools/jira` in `x-skillrig.requires` is an address, not a binary name",
            "binary's name",
        ),
        (
            "mise.toml not TOML",
            Box::new(|root| write(root, "mise.toml", "[tools]\nnode = \"22\"\nbroken = \n")),
            2,
            "mise.toml` is not valid TOML: ",
            "fix the file first",
        ),
        (
            "mise.toml not UTF-8",
            Box::new(|root| {
                fs::write(root.join("mise.toml"), b"[tools]\n\xff\xfe = \"1\"\n").unwrap()
            }),
            2,
            "mise.toml` is not UTF-8 text",
            "fix the file first",
        ),
        (
            "tools not a table",
            Box::new(|root| write(root, "mise.toml", "tools = \"node\"\n")),
            2,
            "mise.toml`: `tools` is not a table",
            "[tools]",
        ),
    ];
    for (name, edit, code, message, hint) in cases {
        let world = World::new("basic");
        edit(&world.repo());
        let before = snapshot(&world.repo());
        let run = world.wire(&[]);
        assert_eq!(
            snapshot(&world.repo()),
            before,
            "{name}: a failed run writes nothing"
        );
        assert_eq!(run.code, code, "{name}: {}", run.stderr);
        let mut lines = run.stderr.lines();
        let first = lines.next().unwrap_or_default();
        assert!(first.starts_with("skillrig-mise: "), "{name}: {first}");
        assert!(first.contains(message), "{name}: {first}");
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with("  hint: ") && l.contains(hint)),
            "{name}: {}",
            run.stderr
        );
    }
}

#[test]
fn toml_errors_give_the_line() {
    let world = World::new("basic");
    write(
        &world.repo(),
        "mise.toml",
        "[tools]\nnode = \"22\"\nbroken = \n",
    );
    let run = world.wire(&[]);
    assert!(
        run.stderr.lines().next().unwrap().ends_with("(line 3)"),
        "{}",
        run.stderr
    );
}

#[test]
fn external_requirements_are_not_validated() {
    // A constraint only another tool understands is not wire's to reject.
    let world = World::new("basic");
    write(
        &world.repo(),
        LINT,
        "---\nname: lint\nmetadata:\n  x-skillrig.version: \"1\"\n  x-skillrig.requires:\n    - {tool: '@scope/pkg', version: 'latest || next', source: npm/pkg}\n---\n",
    );
    let run = world.wire(&["--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("`@scope/pkg` comes from `npm/pkg`"),
        "{}",
        run.stdout
    );
}
