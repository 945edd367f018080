//! `skillrig-auth doctor`'s resolution report: what the resolver found, and why.
//!
//! * [`render_text`] and [`to_json`] — each provider in order (found / miss / error / not
//!   tried, with a stable code), which configuration file set what, which provider won, the
//!   token's kind by prefix, masked (`ghp_…abcd`);
//! * the phrases the diagnosis needs about a resolution: [`token_label`], how to add a token
//!   ([`add_token_hint`]) or renew one ([`refresh_hint`]), and its [`warnings`] (a provider
//!   that failed, a token variable set for the other kind of host);
//! * redaction of everything printed beside the report ([`redact_text`], [`redact_json`]):
//!   quoted helper output may hold a token, and the resolved ones are known here.
//!
//! What the host answers, and the findings drawn from it, are the CLI's
//! (`skillrig_cli::doctor`): this crate never talks to GitHub, and GitHub's answers are read
//! in one place, the `releases` crate.
//!
//! # JSON
//!
//! [`to_json`] gives the resolution's part of `skillrig-auth doctor --json` (the CLI adds
//! `findings` and `healthy`; its module docs show the whole object); fields are only ever
//! added:
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
//!   "token": {"provider": "keyring", "kind": "classic", "masked": "ghp_…abcd", "source": "…", "cached": false}
//! }
//! ```
//!
//! `status` is `found`, `miss`, `error` or `not-tried`; `code` is the miss reason or error code
//! (`not-set`, `not-configured`, `no-bus`, `no-secret-service`, `not-found`, `locked`,
//! `timed-out`, `exited`, …).

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::outcome::{Outcome, Resolution};
use crate::token::{ProviderKind, Token};

/// `classic personal access token ghp_…abcd from env: GH_TOKEN`: how findings name a token.
pub fn token_label(t: &Token) -> String {
    format!(
        "{} {} from {}",
        t.kind().description(),
        t.masked(),
        t.source()
    )
}

/// How to add (or fix) a token for the resolution's host: the same advice as the resolver's
/// error when no token is found.
pub fn add_token_hint(res: &Resolution) -> String {
    crate::error::fix_hint(res)
}

/// How to replace a token the host rejected, where it came from.
pub fn refresh_hint(t: &Token) -> String {
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

/// A warning the resolution itself gives: worth knowing, not why a request fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// A provider failed and the chain went on: `keyring: <the error and its causes>`.
    ProviderFailed(String),
    /// A token variable is set for the other kind of host (`GH_ENTERPRISE_TOKEN is set but
    /// applies only to GitHub Enterprise Server hosts, not to github.com`).
    WrongHostVariable(String),
}

/// The resolution's warnings in provider order (each provider's failure, then its notes),
/// redacted.
pub fn warnings(res: &Resolution) -> Vec<Warning> {
    let mut out = Vec::new();
    for a in res.attempts() {
        if let Outcome::Failed(e) = &a.outcome {
            out.push(Warning::ProviderFailed(redact_text(
                res,
                &format!("{}: {}", a.provider, crate::outcome::error_chain(e)),
            )));
        }
        for note in a.notes.iter().filter(|n| n.contains("applies only to")) {
            out.push(Warning::WrongHostVariable(redact_text(res, note)));
        }
    }
    out
}

/// The human report of the resolution: configuration, each provider, the winner's token.
pub fn render_text(res: &Resolution) -> String {
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
    redact_text(res, &out)
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

/// The machine-readable report of the resolution: one object (schema in the module docs).
pub fn to_json(res: &Resolution) -> Value {
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
    });
    redact_json(res, value)
}

/// `text` with token-shaped text and the resolution's own tokens masked
/// ([`crate::redact::redact_known`]).
pub fn redact_text(res: &Resolution, text: &str) -> String {
    crate::redact::redact_known(text, &res.known_secrets()).into_owned()
}

/// [`redact_text`] applied to every string in `value`.
pub fn redact_json(res: &Resolution, value: Value) -> Value {
    redact_value(value, &res.known_secrets())
}

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

    const CLASSIC: &str = "ghp_0123456789abcdefghij1234";

    #[test]
    fn tokens_are_named_by_kind_mask_and_source() {
        let res = resolution(Some((
            CLASSIC,
            ProviderKind::Keyring,
            "Secret Service item service=gh:github.com username=alice",
        )));
        let t = res.token().unwrap();
        assert_eq!(
            token_label(t),
            "classic personal access token ghp_…1234 from keyring: Secret Service item service=gh:github.com username=alice"
        );
        assert_eq!(
            refresh_hint(t),
            "run `gh auth login --hostname github.com` to store a fresh token"
        );
        let res = resolution(Some((
            CLASSIC,
            ProviderKind::CredentialCommand,
            "`op …` from [default]",
        )));
        assert_eq!(
            refresh_hint(res.token().unwrap()),
            "check what the credential_command `op …` from [default] prints"
        );
        assert!(add_token_hint(&resolution(None)).contains("gh auth login"));
    }

    #[test]
    fn provider_errors_and_wrong_host_variables() {
        let mut res = resolution(Some((CLASSIC, ProviderKind::Gh, "gh")));
        res.attempts[0].notes.push("GH_ENTERPRISE_TOKEN is set but applies only to GitHub Enterprise Server hosts, not to github.com".into());
        res.attempts[0].notes.push("an unrelated note".into());
        res.attempts.insert(
            1,
            Attempt {
                provider: ProviderKind::Keyring,
                outcome: Outcome::Failed(ProviderError::KeyringLocked {
                    item: "Secret Service item service=gh:github.com username=alice".into(),
                    message: format!("the collection holding {CLASSIC} is locked"),
                }),
                notes: vec![],
            },
        );
        let w = warnings(&res);
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(
            w[0],
            Warning::WrongHostVariable("GH_ENTERPRISE_TOKEN is set but applies only to GitHub Enterprise Server hosts, not to github.com".into())
        );
        let Warning::ProviderFailed(failure) = &w[1] else {
            panic!("{w:?}")
        };
        assert!(failure.starts_with("keyring: "), "{failure}");
        assert!(!failure.contains(CLASSIC), "redacted: {failure}");
    }

    #[test]
    fn text_and_json_never_show_the_token() {
        let res = resolution(Some((
            CLASSIC,
            ProviderKind::Keyring,
            "Secret Service item service=gh:github.com username=alice",
        )));
        let text = render_text(&res);
        let json = to_json(&res).to_string();
        for out in [&text, &json] {
            assert!(!out.contains(CLASSIC), "{out}");
            assert!(out.contains("ghp_…1234"), "{out}");
        }
        assert!(text.contains("  * keyring            found"), "{text}");
        assert!(
            text.contains("config: /nonexistent/hosts.toml (not present)"),
            "{text}"
        );
        assert!(
            text.ends_with("token: ghp_…1234 (classic personal access token) from keyring: Secret Service item service=gh:github.com username=alice\n"),
            "{text}"
        );
        let v = to_json(&res);
        assert_eq!(v["winner"], "keyring");
        assert_eq!(v["providers"][0]["code"], "not-set");
        assert_eq!(v["token"]["kind"], "classic");
        assert_eq!(
            redact_json(&res, json!({"m": [format!("saw {CLASSIC}")]}))["m"][0],
            "saw ghp_[redacted]"
        );
        assert_eq!(
            redact_text(&res, &format!("saw {CLASSIC}")),
            "saw ghp_[redacted]"
        );
    }
}
