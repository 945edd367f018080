//! Origin metadata: `.skillrig-origin.toml` and the generated `index.json`.
//!
//! Both files are optional inputs to binary resolution. What is read:
//!
//! | `.skillrig-origin.toml` | `index.json` | meaning |
//! |---|---|---|
//! | `convention_version` or `skillrig-convention` (skillrig RFC 0001's spelling) | `skillrigConvention` | layout contract; only `1` is supported, absent is tolerated |
//! | `origin` | `origin` | identity label; never compared with the repository coordinate |
//! | `skills_dir`, `cmd_dir`, `tag_scheme` | — | read for completeness; nothing depends on them |
//! | — | `skills` | the discovery catalog (lenient: malformed entries become warnings) |
//! | `[[binaries]]` | `binaries` | per-binary overrides, see [`BinaryEntry`] |
//!
//! The **convention gate** runs first: any convention other than `1` fails with "origin
//! convention N is not supported (supports 1); upgrade skillrig-mise", before anything else is
//! looked at, because a newer contract may change what the other keys mean. Unknown top-level
//! keys are ignored, with a [`Warning`] only when they look like a misspelling of a known key.
//! Inside a `binaries` entry every unknown key is a warning (the block is small and new, so a
//! stray key is almost certainly a typo such as `checksum`). Warnings are returned as data; the
//! caller decides how to show them, and their `Display` already names the file.
//!
//! Both files are decoded with serde in two passes over the same text: the first reads only
//! the convention, the second the whole file into derived structs, with `serde_ignored`
//! collecting unknown keys and `serde_path_to_error` naming the key of a type error. A
//! `binaries` entry is the same struct in both formats ([`entry`](crate::entry)), so
//! `[[binaries]]` and `"binaries"` obey exactly the same rules and error paths
//! (`binaries[0].platforms.linux-x64.os`). TOML values carry byte spans, so every TOML error
//! names its line; JSON errors name one when the decoder reports it (type errors, not rule
//! violations found after decoding).

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::Deserialize;
use serde_spanned::Spanned;

use crate::de::{
    Anything, Json, KeyPath, Requirements, ScalarList, Segment, Str, Table, TableList, Text, Toml,
    line_of, map_kind, present,
};
use crate::entry::{BinaryEntry, ENTRY_KEYS, EntryError, OVERRIDE_KEYS, RawEntryAt};
use crate::requirement::ToolRequirement;

/// The only origin convention this crate implements.
pub const SUPPORTED_CONVENTION: u32 = 1;

const TOML_KEYS: &[&str] = &[
    "convention_version",
    "skillrig-convention",
    "origin",
    "skills_dir",
    "cmd_dir",
    "tag_scheme",
    "binaries",
];
const INDEX_KEYS: &[&str] = &[
    "skillrigConvention",
    "origin",
    "skills",
    "binaries",
    "generated",
];

/// Which metadata file an error or warning is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetadataFile {
    /// `.skillrig-origin.toml`.
    OriginToml,
    /// `index.json`.
    IndexJson,
}

impl fmt::Display for MetadataFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MetadataFile::OriginToml => ".skillrig-origin.toml",
            MetadataFile::IndexJson => "index.json",
        })
    }
}

/// A problem that does not stop parsing, returned alongside the result.
///
/// `Display` is the whole line, file name first ("index.json: unknown key …"); callers print
/// it as it is, without naming the file again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    file: MetadataFile,
    kind: WarningKind,
}

/// What a [`Warning`] is about.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarningKind {
    /// A key nobody reads; likely a typo.
    UnknownKey {
        /// Where the key is, e.g. ``binaries[0] (`jira`)``; empty for the top level.
        location: String,
        /// The key as written.
        key: String,
        /// The known key it most resembles.
        suggestion: Option<&'static str>,
    },
    /// A second `binaries` entry for the same name; the first one is used.
    DuplicateBinary(String),
    /// An optional value of the wrong type, ignored.
    IgnoredValue {
        /// The value's path.
        path: String,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: &'static str,
    },
}

impl Warning {
    /// The file the warning is about.
    pub fn file(&self) -> MetadataFile {
        self.file
    }

    /// What the warning is about.
    pub fn kind(&self) -> &WarningKind {
        &self.kind
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.file)?;
        match &self.kind {
            WarningKind::UnknownKey {
                location,
                key,
                suggestion,
            } => {
                if location.is_empty() {
                    write!(f, "unknown key `{key}` is ignored")?;
                } else {
                    write!(f, "unknown key `{key}` in {location} is ignored")?;
                }
                if let Some(suggestion) = suggestion {
                    write!(f, "; did you mean `{suggestion}`?")?;
                }
                Ok(())
            }
            WarningKind::DuplicateBinary(name) => write!(
                f,
                "binaries lists `{name}` more than once; the first entry is used"
            ),
            WarningKind::IgnoredValue {
                path,
                expected,
                found,
            } => write!(
                f,
                "`{path}` should be {expected}, found {found}; it is ignored"
            ),
        }
    }
}

/// Why origin metadata could not be used.
///
/// `Display` reads "`<file>[ line <n>]: <reason>`": the line where the format gives one (every
/// TOML error; JSON syntax and type errors). A syntax error keeps the parser's message (with
/// line and column) as its [`source`](std::error::Error::source).
#[derive(Debug)]
pub struct MetadataError {
    file: MetadataFile,
    line: Option<usize>,
    kind: MetadataErrorKind,
}

