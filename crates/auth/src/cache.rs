//! The cross-process cache: one slow credential lookup serves a burst of parallel processes.
//!
//! mise starts our CLI once per tool, in parallel; five tools from one origin must not run a
//! 2-second `op read` (or `gh auth token`, or a Touch ID prompt) five times. So the result of
//! the `credential_command` and `gh` providers is shared through a [`SharedStore`], never
//! through a plain file:
//!
//! | OS | store | entry | lifetime |
//! |---|---|---|---|
//! | Linux | the kernel keyring (session keyring, or the per-user session keyring) | `user` key `skillrig-auth:v1:<host>:<provider>:<fingerprint>` | kernel timeout |
//! | macOS | the login Keychain (generic password, created by us) | service `skillrig-auth-cache <version>`, account = the description | expiry stored beside the payload |
//! | Windows | Credential Manager, **session** persistence (never written to disk, gone at logoff) | target `skillrig-auth-cache:<description>` | expiry stored beside the payload |
//!
//! * the fingerprint changes with the configured command, so an edited config is not shadowed
//!   by an old entry; the payload is the outcome (token, or a miss/error summary);
//! * lifetime: `cache_ttl` (default 300 s) for tokens and at most 10 s for misses and errors
//!   (enough for one burst, short enough that fixing the problem and retrying works). Where
//!   the store has no timeout of its own, the expiry is stored in the entry and an expired
//!   entry is deleted when it is next read;
//! * coordination: an empty lock file per host and provider (`$XDG_RUNTIME_DIR/skillrig`,
//!   else the cache directory), locked with `File::lock`. The first process runs the provider
//!   while the others wait, then they re-read the store. Waiting is bounded by the provider's
//!   timeout plus a margin, after which a waiter runs the provider itself.
//!
//! Where no store is available (a seccomp profile that blocks `keyctl`, like Docker's
//! default; another OS) there is no cross-process cache at all — logged at debug level — and
//! each process runs the provider itself. Lock files hold nothing. The threat model is in
//! `docs/auth.md`.

use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::time::Duration;

use origin_meta::Host;
use secrecy::zeroize::Zeroizing;

use crate::env::{Env, vars};
use crate::outcome::{Miss, MissReason, Outcome, ProviderError};
use crate::providers::Lookup;
use crate::token::{ProviderKind, Source, Token};

/// How long misses and errors are shared: one burst of parallel processes, no more.
const NEGATIVE_TTL: Duration = Duration::from_secs(10);
/// Extra time a waiter gives the lock holder beyond the provider's own timeout.
const WAIT_MARGIN: Duration = Duration::from_secs(5);

/// Which provider run an entry stands for.
#[derive(Clone, Debug)]
pub(crate) struct CacheKey {
    pub(crate) host: Host,
    pub(crate) provider: ProviderKind,
    /// Changes when the configured command changes, so an edited config is not shadowed by
    /// an old entry.
    pub(crate) fingerprint: String,
}

impl CacheKey {
    pub(crate) fn new(host: &Host, provider: ProviderKind, config: &str) -> CacheKey {
        // A stable hash is enough: a collision or a change across Rust versions only costs a
        // cache miss.
        let mut h = std::hash::DefaultHasher::new();
        config.hash(&mut h);
        CacheKey {
            host: host.clone(),
            provider,
            fingerprint: format!("{:016x}", h.finish()),
        }
    }

    fn description(&self) -> String {
        format!(
            "skillrig-auth:v1:{}:{}:{}",
            self.host, self.provider, self.fingerprint
        )
    }

    fn lock_file_name(&self) -> String {
        let host: String = self
            .host
            .as_str()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{host}.{}.lock", self.provider)
    }
}

/// Where shared entries live: get, put with a lifetime, remove. Implementations never write
/// a token anywhere in plain text.
pub(crate) trait SharedStore: Send + Sync + std::fmt::Debug {
    /// For logs, e.g. `the kernel keyring`.
    fn name(&self) -> &'static str;
    /// The live entry's payload, if any.
    fn get(&self, desc: &str) -> Option<Zeroizing<Vec<u8>>>;
    /// Stores `payload` for `ttl`.
    fn put(&self, desc: &str, payload: &[u8], ttl: Duration) -> Result<(), String>;
    /// Drops the entry, if any.
    fn remove(&self, desc: &str);
}

