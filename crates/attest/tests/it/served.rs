//! The whole library path: the fake GitHub serves an origin whose attestations the testkit's
//! Sigstore instance signed; the releases client lists the release and fetches the
//! attestations by the asset's digest; attest judges them against the instance's trusted
//! root, read from a file as `SKILLRIG_TRUSTED_ROOT` would name it. The scenarios are the
//! issue's: required + valid, asset swapped after signing, missing under required and auto,
//! wrong repository in the certificate.

use attest::{AssetDigest, Error, Expected, Kind, Policy, TrustRoots, assess};
use releases::{AssetInfo, ClientConfig, GitHub, RetryPolicy};
use testkit::{FakeGitHub, TestSigstore, TokenSpec, demo_origin};

const TOKEN: &str = "ghp_attest_test_token";
const TAG: &str = "1.7.0+jira";

struct World {
    github: FakeGitHub,
    sigstore: TestSigstore,
    roots: TrustRoots,
    _dir: tempfile::TempDir,
    cache: std::path::PathBuf,
}

fn world() -> World {
    let github = FakeGitHub::start();
    github.add_repo(demo_origin().build());
    github.add_token(TokenSpec::new(TOKEN, "alice").owner("acme"));
    let sigstore = TestSigstore::new();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("trusted_root.json");
    std::fs::write(&root, sigstore.trusted_root_json()).unwrap();
    let roots = TrustRoots::from_env_value(Some(root.as_os_str())).unwrap();
    let cache = dir.path().join("cache");
    World {
        github,
        sigstore,
        roots,
        _dir: dir,
        cache,
    }
}

impl World {
    fn client(&self) -> GitHub {
        let mut cfg = ClientConfig::new(origin_host());
        cfg.api_url = self.github.api_url();
        cfg.credential = Some(releases::Credential::new(TOKEN.into(), "test"));
        cfg.cache_dir = Some(self.cache.clone());
        cfg.retry = RetryPolicy::without_delays();
        GitHub::new(cfg).unwrap()
    }

    /// The linux/amd64 jira asset of `TAG`, as the listing describes it.
    fn asset(&self, gh: &GitHub) -> AssetInfo {
        let listing = gh.list_releases("acme", "tools").unwrap();
        let release = listing.iter().find(|r| r.tag == TAG).unwrap();
        release
            .assets
            .iter()
            .find(|a| a.name.contains("linux_amd64"))
            .unwrap()
            .clone()
    }

    /// Lists, fetches by the digest of the bytes actually downloaded, and assesses.
    fn install(&self, policy: Policy) -> Result<attest::Assessment, Error> {
        let gh = self.client();
        let asset = self.asset(&gh);
        let mut bytes = Vec::new();
        std::io::copy(&mut gh.download(&asset).unwrap(), &mut bytes).unwrap();
        let digest = AssetDigest::sha256(&testkit::sha256_hex(&bytes)).unwrap();
        let bundles = gh
            .attestations("acme", "tools", &digest.to_string())
            .unwrap();
        let expected = Expected::new("github.com", "acme", "tools", TAG, digest);
        assess(&bundles, &expected, &self.roots, policy)
    }

    fn digest(&self) -> String {
        let asset = self.asset(&self.client());
        asset
            .digest
            .unwrap()
            .trim_start_matches("sha256:")
            .to_owned()
    }

    fn attest_release(&self, commit: &str) {
        let digest = self.digest();
        let asset = self.asset(&self.client()).name;
        let bundle = self
            .sigstore
            .sign_release("acme", "tools", TAG, commit, &[(&asset, &digest)]);
        self.github.add_attestation("acme", "tools", bundle);
    }
}

fn origin_host() -> origin_meta::Host {
    origin_meta::Host::github_com()
}

#[test]
fn required_and_valid_installs_and_records_the_tag_commit() {
    let w = world();
    let commit = &testkit::sha256_hex(b"tag commit")[..40];
    w.attest_release(commit);
    let digest = w.digest();
    let asset = w.asset(&w.client()).name;
    let provenance = w.sigstore.sign_provenance(
        "acme/tools",
        ".github/workflows/release.yml",
        "refs/tags/1.7.0+jira",
        &[(&asset, &digest)],
    );
    w.github.add_attestation("acme", "tools", provenance);

    w.github.clear_log();
    let found = w.install(Policy::Required).unwrap();
    let kinds: Vec<Kind> = found.verified.iter().map(|v| v.kind).collect();
    assert_eq!(kinds, [Kind::Release, Kind::BuildProvenance]);
    assert_eq!(found.tag_commit(), Some(commit));
    // One extra request for the tool, the attestations list.
    assert_eq!(w.github.count("/attestations/"), 1);

    // Warm: none.
    w.github.clear_log();
    w.install(Policy::Required).unwrap();
    assert_eq!(w.github.count("/attestations/"), 0);
}

#[test]
fn an_asset_swapped_after_signing_is_refused() {
    let w = world();
    w.attest_release(&testkit::sha256_hex(b"c")[..40]);
    let name = w.asset(&w.client()).name;
    w.github
        .tamper_asset("acme", "tools", &name, b"not what was attested".to_vec());
    // The swapped bytes have no attestation of their own.
    let err = w.install(Policy::Required).unwrap_err();
    assert!(matches!(err, Error::Missing { .. }), "{err}");
    // Had the attacker also listed the old attestation under the new digest, its subject
    // would not match.
    let gh = w.client();
    let bundles = gh
        .attestations("acme", "tools", &format!("sha256:{}", w.digest()))
        .unwrap();
    let swapped = AssetDigest::sha256(&testkit::sha256_hex(b"not what was attested")).unwrap();
    let expected = Expected::new("github.com", "acme", "tools", TAG, swapped);
    let err = assess(&bundles, &expected, &w.roots, Policy::Auto).unwrap_err();
    assert!(matches!(err, Error::WrongSubject { .. }), "{err}");
}

#[test]
fn missing_is_refused_under_required_and_absent_under_auto() {
    let w = world();
    let err = w.install(Policy::Required).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "acme/tools has no valid attestation for sha256:{}",
            w.digest()
        )
    );
    assert!(hint::Hint::hints(&err)[0].contains("immutable releases"));
    let found = w.install(Policy::Auto).unwrap();
    assert!(found.verified.is_empty());
    assert_eq!(found.tag_commit(), None);
}

#[test]
fn wrong_repository_in_the_certificate_is_refused() {
    let w = world();
    let digest = w.digest();
    let asset = w.asset(&w.client()).name;
    let forged = w.sigstore.sign_provenance(
        "mallory/tools",
        ".github/workflows/release.yml",
        "refs/heads/main",
        &[(&asset, &digest)],
    );
    w.github.add_attestation("acme", "tools", forged);
    for policy in [Policy::Auto, Policy::Required] {
        let err = w.install(policy).unwrap_err();
        assert!(matches!(err, Error::WrongRepository { .. }), "{err}");
    }
}
