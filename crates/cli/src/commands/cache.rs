//! `skillrig-mise cache clear`: forget cached GitHub API responses. Tokens are never in the
//! cache; cached tokens (kernel keyring) are the auth layer's and expire on their own.

use std::path::PathBuf;

use crate::report::Failure;
use crate::session::Session;

/// The cache root this session uses, if any.
pub fn cache_root(session: &Session) -> Option<PathBuf> {
    let env = session.env();
    releases::ClientConfig::from_env(origin_meta::Host::github_com(), None, None, &|k| env.var(k))
        .cache_dir
}

/// Removes cached API responses; returns the directory cleared.
pub fn clear(session: &Session) -> Result<Option<PathBuf>, Failure> {
    let Some(root) = cache_root(session) else {
        return Ok(None);
    };
    releases::clear_cache(&root).map_err(|e| Failure::from_error(&e))?;
    Ok(Some(root))
}
