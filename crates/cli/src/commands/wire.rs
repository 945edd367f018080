//! `skillrig-mise wire`: make a consumer repository's `mise.toml` install the CLIs its vendored
//! skills require.
//!
//! # What it reads
//!
//! `.skillrig/skills-lock.json` (written by `skillrig add`) names the origin the skills came
//! from and where each one is vendored. Each skill's `SKILL.md` lists `x-skillrig.requires`
//! entries (flat `x-skillrig.requires` or the nested `x-skillrig:` form). An entry is wired
//! when its `source` is the lock's origin (owner and repository compared case-insensitively;
//! the lock's `@REF` is ignored; a `HOST/` in `source` must match the origin's host) and its
//! `manager` is empty or `mise`. Everything else (public CLIs from other repositories, other
//! managers, entries without a `source`) is skipped and listed in [`WireReport::notes`].
//!
//! # What it writes
//!
//! One entry per required tool under `[tools]` in `<project>/mise.toml` (created when absent),
//! keyed `"skillrig:<owner>/<repo>/<tool>"` (`"skillrig:<host>/<owner>/<repo>/<tool>"` for an
//! origin on another host). Editing goes through `toml_edit`, so comments, order, formatting
//! and every other entry stay as they were; new entries are appended to `[tools]` sorted by key.
//!
//! # Mapping a constraint onto mise
//!
//! mise has no range syntax: a tool's version is an exact version, a prefix (`"1"`, `"1.7"`)
//! or `latest`. So wire maps what the skills require (every skill's comparators for the tool,
//! deduplicated and joined with `, `, which means all must hold) like this:
//!
//! | skills require | written |
//! |---|---|
//! | nothing (`""` or `*`) | `"latest"` |
//! | one exact version (`1.2.3`, `=1.2.3`) that the other comparators accept | `"1.2.3"` |
//! | anything else (`>=1.6.0`, `^1.2`, `>=1.6.0, <2`, `=1.2`) | `{ version = "latest", constraint = ">=1.6.0" }` |
//!
//! The `constraint` tool option is enforced by `skillrig-mise` itself: `list-versions` drops
//! versions outside it, so mise's `latest` (the last listed version) is the newest version that
//! satisfies it, and `install` refuses a version outside it.
//!
//! Whether joined comparators such as `>=2, <1.5` can be met depends on the published versions,
//! which wire cannot know offline; it writes them as they are and `list-versions` then lists
//! nothing. The one contradiction it *can* see, an exact version that the other comparators
//! reject (or two different exact versions), is reported as a conflict and the tool is left
//! alone.
//!
//! # Entries already in `mise.toml`
//!
//! An existing entry is found by key, or by an equivalent address (owner and repository in
//! another case, `github.com/` spelled out, `[…]` inline options). wire never changes a version
//! you wrote and never removes an entry. On such entries the `constraint` option belongs to
//! wire: it is set to what the skills require and removed when they require nothing.
//!
//! | existing entry | skills require nothing | skills require a constraint `C` |
//! |---|---|---|
//! | exact `"1.7.0"` | kept | kept if `1.7.0` satisfies `C`, else a **conflict** (not an overwrite) |
//! | fuzzy `"1"`, `"latest"`, `"prefix:1"`, … | kept | becomes `{ version = "1", constraint = "C" }` |
//! | table or inline table | a `constraint` is removed | `constraint = "C"` set; an exact `version` violating `C` is a **conflict** |
//! | array of versions | kept | kept; an exact element violating `C` is a **conflict** |
//! | any other value | **conflict** | **conflict** |
//!
//! Only exact versions can be checked offline; a fuzzy one (`"1"` against `>=2`) is trusted,
//! and `list-versions` enforces `C` when mise resolves it.
//!
//! Entries for the origin's tools that no locked skill requires any more are listed in
//! [`WireReport::notes`], never removed: wire leaves no marker in `mise.toml`, so it cannot
//! tell an entry it wrote from one you wrote, and the file stays yours.
//!
//! # Modes
//!
//! [`Mode::Write`] replaces `mise.toml` atomically (a temporary file in the same directory,
//! then a rename; a symlinked `mise.toml` keeps its link and the file keeps its permissions).
//! [`Mode::DryRun`] and [`Mode::Check`] write nothing; with `Check` the caller exits 1 unless
//! [`WireReport::is_up_to_date`]. In every mode conflicting tools are left untouched and the
//! other changes still apply.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use origin_meta::{
    ManifestErrorKind, Origin, Requirement, SkillManifest, ToolAddress, ToolRequirement,
};
use semver::Version;
use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

