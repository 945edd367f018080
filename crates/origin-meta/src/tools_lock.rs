//! The tools lock, `.skillrig/tools-lock.json`, written by `skillrig-mise lock`: for every
//! skillrig tool a project pins, the release it came from and, for every platform that
//! release publishes, the asset and its sha256. Installs refuse bytes that differ.
//!
//! ```json
//! {
//!   "lockfileVersion": 1,
//!   "tools": {
//!     "skillrig:acme/tools/jira": {
//!       "origin": "acme/tools",
//!       "tool": "jira",
//!       "version": "1.7.0",
//!       "tag": "1.7.0+jira",
//!       "releaseCommit": "0123456789abcdef0123456789abcdef01234567",
//!       "assets": {
//!         "darwin-arm64": {
//!           "name": "jira_1.7.0_darwin_arm64.tar.gz",
//!           "sha256": "3b5d…",
//!           "vouchedBy": ["checksums-file:jira_checksums.txt", "github-digest"]
//!         },
//!         "linux-amd64": { "name": "…", "sha256": "…", "vouchedBy": ["…"] }
//!       }
//!     }
//!   }
//! }
//! ```
//!
//! | field | meaning |
//! |---|---|
//! | `lockfileVersion` | always `1`; a reader refuses any other (a missing one is named as missing) |
//! | `tools` | keyed by the `mise.toml` key, `skillrig:[HOST/]OWNER/REPO/BIN` |
//! | `origin` | `[HOST/]OWNER/REPO` (the host only when not github.com) |
//! | `tool`, `version`, `tag` | the binary, the version mise resolves to, and its release tag |
//! | `releaseCommit` | the commit the tag pointed at when locked (`null` if it could not be read) |
//! | `assets` | keyed by platform (`<os>-<arch>`, goreleaser tokens as in asset names): the asset's `name`, its `sha256` (64 lowercase hex) and what vouched for it |
//!
//! `vouchedBy` entries: `checksums-file:<name>` (the release's checksums file listed it),
//! `github-digest` (GitHub's asset digest agreed), `attestation:<kind>` (a verified GitHub
//! attestation covered it). Serialization is stable for readable diffs: keys in sorted order,
//! two-space indentation, a trailing newline.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The only tools-lock version that exists.
pub const TOOLS_LOCK_VERSION: u32 = 1;

/// A parsed (or to-be-written) tools lock.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolsLock {
    /// Always [`TOOLS_LOCK_VERSION`].
    #[serde(rename = "lockfileVersion")]
    pub lockfile_version: u32,
    /// Locked tools by `mise.toml` key.
    pub tools: BTreeMap<String, LockedTool>,
}

/// One tool's lock entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LockedTool {
    /// `[HOST/]OWNER/REPO`.
    pub origin: String,
    /// The binary's name.
    pub tool: String,
    /// The locked version.
    pub version: String,
    /// Its release tag.
    pub tag: String,
    /// The commit the tag pointed at when locked.
    pub release_commit: Option<String>,
    /// Every platform's asset, by platform key.
    pub assets: BTreeMap<String, LockedAsset>,
}

/// One platform's asset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LockedAsset {
    /// The release asset's file name.
    pub name: String,
    /// Its sha256, 64 lowercase hex digits.
    pub sha256: String,
    /// What vouched for the digest (see the module docs).
    pub vouched_by: Vec<String>,
}

/// Why a tools lock could not be read.
#[derive(Debug)]
pub struct ToolsLockError {
    kind: ToolsLockErrorKind,
}

/// The specific reason behind a [`ToolsLockError`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ToolsLockErrorKind {
    /// Not valid JSON, or a field of the wrong type.
    Json(serde_json::Error),
    /// `lockfileVersion` is absent.
    MissingVersion,
    /// `lockfileVersion` is something other than this tool's number (as written).
    UnsupportedVersion(String),
    /// The document is not a JSON object.
    NotAnObject,
    /// A digest that is not 64 hex digits.
    BadDigest {
        /// The tool key.
        tool: String,
        /// The platform.
        platform: String,
    },
}

impl ToolsLockError {
    /// The specific reason.
    pub fn kind(&self) -> &ToolsLockErrorKind {
        &self.kind
    }
}

impl fmt::Display for ToolsLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tools-lock.json: ")?;
        match &self.kind {
            ToolsLockErrorKind::Json(_) => f.write_str("not a valid tools lock"),
            ToolsLockErrorKind::MissingVersion => {
                f.write_str("`lockfileVersion` is missing (this tool writes 1)")
            }
            ToolsLockErrorKind::UnsupportedVersion(n) => write!(
                f,
                "lockfileVersion {n} is not supported (this tool reads {TOOLS_LOCK_VERSION})"
            ),
            ToolsLockErrorKind::NotAnObject => f.write_str("not a tools lock (not a JSON object)"),
            ToolsLockErrorKind::BadDigest { tool, platform } => write!(
                f,
                "`{tool}` has a `{platform}` sha256 that is not 64 hex digits"
            ),
        }
    }
}

impl std::error::Error for ToolsLockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ToolsLockErrorKind::Json(e) => Some(e),
            _ => None,
        }
    }
}

impl hint::Hint for ToolsLockError {
    fn hints(&self) -> Vec<String> {
        vec![
            "the file is written by `skillrig-mise lock`: restore it from version control, or delete it and run `skillrig-mise lock` to write it again"
                .to_owned(),
        ]
    }
}

impl ToolsLock {
    /// An empty lock of the current version.
    pub fn new() -> ToolsLock {
        ToolsLock {
            lockfile_version: TOOLS_LOCK_VERSION,
            tools: BTreeMap::new(),
        }
    }

