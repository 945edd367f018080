//! Vendored `SKILL.md` frontmatter, read the way the skillrig CLI reads it.
//!
//! Framing: the file must start with exactly `---\n` (no byte-order mark, no blank line, no
//! CRLF), and the YAML block ends at the first `\n---` after that. Top-level keys read:
//! `name` (required; equals the skill's directory name), `description`, `metadata` (a
//! mapping). skillrig's own fields are flat dotted keys inside `metadata`:
//!
//! | key | rule |
//! |---|---|
//! | `x-skillrig.version` | required, must be a YAML *string* (`1.4` is a float and counts as absent) |
//! | `x-skillrig.namespace` | optional string |
//! | `x-skillrig.convention-version` | optional string; a non-string reads as `""` |
//! | `x-skillrig.topics` | list; scalar elements stringified; a non-list is absent |
//! | `x-skillrig.requires` | list of `{tool, version, source, manager}` maps; non-string fields read as `""`, non-map elements are skipped |
//!
//! skillrig's design notes (ARCHITECTURE-v0 in the skillrig/cli repository) show the same
//! fields nested under one `x-skillrig:` mapping; that shape is accepted too, and a flat key
//! wins over its nested twin whenever it is present, even as `null`.
//!
//! YAML is parsed with `serde_norway`, the maintained fork of `serde_yaml`: its `Value` keeps
//! strings and numbers apart, which the "version must be a string" rule needs. The text is
//! first read as a YAML value (syntax, repeated keys), then decoded with serde derive into
//! structs whose fields are lenient readers, so the rules above are the field types.
//!
//! The frontmatter block is capped before YAML parsing (64 KiB, 1024 flow collections; see
//! [`ManifestErrorKind::TooLarge`]) because the YAML scanner slows down with nesting.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_norway::{Mapping, Value};

use crate::de::{Requirements, Scalar, ScalarList, Text, present};
use crate::requirement::ToolRequirement;

/// A parsed `SKILL.md` frontmatter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SkillManifest {
    /// The skill name (must equal its directory name).
    pub name: String,
    /// One-line description, `""` when absent.
    pub description: String,
    /// `x-skillrig.version`.
    pub version: String,
    /// `x-skillrig.namespace`, `""` when absent.
    pub namespace: String,
    /// `x-skillrig.convention-version`, `""` when absent or not a string.
    pub convention_version: String,
    /// `x-skillrig.topics`; `None` when absent or not a list.
    pub topics: Option<Vec<String>>,
    /// `x-skillrig.requires`, in order; empty when absent.
    pub requires: Vec<ToolRequirement>,
}

impl SkillManifest {
    /// Parses a `SKILL.md` file's text (frontmatter and body).
    pub fn parse(text: &str) -> Result<SkillManifest, ManifestError> {
        let err = |kind| ManifestError { path: None, kind };
        let block = frontmatter(text).map_err(err)?;
        // YAML syntax first (a repeated key is an error there), then the shape by serde.
        let root: Value =
            serde_norway::from_str(block).map_err(|e| err(ManifestErrorKind::Yaml(e)))?;
        let root = match root {
            Value::Null => Mapping::new(),
            Value::Mapping(map) => map,
            _ => return Err(err(ManifestErrorKind::NotAMapping("the frontmatter"))),
        };
        let front: RawFrontmatter = decode(root).map_err(|e| err(ManifestErrorKind::Yaml(e)))?;
        let name = front.name.0.unwrap_or_default();
        if name.is_empty() {
            return Err(err(ManifestErrorKind::MissingName));
        }
        let mut flat: RawMetadata = match front.metadata {
            None => RawMetadata::default(),
            Some(Value::Mapping(map)) => {
                decode(map).map_err(|e| err(ManifestErrorKind::Yaml(e)))?
            }
            Some(_) => return Err(err(ManifestErrorKind::NotAMapping("`metadata`"))),
        };
        let nested: RawFields = match flat.nested.take() {
            Some(Value::Mapping(map)) => {
                decode(map).map_err(|e| err(ManifestErrorKind::Yaml(e)))?
            }
            _ => RawFields::default(),
        };
        // A flat key wins over its nested twin whenever it is present, whatever its value.
        let text = |flat: Option<Text>, nested: Option<Text>| flat.or(nested).unwrap_or_default().0;
        let version = text(flat.version, nested.version);
        if version.is_empty() {
            return Err(err(ManifestErrorKind::MissingVersion));
        }
        Ok(SkillManifest {
            name,
            description: front.description.0.unwrap_or_default(),
            version,
            namespace: text(flat.namespace, nested.namespace),
            convention_version: text(flat.convention_version, nested.convention_version),
            topics: flat.topics.or(nested.topics).and_then(|list| list.0),
            requires: flat
                .requires
                .or(nested.requires)
                .and_then(|list| list.0)
                .unwrap_or_default(),
        })
    }

