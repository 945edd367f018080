//! Tar reading, with the extension headers handled here rather than by the `tar` crate.
//!
//! The archive is read in the crate's *raw* mode: GNU long names (`L`), long link names (`K`)
//! and pax headers (`x`, `g`) arrive as entries of their own. The `tar` crate would otherwise
//! read their whole contents into memory, however large the header claims to be; here each is
//! capped at [`META_LIMIT`] before it is read. A pax `size` that disagrees with the entry's
//! header is refused rather than honoured: readers that disagree about framing are how
//! archives are made to look different to different tools.

use std::io::Read;

use tar::EntryType;

use super::Extractor;
use crate::error::{Repr, Unsafe};
use crate::format::{Compression, decoder};
use crate::stream::ChannelReader;

/// Largest extension header (long name, pax records) accepted.
pub(crate) const META_LIMIT: u64 = 1 << 20;

/// Extension data waiting for the entry it describes.
#[derive(Default)]
struct Pending {
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
    pax_path: Option<Vec<u8>>,
    pax_link: Option<Vec<u8>>,
    pax_size: Option<u64>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.long_name.is_none()
            && self.long_link.is_none()
            && self.pax_path.is_none()
            && self.pax_link.is_none()
            && self.pax_size.is_none()
    }
}

/// Unpacks a (compressed) tar stream arriving through `input`.
pub(crate) fn unpack(
    compression: Compression,
    input: ChannelReader,
    ex: &mut Extractor,
) -> Result<(), Repr> {
    let decoded = decoder(compression, input).map_err(|e| ex.corrupt(e))?;
    let mut archive = tar::Archive::new(decoded);
    let mut pending = Pending::default();
    let entries = archive.entries().map_err(|e| ex.corrupt(e))?.raw(true);
    for entry in entries {
        let mut entry = entry.map_err(|e| ex.corrupt(e))?;
        match entry.header().entry_type() {
            EntryType::GNULongName => pending.long_name = Some(strip_nul(meta(ex, &mut entry)?)),
            EntryType::GNULongLink => pending.long_link = Some(strip_nul(meta(ex, &mut entry)?)),
            EntryType::XHeader => {
                let data = meta(ex, &mut entry)?;
                for ext in tar::PaxExtensions::new(&data) {
                    let ext = ext.map_err(|e| ex.corrupt(e))?;
                    match ext.key_bytes() {
                        b"path" => pending.pax_path = Some(ext.value_bytes().to_vec()),
                        b"linkpath" => pending.pax_link = Some(ext.value_bytes().to_vec()),
                        b"size" => {
                            let size = ext
                                .value()
                                .ok()
                                .and_then(|v| v.parse::<u64>().ok())
                                .ok_or_else(|| ex.corrupt("invalid pax size record"))?;
                            pending.pax_size = Some(size);
                        }
                        _ => {}
                    }
                }
            }
            // Global pax records (comments, mtimes) carry nothing we use.
            EntryType::XGlobalHeader => {
                meta(ex, &mut entry)?;
            }
            _ => one_entry(ex, &mut entry, std::mem::take(&mut pending))?,
        }
    }
    if !pending.is_empty() {
        return Err(ex.corrupt("extension header at the end of the archive describes no entry"));
    }
    // Read past the end-of-archive blocks so the decoder checks its trailer.
    let mut rest = archive.into_inner();
    ex.drain(&mut rest)
}

fn one_entry<R: Read>(
    ex: &mut Extractor,
    entry: &mut tar::Entry<'_, R>,
    pending: Pending,
) -> Result<(), Repr> {
    let header = entry.header();
    let kind = header.entry_type();
    let name = pending
        .pax_path
        .or(pending.long_name)
        .unwrap_or_else(|| header.path_bytes().into_owned());
    let link = pending
        .pax_link
        .or(pending.long_link)
        .or_else(|| header.link_name_bytes().map(|l| l.into_owned()));
    let size = entry.size();
    if let Some(pax_size) = pending.pax_size
        && pax_size != size
    {
        ex.count_entry()?;
        return Err(ex.reject(
            &name,
            Unsafe::Unsupported("pax size differs from its header".into()),
        ));
    }
    match kind {
        // Old tar marks directories with a trailing slash on a regular entry.
        EntryType::Regular | EntryType::Continuous if name.ends_with(b"/") => ex.dir(&name),
        EntryType::Regular | EntryType::Continuous => {
            let mode = header.mode().map_err(|e| ex.corrupt(e))?;
            ex.file(&name, mode & 0o111 != 0, Some(size), entry)
        }
        EntryType::Directory => ex.dir(&name),
        EntryType::Symlink => {
            let target = link.ok_or_else(|| ex.corrupt("symlink without a target"))?;
            ex.symlink(&name, &target)
        }
        EntryType::Link => {
            let target = link.ok_or_else(|| ex.corrupt("hard link without a target"))?;
            ex.hardlink(&name, &target)
        }
        other => {
            ex.count_entry()?;
            let reason = match other {
                EntryType::Char | EntryType::Block => Unsafe::Device,
                EntryType::Fifo => Unsafe::Fifo,
                EntryType::GNUSparse => Unsafe::Unsupported("GNU sparse file".into()),
                t => Unsafe::Unsupported(format!("tar type `{}`", t.as_byte().escape_ascii())),
            };
            Err(ex.reject(&name, reason))
        }
    }
}

/// Reads an extension header's contents, refusing oversized ones before reading.
fn meta<R: Read>(ex: &mut Extractor, entry: &mut tar::Entry<'_, R>) -> Result<Vec<u8>, Repr> {
    let size = entry.size();
    if size > META_LIMIT {
        return Err(Repr::HeaderTooLarge {
            asset: ex.asset().to_owned(),
            size,
            limit: META_LIMIT,
        });
    }
    let mut data = Vec::with_capacity(size as usize);
    entry.read_to_end(&mut data).map_err(|e| ex.corrupt(e))?;
    Ok(data)
}

/// GNU long names end with one NUL terminator.
fn strip_nul(mut v: Vec<u8>) -> Vec<u8> {
    if v.last() == Some(&0) {
        v.pop();
    }
    v
}
