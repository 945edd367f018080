//! `skillrig-mise wire`: make a consumer repository's `mise.toml` install the CLIs its vendored
//! skills require, at versions those skills accept, whatever else is installed on the machine.
//!
//! # What it reads
//!
//! `.skillrig/skills-lock.json` (written by `skillrig add`) names the origin the skills came
//! from and where each one is vendored; each skill's `SKILL.md` lists `x-skillrig.requires`
//! entries. Which entries the origin serves, and which are skipped or malformed, is the
//! [`consumer`](crate::consumer) module's rule (shared with `verify` and `lock`). A malformed
//! entry (an address as `tool`, a bad constraint) is a usage error: nothing is written.
//!
//! # What it writes: pins, because mise resolves `latest` without asking us
//!
//! mise resolves a fuzzy version (`latest`, `1`) against the versions *already installed* on the
//! machine without calling the plugin, so a constraint kept in a tool option cannot hold: if
//! another project installed `jira 2.10.0`, a project whose skills need `>=1.6.0, <2` would run
//! 2.10.0. So a range is written as an **exact pin** — the newest released version that
//! satisfies it (prereleases skipped) — with the range kept beside it as the `constraint`
//! option (which `list-versions` and `install` honour, so `mise upgrade --bump` stays inside
//! it too):
//!
//! | skills require | written |
//! |---|---|
//! | nothing (`""` or `*`) | `"latest"` |
//! | one exact version (`1.2.3`, `=1.2.3`) the other comparators accept | `"1.2.3"` |
//! | anything else (`>=1.6.0`, `^1.2`, `>=1.6.0, <2`) | `{ version = "1.7.0", constraint = ">=1.6.0, <2" }` |
//!
//! Picking a pin asks the origin for the tool's versions (one cached listing per origin); a
//! tool the origin does not release is reported and not written. `--check` asks nothing.
//!
//! # Entries already in `mise.toml`
//!
//! An existing entry is found by key, or by an equivalent address (owner and repository in
//! another case, `github.com/` spelled out, `[…]` inline options). wire never removes an entry,
//! and never moves a pin you wrote unless asked (`--upgrade`):
//!
//! | existing entry | skills require nothing | an exact version `E` | a range `C` |
//! |---|---|---|---|
//! | exact `V` | kept | kept if `V = E`, else a **conflict** | kept if `V` satisfies `C` (the `constraint` option set), else a **conflict** |
//! | fuzzy `"1"`, `"latest"`, … | kept | becomes `"E"` | becomes the newest version in `C` |
//! | a table with `version` | the same, by its `version`; a `constraint` option is removed | same | same, `constraint` set |
//! | array of versions | kept | kept; an exact element violating it is a **conflict** | same |
//! | anything else | **conflict** | **conflict** | **conflict** |
//!
//! `--upgrade` moves every range pin to the newest version in its range (conflicting pins
//! included) and says so; since the tools lock records the pinned versions, it then asks for a
//! re-lock. Entries for the origin's tools that no locked skill requires any more are listed
//! in [`WireReport::notes`], never removed: the file stays yours.
//!
//! # Modes
//!
//! [`Mode::Write`] replaces `mise.toml` atomically (a temporary file in the same directory,
//! persisted over it; a symlinked `mise.toml` keeps its link and the file keeps its
//! permissions). [`Mode::DryRun`] and [`Mode::Check`] write nothing; with `Check` the caller
//! exits 1 unless [`WireReport::is_up_to_date`]: an entry is missing, a fuzzy entry should be a
//! pin, or a pin violates what the skills require. `Check` makes no network request.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use origin_meta::{Requirement, ToolAddress};
use semver::Version;
use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

use crate::consumer::{Need, Project, write_atomic};
use crate::mise::{BACKEND_PREFIX, MISE_TOML, tool_key};
use crate::report::{EXIT_USAGE, Failure};

/// The tool option carrying a version constraint (honoured by `list-versions` and `install`).
pub const CONSTRAINT_OPTION: &str = "constraint";

/// What [`run`] does with the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write `mise.toml` (atomically) when it changes.
    Write,
    /// Compute and report the changes; write nothing.
    DryRun,
    /// Like `DryRun` without any network request; the caller fails unless
    /// [`WireReport::is_up_to_date`].
    Check,
}

