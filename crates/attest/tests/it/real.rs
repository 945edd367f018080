//! Real bundles made by GitHub and by the public-good Sigstore instance (see
//! `tests/fixtures/README.md`), verified against the embedded roots, and their mutations.

use attest::{
    AssetDigest, Error, Expected, Instance, Kind, Policy, TrustRoots, assess, verify_bundle,
    verify_signature,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value;

use crate::fixture;

const RELEASE: &str = "github-private-attestation.sigstore.json";
const COMMIT: &str = "43d0bd191f16d1fe3484a4b58aa69118f7692442";
/// Every asset the release attestation lists.
const ASSETS: [&str; 5] = [
    "76f1fe8593bf227cca2c089e3c16dc95014a8d3e89c5dd220530469ca043c428",
    "827415b1df71c418ec467512c02a014b6ff3197f16ec723b8f624044ceff1dc0",
    "fabce7391876734f9574e5dd3a247b65ce507d234a6c75991b24c903b24c470d",
    "bac58b65996cf76b17dd731462efb71729abcd925a5f4aebf72bb186a0767430",
    "b958c6046bab52febf958c94974e1ffcc450bff78c28d7233e179bfd73828912",
];

fn roots() -> TrustRoots {
    TrustRoots::embedded().unwrap()
}

fn communique(digest: &str) -> Expected {
    Expected::new(
        "github.com",
        "jdx",
        "communique",
        "v0.1.9",
        AssetDigest::sha256(digest).unwrap(),
    )
}

#[test]
fn release_attestation_verifies_for_every_listed_asset() {
    let roots = roots();
    let bundle = fixture(RELEASE);
    for digest in ASSETS {
        let v = verify_bundle(&bundle, &communique(digest), &roots).unwrap();
        assert_eq!(v.kind, Kind::Release);
        assert_eq!(
            v.predicate_type,
            "https://in-toto.io/attestation/release/v0.2"
        );
        assert_eq!(v.signer, "https://dotcom.releases.github.com");
        assert_eq!(v.issuer, None);
        assert_eq!(v.instance, Instance::Github);
        assert_eq!(v.tag_commit.as_deref(), Some(COMMIT));
        assert_eq!(v.signed_at.as_deref(), Some("2026-03-02T09:52:15Z"));
        assert_eq!(v.bundle_sha256, attest::bundle_sha256(&bundle).unwrap());
    }
}

#[test]
fn release_attestation_fails_for_any_other_digest() {
    let roots = roots();
    let bundle = fixture(RELEASE);
    let mut other = ASSETS[0].to_owned();
    other.replace_range(0..1, "0");
    for digest in [other.as_str(), &"0".repeat(64), &"f".repeat(64)] {
        let err = verify_bundle(&bundle, &communique(digest), &roots).unwrap_err();
        assert!(matches!(err, Error::WrongSubject { .. }), "{err}");
        assert!(
            err.to_string().contains(&format!("sha256:{digest}")),
            "{err}"
        );
        assert!(hint::Hint::hints(&err)[0].contains("do not install"));
    }
    // A sha512 digest is a different artifact too.
    let sha512 = AssetDigest::sha512(&"ab".repeat(64)).unwrap();
    assert!(verify_signature(&bundle, &sha512, &roots).is_err());
}

#[test]
fn release_attestation_fails_against_the_tsa_only_github_root() {
    let text = String::from_utf8(fixture("github_trusted_root.json")).unwrap();
    let roots = TrustRoots::from_json(&text, "github_trusted_root.json").unwrap();
    let err = verify_bundle(&fixture(RELEASE), &communique(ASSETS[0]), &roots).unwrap_err();
    assert!(matches!(err, Error::Untrusted { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("no trusted certificate authority is valid at 2026-03-02T09:52:15Z"),
        "{err}"
    );
    assert!(hint::Hint::hints(&err)[0].contains("SKILLRIG_TRUSTED_ROOT"));
}

#[test]
fn release_attestation_checks_repository_tag_and_host() {
    let roots = roots();
    let bundle = fixture(RELEASE);
    let digest = AssetDigest::sha256(ASSETS[4]).unwrap();

    let other_repo = Expected::new("github.com", "jdx", "other", "v0.1.9", digest.clone());
    let err = verify_bundle(&bundle, &other_repo, &roots).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the release attestation is for repository `jdx/communique`, not `jdx/other`"
    );

    // Same bytes, another tag: not this release (skipped by `assess`, never accepted).
    let other_tag = Expected::new("github.com", "JDX", "Communique", "v0.2.0", digest.clone());
    let err = verify_bundle(&bundle, &other_tag, &roots).unwrap_err();
    assert_eq!(
        err,
        Error::OtherRelease {
            expected: "v0.2.0".into(),
            found: "v0.1.9".into()
        }
    );

    // On a host whose release signer is unknown, GitHub.com's signer is not accepted.
    let ghes = Expected::new("ghe.example.com", "jdx", "communique", "v0.1.9", digest);
    let err = verify_bundle(&bundle, &ghes, &roots).unwrap_err();
    assert!(matches!(err, Error::UnknownReleaseSigner { .. }), "{err}");
}

#[test]
fn assess_applies_the_policy() {
    let roots = roots();
    let bundle = fixture(RELEASE);
    let this = communique(ASSETS[1]);
    for policy in [Policy::Auto, Policy::Required] {
        // Listed twice (two pages, say): recorded once.
        let found = assess(&[bundle.clone(), bundle.clone()], &this, &roots, policy).unwrap();
        assert_eq!(found.verified.len(), 1);
        assert_eq!(found.tag_commit(), Some(COMMIT));
    }
    let off = assess(&[b"not even json".to_vec()], &this, &roots, Policy::Off).unwrap();
    assert!(off.verified.is_empty());

    // None listed: absent under auto, refused under required.
    assert!(
        assess(&[] as &[Vec<u8>], &this, &roots, Policy::Auto)
            .unwrap()
            .verified
            .is_empty()
    );
    let err = assess(&[] as &[Vec<u8>], &this, &roots, Policy::Required).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "jdx/communique has no valid attestation for sha256:{}",
            ASSETS[1]
        )
    );

    // Only another release's attestation: skipped, so auto records nothing and required
    // refuses, saying why.
    let mut next = this.clone();
    next.tag = "v0.1.10".into();
    let auto = assess(std::slice::from_ref(&bundle), &next, &roots, Policy::Auto).unwrap();
    assert_eq!((auto.verified.len(), auto.skipped), (0, 1));
    let err = assess(&[bundle], &next, &roots, Policy::Required).unwrap_err();
    assert!(
        err.to_string().ends_with("(one is for another release)"),
        "{err}"
    );

    // One that exists and fails fails the install, under auto too.
    let err = assess(&[b"{}".to_vec()], &this, &roots, Policy::Auto).unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }), "{err}");
}

