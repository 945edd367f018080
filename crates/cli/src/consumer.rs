//! A consumer repository as `skillrig add` leaves it: the skills lock, the vendored skills, and
//! which of their requirements the lock's origin serves. `wire`, `verify` and `lock` all start
//! here, so they agree on every one of these rules:
//!
//! - the project root is the nearest directory holding `.skillrig/skills-lock.json`;
//! - the lock must name an origin, and it must be a GitHub repository (`[HOST/]OWNER/REPO`);
//! - a skill's `SKILL.md` lives at the lock's `path` (default `.agents/skills/<skill>`), never
//!   outside the project;
//! - a requirement is the origin's to serve when its `manager` is empty or `mise` and its
//!   `source` names the lock's origin ([`is_from_origin`]); others are skipped with a reason;
//! - a requirement the origin serves must name a binary (`tool: jira`, not an address) with a
//!   valid version constraint; anything else is an error in the skill ([`Need::Invalid`]):
//!   `wire` refuses to write from it (exit 2), `verify` reports it as a failed check.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};

use origin_meta::{
    Host, LockErrorKind, LockedSkill, Origin, Requirement, SkillManifest, SkillsLock, ToolAddress,
    ToolRequirement,
};

use crate::report::{EXIT_USAGE, Failure};

/// The skills lock `skillrig add` writes, relative to the project root.
pub const LOCK_FILE: &str = ".skillrig/skills-lock.json";

/// The tools lock `skillrig-mise lock` writes, relative to the project root.
pub const TOOLS_LOCK_FILE: &str = ".skillrig/tools-lock.json";

/// Where `skillrig add` vendors skills when the lock gives no path.
pub const DEFAULT_SKILLS_DIR: &str = ".agents/skills";

/// The hint under a requirement whose `tool` is not a binary name.
const TOOL_HINT: &str = "`tool` in `x-skillrig.requires` is the binary's name, e.g. `jira`; `source` names the repository";

/// The nearest directory at or above `start` holding `.skillrig/skills-lock.json`.
pub fn find_project_dir(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(LOCK_FILE).is_file())
        .map(Path::to_owned)
}

/// The nearest directory at or above `start` holding `.skillrig/` or `mise.toml`: where the
/// tools lock belongs (a project may pin `skillrig:` tools without vendoring skills).
pub fn find_tools_project_dir(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(".skillrig").is_dir() || dir.join(crate::mise::MISE_TOML).is_file())
        .map(Path::to_owned)
}

/// Reads the tools lock at `path` (install and lock alike): `None` when there is none.
///
/// # Errors
///
/// Something other than a regular file at the path (a lock that cannot be read must never
/// read as "no lock"), an unreadable file, or a malformed lock (usage, exit 2).
pub fn read_tools_lock(path: &Path) -> Result<Option<origin_meta::ToolsLock>, Failure> {
    let bytes = match util::file::read_if_present(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(e) if e.kind() == io::ErrorKind::InvalidInput => {
            return Err(
                Failure::usage(format!("`{}` is not a tools lock: {e}", path.display())).hint(
                    "the tools lock is a file written by `skillrig-mise lock`: remove what is \
                 there, then run `skillrig-mise lock`",
                ),
            );
        }
        Err(e) => {
            return Err(Failure::from_cause(&FileError::new("read", path, e))
                .hint("check the file's permissions"));
        }
    };
    origin_meta::ToolsLock::parse(&bytes)
        .map(Some)
        .map_err(|e| Failure::from_error(&e).in_file(path).with_code(EXIT_USAGE))
}

/// A consumer project: its root, skills lock and origin.
#[derive(Debug)]
pub struct Project {
    /// The project root.
    pub dir: PathBuf,
    /// `<dir>/.skillrig/skills-lock.json`.
    pub lock_path: PathBuf,
    /// The lock.
    pub lock: SkillsLock,
    /// The lock's origin, parsed.
    pub origin: Origin,
    /// The lock's origin as written.
    pub origin_text: String,
}

/// One locked skill and its vendored manifest.
pub struct Skill<'p> {
    /// The skill's name (its key in the lock).
    pub name: &'p str,
    /// Its lock entry.
    pub entry: &'p LockedSkill,
    /// `SKILL.md`, or why it cannot be read.
    pub manifest: Result<SkillManifest, Failure>,
    /// The manifest's path (for messages), when the lock's path is inside the project.
    pub manifest_path: Option<PathBuf>,
}

/// What one `x-skillrig.requires` entry asks of the origin.
#[derive(Debug)]
pub enum Need {
    /// The origin serves it.
    Served {
        /// The tool.
        address: ToolAddress,
        /// The version requirement (`*` when none).
        requirement: Requirement,
    },
    /// Not the origin's (another source or manager, or no source): why, in one line.
    Skipped(String),
    /// The skill's entry is malformed: an address instead of a binary name, an invalid name
    /// or constraint.
    Invalid(Failure),
}

impl Project {
    /// Opens the project at `dir`. `missing` holds the hints for an absent lock (what the
    /// calling command needs it for); `purpose` completes "there is nothing to …" when the lock
    /// names no origin.
    ///
    /// # Errors
    ///
    /// Usage failures (exit 2): no lock, a malformed lock or one of another version, a lock
    /// without an origin or with a local-path origin.
    pub fn open(dir: &Path, missing: &[&str], purpose: &str) -> Result<Project, Failure> {
        let lock_path = dir.join(LOCK_FILE);
        let lock = read_lock(&lock_path, missing)?;
        let Some(origin_text) = lock.origin().map(str::to_owned) else {
            return Err(Failure::usage(format!(
                "`{}` names no origin, so there is nothing to {purpose}",
                lock_path.display()
            ))
            .hint("`skillrig add` records the origin it vendors from; re-add a skill with an origin configured"));
        };
        let origin = Origin::parse(&origin_text).map_err(|e| {
            Failure::from_error(&e)
                .in_file(&lock_path)
                .with_code(EXIT_USAGE)
        })?;
        Ok(Project {
            dir: dir.to_owned(),
            lock_path,
            lock,
            origin,
            origin_text,
        })
    }

