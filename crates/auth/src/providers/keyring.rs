//! The `keyring` provider: the token gh stored, without running gh.
//!
//! In gh's own order: `hosts.yml` `<host>.oauth_token` (plaintext storage) first, then the OS
//! store's item `service=gh:<host>` under the active login from `hosts.yml` `<host>.user`, then
//! under `""` (the "active" copy that older gh versions wrote alone) where the store can
//! address it. The stores and how gh's items look in each are in the `store` module.
//!
//! The store lookup runs on a worker thread and is abandoned after the keyring timeout
//! (default 3 s, like gh): a stopped or wedged keyring daemon must not hang an install.

use std::time::Duration;

use origin_meta::Host;
use secrecy::ExposeSecret;

use super::hosts_yml::{self, GhHosts};
use super::{Lookup, accept};
use crate::env::Env;
use crate::outcome::{Miss, MissReason, Outcome, ProviderError};
use crate::store::{self, ItemRead, STORE_NAME, StoreFailure, item_name};
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
    let usernames = store::usernames_for(user.as_deref());
    if usernames.is_empty() {
        let outcome = match yml_error {
            Some(e) => Outcome::Failed(e),
            None => Outcome::miss(
                MissReason::NotFound,
                format!(
                    "gh's hosts.yml names no login for {host}, and the {STORE_NAME} cannot look up gh's \"\" item"
                ),
            ),
        };
        return Lookup { outcome, notes };
    }
    let outcome = store_lookup(host, env, &service, &usernames, timeout);
    // A broken hosts.yml matters only when the store had nothing either.
    let outcome = match (outcome, yml_error) {
        (Outcome::Miss(_), Some(e)) => Outcome::Failed(e),
        (o, _) => o,
    };
    Lookup { outcome, notes }
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

fn store_lookup(
    host: &Host,
    env: &Env,
    service: &str,
    usernames: &[String],
    timeout: Duration,
) -> Outcome {
    let (env2, service2, users2) = (env.clone(), service.to_owned(), usernames.to_vec());
    let result = store::with_deadline(timeout, move || {
        store::read_gh_item(&env2, &service2, &users2)
    });
    let Some(result) = result else {
        return Outcome::Failed(ProviderError::KeyringTimedOut {
            after: timeout,
            message: None,
        });
    };
    match result {
        Ok(ItemRead::Found { secret, username }) => {
            let what = item_name(service, &username);
            let source = Source::new(ProviderKind::Keyring, what.clone());
            accept(secret.expose_secret(), host, source, &what)
        }
        Ok(ItemRead::NotFound) => Outcome::Miss(Miss {
            reason: MissReason::NotFound,
            detail: format!(
                "no {STORE_NAME} item service={service} for {} {}",
                if cfg!(target_os = "macos") {
                    "account"
                } else {
                    "username"
                },
                users_text(usernames)
            ),
        }),
        Err(StoreFailure::NoBus(why)) => Outcome::Miss(Miss {
            reason: MissReason::NoBus,
            detail: format!("no D-Bus session bus: {why}"),
        }),
        Err(StoreFailure::NoService(why)) => Outcome::Miss(Miss {
            reason: MissReason::NoSecretService,
            detail: format!("no Secret Service on the session bus ({why})"),
        }),
        Err(StoreFailure::Unsupported) => Outcome::Miss(Miss {
            reason: MissReason::Unsupported,
            detail: "this OS has no credential store we read; the gh provider asks gh".to_owned(),
        }),
        Err(StoreFailure::Locked { username, message }) => {
            let user = if username.is_empty() {
                usernames.first().cloned().unwrap_or_default()
            } else {
                username
            };
            Outcome::Failed(ProviderError::KeyringLocked {
                item: item_name(service, &user),
                message,
            })
        }
        Err(StoreFailure::TimedOut(message)) => Outcome::Failed(ProviderError::KeyringTimedOut {
            after: timeout,
            message: Some(message),
        }),
        Err(StoreFailure::Failed(message)) => Outcome::Failed(ProviderError::Keyring {
            store: STORE_NAME,
            message,
        }),
    }
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
}
