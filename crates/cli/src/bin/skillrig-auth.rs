//! `skillrig-auth`: token, doctor and git credential helper, over the `auth` crate's resolver.
//!
//! Everything runs through [`run`], which takes the environment and the three standard
//! streams as parameters, so the tests below drive it exactly like a process would run.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use auth::{Env, Resolver};
use clap::{CommandFactory as _, Parser, Subcommand};
use origin_meta::Host;
use skillrig_cli::doctor::{self, Probes};
use skillrig_cli::report::Failure;

const EXIT_STATUS: &str = "\
Exit status:
  0  success (doctor: healthy)
  1  no token found (doctor: a problem was found)
  2  usage error, or an unusable configuration file

Tokens are looked up per host, in order: environment variables, the credential_command from
hosts.toml ($SKILLRIG_CONFIG, else $XDG_CONFIG_HOME/skillrig/hosts.toml, over the system-wide
/etc/skillrig/hosts.toml), what gh stored (hosts.yml, the OS keyring), and `gh auth token`.
Only github.com, *.ghe.com, configured hosts, gh's logins and SKILLRIG_TRUSTED_HOSTS get one.
Logs: -v/-vv/-vvv or SKILLRIG_LOG=<filter> (stderr) show each step.";

/// GitHub tokens for skillrig and mise, from wherever you already keep them.
#[derive(Debug, Parser)]
#[command(
    name = "skillrig-auth",
    version,
    long_version = skillrig_cli::LONG_VERSION,
    after_help = EXIT_STATUS
)]
struct Cli {
    /// More log output on stderr (repeat for more).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the token for a host (usable as mise's `github.credential_command`).
    ///
    /// mise: github.credential_command = 'skillrig-auth token --host "$MISE_CREDENTIAL_HOST"'
    Token {
        /// The GitHub host (web or API name).
        #[arg(long, default_value = "github.com")]
        host: Host,
    },
    /// Act as a git credential helper (get, store, erase).
    ///
    /// git config --global credential.https://github.com.helper '!skillrig-auth git-credential'
    GitCredential {
        /// The action git asks for; only `get` answers, `erase` forgets a cached token.
        action: String,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Show where the token comes from: every provider, which one won, the token's kind.
    Doctor {
        /// The GitHub host (web or API name).
        #[arg(long, default_value = "github.com")]
        host: Host,
        /// Also check that this repository and its releases are visible (OWNER/REPO).
        #[arg(long, value_name = "OWNER/REPO")]
        repo: Option<doctor::RepoRef>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// Skip the API probes (no network): report token resolution only.
        #[arg(long)]
        offline: bool,
    },
}

const EXIT_USAGE: u8 = 2;
const PROGRAM: &str = "skillrig-auth";

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Prints help/version to stdout (exit 0) or the usage error to stderr (exit 2).
        Err(e) => e.exit(),
    };
    // Off unless -v or SKILLRIG_LOG asks, so stdout and stderr stay what git and mise expect.
    skillrig_cli::logging::init(cli.verbose);
    let code = run(
        cli,
        Env::process(),
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}

