//! `skillrig-mise lock [--check]`: the tools lock, `.skillrig/tools-lock.json`.
//!
//! The project is the nearest directory holding `.skillrig/` or `mise.toml` (a project needs
//! no skills to lock its `skillrig:` tools).
//!
//! skillrig pins each vendored skill by commit and `treeSha`; mise's own `mise.lock` records,
//! for a plugin backend, only the version. So a release asset *and* its checksums file
//! replaced after a team pinned `jira = "1.7.0"` would install on every new machine. The tools
//! lock closes that: for every `skillrig:` tool the project's `mise.toml` resolves to a
//! version it records the release (tag and release commit) and, for **every platform the
//! release publishes**, the asset's name and sha256, and what vouched for it. The digests come
//! from the release's checksums file (one download per tool) and GitHub's asset digests (in
//! the listing), never from downloading the assets; when both exist they must agree.
//! `install` then refuses any other bytes (see [`crate::commands::install`]), and `verify`
//! reports an install whose asset differs from the lock.
//!
//! Unless the tool's attestations policy is `off`, each locked asset's GitHub attestations
//! are fetched by its digest and verified as `install` verifies them (one request per asset,
//! none warm; see [`crate::commands::attestations`]): each kind that verified adds
//! `attestation:<kind>` to the asset's `vouchedBy`, an attestation that fails verification
//! fails the lock, and under `required` so does an asset without one. A verified release
//! attestation's tag commit is the lock's `releaseCommit`, which then costs no request.
//!
//! Which version a `mise.toml` entry resolves to follows mise: an exact version is itself;
//! `latest` is the newest non-prerelease (inside the entry's `constraint` option); a numeric
//! prefix (`1`, `1.7`) is the newest non-prerelease starting with it. Other requests (`ref:…`,
//! `path:…`, `system`) are not locked, with a note. The file format is
//! [`origin_meta::tools_lock`]'s.
//!
//! `--check` (for CI) writes nothing and downloads nothing: it fails when a tool `mise.toml`
//! resolves to a version has no entry at that version, or the lock holds an entry nothing
//! requires any more.

use std::collections::BTreeMap;
use std::path::Path;

use origin_meta::{LockedAsset, LockedTool, Platform, ToolsLock};
use releases::StreamRelease;
use semver::Version;

use crate::commands::assets::{self, SumsError};
use crate::commands::attestations::{self, Settings};
use crate::commands::origin::{self, Resolved};
use crate::consumer::{TOOLS_LOCK_FILE, read_tools_lock, write_atomic};
use crate::mise::{self, ToolEntry};
use crate::options::ToolOptions;
use crate::report::Failure;
use crate::session::Session;

/// The platforms a lock looks for in each release (goreleaser's tokens, as in asset names).
const PLATFORMS: &[(&str, &str)] = &[
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("freebsd", "amd64"),
    ("linux", "386"),
    ("linux", "amd64"),
    ("linux", "arm64"),
    ("linux", "armv7"),
    ("windows", "386"),
    ("windows", "amd64"),
    ("windows", "arm64"),
];

/// What one `lock` run did or found.
#[derive(Debug)]
pub struct LockReport {
    /// Whether this was `--check`.
    pub check: bool,
    /// One line per locked tool: `+ key@version` (new), `~ key: old -> new`, `= key@version`.
    pub lines: Vec<String>,
    /// Drift `--check` found (missing, stale or other-version entries), one line each.
    pub drift: Vec<String>,
    /// Entries of `mise.toml` that were not locked, with why.
    pub notes: Vec<String>,
    /// The lock file.
    pub path: std::path::PathBuf,
    /// Whether the file was written.
    pub written: bool,
}

impl LockReport {
    /// The report as printed.
    pub fn render(&self) -> String {
        let mut lines = self.lines.clone();
        lines.extend(self.notes.iter().map(|n| format!("note: {n}")));
        lines.extend(self.drift.iter().map(|d| format!("drift: {d}")));
        let path = self.path.display();
        lines.push(if self.check {
            if self.drift.is_empty() {
                format!("{path} is up to date")
            } else {
                format!("{path} is out of date; run `skillrig-mise lock`")
            }
        } else if self.written {
            format!("wrote {path}")
        } else {
            format!("{path} is up to date")
        });
        lines.join("\n")
    }

