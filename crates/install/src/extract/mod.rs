//! Safe unpacking into a fresh staging tree.
//!
//! The format readers (`tar`, `zip`) only parse; every entry goes through [`Extractor`], which
//! enforces the rules in one place:
//!
//! - names are validated by [`names`]: relative, no `..`, no NUL or control characters;
//! - device files, FIFOs and unknown entry types are refused;
//! - links are never created on disk. A symlink or hard link is checked (its target must stay
//!   inside the archive; a hard link must name an earlier file) and recorded in the manifest,
//!   where the binary locator can follow it. With no links on disk, nothing can redirect a
//!   write, and every file is created with `create_new` (`O_CREAT|O_EXCL`, which also refuses
//!   to open through a symlink) in a directory this crate created;
//! - an entry under a path that is a link, a file under a path that is a file, or the same
//!   name twice is refused;
//! - only the executable bit survives from the archive's modes (files 0755 or 0644);
//! - the total bytes written and the number of entries are capped ([`crate::Limits`]), checked
//!   against the declared size up front and against the bytes actually produced.
//!
//! Any refusal aborts the whole install; the error names the entry.

pub(crate) mod names;
pub(crate) mod tar;
pub(crate) mod zip;

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::Limits;
use crate::error::{Repr, Unsafe, display_name};
use crate::format::AssetFormat;

/// What an archive path turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    Dir,
    File {
        exec: bool,
        /// Present for files whose name could be the binary (hashed while written).
        sha256: Option<String>,
    },
    /// A symlink or hard link, recorded but not created; `target` is a normalized archive path.
    Link {
        target: String,
    },
}

/// Everything that was unpacked, by normalized archive path.
pub(crate) type Manifest = BTreeMap<String, Node>;

/// The single gatekeeper between archive readers and the filesystem.
pub(crate) struct Extractor {
    root: PathBuf,
    asset: String,
    format: AssetFormat,
    limits: Limits,
    written: u64,
    drained: u64,
    entries: u64,
    nodes: Manifest,
    hash_names: Vec<String>,
    buf: Vec<u8>,
}

impl Extractor {
    /// Unpacks under `root` (an empty directory). Files whose base name is in `hash_names` are
    /// hashed while written, so locating the binary needs no second read.
    pub(crate) fn new(
        root: PathBuf,
        asset: &str,
        format: AssetFormat,
        limits: Limits,
        hash_names: Vec<String>,
    ) -> Self {
        Self {
            root,
            asset: asset.to_owned(),
            format,
            limits,
            written: 0,
            drained: 0,
            entries: 0,
            nodes: Manifest::new(),
            hash_names,
            buf: vec![0u8; crate::stream::CHUNK],
        }
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn finish(self) -> Manifest {
        self.nodes
    }

    /// The error for an entry that may not be unpacked.
    pub(crate) fn reject(&self, raw_name: &[u8], reason: Unsafe) -> Repr {
        Repr::UnsafeEntry {
            asset: self.asset.clone(),
            entry: display_name(raw_name),
            reason,
        }
    }

    /// The error for an undecodable archive.
    pub(crate) fn corrupt(
        &self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Repr {
        Repr::Corrupt {
            asset: self.asset.clone(),
            format: self.format,
            source: source.into(),
        }
    }

    pub(crate) fn asset(&self) -> &str {
        &self.asset
    }

    /// Counts one archive entry against [`Limits::max_entries`].
    pub(crate) fn count_entry(&mut self) -> Result<(), Repr> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(Repr::TooManyEntries {
                asset: self.asset.clone(),
                limit: self.limits.max_entries,
            });
        }
        Ok(())
    }

    fn too_large(&self) -> Repr {
        Repr::TooLarge {
            asset: self.asset.clone(),
            limit: self.limits.max_extracted_bytes,
        }
    }

    fn name(&self, raw: &[u8]) -> Result<String, Repr> {
        names::normalize(raw).map_err(|reason| self.reject(raw, reason))
    }

