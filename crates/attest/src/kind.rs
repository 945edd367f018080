//! Small vocabulary types: what kind of attestation, which trust root verified it, and the
//! asset digest it must be about.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// `https://slsa.dev/provenance/v1`, what `actions/attest-build-provenance` signs.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
/// Prefix of GitHub's release predicates (`…/release/v0.1`, `…/release/v0.2`).
pub const RELEASE_PREDICATE_PREFIX: &str = "https://in-toto.io/attestation/release/";

/// What an attestation vouches for, decided by who signed it and its predicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// GitHub's release attestation (immutable releases): the asset was published with this
    /// release, and the tag names this commit. Signed by GitHub's release signer.
    Release,
    /// SLSA build provenance signed in a GitHub Actions workflow of the origin.
    BuildProvenance,
    /// Another predicate signed in a GitHub Actions workflow of the origin (an SBOM, say).
    Other,
}

impl Kind {
    /// The kind's name as receipts and the tools lock record it (`release`,
    /// `build-provenance`, `other`: the serde spelling).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Release => "release",
            Kind::BuildProvenance => "build-provenance",
            Kind::Other => "other",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Release => "release",
            Kind::BuildProvenance => "build-provenance",
            Kind::Other => "workflow",
        })
    }
}

/// Which trusted root verified a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Instance {
    /// The embedded public-good Sigstore root (public repositories' build provenance).
    PublicGood,
    /// The embedded root of GitHub's own instance (release attestations, private
    /// repositories).
    Github,
    /// A root from `SKILLRIG_TRUSTED_ROOT`.
    Custom,
}

impl fmt::Display for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Instance::PublicGood => "public-good",
            Instance::Github => "github",
            Instance::Custom => "custom",
        })
    }
}

/// The digest of the asset an attestation must be about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AssetDigest {
    algorithm: Algorithm,
    hex: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Algorithm {
    Sha256,
    Sha512,
}

impl AssetDigest {
    /// A sha256 digest from 64 hex digits (either case).
    ///
    /// # Errors
    ///
    /// [`Error::BadDigest`] if it is not 64 hex digits.
    pub fn sha256(hex: &str) -> Result<AssetDigest, Error> {
        AssetDigest::new(Algorithm::Sha256, hex)
    }

    /// A sha512 digest from 128 hex digits (npm provenance uses these).
    ///
    /// # Errors
    ///
    /// [`Error::BadDigest`] if it is not 128 hex digits.
    pub fn sha512(hex: &str) -> Result<AssetDigest, Error> {
        AssetDigest::new(Algorithm::Sha512, hex)
    }

    /// `sha256:<hex>` or `sha512:<hex>`, as GitHub's asset `digest` field and the
    /// attestations API write them.
    ///
    /// # Errors
    ///
    /// [`Error::BadDigest`] for another algorithm or malformed hex.
    pub fn parse(text: &str) -> Result<AssetDigest, Error> {
        let bad = || Error::BadDigest {
            digest: text.to_owned(),
        };
        match text.trim().split_once(':') {
            Some(("sha256", hex)) => AssetDigest::sha256(hex).map_err(|_| bad()),
            Some(("sha512", hex)) => AssetDigest::sha512(hex).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }

    fn new(algorithm: Algorithm, hex: &str) -> Result<AssetDigest, Error> {
        let hex = hex.trim().to_ascii_lowercase();
        let len = match algorithm {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        };
        if hex.len() != len || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::BadDigest { digest: hex });
        }
        Ok(AssetDigest { algorithm, hex })
    }

    /// Lowercase hex digits.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    pub(crate) fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

impl fmt::Display for AssetDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.algorithm {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        };
        write!(f, "{name}:{}", self.hex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_parse_and_print_as_github_writes_them() {
        let hex = "AB".repeat(32);
        let d = AssetDigest::parse(&format!("sha256:{hex}")).unwrap();
        assert_eq!(d.to_string(), format!("sha256:{}", "ab".repeat(32)));
        assert_eq!(d, AssetDigest::sha256(&hex).unwrap());
        assert!(AssetDigest::parse(&format!("sha512:{}", "0".repeat(128))).is_ok());
        for bad in [
            "",
            "sha256:",
            "sha256:xyz",
            "md5:00",
            &format!("sha1:{}", "0".repeat(40)),
        ] {
            assert!(
                matches!(AssetDigest::parse(bad), Err(Error::BadDigest { .. })),
                "{bad}"
            );
        }
        assert!(AssetDigest::sha256(&"0".repeat(63)).is_err());
    }

    #[test]
    fn kinds_and_instances_serialize_in_kebab_case() {
        assert_eq!(
            serde_json::to_string(&Kind::BuildProvenance).unwrap(),
            "\"build-provenance\""
        );
        assert_eq!(
            serde_json::to_string(&Instance::PublicGood).unwrap(),
            "\"public-good\""
        );
        assert_eq!(Kind::Release.to_string(), "release");
        for kind in [Kind::Release, Kind::BuildProvenance, Kind::Other] {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::from(kind.name())
            );
        }
    }
}
