//! How one binary is released: the merged view of origin metadata and the convention.
//!
//! [`BinarySpec::resolve`] applies the precedence `index.json` `binaries` →
//! `.skillrig-origin.toml` `[[binaries]]` → convention. The first source that has an entry
//! for the binary supplies the *whole* spec (fields are not merged across sources:
//! `index.json` is generated from the TOML file, so a partial mix would describe neither);
//! fields that entry leaves out take the convention's value.
//!
//! Asset names follow goreleaser's default `<bin>_<version>_<os>_<arch>` plus an archive
//! extension; `<version>` is the SemVer core with prerelease, no `v`, no build metadata. An
//! entry's `asset` templates replace the convention names and may use `{name}`, `{version}`,
//! `{os}`, `{arch}` and `{ext}`.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use semver::{BuildMetadata, Version};

use crate::attestation::AttestationPolicy;
use crate::entry::{AssetTemplate, BinaryEntry, PlatformOverride, TemplateError};
use crate::metadata::{OriginIndex, OriginToml};
use crate::platform::Platform;
use crate::stream::Stream;

/// Where a [`BinarySpec`] came from, for logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpecSource {
    /// A `binaries` entry in the origin's `index.json`.
    IndexJson,
    /// A `[[binaries]]` entry in the origin's `.skillrig-origin.toml`.
    OriginToml,
    /// No metadata named the binary: the release convention.
    Convention,
}

impl fmt::Display for SpecSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SpecSource::IndexJson => "index.json",
            SpecSource::OriginToml => ".skillrig-origin.toml",
            SpecSource::Convention => "the release convention",
        })
    }
}

/// The OS and architecture tokens used in asset names for one platform, after overrides.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PlatformTokens {
    /// OS token, e.g. `linux`.
    pub os: String,
    /// Architecture token, e.g. `amd64`.
    pub arch: String,
}

/// Everything needed to find, verify and unpack one binary's release assets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BinarySpec {
    name: String,
    stream: Stream,
    assets: Vec<AssetTemplate>,
    checksums: Vec<String>,
    bin_path: Option<String>,
    platforms: BTreeMap<String, PlatformOverride>,
    attestations: Option<AttestationPolicy>,
    signer_workflow: Option<String>,
    source: SpecSource,
}

impl BinarySpec {
    /// The spec for `bin`: `index.json`'s entry, else the TOML file's, else the convention.
    ///
    /// Never fails: a missing entry (or missing metadata) means the convention.
    pub fn resolve(
        bin: &str,
        index: Option<&OriginIndex>,
        toml: Option<&OriginToml>,
    ) -> BinarySpec {
        if let Some(entry) = index.and_then(|index| index.binary(bin)) {
            return BinarySpec::from_entry(entry, SpecSource::IndexJson);
        }
        if let Some(entry) = toml.and_then(|toml| toml.binary(bin)) {
            return BinarySpec::from_entry(entry, SpecSource::OriginToml);
        }
        BinarySpec::convention(bin)
    }

    /// The convention spec: convention stream, goreleaser asset names, no overrides.
    pub fn convention(bin: &str) -> BinarySpec {
        BinarySpec {
            name: bin.to_owned(),
            stream: Stream::convention(bin),
            assets: Vec::new(),
            checksums: Vec::new(),
            bin_path: None,
            platforms: BTreeMap::new(),
            attestations: None,
            signer_workflow: None,
            source: SpecSource::Convention,
        }
    }

    /// Applies a consumer's per-tool options on top of the origin's description: an `asset`
    /// template replaces the asset names, `bin` the path inside the archive, and `checksums`
    /// is tried before any other checksums name. The stream is never overridden: it is what
    /// makes the tool this binary.
    pub fn with_overrides(
        mut self,
        asset: Option<&str>,
        bin: Option<String>,
        checksums: Option<String>,
    ) -> Result<BinarySpec, TemplateError> {
        if let Some(template) = asset {
            self.assets = vec![AssetTemplate::parse(template)?];
        }
        if let Some(bin) = bin {
            self.bin_path = Some(bin);
        }
        if let Some(name) = checksums {
            self.checksums.retain(|c| c != &name);
            self.checksums.insert(0, name);
        }
        Ok(self)
    }

