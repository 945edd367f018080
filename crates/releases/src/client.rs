//! The GitHub REST client: request headers and token scoping, retries, status classification,
//! the cached GETs behind listings and metadata files, and the doctor's probe.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use origin_meta::Host;
use ureq::http::{HeaderMap, HeaderValue, Response};
use ureq::{Agent, Body};

use crate::cache::{Cache, Entry, Meta};
use crate::config::{API_VERSION, ClientConfig, Credential, RetryPolicy};
use crate::error::Error;
use crate::model::{ReleaseInfo, TagInfo, parse_release_page, parse_tag_page};
use crate::notice::{Notice, Notifier};
use crate::retry::{self, backoff, jitter_random, pause, rate_limit};
use crate::url::{
    Origin, check_api_url, encode_path, encode_segment, next_link, redact, redirect_target,
};
use util::time::unix_now;

/// `Accept` for JSON API responses.
const ACCEPT_JSON: &str = "application/vnd.github+json";
/// `Accept` for raw file contents.
const ACCEPT_RAW: &str = "application/vnd.github.raw";
/// Cap for any API body read into memory (a raw metadata file is at most this big).
const BODY_LIMIT: u64 = 64 * 1024 * 1024;
/// Error bodies are read only for GitHub's `message`.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;
/// Redirect hops followed per request.
pub(crate) const MAX_REDIRECTS: u32 = 5;
/// The most pages one listing may have (100 items each). A hostile or broken server can
/// hand out `next` links forever; past this the listing fails instead of running on.
pub const MAX_LISTING_PAGES: usize = 50;

/// A GitHub REST API client for one host.
///
/// Cheap to clone (shared state); safe to use from several threads. See the crate docs for
/// what each method requests and caches.
#[derive(Clone)]
pub struct GitHub {
    pub(crate) inner: Arc<Inner>,
}

/// Request and cache counters, for logs and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// HTTP requests sent (API and storage), including retries and redirects.
    pub requests: u64,
    /// Of those, conditional requests answered `304 Not Modified`.
    pub not_modified: u64,
    /// Responses served from the cache without any request (fresh or offline).
    pub cache_hits: u64,
    /// Body bytes received over the network.
    pub bytes: u64,
    /// Attempts repeated after a transient failure.
    pub retries: u64,
}

#[derive(Default)]
pub(crate) struct Counters {
    requests: AtomicU64,
    not_modified: AtomicU64,
    cache_hits: AtomicU64,
    pub(crate) bytes: AtomicU64,
    pub(crate) retries: AtomicU64,
}

pub(crate) struct Inner {
    /// Built on the first request, with the trusted roots: loading them reads every file of
    /// `SSL_CERT_DIR` (about 8 ms for Debian's `/etc/ssl/certs`), so a run served entirely
    /// from the cache (most `list-versions` calls) never pays for it.
    agent: std::sync::OnceLock<Result<Agent, (std::path::PathBuf, String)>>,
    make_agent: Box<dyn Fn() -> Result<Agent, Error> + Send + Sync>,
    host: Host,
    pub(crate) api_url: String,
    pub(crate) api_origin: Origin,
    credential: Option<Credential>,
    identity: String,
    cache: Option<Cache>,
    pub(crate) freshness: Duration,
    pub(crate) offline: bool,
    user_agent: String,
    pub(crate) retry: RetryPolicy,
    pub(crate) counters: Counters,
    pub(crate) notify: Notifier,
}

/// What a request was about, for error messages.
pub(crate) struct Ctx {
    pub(crate) what: String,
    pub(crate) repo: Option<String>,
    /// For contents requests at an explicit ref: GitHub's "No commit found for the ref" 404
    /// is an error (a bad `@REF`), not "no such file".
    pub(crate) git_ref: Option<String>,
}

/// Which error statuses a caller takes as answers instead of errors.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pass {
    /// Only 2xx, 3xx (304, redirects).
    Success,
    /// Also 404.
    NotFound,
    /// Also every 4xx (the probe).
    AnyClientError,
}

/// A response whose body has been read.
pub(crate) struct Fetched {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

/// Why one attempt failed, and whether and when to try again.
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) retry: Retry,
}

/// What one logical request has spent on failures so far: attempts, and time waited for
/// rate limits (bounded by [`RetryPolicy::rate_limit_budget`]).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Attempts {
    pub(crate) failed: u32,
    pub(crate) rate_limited_for: Duration,
}

/// Whether a failed attempt may be repeated.
pub(crate) enum Retry {
    /// Permanent (4xx, TLS, configuration).
    Never,
    /// Transient: exponential backoff with jitter.
    Backoff,
    /// A rate limit that resets soon: wait this long.
    After(Duration),
}

/// A cached GET's answer: the value (`None` for an allowed 404) and a listing page's `next`.
pub(crate) struct Answer<T> {
    pub(crate) value: Option<T>,
    pub(crate) next: Option<String>,
}

