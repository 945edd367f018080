//! Tokens, their kinds, and where they came from.
//!
//! A [`Token`] is bound to the [`Host`] it was resolved for and holds the secret in a
//! [`SecretString`]: its `Debug` is redacted, it has no `Display`, and
//! [`Token::expose_secret`] marks the one place the value comes out (the `Authorization`
//! header, or stdout of `skillrig-auth token`).

use std::fmt;
use std::str::FromStr;

use origin_meta::Host;
use secrecy::{ExposeSecret, SecretString};

/// One link of the resolution chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProviderKind {
    /// Environment variables (`GH_TOKEN`, `GH_ENTERPRISE_TOKEN`, …), scoped by host kind.
    Env,
    /// A configured shell command that prints a token.
    CredentialCommand,
    /// What gh stored: `hosts.yml` `oauth_token` (plaintext), then the OS keyring item.
    Keyring,
    /// `gh auth token --hostname <host>`.
    Gh,
}

impl ProviderKind {
    /// The default order: cheapest and most explicit first.
    pub const DEFAULT_ORDER: [ProviderKind; 4] = [
        ProviderKind::Env,
        ProviderKind::CredentialCommand,
        ProviderKind::Keyring,
        ProviderKind::Gh,
    ];

    /// The default order on this OS. On macOS `gh` comes before `keyring`: gh's Keychain
    /// items trust `/usr/bin/security` (which `gh auth token` uses), and reading them through
    /// Security.framework makes macOS ask the user for permission (see docs/auth.md).
    pub fn platform_default_order() -> Vec<ProviderKind> {
        if cfg!(target_os = "macos") {
            vec![
                ProviderKind::Env,
                ProviderKind::CredentialCommand,
                ProviderKind::Gh,
                ProviderKind::Keyring,
            ]
        } else {
            ProviderKind::DEFAULT_ORDER.to_vec()
        }
    }

    /// The name used in `hosts.toml` (`providers = [...]`), doctor output and JSON.
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::Env => "env",
            ProviderKind::CredentialCommand => "credential_command",
            ProviderKind::Keyring => "keyring",
            ProviderKind::Gh => "gh",
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A provider name that is not one of `env`, `credential_command`, `keyring`, `gh`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider `{0}` (expected one of env, credential_command, keyring, gh)")]
pub struct UnknownProvider(pub String);

impl FromStr for ProviderKind {
    type Err = UnknownProvider;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProviderKind::DEFAULT_ORDER
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| UnknownProvider(s.to_owned()))
    }
}

/// What kind of GitHub token a value is, judged by its prefix only.
///
/// A prefix says nothing about the host a token belongs to; it only tells which permission
/// model applies (scopes, fine-grained permissions, app installation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `ghp_`: classic personal access token (scopes).
    Classic,
    /// `github_pat_`: fine-grained personal access token (one resource owner, permissions).
    FineGrained,
    /// `gho_`: OAuth app token, what `gh auth login` stores (scopes).
    OAuth,
    /// `ghu_`: GitHub App user-to-server token (may expire after 8 h).
    AppUser,
    /// `ghs_`: GitHub App installation token, including Actions' `GITHUB_TOKEN` (1 h).
    AppInstallation,
    /// `ghr_`: a refresh token; never usable as a bearer token.
    Refresh,
    /// 40 hexadecimal characters: the pre-2021 format (still issued by old GHES releases).
    Legacy,
    /// Anything else (a proxy's token, a future format).
    Unknown,
}

impl TokenKind {
    /// Classifies a token by prefix. Never validates length: tokens may grow to 255 chars.
    pub fn of(token: &str) -> TokenKind {
        const PREFIXES: [(&str, TokenKind); 6] = [
            ("github_pat_", TokenKind::FineGrained),
            ("ghp_", TokenKind::Classic),
            ("gho_", TokenKind::OAuth),
            ("ghu_", TokenKind::AppUser),
            ("ghs_", TokenKind::AppInstallation),
            ("ghr_", TokenKind::Refresh),
        ];
        if let Some((_, kind)) = PREFIXES.iter().find(|(p, _)| token.starts_with(p)) {
            return *kind;
        }
        if token.len() == 40 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return TokenKind::Legacy;
        }
        TokenKind::Unknown
    }

    /// The prefix that identifies this kind (empty for legacy and unknown tokens).
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::Classic => "ghp_",
            TokenKind::FineGrained => "github_pat_",
            TokenKind::OAuth => "gho_",
            TokenKind::AppUser => "ghu_",
            TokenKind::AppInstallation => "ghs_",
            TokenKind::Refresh => "ghr_",
            TokenKind::Legacy | TokenKind::Unknown => "",
        }
    }

    /// A stable machine name (`--json`).
    pub fn code(self) -> &'static str {
        match self {
            TokenKind::Classic => "classic",
            TokenKind::FineGrained => "fine-grained",
            TokenKind::OAuth => "oauth",
            TokenKind::AppUser => "app-user",
            TokenKind::AppInstallation => "app-installation",
            TokenKind::Refresh => "refresh",
            TokenKind::Legacy => "legacy",
            TokenKind::Unknown => "unknown",
        }
    }

    /// A short human description.
    pub fn description(self) -> &'static str {
        match self {
            TokenKind::Classic => "classic personal access token",
            TokenKind::FineGrained => "fine-grained personal access token",
            TokenKind::OAuth => "OAuth token (gh login)",
            TokenKind::AppUser => "GitHub App user token",
            TokenKind::AppInstallation => "GitHub App installation token",
            TokenKind::Refresh => "refresh token",
            TokenKind::Legacy => "legacy 40-hex token",
            TokenKind::Unknown => "token of unknown format",
        }
    }

    /// Returns true if and only if tokens of this kind carry OAuth scopes (reported in
    /// `X-OAuth-Scopes`).
    pub fn uses_scopes(self) -> bool {
        matches!(
            self,
            TokenKind::Classic | TokenKind::OAuth | TokenKind::Legacy
        )
    }
}

