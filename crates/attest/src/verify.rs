//! Verifying one bundle: first the Sigstore checks (sigstore-verify, against each trusted
//! root until one accepts it), then who signed it and what its statement says, per kind.
//!
//! | kind | signer | statement |
//! |---|---|---|
//! | release | certificate SAN = the host's release signer (`https://dotcom.releases.github.com` on github.com), no OIDC issuer, no Actions claims, not the public-good instance | predicate `https://in-toto.io/attestation/release/v0.*` whose `repository` is the origin and `tag` the release; a `pkg:github/<owner>/<repo>@<tag>` subject whose sha1 is the tag's commit |
//! | build provenance / workflow | OIDC issuer = the host's GitHub Actions; source repository extension = `https://<host>/<owner>/<repo>`; signer workflow matches the optional pattern | any predicate (`https://slsa.dev/provenance/v1` is build provenance) |
//!
//! sigstore-verify checks that the statement's subjects include the asset digest, the DSSE
//! signature with the certificate's key, the chain to the root's Fulcio CA at the signing
//! time, that time from RFC 3161 timestamps (or Rekor), the log entry and SCT where the
//! root has logs. An expired certificate is fine if a trusted timestamp shows it signed
//! while valid; without one, nothing is accepted.

use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use sigstore_verify::types::{ArtifactDigest, Bundle, HashAlgorithm, SignatureContent};
use sigstore_verify::{CertificateError, Error as SvError, TimestampError, TransparencyLogError};

use crate::digest::{Algorithm, AssetDigest};
use crate::error::{Error, one_line};
use crate::expect::{Expected, signer_workflow_of, workflow_matches};
use crate::kind::{Instance, Kind, RELEASE_PREDICATE_PREFIX, SLSA_PROVENANCE_V1};
use crate::roots::{Root, TrustRoots};

/// What the Sigstore layer established about a bundle: it is signed, by a certificate
/// chaining to one of the trusted roots at a verified time, over a statement (or message)
/// about the asset. Who signed it is not yet judged: see [`verify_bundle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The trusted root that verified it.
    pub instance: Instance,
    /// The certificate's identity (its SAN URI or email).
    pub identity: Option<String>,
    /// The certificate's OIDC issuer extension.
    pub issuer: Option<String>,
    /// The earliest verified signing time, RFC 3339.
    pub signed_at: Option<String>,
    /// Fulcio's source repository extension (`https://<host>/<owner>/<repo>`), or the
    /// deprecated GitHub workflow repository (`owner/repo`) on older certificates.
    pub source_repository: Option<String>,
    /// Fulcio's build signer URI (the signing workflow with its ref).
    pub build_signer: Option<String>,
    /// Whether the certificate carries any CI (GitHub Actions) claims.
    pub has_ci_claims: bool,
    /// The verified DSSE payload (an in-toto statement); `None` for a message signature.
    pub payload: Option<Vec<u8>>,
    /// sha256 of the bundle's RFC 8785 canonical JSON (see [`bundle_sha256`]).
    pub bundle_sha256: String,
}

/// An attestation that passed every check for an install: what to record in the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verified {
    /// Release attestation, build provenance, or another workflow-signed predicate.
    pub kind: Kind,
    /// The statement's predicate type.
    pub predicate_type: String,
    /// The signer: the certificate SAN (the release signer, or the workflow URI with ref).
    pub signer: String,
    /// The certificate's OIDC issuer (`None` for release attestations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The trusted root that verified it.
    pub instance: Instance,
    /// The earliest verified signing time, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    /// sha256 of the bundle's canonical JSON (see [`bundle_sha256`]).
    pub bundle_sha256: String,
    /// For a release attestation: the commit its tag names (the `pkg:github/…@tag`
    /// subject's sha1), signed by GitHub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_commit: Option<String>,
}

