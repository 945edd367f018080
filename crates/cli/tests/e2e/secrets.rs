//! A token never appears in `skillrig-mise`'s output, at any log level, on success or failure,
//! nor in any file it writes, and is never sent to the asset storage host.

use crate::mise::{TOKEN, World, stderr, stdout};

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(TOKEN), "token leaked into {what}:\n{text}");
}

#[test]
fn trace_logs_and_errors_never_show_the_token() {
    let Some(world) = World::new() else { return };
    let install_path = world.path("direct/jira");
    for args in [
        vec!["-vvv", "list-versions", "acme/tools/jira"],
        vec![
            "-vvv",
            "install",
            "acme/tools/jira",
            "2.10.0",
            "--install-path",
            install_path.to_str().unwrap(),
        ],
        // Failures render errors (unknown version, missing repo, bad option) with the token in play.
        vec![
            "-vvv",
            "install",
            "acme/tools/jira",
            "9.9.9",
            "--install-path",
            "/nonexistent/x",
        ],
        vec!["-vvv", "list-versions", "acme/missing/jira"],
        vec![
            "list-versions",
            "acme/tools/jira",
            "--option",
            "constraint=>>1",
        ],
    ] {
        let out = world.skillrig(&args, &[("SKILLRIG_LOG", "trace")]);
        assert_clean("stdout", &stdout(&out));
        assert_clean("stderr", &stderr(&out));
    }
    assert!(
        install_path.join("bin/jira").exists(),
        "the traced install worked"
    );
    assert_eq!(world.github.storage_auth_leaks(), 0);
    // The trace really was on: the run logged its requests.
    let traced = world.skillrig(&["-vvv", "list-versions", "acme/tools/tfc"], &[]);
    assert!(stderr(&traced).contains("TRACE") || stderr(&traced).contains("DEBUG"));
}

#[test]
fn a_rejected_token_is_named_by_source_never_by_value() {
    let Some(world) = World::new() else { return };
    // The fake does not know this token: 401 on every request.
    std::fs::write(
        world.path("token"),
        "ghp_revokedRevokedRevoked000000000000\n",
    )
    .unwrap();
    let out = world.skillrig(&["list-versions", "acme/tools/jira"], &[]);
    let err = stderr(&out);
    assert!(!out.status.success(), "private origin needs a valid token");
    assert!(!err.contains("ghp_revoked"), "{err}");
    assert!(
        err.contains("credential_command"),
        "names the source: {err}"
    );
}
