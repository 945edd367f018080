//! The consumer lock, `.skillrig/skills-lock.json`, written by `skillrig add`.
//!
//! ```json
//! {
//!   "lockfileVersion": 1,
//!   "origin": "acme/tools@main",
//!   "skills": {
//!     "deploy-check": {
//!       "version": "deploy-check-v2.1.0",
//!       "commit": "0123…",
//!       "treeSha": "89ab…",
//!       "path": ".agents/skills/deploy-check"
//!     }
//!   }
//! }
//! ```
//!
//! # Schema
//!
//! | key | type | rule |
//! |---|---|---|
//! | `lockfileVersion` | integer | required, must be `1`; missing or `null` is refused as missing, any other number as unsupported |
//! | `origin` | string | the origin the skills were added from, `OWNER/REPO[@REF]` or a local path; `""` or `null` reads as absent |
//! | `skills` | object | skill name → entry; `null` or absent is no skills; a `null` entry is an entry with every field `""` |
//! | `skills.<name>.version` | string | the manifest version, or the resolved pin tag (`deploy-check-v2.1.0`) |
//! | `skills.<name>.commit` | string | the origin commit the skill was copied from |
//! | `skills.<name>.treeSha` | string | git tree id of the skill directory at that commit |
//! | `skills.<name>.path` | string | where the skill was vendored, e.g. `.agents/skills/deploy-check` |
//!
//! Field types are strict, as Go's decoder is: a number where a string belongs (or a string
//! where `lockfileVersion` belongs, such as `"1"`) makes the file invalid. A `null` string
//! field reads as `""`. Unknown keys, such as a historical mirrored `requires`, are ignored.
//! An absent file is an empty lock ([`SkillsLock::from_path`]); an unreadable one is an
//! error.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::de::{Json, Table};

/// The only lockfile version that exists.
pub const LOCKFILE_VERSION: i64 = 1;

/// One vendored skill's lock entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct LockedSkill {
    /// The manifest version or the resolved pin tag (e.g. `deploy-check-v2.1.0`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub version: String,
    /// The origin commit the skill was copied from.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub commit: String,
    /// Git tree id of the skill directory at that commit.
    #[serde(default, rename = "treeSha", deserialize_with = "null_as_empty")]
    pub tree_sha: String,
    /// Where the skill was vendored, e.g. `.agents/skills/deploy-check`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub path: String,
}

/// The file as decoded; the wrappers take objects only.
#[derive(Deserialize)]
struct RawLock {
    #[serde(rename = "lockfileVersion", default)]
    lockfile_version: Option<i64>,
    #[serde(default)]
    origin: Option<String>,
    #[serde(default)]
    skills: Option<BTreeMap<String, Option<Table<LockedSkill, Json>>>>,
}

/// A parsed `skills-lock.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SkillsLock {
    origin: Option<String>,
    skills: BTreeMap<String, LockedSkill>,
}

impl SkillsLock {
    /// Parses the file's bytes.
    pub fn parse(bytes: &[u8]) -> Result<SkillsLock, LockError> {
        let raw = crate::de::json_from_slice::<Table<RawLock, Json>>(bytes)
            .map_err(|(source, key)| LockError {
                path: None,
                kind: LockErrorKind::Json { source, key },
            })?
            .0;
        let err = |kind| LockError { path: None, kind };
        match raw.lockfile_version {
            None => return Err(err(LockErrorKind::MissingVersion)),
            Some(LOCKFILE_VERSION) => {}
            Some(version) => return Err(err(LockErrorKind::UnsupportedVersion(version))),
        }
        Ok(SkillsLock {
            origin: raw.origin.filter(|o| !o.is_empty()),
            skills: raw
                .skills
                .unwrap_or_default()
                .into_iter()
                .map(|(name, skill)| (name, skill.map(|s| s.0).unwrap_or_default()))
                .collect(),
        })
    }

    /// Reads and parses a lock file; a file that does not exist is an empty lock.
    pub fn from_path(path: &Path) -> Result<SkillsLock, LockError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SkillsLock::default()),
            Err(e) => {
                return Err(LockError {
                    path: Some(path.to_owned()),
                    kind: LockErrorKind::Io(e),
                });
            }
        };
        SkillsLock::parse(&bytes).map_err(|mut e| {
            e.path = Some(path.to_owned());
            e
        })
    }

    /// The origin the skills were added from (`OWNER/REPO[@REF]` or a local path).
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// Locked skills by name.
    pub fn skills(&self) -> &BTreeMap<String, LockedSkill> {
        &self.skills
    }

    /// One skill's entry.
    pub fn skill(&self, name: &str) -> Option<&LockedSkill> {
        self.skills.get(name)
    }
}

/// Why a lock file could not be read.
#[derive(Debug)]
pub struct LockError {
    path: Option<PathBuf>,
    kind: LockErrorKind,
}

/// The specific reason behind a [`LockError`].
#[derive(Debug)]
#[non_exhaustive]
pub enum LockErrorKind {
    /// Reading the file failed.
    Io(std::io::Error),
    /// Not valid JSON, or a field of the wrong type.
    Json {
        /// serde_json's error (with the line and column).
        source: serde_json::Error,
        /// The key it is at, e.g. `skills.deploy-check.commit`, when the error is in one.
        key: Option<String>,
    },
    /// `lockfileVersion` is absent or `null`.
    MissingVersion,
    /// `lockfileVersion` is a number other than 1.
    UnsupportedVersion(i64),
}

