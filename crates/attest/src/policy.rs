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

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::expect::Expected;
use crate::kind::Kind;
use crate::roots::TrustRoots;
use crate::verify::{Verified, verify_bundle};

/// `attestations = "auto" | "required" | "off"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Verify what exists and record it; no attestation is fine.
    #[default]
    Auto,
    /// Fail an install with no valid attestation.
    Required,
    /// Do not look.
    Off,
}

impl Policy {
    /// The accepted spellings, for messages.
    pub const VALUES: &'static str = "\"auto\", \"required\" or \"off\"";
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Policy::Auto => "auto",
            Policy::Required => "required",
            Policy::Off => "off",
        })
    }
}

/// A policy name that is not one of [`Policy::VALUES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`attestations = \"{0}\"` is not a policy: use {values}", values = Policy::VALUES)]
pub struct UnknownPolicy(pub String);

impl FromStr for Policy {
    type Err = UnknownPolicy;

    fn from_str(s: &str) -> Result<Policy, UnknownPolicy> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Policy::Auto),
            "required" => Ok(Policy::Required),
            "off" => Ok(Policy::Off),
            _ => Err(UnknownPolicy(s.to_owned())),
        }
    }
}

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
    fn policies_parse_and_print() {
        for (text, policy) in [
            ("auto", Policy::Auto),
            ("Required", Policy::Required),
            (" off ", Policy::Off),
        ] {
            assert_eq!(text.parse::<Policy>().unwrap(), policy);
            assert_eq!(policy.to_string(), text.trim().to_ascii_lowercase());
        }
        let err = "yes".parse::<Policy>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`attestations = \"yes\"` is not a policy: use \"auto\", \"required\" or \"off\""
        );
        assert_eq!(Policy::default(), Policy::Auto);
    }
}
