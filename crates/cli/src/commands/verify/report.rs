//! The verify report: checks, severities, findings, per-tool and per-skill results, and its
//! two renderings (text for people, JSON for CI; see the module docs of `verify`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use install::{AttestationStatus, Attestations, DigestSource};
use releases::Comparison;
use serde::Serialize;

use crate::report::EXIT_FAILURE;

/// The JSON schema version of [`VerifyReport`].
pub const REPORT_SCHEMA: u32 = 1;

/// What one check found. Serialized in kebab case (`binary-modified`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The vendored `SKILL.md` is missing or unreadable, so its requirements are unknown.
    SkillUnreadable,
    /// A requirement the origin serves is malformed (an address as `tool`, a bad constraint).
    RequirementInvalid,
    /// The tool is not installed (mise knows no install of it, or no install dir exists).
    NotInstalled,
    /// The install has no receipt, so nothing vouches for it.
    NoReceipt,
    /// The receipt cannot be read (corrupt, or a newer schema).
    ReceiptUnreadable,
    /// The receipt describes another tool or origin, or names a binary outside the install.
    ReceiptMismatch,
    /// Another tool is installed in this tool's directory: mise names both directories the
    /// same, so one runs the other's binary.
    ToolCollision,
    /// The binary named by the receipt is gone.
    BinaryMissing,
    /// The binary no longer hashes to the receipt's `bin_sha256`.
    BinaryModified,
    /// The download was not verified at install time (`verify = "none"`).
    UnverifiedInstall,
    /// The installed version is outside the skill's constraint.
    ConstraintUnsatisfied,
    /// The lock entry lacks a `commit` or `treeSha`.
    LockIncomplete,
    /// The provenance could not be established (network, access, rate limit).
    ProvenanceUnavailable,
    /// The installed asset is not the one the project's tools lock records.
    LockDrift,
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
    /// Every check, in report order.
    pub const ALL: &'static [Check] = &[
        Check::SkillUnreadable,
        Check::RequirementInvalid,
        Check::NotInstalled,
        Check::NoReceipt,
        Check::ReceiptUnreadable,
        Check::ReceiptMismatch,
        Check::ToolCollision,
        Check::BinaryMissing,
        Check::BinaryModified,
        Check::UnverifiedInstall,
        Check::ConstraintUnsatisfied,
        Check::LockDrift,
        Check::LockIncomplete,
        Check::ProvenanceUnavailable,
        Check::UnrelatedCommit,
        Check::DivergedCommit,
        Check::LockInconsistent,
        Check::TreeDiffers,
        Check::SkillAbsentAtRelease,
    ];

    /// The severity by default; `--strict` turns every [`Severity::Warning`] into a failure.
    ///
    /// Warnings are what a monorepo does all the time without breaking the binding: a skill
    /// edited after the release, a release that predates the skill, an install the user chose
    /// to leave unverified. Everything else means the binary is not what the skills were
    /// locked to, or could not be shown to be.
    pub fn default_severity(self) -> Severity {
        match self {
            Check::TreeDiffers | Check::SkillAbsentAtRelease | Check::UnverifiedInstall => {
                Severity::Warning
            }
            Check::SkillUnreadable
            | Check::RequirementInvalid
            | Check::NotInstalled
            | Check::NoReceipt
            | Check::ReceiptUnreadable
            | Check::ReceiptMismatch
            | Check::ToolCollision
            | Check::BinaryMissing
            | Check::BinaryModified
            | Check::ConstraintUnsatisfied
            | Check::LockDrift
            | Check::LockIncomplete
            | Check::ProvenanceUnavailable
            | Check::UnrelatedCommit
            | Check::DivergedCommit
            | Check::LockInconsistent => Severity::Failure,
        }
    }

    /// The check's name in reports (the JSON serialization, kebab case).
    pub fn name(self) -> &'static str {
        match self {
            Check::SkillUnreadable => "skill-unreadable",
            Check::RequirementInvalid => "requirement-invalid",
            Check::NotInstalled => "not-installed",
            Check::NoReceipt => "no-receipt",
            Check::ReceiptUnreadable => "receipt-unreadable",
            Check::ReceiptMismatch => "receipt-mismatch",
            Check::ToolCollision => "tool-collision",
            Check::BinaryMissing => "binary-missing",
            Check::BinaryModified => "binary-modified",
            Check::UnverifiedInstall => "unverified-install",
            Check::ConstraintUnsatisfied => "constraint-unsatisfied",
            Check::LockDrift => "lock-drift",
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
    /// What the GitHub attestations check found at install time, from the receipt (`None`:
    /// no receipt, or one written before attestations were checked).
    pub attestations: Option<Attestations>,
}

/// Where the release commit came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommitFrom {
    /// The tag's commit as GitHub's release attestation signed it, verified at install time
    /// and recorded in the receipt.
    Attestation,
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
        let _ = writeln!(
            out,
            "{pad}attestations: {}",
            attestations_line(install.attestations.as_ref())
        );
    }
    if let Some(p) = &tool.provenance {
        let from = match p.commit_from {
            CommitFrom::Attestation => "commit GitHub's release attestation names",
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

/// What the attestations check found at install time, on one line.
fn attestations_line(found: Option<&Attestations>) -> String {
    let Some(found) = found else {
        return "not recorded (installed by an earlier skillrig-mise)".to_owned();
    };
    let policy = &found.policy;
    let reason = found
        .reason
        .as_deref()
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    match found.status {
        AttestationStatus::Verified => {
            let each: Vec<String> = found
                .verified
                .iter()
                .map(|a| {
                    let mut line = format!("{} signed by {}", a.kind, a.signer);
                    if let Some(at) = &a.signed_at {
                        let _ = write!(line, " at {at}");
                    }
                    if let Some(commit) = &a.tag_commit {
                        let _ = write!(line, ", tag commit {}", short(commit));
                    }
                    line
                })
                .collect();
            format!("verified at install ({policy}): {}", each.join("; "))
        }
        AttestationStatus::Absent => format!("none published ({policy})"),
        AttestationStatus::Unavailable => {
            format!("could not be fetched at install ({policy}){reason}")
        }
        AttestationStatus::NotChecked => format!("not checked ({policy}){reason}"),
        AttestationStatus::Unknown => format!("recorded by a newer skillrig-mise ({policy})"),
    }
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

pub(super) fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_are_the_json_names_and_every_check_is_listed() {
        for check in Check::ALL {
            assert_eq!(
                serde_json::to_value(check).unwrap(),
                serde_json::Value::from(check.name())
            );
        }
        let names: std::collections::BTreeSet<_> = Check::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), Check::ALL.len());
    }
}
