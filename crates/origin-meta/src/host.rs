//! GitHub hosts: the one key every token, cache entry and API URL is scoped by.
//!
//! A [`Host`] is the *web* host name of a GitHub deployment in canonical form, normalised the
//! way gh does it (lowercase; `api.github.com` and `*.github.com` → `github.com`;
//! `api.<tenant>.ghe.com` → `<tenant>.ghe.com`). Two spellings of the same deployment therefore
//! compare equal, which is what keeps a token from ever being sent to a host it was not resolved
//! for: callers compare `Host`s, never strings.

use std::fmt;

/// Which kind of GitHub deployment a host is; it decides the API base URL and which
/// environment variables may supply a token for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HostKind {
    /// `github.com` itself.
    GitHubCom,
    /// GitHub Enterprise Cloud with data residency, `<tenant>.ghe.com` (API at `api.<tenant>.ghe.com`).
    GheCloud,
    /// GitHub Enterprise Server: any other host (API under `https://<host>/api/v3`).
    EnterpriseServer,
}

/// A canonical GitHub web host name such as `github.com` or `ghe.example.com:8443`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Host(String);

/// Why a string is not a usable host name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid GitHub host `{input}`: {reason}")]
pub struct HostError {
    input: String,
    reason: &'static str,
}

impl hint::Hint for HostError {
    fn hints(&self) -> Vec<String> {
        vec![
            "write a host name such as `github.com` or `ghe.example.com` (with `:port` if needed)"
                .to_owned(),
        ]
    }
}

impl Host {
    /// The public github.com host.
    pub fn github_com() -> Host {
        Host("github.com".to_owned())
    }

    /// Parses and canonicalises a host name (an optional `:port` is kept).
    ///
    /// Accepts what users type: any case, a trailing dot, and API host spellings
    /// (`api.github.com`, `api.acme.ghe.com`). Rejects empty names, schemes, paths, user info
    /// and characters outside `[A-Za-z0-9.-]` (plus one `:port`).
    pub fn parse(input: &str) -> Result<Host, HostError> {
        let err = |reason| HostError {
            input: input.to_owned(),
            reason,
        };
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(err("the host is empty"));
        }
        if trimmed.contains("://") {
            return Err(err("give the host name only, without a scheme"));
        }
        let lower = trimmed.to_ascii_lowercase();
        let (name, port) = match lower.rsplit_once(':') {
            Some((name, port)) => {
                if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.len() > 5 {
                    return Err(err("the port must be a number"));
                }
                (name, Some(port))
            }
            None => (lower.as_str(), None),
        };
        let name = name.strip_suffix('.').unwrap_or(name);
        if name.is_empty()
            || name.starts_with('.')
            // One trailing dot was the FQDN form; a second would make `a..` and `a.` differ.
            || name.ends_with('.')
            || name.starts_with('-')
            || name.contains("..")
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        {
            return Err(err(
                "a host name has letters, digits, `.` and `-` only (and an optional `:port`)",
            ));
        }
        let name = if name == "github.com" || name.ends_with(".github.com") {
            "github.com".to_owned()
        } else if let Some(rest) = name
            .strip_prefix("api.")
            .filter(|r| r.ends_with(".ghe.com"))
        {
            rest.to_owned()
        } else {
            name.to_owned()
        };
        Ok(Host(match port {
            Some(port) => format!("{name}:{port}"),
            None => name,
        }))
    }

    /// The canonical host name, e.g. `github.com`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The kind of deployment this host is.
    pub fn kind(&self) -> HostKind {
        let name = self.0.split(':').next().unwrap_or(&self.0);
        if name == "github.com" {
            HostKind::GitHubCom
        } else if name.ends_with(".ghe.com") {
            HostKind::GheCloud
        } else {
            HostKind::EnterpriseServer
        }
    }

    /// Returns true if and only if github.com-style token variables (`GH_TOKEN`,
    /// `GITHUB_TOKEN`, …) apply to this host, as gh decides it: github.com and `*.ghe.com`.
    pub fn uses_github_com_env(&self) -> bool {
        matches!(self.kind(), HostKind::GitHubCom | HostKind::GheCloud)
    }

    /// The default REST API base URL (no trailing slash) for this host.
    ///
    /// `https://api.github.com`, `https://api.<tenant>.ghe.com`, or `https://<host>/api/v3`.
    /// Configuration may override it (`api_url` in hosts.toml, `SKILLRIG_GITHUB_API_URL`).
    pub fn default_api_url(&self) -> String {
        match self.kind() {
            HostKind::GitHubCom => "https://api.github.com".to_owned(),
            HostKind::GheCloud => format!("https://api.{}", self.0),
            HostKind::EnterpriseServer => format!("https://{}/api/v3", self.0),
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Host {
    type Err = HostError;
    fn from_str(s: &str) -> Result<Host, HostError> {
        Host::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalises_like_gh() {
        for (input, want) in [
            ("github.com", "github.com"),
            ("GitHub.COM.", "github.com"),
            ("api.github.com", "github.com"),
            ("api.acme.ghe.com", "acme.ghe.com"),
            ("acme.ghe.com", "acme.ghe.com"),
            ("ghe.example.com", "ghe.example.com"),
            ("127.0.0.1:8080", "127.0.0.1:8080"),
        ] {
            assert_eq!(Host::parse(input).unwrap().as_str(), want, "{input}");
        }
    }

    #[test]
    fn kinds_and_api_urls() {
        let gh = Host::parse("github.com").unwrap();
        assert_eq!(gh.kind(), HostKind::GitHubCom);
        assert_eq!(gh.default_api_url(), "https://api.github.com");
        let cloud = Host::parse("acme.ghe.com").unwrap();
        assert!(cloud.uses_github_com_env());
        assert_eq!(cloud.default_api_url(), "https://api.acme.ghe.com");
        let ghes = Host::parse("ghe.example.com").unwrap();
        assert!(!ghes.uses_github_com_env());
        assert_eq!(ghes.default_api_url(), "https://ghe.example.com/api/v3");
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            " ",
            "https://github.com",
            "git hub.com",
            "a/b",
            "host:",
            "host:x",
            "..",
            "a..",
            "ghe.example.com..",
            "-a.com",
            "user@host",
        ] {
            assert!(Host::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
