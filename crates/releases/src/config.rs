//! Client configuration: the host and its API URL, the credential, the cache, retries and
//! timeouts. [`ClientConfig::from_env`] reads the environment through a caller-supplied
//! lookup, so nothing in this crate reads process environment variables itself.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use origin_meta::Host;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// `SKILLRIG_GITHUB_API_URL`: API base URL override for github.com (tests, proxies, mirrors).
pub const ENV_GITHUB_API_URL: &str = "SKILLRIG_GITHUB_API_URL";
/// `SKILLRIG_CACHE_DIR`: the cache root, instead of `$XDG_CACHE_HOME/skillrig`.
pub const ENV_CACHE_DIR: &str = "SKILLRIG_CACHE_DIR";
/// `XDG_CACHE_HOME`: the base cache directory (`$HOME/.cache` when unset).
pub const ENV_XDG_CACHE_HOME: &str = "XDG_CACHE_HOME";
/// `HOME`: used for the `$HOME/.cache` default.
pub const ENV_HOME: &str = "HOME";
/// Proxy variables read by [`ClientConfig::from_env`], in order; the first set one wins.
pub const ENV_PROXY: [&str; 4] = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];
/// Hosts that bypass the proxy (comma-separated names, `.suffix`es or `*`).
pub const ENV_NO_PROXY: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// The GitHub API version every request pins.
pub const API_VERSION: &str = "2022-11-28";

/// A token and where it came from.
///
/// Has no `Display`, and its `Debug` shows only the source: the secret leaves this type only
/// inside the `Authorization` header (and, hashed, in the cache key; see [`crate::cache`]).
#[derive(Clone)]
pub struct Credential {
    secret: SecretString,
    source: String,
}

impl Credential {
    /// A credential from `source`, a short name for messages such as `credential_command`,
    /// `GH_TOKEN` or `gh keyring` (never the token).
    pub fn new(secret: SecretString, source: impl Into<String>) -> Credential {
        Credential {
            secret,
            source: source.into(),
        }
    }

    /// Where the token came from.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub(crate) fn expose(&self) -> &str {
        self.secret.expose_secret()
    }

    /// First 16 hex digits of sha256 over a fixed domain-separation prefix and the token.
    ///
    /// Partitions the cache by identity (GitHub's responses `Vary` on `Authorization`), is
    /// stable across processes, and reveals nothing usable about the token.
    pub(crate) fn identity(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"skillrig-mise cache identity v1\0");
        h.update(self.expose().as_bytes());
        hex::encode(h.finalize())[..16].to_owned()
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("source", &self.source)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// Retry behaviour for transient failures.
///
/// Retried: 5xx, connection errors, timeouts, a body cut short before any byte reached the
/// caller, and rate limits whose reset is within [`rate_limit_patience`](Self::rate_limit_patience).
/// Never retried: other 4xx.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Total attempts per request, including the first (default 3; 1 disables retries).
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubles per attempt, with jitter (default 500 ms).
    pub base_delay: Duration,
    /// Upper bound for one backoff delay (default 8 s).
    pub max_backoff: Duration,
    /// Wait for a rate-limit reset only if it is at most this far away (default 60 s);
    /// otherwise fail at once with [`crate::Error::RateLimited`].
    pub rate_limit_patience: Duration,
    /// The most one request waits for rate limits in total, over all its attempts (default
    /// 90 s); a wait that would go past it fails at once with [`crate::Error::RateLimited`]
    /// naming the reset time. Every wait is announced as a [`crate::Notice`].
    pub rate_limit_budget: Duration,
    /// Whether to actually sleep between attempts (default true). Tests set it to false:
    /// the delays are still computed and the attempts still made.
    pub sleep: bool,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            rate_limit_patience: Duration::from_secs(60),
            rate_limit_budget: Duration::from_secs(90),
            sleep: true,
        }
    }
}

impl RetryPolicy {
    /// The default policy without sleeping between attempts (for tests and benchmarks).
    pub fn without_delays() -> RetryPolicy {
        RetryPolicy {
            sleep: false,
            ..RetryPolicy::default()
        }
    }
}

/// Network timeouts.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// DNS resolution plus TCP/TLS connection setup (default 15 s).
    pub connect: Duration,
    /// Each read from the socket, headers and body alike (default 30 s). Restarts with every
    /// read, so a long download that keeps making progress never times out.
    pub read: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(15),
            read: Duration::from_secs(30),
        }
    }
}

