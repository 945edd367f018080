//! The crate's one error type: what failed, in one line, and [`Error::hint`] for what to do.
//!
//! Messages describe this layer only and never span lines (details that come from
//! sigstore-verify are flattened to one line). What to do is [`hint::Hint`]: callers print
//! `Display` and then a `hint: …` line.

use crate::kind::Kind;

/// Why an attestation could not be accepted, or the trusted roots could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `SKILLRIG_TRUSTED_ROOT` (or another trusted-root source) is unusable.
    #[error("trusted root `{source_name}` is not usable: {reason}")]
    TrustedRoot {
        /// Where the trusted root came from (a path).
        source_name: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The asset digest given to the verifier is not a digest.
    #[error("`{digest}` is not a sha256 or sha512 digest")]
    BadDigest {
        /// The text given.
        digest: String,
    },

    /// The bytes are not a Sigstore bundle this crate can read.
    #[error("the attestation is not a readable Sigstore bundle: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },

    /// The attestation is about other bytes: no in-toto subject carries the asset's digest.
    #[error("the attestation is not about this asset ({digest}): {reason}")]
    WrongSubject {
        /// The asset's digest, `sha256:<hex>`.
        digest: String,
        /// sigstore-verify's detail.
        reason: String,
    },

    /// The signature over the statement does not verify with the certificate's key.
    #[error("the attestation's signature does not verify: {reason}")]
    BadSignature {
        /// sigstore-verify's detail.
        reason: String,
    },

    /// The signing certificate does not chain to a trusted Sigstore instance, or the
    /// timestamp or transparency-log evidence is not from one.
    #[error("the attestation is not signed by a trusted Sigstore instance: {reason}")]
    Untrusted {
        /// sigstore-verify's detail (for the most specific trusted root tried).
        reason: String,
    },

    /// No verified signing time, or the certificate was not valid at it (an expired
    /// certificate without a valid timestamp).
    #[error("the attestation's signing certificate was not valid when it signed: {reason}")]
    NotValidAtSigning {
        /// sigstore-verify's detail.
        reason: String,
    },

    /// Cryptographically valid, but signed by neither GitHub's release signer nor GitHub
    /// Actions.
    #[error(
        "the attestation is signed by `{signer}`, which is neither {host}'s release signer nor GitHub Actions"
    )]
    UnknownSigner {
        /// The certificate's identity (SAN), or `none`.
        signer: String,
        /// The host whose signers were expected.
        host: String,
    },

    /// A release attestation on a host whose release signer is not known.
    #[error("release attestations from {host} cannot be checked: its release signer is not known")]
    UnknownReleaseSigner {
        /// The host.
        host: String,
    },

    /// A build attestation whose OIDC issuer is not the host's GitHub Actions.
    #[error(
        "the attestation's certificate was issued for `{found}`, not {host}'s GitHub Actions (`{expected}`)"
    )]
    WrongIssuer {
        /// The host.
        host: String,
        /// The issuer expected.
        expected: String,
        /// The issuer in the certificate.
        found: String,
    },

    /// A release attestation whose certificate carries GitHub Actions claims, or that was
    /// verified by the public-good instance GitHub's release signer does not use.
    #[error("the release attestation's certificate is not GitHub's release signer's: {reason}")]
    NotReleaseSigner {
        /// What gave it away.
        reason: String,
    },

    /// The attestation names another repository (certificate extension or predicate).
    #[error("the {kind} attestation is for repository `{found}`, not `{expected}`")]
    WrongRepository {
        /// What kind of attestation.
        kind: Kind,
        /// `owner/repo` expected.
        expected: String,
        /// What the attestation says.
        found: String,
    },

    /// A release attestation of this repository for another tag (the same bytes were
    /// published in two releases). Not a failure on its own: [`crate::assess`] skips it.
    #[error("the release attestation is for tag `{found}`, not `{expected}`")]
    OtherRelease {
        /// The tag being installed.
        expected: String,
        /// The attestation's tag.
        found: String,
    },

    /// The signer workflow does not match the configured pattern.
    #[error("the attestation was signed by workflow `{found}`, which does not match `{pattern}`")]
    WrongWorkflow {
        /// The configured pattern.
        pattern: String,
        /// The signer workflow (`owner/repo/path@ref`).
        found: String,
    },

    /// The statement or predicate does not say what its kind must say.
    #[error("the {kind} attestation's statement is not usable: {reason}")]
    Statement {
        /// What kind of attestation.
        kind: Kind,
        /// What is missing or wrong.
        reason: String,
    },

    /// `required` and no attestation verified.
    #[error("{repository} has no valid attestation for {digest}{}", skipped_note(*skipped))]
    Missing {
        /// `owner/repo`.
        repository: String,
        /// `sha256:<hex>`.
        digest: String,
        /// How many attestations were for other releases of the same bytes.
        skipped: usize,
    },
}

