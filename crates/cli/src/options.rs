//! Per-tool options: what a user writes next to a tool in `mise.toml`.
//!
//! ```toml
//! [tools."skillrig:acme/tools/jira"]
//! version = "latest"
//! verify = "none"                # allow installs with no checksum source (warned loudly)
//! attestations = "required"      # refuse an asset without a valid GitHub attestation
//! signer_workflow = "acme/tools/.github/workflows/release.yml"  # who must have built it
//! ```
//!
//! They reach us two ways: `--option key=value` on the command line, and the
//! `MISE_TOOL_OPTS__<KEY>` variables mise (and our plugin) export. The command line wins. mise
//! stringifies scalar values (`true` → `"true"`), so every value is read as a string.
//! Keys mise strips before a hook sees them (`version`, `path`, `prefix`, `ref`, `os`,
//! `depends`, `install_env`) are never used as our option names.
//!
//! Every value has one documented spelling; anything else is a usage error listing the valid
//! ones ([`ToolOptions::validate`]). An option nobody knows is a warning naming the nearest
//! known one, since a typo (`verfy = "none"`) would otherwise silently do nothing. Options
//! mise itself consumes (`postinstall`, …) pass without comment.

use std::collections::BTreeMap;

use origin_meta::{AttestationPolicy, Requirement};

use crate::report::Failure;

/// Environment prefix mise uses to export tool options to commands a hook runs.
pub const MISE_OPTION_PREFIX: &str = "MISE_TOOL_OPTS__";

