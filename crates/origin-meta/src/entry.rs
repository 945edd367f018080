//! One binary as origin metadata describes it: the validated `[[binaries]]` / `"binaries"`
//! entry, its asset-name templates and its per-platform token overrides.
//!
//! These are the leaf types both [`metadata`](crate::metadata) (which parses them out of the
//! files) and [`spec`](crate::spec) (which merges them with the convention) use.

use std::collections::BTreeMap;
use std::fmt;

use crate::address::is_name_char;
use crate::stream::Stream;

/// One `[[binaries]]` / `"binaries"` entry, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BinaryEntry {
    pub(crate) name: String,
    pub(crate) stream: Option<Stream>,
    pub(crate) assets: Vec<AssetTemplate>,
    pub(crate) checksums: Vec<String>,
    pub(crate) bin: Option<String>,
    pub(crate) platforms: BTreeMap<String, PlatformOverride>,
}

impl BinaryEntry {
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
