//! The `gh` provider: `gh auth token --hostname <host>`, the last resort.
//!
//! gh is found with `which` on the injected `PATH` (or taken from `GH_PATH`, go-gh parity).
//! It runs with stdin closed, `GH_PROMPT_DISABLED=1`, `GH_NO_UPDATE_NOTIFIER=1`, and without
//! the token variables (`GH_TOKEN`, …) and `GH_HOST`: the `env` provider already looked at
//! those, and removing them makes this provider report gh's *stored* login truthfully. gh's
//! own keyring read can hang for a long time on a stopped keyring daemon, so the child is
//! killed after `gh_timeout`. "no oauth token found" is a miss, not an error.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use origin_meta::Host;

use super::{Lookup, accept};
use crate::env::{Env, vars};
use crate::outcome::{MissReason, Outcome, ProviderError};
use crate::token::{ProviderKind, Source};
use util::process;

/// The gh binary to run, if any.
pub(crate) fn find(env: &Env) -> Option<PathBuf> {
    if let Some(explicit) = env.var_os(vars::GH_PATH).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(explicit));
    }
    let path = env.var_os(vars::PATH)?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    which::which_in("gh", Some(path), cwd).ok()
}

pub(crate) fn lookup(host: &Host, env: &Env, gh: &std::path::Path, timeout: Duration) -> Lookup {
    let label = format!("`gh auth token --hostname {host}` ({})", gh.display());
    let mut cmd = Command::new(gh);
    cmd.args(["auth", "token", "--hostname", host.as_str()]);
    env.apply_to(&mut cmd);
    for name in [
        vars::GH_TOKEN,
        vars::GITHUB_TOKEN,
        vars::GH_ENTERPRISE_TOKEN,
        vars::GITHUB_ENTERPRISE_TOKEN,
        vars::GH_HOST,
    ] {
        cmd.env_remove(name);
    }
    cmd.env(vars::GH_PROMPT_DISABLED, "1")
        .env(vars::GH_NO_UPDATE_NOTIFIER, "1")
        .env(vars::GIT_TERMINAL_PROMPT, "0");
    tracing::debug!(%host, gh = %gh.display(), "running gh auth token");
    let done = match process::run(cmd, timeout) {
        Ok(d) => d,
        Err(e) => return Outcome::Failed(ProviderError::from_run(e, label, timeout)).into(),
    };
    let stderr = crate::redact::redact(&process::summarize(&done.stderr)).into_owned();
    if !done.status.success() {
        let lower = stderr.to_ascii_lowercase();
        if lower.contains("no oauth token found") || lower.contains("not logged in") {
            return Outcome::miss(
                MissReason::NotLoggedIn,
                format!("gh has no login for {host}: {stderr}"),
            )
            .into();
        }
        return Outcome::Failed(ProviderError::Exited {
            program: label,
            status: process::describe_status(done.status),
            stderr,
        })
        .into();
    }
    match process::first_line(&done.stdout) {
        Ok(Some(line)) => accept(
            &line,
            host,
            Source::new(ProviderKind::Gh, label.clone()),
            &label,
        )
        .into(),
        Ok(None) => {
            Outcome::miss(MissReason::EmptyOutput, format!("{label} printed nothing")).into()
        }
        Err(_) => Outcome::Failed(ProviderError::Invalid {
            what: label,
            reason: "the output is not valid UTF-8",
        })
        .into(),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// A fake gh that answers like the real one does for a given host.
    fn fake_gh(dir: &std::path::Path, script: &str) -> PathBuf {
        let path = dir.join("gh");
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn found_on_path_and_called_with_hostname() {
        let dir = tempfile::tempdir().unwrap();
        fake_gh(
            dir.path(),
            r#"[ "$1 $2 $3 $4" = "auth token --hostname ghe.example.com" ] || exit 7
[ -z "$GH_TOKEN$GH_ENTERPRISE_TOKEN$GH_HOST" ] || exit 8
[ "$GH_PROMPT_DISABLED$GH_NO_UPDATE_NOTIFIER" = 11 ] || exit 9
echo gho_from_fake_gh"#,
        );
        let env = Env::from_vars([
            ("PATH", format!("{}:/usr/bin:/bin", dir.path().display())),
            ("GH_ENTERPRISE_TOKEN", "ghp_env".into()),
            ("GH_HOST", "other.example".into()),
        ]);
        let gh = find(&env).unwrap();
        assert_eq!(gh, dir.path().join("gh"));
        let l = lookup(
            &Host::parse("ghe.example.com").unwrap(),
            &env,
            &gh,
            Duration::from_secs(20),
        );
        let Outcome::Found(t) = l.outcome else {
            panic!("{:?}", l.outcome)
        };
        assert_eq!(t.expose_secret(), "gho_from_fake_gh");
        assert_eq!(t.source().provider(), ProviderKind::Gh);
    }

    #[test]
    fn not_logged_in_is_a_miss_other_failures_errors() {
        let dir = tempfile::tempdir().unwrap();
        let gh = fake_gh(
            dir.path(),
            "echo 'no oauth token found for ghe.example.com' >&2; exit 1",
        );
        let env = Env::from_vars([("PATH", "/usr/bin:/bin")]);
        let host = Host::parse("ghe.example.com").unwrap();
        let l = lookup(&host, &env, &gh, Duration::from_secs(20));
        assert_eq!(l.outcome.code(), Some("not-logged-in"), "{:?}", l.outcome);

        let gh = fake_gh(
            dir.path(),
            "echo 'failed to read configuration' >&2; exit 1",
        );
        let l = lookup(&host, &env, &gh, Duration::from_secs(20));
        assert_eq!(l.outcome.code(), Some("exited"), "{:?}", l.outcome);
        assert!(
            l.outcome
                .summary()
                .ends_with("failed (exit code 1): failed to read configuration")
        );
    }

    #[test]
    fn a_hanging_gh_is_killed() {
        let dir = tempfile::tempdir().unwrap();
        let gh = fake_gh(dir.path(), "sleep 30");
        let env = Env::from_vars([("PATH", "/usr/bin:/bin")]);
        let l = lookup(&Host::github_com(), &env, &gh, Duration::from_millis(200));
        assert_eq!(l.outcome.code(), Some("timed-out"), "{:?}", l.outcome);
    }

    #[test]
    fn missing_gh_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_vars([("PATH", dir.path())]);
        assert_eq!(find(&env), None);
        let env = Env::from_vars([("GH_PATH", "/opt/gh/bin/gh")]);
        assert_eq!(find(&env), Some(PathBuf::from("/opt/gh/bin/gh")));
    }
}
