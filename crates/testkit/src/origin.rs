//! Builds skillrig origins: one repository holding skills and several CLIs, each released on
//! its own version stream with real `.tar.gz` assets, per-tool checksums files, GitHub asset
//! digests, and optional `.skillrig-origin.toml` / `index.json` metadata.
//!
//! Each CLI's archive holds an executable shell script that prints `<bin> <version>`, so an end
//! to end test can run what it installed and see which stream and version it got.
//!
//! # Git-backed origins
//!
//! By default an origin is plain data: files on the default branch and tags pointing at
//! made-up commit ids, which is all listing and installing need. [`OriginBuilder::git_backed`]
//! materialises it as a real git repository instead (see [`crate::git`]), for provenance
//! tests:
//!
//! 1. one root commit on `main` with every file (skills, metadata, `cmd/<cli>/main.go`);
//! 2. one commit per release, in release order, writing `cmd/<cli>/VERSION`, tagged with the
//!    release's tag (lightweight, or annotated with [`OriginBuilder::annotated_tags`]).
//!    Releases are cut from `main` unless the CLI says otherwise ([`CutFrom`]): a side branch
//!    forked from `main`'s tip at that moment, or an orphan commit that holds the same files
//!    but shares no history with `main`;
//! 3. a last commit on `main` editing each skill named by
//!    [`OriginBuilder::revise_skill_after_releases`], so the skill's tree at `main` differs
//!    from its tree at every release commit.
//!
//! Commit times are the releases' `created_at`, and git runs without user configuration, so
//! commit ids are the same on every run.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::git::{FastImport, FileChange, GitRepo};
use crate::model::{Asset, Release, Repo, Tag, sha256_hex};

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

/// Where a release's commit comes from, in a git-backed origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CutFrom {
    /// A commit on the default branch (the normal case).
    #[default]
    DefaultBranch,
    /// A commit on a side branch forked from the default branch's tip at release time: once
    /// the default branch moves on, the two have diverged.
    SideBranch,
    /// A root commit on an orphan branch: same files, no shared history with the default
    /// branch (a release cut from an unrelated repository or a rewritten history).
    Orphan,
}

