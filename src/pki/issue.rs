//! Generating keys and signing certificates with the Tanium root key.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use ssh_key::rand_core::{OsRng, RngCore};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use super::{CertSummary, PkiError, spki_fingerprint};
use crate::date::date;

/// Key types allowed for reporting keys (SPEC §7: ECDSA P-256/P-384 or RSA ≥ 2048).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    EcdsaP256,
    EcdsaP384,
    Rsa2048,
    Rsa3072,
    Rsa4096,
}

impl KeyType {
    /// In the order the CSR prompt offers them; the first is the default.
    pub const ALL: [KeyType; 5] = [
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
        KeyType::Rsa2048,
        KeyType::Rsa3072,
        KeyType::Rsa4096,
    ];

    pub fn label(self) -> &'static str {
        match self {
            KeyType::EcdsaP256 => "ECDSA P-256",
            KeyType::EcdsaP384 => "ECDSA P-384",
            KeyType::Rsa2048 => "RSA 2048",
            KeyType::Rsa3072 => "RSA 3072",
            KeyType::Rsa4096 => "RSA 4096",
        }
    }

    pub fn rsa_bits(self) -> Option<usize> {
        match self {
            KeyType::Rsa2048 => Some(2048),
            KeyType::Rsa3072 => Some(3072),
            KeyType::Rsa4096 => Some(4096),
            KeyType::EcdsaP256 | KeyType::EcdsaP384 => None,
        }
    }

    /// Accepts "p256", "ecdsa-p384", "rsa3072", "RSA 4096"…
    pub fn parse(text: &str) -> Option<KeyType> {
        let norm: String = text
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let norm = norm.strip_prefix("ecdsa").unwrap_or(&norm);
        match norm {
            "p256" | "" => Some(KeyType::EcdsaP256),
            "p384" => Some(KeyType::EcdsaP384),
            "rsa2048" => Some(KeyType::Rsa2048),
            "rsa3072" => Some(KeyType::Rsa3072),
            "rsa4096" => Some(KeyType::Rsa4096),
            _ => None,
        }
    }
}

/// Validity of the root certificate: it must outlive every certificate it signs.
pub const ROOT_VALIDITY_DAYS: i64 = 7305;
/// Default validity of an issued reporting certificate (seed: `--expiration arg (=3650)`).
pub const DEFAULT_VALIDITY_DAYS: i64 = 3650;
/// The bounds of an issued certificate's validity, in days: the prompt, its check, the
/// confirmation and the command line all take them from here. The root's own remaining
/// validity may lower the upper bound (`issue_limit`).
pub const MIN_VALIDITY_DAYS: i64 = 1;
pub const MAX_VALIDITY_DAYS: i64 = ROOT_VALIDITY_DAYS;

/// Reads a validity typed by the operator: a whole number of days from 1 to `max`.
pub fn parse_validity_days(text: &str, max: i64) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(n) if (MIN_VALIDITY_DAYS..=max).contains(&n) => Ok(n),
        _ => Err(crate::say!(
            "pki.issue.days",
            min = MIN_VALIDITY_DAYS,
            max = max
        )),
    }
}

/// How long a certificate issued now under a root may be valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssueLimit {
    /// The longest validity allowed now: `MAX_VALIDITY_DAYS`, or fewer near the root's end.
    pub max_days: i64,
    pub root_not_after: OffsetDateTime,
}

/// What may be issued at `now` under the root certificate `root`: refused under a root that
/// is expired, not yet valid, or ends within a day.
pub fn issue_limit(root: &CertSummary, now: OffsetDateTime) -> Result<IssueLimit, PkiError> {
    if now < root.not_before {
        return Err(PkiError::RootNotYetValid(date(root.not_before)));
    }
    if now > root.not_after {
        return Err(PkiError::RootExpired(date(root.not_after)));
    }
    let left = (root.not_after - now).whole_days();
    if left < MIN_VALIDITY_DAYS {
        return Err(PkiError::RootExpiring(date(root.not_after)));
    }
    Ok(IssueLimit {
        max_days: left.min(MAX_VALIDITY_DAYS),
        root_not_after: root.not_after,
    })
}

