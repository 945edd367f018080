//! The on-disk HTTP cache for API GETs (release listings, origin metadata files).
//!
//! mise does not cache a backend plugin's version list, and a `mise install` of N tools from
//! one origin would otherwise list that origin's releases N times. So:
//!
//! - **Freshness.** An entry younger than the freshness window (default 60 s) is used without
//!   any request. Within one `mise install`, an origin is listed once.
//! - **Revalidation.** An older entry is revalidated: the request carries `If-None-Match`
//!   with the stored `ETag` (sent back verbatim, `W/` and quotes included) or
//!   `If-Modified-Since` with the stored `Last-Modified`. A `304` reuses the stored body and
//!   restarts the freshness window; on GitHub, an authorized 304 costs no rate limit.
//! - **Negative entries.** A 404 for a metadata file ("no `index.json`, use the convention")
//!   is cached like a 200, so it is not asked again within the window.
//! - **Offline.** Only entries are used, fresh or not; a miss is `NotInCache`.
//!
//! # Keys
//!
//! GitHub's responses `Vary: Accept, Authorization`, and what a listing shows depends on who
//! asks (private repositories, drafts). An entry's key is the sha256 of: a format version,
//! the host, the full URL (with query), the `Accept` value, and the **token identity**:
//! `anonymous`, or the first 16 hex digits of sha256(`"skillrig-mise cache identity v1\0"` +
//! token). The identity hash is a one-way partition id; the token itself is never written
//! anywhere in the cache.
//!
//! # Paginated listings
//!
//! Each page is its own entry, keyed by its URL and stored with its own ETag and its `Link:
//! rel="next"` target. Revalidating a 3-page listing therefore costs three conditional
//! requests (all free 304s when nothing changed) instead of one. We chose this over caching
//! the assembled listing under page 1's ETag because page 1's ETag only covers page 1:
//! releases are listed newest first, so a *new* release does change page 1, but deleting an
//! old release, uploading a late asset to one, or flipping its prerelease flag changes only a
//! later page — and would go unnoticed. Within the freshness window no page is requested.
//! A listing holds one lock (keyed by its first page) while it walks the pages, so
//! concurrent processes listing the same origin make one listing, not N.
//!
//! A page entry stores the compact [`crate::ReleaseInfo`] JSON for that page, not GitHub's
//! verbose body, so warm listings parse little.
//!
//! # Files and safety
//!
//! Entries live in `<cache root>/github-api/<key>.entry` (directories `0700`, files `0600` on
//! Unix, since they may hold private metadata). An entry decides what gets installed (a
//! listing names each asset's URL and digest), so it is trusted only if nobody else could
//! have written it, the way ssh and gpg treat their files ([`util::private`]): the cache root
//! and `github-api/` must be directories owned by the effective user and not writable by group
//! or others, or the whole cache is off for the run; an entry must be a regular file (no
//! symlink) with the same owner and mode, or it is ignored and fetched again. Either case is
//! announced as a [`Notice::UntrustedCache`]. Even a trusted entry cannot point a download
//! elsewhere: downloads only go to asset URLs on the API origin (see [`crate::Download`]).
//! An entry is one line of JSON metadata, a newline, then the body bytes. Writes go to a temporary file in the same directory and are
//! renamed into place, so a reader sees the old or the new entry, never half of one. A
//! `<key>.lock` file (advisory `flock`-style lock) serializes fetches of the same key across
//! processes. Unreadable, truncated or foreign entries are treated as misses and overwritten;
//! cache I/O failures never fail a request (they are logged at debug level).

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::notice::{Notice, Notifier};

const FORMAT: u32 = 1;
const SUBDIR: &str = "github-api";
/// How long to wait for another process's lock before going ahead without it.
const LOCK_PATIENCE: Duration = Duration::from_secs(30);

/// Metadata stored with a cached response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Meta {
    /// Entry format version.
    pub(crate) v: u32,
    /// The URL (for verification; a mismatch is a miss).
    pub(crate) url: String,
    /// The `Accept` header.
    pub(crate) accept: String,
    /// 200 or 404.
    pub(crate) status: u16,
    /// `ETag`, verbatim.
    pub(crate) etag: Option<String>,
    /// `Last-Modified`, verbatim.
    pub(crate) last_modified: Option<String>,
    /// `Link: rel="next"` target (listing pages).
    pub(crate) next: Option<String>,
    /// When the response was fetched or last revalidated (Unix seconds).
    pub(crate) fetched_at: u64,
}

