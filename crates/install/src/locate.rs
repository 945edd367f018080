//! Finding the binary among the unpacked entries.
//!
//! Rules, first match wins (`<file>` is the binary's name, plus `.exe` for Windows targets):
//!
//! 1. the metadata's `bin` path, if given: at the archive root or under the single top-level
//!    folder; if it is absent the install fails (the metadata is authoritative);
//! 2. `bin/<file>`;
//! 3. `<file>`;
//! 4. the unique entry named `<file>` anywhere in the archive.
//!
//! Rules 2 and 3 look below the single top-level folder when the archive has one
//! (`tool-1.0/bin/tool`), otherwise at the root. Links (recorded, never created on disk) are
//! followed inside the manifest to the file they name. Several distinct files in rule 4 are an
//! error listing every candidate.

use crate::BinaryLocator;
use crate::error::Repr;
use crate::extract::{Manifest, Node, names};

/// How many link hops are followed before giving up (a loop or an absurd chain).
const MAX_HOPS: usize = 16;

/// The file chosen as the binary.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Located {
    /// Normalized archive path of the regular file (after following links).
    pub(crate) path: String,
    /// Its sha256, if it was hashed while unpacking.
    pub(crate) sha256: Option<String>,
}

/// The base names worth hashing while unpacking: any file that could become the binary.
pub(crate) fn hash_names(locator: &BinaryLocator) -> Vec<String> {
    let mut names = vec![locator.file_name()];
    if let Some(p) = &locator.path_in_archive
        && let Some(base) = p.replace('\\', "/").rsplit('/').next()
        && !base.is_empty()
    {
        names.push(base.to_owned());
        if locator.windows && !base.to_ascii_lowercase().ends_with(".exe") {
            names.push(format!("{base}.exe"));
        }
    }
    names
}

/// Applies the rules above to `nodes`.
pub(crate) fn locate(
    nodes: &Manifest,
    locator: &BinaryLocator,
    asset: &str,
) -> Result<Located, Repr> {
    let file = locator.file_name();
    let prefix = single_top(nodes)
        .map(|t| format!("{t}/"))
        .unwrap_or_default();

    if let Some(raw) = &locator.path_in_archive {
        let path = names::normalize(raw.as_bytes())
            .map_err(|r| Repr::InvalidRequest(format!("binary path `{raw}` {r}")))?;
        let mut tries = vec![path.clone(), format!("{prefix}{path}")];
        if locator.windows && !path.to_ascii_lowercase().ends_with(".exe") {
            tries.extend([format!("{path}.exe"), format!("{prefix}{path}.exe")]);
        }
        return tries
            .iter()
            .find_map(|p| resolve(nodes, p))
            .ok_or_else(|| not_found(nodes, asset, raw));
    }

    for candidate in [format!("{prefix}bin/{file}"), format!("{prefix}{file}")] {
        if let Some(found) = resolve(nodes, &candidate) {
            return Ok(found);
        }
    }

    let mut matches: Vec<(&String, Located)> = nodes
        .keys()
        .filter(|k| k.rsplit('/').next() == Some(file.as_str()))
        .filter_map(|k| resolve(nodes, k).map(|l| (k, l)))
        .collect();
    // Two names for one file (a link and its target) are not an ambiguity.
    let mut targets: Vec<&str> = matches.iter().map(|(_, l)| l.path.as_str()).collect();
    targets.sort_unstable();
    targets.dedup();
    match targets.len() {
        0 => Err(not_found(nodes, asset, &file)),
        1 => Ok(matches.swap_remove(0).1),
        _ => Err(Repr::Ambiguous {
            asset: asset.to_owned(),
            wanted: file,
            candidates: matches.into_iter().map(|(k, _)| k.clone()).collect(),
        }),
    }
}

/// The single top-level directory, if every entry lives under it.
fn single_top(nodes: &Manifest) -> Option<&str> {
    let mut tops = nodes.keys().map(|k| k.split('/').next().unwrap_or(k));
    let first = tops.next()?;
    if tops.all(|t| t == first) && nodes.get(first) == Some(&Node::Dir) {
        Some(first)
    } else {
        None
    }
}

/// Follows links from `path` to a regular file.
fn resolve(nodes: &Manifest, path: &str) -> Option<Located> {
    let mut current = path;
    for _ in 0..MAX_HOPS {
        match nodes.get(current)? {
            Node::File { sha256, .. } => {
                return Some(Located {
                    path: current.to_owned(),
                    sha256: sha256.clone(),
                });
            }
            Node::Link { target } => current = target,
            Node::Dir => return None,
        }
    }
    None
}

