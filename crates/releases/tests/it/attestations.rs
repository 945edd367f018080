//! Attestations by subject digest: one request cold, none warm, cursor pages, `bundle_url`
//! downloads without the token, 404 as "none", and the cache rules for each.

use releases::{Error, GitHub};
use serde_json::Value;
use testkit::{FakeGitHub, Listener, TestSigstore};

use crate::support::{api_requests, client, config, github};

const ASSET: &str = "jira_1.7.0_linux_amd64.tar.gz";

fn hex(seed: &str) -> String {
    testkit::sha256_hex(seed.as_bytes())
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

/// The demo origin with a release attestation and build provenance for `hex("a")`, and a
/// release attestation for `hex("b")`.
fn served() -> (FakeGitHub, Vec<Vec<u8>>) {
    let github = github();
    let sigstore = TestSigstore::new();
    let a = hex("a");
    let commit = &hex("commit")[..40];
    let bundles = vec![
        sigstore.sign_release("acme", "tools", "1.7.0+jira", commit, &[(ASSET, &a)]),
        sigstore.sign_provenance(
            "acme/tools",
            ".github/workflows/release.yml",
            "refs/tags/1.7.0+jira",
            &[(ASSET, &a)],
        ),
    ];
    for b in &bundles {
        github.add_attestation("acme", "tools", b.clone());
    }
    let other = sigstore.sign_release("acme", "tools", "1.6.0+jira", commit, &[("x", &hex("b"))]);
    github.add_attestation("acme", "tools", other);
    (github, bundles)
}

#[test]
fn one_request_cold_none_warm() {
    let (github, bundles) = served();
    let cache = tempfile::tempdir().unwrap();
    let gh = client(&github, Some(cache.path()));
    let digest = format!("sha256:{}", hex("a"));

    let found = gh.attestations("acme", "tools", &digest).unwrap();
    assert_eq!(found.len(), 2);
    for (got, sent) in found.iter().zip(&bundles) {
        assert_eq!(json(&got.bundle), json(sent));
        assert!(got.repository_id.is_some());
    }
    let requests = api_requests(&github, "/attestations/");
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        requests[0].path,
        format!("/repos/acme/tools/attestations/sha256:{}", hex("a"))
    );
    assert_eq!(requests[0].query, "per_page=100");
    assert!(requests[0].authorized);

    // Warm: the same client, and a new process (a new client on the same cache).
    assert_eq!(gh.attestations("acme", "tools", &digest).unwrap(), found);
    let again = client(&github, Some(cache.path()));
    assert_eq!(again.attestations("acme", "tools", &digest).unwrap(), found);
    assert_eq!(api_requests(&github, "/attestations/").len(), 1);

    // Offline works from the cache.
    let mut cfg = config(&github, Some(cache.path()));
    cfg.offline = true;
    let offline = GitHub::new(cfg).unwrap();
    assert_eq!(
        offline.attestations("acme", "tools", &digest).unwrap(),
        found
    );
    let other = format!("sha256:{}", hex("never asked"));
    assert!(matches!(
        offline.attestations("acme", "tools", &other),
        Err(Error::NotInCache { .. })
    ));
}

#[test]
fn none_is_a_404_cached_for_the_usual_window() {
    let (github, _) = served();
    let cache = tempfile::tempdir().unwrap();
    let gh = client(&github, Some(cache.path()));
    let digest = format!("sha256:{}", hex("unattested"));
    assert_eq!(gh.attestations("acme", "tools", &digest).unwrap(), []);
    assert_eq!(gh.attestations("acme", "tools", &digest).unwrap(), []);
    let requests = api_requests(&github, "/attestations/");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].status, 404);

    // With the window over, "none" is asked again (and may have changed).
    let mut cfg = config(&github, Some(cache.path()));
    cfg.freshness = std::time::Duration::ZERO;
    let stale = GitHub::new(cfg).unwrap();
    assert_eq!(stale.attestations("acme", "tools", &digest).unwrap(), []);
    assert_eq!(api_requests(&github, "/attestations/").len(), 2);
    // An answer that lists attestations outlives the usual window.
    let digest = format!("sha256:{}", hex("a"));
    assert_eq!(gh.attestations("acme", "tools", &digest).unwrap().len(), 2);
    assert_eq!(
        stale.attestations("acme", "tools", &digest).unwrap().len(),
        2
    );
    assert_eq!(api_requests(&github, "/attestations/").len(), 3);
}

#[test]
fn cursor_pages_are_followed() {
    let github = github();
    let sigstore = TestSigstore::new();
    let digest = hex("popular");
    let bundle = sigstore.sign_release(
        "acme",
        "tools",
        "1.7.0+jira",
        &hex("c")[..40],
        &[(ASSET, &digest)],
    );
    for _ in 0..150 {
        github.add_attestation("acme", "tools", bundle.clone());
    }
    let gh = client(&github, None);
    let found = gh
        .attestations("acme", "tools", &format!("sha256:{digest}"))
        .unwrap();
    assert_eq!(found.len(), 150);
    let requests = api_requests(&github, "/attestations/");
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(
        requests[1].query.contains("after="),
        "{}",
        requests[1].query
    );
}

#[test]
fn bundle_urls_are_fetched_without_the_token_and_decompressed() {
    let (github, bundles) = served();
    github.update_repo("acme", "tools", |r| r.inline_bundles = false);
    let cache = tempfile::tempdir().unwrap();
    let gh = client(&github, Some(cache.path()));
    let digest = format!("sha256:{}", hex("a"));
    let found = gh.attestations("acme", "tools", &digest).unwrap();
    assert_eq!(found.len(), 2);
    for (got, sent) in found.iter().zip(&bundles) {
        assert_eq!(json(&got.bundle), json(sent));
    }
    let storage: Vec<_> = github
        .requests()
        .into_iter()
        .filter(|r| r.listener == Listener::Storage)
        .collect();
    assert_eq!(storage.len(), 2);
    assert!(storage.iter().all(|r| !r.authorized && r.status == 200));
    assert_eq!(github.storage_auth_leaks(), 0);
    // The resolved bundles are cached with the page: nothing is fetched again.
    gh.attestations("acme", "tools", &digest).unwrap();
    assert_eq!(github.requests().len(), 3);
}

#[test]
fn bad_digests_and_denied_tokens() {
    let (github, _) = served();
    let gh = client(&github, None);
    for bad in ["", "sha256:xyz", "sha1:0123", &hex("no prefix")] {
        assert!(matches!(
            gh.attestations("acme", "tools", bad),
            Err(Error::InvalidResponse { .. })
        ));
    }
    assert!(github.requests().is_empty());

    // A private origin the token cannot read answers 404 like "none": the caller has
    // already listed the releases, which reports the access problem.
    let anonymous = crate::support::anonymous(&github, None);
    let digest = format!("sha256:{}", hex("a"));
    assert_eq!(
        anonymous.attestations("acme", "tools", &digest).unwrap(),
        []
    );
}