fn run(
    cli: Cli,
    env: Env,
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    if let Command::Completions { shell } = cli.command {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), PROGRAM, &mut script);
        return u8::from(out.write_all(&script).and_then(|()| out.flush()).is_err());
    }
    let resolver = match Resolver::from_env(env) {
        Ok(r) => r,
        Err(e) => {
            Failure::from_error(&e).write_to(err, PROGRAM);
            return EXIT_USAGE;
        }
    };
    match cli.command {
        Command::Token { host } => match resolver.resolve(&host) {
            Ok(token) => {
                let written = out
                    .write_all(token.expose_secret().as_bytes())
                    .and_then(|()| out.write_all(b"\n"))
                    .and_then(|()| out.flush());
                u8::from(written.is_err())
            }
            Err(e) => {
                Failure::from_error(&e).write_to(err, PROGRAM);
                1
            }
        },
        Command::GitCredential { action } => {
            match auth::git_credential::respond(&resolver, &action, stdin, out) {
                Ok(()) => 0,
                Err(e) => {
                    Failure::from_cause(&e)
                        .context(format_args!("git-credential {action}"))
                        .write_to(err, PROGRAM);
                    1
                }
            }
        }
        // Answered before the configuration is read.
        Command::Completions { .. } => unreachable!("handled first"),
        Command::Doctor {
            host,
            repo,
            json,
            offline,
        } => {
            let resolution = resolver.resolve_all(&host);
            let probes = if offline {
                Probes::default()
            } else {
                doctor::probe(resolver.env(), &resolver, &resolution, repo.as_ref())
            };
            let diagnosis = doctor::diagnose(&resolution, repo.as_ref(), &probes);
            let text = if json {
                format!("{}\n", doctor::to_json(&resolution, &diagnosis))
            } else {
                doctor::render_text(&resolution, &diagnosis)
            };
            if out
                .write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                return 1;
            }
            diagnosis.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    struct Run {
        code: u8,
        stdout: String,
        stderr: String,
    }

    fn skillrig_auth(args: &[&str], vars: &[(&str, &str)], stdin: &str) -> Run {
        let cli = Cli::try_parse_from(std::iter::once("skillrig-auth").chain(args.iter().copied()))
            .unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run(
            cli,
            Env::from_vars(vars.iter().copied()),
            &mut stdin.as_bytes(),
            &mut out,
            &mut err,
        );
        Run {
            code,
            stdout: String::from_utf8(out).unwrap(),
            stderr: String::from_utf8(err).unwrap(),
        }
    }

    /// An environment with nothing in it: no gh, no bus, an empty home.
    fn empty_home(dir: &Path) -> Vec<(&'static str, String)> {
        vec![
            ("HOME", dir.display().to_string()),
            ("PATH", dir.display().to_string()),
            ("XDG_RUNTIME_DIR", dir.display().to_string()),
        ]
    }

    fn with<'a>(
        base: &'a [(&'static str, String)],
        extra: &[(&'a str, &'a str)],
    ) -> Vec<(&'a str, &'a str)> {
        base.iter()
            .map(|(k, v)| (*k, v.as_str()))
            .chain(extra.iter().copied())
            .collect()
    }

    #[test]
    fn token_prints_only_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let base = empty_home(dir.path());
        let r = skillrig_auth(
            &["token"],
            &with(&base, &[("GH_TOKEN", "ghp_cli_token_0000001")]),
            "",
        );
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (0, "ghp_cli_token_0000001\n", "")
        );
        // The API host spelling resolves the same host.
        let r = skillrig_auth(
            &["token", "--host", "api.github.com"],
            &with(&base, &[("GH_TOKEN", "ghp_cli_token_0000001")]),
            "",
        );
        assert_eq!(r.stdout, "ghp_cli_token_0000001\n");
    }

    #[test]
    fn token_not_found_exits_1_listing_what_was_tried() {
        let dir = tempfile::tempdir().unwrap();
        let base = empty_home(dir.path());
        let r = skillrig_auth(
            &["token", "--host", "ghe.example.com"],
            &with(
                &base,
                &[
                    ("GH_TOKEN", "ghp_other_host_000001"),
                    ("SKILLRIG_TRUSTED_HOSTS", "ghe.example.com"),
                ],
            ),
            "",
        );
        assert_eq!(r.code, 1);
        assert_eq!(r.stdout, "");
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(
            lines[0],
            "skillrig-auth: no GitHub token for `ghe.example.com`"
        );
        assert!(
            lines[1].starts_with("  hint: tried env: none of MISE_GITHUB_ENTERPRISE_TOKEN"),
            "{}",
            r.stderr
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("  hint: tried gh: gh is not on PATH")),
            "{}",
            r.stderr
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("GH_TOKEN is set but applies only to github.com")),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("ghp_other_host_000001"));
    }

    #[test]
    fn a_malformed_config_is_a_usage_error_naming_file_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("hosts.toml");
        std::fs::write(&config, "[default]\nproviders = \"env\"\n").unwrap();
        let base = empty_home(dir.path());
        let config = config.display().to_string();
        let r = skillrig_auth(
            &["token"],
            &with(&base, &[("SKILLRIG_CONFIG", &config)]),
            "",
        );
        assert_eq!(r.code, 2);
        assert!(
            r.stderr.starts_with(&format!(
                "skillrig-auth: {config}:2: `default.providers`: expected an array"
            )),
            "{}",
            r.stderr
        );
    }

    #[test]
    fn git_credential_get() {
        let dir = tempfile::tempdir().unwrap();
        let base = empty_home(dir.path());
        let vars = with(&base, &[("GH_TOKEN", "ghp_for_git_00000001")]);
        let r = skillrig_auth(
            &["git-credential", "get"],
            &vars,
            "protocol=https\nhost=github.com\n\n",
        );
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (
                0,
                "username=x-access-token\npassword=ghp_for_git_00000001\n"
            )
        );
        let r = skillrig_auth(
            &["git-credential", "store"],
            &vars,
            "protocol=https\nhost=github.com\npassword=x\n\n",
        );
        assert_eq!((r.code, r.stdout.as_str()), (0, ""));
        let r = skillrig_auth(
            &["git-credential", "get"],
            &with(&base, &[]),
            "protocol=https\nhost=github.com\n\n",
        );
        assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    }

    #[test]
    fn doctor_reports_each_provider_masked() {
        let dir = tempfile::tempdir().unwrap();
        let base = empty_home(dir.path());
        let vars = with(&base, &[("GITHUB_TOKEN", "ghp_doctor_token_00009876")]);
        // Offline: this is about the resolution report; the probes are tested against the fake
        // GitHub in tests/doctor.rs (asking api.github.com from here gets no answer, a problem).
        let r = skillrig_auth(&["doctor", "--offline"], &vars, "");
        assert_eq!(r.code, 0, "{}", r.stdout);
        assert!(!r.stdout.contains("ghp_doctor_token_00009876"));
        assert!(r.stdout.contains("  * env                found     found ghp_…9876 (classic personal access token) from GITHUB_TOKEN"), "{}", r.stdout);
        assert!(
            r.stdout
                .contains("    keyring            miss      no D-Bus session bus"),
            "{}",
            r.stdout
        );
        assert!(
            r.stdout.contains(
                "token: ghp_…9876 (classic personal access token) from env: GITHUB_TOKEN"
            ),
            "{}",
            r.stdout
        );

        let r = skillrig_auth(&["doctor", "--json", "--offline"], &vars, "");
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["winner"], "env");
        assert_eq!(v["token"]["masked"], "ghp_…9876");
        assert_eq!(v["providers"][2]["code"], "no-bus");

        let trusted = with(
            &base,
            &[
                ("GITHUB_TOKEN", "ghp_doctor_token_00009876"),
                ("SKILLRIG_TRUSTED_HOSTS", "ghe.example.com"),
            ],
        );
        let r = skillrig_auth(
            &["doctor", "--host", "ghe.example.com", "--offline"],
            &trusted,
            "",
        );
        assert_eq!(r.code, 1);
        assert!(
            r.stdout
                .contains("problem: no token found for ghe.example.com"),
            "{}",
            r.stdout
        );
        assert!(
            r.stdout
                .contains("warning: GITHUB_TOKEN is set but applies only to github.com"),
            "{}",
            r.stdout
        );
    }

    #[test]
    fn usage_errors_exit_2() {
        let e = Cli::try_parse_from(["skillrig-auth", "token", "--host", "https://github.com"])
            .unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = Cli::try_parse_from(["skillrig-auth", "frobnicate"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
