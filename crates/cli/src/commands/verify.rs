//! `skillrig-mise verify`: are the CLIs a consumer's skills require installed, untouched, and
//! built from the history the skills came from?
//!
//! skillrig makes a vendored skill tamper-evident: `.skillrig/skills-lock.json` records the
//! origin `commit` it was copied from and the git `treeSha` of its directory. This command
//! holds the CLIs those skills require to the same standard. For every locked skill and every
//! `x-skillrig.requires` entry served by the lock's origin (the same rule `wire` uses: `source`
//! names the origin repository, `manager` is empty or `mise`) it checks:
//!
//! 1. **installed** — asks mise (`mise where skillrig:<owner>/<repo>/<tool>`, run in the
//!    project with `MISE_BIN` or the `mise` on `PATH`); only when mise cannot be run, it looks
//!    in mise's installs directory (`$MISE_DATA_DIR/installs/skillrig-<owner>-<repo>-<tool>/`,
//!    the highest version that satisfies the skill's constraint);
//! 2. **untouched** — the binary named by the install receipt still hashes to the receipt's
//!    `bin_sha256` ([`install::hash_file`]), and which sources verified the download at install
//!    time (`verified_by`: checksums file, GitHub digest);
//! 3. **provenance** — the release's commit (the receipt's `release_commit`, else the tag's
//!    commit from the API) against the skill's locked `commit` (GitHub's compare API): the same
//!    commit, the release an ancestor or a descendant of the locked commit, diverged, or
//!    unrelated; and whether the skill's tree at the release commit
//!    (`skills/<skill>`, as skillrig computes `treeSha`) equals the locked `treeSha`.
//!
//! # Results and strictness
//!
//! Each problem is a [`Finding`] with a [`Check`] and a [`Severity`]. By default:
//!
//! | check | default | `--strict` |
//! |---|---|---|
//! | `not-installed`, `no-receipt`, `receipt-unreadable`, `receipt-mismatch`, `binary-missing`, `binary-modified` | failure | failure |
//! | `unrelated-commit`, `diverged-commit`, `lock-inconsistent`, `lock-incomplete`, `provenance-unavailable`, `skill-unreadable` | failure | failure |
//! | `tree-differs`, `skill-absent-at-release`, `unverified-install`, `constraint-unsatisfied`, `constraint-invalid` | warning | failure |
//!
//! Why: a missing or modified binary, or one built from a history the skill does not belong
//! to, breaks the binding outright. A release that is an ancestor (or descendant) of the
//! locked commit comes from the same history; when the skill's tree differs there, the skill
//! was edited between the release and the lock, which a monorepo does all the time (wording,
//! a new example), so it is shown but passes unless `--strict` asks for an exact binding.
//! A check that cannot be made (network, rate limit, a lock entry without a commit) fails:
//! verify never passes what it could not see. `docs/verify.md` has the user-facing version.
//!
//! # Exit codes
//!
//! 0 when nothing failed (warnings allowed), 1 when any finding is a failure
//! ([`VerifyReport::exit_code`]); usage errors (no lock, a lock without a GitHub origin, a
//! malformed lock) are [`Failure::usage`], exit 2.
//!
//! # JSON (`--json`)
//!
//! [`VerifyReport::render_json`] prints one pretty-printed object; fields are only ever added
//! (`schema` changes when a meaning changes):
//!
//! ```json
//! {
//!   "schema": 1,
//!   "project": "/work/app",
//!   "origin": "acme/tools@main",
//!   "strict": false,
//!   "passed": false,
//!   "summary": {"tools": 2, "ok": 1, "warnings": 0, "failed": 1},
//!   "skills": [{
//!     "name": "deploy-check",
//!     "commit": "<locked commit>", "tree_sha": "<locked treeSha>",
//!     "findings": [],
//!     "tools": [{
//!       "tool": "acme/tools/jira", "constraint": ">=1.7.0", "status": "failed",
//!       "install": {"path": "…/installs/skillrig-acme-tools-jira/2.10.0", "found_by": "mise",
//!                   "version": "2.10.0", "tag": "2.10.0+jira", "bin": "bin/jira",
//!                   "binary": "intact",
//!                   "verified_by": [{"kind": "checksums-file", "name": "jira_checksums.txt"},
//!                                   {"kind": "github-digest"}]},
//!       "provenance": {"release_tag": "2.10.0+jira", "release_commit": "<sha>",
//!                      "commit_from": "receipt", "locked_commit": "<sha>",
//!                      "relation": "unrelated",
//!                      "comparison": {"status": "unrelated", "ahead_by": 0, "behind_by": 0,
//!                                     "merge_base": null},
//!                      "release_tree": "<sha>", "locked_tree": "<sha>", "tree": "equal"},
//!       "findings": [{"check": "unrelated-commit", "severity": "failure",
//!                     "message": "…", "hint": "…"}]
//!     }]
//!   }],
//!   "skipped": ["skill `deploy-check`: `gh` comes from `cli/cli`, not the origin `acme/tools`; not checked"]
//! }
//! ```
//!
//! `install` is `null` when nothing is installed, `provenance` when it could not be
//! established; `binary` is `intact`, `modified`, `missing` or `unknown` (no receipt);
//! `relation` is `same`, `release-is-ancestor`, `release-is-descendant`, `diverged` or
//! `unrelated`; `tree` is `equal`, `differs` or `absent`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use install::{DigestSource, Receipt};
use origin_meta::{Origin, SkillManifest, ToolAddress, ToolRequirement};
use releases::{CompareStatus, Comparison};
use serde::Serialize;

use crate::commands::consumer::{is_from_origin, read_lock, repository_label, skill_dir};
use crate::commands::wire::LOCK_FILE;
use crate::report::{EXIT_FAILURE, EXIT_USAGE, Failure};
use crate::session::Session;

/// The JSON schema version of [`VerifyReport`].
pub const REPORT_SCHEMA: u32 = 1;