/// The specific reason behind a [`MetadataError`].
#[derive(Debug)]
#[non_exhaustive]
pub enum MetadataErrorKind {
    /// Not valid TOML.
    Toml(toml::de::Error),
    /// Not valid JSON.
    Json(serde_json::Error),
    /// A convention number other than the supported one (the number as written).
    UnsupportedConvention(String),
    /// A value that does not decode as its key's type (or, in JSON, a key given twice).
    WrongType {
        /// The value's path, e.g. `binaries[0].name`; empty for the file's top level.
        path: String,
        /// The decoder's message, e.g. "invalid type: integer `3`, expected a string".
        message: String,
    },
    /// A value of the right type that breaks a rule.
    Invalid {
        /// The value's path.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl MetadataError {
    /// The file the error is about.
    pub fn file(&self) -> MetadataFile {
        self.file
    }

    /// The 1-based line the error is on, when the format gives one.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The specific reason.
    pub fn kind(&self) -> &MetadataErrorKind {
        &self.kind
    }

    /// Returns true if and only if the origin uses a convention this crate does not support.
    pub fn is_unsupported_convention(&self) -> bool {
        matches!(self.kind, MetadataErrorKind::UnsupportedConvention(_))
    }

    /// A TOML syntax error.
    fn toml_syntax(text: &str, error: toml::de::Error) -> MetadataError {
        MetadataError {
            file: MetadataFile::OriginToml,
            line: error.span().map(|span| line_of(text, span.start)),
            kind: MetadataErrorKind::Toml(error),
        }
    }

    /// A TOML value that does not decode.
    fn toml_decode(
        text: &str,
        error: serde_path_to_error::Error<toml::de::Error>,
    ) -> MetadataError {
        let path = KeyPath::from_error_path(error.path()).to_string();
        let inner = error.into_inner();
        MetadataError {
            file: MetadataFile::OriginToml,
            line: inner.span().map(|span| line_of(text, span.start)),
            kind: MetadataErrorKind::WrongType {
                path,
                message: inner.message().to_owned(),
            },
        }
    }

    /// A JSON syntax error, or a value that does not decode.
    fn json(path: &KeyPath, inner: serde_json::Error) -> MetadataError {
        let path = path.to_string();
        let line = Some(inner.line()).filter(|line| *line > 0);
        let kind = if inner.is_data() {
            // serde_json appends " at line L column C"; the line is reported separately.
            let shown = inner.to_string();
            let suffix = format!(" at line {} column {}", inner.line(), inner.column());
            MetadataErrorKind::WrongType {
                path,
                message: shown.strip_suffix(&suffix).unwrap_or(&shown).to_owned(),
            }
        } else {
            MetadataErrorKind::Json(inner)
        };
        MetadataError {
            file: MetadataFile::IndexJson,
            line,
            kind,
        }
    }

    /// A binaries entry that breaks a rule; `text` (TOML's, whose values carry spans) turns
    /// its span into a line.
    fn entry(file: MetadataFile, text: Option<&str>, error: EntryError) -> MetadataError {
        MetadataError {
            file,
            line: text
                .zip(error.span)
                .map(|(text, span)| line_of(text, span.start)),
            kind: MetadataErrorKind::Invalid {
                path: error.path.to_string(),
                reason: error.reason,
            },
        }
    }
}

impl hint::Hint for MetadataError {
    /// A line telling the user what to do, when there is something specific to say.
    fn hints(&self) -> Vec<String> {
        let mut hints = Vec::new();
        match &self.kind {
            MetadataErrorKind::UnsupportedConvention(n) if !n.starts_with('-') && n != "0" => {
                hints.push(format!(
                    "the origin's {} was written for a newer skillrig; a newer skillrig-mise \
                     release knows convention {n}",
                    self.file
                ));
            }
            MetadataErrorKind::UnsupportedConvention(_) => hints.push(format!(
                "convention numbers start at {SUPPORTED_CONVENTION}; the origin's {} is wrong",
                self.file
            )),
            MetadataErrorKind::WrongType { path, .. }
                if path == "binaries" && self.file == MetadataFile::OriginToml =>
            {
                hints.push(
                    "write each entry as its own `[[binaries]]` table (double brackets)".to_owned(),
                );
            }
            MetadataErrorKind::Invalid { path, .. }
                if path.starts_with("binaries") && path.ends_with(".attestations") =>
            {
                hints.push(
                    "write `attestations = \"auto\"` (verify what exists), `\"required\"` or \
                     `\"off\"`"
                        .to_owned(),
                );
            }
            MetadataErrorKind::Invalid { path, .. }
                if path.starts_with("binaries") && path.ends_with(".signer_workflow") =>
            {
                hints.push(
                    "name the workflow that builds the release, e.g. `signer_workflow = \
                     \"acme/tools/.github/workflows/release.yml\"`"
                        .to_owned(),
                );
            }
            MetadataErrorKind::WrongType { path, .. } | MetadataErrorKind::Invalid { path, .. }
                if path.starts_with("binaries") =>
            {
                hints.push(
                    "a binaries entry has `name`, and optionally `stream` (\"+<bin>\" or \
                     \"<bin>-v\"), `asset`, `checksums`, `bin`, `platforms.<os>-<arch>` \
                     with `os`/`arch`, `attestations` and `signer_workflow`"
                        .to_owned(),
                );
            }
            _ => {}
        }
        hints
    }
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        f.write_str(": ")?;
        match &self.kind {
            MetadataErrorKind::Toml(_) => f.write_str("not valid TOML"),
            MetadataErrorKind::Json(_) => f.write_str("not valid JSON"),
            MetadataErrorKind::UnsupportedConvention(n) => write!(
                f,
                "origin convention {n} is not supported (supports {SUPPORTED_CONVENTION}); \
                 upgrade skillrig-mise"
            ),
            MetadataErrorKind::WrongType { path, message } if path.is_empty() => {
                f.write_str(message)
            }
            MetadataErrorKind::WrongType { path, message } => write!(f, "`{path}`: {message}"),
            MetadataErrorKind::Invalid { path, reason } => write!(f, "`{path}`: {reason}"),
        }
    }
}

impl std::error::Error for MetadataError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            MetadataErrorKind::Toml(source) => Some(source),
            MetadataErrorKind::Json(source) => Some(source),
            _ => None,
        }
    }
}

