//! GitHub attestations end to end (issue #15): real mise installs from the fake GitHub, which
//! serves attestations signed by the testkit's own Sigstore instance (its CA chain and
//! timestamp authority). Its trusted root is written to a file and reaches `skillrig-mise`
//! only through `SKILLRIG_TRUSTED_ROOT` in mise's environment, as it would for GitHub
//! Enterprise or an offline machine.
//!
//! The scenarios: `required` with valid attestations installs and records them; an asset
//! swapped after signing is refused with nothing installed; a missing attestation is refused
//! under `required` and recorded as absent under `auto`; another repository in the
//! certificate is refused; `lock` records what vouched; `verify` reports it and takes the
//! release commit from the release attestation.

use std::path::PathBuf;
use std::sync::Arc;

use origin_meta::Platform;
use serde_json::Value;
use testkit::{Attestation, TestSigstore, TokenSpec, provenance_origin, sha256_hex};

use crate::mise::{TOKEN, World, stderr, stdout};

const TFC: &str = "\"skillrig:acme/tools/tfc\"";
const TAG: &str = "0.0.6+tfc";

/// A mise world whose skillrig-mise trusts the test Sigstore instance.
struct Attested {
    world: World,
    sigstore: TestSigstore,
    root: PathBuf,
}

impl Attested {
    fn new() -> Option<Attested> {
        Attested::around(World::new()?)
    }

    fn around(world: World) -> Option<Attested> {
        let sigstore = TestSigstore::new();
        let root = world.path("trusted_root.json");
        std::fs::write(&root, sigstore.trusted_root_json()).unwrap();
        Some(Attested {
            world,
            sigstore,
            root,
        })
    }

    fn env(&self) -> [(&str, &str); 1] {
        [("SKILLRIG_TRUSTED_ROOT", self.root.to_str().unwrap())]
    }

    /// `mise install` with the trusted root.
    fn install(&self) -> std::process::Output {
        self.world.mise_env(&["install"], &self.env())
    }

    fn install_ok(&self) {
        let out = self.install();
        assert!(
            out.status.success(),
            "mise install failed:\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
    }

    /// `mise install` that must fail; returns what it printed.
    fn install_refused(&self) -> String {
        let out = self.install();
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!out.status.success(), "the install succeeded:\n{text}");
        text
    }

    /// This machine's asset of `owner/repo@tag` as the fake serves it: name and sha256.
    fn asset(&self, owner: &str, repo: &str, tag: &str) -> (String, String) {
        let platform = Platform::current();
        let infix = format!("_{}_{}", platform.os(), platform.arch());
        let mut found = None;
        self.world.github.update_repo(owner, repo, |r| {
            let release = r.releases.iter().find(|rel| rel.tag_name == tag).unwrap();
            let asset = release
                .assets
                .iter()
                .find(|a| a.name.contains(&infix) && a.name.ends_with(".tar.gz"))
                .unwrap_or_else(|| panic!("no {infix} asset in {tag}"));
            found = Some((asset.name.clone(), sha256_hex(&asset.bytes)));
        });
        found.unwrap()
    }

    /// GitHub's release attestation for tfc 0.0.6 (this machine's asset), naming `commit`.
    fn attest_release(&self, commit: &str) -> Vec<u8> {
        let (name, digest) = self.asset("acme", "tools", TAG);
        let bundle = self
            .sigstore
            .sign_release("acme", "tools", TAG, commit, &[(&name, &digest)]);
        self.world
            .github
            .add_attestation("acme", "tools", bundle.clone());
        bundle
    }

    /// Build provenance for tfc 0.0.6's asset, signed in a workflow of `repository`.
    fn attest_build(&self, repository: &str) {
        let (name, digest) = self.asset("acme", "tools", TAG);
        let bundle = self.sigstore.sign_provenance(
            repository,
            ".github/workflows/release.yml",
            &format!("refs/tags/{TAG}"),
            &[(&name, &digest)],
        );
        self.world.github.add_attestation("acme", "tools", bundle);
    }