use crate::commands::consumer::{
    DEFAULT_SKILLS_DIR, is_from_origin, read_lock, repository_label, skill_dir,
};
use crate::report::{EXIT_USAGE, Failure};

/// Where the skills lock lives, relative to the project root.
pub const LOCK_FILE: &str = ".skillrig/skills-lock.json";

/// The mise configuration file wire edits, relative to the project root.
pub const MISE_TOML: &str = "mise.toml";

/// The tool option carrying a version constraint (honoured by `list-versions` and `install`).
pub const CONSTRAINT_OPTION: &str = "constraint";

/// The mise backend name in tool keys (`skillrig:<address>`).
const BACKEND_PREFIX: &str = "skillrig:";

/// The hint under an invalid `tool` in a requirement.
const TOOL_HINT: &str = "`tool` in `x-skillrig.requires` is the binary's name, e.g. `jira`; `source` names the repository";

/// What [`run`] does with the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write `mise.toml` (atomically) when it changes.
    Write,
    /// Compute and report the changes; write nothing.
    DryRun,
    /// Like `DryRun`; the caller fails unless [`WireReport::is_up_to_date`].
    Check,
}

/// The outcome of one wire run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireReport {
    /// One entry per wired tool, sorted by key (conflicting tools have none).
    pub changes: Vec<Change>,
    /// Requirements wire could not meet without overwriting the user's choice, one line each.
    pub conflicts: Vec<String>,
    /// Informational lines: skipped requirements and entries no skill requires any more.
    pub notes: Vec<String>,
    /// `mise.toml` as it is after this run (`Write`) or would be (`DryRun`, `Check`); empty
    /// when the file does not exist and nothing needs adding.
    pub new_text: String,
    /// `mise.toml` before this run; `None` when it did not exist.
    pub old_text: Option<String>,
    /// The `mise.toml` path.
    pub path: PathBuf,
}

impl WireReport {
    /// Returns true if and only if there is nothing to add or update and no conflict: what
    /// `--check` passes on.
    pub fn is_up_to_date(&self) -> bool {
        self.conflicts.is_empty() && self.changes.iter().all(|c| !c.is_change())
    }

    /// Returns true if and only if `new_text` differs from the file on disk before the run.
    pub fn text_changed(&self) -> bool {
        match &self.old_text {
            Some(old) => *old != self.new_text,
            None => !self.new_text.is_empty(),
        }
    }
}

/// What happened to one tool's entry in `mise.toml`.
///
/// `Display` is one line: `+ KEY = VALUE`, `~ KEY: FROM -> TO` or `= KEY`, with values as
/// inline TOML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new entry.
    Added {
        /// The tool key, e.g. `skillrig:acme/tools/jira`.
        key: String,
        /// The value as inline TOML, e.g. `"latest"`.
        value: String,
    },
    /// An existing entry gained, changed or lost its `constraint` option.
    Updated {
        /// The tool key as written in `mise.toml`.
        key: String,
        /// The value before, as inline TOML.
        from: String,
        /// The value after, as inline TOML.
        to: String,
    },
    /// The entry already says what the skills require.
    Unchanged {
        /// The tool key as written in `mise.toml`.
        key: String,
    },
}

impl Change {
    /// The tool key.
    pub fn key(&self) -> &str {
        match self {
            Change::Added { key, .. } | Change::Updated { key, .. } | Change::Unchanged { key } => {
                key
            }
        }
    }

    /// Returns true if and only if the entry is added or updated.
    pub fn is_change(&self) -> bool {
        !matches!(self, Change::Unchanged { .. })
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Added { key, value } => write!(f, "+ {key} = {value}"),
            Change::Updated { key, from, to } => write!(f, "~ {key}: {from} -> {to}"),
            Change::Unchanged { key } => write!(f, "= {key}"),
        }
    }
}

/// The nearest directory at or above `start` holding `.skillrig/skills-lock.json`.
pub fn find_project_dir(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(LOCK_FILE).is_file())
        .map(Path::to_owned)
}

