//! What a listing returns: releases and their assets, reduced to the fields we use, plus the
//! mapping from GitHub's JSON (API version 2022-11-28).
//!
//! The same types are what the on-disk cache stores for a listing page, so a warm listing
//! parses a compact document instead of GitHub's verbose one.

use serde::{Deserialize, Serialize};

/// A published (non-draft) GitHub release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseInfo {
    /// GitHub's numeric release id.
    pub id: u64,
    /// The tag, e.g. `1.7.0+jira` or `jira-v1.7.0`.
    pub tag: String,
    /// The display name (GitHub allows none).
    pub name: Option<String>,
    /// GitHub's prerelease flag (not SemVer's; see [`crate::StreamRelease::prerelease`]).
    pub prerelease: bool,
    /// Always false in listings from [`crate::GitHub::list_releases`], which skips drafts.
    pub draft: bool,
    /// `created_at` as GitHub sends it (ISO 8601, UTC): the date of the tagged commit.
    pub created_at: String,
    /// `published_at`, if published.
    pub published_at: Option<String>,
    /// Completely uploaded assets (`state: "uploaded"`), in GitHub's order.
    pub assets: Vec<AssetInfo>,
}

/// A release asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetInfo {
    /// GitHub's numeric asset id.
    pub id: u64,
    /// File name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// GitHub's `digest` (`sha256:<hex>`), absent for older assets and older GHES versions.
    pub digest: Option<String>,
    /// The **API** URL (`…/releases/assets/{id}`): the only one that works for private
    /// repositories, used by [`crate::GitHub::download`].
    pub api_url: String,
    /// MIME type as uploaded.
    pub content_type: String,
}

/// A release as GitHub's JSON has it (only the fields we read).
#[derive(Deserialize)]
struct WireRelease {
    id: u64,
    tag_name: String,
    name: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    prerelease: bool,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    published_at: Option<String>,
    #[serde(default)]
    assets: Vec<WireAsset>,
}

#[derive(Deserialize)]
struct WireAsset {
    id: u64,
    name: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    digest: Option<String>,
    url: String,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

/// Parses one page of `GET /repos/{o}/{r}/releases`, dropping drafts (visible only to tokens
/// with push access, never installable) and assets whose upload is not complete.
pub(crate) fn parse_release_page(body: &[u8]) -> Result<Vec<ReleaseInfo>, serde_json::Error> {
    let wire: Vec<WireRelease> = serde_json::from_slice(body)?;
    Ok(wire
        .into_iter()
        .filter(|r| !r.draft)
        .map(|r| ReleaseInfo {
            id: r.id,
            tag: r.tag_name,
            name: r.name.filter(|n| !n.is_empty()),
            prerelease: r.prerelease,
            draft: r.draft,
            created_at: r.created_at.unwrap_or_default(),
            published_at: r.published_at,
            assets: r
                .assets
                .into_iter()
                .filter(|a| a.state.as_deref().is_none_or(|s| s == "uploaded"))
                .map(|a| AssetInfo {
                    id: a.id,
                    name: a.name,
                    size: a.size,
                    digest: a.digest.filter(|d| !d.is_empty()),
                    api_url: a.url,
                    content_type: a
                        .content_type
                        .unwrap_or_else(|| "application/octet-stream".to_owned()),
                })
                .collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_and_partial_uploads_are_dropped() {
        let body = br#"[
          {"id": 3, "tag_name": "2.0.0+jira", "name": "", "draft": true, "prerelease": false,
           "created_at": "2025-01-03T00:00:00Z", "assets": []},
          {"id": 2, "tag_name": "1.1.0+jira", "name": "jira 1.1.0", "draft": false,
           "prerelease": true, "created_at": "2025-01-02T00:00:00Z", "published_at": null,
           "assets": [
             {"id": 20, "name": "a.tar.gz", "size": 5, "digest": "sha256:ab",
              "url": "https://api.github.com/repos/o/r/releases/assets/20",
              "content_type": "application/gzip", "state": "uploaded"},
             {"id": 21, "name": "b.tar.gz", "size": 0, "digest": null,
              "url": "https://api.github.com/repos/o/r/releases/assets/21", "state": "new"}
           ]}
        ]"#;
        let page = parse_release_page(body).unwrap();
        assert_eq!(page.len(), 1);
        let r = &page[0];
        assert_eq!(
            (r.id, r.tag.as_str(), r.prerelease),
            (2, "1.1.0+jira", true)
        );
        assert_eq!(r.name.as_deref(), Some("jira 1.1.0"));
        assert_eq!(r.assets.len(), 1);
        assert_eq!(r.assets[0].digest.as_deref(), Some("sha256:ab"));
        assert_eq!(
            r.assets[0].api_url,
            "https://api.github.com/repos/o/r/releases/assets/20"
        );
    }

    #[test]
    fn not_an_array_is_an_error() {
        assert!(parse_release_page(br#"{"message": "Not Found"}"#).is_err());
    }
}

/// A git tag and the commit it points at (GitHub's tags listing dereferences annotated tags).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagInfo {
    /// Tag name, e.g. `1.7.0+jira`.
    pub name: String,
    /// The 40-hex commit id the tag points at.
    pub commit: String,
}

#[derive(Deserialize)]
struct WireTag {
    name: String,
    commit: WireTagCommit,
}

#[derive(Deserialize)]
struct WireTagCommit {
    sha: String,
}

/// Parses one page of `GET /repos/{o}/{r}/tags`.
pub(crate) fn parse_tag_page(body: &[u8]) -> Result<Vec<TagInfo>, serde_json::Error> {
    let wire: Vec<WireTag> = serde_json::from_slice(body)?;
    Ok(wire
        .into_iter()
        .map(|t| TagInfo {
            name: t.name,
            commit: t.commit.sha,
        })
        .collect())
}