/// The shared cache; a no-op where no store is available.
#[derive(Debug)]
pub(crate) struct SharedCache {
    store: Option<Box<dyn SharedStore>>,
    lock_dir: Option<PathBuf>,
}

impl SharedCache {
    /// Opens this OS's store and picks the lock directory from `env`.
    pub(crate) fn new(env: &Env) -> SharedCache {
        SharedCache::with_store(env, platform_store())
    }

    /// A cache over `store` (tests use a mock store).
    pub(crate) fn with_store(env: &Env, store: Option<Box<dyn SharedStore>>) -> SharedCache {
        SharedCache {
            lock_dir: store.as_ref().and_then(|_| lock_dir(env)),
            store,
        }
    }

    /// A cache that never shares anything (doctor, tests).
    pub(crate) fn disabled() -> SharedCache {
        SharedCache {
            store: None,
            lock_dir: None,
        }
    }

    /// Returns true if and only if results can be shared between processes.
    pub(crate) fn enabled(&self) -> bool {
        self.store.is_some()
    }

    /// The store in use, for reports.
    pub(crate) fn store_name(&self) -> Option<&'static str> {
        self.store.as_ref().map(|s| s.name())
    }

    /// The lock directory in use (tests check it holds no secret).
    #[cfg(test)]
    pub(crate) fn lock_dir(&self) -> Option<&std::path::Path> {
        self.lock_dir.as_deref()
    }

    /// Returns the shared result for `key`, or runs `provider` once for everyone waiting.
    pub(crate) fn get_or_run(
        &self,
        key: &CacheKey,
        ttl: Duration,
        provider_timeout: Duration,
        provider: impl FnOnce() -> Lookup,
    ) -> Lookup {
        let Some(store) = self.store.as_ref().filter(|_| !ttl.is_zero()) else {
            return provider();
        };
        let desc = key.description();
        if let Some(hit) = store.get(&desc).and_then(|p| decode(key, &p, store.name())) {
            tracing::debug!(host = %key.host, provider = %key.provider, "served from the cross-process cache");
            return hit;
        }
        let _guard = self.lock(key, provider_timeout + WAIT_MARGIN);
        if _guard.is_some() {
            // Someone else may have finished while we waited.
            if let Some(hit) = store.get(&desc).and_then(|p| decode(key, &p, store.name())) {
                tracing::debug!(host = %key.host, provider = %key.provider, "served from the cross-process cache after waiting");
                return hit;
            }
        }
        let lookup = provider();
        if let Some((payload, positive)) = encode(&lookup.outcome) {
            let life = if positive { ttl } else { ttl.min(NEGATIVE_TTL) };
            if let Err(e) = store.put(&desc, &payload, life) {
                tracing::debug!(host = %key.host, provider = %key.provider, "cannot store in {}: {e}", store.name());
            }
        }
        lookup
    }

    /// Drops the entry for `key` (its token got a 401, or git said `erase`).
    pub(crate) fn invalidate(&self, key: &CacheKey) {
        if let Some(store) = &self.store {
            store.remove(&key.description());
        }
    }

    /// Takes the per-key lock file, waiting at most `wait`. `None` when there is no usable
    /// lock directory or the wait ran out; the caller then proceeds unlocked.
    fn lock(&self, key: &CacheKey, wait: Duration) -> Option<util::lock::FileLock> {
        let dir = self.lock_dir.as_ref()?;
        util::lock::acquire(&dir.join(key.lock_file_name()), wait)
            .inspect_err(|e| tracing::debug!("proceeding without the lock: {e}"))
            .ok()
    }
}

/// `$XDG_RUNTIME_DIR/skillrig` (per-user tmpfs, mode 0700), else the cache directory
/// (`$XDG_CACHE_HOME`, `~/.cache`, on Windows `%LOCALAPPDATA%`).
fn lock_dir(env: &Env) -> Option<PathBuf> {
    let dir = env
        .abs_path(vars::XDG_RUNTIME_DIR)
        .or_else(|| env.abs_path(vars::XDG_CACHE_HOME))
        .or_else(|| env.home().map(|h| h.join(".cache")))
        .or_else(|| env.abs_path(vars::LOCALAPPDATA))?
        .join("skillrig");
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(&dir) {
        Ok(()) => Some(dir),
        Err(e) => {
            tracing::debug!(dir = %dir.display(), "no lock directory: {e}");
            None
        }
    }
}

