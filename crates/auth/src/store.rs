//! The OS credential store: reading gh's items, and (on macOS and Windows) holding the
//! cross-process cache's entries. One module per OS below; everything above it sees
//! [`ItemRead`] and [`StoreFailure`].
//!
//! | OS | store | crate (keyring family) |
//! |---|---|---|
//! | Linux | Secret Service over D-Bus | `dbus-secret-service` (what the family's D-Bus store wraps) |
//! | macOS | login Keychain, generic passwords | `apple-native-keyring-store` (Security.framework) |
//! | Windows | Credential Manager, generic credentials | `windows-native-keyring-store` |
//!
//! gh (through go-keyring) stores each token under service `gh:<host>`, once per login and
//! once under the user `""`. Per OS:
//!
//! * Linux: items with exactly the attributes `service` and `username`, raw UTF-8. We search
//!   all collections and read the first **unlocked** hit over a plain session (as go-keyring
//!   does). A hit that is only in a locked collection is reported as locked: we never ask the
//!   Secret Service to unlock, which would pop up a dialog. That is why this module uses
//!   `dbus-secret-service` directly rather than the family's store, which always unlocks.
//! * macOS: account = the login; the value is `go-keyring-base64:` + base64 (legacy:
//!   `go-keyring-encoded:` + hex), decoded here. The `""` item cannot be addressed (an empty
//!   account is a wildcard in the Keychain API), so only the login named by `hosts.yml` is read.
//! * Windows: target name `gh:<host>:<user>` (so `gh:<host>:` for `""`), raw UTF-8 blob.
//!
//! Every call here blocks; callers run it under [`with_deadline`].

use std::sync::mpsc;
use std::time::Duration;

use secrecy::SecretString;
use secrecy::zeroize::Zeroizing;

use crate::env::Env;

/// The store's name for reports, e.g. `Secret Service`.
pub(crate) const STORE_NAME: &str = if cfg!(target_os = "macos") {
    "Keychain"
} else if cfg!(windows) {
    "Credential Manager"
} else {
    "Secret Service"
};

/// Why the store could not answer.
#[derive(Debug)]
pub(crate) enum StoreFailure {
    /// Linux: no session bus to connect to (not an error: SSH sessions, containers, CI).
    NoBus(String),
    /// Linux: a bus, but nobody provides `org.freedesktop.secrets`.
    NoService(String),
    /// The item exists but is locked, or the store refused access; the store's own words.
    Locked { username: String, message: String },
    /// The store did not answer in time (its own call timeout).
    TimedOut(String),
    /// This OS has no store we read.
    #[cfg_attr(
        any(target_os = "linux", target_os = "macos", windows),
        allow(dead_code)
    )]
    Unsupported,
    /// Anything else, in the store's own words.
    Failed(String),
}

/// One lookup's result: the first username that had an item, or nothing.
#[derive(Debug)]
pub(crate) enum ItemRead {
    Found {
        secret: SecretString,
        username: String,
    },
    NotFound,
}

/// Runs `f` on a worker thread and waits at most `timeout`; `None` on timeout (the worker is
/// abandoned: it holds nothing the process needs, and a wedged store must not hang us).
pub(crate) fn with_deadline<T: Send + 'static>(
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

/// Decodes a value as go-keyring stored it on macOS; other values pass through.
pub(crate) fn decode_go_keyring(stored: &[u8]) -> Result<Zeroizing<String>, &'static str> {
    use base64::Engine as _;
    const BASE64_PREFIX: &[u8] = b"go-keyring-base64:";
    const HEX_PREFIX: &[u8] = b"go-keyring-encoded:";
    let decoded;
    let bytes: &[u8] = if let Some(b64) = stored.strip_prefix(BASE64_PREFIX) {
        decoded = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim_ascii())
                .map_err(|_| "the go-keyring-base64 value is not valid base64")?,
        );
        &decoded
    } else if let Some(h) = stored.strip_prefix(HEX_PREFIX) {
        decoded = Zeroizing::new(
            hex::decode(h.trim_ascii())
                .map_err(|_| "the go-keyring-encoded value is not valid hex")?,
        );
        &decoded
    } else {
        stored
    };
    let text = std::str::from_utf8(bytes).map_err(|_| "the stored value is not UTF-8 text")?;
    Ok(Zeroizing::new(text.trim().to_owned()))
}

/// Reads gh's item `service` for each username in turn (first hit wins). Blocking.
pub(crate) fn read_gh_item(
    env: &Env,
    service: &str,
    usernames: &[String],
) -> Result<ItemRead, StoreFailure> {
    os::read_gh_item(env, service, usernames)
}