impl GitHub {
    /// A client for `cfg`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidApiUrl`] if the API URL is not https (plain http is allowed only to
    /// loopback) or is not a URL; [`Error::InvalidProxy`] for an unusable proxy URL. A cache
    /// directory that cannot be created only disables the cache (logged at debug level).
    pub fn new(cfg: ClientConfig) -> Result<GitHub, Error> {
        let api_url = check_api_url(&cfg.api_url)?;
        let api_origin = Origin::of(&api_url).ok_or(Error::InvalidApiUrl {
            url: redact(&api_url),
            reason: "it has no host",
        })?;
        let proxy = match cfg.proxy.as_deref() {
            Some(p) => Some(ureq::Proxy::new(p).map_err(|_| Error::InvalidProxy)?),
            None => None,
        };
        let (trust, user_agent, timeouts) =
            (cfg.trust.clone(), cfg.user_agent.clone(), cfg.timeouts);
        let make_agent = move || -> Result<Agent, Error> {
            let config = Agent::config_builder()
                // Statuses are classified here, and redirects followed by hand (token scoping).
                .http_status_as_error(false)
                .max_redirects(0)
                .proxy(proxy.clone())
                .tls_config(crate::tls::config(&trust)?)
                .user_agent(user_agent.as_str())
                .timeout_resolve(Some(timeouts.connect))
                .timeout_connect(Some(timeouts.connect))
                .timeout_per_read(Some(timeouts.read))
                .build();
            Ok(Agent::new_with_config(config))
        };
        let cache =
            cfg.cache_dir
                .as_deref()
                .and_then(|root| match Cache::open(root, cfg.notify.clone()) {
                    Ok(c) => Some(c),
                    Err(e @ util::private::Untrusted::Io { .. }) => {
                        tracing::debug!(error = %e, "cache disabled: cannot create its directory");
                        None
                    }
                    Err(e) => {
                        cfg.notify.notify(&crate::Notice::UntrustedCache {
                            reason: format!(
                                "{e}; fix its ownership and permissions (chmod 700), or delete it"
                            ),
                        });
                        None
                    }
                });
        let identity = cfg
            .credential
            .as_ref()
            .map_or_else(|| "anonymous".to_owned(), Credential::identity);
        Ok(GitHub {
            inner: Arc::new(Inner {
                agent: std::sync::OnceLock::new(),
                make_agent: Box::new(make_agent),
                host: cfg.host,
                api_url,
                api_origin,
                credential: cfg.credential,
                identity,
                cache,
                freshness: cfg.freshness,
                offline: cfg.offline,
                user_agent: cfg.user_agent,
                retry: cfg.retry,
                counters: Counters::default(),
                notify: cfg.notify,
            }),
        })
    }

    /// The host this client talks to.
    pub fn host(&self) -> &Host {
        &self.inner.host
    }

    /// The validated API base URL (no trailing slash).
    pub fn api_url(&self) -> &str {
        &self.inner.api_url
    }

    /// Where the token came from, if the client has one.
    pub fn token_source(&self) -> Option<&str> {
        self.inner.credential.as_ref().map(Credential::source)
    }

    /// Every non-draft release of `owner/repo`, newest first as GitHub lists them.
    ///
    /// Requests `per_page=100` and follows `Link: rel="next"` to the last page, at most
    /// [`MAX_LISTING_PAGES`] pages ([`Error::TooManyPages`] beyond). Pages are cached and revalidated individually (see
    /// [`crate::cache`]); a release that moves between pages while listing is kept once.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] (missing or private), [`Error::BadCredentials`],
    /// [`Error::SsoRequired`], [`Error::RateLimited`], [`Error::Network`], [`Error::Http`],
    /// [`Error::NotInCache`] offline, [`Error::InvalidResponse`].
    pub fn list_releases(&self, owner: &str, repo: &str) -> Result<Vec<ReleaseInfo>, Error> {
        let mut ids = HashSet::new();
        self.list_all(
            owner,
            repo,
            "releases",
            "a list of releases",
            parse_release_page,
            |r: &ReleaseInfo| ids.insert(r.id),
        )
    }

    /// Every tag of `owner/repo` with its commit, following pagination (`per_page=100`).
    ///
    /// One listing serves every binary of an origin, cached and revalidated like
    /// [`GitHub::list_releases`], which is why installs take a release's commit from here
    /// rather than asking for each tag's ref.
    pub fn list_tags(&self, owner: &str, repo: &str) -> Result<Vec<TagInfo>, Error> {
        let mut names = HashSet::new();
        self.list_all(
            owner,
            repo,
            "tags",
            "a list of tags",
            parse_tag_page,
            |t: &TagInfo| names.insert(t.name.clone()),
        )
    }

