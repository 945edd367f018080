//! Provenance lookups against a git-backed origin: tag → commit (lightweight and annotated),
//! commit comparisons in every relation GitHub reports plus unrelated histories, tree ids of
//! skill directories, and the cache in front of all of them.

use releases::{CompareStatus, Comparison, Error, GitHub};
use testkit::{FakeGitHub, GitRepo, OriginBuilder, TokenSpec};

use crate::support::{TOKEN, api_requests, client, config};

fn serve(origin: OriginBuilder) -> (FakeGitHub, GitRepo) {
    let repo = origin.build();
    let git = repo.git.clone().expect("git-backed");
    let github = FakeGitHub::start();
    github.add_repo(repo);
    github.add_token(TokenSpec::new(TOKEN, "alice").owner("acme"));
    (github, git)
}

#[test]
fn tag_commit_follows_lightweight_and_annotated_tags() {
    let (github, git) = serve(testkit::provenance_origin());
    let gh = client(&github, None);
    for tag in ["1.0.0+jira", "0.2.0+tfc", "6.6.6+jira"] {
        assert_eq!(
            gh.tag_commit("acme", "prov", tag).unwrap(),
            git.commit(tag).unwrap()
        );
    }
    // One request each: the ref of a lightweight tag names the commit.
    assert_eq!(api_requests(&github, "/git/").len(), 3);
    assert!(
        api_requests(&github, "/git/ref/tags/1.0.0%2Bjira").len() == 1,
        "`+` is encoded"
    );

    let (annotated, git) = serve(testkit::provenance_origin().annotated_tags());
    let gh = client(&annotated, None);
    let commit = gh.tag_commit("acme", "prov", "1.1.0+jira").unwrap();
    assert_eq!(Some(commit), git.commit("1.1.0+jira"));
    assert_eq!(api_requests(&annotated, "/git/ref/tags/").len(), 1);
    assert_eq!(
        api_requests(&annotated, "/git/tags/").len(),
        1,
        "the tag object"
    );
    assert!(
        api_requests(&annotated, "/git/")
            .iter()
            .all(|r| r.login.as_deref() == Some("alice")),
        "every request carries the token"
    );
}

#[test]
fn a_missing_tag_is_not_found_and_names_the_tag() {
    let (github, _git) = serve(testkit::provenance_origin());
    let err = client(&github, None)
        .tag_commit("acme", "prov", "9.9.9+jira")
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "tag `9.9.9+jira` of acme/prov not found on github.com (HTTP 404; sent the token from \
         `credential_command`)"
    );
}

#[test]
fn compare_reports_each_relation() {
    let (github, git) = serve(testkit::provenance_origin());
    let gh = client(&github, None);
    let c = |rev: &str| git.commit(rev).unwrap();
    let cmp = |base: &str, head: &str| gh.compare("acme", "prov", &c(base), &c(head)).unwrap();
    let rel = |status, ahead_by, behind_by, merge_base: Option<String>| Comparison {
        status,
        ahead_by,
        behind_by,
        merge_base,
    };

    assert_eq!(
        cmp("1.0.0+jira", "1.0.0+jira"),
        rel(CompareStatus::Identical, 0, 0, Some(c("1.0.0+jira")))
    );
    assert_eq!(
        cmp("1.0.0+jira", "main"),
        rel(CompareStatus::Ahead, 4, 0, Some(c("1.0.0+jira")))
    );
    assert_eq!(
        cmp("0.2.0+tfc", "1.0.0+jira"),
        rel(CompareStatus::Behind, 0, 3, Some(c("1.0.0+jira")))
    );
    assert_eq!(
        cmp("1.2.0+jira", "main"),
        rel(CompareStatus::Diverged, 1, 1, Some(c("0.2.0+tfc")))
    );
    // No common ancestor: GitHub's 404, then both commits are looked up and exist.
    github.clear_log();
    assert_eq!(
        cmp("6.6.6+jira", "main"),
        rel(CompareStatus::Unrelated, 0, 0, None)
    );
    let log = api_requests(&github, "/repos/acme/prov/");
    let paths: Vec<(&str, u16)> = log.iter().map(|r| (r.path.as_str(), r.status)).collect();
    assert_eq!(paths.len(), 3, "{paths:?}");
    assert_eq!(paths[0].1, 404);
    assert!(paths[1].0.starts_with("/repos/acme/prov/commits/") && paths[1].1 == 200);
}

