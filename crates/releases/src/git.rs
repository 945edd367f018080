//! Provenance lookups through GitHub's git endpoints: which commit a release tag points at,
//! how two commits relate, and the tree id of a directory at a commit. `skillrig-mise verify`
//! uses them to bind an installed CLI's release to the skill commit a consumer locked.
//!
//! | method | requests |
//! |---|---|
//! | [`GitHub::release_commit`] | the tags listing (`GET /repos/{o}/{r}/tags`, cached, shared by every tool of the origin), then [`GitHub::tag_commit`] for a tag it lacks |
//! | [`GitHub::tag_commit`] | `GET /repos/{o}/{r}/git/ref/tags/{tag}`; for an annotated tag also `GET /git/tags/{sha}` (repeated for a tag of a tag, at most [`MAX_TAG_DEPTH`] times) |
//! | [`GitHub::compare`] | `GET /repos/{o}/{r}/compare/{base}...{head}`; on its 404, `GET /commits/{base}` and `GET /commits/{head}` to tell unrelated histories from a missing commit |
//! | [`GitHub::tree_sha`] | `GET /repos/{o}/{r}/commits/{commit}` for the root tree, then `GET /git/trees/{sha}` per path segment |
//!
//! Every answer goes through the on-disk cache like listings do (see [`crate::cache`]), stored
//! in a compact form. Commit, tree and comparison answers name content addresses, so a
//! revalidation is a free `304`; `--offline` works from the cache.
//!
//! # Unrelated histories
//!
//! GitHub answers a comparison of commits that share no history with
//! `404 {"message": "No common ancestor between … and …."}`, the same status as a missing
//! commit or repository. Rather than trusting the message text, [`GitHub::compare`] looks both
//! commits up after a 404: if both exist the histories are unrelated
//! ([`CompareStatus::Unrelated`]); otherwise the missing one is reported as
//! [`Error::NotFound`].

use serde::{Deserialize, Serialize};

use crate::client::{Ctx, GitHub, Pass};
use crate::error::Error;
use crate::url::{encode_path, encode_segment, redact};

/// `Accept` for JSON API responses.
const ACCEPT_JSON: &str = "application/vnd.github+json";

/// How many annotated tag objects [`GitHub::tag_commit`] follows before giving up (a tag of a
/// tag of a tag… is legal in git, and a loop is impossible, but a bound keeps a broken
/// server from keeping us busy).
pub const MAX_TAG_DEPTH: usize = 5;

/// How `head` relates to `base` in [`GitHub::compare`], in GitHub's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompareStatus {
    /// The same commit.
    Identical,
    /// `head` contains `base`: `base` is an ancestor of `head` (`ahead_by` commits later).
    Ahead,
    /// `base` contains `head`: `head` is an ancestor of `base` (`behind_by` commits earlier).
    Behind,
    /// Both have commits the other lacks; they share a merge base.
    Diverged,
    /// No common ancestor at all (GitHub's 404 "No common ancestor"; not a GitHub status).
    Unrelated,
}

impl std::fmt::Display for CompareStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CompareStatus::Identical => "identical",
            CompareStatus::Ahead => "ahead",
            CompareStatus::Behind => "behind",
            CompareStatus::Diverged => "diverged",
            CompareStatus::Unrelated => "unrelated",
        })
    }
}

/// The answer to [`GitHub::compare`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// How `head` relates to `base`.
    pub status: CompareStatus,
    /// Commits in `head` that `base` lacks (0 when unrelated).
    pub ahead_by: u64,
    /// Commits in `base` that `head` lacks (0 when unrelated).
    pub behind_by: u64,
    /// The best common ancestor; `None` when unrelated.
    pub merge_base: Option<String>,
}

/// `{type, sha}` of a ref's or tag object's target.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Target {
    #[serde(rename = "type")]
    kind: String,
    sha: String,
}