/// Decodes a base64 field, changes one byte, and writes it back.
fn flip(bundle: &[u8], path: &[&str], change: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut json: Value = serde_json::from_slice(bundle).unwrap();
    let mut field = &mut json;
    for key in path {
        field = match key.parse::<usize>() {
            Ok(i) => &mut field[i],
            Err(_) => &mut field[*key],
        };
    }
    let mut bytes = B64.decode(field.as_str().unwrap()).unwrap();
    change(&mut bytes);
    *field = Value::String(B64.encode(&bytes));
    serde_json::to_vec(&json).unwrap()
}

/// Flips the lowest bit of the first byte of `needle` inside `bytes`.
fn flip_at(bytes: &mut [u8], needle: &[u8]) {
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle present");
    bytes[at] ^= 1;
}

#[test]
fn a_flipped_byte_anywhere_fails() {
    let roots = roots();
    let bundle = fixture(RELEASE);
    let expected = communique(ASSETS[0]);
    assert!(verify_bundle(&bundle, &expected, &roots).is_ok());

    // The statement: a digit of the predicate's databaseId ("291980663" -> "391980663");
    // the JSON and the subjects stay intact, so only the signature can catch it.
    let payload = flip(&bundle, &["dsseEnvelope", "payload"], |b| {
        flip_at(b, b"291980663")
    });
    let err = verify_bundle(&payload, &expected, &roots).unwrap_err();
    assert!(matches!(err, Error::BadSignature { .. }), "{err}");

    // The signature: its last byte (inside the DER integer s).
    let signature = flip(&bundle, &["dsseEnvelope", "signatures", "0", "sig"], |b| {
        *b.last_mut().unwrap() ^= 1;
    });
    let err = verify_bundle(&signature, &expected, &roots).unwrap_err();
    assert!(matches!(err, Error::BadSignature { .. }), "{err}");

    // The certificate: one letter of its SAN, so the DER stays well formed and only the
    // issuer's signature over it can catch it.
    let certificate = flip(
        &bundle,
        &["verificationMaterial", "certificate", "rawBytes"],
        |b| flip_at(b, b"dotcom.releases"),
    );
    let err = verify_bundle(&certificate, &expected, &roots).unwrap_err();
    assert!(matches!(err, Error::Untrusted { .. }), "{err}");
    assert!(err.to_string().contains("certificate chain"), "{err}");

    // The timestamp: a byte of its signed time.
    let timestamp = flip(
        &bundle,
        &[
            "verificationMaterial",
            "timestampVerificationData",
            "rfc3161Timestamps",
            "0",
            "signedTimestamp",
        ],
        |b| flip_at(b, b"20260302095215Z"),
    );
    assert!(verify_bundle(&timestamp, &expected, &roots).is_err());

    // Without its timestamp there is no verified signing time at all.
    let mut json: Value = serde_json::from_slice(&bundle).unwrap();
    json["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"] =
        Value::Array(Vec::new());
    let err = verify_bundle(&serde_json::to_vec(&json).unwrap(), &expected, &roots).unwrap_err();
    assert!(matches!(err, Error::NotValidAtSigning { .. }), "{err}");
}

