//! Shared helpers.

use std::time::{SystemTime, UNIX_EPOCH};

use origin_meta::Host;

/// A host name no other test (or earlier run) uses: cache entries are keyed by host and the
/// kernel keyring outlives a test run.
pub(crate) fn unique_host(tag: &str) -> Host {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    Host::parse(&format!("{tag}-{}-{nanos}.it.example", std::process::id())).unwrap()
}

/// Decides what to do when something the test needs is missing from this machine: in CI
/// (`CI` or `SKILLRIG_REQUIRE_E2E` set) that is a failure — CI must provide it; on a
/// developer machine the test is skipped with a notice.
pub(crate) fn require(available: bool, what: &str) -> bool {
    if available {
        return true;
    }
    if std::env::var_os("CI").is_some() || std::env::var_os("SKILLRIG_REQUIRE_E2E").is_some() {
        panic!("{what} is required in CI but not available");
    }
    eprintln!("SKIPPED: {what} is not available on this machine");
    false
}
