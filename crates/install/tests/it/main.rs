//! Integration tests for the `install` crate: one binary, one module per concern.
//!
//! Every test builds its assets in memory (no fixtures on disk, no network) and installs into
//! its own temporary directory, then checks both the result and what was left behind.

mod cleanup;
mod formats;
mod limits;
mod locate;
mod malicious;
mod receipt;
mod support;
mod tamper;