// Payload: "T\n<detail>\n<token>" | "M\n<reason code>\n<detail>" | "E\n<error code>\n<message>".
fn encode(outcome: &Outcome) -> Option<(Zeroizing<Vec<u8>>, bool)> {
    let one_line = |s: &str| s.replace(['\n', '\r'], " ");
    let text = match outcome {
        Outcome::Found(t) => Zeroizing::new(format!(
            "T\n{}\n{}",
            one_line(t.source().detail()),
            t.expose_secret()
        )),
        Outcome::Miss(m) => match m.reason {
            // Only results of actually running the provider are worth sharing.
            MissReason::EmptyOutput | MissReason::NotLoggedIn => {
                Zeroizing::new(format!("M\n{}\n{}", m.reason.code(), one_line(&m.detail)))
            }
            _ => return None,
        },
        Outcome::Failed(e) => Zeroizing::new(format!(
            "E\n{}\n{}",
            e.code(),
            one_line(&crate::outcome::error_chain(e))
        )),
        Outcome::NotTried => return None,
    };
    let positive = matches!(outcome, Outcome::Found(_));
    Some((Zeroizing::new(text.as_bytes().to_vec()), positive))
}

fn decode(key: &CacheKey, payload: &[u8], store_name: &str) -> Option<Lookup> {
    let text = std::str::from_utf8(payload).ok()?;
    let mut parts = text.splitn(3, '\n');
    let (tag, a, b) = (parts.next()?, parts.next()?, parts.next()?);
    let outcome = match tag {
        "T" => {
            let source = Source::new(key.provider, a).into_cached();
            Outcome::Found(Token::new(
                secrecy::SecretString::from(b.to_owned()),
                key.host.clone(),
                source,
            ))
        }
        "M" => Outcome::Miss(Miss {
            reason: MissReason::from_code(a)?,
            detail: format!("{b} (cached)"),
        }),
        "E" => Outcome::Failed(ProviderError::Cached {
            code: a.to_owned(),
            message: b.to_owned(),
        }),
        _ => return None,
    };
    Some(Lookup {
        outcome,
        notes: vec![format!(
            "result shared by another process through {store_name}"
        )],
    })
}

/// This OS's store, if it can be used.
fn platform_store() -> Option<Box<dyn SharedStore>> {
    #[cfg(target_os = "linux")]
    let store = kernel::KernelStore::open().map(|s| Box::new(s) as Box<dyn SharedStore>);
    #[cfg(any(target_os = "macos", windows))]
    let store = os_store::OsStore::open().map(|s| Box::new(s) as Box<dyn SharedStore>);
    #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
    let store = None;
    store
}

#[cfg(target_os = "linux")]
mod kernel {
    use linux_keyutils::{KeyPermissionsBuilder, KeyRing, KeyRingIdentifier, Permission};
    use secrecy::zeroize::Zeroizing;
    use std::time::Duration;

    /// The session keyring (never created: a process without one gets the per-user session
    /// keyring, which its siblings share too). Entries expire by kernel timeout.
    #[derive(Debug)]
    pub(super) struct KernelStore {
        ring: KeyRing,
    }

    impl KernelStore {
        pub(super) fn open() -> Option<KernelStore> {
            match KeyRing::from_special_id(KeyRingIdentifier::Session, false) {
                Ok(ring) => Some(KernelStore { ring }),
                Err(e) => {
                    tracing::debug!("kernel keyring unavailable, no cross-process cache: {e}");
                    None
                }
            }
        }
    }

    impl super::SharedStore for KernelStore {
        fn name(&self) -> &'static str {
            "the kernel keyring"
        }

        fn get(&self, desc: &str) -> Option<Zeroizing<Vec<u8>>> {
            let key = self.ring.search(desc).ok()?;
            key.read_to_vec().ok().map(Zeroizing::new)
        }

