//! What this program knows about mise, in one place: the backend prefix of our tool keys, the
//! config file `wire` edits, where mise keeps installs and how it names a tool's install
//! directory, and asking mise where a tool is installed.
//!
//! mise names a backend tool's install directory by kebab-casing the whole tool name
//! (`skillrig:acme/tools/jira` → `installs/skillrig-acme-tools-jira/<version>`): letters are
//! lowercased, camel case is split, and every run of other characters becomes one `-`. So two
//! different addresses can share a directory (`a/b-c/d` and `a-b/c/d`, `acme/tools/jira-cli`
//! and `acme/tools-jira/cli`, `Acme/JiraCli` and `acme/jira-cli`); [`tool_dir_name`] computes
//! the name the same way (with the `heck` crate, as mise does) so such collisions can be found
//! and refused.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use heck::ToKebabCase as _;
use origin_meta::ToolAddress;

/// The backend prefix users write: `skillrig:<address>`.
pub const BACKEND_PREFIX: &str = "skillrig:";

/// The mise configuration file `wire` edits, relative to the project root.
pub const MISE_TOML: &str = "mise.toml";

/// Environment variable naming the mise binary to ask (otherwise `mise` on `PATH`).
pub const ENV_MISE_BIN: &str = "MISE_BIN";
/// mise's data directory (installs live in `<it>/installs`).
pub const ENV_MISE_DATA_DIR: &str = "MISE_DATA_DIR";

/// How long `mise where` may take before we stop asking mise.
const MISE_TIMEOUT: Duration = Duration::from_secs(30);

/// `skillrig:<address>`, the tool key in `mise.toml`.
pub fn tool_key(address: &ToolAddress) -> String {
    format!("{BACKEND_PREFIX}{address}")
}

/// The name of the directory mise installs `skillrig:<address>` into (under the installs
/// root), when the plugin is installed as `skillrig`.
pub fn tool_dir_name(address: &ToolAddress) -> String {
    tool_key(address).to_kebab_case()
}

/// The tool a receipt names, when it is another tool whose mise install directory has the same
/// name as `address`'s: installed there, it would shadow (or be shadowed by) `address`.
/// Another spelling of the same tool (`Acme/Tools/jira`) is no collision.
pub fn colliding_tool(receipt: &install::Receipt, address: &ToolAddress) -> Option<ToolAddress> {
    // Receipts name the tool as its address, which spells out a host other than github.com.
    let other_text = if receipt.host.eq_ignore_ascii_case("github.com")
        || receipt.tool.starts_with(&receipt.host)
    {
        receipt.tool.clone()
    } else {
        format!("{}/{}", receipt.host, receipt.tool)
    };
    let other = ToolAddress::parse(&other_text, None).ok()?;
    let same = other.origin().same_repository(address.origin()) && other.bin() == address.bin();
    (!same && tool_dir_name(&other) == tool_dir_name(address)).then_some(other)
}

/// What to say when `other` occupies `address`'s install directory: the problem and the fix.
pub fn collision_message(other: &ToolAddress, address: &ToolAddress) -> (String, String) {
    (
        format!(
            "`{BACKEND_PREFIX}{other}` is installed where `{BACKEND_PREFIX}{address}` belongs: mise names both install directories `{}`",
            tool_dir_name(address)
        ),
        format!(
            "use one of the two per machine, or give one its own directory with a `[tool_alias]` in mise.toml (docs/quickstart.md, \"Addresses that share a directory\"); then `mise uninstall {BACKEND_PREFIX}{other}` and reinstall"
        ),
    )
}

