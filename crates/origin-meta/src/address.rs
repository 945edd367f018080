//! Tool addresses (what mise passes as `ctx.tool`) and origin coordinates.
//!
//! A tool installed through the `skillrig` backend is named `skillrig:<address>`, and mise hands
//! the plugin everything after the colon. Three address forms exist:
//!
//! | form | meaning |
//! |---|---|
//! | `<owner>/<repo>/<bin>` | binary `<bin>` released from `github.com/<owner>/<repo>` |
//! | `<host>/<owner>/<repo>/<bin>` | the same on a GitHub Enterprise host (the first part contains `.` or `:`, or is `localhost`) |
//! | `<bin>` | bare name, resolved against an origin the caller supplies (a skill's `requires` names its own origin's CLIs this way); never a mise tool name, where every origin's `<bin>` would share one install directory |
//!
//! An origin value is `[<host>/]<owner>/<repo>[@<ref>]`, the grammar the skillrig CLI writes
//! into `.skillrig/config.toml` (plus an optional host). The `@<ref>` selects the branch or tag
//! that origin *metadata* is read at; releases are always listed from the whole repository.
//! Local origins (`./dir`, `file://…`) are valid for the skillrig CLI but cannot serve releases,
//! so they are rejected with a hint.
//!
//! Owner and repo use `[A-Za-z0-9._-]` and may not be `.` or `..`; a bin name uses the same set.
//! A ref uses `[A-Za-z0-9._/-]`. Every rejection names the offending part and the error's
//! hint ([`hint::Hint`]) lists the accepted forms.

use std::fmt;

use crate::host::{Host, HostError};

/// Accepted tool-address forms, shown as a hint under every address error.
const TOOL_FORMS: &str =
    "accepted forms: `<owner>/<repo>/<bin>`, or `<host>/<owner>/<repo>/<bin>` on GitHub Enterprise";

/// Accepted origin forms, shown as a hint under every origin error.
const ORIGIN_FORMS: &str =
    "accepted forms: `<owner>/<repo>`, `<owner>/<repo>@<ref>`, `<host>/<owner>/<repo>[@<ref>]`";

/// A GitHub repository that releases binaries, plus the ref its metadata is read at.
///
/// Parsed from an origin value such as `acme/tools`, `acme/tools@main` or
/// `ghe.example.com/acme/tools`. `Display` gives back the canonical spelling: the host is
/// omitted for github.com, and `@<ref>` is appended when present.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    host: Host,
    owner: String,
    repo: String,
    git_ref: Option<String>,
}

impl Origin {
    /// Parses an origin value: `[<host>/]<owner>/<repo>[@<ref>]`, surrounding whitespace
    /// ignored.
    ///
    /// The string is split on its first `@`; the ref must be non-empty and use
    /// `[A-Za-z0-9._/-]`. A three-part coordinate must start with a host (a part containing
    /// `.` or `:`, or `localhost`). Local paths and URLs are rejected.
    pub fn parse(input: &str) -> Result<Origin, AddressError> {
        let err = |kind| AddressError {
            subject: Subject::Origin,
            input: input.to_owned(),
            kind,
        };
        let value = input.trim();
        if value.is_empty() {
            return Err(err(AddressErrorKind::Empty));
        }
        if is_local_origin(value) {
            return Err(err(AddressErrorKind::LocalOrigin));
        }
        if value.contains("://") {
            return Err(err(AddressErrorKind::Url));
        }
        let (coordinate, git_ref) = match value.split_once('@') {
            Some((coordinate, git_ref)) => {
                validate_ref(git_ref).map_err(err)?;
                (coordinate, Some(git_ref.to_owned()))
            }
            None => (value, None),
        };
        let parts: Vec<&str> = coordinate.split('/').collect();
        let (host, owner, repo) = match parts.as_slice() {
            [owner, repo] => (Host::github_com(), *owner, *repo),
            [host, owner, repo] => (parse_host(host).map_err(err)?, *owner, *repo),
            _ => {
                return Err(err(AddressErrorKind::PartCount {
                    found: parts.len(),
                    expected: "2 or 3",
                }));
            }
        };
        validate_name(Part::Owner, owner).map_err(err)?;
        validate_name(Part::Repo, repo).map_err(err)?;
        Ok(Origin {
            host,
            owner: owner.to_owned(),
            repo: repo.to_owned(),
            git_ref,
        })
    }

