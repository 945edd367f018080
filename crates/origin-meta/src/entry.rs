//! One binary as origin metadata describes it: the validated `[[binaries]]` / `"binaries"`
//! entry, its asset-name templates and its per-platform token overrides.
//!
//! These are the leaf types both [`metadata`](crate::metadata) (which parses them out of the
//! files) and [`spec`](crate::spec) (which merges them with the convention) use. The raw,
//! derive-decoded form of an entry and the rules that turn it into a [`BinaryEntry`] live here
//! too, so `[[binaries]]` and `"binaries"` obey exactly the same rules and error paths.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;

use crate::address::is_name_char;
use crate::attestation::{AttestationPolicy, check_signer_workflow};
use crate::de::{Format, KeyPath, Located, OneOrMany, Str, Table};
use crate::platform::normalize_key;
use crate::stream::Stream;

/// The keys a binaries entry has.
pub(crate) const ENTRY_KEYS: &[&str] = &[
    "name",
    "stream",
    "asset",
    "checksums",
    "bin",
    "platforms",
    "attestations",
    "signer_workflow",
];

/// The keys a platform override has.
pub(crate) const OVERRIDE_KEYS: &[&str] = &["os", "arch"];

/// A binaries entry as decoded, before its values are checked. Unknown keys are left to
/// `serde_ignored`, which reports them as warnings.
#[derive(Deserialize)]
#[serde(bound = "")]
pub(crate) struct RawEntry<F: Format> {
    name: Option<F::At<Str>>,
    stream: Option<F::At<Str>>,
    asset: Option<F::At<OneOrMany>>,
    checksums: Option<F::At<OneOrMany>>,
    bin: Option<F::At<Str>>,
    platforms: Option<F::At<Table<RawPlatforms<F>, F>>>,
    attestations: Option<F::At<Str>>,
    signer_workflow: Option<F::At<Str>>,
}

/// A `platforms` table as decoded: override key → override.
type RawPlatforms<F> = BTreeMap<String, <F as Format>::At<Table<RawOverride<F>, F>>>;

/// A platform override as decoded.
#[derive(Deserialize)]
#[serde(bound = "")]
pub(crate) struct RawOverride<F: Format> {
    os: Option<F::At<Str>>,
    arch: Option<F::At<Str>>,
}

/// A decoded entry with its span.
pub(crate) type RawEntryAt<F> = <F as Format>::At<Table<RawEntry<F>, F>>;

/// A value of the right type that breaks a rule: where, and why.
#[derive(Debug)]
pub(crate) struct EntryError {
    /// The value's path, e.g. `binaries[0].stream`.
    pub(crate) path: KeyPath,
    /// The value's byte span, where the format gives one.
    pub(crate) span: Option<Range<usize>>,
    /// What is wrong with it.
    pub(crate) reason: String,
}

/// One `[[binaries]]` / `"binaries"` entry, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BinaryEntry {
    pub(crate) name: String,
    pub(crate) stream: Option<Stream>,
    pub(crate) assets: Vec<AssetTemplate>,
    pub(crate) checksums: Vec<String>,
    pub(crate) bin: Option<String>,
    pub(crate) platforms: BTreeMap<String, PlatformOverride>,
    pub(crate) attestations: Option<AttestationPolicy>,
    pub(crate) signer_workflow: Option<String>,
}

