//! Binding an install's release to the skill's lock entry: the release commit against the
//! locked commit (GitHub's compare API) and the skill's tree at the release against the locked
//! `treeSha`.

use install::Receipt;
use origin_meta::ToolAddress;
use releases::CompareStatus;

use super::Run;
use super::report::{Check, CommitFrom, Finding, Provenance, Relation, TreeMatch, short};

impl Run<'_> {
    /// Binds the install's release to the skill's lock entry.
    pub(super) fn provenance(
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
        // GitHub's release attestation (verified at install) names the tag's commit; else the
        // commit the receipt recorded; else the tag's commit now, from the API.
        let attested = receipt
            .attestations
            .as_ref()
            .and_then(|a| a.tag_commit())
            .map(|c| (c, CommitFrom::Attestation));
        let recorded = attested
            .or_else(|| {
                receipt
                    .release_commit
                    .as_deref()
                    .map(|c| (c, CommitFrom::Receipt))
            })
            .map(|(c, from)| (c.trim(), from))
            .filter(|(c, _)| is_object_id(c))
            .map(|(c, from)| (c.to_owned(), from));
        let skill_path = format!("skills/{skill}");
        let answer = self.session.with_client(address.host(), |gh| {
            let (commit, from) = match &recorded {
                Some((commit, from)) => (commit.clone(), *from),
                None => (gh.tag_commit(owner, repo, &receipt.tag)?, CommitFrom::Tag),
            };
            let comparison = gh.compare(owner, repo, &commit, locked_commit)?;
            let tree = gh.tree_sha(owner, repo, &commit, &skill_path)?;
            Ok((commit, from, comparison, tree))
        });
        let (release_commit, commit_from, comparison, release_tree) = match answer {
            Ok(found) => found,
            Err(failure) => {
                // A 404 reads like "the token cannot see it"; if the origin's releases are
                // visible with the same token, it is the commit or tag that is missing.
                let visible = failure.message().contains("HTTP 404")
                    && self
                        .session
                        .with_client(address.host(), |gh| gh.list_releases(owner, repo))
                        .is_ok();
                let hint = if visible {
                    Some(format!(
                        "{owner}/{repo} is visible with this token, so the commit or tag is missing from it (deleted tag, force-pushed history?): check `{}` and the lock's commit {} on GitHub",
                        receipt.tag,
                        short(locked_commit)
                    ))
                } else {
                    let hints = failure.hints();
                    (!hints.is_empty()).then(|| hints.join("; "))
                };
                findings.push(self.finding(
                    Check::ProvenanceUnavailable,
                    format!(
                        "cannot check where release `{}` of `{address}` came from: {}",
                        receipt.tag,
                        failure.message()
                    ),
                    hint,
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

/// Returns true if and only if `id` is a full git object id (SHA-1 or SHA-256 hex).
pub(super) fn is_object_id(id: &str) -> bool {
    matches!(id.len(), 40 | 64) && id.bytes().all(|b| b.is_ascii_hexdigit())
}