/// mise's installs root: `$MISE_DATA_DIR/installs`, else `$XDG_DATA_HOME/mise/installs`, else
/// `~/.local/share/mise/installs`. Relative values are ignored, as mise ignores them.
pub fn installs_root(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let absolute = |name: &str| {
        env(name)
            .filter(|v| !v.trim().is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let data = absolute(ENV_MISE_DATA_DIR)
        .or_else(|| absolute("XDG_DATA_HOME").map(|d| d.join("mise")))
        .or_else(|| absolute("HOME").map(|h| h.join(".local/share/mise")))?;
    Some(data.join("installs"))
}

/// What `mise where` said about a tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Where {
    /// Exit 0 and an existing directory.
    Installed(PathBuf),
    /// mise ran and knows no install (its first stderr line).
    NotInstalled(String),
    /// mise could not be run (not found, failed to start, timed out).
    Unavailable(String),
}

/// Asks `mise where <key>` in `project_dir`, with the mise named by `MISE_BIN` or found on
/// `PATH` (resolved to an absolute path first, so nothing is picked up from the project).
pub fn mise_where(key: &str, project_dir: &Path, env: &dyn Fn(&str) -> Option<String>) -> Where {
    let program = match env(ENV_MISE_BIN).filter(|v| !v.is_empty()) {
        Some(explicit) => PathBuf::from(explicit),
        None => match which::which_in("mise", env("PATH"), project_dir) {
            Ok(found) => found,
            Err(_) => return Where::Unavailable("no `mise` on PATH".to_owned()),
        },
    };
    let mut cmd = Command::new(&program);
    cmd.args(["where", key]).current_dir(project_dir);
    match util::process::run(cmd, MISE_TIMEOUT) {
        Err(util::process::RunError::Spawn(e)) => {
            Where::Unavailable(format!("{}: {e}", program.display()))
        }
        Err(util::process::RunError::TimedOut { .. }) => Where::Unavailable(format!(
            "`{} where` took longer than {} s",
            program.display(),
            MISE_TIMEOUT.as_secs()
        )),
        Ok(ran) => {
            let path = String::from_utf8_lossy(&ran.stdout).trim().to_owned();
            if ran.status.success() && !path.is_empty() && Path::new(&path).is_dir() {
                Where::Installed(PathBuf::from(path))
            } else {
                let why = util::process::summarize(&ran.stderr);
                Where::NotInstalled(if why.is_empty() {
                    "no install".to_owned()
                } else {
                    why
                })
            }
        }
    }
}

/// A `skillrig:` entry of a project's `mise.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolEntry {
    /// The key as written, e.g. `skillrig:acme/tools/jira`.
    pub key: String,
    /// The address (inline `[…]` options stripped).
    pub address: ToolAddress,
    /// The version requests: one, or several for an array.
    pub versions: Vec<String>,
    /// The entry's own string options (`constraint`, `asset`, …), as mise passes them.
    pub options: Vec<(String, String)>,
}

/// The options written in a tool key's brackets, `a/b/c[k=v,k2=v2]`, in order.
fn key_options(key: &str) -> Vec<(String, String)> {
    let Some(inner) = key
        .split_once('[')
        .and_then(|(_, rest)| rest.strip_suffix(']'))
    else {
        return Vec::new();
    };
    inner
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

/// Reads and parses a `mise.toml` (`wire` edits it, `lock` reads it): its text and document,
/// or `None` when it does not exist.
///
/// # Errors
///
/// An unreadable file (exit 1); one that is not UTF-8 or not TOML (usage, exit 2, with the line).
pub fn read_mise_toml(
    path: &Path,
) -> Result<Option<(String, toml_edit::DocumentMut)>, crate::report::Failure> {
    use crate::report::Failure;
    let bytes = match util::file::read_if_present(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            return Err(
                Failure::usage(format!("`{}` is not a regular file: {e}", path.display()))
                    .hint("mise reads mise.toml as a file; replace what is there with one"),
            );
        }
        Err(e) => {
            return Err(
                Failure::new(format!("cannot read `{}`: {e}", path.display()))
                    .hint("check the file's permissions"),
            );
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(
            Failure::usage(format!("`{}` is not UTF-8 text", path.display()))
                .hint("mise reads mise.toml as UTF-8 TOML; fix the file first"),
        );
    };
    let doc = text.parse::<toml_edit::DocumentMut>().map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let at = line.map(|n| format!(" (line {n})")).unwrap_or_default();
        Failure::usage(format!(
            "`{}` is not valid TOML: {}{at}",
            path.display(),
            e.message()
        ))
        .hint("fix the file first; wire edits it in place and keeps everything else")
    })?;
    Ok(Some((text, doc)))
}

