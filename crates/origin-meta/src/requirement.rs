//! What skills require: `{tool, version, source, manager}` entries and version constraints.
//!
//! A skill's `x-skillrig.requires` (and `index.json`'s `requires`) lists the CLIs it needs. The
//! `version` string is a constraint that the skillrig CLI never evaluates; [`Requirement`]
//! gives it a meaning so tools can check an installed version against it.
//!
//! Constraint grammar: comparators joined by commas, all of which must hold.
//!
//! | comparator | matches |
//! |---|---|
//! | `>=1.6.0`, `>1.6`, `<=2`, `<2.0.0` | the usual SemVer comparisons |
//! | `^1.2` | `>=1.2.0, <2.0.0` (Cargo caret) |
//! | `~1.2` | `>=1.2.0, <1.3.0` (tilde) |
//! | `=1.2.3`, `=1.2` | exactly 1.2.3; any 1.2.x |
//! | `1.2.3`, `1.2` (no operator) | same as `=`: a bare version pins, as in mise (`1.2` means 1.2.x) |
//! | `*`, empty | anything |
//!
//! A leading `v` or `V` on a version is accepted (`>=v1.6.0`; see
//! [`strip_v_prefix`]). Matching follows the `semver` crate:
//! a prerelease only matches a comparator that names the same `MAJOR.MINOR.PATCH` with a
//! prerelease, so `>=1.6.0` does not accept `1.7.0-rc.1`.

use std::fmt;

use semver::{Version, VersionReq};

use crate::address::{AddressError, ToolAddress};
use crate::version::strip_v_prefix;

/// One `requires` entry: a tool a skill needs.
///
/// Fields are verbatim strings, `""` when absent or not a string (as the skillrig CLI reads
/// them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ToolRequirement {
    /// The binary name, e.g. `jira`.
    pub tool: String,
    /// The version constraint, e.g. `>=1.7.0`; parse it with [`ToolRequirement::constraint`].
    pub version: String,
    /// The repository releasing the tool, `OWNER/REPO`.
    pub source: String,
    /// Advisory installer name, e.g. `mise`.
    pub manager: String,
}

impl ToolRequirement {
    /// The version constraint, parsed.
    pub fn constraint(&self) -> Result<Requirement, RequirementError> {
        Requirement::parse(&self.version)
    }

    /// The tool address this entry names (`<source>/<tool>`).
    pub fn address(&self) -> Result<ToolAddress, AddressError> {
        ToolAddress::parse(&self.tool, Some(&self.source))
    }
}

/// A parsed version constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    source: String,
    req: VersionReq,
}

impl Requirement {
    /// Parses a constraint; see the module docs for the grammar.
    pub fn parse(input: &str) -> Result<Requirement, RequirementError> {
        let err = |reason| RequirementError {
            input: input.to_owned(),
            reason,
        };
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed == "*" {
            return Ok(Requirement {
                source: trimmed.to_owned(),
                req: VersionReq::STAR,
            });
        }
        if trimmed.contains("||") {
            return Err(err(Reason::Alternatives));
        }
        let mut normalized = Vec::new();
        for part in trimmed.split(',') {
            let part = part.trim();
            if part.is_empty() {
                return Err(err(Reason::EmptyComparator));
            }
            let op_len = part
                .find(|c: char| !matches!(c, '>' | '<' | '=' | '^' | '~'))
                .unwrap_or(part.len());
            let (op, version) = part.split_at(op_len);
            let version = version.trim_start();
            let version = strip_v_prefix(version);
            if version.contains(char::is_whitespace) {
                return Err(err(Reason::Whitespace));
            }
            // A bare version pins (mise's meaning); `*`/`x` wildcards keep their own meaning.
            let op = if op.is_empty() && !version.contains(['*', 'x', 'X']) {
                "="
            } else {
                op
            };
            normalized.push(format!("{op}{version}"));
        }
        let req = VersionReq::parse(&normalized.join(", ")).map_err(|e| err(Reason::Semver(e)))?;
        Ok(Requirement {
            source: trimmed.to_owned(),
            req,
        })
    }

    /// Returns true if and only if `version` satisfies every comparator.
    pub fn matches(&self, version: &Version) -> bool {
        self.req.matches(version)
    }

    /// Returns true if and only if the constraint accepts any version (`*` or empty).
    pub fn is_any(&self) -> bool {
        self.req == VersionReq::STAR
    }

    /// The constraint as the `semver` crate understands it (bare versions as `=`).
    pub fn as_version_req(&self) -> &VersionReq {
        &self.req
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source.is_empty() {
            f.write_str("*")
        } else {
            f.write_str(&self.source)
        }
    }
}

/// Why a version constraint was rejected.
#[derive(Debug)]
pub struct RequirementError {
    input: String,
    reason: Reason,
}

#[derive(Debug)]
enum Reason {
    Alternatives,
    EmptyComparator,
    Whitespace,
    Semver(semver::Error),
}