    /// The GitHub host the repository lives on.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The repository owner (user or organisation).
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The repository name.
    pub fn repo(&self) -> &str {
        &self.repo
    }

    /// The branch or tag origin metadata is read at; `None` means the default branch.
    pub fn git_ref(&self) -> Option<&str> {
        self.git_ref.as_deref()
    }

    /// `<owner>/<repo>`, the form GitHub's REST paths use.
    pub fn slug(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }

    /// Returns true if and only if both name the same repository on the same host.
    ///
    /// GitHub owner and repository names are case-insensitive, so the comparison is too; the
    /// ref is not compared.
    pub fn same_repository(&self, other: &Origin) -> bool {
        self.host == other.host
            && self.owner.eq_ignore_ascii_case(&other.owner)
            && self.repo.eq_ignore_ascii_case(&other.repo)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host != Host::github_com() {
            write!(f, "{}/", self.host)?;
        }
        write!(f, "{}/{}", self.owner, self.repo)?;
        if let Some(git_ref) = &self.git_ref {
            write!(f, "@{git_ref}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Origin {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Origin, AddressError> {
        Origin::parse(s)
    }
}

/// One binary released from one origin repository: the identity of a mise tool.
///
/// `Display` gives the canonical address, `<owner>/<repo>/<bin>` on github.com and
/// `<host>/<owner>/<repo>/<bin>` elsewhere. The ref is not part of the address (it only says
/// where metadata is read), so two addresses that differ only in ref display the same.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ToolAddress {
    origin: Origin,
    bin: String,
}

impl ToolAddress {
    /// Parses a tool address together with an origin for bare names.
    ///
    /// `origin` (a blank value counts as unset) is required for a bare `<bin>` and otherwise
    /// consulted only for its ref: when it names the same repository as a full address, its
    /// `@<ref>` is kept. In the full forms an origin that does not parse or names another
    /// repository is ignored, as the published plugin (skillrig/mise-skillrig v0.1.0) does, so
    /// a global origin setting cannot break fully named tools.
    pub fn parse(tool: &str, origin: Option<&str>) -> Result<ToolAddress, AddressError> {
        let err = |kind| AddressError {
            subject: Subject::Tool,
            input: tool.to_owned(),
            kind,
        };
        if tool.is_empty() {
            return Err(err(AddressErrorKind::Empty));
        }
        let origin = origin.filter(|value| !value.trim().is_empty());
        let parts: Vec<&str> = tool.split('/').collect();
        let (host, owner, repo, bin) = match parts.as_slice() {
            [bin] => {
                validate_name(Part::Bin, bin).map_err(err)?;
                let Some(origin) = origin else {
                    return Err(err(AddressErrorKind::MissingOrigin));
                };
                return Ok(ToolAddress {
                    origin: Origin::parse(origin)?,
                    bin: (*bin).to_owned(),
                });
            }
            [owner, repo, bin] => (Host::github_com(), *owner, *repo, *bin),
            [host, owner, repo, bin] => (parse_host(host).map_err(err)?, *owner, *repo, *bin),
            _ => {
                return Err(err(AddressErrorKind::PartCount {
                    found: parts.len(),
                    expected: "1, 3 or 4",
                }));
            }
        };
        validate_name(Part::Owner, owner).map_err(err)?;
        validate_name(Part::Repo, repo).map_err(err)?;
        validate_name(Part::Bin, bin).map_err(err)?;
        let mut coordinate = Origin {
            host,
            owner: owner.to_owned(),
            repo: repo.to_owned(),
            git_ref: None,
        };
        if let Some(configured) = origin.and_then(|value| Origin::parse(value).ok())
            && configured.same_repository(&coordinate)
        {
            coordinate.git_ref = configured.git_ref;
        }
        Ok(ToolAddress {
            origin: coordinate,
            bin: bin.to_owned(),
        })
    }

