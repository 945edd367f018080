//! Artifact attestations for a release asset: `GET /repos/{o}/{r}/attestations/{digest}`,
//! the way `gh attestation verify --repo` fetches them. The bundles are returned unverified;
//! the `attest` crate judges them.
//!
//! # Requests
//!
//! `GET /repos/{owner}/{repo}/attestations/sha256:<hex>?per_page=100` with the client's usual
//! headers and token scoping (a fine-grained token needs `Attestations: read`). GitHub pages
//! with cursors (`Link: <…&after=…>; rel="next"`); the pages are followed to the end, at most
//! [`MAX_PAGES`] of them (gh's own limit is 1000 attestations). A 404 means none exist for
//! that digest (the repository itself was already read for its releases).
//!
//! Each item is `{"bundle": {…}, "repository_id": …, "bundle_url": "…"}`. With the pinned API
//! version (2022-11-28) `bundle` is inline; when it is `null`, `bundle_url` is fetched — a
//! storage URL (signed, like asset downloads), sent no token — and its body, snappy-compressed
//! JSON, is decompressed (at most [`MAX_BUNDLE_BYTES`]).
//!
//! # Cache
//!
//! One entry per page, holding the resolved bundles (so `bundle_url` is fetched once). An
//! answer that lists attestations stays fresh for [`POSITIVE_FRESHNESS`] (24 hours) instead
//! of the client's 60 s: the key is the asset's digest, attestations for it only accumulate,
//! and every bundle is verified again whenever it is used, so a cached list can only miss an
//! attestation added since (or still hold a deleted one, whose signature is no less valid).
//! "None" (a 404 or an empty list) gets the client's usual window, because a provenance
//! attestation may be uploaded shortly after a release. So a tool costs one request cold and
//! none warm; after the window, a conditional request (a free 304 on GitHub).

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::client::{Ctx, GitHub, Pass};
use crate::error::Error;
use crate::url::{Origin, encode_segment, is_loopback, redact};

/// `Accept` for JSON API responses.
const ACCEPT_JSON: &str = "application/vnd.github+json";
/// Pages followed at most (100 attestations each).
pub const MAX_PAGES: usize = 10;
/// Largest decompressed bundle accepted from a `bundle_url`.
pub const MAX_BUNDLE_BYTES: usize = 16 * 1024 * 1024;
/// How long an answer that lists attestations is used without asking again.
pub const POSITIVE_FRESHNESS: Duration = Duration::from_secs(24 * 60 * 60);

/// One attestation GitHub lists for a digest, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationBundle {
    /// The Sigstore bundle, JSON.
    pub bundle: Vec<u8>,
    /// GitHub's id of the repository it was stored in, when the answer had one.
    pub repository_id: Option<u64>,
}

impl AsRef<[u8]> for AttestationBundle {
    fn as_ref(&self) -> &[u8] {
        &self.bundle
    }
}

#[derive(Deserialize)]
struct WirePage {
    #[serde(default)]
    attestations: Vec<WireAttestation>,
}

#[derive(Deserialize)]
struct WireAttestation {
    #[serde(default)]
    bundle: Option<Value>,
    #[serde(default)]
    repository_id: Option<u64>,
    #[serde(default)]
    bundle_url: Option<String>,
}

/// What a page's cache entry holds: the bundles, resolved.
#[derive(serde::Serialize, Deserialize)]
struct Stored {
    bundle: Value,
    #[serde(default)]
    repository_id: Option<u64>,
}

