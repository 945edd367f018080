//! `testkit serve`: runs the fake GitHub standalone, for the demo, e2e scripts and benchmarks;
//! `testkit vendor`: vendors the demo origin's skills into a project, for the demo's `verify`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write as _;
use std::process::ExitCode;

use testkit::{
    Asset, Attestation, DownloadHost, FakeGitHub, RateLimits, Release, Repo, TestSigstore,
    TokenSpec, demo_origin_with_history, sha256_hex, vendor_demo_skills,
};

const USAGE: &str = "\
usage: testkit serve [options]
       testkit vendor DIR

Serves a fake GitHub API on 127.0.0.1 until killed (SIGINT, SIGTERM or SIGHUP) and prints one
JSON line with its URLs.

options:
  --demo                 add the demo origin acme/tools (private; 5 CLIs, 2 skills; a real git
                         history: each release's tag names the commit that cut it)
  --payload-mb N         add the private origin acme/payload: one CLI `big` (release 1.0.0+big,
                         this machine's platform only) whose executable is N MiB, incompressible
  --public               make the demo origin public
  --token TOKEN[=LOGIN]  accept TOKEN (read access to owner `acme`); repeatable
  --port N               API port (default: random)
  --storage-port N       asset storage port (default: random)
  --anonymous-limit N    hourly rate limit without a token (default 60)
  --downloads DIR        also serve DIR's files like GitHub's release downloads (a 302 to the
                         object path, then the bytes) at `downloads_url`; the plugin's helper
                         mirror for the demo and benchmarks (SKILLRIG_HELPER_BASE_URL)
  --attest ROOT_FILE     attest every release of the served origins as GitHub would (a release
                         attestation and build provenance from .github/workflows/release.yml)
                         with a Sigstore instance made for this run; writes its trusted root to
                         ROOT_FILE (for SKILLRIG_TRUSTED_ROOT)
  --info-file PATH       also write the JSON line to PATH (written last: poll for it)

`testkit vendor DIR` vendors the demo origin's skills deploy-check and release-notes into the
existing project directory DIR as `skillrig add` does: DIR/.agents/skills/<skill>/ and
DIR/.skillrig/skills-lock.json, locked to acme/tools@main at the commit and trees every
`serve --demo` serves, so `skillrig-mise verify` can check DIR against it.

control API (for scripts): GET /_testkit/stats, GET /_testkit/requests,
POST /_testkit/clear-log, POST /_testkit/fault {\"path\",\"status\"|\"kind\"|\"delay_ms\",\"times\"}";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("testkit: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let mut it = args.iter();
    match it.next().map(String::as_str) {
        Some("serve") => {}
        Some("vendor") => return vendor(it.as_slice()),
        Some("-h" | "--help") | None => {
            println!("{USAGE}");
            return Ok(());
        }
        Some(other) => return Err(format!("unknown command `{other}`")),
    }
    let (mut demo, mut public, mut port, mut storage_port) = (false, false, 0u16, 0u16);
    let mut tokens = Vec::new();
    let mut info_file = None;
    let mut anonymous_limit = 60u32;
    let mut payload_mb = None;
    let mut downloads = None;
    let mut attest = None;
    let value = |it: &mut std::slice::Iter<'_, String>, flag: &str| {
        it.next()
            .cloned()
            .ok_or_else(|| format!("{flag} needs a value"))
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--demo" => demo = true,
            "--public" => public = true,
            "--token" => tokens.push(value(&mut it, arg)?),
            "--port" => port = value(&mut it, arg)?.parse().map_err(|_| "bad --port")?,
            "--storage-port" => {
                storage_port = value(&mut it, arg)?
                    .parse()
                    .map_err(|_| "bad --storage-port")?
            }
            "--anonymous-limit" => {
                anonymous_limit = value(&mut it, arg)?.parse().map_err(|_| "bad limit")?
            }
            "--info-file" => info_file = Some(value(&mut it, arg)?),
            "--downloads" => downloads = Some(value(&mut it, arg)?),
            "--attest" => attest = Some(value(&mut it, arg)?),
            "--payload-mb" => {
                let mb: usize = value(&mut it, arg)?
                    .parse()
                    .map_err(|_| "bad --payload-mb (a whole number of MiB)")?;
                if mb == 0 {
                    return Err("--payload-mb must be at least 1".into());
                }
                payload_mb = Some(mb);
            }
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    let github = FakeGitHub::start_on(port, storage_port).map_err(|e| format!("bind: {e}"))?;
    github.set_rate_limits(RateLimits {
        anonymous: anonymous_limit,
        ..RateLimits::default()
    });
    let mut repos = Vec::new();
    if demo {
        let origin = if public {
            demo_origin_with_history().public()
        } else {
            demo_origin_with_history()
        };
        repos.push(origin.build());
    }
    if let Some(mb) = payload_mb {
        repos.push(payload_origin(mb)?);
    }
    if let Some(path) = &attest {
        let sigstore = TestSigstore::new();
        for repo in &mut repos {
            attest_releases(repo, &sigstore);
        }
        std::fs::write(path, sigstore.trusted_root_json()).map_err(|e| format!("{path}: {e}"))?;
    }
    for repo in repos {
        github.add_repo(repo);
    }
    for t in &tokens {
        let (token, login) = t.split_once('=').unwrap_or((t, "demo"));
        github.add_token(TokenSpec::new(token, login).owner("acme"));
    }
    let mut info = serde_json::json!({
        "api_url": github.api_url(),
        "ghes_api_url": github.ghes_api_url(),
        "storage_url": github.storage_url(),
        "pid": std::process::id(),
    });
    // Serves until the process ends, like the fake GitHub.
    let _downloads = match downloads {
        Some(dir) => {
            let host = DownloadHost::start(&dir).map_err(|e| format!("--downloads: {e}"))?;
            info["downloads_url"] = host.url().into();
            Some(host)
        }
        None => None,
    };
    println!("{info}");
    if let Some(path) = info_file {
        // Write-then-rename so a poller never reads half a file.
        let tmp = format!("{path}.tmp");
        std::fs::write(&tmp, format!("{info}\n")).map_err(|e| format!("{path}: {e}"))?;
        std::fs::rename(&tmp, &path).map_err(|e| format!("{path}: {e}"))?;
    }
    // A signal ends the process through `run`'s return, so the fake GitHub is dropped and
    // removes the demo origin's git repository from the temporary directory.
    let (stop, stopped) = std::sync::mpsc::channel();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop.send(());
    }) {
        eprintln!("testkit: no signal handler ({e}); a kill leaves the demo's git repository");
        loop {
            std::thread::park();
        }
    }
    let _ = stopped.recv();
    drop(github);
    Ok(())
}

/// `testkit vendor DIR` (see the usage text).
fn vendor(args: &[String]) -> Result<(), String> {
    let [dir] = args else {
        return Err("vendor takes one argument, the project directory".into());
    };
    let project = std::path::Path::new(dir);
    if !project.is_dir() {
        return Err(format!("vendor: `{dir}` is not a directory"));
    }
    vendor_demo_skills(project);
    Ok(())
}

/// Signs, for every published release of `repo`, GitHub's release attestation over all its
/// assets and SLSA build provenance from `.github/workflows/release.yml` at the tag.
fn attest_releases(repo: &mut Repo, sigstore: &TestSigstore) {
    let (owner, name) = (repo.owner.clone(), repo.name.clone());
    let mut bundles = Vec::new();
    for release in repo.releases.iter().filter(|r| !r.draft) {
        let tag = &release.tag_name;
        // The commit the tag names: from git for a git-backed origin, else the tag's.
        let commit = repo
            .git
            .as_ref()
            .and_then(|git| git.commit(tag))
            .or_else(|| {
                repo.tags
                    .iter()
                    .find(|t| &t.name == tag)
                    .map(|t| t.commit_sha.clone())
            })
            .unwrap_or_else(|| sha256_hex(tag.as_bytes())[..40].to_owned());
        let digests: Vec<(String, String)> = release
            .assets
            .iter()
            .map(|a| (a.name.clone(), sha256_hex(&a.bytes)))
            .collect();
        let subjects: Vec<(&str, &str)> = digests
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_str()))
            .collect();
        bundles.push(sigstore.sign_release(&owner, &name, tag, &commit, &subjects));
        bundles.push(sigstore.sign_provenance(
            &format!("{owner}/{name}"),
            ".github/workflows/release.yml",
            &format!("refs/tags/{tag}"),
            &subjects,
        ));
    }
    repo.attestations
        .extend(bundles.into_iter().map(Attestation::from_bundle));
}

