//! The path a user takes (issue #12): a project declares the released plugin in mise.toml, runs
//! `mise install`, and the plugin fetches the skillrig-mise build it pins, checks its sha256 and
//! runs it. Nothing of ours is on PATH: only mise, coreutils, `sh` (mise runs hook commands
//! with it) and `git` (mise clones `file://` plugin URLs with `git upload-pack`).
//!
//! The package is what `scripts/package-helper.sh OUT_DIR` makes, exactly as a release would:
//! `OUT_DIR/releases/v<version>/` (archive and .sha256) served by testkit's download host at
//! `SKILLRIG_HELPER_BASE_URL`, and `OUT_DIR/plugin`, a git repository tagged `v<version>`.
//! scripts/test.sh builds it and passes it as `SKILLRIG_TEST_PACKAGE`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use testkit::{DownloadHost, sha256_hex};

use crate::mise::{World, stderr, stdout};

const VERSION: &str = env!("CARGO_PKG_VERSION");

const FIVE_TOOLS: &str = r#"
[tools]
"skillrig:acme/tools/jira" = "latest"
"skillrig:acme/tools/tfc" = "0.0.6"
"skillrig:acme/tools/oxid" = "latest"
"skillrig:acme/tools/kubelint" = "latest"
"skillrig:acme/tools/jira-cli" = "latest"
"#;

/// The GNU coreutils programs: the only tools besides mise, `sh` and `git` on the user's PATH.
const COREUTILS: &[&str] = &[
    "[",
    "b2sum",
    "base32",
    "base64",
    "basename",
    "basenc",
    "cat",
    "chcon",
    "chgrp",
    "chmod",
    "chown",
    "chroot",
    "cksum",
    "comm",
    "cp",
    "csplit",
    "cut",
    "date",
    "dd",
    "df",
    "dir",
    "dircolors",
    "dirname",
    "du",
    "echo",
    "env",
    "expand",
    "expr",
    "factor",
    "false",
    "fmt",
    "fold",
    "groups",
    "head",
    "hostid",
    "id",
    "install",
    "join",
    "link",
    "ln",
    "logname",
    "ls",
    "md5sum",
    "mkdir",
    "mkfifo",
    "mknod",
    "mktemp",
    "mv",
    "nice",
    "nl",
    "nohup",
    "nproc",
    "numfmt",
    "od",
    "paste",
    "pathchk",
    "pinky",
    "pr",
    "printenv",
    "printf",
    "ptx",
    "pwd",
    "readlink",
    "realpath",
    "rm",
    "rmdir",
    "runcon",
    "seq",
    "sha1sum",
    "sha224sum",
    "sha256sum",
    "sha384sum",
    "sha512sum",
    "shred",
    "shuf",
    "sleep",
    "sort",
    "split",
    "stat",
    "stdbuf",
    "stty",
    "sum",
    "sync",
    "tac",
    "tail",
    "tee",
    "test",
    "timeout",
    "touch",
    "tr",
    "true",
    "truncate",
    "tsort",
    "tty",
    "uname",
    "unexpand",
    "uniq",
    "unlink",
    "users",
    "vdir",
    "wc",
    "who",
    "whoami",
    "yes",
];

/// A mise world holding the packaged release, with the plugin not yet installed.
pub(crate) struct Shipped {
    pub(crate) world: World,
    /// The download host serving this world's copy of `OUT_DIR/releases`.
    pub(crate) host: DownloadHost,
    package: PathBuf,
    /// The archive this machine's platform downloads (the package holds one target).
    pub(crate) archive: String,
    /// Its pinned sha256.
    pub(crate) sha256: String,
    /// The directory that is the user's PATH.
    pub(crate) bin: PathBuf,
}

/// The package from scripts/package-helper.sh (testkit's one skip rule: required under CI).
fn package_dir() -> Option<PathBuf> {
    let found = std::env::var_os("SKILLRIG_TEST_PACKAGE")
        .map(PathBuf::from)
        .filter(|dir| dir.join("plugin/lib/pinned.lua").is_file());
    testkit::require(
        "the packaged helper (SKILLRIG_TEST_PACKAGE, from scripts/package-helper.sh)",
        found,
    )
}

