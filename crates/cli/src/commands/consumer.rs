//! A consumer repository as `skillrig add` leaves it: the skills lock, the vendored skills, and
//! which of their requirements the lock's origin serves. Shared by `wire` and `verify`, which
//! must agree on every one of these rules.

use std::io;
use std::path::{Component, Path, PathBuf};

use origin_meta::{Host, LockErrorKind, Origin, SkillsLock};

use crate::report::{EXIT_USAGE, Failure};

/// Where `skillrig add` vendors skills when the lock gives no path.
pub const DEFAULT_SKILLS_DIR: &str = ".agents/skills";

/// Reads the lock. Absent, malformed or of another version is a usage failure; `missing`
/// holds the hints for an absent lock (what the calling command needs it for).
pub fn read_lock(path: &Path, missing: &[&str]) -> Result<SkillsLock, Failure> {
    match std::fs::metadata(path) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let failure = Failure::usage(format!("no skills lock at `{}`", path.display()));
            return Err(missing.iter().fold(failure, |f, hint| f.hint(*hint)));
        }
        Err(e) => {
            return Err(Failure::new(format!(
                "cannot read `{}`: {e}",
                path.display()
            )));
        }
    }
    SkillsLock::from_path(path).map_err(|e| {
        let failure = Failure::from_error(&e);
        match e.kind() {
            LockErrorKind::Io(_) => failure,
            LockErrorKind::UnsupportedVersion(_) => failure.with_code(EXIT_USAGE).hint(
                "this lock was written by another skillrig version; skillrig-mise reads lockfileVersion 1",
            ),
            _ => failure.with_code(EXIT_USAGE).hint(
                "the lock is written by `skillrig add`; restore it from version control or re-add the skills",
            ),
        }
    })
}

/// The vendored skill directory, relative to the project; `None` if it would leave it.
pub fn skill_dir(name: &str, path: &str) -> Option<PathBuf> {
    let rel = if path.trim().is_empty() {
        PathBuf::from(DEFAULT_SKILLS_DIR).join(name)
    } else {
        PathBuf::from(path)
    };
    // A lock is repository content: never let it point us at files outside the project.
    let inside = rel.components().any(|c| matches!(c, Component::Normal(_)))
        && rel
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    inside.then_some(rel)
}

/// Returns true if and only if a requirement's `source` names the lock's origin repository.
///
/// skillrig writes `source` as `OWNER/REPO` even for an origin on another host, so a source
/// without a host matches on owner and repository alone; one with a host must match it too.
pub fn is_from_origin(source: &str, origin: &Origin) -> bool {
    let Ok(parsed) = Origin::parse(source) else {
        return false;
    };
    let coordinate = source.split('@').next().unwrap_or(source);
    if coordinate.split('/').count() == 3 {
        parsed.same_repository(origin)
    } else {
        parsed.owner().eq_ignore_ascii_case(origin.owner())
            && parsed.repo().eq_ignore_ascii_case(origin.repo())
    }
}

/// `[host/]owner/repo` without the ref, as users write a `source`.
pub fn repository_label(origin: &Origin) -> String {
    if *origin.host() == Host::github_com() {
        origin.slug()
    } else {
        format!("{}/{}", origin.host(), origin.slug())
    }
}
