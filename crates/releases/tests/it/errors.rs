//! Each error as the user sees it: the one-line message and the hint, against real responses
//! of the fake GitHub. `[API]` stands for the fake's base URL.

use hint::Hint as _;
use std::time::Duration;

use releases::{Credential, Error, GitHub, pick_asset, resolve};
use testkit::{Fault, FaultKind, OriginBuilder, RateLimits, TokenSpec};

use crate::support::{
    SOURCE, anonymous, api_requests, canned_server, client, config, github, jira, raw_response,
};

fn shown(github: &testkit::FakeGitHub, err: &Error) -> (String, String) {
    let api = github.api_url();
    (
        err.to_string().replace(&api, "[API]"),
        err.hints()
            .first()
            .cloned()
            .unwrap_or_default()
            .replace(&api, "[API]"),
    )
}

fn with_token(github: &testkit::FakeGitHub, token: &str) -> GitHub {
    let mut cfg = config(github, None);
    cfg.credential = Some(Credential::new(token.into(), SOURCE));
    GitHub::new(cfg).unwrap()
}

#[test]
fn not_found_without_a_token() {
    let github = github();
    let err = anonymous(&github, None)
        .list_releases("acme", "tools")
        .unwrap_err();
    assert_eq!(
        shown(&github, &err),
        (
            "releases of acme/tools not found on github.com (HTTP 404; no token was sent)"
                .to_owned(),
            "if the repository is private, GitHub hides it from anonymous requests: configure a \
             token, then check access with `skillrig-auth doctor --repo acme/tools`"
                .to_owned()
        )
    );
}

#[test]
fn not_found_with_a_token_that_cannot_see_it() {
    let github = github();
    github.add_token(TokenSpec::new("ghp_bob_0000000000", "bob").owner("elsewhere"));
    let err = with_token(&github, "ghp_bob_0000000000")
        .list_releases("acme", "tools")
        .unwrap_err();
    assert_eq!(
        shown(&github, &err),
        (
            "releases of acme/tools not found on github.com (HTTP 404; sent the token from \
             `credential_command`)"
                .to_owned(),
            "check the name; if it is right, the token from `credential_command` cannot see it \
             (scope, fine-grained repository selection or SSO): run `skillrig-auth doctor --repo \
             acme/tools`"
                .to_owned()
        )
    );
}

#[test]
fn bad_credentials_name_the_source() {
    let github = github();
    let err = with_token(&github, "ghp_revoked_0000000")
        .list_releases("acme", "tools")
        .unwrap_err();
    assert!(matches!(err, Error::BadCredentials { .. }));
    assert_eq!(
        shown(&github, &err),
        (
            "GitHub on github.com rejected the token from `credential_command` (HTTP 401 Bad \
             credentials)"
                .to_owned(),
            "the token is invalid, expired or revoked: renew it where `credential_command` gets \
             it, then check it with `skillrig-auth doctor`"
                .to_owned()
        )
    );
    // 401 is final: one request.
    assert_eq!(api_requests(&github, "/releases").len(), 1);
}

#[test]
fn sso_required_gives_the_authorization_url() {
    let github = github();
    github.add_token(
        TokenSpec::new("ghp_sso_00000000000", "carol")
            .owner("acme")
            .sso_unauthorized("acme"),
    );
    let err = with_token(&github, "ghp_sso_00000000000")
        .list_releases("acme", "tools")
        .unwrap_err();
    assert_eq!(
        shown(&github, &err),
        (
            "the token from `credential_command` is not authorized for SAML single sign-on on \
             github.com"
                .to_owned(),
            "authorize the token for the organization at \
             [API]/orgs/acme/sso?authorization_request=TESTKIT (valid for one hour), then retry"
                .to_owned()
        )
    );
}

