//! The `env` provider: token variables, scoped by host kind.
//!
//! | host | variables, first non-empty wins |
//! |---|---|
//! | github.com, `*.ghe.com` | `MISE_GITHUB_TOKEN`, `GITHUB_API_TOKEN`, `GITHUB_TOKEN`, `GH_TOKEN` |
//! | any other (Enterprise Server) | `MISE_GITHUB_ENTERPRISE_TOKEN`, `GH_ENTERPRISE_TOKEN`, `GITHUB_ENTERPRISE_TOKEN` |
//!
//! The github.com order is mise's (so a user with several set gets the token mise would use),
//! with gh's `GH_TOKEN` added last. Unlike mise, `GITHUB_TOKEN` is never used for an Enterprise
//! Server host: a CI runner's token for one instance must not be sent to another (gh parity).
//! One `*_ENTERPRISE_TOKEN` value applies to every Enterprise Server host; use a
//! `credential_command` or gh logins when there are several.

use origin_meta::Host;

use super::{Lookup, accept};
use crate::env::{Env, vars};
use crate::outcome::{MissReason, Outcome};
use crate::token::{ProviderKind, Source};

/// Variables for github.com and `*.ghe.com`, in precedence order.
pub(crate) const GITHUB_COM_VARS: [&str; 4] = [
    vars::MISE_GITHUB_TOKEN,
    vars::GITHUB_API_TOKEN,
    vars::GITHUB_TOKEN,
    vars::GH_TOKEN,
];

/// Variables for Enterprise Server hosts, in precedence order.
pub(crate) const ENTERPRISE_VARS: [&str; 3] = [
    vars::MISE_GITHUB_ENTERPRISE_TOKEN,
    vars::GH_ENTERPRISE_TOKEN,
    vars::GITHUB_ENTERPRISE_TOKEN,
];

/// The variables that may supply a token for `host`, in order.
pub(crate) fn vars_for(host: &Host) -> &'static [&'static str] {
    if host.uses_github_com_env() {
        &GITHUB_COM_VARS
    } else {
        &ENTERPRISE_VARS
    }
}