    /// The repository (and metadata ref) the binary is released from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The GitHub host.
    pub fn host(&self) -> &Host {
        &self.origin.host
    }

    /// The repository owner.
    pub fn owner(&self) -> &str {
        &self.origin.owner
    }

    /// The repository name.
    pub fn repo(&self) -> &str {
        &self.origin.repo
    }

    /// The binary name: the stream, asset and executable name.
    pub fn bin(&self) -> &str {
        &self.bin
    }

    /// The ref metadata is read at, if the origin setting named one.
    pub fn git_ref(&self) -> Option<&str> {
        self.origin.git_ref()
    }
}

impl fmt::Display for ToolAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.origin.host != Host::github_com() {
            write!(f, "{}/", self.origin.host)?;
        }
        write!(f, "{}/{}/{}", self.origin.owner, self.origin.repo, self.bin)
    }
}

/// Which string an [`AddressError`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Subject {
    Tool,
    Origin,
}

/// A part of an address or origin, named in error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// The repository owner.
    Owner,
    /// The repository name.
    Repo,
    /// The binary name.
    Bin,
    /// The `@<ref>` of an origin.
    Ref,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Owner => "owner",
            Part::Repo => "repository name",
            Part::Bin => "binary name",
            Part::Ref => "ref",
        })
    }
}

/// Why a tool address or origin value was rejected.
///
/// `Display` is one line such as "invalid tool address `a/b`: expected 1, 3 or 4
/// `/`-separated parts, found 2" (or "invalid origin `…`: …");
/// its [`hint::Hint`] gives the accepted forms. Callers that need to branch use
/// [`kind`](AddressError::kind).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressError {
    subject: Subject,
    input: String,
    kind: AddressErrorKind,
}

/// The specific reason behind an [`AddressError`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddressErrorKind {
    /// The value is empty.
    Empty,
    /// The value has the wrong number of `/`-separated parts.
    PartCount {
        /// How many parts were found.
        found: usize,
        /// The accepted counts, e.g. `"1, 3 or 4"`.
        expected: &'static str,
    },
    /// The first of four parts (three for an origin) is not a host name.
    NotAHost(String),
    /// The host part looks like a host but does not parse.
    InvalidHost(HostError),
    /// A part is empty (e.g. `acme//jira`).
    EmptyPart(Part),
    /// A part contains a character outside its allowed set.
    InvalidChar {
        /// Which part.
        part: Part,
        /// The first offending character.
        found: char,
    },
    /// A part is `.` or `..`.
    DotPart(Part),
    /// A bare `<bin>` was given but no origin is configured.
    MissingOrigin,
    /// The origin is a local path, which cannot serve releases.
    LocalOrigin,
    /// The origin is a URL rather than `<owner>/<repo>`.
    Url,
}

impl AddressError {
    /// The specific reason.
    pub fn kind(&self) -> &AddressErrorKind {
        &self.kind
    }

