//! Origin metadata: `.skillrig-origin.toml` and the generated `index.json`.
//!
//! Both files are optional inputs to binary resolution. What is read:
//!
//! | `.skillrig-origin.toml` | `index.json` | meaning |
//! |---|---|---|
//! | `convention_version` or `skillrig-convention` (RFC spelling) | `skillrigConvention` | layout contract; only `1` is supported, absent is tolerated |
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
//! caller decides how to show them.
//!
//! Both formats are first decoded to a JSON value tree and then walked by one validator, so
//! `[[binaries]]` and `"binaries"` obey exactly the same rules and error paths
//! (`binaries[0].platforms.linux-x64.os`).

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::entry::{AssetTemplate, BinaryEntry, PlatformOverride, check_token, clean_archive_path};
use crate::platform::normalize_key;
use crate::requirement::ToolRequirement;
use crate::stream::Stream;

/// The only origin convention this crate implements.
pub const SUPPORTED_CONVENTION: u32 = 1;

/// Marker key for TOML date-times in the JSON view (so errors can name the type).
const DATETIME_KEY: &str = "$__skillrig_datetime";

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
const ENTRY_KEYS: &[&str] = &["name", "stream", "asset", "checksums", "bin", "platforms"];
const OVERRIDE_KEYS: &[&str] = &["os", "arch"];

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
        /// Where the key is, e.g. `binaries[0] (jira)`; empty for the top level.
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
/// `Display` reads "`<file>: <reason>`"; a syntax error keeps the parser's message (with line
/// and column) as its [`source`](std::error::Error::source).
#[derive(Debug)]
pub struct MetadataError {
    file: MetadataFile,
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
    /// A value of the wrong type.
    WrongType {
        /// The value's path, e.g. `binaries[0].name`.
        path: String,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: &'static str,
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

    /// The specific reason.
    pub fn kind(&self) -> &MetadataErrorKind {
        &self.kind
    }

    /// Returns true if and only if the origin uses a convention this crate does not support.
    pub fn is_unsupported_convention(&self) -> bool {
        matches!(self.kind, MetadataErrorKind::UnsupportedConvention(_))
    }
}

impl hint::Hint for MetadataError {
    /// A line telling the user what to do, when there is something specific to say.
    fn hints(&self) -> Vec<String> {
        let hint = match &self.kind {
            MetadataErrorKind::UnsupportedConvention(n) if !n.starts_with('-') && n != "0" => {
                Some(format!(
                    "the origin's {} was written for a newer skillrig; a newer skillrig-mise \
                     release knows convention {n}",
                    self.file
                ))
            }
            MetadataErrorKind::UnsupportedConvention(_) => Some(format!(
                "convention numbers start at {SUPPORTED_CONVENTION}; the origin's {} is wrong",
                self.file
            )),
            MetadataErrorKind::WrongType { path, .. } | MetadataErrorKind::Invalid { path, .. }
                if path.starts_with("binaries") =>
            {
                Some(
                    "a binaries entry has `name`, and optionally `stream` (\"+<bin>\" or \
                     \"<bin>-v\"), `asset`, `checksums`, `bin` and `platforms.<os>-<arch>` \
                     with `os`/`arch`"
                        .to_owned(),
                )
            }
            _ => None,
        };
        hint.into_iter().collect()
    }
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.file)?;
        match &self.kind {
            MetadataErrorKind::Toml(_) => f.write_str("not valid TOML"),
            MetadataErrorKind::Json(_) => f.write_str("not valid JSON"),
            MetadataErrorKind::UnsupportedConvention(n) => write!(
                f,
                "origin convention {n} is not supported (supports {SUPPORTED_CONVENTION}); \
                 upgrade skillrig-mise"
            ),
            MetadataErrorKind::WrongType {
                path,
                expected,
                found,
            } => write!(f, "`{path}` must be {expected}, found {found}"),
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

impl OriginToml {
    /// Parses the file's text: TOML syntax, the convention gate, then the keys above.
    pub fn parse(text: &str) -> Result<OriginToml, MetadataError> {
        let file = MetadataFile::OriginToml;
        let table: toml::Table = toml::from_str(text).map_err(|e| MetadataError {
            file,
            kind: MetadataErrorKind::Toml(e),
        })?;
        let root = toml_to_json(toml::Value::Table(table));
        let mut walker = Walker::new(file);
        let root = walker.object(&root, "")?;
        // Both spellings are gated separately, so when both are present they are both 1.
        let convention = walker
            .convention(root, "convention_version")?
            .or(walker.convention(root, "skillrig-convention")?);
        walker.top_level_typos(root, TOML_KEYS);
        let origin = walker.opt_str(root, "origin", "origin")?;
        let skills_dir = walker.opt_str(root, "skills_dir", "skills_dir")?;
        let cmd_dir = walker.lenient_str(root, "cmd_dir");
        let tag_scheme = walker.lenient_str(root, "tag_scheme");
        let binaries = walker.binaries(root)?;
        Ok(OriginToml {
            convention,
            origin,
            skills_dir,
            cmd_dir,
            tag_scheme,
            binaries,
            warnings: walker.warnings,
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
        self.binaries.iter().find(|b| b.name == name)
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

impl OriginIndex {
    /// Parses the file's bytes: JSON syntax, the convention gate, then the keys above.
    ///
    /// `skillrigConvention` may be absent or `null` (tolerated, as the published plugin
    /// does); a string such as `"1"` is a type error.
    pub fn parse(bytes: &[u8]) -> Result<OriginIndex, MetadataError> {
        let file = MetadataFile::IndexJson;
        let root: Value = serde_json::from_slice(bytes).map_err(|e| MetadataError {
            file,
            kind: MetadataErrorKind::Json(e),
        })?;
        let mut walker = Walker::new(file);
        let root = walker.object(&root, "")?;
        let convention = walker.convention(root, "skillrigConvention")?;
        walker.top_level_typos(root, INDEX_KEYS);
        let origin = walker.opt_str(root, "origin", "origin")?;
        let skills = walker.skills(root);
        let binaries = walker.binaries(root)?;
        Ok(OriginIndex {
            convention,
            origin,
            skills,
            binaries,
            warnings: walker.warnings,
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
        self.binaries.iter().find(|b| b.name == name)
    }

    /// Problems that did not stop parsing.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// TOML → JSON tree; date-times become a marker object so errors can call them date-times.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => {
            let mut map = Map::new();
            map.insert(DATETIME_KEY.to_owned(), Value::String(d.to_string()));
            Value::Object(map)
        }
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

/// The validator shared by both formats; collects warnings as it goes.
struct Walker {
    file: MetadataFile,
    warnings: Vec<Warning>,
}

impl Walker {
    fn new(file: MetadataFile) -> Walker {
        Walker {
            file,
            warnings: Vec::new(),
        }
    }

    fn err(&self, kind: MetadataErrorKind) -> MetadataError {
        MetadataError {
            file: self.file,
            kind,
        }
    }

    fn warn(&mut self, kind: WarningKind) {
        self.warnings.push(Warning {
            file: self.file,
            kind,
        });
    }

    fn type_name(&self, value: &Value) -> &'static str {
        match value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(n) if n.is_f64() => "a float",
            Value::Number(_) => "an integer",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(map) if map.contains_key(DATETIME_KEY) => "a date-time",
            Value::Object(_) => self.table_word(),
        }
    }

    fn table_word(&self) -> &'static str {
        match self.file {
            MetadataFile::OriginToml => "a table",
            MetadataFile::IndexJson => "an object",
        }
    }

    fn wrong_type(&self, path: &str, expected: &'static str, found: &Value) -> MetadataError {
        self.err(MetadataErrorKind::WrongType {
            path: if path.is_empty() {
                "(top level)".to_owned()
            } else {
                path.to_owned()
            },
            expected,
            found: self.type_name(found),
        })
    }

    fn invalid(&self, path: &str, reason: impl Into<String>) -> MetadataError {
        self.err(MetadataErrorKind::Invalid {
            path: path.to_owned(),
            reason: reason.into(),
        })
    }

    fn object<'v>(
        &self,
        value: &'v Value,
        path: &str,
    ) -> Result<&'v Map<String, Value>, MetadataError> {
        match value {
            Value::Object(map) if !map.contains_key(DATETIME_KEY) => Ok(map),
            other => Err(self.wrong_type(path, self.table_word(), other)),
        }
    }

    fn convention(
        &self,
        root: &Map<String, Value>,
        key: &str,
    ) -> Result<Option<u32>, MetadataError> {
        let value = match root.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(value) => value,
        };
        let Value::Number(number) = value else {
            return Err(self.wrong_type(key, "an integer", value));
        };
        if number.is_f64() {
            return Err(self.wrong_type(key, "an integer", value));
        }
        if number.as_u64() == Some(u64::from(SUPPORTED_CONVENTION)) {
            Ok(Some(SUPPORTED_CONVENTION))
        } else {
            Err(self.err(MetadataErrorKind::UnsupportedConvention(number.to_string())))
        }
    }

    fn top_level_typos(&mut self, root: &Map<String, Value>, known: &'static [&'static str]) {
        for key in root.keys() {
            if known.contains(&key.as_str()) {
                continue;
            }
            if let Some(suggestion) = suggest(key, known) {
                self.warn(WarningKind::UnknownKey {
                    location: String::new(),
                    key: key.clone(),
                    suggestion: Some(suggestion),
                });
            }
        }
    }

    fn unknown_keys(
        &mut self,
        map: &Map<String, Value>,
        known: &'static [&'static str],
        location: &str,
    ) {
        for key in map.keys() {
            if !known.contains(&key.as_str()) {
                self.warn(WarningKind::UnknownKey {
                    location: location.to_owned(),
                    key: key.clone(),
                    suggestion: suggest(key, known),
                });
            }
        }
    }

