//! From a listing to one release: the versions of one stream, `latest` or an exact version,
//! and the asset for this platform.
//!
//! A monorepo origin releases several tools; each tool's releases are a *stream* recognised
//! by its tag (`1.7.0+jira`, `jira-v1.7.0`). Which tags belong to a stream, what version each
//! stands for, and which tag wins when two spell the same version are origin-meta's
//! [`Stream`] rules ([`Stream::select`]); this module only applies them to a listing already
//! fetched, so resolving a version never lists again.
//!
//! # What `latest` means
//!
//! The highest version by SemVer precedence among the stream's releases that are not
//! prereleases — neither flagged as prerelease on GitHub nor carrying a SemVer pre-release
//! (`-rc.1`). It is *not* GitHub's "latest release", which is per repository (useless for a
//! monorepo) and ordered by the tagged commit's date. mise hides `-rc`/`-beta` versions in its
//! own `latest` as well; versions that are prereleases only by GitHub's flag are reported by
//! [`StreamRelease::prerelease`] so callers can hide them too.

use origin_meta::Stream;
use semver::Version;

use crate::error::Error;
use crate::model::{AssetInfo, ReleaseInfo};

/// One release of a stream, with the version its tag stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRelease<'a> {
    /// The version (no build metadata).
    pub version: Version,
    /// True if GitHub flags the release as a prerelease **or** the version has a SemVer
    /// pre-release part.
    pub prerelease: bool,
    /// The release.
    pub release: &'a ReleaseInfo,
}

/// The stream's published releases, ascending by version, drafts skipped; when two tags spell
/// one version, [`Stream::select`]'s rule picks the release (never the API's order).
pub fn stream_versions<'a>(releases: &'a [ReleaseInfo], stream: &Stream) -> Vec<StreamRelease<'a>> {
    let published: Vec<&ReleaseInfo> = releases.iter().filter(|r| !r.draft).collect();
    stream
        .select(&published, |r| (r.tag.as_str(), r.prerelease))
        .into_iter()
        .map(|(version, release)| StreamRelease {
            prerelease: version.is_prerelease(),
            version: version.version().clone(),
            release,
        })
        .collect()
}

/// The release for `request`: `latest` (see the module docs) or an exact version.
///
/// An exact request matches, in order: a tag equal to the request; a version equal to it
/// (a leading `v` is ignored); if the request has no build metadata, a version equal to it
/// ignoring build metadata (the highest such, if several).
///
/// # Errors
///
/// [`Error::NoSuchVersion`] listing the nearest versions (two below and two above an exact
/// request; the highest ones otherwise).
pub fn resolve<'a>(
    releases: &'a [ReleaseInfo],
    stream: &Stream,
    request: &str,
) -> Result<StreamRelease<'a>, Error> {
    let stream = stream_versions(releases, stream);
    let request = request.trim();
    let not_found = |nearest: Vec<String>| Error::NoSuchVersion {
        requested: request.to_owned(),
        nearest,
        available: stream.len(),
    };
    let highest = |n: usize| -> Vec<String> {
        let skip = stream.len().saturating_sub(n);
        stream[skip..]
            .iter()
            .map(|s| s.version.to_string())
            .collect()
    };
    if request.eq_ignore_ascii_case("latest") {
        return stream
            .iter()
            .rev()
            .find(|s| !s.prerelease)
            .cloned()
            .ok_or_else(|| not_found(highest(4)));
    }
    if let Some(s) = stream.iter().find(|s| s.release.tag == request) {
        return Ok(s.clone());
    }
    let Ok(wanted) = origin_meta::parse_version_lenient(request) else {
        return Err(not_found(highest(4)));
    };
    if let Some(s) = stream.iter().find(|s| s.version == wanted) {
        return Ok(s.clone());
    }
    if wanted.build.is_empty()
        && let Some(s) = stream
            .iter()
            .rev()
            .find(|s| s.version.cmp_precedence(&wanted).is_eq())
    {
        return Ok(s.clone());
    }
    let below = stream
        .iter()
        .filter(|s| s.version.cmp_precedence(&wanted).is_lt())
        .map(|s| s.version.to_string())
        .collect::<Vec<_>>();
    let above = stream
        .iter()
        .filter(|s| s.version.cmp_precedence(&wanted).is_gt())
        .take(2)
        .map(|s| s.version.to_string());
    let mut nearest: Vec<String> = below[below.len().saturating_sub(2)..].to_vec();
    nearest.extend(above);
    Err(not_found(nearest))
}