#[test]
fn rate_limited_anonymous_requests_report_the_reset_and_suggest_a_token() {
    let github = github();
    github.add_repo(
        OriginBuilder::new("acme", "public")
            .public()
            .cli(testkit::Cli::new("jira").versions(&["1.0.0"]))
            .build(),
    );
    github.set_rate_limits(RateLimits {
        anonymous: 1,
        authenticated: 5000,
    });
    let gh = anonymous(&github, None);
    gh.list_releases("acme", "public").unwrap();
    let err = gh.list_releases("acme", "public").unwrap_err();
    let Error::RateLimited {
        reset_at: Some(reset_at),
        wait: Some(wait),
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    // The fake resets an hour after it started; the reset is far, so no waiting or retrying.
    assert!(wait.as_secs() > 3000, "{wait:?}");
    assert_eq!(api_requests(&github, "/releases").len(), 2);
    let (message, hint) = shown(&github, &err);
    let (prefix, rest) = message.split_at(message.find("it resets at ").unwrap());
    assert_eq!(
        prefix,
        "GitHub API rate limit exceeded for anonymous requests on github.com; "
    );
    // `it resets at YYYY-MM-DD HH:MM:SS UTC (in 1 h)`, less the seconds the test has run.
    let date_time = rest
        .strip_prefix("it resets at ")
        .and_then(|r| r.split(" UTC (").next())
        .unwrap();
    assert_eq!(date_time.len(), "2026-01-01 00:00:00".len(), "{rest}");
    assert!(
        [" UTC (in 1 h)", " UTC (in 60 min)", " UTC (in 59 min)"]
            .iter()
            .any(|end| rest.ends_with(end)),
        "{rest}"
    );
    assert!(
        rest.contains(&format!("{} UTC", reset_at_time(*reset_at))),
        "{rest}"
    );
    assert_eq!(
        hint,
        "anonymous requests are limited to 1 per hour per IP address; a token raises the limit \
         (5000 per hour on github.com): configure one and check it with `skillrig-auth doctor`"
    );
}

/// `HH:MM:SS` of a Unix time, computed independently (via httpdate's formatter).
fn reset_at_time(epoch: u64) -> String {
    let t = std::time::UNIX_EPOCH + Duration::from_secs(epoch);
    let http = httpdate::fmt_http_date(t); // "Sun, 06 Nov 1994 08:49:37 GMT"
    http[17..25].to_owned()
}

#[test]
fn a_rate_limit_that_resets_soon_is_waited_out() {
    let github = github();
    let gh = client(&github, None);
    // A 429 without timing headers is a secondary limit: GitHub says wait a minute, which is
    // within the default patience (the test policy does not actually sleep).
    github.inject(Fault::new("/releases", FaultKind::Status(429)));
    assert!(!gh.list_releases("acme", "tools").unwrap().is_empty());
    assert_eq!(gh.stats().retries, 1);

    let mut cfg = config(&github, None);
    cfg.retry.rate_limit_patience = Duration::from_secs(10);
    let impatient = GitHub::new(cfg).unwrap();
    github.inject(Fault::new("/releases", FaultKind::Status(429)));
    let err = impatient.list_releases("acme", "tools").unwrap_err();
    assert_eq!(
        err.to_string(),
        "GitHub API rate limit exceeded for the token from `credential_command` on github.com; \
         retry in 1 min"
    );
    assert!(
        err.hints()
            .first()
            .cloned()
            .unwrap()
            .starts_with("wait for the reset")
    );
}

#[test]
fn other_403s_are_forbidden_with_githubs_message() {
    let github = github();
    github.inject(Fault::new("/releases", FaultKind::Status(403)));
    let err = client(&github, None)
        .list_releases("acme", "tools")
        .unwrap_err();
    assert_eq!(
        shown(&github, &err),
        (
            "GitHub on github.com refused [API]/repos/acme/tools/releases?… (HTTP 403): injected \
             fault"
                .to_owned(),
            "check the token's permissions with `skillrig-auth doctor`".to_owned()
        )
    );
}

#[test]
fn network_errors_after_retries() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cfg = config(&testkit::FakeGitHub::start(), None);
    cfg.api_url = format!("http://127.0.0.1:{port}");
    let gh = GitHub::new(cfg).unwrap();
    let err = gh.list_releases("acme", "tools").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("network error talking to http://127.0.0.1:{port}/repos/acme/tools/releases?…")
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "the cause is kept"
    );
    assert_eq!(
        err.hints().first().cloned().unwrap(),
        "check the network connection and any HTTPS_PROXY setting"
    );
    assert_eq!(gh.stats().requests, 3);
}

#[test]
fn timeouts_are_retried() {
    let github = github();
    let mut cfg = config(&github, None);
    cfg.timeouts.read = Duration::from_millis(500);
    let gh = GitHub::new(cfg).unwrap();
    github.inject(Fault::new(
        "/releases",
        FaultKind::Delay(Duration::from_secs(3)),
    ));
    assert!(!gh.list_releases("acme", "tools").unwrap().is_empty());
    assert_eq!(gh.stats().retries, 1);
}

