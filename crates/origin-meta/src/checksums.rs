//! SHA-256 checksums files as release pipelines publish them.
//!
//! Accepted line shapes (one entry per line, CRLF or LF, blank lines and `#` comments skipped):
//!
//! | shape | example |
//! |---|---|
//! | GNU text mode (goreleaser, `sha256sum`) | `<hex>  jira_1.7.0_linux_amd64.tar.gz` |
//! | GNU binary mode | `<hex> *jira_1.7.0_linux_amd64.tar.gz` |
//! | one space (accepted by skillrig/mise-skillrig) | `<hex> jira_1.7.0_linux_amd64.tar.gz` |
//! | GNU escaped name (leading `\`; `\\` and `\n` in the name) | `\<hex>  dir\\name` |
//! | BSD / `shasum --tag` | `SHA256 (jira_1.7.0_linux_amd64.tar.gz) = <hex>` |
//! | OpenSSL `dgst` | `SHA256(jira.tar.gz)= <hex>`, `SHA2-256(jira.tar.gz)= <hex>` |
//! | a bare digest (a per-asset `<asset>.sha256` file) | `<hex>` |
//!
//! Only SHA-256 is accepted: a digest must be exactly 64 hex digits, and other BSD algorithm
//! tags are rejected rather than skipped, so a `SHA512SUMS` file fetched by mistake fails
//! loudly. Hex is stored lowercase. Leading `./` on a name are dropped. A name listed twice
//! with different digests is an error (which one would be right?). A bare digest is only
//! allowed as the file's single entry.

use std::collections::HashMap;
use std::fmt;

/// One `digest, name` pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecksumEntry {
    name: Option<String>,
    sha256: String,
}

impl ChecksumEntry {
    /// The file name, `None` for a bare digest.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The SHA-256 digest, 64 lowercase hex digits.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

/// A parsed checksums file.
///
/// Parsing and [`lookup`](ChecksumsFile::lookup) do work linear in the file (hash indexes by
/// name and by last path component), so a hostile file of millions of lines costs no more
/// than reading it.
#[derive(Clone, Default)]
pub struct ChecksumsFile {
    entries: Vec<ChecksumEntry>,
    /// Entry index by name.
    by_name: HashMap<String, usize>,
    /// Entry index by the last path component of names that have a directory part; `None`
    /// when several entries share that component (no guessing which one is meant).
    by_base: HashMap<String, Option<usize>>,
}

impl PartialEq for ChecksumsFile {
    fn eq(&self, other: &ChecksumsFile) -> bool {
        // The indexes are derived from the entries.
        self.entries == other.entries
    }
}

impl Eq for ChecksumsFile {}

impl fmt::Debug for ChecksumsFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChecksumsFile")
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

impl ChecksumsFile {
    /// Parses a checksums file; any malformed line is an error naming its line number.
    pub fn parse(text: &str) -> Result<ChecksumsFile, ChecksumsError> {
        let mut entries: Vec<ChecksumEntry> = Vec::new();
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut bare_line = None;
        for (index, raw) in text.split('\n').enumerate() {
            let line_no = index + 1;
            let err = |kind| ChecksumsError {
                line: line_no,
                kind,
            };
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            let content = line.trim_start();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let entry = parse_line(line).map_err(err)?;
            if entry.name.is_none() {
                bare_line.get_or_insert(line_no);
            }
            if let Some(name) = &entry.name {
                if let Some(&previous) = by_name.get(name) {
                    if entries[previous].sha256 != entry.sha256 {
                        return Err(err(ChecksumsErrorKind::Conflict(name.clone())));
                    }
                    continue;
                }
                by_name.insert(name.clone(), entries.len());
            }
            entries.push(entry);
        }
        if let Some(line) = bare_line
            && entries.len() > 1
        {
            return Err(ChecksumsError {
                line,
                kind: ChecksumsErrorKind::BareDigestAmongMany,
            });
        }
        let mut by_base: HashMap<String, Option<usize>> = HashMap::new();
        for (index, entry) in entries.iter().enumerate() {
            if let Some((_, base)) = entry.name.as_deref().and_then(|n| n.rsplit_once('/')) {
                by_base
                    .entry(base.to_owned())
                    .and_modify(|slot| *slot = None)
                    .or_insert(Some(index));
            }
        }
        Ok(ChecksumsFile {
            entries,
            by_name,
            by_base,
        })
    }

