//! `skillrig-auth doctor` against the fake GitHub: each cause of a 404 or 403 is named in one
//! line, with the exit code saying healthy (0) or not (1).

use std::process::{Command, Output};

use testkit::{FakeGitHub, RateLimits, TokenSpec, demo_origin};

const GOOD: &str = "ghp_doctorGoodToken000000000000000000";

struct Doctor {
    github: FakeGitHub,
    home: tempfile::TempDir,
}

impl Doctor {
    fn new() -> Doctor {
        let github = FakeGitHub::start();
        github.add_repo(demo_origin().build());
        github.add_token(TokenSpec::new(GOOD, "alice").owner("acme"));
        Doctor {
            github,
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// Runs `skillrig-auth doctor --repo acme/tools` with `token` in GITHUB_TOKEN (if any).
    fn run(&self, token: Option<&str>, extra: &[&str]) -> (i32, String) {
        self.run_with(token, extra, &[])
    }

    /// As [`Doctor::run`], with `vars` set last (overriding the defaults).
    fn run_with(
        &self,
        token: Option<&str>,
        extra: &[&str],
        vars: &[(&str, &str)],
    ) -> (i32, String) {
        let home = self.home.path();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_skillrig-auth"));
        cmd.args(["doctor", "--repo", "acme/tools"])
            .args(extra)
            .env_clear()
            // No gh, no keyring: only what the test gives.
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("SKILLRIG_GITHUB_API_URL", self.github.api_url());
        if let Some(token) = token {
            cmd.env("GITHUB_TOKEN", token);
        }
        cmd.envs(vars.iter().copied());
        let out: Output = cmd.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains(GOOD), "doctor printed the token:\n{text}");
        (out.status.code().unwrap(), text)
    }
}

#[test]
fn a_good_token_is_healthy() {
    let doctor = Doctor::new();
    let (code, text) = doctor.run(Some(GOOD), &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("authenticated to github.com as alice (scopes: repo, read:org, gist)"),
        "{text}"
    );
    assert!(
        text.contains("ok: releases of acme/tools are readable"),
        "{text}"
    );
    assert!(text.contains("classic personal access token"), "{text}");
}

#[test]
fn a_bad_token_names_its_source() {
    let doctor = Doctor::new();
    let (code, text) = doctor.run(Some("ghp_revoked"), &[]);
    assert_eq!(code, 1);
    assert!(text.contains("problem: bad credentials"), "{text}");
    assert!(text.contains("from env: GITHUB_TOKEN (401)"), "{text}");
    assert!(
        !text.contains("ghp_revoked"),
        "the bad token itself is not shown: {text}"
    );
}

#[test]
fn no_token_and_a_private_repo_explains_the_404() {
    let doctor = Doctor::new();
    let (code, text) = doctor.run(None, &[]);
    assert_eq!(code, 1);
    assert!(
        text.contains("problem: no token found for github.com, and acme/tools answered 404"),
        "{text}"
    );
    assert!(text.contains("hint: log in with `gh auth login`"), "{text}");
}

#[test]
fn an_sso_unauthorized_token_prints_the_authorization_url() {
    let doctor = Doctor::new();
    doctor.github.add_token(
        TokenSpec::new("ghp_ssoToken", "sam")
            .owner("acme")
            .sso_unauthorized("acme"),
    );
    let (code, text) = doctor.run(Some("ghp_ssoToken"), &[]);
    assert_eq!(code, 1);
    assert!(text.to_lowercase().contains("sso"), "{text}");
    assert!(
        text.contains("/orgs/acme/sso?authorization_request="),
        "{text}"
    );
}

#[test]
fn a_token_without_repo_scope_is_named() {
    let doctor = Doctor::new();
    doctor.github.add_token(
        TokenSpec::new("ghp_publicOnly", "pat")
            .owner("acme")
            .scopes(&["public_repo"]),
    );
    let (code, text) = doctor.run(Some("ghp_publicOnly"), &[]);
    assert_eq!(code, 1);
    assert!(
        text.contains("problem: the classic personal access token ghp_… from env: GITHUB_TOKEN lacks the `repo` scope (it has: public_repo), so acme/tools answers 404"),
        "{text}"
    );
    assert!(
        text.contains("hint: create a token with the `repo` scope"),
        "{text}"
    );
}

#[test]
fn rate_limited_shows_the_reset_time() {
    let doctor = Doctor::new();
    doctor.github.set_rate_limits(RateLimits {
        anonymous: 0,
        authenticated: 1,
    });
    let (code, text) = doctor.run(Some(GOOD), &[]);
    assert_eq!(code, 1);
    assert!(
        text.contains(
            "problem: rate limited: the token from env: GITHUB_TOKEN has no requests left; it resets at "
        ),
        "{text}"
    );
    assert!(text.contains(" UTC (in "), "the reset time: {text}");
}

/// `GET path` without a token over a plain socket (not the doctor's client); the raw answer.
fn get_anonymously(github: &FakeGitHub, path: &str) -> String {
    use std::io::{Read as _, Write as _};
    let mut conn = std::net::TcpStream::connect(github.api_addr()).unwrap();
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        github.api_addr()
    )
    .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    answer
}

