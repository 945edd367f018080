//! What the fake GitHub knows: repositories with files, tags and releases, and tokens with
//! their grants. Plain data; the server decides who may see what.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::git::GitRepo;

/// A repository on the fake GitHub.
#[derive(Debug, Clone)]
pub struct Repo {
    /// Owner (user or organisation) login.
    pub owner: String,
    /// Repository name.
    pub name: String,
    /// Private repositories answer 404 to anyone without access.
    pub private: bool,
    /// Branch used by the contents API when no `ref` is given.
    pub default_branch: String,
    /// Files per git ref (branch, tag or sha): ref → path → bytes. Ignored when the
    /// repository is git-backed ([`Repo::git`]): the contents API then reads git.
    pub files: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
    /// Git tags (with or without a release), in creation order.
    pub tags: Vec<Tag>,
    /// Releases in creation order (listings return them newest first).
    pub releases: Vec<Release>,
    /// The real git repository behind a git-backed repository (see [`crate::git`]). It serves
    /// the contents API and the git endpoints (`git/ref`, `git/tags`, `commits`, `compare`,
    /// `git/trees`); without it those endpoints answer 404 and tags point at made-up commits.
    pub git: Option<GitRepo>,
    /// Artifact attestations kept for the repository (see [`crate::attestations`]).
    pub attestations: Vec<Attestation>,
    /// Whether the attestations API inlines each `bundle` (API version 2022-11-28) or gives
    /// only its `bundle_url` (default true).
    pub inline_bundles: bool,
}

impl Repo {
    /// An empty repository with a `main` branch.
    pub fn new(owner: &str, name: &str, private: bool) -> Repo {
        Repo {
            owner: owner.to_owned(),
            name: name.to_owned(),
            private,
            default_branch: "main".to_owned(),
            files: BTreeMap::new(),
            tags: Vec::new(),
            releases: Vec::new(),
            git: None,
            attestations: Vec::new(),
            inline_bundles: true,
        }
    }

    /// Puts a file on the default branch.
    pub fn put_file(&mut self, path: &str, bytes: impl Into<Vec<u8>>) {
        let branch = self.default_branch.clone();
        self.put_file_at(&branch, path, bytes);
    }

    /// Puts a file at a given ref.
    pub fn put_file_at(&mut self, git_ref: &str, path: &str, bytes: impl Into<Vec<u8>>) {
        self.files
            .entry(git_ref.to_owned())
            .or_default()
            .insert(path.trim_start_matches('/').to_owned(), bytes.into());
    }

    /// Adds a git tag pointing at a (fake) commit derived from its name.
    pub fn add_tag(&mut self, name: &str) -> &Tag {
        if let Some(i) = self.tags.iter().position(|t| t.name == name) {
            return &self.tags[i];
        }
        self.tags.push(Tag {
            name: name.to_owned(),
            commit_sha: fake_sha(&format!("{}/{}@{name}", self.owner, self.name)),
        });
        self.tags.last().expect("just pushed")
    }

    /// The release with this tag, if any.
    pub fn release_mut(&mut self, tag: &str) -> Option<&mut Release> {
        self.releases.iter_mut().find(|r| r.tag_name == tag)
    }
}

/// A git tag.
#[derive(Debug, Clone)]
pub struct Tag {
    /// Tag name, e.g. `1.7.0+jira`.
    pub name: String,
    /// 40-hex commit id the tag points at.
    pub commit_sha: String,
}

/// A release. Ids are assigned by the server when the repo is added.
#[derive(Debug, Clone)]
pub struct Release {
    /// Numeric id (assigned by the server).
    pub id: u64,
    /// The release's tag.
    pub tag_name: String,
    /// Display name.
    pub name: String,
    /// Drafts are visible only to tokens with push access.
    pub draft: bool,
    /// GitHub's prerelease flag.
    pub prerelease: bool,
    /// Seconds since the Unix epoch; listings sort on it, newest first.
    pub created_at: u64,
    /// Uploaded assets.
    pub assets: Vec<Asset>,
}

impl Release {
    /// A published, non-prerelease release with no assets; `created_at` is set by the builder.
    pub fn new(tag: &str) -> Release {
        Release {
            id: 0,
            tag_name: tag.to_owned(),
            name: tag.to_owned(),
            draft: false,
            prerelease: false,
            created_at: 0,
            assets: Vec::new(),
        }
    }
}

/// A release asset. The bytes are shared so listings stay cheap.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Numeric id (assigned by the server).
    pub id: u64,
    /// File name.
    pub name: String,
    /// MIME type reported in the API.
    pub content_type: String,
    /// The bytes served by the storage host.
    pub bytes: Arc<Vec<u8>>,
    /// GitHub's `digest` field (`sha256:<hex>`), or `None` for an old asset without one.
    pub digest: Option<String>,
}

impl Asset {
    /// An asset whose `digest` is the sha256 of its bytes, as GitHub computes it on upload.
    pub fn new(name: &str, bytes: Vec<u8>) -> Asset {
        let digest = Some(format!("sha256:{}", sha256_hex(&bytes)));
        Asset {
            id: 0,
            name: name.to_owned(),
            content_type: content_type_for(name).to_owned(),
            bytes: Arc::new(bytes),
            digest,
        }
    }

