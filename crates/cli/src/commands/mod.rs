//! The subcommands of `skillrig-mise`.

pub mod cache;
pub mod consumer;
pub mod install;
pub mod list_versions;
pub mod origin;
pub mod verify;
pub mod wire;
