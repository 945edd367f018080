//! `skillrig-mise install <tool> <version> --install-path P [--download-path D]`.
//!
//! Resolves the version in the binary's stream (an unknown version is an error: mise passes
//! unlisted exact versions straight through), picks the asset for this platform, gathers every
//! verification source the release offers (a checksums file line, GitHub's asset digest), and
//! streams the download through `install`, which verifies, extracts and places `P/bin/<bin>`
//! atomically. Nothing is left behind on failure.

use std::io::Read as _;
use std::path::PathBuf;

use install::{
    BinaryLocator, DigestSource, ExpectedDigest, InstallRequest, Installed, VerifyPolicy,
};
use origin_meta::{ChecksumsFile, Platform};
use releases::{AssetInfo, ReleaseInfo};

use crate::commands::origin::{self, Resolved};
use crate::options::ToolOptions;
use crate::progress::Reporter;
use crate::report::{EXIT_USAGE, Failure};
use crate::session::Session;

/// Where to install.
#[derive(Debug, Clone)]
pub struct Target {
    /// mise's install path; the binary lands in `<install_path>/bin/`.
    pub install_path: PathBuf,
    /// Scratch space for the download (mise's download path); defaults to a sibling of
    /// the install path so the final rename stays on one filesystem.
    pub download_path: Option<PathBuf>,
}

/// Installs `version` of `tool`.
pub fn run(
    session: &Session,
    tool: &str,
    version: &str,
    target: &Target,
    opts: &ToolOptions,
) -> Result<Installed, Failure> {
    if version.trim().is_empty() {
        return Err(Failure::usage("no version given").hint("pass an exact version or `latest`"));
    }
    let resolved = origin::resolve(session, tool, opts)?;
    let chosen = releases::resolve(&resolved.releases, resolved.spec.stream(), version)
        .map_err(|e| Failure::from_error(&e))?;
    if let Some(constraint) = &resolved.constraint
        && !constraint.matches(&chosen.version)
    {
        return Err(Failure::new(format!(
            "{}@{} does not satisfy the constraint `{constraint}`",
            resolved.address, chosen.version
        ))
        .hint("pick a version that satisfies it, or update the skill that requires it"));
    }
    let release = chosen.release;
    let platform = Platform::current();
    let candidates = resolved.spec.asset_candidates(&chosen.version, &platform);
    let asset = releases::pick_asset(release, &candidates).map_err(|e| {
        Failure::from_error(&e).hint(format!(
            "this machine is {platform}; an `asset` option can name the file"
        ))
    })?;
    // The checksums file and opening the asset download run at once. The body is only read
    // once the expected digests are known, and nothing leaves staging before they match. The
    // release's commit is not looked up here (it would cost a request per tool); `verify`
    // asks for it when it needs it.
    let host = resolved.address.host().clone();
    let (sums, body) = std::thread::scope(|scope| {
        let sums = scope.spawn(|| checksums_digest(&resolved, release, asset, &chosen.version));
        let body = resolved.client.download(asset);
        let sums = sums.join().expect("checksums fetch does not panic");
        (sums, body)
    });
    let mut expected = sums.map_err(|e| match e {
        SumsError::Http(e) => session.explain(&host, &e),
        SumsError::Other(failure) => failure,
    })?;
    let body = body.map_err(|e| session.explain(&host, &e))?;
    if let Some(digest) = github_digest(asset)? {
        expected.push(digest);
    }
    let policy = if opts.verification_disabled() {
        VerifyPolicy::AllowUnverified
    } else {
        VerifyPolicy::Required
    };

    let mut locator = BinaryLocator::new(resolved.spec.name());
    locator.path_in_archive = resolved.spec.bin_path().map(str::to_owned);
    locator.windows = platform.is_windows();
    let receipt = install::ReceiptInfo {
        origin: format!("{}/{}", resolved.address.owner(), resolved.address.repo()),
        host: resolved.address.host().to_string(),
        tool: resolved.address.to_string(),
        version: chosen.version.to_string(),
        tag: release.tag.clone(),
        release_commit: None,
    };
    let download_dir = target.download_path.clone().unwrap_or_else(|| {
        target
            .install_path
            .parent()
            .map_or_else(|| target.install_path.clone(), |p| p.to_path_buf())
    });
    let reporter = Reporter::for_stderr(&asset.name);
    let mut request = InstallRequest::new(
        asset.name.clone(),
        locator,
        &target.install_path,
        download_dir,
        receipt,
    );
    request.expected = expected;
    request.policy = policy;
    request.progress = &reporter;

    request.content_length = body.content_length().or(Some(asset.size));
    let installed = install::install(request, body).map_err(|e| Failure::from_error(&e))?;
    for warning in &installed.warnings {
        crate::warn(warning);
    }
    Ok(installed)
}

/// Why the checksums file could not be used: an HTTP error (explained by the session, which
/// knows about tokens) or anything else.
enum SumsError {
    Http(releases::Error),
    Other(Failure),
}

/// Finds a checksums file for `asset` among the release's assets and reads its line.
fn checksums_digest(
    resolved: &Resolved,
    release: &ReleaseInfo,
    asset: &AssetInfo,
    version: &semver::Version,
) -> Result<Vec<ExpectedDigest>, SumsError> {
    let names = resolved
        .spec
        .checksums_candidates(&asset.name, resolved.address.repo(), version);
    for name in names {
        let Some(sums) = release.assets.iter().find(|a| a.name == name) else {
            continue;
        };
        let mut text = String::new();
        resolved
            .client
            .download(sums)
            .map_err(SumsError::Http)?
            .take(16 * 1024 * 1024)
            .read_to_string(&mut text)
            .map_err(|e| SumsError::Other(Failure::new(format!("reading {name}: {e}"))))?;
        let file = ChecksumsFile::parse(&text).map_err(|e| {
            SumsError::Other(
                Failure::from_error(&e).context(format_args!("{name} in release {}", release.tag)),
            )
        })?;
        match file.lookup(&asset.name) {
            Some(hex) => {
                return Ok(vec![ExpectedDigest::new(
                    hex,
                    DigestSource::ChecksumsFile { name },
                )]);
            }
            None => tracing::debug!("{name} does not list {}", asset.name),
        }
    }
    Ok(Vec::new())
}

fn github_digest(asset: &AssetInfo) -> Result<Option<ExpectedDigest>, Failure> {
    let Some(digest) = asset.digest.as_deref() else {
        return Ok(None);
    };
    match digest.strip_prefix("sha256:") {
        Some(hex) => Ok(Some(ExpectedDigest::new(hex, DigestSource::GithubDigest))),
        // Another algorithm is not something we can check; say so rather than pretend.
        None => {
            tracing::debug!("ignoring non-sha256 digest `{digest}` of {}", asset.name);
            Ok(None)
        }
    }
}

/// Checks a version string is usable before anything else happens.
pub fn validate_paths(target: &Target) -> Result<(), Failure> {
    if target.install_path.as_os_str().is_empty() {
        return Err(Failure::usage("--install-path is empty").with_code(EXIT_USAGE));
    }
    Ok(())
}