    fn opt_str(
        &self,
        map: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Option<String>, MetadataError> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.wrong_type(path, "a string", other)),
        }
    }

    /// An optional string nobody depends on: a wrong type is a warning, not an error.
    fn lenient_str(&mut self, map: &Map<String, Value>, key: &'static str) -> Option<String> {
        match map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                let found = self.type_name(other);
                self.warn(WarningKind::IgnoredValue {
                    path: key.to_owned(),
                    expected: "a string",
                    found,
                });
                None
            }
        }
    }

    /// A string or a list of strings.
    fn str_list(&self, value: &Value, path: &str) -> Result<Vec<String>, MetadataError> {
        match value {
            Value::String(s) => Ok(vec![s.clone()]),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.wrong_type(&format!("{path}[{i}]"), "a string", other)),
                })
                .collect(),
            other => Err(self.wrong_type(path, "a string or a list of strings", other)),
        }
    }

    fn binaries(&mut self, root: &Map<String, Value>) -> Result<Vec<BinaryEntry>, MetadataError> {
        let items = match root.get("binaries") {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => {
                let expected = match self.file {
                    MetadataFile::OriginToml => "an array of tables (`[[binaries]]`)",
                    MetadataFile::IndexJson => "an array of objects",
                };
                return Err(self.wrong_type("binaries", expected, other));
            }
        };
        let mut entries: Vec<BinaryEntry> = Vec::new();
        let mut names = std::collections::HashSet::new();
        for (index, item) in items.iter().enumerate() {
            let entry = self.binary_entry(item, index)?;
            if names.insert(entry.name.clone()) {
                entries.push(entry);
            } else {
                self.warn(WarningKind::DuplicateBinary(entry.name));
            }
        }
        Ok(entries)
    }

    fn binary_entry(&mut self, item: &Value, index: usize) -> Result<BinaryEntry, MetadataError> {
        let path = format!("binaries[{index}]");
        let map = self.object(item, &path)?;
        let name_path = format!("{path}.name");
        let name = match map.get("name") {
            Some(Value::String(name)) => name.clone(),
            None | Some(Value::Null) => {
                return Err(self.invalid(&name_path, "every binaries entry needs a `name`"));
            }
            Some(other) => return Err(self.wrong_type(&name_path, "a string", other)),
        };
        if let Err(reason) = check_token(&name) {
            return Err(self.invalid(
                &name_path,
                format!("`{name}` is not a binary name: {reason}"),
            ));
        }
        self.unknown_keys(map, ENTRY_KEYS, &format!("{path} (`{name}`)"));

        let stream = match map.get("stream") {
            None | Some(Value::Null) => None,
            Some(Value::String(rule)) => Some(
                Stream::parse_rule(rule)
                    .map_err(|e| self.invalid(&format!("{path}.stream"), e.to_string()))?,
            ),
            Some(other) => {
                return Err(self.wrong_type(&format!("{path}.stream"), "a string", other));
            }
        };

        let mut assets = Vec::new();
        if let Some(value) = map.get("asset").filter(|v| !v.is_null()) {
            let asset_path = format!("{path}.asset");
            for template in self.str_list(value, &asset_path)? {
                assets.push(
                    AssetTemplate::parse(&template)
                        .map_err(|e| self.invalid(&asset_path, format!("`{template}`: {e}")))?,
                );
            }
        }

        let mut checksums = Vec::new();
        if let Some(value) = map.get("checksums").filter(|v| !v.is_null()) {
            let sums_path = format!("{path}.checksums");
            for name in self.str_list(value, &sums_path)? {
                if name.is_empty()
                    || name.contains(['/', '\\'])
                    || name.chars().any(char::is_control)
                {
                    return Err(self.invalid(
                        &sums_path,
                        format!("`{name}` is not a release asset name (one file name, no `/`)"),
                    ));
                }
                checksums.push(name);
            }
        }

        let bin = match self.opt_str(map, "bin", &format!("{path}.bin"))? {
            None => None,
            Some(bin) => Some(clean_archive_path(&bin).map_err(|reason| {
                self.invalid(&format!("{path}.bin"), format!("`{bin}` {reason}"))
            })?),
        };

        let platforms = match map.get("platforms") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(value) => self.platforms(value, &format!("{path}.platforms"), &name)?,
        };

        Ok(BinaryEntry {
            name,
            stream,
            assets,
            checksums,
            bin,
            platforms,
        })
    }

    fn platforms(
        &mut self,
        value: &Value,
        path: &str,
        name: &str,
    ) -> Result<BTreeMap<String, PlatformOverride>, MetadataError> {
        let map = self.object(value, path)?;
        let mut out: BTreeMap<String, PlatformOverride> = BTreeMap::new();
        let mut written: BTreeMap<String, &str> = BTreeMap::new();
        for (key, value) in map {
            let key_path = format!("{path}.{key}");
            let Some(normal) = normalize_key(key) else {
                return Err(self.invalid(
                    &key_path,
                    format!("platform key `{key}` is not `<os>-<arch>`, e.g. `linux-amd64` or `darwin-arm64`"),
                ));
            };
            if let Some(first) = written.get(&normal) {
                return Err(self.invalid(
                    &key_path,
                    format!("`{first}` and `{key}` both name platform `{normal}`"),
                ));
            }
            let table = self.object(value, &key_path)?;
            self.unknown_keys(table, OVERRIDE_KEYS, &format!("{key_path} (`{name}`)"));
            let mut tokens = PlatformOverride::default();
            for (field, slot) in [("os", &mut tokens.os), ("arch", &mut tokens.arch)] {
                let field_path = format!("{key_path}.{field}");
                if let Some(token) = self.opt_str(table, field, &field_path)? {
                    check_token(&token).map_err(|reason| {
                        self.invalid(
                            &field_path,
                            format!("`{token}` is not a platform token: {reason}"),
                        )
                    })?;
                    *slot = Some(token);
                }
            }
            written.insert(normal.clone(), key);
            out.insert(normal, tokens);
        }
        Ok(out)
    }

    /// The skill catalog: lenient like the consumers that read it; bad entries are skipped
    /// with a warning so a catalog problem never blocks a binary install.
    fn skills(&mut self, root: &Map<String, Value>) -> Vec<IndexSkill> {
        let items = match root.get("skills") {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(items)) => items,
            Some(other) => {
                let found = self.type_name(other);
                self.warn(WarningKind::IgnoredValue {
                    path: "skills".to_owned(),
                    expected: "an array",
                    found,
                });
                return Vec::new();
            }
        };
        let mut skills = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let Value::Object(map) = item else {
                let found = self.type_name(item);
                self.warn(WarningKind::IgnoredValue {
                    path: format!("skills[{index}]"),
                    expected: self.table_word(),
                    found,
                });
                continue;
            };
            let text = |key: &str| {
                map.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            let topics = match map.get("topics").or_else(|| map.get("tags")) {
                Some(Value::Array(items)) => Some(items.iter().filter_map(stringify).collect()),
                _ => None,
            };
            let requires = match map.get("requires") {
                Some(Value::Array(items)) => Some(
                    items
                        .iter()
                        .filter_map(|item| {
                            let entry = item.as_object()?;
                            let field = |key: &str| {
                                entry
                                    .get(key)
                                    .and_then(Value::as_str)
                                    .unwrap_or("")
                                    .to_owned()
                            };
                            Some(ToolRequirement {
                                tool: field("tool"),
                                version: field("version"),
                                source: field("source"),
                                manager: field("manager"),
                            })
                        })
                        .collect(),
                ),
                _ => None,
            };
            skills.push(IndexSkill {
                name: text("name"),
                version: text("version"),
                namespace: text("namespace"),
                description: text("description"),
                topics,
                path: text("path"),
                requires,
            });
        }
        skills
    }
}