/// How [`run`] behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireOptions {
    /// Write, dry run or check.
    pub mode: Mode,
    /// Move range pins to the newest version in their range.
    pub upgrade: bool,
}

/// A tool's released versions, as far as wire needs them.
#[derive(Debug)]
pub enum Released {
    /// The stream's versions, ascending, each with whether it is a prerelease.
    Versions(Vec<(Version, bool)>),
    /// The origin releases no such tool; the failure says what it does release.
    Unknown(Failure),
}

/// Where wire learns which versions a tool has (the CLI asks GitHub through the session).
pub trait Catalog {
    /// The versions of `address`'s stream.
    ///
    /// # Errors
    ///
    /// A failure when the origin cannot be asked (network, access).
    fn released(&self, address: &ToolAddress) -> Result<Released, Failure>;
}

/// The outcome of one wire run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireReport {
    /// One entry per wired tool, sorted by key (conflicting and unreleased tools have none).
    pub changes: Vec<Change>,
    /// Requirements wire could not meet without overwriting the user's choice, one line each.
    pub conflicts: Vec<String>,
    /// Required tools the origin does not release (one line each, with what it does release).
    pub unreleased: Vec<String>,
    /// Informational lines: skipped requirements and entries no skill requires any more.
    pub notes: Vec<String>,
    /// Returns true if and only if a pin moved (the tools lock then needs a re-lock).
    pub pins_moved: bool,
    /// `mise.toml` as it is after this run (`Write`) or would be; empty when the file does not
    /// exist and nothing needs adding.
    pub new_text: String,
    /// `mise.toml` before this run; `None` when it did not exist.
    pub old_text: Option<String>,
    /// The `mise.toml` path.
    pub path: PathBuf,
}

