//! Pure parsing and rules for skillrig origins: tool addresses, origin metadata, release
//! conventions, platform mapping, checksums files and consumer files.
//!
//! This crate is the leaf of the workspace. It does no network and no I/O beyond the bytes it
//! is given (plus two `from_path` conveniences for local consumer files), so every rule here
//! is testable with plain strings. It is internal to skillrig-mise and makes no semver promise.
//!
//! # From `ctx.tool` to an asset name
//!
//! ```
//! use origin_meta::{BinarySpec, OriginIndex, Platform, ToolAddress};
//!
//! // 1. What mise passed (`skillrig:acme/tools/jira` → `acme/tools/jira`).
//! let address = ToolAddress::parse("acme/tools/jira", None)?;
//! assert_eq!(address.to_string(), "acme/tools/jira");
//!
//! // 2. Origin metadata, if the origin has any (convention gate included).
//! let index = OriginIndex::parse(br#"{"skillrigConvention": 1, "skills": []}"#)?;
//! let spec = BinarySpec::resolve(address.bin(), Some(&index), None);
//!
//! // 3. The binary's stream picks its tags out of the monorepo's tags.
//! let tags = [("1.7.0+jira", false), ("jira-v1.6.0", false), ("0.0.6+tfc", false)];
//! let versions = spec.stream().versions(tags);
//! let latest = versions.last().unwrap();
//! assert_eq!((latest.to_string().as_str(), latest.tag()), ("1.7.0", "1.7.0+jira"));
//!
//! // 4. Asset and checksums names to look for in that release, given the archive
//! //    extensions the installer can unpack (`""` is a raw binary).
//! let platform = Platform::from_mise("linux", "amd64", Some("gnu"));
//! let assets = spec.asset_candidates(latest.version(), &platform, &[".tar.gz", ".zip", ""]);
//! assert_eq!(assets[0], "jira_1.7.0_linux_amd64.tar.gz");
//! let sums = spec.checksums_candidates(&assets[0], address.repo(), latest.version());
//! assert_eq!(sums[0], "jira_checksums.txt");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Modules at a glance
//!
//! - [`ToolAddress`], [`Origin`], [`Host`]: the three address forms, the
//!   `OWNER/REPO[@REF]` origin grammar and GitHub host names ([`address`]).
//! - [`OriginToml`], [`OriginIndex`], [`Warning`]: origin metadata and the convention gate
//!   ([`metadata`]).
//! - [`BinaryEntry`], [`AssetTemplate`], [`PlatformOverride`]: one binary as metadata
//!   describes it ([`entry`]); [`AttestationPolicy`] and signer-workflow patterns, shared
//!   with tool options and `hosts.toml` ([`attestation`]).
//! - [`BinarySpec`]: precedence index.json → `.skillrig-origin.toml` → convention, and the
//!   asset/checksums candidate names ([`spec`]).
//! - [`Stream`], [`StreamVersion`]: tag streams and version ordering ([`stream`]);
//!   [`parse_version_lenient`]: versions as users type them ([`version`]).
//! - [`Platform`]: mise `RUNTIME` values to goreleaser tokens ([`platform`]).
//! - [`ChecksumsFile`]: SHA-256 checksums files ([`checksums`]).
//! - [`SkillsLock`], [`SkillManifest`], [`ToolRequirement`], [`Requirement`]: consumer files
//!   and version constraints ([`lock`], [`manifest`], [`requirement`]).
//! - [`ToolsLock`]: the tools lock `skillrig-mise lock` writes ([`tools_lock`]).
//!
//! # Errors
//!
//! Each parser has its own error type. `Display` is one line saying what was wrong and where
//! (a key path like `binaries[0].asset`, and a line number where the format gives one). A
//! syntax error's own message (TOML, JSON, YAML, SemVer) is the
//! [`source`](std::error::Error::source), never repeated; a value that does not decode shows
//! serde's one-line message after its key path. Every error implements [`hint::Hint`], whose
//! `hints()` returns what to do as data for the caller to print after the error; `kind()`
//! gives the variant to branch on.
//!
//! # Bounded work
//!
//! Every parser does work linear (or n log n) in its input, so hostile files cost no more
//! than reading them; `tests/it/bounded.rs` checks each with about 100,000 items.

pub mod address;
pub mod attestation;
pub mod checksums;
mod de;
pub mod entry;
mod host;
pub mod lock;
pub mod manifest;
pub mod metadata;
pub mod platform;
pub mod requirement;
pub mod spec;
pub mod stream;
pub mod tools_lock;
pub mod version;

pub use address::{AddressError, AddressErrorKind, Origin, Part, ToolAddress};
pub use attestation::{AttestationPolicy, UnknownPolicy, check_signer_workflow};
pub use checksums::{ChecksumEntry, ChecksumsError, ChecksumsErrorKind, ChecksumsFile};
pub use entry::{AssetTemplate, BinaryEntry, PlatformOverride, TemplateError};
pub use host::{Host, HostError, HostKind};
pub use lock::{LOCKFILE_VERSION, LockError, LockErrorKind, LockedSkill, SkillsLock};
pub use manifest::{ManifestError, ManifestErrorKind, SkillManifest};
pub use metadata::{
    IndexSkill, MetadataError, MetadataErrorKind, MetadataFile, OriginIndex, OriginToml,
    SUPPORTED_CONVENTION, Warning, WarningKind,
};
pub use platform::Platform;
pub use requirement::{Requirement, RequirementError, ToolRequirement};
pub use spec::{BinarySpec, PlatformTokens, SpecSource};
pub use stream::{Stream, StreamRuleError, StreamVersion, binary_names};
pub use tools_lock::{
    LockedAsset, LockedTool, TOOLS_LOCK_VERSION, ToolsLock, ToolsLockError, ToolsLockErrorKind,
};
pub use version::{parse_version_lenient, strip_v_prefix};