    /// The lowercase hex digest for `name`.
    ///
    /// Tries an exact match (after dropping a leading `./`), then a unique entry whose last
    /// path component is `name` (files written by `sha256sum dist/*`), then a file holding a
    /// single bare digest, which applies to whatever asset it was published for.
    pub fn lookup(&self, name: &str) -> Option<&str> {
        let name = strip_dot_slash(name);
        if let Some(&index) = self.by_name.get(name) {
            return Some(&self.entries[index].sha256);
        }
        if let Some(&Some(index)) = self.by_base.get(name) {
            return Some(&self.entries[index].sha256);
        }
        match self.entries.as_slice() {
            [only] if only.name.is_none() => Some(&only.sha256),
            _ => None,
        }
    }

    /// All entries in file order (duplicates with the same digest collapsed).
    pub fn entries(&self) -> &[ChecksumEntry] {
        &self.entries
    }

    /// Returns true if and only if the file lists no digest at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A malformed checksums file: which line, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("checksums file line {line}: {kind}")]
pub struct ChecksumsError {
    line: usize,
    kind: ChecksumsErrorKind,
}

impl ChecksumsError {
    /// The 1-based line number.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The specific reason.
    pub fn kind(&self) -> &ChecksumsErrorKind {
        &self.kind
    }
}

impl hint::Hint for ChecksumsError {
    /// The accepted line shapes.
    fn hints(&self) -> Vec<String> {
        vec![
            "expected `<sha256-hex>  <file>` (sha256sum/goreleaser) or `SHA256 (<file>) = <sha256-hex>`"
                .to_owned(),
        ]
    }
}

/// The specific reason behind a [`ChecksumsError`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChecksumsErrorKind {
    /// The line matches no accepted shape.
    Malformed,
    /// A digest of the wrong length (another algorithm, or truncated).
    DigestLength(usize),
    /// A digest with non-hex characters.
    NotHex,
    /// A BSD-style line for another algorithm.
    Algorithm(String),
    /// A digest followed by separator but no file name.
    MissingName,
    /// The same name with two different digests.
    Conflict(String),
    /// A digest without a name in a file that lists several digests.
    BareDigestAmongMany,
}

impl fmt::Display for ChecksumsErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChecksumsErrorKind::Malformed => f.write_str("not a checksum line"),
            ChecksumsErrorKind::DigestLength(len) => write!(
                f,
                "the digest has {len} hex digits; only SHA-256 (64) is supported"
            ),
            ChecksumsErrorKind::NotHex => f.write_str("the digest is not hexadecimal"),
            ChecksumsErrorKind::Algorithm(algo) => {
                write!(f, "{algo} digests are not supported; only SHA-256 is")
            }
            ChecksumsErrorKind::MissingName => f.write_str("the file name is missing"),
            ChecksumsErrorKind::Conflict(name) => {
                write!(f, "`{name}` is listed again with a different digest")
            }
            ChecksumsErrorKind::BareDigestAmongMany => f.write_str(
                "a digest without a file name is only allowed when it is the file's only entry",
            ),
        }
    }
}

fn parse_line(line: &str) -> Result<ChecksumEntry, ChecksumsErrorKind> {
    if let Some(entry) = parse_tagged(line)? {
        return Ok(entry);
    }
    let (escaped, line) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let hex_end = line
        .bytes()
        .position(|b| b == b' ' || b == b'\t')
        .unwrap_or(line.len());
    let sha256 = check_digest(&line[..hex_end])?;
    let rest = &line[hex_end..];
    if rest.trim().is_empty() {
        if escaped {
            return Err(ChecksumsErrorKind::MissingName);
        }
        return Ok(ChecksumEntry { name: None, sha256 });
    }
    // `<hex>  name`, `<hex> *name`, `<hex> name`: one separator space, then an optional mode
    // character (` ` text, `*` binary).
    let rest = &rest[1..];
    let name = rest
        .strip_prefix(['*', ' '])
        .unwrap_or(rest)
        .trim_end_matches([' ', '\t']);
    let name = if escaped {
        clean_name(&unescape(name).ok_or(ChecksumsErrorKind::Malformed)?)?
    } else {
        clean_name(name)?
    };
    Ok(ChecksumEntry {
        name: Some(name),
        sha256,
    })
}

