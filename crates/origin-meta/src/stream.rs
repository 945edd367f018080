//! Streams: which release tags of a monorepo belong to one binary, and what version each is.
//!
//! One origin repository releases many binaries, so its tags mix several version streams. A
//! [`Stream`] picks one binary's tags and turns each into a SemVer version:
//!
//! | stream | accepts | example for `jira` |
//! |---|---|---|
//! | [`Stream::BuildMetadata`] (`stream = "+jira"`) | `[v]<core>+<bin>`, the build part exactly `<bin>` | `1.7.0+jira`, `v1.7.0+jira`, `1.0.0-rc.1+jira` |
//! | [`Stream::Prefix`] (`stream = "jira-v"`) | `<prefix><core>`, plus an optional `v` when the prefix does not end in `v` | `jira-v1.7.0` |
//! | [`Stream::Convention`] (no metadata) | both of the above, with prefix `<bin>-` | `1.7.0+jira`, `jira-v1.7.0`, `jira-1.7.0` |
//!
//! `<core>` must be a full SemVer version (`MAJOR.MINOR.PATCH[-pre]`) as the `semver` crate
//! parses it. Prefix tags may not carry build metadata (`jira-v1.7.0+meta` is no version of
//! `jira`), and a longer binary name never leaks into a shorter one's stream: `jira-cli-v1.0.0`
//! and `1.0.0+jira-cli` are not `jira` tags.
//!
//! The version shown to users and returned to mise is the SemVer core with its prerelease, no
//! build metadata and no `v` ([`StreamVersion`]'s `Display`): `1.7.0+jira` → `1.7.0`,
//! `jira-v2.0.0-rc.1` → `2.0.0-rc.1`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use semver::Version;

/// The rule that selects one binary's release tags.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Stream {
    /// `[v]<core>+<name>`: build metadata names the binary (metadata `stream = "+jira"`).
    BuildMetadata(String),
    /// `<prefix>[v]<core>`: a tag prefix names the binary (metadata `stream = "jira-v"`).
    Prefix(String),
    /// No metadata: `[v]<core>+<bin>`, `<bin>-v<core>` and `<bin>-<core>` all count.
    Convention(String),
}

/// Why a `stream` value in origin metadata was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StreamRuleError {
    /// The value is empty.
    #[error("the stream rule is empty")]
    Empty,
    /// `+` with nothing after it.
    #[error("`+` must be followed by the build metadata that names the binary, e.g. `+jira`")]
    EmptyBuild,
    /// Whitespace or control characters.
    #[error("the stream rule {0:?} contains whitespace or control characters")]
    BadChar(String),
}

impl hint::Hint for StreamRuleError {
    fn hints(&self) -> Vec<String> {
        vec!["a stream rule is `+<bin>` (build-metadata tags such as `1.7.0+jira`) or a tag prefix such as `jira-v`".to_owned()]
    }
}

impl Stream {
    /// The stream used when no metadata names the binary.
    pub fn convention(bin: &str) -> Stream {
        Stream::Convention(bin.to_owned())
    }

