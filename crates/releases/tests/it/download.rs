//! Downloads: the redirect to storage without `Authorization`, streaming, direct 200s,
//! retries, and short bodies.

use hint::Hint as _;
use std::io::Read;

use releases::{AssetInfo, Error, GitHub};
use testkit::{Asset, Fault, FaultKind, Listener, Release, Repo, sha256_hex};

use crate::support::{api_requests, canned_server, client, config, github, raw_response};

fn asset(gh: &GitHub, name: &str) -> AssetInfo {
    gh.list_releases("acme", "tools")
        .unwrap()
        .into_iter()
        .flat_map(|r| r.assets)
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no asset {name}"))
}

fn read_all(mut d: impl Read) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    d.read_to_end(&mut out)?;
    Ok(out)
}

#[test]
fn redirect_to_storage_carries_no_authorization() {
    let github = github();
    let gh = client(&github, None);
    let a = asset(&gh, "jira_1.7.0_linux_amd64.tar.gz");
    github.clear_log();

    let download = gh.download(&a).unwrap();
    assert_eq!(download.content_length(), Some(a.size));
    assert!(
        !download.url().contains("X-Signature"),
        "{}",
        download.url()
    );
    let bytes = read_all(download).unwrap();

    assert_eq!(
        a.digest.as_deref(),
        Some(format!("sha256:{}", sha256_hex(&bytes)).as_str())
    );
    assert_eq!(github.storage_auth_leaks(), 0);
    let log = github.requests();
    let api: Vec<_> = log.iter().filter(|r| r.listener == Listener::Api).collect();
    let storage: Vec<_> = log
        .iter()
        .filter(|r| r.listener == Listener::Storage)
        .collect();
    assert_eq!((api.len(), storage.len()), (1, 1));
    assert!(api[0].authorized);
    assert_eq!(api[0].accept.as_deref(), Some("application/octet-stream"));
    assert_eq!(api[0].status, 302);
    assert!(!storage[0].authorized);
    assert_eq!(storage[0].status, 200);
}

#[test]
fn a_direct_200_is_streamed_too() {
    // Enterprise Server may serve the asset itself instead of redirecting.
    let body = "x".repeat(100_000);
    let (base, seen) = canned_server(vec![raw_response(
        "200 OK",
        &[("Content-Type", "application/octet-stream")],
        &body,
    )]);
    let mut cfg = config(&testkit::FakeGitHub::start(), None);
    cfg.api_url = format!("{base}/api/v3");
    let gh = GitHub::new(cfg).unwrap();
    let a = AssetInfo {
        id: 7,
        name: "tool.tar.gz".to_owned(),
        size: body.len() as u64,
        digest: None,
        api_url: format!("{base}/api/v3/repos/acme/tools/releases/assets/7"),
        content_type: "application/gzip".to_owned(),
    };
    let mut d = gh.download(&a).unwrap();
    let mut first = [0u8; 10];
    d.read_exact(&mut first).unwrap();
    assert_eq!(d.bytes_read(), 10);
    let rest = read_all(d).unwrap();
    assert_eq!(rest.len() + 10, body.len());
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].header("accept"), Some("application/octet-stream"));
    assert!(seen[0].header("authorization").is_some());
}

#[test]
fn injected_502s_are_retried() {
    let github = github();
    let gh = client(&github, None);
    github.inject(Fault::new("/releases", FaultKind::Status(502)).times(2));
    assert!(!gh.list_releases("acme", "tools").unwrap().is_empty());
    let statuses: Vec<u16> = api_requests(&github, "/releases")
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [502, 502, 200]);
    assert_eq!(gh.stats().retries, 2);

    // On the API asset URL and on the storage host alike.
    let a = asset(&gh, "tfc_0.1.0_linux_arm64.tar.gz");
    github.clear_log();
    github.inject(Fault::new("/releases/assets/", FaultKind::Status(502)));
    github.inject(Fault::new("tfc_0.1.0_linux_arm64", FaultKind::Status(503)));
    let bytes = read_all(gh.download(&a).unwrap()).unwrap();
    assert_eq!(bytes.len() as u64, a.size);
    let statuses: Vec<(Listener, u16)> = github
        .requests()
        .iter()
        .map(|r| (r.listener, r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            (Listener::Api, 502),
            (Listener::Api, 302),
            (Listener::Storage, 503),
            (Listener::Api, 302),
            (Listener::Storage, 200)
        ]
    );
}