/// BSD `ALGO (name) = hex` and OpenSSL `ALGO(name)= hex`; `Ok(None)` when the line is not
/// in that shape at all.
fn parse_tagged(line: &str) -> Result<Option<ChecksumEntry>, ChecksumsErrorKind> {
    // `ALGO`, optional blanks, `(`: scanning stops at the first byte outside that shape, so a
    // GNU line costs its digest's length, not a search of the whole line.
    let algo_len = line
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'/'))
        .unwrap_or(line.len());
    let after = line[algo_len..].trim_start();
    if algo_len == 0 || !after.starts_with('(') {
        return Ok(None);
    }
    let open = line.len() - after.len();
    let algo = &line[..algo_len];
    let Some(close) = line.rfind(")") else {
        return Ok(None);
    };
    if close < open {
        return Ok(None);
    }
    let Some(hex) = line[close + 1..].trim_start().strip_prefix('=') else {
        return Ok(None);
    };
    if !matches!(
        algo.to_ascii_uppercase().as_str(),
        "SHA256" | "SHA2-256" | "SHA-256"
    ) {
        return Err(ChecksumsErrorKind::Algorithm(algo.to_owned()));
    }
    let sha256 = check_digest(hex.trim())?;
    Ok(Some(ChecksumEntry {
        name: Some(clean_name(&line[open + 1..close])?),
        sha256,
    }))
}

fn check_digest(hex: &str) -> Result<String, ChecksumsErrorKind> {
    if hex.is_empty() {
        return Err(ChecksumsErrorKind::Malformed);
    }
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        // Only a digest-sized token is worth calling a bad digest; anything else is prose.
        return Err(if hex.len() == 64 {
            ChecksumsErrorKind::NotHex
        } else {
            ChecksumsErrorKind::Malformed
        });
    }
    if hex.len() != 64 {
        return Err(ChecksumsErrorKind::DigestLength(hex.len()));
    }
    Ok(hex.to_ascii_lowercase())
}

fn clean_name(name: &str) -> Result<String, ChecksumsErrorKind> {
    let name = strip_dot_slash(name);
    if name.is_empty() {
        return Err(ChecksumsErrorKind::MissingName);
    }
    Ok(name.to_owned())
}

/// Drops every leading `./`, so stored names and looked-up names normalise the same way.
fn strip_dot_slash(mut name: &str) -> &str {
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    name
}

