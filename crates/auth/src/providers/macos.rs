//! macOS Keychain: gh's generic-password items, read the way go-keyring reads them.
//!
//! go-keyring shells out to `/usr/bin/security find-generic-password -s <service> -wa <user>`
//! and stores values as `go-keyring-base64:<base64>` (legacy: `go-keyring-encoded:<hex>`); we
//! do the same, so no Keychain framework binding is needed. Only the service and account
//! names go into argv; the secret comes back on stdout.
//!
//! **Not tested on a Mac** (this project's CI is Linux): the decoding is unit-tested here, the
//! `security` invocation follows go-keyring's source.

use std::process::Command;
use std::time::Duration;

use base64::Engine;
use secrecy::SecretString;
use secrecy::zeroize::Zeroizing;

use util::process::{self, RunError};

const SECURITY: &str = "/usr/bin/security";
const BASE64_PREFIX: &str = "go-keyring-base64:";
const HEX_PREFIX: &str = "go-keyring-encoded:";
/// `security`'s exit code for "The specified item could not be found in the keychain."
const NOT_FOUND_EXIT: i32 = 44;

/// Result of one Keychain lookup.
#[derive(Debug)]
pub(crate) enum MacResult {
    Found {
        secret: SecretString,
        username: String,
    },
    NotFound,
    Failed(String),
    TimedOut,
}

/// Decodes a value as go-keyring stored it; plain values pass through.
pub(crate) fn decode(stored: &str) -> Result<Zeroizing<String>, &'static str> {
    let bytes = if let Some(b64) = stored.strip_prefix(BASE64_PREFIX) {
        Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| "the go-keyring-base64 value is not valid base64")?,
        )
    } else if let Some(h) = stored.strip_prefix(HEX_PREFIX) {
        Zeroizing::new(
            hex::decode(h.trim()).map_err(|_| "the go-keyring-encoded value is not valid hex")?,
        )
    } else {
        return Ok(Zeroizing::new(stored.to_owned()));
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| "the decoded value is not UTF-8")?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// Tries each username in turn (login first, then `""`), as gh does.
pub(crate) fn lookup(service: &str, usernames: &[String], timeout: Duration) -> MacResult {
    for username in usernames {
        let mut cmd = Command::new(SECURITY);
        cmd.args(["find-generic-password", "-s", service, "-wa", username]);
        let done = match process::run(cmd, timeout) {
            Ok(d) => d,
            Err(RunError::TimedOut { .. }) => return MacResult::TimedOut,
            Err(RunError::Spawn(e)) => {
                return MacResult::Failed(format!("cannot run {SECURITY}: {e}"));
            }
        };
        if done.status.code() == Some(NOT_FOUND_EXIT) {
            continue;
        }
        if !done.status.success() {
            return MacResult::Failed(format!(
                "{SECURITY} failed ({}): {}",
                process::describe_status(done.status),
                process::summarize(&done.stderr)
            ));
        }
        let Ok(Some(line)) = process::first_line(&done.stdout) else {
            continue;
        };
        return match decode(&line) {
            Ok(token) => MacResult::Found {
                secret: SecretString::from(token.trim().to_owned()),
                username: username.clone(),
            },
            Err(why) => MacResult::Failed(why.to_owned()),
        };
    }
    MacResult::NotFound
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_go_keyring_values() {
        // base64("gho_abc123") = "Z2hvX2FiYzEyMw=="
        assert_eq!(
            decode("go-keyring-base64:Z2hvX2FiYzEyMw==")
                .unwrap()
                .as_str(),
            "gho_abc123"
        );
        assert_eq!(
            decode("go-keyring-encoded:67686f5f78").unwrap().as_str(),
            "gho_x"
        );
        assert_eq!(decode("gho_plain").unwrap().as_str(), "gho_plain");
        assert!(decode("go-keyring-base64:%%%").is_err());
        assert!(decode("go-keyring-encoded:zz").is_err());
    }
}
