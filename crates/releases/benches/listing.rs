//! Listing a 300-release origin cold, warm (within the freshness window) and revalidated
//! (after it: conditional requests, all 304), against the fake GitHub on loopback.
//!
//! `cargo bench -p releases --bench listing` (20 rounds), or `-- --quick` (3 rounds).
//! Prints API request counts, rate-limited request counts, body bytes received, median wall
//! times and the warm/cold and revalidated/cold ratios. Loopback has no network latency, so
//! the absolute times understate what the cache saves against api.github.com; the request
//! counts, bytes and ratios are what to compare.

#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use origin_meta::Host;
use releases::{ClientConfig, Credential, GitHub, RetryPolicy};
use testkit::{Cli, FakeGitHub, OriginBuilder, TokenSpec};

const TOKEN: &str = "ghp_bench_0000000000";

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 3 } else { 20 };

    let github = FakeGitHub::start();
    // Three CLIs x 100 releases, interleaved like a busy monorepo; one asset each.
    let versions: Vec<String> = (0..100)
        .map(|i| format!("1.{}.{}", i / 10, i % 10))
        .collect();
    let refs: Vec<&str> = versions.iter().map(String::as_str).collect();
    let mut origin = OriginBuilder::new("acme", "bench");
    for name in ["jira", "tfc", "oxid"] {
        origin = origin.cli(
            Cli::new(name)
                .platforms(&[("linux", "amd64")])
                .versions(&refs),
        );
    }
    github.add_repo(origin.build());
    github.add_token(TokenSpec::new(TOKEN, "bench").owner("acme"));

    let config = |dir: &std::path::Path, freshness: Duration| {
        let mut cfg = ClientConfig::new(Host::github_com());
        cfg.api_url = github.api_url();
        cfg.credential = Some(Credential::new(TOKEN.into(), "bench"));
        cfg.cache_dir = Some(dir.to_path_buf());
        cfg.freshness = freshness;
        cfg.retry = RetryPolicy::without_delays();
        GitHub::new(cfg).expect("config")
    };

    let mut cold = Vec::new();
    let mut warm = Vec::new();
    let mut reval = Vec::new();
    let mut counts = [(0usize, 0usize, 0u64); 3];
    for _ in 0..rounds {
        let dir = tempfile::tempdir().expect("tempdir");
        for (i, (freshness, times)) in [
            (Duration::from_secs(60), &mut cold),
            (Duration::from_secs(60), &mut warm),
            (Duration::ZERO, &mut reval),
        ]
        .into_iter()
        .enumerate()
        {
            github.clear_log();
            // A new client each time, as each `mise` invocation is a new process.
            let gh = config(dir.path(), freshness);
            let start = Instant::now();
            let listing = gh.list_releases("acme", "bench").expect("listing");
            times.push(start.elapsed());
            assert_eq!(listing.len(), 300);
            counts[i] = (
                github.requests().len(),
                github.rate_limited_requests(),
                gh.stats().bytes,
            );
        }
    }

    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (c, w, r) = (median(&mut cold), median(&mut warm), median(&mut reval));
    println!("releases listing benchmark: 300 releases, 3 pages, {rounds} rounds (median)");
    println!(
        "{:<34} {:>12} {:>13} {:>11} {:>12}",
        "", "API requests", "rate-limited", "body bytes", "wall time"
    );
    for (label, (req, rl, bytes), t) in [
        ("cold (empty cache)", counts[0], c),
        ("warm (within freshness window)", counts[1], w),
        ("revalidated (after window, 304s)", counts[2], r),
    ] {
        println!(
            "{label:<34} {req:>12} {rl:>13} {bytes:>11} {:>9.2} ms",
            t.as_secs_f64() * 1e3
        );
    }
    println!(
        "ratio warm/cold: {:.3}   revalidated/cold: {:.3}",
        w.as_secs_f64() / c.as_secs_f64(),
        r.as_secs_f64() / c.as_secs_f64()
    );
}
