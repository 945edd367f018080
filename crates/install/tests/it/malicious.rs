//! A generated corpus of hostile archives, one per escape technique, in tar (raw headers, GNU
//! long names, pax records) and zip (raw directory entries). Each must be refused as a whole,
//! naming the entry, with nothing written outside staging and the install path left clean.

use hint::Hint as _;
use install::ErrorKind;
use tar::EntryType;

use crate::support::*;

/// Installs `bytes` as `asset` and checks the refusal: kind, the entry named, the reason, and
/// that nothing was left anywhere.
fn refused(env: &Env, case: &str, asset: &str, bytes: &[u8], entry: &str, reason: &str) {
    let err = env.install(asset, bytes).expect_err(case);
    let text = err.to_string();
    assert_eq!(err.kind(), ErrorKind::UnsafeArchive, "{case}: {text}");
    assert!(
        text.contains(&format!("entry `{entry}`")),
        "{case}: entry not named: {text}"
    );
    assert!(
        text.contains(reason),
        "{case}: expected reason `{reason}` in: {text}"
    );
    assert!(!err.hints().is_empty());
    env.assert_clean();
}

const BIN: &[u8] = b"#!/bin/sh\necho legit\n";

#[test]
fn tar_corpus() {
    let env = Env::new();
    let out = env.outside().to_string_lossy().into_owned();
    let abs_file = format!("{out}/pwned");
    let abs = abs_file.as_bytes();
    let abs_link = format!("{out}/x");

    // (name of the case, hostile entries, entry named in the error, reason)
    let cases: Vec<(&str, Vec<RawEntry<'_>>, String, &str)> = vec![
        (
            "absolute path",
            vec![RawEntry::file(abs, b"x")],
            abs_file.clone(),
            "absolute path",
        ),
        (
            "parent dir",
            vec![RawEntry::file(b"../../../outside/pwned", b"x")],
            "../../../outside/pwned".into(),
            "`..`",
        ),
        (
            "parent dir after a folder",
            vec![RawEntry::file(b"tool-1.0/../../../../outside/pwned", b"x")],
            "tool-1.0/../../../../outside/pwned".into(),
            "`..`",
        ),
        (
            "backslash parent dir",
            vec![RawEntry::file(b"..\\..\\..\\outside\\pwned", b"x")],
            "..\\..\\..\\outside\\pwned".into(),
            "`..`",
        ),
        (
            "absolute symlink, then a write through it",
            vec![
                RawEntry::link(EntryType::Symlink, b"evil", out.as_bytes()),
                RawEntry::file(b"evil/pwned", b"x"),
            ],
            "evil".into(),
            "symlink pointing outside",
        ),
        (
            "relative symlink escaping",
            vec![
                RawEntry::link(EntryType::Symlink, b"evil", b"../../../outside"),
                RawEntry::file(b"evil/pwned", b"x"),
            ],
            "evil".into(),
            "symlink pointing outside",
        ),
        (
            "nested symlink escaping by one level",
            vec![RawEntry::link(
                EntryType::Symlink,
                b"a/b/evil",
                b"../../../x",
            )],
            "a/b/evil".into(),
            "symlink pointing outside",
        ),
        (
            "write through an internal symlink",
            vec![
                RawEntry::special(EntryType::Directory, b"sub/"),
                RawEntry::link(EntryType::Symlink, b"link", b"sub"),
                RawEntry::file(b"link/pwned", b"x"),
            ],
            "link/pwned".into(),
            "which is a link",
        ),
        (
            "absolute hard link",
            vec![RawEntry::link(
                EntryType::Link,
                b"evil",
                abs_link.as_bytes(),
            )],
            "evil".into(),
            "hard link pointing outside",
        ),
        (
            "parent dir hard link",
            vec![RawEntry::link(
                EntryType::Link,
                b"evil",
                b"../../../outside/x",
            )],
            "evil".into(),
            "hard link pointing outside",
        ),
        (
            "hard link to nothing",
            vec![RawEntry::link(EntryType::Link, b"evil", b"not-there")],
            "evil".into(),
            "not an earlier file",
        ),
        (
            "character device",
            vec![RawEntry::special(EntryType::Char, b"dev/tty")],
            "dev/tty".into(),
            "device file",
        ),
        (
            "block device",
            vec![RawEntry::special(EntryType::Block, b"sda")],
            "sda".into(),
            "device file",
        ),
        (
            "fifo",
            vec![RawEntry::special(EntryType::Fifo, b"pipe")],
            "pipe".into(),
            "FIFO",
        ),
        (
            "terminal escape in a name",
            vec![RawEntry::file(b"tool\x1b[2J", b"x")],
            "tool\\u{1b}[2J".into(),
            "control character",
        ),
        (
            "newline in a name",
            vec![RawEntry::file(b"a\nb", b"x")],
            "a\\nb".into(),
            "control character",
        ),
        (
            "name not UTF-8",
            vec![RawEntry::file(b"caf\xe9", b"x")],
            "caf\u{fffd}".into(),
            "not valid UTF-8",
        ),
        (
            "duplicate entry",
            vec![RawEntry::file(b"tool", b"second")],
            "tool".into(),
            "appears more than once",
        ),
        (
            "file over a directory",
            vec![
                RawEntry::special(EntryType::Directory, b"d/"),
                RawEntry::file(b"d", b"x"),
            ],
            "d".into(),
            "collides",
        ),
    ];
    for (case, hostile, entry, reason) in cases {
        // A legitimate binary first, so the refusal happens after something was unpacked.
        let mut entries = vec![RawEntry::file(b"tool", BIN)];
        entries.extend(hostile);
        let bytes = gzip(&raw_tar(&entries));
        refused(&env, case, "tool.tar.gz", &bytes, &entry, reason);
    }
}