fn not_found(nodes: &Manifest, asset: &str, wanted: &str) -> Repr {
    const SHOWN: usize = 10;
    let executables = nodes
        .iter()
        .filter(|(_, n)| matches!(n, Node::File { exec: true, .. }))
        .map(|(k, _)| k.clone())
        .take(SHOWN)
        .collect();
    Repr::NotFound {
        asset: asset.to_owned(),
        wanted: wanted.to_owned(),
        executables,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(entries: &[(&str, Node)]) -> Manifest {
        entries
            .iter()
            .map(|(k, n)| ((*k).to_owned(), n.clone()))
            .collect()
    }
    fn file() -> Node {
        Node::File {
            exec: true,
            sha256: None,
        }
    }
    fn link(t: &str) -> Node {
        Node::Link { target: t.into() }
    }
    fn loc(name: &str, path: Option<&str>, windows: bool) -> BinaryLocator {
        BinaryLocator {
            name: name.into(),
            path_in_archive: path.map(Into::into),
            windows,
        }
    }
    fn found(nodes: &Manifest, l: &BinaryLocator) -> Result<String, String> {
        locate(nodes, l, "a.tar.gz")
            .map(|f| f.path)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn rules_in_order() {
        let m = manifest(&[
            ("pkg", Node::Dir),
            ("pkg/bin", Node::Dir),
            ("pkg/bin/tool", file()),
            ("pkg/tool", file()),
            ("pkg/extra", Node::Dir),
            ("pkg/extra/tool", file()),
        ]);
        assert_eq!(
            found(&m, &loc("tool", None, false)),
            Ok("pkg/bin/tool".into())
        );
        assert_eq!(
            found(&m, &loc("tool", Some("extra/tool"), false)),
            Ok("pkg/extra/tool".into())
        );
        assert_eq!(
            found(&m, &loc("tool", Some("pkg/tool"), false)),
            Ok("pkg/tool".into())
        );
        let err = found(&m, &loc("tool", Some("nope/tool"), false)).unwrap_err();
        assert!(
            err.starts_with("binary `nope/tool` not found in `a.tar.gz`"),
            "{err}"
        );

        let m = manifest(&[
            ("pkg", Node::Dir),
            ("pkg/tool", file()),
            ("pkg/README", file()),
        ]);
        assert_eq!(found(&m, &loc("tool", None, false)), Ok("pkg/tool".into()));

        let m = manifest(&[
            ("a", Node::Dir),
            ("a/b", Node::Dir),
            ("a/b/tool", file()),
            ("c", file()),
        ]);
        assert_eq!(found(&m, &loc("tool", None, false)), Ok("a/b/tool".into()));
    }

    #[test]
    fn no_strip_when_there_are_several_top_level_entries() {
        let m = manifest(&[("tool", file()), ("LICENSE", file())]);
        assert_eq!(found(&m, &loc("tool", None, false)), Ok("tool".into()));
        let m = manifest(&[
            ("x", Node::Dir),
            ("x/tool", file()),
            ("y", Node::Dir),
            ("y/tool", file()),
        ]);
        let err = found(&m, &loc("tool", None, false)).unwrap_err();
        assert_eq!(
            err,
            "binary `tool` is ambiguous in `a.tar.gz`: candidates are `x/tool`, `y/tool`"
        );
    }

    #[test]
    fn windows_adds_exe() {
        let m = manifest(&[("tool.exe", file()), ("tool", file())]);
        assert_eq!(found(&m, &loc("tool", None, true)), Ok("tool.exe".into()));
        assert_eq!(
            found(&m, &loc("tool", Some("tool"), true)),
            Ok("tool".into())
        );
        let m = manifest(&[("d", Node::Dir), ("d/tool.exe", file())]);
        assert_eq!(
            found(&m, &loc("tool", Some("tool"), true)),
            Ok("d/tool.exe".into())
        );
    }

    #[test]
    fn links_are_followed_and_not_ambiguous() {
        let m = manifest(&[
            ("bin", Node::Dir),
            ("bin/tool", link("libexec/tool-1.0")),
            ("libexec", Node::Dir),
            ("libexec/tool-1.0", file()),
        ]);
        assert_eq!(
            found(&m, &loc("tool", None, false)),
            Ok("libexec/tool-1.0".into())
        );

        let m = manifest(&[
            ("a", Node::Dir),
            ("a/x", Node::Dir),
            ("a/x/tool", file()),
            ("a/y", Node::Dir),
            ("a/y/tool", link("a/x/tool")),
        ]);
        assert_eq!(found(&m, &loc("tool", None, false)), Ok("a/x/tool".into()));

        let m = manifest(&[("tool", link("tool2")), ("tool2", link("tool"))]);
        assert!(
            found(&m, &loc("tool", None, false))
                .unwrap_err()
                .contains("not found")
        );
    }

    #[test]
    fn not_found_lists_executables() {
        let m = manifest(&[
            ("other", file()),
            (
                "README",
                Node::File {
                    exec: false,
                    sha256: None,
                },
            ),
        ]);
        assert_eq!(
            found(&m, &loc("tool", None, false)).unwrap_err(),
            "binary `tool` not found in `a.tar.gz` (executables in the archive: `other`)"
        );
    }

    #[test]
    fn unsafe_bin_path_is_a_request_error() {
        let m = manifest(&[("tool", file())]);
        let err = locate(&m, &loc("tool", Some("../tool"), false), "a").unwrap_err();
        assert!(matches!(err, Repr::InvalidRequest(_)), "{err:?}");
    }
}
