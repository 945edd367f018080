//! Validation of archive entry names and link targets.
//!
//! An entry name is accepted only if it is valid UTF-8 without control characters, relative,
//! and free of `..` components. Backslashes count as separators, so `..\x` is caught as well
//! (it would escape when the same archive is unpacked on Windows). Empty and `.` components
//! are dropped, so `./a//b` becomes `a/b`. A symlink target may use `..` as long as it stays
//! inside the archive, resolved lexically from the link's own directory.

use crate::error::Unsafe;

/// The normalized relative path (`a/b/c`, possibly empty for the root) of an entry name.
pub(crate) fn normalize(raw: &[u8]) -> Result<String, Unsafe> {
    let s = checked_str(raw)?;
    let s = s.replace('\\', "/");
    if s.starts_with('/') {
        return Err(Unsafe::Absolute);
    }
    let mut out: Vec<&str> = Vec::new();
    for comp in s.split('/') {
        match comp {
            "" | "." => {}
            ".." => return Err(Unsafe::ParentDir),
            c => {
                if out.is_empty() && has_drive_prefix(c) {
                    return Err(Unsafe::Absolute);
                }
                out.push(c);
            }
        }
    }
    Ok(out.join("/"))
}

/// The archive path a symlink at `link` (normalized) pointing to `raw_target` refers to, or
/// [`Unsafe::SymlinkEscapes`] if it leaves the archive.
pub(crate) fn resolve_symlink(link: &str, raw_target: &[u8]) -> Result<String, Unsafe> {
    let target = checked_str(raw_target)?.replace('\\', "/");
    let escapes = || Unsafe::SymlinkEscapes(target.clone());
    if target.is_empty() {
        return Err(Unsafe::Unsupported("symlink with an empty target".into()));
    }
    if target.starts_with('/') || target.split('/').next().is_some_and(has_drive_prefix) {
        return Err(escapes());
    }
    let mut stack: Vec<&str> = link.split('/').collect();
    stack.pop(); // the link's own name; resolution starts in its directory
    for comp in target.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                if stack.pop().is_none() {
                    return Err(escapes());
                }
            }
            c => stack.push(c),
        }
    }
    Ok(stack.join("/"))
}

fn checked_str(raw: &[u8]) -> Result<&str, Unsafe> {
    if raw.contains(&0) {
        return Err(Unsafe::Control);
    }
    let s = std::str::from_utf8(raw).map_err(|_| Unsafe::NotUtf8)?;
    if s.chars().any(char::is_control) {
        return Err(Unsafe::Control);
    }
    Ok(s)
}

/// `C:` or `c:foo`: a Windows drive, absolute or drive-relative.
fn has_drive_prefix(comp: &str) -> bool {
    let b = comp.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names() {
        let table: &[(&[u8], Result<&str, Unsafe>)] = &[
            (b"a/b/c", Ok("a/b/c")),
            (b"./a//b/", Ok("a/b")),
            (b"./", Ok("")),
            (b"a\\b", Ok("a/b")),
            (b"/etc/passwd", Err(Unsafe::Absolute)),
            (b"\\evil", Err(Unsafe::Absolute)),
            (b"C:/Windows", Err(Unsafe::Absolute)),
            (b"c:evil", Err(Unsafe::Absolute)),
            (b"a/c:ok", Ok("a/c:ok")),
            (b"../x", Err(Unsafe::ParentDir)),
            (b"a/../../x", Err(Unsafe::ParentDir)),
            (b"a/../b", Err(Unsafe::ParentDir)),
            (b"..\\x", Err(Unsafe::ParentDir)),
            (b"a\0b", Err(Unsafe::Control)),
            (b"a\nb", Err(Unsafe::Control)),
            (b"a\x1b[31mb", Err(Unsafe::Control)),
            (b"a\x7f", Err(Unsafe::Control)),
            (b"a\xffb", Err(Unsafe::NotUtf8)),
            ("caf\u{e9}/bin".as_bytes(), Ok("caf\u{e9}/bin")),
        ];
        for (raw, want) in table {
            assert_eq!(normalize(raw), want.clone().map(str::to_owned), "{raw:?}");
        }
    }

    #[test]
    fn symlink_targets() {
        let esc = |t: &str| Err(Unsafe::SymlinkEscapes(t.into()));
        let table: &[(&str, &[u8], Result<&str, Unsafe>)] = &[
            ("bin/tool", b"../libexec/tool", Ok("libexec/tool")),
            ("bin/tool", b"tool-1.0", Ok("bin/tool-1.0")),
            ("bin/tool", b"./x/../y", Ok("bin/y")),
            ("tool", b"../tool", esc("../tool")),
            (
                "a/b/tool",
                b"../../../etc/passwd",
                esc("../../../etc/passwd"),
            ),
            ("tool", b"/usr/bin/env", esc("/usr/bin/env")),
            ("tool", b"C:\\Windows", esc("C:/Windows")),
            (
                "tool",
                b"",
                Err(Unsafe::Unsupported("symlink with an empty target".into())),
            ),
        ];
        for (link, target, want) in table {
            assert_eq!(
                resolve_symlink(link, target),
                want.clone().map(str::to_owned),
                "{link} -> {target:?}"
            );
        }
    }
}
