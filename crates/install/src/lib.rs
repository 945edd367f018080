//! Verified, streaming, safe and atomic installs of a release asset.
//!
//! This crate turns a byte stream (the body of an asset download) plus verification material
//! into an installed binary at `<install_path>/bin/<bin>`. It knows nothing about HTTP or
//! GitHub: the caller (the `skillrig-mise` CLI) opens the stream with the `releases` crate and
//! looks up digests; this crate verifies, unpacks and places. It is an internal crate of this
//! workspace and does not promise semver stability.
//!
//! # Overview
//!
//! - [`install`] does everything in one call, driven by an [`InstallRequest`].
//! - [`ExpectedDigest`] / [`DigestSource`] carry the sha256 values to check and where they came
//!   from; [`VerifyPolicy`] says whether installing without any is allowed.
//! - [`BinaryLocator`] says which binary to take from an archive.
//! - [`Receipt`] is written next to the binary; [`read_receipt`] and [`hash_file`] let a later
//!   command re-verify an install.
//! - [`Progress`] receives progress events; the crate itself never prints.
//! - [`InstallError`] with [`ErrorKind`] and [`InstallError::hints`] reports failures.
//!
//! # One pass, constant memory
//!
//! The body is read once, in 128 KiB chunks. Each chunk is hashed (sha256, using the CPU's SHA
//! instructions when present), written to a temporary download file and, for tar and
//! single-file formats, passed through a bounded channel to an extraction thread that
//! decompresses and unpacks while the download continues. Memory use does not grow with the
//! asset. Zip archives keep their index at the end, so they are unpacked from the download file
//! after the stream is complete and verified. Raw binaries are streamed straight into the
//! staging directory (the download *is* the binary).
//!
//! # Nothing leaves staging unverified
//!
//! Unpacking happens in a staging directory; only after every expected digest has matched is
//! the binary moved into place. Both a checksums-file digest and GitHub's asset digest, when
//! given, must match. With no digest at all, the install is refused unless the policy is
//! [`VerifyPolicy::AllowUnverified`] (mise's `verify = "none"`), in which case the returned
//! [`Installed::warnings`] say so loudly. When several things are wrong at once, the most
//! fundamental is reported: a failed download first, then a digest mismatch, then an unsafe or
//! corrupt archive, then a missing binary.
//!
//! # Safe extraction
//!
//! Entries with absolute paths, `..`, NUL or control characters, links pointing outside the
//! archive, device files or FIFOs make the whole install fail, naming the entry. Links are never
//! created on disk, files are created exclusively in directories this crate just made, only the
//! executable bit is kept from archive modes, and the total size and entry count are capped
//! ([`Limits`]). Such refusals are [`ErrorKind::UnsafeArchive`] or
//! [`ErrorKind::LimitExceeded`].
//!
//! # Atomic placement
//!
//! The staging directory is `<install_path>/.skillrig-staging-<pid>-XXXXXX`: inside the install
//! path, hence on the same filesystem, so the final `rename(2)` is atomic. The download file
//! lives in the staging directory too, unless the caller names a download directory (mise's
//! download path, which may be another mount); the install path's parent is never written,
//! since it may be read-only. The binary
//! (mode 0755) is renamed to `<install_path>/bin/<bin>`, atomically replacing a previous one,
//! then the receipt to `<install_path>/.skillrig/receipt.json`; if the receipt cannot be placed,
//! the new binary is removed again. Any failure before that leaves the install path as it was
//! (a fresh install path has no binary) and removes the staging directory and the download
//! file. Only the binary is kept from an archive; other files (docs, completions) are dropped.
//! Concurrent installs of the same tool version are expected to be serialized by the caller
//! (mise does); two racing installs each place a complete binary, the last one wins.
//!
//! # Nothing left behind for long
//!
//! An install that fails removes its staging directory, its download file, and the `bin/` and
//! `.skillrig/` directories it created. A process killed outright (SIGKILL, a power cut)
//! cannot, so temporary entries carry their creator's process id, and every install first
//! sweeps ([`sweep_stale`]) the staging and download entries of processes that are no longer
//! running (or that are over a day old, in case the id was reused). A caller that handles
//! SIGINT/SIGTERM calls [`sweep_own`] before exiting.
//!
//! # Example
//!
//! ```no_run
//! use install::{BinaryLocator, DigestSource, ExpectedDigest, InstallRequest, ReceiptInfo};
//!
//! let body = std::fs::File::open("jira_1.7.0_linux_amd64.tar.gz")?;
//! let mut req = InstallRequest::new(
//!     "jira_1.7.0_linux_amd64.tar.gz",
//!     BinaryLocator::new("jira"),
//!     "/home/me/.local/share/mise/installs/skillrig-acme-tools-jira/1.7.0",
//!     None, // the download stays in the install path's staging directory
//!     ReceiptInfo { tool: "jira".into(), version: "1.7.0".into(), ..Default::default() },
//! );
//! req.expected.push(ExpectedDigest::new(
//!     "3b5d5c3712955042212316173ccf37be800bb1d9b2a4fa29d5a5b2e0e6f5c9c1",
//!     DigestSource::ChecksumsFile { name: "jira_checksums.txt".into() },
//! ));
//! let installed = install::install(req, body)?;
//! println!("installed {}", installed.bin_path.display());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod check;
mod digest;
mod error;
mod extract;
mod format;
mod locate;
mod progress;
mod receipt;
mod stream;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::SystemTime;

