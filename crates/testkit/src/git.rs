//! Real git repositories behind a git-backed fake repository.
//!
//! Provenance checks compare commits, ancestry and tree ids, and only real git gets those
//! right (tree ids depend on modes and on git's entry order; ancestry on the commit graph). So a
//! git-backed [`crate::Repo`] keeps a bare repository in a temporary directory, built with the
//! `git` CLI, and the server answers the git endpoints (`git/ref`, `git/tags`, `commits`,
//! `compare`, `git/trees`) and the contents API by asking `git` (`rev-parse`, `merge-base`,
//! `rev-list --count`, `ls-tree`, `cat-file`).
//!
//! Every `git` run is isolated from the developer's configuration (no global or system config,
//! no inherited `GIT_DIR` and friends, C locale), so object ids are the same on every machine.
//! Revisions that start with `-` are refused before they reach `git` (option injection).

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

/// Variables that would point `git` somewhere else; removed from every run.
const GIT_LOCATION_VARS: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
];

/// A bare git repository in a temporary directory, removed when the last clone is dropped.
#[derive(Clone)]
pub struct GitRepo {
    dir: Arc<TempDir>,
}

impl fmt::Debug for GitRepo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("GitRepo").field(&self.dir.path).finish()
    }
}

/// One entry of a tree, as `git ls-tree` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    /// `100644`, `100755`, `120000`, `040000` or `160000`.
    pub mode: String,
    /// `blob`, `tree` or `commit` (submodule).
    pub kind: String,
    /// The object id.
    pub sha: String,
    /// Path relative to the listed tree.
    pub path: String,
    /// Blob size in bytes (`None` for trees and submodules).
    pub size: Option<u64>,
}

/// An annotated tag object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagObject {
    /// The tag object's id.
    pub sha: String,
    /// The tag name recorded in the object.
    pub name: String,
    /// What it points at: `commit` (usually) or another `tag`.
    pub object_type: String,
    /// The id of what it points at.
    pub object_sha: String,
    /// The tag message.
    pub message: String,
}

impl GitRepo {
    /// Creates an empty bare repository whose default branch is `branch`.
    ///
    /// # Panics
    ///
    /// If `git` is not on `PATH` or the repository cannot be created: a git-backed origin is
    /// test setup, and a clear panic beats a confusing later failure.
    pub fn init(branch: &str) -> GitRepo {
        let dir = TempDir::new().expect("create a temporary directory for a git repository");
        let repo = GitRepo { dir: Arc::new(dir) };
        repo.run(
            &["init", "--quiet", "--bare", "--initial-branch", branch],
            None,
        )
        .unwrap_or_else(|e| panic!("git-backed origins need the git CLI on PATH: {e}"));
        repo
    }

    /// The repository's directory (a bare repository: no working tree).
    pub fn path(&self) -> &Path {
        &self.dir.path
    }

