//! Verification material: where an expected sha256 came from and the verification policy.
//! Plain data, depended on by the errors that name it ([`crate::check`] does the comparing).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where an expected sha256 came from. Named in mismatch errors and recorded in the receipt.
///
/// Serialized (in the receipt) as an object tagged by `kind`:
/// `{"kind":"checksums-file","name":"jira_checksums.txt"}`, `{"kind":"github-digest"}`,
/// `{"kind":"user"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DigestSource {
    /// A line of a checksums file published with the release (GNU or BSD format).
    ChecksumsFile {
        /// The checksums file's asset name, e.g. `jira_checksums.txt`.
        name: String,
    },
    /// The `digest` (`sha256:<hex>`) GitHub reports for the release asset.
    GithubDigest,
    /// A digest supplied by the user, e.g. pinned in configuration.
    User,
    /// The project's tools lock (`.skillrig/tools-lock.json`), recorded by
    /// `skillrig-mise lock` when the team pinned this release.
    ToolsLock {
        /// The lock file, as shown to the user.
        path: String,
    },
}

impl fmt::Display for DigestSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ChecksumsFile { name } => write!(f, "checksums file `{name}`"),
            Self::GithubDigest => f.write_str("GitHub asset digest"),
            Self::User => f.write_str("user-supplied digest"),
            Self::ToolsLock { path } => write!(f, "tools lock `{path}`"),
        }
    }
}

/// One sha256 the asset must match, with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedDigest {
    /// 64 hex digits, either case; surrounding whitespace is ignored.
    pub sha256_hex: String,
    /// Where the digest came from.
    pub source: DigestSource,
}

impl ExpectedDigest {
    /// An expected digest from `source`.
    pub fn new(sha256_hex: impl Into<String>, source: DigestSource) -> Self {
        Self {
            sha256_hex: sha256_hex.into(),
            source,
        }
    }

    /// The digest as compared: trimmed, lowercase.
    pub(crate) fn normalized(&self) -> String {
        self.sha256_hex.trim().to_ascii_lowercase()
    }
}

/// What to do when no digest is available for the asset.
///
/// The policy only matters when [`crate::InstallRequest::expected`] is empty: every digest that
/// *is* supplied is always checked, whatever the policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum VerifyPolicy {
    /// Refuse to install without at least one digest (the default).
    #[default]
    Required,
    /// Install without a digest, adding a loud warning to [`crate::Installed::warnings`].
    /// Corresponds to the per-tool mise option `verify = "none"`.
    AllowUnverified,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cs() -> DigestSource {
        DigestSource::ChecksumsFile {
            name: "t_checksums.txt".into(),
        }
    }

    #[test]
    fn source_serialization_is_tagged() {
        let json = serde_json::to_string(&vec![cs(), DigestSource::GithubDigest]).unwrap();
        assert_eq!(
            json,
            r#"[{"kind":"checksums-file","name":"t_checksums.txt"},{"kind":"github-digest"}]"#
        );
    }
}
