//! Golden tests: example files in the shapes skillrig writes (`tests/fixtures/`), parsed end
//! to end.

use origin_meta::{
    BinarySpec, ChecksumsFile, IndexSkill, OriginIndex, OriginToml, Platform, SkillManifest,
    SkillsLock, SpecSource, Stream, ToolAddress, ToolRequirement,
};
use semver::Version;
use sha2::{Digest, Sha256};

use crate::{UNIX, WINDOWS, fixture, fixture_path};

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

fn jira_requirement() -> ToolRequirement {
    ToolRequirement {
        tool: "jira".into(),
        version: ">=1.7.0".into(),
        source: "acme/tools".into(),
        manager: "mise".into(),
    }
}

#[test]
fn index_json_as_skillrig_index_writes_it() {
    let index = OriginIndex::parse(fixture("index.json").as_bytes()).unwrap();
    assert_eq!(index.convention(), Some(1));
    assert_eq!(index.origin(), Some("acme/tools"));
    assert!(index.warnings().is_empty(), "{:?}", index.warnings());
    assert!(index.binaries().is_empty());
    assert_eq!(
        index.skills(),
        [
            IndexSkill {
                name: "deploy-check".into(),
                version: "2.1.0".into(),
                namespace: "platform".into(),
                description: "Checks a deployment plan.".into(),
                topics: Some(vec!["deploy".into(), "ci".into()]),
                path: "skills/deploy-check".into(),
                requires: Some(vec![jira_requirement()]),
            },
            IndexSkill {
                name: "release-notes".into(),
                version: "0.3.0".into(),
                namespace: String::new(),
                description: "Drafts release notes.".into(),
                topics: None,
                path: "skills/release-notes".into(),
                requires: None,
            },
        ]
    );
    // A catalog requirement names a tool address and a constraint that can be checked.
    let requirement = &index.skills()[0].requires.as_ref().unwrap()[0];
    assert_eq!(
        requirement.address().unwrap().to_string(),
        "acme/tools/jira"
    );
    let constraint = requirement.constraint().unwrap();
    assert!(constraint.matches(&v("1.7.0")));
    assert!(!constraint.matches(&v("1.6.9")));
}

#[test]
fn legacy_index_reads_tags_as_topics() {
    let index = OriginIndex::parse(fixture("index-legacy.json").as_bytes()).unwrap();
    assert!(index.warnings().is_empty(), "{:?}", index.warnings());
    let skill = &index.skills()[0];
    assert_eq!(skill.topics.as_deref(), Some(&["example".to_owned()][..]));
    let requires = skill.requires.as_ref().unwrap();
    assert_eq!(requires[0].tool, "oxid");
    assert_eq!(requires[0].manager, "");
}

#[test]
fn template_origin_toml() {
    let toml = OriginToml::parse(&fixture("template.skillrig-origin.toml")).unwrap();
    assert_eq!(toml.convention(), Some(1));
    assert_eq!(toml.origin(), Some("my-org/my-skills"));
    assert_eq!(toml.skills_dir(), "skills");
    assert_eq!(toml.cmd_dir(), Some("cmd"));
    assert_eq!(toml.tag_scheme(), Some("name-vSEMVER"));
    assert!(toml.binaries().is_empty());
    assert!(toml.warnings().is_empty(), "{:?}", toml.warnings());
    let spec = BinarySpec::resolve("oxid", None, Some(&toml));
    assert_eq!(spec.source(), SpecSource::Convention);
    assert_eq!(*spec.stream(), Stream::convention("oxid"));
}

#[test]
fn rfc_binaries_block_in_toml() {
    let toml = OriginToml::parse(&fixture("rfc.skillrig-origin.toml")).unwrap();
    assert_eq!(
        toml.convention(),
        Some(1),
        "skillrig RFC 0001's spelling `skillrig-convention`"
    );
    assert!(toml.warnings().is_empty(), "{:?}", toml.warnings());
    let spec = BinarySpec::resolve("jira", None, Some(&toml));
    assert_eq!(spec.source(), SpecSource::OriginToml);
    assert_eq!(spec.source().to_string(), ".skillrig-origin.toml");
    assert_eq!(*spec.stream(), Stream::BuildMetadata("jira".into()));
    assert_eq!(spec.checksums(), ["jira_checksums.txt"]);
    assert_eq!(spec.bin_path(), Some("jira"));
    // `linux-x64` is stored under the RUNTIME spelling it means.
    assert_eq!(
        spec.platform_overrides().keys().collect::<Vec<_>>(),
        ["linux-amd64"]
    );
    let linux = Platform::from_mise("linux", "amd64", Some("gnu"));
    assert_eq!(
        spec.asset_candidates(&v("1.7.0"), &linux, UNIX),
        ["jira_1.7.0_linux_amd64.tar.gz"]
    );
    let sums = spec.checksums_candidates("jira_1.7.0_linux_amd64.tar.gz", "tools", &v("1.7.0"));
    assert_eq!(sums[0], "jira_checksums.txt");
    assert_eq!(
        sums.iter().filter(|s| *s == "jira_checksums.txt").count(),
        1
    );
}

