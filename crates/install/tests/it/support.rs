//! Fixtures: a scratch layout per test, archive builders for every format (including raw
//! headers for archives the `tar` and `zip` writers refuse to produce), and cleanliness checks.

use std::cell::Cell;
use std::fs;
use std::io::{self, Cursor, Read, Write};
use std::path::{Path, PathBuf};

use install::{
    BinaryLocator, DigestSource, ExpectedDigest, InstallError, InstallRequest, Installed, Progress,
    ReceiptInfo, VerifyPolicy,
};
use sha2::{Digest, Sha256};

/// `root/{install,downloads,outside}` in a fresh temporary directory. `outside` is a sentinel:
/// malicious archives aim at it, and it must stay empty.
pub(crate) struct Env {
    pub(crate) root: tempfile::TempDir,
}

impl Env {
    pub(crate) fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        for d in ["downloads", "outside"] {
            fs::create_dir(root.path().join(d)).unwrap();
        }
        Self { root }
    }
    pub(crate) fn install_path(&self) -> PathBuf {
        self.root.path().join("install")
    }
    pub(crate) fn downloads(&self) -> PathBuf {
        self.root.path().join("downloads")
    }
    pub(crate) fn outside(&self) -> PathBuf {
        self.root.path().join("outside")
    }

    /// A request for binary `tool` verified by a checksums file with the asset's real digest.
    pub(crate) fn request(&self, asset: &str, bytes: &[u8]) -> InstallRequest<'static> {
        let mut req = InstallRequest::new(
            asset,
            BinaryLocator::new("tool"),
            self.install_path(),
            self.downloads(),
            ReceiptInfo {
                origin: "acme/tools".into(),
                host: "github.com".into(),
                tool: "tool".into(),
                version: "1.2.3".into(),
                tag: "1.2.3+tool".into(),
                release_commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
                attestations: None,
            },
        );
        req.expected
            .push(ExpectedDigest::new(sha256(bytes), checksums()));
        req.content_length = Some(bytes.len() as u64);
        req
    }

    /// Installs `bytes` as `asset` with the default request.
    pub(crate) fn install(&self, asset: &str, bytes: &[u8]) -> Result<Installed, InstallError> {
        install::install(self.request(asset, bytes), bytes)
    }

    /// After a failed install: no binary, no staging, no download file, nothing outside.
    pub(crate) fn assert_clean(&self) {
        let install = self.install_path();
        if install.exists() {
            let left = tree(&install);
            assert!(left.is_empty(), "install path not clean: {left:?}");
        }
        assert_eq!(
            tree(&self.downloads()),
            Vec::<String>::new(),
            "download dir not clean"
        );
        assert_eq!(
            tree(&self.outside()),
            Vec::<String>::new(),
            "something escaped"
        );
        let mut top: Vec<String> = fs::read_dir(self.root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        top.sort();
        top.retain(|n| n != "install");
        assert_eq!(
            top,
            ["downloads", "outside"],
            "unexpected files next to the install path"
        );
    }
}

