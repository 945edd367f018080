//! `skillrig-mise install`, the real binary, against a hostile or flaky fake GitHub and bad
//! input (issue #17): what it refuses before writing anything, what it survives, and what it
//! leaves behind when it is interrupted.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use testkit::{Asset, FakeGitHub, Fault, FaultKind, TokenSpec, demo_origin, sha256_hex, tar_gz};

const TOKEN: &str = "ghp_hardeningSentinel0123456789abcdefAB";

struct World {
    github: FakeGitHub,
    root: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let github = FakeGitHub::start();
        github.add_repo(demo_origin().build());
        github.add_token(TokenSpec::new(TOKEN, "alice").owner("acme"));
        let root = tempfile::tempdir().unwrap();
        for dir in ["home", "config", "cache", "mise/installs"] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        World { github, root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    /// mise's install path for `acme/tools/<tool>` at `version`.
    fn install_dir(&self, tool: &str, version: &str) -> PathBuf {
        self.path("mise/installs")
            .join(format!("skillrig-acme-tools-{tool}"))
            .join(version)
    }

    fn command(&self, args: &[&str]) -> Command {
        let p = |rel: &str| self.path(rel).display().to_string();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_skillrig-mise"));
        cmd.args(args)
            .current_dir(self.root.path())
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", p("home"))
            .env("XDG_CONFIG_HOME", p("config"))
            .env("XDG_CACHE_HOME", p("cache"))
            .env("MISE_DATA_DIR", p("mise"))
            .env("SKILLRIG_GITHUB_API_URL", self.github.api_url())
            .env("GITHUB_TOKEN", TOKEN);
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// `install acme/tools/<tool> <version>` into its mise-style directory, plus `extra` args.
    fn install(&self, tool: &str, version: &str, extra: &[&str]) -> Output {
        let dir = self.install_dir(tool, version);
        std::fs::create_dir_all(&dir).unwrap();
        let address = format!("acme/tools/{tool}");
        let mut args = vec!["install", &address, version, "--install-path"];
        let dir = dir.display().to_string();
        args.push(&dir);
        args.extend_from_slice(extra);
        self.run(&args)
    }
}

fn output(out: &Output) -> String {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(TOKEN), "the token leaked:\n{all}");
    all
}

/// Every entry below `dir`, relative, sorted (hidden ones included).
fn tree(dir: &Path) -> Vec<String> {
    testkit::entries_under(dir)
        .iter()
        .map(|p| p.display().to_string())
        .collect()
}

#[test]
fn an_invalid_api_url_is_a_usage_error_with_a_hint() {
    let world = World::new();
    std::fs::create_dir_all(world.path("config/skillrig")).unwrap();
    std::fs::write(
        world.path("config/skillrig/hosts.toml"),
        "[hosts.\"github.com\"]\napi_url = \"not a url\"\n",
    )
    .unwrap();
    let out = world
        .command(&["list-versions", "acme/tools/jira"])
        .env_remove("SKILLRIG_GITHUB_API_URL")
        .output()
        .unwrap();
    let text = output(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("api_url`: expected an http(s) URL") && text.matches("hint:").count() == 1,
        "{text}"
    );
    assert_eq!(world.github.requests().len(), 0);
}

#[test]
fn option_values_have_one_spelling_and_unknown_options_are_named() {
    let world = World::new();
    for bad in ["verify=maybe", "verify=off", "verify=0"] {
        let out = world.install("jira", "2.10.0", &["--option", bad]);
        let text = output(&out);
        assert_eq!(out.status.code(), Some(2), "{bad}: {text}");
        assert!(
            text.contains("required") && text.contains("none"),
            "{bad}: {text}"
        );
        assert!(!world.install_dir("jira", "2.10.0").join("bin").exists());
    }
    let out = world.install("jira", "2.10.0", &["--option", "checksums=nope.txt"]);
    let text = output(&out);
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("nope.txt"), "{text}");

    // An unknown option is warned about (with the nearest known one); the install goes on.
    let out = world.install("jira", "2.10.0", &["--option", "verfy=none"]);
    let text = output(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("verfy") && text.contains("`verify`"),
        "{text}"
    );
    let receipt = std::fs::read_to_string(
        world
            .install_dir("jira", "2.10.0")
            .join(".skillrig/receipt.json"),
    )
    .unwrap();
    assert!(
        receipt.contains("checksums-file"),
        "verification still ran: {receipt}"
    );
}

#[test]
fn help_lists_every_tool_option_and_address_hints_offer_only_accepted_forms() {
    let world = World::new();
    let out = world.run(&["--help"]);
    let text = output(&out);
    assert!(out.status.success(), "{text}");
    for (key, _) in skillrig_cli::options::KNOWN {
        assert!(
            text.contains(&format!("  {key}: ")),
            "--help omits `{key}`: {text}"
        );
    }

    // The bare form is refused for mise tools, so the address hint must not offer it.
    let dir = world.install_dir("jira", "1.0.0").display().to_string();
    let out = world.run(&["install", "acme/jira", "1.0.0", "--install-path", &dir]);
    let text = output(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("<owner>/<repo>/<bin>") && !text.contains("bare") && !text.contains("origin"),
        "{text}"
    );
}

