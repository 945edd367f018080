//! The crate's error type.

use origin_meta::Host;

use crate::config::ConfigError;
use crate::outcome::Resolution;
use crate::providers::env::vars_for;

/// Why no token could be produced.
///
/// `Display` is one line; [`AuthError::hints`] gives the lines to print after it as `hint:`
/// (what was tried, and the most likely fix).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Every provider missed or failed.
    #[error("no GitHub token for `{host}`")]
    NoToken {
        /// The host asked for.
        host: Host,
        /// One line per provider: `<provider>: <what happened>`.
        tried: Vec<String>,
        /// Notes worth repeating (e.g. a variable set for another kind of host).
        notes: Vec<String>,
        /// The skillrig config file consulted, for the fix hint.
        config_path: Option<std::path::PathBuf>,
    },
    /// `hosts.toml` is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl AuthError {
    pub(crate) fn no_token(res: &Resolution) -> AuthError {
        let tried = res
            .attempts()
            .iter()
            .map(|a| format!("{}: {}", a.provider, a.outcome.summary()))
            .collect();
        let notes = res
            .attempts()
            .iter()
            .flat_map(|a| a.notes.iter())
            .filter(|n| n.contains("applies only to") || n.contains("locked"))
            .cloned()
            .collect();
        AuthError::NoToken {
            host: res.host().clone(),
            tried,
            notes,
            config_path: res.config_path().map(ToOwned::to_owned),
        }
    }
}

impl hint::Hint for AuthError {
    /// Lines to print after the error, each meant to be prefixed with `hint: `.
    fn hints(&self) -> Vec<String> {
        match self {
            AuthError::NoToken {
                host,
                tried,
                notes,
                config_path,
            } => {
                let mut out: Vec<String> = if tried.is_empty() {
                    vec![format!(
                        "no providers are configured for {host} (providers = [])"
                    )]
                } else {
                    tried.iter().map(|t| format!("tried {t}")).collect()
                };
                out.extend(notes.iter().cloned());
                let var = vars_for(host)[if host.uses_github_com_env() { 3 } else { 1 }];
                let login = if host.uses_github_com_env() && host.as_str() == "github.com" {
                    "gh auth login".to_owned()
                } else {
                    format!("gh auth login --hostname {host}")
                };
                let config = config_path
                    .as_ref()
                    .map_or_else(|| "hosts.toml".to_owned(), |p| p.display().to_string());
                out.push(format!(
                    "log in with `{login}`, set {var}, or add a credential_command for {host} to {config}"
                ));
                out
            }
            AuthError::Config(e) => hint::Hint::hints(e),
        }
    }
}