    /// Creates the directories above `path`, refusing to pass through anything but directories
    /// this extractor made.
    fn ensure_parents(&mut self, raw: &[u8], path: &str) -> Result<(), Repr> {
        let mut end = 0;
        while let Some(i) = path[end..].find('/') {
            let prefix = &path[..end + i];
            end += i + 1;
            match self.nodes.get(prefix) {
                Some(Node::Dir) => {}
                Some(Node::Link { .. }) => {
                    return Err(self.reject(raw, Unsafe::ThroughLink(prefix.to_owned())));
                }
                Some(Node::File { .. }) => return Err(self.reject(raw, Unsafe::Conflict)),
                None => {
                    let dir = self.root.join(prefix);
                    fs::create_dir(&dir)
                        .map_err(|e| self.create_error(raw, "create directory", &dir, e))?;
                    self.nodes.insert(prefix.to_owned(), Node::Dir);
                }
            }
        }
        Ok(())
    }

    /// Maps a failed create. The manifest already rules out exact duplicates, so an existing
    /// path means two names the filesystem considers equal (case-insensitive or
    /// normalization-insensitive filesystems): report the entry, not an I/O failure.
    fn create_error(&self, raw: &[u8], action: &'static str, path: &Path, e: io::Error) -> Repr {
        if e.kind() == io::ErrorKind::AlreadyExists {
            self.reject(raw, Unsafe::Conflict)
        } else {
            Repr::io(action, path, e)
        }
    }

    /// Refuses a second entry for `path`.
    fn check_new(&self, raw: &[u8], path: &str, is_dir: bool) -> Result<bool, Repr> {
        match self.nodes.get(path) {
            None => Ok(true),
            Some(Node::Dir) if is_dir => Ok(false),
            Some(Node::Dir) => Err(self.reject(raw, Unsafe::Conflict)),
            Some(_) if is_dir => Err(self.reject(raw, Unsafe::Conflict)),
            Some(_) => Err(self.reject(raw, Unsafe::Duplicate)),
        }
    }

    /// A directory entry.
    pub(crate) fn dir(&mut self, raw: &[u8]) -> Result<(), Repr> {
        self.count_entry()?;
        let path = self.name(raw)?;
        if path.is_empty() || !self.check_new(raw, &path, true)? {
            return Ok(());
        }
        self.ensure_parents(raw, &path)?;
        let dir = self.root.join(&path);
        fs::create_dir(&dir).map_err(|e| self.create_error(raw, "create directory", &dir, e))?;
        self.nodes.insert(path, Node::Dir);
        Ok(())
    }

    /// A regular file of (claimed) `declared` bytes, read from `data`.
    pub(crate) fn file(
        &mut self,
        raw: &[u8],
        exec: bool,
        declared: Option<u64>,
        data: &mut dyn Read,
    ) -> Result<(), Repr> {
        self.count_entry()?;
        let path = self.name(raw)?;
        if path.is_empty() {
            return Err(self.reject(raw, Unsafe::EmptyName));
        }
        self.check_new(raw, &path, false)?;
        self.ensure_parents(raw, &path)?;
        if let Some(size) = declared
            && self.written.saturating_add(size) > self.limits.max_extracted_bytes
        {
            return Err(self.too_large());
        }
        let dest = self.root.join(&path);
        let mut file =
            create_file(&dest, exec).map_err(|e| self.create_error(raw, "create", &dest, e))?;
        let base = path.rsplit('/').next().unwrap_or(&path);
        let mut hasher = self.hash_names.iter().any(|n| n == base).then(Sha256::new);
        self.copy(data, &mut file, &dest, hasher.as_mut())?;
        let sha256 = hasher.map(crate::stream::hex);
        self.nodes.insert(path, Node::File { exec, sha256 });
        Ok(())
    }

    /// Records a file that was written to `root/name` by the caller (a raw asset).
    pub(crate) fn record_file(&mut self, name: &str, sha256: String) {
        self.entries += 1;
        self.nodes.insert(
            name.to_owned(),
            Node::File {
                exec: true,
                sha256: Some(sha256),
            },
        );
    }

