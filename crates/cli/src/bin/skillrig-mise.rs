//! `skillrig-mise`: what the `skillrig` mise backend plugin calls.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};
use skillrig_cli::commands::{cache, install, list_versions, lock, origin, verify, wire};
use skillrig_cli::consumer::{Project, find_project_dir, find_tools_project_dir};
use skillrig_cli::options::{self, ToolOptions};
use skillrig_cli::report::{EXIT_USAGE, Failure};
use skillrig_cli::session::Session;

/// The text under `--help`; the tool options come from [`options::KNOWN`], the list the
/// option checks use, so the help cannot fall behind them.
fn after_help() -> String {
    let tool_options: String = options::KNOWN
        .iter()
        .map(|(key, what)| format!("  {key}: {what}\n"))
        .collect();
    format!(
        "Tool addresses: OWNER/REPO/BIN (github.com) or HOST/OWNER/REPO/BIN (GitHub Enterprise).

Tool options come from mise (MISE_TOOL_OPTS__<KEY>) or --option KEY=VALUE (the flag wins):
{tool_options}
Exit codes: 0 success, 1 the operation failed, 2 usage or configuration error.
Logs: -v/-vv/-vvv or SKILLRIG_LOG=<filter> (stderr). Tokens: see `skillrig-auth doctor`."
    )
}

