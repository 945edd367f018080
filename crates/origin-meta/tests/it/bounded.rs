//! Bounded work on hostile input: every parser stays linear (or n log n) in its input.
//!
//! Each test builds an input of about 100,000 items and checks what was parsed (a count or a
//! lookup), and that it finished within [`BOUND`]. The bound is generous on purpose (a debug
//! build on a busy 2-core machine parses these inputs in well under a second); it exists to
//! catch quadratic work, which took 25 s to several minutes on the same inputs.

use std::time::{Duration, Instant};

use origin_meta::{
    BinarySpec, ChecksumsFile, OriginIndex, OriginToml, Platform, Requirement, SkillManifest,
    Stream, ToolAddress,
};
use semver::Version;

use crate::UNIX;

const BOUND: Duration = Duration::from_secs(5);

fn timed<R>(what: &str, f: impl FnOnce() -> R) -> R {
    let start = Instant::now();
    let result = f();
    let took = start.elapsed();
    assert!(took < BOUND, "{what} took {took:?} (bound {BOUND:?})");
    result
}

const HEX: &str = "a3f1c6ee0b27c0f1e0c4d8b9a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1";

#[test]
fn checksums_file_with_100k_lines() {
    let text: String = (0..100_000)
        .map(|i| format!("{HEX}  dist/tool_{i}.tar.gz\n"))
        .collect();
    let file = timed("parsing 100k checksum lines", || {
        ChecksumsFile::parse(&text).unwrap()
    });
    assert_eq!(file.entries().len(), 100_000);
    timed("100k lookups", || {
        for i in 0..100_000 {
            assert_eq!(file.lookup(&format!("tool_{i}.tar.gz")), Some(HEX));
        }
        assert_eq!(file.lookup("tool_x.tar.gz"), None);
    });
}

#[test]
fn index_with_100k_binaries() {
    let entries: Vec<String> = (0..100_000)
        .map(|i| format!(r#"{{"name": "tool{i}"}}"#))
        .collect();
    let text = format!(
        r#"{{"binaries": [{}, {{"name": "tool7"}}]}}"#,
        entries.join(", ")
    );
    let index = timed("parsing 100k binaries entries", || {
        OriginIndex::parse(text.as_bytes()).unwrap()
    });
    assert_eq!(index.binaries().len(), 100_000);
    assert_eq!(index.warnings().len(), 1, "the second tool7 is a duplicate");
}

#[test]
fn asset_candidates_from_20k_templates() {
    let templates: Vec<String> = (0..20_000)
        .map(|i| format!(r#""t{i}_{{os}}_{{arch}}{{ext}}""#))
        .collect();
    let text = format!(
        r#"{{"binaries": [{{"name": "t", "asset": [{}]}}]}}"#,
        templates.join(", ")
    );
    let index = OriginIndex::parse(text.as_bytes()).unwrap();
    let spec = BinarySpec::resolve("t", Some(&index), None);
    let platform = Platform::from_mise("linux", "amd64", None);
    let candidates = timed("expanding 20k templates", || {
        spec.asset_candidates(&Version::new(1, 0, 0), &platform, UNIX)
    });
    assert_eq!(candidates.len(), 20_000 * 5);
}

#[test]
fn deeply_nested_frontmatter() {
    let text = format!(
        "---\nname: a\nmetadata:\n  x-skillrig.version: '1'\n  x: {}{}\n---\n",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let result = timed("a frontmatter nested 50k deep", || {
        SkillManifest::parse(&text)
    });
    assert!(result.is_err());
}

#[test]
fn frontmatter_at_the_size_caps() {
    // The worst the caps let through: 1024 nested `[` and tokens up to 64 KiB.
    let tokens = "a,".repeat((64 * 1024 - 200 - 2 * 1024) / 2);
    let text = format!(
        "---\nname: a\nmetadata:\n  x-skillrig.version: '1'\n  x: {}{tokens}{}\n---\n",
        "[".repeat(1024),
        "]".repeat(1024)
    );
    let result = timed("a frontmatter at the caps", || SkillManifest::parse(&text));
    assert!(result.unwrap_err().to_string().contains("not valid YAML"));
}

#[test]
fn origin_toml_with_100k_tables_and_keys() {
    let mut text: String = (0..50_000)
        .map(|i| format!("[[binaries]]\nname = \"b{i}\"\n"))
        .collect();
    text.push_str("[[binaries]]\nname = \"b7\"\n");
    let toml = timed("50k [[binaries]] tables", || {
        OriginToml::parse(&text).unwrap()
    });
    assert_eq!(toml.binaries().len(), 50_000);
    assert_eq!(toml.warnings().len(), 1);
    let keys: String = (0..50_000).map(|i| format!("k{i} = 1\n")).collect();
    let toml = timed("50k unknown top-level keys", || {
        OriginToml::parse(&keys).unwrap()
    });
    assert!(toml.warnings().is_empty(), "no look-alikes, no warnings");
}

#[test]
fn addresses_requirements_and_streams() {
    let address = "a/".repeat(100_000);
    let err = timed("an address of 100k parts", || {
        ToolAddress::parse(&address, None).unwrap_err()
    });
    assert!(err.to_string().ends_with("found 100001"));
    // semver refuses that many comparators; the point is that it says so quickly.
    let constraint = format!("{}<2", ">=1.0.0, ".repeat(100_000));
    let rejected = timed("a constraint of 100k comparators", || {
        Requirement::parse(&constraint).is_err()
    });
    assert!(rejected);
    let tags: Vec<(String, bool)> = (0..100_000)
        .map(|i| (format!("1.{i}.0+jira"), false))
        .collect();
    let versions = timed("100k tags", || Stream::convention("jira").versions(tags));
    assert_eq!(versions.len(), 100_000);
}
