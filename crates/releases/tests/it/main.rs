//! Integration tests for `releases` against the fake GitHub (`testkit`), asserting on its
//! request log. One test binary (links once); modules by topic.

mod attestations;
mod cache;
mod download;
mod errors;
mod listing;
mod provenance;
mod secrets;
mod support;
mod tls;