    /// Fetches every page of `/repos/{owner}/{repo}/{what}`, cached per page, keeping the
    /// items `keep` accepts (used to drop duplicates when a listing shifts between pages).
    fn list_all<T>(
        &self,
        owner: &str,
        repo: &str,
        what: &str,
        shape: &str,
        parse: fn(&[u8]) -> Result<Vec<T>, serde_json::Error>,
        mut keep: impl FnMut(&T) -> bool,
    ) -> Result<Vec<T>, Error>
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        let inner = &self.inner;
        let first = format!(
            "{}/repos/{}/{}/{what}?per_page=100",
            inner.api_url,
            encode_segment(owner),
            encode_segment(repo)
        );
        let ctx = Ctx {
            what: format!("{what} of {owner}/{repo}"),
            repo: Some(format!("{owner}/{repo}")),
            git_ref: None,
        };
        let _guard = inner.lock(&first, ACCEPT_JSON);
        let mut url = first;
        let mut seen = HashSet::new();
        let mut items = Vec::new();
        loop {
            if seen.len() == MAX_LISTING_PAGES {
                return Err(Error::TooManyPages {
                    what: format!("{what} of {owner}/{repo}"),
                    pages: MAX_LISTING_PAGES,
                });
            }
            seen.insert(url.clone());
            let answer = inner.cached_get(
                &url,
                ACCEPT_JSON,
                &ctx,
                Pass::Success,
                &|body| {
                    let page = parse(body).map_err(|e| Error::InvalidResponse {
                        url: redact(&url),
                        reason: format!("the body is not {shape}"),
                        source: Some(e),
                    })?;
                    let compact = serde_json::to_vec(&page).unwrap_or_default();
                    Ok((page, compact))
                },
                &|cached| serde_json::from_slice::<Vec<T>>(cached).ok(),
            )?;
            items.extend(
                answer
                    .value
                    .unwrap_or_default()
                    .into_iter()
                    .filter(&mut keep),
            );
            let Some(next) = answer.next else { break };
            if Origin::of(&next).as_ref() != Some(&inner.api_origin) {
                return Err(Error::InvalidResponse {
                    url: redact(&url),
                    reason: format!(
                        "the next-page link points to another host ({}); set the API URL to that host",
                        redact(&next)
                    ),
                    source: None,
                });
            }
            if seen.contains(&next) {
                return Err(Error::InvalidResponse {
                    url: redact(&url),
                    reason: "the next-page links form a loop".to_owned(),
                    source: None,
                });
            }
            url = next;
        }
        tracing::debug!(
            pages = seen.len(),
            items = items.len(),
            "listed {what} of {owner}/{repo}"
        );
        Ok(items)
    }

    /// A file's raw bytes via the contents API, at `git_ref` (branch, tag or sha) or the
    /// default branch. `Ok(None)` if the file does not exist (GitHub's 404, also cached):
    /// for origin metadata that means "use the convention".
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if `git_ref` does not exist (GitHub: "No commit found for the
    /// ref"); otherwise as [`list_releases`](Self::list_releases). Note that a private
    /// repository the token cannot see also answers 404, so this returns `Ok(None)` for it;
    /// the listing that follows reports the access problem.
    pub fn file(
        &self,
        owner: &str,
        repo: &str,
        path: &str,
        git_ref: Option<&str>,
    ) -> Result<Option<Vec<u8>>, Error> {
        let inner = &self.inner;
        let mut url = format!(
            "{}/repos/{}/{}/contents/{}",
            inner.api_url,
            encode_segment(owner),
            encode_segment(repo),
            encode_path(path)
        );
        if let Some(r) = git_ref {
            url.push_str("?ref=");
            url.push_str(&encode_segment(r));
        }
        let ctx = Ctx {
            what: format!("`{path}` in {owner}/{repo}"),
            repo: Some(format!("{owner}/{repo}")),
            git_ref: git_ref.map(str::to_owned),
        };
        let _guard = inner.lock(&url, ACCEPT_RAW);
        let answer = inner.cached_get(
            &url,
            ACCEPT_RAW,
            &ctx,
            Pass::NotFound,
            &|body| Ok((body.to_vec(), body.to_vec())),
            &|cached| Some(cached.to_vec()),
        )?;
        Ok(answer.value)
    }

    /// One uncached GET of `path` (relative to the API URL, e.g. `/repos/acme/tools`) for
    /// `skillrig-auth doctor`: any 4xx is returned as a [`Probe`], not an error, so the doctor
    /// can show what GitHub said — classified by the rules every other request follows
    /// ([`Probe::error`]). 5xx and network errors are retried, then returned as errors.
    ///
    /// # Errors
    ///
    /// [`Error::Network`], [`Error::Http`] (5xx), [`Error::NotInCache`] in offline mode.
    pub fn probe(&self, path: &str) -> Result<Probe, Error> {
        let inner = &self.inner;
        let (url, ctx) = probe_target(inner, path);
        if inner.offline {
            return Err(Error::NotInCache { url: redact(&url) });
        }
        let fetched = inner.fetch(&url, ACCEPT_JSON, &[], &ctx, Pass::AnyClientError)?;
        Ok(inner.probe_answer(&url, &ctx, &fetched))
    }

    /// Classifies an answer to `GET path` exactly as [`GitHub::probe`] does, without sending
    /// the request: for code that consumes probes to be tested against every answer GitHub
    /// gives, including those a test server cannot produce. Header names are
    /// case-insensitive; headers that are not valid HTTP are left out.
    pub fn classify_answer(
        &self,
        path: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Probe {
        let (url, ctx) = probe_target(&self.inner, path);
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            if let (Ok(name), Ok(value)) = (
                ureq::http::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                map.append(name, value);
            }
        }
        let fetched = Fetched {
            status,
            headers: map,
            body: body.to_vec(),
        };
        self.inner.probe_answer(&url, &ctx, &fetched)
    }

    /// Counters since this client was created.
    pub fn stats(&self) -> Stats {
        let c = &self.inner.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Stats {
            requests: get(&c.requests),
            not_modified: get(&c.not_modified),
            cache_hits: get(&c.cache_hits),
            bytes: get(&c.bytes),
            retries: get(&c.retries),
        }
    }
}

