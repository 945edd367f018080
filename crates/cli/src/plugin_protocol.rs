//! The contract between the mise plugin (`plugin/`) and `skillrig-mise`, and its version check.
//!
//! The plugin passes its protocol number on every call (`SKILLRIG_PLUGIN_PROTOCOL`, with its own
//! version and the helper version it pins). A `skillrig-mise` that speaks another protocol
//! refuses before doing anything, with one line naming both sides, instead of failing later on
//! an argument or output it does not understand. Called directly (no variable), it never refuses.
//!
//! Bump [`PROTOCOL`] together with `M.PROTOCOL` in `plugin/lib/skillrig.lua` whenever the
//! subcommands, arguments, environment or output the plugin relies on change.

use crate::report::Failure;

/// The protocol this build speaks.
pub const PROTOCOL: u32 = 1;

/// The plugin's protocol number.
pub const ENV_PROTOCOL: &str = "SKILLRIG_PLUGIN_PROTOCOL";
/// The plugin's own version (its `metadata.lua`).
pub const ENV_PLUGIN_VERSION: &str = "SKILLRIG_PLUGIN_VERSION";
/// The `skillrig-mise` version the plugin pins; empty for an unpinned development copy.
pub const ENV_PINNED_HELPER: &str = "SKILLRIG_PLUGIN_HELPER";

/// Checks the calling plugin's protocol from the process environment.
pub fn check_env() -> Result<(), Failure> {
    check(|name| std::env::var(name).ok())
}

/// Checks the calling plugin's protocol, reading variables through `var`.
pub fn check(var: impl Fn(&str) -> Option<String>) -> Result<(), Failure> {
    let Some(theirs) = var(ENV_PROTOCOL) else {
        return Ok(());
    };
    if theirs.trim().parse::<u32>().ok() == Some(PROTOCOL) {
        return Ok(());
    }
    let ours = env!("CARGO_PKG_VERSION");
    let plugin = var(ENV_PLUGIN_VERSION).unwrap_or_else(|| "?".into());
    let failure = Failure::usage(format!(
        "plugin protocol mismatch: skillrig-mise {ours} speaks protocol {PROTOCOL}, the skillrig \
         plugin {plugin} speaks protocol {theirs} (they come from different releases)"
    ));
    Err(match var(ENV_PINNED_HELPER).filter(|v| !v.is_empty()) {
        Some(pinned) => failure.hint(format!(
            "this plugin pins skillrig-mise {pinned}: unset SKILLRIG_MISE_BIN to let it use that \
             one, or point SKILLRIG_MISE_BIN at skillrig-mise {pinned}"
        )),
        None => failure.hint(
            "this plugin pins no skillrig-mise (a development copy): point SKILLRIG_MISE_BIN at a \
             skillrig-mise built from the same checkout, or install the released plugin \
             (https://github.com/skillrig/skillrig-mise#install)",
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn direct_calls_and_the_same_protocol_pass() {
        assert!(check(env(&[])).is_ok());
        let same = PROTOCOL.to_string();
        assert!(check(env(&[(ENV_PROTOCOL, &same)])).is_ok());
    }

    #[test]
    fn another_protocol_names_both_sides_and_the_way_out() {
        let failure = check(env(&[
            (ENV_PROTOCOL, "999"),
            (ENV_PLUGIN_VERSION, "9.0.0"),
            (ENV_PINNED_HELPER, "9.0.0"),
        ]))
        .unwrap_err();
        let ours = env!("CARGO_PKG_VERSION");
        assert_eq!(
            failure.message(),
            format!(
                "plugin protocol mismatch: skillrig-mise {ours} speaks protocol {PROTOCOL}, the \
                 skillrig plugin 9.0.0 speaks protocol 999 (they come from different releases)"
            )
        );
        assert!(failure.hints()[0].contains("pins skillrig-mise 9.0.0"));
        assert!(failure.hints()[0].contains("SKILLRIG_MISE_BIN"));
        assert_eq!(failure.code(), crate::report::EXIT_USAGE);

        let unpinned = check(env(&[(ENV_PROTOCOL, "0"), (ENV_PINNED_HELPER, "")])).unwrap_err();
        assert!(unpinned.hints()[0].contains("development copy"));
        assert!(check(env(&[(ENV_PROTOCOL, "one")])).is_err());
    }

    /// The plugin's Lua carries the same number: a release can never pair two that differ.
    #[test]
    fn the_plugin_in_this_checkout_speaks_this_protocol() {
        let lua = include_str!("../../../plugin/lib/skillrig.lua");
        let declared = lua
            .lines()
            .find_map(|l| l.trim().strip_prefix("M.PROTOCOL = "))
            .expect("plugin/lib/skillrig.lua declares M.PROTOCOL");
        assert_eq!(declared.trim(), PROTOCOL.to_string());
    }
}
