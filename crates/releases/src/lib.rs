//! GitHub REST client for per-stream release listing, resolution, caching and asset downloads.