    /// Parses a metadata `stream` value: `"+<name>"` is a build-metadata stream, anything
    /// else a tag prefix (`"jira-v"`).
    pub fn parse_rule(rule: &str) -> Result<Stream, StreamRuleError> {
        if rule.is_empty() {
            return Err(StreamRuleError::Empty);
        }
        if rule.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(StreamRuleError::BadChar(rule.to_owned()));
        }
        match rule.strip_prefix('+') {
            Some("") => Err(StreamRuleError::EmptyBuild),
            Some(build) => Ok(Stream::BuildMetadata(build.to_owned())),
            None => Ok(Stream::Prefix(rule.to_owned())),
        }
    }

    /// Matches one tag; `None` when the tag is not in this stream.
    ///
    /// The returned version has no GitHub prerelease flag; [`Stream::versions`] sets it.
    pub fn match_tag(&self, tag: &str) -> Option<StreamVersion> {
        let (version, form) = match self {
            Stream::BuildMetadata(name) => match_build(tag, name)?,
            Stream::Prefix(prefix) => match_prefix(tag, prefix)?,
            Stream::Convention(bin) => {
                match_build(tag, bin).or_else(|| match_prefix(tag, &format!("{bin}-")))?
            }
        };
        Some(StreamVersion {
            version,
            tag: tag.to_owned(),
            github_prerelease: false,
            form,
        })
    }

    /// The stream's versions among `tags`, deduplicated and sorted ascending by SemVer
    /// precedence (so the last element is the latest, as mise expects).
    ///
    /// Each item is a tag name and GitHub's `prerelease` flag for its release (`false` when
    /// the tag has no release or the flag is unknown). When several tags give the same
    /// version (`1.7.0+jira`, `v1.7.0+jira`, `jira-v1.7.0`, `jira-1.7.0`), one is kept, chosen
    /// by tag form in that order and then by the byte order of the tag: the bare
    /// build-metadata form is what skillrig's RFC 0001 names as the real tag scheme, so it is
    /// the one an origin migrating from prefix tags means; the choice never depends on API
    /// order, so listing and installing agree on the tag. The kept tag's own prerelease flag
    /// is used.
    pub fn versions<I, S>(&self, tags: I) -> Vec<StreamVersion>
    where
        I: IntoIterator<Item = (S, bool)>,
        S: AsRef<str>,
    {
        let tags: Vec<(S, bool)> = tags.into_iter().collect();
        self.select(&tags, |(tag, prerelease)| (tag.as_ref(), *prerelease))
            .into_iter()
            .map(|(version, _)| version)
            .collect()
    }

    /// The stream's items among `items` — releases, tags, anything with a tag name — with the
    /// version each stands for, deduplicated and sorted ascending exactly as
    /// [`Stream::versions`] does (it is the same rule). `tag_of` gives an item's tag and
    /// GitHub's prerelease flag for it. Every consumer of a stream (listing versions,
    /// resolving `latest`, installing, verifying) goes through here, so they agree on which
    /// tag stands for a version.
    pub fn select<'a, T, F>(&self, items: &'a [T], tag_of: F) -> Vec<(StreamVersion, &'a T)>
    where
        F: Fn(&'a T) -> (&'a str, bool),
    {
        let mut by_version: BTreeMap<Version, (StreamVersion, &'a T)> = BTreeMap::new();
        for item in items {
            let (tag, prerelease) = tag_of(item);
            let Some(mut found) = self.match_tag(tag) else {
                continue;
            };
            found.github_prerelease = prerelease;
            match by_version.get_mut(&found.version) {
                Some(slot) if (found.form, &found.tag) < (slot.0.form, &slot.0.tag) => {
                    *slot = (found, item);
                }
                Some(_) => {}
                None => {
                    by_version.insert(found.version.clone(), (found, item));
                }
            }
        }
        // Build metadata is stripped, so `Version`'s order here is SemVer precedence.
        by_version.into_values().collect()
    }
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stream::BuildMetadata(name) => write!(f, "`[v]<version>+{name}` tags"),
            Stream::Prefix(prefix) => write!(f, "`{prefix}<version>` tags"),
            Stream::Convention(bin) => write!(
                f,
                "`[v]<version>+{bin}`, `{bin}-v<version>` or `{bin}-<version>` tags"
            ),
        }
    }
}

/// How a tag spelled its version; the order is the dedup preference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum TagForm {
    Build,
    BuildWithV,
    PrefixWithV,
    Prefix,
}

/// One version of a stream and the tag it came from.
///
/// `Display` gives the version users see and mise receives: `1.7.0`, `2.0.0-rc.1`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StreamVersion {
    version: Version,
    tag: String,
    github_prerelease: bool,
    form: TagForm,
}

impl StreamVersion {
    /// The version, with build metadata stripped.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// The tag exactly as the repository has it (needed to look up its release).
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// Returns true if and only if the version has a SemVer prerelease part or GitHub marked
    /// the tag's release as a prerelease.
    pub fn is_prerelease(&self) -> bool {
        !self.version.pre.is_empty() || self.github_prerelease
    }

    /// Returns true if and only if GitHub marked the tag's release as a prerelease.
    pub fn is_github_prerelease(&self) -> bool {
        self.github_prerelease
    }
}

impl fmt::Display for StreamVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.version, f)
    }
}

