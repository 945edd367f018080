//! A release-download host: what `https://github.com/OWNER/REPO/releases/download/TAG/NAME`
//! is to the skillrig plugin when it fetches the `skillrig-mise` build it pins.
//!
//! Serves the files under a directory at their relative paths, the way GitHub does: the
//! download URL answers `302 Found` to a separate object path (GitHub's
//! `release-assets.githubusercontent.com`), which serves the bytes. Every request is logged, so
//! tests can count how often the plugin really downloaded, and a file can be swapped while the
//! server runs (a tampered mirror).

use std::net::{SocketAddr, TcpListener};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::http::{self, Request, Response};

/// Where GitHub's redirect points: a path prefix standing in for the object storage host.
const OBJECTS: &str = "/_objects";

/// A running download host on `127.0.0.1`. Dropping it leaves the listener thread parked on
/// `accept`; the test process's exit ends it.
pub struct DownloadHost {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<(String, u16)>>>,
}

impl DownloadHost {
    /// Serves `root` on a random loopback port.
    pub fn start(root: impl Into<PathBuf>) -> std::io::Result<DownloadHost> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        let root: Arc<Path> = root.into().into();
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (root, log) = (root.clone(), shared.clone());
                std::thread::spawn(move || {
                    http::serve_connection(stream, &|req| handle(&root, &log, req));
                });
            }
        });
        Ok(DownloadHost { addr, log })
    }

    /// `http://127.0.0.1:<port>`: a base URL under which `root`'s files are downloadable.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far as (path, status), in arrival order (redirect targets start with
    /// `/_objects`).
    pub fn requests(&self) -> Vec<(String, u16)> {
        self.log.lock().expect("log lock").clone()
    }

    /// How many downloads of an existing file whose path ends with `name` were started (the
    /// redirect each one follows is not counted twice).
    pub fn downloads(&self, name: &str) -> usize {
        self.requests()
            .iter()
            .filter(|(p, status)| *status == 302 && p.ends_with(name))
            .count()
    }
}

fn handle(root: &Path, log: &Mutex<Vec<(String, u16)>>, req: &Request) -> Response {
    let response = respond(root, req);
    let entry = (req.path.clone(), response.status);
    log.lock().expect("log lock").push(entry);
    response
}

fn respond(root: &Path, req: &Request) -> Response {
    if req.method != "GET" && req.method != "HEAD" {
        return Response::new(405);
    }
    let (redirect, rel) = match req.path.strip_prefix(OBJECTS) {
        Some(rest) => (false, rest),
        None => (true, req.path.as_str()),
    };
    let Some(file) = resolve(root, &http::decode(rel)) else {
        return Response::new(404).body(b"Not Found".to_vec());
    };
    if redirect {
        return Response::new(302).header("Location", format!("{OBJECTS}{}", req.path));
    }
    match std::fs::read(&file) {
        Ok(bytes) => Response::new(200)
            .header("Content-Type", "application/octet-stream")
            .body(bytes),
        Err(_) => Response::new(404).body(b"Not Found".to_vec()),
    }
}

/// The file `rel` names under `root`; `None` for anything that is not a plain path below it.
fn resolve(root: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel.trim_start_matches('/'));
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    let path = root.join(rel);
    path.is_file().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn get(addr: &str, path: &str) -> String {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn redirects_like_github_then_serves_and_counts() {
        let dir = std::env::temp_dir().join(format!("testkit-downloads-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("v1.0.0")).unwrap();
        std::fs::write(dir.join("v1.0.0/a.tar.gz"), b"bytes").unwrap();
        let host = DownloadHost::start(&dir).unwrap();
        let addr = host.url().trim_start_matches("http://").to_owned();

        let first = get(&addr, "/v1.0.0/a.tar.gz");
        assert!(first.starts_with("HTTP/1.1 302"), "{first}");
        assert!(
            first.contains("Location: /_objects/v1.0.0/a.tar.gz"),
            "{first}"
        );
        let second = get(&addr, "/_objects/v1.0.0/a.tar.gz");
        assert!(second.starts_with("HTTP/1.1 200") && second.ends_with("bytes"));
        assert!(get(&addr, "/v1.0.0/missing").starts_with("HTTP/1.1 404"));
        assert!(get(&addr, "/v1.0.0/../v1.0.0/a.tar.gz").starts_with("HTTP/1.1 404"));
        assert_eq!(host.downloads("a.tar.gz"), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