#[test]
fn index_binaries_and_precedence() {
    let index = OriginIndex::parse(fixture("index-binaries.json").as_bytes()).unwrap();
    assert!(index.warnings().is_empty(), "{:?}", index.warnings());
    let mut toml_text = fixture("rfc.skillrig-origin.toml");
    // The TOML file also describes `tfc` and a different `jira`; index.json must win for jira.
    toml_text.push_str(
        "\n[[binaries]]\nname = \"jira\"\nstream = \"jira-v\"\n\n[[binaries]]\nname = \"tfc\"\nasset = \"tfc-{os}-{arch}{ext}\"\n",
    );
    let toml = OriginToml::parse(&toml_text).unwrap();
    assert_eq!(toml.warnings().len(), 1, "duplicate jira in the TOML file");

    let jira = BinarySpec::resolve("jira", Some(&index), Some(&toml));
    assert_eq!(jira.source(), SpecSource::IndexJson);
    assert_eq!(*jira.stream(), Stream::BuildMetadata("jira".into()));

    let oxid = BinarySpec::resolve("oxid", Some(&index), Some(&toml));
    assert_eq!(oxid.source(), SpecSource::IndexJson);
    assert_eq!(*oxid.stream(), Stream::Prefix("oxid-v".into()));
    assert!(oxid.asset_templates().is_empty());
    let mac = Platform::from_mise("darwin", "arm64", None);
    assert_eq!(
        oxid.asset_candidates(&v("0.5.0"), &mac, UNIX)[0],
        "oxid_0.5.0_darwin_arm64.tar.gz"
    );

    let tfc = BinarySpec::resolve("tfc", Some(&index), Some(&toml));
    assert_eq!(tfc.source(), SpecSource::OriginToml);
    assert_eq!(*tfc.stream(), Stream::convention("tfc"));
    let windows = Platform::from_mise("windows", "amd64", None);
    assert_eq!(
        tfc.asset_candidates(&v("0.0.6"), &windows, WINDOWS),
        [
            "tfc-windows-amd64.zip",
            "tfc-windows-amd64.tar.gz",
            "tfc-windows-amd64.tar.xz",
            "tfc-windows-amd64.tar.zst",
            "tfc-windows-amd64.exe",
            "tfc-windows-amd64",
        ]
    );

    let other = BinarySpec::resolve("other", Some(&index), Some(&toml));
    assert_eq!(other.source(), SpecSource::Convention);
    assert_eq!(
        BinarySpec::resolve("jira", None, None),
        BinarySpec::convention("jira")
    );
}

/// Parses `tags.txt` into `(tag, prerelease)` pairs in API order.
fn fixture_tags() -> Vec<(String, bool)> {
    fixture("tags.txt")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let mut words = line.split_whitespace();
            let tag = words.next().unwrap().to_owned();
            (tag, words.next() == Some("prerelease"))
        })
        .collect()
}

fn listed(stream: &Stream) -> Vec<(String, String, bool)> {
    stream
        .versions(fixture_tags())
        .iter()
        .map(|v| (v.to_string(), v.tag().to_owned(), v.is_prerelease()))
        .collect()
}

fn row(version: &str, tag: &str, pre: bool) -> (String, String, bool) {
    (version.to_owned(), tag.to_owned(), pre)
}

#[test]
fn monorepo_tags_split_into_streams() {
    assert_eq!(
        listed(&Stream::convention("jira")),
        [
            row("1.2.0-beta.1", "jira-v1.2.0-beta.1", true),
            row("1.6.0", "jira-1.6.0", false),
            row("1.7.0", "1.7.0+jira", false),
            row("1.7.1", "v1.7.1+jira", false),
            row("1.8.0-rc.1", "1.8.0-rc.1+jira", true),
            row("1.10.0", "1.10.0+jira", false),
        ]
    );
    assert_eq!(
        listed(&Stream::BuildMetadata("jira".into())),
        [
            row("1.7.0", "1.7.0+jira", false),
            row("1.7.1", "v1.7.1+jira", false),
            row("1.8.0-rc.1", "1.8.0-rc.1+jira", true),
            row("1.10.0", "1.10.0+jira", false),
        ]
    );
    assert_eq!(
        listed(&Stream::Prefix("jira-v".into())),
        [
            row("1.2.0-beta.1", "jira-v1.2.0-beta.1", true),
            row("1.7.0", "jira-v1.7.0", false),
        ]
    );
    assert_eq!(
        listed(&Stream::convention("jira-cli")),
        [row("1.0.0", "1.0.0+jira-cli", false)]
    );
    assert_eq!(
        listed(&Stream::convention("tfc")),
        [row("0.0.6", "0.0.6+tfc", false)]
    );
    assert_eq!(
        listed(&Stream::convention("oxid")),
        [row("0.5.0", "oxid-v0.5.0", false)]
    );
    // Skill tags look like prefix tags; only a binary of that name would claim them.
    assert!(listed(&Stream::convention("deploy")).is_empty());
}

