//! Builds skillrig origins: one repository holding skills and several CLIs, each released on
//! its own version stream with real `.tar.gz` assets, per-tool checksums files, GitHub asset
//! digests, and optional `.skillrig-origin.toml` / `index.json` metadata.
//!
//! Each CLI's archive holds an executable shell script that prints `<bin> <version>`, so an end
//! to end test can run what it installed and see which stream and version it got.

use std::fmt::Write as _;

use crate::model::{Asset, Release, Repo, sha256_hex};

/// How a CLI's releases are tagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagStyle {
    /// `1.7.0+jira` (the skillrig RFC's build-metadata stream).
    BuildMetadata,
    /// `jira-v1.7.0` (prefix stream).
    Prefix,
}

impl TagStyle {
    /// The tag for `bin` at `version`.
    pub fn tag(self, bin: &str, version: &str) -> String {
        match self {
            TagStyle::BuildMetadata => format!("{version}+{bin}"),
            TagStyle::Prefix => format!("{bin}-v{version}"),
        }
    }
}

/// Which checksums file a CLI's releases carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksums {
    /// `<bin>_checksums.txt` (what the skillrig plugin expects).
    PerTool,
    /// One shared `checksums.txt`.
    Shared,
    /// None at all.
    None,
}

/// Where a CLI's `[[binaries]]` description is published, if anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Described {
    /// Not described: the convention applies.
    No,
    /// In `.skillrig-origin.toml`.
    OriginToml,
    /// In `index.json`.
    IndexJson,
}

/// A (goreleaser-style) platform pair.
pub type PlatformPair = (&'static str, &'static str);

/// Platforms assets are built for unless a CLI says otherwise.
pub const DEFAULT_PLATFORMS: &[PlatformPair] =
    &[("linux", "amd64"), ("linux", "arm64"), ("darwin", "arm64")];

/// One release of a CLI.
#[derive(Debug, Clone)]
pub struct CliRelease {
    /// SemVer version without build metadata, e.g. `1.7.0` or `2.0.0-rc.1`.
    pub version: String,
    /// GitHub's prerelease flag.
    pub prerelease: bool,
    /// Unpublished draft.
    pub draft: bool,
}

/// A CLI released from the origin.
#[derive(Debug, Clone)]
pub struct Cli {
    /// Binary name.
    pub name: String,
    /// Tag style of its stream.
    pub tags: TagStyle,
    /// Its releases, oldest first.
    pub releases: Vec<CliRelease>,
    /// Checksums file kind.
    pub checksums: Checksums,
    /// Whether assets carry GitHub's `digest` field.
    pub digest: bool,
    /// Asset name template (`{name}`, `{version}`, `{os}`, `{arch}`); `None` = goreleaser default.
    pub asset_template: Option<String>,
    /// Path of the executable inside the archive; `None` = `<bin>` at the root.
    pub bin_path: Option<String>,
    /// Where its `[[binaries]]` description goes.
    pub described: Described,
    /// Platforms to build assets for.
    pub platforms: Vec<PlatformPair>,
    /// Extra incompressible bytes stored in the archive (for large-asset benchmarks).
    pub payload_bytes: usize,
}

impl Cli {
    /// A CLI on the build-metadata stream with per-tool checksums, digests and default platforms.
    pub fn new(name: &str) -> Cli {
        Cli {
            name: name.to_owned(),
            tags: TagStyle::BuildMetadata,
            releases: Vec::new(),
            checksums: Checksums::PerTool,
            digest: true,
            asset_template: None,
            bin_path: None,
            described: Described::No,
            platforms: DEFAULT_PLATFORMS.to_vec(),
            payload_bytes: 0,
        }
    }

    /// Uses prefix tags (`<bin>-v<version>`).
    pub fn prefix_tags(mut self) -> Cli {
        self.tags = TagStyle::Prefix;
        self
    }

    /// Adds published releases, oldest first.
    pub fn versions(mut self, versions: &[&str]) -> Cli {
        for v in versions {
            self.releases.push(CliRelease {
                version: (*v).to_owned(),
                prerelease: false,
                draft: false,
            });
        }
        self
    }

    /// Adds a release flagged as a prerelease on GitHub.
    pub fn prerelease(mut self, version: &str) -> Cli {
        self.releases.push(CliRelease {
            version: version.to_owned(),
            prerelease: true,
            draft: false,
        });
        self
    }