impl fmt::Debug for GitHub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitHub")
            .field("host", &self.inner.host)
            .field("api_url", &self.inner.api_url)
            .field("credential", &self.inner.credential)
            .field("cache", &self.inner.cache.as_ref().map(Cache::dir))
            .field("offline", &self.inner.offline)
            .finish_non_exhaustive()
    }
}

/// The URL and error context of a probe of `path`.
fn probe_target(inner: &Inner, path: &str) -> (String, Ctx) {
    let url = format!("{}/{}", inner.api_url, path.trim_start_matches('/'));
    let ctx = Ctx {
        what: format!("`{path}`"),
        repo: crate::url::repo_of(&url),
        git_ref: None,
    };
    (url, ctx)
}

/// The answer to [`GitHub::probe`], with what it means.
///
/// The client reads GitHub's headers here, once, for every caller: a non-2xx answer carries
/// the [`Error`] an install would have failed with ([`Probe::error`]: bad credentials, SAML
/// SSO, a rate limit with its reset time, a 403 naming the permissions GitHub would accept, a
/// 404), and the rest is typed ([`Probe::oauth_scopes`], [`Probe::accepted_permissions`],
/// [`Probe::sso`], [`Probe::login`]). Raw headers are not exposed.
#[derive(Debug)]
pub struct Probe {
    /// HTTP status.
    pub status: u16,
    /// The URL requested (redacted).
    pub url: String,
    /// Whether the request carried the client's token.
    pub token_sent: bool,
    body: Option<serde_json::Value>,
    oauth_scopes: Option<Vec<String>>,
    accepted_permissions: Option<String>,
    sso: Option<Sso>,
    error: Option<Error>,
}

/// What `X-GitHub-SSO` says about SAML single sign-on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sso {
    /// `required; url=…`: the token is not authorized for the organization's SAML SSO; `url`
    /// is where to authorize it (valid for one hour).
    Required {
        /// The authorization URL, if GitHub sent one.
        url: Option<String>,
    },
    /// `partial-results; organizations=…`: results from these organizations (by id) were left
    /// out because the token is not authorized for them.
    PartialResults {
        /// The organizations' ids.
        organizations: Vec<String>,
    },
}

impl Sso {
    /// Parses an `X-GitHub-SSO` value; `None` for a value GitHub does not send.
    fn parse(header: &str) -> Option<Sso> {
        let parts: Vec<&str> = header.split(';').map(str::trim).collect();
        let param = |name: &str| {
            parts[1..]
                .iter()
                .find_map(|p| p.strip_prefix(name)?.trim_start().strip_prefix('='))
                .map(str::trim)
        };
        match parts[0] {
            "required" => Some(Sso::Required {
                url: param("url").map(str::to_owned),
            }),
            "partial-results" => Some(Sso::PartialResults {
                organizations: param("organizations")
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(str::to_owned)
                    .collect(),
            }),
            _ => None,
        }
    }
}

impl Probe {
    /// For a non-2xx answer, the error it classifies to — the same [`Error`] a listing or
    /// download would fail with for this answer ([`Error::BadCredentials`],
    /// [`Error::SsoRequired`], [`Error::RateLimited`] with the server's limit and reset time,
    /// [`Error::Forbidden`], [`Error::NotFound`], [`Error::Http`]). `None` for a 2xx.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// `X-OAuth-Scopes`, split (classic and OAuth tokens only; `None` for fine-grained ones).
    pub fn oauth_scopes(&self) -> Option<&[String]> {
        self.oauth_scopes.as_deref()
    }

    /// `X-Accepted-GitHub-Permissions`: the fine-grained permissions GitHub would accept for
    /// this request (e.g. `contents=read`).
    pub fn accepted_permissions(&self) -> Option<&str> {
        self.accepted_permissions.as_deref()
    }

    /// What `X-GitHub-SSO` says, if GitHub sent it.
    pub fn sso(&self) -> Option<&Sso> {
        self.sso.as_ref()
    }

    /// The account's `login`, from the body of `GET /user`.
    pub fn login(&self) -> Option<&str> {
        self.body.as_ref()?.get("login")?.as_str()
    }

