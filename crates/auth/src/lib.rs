//! GitHub token resolution per host: env, credential_command, gh's keyring item, gh auth token.
//!
//! Internal crate of skillrig-mise (not published, no semver promise).
//!
//! # Overview
//!
//! * [`Resolver`] — the chain. For each [`Host`](origin_meta::Host) it runs the configured
//!   providers in order (default `env`, `credential_command`, `keyring`, `gh`); the first
//!   token wins. A provider answers found, miss or error; errors are reported and the chain
//!   goes on. Results are memoised per process, and slow providers are shared across
//!   processes through the OS's store (kernel keyring, Keychain, Credential Manager; the
//!   `cache` module explains how and why). Only hosts the user named get a token
//!   ([`Resolver::is_trusted_host`]).
//! * [`Token`] — the secret ([`secrecy::SecretString`]; redacted `Debug`, no `Display`), the
//!   host it belongs to, its [`Source`] and [`TokenKind`].
//! * [`Resolution`] — what every provider said, for `doctor` and error hints.
//! * [`Config`] — `hosts.toml` (system-wide file under the user's): per-host provider order,
//!   `credential_command`, timeouts, `api_url` (which the releases client reads).
//! * [`redact`] — token-shaped text out of anything quoted or printed.
//! * [`Env`] — all environment access goes through it, so tests inject their own.
//! * [`doctor`] — the resolution report of `skillrig-auth doctor` (the CLI adds what the host answers).
//! * [`git_credential`] — the git credential-helper protocol.
//!
//! # Host scoping
//!
//! Every lookup is keyed by the canonical host, and a [`Token`] carries its host: callers must
//! send it only there. github.com token variables never apply to Enterprise Server hosts and
//! vice versa ([`env_vars_for`] lists which apply to a host).
//!
//! # Errors
//!
//! [`Resolver::resolve`] fails with [`AuthError::NoToken`] when every provider missed or
//! failed (its [`hints`](hint::Hint::hints) list what was tried and the likely fix), and
//! [`Resolver::from_env`] with a [`ConfigError`] naming the file, line and key when
//! `hosts.toml` is malformed.
//!
//! # Example
//!
//! ```no_run
//! use auth::{Env, Resolver};
//! use hint::Hint as _;
//! use origin_meta::Host;
//!
//! let resolver = Resolver::from_env(Env::process())?;
//! let host = Host::github_com();
//! match resolver.resolve(&host) {
//!     Ok(token) => {
//!         let header = format!("Bearer {}", token.expose_secret());
//!         // … send `header` to `host` only; on 401: resolver.invalidate(&host)
//!         # let _ = header;
//!     }
//!     Err(e) => {
//!         eprintln!("error: {e}");
//!         for hint in e.hints() {
//!             eprintln!("hint: {hint}");
//!         }
//!     }
//! }
//! # Ok::<(), auth::ConfigError>(())
//! ```

mod cache;
pub mod config;
pub mod doctor;
pub mod env;
mod error;
pub mod git_credential;
mod outcome;
mod providers;
pub mod redact;
mod resolver;
mod store;
mod token;

pub use config::{Config, ConfigError, ConfigFile, CredentialCommand, HostConfig, Level};
pub use env::Env;
pub use error::AuthError;
pub use outcome::{Attempt, Miss, MissReason, Outcome, ProviderError, Resolution};
pub use providers::keyring::DEFAULT_KEYRING_TIMEOUT;
pub use resolver::Resolver;
pub use token::{ProviderKind, Source, Token, TokenKind, UnknownProvider};

/// The environment variables that may supply a token for `host`, in precedence order.
pub fn env_vars_for(host: &origin_meta::Host) -> &'static [&'static str] {
    providers::env::vars_for(host)
}