    /// A symbolic link from `raw` to `raw_target`; recorded, never created.
    pub(crate) fn symlink(&mut self, raw: &[u8], raw_target: &[u8]) -> Result<(), Repr> {
        self.count_entry()?;
        let path = self.name(raw)?;
        if path.is_empty() {
            return Err(self.reject(raw, Unsafe::EmptyName));
        }
        let target = names::resolve_symlink(&path, raw_target).map_err(|r| self.reject(raw, r))?;
        self.check_new(raw, &path, false)?;
        self.ensure_parents(raw, &path)?;
        self.nodes.insert(path, Node::Link { target });
        Ok(())
    }

    /// A hard link from `raw` to the earlier entry `raw_target`; recorded, never created.
    pub(crate) fn hardlink(&mut self, raw: &[u8], raw_target: &[u8]) -> Result<(), Repr> {
        self.count_entry()?;
        let path = self.name(raw)?;
        if path.is_empty() {
            return Err(self.reject(raw, Unsafe::EmptyName));
        }
        let shown = display_name(raw_target);
        let target = names::normalize(raw_target)
            .map_err(|_| self.reject(raw, Unsafe::HardlinkEscapes(shown.clone())))?;
        match self.nodes.get(&target) {
            Some(Node::File { .. } | Node::Link { .. }) => {}
            _ => return Err(self.reject(raw, Unsafe::HardlinkUnknown(shown))),
        }
        self.check_new(raw, &path, false)?;
        self.ensure_parents(raw, &path)?;
        self.nodes.insert(path, Node::Link { target });
        Ok(())
    }

    /// Reads `data` to its end, discarding it but capping it at the byte limit. Used
    /// after a tar's end marker so the decoder verifies its trailer (gzip CRC, xz check).
    pub(crate) fn drain(&mut self, data: &mut dyn Read) -> Result<(), Repr> {
        loop {
            let n = match data.read(&mut self.buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.corrupt(e)),
            };
            // Counted apart from the files, with the same cap: tar padding is not content,
            // but gigabytes of trailing zeros would still be a decompression bomb.
            self.drained += n as u64;
            if self.drained > self.limits.max_extracted_bytes {
                return Err(self.too_large());
            }
        }
    }

    fn add_written(&mut self, n: usize) -> Result<(), Repr> {
        self.written += n as u64;
        if self.written > self.limits.max_extracted_bytes {
            return Err(self.too_large());
        }
        Ok(())
    }

    fn copy(
        &mut self,
        data: &mut dyn Read,
        file: &mut File,
        dest: &Path,
        mut hasher: Option<&mut Sha256>,
    ) -> Result<(), Repr> {
        let mut buf = std::mem::take(&mut self.buf);
        let result = loop {
            let n = match data.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => break Err(self.corrupt(e)),
            };
            if let Err(e) = self.add_written(n) {
                break Err(e);
            }
            if let Some(h) = hasher.as_mut() {
                h.update(&buf[..n]);
            }
            if let Err(e) = file.write_all(&buf[..n]) {
                break Err(Repr::io("write", dest, e));
            }
        };
        self.buf = buf;
        result
    }
}

