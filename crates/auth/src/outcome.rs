//! What one provider said: found, miss, or error — and the whole chain's record.
//!
//! Following cargo's credential protocol, a provider answers one of three ways:
//!
//! * **found** — a token; in first-hit mode the chain stops here;
//! * **miss** ([`Miss`]) — nothing here, an expected state (variable unset, gh not installed,
//!   no Secret Service on this machine); the chain goes on;
//! * **error** ([`ProviderError`]) — something is wrong that the user should hear about (the
//!   command failed or timed out, the keyring is locked); it is reported, and the chain
//!   **still goes on**, so one broken source never hides a working one.
//!
//! Every miss reason and error has a stable [`code`](MissReason::code) for `doctor --json`.

use std::path::PathBuf;
use std::time::Duration;

use origin_meta::Host;

use crate::token::{ProviderKind, Token};

/// Why a provider had nothing to offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissReason {
    /// env: none of the variables for this host is set (or all are empty).
    NotSet,
    /// credential_command: none configured for this host or `[default]`.
    NotConfigured,
    /// credential_command: skipped because we are running inside that very command
    /// (`SKILLRIG_CREDENTIAL_HOST` is already set for this host), which would loop.
    Recursion,
    /// A command exited successfully but printed no token.
    EmptyOutput,
    /// gh: not found on `PATH` (nor via `GH_PATH`).
    NotInstalled,
    /// gh: installed but has no token for this host.
    NotLoggedIn,
    /// keyring: no D-Bus session bus to talk to.
    NoBus,
    /// keyring: a bus, but no Secret Service provider (`org.freedesktop.secrets`) on it.
    NoSecretService,
    /// keyring: the store answered, and has no gh item for this host.
    NotFound,
    /// keyring: reading this platform's store is not implemented (the `gh` provider covers it).
    Unsupported,
}

impl MissReason {
    /// A stable machine name (`--json`, tests).
    pub fn code(self) -> &'static str {
        match self {
            MissReason::NotSet => "not-set",
            MissReason::NotConfigured => "not-configured",
            MissReason::Recursion => "recursion",
            MissReason::EmptyOutput => "empty-output",
            MissReason::NotInstalled => "not-installed",
            MissReason::NotLoggedIn => "not-logged-in",
            MissReason::NoBus => "no-bus",
            MissReason::NoSecretService => "no-secret-service",
            MissReason::NotFound => "not-found",
            MissReason::Unsupported => "unsupported",
        }
    }

    pub(crate) fn from_code(code: &str) -> Option<MissReason> {
        [
            MissReason::NotSet,
            MissReason::NotConfigured,
            MissReason::Recursion,
            MissReason::EmptyOutput,
            MissReason::NotInstalled,
            MissReason::NotLoggedIn,
            MissReason::NoBus,
            MissReason::NoSecretService,
            MissReason::NotFound,
            MissReason::Unsupported,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }
}

/// A provider's "nothing here", with a one-line human detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Miss {
    /// The kind of miss.
    pub reason: MissReason,
    /// What was looked at, e.g. `none of GH_ENTERPRISE_TOKEN, GITHUB_ENTERPRISE_TOKEN is set`.
    pub detail: String,
}

