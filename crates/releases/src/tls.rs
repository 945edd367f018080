//! Which certificate authorities the client trusts, and how a rejected certificate is told.
//!
//! * By default: **what the machine trusts** — the OS verifier through rustls-platform-verifier
//!   (ureq's `platform-verifier` feature): the Keychain's trust settings on macOS, the Windows
//!   certificate store, and the system CA bundle on Linux (`/etc/ssl/certs`, …). A corporate
//!   TLS-inspection CA installed the way IT installs it for browsers is trusted too.
//! * `SSL_CERT_FILE` (a PEM bundle) and/or `SSL_CERT_DIR` (directories of PEM files, separated
//!   like `PATH`): when either is set, the certificates found there are the trusted roots
//!   **instead** — the meaning these variables have for OpenSSL, curl, git and Python, so one
//!   setting serves every tool. A file or directory that holds no certificate is an error
//!   rather than a silent fallback.
//!
//! One TLS stack: rustls with ring, as everywhere in the workspace.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ureq::tls::{Certificate, RootCerts, TlsConfig};

use crate::error::Error;

/// `SSL_CERT_FILE`: a PEM file of trusted roots, replacing the OS store.
pub const ENV_SSL_CERT_FILE: &str = "SSL_CERT_FILE";
/// `SSL_CERT_DIR`: directories of PEM files of trusted roots, replacing the OS store.
pub const ENV_SSL_CERT_DIR: &str = "SSL_CERT_DIR";

/// Where trusted roots come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustRoots {
    /// `SSL_CERT_FILE`, if set.
    pub cert_file: Option<PathBuf>,
    /// `SSL_CERT_DIR` entries, if set.
    pub cert_dirs: Vec<PathBuf>,
}

impl TrustRoots {
    /// Reads `SSL_CERT_FILE` and `SSL_CERT_DIR` through `env` (empty values count as unset).
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> TrustRoots {
        let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        TrustRoots {
            cert_file: get(ENV_SSL_CERT_FILE).map(PathBuf::from),
            cert_dirs: get(ENV_SSL_CERT_DIR)
                .map(|dirs| {
                    std::env::split_paths(&dirs)
                        .filter(|p| !p.as_os_str().is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Returns true if and only if the OS trust store is used (neither variable set).
    pub fn uses_os_store(&self) -> bool {
        self.cert_file.is_none() && self.cert_dirs.is_empty()
    }

    /// How reports name the trust source.
    pub fn describe(&self) -> String {
        if self.uses_os_store() {
            return "the OS trust store".to_owned();
        }
        let mut parts = Vec::new();
        if let Some(f) = &self.cert_file {
            parts.push(format!("SSL_CERT_FILE={}", f.display()));
        }
        if !self.cert_dirs.is_empty() {
            let dirs: Vec<String> = self
                .cert_dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect();
            parts.push(format!("SSL_CERT_DIR={}", dirs.join(",")));
        }
        parts.join(" and ")
    }
}

/// The TLS configuration for `roots`.
///
/// # Errors
///
/// [`Error::TrustRoots`] when `SSL_CERT_FILE`/`SSL_CERT_DIR` name something unreadable or
/// holding no certificate.
pub(crate) fn config(roots: &TrustRoots) -> Result<TlsConfig, Error> {
    let root_certs = if roots.uses_os_store() {
        RootCerts::PlatformVerifier
    } else {
        RootCerts::Specific(Arc::new(load(roots)?))
    };
    Ok(TlsConfig::builder().root_certs(root_certs).build())
}

fn load(roots: &TrustRoots) -> Result<Vec<Certificate<'static>>, Error> {
    let mut certs = Vec::new();
    let mut read = |file: Option<&Path>, dir: Option<&Path>, what: &Path| {
        let found = rustls_native_certs::load_certs_from_paths(file, dir);
        if let Some(e) = found.errors.first() {
            return Err(Error::TrustRoots {
                path: what.to_owned(),
                reason: e.to_string(),
            });
        }
        if found.certs.is_empty() {
            return Err(Error::TrustRoots {
                path: what.to_owned(),
                reason: "no PEM certificate in it".to_owned(),
            });
        }
        certs.extend(
            found
                .certs
                .iter()
                .map(|c| Certificate::from_der(c.as_ref()).to_owned()),
        );
        Ok(())
    };
    if let Some(file) = &roots.cert_file {
        read(Some(file), None, file)?;
    }
    for dir in &roots.cert_dirs {
        read(None, Some(dir), dir)?;
    }
    Ok(certs)
}

/// Why the server's certificate was rejected, when that is what `e` is.
pub(crate) fn rejected_certificate(e: &ureq::Error) -> Option<&'static str> {
    use rustls::CertificateError as C;
    // ureq reports rustls errors directly, or (from the TLS stream) wrapped in an io::Error.
    let tls = match e {
        ureq::Error::Rustls(t) => t,
        ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<rustls::Error>()?,
        _ => return None,
    };
    let rustls::Error::InvalidCertificate(cert) = tls else {
        return None;
    };
    Some(match cert {
        C::UnknownIssuer => "it was issued by a certificate authority this machine does not trust",
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "it is not valid for this host name"
        }
        C::Expired | C::ExpiredContext { .. } => "it has expired",
        C::Revoked => "it has been revoked",
        C::BadSignature => "its signature does not verify",
        _ => "the certificate was rejected",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_select_the_roots() {
        let none = TrustRoots::from_env(&|_| None);
        assert!(none.uses_os_store());
        assert_eq!(none.describe(), "the OS trust store");
        let set = TrustRoots::from_env(&|k| match k {
            "SSL_CERT_FILE" => Some("/etc/corp/ca.pem".to_owned()),
            "SSL_CERT_DIR" => Some(" ".to_owned()),
            _ => None,
        });
        assert_eq!(
            set.cert_file.as_deref(),
            Some(Path::new("/etc/corp/ca.pem"))
        );
        assert!(set.cert_dirs.is_empty());
        assert_eq!(set.describe(), "SSL_CERT_FILE=/etc/corp/ca.pem");
    }

    #[test]
    fn unusable_files_are_errors_naming_them() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        for path in [empty, dir.path().join("missing.pem")] {
            let roots = TrustRoots {
                cert_file: Some(path.clone()),
                cert_dirs: Vec::new(),
            };
            let err = config(&roots).unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains(&path.display().to_string()), "{msg}");
        }
        assert!(config(&TrustRoots::default()).is_ok());
    }
}