impl BinaryEntry {
    /// Checks the `index`-th decoded entry of a `binaries` list.
    pub(crate) fn from_raw<F: Format>(
        raw: RawEntryAt<F>,
        index: usize,
    ) -> Result<BinaryEntry, EntryError> {
        let path = KeyPath::default().key("binaries").index(index);
        let entry_span = raw.span();
        let raw = raw.into_inner().0;
        let invalid = |key: &str, span: Option<Range<usize>>, reason: String| EntryError {
            path: path.key(key),
            span,
            reason,
        };

        let Some(name) = raw.name else {
            return Err(invalid(
                "name",
                entry_span,
                "every binaries entry needs a `name`".to_owned(),
            ));
        };
        let (name_span, name) = (name.span(), name.into_inner().0);
        if let Err(reason) = check_token(&name) {
            return Err(invalid(
                "name",
                name_span,
                format!("`{name}` is not a binary name: {reason}"),
            ));
        }

        let stream = match raw.stream {
            None => None,
            Some(rule) => {
                let span = rule.span();
                Some(
                    Stream::parse_rule(&rule.into_inner().0)
                        .map_err(|e| invalid("stream", span, e.to_string()))?,
                )
            }
        };

        let mut assets = Vec::new();
        if let Some(templates) = raw.asset {
            let span = templates.span();
            for template in templates.into_inner().0 {
                let parsed = AssetTemplate::parse(&template)
                    .map_err(|e| invalid("asset", span.clone(), format!("`{template}`: {e}")))?;
                assets.push(parsed);
            }
        }

        let mut checksums = Vec::new();
        if let Some(names) = raw.checksums {
            let span = names.span();
            for name in names.into_inner().0 {
                if name.is_empty()
                    || name.contains(['/', '\\'])
                    || name.chars().any(char::is_control)
                {
                    return Err(invalid(
                        "checksums",
                        span,
                        format!("`{name}` is not a release asset name (one file name, no `/`)"),
                    ));
                }
                checksums.push(name);
            }
        }

        let bin = match raw.bin {
            None => None,
            Some(bin) => {
                let span = bin.span();
                let bin = bin.into_inner().0;
                Some(
                    clean_archive_path(&bin)
                        .map_err(|reason| invalid("bin", span, format!("`{bin}` {reason}")))?,
                )
            }
        };

        let platforms = match raw.platforms {
            None => BTreeMap::new(),
            Some(table) => platforms::<F>(table.into_inner().0, &path.key("platforms"))?,
        };

        let attestations = match raw.attestations {
            None => None,
            Some(policy) => {
                let span = policy.span();
                let policy = policy.into_inner().0;
                Some(
                    policy
                        .parse::<AttestationPolicy>()
                        .map_err(|e| invalid("attestations", span, e.to_string()))?,
                )
            }
        };

        let signer_workflow = match raw.signer_workflow {
            None => None,
            Some(pattern) => {
                let span = pattern.span();
                let pattern = pattern.into_inner().0;
                check_signer_workflow(&pattern)
                    .map_err(|reason| invalid("signer_workflow", span, reason))?;
                Some(pattern)
            }
        };

        Ok(BinaryEntry {
            name,
            stream,
            assets,
            checksums,
            bin,
            platforms,
            attestations,
            signer_workflow,
        })
    }

    /// The binary name (`[A-Za-z0-9._-]+`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The stream rule, if given.
    pub fn stream(&self) -> Option<&Stream> {
        self.stream.as_ref()
    }

    /// Asset templates (a string or a list in the file), in order.
    pub fn assets(&self) -> &[AssetTemplate] {
        &self.assets
    }

    /// Checksums asset names (a string or a list in the file), in order.
    pub fn checksums(&self) -> &[String] {
        &self.checksums
    }

    /// The executable's relative path inside the archive (a leading `./` removed).
    pub fn bin(&self) -> Option<&str> {
        self.bin.as_deref()
    }

    /// Token overrides keyed by normalised `<os>-<arch>`.
    pub fn platforms(&self) -> &BTreeMap<String, PlatformOverride> {
        &self.platforms
    }

    /// The attestation policy the origin asks for, if it names one.
    pub fn attestations(&self) -> Option<AttestationPolicy> {
        self.attestations
    }

    /// The pattern build provenance's signer workflow must match, if given (checked with
    /// [`check_signer_workflow`]).
    pub fn signer_workflow(&self) -> Option<&str> {
        self.signer_workflow.as_deref()
    }
}