    /// Adds a draft release.
    pub fn draft(mut self, version: &str) -> Cli {
        self.releases.push(CliRelease {
            version: version.to_owned(),
            prerelease: false,
            draft: true,
        });
        self
    }

    /// Sets the checksums file kind.
    pub fn checksums(mut self, checksums: Checksums) -> Cli {
        self.checksums = checksums;
        self
    }

    /// Omits GitHub's `digest` on its assets.
    pub fn without_digest(mut self) -> Cli {
        self.digest = false;
        self
    }

    /// Describes it in origin metadata with a custom asset template and archive layout.
    pub fn described(mut self, place: Described, asset_template: &str, bin_path: &str) -> Cli {
        self.described = place;
        self.asset_template = Some(asset_template.to_owned());
        self.bin_path = Some(bin_path.to_owned());
        self
    }

    /// Builds assets for these platforms only.
    pub fn platforms(mut self, platforms: &[PlatformPair]) -> Cli {
        self.platforms = platforms.to_vec();
        self
    }

    /// Pads each archive with this many incompressible bytes.
    pub fn payload(mut self, bytes: usize) -> Cli {
        self.payload_bytes = bytes;
        self
    }

    /// The asset name for one version and platform.
    pub fn asset_name(&self, version: &str, os: &str, arch: &str) -> String {
        match &self.asset_template {
            Some(t) => t
                .replace("{name}", &self.name)
                .replace("{version}", version)
                .replace("{os}", os)
                .replace("{arch}", arch)
                .replace("{ext}", "tar.gz"),
            None => format!("{}_{version}_{os}_{arch}.tar.gz", self.name),
        }
    }

    /// The checksums file name, if any.
    pub fn checksums_name(&self) -> Option<String> {
        match self.checksums {
            Checksums::PerTool => Some(format!("{}_checksums.txt", self.name)),
            Checksums::Shared => Some("checksums.txt".to_owned()),
            Checksums::None => None,
        }
    }
}

/// A skill in the origin's `skills/` directory.
#[derive(Debug, Clone)]
pub struct Skill {
    /// Skill (and directory) name.
    pub name: String,
    /// `x-skillrig.version`.
    pub version: String,
    /// `x-skillrig.requires` entries: (tool, version constraint).
    pub requires: Vec<(String, String)>,
}

/// Builds an origin repository.
#[derive(Debug, Clone)]
pub struct OriginBuilder {
    owner: String,
    name: String,
    private: bool,
    clis: Vec<Cli>,
    skills: Vec<Skill>,
    origin_toml: bool,
    index_json: bool,
    start_time: u64,
}

impl OriginBuilder {
    /// A private origin `owner/name` with `.skillrig-origin.toml` and `index.json`.
    pub fn new(owner: &str, name: &str) -> OriginBuilder {
        OriginBuilder {
            owner: owner.to_owned(),
            name: name.to_owned(),
            private: true,
            clis: Vec::new(),
            skills: Vec::new(),
            origin_toml: true,
            index_json: true,
            start_time: 1_750_000_000,
        }
    }

    /// Makes the repository public.
    pub fn public(mut self) -> OriginBuilder {
        self.private = false;
        self
    }

    /// Adds a CLI.
    pub fn cli(mut self, cli: Cli) -> OriginBuilder {
        self.clis.push(cli);
        self
    }

    /// Adds a skill with `requires` entries `(tool, constraint)` sourced from this origin.
    pub fn skill(mut self, name: &str, version: &str, requires: &[(&str, &str)]) -> OriginBuilder {
        self.skills.push(Skill {
            name: name.to_owned(),
            version: version.to_owned(),
            requires: requires
                .iter()
                .map(|(t, v)| ((*t).to_owned(), (*v).to_owned()))
                .collect(),
        });
        self
    }

    /// Publishes no metadata files at all (pure convention origin).
    pub fn without_metadata(mut self) -> OriginBuilder {
        self.origin_toml = false;
        self.index_json = false;
        self
    }

