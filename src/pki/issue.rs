//! Generating keys and signing certificates with the Tanium root key.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use ssh_key::rand_core::{OsRng, RngCore};
use time::{Duration, OffsetDateTime};

use super::{PkiError, spki_fingerprint};

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

/// A new key pair. RSA takes from a fraction of a second (2048) to seconds (4096).
pub fn generate_key(kind: KeyType) -> Result<KeyPair, PkiError> {
    let failed = |e: &dyn std::fmt::Display| PkiError::KeyGeneration(e.to_string());
    match (kind, kind.rsa_bits()) {
        (_, Some(bits)) => {
            use rsa::pkcs8::EncodePrivateKey;
            let key = rsa::RsaPrivateKey::new(&mut OsRng, bits).map_err(|e| failed(&e))?;
            let pem = key
                .to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
                .map_err(|e| failed(&e))?;
            KeyPair::from_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256).map_err(|e| failed(&e))
        }
        (KeyType::EcdsaP384, None) => {
            KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).map_err(|e| failed(&e))
        }
        (_, None) => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| failed(&e)),
    }
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
        let key = generate_key(KeyType::EcdsaP384)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "Tanium");
        dn.push(DnType::CommonName, format!("Tanium Root {hostname}"));
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.serial_number = Some(random_serial());
        params.not_before = now - Duration::minutes(5);
        params.not_after = now + Duration::days(ROOT_VALIDITY_DAYS);
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

/// Signs a TLS server/client certificate for `public_key` with the root key.
pub fn sign_leaf(
    request: &LeafRequest,
    public_key: &impl rcgen::PublicKeyData,
    root_key_pem: &str,
    root_cert_pem: &str,
    now: OffsetDateTime,
) -> Result<String, PkiError> {
    // Past the root's own validity a leaf is worthless; a huge figure would also overflow.
    if !(1..=ROOT_VALIDITY_DAYS).contains(&request.days) {
        return Err(PkiError::Certificate(format!(
            "a validity of {} days is out of range: 1 to {ROOT_VALIDITY_DAYS} days",
            request.days
        )));
    }
    let root_key = KeyPair::from_pem(root_key_pem).map_err(|e| PkiError::Parse {
        what: "root private key (tanium.pvk)",
        reason: e.to_string(),
    })?;
    let issuer =
        Issuer::from_ca_cert_pem(root_cert_pem, root_key).map_err(|e| PkiError::Parse {
            what: "root certificate (tanium-root.crt)",
            reason: e.to_string(),
        })?;
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
    params.serial_number = Some(random_serial());
    params.not_before = now - Duration::minutes(5);
    params.not_after = now + Duration::days(request.days);
    Ok(params
        .signed_by(public_key, &issuer)
        .map_err(cert_err)?
        .pem())
}
