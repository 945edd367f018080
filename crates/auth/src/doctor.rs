//! `skillrig-auth doctor`: explain what the resolver found and why a request fails.
//!
//! Two halves:
//!
//! * the **resolution report** — each provider in order (found / miss / error / not tried, with
//!   a stable code), which one won, the token's kind by prefix, masked (`ghp_…abcd`);
//! * [`diagnose`] — pure logic that turns the resolution plus the results of API probes
//!   (`GET /user`, `/rate_limit`, the repo and its releases; performed by the caller, which
//!   owns the HTTP client) into one-line findings: no token, missing `repo` scope,
//!   fine-grained token without access, SAML SSO not authorized, bad credentials, rate
//!   limited, repo truly missing.
//!
//! # JSON (`--json`)
//!
//! [`to_json`] emits one object; fields are only ever added:
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
//!   "findings": [{"severity": "ok", "cause": "token-found", "message": "…", "hint": null}],
//!   "healthy": true
//! }
//! ```
//!
//! `status` is `found`, `miss`, `error` or `not-tried`; `code` is the miss reason or error code
//! (`not-set`, `not-configured`, `no-bus`, `no-secret-service`, `not-found`, `locked`,
//! `timed-out`, `exited`, …); `severity` is `ok`, `warning` or `problem`; `cause` is a
//! [`Cause`] code. Exit status: 0 when `healthy`, 1 otherwise (2 is the CLI's usage error).

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::outcome::{Outcome, Resolution};
use crate::token::{ProviderKind, Token, TokenKind};

/// What one API request answered; the caller fills it from the HTTP response.
///
/// Header fields hold the raw header value when present.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Probe {
    /// HTTP status code.
    pub status: u16,
    /// `X-OAuth-Scopes` (classic and OAuth tokens), e.g. `repo, read:org, gist`.
    pub oauth_scopes: Option<String>,
    /// `X-Accepted-GitHub-Permissions` (fine-grained tokens), e.g. `contents=read`.
    pub accepted_permissions: Option<String>,
    /// `X-GitHub-SSO`, e.g. `required; url=https://github.com/orgs/acme/sso?authorization_request=…`.
    pub sso: Option<String>,
    /// `X-RateLimit-Remaining`.
    pub ratelimit_remaining: Option<u64>,
    /// `X-RateLimit-Limit`.
    pub ratelimit_limit: Option<u64>,
    /// `X-RateLimit-Reset`, seconds since the Unix epoch.
    pub ratelimit_reset: Option<u64>,
    /// `Retry-After`, in seconds.
    pub retry_after: Option<u64>,
    /// `login` from the body of `GET /user`.
    pub login: Option<String>,
    /// `message` from an error body, e.g. `Bad credentials`.
    pub message: Option<String>,
}

/// The probes that were made (`None` = not probed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Probes {
    /// `GET /user`.
    pub user: Option<Probe>,
    /// `GET /rate_limit`.
    pub rate_limit: Option<Probe>,
    /// `GET /repos/{owner}/{repo}`.
    pub repo: Option<Probe>,
    /// `GET /repos/{owner}/{repo}/releases?per_page=1`.
    pub releases: Option<Probe>,
}

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

/// Everything [`diagnose`] looks at.
#[derive(Debug)]
pub struct DiagnoseInput<'a> {
    /// The resolution (first-hit or [`crate::Resolver::resolve_all`]).
    pub resolution: &'a Resolution,
    /// `--repo`, if given.
    pub repo: Option<&'a RepoRef>,
    /// Probe results (all `None` when probing was not done).
    pub probes: &'a Probes,
    /// The current time, for "resets in N min".
    pub now: SystemTime,
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

fn is_rate_limited(p: &Probe) -> bool {
    p.status == 429
        || ((p.status == 403 || p.status == 429)
            && (p.ratelimit_remaining == Some(0) || p.retry_after.is_some()))
}

fn sso_url(p: &Probe) -> Option<&str> {
    let v = p.sso.as_deref()?;
    if !v.trim_start().starts_with("required") {
        return None;
    }
    v.split(';')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("url="))
}