#[test]
fn lock_refuses_where_there_is_no_project_and_writes_nothing() {
    let world = World::new();
    // The world's root has no mise.toml and no .skillrig/: no project.
    let out = world.run(&["lock"]);
    let text = output(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("no project at or above"), "{text}");
    assert!(!world.path(".skillrig").exists(), "{text}");

    let missing = world.path("nowhere");
    let out = world.run(&["lock", "--project", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", output(&out));
    assert!(!missing.exists());
    assert_eq!(world.github.requests().len(), 0);
}

#[test]
fn an_install_under_a_tools_lock_that_is_no_file_is_refused() {
    let world = World::new();
    std::fs::write(
        world.path("mise.toml"),
        "[tools]\n\"skillrig:acme/tools/jira\" = \"2.10.0\"\n",
    )
    .unwrap();
    // A directory where the lock belongs: it must not read as "no lock".
    std::fs::create_dir_all(world.path(".skillrig/tools-lock.json")).unwrap();
    let out = world.install("jira", "2.10.0", &[]);
    let text = output(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("is not a tools lock: it is a directory"),
        "{text}"
    );
    assert!(!world.install_dir("jira", "2.10.0").join("bin").exists());
}

#[test]
fn lock_reads_mise_toml_as_wire_does_and_check_names_each_unused_entry() {
    let world = World::new();
    let mise_toml = world.path("mise.toml");
    std::fs::write(
        &mise_toml,
        "[tools]\n\"skillrig:acme/tools/jira\" = \"2.10.0\"\n\"skillrig:acme/tools/jira-cli\" = \"0.4.0\"\n\"skillrig:acme/tools/tfc\" = 5\n",
    )
    .unwrap();
    let out = world.run(&["lock"]);
    let text = output(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("`skillrig:acme/tools/tfc` gives no version this lock can read"),
        "{text}"
    );
    let lock = world.path(".skillrig/tools-lock.json");
    let locked = std::fs::read_to_string(&lock).unwrap();
    // A new lock gets the mode any new file gets here (0666 less the umask), not 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let plain = world.path("plain");
        std::fs::File::create(&plain).unwrap();
        assert_eq!(mode(&lock), mode(&plain));
    }

    // `jira-cli` contains `jira`: the unused `jira` entry is still reported by name.
    std::fs::write(
        &mise_toml,
        "[tools]\n\"skillrig:acme/tools/jira-cli\" = \"0.4.0\"\n",
    )
    .unwrap();
    let out = world.run(&["lock", "--check"]);
    let text = output(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "`skillrig:acme/tools/jira` (2.10.0) is locked but mise.toml does not pin it"
        ),
        "{text}"
    );

    // `tools` that is not a table is a usage error, as in `wire`; the lock is left alone.
    std::fs::write(&mise_toml, "tools = \"x\"\n").unwrap();
    let out = world.run(&["lock"]);
    let text = output(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("`tools` is not a table"), "{text}");
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), locked);
}

#[test]
fn an_install_path_that_is_no_dedicated_directory_is_refused_before_anything_is_written() {
    let world = World::new();
    let home = world.path("home").display().to_string();
    let installs = world.path("mise/installs").display().to_string();
    let tool_dir = world
        .path("mise/installs/skillrig-acme-tools-jira")
        .display()
        .to_string();
    for path in ["/", "/usr", &home, &installs, &tool_dir] {
        let before = tree(world.root.path());
        let out = world.run(&[
            "install",
            "acme/tools/jira",
            "2.10.0",
            "--install-path",
            path,
        ]);
        let text = output(&out);
        assert_eq!(out.status.code(), Some(2), "{path}: {text}");
        assert!(text.contains("refusing to install into"), "{path}: {text}");
        assert_eq!(tree(world.root.path()), before, "{path}: nothing written");
    }
    assert_eq!(
        world.github.requests().len(),
        0,
        "refused before any request"
    );
}

#[test]
fn a_reset_mid_asset_and_mid_checksums_still_installs_the_verified_binary() {
    let world = World::new();
    world.github.inject(Fault::new(
        "jira_2.10.0_linux_amd64.tar.gz",
        FaultKind::ResetMidBody,
    ));
    world
        .github
        .inject(Fault::new("jira_checksums.txt", FaultKind::TruncateBody));
    let out = world.install("jira", "2.10.0", &[]);
    let text = output(&out);
    assert!(out.status.success(), "{text}");
    let dir = world.install_dir("jira", "2.10.0");
    assert!(dir.join("bin/jira").is_file());
    let receipt = std::fs::read_to_string(dir.join(".skillrig/receipt.json")).unwrap();
    assert!(
        receipt.contains("checksums-file") && receipt.contains("github-digest"),
        "{receipt}"
    );
    // The asset was resumed from where it broke, not fetched twice in full.
    let ranged = world
        .github
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("jira_2.10.0_linux_amd64.tar.gz") && r.range.is_some())
        .count();
    assert_eq!(ranged, 1, "one ranged request resumed the asset");
    assert_eq!(
        tree(&dir)
            .iter()
            .filter(|e| e.contains(".skillrig-"))
            .count(),
        0
    );
}