    /// The rejected input, as given.
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl hint::Hint for AddressError {
    /// A line telling the user what to write instead.
    fn hints(&self) -> Vec<String> {
        vec![match (&self.kind, self.subject) {
            (AddressErrorKind::MissingOrigin, _) => {
                format!("write the full address `<owner>/<repo>/{}`", self.input)
            }
            (AddressErrorKind::LocalOrigin, _) => {
                "skillrig-mise installs released binaries, so the origin must be a GitHub \
                 repository: `<owner>/<repo>[@<ref>]`"
                    .to_owned()
            }
            (_, Subject::Tool) => TOOL_FORMS.to_owned(),
            (_, Subject::Origin) => ORIGIN_FORMS.to_owned(),
        }]
    }
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.subject {
            Subject::Tool => write!(f, "invalid tool address `{}`: ", self.input)?,
            Subject::Origin => write!(f, "invalid origin `{}`: ", self.input)?,
        }
        match &self.kind {
            AddressErrorKind::Empty => f.write_str("it is empty"),
            AddressErrorKind::PartCount { found, expected } => {
                write!(f, "expected {expected} `/`-separated parts, found {found}")
            }
            AddressErrorKind::NotAHost(part) => write!(
                f,
                "`{part}` is not a host name (a host contains `.` or `:`, e.g. `ghe.example.com`)"
            ),
            AddressErrorKind::InvalidHost(_) => f.write_str("the host part is invalid"),
            AddressErrorKind::EmptyPart(part) => write!(f, "the {part} is empty"),
            AddressErrorKind::InvalidChar { part, found } => {
                let allowed = if *part == Part::Ref {
                    "letters, digits, `.`, `_`, `-` and `/`"
                } else {
                    "letters, digits, `.`, `_` and `-`"
                };
                write!(f, "the {part} contains {found:?} (allowed: {allowed})")
            }
            AddressErrorKind::DotPart(part) => write!(f, "the {part} may not be `.` or `..`"),
            AddressErrorKind::MissingOrigin => {
                f.write_str("a bare binary name needs an origin, and none was given")
            }
            AddressErrorKind::LocalOrigin => f.write_str("local origins are not supported"),
            AddressErrorKind::Url => f.write_str("give `<owner>/<repo>`, not a URL"),
        }
    }
}

impl std::error::Error for AddressError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            AddressErrorKind::InvalidHost(source) => Some(source),
            _ => None,
        }
    }
}

/// Returns true if and only if the skillrig CLI would treat the value as a local path.
fn is_local_origin(value: &str) -> bool {
    value == "~"
        || ["file://", "/", "./", "../", "~/"]
            .iter()
            .any(|prefix| value.starts_with(prefix))
}

/// Parses the host part of a four-part address (three-part origin).
fn parse_host(part: &str) -> Result<Host, AddressErrorKind> {
    if part.is_empty() {
        return Err(AddressErrorKind::NotAHost(String::new()));
    }
    let looks_like_host =
        |s: &str| s.contains('.') || s.contains(':') || s.eq_ignore_ascii_case("localhost");
    if !looks_like_host(part) {
        return Err(AddressErrorKind::NotAHost(part.to_owned()));
    }
    let host = Host::parse(part).map_err(AddressErrorKind::InvalidHost)?;
    // Canonicalising drops a trailing dot (`intranet.` → `intranet`); the canonical form must
    // still read as a host, or the displayed address would not parse back.
    if !looks_like_host(host.as_str()) {
        return Err(AddressErrorKind::NotAHost(part.to_owned()));
    }
    Ok(host)
}

/// Checks an owner, repo or bin name against `[A-Za-z0-9._-]+`, not `.`/`..`.
pub(crate) fn validate_name(part: Part, value: &str) -> Result<(), AddressErrorKind> {
    if value.is_empty() {
        return Err(AddressErrorKind::EmptyPart(part));
    }
    if let Some(found) = value.chars().find(|c| !is_name_char(*c)) {
        return Err(AddressErrorKind::InvalidChar { part, found });
    }
    if value == "." || value == ".." {
        return Err(AddressErrorKind::DotPart(part));
    }
    Ok(())
}

/// Returns true if and only if `c` may appear in an owner, repo or bin name.
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