/// How the item for `username` is named in reports.
pub(crate) fn item_name(service: &str, username: &str) -> String {
    let user = if username.is_empty() {
        "\"\""
    } else {
        username
    };
    if cfg!(windows) {
        format!("{STORE_NAME} credential {service}:{username}")
    } else if cfg!(target_os = "macos") {
        format!("{STORE_NAME} item service={service} account={user}")
    } else {
        format!("{STORE_NAME} item service={service} username={user}")
    }
}

/// The usernames this OS can look up, in gh's order: the login, then `""` where the store
/// can address it (not on macOS).
pub(crate) fn usernames_for(login: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = login.map(str::to_owned).into_iter().collect();
    if !cfg!(target_os = "macos") {
        out.push(String::new());
    }
    out
}

#[cfg(target_os = "linux")]
mod os {
    //! Secret Service over D-Bus (`dbus-secret-service`, vendored libdbus).

    use std::collections::HashMap;

    use dbus_secret_service::{EncryptionType, Error, SecretService};
    use secrecy::SecretString;

    use super::{ItemRead, StoreFailure, decode_go_keyring};
    use crate::env::{Env, vars};

    /// The session bus address the environment selects, or why there is none. libdbus reads
    /// the process environment itself; this check lets us answer "no bus" at once without
    /// touching libdbus (which would try to autolaunch a bus).
    pub(crate) fn bus_address(env: &Env) -> Result<String, String> {
        if let Some(addr) = env
            .var(vars::DBUS_SESSION_BUS_ADDRESS)
            .filter(|a| !a.trim().is_empty())
        {
            return Ok(addr);
        }
        if let Some(run) = env.abs_path(vars::XDG_RUNTIME_DIR) {
            let socket = run.join("bus");
            if socket.exists() {
                return Ok(format!("unix:path={}", socket.display()));
            }
            return Err(format!(
                "DBUS_SESSION_BUS_ADDRESS is unset and {} does not exist",
                socket.display()
            ));
        }
        Err("DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are unset".to_owned())
    }

    pub(super) fn read_gh_item(
        env: &Env,
        service: &str,
        usernames: &[String],
    ) -> Result<ItemRead, StoreFailure> {
        bus_address(env).map_err(StoreFailure::NoBus)?;
        // Plain session, as go-keyring uses: the secret crosses the user's own session bus,
        // which only the user's processes (and root) can observe.
        let ss = SecretService::connect(EncryptionType::Plain).map_err(|e| classify(&e))?;
        let mut locked_user = None;
        for username in usernames {
            let attrs = HashMap::from([("service", service), ("username", username.as_str())]);
            let found = ss.search_items(attrs).map_err(|e| classify(&e))?;
            let Some(item) = found.unlocked.first() else {
                if !found.locked.is_empty() && locked_user.is_none() {
                    locked_user = Some(username.clone());
                }
                continue;
            };
            let bytes =
                secrecy::zeroize::Zeroizing::new(item.get_secret().map_err(|e| classify(&e))?);
            // Linux values are raw UTF-8; decoding also trims and rejects non-text.
            let text = decode_go_keyring(&bytes).map_err(|why| StoreFailure::Failed(why.into()))?;
            return Ok(ItemRead::Found {
                secret: SecretString::from(text.to_string()),
                username: username.clone(),
            });
        }
        match locked_user {
            Some(username) => Err(StoreFailure::Locked {
                username,
                message: "the collection holding it is locked (never unlocked here: that would \
                          prompt)"
                    .to_owned(),
            }),
            None => Ok(ItemRead::NotFound),
        }
    }

    /// Sorts a store error by its D-Bus error name; the store's own text is kept.
    fn classify(e: &Error) -> StoreFailure {
        let message = e.to_string();
        let Error::Dbus(d) = e else {
            return match e {
                Error::Locked | Error::Prompt => StoreFailure::Locked {
                    username: String::new(),
                    message,
                },
                Error::Unavailable => StoreFailure::NoService(message),
                _ => StoreFailure::Failed(message),
            };
        };
        match d.name().unwrap_or("") {
            "org.freedesktop.DBus.Error.ServiceUnknown"
            | "org.freedesktop.DBus.Error.NameHasNoOwner" => StoreFailure::NoService(message),
            "org.freedesktop.DBus.Error.NoReply"
            | "org.freedesktop.DBus.Error.Timeout"
            | "org.freedesktop.DBus.Error.TimedOut" => StoreFailure::TimedOut(message),
            "org.freedesktop.DBus.Error.Disconnected"
            | "org.freedesktop.DBus.Error.NoServer"
            | "org.freedesktop.DBus.Error.FileNotFound"
            | "org.freedesktop.DBus.Error.NotSupported"
            | "org.freedesktop.DBus.Error.Spawn.ExecFailed" => StoreFailure::NoBus(message),
            _ => StoreFailure::Failed(message),
        }
    }
}