    /// Reads `<skill dir>/SKILL.md` and checks that `name` equals the directory's name.
    pub fn from_path(path: &Path) -> Result<SkillManifest, ManifestError> {
        let with_path = |kind| ManifestError {
            path: Some(path.to_owned()),
            kind,
        };
        let text =
            std::fs::read_to_string(path).map_err(|e| with_path(ManifestErrorKind::Io(e)))?;
        let manifest = SkillManifest::parse(&text).map_err(|e| with_path(e.kind))?;
        let dir = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|d| d.to_str())
            .unwrap_or("");
        manifest
            .check_dir_name(dir)
            .map_err(|e| with_path(e.kind))?;
        Ok(manifest)
    }

    /// Checks the skillrig rule that `name` equals the skill's directory name.
    pub fn check_dir_name(&self, dir: &str) -> Result<(), ManifestError> {
        if self.name == dir {
            return Ok(());
        }
        Err(ManifestError {
            path: None,
            kind: ManifestErrorKind::NameMismatch {
                name: self.name.clone(),
                dir: dir.to_owned(),
            },
        })
    }
}

/// The top-level keys read; others (`license`, `allowed-tools`, …) are ignored.
#[derive(Default, Deserialize)]
#[serde(default)]
struct RawFrontmatter {
    /// Any scalar, written out (Go's YAML decoder fills a string field from any scalar).
    name: Scalar,
    description: Scalar,
    /// Checked by hand: absent and `null` are empty, a non-mapping is an error.
    metadata: Option<Value>,
}

/// The skillrig fields, by name. Each is `Some` when its key is present at all, so "flat
/// wins over nested" holds even for a flat `null`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct RawFields {
    /// Must be a YAML string; anything else reads as `""` and so as missing.
    #[serde(deserialize_with = "present")]
    version: Option<Text>,
    #[serde(deserialize_with = "present")]
    namespace: Option<Text>,
    #[serde(rename = "convention-version", deserialize_with = "present")]
    convention_version: Option<Text>,
    #[serde(deserialize_with = "present")]
    topics: Option<ScalarList>,
    #[serde(deserialize_with = "present")]
    requires: Option<Requirements>,
}

/// `metadata`: the flat `x-skillrig.<field>` keys (the same fields as [`RawFields`]) and the
/// nested `x-skillrig:` mapping.
#[derive(Default, Deserialize)]
#[serde(default)]
struct RawMetadata {
    #[serde(rename = "x-skillrig.version", deserialize_with = "present")]
    version: Option<Text>,
    #[serde(rename = "x-skillrig.namespace", deserialize_with = "present")]
    namespace: Option<Text>,
    #[serde(rename = "x-skillrig.convention-version", deserialize_with = "present")]
    convention_version: Option<Text>,
    #[serde(rename = "x-skillrig.topics", deserialize_with = "present")]
    topics: Option<ScalarList>,
    #[serde(rename = "x-skillrig.requires", deserialize_with = "present")]
    requires: Option<Requirements>,
    /// Checked by hand: a mapping is read as [`RawFields`], anything else as empty.
    #[serde(rename = "x-skillrig")]
    nested: Option<Value>,
}

/// Decodes a mapping into `T`, dropping non-string keys first: no field has such a name,
/// and serde would refuse them as field names rather than skip them.
fn decode<T: serde::de::DeserializeOwned>(map: Mapping) -> Result<T, serde_norway::Error> {
    let map: Mapping = map.into_iter().filter(|(key, _)| key.is_string()).collect();
    T::deserialize(Value::Mapping(map))
}