/// Wires the project at `project_dir`: reads the lock and the vendored skills, and brings
/// `mise.toml` in line with what they require (see the module docs for the rules).
///
/// # Errors
///
/// A missing lock, a lock without a GitHub origin, a malformed lock, `SKILL.md` or
/// `mise.toml`, or an invalid `tool`/`version` in a requirement from the origin is a usage
/// failure (exit 2) naming the file; a vendored skill that cannot be read or a failed write is
/// an operation failure (exit 1). Nothing is written when an error is returned.
pub fn run(project_dir: &Path, mode: Mode) -> Result<WireReport, Failure> {
    let mut notes = Vec::new();
    let (origin, plans) = collect(project_dir, &mut notes)?;

    let path = project_dir.join(MISE_TOML);
    let old_text = read_optional(&path)?;
    let mut doc = match &old_text {
        Some(text) => parse_mise_toml(&path, text)?,
        None => DocumentMut::new(),
    };
    let (changes, conflicts) = apply(&mut doc, &path, &origin, &plans, &mut notes)?;
    let new_text = doc.to_string();

    let report = WireReport {
        changes,
        conflicts,
        notes,
        new_text,
        old_text,
        path,
    };
    if mode == Mode::Write && report.text_changed() {
        write_atomic(&report.path, &report.new_text).map_err(|e| {
            Failure::from_cause(&e).hint("nothing was changed; check the directory's permissions")
        })?;
    }
    Ok(report)
}

/// A tool the skills require, with everything needed to write or check its entry.
#[derive(Debug)]
struct Plan {
    /// `skillrig:<address>`.
    key: String,
    address: ToolAddress,
    /// Comparators joined with `, `; empty when the skills accept any version.
    constraint: String,
    req: Requirement,
    target: Target,
    /// `(skill, constraint as written)`, for messages.
    askers: Vec<(String, String)>,
}

#[derive(Debug)]
enum Target {
    /// Any version: `"latest"`.
    Any,
    /// One exact version every comparator accepts.
    Pin(Version),
    /// A range: `latest` plus the `constraint` option.
    Range,
    /// An exact version the other comparators reject, or two exact versions.
    Contradiction,
}

impl Plan {
    /// Returns true if and only if no version can satisfy the skills (see [`Target`]).
    fn is_contradiction(&self) -> bool {
        matches!(self.target, Target::Contradiction)
    }

    /// The value a fresh entry gets.
    fn fresh_value(&self) -> Value {
        match &self.target {
            Target::Any => Value::from("latest"),
            Target::Pin(version) => Value::from(version.to_string()),
            Target::Range | Target::Contradiction => {
                let mut table = InlineTable::new();
                table.insert("version", Value::from("latest"));
                table.insert(CONSTRAINT_OPTION, Value::from(self.constraint.as_str()));
                table.fmt();
                Value::InlineTable(table)
            }
        }
    }