#[test]
fn skills_lock_golden() {
    let lock = SkillsLock::parse(fixture("skills-lock.json").as_bytes()).unwrap();
    assert_eq!(lock.origin(), Some("acme/tools@main"));
    assert_eq!(lock.skills().len(), 1);
    let skill = lock.skill("deploy-check").unwrap();
    assert_eq!(skill.version, "deploy-check-v2.1.0");
    assert_eq!(skill.commit, "0123456789abcdef0123456789abcdef01234567");
    assert_eq!(skill.tree_sha, "89abcdef0123456789abcdef0123456789abcdef");
    assert_eq!(skill.path, ".agents/skills/deploy-check");
    let from_file = SkillsLock::from_path(&fixture_path("skills-lock.json")).unwrap();
    assert_eq!(from_file, lock);
    // The lock's origin is a valid origin value for bare tool names.
    let address = ToolAddress::parse("jira", lock.origin()).unwrap();
    assert_eq!(
        (address.to_string().as_str(), address.git_ref()),
        ("acme/tools/jira", Some("main"))
    );
}

#[test]
fn skill_manifests_golden() {
    let manifest = SkillManifest::from_path(&fixture_path("skills/deploy-check/SKILL.md")).unwrap();
    assert_eq!(
        manifest,
        SkillManifest {
            name: "deploy-check".into(),
            description: "Checks a deployment plan.".into(),
            version: "2.1.0".into(),
            namespace: "platform".into(),
            convention_version: "1".into(),
            topics: Some(vec!["deploy".into(), "ci".into()]),
            requires: vec![jira_requirement()],
        }
    );
    let notes = SkillManifest::from_path(&fixture_path("skills/release-notes/SKILL.md")).unwrap();
    assert_eq!(notes.version, "0.3.0", "unquoted 1.2.3 is a YAML string");
    assert_eq!(notes.topics, None);
    assert!(notes.requires.is_empty());
}

fn asset_digest(name: &str) -> String {
    let bytes = std::fs::read(fixture_path(&format!("checksums/assets/{name}"))).unwrap();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const ASSETS: [&str; 3] = [
    "jira_1.7.0_darwin_arm64.tar.gz",
    "jira_1.7.0_linux_amd64.tar.gz",
    "jira_1.7.0_windows_amd64.zip",
];

#[test]
fn checksums_files_written_by_real_tools() {
    // sha256sum, sha256sum -b, shasum -a 256 --tag, openssl dgst -sha256, sha256sum ./assets/*
    let mut texts: Vec<(String, String)> = [
        "sha256sum.txt",
        "sha256sum-binary.txt",
        "shasum-tag.txt",
        "openssl-dgst.txt",
        "sha256sum-paths.txt",
    ]
    .iter()
    .map(|name| (name.to_string(), fixture(&format!("checksums/{name}"))))
    .collect();
    let gnu = fixture("checksums/sha256sum.txt");
    texts.push(("crlf".into(), gnu.replace('\n', "\r\n")));
    texts.push(("uppercase".into(), {
        gnu.lines()
            .map(|line| {
                let (hex, rest) = line.split_at(64);
                format!("{}{rest}\n", hex.to_ascii_uppercase())
            })
            .collect()
    }));
    for (name, text) in &texts {
        let file = ChecksumsFile::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(file.entries().len(), 3, "{name}");
        for asset in ASSETS {
            assert_eq!(
                file.lookup(asset),
                Some(asset_digest(asset).as_str()),
                "{name}: {asset}"
            );
        }
        assert_eq!(file.lookup("jira_1.7.0_linux_arm64.tar.gz"), None, "{name}");
    }
    for single in [
        "checksums/jira_1.7.0_linux_amd64.tar.gz.sha256",
        "checksums/bare.sha256",
    ] {
        let file = ChecksumsFile::parse(&fixture(single)).unwrap();
        assert_eq!(
            file.lookup("jira_1.7.0_linux_amd64.tar.gz"),
            Some(asset_digest("jira_1.7.0_linux_amd64.tar.gz").as_str()),
            "{single}"
        );
    }
}
