//! The `keyring` provider: the token gh stored, without running gh.
//!
//! In gh's own order: `hosts.yml` `<host>.oauth_token` (plaintext storage) first, then the OS
//! store's item `service=gh:<host>` under the active login from `hosts.yml` `<host>.user`, then
//! under `""` (the "active" copy that older gh versions wrote alone).
//!
//! | platform | store | status |
//! |---|---|---|
//! | Linux | Secret Service over D-Bus | tested against gnome-keyring (`scripts/keyring-it.sh`) |
//! | macOS | Keychain via `/usr/bin/security`, `go-keyring-base64:` decoded | untested here |
//! | Windows | Credential Manager | not implemented: reported as a miss, the `gh` provider covers it |
//!
//! The store lookup runs on a worker thread and is abandoned after the keyring timeout
//! (default 3 s, like gh): a stopped or wedged keyring daemon must not hang an install.

use std::sync::mpsc;
use std::time::Duration;

use origin_meta::Host;
use secrecy::ExposeSecret;

use super::hosts_yml::{self, GhHosts};
use super::{Lookup, accept};
use crate::env::Env;
use crate::outcome::{Miss, MissReason, Outcome, ProviderError};
use crate::token::{ProviderKind, Source};

/// Default time a keyring lookup may take before it is abandoned (gh uses the same).
pub const DEFAULT_KEYRING_TIMEOUT: Duration = Duration::from_secs(3);

pub(crate) fn lookup(host: &Host, env: &Env, timeout: Duration) -> Lookup {
    let mut notes = Vec::new();
    let mut yml_error = None;
    let mut user = None;
    match hosts_yml::load(env) {
        Ok(Some(GhHosts { path, mut hosts })) => {
            if let Some(entry) = hosts.remove(host) {
                if let Some(token) = entry.oauth_token {
                    let source = Source::new(
                        ProviderKind::Keyring,
                        format!("gh's {} (plaintext oauth_token)", path.display()),
                    );
                    let outcome = accept(
                        token.expose_secret(),
                        host,
                        source,
                        "gh's hosts.yml oauth_token",
                    );
                    if matches!(outcome, Outcome::Found(_)) {
                        return Lookup { outcome, notes };
                    }
                }
                user = entry.user;
            } else {
                notes.push(format!("gh's {} has no entry for {host}", path.display()));
            }
        }
        Ok(None) => notes.push("gh has no hosts.yml (never logged in here)".to_owned()),
        Err((path, message)) => {
            notes.push(format!("cannot use gh's {}: {message}", path.display()));
            yml_error = Some(ProviderError::HostsYml { path, message });
        }
    }

    let service = format!("gh:{host}");
    let mut usernames = Vec::new();
    if let Some(u) = &user {
        usernames.push(u.clone());
    }
    usernames.push(String::new());
    let outcome = store_lookup(host, env, &service, &usernames, timeout);
    // A broken hosts.yml matters only when the store had nothing either.
    let outcome = match (outcome, yml_error) {
        (Outcome::Miss(_), Some(e)) => Outcome::Failed(e),
        (o, _) => o,
    };
    Lookup { outcome, notes }
}

fn item_name(service: &str, username: &str) -> String {
    if username.is_empty() {
        format!("item service={service} username=\"\"")
    } else {
        format!("item service={service} username={username}")
    }
}

