//! skillrig's per-host configuration file, `hosts.toml`.
//!
//! Location: `$SKILLRIG_CONFIG` if set, else `$XDG_CONFIG_HOME/skillrig/hosts.toml`, else
//! `~/.config/skillrig/hosts.toml`. A missing file is an empty configuration, except when
//! `SKILLRIG_CONFIG` names it explicitly.
//!
//! ```toml
//! [default]                       # applies to every host unless the host table overrides it
//! providers = ["env", "credential_command", "keyring", "gh"]   # order and set of providers
//! credential_command = "op read op://dev/github/token"
//! credential_timeout = 30         # seconds (fractions allowed); the command is killed after it
//! gh_timeout = 10                 # seconds for `gh auth token`
//! cache_ttl = 300                 # seconds a token from a command stays in the cross-process
//!                                 # cache; 0 disables the cache; at most 3600
//!
//! [hosts."ghe.example.com"]       # host names are canonicalised (`api.github.com` = github.com)
//! api_url = "https://ghe.example.com/api/v3"  # REST base URL, read by the releases client
//! providers = ["env", "gh"]
//! ```
//!
//! Unknown keys and wrong types are errors naming the file, the line and the key, so a typo
//! never silently disables authentication.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use origin_meta::Host;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::env::{Env, vars};
use crate::token::ProviderKind;

/// Default time a `credential_command` may run before it is killed.
pub const DEFAULT_CREDENTIAL_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time `gh auth token` may run before it is killed.
pub const DEFAULT_GH_TIMEOUT: Duration = Duration::from_secs(10);
/// Default lifetime of a cross-process cache entry.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(300);
/// Upper bound for `cache_ttl`: the cache is for a burst of parallel installs, not a session.
pub const MAX_CACHE_TTL: Duration = Duration::from_secs(3600);

/// Why `hosts.toml` could not be used. Each message names the file; parse errors also give the
/// line and key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists (or was named by `SKILLRIG_CONFIG`) but could not be read.
    #[error("cannot read skillrig config `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{}:{line}: invalid TOML: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// The parser's description.
        message: String,
    },
    /// A key is unknown or has a value of the wrong type or range.
    #[error("{}:{line}: `{key}`: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line of the key or value.
        line: usize,
        /// Dotted key path, e.g. `hosts."github.com".providers`.
        key: String,
        /// What is wrong and what is expected.
        message: String,
    },
}

impl hint::Hint for ConfigError {
    fn hints(&self) -> Vec<String> {
        vec!["fix the file, or point SKILLRIG_CONFIG at another one".to_owned()]
    }
}

/// Settings that may appear in `[default]` and in each `[hosts."<host>"]` table.
#[derive(Clone, Debug, Default, PartialEq)]
struct Settings {
    providers: Option<Vec<ProviderKind>>,
    credential_command: Option<String>,
    credential_timeout: Option<Duration>,
    gh_timeout: Option<Duration>,
    cache_ttl: Option<Duration>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct HostEntry {
    settings: Settings,
    api_url: Option<String>,
}

/// The parsed configuration (possibly empty).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    path: Option<PathBuf>,
    default: Settings,
    hosts: BTreeMap<Host, HostEntry>,
}

/// A configured `credential_command` and the table it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialCommand {
    /// The shell command line (run with `sh -c`).
    pub command: String,
    /// Where it was set, e.g. `[hosts."github.com"]` or `[default]`, for reports.
    pub origin: String,
}

/// Effective settings for one host: the host table, then `[default]`, then built-in defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct HostConfig {
    /// Providers in the order they are tried.
    pub providers: Vec<ProviderKind>,
    /// The command for the `credential_command` provider, if any.
    pub credential_command: Option<CredentialCommand>,
    /// Time limit for the credential command.
    pub credential_timeout: Duration,
    /// Time limit for `gh auth token`.
    pub gh_timeout: Duration,
    /// Lifetime of cross-process cache entries; zero disables the cache.
    pub cache_ttl: Duration,
    /// REST API base URL override (no trailing slash).
    pub api_url: Option<String>,
}

