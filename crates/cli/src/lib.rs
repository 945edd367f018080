//! Glue between the library crates and the two command-line programs.
