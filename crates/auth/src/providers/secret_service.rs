//! Reading gh's item from the freedesktop Secret Service (gnome-keyring, KeePassXC, …) over
//! the D-Bus session bus.
//!
//! gh (through go-keyring) stores each token as an item with exactly two attributes,
//! `service=gh:<host>` and `username=<login>` (plus a copy under `username=""`), as raw UTF-8.
//! We search for those attributes across all collections, take the first unlocked hit and read
//! it over a "plain" session: the secret crosses the user's own session bus unencrypted, which
//! is what go-keyring does too; anyone able to snoop that bus already runs as the user.
//!
//! Only four calls are needed (`SearchItems`, `OpenSession`, `GetSecret`, `Session.Close`), so
//! this talks to libdbus directly instead of pulling a keyring abstraction: it keeps the D-Bus
//! error names, which is what lets `doctor` tell "no bus" from "no Secret Service" from
//! "locked" from "not found". We never unlock anything (that would pop up a prompt).
//!
//! The bus address comes from the injected environment: `DBUS_SESSION_BUS_ADDRESS`, else
//! `$XDG_RUNTIME_DIR/bus` when that socket exists. With neither we return at once without
//! touching libdbus (which would try to autolaunch a bus).

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use dbus::Path as ObjectPath;
use dbus::arg::{RefArg, Variant};
use dbus::blocking::Connection;
use secrecy::SecretString;
use secrecy::zeroize::Zeroizing;

use crate::env::{Env, vars};

const DEST: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE_IFACE: &str = "org.freedesktop.Secret.Service";
const ITEM_IFACE: &str = "org.freedesktop.Secret.Item";
const SESSION_IFACE: &str = "org.freedesktop.Secret.Session";

/// The Secret Service `Secret` struct: session, parameters, value, content type.
type Secret = (ObjectPath<'static>, Vec<u8>, Vec<u8>, String);

/// The result of one lookup, kept distinct for `doctor`.
#[derive(Debug)]
pub(crate) enum SsResult {
    /// The secret of the first matching unlocked item, and the username it was stored under.
    Found {
        secret: SecretString,
        username: String,
    },
    /// No session bus to connect to.
    NoBus(String),
    /// A bus, but nobody owns `org.freedesktop.secrets`.
    NoService(String),
    /// The Secret Service has no matching item.
    NotFound,
    /// A matching item exists but only in a locked collection.
    Locked { username: String },
    /// The service did not reply in time.
    TimedOut,
    /// Any other D-Bus failure.
    Failed(String),
}

/// The session bus address the environment selects, or why there is none.
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
            return Ok(format!("unix:path={}", escape_address_value(&socket)));
        }
        return Err(format!(
            "DBUS_SESSION_BUS_ADDRESS is unset and {} does not exist",
            socket.display()
        ));
    }
    Err("DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are unset".to_owned())
}