/// A tar.bz2 of the CLI, as some release pipelines publish.
fn tar_bz2(bin: &str, version: &str) -> Vec<u8> {
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(&tar_gz(bin, version, None, 0)[..])
        .read_to_end(&mut tar)
        .unwrap();
    let mut bz = Vec::new();
    bzip2::read::BzEncoder::new(&tar[..], bzip2::Compression::fast())
        .read_to_end(&mut bz)
        .unwrap();
    bz
}

// The release below has its bz2 asset for linux/amd64 only.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn a_release_publishing_only_tar_bz2_installs() {
    let world = World::new();
    let name = "jira_2.10.0_linux_amd64.tar.bz2";
    let bytes = tar_bz2("jira", "2.10.0");
    let line = format!("{}  {name}\n", sha256_hex(&bytes));
    world.github.update_repo("acme", "tools", |repo| {
        let release = repo
            .releases
            .iter_mut()
            .find(|r| r.tag_name == "2.10.0+jira")
            .unwrap();
        release.assets.retain(|a| !a.name.contains("_linux_"));
        release.assets.retain(|a| a.name != "jira_checksums.txt");
        release.assets.push(Asset::new(name, bytes.clone()));
        release
            .assets
            .push(Asset::new("jira_checksums.txt", line.into_bytes()));
    });
    let out = world.install("jira", "2.10.0", &[]);
    let text = output(&out);
    assert!(out.status.success(), "{text}");
    let installed = world.install_dir("jira", "2.10.0").join("bin/jira");
    let ran = Command::new(&installed).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&ran.stdout).trim(), "jira 2.10.0");
}

#[test]
fn stale_staging_of_a_dead_process_is_swept_by_the_next_install() {
    let world = World::new();
    let dir = world.install_dir("jira", "2.10.0");
    // What a `kill -9` mid-install leaves: a staging directory with a partial binary and a
    // download file, both named after a process that no longer runs.
    let dead = u32::MAX - 7;
    let staging = dir.join(format!(".skillrig-staging-{dead}-abc123"));
    std::fs::create_dir_all(staging.join("bin")).unwrap();
    std::fs::write(staging.join("bin/jira"), b"#!/bin/sh\necho partial\n").unwrap();
    std::fs::write(
        dir.join(format!(".skillrig-download-{dead}-def456")),
        b"half",
    )
    .unwrap();

    let out = world.install("jira", "2.10.0", &[]);
    assert!(out.status.success(), "{}", output(&out));
    let left: Vec<String> = tree(&dir)
        .into_iter()
        .filter(|e| e.contains(".skillrig-staging-") || e.contains(".skillrig-download-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[cfg(unix)]
#[test]
fn sigterm_mid_download_exits_130_and_leaves_nothing_behind() {
    let world = World::new();
    world.github.inject(Fault::new(
        "jira_2.10.0_linux_amd64.tar.gz",
        FaultKind::StallMidBody(Duration::from_secs(20)),
    ));
    let dir = world.install_dir("jira", "2.10.0");
    std::fs::create_dir_all(&dir).unwrap();
    let dir_text = dir.display().to_string();
    let mut child = world
        .command(&[
            "install",
            "acme/tools/jira",
            "2.10.0",
            "--install-path",
            &dir_text,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the stalled download has started writing inside the install path.
    let started = Instant::now();
    while !tree(&dir).iter().any(|e| e.contains(".skillrig-")) {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the download never started: {:?}",
            tree(&dir)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "it exited on the signal, not after the stall"
    );
    assert_eq!(
        tree(&dir),
        Vec::<String>::new(),
        "nothing left in {dir_text}"
    );
}

#[test]
fn an_origin_option_of_the_same_repository_picks_the_metadata_revision() {
    let world = World::new();
    let out = world.run(&[
        "list-versions",
        "acme/tools/jira",
        "--option",
        "origin=acme/tools@main",
    ]);
    let text = output(&out);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("ignored"), "{text}");
    let metadata: Vec<String> = world
        .github
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/contents/"))
        .map(|r| format!("{}?{}", r.path, r.query))
        .collect();
    assert!(
        !metadata.is_empty() && metadata.iter().all(|m| m.contains("ref=main")),
        "{metadata:?}"
    );

    // Another repository in the option is ignored, with a warning saying what the option is for.
    let out = world.run(&[
        "list-versions",
        "acme/tools/jira",
        "--option",
        "origin=other/repo@main",
    ]);
    let text = output(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("`origin` tool option `other/repo@main` is ignored"),
        "{text}"
    );
}
