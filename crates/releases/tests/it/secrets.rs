//! The sentinel token never reaches a cache file, an error message, a `Debug` rendering or a
//! log line (at any level).

use hint::Hint as _;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use releases::{Credential, Error, GitHub};
use testkit::{Fault, FaultKind, RateLimits, TokenSpec};

use crate::support::{TOKEN, client, config, github};

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Every way an error is shown.
fn renderings(err: &Error) -> String {
    let mut chain = String::new();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        chain.push_str(&format!(" / {s} / {s:?}"));
        source = s.source();
    }
    format!(
        "{err} / {err:?} / {:?}{chain}",
        err.hints().first().cloned()
    )
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_token_never_reaches_cache_files_errors_or_logs() {
    let github = github();
    let dir = tempfile::tempdir().unwrap();
    let logs = Buffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // The process-wide default, not a scoped `with_default`: tracing caches each callsite's
    // interest globally, decided by the first thread that reaches it. A sibling test thread
    // (no subscriber) reaching the client's `GET` event first cached "never" and this test saw
    // no logs (about one full run in four). With a global default every thread decides
    // "always", and the sibling tests' logs are checked for the token too. Only this test in
    // the binary sets it; the rebuild covers callsites registered before it was set.
    tracing::subscriber::set_global_default(subscriber)
        .expect("only this test sets the global subscriber");
    tracing::callsite::rebuild_interest_cache();

    let mut errors: Vec<Error> = Vec::new();
    let gh = client(&github, Some(dir.path()));
    {
        // Successful paths: listing, metadata, a download, revalidation.
        let listing = gh.list_releases("acme", "tools").unwrap();
        gh.file("acme", "tools", "index.json", None).unwrap();
        gh.file("acme", "tools", "absent.json", None).unwrap();
        let mut bytes = Vec::new();
        gh.download(&listing[0].assets[0])
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        let mut cfg = config(&github, Some(dir.path()));
        cfg.freshness = std::time::Duration::ZERO;
        GitHub::new(cfg)
            .unwrap()
            .list_releases("acme", "tools")
            .unwrap();

        // Failing paths, each with the sentinel (or a token derived from it) configured.
        github.inject(Fault::new("/releases", FaultKind::Status(502)).times(3));
        errors.push(
            client(&github, None)
                .list_releases("acme", "tools")
                .unwrap_err(),
        );
        errors.push(
            client(&github, None)
                .list_releases("acme", "nope")
                .unwrap_err(),
        );
        github.inject(Fault::new("/releases", FaultKind::Status(403)));
        errors.push(
            client(&github, None)
                .list_releases("acme", "tools")
                .unwrap_err(),
        );
        let mut cfg = config(&github, Some(dir.path()));
        cfg.credential = Some(Credential::new(
            format!("{TOKEN}_revoked").into(),
            "GH_TOKEN",
        ));
        errors.push(
            GitHub::new(cfg)
                .unwrap()
                .list_releases("acme", "tools")
                .unwrap_err(),
        );
        github.add_token(
            TokenSpec::new(&format!("{TOKEN}_sso"), "carol")
                .owner("acme")
                .sso_unauthorized("acme"),
        );
        let mut cfg = config(&github, None);
        cfg.credential = Some(Credential::new(format!("{TOKEN}_sso").into(), "GH_TOKEN"));
        errors.push(
            GitHub::new(cfg)
                .unwrap()
                .list_releases("acme", "tools")
                .unwrap_err(),
        );
        github.set_rate_limits(RateLimits {
            anonymous: 0,
            authenticated: 0,
        });
        errors.push(
            client(&github, None)
                .list_releases("acme", "tools")
                .unwrap_err(),
        );
        let mut cfg = config(&github, None);
        cfg.offline = true;
        errors.push(
            GitHub::new(cfg)
                .unwrap()
                .list_releases("acme", "x")
                .unwrap_err(),
        );
        let mut cfg = config(&github, None);
        cfg.api_url = "http://127.0.0.1:1".to_owned();
        errors.push(
            GitHub::new(cfg)
                .unwrap()
                .list_releases("acme", "tools")
                .unwrap_err(),
        );
    }
    assert_eq!(errors.len(), 8);

    for err in &errors {
        let shown = renderings(err);
        assert!(!shown.contains(TOKEN), "{shown}");
    }
    assert!(!format!("{gh:?}").contains(TOKEN));

    let logs = logs.0.lock().unwrap();
    assert!(
        !logs.is_empty(),
        "the subscriber saw the client's debug logs"
    );
    assert!(contains(&logs, "GET"), "{}", String::from_utf8_lossy(&logs));
    assert!(!contains(&logs, TOKEN));
    assert!(
        !contains(&logs, "X-Signature"),
        "signed URLs are redacted in logs"
    );

    let files = files_under(dir.path());
    assert!(files.len() >= 3, "{files:?}");
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!contains(&bytes, TOKEN), "{}", file.display());
        assert!(!contains(&bytes, "SENTINEL"), "{}", file.display());
    }
}
