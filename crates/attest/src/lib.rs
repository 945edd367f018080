//! Verifies the Sigstore attestations GitHub keeps for a release asset: GitHub's release
//! attestations (immutable releases) and build provenance signed in GitHub Actions.
//!
//! Internal to skillrig-mise. It knows nothing about HTTP: the `releases` crate fetches the
//! bundles (`GitHub::attestations`), this crate judges them, and the CLI records the result
//! in the receipt. All Sigstore verification is done by the official `sigstore-verify`
//! crate; this crate decides which trusted roots apply and who must have signed what.
//!
//! # Overview
//!
//! - [`TrustRoots`]: the embedded public-good and GitHub roots, or those in the file
//!   `SKILLRIG_TRUSTED_ROOT` names ([`TrustRoots::from_env_value`]; the caller reads the
//!   variable). Build them once per process.
//! - [`Expected`]: host, origin repository, tag, the asset's [`AssetDigest`], an optional
//!   signer-workflow pattern ([`workflow_matches`]).
//! - [`verify_bundle`] checks one bundle and returns a [`Verified`] (what a receipt records:
//!   [`Kind`], predicate, signer, trusted root, signing time, bundle digest, and for release
//!   attestations the tag's commit); [`verify_signature`] is the Sigstore layer alone.
//! - [`assess`] applies a [`Policy`] (`auto` | `required` | `off`) to every bundle listed for
//!   the asset.
//! - [`Error`] is one line; its [`hint::Hint`] says what to do.
//!
//! ```no_run
//! use attest::{AssetDigest, Expected, Policy, TrustRoots, assess};
//!
//! # fn main() -> Result<(), attest::Error> {
//! let roots = TrustRoots::from_env_value(std::env::var_os(attest::ENV_TRUSTED_ROOT).as_deref())?;
//! let digest = AssetDigest::parse("sha256:76f1fe8593bf227cca2c089e3c16dc95014a8d3e89c5dd220530469ca043c428")?;
//! let expected = Expected::new("github.com", "jdx", "communique", "v0.1.9", digest);
//! let bundles: Vec<Vec<u8>> = Vec::new(); // from releases::GitHub::attestations
//! let found = assess(&bundles, &expected, &roots, Policy::Auto)?;
//! println!("{} verified; tag commit {:?}", found.verified.len(), found.tag_commit());
//! # Ok(()) }
//! ```
//!
//! # Build cost
//!
//! sigstore-verify is used with `default-features = false` plus `aws-lc-rs` (its crypto
//! backend): no TLS stack, no HTTP client, no tokio, no TUF. aws-lc-sys compiles C with the
//! `cc` crate (a C compiler is needed; no cmake, no bindgen on Linux x86_64/aarch64, macOS
//! and Windows MSVC, whose bindings are pre-generated).

mod digest;
mod error;
mod expect;
mod kind;
mod policy;
mod roots;
mod verify;

pub use digest::AssetDigest;
pub use error::Error;
pub use expect::{
    Expected, GITHUB_COM_ACTIONS_ISSUER, GITHUB_COM_RELEASE_SIGNER, actions_issuer_for,
    release_signer_for, workflow_matches,
};
pub use kind::{Instance, Kind, RELEASE_PREDICATE_PREFIX, SLSA_PROVENANCE_V1};
pub use policy::{Assessment, Policy, UnknownPolicy, assess};
pub use roots::{ENV_TRUSTED_ROOT, TrustRoots};
pub use verify::{Signed, Verified, bundle_sha256, verify_bundle, verify_signature};
