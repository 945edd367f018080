//! The on-disk cache: freshness window, ETag/304 revalidation, per-page change detection,
//! sharing between clients (processes), offline mode, corruption, identity partitioning.

use hint::Hint as _;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use releases::{Error, GitHub, clear_cache};
use testkit::Release;

use crate::support::{anonymous, api_requests, big_origin, client, config, github};

fn with_freshness(github: &testkit::FakeGitHub, dir: &std::path::Path, f: Duration) -> GitHub {
    let mut cfg = config(github, Some(dir));
    cfg.freshness = f;
    GitHub::new(cfg).unwrap()
}

#[test]
fn cold_then_fresh_then_revalidated_with_free_304s() {
    let github = github();
    github.add_repo(big_origin(250));
    let dir = tempfile::tempdir().unwrap();
    let list = "/repos/acme/big/releases";

    // Cold: one request per page, each consuming rate limit.
    let gh = client(&github, Some(dir.path()));
    let cold = gh.list_releases("acme", "big").unwrap();
    assert_eq!(api_requests(&github, list).len(), 3);
    assert_eq!(github.rate_limited_requests(), 3);

    // Within the freshness window: no request at all.
    let warm = gh.list_releases("acme", "big").unwrap();
    assert_eq!(warm, cold);
    assert_eq!(api_requests(&github, list).len(), 3);
    assert_eq!(gh.stats().cache_hits, 3);

    // After the window (freshness 0 = always stale): only conditional requests, all 304,
    // and the rate limit is untouched.
    let stale = with_freshness(&github, dir.path(), Duration::ZERO);
    let revalidated = stale.list_releases("acme", "big").unwrap();
    assert_eq!(revalidated, cold);
    let log = api_requests(&github, list);
    assert_eq!(log.len(), 6);
    assert!(
        log[3..].iter().all(|r| r.conditional && r.status == 304),
        "{log:?}"
    );
    assert_eq!(github.rate_limited_requests(), 3);
    let stats = stale.stats();
    assert_eq!(
        (stats.requests, stats.not_modified, stats.cache_hits),
        (3, 3, 0)
    );

    // A 304 restarts the window: a fresh-window client sees no need to ask again.
    let again = client(&github, Some(dir.path()));
    again.list_releases("acme", "big").unwrap();
    assert_eq!(api_requests(&github, list).len(), 6);
}

#[test]
fn a_new_release_changes_page_one_and_is_seen() {
    let github = github();
    github.add_repo(big_origin(150));
    let dir = tempfile::tempdir().unwrap();
    client(&github, Some(dir.path()))
        .list_releases("acme", "big")
        .unwrap();

    github.update_repo("acme", "big", |repo| {
        let mut r = Release::new("7.0.0+jira");
        r.created_at = 1_900_000_000;
        repo.releases.push(r);
    });
    let stale = with_freshness(&github, dir.path(), Duration::ZERO);
    let listing = stale.list_releases("acme", "big").unwrap();
    assert_eq!(listing[0].tag, "7.0.0+jira");
    assert_eq!(listing.len(), 152);
}

#[test]
fn a_change_on_a_later_page_only_is_seen_too() {
    // Why pages are cached one by one: deleting the oldest release leaves page 1 (newest
    // first) unchanged, so page 1's ETag alone would hide it.
    let github = github();
    github.add_repo(big_origin(250));
    let dir = tempfile::tempdir().unwrap();
    let before = client(&github, Some(dir.path()))
        .list_releases("acme", "big")
        .unwrap();
    assert!(before.iter().any(|r| r.tag == "1.0.0+jira"));

    github.update_repo("acme", "big", |repo| {
        repo.releases.retain(|r| r.tag_name != "1.0.0+jira");
    });
    github.clear_log();
    let stale = with_freshness(&github, dir.path(), Duration::ZERO);
    let after = stale.list_releases("acme", "big").unwrap();
    assert_eq!(after.len(), before.len() - 1);
    assert!(after.iter().all(|r| r.tag != "1.0.0+jira"));
    let statuses: Vec<u16> = api_requests(&github, "/releases")
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [304, 304, 200]);
}

