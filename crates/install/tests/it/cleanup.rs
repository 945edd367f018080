//! What interrupted and failed installs leave behind: nothing for long. A failed install into
//! a directory mise created removes everything it made; entries of processes that died
//! (SIGKILL, power loss) are swept by the next install; the download never goes next to the
//! install path.

use std::fs;

use install::{DOWNLOAD_PREFIX, ErrorKind, ExpectedDigest, STAGING_PREFIX};

use crate::support::*;

const WRONG: &str = "1111111111111111111111111111111111111111111111111111111111111111";

fn asset() -> Vec<u8> {
    gzip(&tar(&[Member::File("tool", &noise(50_000, 5), 0o755)]))
}

/// A process id that no longer runs: a child that has exited.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn a_failed_install_into_an_existing_directory_leaves_it_empty() {
    let env = Env::new();
    // mise creates the install path before the hook runs.
    fs::create_dir(env.install_path()).unwrap();
    let bytes = asset();
    let mut req = env.request("tool.tar.gz", &bytes);
    req.expected = vec![ExpectedDigest::new(WRONG, checksums())];
    let err = install::install(req, &bytes[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch);
    assert_eq!(tree(&env.install_path()), Vec::<String>::new());
    env.assert_clean();
}

#[test]
fn what_a_killed_install_left_is_swept_by_the_next_one() {
    let env = Env::new();
    let dead = dead_pid();
    // A killed process's partial binary in staging, and its half download.
    let staging = env
        .install_path()
        .join(format!("{STAGING_PREFIX}{dead}-x1"));
    fs::create_dir_all(staging.join("tree")).unwrap();
    fs::write(staging.join("tree/tool"), b"#!/bin/sh\necho half").unwrap();
    let download = env.downloads().join(format!("{DOWNLOAD_PREFIX}{dead}-y2"));
    fs::write(&download, b"half of the asset").unwrap();

    let bytes = asset();
    env.install("tool.tar.gz", &bytes).unwrap();
    assert!(!staging.exists(), "stale staging swept");
    assert!(!download.exists(), "stale download swept");
    assert_eq!(
        tree(&env.install_path()),
        [".skillrig", ".skillrig/receipt.json", "bin", "bin/tool"]
    );
    assert_eq!(tree(&env.downloads()), Vec::<String>::new());
}

#[test]
fn without_a_download_directory_the_download_stays_inside_the_install_path() {
    let env = Env::new();
    let bytes = asset();
    let mut req = env.request("tool.tar.gz", &bytes);
    req.download_dir = None;
    // A reader that checks, mid-stream, where the download file is being written.
    struct Spy<'a> {
        bytes: &'a [u8],
        install: std::path::PathBuf,
        root: std::path::PathBuf,
        seen: bool,
    }
    impl std::io::Read for Spy<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if !self.seen && self.bytes.len() < 20_000 {
                self.seen = true;
                let found: Vec<String> = tree(&self.install)
                    .into_iter()
                    .filter(|p| p.contains(DOWNLOAD_PREFIX))
                    .collect();
                assert_eq!(found.len(), 1, "{found:?}");
                assert!(found[0].starts_with(STAGING_PREFIX), "{found:?}");
                let next_to: Vec<String> = fs::read_dir(&self.root)
                    .unwrap()
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with(DOWNLOAD_PREFIX))
                    .collect();
                assert!(next_to.is_empty(), "{next_to:?}");
            }
            let n = buf.len().min(self.bytes.len()).min(8192);
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }
    let spy = Spy {
        bytes: &bytes,
        install: env.install_path(),
        root: env.root.path().to_owned(),
        seen: false,
    };
    install::install(req, spy).unwrap();
    assert_eq!(
        tree(&env.install_path()),
        [".skillrig", ".skillrig/receipt.json", "bin", "bin/tool"]
    );
}