/// A parsed `.skillrig-origin.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginToml {
    convention: Option<u32>,
    origin: Option<String>,
    skills_dir: Option<String>,
    cmd_dir: Option<String>,
    tag_scheme: Option<String>,
    binaries: Vec<BinaryEntry>,
    warnings: Vec<Warning>,
}

/// Pass 1 over `.skillrig-origin.toml`: the two spellings of the convention, nothing else.
#[derive(Deserialize)]
struct TomlGate {
    convention_version: Option<Spanned<Convention>>,
    #[serde(rename = "skillrig-convention")]
    rfc_convention: Option<Spanned<Convention>>,
}

/// Pass 2 over `.skillrig-origin.toml`: every key the file has.
#[derive(Deserialize)]
struct RawOriginToml {
    // Read by the gate; listed so they are not reported as unknown.
    #[serde(rename = "convention_version")]
    _convention_version: Option<Anything>,
    #[serde(rename = "skillrig-convention")]
    _rfc_convention: Option<Anything>,
    origin: Option<Str>,
    skills_dir: Option<Str>,
    // Read by nobody, so a wrong type is only a warning.
    cmd_dir: Option<toml::Value>,
    tag_scheme: Option<toml::Value>,
    binaries: Option<TableList<RawEntryAt<Toml>, Toml>>,
}

impl OriginToml {
    /// Parses the file's text: TOML syntax, the convention gate, then the keys above.
    pub fn parse(text: &str) -> Result<OriginToml, MetadataError> {
        let file = MetadataFile::OriginToml;
        let gate: TomlGate = decode_toml(text, None)?;
        // Both spellings are gated separately, so when both are present they are both 1.
        let convention =
            gate_toml(text, gate.convention_version)?.or(gate_toml(text, gate.rfc_convention)?);
        let mut ignored = Vec::new();
        let raw: RawOriginToml = decode_toml(text, Some(&mut ignored))?;
        let mut values = Vec::new();
        let mut lenient = |key: &str, value: Option<toml::Value>| match value {
            None => None,
            Some(toml::Value::String(s)) => Some(s),
            Some(other) => {
                values.push(WarningKind::IgnoredValue {
                    path: key.to_owned(),
                    expected: "a string",
                    found: toml_type(&other),
                });
                None
            }
        };
        let cmd_dir = lenient("cmd_dir", raw.cmd_dir);
        let tag_scheme = lenient("tag_scheme", raw.tag_scheme);
        let entries = raw
            .binaries
            .map(|list| list.0)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(index, entry)| BinaryEntry::from_raw::<Toml>(entry, index))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| MetadataError::entry(file, Some(text), e))?;
        let (binaries, warnings) = assemble(file, TOML_KEYS, ignored, values, entries);
        Ok(OriginToml {
            convention,
            origin: raw.origin.map(|s| s.0),
            skills_dir: raw.skills_dir.map(|s| s.0),
            cmd_dir,
            tag_scheme,
            binaries,
            warnings,
        })
    }

    /// The declared convention (always [`SUPPORTED_CONVENTION`] when present).
    pub fn convention(&self) -> Option<u32> {
        self.convention
    }

    /// The origin's identity label (`OWNER/REPO`), never compared with the coordinate.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The skills directory; `skills` when absent or empty, as the skillrig CLI decides.
    pub fn skills_dir(&self) -> &str {
        match self.skills_dir.as_deref() {
            None | Some("") => "skills",
            Some(dir) => dir,
        }
    }

    /// The documented but unread `cmd_dir`.
    pub fn cmd_dir(&self) -> Option<&str> {
        self.cmd_dir.as_deref()
    }

    /// The documented but unread `tag_scheme`.
    pub fn tag_scheme(&self) -> Option<&str> {
        self.tag_scheme.as_deref()
    }

    /// All `[[binaries]]` entries (duplicates dropped, first kept).
    pub fn binaries(&self) -> &[BinaryEntry] {
        &self.binaries
    }

    /// The entry named `name`, if any.
    pub fn binary(&self, name: &str) -> Option<&BinaryEntry> {
        self.binaries.iter().find(|b| b.name() == name)
    }

    /// Problems that did not stop parsing.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// One skill in `index.json`'s catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexSkill {
    /// Skill name (its directory name).
    pub name: String,
    /// The manifest version.
    pub version: String,
    /// Optional namespace, `""` when absent.
    pub namespace: String,
    /// One-line description.
    pub description: String,
    /// Topics (`tags` in older indexes); `None` when `null` or absent.
    pub topics: Option<Vec<String>>,
    /// Path in the origin, e.g. `skills/deploy-check`.
    pub path: String,
    /// Tools the skill needs; `None` when `null` or absent.
    pub requires: Option<Vec<ToolRequirement>>,
}

/// A parsed `index.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginIndex {
    convention: Option<u32>,
    origin: Option<String>,
    skills: Vec<IndexSkill>,
    binaries: Vec<BinaryEntry>,
    warnings: Vec<Warning>,
}

/// Pass 1 over `index.json`: the convention, nothing else.
#[derive(Deserialize)]
struct JsonGate {
    #[serde(rename = "skillrigConvention")]
    convention: Option<Convention>,
}

/// Pass 2 over `index.json`: every key the file has.
#[derive(Deserialize)]
struct RawIndex {
    // Read by the gate; listed so it is not reported as unknown.
    #[serde(rename = "skillrigConvention")]
    _convention: Option<Anything>,
    origin: Option<String>,
    // The catalog is read leniently, entry by entry (see `skills`).
    skills: Option<serde_json::Value>,
    binaries: Option<TableList<RawEntryAt<Json>, Json>>,
    // A note older generators wrote.
    #[serde(rename = "generated")]
    _generated: Option<Anything>,
}

