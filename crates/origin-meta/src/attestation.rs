//! The attestation settings a binary's metadata, a tool option and `hosts.toml` share: the
//! policy (`attestations = "auto" | "required" | "off"`) and the signer-workflow pattern.
//!
//! Only the values live here, so every place that reads them spells and checks them the same
//! way; what they mean at install time (Sigstore verification) is the `attest` crate's, which
//! re-exports [`AttestationPolicy`] as `attest::Policy`. Each value has exactly one spelling.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// `attestations = "auto" | "required" | "off"`: what an install does about the GitHub
/// attestations of the asset it downloads.
///
/// | policy | none listed | some verify | one fails |
/// |---|---|---|---|
/// | `off` | not fetched, nothing recorded | — | — |
/// | `auto` (default) | recorded as absent | recorded | the install fails |
/// | `required` | the install fails | recorded | the install fails |
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttestationPolicy {
    /// Verify what exists and record it; no attestation is fine.
    #[default]
    Auto,
    /// Fail an install with no valid attestation.
    Required,
    /// Do not look.
    Off,
}

impl AttestationPolicy {
    /// The accepted spellings, in documentation order.
    pub const VALUES: &'static [&'static str] = &["auto", "required", "off"];

    /// The policy's one spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AttestationPolicy::Auto => "auto",
            AttestationPolicy::Required => "required",
            AttestationPolicy::Off => "off",
        }
    }

    /// [`AttestationPolicy::VALUES`] as `` `auto`, `required`, `off` ``, for messages.
    pub fn values_list() -> String {
        AttestationPolicy::VALUES
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for AttestationPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy that is not one of [`AttestationPolicy::VALUES`] (spelled exactly: `Required` and
/// ` off` are refused rather than guessed at).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not one of {values}", values = AttestationPolicy::values_list())]
pub struct UnknownPolicy(pub String);

impl hint::Hint for UnknownPolicy {
    fn hints(&self) -> Vec<String> {
        vec![
            "`auto` (the default) verifies the attestations that exist, `required` refuses an \
             asset without a valid one, `off` does not look"
                .to_owned(),
        ]
    }
}

impl FromStr for AttestationPolicy {
    type Err = UnknownPolicy;

    fn from_str(s: &str) -> Result<AttestationPolicy, UnknownPolicy> {
        match s {
            "auto" => Ok(AttestationPolicy::Auto),
            "required" => Ok(AttestationPolicy::Required),
            "off" => Ok(AttestationPolicy::Off),
            _ => Err(UnknownPolicy(s.to_owned())),
        }
    }
}

/// Checks a signer-workflow pattern: `owner/repo/path` with an optional `@ref`, optionally
/// prefixed with `https://<host>/`, where `*` matches any run of characters except `/`
/// (`acme/tools/.github/workflows/release.yml`,
/// `acme/tools/.github/workflows/*.yml@refs/tags/*`). How it is matched is the `attest`
/// crate's `workflow_matches`; this only refuses what could never match a workflow.
///
/// # Errors
///
/// Why the pattern is unusable, one line.
pub fn check_signer_workflow(pattern: &str) -> Result<(), String> {
    let usage = "write `<owner>/<repo>/.github/workflows/<file>`, optionally with `@<ref>` \
                 (`*` matches within one path segment)";
    if pattern.is_empty() {
        return Err(format!("the pattern is empty; {usage}"));
    }
    if pattern.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "`{pattern}` contains spaces or control characters; {usage}"
        ));
    }
    let rest = match pattern.get(..8) {
        Some(scheme) if scheme.eq_ignore_ascii_case("https://") => {
            match pattern[8..].split_once('/') {
                Some((host, rest)) if !host.is_empty() => rest,
                _ => return Err(format!("`{pattern}` names no repository; {usage}")),
            }
        }
        _ => pattern,
    };
    let (path, git_ref) = match rest.split_once('@') {
        Some((path, git_ref)) => (path, Some(git_ref)),
        None => (rest, None),
    };
    if git_ref.is_some_and(|r| r.is_empty() || r.contains('@')) {
        return Err(format!("`{pattern}` has an empty or second `@`; {usage}"));
    }
    let segments: Vec<&str> = path.split('/').collect();
    if segments.len() < 3 || segments.iter().any(|s| s.is_empty()) {
        return Err(format!(
            "`{pattern}` is not `<owner>/<repo>/<workflow path>`; {usage}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_have_one_spelling_each() {
        for (text, policy) in [
            ("auto", AttestationPolicy::Auto),
            ("required", AttestationPolicy::Required),
            ("off", AttestationPolicy::Off),
        ] {
            assert_eq!(text.parse::<AttestationPolicy>(), Ok(policy));
            assert_eq!(policy.to_string(), text);
            assert_eq!(
                serde_json::to_string(&policy).unwrap(),
                format!("\"{text}\"")
            );
        }
        for bad in ["Required", " off", "yes", "none", "true", ""] {
            let err = bad.parse::<AttestationPolicy>().unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("`{bad}` is not one of `auto`, `required`, `off`")
            );
        }
        assert_eq!(AttestationPolicy::default(), AttestationPolicy::Auto);
    }

    #[test]
    fn workflow_patterns_must_name_a_workflow_of_a_repository() {
        for ok in [
            "acme/tools/.github/workflows/release.yml",
            "acme/tools/.github/workflows/*.yml@refs/tags/*",
            "https://github.com/acme/tools/.github/workflows/release.yml",
            "acme/*/.github/workflows/release.yml@refs/heads/main",
        ] {
            assert_eq!(check_signer_workflow(ok), Ok(()), "{ok}");
        }
        for (bad, needle) in [
            ("", "empty"),
            ("acme/tools", "is not `<owner>/<repo>/<workflow path>`"),
            ("acme//x.yml", "is not `<owner>/<repo>/<workflow path>`"),
            ("acme/tools/release.yml@", "empty or second `@`"),
            ("acme/tools/r.yml@a@b", "empty or second `@`"),
            ("https://github.com", "names no repository"),
            ("acme/tools/release yml", "spaces"),
        ] {
            let err = check_signer_workflow(bad).unwrap_err();
            assert!(err.contains(needle), "{bad}: {err}");
            assert!(
                err.contains("<owner>/<repo>/.github/workflows/<file>"),
                "{err}"
            );
        }
    }
}
