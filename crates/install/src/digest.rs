//! Verification material: where an expected sha256 came from, the verification policy, and the
//! comparison that decides whether anything may leave staging.
//!
//! Hashing uses the `sha2` crate, which detects the x86 SHA extensions (SHA-NI) and the ARMv8
//! SHA2 instructions at run time (via `cpufeatures`) and falls back to portable code elsewhere,
//! so no build flag is needed to get the fast path.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{InstallError, Repr};

/// Where an expected sha256 came from. Named in mismatch errors and recorded in the receipt.
///
/// Serialized (in the receipt) as an object tagged by `kind`:
/// `{"kind":"checksums-file","name":"jira_checksums.txt"}`, `{"kind":"github-digest"}`,
/// `{"kind":"user"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DigestSource {
    /// A line of a checksums file published with the release (GNU or BSD format).
    ChecksumsFile {
        /// The checksums file's asset name, e.g. `jira_checksums.txt`.
        name: String,
    },
    /// The `digest` (`sha256:<hex>`) GitHub reports for the release asset.
    GithubDigest,
    /// A digest supplied by the user, e.g. pinned in configuration.
    User,
    /// The project's tools lock (`.skillrig/tools-lock.json`), recorded by
    /// `skillrig-mise lock` when the team pinned this release.
    ToolsLock {
        /// The lock file, as shown to the user.
        path: String,
    },
}

impl fmt::Display for DigestSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ChecksumsFile { name } => write!(f, "checksums file `{name}`"),
            Self::GithubDigest => f.write_str("GitHub asset digest"),
            Self::User => f.write_str("user-supplied digest"),
            Self::ToolsLock { path } => write!(f, "tools lock `{path}`"),
        }
    }
}

/// One sha256 the asset must match, with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedDigest {
    /// 64 hex digits, either case; surrounding whitespace is ignored.
    pub sha256_hex: String,
    /// Where the digest came from.
    pub source: DigestSource,
}

impl ExpectedDigest {
    /// An expected digest from `source`.
    pub fn new(sha256_hex: impl Into<String>, source: DigestSource) -> Self {
        Self {
            sha256_hex: sha256_hex.into(),
            source,
        }
    }

    fn normalized(&self) -> String {
        self.sha256_hex.trim().to_ascii_lowercase()
    }
}

/// What to do when no digest is available for the asset.
///
/// The policy only matters when [`crate::InstallRequest::expected`] is empty: every digest that
/// *is* supplied is always checked, whatever the policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum VerifyPolicy {
    /// Refuse to install without at least one digest (the default).
    #[default]
    Required,
    /// Install without a digest, adding a loud warning to [`crate::Installed::warnings`].
    /// Corresponds to the per-tool mise option `verify = "none"`.
    AllowUnverified,
}

/// Checks the request's digests before anything is downloaded.
pub(crate) fn check_expected(
    asset: &str,
    expected: &[ExpectedDigest],
    policy: VerifyPolicy,
) -> Result<(), Repr> {
    for e in expected {
        let hex = e.normalized();
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Repr::InvalidRequest(format!(
                "the {} gives `{}` for `{asset}`, which is not a sha256 (64 hex digits)",
                e.source,
                crate::error::display_name(e.sha256_hex.as_bytes())
            )));
        }
    }
    if expected.is_empty() && policy == VerifyPolicy::Required {
        return Err(Repr::NoDigest {
            asset: asset.to_owned(),
        });
    }
    Ok(())
}

/// Compares the actual digest with every expected one; all must match.
/// Returns the sources that vouched for the asset.
pub(crate) fn verify(
    asset: &str,
    expected: &[ExpectedDigest],
    actual: &str,
) -> Result<Vec<DigestSource>, Repr> {
    let (ok, bad): (Vec<&ExpectedDigest>, Vec<&ExpectedDigest>) =
        expected.iter().partition(|e| e.normalized() == actual);
    let matched: Vec<DigestSource> = ok.into_iter().map(|e| e.source.clone()).collect();
    if bad.is_empty() {
        return Ok(dedup(matched));
    }
    Err(Repr::Mismatch {
        asset: asset.to_owned(),
        actual: actual.to_owned(),
        mismatched: bad.into_iter().cloned().collect(),
        matched: dedup(matched),
    })
}

fn dedup(sources: Vec<DigestSource>) -> Vec<DigestSource> {
    let mut out: Vec<DigestSource> = Vec::with_capacity(sources.len());
    for s in sources {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Lowercase hex of a finished hasher.
pub(crate) fn hex(hasher: Sha256) -> String {
    hex::encode(hasher.finalize())
}

/// The sha256 of a file, as 64 lowercase hex digits.
///
/// Reads in constant memory. Used to re-verify an installed binary against its receipt's
/// `bin_sha256`.
///
/// # Errors
///
/// An [`crate::ErrorKind::Io`] error naming `path` if it cannot be opened or read.
pub fn hash_file(path: impl AsRef<Path>) -> Result<String, InstallError> {
    Ok(hash_path(path.as_ref())?)
}

pub(crate) fn hash_path(path: &Path) -> Result<String, Repr> {
    let mut file = File::open(path).map_err(|e| Repr::io("open", path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; crate::stream::CHUNK];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Repr::io("read", path, e)),
        }
    }
    Ok(hex(hasher))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    const B: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    fn cs() -> DigestSource {
        DigestSource::ChecksumsFile {
            name: "t_checksums.txt".into(),
        }
    }

    #[test]
    fn expected_digests_are_validated_before_download() {
        let table: &[(&str, bool)] = &[
            (A, true),
            (&A.to_ascii_uppercase(), true),
            (
                " 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\r\n",
                true,
            ),
            ("9f86d0", false),
            (
                "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a",
                false,
            ),
            (
                "zz86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                false,
            ),
        ];
        for (hex, ok) in table {
            let r = check_expected(
                "a",
                &[ExpectedDigest::new(*hex, cs())],
                VerifyPolicy::Required,
            );
            assert_eq!(r.is_ok(), *ok, "{hex:?}");
        }
    }

    #[test]
    fn policy_decides_only_when_nothing_is_expected() {
        assert!(matches!(
            check_expected("a", &[], VerifyPolicy::Required),
            Err(Repr::NoDigest { .. })
        ));
        assert!(check_expected("a", &[], VerifyPolicy::AllowUnverified).is_ok());
    }

    #[test]
    fn every_source_must_match() {
        let both = [
            ExpectedDigest::new(A, cs()),
            ExpectedDigest::new(A, DigestSource::GithubDigest),
        ];
        assert_eq!(
            verify("a", &both, A).unwrap(),
            vec![cs(), DigestSource::GithubDigest]
        );

        let one_bad = [
            ExpectedDigest::new(A, cs()),
            ExpectedDigest::new(B, DigestSource::GithubDigest),
        ];
        let err = verify("a", &one_bad, A).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("GitHub asset digest expects 0000"), "{text}");
        assert!(text.contains(&format!("hash to {A}")), "{text}");
        assert!(!text.contains("checksums file"), "{text}");
        match err {
            Repr::Mismatch { matched, .. } => assert_eq!(matched, vec![cs()]),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn source_serialization_is_tagged() {
        let json = serde_json::to_string(&vec![cs(), DigestSource::GithubDigest]).unwrap();
        assert_eq!(
            json,
            r#"[{"kind":"checksums-file","name":"t_checksums.txt"},{"kind":"github-digest"}]"#
        );
    }
}
