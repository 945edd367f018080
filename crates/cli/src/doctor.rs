//! `skillrig-auth doctor`'s API probes: with the token the resolver found (or none), ask the
//! host who we are (`/user`), how much rate limit is left (`/rate_limit`), and, with `--repo`,
//! whether the repository and its releases are visible. The `auth` crate turns the answers into
//! one-line causes; this module only makes the requests, through the same `releases` client
//! (and so the same API URL, proxy and TLS settings) that installs use.

use auth::doctor::{Probe, Probes, RepoRef};
use auth::{Env, Resolution, Resolver};
use releases::{ClientConfig, Credential, GitHub};
use secrecy::SecretString;

/// Runs the probes for `resolution`'s host. A transport failure (host unreachable) leaves the
/// probe empty and is returned as a note for the report.
pub fn probe(
    env: &Env,
    resolver: &Resolver,
    resolution: &Resolution,
    repo: Option<&RepoRef>,
) -> (Probes, Vec<String>) {
    let host = resolution.host().clone();
    let credential = resolution.token().map(|t| {
        Credential::new(
            SecretString::from(t.expose_secret().to_owned()),
            t.source().to_string(),
        )
    });
    let api_url = resolver.config().api_url(&host).map(str::to_owned);
    let mut config = ClientConfig::from_env(host, api_url.as_deref(), credential, &|k| env.var(k));
    // Diagnosis must see the live answer, never a cached one.
    config.cache_dir = None;
    let mut notes = Vec::new();
    let client = match GitHub::new(config) {
        Ok(client) => client,
        Err(e) => {
            notes.push(crate::report::Failure::from_error(&e).message().to_owned());
            return (Probes::default(), notes);
        }
    };
    let mut run = |path: &str| match client.probe(path) {
        Ok(p) => Some(convert(&p)),
        Err(e) => {
            notes.push(format!(
                "GET {path}: {}",
                crate::report::Failure::from_error(&e).message()
            ));
            None
        }
    };
    let mut probes = Probes {
        user: run("/user"),
        rate_limit: run("/rate_limit"),
        ..Probes::default()
    };
    if let Some(repo) = repo {
        let base = format!("/repos/{}/{}", repo.owner, repo.name);
        probes.repo = run(&base);
        probes.releases = run(&format!("{base}/releases?per_page=1"));
    }
    (probes, notes)
}

fn convert(p: &releases::Probe) -> Probe {
    let number = |name: &str| p.header(name).and_then(|v| v.trim().parse::<u64>().ok());
    let body = p.body.as_ref();
    Probe {
        status: p.status,
        oauth_scopes: p.header("x-oauth-scopes").map(str::to_owned),
        accepted_permissions: p.header("x-accepted-github-permissions").map(str::to_owned),
        sso: p.header("x-github-sso").map(str::to_owned),
        ratelimit_remaining: number("x-ratelimit-remaining"),
        ratelimit_limit: number("x-ratelimit-limit"),
        ratelimit_reset: number("x-ratelimit-reset"),
        retry_after: number("retry-after"),
        login: body
            .and_then(|b| b.get("login"))
            .and_then(|l| l.as_str())
            .map(str::to_owned),
        message: p.message().map(str::to_owned),
    }
}
