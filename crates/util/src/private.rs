//! Private directories and files: what caches and lock files may trust.
//!
//! A cache entry decides what gets installed (a listing names the asset and its digest), so a
//! file another local user could have written must never be believed. The rules are ssh's and
//! gpg's: a directory or file we rely on must be owned by the effective user and must not be
//! writable by group or others; we create directories `0700` and files `0600`; symlinks are
//! not followed when opening an entry. On Windows the per-user profile directories already
//! carry private ACLs and these checks are not made.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

/// Why a path is not trusted.
#[derive(Debug, thiserror::Error)]
pub enum Untrusted {
    /// Owned by another user.
    #[error("`{}` is owned by another user (uid {owner}, we are uid {us})", path.display())]
    Owner {
        /// The path.
        path: PathBuf,
        /// Its owner's uid.
        owner: u32,
        /// Our effective uid.
        us: u32,
    },
    /// Writable by group or others.
    #[error("`{}` is writable by other users (mode {mode:o})", path.display())]
    Writable {
        /// The path.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Not a directory / not a regular file (e.g. a symlink planted in its place).
    #[error("`{}` is not a {expected}", path.display())]
    Kind {
        /// The path.
        path: PathBuf,
        /// "directory" or "regular file".
        expected: &'static str,
    },
    /// It could not be created, opened or inspected.
    #[error("cannot use `{}`", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

impl Untrusted {
    /// Returns true if and only if the path simply does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Untrusted::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> Untrusted + '_ {
    move |source| Untrusted::Io {
        path: path.to_owned(),
        source,
    }
}

/// Creates `dir` (and missing parents) with mode `0700` for the directories it creates, then
/// checks that `dir` itself is trusted (see [`check_dir`]).
pub fn ensure_dir(dir: &Path) -> Result<(), Untrusted> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(io_error(dir))?;
    check_dir(dir)
}

/// Checks that `dir` is a real directory (not a symlink) owned by us and not writable by
/// group or others.
pub fn check_dir(dir: &Path) -> Result<(), Untrusted> {
    let meta = fs::symlink_metadata(dir).map_err(io_error(dir))?;
    if !meta.is_dir() {
        return Err(Untrusted::Kind {
            path: dir.to_owned(),
            expected: "directory",
        });
    }
    check_owner_and_mode(dir, &meta)
}

/// Opens `path` for reading without following a symlink, and checks (on the open file, so
/// the check and the read are about the same file) that it is a regular file owned by us and
/// not writable by group or others.
pub fn open_file(path: &Path) -> Result<File, Untrusted> {
    let mut options = File::options();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    let file = options.open(path).map_err(io_error(path))?;
    let meta = file.metadata().map_err(io_error(path))?;
    if !meta.is_file() {
        return Err(Untrusted::Kind {
            path: path.to_owned(),
            expected: "regular file",
        });
    }
    check_owner_and_mode(path, &meta)?;
    Ok(file)
}

/// Creates a new file `path` (failing if it exists) with mode `0600`, for writing.
pub fn create_file(path: &Path) -> io::Result<File> {
    let mut options = File::options();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(unix)]
fn check_owner_and_mode(path: &Path, meta: &fs::Metadata) -> Result<(), Untrusted> {
    use std::os::unix::fs::MetadataExt;
    let us = rustix::process::geteuid().as_raw();
    if meta.uid() != us {
        return Err(Untrusted::Owner {
            path: path.to_owned(),
            owner: meta.uid(),
            us,
        });
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(Untrusted::Writable {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_and_mode(_path: &Path, _meta: &fs::Metadata) -> Result<(), Untrusted> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn created_directories_and_files_are_private() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        ensure_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.path().join("a")), 0o700);
        let file = dir.join("f");
        create_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        open_file(&file).unwrap();
    }

    #[test]
    fn group_or_world_writable_paths_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("d");
        ensure_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        assert!(matches!(ensure_dir(&dir), Err(Untrusted::Writable { .. })));
        let file = root.path().join("f");
        create_file(&file).unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o620)).unwrap();
        let err = open_file(&file).unwrap_err();
        assert!(
            matches!(err, Untrusted::Writable { mode: 0o620, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("writable by other users"), "{err}");
    }

    #[test]
    fn paths_owned_by_another_user_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let theirs = root.path().join("theirs");
        create_file(&theirs).unwrap();
        if rustix::process::geteuid().is_root() {
            // As root (as .ci/run runs), give the file and a directory to `nobody`; the
            // releases cache test `…_as_root` covers this path wherever CI runs.
            let nobody = Some(rustix::process::Uid::from_raw(65534));
            rustix::fs::chown(&theirs, nobody, None).unwrap();
            let dir = root.path().join("dir");
            ensure_dir(&dir).unwrap();
            rustix::fs::chown(&dir, nobody, None).unwrap();
            assert!(matches!(
                check_dir(&dir),
                Err(Untrusted::Owner { owner: 65534, .. })
            ));
            let err = open_file(&theirs).unwrap_err();
            assert!(
                matches!(err, Untrusted::Owner { owner: 65534, .. }),
                "{err}"
            );
        } else {
            // As anyone else, root's own directory is someone else's.
            let err = check_dir(Path::new("/")).unwrap_err();
            assert!(matches!(err, Untrusted::Owner { owner: 0, .. }), "{err}");
        }
    }

    #[test]
    fn symlinks_are_not_followed() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("target");
        create_file(&target).unwrap();
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(open_file(&link).is_err());
        let dir_link = root.path().join("dirlink");
        std::os::unix::fs::symlink(root.path(), &dir_link).unwrap();
        assert!(matches!(check_dir(&dir_link), Err(Untrusted::Kind { .. })));
    }

    #[test]
    fn missing_paths_say_so() {
        let root = tempfile::tempdir().unwrap();
        assert!(
            open_file(&root.path().join("nope"))
                .unwrap_err()
                .is_not_found()
        );
    }
}