#[derive(Deserialize)]
struct WithObject {
    object: Target,
}

#[derive(Deserialize)]
struct WireCompare {
    status: String,
    #[serde(default)]
    ahead_by: u64,
    #[serde(default)]
    behind_by: u64,
    merge_base_commit: Option<WireSha>,
}

#[derive(Deserialize)]
struct WireSha {
    sha: String,
}

#[derive(Deserialize)]
struct WireCommit {
    sha: String,
    commit: WireCommitInner,
}

#[derive(Deserialize)]
struct WireCommitInner {
    tree: WireSha,
}

/// The compact commit we cache: its id and its root tree.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CommitTree {
    sha: String,
    tree: String,
}

#[derive(Deserialize)]
struct WireTree {
    tree: Vec<TreeEntry>,
}

/// One tree entry, as cached.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TreeEntry {
    path: String,
    #[serde(rename = "type")]
    kind: String,
    sha: String,
}

impl GitHub {
    /// The commit release tag `tag` points at, for callers that need it for several tools of
    /// one origin (the tools lock): the origin's tags listing first — one cached listing
    /// serves every tool — then, for a tag the listing lacks, [`GitHub::tag_commit`].
    ///
    /// # Errors
    ///
    /// As [`GitHub::tag_commit`].
    pub fn release_commit(&self, owner: &str, repo: &str, tag: &str) -> Result<String, Error> {
        match self.list_tags(owner, repo) {
            Ok(tags) => {
                if let Some(found) = tags.into_iter().find(|t| t.name == tag) {
                    return Ok(found.commit);
                }
            }
            Err(e) => tracing::debug!(error = %e, "tags listing unavailable; asking for the ref"),
        }
        self.tag_commit(owner, repo, tag)
    }

    /// The commit a release tag points at, dereferencing annotated tags.
    ///
    /// This is the commit the tag names *now*; a tag moved after an install points elsewhere,
    /// which is why installs record it in their receipt.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if the tag (or the repository) does not exist or cannot be seen;
    /// [`Error::InvalidResponse`] if the tag points at something other than a commit, the
    /// answer is malformed, or annotated tags nest deeper than [`MAX_TAG_DEPTH`]; otherwise as
    /// [`GitHub::list_releases`].
    pub fn tag_commit(&self, owner: &str, repo: &str, tag: &str) -> Result<String, Error> {
        let url = format!(
            "{}/git/ref/tags/{}",
            self.repo_url(owner, repo),
            encode_path(tag)
        );
        let what = format!("tag `{tag}` of {owner}/{repo}");
        let mut target = self.get_object(&url, &what, owner, repo)?;
        for _ in 0..MAX_TAG_DEPTH {
            match target.kind.as_str() {
                "commit" => return Ok(target.sha),
                "tag" => {
                    let url = format!("{}/git/tags/{}", self.repo_url(owner, repo), target.sha);
                    target = self.get_object(&url, &what, owner, repo)?;
                }
                other => {
                    return Err(invalid(
                        &url,
                        format!("{what} points at a {other}, not a commit"),
                    ));
                }
            }
        }
        Err(invalid(
            &url,
            format!("{what} is nested in more than {MAX_TAG_DEPTH} annotated tags"),
        ))
    }

