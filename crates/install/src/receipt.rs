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
///   "attestations": {
///     "policy": "auto",
///     "status": "verified",
///     "verified": [{
///       "kind": "release",
///       "predicate_type": "https://in-toto.io/attestation/release/v0.2",
///       "signer": "https://dotcom.releases.github.com",
///       "instance": "github",
///       "signed_at": "2026-07-30T09:12:44Z",
///       "bundle_sha256": "<64 lowercase hex digits>",
///       "tag_commit": "0123456789abcdef0123456789abcdef01234567"
///     }]
///   },
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
/// | `attestations` | what the GitHub attestations check found ([`Attestations`]); absent in receipts written before it existed |
/// | `installed_at` | UTC time of the install, RFC 3339 with second precision |
///
/// `attestations.status` is `verified` (at least one attestation verified; each is listed in
/// `verified`), `absent` (GitHub lists none for the asset's digest), `unavailable` (they
/// could not be fetched under the `auto` policy; `reason` says why) or `not-checked` (policy
/// `off`, or nothing named the asset's digest before the download). Each verified entry
/// records its `kind` (`release`, `build-provenance` or `other`), `predicate_type`, the
/// `signer` (certificate identity: GitHub's release signer, or the workflow with its ref),
/// the OIDC `issuer` (build attestations only), the trusted root that verified it
/// (`instance`: `github`, `public-good` or `custom`), `signed_at`, the sha256 of the bundle's
/// canonical JSON (`bundle_sha256`) and, for a release attestation, the commit its tag names
/// (`tag_commit`).
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
    /// What the attestations check found; `None` in receipts written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestations: Option<Attestations>,
    /// Install time, UTC, RFC 3339 (`2026-08-01T12:00:00Z`).
    pub installed_at: String,
}

/// What the GitHub attestations check found at install time (see [`Receipt`]). Plain data:
/// the caller verifies, this crate records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestations {
    /// The policy applied: `auto`, `required` or `off`.
    pub policy: String,
    /// What was found.
    pub status: AttestationStatus,
    /// Why the attestations could not be checked (with [`AttestationStatus::Unavailable`] and
    /// [`AttestationStatus::NotChecked`]), one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Every attestation that verified.
    #[serde(default)]
    pub verified: Vec<AttestationRecord>,
}

impl Attestations {
    /// The commit a verified release attestation says the tag names, if one verified.
    pub fn tag_commit(&self) -> Option<&str> {
        self.verified
            .iter()
            .find(|a| a.kind == "release")
            .and_then(|a| a.tag_commit.as_deref())
    }
}

/// The outcome of the attestations check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttestationStatus {
    /// At least one attestation verified.
    Verified,
    /// GitHub lists no attestation for the asset's digest.
    Absent,
    /// They could not be fetched (policy `auto`, which goes on without them).
    Unavailable,
    /// Not looked at: policy `off`, or no digest was known before the download.
    NotChecked,
    /// A status a newer version wrote.
    #[serde(other)]
    Unknown,
}

/// One attestation that verified for the installed asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationRecord {
    /// `release`, `build-provenance` or `other`.
    pub kind: String,
    /// The in-toto predicate type.
    pub predicate_type: String,
    /// The signing certificate's identity.
    pub signer: String,
    /// The certificate's OIDC issuer (build attestations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The trusted root that verified it: `github`, `public-good` or `custom`.
    pub instance: String,
    /// The verified signing time, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    /// sha256 of the bundle's canonical JSON, lowercase hex.
    pub bundle_sha256: String,
    /// For a release attestation, the commit its tag names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_commit: Option<String>,
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
    /// What the attestations check found, if the caller made one.
    pub attestations: Option<Attestations>,
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

        // A receipt written before attestations were recorded reads as `None`; a status from
        // a newer version reads as `Unknown`.
        let old = r#"{"schema": 1, "origin": "acme/tools", "host": "github.com",
            "tool": "acme/tools/jira", "version": "1.7.0", "tag": "1.7.0+jira",
            "release_commit": null, "asset": "a.tar.gz", "asset_sha256": "00", "bin": "bin/jira",
            "bin_sha256": "00", "verified_by": [], "installed_at": "2026-01-01T00:00:00Z"}"#;
        write(old);
        assert_eq!(read_receipt(dir.path()).unwrap().attestations, None);
        write(&old.replace(
            r#""verified_by": []"#,
            r#""verified_by": [], "attestations": {"policy": "auto", "status": "revoked"}"#,
        ));
        let read = read_receipt(dir.path()).unwrap().attestations.unwrap();
        assert_eq!(read.status, AttestationStatus::Unknown);
        assert!(read.verified.is_empty());

        fs::remove_file(receipt_path(dir.path())).unwrap();
        assert_eq!(
            read_receipt(dir.path()).unwrap_err().kind(),
            crate::ErrorKind::Io
        );
    }
}