    /// Parses a lock's bytes.
    ///
    /// # Errors
    ///
    /// Malformed JSON, a missing or other `lockfileVersion`, a digest that is not 64 hex.
    pub fn parse(bytes: &[u8]) -> Result<ToolsLock, ToolsLockError> {
        let err = |kind| ToolsLockError { kind };
        let raw = crate::de::json_value_with_unique_keys(bytes)
            .map_err(|e| err(ToolsLockErrorKind::Json(e)))?;
        if !raw.is_object() {
            return Err(err(ToolsLockErrorKind::NotAnObject));
        }
        match raw.get("lockfileVersion") {
            None | Some(serde_json::Value::Null) => {
                return Err(err(ToolsLockErrorKind::MissingVersion));
            }
            Some(v) if v.as_u64() != Some(u64::from(TOOLS_LOCK_VERSION)) => {
                return Err(err(ToolsLockErrorKind::UnsupportedVersion(v.to_string())));
            }
            Some(_) => {}
        }
        let lock: ToolsLock =
            serde_json::from_value(raw).map_err(|e| err(ToolsLockErrorKind::Json(e)))?;
        for (tool, entry) in &lock.tools {
            for (platform, asset) in &entry.assets {
                if asset.sha256.len() != 64 || !asset.sha256.bytes().all(|b| b.is_ascii_hexdigit())
                {
                    return Err(err(ToolsLockErrorKind::BadDigest {
                        tool: tool.clone(),
                        platform: platform.clone(),
                    }));
                }
            }
        }
        Ok(lock)
    }

    /// The lock as written to disk: sorted keys, two-space indentation, a trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a tools lock serializes");
        text.push('\n');
        text
    }

    /// The entry for `key` at `version`, if the lock has one.
    pub fn entry(&self, key: &str, version: &str) -> Option<&LockedTool> {
        self.tools.get(key).filter(|t| t.version == version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ToolsLock {
        let mut lock = ToolsLock::new();
        let mut assets = BTreeMap::new();
        for (platform, digest) in [("linux-amd64", "a"), ("darwin-arm64", "b")] {
            assets.insert(
                platform.to_owned(),
                LockedAsset {
                    name: format!("jira_1.7.0_{platform}.tar.gz"),
                    sha256: digest.repeat(64),
                    vouched_by: vec!["github-digest".to_owned()],
                },
            );
        }
        lock.tools.insert(
            "skillrig:acme/tools/jira".to_owned(),
            LockedTool {
                origin: "acme/tools".to_owned(),
                tool: "jira".to_owned(),
                version: "1.7.0".to_owned(),
                tag: "1.7.0+jira".to_owned(),
                release_commit: Some("0".repeat(40)),
                assets,
            },
        );
        lock
    }

    #[test]
    fn duplicate_keys_wrong_version_types_and_non_objects_are_refused() {
        let text = sample().to_json();
        let entry = &text[text.find("\"skillrig:").unwrap()..text.rfind("}\n  }").unwrap() + 3];
        // The same tool twice: the second would silently win.
        let doubled = text.replacen(entry, &format!("{entry},\n    {entry}"), 1);
        let err = ToolsLock::parse(doubled.as_bytes()).unwrap_err();
        let source = std::error::Error::source(&err).unwrap().to_string();
        assert!(
            source.contains("duplicate key `skillrig:acme/tools/jira`"),
            "{source}"
        );
        let err = ToolsLock::parse(br#"{"lockfileVersion": 1, "lockfileVersion": 1, "tools": {}}"#)
            .unwrap_err();
        assert!(
            std::error::Error::source(&err)
                .unwrap()
                .to_string()
                .contains("duplicate key")
        );

        let err = ToolsLock::parse(br#"{"lockfileVersion": "1", "tools": {}}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "tools-lock.json: lockfileVersion \"1\" is not supported (this tool reads 1)"
        );
        let err = ToolsLock::parse(b"[]").unwrap_err();
        assert_eq!(
            err.to_string(),
            "tools-lock.json: not a tools lock (not a JSON object)"
        );
    }

    #[test]
    fn round_trips_with_stable_order() {
        let lock = sample();
        let text = lock.to_json();
        assert!(text.ends_with("}\n"));
        let darwin = text.find("darwin-arm64").unwrap();
        let linux = text.find("linux-amd64").unwrap();
        assert!(darwin < linux, "platforms sorted");
        assert!(text.contains("\"releaseCommit\""));
        assert!(text.contains("\"vouchedBy\""));
        assert_eq!(ToolsLock::parse(text.as_bytes()).unwrap(), lock);
        assert_eq!(ToolsLock::parse(text.as_bytes()).unwrap().to_json(), text);
        assert!(lock.entry("skillrig:acme/tools/jira", "1.7.0").is_some());
        assert!(lock.entry("skillrig:acme/tools/jira", "1.8.0").is_none());
    }

    #[test]
    fn versions_and_digests_are_checked() {
        let err = ToolsLock::parse(br#"{"tools": {}}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "tools-lock.json: `lockfileVersion` is missing (this tool writes 1)"
        );
        let err = ToolsLock::parse(br#"{"lockfileVersion": 2, "tools": {}}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("lockfileVersion 2 is not supported")
        );
        let mut bad = sample();
        bad.tools
            .get_mut("skillrig:acme/tools/jira")
            .unwrap()
            .assets
            .get_mut("linux-amd64")
            .unwrap()
            .sha256 = "zz".to_owned();
        let err = ToolsLock::parse(bad.to_json().as_bytes()).unwrap_err();
        assert!(matches!(err.kind(), ToolsLockErrorKind::BadDigest { .. }));
        assert!(!hint::Hint::hints(&err).is_empty());
    }
}
