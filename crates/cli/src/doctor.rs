//! `skillrig-auth doctor`: what the resolver found, what the host answered, and why a request
//! fails, in one-line findings.
//!
//! Three parts, each with one home:
//!
//! * the **resolution report** (providers, configuration files, the winner, redaction) is the
//!   `auth` crate's ([`auth::doctor`]);
//! * the **probes** ([`probe`]): with the token the resolver found (or none), ask the host who
//!   we are (`GET /user`), how much rate limit is left (`/rate_limit`), and, with `--repo`,
//!   whether the repository and its releases are visible — through the same `releases` client
//!   (API URL, proxy, TLS) that installs use, which also classifies each answer
//!   ([`releases::Probe`]: the same [`releases::Error`] an install would fail with, scopes,
//!   accepted permissions, SSO);
//! * the **diagnosis** ([`diagnose`]): pure logic from the resolution and the classified
//!   answers to findings — no token, missing `repo` scope, fine-grained token without access,
//!   SAML SSO not authorized, bad credentials, rate limited (the server's own limit and reset
//!   time, worded as installs word them), repository truly missing. No GitHub header is read
//!   here.
//!
//! # JSON (`--json`)
//!
//! [`to_json`] emits one object: the resolution's fields ([`auth::doctor::to_json`]) plus
//! `findings` and `healthy`; fields are only ever added:
//!
//! ```json
//! {
//!   "host": "github.com",
//!   "config": "/home/u/.config/skillrig/hosts.toml",
//!   "config_files": [{"path": "/etc/skillrig/hosts.toml", "level": "system", "present": true},
//!                    {"path": "/home/u/.config/skillrig/hosts.toml", "level": "user", "present": false}],
//!   "settings": [{"key": "providers", "value": "[\"env\", \"gh\"]", "from": "[default] in /etc/skillrig/hosts.toml"}],
//!   "trusted": true,
//!   "providers": [
//!     {"provider": "env", "status": "miss", "code": "not-set",
//!      "detail": "none of MISE_GITHUB_TOKEN, GITHUB_API_TOKEN, GITHUB_TOKEN, GH_TOKEN is set",
//!      "notes": []},
//!     {"provider": "keyring", "status": "found", "code": null, "detail": "found ghp_…abcd (…) from …",
//!      "notes": [],
//!      "token": {"kind": "classic", "masked": "ghp_…abcd", "source": "…", "cached": false}}
//!   ],
//!   "winner": "keyring",
//!   "token": {"provider": "keyring", "kind": "classic", "masked": "ghp_…abcd", "source": "…", "cached": false},
//!   "findings": [{"severity": "ok", "cause": "token-found", "message": "…", "hint": null},
//!                {"severity": "problem", "cause": "rate-limited",
//!                 "message": "rate limited: the token from keyring: … has no requests left; it resets at 2026-08-01 14:05:09 UTC (in 12 min)",
//!                 "hint": null}],
//!   "healthy": false
//! }
//! ```
//!
//! `status` is `found`, `miss`, `error` or `not-tried`; `code` is the miss reason or error code
//! (`not-set`, `not-configured`, `no-bus`, `no-secret-service`, `not-found`, `locked`,
//! `timed-out`, `exited`, …); `severity` is `ok`, `warning` or `problem`; `cause` is a
//! [`Cause`] code. Exit status: 0 when `healthy`, 1 otherwise (2 is the CLI's usage error).

use std::fmt::Write as _;

use auth::doctor as report;
use auth::{Env, ProviderKind, Resolution, Resolver, Token, TokenKind};
use hint::Hint as _;
use releases::{ClientConfig, Credential, Error, GitHub, Probe, Sso};
use secrecy::SecretString;
use serde_json::{Value, json};

/// `OWNER/REPO` as given to `doctor --repo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoRef {
    /// The owner (user or organization).
    pub owner: String,
    /// The repository name.
    pub name: String,
}

/// `--repo` was not `OWNER/REPO`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected OWNER/REPO, got `{0}`")]
pub struct RepoRefError(String);

impl std::str::FromStr for RepoRef {
    type Err = RepoRefError;
    fn from_str(s: &str) -> Result<RepoRef, RepoRefError> {
        let ok = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        };
        match s.split_once('/') {
            Some((owner, name)) if ok(owner) && ok(name) => Ok(RepoRef {
                owner: owner.to_owned(),
                name: name.to_owned(),
            }),
            _ => Err(RepoRefError(s.to_owned())),
        }
    }
}

impl std::fmt::Display for RepoRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// The probes that were made (`None` = not probed, or the request failed).
#[derive(Debug, Default)]
pub struct Probes {
    /// `GET /user`.
    pub user: Option<Probe>,
    /// `GET /rate_limit`.
    pub rate_limit: Option<Probe>,
    /// `GET /repos/{owner}/{repo}`.
    pub repo: Option<Probe>,
    /// `GET /repos/{owner}/{repo}/releases?per_page=1`.
    pub releases: Option<Probe>,
    /// Probes that got no answer at all (host unreachable, TLS refused, an unusable API URL
    /// or `SSL_CERT_FILE`): each a problem, since an install would fail the same way.
    pub unanswered: Vec<Unanswered>,
    /// The API URL the probes asked, when it is not the `api_url` hosts.toml sets (the
    /// environment's `SKILLRIG_GITHUB_API_URL` wins): `(asked, configured)`.
    pub api_url_overridden: Option<(String, String)>,
}