/// A provider failed; the chain reports it and goes on.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// A command exited unsuccessfully.
    #[error("{program} failed ({status}){}", stderr_suffix(stderr))]
    Exited {
        /// Which command, e.g. `gh auth token` or `credential_command (op …) from [default]`.
        program: String,
        /// `exit code 1`, `signal 9`.
        status: String,
        /// The last line of its stderr (may be empty).
        stderr: String,
    },
    /// A command ran past its time limit and was killed.
    #[error("{program} timed out after {} and was killed{}", secs(*after), stderr_suffix(stderr))]
    TimedOut {
        /// Which command.
        program: String,
        /// The limit.
        after: Duration,
        /// The last line of its stderr before the kill (may be empty).
        stderr: String,
    },
    /// A command could not be started.
    #[error("cannot start {program}")]
    Spawn {
        /// Which command.
        program: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A source produced something that is not a usable token.
    #[error("{what}: {reason}")]
    Invalid {
        /// The source, e.g. `GH_TOKEN` or `gh auth token`.
        what: String,
        /// What is wrong with the value (never the value itself).
        reason: &'static str,
    },
    /// gh's keyring item exists but the keyring is locked (or the store refused access); we
    /// never prompt to unlock it.
    #[error("{item} exists but the keyring is locked: {message}")]
    KeyringLocked {
        /// The item, e.g. `Secret Service item service=gh:github.com username=alice`.
        item: String,
        /// The store's own words.
        message: String,
    },
    /// The keyring did not answer in time (a hung or stopped keyring daemon).
    #[error("the keyring did not answer {}", match message { Some(m) => format!("in time: {m}"), None => format!("within {}", secs(*after)) })]
    KeyringTimedOut {
        /// The limit (ours, or the store's own call timeout when `message` is set).
        after: Duration,
        /// The store's own error, when it gave up before we did.
        message: Option<String>,
    },
    /// Any other keyring failure.
    #[error("{store} error: {message}")]
    Keyring {
        /// The store, e.g. `Secret Service`.
        store: &'static str,
        /// The store's message (e.g. a D-Bus error name and text).
        message: String,
    },
    /// gh's `hosts.yml` exists but cannot be read or parsed.
    #[error("cannot use gh's `{}`: {message}", path.display())]
    HostsYml {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The same failure, replayed from the cross-process cache (another process ran the
    /// command moments ago).
    #[error("{message} (cached from another process)")]
    Cached {
        /// The original error's [`code`](ProviderError::code).
        code: String,
        /// The original error's message.
        message: String,
    },
}

fn stderr_suffix(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}s")
    } else {
        format!("{s:.1}s")
    }
}

impl ProviderError {
    /// A failed run of `program` (a helper command that ran under a `limit`).
    pub(crate) fn from_run(
        error: util::process::RunError,
        program: String,
        limit: Duration,
    ) -> Self {
        match error {
            util::process::RunError::Spawn(source) => ProviderError::Spawn { program, source },
            util::process::RunError::TimedOut { stderr } => ProviderError::TimedOut {
                program,
                after: limit,
                stderr: crate::redact::redact(&stderr).into_owned(),
            },
        }
    }

    /// A stable machine name (`--json`, tests).
    pub fn code(&self) -> &str {
        match self {
            ProviderError::Exited { .. } => "exited",
            ProviderError::TimedOut { .. } => "timed-out",
            ProviderError::Spawn { .. } => "spawn-failed",
            ProviderError::Invalid { .. } => "invalid-token",
            ProviderError::KeyringLocked { .. } => "locked",
            ProviderError::KeyringTimedOut { .. } => "timed-out",
            ProviderError::Keyring { .. } => "keyring-error",
            ProviderError::HostsYml { .. } => "hosts-yml",
            ProviderError::Cached { code, .. } => code,
        }
    }
}

/// One provider's answer.
#[derive(Debug)]
pub enum Outcome {
    /// A token.
    Found(Token),
    /// Nothing here (expected).
    Miss(Miss),
    /// A reported failure; the chain went on.
    Failed(ProviderError),
    /// Not asked, because an earlier provider already found a token.
    NotTried,
}

impl Outcome {
    pub(crate) fn miss(reason: MissReason, detail: impl Into<String>) -> Outcome {
        Outcome::Miss(Miss {
            reason,
            detail: detail.into(),
        })
    }

