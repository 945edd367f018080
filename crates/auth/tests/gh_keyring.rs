//! The keyring provider against a real Secret Service (gnome-keyring) holding gh's items.
//!
//! Needs the private session that `scripts/keyring-it.sh` sets up; skipped unless
//! `SKILLRIG_KEYRING_IT_TOKEN` is set. One test function, because the last step locks the
//! keyring.

// Tests report what they measured and why they skip.
#![allow(clippy::print_stderr)]

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use auth::{Config, Env, Outcome, ProviderKind, Resolver};
use origin_meta::Host;

fn resolver(providers: &str) -> Resolver {
    let config = Config::parse(
        &format!("[default]\nproviders = [{providers}]\n"),
        Path::new("/it/hosts.toml"),
    )
    .unwrap();
    Resolver::new(Env::process(), config).without_shared_cache()
}

fn gh_auth_token(host: &str) -> String {
    let out = Command::new("gh")
        .args(["auth", "token", "--hostname", host])
        .env("GH_PROMPT_DISABLED", "1")
        .env("GH_NO_UPDATE_NOTIFIER", "1")
        .stdin(Stdio::null())
        .output()
        .expect("gh is on PATH");
    assert!(
        out.status.success(),
        "gh auth token: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Locks every collection, as a screen lock would (no prompt needed to lock).
fn lock_all_collections() {
    use dbus::blocking::Connection;
    use dbus::blocking::stdintf::org_freedesktop_dbus::Properties;

    let conn = Connection::new_session().unwrap();
    let proxy = conn.with_proxy(
        "org.freedesktop.secrets",
        "/org/freedesktop/secrets",
        Duration::from_secs(5),
    );
    let collections: Vec<dbus::Path<'static>> = proxy
        .get("org.freedesktop.Secret.Service", "Collections")
        .unwrap();
    let (locked, _prompt): (Vec<dbus::Path<'static>>, dbus::Path<'static>) = proxy
        .method_call("org.freedesktop.Secret.Service", "Lock", (collections,))
        .unwrap();
    assert!(!locked.is_empty(), "nothing was locked");
}

#[test]
fn resolver_reads_what_gh_stored() {
    let Ok(expected) = std::env::var("SKILLRIG_KEYRING_IT_TOKEN") else {
        eprintln!("SKIPPED: run scripts/keyring-it.sh (SKILLRIG_KEYRING_IT_TOKEN is not set)");
        return;
    };
    let host_name =
        std::env::var("SKILLRIG_KEYRING_IT_HOST").unwrap_or_else(|_| "github.localhost".into());
    let login = std::env::var("SKILLRIG_KEYRING_IT_LOGIN").unwrap_or_else(|_| "alice".into());
    let host = Host::parse(&host_name).unwrap();

    // 1. The keyring provider alone finds gh's login item.
    let start = Instant::now();
    let token = resolver("\"keyring\"").resolve(&host).unwrap();
    eprintln!("keyring lookup took {:?}", start.elapsed());
    assert_eq!(token.expose_secret(), expected);
    assert_eq!(token.source().provider(), ProviderKind::Keyring);
    assert_eq!(
        token.source().detail(),
        format!("Secret Service item service=gh:{host} username={login}")
    );

    // 2. Exactly what gh itself returns — directly, and through the gh provider.
    assert_eq!(token.expose_secret(), gh_auth_token(&host_name));
    let via_gh = resolver("\"gh\"").resolve(&host).unwrap();
    assert_eq!(via_gh.expose_secret(), expected);
    assert_eq!(via_gh.source().provider(), ProviderKind::Gh);

    // 3. A host gh never logged in to: a distinct "not found".
    let other = Host::parse("ghe.not-logged-in.example").unwrap();
    let res = resolver("\"keyring\"").resolve_all(&other);
    assert_eq!(
        res.attempts()[0].outcome.code(),
        Some("not-found"),
        "{:?}",
        res.attempts()[0]
    );

    // 4. Without hosts.yml's `user`, the "" item is used (older gh layouts).
    let no_user = tempfile::tempdir().unwrap();
    let mut vars: HashMap<String, std::ffi::OsString> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v)))
        .collect();
    vars.insert("GH_CONFIG_DIR".into(), no_user.path().into());
    let config = Config::parse(
        "[default]\nproviders = [\"keyring\"]\n",
        Path::new("/it/hosts.toml"),
    )
    .unwrap();
    let token = Resolver::new(Env::from_vars(vars), config)
        .without_shared_cache()
        .resolve(&host)
        .unwrap();
    assert_eq!(token.expose_secret(), expected);
    assert_eq!(
        token.source().detail(),
        format!("Secret Service item service=gh:{host} username=\"\"")
    );

    // 5. A locked keyring is reported as such (never unlocked, never prompted), and the chain
    //    goes on.
    lock_all_collections();
    let res = resolver("\"keyring\"").resolve_all(&host);
    let Outcome::Failed(e) = &res.attempts()[0].outcome else {
        panic!("{:?}", res.attempts()[0])
    };
    assert_eq!(e.code(), "locked");
    assert_eq!(
        e.to_string(),
        format!(
            "Secret Service item service=gh:{host} username={login} exists but the keyring is locked"
        )
    );
}
