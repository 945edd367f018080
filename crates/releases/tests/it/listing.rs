//! Listing, pagination, drafts/prereleases, resolution on a real listing, metadata files and
//! the request headers.

use std::collections::HashSet;

use crate::support::{
    SOURCE, TOKEN, anonymous, api_requests, big_origin, canned_server, client, github, jira,
    raw_response,
};
use releases::{Error, pick_asset, resolve, stream_versions};

#[test]
fn pagination_follows_link_headers_over_more_than_100_releases() {
    let github = github();
    github.add_repo(big_origin(250));
    let gh = client(&github, None);

    let releases = gh.list_releases("acme", "big").unwrap();

    // 250 + the prerelease; the draft is dropped although the token may see it.
    assert_eq!(releases.len(), 251);
    let ids: HashSet<u64> = releases.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 251, "no duplicates");
    assert!(releases.iter().all(|r| !r.draft));
    // 252 visible releases (with the draft) at 100 per page = 3 requests, one per page.
    let pages = api_requests(&github, "/repos/acme/big/releases");
    assert_eq!(pages.len(), 3);
    let queries: Vec<&str> = pages.iter().map(|r| r.query.as_str()).collect();
    assert_eq!(
        queries,
        ["per_page=100", "per_page=100&page=2", "per_page=100&page=3"]
    );
    assert!(
        pages
            .iter()
            .all(|r| r.authorized && r.login.as_deref() == Some("alice"))
    );
    assert!(
        pages
            .iter()
            .all(|r| r.accept.as_deref() == Some("application/vnd.github+json"))
    );
    assert_eq!(gh.stats().requests, 3);
}

#[test]
fn drafts_are_excluded_and_prereleases_flagged() {
    let github = github();
    let gh = client(&github, None);
    let releases = gh.list_releases("acme", "tools").unwrap();

    // The demo's jira stream: 4 releases, a GitHub prerelease `2.11.0-rc.1`, a draft `3.0.0`.
    assert!(releases.iter().all(|r| r.tag != "3.0.0+jira"));
    let stream = stream_versions(&releases, &jira());
    let got: Vec<(String, bool)> = stream
        .iter()
        .map(|s| (s.version.to_string(), s.prerelease))
        .collect();
    assert_eq!(
        got,
        [
            ("1.6.0".to_owned(), false),
            ("1.7.0".to_owned(), false),
            ("2.9.0".to_owned(), false),
            ("2.10.0".to_owned(), false),
            ("2.11.0-rc.1".to_owned(), true),
        ]
    );
    let rc = releases
        .iter()
        .find(|r| r.tag == "2.11.0-rc.1+jira")
        .unwrap();
    assert!(rc.prerelease, "GitHub's flag is kept on the release");

    // Resolution works on the listing already fetched: no further request.
    let before = github.requests().len();
    let latest = resolve(&releases, &jira(), "latest").unwrap();
    assert_eq!(latest.version.to_string(), "2.10.0");
    let exact = resolve(&releases, &jira(), "1.7.0").unwrap();
    assert_eq!(exact.release.tag, "1.7.0+jira");
    let asset = pick_asset(exact.release, &["jira_1.7.0_linux_amd64.tar.gz".to_owned()]).unwrap();
    assert!(asset.digest.as_deref().unwrap().starts_with("sha256:"));
    assert!(
        asset
            .api_url
            .ends_with(&format!("/releases/assets/{}", asset.id))
    );
    assert_eq!(github.requests().len(), before);
}

#[test]
fn metadata_files_raw_at_default_branch_or_ref() {
    let github = github();
    github.update_repo("acme", "tools", |repo| {
        repo.put_file_at("1.7.0+jira", ".skillrig-origin.toml", "at the tag\n");
    });
    let gh = client(&github, None);

    let index = gh
        .file("acme", "tools", "index.json", None)
        .unwrap()
        .unwrap();
    assert!(
        String::from_utf8(index)
            .unwrap()
            .contains("\"skillrigConvention\": 1")
    );
    let at_tag = gh
        .file("acme", "tools", ".skillrig-origin.toml", Some("1.7.0+jira"))
        .unwrap();
    assert_eq!(at_tag.as_deref(), Some(&b"at the tag\n"[..]));
    // A missing file is "no metadata": Ok(None).
    assert_eq!(
        gh.file("acme", "tools", "nope/index.json", None).unwrap(),
        None
    );

    let log = api_requests(&github, "/contents/");
    assert!(
        log.iter()
            .all(|r| r.accept.as_deref() == Some("application/vnd.github.raw"))
    );
    // `+` in a ref is percent-encoded.
    assert!(log.iter().any(|r| r.query == "ref=1.7.0%2Bjira"), "{log:?}");

    // A ref that does not exist is an error, not "no metadata".
    let err = gh
        .file("acme", "tools", "index.json", Some("no-such-branch"))
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "ref `no-such-branch` of acme/tools not found on github.com (HTTP 404; sent the token from `{SOURCE}`)"
        )
    );
}

