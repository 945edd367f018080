//! Pure parsing and rules for skillrig origins: tool addresses, origin metadata, release
//! conventions, platform mapping and consumer files. No I/O beyond reading given bytes.

mod host;

pub use host::{Host, HostError, HostKind};
