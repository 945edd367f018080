//! A sentinel token must never appear in a child's argv (`/proc/*/cmdline`), in logs at trace
//! level, in error output, in doctor output, or in any file the resolver leaves behind.
//!
//! Its own test binary because it installs a global trace-level subscriber that captures
//! every log line (worker threads included).

// Reads every process's argv from /proc: Linux only.
#![cfg(target_os = "linux")]
// Tests report what they measured and why they skip.
#![allow(clippy::print_stderr)]

use hint::Hint as _;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use auth::doctor;
use auth::{Config, Env, Resolver};
use origin_meta::Host;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Every file under `dir` except the ones the test itself wrote the sentinel into.
fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn the_sentinel_never_leaks() {
    let capture = Capture::default();
    let sink = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let sentinel = format!("ghp_SENTINEL{}x{nanos}", std::process::id());
    let root = tempfile::tempdir().unwrap();
    let (secrets, home, bin, dumps) = (
        root.path().join("secrets"),
        root.path().join("home"),
        root.path().join("bin"),
        root.path().join("dumps"),
    );
    for d in [&secrets, &home, &bin, &dumps, &home.join("run")] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(secrets.join("token"), &sentinel).unwrap();

    // Every helper snapshots the command lines of all processes on the machine while it runs
    // (the resolver process holding the sentinel among them), then does its job.
    let dump = format!(
        "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < \"$f\" 2>/dev/null; echo; done > \"{d}/dump-$$\"",
        d = dumps.display()
    );
    let host_a = Host::parse(&format!("sentinel-a-{nanos}.example")).unwrap();
    let host_b = Host::parse(&format!("sentinel-b-{nanos}.example")).unwrap();
    // gh knows host A (it prints the sentinel), and nothing else.
    script(
        &bin.join("gh"),
        &format!(
            "{dump}\nif [ \"$4\" = '{a}' ]; then cat '{s}/token'; exit 0; fi\necho \"no oauth token found for $4\" >&2; exit 1",
            a = host_a,
            s = secrets.display()
        ),
    );
    // Host B's credential command fails after looking around.
    let config_text = format!(
        "[hosts.\"{host_b}\"]\ncredential_command = '''{dump}; echo \"vault: access denied for $(cat '{s}/token')\" >&2; exit 3'''\n",
        s = secrets.display()
    );
    let config_path = home.join("hosts.toml");
    std::fs::write(&config_path, &config_text).unwrap();
    let env = Env::from_vars([
        ("PATH", format!("{}:/usr/bin:/bin", bin.display())),
        ("HOME", home.display().to_string()),
        ("XDG_RUNTIME_DIR", home.join("run").display().to_string()),
        // Set for github.com only: must never reach the Enterprise hosts nor any output.
        ("GH_TOKEN", sentinel.clone()),
        ("SKILLRIG_CONFIG", config_path.display().to_string()),
        ("SKILLRIG_TRUSTED_HOSTS", format!("{host_a}")),
    ]);
    let resolver = Resolver::new(
        env.clone(),
        Config::parse(&config_text, &config_path).unwrap(),
    );

    let mut outputs = Vec::new();
    // A: found through gh (and stored in the cross-process cache when available).
    let token = resolver.resolve(&host_a).unwrap();
    assert_eq!(token.expose_secret(), sentinel);
    assert_eq!(token.host(), &host_a);
    outputs.push(format!("{token:?}"));
    outputs.push(format!("{:?}", resolver.resolution(&host_a)));
    // B: nothing found, after a failing command and a gh that does not know it.
    let err = resolver.resolve(&host_b).unwrap_err();
    outputs.push(err.to_string());
    outputs.extend(err.hints());
    outputs.push(format!("{err:?}"));
    // github.com: the env token, and a full doctor report of every provider.
    assert_eq!(
        resolver
            .resolve(&Host::github_com())
            .unwrap()
            .expose_secret(),
        sentinel
    );
    for host in [&host_a, &host_b, &Host::github_com()] {
        let all = resolver.resolve_all(host);
        outputs.push(doctor::render_text(&all));
        outputs.push(doctor::to_json(&all).to_string());
        outputs.extend(doctor::warnings(&all).into_iter().map(|w| match w {
            doctor::Warning::ProviderFailed(m) | doctor::Warning::WrongHostVariable(m) => m,
        }));
    }
    // A second resolver (as another process would) reads A from the cache.
    let again = Resolver::new(env, Config::parse(&config_text, &config_path).unwrap());
    assert_eq!(again.resolve(&host_a).unwrap().expose_secret(), sentinel);
    resolver.invalidate(&host_a);

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("token found"),
        "trace logging was not captured:\n{logs}"
    );
    assert!(
        !logs.contains(&sentinel),
        "the token appears in the logs:\n{logs}"
    );
    for out in &outputs {
        assert!(
            !out.contains(&sentinel),
            "the token appears in output:\n{out}"
        );
    }
    assert!(
        outputs.iter().any(|o| o.contains("vault: access denied")),
        "{outputs:?}"
    );

    let mut dumped = Vec::new();
    files(&dumps, &mut dumped);
    assert!(dumped.len() >= 3, "the helpers ran: {dumped:?}");
    for f in &dumped {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(
            text.contains("sentinel-"),
            "the dump saw the helpers' own argv: {text}"
        );
        assert!(
            !text.contains(&sentinel),
            "the token appears in a process's argv:\n{text}"
        );
    }
    let mut left = Vec::new();
    files(&home, &mut left);
    for f in &left {
        let bytes = std::fs::read(f).unwrap();
        assert!(
            !bytes
                .windows(sentinel.len())
                .any(|w| w == sentinel.as_bytes()),
            "the token was written to {}",
            f.display()
        );
    }
    eprintln!(
        "checked {} log bytes, {} outputs, {} argv snapshots, {} files",
        logs.len(),
        outputs.len(),
        dumped.len(),
        left.len()
    );
}
