//! From what mise passed to a binary's stream in one origin: parse the address, read the
//! origin's metadata (`.skillrig-origin.toml`, else `index.json`), apply per-tool overrides,
//! and list the origin's releases. `list-versions`, `install`, `wire` and `lock` start here;
//! within the cache's freshness window a second command costs no request at all.
//!
//! A tool the origin does not release is an error that says what it does release (the
//! binaries its metadata describes, and the streams its release tags announce) and suggests
//! the nearest name ([`Resolved::stream`]).

use std::collections::BTreeSet;

use origin_meta::{BinarySpec, OriginIndex, OriginToml, Requirement, ToolAddress, Warning};
use releases::{GitHub, ReleaseInfo, StreamRelease};

use crate::options::ToolOptions;
use crate::report::{EXIT_USAGE, Failure};
use crate::session::Session;

/// Environment variable the skillrig CLI uses for its origin; bare tool names once read it.
pub const SKILLRIG_ORIGIN: &str = "SKILLRIG_ORIGIN";

/// A binary's stream in an origin, with the origin's releases.
pub struct Resolved {
    /// The parsed address.
    pub address: ToolAddress,
    /// How to find the binary's tags, assets and checksums.
    pub spec: BinarySpec,
    /// Every non-draft release of the origin repository.
    pub releases: Vec<ReleaseInfo>,
    /// A version constraint from the `constraint` option, if any.
    pub constraint: Option<Requirement>,
    /// The client used, for downloads.
    pub client: GitHub,
    /// The binaries the origin's metadata describes (for "did you mean").
    pub described: Vec<String>,
}

impl Resolved {
    /// The stream's published releases, ascending.
    ///
    /// # Errors
    ///
    /// When the origin releases no version of this binary: one line saying so, the binaries
    /// it does release, and the nearest name.
    pub fn stream(&self) -> Result<Vec<StreamRelease<'_>>, Failure> {
        let stream = releases::stream_versions(&self.releases, self.spec.stream());
        if stream.is_empty() {
            return Err(self.not_released());
        }
        Ok(stream)
    }

    fn not_released(&self) -> Failure {
        let origin = format!("{}/{}", self.address.owner(), self.address.repo());
        let bin = self.address.bin();
        let mut released: BTreeSet<String> = origin_meta::binary_names(
            self.releases
                .iter()
                .filter(|r| !r.draft)
                .map(|r| r.tag.as_str()),
        );
        released.extend(self.described.iter().cloned());
        let failure = Failure::new(format!("{origin} releases no CLI named `{bin}`"));
        if released.is_empty() {
            return failure.hint(format!(
                "{origin} has no release tag of the forms `<version>+<bin>` or `<bin>-v<version>` \
                 yet; check the address, or the origin's tag scheme"
            ));
        }
        let nearest = released
            .iter()
            .min_by_key(|name| strsim::damerau_levenshtein(name, bin))
            .filter(|name| strsim::damerau_levenshtein(name, bin) <= bin.len().div_ceil(2).max(2));
        let list = released.iter().cloned().collect::<Vec<_>>().join(", ");
        let prefix = match self.address.host().as_str() {
            "github.com" => String::new(),
            host => format!("{host}/"),
        };
        match nearest {
            Some(name) => failure.hint(format!(
                "did you mean `skillrig:{prefix}{origin}/{name}`? {origin} releases: {list}"
            )),
            None => failure.hint(format!("{origin} releases: {list}")),
        }
    }
}

/// Parses a full address, `[HOST/]OWNER/REPO/BIN`; an `origin` option naming the same
/// repository with `@REF` selects the revision metadata is read from.
///
/// The bare form (`skillrig:kubelint` with an `origin` option or `SKILLRIG_ORIGIN`) is
/// refused: mise names install directories after the tool name alone, so every origin's
/// `kubelint` would share one directory and the second would run the first one's binary.
pub fn parse_address(
    session: &Session,
    tool: &str,
    opts: &ToolOptions,
) -> Result<ToolAddress, Failure> {
    let tool = tool.trim();
    if !tool.is_empty() && !tool.contains('/') {
        let from_env = session.env().var(SKILLRIG_ORIGIN);
        let origin = opts
            .get("origin")
            .or(from_env.as_deref().filter(|s| !s.trim().is_empty()));
        let suggestion = origin
            .and_then(|o| ToolAddress::parse(tool, Some(o)).ok())
            .map_or_else(
                || format!("`\"skillrig:<owner>/<repo>/{tool}\"`"),
                |a| format!("`\"skillrig:{a}\"`"),
            );
        return Err(Failure::usage(format!(
            "`skillrig:{tool}` names no origin: a bare tool name is no longer supported"
        ))
        .hint(format!(
            "mise names install directories after the tool name, so every origin's `{tool}` \
             would share one; write the full address instead: {suggestion} (keep `origin` \
             only to pick a metadata revision, `OWNER/REPO@REF`)"
        )));
    }
    // With a full address the `origin` option only selects the metadata revision
    // (`origin = "acme/tools@REF"`, same repository); anything else in it is ignored.
    let origin = opts.get("origin");
    let address = ToolAddress::parse(tool, origin)
        .map_err(|e| Failure::from_error(&e).with_code(EXIT_USAGE))?;
    if let Some(origin) = origin
        && address.git_ref().is_none()
    {
        crate::warn(&format!(
            "the `origin` tool option `{origin}` is ignored: the address names the origin \
             (the option only picks a metadata revision, as `{}/{}@<ref>`)",
            address.owner(),
            address.repo()
        ));
    }
    Ok(address)
}

