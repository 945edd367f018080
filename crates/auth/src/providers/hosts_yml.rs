//! gh's `hosts.yml`: the active login per host, and the token when gh stores it in plaintext.
//!
//! Location (go-gh `ConfigDir`): `$GH_CONFIG_DIR`, else `$XDG_CONFIG_HOME/gh`, else
//! `%AppData%\GitHub CLI` on Windows, else `~/.config/gh` (also on macOS). The top level maps
//! host → `{user, oauth_token, users}`; `oauth_token` is present only with plaintext storage
//! (`--insecure-storage`, or gh's silent fallback when no keyring was writable).

use std::collections::BTreeMap;
use std::path::PathBuf;

use origin_meta::Host;
use secrecy::SecretString;
use serde::Deserialize;

use crate::env::{Env, vars};

/// What gh knows about one host.
#[derive(Debug, Default)]
pub(crate) struct GhHost {
    /// The active login (`user:`), which names the per-login keyring item.
    pub(crate) user: Option<String>,
    /// The plaintext token, if gh stored one.
    pub(crate) oauth_token: Option<SecretString>,
}

/// A parsed `hosts.yml`.
#[derive(Debug)]
pub(crate) struct GhHosts {
    pub(crate) path: PathBuf,
    pub(crate) hosts: BTreeMap<Host, GhHost>,
}

#[derive(Deserialize)]
struct RawHost {
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    oauth_token: Option<String>,
}

/// gh's configuration directory as gh computes it.
pub(crate) fn config_dir(env: &Env) -> Option<PathBuf> {
    if let Some(dir) = env.var_os(vars::GH_CONFIG_DIR).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    if let Some(xdg) = env.abs_path(vars::XDG_CONFIG_HOME) {
        return Some(xdg.join("gh"));
    }
    if cfg!(windows)
        && let Some(appdata) = env.var_os(vars::APPDATA).filter(|v| !v.is_empty())
    {
        return Some(PathBuf::from(appdata).join("GitHub CLI"));
    }
    env.home().map(|h| h.join(".config").join("gh"))
}

/// Reads `hosts.yml`. `Ok(None)` when there is no file (gh never logged in).
pub(crate) fn load(env: &Env) -> Result<Option<GhHosts>, (PathBuf, String)> {
    let Some(dir) = config_dir(env) else {
        return Ok(None);
    };
    let path = dir.join("hosts.yml");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err((path, e.to_string())),
    };
    match parse(&text) {
        Ok(hosts) => Ok(Some(GhHosts { path, hosts })),
        Err(message) => Err((path, message)),
    }
}

fn parse(text: &str) -> Result<BTreeMap<Host, GhHost>, String> {
    if text.trim().is_empty() {
        return Ok(BTreeMap::new());
    }
    // An entry may be null (`github.com:` with nothing under it) or carry keys we ignore.
    let raw: Option<BTreeMap<String, Option<RawHost>>> =
        serde_norway::from_str(text).map_err(|e| e.to_string())?;
    let mut hosts = BTreeMap::new();
    for (name, entry) in raw.unwrap_or_default() {
        // Keys gh would not accept as hosts are skipped rather than failing the whole file.
        let Ok(host) = Host::parse(&name) else {
            continue;
        };
        let entry = entry.map_or_else(GhHost::default, |raw| GhHost {
            user: raw.user.filter(|u| !u.trim().is_empty()),
            oauth_token: raw
                .oauth_token
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .map(SecretString::from),
        });
        hosts.insert(host, entry);
    }
    Ok(hosts)
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn keyring_layout_has_user_and_no_token() {
        let hosts = parse("ghe.internal:\n    users:\n        alice:\n    user: alice\n").unwrap();
        let h = &hosts[&Host::parse("ghe.internal").unwrap()];
        assert_eq!(h.user.as_deref(), Some("alice"));
        assert!(h.oauth_token.is_none());
    }

    #[test]
    fn plaintext_and_legacy_layouts() {
        let text = "github.com:\n    oauth_token: gho_plain\n    users:\n        alice:\n            oauth_token: gho_plain\n    user: alice\n    git_protocol: https\nghe.old:\n    oauth_token: 0123abcd\n";
        let hosts = parse(text).unwrap();
        let gh = &hosts[&Host::github_com()];
        assert_eq!(
            gh.oauth_token.as_ref().unwrap().expose_secret(),
            "gho_plain"
        );
        let old = &hosts[&Host::parse("ghe.old").unwrap()];
        assert_eq!(old.user, None);
        assert_eq!(
            old.oauth_token.as_ref().unwrap().expose_secret(),
            "0123abcd"
        );
    }

    #[test]
    fn odd_but_valid_files() {
        assert!(parse("").unwrap().is_empty());
        assert!(
            parse("github.com:\n").unwrap()[&Host::github_com()]
                .user
                .is_none()
        );
        assert!(parse("\"not a host/\":\n    user: x\n").unwrap().is_empty());
        assert!(parse("- a list\n").is_err());
    }

    #[test]
    fn config_dir_order() {
        let env = Env::from_vars([
            ("GH_CONFIG_DIR", "/g"),
            ("XDG_CONFIG_HOME", "/x"),
            ("HOME", "/h"),
        ]);
        assert_eq!(config_dir(&env), Some(PathBuf::from("/g")));
        let env = Env::from_vars([("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")]);
        assert_eq!(config_dir(&env), Some(PathBuf::from("/x/gh")));
        let env = Env::from_vars([("HOME", "/h")]);
        assert_eq!(config_dir(&env), Some(PathBuf::from("/h/.config/gh")));
    }
}