/// The YAML between the fences.
fn frontmatter(text: &str) -> Result<&str, ManifestErrorKind> {
    let Some(rest) = text.strip_prefix("---\n") else {
        let hint = if text.starts_with('\u{feff}') {
            Some("remove the byte-order mark before the opening `---`")
        } else if text.starts_with("---\r\n") {
            Some("the file has Windows (CRLF) line endings; skillrig requires LF")
        } else if text.trim_start().starts_with("---") {
            Some("remove what comes before the opening `---`; it must be the first line")
        } else {
            None
        };
        return Err(ManifestErrorKind::MissingFrontmatter(hint));
    };
    // An empty block (`---\n---`) has no `\n---`; treat it as empty rather than unterminated.
    if rest == "---" || rest.starts_with("---\n") {
        return Ok("");
    }
    let block = match rest.find("\n---") {
        Some(end) => &rest[..end],
        None => return Err(ManifestErrorKind::Unterminated),
    };
    check_size(block)?;
    Ok(block)
}

/// Most bytes a frontmatter block may have; real ones hold a name, a description of at most
/// 1024 characters and a few metadata keys.
const MAX_FRONTMATTER: usize = 64 * 1024;

/// Most flow collections (`[` or `{`) a frontmatter block may open.
const MAX_FLOW_OPENERS: usize = 1024;

/// Refuses blocks the YAML scanner would take long over. libyaml's scanner does work
/// proportional to tokens × flow nesting depth (50,000 nested `[` took 20 s), and nesting past
/// 128 levels fails anyway, so the block's size and its number of `[`/`{` are capped: the
/// count bounds the depth whatever quoting hides, and together the caps bound the scan to a
/// fraction of a second.
fn check_size(block: &str) -> Result<(), ManifestErrorKind> {
    if block.len() > MAX_FRONTMATTER {
        return Err(ManifestErrorKind::TooLarge("is larger than 64 KiB"));
    }
    let openers = block.bytes().filter(|b| matches!(b, b'[' | b'{')).count();
    if openers > MAX_FLOW_OPENERS {
        return Err(ManifestErrorKind::TooLarge(
            "opens more than 1024 flow collections (`[` or `{`)",
        ));
    }
    Ok(())
}

/// Why a `SKILL.md` could not be read.
#[derive(Debug)]
pub struct ManifestError {
    path: Option<PathBuf>,
    kind: ManifestErrorKind,
}