    /// Every locked skill with its manifest, in lock (name) order.
    pub fn skills(&self) -> impl Iterator<Item = Skill<'_>> {
        self.lock.skills().iter().map(|(name, entry)| {
            let manifest_path =
                skill_dir(name, &entry.path).map(|d| self.dir.join(d).join("SKILL.md"));
            let manifest = match &manifest_path {
                None => Err(Failure::usage(format!(
                    "`{}`: skill `{name}` has path `{}`, which is not inside the project",
                    self.lock_path.display(),
                    entry.path
                ))
                .hint(format!(
                    "`skillrig add` vendors skills under `{DEFAULT_SKILLS_DIR}/<skill>`; re-add the skill"
                ))),
                Some(path) => SkillManifest::from_path(path).map_err(|e| {
                    let failure = Failure::from_error(&e);
                    match e.kind() {
                        origin_meta::ManifestErrorKind::Io(_) => failure.hint(
                            "`skillrig verify` lists missing or changed skills; `skillrig add <skill>` restores one",
                        ),
                        _ => failure.with_code(EXIT_USAGE).hint(
                            "`SKILL.md` is vendored by `skillrig add`; fix it in the origin and re-add the skill",
                        ),
                    }
                }),
            };
            Skill {
                name,
                entry,
                manifest,
                manifest_path,
            }
        })
    }

    /// What `requirement` (from `skill`'s manifest at `manifest`) asks of the origin.
    pub fn need(&self, skill: &str, requirement: &ToolRequirement, manifest: &Path) -> Need {
        let tool = requirement.tool.trim();
        let shown = if tool.is_empty() { "(no tool)" } else { tool };
        let label = repository_label(&self.origin);
        let manager = requirement.manager.trim();
        if !manager.is_empty() && !manager.eq_ignore_ascii_case("mise") {
            return Need::Skipped(format!(
                "skill `{skill}`: `{shown}` is for manager `{manager}`, not mise"
            ));
        }
        let source = requirement.source.trim();
        if source.is_empty() {
            return Need::Skipped(format!(
                "skill `{skill}`: `{shown}` has no `source` (set `source: {label}` if the origin releases it)"
            ));
        }
        if !is_from_origin(source, &self.origin) {
            return Need::Skipped(format!(
                "skill `{skill}`: `{shown}` comes from `{source}`, not the origin `{label}` (install it another way)"
            ));
        }
        // A full address would name its own repository and bypass the source check.
        if tool.contains('/') {
            return Need::Invalid(
                Failure::usage(format!(
                    "`{}`: `tool: {tool}` in `x-skillrig.requires` is an address, not a binary name",
                    manifest.display()
                ))
                .hint(TOOL_HINT),
            );
        }
        let address = match ToolAddress::parse(tool, Some(&self.origin.to_string())) {
            Ok(address) => address,
            Err(e) => {
                return Need::Invalid(
                    Failure::from_error(&e)
                        .in_file(manifest)
                        .with_code(EXIT_USAGE)
                        .hint(TOOL_HINT),
                );
            }
        };
        match requirement.constraint() {
            Ok(requirement) => Need::Served {
                address,
                requirement,
            },
            Err(e) => Need::Invalid(
                Failure::from_error(&e)
                    .in_file(manifest)
                    .with_code(EXIT_USAGE),
            ),
        }
    }
}

/// Reads the lock. Absent, malformed or of another version is a usage failure; `missing`
/// holds the hints for an absent lock.
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
            _ => failure.with_code(EXIT_USAGE),
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

/// Replaces a project file `path` (`mise.toml`, the tools lock) with `text` through a temporary file in the same directory, persisted over
/// it (`tempfile`'s atomic rename), so a reader (or a crash) never sees half a `mise.toml`.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), FileError> {
    // Write through a symlinked mise.toml (dotfile setups) instead of replacing the link.
    let target = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).map_err(|e| FileError::new("resolve", path, e))?
        }
        _ => path.to_owned(),
    };
    let dir = target.parent().unwrap_or(Path::new("."));
    let permissions = fs::metadata(&target).ok().map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    builder.prefix(".mise.toml.wire-");
    #[cfg(unix)]
    if permissions.is_none() {
        use std::os::unix::fs::PermissionsExt as _;
        // A new file gets what an editor would give it (0666 less the umask), not tempfile's
        // private 0600: a lock or mise.toml is shared through version control.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut file = builder
        .tempfile_in(dir)
        .map_err(|e| FileError::new("create a temporary file in", dir, e))?;
    let written = (|| {
        file.write_all(text.as_bytes())?;
        if let Some(permissions) = permissions {
            file.as_file().set_permissions(permissions)?;
        }
        file.as_file().sync_all()
    })();
    written.map_err(|e| FileError::new("write", &target, e))?;
    file.persist(&target)
        .map_err(|e| FileError::new("write", &target, e.error))?;
    Ok(())
}

/// A failed file operation, naming the path (the cause is the `source`).
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} `{}`", path.display())]
pub struct FileError {
    action: &'static str,
    path: PathBuf,
    #[source]
    source: io::Error,
}

impl FileError {
    pub(crate) fn new(action: &'static str, path: &Path, source: io::Error) -> FileError {
        FileError {
            action,
            path: path.to_owned(),
            source,
        }
    }
}
