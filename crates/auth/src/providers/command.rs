//! The `credential_command` provider: a configured shell command that prints a token.
//!
//! Run as `sh -c <command>` (`cmd /C` on Windows) with stdin closed, `GIT_TERMINAL_PROMPT=0`,
//! and the host in `SKILLRIG_CREDENTIAL_HOST` and `MISE_CREDENTIAL_HOST` (so a command written
//! for mise's `github.credential_command` works unchanged). The first non-empty stdout line is
//! the token; a non-zero exit is an error quoting the last stderr line; the time limit is
//! `credential_timeout`. The token is only ever read from the child's stdout, never passed to
//! anything in argv.

use std::process::Command;
use std::time::Duration;

use origin_meta::Host;

use super::{Lookup, accept};
use crate::config::CredentialCommand;
use crate::env::{Env, vars};
use crate::outcome::{MissReason, Outcome, ProviderError};
use crate::token::{ProviderKind, Source};
use util::process;

/// How reports name the command: its first word and where it was configured. The full
/// command line is not repeated, in case it embeds something private.
pub(crate) fn label(cmd: &CredentialCommand) -> String {
    let first = cmd.command.split_whitespace().next().unwrap_or("");
    let more = if cmd.command.trim() != first {
        " …"
    } else {
        ""
    };
    // Reports print it after the provider's name (`credential_command: `op …` from
    // [default]`), so it does not repeat the name.
    format!("`{first}{more}` from {}", cmd.origin)
}

/// Returns the recursion miss when this process runs inside our own credential command for
/// `host` (e.g. the command is `skillrig-auth token`), which would otherwise loop.
pub(crate) fn recursion_guard(host: &Host, env: &Env) -> Option<Lookup> {
    let outer = env.var(vars::SKILLRIG_CREDENTIAL_HOST)?;
    let outer = Host::parse(&outer).ok()?;
    (outer == *host).then(|| {
        Outcome::miss(
            MissReason::Recursion,
            format!("skipped: this process already runs inside the credential_command for {host}"),
        )
        .into()
    })
}

pub(crate) fn lookup(host: &Host, env: &Env, cmd: &CredentialCommand, timeout: Duration) -> Lookup {
    let label = label(cmd);
    let mut command = shell(&cmd.command);
    env.apply_to(&mut command);
    command
        .env(vars::SKILLRIG_CREDENTIAL_HOST, host.as_str())
        .env(vars::MISE_CREDENTIAL_HOST, host.as_str())
        .env(vars::GIT_TERMINAL_PROMPT, "0");
    tracing::debug!(%host, command = %label, "running credential command");
    let done = match process::run(command, timeout) {
        Ok(done) => done,
        Err(e) => return Outcome::Failed(ProviderError::from_run(e, label, timeout)).into(),
    };
    if !done.status.success() {
        return Outcome::Failed(ProviderError::Exited {
            program: label,
            status: process::describe_status(done.status),
            stderr: crate::redact::redact(&process::summarize(&done.stderr)).into_owned(),
        })
        .into();
    }
    match process::first_line(&done.stdout) {
        Err(_) => Outcome::Failed(ProviderError::Invalid {
            what: label,
            reason: "the output is not valid UTF-8",
        })
        .into(),
        Ok(None) => Outcome::miss(
            MissReason::EmptyOutput,
            format!("{label} succeeded but printed nothing"),
        )
        .into(),
        Ok(Some(line)) => {
            let source = Source::new(ProviderKind::CredentialCommand, label.clone());
            accept(&line, host, source, &label).into()
        }
    }
}