/// Environment variable naming the mise binary to ask (otherwise `mise` on `PATH`).
pub const ENV_MISE_BIN: &str = "MISE_BIN";
/// mise's data directory (installs live in `<it>/installs`).
pub const ENV_MISE_DATA_DIR: &str = "MISE_DATA_DIR";

/// How long `mise where` may take before verify gives up on asking mise.
const MISE_TIMEOUT: Duration = Duration::from_secs(30);
/// The mise backend name in tool keys.
const BACKEND_PREFIX: &str = "skillrig:";

/// How strict the check is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Turn every warning into a failure (see the module docs for which checks warn).
    pub strict: bool,
}

/// What one check found. Serialized in kebab case (`binary-modified`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The vendored `SKILL.md` is missing or unreadable, so its requirements are unknown.
    SkillUnreadable,
    /// The tool is not installed (mise knows no install of it, or no install dir exists).
    NotInstalled,
    /// The install has no receipt, so nothing vouches for it.
    NoReceipt,
    /// The receipt cannot be read (corrupt, or a newer schema).
    ReceiptUnreadable,
    /// The receipt describes another tool or origin, or names a binary outside the install.
    ReceiptMismatch,
    /// The binary named by the receipt is gone.
    BinaryMissing,
    /// The binary no longer hashes to the receipt's `bin_sha256`.
    BinaryModified,
    /// The download was not verified at install time (`verify = "none"`).
    UnverifiedInstall,
    /// The installed version is outside the skill's constraint.
    ConstraintUnsatisfied,
    /// The skill's constraint does not parse.
    ConstraintInvalid,
    /// The lock entry lacks a `commit` or `treeSha`.
    LockIncomplete,
    /// The provenance could not be established (network, access, rate limit).
    ProvenanceUnavailable,
    /// The release commit and the locked commit share no history.
    UnrelatedCommit,
    /// The release commit and the locked commit have diverged.
    DivergedCommit,
    /// The release commit is the locked commit, yet the skill's tree there is not `treeSha`.
    LockInconsistent,
    /// The skill's tree at the release commit differs from the locked `treeSha`.
    TreeDiffers,
    /// The skill does not exist at the release commit.
    SkillAbsentAtRelease,
}

impl Check {
    /// The severity by default; `--strict` turns every [`Severity::Warning`] into a failure.
    pub fn default_severity(self) -> Severity {
        match self {
            Check::TreeDiffers
            | Check::SkillAbsentAtRelease
            | Check::UnverifiedInstall
            | Check::ConstraintUnsatisfied
            | Check::ConstraintInvalid => Severity::Warning,
            _ => Severity::Failure,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Check::SkillUnreadable => "skill-unreadable",
            Check::NotInstalled => "not-installed",
            Check::NoReceipt => "no-receipt",
            Check::ReceiptUnreadable => "receipt-unreadable",
            Check::ReceiptMismatch => "receipt-mismatch",
            Check::BinaryMissing => "binary-missing",
            Check::BinaryModified => "binary-modified",
            Check::UnverifiedInstall => "unverified-install",
            Check::ConstraintUnsatisfied => "constraint-unsatisfied",
            Check::ConstraintInvalid => "constraint-invalid",
            Check::LockIncomplete => "lock-incomplete",
            Check::ProvenanceUnavailable => "provenance-unavailable",
            Check::UnrelatedCommit => "unrelated-commit",
            Check::DivergedCommit => "diverged-commit",
            Check::LockInconsistent => "lock-inconsistent",
            Check::TreeDiffers => "tree-differs",
            Check::SkillAbsentAtRelease => "skill-absent-at-release",
        }
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Shown; the check still passes.
    Warning,
    /// The check fails (exit 1).
    Failure,
}

/// One problem, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Which check.
    pub check: Check,
    /// Its severity after strictness was applied.
    pub severity: Severity,
    /// One line saying what was found.
    pub message: String,
    /// One line saying what to do, if there is something.
    pub hint: Option<String>,
}

/// A tool's overall result: its worst finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// No finding.
    Ok,
    /// Warnings only.
    Warning,
    /// At least one failure.
    Failed,
}

/// How the install was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FoundBy {
    /// `mise where` named it.
    Mise,
    /// mise could not be run; found in mise's installs directory.
    InstallsDir,
}

/// The state of the installed binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BinaryState {
    /// It hashes to the receipt's `bin_sha256`.
    Intact,
    /// It hashes to something else.
    Modified,
    /// It is not there.
    Missing,
    /// There is no usable receipt to compare with.
    Unknown,
}

/// What was found installed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstallInfo {
    /// The install directory.
    #[serde(serialize_with = "lossy_path")]
    pub path: PathBuf,
    /// How it was found.
    pub found_by: FoundBy,
    /// The installed version (the receipt's, else the directory name).
    pub version: Option<String>,
    /// The release tag, from the receipt.
    pub tag: Option<String>,
    /// The binary, relative to the install directory, from the receipt.
    pub bin: Option<String>,
    /// Whether the binary still matches the receipt.
    pub binary: BinaryState,
    /// What verified the download at install time (empty: unverified or no receipt).
    pub verified_by: Vec<DigestSource>,
}

/// Where the release commit came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommitFrom {
    /// The receipt's `release_commit`, recorded at install time.
    Receipt,
    /// The tag's commit now, from the API (older receipts have none).
    Tag,
}

/// How the release commit relates to the skill's locked commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// The release was cut from the locked commit.
    Same,
    /// The release commit is an ancestor of the locked commit (released before the skill was
    /// vendored, same history).
    ReleaseIsAncestor,
    /// The locked commit is an ancestor of the release commit (released after, same history).
    ReleaseIsDescendant,
    /// Both moved on from a common ancestor (a release cut from another branch).
    Diverged,
    /// No common history at all.
    Unrelated,
}

/// Whether the skill's tree at the release commit equals the locked `treeSha`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TreeMatch {
    /// The same tree id.
    Equal,
    /// Another tree id.
    Differs,
    /// `skills/<skill>` does not exist at the release commit.
    Absent,
}