/// A probe the host never answered, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unanswered {
    /// The request, e.g. `GET /user`; `None` when no request could be made at all (an unusable
    /// API URL, proxy or `SSL_CERT_FILE`).
    pub request: Option<String>,
    /// Why, as an install would say it (no token in it).
    pub message: String,
    /// What to do, if the error says.
    pub hint: Option<String>,
}

impl Unanswered {
    fn new(request: Option<String>, error: &Error) -> Unanswered {
        let failure = crate::report::Failure::from_error(error);
        Unanswered {
            request,
            message: failure.message().to_owned(),
            hint: failure.hints().first().cloned(),
        }
    }
}

impl Probes {
    fn all(&self) -> impl Iterator<Item = &Probe> {
        [&self.user, &self.rate_limit, &self.repo, &self.releases]
            .into_iter()
            .flatten()
    }
}

/// The client the probes use: the resolution's host and token, the configured API URL, and
/// no cache (diagnosis must see the live answer, never a cached one).
///
/// # Errors
///
/// As [`GitHub::new`]: an unusable API URL, proxy or set of trusted certificates.
pub fn client(env: &Env, resolver: &Resolver, resolution: &Resolution) -> Result<GitHub, Error> {
    let host = resolution.host().clone();
    let credential = resolution.token().map(|t| {
        Credential::new(
            SecretString::from(t.expose_secret().to_owned()),
            t.source().to_string(),
        )
    });
    let api_url = resolver.config().api_url(&host).map(str::to_owned);
    let mut config = ClientConfig::from_env(host, api_url.as_deref(), credential, &|k| env.var(k));
    config.cache_dir = None;
    GitHub::new(config)
}

/// `(asked, configured)` when the API URL the client asks is not hosts.toml's `api_url`.
fn api_url_overridden(
    env: &Env,
    resolver: &Resolver,
    resolution: &Resolution,
) -> Option<(String, String)> {
    let host = resolution.host();
    let configured = resolver.config().api_url(host)?;
    let asked =
        ClientConfig::from_env(host.clone(), Some(configured), None, &|k| env.var(k)).api_url;
    (asked.trim_end_matches('/') != configured.trim_end_matches('/'))
        .then(|| (asked, configured.to_owned()))
}

/// Runs the probes for `resolution`'s host. A transport failure (host unreachable) leaves the
/// probe empty and is recorded in [`Probes::unanswered`].
pub fn probe(
    env: &Env,
    resolver: &Resolver,
    resolution: &Resolution,
    repo: Option<&RepoRef>,
) -> Probes {
    let mut unanswered = Vec::new();
    let api_url_overridden = api_url_overridden(env, resolver, resolution);
    let client = match client(env, resolver, resolution) {
        Ok(client) => client,
        Err(e) => {
            return Probes {
                unanswered: vec![Unanswered::new(None, &e)],
                api_url_overridden,
                ..Probes::default()
            };
        }
    };
    let mut run = |path: &str| match client.probe(path) {
        Ok(p) => Some(p),
        Err(e) => {
            unanswered.push(Unanswered::new(Some(format!("GET {path}")), &e));
            None
        }
    };
    // Without a token `/user` can only answer 401, and it would spend one of the anonymous
    // requests the diagnosis is about.
    let user = resolution.token().is_some().then(|| run("/user")).flatten();
    let mut probes = Probes {
        user,
        rate_limit: run("/rate_limit"),
        ..Probes::default()
    };
    if let Some(repo) = repo {
        let base = format!("/repos/{}/{}", repo.owner, repo.name);
        probes.repo = run(&base);
        probes.releases = run(&format!("{base}/releases?per_page=1"));
    }
    probes.unanswered = unanswered;
    probes.api_url_overridden = api_url_overridden;
    probes
}

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Confirms something works.
    Ok,
    /// Worth knowing; not why a request fails.
    Warning,
    /// A reason requests fail; makes `doctor` exit 1.
    Problem,
}

impl Severity {
    /// `ok`, `warning`, `problem`.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Warning => "warning",
            Severity::Problem => "problem",
        }
    }
}

/// What a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// A token was found (ok).
    TokenFound,
    /// `GET /user` succeeded (ok).
    Authenticated,
    /// The repository is visible (ok).
    RepoVisible,
    /// The repository's releases are readable (ok).
    ReleasesVisible,
    /// No provider found a token.
    NoToken,
    /// A provider failed (the chain went on).
    ProviderFailed,
    /// A token variable is set for the other kind of host.
    WrongHostVariable,
    /// A classic/OAuth token without the `repo` scope.
    MissingRepoScope,
    /// A fine-grained token whose owner or repository selection excludes the repo.
    FineGrainedNoAccess,
    /// A fine-grained token without Contents: read (repo visible, releases not).
    MissingContentsRead,
    /// An app installation token not granted this repository.
    AppTokenNoAccess,
    /// SAML SSO has not authorized the token for the organization.
    SsoRequired,
    /// Some organizations' results were hidden because of SSO.
    SsoPartial,
    /// The token was rejected (401).
    BadCredentials,
    /// Rate limited.
    RateLimited,
    /// The repository does not exist (or the account cannot see it).
    RepoMissing,
    /// An unexpected status.
    Unexpected,
    /// A probe got no answer (host unreachable, TLS refused, unusable API URL or trust roots).
    NoAnswer,
    /// `SKILLRIG_GITHUB_API_URL` replaces the `api_url` hosts.toml sets.
    ApiUrlOverridden,
}