/// Installs CLIs released from a skillrig origin, one mise tool per CLI.
#[derive(Debug, Parser)]
#[command(
    name = "skillrig-mise",
    version,
    long_version = skillrig_cli::LONG_VERSION,
    after_help = after_help()
)]
struct Cli {
    /// More log output on stderr (repeat for more).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

/// Use only cached GitHub responses; make no network request.
#[derive(Debug, clap::Args)]
struct Offline {
    /// Use only cached GitHub responses; make no network request.
    #[arg(long)]
    offline: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the tool's versions, oldest first, as JSON: {"tool":…,"versions":[…]}.
    ListVersions {
        /// Tool address, e.g. acme/tools/jira.
        tool: String,
        /// Tool option KEY=VALUE (repeatable); overrides MISE_TOOL_OPTS__KEY.
        #[arg(long = "option", value_name = "KEY=VALUE")]
        options: Vec<String>,
        #[command(flatten)]
        offline: Offline,
    },
    /// Download, verify and install one version into INSTALL_PATH/bin.
    Install {
        /// Tool address, e.g. acme/tools/jira.
        tool: String,
        /// Exact version (as listed) or `latest`.
        version: String,
        /// Where to install (mise's install path).
        #[arg(long, value_name = "PATH")]
        install_path: PathBuf,
        /// Scratch directory for the download (mise's download path).
        #[arg(long, value_name = "PATH")]
        download_path: Option<PathBuf>,
        /// Tool option KEY=VALUE (repeatable); overrides MISE_TOOL_OPTS__KEY.
        #[arg(long = "option", value_name = "KEY=VALUE")]
        options: Vec<String>,
        #[command(flatten)]
        offline: Offline,
    },
    /// Write the CLIs your vendored skills require into mise.toml (`x-skillrig.requires`).
    ///
    /// Reads .skillrig/skills-lock.json and each locked skill's SKILL.md; for every
    /// requirement served by the lock's origin, adds "skillrig:OWNER/REPO/TOOL" to mise.toml,
    /// keeping comments, order and your own pins. A range becomes an exact pin (the newest
    /// released version in it) with the range beside it as the `constraint` option, so the
    /// project runs a version its skills accept whatever else is installed.
    Wire {
        /// Show what would change; write nothing.
        #[arg(long, conflicts_with = "check")]
        dry_run: bool,
        /// Exit 1 if mise.toml is out of date or a pin violates the skills (for CI); write
        /// nothing and make no network request.
        #[arg(long)]
        check: bool,
        /// Move every range pin to the newest released version in its range.
        #[arg(long, conflicts_with = "check")]
        upgrade: bool,
        /// Project root (default: the nearest directory above holding .skillrig/skills-lock.json).
        #[arg(long, value_name = "DIR")]
        project: Option<PathBuf>,
        #[command(flatten)]
        offline: Offline,
    },
    /// Record, for every skillrig tool mise.toml pins, the release and each platform's asset
    /// digest in .skillrig/tools-lock.json; installs then refuse anything else.
    Lock {
        /// Exit 1 if the lock is missing an entry or disagrees with mise.toml (for CI); write
        /// nothing.
        #[arg(long)]
        check: bool,
        /// Project root (default: the nearest directory above holding .skillrig/ or mise.toml).
        #[arg(long, value_name = "DIR")]
        project: Option<PathBuf>,
        #[command(flatten)]
        offline: Offline,
    },
    /// Check that the CLIs your skills require are installed, untouched, and released from
    /// the skills' history (exit 0 all good, 1 findings, 2 usage).
    Verify {
        /// Print one JSON object (for CI).
        #[arg(long)]
        json: bool,
        /// Fail on warnings too (skill edited since the release, unverified install).
        #[arg(long)]
        strict: bool,
        /// Project root (default: the nearest directory above holding .skillrig/skills-lock.json).
        #[arg(long, value_name = "DIR")]
        project: Option<PathBuf>,
        #[command(flatten)]
        offline: Offline,
    },
    /// Manage the GitHub API response cache.
    Cache {
        #[command(subcommand)]
        action: CacheAction,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
enum CacheAction {
    /// Delete cached GitHub API responses.
    Clear,
    /// Print the cache directory.
    Dir,
}

fn main() -> ExitCode {
    // A plugin of another protocol must hear so before anything else goes wrong.
    if let Err(failure) = skillrig_cli::plugin_protocol::check_env() {
        failure.print("skillrig-mise");
        return ExitCode::from(failure.code());
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    skillrig_cli::logging::init(cli.verbose);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            failure.print("skillrig-mise");
            ExitCode::from(failure.code())
        }
    }
}

/// The tool options from mise's environment and the flags, validated; unknown ones warned.
fn options(flags: &[String]) -> Result<ToolOptions, Failure> {
    let opts = ToolOptions::collect(std::env::vars(), flags).map_err(Failure::usage)?;
    for warning in opts.validate()? {
        skillrig_cli::warn(&warning);
    }
    Ok(opts)
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::ListVersions {
            tool,
            options: o,
            offline,
        } => {
            let session = Session::from_process(offline.offline)?;
            let opts = options(&o)?;
            let list = list_versions::run(&session, &tool, &opts)?;
            let json = serde_json::to_string(&list).expect("serializable");
            print_stdout(&json)
        }
        Command::Install {
            tool,
            version,
            install_path,
            download_path,
            options: o,
            offline,
        } => {
            let target = install::Target {
                install_path,
                // The plugin passes "" when mise has no download path.
                download_path: download_path.filter(|p| !p.as_os_str().is_empty()),
            };
            // Before the session, which may create cache directories: a refused path writes
            // nothing at all.
            install::validate_paths(&target, &|k| std::env::var(k).ok())?;
            let session = Session::from_process(offline.offline)?;
            let opts = options(&o)?;
            install::clean_up_on_signals(&target);
            let installed = install::run(&session, &tool, &version, &target, &opts)?;
            tracing::info!(bin = %installed.bin_path.display(), "installed");
            Ok(())
        }
        Command::Wire {
            dry_run,
            check,
            upgrade,
            project,
            offline,
        } => {
            let session = Session::from_process(offline.offline)?;
            let mode = if check {
                wire::Mode::Check
            } else if dry_run {
                wire::Mode::DryRun
            } else {
                wire::Mode::Write
            };
            let project = open_project(project, "wire tools from")?;
            let catalog = origin::Catalog { session: &session };
            let report = wire::run(&project, wire::WireOptions { mode, upgrade }, &catalog)?;
            print_stdout(&wire::render(&report, mode))?;
            wire::verdict(&report, mode, &project)
        }
        Command::Lock {
            check,
            project,
            offline,
        } => {
            // A lock belongs to a project: never create one where there is none.
            let dir = match project {
                Some(dir) if dir.is_dir() => dir,
                Some(dir) => {
                    return Err(Failure::usage(format!(
                        "--project `{}` is not a directory",
                        dir.display()
                    )));
                }
                None => {
                    let cwd = std::env::current_dir()
                        .map_err(|e| Failure::new(format!("current directory: {e}")))?;
                    find_tools_project_dir(&cwd).ok_or_else(|| {
                        Failure::usage(format!(
                            "no project at or above `{}`: no `mise.toml` or `.skillrig/` directory",
                            cwd.display()
                        ))
                        .hint("run this in the project whose `mise.toml` pins the tools (or pass --project)")
                    })?
                }
            };
            let session = Session::from_process(offline.offline)?;
            let report = lock::run(&session, &dir, check)?;
            print_stdout(&report.render())?;
            report.verdict()
        }
        Command::Verify {
            json,
            strict,
            project,
            offline,
        } => {
            let session = Session::from_process(offline.offline)?;
            let project = open_project(project, "verify against")?;
            let report = verify::run(&session, &project, verify::VerifyOptions { strict })?;
            print_stdout(&if json {
                report.render_json()
            } else {
                report.render_text()
            })?;
            match report.exit_code() {
                0 => Ok(()),
                code => {
                    Err(Failure::new("verification failed (see the report above)").with_code(code))
                }
            }
        }
        Command::Cache { action } => {
            let session = Session::from_process(false)?;
            match action {
                CacheAction::Clear => match cache::clear(&session)? {
                    Some(dir) => print_stdout(&format!("cleared {}", dir.display())),
                    None => print_stdout("no cache directory configured"),
                },
                CacheAction::Dir => match cache::cache_root(&session) {
                    Some(dir) => print_stdout(&dir.display().to_string()),
                    None => Err(Failure::new("no cache directory")
                        .hint("set SKILLRIG_CACHE_DIR, XDG_CACHE_HOME or HOME")),
                },
            }
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "skillrig-mise", &mut out);
            print_stdout(String::from_utf8_lossy(&out).trim_end())
        }
    }
}

/// The project at the given root, else at the nearest directory above holding the skills lock.
fn open_project(project: Option<PathBuf>, purpose: &str) -> Result<Project, Failure> {
    let dir = match project {
        Some(dir) => dir,
        None => {
            let cwd = std::env::current_dir()
                .map_err(|e| Failure::new(format!("current directory: {e}")))?;
            find_project_dir(&cwd).unwrap_or(cwd)
        }
    };
    Project::open(
        &dir,
        &[
            "`skillrig add <skill>` vendors a skill and creates the lock",
            "run this in a consumer repository's root (or pass --project)",
        ],
        purpose,
    )
}

fn print_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (e.g. `| head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new(format!("writing to stdout: {e}"))),
    }
}
