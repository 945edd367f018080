//! The fake GitHub: an API listener and a separate asset-storage listener on loopback.
//!
//! Behaviours our code depends on, as GitHub documents and shows them (REST API docs at
//! <https://docs.github.com/en/rest>; the relevant facts are summarized below):
//!
//! - the API is served at the root (api.github.com style) **and** under `/api/v3` (GitHub
//!   Enterprise Server style);
//! - private repositories answer `404 {"message":"Not Found"}` to anyone without access; an
//!   unknown token gets `401 Bad credentials` everywhere; a token not authorized for an org's
//!   SAML SSO gets `403` with `X-GitHub-SSO: required; url=…`;
//! - release and tag listings paginate (`per_page` default 30, max 100) with RFC 5988 `Link`
//!   headers and list newest first; drafts are visible only to tokens with push access;
//! - JSON responses carry an `ETag`; `If-None-Match` gives a `304` that costs no rate limit;
//!   every other API response consumes one unit and carries `x-ratelimit-*` headers; a spent
//!   budget gives `403 API rate limit exceeded`;
//! - `Accept: application/octet-stream` on an asset's API URL redirects (302) to the storage
//!   listener with a signed URL; storage rejects any request carrying `Authorization` with a
//!   400 (like S3) and counts it as a leak;
//! - for git-backed repositories ([`Repo::git`]), the git endpoints — tag refs, annotated tag
//!   objects, commits, compare and trees — and the contents API at any `ref` are answered from
//!   a real git repository (see `provenance.rs` for the shapes);
//! - artifact attestations by subject digest, with cursor pages and snappy-compressed
//!   `bundle_url` downloads from storage (see [`crate::attestations`]).
//!
//! Tests inject faults (a status N times, a reset or truncated body, a delay) and assert on the
//! request log, which records whether a request carried a token and whose it was — never the
//! token itself.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use serde::Serialize;
use serde_json::{Value, json};

mod attestations;
mod provenance;

use crate::http::{self, Delivery, Request, Response};
use crate::model::{Release, Repo, TokenSpec, sha256_hex};

/// Which listener served a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Listener {
    /// The REST API (and the web host's `/releases/download/` URLs).
    Api,
    /// The asset storage host that signed redirects point at.
    Storage,
}

/// One request as the fake saw it. Never holds a token.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    /// Which listener got it.
    pub listener: Listener,
    /// HTTP method.
    pub method: String,
    /// Path without the query and without an `/api/v3` prefix, still percent-encoded.
    pub path: String,
    /// Raw query string.
    pub query: String,
    /// Whether the request carried an `Authorization` header.
    pub authorized: bool,
    /// The login of the token it carried, when the token is known.
    pub login: Option<String>,
    /// The `Accept` header.
    pub accept: Option<String>,
    /// The `User-Agent` header (GitHub rejects requests without one).
    pub user_agent: Option<String>,
    /// The `X-GitHub-Api-Version` header.
    pub api_version: Option<String>,
    /// Whether it was conditional (`If-None-Match`).
    pub conditional: bool,
    /// The `Range` header, if any (resumed downloads).
    pub range: Option<String>,
    /// Status sent.
    pub status: u16,
    /// Whether it consumed primary rate limit.
    pub rate_limited: bool,
}

/// Kinds of injected faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer with this status (and a GitHub-style JSON message).
    Status(u16),
    /// Send the headers and half of the body, then reset the connection.
    ResetMidBody,
    /// Send the headers (with the full Content-Length) and half of the body, then close.
    TruncateBody,
    /// Wait this long before answering normally.
    Delay(Duration),
    /// Send the headers and half of the body, pause this long, then send the rest.
    StallMidBody(Duration),
    /// A secondary rate limit: 403 with `Retry-After: <seconds>` and GitHub's message.
    SecondaryRateLimit {
        /// Seconds to wait, sent as `Retry-After`.
        retry_after: u64,
    },
}

/// A fault applied to the next `times` requests whose path contains `path_contains`.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Substring of the request path (after any `/api/v3` prefix) that selects requests.
    pub path_contains: String,
    /// What to do.
    pub kind: FaultKind,
    /// How many matching requests it applies to.
    pub times: usize,
}

impl Fault {
    /// `kind` for the next request matching `path_contains`.
    pub fn new(path_contains: &str, kind: FaultKind) -> Fault {
        Fault {
            path_contains: path_contains.to_owned(),
            kind,
            times: 1,
        }
    }

    /// Applies to `n` matching requests instead of one.
    pub fn times(mut self, n: usize) -> Fault {
        self.times = n;
        self
    }
}

/// Rate-limit budgets per hour.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// Budget for requests without a token (GitHub: 60).
    pub anonymous: u32,
    /// Budget per token (GitHub: 5000).
    pub authenticated: u32,
}

impl Default for RateLimits {
    fn default() -> RateLimits {
        RateLimits {
            anonymous: 60,
            authenticated: 5000,
        }
    }
}