    /// A spec from one metadata entry; missing fields take the convention's value.
    pub fn from_entry(entry: &BinaryEntry, source: SpecSource) -> BinarySpec {
        BinarySpec {
            name: entry.name().to_owned(),
            stream: entry
                .stream()
                .cloned()
                .unwrap_or_else(|| Stream::convention(entry.name())),
            assets: entry.assets().to_vec(),
            checksums: entry.checksums().to_vec(),
            bin_path: entry.bin().map(str::to_owned),
            platforms: entry.platforms().clone(),
            attestations: entry.attestations(),
            signer_workflow: entry.signer_workflow().map(str::to_owned),
            source,
        }
    }

    /// The binary name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The rule that selects this binary's tags.
    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    /// Asset templates from metadata; empty means the convention's names.
    pub fn asset_templates(&self) -> &[AssetTemplate] {
        &self.assets
    }

    /// Checksums asset names from metadata, tried before the convention's.
    pub fn checksums(&self) -> &[String] {
        &self.checksums
    }

    /// The executable's path inside the archive, if metadata names it.
    pub fn bin_path(&self) -> Option<&str> {
        self.bin_path.as_deref()
    }

    /// Per-platform token overrides, keyed by normalised `<os>-<arch>` (e.g. `linux-amd64`).
    pub fn platform_overrides(&self) -> &BTreeMap<String, PlatformOverride> {
        &self.platforms
    }

    /// The attestation policy the origin's metadata names for this binary, if any (a tool
    /// option and `hosts.toml` are weighed against it by the caller).
    pub fn attestations(&self) -> Option<AttestationPolicy> {
        self.attestations
    }

    /// The signer-workflow pattern the origin's metadata names for this binary, if any.
    pub fn signer_workflow(&self) -> Option<&str> {
        self.signer_workflow.as_deref()
    }

    /// Where this spec came from.
    pub fn source(&self) -> SpecSource {
        self.source
    }

    /// The OS and architecture tokens for `platform`, with this binary's overrides applied.
    pub fn platform_tokens(&self, platform: &Platform) -> PlatformTokens {
        let found = self.platforms.get(&platform.key());
        PlatformTokens {
            os: found
                .and_then(|o| o.os.clone())
                .unwrap_or_else(|| platform.os().to_owned()),
            arch: found
                .and_then(|o| o.arch.clone())
                .unwrap_or_else(|| platform.arch().to_owned()),
        }
    }

    /// Candidate asset names for `version` on `platform`, most preferred first, no duplicates.
    ///
    /// `extensions` are the archive suffixes the caller can unpack, dotted and in preference
    /// order, with `""` for a raw binary: e.g. `[".tar.gz", ".tar.xz", ".zip", ""]`, or on
    /// Windows `[".zip", ".tar.gz", ".exe", ""]`. The list belongs to whoever extracts the
    /// archives, so this crate keeps none of its own.
    ///
    /// Convention: `<bin>_<ver>_<os>_<arch>` followed by each extension. On `armv7` without an
    /// arch override, goreleaser's default `armv6` names follow, since ARMv7 runs ARMv6
    /// binaries and goreleaser builds `GOARM=6` unless told otherwise. With metadata
    /// templates: each template in order; one with `{ext}` expands once per extension, a
    /// `.{ext}` written after a dot takes the suffix without its dot and skips `""`.
    pub fn asset_candidates(
        &self,
        version: &Version,
        platform: &Platform,
        extensions: &[&str],
    ) -> Vec<String> {
        let tokens = self.platform_tokens(platform);
        let version = goreleaser_version(version);
        let mut arches = vec![tokens.arch.clone()];
        let overridden = self
            .platforms
            .get(&platform.key())
            .is_some_and(|o| o.arch.is_some());
        if tokens.arch == "armv7" && !overridden {
            arches.push("armv6".to_owned());
        }
        let mut out = Vec::new();
        for arch in &arches {
            if self.assets.is_empty() {
                let base = format!("{}_{version}_{}_{arch}", self.name, tokens.os);
                for ext in extensions {
                    out.push(format!("{base}{ext}"));
                }
                continue;
            }
            for template in &self.assets {
                if !template.has_ext() {
                    out.push(template.expand(&self.name, &version, &tokens.os, arch, ""));
                    continue;
                }
                let dotted = template.dotted_ext();
                for ext in extensions {
                    let ext = if dotted {
                        match ext.strip_prefix('.').unwrap_or(ext) {
                            "" => continue,
                            bare => bare,
                        }
                    } else {
                        ext
                    };
                    out.push(template.expand(&self.name, &version, &tokens.os, arch, ext));
                }
            }
        }
        dedup(out)
    }

