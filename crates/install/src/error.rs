//! The crate's single error type.
//!
//! [`InstallError`] is an opaque struct around a private representation, so new failure modes
//! can be added without breaking callers. Callers branch on [`InstallError::kind`] (for exit
//! codes or retry decisions) and print [`InstallError::hints`] after the error chain.
//! `Display` describes one layer only; the underlying cause (an `io::Error`, a zip or JSON
//! error) is available through [`std::error::Error::source`].

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::digest::{DigestSource, ExpectedDigest};
use crate::format::AssetFormat;

/// What went wrong, coarsely, for callers that choose an exit code or decide to retry.
///
/// Every install failure leaves the install path without a newly placed binary and removes the
/// crate's temporary files; the kind only says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request is unusable: an invalid binary name, an unsafe `bin` path, or an expected
    /// digest that is not 64 hex digits. A caller bug or bad metadata; retrying cannot help.
    InvalidRequest,
    /// No digest was available and the policy is [`crate::VerifyPolicy::Required`]. Nothing was
    /// downloaded.
    Unverified,
    /// The downloaded bytes do not match at least one expected digest. The asset may have been
    /// tampered with or replaced; the download was discarded.
    DigestMismatch,
    /// The byte stream failed: a read error, or fewer or more bytes than announced. Retrying
    /// the download may help.
    Download,
    /// The archive holds an entry that would escape the install directory, or a forbidden entry
    /// type (device, FIFO, link out of the tree). The install was refused as malicious.
    UnsafeArchive,
    /// The archive unpacks to more bytes or entries than the configured [`crate::Limits`].
    LimitExceeded,
    /// The archive could not be decoded (bad compression stream, bad headers, encrypted zip).
    CorruptArchive,
    /// The binary was not found in the archive.
    BinaryNotFound,
    /// Several archive entries could be the binary.
    AmbiguousBinary,
    /// A filesystem operation failed; the error names the path.
    Io,
    /// A receipt is missing, unreadable, or not a receipt this crate understands.
    Receipt,
}

/// The error returned by [`crate::install`], [`crate::hash_file`] and [`crate::read_receipt`].
///
/// `Display` is a single line naming the asset or path involved. Hints (what to do about it)
/// are data: see [`InstallError::hints`].
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct InstallError(Box<Repr>);

impl InstallError {
    /// The coarse category of this error.
    pub fn kind(&self) -> ErrorKind {
        match &*self.0 {
            Repr::InvalidRequest(_) => ErrorKind::InvalidRequest,
            Repr::NoDigest { .. } => ErrorKind::Unverified,
            Repr::Mismatch { .. } => ErrorKind::DigestMismatch,
            Repr::Truncated { .. } | Repr::Overlong { .. } | Repr::Body { .. } => {
                ErrorKind::Download
            }
            Repr::UnsafeEntry { .. } | Repr::DuplicateNames { .. } => ErrorKind::UnsafeArchive,
            Repr::TooLarge { .. } | Repr::TooManyEntries { .. } | Repr::HeaderTooLarge { .. } => {
                ErrorKind::LimitExceeded
            }
            Repr::Corrupt { .. } | Repr::ExtractorPanicked { .. } => ErrorKind::CorruptArchive,
            Repr::NotFound { .. } => ErrorKind::BinaryNotFound,
            Repr::Ambiguous { .. } => ErrorKind::AmbiguousBinary,
            Repr::Io { .. } => ErrorKind::Io,
            Repr::ReceiptInvalid { .. } | Repr::ReceiptSchema { .. } => ErrorKind::Receipt,
        }
    }

    /// The asset's actual sha256 (lowercase hex) when the error is a digest mismatch.
    pub fn actual_sha256(&self) -> Option<&str> {
        match &*self.0 {
            Repr::Mismatch { actual, .. } => Some(actual),
            _ => None,
        }
    }
}

impl hint::Hint for InstallError {
    /// Advice for the user, one line each, meant to be printed as `hint: …` after the error
    /// chain. Empty when there is nothing useful to add.
    fn hints(&self) -> Vec<String> {
        match &*self.0 {
            Repr::NoDigest { .. } => vec![
                "ask the origin to publish a checksums file (`<bin>_checksums.txt`) with each release".into(),
                "or set `verify = \"none\"` for this tool in mise.toml to install it unverified (not recommended)".into(),
            ],
            Repr::Mismatch {
                matched,
                mismatched,
                ..
            } => {
                let mut hints = vec![
                    "do not use this asset: it may have been tampered with or replaced after publication".into(),
                ];
                if mismatched
                    .iter()
                    .any(|e| matches!(e.source, DigestSource::ToolsLock { .. }))
                {
                    hints.push(
                        "if the origin re-published this release on purpose, run `skillrig-mise lock` to record the new asset and review the change in version control"
                            .into(),
                    );
                }
                if !matched.is_empty() {
                    let names: Vec<String> = matched.iter().map(ToString::to_string).collect();
                    hints.push(format!(
                        "the {} matched, so the sources disagree: one of them may be stale",
                        names.join(" and ")
                    ));
                }
                hints.push("report it to the origin's maintainers if it persists".into());
                hints
            }
            Repr::Truncated { .. } | Repr::Overlong { .. } | Repr::Body { .. } => {
                vec!["the connection may have dropped; retrying the install may help".into()]
            }
            Repr::UnsafeEntry { .. } | Repr::DuplicateNames { .. } => vec![
                "the archive is unsafe to unpack; report it to the origin's maintainers".into(),
            ],
            Repr::TooLarge { .. } | Repr::TooManyEntries { .. } => vec![
                "the archive exceeds skillrig-mise's extraction safety limits; ask the origin's maintainers to publish a smaller archive".into(),
            ],
            Repr::Ambiguous { .. } | Repr::NotFound { .. } => vec![
                "set `bin` in the origin's metadata to the binary's path inside the archive".into(),
            ],
            Repr::ReceiptInvalid { .. } | Repr::ReceiptSchema { .. } => {
                vec!["reinstall the tool to rewrite its receipt".into()]
            }
            _ => Vec::new(),
        }
    }
}