/// The first asset, in `candidates` order, whose name equals a candidate exactly.
///
/// # Errors
///
/// [`Error::NoAsset`] naming the candidates and every asset the release does have.
pub fn pick_asset<'a>(
    release: &'a ReleaseInfo,
    candidates: &[String],
) -> Result<&'a AssetInfo, Error> {
    candidates
        .iter()
        .find_map(|c| release.assets.iter().find(|a| &a.name == c))
        .ok_or_else(|| Error::NoAsset {
            tag: release.tag.clone(),
            wanted: candidates.to_vec(),
            available: release.assets.iter().map(|a| a.name.clone()).collect(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hint::Hint as _;

    fn release(id: u64, tag: &str, prerelease: bool, created: &str) -> ReleaseInfo {
        ReleaseInfo {
            id,
            tag: tag.to_owned(),
            name: None,
            prerelease,
            draft: false,
            created_at: created.to_owned(),
            published_at: None,
            assets: vec![AssetInfo {
                id: id * 10,
                name: format!("{tag}.tar.gz"),
                size: 1,
                digest: None,
                api_url: format!(
                    "https://api.github.com/repos/o/r/releases/assets/{}",
                    id * 10
                ),
                content_type: "application/gzip".to_owned(),
            }],
        }
    }

    /// The build-metadata stream `+jira`: `1.7.0+jira` → `1.7.0`.
    fn jira() -> Stream {
        Stream::parse_rule("+jira").unwrap()
    }

    fn listing() -> Vec<ReleaseInfo> {
        // Newest first, as GitHub lists them.
        vec![
            release(9, "3.0.0-rc.1+jira", false, "2025-01-09T00:00:00Z"),
            release(8, "2.11.0+jira", true, "2025-01-08T00:00:00Z"),
            release(7, "0.1.0+tfc", false, "2025-01-07T00:00:00Z"),
            release(6, "2.10.0+jira", false, "2025-01-06T00:00:00Z"),
            release(5, "2.9.0+jira", false, "2025-01-05T00:00:00Z"),
            release(4, "1.7.0+jira", false, "2025-01-04T00:00:00Z"),
            release(3, "1.6.0+jira", false, "2025-01-03T00:00:00Z"),
        ]
    }

    fn versions(stream: &[StreamRelease<'_>]) -> Vec<String> {
        stream.iter().map(|s| s.version.to_string()).collect()
    }

    #[test]
    fn stream_is_filtered_sorted_and_flags_prereleases() {
        let all = listing();
        let stream = stream_versions(&all, &jira());
        assert_eq!(
            versions(&stream),
            ["1.6.0", "1.7.0", "2.9.0", "2.10.0", "2.11.0", "3.0.0-rc.1"]
        );
        let pre: Vec<bool> = stream.iter().map(|s| s.prerelease).collect();
        // 2.11.0 by GitHub's flag, 3.0.0-rc.1 by SemVer.
        assert_eq!(pre, [false, false, false, false, true, true]);
    }

    #[test]
    fn drafts_are_skipped_and_the_stream_rule_picks_between_duplicates() {
        let mut all = listing();
        all[0].draft = true;
        // A second spelling of 2.9.0, created later: the bare `2.9.0+jira` tag still wins
        // (origin-meta's rule, independent of API order and creation time).
        all.insert(0, release(20, "v2.9.0+jira", false, "2025-02-01T00:00:00Z"));
        let stream = stream_versions(&all, &jira());
        assert_eq!(
            versions(&stream),
            ["1.6.0", "1.7.0", "2.9.0", "2.10.0", "2.11.0"]
        );
        assert_eq!(stream[2].release.id, 5);
        // Only the `v` spelling published: it is the one used.
        all.retain(|r| r.id != 5);
        assert_eq!(stream_versions(&all, &jira())[2].release.id, 20);
        // A draft never stands for a version, even when it is the preferred spelling.
        let mut drafted = listing();
        drafted[4].draft = true;
        drafted.push(release(21, "v2.9.0+jira", false, "2025-01-01T00:00:00Z"));
        assert_eq!(stream_versions(&drafted, &jira())[2].release.id, 21);
    }

    #[test]
    fn latest_skips_both_kinds_of_prerelease() {
        let all = listing();
        let got = resolve(&all, &jira(), "latest").unwrap();
        assert_eq!(
            (got.version.to_string(), got.release.id),
            ("2.10.0".to_owned(), 6)
        );
    }

    #[test]
    fn exact_versions_tags_and_v_prefix() {
        let all = listing();
        assert_eq!(resolve(&all, &jira(), "1.7.0").unwrap().release.id, 4);
        assert_eq!(resolve(&all, &jira(), "v1.7.0").unwrap().release.id, 4);
        assert_eq!(resolve(&all, &jira(), "1.7.0+jira").unwrap().release.id, 4);
        assert_eq!(resolve(&all, &jira(), "2.11.0").unwrap().release.id, 8);
        assert_eq!(resolve(&all, &jira(), "3.0.0-rc.1").unwrap().release.id, 9);
    }

    #[test]
    fn missing_versions_list_the_nearest() {
        let all = listing();
        let err = resolve(&all, &jira(), "2.0.0").unwrap_err();
        assert_eq!(
            err.to_string(),
            "no release for version `2.0.0` in this stream (nearest: 1.6.0, 1.7.0, 2.9.0, 2.10.0)"
        );
        assert_eq!(
            err.hints().first().cloned().unwrap(),
            "pick one of the stream's 6 versions (`mise ls-remote` lists them) or use `latest`"
        );
        let err = resolve(&all, &jira(), "9.0.0").unwrap_err();
        assert!(
            err.to_string().ends_with("(nearest: 2.11.0, 3.0.0-rc.1)"),
            "{err}"
        );
        let err = resolve(&all, &jira(), "not-a-version").unwrap_err();
        assert!(
            err.to_string()
                .contains("nearest: 2.9.0, 2.10.0, 2.11.0, 3.0.0-rc.1"),
            "{err}"
        );
        let err = resolve(&all, &Stream::parse_rule("+nothing").unwrap(), "latest").unwrap_err();
        assert_eq!(
            err.to_string(),
            "no release for version `latest` in this stream (the stream has no versions)"
        );
        assert!(
            err.hints()
                .first()
                .cloned()
                .unwrap()
                .contains("no release tag of this origin matches")
        );
    }

    #[test]
    fn assets_by_candidate_order() {
        let mut r = release(1, "1.0.0+jira", false, "");
        r.assets.push(AssetInfo {
            name: "jira_1.0.0_linux_amd64.tar.gz".to_owned(),
            ..r.assets[0].clone()
        });
        let want = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let got = pick_asset(
            &r,
            &want(&["nope", "jira_1.0.0_linux_amd64.tar.gz", "1.0.0+jira.tar.gz"]),
        )
        .unwrap();
        assert_eq!(got.name, "jira_1.0.0_linux_amd64.tar.gz");
        let err = pick_asset(&r, &want(&["a.zip", "b.zip"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "release `1.0.0+jira` has no asset `a.zip` or `b.zip`; it has: 1.0.0+jira.tar.gz, \
             jira_1.0.0_linux_amd64.tar.gz"
        );
    }
}
