//! The four providers of the chain. Each takes the host (and the injected environment) and
//! returns a [`Lookup`]: its [`Outcome`] plus notes for `doctor`.

pub(crate) mod command;
pub(crate) mod env;
pub(crate) mod gh;
pub(crate) mod hosts_yml;
pub(crate) mod keyring;

use origin_meta::Host;
use secrecy::SecretString;

use crate::outcome::{Outcome, ProviderError};
use crate::token::{Source, Token, TokenKind};

/// A provider's answer plus observations worth showing in `doctor`.
#[derive(Debug)]
pub(crate) struct Lookup {
    pub(crate) outcome: Outcome,
    pub(crate) notes: Vec<String>,
}

impl From<Outcome> for Lookup {
    fn from(outcome: Outcome) -> Lookup {
        Lookup {
            outcome,
            notes: Vec::new(),
        }
    }
}

/// Turns a candidate value into a found token, or an `Invalid` error that never quotes the
/// value. Rejects what would make a broken `Authorization` header or could not work anyway:
/// whitespace or control characters inside (often an error message printed on stdout), and
/// refresh tokens.
pub(crate) fn accept(value: &str, host: &Host, source: Source, what: &str) -> Outcome {
    let reason = if value.is_empty() {
        Some("the value is empty")
    } else if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("the value contains whitespace or control characters, which no GitHub token does")
    } else if TokenKind::of(value) == TokenKind::Refresh {
        Some("this is a refresh token (ghr_), which cannot authenticate requests")
    } else if !value.is_ascii() {
        Some("the value contains non-ASCII characters, which no GitHub token does")
    } else {
        None
    };
    match reason {
        Some(reason) => Outcome::Failed(ProviderError::Invalid {
            what: what.to_owned(),
            reason,
        }),
        None => Outcome::Found(Token::new(
            SecretString::from(value.to_owned()),
            host.clone(),
            source,
        )),
    }
}
