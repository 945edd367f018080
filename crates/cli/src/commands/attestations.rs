//! GitHub attestations of a release asset, for `install` and `lock`: which policy applies,
//! fetching the bundles by the asset's digest, judging them with the `attest` crate, and what
//! the receipt and the tools lock record.
//!
//! # Which policy
//!
//! One rule, [`resolve_policy`]: the tool's `attestations` option, else the origin's
//! `[[binaries]]` entry, else `attestations` in `hosts.toml` (the host's table, then
//! `[default]`; the user's file over the system-wide one), else `auto`; the origin's entry
//! cannot lower a `required` from `hosts.toml`. The signer-workflow
//! pattern comes from the option, else the `[[binaries]]` entry; GitHub Enterprise's release
//! signer from the host's table in `hosts.toml`.
//!
//! # When
//!
//! Attestations are looked up by the asset's sha256 as the release describes it before the
//! download (GitHub's asset digest, else the tools lock's, else the checksums file's), and
//! judged before a byte of the body is read. `install` then requires the downloaded bytes to
//! match that same digest, so a verified attestation covers exactly what is placed, and a
//! refused one leaves nothing installed. Under `auto`, an attestation that exists and fails is
//! still a failure; one that cannot be fetched (a token without `Attestations: read`, an
//! outage) is a warning and is recorded as unavailable. Under `required` both fail.
//!
//! # Cost
//!
//! One request per asset digest (`releases::GitHub::attestations`), none warm: listed
//! attestations stay fresh for 24 hours, "none" for the client's usual window. Verification is
//! CPU only (a few milliseconds per bundle; `docs/benchmarks.md`).

use attest::{Assessment, AssetDigest, Expected, Policy};
use install::{AttestationRecord, AttestationStatus, Attestations};
use origin_meta::SpecSource;
use releases::AttestationBundle;

use crate::commands::origin::Resolved;
use crate::options::ToolOptions;
use crate::report::Failure;
use crate::session::Session;

/// Where the policy in force came from (for logs and messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicySource {
    /// The tool's `attestations` option.
    Option,
    /// The origin's metadata entry for the binary.
    Metadata(SpecSource),
    /// `hosts.toml`.
    HostsToml,
    /// Nothing said: `auto`.
    Default,
}

impl std::fmt::Display for PolicySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicySource::Option => f.write_str("the tool's `attestations` option"),
            PolicySource::Metadata(file) => write!(f, "the origin's {file}"),
            PolicySource::HostsToml => f.write_str("hosts.toml"),
            PolicySource::Default => f.write_str("the default"),
        }
    }
}

/// The one precedence rule: option > metadata > hosts.toml > `auto`, except that the origin's
/// metadata cannot lower a `required` that this machine's `hosts.toml` sets: the origin is a
/// remote party, and a fleet that requires attestations must not be talked out of it by the
/// repository it installs from. (The user's own option still decides for their project.)
pub fn resolve_policy(
    option: Option<Policy>,
    metadata: Option<(Policy, SpecSource)>,
    hosts_toml: Option<Policy>,
) -> (Policy, PolicySource) {
    if let Some(policy) = option {
        return (policy, PolicySource::Option);
    }
    if let Some((policy, file)) = metadata {
        if hosts_toml == Some(Policy::Required) && policy != Policy::Required {
            return (Policy::Required, PolicySource::HostsToml);
        }
        return (policy, PolicySource::Metadata(file));
    }
    if let Some(policy) = hosts_toml {
        return (policy, PolicySource::HostsToml);
    }
    (Policy::Auto, PolicySource::Default)
}

/// Everything that decides how a tool's attestations are judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The policy in force.
    pub policy: Policy,
    /// Where it came from.
    pub source: PolicySource,
    /// The pattern build provenance's signer workflow must match.
    pub signer_workflow: Option<String>,
    /// GitHub's release signer on an Enterprise host (`hosts.toml`).
    pub release_signer: Option<String>,
}

impl Settings {
    /// The settings for `resolved` with `opts`.
    ///
    /// # Errors
    ///
    /// A usage failure for an `attestations` or `signer_workflow` option that does not parse.
    pub fn of(
        session: &Session,
        resolved: &Resolved,
        opts: &ToolOptions,
    ) -> Result<Settings, Failure> {
        let host = session
            .resolver()
            .config()
            .for_host(resolved.address.host());
        let spec = &resolved.spec;
        let (policy, source) = resolve_policy(
            opts.attestations()?,
            spec.attestations().map(|p| (p, spec.source())),
            host.attestations,
        );
        let signer_workflow = match opts.signer_workflow()? {
            Some(pattern) => Some(pattern.to_owned()),
            None => spec.signer_workflow().map(str::to_owned),
        };
        tracing::debug!(%policy, from = %source, ?signer_workflow, "attestations policy");
        Ok(Settings {
            policy,
            source,
            signer_workflow,
            release_signer: host.release_signer,
        })
    }

    /// Returns true if and only if attestations are looked up at all.
    pub fn enabled(&self) -> bool {
        self.policy != Policy::Off
    }
}

/// Lists the attestations `resolved`'s origin keeps for the asset with sha256 `hex`.
pub(crate) fn fetch(
    resolved: &Resolved,
    hex: &str,
) -> Result<Vec<AttestationBundle>, releases::Error> {
    let (owner, repo) = (resolved.address.owner(), resolved.address.repo());
    resolved
        .client
        .attestations(owner, repo, &format!("sha256:{}", hex.to_ascii_lowercase()))
}

/// What [`judge`] decided.
pub(crate) struct Judged {
    /// What the receipt records.
    pub(crate) record: Attestations,
    /// What verified, when the bundles were judged.
    pub(crate) assessment: Option<Assessment>,
}