/// Creates a new file, failing if anything (including a symlink) already exists at `path`.
fn create_file(path: &Path, exec: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if exec { 0o755 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = exec;
    options.open(path)
}

/// Creates the file a raw asset is streamed into.
pub(crate) fn create_raw(path: &Path) -> io::Result<File> {
    create_file(path, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extractor(root: &Path, limits: Limits) -> Extractor {
        Extractor::new(
            root.to_owned(),
            "t.tar",
            AssetFormat::Tar,
            limits,
            vec!["tool".into()],
        )
    }

    #[test]
    fn files_links_and_dirs_are_recorded_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let mut ex = extractor(dir.path(), Limits::default());
        ex.dir(b"pkg/").unwrap();
        ex.dir(b"pkg/").unwrap(); // repeated directories are harmless
        ex.file(b"pkg/libexec/tool", true, Some(2), &mut &b"hi"[..])
            .unwrap();
        ex.symlink(b"pkg/bin/tool", b"../libexec/tool").unwrap();
        ex.hardlink(b"pkg/tool2", b"pkg/libexec/tool").unwrap();

        assert!(matches!(
            ex.file(b"pkg/libexec/tool", false, None, &mut &b""[..]),
            Err(Repr::UnsafeEntry {
                reason: Unsafe::Duplicate,
                ..
            })
        ));
        assert!(matches!(
            ex.file(b"pkg/bin/tool/x", false, None, &mut &b""[..]),
            Err(Repr::UnsafeEntry {
                reason: Unsafe::ThroughLink(_),
                ..
            })
        ));
        assert!(matches!(
            ex.hardlink(b"pkg/t3", b"pkg/missing"),
            Err(Repr::UnsafeEntry {
                reason: Unsafe::HardlinkUnknown(_),
                ..
            })
        ));
        assert!(
            !dir.path().join("pkg/bin/tool").exists(),
            "links are never created on disk"
        );

        let nodes = ex.finish();
        assert_eq!(
            nodes.get("pkg/libexec/tool"),
            Some(&Node::File {
                exec: true,
                sha256: Some(
                    "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4".into()
                )
            })
        );
        assert_eq!(
            nodes.get("pkg/bin/tool"),
            Some(&Node::Link {
                target: "pkg/libexec/tool".into()
            })
        );
        assert_eq!(nodes.get("pkg/bin"), Some(&Node::Dir));
    }

    #[cfg(unix)]
    #[test]
    fn only_the_exec_bit_survives() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mut ex = extractor(dir.path(), Limits::default());
        ex.file(b"a", true, None, &mut &b""[..]).unwrap();
        ex.file(b"b", false, None, &mut &b""[..]).unwrap();
        let mode = |n: &str| {
            fs::metadata(dir.path().join(n))
                .unwrap()
                .permissions()
                .mode()
                & 0o7777
        };
        // The process umask can only remove bits; setuid/setgid/sticky never appear.
        assert_eq!(mode("a") & !0o022, 0o755);
        assert_eq!(mode("b") & !0o022, 0o644);
    }

    #[test]
    fn names_equal_on_disk_are_a_conflict_not_an_overwrite() {
        // Stands in for `Tool` after `tool` on a case-insensitive filesystem: the path exists
        // on disk although the manifest has never seen this name.
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("tool"), b"first").unwrap();
        let mut ex = extractor(dir.path(), Limits::default());
        let err = ex
            .file(b"tool", true, None, &mut &b"second"[..])
            .unwrap_err();
        assert!(
            matches!(
                err,
                Repr::UnsafeEntry {
                    reason: Unsafe::Conflict,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(fs::read(dir.path().join("tool")).unwrap(), b"first");
    }

    #[test]
    fn byte_and_entry_limits() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits {
            max_extracted_bytes: 10,
            max_entries: 3,
        };
        let mut ex = extractor(dir.path(), limits);
        // Declared size over the limit: refused before reading.
        assert!(matches!(
            ex.file(b"a", false, Some(11), &mut &[0u8; 11][..]),
            Err(Repr::TooLarge { .. })
        ));
        // Lying about the size does not help: the bytes produced are counted.
        assert!(matches!(
            ex.file(b"b", false, Some(1), &mut &[0u8; 11][..]),
            Err(Repr::TooLarge { .. })
        ));
        let mut ex = extractor(dir.path().join("x").as_path(), limits);
        fs::create_dir(dir.path().join("x")).unwrap();
        for d in [&b"d1"[..], b"d2", b"d3"] {
            ex.dir(d).unwrap();
        }
        assert!(matches!(ex.dir(b"d4"), Err(Repr::TooManyEntries { .. })));
    }
}