    /// Runs `git` in this repository with `args`, feeding `stdin` if given; stdout on success,
    /// stderr (one line) on failure.
    pub fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>, String> {
        let mut cmd = Command::new("git");
        cmd.arg("--git-dir")
            .arg(self.path())
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("LC_ALL", "C")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for var in GIT_LOCATION_VARS {
            cmd.env_remove(var);
        }
        let mut child = cmd.spawn().map_err(|e| format!("cannot run git: {e}"))?;
        if let Some(input) = stdin {
            // Written before reading output; fast-import streams are small enough for the pipe
            // buffer plus git's own reading, and git reads all of stdin before it answers.
            let mut pipe = child.stdin.take().expect("piped stdin");
            pipe.write_all(input)
                .map_err(|e| format!("writing to git: {e}"))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| format!("waiting for git: {e}"))?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            Err(format!(
                "git {}: {}",
                args.first().unwrap_or(&""),
                err.split_whitespace().collect::<Vec<_>>().join(" ")
            ))
        }
    }

    /// Loads a `git fast-import` stream (how the origin builder writes history in one process).
    pub fn fast_import(&self, stream: &[u8]) -> Result<(), String> {
        self.run(&["fast-import", "--quiet", "--done"], Some(stream))
            .map(|_| ())
    }

    /// The full id `rev` names (a branch, tag, sha or `rev:path`), peeled as `rev` says
    /// (`X^{commit}`); `None` if it names nothing or starts with `-`.
    pub fn rev_parse(&self, rev: &str) -> Option<String> {
        if !safe_rev(rev) {
            return None;
        }
        let out = self
            .run(&["rev-parse", "--verify", "--quiet", rev], None)
            .ok()?;
        let sha = String::from_utf8(out).ok()?.trim().to_owned();
        (!sha.is_empty()).then_some(sha)
    }

    /// The commit `rev` points at (tags peeled), if any.
    pub fn commit(&self, rev: &str) -> Option<String> {
        self.rev_parse(&format!("{rev}^{{commit}}"))
    }

    /// The tree id of `path` (`""` for the root) at `rev`, as skillrig computes `treeSha`
    /// (`git rev-parse <rev>:<path>`); `None` if absent or not a directory.
    pub fn tree_at(&self, rev: &str, path: &str) -> Option<String> {
        let commit = self.commit(rev)?;
        let sha = self.rev_parse(&format!("{commit}:{}", path.trim_matches('/')))?;
        (self.object_type(&sha)? == "tree").then_some(sha)
    }

    /// `blob`, `tree`, `commit` or `tag`; `None` for an unknown id.
    pub fn object_type(&self, sha: &str) -> Option<String> {
        if !safe_rev(sha) {
            return None;
        }
        let out = self.run(&["cat-file", "-t", sha], None).ok()?;
        Some(String::from_utf8_lossy(&out).trim().to_owned())
    }

    /// The best common ancestor of two commits; `None` for unrelated histories.
    pub fn merge_base(&self, a: &str, b: &str) -> Option<String> {
        if !safe_rev(a) || !safe_rev(b) {
            return None;
        }
        let out = self.run(&["merge-base", a, b], None).ok()?;
        let sha = String::from_utf8_lossy(&out).trim().to_owned();
        (!sha.is_empty()).then_some(sha)
    }

    /// The number of commits reachable from `head` but not from `base` (`rev-list --count`).
    pub fn count(&self, base: &str, head: &str) -> Option<u64> {
        if !safe_rev(base) || !safe_rev(head) {
            return None;
        }
        let range = format!("{base}..{head}");
        let out = self.run(&["rev-list", "--count", &range], None).ok()?;
        String::from_utf8_lossy(&out).trim().parse().ok()
    }

    /// Commits reachable from `head` but not `base`, oldest first.
    pub fn commits_between(&self, base: &str, head: &str) -> Vec<String> {
        if !safe_rev(base) || !safe_rev(head) {
            return Vec::new();
        }
        let range = format!("{base}..{head}");
        self.run(&["rev-list", "--reverse", &range], None)
            .map(|out| {
                String::from_utf8_lossy(&out)
                    .lines()
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A commit's tree, parents and message.
    pub fn commit_info(&self, sha: &str) -> Option<(String, Vec<String>, String)> {
        if !safe_rev(sha) {
            return None;
        }
        let out = self.run(&["cat-file", "commit", sha], None).ok()?;
        let text = String::from_utf8_lossy(&out);
        let (head, message) = text.split_once("\n\n").unwrap_or((&text, ""));
        let mut tree = None;
        let mut parents = Vec::new();
        for line in head.lines() {
            if let Some(t) = line.strip_prefix("tree ") {
                tree = Some(t.to_owned());
            } else if let Some(p) = line.strip_prefix("parent ") {
                parents.push(p.to_owned());
            }
        }
        Some((tree?, parents, message.to_owned()))
    }

    /// The entries of a tree (or of a commit's tree); recursive lists subtrees as well as
    /// their contents, like GitHub's `?recursive=1`.
    pub fn ls_tree(&self, tree: &str, recursive: bool) -> Option<Vec<TreeEntry>> {
        if !safe_rev(tree) {
            return None;
        }
        let mut args = vec!["ls-tree", "-z", "--long"];
        if recursive {
            args.extend(["-r", "-t"]);
        }
        args.push(tree);
        let out = self.run(&args, None).ok()?;
        let mut entries = Vec::new();
        for record in out.split(|b| *b == 0).filter(|r| !r.is_empty()) {
            // `<mode> SP <type> SP <object> SP+ <size> TAB <path>`
            let record = String::from_utf8_lossy(record);
            let (meta, path) = record.split_once('\t')?;
            let mut fields = meta.split_whitespace();
            let (mode, kind, sha, size) = (
                fields.next()?,
                fields.next()?,
                fields.next()?,
                fields.next()?,
            );
            entries.push(TreeEntry {
                mode: mode.to_owned(),
                kind: kind.to_owned(),
                sha: sha.to_owned(),
                path: path.to_owned(),
                size: size.parse().ok(),
            });
        }
        Some(entries)
    }

    /// A file's bytes at `rev`; `None` if the revision or the file does not exist, or the
    /// path is not a file.
    pub fn file_at(&self, rev: &str, path: &str) -> Option<Vec<u8>> {
        // One process (`cat-file blob` refuses a tree or a missing path): every contents
        // request of a git-backed origin comes through here, and the demo and benchmarks serve
        // one, so each extra `git` run would count against us in their timings.
        let spec = format!("{rev}^{{commit}}:{}", path.trim_matches('/'));
        self.run(&["cat-file", "blob", &spec], None).ok()
    }

    /// An annotated tag object by id.
    pub fn tag_object(&self, sha: &str) -> Option<TagObject> {
        if self.object_type(sha)? != "tag" {
            return None;
        }
        let out = self.run(&["cat-file", "tag", sha], None).ok()?;
        let text = String::from_utf8_lossy(&out);
        let (head, message) = text.split_once("\n\n").unwrap_or((&text, ""));
        let field = |name: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
                .map(str::to_owned)
        };
        Some(TagObject {
            sha: sha.to_owned(),
            name: field("tag")?,
            object_type: field("type")?,
            object_sha: field("object")?,
            message: message.to_owned(),
        })
    }

    /// What `refs/tags/<name>` points at: `("commit", sha)` for a lightweight tag,
    /// `("tag", sha)` for an annotated one.
    pub fn tag_ref(&self, name: &str) -> Option<(String, String)> {
        let sha = self.rev_parse(&format!("refs/tags/{name}"))?;
        Some((self.object_type(&sha)?, sha))
    }

    /// Each tag's name and the commit it finally points at, in ref order.
    pub fn tags(&self) -> Vec<(String, String)> {
        let format = "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)";
        let Ok(out) = self.run(&["for-each-ref", format, "refs/tags"], None) else {
            return Vec::new();
        };
        String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|line| {
                let mut parts = line.split('\0');
                let name = parts.next()?.to_owned();
                let object = parts.next()?;
                let peeled = parts.next().filter(|p| !p.is_empty()).unwrap_or(object);
                Some((name, peeled.to_owned()))
            })
            .collect()
    }

    /// Vendors `skills` as `skillrig add` does at `rev`, into the consumer repository at
    /// `project`: copies `skills/<skill>/` byte- and mode-identical to
    /// `.agents/skills/<skill>/` and writes `.skillrig/skills-lock.json` with the commit, the
    /// tree id of `skills/<skill>` and the manifest version. `origin` is recorded as given.
    ///
    /// # Panics
    ///
    /// If `rev` or a skill does not exist, or a file cannot be written (test setup).
    pub fn vendor(&self, project: &Path, origin: &str, rev: &str, skills: &[&str]) {
        let commit = self
            .commit(rev)
            .unwrap_or_else(|| panic!("no commit `{rev}`"));
        let mut entries = BTreeMap::new();
        for skill in skills {
            let dir = format!("skills/{skill}");
            let tree = self
                .tree_at(&commit, &dir)
                .unwrap_or_else(|| panic!("no `{dir}` at {rev}"));
            let target = project.join(".agents/skills").join(skill);
            for entry in self.ls_tree(&tree, true).expect("list the skill's tree") {
                let dest = target.join(&entry.path);
                match entry.kind.as_str() {
                    "tree" => std::fs::create_dir_all(&dest).expect("create dir"),
                    "blob" => {
                        let bytes = self
                            .run(&["cat-file", "blob", &entry.sha], None)
                            .expect("read blob");
                        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
                        std::fs::write(&dest, bytes).expect("write vendored file");
                        set_executable(&dest, entry.mode == "100755");
                    }
                    _ => {}
                }
            }
            let manifest = self
                .file_at(&commit, &format!("{dir}/SKILL.md"))
                .expect("SKILL.md");
            let version = origin_meta::SkillManifest::parse(&String::from_utf8_lossy(&manifest))
                .map(|m| m.version)
                .unwrap_or_default();
            entries.insert(
                (*skill).to_owned(),
                serde_json::json!({
                    "version": version,
                    "commit": commit,
                    "treeSha": tree,
                    "path": format!(".agents/skills/{skill}"),
                }),
            );
        }
        let lock = serde_json::json!({
            "lockfileVersion": 1,
            "origin": origin,
            "skills": entries,
        });
        let dir = project.join(".skillrig");
        std::fs::create_dir_all(&dir).expect("create .skillrig");
        let mut text = serde_json::to_string_pretty(&lock).expect("serializable");
        text.push('\n');
        std::fs::write(dir.join("skills-lock.json"), text).expect("write skills-lock.json");
    }
}

