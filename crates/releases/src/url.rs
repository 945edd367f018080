//! URL rules: which API base URLs are acceptable, which origin a URL belongs to (the unit the
//! token is scoped to), path encoding, `Link` pagination headers, redirect decisions and the
//! redaction of URLs before they reach a log line or an error message.

use std::net::IpAddr;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use ureq::http::Uri;

use crate::error::Error;

/// Characters left alone in a path segment: RFC 3986 unreserved. Everything else (notably `+`
/// and `/` in tags) is percent-encoded, which is what GitHub expects for a tag in a path.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Scheme, host and port of a URL: the "origin" a token may be sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// The origin of an absolute http(s) URL, or `None` if it is not one.
    pub(crate) fn of(url: &str) -> Option<Origin> {
        let uri: Uri = url.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let port = match (uri.port_u16(), scheme.as_str()) {
            (Some(p), _) => p,
            (None, "https") => 443,
            (None, "http") => 80,
            _ => return None,
        };
        Some(Origin {
            host: uri.host()?.to_ascii_lowercase(),
            scheme,
            port,
        })
    }

    /// The lowercase host of an absolute URL (IPv6 in brackets), if it has one.
    pub(crate) fn host_of(url: &str) -> Option<String> {
        Origin::of(url).map(|o| o.host)
    }

    /// Returns true if and only if the scheme is `https`.
    pub(crate) fn is_https(&self) -> bool {
        self.scheme == "https"
    }
}

/// Returns true if and only if `host` (as found in a URL, IPv6 in brackets) is a loopback
/// name or address: the only hosts plain `http://` is allowed to.
pub(crate) fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Validates an API base URL and returns it without a trailing slash.
///
/// Plain `http://` is refused except to loopback (tests, local fakes): a token sent in clear
/// text over a network is a leaked token. User info in the URL is refused because it would be
/// a credential in every log line and error message.
pub(crate) fn check_api_url(url: &str) -> Result<String, Error> {
    let bad = |reason| Error::InvalidApiUrl {
        url: redact(url),
        reason,
    };
    let trimmed = url.trim().trim_end_matches('/');
    let uri: Uri = trimmed
        .parse()
        .map_err(|_| bad("it is not an absolute URL"))?;
    let authority = uri
        .authority()
        .ok_or_else(|| bad("it has no host (expected e.g. `https://api.github.com`)"))?;
    if authority.as_str().contains('@') {
        return Err(bad(
            "user info is not allowed in the URL; configure a token instead",
        ));
    }
    if uri.query().is_some() || trimmed.contains('#') {
        return Err(bad("a query or fragment is not allowed"));
    }
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if is_loopback(authority.host()) => {}
        Some("http") => {
            return Err(bad(
                "plain http:// is only allowed to loopback hosts; use https://",
            ));
        }
        _ => return Err(bad("the scheme must be https://")),
    }
    Ok(trimmed.to_owned())
}

/// Percent-encodes one path segment (a tag, an owner, a repository name).
pub(crate) fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// Percent-encodes a file path segment by segment, keeping the `/` separators.
pub(crate) fn encode_path(path: &str) -> String {
    path.trim_matches('/')
        .split('/')
        .map(encode_segment)
        .collect::<Vec<_>>()
        .join("/")
}

/// The `rel="next"` target of an RFC 8288 `Link` header, if any.
///
/// Parses `<url>; param; param, <url>; …` by angle brackets rather than by splitting on `,`,
/// so a comma inside a URL cannot break it.
pub(crate) fn next_link(header: &str) -> Option<String> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let target = &after[..close];
        let params_end = after[close..].find('<').map_or(after.len(), |i| close + i);
        let params = &after[close + 1..params_end];
        let is_next = params.split(';').any(|p| {
            let p = p.trim().trim_end_matches(',').trim();
            p.strip_prefix("rel=").is_some_and(|v| {
                v.trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
            })
        });
        if is_next {
            return Some(target.to_owned());
        }
        rest = &after[params_end..];
    }
    None
}