/// sha256 (lowercase hex) of a bundle's RFC 8785 canonical JSON, so the same bundle has the
/// same digest however it was transported or pretty-printed.
///
/// # Errors
///
/// [`Error::Malformed`] if `bundle_json` is not JSON.
pub fn bundle_sha256(bundle_json: &[u8]) -> Result<String, Error> {
    let value: serde_json::Value =
        serde_json::from_slice(bundle_json).map_err(|e| Error::Malformed {
            reason: one_line(e),
        })?;
    let canonical = serde_json_canonicalizer::to_vec(&value).map_err(|e| Error::Malformed {
        reason: one_line(e),
    })?;
    Ok(hex::encode(Sha256::digest(canonical)))
}

/// The Sigstore checks alone: `bundle_json` is a valid bundle for an artifact with
/// `digest`, signed under one of `roots`. Says nothing about who signed.
///
/// # Errors
///
/// [`Error::Malformed`], [`Error::WrongSubject`], [`Error::BadSignature`],
/// [`Error::NotValidAtSigning`] or [`Error::Untrusted`]; with several roots, the error of
/// the root that got furthest.
pub fn verify_signature(
    bundle_json: &[u8],
    digest: &AssetDigest,
    roots: &TrustRoots,
) -> Result<Signed, Error> {
    let bundle_sha256 = bundle_sha256(bundle_json)?;
    let text = std::str::from_utf8(bundle_json).map_err(|e| Error::Malformed {
        reason: one_line(e),
    })?;
    let bundle = Bundle::from_json(text).map_err(|e| Error::Malformed {
        reason: one_line(e),
    })?;
    let bytes = hex::decode(digest.hex()).map_err(|_| Error::BadDigest {
        digest: digest.to_string(),
    })?;
    let algorithm = match digest.algorithm() {
        Algorithm::Sha256 => HashAlgorithm::Sha2256,
        Algorithm::Sha512 => HashAlgorithm::Sha2512,
    };
    let artifact = ArtifactDigest::new(algorithm, bytes).map_err(|_| Error::BadDigest {
        digest: digest.to_string(),
    })?;

    // A root with a transparency log requires a log entry, so a bundle without one (GitHub's
    // instance) can only be verified by roots without logs. Bundles with entries try the
    // roots with logs first, so that on ties the error reported is the most relevant one.
    let logged = !bundle.verification_material.tlog_entries.is_empty();
    let stamped = !bundle
        .verification_material
        .timestamp_verification_data
        .rfc3161_timestamps
        .is_empty();
    if !logged && !stamped {
        // Signing certificates live for minutes; without a trusted time nothing shows the
        // signature was made while the certificate was valid.
        return Err(Error::NotValidAtSigning {
            reason: "it carries neither an RFC 3161 timestamp nor a transparency-log entry"
                .to_owned(),
        });
    }
    let mut order: Vec<&Root> = roots
        .roots
        .iter()
        .filter(|r| logged || !r.has_tlog)
        .collect();
    order.sort_by_key(|r| r.has_tlog != logged);

    let mut best: Option<(u8, SvError)> = None;
    for root in order {
        match root
            .verifier
            .verify(artifact.clone(), &bundle, &root.policy)
        {
            Ok(result) => {
                let cert = result.certificate();
                let ci = cert.map(|c| &c.ci_claims);
                let payload = match &bundle.content {
                    SignatureContent::DsseEnvelope(env) => Some(env.payload.as_bytes().to_vec()),
                    _ => None,
                };
                return Ok(Signed {
                    instance: root.instance,
                    identity: result.identity().map(|s| s.as_str().to_owned()),
                    issuer: result.issuer().map(str::to_owned),
                    signed_at: result
                        .verified_timestamps()
                        .iter()
                        .min()
                        .map(|t| t.to_string()),
                    source_repository: ci.and_then(|c| {
                        c.source_repository_uri
                            .clone()
                            .or_else(|| c.deprecated_github.workflow_repository.clone())
                    }),
                    build_signer: ci.and_then(|c| c.build_signer_uri.clone()),
                    has_ci_claims: ci.is_some_and(|c| !c.is_empty()),
                    payload,
                    bundle_sha256,
                });
            }
            Err(e) => {
                let rank = relevance(&e);
                if best.as_ref().is_none_or(|(r, _)| rank > *r) {
                    best = Some((rank, e));
                }
            }
        }
    }
    Err(match best {
        Some((_, e)) => classify(e, digest),
        None => Error::Untrusted {
            reason: "the bundle has no transparency-log entry, and every trusted root requires one"
                .to_owned(),
        },
    })
}