/// The binary names that tags of the conventional forms announce: `<name>` from
/// `[v]<core>+<name>`, `<name>-v<core>` and `<name>-<core>` (`<core>` a SemVer version).
/// Used to tell a user which CLIs an origin releases when they ask for one it does not.
pub fn binary_names<'a>(tags: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for tag in tags {
        if let Some((core, build)) = tag.strip_prefix('v').unwrap_or(tag).split_once('+') {
            if !build.is_empty() && parse_core(core).is_some() {
                names.insert(build.to_owned());
            }
            continue;
        }
        // `<name>-v<core>` or `<name>-<core>`: the name ends at the last `-` before a version.
        let found = tag.match_indices('-').find_map(|(i, _)| {
            let (name, rest) = (&tag[..i], &tag[i + 1..]);
            let core = rest.strip_prefix('v').unwrap_or(rest);
            (!name.is_empty() && parse_core(core).is_some()).then_some(name)
        });
        if let Some(name) = found {
            names.insert(name.to_owned());
        }
    }
    names
}

/// `[v]<core>+<name>` with the build part exactly `name`.
fn match_build(tag: &str, name: &str) -> Option<(Version, TagForm)> {
    if name.is_empty() {
        return None;
    }
    let (rest, form) = match tag.strip_prefix('v') {
        Some(rest) => (rest, TagForm::BuildWithV),
        None => (tag, TagForm::Build),
    };
    let (core, build) = rest.split_once('+')?;
    if build != name {
        return None;
    }
    Some((parse_core(core)?, form))
}

/// `<prefix>[v]<core>`; the optional `v` only when the prefix does not already end in `v`.
fn match_prefix(tag: &str, prefix: &str) -> Option<(Version, TagForm)> {
    if prefix.is_empty() {
        return None;
    }
    let rest = tag.strip_prefix(prefix)?;
    let (core, form) = if prefix.ends_with('v') {
        (rest, TagForm::PrefixWithV)
    } else {
        match rest.strip_prefix('v') {
            Some(core) => (core, TagForm::PrefixWithV),
            None => (rest, TagForm::Prefix),
        }
    };
    if core.contains('+') {
        return None;
    }
    Some((parse_core(core)?, form))
}