/// Undoes GNU coreutils' name escaping (`\\` and `\n`); `None` for any other escape.
fn unescape(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '\\' => out.push('\\'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hint::Hint as _;

    const A: &str = "a3f1c6ee0b27c0f1e0c4d8b9a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1";
    const B: &str = "0000000000000000000000000000000000000000000000000000000000000001";

    #[test]
    fn accepts_every_documented_shape() {
        let upper = A.to_ascii_uppercase();
        let text = format!(
            "{A}  gnu.tar.gz\r\n\
             {B} *binary.tar.gz\n\
             \n\
             # a comment\n\
             {A} one-space.tar.gz\n\
             {upper}  ./upper.zip\n\
             SHA256 (bsd.tar.gz) = {B}\n\
             SHA256(openssl.tar.gz)= {A}\n\
             SHA2-256(openssl3.tar.gz)= {B}\n\
             \\{A}  esc\\\\aped\\nname\n\
             {A}  name with spaces.tar.gz  \n\
             {B}  dist/nested.tar.gz\n"
        );
        let file = ChecksumsFile::parse(&text).unwrap();
        for (name, want) in [
            ("gnu.tar.gz", A),
            ("binary.tar.gz", B),
            ("one-space.tar.gz", A),
            ("upper.zip", A),
            ("./upper.zip", A),
            ("././upper.zip", A),
            ("bsd.tar.gz", B),
            ("openssl.tar.gz", A),
            ("openssl3.tar.gz", B),
            ("esc\\aped\nname", A),
            ("name with spaces.tar.gz", A),
            ("nested.tar.gz", B),
            ("dist/nested.tar.gz", B),
        ] {
            assert_eq!(file.lookup(name), Some(want), "{name}");
        }
        assert_eq!(file.lookup("missing.tar.gz"), None);
        assert_eq!(file.entries().len(), 10);
        // Found by the `checksums` fuzz target: `././x` was stored as `./x` but looked up as `x`.
        let dotted = ChecksumsFile::parse(&format!("{A}  ././sets/x")).unwrap();
        assert_eq!(dotted.entries()[0].name(), Some("sets/x"));
        assert_eq!(dotted.lookup("././sets/x"), Some(A));
    }

    #[test]
    fn single_digest_files() {
        for text in [
            format!("{A}\n"),
            A.to_owned(),
            format!("{A}  jira.tar.gz\n"),
        ] {
            let file = ChecksumsFile::parse(&text).unwrap();
            assert_eq!(file.lookup("jira.tar.gz"), Some(A), "{text:?}");
        }
        // A bare digest applies to any name; a named one only to its own.
        assert_eq!(ChecksumsFile::parse(A).unwrap().lookup("other"), Some(A));
        let named = ChecksumsFile::parse(&format!("{A}  jira.tar.gz")).unwrap();
        assert_eq!(named.lookup("other"), None);
    }

    #[test]
    fn duplicates_and_ambiguity() {
        let same = ChecksumsFile::parse(&format!("{A}  x\n{A}  x\n")).unwrap();
        assert_eq!(same.entries().len(), 1);
        // Two files with the same base name in different directories: no guessing.
        let two = ChecksumsFile::parse(&format!("{A}  a/x\n{B}  b/x\n")).unwrap();
        assert_eq!(two.lookup("x"), None);
        assert_eq!(two.lookup("b/x"), Some(B));
        assert!(ChecksumsFile::parse("").unwrap().is_empty());
        assert!(
            ChecksumsFile::parse("\n\r\n# only comments\n")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn rejects_with_line_numbers() {
        let sha512 = "ab".repeat(64);
        let cases = [
            (format!("{A}  ok\nnot a line\n"), 2, "not a checksum line"),
            (
                format!("{}  x", &A[..63]),
                1,
                "the digest has 63 hex digits; only SHA-256 (64) is supported",
            ),
            (format!("{sha512}  x"), 1, "the digest has 128 hex digits"),
            (
                format!("{}g  x", &A[..63]),
                1,
                "the digest is not hexadecimal",
            ),
            (
                format!("\n\nSHA512 (x) = {sha512}"),
                3,
                "SHA512 digests are not supported; only SHA-256 is",
            ),
            (
                format!("MD5 (x) = {}", &A[..32]),
                1,
                "MD5 digests are not supported",
            ),
            (format!("SHA256 () = {A}"), 1, "the file name is missing"),
            (format!("{A}  ./"), 1, "the file name is missing"),
            (
                format!("{A}  x\n{B}  ./x\n"),
                2,
                "`x` is listed again with a different digest",
            ),
            (
                format!("{A}  x\n{B}\n"),
                2,
                "a digest without a file name is only allowed",
            ),
            (format!("\\{A}  bad\\escape"), 1, "not a checksum line"),
            (
                format!("SHA256 (x) = {}", &A[..10]),
                1,
                "the digest has 10 hex digits",
            ),
        ];
        for (text, line, want) in cases {
            let err = ChecksumsFile::parse(&text).expect_err(&text);
            assert_eq!(err.line(), line, "{text:?}: {err}");
            let shown = err.to_string();
            assert!(
                shown.starts_with(&format!("checksums file line {line}: ")),
                "{shown}"
            );
            assert!(
                shown.contains(want),
                "{text:?}: got {shown:?}, want {want:?}"
            );
            assert!(err.hints()[0].contains("SHA256 ("));
        }
    }
}