impl Cause {
    /// A stable machine name.
    pub fn code(self) -> &'static str {
        match self {
            Cause::TokenFound => "token-found",
            Cause::Authenticated => "authenticated",
            Cause::RepoVisible => "repo-visible",
            Cause::ReleasesVisible => "releases-visible",
            Cause::NoToken => "no-token",
            Cause::ProviderFailed => "provider-failed",
            Cause::WrongHostVariable => "wrong-host-variable",
            Cause::MissingRepoScope => "missing-repo-scope",
            Cause::FineGrainedNoAccess => "fine-grained-no-access",
            Cause::MissingContentsRead => "missing-contents-read",
            Cause::AppTokenNoAccess => "app-token-no-access",
            Cause::SsoRequired => "sso-required",
            Cause::SsoPartial => "sso-partial",
            Cause::BadCredentials => "bad-credentials",
            Cause::RateLimited => "rate-limited",
            Cause::RepoMissing => "repo-missing",
            Cause::Unexpected => "unexpected-status",
            Cause::NoAnswer => "no-answer",
            Cause::ApiUrlOverridden => "api-url-overridden",
        }
    }
}

/// One line of diagnosis, with an optional fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// What about.
    pub cause: Cause,
    /// One line, no token in it.
    pub message: String,
    /// What to do, if there is something to do.
    pub hint: Option<String>,
}

/// All findings, in the order they were made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnosis {
    /// The findings.
    pub findings: Vec<Finding>,
}

impl Diagnosis {
    /// Returns true if and only if there is no [`Severity::Problem`].
    pub fn healthy(&self) -> bool {
        !self
            .findings
            .iter()
            .any(|f| f.severity == Severity::Problem)
    }

    /// 0 when healthy, 1 when a problem was found.
    pub fn exit_code(&self) -> u8 {
        if self.healthy() { 0 } else { 1 }
    }

    /// The first finding with this cause.
    pub fn find(&self, cause: Cause) -> Option<&Finding> {
        self.findings.iter().find(|f| f.cause == cause)
    }

    fn push(&mut self, severity: Severity, cause: Cause, message: String, hint: Option<String>) {
        self.findings.push(Finding {
            severity,
            cause,
            message,
            hint,
        });
    }
}

/// Whether an answer is explained by the rate-limit or SSO finding (made once for all probes).
fn explained_elsewhere(p: &Probe) -> bool {
    matches!(
        p.error(),
        Some(Error::RateLimited { .. } | Error::SsoRequired { .. })
    )
}

/// The scopes as GitHub lists them (`repo, read:org`), or `none`.
fn scope_list(scopes: &[String]) -> String {
    if scopes.is_empty() {
        "none".to_owned()
    } else {
        scopes.join(", ")
    }
}

fn message_suffix(p: &Probe) -> String {
    p.message()
        .map(|m| format!(": {}", m.replace(['\n', '\r'], " ")))
        .unwrap_or_default()
}