fn sso_partial(p: &Probe) -> Option<&str> {
    let v = p.sso.as_deref()?;
    if !v.trim_start().starts_with("partial-results") {
        return None;
    }
    v.split(';')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("organizations="))
}

fn has_repo_scope(scopes: &str) -> bool {
    scopes.split(',').map(str::trim).any(|s| s == "repo")
}

fn reset_text(p: &Probe, now: SystemTime) -> String {
    let at = match (p.retry_after, p.ratelimit_reset) {
        (Some(secs), _) => now + Duration::from_secs(secs),
        (None, Some(epoch)) => UNIX_EPOCH + Duration::from_secs(epoch),
        (None, None) => return "an unknown time (no reset header)".to_owned(),
    };
    let wait = at.duration_since(now).unwrap_or_default().as_secs();
    let minutes = wait.div_ceil(60);
    format!("{} (in {minutes} min)", httpdate::fmt_http_date(at))
}

fn token_label(t: &Token) -> String {
    format!(
        "{} {} from {}",
        t.kind().description(),
        t.masked(),
        t.source()
    )
}

/// How to add (or fix) a token for this host: the same advice as the resolver's error.
fn add_token_hint(res: &Resolution) -> String {
    crate::error::fix_hint(res)
}

fn refresh_hint(t: &Token) -> String {
    let host = t.host();
    match t.source().provider() {
        ProviderKind::Env => format!("replace or unset {}", t.source().detail()),
        ProviderKind::CredentialCommand => {
            format!(
                "check what the credential_command {} prints",
                t.source().detail()
            )
        }
        ProviderKind::Keyring | ProviderKind::Gh => {
            format!("run `gh auth login --hostname {host}` to store a fresh token")
        }
    }
}