    /// How `head` relates to `base` (commit ids, or any ref GitHub resolves).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] naming the commit that does not exist (or the repository);
    /// [`Error::InvalidResponse`] for an unknown `status`; otherwise as
    /// [`GitHub::list_releases`].
    pub fn compare(
        &self,
        owner: &str,
        repo: &str,
        base: &str,
        head: &str,
    ) -> Result<Comparison, Error> {
        let url = format!(
            "{}/compare/{}...{}",
            self.repo_url(owner, repo),
            encode_segment(base),
            encode_segment(head)
        );
        let ctx = self.ctx(
            format!("comparison {base}...{head} in {owner}/{repo}"),
            owner,
            repo,
        );
        let answer = self.inner.cached_get(
            &url,
            ACCEPT_JSON,
            &ctx,
            Pass::NotFound,
            &|body| {
                let wire: WireCompare = parse(&url, body, "a comparison")?;
                let status = match wire.status.as_str() {
                    "identical" => CompareStatus::Identical,
                    "ahead" => CompareStatus::Ahead,
                    "behind" => CompareStatus::Behind,
                    "diverged" => CompareStatus::Diverged,
                    other => {
                        return Err(invalid(
                            &url,
                            format!("unknown comparison status `{other}`"),
                        ));
                    }
                };
                let comparison = Comparison {
                    status,
                    ahead_by: wire.ahead_by,
                    behind_by: wire.behind_by,
                    merge_base: wire.merge_base_commit.map(|c| c.sha),
                };
                let stored = serde_json::to_vec(&comparison).unwrap_or_default();
                Ok((comparison, stored))
            },
            &|cached| serde_json::from_slice(cached).ok(),
        )?;
        if let Some(comparison) = answer.value {
            return Ok(comparison);
        }
        // 404: unrelated histories, or a commit (or the repository) that is not there.
        self.commit_tree(owner, repo, base)?;
        self.commit_tree(owner, repo, head)?;
        Ok(Comparison {
            status: CompareStatus::Unrelated,
            ahead_by: 0,
            behind_by: 0,
            merge_base: None,
        })
    }

    /// The git tree id of the directory `path` (`/`-separated, relative to the repository
    /// root; empty for the root) at `commit`: what skillrig records as a skill's `treeSha`.
    /// `Ok(None)` if the path does not exist at that commit or is not a directory.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if the commit (or the repository) does not exist;
    /// [`Error::InvalidResponse`] for a malformed answer; otherwise as
    /// [`GitHub::list_releases`].
    pub fn tree_sha(
        &self,
        owner: &str,
        repo: &str,
        commit: &str,
        path: &str,
    ) -> Result<Option<String>, Error> {
        let mut tree = self.commit_tree(owner, repo, commit)?.tree;
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            let entries = self.tree_entries(owner, repo, &tree)?;
            match entries.into_iter().find(|e| e.path == segment) {
                Some(entry) if entry.kind == "tree" => tree = entry.sha,
                _ => return Ok(None),
            }
        }
        Ok(Some(tree))
    }

    fn repo_url(&self, owner: &str, repo: &str) -> String {
        format!(
            "{}/repos/{}/{}",
            self.api_url(),
            encode_segment(owner),
            encode_segment(repo)
        )
    }

    fn ctx(&self, what: String, owner: &str, repo: &str) -> Ctx {
        Ctx {
            what,
            repo: Some(format!("{owner}/{repo}")),
            git_ref: None,
        }
    }

    /// A ref's or annotated tag's `object`.
    fn get_object(&self, url: &str, what: &str, owner: &str, repo: &str) -> Result<Target, Error> {
        let ctx = self.ctx(what.to_owned(), owner, repo);
        let answer = self.inner.cached_get(
            url,
            ACCEPT_JSON,
            &ctx,
            Pass::Success,
            &|body| {
                let wire: WithObject = parse(url, body, "a git ref or tag object")?;
                check_id(url, &wire.object.sha)?;
                let stored = serde_json::to_vec(&wire.object).unwrap_or_default();
                Ok((wire.object, stored))
            },
            &|cached| serde_json::from_slice(cached).ok(),
        )?;
        answer
            .value
            .ok_or_else(|| invalid(url, "no object in the answer".to_owned()))
    }

    /// A commit's id and root tree. GitHub answers an unknown commit with 422 ("No commit
    /// found for SHA"), reported here as [`Error::NotFound`].
    fn commit_tree(&self, owner: &str, repo: &str, rev: &str) -> Result<CommitTree, Error> {
        let url = format!(
            "{}/commits/{}",
            self.repo_url(owner, repo),
            encode_segment(rev)
        );
        let what = format!("commit `{rev}` in {owner}/{repo}");
        let ctx = self.ctx(what.clone(), owner, repo);
        let answer = self.inner.cached_get(
            &url,
            ACCEPT_JSON,
            &ctx,
            Pass::NotFound,
            &|body| {
                let wire: WireCommit = parse(&url, body, "a commit")?;
                check_id(&url, &wire.sha)?;
                check_id(&url, &wire.commit.tree.sha)?;
                let commit = CommitTree {
                    sha: wire.sha,
                    tree: wire.commit.tree.sha,
                };
                let stored = serde_json::to_vec(&commit).unwrap_or_default();
                Ok((commit, stored))
            },
            &|cached| serde_json::from_slice(cached).ok(),
        );
        let not_found = || Error::NotFound {
            host: self.host().to_string(),
            what: what.clone(),
            repo: Some(format!("{owner}/{repo}")),
            token_source: self.token_source().map(str::to_owned),
        };
        match answer {
            Ok(answer) => answer.value.ok_or_else(not_found),
            Err(Error::Http { status: 422, .. }) => Err(not_found()),
            Err(e) => Err(e),
        }
    }

    fn tree_entries(&self, owner: &str, repo: &str, tree: &str) -> Result<Vec<TreeEntry>, Error> {
        let url = format!("{}/git/trees/{tree}", self.repo_url(owner, repo));
        check_id(&url, tree)?;
        let ctx = self.ctx(format!("tree {tree} in {owner}/{repo}"), owner, repo);
        let answer = self.inner.cached_get(
            &url,
            ACCEPT_JSON,
            &ctx,
            Pass::Success,
            &|body| {
                let wire: WireTree = parse(&url, body, "a git tree")?;
                for entry in &wire.tree {
                    check_id(&url, &entry.sha)?;
                }
                let stored = serde_json::to_vec(&wire.tree).unwrap_or_default();
                Ok((wire.tree, stored))
            },
            &|cached| serde_json::from_slice(cached).ok(),
        )?;
        Ok(answer.value.unwrap_or_default())
    }
}

