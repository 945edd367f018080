//! End to end: real mise (pinned, from npm), our plugin linked from `plugin/`, the
//! `skillrig-mise` binary built by cargo, and the testkit's fake GitHub serving a private origin.
//!
//! Every test gets its own world: mise's data/config/cache/state dirs, `HOME` and the XDG dirs
//! under a temp dir, no GitHub variables from the developer's environment, and a token that
//! reaches `skillrig-mise` only through a `credential_command` in `hosts.toml`.
//!
//! mise is found through `SKILLRIG_TEST_MISE` (set by `scripts/test.sh`). Without it these
//! tests say they are skipped — except under `CI=true`, where a missing mise is a failure
//! (`testkit::require`, the one skip rule of the workspace).

// Tests tell the developer on stderr when they skip for lack of mise.
#![allow(clippy::print_stderr)]

mod attestations;
mod demo;
mod failures;
mod lock;
mod mise;
mod native_backend;
mod projects;
mod requests;
mod scenarios;
mod secrets;
mod ship;
