//! The fake GitHub behaves like GitHub where our code depends on it.
//!
//! These tests speak raw HTTP/1.1 over a `TcpStream` so that nothing (redirect following,
//! decompression, retries) stands between the assertion and what the server sent.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;
use testkit::{
    Cli, FakeGitHub, Fault, FaultKind, GitRepo, OriginBuilder, RateLimits, TokenSpec, demo_origin,
    sha256_hex,
};

const TOKEN: &str = "ghp_alice_testkit_0001";

struct Reply {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
    /// Whether the body was shorter than Content-Length (or the read failed).
    short: bool,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// One request on a fresh connection (`Connection: close`), reading to EOF.
fn get(url: &str, headers: &[(&str, &str)]) -> Reply {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = TcpStream::connect(authority).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut req = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: testkit-test\r\nConnection: close\r\n"
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let read_ok = stream.read_to_end(&mut raw).is_ok();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header terminator");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let declared: usize = headers["content-length"].parse().unwrap();
    Reply {
        status,
        short: !read_ok || body.len() < declared,
        headers,
        body,
    }
}

fn auth() -> (&'static str, String) {
    ("Authorization", format!("Bearer {TOKEN}"))
}

fn setup() -> FakeGitHub {
    let github = FakeGitHub::start();
    github.add_repo(demo_origin().build());
    github.add_token(TokenSpec::new(TOKEN, "alice").owner("acme"));
    github
}

fn get_auth(url: &str, extra: &[(&str, &str)]) -> Reply {
    let (k, v) = auth();
    let mut headers = vec![(k, v.as_str())];
    headers.extend_from_slice(extra);
    get(url, &headers)
}

#[test]
fn private_repo_is_404_without_token_and_401_with_unknown_token() {
    let github = setup();
    let url = format!("{}/repos/acme/tools/releases", github.api_url());
    let anon = get(&url, &[]);
    assert_eq!(anon.status, 404);
    assert_eq!(anon.json()["message"], "Not Found");

    let bad = get(&url, &[("Authorization", "Bearer ghp_nope")]);
    assert_eq!(bad.status, 401);
    assert_eq!(bad.json()["message"], "Bad credentials");

    let ok = get_auth(&url, &[]);
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("x-oauth-scopes"), Some("repo, read:org, gist"));

    // A token without access to the owner gets the same 404 as no token at all.
    github.add_token(TokenSpec::new("ghp_other", "bob").owner("someone-else"));
    let other = get(&url, &[("Authorization", "Bearer ghp_other")]);
    assert_eq!(other.status, 404);
    // So does a classic token lacking the `repo` scope.
    github.add_token(
        TokenSpec::new("ghp_public_only", "carol")
            .owner("acme")
            .scopes(&["public_repo"]),
    );
    assert_eq!(
        get(&url, &[("Authorization", "token ghp_public_only")]).status,
        404
    );
}

#[test]
fn enterprise_prefix_serves_the_same_api() {
    let github = setup();
    let reply = get_auth(
        &format!(
            "{}/repos/acme/tools/releases?per_page=5",
            github.ghes_api_url()
        ),
        &[],
    );
    assert_eq!(reply.status, 200);
    let link = reply.header("link").expect("more than one page");
    assert!(
        link.contains("/api/v3/repos/acme/tools/releases?per_page=5&page=2"),
        "{link}"
    );
    assert_eq!(github.requests()[0].path, "/repos/acme/tools/releases");
}