fn validate_ref(value: &str) -> Result<(), AddressErrorKind> {
    if value.is_empty() {
        return Err(AddressErrorKind::EmptyPart(Part::Ref));
    }
    match value.chars().find(|c| !(is_name_char(*c) || *c == '/')) {
        Some(found) => Err(AddressErrorKind::InvalidChar {
            part: Part::Ref,
            found,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hint::Hint as _;

    /// (tool, origin, host, owner, repo, bin, ref, display)
    type Case = (
        &'static str,
        Option<&'static str>,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
        &'static str,
    );

    #[test]
    fn accepts_the_three_forms() {
        let cases: &[Case] = &[
            (
                "acme/tools/jira",
                None,
                "github.com",
                "acme",
                "tools",
                "jira",
                None,
                "acme/tools/jira",
            ),
            (
                "ghe.example.com/acme/tools/jira",
                None,
                "ghe.example.com",
                "acme",
                "tools",
                "jira",
                None,
                "ghe.example.com/acme/tools/jira",
            ),
            (
                "GHE.Example.com:8443/acme/tools/jira",
                None,
                "ghe.example.com:8443",
                "acme",
                "tools",
                "jira",
                None,
                "ghe.example.com:8443/acme/tools/jira",
            ),
            (
                "localhost/acme/tools/jira",
                None,
                "localhost",
                "acme",
                "tools",
                "jira",
                None,
                "localhost/acme/tools/jira",
            ),
            (
                "api.github.com/acme/tools/jira",
                None,
                "github.com",
                "acme",
                "tools",
                "jira",
                None,
                "acme/tools/jira",
            ),
            (
                "jira",
                Some("acme/tools"),
                "github.com",
                "acme",
                "tools",
                "jira",
                None,
                "acme/tools/jira",
            ),
            (
                "jira",
                Some("  acme/tools@release/v1  "),
                "github.com",
                "acme",
                "tools",
                "jira",
                Some("release/v1"),
                "acme/tools/jira",
            ),
            (
                "jira",
                Some("acme.ghe.com/acme/tools@main"),
                "acme.ghe.com",
                "acme",
                "tools",
                "jira",
                Some("main"),
                "acme.ghe.com/acme/tools/jira",
            ),
            // Full address: the origin's ref is used only for the same repository.
            (
                "Acme/Tools/jira",
                Some("acme/tools@dev"),
                "github.com",
                "Acme",
                "Tools",
                "jira",
                Some("dev"),
                "Acme/Tools/jira",
            ),
            (
                "acme/tools/jira",
                Some("other/repo@dev"),
                "github.com",
                "acme",
                "tools",
                "jira",
                None,
                "acme/tools/jira",
            ),
            (
                "acme/tools/jira",
                Some("not an origin"),
                "github.com",
                "acme",
                "tools",
                "jira",
                None,
                "acme/tools/jira",
            ),
            (
                "a.b/c_d/e-f.g",
                None,
                "github.com",
                "a.b",
                "c_d",
                "e-f.g",
                None,
                "a.b/c_d/e-f.g",
            ),
        ];
        for &(tool, origin, host, owner, repo, bin, git_ref, display) in cases {
            let address = ToolAddress::parse(tool, origin)
                .unwrap_or_else(|e| panic!("{tool} {origin:?}: {e}"));
            assert_eq!(address.host().as_str(), host, "{tool}");
            assert_eq!(address.owner(), owner, "{tool}");
            assert_eq!(address.repo(), repo, "{tool}");
            assert_eq!(address.bin(), bin, "{tool}");
            assert_eq!(address.git_ref(), git_ref, "{tool}");
            assert_eq!(address.to_string(), display, "{tool}");
        }
    }

    #[test]
    fn rejects_bad_addresses_with_reasons() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            ("", None, "invalid tool address ``: it is empty"),
            (
                "acme/jira",
                None,
                "invalid tool address `acme/jira`: expected 1, 3 or 4 `/`-separated parts, found 2",
            ),
            (
                "a/b/c/d/e",
                None,
                "expected 1, 3 or 4 `/`-separated parts, found 5",
            ),
            (
                "a/b/c/jira",
                None,
                "`a` is not a host name (a host contains `.` or `:`, e.g. `ghe.example.com`)",
            ),
            ("/b/c/jira", None, "`` is not a host name"),
            ("ghe..com/b/c/jira", None, "the host part is invalid"),
            ("intranet./b/c/jira", None, "`intranet.` is not a host name"),
            ("acme//jira", None, "the repository name is empty"),
            ("acme/tools/", None, "the binary name is empty"),
            (
                "ac me/tools/jira",
                None,
                "the owner contains ' ' (allowed: letters, digits, `.`, `_` and `-`)",
            ),
            ("acme/tools/jira@1.0", None, "the binary name contains '@'"),
            ("acme/tools/ji:ra", None, "the binary name contains ':'"),
            ("../tools/jira", None, "the owner may not be `.` or `..`"),
            (
                "acme/./jira",
                None,
                "the repository name may not be `.` or `..`",
            ),
            (
                "acme/tools/..",
                None,
                "the binary name may not be `.` or `..`",
            ),
            ("jira", None, "a bare binary name needs an origin"),
            ("jira", Some("   "), "a bare binary name needs an origin"),
            (
                "..",
                Some("acme/tools"),
                "the binary name may not be `.` or `..`",
            ),
            ("ji ra", Some("acme/tools"), "the binary name contains ' '"),
            (
                "jira",
                Some("acme"),
                "invalid origin `acme`: expected 2 or 3 `/`-separated parts, found 1",
            ),
            (
                "jira",
                Some("./origin"),
                "invalid origin `./origin`: local origins are not supported",
            ),
            (
                "jira",
                Some("acme/tools@"),
                "invalid origin `acme/tools@`: the ref is empty",
            ),
            (
                "jira",
                Some("acme/tools@a b"),
                "the ref contains ' ' (allowed: letters, digits, `.`, `_`, `-` and `/`)",
            ),
            (
                "jira",
                Some("https://github.com/acme/tools"),
                "give `<owner>/<repo>`, not a URL",
            ),
            ("jira", Some("corp/acme/tools"), "`corp` is not a host name"),
        ];
        for &(tool, origin, want) in cases {
            let err = ToolAddress::parse(tool, origin).expect_err(tool);
            let shown = err.to_string();
            assert!(
                shown.contains(want),
                "{tool} {origin:?}: got {shown:?}, want {want:?}"
            );
            assert!(!err.hints()[0].is_empty());
        }
    }

    #[test]
    fn hints_name_the_accepted_forms() {
        let err = ToolAddress::parse("a/b", None).unwrap_err();
        assert_eq!(err.hints()[0], TOOL_FORMS);
        let err = Origin::parse("a").unwrap_err();
        assert_eq!(err.hints()[0], ORIGIN_FORMS);
        let err = ToolAddress::parse("jira", None).unwrap_err();
        assert_eq!(*err.kind(), AddressErrorKind::MissingOrigin);
        assert!(
            err.hints()[0].contains("`<owner>/<repo>/jira`"),
            "{}",
            err.hints()[0]
        );
        let err = Origin::parse("~").unwrap_err();
        assert_eq!(*err.kind(), AddressErrorKind::LocalOrigin);
    }

    #[test]
    fn local_origins_follow_the_cli_grammar() {
        for local in ["file:///srv/o", "/srv/o", "./o", "../o", "~/o", "~"] {
            let err = Origin::parse(local).unwrap_err();
            assert_eq!(*err.kind(), AddressErrorKind::LocalOrigin, "{local}");
        }
    }

    #[test]
    fn invalid_host_keeps_its_cause() {
        let err = ToolAddress::parse("bad..host/a/b/c", None).unwrap_err();
        let source = std::error::Error::source(&err).expect("host error as source");
        assert!(source.to_string().contains("bad..host"), "{source}");
    }

    /// Inputs the `address` fuzz target found: whatever parses must display to an address
    /// that parses back to itself.
    #[test]
    fn fuzz_regressions_round_trip() {
        for (tool, origin) in [
            ("n", "\nMM../MM../M"),
            ("f", "il./.4/w..\r"),
            ("f", "Intranet.:80/a/b"),
        ] {
            if let Ok(address) = ToolAddress::parse(tool, Some(origin)) {
                let again = ToolAddress::parse(&address.to_string(), None).unwrap();
                assert_eq!(again.to_string(), address.to_string(), "{origin:?}");
            }
        }
    }

    #[test]
    fn origin_display_round_trips() {
        for value in [
            "acme/tools",
            "acme/tools@main",
            "ghe.example.com/acme/tools@v1/x",
        ] {
            let origin = Origin::parse(value).unwrap();
            assert_eq!(origin.to_string(), value);
            assert_eq!(origin.slug(), "acme/tools");
        }
    }
}