/// A SemVer version without build metadata.
fn parse_core(core: &str) -> Option<Version> {
    if !core.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Version::parse(core).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(stream: &Stream, tag: &str) -> Option<String> {
        stream.match_tag(tag).map(|v| v.to_string())
    }

    #[test]
    fn build_metadata_stream() {
        let stream = Stream::parse_rule("+jira").unwrap();
        assert_eq!(stream, Stream::BuildMetadata("jira".into()));
        for (tag, want) in [
            ("1.7.0+jira", Some("1.7.0")),
            ("v1.7.0+jira", Some("1.7.0")),
            ("1.0.0-rc.1+jira", Some("1.0.0-rc.1")),
            ("0.0.6+jira", Some("0.0.6")),
            ("1.0.0+jira-cli", None),
            ("1.0.0+jira.x", None),
            ("1.0.0+JIRA", None),
            ("1.0.0+tfc", None),
            ("1.0+jira", None),
            ("01.0.0+jira", None),
            ("V1.0.0+jira", None),
            ("jira-v1.0.0", None),
            ("1.0.0", None),
            ("1.0.0+", None),
            ("vv1.0.0+jira", None),
            ("1.0.0+jira+jira", None),
        ] {
            assert_eq!(shown(&stream, tag).as_deref(), want, "{tag}");
        }
    }

    #[test]
    fn prefix_stream() {
        let stream = Stream::parse_rule("jira-v").unwrap();
        assert_eq!(stream, Stream::Prefix("jira-v".into()));
        for (tag, want) in [
            ("jira-v1.7.0", Some("1.7.0")),
            ("jira-v2.0.0-rc.1", Some("2.0.0-rc.1")),
            ("jira-v1.7.0+meta", None),
            ("jira-1.7.0", None),
            ("jira-vv1.7.0", None),
            ("jira-cli-v1.0.0", None),
            ("xjira-v1.0.0", None),
            ("jira-v1.0", None),
        ] {
            assert_eq!(shown(&stream, tag).as_deref(), want, "{tag}");
        }
        // A prefix without a trailing `v` accepts one optionally.
        let stream = Stream::parse_rule("jira-").unwrap();
        assert_eq!(shown(&stream, "jira-1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(shown(&stream, "jira-v1.2.3").as_deref(), Some("1.2.3"));
    }

    #[test]
    fn convention_stream() {
        let stream = Stream::convention("jira");
        for (tag, want) in [
            ("1.7.0+jira", Some("1.7.0")),
            ("v1.7.0+jira", Some("1.7.0")),
            ("jira-v1.7.0", Some("1.7.0")),
            ("jira-1.7.0", Some("1.7.0")),
            ("jira-v2.0.0-rc.1", Some("2.0.0-rc.1")),
            ("jira-cli-v1.0.0", None),
            ("jira-cli-1.0.0", None),
            ("1.0.0+jira-cli", None),
            ("jira-v1.7.0+meta", None),
            ("v1.0.3", None),
            ("deploy-check-v2.1.0", None),
            ("jira", None),
            ("jira-", None),
            ("jira-v", None),
        ] {
            assert_eq!(shown(&stream, tag).as_deref(), want, "{tag}");
        }
        // A hyphenated binary gets its own tags and not its shorter sibling's.
        let stream = Stream::convention("jira-cli");
        assert_eq!(shown(&stream, "jira-cli-v1.0.0").as_deref(), Some("1.0.0"));
        assert_eq!(shown(&stream, "1.0.0+jira-cli").as_deref(), Some("1.0.0"));
        assert_eq!(shown(&stream, "jira-v1.0.0"), None);
    }

    #[test]
    fn rejects_bad_rules() {
        assert_eq!(Stream::parse_rule(""), Err(StreamRuleError::Empty));
        assert_eq!(Stream::parse_rule("+"), Err(StreamRuleError::EmptyBuild));
        assert!(matches!(
            Stream::parse_rule("jira v"),
            Err(StreamRuleError::BadChar(_))
        ));
        assert_eq!(
            StreamRuleError::EmptyBuild.to_string(),
            "`+` must be followed by the build metadata that names the binary, e.g. `+jira`"
        );
    }

    #[test]
    fn versions_dedupe_sort_and_mark_prereleases() {
        let stream = Stream::convention("jira");
        let tags = [
            ("jira-1.10.0", false),
            ("v1.7.0+jira", false),
            ("jira-v1.7.0", false),
            ("1.7.0+jira", false),
            ("jira-1.7.0", false),
            ("2.0.0-rc.1+jira", false),
            ("2.0.0-beta.2+jira", false),
            ("1.2.0+jira", true),
            ("1.2.0+tfc", false),
            ("jira-cli-v9.0.0", false),
            ("v1.0.3", false),
            ("2.0.0+jira", false),
        ];
        let versions = stream.versions(tags);
        let got: Vec<(String, &str, bool)> = versions
            .iter()
            .map(|v| (v.to_string(), v.tag(), v.is_prerelease()))
            .collect();
        assert_eq!(
            got,
            [
                ("1.2.0".to_owned(), "1.2.0+jira", true),
                ("1.7.0".to_owned(), "1.7.0+jira", false),
                ("1.10.0".to_owned(), "jira-1.10.0", false),
                ("2.0.0-beta.2".to_owned(), "2.0.0-beta.2+jira", true),
                ("2.0.0-rc.1".to_owned(), "2.0.0-rc.1+jira", true),
                ("2.0.0".to_owned(), "2.0.0+jira", false),
            ]
        );
        assert!(versions[0].is_github_prerelease());
        assert!(!versions[3].is_github_prerelease());
    }

    #[test]
    fn dedup_prefers_tag_forms_in_documented_order() {
        let stream = Stream::convention("jira");
        let all = ["jira-1.0.0", "jira-v1.0.0", "v1.0.0+jira", "1.0.0+jira"];
        // Drop the most preferred form one at a time; the next one must win whatever the
        // input order.
        for keep in 0..all.len() {
            let present = &all[..all.len() - keep];
            let want = present[present.len() - 1];
            for reversed in [false, true] {
                let mut tags: Vec<(&str, bool)> = present.iter().map(|t| (*t, false)).collect();
                if reversed {
                    tags.reverse();
                }
                let versions = stream.versions(tags);
                assert_eq!(versions.len(), 1);
                assert_eq!(versions[0].tag(), want, "{present:?} reversed={reversed}");
            }
        }
    }

    #[test]
    fn binary_names_come_from_every_conventional_tag_form() {
        let names = binary_names([
            "1.7.0+jira",
            "v2.0.0+jira",
            "0.0.6+tfc",
            "oxid-v0.5.0",
            "jira-cli-1.0.0",
            "kube-lint-v2.0.0-rc.1",
            "v1.0.0",
            "release-notes",
            "nightly+",
        ]);
        assert_eq!(
            names.into_iter().collect::<Vec<_>>(),
            ["jira", "jira-cli", "kube-lint", "oxid", "tfc"]
        );
    }
}