/// Resolves a redirect's `Location` against the URL that answered with it and decides
/// whether to follow it.
///
/// Refuses an https → http downgrade (the signed URL, and anything we would send, would travel
/// in clear text) and any scheme but http(s). Whether the next request may carry
/// `Authorization` is a separate decision: only if its origin is the configured API origin.
pub(crate) fn redirect_target(from: &str, location: &str) -> Result<String, Error> {
    let location = location.trim();
    let from_origin = Origin::of(from).ok_or_else(|| Error::BadRedirect {
        url: redact(from),
        reason: "the redirecting URL is not absolute",
    })?;
    let target = if location.starts_with("//") {
        format!("{}:{location}", from_origin.scheme)
    } else if location.starts_with('/') {
        let uri: Uri = from.parse().map_err(|_| Error::BadRedirect {
            url: redact(from),
            reason: "the redirecting URL does not parse",
        })?;
        let authority = uri.authority().map_or("", |a| a.as_str());
        format!("{}://{authority}{location}", from_origin.scheme)
    } else if location.contains("://") {
        location.to_owned()
    } else {
        return Err(Error::BadRedirect {
            url: redact(from),
            reason: "the Location header is not an absolute URL or path",
        });
    };
    let Some(to) = Origin::of(&target) else {
        return Err(Error::BadRedirect {
            url: redact(from),
            reason: "the redirect target is not an http(s) URL",
        });
    };
    if from_origin.is_https() && !to.is_https() {
        return Err(Error::InsecureRedirect {
            from: redact(from),
            to: redact(&target),
        });
    }
    Ok(target)
}

/// A URL safe to print: the query and fragment are dropped, because signed storage URLs carry
/// their signature (a short-lived credential) in the query.
pub(crate) fn redact(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let mut out = url[..end].to_owned();
    // User info (`user:password@`) is a credential too.
    if let Some(scheme_end) = out.find("://") {
        let authority_start = scheme_end + 3;
        let authority_end = out[authority_start..]
            .find('/')
            .map_or(out.len(), |i| authority_start + i);
        if let Some(at) = out[authority_start..authority_end].rfind('@') {
            out.replace_range(authority_start..authority_start + at, "***");
        }
    }
    if end < url.len() {
        out.push_str("?…");
    }
    out
}

