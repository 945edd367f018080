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
    let constraint = opts
        .get("constraint")
        .map(|c| {
            Requirement::parse(c).map_err(|e| {
                Failure::from_error(&e)
                    .with_code(EXIT_USAGE)
                    .hint("write constraints like `>=1.6.0`, `^1.2`, `~1.2.3` or `1.2.3`")
            })
        })
        .transpose()?;
    let (owner, repo, git_ref) = (address.owner(), address.repo(), address.git_ref());
    // The metadata files and the listing are independent: one round trip for all three.
    // `.skillrig-origin.toml` is fetched even when index.json turns out to describe the
    // binary; it is cached for the origin like the rest, so that costs one request per origin.
    let (index_bytes, toml_bytes, releases, client) = session.with_client(&host, |gh| {
        std::thread::scope(|scope| {
            let index = scope.spawn(|| gh.file(owner, repo, "index.json", git_ref));
            let toml = scope.spawn(|| gh.file(owner, repo, ".skillrig-origin.toml", git_ref));
            let releases = gh.list_releases(owner, repo);
            let index = index.join().expect("metadata fetch does not panic");
            let toml = toml.join().expect("metadata fetch does not panic");
            // The listing's error explains most (a private origin 404s on all three).
            Ok((index?, toml?, releases?, gh.clone()))
        })
    })?;
    let index = index_bytes
        .map(|bytes| OriginIndex::parse(&bytes))
        .transpose()
        .map_err(|e| metadata_failure(&address, "index.json", &e))?;
    if let Some(index) = &index {
        report_warnings("index.json", index.warnings());
    }
    // `.skillrig-origin.toml` only matters when index.json does not describe this binary.
    let toml = if index
        .as_ref()
        .is_some_and(|i| i.binary(address.bin()).is_some())
    {
        None
    } else {
        let parsed = toml_bytes
            .map(|b| OriginToml::parse(&String::from_utf8_lossy(&b)))
            .transpose()
            .map_err(|e| metadata_failure(&address, ".skillrig-origin.toml", &e))?;
        if let Some(toml) = &parsed {
            report_warnings(".skillrig-origin.toml", toml.warnings());
        }
        parsed
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

fn metadata_failure(
    address: &ToolAddress,
    file: &str,
    error: &origin_meta::MetadataError,
) -> Failure {
    let origin = format!("{}/{}", address.owner(), address.repo());
    Failure::from_error(error).context(format_args!("{origin}: {file}"))
}

fn report_warnings(file: &str, warnings: &[Warning]) {
    for warning in warnings {
        crate::warn(&format!("{file}: {warning}"));
    }
}
