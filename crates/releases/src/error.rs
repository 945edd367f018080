//! The crate's one error type.
//!
//! A public enum because callers branch on it: the CLI maps [`Error::NotFound`],
//! [`Error::BadCredentials`], [`Error::SsoRequired`] and [`Error::RateLimited`] to the
//! `skillrig-auth doctor` advice, and [`Error::NoSuchVersion`] / [`Error::NoAsset`] to user
//! errors. Each `Display` is one line describing this layer only (the cause, if any, is in
//! [`source()`](std::error::Error::source)); [`Error::hint`] returns the actionable follow-up
//! line as data, for the CLI to print as `hint: …`.
//!
//! No variant ever holds a token: messages name the credential's *source* (for example
//! `credential_command`), and URLs are redacted (no query string) before they are stored.

use std::path::PathBuf;
use std::time::Duration;

use util::time::{format_utc, format_wait};

/// Everything that can go wrong talking to GitHub, resolving a version or picking an asset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configured API base URL is unusable (not https, user info, not a URL).
    #[error("invalid GitHub API URL `{url}`: {reason}")]
    InvalidApiUrl {
        /// The URL as configured (redacted).
        url: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// The proxy URL does not parse. The URL is not repeated: it may carry credentials.
    #[error("the proxy URL is not usable (expected e.g. `http://proxy.example:3128`)")]
    InvalidProxy,

    /// `SSL_CERT_FILE` / `SSL_CERT_DIR` name something that yields no trusted root.
    #[error("cannot use `{}` as trusted certificates: {reason}", path.display())]
    TrustRoots {
        /// The file or directory.
        path: std::path::PathBuf,
        /// Why not.
        reason: String,
    },

    /// The server's TLS certificate was rejected (most often: issued by a certificate
    /// authority this machine does not trust, such as a corporate TLS-inspection proxy's).
    #[error("the TLS certificate of {host} was rejected: {reason}")]
    UntrustedCertificate {
        /// The host whose certificate it was.
        host: String,
        /// What is wrong with it.
        reason: &'static str,
        /// The TLS error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// 404: the resource does not exist **or** the caller may not see it (GitHub answers 404,
    /// not 403, for private repositories).
    #[error("{what} not found on {host} (HTTP 404; {})", token_phrase(.token_source.as_deref()))]
    NotFound {
        /// Host name, e.g. `github.com`.
        host: String,
        /// What was asked for, e.g. "releases of acme/tools".
        what: String,
        /// `owner/repo`, when the request was about a repository.
        repo: Option<String>,
        /// Where the token that was sent came from; `None` if no token was sent.
        token_source: Option<String>,
    },

    /// 401: GitHub rejected the token (invalid, expired or revoked), or demands one.
    #[error("{}", bad_credentials(host, .token_source.as_deref()))]
    BadCredentials {
        /// Host name.
        host: String,
        /// Where the rejected token came from; `None` if none was sent.
        token_source: Option<String>,
    },

    /// 403 with `X-GitHub-SSO: required`: the token is not authorized for the organization's
    /// SAML single sign-on.
    #[error("the token from `{token_source}` is not authorized for SAML single sign-on on {host}")]
    SsoRequired {
        /// Host name.
        host: String,
        /// Where the token came from.
        token_source: String,
        /// The authorization URL from the `X-GitHub-SSO` header (valid for one hour).
        url: Option<String>,
    },

    /// 403 that is neither a rate limit nor SSO: the token lacks a permission, or an org
    /// policy blocks it.
    #[error("GitHub on {host} refused {url} (HTTP 403): {message}")]
    Forbidden {
        /// Host name.
        host: String,
        /// The request URL (redacted).
        url: String,
        /// GitHub's `message`.
        message: String,
        /// `X-Accepted-GitHub-Permissions`, if GitHub named the permissions it would accept.
        accepted_permissions: Option<String>,
    },

    /// 403/429 rate limit, and the reset is too far away to wait for.
    #[error("GitHub API rate limit exceeded for {} on {host}; {}", who(.token_source.as_deref()), rate_limit_reset(*.reset_at, *.wait))]
    RateLimited {
        /// Host name.
        host: String,
        /// Where the token came from; `None` for anonymous requests.
        token_source: Option<String>,
        /// `x-ratelimit-limit`, requests per hour.
        limit: Option<u64>,
        /// When the limit resets (Unix seconds), if GitHub said.
        reset_at: Option<u64>,
        /// How long from the failed request until the reset.
        wait: Option<Duration>,
    },

    /// The requested version is not in the stream.
    #[error(
        "no release for version `{requested}` in this stream ({})",
        nearest_phrase(nearest)
    )]
    NoSuchVersion {
        /// What was asked for (`latest` or a version).
        requested: String,
        /// The versions closest to the request, ascending (at most four).
        nearest: Vec<String>,
        /// How many versions the stream has.
        available: usize,
    },

    /// None of the candidate asset names exists in the release.
    #[error(
        "release `{tag}` has no asset {}; {}",
        or_list(wanted),
        has_list(available)
    )]
    NoAsset {
        /// The release's tag.
        tag: String,
        /// The names looked for, in preference order.
        wanted: Vec<String>,
        /// The names the release does have.
        available: Vec<String>,
    },

    /// Connection, TLS, DNS or timeout failure (after retries).
    #[error("network error talking to {url}")]
    Network {
        /// The request URL (redacted).
        url: String,
        /// The transport error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// Any other unexpected HTTP status (after retries, for 5xx).
    #[error("GitHub returned HTTP {status} for {url}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Http {
        /// Status code.
        status: u16,
        /// The request URL (redacted).
        url: String,
        /// GitHub's `message`, if the body had one.
        message: Option<String>,
    },

    /// A redirect would downgrade https to http.
    #[error("refusing to follow the redirect from {from} to {to} (https to http downgrade)")]
    InsecureRedirect {
        /// The URL that redirected (redacted).
        from: String,
        /// The target (redacted).
        to: String,
    },

    /// A redirect that cannot be followed (no or bad `Location`, a loop, too many hops).
    #[error("cannot follow the redirect from {url}: {reason}")]
    BadRedirect {
        /// The URL that redirected (redacted).
        url: String,
        /// Why not.
        reason: &'static str,
    },

    /// The body ended before `Content-Length` bytes arrived.
    #[error("the download from {url} ended after {got} of {expected} bytes")]
    ShortBody {
        /// The URL (redacted).
        url: String,
        /// `Content-Length`.
        expected: u64,
        /// Bytes received.
        got: u64,
    },

    /// Offline mode, and the response is not in the cache.
    #[error("{url} is not in the cache, and offline mode allows no requests")]
    NotInCache {
        /// The URL that would have been requested.
        url: String,
    },

    /// A response that does not have the expected shape.
    #[error("unexpected response from {url}: {reason}")]
    InvalidResponse {
        /// The URL (redacted).
        url: String,
        /// What was wrong.
        reason: String,
        /// The parse error, if any.
        #[source]
        source: Option<serde_json::Error>,
    },

    /// A listing has more pages than [`crate::MAX_LISTING_PAGES`] (a broken or hostile server
    /// handing out `next` links without end).
    #[error("stopped listing the {what} after {pages} pages")]
    TooManyPages {
        /// What was being listed, e.g. "releases of acme/tools".
        what: String,
        /// The cap.
        pages: usize,
    },

    /// A cache directory operation failed (only [`crate::clear_cache`] reports these; the
    /// client treats cache failures as misses).
    #[error("cannot clear the cache directory `{}`", path.display())]
    Cache {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl hint::Hint for Error {
    /// The actionable follow-up line for this error, if there is one (printed as `hint: …`).
    fn hints(&self) -> Vec<String> {
        let hint = match self {
            Error::InvalidApiUrl { .. } => Some(
                "set `api_url` in hosts.toml (or SKILLRIG_GITHUB_API_URL for github.com) to an \
                 https:// URL such as https://api.github.com or https://HOST/api/v3"
                    .to_owned(),
            ),
            Error::InvalidProxy => {
                Some("check HTTPS_PROXY / ALL_PROXY (and their lowercase forms)".to_owned())
            }
            Error::TrustRoots { .. } => Some(
                "point SSL_CERT_FILE at a PEM file of CA certificates (or SSL_CERT_DIR at a \
                 directory of them), or unset both to use the OS trust store"
                    .to_owned(),
            ),
            Error::UntrustedCertificate { reason, .. } if reason.contains("does not trust") => {
                Some(
                    "if your network inspects TLS with its own certificate authority, trust \
                     that CA: install it in the OS trust store (what your browser uses), or set \
                     SSL_CERT_FILE to a PEM bundle that contains it; never disable verification"
                        .to_owned(),
                )
            }
            Error::UntrustedCertificate { .. } => Some(
                "check the host name in the address and api_url, and the machine's clock"
                    .to_owned(),
            ),
            Error::NotFound {
                repo, token_source, ..
            } => {
                let doctor = match repo {
                    Some(r) => format!("skillrig-auth doctor --repo {r}"),
                    None => "skillrig-auth doctor".to_owned(),
                };
                Some(match token_source {
                    None => format!(
                        "if the repository is private, GitHub hides it from anonymous requests: \
                         configure a token, then check access with `{doctor}`"
                    ),
                    Some(source) => format!(
                        "check the name; if it is right, the token from `{source}` cannot see it \
                         (scope, fine-grained repository selection or SSO): run `{doctor}`"
                    ),
                })
            }
            Error::BadCredentials {
                host, token_source, ..
            } => Some(match token_source {
                Some(source) => format!(
                    "the token is invalid, expired or revoked: renew it where `{source}` gets it, \
                     then check it with `skillrig-auth doctor`"
                ),
                None => {
                    format!(
                        "configure a token for {host}, then check it with `skillrig-auth doctor`"
                    )
                }
            }),
            Error::SsoRequired { url, .. } => Some(match url {
                Some(url) => {
                    format!(
                        "authorize the token for the organization at {url} (valid for one hour), then retry"
                    )
                }
                None => "authorize the token for the organization (GitHub settings → tokens → \
                         Configure SSO), then retry"
                    .to_owned(),
            }),
            Error::Forbidden {
                accepted_permissions,
                ..
            } => Some(match accepted_permissions {
                Some(p) => format!(
                    "a fine-grained token needs these permissions: {p}; check with `skillrig-auth doctor`"
                ),
                None => "check the token's permissions with `skillrig-auth doctor`".to_owned(),
            }),
            Error::RateLimited {
                token_source,
                limit,
                ..
            } => Some(match token_source {
                None => format!(
                    "{}; {TOKEN_RAISES_LIMIT}: configure one and check it with \
                     `skillrig-auth doctor`",
                    anonymous_limit(*limit)
                ),
                Some(_) => "wait for the reset; listings are cached (revalidations are free), so \
                            avoid clearing the cache in the meantime"
                    .to_owned(),
            }),
            Error::NoSuchVersion { available, .. } => Some(if *available == 0 {
                "no release tag of this origin matches the tool's stream; check the tool name and \
                 the origin's tag scheme"
                    .to_owned()
            } else {
                format!(
                    "pick one of the stream's {available} versions (`mise ls-remote` lists them) or use `latest`"
                )
            }),
            Error::NoAsset { .. } => Some(
                "the origin may not publish a build for this platform, or it names assets \
                 differently: describe the asset in the origin's `[[binaries]]` metadata"
                    .to_owned(),
            ),
            Error::Network { .. } => {
                Some("check the network connection and any HTTPS_PROXY setting".to_owned())
            }
            Error::ShortBody { .. } => Some(
                "the connection kept dropping, even after resuming; check the network (or \
                 HTTPS_PROXY) and run the command again"
                    .to_owned(),
            ),
            Error::TooManyPages { pages, .. } => Some(format!(
                "a GitHub listing of over {} items is not something an origin publishes; check \
                 that `api_url` points at GitHub (or GitHub Enterprise) and not a proxy that \
                 rewrites `Link` headers",
                pages * 100
            )),
            Error::Http { status, .. } if *status >= 500 => Some(
                "the server had a problem (already retried); try again in a few minutes, and \
                 check https://www.githubstatus.com (or your GitHub Enterprise status page)"
                    .to_owned(),
            ),
            Error::Http { status, .. } => Some(format!(
                "HTTP {status} is not an answer GitHub gives here; check `api_url` in hosts.toml \
                 and any proxy in between"
            )),
            Error::InvalidResponse { .. } => Some(
                "the answer is not what GitHub's API sends; check `api_url` in hosts.toml (or \
                 SKILLRIG_GITHUB_API_URL) and any proxy in between"
                    .to_owned(),
            ),
            Error::InsecureRedirect { .. } | Error::BadRedirect { .. } => Some(
                "the server redirected somewhere skillrig-mise will not follow; check `api_url` \
                 and any proxy in between"
                    .to_owned(),
            ),
            Error::Cache { path, .. } => Some(format!(
                "delete `{}` by hand (it only holds cached API answers)",
                path.display()
            )),
            Error::NotInCache { .. } => Some(
                "run once without offline mode to fill the cache, then retry offline".to_owned(),
            ),
        };
        hint.into_iter().collect()
    }
}

impl Error {
    /// Returns true if and only if retrying later could succeed (network trouble, 5xx, rate
    /// limits, an interrupted body).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Network { .. } | Error::ShortBody { .. } | Error::RateLimited { .. } => true,
            Error::Http { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

fn token_phrase(token_source: Option<&str>) -> String {
    match token_source {
        Some(source) => format!("sent the token from `{source}`"),
        None => "no token was sent".to_owned(),
    }
}

fn bad_credentials(host: &str, token_source: Option<&str>) -> String {
    match token_source {
        Some(source) => {
            format!(
                "GitHub on {host} rejected the token from `{source}` (HTTP 401 Bad credentials)"
            )
        }
        None => {
            format!("GitHub on {host} requires authentication (HTTP 401) and no token was sent")
        }
    }
}

fn who(token_source: Option<&str>) -> String {
    match token_source {
        Some(source) => format!("the token from `{source}`"),
        None => "anonymous requests".to_owned(),
    }
}

/// What a token does for the rate limit (github.com's documented limit for tokens): said by
/// the anonymous [`Error::RateLimited`]'s hint and by `skillrig-auth doctor`.
pub const TOKEN_RAISES_LIMIT: &str = "a token raises the limit (5000 per hour on github.com)";

/// `anonymous requests are limited to 60 per hour per IP address`, with the server's own
/// `x-ratelimit-limit` (GitHub Enterprise Server sets its own; left out when not sent): the
/// one wording of the anonymous limit, for [`Error::RateLimited`]'s hint and the doctor.
pub fn anonymous_limit(limit: Option<u64>) -> String {
    match limit {
        Some(limit) => format!("anonymous requests are limited to {limit} per hour per IP address"),
        None => "anonymous requests are limited per IP address".to_owned(),
    }
}

/// When a rate limit ends, the one way messages say it: `it resets at 2026-08-01 14:05:09 UTC
/// (in 12 min)`; `retry in 1 min` when only the wait is known (a secondary limit); `retry
/// later` when neither is. From [`Error::RateLimited`]'s `reset_at` and `wait`.
pub fn rate_limit_reset(reset_at: Option<u64>, wait: Option<Duration>) -> String {
    match (reset_at, wait) {
        (Some(at), Some(wait)) => {
            format!("it resets at {} ({})", format_utc(at), format_wait(wait))
        }
        (Some(at), None) => format!("it resets at {}", format_utc(at)),
        (None, Some(wait)) => format!("retry {}", format_wait(wait)),
        (None, None) => "retry later".to_owned(),
    }
}

fn nearest_phrase(nearest: &[String]) -> String {
    if nearest.is_empty() {
        "the stream has no versions".to_owned()
    } else {
        format!("nearest: {}", nearest.join(", "))
    }
}

fn or_list(names: &[String]) -> String {
    match names {
        [] => "(no candidate names given)".to_owned(),
        names => names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn has_list(names: &[String]) -> String {
    if names.is_empty() {
        "it has no assets".to_owned()
    } else {
        format!("it has: {}", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hint::Hint as _;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn errors_and_clients_cross_threads() {
        assert_send_sync::<Error>();
        assert_send_sync::<crate::GitHub>();
    }

    #[test]
    fn one_wording_for_rate_limits() {
        assert_eq!(
            anonymous_limit(Some(60)),
            "anonymous requests are limited to 60 per hour per IP address"
        );
        let err = Error::RateLimited {
            host: "github.com".into(),
            token_source: None,
            limit: Some(60),
            reset_at: Some(1_700_000_000),
            wait: Some(Duration::from_secs(600)),
        };
        assert_eq!(
            err.hints()[0],
            format!(
                "{}; {TOKEN_RAISES_LIMIT}: configure one and check it with `skillrig-auth doctor`",
                anonymous_limit(Some(60))
            )
        );
        assert!(err.to_string().ends_with(&rate_limit_reset(
            Some(1_700_000_000),
            Some(Duration::from_secs(600))
        )));
        assert_eq!(
            rate_limit_reset(Some(1_700_000_000), Some(Duration::from_secs(600))),
            "it resets at 2023-11-14 22:13:20 UTC (in 10 min)"
        );
        assert_eq!(
            rate_limit_reset(None, Some(Duration::from_secs(60))),
            "retry in 1 min"
        );
        assert_eq!(rate_limit_reset(None, None), "retry later");
    }

    #[test]
    fn messages_of_the_remaining_variants() {
        let cases: Vec<(Error, &str, Option<&str>)> = vec![
            (
                Error::RateLimited {
                    host: "github.com".into(),
                    token_source: Some("gh keyring".into()),
                    limit: Some(5000),
                    reset_at: Some(1_700_000_000),
                    wait: Some(Duration::from_secs(754)),
                },
                "GitHub API rate limit exceeded for the token from `gh keyring` on github.com; \
                 it resets at 2023-11-14 22:13:20 UTC (in 13 min)",
                Some(
                    "wait for the reset; listings are cached (revalidations are free), so avoid \
                     clearing the cache in the meantime",
                ),
            ),
            (
                Error::RateLimited {
                    host: "ghe.example.com".into(),
                    token_source: None,
                    limit: None,
                    reset_at: None,
                    wait: None,
                },
                "GitHub API rate limit exceeded for anonymous requests on ghe.example.com; retry later",
                Some(
                    "anonymous requests are limited per IP address; a token raises the limit \
                     (5000 per hour on github.com): configure one and check it with \
                     `skillrig-auth doctor`",
                ),
            ),
            (
                Error::BadCredentials {
                    host: "github.com".into(),
                    token_source: None,
                },
                "GitHub on github.com requires authentication (HTTP 401) and no token was sent",
                Some("configure a token for github.com, then check it with `skillrig-auth doctor`"),
            ),
            (
                Error::SsoRequired {
                    host: "github.com".into(),
                    token_source: "GH_TOKEN".into(),
                    url: None,
                },
                "the token from `GH_TOKEN` is not authorized for SAML single sign-on on github.com",
                Some(
                    "authorize the token for the organization (GitHub settings → tokens → \
                     Configure SSO), then retry",
                ),
            ),
            (
                Error::Forbidden {
                    host: "github.com".into(),
                    url: "https://api.github.com/repos/a/b/releases".into(),
                    message: "Resource not accessible by personal access token".into(),
                    accepted_permissions: Some("contents=read".into()),
                },
                "GitHub on github.com refused https://api.github.com/repos/a/b/releases (HTTP \
                 403): Resource not accessible by personal access token",
                Some(
                    "a fine-grained token needs these permissions: contents=read; check with \
                     `skillrig-auth doctor`",
                ),
            ),
            (
                Error::NoAsset {
                    tag: "1.0.0+x".into(),
                    wanted: vec!["x.zip".into()],
                    available: vec![],
                },
                "release `1.0.0+x` has no asset `x.zip`; it has no assets",
                None,
            ),
            (
                Error::Http {
                    status: 500,
                    url: "https://api.github.com/x".into(),
                    message: None,
                },
                "GitHub returned HTTP 500 for https://api.github.com/x",
                None,
            ),
            (
                Error::InvalidResponse {
                    url: "https://api.github.com/x".into(),
                    reason: "the body is not a list of releases".into(),
                    source: None,
                },
                "unexpected response from https://api.github.com/x: the body is not a list of releases",
                None,
            ),
            (
                Error::InvalidProxy,
                "the proxy URL is not usable (expected e.g. `http://proxy.example:3128`)",
                Some("check HTTPS_PROXY / ALL_PROXY (and their lowercase forms)"),
            ),
            (
                Error::Cache {
                    path: PathBuf::from("/c/github-api"),
                    source: std::io::Error::other("busy"),
                },
                "cannot clear the cache directory `/c/github-api`",
                None,
            ),
        ];
        for (err, message, hint) in cases {
            assert_eq!(err.to_string(), message);
            if let Some(hint) = hint {
                assert_eq!(
                    err.hints().first().cloned().as_deref(),
                    Some(hint),
                    "{message}"
                );
            }
            assert!(!err.to_string().contains('\n'), "one line: {message}");
        }
    }
}
