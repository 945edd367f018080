//! A test-made Sigstore instance: its own Fulcio-style CA chain and RFC 3161 timestamp
//! authority, the `trusted_root.json` that trusts them, and bundle v0.3 attestations signed
//! the way GitHub signs them.
//!
//! GitHub's own instance (release attestations, private repositories) has no transparency
//! log; its evidence is a short-lived certificate plus RFC 3161 timestamps, and so is this
//! one's. The code under test verifies these bundles with the trusted root from
//! [`TestSigstore::trusted_root_json`] (passed via `SKILLRIG_TRUSTED_ROOT`), exactly as it
//! verifies GitHub's with the embedded root.
//!
//! | signer | certificate |
//! |---|---|
//! | [`Signer::github_release`] | SAN URI `https://dotcom.releases.github.com`, subject `O=GitHub, Inc., CN=Attester`, no OIDC extensions |
//! | [`Signer::actions`] | SAN URI = the workflow (`https://github.com/<repo>/<path>@<ref>`), Fulcio extensions: OIDC issuer (`.1.1`, `.1.8`), build signer URI (`.1.9`), runner (`.1.11`), source repository URI/digest/ref (`.1.12`–`.1.14`), build config (`.1.18`), trigger (`.1.20`), run URI (`.1.21`) |
//!
//! Certificates are built with rcgen; the timestamp token is a CMS SignedData over a TSTInfo
//! (the `cms` and `x509-tsp` crates), signed with sha256 over its signed attributes; the
//! DSSE signature and bundle come from sigstore-rust's own types and builder. Mutations for
//! negative tests: another repository in the certificate ([`Signer::actions`] with any
//! repository), the asset swapped after signing (sign one digest, serve other bytes), a
//! missing attestation (sign nothing), and [`Timing`] for expired certificates with or
//! without a timestamp.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use cms::cert::IssuerAndSerialNumber;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
    SanType,
};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use sigstore_verify::bundle::BundleV03;
use sigstore_verify::crypto::KeyPair as SigningKey;
use sigstore_verify::types::{
    DerCertificate, DsseEnvelope, DsseSignature, KeyId, PayloadBytes, TimestampToken, pae,
};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::der::asn1::{GeneralizedTime, Int, ObjectIdentifier, OctetString, SetOfVec};
use x509_cert::der::{Any, Decode, Encode, Tag};
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_tsp::{MessageImprint, TspVersion, TstInfo};

/// The in-toto payload type of DSSE envelopes.
pub const IN_TOTO: &str = "application/vnd.in-toto+json";
/// GitHub's release predicate.
pub const RELEASE_PREDICATE: &str = "https://in-toto.io/attestation/release/v0.2";
/// SLSA build provenance v1.
pub const SLSA_PROVENANCE: &str = "https://slsa.dev/provenance/v1";
/// GitHub's release signer identity on github.com.
pub const RELEASE_SIGNER: &str = "https://dotcom.releases.github.com";
/// GitHub Actions' OIDC issuer on github.com.
pub const ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const OID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const OID_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const OID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const OID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// Any policy OID will do; this one is under Sigstore's arc, like GitHub's TSA's.
const OID_TSA_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.2");

/// Who signs an attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signer {
    /// GitHub's release signer (no OIDC claims).
    Release {
        /// The certificate's SAN URI.
        san: String,
    },
    /// A GitHub Actions workflow (Fulcio OIDC claims).
    Actions {
        /// The OIDC issuer.
        issuer: String,
        /// The host in URIs, e.g. `github.com`.
        host: String,
        /// `owner/repo` the workflow ran in (the source repository extension).
        repository: String,
        /// The workflow file, e.g. `.github/workflows/release.yml`.
        workflow: String,
        /// The ref, e.g. `refs/tags/1.7.0+jira`.
        git_ref: String,
    },
}

impl Signer {
    /// GitHub's release signer on github.com.
    pub fn github_release() -> Signer {
        Signer::Release {
            san: RELEASE_SIGNER.to_owned(),
        }
    }

