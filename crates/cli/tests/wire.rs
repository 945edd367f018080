//! `skillrig-mise wire` through the library API, against fixture consumer repositories.
//!
//! Each directory under `tests/fixtures/wire/` is a case: `repo/` is the consumer repository
//! (lock, vendored `SKILL.md` files, maybe a `mise.toml`), `expected.mise.toml` the exact file
//! wire must leave, and `expected.report.txt` the changes, conflicts and notes it reports.
//! Set `SKILLRIG_BLESS=1` to rewrite the expected files after an intended change, then review
//! the diff.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use skillrig_cli::commands::wire::{self, Change, Mode, WireReport};
use skillrig_cli::report::{EXIT_FAILURE, EXIT_USAGE};

const CASES: &[&str] = &["basic", "conflict", "ghe-fresh", "implicit-tools", "update"];

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

/// A fresh copy of a case's repository.
fn checkout(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(case).join("repo"), dir.path());
    dir
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

fn report_text(report: &WireReport) -> String {
    let mut text = String::new();
    for change in &report.changes {
        writeln!(text, "{change}").unwrap();
    }
    for conflict in &report.conflicts {
        writeln!(text, "conflict: {conflict}").unwrap();
    }
    for note in &report.notes {
        writeln!(text, "note: {note}").unwrap();
    }
    text
}

