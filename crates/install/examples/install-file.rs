//! Installs a local asset file through [`install::install`], reading the file as the stream the
//! CLI would get from an HTTP download. Used by `bench/install-bench.sh`.
//!
//! ```text
//! install-file <asset> <install-path> <download-dir> <sha256> [bin-name]
//! ```
//!
//! On success prints `key=value` lines: `elapsed_ms`, `bytes`, `bin`, and `vm_hwm_kb` (peak
//! resident set size from `/proc/self/status`, Linux only).

// An example program reports on stdout/stderr; the library itself never prints.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use hint::Hint as _;
use std::env;
use std::error::Error;
use std::fs;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use install::{BinaryLocator, DigestSource, ExpectedDigest, InstallRequest, ReceiptInfo};

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let [asset, install_path, download_dir, sha256, rest @ ..] = &args[..] else {
        eprintln!("usage: install-file <asset> <install-path> <download-dir> <sha256> [bin-name]");
        return ExitCode::from(2);
    };
    let bin = rest.first().map_or("tool", String::as_str);
    let file = match fs::File::open(asset) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot open `{asset}`: {e}");
            return ExitCode::FAILURE;
        }
    };
    let len = file.metadata().map(|m| m.len()).ok();
    let name = Path::new(asset)
        .file_name()
        .map_or_else(|| asset.clone(), |n| n.to_string_lossy().into_owned());

    let mut req = InstallRequest::new(
        name,
        BinaryLocator::new(bin),
        install_path,
        std::path::PathBuf::from(download_dir),
        ReceiptInfo {
            tool: bin.to_owned(),
            ..ReceiptInfo::default()
        },
    );
    req.content_length = len;
    req.expected
        .push(ExpectedDigest::new(sha256.as_str(), DigestSource::User));

    let started = Instant::now();
    match install::install(req, file) {
        Ok(done) => {
            println!("elapsed_ms={:.1}", started.elapsed().as_secs_f64() * 1000.0);
            println!("bytes={}", done.bytes);
            println!("bin={}", done.bin_path.display());
            if let Some(kb) = vm_hwm_kb() {
                println!("vm_hwm_kb={kb}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            let mut cause = e.source();
            while let Some(c) = cause {
                eprintln!("  caused by: {c}");
                cause = c.source();
            }
            for hint in e.hints() {
                eprintln!("hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Peak resident set size of this process in KiB (`VmHWM`), where `/proc` exists.
fn vm_hwm_kb() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    line.trim().trim_end_matches("kB").trim().parse().ok()
}