/// A cached response.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) meta: Meta,
    pub(crate) body: Vec<u8>,
}

/// The cache directory.
#[derive(Debug)]
pub(crate) struct Cache {
    dir: PathBuf,
    notify: Notifier,
}

/// Holds a key's lock until dropped.
pub(crate) struct LockGuard {
    _lock: Option<util::lock::FileLock>,
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Cache {
    /// Opens (creating, mode 0700) `<root>/github-api`, after checking that both it and the
    /// root are ours alone (see the module docs).
    pub(crate) fn open(root: &Path, notify: Notifier) -> Result<Cache, util::private::Untrusted> {
        let dir = root.join(SUBDIR);
        util::private::ensure_dir(root)?;
        util::private::ensure_dir(&dir)?;
        Ok(Cache { dir, notify })
    }

    /// The directory entries live in.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key for a request (see the module docs).
    pub(crate) fn key(host: &str, url: &str, accept: &str, identity: &str) -> String {
        let mut h = Sha256::new();
        for part in [&format!("v{FORMAT}"), host, url, accept, identity] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        hex::encode(h.finalize())[..40].to_owned()
    }

    fn entry_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.entry"))
    }

    /// The entry for `key`, if present, intact and for this URL and `Accept`.
    pub(crate) fn load(&self, key: &str, url: &str, accept: &str) -> Option<Entry> {
        let path = self.entry_path(key);
        let mut file = match util::private::open_file(&path) {
            Ok(file) => file,
            Err(e) if e.is_not_found() => return None,
            Err(e @ util::private::Untrusted::Io { .. }) => {
                tracing::debug!(error = %e, "cache entry unreadable");
                return None;
            }
            Err(e) => {
                self.notify.notify(&Notice::UntrustedCache {
                    reason: format!("{e}; ignoring that entry"),
                });
                return None;
            }
        };
        let mut bytes = Vec::new();
        if let Err(e) = file.read_to_end(&mut bytes) {
            tracing::debug!(path = %path.display(), error = %e, "cache entry unreadable");
            return None;
        }
        let parsed = bytes
            .iter()
            .position(|&b| b == b'\n')
            .and_then(|nl| {
                let meta: Meta = serde_json::from_slice(&bytes[..nl]).ok()?;
                Some((meta, nl))
            })
            .filter(|(m, _)| m.v == FORMAT && m.url == url && m.accept == accept);
        match parsed {
            Some((meta, nl)) => {
                bytes.drain(..=nl);
                Some(Entry { meta, body: bytes })
            }
            None => {
                tracing::debug!(path = %path.display(), "ignoring a corrupt or foreign cache entry");
                None
            }
        }
    }

    /// Writes an entry atomically (temp file + rename). Failures are logged, not returned.
    pub(crate) fn store(&self, key: &str, entry: &Entry) {
        if let Err(e) = self.try_store(key, entry) {
            tracing::debug!(dir = %self.dir.display(), error = %e, "cannot write a cache entry");
        }
    }