/// Resolves the address, the binary's spec and the origin's releases.
pub fn resolve(session: &Session, tool: &str, opts: &ToolOptions) -> Result<Resolved, Failure> {
    let address = parse_address(session, tool, opts)?;
    resolve_address(session, address, opts)
}

/// [`resolve`] for an address already parsed.
pub fn resolve_address(
    session: &Session,
    address: ToolAddress,
    opts: &ToolOptions,
) -> Result<Resolved, Failure> {
    let host = address.host().clone();
    let constraint = opts.constraint()?;
    let (owner, repo, git_ref) = (address.owner(), address.repo(), address.git_ref());
    // `.skillrig-origin.toml` is the origin's own description (`skillrig index` generates
    // `index.json` from it), so it is the one metadata file read; `index.json` only for an
    // origin without one. Fetched alongside the listing: one round trip, one metadata request
    // per origin (then cached).
    let (metadata, releases, client) = session.with_client(&host, |gh| {
        std::thread::scope(|scope| {
            let metadata = scope.spawn(|| -> Result<_, releases::Error> {
                if let Some(toml) = gh.file(owner, repo, ".skillrig-origin.toml", git_ref)? {
                    return Ok(Metadata::Toml(toml));
                }
                Ok(match gh.file(owner, repo, "index.json", git_ref)? {
                    Some(index) => Metadata::Index(index),
                    None => Metadata::None,
                })
            });
            let releases = gh.list_releases(owner, repo);
            let metadata = metadata.join().expect("metadata fetch does not panic");
            // The listing's error explains most (a private origin 404s on both).
            Ok((metadata?, releases?, gh.clone()))
        })
    })?;
    let (index, toml): (Option<OriginIndex>, Option<OriginToml>) = match metadata {
        Metadata::Toml(bytes) => {
            let toml = OriginToml::parse(&String::from_utf8_lossy(&bytes))
                .map_err(|e| metadata_failure(&address, &e))?;
            report_warnings(toml.warnings());
            (None, Some(toml))
        }
        Metadata::Index(bytes) => {
            let index = OriginIndex::parse(&bytes).map_err(|e| metadata_failure(&address, &e))?;
            report_warnings(index.warnings());
            (Some(index), None)
        }
        Metadata::None => (None, None),
    };
    let described = index
        .iter()
        .flat_map(|i| i.binaries())
        .chain(toml.iter().flat_map(|t| t.binaries()))
        .map(|b| b.name().to_owned())
        .collect();
    let spec = BinarySpec::resolve(address.bin(), index.as_ref(), toml.as_ref());
    let spec = apply_overrides(spec, opts)?;
    tracing::debug!(
        tool = %address,
        source = %spec.source(),
        stream = %spec.stream(),
        releases = releases.len(),
        "resolved origin"
    );
    Ok(Resolved {
        address,
        spec,
        releases,
        constraint,
        client,
        described,
    })
}

fn apply_overrides(spec: BinarySpec, opts: &ToolOptions) -> Result<BinarySpec, Failure> {
    let asset = opts.get("asset").map(str::to_owned);
    let bin = opts.get("bin").map(str::to_owned);
    let checksums = opts.get("checksums").map(str::to_owned);
    if asset.is_none() && bin.is_none() && checksums.is_none() {
        return Ok(spec);
    }
    spec.with_overrides(asset.as_deref(), bin, checksums)
        .map_err(|e| {
            Failure::from_error(&e).with_code(EXIT_USAGE).hint(
                "the `asset` option is a template such as `{name}_{version}_{os}_{arch}.tar.gz`",
            )
        })
}

/// The origin metadata file that was found.
enum Metadata {
    Toml(Vec<u8>),
    Index(Vec<u8>),
    None,
}

/// "`<owner>/<repo>`: `<file>`: `<reason>`" (the error names its file).
fn metadata_failure(address: &ToolAddress, error: &origin_meta::MetadataError) -> Failure {
    Failure::from_error(error).context(format_args!("{}/{}", address.owner(), address.repo()))
}

/// Each warning once, as origin-meta words it (it names its file).
fn report_warnings(warnings: &[Warning]) {
    for warning in warnings {
        crate::warn(&warning.to_string());
    }
}

/// The versions `wire` pins from, asked through the session (and its cache).
pub struct Catalog<'s> {
    /// The session to ask with.
    pub session: &'s Session,
}

impl crate::commands::wire::Catalog for Catalog<'_> {
    fn released(&self, address: &ToolAddress) -> Result<crate::commands::wire::Released, Failure> {
        let resolved = resolve_address(self.session, address.clone(), &ToolOptions::default())?;
        Ok(match resolved.stream() {
            Ok(stream) => crate::commands::wire::Released::Versions(
                stream
                    .into_iter()
                    .map(|s| (s.version, s.prerelease))
                    .collect(),
            ),
            Err(unknown) => crate::commands::wire::Released::Unknown(unknown),
        })
    }
}
