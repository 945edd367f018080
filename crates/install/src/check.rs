//! The comparison that decides whether anything may leave staging: the expected digests are
//! checked for shape before the download starts, and all of them must match the bytes read.

use crate::digest::{DigestSource, ExpectedDigest, VerifyPolicy};
use crate::error::Repr;

/// Checks the request's digests before anything is downloaded.
pub(crate) fn check_expected(
    asset: &str,
    expected: &[ExpectedDigest],
    policy: VerifyPolicy,
) -> Result<(), Repr> {
    for e in expected {
        let hex = e.normalized();
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Repr::InvalidRequest(format!(
                "the {} gives `{}` for `{asset}`, which is not a sha256 (64 hex digits)",
                e.source,
                crate::error::display_name(e.sha256_hex.as_bytes())
            )));
        }
    }
    if expected.is_empty() && policy == VerifyPolicy::Required {
        return Err(Repr::NoDigest {
            asset: asset.to_owned(),
        });
    }
    Ok(())
}

/// Compares the actual digest with every expected one; all must match.
/// Returns the sources that vouched for the asset.
pub(crate) fn verify(
    asset: &str,
    expected: &[ExpectedDigest],
    actual: &str,
) -> Result<Vec<DigestSource>, Repr> {
    let (ok, bad): (Vec<&ExpectedDigest>, Vec<&ExpectedDigest>) =
        expected.iter().partition(|e| e.normalized() == actual);
    let matched: Vec<DigestSource> = ok.into_iter().map(|e| e.source.clone()).collect();
    if bad.is_empty() {
        return Ok(dedup(matched));
    }
    Err(Repr::Mismatch {
        asset: asset.to_owned(),
        actual: actual.to_owned(),
        mismatched: bad.into_iter().cloned().collect(),
        matched: dedup(matched),
    })
}

fn dedup(sources: Vec<DigestSource>) -> Vec<DigestSource> {
    let mut out: Vec<DigestSource> = Vec::with_capacity(sources.len());
    for s in sources {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    const B: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    fn cs() -> DigestSource {
        DigestSource::ChecksumsFile {
            name: "t_checksums.txt".into(),
        }
    }

    #[test]
    fn expected_digests_are_validated_before_download() {
        let table: &[(&str, bool)] = &[
            (A, true),
            (&A.to_ascii_uppercase(), true),
            (
                " 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\r\n",
                true,
            ),
            ("9f86d0", false),
            (
                "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a",
                false,
            ),
            (
                "zz86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                false,
            ),
        ];
        for (hex, ok) in table {
            let r = check_expected(
                "a",
                &[ExpectedDigest::new(*hex, cs())],
                VerifyPolicy::Required,
            );
            assert_eq!(r.is_ok(), *ok, "{hex:?}");
        }
    }

    #[test]
    fn policy_decides_only_when_nothing_is_expected() {
        assert!(matches!(
            check_expected("a", &[], VerifyPolicy::Required),
            Err(Repr::NoDigest { .. })
        ));
        assert!(check_expected("a", &[], VerifyPolicy::AllowUnverified).is_ok());
    }

    #[test]
    fn every_source_must_match() {
        let both = [
            ExpectedDigest::new(A, cs()),
            ExpectedDigest::new(A, DigestSource::GithubDigest),
        ];
        assert_eq!(
            verify("a", &both, A).unwrap(),
            vec![cs(), DigestSource::GithubDigest]
        );

        let one_bad = [
            ExpectedDigest::new(A, cs()),
            ExpectedDigest::new(B, DigestSource::GithubDigest),
        ];
        let err = verify("a", &one_bad, A).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("GitHub asset digest expects 0000"), "{text}");
        assert!(text.contains(&format!("hash to {A}")), "{text}");
        assert!(!text.contains("checksums file"), "{text}");
        match err {
            Repr::Mismatch { matched, .. } => assert_eq!(matched, vec![cs()]),
            other => panic!("unexpected {other:?}"),
        }
    }
}