fn users_text(usernames: &[String]) -> String {
    usernames
        .iter()
        .map(|u| {
            if u.is_empty() {
                "\"\"".to_owned()
            } else {
                u.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs `f` on a worker thread and waits at most `timeout`; `None` on timeout (the worker is
/// abandoned, it holds nothing the process needs).
fn with_deadline<T: Send + 'static>(
    timeout: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("skillrig-keyring".to_owned())
        .spawn(move || {
            let _ = tx.send(f());
        });
    if spawned.is_err() {
        return None;
    }
    rx.recv_timeout(timeout).ok()
}

#[cfg(target_os = "linux")]
fn store_lookup(
    host: &Host,
    env: &Env,
    service: &str,
    usernames: &[String],
    timeout: Duration,
) -> Outcome {
    use super::secret_service::{self, SsResult};

    let (env2, service2, users2) = (env.clone(), service.to_owned(), usernames.to_vec());
    let result = with_deadline(timeout, move || {
        secret_service::lookup(&env2, &service2, &users2, timeout)
    });
    let Some(result) = result else {
        return Outcome::Failed(ProviderError::KeyringTimedOut { after: timeout });
    };
    match result {
        SsResult::Found { secret, username } => {
            let what = format!("Secret Service {}", item_name(service, &username));
            let source = Source::new(ProviderKind::Keyring, what.clone());
            accept(secret.expose_secret(), host, source, &what)
        }
        SsResult::NoBus(why) => Outcome::Miss(Miss {
            reason: MissReason::NoBus,
            detail: format!("no D-Bus session bus: {why}"),
        }),
        SsResult::NoService(why) => Outcome::Miss(Miss {
            reason: MissReason::NoSecretService,
            detail: format!("no Secret Service on the session bus ({why})"),
        }),
        SsResult::NotFound => Outcome::Miss(Miss {
            reason: MissReason::NotFound,
            detail: format!(
                "no Secret Service item service={service} for username {}",
                users_text(usernames)
            ),
        }),
        SsResult::Locked { username } => Outcome::Failed(ProviderError::KeyringLocked {
            item: format!("Secret Service {}", item_name(service, &username)),
        }),
        SsResult::TimedOut => Outcome::Failed(ProviderError::KeyringTimedOut { after: timeout }),
        SsResult::Failed(message) => Outcome::Failed(ProviderError::Keyring { message }),
    }
}

#[cfg(target_os = "macos")]
fn store_lookup(
    host: &Host,
    _env: &Env,
    service: &str,
    usernames: &[String],
    timeout: Duration,
) -> Outcome {
    use super::macos::{self, MacResult};

    let (service2, users2) = (service.to_owned(), usernames.to_vec());
    let Some(result) = with_deadline(timeout, move || macos::lookup(&service2, &users2, timeout))
    else {
        return Outcome::Failed(ProviderError::KeyringTimedOut { after: timeout });
    };
    match result {
        MacResult::Found { secret, username } => {
            let what = format!("Keychain {}", item_name(service, &username));
            let source = Source::new(ProviderKind::Keyring, what.clone());
            accept(secret.expose_secret(), host, source, &what)
        }
        MacResult::NotFound => Outcome::Miss(Miss {
            reason: MissReason::NotFound,
            detail: format!(
                "no Keychain item service={service} for account {}",
                users_text(usernames)
            ),
        }),
        MacResult::TimedOut => Outcome::Failed(ProviderError::KeyringTimedOut { after: timeout }),
        MacResult::Failed(message) => Outcome::Failed(ProviderError::Keyring { message }),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn store_lookup(
    _host: &Host,
    _env: &Env,
    _service: &str,
    _usernames: &[String],
    _timeout: Duration,
) -> Outcome {
    Outcome::Miss(Miss {
        reason: MissReason::Unsupported,
        detail:
            "reading this platform's credential store is not implemented; the gh provider reads it"
                .to_owned(),
    })
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn plaintext_hosts_yml_wins_before_the_store() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("hosts.yml"),
            "github.com:\n    oauth_token: gho_plaintext00000000\n    user: alice\n",
        )
        .unwrap();
        let env = Env::from_vars([("GH_CONFIG_DIR", dir.path())]);
        let l = lookup(&Host::github_com(), &env, Duration::from_secs(3));
        let Outcome::Found(t) = l.outcome else {
            panic!("{:?}", l.outcome)
        };
        assert_eq!(t.expose_secret(), "gho_plaintext00000000");
        assert!(t.source().detail().contains("plaintext oauth_token"));
    }

    #[test]
    fn no_bus_is_a_fast_distinct_miss() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_vars([("XDG_RUNTIME_DIR", dir.path()), ("HOME", dir.path())]);
        let l = lookup(&Host::github_com(), &env, Duration::from_secs(3));
        let Outcome::Miss(m) = &l.outcome else {
            panic!("{:?}", l.outcome)
        };
        assert_eq!(m.reason, MissReason::NoBus);
        assert!(
            l.notes.iter().any(|n| n.contains("never logged in")),
            "{:?}",
            l.notes
        );
    }

    #[test]
    fn a_broken_hosts_yml_is_reported_when_nothing_else_is_found() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hosts.yml"), "- not: a map\n").unwrap();
        let env = Env::from_vars([("GH_CONFIG_DIR", dir.path())]);
        let l = lookup(&Host::github_com(), &env, Duration::from_secs(3));
        let Outcome::Failed(e) = &l.outcome else {
            panic!("{:?}", l.outcome)
        };
        assert_eq!(e.code(), "hosts-yml");
    }

    #[test]
    fn a_silent_bus_times_out() {
        // A socket that accepts connections but never speaks: libdbus blocks in the handshake.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bus");
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let env = Env::from_vars([(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", path.display()),
        )]);
        let l = lookup(&Host::github_com(), &env, Duration::from_millis(300));
        let Outcome::Failed(e) = &l.outcome else {
            panic!("{:?}", l.outcome)
        };
        assert_eq!(e.code(), "timed-out");
        drop(listener);
    }
}