    /// `found`, `miss`, `error` or `not-tried`.
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Found(_) => "found",
            Outcome::Miss(_) => "miss",
            Outcome::Failed(_) => "error",
            Outcome::NotTried => "not-tried",
        }
    }

    /// The miss reason or error code; `None` for found and not-tried.
    pub fn code(&self) -> Option<&str> {
        match self {
            Outcome::Miss(m) => Some(m.reason.code()),
            Outcome::Failed(e) => Some(e.code()),
            Outcome::Found(_) | Outcome::NotTried => None,
        }
    }

    /// One line for humans; masks any token.
    pub fn summary(&self) -> String {
        match self {
            Outcome::Found(t) => {
                let cached = if t.source().cached() { " (cached)" } else { "" };
                format!(
                    "found {} ({}) from {}{cached}",
                    t.masked(),
                    t.kind().description(),
                    t.source().detail()
                )
            }
            Outcome::Miss(m) => m.detail.clone(),
            Outcome::Failed(e) => error_chain(e),
            Outcome::NotTried => "not tried (an earlier provider found a token)".to_owned(),
        }
    }
}

/// An error and its causes on one line: `cannot start gh: No such file or directory`.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(cause) = cur {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        cur = cause.source();
    }
    out
}

/// One provider's entry in a [`Resolution`].
#[derive(Debug)]
pub struct Attempt {
    /// The provider.
    pub provider: ProviderKind,
    /// What it said.
    pub outcome: Outcome,
    /// Extra observations, e.g. `GITHUB_TOKEN is set but applies to github.com only`.
    pub notes: Vec<String>,
}

/// The record of resolving one host: every configured provider in order, and the winner.
#[derive(Debug)]
pub struct Resolution {
    pub(crate) host: Host,
    pub(crate) attempts: Vec<Attempt>,
    pub(crate) config_path: Option<PathBuf>,
    /// No provider was asked: the host is not one the user named for tokens.
    pub(crate) untrusted: bool,
    /// `(key, value, where)` for each setting a config file set for this host.
    pub(crate) settings: Vec<(&'static str, String, String)>,
    /// Every config file consulted: path, level (`system`/`user`), present.
    pub(crate) config_files: Vec<(PathBuf, &'static str, bool)>,
}

impl Resolution {
    /// The host resolved.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// Each configured provider, in the order tried.
    pub fn attempts(&self) -> &[Attempt] {
        &self.attempts
    }

    /// The first provider that found a token.
    pub fn winner(&self) -> Option<&Attempt> {
        self.attempts
            .iter()
            .find(|a| matches!(a.outcome, Outcome::Found(_)))
    }

    /// The winning token, if any.
    pub fn token(&self) -> Option<&Token> {
        self.winner().and_then(|a| match &a.outcome {
            Outcome::Found(t) => Some(t),
            _ => None,
        })
    }

    /// The user's config file (for hints: where to add a setting).
    pub fn config_path(&self) -> Option<&std::path::Path> {
        self.config_path.as_deref()
    }

    /// Returns true if and only if no provider was asked because the host is not one the user
    /// named for tokens (see [`crate::Resolver::is_trusted_host`]).
    pub fn untrusted(&self) -> bool {
        self.untrusted
    }

    /// `(key, value, where)` for each setting a config file set for this host, e.g.
    /// `("providers", "[\"gh\"]", "[default] in /etc/skillrig/hosts.toml")`.
    pub fn settings(&self) -> &[(&'static str, String, String)] {
        &self.settings
    }

    /// Every config file consulted, system first: path, level (`system` or `user`), and
    /// whether it exists.
    pub fn config_files(&self) -> &[(PathBuf, &'static str, bool)] {
        &self.config_files
    }

    /// Every token this resolution holds (for [`crate::redact::redact_known`]).
    pub(crate) fn known_secrets(&self) -> Vec<&str> {
        self.attempts
            .iter()
            .filter_map(|a| match &a.outcome {
                Outcome::Found(t) => Some(t.expose_secret()),
                _ => None,
            })
            .collect()
    }

    /// The token, or [`crate::AuthError::NoToken`] listing what was tried.
    pub fn to_result(&self) -> Result<Token, crate::AuthError> {
        self.token()
            .cloned()
            .ok_or_else(|| crate::AuthError::no_token(self))
    }
}
