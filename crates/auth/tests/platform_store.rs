//! The keyring provider against the real macOS Keychain and Windows Credential Manager,
//! holding items laid out exactly as gh (go-keyring) writes them.
//!
//! These tests exist only on their OS (`cfg`), are named `macos_*` / `windows_*`, and the CI
//! workflow (`.github/workflows/ci.yml`) runs this file explicitly on macOS and Windows and
//! fails if no test ran there. They cannot run on Linux (this project's development machine).

#![cfg(any(target_os = "macos", windows))]
#![allow(clippy::print_stderr)]

use std::path::Path;

use auth::{Config, Env, ProviderKind, Resolver};
use origin_meta::Host;

const LOGIN: &str = "skillrig-ci";

fn unique_host(tag: &str) -> Host {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    Host::parse(&format!(
        "{tag}-{}-{nanos}.platform.example",
        std::process::id()
    ))
    .unwrap()
}

/// A resolver with only the keyring provider, gh's hosts.yml naming `LOGIN` for `host`.
fn keyring_resolver(gh_dir: &Path, host: &Host) -> Resolver {
    std::fs::write(
        gh_dir.join("hosts.yml"),
        format!("{host}:\n    users:\n        {LOGIN}:\n    user: {LOGIN}\n"),
    )
    .unwrap();
    let mut vars: Vec<(String, std::ffi::OsString)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v)))
        .collect();
    vars.push(("GH_CONFIG_DIR".into(), gh_dir.as_os_str().to_owned()));
    vars.push(("SKILLRIG_TRUSTED_HOSTS".into(), host.as_str().into()));
    let config = Config::parse(
        "[default]\nproviders = [\"keyring\"]\n",
        Path::new("platform.toml"),
    )
    .unwrap();
    Resolver::new(Env::from_vars(vars), config).without_shared_cache()
}

#[cfg(target_os = "macos")]
#[test]
fn macos_keychain_item_written_like_go_keyring_is_found_and_decoded() {
    use std::process::Command;
    let host = unique_host("macos");
    let service = format!("gh:{host}");
    let token = "gho_macosKeychainTest0001";
    // go-keyring stores base64 with its prefix. `-A` lets any application read this test
    // item without a dialog (CI has no one to click it); gh's real items trust only
    // /usr/bin/security, see docs/auth.md.
    let value = "go-keyring-base64:Z2hvX21hY29zS2V5Y2hhaW5UZXN0MDAwMQ==";
    let ok = Command::new("/usr/bin/security")
        .args([
            "add-generic-password",
            "-U",
            "-A",
            "-s",
            &service,
            "-a",
            LOGIN,
            "-w",
            value,
        ])
        .status()
        .unwrap()
        .success();
    assert!(ok, "security add-generic-password");
    let dir = tempfile::tempdir().unwrap();
    let resolved = keyring_resolver(dir.path(), &host).resolve(&host);
    let _ = Command::new("/usr/bin/security")
        .args(["delete-generic-password", "-s", &service, "-a", LOGIN])
        .status();
    let t = resolved.unwrap();
    assert_eq!(t.expose_secret(), token);
    assert_eq!(t.source().provider(), ProviderKind::Keyring);
    assert_eq!(
        t.source().detail(),
        format!("Keychain item service={service} account={LOGIN}")
    );
}

#[cfg(target_os = "macos")]
#[test]
fn macos_a_missing_item_is_not_found() {
    let host = unique_host("macos-missing");
    let dir = tempfile::tempdir().unwrap();
    let res = keyring_resolver(dir.path(), &host).resolve_all(&host);
    assert_eq!(res.attempts()[0].outcome.code(), Some("not-found"));
}

#[cfg(windows)]
#[test]
fn windows_credential_written_like_go_keyring_is_found() {
    use keyring_core::api::CredentialStoreApi as _;
    use std::collections::HashMap;
    let host = unique_host("windows");
    let service = format!("gh:{host}");
    let token = "gho_windowsCredTest0001";
    // wincred target `<service>:<user>`, raw UTF-8 blob; session persistence leaves nothing
    // behind after the CI logon session.
    let store = windows_native_keyring_store::Store::new().unwrap();
    for user in [LOGIN, ""] {
        let target = format!("{service}:{user}");
        let mods = HashMap::from([("target", target.as_str()), ("persistence", "Session")]);
        let entry = store.build(&service, user, Some(&mods)).unwrap();
        entry.set_secret(token.as_bytes()).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let resolved = keyring_resolver(dir.path(), &host).resolve(&host);
    for user in [LOGIN, ""] {
        let target = format!("{service}:{user}");
        let mods = HashMap::from([("target", target.as_str())]);
        let _ = store
            .build(&service, user, Some(&mods))
            .unwrap()
            .delete_credential();
    }
    let t = resolved.unwrap();
    assert_eq!(t.expose_secret(), token);
    assert_eq!(
        t.source().detail(),
        format!("Credential Manager credential {service}:{LOGIN}")
    );
}

#[cfg(windows)]
#[test]
fn windows_a_missing_credential_is_not_found() {
    let host = unique_host("windows-missing");
    let dir = tempfile::tempdir().unwrap();
    let res = keyring_resolver(dir.path(), &host).resolve_all(&host);
    assert_eq!(res.attempts()[0].outcome.code(), Some("not-found"));
}
