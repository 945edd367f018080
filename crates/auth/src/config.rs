//! skillrig's per-host configuration, `hosts.toml`: a system-wide file for fleet defaults and
//! the user's own file over it.
//!
//! | layer | location |
//! |---|---|
//! | system | `$SKILLRIG_SYSTEM_CONFIG` if set (empty: none), else `/etc/skillrig/hosts.toml` (Linux and other Unix), `/Library/Application Support/skillrig/hosts.toml` (macOS), `%ProgramData%\skillrig\hosts.toml` (Windows) |
//! | user | `$SKILLRIG_CONFIG` if set, else `$XDG_CONFIG_HOME/skillrig/hosts.toml`, else `~/.config/skillrig/hosts.toml` |
//!
//! A missing file is an empty layer, except a file named explicitly by either variable.
//!
//! ```toml
//! [default]                       # applies to every host unless the host table overrides it
//! providers = ["env", "credential_command", "keyring", "gh"]   # order and set of providers
//! credential_command = "op read op://dev/github/token"   # github.com-class and configured hosts only
//! credential_timeout = 30         # seconds (fractions allowed); the command is killed after it
//! gh_timeout = 10                 # seconds for `gh auth token`
//! cache_ttl = 300                 # whole seconds a token from a command stays in the
//!                                 # cross-process cache; 0 disables the cache; at most 3600
//! attestations = "auto"           # "auto" | "required" | "off": what an install does about
//!                                 # GitHub attestations when neither the tool's options nor
//!                                 # its origin's metadata say (docs/security.md)
//!
//! [hosts."ghe.example.com"]       # host names are canonicalised (`api.github.com` = github.com)
//! api_url = "https://ghe.example.com/api/v3"  # REST base URL, read by the releases client
//! providers = ["env", "gh"]
//! release_signer = "https://releases.ghe.example.com"  # certificate identity GitHub signs
//!                                 # release attestations with on this host (github.com's is
//!                                 # built in)
//! ```
//!
//! **Merge.** Each setting is looked up on its own, most specific first: the user's table for
//! the host, the system's table for the host, the user's `[default]`, the system's
//! `[default]`, the built-in default. So an administrator's `[hosts."ghe.corp"]` command is not
//! overridden by a user's `[default]` command (which is meant for other hosts), while the
//! user's own `[hosts."ghe.corp"]` wins over the administrator's. [`HostConfig::origins`] says
//! which file and table set each value (`doctor` prints it).
//!
//! **Token scoping.** A `[default]` `credential_command` applies to github.com, `*.ghe.com`
//! and hosts that have a table in either file; never to an arbitrary host named in a tool
//! address (see the resolver's trust rule).
//!
//! Parsed with serde (derive) over `toml`, with spans: unknown keys and wrong types are errors
//! naming the file, the line and the dotted key, with a suggestion for a likely typo, so a
//! typo never silently disables authentication.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use origin_meta::{AttestationPolicy, Host, HostKind};
use serde::Deserialize;
use toml::Spanned;

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
/// Upper bound for the two timeouts.
const MAX_TIMEOUT_SECS: f64 = 86_400.0;

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
        vec![
            "fix the file, or point SKILLRIG_CONFIG (SKILLRIG_SYSTEM_CONFIG for the system-wide \
             file) at another one"
                .to_owned(),
        ]
    }
}

/// Which file a layer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The system-wide file (fleet defaults).
    System,
    /// The user's file.
    User,
}

impl Level {
    /// `system` or `user`.
    pub fn name(self) -> &'static str {
        match self {
            Level::System => "system",
            Level::User => "user",
        }
    }
}

/// One config file: where it is, whether it exists, and what it sets.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigFile {
    /// The file.
    pub path: PathBuf,
    /// System or user.
    pub level: Level,
    /// Returns true if and only if the file was read (false: it does not exist).
    pub present: bool,
    default: Settings,
    hosts: BTreeMap<Host, HostEntry>,
}

