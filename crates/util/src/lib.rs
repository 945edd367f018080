//! Small OS-facing pieces that several crates of skillrig-mise need, each written once:
//!
//! - [`process`]: run a helper program with stdin closed, its output drained on threads, and a
//!   deadline that kills the whole process group (credential commands, `gh`, `mise where`).
//! - [`lock`]: an advisory cross-process lock file with bounded patience (the token cache,
//!   the API response cache, concurrent installs).
//! - [`private`]: directories and files only we can write (caches, lock files), checked the
//!   way ssh and gpg check theirs.
//! - [`file`]: a project file that may be absent, refusing what is not a regular file.
//! - [`time`]: Unix seconds and the one format for times and waits in user messages.
//!
//! Nothing here knows about GitHub, mise or skillrig. Like cargo's `cargo-util`, this is an
//! internal crate with no semver promise.

pub mod file;
pub mod lock;
pub mod private;
pub mod process;
pub mod time;