/// How far verification got before `e`: errors that only say "not this root" rank lowest.
fn relevance(e: &SvError) -> u8 {
    if chain_time_error(e) {
        return 2;
    }
    match e {
        SvError::Certificate(
            CertificateError::ChainInvalid(_) | CertificateError::NoValidAuthority { .. },
        )
        | SvError::TransparencyLog(TransparencyLogError::UnknownLog { .. })
        | SvError::InvalidTrustRoot(_)
        | SvError::TrustRoot(_)
        | SvError::TrustedCertificate(_) => 0,
        SvError::Timestamp(_) => 1,
        SvError::TransparencyLog(_) => 2,
        _ => 3,
    }
}

/// webpki reports a certificate that was not valid at the signing time as a chain error
/// (`CertExpired`, `CertNotValidYet`); only its text tells it from an untrusted chain.
fn chain_time_error(e: &SvError) -> bool {
    matches!(e, SvError::Certificate(CertificateError::ChainInvalid(detail))
        if detail.contains("CertExpired") || detail.contains("CertNotValidYet"))
}

fn classify(e: SvError, digest: &AssetDigest) -> Error {
    let reason = one_line(&e);
    if chain_time_error(&e) {
        return Error::NotValidAtSigning { reason };
    }
    match e {
        SvError::ArtifactMismatch(_) => Error::WrongSubject {
            digest: digest.to_string(),
            reason,
        },
        SvError::SignatureInvalid(_) => Error::BadSignature { reason },
        // A timestamp whose message imprint is not the signature's hash was made for
        // another signature: the signature (or the timestamp) was changed.
        SvError::Timestamp(TimestampError::Invalid(ref detail))
            if detail.to_ascii_lowercase().contains("hash mismatch") =>
        {
            Error::BadSignature { reason }
        }
        SvError::Certificate(
            CertificateError::Expired { .. } | CertificateError::NotYetValid { .. },
        )
        | SvError::Timestamp(TimestampError::NoVerifiedTimestamp(_)) => {
            Error::NotValidAtSigning { reason }
        }
        SvError::Certificate(CertificateError::Malformed(_))
        | SvError::InvalidBundle(_)
        | SvError::UnsupportedBundle(_)
        | SvError::Bundle(_)
        | SvError::Types(_) => Error::Malformed { reason },
        _ => Error::Untrusted { reason },
    }
}

/// Everything: the Sigstore checks ([`verify_signature`]) and then the signer and statement
/// rules of the bundle's kind (see the module docs) against `expected`.
///
/// # Errors
///
/// Any of [`verify_signature`]'s; [`Error::UnknownSigner`], [`Error::NotReleaseSigner`],
/// [`Error::UnknownReleaseSigner`], [`Error::WrongIssuer`], [`Error::WrongRepository`],
/// [`Error::WrongWorkflow`], [`Error::Statement`]; [`Error::OtherRelease`] for a release
/// attestation of another tag of the same repository.
pub fn verify_bundle(
    bundle_json: &[u8],
    expected: &Expected,
    roots: &TrustRoots,
) -> Result<Verified, Error> {
    let signed = verify_signature(bundle_json, &expected.digest, roots)?;
    let signer = signed.identity.clone().unwrap_or_default();
    let release_signer = expected.release_signer();
    let actions = expected.actions_issuer();
    if signed.issuer.is_none() && release_signer.as_deref() == Some(signer.as_str()) {
        return release(&signed, expected);
    }
    match signed.issuer.as_deref() {
        Some(issuer) if issuer == actions => workflow(&signed, expected),
        Some(issuer) => Err(Error::WrongIssuer {
            host: expected.host.clone(),
            expected: actions,
            found: issuer.to_owned(),
        }),
        None if release_signer.is_none() && signer.contains(".releases.") => {
            Err(Error::UnknownReleaseSigner {
                host: expected.host.clone(),
            })
        }
        None => Err(Error::UnknownSigner {
            signer: if signer.is_empty() {
                "none".to_owned()
            } else {
                signer
            },
            host: expected.host.clone(),
        }),
    }
}

