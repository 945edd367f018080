//! The keyring provider when there is no Secret Service: it must give up at once, with a
//! result `doctor` can tell apart, and the chain must go on.
//!
//! Elapsed times are printed, not asserted (behaviour, not timing, is the contract here).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use auth::{Config, Env, Outcome, ProviderKind, Resolver};
use origin_meta::Host;

use crate::support::require;

fn resolver(env: Env) -> Resolver {
    let config = Config::parse(
        "[default]\nproviders = [\"keyring\", \"env\"]\n",
        Path::new("/it/hosts.toml"),
    )
    .unwrap();
    Resolver::new(env, config).without_shared_cache()
}

fn keyring_code(resolver: &Resolver) -> (String, Option<String>) {
    let start = Instant::now();
    let res = resolver.resolve_all(&Host::github_com());
    let elapsed = start.elapsed();
    let keyring = &res.attempts()[0];
    assert_eq!(keyring.provider, ProviderKind::Keyring);
    eprintln!(
        "keyring lookup: {:?} after {elapsed:?}: {}",
        keyring.outcome.code(),
        keyring.outcome.summary()
    );
    // The chain went on to the next provider.
    let winner = res.winner().map(|a| a.provider);
    assert_eq!(winner, Some(ProviderKind::Env));
    (
        keyring.outcome.code().unwrap_or("").to_owned(),
        res.token().map(|t| t.source().detail().to_owned()),
    )
}

#[test]
fn no_session_bus_falls_through() {
    let dir = tempfile::tempdir().unwrap();
    let env = Env::from_vars([
        ("XDG_RUNTIME_DIR", dir.path().as_os_str()),
        ("HOME", dir.path().as_os_str()),
        ("GH_TOKEN", "ghp_after_the_keyring_01".as_ref()),
    ]);
    let (code, source) = keyring_code(&resolver(env));
    assert_eq!(code, "no-bus");
    assert_eq!(source.as_deref(), Some("GH_TOKEN"));
}

/// A private dbus-daemon with no service directories: a bus on which nobody provides
/// `org.freedesktop.secrets` and nothing can be activated.
struct PrivateBus {
    child: Child,
    address: String,
}

impl PrivateBus {
    fn start(dir: &Path) -> Option<PrivateBus> {
        let config = dir.join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.display()
            ),
        )
        .unwrap();
        let mut child = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        // The daemon prints its address once it listens.
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .ok()?;
        Some(PrivateBus {
            child,
            address: line.trim().to_owned(),
        })
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_bus_without_secret_service_falls_through() {
    let dir = tempfile::tempdir().unwrap();
    let Some(bus) = PrivateBus::start(dir.path()) else {
        require(false, "dbus-daemon (Debian package `dbus`)");
        return;
    };
    let env = Env::from_vars([
        ("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str()),
        ("HOME", dir.path().to_str().unwrap()),
        ("GH_TOKEN", "ghp_after_the_keyring_02"),
    ]);
    let (code, _) = keyring_code(&resolver(env));
    assert_eq!(code, "no-secret-service");
}

#[test]
fn the_resolution_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let env = Env::from_vars([("XDG_RUNTIME_DIR", dir.path()), ("HOME", dir.path())]);
    let res = resolver(env).resolve_all(&Host::github_com());
    let Outcome::Miss(miss) = &res.attempts()[0].outcome else {
        panic!("{:?}", res.attempts()[0].outcome)
    };
    assert!(
        miss.detail
            .starts_with("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset and "),
        "{}",
        miss.detail
    );
}
