//! Checksums files, and the candidate checksums/asset names built from a name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use origin_meta::{BinarySpec, ChecksumsFile, Platform};

/// Archive extensions as an installer passes them (dotted, `""` for a raw binary).
const EXTENSIONS: &[&str] = &[".tar.gz", ".tar.bz2", ".zip", ".exe", ""];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(file) = ChecksumsFile::parse(&text) {
        for entry in file.entries() {
            assert_eq!(entry.sha256().len(), 64);
            assert!(
                entry
                    .sha256()
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            );
            if let Some(name) = entry.name() {
                assert!(file.lookup(name).is_some(), "every listed name is found");
            }
        }
    }
    let name = text.lines().next().unwrap_or_default();
    let spec = BinarySpec::convention(name);
    let version = semver::Version::new(1, 2, 3);
    let platform = Platform::from_mise("linux", "amd64", None);
    for asset in spec.asset_candidates(&version, &platform, EXTENSIONS) {
        let candidates = spec.checksums_candidates(&asset, name, &version);
        assert!(candidates.iter().any(|c| c.ends_with(".sha256")));
    }
});
