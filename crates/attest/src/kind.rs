//! Small vocabulary types: what kind of attestation and which trust root verified it.

use std::fmt;

use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;

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