#[derive(Default)]
struct State {
    repos: BTreeMap<(String, String), Repo>,
    tokens: HashMap<String, TokenSpec>,
    limits: RateLimits,
    used: HashMap<String, u32>,
    next_id: u64,
    faults: Vec<Fault>,
    log: Vec<LoggedRequest>,
    leaks: usize,
    /// Storage answers `Range` requests with the whole body (200), as some servers do.
    ignore_ranges: bool,
}

struct Inner {
    state: Mutex<State>,
    storage_addr: SocketAddr,
    /// Where signed asset URLs point instead of the plain storage listener (an HTTPS front).
    storage_base: Mutex<Option<String>>,
    secret: String,
    reset_at: u64,
    shutdown: AtomicBool,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking handler must not take every later test down with a poisoned lock.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running fake GitHub. Dropping it stops both listeners.
pub struct FakeGitHub {
    inner: Arc<Inner>,
    api_addr: SocketAddr,
}

impl FakeGitHub {
    /// Starts both listeners on `127.0.0.1` at random ports.
    pub fn start() -> FakeGitHub {
        FakeGitHub::start_on(0, 0).expect("bind loopback listeners")
    }

    /// Starts on given ports (0 = random).
    pub fn start_on(api_port: u16, storage_port: u16) -> std::io::Result<FakeGitHub> {
        let api = TcpListener::bind(("127.0.0.1", api_port))?;
        let storage = TcpListener::bind(("127.0.0.1", storage_port))?;
        let now = unix_now();
        let inner = Arc::new(Inner {
            state: Mutex::new(State {
                next_id: 1000,
                ..State::default()
            }),
            storage_addr: storage.local_addr()?,
            storage_base: Mutex::new(None),
            secret: sha256_hex(format!("{now}{:?}", std::thread::current().id()).as_bytes()),
            reset_at: now + 3600,
            shutdown: AtomicBool::new(false),
        });
        let api_addr = api.local_addr()?;
        spawn_accept(api, inner.clone(), Listener::Api, "http");
        spawn_accept(storage, inner.clone(), Listener::Storage, "http");
        Ok(FakeGitHub { inner, api_addr })
    }

    /// `http://127.0.0.1:<port>`: the api.github.com-style base URL.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.api_addr)
    }

    /// `http://127.0.0.1:<port>/api/v3`: the Enterprise Server-style base URL.
    pub fn ghes_api_url(&self) -> String {
        format!("http://{}/api/v3", self.api_addr)
    }

    /// The storage listener's base URL.
    pub fn storage_url(&self) -> String {
        format!("http://{}", self.inner.storage_addr)
    }

    /// The API listener's address.
    pub fn api_addr(&self) -> SocketAddr {
        self.api_addr
    }

    /// Adds (or replaces) a repository, assigning ids to its releases and assets.
    pub fn add_repo(&self, mut repo: Repo) {
        let mut state = self.inner.lock();
        for release in &mut repo.releases {
            state.next_id += 1;
            release.id = state.next_id;
            for asset in &mut release.assets {
                state.next_id += 1;
                asset.id = state.next_id;
            }
        }
        state
            .repos
            .insert((repo.owner.to_lowercase(), repo.name.to_lowercase()), repo);
    }

    /// Changes a repository in place (ids are assigned to new releases and assets).
    pub fn update_repo(&self, owner: &str, name: &str, change: impl FnOnce(&mut Repo)) {
        let mut state = self.inner.lock();
        let key = (owner.to_lowercase(), name.to_lowercase());
        let mut repo = state.repos.remove(&key).expect("repo exists");
        change(&mut repo);
        for release in &mut repo.releases {
            if release.id == 0 {
                state.next_id += 1;
                release.id = state.next_id;
            }
            for asset in &mut release.assets {
                if asset.id == 0 {
                    state.next_id += 1;
                    asset.id = state.next_id;
                }
            }
        }
        state.repos.insert(key, repo);
    }

    /// Replaces an asset's bytes without touching its `digest` or any checksums file:
    /// a tampered download.
    pub fn tamper_asset(&self, owner: &str, repo: &str, asset_name: &str, bytes: Vec<u8>) {
        self.update_repo(owner, repo, |r| {
            let mut found = false;
            for release in &mut r.releases {
                for asset in &mut release.assets {
                    if asset.name == asset_name {
                        asset.bytes = Arc::new(bytes.clone());
                        found = true;
                    }
                }
            }
            assert!(found, "no asset {asset_name} in {owner}/{repo}");
        });
    }

    /// Stores an attestation bundle (JSON) in `owner/repo`, findable by its subjects'
    /// sha256 digests.
    pub fn add_attestation(&self, owner: &str, repo: &str, bundle: Vec<u8>) {
        let attestation = crate::model::Attestation::from_bundle(bundle);
        self.update_repo(owner, repo, |r| r.attestations.push(attestation));
    }

    /// Registers a token.
    pub fn add_token(&self, spec: TokenSpec) {
        self.inner.lock().tokens.insert(spec.token.clone(), spec);
    }

    /// Sets the hourly budgets (and resets usage).
    pub fn set_rate_limits(&self, limits: RateLimits) {
        let mut state = self.inner.lock();
        state.limits = limits;
        state.used.clear();
    }