/// Where a token came from: the provider plus a human detail (which variable, which keyring
/// item, which config table). Never contains the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    provider: ProviderKind,
    detail: String,
    cached: bool,
}

impl Source {
    pub(crate) fn new(provider: ProviderKind, detail: impl Into<String>) -> Source {
        Source {
            provider,
            detail: detail.into(),
            cached: false,
        }
    }

    pub(crate) fn into_cached(mut self) -> Source {
        self.cached = true;
        self
    }

    /// The provider that supplied the token.
    pub fn provider(&self) -> ProviderKind {
        self.provider
    }

    /// Which variable, item or command, e.g. `GH_TOKEN` or `Secret Service item gh:github.com (alice)`.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// Returns true if and only if the token was served from the cross-process cache (the
    /// provider itself ran in an earlier process).
    pub fn cached(&self) -> bool {
        self.cached
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.provider, self.detail)?;
        if self.cached {
            f.write_str(" (cached)")?;
        }
        Ok(())
    }
}

/// A GitHub token resolved for one host.
///
/// `Debug` is redacted and there is no `Display`; use [`Token::expose_secret`] where the value
/// must leave the process, and [`Token::masked`] to show it.
#[derive(Clone)]
pub struct Token {
    secret: SecretString,
    host: Host,
    source: Source,
    kind: TokenKind,
}

impl Token {
    pub(crate) fn new(secret: SecretString, host: Host, source: Source) -> Token {
        let kind = TokenKind::of(secret.expose_secret());
        Token {
            secret,
            host,
            source,
            kind,
        }
    }

    /// The token itself. Only for the `Authorization` header or a credential protocol answer.
    pub fn expose_secret(&self) -> &str {
        self.secret.expose_secret()
    }

    /// The host this token was resolved for; it must not be sent anywhere else.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// Where the token came from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The token's kind, by prefix.
    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    /// A display form that keeps the kind prefix and the last four characters, e.g.
    /// `ghp_…abcd`; short or unknown tokens show less.
    pub fn masked(&self) -> String {
        mask(self.expose_secret())
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("host", &self.host)
            .field("source", &self.source)
            .field("kind", &self.kind)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

/// Masks a token like mise does: the kind prefix, an ellipsis, the last four characters. A
/// token too short to hide anything (under 12 characters past its prefix) shows no tail.
pub(crate) fn mask(token: &str) -> String {
    let prefix = TokenKind::of(token).prefix();
    let rest = &token[prefix.len()..];
    let chars: Vec<char> = rest.chars().collect();
    if chars.len() < 12 {
        return format!("{prefix}…");
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_prefix() {
        for (token, kind) in [
            ("ghp_abc", TokenKind::Classic),
            ("github_pat_11ABC_def", TokenKind::FineGrained),
            ("gho_x", TokenKind::OAuth),
            ("ghu_x", TokenKind::AppUser),
            ("ghs_x", TokenKind::AppInstallation),
            ("ghr_x", TokenKind::Refresh),
            (
                "0123456789abcdef0123456789abcdef01234567",
                TokenKind::Legacy,
            ),
            (
                "0123456789abcdef0123456789abcdef0123456",
                TokenKind::Unknown,
            ),
            ("ghx_nope", TokenKind::Unknown),
        ] {
            assert_eq!(TokenKind::of(token), kind, "{token}");
        }
        assert!(TokenKind::Classic.uses_scopes());
        assert!(!TokenKind::FineGrained.uses_scopes());
    }

    #[test]
    fn masking_keeps_prefix_and_last_four() {
        assert_eq!(mask("ghp_1234567890abcdefabcd"), "ghp_…abcd");
        assert_eq!(
            mask("github_pat_11AAAAAAA0123456789_wxyz"),
            "github_pat_…wxyz"
        );
        assert_eq!(mask("ghp_short"), "ghp_…");
        assert_eq!(mask("tiny"), "…");
        assert_eq!(mask("0123456789abcdef0123456789abcdef0123beef"), "…beef");
    }

    #[test]
    fn debug_is_redacted() {
        let token = Token::new(
            SecretString::from("ghp_supersecretvalue0000"),
            Host::github_com(),
            Source::new(ProviderKind::Env, "GH_TOKEN"),
        );
        let debug = format!("{token:?}");
        assert!(!debug.contains("supersecret"), "{debug}");
        assert!(debug.contains("REDACTED"));
        assert_eq!(token.kind(), TokenKind::Classic);
        assert_eq!(token.source().to_string(), "env: GH_TOKEN");
    }

    #[test]
    fn provider_names_round_trip() {
        for p in ProviderKind::DEFAULT_ORDER {
            assert_eq!(p.name().parse::<ProviderKind>(), Ok(p));
        }
        assert!("keychain".parse::<ProviderKind>().is_err());
    }
}