    /// Forgets skillrig-mise's HTTP cache (listings, attestations), as if on another machine.
    fn forget_cache(&self) {
        let _ = std::fs::remove_dir_all(self.world.path("cache/skillrig"));
    }

    fn receipt(&self) -> Value {
        let path = self
            .world
            .install_dir("acme/tools/tfc", "0.0.6")
            .join(".skillrig/receipt.json");
        serde_json::from_slice(&std::fs::read(&path).expect("a receipt")).unwrap()
    }

    /// Nothing of tfc 0.0.6 is installed: no binary, no receipt, no staging leftovers.
    fn assert_nothing_installed(&self) {
        let dir = self.world.install_dir("acme/tools/tfc", "0.0.6");
        assert!(!dir.join("bin/tfc").exists(), "a binary was placed");
        assert!(!dir.join(".skillrig/receipt.json").exists());
        if dir.exists() {
            let left: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .flatten()
                .map(|e| e.file_name())
                .collect();
            assert!(left.is_empty(), "left behind: {left:?}");
        }
        let out = self.world.mise(&["where", "skillrig:acme/tools/tfc@0.0.6"]);
        assert!(!out.status.success(), "installed at {}", stdout(&out));
    }
}

fn commit(seed: &str) -> String {
    sha256_hex(seed.as_bytes())[..40].to_owned()
}

fn attestation_requests(world: &World) -> usize {
    world.github.count("/attestations/")
}

