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
//!    `bin_sha256` ([`install::hash_file`]), which sources verified the download at install
//!    time (`verified_by`: checksums file, GitHub digest), and which GitHub attestations
//!    verified then (`attestations`: release attestation, build provenance);
//! 3. **provenance** — the release's commit (the tag commit of the release attestation
//!    verified at install, else the receipt's `release_commit`, else the tag's commit from the
//!    API) against the skill's locked `commit` (GitHub's compare API): the same
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
//!                                   {"kind": "github-digest"}],
//!                   "attestations": {"policy": "auto", "status": "verified", "verified": [
//!                     {"kind": "release",
//!                      "predicate_type": "https://in-toto.io/attestation/release/v0.2",
//!                      "signer": "https://dotcom.releases.github.com", "instance": "github",
//!                      "signed_at": "2026-07-30T09:12:44Z", "bundle_sha256": "<sha256>",
//!                      "tag_commit": "<sha>"}]}},
//!       "provenance": {"release_tag": "2.10.0+jira", "release_commit": "<sha>",
//!                      "commit_from": "attestation", "locked_commit": "<sha>",
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
//! `install.attestations` is the receipt's record of the attestations check (its `status`
//! is `verified`, `absent`, `unavailable` or `not-checked`, the fields are documented on
//! [`install::Receipt`]), `null` for receipts written before attestations were checked;
//! `commit_from` is `attestation` (the release attestation's tag commit), `receipt` or `tag`;
//! `relation` is `same`, `release-is-ancestor`, `release-is-descendant`, `diverged` or
//! `unrelated`; `tree` is `equal`, `differs` or `absent`.

mod installed;
mod provenance;
mod report;

use std::collections::BTreeMap;

use install::Receipt;
use origin_meta::{LockedSkill, ToolAddress, ToolRequirement, ToolsLock};

pub use report::*;

use crate::consumer::{Need, Project, Skill, TOOLS_LOCK_FILE};
use crate::report::Failure;
use crate::session::Session;
use installed::{parse_version, reinstall_hint};

/// How strict the check is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Turn every warning into a failure (see the module docs for which checks warn).
    pub strict: bool,
}

/// Verifies `project`.
///
/// # Errors
///
/// None of its own: opening the project already refused what is unusable (no lock, a
/// malformed lock, no GitHub origin). Everything found while checking is a [`Finding`] in the
/// report instead, so one unreachable tool never hides the others.
pub fn run(
    session: &Session,
    project: &Project,
    opts: VerifyOptions,
) -> Result<VerifyReport, Failure> {
    let mut ctx = Run {
        session,
        project,
        strict: opts.strict,
        installs: BTreeMap::new(),
        skipped: Vec::new(),
        tools_lock: read_tools_lock(project),
    };
    let skills: Vec<SkillReport> = project.skills().map(|skill| ctx.skill(skill)).collect();

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
        project: project.dir.clone(),
        origin: project.origin_text.clone(),
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
    project: &'a Project,
    strict: bool,
    /// Install checks by address: a tool required by several skills is looked up once.
    installs: BTreeMap<String, InstallCheck>,
    skipped: Vec<String>,
    /// The project's tools lock, if it has one (read once).
    tools_lock: Result<Option<ToolsLock>, Failure>,
}

/// What the install lookup and the receipt check found for one tool.
#[derive(Clone)]
struct InstallCheck {
    info: Option<InstallInfo>,
    receipt: Option<Receipt>,
    findings: Vec<(Check, String, Option<String>)>,
}