#[test]
fn retries_are_bounded() {
    let github = github();
    let gh = client(&github, None);
    github.inject(Fault::new("/releases", FaultKind::Status(502)).times(5));
    let err = gh.list_releases("acme", "tools").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "GitHub returned HTTP 502 for {}/repos/acme/tools/releases?…: injected fault",
            github.api_url()
        )
    );
    assert!(err.is_transient());
    assert_eq!(api_requests(&github, "/releases").len(), 3);
}

#[test]
fn four_hundreds_are_not_retried() {
    let github = github();
    let gh = client(&github, None);
    github.inject(Fault::new("/releases", FaultKind::Status(422)).times(5));
    assert!(matches!(
        gh.list_releases("acme", "tools"),
        Err(Error::Http { status: 422, .. })
    ));
    assert_eq!(api_requests(&github, "/releases").len(), 1);
}

/// The sha256 digest GitHub would report for `bytes`.
fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(bytes))
}

/// Storage requests for `fragment`, with the `Range` each carried.
fn storage_ranges(github: &testkit::FakeGitHub, fragment: &str) -> Vec<Option<String>> {
    github
        .requests()
        .into_iter()
        .filter(|r| r.listener == Listener::Storage && r.path.contains(fragment))
        .map(|r| r.range)
        .collect()
}

#[test]
fn a_truncated_body_resumes_from_the_byte_reached() {
    let github = github();
    let notices = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = notices.clone();
    let gh = crate::support::client_with(&github, None, move |cfg| {
        cfg.notify = releases::Notifier::new(move |n| seen.lock().unwrap().push(n.to_string()));
    });
    let a = asset(&gh, "oxid_0.5.0_linux_amd64.tar.gz");
    github.inject(Fault::new(
        "oxid_0.5.0_linux_amd64",
        FaultKind::TruncateBody,
    ));

    let bytes = read_all(gh.download(&a).unwrap()).unwrap();
    assert_eq!(bytes.len() as u64, a.size);
    assert_eq!(Some(digest_of(&bytes)), a.digest);
    // The second request asked for the rest only, and went through the API again (a signed
    // storage URL may have expired).
    assert_eq!(
        storage_ranges(&github, "oxid_0.5.0_linux_amd64"),
        [None, Some(format!("bytes={}-", a.size / 2))]
    );
    assert_eq!(
        api_requests(&github, &format!("/releases/assets/{}", a.id)).len(),
        2
    );
    assert_eq!(github.storage_auth_leaks(), 0);
    assert_eq!(
        notices.lock().unwrap().as_slice(),
        [format!(
            "download of oxid_0.5.0_linux_amd64.tar.gz interrupted; resuming at byte {}",
            a.size / 2
        )]
    );
}

#[test]
fn a_reset_mid_body_resumes() {
    let github = github();
    let gh = client(&github, None);
    let a = asset(&gh, "oxid_0.4.0_linux_amd64.tar.gz");
    github.inject(Fault::new(
        "oxid_0.4.0_linux_amd64",
        FaultKind::ResetMidBody,
    ));
    let bytes = read_all(gh.download(&a).unwrap()).unwrap();
    assert_eq!(Some(digest_of(&bytes)), a.digest);
    let ranges = storage_ranges(&github, "oxid_0.4.0_linux_amd64");
    assert_eq!(ranges.len(), 2, "{ranges:?}");
    assert!(ranges[1].is_some(), "{ranges:?}");
}