#[test]
fn releases_paginate_newest_first_with_link_headers() {
    let github = FakeGitHub::start();
    let versions: Vec<String> = (0..250).map(|i| format!("1.{i}.0")).collect();
    let refs: Vec<&str> = versions.iter().map(String::as_str).collect();
    github.add_repo(
        OriginBuilder::new("acme", "big")
            .cli(
                Cli::new("jira")
                    .versions(&refs)
                    .platforms(&[("linux", "amd64")]),
            )
            .build(),
    );
    github.add_token(TokenSpec::new(TOKEN, "alice").owner("acme"));
    let base = format!("{}/repos/acme/big/releases", github.api_url());

    let mut url = format!("{base}?per_page=100");
    let mut tags = Vec::new();
    let mut pages = 0;
    loop {
        let reply = get_auth(&url, &[]);
        assert_eq!(reply.status, 200);
        pages += 1;
        tags.extend(
            reply
                .json()
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["tag_name"].as_str().unwrap().to_owned()),
        );
        let link = reply.header("link").unwrap_or_default().to_owned();
        if pages == 1 {
            assert!(link.contains("page=3>; rel=\"last\""), "{link}");
        }
        match link.split(", ").find(|l| l.ends_with("rel=\"next\"")) {
            Some(next) => url = next[1..next.find('>').unwrap()].to_owned(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(tags.len(), 250);
    assert_eq!(tags[0], "1.249.0+jira", "newest first");
    assert_eq!(tags[249], "1.0.0+jira");

    // Default page size is 30; per_page is capped at 100.
    assert_eq!(get_auth(&base, &[]).json().as_array().unwrap().len(), 30);
    assert_eq!(
        get_auth(&format!("{base}?per_page=500"), &[])
            .json()
            .as_array()
            .unwrap()
            .len(),
        100
    );
}

#[test]
fn drafts_only_for_tokens_with_push_access() {
    let github = setup();
    github.add_token(
        TokenSpec::new("ghp_reader", "rita")
            .owner("acme")
            .read_only(),
    );
    let url = format!(
        "{}/repos/acme/tools/releases?per_page=100",
        github.api_url()
    );
    let has_draft = |reply: Reply| {
        reply
            .json()
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["draft"] == true)
    };
    assert!(has_draft(get_auth(&url, &[])));
    assert!(!has_draft(get(
        &url,
        &[("Authorization", "Bearer ghp_reader")]
    )));
    // /releases/tags never returns a draft.
    let draft = get_auth(
        &format!(
            "{}/repos/acme/tools/releases/tags/3.0.0%2Bjira",
            github.api_url()
        ),
        &[],
    );
    assert_eq!(draft.status, 404);
}

#[test]
fn release_by_tag_decodes_percent_encoding_and_latest_skips_prereleases() {
    let github = setup();
    let reply = get_auth(
        &format!(
            "{}/repos/acme/tools/releases/tags/1.7.0%2Bjira",
            github.api_url()
        ),
        &[],
    );
    assert_eq!(reply.status, 200);
    let release = reply.json();
    assert_eq!(release["tag_name"], "1.7.0+jira");
    let asset = &release["assets"][0];
    assert_eq!(asset["name"], "jira_1.7.0_linux_amd64.tar.gz");
    assert!(asset["digest"].as_str().unwrap().starts_with("sha256:"));
    assert!(asset["url"].as_str().unwrap().contains("/releases/assets/"));

    let latest = get_auth(
        &format!("{}/repos/acme/tools/releases/latest", github.api_url()),
        &[],
    );
    let latest = latest.json();
    assert_eq!(latest["prerelease"], false);
    assert_eq!(latest["draft"], false);
}

#[test]
fn asset_download_redirects_to_storage_that_rejects_authorization() {
    let github = setup();
    let release = get_auth(
        &format!(
            "{}/repos/acme/tools/releases/tags/0.0.6%2Btfc",
            github.api_url()
        ),
        &[],
    )
    .json();
    let asset = release["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "tfc_0.0.6_linux_amd64.tar.gz")
        .unwrap()
        .clone();
    let api_url = asset["url"].as_str().unwrap();

    // Without the octet-stream Accept the asset URL answers JSON metadata.
    let meta = get_auth(api_url, &[]);
    assert_eq!(meta.json()["name"], "tfc_0.0.6_linux_amd64.tar.gz");

    let redirect = get_auth(api_url, &[("Accept", "application/octet-stream")]);
    assert_eq!(redirect.status, 302);
    let location = redirect.header("location").unwrap().to_owned();
    assert!(location.starts_with(&github.storage_url()), "{location}");

    // Forwarding the token to storage is rejected like S3 does, and counted as a leak.
    let leaked = get_auth(&location, &[]);
    assert_eq!(leaked.status, 400);
    assert!(String::from_utf8_lossy(&leaked.body).contains("Only one auth mechanism allowed"));
    assert_eq!(github.storage_auth_leaks(), 1);

    let clean = get(&location, &[]);
    assert_eq!(clean.status, 200);
    let digest = asset["digest"].as_str().unwrap();
    assert_eq!(format!("sha256:{}", sha256_hex(&clean.body)), digest);

    // A tampered signature is refused.
    let forged = location.replace("X-Signature=", "X-Signature=00");
    assert_eq!(get(&forged, &[]).status, 403);

    // The private repo's browser_download_url does not work with a token.
    let browser = get_auth(asset["browser_download_url"].as_str().unwrap(), &[]);
    assert_eq!(browser.status, 404);
}

#[test]
fn etag_revalidation_returns_304_without_consuming_rate_limit() {
    let github = setup();
    let url = format!(
        "{}/repos/acme/tools/releases?per_page=100",
        github.api_url()
    );
    let first = get_auth(&url, &[]);
    let etag = first.header("etag").unwrap().to_owned();
    assert!(
        etag.starts_with("W/\""),
        "weak, as GitHub's API sends: {etag}"
    );
    assert_eq!(first.header("x-ratelimit-remaining"), Some("4999"));

    let second = get_auth(&url, &[("If-None-Match", &etag)]);
    assert_eq!(second.status, 304);
    assert!(second.body.is_empty());
    assert_eq!(second.header("x-ratelimit-remaining"), Some("4999"));
    assert_eq!(github.rate_limited_requests(), 1);

    // A stale ETag gets the full body and costs one unit.
    let stale = get_auth(&url, &[("If-None-Match", "\"stale\"")]);
    assert_eq!(stale.status, 200);
    assert_eq!(github.rate_limited_requests(), 2);
}

#[test]
fn rate_limit_exhaustion_is_a_403_and_rate_limit_endpoint_is_free() {
    let github = setup();
    github.add_repo(OriginBuilder::new("octo", "public").public().build());
    github.set_rate_limits(RateLimits {
        anonymous: 2,
        authenticated: 5000,
    });
    let url = format!("{}/repos/octo/public/releases", github.api_url());
    assert_eq!(get(&url, &[]).status, 200);
    assert_eq!(get(&url, &[]).status, 200);
    let spent = get(&url, &[]);
    assert_eq!(spent.status, 403);
    assert_eq!(spent.header("x-ratelimit-remaining"), Some("0"));
    assert!(
        spent.json()["message"]
            .as_str()
            .unwrap()
            .contains("API rate limit exceeded")
    );
    assert!(
        spent
            .header("x-ratelimit-reset")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );

    let status = get(&format!("{}/rate_limit", github.api_url()), &[]);
    assert_eq!(status.status, 200);
    assert_eq!(status.json()["resources"]["core"]["remaining"], 0);
    // The token has its own budget.
    assert_eq!(get_auth(&url, &[]).status, 200);
}

#[test]
fn sso_unauthorized_token_gets_403_with_sso_header() {
    let github = setup();
    github.add_token(
        TokenSpec::new("ghp_sso", "sam")
            .owner("acme")
            .sso_unauthorized("acme"),
    );
    let reply = get(
        &format!("{}/repos/acme/tools/releases", github.api_url()),
        &[("Authorization", "Bearer ghp_sso")],
    );
    assert_eq!(reply.status, 403);
    let sso = reply.header("x-github-sso").unwrap();
    assert!(sso.starts_with("required; url="), "{sso}");
    assert!(sso.contains("/orgs/acme/sso?authorization_request="));
}

#[test]
fn fine_grained_tokens_report_permissions_not_scopes() {
    let github = setup();
    github.add_token(TokenSpec::new("github_pat_fine", "fay").repo("acme", "tools"));
    let reply = get(
        &format!("{}/repos/acme/tools", github.api_url()),
        &[("Authorization", "Bearer github_pat_fine")],
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-oauth-scopes"), None);
    assert_eq!(
        reply.header("x-accepted-github-permissions"),
        Some("contents=read")
    );
    let user = get(
        &format!("{}/user", github.api_url()),
        &[("Authorization", "Bearer github_pat_fine")],
    );
    assert_eq!(user.json()["login"], "fay");
    assert_eq!(get(&format!("{}/user", github.api_url()), &[]).status, 401);
}

#[test]
fn contents_in_json_base64_and_raw() {
    let github = setup();
    let url = format!(
        "{}/repos/acme/tools/contents/.skillrig-origin.toml",
        github.api_url()
    );
    let raw = get_auth(&url, &[("Accept", "application/vnd.github.raw")]);
    assert_eq!(raw.status, 200);
    let text = String::from_utf8(raw.body.clone()).unwrap();
    assert!(text.contains("convention_version = 1"));
    assert!(text.contains("[[binaries]]\nname = \"kubelint\""));

    let json = get_auth(&url, &[]).json();
    assert_eq!(json["encoding"], "base64");
    let b64: String = json["content"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .collect();
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert_eq!(decoded, raw.body);

    let index = get_auth(
        &format!("{}/repos/acme/tools/contents/index.json", github.api_url()),
        &[("Accept", "application/vnd.github.raw")],
    );
    let index: Value = serde_json::from_slice(&index.body).unwrap();
    assert_eq!(index["skillrigConvention"], 1);
    assert_eq!(index["skills"][0]["name"], "deploy-check");

    assert_eq!(
        get_auth(
            &format!("{}/repos/acme/tools/contents/nope.txt", github.api_url()),
            &[]
        )
        .status,
        404
    );
    let skill = get_auth(
        &format!(
            "{}/repos/acme/tools/contents/skills/deploy-check/SKILL.md",
            github.api_url()
        ),
        &[("Accept", "application/vnd.github.raw")],
    );
    assert!(String::from_utf8_lossy(&skill.body).contains("x-skillrig.requires:"));
}

#[test]
fn tags_list_includes_commit_shas() {
    let github = setup();
    let tags = get_auth(
        &format!("{}/repos/acme/tools/tags?per_page=100", github.api_url()),
        &[],
    )
    .json();
    let tags = tags.as_array().unwrap();
    let oxid = tags.iter().find(|t| t["name"] == "oxid-v0.5.0").unwrap();
    assert_eq!(oxid["commit"]["sha"].as_str().unwrap().len(), 40);
}

#[test]
fn injected_status_faults_apply_n_times() {
    let github = setup();
    github.inject(Fault::new("/releases", FaultKind::Status(502)).times(2));
    let url = format!("{}/repos/acme/tools/releases", github.api_url());
    assert_eq!(get_auth(&url, &[]).status, 502);
    assert_eq!(get_auth(&url, &[]).status, 502);
    assert_eq!(get_auth(&url, &[]).status, 200);
}

#[test]
fn injected_truncation_and_reset_cut_the_body_short() {
    let github = setup();
    let url = format!("{}/repos/acme/tools/releases", github.api_url());
    github.inject(Fault::new("/releases", FaultKind::TruncateBody));
    let truncated = get_auth(&url, &[]);
    assert_eq!(truncated.status, 200);
    assert!(truncated.short, "body must be shorter than Content-Length");

    github.inject(Fault::new("/releases", FaultKind::ResetMidBody));
    let reset = get_auth(&url, &[]);
    assert!(reset.short, "reset must cut the body");

    let whole = get_auth(&url, &[]);
    assert!(!whole.short);
}

#[test]
fn request_log_records_token_presence_never_the_token() {
    let github = setup();
    get_auth(
        &format!("{}/repos/acme/tools/releases", github.api_url()),
        &[],
    );
    get(
        &format!("{}/repos/acme/tools/releases", github.api_url()),
        &[],
    );
    let log = github.requests();
    assert_eq!(log.len(), 2);
    assert!(log[0].authorized);
    assert_eq!(log[0].login.as_deref(), Some("alice"));
    assert!(!log[1].authorized);
    assert_eq!(github.count("/repos/acme/tools/releases"), 2);
    let dumped = serde_json::to_string(&log).unwrap();
    assert!(!dumped.contains(TOKEN));
}

#[test]
fn demo_assets_hold_an_executable_printing_name_and_version() {
    let github = setup();
    let release = get_auth(
        &format!(
            "{}/repos/acme/tools/releases/tags/kubelint%2Dv1.1.0",
            github.api_url()
        ),
        &[],
    );
    // kubelint uses the build-metadata stream; its prefix-style tag does not exist.
    assert_eq!(release.status, 404);
    let release = get_auth(
        &format!(
            "{}/repos/acme/tools/releases/tags/1.1.0%2Bkubelint",
            github.api_url()
        ),
        &[],
    )
    .json();
    let asset = release["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "kubelint-1.1.0-linux-amd64.tar.gz")
        .unwrap()
        .clone();
    let location = get_auth(
        asset["url"].as_str().unwrap(),
        &[("Accept", "application/octet-stream")],
    )
    .header("location")
    .unwrap()
    .to_owned();
    let bytes = get(&location, &[]).body;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
    let mut found = None;
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap().to_str() == Some("kubelint-dist/bin/kubelint") {
            let mut script = String::new();
            entry.read_to_string(&mut script).unwrap();
            found = Some((entry.header().mode().unwrap(), script));
        }
    }
    let (mode, script) = found.expect("binary at the described path");
    assert_eq!(mode & 0o111, 0o111);
    assert!(script.contains("echo \"kubelint 1.1.0\""));

    let sums = release["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "kubelint_checksums.txt")
        .expect("per-tool checksums");
    assert!(sums["size"].as_u64().unwrap() > 64);
}

// --- Git-backed origins: provenance endpoints answered by real git -------------------------

fn git_setup(origin: OriginBuilder) -> (FakeGitHub, GitRepo) {
    let repo = origin.build();
    let git = repo.git.clone().expect("git-backed");
    let github = FakeGitHub::start();
    github.add_repo(repo);
    github.add_token(TokenSpec::new(TOKEN, "alice").owner("acme"));
    (github, git)
}

fn prov(github: &FakeGitHub, path: &str) -> Reply {
    get_auth(&format!("{}/repos/acme/prov/{path}", github.api_url()), &[])
}

#[test]
fn git_backed_releases_point_at_distinct_real_commits() {
    let (github, git) = git_setup(testkit::provenance_origin());
    let tags = prov(&github, "tags?per_page=100").json();
    let tags = tags.as_array().unwrap();
    assert_eq!(tags.len(), 6);
    let mut commits = std::collections::BTreeSet::new();
    for tag in tags {
        let name = tag["name"].as_str().unwrap();
        let sha = tag["commit"]["sha"].as_str().unwrap();
        assert_eq!(git.commit(name).as_deref(), Some(sha), "{name}");
        commits.insert(sha.to_owned());
    }
    assert_eq!(commits.len(), 6, "one commit per release");

    // A lightweight tag's ref points straight at its commit.
    let reference = prov(&github, "git/ref/tags/1.1.0%2Bjira");
    assert_eq!(reference.status, 200);
    let reference = reference.json();
    assert_eq!(reference["ref"], "refs/tags/1.1.0+jira");
    assert_eq!(reference["object"]["type"], "commit");
    let sha = reference["object"]["sha"].as_str().unwrap();
    assert_eq!(Some(sha.to_owned()), git.commit("1.1.0+jira"));
    assert_eq!(prov(&github, "git/ref/tags/9.9.9%2Bjira").status, 404);

    // The commit names its tree and its parent (the tfc 0.1.0 release before it).
    let commit = prov(&github, &format!("commits/{sha}")).json();
    assert_eq!(commit["sha"], sha);
    assert_eq!(
        commit["commit"]["tree"]["sha"].as_str(),
        git.rev_parse(&format!("{sha}^{{tree}}")).as_deref()
    );
    assert_eq!(
        commit["parents"][0]["sha"].as_str(),
        git.commit("0.1.0+tfc").as_deref()
    );
    // Any ref works, like GitHub's; an unknown one is GitHub's 422.
    assert_eq!(prov(&github, "commits/1.1.0%2Bjira").json()["sha"], sha);
    let missing = prov(&github, "commits/0000000000000000000000000000000000000000");
    assert_eq!(missing.status, 422);
    assert!(
        missing.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("No commit found for SHA")
    );

    // Building again gives the same ids: fixed times, no user git configuration.
    let again = testkit::provenance_origin().build();
    assert_eq!(again.git.unwrap().commit("main"), git.commit("main"));
}

#[test]
fn compare_reports_identical_ahead_behind_diverged_and_unrelated() {
    let (github, git) = git_setup(testkit::provenance_origin());
    let compare = |base: &str, head: &str| {
        prov(
            &github,
            &format!(
                "compare/{}...{}",
                base.replace('+', "%2B"),
                head.replace('+', "%2B")
            ),
        )
    };
    let summary = |r: &Reply| {
        let v = r.json();
        (
            v["status"].as_str().unwrap().to_owned(),
            v["ahead_by"].as_u64().unwrap(),
            v["behind_by"].as_u64().unwrap(),
            v["merge_base_commit"]["sha"].as_str().unwrap().to_owned(),
        )
    };
    let c = |rev: &str| git.commit(rev).unwrap();

    let same = compare("1.0.0+jira", "1.0.0+jira");
    assert_eq!(summary(&same), ("identical".into(), 0, 0, c("1.0.0+jira")));

    // main contains the release: c3, c4, c5, c6 come after it.
    let ahead = compare("1.0.0+jira", "main");
    assert_eq!(summary(&ahead), ("ahead".into(), 4, 0, c("1.0.0+jira")));
    assert_eq!(ahead.json()["commits"].as_array().unwrap().len(), 4);

    let behind = compare("0.2.0+tfc", "1.0.0+jira");
    assert_eq!(summary(&behind), ("behind".into(), 0, 3, c("1.0.0+jira")));

    // The side branch forked at c5; main then moved on to c6.
    let diverged = compare("1.2.0+jira", "main");
    assert_eq!(
        summary(&diverged),
        ("diverged".into(), 1, 1, c("0.2.0+tfc"))
    );

    // The orphan shares no history with main: GitHub's 404 and message.
    let unrelated = compare("6.6.6+jira", "main");
    assert_eq!(unrelated.status, 404);
    assert_eq!(
        unrelated.json()["message"],
        "No common ancestor between 6.6.6+jira and main."
    );
    assert_eq!(compare("nope", "main").status, 404);
}

#[test]
fn trees_match_git_and_the_revised_skill_differs_from_release_commits() {
    let (github, git) = git_setup(testkit::provenance_origin());
    let release = git.commit("1.0.0+jira").unwrap();
    let root = prov(&github, &format!("git/trees/{release}")).json();
    assert_eq!(
        root["sha"].as_str(),
        git.rev_parse(&format!("{release}^{{tree}}")).as_deref(),
        "a commit id lists its tree"
    );
    let entries = root["tree"].as_array().unwrap();
    let skills = entries.iter().find(|e| e["path"] == "skills").unwrap();
    assert_eq!(
        (skills["type"].as_str(), skills["mode"].as_str()),
        (Some("tree"), Some("040000"))
    );
    let index = entries.iter().find(|e| e["path"] == "index.json").unwrap();
    assert_eq!(
        (index["type"].as_str(), index["mode"].as_str()),
        (Some("blob"), Some("100644"))
    );
    assert!(index["size"].as_u64().unwrap() > 0);

    let skills = prov(
        &github,
        &format!("git/trees/{}", skills["sha"].as_str().unwrap()),
    )
    .json();
    let skill = &skills["tree"][0];
    assert_eq!(skill["path"], "deploy-check");
    let at_release = git.tree_at("1.0.0+jira", "skills/deploy-check").unwrap();
    assert_eq!(skill["sha"].as_str(), Some(at_release.as_str()));

    // The revision on main changed the skill's tree; the orphan copied the files, so its tree
    // is the same as the release's although its history is unrelated.
    assert_ne!(
        git.tree_at("main", "skills/deploy-check"),
        Some(at_release.clone())
    );
    assert_eq!(
        git.tree_at("6.6.6+jira", "skills/deploy-check"),
        Some(at_release)
    );

    let recursive = prov(&github, &format!("git/trees/{release}?recursive=1")).json();
    assert!(
        recursive["tree"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"] == "skills/deploy-check/SKILL.md" && e["type"] == "blob")
    );
    assert_eq!(
        prov(
            &github,
            "git/trees/0000000000000000000000000000000000000000"
        )
        .status,
        404
    );
}

#[test]
fn contents_of_a_git_backed_repo_come_from_git_at_the_ref() {
    let (github, _git) = git_setup(testkit::provenance_origin());
    let raw = [("Accept", "application/vnd.github.raw")];
    let at = |r: &str| {
        get_auth(
            &format!(
                "{}/repos/acme/prov/contents/skills/deploy-check/SKILL.md?ref={r}",
                github.api_url()
            ),
            &raw,
        )
    };
    let released = at("1.0.0%2Bjira");
    assert_eq!(released.status, 200);
    assert!(!String::from_utf8_lossy(&released.body).contains("Revised"));
    assert!(String::from_utf8_lossy(&at("main").body).contains("Revised after the last release."));
    let no_ref = at("nope");
    assert_eq!(no_ref.status, 404);
    assert_eq!(no_ref.json()["message"], "No commit found for the ref nope");
    let index = get_auth(
        &format!("{}/repos/acme/prov/contents/index.json", github.api_url()),
        &raw,
    );
    assert!(String::from_utf8_lossy(&index.body).contains("\"skillrigConvention\": 1"));
}

#[test]
fn annotated_tags_are_dereferenced_through_the_tag_object() {
    let (github, git) = git_setup(testkit::provenance_origin().annotated_tags());
    let reference = prov(&github, "git/ref/tags/1.0.0%2Bjira").json();
    assert_eq!(reference["object"]["type"], "tag");
    let tag_sha = reference["object"]["sha"].as_str().unwrap();
    assert_ne!(Some(tag_sha.to_owned()), git.commit("1.0.0+jira"));
    let tag = prov(&github, &format!("git/tags/{tag_sha}")).json();
    assert_eq!(tag["tag"], "1.0.0+jira");
    assert_eq!(tag["object"]["type"], "commit");
    assert_eq!(
        tag["object"]["sha"].as_str(),
        git.commit("1.0.0+jira").as_deref()
    );
    // The tags listing shows the commit, as GitHub's does for annotated tags.
    let tags = prov(&github, "tags").json();
    let listed = tags
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "1.0.0+jira")
        .unwrap();
    assert_eq!(
        listed["commit"]["sha"].as_str(),
        git.commit("1.0.0+jira").as_deref()
    );
    // A commit id is not a tag object.
    let commit = git.commit("1.0.0+jira").unwrap();
    assert_eq!(prov(&github, &format!("git/tags/{commit}")).status, 404);
}

#[test]
fn vendoring_writes_the_lock_skillrig_would() {
    let (_github, git) = git_setup(testkit::provenance_origin());
    let project = std::env::temp_dir().join(format!("testkit-vendor-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&project);
    git.vendor(&project, "acme/prov@main", "main", &["deploy-check"]);
    let lock: Value =
        serde_json::from_slice(&std::fs::read(project.join(".skillrig/skills-lock.json")).unwrap())
            .unwrap();
    let entry = &lock["skills"]["deploy-check"];
    assert_eq!(lock["lockfileVersion"], 1);
    assert_eq!(lock["origin"], "acme/prov@main");
    assert_eq!(entry["commit"].as_str(), git.commit("main").as_deref());
    assert_eq!(
        entry["treeSha"].as_str(),
        git.tree_at("main", "skills/deploy-check").as_deref()
    );
    assert_eq!(entry["version"], "2.1.0");
    assert_eq!(entry["path"], ".agents/skills/deploy-check");
    let vendored =
        std::fs::read_to_string(project.join(".agents/skills/deploy-check/SKILL.md")).unwrap();
    assert!(vendored.contains("Revised after the last release."));
    std::fs::remove_dir_all(&project).unwrap();
}

#[test]
fn in_memory_repos_have_no_git_endpoints() {
    let github = setup();
    let commit = get_auth(
        &format!("{}/repos/acme/tools/commits/main", github.api_url()),
        &[],
    );
    assert_eq!(commit.status, 404);
    // The old tag-ref answer still works for in-memory repositories.
    let reference = get_auth(
        &format!(
            "{}/repos/acme/tools/git/ref/tags/1.7.0%2Bjira",
            github.api_url()
        ),
        &[],
    );
    assert_eq!(reference.json()["object"]["type"], "commit");
}

#[test]
fn log_records_client_headers_and_secondary_rate_limits_carry_retry_after() {
    let github = setup();
    let url = format!("{}/repos/acme/tools/releases", github.api_url());
    github.inject(Fault::new(
        "/releases",
        FaultKind::SecondaryRateLimit { retry_after: 7 },
    ));
    let limited = get_auth(&url, &[("X-GitHub-Api-Version", "2022-11-28")]);
    assert_eq!(limited.status, 403);
    assert_eq!(limited.header("retry-after"), Some("7"));
    assert!(
        limited.json()["message"]
            .as_str()
            .unwrap()
            .contains("secondary rate limit")
    );
    let log = github.requests();
    assert_eq!(log[0].user_agent.as_deref(), Some("testkit-test"));
    assert_eq!(log[0].api_version.as_deref(), Some("2022-11-28"));
}