    /// Which skills asked for what, e.g. `` `deploy-check` (>=1.6.0), `lint` (*) ``.
    fn askers(&self) -> String {
        self.askers
            .iter()
            .map(|(skill, version)| format!("`{skill}` ({version})"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Accumulates one tool's requirements across skills.
struct Wanted {
    address: ToolAddress,
    comparators: Vec<String>,
    askers: Vec<(String, String)>,
}

/// Reads the lock and every locked skill's manifest; returns the origin and one plan per tool.
fn collect(project_dir: &Path, notes: &mut Vec<String>) -> Result<(Origin, Vec<Plan>), Failure> {
    let lock_path = project_dir.join(LOCK_FILE);
    let lock = read_lock(
        &lock_path,
        &[
            "`skillrig add <skill>` vendors a skill and creates the lock",
            "run `skillrig-mise wire` in the project root",
        ],
    )?;
    let Some(origin_text) = lock.origin() else {
        return Err(Failure::usage(format!(
            "`{}` names no origin, so there is nothing to wire tools from",
            lock_path.display()
        ))
        .hint("`skillrig add` records the origin it vendors from; re-add a skill with an origin configured"));
    };
    let origin =
        Origin::parse(origin_text).map_err(|e| in_file(&lock_path, &e).with_code(EXIT_USAGE))?;
    let origin_label = repository_label(&origin);

    let mut wanted: BTreeMap<String, Wanted> = BTreeMap::new();
    for (name, entry) in lock.skills() {
        let dir = skill_dir(name, &entry.path).ok_or_else(|| {
            Failure::usage(format!(
                "`{}`: skill `{name}` has path `{}`, which is not inside the project",
                lock_path.display(),
                entry.path
            ))
            .hint(format!("`skillrig add` vendors skills under `{DEFAULT_SKILLS_DIR}/<skill>`; re-add the skill"))
        })?;
        let manifest_path = project_dir.join(dir).join("SKILL.md");
        let manifest = SkillManifest::from_path(&manifest_path).map_err(|e| {
            let failure = Failure::from_error(&e);
            match e.kind() {
                ManifestErrorKind::Io(_) => failure.hint(
                    "`skillrig verify` lists missing or changed skills; `skillrig add <skill>` restores one",
                ),
                _ => failure.with_code(EXIT_USAGE).hint(
                    "`SKILL.md` is vendored by `skillrig add`; fix it in the origin and re-add the skill",
                ),
            }
        })?;
        for requirement in &manifest.requires {
            let Some(tool) = wired_tool(name, requirement, &origin, &origin_label, notes) else {
                continue;
            };
            // A full address would name its own repository and bypass the source check.
            if tool.contains('/') {
                return Err(Failure::usage(format!(
                    "`{}`: `tool: {tool}` in `x-skillrig.requires` is an address, not a binary name",
                    manifest_path.display()
                ))
                .hint(TOOL_HINT));
            }
            let address = ToolAddress::parse(tool, Some(&origin.to_string())).map_err(|e| {
                in_file(&manifest_path, &e)
                    .with_code(EXIT_USAGE)
                    .hint(TOOL_HINT)
            })?;
            // Validated per skill so the error names the file that holds the bad constraint.
            let parsed = requirement
                .constraint()
                .map_err(|e| in_file(&manifest_path, &e).with_code(EXIT_USAGE))?;
            let key = format!("{BACKEND_PREFIX}{address}");
            let slot = wanted.entry(key).or_insert_with(|| Wanted {
                address,
                comparators: Vec::new(),
                askers: Vec::new(),
            });
            slot.askers.push((name.clone(), parsed.to_string()));
            for part in requirement.version.split(',').map(str::trim) {
                if !part.is_empty() && part != "*" && !slot.comparators.iter().any(|c| c == part) {
                    slot.comparators.push(part.to_owned());
                }
            }
        }
    }

    let plans = wanted
        .into_iter()
        .map(|(key, w)| plan(key, w))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((origin, plans))
}

/// The requirement's tool name if wire should wire it; otherwise records why not.
fn wired_tool<'r>(
    skill: &str,
    requirement: &'r ToolRequirement,
    origin: &Origin,
    origin_label: &str,
    notes: &mut Vec<String>,
) -> Option<&'r str> {
    let tool = requirement.tool.trim();
    let shown = if tool.is_empty() { "(no tool)" } else { tool };
    let manager = requirement.manager.trim();
    if !manager.is_empty() && !manager.eq_ignore_ascii_case("mise") {
        notes.push(format!(
            "skill `{skill}`: `{shown}` is for manager `{manager}`, not mise; skipped"
        ));
        return None;
    }
    let source = requirement.source.trim();
    if source.is_empty() {
        notes.push(format!(
            "skill `{skill}`: `{shown}` has no `source`; skipped (set `source: {origin_label}` if the origin releases it)"
        ));
        return None;
    }
    if !is_from_origin(source, origin) {
        notes.push(format!(
            "skill `{skill}`: `{shown}` comes from `{source}`, not the origin `{origin_label}`; skipped (install it another way)"
        ));
        return None;
    }
    Some(tool)
}

/// Decides what one tool's entry should say.
fn plan(key: String, wanted: Wanted) -> Result<Plan, Failure> {
    let constraint = wanted.comparators.join(", ");
    // Each part parsed on its own already; the joined form is rechecked rather than assumed.
    let req = Requirement::parse(&constraint)
        .map_err(|e| Failure::from_error(&e).with_code(EXIT_USAGE))?;
    let pin = wanted.comparators.iter().find_map(|c| exact_comparator(c));
    let target = match pin {
        _ if wanted.comparators.is_empty() => Target::Any,
        Some(version) if req.matches(&version) => Target::Pin(version),
        Some(_) => Target::Contradiction,
        None => Target::Range,
    };
    Ok(Plan {
        key,
        address: wanted.address,
        constraint,
        req,
        target,
        askers: wanted.askers,
    })
}

/// The version of a comparator that names exactly one version (`1.2.3`, `=1.2.3`, `=v1.2.3`).
fn exact_comparator(comparator: &str) -> Option<Version> {
    let rest = comparator.trim();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim_start();
    exact_version(rest)
}

/// A version string that is one exact SemVer version (a leading `v` allowed).
fn exact_version(text: &str) -> Option<Version> {
    let text = text.trim();
    let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
    Version::parse(text).ok()
}

/// Brings `doc`'s `[tools]` in line with the plans.
fn apply(
    doc: &mut DocumentMut,
    path: &Path,
    origin: &Origin,
    plans: &[Plan],
    notes: &mut Vec<String>,
) -> Result<(Vec<Change>, Vec<String>), Failure> {
    let mut changes = Vec::new();
    let mut conflicts = Vec::new();

    let root = doc.as_table_mut();
    if !root.contains_key("tools") {
        if plans.iter().all(Plan::is_contradiction) {
            conflicts.extend(plans.iter().map(contradiction));
            return Ok((changes, conflicts));
        }
        root.insert("tools", Item::Table(Table::new()));
    }
    let tools = root
        .get_mut("tools")
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| {
            Failure::usage(format!("`{}`: `tools` is not a table", path.display()))
                .hint("mise expects `[tools]` with entries such as `node = \"22\"`")
        })?;

    let existing: Vec<(String, Option<ToolAddress>)> = tools
        .iter()
        .filter_map(|(key, _)| {
            let rest = key.strip_prefix(BACKEND_PREFIX)?;
            // mise allows inline options in the key: `skillrig:acme/tools/jira[bin=jira]`.
            let address = rest.split('[').next().unwrap_or(rest);
            Some((key.to_owned(), ToolAddress::parse(address, None).ok()))
        })
        .collect();
    let same_tool = |a: &ToolAddress, b: &ToolAddress| {
        a.origin().same_repository(b.origin()) && a.bin() == b.bin()
    };

    for plan in plans {
        if plan.is_contradiction() {
            conflicts.push(contradiction(plan));
            continue;
        }
        let found = existing
            .iter()
            .find(|(key, _)| *key == plan.key)
            .or_else(|| {
                existing.iter().find(|(_, address)| {
                    address
                        .as_ref()
                        .is_some_and(|a| same_tool(a, &plan.address))
                })
            })
            .map(|(key, _)| key.clone());
        let Some(key) = found else {
            let value = plan.fresh_value();
            changes.push(Change::Added {
                key: plan.key.clone(),
                value: render_value(&value),
            });
            tools.insert(&plan.key, Item::Value(value));
            continue;
        };
        let Some(item) = tools.get_mut(&key) else {
            continue;
        };
        match reconcile(item, plan, &key) {
            Ok(change) => changes.push(change),
            Err(conflict) => conflicts.push(conflict),
        }
    }

    for (key, address) in &existing {
        let Some(address) = address else { continue };
        if address.origin().same_repository(origin)
            && !plans.iter().any(|p| same_tool(&p.address, address))
        {
            notes.push(format!(
                "`{key}` is not required by any locked skill; wire leaves it (remove it if nothing else needs it)"
            ));
        }
    }
    Ok((changes, conflicts))
}

/// The conflict line for a tool whose requirements contradict each other.
fn contradiction(plan: &Plan) -> String {
    format!(
        "no version of `{}` can satisfy what the skills require: {}; fix their `x-skillrig.requires` (mise.toml left as it is)",
        plan.key,
        plan.askers()
    )
}

/// Checks or updates one existing entry; `Err` is a conflict line.
fn reconcile(item: &mut Item, plan: &Plan, key: &str) -> Result<Change, String> {
    let unchanged = || Change::Unchanged {
        key: key.to_owned(),
    };
    let pin_conflict = |pin: &str| {
        format!(
            "`{key}` is pinned to `{pin}` in mise.toml, but the skills require {}; change the pin, or remove the entry and run `skillrig-mise wire` again",
            plan.askers()
        )
    };
    let from = render_item(item);
    let any = matches!(plan.target, Target::Any);

    if let Some(Value::String(text)) = item.as_value() {
        let version = text.value().trim().to_owned();
        if let Some(exact) = exact_version(&version) {
            return if plan.req.matches(&exact) {
                Ok(unchanged())
            } else {
                Err(pin_conflict(&version))
            };
        }
        if any {
            return Ok(unchanged());
        }
        // A fuzzy version stays the user's; the constraint makes mise resolve it within range.
        let decor = text.decor().clone();
        let mut table = InlineTable::new();
        table.insert("version", Value::from(version.as_str()));
        table.insert(CONSTRAINT_OPTION, Value::from(plan.constraint.as_str()));
        table.fmt();
        let mut value = Value::InlineTable(table);
        *value.decor_mut() = decor;
        *item = Item::Value(value);
        return Ok(Change::Updated {
            key: key.to_owned(),
            from,
            to: render_item(item),
        });
    }

    if let Some(Value::Array(array)) = item.as_value() {
        for element in array.iter().filter_map(Value::as_str) {
            if let Some(exact) = exact_version(element)
                && !plan.req.matches(&exact)
            {
                return Err(pin_conflict(element.trim()));
            }
        }
        return Ok(unchanged());
    }

    let Some(table) = item.as_table_like() else {
        return Err(format!(
            "`{key}` in mise.toml is a {}, not a version or a table; wire left it alone",
            item.type_name()
        ));
    };
    if let Some(version) = table.get("version").and_then(Item::as_str)
        && let Some(exact) = exact_version(version)
        && !plan.req.matches(&exact)
    {
        return Err(pin_conflict(version.trim()));
    }
    let current = table.get(CONSTRAINT_OPTION).map(|i| i.as_str());
    let edited = match (any, current) {
        (true, None) => false,
        (true, Some(_)) => {
            remove_option(item, CONSTRAINT_OPTION);
            true
        }
        (false, Some(Some(text))) if text == plan.constraint => false,
        (false, _) => {
            set_option(item, CONSTRAINT_OPTION, &plan.constraint);
            true
        }
    };
    Ok(if edited {
        Change::Updated {
            key: key.to_owned(),
            from,
            to: render_item(item),
        }
    } else {
        unchanged()
    })
}

/// Sets a string option on a table or inline table entry, keeping surrounding formatting.
fn set_option(item: &mut Item, name: &str, text: &str) {
    if let Some(existing) = item
        .as_table_like_mut()
        .and_then(|t| t.get_mut(name))
        .and_then(Item::as_value_mut)
    {
        let decor = existing.decor().clone();
        *existing = Value::from(text);
        *existing.decor_mut() = decor;
        return;
    }
    if let Some(inline) = item.as_inline_table_mut() {
        // The last value's trailing space (before `}`) moves to the new last value, so the
        // result reads `{ a = 1, b = 2 }` rather than `{ a = 1 , b = 2 }`.
        let trailing = move_last_suffix(inline, "");
        let value = Value::from(text).decorated(" ", trailing.unwrap_or_else(|| " ".to_owned()));
        inline.insert(name, value);
    } else if let Some(table) = item.as_table_like_mut() {
        table.insert(name, toml_edit::value(text));
    }
}

/// Removes an option from a table or inline table entry, keeping the closing spacing.
fn remove_option(item: &mut Item, name: &str) {
    if let Some(inline) = item.as_inline_table_mut() {
        let was_last = inline.iter().last().is_some_and(|(k, _)| k == name);
        let removed = inline.remove(name);
        if was_last && let Some(removed) = removed {
            let trailing = removed
                .decor()
                .suffix()
                .and_then(|s| s.as_str())
                .unwrap_or(" ");
            move_last_suffix(inline, trailing);
        }
    } else if let Some(table) = item.as_table_like_mut() {
        table.remove(name);
    }
}

/// Replaces the last value's suffix decor with `suffix`; returns the old one.
fn move_last_suffix(inline: &mut InlineTable, suffix: &str) -> Option<String> {
    let last = inline.iter().last().map(|(k, _)| k.to_owned())?;
    let value = inline.get_mut(&last)?;
    let old = value
        .decor()
        .suffix()
        .and_then(|s| s.as_str())
        .map(str::to_owned);
    value.decor_mut().set_suffix(suffix);
    old
}

/// A value as inline TOML, without the whitespace and comments around it.
fn render_value(value: &Value) -> String {
    let mut value = value.clone();
    value.decor_mut().clear();
    value.to_string()
}

/// An entry as inline TOML (a `[tools."…"]` table shown in its inline form).
fn render_item(item: &Item) -> String {
    match item {
        Item::Value(value) => render_value(value),
        Item::Table(table) => {
            let mut inline = table.clone().into_inline_table();
            inline.fmt();
            render_value(&Value::InlineTable(inline))
        }
        other => other.to_string().trim().to_owned(),
    }
}

/// Reads `mise.toml`; `None` when it does not exist.
fn read_optional(path: &Path) -> Result<Option<String>, Failure> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::from_cause(&FileError::new("read", path, e))),
    }
}