/// `issue_limit` of a PEM root certificate (tanium-root.crt).
pub fn issue_limit_pem(root_cert_pem: &str, now: OffsetDateTime) -> Result<IssueLimit, PkiError> {
    issue_limit(&root_summary(root_cert_pem)?, now)
}

fn root_summary(root_cert_pem: &str) -> Result<CertSummary, PkiError> {
    CertSummary::from_pem(root_cert_pem.as_bytes()).map_err(|e| PkiError::Parse {
        what: super::Parsed::RootCertificate,
        reason: e.to_string(),
    })
}

/// `now` moved by `delta`, or a refusal naming the clock when the result cannot be dated
/// (a clock set near the year 9999).
fn shifted(now: OffsetDateTime, delta: Duration) -> Result<OffsetDateTime, PkiError> {
    now.checked_add(delta)
        .filter(|t| (1950..=9999).contains(&t.year()))
        .ok_or_else(|| PkiError::Clock(date(now)))
}

/// A new key pair. RSA keys come from OpenSSL's generator (libcrypto is already linked
/// through libssh2): under a second even for 4096 bits, where a pure-Rust prime search took
/// seconds.
pub fn generate_key(kind: KeyType) -> Result<KeyPair, PkiError> {
    let failed = |e: &dyn std::fmt::Display| PkiError::KeyGeneration(e.to_string());
    match (kind, kind.rsa_bits()) {
        (_, Some(bits)) => {
            let pem = rsa_pkcs8_pem(bits).map_err(|e| failed(&e))?;
            let pem = std::str::from_utf8(&pem).map_err(|e| failed(&e))?;
            KeyPair::from_pem_and_sign_algo(pem, &rcgen::PKCS_RSA_SHA256).map_err(|e| failed(&e))
        }
        (KeyType::EcdsaP384, None) => {
            KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).map_err(|e| failed(&e))
        }
        (_, None) => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| failed(&e)),
    }
}

/// A new RSA private key (public exponent 65537) as PKCS#8 PEM ("PRIVATE KEY"), the form
/// rcgen reads and `reporting.pvk` holds; wiped from memory when dropped (OpenSSL clears the
/// key's private numbers when it frees them).
fn rsa_pkcs8_pem(bits: usize) -> Result<Zeroizing<Vec<u8>>, String> {
    let bits = u32::try_from(bits).map_err(|_| crate::say!("pki.issue.rsa_size", bits = bits))?;
    let generated = super::rsakey::generate(bits)
        .and_then(openssl::pkey::PKey::from_rsa)
        .and_then(|key| key.private_key_to_pem_pkcs8());
    generated.map(Zeroizing::new).map_err(|e| e.to_string())
}

/// A random positive 128-bit serial: unique without a counter to keep.
fn random_serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    SerialNumber::from_slice(&bytes)
}

fn cert_err(e: rcgen::Error) -> PkiError {
    PkiError::Certificate(e.to_string())
}

/// The Tanium Server's root key pair and its self-signed certificate.
pub struct RootCa {
    pub key_pem: String,
    pub public_pem: String,
    pub cert_pem: String,
    pub fingerprint: String,
}

impl RootCa {
    pub fn generate(hostname: &str, now: OffsetDateTime) -> Result<RootCa, PkiError> {
        RootCa::named(&format!("Tanium Root {hostname}"), now)
    }

    /// A root whose certificate is named `common_name`: a root added beside another one
    /// carries its date, so the two are told apart by name too.
    pub fn named(common_name: &str, now: OffsetDateTime) -> Result<RootCa, PkiError> {
        let key = generate_key(KeyType::EcdsaP384)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "Tanium");
        dn.push(DnType::CommonName, common_name);
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.serial_number = Some(random_serial());
        params.not_before = shifted(now, -Duration::minutes(5))?;
        params.not_after = shifted(now, Duration::days(ROOT_VALIDITY_DAYS))?;
        let cert = params.self_signed(&key).map_err(cert_err)?;
        Ok(RootCa {
            key_pem: key.serialize_pem(),
            public_pem: key.public_key_pem(),
            cert_pem: cert.pem(),
            fingerprint: spki_fingerprint(&rcgen::PublicKeyData::subject_public_key_info(&key)),
        })
    }
}

