//! A throwaway mise world around a fake GitHub.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use testkit::{FakeGitHub, TokenSpec, demo_origin};

/// The token the fake GitHub accepts for `acme`; only the credential command knows it.
pub(crate) const TOKEN: &str = "ghp_e2eSentinelToken0123456789abcdef";

pub(crate) struct World {
    pub(crate) github: FakeGitHub,
    pub(crate) root: tempfile::TempDir,
    mise: PathBuf,
}

/// The pinned mise binary (testkit's one skip rule: required under CI).
fn mise_binary() -> Option<PathBuf> {
    testkit::test_mise()
}

impl World {
    /// A world with the demo origin and a credential command supplying the token.
    pub(crate) fn new() -> Option<World> {
        let world = World::bare()?;
        world.github.add_repo(demo_origin().build());
        world
            .github
            .add_token(TokenSpec::new(TOKEN, "e2e").owner("acme"));
        world.write_hosts_toml(true);
        Some(world)
    }

    /// A world with an empty fake GitHub and no hosts.toml.
    pub(crate) fn bare() -> Option<World> {
        let mise = mise_binary()?;
        let root = tempfile::tempdir().expect("temp dir");
        for dir in ["home", "config/skillrig", "cache", "project", "mise"] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        std::fs::write(root.path().join("token"), format!("{TOKEN}\n")).unwrap();
        let world = World {
            github: FakeGitHub::start(),
            root,
            mise,
        };
        let linked = world.mise(&["plugins", "link", "--force", "skillrig", &plugin_dir()]);
        assert!(linked.status.success(), "link: {}", stderr(&linked));
        Some(world)
    }

    /// The mise binary under test.
    pub(crate) fn mise_bin(&self) -> &Path {
        &self.mise
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    /// Writes `hosts.toml`: github.com served by the fake, with or without the credential command.
    pub(crate) fn write_hosts_toml(&self, with_token: bool) {
        let mut text = format!(
            "[hosts.\"github.com\"]\napi_url = \"{}\"\n",
            self.github.api_url()
        );
        if with_token {
            text.push_str(&format!(
                "credential_command = \"cat '{}'\"\n",
                self.path("token").display()
            ));
        }
        std::fs::write(self.path("config/skillrig/hosts.toml"), text).unwrap();
    }

    /// Writes the project's `mise.toml` and trusts it.
    pub(crate) fn write_mise_toml(&self, body: &str) {
        std::fs::write(self.path("project/mise.toml"), body).unwrap();
        let trusted = self.mise(&["trust", "--quiet", "mise.toml"]);
        assert!(trusted.status.success(), "trust: {}", stderr(&trusted));
    }

    /// Runs mise in the project directory with an isolated environment.
    pub(crate) fn mise(&self, args: &[&str]) -> Output {
        self.mise_env(args, &[])
    }

    /// Like [`World::mise`], with extra environment variables.
    pub(crate) fn mise_env(&self, args: &[&str], extra: &[(&str, &str)]) -> Output {
        self.mise_in("project", args, extra)
    }

    /// Writes and trusts `mise.toml` in another project directory (`rel`, created).
    pub(crate) fn write_project(&self, rel: &str, body: &str) {
        std::fs::create_dir_all(self.path(rel)).unwrap();
        std::fs::write(self.path(rel).join("mise.toml"), body).unwrap();
        let trusted = self.mise_in(rel, &["trust", "--quiet", "mise.toml"], &[]);
        assert!(trusted.status.success(), "trust: {}", stderr(&trusted));
    }

    /// Runs mise in the directory `rel` (below the world's root) with an isolated environment.
    pub(crate) fn mise_in(&self, rel: &str, args: &[&str], extra: &[(&str, &str)]) -> Output {
        let root = self.root.path();
        let mut cmd = self.isolated(&self.mise);
        cmd.current_dir(root.join(rel));
        cmd.args(args)
            .env("MISE_DATA_DIR", root.join("mise/data"))
            .env("MISE_CONFIG_DIR", root.join("mise/config"))
            .env("MISE_CACHE_DIR", root.join("mise/cache"))
            .env("MISE_STATE_DIR", root.join("mise/state"))
            .env("MISE_YES", "1")
            .env("SKILLRIG_MISE_BIN", env!("CARGO_BIN_EXE_skillrig-mise"));
        // A developer's SKILLRIG_LOG reaches the hooks, to debug a failing test.
        if let Some(value) = std::env::var_os("SKILLRIG_LOG") {
            cmd.env("SKILLRIG_LOG", value);
        }
        cmd.envs(extra.iter().copied());
        cmd.output().expect("run mise")
    }

    /// Runs `skillrig-mise` directly, in the same isolated environment mise would give it.
    pub(crate) fn skillrig(&self, args: &[&str], extra: &[(&str, &str)]) -> Output {
        self.isolated(env!("CARGO_BIN_EXE_skillrig-mise"))
            .args(args)
            .envs(extra.iter().copied())
            .output()
            .expect("run skillrig-mise")
    }

    /// A command in the project directory with nothing of the developer's environment but
    /// `PATH`: home, XDG dirs and caches all live in this world.
    fn isolated(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let root = self.root.path();
        let mut cmd = Command::new(program);
        cmd.current_dir(root.join("project"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", root.join("home"))
            .env("XDG_CONFIG_HOME", root.join("config"))
            .env("XDG_CACHE_HOME", root.join("cache"));
        cmd
    }

    /// Installs what mise.toml lists; panics with mise's output on failure.
    pub(crate) fn install_ok(&self) {
        let out = self.mise(&["install"]);
        assert!(
            out.status.success(),
            "mise install failed:\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
    }

    /// `mise exec -- <tool>`'s stdout, trimmed.
    pub(crate) fn run_tool(&self, tool: &str) -> String {
        let out = self.mise(&["exec", "--", tool]);
        assert!(out.status.success(), "{tool}: {}", stderr(&out));
        stdout(&out).trim().to_owned()
    }

    /// The mise install dir of a skillrig tool at a version.
    pub(crate) fn install_dir(&self, tool: &str, version: &str) -> PathBuf {
        let kebab = format!("skillrig-{}", tool.replace('/', "-"));
        self.path("mise/data/installs").join(kebab).join(version)
    }
}

pub(crate) fn plugin_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugin")
        .canonicalize()
        .expect("plugin dir")
        .display()
        .to_string()
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
