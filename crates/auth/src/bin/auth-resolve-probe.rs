//! Test helper: resolves each host given on the command line with the real process
//! environment and prints, per host, one line `<host> <provider> <fresh|cached>` — never the
//! token. Exits 1 if any host has no token (the error and hints go to stderr, as the CLI
//! prints them). Used by `tests/it` to check behaviour across parallel processes.
//!
//! `--all` asks every provider instead (as `doctor` does) and prints one line per provider:
//! `<provider> <status> <code> <elapsed ms>`. `--keyring-timeout-ms N` sets the keyring
//! timeout. `--invalidate` drops each host's shared cache entry (in this binary, so that on
//! macOS the Keychain items are always touched by the binary that made them). `--store` prints
//! which cross-process store this environment offers (`none` when there is none) and exits.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use hint::Hint as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use auth::{Env, Resolver};
use origin_meta::Host;

fn main() -> ExitCode {
    let mut resolver = match Resolver::from_env(Env::process()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let (mut all, mut invalidate) = (false, false);
    let mut code = ExitCode::SUCCESS;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--all" => all = true,
            "--store" => {
                println!("{}", resolver.shared_cache_store().unwrap_or("none"));
                return ExitCode::SUCCESS;
            }
            "--invalidate" => invalidate = true,
            "--keyring-timeout-ms" => {
                let ms = args.next().and_then(|v| v.parse().ok()).unwrap_or(3000);
                resolver = resolver.with_keyring_timeout(Duration::from_millis(ms));
            }
            _ => {
                let host = match Host::parse(&arg) {
                    Ok(h) => h,
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                };
                if invalidate {
                    resolver.invalidate(&host);
                } else if all {
                    let start = Instant::now();
                    let res = resolver.resolve_all(&host);
                    let elapsed = start.elapsed().as_millis();
                    for a in res.attempts() {
                        println!(
                            "{} {} {} {elapsed}",
                            a.provider,
                            a.outcome.status(),
                            a.outcome.code().unwrap_or("-")
                        );
                        eprintln!("{}: {}", a.provider, a.outcome.summary());
                    }
                } else if !resolve(&resolver, &host) {
                    code = ExitCode::FAILURE;
                }
            }
        }
    }
    code
}

fn resolve(resolver: &Resolver, host: &Host) -> bool {
    match resolver.resolve(host) {
        Ok(token) => {
            let freshness = if token.source().cached() {
                "cached"
            } else {
                "fresh"
            };
            println!("{host} {} {freshness}", token.source().provider());
            true
        }
        Err(e) => {
            eprintln!("error: {e}");
            for hint in e.hints() {
                eprintln!("hint: {hint}");
            }
            println!("{host} none");
            false
        }
    }
}
