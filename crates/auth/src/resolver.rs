//! The resolver: one ordered provider list per host, first hit wins, memoised per process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use origin_meta::{Host, HostKind};

use crate::AuthError;
use crate::cache::{CacheKey, SharedCache};
use crate::config::{Config, ConfigError, HostConfig};
use crate::env::{Env, vars};
use crate::outcome::{Attempt, MissReason, Outcome, Resolution};
use crate::providers::keyring::DEFAULT_KEYRING_TIMEOUT;
use crate::providers::{self, Lookup, hosts_yml};
use crate::token::{ProviderKind, Token};

/// Resolves GitHub tokens per host.
///
/// * Each host is resolved at most once per `Resolver` (concurrent callers for the same host
///   wait for the first), until [`Resolver::invalidate`].
/// * Providers run in the host's configured order; a miss or an error moves on to the next.
/// * `credential_command` and `gh` results are shared across processes for `cache_ttl`
///   (see the `cache` module docs); environment variables and gh's stored items are cheap to
///   read and are not cached.
///
/// ```no_run
/// use auth::{Env, Resolver};
/// use origin_meta::Host;
///
/// let resolver = Resolver::from_env(Env::process())?;
/// match resolver.resolve(&Host::github_com()) {
///     Ok(token) => println!("using a token from {}", token.source()),
///     Err(e) => eprintln!("{e}"),
/// }
/// # Ok::<(), auth::ConfigError>(())
/// ```
#[derive(Debug)]
pub struct Resolver {
    env: Env,
    config: Config,
    cache: SharedCache,
    keyring_timeout: Duration,
    memo: Mutex<HashMap<Host, Arc<OnceLock<Arc<Resolution>>>>>,
}

impl Resolver {
    /// A resolver reading the config file selected by `env` (see [`Config::load`]) and using
    /// the cross-process cache when the kernel keyring is available.
    pub fn from_env(env: Env) -> Result<Resolver, ConfigError> {
        let config = Config::load(&env)?;
        Ok(Resolver::new(env, config))
    }

    /// A resolver with an explicit configuration.
    pub fn new(env: Env, config: Config) -> Resolver {
        Resolver {
            cache: SharedCache::new(&env),
            env,
            config,
            keyring_timeout: DEFAULT_KEYRING_TIMEOUT,
            memo: Mutex::new(HashMap::new()),
        }
    }

    /// Turns the cross-process cache off (every provider runs in this process).
    pub fn without_shared_cache(mut self) -> Resolver {
        self.cache = SharedCache::disabled();
        self
    }

    /// Sets how long a keyring lookup may take before it is abandoned (default 3 s).
    pub fn with_keyring_timeout(mut self, timeout: Duration) -> Resolver {
        self.keyring_timeout = timeout;
        self
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The environment in use.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// Returns true if and only if results are shared with other processes (the OS store for
    /// the cache is available and not turned off).
    pub fn shares_across_processes(&self) -> bool {
        self.cache.enabled()
    }

    /// Where results are shared with other processes, e.g. `the kernel keyring`; `None` when
    /// they are not.
    pub fn shared_cache_store(&self) -> Option<&'static str> {
        self.cache.store_name()
    }

    /// The token for `host`, or [`AuthError::NoToken`] listing what was tried.
    pub fn resolve(&self, host: &Host) -> Result<Token, AuthError> {
        self.resolution(host).to_result()
    }

    /// The full first-hit record for `host` (memoised): providers after the winner are
    /// [`Outcome::NotTried`].
    pub fn resolution(&self, host: &Host) -> Arc<Resolution> {
        let cell = {
            let mut memo = self.memo.lock().unwrap_or_else(PoisonError::into_inner);
            memo.entry(host.clone()).or_default().clone()
        };
        cell.get_or_init(|| Arc::new(self.run_chain(host, true, &self.cache)))
            .clone()
    }