use tempfile::NamedTempFile;

pub use digest::{DigestSource, ExpectedDigest, VerifyPolicy};
pub use error::{ErrorKind, InstallError};
pub use format::AssetFormat;
pub use progress::{NoProgress, Progress};
pub use receipt::{
    AttestationRecord, AttestationStatus, Attestations, RECEIPT_SCHEMA, Receipt, ReceiptInfo,
    read_receipt, receipt_path,
};
pub use stream::hash_file;

use error::Repr;
use extract::Extractor;
use format::Layout;
use stream::{ChannelReader, Pipe, Streamed};

/// Prefix of the staging directory created inside the install path (then `<pid>-`).
pub const STAGING_PREFIX: &str = ".skillrig-staging-";
/// Prefix of the temporary download file created in the download directory (then `<pid>-`).
pub const DOWNLOAD_PREFIX: &str = ".skillrig-download-";

mod sweep;
pub use sweep::{sweep_own, sweep_stale};

/// The directory inside the install path that holds the binary.
const BIN_DIR: &str = "bin";

/// Which binary to take from the asset, and under what name to install it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryLocator {
    /// The binary's name, e.g. `jira`; installed as `bin/<name>` (plus `.exe` on Windows).
    /// Must match `^[A-Za-z0-9._-]+$` and not be `.` or `..`.
    pub name: String,
    /// The binary's path inside the archive, from the origin's metadata (`bin`), relative to
    /// the archive root or to its single top-level folder. `None` applies the search rules:
    /// `bin/<name>`, then `<name>`, then a unique `<name>` anywhere.
    pub path_in_archive: Option<String>,
    /// The target is Windows: look for `<name>.exe` and install `bin/<name>.exe`.
    pub windows: bool,
}

impl BinaryLocator {
    /// A locator for `name` on a non-Windows target, using the search rules.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            path_in_archive: None,
            windows: false,
        }
    }

    /// The installed file name: `name`, or `name.exe` for Windows targets.
    pub fn file_name(&self) -> String {
        if self.windows {
            format!("{}.exe", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// Limits against decompression bombs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes an archive may unpack to, over all entries. Default 2 GiB.
    pub max_extracted_bytes: u64,
    /// Most entries (files, directories, links) an archive may hold. Default 100 000.
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_extracted_bytes: 2 << 30,
            max_entries: 100_000,
        }
    }
}

/// Everything [`install`] needs besides the byte stream.
///
/// Build it with [`InstallRequest::new`] and adjust the public fields.
pub struct InstallRequest<'a> {
    /// The asset's file name; selects the format ([`AssetFormat::from_asset_name`]) and appears
    /// in messages and the receipt. Never used as a path.
    pub asset_name: String,
    /// The announced body length (HTTP `Content-Length`), checked against the bytes received.
    pub content_length: Option<u64>,
    /// Digests the asset must match, all of them. Default: none.
    pub expected: Vec<ExpectedDigest>,
    /// What to do when `expected` is empty. Default: [`VerifyPolicy::Required`].
    pub policy: VerifyPolicy,
    /// Which binary to install.
    pub locator: BinaryLocator,
    /// The tool version's install directory (mise's `install_path`); created if missing.
    pub install_path: PathBuf,
    /// Directory for the temporary download file (mise's `download_path`); created if
    /// missing, and may be on another filesystem than `install_path`. `None` keeps the
    /// download inside the install path's staging directory.
    pub download_dir: Option<PathBuf>,
    /// Facts recorded in the receipt.
    pub receipt: ReceiptInfo,
    /// Extraction limits. Default: [`Limits::default`].
    pub limits: Limits,
    /// The install time recorded in the receipt. Default: now.
    pub installed_at: SystemTime,
    /// Progress sink. Default: [`NoProgress`].
    pub progress: &'a dyn Progress,
}