    /// `--check` with drift fails (exit 1).
    pub fn verdict(&self) -> Result<(), Failure> {
        if self.check && !self.drift.is_empty() {
            return Err(Failure::new(format!(
                "{} does not match mise.toml ({} difference(s))",
                TOOLS_LOCK_FILE,
                self.drift.len()
            ))
            .hint("run `skillrig-mise lock` and commit the result"));
        }
        Ok(())
    }
}

/// Locks (or checks) the project's `skillrig:` tools.
///
/// # Errors
///
/// An unreadable or malformed lock or `mise.toml` (exit 2); a tool whose version cannot be
/// resolved or whose release cannot be read; checksums that disagree with GitHub's digest.
/// Nothing is written when an error is returned.
pub fn run(session: &Session, project_dir: &Path, check: bool) -> Result<LockReport, Failure> {
    let path = project_dir.join(TOOLS_LOCK_FILE);
    let old = read_tools_lock(&path)?;
    let mut report = LockReport {
        check,
        lines: Vec::new(),
        drift: Vec::new(),
        notes: Vec::new(),
        path: path.clone(),
        written: false,
    };
    let mut lock = ToolsLock::new();
    // Keys `--check` already reported, so an unused entry is not reported twice.
    let mut drifted = std::collections::BTreeSet::new();
    for entry in mise::tool_entries(project_dir)? {
        if entry.versions.is_empty() {
            report.notes.push(format!(
                "`{}` gives no version this lock can read (a string, an array of strings, or \
                 `version = \"…\"` in a table); not locked",
                entry.key
            ));
            continue;
        }
        let opts = ToolOptions::collect(
            std::iter::empty(),
            &entry
                .options
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>(),
        )
        .map_err(Failure::usage)?;
        let resolved = origin::resolve_address(session, entry.address.clone(), &opts)?;
        let stream = resolved.stream()?;
        let settings = Settings::of(session, &resolved, &opts)?;
        for request in &entry.versions {
            let Some(chosen) = resolve_request(&resolved, &stream, request) else {
                report.notes.push(format!(
                    "`{}` = `{request}` names no released version this lock can pin; not locked",
                    entry.key
                ));
                continue;
            };
            let version = chosen.version.to_string();
            let previous = old.as_ref().and_then(|l| l.tools.get(&entry.key));
            if check {
                match previous {
                    Some(p) if p.version == version => {
                        report.lines.push(format!("= {}@{version}", entry.key));
                    }
                    Some(p) => {
                        drifted.insert(entry.key.clone());
                        report.drift.push(format!(
                            "`{}` resolves to {version}, the lock has {}",
                            entry.key, p.version
                        ));
                    }
                    None => {
                        drifted.insert(entry.key.clone());
                        report.drift.push(format!(
                            "`{}` ({version}) has no entry in the lock",
                            entry.key
                        ));
                    }
                }
                if let Some(p) = previous {
                    lock.tools.insert(entry.key.clone(), p.clone());
                }
                continue;
            }
            let same_version = previous.filter(|p| p.version == version);
            let locked = lock_release(session, &resolved, &entry, &settings, chosen, same_version)?;
            report.lines.push(match previous {
                None => format!("+ {}@{version}", entry.key),
                Some(p) if *p == locked => format!("= {}@{version}", entry.key),
                Some(p) if p.version != version => {
                    format!("~ {}: {} -> {version}", entry.key, p.version)
                }
                Some(_) => format!("~ {}@{version}: assets changed", entry.key),
            });
            // An array of versions keeps the last one; the lock holds one version per tool.
            lock.tools.insert(entry.key.clone(), locked);
        }
    }
    if let Some(old) = &old {
        for (key, entry) in &old.tools {
            if !lock.tools.contains_key(key) && !drifted.contains(key) {
                let line = format!(
                    "`{key}` ({}) is locked but mise.toml does not pin it",
                    entry.version
                );
                if check {
                    report.drift.push(line);
                } else {
                    report.notes.push(format!("{line}; dropped from the lock"));
                }
            }
        }
    }
    if !check {
        let text = lock.to_json();
        let unchanged = std::fs::read_to_string(&path).is_ok_and(|old| old == text);
        if !unchanged {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Failure::new(format!("cannot create `{}`: {e}", dir.display())))?;
            }
            write_atomic(&path, &text).map_err(|e| {
                Failure::from_cause(&e)
                    .hint("nothing was changed; check the directory's permissions")
            })?;
            report.written = true;
        }
    }
    Ok(report)
}