/// `owner/repo` from an API URL such as `…/repos/acme/tools/releases/assets/7`, for messages.
pub(crate) fn repo_of(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let rest = &path[path.find("/repos/")? + "/repos/".len()..];
    let mut parts = rest.split('/');
    let (owner, repo) = (parts.next()?, parts.next()?);
    (!owner.is_empty() && !repo.is_empty()).then(|| format!("{owner}/{repo}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_urls_must_be_https_except_loopback() {
        for (input, want) in [
            ("https://api.github.com", Ok("https://api.github.com")),
            (
                "https://ghe.example.com/api/v3/",
                Ok("https://ghe.example.com/api/v3"),
            ),
            ("http://127.0.0.1:8080", Ok("http://127.0.0.1:8080")),
            ("http://localhost:1/api/v3", Ok("http://localhost:1/api/v3")),
            ("http://[::1]:9", Ok("http://[::1]:9")),
            (
                "http://api.github.com",
                Err("plain http:// is only allowed"),
            ),
            ("http://10.0.0.1", Err("plain http:// is only allowed")),
            ("ftp://api.github.com", Err("the scheme must be https://")),
            ("api.github.com", Err("")),
            (
                "https://user:pw@api.github.com",
                Err("user info is not allowed"),
            ),
            ("https://api.github.com?x=1", Err("a query or fragment")),
        ] {
            match (check_api_url(input), want) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{input}"),
                (Err(e), Err(fragment)) => {
                    assert!(e.to_string().contains(fragment), "{input}: {e}");
                    assert!(!e.to_string().contains("pw@"), "{e}");
                }
                (got, want) => panic!("{input}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let api = Origin::of("https://api.github.com/repos/a/b").unwrap();
        assert_eq!(
            Origin::of("https://API.github.com:443/x"),
            Some(api.clone())
        );
        assert_ne!(Origin::of("http://api.github.com/x"), Some(api.clone()));
        assert_ne!(
            Origin::of("https://api.github.com:8443/x"),
            Some(api.clone())
        );
        assert_ne!(
            Origin::of("https://objects.githubusercontent.com/x"),
            Some(api)
        );
        assert_eq!(Origin::of("/relative"), None);
    }

    #[test]
    fn segments_encode_plus_and_slash() {
        assert_eq!(encode_segment("1.0.0+build.5"), "1.0.0%2Bbuild.5");
        assert_eq!(encode_segment("jira/v1"), "jira%2Fv1");
        assert_eq!(encode_segment("jira-v1.7.0_x~"), "jira-v1.7.0_x~");
        assert_eq!(encode_path("/dir/a b/index.json"), "dir/a%20b/index.json");
    }

    #[test]
    fn link_header_next() {
        let h = "<https://api.github.com/r?per_page=100&page=1>; rel=\"prev\", \
                 <https://api.github.com/r?per_page=100&page=3>; rel=\"next\", \
                 <https://api.github.com/r?per_page=100&page=5>; rel=\"last\"";
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://api.github.com/r?per_page=100&page=3")
        );
        assert_eq!(
            next_link("<https://x/a,b>; rel=next").as_deref(),
            Some("https://x/a,b")
        );
        assert_eq!(next_link("<https://x/?page=9>; rel=\"last\""), None);
        assert_eq!(next_link(""), None);
        assert_eq!(next_link("garbage <unterminated"), None);
    }

    #[test]
    fn redirect_decisions() {
        let from = "https://api.github.com/repos/a/b/releases/assets/1";
        assert_eq!(
            redirect_target(from, "https://objects.githubusercontent.com/x?sig=1").unwrap(),
            "https://objects.githubusercontent.com/x?sig=1"
        );
        assert_eq!(
            redirect_target(from, "/storage/1").unwrap(),
            "https://api.github.com/storage/1"
        );
        assert_eq!(
            redirect_target(from, "//cdn.example.com/f").unwrap(),
            "https://cdn.example.com/f"
        );
        // A downgrade is refused, and the signature never reaches the message.
        let err =
            redirect_target(from, "http://objects.example.com/x?X-Signature=abc").unwrap_err();
        assert!(matches!(err, Error::InsecureRedirect { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "refusing to follow the redirect from https://api.github.com/repos/a/b/releases/assets/1 \
             to http://objects.example.com/x?… (https to http downgrade)"
        );
        assert!(matches!(
            redirect_target(from, "file:///etc/passwd"),
            Err(Error::BadRedirect { .. })
        ));
        assert!(matches!(
            redirect_target(from, "relative/path"),
            Err(Error::BadRedirect { .. })
        ));
        // http → http (loopback fakes) and http → https are fine.
        assert!(redirect_target("http://127.0.0.1:1/a", "http://127.0.0.1:2/b").is_ok());
        assert!(redirect_target("http://127.0.0.1:1/a", "https://example.com/b").is_ok());
    }

    #[test]
    fn redaction_drops_queries_and_user_info() {
        assert_eq!(
            redact("https://s.example/a/b?X-Signature=abc"),
            "https://s.example/a/b?…"
        );
        assert_eq!(
            redact("https://u:pw@h.example:8/p?q"),
            "https://***@h.example:8/p?…"
        );
        assert_eq!(redact("https://h.example/p@q"), "https://h.example/p@q");
        assert_eq!(redact("https://api.github.com"), "https://api.github.com");
    }

    #[test]
    fn repo_of_api_urls() {
        assert_eq!(
            repo_of("https://api.github.com/repos/acme/tools/releases/assets/7").as_deref(),
            Some("acme/tools")
        );
        assert_eq!(
            repo_of("http://h/api/v3/repos/acme/tools?x").as_deref(),
            Some("acme/tools")
        );
        assert_eq!(repo_of("https://objects.example.com/a/b"), None);
    }
}
