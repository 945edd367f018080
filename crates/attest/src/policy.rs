//! The per-tool policy and the decision over every attestation GitHub lists for an asset.
//!
//! | policy | none listed | some verify | one fails |
//! |---|---|---|---|
//! | `off` | not fetched, nothing recorded | — | — |
//! | `auto` (default) | recorded as absent | recorded | the install fails |
//! | `required` | the install fails | recorded | the install fails |
//!
//! An attestation that exists is always checked, whatever the policy (like a checksums
//! file): one that fails means the asset or its attestation is not what the origin
//! published. The one exception is a release attestation of the same repository for
//! another tag (the same bytes published twice), which is skipped.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::expect::Expected;
use crate::kind::Kind;
use crate::roots::TrustRoots;
use crate::verify::{Verified, verify_bundle};

/// `attestations = "auto" | "required" | "off"`: origin-meta's [`origin_meta::AttestationPolicy`]
/// (the value an origin's metadata, a tool option and `hosts.toml` share), under this
/// crate's name.
pub use origin_meta::AttestationPolicy as Policy;
pub use origin_meta::UnknownPolicy;

/// What [`assess`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// The policy applied.
    pub policy: Policy,
    /// Every attestation that verified (empty: none exists, or the policy is `off`).
    pub verified: Vec<Verified>,
    /// Release attestations of other tags of the same bytes, skipped.
    pub skipped: usize,
}

impl Assessment {
    /// The tag's commit as GitHub's release attestation signed it, if one verified.
    pub fn tag_commit(&self) -> Option<&str> {
        self.verified
            .iter()
            .find(|v| v.kind == Kind::Release)
            .and_then(|v| v.tag_commit.as_deref())
    }
}

/// Applies `policy` to `bundles`: every attestation bundle listed for the asset, as JSON
/// (`releases::AttestationBundle` is one).
///
/// # Errors
///
/// The first bundle that fails [`verify_bundle`] (other than [`Error::OtherRelease`]); with
/// [`Policy::Required`] and nothing verified, [`Error::Missing`].
pub fn assess<B: AsRef<[u8]>>(
    bundles: &[B],
    expected: &Expected,
    roots: &TrustRoots,
    policy: Policy,
) -> Result<Assessment, Error> {
    let mut assessment = Assessment {
        policy,
        ..Assessment::default()
    };
    if policy == Policy::Off {
        return Ok(assessment);
    }
    for bundle in bundles {
        match verify_bundle(bundle.as_ref(), expected, roots) {
            Ok(v) => {
                // The same bundle listed twice is recorded once.
                if !assessment
                    .verified
                    .iter()
                    .any(|w| w.bundle_sha256 == v.bundle_sha256)
                {
                    assessment.verified.push(v);
                }
            }
            Err(Error::OtherRelease { .. }) => assessment.skipped += 1,
            Err(e) => return Err(e),
        }
    }
    if policy == Policy::Required && assessment.verified.is_empty() {
        return Err(Error::Missing {
            repository: expected.repository(),
            digest: expected.digest.to_string(),
            skipped: assessment.skipped,
        });
    }
    Ok(assessment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_is_origin_metas() {
        assert_eq!("required".parse::<Policy>(), Ok(Policy::Required));
        assert_eq!(Policy::default(), Policy::Auto);
        assert!("Required".parse::<Policy>().is_err(), "one spelling");
    }
}
