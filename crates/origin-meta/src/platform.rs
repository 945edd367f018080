//! Platforms: mise's `RUNTIME` values (or the running binary's own target) mapped to the
//! GOOS/GOARCH-style tokens goreleaser puts into asset names.
//!
//! | mise `osType` / Rust OS | token | mise `archType` / Rust arch | token |
//! |---|---|---|---|
//! | `linux` | `linux` | `amd64`, `x86_64`, `x64` | `amd64` |
//! | `darwin`, `macos` | `darwin` | `arm64`, `aarch64` | `arm64` |
//! | `windows` | `windows` | `x86`, `i386`, `i686`, `386` | `386` |
//! | others | passed through, lowercased | `arm`, `armv7` | `armv7` |
//! | | | `powerpc64` | `ppc64le` (from mise; the real endianness for [`Platform::current`]) |
//! | | | `loongarch64` | `loong64` |
//! | | | others | passed through, lowercased |
//!
//! `envType` (`gnu`/`musl`) is kept for callers that want it but is not part of asset names:
//! goreleaser's default names do not carry a libc. Origins can replace any token per platform
//! with `[binaries.platforms.<os>-<arch>]` overrides; their keys go through the same mapping,
//! so skillrig RFC 0001's `linux-x64` and the RUNTIME spelling `linux-amd64` name the same platform.

use std::fmt;

/// The platform a binary is installed for, as goreleaser tokens.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Platform {
    os: String,
    arch: String,
    env: Option<String>,
}

impl Platform {
    /// Builds a platform from mise's `RUNTIME.osType`, `RUNTIME.archType` and
    /// `RUNTIME.envType` (blank env counts as absent).
    pub fn from_mise(os_type: &str, arch_type: &str, env_type: Option<&str>) -> Platform {
        Platform {
            os: os_token(os_type),
            arch: arch_token(arch_type),
            env: env_type
                .map(|env| env.trim().to_ascii_lowercase())
                .filter(|env| !env.is_empty()),
        }
    }

    /// The platform this program was compiled for (`std::env::consts` plus the target's libc
    /// and endianness).
    pub fn current() -> Platform {
        let arch = match std::env::consts::ARCH {
            "powerpc64" if cfg!(target_endian = "big") => "ppc64".to_owned(),
            "mips64" if cfg!(target_endian = "little") => "mips64le".to_owned(),
            other => arch_token(other),
        };
        let env = if cfg!(target_env = "musl") {
            Some("musl".to_owned())
        } else if cfg!(all(target_os = "linux", target_env = "gnu")) {
            Some("gnu".to_owned())
        } else {
            None
        };
        Platform {
            os: os_token(std::env::consts::OS),
            arch,
            env,
        }
    }

    /// The OS token, e.g. `linux`, `darwin`, `windows`.
    pub fn os(&self) -> &str {
        &self.os
    }

    /// The architecture token, e.g. `amd64`, `arm64`, `386`, `armv7`.
    pub fn arch(&self) -> &str {
        &self.arch
    }

    /// The libc flavour (`gnu` or `musl`) on Linux, when known.
    pub fn env(&self) -> Option<&str> {
        self.env.as_deref()
    }

    /// The override key for this platform, `<os>-<arch>` such as `linux-amd64`.
    pub fn key(&self) -> String {
        format!("{}-{}", self.os, self.arch)
    }

    /// Returns true if and only if the OS token is `windows` (where installers put `.zip` first
    /// and look for `.exe`).
    pub fn is_windows(&self) -> bool {
        self.os == "windows"
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.os, self.arch)?;
        if let Some(env) = &self.env {
            write!(f, " ({env})")?;
        }
        Ok(())
    }
}

/// Maps an OS name (mise `osType` or Rust `std::env::consts::OS`) to a goreleaser token.
pub(crate) fn os_token(os: &str) -> String {
    let os = os.trim().to_ascii_lowercase();
    match os.as_str() {
        "macos" | "osx" | "mac" => "darwin".to_owned(),
        "win" | "win32" => "windows".to_owned(),
        _ => os,
    }
}

