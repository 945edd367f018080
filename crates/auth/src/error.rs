//! The crate's error type.

use origin_meta::Host;

use crate::config::ConfigError;
use crate::outcome::{MissReason, Outcome, Resolution};
use crate::providers::env::vars_for;
use crate::redact::redact_known;
use crate::token::ProviderKind;

/// Why no token could be produced.
///
/// `Display` is one line; [`AuthError::hints`](hint::Hint::hints) gives the lines to print
/// after it as `hint:` (what was tried, and the most likely fix).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Every provider missed or failed, or the host is not one tokens may be sent to.
    #[error("no GitHub token for `{host}`")]
    NoToken {
        /// The host asked for.
        host: Host,
        /// One line per provider: `<provider>: <what happened>` (token shapes redacted).
        tried: Vec<String>,
        /// Notes worth repeating (e.g. a variable set for another kind of host).
        notes: Vec<String>,
        /// The user's skillrig config file, for the fix hint.
        config_path: Option<std::path::PathBuf>,
        /// No provider was asked: the host is not one the user named for tokens.
        untrusted: bool,
        /// The last line of advice (how to add or fix a token source).
        fix: String,
    },
    /// `hosts.toml` is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl AuthError {
    pub(crate) fn no_token(res: &Resolution) -> AuthError {
        let known = res.known_secrets();
        let tried = res
            .attempts()
            .iter()
            .map(|a| {
                redact_known(&format!("{}: {}", a.provider, a.outcome.summary()), &known)
                    .into_owned()
            })
            .collect();
        let notes = res
            .attempts()
            .iter()
            .flat_map(|a| a.notes.iter())
            .filter(|n| n.contains("applies only to") || n.contains("locked"))
            .map(|n| redact_known(n, &known).into_owned())
            .collect();
        AuthError::NoToken {
            host: res.host().clone(),
            tried,
            notes,
            config_path: res.config_path().map(ToOwned::to_owned),
            untrusted: res.untrusted(),
            fix: fix_hint(res),
        }
    }
}

/// The one line of advice after "no token": how to add a token for the host, or — when a
/// configured `credential_command` ran and failed — how to fix that command (never "add a
/// credential_command" when one is already there), or how to trust an unknown host.
pub(crate) fn fix_hint(res: &Resolution) -> String {
    let host = res.host();
    let config = res
        .config_path()
        .map_or_else(|| "hosts.toml".to_owned(), |p| p.display().to_string());
    let login = if host.as_str() == "github.com" {
        "gh auth login".to_owned()
    } else {
        format!("gh auth login --hostname {host}")
    };
    if res.untrusted() {
        return format!(
            "{host} is not a host you named for tokens, so its requests go without one; to send it a token, add a [hosts.\"{host}\"] table to {config}, log in with `{login}`, or list it in SKILLRIG_TRUSTED_HOSTS"
        );
    }
    let var = vars_for(host)[if host.uses_github_com_env() { 3 } else { 1 }];
    let failed_command = res.attempts().iter().any(|a| {
        a.provider == ProviderKind::CredentialCommand
            && match &a.outcome {
                Outcome::Failed(_) => true,
                Outcome::Miss(m) => m.reason == MissReason::EmptyOutput,
                _ => false,
            }
    });
    match failed_command {
        true => format!(
            "fix the credential_command for {host} (run it by hand to see what it prints), or log in with `{login}`, or set {var}"
        ),
        false => format!(
            "log in with `{login}`, set {var}, or add a credential_command for {host} to {config}"
        ),
    }
}

impl hint::Hint for AuthError {
    /// Lines to print after the error, each meant to be prefixed with `hint: `.
    fn hints(&self) -> Vec<String> {
        match self {
            AuthError::NoToken {
                tried,
                notes,
                untrusted,
                fix,
                ..
            } => {
                let mut out: Vec<String> = if *untrusted {
                    Vec::new()
                } else if tried.is_empty() {
                    vec!["no providers are configured for this host (providers = [])".to_owned()]
                } else {
                    tried.iter().map(|t| format!("tried {t}")).collect()
                };
                out.extend(notes.iter().cloned());
                out.push(fix.clone());
                out
            }
            AuthError::Config(e) => hint::Hint::hints(e),
        }
    }
}
