//! Consumer files: skills-lock.json, SKILL.md frontmatter and requirement constraints.
#![no_main]

use libfuzzer_sys::fuzz_target;
use origin_meta::{Requirement, SkillManifest, SkillsLock};

fuzz_target!(|data: &[u8]| {
    let _ = SkillsLock::parse(data);
    let text = String::from_utf8_lossy(data);
    if let Ok(manifest) = SkillManifest::parse(&text) {
        for requirement in &manifest.requires {
            let _ = requirement.address();
            if let Ok(constraint) = requirement.constraint() {
                constraint.matches(&semver::Version::new(1, 0, 0));
            }
        }
    }
    if let Ok(constraint) = Requirement::parse(text.lines().next().unwrap_or_default()) {
        constraint.matches(&semver::Version::new(0, 0, 1));
    }
});
