//! The single pass over the download: read a chunk, hash it, write it to the download file and
//! hand it to the extraction thread.
//!
//! Chunks travel to the extraction thread through a bounded channel, and empty buffers come
//! back through a second channel for reuse. The number of buffers alive at once is therefore
//! bounded (channel depth plus one on each side), which keeps memory constant whatever the
//! asset size, while hashing and writing (this thread) overlap with decompression and
//! unpacking (the other one). If the extraction thread stops early (it failed, or the archive
//! ended), sending fails and the download simply continues without it, so the digest is always
//! computed over the whole body.
//!
//! Hashing uses the `sha2` crate, which detects the x86 SHA extensions (SHA-NI) and the ARMv8
//! SHA2 instructions at run time (via `cpufeatures`) and falls back to portable code elsewhere,
//! so no build flag is needed to get the fast path.

use std::fs::File;
use std::io::{self, BufRead, Read, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, SyncSender};

use sha2::{Digest, Sha256};

use crate::Progress;
use crate::error::{InstallError, Repr};

/// Read and write granularity. Large enough to amortize syscalls and channel hand-offs, small
/// enough that the buffers in flight stay around a megabyte.
pub(crate) const CHUNK: usize = 128 * 1024;
/// Chunks that may wait in the channel before the reader blocks.
pub(crate) const DEPTH: usize = 6;

/// A filled buffer: `buf[..len]` is data, `buf.len()` stays `CHUNK` so reuse needs no zeroing.
pub(crate) struct Chunk {
    buf: Vec<u8>,
    len: usize,
}

/// The sending half used by the download loop.
pub(crate) struct Pipe {
    pub(crate) tx: SyncSender<Chunk>,
    pub(crate) pool: Receiver<Vec<u8>>,
}

/// The receiving half: a `BufRead` over the chunks, handed to the decoders.
pub(crate) struct ChannelReader {
    rx: Receiver<Chunk>,
    pool: Sender<Vec<u8>>,
    cur: Option<Chunk>,
    pos: usize,
}

impl ChannelReader {
    pub(crate) fn new(rx: Receiver<Chunk>, pool: Sender<Vec<u8>>) -> Self {
        Self {
            rx,
            pool,
            cur: None,
            pos: 0,
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for ChannelReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        loop {
            match &self.cur {
                Some(c) if self.pos < c.len => break,
                _ => {}
            }
            if let Some(done) = self.cur.take() {
                // The download loop may already be gone; then the buffer is just freed.
                let _ = self.pool.send(done.buf);
            }
            match self.rx.recv() {
                Ok(chunk) => {
                    self.cur = Some(chunk);
                    self.pos = 0;
                }
                // Sender dropped: end of the download (or the download failed; the caller
                // reports that error, not whatever the decoder makes of the short stream).
                Err(_) => return Ok(&[]),
            }
        }
        match &self.cur {
            Some(c) => Ok(&c.buf[self.pos..c.len]),
            None => Ok(&[]),
        }
    }

    fn consume(&mut self, n: usize) {
        self.pos += n;
    }
}

/// The outcome of a complete, successful read of the body.
#[derive(Debug)]
pub(crate) struct Streamed {
    pub(crate) sha256: String,
    pub(crate) bytes: u64,
}

/// Reads `body` to the end: hashes every byte, writes it to `out` and, if given, sends it down
/// `pipe`. Checks the length against `content_length`.
pub(crate) fn stream_body(
    body: &mut dyn Read,
    asset: &str,
    content_length: Option<u64>,
    out: &mut File,
    out_path: &Path,
    mut pipe: Option<Pipe>,
    progress: &dyn Progress,
) -> Result<Streamed, Repr> {
    let mut hasher = Sha256::new();
    let mut total: u64 = 0;
    let mut spare: Option<Vec<u8>> = None;
    loop {
        let mut buf = spare
            .take()
            .or_else(|| pipe.as_ref().and_then(|p| p.pool.try_recv().ok()))
            .unwrap_or_else(|| vec![0u8; CHUNK]);
        let len = fill(body, &mut buf).map_err(|source| Repr::Body {
            asset: asset.to_owned(),
            source,
        })?;
        if len == 0 {
            break;
        }
        total += len as u64;
        if let Some(expected) = content_length
            && total > expected
        {
            return Err(Repr::Overlong {
                asset: asset.to_owned(),
                expected,
            });
        }
        hasher.update(&buf[..len]);
        out.write_all(&buf[..len])
            .map_err(|e| Repr::io("write", out_path, e))?;
        progress.advance(len as u64);
        match &pipe {
            Some(p) => {
                if let Err(failed) = p.tx.send(Chunk { buf, len }) {
                    // The extractor has stopped; keep hashing so the digest check still runs.
                    tracing::debug!("extraction stopped before the end of the download");
                    spare = Some(failed.0.buf);
                    pipe = None;
                }
            }
            None => spare = Some(buf),
        }
    }
    // Dropping the sender tells the extractor the stream is complete.
    drop(pipe);
    if let Some(expected) = content_length
        && total < expected
    {
        return Err(Repr::Truncated {
            asset: asset.to_owned(),
            got: total,
            expected,
        });
    }
    Ok(Streamed {
        sha256: hex(hasher),
        bytes: total,
    })
}

/// Reads until `buf` is full or the body ends; returns the byte count (0 = end of body).
fn fill(body: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut len = 0;
    while len < buf.len() {
        match body.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(len)
}

/// Lowercase hex of a finished hasher.
pub(crate) fn hex(hasher: Sha256) -> String {
    hex::encode(hasher.finalize())
}

/// The sha256 of a file, as 64 lowercase hex digits.
///
/// Reads in constant memory. Used to re-verify an installed binary against its receipt's
/// `bin_sha256`.
///
/// # Errors
///
/// An [`crate::ErrorKind::Io`] error naming `path` if it cannot be opened or read.
pub fn hash_file(path: impl AsRef<Path>) -> Result<String, InstallError> {
    Ok(hash_path(path.as_ref())?)
}

pub(crate) fn hash_path(path: &Path) -> Result<String, Repr> {
    let mut file = File::open(path).map_err(|e| Repr::io("open", path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Repr::io("read", path, e)),
        }
    }
    Ok(hex(hasher))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn channel_reader_reassembles_and_recycles() {
        let (tx, rx) = mpsc::sync_channel(2);
        let (pool_tx, pool_rx) = mpsc::channel();
        let producer = std::thread::spawn(move || {
            for i in 0..5u8 {
                let mut buf = vec![0u8; 8];
                buf[..3].copy_from_slice(&[i, i, i]);
                tx.send(Chunk { buf, len: 3 }).unwrap();
            }
        });
        let mut out = Vec::new();
        ChannelReader::new(rx, pool_tx)
            .read_to_end(&mut out)
            .unwrap();
        producer.join().unwrap();
        assert_eq!(out, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
        // Every buffer was returned, full length, for reuse.
        let returned: Vec<Vec<u8>> = pool_rx.try_iter().collect();
        assert_eq!(returned.len(), 5);
        assert!(returned.iter().all(|b| b.len() == 8));
    }
}
