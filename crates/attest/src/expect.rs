//! What an attestation must say to be accepted for one install: the host, the origin
//! repository, the release tag, the asset digest, and optionally the signer workflow. The
//! host decides who GitHub's signers are (see [`release_signer_for`] and
//! [`actions_issuer_for`]).

use crate::digest::AssetDigest;

/// On github.com, GitHub signs release attestations with a certificate for this URI and
/// no GitHub Actions claims.
pub const GITHUB_COM_RELEASE_SIGNER: &str = "https://dotcom.releases.github.com";
/// GitHub Actions' OIDC issuer on github.com.
pub const GITHUB_COM_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The identity (certificate SAN) GitHub signs release attestations with on `host`, when
/// it is known: only github.com's is documented. Other hosts need the `release_signer`
/// field of [`Expected`].
pub fn release_signer_for(host: &str) -> Option<String> {
    host.eq_ignore_ascii_case("github.com")
        .then(|| GITHUB_COM_RELEASE_SIGNER.to_owned())
}

/// GitHub Actions' OIDC issuer on `host`: `token.actions.githubusercontent.com` on
/// github.com, `token.actions.<tenant>.ghe.com` on GHE.com, and
/// `https://<host>/_services/token` on GitHub Enterprise Server.
pub fn actions_issuer_for(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    if host == "github.com" {
        GITHUB_COM_ACTIONS_ISSUER.to_owned()
    } else if host.ends_with(".ghe.com") {
        format!("https://token.actions.{host}")
    } else {
        format!("https://{host}/_services/token")
    }
}

/// What an attestation must say to be accepted for one install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The origin's GitHub host, e.g. `github.com`.
    pub host: String,
    /// Origin repository owner.
    pub owner: String,
    /// Origin repository name.
    pub repo: String,
    /// The release tag being installed.
    pub tag: String,
    /// The downloaded asset's digest.
    pub digest: AssetDigest,
    /// A pattern the build signer workflow must match (see [`workflow_matches`]); `None`
    /// accepts any workflow of the origin repository.
    pub signer_workflow: Option<String>,
    /// GitHub's release signer identity; `None` uses [`release_signer_for`] the host.
    pub release_signer: Option<String>,
    /// GitHub Actions' OIDC issuer; `None` uses [`actions_issuer_for`] the host.
    pub actions_issuer: Option<String>,
}

impl Expected {
    /// Expectations for `owner/repo@tag` on `host` and the asset `digest`, with the host's
    /// default signers and no workflow pattern.
    pub fn new(host: &str, owner: &str, repo: &str, tag: &str, digest: AssetDigest) -> Expected {
        Expected {
            host: host.to_owned(),
            owner: owner.to_owned(),
            repo: repo.to_owned(),
            tag: tag.to_owned(),
            digest,
            signer_workflow: None,
            release_signer: None,
            actions_issuer: None,
        }
    }

    /// Requires the build signer workflow to match `pattern`.
    pub fn signer_workflow(mut self, pattern: impl Into<String>) -> Expected {
        self.signer_workflow = Some(pattern.into());
        self
    }

    /// `owner/repo`.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }

    pub(crate) fn release_signer(&self) -> Option<String> {
        self.release_signer
            .clone()
            .or_else(|| release_signer_for(&self.host))
    }

    pub(crate) fn actions_issuer(&self) -> String {
        self.actions_issuer
            .clone()
            .unwrap_or_else(|| actions_issuer_for(&self.host))
    }

    /// `https://<host>/<owner>/<repo>`, as Fulcio writes the source repository.
    pub(crate) fn repository_uri(&self) -> String {
        format!("https://{}/{}/{}", self.host, self.owner, self.repo)
    }
}

