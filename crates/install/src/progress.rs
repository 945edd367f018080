//! Progress reporting. The crate never prints: it tells a [`Progress`] what is happening and the
//! caller decides how to show it (a bar on a terminal, one line per phase under mise, nothing in
//! tests).

/// Receives progress events from [`crate::install`].
///
/// Calls arrive from the thread that called `install`, in this order: [`phase`](Self::phase)
/// (download), [`start`](Self::start), any number of [`advance`](Self::advance),
/// [`finish`](Self::finish), then zero or more further phases (extracting a zip, installing).
/// On failure the sequence stops wherever the failure happened; `finish` may not be called.
pub trait Progress {
    /// The download begins; `total` is the announced size in bytes, if known.
    fn start(&self, total: Option<u64>);
    /// `n` more bytes of the download were read, hashed and written.
    fn advance(&self, n: u64);
    /// The download is complete (all bytes read and hashed).
    fn finish(&self);
    /// A new phase begins; `msg` is a short, lowercase, human-readable line such as
    /// "downloading jira_1.7.0_linux_amd64.tar.gz".
    fn phase(&self, msg: &str);
}

/// A [`Progress`] that ignores every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: Option<u64>) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
    fn phase(&self, _msg: &str) {}
}