/// The sha512 subject of the npm provenance and the sha256 subjects of the others.
fn subject_digest(bundle: &[u8]) -> AssetDigest {
    let json: Value = serde_json::from_slice(bundle).unwrap();
    if let Some(payload) = json["dsseEnvelope"]["payload"].as_str() {
        let statement: Value = serde_json::from_slice(&B64.decode(payload).unwrap()).unwrap();
        let digest = &statement["subject"][0]["digest"];
        if let Some(hex) = digest["sha512"].as_str() {
            return AssetDigest::sha512(hex).unwrap();
        }
        return AssetDigest::sha256(digest["sha256"].as_str().unwrap()).unwrap();
    }
    let b64 = json["messageSignature"]["messageDigest"]["digest"]
        .as_str()
        .unwrap();
    AssetDigest::sha256(&hex::encode(B64.decode(b64).unwrap())).unwrap()
}

#[test]
fn public_good_bundles_verify() {
    let roots = roots();
    for name in [
        "sigstore.js@2.0.0-provenance.sigstore.json",
        "conda-attestation.sigstore.json",
        "bundle_v3_github.whl.sigstore",
    ] {
        let bundle = fixture(name);
        let digest = subject_digest(&bundle);
        let signed =
            verify_signature(&bundle, &digest, &roots).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(signed.instance, Instance::PublicGood, "{name}");
        assert_eq!(
            signed.issuer.as_deref(),
            Some("https://token.actions.githubusercontent.com"),
            "{name}"
        );
        // And not for other bytes.
        let other = match digest.to_string().split_once(':').unwrap() {
            ("sha512", _) => AssetDigest::sha512(&"1".repeat(128)).unwrap(),
            _ => AssetDigest::sha256(&"1".repeat(64)).unwrap(),
        };
        assert!(verify_signature(&bundle, &other, &roots).is_err(), "{name}");
    }
}

