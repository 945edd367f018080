//! The install receipt: what was installed and how it was verified. The schema is documented
//! on [`Receipt`].

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::DigestSource;
use crate::error::{InstallError, Repr};

/// The receipt schema this crate writes and the newest it reads.
pub const RECEIPT_SCHEMA: u32 = 1;

/// Directory (under the install path) holding the receipt.
pub(crate) const RECEIPT_DIR: &str = ".skillrig";
/// Receipt file name inside [`RECEIPT_DIR`].
pub(crate) const RECEIPT_FILE: &str = "receipt.json";

/// Where a tool's receipt lives: `<install_path>/.skillrig/receipt.json`.
pub fn receipt_path(install_path: impl AsRef<Path>) -> PathBuf {
    install_path.as_ref().join(RECEIPT_DIR).join(RECEIPT_FILE)
}

/// What was installed, where from, and how it was verified.
///
/// # Location and schema
///
/// `<install_path>/.skillrig/receipt.json`, renamed into place right after the binary (each
/// rename is atomic; if the receipt cannot be placed, the new binary is removed again).
///
/// ```json
/// {
///   "schema": 1,
///   "origin": "acme/tools",
///   "host": "github.com",
///   "tool": "jira",
///   "version": "1.7.0",
///   "tag": "1.7.0+jira",
///   "release_commit": "0123456789abcdef0123456789abcdef01234567",
///   "asset": "jira_1.7.0_linux_amd64.tar.gz",
///   "asset_sha256": "<64 lowercase hex digits>",
///   "bin": "bin/jira",
///   "bin_sha256": "<64 lowercase hex digits>",
///   "verified_by": [
///     { "kind": "checksums-file", "name": "jira_checksums.txt" },
///     { "kind": "github-digest" }
///   ],
///   "installed_at": "2026-08-01T12:00:00Z"
/// }
/// ```
///
/// | field | meaning |
/// |---|---|
/// | `schema` | receipt format version; readers refuse a schema newer than [`RECEIPT_SCHEMA`] |
/// | `origin`, `host` | the origin repository (`owner/repo`) and its GitHub host |
/// | `tool`, `version`, `tag` | the tool, its version, and the release tag it came from |
/// | `release_commit` | the commit the tag points to, or `null` when unknown |
/// | `asset`, `asset_sha256` | the downloaded asset and the sha256 of its bytes |
/// | `bin`, `bin_sha256` | the binary, relative to the install path, and its sha256 (re-check it with [`crate::hash_file`]) |
/// | `verified_by` | the digest sources that matched; empty when installed with `verify = "none"` |
/// | `installed_at` | UTC time of the install, RFC 3339 with second precision |
///
/// Unknown fields are ignored when reading, so later versions can add fields without a schema
/// bump; a change of meaning bumps `schema`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Receipt format version ([`RECEIPT_SCHEMA`] when written by this crate).
    pub schema: u32,
    /// Origin repository, `owner/repo`.
    pub origin: String,
    /// GitHub host of the origin, e.g. `github.com`.
    pub host: String,
    /// Tool (binary) name.
    pub tool: String,
    /// Installed version.
    pub version: String,
    /// Release tag the asset came from.
    pub tag: String,
    /// Commit the tag points to, if known.
    pub release_commit: Option<String>,
    /// Asset file name.
    pub asset: String,
    /// sha256 of the asset bytes, lowercase hex.
    pub asset_sha256: String,
    /// Binary path relative to the install path, `/`-separated (`bin/jira`).
    pub bin: String,
    /// sha256 of the installed binary, lowercase hex.
    pub bin_sha256: String,
    /// Digest sources that matched the asset; empty if installed unverified.
    pub verified_by: Vec<DigestSource>,
    /// Install time, UTC, RFC 3339 (`2026-08-01T12:00:00Z`).
    pub installed_at: String,
}

/// The caller-supplied facts recorded in the receipt (everything the crate cannot compute).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptInfo {
    /// Origin repository, `owner/repo`.
    pub origin: String,
    /// GitHub host of the origin.
    pub host: String,
    /// Tool name.
    pub tool: String,
    /// Version being installed.
    pub version: String,
    /// Release tag.
    pub tag: String,
    /// Commit the tag points to, if known.
    pub release_commit: Option<String>,
}

/// Reads and checks the receipt of the tool installed at `install_path`.
///
/// # Errors
///
/// [`crate::ErrorKind::Io`] if the file cannot be read (including when it does not exist:
/// check the error's source for [`std::io::ErrorKind::NotFound`]);
/// [`crate::ErrorKind::Receipt`] if it is not valid JSON of this schema or has a newer schema.
pub fn read_receipt(install_path: impl AsRef<Path>) -> Result<Receipt, InstallError> {
    let path = receipt_path(install_path);
    let bytes = fs::read(&path).map_err(|e| Repr::io("read", &path, e))?;
    // Look at the schema first so a newer receipt gets a clear message, not a missing-field one.
    #[derive(Deserialize)]
    struct Version {
        schema: u32,
    }
    let version: Version =
        serde_json::from_slice(&bytes).map_err(|source| Repr::ReceiptInvalid {
            path: path.clone(),
            source,
        })?;
    if version.schema > RECEIPT_SCHEMA || version.schema == 0 {
        return Err(Repr::ReceiptSchema {
            path,
            found: version.schema,
            supported: RECEIPT_SCHEMA,
        }
        .into());
    }
    serde_json::from_slice(&bytes).map_err(|source| Repr::ReceiptInvalid { path, source }.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_or_broken_receipts_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(RECEIPT_DIR)).unwrap();
        let write = |s: &str| fs::write(receipt_path(dir.path()), s).unwrap();

        write(r#"{"schema": 2, "whatever": true}"#);
        let err = read_receipt(dir.path()).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Receipt);
        assert!(
            err.to_string()
                .ends_with("has schema 2, but this version reads schema 1"),
            "{err}"
        );

        write(r#"{"schema": 1}"#);
        assert_eq!(
            read_receipt(dir.path()).unwrap_err().kind(),
            crate::ErrorKind::Receipt
        );

        fs::remove_file(receipt_path(dir.path())).unwrap();
        assert_eq!(
            read_receipt(dir.path()).unwrap_err().kind(),
            crate::ErrorKind::Io
        );
    }
}