#[test]
fn a_server_that_ignores_ranges_sends_everything_and_what_was_read_is_skipped() {
    let github = github();
    let gh = client(&github, None);
    let a = asset(&gh, "oxid_0.5.0_linux_amd64.tar.gz");
    github.ignore_ranges(true);
    github.inject(Fault::new(
        "oxid_0.5.0_linux_amd64",
        FaultKind::TruncateBody,
    ));
    let bytes = read_all(gh.download(&a).unwrap()).unwrap();
    assert_eq!(bytes.len() as u64, a.size, "every byte exactly once");
    assert_eq!(Some(digest_of(&bytes)), a.digest);
    let answers: Vec<u16> = github
        .requests()
        .into_iter()
        .filter(|r| r.listener == Listener::Storage)
        .map(|r| r.status)
        .collect();
    assert_eq!(answers, [200, 200], "the range was ignored");
}

#[test]
fn a_body_that_keeps_breaking_ends_as_a_short_body_after_bounded_attempts() {
    let github = github();
    let gh = client(&github, None);
    let a = asset(&gh, "oxid_0.5.0_linux_amd64.tar.gz");
    github.inject(Fault::new("oxid_0.5.0_linux_amd64", FaultKind::TruncateBody).times(100));
    let err = read_all(gh.download(&a).unwrap()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    let inner = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<Error>())
        .unwrap();
    let Error::ShortBody { expected, got, .. } = inner else {
        panic!("{inner:?}")
    };
    assert_eq!(*expected, a.size);
    assert!(*got > a.size / 2 && *got < a.size, "{got}");
    assert!(
        inner.to_string().starts_with("the download from http://"),
        "{inner}"
    );
    // Three attempts in all (the default policy), never more.
    assert_eq!(storage_ranges(&github, "oxid_0.5.0_linux_amd64").len(), 3);
}

#[test]
fn a_download_only_starts_from_a_release_asset_url_on_the_api_origin() {
    let github = github();
    let gh = client(&github, None);
    let good = asset(&gh, "oxid_0.5.0_linux_amd64.tar.gz");
    for url in [
        // Another host (say, from a forged cache entry).
        "http://127.0.0.1:9/repos/acme/tools/releases/assets/1".to_owned(),
        // The API origin, but not a release asset.
        format!("{}/repos/acme/tools/contents/evil", github.api_url()),
        format!(
            "{}/repos/acme/tools/releases/assets/1/../../x",
            github.api_url()
        ),
    ] {
        let mut a = good.clone();
        a.api_url = url.clone();
        let err = gh.download(&a).unwrap_err();
        assert!(
            err.to_string()
                .contains("does not come from a release of this API"),
            "{url}: {err}"
        );
    }
    assert_eq!(
        github.requests().len(),
        1,
        "only the listing: nothing was fetched"
    );
}

#[test]
fn a_body_cut_before_the_first_byte_is_retried() {
    let github = github();
    let mut repo = Repo::new("acme", "tiny", false);
    let mut release = Release::new("1.0.0+one");
    release.assets.push(Asset::new("one.bin", vec![42]));
    repo.releases.push(release);
    github.add_repo(repo);
    let gh = client(&github, None);
    let a = gh.list_releases("acme", "tiny").unwrap()[0].assets[0].clone();

    // Half of one byte is none: the first response ends before any byte.
    github.inject(Fault::new("one.bin", FaultKind::TruncateBody));
    assert_eq!(read_all(gh.download(&a).unwrap()).unwrap(), [42]);
    assert_eq!(github.count("one.bin"), 2);
    assert_eq!(github.storage_auth_leaks(), 0);
}

#[test]
fn missing_assets_are_not_found_with_the_doctor_hint() {
    let github = github();
    let gh = client(&github, None);
    let mut a = asset(&gh, "jira_1.7.0_linux_amd64.tar.gz");
    a.api_url = a.api_url.replace(&a.id.to_string(), "999999");
    let err = gh.download(&a).unwrap_err();
    assert_eq!(
        err.to_string(),
        "asset `jira_1.7.0_linux_amd64.tar.gz` not found on github.com (HTTP 404; sent the token \
         from `credential_command`)"
    );
    assert!(
        err.hints()
            .first()
            .cloned()
            .unwrap()
            .contains("skillrig-auth doctor --repo acme/tools")
    );
}
