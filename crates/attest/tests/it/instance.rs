//! The testkit's Sigstore instance, verified by this crate against its trusted root: the
//! positive cases and every mutation the e2e tests rely on.

use attest::{AssetDigest, Error, Expected, Instance, Kind, TrustRoots, verify_bundle};
use testkit::sigstore::{Signer, TestSigstore, Timing, provenance_statement, release_statement};

const ASSET: &str = "jira_1.7.0_linux_amd64.tar.gz";
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

fn sha(seed: &str) -> String {
    testkit::sha256_hex(seed.as_bytes())
}

fn setup() -> (TestSigstore, TrustRoots) {
    let sigstore = TestSigstore::new();
    let roots = TrustRoots::from_json(&sigstore.trusted_root_json(), "testkit").unwrap();
    (sigstore, roots)
}

fn expected(digest: &str) -> Expected {
    Expected::new(
        "github.com",
        "acme",
        "tools",
        "1.7.0+jira",
        AssetDigest::sha256(digest).unwrap(),
    )
}

#[test]
fn release_attestations_verify_and_carry_the_tag_commit() {
    let (sigstore, roots) = setup();
    let digest = sha("asset");
    let bundle = sigstore.sign_release("acme", "tools", "1.7.0+jira", COMMIT, &[(ASSET, &digest)]);
    let v = verify_bundle(&bundle, &expected(&digest), &roots).unwrap();
    assert_eq!((v.kind, v.instance), (Kind::Release, Instance::Custom));
    assert_eq!(v.tag_commit.as_deref(), Some(COMMIT));
    assert_eq!(v.signer, "https://dotcom.releases.github.com");

    // The embedded roots do not trust the test instance, nor another test instance.
    let err = verify_bundle(
        &bundle,
        &expected(&digest),
        &TrustRoots::embedded().unwrap(),
    );
    assert!(matches!(err, Err(Error::Untrusted { .. })), "{err:?}");
    let other = TestSigstore::new();
    let other_roots = TrustRoots::from_json(&other.trusted_root_json(), "other").unwrap();
    assert!(matches!(
        verify_bundle(&bundle, &expected(&digest), &other_roots),
        Err(Error::Untrusted { .. })
    ));
}

#[test]
fn asset_swapped_after_signing_fails() {
    let (sigstore, roots) = setup();
    let bundle = sigstore.sign_release(
        "acme",
        "tools",
        "1.7.0+jira",
        COMMIT,
        &[(ASSET, &sha("asset"))],
    );
    let err = verify_bundle(&bundle, &expected(&sha("swapped")), &roots).unwrap_err();
    assert!(matches!(err, Error::WrongSubject { .. }), "{err}");
}

#[test]
fn build_provenance_checks_repository_and_workflow() {
    let (sigstore, roots) = setup();
    let digest = sha("asset");
    let workflow = ".github/workflows/release.yml";
    let bundle = sigstore.sign_provenance(
        "acme/tools",
        workflow,
        "refs/tags/1.7.0+jira",
        &[(ASSET, &digest)],
    );
    let v = verify_bundle(&bundle, &expected(&digest), &roots).unwrap();
    assert_eq!(v.kind, Kind::BuildProvenance);
    assert_eq!(
        v.issuer.as_deref(),
        Some("https://token.actions.githubusercontent.com")
    );
    assert_eq!(
        v.signer,
        "https://github.com/acme/tools/.github/workflows/release.yml@refs/tags/1.7.0+jira"
    );
    let pinned =
        expected(&digest).signer_workflow("acme/tools/.github/workflows/release.yml@refs/tags/*");
    assert!(verify_bundle(&bundle, &pinned, &roots).is_ok());
    let other = expected(&digest).signer_workflow("acme/tools/.github/workflows/nightly.yml");
    assert!(matches!(
        verify_bundle(&bundle, &other, &roots),
        Err(Error::WrongWorkflow { .. })
    ));

    // Wrong repository in the certificate: a workflow of another repository.
    let forged = sigstore.sign_provenance(
        "mallory/tools",
        workflow,
        "refs/heads/main",
        &[(ASSET, &digest)],
    );
    let err = verify_bundle(&forged, &expected(&digest), &roots).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the build-provenance attestation is for repository `mallory/tools`, not `acme/tools`"
    );
}

#[test]
fn a_workflow_cannot_pose_as_the_release_signer() {
    let (sigstore, roots) = setup();
    let digest = sha("asset");
    // A release statement signed by a workflow of the origin: a workflow attestation with a
    // release predicate, never a release attestation (no tag commit is taken from it).
    let statement = release_statement("acme", "tools", "1.7.0+jira", COMMIT, &[(ASSET, &digest)]);
    let bundle = sigstore.sign(
        &statement,
        &Signer::actions("acme/tools", ".github/workflows/x.yml", "refs/heads/main"),
        Timing::Normal,
    );
    let v = verify_bundle(&bundle, &expected(&digest), &roots).unwrap();
    assert_eq!((v.kind, v.tag_commit), (Kind::Other, None));

    // A release signer with another SAN is nobody we know.
    let odd = Signer::Release {
        san: "https://releases.example.invalid".into(),
    };
    let bundle = sigstore.sign(&statement, &odd, Timing::Normal);
    assert!(matches!(
        verify_bundle(&bundle, &expected(&digest), &roots),
        Err(Error::UnknownSigner { .. })
    ));

    // A release-signer certificate for provenance is not a release.
    let statement = provenance_statement(
        "acme/tools",
        ".github/workflows/x.yml",
        "refs/heads/main",
        &[(ASSET, &digest)],
    );
    let bundle = sigstore.sign(&statement, &Signer::github_release(), Timing::Normal);
    assert!(matches!(
        verify_bundle(&bundle, &expected(&digest), &roots),
        Err(Error::Statement {
            kind: Kind::Release,
            ..
        })
    ));
}

#[test]
fn certificate_lifetimes_need_a_valid_timestamp() {
    let (sigstore, roots) = setup();
    let digest = sha("asset");
    let statement = release_statement("acme", "tools", "1.7.0+jira", COMMIT, &[(ASSET, &digest)]);
    let sign = |timing| sigstore.sign(&statement, &Signer::github_release(), timing);

    // Expired now, but the timestamp shows it signed while valid.
    assert!(
        verify_bundle(
            &sign(Timing::ExpiredButTimestamped),
            &expected(&digest),
            &roots
        )
        .is_ok()
    );
    // Expired, and nothing shows when it signed.
    let err = verify_bundle(
        &sign(Timing::ExpiredWithoutTimestamp),
        &expected(&digest),
        &roots,
    )
    .unwrap_err();
    assert!(matches!(err, Error::NotValidAtSigning { .. }), "{err}");
    // Expired before the timestamp.
    let err = verify_bundle(
        &sign(Timing::TimestampedAfterExpiry),
        &expected(&digest),
        &roots,
    )
    .unwrap_err();
    assert!(matches!(err, Error::NotValidAtSigning { .. }), "{err}");
    assert!(err.to_string().to_lowercase().contains("expired"), "{err}");
}