/// D-Bus address values escape every byte outside `[-0-9A-Za-z_/.\*]` as `%XX`.
fn escape_address_value(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_/.\\*".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

/// Looks up `service` for each username in turn (first hit wins). Blocking; the caller runs
/// it on a worker thread with its own deadline, because a hung daemon can block libdbus
/// beyond `call_timeout` (e.g. a socket that accepts but never answers the handshake).
pub(crate) fn lookup(
    env: &Env,
    service: &str,
    usernames: &[String],
    call_timeout: Duration,
) -> SsResult {
    let address = match bus_address(env) {
        Ok(a) => a,
        Err(why) => return SsResult::NoBus(why),
    };
    let conn = match Connection::new_address(&address) {
        Ok(c) => c,
        Err(e) => {
            return SsResult::NoBus(format!(
                "cannot connect to the session bus: {}",
                describe(&e)
            ));
        }
    };
    let secrets = conn.with_proxy(DEST, SERVICE_PATH, call_timeout);
    let mut locked_user = None;
    for username in usernames {
        let attrs: HashMap<&str, &str> =
            HashMap::from([("service", service), ("username", username.as_str())]);
        let found: Result<(Vec<ObjectPath<'static>>, Vec<ObjectPath<'static>>), _> =
            secrets.method_call(SERVICE_IFACE, "SearchItems", (attrs,));
        let (unlocked, locked) = match found {
            Ok(v) => v,
            Err(e) => return classify(&e),
        };
        let Some(item) = unlocked.into_iter().next() else {
            if !locked.is_empty() && locked_user.is_none() {
                locked_user = Some(username.clone());
            }
            continue;
        };
        return match read_secret(&conn, &item, call_timeout) {
            Ok(secret) => SsResult::Found {
                secret,
                username: username.clone(),
            },
            Err(e) => e,
        };
    }
    match locked_user {
        Some(username) => SsResult::Locked { username },
        None => SsResult::NotFound,
    }
}

fn read_secret(
    conn: &Connection,
    item: &ObjectPath<'static>,
    timeout: Duration,
) -> Result<SecretString, SsResult> {
    let secrets = conn.with_proxy(DEST, SERVICE_PATH, timeout);
    let (_, session): (Variant<Box<dyn RefArg>>, ObjectPath<'static>) = secrets
        .method_call(SERVICE_IFACE, "OpenSession", ("plain", Variant("")))
        .map_err(|e| classify(&e))?;
    let got: Result<(Secret,), _> = conn.with_proxy(DEST, item.clone(), timeout).method_call(
        ITEM_IFACE,
        "GetSecret",
        (session.clone(),),
    );
    // Close the session whatever happened; a failure to close is harmless.
    let _: Result<(), _> =
        conn.with_proxy(DEST, session, timeout)
            .method_call(SESSION_IFACE, "Close", ());
    let ((_, _, value, _),) = got.map_err(|e| classify(&e))?;
    let value = Zeroizing::new(value);
    let text = std::str::from_utf8(&value)
        .map_err(|_| SsResult::Failed("gh's item does not hold UTF-8 text".to_owned()))?;
    Ok(SecretString::from(text.trim().to_owned()))
}

fn describe(e: &dbus::Error) -> String {
    match (e.name(), e.message()) {
        (Some(n), Some(m)) => format!("{n}: {m}"),
        (Some(n), None) => n.to_owned(),
        (None, Some(m)) => m.to_owned(),
        (None, None) => "unknown D-Bus error".to_owned(),
    }
}

fn classify(e: &dbus::Error) -> SsResult {
    match e.name().unwrap_or("") {
        "org.freedesktop.DBus.Error.ServiceUnknown"
        | "org.freedesktop.DBus.Error.NameHasNoOwner" => SsResult::NoService(describe(e)),
        "org.freedesktop.DBus.Error.NoReply"
        | "org.freedesktop.DBus.Error.Timeout"
        | "org.freedesktop.DBus.Error.TimedOut" => SsResult::TimedOut,
        "org.freedesktop.DBus.Error.Disconnected" | "org.freedesktop.DBus.Error.NoServer" => {
            SsResult::NoBus(describe(e))
        }
        _ => SsResult::Failed(describe(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_bus_without_touching_libdbus() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_vars([("XDG_RUNTIME_DIR", dir.path())]);
        let r = lookup(
            &env,
            "gh:github.com",
            &["".to_owned()],
            Duration::from_secs(1),
        );
        let SsResult::NoBus(why) = r else {
            panic!("{r:?}")
        };
        assert!(why.contains("does not exist"), "{why}");
        let r = lookup(
            &Env::from_vars([("HOME", "/nowhere")]),
            "gh:github.com",
            &["".to_owned()],
            Duration::from_secs(1),
        );
        assert!(matches!(r, SsResult::NoBus(_)), "{r:?}");
    }

    #[test]
    fn a_missing_socket_is_no_bus() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_vars([(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", dir.path().join("gone").display()),
        )]);
        let r = lookup(
            &env,
            "gh:github.com",
            &["".to_owned()],
            Duration::from_secs(1),
        );
        assert!(matches!(r, SsResult::NoBus(_)), "{r:?}");
    }

    #[test]
    fn address_escaping() {
        assert_eq!(
            escape_address_value(Path::new("/run/user/1000/bus")),
            "/run/user/1000/bus"
        );
        assert_eq!(
            escape_address_value(Path::new("/tmp/a b,c=d")),
            "/tmp/a%20b%2cc%3dd"
        );
    }
}