impl From<Repr> for InstallError {
    fn from(repr: Repr) -> Self {
        Self(Box::new(repr))
    }
}

/// Why an archive entry was refused. Each reason reads after "entry `<name>` ".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unsafe {
    Absolute,
    ParentDir,
    Control,
    NotUtf8,
    EmptyName,
    SymlinkEscapes(String),
    HardlinkEscapes(String),
    HardlinkUnknown(String),
    Device,
    Fifo,
    Unsupported(String),
    Duplicate,
    ThroughLink(String),
    Conflict,
}

impl fmt::Display for Unsafe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Absolute => f.write_str("has an absolute path"),
            Self::ParentDir => f.write_str("has a `..` path component"),
            Self::Control => f.write_str("has a NUL or control character in its name"),
            Self::NotUtf8 => f.write_str("has a name that is not valid UTF-8"),
            Self::EmptyName => f.write_str("has an empty name"),
            Self::SymlinkEscapes(t) => {
                write!(f, "is a symlink pointing outside the archive (to `{t}`)")
            }
            Self::HardlinkEscapes(t) => {
                write!(f, "is a hard link pointing outside the archive (to `{t}`)")
            }
            Self::HardlinkUnknown(t) => {
                write!(
                    f,
                    "is a hard link to `{t}`, which is not an earlier file in the archive"
                )
            }
            Self::Device => f.write_str("is a device file"),
            Self::Fifo => f.write_str("is a FIFO"),
            Self::Unsupported(t) => write!(f, "has an unsupported type ({t})"),
            Self::Duplicate => f.write_str("appears more than once"),
            Self::ThroughLink(l) => write!(f, "lies under `{l}`, which is a link"),
            Self::Conflict => f.write_str("collides with an earlier entry"),
        }
    }
}

/// Private representation; `Display` is one line, causes live in `source()`.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Repr {
    #[error("invalid install request: {0}")]
    InvalidRequest(String),

    #[error(
        "refusing to install `{asset}` unverified: no checksums file entry or GitHub digest is available for it"
    )]
    NoDigest { asset: String },

    #[error(
        "sha256 mismatch for `{asset}`: {}, but the downloaded bytes hash to {actual}",
        expectations(mismatched)
    )]
    Mismatch {
        asset: String,
        actual: String,
        mismatched: Vec<ExpectedDigest>,
        matched: Vec<DigestSource>,
    },

    #[error("download of `{asset}` ended after {got} of the announced {expected} bytes")]
    Truncated {
        asset: String,
        got: u64,
        expected: u64,
    },

    #[error("download of `{asset}` sent more than the announced {expected} bytes")]
    Overlong { asset: String, expected: u64 },

    #[error("failed to read the download of `{asset}`")]
    Body {
        asset: String,
        #[source]
        source: io::Error,
    },

    #[error("refusing to install `{asset}`: archive entry `{entry}` {reason}")]
    UnsafeEntry {
        asset: String,
        entry: String,
        reason: Unsafe,
    },

    #[error("refusing to install `{asset}`: its zip directory lists the same name more than once")]
    DuplicateNames { asset: String },

    #[error("refusing to install `{asset}`: it unpacks to more than the limit of {limit} bytes")]
    TooLarge { asset: String, limit: u64 },

    #[error("refusing to install `{asset}`: it has more than the limit of {limit} entries")]
    TooManyEntries { asset: String, limit: u64 },

    #[error(
        "refusing to install `{asset}`: a tar extension header holds {size} bytes (limit {limit})"
    )]
    HeaderTooLarge {
        asset: String,
        size: u64,
        limit: u64,
    },

    #[error("`{asset}` is not a valid {format} file")]
    Corrupt {
        asset: String,
        format: AssetFormat,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    #[error("unpacking `{asset}` failed unexpectedly (the extraction thread panicked)")]
    ExtractorPanicked { asset: String },

    #[error(
        "binary `{wanted}` not found in `{asset}`{}",
        found_executables(executables)
    )]
    NotFound {
        asset: String,
        wanted: String,
        executables: Vec<String>,
    },

    #[error(
        "binary `{wanted}` is ambiguous in `{asset}`: candidates are {}",
        quoted(candidates)
    )]
    Ambiguous {
        asset: String,
        wanted: String,
        candidates: Vec<String>,
    },

    #[error("failed to {action} `{}`", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("receipt `{}` is not valid", path.display())]
    ReceiptInvalid {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },

    #[error("receipt `{}` has schema {found}, but this version reads schema {supported}", path.display())]
    ReceiptSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
}

impl Repr {
    /// An I/O error that names the path it concerns.
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

fn expectations(mismatched: &[ExpectedDigest]) -> String {
    let parts: Vec<String> = mismatched
        .iter()
        .map(|e| {
            format!(
                "the {} expects {}",
                e.source,
                e.sha256_hex.trim().to_ascii_lowercase()
            )
        })
        .collect();
    parts.join(" and ")
}

fn quoted(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|c| format!("`{c}`")).collect();
    parts.join(", ")
}

fn found_executables(executables: &[String]) -> String {
    if executables.is_empty() {
        String::new()
    } else {
        format!(" (executables in the archive: {})", quoted(executables))
    }
}

/// Renders archive-supplied bytes for messages: lossy UTF-8 with control characters escaped,
/// so a hostile name cannot drive the user's terminal.
pub(crate) fn display_name(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}