/// One catalog entry, read the way the skillrig CLI's consumers read it: strings are strings
/// or `""`, lists are lists or absent.
#[derive(Default, Deserialize)]
#[serde(default)]
struct RawSkill {
    name: Text,
    version: Text,
    namespace: Text,
    description: Text,
    path: Text,
    // `topics` when the key is present at all (even `null`), else the older `tags`.
    #[serde(deserialize_with = "present")]
    topics: Option<ScalarList>,
    #[serde(deserialize_with = "present")]
    tags: Option<ScalarList>,
    requires: Requirements,
}

impl OriginIndex {
    /// Parses the file's bytes: JSON syntax, the convention gate, then the keys above.
    ///
    /// `skillrigConvention` may be absent or `null` (tolerated, as the published plugin
    /// does); a string such as `"1"` is a type error.
    pub fn parse(bytes: &[u8]) -> Result<OriginIndex, MetadataError> {
        let file = MetadataFile::IndexJson;
        let gate: Table<JsonGate, Json> = decode_json(bytes, None)?;
        let convention = match gate.0.convention {
            None => None,
            Some(found) => Some(gate_number(file, None, found)?),
        };
        let mut ignored = Vec::new();
        let raw: Table<RawIndex, Json> = decode_json(bytes, Some(&mut ignored))?;
        let raw = raw.0;
        let mut values = Vec::new();
        let skills = skills(raw.skills, &mut values);
        let entries = raw
            .binaries
            .map(|list| list.0)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(index, entry)| BinaryEntry::from_raw::<Json>(entry, index))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| MetadataError::entry(file, None, e))?;
        let (binaries, warnings) = assemble(file, INDEX_KEYS, ignored, values, entries);
        Ok(OriginIndex {
            convention,
            origin: raw.origin,
            skills,
            binaries,
            warnings,
        })
    }

    /// The declared convention (always [`SUPPORTED_CONVENTION`] when present).
    pub fn convention(&self) -> Option<u32> {
        self.convention
    }

    /// The origin's identity label.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The skill catalog, in file order.
    pub fn skills(&self) -> &[IndexSkill] {
        &self.skills
    }

    /// All `binaries` entries (duplicates dropped, first kept).
    pub fn binaries(&self) -> &[BinaryEntry] {
        &self.binaries
    }

    /// The entry named `name`, if any.
    pub fn binary(&self, name: &str) -> Option<&BinaryEntry> {
        self.binaries.iter().find(|b| b.name() == name)
    }

    /// Problems that did not stop parsing.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// A convention number as written; only integers decode, so `"1"` and `1.0` are type errors.
struct Convention(String);

impl<'de> Deserialize<'de> for Convention {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ConventionVisitor;

        impl<'de> serde::de::Visitor<'de> for ConventionVisitor {
            type Value = Convention;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer")
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Convention, E> {
                Ok(Convention(value.to_string()))
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Convention, E> {
                Ok(Convention(value.to_string()))
            }

            fn visit_i128<E: serde::de::Error>(self, value: i128) -> Result<Convention, E> {
                Ok(Convention(value.to_string()))
            }

            fn visit_u128<E: serde::de::Error>(self, value: u128) -> Result<Convention, E> {
                Ok(Convention(value.to_string()))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Convention, A::Error> {
                Err(serde::de::Error::invalid_type(map_kind(map)?, &self))
            }
        }

        deserializer.deserialize_any(ConventionVisitor)
    }
}

/// The convention gate for one found number.
fn gate_number(
    file: MetadataFile,
    line: Option<usize>,
    found: Convention,
) -> Result<u32, MetadataError> {
    if found.0 == SUPPORTED_CONVENTION.to_string() {
        return Ok(SUPPORTED_CONVENTION);
    }
    Err(MetadataError {
        file,
        line,
        kind: MetadataErrorKind::UnsupportedConvention(found.0),
    })
}

/// The convention gate for one TOML spelling, naming the line of a refused number.
fn gate_toml(text: &str, found: Option<Spanned<Convention>>) -> Result<Option<u32>, MetadataError> {
    found
        .map(|found| {
            let line = line_of(text, found.span().start);
            gate_number(MetadataFile::OriginToml, Some(line), found.into_inner())
        })
        .transpose()
}

/// Decodes `.skillrig-origin.toml` into `T`; with `ignored`, collects the paths of the keys
/// `T` does not read.
fn decode_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    ignored: Option<&mut Vec<KeyPath>>,
) -> Result<T, MetadataError> {
    let document =
        toml::Deserializer::parse(text).map_err(|e| MetadataError::toml_syntax(text, e))?;
    match ignored {
        None => serde_path_to_error::deserialize(document),
        Some(ignored) => serde_path_to_error::deserialize(serde_ignored::Deserializer::new(
            document,
            &mut |path| ignored.push(KeyPath::from_ignored(&path)),
        )),
    }
    .map_err(|e| MetadataError::toml_decode(text, e))
}

/// Decodes `index.json` into `T`; with `ignored`, collects the paths of the keys `T` does not
/// read.
fn decode_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    ignored: Option<&mut Vec<KeyPath>>,
) -> Result<T, MetadataError> {
    let mut document = serde_json::Deserializer::from_slice(bytes);
    let value = match ignored {
        None => serde_path_to_error::deserialize(&mut document),
        Some(ignored) => serde_path_to_error::deserialize(serde_ignored::Deserializer::new(
            &mut document,
            &mut |path| ignored.push(KeyPath::from_ignored(&path)),
        )),
    }
    .map_err(|e| MetadataError::json(&KeyPath::from_error_path(e.path()), e.into_inner()))?;
    // Trailing characters after the document are a syntax error.
    document
        .end()
        .map_err(|e| MetadataError::json(&KeyPath::default(), e))?;
    Ok(value)
}