/// The release's commit against the skill's lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The release tag the install came from.
    pub release_tag: String,
    /// The commit the release was cut from.
    pub release_commit: String,
    /// Where that commit came from.
    pub commit_from: CommitFrom,
    /// The skill's locked commit.
    pub locked_commit: String,
    /// How the two relate.
    pub relation: Relation,
    /// GitHub's comparison with the release commit as base and the locked commit as head.
    pub comparison: Comparison,
    /// The skill's tree id at the release commit (`None` if absent there).
    pub release_tree: Option<String>,
    /// The locked `treeSha`.
    pub locked_tree: String,
    /// Whether they are equal.
    pub tree: TreeMatch,
}

/// One required tool of one skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolReport {
    /// The tool address, e.g. `acme/tools/jira`.
    pub tool: String,
    /// The skill's version constraint as written (`""` for any).
    pub constraint: String,
    /// The worst finding.
    pub status: Status,
    /// The install, if one was found.
    pub install: Option<InstallInfo>,
    /// The provenance, if it was established.
    pub provenance: Option<Provenance>,
    /// What was found, in check order.
    pub findings: Vec<Finding>,
}

/// One locked skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkillReport {
    /// The skill's name (its key in the lock).
    pub name: String,
    /// The locked commit.
    pub commit: String,
    /// The locked tree id.
    pub tree_sha: String,
    /// Problems with the skill itself (its `SKILL.md`).
    pub findings: Vec<Finding>,
    /// One entry per required tool served by the origin.
    pub tools: Vec<ToolReport>,
}

/// Counts over all tools.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Tools checked (a tool required by two skills counts twice).
    pub tools: usize,
    /// Tools without findings.
    pub ok: usize,
    /// Tools with warnings only.
    pub warnings: usize,
    /// Tools with a failure.
    pub failed: usize,
}

/// The outcome of one verify run (see the module docs for the JSON form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// [`REPORT_SCHEMA`].
    pub schema: u32,
    /// The project root.
    #[serde(serialize_with = "lossy_path")]
    pub project: PathBuf,
    /// The lock's origin, as written.
    pub origin: String,
    /// Whether warnings counted as failures.
    pub strict: bool,
    /// Returns true if and only if no finding is a failure.
    pub passed: bool,
    /// Counts.
    pub summary: Summary,
    /// One entry per locked skill, in lock (name) order.
    pub skills: Vec<SkillReport>,
    /// Requirements not checked, one line each (other sources, other managers).
    pub skipped: Vec<String>,
}

impl VerifyReport {
    /// 0 when nothing failed, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.passed { 0 } else { EXIT_FAILURE }
    }

    /// The report as pretty-printed JSON (one object, trailing newline not included).
    pub fn render_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report serializes")
    }

    /// The report for a terminal: one block per skill and tool, findings with hints, and a
    /// summary line.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let strictness = if self.strict {
            "strict"
        } else {
            "default strictness"
        };
        let _ = writeln!(
            out,
            "verify: origin {}, {} skill(s), {} tool(s) ({strictness})",
            self.origin,
            self.skills.len(),
            self.summary.tools
        );
        for skill in &self.skills {
            let _ = writeln!(
                out,
                "\n{}  locked at {} (tree {})",
                skill.name,
                short(&skill.commit),
                short(&skill.tree_sha)
            );
            write_findings(&mut out, &skill.findings, "  ");
            if skill.tools.is_empty() && skill.findings.is_empty() {
                let _ = writeln!(out, "  requires no CLI from the origin");
            }
            for tool in &skill.tools {
                write_tool(&mut out, tool);
            }
        }
        if !self.skipped.is_empty() {
            out.push('\n');
            for line in &self.skipped {
                let _ = writeln!(out, "skipped: {line}");
            }
        }
        let s = self.summary;
        let _ = write!(
            out,
            "\n{} ok, {} with warnings, {} failed: {}",
            s.ok,
            s.warnings,
            s.failed,
            if self.passed { "passed" } else { "FAILED" }
        );
        out
    }
}

fn write_tool(out: &mut String, tool: &ToolReport) {
    let label = match tool.status {
        Status::Ok => "ok",
        Status::Warning => "warning",
        Status::Failed => "FAILED",
    };
    let version = tool
        .install
        .as_ref()
        .and_then(|i| i.version.as_deref())
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    let constraint = if tool.constraint.trim().is_empty() {
        String::new()
    } else {
        format!(" (requires {})", tool.constraint)
    };
    let _ = writeln!(out, "  {label:<8}{}{version}{constraint}", tool.tool);
    let pad = "          ";
    if let Some(install) = &tool.install {
        let by = match install.found_by {
            FoundBy::Mise => "found by `mise where`",
            FoundBy::InstallsDir => "found in mise's installs directory; mise could not be run",
        };
        let _ = writeln!(out, "{pad}installed: {} ({by})", install.path.display());
        let bin = install.bin.as_deref().unwrap_or("the binary");
        let state = match install.binary {
            BinaryState::Intact => "intact",
            BinaryState::Modified => "MODIFIED",
            BinaryState::Missing => "MISSING",
            BinaryState::Unknown => "not checkable",
        };
        let sources = if install.verified_by.is_empty() {
            "nothing".to_owned()
        } else {
            install
                .verified_by
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            out,
            "{pad}binary: {bin} {state}; verified at install by {sources}"
        );
    }
    if let Some(p) = &tool.provenance {
        let from = match p.commit_from {
            CommitFrom::Receipt => "commit recorded in the receipt",
            CommitFrom::Tag => "commit the tag points at",
        };
        let relation = match p.relation {
            Relation::Same => "the locked commit itself".to_owned(),
            Relation::ReleaseIsAncestor => format!(
                "an ancestor of the locked commit ({} commit(s) earlier)",
                p.comparison.ahead_by
            ),
            Relation::ReleaseIsDescendant => format!(
                "a descendant of the locked commit ({} commit(s) later)",
                p.comparison.behind_by
            ),
            Relation::Diverged => format!(
                "DIVERGED from the locked commit (merge base {})",
                p.comparison.merge_base.as_deref().map_or("?", short)
            ),
            Relation::Unrelated => "UNRELATED to the locked commit (no common history)".to_owned(),
        };
        let tree = match p.tree {
            TreeMatch::Equal => "skill tree equal to the lock",
            TreeMatch::Differs => "skill tree differs from the lock",
            TreeMatch::Absent => "skill absent at the release",
        };
        let _ = writeln!(
            out,
            "{pad}release: {} at {} ({from}) is {relation}; {tree}",
            p.release_tag,
            short(&p.release_commit)
        );
    }
    write_findings(out, &tool.findings, pad);
}