    /// `owner/name`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// Builds the repository: files, tags, releases and assets.
    pub fn build(&self) -> Repo {
        let mut repo = Repo::new(&self.owner, &self.name, self.private);
        let origin = self.full_name();
        for skill in &self.skills {
            repo.put_file(
                &format!("skills/{}/SKILL.md", skill.name),
                skill_md(skill, &origin),
            );
        }
        if self.origin_toml {
            repo.put_file(".skillrig-origin.toml", self.origin_toml_text());
        }
        if self.index_json {
            repo.put_file("index.json", self.index_json_text());
        }
        for cli in &self.clis {
            repo.put_file(
                &format!("cmd/{}/main.go", cli.name),
                format!("package main\n\n// {} CLI\nfunc main() {{}}\n", cli.name),
            );
        }

        // Interleave the CLIs' release histories in time, so listings mix streams the way a
        // busy monorepo does: round k holds every CLI's k-th release.
        let mut time = self.start_time;
        let rounds = self
            .clis
            .iter()
            .map(|c| c.releases.len())
            .max()
            .unwrap_or(0);
        for k in 0..rounds {
            for cli in &self.clis {
                let Some(rel) = cli.releases.get(k) else {
                    continue;
                };
                time += 3600;
                let tag = cli.tags.tag(&cli.name, &rel.version);
                repo.add_tag(&tag);
                let mut release = Release::new(&tag);
                release.prerelease = rel.prerelease;
                release.draft = rel.draft;
                release.created_at = time;
                release.assets = release_assets(cli, &rel.version);
                repo.releases.push(release);
            }
        }
        repo
    }

    fn origin_toml_text(&self) -> String {
        let mut s = format!(
            "# skillrig origin\nconvention_version = 1\norigin = \"{}\"\nskills_dir = \"skills\"\n\
             cmd_dir = \"cmd\"\ntag_scheme = \"name-vSEMVER\"\n",
            self.full_name()
        );
        for cli in self
            .clis
            .iter()
            .filter(|c| c.described == Described::OriginToml)
        {
            let _ = write!(
                s,
                "\n[[binaries]]\nname = \"{name}\"\nstream = \"{stream}\"\nasset = \"{asset}\"\n",
                name = cli.name,
                stream = stream_rule(cli),
                asset = cli.asset_template.as_deref().unwrap_or_default(),
            );
            if let Some(c) = cli.checksums_name() {
                let _ = writeln!(s, "checksums = \"{c}\"");
            }
            if let Some(b) = &cli.bin_path {
                let _ = writeln!(s, "bin = \"{b}\"");
            }
        }
        s
    }

    fn index_json_text(&self) -> String {
        let skills: Vec<serde_json::Value> = {
            let mut sorted = self.skills.clone();
            sorted.sort_by(|a, b| a.name.cmp(&b.name));
            sorted
                .iter()
                .map(|s| {
                    let requires: Vec<serde_json::Value> = s
                        .requires
                        .iter()
                        .map(|(tool, version)| {
                            serde_json::json!({"tool": tool, "version": version,
                                               "source": self.full_name(), "manager": "mise"})
                        })
                        .collect();
                    serde_json::json!({
                        "name": s.name, "version": s.version, "namespace": "",
                        "description": format!("The {} skill.", s.name), "topics": null,
                        "path": format!("skills/{}", s.name),
                        "requires": if requires.is_empty() { serde_json::Value::Null } else { requires.into() },
                    })
                })
                .collect()
        };
        let mut index = serde_json::json!({
            "skillrigConvention": 1,
            "origin": self.full_name(),
            "skills": skills,
        });
        let binaries: Vec<serde_json::Value> = self
            .clis
            .iter()
            .filter(|c| c.described == Described::IndexJson)
            .map(|c| {
                serde_json::json!({
                    "name": c.name,
                    "stream": stream_rule(c),
                    "asset": c.asset_template,
                    "checksums": c.checksums_name(),
                    "bin": c.bin_path,
                })
            })
            .collect();
        if !binaries.is_empty() {
            index["binaries"] = binaries.into();
        }
        let mut text = serde_json::to_string_pretty(&index).expect("serializable");
        text.push('\n');
        text
    }
}

fn stream_rule(cli: &Cli) -> String {
    match cli.tags {
        TagStyle::BuildMetadata => format!("+{}", cli.name),
        TagStyle::Prefix => format!("{}-v", cli.name),
    }
}