    /// Queues a fault.
    pub fn inject(&self, fault: Fault) {
        self.inner.lock().faults.push(fault);
    }

    /// A copy of the request log.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.inner.lock().log.clone()
    }

    /// Empties the request log.
    pub fn clear_log(&self) {
        self.inner.lock().log.clear();
    }

    /// Number of logged requests whose path contains `fragment`.
    pub fn count(&self, fragment: &str) -> usize {
        self.inner
            .lock()
            .log
            .iter()
            .filter(|r| r.path.contains(fragment))
            .count()
    }

    /// Number of API requests that consumed rate limit (not 304s, not `/rate_limit`).
    pub fn rate_limited_requests(&self) -> usize {
        self.inner
            .lock()
            .log
            .iter()
            .filter(|r| r.rate_limited)
            .count()
    }

    /// Makes storage ignore `Range` headers (answering 200 with the whole asset), like a
    /// server without range support.
    pub fn ignore_ranges(&self, ignore: bool) {
        self.inner.lock().ignore_ranges = ignore;
    }

    /// Number of requests to the storage host that carried `Authorization` (must stay 0).
    pub fn storage_auth_leaks(&self) -> usize {
        self.inner.lock().leaks
    }

    /// Hook for the HTTPS front (`tls` module): a further plain listener for `which`, on
    /// loopback, whose answers name `https://` URLs (links, redirects) because a TLS front
    /// forwards to it. The two listeners above are unchanged.
    pub(crate) fn tls_backend(&self, which: Listener) -> std::io::Result<SocketAddr> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        spawn_accept(listener, self.inner.clone(), which, "https");
        Ok(addr)
    }

    /// Hook for the HTTPS front: signed asset URLs point at `base` (e.g. an HTTPS storage
    /// front) instead of the plain storage listener; `None` restores the default.
    pub(crate) fn set_storage_base(&self, base: Option<String>) {
        *self
            .inner
            .storage_base
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = base;
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        self.inner.shutdown.store(true, Ordering::SeqCst);
        // Connection threads may outlive the server (and keep `inner` alive until the process
        // exits, when no destructor runs): drop the repositories now so git-backed ones
        // remove their temporary directories.
        self.inner.lock().repos.clear();
        // Wake both accept loops so their threads end.
        let _ = TcpStream::connect(self.api_addr);
        let _ = TcpStream::connect(self.inner.storage_addr);
    }
}

fn spawn_accept(listener: TcpListener, inner: Arc<Inner>, which: Listener, scheme: &'static str) {
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            if inner.shutdown.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let inner = inner.clone();
            std::thread::spawn(move || {
                http::serve_connection(stream, &|req| handle(&inner, which, scheme, req));
            });
        }
    });
}

fn unix_now() -> u64 {
    util::time::unix_now()
}