impl<'a> InstallRequest<'a> {
    /// A request with the defaults listed on each field.
    pub fn new(
        asset_name: impl Into<String>,
        locator: BinaryLocator,
        install_path: impl Into<PathBuf>,
        download_dir: impl Into<Option<PathBuf>>,
        receipt: ReceiptInfo,
    ) -> Self {
        Self {
            asset_name: asset_name.into(),
            content_length: None,
            expected: Vec::new(),
            policy: VerifyPolicy::Required,
            locator,
            install_path: install_path.into(),
            download_dir: download_dir.into(),
            receipt,
            limits: Limits::default(),
            installed_at: SystemTime::now(),
            progress: &NoProgress,
        }
    }
}

impl std::fmt::Debug for InstallRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstallRequest")
            .field("asset_name", &self.asset_name)
            .field("content_length", &self.content_length)
            .field("expected", &self.expected)
            .field("policy", &self.policy)
            .field("locator", &self.locator)
            .field("install_path", &self.install_path)
            .field("download_dir", &self.download_dir)
            .field("receipt", &self.receipt)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The result of a successful [`install`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// `<install_path>/bin/<bin>`.
    pub bin_path: PathBuf,
    /// `<install_path>/.skillrig/receipt.json`.
    pub receipt_path: PathBuf,
    /// The asset's format.
    pub format: AssetFormat,
    /// Bytes downloaded.
    pub bytes: u64,
    /// sha256 of the asset, lowercase hex.
    pub sha256_hex: String,
    /// sha256 of the installed binary, lowercase hex.
    pub bin_sha256_hex: String,
    /// The digest sources that matched; empty if installed unverified.
    pub verified_by: Vec<DigestSource>,
    /// Things the user must be told, e.g. that the asset was not verified. The caller prints
    /// them; the crate never does.
    pub warnings: Vec<String>,
}

/// Verifies `body` against the request's digests, unpacks it safely and installs the binary
/// atomically. See the [crate docs](crate) for the whole design.
///
/// # Errors
///
/// Every error leaves no new binary in `install_path` and no temporary files; see
/// [`ErrorKind`] for the categories. Request problems (an invalid name or digest, no digest
/// under [`VerifyPolicy::Required`]) are reported before anything is read from `body`.
pub fn install(req: InstallRequest<'_>, body: impl Read) -> Result<Installed, InstallError> {
    let mut body = body;
    check_request(&req)?;
    let created = !req.install_path.exists();
    fs::create_dir_all(&req.install_path)
        .map_err(|e| Repr::io("create directory", &req.install_path, e))?;
    sweep_stale(&req.install_path);
    if let Some(dir) = &req.download_dir {
        sweep_stale(dir);
    }
    // What existed before, so a failure removes only what this run created.
    let had = [BIN_DIR, receipt::RECEIPT_DIR].map(|d| req.install_path.join(d).exists());
    let result = run(&req, &mut body);
    if result.is_err() {
        for (dir, existed) in [BIN_DIR, receipt::RECEIPT_DIR].into_iter().zip(had) {
            if !existed {
                // Only succeeds if empty.
                let _ = fs::remove_dir(req.install_path.join(dir));
            }
        }
        if created {
            let _ = fs::remove_dir(&req.install_path);
        }
    }
    match &result {
        Ok(done) => tracing::debug!(bin = %done.bin_path.display(), "installed"),
        Err(e) => tracing::debug!(error = %e, "install failed"),
    }
    result.map_err(InstallError::from)
}

fn check_request(req: &InstallRequest<'_>) -> Result<(), Repr> {
    let name = &req.locator.name;
    let valid = !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !valid {
        return Err(Repr::InvalidRequest(format!(
            "binary name `{}` must match ^[A-Za-z0-9._-]+$ and not be `.` or `..`",
            error::display_name(name.as_bytes())
        )));
    }
    if let Some(p) = &req.locator.path_in_archive {
        let path = extract::names::normalize(p.as_bytes()).map_err(|r| {
            Repr::InvalidRequest(format!(
                "binary path `{}` {r}",
                error::display_name(p.as_bytes())
            ))
        })?;
        if path.is_empty() {
            return Err(Repr::InvalidRequest("binary path is empty".into()));
        }
    }
    check::check_expected(&req.asset_name, &req.expected, req.policy)
}