/// Turns a resolution and classified probe answers into findings. Pure: no I/O.
pub fn diagnose(res: &Resolution, repo: Option<&RepoRef>, probes: &Probes) -> Diagnosis {
    let host = res.host();
    let token = res.token();
    let mut d = Diagnosis::default();

    for warning in report::warnings(res) {
        match warning {
            report::Warning::ProviderFailed(m) => {
                d.push(Severity::Warning, Cause::ProviderFailed, m, None);
            }
            report::Warning::WrongHostVariable(m) => {
                d.push(Severity::Warning, Cause::WrongHostVariable, m, None);
            }
        }
    }

    match token {
        Some(t) => d.push(
            Severity::Ok,
            Cause::TokenFound,
            format!("token for {host}: {}", report::token_label(t)),
            None,
        ),
        None if res.untrusted() => d.push(
            Severity::Problem,
            Cause::NoToken,
            format!("no provider was asked: {host} is not a host you named for tokens"),
            Some(report::add_token_hint(res)),
        ),
        None if repo.is_none() || probes.repo.is_none() => d.push(
            Severity::Problem,
            Cause::NoToken,
            format!("no token found for {host}"),
            Some(report::add_token_hint(res)),
        ),
        None => {} // explained together with the repo probe below
    }

    if let Some((asked, configured)) = &probes.api_url_overridden {
        d.push(
            Severity::Warning,
            Cause::ApiUrlOverridden,
            format!(
                "the probes asked {asked}, not the api_url {configured} that hosts.toml sets: \
                 {} replaces it",
                releases::ENV_GITHUB_API_URL
            ),
            Some(format!(
                "unset {} to use hosts.toml's api_url",
                releases::ENV_GITHUB_API_URL
            )),
        );
    }

    // One problem for all unanswered probes: an unreachable host fails each of them the same
    // way (their messages differ only in the URL), so the first one speaks for the rest.
    if let Some(first) = probes.unanswered.first() {
        let mut message = match &first.request {
            None => format!("cannot ask {host} anything: {}", first.message),
            Some(request) => format!("{request} to {host} failed: {}", first.message),
        };
        let more = probes.unanswered.len() - 1;
        if more > 0 {
            message.push_str(&format!(" (and {more} more request(s))"));
        }
        d.push(
            Severity::Problem,
            Cause::NoAnswer,
            message,
            first.hint.clone(),
        );
    }

    if let Some(Error::RateLimited {
        limit,
        reset_at,
        wait,
        ..
    }) = probes
        .all()
        .filter_map(Probe::error)
        .find(|e| matches!(e, Error::RateLimited { .. }))
    {
        let resets = releases::rate_limit_reset(*reset_at, *wait);
        let (message, hint) = match token {
            None => (
                format!(
                    "rate limited: no token found for {host}, and {}; {resets}",
                    releases::anonymous_limit(*limit)
                ),
                Some(format!(
                    "{}: {}",
                    releases::TOKEN_RAISES_LIMIT,
                    report::add_token_hint(res)
                )),
            ),
            Some(t) => (
                format!(
                    "rate limited: the token from {} has no requests left; {resets}",
                    t.source()
                ),
                None,
            ),
        };
        d.push(Severity::Problem, Cause::RateLimited, message, hint);
    }

    if let Some(sso) = probes
        .all()
        .filter_map(Probe::error)
        .find(|e| matches!(e, Error::SsoRequired { .. }))
    {
        let who = token.map_or_else(
            || "the token".to_owned(),
            |t| format!("the token from {}", t.source()),
        );
        let (message, hint) = match sso {
            Error::SsoRequired { url: Some(url), .. } => (
                format!(
                    "SAML SSO: {who} is not authorized for this organization; authorize it at {url}"
                ),
                None,
            ),
            _ => (
                format!("SAML SSO: {who} is not authorized for this organization"),
                sso.hints().into_iter().next(),
            ),
        };
        d.push(Severity::Problem, Cause::SsoRequired, message, hint);
    }
    if let Some(orgs) = probes.all().find_map(|p| match p.sso() {
        Some(Sso::PartialResults { organizations }) => Some(organizations.join(", ")),
        _ => None,
    }) {
        d.push(
            Severity::Warning,
            Cause::SsoPartial,
            format!("results from {orgs} were hidden: the token is not SSO-authorized for them"),
            None,
        );
    }

    let mut bad_credentials = false;
    let mut login = None;
    if let (Some(p), Some(t)) = (&probes.user, token) {
        match p.error() {
            None => {
                login = p.login();
                let scopes = match p.oauth_scopes() {
                    Some(s) if t.kind().uses_scopes() => format!(" (scopes: {})", scope_list(s)),
                    _ => String::new(),
                };
                d.push(
                    Severity::Ok,
                    Cause::Authenticated,
                    format!(
                        "authenticated to {host} as {}{scopes}",
                        p.login().unwrap_or("?")
                    ),
                    None,
                );
            }
            Some(Error::BadCredentials { .. }) => {
                bad_credentials = true;
                d.push(
                    Severity::Problem,
                    Cause::BadCredentials,
                    format!(
                        "bad credentials: {host} rejected the {} (401)",
                        report::token_label(t)
                    ),
                    Some(report::refresh_hint(t)),
                );
            }
            // App installation tokens may not read /user; that says nothing about the repo.
            Some(_) if p.status == 403 && t.kind() == TokenKind::AppInstallation => {}
            Some(_) if explained_elsewhere(p) => {}
            Some(_) => d.push(
                Severity::Problem,
                Cause::Unexpected,
                format!("GET /user answered {}{}", p.status, message_suffix(p)),
                None,
            ),
        }
    }

    if let (Some(repo), Some(p)) = (repo, &probes.repo) {
        let user_scopes = probes.user.as_ref().and_then(Probe::oauth_scopes);
        let scopes = p.oauth_scopes().or(user_scopes);
        let status = p.status;
        match p.error() {
            _ if explained_elsewhere(p) => {}
            None => {
                d.push(
                    Severity::Ok,
                    Cause::RepoVisible,
                    format!("{repo} is visible"),
                    None,
                );
                releases_findings(&mut d, repo, token, probes.releases.as_ref());
            }
            Some(Error::BadCredentials { .. }) => {
                if let Some(t) = token.filter(|_| !bad_credentials) {
                    d.push(
                        Severity::Problem,
                        Cause::BadCredentials,
                        format!(
                            "bad credentials: {host} rejected the {} (401)",
                            report::token_label(t)
                        ),
                        Some(report::refresh_hint(t)),
                    );
                }
            }
            Some(Error::Forbidden { .. } | Error::NotFound { .. }) => match token {
                None => d.push(
                    Severity::Problem,
                    Cause::NoToken,
                    format!(
                        "no token found for {host}, and {repo} answered {status}: GitHub answers 404 for private repositories to anonymous requests"
                    ),
                    Some(report::add_token_hint(res)),
                ),
                Some(_) if bad_credentials => {}
                Some(t)
                    if t.kind().uses_scopes()
                        && scopes.is_some_and(|s| !s.iter().any(|s| s == "repo")) =>
                {
                    let has = scope_list(scopes.unwrap_or_default());
                    d.push(
                        Severity::Problem,
                        Cause::MissingRepoScope,
                        format!(
                            "the {} lacks the `repo` scope (it has: {has}), so {repo} answers {status}",
                            report::token_label(t)
                        ),
                        Some(match t.source().provider() {
                            ProviderKind::Keyring | ProviderKind::Gh => {
                                format!("run `gh auth refresh --hostname {host} --scopes repo`")
                            }
                            _ => "create a token with the `repo` scope".to_owned(),
                        }),
                    );
                }
                Some(t) if t.kind() == TokenKind::FineGrained => {
                    let same_owner = login.is_some_and(|l| l.eq_ignore_ascii_case(&repo.owner));
                    let message = if same_owner {
                        format!(
                            "the {} cannot see {repo} ({status}): the token must include this repository with Contents: read",
                            report::token_label(t)
                        )
                    } else {
                        format!(
                            "the {} cannot see {repo} ({status}): a fine-grained token works for one resource owner, which must be {}, and needs Contents: read on the repository",
                            report::token_label(t),
                            repo.owner
                        )
                    };
                    d.push(
                        Severity::Problem,
                        Cause::FineGrainedNoAccess,
                        message,
                        Some(
                            "edit the token's resource owner and repository access, or use a token with the `repo` scope"
                                .to_owned(),
                        ),
                    );
                }
                Some(t) if t.kind() == TokenKind::AppInstallation => d.push(
                    Severity::Problem,
                    Cause::AppTokenNoAccess,
                    format!(
                        "the {} cannot see {repo} ({status}): an app installation token (such as Actions' GITHUB_TOKEN) only reaches the repositories it was granted",
                        report::token_label(t)
                    ),
                    Some(format!(
                        "grant the app access to {repo}, or provide another token for {host}"
                    )),
                ),
                Some(t) => {
                    let who = login.unwrap_or("this account");
                    d.push(
                        Severity::Problem,
                        Cause::RepoMissing,
                        format!(
                            "{repo} does not exist on {host}, or {who} cannot see it ({status} with working credentials from {})",
                            t.source()
                        ),
                        Some(
                            "check the owner and name, and that the account was given access"
                                .to_owned(),
                        ),
                    );
                }
            },
            Some(_) => d.push(
                Severity::Problem,
                Cause::Unexpected,
                format!("GET /repos/{repo} answered {status}{}", message_suffix(p)),
                None,
            ),
        }
    }
    d
}