/// What goes into a reporting certificate besides its public key.
#[derive(Debug, Clone)]
pub struct LeafRequest {
    pub common_name: String,
    pub dns_names: Vec<String>,
    pub ips: Vec<std::net::IpAddr>,
    pub days: i64,
    /// RSA keys also encipher (TLS RSA key exchange); ECDSA keys only sign.
    pub rsa: bool,
}

/// Signs a TLS server/client certificate for `public_key` with the root key. Refused under a
/// root that is not valid now, and for a validity that would outlast the root.
pub fn sign_leaf(
    request: &LeafRequest,
    public_key: &impl rcgen::PublicKeyData,
    root_key_pem: &str,
    root_cert_pem: &str,
    now: OffsetDateTime,
) -> Result<String, PkiError> {
    if !(MIN_VALIDITY_DAYS..=MAX_VALIDITY_DAYS).contains(&request.days) {
        return Err(PkiError::ValidityOutOfRange(request.days));
    }
    check_names(request)?;
    let root = root_summary(root_cert_pem)?;
    let limit = issue_limit(&root, now)?;
    if request.days > limit.max_days {
        return Err(PkiError::BeyondRoot {
            days: request.days,
            left: limit.max_days,
            until: date(limit.root_not_after),
        });
    }
    let root_key = KeyPair::from_pem(root_key_pem).map_err(|e| PkiError::Parse {
        what: super::Parsed::RootPrivateKey,
        reason: e.to_string(),
    })?;
    if spki_fingerprint(&rcgen::PublicKeyData::subject_public_key_info(&root_key))
        != root.key_fingerprint
    {
        return Err(PkiError::RootMismatch);
    }
    let issuer =
        Issuer::from_ca_cert_pem(root_cert_pem, root_key).map_err(|e| PkiError::Parse {
            what: super::Parsed::RootCertificate,
            reason: e.to_string(),
        })?;
    let mut params = leaf_params(request)?;
    params.serial_number = Some(random_serial());
    // Never before the root itself: a chain is judged one certificate at a time.
    params.not_before = shifted(now, -Duration::minutes(5))?.max(root.not_before);
    params.not_after = shifted(now, Duration::days(request.days))?;
    Ok(params
        .signed_by(public_key, &issuer)
        .map_err(cert_err)?
        .pem())
}

/// Every certificate the root signs follows the name rules of a request, whatever its
/// names came from (a CSR, or this appliance's own hostname read from appliance.toml).
fn check_names(request: &LeafRequest) -> Result<(), PkiError> {
    use super::names::{check_common_name, check_dns_name, check_name_count};
    check_common_name(&request.common_name).map_err(PkiError::Certificate)?;
    check_name_count(request.dns_names.len() + request.ips.len()).map_err(PkiError::Certificate)?;
    request
        .dns_names
        .iter()
        .try_for_each(|name| check_dns_name(name).map_err(PkiError::Certificate))
}

/// The names, constraints and usages of a reporting certificate.
fn leaf_params(request: &LeafRequest) -> Result<CertificateParams, PkiError> {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, request.common_name.clone());
    params.distinguished_name = dn;
    let mut sans = Vec::new();
    for name in &request.dns_names {
        sans.push(SanType::DnsName(name.clone().try_into().map_err(cert_err)?));
    }
    sans.extend(request.ips.iter().map(|ip| SanType::IpAddress(*ip)));
    params.subject_alt_names = sans;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    if request.rsa {
        params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
    }
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    params.use_authority_key_identifier_extension = true;
    Ok(params)
}
