//! GitHub's git endpoints for git-backed repositories, answered by asking `git`.
//!
//! | endpoint | answer (API version 2022-11-28 shapes, fields we and common clients read) |
//! |---|---|
//! | `GET /repos/{o}/{r}/git/ref/tags/{tag}` | `{ref, object: {type: "commit" \| "tag", sha}}`; 404 if no such tag |
//! | `GET /repos/{o}/{r}/git/tags/{sha}` | an annotated tag: `{sha, tag, message, object: {type, sha}}`; 404 otherwise |
//! | `GET /repos/{o}/{r}/commits/{ref}` | `{sha, commit: {tree: {sha}, message}, parents: [{sha}]}`; 422 `No commit found for SHA: …` |
//! | `GET /repos/{o}/{r}/compare/{base}...{head}` | `{status, ahead_by, behind_by, total_commits, merge_base_commit, base_commit, commits}`; 404 `No common ancestor between …` for unrelated histories |
//! | `GET /repos/{o}/{r}/git/trees/{sha}[?recursive=1]` | `{sha, tree: [{path, mode, type, sha, size?}], truncated: false}` (a commit id gives its tree) |
//!
//! `status` is `identical`, `ahead` (head contains base), `behind` (base contains head) or
//! `diverged`, from `git merge-base` and `git rev-list --count` in both directions.

use serde_json::{Value, json};

use super::Ctx;
use crate::git::GitRepo;
use crate::http::Response;
use crate::model::Repo;

fn api(ctx: &Ctx<'_>, repo: &Repo) -> String {
    format!("{}/repos/{}/{}", ctx.base, repo.owner, repo.name)
}

/// `GET /git/ref/tags/{tag}`.
pub(crate) fn tag_ref(ctx: &Ctx<'_>, repo: &Repo, git: &GitRepo, tag: &str) -> Response {
    let Some((kind, sha)) = git.tag_ref(tag) else {
        return Response::message(404, "Not Found");
    };
    let api = api(ctx, repo);
    let url = if kind == "tag" {
        format!("{api}/git/tags/{sha}")
    } else {
        format!("{api}/git/commits/{sha}")
    };
    ctx.json_ok(&json!({
        "ref": format!("refs/tags/{tag}"),
        "node_id": format!("REF_{}", &sha[..8]),
        "url": format!("{api}/git/refs/tags/{tag}"),
        "object": {"type": kind, "sha": sha, "url": url},
    }))
}

/// `GET /git/tags/{sha}`: an annotated tag object.
pub(crate) fn tag_object(ctx: &Ctx<'_>, repo: &Repo, git: &GitRepo, sha: &str) -> Response {
    let Some(tag) = git.tag_object(sha) else {
        return Response::message(404, "Not Found");
    };
    let api = api(ctx, repo);
    let object_url = match tag.object_type.as_str() {
        "tag" => format!("{api}/git/tags/{}", tag.object_sha),
        _ => format!("{api}/git/commits/{}", tag.object_sha),
    };
    ctx.json_ok(&json!({
        "node_id": format!("TAG_{}", &tag.sha[..8]),
        "sha": tag.sha,
        "url": format!("{api}/git/tags/{}", tag.sha),
        "tag": tag.name,
        "message": tag.message,
        "tagger": {"name": "Testkit", "email": "testkit@example.invalid"},
        "object": {"type": tag.object_type, "sha": tag.object_sha, "url": object_url},
        "verification": {"verified": false, "reason": "unsigned", "signature": null, "payload": null},
    }))
}

/// `GET /commits/{ref}`.
pub(crate) fn commit(ctx: &Ctx<'_>, repo: &Repo, git: &GitRepo, rev: &str) -> Response {
    let Some(sha) = git.commit(rev) else {
        return Response::message(422, &format!("No commit found for SHA: {rev}"));
    };
    match commit_json(ctx, repo, git, &sha) {
        Some(body) => ctx.json_ok(&body),
        None => Response::message(422, &format!("No commit found for SHA: {rev}")),
    }
}