/// The release a `mise.toml` version request resolves to (see the module docs).
fn resolve_request<'r>(
    resolved: &Resolved,
    stream: &[StreamRelease<'r>],
    request: &str,
) -> Option<StreamRelease<'r>> {
    let request = request.trim();
    let inside = |s: &&StreamRelease<'r>| {
        resolved
            .constraint
            .as_ref()
            .is_none_or(|c| c.matches(&s.version))
    };
    if request.eq_ignore_ascii_case("latest") {
        return stream
            .iter()
            .rev()
            .filter(inside)
            .find(|s| !s.prerelease)
            .cloned();
    }
    let bare = origin_meta::strip_v_prefix(request);
    if let Ok(exact) = Version::parse(bare) {
        return stream
            .iter()
            .find(|s| s.version.cmp_precedence(&exact).is_eq())
            .cloned();
    }
    // A numeric prefix: `1`, `1.7`.
    let prefix_ok = !bare.is_empty()
        && bare.split('.').count() <= 2
        && bare
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !prefix_ok {
        return None;
    }
    stream
        .iter()
        .rev()
        .filter(inside)
        .filter(|s| !s.prerelease)
        .find(|s| {
            let text = s.version.to_string();
            text == bare || text.starts_with(&format!("{bare}."))
        })
        .cloned()
}

/// Locks one release: every platform's asset with its vouched-for digest, and the commit.
fn lock_release(
    session: &Session,
    resolved: &Resolved,
    entry: &ToolEntry,
    settings: &Settings,
    chosen: StreamRelease<'_>,
    previous: Option<&LockedTool>,
) -> Result<LockedTool, Failure> {
    let release = chosen.release;
    let host = resolved.address.host().clone();
    let mut platform_assets = BTreeMap::new();
    for (os, arch) in PLATFORMS {
        let platform = Platform::from_mise(os, arch, None);
        if let Ok(asset) = assets::for_platform(resolved, release, &chosen.version, &platform) {
            platform_assets.insert(platform.key(), asset);
        }
    }
    if platform_assets.is_empty() {
        return Err(Failure::new(format!(
            "release `{}` of `{}` has no asset for any known platform",
            release.tag, entry.key
        ))
        .hint("describe the asset names in the origin's `[[binaries]]` metadata, or with the `asset` tool option"));
    }
    // One checksums file covers every platform; it is read once.
    let first = platform_assets.values().next().map(|a| a.name.clone());
    let sums = match &first {
        Some(name) => assets::checksums(
            resolved,
            release,
            name,
            &chosen.version,
            entry
                .options
                .iter()
                .find(|(k, _)| k == "checksums")
                .map(|(_, v)| v.as_str()),
        )
        .map_err(|e| match e {
            SumsError::Http(e) => session.explain(&host, &e),
            SumsError::Other(failure) => failure,
        })?,
        None => None,
    };
    let mut locked_assets = BTreeMap::new();
    for (platform, asset) in platform_assets {
        let listed = sums
            .as_ref()
            .and_then(|s| s.file.lookup(&asset.name).map(|hex| (s.name.clone(), hex)));
        let digest = assets::github_sha256(asset).map(str::to_ascii_lowercase);
        let mut vouched_by = Vec::new();
        let sha256 = match (&listed, &digest) {
            (Some((name, hex)), Some(gh)) if !hex.eq_ignore_ascii_case(gh) => {
                return Err(Failure::new(format!(
                    "release `{}`: `{name}` says `{}` is {hex}, GitHub's digest says {gh}",
                    release.tag, asset.name
                ))
                .hint("the release was changed after it was published; ask the origin's maintainers before locking it"));
            }
            (Some((name, hex)), gh) => {
                vouched_by.push(format!("checksums-file:{name}"));
                if gh.is_some() {
                    vouched_by.push("github-digest".to_owned());
                }
                hex.to_ascii_lowercase()
            }
            (None, Some(gh)) => {
                vouched_by.push("github-digest".to_owned());
                gh.clone()
            }
            (None, None) => {
                return Err(Failure::new(format!(
                    "nothing vouches for `{}` in release `{}`: no checksums file lists it and GitHub reports no digest",
                    asset.name, release.tag
                ))
                .hint("ask the origin to publish a checksums file with each release"));
            }
        };
        locked_assets.insert(
            platform,
            LockedAsset {
                name: asset.name.clone(),
                sha256,
                vouched_by,
            },
        );
    }
    let attested_commit = vouch_by_attestations(
        session,
        resolved,
        settings,
        &release.tag,
        &mut locked_assets,
        previous,
    )?;
    let (owner, repo) = (resolved.address.owner(), resolved.address.repo());
    let release_commit = match attested_commit {
        Some(commit) => Some(commit),
        None => session
            .with_client(&host, |gh| gh.release_commit(owner, repo, &release.tag))
            .map_err(|f| tracing::debug!("no release commit: {}", f.message()))
            .ok(),
    };
    let origin = if host == origin_meta::Host::github_com() {
        format!("{owner}/{repo}")
    } else {
        format!("{host}/{owner}/{repo}")
    };
    Ok(LockedTool {
        origin,
        tool: resolved.address.bin().to_owned(),
        version: chosen.version.to_string(),
        tag: release.tag.clone(),
        release_commit,
        assets: locked_assets,
    })
}

