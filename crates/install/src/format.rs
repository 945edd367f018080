//! Asset formats, recognised by the asset's file name, and the streaming decoders for them.

use std::fmt;
use std::io::{self, BufRead, Read};

/// The container format of a release asset, chosen from its name (case-insensitive suffix).
///
/// | suffix | format |
/// |---|---|
/// | `.tar.gz`, `.tgz` | [`AssetFormat::TarGz`] |
/// | `.tar.xz`, `.txz` | [`AssetFormat::TarXz`] |
/// | `.tar.zst`, `.tzst` | [`AssetFormat::TarZst`] |
/// | `.tar.bz2`, `.tbz2`, `.tbz` | [`AssetFormat::TarBz2`] |
/// | `.tar` | [`AssetFormat::Tar`] |
/// | `.zip` | [`AssetFormat::Zip`] |
/// | `.gz`, `.xz`, `.zst`, `.bz2` | a single compressed file: the binary itself |
/// | anything else (including `.exe`) | [`AssetFormat::Raw`]: the asset is the binary |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AssetFormat {
    /// Gzip-compressed tar.
    TarGz,
    /// Xz-compressed tar.
    TarXz,
    /// Zstandard-compressed tar.
    TarZst,
    /// Bzip2-compressed tar.
    TarBz2,
    /// Uncompressed tar.
    Tar,
    /// Zip archive (deflate or stored entries).
    Zip,
    /// A single gzip-compressed binary.
    Gz,
    /// A single xz-compressed binary.
    Xz,
    /// A single zstd-compressed binary.
    Zst,
    /// A single bzip2-compressed binary.
    Bz2,
    /// The asset is the binary itself.
    Raw,
}

/// Stream compression applied around a tar archive or a single file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    Gzip,
    Xz,
    Zstd,
    Bzip2,
}

/// How an asset is unpacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// A tar stream, unpacked while downloading.
    Tar(Compression),
    /// One compressed file, decompressed while downloading.
    Single(Compression),
    /// A zip archive, unpacked from the download file once it is verified (zip needs seeking).
    Zip,
    /// The download is the binary.
    Raw,
}

impl AssetFormat {
    /// The format of an asset called `name`.
    ///
    /// ```
    /// use install::AssetFormat;
    /// assert_eq!(AssetFormat::from_asset_name("jira_1.7.0_linux_amd64.tar.gz"), AssetFormat::TarGz);
    /// assert_eq!(AssetFormat::from_asset_name("jira.EXE"), AssetFormat::Raw);
    /// ```
    pub fn from_asset_name(name: &str) -> Self {
        let lower = name.to_ascii_lowercase();
        const TABLE: &[(&str, AssetFormat)] = &[
            (".tar.gz", AssetFormat::TarGz),
            (".tgz", AssetFormat::TarGz),
            (".tar.xz", AssetFormat::TarXz),
            (".txz", AssetFormat::TarXz),
            (".tar.zst", AssetFormat::TarZst),
            (".tzst", AssetFormat::TarZst),
            (".tar.bz2", AssetFormat::TarBz2),
            (".tbz2", AssetFormat::TarBz2),
            (".tbz", AssetFormat::TarBz2),
            (".tar", AssetFormat::Tar),
            (".zip", AssetFormat::Zip),
            (".gz", AssetFormat::Gz),
            (".xz", AssetFormat::Xz),
            (".zst", AssetFormat::Zst),
            (".bz2", AssetFormat::Bz2),
        ];
        TABLE
            .iter()
            .find(|(suffix, _)| lower.len() > suffix.len() && lower.ends_with(suffix))
            .map_or(AssetFormat::Raw, |(_, f)| *f)
    }