/// The specific reason behind a [`ManifestError`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ManifestErrorKind {
    /// Reading the file failed.
    Io(std::io::Error),
    /// The file does not start with `---\n`; carries a hint when the cause is recognisable.
    MissingFrontmatter(Option<&'static str>),
    /// No closing `---`.
    Unterminated,
    /// The block is past a size limit (what the limit is), checked before YAML parsing.
    TooLarge(&'static str),
    /// The block is not valid YAML.
    Yaml(serde_norway::Error),
    /// The frontmatter or `metadata` is not a mapping.
    NotAMapping(&'static str),
    /// `name` is missing or empty.
    MissingName,
    /// `metadata."x-skillrig.version"` is missing or not a string.
    MissingVersion,
    /// `name` differs from the directory name.
    NameMismatch {
        /// The manifest's name.
        name: String,
        /// The directory's name.
        dir: String,
    },
}

impl ManifestError {
    /// The specific reason.
    pub fn kind(&self) -> &ManifestErrorKind {
        &self.kind
    }

    /// The file, when the error came from [`SkillManifest::from_path`].
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl hint::Hint for ManifestError {
    /// A line telling the user what to fix, when there is something specific to say.
    fn hints(&self) -> Vec<String> {
        let hint = match &self.kind {
            ManifestErrorKind::MissingFrontmatter(hint) => *hint,
            ManifestErrorKind::MissingVersion => Some(
                "quote the version: `x-skillrig.version: \"1.4\"` (unquoted `1.4` is a number)",
            ),
            ManifestErrorKind::NameMismatch { .. } => {
                Some("rename the directory or the `name` so they match")
            }
            ManifestErrorKind::TooLarge(_) => Some(
                "the frontmatter holds a name, a description and a few metadata keys; move long \
                 text into the body, after the closing `---`",
            ),
            _ => None,
        };
        hint.into_iter().map(str::to_owned).collect()
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "`{}`: ", path.display())?,
            None => f.write_str("SKILL.md: ")?,
        }
        match &self.kind {
            ManifestErrorKind::Io(_) => f.write_str("cannot read the file"),
            ManifestErrorKind::MissingFrontmatter(_) => f.write_str("missing YAML frontmatter"),
            ManifestErrorKind::Unterminated => {
                f.write_str("unterminated YAML frontmatter (no closing `---`)")
            }
            ManifestErrorKind::TooLarge(what) => write!(f, "the frontmatter {what}"),
            ManifestErrorKind::Yaml(_) => f.write_str("the frontmatter is not valid YAML"),
            ManifestErrorKind::NotAMapping(what) => write!(f, "{what} must be a mapping"),
            ManifestErrorKind::MissingName => f.write_str("`name` is required"),
            ManifestErrorKind::MissingVersion => {
                f.write_str("metadata \"x-skillrig.version\" is required")
            }
            ManifestErrorKind::NameMismatch { name, dir } => {
                write!(f, "`name` is `{name}` but the skill directory is `{dir}`")
            }
        }
    }
}

impl std::error::Error for ManifestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ManifestErrorKind::Io(e) => Some(e),
            ManifestErrorKind::Yaml(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hint::Hint as _;

    fn parse(text: &str) -> Result<SkillManifest, ManifestError> {
        SkillManifest::parse(text)
    }

    #[test]
    fn framing_rules() {
        let too_long = format!(
            "---\nname: a\ndescription: {}\n---\n",
            "x".repeat(64 * 1024)
        );
        let too_many = format!("---\nname: a\nx: {}\n---\n", "[a], ".repeat(1025));
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("", "SKILL.md: missing YAML frontmatter", None),
            ("# Title\n", "SKILL.md: missing YAML frontmatter", None),
            (
                "\u{feff}---\nname: a\n---\n",
                "SKILL.md: missing YAML frontmatter",
                Some("byte-order mark"),
            ),
            (
                "---\r\nname: a\r\n---\r\n",
                "SKILL.md: missing YAML frontmatter",
                Some("CRLF"),
            ),
            (
                "\n---\nname: a\n---\n",
                "SKILL.md: missing YAML frontmatter",
                Some("first line"),
            ),
            (
                "---\nname: a\n",
                "SKILL.md: unterminated YAML frontmatter (no closing `---`)",
                None,
            ),
            ("---\n---\n", "SKILL.md: `name` is required", None),
            (
                "---\nname: [\n---\n",
                "SKILL.md: the frontmatter is not valid YAML",
                None,
            ),
            (
                "---\n- a\n---\n",
                "SKILL.md: the frontmatter must be a mapping",
                None,
            ),
            (
                "---\nname: a\nmetadata: text\n---\n",
                "SKILL.md: `metadata` must be a mapping",
                None,
            ),
            (
                "---\nname: a\n---\n",
                "SKILL.md: metadata \"x-skillrig.version\" is required",
                Some("quote the version"),
            ),
            (
                "---\nname: a\nmetadata:\n  x-skillrig.version: 1.4\n---\n",
                "metadata \"x-skillrig.version\" is required",
                None,
            ),
            ("---\nname: a\nname: b\n---\n", "not valid YAML", None),
            (
                &too_long,
                "SKILL.md: the frontmatter is larger than 64 KiB",
                Some("move long text into the body"),
            ),
            (
                &too_many,
                "SKILL.md: the frontmatter opens more than 1024 flow collections",
                None,
            ),
        ];
        for &(text, want, hint) in cases {
            let err = parse(text).expect_err(text);
            assert!(err.to_string().contains(want), "{text:?}: {err}");
            if let Some(hint) = hint {
                assert!(
                    err.hints().join(" ").contains(hint),
                    "{text:?}: {:?}",
                    err.hints()
                );
            }
        }
        let err = parse("---\nname: [\n---\n").unwrap_err();
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn block_ends_at_first_fence() {
        let text = "---\nname: a\nmetadata:\n  x-skillrig.version: \"1.0.0\"\n---\nbody\n---\nnot: yaml: here\n";
        let manifest = parse(text).unwrap();
        assert_eq!(manifest.name, "a");
        assert_eq!(manifest.version, "1.0.0");
    }

    #[test]
    fn metadata_value_rules() {
        let text = r#"---
name: deploy-check
description: Checks a deployment plan.
license: MIT
allowed-tools: [Bash]
metadata:
  x-skillrig.version: 1.4.0
  x-skillrig.namespace: platform
  x-skillrig.convention-version: 1
  x-skillrig.topics: [deploy, 2, true, null, {a: b}]
  x-skillrig.requires:
    - {tool: jira, version: ">=1.7.0", source: acme/tools, manager: mise}
    - just a string
    - {tool: tfc, version: 1.2}
---
Body.
"#;
        let manifest = parse(text).unwrap();
        assert_eq!(manifest.version, "1.4.0");
        assert_eq!(manifest.namespace, "platform");
        assert_eq!(manifest.convention_version, "");
        assert_eq!(
            manifest.topics.as_deref(),
            Some(&["deploy".to_owned(), "2".to_owned(), "true".to_owned()][..])
        );
        assert_eq!(manifest.requires.len(), 2);
        assert_eq!(manifest.requires[1].tool, "tfc");
        assert_eq!(manifest.requires[1].version, "");
        assert_eq!(manifest.requires[1].source, "");
        let no_topics = parse("---\nname: a\nmetadata:\n  x-skillrig.version: '1'\n  x-skillrig.topics: deploy\n---\n").unwrap();
        assert_eq!(no_topics.topics, None);
        assert!(no_topics.requires.is_empty());
    }

    #[test]
    fn nested_form_is_accepted_and_flat_wins() {
        let text = r#"---
name: a
metadata:
  x-skillrig:
    version: "2.0.0"
    namespace: nested
    requires:
      - {tool: jira, version: "^1", source: acme/tools, manager: mise}
  x-skillrig.namespace: flat
---
"#;
        let manifest = parse(text).unwrap();
        assert_eq!(manifest.version, "2.0.0");
        assert_eq!(manifest.namespace, "flat");
        assert_eq!(manifest.requires[0].version, "^1");
    }

    #[test]
    fn odd_but_valid_yaml_reads_as_the_cli_reads_it() {
        let text = r#"---
name: 7
1: not a string key
metadata:
  2: also not a string key
  x-skillrig.version: "1.0.0"
  x-skillrig.namespace: null
  x-skillrig.topics: [!custom a, b, 1.0, .inf]
  x-skillrig:
    namespace: nested-loses-to-a-flat-null
    topics: [nested]
  x-skillrig.requires:
    - {3: x, tool: jira, version: !custom ">=1"}
    - [not, a, map]
---
"#;
        let manifest = parse(text).unwrap();
        assert_eq!(manifest.name, "7");
        assert_eq!(manifest.namespace, "");
        assert_eq!(
            manifest.topics.as_deref(),
            Some(&["b".to_owned(), "1.0".to_owned(), ".inf".to_owned()][..])
        );
        assert_eq!(manifest.requires.len(), 1);
        assert_eq!(manifest.requires[0].tool, "jira");
        assert_eq!(manifest.requires[0].version, "");
        let nested_not_a_map =
            parse("---\nname: a\nmetadata:\n  x-skillrig: [1]\n  x-skillrig.version: '1'\n---\n")
                .unwrap();
        assert_eq!(nested_not_a_map.version, "1");
        let null_metadata = parse("---\nname: a\nmetadata: null\n---\n").unwrap_err();
        assert!(matches!(
            null_metadata.kind(),
            ManifestErrorKind::MissingVersion
        ));
    }

    #[test]
    fn from_path_checks_the_directory_name() {
        let dir = tempfile::tempdir().unwrap();
        let skill = dir.path().join("deploy-check");
        std::fs::create_dir(&skill).unwrap();
        let file = skill.join("SKILL.md");
        std::fs::write(
            &file,
            "---\nname: deploy-check\nmetadata:\n  x-skillrig.version: \"1.0.0\"\n---\n",
        )
        .unwrap();
        assert_eq!(
            SkillManifest::from_path(&file).unwrap().name,
            "deploy-check"
        );
        std::fs::write(
            &file,
            "---\nname: other\nmetadata:\n  x-skillrig.version: \"1.0.0\"\n---\n",
        )
        .unwrap();
        let err = SkillManifest::from_path(&file).unwrap_err();
        assert_eq!(err.path(), Some(file.as_path()));
        assert!(
            err.to_string()
                .ends_with("`name` is `other` but the skill directory is `deploy-check`"),
            "{err}"
        );
        assert!(!err.hints().is_empty());
        let err = SkillManifest::from_path(&skill.join("missing.md")).unwrap_err();
        assert!(matches!(err.kind(), ManifestErrorKind::Io(_)));
        assert!(std::error::Error::source(&err).is_some());
    }
}
