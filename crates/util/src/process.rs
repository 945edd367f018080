//! Running a helper program (`sh -c <credential_command>`, `gh auth token`, `mise where`)
//! safely, with a deadline.
//!
//! stdin is closed, stdout and stderr are drained on their own threads (a child that writes a
//! lot of stderr cannot block on a full pipe), and a deadline bounds the whole run. On timeout
//! the child's process group is killed, so a `sh -c` wrapper cannot leave its grandchildren
//! holding the pipes open. Nothing is ever passed in argv except the command itself.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use secrecy::zeroize::Zeroizing;

/// stdout beyond this is discarded (a token is at most 255 characters).
const STDOUT_LIMIT: usize = 64 * 1024;
/// Only the tail of stderr is kept for the error summary.
const STDERR_LIMIT: usize = 16 * 1024;

/// The result of a run that finished in time. `Debug` shows stdout's length only.
pub struct Finished {
    /// How the process ended.
    pub status: ExitStatus,
    /// stdout (at most 64 KiB); may hold a secret, so it is wiped on drop.
    pub stdout: Zeroizing<Vec<u8>>,
    /// The last 16 KiB of stderr.
    pub stderr: Vec<u8>,
}

impl std::fmt::Debug for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finished")
            .field("status", &self.status)
            .field("stdout_len", &self.stdout.len())
            .field("stderr", &summarize(&self.stderr))
            .finish()
    }
}

/// Why a run produced no [`Finished`].
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The program could not be started.
    #[error("cannot start the program")]
    Spawn(#[source] std::io::Error),
    /// The deadline passed; the process group was killed.
    #[error("timed out; the process was killed")]
    TimedOut {
        /// The last line the child wrote on stderr before it was killed, if any.
        stderr: String,
    },
}

/// How long to keep reading after the child exited, for output still in the pipes. A daemon
/// the command started may hold the pipes open forever; that must not turn success into a
/// timeout.
const DRAIN_GRACE: Duration = Duration::from_millis(250);

/// The most a successful run waits for stdout's EOF after the exit.
const STDOUT_GRACE_MAX: Duration = Duration::from_secs(2);

type Shared<T> = Arc<Mutex<T>>;

/// Starts a thread that drains `pipe` into a shared buffer and signals `done` at EOF.
fn reader<R: Read + Send + 'static>(
    pipe: Option<R>,
    limit: usize,
    keep_tail: bool,
) -> (Shared<Zeroizing<Vec<u8>>>, mpsc::Receiver<()>) {
    let buf: Shared<Zeroizing<Vec<u8>>> = Arc::default();
    let (done_tx, done_rx) = mpsc::channel();
    let sink = Arc::clone(&buf);
    thread::spawn(move || {
        if let Some(pipe) = pipe {
            drain(pipe, &sink, limit, keep_tail);
        }
        let _ = done_tx.send(());
    });
    (buf, done_rx)
}

fn take(buf: &Shared<Zeroizing<Vec<u8>>>) -> Zeroizing<Vec<u8>> {
    let mut guard = buf.lock().unwrap_or_else(PoisonError::into_inner);
    Zeroizing::new(std::mem::take(&mut **guard))
}

/// Runs `cmd` with stdin closed and pipes for stdout/stderr, waiting at most `timeout` for it
/// to exit.
pub fn run(mut cmd: Command, timeout: Duration) -> Result<Finished, RunError> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Own process group, so a timeout can kill `sh` and everything it started.
        cmd.process_group(0);
    }
    let deadline = Instant::now() + timeout;
    let mut child = cmd.spawn().map_err(RunError::Spawn)?;
    let (stdout, stdout_done) = reader(child.stdout.take(), STDOUT_LIMIT, false);
    let (stderr, stderr_done) = reader(child.stderr.take(), STDERR_LIMIT, true);

    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
            Ok(None) | Err(_) => {
                kill_group(&mut child);
                // Whatever the child said on stderr before the kill explains the hang best.
                let _ = stderr_done.recv_timeout(DRAIN_GRACE);
                return Err(RunError::TimedOut {
                    stderr: summarize(&take(&stderr)),
                });
            }
        }
    };
    // The output normally reaches EOF right after the exit; allow a loaded machine a moment
    // to hand the reader what is already in the pipe.
    let grace = deadline
        .saturating_duration_since(Instant::now())
        .clamp(DRAIN_GRACE, STDOUT_GRACE_MAX);
    let _ = stdout_done.recv_timeout(grace);
    let _ = stderr_done.recv_timeout(DRAIN_GRACE);
    Ok(Finished {
        status,
        stdout: take(&stdout),
        stderr: take(&stderr).to_vec(),
    })
}