/// The skill catalog: lenient like the consumers that read it; bad entries are skipped with a
/// warning so a catalog problem never blocks a binary install.
fn skills(value: Option<serde_json::Value>, warnings: &mut Vec<WarningKind>) -> Vec<IndexSkill> {
    let items = match value {
        None => return Vec::new(),
        Some(serde_json::Value::Array(items)) => items,
        Some(other) => {
            warnings.push(WarningKind::IgnoredValue {
                path: "skills".to_owned(),
                expected: "an array",
                found: json_type(&other),
            });
            return Vec::new();
        }
    };
    let mut skills = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        if !item.is_object() {
            warnings.push(WarningKind::IgnoredValue {
                path: format!("skills[{index}]"),
                expected: "an object",
                found: json_type(&item),
            });
            continue;
        }
        // Every field is lenient and an object has no repeated keys, so this cannot fail.
        let Ok(raw) = RawSkill::deserialize(item) else {
            continue;
        };
        skills.push(IndexSkill {
            name: raw.name.0,
            version: raw.version.0,
            namespace: raw.namespace.0,
            description: raw.description.0,
            topics: raw.topics.or(raw.tags).and_then(|list| list.0),
            path: raw.path.0,
            requires: raw.requires.0,
        });
    }
    skills
}

/// Puts the warnings in order: top-level look-alikes, ignored values, then per entry its
/// unknown keys (in the order the decoder meets them: key order in TOML, file order in JSON)
/// and whether it repeats an earlier name. Returns the entries
/// kept (the first of each name) and the warnings.
fn assemble(
    file: MetadataFile,
    top_level: &'static [&'static str],
    ignored: Vec<KeyPath>,
    values: Vec<WarningKind>,
    entries: Vec<BinaryEntry>,
) -> (Vec<BinaryEntry>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let mut per_entry: BTreeMap<usize, Vec<WarningKind>> = BTreeMap::new();
    for path in ignored {
        let Some((parent, key)) = path.split_key() else {
            continue;
        };
        let (index, known) = match parent.segments() {
            [] => {
                // Unknown top-level keys are ignored unless they look like a typo.
                if let Some(suggestion) = suggest(key, top_level) {
                    warnings.push(WarningKind::UnknownKey {
                        location: String::new(),
                        key: key.to_owned(),
                        suggestion: Some(suggestion),
                    });
                }
                continue;
            }
            [Segment::Key(list), Segment::Index(index)] if list == "binaries" => {
                (*index, ENTRY_KEYS)
            }
            [
                Segment::Key(list),
                Segment::Index(index),
                Segment::Key(platforms),
                _,
            ] if list == "binaries" && platforms == "platforms" => (*index, OVERRIDE_KEYS),
            // Nothing else is decoded with unknown keys left over; keep the path if it is.
            [Segment::Key(list), Segment::Index(index), ..] if list == "binaries" => {
                (*index, &[][..])
            }
            _ => continue,
        };
        let name = entries.get(index).map_or("", |e| e.name());
        per_entry
            .entry(index)
            .or_default()
            .push(WarningKind::UnknownKey {
                location: format!("{parent} (`{name}`)"),
                key: key.to_owned(),
                suggestion: suggest(key, known),
            });
    }
    warnings.extend(values);
    let mut seen = HashSet::with_capacity(entries.len());
    let mut kept = Vec::with_capacity(entries.len());
    for (index, entry) in entries.into_iter().enumerate() {
        warnings.extend(per_entry.remove(&index).unwrap_or_default());
        if seen.insert(entry.name().to_owned()) {
            kept.push(entry);
        } else {
            warnings.push(WarningKind::DuplicateBinary(entry.name().to_owned()));
        }
    }
    let warnings = warnings
        .into_iter()
        .map(|kind| Warning { file, kind })
        .collect();
    (kept, warnings)
}

/// How a TOML value's type reads in a warning.
fn toml_type(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date-time",
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
    }
}

/// How a JSON value's type reads in a warning.
fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(n) if n.is_f64() => "a float",
        serde_json::Value::Number(_) => "an integer",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The known key `key` most likely misspells: same letters ignoring case, `-` and `_`, or
