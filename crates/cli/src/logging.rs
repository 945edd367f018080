//! Diagnostics via `tracing`, to stderr, off unless asked for: `SKILLRIG_LOG` takes a filter
//! (`debug`, `releases=trace`, …) and `-v`/`-vv`/`-vvv` select info/debug/trace. Stdout stays
//! reserved for machine-readable output.
//!
//! Secrets: no token is ever passed to a log macro; URLs are logged without credentials; and
//! every line is redacted on its way out ([`auth::redact::redact`]), in case a quoted answer
//! or helper output carries one.

use std::io::{self, Write};

use tracing_subscriber::EnvFilter;

/// Environment variable holding a log filter.
pub const LOG_ENV: &str = "SKILLRIG_LOG";

/// Installs the stderr subscriber. `verbosity` counts `-v` flags.
pub fn init(verbosity: u8) {
    let filter = match verbosity {
        0 => std::env::var(LOG_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "off".to_owned()),
        1 => "info".to_owned(),
        2 => "debug".to_owned(),
        _ => "trace".to_owned(),
    };
    let filter = EnvFilter::try_new(&filter).unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| RedactingStderr(Vec::new()))
        .with_target(true)
        .without_time()
        .try_init();
}

/// stderr through [`auth::redact::redact`]: a log event is buffered and written, redacted, as
/// one piece when the writer is dropped (tracing makes one writer per event).
struct RedactingStderr(Vec<u8>);

impl Write for RedactingStderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactingStderr {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let _ = io::stderr()
            .lock()
            .write_all(auth::redact::redact(&text).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn log_lines_are_redacted() {
        let mut w = super::RedactingStderr(Vec::new());
        std::io::Write::write_all(&mut w, b"token ghp_abcdef123456 leaked\n").unwrap();
        let text = String::from_utf8_lossy(&w.0).into_owned();
        assert_eq!(auth::redact::redact(&text), "token ghp_[redacted] leaked\n");
        w.0.clear();
    }
}
