//! Tampered or broken downloads: nothing is installed, nothing is left behind, and the error
//! says which digest disagreed with what.

use hint::Hint as _;
use std::cell::Cell;
use std::fs;

use install::{BinaryLocator, DigestSource, ErrorKind, ExpectedDigest, VerifyPolicy};

use crate::support::*;

const WRONG: &str = "1111111111111111111111111111111111111111111111111111111111111111";

fn asset() -> Vec<u8> {
    gzip(&tar(&[Member::File("tool", &noise(200_000, 3), 0o755)]))
}

#[test]
fn checksums_file_mismatch() {
    let env = Env::new();
    let bytes = asset();
    let mut req = env.request("tool.tar.gz", &bytes);
    req.expected = vec![ExpectedDigest::new(WRONG, checksums())];
    let err = install::install(req, &bytes[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch);
    assert_eq!(
        err.to_string(),
        format!(
            "sha256 mismatch for `tool.tar.gz`: the checksums file `tool_checksums.txt` expects \
             {WRONG}, but the downloaded bytes hash to {}",
            sha256(&bytes)
        )
    );
    assert_eq!(err.actual_sha256(), Some(sha256(&bytes).as_str()));
    env.assert_clean();
}

#[test]
fn github_digest_mismatch() {
    let env = Env::new();
    let bytes = asset();
    let mut req = env.request("tool.tar.gz", &bytes);
    req.expected = vec![ExpectedDigest::new(WRONG, DigestSource::GithubDigest)];
    let err = install::install(req, &bytes[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch);
    assert!(
        err.to_string()
            .contains(&format!("the GitHub asset digest expects {WRONG}")),
        "{err}"
    );
    env.assert_clean();
}

#[test]
fn one_of_two_sources_mismatching_is_enough_to_refuse() {
    for wrong_one in [0, 1] {
        let env = Env::new();
        let bytes = asset();
        let mut req = env.request("tool.tar.gz", &bytes);
        let good = sha256(&bytes);
        let digests = [good.as_str(), WRONG];
        req.expected = vec![
            ExpectedDigest::new(digests[wrong_one], checksums()),
            ExpectedDigest::new(digests[1 - wrong_one], DigestSource::GithubDigest),
        ];
        let err = install::install(req, &bytes[..]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DigestMismatch);
        let hints = err.hints().join("\n");
        assert!(
            hints.contains("matched, so the sources disagree"),
            "{hints}"
        );
        env.assert_clean();
    }
}

#[test]
fn both_sources_matching_are_both_recorded() {
    let env = Env::new();
    let bytes = asset();
    let mut req = env.request("tool.tar.gz", &bytes);
    req.expected.push(ExpectedDigest::new(
        sha256(&bytes).to_uppercase(),
        DigestSource::GithubDigest,
    ));
    let done = install::install(req, &bytes[..]).unwrap();
    assert_eq!(
        done.verified_by,
        vec![checksums(), DigestSource::GithubDigest]
    );
}

#[test]
fn tampered_bytes_are_caught_even_when_they_unpack() {
    // Same archive with one byte of the binary flipped (stored tar, so it still unpacks).
    let env = Env::new();
    let good = tar(&[Member::File("tool", b"original binary", 0o755)]);
    let mut evil = good.clone();
    let at = evil.windows(8).position(|w| w == b"original").unwrap();
    evil[at] = b'O';
    let mut req = env.request("tool.tar", &good);
    req.content_length = Some(evil.len() as u64);
    let err = install::install(req, &evil[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch);
    env.assert_clean();
}

#[test]
fn mismatch_takes_precedence_over_a_broken_archive() {
    let env = Env::new();
    let junk = noise(50_000, 9);
    let mut req = env.request("tool.tar.gz", &junk);
    req.expected = vec![ExpectedDigest::new(WRONG, checksums())];
    let err = install::install(req, &junk[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch, "{err}");
    env.assert_clean();
}

#[test]
fn corrupt_archive_with_matching_digest() {
    let env = Env::new();
    let junk = noise(50_000, 9);
    let err = env.install("tool.tar.gz", &junk).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CorruptArchive, "{err}");
    assert_eq!(err.to_string(), "`tool.tar.gz` is not a valid tar.gz file");
    assert!(
        std::error::Error::source(&err).is_some(),
        "cause kept in source()"
    );
    env.assert_clean();
}

#[test]
fn missing_binary() {
    let env = Env::new();
    let bytes = gzip(&tar(&[
        Member::File("pkg/other", b"x", 0o755),
        Member::File("pkg/README", b"x", 0o644),
    ]));
    let err = env.install("tool.tar.gz", &bytes).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BinaryNotFound);
    assert_eq!(
        err.to_string(),
        "binary `tool` not found in `tool.tar.gz` (executables in the archive: `pkg/other`)"
    );
    env.assert_clean();
}

#[test]
fn missing_binary_at_the_metadata_path() {
    let env = Env::new();
    let bytes = gzip(&tar(&[Member::File("tool", b"x", 0o755)]));
    let mut req = env.request("tool.tar.gz", &bytes);
    req.locator = BinaryLocator {
        path_in_archive: Some("dist/tool".into()),
        ..BinaryLocator::new("tool")
    };
    let err = install::install(req, &bytes[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BinaryNotFound);
    assert!(
        err.to_string().starts_with("binary `dist/tool` not found"),
        "{err}"
    );
    env.assert_clean();
}

#[test]
fn truncated_stream() {
    for asset_name in ["tool.tar.gz", "tool.zip", "tool"] {
        let env = Env::new();
        let bytes = match asset_name {
            "tool.zip" => zip(&[Member::File("tool", &noise(200_000, 1), 0o755)]),
            "tool" => noise(200_000, 1),
            _ => asset(),
        };
        let short = &bytes[..bytes.len() - 1000];
        let req = env.request(asset_name, &bytes);
        let err = install::install(req, short).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Download, "{asset_name}: {err}");
        assert_eq!(
            err.to_string(),
            format!(
                "download of `{asset_name}` ended after {} of the announced {} bytes",
                short.len(),
                bytes.len()
            )
        );
        env.assert_clean();
    }
}

#[test]
fn overlong_stream() {
    let env = Env::new();
    let bytes = asset();
    let mut req = env.request("tool.tar.gz", &bytes);
    req.content_length = Some(bytes.len() as u64 - 1);
    let err = install::install(req, &bytes[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Download);
    env.assert_clean();
}

#[test]
fn connection_dropped_mid_stream() {
    let env = Env::new();
    let bytes = asset();
    let req = env.request("tool.tar.gz", &bytes);
    let err = install::install(
        req,
        FailingBody {
            data: &bytes[..bytes.len() / 2],
        },
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Download);
    assert_eq!(
        err.to_string(),
        "failed to read the download of `tool.tar.gz`"
    );
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert_eq!(cause, "connection reset by peer");
    env.assert_clean();
}

#[test]
fn no_digest_is_refused_before_reading() {
    let env = Env::new();
    let bytes = asset();
    let mut req = env.request("tool.tar.gz", &bytes);
    req.expected.clear();
    let touched = Cell::new(false);
    let err = install::install(req, Untouched(&touched)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unverified);
    assert_eq!(
        err.to_string(),
        "refusing to install `tool.tar.gz` unverified: no checksums file entry or GitHub digest \
         is available for it"
    );
    assert!(err.hints().iter().any(|h| h.contains("verify = \"none\"")));
    assert!(!touched.get(), "the body must not be read");
    assert!(!env.install_path().exists());
    env.assert_clean();
}

#[test]
fn verify_none_installs_with_a_loud_warning() {
    let env = Env::new();
    let bytes = asset();
    let mut req = env.request("tool.tar.gz", &bytes);
    unverified(&mut req);
    let done = install::install(req, &bytes[..]).unwrap();
    assert!(done.verified_by.is_empty());
    assert_eq!(done.warnings.len(), 1);
    assert!(
        done.warnings[0].contains("WITHOUT verification"),
        "{:?}",
        done.warnings
    );
    assert!(
        install::read_receipt(env.install_path())
            .unwrap()
            .verified_by
            .is_empty()
    );
}

#[test]
fn verify_none_still_checks_digests_that_exist() {
    let env = Env::new();
    let bytes = asset();
    let mut req = env.request("tool.tar.gz", &bytes);
    req.policy = VerifyPolicy::AllowUnverified;
    req.expected = vec![ExpectedDigest::new(WRONG, checksums())];
    assert_eq!(
        install::install(req, &bytes[..]).unwrap_err().kind(),
        ErrorKind::DigestMismatch
    );
    env.assert_clean();
}

#[test]
fn malformed_expected_digest_is_a_request_error() {
    let env = Env::new();
    let bytes = asset();
    let mut req = env.request("tool.tar.gz", &bytes);
    req.expected = vec![ExpectedDigest::new(
        "sha256:abc",
        DigestSource::GithubDigest,
    )];
    let err = install::install(req, &bytes[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("`sha256:abc`"), "{err}");
}

#[test]
fn bad_binary_names_are_request_errors() {
    for name in ["", ".", "..", "a/b", "a\\b", "tool\n"] {
        let env = Env::new();
        let bytes = asset();
        let mut req = env.request("tool.tar.gz", &bytes);
        req.locator = BinaryLocator::new(name);
        let err = install::install(req, &bytes[..]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{name:?}");
        env.assert_clean();
    }
}

#[test]
fn failed_reinstall_keeps_the_previous_install() {
    let env = Env::new();
    let old = gzip(&tar(&[Member::File("tool", b"old", 0o755)]));
    env.install("tool.tar.gz", &old).unwrap();
    let before = fs::read(env.install_path().join(".skillrig/receipt.json")).unwrap();

    let new = gzip(&tar(&[Member::File("tool", b"new", 0o755)]));
    let mut req = env.request("tool.tar.gz", &new);
    req.expected = vec![ExpectedDigest::new(WRONG, checksums())];
    install::install(req, &new[..]).unwrap_err();

    assert_eq!(
        fs::read(env.install_path().join("bin/tool")).unwrap(),
        b"old"
    );
    assert_eq!(
        fs::read(env.install_path().join(".skillrig/receipt.json")).unwrap(),
        before
    );
    assert_eq!(
        tree(&env.install_path()),
        [".skillrig", ".skillrig/receipt.json", "bin", "bin/tool"]
    );
}
