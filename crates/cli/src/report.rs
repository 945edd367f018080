//! How failures reach the user: one line saying what went wrong, then `hint:` lines saying what
//! to do, and a small fixed set of exit codes.
//!
//! mise shows a failing hook's stderr inside its own error, so the first line must stand alone.
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success |
//! | 1 | the operation failed (not found, verification failed, network, …), or `--check` found drift |
//! | 2 | usage error: bad arguments, options or configuration |

use std::fmt;

use hint::Hint;

/// Exit code for a failed operation.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for a usage or configuration error.
pub const EXIT_USAGE: u8 = 2;

/// A failure ready to be shown: a one-line message, hints, and an exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    message: String,
    hints: Vec<String>,
    code: u8,
}

impl Failure {
    /// An operation failure (exit 1).
    pub fn new(message: impl fmt::Display) -> Failure {
        Failure {
            message: one_line(&message.to_string()),
            hints: Vec::new(),
            code: EXIT_FAILURE,
        }
    }

    /// A usage or configuration error (exit 2).
    pub fn usage(message: impl fmt::Display) -> Failure {
        Failure {
            code: EXIT_USAGE,
            ..Failure::new(message)
        }
    }

    /// Builds a failure from a library error: its cause chain on one line (`error: cause:
    /// cause`), then the error's [`Hint`]s. This is the one place errors become what users see.
    pub fn from_error(error: &dyn Hint) -> Failure {
        let failure = Failure::from_cause(error);
        error.hints().into_iter().fold(failure, Failure::hint)
    }

    /// Builds a failure from an error that has no hints (I/O and other foreign errors): its
    /// cause chain on one line.
    pub fn from_cause(error: &dyn std::error::Error) -> Failure {
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            // Skip causes whose text the message already carries.
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = cause.source();
        }
        Failure::new(message)
    }

    /// Adds a hint line (empty hints are dropped).
    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        let hint = hint.into();
        if !hint.trim().is_empty() {
            self.hints.push(one_line(&hint));
        }
        self
    }

    /// Puts `prefix: ` before the message (e.g. what was being done, or which origin).
    pub fn context(mut self, prefix: impl fmt::Display) -> Failure {
        self.message = one_line(&format!("{prefix}: {}", self.message));
        self
    }

    /// Names the file the failure is about: "`<path>`: <message>".
    pub fn in_file(self, path: &std::path::Path) -> Failure {
        self.context(format_args!("`{}`", path.display()))
    }

    /// Sets the exit code.
    pub fn with_code(mut self, code: u8) -> Failure {
        self.code = code;
        self
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The hints, in order.
    pub fn hints(&self) -> &[String] {
        &self.hints
    }

    /// The process exit code.
    pub fn code(&self) -> u8 {
        self.code
    }

    /// Writes `<program>: <message>` and `  hint: …` lines to stderr.
    pub fn print(&self, program: &str) {
        self.write_to(&mut std::io::stderr().lock(), program);
    }

    /// Writes `<program>: <message>` and `  hint: …` lines to `out` (errors writing are
    /// ignored: there is nowhere left to report them). Token-shaped text is redacted: a
    /// message may quote a helper's stderr or a server's answer.
    pub fn write_to(&self, out: &mut dyn std::io::Write, program: &str) {
        let _ = writeln!(out, "{program}: {}", auth::redact::redact(&self.message));
        for hint in &self.hints {
            let _ = writeln!(out, "  hint: {}", auth::redact::redact(hint));
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for hint in &self.hints {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Collapses line breaks so a message stays one line under mise.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("could not read `x`")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn chains_causes_on_one_line_and_keeps_hints() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such\nfile");
        let failure = Failure::from_cause(&Outer(io)).hint("check the path");
        assert_eq!(failure.message(), "could not read `x`: no such file");
        assert_eq!(
            failure.to_string(),
            "could not read `x`: no such file\n  hint: check the path"
        );
        assert_eq!(failure.code(), EXIT_FAILURE);
        assert_eq!(Failure::usage("bad").code(), EXIT_USAGE);
    }
}
