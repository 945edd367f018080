//! Diagnostics via `tracing`, to stderr, off unless asked for: `SKILLRIG_LOG` takes a filter
//! (`debug`, `releases=trace`, …) and `-v`/`-vv`/`-vvv` select info/debug/trace. Stdout stays
//! reserved for machine-readable output.
//!
//! Secrets: no token is ever passed to a log macro; URLs are logged without credentials.

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
        .with_writer(std::io::stderr)
        .with_target(true)
        .without_time()
        .try_init();
}