impl Shipped {
    pub(crate) fn new() -> Option<Shipped> {
        let package = package_dir()?;
        let world = World::new()?;
        // World links this checkout's plugin/ for the other tests; a user has none.
        let unlinked = world.mise(&["plugins", "uninstall", "skillrig"]);
        assert!(unlinked.status.success(), "{}", stderr(&unlinked));

        let released = package.join(format!("releases/v{VERSION}"));
        assert!(
            released.is_dir(),
            "{} is missing: the package is stale, rerun scripts/package-helper.sh",
            released.display()
        );
        let served = world.path("releases");
        std::fs::create_dir_all(served.join(format!("v{VERSION}"))).unwrap();
        let mut archive = None;
        for entry in std::fs::read_dir(&released).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            std::fs::copy(entry.path(), served.join(format!("v{VERSION}/{name}"))).unwrap();
            if name.ends_with(".tar.gz") || name.ends_with(".zip") {
                archive = Some(name);
            }
        }
        let archive = archive.expect("the package holds an archive");
        let pinned = std::fs::read_to_string(package.join("plugin/lib/pinned.lua")).unwrap();
        let sha256 = pinned
            .lines()
            .find_map(|l| l.trim().strip_prefix("sha256 = \""))
            .and_then(|l| l.strip_suffix("\","))
            .expect("pinned.lua names a sha256")
            .to_owned();
        let host = DownloadHost::start(&served).expect("download host");
        let bin = user_path(&world);
        Some(Shipped {
            world,
            host,
            package,
            archive,
            sha256,
            bin,
        })
    }

    /// The project's mise.toml: the plugin as a release publishes it, plus `tools`.
    pub(crate) fn write_mise_toml(&self, tools: &str) {
        let url = format!(
            "file://{}#v{VERSION}",
            self.package.join("plugin").display()
        );
        let body = format!("[plugins]\n\"vfox-backend:skillrig\" = \"{url}\"\n{tools}");
        std::fs::write(self.world.path("project/mise.toml"), body).unwrap();
        let trusted = self.mise(&["trust", "--quiet", "mise.toml"], &[]);
        assert!(trusted.status.success(), "trust: {}", stderr(&trusted));
    }

    /// Runs mise as the user: this world's dirs, the minimal PATH, no SKILLRIG_MISE_BIN.
    pub(crate) fn mise(&self, args: &[&str], extra: &[(&str, &str)]) -> Output {
        let root = self.world.root.path();
        Command::new(self.world.mise_bin())
            .args(args)
            .current_dir(root.join("project"))
            .env_clear()
            .env("PATH", &self.bin)
            .env("HOME", root.join("home"))
            .env("XDG_CONFIG_HOME", root.join("config"))
            .env("XDG_CACHE_HOME", root.join("cache"))
            .env("MISE_DATA_DIR", root.join("mise/data"))
            .env("MISE_CONFIG_DIR", root.join("mise/config"))
            .env("MISE_CACHE_DIR", root.join("mise/cache"))
            .env("MISE_STATE_DIR", root.join("mise/state"))
            .env("MISE_YES", "1")
            .env("SKILLRIG_HELPER_BASE_URL", self.host.url())
            .envs(extra.iter().copied())
            .output()
            .expect("run mise")
    }

    /// Where the installed plugin keeps the helper it fetched.
    pub(crate) fn helper_root(&self) -> PathBuf {
        self.world.path("mise/data/plugins/skillrig/helper")
    }

    /// Names in the helper root, sorted.
    pub(crate) fn helper_entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.helper_root())
            .map(|dir| {
                dir.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn served_archive(&self) -> PathBuf {
        self.world
            .path(&format!("releases/v{VERSION}/{}", self.archive))
    }
}

/// A directory holding only mise, coreutils, `sh` and `git`, linked from the developer's PATH.
pub(crate) fn user_path(world: &World) -> PathBuf {
    let bin = world.path("user-bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(world.mise_bin(), bin.join("mise")).unwrap();
    for name in COREUTILS.iter().chain(&["sh", "git"]) {
        if let Some(found) = which(name) {
            std::os::unix::fs::symlink(found, bin.join(name)).unwrap();
        }
    }
    for needed in ["sh", "git", "sha256sum", "mkdir", "rm", "sleep", "chmod"] {
        assert!(bin.join(needed).exists(), "{needed} is not on PATH");
    }
    bin
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Fails when a Lua error escaped to the user: a traceback or a `file.lua:N:` position.
pub(crate) fn assert_no_lua_noise(output: &str) {
    assert!(!output.contains("stack traceback"), "{output}");
    assert!(!output.contains("Command failed with status"), "{output}");
    let lua_position = output.match_indices(".lua:").any(|(i, _)| {
        output[i + 5..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    });
    assert!(
        !lua_position,
        "a Lua file position reached the user:\n{output}"
    );
}

fn all_output(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

#[test]
fn mise_install_fetches_the_pinned_helper_once_and_every_tool_runs() {
    let Some(shipped) = Shipped::new() else {
        return;
    };
    shipped.write_mise_toml(FIVE_TOOLS);
    let which = Command::new(shipped.bin.join("sh"))
        .args([
            "-c",
            "command -v skillrig-mise || command -v cargo || command -v tar",
        ])
        .env_clear()
        .env("PATH", &shipped.bin)
        .output()
        .unwrap();
    assert!(!which.status.success(), "on PATH: {}", stdout(&which));

    let out = shipped.mise(&["install"], &[]);
    assert!(out.status.success(), "mise install:\n{}", all_output(&out));
    assert_no_lua_noise(&all_output(&out));
    // Five tools resolved and installed in parallel; one download of the helper.
    assert_eq!(
        shipped.host.downloads(&shipped.archive),
        1,
        "{:?}",
        shipped.host.requests()
    );

    for (tool, expected) in [
        ("jira", "jira 2.10.0"),
        ("tfc", "tfc 0.0.6"),
        ("oxid", "oxid 0.10.0"),
        ("kubelint", "kubelint 1.1.0"),
        ("jira-cli", "jira-cli 0.4.0"),
    ] {
        let run = shipped.mise(&["exec", "--", tool], &[]);
        assert!(run.status.success(), "{tool}: {}", stderr(&run));
        assert_eq!(stdout(&run).trim(), expected);
    }

    // The helper sits in the plugin's directory, complete; no lock or staging directory left.
    let target = archive_target(&shipped.archive);
    assert_eq!(shipped.helper_entries(), [format!("v{VERSION}-{target}")]);
    let exe = shipped.helper_root().join(format!(
        "v{VERSION}-{target}/skillrig-mise-{target}/skillrig-mise"
    ));
    // `-V` is the short version; `--version` adds the commit and target.
    let version = Command::new(&exe).arg("-V").output().expect("helper runs");
    assert_eq!(stdout(&version).trim(), format!("skillrig-mise {VERSION}"));

    // Later hooks use it in place: no second download.
    let listed = shipped.mise(&["ls-remote", "skillrig:acme/tools/oxid"], &[]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(shipped.host.downloads(&shipped.archive), 1);
}

#[test]
fn a_tampered_helper_archive_is_refused_before_anything_is_extracted() {
    let Some(shipped) = Shipped::new() else {
        return;
    };
    // A mirror serving other bytes under the pinned name.
    let mut bytes = std::fs::read(shipped.served_archive()).unwrap();
    bytes.extend_from_slice(b"tampered");
    std::fs::write(shipped.served_archive(), &bytes).unwrap();
    let actual = sha256_hex(&bytes);
    shipped.write_mise_toml(FIVE_TOOLS);

    let out = shipped.mise(&["install"], &[]);
    assert!(
        !out.status.success(),
        "a tampered helper must fail the install"
    );
    let text = all_output(&out);
    assert_no_lua_noise(&text);
    let url = format!("{}/v{VERSION}/{}", shipped.host.url(), shipped.archive);
    for needle in [
        url.as_str(),
        &format!("expected {}", shipped.sha256),
        &format!("actual {actual}"),
        "nothing was extracted",
        "SKILLRIG_MISE_BIN",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
    }
    // Shown once for the five tools, and fetched once: the other hooks took the first failure.
    assert_eq!(
        text.matches("does not match this plugin's pin").count(),
        1,
        "{text}"
    );
    assert_eq!(shipped.host.downloads(&shipped.archive), 1);
    // No helper, no extracted files, no lock or staging directory: only the failure record.
    assert_eq!(
        shipped.helper_entries(),
        [format!(
            "v{VERSION}-{}.failed",
            archive_target(&shipped.archive)
        )]
    );
    // mise's layout is installs/<tool dir>/<version>/bin.
    let installed: Vec<_> = std::fs::read_dir(shipped.world.path("mise/data/installs"))
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|tool| {
            std::fs::read_dir(tool.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|version| version.path().join("bin"))
        .filter(|bin| bin.exists())
        .collect();
    assert!(
        installed.is_empty(),
        "no tool may be installed: {installed:?}"
    );
}

fn archive_target(archive: &str) -> &str {
    archive
        .trim_start_matches("skillrig-mise-")
        .trim_end_matches(".tar.gz")
        .trim_end_matches(".zip")
}

#[test]
fn a_helper_of_another_protocol_is_refused_naming_both_versions() {
    let Some(shipped) = Shipped::new() else {
        return;
    };
    // The next release's plugin (protocol 2), run against this skillrig-mise (protocol 1)
    // through SKILLRIG_MISE_BIN: the pairing a user gets by pointing at an older build.
    let next = shipped.world.path("next-plugin");
    copy_dir(&shipped.package.join("plugin"), &next);
    let lua = next.join("lib/skillrig.lua");
    let text = std::fs::read_to_string(&lua).unwrap();
    std::fs::write(&lua, text.replace("M.PROTOCOL = 1\n", "M.PROTOCOL = 2\n")).unwrap();
    let meta = next.join("metadata.lua");
    let text = std::fs::read_to_string(&meta).unwrap();
    std::fs::write(&meta, text.replace(&format!("\"{VERSION}\""), "\"9.0.0\"")).unwrap();
    let linked = shipped.mise(
        &[
            "plugins",
            "link",
            "--force",
            "skillrig",
            next.to_str().unwrap(),
        ],
        &[],
    );
    assert!(linked.status.success(), "{}", stderr(&linked));
    std::fs::write(shipped.world.path("project/mise.toml"), FIVE_TOOLS).unwrap();
    assert!(
        shipped
            .mise(&["trust", "--quiet", "mise.toml"], &[])
            .status
            .success()
    );

    let out = shipped.mise(
        &["install"],
        &[("SKILLRIG_MISE_BIN", env!("CARGO_BIN_EXE_skillrig-mise"))],
    );
    assert!(!out.status.success());
    let text = all_output(&out);
    assert_no_lua_noise(&text);
    let expected = format!(
        "plugin protocol mismatch: skillrig-mise {VERSION} speaks protocol 1, the skillrig \
         plugin 9.0.0 speaks protocol 2 (they come from different releases)"
    );
    assert!(text.contains(&expected), "{text}");
    assert!(
        text.contains(&format!(
            "this plugin pins skillrig-mise {VERSION}: unset SKILLRIG_MISE_BIN"
        )),
        "{text}"
    );
    assert_eq!(
        text.matches("plugin protocol mismatch").count(),
        1,
        "shown once: {text}"
    );
    assert_eq!(
        shipped.host.downloads(&shipped.archive),
        0,
        "SKILLRIG_MISE_BIN wins"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        if entry.file_name() == ".git" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