    fn try_store(&self, key: &str, entry: &Entry) -> io::Result<()> {
        let mut meta = serde_json::to_vec(&entry.meta).map_err(io::Error::other)?;
        meta.push(b'\n');
        let tmp = self.dir.join(format!(
            ".{key}.{}.{}.tmp",
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let result = (|| {
            let mut f = util::private::create_file(&tmp)?;
            f.write_all(&meta)?;
            f.write_all(&entry.body)?;
            f.flush()?;
            drop(f);
            fs::rename(&tmp, self.entry_path(key))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Takes the cross-process lock for `key`, waiting up to 30 s for another holder.
    ///
    /// Never fails: if the lock file cannot be opened, or the holder seems stuck, the caller
    /// goes ahead unlocked (correctness does not depend on the lock, only request counts do).
    pub(crate) fn lock(&self, key: &str) -> LockGuard {
        let path = self.dir.join(format!("{key}.lock"));
        match util::lock::acquire(&path, LOCK_PATIENCE) {
            Ok(lock) => LockGuard { _lock: Some(lock) },
            Err(e @ util::lock::LockError::Busy { .. }) => {
                tracing::warn!("{e}; continuing without the cache lock");
                LockGuard { _lock: None }
            }
            Err(e) => {
                tracing::debug!("{e}; continuing without the cache lock");
                LockGuard { _lock: None }
            }
        }
    }
}

/// Deletes everything this crate cached under the cache root `root` (its `github-api/`
/// directory; other tools' files under the same root are left alone). A missing directory is
/// not an error.
pub fn clear_cache(root: &Path) -> Result<(), Error> {
    let dir = root.join(SUBDIR);
    match fs::remove_dir_all(&dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(Error::Cache { path: dir, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(url: &str, body: &[u8]) -> Entry {
        Entry {
            meta: Meta {
                v: FORMAT,
                url: url.to_owned(),
                accept: "a".to_owned(),
                status: 200,
                etag: Some("W/\"x\"".to_owned()),
                last_modified: None,
                next: None,
                fetched_at: 5,
            },
            body: body.to_vec(),
        }
    }

    #[test]
    fn round_trip_and_corruption_is_a_miss() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::open(tmp.path(), Notifier::default()).unwrap();
        let key = Cache::key("github.com", "u", "a", "anonymous");
        assert!(cache.load(&key, "u", "a").is_none());
        cache.store(&key, &entry("u", b"body\nwith newline"));
        let got = cache.load(&key, "u", "a").unwrap();
        assert_eq!(got.body, b"body\nwith newline");
        assert_eq!(got.meta.etag.as_deref(), Some("W/\"x\""));
        // Another URL or Accept under the same key (a collision, or a foreign file) is a miss.
        assert!(cache.load(&key, "other", "a").is_none());
        assert!(cache.load(&key, "u", "b").is_none());
        // Truncated and garbage entries are misses, and are overwritten by the next store.
        let path = cache.entry_path(&key);
        fs::write(&path, b"{\"v\":1,\"url\":").unwrap();
        assert!(cache.load(&key, "u", "a").is_none());
        fs::write(&path, b"\xff\xfe\n").unwrap();
        assert!(cache.load(&key, "u", "a").is_none());
        cache.store(&key, &entry("u", b"new"));
        assert_eq!(cache.load(&key, "u", "a").unwrap().body, b"new");
        // No temporary files are left behind.
        let names: Vec<String> = fs::read_dir(cache.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn keys_differ_by_every_part() {
        let base = Cache::key("github.com", "u", "a", "anonymous");
        assert_ne!(base, Cache::key("ghe.example.com", "u", "a", "anonymous"));
        assert_ne!(base, Cache::key("github.com", "u2", "a", "anonymous"));
        assert_ne!(base, Cache::key("github.com", "u", "a2", "anonymous"));
        assert_ne!(base, Cache::key("github.com", "u", "a", "0123456789abcdef"));
        // Concatenation ambiguity is prevented by separators.
        assert_ne!(
            Cache::key("ab", "c", "a", "i"),
            Cache::key("a", "bc", "a", "i")
        );
    }

    #[test]
    fn lock_excludes_a_second_holder_until_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::open(tmp.path(), Notifier::default()).unwrap();
        let guard = cache.lock("k");
        let other = std::fs::File::open(cache.dir().join("k.lock")).unwrap();
        assert!(matches!(
            other.try_lock(),
            Err(fs::TryLockError::WouldBlock)
        ));
        drop(guard);
        assert!(other.try_lock().is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn entries_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::open(tmp.path(), Notifier::default()).unwrap();
        cache.store("k", &entry("u", b"x"));
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(cache.dir()), 0o700);
        assert_eq!(mode(&cache.entry_path("k")), 0o600);
    }

    #[test]
    fn clear_removes_only_our_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::open(tmp.path(), Notifier::default()).unwrap();
        cache.store("k", &entry("u", b"x"));
        fs::write(tmp.path().join("someone-else.txt"), b"keep").unwrap();
        clear_cache(tmp.path()).unwrap();
        assert!(!tmp.path().join(SUBDIR).exists());
        assert!(tmp.path().join("someone-else.txt").exists());
        clear_cache(tmp.path()).unwrap();
    }
}