/// Reads `pipe` to EOF, keeping at most `limit` bytes: the first ones, or with `keep_tail` the
/// last ones. Reading on past the limit keeps the child from blocking on a full pipe.
fn drain(mut pipe: impl Read, buf: &Shared<Zeroizing<Vec<u8>>>, limit: usize, keep_tail: bool) {
    let mut chunk = Zeroizing::new([0u8; 8192]);
    loop {
        match pipe.read(&mut chunk[..]) {
            Ok(0) => return,
            Ok(n) => {
                let mut buf = buf.lock().unwrap_or_else(PoisonError::into_inner);
                if keep_tail {
                    buf.extend_from_slice(&chunk[..n]);
                    if buf.len() > limit {
                        let excess = buf.len() - limit;
                        buf.drain(..excess);
                    }
                } else if buf.len() < limit {
                    let take = n.min(limit - buf.len());
                    buf.extend_from_slice(&chunk[..take]);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    if let Some(pid) = rustix::process::Pid::from_raw(child.id() as i32) {
        // The group id equals the child's pid (process_group(0)).
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The first non-empty line of `stdout`, trimmed (a trailing CR included). The returned
/// string is wiped on drop.
pub fn first_line(stdout: &[u8]) -> Result<Option<Zeroizing<String>>, std::str::Utf8Error> {
    let text = std::str::from_utf8(stdout)?;
    Ok(text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| Zeroizing::new(l.to_owned())))
}

/// A one-line summary of a child's stderr: its last non-empty line, control characters
/// replaced, at most 200 characters.
pub fn summarize(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("");
    let clean: String = line
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() > 200 {
        let cut: String = clean.chars().take(200).collect();
        format!("{cut}…")
    } else {
        clean
    }
}

/// Describes an exit status for messages: `exit code 3` or `signal 9`.
pub fn describe_status(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit code {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("signal {sig}");
        }
    }
    status.to_string()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(script);
        cmd
    }

    #[test]
    fn captures_stdout_and_stderr() {
        let done = run(
            sh("echo; echo '  tok_1  '; echo extra; echo oops >&2; exit 3"),
            Duration::from_secs(20),
        )
        .unwrap();
        assert_eq!(done.status.code(), Some(3));
        assert_eq!(
            first_line(&done.stdout)
                .unwrap()
                .as_deref()
                .map(String::as_str),
            Some("tok_1")
        );
        assert_eq!(summarize(&done.stderr), "oops");
        assert_eq!(describe_status(done.status), "exit code 3");
    }

    #[test]
    fn a_flood_of_stderr_does_not_deadlock() {
        // 2 MB of stderr: far more than a pipe buffer.
        let done = run(
            sh("i=0; while [ $i -lt 200 ]; do head -c 10000 /dev/zero | tr '\\0' x >&2; echo >&2; i=$((i+1)); done; echo tok; echo last words >&2"),
            Duration::from_secs(60),
        )
        .unwrap();
        assert!(done.status.success());
        assert_eq!(
            first_line(&done.stdout)
                .unwrap()
                .as_deref()
                .map(String::as_str),
            Some("tok")
        );
        assert!(done.stderr.len() <= STDERR_LIMIT);
        assert_eq!(summarize(&done.stderr), "last words");
    }

    /// Returns true if and only if `pid` has exited (gone, or a zombie awaiting its reaper).
    #[cfg(target_os = "linux")]
    fn exited(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            // The state follows the parenthesised command name.
            Ok(stat) => stat
                .rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        }
    }

    // Reads /proc to see the grandchild die: Linux only.
    #[cfg(target_os = "linux")]
    #[test]
    fn timeout_kills_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("grandchild.pid");
        // `sh` starts a grandchild that records its pid; both would sleep for 30 s.
        let script = format!(
            "sh -c 'echo $$ > {p}.tmp; mv {p}.tmp {p}; exec sleep 30' & while [ ! -s {p} ]; do sleep 0.01; done; echo started >&2; sleep 30",
            p = pidfile.display()
        );
        let err = run(sh(&script), Duration::from_secs(2)).err().unwrap();
        let RunError::TimedOut { stderr } = err else {
            panic!("{err:?}")
        };
        assert_eq!(stderr, "started");
        let pid = std::fs::read_to_string(&pidfile).expect("the grandchild recorded its pid");
        let pid = pid.trim();
        // SIGKILL is asynchronous: give the kernel a moment, bounded, then judge.
        for _ in 0..500 {
            if exited(pid) {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        assert!(exited(pid), "grandchild {pid} outlived the timeout");
    }

    #[test]
    fn a_daemon_holding_the_pipes_does_not_turn_success_into_a_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("daemon.pid");
        // The background `sleep` inherits stdout and stderr and keeps them open.
        let script = format!(
            "sleep 20 & echo $! > '{}'; echo tok_daemon",
            pidfile.display()
        );
        let done = run(sh(&script), Duration::from_secs(30)).unwrap();
        let pid = std::fs::read_to_string(&pidfile).unwrap();
        let _ = Command::new("kill").arg(pid.trim()).status();
        assert!(done.status.success());
        assert_eq!(
            first_line(&done.stdout)
                .unwrap()
                .as_deref()
                .map(String::as_str),
            Some("tok_daemon")
        );
    }

    #[test]
    fn spawn_failure_is_reported() {
        let err = run(Command::new("/nonexistent/program"), Duration::from_secs(1))
            .err()
            .unwrap();
        assert!(matches!(err, RunError::Spawn(_)), "{err:?}");
    }

    #[test]
    fn summary_is_one_clean_line() {
        assert_eq!(
            summarize(b"first\nsecond\x1b[31m red\n\n"),
            "second [31m red"
        );
        assert_eq!(summarize(b""), "");
        assert_eq!(summarize("é".repeat(300).as_bytes()).chars().count(), 201);
    }
}