impl hint::Hint for RequirementError {
    /// The accepted forms.
    fn hints(&self) -> Vec<String> {
        vec![
            "write comparators like `>=1.6.0`, `^1.2`, `~1.2`, `=1.2.3`, `1.2.3` or `*`, joined with commas"
                .to_owned(),
        ]
    }
}

impl fmt::Display for RequirementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid version constraint `{}`", self.input)?;
        match self.reason {
            Reason::Alternatives => f.write_str(": alternatives (`||`) are not supported"),
            Reason::EmptyComparator => f.write_str(": a comparator between commas is empty"),
            Reason::Whitespace => f.write_str(": separate comparators with commas, not spaces"),
            Reason::Semver(_) => Ok(()),
        }
    }
}

impl std::error::Error for RequirementError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.reason {
            Reason::Semver(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hint::Hint as _;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn constraint_table() {
        // (constraint, matching, not matching)
        let cases: &[(&str, &[&str], &[&str])] = &[
            (
                ">=1.6.0",
                &["1.6.0", "1.7.0", "2.0.0"],
                &["1.5.9", "1.7.0-rc.1"],
            ),
            (">= 1.6.0", &["1.6.0"], &["1.5.0"]),
            (">=v1.6.0", &["1.6.0"], &["1.5.0"]),
            ("<V2", &["1.9.9"], &["2.0.0"]),
            ("^1.2", &["1.2.0", "1.9.9"], &["2.0.0", "1.1.9"]),
            ("~1.2", &["1.2.0", "1.2.9"], &["1.3.0"]),
            ("=1.2.3", &["1.2.3"], &["1.2.4"]),
            ("1.2.3", &["1.2.3"], &["1.2.4", "1.3.0"]),
            ("v1.2.3", &["1.2.3"], &["1.2.4"]),
            ("1.2", &["1.2.0", "1.2.7"], &["1.3.0"]),
            ("1", &["1.0.0", "1.9.0"], &["2.0.0"]),
            ("1.2.x", &["1.2.5"], &["1.3.0"]),
            ("*", &["0.0.1", "9.9.9"], &[]),
            ("", &["0.0.1"], &[]),
            ("   ", &["1.0.0"], &[]),
            (">=1.0.0, <2.0.0", &["1.0.0", "1.9.9"], &["2.0.0", "0.9.0"]),
            (">=1.0.0,<2", &["1.5.0"], &["2.0.0"]),
            ("=2.0.0-rc.1", &["2.0.0-rc.1"], &["2.0.0"]),
        ];
        for &(text, yes, no) in cases {
            let req = Requirement::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            for version in yes {
                assert!(req.matches(&v(version)), "{text:?} should match {version}");
            }
            for version in no {
                assert!(
                    !req.matches(&v(version)),
                    "{text:?} should not match {version}"
                );
            }
        }
        assert!(Requirement::parse("*").unwrap().is_any());
        assert!(Requirement::parse("").unwrap().is_any());
        assert!(!Requirement::parse("1").unwrap().is_any());
        assert_eq!(
            Requirement::parse(" >=1.6.0 ").unwrap().to_string(),
            ">=1.6.0"
        );
        assert_eq!(Requirement::parse("").unwrap().to_string(), "*");
    }

    #[test]
    fn rejections() {
        for (text, want, has_source) in [
            (
                "1.0 || 2.0",
                "invalid version constraint `1.0 || 2.0`: alternatives (`||`) are not supported",
                false,
            ),
            (
                ">=1.0,,<2",
                "invalid version constraint `>=1.0,,<2`: a comparator between commas is empty",
                false,
            ),
            (
                ">=1.0 <2.0",
                "invalid version constraint `>=1.0 <2.0`: separate comparators with commas, not spaces",
                false,
            ),
            ("latest", "invalid version constraint `latest`", true),
            (">=>1", "invalid version constraint `>=>1`", true),
            ("1.2.3.4", "invalid version constraint `1.2.3.4`", true),
        ] {
            let err = Requirement::parse(text).expect_err(text);
            assert_eq!(err.to_string(), want);
            assert_eq!(
                std::error::Error::source(&err).is_some(),
                has_source,
                "{text}"
            );
            assert!(err.hints()[0].contains(">=1.6.0"));
        }
    }

    #[test]
    fn tool_requirement_helpers() {
        let entry = ToolRequirement {
            tool: "jira".into(),
            version: ">=1.7.0".into(),
            source: "acme/tools".into(),
            manager: "mise".into(),
        };
        assert_eq!(entry.address().unwrap().to_string(), "acme/tools/jira");
        assert!(entry.constraint().unwrap().matches(&v("1.7.0")));
        let no_source = ToolRequirement {
            tool: "jira".into(),
            ..ToolRequirement::default()
        };
        assert!(no_source.address().is_err());
    }
}