    /// Asks **every** configured provider, fresh (no cache, no memo), for `doctor`: it shows
    /// what each source holds, not just the winner.
    pub fn resolve_all(&self, host: &Host) -> Resolution {
        self.run_chain(host, false, &SharedCache::disabled())
    }

    /// Forgets `host`'s token here and in the cross-process cache. Call it when a request
    /// with the token got a 401, before resolving again.
    pub fn invalidate(&self, host: &Host) {
        self.memo
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(host);
        let cfg = self.config.for_host(host);
        if let Some(cmd) = &cfg.credential_command {
            self.cache.invalidate(&CacheKey::new(
                host,
                ProviderKind::CredentialCommand,
                &cmd.command,
            ));
        }
        self.cache
            .invalidate(&CacheKey::new(host, ProviderKind::Gh, ""));
        tracing::debug!(%host, "token invalidated");
    }

    /// Returns true if and only if a token may be sent to `host`: github.com, `*.ghe.com`, a
    /// host with its own table in a `hosts.toml`, a host gh is logged in to, or one listed in
    /// `SKILLRIG_TRUSTED_HOSTS`. Any other host — one merely named in a tool address, say in a
    /// cloned `mise.toml` — gets no token from any provider: `GH_ENTERPRISE_TOKEN` or a
    /// `[default]` command must not be sent to `attacker.example` because a file named it.
    /// The git credential helper answers only these hosts too.
    pub fn is_trusted_host(&self, host: &Host) -> bool {
        host.kind() != HostKind::EnterpriseServer
            || self.config.has_host(host)
            || self.allow_listed(host)
            || matches!(hosts_yml::load(&self.env), Ok(Some(h)) if h.hosts.contains_key(host))
    }

    /// Same as [`Resolver::is_trusted_host`] (the git helper's name for it).
    pub fn is_known_host(&self, host: &Host) -> bool {
        self.is_trusted_host(host)
    }

    fn allow_listed(&self, host: &Host) -> bool {
        self.env
            .var(vars::SKILLRIG_TRUSTED_HOSTS)
            .is_some_and(|list| {
                list.split([',', ' '])
                    .filter(|h| !h.trim().is_empty())
                    .any(|h| Host::parse(h.trim()).is_ok_and(|h| h == *host))
            })
    }

    fn run_chain(&self, host: &Host, first_hit: bool, cache: &SharedCache) -> Resolution {
        let cfg = self.config.for_host(host);
        let config_files = self
            .config
            .files()
            .iter()
            .map(|f| (f.path.clone(), f.level.name(), f.present))
            .collect();
        if !self.is_trusted_host(host) {
            tracing::debug!(%host, "not a host named for tokens; no provider asked");
            return Resolution {
                host: host.clone(),
                attempts: Vec::new(),
                config_path: self.config.path().map(ToOwned::to_owned),
                untrusted: true,
                settings: cfg.origins,
                config_files,
            };
        }
        let mut attempts = Vec::with_capacity(cfg.providers.len());
        let mut found = false;
        for &provider in &cfg.providers {
            if found && first_hit {
                attempts.push(Attempt {
                    provider,
                    outcome: Outcome::NotTried,
                    notes: Vec::new(),
                });
                continue;
            }
            let lookup = self.run_provider(provider, host, &cfg, cache);
            match &lookup.outcome {
                Outcome::Found(t) => {
                    tracing::debug!(%host, provider = %provider, kind = t.kind().code(), cached = t.source().cached(), "token found");
                    found = true;
                }
                Outcome::Miss(m) => {
                    tracing::debug!(%host, provider = %provider, reason = m.reason.code(), "{}", m.detail)
                }
                Outcome::Failed(e) => {
                    tracing::debug!(%host, provider = %provider, code = e.code(), "{}", crate::outcome::error_chain(e))
                }
                Outcome::NotTried => {}
            }
            attempts.push(Attempt {
                provider,
                outcome: lookup.outcome,
                notes: lookup.notes,
            });
        }
        Resolution {
            host: host.clone(),
            attempts,
            config_path: self.config.path().map(ToOwned::to_owned),
            untrusted: false,
            settings: cfg.origins,
            config_files,
        }
    }