impl Config {
    /// The config file path the environment selects, and whether it was named explicitly
    /// (`SKILLRIG_CONFIG`). `None` when neither `XDG_CONFIG_HOME` nor `HOME` is usable.
    pub fn path_from_env(env: &Env) -> Option<(PathBuf, bool)> {
        if let Some(explicit) = env.var_os(vars::SKILLRIG_CONFIG).filter(|v| !v.is_empty()) {
            return Some((PathBuf::from(explicit), true));
        }
        let base = env
            .abs_path(vars::XDG_CONFIG_HOME)
            .or_else(|| env.home().map(|h| h.join(".config")))?;
        Some((base.join("skillrig").join("hosts.toml"), false))
    }

    /// Loads the file the environment selects. A missing file gives an empty configuration
    /// unless `SKILLRIG_CONFIG` named it.
    pub fn load(env: &Env) -> Result<Config, ConfigError> {
        let Some((path, explicit)) = Config::path_from_env(env) else {
            return Ok(Config::default());
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Ok(Config {
                path: Some(path),
                ..Config::default()
            }),
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }

    /// Parses `text` as the contents of `path` (the path is only used in messages).
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let p = Parser { text, path };
        let doc = DeTable::parse(text).map_err(|e| ConfigError::Syntax {
            path: path.to_owned(),
            line: e.span().map_or(1, |s| p.line(&s)),
            message: e.message().trim().to_owned(),
        })?;
        let mut config = Config {
            path: Some(path.to_owned()),
            ..Config::default()
        };
        for (key, value) in in_file_order(doc.get_ref()) {
            match key.get_ref().as_ref() {
                "default" => {
                    let table = p.table(value, "default")?;
                    config.default = p.settings(table, "default", false)?.settings;
                }
                "hosts" => {
                    let hosts = p.table(value, "hosts")?;
                    for (host_key, host_value) in in_file_order(hosts) {
                        let name = host_key.get_ref().as_ref();
                        let dotted = format!("hosts.{}", quote_key(name));
                        let host = Host::parse(name)
                            .map_err(|e| p.invalid(&host_key.span(), &dotted, e.to_string()))?;
                        let table = p.table(host_value, &dotted)?;
                        let entry = p.settings(table, &dotted, true)?;
                        if config.hosts.insert(host.clone(), entry).is_some() {
                            return Err(p.invalid(
                                &host_key.span(),
                                &dotted,
                                format!("a second table for host `{host}` (host names are canonicalised)"),
                            ));
                        }
                    }
                }
                other => {
                    return Err(p.invalid(
                        &key.span(),
                        other,
                        "unknown key; expected `[default]` or `[hosts.\"<host>\"]` tables".into(),
                    ));
                }
            }
        }
        Ok(config)
    }

    /// The file this configuration was (or would have been) read from.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The REST API base URL configured for `host`, if any (no trailing slash).
    pub fn api_url(&self, host: &Host) -> Option<&str> {
        self.hosts.get(host)?.api_url.as_deref()
    }

    /// Returns true if and only if `host` has its own `[hosts."<host>"]` table.
    pub fn has_host(&self, host: &Host) -> bool {
        self.hosts.contains_key(host)
    }

    /// The effective settings for `host`.
    pub fn for_host(&self, host: &Host) -> HostConfig {
        let entry = self.hosts.get(host);
        let own = entry.map(|e| &e.settings);
        let pick = |f: fn(&Settings) -> Option<Duration>, fallback| {
            own.and_then(f)
                .or_else(|| f(&self.default))
                .unwrap_or(fallback)
        };
        let credential_command = own
            .and_then(|s| s.credential_command.clone())
            .map(|command| CredentialCommand {
                command,
                origin: format!("[hosts.{}]", quote_key(host.as_str())),
            })
            .or_else(|| {
                self.default
                    .credential_command
                    .clone()
                    .map(|command| CredentialCommand {
                        command,
                        origin: "[default]".to_owned(),
                    })
            });
        HostConfig {
            providers: own
                .and_then(|s| s.providers.clone())
                .or_else(|| self.default.providers.clone())
                .unwrap_or_else(|| ProviderKind::DEFAULT_ORDER.to_vec()),
            credential_command,
            credential_timeout: pick(|s| s.credential_timeout, DEFAULT_CREDENTIAL_TIMEOUT),
            gh_timeout: pick(|s| s.gh_timeout, DEFAULT_GH_TIMEOUT),
            cache_ttl: pick(|s| s.cache_ttl, DEFAULT_CACHE_TTL),
            api_url: entry.and_then(|e| e.api_url.clone()),
        }
    }
}