#[test]
fn tar_extension_headers() {
    let env = Env::new();
    let out = env.outside().to_string_lossy().into_owned();
    let long_escape = format!("../../../outside/{}", "a".repeat(120));
    let cases: Vec<(&str, Vec<u8>, String, &str)> = vec![
        (
            "GNU long name with `..`",
            raw_tar_long_name(long_escape.as_bytes(), b"x"),
            long_escape.clone(),
            "`..`",
        ),
        (
            "GNU long name with a NUL",
            raw_tar_long_name(b"tool\0evil", b"x"),
            "tool\\u{0}evil".into(),
            "NUL",
        ),
        (
            "pax path with `..`",
            raw_tar_pax(&[("path", b"../../../outside/pwned")], b"x"),
            "../../../outside/pwned".into(),
            "`..`",
        ),
        (
            "pax absolute path",
            raw_tar_pax(&[("path", format!("{out}/pwned").as_bytes())], b"x"),
            format!("{out}/pwned"),
            "absolute path",
        ),
        (
            "pax size disagreeing with the header",
            raw_tar_pax(&[("size", b"1")], b"xyz"),
            "short".into(),
            "pax size differs",
        ),
    ];
    for (case, bytes, entry, reason) in cases {
        refused(&env, case, "tool.tar.gz", &gzip(&bytes), &entry, reason);
    }
}

#[test]
fn zip_corpus() {
    let env = Env::new();
    let out = env.outside().to_string_lossy().into_owned();
    let abs = format!("{out}/pwned");
    let file = 0o100_755;
    let cases: Vec<(&str, Vec<ZipEntry<'_>>, String, &str)> = vec![
        (
            "absolute path",
            vec![(abs.as_bytes(), file, b"x")],
            abs.clone(),
            "absolute path",
        ),
        (
            "drive letter",
            vec![(b"C:/Windows/pwned", file, b"x")],
            "C:/Windows/pwned".into(),
            "absolute path",
        ),
        (
            "parent dir",
            vec![(b"../../../outside/pwned", file, b"x")],
            "../../../outside/pwned".into(),
            "`..`",
        ),
        (
            "backslash parent dir",
            vec![(b"..\\..\\..\\outside\\pwned", file, b"x")],
            "..\\..\\..\\outside\\pwned".into(),
            "`..`",
        ),
        (
            "relative symlink escaping",
            vec![
                (b"evil", 0o120_777, b"../../../outside"),
                (b"evil/pwned", file, b"x"),
            ],
            "evil".into(),
            "symlink pointing outside",
        ),
        (
            "absolute symlink",
            vec![(b"evil", 0o120_777, out.as_bytes())],
            "evil".into(),
            "symlink pointing outside",
        ),
        (
            "character device",
            vec![(b"tty", 0o020_644, b"")],
            "tty".into(),
            "device file",
        ),
        (
            "block device",
            vec![(b"sda", 0o060_644, b"")],
            "sda".into(),
            "device file",
        ),
        (
            "fifo",
            vec![(b"pipe", 0o010_644, b"")],
            "pipe".into(),
            "FIFO",
        ),
        (
            "socket",
            vec![(b"sock", 0o140_644, b"")],
            "sock".into(),
            "socket",
        ),
        (
            "NUL in a name",
            vec![(b"tool\0.txt", file, b"x")],
            "tool\\u{0}.txt".into(),
            "NUL",
        ),
        (
            "escape in a name",
            vec![(b"a\x1b]0;pwned\x07", file, b"x")],
            "a\\u{1b}]0;pwned\\u{7}".into(),
            "control",
        ),
    ];
    for (case, hostile, entry, reason) in cases {
        let mut entries: Vec<ZipEntry<'_>> = vec![(b"tool", file, BIN)];
        entries.extend(hostile);
        refused(&env, case, "tool.zip", &raw_zip(&entries), &entry, reason);
    }
}

#[test]
fn zip_with_duplicate_names() {
    let env = Env::new();
    let bytes = raw_zip(&[(b"tool", 0o100_755, b"one"), (b"tool", 0o100_755, b"two")]);
    let err = env.install("tool.zip", &bytes).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsafeArchive);
    assert!(
        err.to_string()
            .contains("lists the same name more than once"),
        "{err}"
    );
    env.assert_clean();
}

#[test]
fn symlinks_inside_the_archive_are_fine() {
    // A link that stays inside is not an attack: it is recorded, never created, and the
    // binary it names is installed as a regular file.
    let env = Env::new();
    let bytes = gzip(&tar(&[
        Member::File("pkg/libexec/tool-1.2.3", BIN, 0o755),
        Member::Symlink("pkg/bin/tool", "../libexec/tool-1.2.3"),
    ]));
    let done = env.install("tool.tar.gz", &bytes).unwrap();
    let meta = std::fs::symlink_metadata(&done.bin_path).unwrap();
    assert!(meta.file_type().is_file());
    assert_eq!(std::fs::read(&done.bin_path).unwrap(), BIN);
}

#[cfg(unix)]
#[test]
fn a_symlink_planted_at_the_destination_is_replaced_not_followed() {
    let env = Env::new();
    let victim = env.outside().join("victim");
    std::fs::write(&victim, b"keep me").unwrap();
    std::fs::create_dir_all(env.install_path().join("bin")).unwrap();
    std::os::unix::fs::symlink(&victim, env.install_path().join("bin/tool")).unwrap();

    let done = env.install("tool", BIN).unwrap();
    assert!(
        std::fs::symlink_metadata(&done.bin_path)
            .unwrap()
            .file_type()
            .is_file()
    );
    assert_eq!(std::fs::read(&done.bin_path).unwrap(), BIN);
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep me");
}
