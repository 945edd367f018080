//! TLS against the fake GitHub behind an HTTPS front with a throwaway CA: trusted through
//! `SSL_CERT_FILE` it works end to end (listing, asset download through an HTTPS storage
//! host without the token); not trusted, it is one clear error saying how to trust the CA;
//! and the token never follows a redirect to plain http.

use hint::Hint as _;
use std::io::Read;

use releases::tls::TrustRoots;
use releases::{ClientConfig, Error, GitHub};
use testkit::Listener;
use testkit::tls::{HttpsFront, TestCa};

use crate::support::{config, github};

fn https_config(
    github: &testkit::FakeGitHub,
    api: &HttpsFront,
    roots: &[(&str, String)],
) -> ClientConfig {
    let mut cfg = config(github, None);
    cfg.api_url = api.url();
    cfg.trust = TrustRoots::from_env(&|k| {
        roots
            .iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| v.clone())
    });
    cfg
}

#[test]
fn trusted_through_ssl_cert_file_lists_and_downloads_over_https() {
    let github = github();
    let ca = TestCa::new();
    let api = HttpsFront::start(&github, &ca, Listener::Api).unwrap();
    let _storage = HttpsFront::start(&github, &ca, Listener::Storage).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bundle = ca.write_pem(dir.path()).unwrap();
    let cfg = https_config(
        &github,
        &api,
        &[("SSL_CERT_FILE", bundle.display().to_string())],
    );
    let gh = GitHub::new(cfg).unwrap();

    let releases = gh.list_releases("acme", "tools").unwrap();
    let asset = releases
        .into_iter()
        .flat_map(|r| r.assets)
        .find(|a| a.name == "jira_1.7.0_linux_amd64.tar.gz")
        .unwrap();
    assert!(asset.api_url.starts_with("https://"), "{}", asset.api_url);
    github.clear_log();
    let mut bytes = Vec::new();
    gh.download(&asset)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    assert_eq!(bytes.len() as u64, asset.size);
    // API and storage on different origins: the token went to the API only.
    let log = github.requests();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log[0].authorized && log[0].listener == Listener::Api);
    assert!(!log[1].authorized && log[1].listener == Listener::Storage);
    assert_eq!(github.storage_auth_leaks(), 0);
}

#[test]
fn an_untrusted_ca_is_one_clear_error_saying_how_to_trust_it() {
    let github = github();
    let ca = TestCa::new();
    let api = HttpsFront::start(&github, &ca, Listener::Api).unwrap();
    // The OS trust store (this CA is not in it), and a bundle holding another CA.
    let other = TestCa::new();
    let dir = tempfile::tempdir().unwrap();
    let other_bundle = other.write_pem(dir.path()).unwrap();
    for roots in [
        vec![],
        vec![("SSL_CERT_FILE", other_bundle.display().to_string())],
    ] {
        github.clear_log();
        let gh = GitHub::new(https_config(&github, &api, &roots)).unwrap();
        let err = gh.list_releases("acme", "tools").unwrap_err();
        let Error::UntrustedCertificate { host, reason, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(host, &api.addr().ip().to_string());
        assert!(reason.contains("does not trust"), "{reason}");
        assert!(
            err.to_string().starts_with(&format!(
                "the TLS certificate of {} was rejected: it was issued by a certificate authority this machine does not trust",
                api.addr().ip()
            )),
            "{err}"
        );
        let hints = err.hints();
        assert_eq!(hints.len(), 1, "{hints:?}");
        assert!(
            hints[0].contains("OS trust store") && hints[0].contains("SSL_CERT_FILE"),
            "{hints:?}"
        );
        assert!(!err.is_transient(), "a rejected certificate is not retried");
        assert!(github.requests().is_empty(), "no request got through");
    }
}

#[test]
fn the_token_never_follows_a_redirect_from_https_to_plain_http() {
    // The API is served over https, the storage host stays plain http: the asset redirect
    // would downgrade, so it is refused before any byte (or the token) goes anywhere.
    let github = github();
    let ca = TestCa::new();
    let api = HttpsFront::start(&github, &ca, Listener::Api).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bundle = ca.write_pem(dir.path()).unwrap();
    let gh = GitHub::new(https_config(
        &github,
        &api,
        &[("SSL_CERT_FILE", bundle.display().to_string())],
    ))
    .unwrap();
    let asset = gh
        .list_releases("acme", "tools")
        .unwrap()
        .into_iter()
        .flat_map(|r| r.assets)
        .next()
        .unwrap();
    github.clear_log();
    let err = gh.download(&asset).unwrap_err();
    assert!(
        matches!(err, Error::InsecureRedirect { .. }),
        "{err:?}: {err}"
    );
    assert!(
        err.to_string().contains("(https to http downgrade)"),
        "{err}"
    );
    let log = github.requests();
    assert!(
        log.iter().all(|r| r.listener == Listener::Api),
        "storage was contacted: {log:?}"
    );
    assert_eq!(github.storage_auth_leaks(), 0);
}

#[test]
fn a_bundle_without_certificates_is_an_error_naming_it() {
    let github = github();
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not PEM").unwrap();
    let ca = TestCa::new();
    let api = HttpsFront::start(&github, &ca, Listener::Api).unwrap();
    // The roots are loaded on the first request (a run served from the cache never needs
    // them), and that request fails naming the file; nothing is sent.
    let gh = GitHub::new(https_config(
        &github,
        &api,
        &[("SSL_CERT_FILE", junk.display().to_string())],
    ))
    .unwrap();
    let err = gh.list_releases("acme", "tools").unwrap_err();
    assert!(matches!(err, Error::TrustRoots { .. }), "{err:?}");
    assert_eq!(github.requests().len(), 0);
    assert!(err.to_string().contains("junk.pem"), "{err}");
}