    /// A github.com Actions workflow `workflow` of `repository` (`owner/repo`) at `git_ref`.
    pub fn actions(repository: &str, workflow: &str, git_ref: &str) -> Signer {
        Signer::Actions {
            issuer: ACTIONS_ISSUER.to_owned(),
            host: "github.com".to_owned(),
            repository: repository.to_owned(),
            workflow: workflow.to_owned(),
            git_ref: git_ref.to_owned(),
        }
    }
}

/// When the certificate was valid, and whether the signature was timestamped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Timing {
    /// A certificate valid for ten minutes around now, timestamped now (what GitHub does).
    #[default]
    Normal,
    /// A certificate that expired an hour ago, signed while it was valid, and a timestamp
    /// from then: still valid, since the timestamp proves when it signed.
    ExpiredButTimestamped,
    /// A certificate that expired an hour ago and no timestamp: nothing shows when it signed.
    ExpiredWithoutTimestamp,
    /// A certificate that expired an hour ago and a timestamp from now: signed too late.
    TimestampedAfterExpiry,
}

/// A CA or TSA certificate with its key.
struct Authority {
    params: CertificateParams,
    key: KeyPair,
    der: Vec<u8>,
}

/// The test instance. Each instance has fresh keys, so roots of two instances do not trust
/// each other's bundles.
pub struct TestSigstore {
    fulcio_root: Authority,
    fulcio_intermediate: Authority,
    tsa_root: Authority,
    tsa: Authority,
    serial: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for TestSigstore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestSigstore")
    }
}

impl Default for TestSigstore {
    fn default() -> TestSigstore {
        TestSigstore::new()
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn datetime(secs: u64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(secs as i64).expect("a representable time")
}

fn name(org: &str, cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, org);
    dn.push(DnType::CommonName, cn);
    dn
}

fn new_key() -> KeyPair {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("generate a P-256 key")
}

/// A CA valid from 2020 to 2100, self-signed or signed by `issuer`.
fn ca(org: &str, cn: &str, issuer: Option<&Authority>) -> Authority {
    let key = new_key();
    let mut params = CertificateParams::default();
    params.distinguished_name = name(org, cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.use_authority_key_identifier_extension = issuer.is_some();
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2100, 1, 1);
    let cert = match issuer {
        None => params.self_signed(&key),
        Some(by) => params.signed_by(&key, &Issuer::from_params(&by.params, &by.key)),
    }
    .expect("sign a CA certificate");
    Authority {
        der: cert.der().to_vec(),
        params,
        key,
    }
}

/// A DER UTF8String, the encoding Fulcio uses for extensions from `.1.8` on.
fn utf8_der(text: &str) -> Vec<u8> {
    x509_cert::der::asn1::Utf8StringRef::new(text)
        .expect("a UTF-8 string")
        .to_der()
        .expect("encode a UTF8String")
}

fn fulcio_ext(n: u64, content: Vec<u8>) -> CustomExtension {
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 57264, 1, n], content)
}