#[test]
fn no_such_version_and_no_asset_from_a_real_listing() {
    let github = github();
    let listing = client(&github, None)
        .list_releases("acme", "tools")
        .unwrap();
    let err = resolve(&listing, &jira(), "2.0.0").unwrap_err();
    assert_eq!(
        (err.to_string(), err.hints().first().cloned().unwrap()),
        (
            "no release for version `2.0.0` in this stream (nearest: 1.6.0, 1.7.0, 2.9.0, 2.10.0)"
                .to_owned(),
            "pick one of the stream's 5 versions (`mise ls-remote` lists them) or use `latest`"
                .to_owned()
        )
    );
    let found = resolve(&listing, &jira(), "1.7.0").unwrap();
    let err = pick_asset(found.release, &["jira_1.7.0_windows_amd64.zip".to_owned()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "release `1.7.0+jira` has no asset `jira_1.7.0_windows_amd64.zip`; it has: \
         jira_1.7.0_linux_amd64.tar.gz, jira_1.7.0_linux_arm64.tar.gz, \
         jira_1.7.0_darwin_arm64.tar.gz, jira_checksums.txt"
    );
    assert!(
        err.hints()
            .first()
            .cloned()
            .unwrap()
            .contains("[[binaries]]")
    );
}

#[test]
fn insecure_api_urls_are_refused() {
    let mut cfg = releases::ClientConfig::new(origin_meta::Host::github_com());
    cfg.api_url = "http://api.github.com".to_owned();
    let err = GitHub::new(cfg).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid GitHub API URL `http://api.github.com`: plain http:// is only allowed to \
         loopback hosts; use https://"
    );
}

#[test]
fn probe_returns_4xx_as_answers() {
    let github = github();
    let anon = anonymous(&github, None).probe("/repos/acme/tools").unwrap();
    assert_eq!(anon.status, 404);
    assert!(!anon.token_sent);
    assert_eq!(anon.message(), Some("Not Found"));
    assert!(
        matches!(
            anon.error(),
            Some(Error::NotFound {
                token_source: None,
                ..
            })
        ),
        "{:?}",
        anon.error()
    );

    let ok = client(&github, None).probe("repos/acme/tools").unwrap();
    assert_eq!(ok.status, 200);
    assert!(ok.token_sent);
    assert!(ok.error().is_none());
    assert_eq!(ok.oauth_scopes().unwrap(), ["repo", "read:org", "gist"]);
    assert_eq!(ok.body().unwrap()["full_name"], "acme/tools");
    let user = client(&github, None).probe("/user").unwrap();
    assert_eq!(user.login(), Some("alice"));

    github.add_token(
        TokenSpec::new("ghp_sso_00000000000", "carol")
            .owner("acme")
            .sso_unauthorized("acme"),
    );
    let sso = with_token(&github, "ghp_sso_00000000000")
        .probe("/repos/acme/tools/releases")
        .unwrap();
    assert_eq!(sso.status, 403);
    let Some(Error::SsoRequired {
        url: Some(url),
        token_source,
        ..
    }) = sso.error()
    else {
        panic!("{:?}", sso.error())
    };
    assert!(url.ends_with("/orgs/acme/sso?authorization_request=TESTKIT"));
    assert_eq!(token_source, SOURCE);
    assert!(matches!(sso.sso(), Some(releases::Sso::Required { .. })));

    let revoked = with_token(&github, "ghp_revoked_0000000")
        .probe("/user")
        .unwrap();
    assert!(matches!(
        revoked.error(),
        Some(Error::BadCredentials { token_source: Some(s), .. }) if s == SOURCE
    ));
    // Probes are never cached: each asks.
    assert_eq!(api_requests(&github, "/repos/acme/tools").len(), 3);
}

#[test]
fn a_rate_limited_probe_carries_the_servers_limit_and_reset() {
    let github = github();
    github.set_rate_limits(RateLimits {
        anonymous: 1,
        authenticated: 5000,
    });
    let anon = anonymous(&github, None);
    assert_eq!(anon.probe("/repos/acme/tools").unwrap().status, 404);
    let limited = anon.probe("/repos/acme/tools").unwrap();
    assert_eq!(limited.status, 403);
    let Some(Error::RateLimited {
        limit,
        reset_at: Some(reset_at),
        wait: Some(wait),
        token_source: None,
        ..
    }) = limited.error()
    else {
        panic!("{:?}", limited.error())
    };
    assert_eq!(*limit, Some(1), "the server's x-ratelimit-limit");
    let now = util::time::unix_now();
    assert!(
        (now + 3500..=now + 3600).contains(reset_at),
        "the fake resets an hour after it started: {reset_at}"
    );
    assert!(wait.as_secs() <= 3600);
    // The same wording an install prints.
    let err = anon.list_releases("acme", "tools").unwrap_err();
    assert_eq!(
        err.hints()[0],
        "anonymous requests are limited to 1 per hour per IP address; a token raises the limit \
         (5000 per hour on github.com): configure one and check it with `skillrig-auth doctor`"
    );
}