/// An in-toto statement, as far as the kinds' rules read it.
#[derive(Deserialize)]
struct Statement {
    #[serde(rename = "_type")]
    type_: String,
    #[serde(rename = "predicateType")]
    predicate_type: String,
    #[serde(default)]
    subject: Vec<Subject>,
    #[serde(default)]
    predicate: serde_json::Value,
}

#[derive(Deserialize)]
struct Subject {
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    digest: BTreeMap<String, String>,
}

fn statement(signed: &Signed, kind: Kind) -> Result<Statement, Error> {
    let bad = |reason: String| Error::Statement { kind, reason };
    let payload = signed
        .payload
        .as_deref()
        .ok_or_else(|| bad("it is a bare signature, not an in-toto statement".to_owned()))?;
    let statement: Statement = serde_json::from_slice(payload)
        .map_err(|e| bad(format!("not an in-toto statement: {}", one_line(e))))?;
    if !statement.type_.starts_with("https://in-toto.io/Statement/") {
        return Err(bad(format!("unknown statement type `{}`", statement.type_)));
    }
    Ok(statement)
}

fn release(signed: &Signed, expected: &Expected) -> Result<Verified, Error> {
    let kind = Kind::Release;
    // Fulcio (public-good) always embeds an OIDC issuer, and GitHub's release signer has
    // none; both checks keep a workflow certificate from posing as the release signer.
    if signed.has_ci_claims {
        return Err(Error::NotReleaseSigner {
            reason: "it carries GitHub Actions claims".to_owned(),
        });
    }
    if signed.instance == Instance::PublicGood {
        return Err(Error::NotReleaseSigner {
            reason: "it was issued by the public-good instance".to_owned(),
        });
    }
    let statement = statement(signed, kind)?;
    let bad = |reason: String| Error::Statement { kind, reason };
    if !statement
        .predicate_type
        .starts_with(RELEASE_PREDICATE_PREFIX)
    {
        return Err(bad(format!(
            "GitHub's release signer signed predicate `{}`, not a release",
            statement.predicate_type
        )));
    }
    let field = |name: &str| {
        statement.predicate[name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| bad(format!("the predicate has no `{name}`")))
    };
    let repository = field("repository")?;
    let wanted = expected.repository();
    if !repository.eq_ignore_ascii_case(&wanted) {
        return Err(Error::WrongRepository {
            kind,
            expected: wanted,
            found: repository,
        });
    }
    let tag = field("tag")?;
    // The purl subject binds the tag to its commit; its repository and tag must agree with
    // the predicate's.
    let purl = statement
        .subject
        .iter()
        .find_map(|s| {
            let uri = s.uri.as_deref().or(s.name.as_deref())?;
            uri.starts_with("pkg:github/").then_some((uri, s))
        })
        .ok_or_else(|| bad("no `pkg:github/…` subject names the tag's commit".to_owned()))?;
    let (purl_repo, purl_tag) = parse_github_purl(purl.0)
        .ok_or_else(|| bad(format!("`{}` is not a pkg:github purl", purl.0)))?;
    if !purl_repo.eq_ignore_ascii_case(&repository) || purl_tag != tag {
        return Err(bad(format!(
            "the subject `{}` disagrees with the predicate ({repository}@{tag})",
            purl.0
        )));
    }
    let commit = purl
        .1
        .digest
        .get("sha1")
        .or_else(|| purl.1.digest.get("gitCommit"))
        .filter(|c| c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| bad(format!("the subject `{}` has no sha1 commit", purl.0)))?
        .to_ascii_lowercase();
    if tag != expected.tag {
        return Err(Error::OtherRelease {
            expected: expected.tag.clone(),
            found: tag,
        });
    }
    Ok(Verified {
        kind,
        predicate_type: statement.predicate_type,
        signer: signed.identity.clone().unwrap_or_default(),
        issuer: None,
        instance: signed.instance,
        signed_at: signed.signed_at.clone(),
        bundle_sha256: signed.bundle_sha256.clone(),
        tag_commit: Some(commit),
    })
}