/// Verifies each locked asset's attestations by its digest, adding `attestation:<kind>` to
/// its `vouchedBy` for every kind that verified. Returns the tag commit a verified release
/// attestation names.
///
/// When the attestations cannot be fetched (an outage, a token without `Attestations: read`)
/// an asset the `previous` entry locked with the same name and digest keeps the attestations
/// recorded then: the bytes are the ones verified before, and a re-lock during an outage must
/// not quietly weaken the lock.
///
/// # Errors
///
/// As `install` would fail: an attestation that does not verify, or under `required` an
/// asset without one or attestations that cannot be fetched.
fn vouch_by_attestations(
    session: &Session,
    resolved: &Resolved,
    settings: &Settings,
    tag: &str,
    assets: &mut BTreeMap<String, LockedAsset>,
    previous: Option<&LockedTool>,
) -> Result<Option<String>, Failure> {
    if !settings.enabled() {
        return Ok(None);
    }
    let mut tag_commit: Option<String> = None;
    for asset in assets.values_mut() {
        let fetched = attestations::fetch(resolved, &asset.sha256);
        let judged = attestations::judge(
            session,
            resolved,
            settings,
            tag,
            &asset.name,
            Some(&asset.sha256),
            Some(fetched),
        )?;
        if judged.record.status == install::AttestationStatus::Unavailable {
            // Already warned; the other assets' requests would fail the same way.
            keep_recorded_attestations(assets, previous);
            break;
        }
        if tag_commit.is_none() {
            tag_commit = judged.tag_commit().map(str::to_owned);
        }
        for record in &judged.record.verified {
            let vouch = format!("attestation:{}", record.kind);
            if !asset.vouched_by.contains(&vouch) {
                asset.vouched_by.push(vouch);
            }
        }
    }
    Ok(tag_commit)
}

/// Copies the `attestation:*` entries `previous` recorded onto assets with the same name and
/// digest (see [`vouch_by_attestations`]).
fn keep_recorded_attestations(
    assets: &mut BTreeMap<String, LockedAsset>,
    previous: Option<&LockedTool>,
) {
    let Some(previous) = previous else {
        return;
    };
    let mut kept = 0;
    for (platform, asset) in assets.iter_mut() {
        let Some(before) = previous
            .assets
            .get(platform)
            .filter(|b| b.name == asset.name && b.sha256 == asset.sha256)
        else {
            continue;
        };
        for vouch in before
            .vouched_by
            .iter()
            .filter(|v| v.starts_with("attestation:"))
        {
            if !asset.vouched_by.contains(vouch) {
                asset.vouched_by.push(vouch.clone());
                kept += 1;
            }
        }
    }
    if kept > 0 {
        crate::warn(&format!(
            "kept the attestations the lock recorded for {}@{} (same assets, same digests); \
             run `skillrig-mise lock` again once they can be fetched to re-check them",
            previous.tool, previous.version
        ));
    }
}