/// Every path under `dir`, relative, sorted (symlinks listed, not followed).
pub(crate) fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            if e.file_type().unwrap().is_dir() {
                walk(base, &p, out);
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

pub(crate) fn checksums() -> DigestSource {
    DigestSource::ChecksumsFile {
        name: "tool_checksums.txt".into(),
    }
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Deterministic incompressible bytes (xorshift64*).
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// One archive member for the builders.
#[derive(Clone)]
pub(crate) enum Member<'a> {
    File(&'a str, &'a [u8], u32),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
}

/// A well-formed tar built with the `tar` crate's own checks.
pub(crate) fn tar(members: &[Member<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for m in members {
        let mut h = tar::Header::new_gnu();
        h.set_mtime(0);
        match m {
            Member::File(name, data, mode) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(data.len() as u64);
                h.set_mode(*mode);
                b.append_data(&mut h, name, *data).unwrap();
            }
            Member::Dir(name) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
                h.set_mode(0o755);
                b.append_data(&mut h, name, io::empty()).unwrap();
            }
            Member::Symlink(name, target) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_size(0);
                h.set_mode(0o777);
                b.append_link(&mut h, name, target).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

/// A tar header written byte for byte, bypassing the `tar` crate's path checks.
pub(crate) struct RawEntry<'a> {
    pub(crate) kind: tar::EntryType,
    pub(crate) name: &'a [u8],
    pub(crate) link: &'a [u8],
    pub(crate) data: &'a [u8],
    pub(crate) mode: u32,
}

impl<'a> RawEntry<'a> {
    pub(crate) fn file(name: &'a [u8], data: &'a [u8]) -> Self {
        Self {
            kind: tar::EntryType::Regular,
            name,
            link: b"",
            data,
            mode: 0o755,
        }
    }
    pub(crate) fn link(kind: tar::EntryType, name: &'a [u8], link: &'a [u8]) -> Self {
        Self {
            kind,
            name,
            link,
            data: b"",
            mode: 0o777,
        }
    }
    pub(crate) fn special(kind: tar::EntryType, name: &'a [u8]) -> Self {
        Self {
            kind,
            name,
            link: b"",
            data: b"",
            mode: 0o644,
        }
    }
}

pub(crate) fn raw_tar(entries: &[RawEntry<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        {
            let old = h.as_old_mut();
            assert!(
                e.name.len() <= 100 && e.link.len() <= 100,
                "use a long-name entry"
            );
            old.name[..e.name.len()].copy_from_slice(e.name);
            old.linkname[..e.link.len()].copy_from_slice(e.link);
        }
        h.set_entry_type(e.kind);
        h.set_size(e.data.len() as u64);
        h.set_mode(e.mode);
        h.set_mtime(0);
        h.set_cksum();
        b.append(&h, e.data).unwrap();
    }
    b.into_inner().unwrap()
}

/// A GNU long-name (`L`) extension entry followed by `entry`, raw.
pub(crate) fn raw_tar_long_name(long_name: &[u8], data: &[u8]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut payload = long_name.to_vec();
    payload.push(0);
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
    h.set_entry_type(tar::EntryType::GNULongName);
    h.set_size(payload.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append(&h, &payload[..]).unwrap();
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..5].copy_from_slice(b"short");
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(data.len() as u64);
    h.set_mode(0o755);
    h.set_cksum();
    b.append(&h, data).unwrap();
    b.into_inner().unwrap()
}

/// A pax `x` header with the given records, then a regular file `short` of `data`.
pub(crate) fn raw_tar_pax(records: &[(&str, &[u8])], data: &[u8]) -> Vec<u8> {
    let mut pax = Vec::new();
    for (k, v) in records {
        // "<len> <key>=<value>\n", where <len> counts itself.
        let body_len = 1 + k.len() + 1 + v.len() + 1;
        let mut len = body_len + 1;
        while len.to_string().len() + body_len != len {
            len += 1;
        }
        pax.extend_from_slice(format!("{len} {k}=").as_bytes());
        pax.extend_from_slice(v);
        pax.push(b'\n');
    }
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.as_old_mut().name[..9].copy_from_slice(b"PaxHeader");
    h.set_entry_type(tar::EntryType::XHeader);
    h.set_size(pax.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append(&h, &pax[..]).unwrap();
    let mut h = tar::Header::new_ustar();
    h.as_old_mut().name[..5].copy_from_slice(b"short");
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(data.len() as u64);
    h.set_mode(0o755);
    h.set_cksum();
    b.append(&h, data).unwrap();
    b.into_inner().unwrap()
}

pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}
pub(crate) fn xz(data: &[u8]) -> Vec<u8> {
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}
pub(crate) fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(data, 1).unwrap()
}
pub(crate) fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A well-formed zip built with the `zip` crate (deflate).
pub(crate) fn zip(members: &[Member<'_>]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for m in members {
        match m {
            Member::File(name, data, mode) => {
                w.start_file(*name, opts.unix_permissions(*mode)).unwrap();
                w.write_all(data).unwrap();
            }
            Member::Dir(name) => w.add_directory(*name, opts).unwrap(),
            Member::Symlink(name, target) => w.add_symlink(*name, *target, opts).unwrap(),
        }
    }
    w.finish().unwrap().into_inner()
}

/// A raw zip member: name bytes, full Unix mode (type bits included), contents.
pub(crate) type ZipEntry<'a> = (&'a [u8], u32, &'a [u8]);

/// A stored zip written byte for byte: any name, any Unix mode.
pub(crate) fn raw_zip(entries: &[ZipEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, mode, data) in entries {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let crc = crc.sum();
        let offset = out.len() as u32;
        let flags: u16 = 1 << 11; // names are UTF-8
        let put16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
        let put32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());

        put32(&mut out, 0x0403_4b50);
        put16(&mut out, 20);
        put16(&mut out, flags);
        put16(&mut out, 0); // stored
        put32(&mut out, 0); // time, date
        put32(&mut out, crc);
        put32(&mut out, data.len() as u32);
        put32(&mut out, data.len() as u32);
        put16(&mut out, name.len() as u16);
        put16(&mut out, 0);
        out.extend_from_slice(name);
        out.extend_from_slice(data);

        put32(&mut central, 0x0201_4b50);
        put16(&mut central, (3 << 8) | 20); // made by Unix
        put16(&mut central, 20);
        put16(&mut central, flags);
        put16(&mut central, 0);
        put32(&mut central, 0);
        put32(&mut central, crc);
        put32(&mut central, data.len() as u32);
        put32(&mut central, data.len() as u32);
        put16(&mut central, name.len() as u16);
        put16(&mut central, 0); // extra
        put16(&mut central, 0); // comment
        put16(&mut central, 0); // disk
        put16(&mut central, 0); // internal attributes
        put32(&mut central, mode << 16);
        put32(&mut central, offset);
        central.extend_from_slice(name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

/// Counts progress events, checking their order.
#[derive(Default)]
pub(crate) struct Recorder {
    pub(crate) started: Cell<Option<Option<u64>>>,
    pub(crate) advanced: Cell<u64>,
    pub(crate) finished: Cell<bool>,
    pub(crate) phases: std::cell::RefCell<Vec<String>>,
}

impl Progress for Recorder {
    fn start(&self, total: Option<u64>) {
        assert!(self.started.get().is_none(), "start called twice");
        self.started.set(Some(total));
    }
    fn advance(&self, n: u64) {
        assert!(
            self.started.get().is_some() && !self.finished.get(),
            "advance out of order"
        );
        self.advanced.set(self.advanced.get() + n);
    }
    fn finish(&self) {
        self.finished.set(true);
    }
    fn phase(&self, msg: &str) {
        self.phases.borrow_mut().push(msg.to_owned());
    }
}

/// A body that yields `data` and then fails, as a dropped connection does.
pub(crate) struct FailingBody<'a> {
    pub(crate) data: &'a [u8],
}

impl Read for FailingBody<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.data.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset by peer",
            ));
        }
        let n = self.data.len().min(buf.len()).min(1000);
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A body that records whether it was read at all.
pub(crate) struct Untouched<'a>(pub(crate) &'a Cell<bool>);

impl Read for Untouched<'_> {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        self.0.set(true);
        Ok(0)
    }
}

pub(crate) fn unverified(req: &mut InstallRequest<'_>) {
    req.expected.clear();
    req.policy = VerifyPolicy::AllowUnverified;
}

#[cfg(unix)]
pub(crate) fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}