fn write_findings(out: &mut String, findings: &[Finding], pad: &str) {
    for f in findings {
        let severity = match f.severity {
            Severity::Warning => "warning",
            Severity::Failure => "failure",
        };
        let _ = writeln!(out, "{pad}{severity} [{}]: {}", f.check.name(), f.message);
        if let Some(hint) = &f.hint {
            let _ = writeln!(out, "{pad}  hint: {hint}");
        }
    }
}

/// Paths as text even when they are not UTF-8 (serde refuses those, and a report must print).
fn lossy_path<S: serde::Serializer>(path: &Path, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path.to_string_lossy())
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// Verifies the project rooted at `project_dir` (the directory holding
/// `.skillrig/skills-lock.json`; see [`crate::commands::wire::find_project_dir`]).
///
/// # Errors
///
/// Usage failures (exit 2): no lock, a malformed lock or one of an unsupported version, a lock
/// without an origin or with a local-path origin. Everything found while checking is a
/// [`Finding`] in the report instead, so one unreachable tool never hides the others.
pub fn run(
    session: &Session,
    project_dir: &Path,
    opts: VerifyOptions,
) -> Result<VerifyReport, Failure> {
    let lock_path = project_dir.join(LOCK_FILE);
    let lock = read_lock(
        &lock_path,
        &[
            "run `skillrig-mise verify` in a consumer repository (one where `skillrig add` vendored skills)",
        ],
    )?;
    let Some(origin_text) = lock.origin() else {
        return Err(Failure::usage(format!(
            "`{}` names no origin, so there is nothing to verify against",
            lock_path.display()
        ))
        .hint("`skillrig add` records the origin it vendors from; re-add a skill with an origin configured"));
    };
    let origin = Origin::parse(origin_text).map_err(|e| {
        Failure::from_error(&e)
            .in_file(&lock_path)
            .with_code(EXIT_USAGE)
            .hint("provenance is checked through the GitHub API, so the origin must be a GitHub repository")
    })?;

    let mut ctx = Run {
        session,
        project_dir,
        origin: &origin,
        strict: opts.strict,
        installs: BTreeMap::new(),
        skipped: Vec::new(),
    };
    let mut skills = Vec::new();
    for (name, entry) in lock.skills() {
        skills.push(ctx.skill(name, entry));
    }

    let mut summary = Summary::default();
    for tool in skills.iter().flat_map(|s| &s.tools) {
        summary.tools += 1;
        match tool.status {
            Status::Ok => summary.ok += 1,
            Status::Warning => summary.warnings += 1,
            Status::Failed => summary.failed += 1,
        }
    }
    let skill_failed = skills
        .iter()
        .flat_map(|s| &s.findings)
        .any(|f| f.severity == Severity::Failure);
    Ok(VerifyReport {
        schema: REPORT_SCHEMA,
        project: project_dir.to_owned(),
        origin: origin_text.to_owned(),
        strict: opts.strict,
        passed: summary.failed == 0 && !skill_failed,
        summary,
        skills,
        skipped: ctx.skipped,
    })
}

/// State of one run.
struct Run<'a> {
    session: &'a Session,
    project_dir: &'a Path,
    origin: &'a Origin,
    strict: bool,
    /// Install checks by address: a tool required by several skills is looked up once.
    installs: BTreeMap<String, InstallCheck>,
    skipped: Vec<String>,
}

/// What the install lookup and the receipt check found for one tool.
#[derive(Clone)]
struct InstallCheck {
    info: Option<InstallInfo>,
    receipt: Option<Receipt>,
    findings: Vec<(Check, String, Option<String>)>,
}

