//! Zip reading. Zip's directory sits at the end of the file, so a zip is unpacked from the
//! verified download file rather than from the stream. Entry types come from the Unix mode in
//! the external attributes when present; CRC-32s are checked by the `zip` crate as each entry
//! is read to its end.

use std::fs::File;
use std::io::{BufReader, Read};

use super::Extractor;
use crate::error::{Repr, Unsafe};

const S_IFMT: u32 = 0o170_000;
const S_IFIFO: u32 = 0o010_000;
const S_IFCHR: u32 = 0o020_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFBLK: u32 = 0o060_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFSOCK: u32 = 0o140_000;

/// Longest symlink target read (Linux `PATH_MAX`).
const MAX_LINK: u64 = 4096;

/// Unpacks the zip archive in `file`.
pub(crate) fn unpack(file: &File, ex: &mut Extractor) -> Result<(), Repr> {
    let mut archive = zip::ZipArchive::new(BufReader::with_capacity(64 * 1024, file))
        .map_err(|e| ex.corrupt(e))?;
    if archive.has_duplicate_names() {
        // The reader keeps one of the duplicates; which one another tool would pick is anyone's
        // guess, which is exactly the ambiguity attackers use.
        return Err(Repr::DuplicateNames {
            asset: ex.asset().to_owned(),
        });
    }
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| ex.corrupt(e))?;
        let name = entry
            .name()
            .map_err(|e| ex.corrupt(e))?
            .into_owned()
            .into_bytes();
        let mode = entry.unix_mode();
        match mode.map(|m| m & S_IFMT) {
            Some(S_IFLNK) => {
                if entry.size() > MAX_LINK {
                    ex.count_entry()?;
                    return Err(ex.reject(
                        &name,
                        Unsafe::Unsupported("symlink with an over-long target".into()),
                    ));
                }
                let mut target = Vec::new();
                entry
                    .by_ref()
                    .take(MAX_LINK)
                    .read_to_end(&mut target)
                    .map_err(|e| ex.corrupt(e))?;
                ex.symlink(&name, &target)?;
            }
            Some(S_IFDIR) => ex.dir(&name)?,
            Some(kind @ (S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK)) => {
                ex.count_entry()?;
                let reason = match kind {
                    S_IFIFO => Unsafe::Fifo,
                    S_IFSOCK => Unsafe::Unsupported("socket".into()),
                    _ => Unsafe::Device,
                };
                return Err(ex.reject(&name, reason));
            }
            _ if entry.is_dir() => ex.dir(&name)?,
            _ => {
                let exec = mode.is_some_and(|m| m & 0o111 != 0);
                let size = entry.size();
                ex.file(&name, exec, Some(size), &mut entry)?;
            }
        }
    }
    Ok(())
}
