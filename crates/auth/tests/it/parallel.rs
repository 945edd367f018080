//! Five processes resolving the same host at once run a slow credential command once, through
//! this OS's cross-process store (Linux: the kernel keyring; macOS: the Keychain; Windows:
//! Credential Manager). Runs on all three in CI; every store access goes through the probe
//! binary, so on macOS each Keychain item is read by the binary that wrote it.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{require, unique_host};

const PROBE: &str = env!("CARGO_BIN_EXE_auth-resolve-probe");

/// Starts `n` probe processes at once with `args` and returns their outputs.
fn run_parallel(n: usize, dir: &Path, config: &Path, args: &[&str]) -> Vec<std::process::Output> {
    let children: Vec<_> = (0..n)
        .map(|_| {
            let mut cmd = Command::new(PROBE);
            cmd.args(args)
                .env_clear()
                .env("HOME", dir)
                .env("XDG_RUNTIME_DIR", dir.join("run"))
                .env("SKILLRIG_CONFIG", config)
                .env("SKILLRIG_SYSTEM_CONFIG", "")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            // The command needs a shell and its tools; Windows also needs its system variables.
            for var in [
                "PATH",
                "SystemRoot",
                "ComSpec",
                "PATHEXT",
                "LOCALAPPDATA",
                "USERPROFILE",
            ] {
                if let Some(v) = std::env::var_os(var) {
                    cmd.env(var, v);
                }
            }
            cmd.spawn().unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

/// A slow command (so the five processes overlap and four wait on the lock) that counts its
/// runs, in this OS's shell.
fn slow_command(dir: &Path) -> String {
    if cfg!(windows) {
        format!(
            "echo run>>\"{d}\\runs\" & ping -n 2 127.0.0.1 >nul & type \"{d}\\token\"",
            d = dir.display()
        )
    } else {
        format!(
            "echo run >> '{d}/runs'; sleep 1; cat '{d}/token'",
            d = dir.display()
        )
    }
}

fn setup(dir: &Path, host: &str, cache_ttl: u32) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("run")).unwrap();
    std::fs::write(dir.join("token"), "ghp_parallel_token_0000001\n").unwrap();
    let config = dir.join("hosts.toml");
    std::fs::write(
        &config,
        format!(
            "[hosts.\"{host}\"]\nproviders = [\"credential_command\"]\ncredential_command = '''{}'''\ncache_ttl = {cache_ttl}\n",
            slow_command(dir)
        ),
    )
    .unwrap();
    config
}

fn runs(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("runs"))
        .unwrap_or_default()
        .lines()
        .count()
}

/// Which cross-process store the probe finds in the environment `run_parallel` gives it.
fn store(dir: &Path, config: &Path) -> String {
    let out = run_parallel(1, dir, config, &["--store"]);
    String::from_utf8_lossy(&out[0].stdout).trim().to_owned()
}

#[test]
fn five_parallel_processes_run_the_command_once() {
    let dir = tempfile::tempdir().unwrap();
    let host = unique_host("parallel");
    let config = setup(dir.path(), host.as_str(), 300);
    // Whether the machine offers a store is decided before the behaviour under test runs, so a
    // broken cache fails below instead of reading as a missing store.
    if !require(
        store(dir.path(), &config) != "none",
        "a cross-process store (Linux: keyctl not blocked by seccomp)",
    ) {
        return;
    }

    let outputs = run_parallel(5, dir.path(), &config, &[host.as_str()]);
    let mut fresh = 0;
    for out in &outputs {
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let fields: Vec<&str> = stdout.split_whitespace().collect();
        assert_eq!(
            fields[..2],
            [host.as_str(), "credential_command"],
            "{stdout}"
        );
        if fields[2] == "fresh" {
            fresh += 1;
        }
    }
    assert_eq!(
        runs(dir.path()),
        1,
        "the command ran once for five processes"
    );
    assert_eq!(
        fresh, 1,
        "exactly one process ran the command, the others read the cache"
    );

    // A sixth process, later, is served from the cache too.
    let later = run_parallel(1, dir.path(), &config, &[host.as_str()]);
    assert!(
        String::from_utf8_lossy(&later[0].stdout)
            .trim_end()
            .ends_with("credential_command cached")
    );
    assert_eq!(runs(dir.path()), 1);

    // After invalidation (a 401), the next process runs the command again.
    run_parallel(1, dir.path(), &config, &["--invalidate", host.as_str()]);
    run_parallel(1, dir.path(), &config, &[host.as_str()]);
    assert_eq!(runs(dir.path()), 2);
    run_parallel(1, dir.path(), &config, &["--invalidate", host.as_str()]);

    // Nothing the processes left on disk holds the token.
    for entry in std::fs::read_dir(dir.path().join("run").join("skillrig")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(bytes.is_empty());
    }
}

#[test]
fn without_the_cache_each_process_runs_the_command() {
    // The control experiment: with cache_ttl = 0 nothing is shared.
    let dir = tempfile::tempdir().unwrap();
    let host = unique_host("nocache");
    let config = setup(dir.path(), host.as_str(), 0);
    let outputs = run_parallel(3, dir.path(), &config, &[host.as_str()]);
    assert!(outputs.iter().all(|o| o.status.success()));
    assert_eq!(runs(dir.path()), 3);
}
