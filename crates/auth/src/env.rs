//! Environment access through an injectable lookup.
//!
//! The resolver never calls `std::env::var` directly: it asks an [`Env`]. Production code uses
//! [`Env::process`]; tests build an [`Env::from_vars`] map, so they control every variable the
//! resolver sees (tokens, `HOME`, `PATH`, the D-Bus address) without mutating the process-wide
//! environment, which would race with other tests running in parallel.
//!
//! The same rule applies to children: a command started by the resolver (`credential_command`,
//! `gh`) inherits the process environment for [`Env::process`], and exactly the map's variables
//! for an injected [`Env`], so the environment a test describes is the one its children see.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

/// Names of every environment variable the `auth` crate reads or sets, in one place.
pub mod vars {
    /// mise's own token variable; applies to github.com and `*.ghe.com` (mise parity).
    pub const MISE_GITHUB_TOKEN: &str = "MISE_GITHUB_TOKEN";
    /// Alternative github.com token variable honoured by mise.
    pub const GITHUB_API_TOKEN: &str = "GITHUB_API_TOKEN";
    /// The common github.com token variable (also set by GitHub Actions).
    pub const GITHUB_TOKEN: &str = "GITHUB_TOKEN";
    /// gh's github.com token variable.
    pub const GH_TOKEN: &str = "GH_TOKEN";
    /// mise's token variable for GitHub Enterprise Server hosts.
    pub const MISE_GITHUB_ENTERPRISE_TOKEN: &str = "MISE_GITHUB_ENTERPRISE_TOKEN";
    /// gh's token variable for GitHub Enterprise Server hosts.
    pub const GH_ENTERPRISE_TOKEN: &str = "GH_ENTERPRISE_TOKEN";
    /// Alternative GitHub Enterprise Server token variable honoured by gh.
    pub const GITHUB_ENTERPRISE_TOKEN: &str = "GITHUB_ENTERPRISE_TOKEN";

    /// Overrides the path of skillrig's `hosts.toml`.
    pub const SKILLRIG_CONFIG: &str = "SKILLRIG_CONFIG";
    /// Overrides the path of the system-wide `hosts.toml` (empty: no system-wide file).
    pub const SKILLRIG_SYSTEM_CONFIG: &str = "SKILLRIG_SYSTEM_CONFIG";
    /// Comma-separated hosts (beyond github.com, `*.ghe.com`, configured hosts and gh's
    /// logins) that may be sent a token, e.g. a CI runner's Enterprise Server.
    pub const SKILLRIG_TRUSTED_HOSTS: &str = "SKILLRIG_TRUSTED_HOSTS";
    /// Windows: machine-wide application data (the system-wide `hosts.toml`).
    pub const PROGRAMDATA: &str = "ProgramData";
    /// Set for a `credential_command`: the host a token is wanted for.
    pub const SKILLRIG_CREDENTIAL_HOST: &str = "SKILLRIG_CREDENTIAL_HOST";
    /// Set for a `credential_command` as well, so commands written for mise work unchanged.
    pub const MISE_CREDENTIAL_HOST: &str = "MISE_CREDENTIAL_HOST";
    /// Set to `0` for children so git never prompts on a terminal.
    pub const GIT_TERMINAL_PROMPT: &str = "GIT_TERMINAL_PROMPT";

    /// gh's configuration directory override (where `hosts.yml` lives).
    pub const GH_CONFIG_DIR: &str = "GH_CONFIG_DIR";
    /// Path of the gh binary to use (go-gh parity); otherwise `gh` is looked up on `PATH`.
    pub const GH_PATH: &str = "GH_PATH";
    /// gh's default host; removed from gh's environment because we always pass `--hostname`.
    pub const GH_HOST: &str = "GH_HOST";
    /// Set to `1` for gh so it never prompts.
    pub const GH_PROMPT_DISABLED: &str = "GH_PROMPT_DISABLED";
    /// Set to `1` for gh so it never checks for updates.
    pub const GH_NO_UPDATE_NOTIFIER: &str = "GH_NO_UPDATE_NOTIFIER";

