//! Integration tests of the resolver with real processes: several resolver processes sharing
//! one credential command through the kernel keyring, and the keyring provider against a
//! real D-Bus daemon. (The real Secret Service test is `gh_keyring.rs`, run by
//! `scripts/keyring-it.sh`; the secret-hygiene test is `sentinel.rs`.)

// Tests report what they measured and why they skip.
#![allow(clippy::print_stderr)]

#[cfg(target_os = "linux")]
mod keyring_unavailable;
mod parallel;
mod support;