#[test]
fn classify_answer_reads_an_answer_like_a_probe() {
    let github = github();
    let gh = client(&github, None);
    let answer = gh.classify_answer(
        "/repos/acme/tools/releases",
        403,
        &[
            ("X-Accepted-GitHub-Permissions", "contents=read"),
            (
                "x-github-sso",
                "partial-results; organizations=21955855,20582480",
            ),
        ],
        br#"{"message": "Resource not accessible by personal access token"}"#,
    );
    assert!(answer.token_sent);
    assert_eq!(answer.accepted_permissions(), Some("contents=read"));
    assert_eq!(
        answer.sso(),
        Some(&releases::Sso::PartialResults {
            organizations: vec!["21955855".into(), "20582480".into()]
        })
    );
    assert!(matches!(
        answer.error(),
        Some(Error::Forbidden { accepted_permissions: Some(p), .. }) if p == "contents=read"
    ));
    let limited = gh.classify_answer("/user", 429, &[("Retry-After", "90")], b"");
    assert!(matches!(
        limited.error(),
        Some(Error::RateLimited { wait: Some(w), .. }) if *w == Duration::from_secs(90)
    ));
    assert!(github.requests().is_empty(), "nothing was sent");
}

#[test]
fn a_secondary_rate_limit_with_a_short_retry_after_is_waited_out_not_reported() {
    let github = github();
    github.add_repo(testkit::demo_origin().build());
    github.inject(Fault::new(
        "/releases",
        FaultKind::SecondaryRateLimit { retry_after: 1 },
    ));
    let releases = client(&github, None)
        .list_releases("acme", "tools")
        .unwrap();
    assert!(!releases.is_empty());
    let pages = api_requests(&github, "/repos/acme/tools/releases");
    assert_eq!(pages.len(), 2, "one 403 with Retry-After, then the retry");
    assert_eq!(pages[0].status, 403);
    assert!(pages.iter().all(|r| {
        r.user_agent
            .as_deref()
            .is_some_and(|ua| ua.starts_with("skillrig-mise/"))
    }));
    assert!(
        pages
            .iter()
            .all(|r| r.api_version.as_deref() == Some("2022-11-28"))
    );
}

#[test]
fn a_rate_limit_wait_is_announced_and_the_total_wait_is_capped() {
    let github = github();
    let notices = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = notices.clone();
    let gh = crate::support::client_with(&github, None, move |cfg| {
        cfg.notify = releases::Notifier::new(move |n| seen.lock().unwrap().push(n.to_string()));
    });
    // Bare 429s (no timing headers): a minute each by GitHub's rules. The first wait fits the
    // 90 s budget and is announced; the second would not, so the error names the reset.
    github.inject(Fault::new("/releases", FaultKind::Status(429)).times(5));
    let err = gh.list_releases("acme", "tools").unwrap_err();
    let notices = notices.lock().unwrap().clone();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].starts_with("rate limited by github.com; waiting 61 s (until "),
        "{}",
        notices[0]
    );
    assert!(notices[0].ends_with(" UTC, in 2 min)"), "{}", notices[0]);
    assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
    assert!(err.to_string().contains("retry in 1 min"), "{err}");
    assert_eq!(api_requests(&github, "/repos/acme/tools/releases").len(), 2);
}

#[test]
fn endless_pagination_is_capped_with_a_clear_error() {
    // A server whose every page links to the next, forever.
    let page = |n: usize| {
        raw_response(
            "200 OK",
            &[
                ("Content-Type", "application/json"),
                (
                    "Link",
                    &format!(
                        "<{{self}}/repos/acme/tools/releases?per_page=100&page={}>; rel=\"next\"",
                        n + 1
                    ),
                ),
            ],
            "[]",
        )
    };
    let (base, seen) = canned_server((1..=releases::MAX_LISTING_PAGES + 5).map(page).collect());
    let mut cfg = config(&github(), None);
    cfg.api_url = base;
    cfg.credential = None;
    let err = GitHub::new(cfg)
        .unwrap()
        .list_releases("acme", "tools")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "stopped listing the releases of acme/tools after {} pages",
            releases::MAX_LISTING_PAGES
        )
    );
    assert!(err.hints()[0].contains("`api_url`"), "{:?}", err.hints());
    assert_eq!(seen.lock().unwrap().len(), releases::MAX_LISTING_PAGES);
}
