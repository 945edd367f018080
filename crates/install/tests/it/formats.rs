//! Every supported format installs the right bytes at `bin/<bin>`, executable, and leaves
//! nothing but the binary and its receipt.

use std::fs;

use install::{AssetFormat, BinaryLocator};

use crate::support::*;

/// Layout every successful install must have.
const INSTALLED: [&str; 4] = [".skillrig", ".skillrig/receipt.json", "bin", "bin/tool"];

fn binary() -> Vec<u8> {
    // A little over two stream chunks, so the pipeline hands off several buffers.
    noise(300_000, 7)
}

fn archive_members(bin: &[u8]) -> Vec<u8> {
    tar(&[
        Member::Dir("tool-1.2.3/"),
        Member::File("tool-1.2.3/README.md", b"# tool\n", 0o644),
        Member::Dir("tool-1.2.3/bin/"),
        Member::File("tool-1.2.3/bin/tool", bin, 0o755),
    ])
}

fn check(env: &Env, asset: &str, bytes: &[u8], bin: &[u8], format: AssetFormat) {
    let done = env
        .install(asset, bytes)
        .unwrap_or_else(|e| panic!("{asset}: {e}"));
    assert_eq!(done.format, format, "{asset}");
    assert_eq!(done.bin_path, env.install_path().join("bin/tool"));
    assert_eq!(
        fs::read(&done.bin_path).unwrap(),
        bin,
        "{asset}: binary content"
    );
    assert_eq!(done.sha256_hex, sha256(bytes));
    assert_eq!(done.bin_sha256_hex, sha256(bin));
    assert_eq!(done.bytes, bytes.len() as u64);
    assert_eq!(done.verified_by, vec![checksums()]);
    assert!(done.warnings.is_empty());
    assert_eq!(tree(&env.install_path()), INSTALLED, "{asset}");
    assert!(
        tree(&env.downloads()).is_empty(),
        "{asset}: download file left behind"
    );
    #[cfg(unix)]
    assert_eq!(
        mode(&done.bin_path) & 0o111,
        0o111,
        "{asset}: not executable"
    );
}

#[test]
fn every_tar_flavour() {
    let bin = binary();
    let t = archive_members(&bin);
    let cases: [(&str, Vec<u8>, AssetFormat); 6] = [
        (
            "tool_1.2.3_linux_amd64.tar.gz",
            gzip(&t),
            AssetFormat::TarGz,
        ),
        ("tool_1.2.3_linux_amd64.tgz", gzip(&t), AssetFormat::TarGz),
        ("tool_1.2.3_linux_amd64.tar.xz", xz(&t), AssetFormat::TarXz),
        (
            "tool_1.2.3_linux_amd64.tar.zst",
            zstd(&t),
            AssetFormat::TarZst,
        ),
        (
            "tool_1.2.3_linux_amd64.tar.bz2",
            bzip2(&t),
            AssetFormat::TarBz2,
        ),
        ("tool_1.2.3_linux_amd64.tar", t.clone(), AssetFormat::Tar),
    ];
    for (asset, bytes, format) in cases {
        check(&Env::new(), asset, &bytes, &bin, format);
    }
}

#[test]
fn zip_archive() {
    let bin = binary();
    let z = zip(&[
        Member::Dir("tool-1.2.3/"),
        Member::File("tool-1.2.3/LICENSE", b"MIT", 0o644),
        Member::File("tool-1.2.3/tool", &bin, 0o755),
    ]);
    check(
        &Env::new(),
        "tool_1.2.3_darwin_arm64.zip",
        &z,
        &bin,
        AssetFormat::Zip,
    );
}

#[test]
fn single_compressed_files() {
    let bin = binary();
    let cases: [(&str, Vec<u8>, AssetFormat); 4] = [
        ("tool-linux-amd64.gz", gzip(&bin), AssetFormat::Gz),
        ("tool-linux-amd64.xz", xz(&bin), AssetFormat::Xz),
        ("tool-linux-amd64.zst", zstd(&bin), AssetFormat::Zst),
        ("tool-linux-amd64.bz2", bzip2(&bin), AssetFormat::Bz2),
    ];
    for (asset, bytes, format) in cases {
        check(&Env::new(), asset, &bytes, &bin, format);
    }
}

#[test]
fn raw_binary() {
    let bin = binary();
    check(
        &Env::new(),
        "tool-linux-amd64",
        &bin,
        &bin,
        AssetFormat::Raw,
    );
}

#[test]
fn raw_windows_exe() {
    let env = Env::new();
    let bin = binary();
    let mut req = env.request("tool_windows_amd64.exe", &bin);
    req.locator = BinaryLocator {
        windows: true,
        ..BinaryLocator::new("tool")
    };
    let done = install::install(req, &bin[..]).unwrap();
    assert_eq!(done.bin_path, env.install_path().join("bin/tool.exe"));
    assert_eq!(fs::read(&done.bin_path).unwrap(), bin);
}

#[test]
fn concatenated_gzip_members() {
    // pigz and friends emit several gzip members; all of them are part of the stream.
    let bin = binary();
    let t = archive_members(&bin);
    let (a, b) = t.split_at(t.len() / 2);
    let mut bytes = gzip(a);
    bytes.extend(gzip(b));
    check(&Env::new(), "tool.tar.gz", &bytes, &bin, AssetFormat::TarGz);
}

#[test]
fn reinstall_replaces_the_binary() {
    let env = Env::new();
    let old = gzip(&tar(&[Member::File("tool", b"old", 0o755)]));
    env.install("tool.tar.gz", &old).unwrap();
    let new = gzip(&tar(&[Member::File("tool", b"new", 0o755)]));
    let done = env.install("tool.tar.gz", &new).unwrap();
    assert_eq!(fs::read(done.bin_path).unwrap(), b"new");
    assert_eq!(
        install::read_receipt(env.install_path())
            .unwrap()
            .asset_sha256,
        sha256(&new)
    );
    assert_eq!(tree(&env.install_path()), INSTALLED);
}

#[test]
fn progress_sees_every_byte_in_order() {
    let env = Env::new();
    let bin = binary();
    let bytes = zip(&[Member::File("tool", &bin, 0o755)]);
    let rec = Recorder::default();
    let mut req = env.request("tool.zip", &bytes);
    req.progress = &rec;
    install::install(req, &bytes[..]).unwrap();
    assert_eq!(rec.started.get(), Some(Some(bytes.len() as u64)));
    assert_eq!(rec.advanced.get(), bytes.len() as u64);
    assert!(rec.finished.get());
    assert_eq!(
        *rec.phases.borrow(),
        [
            "downloading tool.zip",
            "extracting tool.zip",
            "installing bin/tool"
        ]
    );
}