fn run(req: &InstallRequest<'_>, body: &mut dyn Read) -> Result<Installed, Repr> {
    let asset = req.asset_name.as_str();
    let format = AssetFormat::from_asset_name(asset);
    let file_name = req.locator.file_name();
    let progress = req.progress;

    let staging = tempfile::Builder::new()
        .prefix(&sweep::own_prefix(STAGING_PREFIX))
        .tempdir_in(&req.install_path)
        .map_err(|e| Repr::io("create a staging directory in", &req.install_path, e))?;
    let tree = staging.path().join("tree");
    fs::create_dir(&tree).map_err(|e| Repr::io("create directory", &tree, e))?;
    let mut ex = Extractor::new(
        tree,
        asset,
        format,
        req.limits,
        locate::hash_names(&req.locator),
    );
    tracing::debug!(%asset, %format, staging = %staging.path().display(), "install started");

    progress.phase(&format!("downloading {asset}"));
    progress.start(req.content_length);
    let layout = format.layout();
    let Downloaded {
        streamed,
        unpacked,
        file: download,
    } = download(req, staging.path(), body, &mut ex, layout, &file_name)?;
    progress.finish();
    tracing::debug!(bytes = streamed.bytes, sha256 = %streamed.sha256, "download complete");

    // Digest before extraction errors: a tampered asset is the root cause of whatever else broke.
    let verified_by = check::verify(asset, &req.expected, &streamed.sha256)?;
    unpacked?;
    if let (Layout::Zip, Some(file)) = (layout, &download) {
        progress.phase(&format!("extracting {asset}"));
        extract::zip::unpack(file.as_file(), &mut ex)?;
    }
    drop(download);

    let root = ex.root().to_owned();
    let manifest = ex.finish();
    let found = locate::locate(&manifest, &req.locator, asset)?;
    let src = root.join(&found.path);
    let bin_sha256 = match found.sha256 {
        Some(s) => s,
        None => stream::hash_path(&src)?,
    };

    let bin_rel = format!("bin/{file_name}");
    progress.phase(&format!("installing {bin_rel}"));
    let receipt = Receipt {
        schema: RECEIPT_SCHEMA,
        origin: req.receipt.origin.clone(),
        host: req.receipt.host.clone(),
        tool: req.receipt.tool.clone(),
        version: req.receipt.version.clone(),
        tag: req.receipt.tag.clone(),
        release_commit: req.receipt.release_commit.clone(),
        asset: asset.to_owned(),
        asset_sha256: streamed.sha256.clone(),
        bin: bin_rel,
        bin_sha256: bin_sha256.clone(),
        verified_by: verified_by.clone(),
        attestations: req.receipt.attestations.clone(),
        installed_at: util::time::rfc3339(req.installed_at),
    };
    let (bin_path, receipt_path) = place(
        staging.path(),
        &src,
        &req.install_path,
        &file_name,
        &receipt,
    )?;
    drop(staging);

    let mut warnings = Vec::new();
    if verified_by.is_empty() {
        warnings.push(format!(
            "WARNING: `{asset}` was installed WITHOUT verification: no checksums file or GitHub \
             digest is available and `verify = \"none\"` is set; its integrity is unknown"
        ));
    }
    Ok(Installed {
        bin_path,
        receipt_path,
        format,
        bytes: streamed.bytes,
        sha256_hex: streamed.sha256,
        bin_sha256_hex: bin_sha256,
        verified_by,
        warnings,
    })
}

/// The outcome of reading the whole body.
struct Downloaded {
    streamed: Streamed,
    /// The result of unpacking while streaming (always `Ok` for zip and raw assets).
    unpacked: Result<(), Repr>,
    /// The download file (absent for raw assets, which stream straight into staging).
    file: Option<NamedTempFile>,
}

