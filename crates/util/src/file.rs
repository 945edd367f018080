//! Reading a project file that may be absent: a regular file's bytes, or `None` when nothing
//! is there. Anything else at the path (a directory, a FIFO, a device, a link to nothing) is an
//! error rather than "absent" — a lock that cannot be read must not read as no lock — and a
//! FIFO is never opened, so the read cannot block.

use std::io;
use std::path::Path;

/// The bytes of the regular file at `path` (links followed), or `None` when nothing is there.
///
/// # Errors
///
/// [`io::ErrorKind::InvalidInput`], with a message saying what is there instead, when the path
/// is not a regular file; any error reading it.
pub fn read_if_present(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let meta = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
        Ok(meta) => meta,
    };
    let meta = if meta.file_type().is_symlink() {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(not_a_file("a link to nothing"));
            }
            other => other?,
        }
    } else {
        meta
    };
    if meta.is_dir() {
        return Err(not_a_file("a directory"));
    }
    if !meta.is_file() {
        return Err(not_a_file("a special file (not a regular file)"));
    }
    std::fs::read(path).map(Some)
}

fn not_a_file(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("it is {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_regular_and_everything_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        assert!(read_if_present(&path).unwrap().is_none());
        std::fs::write(&path, b"x").unwrap();
        assert_eq!(read_if_present(&path).unwrap().unwrap(), b"x");
        let sub = dir.path().join("d");
        std::fs::create_dir(&sub).unwrap();
        let err = read_if_present(&sub).unwrap_err();
        assert_eq!(
            (err.kind(), err.to_string()),
            (io::ErrorKind::InvalidInput, "it is a directory".to_owned())
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_a_dangling_link_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        // Reading a FIFO nobody writes to would block this test forever.
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let err = read_if_present(&fifo).unwrap_err();
        assert!(err.to_string().contains("special file"), "{err}");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path().join("nothing"), &link).unwrap();
        assert_eq!(
            read_if_present(&link).unwrap_err().to_string(),
            "it is a link to nothing"
        );
    }
}