#[test]
fn two_clients_sharing_a_cache_dir_make_one_listing() {
    let github = github();
    github.add_repo(big_origin(250));
    let dir = tempfile::tempdir().unwrap();

    // One after the other, like two `mise` processes.
    client(&github, Some(dir.path()))
        .list_releases("acme", "big")
        .unwrap();
    let second = client(&github, Some(dir.path()));
    second.list_releases("acme", "big").unwrap();
    assert_eq!(api_requests(&github, "/releases").len(), 3);
    assert_eq!(second.stats().requests, 0);

    // At the same time, cold: the listing lock makes the second wait and reuse the first's.
    let github = crate::support::github();
    github.add_repo(big_origin(250));
    let dir = tempfile::tempdir().unwrap();
    let barrier = Arc::new(Barrier::new(4));
    let clients: Vec<GitHub> = (0..4).map(|_| client(&github, Some(dir.path()))).collect();
    let listings: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = clients
            .iter()
            .map(|gh| {
                let barrier = barrier.clone();
                s.spawn(move || {
                    barrier.wait();
                    gh.list_releases("acme", "big").unwrap().len()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(listings, [251; 4]);
    assert_eq!(api_requests(&github, "/releases").len(), 3);
}

#[test]
fn offline_uses_only_the_cache() {
    let github = github();
    let dir = tempfile::tempdir().unwrap();
    let offline = |dir: &std::path::Path| {
        let mut cfg = config(&github, Some(dir));
        cfg.offline = true;
        cfg.freshness = Duration::ZERO;
        GitHub::new(cfg).unwrap()
    };

    let err = offline(dir.path())
        .list_releases("acme", "tools")
        .unwrap_err();
    assert!(matches!(err, Error::NotInCache { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}/repos/acme/tools/releases?… is not in the cache, and offline mode allows no requests",
            github.api_url()
        )
    );
    assert_eq!(
        err.hints().first().cloned().unwrap(),
        "run once without offline mode to fill the cache, then retry offline"
    );
    assert!(github.requests().is_empty());

    let online = client(&github, Some(dir.path()));
    let listing = online.list_releases("acme", "tools").unwrap();
    assert_eq!(
        online.file("acme", "tools", "missing.toml", None).unwrap(),
        None
    );
    github.clear_log();

    // Stale entries are fine offline, negative entries too; downloads are refused.
    let off = offline(dir.path());
    assert_eq!(off.list_releases("acme", "tools").unwrap(), listing);
    assert_eq!(
        off.file("acme", "tools", "missing.toml", None).unwrap(),
        None
    );
    assert!(matches!(
        off.download(&listing[0].assets[0]),
        Err(Error::NotInCache { .. })
    ));
    assert!(github.requests().is_empty());
}

#[test]
fn corrupt_entries_are_ignored_and_replaced() {
    let github = github();
    github.add_repo(big_origin(150));
    let dir = tempfile::tempdir().unwrap();
    let good = client(&github, Some(dir.path()))
        .list_releases("acme", "big")
        .unwrap();
    let entries: Vec<_> = std::fs::read_dir(dir.path().join("github-api"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "entry"))
        .collect();
    assert_eq!(entries.len(), 2);
    std::fs::write(&entries[0], b"garbage").unwrap();
    std::fs::write(&entries[1], b"").unwrap();

    github.clear_log();
    let gh = client(&github, Some(dir.path()));
    assert_eq!(gh.list_releases("acme", "big").unwrap(), good);
    // Both pages refetched unconditionally, then cached again.
    let log = api_requests(&github, "/releases");
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|r| !r.conditional && r.status == 200));
    client(&github, Some(dir.path()))
        .list_releases("acme", "big")
        .unwrap();
    assert_eq!(api_requests(&github, "/releases").len(), 2);
}

#[test]
fn missing_metadata_files_are_cached_as_absent() {
    let github = github();
    let dir = tempfile::tempdir().unwrap();
    let gh = client(&github, Some(dir.path()));
    assert_eq!(gh.file("acme", "tools", "index2.json", None).unwrap(), None);
    assert_eq!(gh.file("acme", "tools", "index2.json", None).unwrap(), None);
    assert!(
        gh.file("acme", "tools", "index.json", None)
            .unwrap()
            .is_some()
    );
    assert!(
        gh.file("acme", "tools", "index.json", None)
            .unwrap()
            .is_some()
    );
    assert_eq!(api_requests(&github, "/contents/").len(), 2);
}

#[test]
fn the_cache_is_partitioned_by_token_identity() {
    // An anonymous client must not be served what a token's listing of a private repository
    // put into the shared cache.
    let github = github();
    let dir = tempfile::tempdir().unwrap();
    client(&github, Some(dir.path()))
        .list_releases("acme", "tools")
        .unwrap();
    let err = anonymous(&github, Some(dir.path()))
        .list_releases("acme", "tools")
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[test]
fn clear_cache_forces_a_cold_listing() {
    let github = github();
    let dir = tempfile::tempdir().unwrap();
    client(&github, Some(dir.path()))
        .list_releases("acme", "tools")
        .unwrap();
    clear_cache(dir.path()).unwrap();
    client(&github, Some(dir.path()))
        .list_releases("acme", "tools")
        .unwrap();
    let log = api_requests(&github, "/releases");
    assert_eq!(log.len(), 2);
    assert!(!log[1].conditional);
}

/// Every cache entry file under `dir`.
fn entries(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir.join("github-api"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "entry"))
        .collect()
}

/// A client with a long freshness window whose notices are collected.
fn watched(
    github: &testkit::FakeGitHub,
    dir: &std::path::Path,
) -> (GitHub, Arc<std::sync::Mutex<Vec<String>>>) {
    let notices = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = notices.clone();
    let gh = crate::support::client_with(github, Some(dir), move |cfg| {
        cfg.freshness = Duration::from_secs(3600);
        cfg.notify = releases::Notifier::new(move |n| seen.lock().unwrap().push(n.to_string()));
    });
    (gh, notices)
}

#[cfg(unix)]
#[test]
fn a_forged_entry_that_others_could_write_is_ignored() {
    use std::os::unix::fs::PermissionsExt;
    let github = github();
    let dir = tempfile::tempdir().unwrap();
    let honest = client(&github, Some(dir.path()))
        .list_releases("acme", "tools")
        .unwrap();
    let real_url = honest[0].assets[0].api_url.clone();

    // Another local user rewrites the listing so an asset points at their server, keeping
    // the real ETag (so revalidation would answer 304 and keep it).
    for entry in entries(dir.path()) {
        let text = std::fs::read_to_string(&entry).unwrap();
        if text.contains(&real_url) {
            std::fs::write(&entry, text.replace(&real_url, "http://127.0.0.1:1/evil")).unwrap();
            std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o666)).unwrap();
        }
    }
    let (gh, notices) = watched(&github, dir.path());
    let listed = gh.list_releases("acme", "tools").unwrap();
    assert_eq!(listed, honest, "the forged entry was not believed");
    assert_eq!(gh.stats().cache_hits, 0);
    let notices = notices.lock().unwrap().clone();
    assert!(
        notices
            .iter()
            .any(|n| n.contains("is writable by other users") && n.contains("ignoring that entry")),
        "{notices:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_cache_directory_others_can_write_is_not_used() {
    use std::os::unix::fs::PermissionsExt;
    let github = github();
    let dir = tempfile::tempdir().unwrap();
    client(&github, Some(dir.path()))
        .list_releases("acme", "tools")
        .unwrap();
    let api = dir.path().join("github-api");
    std::fs::set_permissions(&api, std::fs::Permissions::from_mode(0o777)).unwrap();

    let (gh, notices) = watched(&github, dir.path());
    gh.list_releases("acme", "tools").unwrap();
    assert_eq!(gh.stats().cache_hits, 0, "nothing is read from it");
    let notices = notices.lock().unwrap().clone();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].starts_with("not using the API cache: "),
        "{}",
        notices[0]
    );
    assert!(notices[0].contains("chmod 700"), "{}", notices[0]);
}