/// Settings that may appear in `[default]` and in each `[hosts."<host>"]` table.
#[derive(Clone, Debug, Default, PartialEq)]
struct Settings {
    providers: Option<Vec<ProviderKind>>,
    credential_command: Option<String>,
    credential_timeout: Option<Duration>,
    gh_timeout: Option<Duration>,
    cache_ttl: Option<Duration>,
    attestations: Option<AttestationPolicy>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct HostEntry {
    settings: Settings,
    api_url: Option<String>,
    release_signer: Option<String>,
}

/// The parsed configuration: zero, one or two files (possibly empty).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// Lowest precedence first: system, then user.
    files: Vec<ConfigFile>,
    /// The user file's path (present or not), for hints.
    user_path: Option<PathBuf>,
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
    /// The attestation policy for tools from this host, when a file sets one (a tool's option
    /// and its origin's metadata come first; unset means `auto`).
    pub attestations: Option<AttestationPolicy>,
    /// The identity (certificate SAN URI) GitHub signs release attestations with on this
    /// host, when a host table sets one (github.com's is built into the verifier).
    pub release_signer: Option<String>,
    /// For each setting that a file set: `(key, value, where)`, e.g.
    /// `("providers", "[\"env\", \"gh\"]", "/etc/skillrig/hosts.toml [default]")`.
    pub origins: Vec<(&'static str, String, String)>,
}

/// Raw file shape (serde derive; spans for messages).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    default: Option<RawSettings>,
    hosts: Option<BTreeMap<Spanned<String>, RawSettings>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    providers: Option<Spanned<Vec<Spanned<String>>>>,
    credential_command: Option<Spanned<String>>,
    credential_timeout: Option<Spanned<Seconds>>,
    gh_timeout: Option<Spanned<Seconds>>,
    cache_ttl: Option<Spanned<Seconds>>,
    attestations: Option<Spanned<String>>,
    api_url: Option<Spanned<String>>,
    release_signer: Option<Spanned<String>>,
}