/// `pkg:github/<owner>/<repo>@<version>` → (`owner/repo`, version), percent-decoded.
fn parse_github_purl(purl: &str) -> Option<(String, String)> {
    let rest = purl.strip_prefix("pkg:github/")?;
    let rest = rest.split(['?', '#']).next()?;
    let (path, version) = rest.rsplit_once('@')?;
    let (owner, repo) = path.split_once('/')?;
    let decode = |s: &str| {
        percent_decode_str(s)
            .decode_utf8()
            .ok()
            .map(|c| c.into_owned())
    };
    let (owner, repo, version) = (decode(owner)?, decode(repo)?, decode(version)?);
    if owner.is_empty() || repo.is_empty() || repo.contains('/') || version.is_empty() {
        return None;
    }
    Some((format!("{owner}/{repo}"), version))
}

fn workflow(signed: &Signed, expected: &Expected) -> Result<Verified, Error> {
    let statement = statement(signed, Kind::Other);
    let kind = match &statement {
        Ok(s)
            if s.predicate_type == SLSA_PROVENANCE_V1
                || s.predicate_type.starts_with("https://slsa.dev/provenance/") =>
        {
            Kind::BuildProvenance
        }
        _ => Kind::Other,
    };
    let statement = statement.map_err(|e| match e {
        Error::Statement { reason, .. } => Error::Statement { kind, reason },
        other => other,
    })?;
    let wanted_uri = expected.repository_uri();
    let wanted = expected.repository();
    let found = signed.source_repository.clone().unwrap_or_default();
    let same = found.eq_ignore_ascii_case(&wanted_uri) || found.eq_ignore_ascii_case(&wanted);
    if !same {
        return Err(Error::WrongRepository {
            kind,
            expected: wanted,
            found: if found.is_empty() {
                "none".to_owned()
            } else {
                signer_workflow_of(&found, &expected.host)
            },
        });
    }
    let signer = signed.identity.clone().unwrap_or_default();
    if let Some(pattern) = &expected.signer_workflow {
        let uri = signed.build_signer.as_deref().unwrap_or(&signer);
        let found = signer_workflow_of(uri, &expected.host);
        if !workflow_matches(pattern, &expected.host, &found) {
            return Err(Error::WrongWorkflow {
                pattern: pattern.clone(),
                found,
            });
        }
    }
    Ok(Verified {
        kind,
        predicate_type: statement.predicate_type,
        signer,
        issuer: signed.issuer.clone(),
        instance: signed.instance,
        signed_at: signed.signed_at.clone(),
        bundle_sha256: signed.bundle_sha256.clone(),
        tag_commit: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_purls_parse_with_percent_encoding() {
        assert_eq!(
            parse_github_purl("pkg:github/jdx/communique@v0.1.9"),
            Some(("jdx/communique".to_owned(), "v0.1.9".to_owned()))
        );
        assert_eq!(
            parse_github_purl("pkg:github/acme/tools@1.7.0%2Bjira?x=1"),
            Some(("acme/tools".to_owned(), "1.7.0+jira".to_owned()))
        );
        for bad in [
            "pkg:npm/x@1",
            "pkg:github/acme@1",
            "pkg:github/acme/tools",
            "pkg:github/acme/tools/x@1",
            "pkg:github//tools@1",
        ] {
            assert_eq!(parse_github_purl(bad), None, "{bad}");
        }
    }

    #[test]
    fn bundle_digest_ignores_formatting() {
        let a = bundle_sha256(br#"{"b": 1, "a": [1, 2]}"#).unwrap();
        let b = bundle_sha256(b"{\n  \"a\":[1,2],\"b\":1}").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, bundle_sha256(br#"{"a":[2,1],"b":1}"#).unwrap());
        assert!(matches!(bundle_sha256(b"{"), Err(Error::Malformed { .. })));
    }
}