#[test]
fn public_origins_work_anonymously() {
    let github = github();
    github.add_repo(
        testkit::OriginBuilder::new("acme", "public")
            .public()
            .cli(testkit::Cli::new("jira").versions(&["1.0.0"]))
            .build(),
    );
    let gh = anonymous(&github, None);
    assert!(!gh.list_releases("acme", "public").unwrap().is_empty());
    assert!(
        api_requests(&github, "/repos/acme/public")
            .iter()
            .all(|r| !r.authorized)
    );
}

#[test]
fn requests_carry_githubs_headers_and_the_bearer_token() {
    let (base, seen) = canned_server(vec![raw_response(
        "200 OK",
        &[("Content-Type", "application/json")],
        "[]",
    )]);
    let mut cfg = crate::support::config(&testkit::FakeGitHub::start(), None);
    cfg.api_url = base;
    let gh = releases::GitHub::new(cfg).unwrap();
    assert!(gh.list_releases("acme", "tools").unwrap().is_empty());

    let seen = seen.lock().unwrap();
    let req = &seen[0];
    assert_eq!(
        req.line,
        "GET /repos/acme/tools/releases?per_page=100 HTTP/1.1"
    );
    assert_eq!(req.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(req.header("x-github-api-version"), Some("2022-11-28"));
    assert_eq!(
        req.header("user-agent"),
        Some(format!("skillrig-mise/{}", env!("CARGO_PKG_VERSION")).as_str())
    );
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[test]
fn renamed_repositories_follow_same_origin_redirects_only() {
    // GitHub answers 301 with the new API URL for a renamed repository.
    let (base, seen) = canned_server(vec![
        raw_response(
            "301 Moved Permanently",
            &[("Location", "{self}/repositories/42/releases?per_page=100")],
            "",
        ),
        raw_response("200 OK", &[("Content-Type", "application/json")], "[]"),
    ]);
    let mut cfg = crate::support::config(&testkit::FakeGitHub::start(), None);
    cfg.api_url = base;
    let gh = releases::GitHub::new(cfg).unwrap();
    assert!(gh.list_releases("acme", "old-name").unwrap().is_empty());
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[1].line,
        "GET /repositories/42/releases?per_page=100 HTTP/1.1"
    );
    assert!(
        seen[1].header("authorization").is_some(),
        "same origin keeps the token"
    );
}

#[test]
fn api_redirects_to_another_host_are_refused_without_contacting_it() {
    let (other, other_seen) = canned_server(vec![raw_response("200 OK", &[], "[]")]);
    let (base, _) = canned_server(vec![raw_response(
        "302 Found",
        &[("Location", &format!("{other}/steal"))],
        "",
    )]);
    let mut cfg = crate::support::config(&testkit::FakeGitHub::start(), None);
    cfg.api_url = base;
    let gh = releases::GitHub::new(cfg).unwrap();
    let err = gh.list_releases("acme", "tools").unwrap_err();
    assert!(matches!(err, Error::BadRedirect { .. }), "{err:?}");
    assert!(
        err.to_string()
            .ends_with("an API response redirects to another host")
    );
    assert!(other_seen.lock().unwrap().is_empty());
}

#[test]
fn tags_list_every_page_with_commits_and_is_cached_like_releases() {
    let github = github();
    github.add_repo(big_origin(250));
    let cache = tempfile::tempdir().unwrap();
    let gh = client(&github, Some(cache.path()));

    let tags = gh.list_tags("acme", "big").unwrap();
    assert!(tags.len() >= 250, "{}", tags.len());
    let names: HashSet<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names.len(), tags.len(), "no duplicates");
    assert!(
        names.contains("1.0.0+jira")
            && names.contains("1.24.9+jira")
            && names.contains("10.0.0+jira")
    );
    assert!(tags.iter().all(|t| t.commit.len() == 40));
    assert_eq!(api_requests(&github, "/repos/acme/big/tags").len(), 3);

    // A second client on the same cache (another process) makes no request within the window.
    let again = client(&github, Some(cache.path()))
        .list_tags("acme", "big")
        .unwrap();
    assert_eq!(again, tags);
    assert_eq!(api_requests(&github, "/repos/acme/big/tags").len(), 3);
}