fn releases_findings(d: &mut Diagnosis, repo: &RepoRef, token: Option<&Token>, p: Option<&Probe>) {
    let Some(p) = p else { return };
    match p.error() {
        _ if explained_elsewhere(p) => {}
        None => d.push(
            Severity::Ok,
            Cause::ReleasesVisible,
            format!("releases of {repo} are readable"),
            None,
        ),
        Some(Error::Forbidden { .. } | Error::NotFound { .. })
            if token.is_some_and(|t| t.kind() == TokenKind::FineGrained) =>
        {
            let need = p
                .accepted_permissions()
                .map_or_else(String::new, |perm| format!(" (GitHub asks for: {perm})"));
            d.push(
                Severity::Problem,
                Cause::MissingContentsRead,
                format!(
                    "{repo} is visible but its releases are not: the fine-grained token lacks Contents: read{need}"
                ),
                Some("add the repository permission Contents: read to the token".to_owned()),
            );
        }
        Some(_) => d.push(
            Severity::Problem,
            Cause::Unexpected,
            format!(
                "GET /repos/{repo}/releases answered {}{}",
                p.status,
                message_suffix(p)
            ),
            None,
        ),
    }
}

/// The human report: the resolution ([`auth::doctor::render_text`]), then the findings with
/// their hints.
pub fn render_text(res: &Resolution, diagnosis: &Diagnosis) -> String {
    let mut findings = String::new();
    for f in &diagnosis.findings {
        let _ = writeln!(findings, "{}: {}", f.severity.code(), f.message);
        if let Some(h) = &f.hint {
            let _ = writeln!(findings, "  hint: {h}");
        }
    }
    report::render_text(res) + &report::redact_text(res, &findings)
}

