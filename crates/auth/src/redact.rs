//! Redaction of token-shaped text in anything we quote or print.
//!
//! A failing helper's stderr is quoted in errors, hints and `doctor` so the user sees why it
//! failed; helpers sometimes echo the token they were handling (`op` in debug mode, a shell
//! with `set -x`, a proxy's error page). [`redact`] replaces every GitHub-token-shaped
//! substring — `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and `github_pat_` followed by token
//! characters — with its prefix and `[redacted]`; [`redact_known`] also replaces given
//! secrets of any shape (the resolved token itself, which may be a legacy 40-hex token or a
//! proxy's own format). Masked forms such as `ghp_…abcd` are left alone.
//!
//! The CLI applies [`redact`] to every line it prints to stderr, so a token never reaches a
//! terminal or a CI log through an error path.

use std::borrow::Cow;

/// Prefixes of GitHub tokens that are safe to recognise by shape.
const PREFIXES: [&str; 6] = ["github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"];

/// What a redacted token becomes after its prefix.
const MARK: &str = "[redacted]";

/// Characters GitHub tokens are made of after the prefix.
fn token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Replaces GitHub-token-shaped substrings of `text` (see the module docs). Returns the text
/// unchanged (borrowed) when there is nothing to redact.
///
/// ```
/// assert_eq!(
///     auth::redact::redact("bad token ghp_abc123XYZ for github.com"),
///     "bad token ghp_[redacted] for github.com"
/// );
/// assert_eq!(auth::redact::redact("masked: ghp_…abcd"), "masked: ghp_…abcd");
/// ```
pub fn redact(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let Some(prefix) = PREFIXES
            .iter()
            .find(|p| bytes[i..].starts_with(p.as_bytes()))
        else {
            i += 1;
            continue;
        };
        let start = i + prefix.len();
        let end = start
            + bytes[start..]
                .iter()
                .take_while(|&&b| token_char(b))
                .count();
        if end == start {
            i = start;
            continue;
        }
        let o = out.get_or_insert_with(String::new);
        o.push_str(&text[copied..start]);
        o.push_str(MARK);
        copied = end;
        i = end;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[copied..]);
            Cow::Owned(o)
        }
    }
}

/// [`redact`], and every occurrence of each of `secrets` (non-empty ones) replaced whole by
/// `[redacted]`.
pub fn redact_known<'a>(text: &'a str, secrets: &[&str]) -> Cow<'a, str> {
    let mut result = redact(text);
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        if result.contains(secret) {
            result = Cow::Owned(result.replace(secret, MARK));
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_token_shape_is_redacted() {
        for (input, want) in [
            ("ghp_0123456789abcdefABCDEF", "ghp_[redacted]"),
            ("x gho_abc y", "x gho_[redacted] y"),
            (
                "ghu_1,ghs_2;ghr_3",
                "ghu_[redacted],ghs_[redacted];ghr_[redacted]",
            ),
            (
                "token=github_pat_11ABCDEFG0_xyz!",
                "token=github_pat_[redacted]!",
            ),
            ("Bearer ghp_a\nnext", "Bearer ghp_[redacted]\nnext"),
        ] {
            assert_eq!(redact(input), want, "{input}");
        }
    }

    #[test]
    fn other_text_is_untouched_and_borrowed() {
        for text in [
            "no token here",
            "ghp_…abcd is masked",
            "ghp_ alone",
            "gh_pages branch",
            "ghx_unknown",
            "",
        ] {
            assert!(matches!(redact(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn known_secrets_of_any_shape() {
        let legacy = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            redact_known(&format!("echo {legacy} and ghp_x1"), &[legacy]),
            "echo [redacted] and ghp_[redacted]"
        );
        assert_eq!(redact_known("abc", &[""]), "abc");
    }
}
