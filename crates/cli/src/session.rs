//! One run's view of the world: the environment, the token resolver, a GitHub client per
//! host built from them, and the Sigstore trusted roots attestations are verified against
//! (`SKILLRIG_TRUSTED_ROOT`, read once per process).
//!
//! This is where auth meets releases, and the only place that does: the `releases` client is
//! handed a credential for exactly the host it talks to, and never runs the resolver itself.
//! A 401 invalidates the cached token for that host and retries once without a token, so a
//! stale or foreign token does not break public origins (the user is told which source
//! supplied the rejected token).

use std::cell::{OnceCell, RefCell};

use auth::{AuthError, Env, Resolver};
use origin_meta::Host;
use releases::{ClientConfig, Credential, GitHub};
use secrecy::SecretString;

use crate::report::Failure;

/// Why no token was used for a host, kept to explain a later 404.
#[derive(Debug, Clone)]
pub(crate) struct Anonymous {
    hints: Vec<String>,
}

/// The environment, resolver and per-run settings.
pub struct Session {
    env: Env,
    resolver: Resolver,
    offline: bool,
    anonymous: RefCell<Vec<(Host, Anonymous)>>,
    trust_roots: OnceCell<Result<attest::TrustRoots, attest::Error>>,
}

impl Session {
    /// A session over the process environment; a malformed `hosts.toml` is a usage error.
    pub fn from_process(offline: bool) -> Result<Session, Failure> {
        let env = Env::process();
        // The configuration error carries its own hint (the file, and how to point elsewhere).
        let resolver = Resolver::from_env(env.clone())
            .map_err(|e| Failure::from_error(&e).with_code(crate::report::EXIT_USAGE))?;
        Ok(Session {
            env,
            resolver,
            offline,
            anonymous: RefCell::new(Vec::new()),
            trust_roots: OnceCell::new(),
        })
    }

    /// The environment this session reads.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// The token resolver.
    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    /// The Sigstore trusted roots: the built-in public-good and GitHub roots, or those in the
    /// file `SKILLRIG_TRUSTED_ROOT` names. Loaded on first use, once per process.
    ///
    /// # Errors
    ///
    /// A usage failure (exit 2) when the file cannot be read or holds no usable root.
    pub fn trust_roots(&self) -> Result<&attest::TrustRoots, Failure> {
        let roots = self.trust_roots.get_or_init(|| {
            attest::TrustRoots::from_env_value(self.env.var_os(attest::ENV_TRUSTED_ROOT).as_deref())
        });
        roots
            .as_ref()
            .map_err(|e| Failure::from_error(e).with_code(crate::report::EXIT_USAGE))
    }

    /// A client for `host`, with the host's token if one resolves. No token is not an error:
    /// public origins need none, and a private one will answer 404, which
    /// [`Session::explain`] turns into the list of places we looked.
    pub fn client(&self, host: &Host) -> Result<GitHub, Failure> {
        let credential = match self.resolver.resolve(host) {
            Ok(token) => Some(Credential::new(
                SecretString::from(token.expose_secret().to_owned()),
                token.source().to_string(),
            )),
            Err(AuthError::NoToken { .. }) => {
                let hints = match self.resolver.resolve(host) {
                    Err(e) => hint::Hint::hints(&e),
                    Ok(_) => Vec::new(),
                };
                self.anonymous
                    .borrow_mut()
                    .push((host.clone(), Anonymous { hints }));
                None
            }
            Err(e) => return Err(Failure::from_error(&e).with_code(crate::report::EXIT_USAGE)),
        };
        self.build(host, credential)
    }

    fn build(&self, host: &Host, credential: Option<Credential>) -> Result<GitHub, Failure> {
        let api_url = self.resolver.config().api_url(host).map(str::to_owned);
        let env = &self.env;
        let mut config =
            ClientConfig::from_env(host.clone(), api_url.as_deref(), credential, &|k| {
                env.var(k)
            });
        config.offline = self.offline;
        config.notify = releases::Notifier::new(|notice| match notice {
            releases::Notice::UntrustedCache { .. } => crate::warn(&notice.to_string()),
            _ => crate::note(&notice.to_string()),
        });
        GitHub::new(config).map_err(|e| {
            let failure = self.explain(host, &e);
            match e {
                // A bad `api_url` or proxy is configuration: a usage error.
                releases::Error::InvalidApiUrl { .. } | releases::Error::InvalidProxy => {
                    failure.with_code(crate::report::EXIT_USAGE)
                }
                _ => failure,
            }
        })
    }

    /// Runs `op` with a client for `host`. On 401 the cached token is dropped and `op` runs
    /// once more without a token, with a warning naming where the rejected token came from.
    pub fn with_client<T>(
        &self,
        host: &Host,
        op: impl Fn(&GitHub) -> Result<T, releases::Error>,
    ) -> Result<T, Failure> {
        let client = self.client(host)?;
        match op(&client) {
            Err(rejected @ releases::Error::BadCredentials { .. }) => {
                self.resolver.invalidate(host);
                let source = match &rejected {
                    releases::Error::BadCredentials { token_source, .. } => token_source
                        .clone()
                        .unwrap_or_else(|| "an unknown source".to_owned()),
                    _ => unreachable!("matched above"),
                };
                let retry = self.build(host, None)?;
                match op(&retry) {
                    Ok(value) => {
                        crate::warn(&format!(
                            "the GitHub token from {source} was rejected by {host} (401 Bad \
                             credentials); continued without it. Run `skillrig-auth doctor \
                             --host {host}`."
                        ));
                        Ok(value)
                    }
                    // The rejected token is the cause to fix; the anonymous attempt is context.
                    Err(anonymous) => Err(self.explain(host, &rejected).hint(format!(
                        "without the token: {}",
                        Failure::from_error(&anonymous).message()
                    ))),
                }
            }
            other => other.map_err(|e| self.explain(host, &e)),
        }
    }

    /// Turns a client error into a failure, adding what we know about the token situation.
    pub fn explain(&self, host: &Host, error: &releases::Error) -> Failure {
        let mut failure = Failure::from_error(error);
        if matches!(
            error,
            releases::Error::NotFound { .. } | releases::Error::RateLimited { .. }
        ) && let Some((_, anonymous)) = self.anonymous.borrow().iter().find(|(h, _)| h == host)
        {
            for hint in &anonymous.hints {
                failure = failure.hint(hint.clone());
            }
        }
        failure
    }
}