/// The usage error for a `mise.toml` whose `tools` is not a table (`wire` and `lock` alike).
pub fn tools_not_a_table(path: &Path) -> crate::report::Failure {
    crate::report::Failure::usage(format!("`{}`: `tools` is not a table", path.display()))
        .hint("mise expects `[tools]` with entries such as `node = \"22\"`")
}

/// The `skillrig:` tools of the project's `mise.toml`, in file order. A missing file has none.
///
/// # Errors
///
/// A file that cannot be read or is not TOML, or a `skillrig:` key that is no address (exit 2).
pub fn tool_entries(project_dir: &Path) -> Result<Vec<ToolEntry>, crate::report::Failure> {
    use crate::report::Failure;
    let path = project_dir.join(MISE_TOML);
    let Some((_, doc)) = read_mise_toml(&path)? else {
        return Ok(Vec::new());
    };
    let Some(tools) = doc.get("tools") else {
        return Ok(Vec::new());
    };
    let tools = tools
        .as_table_like()
        .ok_or_else(|| tools_not_a_table(&path))?;
    let mut entries = Vec::new();
    for (key, item) in tools.iter() {
        let Some(rest) = key.strip_prefix(BACKEND_PREFIX) else {
            continue;
        };
        let written = rest.split('[').next().unwrap_or(rest);
        let address = ToolAddress::parse(written, None).map_err(|e| {
            Failure::from_error(&e)
                .context(format_args!("`{}`: `{key}`", path.display()))
                .with_code(crate::report::EXIT_USAGE)
        })?;
        let strings = |value: &toml_edit::Value| -> Vec<String> {
            match value {
                toml_edit::Value::String(s) => vec![s.value().trim().to_owned()],
                toml_edit::Value::Array(items) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(|s| s.trim().to_owned()))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let (versions, mut options) = match item {
            toml_edit::Item::Value(value) if value.is_str() || value.is_array() => {
                (strings(value), Vec::new())
            }
            other => match other.as_table_like() {
                Some(table) => {
                    let versions = table
                        .get("version")
                        .and_then(toml_edit::Item::as_value)
                        .map(strings)
                        .unwrap_or_default();
                    let options = table
                        .iter()
                        .filter(|(k, _)| *k != "version")
                        .filter_map(|(k, v)| Some((k.to_owned(), v.as_str()?.to_owned())))
                        .collect();
                    (versions, options)
                }
                None => (Vec::new(), Vec::new()),
            },
        };
        // mise also takes options in the key, `skillrig:a/b/c[asset=…,bin=…]`; the table's win.
        for (k, v) in key_options(rest) {
            if !options.iter().any(|(known, _)| *known == k) {
                options.push((k, v));
            }
        }
        entries.push(ToolEntry {
            key: key.to_owned(),
            address,
            versions,
            options,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mise_toml_that_is_no_regular_file_is_a_usage_error() {
        // util::file covers FIFOs and dangling links; this is the message mise.toml gets.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(MISE_TOML);
        std::fs::create_dir(&path).unwrap();
        let err = read_mise_toml(&path).unwrap_err();
        assert_eq!(err.code(), crate::report::EXIT_USAGE);
        assert!(
            err.message()
                .ends_with("is not a regular file: it is a directory"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn options_in_the_key_are_read_and_the_tables_win() {
        assert_eq!(
            key_options("acme/tools/jira[asset=foo_{version}.tgz, bin=x]"),
            [
                ("asset".to_owned(), "foo_{version}.tgz".to_owned()),
                ("bin".to_owned(), "x".to_owned())
            ]
        );
        assert!(key_options("acme/tools/jira").is_empty());
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(MISE_TOML),
            "[tools]\n\"skillrig:acme/tools/jira[asset=a,bin=b]\" = { version = \"1\", bin = \"c\" }\n",
        )
        .unwrap();
        let entries = tool_entries(dir.path()).unwrap();
        assert_eq!(
            entries[0].options,
            [
                ("bin".to_owned(), "c".to_owned()),
                ("asset".to_owned(), "a".to_owned())
            ]
        );
    }

    fn dir(address: &str) -> String {
        tool_dir_name(&ToolAddress::parse(address, None).unwrap())
    }

    #[test]
    fn directory_names_are_mises_kebab_case() {
        // Observed with mise 2026.9.15 (crates/cli/tests/e2e/identity.rs checks it live).
        assert_eq!(dir("acme/tools/jira"), "skillrig-acme-tools-jira");
        assert_eq!(dir("Acme/Tools/JiraCli"), "skillrig-acme-tools-jira-cli");
        assert_eq!(
            dir("ghe.example.com:8443/acme/tools/x_y.z"),
            "skillrig-ghe-example-com-8443-acme-tools-x-y-z"
        );
        // The collisions this module exists to catch.
        assert_eq!(dir("a/b-c/d"), dir("a-b/c/d"));
        assert_eq!(dir("acme/tools/jira-cli"), dir("acme/tools-jira/cli"));
    }

    #[test]
    fn installs_root_follows_mise() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(
            installs_root(&env(&[("MISE_DATA_DIR", "/d"), ("HOME", "/h")])),
            Some(PathBuf::from("/d/installs"))
        );
        assert_eq!(
            installs_root(&env(&[("MISE_DATA_DIR", "rel"), ("XDG_DATA_HOME", "/x")])),
            Some(PathBuf::from("/x/mise/installs"))
        );
        assert_eq!(
            installs_root(&env(&[("HOME", "/h")])),
            Some(PathBuf::from("/h/.local/share/mise/installs"))
        );
        assert_eq!(installs_root(&env(&[])), None);
    }
}

#[cfg(test)]
mod entry_tests {
    use super::*;

    #[test]
    fn skillrig_entries_with_versions_and_options() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(MISE_TOML),
            r#"
[tools]
node = "22"
"skillrig:acme/tools/jira" = { version = "1.7.0", constraint = ">=1.6.0" }
"skillrig:acme/tools/tfc" = "latest"
"skillrig:ghe.example.com/acme/tools/oxid[bin=oxid]" = ["0.5.0", "0.10.0"]

[tools."skillrig:acme/tools/kube"]
version = "1"
"#,
        )
        .unwrap();
        let entries = tool_entries(dir.path()).unwrap();
        let got: Vec<(String, Vec<String>, usize)> = entries
            .iter()
            .map(|e| (e.address.to_string(), e.versions.clone(), e.options.len()))
            .collect();
        assert_eq!(
            got,
            [
                ("acme/tools/jira".to_owned(), vec!["1.7.0".to_owned()], 1),
                ("acme/tools/tfc".to_owned(), vec!["latest".to_owned()], 0),
                (
                    "ghe.example.com/acme/tools/oxid".to_owned(),
                    vec!["0.5.0".to_owned(), "0.10.0".to_owned()],
                    1 // `[bin=oxid]` in the key
                ),
                ("acme/tools/kube".to_owned(), vec!["1".to_owned()], 0),
            ]
        );
        assert_eq!(
            entries[0].options[0],
            ("constraint".to_owned(), ">=1.6.0".to_owned())
        );
        assert!(
            tool_entries(&dir.path().join("nowhere"))
                .unwrap()
                .is_empty()
        );
    }
}