impl Run<'_> {
    fn finding(&self, check: Check, message: String, hint: Option<String>) -> Finding {
        let severity = match check.default_severity() {
            Severity::Warning if self.strict => Severity::Failure,
            severity => severity,
        };
        Finding {
            check,
            severity,
            message,
            hint,
        }
    }

    fn skill(&mut self, name: &str, entry: &origin_meta::LockedSkill) -> SkillReport {
        let mut report = SkillReport {
            name: name.to_owned(),
            commit: entry.commit.clone(),
            tree_sha: entry.tree_sha.clone(),
            findings: Vec::new(),
            tools: Vec::new(),
        };
        let manifest = match skill_dir(name, &entry.path) {
            None => Err(format!(
                "the lock's path `{}` for skill `{name}` is not inside the project",
                entry.path
            )),
            Some(dir) => {
                let path = self.project_dir.join(dir).join("SKILL.md");
                SkillManifest::from_path(&path)
                    .map_err(|e| Failure::from_error(&e).message().to_owned())
            }
        };
        let manifest = match manifest {
            Ok(m) => m,
            Err(message) => {
                let finding = self.finding(
                    Check::SkillUnreadable,
                    message,
                    Some("`skillrig verify` checks vendored skills; `skillrig add <skill>` restores one".to_owned()),
                );
                report.findings.push(finding);
                return report;
            }
        };
        for requirement in &manifest.requires {
            let Some(address) = self.served_tool(name, requirement) else {
                continue;
            };
            report
                .tools
                .push(self.tool(name, entry, requirement, &address));
        }
        report
    }

    /// The requirement's address if the origin serves it (wire's rule); else records why not.
    fn served_tool(&mut self, skill: &str, requirement: &ToolRequirement) -> Option<ToolAddress> {
        let tool = requirement.tool.trim();
        let shown = if tool.is_empty() { "(no tool)" } else { tool };
        let label = repository_label(self.origin);
        let manager = requirement.manager.trim();
        let skip = if !manager.is_empty() && !manager.eq_ignore_ascii_case("mise") {
            Some(format!("is for manager `{manager}`, not mise"))
        } else if requirement.source.trim().is_empty() {
            Some("has no `source`".to_owned())
        } else if !is_from_origin(requirement.source.trim(), self.origin) {
            Some(format!(
                "comes from `{}`, not the origin `{label}`",
                requirement.source.trim()
            ))
        } else if tool.is_empty() || tool.contains('/') {
            Some("is not a binary name".to_owned())
        } else {
            None
        };
        if let Some(reason) = skip {
            self.skipped
                .push(format!("skill `{skill}`: `{shown}` {reason}; not checked"));
            return None;
        }
        match ToolAddress::parse(tool, Some(&self.origin.to_string())) {
            Ok(address) => Some(address),
            Err(e) => {
                self.skipped.push(format!(
                    "skill `{skill}`: `{shown}`: {}; not checked",
                    Failure::from_error(&e).message()
                ));
                None
            }
        }
    }

    fn tool(
        &mut self,
        skill: &str,
        entry: &origin_meta::LockedSkill,
        requirement: &ToolRequirement,
        address: &ToolAddress,
    ) -> ToolReport {
        let key = address.to_string();
        // Looked up once per tool: in the installs-directory fallback the first skill's
        // constraint picks the version, and later skills check theirs against it below.
        let check = match self.installs.get(&key) {
            Some(check) => check.clone(),
            None => {
                let check = self.check_install(address, requirement);
                self.installs.insert(key.clone(), check.clone());
                check
            }
        };
        let mut findings: Vec<Finding> = check
            .findings
            .iter()
            .map(|(c, m, h)| self.finding(*c, m.clone(), h.clone()))
            .collect();
        let reinstall = reinstall_hint(address, check.info.as_ref());

        // The constraint is per skill, so it is checked here rather than in the shared lookup.
        if let Some(info) = &check.info {
            match requirement.constraint() {
                Err(e) => findings.push(self.finding(
                    Check::ConstraintInvalid,
                    format!(
                        "skill `{skill}`'s constraint `{}` for `{key}` is invalid: {}",
                        requirement.version,
                        Failure::from_error(&e).message()
                    ),
                    hint::Hint::hints(&e).into_iter().next(),
                )),
                Ok(req) => {
                    let version = info.version.as_deref().and_then(parse_version);
                    if let Some(version) = version
                        && !req.matches(&version)
                    {
                        findings.push(self.finding(
                            Check::ConstraintUnsatisfied,
                            format!(
                                "installed version {version} does not satisfy skill `{skill}`'s constraint `{}`",
                                requirement.version
                            ),
                            Some("`skillrig-mise wire` writes the constraint into mise.toml; then run `mise install`".to_owned()),
                        ));
                    }
                }
            }
        }

        let provenance = match &check.receipt {
            Some(receipt) => {
                self.provenance(skill, entry, address, receipt, &reinstall, &mut findings)
            }
            None => None,
        };
        let status = if findings.iter().any(|f| f.severity == Severity::Failure) {
            Status::Failed
        } else if findings.is_empty() {
            Status::Ok
        } else {
            Status::Warning
        };
        ToolReport {
            tool: key,
            constraint: requirement.version.clone(),
            status,
            install: check.info,
            provenance,
            findings,
        }
    }

    /// Finds the install and checks its receipt and binary.
    fn check_install(&self, address: &ToolAddress, requirement: &ToolRequirement) -> InstallCheck {
        let mut findings = Vec::new();
        let located = match self.locate(address, requirement) {
            Ok(found) => found,
            Err(not_installed) => {
                findings.push((
                    Check::NotInstalled,
                    not_installed,
                    Some(format!(
                        "run `skillrig-mise wire` then `mise install`, or `mise use {BACKEND_PREFIX}{address}@<version>`"
                    )),
                ));
                return InstallCheck {
                    info: None,
                    receipt: None,
                    findings,
                };
            }
        };
        let dir_version = located
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        let mut info = InstallInfo {
            path: located.path.clone(),
            found_by: located.found_by,
            version: dir_version,
            tag: None,
            bin: None,
            binary: BinaryState::Unknown,
            verified_by: Vec::new(),
        };
        let reinstall = reinstall_hint(address, Some(&info));
        let receipt_path = install::receipt_path(&located.path);
        let receipt = match install::read_receipt(&located.path) {
            Ok(receipt) => receipt,
            Err(e) => {
                let (check, message) = if !receipt_path.exists() {
                    (
                        Check::NoReceipt,
                        format!(
                            "no install receipt at `{}`: nothing vouches for this install",
                            receipt_path.display()
                        ),
                    )
                } else {
                    (
                        Check::ReceiptUnreadable,
                        Failure::from_error(&e).message().to_owned(),
                    )
                };
                findings.push((check, message, Some(reinstall)));
                return InstallCheck {
                    info: Some(info),
                    receipt: None,
                    findings,
                };
            }
        };
        info.version = Some(receipt.version.clone());
        info.tag = Some(receipt.tag.clone());
        info.bin = Some(receipt.bin.clone());
        info.verified_by = receipt.verified_by.clone();
        let reinstall = reinstall_hint(address, Some(&info));

        if let Some(problem) = receipt_mismatch(&receipt, address) {
            findings.push((Check::ReceiptMismatch, problem, Some(reinstall)));
            return InstallCheck {
                info: Some(info),
                receipt: None,
                findings,
            };
        }
        let bin = located.path.join(&receipt.bin);
        match install::hash_file(&bin) {
            Ok(actual) if actual.eq_ignore_ascii_case(receipt.bin_sha256.trim()) => {
                info.binary = BinaryState::Intact;
            }
            Ok(actual) => {
                info.binary = BinaryState::Modified;
                findings.push((
                    Check::BinaryModified,
                    format!(
                        "`{}` was modified after install: its sha256 is {actual}, the receipt says {}",
                        receipt.bin, receipt.bin_sha256
                    ),
                    Some(format!("find out what changed it, then {reinstall}")),
                ));
            }
            Err(e) if !bin.exists() => {
                tracing::debug!(error = %e, "binary missing");
                info.binary = BinaryState::Missing;
                findings.push((
                    Check::BinaryMissing,
                    format!("`{}` named by the receipt is missing", bin.display()),
                    Some(reinstall.clone()),
                ));
            }
            Err(e) => {
                info.binary = BinaryState::Unknown;
                findings.push((
                    Check::BinaryMissing,
                    format!(
                        "cannot read the binary: {}",
                        Failure::from_error(&e).message()
                    ),
                    Some(reinstall.clone()),
                ));
            }
        }
        if receipt.verified_by.is_empty() {
            findings.push((
                Check::UnverifiedInstall,
                format!(
                    "installed without verification (`verify = \"none\"`): no checksums file or digest vouched for `{}`",
                    receipt.asset
                ),
                Some("publish a checksums file with the origin's releases, then reinstall without `verify = \"none\"`".to_owned()),
            ));
        }
        InstallCheck {
            info: Some(info),
            receipt: Some(receipt),
            findings,
        }
    }

    /// The install directory: from `mise where`, or from mise's installs directory when mise
    /// cannot be run. `Err` says why the tool counts as not installed.
    fn locate(
        &self,
        address: &ToolAddress,
        requirement: &ToolRequirement,
    ) -> Result<Located, String> {
        let tool = format!("{BACKEND_PREFIX}{address}");
        match self.mise_where(&tool) {
            MiseAnswer::Installed(path) => {
                return Ok(Located {
                    path,
                    found_by: FoundBy::Mise,
                });
            }
            MiseAnswer::NotInstalled(why) => {
                return Err(format!(
                    "`{address}` is not installed (`mise where {tool}`: {why})"
                ));
            }
            MiseAnswer::Unavailable(why) => {
                tracing::debug!("not asking mise: {why}");
            }
        }
        let Some(installs) = self.installs_dir(address) else {
            return Err(format!(
                "`{address}` is not installed (mise could not be run, and neither MISE_DATA_DIR nor HOME locates mise's installs)"
            ));
        };
        let constraint = requirement.constraint().ok();
        let mut versions: Vec<(Option<semver::Version>, PathBuf)> = fs::read_dir(&installs)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| {
                let version = parse_version(&e.file_name().to_string_lossy());
                (version, e.path())
            })
            .collect();
        // Highest first; versions the constraint accepts before the others.
        versions.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
        let accepted = |v: &Option<semver::Version>| match (&constraint, v) {
            (Some(req), Some(v)) => req.matches(v),
            _ => true,
        };
        let pick = versions
            .iter()
            .find(|(v, _)| accepted(v))
            .or_else(|| versions.first());
        match pick {
            Some((_, path)) => Ok(Located {
                path: path.clone(),
                found_by: FoundBy::InstallsDir,
            }),
            None => Err(format!(
                "`{address}` is not installed (nothing in `{}`; mise could not be asked)",
                installs.display()
            )),
        }
    }

    /// `$MISE_DATA_DIR/installs/skillrig-<kebab address>`, as mise names a backend tool's
    /// install directory.
    fn installs_dir(&self, address: &ToolAddress) -> Option<PathBuf> {
        let env = self.session.env();
        let absolute = |name: &str| {
            env.var_os(name)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
        };
        let data = absolute(ENV_MISE_DATA_DIR)
            .or_else(|| absolute("XDG_DATA_HOME").map(|d| d.join("mise")))
            .or_else(|| absolute("HOME").map(|h| h.join(".local/share/mise")))?;
        let kebab: String = address
            .to_string()
            .chars()
            .map(|c| if c == '/' || c == ':' { '-' } else { c })
            .collect();
        Some(data.join("installs").join(format!("skillrig-{kebab}")))
    }

    /// Asks `mise where <tool>` in the project directory.
    fn mise_where(&self, tool: &str) -> MiseAnswer {
        let env = self.session.env();
        let program = match env.var_os(ENV_MISE_BIN).filter(|v| !v.is_empty()) {
            Some(explicit) => PathBuf::from(explicit),
            None => match find_on_path(env.var_os("PATH"), "mise") {
                Some(found) => found,
                None => return MiseAnswer::Unavailable("no `mise` on PATH".to_owned()),
            },
        };
        let mut cmd = Command::new(&program);
        cmd.args(["where", tool])
            .current_dir(self.project_dir)
            .stdin(Stdio::null());
        match run_with_timeout(cmd, MISE_TIMEOUT) {
            Err(e) => MiseAnswer::Unavailable(format!("{}: {e}", program.display())),
            Ok(None) => MiseAnswer::Unavailable(format!(
                "`{} where` took longer than {}s",
                program.display(),
                MISE_TIMEOUT.as_secs()
            )),
            Ok(Some(ran)) => {
                let path = String::from_utf8_lossy(&ran.stdout).trim().to_owned();
                if ran.status.success() && !path.is_empty() && Path::new(&path).is_dir() {
                    MiseAnswer::Installed(PathBuf::from(path))
                } else {
                    let why = String::from_utf8_lossy(&ran.stderr)
                        .lines()
                        .map(str::trim)
                        .find(|l| !l.is_empty())
                        .map_or_else(|| "no install".to_owned(), |l| l.to_owned());
                    MiseAnswer::NotInstalled(why)
                }
            }
        }
    }

    /// Binds the install's release to the skill's lock entry.
    fn provenance(
        &self,
        skill: &str,
        entry: &origin_meta::LockedSkill,
        address: &ToolAddress,
        receipt: &Receipt,
        reinstall: &str,
        findings: &mut Vec<Finding>,
    ) -> Option<Provenance> {
        let locked_commit = entry.commit.trim();
        let locked_tree = entry.tree_sha.trim();
        if !is_object_id(locked_commit) || !is_object_id(locked_tree) {
            findings.push(self.finding(
                Check::LockIncomplete,
                format!(
                    "skill `{skill}`'s lock entry has no usable `commit` and `treeSha` (commit `{locked_commit}`, treeSha `{locked_tree}`)"
                ),
                Some("re-add the skill with `skillrig add`, which records both".to_owned()),
            ));
            return None;
        }
        let (owner, repo) = (address.owner(), address.repo());
        let recorded = receipt
            .release_commit
            .as_deref()
            .map(str::trim)
            .filter(|c| is_object_id(c))
            .map(str::to_owned);
        let skill_path = format!("skills/{skill}");
        let answer = self.session.with_client(address.host(), |gh| {
            let (commit, from) = match &recorded {
                Some(commit) => (commit.clone(), CommitFrom::Receipt),
                None => (gh.tag_commit(owner, repo, &receipt.tag)?, CommitFrom::Tag),
            };
            let comparison = gh.compare(owner, repo, &commit, locked_commit)?;
            let tree = gh.tree_sha(owner, repo, &commit, &skill_path)?;
            Ok((commit, from, comparison, tree))
        });
        let (release_commit, commit_from, comparison, release_tree) = match answer {
            Ok(found) => found,
            Err(failure) => {
                let hints = failure.hints();
                findings.push(self.finding(
                    Check::ProvenanceUnavailable,
                    format!(
                        "cannot check where release `{}` of `{address}` came from: {}",
                        receipt.tag,
                        failure.message()
                    ),
                    (!hints.is_empty()).then(|| hints.join("; ")),
                ));
                return None;
            }
        };
        let relation = match comparison.status {
            CompareStatus::Identical => Relation::Same,
            CompareStatus::Ahead => Relation::ReleaseIsAncestor,
            CompareStatus::Behind => Relation::ReleaseIsDescendant,
            CompareStatus::Diverged => Relation::Diverged,
            CompareStatus::Unrelated => Relation::Unrelated,
        };
        let tree = match &release_tree {
            None => TreeMatch::Absent,
            Some(t) if t.eq_ignore_ascii_case(locked_tree) => TreeMatch::Equal,
            Some(_) => TreeMatch::Differs,
        };
        let tag = &receipt.tag;
        let (rc, lc) = (short(&release_commit), short(locked_commit));
        match relation {
            Relation::Unrelated => findings.push(self.finding(
                Check::UnrelatedCommit,
                format!(
                    "release `{tag}` (commit {rc}) shares no history with skill `{skill}`'s locked commit {lc}: the binary was not built from the history the skill came from"
                ),
                Some(format!(
                    "install a release cut from the origin's history ({reinstall} with another version), or check where tag `{tag}` came from"
                )),
            )),
            Relation::Diverged => findings.push(self.finding(
                Check::DivergedCommit,
                format!(
                    "release `{tag}` (commit {rc}) was cut from a branch that diverged from skill `{skill}`'s locked commit {lc} (merge base {}; {} commit(s) only in the lock, {} only in the release)",
                    comparison.merge_base.as_deref().map_or("?", short),
                    comparison.ahead_by,
                    comparison.behind_by
                ),
                Some("use a release cut from the locked history, or re-add the skill from the branch the release came from".to_owned()),
            )),
            _ => {}
        }
        match tree {
            TreeMatch::Differs if relation == Relation::Same => findings.push(self.finding(
                Check::LockInconsistent,
                format!(
                    "release `{tag}` was cut from the locked commit {lc}, but `{skill_path}` there is tree {}, not the locked treeSha {}",
                    short(release_tree.as_deref().unwrap_or_default()),
                    short(locked_tree)
                ),
                Some("the lock does not match its own commit: run `skillrig verify`, then re-add the skill with `skillrig add`".to_owned()),
            )),
            TreeMatch::Differs => findings.push(self.finding(
                Check::TreeDiffers,
                format!(
                    "skill `{skill}` changed between release `{tag}` and the locked commit (tree {} at the release, {} locked)",
                    short(release_tree.as_deref().unwrap_or_default()),
                    short(locked_tree)
                ),
                Some("expected when the skill was edited after this release; a release cut after the edit binds them exactly (`--strict` requires that)".to_owned()),
            )),
            TreeMatch::Absent => findings.push(self.finding(
                Check::SkillAbsentAtRelease,
                format!("`{skill_path}` does not exist at release `{tag}` (commit {rc})"),
                Some("the release predates the skill; a release cut after the skill was added binds them exactly".to_owned()),
            )),
            TreeMatch::Equal => {}
        }
        Some(Provenance {
            release_tag: tag.clone(),
            release_commit,
            commit_from,
            locked_commit: locked_commit.to_owned(),
            relation,
            comparison,
            release_tree,
            locked_tree: locked_tree.to_owned(),
            tree,
        })
    }
}

