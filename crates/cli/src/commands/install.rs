//! `skillrig-mise install <tool> <version> --install-path P [--download-path D]`.
//!
//! Resolves the version in the binary's stream (an unknown version is an error: mise passes
//! unlisted exact versions straight through), picks the asset for this platform, gathers every
//! verification source the release offers (a checksums file line, GitHub's asset digest), and
//! streams the download through `install`, which verifies, extracts and places `P/bin/<bin>`
//! atomically. Nothing is left behind on failure.

use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

use install::{
    BinaryLocator, DigestSource, ExpectedDigest, InstallRequest, Installed, VerifyPolicy,
};
use origin_meta::{ChecksumsFile, Platform};
use releases::{AssetInfo, ReleaseInfo};

use crate::commands::origin::{self, Resolved};
use crate::options::ToolOptions;
use crate::progress::Reporter;
use crate::report::Failure;
use crate::session::Session;

/// Where to install.
#[derive(Debug, Clone)]
pub struct Target {
    /// mise's install path; the binary lands in `<install_path>/bin/`.
    pub install_path: PathBuf,
    /// Scratch space for the download (mise's download path); by default the download stays
    /// in the install path's own staging directory.
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
        let sums = scope.spawn(|| {
            checksums_digest(
                &resolved,
                release,
                asset,
                &chosen.version,
                opts.get("checksums"),
            )
        });
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
    let download_dir = target.download_path.clone();
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

/// The largest checksums file read (a real one lists a few dozen assets).
const CHECKSUMS_LIMIT: u64 = 16 * 1024 * 1024;

/// Finds a checksums file for `asset` among the release's assets and reads its line.
///
/// A checksums file the `checksums` option names must exist in the release: a typo must not
/// quietly fall back to another source.
fn checksums_digest(
    resolved: &Resolved,
    release: &ReleaseInfo,
    asset: &AssetInfo,
    version: &semver::Version,
    named: Option<&str>,
) -> Result<Vec<ExpectedDigest>, SumsError> {
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
        .checksums_candidates(&asset.name, resolved.address.repo(), version);
    for name in names {
        let Some(sums) = release.assets.iter().find(|a| a.name == name) else {
            continue;
        };
        if sums.size > CHECKSUMS_LIMIT {
            return Err(SumsError::Other(
                Failure::new(format!(
                    "`{name}` in release `{}` is {} bytes, too large for a checksums file",
                    release.tag, sums.size
                ))
                .hint("name the real checksums file with the `checksums` tool option"),
            ));
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
                        Failure::new(format!("cannot read `{name}` in release `{}`{cause}", release.tag))
                            .hint("a checksums file is text; name the right asset with the `checksums` tool option"),
                    )
                    }
                },
            );
        }
        if text.len() as u64 > CHECKSUMS_LIMIT {
            return Err(SumsError::Other(
                Failure::new(format!(
                    "`{name}` in release `{}` is larger than {CHECKSUMS_LIMIT} bytes",
                    release.tag
                ))
                .hint("name the real checksums file with the `checksums` tool option"),
            ));
        }
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

/// On SIGINT or SIGTERM (Ctrl-C or Ctrl-Break on Windows), removes this process's staging
/// directory and download file before exiting with 130, as a shell reports an interrupt.
/// (A SIGKILL cannot be caught: the next install sweeps what it left.)
pub fn clean_up_on_signals(target: &Target) {
    let install_path = target.install_path.clone();
    let download_path = target.download_path.clone();
    let installed = ctrlc::set_handler(move || {
        ::install::sweep_own(&install_path);
        if let Some(dir) = &download_path {
            ::install::sweep_own(dir);
        }
        std::process::exit(130);
    });
    if let Err(e) = installed {
        tracing::debug!(error = %e, "no signal handler; an interrupted install is swept later");
    }
}

/// Refuses an install path that is not a directory dedicated to one tool version, before
/// anything is written: the binary lands in `<install_path>/bin/`, so `--install-path /`
/// would replace `/bin/<tool>` and `$HOME` would write `~/bin/<tool>`.
///
/// Refused: an empty path; a filesystem root or a directory right below one (`/`, `/usr`,
/// `C:\`); the home directory or any directory above it; and, under mise's installs root
/// (`$MISE_DATA_DIR/installs`, else `$XDG_DATA_HOME/mise/installs`, else
/// `~/.local/share/mise/installs`), anything fewer than two levels below it (mise's own paths
/// are `<root>/<plugin>-<tool>/<version>`).
pub fn validate_paths(
    target: &Target,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), Failure> {
    let given = &target.install_path;
    if given.as_os_str().is_empty() {
        return Err(Failure::usage("--install-path is empty")
            .hint("pass the directory for this tool version (mise passes its own)"));
    }
    let path = normalized(given);
    let refuse = |why: String| {
        Failure::usage(format!(
            "refusing to install into `{}`: {why}",
            given.display()
        ))
        .hint(
            "pass a directory for this one tool version, such as the one mise gives the hook \
             (…/mise/installs/<plugin>-<tool>/<version>) or a new empty directory",
        )
    };
    if path
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .count()
        < 2
    {
        return Err(refuse(
            "it is a filesystem root or right below one".to_owned(),
        ));
    }
    let get = |k: &str| env(k).filter(|v| !v.trim().is_empty()).map(PathBuf::from);
    let home = get("HOME")
        .or_else(|| get("USERPROFILE"))
        .map(|h| normalized(&h));
    if let Some(home) = &home
        && home.starts_with(&path)
    {
        return Err(refuse(format!(
            "it is the home directory `{}` or above it",
            home.display()
        )));
    }
    let installs = get("MISE_DATA_DIR")
        .or_else(|| get("XDG_DATA_HOME").map(|d| d.join("mise")))
        .or_else(|| home.map(|h| h.join(".local/share/mise")))
        .map(|d| normalized(&d.join("installs")));
    if let Some(installs) = installs
        && let Ok(below) = path.strip_prefix(&installs)
        && below.components().count() < 2
    {
        return Err(refuse(format!(
            "it is mise's installs directory `{}` or a tool's directory in it, not one version's",
            installs.display()
        )));
    }
    Ok(())
}

/// `path` made absolute (against the current directory) with `.` and `..` resolved lexically.
fn normalized(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
