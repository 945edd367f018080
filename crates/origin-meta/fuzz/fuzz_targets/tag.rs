//! Stream tag matching: the first line is the binary (or stream rule), the other lines tags.
#![no_main]

use libfuzzer_sys::fuzz_target;
use origin_meta::Stream;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let bin = lines.next().unwrap_or_default();
    let tags: Vec<(&str, bool)> = lines
        .enumerate()
        .map(|(i, tag)| (tag, i % 3 == 0))
        .collect();
    let mut streams = vec![Stream::convention(bin)];
    if let Ok(rule) = Stream::parse_rule(bin) {
        streams.push(rule);
    }
    for stream in streams {
        let versions = stream.versions(tags.iter().copied());
        for pair in versions.windows(2) {
            assert!(pair[0].version() < pair[1].version(), "sorted and unique");
        }
        for version in &versions {
            assert!(
                version.version().build.is_empty(),
                "build metadata stripped"
            );
            let again = stream.match_tag(version.tag()).expect("a kept tag matches");
            assert_eq!(again.version(), version.version());
        }
    }
});