/// Where an install was found.
struct Located {
    path: PathBuf,
    found_by: FoundBy,
}

/// What `mise where` said.
enum MiseAnswer {
    /// Exit 0 and an existing directory.
    Installed(PathBuf),
    /// mise ran and knows no install (its first stderr line).
    NotInstalled(String),
    /// mise could not be run.
    Unavailable(String),
}

/// `mise install --force skillrig:<address>@<version>` (or `mise install` without a version).
fn reinstall_hint(address: &ToolAddress, info: Option<&InstallInfo>) -> String {
    match info.and_then(|i| i.version.as_deref()) {
        Some(version) => {
            format!("reinstall: `mise install --force {BACKEND_PREFIX}{address}@{version}`")
        }
        None => format!("reinstall: `mise install --force {BACKEND_PREFIX}{address}`"),
    }
}

/// Why a receipt does not belong to `address`, if it does not.
fn receipt_mismatch(receipt: &Receipt, address: &ToolAddress) -> Option<String> {
    let origin = format!("{}/{}", address.owner(), address.repo());
    let tool_ok = receipt.tool.eq_ignore_ascii_case(&address.to_string())
        || receipt.tool.eq_ignore_ascii_case(address.bin());
    if !receipt.origin.eq_ignore_ascii_case(&origin)
        || !receipt.host.eq_ignore_ascii_case(address.host().as_str())
        || !tool_ok
    {
        return Some(format!(
            "the receipt is for `{}` from {}/{}, not `{address}`",
            receipt.tool, receipt.host, receipt.origin
        ));
    }
    let bin = Path::new(&receipt.bin);
    let inside = bin.components().any(|c| matches!(c, Component::Normal(_)))
        && bin
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    (!inside).then(|| {
        format!(
            "the receipt names `{}`, which is outside the install",
            receipt.bin
        )
    })
}

