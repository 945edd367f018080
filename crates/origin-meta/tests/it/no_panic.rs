//! Every parser returns `Ok` or `Err` on arbitrary input; none panics.
//!
//! The `cargo fuzz` targets in `fuzz/` explore this far deeper, but they need nightly flags; these
//! run in every `cargo test`. Inputs are random bytes, and random splices of valid fixtures so
//! the parsers get past their first check.

use origin_meta::{
    BinarySpec, ChecksumsFile, OriginIndex, OriginToml, Platform, Requirement, SkillManifest,
    SkillsLock, Stream, ToolAddress,
};
use proptest::prelude::*;
use semver::Version;

use crate::{UNIX, WINDOWS, fixture};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        "\\PC{0,64}",
        "[a-z0-9./@:+_ -]{0,40}",
    ]
}

/// Slash-separated short parts over the characters addresses and hosts use.
fn address_like() -> impl Strategy<Value = String> {
    // A small alphabet makes the interesting shapes (`a.`, `..`, `a:1`) common.
    "([aB1.:-]{0,4}/){0,3}[aB1.-]{0,4}(@[a/.]{0,3})?"
}

/// Checksum-shaped lines whose names start with runs of `./` and use `.`, `/` and two letters.
fn checksums_like() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        "[0-9a-fA-F]{64}( {1,2}\\*?)(\\./){0,3}[ab/.]{0,4}|SHA256 \\((\\./){0,3}[ab/.]{0,4}\\) = [0-9a-f]{64}",
        1..4,
    )
    .prop_map(|lines| lines.join("\n"))
}

/// A valid fixture with a random slice replaced by random text.
fn spliced(valid: String) -> impl Strategy<Value = String> {
    let len = valid.len();
    (0..=len, 0..=len, text()).prop_map(move |(a, b, insert)| {
        let (mut start, mut end) = (a.min(b), a.max(b));
        while !valid.is_char_boundary(start) {
            start -= 1;
        }
        while !valid.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}{insert}{}", &valid[..start], &valid[end..])
    })
}

proptest! {
    // Addresses are cheap to parse, and the bad shapes are rare in random text: many cases.
    #![proptest_config(ProptestConfig { cases: 8192, ..ProptestConfig::default() })]

    #[test]
    fn addresses(
        tool in prop_oneof![text(), address_like()],
        origin in proptest::option::of(prop_oneof![text(), address_like()]),
    ) {
        if let Ok(address) = ToolAddress::parse(&tool, origin.as_deref()) {
            // Whatever parses re-parses to itself.
            prop_assert_eq!(ToolAddress::parse(&address.to_string(), None).unwrap().to_string(), address.to_string());
        }
    }
}

/// Exercises everything derived from a parsed spec, too.
fn use_spec(spec: &BinarySpec) {
    let version = Version::new(1, 2, 3);
    for platform in [
        Platform::from_mise("linux", "amd64", Some("gnu")),
        Platform::from_mise("windows", "arm", None),
    ] {
        let extensions = if platform.is_windows() { WINDOWS } else { UNIX };
        for asset in spec.asset_candidates(&version, &platform, extensions) {
            spec.checksums_candidates(&asset, "tools", &version);
        }
    }
    spec.stream()
        .versions([("1.2.3+x", false), ("x-v1.2.3", true)]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn tags(tag in text(), bin in text()) {
        for stream in [Stream::convention(&bin), Stream::BuildMetadata(bin.clone()), Stream::Prefix(bin.clone())] {
            if let Some(found) = stream.match_tag(&tag) {
                prop_assert!(found.version().build.is_empty());
            }
        }
        let _ = Stream::parse_rule(&bin);
    }

    #[test]
    fn checksums(text in prop_oneof![text(), checksums_like()]) {
        if let Ok(file) = ChecksumsFile::parse(&text) {
            for entry in file.entries() {
                prop_assert_eq!(entry.sha256().len(), 64);
                if let Some(name) = entry.name() {
                    prop_assert!(file.lookup(name).is_some());
                }
            }
        }
    }

    #[test]
    fn checksums_spliced(text in spliced(fixture("checksums/shasum-tag.txt") + &fixture("checksums/sha256sum.txt"))) {
        let _ = ChecksumsFile::parse(&text);
    }

    #[test]
    fn origin_toml(text in prop_oneof![text(), spliced(fixture("rfc.skillrig-origin.toml"))]) {
        if let Ok(toml) = OriginToml::parse(&text) {
            for entry in toml.binaries() {
                use_spec(&BinarySpec::resolve(entry.name(), None, Some(&toml)));
            }
        }
    }

    #[test]
    fn index_json(text in prop_oneof![text(), spliced(fixture("index-binaries.json")), spliced(fixture("index.json"))]) {
        if let Ok(index) = OriginIndex::parse(text.as_bytes()) {
            for entry in index.binaries() {
                use_spec(&BinarySpec::resolve(entry.name(), Some(&index), None));
            }
        }
    }

    #[test]
    fn consumer_files(
        lock in prop_oneof![text(), spliced(fixture("skills-lock.json"))],
        manifest in prop_oneof![text(), spliced(fixture("skills/deploy-check/SKILL.md"))],
        constraint in text(),
    ) {
        let _ = SkillsLock::parse(lock.as_bytes());
        if let Ok(manifest) = SkillManifest::parse(&manifest) {
            for requirement in &manifest.requires {
                let _ = requirement.constraint();
                let _ = requirement.address();
            }
        }
        if let Ok(requirement) = Requirement::parse(&constraint) {
            requirement.matches(&Version::new(1, 0, 0));
        }
    }

    #[test]
    fn platforms(os in text(), arch in text(), env in proptest::option::of(text())) {
        let platform = Platform::from_mise(&os, &arch, env.as_deref());
        use_spec(&BinarySpec::convention("jira"));
        let _ = BinarySpec::convention("jira").asset_candidates(&Version::new(0, 1, 0), &platform, UNIX);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Canonical hosts are fixed points: parsing a canonical host gives it back (found by the
    /// `address` fuzz target: `MM..` once became `mm.`, which then parsed as `mm`).
    #[test]
    fn host_canonical_form_is_stable(input in prop_oneof![text(), "[A-Za-z0-9.:-]{1,20}"]) {
        if let Ok(host) = origin_meta::Host::parse(&input) {
            prop_assert_eq!(origin_meta::Host::parse(host.as_str()).unwrap(), host);
        }
    }
}