impl Judged {
    fn not_checked(settings: &Settings, reason: Option<String>) -> Judged {
        Judged {
            record: Attestations {
                policy: settings.policy.to_string(),
                status: AttestationStatus::NotChecked,
                reason,
                verified: Vec::new(),
            },
            assessment: None,
        }
    }

    /// The commit a verified release attestation says the tag names.
    pub(crate) fn tag_commit(&self) -> Option<&str> {
        self.assessment.as_ref().and_then(Assessment::tag_commit)
    }
}

/// Applies the policy to what [`fetch`] returned (`None`: nothing was fetched, because the
/// policy is `off` or no digest was known) for `asset_name` of release `tag`.
///
/// # Errors
///
/// An attestation that fails verification (any policy but `off`); under `required`, none
/// that verifies, no digest to look them up by, or a failed fetch. Each is one line naming
/// the asset and what failed, with a hint.
pub(crate) fn judge(
    session: &Session,
    resolved: &Resolved,
    settings: &Settings,
    tag: &str,
    asset_name: &str,
    hex: Option<&str>,
    fetched: Option<Result<Vec<AttestationBundle>, releases::Error>>,
) -> Result<Judged, Failure> {
    let (owner, repo) = (resolved.address.owner(), resolved.address.repo());
    let what = format!("`{asset_name}` of {owner}/{repo} {tag}");
    let required = settings.policy == Policy::Required;
    if !settings.enabled() {
        return Ok(Judged::not_checked(
            settings,
            Some("`attestations = \"off\"`".to_owned()),
        ));
    }
    let (Some(hex), Some(fetched)) = (hex, fetched) else {
        let reason = "nothing named the asset's sha256 before the download (no GitHub digest, \
                      tools lock entry or checksums file)";
        if required {
            return Err(
                Failure::new(format!("cannot check the attestations of {what}: {reason}")).hint(
                    format!(
                        "attestations are found by the asset's digest; ask the origin to publish a \
                 checksums file, or set `attestations = \"auto\"` for this tool (required by {})",
                        settings.source
                    ),
                ),
            );
        }
        return Ok(Judged::not_checked(settings, Some(reason.to_owned())));
    };
    let bundles = match fetched {
        Ok(bundles) => bundles,
        Err(e) => {
            let failure = session.explain(resolved.address.host(), &e);
            if required {
                return Err(failure.context(format!("cannot fetch the attestations of {what}")));
            }
            crate::warn(&format!(
                "the attestations of {what} could not be fetched, so they are not checked: {}",
                failure.message()
            ));
            return Ok(Judged {
                record: Attestations {
                    policy: settings.policy.to_string(),
                    status: AttestationStatus::Unavailable,
                    reason: Some(failure.message().to_owned()),
                    verified: Vec::new(),
                },
                assessment: None,
            });
        }
    };
    let digest = AssetDigest::sha256(hex).map_err(|e| Failure::from_error(&e))?;
    let mut expected = Expected::new(resolved.address.host().as_str(), owner, repo, tag, digest);
    expected.signer_workflow = settings.signer_workflow.clone();
    expected.release_signer = settings.release_signer.clone();
    // The roots load even when GitHub lists nothing, so a broken SKILLRIG_TRUSTED_ROOT is
    // reported at once rather than on the first attested release.
    let roots = session.trust_roots()?;
    let assessment = attest::assess(&bundles, &expected, roots, settings.policy).map_err(|e| {
        let failure = Failure::from_error(&e).context(format!("refusing {what}"));
        match e {
            attest::Error::Missing { .. } => {
                failure.hint(format!("`required` comes from {}", settings.source))
            }
            _ => failure,
        }
    })?;
    let status = if assessment.verified.is_empty() {
        AttestationStatus::Absent
    } else {
        AttestationStatus::Verified
    };
    tracing::debug!(
        verified = assessment.verified.len(),
        skipped = assessment.skipped,
        "attestations of {asset_name}"
    );
    Ok(Judged {
        record: Attestations {
            policy: settings.policy.to_string(),
            status,
            reason: None,
            verified: assessment.verified.iter().map(record).collect(),
        },
        assessment: Some(assessment),
    })
}

/// A verified attestation as the receipt records it.
fn record(v: &attest::Verified) -> AttestationRecord {
    AttestationRecord {
        kind: v.kind.name().to_owned(),
        predicate_type: v.predicate_type.clone(),
        signer: v.signer.clone(),
        issuer: v.issuer.clone(),
        instance: v.instance.to_string(),
        signed_at: v.signed_at.clone(),
        bundle_sha256: v.bundle_sha256.clone(),
        tag_commit: v.tag_commit.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_beats_metadata_beats_hosts_toml_beats_auto() {
        let meta = Some((Policy::Off, SpecSource::OriginToml));
        assert_eq!(
            resolve_policy(Some(Policy::Required), meta, Some(Policy::Off)),
            (Policy::Required, PolicySource::Option)
        );
        assert_eq!(
            resolve_policy(None, meta, Some(Policy::Auto)),
            (Policy::Off, PolicySource::Metadata(SpecSource::OriginToml))
        );
        // The origin cannot lower the machine's `required`.
        assert_eq!(
            resolve_policy(None, meta, Some(Policy::Required)),
            (Policy::Required, PolicySource::HostsToml)
        );
        assert_eq!(
            resolve_policy(None, None, Some(Policy::Required)),
            (Policy::Required, PolicySource::HostsToml)
        );
        assert_eq!(
            resolve_policy(None, None, None),
            (Policy::Auto, PolicySource::Default)
        );
        assert_eq!(
            PolicySource::Metadata(SpecSource::IndexJson).to_string(),
            "the origin's index.json"
        );
    }
}