/// Everything [`crate::GitHub::new`] needs.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The GitHub host the credential belongs to.
    pub host: Host,
    /// REST API base URL without a trailing slash (`https://api.github.com`,
    /// `https://HOST/api/v3`); `http://` only to loopback.
    pub api_url: String,
    /// The token for [`host`](Self::host), if one was resolved. Sent only to the API origin.
    pub credential: Option<Credential>,
    /// Cache root (the client uses a `github-api/` directory inside it); `None` disables the
    /// cache.
    pub cache_dir: Option<PathBuf>,
    /// How long a cached response is used without any request (default 60 s). After it, the
    /// entry is revalidated with `If-None-Match`.
    pub freshness: Duration,
    /// Use only the cache; a miss is [`crate::Error::NotInCache`].
    pub offline: bool,
    /// `User-Agent` (default `skillrig-mise/<version>`).
    pub user_agent: String,
    /// Retry behaviour.
    pub retry: RetryPolicy,
    /// Network timeouts.
    pub timeouts: Timeouts,
    /// Proxy URL for all requests (`http://proxy:3128`); `None` connects directly. This crate
    /// never reads proxy variables itself; [`ClientConfig::from_env`] does, via its lookup.
    pub proxy: Option<String>,
    /// Where user-facing notices go (rate-limit waits, an untrusted cache, a resumed
    /// download); dropped by default.
    pub notify: crate::Notifier,
    /// Trusted certificate authorities: the OS trust store unless `SSL_CERT_FILE` /
    /// `SSL_CERT_DIR` name others (see [`crate::tls`]).
    pub trust: crate::tls::TrustRoots,
}

impl ClientConfig {
    /// Defaults for `host`: its default API URL, no credential, no cache, no proxy.
    pub fn new(host: Host) -> ClientConfig {
        ClientConfig {
            api_url: host.default_api_url(),
            host,
            credential: None,
            cache_dir: None,
            freshness: Duration::from_secs(60),
            offline: false,
            user_agent: default_user_agent(),
            retry: RetryPolicy::default(),
            timeouts: Timeouts::default(),
            proxy: None,
            notify: crate::Notifier::default(),
            trust: crate::tls::TrustRoots::default(),
        }
    }