fn commit_json(ctx: &Ctx<'_>, repo: &Repo, git: &GitRepo, sha: &str) -> Option<Value> {
    let (tree, parents, message) = git.commit_info(sha)?;
    let api = api(ctx, repo);
    let parents: Vec<Value> = parents
        .iter()
        .map(|p| json!({"sha": p, "url": format!("{api}/commits/{p}")}))
        .collect();
    Some(json!({
        "sha": sha,
        "node_id": format!("C_{}", &sha[..8]),
        "url": format!("{api}/commits/{sha}"),
        "commit": {
            "message": message.trim_end(),
            "tree": {"sha": tree, "url": format!("{api}/git/trees/{tree}")},
            "author": {"name": "Testkit", "email": "testkit@example.invalid"},
            "committer": {"name": "Testkit", "email": "testkit@example.invalid"},
        },
        "parents": parents,
    }))
}

/// `GET /compare/{base}...{head}`.
pub(crate) fn compare(ctx: &Ctx<'_>, repo: &Repo, git: &GitRepo, basehead: &str) -> Response {
    let Some((base_rev, head_rev)) = basehead.split_once("...") else {
        return Response::message(404, "Not Found");
    };
    let (Some(base), Some(head)) = (git.commit(base_rev), git.commit(head_rev)) else {
        return Response::message(404, "Not Found");
    };
    let Some(merge_base) = git.merge_base(&base, &head) else {
        return Response::message(
            404,
            &format!("No common ancestor between {base_rev} and {head_rev}."),
        );
    };
    let (Some(ahead_by), Some(behind_by)) = (git.count(&base, &head), git.count(&head, &base))
    else {
        return Response::message(500, "git rev-list failed");
    };
    let status = match (ahead_by, behind_by) {
        (0, 0) => "identical",
        (_, 0) => "ahead",
        (0, _) => "behind",
        _ => "diverged",
    };
    let commits: Vec<Value> = git
        .commits_between(&base, &head)
        .iter()
        .take(250)
        .filter_map(|c| commit_json(ctx, repo, git, c))
        .collect();
    let api = api(ctx, repo);
    ctx.json_ok(&json!({
        "url": format!("{api}/compare/{basehead}"),
        "status": status,
        "ahead_by": ahead_by,
        "behind_by": behind_by,
        "total_commits": ahead_by,
        "base_commit": commit_json(ctx, repo, git, &base),
        "merge_base_commit": commit_json(ctx, repo, git, &merge_base),
        "commits": commits,
        "files": [],
    }))
}

/// `GET /git/trees/{sha}[?recursive=1]`.
pub(crate) fn tree(ctx: &Ctx<'_>, repo: &Repo, git: &GitRepo, rev: &str) -> Response {
    let Some(sha) = git.rev_parse(&format!("{rev}^{{tree}}")) else {
        return Response::message(404, "Not Found");
    };
    let recursive = ctx
        .req_query("recursive")
        .is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    let Some(entries) = git.ls_tree(&sha, recursive) else {
        return Response::message(404, "Not Found");
    };
    let api = api(ctx, repo);
    let tree: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut entry = json!({
                "path": e.path,
                "mode": e.mode,
                "type": e.kind,
                "sha": e.sha,
            });
            match e.kind.as_str() {
                "blob" => {
                    entry["size"] = json!(e.size);
                    entry["url"] = json!(format!("{api}/git/blobs/{}", e.sha));
                }
                "tree" => entry["url"] = json!(format!("{api}/git/trees/{}", e.sha)),
                _ => {}
            }
            entry
        })
        .collect();
    ctx.json_ok(&json!({
        "sha": sha,
        "url": format!("{api}/git/trees/{sha}"),
        "tree": tree,
        "truncated": false,
    }))
}