/// Checks a `platforms` table: keys are `<os>-<arch>` (stored normalised, so `linux-x64` and
/// `linux-amd64` are one platform and may not both appear), values are tokens.
fn platforms<F: Format>(
    table: RawPlatforms<F>,
    path: &KeyPath,
) -> Result<BTreeMap<String, PlatformOverride>, EntryError> {
    let mut out: BTreeMap<String, PlatformOverride> = BTreeMap::new();
    let mut written: BTreeMap<String, String> = BTreeMap::new();
    for (key, value) in table {
        let key_path = path.key(&key);
        let span = value.span();
        let Some(normal) = normalize_key(&key) else {
            return Err(EntryError {
                path: key_path,
                span,
                reason: format!(
                    "platform key `{key}` is not `<os>-<arch>`, e.g. `linux-amd64` or `darwin-arm64`"
                ),
            });
        };
        if let Some(first) = written.get(&normal) {
            return Err(EntryError {
                path: key_path,
                span,
                reason: format!("`{first}` and `{key}` both name platform `{normal}`"),
            });
        }
        let raw = value.into_inner().0;
        let mut tokens = PlatformOverride::default();
        for (field, value, slot) in [
            ("os", raw.os, &mut tokens.os),
            ("arch", raw.arch, &mut tokens.arch),
        ] {
            let Some(value) = value else { continue };
            let span = value.span();
            let token = value.into_inner().0;
            if let Err(reason) = check_token(&token) {
                return Err(EntryError {
                    path: key_path.key(field),
                    span,
                    reason: format!("`{token}` is not a platform token: {reason}"),
                });
            }
            *slot = Some(token);
        }
        written.insert(normal.clone(), key);
        out.insert(normal, tokens);
    }
    Ok(out)
}

/// Per-platform replacement tokens (`[binaries.platforms.<os>-<arch>]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PlatformOverride {
    pub(crate) os: Option<String>,
    pub(crate) arch: Option<String>,
}

impl PlatformOverride {
    /// The OS token to use instead of the mapped one.
    pub fn os(&self) -> Option<&str> {
        self.os.as_deref()
    }

    /// The architecture token to use instead of the mapped one.
    pub fn arch(&self) -> Option<&str> {
        self.arch.as_deref()
    }
}

/// One piece of an asset template.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Piece {
    Text(String),
    Name,
    Version,
    Os,
    Arch,
    Ext,
}

/// An asset-name template such as `jira_{version}_{os}_{arch}.tar.gz`.
///
/// Placeholders: `{name}` (binary name), `{version}` (SemVer core with prerelease, no `v`),
/// `{os}`, `{arch}` (goreleaser tokens after overrides) and `{ext}`. A template with `{ext}`
/// expands once per extension the installer passes to
/// [`BinarySpec::asset_candidates`](crate::BinarySpec::asset_candidates): written bare
/// (`…_{arch}{ext}`) it gets each suffix as given (`.tar.gz`, …, and `""` for a raw binary);
/// written after a dot (`….{ext}`) it gets the suffix without its dot (`tar.gz`) and no raw
/// form. `{{`/`}}` are literal braces.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AssetTemplate {
    source: String,
    pieces: Vec<Piece>,
}

/// Why an asset template was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The template is empty.
    #[error("the asset template is empty")]
    Empty,
    /// A `{…}` that is not a known placeholder.
    #[error(
        "unknown placeholder `{{{0}}}` (known: {{name}}, {{version}}, {{os}}, {{arch}}, {{ext}})"
    )]
    UnknownPlaceholder(String),
    /// A `{` without `}` or a lone `}`.
    #[error("unbalanced `{{` or `}}` (write `{{{{` or `}}}}` for a literal brace)")]
    Unbalanced,
    /// A `/` or control character: asset names are single file names.
    #[error("an asset name cannot contain `/`, `\\` or control characters")]
    BadChar,
}

impl hint::Hint for TemplateError {
    fn hints(&self) -> Vec<String> {
        vec!["an asset template is a file name with placeholders, e.g. `{name}_{version}_{os}_{arch}.tar.gz`".to_owned()]
    }
}

