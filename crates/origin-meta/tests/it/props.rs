//! Property tests: address and tag round-trips, and stream sort order.

use origin_meta::{Origin, Stream, ToolAddress};
use proptest::prelude::*;
use semver::{Prerelease, Version};

/// An owner, repo or bin name: `[A-Za-z0-9._-]+`, not `.` or `..`.
fn name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._-]{1,24}".prop_filter("dot names are rejected", |s| s != "." && s != "..")
}

/// A GitHub Enterprise host in canonical (lowercase) form, optionally with a port.
fn ghe_host() -> impl Strategy<Value = String> {
    (
        "[a-z0-9]{1,12}(\\.[a-z0-9]{1,8}){1,2}",
        proptest::option::of(1u16..),
    )
        .prop_filter("github.com spellings canonicalise", |(host, _)| {
            host != "github.com" && !host.ends_with(".github.com") && !host.starts_with("api.")
        })
        .prop_map(|(host, port)| match port {
            Some(port) => format!("{host}:{port}"),
            None => host,
        })
}

fn git_ref() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._-]{1,10}(/[A-Za-z0-9._-]{1,10}){0,2}"
}

fn version() -> impl Strategy<Value = Version> {
    (
        0u64..50,
        0u64..50,
        0u64..50,
        proptest::option::of("(alpha|beta|rc)(\\.(0|[1-9][0-9]{0,2})){0,2}"),
    )
        .prop_map(|(major, minor, patch, pre)| {
            let mut version = Version::new(major, minor, patch);
            if let Some(pre) = pre {
                version.pre = Prerelease::new(&pre).unwrap();
            }
            version
        })
}

/// One tag spelling of `version` for binary `bin`, by form index.
fn spell(version: &Version, bin: &str, form: u8) -> String {
    match form % 4 {
        0 => format!("{version}+{bin}"),
        1 => format!("v{version}+{bin}"),
        2 => format!("{bin}-v{version}"),
        _ => format!("{bin}-{version}"),
    }
}

proptest! {
    #[test]
    fn github_address_round_trips(owner in name(), repo in name(), bin in name()) {
        let text = format!("{owner}/{repo}/{bin}");
        let address = ToolAddress::parse(&text, None).unwrap();
        prop_assert_eq!(address.to_string(), text.clone());
        prop_assert_eq!(address.host().as_str(), "github.com");
        prop_assert_eq!((address.owner(), address.repo(), address.bin()), (owner.as_str(), repo.as_str(), bin.as_str()));
        prop_assert_eq!(ToolAddress::parse(&address.to_string(), None).unwrap(), address);
    }

    #[test]
    fn ghe_address_round_trips(host in ghe_host(), owner in name(), repo in name(), bin in name()) {
        let text = format!("{host}/{owner}/{repo}/{bin}");
        let address = ToolAddress::parse(&text, None).unwrap();
        prop_assert_eq!(address.to_string(), text);
        prop_assert_eq!(address.host().as_str(), host.as_str());
    }

    #[test]
    fn bare_address_takes_the_origin(host in proptest::option::of(ghe_host()), owner in name(), repo in name(), bin in name(), git_ref in proptest::option::of(git_ref())) {
        let mut origin = match &host {
            Some(host) => format!("{host}/{owner}/{repo}"),
            None => format!("{owner}/{repo}"),
        };
        if let Some(git_ref) = &git_ref {
            origin.push('@');
            origin.push_str(git_ref);
        }
        let parsed = Origin::parse(&origin).unwrap();
        prop_assert_eq!(parsed.to_string(), origin.clone());
        let address = ToolAddress::parse(&bin, Some(&origin)).unwrap();
        prop_assert_eq!(address.git_ref(), git_ref.as_deref());
        let full = match &host {
            Some(host) => format!("{host}/{owner}/{repo}/{bin}"),
            None => format!("{owner}/{repo}/{bin}"),
        };
        prop_assert_eq!(address.to_string(), full.clone());
        // The full form with the same origin keeps the ref too.
        let again = ToolAddress::parse(&full, Some(&origin)).unwrap();
        prop_assert_eq!(again, address);
    }

    #[test]
    fn a_bad_character_is_always_rejected(owner in name(), repo in name(), bin in name(), bad in "[ @:#?*\\\\~^\\[\\]!\\u{e9}]", slot in 0usize..3) {
        let mut parts = [owner, repo, bin];
        parts[slot].push_str(&bad);
        let text = parts.join("/");
        let err = ToolAddress::parse(&text, None).unwrap_err();
        prop_assert!(err.to_string().contains("contains"), "{}", err);
    }

    #[test]
    fn tags_round_trip(version in version(), bin in name(), form in 0u8..4) {
        let tag = spell(&version, &bin, form);
        let found = Stream::convention(&bin).match_tag(&tag);
        prop_assert!(found.is_some(), "{} not in the stream of {}", tag, bin);
        let found = found.unwrap();
        prop_assert_eq!(found.version(), &version);
        prop_assert_eq!(found.to_string(), version.to_string());
        prop_assert_eq!(found.tag(), tag.as_str());
        prop_assert_eq!(found.is_prerelease(), !version.pre.is_empty());
        // The explicit streams agree with the convention on their own forms.
        let explicit = if form < 2 { Stream::BuildMetadata(bin.clone()) } else { Stream::Prefix(format!("{bin}-")) };
        prop_assert_eq!(explicit.match_tag(&tag).map(|v| v.version().clone()), Some(version));
    }

    #[test]
    fn longer_names_never_leak_into_shorter_streams(version in version(), bin in name(), suffix in "-[A-Za-z0-9_]{1,6}", form in 0u8..4) {
        let longer = format!("{bin}{suffix}");
        let tag = spell(&version, &longer, form);
        prop_assert!(Stream::convention(&bin).match_tag(&tag).is_none(), "{} claimed {}", bin, tag);
    }

    #[test]
    fn versions_are_sorted_unique_and_order_independent(
        entries in proptest::collection::vec((version(), 0u8..4, any::<bool>()), 0..40),
        noise in proptest::collection::vec((version(), 0u8..4), 0..10),
        seed in any::<u64>(),
    ) {
        let bin = "jira";
        let mut tags: Vec<(String, bool)> = entries
            .iter()
            .map(|(version, form, pre)| (spell(version, bin, *form), *pre))
            .collect();
        tags.extend(noise.iter().map(|(version, form)| (spell(version, "jira-cli", *form), false)));
        let stream = Stream::convention(bin);
        let listed = stream.versions(tags.clone());
        for pair in listed.windows(2) {
            prop_assert!(pair[0].version().cmp_precedence(pair[1].version()).is_lt(), "{} !< {}", pair[0], pair[1]);
        }
        let mut want: Vec<Version> = entries.iter().map(|(version, _, _)| version.clone()).collect();
        want.sort();
        want.dedup();
        let got: Vec<Version> = listed.iter().map(|v| v.version().clone()).collect();
        prop_assert_eq!(got, want);
        // A different input order gives the same result, tags and flags included.
        let mut shuffled = tags;
        let mut state = seed;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (state >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(stream.versions(shuffled), listed);
    }
}