    /// Candidate checksums asset names for `asset`, most preferred first, no duplicates.
    ///
    /// Metadata `checksums` first, then `<bin>_checksums.txt` (per tool, what the published
    /// plugin requires), `<project>_checksums.txt` (the template's goreleaser config),
    /// `<project>_<version>_checksums.txt` (goreleaser's default name), `checksums.txt`,
    /// `SHA256SUMS`, and `<asset>.sha256` (goreleaser's `split` mode). `project` is the
    /// goreleaser project name, which defaults to the repository name.
    pub fn checksums_candidates(
        &self,
        asset: &str,
        project: &str,
        version: &Version,
    ) -> Vec<String> {
        let version = goreleaser_version(version);
        let mut out = self.checksums.clone();
        out.extend([
            format!("{}_checksums.txt", self.name),
            format!("{project}_checksums.txt"),
            format!("{project}_{version}_checksums.txt"),
            "checksums.txt".to_owned(),
            "SHA256SUMS".to_owned(),
            format!("{asset}.sha256"),
        ]);
        dedup(out)
    }
}

/// goreleaser's `.Version`: the clean SemVer, prerelease kept, build metadata dropped.
fn goreleaser_version(version: &Version) -> String {
    let mut version = version.clone();
    version.build = BuildMetadata::EMPTY;
    version.to_string()
}

