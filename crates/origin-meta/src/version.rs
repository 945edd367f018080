//! Versions as people type them: `1.7.0`, `v1.7.0`, `V1.7.0`.
//!
//! The one place a leading `v`/`V` is dropped from a version a user, a constraint or a mise
//! request wrote. Release *tags* are a different grammar with their own rule (only a
//! lowercase `v`, and only in the positions [`Stream`](crate::Stream) documents), so stream
//! matching does not use this.

use semver::Version;

/// `text` without one leading `v` or `V`: `v1.2` → `1.2`; anything else unchanged.
pub fn strip_v_prefix(text: &str) -> &str {
    text.strip_prefix(['v', 'V']).unwrap_or(text)
}

/// Parses a full SemVer version written with or without a leading `v`/`V`, ignoring
/// surrounding whitespace: `1.7.0`, ` v1.7.0-rc.1 `, `V2.0.0+build` (build metadata kept).
///
/// Partial versions (`1.7`) are not versions; constraints take those
/// ([`Requirement`](crate::Requirement)).
pub fn parse_version_lenient(text: &str) -> Result<Version, semver::Error> {
    Version::parse(strip_v_prefix(text.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_v_either_case() {
        for (text, want) in [
            ("1.7.0", Some("1.7.0")),
            ("v1.7.0", Some("1.7.0")),
            ("V1.7.0", Some("1.7.0")),
            (" v2.0.0-rc.1\n", Some("2.0.0-rc.1")),
            ("v1.0.0+jira", Some("1.0.0+jira")),
            ("vv1.0.0", None),
            ("v", None),
            ("", None),
            ("1.7", None),
            ("version1.0.0", None),
        ] {
            let got = parse_version_lenient(text).ok().map(|v| v.to_string());
            assert_eq!(got.as_deref(), want, "{text:?}");
        }
        assert_eq!(strip_v_prefix("v1.2"), "1.2");
        assert_eq!(strip_v_prefix("V1"), "1");
        assert_eq!(strip_v_prefix("1.2"), "1.2");
        assert_eq!(strip_v_prefix(""), "");
    }
}