        fn put(&self, desc: &str, payload: &[u8], ttl: Duration) -> Result<(), String> {
            let key = self
                .ring
                .add_key(desc, payload)
                .map_err(|e| e.to_string())?;
            let secs = usize::try_from(ttl.as_secs().max(1)).unwrap_or(usize::MAX);
            if let Err(e) = key.set_timeout(secs) {
                // An entry that would never expire is worse than no entry.
                let _ = key.invalidate();
                return Err(e.to_string());
            }
            let perms = KeyPermissionsBuilder::builder()
                .posessor(
                    Permission::VIEW
                        | Permission::READ
                        | Permission::WRITE
                        | Permission::SEARCH
                        | Permission::SETATTR,
                )
                .user(Permission::VIEW)
                .build();
            let _ = key.set_perms(perms);
            Ok(())
        }

        fn remove(&self, desc: &str) {
            if let Ok(key) = self.ring.search(desc)
                && key.invalidate().is_err()
            {
                let _ = self.ring.unlink_key(key);
            }
        }
    }
}

/// The cache in an OS credential store reached through keyring-core (macOS Keychain, Windows
/// Credential Manager). Those stores have no expiry, so each entry holds
/// `<expiry, unix seconds>\n<payload>`; an expired entry counts as absent and is deleted on
/// read. Built on any keyring-core store, so the logic is tested here with the mock store.
#[cfg_attr(not(any(target_os = "macos", windows)), allow(dead_code))]
mod os_store {
    #[cfg(windows)]
    use std::collections::HashMap;
    use std::sync::Arc;
    use std::time::Duration;

    use keyring_core::{CredentialStore, Entry};
    use secrecy::zeroize::Zeroizing;

    /// Names an entry for a description in a given store.
    pub(super) type Naming = fn(&CredentialStore, &str) -> keyring_core::Result<Entry>;

    pub(super) struct OsStore {
        store: Arc<CredentialStore>,
        naming: Naming,
        name: &'static str,
    }

