//! Which asset of a release is a platform's, and what vouches for its sha256: the release's
//! checksums file and GitHub's asset digest. `install` uses it for this machine; `lock` for
//! every platform a release publishes.
//!
//! Asset names are guessed from the binary's spec (the convention or the origin's
//! `[[binaries]]` templates) with every suffix the installer can unpack
//! ([`install::AssetFormat::suffixes`]), and the first that exists in the release's own asset
//! list is taken.

use std::io::Read as _;

use origin_meta::{ChecksumsFile, Platform};
use releases::{AssetInfo, ReleaseInfo};
use semver::Version;

use crate::commands::origin::Resolved;
use crate::report::Failure;

/// The largest checksums file read (a real one lists a few dozen assets).
const CHECKSUMS_LIMIT: u64 = 16 * 1024 * 1024;

/// The asset of `release` for `platform`, if the release publishes one.
pub(crate) fn for_platform<'r>(
    resolved: &Resolved,
    release: &'r ReleaseInfo,
    version: &Version,
    platform: &Platform,
) -> Result<&'r AssetInfo, releases::Error> {
    let suffixes = install::AssetFormat::suffixes(platform.is_windows());
    let candidates = resolved.spec.asset_candidates(version, platform, &suffixes);
    releases::pick_asset(release, &candidates)
}

/// Why the checksums file could not be used: an HTTP error (explained by the session, which
/// knows about tokens) or anything else.
pub(crate) enum SumsError {
    /// The download failed.
    Http(releases::Error),
    /// Anything else, ready to show.
    Other(Failure),
}

/// A release's checksums file, read.
pub(crate) struct Checksums {
    /// Its asset name.
    pub(crate) name: String,
    /// Its entries.
    pub(crate) file: ChecksumsFile,
}

/// The checksums file `asset_name` is listed in: the first candidate name the release has
/// that lists it (the `checksums` option's name must exist in the release: a typo must not
/// quietly fall back to another source). `None` when no checksums file lists the asset.
pub(crate) fn checksums(
    resolved: &Resolved,
    release: &ReleaseInfo,
    asset_name: &str,
    version: &Version,
    named: Option<&str>,
) -> Result<Option<Checksums>, SumsError> {
    if let Some(named) = named
        && !release.assets.iter().any(|a| a.name == named)
    {
        let listed: Vec<&str> = release.assets.iter().map(|a| a.name.as_str()).collect();
        return Err(SumsError::Other(
            Failure::new(format!(
                "the `checksums` option names `{named}`, which release `{}` does not have",
                release.tag
            ))
            .hint(format!("the release has: {}", listed.join(", "))),
        ));
    }
    let names = resolved
        .spec
        .checksums_candidates(asset_name, resolved.address.repo(), version);
    for name in names {
        let Some(sums) = release.assets.iter().find(|a| a.name == name) else {
            continue;
        };
        let file = read_checksums(resolved, release, sums)?;
        if file.lookup(asset_name).is_some() {
            return Ok(Some(Checksums { name, file }));
        }
        tracing::debug!("{name} does not list {asset_name}");
    }
    Ok(None)
}

/// Downloads and parses one checksums file, refusing an oversized or non-text one.
fn read_checksums(
    resolved: &Resolved,
    release: &ReleaseInfo,
    sums: &AssetInfo,
) -> Result<ChecksumsFile, SumsError> {
    let name = &sums.name;
    let too_large = || {
        SumsError::Other(
            Failure::new(format!(
                "`{name}` in release `{}` is larger than {CHECKSUMS_LIMIT} bytes, too large for a checksums file",
                release.tag
            ))
            .hint("name the real checksums file with the `checksums` tool option"),
        )
    };
    if sums.size > CHECKSUMS_LIMIT {
        return Err(too_large());
    }
    let mut text = String::new();
    let read = resolved
        .client
        .download(sums)
        .map_err(SumsError::Http)?
        .take(CHECKSUMS_LIMIT + 1)
        .read_to_string(&mut text);
    if let Err(e) = read {
        let text_problem = e.kind() == std::io::ErrorKind::InvalidData;
        // A download error travels inside the io::Error; let the session explain it.
        return Err(
            match e
                .into_inner()
                .map(|inner| inner.downcast::<releases::Error>())
            {
                Some(Ok(http)) => SumsError::Http(*http),
                other => {
                    let cause = match other {
                        Some(Err(inner)) => format!(": {inner}"),
                        _ if text_problem => ": it is not UTF-8 text".to_owned(),
                        _ => String::new(),
                    };
                    SumsError::Other(
                        Failure::new(format!(
                            "cannot read `{name}` in release `{}`{cause}",
                            release.tag
                        ))
                        .hint("a checksums file is text; name the right asset with the `checksums` tool option"),
                    )
                }
            },
        );
    }
    if text.len() as u64 > CHECKSUMS_LIMIT {
        return Err(too_large());
    }
    ChecksumsFile::parse(&text).map_err(|e| {
        SumsError::Other(
            Failure::from_error(&e).context(format_args!("`{name}` in release `{}`", release.tag)),
        )
    })
}

/// GitHub's sha256 digest of `asset`, as 64 hex digits; `None` when GitHub reports none (or
/// another algorithm, which cannot be checked here).
pub(crate) fn github_sha256(asset: &AssetInfo) -> Option<&str> {
    let digest = asset.digest.as_deref()?;
    let hex = digest.strip_prefix("sha256:");
    if hex.is_none() {
        tracing::debug!("ignoring non-sha256 digest `{digest}` of {}", asset.name);
    }
    hex
}
