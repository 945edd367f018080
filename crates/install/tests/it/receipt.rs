//! The receipt written with every install, and re-verification from it.

use std::time::{Duration, UNIX_EPOCH};

use install::{DigestSource, RECEIPT_SCHEMA, Receipt};

use crate::support::*;

#[test]
fn receipt_records_the_install() {
    let env = Env::new();
    let bin = noise(10_000, 11);
    let bytes = gzip(&tar(&[Member::File("tool-1.2.3/bin/tool", &bin, 0o755)]));
    let mut req = env.request("tool_1.2.3_linux_amd64.tar.gz", &bytes);
    req.expected.push(install::ExpectedDigest::new(
        sha256(&bytes),
        DigestSource::GithubDigest,
    ));
    req.installed_at = UNIX_EPOCH + Duration::from_secs(1_785_585_600);
    let done = install::install(req, &bytes[..]).unwrap();

    let receipt = install::read_receipt(env.install_path()).unwrap();
    assert_eq!(
        receipt,
        Receipt {
            schema: RECEIPT_SCHEMA,
            origin: "acme/tools".into(),
            host: "github.com".into(),
            tool: "tool".into(),
            version: "1.2.3".into(),
            tag: "1.2.3+tool".into(),
            release_commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            asset: "tool_1.2.3_linux_amd64.tar.gz".into(),
            asset_sha256: sha256(&bytes),
            bin: "bin/tool".into(),
            bin_sha256: sha256(&bin),
            verified_by: vec![checksums(), DigestSource::GithubDigest],
            attestations: None,
            installed_at: "2026-08-01T12:00:00Z".into(),
        }
    );
    assert_eq!(done.receipt_path, install::receipt_path(env.install_path()));
    // The receipt lets a later command re-verify the binary.
    assert_eq!(
        install::hash_file(&done.bin_path).unwrap(),
        receipt.bin_sha256
    );

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&done.receipt_path).unwrap()).unwrap();
    assert_eq!(json["verified_by"][0]["kind"], "checksums-file");
    assert_eq!(json["verified_by"][1]["kind"], "github-digest");
}

#[test]
fn receipt_records_what_the_caller_verified_about_attestations() {
    let env = Env::new();
    let bytes = gzip(&tar(&[Member::File("bin/tool", b"payload", 0o755)]));
    let mut req = env.request("tool_1.2.3_linux_amd64.tar.gz", &bytes);
    let attestations = install::Attestations {
        policy: "required".into(),
        status: install::AttestationStatus::Verified,
        reason: None,
        verified: vec![install::AttestationRecord {
            kind: "release".into(),
            predicate_type: "https://in-toto.io/attestation/release/v0.2".into(),
            signer: "https://dotcom.releases.github.com".into(),
            issuer: None,
            instance: "github".into(),
            signed_at: Some("2026-07-30T09:12:44Z".into()),
            bundle_sha256: "ab".repeat(32),
            tag_commit: Some("c".repeat(40)),
        }],
    };
    req.receipt.attestations = Some(attestations.clone());
    install::install(req, &bytes[..]).unwrap();
    let receipt = install::read_receipt(env.install_path()).unwrap();
    assert_eq!(receipt.attestations.as_ref(), Some(&attestations));
    assert_eq!(
        receipt.attestations.unwrap().tag_commit(),
        Some("c".repeat(40).as_str())
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(install::receipt_path(env.install_path())).unwrap())
            .unwrap();
    assert_eq!(json["attestations"]["status"], "verified");
    assert_eq!(json["attestations"]["verified"][0]["kind"], "release");
    assert!(json["attestations"]["verified"][0].get("issuer").is_none());
}

#[test]
fn receipt_for_a_binary_behind_a_link_hashes_the_target() {
    let env = Env::new();
    let bytes = gzip(&tar(&[
        Member::File("libexec/real-binary", b"payload", 0o755),
        Member::Symlink("bin/tool", "../libexec/real-binary"),
    ]));
    env.install("tool.tar.gz", &bytes).unwrap();
    let receipt = install::read_receipt(env.install_path()).unwrap();
    assert_eq!(receipt.bin_sha256, sha256(b"payload"));
    assert_eq!(
        receipt.release_commit.as_deref(),
        Some("0123456789abcdef0123456789abcdef01234567")
    );
}

#[test]
fn hash_file_errors_name_the_path() {
    let env = Env::new();
    let missing = env.root.path().join("nope");
    let err = install::hash_file(&missing).unwrap_err();
    assert_eq!(err.kind(), install::ErrorKind::Io);
    assert_eq!(
        err.to_string(),
        format!("failed to open `{}`", missing.display())
    );
}