/// The fake's reset instant, from its `/rate_limit` (free, like GitHub's).
fn reset_of(github: &FakeGitHub) -> u64 {
    let answer = get_anonymously(github, "/rate_limit");
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"));
    v["rate"]["reset"]
        .as_u64()
        .unwrap_or_else(|| panic!("no reset in {answer}"))
}

#[test]
fn the_anonymous_limit_is_the_servers_with_the_shared_reset_format() {
    let doctor = Doctor::new();
    doctor.github.set_rate_limits(RateLimits {
        anonymous: 1,
        authenticated: 5000,
    });
    let reset = reset_of(&doctor.github);
    // Another process on this IP address spent the one anonymous request.
    get_anonymously(&doctor.github, "/repos/acme/tools");
    let (code, text) = doctor.run(None, &[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        doctor.github.requests().iter().all(|r| r.path != "/user"),
        "no token, so no `/user` probe spends the anonymous limit"
    );
    let want = format!(
        "problem: rate limited: no token found for github.com, and anonymous requests are \
         limited to 1 per hour per IP address; it resets at {} (in ",
        util::time::format_utc(reset)
    );
    assert!(text.contains(&want), "want {want}\n{text}");
    assert!(
        text.contains("  hint: a token raises the limit (5000 per hour on github.com): log in with `gh auth login`"),
        "{text}"
    );
    assert!(!text.contains("60 per hour"), "{text}");

    let (_, json) = doctor.run(None, &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let finding = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == "rate-limited")
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(finding["severity"], "problem");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains(&util::time::format_utc(reset)),
        "{json}"
    );
}

#[test]
fn a_host_that_never_answers_is_a_problem_not_a_healthy_report() {
    let doctor = Doctor::new();
    // Nothing listens on port 1: every probe fails, and one finding speaks for them.
    let (code, text) = doctor.run_with(
        Some(GOOD),
        &["--json"],
        &[("SKILLRIG_GITHUB_API_URL", "http://127.0.0.1:1")],
    );
    assert_eq!(code, 1, "{text}");
    let json: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(json["healthy"], false, "{text}");
    let unanswered: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["cause"] == "no-answer")
        .collect();
    assert_eq!(unanswered.len(), 1, "{text}");
    let message = unanswered[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("GET /user to github.com failed:")
            && message.ends_with("(and 3 more request(s))"),
        "{message}"
    );

    // Trust roots that cannot be used: every request fails before it is sent.
    let (code, text) = doctor.run_with(Some(GOOD), &[], &[("SSL_CERT_FILE", "/dev/null")]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("to github.com failed:") && text.contains("SSL_CERT_FILE"),
        "{text}"
    );

    // An API URL no client can use: nothing can be asked.
    let (code, text) = doctor.run_with(
        Some(GOOD),
        &[],
        &[("SKILLRIG_GITHUB_API_URL", "ftp://127.0.0.1")],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("cannot ask github.com anything:"), "{text}");
    assert_eq!(doctor.github.requests().len(), 0, "{text}");
}

#[test]
fn an_api_url_from_the_environment_over_hosts_toml_is_named() {
    let doctor = Doctor::new();
    let config = doctor.home.path().join("config/skillrig");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("hosts.toml"),
        "[hosts.\"github.com\"]\napi_url = \"http://127.0.0.1:2\"\n",
    )
    .unwrap();
    // `run` points SKILLRIG_GITHUB_API_URL at the fake, so the probes ask the fake.
    let (code, text) = doctor.run(Some(GOOD), &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!(
            "warning: the probes asked {}, not the api_url http://127.0.0.1:2 that hosts.toml sets",
            doctor.github.api_url()
        )),
        "{text}"
    );
}

#[test]
fn offline_reports_resolution_only() {
    let doctor = Doctor::new();
    let (code, text) = doctor.run(Some(GOOD), &["--offline"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(doctor.github.requests().len(), 0, "no request offline");
}

#[test]
fn a_fine_grained_token_for_another_owner_is_named() {
    let doctor = Doctor::new();
    doctor.github.add_token(
        TokenSpec::new("github_pat_otherOwner000000000000", "fay").repo("someone-else", "stuff"),
    );
    let (code, text) = doctor.run(Some("github_pat_otherOwner000000000000"), &[]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("fine-grained"), "{text}");
    assert!(text.contains("Contents"), "{text}");
    assert!(
        !text.contains("github_pat_otherOwner000000000000"),
        "{text}"
    );
}