fn skill_md(skill: &Skill, origin: &str) -> String {
    let mut s = format!(
        "---\nname: {name}\ndescription: The {name} skill.\nmetadata:\n  x-skillrig.version: \"{v}\"\n",
        name = skill.name,
        v = skill.version
    );
    if !skill.requires.is_empty() {
        s.push_str("  x-skillrig.requires:\n");
        for (tool, version) in &skill.requires {
            let _ = writeln!(
                s,
                "    - {{tool: {tool}, version: \"{version}\", source: {origin}, manager: mise}}"
            );
        }
    }
    let _ = write!(s, "---\n\n# {}\n\nUse the CLIs it requires.\n", skill.name);
    s
}

fn release_assets(cli: &Cli, version: &str) -> Vec<Asset> {
    let mut assets = Vec::new();
    let mut sums = String::new();
    for (os, arch) in &cli.platforms {
        let name = cli.asset_name(version, os, arch);
        let bytes = tar_gz(
            &cli.name,
            version,
            cli.bin_path.as_deref(),
            cli.payload_bytes,
        );
        let _ = writeln!(sums, "{}  {name}", sha256_hex(&bytes));
        let asset = Asset::new(&name, bytes);
        assets.push(if cli.digest {
            asset
        } else {
            asset.without_digest()
        });
    }
    if let Some(checksums) = cli.checksums_name() {
        let asset = Asset::new(&checksums, sums.into_bytes());
        assets.push(if cli.digest {
            asset
        } else {
            asset.without_digest()
        });
    }
    assets
}

/// The script each fake CLI runs: it prints `<bin> <version>`.
pub fn cli_script(bin: &str, version: &str) -> Vec<u8> {
    format!("#!/bin/sh\necho \"{bin} {version}\"\n").into_bytes()
}

/// A `.tar.gz` holding the CLI's executable (at `bin_path`, default `<bin>` at the root), a
/// README, and optionally `payload` bytes of incompressible data.
pub fn tar_gz(bin: &str, version: &str, bin_path: Option<&str>, payload: usize) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut add = |path: &str, mode: u32, data: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(mode);
        header.set_mtime(1_750_000_000);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, path, data)
            .expect("in-memory tar write");
    };
    add(bin_path.unwrap_or(bin), 0o755, &cli_script(bin, version));
    add(
        "README.md",
        0o644,
        format!("# {bin} {version}\n").as_bytes(),
    );
    if payload > 0 {
        add("payload.bin", 0o644, &incompressible(payload, bin));
    }
    let gz = tar.into_inner().expect("finish tar");
    gz.finish().expect("finish gzip")
}

/// Deterministic incompressible bytes (a sha256 counter stream).
pub fn incompressible(len: usize, seed: &str) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut out = Vec::with_capacity(len + 32);
    let mut counter = 0u64;
    while out.len() < len {
        let mut h = Sha256::new();
        h.update(seed.as_bytes());
        h.update(counter.to_le_bytes());
        out.extend_from_slice(&h.finalize());
        counter += 1;
    }
    out.truncate(len);
    out
}

/// The demo origin `acme/tools` used by the README demo, the e2e tests and the benchmarks:
/// five CLIs covering both stream styles, a `[[binaries]]`-only CLI, and a name with a `-`.
pub fn demo_origin() -> OriginBuilder {
    OriginBuilder::new("acme", "tools")
        .cli(
            Cli::new("jira")
                .versions(&["1.6.0", "1.7.0", "2.9.0", "2.10.0"])
                .prerelease("2.11.0-rc.1")
                .draft("3.0.0"),
        )
        .cli(Cli::new("tfc").versions(&["0.0.5", "0.0.6", "0.1.0"]))
        .cli(
            Cli::new("oxid")
                .prefix_tags()
                .versions(&["0.4.0", "0.5.0", "0.10.0"]),
        )
        .cli(
            Cli::new("kubelint")
                .versions(&["1.0.0", "1.1.0"])
                .described(
                    Described::OriginToml,
                    "kubelint-{version}-{os}-{arch}.tar.gz",
                    "kubelint-dist/bin/kubelint",
                ),
        )
        .cli(Cli::new("jira-cli").versions(&["0.3.0", "0.4.0"]))
        .skill(
            "deploy-check",
            "2.1.0",
            &[("jira", ">=1.7.0"), ("tfc", "0.0.6")],
        )
        .skill("release-notes", "0.3.0", &[("oxid", ">=0.5.0")])
}
