//! `skillrig-mise list-versions <tool>`: the binary's stream, oldest first, as JSON.
//!
//! Output (one line on stdout), the contract with the plugin's `BackendListVersions` hook:
//!
//! ```json
//! {"tool":"acme/tools/jira","versions":["1.6.0","1.7.0","2.10.0","2.11.0-rc.1"]}
//! ```
//!
//! Versions are SemVer without build metadata or a `v`, deduplicated, ascending by SemVer
//! precedence: mise never sorts a backend plugin's list and takes the last entry it does not
//! take for a prerelease as `latest`.
//!
//! # Prereleases, and what `latest` means
//!
//! `latest` is the newest version that is not a prerelease, where a prerelease is a version
//! with a SemVer pre-release part (`2.0.0-rc.1`) or a release GitHub marks as "pre-release".
//! mise recognises prereleases only by a pattern on the version text (`-rc`, `-beta`,
//! `-alpha`, `-dev`, `-pre`, …; [`mise_hides`]): those are listed, and mise shows them with
//! `--prerelease`. A prerelease mise would *not* recognise (a GitHub-flagged `2.11.0`, a
//! `1.0.0-1`) is left out of the list, so mise can never take it for `latest`; it still
//! installs when asked for by its exact version. A `constraint` option removes versions
//! outside it. A tool the origin does not release at all is an error naming what it does
//! release.

use serde::Serialize;

use crate::commands::origin;
use crate::options::ToolOptions;
use crate::report::Failure;
use crate::session::Session;

/// The JSON printed on stdout.
#[derive(Debug, Serialize)]
pub struct VersionList {
    /// The canonical tool address.
    pub tool: String,
    /// Versions, oldest first.
    pub versions: Vec<String>,
}

/// Lists the versions of `tool`'s stream.
pub fn run(session: &Session, tool: &str, opts: &ToolOptions) -> Result<VersionList, Failure> {
    let resolved = origin::resolve(session, tool, opts)?;
    let versions = resolved
        .stream()?
        .into_iter()
        .filter(|s| {
            resolved
                .constraint
                .as_ref()
                .is_none_or(|c| c.matches(&s.version))
        })
        .map(|s| (s.version.to_string(), s.prerelease))
        .filter(|(version, prerelease)| !prerelease || mise_hides(version))
        .map(|(version, _)| version)
        .collect();
    Ok(VersionList {
        tool: resolved.address.to_string(),
        versions,
    })
}

/// Returns true if and only if mise takes `version` for a prerelease (and so never for
/// `latest`): its pattern, as documented for mise 2026.9 — a `-src`, `-latest`, `-stm`,
/// `-milestone`, `-alpha`, `-beta`, `-next`, `-test`, `-nightly`, `-canary`, `-experimental`,
/// `-insider` or `-edge` part, a `-dev`/`.dev`, `-rc`/`.rc` or `-pre`/`.pre` part, `snapshot`,
/// `master`, or a digit directly followed by `alpha`, `beta` or `rc`.
pub fn mise_hides(version: &str) -> bool {
    let v = version.to_ascii_lowercase();
    const DASHED: &[&str] = &[
        "-src",
        "-latest",
        "-stm",
        "-milestone",
        "-alpha",
        "-beta",
        "-next",
        "-test",
        "-nightly",
        "-canary",
        "-experimental",
        "-insider",
        "-edge",
    ];
    const EITHER: &[&str] = &["dev", "rc", "pre"];
    DASHED.iter().any(|p| v.contains(p))
        || EITHER
            .iter()
            .any(|p| v.contains(&format!("-{p}")) || v.contains(&format!(".{p}")))
        || v.contains("snapshot")
        || v.contains("master")
        || ["alpha", "beta", "rc"].iter().any(|word| {
            v.match_indices(word)
                .any(|(i, _)| i > 0 && v.as_bytes()[i - 1].is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::mise_hides;

    #[test]
    fn mises_prerelease_pattern() {
        for hidden in [
            "2.0.0-rc.1",
            "2.0.0-RC1",
            "1.0.0-beta",
            "1.0.0-alpha.2",
            "3.0.0-dev",
            "1.2.0.dev1",
            "1.0.0-pre.1",
            "1.0.0-nightly",
            "1.0.0-SNAPSHOT",
            "1.0.0rc1",
            "1.0.0-canary.4",
        ] {
            assert!(mise_hides(hidden), "{hidden}");
        }
        for shown in [
            "1.0.0",
            "2.11.0",
            "1.0.0-1",
            "2.0.0-foo",
            "1.0.0-preview.0x",
        ] {
            assert_eq!(mise_hides(shown), shown.contains("-pre"), "{shown}");
        }
    }
}