    fn run_provider(
        &self,
        provider: ProviderKind,
        host: &Host,
        cfg: &HostConfig,
        cache: &SharedCache,
    ) -> Lookup {
        match provider {
            ProviderKind::Env => providers::env::lookup(host, &self.env),
            ProviderKind::CredentialCommand => {
                let Some(cmd) = &cfg.credential_command else {
                    let place = match self.config.path() {
                        Some(p) => format!(" in {}", p.display()),
                        None => String::new(),
                    };
                    let scope = if host.kind() == HostKind::EnterpriseServer
                        && !self.config.has_host(host)
                    {
                        // [default] does not apply here; say so rather than "none".
                        format!(
                            "no [hosts.\"{host}\"] credential_command{place} ([default] applies only to github.com, *.ghe.com and hosts with their own table)"
                        )
                    } else {
                        format!("no credential_command for {host} or [default]{place}")
                    };
                    return Outcome::miss(MissReason::NotConfigured, scope).into();
                };
                if let Some(skip) = providers::command::recursion_guard(host, &self.env) {
                    return skip;
                }
                let key = CacheKey::new(host, ProviderKind::CredentialCommand, &cmd.command);
                cache.get_or_run(&key, cfg.cache_ttl, cfg.credential_timeout, || {
                    providers::command::lookup(host, &self.env, cmd, cfg.credential_timeout)
                })
            }
            ProviderKind::Keyring => {
                providers::keyring::lookup(host, &self.env, self.keyring_timeout)
            }
            ProviderKind::Gh => {
                let Some(gh) = providers::gh::find(&self.env) else {
                    return Outcome::miss(MissReason::NotInstalled, "gh is not on PATH").into();
                };
                let key = CacheKey::new(host, ProviderKind::Gh, "");
                cache.get_or_run(&key, cfg.cache_ttl, cfg.gh_timeout, || {
                    providers::gh::lookup(host, &self.env, &gh, cfg.gh_timeout)
                })
            }
        }
    }
}

// The commands here are POSIX shell.
#[cfg(all(test, unix))]
mod tests {
    use hint::Hint as _;
    use std::path::Path;

    use super::*;

    fn resolver(vars: &[(&str, &str)], config: &str) -> Resolver {
        let config = Config::parse(config, Path::new("/cfg/hosts.toml")).unwrap();
        Resolver::new(Env::from_vars(vars.iter().copied()), config).without_shared_cache()
    }