impl LockError {
    /// The specific reason.
    pub fn kind(&self) -> &LockErrorKind {
        &self.kind
    }

    /// The file, when the error came from [`SkillsLock::from_path`].
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl hint::Hint for LockError {
    fn hints(&self) -> Vec<String> {
        match &self.kind {
            LockErrorKind::Io(_) => Vec::new(),
            LockErrorKind::Json { .. }
            | LockErrorKind::MissingVersion
            | LockErrorKind::UnsupportedVersion(_) => vec![
                "the lock is written by `skillrig add`; re-create it with skillrig, or restore it from version control"
                    .to_owned(),
            ],
        }
    }
}

impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "`{}`: ", path.display())?,
            None => f.write_str("skills-lock.json: ")?,
        }
        match &self.kind {
            LockErrorKind::Io(_) => f.write_str("cannot read the file"),
            LockErrorKind::Json { key: None, .. } => f.write_str("not a valid skills lock"),
            LockErrorKind::Json { key: Some(key), .. } => {
                write!(f, "not a valid skills lock (key `{key}`)")
            }
            LockErrorKind::MissingVersion => f.write_str("`lockfileVersion` is missing"),
            LockErrorKind::UnsupportedVersion(n) => write!(f, "unsupported lockfileVersion: {n}"),
        }
    }
}

impl std::error::Error for LockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            LockErrorKind::Io(e) => Some(e),
            LockErrorKind::Json { source, .. } => Some(source),
            LockErrorKind::MissingVersion | LockErrorKind::UnsupportedVersion(_) => None,
        }
    }
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_rules() {
        for (text, want) in [
            (
                r#"{"lockfileVersion": 2}"#,
                "skills-lock.json: unsupported lockfileVersion: 2",
            ),
            (
                r#"{"skills": {}}"#,
                "skills-lock.json: `lockfileVersion` is missing",
            ),
            (
                r#"{"lockfileVersion": null}"#,
                "skills-lock.json: `lockfileVersion` is missing",
            ),
            (
                r#"{"lockfileVersion": 0}"#,
                "skills-lock.json: unsupported lockfileVersion: 0",
            ),
            (
                r#"{"lockfileVersion": "1"}"#,
                "skills-lock.json: not a valid skills lock (key `lockfileVersion`)",
            ),
            (
                r#"{"lockfileVersion": 1, "skills": {"x": {"commit": 5}}}"#,
                "skills-lock.json: not a valid skills lock (key `skills.x.commit`)",
            ),
            ("", "skills-lock.json: not a valid skills lock"),
            // Objects only: a derived struct would otherwise take an array field by field.
            ("[1]", "skills-lock.json: not a valid skills lock"),
            (
                r#"{"lockfileVersion": 1, "skills": {"x": ["v", "c", "t", "p"]}}"#,
                "skills-lock.json: not a valid skills lock (key `skills.x`)",
            ),
        ] {
            let err = SkillsLock::parse(text.as_bytes()).expect_err(text);
            assert_eq!(err.to_string(), want, "{text}");
        }
        let err = SkillsLock::parse(br#"{"lockfileVersion": 1, "skills": {"x": {"commit": 5}}}"#)
            .unwrap_err();
        let source = std::error::Error::source(&err).unwrap().to_string();
        assert!(source.contains("line 1"), "{source}");
    }

    #[test]
    fn nulls_and_unknown_keys() {
        let lock = SkillsLock::parse(
            br#"{"lockfileVersion": 1, "origin": "", "skills": {"a": null, "b": {"version": null, "requires": [1], "path": "p"}}, "extra": 1}"#,
        )
        .unwrap();
        assert_eq!(lock.origin(), None);
        assert_eq!(lock.skill("a"), Some(&LockedSkill::default()));
        assert_eq!(lock.skill("b").unwrap().path, "p");
        assert_eq!(lock.skill("b").unwrap().version, "");
        let empty = SkillsLock::parse(br#"{"lockfileVersion": 1, "skills": null}"#).unwrap();
        assert!(empty.skills().is_empty());
    }

    #[test]
    fn from_path_absent_is_empty_and_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("skills-lock.json");
        assert_eq!(
            SkillsLock::from_path(&missing).unwrap(),
            SkillsLock::default()
        );
        std::fs::write(&missing, br#"{"lockfileVersion": 3}"#).unwrap();
        let err = SkillsLock::from_path(&missing).unwrap_err();
        assert_eq!(err.path(), Some(missing.as_path()));
        assert!(
            err.to_string()
                .ends_with("skills-lock.json`: unsupported lockfileVersion: 3"),
            "{err}"
        );
        // A directory in the file's place is a real I/O error, not an empty lock.
        std::fs::remove_file(&missing).unwrap();
        std::fs::create_dir(&missing).unwrap();
        let err = SkillsLock::from_path(&missing).unwrap_err();
        assert!(matches!(err.kind(), LockErrorKind::Io(_)), "{err:?}");
    }
}
