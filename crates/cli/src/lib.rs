//! The composition layer behind `skillrig-mise` and `skillrig-auth`: argument types, the
//! per-run [`session::Session`] (environment, token resolver, GitHub clients), the commands,
//! and how failures are shown ([`report`]). The library crates know nothing of terminals,
//! exit codes or mise; this crate is where those meet.
//!
//! Not a library for others: no semver promise.

pub mod commands;
pub mod consumer;
pub mod doctor;
pub mod logging;
pub mod mise;
pub mod options;
pub mod plugin_protocol;
pub mod progress;
pub mod report;
pub mod session;

use std::io::Write as _;

/// What `--version` prints: the version, the commit it was built from and the target.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("SKILLRIG_BUILD_COMMIT"),
    ", target ",
    env!("SKILLRIG_BUILD_TARGET"),
    ")"
);

/// Prints a warning line on stderr (mise shows it on failure; a terminal always), redacted.
pub fn warn(message: &str) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "skillrig-mise: warning: {}",
        auth::redact::redact(message)
    );
}

/// Prints a short progress note on stderr, redacted.
pub fn note(message: &str) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "skillrig-mise: {}",
        auth::redact::redact(message)
    );
}