    /// GitHub's `message` from a JSON body.
    pub fn message(&self) -> Option<&str> {
        self.body.as_ref()?.get("message")?.as_str()
    }

    /// The body, if it was JSON.
    pub fn body(&self) -> Option<&serde_json::Value> {
        self.body.as_ref()
    }
}

/// GitHub's `message` field, on one line and at most 300 characters.
fn github_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let m = v.get("message")?.as_str()?;
    let one_line: String = m.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(if one_line.chars().count() > 300 {
        one_line.chars().take(300).collect::<String>() + "…"
    } else {
        one_line
    })
}

impl Inner {
    /// Returns true if and only if a request to `url` carries the token: only when the URL's
    /// origin (scheme, host, port) is the configured API origin.
    pub(crate) fn sends_token_to(&self, url: &str) -> bool {
        self.credential.is_some() && Origin::of(url).as_ref() == Some(&self.api_origin)
    }

    fn token_source_for(&self, url: &str) -> Option<String> {
        self.sends_token_to(url)
            .then(|| self.credential.as_ref().map(|c| c.source().to_owned()))
            .flatten()
    }

    /// The HTTP agent, built on first use (see [`Inner::agent`]'s field).
    fn agent(&self) -> Result<&Agent, Failure> {
        let built = self.agent.get_or_init(|| {
            (self.make_agent)().map_err(|e| match e {
                Error::TrustRoots { path, reason } => (path, reason),
                other => (std::path::PathBuf::new(), other.to_string()),
            })
        });
        built.as_ref().map_err(|(path, reason)| Failure {
            retry: Retry::Never,
            error: Error::TrustRoots {
                path: path.clone(),
                reason: reason.clone(),
            },
        })
    }

    /// Sends one GET. GitHub's API headers (and the token) go only to the API origin.
    pub(crate) fn send(
        &self,
        url: &str,
        accept: &str,
        extra: &[(&str, String)],
    ) -> Result<Response<Body>, Failure> {
        let agent = self.agent()?;
        let mut req = agent
            .get(url)
            .header("Accept", accept)
            .header("User-Agent", self.user_agent.as_str());
        if Origin::of(url).as_ref() == Some(&self.api_origin) {
            req = req.header("X-GitHub-Api-Version", API_VERSION);
            if let Some(c) = &self.credential {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", c.expose()))
                    .map_err(|e| transport_failure(url, ureq::Error::Http(e.into())))?;
                // Keeps the value out of `Debug` output of the request.
                value.set_sensitive(true);
                req = req.header("Authorization", value);
            }
        }
        for (name, value) in extra {
            req = req.header(*name, value.as_str());
        }
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(url = %redact(url), "GET");
        req.call().map_err(|e| transport_failure(url, e))
    }

    /// GET with retries; the body is read into memory. Statuses outside `pass` become errors.
    pub(crate) fn fetch(
        &self,
        url: &str,
        accept: &str,
        extra: &[(&str, String)],
        ctx: &Ctx,
        pass: Pass,
    ) -> Result<Fetched, Error> {
        let mut attempts = Attempts::default();
        let mut current = url.to_owned();
        let mut hops = 0;
        loop {
            let failure = match self.fetch_once(&current, accept, extra) {
                // A renamed or transferred repository answers 301 to its new API URL.
                Ok(f) if is_redirect(f.status) => {
                    current = self.api_redirect(&current, &f, &mut hops)?;
                    continue;
                }
                Ok(f) => {
                    let passes = f.status < 400
                        || (pass == Pass::NotFound && f.status == 404)
                        || (pass == Pass::AnyClientError && f.status < 500);
                    if passes {
                        return Ok(f);
                    }
                    self.classify(&f, &current, ctx)
                }
                Err(failure) => failure,
            };
            self.retry_or_fail(failure, &mut attempts)?;
        }
    }