impl GitHub {
    /// Every attestation `owner/repo` keeps for the subject `digest` (`sha256:<hex>`), in
    /// GitHub's order; empty if there is none.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidResponse`] for a malformed digest, page or bundle, or a `bundle_url`
    /// that is not https; [`Error::Forbidden`] when a fine-grained token lacks
    /// `Attestations: read`; otherwise as [`GitHub::list_releases`].
    pub fn attestations(
        &self,
        owner: &str,
        repo: &str,
        digest: &str,
    ) -> Result<Vec<AttestationBundle>, Error> {
        let inner = &self.inner;
        // The digest goes in as `sha256:<hex>` with a literal colon, as gh sends it (a colon
        // is allowed in a path segment); it is checked to be exactly that first.
        let first = format!(
            "{}/repos/{}/{}/attestations/{}?per_page=100",
            self.api_url(),
            encode_segment(owner),
            encode_segment(repo),
            digest
        );
        let valid = digest
            .strip_prefix("sha256:")
            .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
        if !valid {
            return Err(Error::InvalidResponse {
                url: redact(&first),
                reason: format!("`{digest}` is not a sha256:<hex> subject digest"),
                source: None,
            });
        }
        let ctx = Ctx {
            what: format!("attestations of {owner}/{repo} for {digest}"),
            repo: Some(format!("{owner}/{repo}")),
            git_ref: None,
        };
        let _guard = inner.lock(&first, ACCEPT_JSON);
        let mut url = first;
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let answer = inner.cached_get_fresh_for(
                &url,
                ACCEPT_JSON,
                &ctx,
                Pass::NotFound,
                &|body| {
                    let page: WirePage =
                        serde_json::from_slice(body).map_err(|e| Error::InvalidResponse {
                            url: redact(&url),
                            reason: "the body is not a list of attestations".to_owned(),
                            source: Some(e),
                        })?;
                    let resolved = page
                        .attestations
                        .into_iter()
                        .map(|a| self.resolve(a, &ctx))
                        .collect::<Result<Vec<Stored>, Error>>()?;
                    let compact = serde_json::to_vec(&resolved).unwrap_or_default();
                    Ok((resolved, compact))
                },
                &|cached| serde_json::from_slice::<Vec<Stored>>(cached).ok(),
                &|value| match value {
                    Some(items) if !items.is_empty() => POSITIVE_FRESHNESS,
                    _ => inner.freshness,
                },
            )?;
            all.extend(
                answer
                    .value
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| AttestationBundle {
                        bundle: serde_json::to_vec(&s.bundle).unwrap_or_default(),
                        repository_id: s.repository_id,
                    }),
            );
            let Some(next) = answer.next else {
                tracing::debug!(
                    pages = page,
                    found = all.len(),
                    "attestations of {owner}/{repo} for {digest}"
                );
                return Ok(all);
            };
            if Origin::of(&next).as_ref() != Some(&inner.api_origin) {
                return Err(Error::InvalidResponse {
                    url: redact(&url),
                    reason: "the next-page link points to another host".to_owned(),
                    source: None,
                });
            }
            url = next;
        }
        tracing::warn!(
            "{owner}/{repo} lists more than {} attestations for {digest}; using the first {}",
            MAX_PAGES * 100,
            all.len()
        );
        Ok(all)
    }

    /// The bundle of one listed attestation: inline, or fetched from its `bundle_url`.
    fn resolve(&self, item: WireAttestation, ctx: &Ctx) -> Result<Stored, Error> {
        let repository_id = item.repository_id;
        if let Some(bundle) = item.bundle.filter(|b| !b.is_null()) {
            return Ok(Stored {
                bundle,
                repository_id,
            });
        }
        let Some(url) = item.bundle_url else {
            return Err(Error::InvalidResponse {
                url: "the attestations list".to_owned(),
                reason: "an attestation has neither `bundle` nor `bundle_url`".to_owned(),
                source: None,
            });
        };
        let bad = |reason: String| Error::InvalidResponse {
            url: redact(&url),
            reason,
            source: None,
        };
        let secure = Origin::of(&url).is_some_and(|o| o.is_https())
            || (url.starts_with("http://")
                && Origin::host_of(&url).is_some_and(|h| is_loopback(&h)));
        if !secure {
            return Err(bad("a bundle URL must be https".to_owned()));
        }
        // Another origin than the API's: the client sends no token there.
        let fetched =
            self.inner
                .fetch(&url, "application/octet-stream", &[], ctx, Pass::Success)?;
        let body = fetched.body;
        let json = if body.first() == Some(&b'{') {
            body
        } else {
            let len = snap::raw::decompress_len(&body)
                .map_err(|e| bad(format!("the bundle is not snappy-compressed JSON: {e}")))?;
            if len > MAX_BUNDLE_BYTES {
                return Err(bad(format!("the bundle would be {len} bytes")));
            }
            snap::raw::Decoder::new()
                .decompress_vec(&body)
                .map_err(|e| bad(format!("the bundle does not decompress: {e}")))?
        };
        let bundle: Value = serde_json::from_slice(&json).map_err(|e| Error::InvalidResponse {
            url: redact(&url),
            reason: "the bundle is not JSON".to_owned(),
            source: Some(e),
        })?;
        Ok(Stored {
            bundle,
            repository_id,
        })
    }
}