fn skipped_note(skipped: usize) -> String {
    match skipped {
        0 => String::new(),
        1 => " (one is for another release)".to_owned(),
        n => format!(" ({n} are for other releases)"),
    }
}

impl hint::Hint for Error {
    /// What to do, one line (none for [`Error::OtherRelease`], which [`crate::assess`] skips).
    fn hints(&self) -> Vec<String> {
        self.hint().into_iter().collect()
    }
}

impl Error {
    /// The follow-up line for the user, without the `hint: ` prefix.
    fn hint(&self) -> Option<String> {
        let update_or_root = "if the signer is newer than this skillrig-mise, update it; for GitHub \
             Enterprise or an offline machine, point SKILLRIG_TRUSTED_ROOT at the output of \
             `gh attestation trusted-root`";
        Some(match self {
            Error::TrustedRoot { .. } => "SKILLRIG_TRUSTED_ROOT must name a trusted_root.json, or \
                 the JSON lines `gh attestation trusted-root` prints; unset it to use the built-in \
                 roots"
                .to_owned(),
            Error::BadDigest { .. } => {
                "pass `sha256:<64 hex digits>` or `sha512:<128 hex digits>`".to_owned()
            }
            Error::Malformed { .. } | Error::BadSignature { .. } | Error::WrongSubject { .. } => {
                "do not install this asset: it or its attestation was changed after signing; \
                 tell the origin's maintainers"
                    .to_owned()
            }
            Error::Untrusted { .. } => update_or_root.to_owned(),
            Error::NotValidAtSigning { .. } => {
                format!("the attestation has no trustworthy signing time; {update_or_root}")
            }
            Error::UnknownSigner { .. }
            | Error::NotReleaseSigner { .. }
            | Error::WrongIssuer { .. } => {
                "do not install this asset: its attestation was not made by GitHub for this \
                 repository; tell the origin's maintainers"
                    .to_owned()
            }
            Error::UnknownReleaseSigner { .. } => {
                "set `attestations = \"off\"` for this tool, or `release_signer` for this host in \
                 hosts.toml"
                    .to_owned()
            }
            Error::WrongRepository { .. } => {
                "do not install this asset: it was attested for another repository; check the \
                 tool's origin"
                    .to_owned()
            }
            Error::OtherRelease { .. } => return None,
            Error::WrongWorkflow { .. } => {
                "check the `signer_workflow` pattern in the tool's options or the origin's \
                 metadata; if the origin moved its release workflow, update the pattern"
                    .to_owned()
            }
            Error::Statement { .. } => {
                "do not install this asset; tell the origin's maintainers".to_owned()
            }
            Error::Missing { .. } => {
                "the origin must publish immutable releases or attest its builds \
                 (actions/attest-build-provenance); a fine-grained token needs `Attestations: \
                 read`; or set `attestations = \"auto\"` for this tool"
                    .to_owned()
            }
        })
    }
}

/// One line: newlines and runs of whitespace in foreign messages become single spaces.
pub(crate) fn one_line(text: impl std::fmt::Display) -> String {
    text.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