#[cfg(any(target_os = "macos", windows))]
mod os {
    //! macOS Keychain and Windows Credential Manager through keyring-core stores.

    use std::sync::Arc;

    use keyring_core::{CredentialStore, Error};
    use secrecy::SecretString;

    use super::{ItemRead, StoreFailure, decode_go_keyring};
    use crate::env::Env;

    /// This OS's store (cheap to create: no connection is held).
    pub(crate) fn open() -> Result<Arc<CredentialStore>, StoreFailure> {
        #[cfg(target_os = "macos")]
        let store = apple_native_keyring_store::keychain::Store::new();
        #[cfg(windows)]
        let store = windows_native_keyring_store::Store::new();
        store
            .map(|s| s as Arc<CredentialStore>)
            .map_err(|e| classify(&e, ""))
    }

    /// gh's entry for `user` under `service`.
    fn gh_entry(
        store: &CredentialStore,
        service: &str,
        user: &str,
    ) -> keyring_core::Result<keyring_core::Entry> {
        if cfg!(windows) {
            // go-keyring (wincred) names the credential `<service>:<user>`.
            let target = format!("{service}:{user}");
            let mods = std::collections::HashMap::from([("target", target.as_str())]);
            store.build(service, user, Some(&mods))
        } else {
            store.build(service, user, None)
        }
    }

    pub(super) fn read_gh_item(
        _env: &Env,
        service: &str,
        usernames: &[String],
    ) -> Result<ItemRead, StoreFailure> {
        let store = open()?;
        for username in usernames {
            let entry = gh_entry(&store, service, username).map_err(|e| classify(&e, username))?;
            match entry.get_secret() {
                Ok(bytes) => {
                    let bytes = secrecy::zeroize::Zeroizing::new(bytes);
                    let text = decode_go_keyring(&bytes)
                        .map_err(|why| StoreFailure::Failed(why.to_owned()))?;
                    return Ok(ItemRead::Found {
                        secret: SecretString::from(text.to_string()),
                        username: username.clone(),
                    });
                }
                Err(Error::NoEntry) => continue,
                Err(e) => return Err(classify(&e, username)),
            }
        }
        Ok(ItemRead::NotFound)
    }

    pub(crate) fn classify(e: &Error, username: &str) -> StoreFailure {
        let message = crate::outcome::error_chain(e);
        match e {
            Error::NoStorageAccess(_) => StoreFailure::Locked {
                username: username.to_owned(),
                message,
            },
            _ => StoreFailure::Failed(message),
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
mod os {
    use super::{ItemRead, StoreFailure};
    use crate::env::Env;

    pub(super) fn read_gh_item(
        _env: &Env,
        _service: &str,
        _usernames: &[String],
    ) -> Result<ItemRead, StoreFailure> {
        Err(StoreFailure::Unsupported)
    }
}

#[cfg(any(target_os = "macos", windows))]
pub(crate) use os::{classify as classify_store_error, open as open_store};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_go_keyring_values() {
        // base64("gho_abc123") = "Z2hvX2FiYzEyMw=="
        assert_eq!(
            decode_go_keyring(b"go-keyring-base64:Z2hvX2FiYzEyMw==")
                .unwrap()
                .as_str(),
            "gho_abc123"
        );
        assert_eq!(
            decode_go_keyring(b"go-keyring-encoded:67686f5f78")
                .unwrap()
                .as_str(),
            "gho_x"
        );
        assert_eq!(
            decode_go_keyring(b"gho_plain\n").unwrap().as_str(),
            "gho_plain"
        );
        assert!(decode_go_keyring(b"go-keyring-base64:%%%").is_err());
        assert!(decode_go_keyring(b"go-keyring-encoded:zz").is_err());
        assert!(decode_go_keyring(&[0xff, 0xfe]).is_err());
    }

    #[test]
    fn usernames_follow_gh_and_the_platform() {
        let users = usernames_for(Some("alice"));
        if cfg!(target_os = "macos") {
            assert_eq!(users, ["alice"]);
        } else {
            assert_eq!(users, ["alice", ""]);
        }
        assert_eq!(usernames_for(None).is_empty(), cfg!(target_os = "macos"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn no_bus_without_touching_libdbus() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_vars([("XDG_RUNTIME_DIR", dir.path())]);
        let r = read_gh_item(&env, "gh:github.com", &["".to_owned()]);
        let Err(StoreFailure::NoBus(why)) = r else {
            panic!("{r:?}")
        };
        assert!(why.contains("does not exist"), "{why}");
        let r = read_gh_item(
            &Env::from_vars([("HOME", "/nowhere")]),
            "gh:github.com",
            &["".to_owned()],
        );
        assert!(matches!(r, Err(StoreFailure::NoBus(_))), "{r:?}");
    }
}