    /// Follows an API redirect, which must stay on the API origin (the token goes with it).
    fn api_redirect(&self, from: &str, f: &Fetched, hops: &mut u32) -> Result<String, Error> {
        *hops += 1;
        let bad = |reason| Error::BadRedirect {
            url: redact(from),
            reason,
        };
        if *hops > MAX_REDIRECTS {
            return Err(bad("too many redirects"));
        }
        let location = f
            .headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| bad("the response has no Location header"))?;
        let target = redirect_target(from, location)?;
        if Origin::of(&target).as_ref() != Some(&self.api_origin) {
            return Err(bad("an API response redirects to another host"));
        }
        Ok(target)
    }

    /// Pauses before the next attempt, or returns the error if it is final.
    ///
    /// A rate-limit wait is announced ([`Notice::RateLimitWait`]) before sleeping, and refused
    /// once the request's waits would exceed [`RetryPolicy::rate_limit_budget`]: then the
    /// rate-limit error (which names the reset time) is returned.
    pub(crate) fn retry_or_fail(
        &self,
        failure: Failure,
        attempts: &mut Attempts,
    ) -> Result<(), Error> {
        attempts.failed += 1;
        let failed = attempts.failed;
        let wait = match failure.retry {
            Retry::Never => None,
            Retry::Backoff => Some(backoff(&self.retry, failed, jitter_random())),
            Retry::After(wait) => {
                let total = attempts.rate_limited_for + wait;
                if total > self.retry.rate_limit_budget {
                    None
                } else {
                    attempts.rate_limited_for = total;
                    Some(wait)
                }
            }
        };
        match wait {
            Some(wait) if failed < self.retry.max_attempts => {
                tracing::debug!(attempt = failed, ?wait, error = %failure.error, "retrying");
                if matches!(failure.retry, Retry::After(_)) {
                    self.notify.notify(&Notice::RateLimitWait {
                        host: self.host.to_string(),
                        wait,
                        until: unix_now() + wait.as_secs(),
                    });
                }
                self.counters.retries.fetch_add(1, Ordering::Relaxed);
                pause(&self.retry, wait);
                Ok(())
            }
            _ => Err(failure.error),
        }
    }

    fn fetch_once(
        &self,
        url: &str,
        accept: &str,
        extra: &[(&str, String)],
    ) -> Result<Fetched, Failure> {
        let mut resp = self.send(url, accept, extra)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let limit = if status >= 400 {
            ERROR_BODY_LIMIT
        } else {
            BODY_LIMIT
        };
        let body = resp.body_mut().with_config().limit(limit).read_to_vec();
        let body = match body {
            Ok(b) => b,
            // An oversized error body is still an error response; its message is not needed.
            Err(_) if status >= 400 => Vec::new(),
            Err(e) => return Err(transport_failure(url, e)),
        };
        self.counters
            .bytes
            .fetch_add(body.len() as u64, Ordering::Relaxed);
        if let Some(expected) = content_length(&headers)
            && (body.len() as u64) < expected
            && status != 304
        {
            return Err(Failure {
                error: Error::ShortBody {
                    url: redact(url),
                    expected,
                    got: body.len() as u64,
                },
                retry: Retry::Backoff,
            });
        }
        Ok(Fetched {
            status,
            headers,
            body,
        })
    }

    /// A fetched answer to a probe of `url`, read and classified.
    fn probe_answer(&self, url: &str, ctx: &Ctx, f: &Fetched) -> Probe {
        let header = |name: &str| f.headers.get(name).and_then(|v| v.to_str().ok());
        Probe {
            status: f.status,
            url: redact(url),
            token_sent: self.sends_token_to(url),
            body: serde_json::from_slice(&f.body).ok(),
            oauth_scopes: header("x-oauth-scopes").map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            }),
            accepted_permissions: header("x-accepted-github-permissions")
                .map(|v| v.trim().to_owned()),
            sso: header("x-github-sso").and_then(Sso::parse),
            error: (!(200..=299).contains(&f.status)).then(|| self.classify(f, url, ctx).error),
        }
    }

    /// Maps an error status to an [`Error`] and decides whether it is worth retrying.
    pub(crate) fn classify(&self, f: &Fetched, url: &str, ctx: &Ctx) -> Failure {
        let message = github_message(&f.body);
        let host = self.host.to_string();
        let token_source = self.token_source_for(url);
        let header = |name: &str| f.headers.get(name).and_then(|v| v.to_str().ok());
        let plain = |error| Failure {
            error,
            retry: Retry::Never,
        };
        match f.status {
            401 => plain(Error::BadCredentials { host, token_source }),
            403 | 429 => {
                if let Some(Sso::Required { url }) = header("x-github-sso").and_then(Sso::parse) {
                    return plain(Error::SsoRequired {
                        host,
                        token_source: token_source.unwrap_or_else(|| "no token".to_owned()),
                        url,
                    });
                }
                let now = unix_now();
                if let Some(rl) = rate_limit(f.status, &f.headers, message.as_deref(), now) {
                    let near = rl.wait <= self.retry.rate_limit_patience;
                    return Failure {
                        retry: if near {
                            Retry::After(rl.wait + Duration::from_secs(1))
                        } else {
                            Retry::Never
                        },
                        error: Error::RateLimited {
                            host,
                            token_source,
                            limit: rl.limit,
                            reset_at: rl.reset_at,
                            wait: Some(rl.wait),
                        },
                    };
                }
                plain(Error::Forbidden {
                    host,
                    url: redact(url),
                    message: message.unwrap_or_else(|| "Forbidden".to_owned()),
                    accepted_permissions: header("x-accepted-github-permissions")
                        .map(str::to_owned),
                })
            }
            404 => {
                let bad_ref = ctx.git_ref.as_ref().filter(|_| {
                    message
                        .as_deref()
                        .is_some_and(|m| m.starts_with("No commit found for the ref"))
                });
                let what = match (bad_ref, &ctx.repo) {
                    (Some(r), Some(repo)) => format!("ref `{r}` of {repo}"),
                    _ => ctx.what.clone(),
                };
                plain(Error::NotFound {
                    host,
                    what,
                    repo: ctx.repo.clone(),
                    token_source,
                })
            }
            status => Failure {
                retry: if status >= 500 || status == 408 {
                    Retry::Backoff
                } else {
                    Retry::Never
                },
                error: Error::Http {
                    status,
                    url: redact(url),
                    message,
                },
            },
        }
    }

    /// The cross-process lock for one logical request (a no-op without a cache).
    pub(crate) fn lock(&self, url: &str, accept: &str) -> Option<crate::cache::LockGuard> {
        let cache = self.cache.as_ref()?;
        Some(cache.lock(&Cache::key(self.host.as_str(), url, accept, &self.identity)))
    }

    /// A GET through the cache (see [`crate::cache`] for the rules).
    ///
    /// `fresh` turns a network body into the value and the bytes to store; `cached` turns
    /// stored bytes back into the value (`None` = corrupt, treated as a miss).
    #[allow(clippy::type_complexity)]
    pub(crate) fn cached_get<T>(
        &self,
        url: &str,
        accept: &str,
        ctx: &Ctx,
        pass: Pass,
        fresh: &dyn Fn(&[u8]) -> Result<(T, Vec<u8>), Error>,
        cached: &dyn Fn(&[u8]) -> Option<T>,
    ) -> Result<Answer<T>, Error> {
        self.cached_get_fresh_for(url, accept, ctx, pass, fresh, cached, &|_| self.freshness)
    }

    /// [`Inner::cached_get`] with a freshness window chosen per stored answer (`None` for a
    /// cached 404): content-addressed answers can stay fresh longer than listings.
    #[allow(clippy::type_complexity, clippy::too_many_arguments)]
    pub(crate) fn cached_get_fresh_for<T>(
        &self,
        url: &str,
        accept: &str,
        ctx: &Ctx,
        pass: Pass,
        fresh: &dyn Fn(&[u8]) -> Result<(T, Vec<u8>), Error>,
        cached: &dyn Fn(&[u8]) -> Option<T>,
        fresh_for: &dyn Fn(Option<&T>) -> Duration,
    ) -> Result<Answer<T>, Error> {
        let now = unix_now();
        let key = Cache::key(self.host.as_str(), url, accept, &self.identity);
        let entry = self.cache.as_ref().and_then(|c| {
            let e = c.load(&key, url, accept)?;
            match e.meta.status {
                404 => Some((e, None)),
                _ => cached(&e.body).map(|v| (e, Some(v))),
            }
        });
        if self.offline {
            let (e, value) = entry.ok_or_else(|| Error::NotInCache { url: redact(url) })?;
            self.counters.cache_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(Answer {
                value,
                next: e.meta.next,
            });
        }
        let entry = match entry {
            Some((e, value)) => {
                let age = now.checked_sub(e.meta.fetched_at);
                if age.is_some_and(|a| Duration::from_secs(a) < fresh_for(value.as_ref())) {
                    self.counters.cache_hits.fetch_add(1, Ordering::Relaxed);
                    return Ok(Answer {
                        value,
                        next: e.meta.next,
                    });
                }
                Some((e, value))
            }
            None => None,
        };
        let mut validators = Vec::new();
        if let Some((e, _)) = entry.as_ref().filter(|(e, _)| e.meta.status == 200) {
            if let Some(etag) = &e.meta.etag {
                validators.push(("If-None-Match", etag.clone()));
            } else if let Some(lm) = &e.meta.last_modified {
                validators.push(("If-Modified-Since", lm.clone()));
            }
        }
        let f = self.fetch(url, accept, &validators, ctx, pass)?;
        let store = |meta: Meta, body: &[u8]| {
            if let Some(c) = &self.cache {
                c.store(
                    &key,
                    &Entry {
                        meta,
                        body: body.to_vec(),
                    },
                );
            }
        };
        let header = |name: &str| {
            f.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        match (f.status, entry) {
            (304, Some((mut e, value))) => {
                self.counters.not_modified.fetch_add(1, Ordering::Relaxed);
                e.meta.fetched_at = now;
                // A 304 may carry a new ETag (e.g. weak/strong change); keep the newest.
                if let Some(etag) = header("etag") {
                    e.meta.etag = Some(etag);
                }
                store(e.meta.clone(), &e.body);
                Ok(Answer {
                    value,
                    next: e.meta.next,
                })
            }
            (404, _) => {
                if self.is_bad_ref(&f, ctx) {
                    return Err(self.classify(&f, url, ctx).error);
                }
                store(self.meta(url, accept, 404, None, None, None, now), &[]);
                Ok(Answer {
                    value: None,
                    next: None,
                })
            }
            (200..=299, _) => {
                let (value, stored) = fresh(&f.body)?;
                let next = header("link").as_deref().and_then(next_link);
                store(
                    self.meta(
                        url,
                        accept,
                        200,
                        header("etag"),
                        header("last-modified"),
                        next.clone(),
                        now,
                    ),
                    &stored,
                );
                Ok(Answer {
                    value: Some(value),
                    next,
                })
            }
            (status, _) => Err(Error::Http {
                status,
                url: redact(url),
                message: Some(if status == 304 {
                    "304 Not Modified without a cached entry".to_owned()
                } else {
                    "unexpected status for an API request".to_owned()
                }),
            }),
        }
    }

    fn is_bad_ref(&self, f: &Fetched, ctx: &Ctx) -> bool {
        ctx.git_ref.is_some()
            && github_message(&f.body).is_some_and(|m| m.starts_with("No commit found for the ref"))
    }

    #[allow(clippy::too_many_arguments)]
    fn meta(
        &self,
        url: &str,
        accept: &str,
        status: u16,
        etag: Option<String>,
        last_modified: Option<String>,
        next: Option<String>,
        now: u64,
    ) -> Meta {
        Meta {
            v: 1,
            url: url.to_owned(),
            accept: accept.to_owned(),
            status,
            etag,
            last_modified,
            next,
            fetched_at: now,
        }
    }
}