/// The `acme/payload` origin: one release `1.0.0+big` of the CLI `big`, with a per-tool
/// checksums file and GitHub digests, built for this machine only so a large payload is
/// generated once. Unlike the origin builder's padding (a separate `payload.bin` that an
/// installer skips), the executable itself is `mb` MiB, so an install and a plain `tar -x`
/// write the same bytes: a shell script that exits before the incompressible tail.
fn payload_origin(mb: usize) -> Result<Repo, String> {
    const BIN: &str = "big";
    const VERSION: &str = "1.0.0";
    let (os, arch) = goreleaser_platform()?;
    let mut exe = format!("#!/bin/sh\necho \"{BIN} {VERSION}\"\nexit 0\n").into_bytes();
    let total = mb * 1024 * 1024;
    let script_len = exe.len();
    exe.resize(total.max(script_len), 0);
    fill_incompressible(&mut exe[script_len..]);
    let archive = tar_gz_one(BIN, &exe).map_err(|e| format!("building the payload: {e}"))?;
    drop(exe);

    let asset_name = format!("{BIN}_{VERSION}_{os}_{arch}.tar.gz");
    let mut sums = String::new();
    let _ = writeln!(sums, "{}  {asset_name}", sha256_hex(&archive));
    let tag = format!("{VERSION}+{BIN}");
    // No metadata files: the convention alone names the asset and the binary.
    let mut repo = Repo::new("acme", "payload", true);
    repo.add_tag(&tag);
    let mut release = Release::new(&tag);
    release.created_at = 1_750_000_000;
    release.assets = vec![
        Asset::new(&asset_name, archive),
        Asset::new(&format!("{BIN}_checksums.txt"), sums.into_bytes()),
    ];
    repo.releases.push(release);
    Ok(repo)
}

