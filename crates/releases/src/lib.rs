//! GitHub REST client for per-stream release listing, resolution, caching and asset downloads.
//!
//! Internal to skillrig-mise (not published; the API follows the CLI's needs, not semver).
//!
//! # Overview
//!
//! - [`ClientConfig`] says which host to talk to, with which [`Credential`], where the cache
//!   lives and how to retry; [`ClientConfig::from_env`] builds one from an injectable env
//!   lookup.
//! - [`GitHub`] is the client:
//!   [`list_releases`](GitHub::list_releases) (all non-draft releases, every page, cached),
//!   [`file`](GitHub::file) (origin metadata via the contents API, raw, cached; `None` on 404),
//!   [`download`](GitHub::download) (a streaming [`Download`]),
//!   [`probe`](GitHub::probe) (one classified request for `skillrig-auth doctor`: [`Probe`]) and
//!   [`stats`](GitHub::stats).
//! - Attestations (see [`attestations`](mod@crate::attestations)):
//!   [`attestations`](GitHub::attestations) lists the Sigstore bundles kept for an asset digest.
//! - Provenance (see [`git`](mod@crate::git)): [`tag_commit`](GitHub::tag_commit),
//!   [`compare`](GitHub::compare) ([`Comparison`]) and [`tree_sha`](GitHub::tree_sha).
//! - [`stream_versions`], [`resolve()`] and [`pick_asset`] turn a listing into one release
//!   and one asset, by origin-meta's stream rules ([`origin_meta::Stream::select`]). The
//!   [`resolve` module](mod@crate::resolve) says what `latest` means.
//! - [`Error`] is one enum with one-line messages and [`Error::hint`].
//!
//! ```no_run
//! use releases::{ClientConfig, Credential, GitHub, pick_asset, resolve};
//! use origin_meta::Host;
//!
//! # fn main() -> Result<(), releases::Error> {
//! let token = Credential::new("ghp_example".into(), "GH_TOKEN");
//! let cfg = ClientConfig::from_env(Host::github_com(), None, Some(token), &|k| std::env::var(k).ok());
//! let github = GitHub::new(cfg)?;
//! let listing = github.list_releases("acme", "tools")?;
//! let jira = origin_meta::Stream::parse_rule("+jira").expect("a valid rule");
//! let found = resolve(&listing, &jira, "latest")?;
//! let asset = pick_asset(found.release, &[format!("jira_{}_linux_amd64.tar.gz", found.version)])?;
//! let mut bytes = github.download(asset)?;
//! std::io::copy(&mut bytes, &mut std::io::sink()).map_err(|e| releases::Error::Network {
//!     url: asset.name.clone(),
//!     source: Box::new(e),
//! })?;
//! # Ok(()) }
//! ```
//!
//! # Requests
//!
//! Every API request carries `Accept` (`application/vnd.github+json`, or the raw / octet-stream
//! media type), `X-GitHub-Api-Version: 2022-11-28` and `User-Agent: skillrig-mise/<version>`.
//! `Authorization: Bearer` is attached only when the request's origin (scheme, host, port) is
//! the configured API origin — never to a storage host a download redirects to, never to a
//! pagination link or API redirect that leaves the origin (those are refused). Plain `http://`
//! API URLs are refused except to loopback.
//!
//! Redirects are followed by hand: API redirects (renamed repositories) only within the API
//! origin; download redirects to any https host (http only from http), without the token.
//!
//! # Retries and timeouts
//!
//! See [`RetryPolicy`]: at most 3 attempts; exponential backoff with jitter on 5xx, 408,
//! connection errors, timeouts and bodies cut short; rate limits (403/429 per GitHub's rules)
//! are waited out only if the reset is within 60 s, otherwise [`Error::RateLimited`] reports
//! the reset time at once. [`Timeouts`] bound connecting and each socket read.
//!
//! # Cache
//!
//! Listings and metadata files go through an on-disk HTTP cache with a freshness window and
//! ETag revalidation; see the [`cache`] module for keys, pagination and concurrency.
//! [`clear_cache`] empties it.
//!
//! # Secrets
//!
//! The token lives in a [`secrecy::SecretString`] inside [`Credential`] (no `Display`, redacted
//! `Debug`), leaves it only as a sensitive header value, and is never logged, put in an error,
//! or written to the cache (whose key uses a one-way identity hash). Storage URLs are signed
//! capabilities, so URLs are printed without their query string. ureq logs through the `log`
//! crate and at `TRACE` level logs the wire unredacted: never route `log` records of `ureq` at
//! trace level into output.

pub mod attestations;
pub mod cache;
mod client;
mod config;
mod download;
mod error;
pub mod git;
mod model;
mod notice;
pub mod resolve;
mod retry;
pub mod tls;
mod url;

pub use attestations::AttestationBundle;
pub use cache::clear_cache;
pub use client::{GitHub, MAX_LISTING_PAGES, Probe, Sso, Stats};
pub use config::{
    API_VERSION, ClientConfig, Credential, ENV_CACHE_DIR, ENV_GITHUB_API_URL, ENV_HOME,
    ENV_NO_PROXY, ENV_PROXY, ENV_XDG_CACHE_HOME, RetryPolicy, Timeouts, default_user_agent,
};
pub use download::Download;
pub use error::{Error, TOKEN_RAISES_LIMIT, anonymous_limit, rate_limit_reset};
pub use git::{CompareStatus, Comparison};
pub use model::{AssetInfo, ReleaseInfo, TagInfo};
pub use notice::{Notice, Notifier};
pub use resolve::{StreamRelease, pick_asset, resolve, stream_versions};
