//! `skillrig-mise list-versions <tool>`: the binary's stream, oldest first, as JSON.
//!
//! Output (one line on stdout), the contract with the plugin's `BackendListVersions` hook:
//!
//! ```json
//! {"tool":"acme/tools/jira","versions":["1.6.0","1.7.0","2.10.0","2.11.0-rc.1"]}
//! ```
//!
//! Versions are SemVer without build metadata or a `v`, deduplicated, ascending by SemVer
//! precedence: mise never sorts a backend plugin's list and takes the last non-prerelease
//! entry as `latest`. Prereleases (GitHub's flag or a SemVer pre-release part) are listed; mise
//! hides the ones its prerelease pattern recognises (`-rc`, `-beta`, `-alpha`, …) unless asked
//! with `--prerelease`. A `constraint` option removes versions outside it.

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
    let versions = releases::stream_versions(&resolved.releases, resolved.spec.stream())
        .into_iter()
        .filter(|s| {
            resolved
                .constraint
                .as_ref()
                .is_none_or(|c| c.matches(&s.version))
        })
        .map(|s| s.version.to_string())
        .collect();
    Ok(VersionList {
        tool: resolved.address.to_string(),
        versions,
    })
}
