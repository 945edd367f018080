//! The keyring provider against a real Secret Service (gnome-keyring) holding gh's items.
//!
//! Needs the private session that `scripts/keyring-it.sh` sets up, so it is `#[ignore]`d and
//! that script runs it with `--ignored` (it fails, never skips, without the session). One test
//! function, because the last steps lock the keyring and stop its daemon. Linux only.

#![cfg(target_os = "linux")]
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

/// The process environment plus `extra`.
fn env_with(extra: &[(&str, &std::ffi::OsStr)]) -> Env {
    let mut vars: HashMap<String, std::ffi::OsString> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v)))
        .collect();
    for (k, v) in extra {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    Env::from_vars(vars)
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
    use dbus_secret_service::{EncryptionType, SecretService};

    let ss = SecretService::connect(EncryptionType::Plain).unwrap();
    let collections = ss.get_all_collections().unwrap();
    assert!(!collections.is_empty(), "no collection to lock");
    for c in &collections {
        c.lock().unwrap();
    }
}

/// The process id of whoever owns `org.freedesktop.secrets` on the session bus (the
/// gnome-keyring-daemon this script's private session started).
fn secret_service_pid() -> u32 {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            "string:org.freedesktop.secrets",
        ])
        .output()
        .expect("dbus-send");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .last()
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {text}"))
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig} {pid}");
}

#[test]
#[ignore = "needs the private Secret Service session that scripts/keyring-it.sh sets up"]
fn resolver_reads_what_gh_stored() {
    let expected = std::env::var("SKILLRIG_KEYRING_IT_TOKEN")
        .expect("run through scripts/keyring-it.sh (SKILLRIG_KEYRING_IT_TOKEN is not set)");
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

    // 3. A host gh never logged in to (no such service in the store): a distinct "not
    //    found", in well under a second.
    let other = Host::parse("ghe.not-logged-in.example").unwrap();
    let keyring_only = Config::parse(
        "[default]\nproviders = [\"keyring\"]\n",
        Path::new("/it/hosts.toml"),
    )
    .unwrap();
    // Named for tokens (else no provider would be asked at all).
    let trusting = Resolver::new(
        env_with(&[("SKILLRIG_TRUSTED_HOSTS", other.as_str().as_ref())]),
        keyring_only,
    )
    .without_shared_cache();
    let start = Instant::now();
    let res = trusting.resolve_all(&other);
    let took = start.elapsed();
    eprintln!("absent service answered in {took:?}");
    assert_eq!(
        res.attempts()[0].outcome.code(),
        Some("not-found"),
        "{:?}",
        res.attempts()[0]
    );
    assert!(took < Duration::from_secs(1), "took {took:?}");

    // 4. Without hosts.yml's `user`, the "" item is used (older gh layouts).
    let no_user = tempfile::tempdir().unwrap();
    let mut vars: HashMap<String, std::ffi::OsString> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v)))
        .collect();
    vars.insert("GH_CONFIG_DIR".into(), no_user.path().into());
    // gh's login no longer names the host, so name it for tokens explicitly.
    vars.insert("SKILLRIG_TRUSTED_HOSTS".into(), host_name.clone().into());
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
    assert!(
        e.to_string().starts_with(&format!(
            "Secret Service item service=gh:{host} username={login} exists but the keyring is locked: "
        )),
        "{e}"
    );

    // 6. A wedged store (the daemon stopped, as a debugger or a frozen session would leave
    //    it): the lookup gives up within the keyring timeout and the chain goes on.
    let pid = secret_service_pid();
    signal(pid, "-STOP");
    let start = Instant::now();
    let res = resolver("\"keyring\"").resolve_all(&host);
    let took = start.elapsed();
    signal(pid, "-CONT");
    eprintln!(
        "wedged store answered after {took:?}: {}",
        res.attempts()[0].outcome.summary()
    );
    assert_eq!(res.attempts()[0].outcome.code(), Some("timed-out"));
    assert!(took < Duration::from_millis(3500), "took {took:?}");
}