fn shell(command_line: &str) -> Command {
    #[cfg(windows)]
    {
        let mut c = Command::new("cmd");
        c.arg("/C").arg(command_line);
        c
    }
    #[cfg(not(windows))]
    {
        let mut c = Command::new("sh");
        c.arg("-c").arg(command_line);
        c
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn cmd(command: &str) -> CredentialCommand {
        CredentialCommand {
            command: command.to_owned(),
            origin: "[default]".to_owned(),
        }
    }

    fn env() -> Env {
        Env::from_vars([("PATH", "/usr/bin:/bin")])
    }

    fn run(command: &str, timeout: Duration) -> Outcome {
        let host = Host::parse("ghe.example.com").unwrap();
        lookup(&host, &env(), &cmd(command), timeout).outcome
    }

    #[test]
    fn success_sees_the_host_and_no_terminal() {
        let out = run(
            r#"[ -t 0 ] && exit 9; printf 'ghp_%s_%s_%s\n' "$SKILLRIG_CREDENTIAL_HOST" "$MISE_CREDENTIAL_HOST" "$GIT_TERMINAL_PROMPT" | tr . -"#,
            Duration::from_secs(20),
        );
        let Outcome::Found(token) = out else {
            panic!("{out:?}")
        };
        assert_eq!(
            token.expose_secret(),
            "ghp_ghe-example-com_ghe-example-com_0"
        );
        assert_eq!(token.source().provider(), ProviderKind::CredentialCommand);
        assert_eq!(token.source().detail(), "`[ …` from [default]");
        assert_eq!(token.host().as_str(), "ghe.example.com");
    }

    #[test]
    fn noisy_output_first_non_empty_line_wins() {
        let out = run(
            "echo; echo '   '; echo ' gho_first  '; echo second; echo 'lots of chatter' >&2",
            Duration::from_secs(20),
        );
        let Outcome::Found(token) = out else {
            panic!("{out:?}")
        };
        assert_eq!(token.expose_secret(), "gho_first");
    }

    #[test]
    fn non_zero_exit_reports_stderr_summary() {
        let out = run(
            "echo 'ghp_should_not_be_used'; echo 'warming up' >&2; echo '[ERROR] vault: permission denied' >&2; exit 4",
            Duration::from_secs(20),
        );
        let Outcome::Failed(e) = out else {
            panic!("{out:?}")
        };
        assert_eq!(e.code(), "exited");
        assert_eq!(
            e.to_string(),
            "`echo …` from [default] failed (exit code 4): [ERROR] vault: permission denied"
        );
    }

    /// A helper that echoes the token it handled: the quoted stderr line never carries it.
    #[test]
    fn token_shapes_in_stderr_are_redacted() {
        let out = run(
            "echo 'using github_pat_11AAAA0000_secret and ghp_SECRETsecret123 failed' >&2; exit 1",
            Duration::from_secs(20),
        );
        let Outcome::Failed(e) = out else {
            panic!("{out:?}")
        };
        let msg = e.to_string();
        assert!(
            msg.ends_with("using github_pat_[redacted] and ghp_[redacted] failed"),
            "{msg}"
        );
        let out = run(
            "echo 'ghp_LATEsecret0000' >&2; sleep 30",
            Duration::from_millis(1500),
        );
        let Outcome::Failed(e) = out else {
            panic!("{out:?}")
        };
        assert!(!e.to_string().contains("LATEsecret"), "{e}");
    }

    #[test]
    fn timeout_is_reported_and_the_command_killed() {
        let out = run(
            "echo 'asking the vault' >&2; sleep 30; echo ghp_late",
            // Long enough for `sh` to reach its first line even on a loaded machine.
            Duration::from_millis(1500),
        );
        let Outcome::Failed(e) = out else {
            panic!("{out:?}")
        };
        assert_eq!(e.code(), "timed-out");
        let msg = e.to_string();
        assert!(
            msg.contains("timed out after 1.5s and was killed: asking the vault"),
            "{msg}"
        );
    }

    #[test]
    fn empty_output_is_a_miss_and_garbage_an_error() {
        let out = run("true", Duration::from_secs(20));
        assert!(
            matches!(
                out,
                Outcome::Miss(Miss {
                    reason: MissReason::EmptyOutput,
                    ..
                })
            ),
            "{out:?}"
        );
        let out = run(
            "echo 'not logged in, run op signin'",
            Duration::from_secs(20),
        );
        let Outcome::Failed(e) = out else {
            panic!("{out:?}")
        };
        assert_eq!(e.code(), "invalid-token");
        assert!(!e.to_string().contains("op signin"));
    }

    #[test]
    fn recursion_is_detected_per_host() {
        let host = Host::github_com();
        let inside = Env::from_vars([("SKILLRIG_CREDENTIAL_HOST", "api.github.com")]);
        assert!(recursion_guard(&host, &inside).is_some());
        let other = Env::from_vars([("SKILLRIG_CREDENTIAL_HOST", "ghe.example.com")]);
        assert!(recursion_guard(&host, &other).is_none());
        assert!(recursion_guard(&host, &env()).is_none());
    }

    use crate::outcome::Miss;
}