/// This machine's platform in goreleaser's words (`linux`/`darwin`, `amd64`/`arm64`), which is
/// what the convention's default asset name uses.
fn goreleaser_platform() -> Result<(&'static str, &'static str), String> {
    let os = match std::env::consts::OS {
        "linux" => "linux",
        "macos" => "darwin",
        other => return Err(format!("--payload-mb: no asset naming for OS `{other}`")),
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => return Err(format!("--payload-mb: no asset naming for arch `{other}`")),
    };
    Ok((os, arch))
}

/// Fills `buf` with splitmix64 output: deflate cannot shrink it, and unlike the origin
/// builder's sha256 stream it costs well under a second for 256 MiB, so the server starts fast.
fn fill_incompressible(buf: &mut [u8]) {
    let mut state = 0x5EED_0000_0B16_u64;
    for chunk in buf.chunks_mut(8) {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
    }
}

/// A `.tar.gz` holding one executable at the archive root, in stored deflate blocks: that is
/// what `gzip -6` emits for incompressible data anyway (it falls back to stored blocks), so a
/// reader does the same work, and building 256 MiB takes a fraction of a second, not seconds.
fn tar_gz_one(name: &str, data: &[u8]) -> std::io::Result<Vec<u8>> {
    let gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() + data.len() / 64),
        flate2::Compression::none(),
    );
    let mut tar = tar::Builder::new(gz);
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(0o755);
    header.set_mtime(1_750_000_000);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, data)?;
    tar.into_inner()?.finish()
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    #[test]
    fn payload_origin_holds_one_incompressible_executable_of_the_given_size() {
        let repo = payload_origin(1).expect("this platform has goreleaser names");
        let [release] = repo.releases.as_slice() else {
            panic!("one release expected, got {}", repo.releases.len());
        };
        assert_eq!(release.tag_name, "1.0.0+big");
        let (archive, sums) = (&release.assets[0], &release.assets[1]);
        assert!(archive.name.starts_with("big_1.0.0_") && archive.name.ends_with(".tar.gz"));
        assert_eq!(sums.name, "big_checksums.txt");
        // Incompressible: gzip cannot make it smaller than the executable it holds.
        assert!(
            archive.bytes.len() >= 1024 * 1024,
            "{}",
            archive.bytes.len()
        );
        let line = format!("{}  {}\n", sha256_hex(&archive.bytes), archive.name);
        assert_eq!(String::from_utf8_lossy(&sums.bytes), line);

        let gz = flate2::read::GzDecoder::new(archive.bytes.as_slice());
        let mut tar = tar::Archive::new(gz);
        let mut entries = tar.entries().expect("a tar stream");
        let mut entry = entries.next().expect("one entry").expect("readable entry");
        assert_eq!(entry.path().expect("a path").to_str(), Some("big"));
        assert_eq!(entry.header().mode().expect("a mode"), 0o755);
        let mut exe = Vec::new();
        entry.read_to_end(&mut exe).expect("entry body");
        drop(entry);
        assert!(entries.next().is_none(), "only the executable");
        assert_eq!(exe.len(), 1024 * 1024);
        assert!(exe.starts_with(b"#!/bin/sh\necho \"big 1.0.0\"\nexit 0\n"));
        assert!(
            exe[exe.len() - 64..].iter().any(|&b| b != 0),
            "the tail is filled"
        );
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn vendor_locks_the_commit_and_trees_that_serve_demo_serves() {
        let project = std::env::temp_dir().join(format!("testkit-vendor-{}", std::process::id()));
        std::fs::create_dir_all(&project).unwrap();
        let dir = project.display().to_string();
        let vendored = run(&args(&["vendor", &dir]));
        let lock = std::fs::read(project.join(".skillrig/skills-lock.json"));
        let skill_md = project
            .join(".agents/skills/deploy-check/SKILL.md")
            .is_file();
        std::fs::remove_dir_all(&project).unwrap();
        vendored.expect("vendored");
        assert!(skill_md, "SKILL.md copied");

        // What `serve --demo` builds in its own process.
        let served = demo_origin_with_history().build();
        let git = served.git.expect("git-backed");
        let lock: serde_json::Value = serde_json::from_slice(&lock.expect("a lock")).unwrap();
        assert_eq!(lock["lockfileVersion"], 1);
        assert_eq!(lock["origin"], "acme/tools@main");
        let skills = lock["skills"].as_object().unwrap();
        assert_eq!(skills.len(), 2, "{lock:#}");
        for skill in ["deploy-check", "release-notes"] {
            let entry = &skills[skill];
            assert_eq!(entry["commit"].as_str(), git.commit("main").as_deref());
            let tree = git.tree_at("main", &format!("skills/{skill}"));
            assert_eq!(entry["treeSha"].as_str(), tree.as_deref(), "{skill}");
        }
        // Releases point at real commits of that history.
        let tag = served.tags.iter().find(|t| t.name == "0.0.6+tfc").unwrap();
        assert_eq!(
            git.commit("0.0.6+tfc").as_deref(),
            Some(tag.commit_sha.as_str())
        );
    }

    #[test]
    fn vendor_needs_one_existing_directory() {
        let err = run(&args(&["vendor"])).expect_err("no directory");
        assert!(err.contains("one argument"), "{err}");
        let err = run(&args(&["vendor", "/nonexistent/testkit-project"])).expect_err("missing");
        assert!(err.contains("not a directory"), "{err}");
    }

    #[test]
    fn payload_mb_must_be_a_positive_number() {
        for (value, message) in [("0", "at least 1"), ("big", "whole number")] {
            let args: Vec<String> = ["serve", "--payload-mb", value]
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            let err = run(&args).expect_err("rejected before serving");
            assert!(err.contains(message), "{value}: {err}");
        }
    }
}
