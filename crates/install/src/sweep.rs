//! Removing what interrupted installs left behind: staging directories and download files
//! named `<prefix><pid>-<random>`.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::{DOWNLOAD_PREFIX, STAGING_PREFIX};

/// Past this age an entry is stale whatever its process id says (the id may have been reused).
const MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// `<prefix><our pid>-`: the prefix for this process's temporary entries.
pub(crate) fn own_prefix(prefix: &str) -> String {
    format!("{prefix}{}-", std::process::id())
}

/// Removes the staging directories and download files in `dir` whose creating process is no
/// longer running (or that are over a day old). Returns how many were removed. Failures are
/// ignored: sweeping is housekeeping, never a reason to fail an install.
pub fn sweep_stale(dir: &Path) -> usize {
    sweep(dir, |pid, modified| {
        pid != std::process::id()
            && (!alive(pid) || modified.elapsed().is_ok_and(|age| age > MAX_AGE))
    })
}

/// Removes this process's own staging directories and download files in `dir`, for a signal
/// handler about to exit. Returns how many were removed.
pub fn sweep_own(dir: &Path) -> usize {
    sweep(dir, |pid, _| pid == std::process::id())
}

fn sweep(dir: &Path, stale: impl Fn(u32, SystemTime) -> bool) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(pid) = [STAGING_PREFIX, DOWNLOAD_PREFIX]
            .iter()
            .find_map(|p| name.strip_prefix(p))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        // Never follow a symlink planted among our entries.
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        let modified = meta.modified().unwrap_or_else(|_| SystemTime::now());
        if !stale(pid, modified) {
            continue;
        }
        let path = entry.path();
        let gone = if meta.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        match gone {
            Ok(()) => {
                tracing::debug!(path = %path.display(), "removed a stale temporary entry");
                removed += 1;
            }
            Err(e) => tracing::debug!(path = %path.display(), error = %e, "cannot remove"),
        }
    }
    removed
}

/// Returns true if and only if a process with this id exists (Unix: signal 0; elsewhere we
/// cannot tell cheaply and rely on the age limit).
fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        match i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            // EPERM means it exists but belongs to someone else.
            Some(pid) => !matches!(
                rustix::process::test_kill_process(pid),
                Err(rustix::io::Errno::SRCH)
            ),
            None => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pid no process has: spawn one and wait for it to exit.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .arg("--list")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn entries_of_dead_processes_go_and_live_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dead_pid();
        let ours = std::process::id();
        let stale_dir = dir.path().join(format!("{STAGING_PREFIX}{dead}-abc"));
        fs::create_dir_all(stale_dir.join("tree/bin")).unwrap();
        fs::write(stale_dir.join("tree/bin/partial"), b"half a binary").unwrap();
        let stale_file = dir.path().join(format!("{DOWNLOAD_PREFIX}{dead}-def"));
        fs::write(&stale_file, b"half a download").unwrap();
        let live = dir.path().join(format!("{STAGING_PREFIX}{ours}-ghi"));
        fs::create_dir(&live).unwrap();
        let unrelated = dir.path().join("bin");
        fs::create_dir(&unrelated).unwrap();
        let odd = dir.path().join(format!("{STAGING_PREFIX}notapid"));
        fs::create_dir(&odd).unwrap();

        assert_eq!(sweep_stale(dir.path()), 2);
        assert!(!stale_dir.exists() && !stale_file.exists());
        assert!(live.exists() && unrelated.exists() && odd.exists());

        assert_eq!(sweep_own(dir.path()), 1);
        assert!(!live.exists());
        assert!(unrelated.exists());
    }
}