/// Compares with a golden file (or rewrites it under `SKILLRIG_BLESS=1`).
fn assert_golden(path: &Path, actual: &str) {
    if std::env::var_os("SKILLRIG_BLESS").is_some() {
        fs::write(path, actual).unwrap();
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
fn golden_cases_and_idempotence() {
    for case in CASES {
        let repo = checkout(case);
        let report = wire::run(repo.path(), Mode::Write).unwrap_or_else(|f| panic!("{case}: {f}"));
        let written = fs::read_to_string(repo.path().join("mise.toml")).unwrap();
        assert_eq!(written, report.new_text, "{case}: report and file agree");
        assert_golden(&fixture(case).join("expected.mise.toml"), &written);
        assert_golden(
            &fixture(case).join("expected.report.txt"),
            &report_text(&report),
        );

        // A second run finds nothing to do and leaves the bytes alone.
        let again = wire::run(repo.path(), Mode::Write).unwrap();
        assert!(
            again.changes.iter().all(|c| !c.is_change()),
            "{case}: {}",
            report_text(&again)
        );
        assert_eq!(again.changes.len(), report.changes.len(), "{case}");
        assert_eq!(again.old_text.as_deref(), Some(written.as_str()), "{case}");
        assert_eq!(again.new_text, written, "{case}");
        assert_eq!(
            fs::read_to_string(repo.path().join("mise.toml")).unwrap(),
            written
        );
        let check = wire::run(repo.path(), Mode::Check).unwrap();
        assert_eq!(
            check.conflicts, report.conflicts,
            "{case}: conflicts persist"
        );
        assert_eq!(check.is_up_to_date(), report.conflicts.is_empty(), "{case}");
    }
}

#[test]
fn dry_run_and_check_write_nothing() {
    for case in CASES {
        for mode in [Mode::DryRun, Mode::Check] {
            let repo = checkout(case);
            let before = snapshot(repo.path());
            let report = wire::run(repo.path(), mode).unwrap();
            assert_eq!(
                snapshot(repo.path()),
                before,
                "{case} {mode:?} wrote something"
            );
            // What would be written is exactly what Write writes.
            let expected = fs::read_to_string(fixture(case).join("expected.mise.toml")).unwrap();
            assert_eq!(report.new_text, expected, "{case} {mode:?}");
            assert_eq!(
                report.old_text,
                fs::read_to_string(repo.path().join("mise.toml")).ok(),
                "{case}"
            );
            assert!(report.text_changed(), "{case}: every fixture needs changes");
            assert!(!report.is_up_to_date(), "{case}: --check must fail");
        }
    }
}

#[test]
fn check_fails_on_drift_and_passes_after_write() {
    let repo = checkout("basic");
    assert!(!wire::run(repo.path(), Mode::Check).unwrap().is_up_to_date());
    wire::run(repo.path(), Mode::Write).unwrap();
    let check = wire::run(repo.path(), Mode::Check).unwrap();
    assert!(check.is_up_to_date(), "{}", report_text(&check));
    assert!(!check.text_changed());

    // A skill tightening its constraint is drift again.
    let skill = repo.path().join(".agents/skills/lint/SKILL.md");
    let text = fs::read_to_string(&skill).unwrap();
    fs::write(&skill, text.replace(">=1.6.0", ">=1.7.0")).unwrap();
    let check = wire::run(repo.path(), Mode::Check).unwrap();
    assert!(!check.is_up_to_date());
    let jira = check
        .changes
        .iter()
        .find(|c| c.key() == "skillrig:acme/tools/jira")
        .unwrap();
    assert_eq!(
        *jira,
        Change::Updated {
            key: "skillrig:acme/tools/jira".into(),
            from: r#"{ version = "latest", constraint = ">=1.6.0, <2" }"#.into(),
            to: r#"{ version = "latest", constraint = ">=1.6.0, >=1.7.0, <2" }"#.into(),
        }
    );
}

#[test]
fn conflicts_leave_the_user_entry_alone() {
    let repo = checkout("conflict");
    let report = wire::run(repo.path(), Mode::Write).unwrap();
    assert_eq!(report.conflicts.len(), 2, "{}", report_text(&report));
    assert!(
        report
            .conflicts
            .iter()
            .any(|c| c.contains("pinned to `1.5.0`"))
    );
    assert!(
        report
            .conflicts
            .iter()
            .any(|c| c.contains("no version of `skillrig:acme/tools/tfc`"))
    );
    assert!(
        report
            .new_text
            .contains(r#""skillrig:acme/tools/jira" = "1.5.0" # the team is stuck on 1.5 for now"#)
    );
    assert!(
        !report.new_text.contains("tfc"),
        "a contradiction adds nothing"
    );
    let keys: Vec<&str> = report.changes.iter().map(Change::key).collect();
    assert_eq!(keys, ["skillrig:acme/tools/oxid"]);
}

#[test]
fn only_the_origins_own_tools_are_wired() {
    let repo = checkout("basic");
    let report = wire::run(repo.path(), Mode::DryRun).unwrap();
    for tool in ["gh", "terraform", "yq"] {
        assert!(
            !report.new_text.contains(&format!("/{tool}\"")),
            "{tool} must not be wired"
        );
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.contains(&format!("`{tool}`"))),
            "{tool} skip is reported"
        );
    }
}

#[test]
fn write_leaves_no_temporary_files() {
    let repo = checkout("basic");
    let mut before: Vec<_> = fs::read_dir(repo.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    wire::run(repo.path(), Mode::Write).unwrap();
    let mut after: Vec<_> = fs::read_dir(repo.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    before.sort();
    after.sort();
    assert_eq!(before, after);
}

#[cfg(unix)]
#[test]
fn write_keeps_a_symlink_and_the_file_mode() {
    use std::os::unix::fs::{PermissionsExt as _, symlink};

    let repo = checkout("basic");
    let elsewhere = tempfile::tempdir().unwrap();
    let real = elsewhere.path().join("shared-mise.toml");
    fs::rename(repo.path().join("mise.toml"), &real).unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    symlink(&real, repo.path().join("mise.toml")).unwrap();

    wire::run(repo.path(), Mode::Write).unwrap();
    let link = fs::symlink_metadata(repo.path().join("mise.toml")).unwrap();
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
    let repo = checkout("ghe-fresh");
    let skill = repo.path().join(".agents/skills/deploy/SKILL.md");
    fs::write(
        &skill,
        "---\nname: deploy\nmetadata:\n  x-skillrig.version: \"1.0.0\"\n---\n",
    )
    .unwrap();
    let report = wire::run(repo.path(), Mode::Write).unwrap();
    assert!(report.changes.is_empty());
    assert_eq!(report.new_text, "");
    assert!(!report.text_changed());
    assert!(report.is_up_to_date());
    assert!(!repo.path().join("mise.toml").exists());
}

#[test]
fn finds_the_project_from_a_subdirectory() {
    let repo = checkout("basic");
    let nested = repo.path().join("src/deep");
    fs::create_dir_all(&nested).unwrap();
    assert_eq!(
        wire::find_project_dir(&nested).as_deref(),
        Some(repo.path())
    );
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(wire::find_project_dir(empty.path()), None);
}

/// Runs wire on the `basic` case after `edit`, expecting a failure.
fn failure_after(name: &str, edit: impl FnOnce(&Path)) -> skillrig_cli::report::Failure {
    let repo = checkout("basic");
    edit(repo.path());
    let before = snapshot(repo.path());
    let failure = wire::run(repo.path(), Mode::Write).expect_err(name);
    assert_eq!(snapshot(repo.path()), before, "a failed run writes nothing");
    failure
}

fn write(root: &Path, rel: &str, text: &str) {
    fs::write(root.join(rel), text).unwrap();
}

const LOCK: &str = ".skillrig/skills-lock.json";
const LINT: &str = ".agents/skills/lint/SKILL.md";

#[test]
fn errors_name_the_file_and_say_what_to_do() {
    // (edit, exit code, message fragment, hint fragment)
    type Edit = Box<dyn FnOnce(&Path)>;
    let cases: Vec<(&str, Edit, u8, &str, &str)> = vec![
        (
            "missing lock",
            Box::new(|root| fs::remove_file(root.join(LOCK)).unwrap()),
            EXIT_USAGE,
            "no skills lock at `",
            "`skillrig add <skill>` vendors a skill and creates the lock",
        ),
        (
            "lock not JSON",
            Box::new(|root| write(root, LOCK, "{ nope")),
            EXIT_USAGE,
            "skills-lock.json`: not a valid skills lock: ",
            "restore it from version control",
        ),
        (
            "lock version 2",
            Box::new(|root| write(root, LOCK, r#"{"lockfileVersion": 2}"#)),
            EXIT_USAGE,
            "unsupported lockfileVersion: 2",
            "lockfileVersion 1",
        ),
        (
            "lock without origin",
            Box::new(|root| write(root, LOCK, r#"{"lockfileVersion": 1, "skills": {}}"#)),
            EXIT_USAGE,
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
            EXIT_USAGE,
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
            EXIT_USAGE,
            "skill `x` has path `../x`, which is not inside the project",
            "re-add the skill",
        ),
        (
            "vendored skill missing",
            Box::new(|root| fs::remove_file(root.join(LINT)).unwrap()),
            EXIT_FAILURE,
            "lint/SKILL.md`: cannot read the file: ",
            "`skillrig verify`",
        ),
        (
            "malformed SKILL.md",
            Box::new(|root| write(root, LINT, "---\nname: lint\n")),
            EXIT_USAGE,
            "lint/SKILL.md`: unterminated YAML frontmatter",
            "",
        ),
        (
            "unquoted version",
            Box::new(|root| {
                write(
                    root,
                    LINT,
                    "---\nname: lint\nmetadata:\n  x-skillrig.version: 1.4\n---\n",
                )
            }),
            EXIT_USAGE,
            "lint/SKILL.md`: metadata \"x-skillrig.version\" is required",
            "quote the version",
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
            EXIT_USAGE,
            "lint/SKILL.md`: invalid version constraint `latest`: ",
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
            EXIT_USAGE,
            "lint/SKILL.md`: `tool: acme/tools/jira` in `x-skillrig.requires` is an address, not a binary name",
            "binary's name",
        ),
        (
            "tool with a bad character",
            Box::new(|root| {
                write(
                    root,
                    LINT,
                    "---\nname: lint\nmetadata:\n  x-skillrig.version: \"1\"\n  x-skillrig.requires:\n    - {tool: 'ji ra', source: acme/tools}\n---\n",
                )
            }),
            EXIT_USAGE,
            "lint/SKILL.md`: invalid tool address `ji ra`: the binary name contains ' '",
            "binary's name",
        ),
        (
            "requirement without a tool",
            Box::new(|root| {
                write(
                    root,
                    LINT,
                    "---\nname: lint\nmetadata:\n  x-skillrig.version: \"1\"\n  x-skillrig.requires:\n    - {version: '>=1', source: acme/tools}\n---\n",
                )
            }),
            EXIT_USAGE,
            "lint/SKILL.md`: invalid tool address ``: it is empty",
            "binary's name",
        ),
        (
            "mise.toml not TOML",
            Box::new(|root| write(root, "mise.toml", "[tools]\nnode = \"22\"\nbroken = \n")),
            EXIT_USAGE,
            "mise.toml` is not valid TOML: ",
            "fix the file first",
        ),
        (
            "tools not a table",
            Box::new(|root| write(root, "mise.toml", "tools = \"node\"\n")),
            EXIT_USAGE,
            "mise.toml`: `tools` is not a table",
            "[tools]",
        ),
    ];
    for (name, edit, code, message, hint) in cases {
        let failure = failure_after(name, edit);
        assert_eq!(failure.code(), code, "{name}: {failure}");
        assert!(
            failure.message().contains(message),
            "{name}: {}",
            failure.message()
        );
        assert!(!failure.message().contains('\n'), "{name}: one line");
        assert!(
            failure.hints().iter().any(|h| h.contains(hint)),
            "{name}: {:?}",
            failure.hints()
        );
    }
}

#[test]
fn toml_errors_give_the_line() {
    let failure = failure_after("bad toml", |root| {
        write(root, "mise.toml", "[tools]\nnode = \"22\"\nbroken = \n")
    });
    assert!(
        failure.message().ends_with("(line 3)"),
        "{}",
        failure.message()
    );
}

#[test]
fn external_requirements_are_not_validated() {
    // A constraint only another tool understands is not wire's to reject.
    let repo = checkout("basic");
    write(
        repo.path(),
        LINT,
        "---\nname: lint\nmetadata:\n  x-skillrig.version: \"1\"\n  x-skillrig.requires:\n    - {tool: '@scope/pkg', version: 'latest || next', source: npm/pkg}\n---\n",
    );
    let report = wire::run(repo.path(), Mode::DryRun).unwrap();
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("`@scope/pkg` comes from `npm/pkg`"))
    );
}