fn parse_mise_toml(path: &Path, text: &str) -> Result<DocumentMut, Failure> {
    text.parse::<DocumentMut>().map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let at = line.map(|n| format!(" (line {n})")).unwrap_or_default();
        Failure::usage(format!(
            "`{}` is not valid TOML: {}{at}",
            path.display(),
            e.message()
        ))
        .hint("fix the file first; wire edits it in place and keeps everything else")
    })
}

/// Replaces `path` with `text` via a temporary file in the same directory and a rename, so a
/// reader (or a crash) never sees a half-written `mise.toml`.
fn write_atomic(path: &Path, text: &str) -> Result<(), FileError> {
    // Write through a symlinked mise.toml (dotfile setups) instead of replacing the link.
    let target = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).map_err(|e| FileError::new("resolve", path, e))?
        }
        _ => path.to_owned(),
    };
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| MISE_TOML.to_owned());
    let permissions = fs::metadata(&target).ok().map(|m| m.permissions());

    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.wire-{}-{attempt}.tmp", std::process::id()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(file) => break (tmp, file),
            // A leftover from a crashed run with the same pid: take the next name.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(FileError::new("create a temporary file in", dir, e)),
        }
    };
    let result = (|| {
        file.write_all(text.as_bytes())?;
        if let Some(permissions) = permissions {
            file.set_permissions(permissions)?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, &target)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        FileError::new("write", &target, e)
    })
}