    /// Drops the `digest` field (assets uploaded before GitHub computed digests).
    pub fn without_digest(mut self) -> Asset {
        self.digest = None;
        self
    }
}

fn content_type_for(name: &str) -> &'static str {
    if name.ends_with(".gz") || name.ends_with(".tgz") {
        "application/gzip"
    } else if name.ends_with(".zip") {
        "application/zip"
    } else if name.ends_with(".txt") || name.ends_with(".sha256") || name.ends_with("SUMS") {
        "text/plain"
    } else {
        "application/octet-stream"
    }
}

/// Lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A deterministic 40-hex pseudo commit id.
pub(crate) fn fake_sha(seed: &str) -> String {
    sha256_hex(seed.as_bytes())[..40].to_owned()
}

/// What a token may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// Every repository of this owner.
    Owner(String),
    /// One repository (`owner`, `repo`).
    Repo(String, String),
}

/// A token the fake GitHub accepts. Tokens not registered are "Bad credentials" (401).
#[derive(Debug, Clone)]
pub struct TokenSpec {
    /// The token value (the log never records it; it records `login`).
    pub token: String,
    /// The account the token belongs to.
    pub login: String,
    /// OAuth scopes, reported in `X-OAuth-Scopes` for classic and OAuth tokens. A classic or
    /// OAuth token needs `repo` to read private repositories.
    pub scopes: Vec<String>,
    /// What the token may read beyond public repositories.
    pub grants: Vec<Grant>,
    /// Organisations enforcing SAML SSO for which this token has NOT been authorized.
    pub sso_unauthorized: Vec<String>,
    /// Whether it has push access (sees drafts) on the repositories it may read.
    pub push: bool,
}

impl TokenSpec {
    /// A classic-style token with the `repo` scope, push access, and no grants yet.
    pub fn new(token: &str, login: &str) -> TokenSpec {
        TokenSpec {
            token: token.to_owned(),
            login: login.to_owned(),
            scopes: vec!["repo".into(), "read:org".into(), "gist".into()],
            grants: Vec::new(),
            sso_unauthorized: Vec::new(),
            push: true,
        }
    }

    /// Grants read access to every repository of `owner`.
    pub fn owner(mut self, owner: &str) -> TokenSpec {
        self.grants.push(Grant::Owner(owner.to_owned()));
        self
    }

    /// Grants read access to one repository.
    pub fn repo(mut self, owner: &str, repo: &str) -> TokenSpec {
        self.grants
            .push(Grant::Repo(owner.to_owned(), repo.to_owned()));
        self
    }

    /// Replaces the OAuth scopes.
    pub fn scopes(mut self, scopes: &[&str]) -> TokenSpec {
        self.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// Marks `org` as enforcing SAML SSO that this token is not authorized for.
    pub fn sso_unauthorized(mut self, org: &str) -> TokenSpec {
        self.sso_unauthorized.push(org.to_owned());
        self
    }

    /// Read-only access: drafts stay hidden.
    pub fn read_only(mut self) -> TokenSpec {
        self.push = false;
        self
    }

    /// True for tokens whose permissions are OAuth scopes (classic `ghp_`, OAuth `gho_`, and
    /// legacy 40-hex tokens); fine-grained and App tokens have no scopes.
    pub(crate) fn uses_scopes(&self) -> bool {
        !(self.token.starts_with("github_pat_")
            || self.token.starts_with("ghs_")
            || self.token.starts_with("ghu_"))
    }

    pub(crate) fn grants_repo(&self, owner: &str, repo: &str) -> bool {
        self.grants.iter().any(|g| match g {
            Grant::Owner(o) => o.eq_ignore_ascii_case(owner),
            Grant::Repo(o, r) => o.eq_ignore_ascii_case(owner) && r.eq_ignore_ascii_case(repo),
        })
    }
}

/// An attestation a repository keeps: a Sigstore bundle and the subjects it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    /// The bundle, JSON.
    pub bundle: Vec<u8>,
    /// Its in-toto subjects' digests, `sha256:<hex>` (what the API is queried by).
    pub subjects: Vec<String>,
    /// Its predicate type.
    pub predicate_type: String,
}

impl Attestation {
    /// An attestation for `bundle`, its subjects and predicate read from its DSSE statement
    /// (as GitHub does when an attestation is stored).
    ///
    /// # Panics
    ///
    /// If the bundle has no readable in-toto statement (a test bug).
    pub fn from_bundle(bundle: Vec<u8>) -> Attestation {
        let json: Value = serde_json::from_slice(&bundle).expect("bundle JSON");
        let payload = json["dsseEnvelope"]["payload"]
            .as_str()
            .expect("a DSSE bundle");
        let statement: Value =
            serde_json::from_slice(&STANDARD.decode(payload).expect("base64 payload"))
                .expect("an in-toto statement");
        let subjects = statement["subject"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["digest"]["sha256"].as_str())
            .map(|hex| format!("sha256:{hex}"))
            .collect();
        Attestation {
            bundle,
            subjects,
            predicate_type: statement["predicateType"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        }
    }
}
