//! The git credential-helper protocol, so `git` fetches of private origins use the same chain.
//!
//! Configure it with
//! `git config --global credential.https://github.com.helper '!skillrig-auth git-credential'`.
//! git then runs `skillrig-auth git-credential get|store|erase`, writing `key=value` lines
//! ended by a blank line on stdin (see `git help credential`).
//!
//! * `get`: for `protocol=https` and a host we know (see [`Resolver::is_known_host`]) with a
//!   token, answer `username=x-access-token` and `password=<token>`; otherwise answer nothing,
//!   so git moves on to its next helper or prompt.
//! * `erase`: git says the credential was rejected; forget the cached token for the host.
//! * `store`, and any unknown action: read the input and do nothing.

use std::io::{BufRead, Write};

use origin_meta::Host;

use crate::resolver::Resolver;

/// The attributes of a request that matter to us.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialRequest {
    /// `protocol=`.
    pub protocol: Option<String>,
    /// `host=` (may carry `:port`).
    pub host: Option<String>,
    /// `path=` (only with `credential.useHttpPath`).
    pub path: Option<String>,
}

/// Reads `key=value` lines up to a blank line or EOF. Unknown keys are ignored; so are lines
/// without `=`. `url=` fills protocol and host when they are absent.
pub fn parse_request(input: &mut dyn BufRead) -> std::io::Result<CredentialRequest> {
    let mut req = CredentialRequest::default();
    let mut url = None;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        let l = line.trim_end_matches(['\n', '\r']);
        if l.is_empty() {
            break;
        }
        let Some((key, value)) = l.split_once('=') else {
            continue;
        };
        match key {
            "protocol" => req.protocol = Some(value.to_owned()),
            "host" => req.host = Some(value.to_owned()),
            "path" => req.path = Some(value.to_owned()),
            "url" => url = Some(value.to_owned()),
            _ => {}
        }
    }
    if let Some((scheme, rest)) = url.as_deref().and_then(|u| u.split_once("://")) {
        req.protocol.get_or_insert_with(|| scheme.to_owned());
        let authority = rest.split('/').next().unwrap_or("");
        let host = authority.rsplit('@').next().unwrap_or("");
        if !host.is_empty() {
            req.host.get_or_insert_with(|| host.to_owned());
        }
    }
    Ok(req)
}

/// Handles one helper invocation: reads the request from `input`, writes any answer to `out`.
///
/// Returns an error only for I/O failures on the two streams; "no token" is an empty answer.
pub fn respond(
    resolver: &Resolver,
    action: &str,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let req = parse_request(input)?;
    let host = match (&req.protocol, &req.host) {
        (Some(p), Some(h)) if p == "https" => match Host::parse(h) {
            Ok(host) => host,
            Err(_) => return Ok(()),
        },
        _ => return Ok(()),
    };
    match action {
        "get" => {
            if !resolver.is_known_host(&host) {
                tracing::debug!(%host, "git-credential: not a GitHub host we know; no answer");
                return Ok(());
            }
            if let Ok(token) = resolver.resolve(&host) {
                // One write of the whole answer; the buffer is wiped afterwards.
                let answer = secrecy::zeroize::Zeroizing::new(format!(
                    "username=x-access-token\npassword={}\n",
                    token.expose_secret()
                ));
                out.write_all(answer.as_bytes())?;
                out.flush()?;
            }
        }
        "erase" => resolver.invalidate(&host),
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;
    use crate::env::Env;

    fn resolver(vars: &[(&str, &str)]) -> Resolver {
        let config = Config::parse(
            "[default]\nproviders = [\"env\"]\n",
            Path::new("/cfg/hosts.toml"),
        )
        .unwrap();
        Resolver::new(Env::from_vars(vars.iter().copied()), config).without_shared_cache()
    }

    fn answer(r: &Resolver, action: &str, input: &str) -> String {
        let mut out = Vec::new();
        respond(r, action, &mut input.as_bytes(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn get_answers_for_https_github() {
        let r = resolver(&[("GH_TOKEN", "ghp_git_credential_01")]);
        assert_eq!(
            answer(&r, "get", "protocol=https\nhost=github.com\n\n"),
            "username=x-access-token\npassword=ghp_git_credential_01\n"
        );
        assert_eq!(
            answer(&r, "get", "url=https://user@github.com/acme/tool.git\n\n"),
            "username=x-access-token\npassword=ghp_git_credential_01\n"
        );
    }

    #[test]
    fn get_is_silent_otherwise() {
        let r = resolver(&[
            ("GH_TOKEN", "ghp_x0000000000000000"),
            ("GH_ENTERPRISE_TOKEN", "ghp_ent000000000000000"),
        ]);
        assert_eq!(answer(&r, "get", "protocol=http\nhost=github.com\n\n"), "");
        assert_eq!(answer(&r, "get", "protocol=ssh\nhost=github.com\n"), "");
        assert_eq!(answer(&r, "get", "host=github.com\n"), "");
        // An Enterprise token variable is not offered to an arbitrary git server.
        assert_eq!(answer(&r, "get", "protocol=https\nhost=gitlab.com\n\n"), "");
        let none = resolver(&[]);
        assert_eq!(
            answer(&none, "get", "protocol=https\nhost=github.com\n\n"),
            ""
        );
    }

    #[test]
    fn store_erase_and_unknown_actions_print_nothing() {
        let r = resolver(&[("GH_TOKEN", "ghp_x0000000000000000")]);
        for action in ["store", "erase", "frobnicate"] {
            assert_eq!(
                answer(
                    &r,
                    action,
                    "protocol=https\nhost=github.com\nusername=x\npassword=y\n\n"
                ),
                "",
                "{action}"
            );
        }
    }

    #[test]
    fn parsing_stops_at_the_blank_line() {
        let req = parse_request(
            &mut "protocol=https\r\nhost=ghe.x:8443\nwwwauth[]=Basic\n\nhost=evil\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(req.host.as_deref(), Some("ghe.x:8443"));
        assert_eq!(req.protocol.as_deref(), Some("https"));
    }
}