/// A table's entries in the order they appear in the file (the map itself is sorted by key),
/// so the first error reported is the first one in the file.
fn in_file_order<'t, 'i>(
    table: &'t DeTable<'i>,
) -> Vec<(&'t Spanned<toml::de::DeString<'i>>, &'t Value<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

fn quote_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        key.to_owned()
    } else {
        format!("\"{key}\"")
    }
}

struct Parser<'a> {
    text: &'a str,
    path: &'a Path,
}

type Value<'i> = Spanned<DeValue<'i>>;

impl Parser<'_> {
    fn line(&self, span: &Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn invalid(&self, span: &Range<usize>, key: &str, message: String) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.to_owned(),
            line: self.line(span),
            key: key.to_owned(),
            message,
        }
    }

    fn table<'v, 'i>(
        &self,
        value: &'v Value<'i>,
        key: &str,
    ) -> Result<&'v DeTable<'i>, ConfigError> {
        match value.get_ref() {
            DeValue::Table(t) => Ok(t),
            other => Err(self.invalid(
                &value.span(),
                key,
                format!("expected a table, found {}", type_name(other)),
            )),
        }
    }

    fn settings(
        &self,
        table: &DeTable<'_>,
        prefix: &str,
        is_host: bool,
    ) -> Result<HostEntry, ConfigError> {
        let mut entry = HostEntry::default();
        for (key, value) in in_file_order(table) {
            let name = key.get_ref().as_ref();
            let dotted = format!("{prefix}.{}", quote_key(name));
            let s = &mut entry.settings;
            match name {
                "providers" => s.providers = Some(self.providers(value, &dotted)?),
                "credential_command" => {
                    let command = self.string(value, &dotted)?;
                    if command.trim().is_empty() {
                        return Err(self.invalid(
                            &value.span(),
                            &dotted,
                            "the command is empty".into(),
                        ));
                    }
                    s.credential_command = Some(command);
                }
                "credential_timeout" => {
                    s.credential_timeout = Some(self.seconds(value, &dotted, false)?)
                }
                "gh_timeout" => s.gh_timeout = Some(self.seconds(value, &dotted, false)?),
                "cache_ttl" => {
                    let ttl = self.seconds(value, &dotted, true)?;
                    if ttl > MAX_CACHE_TTL || ttl.subsec_nanos() != 0 {
                        return Err(self.invalid(
                            &value.span(),
                            &dotted,
                            format!(
                                "expected whole seconds from 0 to {}",
                                MAX_CACHE_TTL.as_secs()
                            ),
                        ));
                    }
                    s.cache_ttl = Some(ttl);
                }
                "api_url" if is_host => {
                    let url = self.string(value, &dotted)?;
                    if !(url.starts_with("https://") || url.starts_with("http://")) {
                        return Err(self.invalid(
                            &value.span(),
                            &dotted,
                            "expected an http(s) URL such as `https://ghe.example.com/api/v3`"
                                .into(),
                        ));
                    }
                    entry.api_url = Some(url.trim_end_matches('/').to_owned());
                }
                _ => {
                    let allowed = if is_host {
                        "providers, credential_command, credential_timeout, gh_timeout, cache_ttl, api_url"
                    } else {
                        "providers, credential_command, credential_timeout, gh_timeout, cache_ttl"
                    };
                    return Err(self.invalid(
                        &key.span(),
                        &dotted,
                        format!("unknown key; expected one of {allowed}"),
                    ));
                }
            }
        }
        Ok(entry)
    }

    fn string(&self, value: &Value<'_>, key: &str) -> Result<String, ConfigError> {
        match value.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            other => Err(self.invalid(
                &value.span(),
                key,
                format!("expected a string, found {}", type_name(other)),
            )),
        }
    }

    fn providers(&self, value: &Value<'_>, key: &str) -> Result<Vec<ProviderKind>, ConfigError> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.invalid(
                &value.span(),
                key,
                format!(
                    "expected an array such as [\"env\", \"gh\"], found {}",
                    type_name(value.get_ref())
                ),
            ));
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let name = self.string(item, key)?;
            let provider: ProviderKind =
                name.parse().map_err(|e: crate::token::UnknownProvider| {
                    self.invalid(&item.span(), key, e.to_string())
                })?;
            if out.contains(&provider) {
                return Err(self.invalid(
                    &item.span(),
                    key,
                    format!("provider `{name}` is listed twice"),
                ));
            }
            out.push(provider);
        }
        Ok(out)
    }

    fn seconds(
        &self,
        value: &Value<'_>,
        key: &str,
        zero_ok: bool,
    ) -> Result<Duration, ConfigError> {
        let secs = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            _ => None,
        };
        match secs {
            Some(s) if s.is_finite() && (s > 0.0 || (zero_ok && s == 0.0)) && s <= 86_400.0 => {
                Ok(Duration::from_secs_f64(s))
            }
            _ => Err(self.invalid(
                &value.span(),
                key,
                format!(
                    "expected a number of seconds ({} to 86400), found {}",
                    if zero_ok { "0" } else { "more than 0" },
                    value_text(value.get_ref())
                ),
            )),
        }
    }
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn value_text(value: &DeValue<'_>) -> String {
    match value {
        DeValue::Integer(i) => i.to_string(),
        DeValue::Float(f) => f.to_string(),
        other => type_name(other).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/cfg/hosts.toml"))
    }

    #[test]
    fn example_from_the_issue() {
        let config = parse(
            r#"
[hosts."github.com"]
credential_command = "op read op://dev/github/token"
[hosts."ghe.example.com"]
api_url = "https://ghe.example.com/api/v3/"
providers = ["env", "credential_command", "keyring", "gh"]
"#,
        )
        .unwrap();
        let gh = config.for_host(&Host::github_com());
        assert_eq!(gh.providers, ProviderKind::DEFAULT_ORDER.to_vec());
        let cmd = gh.credential_command.unwrap();
        assert_eq!(cmd.command, "op read op://dev/github/token");
        assert_eq!(cmd.origin, "[hosts.\"github.com\"]");
        assert_eq!(gh.api_url, None);
        let ghe = Host::parse("ghe.example.com").unwrap();
        assert_eq!(config.api_url(&ghe), Some("https://ghe.example.com/api/v3"));
        assert_eq!(config.for_host(&ghe).credential_command, None);
        assert_eq!(config.for_host(&ghe).cache_ttl, DEFAULT_CACHE_TTL);
    }

    #[test]
    fn host_overrides_default_and_keys_are_canonical() {
        let config = parse(
            r#"
[default]
providers = ["gh"]
credential_command = "pass github"
credential_timeout = 0.5
cache_ttl = 0

[hosts."API.GitHub.com"]
providers = ["env", "keyring"]
gh_timeout = 3
"#,
        )
        .unwrap();
        let gh = config.for_host(&Host::github_com());
        assert_eq!(gh.providers, vec![ProviderKind::Env, ProviderKind::Keyring]);
        assert_eq!(gh.credential_command.unwrap().origin, "[default]");
        assert_eq!(gh.credential_timeout, Duration::from_millis(500));
        assert_eq!(gh.gh_timeout, Duration::from_secs(3));
        assert_eq!(gh.cache_ttl, Duration::ZERO);
        let other = config.for_host(&Host::parse("ghe.corp").unwrap());
        assert_eq!(other.providers, vec![ProviderKind::Gh]);
        assert_eq!(other.gh_timeout, DEFAULT_GH_TIMEOUT);
    }

    #[test]
    fn errors_name_file_line_and_key() {
        for (text, line, key, needle) in [
            (
                "[hosts.\"github.com\"]\nproviders = [\"env\", \"keychain\"]\n",
                2,
                "hosts.\"github.com\".providers",
                "unknown provider `keychain`",
            ),
            (
                "[default]\n\ncredential_timeout = \"30s\"\n",
                3,
                "default.credential_timeout",
                "expected a number of seconds",
            ),
            (
                "[default]\napi_url = \"https://x\"\n",
                2,
                "default.api_url",
                "unknown key",
            ),
            (
                "[hosts.\"github.com\"]\ncredential_comand = \"x\"\n",
                2,
                "hosts.\"github.com\".credential_comand",
                "unknown key",
            ),
            (
                "[hosts.\"github.com\"]\n[hosts.\"api.github.com\"]\n",
                2,
                "hosts.\"api.github.com\"",
                "second table",
            ),
            (
                "[hosts.\"https://x\"]\n",
                1,
                "hosts.\"https://x\"",
                "invalid GitHub host",
            ),
            (
                "credential_command = \"x\"\n",
                1,
                "credential_command",
                "unknown key",
            ),
            (
                "[default]\nproviders = [\"gh\", \"gh\"]\n",
                2,
                "default.providers",
                "listed twice",
            ),
            (
                "[default]\ncache_ttl = 7200\n",
                2,
                "default.cache_ttl",
                "0 to 3600",
            ),
            (
                "[default]\ncredential_command = \"  \"\n",
                2,
                "default.credential_command",
                "empty",
            ),
            ("hosts = 3\n", 1, "hosts", "expected a table"),
            (
                "[hosts.\"x.example\"]\napi_url = \"ftp://x\"\n",
                2,
                "hosts.\"x.example\".api_url",
                "http(s) URL",
            ),
        ] {
            match parse(text) {
                Err(ConfigError::Invalid {
                    path,
                    line: got_line,
                    key: got_key,
                    message,
                }) => {
                    assert_eq!(path, Path::new("/cfg/hosts.toml"));
                    assert_eq!((got_line, got_key.as_str()), (line, key), "{text}");
                    assert!(
                        message.contains(needle),
                        "{message} should contain {needle}"
                    );
                }
                other => panic!("{text}: expected Invalid, got {other:?}"),
            }
        }
    }

    #[test]
    fn syntax_error_has_line() {
        let err = parse("[default]\nproviders = [\"env\"\n").unwrap_err();
        let ConfigError::Syntax { line, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(*line >= 2, "{err}");
        assert!(err.to_string().starts_with("/cfg/hosts.toml:"), "{err}");
    }

    #[test]
    fn location_from_env() {
        let env = Env::from_vars([("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")]);
        assert_eq!(
            Config::path_from_env(&env),
            Some((PathBuf::from("/x/skillrig/hosts.toml"), false))
        );
        let env = Env::from_vars([("HOME", "/h")]);
        assert_eq!(
            Config::path_from_env(&env),
            Some((PathBuf::from("/h/.config/skillrig/hosts.toml"), false))
        );
        let env = Env::from_vars([("HOME", "/h"), ("SKILLRIG_CONFIG", "/etc/s.toml")]);
        assert_eq!(
            Config::path_from_env(&env),
            Some((PathBuf::from("/etc/s.toml"), true))
        );
    }

    #[test]
    fn missing_file_is_empty_unless_explicit() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_vars([("HOME", dir.path())]);
        let config = Config::load(&env).unwrap();
        assert_eq!(config.for_host(&Host::github_com()).providers.len(), 4);
        let env = Env::from_vars([("SKILLRIG_CONFIG", dir.path().join("nope.toml"))]);
        let err = Config::load(&env).unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }), "{err:?}");
        assert!(err.to_string().contains("nope.toml"));
    }
}
