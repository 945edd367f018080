//! Integration tests for `origin-meta`: golden tests on the shapes skillrig writes
//! (`tests/fixtures/`), property tests, "no panic on arbitrary input" checks for every parser
//! (the stable-toolchain stand-in for the `cargo fuzz` targets), and bounded-work checks on
//! large hostile inputs.

mod bounded;
mod golden;
mod no_panic;
mod props;

use std::path::PathBuf;

/// Path of a file under `tests/fixtures/`.
pub(crate) fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Contents of a file under `tests/fixtures/`.
pub(crate) fn fixture(name: &str) -> String {
    let path = fixture_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Archive extensions as the installer passes them on Unix (the list lives in `install`).
pub(crate) const UNIX: &[&str] = &[".tar.gz", ".tar.xz", ".tar.zst", ".zip", ""];

/// The same on Windows: zip first, `.exe` before the bare name.
pub(crate) const WINDOWS: &[&str] = &[".zip", ".tar.gz", ".tar.xz", ".tar.zst", ".exe", ""];