/// Maps an architecture name (mise `archType`, Rust arch, or common aliases) to a goreleaser
/// token.
pub(crate) fn arch_token(arch: &str) -> String {
    let arch = arch.trim().to_ascii_lowercase();
    match arch.as_str() {
        "x86_64" | "x64" | "amd64" => "amd64",
        "aarch64" | "arm64" => "arm64",
        "x86" | "i386" | "i586" | "i686" | "386" => "386",
        "arm" | "armv7" | "armv7l" | "armhf" => "armv7",
        "powerpc64" | "powerpc64le" | "ppc64le" => "ppc64le",
        "loongarch64" | "loong64" => "loong64",
        _ => return arch,
    }
    .to_owned()
}

/// Normalises an override key such as `linux-x64` or `Darwin-aarch64` to `<os>-<arch>` tokens.
///
/// Returns `None` when the key is not `<os>-<arch>` (no `-`, or an empty side).
pub(crate) fn normalize_key(key: &str) -> Option<String> {
    let (os, arch) = key.split_once('-')?;
    if os.trim().is_empty() || arch.trim().is_empty() {
        return None;
    }
    Some(format!("{}-{}", os_token(os), arch_token(arch)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_mise_runtime_values() {
        let cases = [
            (
                ("linux", "amd64", Some("gnu")),
                ("linux", "amd64", Some("gnu")),
            ),
            (
                ("linux", "arm64", Some("musl")),
                ("linux", "arm64", Some("musl")),
            ),
            (("darwin", "arm64", None), ("darwin", "arm64", None)),
            (("windows", "amd64", None), ("windows", "amd64", None)),
            (("linux", "x86", Some("")), ("linux", "386", None)),
            (
                ("linux", "arm", Some("gnu")),
                ("linux", "armv7", Some("gnu")),
            ),
            (("linux", "riscv64", None), ("linux", "riscv64", None)),
            (("linux", "powerpc64", None), ("linux", "ppc64le", None)),
            (("linux", "loongarch64", None), ("linux", "loong64", None)),
            (("freebsd", "x86_64", None), ("freebsd", "amd64", None)),
            (
                ("Linux", "X64", Some("GNU")),
                ("linux", "amd64", Some("gnu")),
            ),
            (("macos", "aarch64", None), ("darwin", "arm64", None)),
        ];
        for ((os, arch, env), (want_os, want_arch, want_env)) in cases {
            let platform = Platform::from_mise(os, arch, env);
            assert_eq!(
                (platform.os(), platform.arch(), platform.env()),
                (want_os, want_arch, want_env),
                "{os} {arch} {env:?}"
            );
        }
    }

    #[test]
    fn current_uses_goreleaser_tokens() {
        let current = Platform::current();
        assert_eq!(current.os(), os_token(std::env::consts::OS));
        assert!(!current.arch().is_empty());
        if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
            assert_eq!(current.key(), "linux-amd64");
        }
        if cfg!(target_os = "macos") {
            assert_eq!(current.os(), "darwin");
        }
    }

    #[test]
    fn keys_normalise_both_spellings() {
        for (key, want) in [
            ("linux-x64", Some("linux-amd64")),
            ("linux-amd64", Some("linux-amd64")),
            ("darwin-arm64", Some("darwin-arm64")),
            ("macos-aarch64", Some("darwin-arm64")),
            ("windows-x86", Some("windows-386")),
            ("linux-arm", Some("linux-armv7")),
            ("linux", None),
            ("-amd64", None),
            ("linux-", None),
        ] {
            assert_eq!(normalize_key(key).as_deref(), want, "{key}");
        }
    }

    #[test]
    fn windows_and_display() {
        let platform = Platform::from_mise("windows", "amd64", None);
        assert!(platform.is_windows());
        assert_eq!(platform.to_string(), "windows-amd64");
        let platform = Platform::from_mise("linux", "amd64", Some("musl"));
        assert!(!platform.is_windows());
        assert_eq!(platform.to_string(), "linux-amd64 (musl)");
    }
}
