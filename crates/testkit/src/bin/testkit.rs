//! `testkit serve`: runs the fake GitHub standalone, for the demo, e2e scripts and benchmarks.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use testkit::{FakeGitHub, RateLimits, TokenSpec, demo_origin};

const USAGE: &str = "\
usage: testkit serve [options]

Serves a fake GitHub API on 127.0.0.1 until killed and prints one JSON line with its URLs.

options:
  --demo                 add the demo origin acme/tools (private; 5 CLIs, 2 skills)
  --public               make the demo origin public
  --token TOKEN[=LOGIN]  accept TOKEN (read access to owner `acme`); repeatable
  --port N               API port (default: random)
  --storage-port N       asset storage port (default: random)
  --anonymous-limit N    hourly rate limit without a token (default 60)
  --info-file PATH       also write the JSON line to PATH (written last: poll for it)

control API (for scripts): GET /_testkit/stats, GET /_testkit/requests,
POST /_testkit/clear-log, POST /_testkit/fault {\"path\",\"status\"|\"kind\"|\"delay_ms\",\"times\"}";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("testkit: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let mut it = args.iter();
    match it.next().map(String::as_str) {
        Some("serve") => {}
        Some("-h" | "--help") | None => {
            println!("{USAGE}");
            return Ok(());
        }
        Some(other) => return Err(format!("unknown command `{other}`")),
    }
    let (mut demo, mut public, mut port, mut storage_port) = (false, false, 0u16, 0u16);
    let mut tokens = Vec::new();
    let mut info_file = None;
    let mut anonymous_limit = 60u32;
    let value = |it: &mut std::slice::Iter<'_, String>, flag: &str| {
        it.next()
            .cloned()
            .ok_or_else(|| format!("{flag} needs a value"))
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--demo" => demo = true,
            "--public" => public = true,
            "--token" => tokens.push(value(&mut it, arg)?),
            "--port" => port = value(&mut it, arg)?.parse().map_err(|_| "bad --port")?,
            "--storage-port" => {
                storage_port = value(&mut it, arg)?
                    .parse()
                    .map_err(|_| "bad --storage-port")?
            }
            "--anonymous-limit" => {
                anonymous_limit = value(&mut it, arg)?.parse().map_err(|_| "bad limit")?
            }
            "--info-file" => info_file = Some(value(&mut it, arg)?),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    let github = FakeGitHub::start_on(port, storage_port).map_err(|e| format!("bind: {e}"))?;
    github.set_rate_limits(RateLimits {
        anonymous: anonymous_limit,
        ..RateLimits::default()
    });
    if demo {
        let origin = if public {
            demo_origin().public()
        } else {
            demo_origin()
        };
        github.add_repo(origin.build());
    }
    for t in &tokens {
        let (token, login) = t.split_once('=').unwrap_or((t, "demo"));
        github.add_token(TokenSpec::new(token, login).owner("acme"));
    }
    let info = serde_json::json!({
        "api_url": github.api_url(),
        "ghes_api_url": github.ghes_api_url(),
        "storage_url": github.storage_url(),
        "pid": std::process::id(),
    });
    println!("{info}");
    if let Some(path) = info_file {
        // Write-then-rename so a poller never reads half a file.
        let tmp = format!("{path}.tmp");
        std::fs::write(&tmp, format!("{info}\n")).map_err(|e| format!("{path}: {e}"))?;
        std::fs::rename(&tmp, &path).map_err(|e| format!("{path}: {e}"))?;
    }
    loop {
        std::thread::park();
    }
}
