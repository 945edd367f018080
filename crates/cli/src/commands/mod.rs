//! The subcommands of `skillrig-mise`.

pub mod assets;
pub mod attestations;
pub mod cache;
pub mod install;
pub mod list_versions;
pub mod lock;
pub mod origin;
pub mod verify;
pub mod wire;
