//! Shared fixtures: the fake GitHub with the demo origin and a large origin, client configs,
//! request-log helpers, and a tiny canned-response server for exact header assertions.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use origin_meta::Host;
use releases::{ClientConfig, Credential, GitHub, RetryPolicy};
use testkit::{Cli, FakeGitHub, Listener, LoggedRequest, OriginBuilder, TokenSpec, demo_origin};

/// A sentinel token: it must never show up in a message, a log line or a cache file.
pub(crate) const TOKEN: &str = "ghp_SENTINEL_0123456789_alice";
/// Where tests say the token came from.
pub(crate) const SOURCE: &str = "credential_command";

/// The fake GitHub with the private demo origin `acme/tools` and the token registered.
pub(crate) fn github() -> FakeGitHub {
    let github = FakeGitHub::start();
    github.add_repo(demo_origin().build());
    github.add_token(TokenSpec::new(TOKEN, "alice").owner("acme"));
    github
}

/// A private origin `acme/big` with `n` releases of `jira` (one linux asset each), a draft
/// and a GitHub-flagged prerelease on top.
pub(crate) fn big_origin(n: usize) -> testkit::Repo {
    let versions: Vec<String> = (0..n).map(|i| format!("1.{}.{}", i / 10, i % 10)).collect();
    let refs: Vec<&str> = versions.iter().map(String::as_str).collect();
    OriginBuilder::new("acme", "big")
        .cli(
            Cli::new("jira")
                .platforms(&[("linux", "amd64")])
                .versions(&refs)
                .prerelease("9.0.0")
                .draft("10.0.0"),
        )
        .build()
}

/// A config for the fake with the sentinel token, instant retries and an optional cache.
pub(crate) fn config(github: &FakeGitHub, cache: Option<&Path>) -> ClientConfig {
    let mut cfg = ClientConfig::new(Host::github_com());
    cfg.api_url = github.api_url();
    cfg.credential = Some(Credential::new(TOKEN.into(), SOURCE));
    cfg.cache_dir = cache.map(Path::to_path_buf);
    cfg.retry = RetryPolicy::without_delays();
    cfg
}

/// A client for `config(github, cache)`.
pub(crate) fn client(github: &FakeGitHub, cache: Option<&Path>) -> GitHub {
    GitHub::new(config(github, cache)).expect("valid config")
}

/// A client with the token, after `adjust` changed its configuration.
pub(crate) fn client_with(
    github: &FakeGitHub,
    cache: Option<&Path>,
    adjust: impl FnOnce(&mut releases::ClientConfig),
) -> GitHub {
    let mut cfg = config(github, cache);
    adjust(&mut cfg);
    GitHub::new(cfg).expect("valid config")
}

/// The same without a token.
pub(crate) fn anonymous(github: &FakeGitHub, cache: Option<&Path>) -> GitHub {
    let mut cfg = config(github, cache);
    cfg.credential = None;
    GitHub::new(cfg).expect("valid config")
}

/// API requests whose path contains `fragment`.
pub(crate) fn api_requests(github: &FakeGitHub, fragment: &str) -> Vec<LoggedRequest> {
    github
        .requests()
        .into_iter()
        .filter(|r| r.listener == Listener::Api && r.path.contains(fragment))
        .collect()
}

/// `jira`'s stream (`<version>+jira`), as origin-meta's matcher will give it.
pub(crate) fn jira() -> origin_meta::Stream {
    origin_meta::Stream::parse_rule("+jira").expect("a valid rule")
}

/// A request as the canned server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Captured {
    /// `GET /path HTTP/1.1`.
    pub(crate) line: String,
    /// Header names lowercase.
    pub(crate) headers: Vec<(String, String)>,
}

impl Captured {
    /// A header's value.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A loopback server that answers one connection per canned response, in order (each raw
/// response should say `Connection: close`), and records what it was sent. Its URL has
/// `{self}` in the responses replaced by its own base URL.
pub(crate) fn canned_server(responses: Vec<String>) -> (String, Arc<Mutex<Vec<Captured>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let responses: Vec<String> = responses
        .into_iter()
        .map(|r| r.replace("{self}", &base))
        .collect();
    std::thread::spawn(move || {
        for response in responses {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':') {
                    headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
                }
            }
            log.lock().unwrap().push(Captured {
                line: line.trim().to_owned(),
                headers,
            });
            let mut stream = stream;
            let _ = stream.write_all(response.as_bytes());
            let _ = stream.flush();
        }
    });
    (base, seen)
}

/// A raw HTTP/1.1 response with `Connection: close`.
pub(crate) fn raw_response(status: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut s = format!("HTTP/1.1 {status}\r\n");
    for (k, v) in headers {
        s.push_str(&format!("{k}: {v}\r\n"));
    }
    s.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    s
}