#[test]
fn compare_with_a_missing_commit_names_that_commit() {
    let (github, git) = serve(testkit::provenance_origin());
    let gh = client(&github, None);
    let missing = "0123456789abcdef0123456789abcdef01234567";
    let err = gh
        .compare("acme", "prov", &git.commit("main").unwrap(), missing)
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("commit `{missing}` in acme/prov not found")),
        "{err}"
    );
    // Something that is not a commit id at all never reaches the path unencoded.
    let err = gh.compare("acme", "prov", "../../x", "main").unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert!(api_requests(&github, "../").is_empty());
}

#[test]
fn tree_sha_walks_to_the_skill_directory() {
    let (github, git) = serve(testkit::provenance_origin());
    let gh = client(&github, None);
    let release = git.commit("1.0.0+jira").unwrap();
    let skill = gh
        .tree_sha("acme", "prov", &release, "skills/deploy-check")
        .unwrap();
    assert_eq!(skill, git.tree_at(&release, "skills/deploy-check"));
    assert!(skill.is_some());
    // commit, root tree, skills/ tree: three requests.
    assert_eq!(api_requests(&github, "/repos/acme/prov/").len(), 3);

    // The skill was revised on main after every release.
    let main = git.commit("main").unwrap();
    let revised = gh
        .tree_sha("acme", "prov", &main, "skills/deploy-check")
        .unwrap();
    assert_eq!(revised, git.tree_at("main", "skills/deploy-check"));
    assert_ne!(revised, skill);

    // The root, an absent directory and a file.
    assert_eq!(
        gh.tree_sha("acme", "prov", &release, "").unwrap(),
        git.tree_at(&release, "")
    );
    assert_eq!(
        gh.tree_sha("acme", "prov", &release, "skills/nope")
            .unwrap(),
        None
    );
    assert_eq!(
        gh.tree_sha("acme", "prov", &release, "index.json").unwrap(),
        None
    );

    let err = gh
        .tree_sha(
            "acme",
            "prov",
            "0123456789abcdef0123456789abcdef01234567",
            "skills",
        )
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[test]
fn provenance_answers_are_cached_and_work_offline() {
    let (github, git) = serve(testkit::provenance_origin());
    let dir = tempfile::tempdir().unwrap();
    let release = git.commit("1.0.0+jira").unwrap();
    let main = git.commit("main").unwrap();
    let ask = |gh: &GitHub| {
        (
            gh.tag_commit("acme", "prov", "1.0.0+jira").unwrap(),
            gh.compare("acme", "prov", &release, &main).unwrap(),
            gh.tree_sha("acme", "prov", &release, "skills/deploy-check")
                .unwrap(),
        )
    };
    let cold = ask(&client(&github, Some(dir.path())));
    let sent = github.requests().len();
    assert_eq!(sent, 5, "ref, compare, commit, two trees");

    // Within the freshness window: nothing is requested.
    let warm_client = client(&github, Some(dir.path()));
    assert_eq!(ask(&warm_client), cold);
    assert_eq!(github.requests().len(), sent);
    assert_eq!(warm_client.stats().cache_hits, 5);

    // Offline: the same answers from the cache alone.
    let mut cfg = config(&github, Some(dir.path()));
    cfg.offline = true;
    let offline = GitHub::new(cfg).unwrap();
    assert_eq!(ask(&offline), cold);
    assert_eq!(github.requests().len(), sent);

    // Nothing in the cache holds the token.
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
            "token in {}",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn release_commit_comes_from_one_shared_tags_listing_then_the_ref() {
    let (github, git) = serve(testkit::provenance_origin());
    let cache = tempfile::tempdir().unwrap();
    let gh = client(&github, Some(cache.path()));
    for tag in ["1.1.0+jira", "6.6.6+jira", "0.2.0+tfc"] {
        assert_eq!(
            Some(gh.release_commit("acme", "prov", tag).unwrap()),
            git.commit(tag)
        );
    }
    // One listing served all three; no ref lookups were needed.
    assert_eq!(api_requests(&github, "/repos/acme/prov/tags").len(), 1);
    assert_eq!(api_requests(&github, "/git/ref/").len(), 0);
    // A tag the listing lacks is asked for by ref, and a missing one is an error.
    let err = gh.release_commit("acme", "prov", "9.9.9+jira").unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(api_requests(&github, "/git/ref/tags/9.9.9%2Bjira").len(), 1);
}
