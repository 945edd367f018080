//! Notices: things the user should hear about while a request goes on — a rate-limit wait, a
//! cache that is not trusted, a download that resumes. The library never prints; it hands each
//! notice to the [`Notifier`] in [`crate::ClientConfig`], and the CLI shows it on stderr.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use util::time::{format_clock, format_wait};

/// Something worth telling the user at the default log level.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice {
    /// GitHub rate-limited us and we wait before trying again.
    RateLimitWait {
        /// The host that limited us.
        host: String,
        /// How long we wait.
        wait: Duration,
        /// When the wait ends (Unix seconds).
        until: u64,
    },
    /// A cache directory or entry is not ours alone, so it is not used.
    UntrustedCache {
        /// Why (names the path and the problem).
        reason: String,
    },
    /// A download was cut off and continues from where it stopped.
    Resuming {
        /// The asset's name.
        asset: String,
        /// Bytes already received.
        at: u64,
        /// Whether the server honoured the range (`false`: it sends everything again and the
        /// bytes already received are skipped).
        ranged: bool,
    },
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::RateLimitWait { host, wait, until } => write!(
                f,
                "rate limited by {host}; waiting {} s (until {} UTC, {})",
                wait.as_secs(),
                format_clock(*until),
                format_wait(*wait)
            ),
            Notice::UntrustedCache { reason } => {
                write!(f, "not using the API cache: {reason}")
            }
            Notice::Resuming { asset, at, ranged } => {
                if *ranged {
                    write!(f, "download of {asset} interrupted; resuming at byte {at}")
                } else {
                    write!(
                        f,
                        "download of {asset} interrupted; the server cannot resume, starting over"
                    )
                }
            }
        }
    }
}

/// The callback behind a [`Notifier`].
type Callback = Arc<dyn Fn(&Notice) + Send + Sync>;

/// Where notices go: a shared callback (the default drops them).
#[derive(Clone, Default)]
pub struct Notifier(Option<Callback>);

impl Notifier {
    /// A notifier calling `f` for every notice.
    pub fn new(f: impl Fn(&Notice) + Send + Sync + 'static) -> Notifier {
        Notifier(Some(Arc::new(f)))
    }

    /// Hands `notice` to the callback (and logs it at info level).
    pub fn notify(&self, notice: &Notice) {
        tracing::info!("{notice}");
        if let Some(f) = &self.0 {
            f(notice);
        }
    }
}

impl fmt::Debug for Notifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Notifier(callback)"
        } else {
            "Notifier(none)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_wait_says_how_long_and_until_when() {
        let notice = Notice::RateLimitWait {
            host: "github.com".to_owned(),
            wait: Duration::from_secs(61),
            until: 1_700_000_061,
        };
        assert_eq!(
            notice.to_string(),
            "rate limited by github.com; waiting 61 s (until 22:14:21 UTC, in 2 min)"
        );
    }
}