/// Drops repeated names, keeping the first of each (linear: templates come from metadata, so
/// the list can be long).
fn dedup(mut items: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::with_capacity(items.len());
    items.retain(|item| seen.insert(item.clone()));
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    /// What the installer passed before the list moved to it, per platform.
    const UNIX: &[&str] = &[".tar.gz", ".tar.xz", ".tar.zst", ".zip", ""];
    const WINDOWS: &[&str] = &[".zip", ".tar.gz", ".tar.xz", ".tar.zst", ".exe", ""];

    #[test]
    fn convention_assets_linux_and_windows() {
        let spec = BinarySpec::convention("jira");
        let linux = Platform::from_mise("linux", "amd64", Some("gnu"));
        assert_eq!(
            spec.asset_candidates(&v("1.7.0"), &linux, UNIX),
            [
                "jira_1.7.0_linux_amd64.tar.gz",
                "jira_1.7.0_linux_amd64.tar.xz",
                "jira_1.7.0_linux_amd64.tar.zst",
                "jira_1.7.0_linux_amd64.zip",
                "jira_1.7.0_linux_amd64",
            ]
        );
        let windows = Platform::from_mise("windows", "x86", None);
        assert_eq!(
            spec.asset_candidates(&v("2.0.0-rc.1"), &windows, WINDOWS),
            [
                "jira_2.0.0-rc.1_windows_386.zip",
                "jira_2.0.0-rc.1_windows_386.tar.gz",
                "jira_2.0.0-rc.1_windows_386.tar.xz",
                "jira_2.0.0-rc.1_windows_386.tar.zst",
                "jira_2.0.0-rc.1_windows_386.exe",
                "jira_2.0.0-rc.1_windows_386",
            ]
        );
    }

    #[test]
    fn extensions_come_from_the_caller() {
        // A `.tar.bz2`-only release (issue #17.11): the installer's list names it, so the
        // asset is among the candidates.
        let all = [
            ".tar.gz", ".tar.xz", ".tar.zst", ".tar.bz2", ".tgz", ".zip", ".gz", ".xz", ".zst",
            ".bz2", "",
        ];
        let spec = BinarySpec::convention("jira");
        let linux = Platform::from_mise("linux", "amd64", None);
        let got = spec.asset_candidates(&v("1.7.0"), &linux, &all);
        assert_eq!(got.len(), all.len());
        assert_eq!(got[3], "jira_1.7.0_linux_amd64.tar.bz2");
        assert_eq!(got[10], "jira_1.7.0_linux_amd64");
        // `{ext}` takes each suffix and the raw `""`; `.{ext}` takes them without the dot
        // and skips `""`; a template without `{ext}` is used once.
        let mut spec = BinarySpec::convention("jira");
        spec.assets = vec![
            AssetTemplate::parse("{name}.{ext}").unwrap(),
            AssetTemplate::parse("{name}-{os}{ext}").unwrap(),
            AssetTemplate::parse("{name}.zip").unwrap(),
        ];
        assert_eq!(
            spec.asset_candidates(&v("1.7.0"), &linux, &[".tar.bz2", ".tgz", ""]),
            [
                "jira.tar.bz2",
                "jira.tgz",
                "jira-linux.tar.bz2",
                "jira-linux.tgz",
                "jira-linux",
                "jira.zip"
            ]
        );
        assert_eq!(
            spec.asset_candidates(&v("1.7.0"), &linux, &[]),
            ["jira.zip"]
        );
        // The armv6 fallback follows with the same list.
        let arm = Platform::from_mise("linux", "armv7", None);
        assert_eq!(
            BinarySpec::convention("t").asset_candidates(&v("1.0.0"), &arm, &[".tar.bz2"]),
            ["t_1.0.0_linux_armv7.tar.bz2", "t_1.0.0_linux_armv6.tar.bz2"]
        );
    }

    #[test]
    fn attestation_settings_come_from_the_entry_that_supplies_the_spec() {
        let toml = OriginToml::parse(
            "[[binaries]]\nname = \"jira\"\nattestations = \"required\"\n\
             signer_workflow = \"acme/tools/.github/workflows/release.yml@refs/tags/*\"\n\
             [[binaries]]\nname = \"tfc\"\n",
        )
        .unwrap();
        let jira = BinarySpec::resolve("jira", None, Some(&toml));
        assert_eq!(jira.attestations(), Some(AttestationPolicy::Required));
        assert_eq!(
            jira.signer_workflow(),
            Some("acme/tools/.github/workflows/release.yml@refs/tags/*")
        );
        let tfc = BinarySpec::resolve("tfc", None, Some(&toml));
        assert_eq!((tfc.attestations(), tfc.signer_workflow()), (None, None));
        // index.json's entry is the whole spec: the TOML file's policy does not leak into it.
        let index =
            OriginIndex::parse(br#"{"binaries": [{"name": "jira", "attestations": "off"}]}"#)
                .unwrap();
        let jira = BinarySpec::resolve("jira", Some(&index), Some(&toml));
        assert_eq!(jira.attestations(), Some(AttestationPolicy::Off));
        assert_eq!(jira.signer_workflow(), None);
        assert_eq!(BinarySpec::convention("x").attestations(), None);
    }

    #[test]
    fn armv7_falls_back_to_goreleaser_armv6() {
        let spec = BinarySpec::convention("t");
        let arm = Platform::from_mise("linux", "arm", Some("gnu"));
        let got = spec.asset_candidates(&v("1.0.0"), &arm, UNIX);
        assert_eq!(got.len(), 10);
        assert_eq!(got[0], "t_1.0.0_linux_armv7.tar.gz");
        assert_eq!(got[5], "t_1.0.0_linux_armv6.tar.gz");
    }

    #[test]
    fn version_never_carries_build_metadata() {
        let spec = BinarySpec::convention("jira");
        let linux = Platform::from_mise("linux", "arm64", None);
        let got = spec.asset_candidates(&v("1.7.0+jira"), &linux, UNIX);
        assert_eq!(got[0], "jira_1.7.0_linux_arm64.tar.gz");
        let sums = spec.checksums_candidates(&got[0], "tools", &v("1.7.0-rc.1+jira"));
        assert_eq!(sums[2], "tools_1.7.0-rc.1_checksums.txt");
    }

    #[test]
    fn templates_expand_in_order() {
        let mut spec = BinarySpec::convention("jira");
        spec.assets = vec![
            AssetTemplate::parse("{name}-{version}-{os}-{arch}.{ext}").unwrap(),
            AssetTemplate::parse("{name}_{os}_{arch}{ext}").unwrap(),
            AssetTemplate::parse("jira_{version}_{os}_{arch}.tar.gz").unwrap(),
            AssetTemplate::parse("lit{{eral}}").unwrap(),
        ];
        let linux = Platform::from_mise("linux", "amd64", None);
        assert_eq!(
            spec.asset_candidates(&v("1.0.0"), &linux, UNIX),
            [
                "jira-1.0.0-linux-amd64.tar.gz",
                "jira-1.0.0-linux-amd64.tar.xz",
                "jira-1.0.0-linux-amd64.tar.zst",
                "jira-1.0.0-linux-amd64.zip",
                "jira_linux_amd64.tar.gz",
                "jira_linux_amd64.tar.xz",
                "jira_linux_amd64.tar.zst",
                "jira_linux_amd64.zip",
                "jira_linux_amd64",
                "jira_1.0.0_linux_amd64.tar.gz",
                "lit{eral}",
            ]
        );
        let windows = Platform::from_mise("windows", "amd64", None);
        let got = spec.asset_candidates(&v("1.0.0"), &windows, WINDOWS);
        assert_eq!(got[0], "jira-1.0.0-windows-amd64.zip");
        assert_eq!(got[4], "jira-1.0.0-windows-amd64.exe");
        assert_eq!(got[5], "jira_windows_amd64.zip");
        assert_eq!(got[9], "jira_windows_amd64.exe");
        assert_eq!(got[10], "jira_windows_amd64");
    }

    #[test]
    fn overrides_replace_tokens() {
        let mut spec = BinarySpec::convention("jira");
        spec.platforms.insert(
            "linux-amd64".into(),
            PlatformOverride {
                os: Some("Linux".into()),
                arch: Some("x86_64".into()),
            },
        );
        spec.platforms.insert(
            "linux-armv7".into(),
            PlatformOverride {
                os: None,
                arch: Some("arm".into()),
            },
        );
        let linux = Platform::from_mise("linux", "amd64", None);
        assert_eq!(
            spec.platform_tokens(&linux),
            PlatformTokens {
                os: "Linux".into(),
                arch: "x86_64".into()
            }
        );
        assert_eq!(
            spec.asset_candidates(&v("1.0.0"), &linux, UNIX)[0],
            "jira_1.0.0_Linux_x86_64.tar.gz"
        );
        // An arch override disables the armv6 fallback.
        let arm = Platform::from_mise("linux", "arm", None);
        let got = spec.asset_candidates(&v("1.0.0"), &arm, UNIX);
        assert_eq!(got.len(), 5);
        assert_eq!(got[0], "jira_1.0.0_linux_arm.tar.gz");
        // Other platforms are untouched.
        let mac = Platform::from_mise("darwin", "arm64", None);
        assert_eq!(
            spec.asset_candidates(&v("1.0.0"), &mac, UNIX)[0],
            "jira_1.0.0_darwin_arm64.tar.gz"
        );
    }

    #[test]
    fn checksums_candidates_in_issue_order() {
        let spec = BinarySpec::convention("jira");
        let asset = "jira_1.7.0_linux_amd64.tar.gz";
        assert_eq!(
            spec.checksums_candidates(asset, "tools", &v("1.7.0")),
            [
                "jira_checksums.txt",
                "tools_checksums.txt",
                "tools_1.7.0_checksums.txt",
                "checksums.txt",
                "SHA256SUMS",
                "jira_1.7.0_linux_amd64.tar.gz.sha256",
            ]
        );
        let mut spec = BinarySpec::convention("jira");
        spec.checksums = vec!["sums.txt".into(), "checksums.txt".into()];
        assert_eq!(
            spec.checksums_candidates(asset, "jira", &v("1.7.0")),
            [
                "sums.txt",
                "checksums.txt",
                "jira_checksums.txt",
                "jira_1.7.0_checksums.txt",
                "SHA256SUMS",
                "jira_1.7.0_linux_amd64.tar.gz.sha256",
            ]
        );
    }

    #[test]
    fn consumer_overrides_replace_assets_bin_and_lead_checksums() {
        let spec = BinarySpec::convention("jira")
            .with_overrides(
                Some("{name}-{version}-{os}-{arch}.zip"),
                Some("dist/jira".to_owned()),
                Some("SUMS.txt".to_owned()),
            )
            .unwrap();
        let platform = Platform::from_mise("linux", "amd64", None);
        let version = semver::Version::new(1, 7, 0);
        assert_eq!(
            spec.asset_candidates(&version, &platform, UNIX)[0],
            "jira-1.7.0-linux-amd64.zip"
        );
        assert_eq!(spec.bin_path(), Some("dist/jira"));
        assert_eq!(
            spec.checksums_candidates("a", "tools", &version)[0],
            "SUMS.txt"
        );
        assert!(
            BinarySpec::convention("jira")
                .with_overrides(Some(""), None, None)
                .is_err()
        );
    }
}