/// A version string as SemVer (a leading `v` allowed).
fn parse_version(text: &str) -> Option<semver::Version> {
    let text = text.trim();
    semver::Version::parse(text.strip_prefix(['v', 'V']).unwrap_or(text)).ok()
}

/// Returns true if and only if `id` is a full git object id (SHA-1 or SHA-256 hex).
fn is_object_id(id: &str) -> bool {
    matches!(id.len(), 40 | 64) && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The first executable file called `name` in a `PATH` value.
fn find_on_path(path: Option<std::ffi::OsString>, name: &str) -> Option<PathBuf> {
    std::env::split_paths(&path?)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// What a finished command printed.
struct Ran {
    status: std::process::ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs `cmd` to completion, or returns `None` once it has run longer than `timeout` (it is
/// then killed). Output is drained on threads so a chatty child cannot block on a full pipe;
/// after a timeout those threads are left to finish on their own, since a grandchild may still
/// hold the pipes open.
fn run_with_timeout(mut cmd: Command, timeout: Duration) -> io::Result<Option<Ran>> {
    fn drain<R: io::Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            buf
        })
    }
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() >= timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ok(Some(Ran {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictness_only_raises_warnings() {
        let warnings = [
            Check::TreeDiffers,
            Check::SkillAbsentAtRelease,
            Check::UnverifiedInstall,
            Check::ConstraintUnsatisfied,
            Check::ConstraintInvalid,
        ];
        for check in warnings {
            assert_eq!(check.default_severity(), Severity::Warning, "{check:?}");
        }
        for check in [
            Check::NotInstalled,
            Check::BinaryModified,
            Check::UnrelatedCommit,
            Check::DivergedCommit,
            Check::ProvenanceUnavailable,
        ] {
            assert_eq!(check.default_severity(), Severity::Failure, "{check:?}");
        }
        // JSON names and text names agree.
        let all = [
            Check::SkillUnreadable,
            Check::NotInstalled,
            Check::NoReceipt,
            Check::ReceiptUnreadable,
            Check::ReceiptMismatch,
            Check::BinaryMissing,
            Check::BinaryModified,
            Check::UnverifiedInstall,
            Check::ConstraintUnsatisfied,
            Check::ConstraintInvalid,
            Check::LockIncomplete,
            Check::ProvenanceUnavailable,
            Check::UnrelatedCommit,
            Check::DivergedCommit,
            Check::LockInconsistent,
            Check::TreeDiffers,
            Check::SkillAbsentAtRelease,
        ];
        for check in all {
            assert_eq!(
                serde_json::to_value(check).unwrap(),
                serde_json::Value::from(check.name())
            );
        }
    }

    #[test]
    fn receipts_must_name_this_tool_and_a_binary_inside_the_install() {
        let address = ToolAddress::parse("acme/tools/jira", None).unwrap();
        let receipt = |origin: &str, tool: &str, bin: &str| Receipt {
            schema: 1,
            origin: origin.into(),
            host: "github.com".into(),
            tool: tool.into(),
            version: "1.0.0".into(),
            tag: "1.0.0+jira".into(),
            release_commit: None,
            asset: "a.tar.gz".into(),
            asset_sha256: "0".repeat(64),
            bin: bin.into(),
            bin_sha256: "0".repeat(64),
            verified_by: Vec::new(),
            installed_at: "2026-01-01T00:00:00Z".into(),
        };
        assert_eq!(
            receipt_mismatch(
                &receipt("acme/tools", "acme/tools/jira", "bin/jira"),
                &address
            ),
            None
        );
        assert_eq!(
            receipt_mismatch(&receipt("Acme/Tools", "jira", "bin/jira"), &address),
            None
        );
        assert!(
            receipt_mismatch(
                &receipt("evil/tools", "acme/tools/jira", "bin/jira"),
                &address
            )
            .is_some()
        );
        assert!(
            receipt_mismatch(
                &receipt("acme/tools", "acme/tools/tfc", "bin/jira"),
                &address
            )
            .is_some()
        );
        for bad in ["../../usr/bin/true", "/usr/bin/true", ""] {
            assert!(
                receipt_mismatch(&receipt("acme/tools", "jira", bad), &address).is_some(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_timed_out_command_is_killed() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "sleep 30"]);
        assert!(
            run_with_timeout(cmd, Duration::from_millis(100))
                .unwrap()
                .is_none()
        );
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let ran = run_with_timeout(cmd, Duration::from_secs(10))
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                ran.status.code(),
                ran.stdout.as_slice(),
                ran.stderr.as_slice()
            ),
            (Some(3), &b"out\n"[..], &b"err\n"[..])
        );
    }

    #[test]
    fn path_search_finds_executables_only() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("mise");
        fs::write(&plain, "#!/bin/sh\n").unwrap();
        let path = Some(dir.path().as_os_str().to_owned());
        assert_eq!(find_on_path(path.clone(), "mise"), None, "not executable");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            fs::set_permissions(&plain, fs::Permissions::from_mode(0o755)).unwrap();
            assert_eq!(find_on_path(path, "mise"), Some(plain));
        }
        assert_eq!(find_on_path(Some("relative/dir".into()), "mise"), None);
    }
}
