//! Binary location rules, end to end through real archives.

use hint::Hint as _;
use std::fs;

use install::{BinaryLocator, ErrorKind};

use crate::support::*;

fn installed(
    members: &[Member<'_>],
    locator: BinaryLocator,
) -> Result<Vec<u8>, install::InstallError> {
    let env = Env::new();
    let bytes = gzip(&tar(members));
    let mut req = env.request("tool.tar.gz", &bytes);
    req.locator = locator;
    let done = install::install(req, &bytes[..])?;
    Ok(fs::read(done.bin_path).unwrap())
}

#[test]
fn metadata_path_wins() {
    let members = [
        Member::File("tool-1.0/bin/tool", b"bin", 0o755),
        Member::File("tool-1.0/dist/linux/tool", b"dist", 0o755),
    ];
    let locator = BinaryLocator {
        path_in_archive: Some("dist/linux/tool".into()),
        ..BinaryLocator::new("tool")
    };
    assert_eq!(installed(&members, locator).unwrap(), b"dist");
}

#[test]
fn bin_dir_then_root_then_anywhere() {
    let both = [
        Member::File("tool", b"root", 0o755),
        Member::File("bin/tool", b"bin", 0o755),
    ];
    assert_eq!(
        installed(&both, BinaryLocator::new("tool")).unwrap(),
        b"bin"
    );

    let stripped = [
        Member::File("tool_1.0_linux_amd64/tool", b"root", 0o755),
        Member::File("tool_1.0_linux_amd64/README.md", b"doc", 0o644),
    ];
    assert_eq!(
        installed(&stripped, BinaryLocator::new("tool")).unwrap(),
        b"root"
    );

    let deep = [
        Member::File("a/b/c/tool", b"deep", 0o755),
        Member::File("LICENSE", b"", 0o644),
    ];
    assert_eq!(
        installed(&deep, BinaryLocator::new("tool")).unwrap(),
        b"deep"
    );
}

#[test]
fn ambiguity_lists_the_candidates() {
    let members = [
        Member::File("linux/tool", b"1", 0o755),
        Member::File("darwin/tool", b"2", 0o755),
        Member::File("README", b"", 0o644),
    ];
    let err = installed(&members, BinaryLocator::new("tool")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AmbiguousBinary);
    assert_eq!(
        err.to_string(),
        "binary `tool` is ambiguous in `tool.tar.gz`: candidates are `darwin/tool`, `linux/tool`"
    );
    assert!(err.hints()[0].contains("`bin`"));
}

#[test]
fn windows_exe_in_zip() {
    let env = Env::new();
    let bytes = zip(&[Member::File(
        "tool_1.0_windows_amd64/tool.exe",
        b"MZ",
        0o644,
    )]);
    let mut req = env.request("tool_1.0_windows_amd64.zip", &bytes);
    req.locator = BinaryLocator {
        windows: true,
        ..BinaryLocator::new("tool")
    };
    let done = install::install(req, &bytes[..]).unwrap();
    assert_eq!(done.bin_path, env.install_path().join("bin/tool.exe"));
    assert_eq!(fs::read(done.bin_path).unwrap(), b"MZ");
}

#[test]
fn a_non_executable_entry_is_installed_executable() {
    let env = Env::new();
    let bytes = zip(&[Member::File("tool", b"x", 0o644)]);
    let done = env.install("tool.zip", &bytes).unwrap();
    #[cfg(unix)]
    assert_eq!(mode(&done.bin_path) & 0o777, 0o755);
    let _ = done;
}