/// Options this program understands, with what each takes (shown in `--help` and errors).
pub const KNOWN: &[(&str, &str)] = &[
    (
        "origin",
        "the metadata revision, as `OWNER/REPO@REF` of the address's own repository",
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
    ("checksums", "name of the checksums asset in the release"),
    (
        "attestations",
        "`auto` (default: verify the GitHub attestations that exist), `required` or `off`",
    ),
    (
        "signer_workflow",
        "workflow build provenance must be signed by, e.g. `acme/tools/.github/workflows/release.yml`",
    ),
    (
        "constraint",
        "version requirement such as `>=1.6.0` (written by `skillrig-mise wire`)",
    ),
];

/// Options mise itself reads and passes through to hooks; not ours, not typos.
const MISE_OWN: &[&str] = &[
    "postinstall",
    "minimum_release_age",
    "install_before",
    "install_env",
];

/// The values `verify` accepts.
const VERIFY_VALUES: &[&str] = &["required", "none"];

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

    /// Checks every value this program reads; returns warnings for keys nobody knows.
    ///
    /// # Errors
    ///
    /// A usage failure (exit 2) for a value outside its documented set (`verify`,
    /// `attestations`), or one that does not parse (`constraint`, `signer_workflow`).
    pub fn validate(&self) -> Result<Vec<String>, Failure> {
        if let Some(value) = self.get("verify")
            && !VERIFY_VALUES.contains(&value)
        {
            return Err(Failure::usage(format!(
                "the `verify` option is `{value}`, which is not one of {}",
                VERIFY_VALUES
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .hint(
                "write `verify = \"required\"` (the default) or `verify = \"none\"` to allow an \
                 asset that no checksums file or digest covers",
            ));
        }
        self.constraint()?;
        self.attestations()?;
        self.signer_workflow()?;
        Ok(self
            .unknown()
            .map(|key| {
                let nearest = KNOWN
                    .iter()
                    .map(|(k, _)| *k)
                    .min_by_key(|k| strsim::damerau_levenshtein(k, key))
                    .filter(|k| strsim::damerau_levenshtein(k, key) <= 2);
                let known = KNOWN.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ");
                match nearest {
                    Some(k) => format!(
                        "unknown tool option `{key}` is ignored; did you mean `{k}`? (known: {known})"
                    ),
                    None => format!("unknown tool option `{key}` is ignored (known: {known})"),
                }
            })
            .collect())
    }

    /// The value of `key`, trimmed.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|v| v.trim())
    }

    /// Returns true if and only if `verify = "none"` was given.
    pub fn verification_disabled(&self) -> bool {
        self.get("verify") == Some("none")
    }

    /// The `constraint` option, parsed.
    ///
    /// # Errors
    ///
    /// A usage failure when it does not parse.
    pub fn constraint(&self) -> Result<Option<Requirement>, Failure> {
        self.get("constraint")
            .map(|c| {
                Requirement::parse(c).map_err(|e| {
                    Failure::from_error(&e)
                        .context("the `constraint` option")
                        .with_code(crate::report::EXIT_USAGE)
                })
            })
            .transpose()
    }

    /// The `attestations` option, parsed (one spelling per value).
    ///
    /// # Errors
    ///
    /// A usage failure naming the valid values.
    pub fn attestations(&self) -> Result<Option<AttestationPolicy>, Failure> {
        self.get("attestations")
            .map(|value| {
                value.parse::<AttestationPolicy>().map_err(|_| {
                    Failure::usage(format!(
                        "the `attestations` option is `{value}`, which is not one of {}",
                        AttestationPolicy::values_list()
                    ))
                    .hint(
                        "write `attestations = \"auto\"` (the default: verify the attestations \
                         that exist), `\"required\"` to refuse an asset without a valid one, or \
                         `\"off\"`",
                    )
                })
            })
            .transpose()
    }

    /// The `signer_workflow` option, checked.
    ///
    /// # Errors
    ///
    /// A usage failure when it is not a workflow pattern.
    pub fn signer_workflow(&self) -> Result<Option<&str>, Failure> {
        self.get("signer_workflow")
            .map(|pattern| {
                origin_meta::check_signer_workflow(pattern)
                    .map(|()| pattern)
                    .map_err(|reason| {
                        Failure::usage(format!("the `signer_workflow` option: {reason}")).hint(
                            "name the workflow that builds the release, e.g. `signer_workflow = \
                             \"acme/tools/.github/workflows/release.yml\"`",
                        )
                    })
            })
            .transpose()
    }

    /// Options that are neither ours nor mise's own.
    pub fn unknown(&self) -> impl Iterator<Item = &str> {
        self.values
            .keys()
            .map(String::as_str)
            .filter(|k| !KNOWN.iter().any(|(known, _)| known == k) && !MISE_OWN.contains(k))
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

    fn opts(pairs: &[(&str, &str)]) -> ToolOptions {
        let flags: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        ToolOptions::collect(env(&[]), &flags).unwrap()
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
    fn verify_has_one_spelling_per_value() {
        for ok in ["required", "none"] {
            assert!(opts(&[("verify", ok)]).validate().is_ok(), "{ok}");
        }
        assert!(opts(&[("verify", "none")]).verification_disabled());
        assert!(!opts(&[("verify", "required")]).verification_disabled());
        // Every other spelling is refused rather than guessed at (`no`, `0` and `maybe` used
        // to mean "required", `off`/`false` "none").
        for bad in ["off", "false", "None", "no", "0", "maybe", "REQUIRED"] {
            let err = opts(&[("verify", bad)]).validate().unwrap_err();
            assert_eq!(err.code(), crate::report::EXIT_USAGE, "{bad}");
            assert_eq!(
                err.message(),
                format!("the `verify` option is `{bad}`, which is not one of `required`, `none`")
            );
            assert!(err.hints()[0].contains("verify = \"none\""), "{bad}");
        }
    }

    #[test]
    fn attestations_has_one_spelling_per_value() {
        for (ok, policy) in [
            ("auto", AttestationPolicy::Auto),
            ("required", AttestationPolicy::Required),
            ("off", AttestationPolicy::Off),
        ] {
            let opts = opts(&[("attestations", ok)]);
            assert!(opts.validate().is_ok(), "{ok}");
            assert_eq!(opts.attestations().unwrap(), Some(policy));
        }
        assert_eq!(opts(&[]).attestations().unwrap(), None);
        for bad in ["Required", "yes", "none", "true", "strict"] {
            let err = opts(&[("attestations", bad)]).validate().unwrap_err();
            assert_eq!(err.code(), crate::report::EXIT_USAGE, "{bad}");
            assert_eq!(
                err.message(),
                format!(
                    "the `attestations` option is `{bad}`, which is not one of `auto`, `required`, `off`"
                )
            );
            assert!(err.hints()[0].contains("attestations = \"auto\""), "{bad}");
        }
    }

    #[test]
    fn signer_workflow_must_be_a_workflow_pattern() {
        let good = opts(&[(
            "signer_workflow",
            "acme/tools/.github/workflows/*.yml@refs/tags/*",
        )]);
        assert!(good.validate().is_ok());
        assert_eq!(
            good.signer_workflow().unwrap(),
            Some("acme/tools/.github/workflows/*.yml@refs/tags/*")
        );
        let err = opts(&[("signer_workflow", "release.yml")])
            .validate()
            .unwrap_err();
        assert_eq!(err.code(), crate::report::EXIT_USAGE);
        assert!(
            err.message().starts_with(
                "the `signer_workflow` option: `release.yml` is not `<owner>/<repo>/<workflow path>`"
            ),
            "{}",
            err.message()
        );
        assert!(err.hints()[0].contains("signer_workflow = "));
        // A misspelt key is a warning naming the real one.
        let warnings = opts(&[("attestation", "required")]).validate().unwrap();
        assert!(
            warnings[0].contains("did you mean `attestations`?"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_bad_constraint_is_a_usage_error() {
        let err = opts(&[("constraint", ">=1.6.0 <2")])
            .validate()
            .unwrap_err();
        assert_eq!(err.code(), crate::report::EXIT_USAGE);
        assert!(
            err.message()
                .starts_with("the `constraint` option: invalid version constraint"),
            "{}",
            err.message()
        );
        assert!(!err.hints().is_empty());
    }

    #[test]
    fn unknown_options_are_warned_about_with_the_nearest_known_one() {
        let opts = ToolOptions::collect(
            env(&[
                ("MISE_TOOL_OPTS__POSTINSTALL", "echo hi"),
                ("MISE_TOOL_OPTS__VERFY", "none"),
            ]),
            &["bin=dist/jira".to_owned(), "colour=red".to_owned()],
        )
        .unwrap();
        assert_eq!(opts.unknown().collect::<Vec<_>>(), ["colour", "verfy"]);
        let warnings = opts.validate().unwrap();
        assert_eq!(warnings.len(), 2);
        assert!(
            warnings[1]
                .starts_with("unknown tool option `verfy` is ignored; did you mean `verify`?"),
            "{}",
            warnings[1]
        );
        assert!(!warnings[0].contains("did you mean"), "{}", warnings[0]);
        assert!(
            !opts.verification_disabled(),
            "a typo does not disable verification"
        );
    }
}
