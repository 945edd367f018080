//! attest's integration tests: real bundles (`real`), and bundles from the testkit's own
//! Sigstore instance served by the fake GitHub and fetched by the releases client (`served`).

mod instance;
mod real;
mod served;

use std::path::PathBuf;

/// A file from `tests/fixtures`.
pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
