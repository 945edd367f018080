//! `skillrig-mise`: what the `skillrig` mise backend plugin calls.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use skillrig_cli::commands::{cache, install, list_versions, verify, wire};
use skillrig_cli::options::ToolOptions;
use skillrig_cli::report::{EXIT_USAGE, Failure};
use skillrig_cli::session::Session;

const AFTER_HELP: &str = "\
Tool addresses: OWNER/REPO/BIN (github.com), HOST/OWNER/REPO/BIN (GitHub Enterprise), or BIN
with the `origin` option or SKILLRIG_ORIGIN=OWNER/REPO[@REF].

Tool options come from mise (MISE_TOOL_OPTS__<KEY>) or --option KEY=VALUE:
  origin, verify (required|none), asset, bin, checksums, constraint.

Exit codes: 0 success, 1 the operation failed, 2 usage or configuration error.
Logs: -v/-vv/-vvv or SKILLRIG_LOG=<filter> (stderr). Tokens: see `skillrig-auth doctor`.";

/// Installs CLIs released from a skillrig origin, one mise tool per CLI.
#[derive(Debug, Parser)]
#[command(name = "skillrig-mise", version, after_help = AFTER_HELP)]
struct Cli {
    /// More log output on stderr (repeat for more).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Use only cached GitHub responses; make no network request.
    #[arg(long, global = true)]
    offline: bool,
    #[command(subcommand)]
    command: Command,
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
    },
    /// Write the CLIs your vendored skills require into mise.toml (`x-skillrig.requires`).
    ///
    /// Reads .skillrig/skills-lock.json and each locked skill's SKILL.md; for every
    /// requirement served by the lock's origin, adds "skillrig:OWNER/REPO/TOOL" to mise.toml,
    /// keeping comments, order and your own pins. Ranges become `latest` plus a `constraint`
    /// option that list-versions and install enforce.
    Wire {
        /// Show what would change; write nothing.
        #[arg(long, conflicts_with = "check")]
        dry_run: bool,
        /// Exit 1 if mise.toml is out of date (for CI); write nothing.
        #[arg(long)]
        check: bool,
        /// Project root (default: the nearest directory above holding .skillrig/skills-lock.json).
        #[arg(long, value_name = "DIR")]
        project: Option<PathBuf>,
    },
    /// Check that the CLIs your skills require are installed, untouched, and released from
    /// the skills' history (exit 0 all good, 1 findings, 2 usage).
    Verify {
        /// Print one JSON object (for CI).
        #[arg(long)]
        json: bool,
        /// Fail on warnings too (skill edited since the release, unverified install, version
        /// outside the constraint).
        #[arg(long)]
        strict: bool,
        /// Project root (default: the nearest directory above holding .skillrig/skills-lock.json).
        #[arg(long, value_name = "DIR")]
        project: Option<PathBuf>,
    },
    /// Manage the GitHub API response cache.
    Cache {
        #[command(subcommand)]
        action: CacheAction,
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
    // A plugin from another release may pass arguments this build misreads: refuse first.
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
    let session = Session::from_process(cli.offline)?;
    match cli.command {
        Command::ListVersions { tool, options: o } => {
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
        } => {
            let opts = options(&o)?;
            let target = install::Target {
                install_path,
                // The plugin passes "" when mise has no download path.
                download_path: download_path.filter(|p| !p.as_os_str().is_empty()),
            };
            install::validate_paths(&target, &|k| session.env().var(k))?;
            install::clean_up_on_signals(&target);
            let installed = install::run(&session, &tool, &version, &target, &opts)?;
            tracing::info!(bin = %installed.bin_path.display(), "installed");
            Ok(())
        }
        Command::Wire {
            dry_run,
            check,
            project,
        } => run_wire(dry_run, check, project),
        Command::Verify {
            json,
            strict,
            project,
        } => {
            let dir = project_dir(project)?;
            let report = verify::run(&session, &dir, verify::VerifyOptions { strict })?;
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
        Command::Cache { action } => match action {
            CacheAction::Clear => match cache::clear(&session)? {
                Some(dir) => print_stdout(&format!("cleared {}", dir.display())),
                None => print_stdout("no cache directory configured"),
            },
            CacheAction::Dir => match cache::cache_root(&session) {
                Some(dir) => print_stdout(&dir.display().to_string()),
                None => Err(Failure::new(
                    "no cache directory: set SKILLRIG_CACHE_DIR or HOME",
                )),
            },
        },
    }
}

fn run_wire(dry_run: bool, check: bool, project: Option<PathBuf>) -> Result<(), Failure> {
    let mode = if check {
        wire::Mode::Check
    } else if dry_run {
        wire::Mode::DryRun
    } else {
        wire::Mode::Write
    };
    let report = wire::run(&project_dir(project)?, mode)?;
    let mut lines: Vec<String> = report.changes.iter().map(ToString::to_string).collect();
    lines.extend(report.notes.iter().map(|n| format!("note: {n}")));
    lines.extend(report.conflicts.iter().map(|c| format!("conflict: {c}")));
    let verdict = match mode {
        wire::Mode::Write if report.text_changed() => format!("wrote {}", report.path.display()),
        wire::Mode::Write | wire::Mode::Check if report.is_up_to_date() => {
            format!("{} is up to date", report.path.display())
        }
        wire::Mode::Check => format!(
            "{} is out of date; run `skillrig-mise wire`",
            report.path.display()
        ),
        _ => format!("dry run: {} left unchanged", report.path.display()),
    };
    lines.push(verdict);
    print_stdout(&lines.join("\n"))?;
    if !report.conflicts.is_empty() {
        return Err(Failure::new(format!(
            "{} requirement(s) conflict with pins in {}",
            report.conflicts.len(),
            report.path.display()
        ))
        .hint("change the pin to a version the skills accept, or update the skills"));
    }
    if mode == wire::Mode::Check && !report.is_up_to_date() {
        return Err(Failure::new("mise.toml is out of date").hint("run `skillrig-mise wire`"));
    }
    Ok(())
}

/// The given project root, else the nearest directory above holding the skills lock.
fn project_dir(project: Option<PathBuf>) -> Result<PathBuf, Failure> {
    match project {
        Some(dir) => Ok(dir),
        None => {
            let cwd = std::env::current_dir()
                .map_err(|e| Failure::new(format!("current directory: {e}")))?;
            Ok(wire::find_project_dir(&cwd).unwrap_or(cwd))
        }
    }
}

fn print_stdout(line: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{line}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (e.g. `| head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new(format!("writing to stdout: {e}"))),
    }
}