    /// The file-name suffixes of every asset this crate can install, most preferred first, for
    /// a Windows target or another: archives (zip first on Windows), then single compressed
    /// binaries, then the raw binary (`.exe` on Windows, and no suffix). Callers that guess
    /// asset names (`<bin>_<version>_<os>_<arch>` + suffix) take the list from here, so every
    /// format the installer supports is looked for and none it cannot install is picked.
    pub fn suffixes(windows: bool) -> Vec<&'static str> {
        const ARCHIVES: &[&str] = &[
            ".tar.gz", ".tar.xz", ".tar.zst", ".tar.bz2", ".tgz", ".txz", ".tzst", ".tbz2", ".tbz",
            ".tar", ".zip",
        ];
        const SINGLE: &[&str] = &[".gz", ".xz", ".zst", ".bz2"];
        let mut out = Vec::new();
        if windows {
            out.push(".zip");
        }
        out.extend(ARCHIVES.iter().filter(|s| !(windows && **s == ".zip")));
        out.extend(SINGLE);
        if windows {
            out.push(".exe");
        }
        out.push("");
        out
    }

    /// Returns true if and only if the asset is an archive holding several entries
    /// (tar or zip), as opposed to one (possibly compressed) binary.
    pub fn is_archive(self) -> bool {
        matches!(self.layout(), Layout::Tar(_) | Layout::Zip)
    }

    pub(crate) fn layout(self) -> Layout {
        match self {
            Self::TarGz => Layout::Tar(Compression::Gzip),
            Self::TarXz => Layout::Tar(Compression::Xz),
            Self::TarZst => Layout::Tar(Compression::Zstd),
            Self::TarBz2 => Layout::Tar(Compression::Bzip2),
            Self::Tar => Layout::Tar(Compression::None),
            Self::Zip => Layout::Zip,
            Self::Gz => Layout::Single(Compression::Gzip),
            Self::Xz => Layout::Single(Compression::Xz),
            Self::Zst => Layout::Single(Compression::Zstd),
            Self::Bz2 => Layout::Single(Compression::Bzip2),
            Self::Raw => Layout::Raw,
        }
    }
}

impl fmt::Display for AssetFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TarGz => "tar.gz",
            Self::TarXz => "tar.xz",
            Self::TarZst => "tar.zst",
            Self::TarBz2 => "tar.bz2",
            Self::Tar => "tar",
            Self::Zip => "zip",
            Self::Gz => "gzip",
            Self::Xz => "xz",
            Self::Zst => "zstd",
            Self::Bz2 => "bzip2",
            Self::Raw => "raw binary",
        })
    }
}

/// Largest xz decoder memory: enough for `xz -9e` (64 MiB dictionary), bounded so a hostile
/// header cannot make us allocate without limit.
const XZ_MEMLIMIT: u64 = 128 << 20;
/// Largest zstd window accepted (2^27 = 128 MiB, zstd's own default limit; covers `--long`).
const ZSTD_WINDOW_LOG_MAX: u32 = 27;

/// Wraps `input` in the streaming decoder for `compression`.
///
/// Every decoder accepts concatenated streams (pigz, pbzip2 and `xz -T` produce them).
pub(crate) fn decoder<'r, R: BufRead + 'r>(
    compression: Compression,
    input: R,
) -> io::Result<Box<dyn Read + 'r>> {
    Ok(match compression {
        Compression::None => Box::new(input),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(input)),
        Compression::Xz => {
            let stream = liblzma::stream::Stream::new_stream_decoder(
                XZ_MEMLIMIT,
                liblzma::stream::CONCATENATED,
            )
            .map_err(io::Error::from)?;
            Box::new(liblzma::bufread::XzDecoder::new_stream(input, stream))
        }
        Compression::Zstd => {
            let mut d = zstd::stream::read::Decoder::with_buffer(input)?;
            d.window_log_max(ZSTD_WINDOW_LOG_MAX)?;
            Box::new(d)
        }
        Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(input)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name() {
        let table = [
            ("a_1.0_linux_amd64.tar.gz", AssetFormat::TarGz),
            ("A.TGZ", AssetFormat::TarGz),
            ("a.tar.xz", AssetFormat::TarXz),
            ("a.tar.zst", AssetFormat::TarZst),
            ("a.tar.bz2", AssetFormat::TarBz2),
            ("a.tar", AssetFormat::Tar),
            ("a_windows_amd64.zip", AssetFormat::Zip),
            ("a-linux-x64.gz", AssetFormat::Gz),
            ("a.exe", AssetFormat::Raw),
            ("a-linux-amd64", AssetFormat::Raw),
            ("a_1.0.0_linux", AssetFormat::Raw),
            (".gz", AssetFormat::Raw),
        ];
        for (name, want) in table {
            assert_eq!(AssetFormat::from_asset_name(name), want, "{name}");
        }
        assert!(AssetFormat::Zip.is_archive());
        assert!(!AssetFormat::Gz.is_archive());
    }
}

#[cfg(test)]
mod suffix_tests {
    use super::AssetFormat;

    #[test]
    fn every_suffix_is_a_format_this_crate_installs() {
        for windows in [false, true] {
            let suffixes = AssetFormat::suffixes(windows);
            assert_eq!(suffixes.last(), Some(&""), "the raw binary comes last");
            for suffix in suffixes {
                let name = format!("tool_1.0.0_linux_amd64{suffix}");
                let format = AssetFormat::from_asset_name(&name);
                let raw = suffix.is_empty() || suffix == ".exe";
                assert_eq!(format == AssetFormat::Raw, raw, "{suffix}");
            }
        }
        assert_eq!(AssetFormat::suffixes(true)[0], ".zip");
        assert!(AssetFormat::suffixes(false).contains(&".tar.bz2"));
    }
}