impl TestSigstore {
    /// A new instance: a Fulcio root and intermediate, a TSA root and TSA certificate.
    pub fn new() -> TestSigstore {
        let fulcio_root = ca("Testkit Sigstore", "Testkit Fulcio Root", None);
        let fulcio_intermediate = ca(
            "Testkit Sigstore",
            "Testkit Fulcio Intermediate",
            Some(&fulcio_root),
        );
        let tsa_root = ca("Testkit Sigstore", "Testkit TSA Root", None);
        let key = new_key();
        let mut params = CertificateParams::default();
        params.distinguished_name = name("Testkit Sigstore", "Testkit Timestamping");
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::TimeStamping];
        params.use_authority_key_identifier_extension = true;
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2100, 1, 1);
        let cert = params
            .signed_by(&key, &Issuer::from_params(&tsa_root.params, &tsa_root.key))
            .expect("sign the TSA certificate");
        let tsa = Authority {
            der: cert.der().to_vec(),
            params,
            key,
        };
        TestSigstore {
            fulcio_root,
            fulcio_intermediate,
            tsa_root,
            tsa,
            serial: std::sync::atomic::AtomicU64::new(1),
        }
    }

    /// The `trusted_root.json` document that trusts this instance (no transparency or CT
    /// logs, like GitHub's).
    pub fn trusted_root(&self) -> Value {
        let chain = |certs: &[&Authority]| {
            json!({"certificates": certs
                .iter()
                .map(|a| json!({"rawBytes": B64.encode(&a.der)}))
                .collect::<Vec<_>>()})
        };
        json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "certificateAuthorities": [{
                "subject": {"organization": "Testkit Sigstore", "commonName": "Testkit Fulcio Intermediate"},
                "uri": "https://fulcio.testkit.invalid",
                "certChain": chain(&[&self.fulcio_intermediate, &self.fulcio_root]),
                "validFor": {"start": "2020-01-01T00:00:00Z"}
            }],
            "timestampAuthorities": [{
                "subject": {"organization": "Testkit Sigstore", "commonName": "Testkit Timestamping"},
                "uri": "https://tsa.testkit.invalid",
                "certChain": chain(&[&self.tsa, &self.tsa_root]),
                "validFor": {"start": "2020-01-01T00:00:00Z"}
            }]
        })
    }

    /// [`TestSigstore::trusted_root`] as one line of JSON (what `gh attestation
    /// trusted-root` prints per root, and what `SKILLRIG_TRUSTED_ROOT` may name).
    pub fn trusted_root_json(&self) -> String {
        self.trusted_root().to_string()
    }

    /// Signs `statement` (an in-toto statement) as `signer`, returning bundle v0.3 JSON.
    pub fn sign(&self, statement: &Value, signer: &Signer, timing: Timing) -> Vec<u8> {
        let now = unix_now();
        let hour = 3600;
        // Leaf certificates live ten minutes, as Fulcio's do.
        let (not_before, stamp) = match timing {
            Timing::Normal => (now - 300, Some(now)),
            Timing::ExpiredButTimestamped => (now - 2 * hour, Some(now - 2 * hour + 60)),
            Timing::ExpiredWithoutTimestamp => (now - 2 * hour, None),
            Timing::TimestampedAfterExpiry => (now - 2 * hour, Some(now)),
        };
        let key = new_key();
        let leaf = self.leaf_certificate(&key, signer, not_before, not_before + 600);
        let signing_key =
            SigningKey::from_pkcs8_der(&key.serialize_der()).expect("load the leaf key");
        let payload = serde_json::to_vec(statement).expect("serialize the statement");
        let signature = signing_key
            .sign(&pae(IN_TOTO, &payload))
            .expect("sign the envelope");
        let envelope = DsseEnvelope::new(
            IN_TOTO,
            PayloadBytes::from_bytes(&payload),
            DsseSignature::new(signature.clone(), KeyId::default()),
        );
        let mut bundle =
            BundleV03::with_certificate_and_dsse(DerCertificate::from_bytes(&leaf), envelope);
        if let Some(at) = stamp {
            let token = self.timestamp(signature.as_bytes(), at);
            bundle = bundle.with_rfc3161_timestamp(TimestampToken::from_bytes(&token));
        }
        bundle
            .into_bundle()
            .to_json()
            .expect("serialize the bundle")
            .into_bytes()
    }

    /// GitHub's release attestation for `owner/repo@tag` (tag commit `commit`) whose assets
    /// are `(name, sha256 hex)`.
    pub fn sign_release(
        &self,
        owner: &str,
        repo: &str,
        tag: &str,
        commit: &str,
        assets: &[(&str, &str)],
    ) -> Vec<u8> {
        self.sign(
            &release_statement(owner, repo, tag, commit, assets),
            &Signer::github_release(),
            Timing::Normal,
        )
    }

    /// SLSA build provenance for `assets`, signed by `workflow` of `repository` at
    /// `git_ref` on github.com.
    pub fn sign_provenance(
        &self,
        repository: &str,
        workflow: &str,
        git_ref: &str,
        assets: &[(&str, &str)],
    ) -> Vec<u8> {
        self.sign(
            &provenance_statement(repository, workflow, git_ref, assets),
            &Signer::actions(repository, workflow, git_ref),
            Timing::Normal,
        )
    }

    fn leaf_certificate(&self, key: &KeyPair, signer: &Signer, from: u64, until: u64) -> Vec<u8> {
        let mut params = CertificateParams::default();
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
        params.use_authority_key_identifier_extension = true;
        params.not_before = datetime(from);
        params.not_after = datetime(until);
        let san = |uri: &str| SanType::URI(uri.try_into().expect("an IA5 URI"));
        match signer {
            Signer::Release { san: uri } => {
                params.distinguished_name = name("GitHub, Inc.", "Attester");
                params.subject_alt_names = vec![san(uri)];
            }
            Signer::Actions {
                issuer,
                host,
                repository,
                workflow,
                git_ref,
            } => {
                params.distinguished_name = name("Testkit Sigstore", "sigstore");
                let repo_uri = format!("https://{host}/{repository}");
                let workflow_uri = format!("{repo_uri}/{workflow}@{git_ref}");
                let commit = &crate::model::sha256_hex(workflow_uri.as_bytes())[..40];
                params.subject_alt_names = vec![san(&workflow_uri)];
                params.custom_extensions = vec![
                    // `.1.1` predates the DER encoding: raw bytes.
                    fulcio_ext(1, issuer.as_bytes().to_vec()),
                    fulcio_ext(8, utf8_der(issuer)),
                    fulcio_ext(9, utf8_der(&workflow_uri)),
                    fulcio_ext(11, utf8_der("github-hosted")),
                    fulcio_ext(12, utf8_der(&repo_uri)),
                    fulcio_ext(13, utf8_der(commit)),
                    fulcio_ext(14, utf8_der(git_ref)),
                    fulcio_ext(18, utf8_der(&workflow_uri)),
                    fulcio_ext(20, utf8_der("push")),
                    fulcio_ext(
                        21,
                        utf8_der(&format!("{repo_uri}/actions/runs/1/attempts/1")),
                    ),
                ];
            }
        }
        let issuer = Issuer::from_params(
            &self.fulcio_intermediate.params,
            &self.fulcio_intermediate.key,
        );
        params
            .signed_by(key, &issuer)
            .expect("sign the leaf certificate")
            .der()
            .to_vec()
    }

    /// An RFC 3161 timestamp token (CMS ContentInfo) over `signature`, made at `at`.
    fn timestamp(&self, signature: &[u8], at: u64) -> Vec<u8> {
        let serial = self
            .serial
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let sha256 = AlgorithmIdentifierOwned {
            oid: OID_SHA256,
            parameters: None,
        };
        let tst_info = TstInfo {
            version: TspVersion::V1,
            policy: OID_TSA_POLICY,
            message_imprint: MessageImprint {
                hash_algorithm: x509_cert::spki::AlgorithmIdentifier {
                    oid: OID_SHA256,
                    parameters: None,
                },
                hashed_message: OctetString::new(Sha256::digest(signature).to_vec())
                    .expect("an octet string"),
            },
            serial_number: Int::new(&der_uint(serial)).expect("an integer"),
            gen_time: GeneralizedTime::from_system_time(UNIX_EPOCH + Duration::from_secs(at))
                .expect("a generalized time"),
            accuracy: None,
            ordering: false,
            nonce: None,
            tsa: None,
            extensions: None,
        }
        .to_der()
        .expect("encode TSTInfo");

        let attribute = |oid, value: Any| Attribute {
            oid,
            values: SetOfVec::try_from(vec![value]).expect("one value"),
        };
        let content_type = Any::encode_from(&OID_TST_INFO).expect("encode an OID");
        let digest = Any::new(Tag::OctetString, Sha256::digest(&tst_info).to_vec())
            .expect("an octet string");
        let signed_attrs = SetOfVec::try_from(vec![
            attribute(OID_CONTENT_TYPE, content_type),
            attribute(OID_MESSAGE_DIGEST, digest),
        ])
        .expect("two attributes");
        // The signature covers the attributes as a SET OF, not as the [0] field.
        let tsa_key =
            SigningKey::from_pkcs8_der(&self.tsa.key.serialize_der()).expect("load the TSA key");
        let attrs_signature = tsa_key
            .sign(&signed_attrs.to_der().expect("encode the attributes"))
            .expect("sign the attributes");

        let tsa_cert = Certificate::from_der(&self.tsa.der).expect("parse the TSA certificate");
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tsa_cert.tbs_certificate.issuer.clone(),
                serial_number: tsa_cert.tbs_certificate.serial_number.clone(),
            }),
            digest_alg: sha256.clone(),
            signed_attrs: Some(signed_attrs),
            signature_algorithm: AlgorithmIdentifierOwned {
                oid: OID_ECDSA_SHA256,
                parameters: None,
            },
            signature: OctetString::new(attrs_signature.as_bytes().to_vec())
                .expect("an octet string"),
            unsigned_attrs: None,
        };
        let signed_data = SignedData {
            version: CmsVersion::V3,
            digest_algorithms: SetOfVec::try_from(vec![sha256]).expect("one algorithm"),
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: OID_TST_INFO,
                econtent: Some(Any::new(Tag::OctetString, tst_info).expect("an octet string")),
            },
            certificates: Some(CertificateSet(
                SetOfVec::try_from(vec![cms::cert::CertificateChoices::Certificate(tsa_cert)])
                    .expect("one certificate"),
            )),
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).expect("one signer")),
        };
        ContentInfo {
            content_type: OID_SIGNED_DATA,
            content: Any::encode_from(&signed_data).expect("encode SignedData"),
        }
        .to_der()
        .expect("encode the token")
    }
}

