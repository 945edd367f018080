//! Finding a tool's install and checking it: where mise put it, whether its receipt belongs to
//! this tool, whether the binary still hashes to what the receipt recorded, and what verified
//! the download.

use std::fs;
use std::path::{Component, Path, PathBuf};

use install::Receipt;
use origin_meta::{ToolAddress, ToolRequirement};

use super::report::{BinaryState, Check, FoundBy, InstallInfo};
use super::{InstallCheck, Run};
use crate::mise::{self, BACKEND_PREFIX, Where};
use crate::report::Failure;

impl Run<'_> {
    /// Finds the install and checks its receipt and binary.
    pub(super) fn check_install(
        &self,
        address: &ToolAddress,
        requirement: &ToolRequirement,
    ) -> InstallCheck {
        let mut findings = Vec::new();
        let located = match self.locate(address, requirement) {
            Ok(found) => found,
            Err(not_installed) => {
                findings.push((
                    Check::NotInstalled,
                    not_installed,
                    Some(format!(
                        "run `skillrig-mise wire` then `mise install`, or `mise use {BACKEND_PREFIX}{address}@<version>`"
                    )),
                ));
                return InstallCheck {
                    info: None,
                    receipt: None,
                    findings,
                };
            }
        };
        let dir_version = located
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        let mut info = InstallInfo {
            path: located.path.clone(),
            found_by: located.found_by,
            version: dir_version,
            tag: None,
            bin: None,
            binary: BinaryState::Unknown,
            verified_by: Vec::new(),
            attestations: None,
        };
        let reinstall = reinstall_hint(address, Some(&info));
        let receipt_path = install::receipt_path(&located.path);
        let receipt = match install::read_receipt(&located.path) {
            Ok(receipt) => receipt,
            Err(e) => {
                let (check, message) = if !receipt_path.exists() {
                    (
                        Check::NoReceipt,
                        format!(
                            "no install receipt at `{}`: nothing vouches for this install",
                            receipt_path.display()
                        ),
                    )
                } else {
                    (
                        Check::ReceiptUnreadable,
                        Failure::from_error(&e).message().to_owned(),
                    )
                };
                findings.push((check, message, Some(reinstall)));
                return InstallCheck {
                    info: Some(info),
                    receipt: None,
                    findings,
                };
            }
        };
        info.version = Some(receipt.version.clone());
        info.tag = Some(receipt.tag.clone());
        info.bin = Some(receipt.bin.clone());
        info.verified_by = receipt.verified_by.clone();
        info.attestations = receipt.attestations.clone();
        let reinstall = reinstall_hint(address, Some(&info));

        if let Some(collision) = collision(&receipt, address) {
            findings.push(collision);
            return InstallCheck {
                info: Some(info),
                receipt: None,
                findings,
            };
        }
        if let Some(problem) = receipt_mismatch(&receipt, address) {
            findings.push((Check::ReceiptMismatch, problem, Some(reinstall)));
            return InstallCheck {
                info: Some(info),
                receipt: None,
                findings,
            };
        }
        let bin = located.path.join(&receipt.bin);
        match install::hash_file(&bin) {
            Ok(actual) if actual.eq_ignore_ascii_case(receipt.bin_sha256.trim()) => {
                info.binary = BinaryState::Intact;
            }
            Ok(actual) => {
                info.binary = BinaryState::Modified;
                findings.push((
                    Check::BinaryModified,
                    format!(
                        "`{}` was modified after install: its sha256 is {actual}, the receipt says {}",
                        receipt.bin, receipt.bin_sha256
                    ),
                    Some(format!("find out what changed it, then {reinstall}")),
                ));
            }
            Err(e) if !bin.exists() => {
                tracing::debug!(error = %e, "binary missing");
                info.binary = BinaryState::Missing;
                findings.push((
                    Check::BinaryMissing,
                    format!("`{}` named by the receipt is missing", bin.display()),
                    Some(reinstall.clone()),
                ));
            }
            Err(e) => {
                info.binary = BinaryState::Unknown;
                findings.push((
                    Check::BinaryMissing,
                    format!(
                        "cannot read the binary: {}",
                        Failure::from_error(&e).message()
                    ),
                    Some(reinstall.clone()),
                ));
            }
        }
        if receipt.verified_by.is_empty() {
            findings.push((
                Check::UnverifiedInstall,
                format!(
                    "installed without verification (`verify = \"none\"`): no checksums file or digest vouched for `{}`",
                    receipt.asset
                ),
                Some("publish a checksums file with the origin's releases, then reinstall without `verify = \"none\"`".to_owned()),
            ));
        }
        InstallCheck {
            info: Some(info),
            receipt: Some(receipt),
            findings,
        }
    }

    /// The install directory: from `mise where`, or from mise's installs directory when mise
    /// cannot be run. `Err` says why the tool counts as not installed.
    fn locate(
        &self,
        address: &ToolAddress,
        requirement: &ToolRequirement,
    ) -> Result<Located, String> {
        let env = |k: &str| self.session.env().var(k);
        let key = mise::tool_key(address);
        match mise::mise_where(&key, &self.project.dir, &env) {
            Where::Installed(path) => {
                return Ok(Located {
                    path,
                    found_by: FoundBy::Mise,
                });
            }
            Where::NotInstalled(why) => {
                return Err(format!(
                    "`{address}` is not installed (`mise where {key}`: {why})"
                ));
            }
            Where::Unavailable(why) => tracing::debug!("not asking mise: {why}"),
        }
        let Some(installs) =
            mise::installs_root(&env).map(|r| r.join(mise::tool_dir_name(address)))
        else {
            return Err(format!(
                "`{address}` is not installed (mise could not be run, and neither MISE_DATA_DIR nor HOME locates mise's installs)"
            ));
        };
        let constraint = requirement.constraint().ok();
        let mut versions: Vec<(Option<semver::Version>, PathBuf)> = fs::read_dir(&installs)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| {
                let version = parse_version(&e.file_name().to_string_lossy());
                (version, e.path())
            })
            .collect();
        // Highest first; versions the constraint accepts before the others.
        versions.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
        let accepted = |v: &Option<semver::Version>| match (&constraint, v) {
            (Some(req), Some(v)) => req.matches(v),
            _ => true,
        };
        let pick = versions
            .iter()
            .find(|(v, _)| accepted(v))
            .or_else(|| versions.first());
        match pick {
            Some((_, path)) => Ok(Located {
                path: path.clone(),
                found_by: FoundBy::InstallsDir,
            }),
            None => Err(format!(
                "`{address}` is not installed (nothing in `{}`; mise could not be asked)",
                installs.display()
            )),
        }
    }
}

