//! Trusted roots: the Sigstore instances whose signatures are accepted, and how much of
//! each instance's evidence is checked.
//!
//! By default two roots are embedded (snapshots shipped with sigstore-verify): the
//! public-good instance (Fulcio, Rekor, CT logs, timestamp authority), which signs build
//! provenance of public repositories, and GitHub's own instance (its Fulcio and timestamp
//! authorities; no transparency log), which signs release attestations and private
//! repositories' provenance. `SKILLRIG_TRUSTED_ROOT` replaces both with the roots in a file:
//! one `trusted_root.json`, or the JSON lines `gh attestation trusted-root` prints (one root
//! per line), for GitHub Enterprise, air-gapped machines and tests.
//!
//! Each root is checked for everything it can vouch for: a root with transparency logs
//! requires a verified log entry, one with CT logs requires a verified SCT, and one without
//! (GitHub's instance) relies on its RFC 3161 timestamps. A bundle is accepted when one root
//! verifies it completely.

use std::ffi::OsStr;
use std::path::Path;

use sigstore_verify::trust_root::{SigstoreInstance, TrustedRoot};
use sigstore_verify::{VerificationPolicy, Verifier};

use crate::error::{Error, one_line};
use crate::kind::Instance;

/// `SKILLRIG_TRUSTED_ROOT`: path of a trusted root file that replaces the embedded roots.
pub const ENV_TRUSTED_ROOT: &str = "SKILLRIG_TRUSTED_ROOT";

/// The trusted roots, prepared for verification (certificates parsed once).
pub struct TrustRoots {
    pub(crate) roots: Vec<Root>,
}

pub(crate) struct Root {
    pub(crate) instance: Instance,
    pub(crate) verifier: Verifier,
    pub(crate) policy: VerificationPolicy,
    /// Whether the root has transparency logs (bundles with log entries try these first).
    pub(crate) has_tlog: bool,
}

impl std::fmt::Debug for TrustRoots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.roots.iter().map(|r| r.instance))
            .finish()
    }
}

impl TrustRoots {
    /// The embedded public-good and GitHub roots.
    ///
    /// # Errors
    ///
    /// [`Error::TrustedRoot`] only if the embedded snapshots do not parse (a build defect).
    pub fn embedded() -> Result<TrustRoots, Error> {
        let mut roots = Vec::new();
        for (instance, which) in [
            (Instance::PublicGood, SigstoreInstance::PublicGood),
            (Instance::Github, SigstoreInstance::GitHub),
        ] {
            let root = TrustedRoot::from_embedded(which).map_err(|e| Error::TrustedRoot {
                source_name: format!("embedded {instance}"),
                reason: one_line(e),
            })?;
            roots.push(Root::new(instance, &root, &format!("embedded {instance}"))?);
        }
        Ok(TrustRoots { roots })
    }

    /// The roots `SKILLRIG_TRUSTED_ROOT` selects: `value` is the variable's value (the caller
    /// reads the environment). Unset or empty means [`TrustRoots::embedded`]; otherwise the
    /// file it names, read with [`TrustRoots::from_file`].
    ///
    /// # Errors
    ///
    /// [`Error::TrustedRoot`] if the file cannot be read or holds no usable root.
    pub fn from_env_value(value: Option<&OsStr>) -> Result<TrustRoots, Error> {
        match value.filter(|v| !v.is_empty()) {
            None => TrustRoots::embedded(),
            Some(path) => TrustRoots::from_file(Path::new(path)),
        }
    }

    /// The roots in a file: one `trusted_root.json` document, or JSON lines with one root per
    /// line (`gh attestation trusted-root`).
    ///
    /// # Errors
    ///
    /// [`Error::TrustedRoot`] if it cannot be read or holds no usable root.
    pub fn from_file(path: &Path) -> Result<TrustRoots, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::TrustedRoot {
            source_name: path.display().to_string(),
            reason: one_line(e),
        })?;
        TrustRoots::from_json(&text, &path.display().to_string())
    }

    /// The roots in `text` (a document or JSON lines); `source_name` names it in errors.
    ///
    /// # Errors
    ///
    /// [`Error::TrustedRoot`] if no root parses, or a root has unusable material.
    pub fn from_json(text: &str, source_name: &str) -> Result<TrustRoots, Error> {
        let bad = |reason: String| Error::TrustedRoot {
            source_name: source_name.to_owned(),
            reason,
        };
        let parsed: Vec<TrustedRoot> = match serde_json::from_str::<TrustedRoot>(text) {
            Ok(root) => vec![root],
            Err(whole) => {
                let lines: Vec<(usize, &str)> = text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| !l.trim().is_empty())
                    .collect();
                if lines.len() < 2 {
                    return Err(bad(format!("not a trusted root: {}", one_line(whole))));
                }
                lines
                    .into_iter()
                    .map(|(n, line)| {
                        serde_json::from_str::<TrustedRoot>(line).map_err(|e| {
                            bad(format!(
                                "line {} is not a trusted root: {}",
                                n + 1,
                                one_line(e)
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?
            }
        };
        let roots = parsed
            .iter()
            .map(|root| Root::new(Instance::Custom, root, source_name))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustRoots { roots })
    }

    /// The instances, in the order they are tried.
    pub fn instances(&self) -> Vec<Instance> {
        self.roots.iter().map(|r| r.instance).collect()
    }
}

impl Root {
    fn new(instance: Instance, root: &TrustedRoot, source_name: &str) -> Result<Root, Error> {
        let verifier = Verifier::new(root).map_err(|e| Error::TrustedRoot {
            source_name: source_name.to_owned(),
            reason: one_line(e),
        })?;
        let mut policy = VerificationPolicy::any_identity();
        let has_tlog = !root.tlogs.is_empty();
        if !has_tlog {
            // GitHub's instance has no transparency log: its RFC 3161 timestamps are the
            // verified time, and log inclusion cannot be asked for.
            policy = policy.skip_tlog_unsafe();
        }
        if root.ctlogs.is_empty() {
            policy = policy.skip_sct();
        }
        Ok(Root {
            instance,
            verifier,
            policy,
            has_tlog,
        })
    }
}