impl Run<'_> {
    /// A check's severity under the run's strictness.
    fn severity(check: Check, strict: bool) -> Severity {
        match check.default_severity() {
            Severity::Warning if strict => Severity::Failure,
            severity => severity,
        }
    }

    fn finding(&self, check: Check, message: String, hint: Option<String>) -> Finding {
        let severity = Run::severity(check, self.strict);
        Finding {
            check,
            severity,
            message,
            hint,
        }
    }

    /// A failure as a finding: its message, and its hints on one line.
    fn failure_finding(&self, check: Check, failure: &Failure) -> Finding {
        let hints = failure.hints();
        self.finding(
            check,
            failure.message().to_owned(),
            (!hints.is_empty()).then(|| hints.join("; ")),
        )
    }

    fn skill(&mut self, skill: Skill<'_>) -> SkillReport {
        let entry = skill.entry;
        let mut report = SkillReport {
            name: skill.name.to_owned(),
            commit: entry.commit.clone(),
            tree_sha: entry.tree_sha.clone(),
            findings: Vec::new(),
            tools: Vec::new(),
        };
        let manifest = match skill.manifest {
            Ok(m) => m,
            Err(failure) => {
                let finding = self.failure_finding(Check::SkillUnreadable, &failure);
                report.findings.push(finding);
                return report;
            }
        };
        let manifest_path = skill.manifest_path.unwrap_or_default();
        for requirement in &manifest.requires {
            match self.project.need(skill.name, requirement, &manifest_path) {
                Need::Served { address, .. } => {
                    let tool = self.tool(skill.name, entry, requirement, &address);
                    report.tools.push(tool);
                }
                Need::Skipped(why) => self.skipped.push(format!("{why}; not checked")),
                // The same entries wire refuses to write from: a failed check here.
                Need::Invalid(failure) => {
                    let finding = self.failure_finding(Check::RequirementInvalid, &failure);
                    report.findings.push(finding);
                }
            }
        }
        report
    }

    fn tool(
        &mut self,
        skill: &str,
        entry: &LockedSkill,
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
        if let Some(info) = &check.info
            && let Ok(Some(version)) = requirement.constraint().map(|req| {
                info.version
                    .as_deref()
                    .and_then(parse_version)
                    .filter(|v| !req.matches(v))
            })
        {
            findings.push(self.finding(
                Check::ConstraintUnsatisfied,
                format!(
                    "installed version {version} does not satisfy skill `{skill}`'s requirement `{}`",
                    requirement.version
                ),
                Some(
                    "run `skillrig-mise wire` (it pins a version the skills accept), then `mise install`"
                        .to_owned(),
                ),
            ));
        }

        if let Some(receipt) = &check.receipt
            && let Some(drift) = self.lock_drift(address, receipt)
        {
            findings.push(drift);
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
}

impl Run<'_> {
    /// The install against the project's tools lock: a locked version whose asset for this
    /// platform is not what was installed (or a lock that cannot be read) is a failure.
    fn lock_drift(&self, address: &ToolAddress, receipt: &Receipt) -> Option<Finding> {
        let lock = match &self.tools_lock {
            Ok(Some(lock)) => lock,
            Ok(None) => return None,
            Err(failure) => return Some(self.failure_finding(Check::LockDrift, failure)),
        };
        let key = crate::mise::tool_key(address);
        let entry = lock.entry(&key, &receipt.version)?;
        let platform = origin_meta::Platform::current();
        let relock = "if the new asset is intended, run `skillrig-mise lock` and review the change; otherwise reinstall (`mise install --force`)";
        let Some(locked) = entry.assets.get(&platform.key()) else {
            return Some(self.finding(
                Check::LockDrift,
                format!(
                    "{TOOLS_LOCK_FILE} locks {key}@{} without an asset for {platform}, but `{}` is installed",
                    receipt.version, receipt.asset
                ),
                Some(relock.to_owned()),
            ));
        };
        (locked.name != receipt.asset || !locked.sha256.eq_ignore_ascii_case(&receipt.asset_sha256))
            .then(|| {
                self.finding(
                    Check::LockDrift,
                    format!(
                        "the installed asset `{}` (sha256 {}) is not the one {TOOLS_LOCK_FILE} locks for {key}@{} on {platform}: `{}` (sha256 {})",
                        receipt.asset, receipt.asset_sha256, receipt.version, locked.name, locked.sha256
                    ),
                    Some(relock.to_owned()),
                )
            })
    }
}

/// The project's tools lock; `None` when it has none.
fn read_tools_lock(project: &Project) -> Result<Option<ToolsLock>, Failure> {
    let path = project.dir.join(TOOLS_LOCK_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => ToolsLock::parse(&bytes)
            .map(Some)
            .map_err(|e| Failure::from_error(&e).in_file(&path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::new(format!(
            "cannot read `{}`: {e}",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictness_only_raises_warnings() {
        for check in Check::ALL {
            let strict = Run::severity(*check, true);
            assert_eq!(strict, Severity::Failure, "{check:?} under --strict");
            let default = Run::severity(*check, false);
            assert_eq!(default, check.default_severity(), "{check:?}");
        }
    }
}