/// within two edits (one for short keys), counting swapped neighbours (`arhc`) as one edit.
fn suggest(key: &str, known: &'static [&'static str]) -> Option<&'static str> {
    fn squash(s: &str) -> String {
        let kept = s.chars().filter(|c| *c != '-' && *c != '_');
        if s.is_ascii() {
            kept.map(|c| c.to_ascii_lowercase()).collect()
        } else {
            kept.flat_map(char::to_lowercase).collect()
        }
    }
    let squashed = squash(key);
    let len = squashed.chars().count();
    let limit = if len <= 4 { 1 } else { 2 };
    let mut best: Option<(usize, &'static str)> = None;
    for candidate in known {
        let target = squash(candidate);
        if target == squashed {
            return Some(candidate);
        }
        // The distance is at least the difference in length; skip the DP when that is over.
        if target.chars().count().abs_diff(len) > limit {
            continue;
        }
        let distance = strsim::osa_distance(&squashed, &target);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hint::Hint as _;

    fn toml_err(text: &str) -> MetadataError {
        OriginToml::parse(text).expect_err(text)
    }

    fn json_err(text: &str) -> MetadataError {
        OriginIndex::parse(text.as_bytes()).expect_err(text)
    }

    #[test]
    fn convention_gate() {
        for (text, want) in [
            (
                "convention_version = 2",
                ".skillrig-origin.toml line 1: origin convention 2 is not supported (supports 1); upgrade skillrig-mise",
            ),
            (
                "skillrig-convention = 3",
                ".skillrig-origin.toml line 1: origin convention 3 is not supported (supports 1)",
            ),
            (
                "convention_version = 0",
                ".skillrig-origin.toml line 1: origin convention 0 is not supported",
            ),
            (
                "convention_version = -1",
                ".skillrig-origin.toml line 1: origin convention -1 is not supported",
            ),
            (
                "convention_version = \"1\"",
                ".skillrig-origin.toml line 1: `convention_version`: invalid type: string \"1\", expected an integer",
            ),
            (
                "convention_version = 1.0",
                ".skillrig-origin.toml line 1: `convention_version`: invalid type: floating point `1.0`, expected an integer",
            ),
            (
                "convention_version = 1979-05-27",
                ".skillrig-origin.toml line 1: `convention_version`: invalid type: a date-time, expected an integer",
            ),
            (
                "convention_version = 1\nskillrig-convention = 2",
                ".skillrig-origin.toml line 2: origin convention 2 is not supported",
            ),
            // The gate runs before anything else is validated.
            (
                "binaries = 'garbage'\nconvention_version = 2",
                ".skillrig-origin.toml line 2: origin convention 2 is not supported",
            ),
        ] {
            let err = toml_err(text);
            assert_eq!(err.file(), MetadataFile::OriginToml);
            assert!(err.to_string().starts_with(want), "{text}: {err}");
        }
        assert!(toml_err("convention_version = 2").is_unsupported_convention());
        assert_eq!(toml_err("convention_version = 2").line(), Some(1));
        assert!(toml_err("convention_version = 2").hints()[0].contains("newer"));
        assert!(toml_err("convention_version = 0").hints()[0].contains("start at 1"));
        for (text, want) in [
            (
                r#"{"skillrigConvention": 2}"#,
                "index.json: origin convention 2 is not supported (supports 1); upgrade skillrig-mise",
            ),
            (
                r#"{"skillrigConvention": "1"}"#,
                "index.json line 1: `skillrigConvention`: invalid type: string \"1\", expected an integer",
            ),
            (
                r#"{"skillrigConvention": 1.5}"#,
                "index.json line 1: `skillrigConvention`: invalid type: floating point `1.5`, expected an integer",
            ),
            (
                r#"{"skillrigConvention": 18446744073709551615}"#,
                "index.json: origin convention 18446744073709551615 is not supported",
            ),
        ] {
            let shown = json_err(text).to_string();
            assert!(shown.starts_with(want), "{text}: {shown}");
        }
        // The gate runs before anything else is validated.
        let err = json_err(r#"{"binaries": "garbage", "skillrigConvention": 2}"#);
        assert!(err.is_unsupported_convention());
        // Absent or null is tolerated.
        assert_eq!(OriginIndex::parse(b"{}").unwrap().convention(), None);
        assert_eq!(
            OriginIndex::parse(br#"{"skillrigConvention": null}"#)
                .unwrap()
                .convention(),
            None
        );
        assert_eq!(OriginToml::parse("").unwrap().convention(), None);
        let both = OriginToml::parse("convention_version = 1\nskillrig-convention = 1").unwrap();
        assert_eq!(both.convention(), Some(1));
    }

    #[test]
    fn syntax_errors_keep_the_parser_message() {
        let err = toml_err("origin = 'a'\nconvention_version = ");
        assert_eq!(
            err.to_string(),
            ".skillrig-origin.toml line 2: not valid TOML"
        );
        let source = std::error::Error::source(&err).unwrap().to_string();
        assert!(source.contains("line 2"), "{source}");
        let err = json_err("{\"origin\": }");
        assert_eq!(err.to_string(), "index.json line 1: not valid JSON");
        assert!(
            std::error::Error::source(&err)
                .unwrap()
                .to_string()
                .contains("line 1")
        );
        // Trailing text after the document is a syntax error too.
        let err = json_err("{}\n{}");
        assert_eq!(err.to_string(), "index.json line 2: not valid JSON");
        let err = json_err("[]");
        assert_eq!(
            err.to_string(),
            "index.json line 1: invalid type: sequence, expected an object"
        );
        // A key given twice: TOML refuses it as syntax, JSON as a decoding error.
        assert_eq!(
            toml_err("origin = 'a'\norigin = 'b'").to_string(),
            ".skillrig-origin.toml line 2: not valid TOML"
        );
        assert_eq!(
            json_err(r#"{"origin": "a", "origin": "b"}"#).to_string(),
            "index.json line 1: duplicate field `origin`"
        );
    }

    #[test]
    fn binaries_entry_rules() {
        // (file, line, message after "line N: ")
        let cases: &[(&str, usize, &str)] = &[
            (
                "binaries = 1",
                1,
                "`binaries`: invalid type: integer `1`, expected an array of tables (`[[binaries]]`)",
            ),
            (
                "[binaries]\nname = 'x'",
                1,
                "`binaries`: invalid type: map, expected an array of tables (`[[binaries]]`)",
            ),
            (
                "binaries = [1]",
                1,
                "`binaries[0]`: invalid type: integer `1`, expected a table",
            ),
            (
                "binaries = [['jira', '+jira']]",
                1,
                "`binaries[0]`: invalid type: sequence, expected a table",
            ),
            (
                "[[binaries]]\nstream = '+x'",
                1,
                "`binaries[0].name`: every binaries entry needs a `name`",
            ),
            (
                "[[binaries]]\nname = 3",
                2,
                "`binaries[0].name`: invalid type: integer `3`, expected a string",
            ),
            (
                "[[binaries]]\nname = 'ji ra'",
                2,
                "`binaries[0].name`: `ji ra` is not a binary name: ' ' is not allowed (letters, digits, `.`, `_`, `-`)",
            ),
            (
                "[[binaries]]\nname = '..'",
                2,
                "`binaries[0].name`: `..` is not a binary name: `.` and `..` are not names",
            ),
            (
                "[[binaries]]\nname = 'j'\nstream = '+'",
                3,
                "`binaries[0].stream`: `+` must be followed by the build metadata",
            ),
            (
                "[[binaries]]\nname = 'j'\nstream = ''",
                3,
                "`binaries[0].stream`: the stream rule is empty",
            ),
            (
                "[[binaries]]\nname = 'j'\nstream = ['+j']",
                3,
                "`binaries[0].stream`: invalid type: sequence, expected a string",
            ),
            (
                "[[binaries]]\nname = 'j'\nasset = '{bin}.tgz'",
                3,
                "`binaries[0].asset`: `{bin}.tgz`: unknown placeholder `{bin}`",
            ),
            (
                "[[binaries]]\nname = 'j'\nasset = ['ok', 2]",
                3,
                "`binaries[0].asset[1]`: invalid type: integer `2`, expected a string",
            ),
            (
                "[[binaries]]\nname = 'j'\nasset = {a = 1}",
                3,
                "`binaries[0].asset`: invalid type: map, expected a string or a list of strings",
            ),
            (
                "[[binaries]]\nname = 'j'\nchecksums = 'dir/sums.txt'",
                3,
                "`binaries[0].checksums`: `dir/sums.txt` is not a release asset name",
            ),
            (
                "[[binaries]]\nname = 'j'\nbin = '../j'",
                3,
                "`binaries[0].bin`: `../j` may not contain `..`",
            ),
            (
                "[[binaries]]\nname = 'j'\nbin = '/usr/bin/j'",
                3,
                "`/usr/bin/j` must be a relative `/`-separated path",
            ),
            (
                "[[binaries]]\nname = 'j'\nbin = 'C:\\\\j.exe'",
                3,
                "must be a relative `/`-separated path",
            ),
            (
                "[[binaries]]\nname = 'j'\nbin = './'",
                3,
                "`./` names no file",
            ),
            (
                "[[binaries]]\nname = 'j'\nplatforms = 1",
                3,
                "`binaries[0].platforms`: invalid type: integer `1`, expected a table",
            ),
            (
                "[[binaries]]\nname = 'j'\n[binaries.platforms.linux]\nos = 'linux'",
                3,
                "`binaries[0].platforms.linux`: platform key `linux` is not `<os>-<arch>`",
            ),
            (
                "[[binaries]]\nname = 'j'\n[binaries.platforms.linux-x64]\nos = 'linux'\n[binaries.platforms.linux-amd64]\nos = 'Linux'",
                3,
                "`binaries[0].platforms.linux-x64`: `linux-amd64` and `linux-x64` both name platform `linux-amd64`",
            ),
            (
                "[[binaries]]\nname = 'j'\n[binaries.platforms.linux-x64]\nos = 1",
                4,
                "`binaries[0].platforms.linux-x64.os`: invalid type: integer `1`, expected a string",
            ),
            (
                "[[binaries]]\nname = 'j'\n[binaries.platforms.linux-x64]\narch = 'x 64'",
                4,
                "`binaries[0].platforms.linux-x64.arch`: `x 64` is not a platform token",
            ),
            (
                "[[binaries]]\nname = 'j'\nplatforms.linux-x64 = 1979-05-27",
                3,
                "`binaries[0].platforms.linux-x64`: invalid type: a date-time, expected a table",
            ),
            (
                "[[binaries]]\nname = 'j'\n\n[[binaries]]\nname = 'k'\nstream = 'a b'",
                6,
                "`binaries[1].stream`: the stream rule \"a b\" contains whitespace",
            ),
            (
                "[[binaries]]\nname = 'j'\nattestations = 'Required'",
                3,
                "`binaries[0].attestations`: `Required` is not one of `auto`, `required`, `off`",
            ),
            (
                "[[binaries]]\nname = 'j'\nattestations = true",
                3,
                "`binaries[0].attestations`: invalid type: boolean `true`, expected a string",
            ),
            (
                "[[binaries]]\nname = 'j'\nsigner_workflow = 'release.yml'",
                3,
                "`binaries[0].signer_workflow`: `release.yml` is not `<owner>/<repo>/<workflow path>`",
            ),
            (
                "origin = ['a']",
                1,
                "`origin`: invalid type: sequence, expected a string",
            ),
            (
                "origin = 1979-05-27",
                1,
                "`origin`: invalid type: a date-time, expected a string",
            ),
            (
                "skills_dir = 1",
                1,
                "`skills_dir`: invalid type: integer `1`, expected a string",
            ),
        ];
        for &(text, line, want) in cases {
            let err = toml_err(text);
            let shown = err.to_string();
            let prefix = format!(".skillrig-origin.toml line {line}: ");
            assert!(
                shown.starts_with(&prefix) && shown[prefix.len()..].contains(want),
                "{text:?}\n got: {shown}\nwant: {prefix}{want}"
            );
            assert_eq!(err.line(), Some(line));
            assert!(!shown.contains('\n'), "one line: {shown:?}");
            if text.contains("binaries") {
                assert!(!err.hints().is_empty(), "{text:?}");
            }
        }
        assert!(toml_err("binaries = 1").hints()[0].contains("[[binaries]]"));
        assert!(
            toml_err("[[binaries]]\nname = 'j'\nattestations = 'yes'").hints()[0]
                .contains("attestations = \"auto\"")
        );
        assert!(
            toml_err("[[binaries]]\nname = 'j'\nsigner_workflow = 'x'").hints()[0]
                .contains("signer_workflow = \"acme/tools/.github/workflows/release.yml\"")
        );
        // JSON: the same rules; a line where the decoder gives one.
        for (text, want) in [
            (
                r#"{"binaries": [{"name": "j", "platforms": []}]}"#,
                "index.json line 1: `binaries[0].platforms`: invalid type: sequence, expected an object",
            ),
            (
                "{\n  \"binaries\": [\n    {\"name\": 3}\n  ]\n}",
                "index.json line 3: `binaries[0].name`: invalid type: integer `3`, expected a string",
            ),
            (
                r#"{"binaries": [["j", "+j"]]}"#,
                "index.json line 1: `binaries[0]`: invalid type: sequence, expected an object",
            ),
            (
                r#"{"binaries": {"name": "j"}}"#,
                "index.json line 1: `binaries`: invalid type: map, expected an array of objects",
            ),
            (
                r#"{"binaries": [{"name": "j", "stream": "+"}]}"#,
                "index.json: `binaries[0].stream`: `+` must be followed by the build metadata",
            ),
            (
                r#"{"binaries": [{"name": "j", "attestations": "none"}]}"#,
                "index.json: `binaries[0].attestations`: `none` is not one of `auto`, `required`, `off`",
            ),
        ] {
            let shown = json_err(text).to_string();
            assert!(
                shown.starts_with(want),
                "{text}\n got: {shown}\nwant: {want}"
            );
        }
    }

    #[test]
    fn warnings_for_misspelt_and_unknown_keys() {
        let text = r#"
convention_version = 1
skill_dir = "skills"     # misspelt top-level key
future_key = true         # unknown, no look-alike: ignored silently
cmd_dir = 3               # read by nobody: wrong type is only a warning

[[binaries]]
name = "jira"
checksum = "jira_checksums.txt"
Stream = "+jira"
colour = "blue"

[binaries.platforms.linux-x64]
os = "linux"
arhc = "amd64"

[[binaries]]
name = "jira"
stream = "jira-v"
"#;
        let parsed = OriginToml::parse(text).unwrap();
        let shown: Vec<String> = parsed.warnings().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                ".skillrig-origin.toml: unknown key `skill_dir` is ignored; did you mean `skills_dir`?",
                ".skillrig-origin.toml: `cmd_dir` should be a string, found an integer; it is ignored",
                ".skillrig-origin.toml: unknown key `Stream` in binaries[0] (`jira`) is ignored; did you mean `stream`?",
                ".skillrig-origin.toml: unknown key `checksum` in binaries[0] (`jira`) is ignored; did you mean `checksums`?",
                ".skillrig-origin.toml: unknown key `colour` in binaries[0] (`jira`) is ignored",
                ".skillrig-origin.toml: unknown key `arhc` in binaries[0].platforms.linux-x64 (`jira`) is ignored; did you mean `arch`?",
                ".skillrig-origin.toml: binaries lists `jira` more than once; the first entry is used",
            ]
        );
        assert_eq!(parsed.binaries().len(), 1);
        let jira = parsed.binary("jira").unwrap();
        assert_eq!(jira.stream(), None);
        assert_eq!(jira.platforms()["linux-amd64"].os(), Some("linux"));
        assert_eq!(jira.platforms()["linux-amd64"].arch(), None);
        assert_eq!(parsed.cmd_dir(), None);
        assert_eq!(parsed.skills_dir(), "skills");
    }

    #[test]
    fn index_typos_and_lenient_skills() {
        let text = r#"{
          "skillrigConvention": 1,
          "skillrig_convention": 1,
          "generated": "by hand",
          "skills": [
            {"name": "old", "version": "0.1.0", "tags": ["a", 2, true, null, {}], "requires": [{"tool": "jira", "version": ">=1"}, 5]},
            "not a skill",
            {"name": 7, "topics": null, "requires": null}
          ]
        }"#;
        let index = OriginIndex::parse(text.as_bytes()).unwrap();
        let shown: Vec<String> = index.warnings().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "index.json: unknown key `skillrig_convention` is ignored; did you mean `skillrigConvention`?",
                "index.json: `skills[1]` should be an object, found a string; it is ignored",
            ]
        );
        let skills = index.skills();
        assert_eq!(skills.len(), 2);
        // A catalog entry repeating a key is read as JSON reads it (the last one wins), not
        // refused: the catalog never blocks an install.
        let repeated =
            OriginIndex::parse(br#"{"skills": [{"name": "a", "name": "b", "tags": ["x"]}]}"#)
                .unwrap();
        assert_eq!(repeated.skills()[0].name, "b");
        assert_eq!(
            repeated.skills()[0].topics.as_deref(),
            Some(&["x".to_owned()][..])
        );
        // `topics` present (even null) wins over the older `tags`.
        let null_topics =
            OriginIndex::parse(br#"{"skills": [{"topics": null, "tags": ["x"]}, {"topics": 1}]}"#)
                .unwrap();
        assert_eq!(null_topics.skills()[0].topics, None);
        assert_eq!(null_topics.skills()[1].topics, None);
        let not_a_list = OriginIndex::parse(br#"{"skills": {"a": 1}}"#).unwrap();
        assert_eq!(
            not_a_list.warnings()[0].to_string(),
            "index.json: `skills` should be an array, found an object; it is ignored"
        );
        assert_eq!(
            skills[0].topics.as_deref(),
            Some(&["a".to_owned(), "2".to_owned(), "true".to_owned()][..])
        );
        let requires = skills[0].requires.as_ref().unwrap();
        assert_eq!(requires.len(), 1);
        assert_eq!(requires[0].tool, "jira");
        assert_eq!(requires[0].manager, "");
        assert_eq!(skills[1].name, "");
        assert_eq!(skills[1].topics, None);
        assert_eq!(skills[1].requires, None);
    }

    #[test]
    fn suggestions() {
        for (key, want) in [
            ("checksum", Some("checksums")),
            ("Checksums", Some("checksums")),
            ("asset", Some("asset")),
            ("assets", Some("asset")),
            ("platform", Some("platforms")),
            ("nmae", Some("name")),
            ("bins", Some("bin")),
            ("zzz", None),
            ("version", None),
        ] {
            assert_eq!(suggest(key, ENTRY_KEYS), want, "{key}");
        }
        assert_eq!(suggest("skills-dir", TOML_KEYS), Some("skills_dir"));
        assert_eq!(suggest("convention", TOML_KEYS), None);
        // Swapped neighbours count as one edit (optimal string alignment).
        assert_eq!(suggest("arhc", OVERRIDE_KEYS), Some("arch"));
        assert_eq!(suggest("nmae", ENTRY_KEYS), Some("name"));
    }
}