    impl std::fmt::Debug for OsStore {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("OsStore").field("name", &self.name).finish()
        }
    }

    impl OsStore {
        pub(super) fn new(
            store: Arc<CredentialStore>,
            naming: Naming,
            name: &'static str,
        ) -> OsStore {
            OsStore {
                store,
                naming,
                name,
            }
        }

        /// This OS's store.
        #[cfg(any(target_os = "macos", windows))]
        pub(super) fn open() -> Option<OsStore> {
            match crate::store::open_store() {
                Ok(store) => Some(OsStore::new(store, platform_naming, PLATFORM_NAME)),
                Err(e) => {
                    tracing::debug!("credential store unavailable, no cross-process cache: {e:?}");
                    None
                }
            }
        }

        fn entry(&self, desc: &str) -> Option<Entry> {
            (self.naming)(self.store.as_ref(), desc)
                .inspect_err(|e| tracing::debug!("cache entry for {desc}: {e}"))
                .ok()
        }
    }

    #[cfg(target_os = "macos")]
    const PLATFORM_NAME: &str = "the Keychain";
    #[cfg(windows)]
    const PLATFORM_NAME: &str = "Credential Manager";

    /// macOS: the service carries our version. Keychain items trust the binary that created
    /// them; an upgraded (differently signed) binary reading an older binary's item would make
    /// macOS ask the user. Per-version names mean a new binary never touches old items (which
    /// hold only short-lived data, expired long before anyone could read them again).
    #[cfg(target_os = "macos")]
    fn platform_naming(store: &CredentialStore, desc: &str) -> keyring_core::Result<Entry> {
        let service = format!("skillrig-auth-cache {}", env!("CARGO_PKG_VERSION"));
        store.build(&service, desc, None)
    }

    /// Windows: session persistence keeps the credential in memory for this logon session
    /// only — never on disk, never roaming — which is what a cache wants.
    #[cfg(windows)]
    fn platform_naming(store: &CredentialStore, desc: &str) -> keyring_core::Result<Entry> {
        let target = format!("skillrig-auth-cache:{desc}");
        let mods = HashMap::from([("target", target.as_str()), ("persistence", "Session")]);
        store.build("skillrig-auth-cache", desc, Some(&mods))
    }

    fn now() -> u64 {
        util::time::unix_now()
    }

    impl super::SharedStore for OsStore {
        fn name(&self) -> &'static str {
            self.name
        }

        fn get(&self, desc: &str) -> Option<Zeroizing<Vec<u8>>> {
            let entry = self.entry(desc)?;
            let stored = Zeroizing::new(entry.get_secret().ok()?);
            let newline = stored.iter().position(|&b| b == b'\n')?;
            let expires: u64 = std::str::from_utf8(&stored[..newline]).ok()?.parse().ok()?;
            if now() >= expires {
                let _ = entry.delete_credential();
                return None;
            }
            Some(Zeroizing::new(stored[newline + 1..].to_vec()))
        }

        fn put(&self, desc: &str, payload: &[u8], ttl: Duration) -> Result<(), String> {
            let entry = self
                .entry(desc)
                .ok_or_else(|| "cannot name the entry".to_owned())?;
            let expires = now() + ttl.as_secs().max(1);
            let mut stored = Zeroizing::new(format!("{expires}\n").into_bytes());
            stored.extend_from_slice(payload);
            entry.set_secret(&stored).map_err(|e| e.to_string())
        }

        fn remove(&self, desc: &str) {
            if let Some(entry) = self.entry(desc) {
                let _ = entry.delete_credential();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn unique_host(tag: &str) -> Host {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        Host::parse(&format!("{tag}-{}-{nanos}.cache.test", std::process::id())).unwrap()
    }

    fn found(host: &Host, value: &str) -> Lookup {
        Outcome::Found(Token::new(
            secrecy::SecretString::from(value.to_owned()),
            host.clone(),
            Source::new(
                ProviderKind::CredentialCommand,
                "credential_command `x` from [default]",
            ),
        ))
        .into()
    }

    #[test]
    fn payload_round_trip() {
        let host = Host::github_com();
        let key = CacheKey::new(&host, ProviderKind::Gh, "gh");
        let (payload, positive) = encode(&found(&host, "ghp_roundtrip").outcome).unwrap();
        assert!(positive);
        let back = decode(&key, &payload, "a test store").unwrap();
        let Outcome::Found(t) = back.outcome else {
            panic!()
        };
        assert_eq!(t.expose_secret(), "ghp_roundtrip");
        assert!(t.source().cached());

        let err = Outcome::Failed(ProviderError::Exited {
            program: "gh".into(),
            status: "exit code 1".into(),
            stderr: "boom".into(),
        });
        let (payload, positive) = encode(&err).unwrap();
        assert!(!positive);
        let back = decode(&key, &payload, "a test store").unwrap();
        assert_eq!(back.outcome.code(), Some("exited"));
        assert_eq!(
            back.outcome.summary(),
            "gh failed (exit code 1): boom (cached from another process)"
        );

        let not_set = Outcome::miss(MissReason::NotSet, "x");
        assert!(encode(&not_set).is_none());
    }

    #[test]
    fn fingerprint_follows_the_command() {
        let h = Host::github_com();
        let a = CacheKey::new(&h, ProviderKind::CredentialCommand, "op read a");
        let b = CacheKey::new(&h, ProviderKind::CredentialCommand, "op read b");
        assert_ne!(a.description(), b.description());
        assert_eq!(
            a.description(),
            CacheKey::new(&h, ProviderKind::CredentialCommand, "op read a").description()
        );
        assert_eq!(
            CacheKey::new(&Host::parse("ghe.x:8443").unwrap(), ProviderKind::Gh, "")
                .lock_file_name(),
            "ghe.x_8443.gh.lock"
        );
    }

    #[test]
    fn runs_once_then_serves_from_the_kernel_keyring() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_vars([("XDG_RUNTIME_DIR", dir.path())]);
        let cache = SharedCache::new(&env);
        // Documented degradation (e.g. keyctl blocked by seccomp); CI must have a store.
        if testkit::require("a cross-process store", cache.enabled().then_some(())).is_none() {
            return;
        }
        let host = unique_host("once");
        let key = CacheKey::new(&host, ProviderKind::CredentialCommand, "cmd");
        let runs = AtomicUsize::new(0);
        let run = || {
            runs.fetch_add(1, Ordering::SeqCst);
            found(&host, "ghp_shared_value")
        };
        let first = cache.get_or_run(&key, Duration::from_secs(60), Duration::from_secs(1), run);
        assert!(matches!(first.outcome, Outcome::Found(ref t) if !t.source().cached()));
        let second = cache.get_or_run(
            &key,
            Duration::from_secs(60),
            Duration::from_secs(1),
            || {
                runs.fetch_add(1, Ordering::SeqCst);
                found(&host, "ghp_other")
            },
        );
        let Outcome::Found(t) = second.outcome else {
            panic!("{:?}", second.outcome)
        };
        assert_eq!(t.expose_secret(), "ghp_shared_value");
        assert!(t.source().cached());
        assert_eq!(runs.load(Ordering::SeqCst), 1);

        cache.invalidate(&key);
        let third = cache.get_or_run(
            &key,
            Duration::from_secs(60),
            Duration::from_secs(1),
            || {
                runs.fetch_add(1, Ordering::SeqCst);
                found(&host, "ghp_after_invalidate")
            },
        );
        let Outcome::Found(t) = third.outcome else {
            panic!()
        };
        assert_eq!(t.expose_secret(), "ghp_after_invalidate");
        assert_eq!(runs.load(Ordering::SeqCst), 2);

        // Zero TTL bypasses the cache entirely.
        cache.get_or_run(&key, Duration::ZERO, Duration::from_secs(1), || {
            runs.fetch_add(1, Ordering::SeqCst);
            found(&host, "x_ignored")
        });
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        cache.invalidate(&key);

        // The lock directory holds empty files only.
        for entry in std::fs::read_dir(cache.lock_dir().unwrap()).unwrap() {
            assert_eq!(entry.unwrap().metadata().unwrap().len(), 0);
        }
    }

    /// The store-agnostic backend (what macOS and Windows use), over keyring-core's mock store:
    /// runs once, serves the stored result, expires, and forgets on invalidate.
    #[test]
    fn credential_store_backend_expires_entries_it_cannot_time_out() {
        let mock: std::sync::Arc<keyring_core::CredentialStore> =
            keyring_core::mock::Store::new().unwrap();
        fn naming(
            store: &keyring_core::CredentialStore,
            desc: &str,
        ) -> keyring_core::Result<keyring_core::Entry> {
            store.build("skillrig-auth-cache", desc, None)
        }
        let backend = os_store::OsStore::new(mock.clone(), naming, "a mock store");
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_vars([("XDG_RUNTIME_DIR", dir.path())]);
        let cache = SharedCache::with_store(&env, Some(Box::new(backend)));
        assert!(cache.enabled());
        let host = unique_host("osstore");
        let key = CacheKey::new(&host, ProviderKind::CredentialCommand, "cmd");
        let runs = AtomicUsize::new(0);
        let run = |value: &'static str| {
            runs.fetch_add(1, Ordering::SeqCst);
            found(&host, value)
        };
        let ttl = Duration::from_secs(60);
        cache.get_or_run(&key, ttl, Duration::from_secs(1), || run("ghp_first_value"));
        let second = cache.get_or_run(&key, ttl, Duration::from_secs(1), || run("ghp_other"));
        let Outcome::Found(t) = second.outcome else {
            panic!()
        };
        assert_eq!(t.expose_secret(), "ghp_first_value");
        assert!(t.source().cached());
        assert!(
            second.notes[0].contains("a mock store"),
            "{:?}",
            second.notes
        );
        assert_eq!(runs.load(Ordering::SeqCst), 1);

        // The stored form is `<expiry>\n<payload>`; an expired entry is absent and deleted.
        let entry = naming(mock.as_ref(), &key.description()).unwrap();
        let stored = entry.get_secret().unwrap();
        let (expiry, _) = std::str::from_utf8(&stored)
            .unwrap()
            .split_once('\n')
            .unwrap();
        let expiry: u64 = expiry.parse().unwrap();
        assert!(expiry > util::time::unix_now() + 50 && expiry <= util::time::unix_now() + 60);
        let mut expired = b"1\n".to_vec();
        expired.extend_from_slice(&stored[stored.iter().position(|&b| b == b'\n').unwrap() + 1..]);
        entry.set_secret(&expired).unwrap();
        cache.get_or_run(&key, ttl, Duration::from_secs(1), || {
            run("ghp_after_expiry")
        });
        assert_eq!(runs.load(Ordering::SeqCst), 2);

        cache.invalidate(&key);
        assert!(matches!(
            naming(mock.as_ref(), &key.description())
                .unwrap()
                .get_secret(),
            Err(keyring_core::Error::NoEntry)
        ));
    }
}