impl AssetTemplate {
    /// Parses a template.
    pub fn parse(template: &str) -> Result<AssetTemplate, TemplateError> {
        if template.is_empty() {
            return Err(TemplateError::Empty);
        }
        if template
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
        {
            return Err(TemplateError::BadChar);
        }
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text.push('}');
                }
                '}' => return Err(TemplateError::Unbalanced),
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some('{') | None => return Err(TemplateError::Unbalanced),
                            Some(c) => name.push(c),
                        }
                    }
                    let piece = match name.as_str() {
                        "name" => Piece::Name,
                        "version" => Piece::Version,
                        "os" => Piece::Os,
                        "arch" => Piece::Arch,
                        "ext" => Piece::Ext,
                        _ => return Err(TemplateError::UnknownPlaceholder(name)),
                    };
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(piece);
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(AssetTemplate {
            source: template.to_owned(),
            pieces,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub(crate) fn has_ext(&self) -> bool {
        self.pieces.contains(&Piece::Ext)
    }

    /// Returns true if and only if `{ext}` directly follows a literal `.`.
    pub(crate) fn dotted_ext(&self) -> bool {
        self.pieces
            .windows(2)
            .any(|pair| matches!(pair, [Piece::Text(text), Piece::Ext] if text.ends_with('.')))
    }

    pub(crate) fn expand(
        &self,
        name: &str,
        version: &str,
        os: &str,
        arch: &str,
        ext: &str,
    ) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            out.push_str(match piece {
                Piece::Text(text) => text,
                Piece::Name => name,
                Piece::Version => version,
                Piece::Os => os,
                Piece::Arch => arch,
                Piece::Ext => ext,
            });
        }
        out
    }
}

impl fmt::Display for AssetTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// A bin name or platform token: `[A-Za-z0-9._-]+`, not `.`/`..`.
pub(crate) fn check_token(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("it is empty".to_owned());
    }
    if let Some(c) = value.chars().find(|c| !is_name_char(*c)) {
        return Err(format!(
            "{c:?} is not allowed (letters, digits, `.`, `_`, `-`)"
        ));
    }
    if value == "." || value == ".." {
        return Err("`.` and `..` are not names".to_owned());
    }
    Ok(())
}

/// Validates an in-archive path: relative, `/`-separated, no `..`, no empty or control
/// characters. Returns it without a leading `./` or trailing `/`.
pub(crate) fn clean_archive_path(path: &str) -> Result<String, &'static str> {
    if path.starts_with('/') || path.contains('\\') || path.contains(':') {
        return Err("must be a relative `/`-separated path inside the archive");
    }
    if path.chars().any(char::is_control) {
        return Err("contains control characters");
    }
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() {
        return Err("names no file");
    }
    if parts.contains(&"..") {
        return Err("may not contain `..`");
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_errors() {
        for (template, want) in [
            ("", TemplateError::Empty),
            (
                "{name}_{bin}",
                TemplateError::UnknownPlaceholder("bin".into()),
            ),
            ("{name", TemplateError::Unbalanced),
            ("name}", TemplateError::Unbalanced),
            ("{na{me}", TemplateError::Unbalanced),
            ("dir/{name}", TemplateError::BadChar),
            ("a\nb", TemplateError::BadChar),
        ] {
            assert_eq!(AssetTemplate::parse(template), Err(want), "{template:?}");
        }
        assert_eq!(
            TemplateError::UnknownPlaceholder("bin".into()).to_string(),
            "unknown placeholder `{bin}` (known: {name}, {version}, {os}, {arch}, {ext})"
        );
        assert_eq!(
            TemplateError::Unbalanced.to_string(),
            "unbalanced `{` or `}` (write `{{` or `}}` for a literal brace)"
        );
    }

    #[test]
    fn archive_paths() {
        for (path, want) in [
            ("jira", Ok("jira")),
            ("./bin/jira", Ok("bin/jira")),
            ("bin//jira/", Ok("bin/jira")),
            ("a/../b", Err("may not contain `..`")),
            (
                "/abs",
                Err("must be a relative `/`-separated path inside the archive"),
            ),
            ("", Err("names no file")),
            ("a\u{0}b", Err("contains control characters")),
        ] {
            assert_eq!(
                clean_archive_path(path).as_deref().map_err(|e| *e),
                want,
                "{path:?}"
            );
        }
    }
}