/// Returns true if and only if `rev` cannot be taken for an option and holds no control
/// characters.
pub(crate) fn safe_rev(rev: &str) -> bool {
    !rev.is_empty() && !rev.starts_with('-') && !rev.chars().any(char::is_control)
}

#[cfg(unix)]
fn set_executable(path: &Path, executable: bool) {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = if executable { 0o755 } else { 0o644 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(not(unix))]
fn set_executable(_path: &Path, _executable: bool) {}

/// A directory removed on drop (std only; testkit keeps its dependencies small).
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> std::io::Result<TempDir> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("testkit-git-{}-{n}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(TempDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Writes a `git fast-import` stream.
pub(crate) struct FastImport {
    out: Vec<u8>,
    next_mark: u32,
}

/// One file change in a fast-import commit.
#[derive(Clone, Copy)]
pub(crate) struct FileChange<'a> {
    pub(crate) path: &'a str,
    pub(crate) bytes: &'a [u8],
    pub(crate) executable: bool,
}

impl FastImport {
    pub(crate) fn new() -> FastImport {
        FastImport {
            out: Vec::new(),
            next_mark: 1,
        }
    }

    fn data(&mut self, bytes: &[u8]) {
        let _ = writeln!(self.out, "data {}", bytes.len());
        self.out.extend_from_slice(bytes);
        self.out.push(b'\n');
    }

    /// A commit on `branch` with parent `from` (a mark; `None` continues the branch's tip in
    /// this stream, or starts a root commit on a new branch). Returns the commit's mark.
    pub(crate) fn commit(
        &mut self,
        branch: &str,
        from: Option<u32>,
        time: u64,
        message: &str,
        changes: &[FileChange<'_>],
    ) -> u32 {
        let mark = self.next_mark;
        self.next_mark += 1;
        let ident = format!("Testkit <testkit@example.invalid> {time} +0000");
        let _ = write!(
            self.out,
            "commit refs/heads/{branch}\nmark :{mark}\nauthor {ident}\ncommitter {ident}\n"
        );
        self.data(message.as_bytes());
        if let Some(parent) = from {
            let _ = writeln!(self.out, "from :{parent}");
        }
        for change in changes {
            let mode = if change.executable {
                "100755"
            } else {
                "100644"
            };
            let _ = writeln!(self.out, "M {mode} inline {}", change.path);
            self.data(change.bytes);
        }
        self.out.push(b'\n');
        mark
    }

    /// A lightweight tag on a commit mark.
    pub(crate) fn lightweight_tag(&mut self, name: &str, commit: u32) {
        let _ = write!(self.out, "reset refs/tags/{name}\nfrom :{commit}\n\n");
    }

    /// An annotated tag on a commit mark.
    pub(crate) fn annotated_tag(&mut self, name: &str, commit: u32, time: u64) {
        let _ = write!(
            self.out,
            "tag {name}\nfrom :{commit}\ntagger Testkit <testkit@example.invalid> {time} +0000\n"
        );
        self.data(format!("Release {name}\n").as_bytes());
    }

    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(b"done\n");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_like_revisions_never_reach_git() {
        for bad in ["", "-n", "--output=/tmp/x", "main\nHEAD"] {
            assert!(!safe_rev(bad), "{bad:?}");
        }
        assert!(safe_rev("1.7.0+jira"));
        assert!(safe_rev("abc123:skills/x"));
    }
}