#[test]
fn required_and_valid_attestations_install_and_are_recorded() {
    let Some(a) = Attested::new() else { return };
    let tag_commit = commit("tfc 0.0.6");
    a.attest_release(&tag_commit);
    a.attest_build("acme/tools");
    a.world.write_mise_toml(&format!(
        "[tools]\n{TFC} = {{ version = \"0.0.6\", attestations = \"required\", \
         signer_workflow = \"acme/tools/.github/workflows/release.yml@refs/tags/*\" }}\n"
    ));
    a.world.github.clear_log();
    a.install_ok();
    assert_eq!(a.world.run_tool("tfc"), "tfc 0.0.6");
    // One extra request for the tool: the attestations of its asset's digest.
    assert_eq!(attestation_requests(&a.world), 1);

    let receipt = a.receipt();
    let found = &receipt["attestations"];
    assert_eq!(found["policy"], "required");
    assert_eq!(found["status"], "verified");
    let verified = found["verified"].as_array().unwrap();
    let kinds: Vec<&str> = verified
        .iter()
        .map(|v| v["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["release", "build-provenance"]);
    assert_eq!(verified[0]["signer"], "https://dotcom.releases.github.com");
    assert_eq!(verified[0]["instance"], "custom");
    assert_eq!(verified[0]["tag_commit"], tag_commit.as_str());
    assert!(verified[0]["signed_at"].is_string());
    assert_eq!(
        verified[0]["bundle_sha256"].as_str().map(str::len),
        Some(64)
    );
    assert_eq!(
        verified[1]["signer"],
        "https://github.com/acme/tools/.github/workflows/release.yml@refs/tags/0.0.6+tfc"
    );
    assert_eq!(
        verified[1]["issuer"],
        "https://token.actions.githubusercontent.com"
    );
    // The release commit is the one GitHub signed for the tag: no tags request needed.
    assert_eq!(receipt["release_commit"], tag_commit.as_str());
    assert_eq!(a.world.github.count("/git/"), 0);

    // Reinstalling within a day asks GitHub nothing about attestations (cached answer), and
    // still verifies them.
    a.world.github.clear_log();
    let out = a.world.mise_env(
        &["install", "--force", "skillrig:acme/tools/tfc@0.0.6"],
        &a.env(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(attestation_requests(&a.world), 0);
    assert_eq!(a.receipt()["attestations"]["status"], "verified");

    // Without the test instance's root, the built-in roots do not trust these signatures.
    let out = a.world.mise_env(
        &["install", "--force", "skillrig:acme/tools/tfc@0.0.6"],
        &[],
    );
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("not signed by a trusted Sigstore instance"),
        "{text}"
    );
    assert!(
        text.contains("SKILLRIG_TRUSTED_ROOT"),
        "the hint names it:\n{text}"
    );
}

#[test]
fn an_asset_swapped_after_signing_is_refused_and_nothing_is_installed() {
    let Some(a) = Attested::new() else { return };
    a.attest_release(&commit("tfc 0.0.6"));
    let (name, signed) = a.asset("acme", "tools", TAG);
    a.world.write_mise_toml(&format!(
        "[tools]\n{TFC} = {{ version = \"0.0.6\", attestations = \"required\" }}\n"
    ));

    // Only the bytes are swapped: the attestation is about the digest GitHub lists, and the
    // download does not match it.
    a.world.github.tamper_asset(
        "acme",
        "tools",
        &name,
        testkit::tar_gz("tfc", "6.6.6", None, 0),
    );
    let text = a.install_refused();
    assert!(text.contains("sha256 mismatch"), "{text}");
    a.assert_nothing_installed();

    // Swapped and re-listed under its new digest, with the old attestation served for it (a
    // compromised mirror or answer): refused before the download is read, even under `auto`.
    let evil = testkit::tar_gz("tfc", "6.6.6", None, 1);
    let evil_digest = format!("sha256:{}", sha256_hex(&evil));
    a.world.github.update_repo("acme", "tools", |r| {
        let old = r.attestations[0].clone();
        r.attestations.push(Attestation {
            subjects: vec![evil_digest.clone()],
            ..old
        });
        for release in &mut r.releases {
            for asset in &mut release.assets {
                if asset.name == name {
                    asset.bytes = Arc::new(evil.clone());
                    asset.digest = Some(evil_digest.clone());
                }
            }
        }
    });
    a.world
        .write_mise_toml(&format!("[tools]\n{TFC} = \"0.0.6\"\n"));
    a.world.github.clear_log();
    a.forget_cache();
    let text = a.install_refused();
    let line = text
        .lines()
        .find(|l| l.contains("refusing"))
        .unwrap_or_else(|| panic!("no refusal line:\n{text}"));
    assert!(
        line.contains(&format!("refusing `{name}` of acme/tools {TAG}"))
            && line.contains(&format!(
                "the attestation is not about this asset ({evil_digest})"
            )),
        "{line}"
    );
    assert!(text.contains("hint: do not install this asset"), "{text}");
    assert_ne!(evil_digest, format!("sha256:{signed}"));
    // The attestation refused it, before the download was read and hashed.
    assert!(!text.contains("sha256 mismatch"), "{text}");
    a.assert_nothing_installed();
}

#[test]
fn missing_attestations_are_refused_under_required_and_recorded_as_absent_under_auto() {
    let Some(a) = Attested::new() else { return };
    let (name, digest) = a.asset("acme", "tools", TAG);
    // `required` from hosts.toml's [default] (the fleet's setting).
    let hosts = a.world.path("config/skillrig/hosts.toml");
    let mut text = std::fs::read_to_string(&hosts).unwrap();
    text.insert_str(0, "[default]\nattestations = \"required\"\n\n");
    std::fs::write(&hosts, text).unwrap();
    a.world
        .write_mise_toml(&format!("[tools]\n{TFC} = \"0.0.6\"\n"));
    let out = a.install_refused();
    let line = out
        .lines()
        .find(|l| l.contains("has no valid attestation"))
        .unwrap_or_else(|| panic!("no refusal:\n{out}"));
    assert!(
        line.contains(&format!(
            "refusing `{name}` of acme/tools {TAG}: acme/tools has no valid attestation for sha256:{digest}"
        )),
        "{line}"
    );
    assert!(out.contains("immutable releases"), "{out}");
    assert!(out.contains("`required` comes from hosts.toml"), "{out}");
    a.assert_nothing_installed();

    // The tool's option wins over hosts.toml: `auto` installs and records the absence.
    a.world.write_mise_toml(&format!(
        "[tools]\n{TFC} = {{ version = \"0.0.6\", attestations = \"auto\" }}\n"
    ));
    a.install_ok();
    let receipt = a.receipt();
    assert_eq!(
        receipt["attestations"],
        serde_json::json!({"policy": "auto", "status": "absent", "verified": []})
    );
    // `off` does not look.
    a.world.write_mise_toml(&format!(
        "[tools]\n{TFC} = {{ version = \"0.0.6\", attestations = \"off\" }}\n"
    ));
    a.world.github.clear_log();
    let out = a.world.mise_env(
        &["install", "--force", "skillrig:acme/tools/tfc@0.0.6"],
        &a.env(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(attestation_requests(&a.world), 0);
    assert_eq!(a.receipt()["attestations"]["status"], "not-checked");
}

#[test]
fn the_origins_metadata_can_require_attestations_and_a_tool_option_can_relax_it() {
    let Some(a) = Attested::new() else { return };
    a.world.github.update_repo("acme", "tools", |r| {
        let toml = r
            .files
            .get_mut("main")
            .and_then(|f| f.get_mut(".skillrig-origin.toml"))
            .expect("the demo origin has metadata");
        toml.extend_from_slice(b"\n[[binaries]]\nname = \"tfc\"\nattestations = \"required\"\n");
    });
    // hosts.toml's `off` is below the origin's metadata.
    let hosts = a.world.path("config/skillrig/hosts.toml");
    let mut text = std::fs::read_to_string(&hosts).unwrap();
    text.insert_str(0, "[default]\nattestations = \"off\"\n\n");
    std::fs::write(&hosts, text).unwrap();
    a.world
        .write_mise_toml(&format!("[tools]\n{TFC} = \"0.0.6\"\n"));
    let out = a.install_refused();
    assert!(out.contains("has no valid attestation"), "{out}");
    assert!(
        out.contains("`required` comes from the origin's .skillrig-origin.toml"),
        "{out}"
    );
    a.assert_nothing_installed();
    a.world.write_mise_toml(&format!(
        "[tools]\n{TFC} = {{ version = \"0.0.6\", attestations = \"auto\" }}\n"
    ));
    a.install_ok();
    assert_eq!(a.receipt()["attestations"]["status"], "absent");
}

#[test]
fn another_repository_in_the_certificate_is_refused() {
    let Some(a) = Attested::new() else { return };
    a.attest_build("mallory/tools");
    a.world
        .write_mise_toml(&format!("[tools]\n{TFC} = \"0.0.6\"\n"));
    let out = a.install_refused();
    let (name, _) = a.asset("acme", "tools", TAG);
    assert!(
        out.contains(&format!(
            "refusing `{name}` of acme/tools {TAG}: the build-provenance attestation is for repository `mallory/tools`, not `acme/tools`"
        )),
        "{out}"
    );
    assert!(
        out.contains("hint: do not install this asset: it was attested for another repository"),
        "{out}"
    );
    a.assert_nothing_installed();

    // A workflow pattern that the origin's real provenance does not match is refused too.
    a.world
        .github
        .update_repo("acme", "tools", |r| r.attestations.clear());
    a.attest_build("acme/tools");
    a.world.write_mise_toml(&format!(
        "[tools]\n{TFC} = {{ version = \"0.0.6\", signer_workflow = \"acme/tools/.github/workflows/build.yml\" }}\n"
    ));
    a.forget_cache();
    let out = a.install_refused();
    assert!(
        out.contains("was signed by workflow `acme/tools/.github/workflows/release.yml@refs/tags/0.0.6+tfc`, which does not match `acme/tools/.github/workflows/build.yml`"),
        "{out}"
    );
    a.assert_nothing_installed();
}

#[test]
fn a_bad_option_or_trusted_root_is_one_line_with_a_hint() {
    let Some(a) = Attested::new() else { return };
    a.world.write_mise_toml(&format!(
        "[tools]\n{TFC} = {{ version = \"0.0.6\", attestations = \"yes\" }}\n"
    ));
    let out = a.install_refused();
    assert!(
        out.contains(
            "the `attestations` option is `yes`, which is not one of `auto`, `required`, `off`"
        ),
        "{out}"
    );
    a.world
        .write_mise_toml(&format!("[tools]\n{TFC} = \"0.0.6\"\n"));
    std::fs::write(&a.root, "{not json").unwrap();
    let out = a.install_refused();
    assert!(
        out.contains(&format!(
            "trusted root `{}` is not usable",
            a.root.display()
        )),
        "{out}"
    );
    assert!(
        out.contains("hint: SKILLRIG_TRUSTED_ROOT must name a trusted_root.json"),
        "{out}"
    );
    a.assert_nothing_installed();
}

#[test]
fn lock_records_the_attestations_that_vouched() {
    let Some(a) = Attested::new() else { return };
    let tag_commit = commit("tfc 0.0.6 locked");
    a.attest_release(&tag_commit);
    a.world
        .write_mise_toml(&format!("[tools]\n{TFC} = \"0.0.6\"\n"));
    a.world.github.clear_log();
    let out = a.world.skillrig(&["lock"], &a.env());
    assert!(out.status.success(), "{}", stderr(&out));
    let lock: Value = serde_json::from_slice(
        &std::fs::read(a.world.path("project/.skillrig/tools-lock.json")).unwrap(),
    )
    .unwrap();
    let tfc = &lock["tools"]["skillrig:acme/tools/tfc"];
    let (_, attested) = a.asset("acme", "tools", TAG);
    let assets = tfc["assets"].as_object().unwrap();
    assert!(assets.contains_key(&Platform::current().key()));
    for (key, asset) in assets {
        let vouched: Vec<&str> = asset["vouchedBy"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        // Only the attested digest (this machine's asset, and any byte-identical one: the
        // demo's scripts are the same on every platform) is vouched for by the attestation.
        let expected: &[&str] = if asset["sha256"] == attested.as_str() {
            &[
                "checksums-file:tfc_checksums.txt",
                "github-digest",
                "attestation:release",
            ]
        } else {
            &["checksums-file:tfc_checksums.txt", "github-digest"]
        };
        assert_eq!(vouched, expected, "{key}");
    }
    // The release commit came from the release attestation, not the tags API; one
    // attestations request per distinct asset digest.
    assert_eq!(tfc["releaseCommit"], tag_commit.as_str());
    assert_eq!(a.world.github.count("/git/"), 0);
    let digests: std::collections::BTreeSet<&str> = assets
        .values()
        .map(|a| a["sha256"].as_str().unwrap())
        .collect();
    assert_eq!(attestation_requests(&a.world), digests.len());
}

#[test]
fn a_relock_during_an_attestations_outage_keeps_what_the_lock_recorded() {
    let Some(a) = Attested::new() else { return };
    a.attest_release(&commit("tfc 0.0.6 relocked"));
    a.world
        .write_mise_toml(&format!("[tools]\n{TFC} = \"0.0.6\"\n"));
    let out = a.world.skillrig(&["lock"], &a.env());
    assert!(out.status.success(), "{}", stderr(&out));
    let path = a.world.path("project/.skillrig/tools-lock.json");
    let before = std::fs::read_to_string(&path).unwrap();
    assert!(before.contains("attestation:release"), "{before}");

    // GitHub's attestations API is down and nothing is cached: the same assets, with the same
    // digests, keep the attestations the lock recorded, and the run says so.
    a.forget_cache();
    a.world
        .github
        .inject(testkit::Fault::new("/attestations/", testkit::FaultKind::Status(503)).times(1000));
    let out = a.world.skillrig(&["lock"], &a.env());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("kept the attestations the lock recorded for tfc@0.0.6"),
        "{}",
        stderr(&out)
    );
    let vouched = |text: &str| -> Vec<Value> {
        let lock: Value = serde_json::from_str(text).unwrap();
        lock["tools"]["skillrig:acme/tools/tfc"]["assets"]
            .as_object()
            .unwrap()
            .values()
            .map(|asset| asset["vouchedBy"].clone())
            .collect()
    };
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(vouched(&after), vouched(&before), "{after}");
    let out = a.world.skillrig(&["lock", "--check"], &a.env());
    assert!(out.status.success(), "{}", stderr(&out));
}

/// `skillrig-mise verify --json` in the project, asking the world's mise where tools are.
fn verify_json(a: &Attested) -> (i32, Value, String) {
    let w = &a.world;
    let root = w.root.path();
    let data = root.join("mise/data");
    let env = [
        ("MISE_BIN", w.mise_bin().to_str().unwrap()),
        ("MISE_DATA_DIR", data.to_str().unwrap()),
        (
            "MISE_CONFIG_DIR",
            &root.join("mise/config").display().to_string(),
        ),
        (
            "MISE_CACHE_DIR",
            &root.join("mise/cache").display().to_string(),
        ),
        (
            "MISE_STATE_DIR",
            &root.join("mise/state").display().to_string(),
        ),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let project = root.join("project");
    let json = w.skillrig(
        &["verify", "--json", "--project", project.to_str().unwrap()],
        &env,
    );
    let text = w.skillrig(&["verify", "--project", project.to_str().unwrap()], &env);
    let value = serde_json::from_slice(&json.stdout)
        .unwrap_or_else(|_| panic!("verify --json:\n{}{}", stdout(&json), stderr(&json)));
    (json.status.code().unwrap(), value, stdout(&text))
}

#[test]
fn verify_reports_the_attestations_and_binds_the_release_by_its_attested_commit() {
    let Some(world) = World::bare() else { return };
    let repo = provenance_origin().build();
    let git = repo.git.clone().expect("git-backed");
    world.github.add_repo(repo);
    world
        .github
        .add_token(TokenSpec::new(TOKEN, "e2e").owner("acme"));
    world.write_hosts_toml(true);
    let Some(a) = Attested::around(world) else {
        return;
    };
    // The skill is locked at c5 (tfc 0.2.0); jira 1.1.0 was released from c4, its ancestor.
    git.vendor(
        &a.world.path("project"),
        "acme/prov@main",
        "0.2.0+tfc",
        &["deploy-check"],
    );
    let jira_commit = git.commit("1.1.0+jira").unwrap();
    let (name, digest) = a.asset("acme", "prov", "1.1.0+jira");
    let bundle = a.sigstore.sign_release(
        "acme",
        "prov",
        "1.1.0+jira",
        &jira_commit,
        &[(&name, &digest)],
    );
    a.world.github.add_attestation("acme", "prov", bundle);
    a.world
        .write_mise_toml("[tools]\n\"skillrig:acme/prov/jira\" = \"1.1.0\"\n");
    a.install_ok();

    a.world.github.clear_log();
    let (code, json, text) = verify_json(&a);
    let tool = &json["skills"][0]["tools"][0];
    assert_eq!(code, 0, "{json:#}");
    let found = &tool["install"]["attestations"];
    assert_eq!(found["status"], "verified", "{json:#}");
    assert_eq!(found["verified"][0]["kind"], "release");
    assert_eq!(found["verified"][0]["tag_commit"], jira_commit.as_str());
    let provenance = &tool["provenance"];
    assert_eq!(provenance["commit_from"], "attestation");
    assert_eq!(provenance["release_commit"], jira_commit.as_str());
    assert_eq!(provenance["relation"], "release-is-ancestor");
    // The tag was not looked up: the release attestation named its commit.
    assert_eq!(a.world.github.count("/git/ref/tags/"), 0);
    assert!(
        text.contains("attestations: verified at install (auto): release signed by https://dotcom.releases.github.com"),
        "{text}"
    );
    assert!(
        text.contains("(commit GitHub's release attestation names)"),
        "{text}"
    );
}
