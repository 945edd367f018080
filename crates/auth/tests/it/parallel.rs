//! Five processes resolving the same host at once run a slow credential command once.

use std::path::Path;
use std::process::{Command, Stdio};

use auth::{Config, Env, Resolver};

use crate::support::{require, unique_host};

const PROBE: &str = env!("CARGO_BIN_EXE_auth-resolve-probe");

/// Starts `n` probe processes at once for `host` and returns their outputs.
fn run_parallel(n: usize, dir: &Path, config: &Path, host: &str) -> Vec<std::process::Output> {
    let children: Vec<_> = (0..n)
        .map(|_| {
            Command::new(PROBE)
                .arg(host)
                .env_clear()
                .env("PATH", "/usr/bin:/bin")
                .env("HOME", dir)
                .env("XDG_RUNTIME_DIR", dir.join("run"))
                .env("SKILLRIG_CONFIG", config)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

fn setup(dir: &Path, cache_ttl: u32) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("run")).unwrap();
    std::fs::write(dir.join("token"), "ghp_parallel_token_0000001\n").unwrap();
    // Slow on purpose, so the five processes overlap and four of them wait on the lock.
    let command = format!(
        "echo run >> '{d}/runs'; sleep 1; cat '{d}/token'",
        d = dir.display()
    );
    let config = dir.join("hosts.toml");
    std::fs::write(
        &config,
        format!(
            "[default]\nproviders = [\"credential_command\"]\ncredential_command = '''{command}'''\ncache_ttl = {cache_ttl}\n"
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

#[test]
fn five_parallel_processes_run_the_command_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = setup(dir.path(), 300);
    let env = Env::from_vars([
        ("HOME", dir.path().as_os_str()),
        ("XDG_RUNTIME_DIR", dir.path().join("run").as_os_str()),
    ]);
    let cleanup = Resolver::new(
        env,
        Config::parse(&std::fs::read_to_string(&config).unwrap(), &config).unwrap(),
    );
    if !require(
        cleanup.shares_across_processes(),
        "the Linux kernel keyring (keyctl)",
    ) {
        return;
    }
    let host = unique_host("parallel");

    let outputs = run_parallel(5, dir.path(), &config, host.as_str());
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
        "the credential command ran more than once"
    );
    assert_eq!(
        fresh, 1,
        "exactly one process ran the command, the others read the cache"
    );

    // A sixth process, later, is served from the cache too.
    let later = run_parallel(1, dir.path(), &config, host.as_str());
    assert!(String::from_utf8_lossy(&later[0].stdout).ends_with("credential_command cached\n"));
    assert_eq!(runs(dir.path()), 1);

    // After invalidation (a 401), the next process runs the command again.
    cleanup.invalidate(&host);
    run_parallel(1, dir.path(), &config, host.as_str());
    assert_eq!(runs(dir.path()), 2);
    cleanup.invalidate(&host);

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
    let config = setup(dir.path(), 0);
    let host = unique_host("nocache");
    let outputs = run_parallel(3, dir.path(), &config, host.as_str());
    assert!(outputs.iter().all(|o| o.status.success()));
    assert_eq!(runs(dir.path()), 3);
}