    #[test]
    fn first_hit_wins_and_later_providers_are_not_tried() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_str().unwrap();
        let r = resolver(
            &[
                ("GH_TOKEN", "ghp_env_token_000000"),
                ("HOME", home),
                ("PATH", home),
            ],
            "[default]\ncredential_command = \"echo ghp_from_command\"\n",
        );
        let res = r.resolution(&Host::github_com());
        let statuses: Vec<_> = res
            .attempts()
            .iter()
            .map(|a| (a.provider.name(), a.outcome.status()))
            .collect();
        let expected: Vec<_> = ProviderKind::platform_default_order()
            .into_iter()
            .map(|p| {
                (
                    p.name(),
                    if p == ProviderKind::Env {
                        "found"
                    } else {
                        "not-tried"
                    },
                )
            })
            .collect();
        assert_eq!(statuses, expected);
        assert_eq!(
            r.resolve(&Host::github_com()).unwrap().expose_secret(),
            "ghp_env_token_000000"
        );
    }

    #[test]
    fn configured_order_is_respected_and_errors_do_not_stop_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_str().unwrap();
        let r = resolver(
            &[
                ("GH_TOKEN", "ghp_env_token_000000"),
                ("HOME", home),
                ("PATH", "/usr/bin:/bin"),
            ],
            "[hosts.\"github.com\"]\nproviders = [\"credential_command\", \"env\"]\ncredential_command = \"echo broken >&2; exit 2\"\n",
        );
        let res = r.resolution(&Host::github_com());
        assert_eq!(res.attempts()[0].outcome.code(), Some("exited"));
        assert_eq!(res.winner().unwrap().provider, ProviderKind::Env);
        assert_eq!(res.attempts().len(), 2);
    }

    #[test]
    fn memoised_until_invalidated() {
        let dir = tempfile::tempdir().unwrap();
        let counter = dir.path().join("count");
        let command = format!(
            "echo run >> '{}'; echo ghp_counted_token_0001",
            counter.display()
        );
        let r = resolver(
            &[
                ("HOME", dir.path().to_str().unwrap()),
                ("PATH", "/usr/bin:/bin"),
            ],
            &format!(
                "[hosts.\"ghe.example.com\"]\nproviders = [\"credential_command\"]\ncredential_command = '''{command}'''\n"
            ),
        );
        let host = Host::parse("ghe.example.com").unwrap();
        let runs = || std::fs::read_to_string(&counter).unwrap().lines().count();
        r.resolve(&host).unwrap();
        r.resolve(&host).unwrap();
        assert_eq!(runs(), 1);
        r.invalidate(&host);
        r.resolve(&host).unwrap();
        assert_eq!(runs(), 2);
        // resolve_all is always fresh.
        r.resolve_all(&host);
        assert_eq!(runs(), 3);
    }

    #[test]
    fn nothing_found_lists_every_provider() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_str().unwrap();
        let r = resolver(
            &[
                ("HOME", home),
                ("PATH", home),
                ("XDG_RUNTIME_DIR", home),
                ("GITHUB_TOKEN", "ghp_wrong_host"),
                ("SKILLRIG_TRUSTED_HOSTS", "ci.example, ghe.example.com"),
            ],
            "[default]\ncredential_command = \"echo ghp_not_for_enterprise\"\n",
        );
        let err = r
            .resolve(&Host::parse("ghe.example.com").unwrap())
            .unwrap_err();
        assert_eq!(err.to_string(), "no GitHub token for `ghe.example.com`");
        let hints = err.hints();
        let text = hints.join("\n");
        assert!(text.contains("env: none of MISE_GITHUB_ENTERPRISE_TOKEN, GH_ENTERPRISE_TOKEN, GITHUB_ENTERPRISE_TOKEN is set"), "{text}");
        assert!(text.contains("credential_command: no [hosts.\"ghe.example.com\"] credential_command in /cfg/hosts.toml ([default] applies only to github.com, *.ghe.com and hosts with their own table)"), "{text}");
        assert!(text.contains("keyring: no D-Bus session bus"), "{text}");
        assert!(text.contains("gh: gh is not on PATH"), "{text}");
        assert!(
            text.contains("GITHUB_TOKEN is set but applies only to github.com"),
            "{text}"
        );
        assert!(
            text.contains("gh auth login --hostname ghe.example.com"),
            "{text}"
        );
        assert!(!text.contains("ghp_wrong_host"), "{text}");
    }

    #[test]
    fn known_hosts_for_git() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("hosts.yml"),
            "ghe.gh-login.example:\n    user: a\n",
        )
        .unwrap();
        let r = resolver(
            &[("GH_CONFIG_DIR", dir.path().to_str().unwrap())],
            "[hosts.\"ghe.configured.example\"]\nproviders = [\"gh\"]\n",
        );
        for (host, known) in [
            ("github.com", true),
            ("acme.ghe.com", true),
            ("ghe.configured.example", true),
            ("ghe.gh-login.example", true),
            ("gitlab.com", false),
        ] {
            assert_eq!(
                r.is_known_host(&Host::parse(host).unwrap()),
                known,
                "{host}"
            );
        }
    }

    /// #17.2: a host merely named in a tool address (a cloned mise.toml) gets no token: not
    /// the [default] command's, not GH_ENTERPRISE_TOKEN. Naming the host makes it eligible.
    #[test]
    fn tokens_reach_only_hosts_the_user_named() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_str().unwrap();
        let runs = dir.path().join("runs");
        let config = format!(
            "[default]\ncredential_command = '''echo run >> '{}'; echo ghp_default_command_01'''\n",
            runs.display()
        );
        let vars = |extra: &[(&'static str, &'static str)]| {
            let mut v = vec![
                ("HOME", home.to_owned()),
                ("PATH", "/usr/bin:/bin".to_owned()),
                ("XDG_RUNTIME_DIR", home.to_owned()),
                ("GH_ENTERPRISE_TOKEN", "ghp_enterprise_token_01".to_owned()),
            ];
            v.extend(extra.iter().map(|(k, val)| (*k, (*val).to_owned())));
            v
        };
        let attacker = Host::parse("attacker.example").unwrap();
        let parse = |text: &str| Config::parse(text, Path::new("/cfg/hosts.toml")).unwrap();

        let r = Resolver::new(Env::from_vars(vars(&[])), parse(&config)).without_shared_cache();
        assert!(!r.is_trusted_host(&attacker));
        let err = r.resolve(&attacker).unwrap_err();
        let hints = err.hints().join("\n");
        assert!(
            hints.contains("attacker.example is not a host you named for tokens")
                && hints.contains("[hosts.\"attacker.example\"]")
                && hints.contains("SKILLRIG_TRUSTED_HOSTS"),
            "{hints}"
        );
        assert!(r.resolution(&attacker).untrusted());
        assert!(
            !runs.exists(),
            "the [default] command ran for an unnamed host"
        );
        // github.com still gets the [default] command.
        let t = r.resolve(&Host::github_com()).unwrap();
        assert_eq!(t.expose_secret(), "ghp_default_command_01");

        // Allow-listed: the Enterprise variable applies, the [default] command still does not.
        let r = Resolver::new(
            Env::from_vars(vars(&[("SKILLRIG_TRUSTED_HOSTS", "attacker.example")])),
            parse(&config),
        )
        .without_shared_cache();
        let res = r.resolve_all(&attacker);
        assert_eq!(res.attempts()[0].outcome.status(), "found");
        assert_eq!(res.attempts()[1].outcome.code(), Some("not-configured"));

        // Its own table: both apply.
        let r = Resolver::new(
            Env::from_vars(vars(&[])),
            parse(&format!("{config}[hosts.\"attacker.example\"]\n")),
        )
        .without_shared_cache();
        let res = r.resolve_all(&attacker);
        assert_eq!(res.attempts()[0].outcome.status(), "found");
        assert_eq!(res.attempts()[1].outcome.status(), "found");
    }

    /// #13.5: a failing credential_command is followed by advice to fix it, never by advice
    /// to add one.
    #[test]
    fn a_failing_command_is_not_followed_by_add_a_command() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_str().unwrap();
        let r = resolver(
            &[
                ("HOME", home),
                ("PATH", "/usr/bin:/bin"),
                ("XDG_RUNTIME_DIR", home),
            ],
            "[default]\nproviders = [\"credential_command\"]\ncredential_command = \"echo 'vault: denied' >&2; exit 3\"\n",
        );
        let hints = r.resolve(&Host::github_com()).unwrap_err().hints();
        assert_eq!(
            hints[0],
            "tried credential_command: `echo …` from [default] failed (exit code 3): vault: denied"
        );
        let last = hints.last().unwrap();
        assert!(
            last.starts_with("fix the credential_command for github.com"),
            "{last}"
        );
        assert!(
            !hints.join("\n").contains("add a credential_command"),
            "{hints:?}"
        );
    }
}
