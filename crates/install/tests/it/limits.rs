//! Decompression bombs and other resource limits.

use std::io::{self, Read, Write};

use install::{ErrorKind, Limits};

use crate::support::*;

const MIB: u64 = 1 << 20;

/// A gzip of a tar holding one `size`-byte file of zeros, built without materializing it.
fn tar_gz_bomb(size: u64) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let mut b = tar::Builder::new(gz);
    let mut h = tar::Header::new_gnu();
    h.set_size(size);
    h.set_mode(0o755);
    b.append_data(&mut h, "tool", io::repeat(0).take(size))
        .unwrap();
    b.into_inner().unwrap().finish().unwrap()
}

fn small_limits() -> Limits {
    Limits {
        max_extracted_bytes: MIB,
        ..Limits::default()
    }
}

#[test]
fn defaults() {
    assert_eq!(
        Limits::default(),
        Limits {
            max_extracted_bytes: 2 << 30,
            max_entries: 100_000
        }
    );
}

#[test]
fn tar_bomb_is_refused() {
    let env = Env::new();
    let bytes = tar_gz_bomb(16 * MIB);
    assert!(
        bytes.len() < 100_000,
        "the bomb should be small: {}",
        bytes.len()
    );
    let mut req = env.request("tool.tar.gz", &bytes);
    req.limits = small_limits();
    let err = install::install(req, &bytes[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    assert_eq!(
        err.to_string(),
        "refusing to install `tool.tar.gz`: it unpacks to more than the limit of 1048576 bytes"
    );
    env.assert_clean();
}

#[test]
fn single_file_bomb_is_counted_as_it_inflates() {
    // No header announces the size here: the cap has to catch the bytes as they come.
    let env = Env::new();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    io::copy(&mut io::repeat(0).take(16 * MIB), &mut gz).unwrap();
    let bytes = gz.finish().unwrap();
    let mut req = env.request("tool-linux-amd64.gz", &bytes);
    req.limits = small_limits();
    let err = install::install(req, &bytes[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    env.assert_clean();
}

#[test]
fn zip_bomb_is_refused() {
    let env = Env::new();
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
    w.start_file("tool", SimpleFileOptions::default()).unwrap();
    io::copy(&mut io::repeat(0).take(16 * MIB), &mut w).unwrap();
    let bytes = w.finish().unwrap().into_inner();
    let mut req = env.request("tool.zip", &bytes);
    req.limits = small_limits();
    let err = install::install(req, &bytes[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    env.assert_clean();
}

#[test]
fn many_entries_are_refused() {
    let env = Env::new();
    let names: Vec<String> = (0..50).map(|i| format!("f{i}")).collect();
    let members: Vec<Member<'_>> = names.iter().map(|n| Member::File(n, b"", 0o644)).collect();
    let bytes = gzip(&tar(&members));
    let mut req = env.request("tool.tar.gz", &bytes);
    req.limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    let err = install::install(req, &bytes[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    assert!(
        err.to_string()
            .contains("more than the limit of 10 entries"),
        "{err}"
    );
    env.assert_clean();
}

#[test]
fn huge_extension_header_is_refused_before_it_is_read() {
    let env = Env::new();
    let long = vec![b'a'; 2 * MIB as usize];
    let bytes = gzip(&raw_tar_long_name(&long, b"x"));
    let err = env.install("tool.tar.gz", &bytes).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    assert!(
        err.to_string()
            .contains("tar extension header holds 2097153 bytes"),
        "{err}"
    );
    env.assert_clean();
}

#[test]
fn an_archive_exactly_at_the_limit_is_fine() {
    let env = Env::new();
    let bin = noise(MIB as usize, 5);
    let bytes = gzip(&tar(&[Member::File("tool", &bin, 0o755)]));
    let mut req = env.request("tool.tar.gz", &bytes);
    req.limits = small_limits();
    install::install(req, &bytes[..]).unwrap();
    let mut w = Vec::new();
    w.write_all(&std::fs::read(env.install_path().join("bin/tool")).unwrap())
        .unwrap();
    assert_eq!(w, bin);
}