    /// The D-Bus session bus address (Secret Service lookups).
    pub const DBUS_SESSION_BUS_ADDRESS: &str = "DBUS_SESSION_BUS_ADDRESS";
    /// Per-user runtime directory: default session bus socket and our lock files.
    pub const XDG_RUNTIME_DIR: &str = "XDG_RUNTIME_DIR";
    /// Per-user configuration directory.
    pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";
    /// Per-user cache directory (lock files when there is no runtime directory).
    pub const XDG_CACHE_HOME: &str = "XDG_CACHE_HOME";
    /// The user's home directory.
    pub const HOME: &str = "HOME";
    /// Executable search path (for `gh`).
    pub const PATH: &str = "PATH";
    /// Windows: per-user local application data (our lock files when there is no cache dir).
    pub const LOCALAPPDATA: &str = "LOCALAPPDATA";
    /// Windows: where gh keeps its configuration when `GH_CONFIG_DIR`/`XDG_CONFIG_HOME` are unset.
    pub const APPDATA: &str = "AppData";
}

/// Where the resolver reads environment variables from.
///
/// Cheap to clone (the injected map is shared).
#[derive(Clone, Debug)]
pub struct Env {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    Process,
    Map(Arc<BTreeMap<String, OsString>>),
}

// Values may hold tokens: Debug shows names only.
impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Inner::Process => f.write_str("Process"),
            Inner::Map(map) => f.debug_set().entries(map.keys()).finish(),
        }
    }
}

impl Env {
    /// The real process environment; children inherit it.
    pub fn process() -> Env {
        Env {
            inner: Inner::Process,
        }
    }

    /// An explicit set of variables (tests); nothing else is visible, to the resolver or to the
    /// commands it starts.
    pub fn from_vars<I, K, V>(vars: I) -> Env
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<OsString>,
    {
        Env {
            inner: Inner::Map(Arc::new(
                vars.into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            )),
        }
    }

    /// The raw value of `name`, if set.
    pub fn var_os(&self, name: &str) -> Option<OsString> {
        match &self.inner {
            Inner::Process => std::env::var_os(name),
            Inner::Map(map) => map.get(name).cloned(),
        }
    }

    /// The value of `name` if it is set and valid UTF-8.
    pub fn var(&self, name: &str) -> Option<String> {
        self.var_os(name).and_then(|v| v.into_string().ok())
    }

    /// The value of `name` if set, non-empty, and an absolute path (XDG rule: relative values
    /// are ignored).
    pub(crate) fn abs_path(&self, name: &str) -> Option<PathBuf> {
        let value = self.var_os(name)?;
        let path = PathBuf::from(value);
        path.is_absolute().then_some(path)
    }

    /// `$HOME`, if set to an absolute path.
    pub(crate) fn home(&self) -> Option<PathBuf> {
        self.abs_path(vars::HOME)
    }

    /// Makes `cmd` see this environment: nothing to do for the process environment; an
    /// injected map replaces the child's environment entirely.
    pub(crate) fn apply_to(&self, cmd: &mut Command) {
        if let Inner::Map(map) = &self.inner {
            cmd.env_clear();
            cmd.envs(map.iter());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injected_env_is_isolated_and_debug_hides_values() {
        let env = Env::from_vars([("GH_TOKEN", "ghp_secretvalue"), ("HOME", "/home/x")]);
        assert_eq!(env.var("GH_TOKEN").as_deref(), Some("ghp_secretvalue"));
        assert_eq!(env.var("PATH"), None, "the process PATH must not leak in");
        assert_eq!(env.home(), Some(PathBuf::from("/home/x")));
        let debug = format!("{env:?}");
        assert!(debug.contains("GH_TOKEN"));
        assert!(!debug.contains("secretvalue"), "{debug}");
    }

    #[test]
    fn relative_xdg_paths_are_ignored() {
        let env = Env::from_vars([("XDG_CONFIG_HOME", "relative/dir")]);
        assert_eq!(env.abs_path("XDG_CONFIG_HOME"), None);
    }
}
