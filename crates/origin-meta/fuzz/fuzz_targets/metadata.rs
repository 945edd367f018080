//! Origin metadata: the same bytes as `.skillrig-origin.toml` and as `index.json`, then every
//! binary they describe resolved to a spec and its asset names.
#![no_main]

use libfuzzer_sys::fuzz_target;
use origin_meta::{BinarySpec, OriginIndex, OriginToml, Platform};

/// Archive extensions as an installer passes them (dotted, `""` for a raw binary).
const EXTENSIONS: &[&str] = &[".tar.gz", ".tar.bz2", ".zip", ".exe", ""];

fuzz_target!(|data: &[u8]| {
    let index = OriginIndex::parse(data).ok();
    let text = String::from_utf8_lossy(data);
    let toml = OriginToml::parse(&text).ok();
    let mut names: Vec<&str> = Vec::new();
    if let Some(index) = &index {
        names.extend(index.binaries().iter().map(|b| b.name()));
    }
    if let Some(toml) = &toml {
        names.extend(toml.binaries().iter().map(|b| b.name()));
    }
    let version = semver::Version::parse("1.0.0-rc.1").unwrap();
    for name in names {
        let spec = BinarySpec::resolve(name, index.as_ref(), toml.as_ref());
        for platform in [
            Platform::from_mise("linux", "amd64", Some("musl")),
            Platform::from_mise("windows", "arm", None),
        ] {
            for asset in spec.asset_candidates(&version, &platform, EXTENSIONS) {
                spec.checksums_candidates(&asset, "project", &version);
            }
        }
    }
});