/// Where an install was found.
struct Located {
    path: PathBuf,
    found_by: FoundBy,
}

/// `mise install --force skillrig:<address>@<version>` (or `mise install` without a version).
pub(super) fn reinstall_hint(address: &ToolAddress, info: Option<&InstallInfo>) -> String {
    match info.and_then(|i| i.version.as_deref()) {
        Some(version) => {
            format!("reinstall: `mise install --force {BACKEND_PREFIX}{address}@{version}`")
        }
        None => format!("reinstall: `mise install --force {BACKEND_PREFIX}{address}`"),
    }
}

/// Another tool installed where `address` is expected (see [`mise::colliding_tool`]).
fn collision(receipt: &Receipt, address: &ToolAddress) -> Option<(Check, String, Option<String>)> {
    let other = mise::colliding_tool(receipt, address)?;
    let (message, hint) = mise::collision_message(&other, address);
    Some((
        Check::ToolCollision,
        format!("{message}, so `{address}` runs the other tool's binary"),
        Some(hint),
    ))
}

/// Why a receipt does not belong to `address`, if it does not.
fn receipt_mismatch(receipt: &Receipt, address: &ToolAddress) -> Option<String> {
    let origin = format!("{}/{}", address.owner(), address.repo());
    let tool_ok = receipt.tool.eq_ignore_ascii_case(&address.to_string())
        || receipt.tool.eq_ignore_ascii_case(address.bin());
    if !receipt.origin.eq_ignore_ascii_case(&origin)
        || !receipt.host.eq_ignore_ascii_case(address.host().as_str())
        || !tool_ok
    {
        return Some(format!(
            "the receipt is for `{}` from {}/{}, not `{address}`",
            receipt.tool, receipt.host, receipt.origin
        ));
    }
    let bin = Path::new(&receipt.bin);
    let inside = bin.components().any(|c| matches!(c, Component::Normal(_)))
        && bin
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    (!inside).then(|| {
        format!(
            "the receipt names `{}`, which is outside the install",
            receipt.bin
        )
    })
}

/// A version string as SemVer (a leading `v` allowed).
pub(super) fn parse_version(text: &str) -> Option<semver::Version> {
    origin_meta::parse_version_lenient(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(origin: &str, tool: &str, bin: &str) -> Receipt {
        Receipt {
            schema: 1,
            origin: origin.into(),
            host: "github.com".into(),
            tool: tool.into(),
            version: "1.0.0".into(),
            tag: "1.0.0+jira".into(),
            release_commit: None,
            asset: "a.tar.gz".into(),
            asset_sha256: "0".repeat(64),
            bin: bin.into(),
            bin_sha256: "0".repeat(64),
            verified_by: Vec::new(),
            attestations: None,
            installed_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn receipts_must_name_this_tool_and_a_binary_inside_the_install() {
        let address = ToolAddress::parse("acme/tools/jira", None).unwrap();
        assert_eq!(
            receipt_mismatch(
                &receipt("acme/tools", "acme/tools/jira", "bin/jira"),
                &address
            ),
            None
        );
        assert_eq!(
            receipt_mismatch(&receipt("Acme/Tools", "jira", "bin/jira"), &address),
            None
        );
        assert!(
            receipt_mismatch(
                &receipt("evil/tools", "acme/tools/jira", "bin/jira"),
                &address
            )
            .is_some()
        );
        assert!(
            receipt_mismatch(
                &receipt("acme/tools", "acme/tools/tfc", "bin/jira"),
                &address
            )
            .is_some()
        );
        for bad in ["../../usr/bin/true", "/usr/bin/true", ""] {
            assert!(
                receipt_mismatch(&receipt("acme/tools", "jira", bad), &address).is_some(),
                "{bad}"
            );
        }
    }

    #[test]
    fn another_tool_in_the_same_mise_directory_is_a_collision() {
        let ours = ToolAddress::parse("a-b/c/d", None).unwrap();
        let theirs = receipt("a/b-c", "a/b-c/d", "bin/d");
        let (check, message, hint) = collision(&theirs, &ours).unwrap();
        assert_eq!(check, Check::ToolCollision);
        assert!(
            message.starts_with("`skillrig:a/b-c/d` is installed where `skillrig:a-b/c/d` belongs"),
            "{message}"
        );
        assert!(hint.unwrap().contains("[tool_alias]"));
        // The same tool (another spelling) is no collision; nor is a different directory.
        assert!(collision(&receipt("A-B/C", "A-B/C/d", "bin/d"), &ours).is_none());
        assert!(collision(&receipt("x/y", "x/y/d", "bin/d"), &ours).is_none());
    }
}