    /// Configuration from the environment, read through `env` (a lookup such as
    /// `|k| std::env::var(k).ok()`).
    ///
    /// - API URL: for github.com, `SKILLRIG_GITHUB_API_URL` if set; then
    ///   `api_url_override` (hosts.toml's `api_url`); then the host's default.
    /// - Cache root: `SKILLRIG_CACHE_DIR`, else `$XDG_CACHE_HOME/skillrig`, else
    ///   `$HOME/.cache/skillrig`, else no cache.
    /// - Proxy: the first of `HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`, `all_proxy`, unless
    ///   the API host matches `NO_PROXY`/`no_proxy`.
    /// - Trusted CAs: `SSL_CERT_FILE` / `SSL_CERT_DIR` if set, else the OS trust store.
    ///
    /// Empty values count as unset. Validation of the URL happens in [`crate::GitHub::new`].
    pub fn from_env(
        host: Host,
        api_url_override: Option<&str>,
        credential: Option<Credential>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> ClientConfig {
        let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let env_api = (host == Host::github_com())
            .then(|| get(ENV_GITHUB_API_URL))
            .flatten();
        let api_url = env_api
            .or_else(|| api_url_override.map(str::to_owned))
            .unwrap_or_else(|| host.default_api_url());
        let cache_dir = get(ENV_CACHE_DIR)
            .map(PathBuf::from)
            .or_else(|| get(ENV_XDG_CACHE_HOME).map(|x| PathBuf::from(x).join("skillrig")))
            .or_else(|| get(ENV_HOME).map(|h| PathBuf::from(h).join(".cache").join("skillrig")));
        let api_host = crate::url::Origin::host_of(&api_url);
        let no_proxy = ENV_NO_PROXY.iter().find_map(|k| get(k));
        let proxy = ENV_PROXY.iter().find_map(|k| get(k)).filter(|_| {
            !matches!((&api_host, &no_proxy), (Some(h), Some(list)) if no_proxy_matches(list, h))
        });
        ClientConfig {
            api_url,
            credential,
            cache_dir,
            proxy,
            trust: crate::tls::TrustRoots::from_env(env),
            ..ClientConfig::new(host)
        }
    }
}

/// `skillrig-mise/<version>`.
pub fn default_user_agent() -> String {
    format!("skillrig-mise/{}", env!("CARGO_PKG_VERSION"))
}

/// Returns true if and only if `host` matches a `NO_PROXY` list: `*`, an exact name, or a
/// suffix given as `.example.com` or `example.com` (which also matches subdomains).
fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            let entry = entry.to_ascii_lowercase();
            let entry = entry.split(':').next().unwrap_or(&entry).to_owned();
            entry == "*"
                || host == entry.trim_start_matches('.')
                || host.ends_with(&format!(".{}", entry.trim_start_matches('.')))
        })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn credential_debug_is_redacted_and_identity_is_not_the_token() {
        let c = Credential::new(SecretString::from("ghp_SENTINEL_123"), "GH_TOKEN");
        let debug = format!("{c:?}");
        assert!(!debug.contains("SENTINEL"), "{debug}");
        assert!(debug.contains("GH_TOKEN"));
        let id = c.identity();
        assert_eq!(id.len(), 16);
        assert!(!id.contains("SENTINEL"));
        let other = Credential::new(SecretString::from("ghp_other"), "GH_TOKEN");
        assert_ne!(id, other.identity());
        assert_eq!(id, c.clone().identity(), "stable");
    }

    #[test]
    fn env_precedence() {
        let gh = Host::github_com();
        let cfg = ClientConfig::from_env(gh.clone(), None, None, &lookup(&[]));
        assert_eq!(cfg.api_url, "https://api.github.com");
        assert_eq!(cfg.cache_dir, None);
        assert_eq!(cfg.freshness, Duration::from_secs(60));
        assert!(cfg.user_agent.starts_with("skillrig-mise/"));

        let env = lookup(&[
            (ENV_GITHUB_API_URL, "http://127.0.0.1:9"),
            (ENV_XDG_CACHE_HOME, "/x"),
            (ENV_HOME, "/home/u"),
        ]);
        let cfg = ClientConfig::from_env(gh.clone(), Some("https://other"), None, &env);
        assert_eq!(cfg.api_url, "http://127.0.0.1:9");
        assert_eq!(cfg.cache_dir, Some(PathBuf::from("/x/skillrig")));

        let env = lookup(&[(ENV_HOME, "/home/u"), (ENV_CACHE_DIR, "/c")]);
        assert_eq!(
            ClientConfig::from_env(gh.clone(), None, None, &env).cache_dir,
            Some(PathBuf::from("/c"))
        );
        let env = lookup(&[(ENV_HOME, "/home/u"), (ENV_CACHE_DIR, "")]);
        assert_eq!(
            ClientConfig::from_env(gh, None, None, &env).cache_dir,
            Some(PathBuf::from("/home/u/.cache/skillrig"))
        );

        // The github.com variable does not apply to an Enterprise host.
        let ghes = Host::parse("ghe.example.com").unwrap();
        let env = lookup(&[(ENV_GITHUB_API_URL, "http://127.0.0.1:9")]);
        let cfg = ClientConfig::from_env(ghes.clone(), None, None, &env);
        assert_eq!(cfg.api_url, "https://ghe.example.com/api/v3");
        let cfg = ClientConfig::from_env(
            ghes,
            Some("https://ghe.example.com:8443/api/v3"),
            None,
            &env,
        );
        assert_eq!(cfg.api_url, "https://ghe.example.com:8443/api/v3");
    }

    #[test]
    fn proxy_and_no_proxy() {
        let gh = Host::github_com();
        let env = lookup(&[("https_proxy", "http://proxy:3128")]);
        assert_eq!(
            ClientConfig::from_env(gh.clone(), None, None, &env)
                .proxy
                .as_deref(),
            Some("http://proxy:3128")
        );
        for no in [
            "github.com",
            ".github.com",
            "*",
            "localhost, api.github.com",
        ] {
            let env = lookup(&[("HTTPS_PROXY", "http://proxy:3128"), ("NO_PROXY", no)]);
            assert_eq!(
                ClientConfig::from_env(gh.clone(), None, None, &env).proxy,
                None,
                "{no}"
            );
        }
        let env = lookup(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("NO_PROXY", "hub.com"),
        ]);
        assert!(ClientConfig::from_env(gh, None, None, &env).proxy.is_some());
    }
}