/// A transport error as a failure: retried (with backoff) if it may be transient; a rejected
/// certificate is its own error (never retried) that says how to trust a CA.
pub(crate) fn transport_failure(url: &str, e: ureq::Error) -> Failure {
    if let Some(reason) = crate::tls::rejected_certificate(&e) {
        return Failure {
            retry: Retry::Never,
            error: Error::UntrustedCertificate {
                host: Origin::host_of(url).unwrap_or_else(|| redact(url)),
                reason,
                source: Box::new(e),
            },
        };
    }
    Failure {
        retry: if retry::transient(&e) {
            Retry::Backoff
        } else {
            Retry::Never
        },
        error: Error::Network {
            url: redact(url),
            source: Box::new(e),
        },
    }
}

/// Returns true if and only if `status` is a redirect we follow.
pub(crate) fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The `Content-Length` header, if present and numeric.
pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    fn client(api_url: &str) -> GitHub {
        let mut cfg = ClientConfig::new(Host::github_com());
        cfg.api_url = api_url.to_owned();
        cfg.credential = Some(Credential::new(SecretString::from("ghp_x"), "test"));
        GitHub::new(cfg).unwrap()
    }

    #[test]
    fn token_goes_only_to_the_api_origin() {
        let gh = client("https://api.github.com");
        let inner = &gh.inner;
        assert!(inner.sends_token_to("https://api.github.com/repos/a/b/releases"));
        assert!(inner.sends_token_to("https://API.GITHUB.COM:443/x"));
        for other in [
            "https://objects.githubusercontent.com/x",
            "http://api.github.com/x",
            "https://api.github.com:8443/x",
            "https://api.github.com.evil.example/x",
            "https://github.com/a/b/releases/download/t/f",
        ] {
            assert!(!inner.sends_token_to(other), "{other}");
        }
        let ghes = client("http://127.0.0.1:9/api/v3");
        assert!(
            ghes.inner
                .sends_token_to("http://127.0.0.1:9/api/v3/repos/a/b")
        );
        assert!(!ghes.inner.sends_token_to("http://127.0.0.1:10/a"));
    }

    #[test]
    fn new_refuses_insecure_urls_and_bad_proxies() {
        let mut cfg = ClientConfig::new(Host::github_com());
        cfg.api_url = "http://api.github.com".to_owned();
        assert!(matches!(
            GitHub::new(cfg.clone()),
            Err(Error::InvalidApiUrl { .. })
        ));
        cfg.api_url = "https://api.github.com/".to_owned();
        assert_eq!(
            GitHub::new(cfg.clone()).unwrap().api_url(),
            "https://api.github.com"
        );
        cfg.proxy = Some("::not a proxy::".to_owned());
        assert!(matches!(GitHub::new(cfg), Err(Error::InvalidProxy)));
    }

    #[test]
    fn sso_header_parsing() {
        let url = "https://github.com/orgs/acme/sso?authorization_request=X";
        assert_eq!(
            Sso::parse(&format!("required; url={url}")),
            Some(Sso::Required {
                url: Some(url.to_owned())
            })
        );
        assert_eq!(Sso::parse("required"), Some(Sso::Required { url: None }));
        assert_eq!(
            Sso::parse("partial-results; organizations=21955855, 20582480"),
            Some(Sso::PartialResults {
                organizations: vec!["21955855".to_owned(), "20582480".to_owned()]
            })
        );
        assert_eq!(Sso::parse("something-else; url=x"), None);
    }

    #[test]
    fn github_messages_are_one_bounded_line() {
        assert_eq!(
            github_message(br#"{"message": "Bad\n  credentials"}"#).as_deref(),
            Some("Bad credentials")
        );
        let long = format!(r#"{{"message": "{}"}}"#, "x".repeat(500));
        assert_eq!(
            github_message(long.as_bytes()).unwrap().chars().count(),
            301
        );
        assert_eq!(github_message(b"<html>"), None);
    }

    #[test]
    fn debug_shows_no_token() {
        let gh = client("https://api.github.com");
        let debug = format!("{gh:?}");
        assert!(!debug.contains("ghp_x"), "{debug}");
        assert!(debug.contains("test"));
    }
}
