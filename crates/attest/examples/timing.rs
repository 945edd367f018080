//! CPU cost of verification: `cargo run --release -p attest --example timing`.
//!
//! Loads the embedded roots once, then verifies GitHub's real release attestation and a real
//! public-good build provenance many times, and prints the mean per operation (process CPU
//! time is what matters; on an idle machine the wall clock below is close to it).

#![allow(clippy::print_stdout)]

use std::time::Instant;

use attest::{AssetDigest, Expected, TrustRoots, verify_bundle};

fn fixture(name: &str) -> Vec<u8> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::read(dir.join(name)).expect("fixture")
}

fn main() {
    const N: u32 = 200;
    let start = Instant::now();
    let mut roots = None;
    for _ in 0..20 {
        roots = Some(TrustRoots::embedded().expect("embedded roots"));
    }
    let roots = roots.expect("built");
    println!(
        "embedded roots:           {:>7.2} ms",
        start.elapsed().as_secs_f64() * 1e3 / 20.0
    );

    let release = fixture("github-private-attestation.sigstore.json");
    let expected = Expected::new(
        "github.com",
        "jdx",
        "communique",
        "v0.1.9",
        AssetDigest::sha256("76f1fe8593bf227cca2c089e3c16dc95014a8d3e89c5dd220530469ca043c428")
            .expect("digest"),
    );
    let start = Instant::now();
    for _ in 0..N {
        verify_bundle(&release, &expected, &roots).expect("verifies");
    }
    println!(
        "release attestation:      {:>7.2} ms",
        start.elapsed().as_secs_f64() * 1e3 / f64::from(N)
    );

    let provenance = fixture("sigstore.js@2.0.0-provenance.sigstore.json");
    let expected = Expected::new(
        "github.com",
        "sigstore",
        "sigstore-js",
        "v2.0.0",
        AssetDigest::sha512("46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c").expect("digest"),
    );
    let start = Instant::now();
    for _ in 0..N {
        verify_bundle(&provenance, &expected, &roots).expect("verifies");
    }
    println!(
        "build provenance (Rekor): {:>7.2} ms",
        start.elapsed().as_secs_f64() * 1e3 / f64::from(N)
    );
}