/// Reads the whole body into the download file (or, for a raw asset, straight into staging),
/// unpacking on a second thread as it streams where the format allows.
fn download(
    req: &InstallRequest<'_>,
    staging: &Path,
    body: &mut dyn Read,
    ex: &mut Extractor,
    layout: Layout,
    file_name: &str,
) -> Result<Downloaded, Repr> {
    let asset = req.asset_name.as_str();
    let mut stream = |out: &mut fs::File, path: &Path, pipe: Option<Pipe>| {
        stream::stream_body(
            body,
            asset,
            req.content_length,
            out,
            path,
            pipe,
            req.progress,
        )
    };
    if layout == Layout::Raw {
        let path = ex.root().join(file_name);
        let mut out = extract::create_raw(&path).map_err(|e| Repr::io("create", &path, e))?;
        let streamed = stream(&mut out, &path, None)?;
        ex.record_file(file_name, streamed.sha256.clone());
        return Ok(Downloaded {
            streamed,
            unpacked: Ok(()),
            file: None,
        });
    }

    let dir = req.download_dir.as_deref().unwrap_or(staging);
    fs::create_dir_all(dir).map_err(|e| Repr::io("create directory", dir, e))?;
    let mut file = tempfile::Builder::new()
        .prefix(&sweep::own_prefix(DOWNLOAD_PREFIX))
        .tempfile_in(dir)
        .map_err(|e| Repr::io("create a download file in", dir, e))?;
    let path = file.path().to_owned();
    let (streamed, unpacked) = match layout {
        Layout::Tar(c) => pipelined(
            ex,
            |ex, input| extract::tar::unpack(c, input, ex),
            |pipe| stream(file.as_file_mut(), &path, Some(pipe)),
        )?,
        Layout::Single(c) => pipelined(
            ex,
            |ex, input| {
                let mut decoded = format::decoder(c, input).map_err(|e| ex.corrupt(e))?;
                ex.file(file_name.as_bytes(), true, None, &mut decoded)
            },
            |pipe| stream(file.as_file_mut(), &path, Some(pipe)),
        )?,
        // Zip needs the complete file to seek in; it is unpacked after verification.
        Layout::Zip | Layout::Raw => (stream(file.as_file_mut(), &path, None)?, Ok(())),
    };
    Ok(Downloaded {
        streamed,
        unpacked,
        file: Some(file),
    })
}

/// Runs `download` on this thread and `unpack` on a second one, connected by a bounded
/// channel. Returns the download's result (which takes precedence) and the unpacking result.
fn pipelined(
    ex: &mut Extractor,
    unpack: impl FnOnce(&mut Extractor, ChannelReader) -> Result<(), Repr> + Send,
    download: impl FnOnce(Pipe) -> Result<Streamed, Repr>,
) -> Result<(Streamed, Result<(), Repr>), Repr> {
    let asset = ex.asset().to_owned();
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel(stream::DEPTH);
        let (pool_tx, pool_rx) = mpsc::channel();
        let worker = std::thread::Builder::new()
            .name("skillrig-extract".into())
            .spawn_scoped(s, move || unpack(ex, ChannelReader::new(rx, pool_tx)))
            .map_err(|e| Repr::io("start the extraction thread for", &asset, e))?;
        let streamed = download(Pipe { tx, pool: pool_rx });
        let unpacked = worker.join().unwrap_or(Err(Repr::ExtractorPanicked {
            asset: asset.clone(),
        }));
        Ok((streamed?, unpacked))
    })
}

/// Moves the binary and the receipt from staging into `install_path`.
fn place(
    staging: &Path,
    src: &Path,
    install_path: &Path,
    file_name: &str,
    receipt: &Receipt,
) -> Result<(PathBuf, PathBuf), Repr> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(src, fs::Permissions::from_mode(0o755))
            .map_err(|e| Repr::io("set permissions of", src, e))?;
    }
    let staged_receipt = staging.join(receipt::RECEIPT_FILE);
    let json = serde_json::to_vec_pretty(receipt)
        .map_err(|e| Repr::io("serialize", &staged_receipt, e.into()))?;
    fs::write(&staged_receipt, json).map_err(|e| Repr::io("write", &staged_receipt, e))?;

    let bin_dir = install_path.join(BIN_DIR);
    let receipt_dir = install_path.join(receipt::RECEIPT_DIR);
    for dir in [&bin_dir, &receipt_dir] {
        fs::create_dir_all(dir).map_err(|e| Repr::io("create directory", dir, e))?;
    }
    let bin_path = bin_dir.join(file_name);
    let receipt_path = receipt_dir.join(receipt::RECEIPT_FILE);
    fs::rename(src, &bin_path).map_err(|e| Repr::io("move the binary to", &bin_path, e))?;
    if let Err(e) = fs::rename(&staged_receipt, &receipt_path) {
        // A binary without its receipt cannot be re-verified; take it back out.
        let _ = fs::remove_file(&bin_path);
        return Err(Repr::io("move the receipt to", receipt_path, e));
    }
    Ok((bin_path, receipt_path))
}