/// `n` as a DER INTEGER's minimal big-endian content (a leading 0 keeps it positive).
fn der_uint(n: u64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let first = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut out = bytes[first..].to_vec();
    if out[0] & 0x80 != 0 {
        out.insert(0, 0);
    }
    out
}

/// GitHub's release statement: one subject per asset (name and sha256) and the
/// `pkg:github/<owner>/<repo>@<tag>` subject with the tag's commit as sha1.
pub fn release_statement(
    owner: &str,
    repo: &str,
    tag: &str,
    commit: &str,
    assets: &[(&str, &str)],
) -> Value {
    // purl versions percent-encode everything outside the unreserved set (`+` in `1.7.0+jira`).
    let version: String = percent_encoding::utf8_percent_encode(tag, PURL_VERSION).to_string();
    let purl = format!("pkg:github/{owner}/{repo}@{version}");
    let mut subject = vec![json!({"uri": purl, "digest": {"sha1": commit}})];
    subject.extend(
        assets
            .iter()
            .map(|(name, sha256)| json!({"name": name, "digest": {"sha256": sha256}})),
    );
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subject,
        "predicateType": RELEASE_PREDICATE,
        "predicate": {
            "databaseId": "1001",
            "ownerId": "2002",
            "packageId": "3003",
            "purl": purl,
            "repository": format!("{owner}/{repo}"),
            "repositoryId": "3003",
            "tag": tag,
        }
    })
}

const PURL_VERSION: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A minimal SLSA v1 provenance statement for `assets` built by `workflow` of `repository`.
pub fn provenance_statement(
    repository: &str,
    workflow: &str,
    git_ref: &str,
    assets: &[(&str, &str)],
) -> Value {
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": assets
            .iter()
            .map(|(name, sha256)| json!({"name": name, "digest": {"sha256": sha256}}))
            .collect::<Vec<_>>(),
        "predicateType": SLSA_PROVENANCE,
        "predicate": {
            "buildDefinition": {
                "buildType": "https://actions.github.io/buildtypes/workflow/v1",
                "externalParameters": {"workflow": {
                    "ref": git_ref,
                    "repository": format!("https://github.com/{repository}"),
                    "path": workflow,
                }},
            },
            "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"}},
        }
    })
}
