//! Advisory cross-process lock files.
//!
//! A lock is a file opened for writing and locked with the OS's advisory lock (`flock` on
//! Unix, `LockFileEx` on Windows, via [`std::fs::File::try_lock`]). The OS drops the lock when
//! the holder exits, however it exits, so a killed process never leaves a stale lock behind.
//! Waiting is bounded: callers use locks to save work (one listing instead of five), never for
//! correctness, so after `patience` they go ahead without it.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often a waiting process tries again.
const POLL: Duration = Duration::from_millis(20);

/// A held lock; released when dropped (or when the process exits).
#[derive(Debug)]
pub struct FileLock {
    _file: File,
    path: PathBuf,
}

impl FileLock {
    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Why no lock was taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// The lock file could not be opened or created.
    #[error("cannot open the lock file `{}`", path.display())]
    Open {
        /// The lock file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// Another process held the lock for longer than the patience allowed.
    #[error("another process has held `{}` for over {} s", path.display(), waited.as_secs())]
    Busy {
        /// The lock file.
        path: PathBuf,
        /// How long this process waited.
        waited: Duration,
    },
    /// The OS refused to lock the file (e.g. a filesystem without locks).
    #[error("cannot lock `{}`", path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

/// Takes the lock at `path` (creating the file, mode 0600 on Unix), waiting at most `patience`
/// for another holder.
pub fn acquire(path: &Path, patience: Duration) -> Result<FileLock, LockError> {
    let mut options = File::options();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path).map_err(|source| LockError::Open {
        path: path.to_owned(),
        source,
    })?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => {
                return Ok(FileLock {
                    _file: file,
                    path: path.to_owned(),
                });
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                let waited = start.elapsed();
                if waited >= patience {
                    return Err(LockError::Busy {
                        path: path.to_owned(),
                        waited,
                    });
                }
                std::thread::sleep(POLL.min(patience - waited));
            }
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(LockError::Lock {
                    path: path.to_owned(),
                    source,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_gives_up_and_gets_it_after_release() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let first = acquire(&path, Duration::ZERO).unwrap();
        assert_eq!(first.path(), path);
        let err = acquire(&path, Duration::from_millis(60)).unwrap_err();
        assert!(matches!(err, LockError::Busy { .. }), "{err:?}");
        drop(first);
        acquire(&path, Duration::ZERO).unwrap();
    }

    #[test]
    fn a_missing_directory_is_an_open_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = acquire(&dir.path().join("no/such/dir.lock"), Duration::ZERO).unwrap_err();
        assert!(matches!(err, LockError::Open { .. }), "{err:?}");
        assert!(err.to_string().contains("no/such/dir.lock"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn lock_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.lock");
        let _held = acquire(&path, Duration::ZERO).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