fn parse<T: serde::de::DeserializeOwned>(url: &str, body: &[u8], what: &str) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::InvalidResponse {
        url: redact(url),
        reason: format!("the body is not {what}"),
        source: Some(e),
    })
}

fn invalid(url: &str, reason: String) -> Error {
    Error::InvalidResponse {
        url: redact(url),
        reason,
        source: None,
    }
}

/// Object ids from an answer go into later URLs: accept only SHA-1 or SHA-256 hex.
fn check_id(url: &str, id: &str) -> Result<(), Error> {
    if is_object_id(id) {
        Ok(())
    } else {
        Err(invalid(
            url,
            "an object id is not 40 or 64 hex digits".to_owned(),
        ))
    }
}

/// Returns true if and only if `id` is a full git object id (SHA-1 or SHA-256, hex).
pub(crate) fn is_object_id(id: &str) -> bool {
    matches!(id.len(), 40 | 64) && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_are_full_hex() {
        assert!(is_object_id(&"a".repeat(40)));
        assert!(is_object_id(&"0F".repeat(32)));
        for bad in ["", "abc", &"g".repeat(40), &"a".repeat(41), "../../x"] {
            assert!(!is_object_id(bad), "{bad}");
        }
    }

    #[test]
    fn statuses_print_in_githubs_words() {
        let all = [
            (CompareStatus::Identical, "identical"),
            (CompareStatus::Ahead, "ahead"),
            (CompareStatus::Behind, "behind"),
            (CompareStatus::Diverged, "diverged"),
            (CompareStatus::Unrelated, "unrelated"),
        ];
        for (status, text) in all {
            assert_eq!(status.to_string(), text);
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{text}\"")
            );
        }
    }
}
