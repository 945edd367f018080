//! The keyring provider when there is no Secret Service: it must give up at once, with a
//! result `doctor` can tell apart, and the chain must go on; and when the bus never answers,
//! it must give up at the keyring timeout.
//!
//! libdbus reads `DBUS_SESSION_BUS_ADDRESS` from the process environment, so the cases with a
//! bus run the probe binary as a child with that variable set.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

const PROBE: &str = env!("CARGO_BIN_EXE_auth-resolve-probe");

/// Runs the probe's `--all` for github.com on `bus_address`; returns the keyring line's code,
/// the winner's provider, and how long the whole resolution took.
fn probe_on_bus(dir: &Path, bus_address: &str, timeout_ms: u64) -> (String, String, Duration) {
    let config = dir.join("hosts.toml");
    std::fs::write(&config, "[default]\nproviders = [\"keyring\", \"env\"]\n").unwrap();
    let out = Command::new(PROBE)
        .args([
            "--keyring-timeout-ms",
            &timeout_ms.to_string(),
            "--all",
            "github.com",
        ])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir)
        .env("SKILLRIG_CONFIG", &config)
        .env("SKILLRIG_SYSTEM_CONFIG", "")
        .env("DBUS_SESSION_BUS_ADDRESS", bus_address)
        .env("GH_TOKEN", "ghp_after_the_keyring_02")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Vec<&str>> = stdout.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(lines[0][0], "keyring");
    assert_eq!(
        lines[1][..2],
        ["env", "found"],
        "the chain went on: {stdout}"
    );
    let ms: u64 = lines[0][3].parse().unwrap();
    (
        lines[0][2].to_owned(),
        lines[1][0].to_owned(),
        Duration::from_millis(ms),
    )
}

#[test]
fn a_bus_without_secret_service_falls_through_in_under_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let Some(bus) = PrivateBus::start(dir.path()) else {
        require(false, "dbus-daemon (Debian package `dbus`)");
        return;
    };
    let (code, _, took) = probe_on_bus(dir.path(), &bus.address, 3000);
    assert_eq!(code, "no-secret-service");
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

#[test]
fn a_missing_bus_socket_is_no_bus() {
    let dir = tempfile::tempdir().unwrap();
    let address = format!("unix:path={}", dir.path().join("gone").display());
    let (code, _, took) = probe_on_bus(dir.path(), &address, 3000);
    assert_eq!(code, "no-bus");
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

#[test]
fn a_bus_that_never_answers_times_out() {
    // A socket that accepts connections but never speaks: libdbus blocks in the handshake,
    // beyond its own call timeout; the worker is abandoned at the keyring timeout.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("silent");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let (code, _, took) = probe_on_bus(dir.path(), &format!("unix:path={}", path.display()), 700);
    assert_eq!(code, "timed-out");
    assert!(
        took >= Duration::from_millis(700) && took < Duration::from_millis(2500),
        "took {took:?}"
    );
    drop(listener);
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