/// Turns a resolution and probe results into findings. Pure: no I/O, `now` is given.
pub fn diagnose(input: &DiagnoseInput<'_>) -> Diagnosis {
    let res = input.resolution;
    let host = res.host();
    let probes = input.probes;
    let token = res.token();
    let mut d = Diagnosis::default();

    for a in res.attempts() {
        if let Outcome::Failed(e) = &a.outcome {
            d.push(
                Severity::Warning,
                Cause::ProviderFailed,
                format!("{}: {}", a.provider, crate::outcome::error_chain(e)),
                None,
            );
        }
        for note in a.notes.iter().filter(|n| n.contains("applies only to")) {
            d.push(
                Severity::Warning,
                Cause::WrongHostVariable,
                note.clone(),
                None,
            );
        }
    }

    match token {
        Some(t) => d.push(
            Severity::Ok,
            Cause::TokenFound,
            format!("token for {host}: {}", token_label(t)),
            None,
        ),
        None if res.untrusted() => d.push(
            Severity::Problem,
            Cause::NoToken,
            format!("no provider was asked: {host} is not a host you named for tokens"),
            Some(add_token_hint(res)),
        ),
        None if input.repo.is_none() || probes.repo.is_none() => d.push(
            Severity::Problem,
            Cause::NoToken,
            format!("no token found for {host}"),
            Some(add_token_hint(res)),
        ),
        None => {} // explained together with the repo probe below
    }

    let all = [
        &probes.user,
        &probes.rate_limit,
        &probes.repo,
        &probes.releases,
    ];
    let limited = all
        .iter()
        .filter_map(|p| p.as_ref())
        .find(|p| is_rate_limited(p));
    if let Some(p) = limited {
        let when = reset_text(p, input.now);
        let (message, hint) = match token {
            None => (
                format!(
                    "rate limited: no token found for {host}, so requests share the anonymous limit of 60 per hour; it resets at {when}"
                ),
                Some(add_token_hint(res)),
            ),
            Some(t) => (
                format!(
                    "rate limited: the token from {} has no requests left until {when}",
                    t.source()
                ),
                None,
            ),
        };
        d.push(Severity::Problem, Cause::RateLimited, message, hint);
    }

    if let Some(url) = all.iter().filter_map(|p| p.as_ref()).find_map(sso_url) {
        let who = token.map_or_else(
            || "the token".to_owned(),
            |t| format!("the token from {}", t.source()),
        );
        d.push(
            Severity::Problem,
            Cause::SsoRequired,
            format!(
                "SAML SSO: {who} is not authorized for this organization; authorize it at {url}"
            ),
            None,
        );
    }
    if let Some(orgs) = all.iter().filter_map(|p| p.as_ref()).find_map(sso_partial) {
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
        match p.status {
            200..=299 => {
                login = p.login.clone();
                let scopes = match &p.oauth_scopes {
                    Some(s) if t.kind().uses_scopes() => format!(
                        " (scopes: {})",
                        if s.trim().is_empty() {
                            "none"
                        } else {
                            s.trim()
                        }
                    ),
                    _ => String::new(),
                };
                d.push(
                    Severity::Ok,
                    Cause::Authenticated,
                    format!(
                        "authenticated to {host} as {}{scopes}",
                        p.login.as_deref().unwrap_or("?")
                    ),
                    None,
                );
            }
            401 => {
                bad_credentials = true;
                d.push(
                    Severity::Problem,
                    Cause::BadCredentials,
                    format!(
                        "bad credentials: {host} rejected the {} (401)",
                        token_label(t)
                    ),
                    Some(refresh_hint(t)),
                );
            }
            // App installation tokens may not read /user; that says nothing about the repo.
            403 if t.kind() == TokenKind::AppInstallation => {}
            _ if is_rate_limited(p) || sso_url(p).is_some() => {}
            status => d.push(
                Severity::Problem,
                Cause::Unexpected,
                format!("GET /user answered {status}{}", message_suffix(p)),
                None,
            ),
        }
    }

    if let (Some(repo), Some(p)) = (input.repo, &probes.repo) {
        let user_scopes = probes.user.as_ref().and_then(|u| u.oauth_scopes.clone());
        let scopes = p.oauth_scopes.clone().or(user_scopes);
        match p.status {
            _ if is_rate_limited(p) || sso_url(p).is_some() => {}
            200..=299 => {
                d.push(
                    Severity::Ok,
                    Cause::RepoVisible,
                    format!("{repo} is visible"),
                    None,
                );
                releases_findings(&mut d, repo, token, probes.releases.as_ref());
            }
            401 if !bad_credentials => {
                if let Some(t) = token {
                    d.push(
                        Severity::Problem,
                        Cause::BadCredentials,
                        format!(
                            "bad credentials: {host} rejected the {} (401)",
                            token_label(t)
                        ),
                        Some(refresh_hint(t)),
                    );
                }
            }
            401 => {}
            403 | 404 => {
                let status = p.status;
                match token {
                    None => d.push(
                        Severity::Problem,
                        Cause::NoToken,
                        format!("no token found for {host}, and {repo} answered {status}: GitHub answers 404 for private repositories to anonymous requests"),
                        Some(add_token_hint(res)),
                    ),
                    Some(_) if bad_credentials => {}
                    Some(t) if t.kind().uses_scopes() && scopes.as_deref().is_some_and(|s| !has_repo_scope(s)) => {
                        let has = scopes.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("none");
                        d.push(
                            Severity::Problem,
                            Cause::MissingRepoScope,
                            format!("the {} lacks the `repo` scope (it has: {has}), so {repo} answers {status}", token_label(t)),
                            Some(match t.source().provider() {
                                ProviderKind::Keyring | ProviderKind::Gh => format!("run `gh auth refresh --hostname {host} --scopes repo`"),
                                _ => "create a token with the `repo` scope".to_owned(),
                            }),
                        );
                    }
                    Some(t) if t.kind() == TokenKind::FineGrained => {
                        let same_owner = login.as_deref().is_some_and(|l| l.eq_ignore_ascii_case(&repo.owner));
                        let message = if same_owner {
                            format!("the {} cannot see {repo} ({status}): the token must include this repository with Contents: read", token_label(t))
                        } else {
                            format!("the {} cannot see {repo} ({status}): a fine-grained token works for one resource owner, which must be {}, and needs Contents: read on the repository", token_label(t), repo.owner)
                        };
                        d.push(
                            Severity::Problem,
                            Cause::FineGrainedNoAccess,
                            message,
                            Some("edit the token's resource owner and repository access, or use a token with the `repo` scope".to_owned()),
                        );
                    }
                    Some(t) if t.kind() == TokenKind::AppInstallation => d.push(
                        Severity::Problem,
                        Cause::AppTokenNoAccess,
                        format!("the {} cannot see {repo} ({status}): an app installation token (such as Actions' GITHUB_TOKEN) only reaches the repositories it was granted", token_label(t)),
                        Some(format!("grant the app access to {repo}, or provide another token for {host}")),
                    ),
                    Some(t) => {
                        let who = login.as_deref().map_or_else(|| "this account".to_owned(), str::to_owned);
                        d.push(
                            Severity::Problem,
                            Cause::RepoMissing,
                            format!("{repo} does not exist on {host}, or {who} cannot see it ({status} with working credentials from {})", t.source()),
                            Some("check the owner and name, and that the account was given access".to_owned()),
                        );
                    }
                }
            }
            status => d.push(
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
    match p.status {
        _ if is_rate_limited(p) || sso_url(p).is_some() => {}
        200..=299 => d.push(
            Severity::Ok,
            Cause::ReleasesVisible,
            format!("releases of {repo} are readable"),
            None,
        ),
        403 | 404 if token.is_some_and(|t| t.kind() == TokenKind::FineGrained) => {
            let need = p
                .accepted_permissions
                .as_deref()
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
        status => d.push(
            Severity::Problem,
            Cause::Unexpected,
            format!(
                "GET /repos/{repo}/releases answered {status}{}",
                message_suffix(p)
            ),
            None,
        ),
    }
}

fn message_suffix(p: &Probe) -> String {
    p.message
        .as_deref()
        .map(|m| format!(": {}", m.replace(['\n', '\r'], " ")))
        .unwrap_or_default()
}

/// The human report: each provider, the winner, then the findings with hints.
pub fn render_text(res: &Resolution, diagnosis: &Diagnosis) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "host: {}", res.host());
    if res.config_files().is_empty() {
        match res.config_path() {
            Some(p) if p.exists() => {
                let _ = writeln!(out, "config: {}", p.display());
            }
            Some(p) => {
                let _ = writeln!(out, "config: {} (not present)", p.display());
            }
            None => {
                let _ = writeln!(
                    out,
                    "config: none (neither XDG_CONFIG_HOME nor HOME is set)"
                );
            }
        }
    }
    for (path, level, present) in res.config_files() {
        let missing = if *present { "" } else { ", not present" };
        let _ = writeln!(out, "config: {} ({level}{missing})", path.display());
    }
    for (key, value, from) in res.settings() {
        let _ = writeln!(out, "  {key} = {value}  (from {from})");
    }
    if res.untrusted() {
        let _ = writeln!(
            out,
            "trust: {} is not github.com, *.ghe.com, a configured host, a gh login or in SKILLRIG_TRUSTED_HOSTS: no provider asked",
            res.host()
        );
    }
    let _ = writeln!(out, "providers, in order:");
    let winner = res.winner().map(|a| a.provider);
    for a in res.attempts() {
        let mark = if Some(a.provider) == winner { "*" } else { " " };
        let _ = writeln!(
            out,
            "  {mark} {:<18} {:<9} {}",
            a.provider.name(),
            a.outcome.status(),
            a.outcome.summary()
        );
        for note in &a.notes {
            let _ = writeln!(out, "      {:<18} {:<9} note: {note}", "", "");
        }
    }
    match res.token() {
        Some(t) => {
            let _ = writeln!(
                out,
                "token: {} ({}) from {}",
                t.masked(),
                t.kind().description(),
                t.source()
            );
        }
        None => {
            let _ = writeln!(out, "token: none");
        }
    }
    for f in &diagnosis.findings {
        let _ = writeln!(out, "{}: {}", f.severity.code(), f.message);
        if let Some(h) = &f.hint {
            let _ = writeln!(out, "  hint: {h}");
        }
    }
    // Quoted helper output may hold a token; the resolved ones are known here too.
    crate::redact::redact_known(&out, &res.known_secrets()).into_owned()
}

fn token_json(t: &Token) -> Value {
    json!({
        "provider": t.source().provider().name(),
        "kind": t.kind().code(),
        "masked": t.masked(),
        "source": t.source().detail(),
        "cached": t.source().cached(),
    })
}

/// The machine-readable report (schema in the module docs).
pub fn to_json(res: &Resolution, diagnosis: &Diagnosis) -> Value {
    let providers: Vec<Value> = res
        .attempts()
        .iter()
        .map(|a| {
            let mut v = json!({
                "provider": a.provider.name(),
                "status": a.outcome.status(),
                "code": a.outcome.code(),
                "detail": a.outcome.summary(),
                "notes": a.notes,
            });
            if let Outcome::Found(t) = &a.outcome {
                v["token"] = token_json(t);
            }
            v
        })
        .collect();
    let value = json!({
        "host": res.host().as_str(),
        "config": res.config_path().map(|p| p.display().to_string()),
        "config_files": res.config_files().iter().map(|(path, level, present)| json!({
            "path": path.display().to_string(),
            "level": level,
            "present": present,
        })).collect::<Vec<_>>(),
        "settings": res.settings().iter().map(|(key, value, from)| json!({
            "key": key,
            "value": value,
            "from": from,
        })).collect::<Vec<_>>(),
        "trusted": !res.untrusted(),
        "providers": providers,
        "winner": res.winner().map(|a| a.provider.name()),
        "token": res.token().map(token_json),
        "findings": diagnosis.findings.iter().map(|f| json!({
            "severity": f.severity.code(),
            "cause": f.cause.code(),
            "message": f.message,
            "hint": f.hint,
        })).collect::<Vec<_>>(),
        "healthy": diagnosis.healthy(),
    });
    redact_value(value, &res.known_secrets())
}

/// Applies [`crate::redact::redact_known`] to every string in `value`.
fn redact_value(value: Value, known: &[&str]) -> Value {
    match value {
        Value::String(s) => Value::String(crate::redact::redact_known(&s, known).into_owned()),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| redact_value(v, known)).collect())
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, redact_value(v, known)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use origin_meta::Host;
    use secrecy::SecretString;

    use super::*;
    use crate::outcome::{Attempt, MissReason, ProviderError};
    use crate::token::Source;

    const NOW: u64 = 1_800_000_000;

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(NOW)
    }

    fn resolution(token: Option<(&str, ProviderKind, &str)>) -> Resolution {
        let host = Host::github_com();
        let mut attempts = vec![Attempt {
            provider: ProviderKind::Env,
            outcome: Outcome::miss(MissReason::NotSet, "none of … is set"),
            notes: vec![],
        }];
        if let Some((value, provider, detail)) = token {
            attempts.push(Attempt {
                provider,
                outcome: Outcome::Found(Token::new(
                    SecretString::from(value.to_owned()),
                    host.clone(),
                    Source::new(provider, detail),
                )),
                notes: vec![],
            });
        }
        Resolution {
            host,
            attempts,
            config_path: Some(PathBuf::from("/nonexistent/hosts.toml")),
            untrusted: false,
            settings: Vec::new(),
            config_files: Vec::new(),
        }
    }

    fn probe(status: u16) -> Probe {
        Probe {
            status,
            ..Probe::default()
        }
    }

    fn run(res: &Resolution, repo: Option<&str>, probes: Probes) -> Diagnosis {
        let repo = repo.map(|r| r.parse::<RepoRef>().unwrap());
        diagnose(&DiagnoseInput {
            resolution: res,
            repo: repo.as_ref(),
            probes: &probes,
            now: now(),
        })
    }

    fn problems(d: &Diagnosis) -> Vec<(Cause, &str)> {
        d.findings
            .iter()
            .filter(|f| f.severity == Severity::Problem)
            .map(|f| (f.cause, f.message.as_str()))
            .collect()
    }

    const CLASSIC: &str = "ghp_0123456789abcdefghij1234";

    #[test]
    fn healthy_classic_token() {
        let res = resolution(Some((
            CLASSIC,
            ProviderKind::Keyring,
            "Secret Service item service=gh:github.com username=alice",
        )));
        let d = run(
            &res,
            Some("acme/tool"),
            Probes {
                user: Some(Probe {
                    login: Some("alice".into()),
                    oauth_scopes: Some("repo, read:org, gist".into()),
                    ..probe(200)
                }),
                repo: Some(probe(200)),
                releases: Some(probe(200)),
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
            "token for github.com: classic personal access token ghp_…1234 from keyring: Secret Service item service=gh:github.com username=alice"
        );
        assert!(d.find(Cause::ReleasesVisible).is_some());
    }

    #[test]
    fn no_token_and_private_repo() {
        let res = resolution(None);
        let d = run(
            &res,
            Some("acme/private"),
            Probes {
                repo: Some(probe(404)),
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

        let d = run(&res, None, Probes::default());
        assert_eq!(
            problems(&d),
            [(Cause::NoToken, "no token found for github.com")]
        );
    }

    #[test]
    fn missing_repo_scope() {
        let res = resolution(Some((
            "gho_0123456789abcdefghijWXYZ",
            ProviderKind::Gh,
            "`gh auth token --hostname github.com` (/usr/bin/gh)",
        )));
        let d = run(
            &res,
            Some("acme/private"),
            Probes {
                user: Some(Probe {
                    login: Some("alice".into()),
                    oauth_scopes: Some("read:org, gist".into()),
                    ..probe(200)
                }),
                repo: Some(probe(404)),
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
        let res = resolution(Some((
            "github_pat_11ABCDEFG0123456789_abcd",
            ProviderKind::Env,
            "GH_TOKEN",
        )));
        let user = Probe {
            login: Some("alice".into()),
            ..probe(200)
        };
        let d = run(
            &res,
            Some("acme/tool"),
            Probes {
                user: Some(user.clone()),
                repo: Some(probe(404)),
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

        let d = run(
            &res,
            Some("alice/tool"),
            Probes {
                user: Some(user.clone()),
                repo: Some(probe(404)),
                ..Probes::default()
            },
        );
        assert!(
            problems(&d)[0].1.contains("must include this repository"),
            "{d:?}"
        );

        let d = run(
            &res,
            Some("alice/tool"),
            Probes {
                user: Some(user),
                repo: Some(probe(200)),
                releases: Some(Probe {
                    accepted_permissions: Some("contents=read".into()),
                    ..probe(403)
                }),
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
        let res = resolution(Some((CLASSIC, ProviderKind::Env, "GH_TOKEN")));
        let url = "https://github.com/orgs/acme/sso?authorization_request=ABC123";
        let d = run(
            &res,
            Some("acme/tool"),
            Probes {
                user: Some(Probe {
                    login: Some("alice".into()),
                    oauth_scopes: Some("repo".into()),
                    ..probe(200)
                }),
                repo: Some(Probe {
                    sso: Some(format!("required; url={url}")),
                    message: Some("Resource protected by organization SAML enforcement".into()),
                    ..probe(403)
                }),
                ..Probes::default()
            },
        );
        assert_eq!(
            problems(&d),
            [(Cause::SsoRequired, format!("SAML SSO: the token from env: GH_TOKEN is not authorized for this organization; authorize it at {url}").as_str())]
        );
    }

    #[test]
    fn bad_credentials_name_the_provider() {
        let res = resolution(Some((
            CLASSIC,
            ProviderKind::CredentialCommand,
            "`op …` from [default]",
        )));
        let d = run(
            &res,
            Some("acme/tool"),
            Probes {
                user: Some(Probe {
                    message: Some("Bad credentials".into()),
                    ..probe(401)
                }),
                repo: Some(probe(401)),
                ..Probes::default()
            },
        );
        assert_eq!(
            problems(&d),
            [(
                Cause::BadCredentials,
                "bad credentials: github.com rejected the classic personal access token ghp_…1234 from credential_command: `op …` from [default] (401)"
            )]
        );
        assert_eq!(
            d.find(Cause::BadCredentials).unwrap().hint.as_deref(),
            Some("check what the credential_command `op …` from [default] prints")
        );
    }

    #[test]
    fn rate_limited_with_and_without_token() {
        let limited = Probe {
            ratelimit_remaining: Some(0),
            ratelimit_limit: Some(60),
            ratelimit_reset: Some(NOW + 600),
            ..probe(403)
        };
        let d = run(
            &resolution(None),
            Some("acme/tool"),
            Probes {
                repo: Some(limited.clone()),
                ..Probes::default()
            },
        );
        let p = problems(&d);
        assert!(p.iter().any(|(c, m)| *c == Cause::RateLimited
            && *m == "rate limited: no token found for github.com, so requests share the anonymous limit of 60 per hour; it resets at Fri, 15 Jan 2027 08:10:00 GMT (in 10 min)"), "{p:?}");

        let res = resolution(Some((CLASSIC, ProviderKind::Env, "GITHUB_TOKEN")));
        let d = run(
            &res,
            None,
            Probes {
                rate_limit: Some(Probe {
                    retry_after: Some(90),
                    ..probe(429)
                }),
                ..Probes::default()
            },
        );
        assert_eq!(
            problems(&d),
            [(
                Cause::RateLimited,
                "rate limited: the token from env: GITHUB_TOKEN has no requests left until Fri, 15 Jan 2027 08:01:30 GMT (in 2 min)"
            )]
        );
    }

    #[test]
    fn repo_truly_missing() {
        let res = resolution(Some((CLASSIC, ProviderKind::Env, "GH_TOKEN")));
        let d = run(
            &res,
            Some("acme/nope"),
            Probes {
                user: Some(Probe {
                    login: Some("alice".into()),
                    oauth_scopes: Some("repo, gist".into()),
                    ..probe(200)
                }),
                repo: Some(probe(404)),
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
        let res = resolution(Some((
            "ghs_0123456789abcdefghijQRST",
            ProviderKind::Env,
            "GITHUB_TOKEN",
        )));
        let d = run(
            &res,
            Some("acme/other"),
            Probes {
                user: Some(probe(403)),
                repo: Some(probe(404)),
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
    fn provider_errors_and_wrong_host_variables_are_warnings() {
        let mut res = resolution(Some((CLASSIC, ProviderKind::Gh, "gh")));
        res.attempts[0].notes.push("GH_ENTERPRISE_TOKEN is set but applies only to GitHub Enterprise Server hosts, not to github.com".into());
        res.attempts.insert(
            1,
            Attempt {
                provider: ProviderKind::Keyring,
                outcome: Outcome::Failed(ProviderError::KeyringLocked {
                    item: "Secret Service item service=gh:github.com username=alice".into(),
                    message: "the collection holding it is locked".into(),
                }),
                notes: vec![],
            },
        );
        let d = run(&res, None, Probes::default());
        assert!(d.healthy());
        let warnings: Vec<_> = d
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .map(|f| f.cause)
            .collect();
        assert_eq!(warnings, [Cause::WrongHostVariable, Cause::ProviderFailed]);
    }

    #[test]
    fn text_and_json_never_show_the_token() {
        let res = resolution(Some((
            CLASSIC,
            ProviderKind::Keyring,
            "Secret Service item service=gh:github.com username=alice",
        )));
        let d = run(&res, None, Probes::default());
        let text = render_text(&res, &d);
        let json = to_json(&res, &d).to_string();
        for out in [&text, &json] {
            assert!(!out.contains(CLASSIC), "{out}");
            assert!(out.contains("ghp_…1234"), "{out}");
        }
        assert!(text.contains("  * keyring            found"), "{text}");
        assert!(
            text.contains("config: /nonexistent/hosts.toml (not present)"),
            "{text}"
        );
        let v = to_json(&res, &d);
        assert_eq!(v["winner"], "keyring");
        assert_eq!(v["providers"][0]["code"], "not-set");
        assert_eq!(v["token"]["kind"], "classic");
        assert_eq!(v["healthy"], true);
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
