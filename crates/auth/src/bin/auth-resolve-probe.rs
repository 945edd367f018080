//! Test helper: resolves each host given on the command line with the real process
//! environment and prints, per host, one line `<host> <provider> <fresh|cached>` — never the
//! token. Exits 1 if any host has no token (the error and hints go to stderr, as the CLI
//! prints them). Used by `tests/it` to check behaviour across parallel processes.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use hint::Hint as _;
use std::process::ExitCode;

use auth::{Env, Resolver};
use origin_meta::Host;

fn main() -> ExitCode {
    let resolver = match Resolver::from_env(Env::process()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut code = ExitCode::SUCCESS;
    for arg in std::env::args().skip(1) {
        let host = match Host::parse(&arg) {
            Ok(h) => h,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        match resolver.resolve(&host) {
            Ok(token) => {
                let freshness = if token.source().cached() {
                    "cached"
                } else {
                    "fresh"
                };
                println!("{host} {} {freshness}", token.source().provider());
            }
            Err(e) => {
                eprintln!("error: {e}");
                for hint in e.hints() {
                    eprintln!("hint: {hint}");
                }
                println!("{host} none");
                code = ExitCode::FAILURE;
            }
        }
    }
    code
}