/// One release of a CLI.
#[derive(Debug, Clone)]
pub struct CliRelease {
    /// SemVer version without build metadata, e.g. `1.7.0` or `2.0.0-rc.1`.
    pub version: String,
    /// GitHub's prerelease flag.
    pub prerelease: bool,
    /// Unpublished draft.
    pub draft: bool,
    /// Which history the release's commit belongs to (git-backed origins only).
    pub cut_from: CutFrom,
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
                cut_from: CutFrom::DefaultBranch,
            });
        }
        self
    }

    /// Adds a published release cut from `from` instead of the default branch (meaningful in
    /// git-backed origins; otherwise a normal release).
    pub fn cut_from(mut self, version: &str, from: CutFrom) -> Cli {
        self.releases.push(CliRelease {
            version: version.to_owned(),
            prerelease: false,
            draft: false,
            cut_from: from,
        });
        self
    }

    /// Adds a release flagged as a prerelease on GitHub.
    pub fn prerelease(mut self, version: &str) -> Cli {
        self.releases.push(CliRelease {
            version: version.to_owned(),
            prerelease: true,
            draft: false,
            cut_from: CutFrom::DefaultBranch,
        });
        self
    }

    /// Adds a draft release.
    pub fn draft(mut self, version: &str) -> Cli {
        self.releases.push(CliRelease {
            version: version.to_owned(),
            prerelease: false,
            draft: true,
            cut_from: CutFrom::DefaultBranch,
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
    git: bool,
    annotated_tags: bool,
    revised_skills: Vec<String>,
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
            git: false,
            annotated_tags: false,
            revised_skills: Vec::new(),
        }
    }

    /// Materialises the origin as a real git repository (see the module docs): commits,
    /// tags on them, and the git endpoints served from it.
    pub fn git_backed(mut self) -> OriginBuilder {
        self.git = true;
        self
    }

    /// Makes release tags annotated tag objects (implies [`OriginBuilder::git_backed`]).
    pub fn annotated_tags(mut self) -> OriginBuilder {
        self.git = true;
        self.annotated_tags = true;
        self
    }

    /// After all releases, commits an edit to `skills/<skill>/SKILL.md` on the default branch
    /// (git-backed origins only), so the skill's tree there differs from every release's.
    pub fn revise_skill_after_releases(mut self, skill: &str) -> OriginBuilder {
        self.revised_skills.push(skill.to_owned());
        self
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

    /// Builds the repository: files, tags, releases and assets (and, for a git-backed origin,
    /// its git history).
    ///
    /// # Panics
    ///
    /// For a git-backed origin, if `git` is missing or the history cannot be written.
    pub fn build(&self) -> Repo {
        let mut repo = Repo::new(&self.owner, &self.name, self.private);
        let files = self.files();

        // Interleave the CLIs' release histories in time, so listings mix streams the way a
        // busy monorepo does: round k holds every CLI's k-th release.
        let mut time = self.start_time;
        let rounds = self
            .clis
            .iter()
            .map(|c| c.releases.len())
            .max()
            .unwrap_or(0);
        let mut cut = Vec::new();
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
                cut.push(Cut {
                    cli: &cli.name,
                    version: &rel.version,
                    tag,
                    time,
                    from: rel.cut_from,
                });
            }
        }

        if self.git {
            let git = self.materialise(&repo.default_branch, &files, &cut, time + 3600);
            let commits: BTreeMap<String, String> = git.tags().into_iter().collect();
            repo.tags = cut
                .iter()
                .map(|c| Tag {
                    commit_sha: commits[&c.tag].clone(),
                    name: c.tag.clone(),
                })
                .collect();
            repo.git = Some(git);
        } else {
            for (path, bytes) in files {
                repo.put_file(&path, bytes);
            }
        }
        repo
    }

    /// Every file on the default branch before any release.
    fn files(&self) -> BTreeMap<String, Vec<u8>> {
        let origin = self.full_name();
        let mut files = BTreeMap::new();
        for skill in &self.skills {
            files.insert(
                format!("skills/{}/SKILL.md", skill.name),
                skill_md(skill, &origin).into_bytes(),
            );
        }
        if self.origin_toml {
            files.insert(
                ".skillrig-origin.toml".to_owned(),
                self.origin_toml_text().into_bytes(),
            );
        }
        if self.index_json {
            files.insert("index.json".to_owned(), self.index_json_text().into_bytes());
        }
        for cli in &self.clis {
            files.insert(
                format!("cmd/{}/main.go", cli.name),
                format!("package main\n\n// {} CLI\nfunc main() {{}}\n", cli.name).into_bytes(),
            );
        }
        files
    }

    /// Writes the history described in the module docs with one `git fast-import`.
    fn materialise(
        &self,
        branch: &str,
        files: &BTreeMap<String, Vec<u8>>,
        cut: &[Cut<'_>],
        end_time: u64,
    ) -> GitRepo {
        let git = GitRepo::init(branch);
        let mut stream = FastImport::new();
        let all: Vec<FileChange<'_>> = files
            .iter()
            .map(|(path, bytes)| FileChange {
                path,
                bytes,
                executable: false,
            })
            .collect();
        let mut tip = stream.commit(branch, None, self.start_time, "Initial origin\n", &all);
        // VERSION files written on the default branch so far; orphan commits copy them.
        let mut versions: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for (n, c) in cut.iter().enumerate() {
            let path = format!("cmd/{}/VERSION", c.cli);
            let bytes = format!("{}\n", c.version).into_bytes();
            let message = format!("Release {}\n", c.tag);
            let change = FileChange {
                path: &path,
                bytes: &bytes,
                executable: false,
            };
            let mark = match c.from {
                CutFrom::DefaultBranch => {
                    tip = stream.commit(branch, None, c.time, &message, &[change]);
                    versions.insert(path.clone(), bytes.clone());
                    tip
                }
                CutFrom::SideBranch => {
                    stream.commit(&format!("side/{n}"), Some(tip), c.time, &message, &[change])
                }
                CutFrom::Orphan => {
                    let mut changes: Vec<FileChange<'_>> = all
                        .iter()
                        .copied()
                        .chain(versions.iter().map(|(p, b)| FileChange {
                            path: p,
                            bytes: b,
                            executable: false,
                        }))
                        .collect();
                    changes.push(change);
                    stream.commit(&format!("orphan/{n}"), None, c.time, &message, &changes)
                }
            };
            if self.annotated_tags {
                stream.annotated_tag(&c.tag, mark, c.time);
            } else {
                stream.lightweight_tag(&c.tag, mark);
            }
        }
        let revised: Vec<(String, Vec<u8>)> = self
            .revised_skills
            .iter()
            .map(|name| {
                let path = format!("skills/{name}/SKILL.md");
                let mut bytes = files
                    .get(&path)
                    .unwrap_or_else(|| panic!("no skill `{name}` to revise"))
                    .clone();
                bytes.extend_from_slice(b"\nRevised after the last release.\n");
                (path, bytes)
            })
            .collect();
        if !revised.is_empty() {
            let changes: Vec<FileChange<'_>> = revised
                .iter()
                .map(|(path, bytes)| FileChange {
                    path,
                    bytes,
                    executable: false,
                })
                .collect();
            stream.commit(branch, None, end_time, "Revise skills\n", &changes);
        }
        git.fast_import(&stream.finish())
            .unwrap_or_else(|e| panic!("writing the origin's git history: {e}"));
        git
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

/// One release's commit to write.
struct Cut<'a> {
    cli: &'a str,
    version: &'a str,
    tag: String,
    time: u64,
    from: CutFrom,
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
        // Each platform's archive differs (its README names the platform), as real builds do:
        // one digest per asset, so per-digest lookups are counted as on GitHub.
        let bytes = archive(
            &cli.name,
            version,
            cli.bin_path.as_deref(),
            cli.payload_bytes,
            &format!("built for {os}/{arch}\n"),
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
    archive(bin, version, bin_path, payload, "")
}

/// [`tar_gz`] with `note` appended to the README.
fn archive(
    bin: &str,
    version: &str,
    bin_path: Option<&str>,
    payload: usize,
    note: &str,
) -> Vec<u8> {
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
        format!("# {bin} {version}\n{note}").as_bytes(),
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

/// The demo origin `acme/tools` used by the e2e tests and most others: five CLIs covering both
/// stream styles, a `[[binaries]]`-only CLI, and a name with a `-`. Plain data (no git history);
/// the README demo and the benchmarks serve [`demo_origin_with_history`].
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

/// The skills of the demo origin, in the order a demo project vendors them.
pub const DEMO_SKILLS: &[&str] = &["deploy-check", "release-notes"];

/// The demo origin as `testkit serve --demo` serves it: [`demo_origin`] materialised as a real
/// git repository (see the module docs), so releases point at real commits and a project that
/// vendored its skills ([`vendor_demo_skills`]) passes `skillrig-mise verify`.
///
/// Tests keep the plain [`demo_origin`]: every build of this one writes a git repository
/// (about 0.1 s against 4 ms) and every contents request then runs `git`, which made the
/// workspace's tests a third slower (43 s to 61 s on the 2-core build machine) when
/// `demo_origin` itself was git-backed; and tests that edit the plain origin's files per ref
/// (`Repo::put_file_at`) would see their edits ignored.
pub fn demo_origin_with_history() -> OriginBuilder {
    demo_origin().git_backed()
}

/// Vendors [`DEMO_SKILLS`] into the consumer project `project` the way `skillrig add` does
/// (see [`GitRepo::vendor`]): `.agents/skills/<skill>/` and `.skillrig/skills-lock.json` locked
/// to `main` of `acme/tools@main`. This is `testkit vendor`.
///
/// It builds [`demo_origin_with_history`] afresh: the history is deterministic (fixed commit
/// times, no user configuration), so the locked commits and trees are the ones any
/// `testkit serve --demo` serves.
///
/// # Panics
///
/// If `git` is missing or a file cannot be written (see [`GitRepo::vendor`]).
pub fn vendor_demo_skills(project: &std::path::Path) {
    let origin = demo_origin_with_history();
    let repo = origin.build();
    let git = repo.git.expect("a git-backed origin has a repository");
    let locked = format!("{}@main", origin.full_name());
    git.vendor(project, &locked, "main", DEMO_SKILLS);
}

/// The provenance origin `acme/prov` (git-backed), for tests of tags, commits, compare and
/// trees. History of `main`: c1 initial, c2 jira 1.0.0, c3 tfc 0.1.0, c4 jira 1.1.0, c5 tfc
/// 0.2.0, c6 revising the skill `deploy-check`; jira 1.2.0 is cut from a side branch forked at
/// c5 and jira 6.6.6 from an orphan commit (same files, no shared history).
pub fn provenance_origin() -> OriginBuilder {
    OriginBuilder::new("acme", "prov")
        .cli(
            Cli::new("jira")
                .platforms(&[("linux", "amd64")])
                .versions(&["1.0.0", "1.1.0"])
                .cut_from("1.2.0", CutFrom::SideBranch)
                .cut_from("6.6.6", CutFrom::Orphan),
        )
        .cli(
            Cli::new("tfc")
                .platforms(&[("linux", "amd64")])
                .versions(&["0.1.0", "0.2.0"]),
        )
        .skill("deploy-check", "2.1.0", &[("jira", ">=1.0.0")])
        .revise_skill_after_releases("deploy-check")
        .git_backed()
}