/// A scalar as text, the way Go's `fmt.Sprint` shows it; `None` for containers and null.
fn stringify(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The known key `key` most likely misspells: same letters ignoring case, `-` and `_`, or
/// within edit distance 2 (1 for short keys).
fn suggest(key: &str, known: &'static [&'static str]) -> Option<&'static str> {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '-' && *c != '_')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let squashed = squash(key);
    if let Some(exact) = known.iter().find(|k| squash(k) == squashed) {
        return Some(exact);
    }
    let limit = if squashed.chars().count() <= 4 { 1 } else { 2 };
    known
        .iter()
        .map(|k| (edit_distance(&squashed, &squash(k)), *k))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// Edit distance counting an adjacent transposition as one edit (optimal string alignment),
/// since swapped letters (`arhc`) are the most common typo.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
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
                "origin convention 2 is not supported (supports 1); upgrade skillrig-mise",
            ),
            (
                "skillrig-convention = 3",
                "origin convention 3 is not supported (supports 1)",
            ),
            (
                "convention_version = 0",
                "origin convention 0 is not supported",
            ),
            (
                "convention_version = -1",
                "origin convention -1 is not supported",
            ),
            (
                "convention_version = \"1\"",
                "`convention_version` must be an integer, found a string",
            ),
            (
                "convention_version = 1.0",
                "`convention_version` must be an integer, found a float",
            ),
            (
                "convention_version = 1\nskillrig-convention = 2",
                "origin convention 2 is not supported",
            ),
        ] {
            let err = toml_err(text);
            assert_eq!(err.file(), MetadataFile::OriginToml);
            assert!(
                err.to_string().starts_with(".skillrig-origin.toml: "),
                "{err}"
            );
            assert!(err.to_string().contains(want), "{text}: {err}");
        }
        assert!(toml_err("convention_version = 2").is_unsupported_convention());
        assert!(toml_err("convention_version = 2").hints()[0].contains("newer"));
        assert!(toml_err("convention_version = 0").hints()[0].contains("start at 1"));
        for (text, want) in [
            (
                r#"{"skillrigConvention": 2}"#,
                "index.json: origin convention 2 is not supported (supports 1); upgrade skillrig-mise",
            ),
            (
                r#"{"skillrigConvention": "1"}"#,
                "index.json: `skillrigConvention` must be an integer, found a string",
            ),
            (r#"{"skillrigConvention": 1.5}"#, "found a float"),
            (
                r#"{"skillrigConvention": 18446744073709551615}"#,
                "origin convention 18446744073709551615 is not supported",
            ),
        ] {
            let shown = json_err(text).to_string();
            assert!(
                shown.starts_with("index.json: ")
                    && shown.contains(want.trim_start_matches("index.json: ")),
                "{text}: {shown}"
            );
        }
        // The gate runs before anything else is validated.
        let err = json_err(r#"{"skillrigConvention": 2, "binaries": "garbage"}"#);
        assert!(err.is_unsupported_convention());
        // Absent or null is tolerated.
        assert_eq!(OriginIndex::parse(b"{}").unwrap().convention(), None);
        assert_eq!(
            OriginIndex::parse(br#"{"skillrigConvention": null}"#)
                .unwrap()
                .convention(),
            None
        );
        let both = OriginToml::parse("convention_version = 1\nskillrig-convention = 1").unwrap();
        assert_eq!(both.convention(), Some(1));
    }

    #[test]
    fn syntax_errors_keep_the_parser_message() {
        let err = toml_err("convention_version = ");
        assert_eq!(err.to_string(), ".skillrig-origin.toml: not valid TOML");
        let source = std::error::Error::source(&err).unwrap().to_string();
        assert!(source.contains("line 1"), "{source}");
        let err = json_err("{\"origin\": }");
        assert_eq!(err.to_string(), "index.json: not valid JSON");
        assert!(
            std::error::Error::source(&err)
                .unwrap()
                .to_string()
                .contains("line 1")
        );
        let err = json_err("[]");
        assert_eq!(
            err.to_string(),
            "index.json: `(top level)` must be an object, found an array"
        );
    }

    #[test]
    fn binaries_entry_rules() {
        let cases: &[(&str, &str)] = &[
            (
                "binaries = 1",
                "`binaries` must be an array of tables (`[[binaries]]`), found an integer",
            ),
            (
                "[binaries]\nname = 'x'",
                "`binaries` must be an array of tables (`[[binaries]]`), found a table",
            ),
            (
                "binaries = [1]",
                "`binaries[0]` must be a table, found an integer",
            ),
            (
                "[[binaries]]\nstream = '+x'",
                "`binaries[0].name`: every binaries entry needs a `name`",
            ),
            (
                "[[binaries]]\nname = 3",
                "`binaries[0].name` must be a string, found an integer",
            ),
            (
                "[[binaries]]\nname = 'ji ra'",
                "`binaries[0].name`: `ji ra` is not a binary name: ' ' is not allowed",
            ),
            (
                "[[binaries]]\nname = '..'",
                "`..` is not a binary name: `.` and `..` are not names",
            ),
            (
                "[[binaries]]\nname = 'j'\nstream = '+'",
                "`binaries[0].stream`: `+` must be followed by the build metadata",
            ),
            (
                "[[binaries]]\nname = 'j'\nstream = ''",
                "`binaries[0].stream`: the stream rule is empty",
            ),
            (
                "[[binaries]]\nname = 'j'\nstream = ['+j']",
                "`binaries[0].stream` must be a string, found an array",
            ),
            (
                "[[binaries]]\nname = 'j'\nasset = '{bin}.tgz'",
                "`binaries[0].asset`: `{bin}.tgz`: unknown placeholder `{bin}`",
            ),
            (
                "[[binaries]]\nname = 'j'\nasset = ['ok', 2]",
                "`binaries[0].asset[1]` must be a string, found an integer",
            ),
            (
                "[[binaries]]\nname = 'j'\nasset = {a = 1}",
                "`binaries[0].asset` must be a string or a list of strings, found a table",
            ),
            (
                "[[binaries]]\nname = 'j'\nchecksums = 'dir/sums.txt'",
                "`binaries[0].checksums`: `dir/sums.txt` is not a release asset name",
            ),
            (
                "[[binaries]]\nname = 'j'\nbin = '../j'",
                "`binaries[0].bin`: `../j` may not contain `..`",
            ),
            (
                "[[binaries]]\nname = 'j'\nbin = '/usr/bin/j'",
                "`/usr/bin/j` must be a relative `/`-separated path",
            ),
            (
                "[[binaries]]\nname = 'j'\nbin = 'C:\\\\j.exe'",
                "must be a relative `/`-separated path",
            ),
            ("[[binaries]]\nname = 'j'\nbin = './'", "`./` names no file"),
            (
                "[[binaries]]\nname = 'j'\nplatforms = 1",
                "`binaries[0].platforms` must be a table, found an integer",
            ),
            (
                "[[binaries]]\nname = 'j'\n[binaries.platforms.linux]\nos = 'linux'",
                "`binaries[0].platforms.linux`: platform key `linux` is not `<os>-<arch>`",
            ),
            (
                "[[binaries]]\nname = 'j'\n[binaries.platforms.linux-x64]\nos = 'linux'\n[binaries.platforms.linux-amd64]\nos = 'Linux'",
                "both name platform `linux-amd64`",
            ),
            (
                "[[binaries]]\nname = 'j'\n[binaries.platforms.linux-x64]\nos = 1",
                "`binaries[0].platforms.linux-x64.os` must be a string, found an integer",
            ),
            (
                "[[binaries]]\nname = 'j'\n[binaries.platforms.linux-x64]\narch = 'x 64'",
                "`binaries[0].platforms.linux-x64.arch`: `x 64` is not a platform token",
            ),
            (
                "[[binaries]]\nname = 'j'\nplatforms.linux-x64 = 1979-05-27",
                "`binaries[0].platforms.linux-x64` must be a table, found a date-time",
            ),
            (
                "origin = ['a']",
                "`origin` must be a string, found an array",
            ),
            (
                "skills_dir = 1",
                "`skills_dir` must be a string, found an integer",
            ),
        ];
        for &(text, want) in cases {
            let err = toml_err(text);
            let shown = err.to_string();
            assert!(
                shown.contains(want),
                "{text:?}\n got: {shown}\nwant: {want}"
            );
            if text.contains("binaries") {
                assert!(!err.hints().is_empty(), "{text:?}");
            }
        }
        let err = json_err(r#"{"binaries": [{"name": "j", "platforms": []}]}"#);
        assert_eq!(
            err.to_string(),
            "index.json: `binaries[0].platforms` must be an object, found an array"
        );
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
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("arhc", "arch"), 1);
        assert_eq!(edit_distance("ca", "abc"), 3);
    }
}