/// Whether the signer workflow `found` (`owner/repo/path@ref`: the certificate's build
/// signer URI without `https://<host>/`) matches `pattern`.
///
/// A pattern is `owner/repo/path` with an optional `@ref`, optionally prefixed with
/// `https://<host>/`. Without `@` the ref is not checked. `*` matches any run of characters
/// except `/`; everything else matches itself, the owner and repository case-insensitively
/// (GitHub's names are), the path and ref exactly. Examples:
/// `acme/tools/.github/workflows/release.yml`,
/// `acme/tools/.github/workflows/*.yml@refs/tags/*`.
pub fn workflow_matches(pattern: &str, host: &str, found: &str) -> bool {
    let prefix = format!("https://{host}/");
    let pattern = match pattern.get(..prefix.len()) {
        Some(p) if p.eq_ignore_ascii_case(&prefix) => &pattern[prefix.len()..],
        _ => pattern,
    };
    let found = if pattern.contains('@') {
        found
    } else {
        found.split_once('@').map_or(found, |(path, _)| path)
    };
    // Owner and repository compare case-insensitively; the rest exactly.
    let split2 = |s: &str| -> Option<(String, String)> {
        let mut parts = s.splitn(3, '/');
        let owner = parts.next()?;
        let repo = parts.next()?;
        let rest = parts.next().unwrap_or("");
        Some((
            format!(
                "{}/{}",
                owner.to_ascii_lowercase(),
                repo.to_ascii_lowercase()
            ),
            rest.to_owned(),
        ))
    };
    match (split2(pattern), split2(found)) {
        (Some((p_repo, p_rest)), Some((f_repo, f_rest))) => {
            glob(&p_repo, &f_repo) && glob(&p_rest, &f_rest)
        }
        _ => false,
    }
}

/// `*` matches any run of characters other than `/`.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else {
                return false;
            };
            // Try every split point up to the next `/` (patterns are short).
            let limit = rest.find('/').unwrap_or(rest.len());
            (0..=limit).any(|i| glob(tail, &rest[i..]))
        }
    }
}

/// The signer workflow of a GitHub Actions certificate as `owner/repo/path@ref`: its build
/// signer URI (or SAN) without `https://<host>/`.
pub(crate) fn signer_workflow_of(uri: &str, host: &str) -> String {
    let prefix = format!("https://{host}/");
    match uri.get(..prefix.len()) {
        Some(p) if p.eq_ignore_ascii_case(&prefix) => uri[prefix.len()..].to_owned(),
        _ => uri.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOUND: &str = "acme/tools/.github/workflows/release.yml@refs/tags/1.7.0+jira";

    #[test]
    fn patterns_match_paths_refs_and_wildcards() {
        let m = |p: &str| workflow_matches(p, "github.com", FOUND);
        assert!(m("acme/tools/.github/workflows/release.yml"));
        assert!(m("ACME/Tools/.github/workflows/release.yml"));
        assert!(m(
            "https://github.com/acme/tools/.github/workflows/release.yml"
        ));
        assert!(m("acme/tools/.github/workflows/*.yml"));
        assert!(m("acme/tools/.github/workflows/release.yml@refs/tags/*"));
        assert!(m("acme/*/.github/workflows/release.yml"));
        assert!(!m("acme/tools/.github/workflows/build.yml"));
        assert!(!m("acme/tools/.github/workflows/Release.yml"));
        assert!(!m("acme/tools/.github/workflows/release.yml@refs/heads/*"));
        assert!(!m("acme/other/.github/workflows/release.yml"));
        // `*` does not cross `/`.
        assert!(!m("acme/tools/*/release.yml"));
        assert!(!m("acme/tools"));
        assert!(!m(
            "https://ghe.example.com/acme/tools/.github/workflows/release.yml"
        ));
    }

    #[test]
    fn hosts_decide_the_signers() {
        assert_eq!(
            release_signer_for("GitHub.com").as_deref(),
            Some(GITHUB_COM_RELEASE_SIGNER)
        );
        assert_eq!(release_signer_for("ghe.example.com"), None);
        assert_eq!(actions_issuer_for("github.com"), GITHUB_COM_ACTIONS_ISSUER);
        assert_eq!(
            actions_issuer_for("acme.ghe.com"),
            "https://token.actions.acme.ghe.com"
        );
        assert_eq!(
            actions_issuer_for("ghe.example.com"),
            "https://ghe.example.com/_services/token"
        );
        assert_eq!(
            signer_workflow_of(
                "https://github.com/acme/tools/.github/workflows/r.yml@refs/heads/main",
                "github.com"
            ),
            "acme/tools/.github/workflows/r.yml@refs/heads/main"
        );
    }
}
