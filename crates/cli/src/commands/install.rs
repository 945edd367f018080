//! `skillrig-mise install <tool> <version> --install-path P [--download-path D]`.
//!
//! Resolves the version in the binary's stream (an unknown version is an error: mise passes
//! unlisted exact versions straight through), picks the asset for this platform, gathers every
//! verification source there is — the release's checksums file, GitHub's asset digest, and the
//! project's tools lock (`.skillrig/tools-lock.json`, found from the directory mise runs the
//! hook in) — and streams the download through `install`, which checks all of them while it
//! reads, extracts, and places `P/bin/<bin>` atomically. Nothing is left behind on failure.
//!
//! GitHub attestations of the asset are fetched alongside the checksums file, by the digest
//! the release names for it, and judged under the tool's policy before the body is read (see
//! [`crate::commands::attestations`]); the receipt records what verified, and a release
//! attestation's tag commit becomes the receipt's `release_commit`.

use std::path::{Component, Path, PathBuf};

use install::{
    BinaryLocator, DigestSource, ExpectedDigest, InstallRequest, Installed, VerifyPolicy,
};
use origin_meta::Platform;
use releases::AssetInfo;

use crate::commands::assets::{self, SumsError};
use crate::commands::attestations::{self, Settings};
use crate::commands::origin;
use crate::consumer::TOOLS_LOCK_FILE;
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
    refuse_collisions(&target.install_path, &resolved.address)?;
    resolved.stream()?;
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
    let asset =
        assets::for_platform(&resolved, release, &chosen.version, &platform).map_err(|e| {
            Failure::from_error(&e).hint(format!(
                "this machine is {platform}; an `asset` option can name the file"
            ))
        })?;
    let key = crate::mise::tool_key(&resolved.address);
    let locked = tools_lock_entry(&key, &chosen.version.to_string(), &platform, asset)?;
    let settings = Settings::of(session, &resolved, opts)?;
    // Attestations are found by the asset's digest: the one GitHub or the lock names is known
    // now, so they are fetched alongside the checksums file.
    let early_hex = assets::github_sha256(asset)
        .map(str::to_owned)
        .or_else(|| locked.as_ref().map(|l| l.digest.sha256_hex.clone()))
        .map(|hex| hex.trim().to_ascii_lowercase());
    // The checksums file, the attestations and opening the asset download run at once. The
    // body is only read once the expected digests are known and the attestations judged, and
    // nothing leaves staging before the digests match. The release's commit is not looked up
    // here (it would cost a request per tool): a release attestation or the tools lock
    // records it, and `verify` asks for it when it needs it.
    let host = resolved.address.host().clone();
    let (sums, fetched, body) = std::thread::scope(|scope| {
        let sums = scope.spawn(|| {
            assets::checksums(
                &resolved,
                release,
                &asset.name,
                &chosen.version,
                opts.get("checksums"),
            )
        });
        let fetched = match &early_hex {
            Some(hex) if settings.enabled() => {
                Some(scope.spawn(|| attestations::fetch(&resolved, hex)))
            }
            _ => None,
        };
        let body = resolved.client.download(asset);
        let sums = sums.join().expect("checksums fetch does not panic");
        let fetched = fetched.map(|f| f.join().expect("attestations fetch does not panic"));
        (sums, fetched, body)
    });
    let sums = sums.map_err(|e| match e {
        SumsError::Http(e) => session.explain(&host, &e),
        SumsError::Other(failure) => failure,
    })?;
    // Without a GitHub digest or a lock entry, the checksums file names the digest (one more
    // round trip, only for such releases).
    let sums_hex = sums
        .as_ref()
        .and_then(|s| s.file.lookup(&asset.name))
        .map(|hex| hex.trim().to_ascii_lowercase());
    let lookup_hex = early_hex.or(sums_hex);
    let fetched = match (fetched, &lookup_hex) {
        (Some(fetched), _) => Some(fetched),
        (None, Some(hex)) if settings.enabled() => Some(attestations::fetch(&resolved, hex)),
        (None, _) => None,
    };
    let judged = attestations::judge(
        session,
        &resolved,
        &settings,
        &release.tag,
        &asset.name,
        lookup_hex.as_deref(),
        fetched,
    )?;
    let body = body.map_err(|e| session.explain(&host, &e))?;
    let mut expected = Vec::new();
    if let Some(sums) = sums
        && let Some(hex) = sums.file.lookup(&asset.name)
    {
        expected.push(ExpectedDigest::new(
            hex,
            DigestSource::ChecksumsFile { name: sums.name },
        ));
    }
    if let Some(hex) = assets::github_sha256(asset) {
        expected.push(ExpectedDigest::new(hex, DigestSource::GithubDigest));
    }
    let release_commit = release_commit(
        judged.tag_commit(),
        locked.as_ref().and_then(|l| l.release_commit.as_deref()),
        &release.tag,
    )?;
    if let Some(locked) = locked {
        expected.push(locked.digest);
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
        release_commit,
        attestations: Some(judged.record),
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

/// The release commit the receipt records: the one GitHub's release attestation signed for the
/// tag, else the one the tools lock recorded.
///
/// # Errors
///
/// When both exist and differ: the tag was moved after the project was locked.
fn release_commit(
    attested: Option<&str>,
    locked: Option<&str>,
    tag: &str,
) -> Result<Option<String>, Failure> {
    match (attested, locked) {
        (Some(attested), Some(locked)) if !attested.eq_ignore_ascii_case(locked.trim()) => {
            Err(Failure::new(format!(
                "`{TOOLS_LOCK_FILE}` records commit {locked} for tag `{tag}`, but GitHub's release \
                 attestation says the tag names {attested}"
            ))
            .hint(
                "the tag was moved after the project was locked; if that is intended, run \
                 `skillrig-mise lock` and review the change in version control",
            ))
        }
        (Some(attested), _) => Ok(Some(attested.to_owned())),
        (None, locked) => Ok(locked.map(str::to_owned)),
    }
}

/// How many sibling version directories [`refuse_collisions`] reads at most.
const MAX_SIBLINGS_CHECKED: usize = 256;

/// Refuses to install `address` into a mise tool directory that already holds another tool's
/// versions. mise derives the directory name from the address with lossy kebab-casing, so
/// `a/b-c/d` and `a-b/c/d` share `…/installs/skillrig-a-b-c-d/`; without this check each
/// would list, run and prune the other's binaries. Only mise's layout is checked: the
/// install path's parent must carry the address's directory name.
fn refuse_collisions(
    install_path: &Path,
    address: &origin_meta::ToolAddress,
) -> Result<(), Failure> {
    let Some(tool_dir) = install_path.parent() else {
        return Ok(());
    };
    if tool_dir.file_name().and_then(|n| n.to_str()) != Some(&crate::mise::tool_dir_name(address)) {
        return Ok(());
    }
    let Ok(entries) = std::fs::read_dir(tool_dir) else {
        return Ok(());
    };
    for entry in entries.flatten().take(MAX_SIBLINGS_CHECKED) {
        let sibling = entry.path();
        if sibling == install_path {
            continue;
        }
        let Ok(receipt) = install::read_receipt(&sibling) else {
            continue;
        };
        if let Some(other) = crate::mise::colliding_tool(&receipt, address) {
            let (message, hint) = crate::mise::collision_message(&other, address);
            return Err(Failure::new(format!(
                "{message} (`{}`), so installing here would mix the two tools' versions",
                sibling.display()
            ))
            .hint(hint));
        }
    }
    Ok(())
}

/// What the project's tools lock says about this install.
struct Locked {
    /// The locked sha256, to be matched while streaming.
    digest: ExpectedDigest,
    /// The release commit recorded when the lock was written.
    release_commit: Option<String>,
}

/// The tools lock's entry for `key` at `version`, when mise runs the hook in a project that
/// has one (mise runs hooks in the project's directory): the locked asset for this platform,
/// which must be the asset chosen. No lock, or no entry for this version: `None`.
///
/// # Errors
///
/// A malformed lock (usage, exit 2); an entry without this platform, or naming another asset.
fn tools_lock_entry(
    key: &str,
    version: &str,
    platform: &Platform,
    asset: &AssetInfo,
) -> Result<Option<Locked>, Failure> {
    let Ok(cwd) = std::env::current_dir() else {
        return Ok(None);
    };
    // The nearest lock at or above the directory mise runs the hook in (mise's configuration
    // is hierarchical too). Anything at that path that is not a lock file is an error, never
    // "no lock": an install must not quietly run unlocked.
    let Some(path) = cwd
        .ancestors()
        .map(|dir| dir.join(TOOLS_LOCK_FILE))
        .find(|p| p.symlink_metadata().is_ok())
    else {
        return Ok(None);
    };
    let Some(lock) = crate::consumer::read_tools_lock(&path)? else {
        return Ok(None);
    };
    let Some(entry) = lock.entry(key, version) else {
        tracing::debug!(%key, %version, lock = %path.display(), "not in the tools lock");
        return Ok(None);
    };
    let relock =
        "if that is intended, run `skillrig-mise lock` and review the change in version control";
    let Some(locked) = entry.assets.get(&platform.key()) else {
        return Err(Failure::new(format!(
            "`{}` locks {key}@{version} without an asset for {platform}, so nothing vouches for `{}`",
            path.display(),
            asset.name
        ))
        .hint(format!("the release gained this platform after it was locked; {relock}")));
    };
    if locked.name != asset.name {
        return Err(Failure::new(format!(
            "`{}` locks {key}@{version} to `{}` for {platform}, but the release now offers `{}`",
            path.display(),
            locked.name,
            asset.name
        ))
        .hint(format!(
            "the release's assets changed after it was locked; {relock}"
        )));
    }
    Ok(Some(Locked {
        digest: ExpectedDigest::new(
            locked.sha256.clone(),
            DigestSource::ToolsLock {
                path: TOOLS_LOCK_FILE.to_owned(),
            },
        ),
        release_commit: entry.release_commit.clone(),
    }))
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