/// Needs root to give the entries away; `scripts/test.sh` runs the `_as_root` tests through
/// `sudo` when it is not root itself.
#[cfg(unix)]
#[test]
fn an_entry_owned_by_another_user_is_ignored_as_root() {
    let root = rustix::process::geteuid().is_root();
    if testkit::require(
        "root, to give a cache entry to another user",
        root.then_some(()),
    )
    .is_none()
    {
        return;
    }
    let github = github();
    let dir = tempfile::tempdir().unwrap();
    client(&github, Some(dir.path()))
        .list_releases("acme", "tools")
        .unwrap();
    let (gh, notices) = watched(&github, dir.path());
    let nobody = Some(rustix::process::Uid::from_raw(65534));
    let given = entries(dir.path());
    assert!(!given.is_empty(), "the first listing wrote cache entries");
    for entry in given {
        rustix::fs::chown(&entry, nobody, None).unwrap();
    }
    gh.list_releases("acme", "tools").unwrap();
    assert_eq!(gh.stats().cache_hits, 0);
    assert!(
        notices
            .lock()
            .unwrap()
            .iter()
            .any(|n| n.contains("owned by another user")),
        "{:?}",
        notices.lock().unwrap()
    );
}

#[cfg(unix)]
#[test]
fn created_cache_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let github = github();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("cache-root");
    client(&github, Some(&root))
        .list_releases("acme", "tools")
        .unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&root), 0o700);
    assert_eq!(mode(&root.join("github-api")), 0o700);
    let written = entries(&root);
    assert!(!written.is_empty(), "the listing wrote cache entries");
    for entry in written {
        assert_eq!(mode(&entry), 0o600, "{}", entry.display());
    }
}
