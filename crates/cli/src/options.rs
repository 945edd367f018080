//! Per-tool options: what a user writes next to a tool in `mise.toml`.
//!
//! ```toml
//! [tools."skillrig:jira"]
//! version = "latest"
//! origin = "acme/tools@main"     # for bare addresses; @REF picks the metadata revision
//! verify = "none"                # allow installs with no checksum source (warned loudly)
//! ```
//!
//! They reach us two ways: `--option key=value` on the command line, and the
//! `MISE_TOOL_OPTS__<KEY>` variables mise (and our plugin) export. The command line wins. mise
//! stringifies scalar values (`true` → `"true"`), so every value is read as a string here.
//! Keys mise strips before a hook sees them (`version`, `path`, `prefix`, `ref`, `os`,
//! `depends`, `install_env`) are never used as our option names.

use std::collections::BTreeMap;

/// Environment prefix mise uses to export tool options to commands a hook runs.
pub const MISE_OPTION_PREFIX: &str = "MISE_TOOL_OPTS__";

/// Options this program understands; anything else is mise's or another tool's business.
pub const KNOWN: &[(&str, &str)] = &[
    (
        "origin",
        "OWNER/REPO[@REF] (or HOST/OWNER/REPO[@REF]) for a bare tool name",
    ),
    (
        "verify",
        "`required` (default) or `none` to allow assets without checksums or digest",
    ),
    (
        "asset",
        "asset name template, e.g. `{name}_{version}_{os}_{arch}.tar.gz`",
    ),
    ("bin", "path of the executable inside the archive"),
    ("checksums", "name of the checksums asset"),
    (
        "constraint",
        "version requirement such as `>=1.6.0` (written by `skillrig-mise wire`)",
    ),
];

/// Parsed tool options, keys lowercased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolOptions {
    values: BTreeMap<String, String>,
}

/// An option given on the command line was not `key=value`.
#[derive(Debug, thiserror::Error)]
#[error("invalid --option `{0}`: expected key=value, e.g. --option verify=none")]
pub struct OptionSyntaxError(String);

impl ToolOptions {
    /// Merges mise's environment (`MISE_TOOL_OPTS__*`) with `--option key=value` flags; the
    /// flags win. Empty values count as absent.
    pub fn collect<I>(env: I, flags: &[String]) -> Result<ToolOptions, OptionSyntaxError>
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let mut values = BTreeMap::new();
        for (key, value) in env {
            if let Some(name) = key.strip_prefix(MISE_OPTION_PREFIX) {
                values.insert(name.to_ascii_lowercase(), value);
            }
        }
        for flag in flags {
            let (key, value) = flag
                .split_once('=')
                .filter(|(k, _)| !k.trim().is_empty())
                .ok_or_else(|| OptionSyntaxError(flag.clone()))?;
            values.insert(key.trim().to_ascii_lowercase(), value.to_owned());
        }
        values.retain(|_, v| !v.trim().is_empty());
        Ok(ToolOptions { values })
    }

    /// The value of `key`, trimmed.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|v| v.trim())
    }

    /// Returns true if and only if `verify = "none"` (or `false`/`off`) was given.
    pub fn verification_disabled(&self) -> bool {
        matches!(
            self.get("verify").map(str::to_ascii_lowercase).as_deref(),
            Some("none" | "false" | "off")
        )
    }

    /// Options we do not know, for a debug log line (mise passes its own options through too).
    pub fn unknown(&self) -> impl Iterator<Item = &str> {
        self.values
            .keys()
            .map(String::as_str)
            .filter(|k| !KNOWN.iter().any(|(known, _)| known == k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn flags_override_mise_environment() {
        let opts = ToolOptions::collect(
            env(&[
                ("MISE_TOOL_OPTS__ORIGIN", "acme/tools"),
                ("MISE_TOOL_OPTS__VERIFY", "required"),
                ("PATH", "/bin"),
            ]),
            &["verify=none".to_owned()],
        )
        .unwrap();
        assert_eq!(opts.get("origin"), Some("acme/tools"));
        assert!(opts.verification_disabled());
    }

    #[test]
    fn empty_values_are_absent_and_bad_flags_are_errors() {
        let opts = ToolOptions::collect(env(&[("MISE_TOOL_OPTS__ORIGIN", " ")]), &[]).unwrap();
        assert_eq!(opts.get("origin"), None);
        let err = ToolOptions::collect(env(&[]), &["verify".to_owned()]).unwrap_err();
        assert!(err.to_string().contains("expected key=value"));
        assert!(ToolOptions::collect(env(&[]), &["=x".to_owned()]).is_err());
    }

    #[test]
    fn unknown_options_are_reported_not_rejected() {
        let opts = ToolOptions::collect(
            env(&[("MISE_TOOL_OPTS__POSTINSTALL", "echo hi")]),
            &["bin=dist/jira".to_owned()],
        )
        .unwrap();
        assert_eq!(opts.unknown().collect::<Vec<_>>(), vec!["postinstall"]);
        assert!(!opts.verification_disabled());
    }
}
