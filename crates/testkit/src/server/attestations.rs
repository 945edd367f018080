//! GitHub's artifact attestations API for the fake: what a repository keeps
//! ([`crate::Attestation`]), `GET /repos/{o}/{r}/attestations/{subject_digest}`, and the storage
//! host's `bundle_url` downloads.
//!
//! | request | answer (API version 2022-11-28 shapes) |
//! |---|---|
//! | `GET /repos/{o}/{r}/attestations/sha256:<hex>[?per_page=&after=&predicate_type=]` | `{"attestations": [{"bundle": {…} \| null, "repository_id": N, "bundle_url": "…"}]}`, oldest first; `per_page` default 30, max 100; cursor pages (`Link: <…&after=…>; rel="next"`); 404 `Not Found` when no attestation has that subject |
//! | `GET <storage>/_attestations/{o}/{r}/{index}?X-Expires=&X-Signature=` | the bundle, snappy-compressed (raw block format), like GitHub's blob storage |
//!
//! `bundle` is `null` (only `bundle_url` is given) for repositories with
//! [`Repo::inline_bundles`] off, as newer API versions answer.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::Ctx;
use crate::http::{self, Response};
use crate::model::{Attestation, Repo};

/// `GET /repos/{o}/{r}/attestations/{digest}`.
pub(crate) fn list(ctx: &Ctx<'_>, repo: &Repo, digest: &str) -> Response {
    let digest = http::decode(digest);
    let predicate = ctx.req_query("predicate_type");
    let matching: Vec<(usize, &Attestation)> = repo
        .attestations
        .iter()
        .enumerate()
        .filter(|(_, a)| a.subjects.iter().any(|s| s.eq_ignore_ascii_case(&digest)))
        .filter(|(_, a)| predicate.as_ref().is_none_or(|p| &a.predicate_type == p))
        .collect();
    if matching.is_empty() {
        return Response::message(404, "Not Found");
    }
    let per_page: usize = ctx
        .req_query("per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let start = ctx
        .req_query("after")
        .and_then(|c| URL_SAFE_NO_PAD.decode(c).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("cursor:")?.parse::<usize>().ok())
        .unwrap_or(0);
    let page: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(per_page)
        .map(|(index, a)| {
            let bundle = if repo.inline_bundles {
                serde_json::from_slice(&a.bundle).unwrap_or(Value::Null)
            } else {
                Value::Null
            };
            json!({
                "bundle": bundle,
                "repository_id": repository_id(repo),
                "bundle_url": ctx.signed_bundle_url(repo, *index),
            })
        })
        .collect();
    let mut response = ctx.json_ok(&json!({"attestations": page}));
    let end = start + per_page;
    if end < matching.len() {
        let cursor = URL_SAFE_NO_PAD.encode(format!("cursor:{end}"));
        let mut query = format!("per_page={per_page}&after={cursor}");
        if let Some(p) = &predicate {
            query.push_str(&format!(
                "&predicate_type={}",
                percent_encoding::utf8_percent_encode(p, percent_encoding::NON_ALPHANUMERIC)
            ));
        }
        response = response.header(
            "Link",
            format!(
                "<{}/repos/{}/{}/attestations/{digest}?{query}>; rel=\"next\"",
                ctx.base, repo.owner, repo.name
            ),
        );
    }
    response
}

/// A stable made-up repository id.
fn repository_id(repo: &Repo) -> u64 {
    let hex = crate::model::sha256_hex(format!("{}/{}", repo.owner, repo.name).as_bytes());
    u64::from_str_radix(&hex[..12], 16).unwrap_or(1)
}

/// The storage host's bundle download: the bundle, snappy-compressed.
pub(crate) fn download(repo: &Repo, index: usize) -> Response {
    match repo.attestations.get(index) {
        Some(a) => Response::new(200)
            .header("Content-Type", "application/octet-stream")
            .body(
                snap::raw::Encoder::new()
                    .compress_vec(&a.bundle)
                    .expect("compress a bundle"),
            ),
        None => Response::new(404),
    }
}
