//! From what mise passed to a binary's stream in one origin: parse the address, read the
//! origin's metadata (`index.json`, then `.skillrig-origin.toml`), apply per-tool overrides,
//! and list the origin's releases. Both `list-versions` and `install` start here; within the
//! cache's freshness window the second costs no request at all.

use origin_meta::{BinarySpec, OriginIndex, OriginToml, Requirement, ToolAddress, Warning};
use releases::{GitHub, ReleaseInfo};

use crate::options::ToolOptions;
use crate::report::{EXIT_USAGE, Failure};
use crate::session::Session;

/// Environment variable naming the origin for bare tool names (as the skillrig CLI uses it).
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
}

/// Parses the address (with the `origin` option or `SKILLRIG_ORIGIN` for bare names).
pub fn parse_address(
    session: &Session,
    tool: &str,
    opts: &ToolOptions,
) -> Result<ToolAddress, Failure> {
    let from_env = session.env().var(SKILLRIG_ORIGIN);
    let origin = opts
        .get("origin")
        .or(from_env.as_deref().filter(|s| !s.trim().is_empty()));
    ToolAddress::parse(tool, origin).map_err(|e| Failure::from_error(&e).with_code(EXIT_USAGE))
}

/// Resolves the address, the binary's spec and the origin's releases.
pub fn resolve(session: &Session, tool: &str, opts: &ToolOptions) -> Result<Resolved, Failure> {
    let address = parse_address(session, tool, opts)?;
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
    let (index, toml) = match metadata {
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
