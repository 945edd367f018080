//! A fake GitHub for skillrig-mise's tests, benchmarks and demo. Dev-only (`publish = false`).
//!
//! GitHub is unreachable from tests, so this crate serves the parts of GitHub's REST API that
//! our code depends on, with GitHub's behaviour where it matters: private repositories that
//! 404 without a token, `401 Bad credentials`, SAML SSO 403s, paginated newest-first listings,
//! ETags and free 304s, rate-limit headers and exhaustion, and asset downloads that redirect to a
//! separate storage host which rejects `Authorization`. See [`server`] for the full list.
//!
//! For provenance tests an origin can be backed by a real git repository
//! ([`OriginBuilder::git_backed`], [`git`]): releases then point at real commits, and the
//! server answers GitHub's git endpoints (tag refs, tag objects, commits, compare, trees) and
//! the contents API from it.
//!
//! ```no_run
//! use testkit::{FakeGitHub, TokenSpec, demo_origin};
//!
//! let github = FakeGitHub::start();
//! github.add_repo(demo_origin().build());
//! github.add_token(TokenSpec::new("ghp_test", "alice").owner("acme"));
//! // Point the code under test at github.api_url(), then assert on github.requests().
//! ```
//!
//! The same server runs standalone for scripts: `cargo run -p testkit -- serve --demo`.

pub mod downloads;
pub mod git;
mod http;
pub mod model;
pub mod origin;
pub mod server;
pub mod sigstore;
pub mod tls;

pub use downloads::DownloadHost;
pub use git::GitRepo;
pub use model::{Asset, Attestation, Grant, Release, Repo, Tag, TokenSpec, sha256_hex};
pub use origin::{
    Checksums, Cli, CutFrom, DEMO_SKILLS, Described, OriginBuilder, TagStyle, demo_origin,
    demo_origin_with_history, provenance_origin, tar_gz, vendor_demo_skills,
};
pub use server::{FakeGitHub, Fault, FaultKind, Listener, LoggedRequest, RateLimits};
pub use sigstore::{Signer, TestSigstore, Timing};

/// The one rule for tests that need something this machine may lack (a mise binary, the
/// packaged helper, a kernel keyring): under CI — `CI` set to anything but empty, `0` or
/// `false`, as every CI service sets it — a missing prerequisite **fails** the test; on a
/// developer machine the test says it is skipped and returns early. Use it as
/// `let Some(mise) = testkit::require("a mise binary (SKILLRIG_TEST_MISE)", found) else { return };`.
///
/// # Panics
///
/// When `found` is `None` under CI.
#[allow(clippy::print_stderr)]
pub fn require<T>(what: &str, found: Option<T>) -> Option<T> {
    if found.is_some() {
        return found;
    }
    assert!(
        !under_ci(),
        "{what} is required under CI but is missing (run scripts/test.sh, which provides it)"
    );
    eprintln!("SKIPPED: {what} is not available here (under CI=true this fails)");
    None
}

/// Returns true if and only if `CI` is set to anything but empty, `0` or `false` (the rule
/// [`require`] applies).
pub fn under_ci() -> bool {
    std::env::var("CI")
        .is_ok_and(|v| !v.trim().is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// The pinned mise the end-to-end tests drive (`SKILLRIG_TEST_MISE`, which `scripts/test.sh`
/// sets), under the [`require`] rule.
pub fn test_mise() -> Option<std::path::PathBuf> {
    let found = std::env::var_os("SKILLRIG_TEST_MISE")
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_file());
    require("a mise binary (SKILLRIG_TEST_MISE)", found)
}

/// Every file and directory below `dir` (symlinks listed, never followed), relative to it and
/// sorted: what tests compare to show that a run left nothing behind, or scan for secrets.
pub fn entries_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path.clone());
            }
            out.push(path.strip_prefix(dir).unwrap_or(&path).to_path_buf());
        }
    }
    out.sort();
    out
}