/// The machine-readable report (schema in the module docs).
pub fn to_json(res: &Resolution, diagnosis: &Diagnosis) -> Value {
    let mut value = report::to_json(res);
    let findings: Vec<Value> = diagnosis
        .findings
        .iter()
        .map(|f| {
            json!({
                "severity": f.severity.code(),
                "cause": f.cause.code(),
                "message": f.message,
                "hint": f.hint,
            })
        })
        .collect();
    value["findings"] = report::redact_json(res, Value::Array(findings));
    value["healthy"] = Value::Bool(diagnosis.healthy());
    value
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use util::time::{format_utc, unix_now};

    use super::*;

    const CLASSIC: &str = "ghp_0123456789abcdefghij1234";

    /// A resolution by the real resolver in an empty home (no gh, no keyring) with `vars`,
    /// and the doctor's client for it. No request is ever sent: answers are classified by
    /// [`GitHub::classify_answer`], as [`GitHub::probe`] classifies live ones.
    struct Case {
        _dir: tempfile::TempDir,
        resolution: Resolution,
        client: GitHub,
    }

    impl Case {
        fn new(vars: &[(&str, &str)]) -> Case {
            Case::with(vars, |_| {})
        }

        /// `prepare` may add files (a `gh` on PATH, a hosts.toml) to the home first.
        fn with(vars: &[(&str, &str)], prepare: impl FnOnce(&Path)) -> Case {
            let dir = tempfile::tempdir().unwrap();
            prepare(dir.path());
            let home = dir.path().display().to_string();
            let env = Env::from_vars(
                [
                    ("HOME", home.as_str()),
                    ("PATH", home.as_str()),
                    ("XDG_RUNTIME_DIR", home.as_str()),
                ]
                .into_iter()
                .chain(vars.iter().copied()),
            );
            let resolver = Resolver::from_env(env.clone()).unwrap();
            let resolution = resolver.resolve_all(&origin_meta::Host::github_com());
            let client = client(&env, &resolver, &resolution).unwrap();
            Case {
                _dir: dir,
                resolution,
                client,
            }
        }

        fn answer(&self, path: &str, status: u16, headers: &[(&str, &str)], body: &str) -> Probe {
            self.client
                .classify_answer(path, status, headers, body.as_bytes())
        }

        fn status(&self, path: &str, status: u16) -> Probe {
            let body = match status {
                200..=299 => "{}",
                401 => r#"{"message": "Bad credentials"}"#,
                403 => r#"{"message": "Forbidden"}"#,
                _ => r#"{"message": "Not Found"}"#,
            };
            self.answer(path, status, &[], body)
        }

        fn user(&self, login: &str, scopes: Option<&str>) -> Probe {
            let headers: Vec<(&str, &str)> =
                scopes.map(|s| ("X-OAuth-Scopes", s)).into_iter().collect();
            self.answer(
                "/user",
                200,
                &headers,
                &format!(r#"{{"login": "{login}"}}"#),
            )
        }

        fn run(&self, repo: Option<&str>, probes: Probes) -> Diagnosis {
            let repo = repo.map(|r| r.parse::<RepoRef>().unwrap());
            diagnose(&self.resolution, repo.as_ref(), &probes)
        }
    }

    fn problems(d: &Diagnosis) -> Vec<(Cause, &str)> {
        d.findings
            .iter()
            .filter(|f| f.severity == Severity::Problem)
            .map(|f| (f.cause, f.message.as_str()))
            .collect()
    }

    #[test]
    fn healthy_classic_token() {
        let case = Case::new(&[("GH_TOKEN", CLASSIC)]);
        let d = case.run(
            Some("acme/tool"),
            Probes {
                user: Some(case.user("alice", Some("repo, read:org, gist"))),
                repo: Some(case.status("/repos/acme/tool", 200)),
                releases: Some(case.answer("/repos/acme/tool/releases?per_page=1", 200, &[], "[]")),
                ..Probes::default()
            },
        );
        assert!(d.healthy(), "{d:?}");
        assert_eq!(d.exit_code(), 0);
        assert_eq!(
            d.find(Cause::Authenticated).unwrap().message,
            "authenticated to github.com as alice (scopes: repo, read:org, gist)"
        );
        assert_eq!(
            d.find(Cause::TokenFound).unwrap().message,
            "token for github.com: classic personal access token ghp_…1234 from env: GH_TOKEN"
        );
        assert!(d.find(Cause::ReleasesVisible).is_some());
    }

    #[test]
    fn no_token_and_private_repo() {
        let case = Case::new(&[]);
        let d = case.run(
            Some("acme/private"),
            Probes {
                repo: Some(case.status("/repos/acme/private", 404)),
                ..Probes::default()
            },
        );
        assert_eq!(
            problems(&d),
            [(
                Cause::NoToken,
                "no token found for github.com, and acme/private answered 404: GitHub answers 404 for private repositories to anonymous requests"
            )]
        );
        assert!(
            d.find(Cause::NoToken)
                .unwrap()
                .hint
                .as_deref()
                .unwrap()
                .contains("gh auth login")
        );
        assert_eq!(d.exit_code(), 1);

        let d = case.run(None, Probes::default());
        assert_eq!(
            problems(&d),
            [(Cause::NoToken, "no token found for github.com")]
        );
    }

    #[test]
    fn missing_repo_scope_of_a_gh_token() {
        let case = Case::with(&[], |dir| {
            let gh = dir.join("gh");
            std::fs::write(&gh, "#!/bin/sh\necho gho_0123456789abcdefghijWXYZ\n").unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        });
        let d = case.run(
            Some("acme/private"),
            Probes {
                user: Some(case.user("alice", Some("read:org, gist"))),
                repo: Some(case.status("/repos/acme/private", 404)),
                ..Probes::default()
            },
        );
        let p = problems(&d);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].0, Cause::MissingRepoScope);
        assert!(
            p[0].1.contains(
                "lacks the `repo` scope (it has: read:org, gist), so acme/private answers 404"
            ),
            "{}",
            p[0].1
        );
        assert_eq!(
            d.find(Cause::MissingRepoScope).unwrap().hint.as_deref(),
            Some("run `gh auth refresh --hostname github.com --scopes repo`")
        );
    }

    #[test]
    fn fine_grained_owner_mismatch_and_contents_read() {
        let case = Case::new(&[("GH_TOKEN", "github_pat_11ABCDEFG0123456789_abcd")]);
        let d = case.run(
            Some("acme/tool"),
            Probes {
                user: Some(case.user("alice", None)),
                repo: Some(case.status("/repos/acme/tool", 404)),
                ..Probes::default()
            },
        );
        let p = problems(&d);
        assert_eq!(p[0].0, Cause::FineGrainedNoAccess);
        assert!(
            p[0].1.contains("one resource owner, which must be acme"),
            "{}",
            p[0].1
        );

        let d = case.run(
            Some("alice/tool"),
            Probes {
                user: Some(case.user("alice", None)),
                repo: Some(case.status("/repos/alice/tool", 404)),
                ..Probes::default()
            },
        );
        assert!(
            problems(&d)[0].1.contains("must include this repository"),
            "{d:?}"
        );

        let d = case.run(
            Some("alice/tool"),
            Probes {
                user: Some(case.user("alice", None)),
                repo: Some(case.status("/repos/alice/tool", 200)),
                releases: Some(case.answer(
                    "/repos/alice/tool/releases?per_page=1",
                    403,
                    &[("X-Accepted-GitHub-Permissions", "contents=read")],
                    r#"{"message": "Resource not accessible by personal access token"}"#,
                )),
                ..Probes::default()
            },
        );
        assert_eq!(
            problems(&d),
            [(
                Cause::MissingContentsRead,
                "alice/tool is visible but its releases are not: the fine-grained token lacks Contents: read (GitHub asks for: contents=read)"
            )]
        );
    }

    #[test]
    fn sso_not_authorized_prints_the_url() {
        let case = Case::new(&[("GH_TOKEN", CLASSIC)]);
        let url = "https://github.com/orgs/acme/sso?authorization_request=ABC123";
        let sso = format!("required; url={url}");
        let d = case.run(
            Some("acme/tool"),
            Probes {
                user: Some(case.user("alice", Some("repo"))),
                repo: Some(case.answer(
                    "/repos/acme/tool",
                    403,
                    &[("X-GitHub-SSO", &sso)],
                    r#"{"message": "Resource protected by organization SAML enforcement"}"#,
                )),
                ..Probes::default()
            },
        );
        assert_eq!(
            problems(&d),
            [(Cause::SsoRequired, format!("SAML SSO: the token from env: GH_TOKEN is not authorized for this organization; authorize it at {url}").as_str())]
        );

        // Without a URL, the hint says where to authorize it (the install error's words).
        let d = case.run(
            None,
            Probes {
                user: Some(case.answer("/user", 403, &[("X-GitHub-SSO", "required")], "{}")),
                ..Probes::default()
            },
        );
        let f = d.find(Cause::SsoRequired).unwrap();
        assert_eq!(
            f.message,
            "SAML SSO: the token from env: GH_TOKEN is not authorized for this organization"
        );
        assert!(
            f.hint.as_deref().unwrap().contains("Configure SSO"),
            "{f:?}"
        );
        assert_eq!(problems(&d).len(), 1, "{d:?}");
    }

    #[test]
    fn sso_partial_results_are_a_warning() {
        let case = Case::new(&[("GH_TOKEN", CLASSIC)]);
        let d = case.run(
            None,
            Probes {
                user: Some(case.answer(
                    "/user",
                    200,
                    &[(
                        "X-GitHub-SSO",
                        "partial-results; organizations=21955855,20582480",
                    )],
                    r#"{"login": "alice"}"#,
                )),
                ..Probes::default()
            },
        );
        assert!(d.healthy(), "{d:?}");
        assert_eq!(
            d.find(Cause::SsoPartial).unwrap().message,
            "results from 21955855, 20582480 were hidden: the token is not SSO-authorized for them"
        );
    }

    #[test]
    fn bad_credentials_name_the_provider() {
        let case = Case::new(&[("GH_TOKEN", CLASSIC)]);
        let d = case.run(
            Some("acme/tool"),
            Probes {
                user: Some(case.status("/user", 401)),
                repo: Some(case.status("/repos/acme/tool", 401)),
                ..Probes::default()
            },
        );
        assert_eq!(
            problems(&d),
            [(
                Cause::BadCredentials,
                "bad credentials: github.com rejected the classic personal access token ghp_…1234 from env: GH_TOKEN (401)"
            )]
        );
        assert_eq!(
            d.find(Cause::BadCredentials).unwrap().hint.as_deref(),
            Some("replace or unset GH_TOKEN")
        );
    }

    #[test]
    fn rate_limited_with_the_servers_limit_and_the_shared_reset_format() {
        let reset = unix_now() + 600;
        let case = Case::new(&[]);
        let limited = || {
            case.answer(
                "/repos/acme/tool",
                403,
                &[
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-limit", "42"),
                    ("x-ratelimit-reset", &reset.to_string()),
                ],
                r#"{"message": "API rate limit exceeded for 203.0.113.9."}"#,
            )
        };
        let d = case.run(
            Some("acme/tool"),
            Probes {
                repo: Some(limited()),
                ..Probes::default()
            },
        );
        assert_eq!(
            problems(&d),
            [(
                Cause::RateLimited,
                format!(
                    "rate limited: no token found for github.com, and anonymous requests are limited to 42 per hour per IP address; it resets at {} (in 10 min)",
                    format_utc(reset)
                )
                .as_str()
            )]
        );
        let hint = d.find(Cause::RateLimited).unwrap().hint.as_deref().unwrap();
        assert!(
            hint.starts_with(
                "a token raises the limit (5000 per hour on github.com): log in with `gh auth login`"
            ),
            "{hint}"
        );

        let case = Case::new(&[("GITHUB_TOKEN", CLASSIC)]);
        let d = case.run(
            None,
            Probes {
                rate_limit: Some(case.answer("/rate_limit", 429, &[("Retry-After", "90")], "{}")),
                ..Probes::default()
            },
        );
        let p = problems(&d);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].0, Cause::RateLimited);
        let rest = p[0]
            .1
            .strip_prefix(
                "rate limited: the token from env: GITHUB_TOKEN has no requests left; it resets at ",
            )
            .unwrap_or_else(|| panic!("{}", p[0].1));
        assert!(rest.ends_with(" UTC (in 2 min)"), "{rest}");
    }

    #[test]
    fn repo_truly_missing() {
        let case = Case::new(&[("GH_TOKEN", CLASSIC)]);
        let d = case.run(
            Some("acme/nope"),
            Probes {
                user: Some(case.user("alice", Some("repo, gist"))),
                repo: Some(case.status("/repos/acme/nope", 404)),
                ..Probes::default()
            },
        );
        assert_eq!(
            problems(&d),
            [(
                Cause::RepoMissing,
                "acme/nope does not exist on github.com, or alice cannot see it (404 with working credentials from env: GH_TOKEN)"
            )]
        );
    }

    #[test]
    fn app_installation_token() {
        let case = Case::new(&[("GITHUB_TOKEN", "ghs_0123456789abcdefghijQRST")]);
        let d = case.run(
            Some("acme/other"),
            Probes {
                user: Some(case.answer(
                    "/user",
                    403,
                    &[],
                    r#"{"message": "Resource not accessible by integration"}"#,
                )),
                repo: Some(case.status("/repos/acme/other", 404)),
                ..Probes::default()
            },
        );
        let p = problems(&d);
        assert_eq!(
            p.len(),
            1,
            "a 403 on /user is normal for installation tokens: {p:?}"
        );
        assert_eq!(p[0].0, Cause::AppTokenNoAccess);
    }

    #[test]
    fn unexpected_answers_are_named_with_githubs_message() {
        let case = Case::new(&[("GH_TOKEN", CLASSIC)]);
        let d = case.run(
            Some("acme/tool"),
            Probes {
                user: Some(case.user("alice", Some("repo"))),
                repo: Some(case.answer(
                    "/repos/acme/tool",
                    451,
                    &[],
                    r#"{"message": "Repository access blocked"}"#,
                )),
                ..Probes::default()
            },
        );
        assert_eq!(
            problems(&d),
            [(
                Cause::Unexpected,
                "GET /repos/acme/tool answered 451: Repository access blocked"
            )]
        );
    }

    #[test]
    fn provider_errors_and_wrong_host_variables_are_warnings() {
        let case = Case::with(
            &[("GH_ENTERPRISE_TOKEN", CLASSIC), ("GH_TOKEN", CLASSIC)],
            |dir| {
                let config = dir.join(".config/skillrig");
                std::fs::create_dir_all(&config).unwrap();
                std::fs::write(
                config.join("hosts.toml"),
                "[default]\nproviders = [\"credential_command\", \"env\"]\ncredential_command = \"exit 3\"\n",
            )
            .unwrap();
            },
        );
        let d = case.run(None, Probes::default());
        assert!(d.healthy(), "{d:?}");
        let warnings: Vec<_> = d
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .map(|f| f.cause)
            .collect();
        assert_eq!(
            warnings,
            [Cause::ProviderFailed, Cause::WrongHostVariable],
            "in provider order: {d:?}"
        );
    }

    #[test]
    fn text_and_json_never_show_the_token() {
        let case = Case::new(&[("GH_TOKEN", CLASSIC)]);
        let d = case.run(
            None,
            Probes {
                user: Some(case.user("alice", Some("repo"))),
                ..Probes::default()
            },
        );
        let text = render_text(&case.resolution, &d);
        let json = to_json(&case.resolution, &d);
        for out in [&text, &json.to_string()] {
            assert!(!out.contains(CLASSIC), "{out}");
            assert!(out.contains("ghp_…1234"), "{out}");
        }
        assert!(text.contains("  * env                found"), "{text}");
        assert!(
            text.ends_with(
                "token: ghp_…1234 (classic personal access token) from env: GH_TOKEN\n\
                 ok: token for github.com: classic personal access token ghp_…1234 from env: GH_TOKEN\n\
                 ok: authenticated to github.com as alice (scopes: repo)\n"
            ),
            "{text}"
        );
        assert_eq!(json["winner"], "env");
        assert_eq!(json["providers"][0]["code"], Value::Null);
        assert_eq!(json["token"]["kind"], "classic");
        assert_eq!(json["findings"][1]["cause"], "authenticated");
        assert_eq!(json["findings"][1]["hint"], Value::Null);
        assert_eq!(json["healthy"], true);
    }

    #[test]
    fn repo_ref_parsing() {
        assert_eq!(
            "acme/tool".parse::<RepoRef>().unwrap().to_string(),
            "acme/tool"
        );
        for bad in ["acme", "/tool", "acme/", "a/b/c", "a b/c"] {
            assert!(bad.parse::<RepoRef>().is_err(), "{bad}");
        }
    }
}
