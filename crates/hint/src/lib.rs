//! What to do about an error, as data.
//!
//! Every library error in skillrig-mise implements [`Hint`]: its `Display` says what went
//! wrong (one line, this layer only, causes in [`source()`](std::error::Error::source)), and
//! [`Hint::hints`] says what the user can do about it. The CLI walks an error once — message,
//! causes, hints — and prints `hint: …` lines after the message (uv's `uv-errors` is the
//! model). Libraries never print.
//!
//! Rules for hints: each is one sentence a user can act on; it names only knobs the CLI
//! exposes (an option, a file, an environment variable, a command); an error that wraps
//! another error forwards the inner error's hints rather than restating them.
//!
//! ```
//! use hint::Hint;
//!
//! #[derive(Debug)]
//! struct NoToken;
//! impl std::fmt::Display for NoToken {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!         f.write_str("no GitHub token for github.com")
//!     }
//! }
//! impl std::error::Error for NoToken {}
//! impl Hint for NoToken {
//!     fn hints(&self) -> Vec<String> {
//!         vec!["run `gh auth login`, or set GH_TOKEN".to_owned()]
//!     }
//! }
//!
//! let error: &dyn Hint = &NoToken;
//! assert_eq!(error.hints(), ["run `gh auth login`, or set GH_TOKEN"]);
//! ```

use std::error::Error;

/// An error that can say what to do about it.
pub trait Hint: Error {
    /// Advice for the user, most useful first; empty when there is nothing to add.
    fn hints(&self) -> Vec<String>;
}

/// Builds a hint list from optional parts, dropping `None` and empty strings.
pub fn collect<I, S>(parts: I) -> Vec<String>
where
    I: IntoIterator<Item = Option<S>>,
    S: Into<String>,
{
    parts
        .into_iter()
        .flatten()
        .map(Into::into)
        .filter(|h| !h.trim().is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn collect_drops_missing_and_empty_parts() {
        let hints = super::collect([Some("a"), None, Some(" "), Some("b")]);
        assert_eq!(hints, ["a", "b"]);
    }
}