/// A TOML integer or float, as seconds.
struct Seconds(f64);

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Seconds;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number of seconds")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Seconds, E> {
                Ok(Seconds(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Seconds, E> {
                Ok(Seconds(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Seconds, E> {
                Ok(Seconds(v))
            }
        }
        d.deserialize_any(V)
    }
}

const HOST_KEYS: &[&str] = &[
    "providers",
    "credential_command",
    "credential_timeout",
    "gh_timeout",
    "cache_ttl",
    "attestations",
    "api_url",
    "release_signer",
];
const DEFAULT_KEYS: &[&str] = &[
    "providers",
    "credential_command",
    "credential_timeout",
    "gh_timeout",
    "cache_ttl",
    "attestations",
];

impl Config {
    /// The user config file path the environment selects, and whether it was named explicitly
    /// (`SKILLRIG_CONFIG`). `None` when neither `XDG_CONFIG_HOME` nor `HOME` is usable.
    pub fn path_from_env(env: &Env) -> Option<(PathBuf, bool)> {
        if let Some(explicit) = env.var_os(vars::SKILLRIG_CONFIG).filter(|v| !v.is_empty()) {
            return Some((PathBuf::from(explicit), true));
        }
        let base = env
            .abs_path(vars::XDG_CONFIG_HOME)
            .or_else(|| env.home().map(|h| h.join(".config")))
            .or_else(|| cfg!(windows).then(|| env.abs_path(vars::APPDATA)).flatten())?;
        Some((base.join("skillrig").join("hosts.toml"), false))
    }

    /// The system-wide file the environment selects, and whether it was named explicitly
    /// (`SKILLRIG_SYSTEM_CONFIG`; set but empty turns the system file off).
    pub fn system_path_from_env(env: &Env) -> Option<(PathBuf, bool)> {
        if let Some(explicit) = env.var_os(vars::SKILLRIG_SYSTEM_CONFIG) {
            return (!explicit.is_empty()).then(|| (PathBuf::from(explicit), true));
        }
        let path = if cfg!(windows) {
            let base = env
                .abs_path(vars::PROGRAMDATA)
                .unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"));
            base.join("skillrig").join("hosts.toml")
        } else if cfg!(target_os = "macos") {
            PathBuf::from("/Library/Application Support/skillrig/hosts.toml")
        } else {
            PathBuf::from("/etc/skillrig/hosts.toml")
        };
        Some((path, false))
    }

    /// Loads the system-wide file and the user's file the environment selects. A missing file
    /// is an empty layer unless its variable named it.
    pub fn load(env: &Env) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        for (found, level) in [
            (Config::system_path_from_env(env), Level::System),
            (Config::path_from_env(env), Level::User),
        ] {
            let Some((path, explicit)) = found else {
                continue;
            };
            if level == Level::User {
                config.user_path = Some(path.clone());
            }
            let file = match std::fs::read_to_string(&path) {
                Ok(text) => parse_file(&text, &path, level)?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => ConfigFile {
                    path,
                    level,
                    present: false,
                    default: Settings::default(),
                    hosts: BTreeMap::new(),
                },
                Err(source) => return Err(ConfigError::Read { path, source }),
            };
            config.files.push(file);
        }
        Ok(config)
    }

    /// Parses `text` as the user's file at `path` (the path is only used in messages).
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        Ok(Config {
            files: vec![parse_file(text, path, Level::User)?],
            user_path: Some(path.to_owned()),
        })
    }

    /// Parses a system-wide file and a user file, merged as [`Config::load`] merges them.
    pub fn parse_layers(system: (&str, &Path), user: (&str, &Path)) -> Result<Config, ConfigError> {
        Ok(Config {
            files: vec![
                parse_file(system.0, system.1, Level::System)?,
                parse_file(user.0, user.1, Level::User)?,
            ],
            user_path: Some(user.1.to_owned()),
        })
    }

    /// The user's file this configuration was (or would have been) read from.
    pub fn path(&self) -> Option<&Path> {
        self.user_path.as_deref()
    }

    /// Every file consulted, system first.
    pub fn files(&self) -> &[ConfigFile] {
        &self.files
    }

    /// The REST API base URL configured for `host`, if any (no trailing slash).
    pub fn api_url(&self, host: &Host) -> Option<&str> {
        self.files
            .iter()
            .rev()
            .find_map(|f| f.hosts.get(host)?.api_url.as_deref())
    }

    /// Returns true if and only if `host` has its own `[hosts."<host>"]` table in either file.
    pub fn has_host(&self, host: &Host) -> bool {
        self.files.iter().any(|f| f.hosts.contains_key(host))
    }

    /// The effective settings for `host`.
    pub fn for_host(&self, host: &Host) -> HostConfig {
        // Most specific first: user host, system host, user default, system default.
        // (settings, where, is a host table, how a command from it is labelled)
        let mut layers: Vec<(&Settings, String, bool, String)> = Vec::new();
        let host_table = format!("[hosts.{}]", quote_key(host.as_str()));
        for f in self.files.iter().rev() {
            if let Some(entry) = f.hosts.get(host) {
                layers.push((
                    &entry.settings,
                    where_set(f, &host_table),
                    true,
                    label(f, &host_table),
                ));
            }
        }
        for f in self.files.iter().rev() {
            layers.push((
                &f.default,
                where_set(f, "[default]"),
                false,
                label(f, "[default]"),
            ));
        }
        // A [default] command only for github.com-class hosts and hosts with a table: a
        // command written for one GitHub must not be run for a host named in a cloned repo.
        let default_command_applies =
            host.kind() != HostKind::EnterpriseServer || self.has_host(host);
        let mut origins = Vec::new();
        let mut pick = |key: &'static str,
                        get: &dyn Fn(&Settings) -> Option<String>,
                        host_only: bool|
         -> Option<usize> {
            let i = layers
                .iter()
                .position(|(s, _, is_host, _)| (*is_host || !host_only) && get(s).is_some())?;
            origins.push((
                key,
                get(layers[i].0).unwrap_or_default(),
                layers[i].1.clone(),
            ));
            Some(i)
        };
        let secs = |d: Duration| format!("{}", d.as_secs_f64());
        let providers = pick(
            "providers",
            &|s| {
                s.providers
                    .as_ref()
                    .map(|p| format!("{p:?}").to_lowercase())
            },
            false,
        )
        .and_then(|i| layers[i].0.providers.clone())
        .unwrap_or_else(ProviderKind::platform_default_order);
        let credential_command = pick(
            "credential_command",
            &|s| s.credential_command.clone(),
            !default_command_applies,
        )
        .map(|i| CredentialCommand {
            command: layers[i].0.credential_command.clone().unwrap_or_default(),
            origin: layers[i].3.clone(),
        });
        let mut duration = |key, f: fn(&Settings) -> Option<Duration>, fallback| {
            pick(key, &|s| f(s).map(secs), false)
                .and_then(|i| f(layers[i].0))
                .unwrap_or(fallback)
        };
        let credential_timeout = duration(
            "credential_timeout",
            |s| s.credential_timeout,
            DEFAULT_CREDENTIAL_TIMEOUT,
        );
        let gh_timeout = duration("gh_timeout", |s| s.gh_timeout, DEFAULT_GH_TIMEOUT);
        let cache_ttl = duration("cache_ttl", |s| s.cache_ttl, DEFAULT_CACHE_TTL);
        let attestations = pick(
            "attestations",
            &|s| s.attestations.map(|p| p.to_string()),
            false,
        )
        .and_then(|i| layers[i].0.attestations);
        let api_url = self.files.iter().rev().find_map(|f| {
            let url = f.hosts.get(host)?.api_url.clone()?;
            let table = format!("[hosts.{}]", quote_key(host.as_str()));
            origins.push(("api_url", url.clone(), where_set(f, &table)));
            Some(url)
        });
        let release_signer = self.files.iter().rev().find_map(|f| {
            let signer = f.hosts.get(host)?.release_signer.clone()?;
            let table = format!("[hosts.{}]", quote_key(host.as_str()));
            origins.push(("release_signer", signer.clone(), where_set(f, &table)));
            Some(signer)
        });
        // The providers list prints as Rust debug output; show it as TOML instead.
        for o in &mut origins {
            if o.0 == "providers" {
                o.1 = format!(
                    "[{}]",
                    providers
                        .iter()
                        .map(|p| format!("\"{p}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        HostConfig {
            providers,
            credential_command,
            credential_timeout,
            gh_timeout,
            cache_ttl,
            api_url,
            attestations,
            release_signer,
            origins,
        }
    }
}

/// `[default] in /etc/skillrig/hosts.toml`.
fn where_set(file: &ConfigFile, table: &str) -> String {
    format!("{table} in {}", file.path.display())
}

/// How a command's origin is shown: the table for the user's file, and the file too for the
/// system-wide one (which the user did not write).
fn label(file: &ConfigFile, table: &str) -> String {
    match file.level {
        Level::User => table.to_owned(),
        Level::System => format!("{table} of the system-wide {}", file.path.display()),
    }
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

fn line_of(text: &str, span: &Range<usize>) -> usize {
    let end = span.start.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses one file into a layer.
fn parse_file(text: &str, path: &Path, level: Level) -> Result<ConfigFile, ConfigError> {
    let invalid = |span: &Range<usize>, key: &str, message: String| ConfigError::Invalid {
        path: path.to_owned(),
        line: line_of(text, span),
        key: key.to_owned(),
        message,
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| serde_error(text, path, &e))?;
    let mut file = ConfigFile {
        path: path.to_owned(),
        level,
        present: true,
        default: Settings::default(),
        hosts: BTreeMap::new(),
    };
    if let Some(raw) = raw.default {
        // Host-only keys: an API URL or a release signer belongs to one GitHub.
        for (name, span) in [
            ("api_url", raw.api_url.as_ref().map(Spanned::span)),
            (
                "release_signer",
                raw.release_signer.as_ref().map(Spanned::span),
            ),
        ] {
            if let Some(span) = span {
                return Err(invalid(
                    &span,
                    &format!("default.{name}"),
                    unknown_key_message(name, DEFAULT_KEYS),
                ));
            }
        }
        file.default = settings(raw, "default", &invalid)?.settings;
    }
    // In file order, so the first error reported is the first one in the file.
    let mut hosts: Vec<_> = raw.hosts.unwrap_or_default().into_iter().collect();
    hosts.sort_by_key(|(k, _)| k.span().start);
    for (name, raw) in hosts {
        let dotted = format!("hosts.{}", quote_key(name.get_ref()));
        let host = Host::parse(name.get_ref())
            .map_err(|e| invalid(&name.span(), &dotted, e.to_string()))?;
        let entry = settings(raw, &dotted, &invalid)?;
        if file.hosts.insert(host.clone(), entry).is_some() {
            return Err(invalid(
                &name.span(),
                &dotted,
                format!("a second table for host `{host}` (host names are canonicalised)"),
            ));
        }
    }
    Ok(file)
}

/// Validates one table's values (types were checked by serde).
fn settings(
    raw: RawSettings,
    prefix: &str,
    invalid: &dyn Fn(&Range<usize>, &str, String) -> ConfigError,
) -> Result<HostEntry, ConfigError> {
    let key = |name: &str| format!("{prefix}.{name}");
    let mut entry = HostEntry::default();
    let s = &mut entry.settings;
    if let Some(list) = raw.providers {
        let mut out = Vec::new();
        for item in list.get_ref() {
            let provider: ProviderKind =
                item.get_ref()
                    .parse()
                    .map_err(|e: crate::token::UnknownProvider| {
                        invalid(&item.span(), &key("providers"), e.to_string())
                    })?;
            if out.contains(&provider) {
                return Err(invalid(
                    &item.span(),
                    &key("providers"),
                    format!("provider `{}` is listed twice", item.get_ref()),
                ));
            }
            out.push(provider);
        }
        s.providers = Some(out);
    }
    if let Some(command) = raw.credential_command {
        if command.get_ref().trim().is_empty() {
            return Err(invalid(
                &command.span(),
                &key("credential_command"),
                "the command is empty".into(),
            ));
        }
        s.credential_command = Some(command.into_inner());
    }
    let timeout = |v: Spanned<Seconds>, name: &str| {
        let secs = v.get_ref().0;
        if secs.is_finite() && secs > 0.0 && secs <= MAX_TIMEOUT_SECS {
            Ok(Duration::from_secs_f64(secs))
        } else {
            Err(invalid(
                &v.span(),
                &key(name),
                format!("expected a number of seconds (more than 0, at most 86400), found {secs}"),
            ))
        }
    };
    if let Some(v) = raw.credential_timeout {
        s.credential_timeout = Some(timeout(v, "credential_timeout")?);
    }
    if let Some(v) = raw.gh_timeout {
        s.gh_timeout = Some(timeout(v, "gh_timeout")?);
    }
    if let Some(v) = raw.cache_ttl {
        let secs = v.get_ref().0;
        let max = MAX_CACHE_TTL.as_secs();
        if !(secs.fract() == 0.0 && (0.0..=max as f64).contains(&secs)) {
            return Err(invalid(
                &v.span(),
                &key("cache_ttl"),
                format!("expected whole seconds from 0 to {max}, found {secs}"),
            ));
        }
        s.cache_ttl = Some(Duration::from_secs(secs as u64));
    }
    if let Some(policy) = raw.attestations {
        let parsed: AttestationPolicy =
            policy
                .get_ref()
                .parse()
                .map_err(|e: origin_meta::UnknownPolicy| {
                    invalid(&policy.span(), &key("attestations"), e.to_string())
                })?;
        s.attestations = Some(parsed);
    }
    if let Some(signer) = raw.release_signer {
        let text = signer.get_ref().trim();
        if !text.starts_with("https://")
            || text.len() <= "https://".len()
            || text.contains(char::is_whitespace)
        {
            return Err(invalid(
                &signer.span(),
                &key("release_signer"),
                "expected the certificate identity URI GitHub signs release attestations with, \
                 such as `https://releases.ghe.example.com`"
                    .into(),
            ));
        }
        entry.release_signer = Some(text.to_owned());
    }
    if let Some(url) = raw.api_url {
        if !(url.get_ref().starts_with("https://") || url.get_ref().starts_with("http://")) {
            return Err(invalid(
                &url.span(),
                &key("api_url"),
                "expected an http(s) URL such as `https://ghe.example.com/api/v3`".into(),
            ));
        }
        entry.api_url = Some(url.get_ref().trim_end_matches('/').to_owned());
    }
    Ok(entry)
}

/// `unknown key; expected one of …; did you mean `…`?`
fn unknown_key_message(name: &str, allowed: &[&str]) -> String {
    let suggestion = allowed
        .iter()
        .map(|k| (strsim::damerau_levenshtein(name, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| format!("; did you mean `{k}`?"))
        .unwrap_or_default();
    format!(
        "unknown key; expected one of {}{suggestion}",
        allowed.join(", ")
    )
}

/// Turns a toml/serde error into a message with the file, line and dotted key.
fn serde_error(text: &str, path: &Path, e: &toml::de::Error) -> ConfigError {
    let span = e.span().unwrap_or(0..0);
    let line = line_of(text, &span);
    let Some(key) = key_at(text, &span) else {
        return ConfigError::Syntax {
            path: path.to_owned(),
            line,
            message: e.message().trim().to_owned(),
        };
    };
    let message = e.message().trim();
    let message = if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or("");
        if key.contains('.') {
            let allowed = if key.starts_with("hosts.") {
                HOST_KEYS
            } else {
                DEFAULT_KEYS
            };
            unknown_key_message(name, allowed)
        } else {
            let hint = unknown_key_message(name, &["default", "hosts"]);
            let suggestion = hint.split_once("; did").map(|(_, s)| format!("; did{s}"));
            format!(
                "unknown key; expected `[default]` or `[hosts.\"<host>\"]` tables{}",
                suggestion.unwrap_or_default()
            )
        }
    } else if let Some((found, expected)) = message
        .strip_prefix("invalid type: ")
        .and_then(|m| m.split_once(", expected "))
    {
        // serde says `invalid type: string "…", expected …`; the value itself is not
        // repeated (it could be a token pasted under the wrong key).
        let found = match found.split([' ', '`']).next().unwrap_or("") {
            "string" => "a string",
            "integer" => "an integer",
            "floating" => "a float",
            "boolean" => "a boolean",
            "sequence" => "an array",
            "map" => "a table",
            _ => "a value of another type",
        };
        let expected = match expected {
            "a map" | "struct RawSettings" => "a table",
            "a sequence" => "an array such as [\"env\", \"gh\"]",
            other => other,
        };
        format!("expected {expected}, found {found}")
    } else {
        message.to_owned()
    };
    ConfigError::Invalid {
        path: path.to_owned(),
        line,
        key,
        message,
    }
}

/// The dotted key whose key or value holds `span.start` (innermost), e.g.
/// `hosts."github.com".providers`; `None` for a syntax error (the text does not parse).
fn key_at(text: &str, span: &Range<usize>) -> Option<String> {
    use toml::de::{DeTable, DeValue};
    fn walk(table: &DeTable<'_>, at: usize, prefix: &str) -> Option<String> {
        for (k, v) in table.iter() {
            let dotted = if prefix.is_empty() {
                quote_key(k.get_ref())
            } else {
                format!("{prefix}.{}", quote_key(k.get_ref()))
            };
            if k.span().contains(&at) {
                return Some(dotted);
            }
            let vs = v.span();
            let inside = vs.contains(&at) || (vs.start == at && vs.is_empty());
            if let DeValue::Table(t) = v.get_ref()
                && let Some(inner) = walk(t, at, &dotted)
            {
                return Some(inner);
            }
            if inside {
                return Some(dotted);
            }
        }
        None
    }
    let doc = DeTable::parse(text).ok()?;
    walk(doc.get_ref(), span.start, "")
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
        assert_eq!(gh.providers, ProviderKind::platform_default_order());
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
    fn attestation_settings_merge_like_the_others() {
        let system = r#"
[default]
attestations = "required"

[hosts."ghe.corp.example"]
release_signer = "https://releases.ghe.corp.example"
"#;
        let user = r#"
[hosts."ghe.corp.example"]
attestations = "off"
"#;
        let config = Config::parse_layers(
            (system, Path::new("/etc/skillrig/hosts.toml")),
            (user, Path::new("/home/u/.config/skillrig/hosts.toml")),
        )
        .unwrap();
        let gh = config.for_host(&Host::github_com());
        assert_eq!(gh.attestations, Some(AttestationPolicy::Required));
        assert_eq!(gh.release_signer, None);
        assert!(gh.origins.iter().any(|o| o.0 == "attestations"
            && o.1 == "required"
            && o.2 == "[default] in /etc/skillrig/hosts.toml"));
        let ghe = config.for_host(&Host::parse("ghe.corp.example").unwrap());
        assert_eq!(ghe.attestations, Some(AttestationPolicy::Off));
        assert_eq!(
            ghe.release_signer.as_deref(),
            Some("https://releases.ghe.corp.example")
        );
        // Nothing set: `None`, and the caller's default (`auto`) applies.
        let none = parse("[default]\ngh_timeout = 3\n").unwrap();
        assert_eq!(none.for_host(&Host::github_com()).attestations, None);
    }

    #[test]
    fn attestation_settings_have_one_spelling_and_their_own_tables() {
        for (text, line, key, needle) in [
            (
                "[default]\nattestations = \"Required\"\n",
                2,
                "default.attestations",
                "`Required` is not one of `auto`, `required`, `off`",
            ),
            (
                "[hosts.\"github.com\"]\nattestations = true\n",
                2,
                "hosts.\"github.com\".attestations",
                "expected a string, found a boolean",
            ),
            (
                "[default]\nrelease_signer = \"https://x\"\n",
                2,
                "default.release_signer",
                "unknown key",
            ),
            (
                "[hosts.\"ghe.x\"]\nrelease_signer = \"releases.ghe.x\"\n",
                2,
                "hosts.\"ghe.x\".release_signer",
                "certificate identity URI",
            ),
            (
                "[default]\nattestation = \"auto\"\n",
                2,
                "default.attestation",
                "did you mean `attestations`?",
            ),
        ] {
            match parse(text) {
                Err(ConfigError::Invalid {
                    line: got_line,
                    key: got_key,
                    message,
                    ..
                }) => {
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

    #[cfg(unix)]
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

    #[test]
    fn typos_get_a_suggestion_and_ranges_name_their_real_limit() {
        for (text, key, needle) in [
            (
                "[hosts.\"github.com\"]\ncredential_comand = \"x\"\n",
                "hosts.\"github.com\".credential_comand",
                "did you mean `credential_command`?",
            ),
            ("[defualt]\n", "defualt", "did you mean `default`?"),
            (
                "[default]\ncache_ttl = 100000\n",
                "default.cache_ttl",
                "from 0 to 3600",
            ),
            (
                "[default]\ncache_ttl = 1.5\n",
                "default.cache_ttl",
                "from 0 to 3600",
            ),
            (
                "[default]\ngh_timeout = 0\n",
                "default.gh_timeout",
                "more than 0, at most 86400",
            ),
        ] {
            match parse(text) {
                Err(ConfigError::Invalid {
                    key: k, message, ..
                }) => {
                    assert_eq!(k, key, "{text}");
                    assert!(
                        message.contains(needle),
                        "{message} should contain {needle}"
                    );
                    // One prefix, no doubled key in the message.
                    assert!(!message.contains(&k), "{message}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn system_file_merges_under_the_users_and_says_who_set_what() {
        let system = r#"
[default]
providers = ["env", "gh"]
credential_command = "fleet-vault token"
gh_timeout = 5

[hosts."ghe.corp.example"]
api_url = "https://ghe.corp.example/api/v3"
credential_command = "corp-vault ghe"
cache_ttl = 60
"#;
        let user = r#"
[default]
credential_command = "op read op://me/github"

[hosts."ghe.corp.example"]
cache_ttl = 30
"#;
        let config = Config::parse_layers(
            (system, Path::new("/etc/skillrig/hosts.toml")),
            (user, Path::new("/home/u/.config/skillrig/hosts.toml")),
        )
        .unwrap();
        // github.com: the user's [default] command beats the system's; the rest falls through.
        let gh = config.for_host(&Host::github_com());
        assert_eq!(
            gh.credential_command.as_ref().unwrap().command,
            "op read op://me/github"
        );
        assert_eq!(gh.credential_command.unwrap().origin, "[default]");
        assert_eq!(gh.providers, vec![ProviderKind::Env, ProviderKind::Gh]);
        assert_eq!(gh.gh_timeout, Duration::from_secs(5));
        assert_eq!(gh.cache_ttl, DEFAULT_CACHE_TTL);
        // The fleet's host table beats the user's [default]; the user's host table beats both.
        let ghe = Host::parse("ghe.corp.example").unwrap();
        let c = config.for_host(&ghe);
        let cmd = c.credential_command.unwrap();
        assert_eq!(cmd.command, "corp-vault ghe");
        assert_eq!(
            cmd.origin,
            "[hosts.\"ghe.corp.example\"] of the system-wide /etc/skillrig/hosts.toml"
        );
        assert_eq!(c.cache_ttl, Duration::from_secs(30));
        assert_eq!(
            config.api_url(&ghe),
            Some("https://ghe.corp.example/api/v3")
        );
        let from = |key: &str| {
            c.origins
                .iter()
                .find(|o| o.0 == key)
                .map(|o| (o.1.as_str(), o.2.as_str()))
        };
        assert_eq!(
            from("cache_ttl"),
            Some((
                "30",
                "[hosts.\"ghe.corp.example\"] in /home/u/.config/skillrig/hosts.toml"
            ))
        );
        assert_eq!(
            from("providers"),
            Some(("[\"env\", \"gh\"]", "[default] in /etc/skillrig/hosts.toml"))
        );
        assert_eq!(
            from("api_url").map(|o| o.1),
            Some("[hosts.\"ghe.corp.example\"] in /etc/skillrig/hosts.toml")
        );
        assert_eq!(
            from("credential_timeout"),
            None,
            "built-in defaults are not listed"
        );
        assert!(config.has_host(&ghe));
        assert_eq!(config.files().len(), 2);
        assert_eq!(
            config.path(),
            Some(Path::new("/home/u/.config/skillrig/hosts.toml"))
        );
    }

    #[test]
    fn system_file_location_and_loading() {
        let dir = tempfile::tempdir().unwrap();
        let system = dir.path().join("system.toml");
        std::fs::write(
            &system,
            "[hosts.\"ghe.fleet.example\"]\nproviders = [\"gh\"]\n",
        )
        .unwrap();
        let env = Env::from_vars([
            ("HOME", dir.path().as_os_str()),
            ("SKILLRIG_SYSTEM_CONFIG", system.as_os_str()),
        ]);
        let config = Config::load(&env).unwrap();
        let fleet = Host::parse("ghe.fleet.example").unwrap();
        assert_eq!(config.for_host(&fleet).providers, vec![ProviderKind::Gh]);
        assert_eq!(config.files()[0].level, Level::System);
        assert!(!config.files()[1].present);
        // Set but empty: no system file. Unset: the platform's path.
        let env = Env::from_vars([
            ("HOME", dir.path().as_os_str()),
            ("SKILLRIG_SYSTEM_CONFIG", "".as_ref()),
        ]);
        assert_eq!(Config::system_path_from_env(&env), None);
        let (path, explicit) =
            Config::system_path_from_env(&Env::from_vars([("HOME", "/h")])).unwrap();
        assert!(!explicit);
        if cfg!(target_os = "linux") {
            assert_eq!(path, Path::new("/etc/skillrig/hosts.toml"));
        }
        // A broken system file is an error naming it.
        std::fs::write(&system, "[default]\nproviderz = []\n").unwrap();
        let env = Env::from_vars([
            ("HOME", dir.path().as_os_str()),
            ("SKILLRIG_SYSTEM_CONFIG", system.as_os_str()),
        ]);
        let err = Config::load(&env).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("{}:2: `default.providerz`", system.display())),
            "{err}"
        );
    }
}