pub(crate) fn lookup(host: &Host, env: &Env) -> Lookup {
    let (own, other, other_scope): (&[&str], &[&str], &str) = if host.uses_github_com_env() {
        (
            &GITHUB_COM_VARS,
            &ENTERPRISE_VARS,
            "GitHub Enterprise Server hosts",
        )
    } else {
        (
            &ENTERPRISE_VARS,
            &GITHUB_COM_VARS,
            "github.com and *.ghe.com",
        )
    };

    let mut notes = Vec::new();
    let mut outcome = None;
    for name in own {
        let Some(raw) = env.var_os(name) else {
            continue;
        };
        let Some(value) = raw.to_str() else {
            if outcome.is_none() {
                outcome = Some(Outcome::Failed(crate::outcome::ProviderError::Invalid {
                    what: (*name).to_owned(),
                    reason: "the value is not valid UTF-8",
                }));
            }
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            notes.push(format!("{name} is set but empty (skipped)"));
            continue;
        }
        if let Some(winner) = &outcome {
            if let Outcome::Found(t) = winner {
                notes.push(format!(
                    "{name} is also set; {} takes precedence",
                    t.source().detail()
                ));
            }
            continue;
        }
        outcome = Some(accept(
            value,
            host,
            Source::new(ProviderKind::Env, *name),
            name,
        ));
    }
    for name in other {
        if env.var_os(name).is_some_and(|v| !v.is_empty()) {
            notes.push(format!(
                "{name} is set but applies only to {other_scope}, not to {host}"
            ));
        }
    }
    let outcome = outcome.unwrap_or_else(|| {
        Outcome::miss(
            MissReason::NotSet,
            format!("none of {} is set", own.join(", ")),
        )
    });
    Lookup { outcome, notes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Outcome;

    fn found(lookup: &Lookup) -> (String, String) {
        match &lookup.outcome {
            Outcome::Found(t) => (t.expose_secret().to_owned(), t.source().detail().to_owned()),
            other => panic!("expected a token, got {other:?}"),
        }
    }

    #[test]
    fn precedence_for_github_com() {
        let host = Host::github_com();
        let all = [
            ("GH_TOKEN", "ghp_from_gh_token"),
            ("GITHUB_TOKEN", "ghp_from_github_token"),
            ("GITHUB_API_TOKEN", "ghp_from_api_token"),
            ("MISE_GITHUB_TOKEN", "ghp_from_mise"),
        ];
        // Remove the winner one at a time: each next variable takes over.
        let expected = [
            "MISE_GITHUB_TOKEN",
            "GITHUB_API_TOKEN",
            "GITHUB_TOKEN",
            "GH_TOKEN",
        ];
        for (skip, want) in expected.iter().enumerate() {
            let env = Env::from_vars(
                all.iter()
                    .filter(|(n, _)| !expected[..skip].contains(n))
                    .copied(),
            );
            let (_, source) = found(&lookup(&host, &env));
            assert_eq!(&source, want);
        }
        let env = Env::from_vars(all);
        let l = lookup(&host, &env);
        assert_eq!(found(&l).0, "ghp_from_mise");
        assert!(
            l.notes
                .iter()
                .any(|n| n.starts_with("GH_TOKEN is also set")),
            "{:?}",
            l.notes
        );
    }

    #[test]
    fn ghe_cloud_uses_github_com_vars() {
        let host = Host::parse("acme.ghe.com").unwrap();
        let env = Env::from_vars([
            ("GH_TOKEN", "ghp_cloud"),
            ("GH_ENTERPRISE_TOKEN", "ghp_server"),
        ]);
        assert_eq!(found(&lookup(&host, &env)).0, "ghp_cloud");
    }

    #[test]
    fn github_com_tokens_never_reach_an_enterprise_host() {
        let host = Host::parse("ghe.example.com").unwrap();
        let env = Env::from_vars([
            ("GH_TOKEN", "ghp_dotcom1"),
            ("GITHUB_TOKEN", "ghp_dotcom2"),
            ("MISE_GITHUB_TOKEN", "ghp_dotcom3"),
            ("GITHUB_API_TOKEN", "ghp_dotcom4"),
        ]);
        let l = lookup(&host, &env);
        let Outcome::Miss(miss) = &l.outcome else {
            panic!("{:?}", l.outcome)
        };
        assert_eq!(miss.reason, MissReason::NotSet);
        assert!(
            miss.detail.contains("GH_ENTERPRISE_TOKEN"),
            "{}",
            miss.detail
        );
        assert!(
            l.notes.iter().any(|n| n == "GITHUB_TOKEN is set but applies only to github.com and *.ghe.com, not to ghe.example.com"),
            "{:?}",
            l.notes
        );

        let env = Env::from_vars([
            ("GITHUB_TOKEN", "ghp_dotcom"),
            ("GITHUB_ENTERPRISE_TOKEN", "ghp_server"),
        ]);
        let l = lookup(&host, &env);
        assert_eq!(
            found(&l),
            (
                "ghp_server".to_owned(),
                "GITHUB_ENTERPRISE_TOKEN".to_owned()
            )
        );
    }

    #[test]
    fn enterprise_tokens_never_reach_github_com() {
        let env = Env::from_vars([
            ("GH_ENTERPRISE_TOKEN", "ghp_server"),
            ("MISE_GITHUB_ENTERPRISE_TOKEN", "x"),
        ]);
        let l = lookup(&Host::github_com(), &env);
        assert!(matches!(l.outcome, Outcome::Miss(_)), "{:?}", l.outcome);
        assert_eq!(l.notes.len(), 2, "{:?}", l.notes);
    }

    #[test]
    fn empty_and_blank_values_are_skipped() {
        let env = Env::from_vars([
            ("MISE_GITHUB_TOKEN", ""),
            ("GITHUB_API_TOKEN", "  \n"),
            ("GH_TOKEN", " ghp_real "),
        ]);
        let l = lookup(&Host::github_com(), &env);
        assert_eq!(found(&l), ("ghp_real".to_owned(), "GH_TOKEN".to_owned()));
        assert_eq!(
            l.notes.iter().filter(|n| n.ends_with("(skipped)")).count(),
            2
        );

        let env = Env::from_vars([("GH_TOKEN", "")]);
        assert!(matches!(
            lookup(&Host::github_com(), &env).outcome,
            Outcome::Miss(_)
        ));
    }

    #[test]
    fn garbage_is_an_error_that_does_not_quote_the_value() {
        let env = Env::from_vars([("GH_TOKEN", "Bearer ghp_secret123")]);
        let l = lookup(&Host::github_com(), &env);
        let Outcome::Failed(e) = &l.outcome else {
            panic!("{:?}", l.outcome)
        };
        let msg = e.to_string();
        assert!(msg.starts_with("GH_TOKEN: "), "{msg}");
        assert!(!msg.contains("ghp_secret123"), "{msg}");
        let env = Env::from_vars([("GH_TOKEN", "ghr_refresh")]);
        assert!(matches!(
            lookup(&Host::github_com(), &env).outcome,
            Outcome::Failed(_)
        ));
    }
}