fn iso8601(secs: u64) -> String {
    util::time::rfc3339(UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

/// Applies the first matching queued fault, if any.
fn take_fault(state: &mut State, path: &str) -> Option<FaultKind> {
    let i = state
        .faults
        .iter()
        .position(|f| f.times > 0 && path.contains(&f.path_contains))?;
    let fault = &mut state.faults[i];
    fault.times -= 1;
    let kind = fault.kind;
    if fault.times == 0 {
        state.faults.remove(i);
    }
    Some(kind)
}

fn apply_fault(kind: Option<FaultKind>, response: Response) -> Response {
    match kind {
        None => response,
        Some(FaultKind::Status(code)) => Response::message(code, "injected fault"),
        Some(FaultKind::SecondaryRateLimit { retry_after }) => Response::message(
            403,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try \
             again.",
        )
        .header("Retry-After", retry_after.to_string()),
        Some(FaultKind::ResetMidBody) => Response {
            delivery: Delivery::Reset,
            ..response
        },
        Some(FaultKind::TruncateBody) => Response {
            delivery: Delivery::Truncate,
            ..response
        },
        Some(FaultKind::Delay(d)) => Response {
            delay: Some(d),
            ..response
        },
        Some(FaultKind::StallMidBody(d)) => Response {
            delivery: Delivery::Stall(d),
            ..response
        },
    }
}

fn bearer(req: &Request) -> Option<String> {
    let value = req.header("authorization")?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
        .then(|| token.trim().to_owned())
}

fn handle(inner: &Inner, which: Listener, scheme: &str, req: &Request) -> Response {
    if which == Listener::Api && req.path.starts_with("/_testkit/") {
        return control(inner, req);
    }
    let (prefix, path) = match req.path.strip_prefix("/api/v3") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => ("/api/v3", rest),
        _ => ("", req.path.as_str()),
    };
    let path = if path.is_empty() { "/" } else { path };
    let mut state = inner.lock();
    let fault = take_fault(&mut state, path);
    let token = bearer(req);
    let spec = token.as_ref().and_then(|t| state.tokens.get(t).cloned());
    let mut entry = LoggedRequest {
        listener: which,
        method: req.method.clone(),
        path: path.to_owned(),
        query: req.query.clone(),
        authorized: req.header("authorization").is_some(),
        login: spec.as_ref().map(|s| s.login.clone()),
        accept: req.header("accept").map(str::to_owned),
        user_agent: req.header("user-agent").map(str::to_owned),
        api_version: req.header("x-github-api-version").map(str::to_owned),
        conditional: req.header("if-none-match").is_some(),
        range: req.header("range").map(str::to_owned),
        status: 0,
        rate_limited: false,
    };
    let response = match which {
        Listener::Storage => storage(inner, &mut state, req, path),
        Listener::Api => api(
            inner, &mut state, req, scheme, prefix, path, token, spec, &mut entry,
        ),
    };
    let response = apply_fault(fault, response);
    entry.status = response.status;
    state.log.push(entry);
    response
}

#[allow(clippy::too_many_arguments)]
fn api(
    inner: &Inner,
    state: &mut State,
    req: &Request,
    scheme: &str,
    prefix: &str,
    path: &str,
    token: Option<String>,
    spec: Option<TokenSpec>,
    entry: &mut LoggedRequest,
) -> Response {
    if token.is_some() && spec.is_none() {
        return Response::message(401, "Bad credentials");
    }
    let identity = token
        .as_ref()
        .map_or_else(|| "anonymous".to_owned(), |t| sha256_hex(t.as_bytes()));
    let limit = if spec.is_some() {
        state.limits.authenticated
    } else {
        state.limits.anonymous
    };
    let used = state.used.get(&identity).copied().unwrap_or(0);

    if path == "/rate_limit" {
        // Free, like GitHub's.
        let core = json!({"limit": limit, "remaining": limit.saturating_sub(used), "used": used,
                          "reset": inner.reset_at, "resource": "core"});
        return rate_headers(
            Response::json(200, &json!({"resources": {"core": core}, "rate": core})),
            inner,
            limit,
            used,
        );
    }

    let host = req.header("host").unwrap_or("127.0.0.1").to_owned();
    let base = format!("{scheme}://{host}{prefix}");
    let ctx = Ctx {
        inner,
        state,
        req,
        spec: spec.as_ref(),
        base: &base,
    };
    let response = route(&ctx, path);

    let conditional_hit = response.status == 200
        && match (req.header("if-none-match"), response.get_header("ETag")) {
            (Some(sent), Some(etag)) => sent.split(',').any(|s| s.trim() == etag),
            _ => false,
        };
    let mut response = if conditional_hit {
        // 304s cost nothing when the request is authorized (and anonymous ones are cheap here too).
        let etag = response.get_header("ETag").unwrap_or_default().to_owned();
        Response::new(304).header("ETag", etag)
    } else if used >= limit {
        Response::message(
            403,
            "API rate limit exceeded for this identity. (But here's the good news: \
             Authenticated requests get a higher rate limit.)",
        )
    } else {
        *state.used.entry(identity.clone()).or_default() += 1;
        entry.rate_limited = true;
        response
    };
    let used_now = state.used.get(&identity).copied().unwrap_or(0);
    response = rate_headers(response, inner, limit, used_now);
    if let Some(spec) = &spec {
        if spec.uses_scopes() {
            response = response.header("X-OAuth-Scopes", spec.scopes.join(", "));
        } else if path.starts_with("/repos/") {
            response = response.header("X-Accepted-GitHub-Permissions", "contents=read");
        }
    }
    response.header("Vary", "Accept, Authorization, Cookie")
}

fn rate_headers(response: Response, inner: &Inner, limit: u32, used: u32) -> Response {
    response
        .header("x-ratelimit-limit", limit.to_string())
        .header(
            "x-ratelimit-remaining",
            limit.saturating_sub(used).to_string(),
        )
        .header("x-ratelimit-used", used.to_string())
        .header("x-ratelimit-reset", inner.reset_at.to_string())
        .header("x-ratelimit-resource", "core")
}

pub(crate) struct Ctx<'a> {
    inner: &'a Inner,
    state: &'a State,
    req: &'a Request,
    spec: Option<&'a TokenSpec>,
    pub(crate) base: &'a str,
}

/// Why a repository cannot be shown.
enum Denied {
    NotFound,
    Sso(String),
}

