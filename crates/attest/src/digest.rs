//! The asset digest an attestation must be about, as GitHub writes it (`sha256:<hex>`).

use std::fmt;

use crate::error::Error;

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
}