/// A failed file operation, naming the path (the cause is the `source`).
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} `{}`", path.display())]
struct FileError {
    action: &'static str,
    path: PathBuf,
    #[source]
    source: io::Error,
}

impl FileError {
    fn new(action: &'static str, path: &Path, source: io::Error) -> FileError {
        FileError {
            action,
            path: path.to_owned(),
            source,
        }
    }
}

/// A failure about a file: "`<path>`: <error and its causes>", with the error's hints.
fn in_file(path: &Path, error: &dyn hint::Hint) -> Failure {
    Failure::from_error(error).in_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(text: &str) -> Origin {
        Origin::parse(text).unwrap()
    }

    #[test]
    fn source_matching() {
        let github = origin("Acme/Tools@main");
        for (source, want) in [
            ("acme/tools", true),
            ("ACME/TOOLS", true),
            ("acme/tools@v2", true),
            ("github.com/acme/tools", true),
            ("ghe.example.com/acme/tools", false),
            ("acme/other", false),
            ("cli/cli", false),
            ("not a repo", false),
            ("./local", false),
        ] {
            assert_eq!(is_from_origin(source, &github), want, "{source}");
        }
        let ghe = origin("ghe.example.com/acme/tools");
        for (source, want) in [
            ("acme/tools", true),
            ("GHE.example.com/acme/tools", true),
            ("github.com/acme/tools", false),
            ("other.example.com/acme/tools", false),
        ] {
            assert_eq!(is_from_origin(source, &ghe), want, "{source}");
        }
    }

    #[test]
    fn exact_comparators() {
        for (text, want) in [
            ("1.2.3", Some("1.2.3")),
            ("=1.2.3", Some("1.2.3")),
            ("= v1.2.3", Some("1.2.3")),
            ("=2.0.0-rc.1", Some("2.0.0-rc.1")),
            ("=1.2", None),
            ("1", None),
            (">=1.2.3", None),
            ("^1.2.3", None),
            ("==1.2.3", None),
        ] {
            assert_eq!(
                exact_comparator(text).map(|v| v.to_string()).as_deref(),
                want,
                "{text}"
            );
        }
    }

    fn wanted(comparators: &[&str]) -> Wanted {
        Wanted {
            address: ToolAddress::parse("acme/tools/jira", None).unwrap(),
            comparators: comparators.iter().map(|c| (*c).to_owned()).collect(),
            askers: Vec::new(),
        }
    }

    #[test]
    fn targets_and_fresh_values() {
        for (comparators, value) in [
            (&[][..], r#""latest""#),
            (&["=1.2.3"][..], r#""1.2.3""#),
            (&["1.2.3", ">=1.0"][..], r#""1.2.3""#),
            (
                &[">=1.6.0"][..],
                r#"{ version = "latest", constraint = ">=1.6.0" }"#,
            ),
            (
                &[">=1.6.0", "<2"][..],
                r#"{ version = "latest", constraint = ">=1.6.0, <2" }"#,
            ),
            (
                &["=1.2"][..],
                r#"{ version = "latest", constraint = "=1.2" }"#,
            ),
        ] {
            let plan = plan("k".into(), wanted(comparators)).unwrap();
            assert_eq!(render_value(&plan.fresh_value()), value, "{comparators:?}");
        }
        for comparators in [&["=1.2.3", ">=2"][..], &["1.2.3", "1.2.4"][..]] {
            let plan = plan("k".into(), wanted(comparators)).unwrap();
            assert!(
                matches!(plan.target, Target::Contradiction),
                "{comparators:?}: {:?}",
                plan.target
            );
        }
    }

    #[test]
    fn skill_dirs_stay_inside_the_project() {
        assert_eq!(
            skill_dir("a", ".agents/skills/a"),
            Some(PathBuf::from(".agents/skills/a"))
        );
        assert_eq!(skill_dir("a", ""), Some(PathBuf::from(".agents/skills/a")));
        assert_eq!(
            skill_dir("a", "./skills/a"),
            Some(PathBuf::from("./skills/a"))
        );
        for bad in ["../a", "/etc", ".agents/../../a", ".", "./"] {
            assert_eq!(skill_dir("a", bad), None, "{bad}");
        }
        assert_eq!(skill_dir("..", ""), None);
    }

    fn entry_after(existing: &str, comparators: &[&str]) -> (Result<Change, String>, String) {
        let mut doc: DocumentMut = format!("[tools]\n\"skillrig:acme/tools/jira\" = {existing}\n")
            .parse()
            .unwrap();
        let plan = plan("skillrig:acme/tools/jira".into(), wanted(comparators)).unwrap();
        let tools = doc["tools"].as_table_mut().unwrap();
        let item = tools.get_mut("skillrig:acme/tools/jira").unwrap();
        let outcome = reconcile(item, &plan, "skillrig:acme/tools/jira");
        let text = doc.to_string();
        let line = text.lines().nth(1).unwrap().to_owned();
        (outcome, line)
    }

    #[test]
    fn reconcile_table() {
        let key = r#""skillrig:acme/tools/jira" = "#;
        let cases: &[(&str, &[&str], &str, bool)] = &[
            // (existing value, comparators, resulting value, changed)
            (r#""1.7.0""#, &[">=1.6.0"], r#""1.7.0""#, false),
            (r#""v1.7.0""#, &["1.7.0"], r#""v1.7.0""#, false),
            (r#""latest""#, &[], r#""latest""#, false),
            (
                r#""latest" # newest"#,
                &[">=1.6.0"],
                r#"{ version = "latest", constraint = ">=1.6.0" } # newest"#,
                true,
            ),
            (
                r#""1""#,
                &["^1.2"],
                r#"{ version = "1", constraint = "^1.2" }"#,
                true,
            ),
            (
                r#"{ version = "latest" }"#,
                &[">=1.6.0"],
                r#"{ version = "latest", constraint = ">=1.6.0" }"#,
                true,
            ),
            (
                r#"{version="latest",constraint=">=1.0"}"#,
                &[">=1.6.0"],
                r#"{version="latest",constraint=">=1.6.0"}"#,
                true,
            ),
            (
                r#"{ version = "latest", constraint = ">=1.6.0" }"#,
                &[">=1.6.0"],
                r#"{ version = "latest", constraint = ">=1.6.0" }"#,
                false,
            ),
            (
                r#"{ version = "latest", constraint = ">=1.6.0" }"#,
                &[],
                r#"{ version = "latest" }"#,
                true,
            ),
            (
                r#"{ constraint = ">=1.6.0", version = "latest" }"#,
                &[],
                r#"{ version = "latest" }"#,
                true,
            ),
            (
                r#"["1.7.0", "2"]"#,
                &[">=1.6.0"],
                r#"["1.7.0", "2"]"#,
                false,
            ),
        ];
        for &(existing, comparators, want, changed) in cases {
            let (outcome, line) = entry_after(existing, comparators);
            let change = outcome.unwrap_or_else(|c| panic!("{existing}: conflict {c}"));
            assert_eq!(line, format!("{key}{want}"), "{existing} {comparators:?}");
            assert_eq!(change.is_change(), changed, "{existing}: {change}");
        }
        for (existing, comparators) in [
            (r#""1.5.0""#, &[">=1.6.0"][..]),
            (r#"{ version = "1.5.0" }"#, &[">=1.6.0"][..]),
            (r#"["1.7.0", "1.5.0"]"#, &[">=1.6.0"][..]),
            ("42", &[][..]),
        ] {
            let (outcome, line) = entry_after(existing, comparators);
            assert!(outcome.is_err(), "{existing}: {outcome:?}");
            assert_eq!(
                line,
                format!("{key}{existing}"),
                "conflicts leave the entry"
            );
        }
    }
}