impl Ctx<'_> {
    fn repo(&self, owner: &str, name: &str) -> Result<(&Repo, bool), Denied> {
        let repo = self
            .state
            .repos
            .get(&(owner.to_lowercase(), name.to_lowercase()))
            .ok_or(Denied::NotFound)?;
        let granted = self.spec.is_some_and(|s| s.grants_repo(owner, name));
        if let Some(spec) = self.spec
            && granted
            && spec
                .sso_unauthorized
                .iter()
                .any(|o| o.eq_ignore_ascii_case(&repo.owner))
        {
            return Err(Denied::Sso(repo.owner.clone()));
        }
        let can_read = granted
            && self
                .spec
                .is_some_and(|s| !s.uses_scopes() || has_repo_scope(s));
        if repo.private && !can_read {
            return Err(Denied::NotFound);
        }
        let sees_drafts = can_read && self.spec.is_some_and(|s| s.push);
        Ok((repo, sees_drafts))
    }

    /// A query parameter of the request, percent-decoded.
    pub(crate) fn req_query(&self, name: &str) -> Option<String> {
        self.req.query_param(name)
    }

    pub(crate) fn json_ok(&self, value: &Value) -> Response {
        let response = Response::json(200, value);
        // Weak, as GitHub's API sends for JSON: clients must send it back verbatim, `W/` included.
        let etag = format!("W/\"{}\"", &sha256_hex(&response.body)[..32]);
        response.header("ETag", etag)
    }

    fn paginate(&self, items: Vec<Value>, path: &str) -> Response {
        let per_page: usize = self
            .req
            .query_param("per_page")
            .and_then(|v| v.parse().ok())
            .unwrap_or(30)
            .clamp(1, 100);
        let page: usize = self
            .req
            .query_param("page")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1)
            .max(1);
        let last = items.len().div_ceil(per_page).max(1);
        let slice: Vec<Value> = items
            .into_iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .collect();
        let mut response = self.json_ok(&Value::Array(slice));
        let link = |p: usize, rel: &str| {
            format!(
                "<{}{path}?per_page={per_page}&page={p}>; rel=\"{rel}\"",
                self.base
            )
        };
        let mut links = Vec::new();
        if page > 1 {
            links.push(link(page - 1, "prev"));
        }
        if page < last {
            links.push(link(page + 1, "next"));
            links.push(link(last, "last"));
        }
        if page > 1 {
            links.push(link(1, "first"));
        }
        if !links.is_empty() {
            response = response.header("Link", links.join(", "));
        }
        response
    }

    fn release_json(&self, repo: &Repo, release: &Release) -> Value {
        let api = format!("{}/repos/{}/{}", self.base, repo.owner, repo.name);
        let web = self.base.trim_end_matches("/api/v3");
        let assets: Vec<Value> = release
            .assets
            .iter()
            .map(|a| {
                json!({
                    "url": format!("{api}/releases/assets/{}", a.id),
                    "id": a.id,
                    "node_id": format!("RA_{}", a.id),
                    "name": a.name,
                    "label": "",
                    "uploader": {"login": repo.owner},
                    "content_type": a.content_type,
                    "state": "uploaded",
                    "size": a.bytes.len(),
                    "digest": a.digest,
                    "download_count": 0,
                    "created_at": iso8601(release.created_at),
                    "updated_at": iso8601(release.created_at),
                    "browser_download_url": format!(
                        "{web}/{}/{}/releases/download/{}/{}",
                        repo.owner, repo.name, encode_segment(&release.tag_name), a.name
                    ),
                })
            })
            .collect();
        json!({
            "url": format!("{api}/releases/{}", release.id),
            "html_url": format!("{web}/{}/{}/releases/tag/{}", repo.owner, repo.name,
                                encode_segment(&release.tag_name)),
            "assets_url": format!("{api}/releases/{}/assets", release.id),
            "id": release.id,
            "node_id": format!("RE_{}", release.id),
            "tag_name": release.tag_name,
            "target_commitish": repo.default_branch,
            "name": release.name,
            "draft": release.draft,
            "prerelease": release.prerelease,
            "immutable": false,
            "created_at": iso8601(release.created_at),
            "published_at": if release.draft { Value::Null } else { json!(iso8601(release.created_at)) },
            "author": {"login": repo.owner},
            "assets": assets,
            "tarball_url": format!("{api}/tarball/{}", encode_segment(&release.tag_name)),
            "zipball_url": format!("{api}/zipball/{}", encode_segment(&release.tag_name)),
            "body": "",
        })
    }

    /// A signed storage URL for attestation `index` of `repo` (its `bundle_url`).
    pub(crate) fn signed_bundle_url(&self, repo: &Repo, index: usize) -> String {
        let expires = unix_now() + 300;
        let sig = sign(&self.inner.secret, BUNDLE_IDS + index as u64, expires);
        format!(
            "http://{}/_attestations/{}/{}/{index}?X-Expires={expires}&X-Signature={sig}",
            self.inner.storage_addr, repo.owner, repo.name
        )
    }

    fn signed_storage_url(&self, repo: &Repo, asset_id: u64, name: &str) -> String {
        let expires = unix_now() + 300;
        let sig = sign(&self.inner.secret, asset_id, expires);
        let base = self
            .inner
            .storage_base
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.inner.storage_addr));
        format!(
            "{base}/{}/{}/{asset_id}/{name}?X-Expires={expires}&X-Signature={sig}",
            repo.owner, repo.name
        )
    }
}

fn has_repo_scope(spec: &TokenSpec) -> bool {
    spec.scopes.iter().any(|s| s == "repo")
}

/// Bundle URLs are signed like asset URLs, with ids from a range assets never reach.
const BUNDLE_IDS: u64 = 1 << 48;

fn sign(secret: &str, asset_id: u64, expires: u64) -> String {
    sha256_hex(format!("{secret}:{asset_id}:{expires}").as_bytes())[..32].to_owned()
}