impl WireReport {
    /// Returns true if and only if there is nothing to add or update, no conflict and no
    /// unreleased tool: what `--check` passes on.
    pub fn is_up_to_date(&self) -> bool {
        self.conflicts.is_empty()
            && self.unreleased.is_empty()
            && self.changes.iter().all(|c| !c.is_change())
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
    /// An existing entry changed (a pin, or its `constraint` option).
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

/// Wires `project`: reads its locked skills and brings `mise.toml` in line with what they
/// require (see the module docs for the rules).
///
/// # Errors
///
/// A malformed `SKILL.md` or `mise.toml`, or a malformed requirement from the origin, is a
/// usage failure (exit 2) naming the file; a vendored skill that cannot be read, an origin
/// that cannot be asked for versions, or a failed write is an operation failure (exit 1).
/// Nothing is written when an error is returned.
pub fn run(
    project: &Project,
    opts: WireOptions,
    catalog: &dyn Catalog,
) -> Result<WireReport, Failure> {
    let mut notes = Vec::new();
    let plans = collect(project, &mut notes)?;

    let path = project.dir.join(MISE_TOML);
    let (old_text, mut doc) = match crate::mise::read_mise_toml(&path)? {
        Some((text, doc)) => (Some(text), doc),
        None => (None, DocumentMut::new()),
    };
    let online = (opts.mode != Mode::Check).then_some(catalog);
    let outcome = apply(&mut doc, &path, project, &plans, opts, online, &mut notes)?;
    let report = WireReport {
        changes: outcome.changes,
        conflicts: outcome.conflicts,
        unreleased: outcome.unreleased,
        notes,
        pins_moved: outcome.pins_moved,
        new_text: doc.to_string(),
        old_text,
        path,
    };
    if opts.mode == Mode::Write && report.text_changed() {
        write_atomic(&report.path, &report.new_text).map_err(|e| {
            Failure::from_cause(&e).hint("nothing was changed; check the directory's permissions")
        })?;
    }
    Ok(report)
}

/// The report as printed: one line per change, then notes, unreleased tools and conflicts,
/// then the verdict for `mode`.
pub fn render(report: &WireReport, mode: Mode) -> String {
    let mut lines: Vec<String> = report.changes.iter().map(ToString::to_string).collect();
    lines.extend(report.notes.iter().map(|n| format!("note: {n}")));
    lines.extend(
        report
            .unreleased
            .iter()
            .map(|u| format!("not released: {u}")),
    );
    lines.extend(report.conflicts.iter().map(|c| format!("conflict: {c}")));
    let path = report.path.display();
    lines.push(match mode {
        Mode::Write if report.text_changed() => format!("wrote {path}"),
        Mode::Write | Mode::Check if report.is_up_to_date() => format!("{path} is up to date"),
        Mode::Write => format!("{path} left unchanged"),
        Mode::Check => format!("{path} is out of date; run `skillrig-mise wire`"),
        Mode::DryRun => format!("dry run: {path} left unchanged"),
    });
    lines.join("\n")
}

/// The command's outcome after [`render`]: conflicts and unreleased tools fail; `--check`
/// fails on any drift; moved pins in a project with a tools lock ask for a re-lock.
pub fn verdict(report: &WireReport, mode: Mode, project: &Project) -> Result<(), Failure> {
    if !report.conflicts.is_empty() {
        return Err(Failure::new(format!(
            "{} requirement(s) cannot be met by the pins in {}",
            report.conflicts.len(),
            report.path.display()
        ))
        .hint("run `skillrig-mise wire --upgrade` to move pins within what the skills require, or change them yourself"));
    }
    if !report.unreleased.is_empty() {
        return Err(Failure::new(format!(
            "{} required tool(s) are not released by the origin; they were not written",
            report.unreleased.len()
        ))
        .hint("fix the `tool` name in the skill's `x-skillrig.requires`, or ask the origin to release it"));
    }
    if mode == Mode::Check && !report.is_up_to_date() {
        return Err(
            Failure::new(format!("{} is out of date", report.path.display()))
                .hint("run `skillrig-mise wire`"),
        );
    }
    if report.pins_moved
        && mode == Mode::Write
        && project.dir.join(crate::consumer::TOOLS_LOCK_FILE).exists()
    {
        crate::note(
            "pins moved: run `skillrig-mise lock` to record the new versions in the tools lock",
        );
    }
    Ok(())
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

#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// Any version: `"latest"`.
    Any,
    /// One exact version every comparator accepts.
    Exact(Version),
    /// A range: pinned to its newest version, with the `constraint` option.
    Range,
    /// An exact version the other comparators reject, or two exact versions.
    Contradiction,
}

impl Plan {
    /// Which skills asked for what, e.g. `` `deploy-check` (>=1.6.0), `lint` (*) ``.
    fn askers(&self) -> String {
        self.askers
            .iter()
            .map(|(skill, version)| format!("`{skill}` ({version})"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The value for this plan pinned at `version` (`None`: `"latest"`).
    fn value(&self, pin: Option<&Version>) -> Value {
        match (&self.target, pin) {
            (Target::Range, Some(version)) => {
                let mut table = InlineTable::new();
                table.insert("version", Value::from(version.to_string()));
                table.insert(CONSTRAINT_OPTION, Value::from(self.constraint.as_str()));
                table.fmt();
                Value::InlineTable(table)
            }
            (Target::Exact(version), _) => Value::from(version.to_string()),
            _ => Value::from("latest"),
        }
    }
}

/// Accumulates one tool's requirements across skills.
struct Wanted {
    address: ToolAddress,
    comparators: Vec<String>,
    askers: Vec<(String, String)>,
}

/// Reads every locked skill's manifest; returns one plan per required tool.
fn collect(project: &Project, notes: &mut Vec<String>) -> Result<Vec<Plan>, Failure> {
    let mut wanted: BTreeMap<String, Wanted> = BTreeMap::new();
    for skill in project.skills() {
        let manifest = skill.manifest?;
        let manifest_path = skill.manifest_path.unwrap_or_default();
        for requirement in &manifest.requires {
            let (address, parsed) = match project.need(skill.name, requirement, &manifest_path) {
                Need::Served {
                    address,
                    requirement,
                } => (address, requirement),
                Need::Skipped(why) => {
                    notes.push(format!("{why}; skipped"));
                    continue;
                }
                Need::Invalid(failure) => return Err(failure),
            };
            let slot = wanted.entry(tool_key(&address)).or_insert_with(|| Wanted {
                address,
                comparators: Vec::new(),
                askers: Vec::new(),
            });
            slot.askers
                .push((skill.name.to_owned(), parsed.to_string()));
            for part in requirement.version.split(',').map(str::trim) {
                if !part.is_empty() && part != "*" && !slot.comparators.iter().any(|c| c == part) {
                    slot.comparators.push(part.to_owned());
                }
            }
        }
    }
    wanted.into_iter().map(|(key, w)| plan(key, w)).collect()
}

/// Decides what one tool's entry should say.
fn plan(key: String, wanted: Wanted) -> Result<Plan, Failure> {
    let constraint = wanted.comparators.join(", ");
    // Each part parsed on its own already; the joined form is rechecked rather than assumed.
    let req = Requirement::parse(&constraint)
        .map_err(|e| Failure::from_error(&e).with_code(EXIT_USAGE))?;
    let exact = wanted.comparators.iter().find_map(|c| exact_comparator(c));
    let target = match exact {
        _ if wanted.comparators.is_empty() => Target::Any,
        Some(version) if req.matches(&version) => Target::Exact(version),
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
    origin_meta::parse_version_lenient(text).ok()
}

/// What [`apply`] found.
#[derive(Default)]
struct Outcome {
    changes: Vec<Change>,
    conflicts: Vec<String>,
    unreleased: Vec<String>,
    pins_moved: bool,
}

/// The newest released version of `plan`'s tool that its requirement accepts (prereleases
/// skipped); `Err` holds the line for [`Outcome::unreleased`] or [`Outcome::conflicts`].
enum Newest {
    Found(Version),
    Unreleased(String),
    NoneInRange(String),
}

fn newest(plan: &Plan, catalog: &dyn Catalog) -> Result<Newest, Failure> {
    let versions = match catalog.released(&plan.address)? {
        Released::Versions(versions) => versions,
        Released::Unknown(failure) => {
            let hints = failure.hints().join("; ");
            let line = format!(
                "{} (required by {}){}",
                failure.message(),
                plan.askers(),
                if hints.is_empty() {
                    String::new()
                } else {
                    format!("; {hints}")
                }
            );
            return Ok(Newest::Unreleased(line));
        }
    };
    let found = versions
        .iter()
        .rev()
        .find(|(v, pre)| !pre && plan.req.matches(v))
        .map(|(v, _)| v.clone());
    Ok(match found {
        Some(version) => Newest::Found(version),
        None => Newest::NoneInRange(format!(
            "no released version of `{}` satisfies what the skills require: {}; newest released: {}",
            plan.key,
            plan.askers(),
            versions
                .last()
                .map_or_else(|| "none".to_owned(), |(v, _)| v.to_string())
        )),
    })
}

/// Brings `doc`'s `[tools]` in line with the plans. `catalog` is `None` in check mode.
fn apply(
    doc: &mut DocumentMut,
    path: &Path,
    project: &Project,
    plans: &[Plan],
    opts: WireOptions,
    catalog: Option<&dyn Catalog>,
    notes: &mut Vec<String>,
) -> Result<Outcome, Failure> {
    let mut out = Outcome::default();
    let root = doc.as_table_mut();
    if !root.contains_key("tools") {
        if plans.iter().all(|p| p.target == Target::Contradiction) {
            // Nothing to write: do not create an empty `[tools]` (or a whole file).
            out.conflicts.extend(plans.iter().map(contradiction));
            return Ok(out);
        }
        root.insert("tools", Item::Table(Table::new()));
    }
    let tools = root
        .get_mut("tools")
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| crate::mise::tools_not_a_table(path))?;

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
        if plan.target == Target::Contradiction {
            out.conflicts.push(contradiction(plan));
            continue;
        }
        // Asking the origin also tells whether it releases the tool at all.
        let newest = match catalog {
            Some(catalog) => Some(newest(plan, catalog)?),
            None => None,
        };
        let pin = match &newest {
            Some(Newest::Unreleased(line)) => {
                out.unreleased.push(line.clone());
                continue;
            }
            Some(Newest::NoneInRange(line)) if plan.target == Target::Range => {
                out.conflicts.push(line.clone());
                continue;
            }
            Some(Newest::Found(version)) => Some(version.clone()),
            _ => None,
        };
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
            if plan.target == Target::Range && pin.is_none() {
                // Check mode: the entry is missing; which pin it would get is not asked.
                out.changes.push(Change::Added {
                    key: plan.key.clone(),
                    value: format!(
                        "{{ version = \"<newest in {}>\", {CONSTRAINT_OPTION} = \"{}\" }}",
                        plan.constraint, plan.constraint
                    ),
                });
                continue;
            }
            let value = plan.value(pin.as_ref());
            out.changes.push(Change::Added {
                key: plan.key.clone(),
                value: render_value(&value),
            });
            tools.insert(&plan.key, Item::Value(value));
            continue;
        };
        let Some(item) = tools.get_mut(&key) else {
            continue;
        };
        match reconcile(item, plan, &key, pin.as_ref(), opts.upgrade) {
            Ok((change, moved)) => {
                out.pins_moved |= moved;
                out.changes.push(change);
            }
            Err(conflict) => out.conflicts.push(conflict),
        }
    }

    for (key, address) in &existing {
        let Some(address) = address else { continue };
        if address.origin().same_repository(&project.origin)
            && !plans.iter().any(|p| same_tool(&p.address, address))
        {
            notes.push(format!(
                "`{key}` is not required by any locked skill; wire leaves it (remove it if nothing else needs it)"
            ));
        }
    }
    Ok(out)
}

/// The conflict line for a tool whose requirements contradict each other.
fn contradiction(plan: &Plan) -> String {
    format!(
        "no version of `{}` can satisfy what the skills require: {}; fix their `x-skillrig.requires` (mise.toml left as it is)",
        plan.key,
        plan.askers()
    )
}

/// Checks or updates one existing entry; returns the change and whether a pin moved, or a
/// conflict line. `newest` is the range's newest version (`None` in check mode).
fn reconcile(
    item: &mut Item,
    plan: &Plan,
    key: &str,
    newest: Option<&Version>,
    upgrade: bool,
) -> Result<(Change, bool), String> {
    let from = render_item(item);
    let pin_conflict = |pin: &str| {
        format!(
            "`{key}` is pinned to `{pin}` in mise.toml, but the skills require {}; run `skillrig-mise wire --upgrade` to move it within that, or change it yourself",
            plan.askers()
        )
    };
    let changed = |item: &Item, moved: bool| {
        Ok((
            Change::Updated {
                key: key.to_owned(),
                from: from.clone(),
                to: render_item(item),
            },
            moved,
        ))
    };
    let unchanged = || {
        Ok((
            Change::Unchanged {
                key: key.to_owned(),
            },
            false,
        ))
    };

    if let Some(Value::Array(array)) = item.as_value() {
        for element in array.iter().filter_map(Value::as_str) {
            if let Some(exact) = exact_version(element)
                && !plan.req.matches(&exact)
            {
                return Err(pin_conflict(element.trim()));
            }
        }
        return unchanged();
    }
    // The version as written: a plain string, or a table's `version`.
    let written = match item.as_value() {
        Some(Value::String(text)) => Some(text.value().trim().to_owned()),
        Some(Value::InlineTable(_)) | None => item
            .as_table_like()
            .and_then(|t| t.get("version"))
            .and_then(Item::as_str)
            .map(|v| v.trim().to_owned()),
        Some(other) => return Err(not_a_version(key, other.type_name())),
    };
    if item.as_value().is_none() && item.as_table_like().is_none() {
        return Err(not_a_version(key, item.type_name()));
    }
    let exact = written.as_deref().and_then(exact_version);

    match &plan.target {
        Target::Any => {
            // Whatever the user chose stays; only a stale constraint goes.
            if item
                .as_table_like()
                .is_some_and(|t| t.contains_key(CONSTRAINT_OPTION))
            {
                remove_option(item, CONSTRAINT_OPTION);
                return changed(item, false);
            }
            unchanged()
        }
        Target::Exact(want) => match &exact {
            Some(v) if v == want => unchanged(),
            Some(v) => Err(pin_conflict(&v.to_string())),
            None => {
                set_version(item, &want.to_string(), None);
                changed(item, true)
            }
        },
        Target::Range => {
            let satisfied = exact.as_ref().is_some_and(|v| plan.req.matches(v));
            let target = match (newest, satisfied) {
                // Upgrading, or a fuzzy/violating entry: the newest in range.
                (Some(newest), _) if upgrade || exact.is_none() => Some(newest.clone()),
                (_, true) => None,
                (None, false) if exact.is_none() => {
                    // Check mode: a fuzzy entry cannot hold the range.
                    return Ok((
                        Change::Updated {
                            key: key.to_owned(),
                            from: from.clone(),
                            to: format!(
                                "{{ version = \"<newest in {}>\", {CONSTRAINT_OPTION} = \"{}\" }}",
                                plan.constraint, plan.constraint
                            ),
                        },
                        true,
                    ));
                }
                (_, false) => {
                    return Err(pin_conflict(written.as_deref().unwrap_or_default()));
                }
            };
            let moved = match &target {
                Some(version) if exact.as_ref() != Some(version) => {
                    set_version(item, &version.to_string(), Some(&plan.constraint));
                    true
                }
                _ => {
                    ensure_constraint(item, &plan.constraint);
                    false
                }
            };
            if render_item(item) == from {
                unchanged()
            } else {
                changed(item, moved)
            }
        }
        Target::Contradiction => unreachable!("contradictions are reported before reconciling"),
    }
}

/// Sets the entry's version (a string entry becomes an inline table when a constraint goes
/// with it), keeping the comments around it.
fn set_version(item: &mut Item, version: &str, constraint: Option<&str>) {
    if let Some(Value::String(text)) = item.as_value() {
        let decor = text.decor().clone();
        let mut value = match constraint {
            Some(constraint) => {
                let mut table = InlineTable::new();
                table.insert("version", Value::from(version));
                table.insert(CONSTRAINT_OPTION, Value::from(constraint));
                table.fmt();
                Value::InlineTable(table)
            }
            None => Value::from(version),
        };
        *value.decor_mut() = decor;
        *item = Item::Value(value);
        return;
    }
    set_option(item, "version", version);
    if let Some(constraint) = constraint {
        set_option(item, CONSTRAINT_OPTION, constraint);
    }
}

/// Makes the entry carry `constraint` (turning a plain version string into an inline table).
fn ensure_constraint(item: &mut Item, constraint: &str) {
    if let Some(Value::String(text)) = item.as_value() {
        let version = text.value().trim().to_owned();
        set_version(item, &version, Some(constraint));
        return;
    }
    let current = item
        .as_table_like()
        .and_then(|t| t.get(CONSTRAINT_OPTION))
        .and_then(Item::as_str);
    if current != Some(constraint) {
        set_option(item, CONSTRAINT_OPTION, constraint);
    }
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

/// The conflict for a `mise.toml` value wire cannot read as a version (`type_name` as toml_edit
/// names it: "integer", "array", …).
fn not_a_version(key: &str, type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!(
        "`{key}` in mise.toml is {article} {type_name}, not a version or a table; wire left it alone"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_that_is_no_version_is_named_with_its_type() {
        assert_eq!(
            not_a_version("skillrig:a/b/c", "integer"),
            "`skillrig:a/b/c` in mise.toml is an integer, not a version or a table; wire left it alone"
        );
        assert!(not_a_version("k", "boolean").contains("is a boolean,"));
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
    fn targets() {
        let target = |c: &[&str]| plan("k".into(), wanted(c)).unwrap().target;
        assert_eq!(target(&[]), Target::Any);
        assert_eq!(target(&["=1.2.3"]), Target::Exact(Version::new(1, 2, 3)));
        assert_eq!(
            target(&["1.2.3", ">=1.0"]),
            Target::Exact(Version::new(1, 2, 3))
        );
        assert_eq!(target(&[">=1.6.0", "<2"]), Target::Range);
        assert_eq!(target(&["=1.2"]), Target::Range);
        assert_eq!(target(&["=1.2.3", ">=2"]), Target::Contradiction);
        assert_eq!(target(&["1.2.3", "1.2.4"]), Target::Contradiction);
    }

    /// The entry's line after reconciling `existing` with `comparators` (newest in range
    /// 1.9.0, or check mode when `newest` is `None`).
    fn entry_after(
        existing: &str,
        comparators: &[&str],
        newest: Option<&str>,
        upgrade: bool,
    ) -> (Result<(Change, bool), String>, String) {
        let mut doc: DocumentMut = format!("[tools]\n\"skillrig:acme/tools/jira\" = {existing}\n")
            .parse()
            .unwrap();
        let plan = plan("skillrig:acme/tools/jira".into(), wanted(comparators)).unwrap();
        let newest = newest.map(|v| Version::parse(v).unwrap());
        let tools = doc["tools"].as_table_mut().unwrap();
        let item = tools.get_mut("skillrig:acme/tools/jira").unwrap();
        let outcome = reconcile(
            item,
            &plan,
            "skillrig:acme/tools/jira",
            newest.as_ref(),
            upgrade,
        );
        let text = doc.to_string();
        let line = text.lines().nth(1).unwrap().to_owned();
        (outcome, line)
    }

    #[test]
    fn reconcile_table() {
        let key = r#""skillrig:acme/tools/jira" = "#;
        /// (existing, comparators, upgrade, resulting value, changed, pin moved)
        type Case<'a> = (&'a str, &'a [&'a str], bool, &'a str, bool, bool);
        let cases: &[Case<'_>] = &[
            (r#""latest""#, &[], false, r#""latest""#, false, false),
            (r#""1.7.0""#, &["1.7.0"], false, r#""1.7.0""#, false, false),
            (r#""latest""#, &["1.7.0"], false, r#""1.7.0""#, true, true),
            // A pin inside the range stays, and gains the range beside it.
            (
                r#""1.7.0""#,
                &[">=1.6.0"],
                false,
                r#"{ version = "1.7.0", constraint = ">=1.6.0" }"#,
                true,
                false,
            ),
            // Fuzzy versions cannot hold a range: they become the newest pin in it.
            (
                r#""latest" # newest"#,
                &[">=1.6.0"],
                false,
                r#"{ version = "1.9.0", constraint = ">=1.6.0" } # newest"#,
                true,
                true,
            ),
            (
                r#"{ version = "1", constraint = ">=1.0" }"#,
                &[">=1.6.0"],
                false,
                r#"{ version = "1.9.0", constraint = ">=1.6.0" }"#,
                true,
                true,
            ),
            (
                r#"{ version = "1.7.0", constraint = ">=1.6.0" }"#,
                &[">=1.6.0"],
                false,
                r#"{ version = "1.7.0", constraint = ">=1.6.0" }"#,
                false,
                false,
            ),
            // --upgrade moves the pin to the newest in range.
            (
                r#"{ version = "1.7.0", constraint = ">=1.6.0" }"#,
                &[">=1.6.0"],
                true,
                r#"{ version = "1.9.0", constraint = ">=1.6.0" }"#,
                true,
                true,
            ),
            (
                r#""1.5.0""#,
                &[">=1.6.0"],
                true,
                r#"{ version = "1.9.0", constraint = ">=1.6.0" }"#,
                true,
                true,
            ),
            // Requiring nothing drops a stale constraint, keeps the version.
            (
                r#"{ version = "1.7.0", constraint = ">=1.6.0" }"#,
                &[],
                false,
                r#"{ version = "1.7.0" }"#,
                true,
                false,
            ),
            (
                r#"["1.7.0", "2"]"#,
                &[">=1.6.0"],
                false,
                r#"["1.7.0", "2"]"#,
                false,
                false,
            ),
        ];
        for &(existing, comparators, upgrade, want, changed, moved) in cases {
            let (outcome, line) = entry_after(existing, comparators, Some("1.9.0"), upgrade);
            let (change, pin_moved) =
                outcome.unwrap_or_else(|c| panic!("{existing}: conflict {c}"));
            assert_eq!(line, format!("{key}{want}"), "{existing} {comparators:?}");
            assert_eq!(change.is_change(), changed, "{existing}: {change}");
            assert_eq!(pin_moved, moved, "{existing}: {change}");
        }
        for (existing, comparators) in [
            (r#""1.5.0""#, &[">=1.6.0"][..]),
            (r#"{ version = "1.5.0" }"#, &[">=1.6.0"][..]),
            (r#"["1.7.0", "1.5.0"]"#, &[">=1.6.0"][..]),
            (r#""1.7.0""#, &["1.8.0"][..]),
            ("42", &[][..]),
        ] {
            let (outcome, line) = entry_after(existing, comparators, Some("1.9.0"), false);
            assert!(outcome.is_err(), "{existing}: {outcome:?}");
            assert_eq!(
                line,
                format!("{key}{existing}"),
                "conflicts leave the entry"
            );
        }
        // Check mode (no catalog): a fuzzy entry under a range is drift, not a rewrite.
        let (outcome, line) = entry_after(r#""latest""#, &[">=1.6.0"], None, false);
        assert!(outcome.unwrap().0.is_change());
        assert_eq!(line, format!("{key}\"latest\""));
    }
}