#[test]
fn real_build_provenance_checks_repository_and_workflow() {
    let roots = roots();
    let bundle = fixture("sigstore.js@2.0.0-provenance.sigstore.json");
    let digest = subject_digest(&bundle);
    let expected = Expected::new("github.com", "sigstore", "sigstore-js", "v2.0.0", digest);

    let v = verify_bundle(&bundle, &expected, &roots).unwrap();
    assert_eq!(v.kind, Kind::BuildProvenance);
    assert_eq!(v.predicate_type, "https://slsa.dev/provenance/v1");
    assert_eq!(
        v.signer,
        "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"
    );
    assert_eq!(v.instance, Instance::PublicGood);
    assert_eq!(v.tag_commit, None);

    let pinned = expected
        .clone()
        .signer_workflow("sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/*");
    assert!(verify_bundle(&bundle, &pinned, &roots).is_ok());

    let other_workflow = expected
        .clone()
        .signer_workflow("sigstore/sigstore-js/.github/workflows/ci.yml");
    let err = verify_bundle(&bundle, &other_workflow, &roots).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the attestation was signed by workflow \
         `sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main`, which does not \
         match `sigstore/sigstore-js/.github/workflows/ci.yml`"
    );

    let mut other_repo = expected.clone();
    other_repo.repo = "sigstore-python".into();
    let err = verify_bundle(&bundle, &other_repo, &roots).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the build-provenance attestation is for repository `sigstore/sigstore-js`, not \
         `sigstore/sigstore-python`"
    );

    // GitHub Enterprise expects its own Actions issuer.
    let mut ghes = expected;
    ghes.host = "ghe.example.com".into();
    let err = verify_bundle(&bundle, &ghes, &roots).unwrap_err();
    assert!(matches!(err, Error::WrongIssuer { .. }), "{err}");
}

#[test]
fn trusted_root_override_takes_json_lines_like_gh_prints() {
    // `gh attestation trusted-root` prints one compact root per line.
    let compact =
        |text: &str| serde_json::to_string(&serde_json::from_str::<Value>(text).unwrap()).unwrap();
    let public_good = compact(&String::from_utf8(fixture("public-good.json")).unwrap());
    let github = compact(attest_github_root());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trusted_root.jsonl");
    std::fs::write(&path, format!("{public_good}\n{github}\n")).unwrap();

    let roots = TrustRoots::from_env_value(Some(path.as_os_str())).unwrap();
    assert_eq!(roots.instances(), [Instance::Custom, Instance::Custom]);
    let v = verify_bundle(&fixture(RELEASE), &communique(ASSETS[2]), &roots).unwrap();
    assert_eq!((v.kind, v.instance), (Kind::Release, Instance::Custom));

    // Only the public-good root: GitHub's bundle is not trusted.
    std::fs::write(&path, &public_good).unwrap();
    let roots = TrustRoots::from_env_value(Some(path.as_os_str())).unwrap();
    let err = verify_bundle(&fixture(RELEASE), &communique(ASSETS[2]), &roots).unwrap_err();
    assert!(matches!(err, Error::Untrusted { .. }), "{err}");

    // Unset or empty: the embedded roots.
    for value in [None, Some(std::ffi::OsStr::new(""))] {
        let roots = TrustRoots::from_env_value(value).unwrap();
        assert_eq!(roots.instances(), [Instance::PublicGood, Instance::Github]);
    }

    // Unusable files say which and why, on one line.
    let missing = dir.path().join("missing.json");
    let err = TrustRoots::from_env_value(Some(missing.as_os_str())).unwrap_err();
    assert!(matches!(err, Error::TrustedRoot { .. }), "{err}");
    std::fs::write(&path, format!("{public_good}\nnot json\n")).unwrap();
    let err = TrustRoots::from_file(&path).unwrap_err();
    assert!(
        err.to_string().contains("line 2 is not a trusted root"),
        "{err}"
    );
    assert!(!err.to_string().contains('\n'));
}

/// GitHub's trusted root as sigstore-verify embeds it.
fn attest_github_root() -> &'static str {
    sigstore_verify::trust_root::SIGSTORE_GITHUB_TRUSTED_ROOT
}
