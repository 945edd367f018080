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

/// testkit's one skip rule: a missing prerequisite fails under CI, skips elsewhere.
pub(crate) fn require(available: bool, what: &str) -> bool {
    testkit::require(what, available.then_some(())).is_some()
}