fn encode_segment(s: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

fn denied(d: Denied, base: &str) -> Response {
    match d {
        Denied::NotFound => Response::message(404, "Not Found"),
        Denied::Sso(org) => {
            let web = base.trim_end_matches("/api/v3");
            Response::message(
                403,
                "Resource protected by organization SAML enforcement. You must grant your \
                 Personal Access token access to this organization.",
            )
            .header(
                "X-GitHub-SSO",
                format!("required; url={web}/orgs/{org}/sso?authorization_request=TESTKIT"),
            )
        }
    }
}

fn route(ctx: &Ctx<'_>, path: &str) -> Response {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let accept = ctx.req.header("accept").unwrap_or("");
    match segments.as_slice() {
        [""] => {
            // The REST root; gh reads X-OAuth-Scopes from it when logging in.
            let mut body = json!({"current_user_url": format!("{}/user", ctx.base)});
            if let Some(spec) = ctx.spec {
                body["login"] = json!(spec.login);
            }
            ctx.json_ok(&body)
        }
        ["graphql"] => match ctx.spec {
            Some(spec) => Response::json(200, &json!({"data": {"viewer": {"login": spec.login}}})),
            None => Response::message(401, "Requires authentication"),
        },
        ["user"] => match ctx.spec {
            Some(spec) => ctx.json_ok(&json!({"login": spec.login, "id": 1, "type": "User"})),
            None => Response::message(401, "Requires authentication"),
        },
        [owner, name, "releases", "download", tag, file] => {
            web_download(ctx, owner, name, &http::decode(tag), file)
        }
        ["repos", owner, name, rest @ ..] => {
            let (repo, sees_drafts) = match ctx.repo(owner, name) {
                Ok(found) => found,
                Err(d) => return denied(d, ctx.base),
            };
            repo_route(ctx, repo, sees_drafts, rest, accept)
        }
        _ => Response::message(404, "Not Found"),
    }
}

fn repo_route(
    ctx: &Ctx<'_>,
    repo: &Repo,
    sees_drafts: bool,
    rest: &[&str],
    accept: &str,
) -> Response {
    let repo_path = format!("/repos/{}/{}", repo.owner, repo.name);
    let visible = |r: &&Release| sees_drafts || !r.draft;
    let mut newest_first: Vec<&Release> = repo.releases.iter().filter(visible).collect();
    // Stable sort on created_at, newest first; ties keep the later-created release first.
    newest_first.reverse();
    newest_first.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    match rest {
        [] => ctx.json_ok(&json!({
            "name": repo.name,
            "full_name": format!("{}/{}", repo.owner, repo.name),
            "private": repo.private,
            "owner": {"login": repo.owner},
            "default_branch": repo.default_branch,
            "permissions": {"pull": true, "push": sees_drafts},
        })),
        ["releases"] => {
            let items = newest_first
                .iter()
                .map(|r| ctx.release_json(repo, r))
                .collect();
            ctx.paginate(items, &format!("{repo_path}/releases"))
        }
        ["releases", "latest"] => match newest_first.iter().find(|r| !r.draft && !r.prerelease) {
            Some(r) => ctx.json_ok(&ctx.release_json(repo, r)),
            None => Response::message(404, "Not Found"),
        },
        ["releases", "tags", tag] => {
            let tag = http::decode(tag);
            match repo.releases.iter().find(|r| r.tag_name == tag && !r.draft) {
                Some(r) => ctx.json_ok(&ctx.release_json(repo, r)),
                None => Response::message(404, "Not Found"),
            }
        }
        ["releases", "assets", id] => {
            let asset = id.parse::<u64>().ok().and_then(|id| {
                repo.releases
                    .iter()
                    .filter(visible)
                    .find_map(|r| r.assets.iter().find(|a| a.id == id).map(|a| (r, a)))
            });
            let Some((release, asset)) = asset else {
                return Response::message(404, "Not Found");
            };
            if accept.contains("application/octet-stream") {
                Response::new(302).header(
                    "Location",
                    ctx.signed_storage_url(repo, asset.id, &asset.name),
                )
            } else {
                let json = ctx.release_json(repo, release);
                let one = json["assets"]
                    .as_array()
                    .and_then(|a| a.iter().find(|v| v["id"] == json!(asset.id)).cloned())
                    .unwrap_or(Value::Null);
                ctx.json_ok(&one)
            }
        }
        ["releases", id] => match id
            .parse::<u64>()
            .ok()
            .and_then(|id| newest_first.iter().find(|r| r.id == id))
        {
            Some(r) => ctx.json_ok(&ctx.release_json(repo, r)),
            None => Response::message(404, "Not Found"),
        },
        ["tags"] => {
            let api = format!("{}{repo_path}", ctx.base);
            let items = repo
                .tags
                .iter()
                .rev()
                .map(|t| {
                    json!({
                        "name": t.name,
                        "commit": {"sha": t.commit_sha, "url": format!("{api}/commits/{}", t.commit_sha)},
                        "zipball_url": format!("{api}/zipball/refs/tags/{}", encode_segment(&t.name)),
                        "tarball_url": format!("{api}/tarball/refs/tags/{}", encode_segment(&t.name)),
                        "node_id": format!("REF_{}", &t.commit_sha[..8]),
                    })
                })
                .collect();
            ctx.paginate(items, &format!("{repo_path}/tags"))
        }
        ["git", "ref", "tags", tag @ ..] if !tag.is_empty() => {
            let tag = decode_joined(tag);
            if let Some(git) = &repo.git {
                return provenance::tag_ref(ctx, repo, git, &tag);
            }
            match repo.tags.iter().find(|t| t.name == tag) {
                Some(t) => ctx.json_ok(&json!({
                    "ref": format!("refs/tags/{}", t.name),
                    "object": {"type": "commit", "sha": t.commit_sha},
                })),
                None => Response::message(404, "Not Found"),
            }
        }
        ["git", "tags", sha] => git_only(repo, |git| provenance::tag_object(ctx, repo, git, sha)),
        ["git", "trees", rest @ ..] if !rest.is_empty() => git_only(repo, |git| {
            provenance::tree(ctx, repo, git, &decode_joined(rest))
        }),
        ["commits", rest @ ..] if !rest.is_empty() => git_only(repo, |git| {
            provenance::commit(ctx, repo, git, &decode_joined(rest))
        }),
        ["compare", rest @ ..] if !rest.is_empty() => git_only(repo, |git| {
            provenance::compare(ctx, repo, git, &decode_joined(rest))
        }),
        ["contents", file_path @ ..] => contents(ctx, repo, file_path, accept),
        ["attestations", digest] => attestations::list(ctx, repo, digest),
        _ => Response::message(404, "Not Found"),
    }
}

/// Path segments decoded and joined with `/` (refs and `base...head` may contain slashes).
fn decode_joined(segments: &[&str]) -> String {
    segments
        .iter()
        .map(|s| http::decode(s))
        .collect::<Vec<_>>()
        .join("/")
}

/// The git endpoints exist only for git-backed repositories (see [`Repo::git`]).
fn git_only(repo: &Repo, answer: impl FnOnce(&crate::git::GitRepo) -> Response) -> Response {
    match &repo.git {
        Some(git) => answer(git),
        None => Response::message(404, "Not Found"),
    }
}

fn contents(ctx: &Ctx<'_>, repo: &Repo, segments: &[&str], accept: &str) -> Response {
    let path: String = segments
        .iter()
        .map(|s| http::decode(s))
        .collect::<Vec<_>>()
        .join("/");
    let git_ref = ctx
        .req
        .query_param("ref")
        .unwrap_or_else(|| repo.default_branch.clone());
    let bytes: Cow<'_, [u8]> = match &repo.git {
        Some(git) => {
            if git.commit(&git_ref).is_none() {
                return Response::message(404, &format!("No commit found for the ref {git_ref}"));
            }
            match git.file_at(&git_ref, &path) {
                Some(bytes) => Cow::Owned(bytes),
                None => return Response::message(404, "Not Found"),
            }
        }
        None => {
            let Some(files) = repo.files.get(&git_ref) else {
                return Response::message(404, "No commit found for the ref");
            };
            let Some(bytes) = files.get(&path) else {
                return Response::message(404, "Not Found");
            };
            Cow::Borrowed(bytes.as_slice())
        }
    };
    let bytes: &[u8] = &bytes;
    if accept.contains("application/vnd.github.raw")
        || accept.contains("application/vnd.github.v3.raw")
    {
        let response = Response::new(200)
            .header("Content-Type", "application/vnd.github.raw; charset=utf-8")
            .body(bytes.to_vec());
        let etag = format!("\"{}\"", &sha256_hex(bytes)[..32]);
        return response.header("ETag", etag);
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    // GitHub wraps base64 content at 60 columns.
    let wrapped: Vec<&str> = b64
        .as_bytes()
        .chunks(60)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    let blob = sha256_hex(format!("blob {}\0", bytes.len()).as_bytes());
    ctx.json_ok(&json!({
        "type": "file",
        "encoding": "base64",
        "size": bytes.len(),
        "name": path.rsplit('/').next().unwrap_or(&path),
        "path": path,
        "content": wrapped.join("\n") + "\n",
        "sha": &blob[..40],
    }))
}

fn web_download(ctx: &Ctx<'_>, owner: &str, name: &str, tag: &str, file: &str) -> Response {
    // The web host never honours API tokens: private assets are not reachable this way.
    let Some(repo) = ctx
        .state
        .repos
        .get(&(owner.to_lowercase(), name.to_lowercase()))
    else {
        return Response::new(404).body(b"Not Found".to_vec());
    };
    if repo.private {
        return Response::new(404)
            .header("Content-Type", "text/html; charset=utf-8")
            .body(b"<html><body>Not Found</body></html>".to_vec());
    }
    let asset = repo
        .releases
        .iter()
        .filter(|r| r.tag_name == tag && !r.draft)
        .find_map(|r| r.assets.iter().find(|a| a.name == file));
    match asset {
        Some(a) => {
            Response::new(302).header("Location", ctx.signed_storage_url(repo, a.id, &a.name))
        }
        None => Response::new(404).body(b"Not Found".to_vec()),
    }
}

fn storage(inner: &Inner, state: &mut State, req: &Request, path: &str) -> Response {
    if req.header("authorization").is_some() {
        state.leaks += 1;
        return Response::new(400)
            .header("Content-Type", "application/xml")
            .body(
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidArgument</Code>\
                  <Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query \
                  parameter, Signature query string parameter or the Authorization header should \
                  be specified</Message></Error>"
                    .to_vec(),
            );
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if let ["_attestations", owner, name, index] = segments.as_slice() {
        let index = index.parse::<usize>().ok();
        let valid = match (
            index,
            req.query_param("X-Expires")
                .and_then(|v| v.parse::<u64>().ok()),
            req.query_param("X-Signature"),
        ) {
            (Some(i), Some(expires), Some(sig)) => {
                sign(&inner.secret, BUNDLE_IDS + i as u64, expires) == sig && expires >= unix_now()
            }
            _ => false,
        };
        if !valid {
            return Response::new(403).body(b"signature mismatch or expired".to_vec());
        }
        return match state
            .repos
            .get(&(owner.to_lowercase(), name.to_lowercase()))
        {
            Some(repo) => attestations::download(repo, index.unwrap_or(usize::MAX)),
            None => Response::new(404),
        };
    }
    let [owner, name, id, _file] = segments.as_slice() else {
        return Response::new(404);
    };
    let (Some(expires), Some(sig)) = (
        req.query_param("X-Expires")
            .and_then(|v| v.parse::<u64>().ok()),
        req.query_param("X-Signature"),
    ) else {
        return Response::new(403).body(b"missing signature".to_vec());
    };
    let Ok(id) = id.parse::<u64>() else {
        return Response::new(404);
    };
    if sign(&inner.secret, id, expires) != sig || expires < unix_now() {
        return Response::new(403).body(b"signature mismatch or expired".to_vec());
    }
    let asset = state
        .repos
        .get(&(owner.to_lowercase(), name.to_lowercase()))
        .and_then(|r| {
            r.releases
                .iter()
                .find_map(|rel| rel.assets.iter().find(|a| a.id == id))
        });
    let Some(a) = asset else {
        return Response::new(404);
    };
    let whole = a.bytes.as_ref();
    let from = req
        .header("range")
        .filter(|_| !state.ignore_ranges)
        .and_then(|r| r.trim().strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|start| start.parse::<usize>().ok());
    let response = Response::new(200)
        .header("Content-Type", "application/octet-stream")
        .header("Accept-Ranges", "bytes")
        .header(
            "Content-Disposition",
            format!("attachment; filename={}", a.name),
        );
    match from {
        None => response.body(whole.clone()),
        Some(start) if start < whole.len() => Response {
            status: 206,
            ..response
        }
        .header(
            "Content-Range",
            format!("bytes {start}-{}/{}", whole.len() - 1, whole.len()),
        )
        .body(whole[start..].to_vec()),
        Some(_) => Response::new(416).header("Content-Range", format!("bytes */{}", whole.len())),
    }
}

/// `/_testkit/*`: a small control API for scripts driving the standalone binary.
fn control(inner: &Inner, req: &Request) -> Response {
    let mut state = inner.lock();
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/_testkit/requests") => Response::json(200, &json!(state.log)),
        ("GET", "/_testkit/stats") => {
            let api = state
                .log
                .iter()
                .filter(|r| r.listener == Listener::Api)
                .count();
            let rate_limited = state.log.iter().filter(|r| r.rate_limited).count();
            let storage = state.log.len() - api;
            Response::json(
                200,
                &json!({"api_requests": api, "rate_limited": rate_limited,
                        "storage_requests": storage, "storage_auth_leaks": state.leaks}),
            )
        }
        ("POST", "/_testkit/clear-log") => {
            state.log.clear();
            Response::json(200, &json!({"ok": true}))
        }
        ("POST", "/_testkit/fault") => {
            // {"path": "...", "status": 502 | "kind": "reset"|"truncate"|"delay_ms", "times": n}
            let Ok(v) = serde_json::from_slice::<Value>(&req.body) else {
                return Response::message(400, "body must be JSON");
            };
            let kind = match (
                v["status"].as_u64(),
                v["kind"].as_str(),
                v["delay_ms"].as_u64(),
            ) {
                (Some(code), _, _) => FaultKind::Status(code as u16),
                (_, Some("secondary_rate_limit"), _) => FaultKind::SecondaryRateLimit {
                    retry_after: v["retry_after"].as_u64().unwrap_or(1),
                },
                (_, Some("reset"), _) => FaultKind::ResetMidBody,
                (_, Some("truncate"), _) => FaultKind::TruncateBody,
                (_, _, Some(ms)) => FaultKind::Delay(Duration::from_millis(ms)),
                _ => return Response::message(400, "give status, kind or delay_ms"),
            };
            state.faults.push(Fault {
                path_contains: v["path"].as_str().unwrap_or("").to_owned(),
                kind,
                times: v["times"].as_u64().unwrap_or(1) as usize,
            });
            Response::json(200, &json!({"ok": true}))
        }
        _ => Response::message(404, "unknown control endpoint"),
    }
}
