//! Certificate signing requests: made on the Zone Server, checked on the Tanium Server before
//! anything is issued.

use std::net::IpAddr;

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SanType};
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use zeroize::Zeroizing;

use super::issue::{KeyType, generate_key};
use super::names::{check_common_name, check_dns_name, check_name_count};
use super::{PkiError, spki_fingerprint};

/// Largest PEM text accepted for a CSR or certificate: real ones are a few kilobytes.
pub const MAX_PEM_BYTES: usize = crate::fsutil::LIMIT_PEM as usize;
/// RSA key sizes accepted in a CSR: from SPEC §7's floor to the largest the signature
/// check verifies.
pub const MIN_RSA_BITS: usize = 2048;
pub const MAX_RSA_BITS: usize = 8192;

/// What goes into a new CSR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrRequest {
    pub common_name: String,
    pub dns_names: Vec<String>,
    pub ips: Vec<IpAddr>,
    pub key_type: KeyType,
}

/// A new private key and its CSR, in memory until the operator's files are written.
#[derive(Clone)]
pub struct NewCsr {
    pub key_pem: Zeroizing<String>,
    pub csr_pem: String,
    pub key_fingerprint: String,
}

impl std::fmt::Debug for NewCsr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material, even in a debug log.
        f.debug_struct("NewCsr")
            .field("key_fingerprint", &self.key_fingerprint)
            .finish_non_exhaustive()
    }
}

impl PartialEq for NewCsr {
    fn eq(&self, other: &Self) -> bool {
        self.key_fingerprint == other.key_fingerprint && self.csr_pem == other.csr_pem
    }
}

/// Generates a key of `request.key_type` and a CSR signed by it.
pub fn generate_csr(request: &CsrRequest) -> Result<NewCsr, PkiError> {
    check_common_name(&request.common_name).map_err(PkiError::Certificate)?;
    let key = generate_key(request.key_type)?;
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, request.common_name.clone());
    params.distinguished_name = dn;
    let mut sans = Vec::new();
    // Clients match the subject alternative names, not the CN: a hostname CN goes there too.
    let mut dns_names = request.dns_names.clone();
    if check_dns_name(&request.common_name).is_ok()
        && !dns_names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&request.common_name))
    {
        dns_names.insert(0, request.common_name.clone());
    }
    check_name_count(dns_names.len() + request.ips.len()).map_err(PkiError::Certificate)?;
    for name in &dns_names {
        check_dns_name(name).map_err(PkiError::Certificate)?;
        sans.push(SanType::DnsName(name.clone().try_into().map_err(
            |e: rcgen::Error| PkiError::Certificate(e.to_string()),
        )?));
    }
    sans.extend(request.ips.iter().copied().map(SanType::IpAddress));
    params.subject_alt_names = sans;
    let csr = params
        .serialize_request(&key)
        .map_err(|e| PkiError::Certificate(e.to_string()))?;
    let csr_pem = csr
        .pem()
        .map_err(|e| PkiError::Certificate(e.to_string()))?;
    Ok(NewCsr {
        key_pem: Zeroizing::new(key.serialize_pem()),
        csr_pem,
        key_fingerprint: spki_fingerprint(&rcgen::PublicKeyData::subject_public_key_info(&key)),
    })
}

/// A CSR that passed every check, with what the certificate will carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCsr {
    pub common_name: String,
    pub dns_names: Vec<String>,
    pub ips: Vec<IpAddr>,
    /// "ECDSA P-256", "RSA 3072".
    pub key_description: String,
    pub rsa: bool,
    pub spki_der: Vec<u8>,
    pub fingerprint: String,
}

/// Why a CSR was refused. Messages are for the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsrError {
    #[error("{}", crate::say!("pki.csr.empty"))]
    Empty,
    #[error("{}", crate::say!("pki.csr.too_large", bytes = .0, limit = MAX_PEM_BYTES))]
    TooLarge(usize),
    #[error("{}", crate::say!("pki.csr.private_key", what = .0))]
    PrivateKey(String),
    #[error("{}", crate::say!("pki.csr.not_pem", reason = .0))]
    NotPem(String),
    #[error("{}", crate::say!("pki.csr.several_blocks", count = .0))]
    SeveralBlocks(usize),
    #[error("{}", crate::say!("pki.csr.wrong_kind", found = .0))]
    WrongKind(String),
    #[error("{}", crate::say!("pki.csr.decode", reason = .0))]
    Decode(String),
    #[error("{}", crate::say!("pki.csr.bad_signature"))]
    BadSignature,
    #[error(
        "{}",
        crate::say!("pki.csr.key_type", kind = .0, min = MIN_RSA_BITS, max = MAX_RSA_BITS)
    )]
    KeyType(String),
    #[error("{}", crate::say!("pki.csr.rsa_too_small", bits = .0, min = MIN_RSA_BITS))]
    RsaTooSmall(usize),
    #[error(
        "{}",
        crate::say!("pki.csr.rsa_too_large", bits = .0, min = MIN_RSA_BITS, max = MAX_RSA_BITS)
    )]
    RsaTooLarge(usize),
    #[error("{}", crate::say!("pki.csr.no_common_name"))]
    NoCommonName,
    #[error("{}", crate::say!("pki.csr.bad_name", reason = .0))]
    BadName(String),
}

/// Splits pasted or read text into PEM blocks, refusing private keys and oversize input
/// before anything else looks at it.
pub fn pem_blocks(text: &str) -> Result<Vec<pem::Pem>, CsrError> {
    if text.len() > MAX_PEM_BYTES {
        return Err(CsrError::TooLarge(text.len()));
    }
    if text.trim().is_empty() {
        return Err(CsrError::Empty);
    }
    // Lines end in CR too (terminals), or not at all (a flattened paste): the label alone is
    // kept, so the message never echoes the key that follows it.
    if let Some(label) = text.split(['\r', '\n']).find_map(|l| {
        let label = l
            .trim()
            .strip_prefix("-----BEGIN")?
            .split("-----")
            .next()?
            .trim();
        let plain = label.chars().all(|c| c.is_ascii_uppercase() || c == ' ');
        label
            .contains("PRIVATE KEY")
            .then(|| if plain { label } else { "PRIVATE KEY" }.to_string())
    }) {
        return Err(CsrError::PrivateKey(crate::say!(
            "pki.csr.is_a",
            label = label
        )));
    }
    if crate::pemtext::has_private_key(text) {
        return Err(CsrError::PrivateKey(crate::say!(
            "pki.csr.holds_private_key"
        )));
    }
    let blocks = pem::parse_many(text).map_err(|e| CsrError::NotPem(e.to_string()))?;
    if blocks.is_empty() {
        let reason = if text.contains("-----BEGIN") {
            crate::say!("pki.csr.end_missing")
        } else {
            crate::say!("pki.csr.no_begin")
        };
        return Err(CsrError::NotPem(reason));
    }
    Ok(blocks)
}

fn curve_name(oid: &str) -> Option<&'static str> {
    match oid {
        "1.2.840.10045.3.1.7" => Some("P-256"),
        "1.3.132.0.34" => Some("P-384"),
        "1.3.132.0.35" => Some("P-521"),
        "1.2.840.10045.3.1.1" => Some("P-192"),
        "1.3.132.0.33" => Some("P-224"),
        "1.3.132.0.10" => Some("secp256k1"),
        "1.3.36.3.3.2.8.1.1.7" => Some("brainpoolP256r1"),
        "1.3.36.3.3.2.8.1.1.11" => Some("brainpoolP384r1"),
        "1.3.36.3.3.2.8.1.1.13" => Some("brainpoolP512r1"),
        _ => None,
    }
}

/// The name of a public key algorithm the checks do not take, by its OID.
fn key_algorithm_name(oid: &str) -> String {
    let name = match oid {
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        "1.3.101.110" => "X25519",
        "1.3.101.111" => "X448",
        "1.2.840.113549.1.1.10" => "RSA-PSS",
        "1.2.840.10040.4.1" => "DSA",
        "1.2.840.10046.2.1" => "Diffie-Hellman",
        "1.2.156.10197.1.301" => "SM2",
        "1.2.643.7.1.1.1.1" | "1.2.643.7.1.1.1.2" => "GOST R 34.10-2012",
        _ => return crate::say!("pki.csr.unknown_algorithm", oid = oid),
    };
    name.to_string()
}

/// Checks a CSR completely: PEM, one block, self-signature, key type and size, names.
pub fn check_csr(text: &str) -> Result<CheckedCsr, CsrError> {
    let blocks = pem_blocks(text)?;
    if blocks.len() > 1 {
        return Err(CsrError::SeveralBlocks(blocks.len()));
    }
    let block = &blocks[0];
    if block.tag() != "CERTIFICATE REQUEST" && block.tag() != "NEW CERTIFICATE REQUEST" {
        return Err(CsrError::WrongKind(block.tag().to_string()));
    }
    let (rest, csr) = X509CertificationRequest::from_der(block.contents())
        .map_err(|e| CsrError::Decode(super::der_reason(&e)))?;
    if !rest.is_empty() {
        return Err(CsrError::Decode(crate::say!("pki.csr.trailing")));
    }
    let info = &csr.certification_request_info;
    let spki = &info.subject_pki;
    let (key_description, rsa) = key_of(spki)?;
    // After the key checks: the verifier knows no DSA, P-521 or small RSA keys, and the
    // operator must hear that the key is refused, not that the signature is broken.
    csr.verify_signature().map_err(|_| CsrError::BadSignature)?;
    let common_name = info
        .subject
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string)
        .ok_or(CsrError::NoCommonName)?;
    check_common_name(&common_name).map_err(CsrError::BadName)?;
    let (dns_names, ips) = alt_names(&csr)?;
    Ok(CheckedCsr {
        common_name,
        dns_names,
        ips,
        key_description,
        rsa,
        spki_der: spki.raw.to_vec(),
        fingerprint: spki_fingerprint(spki.raw),
    })
}

/// "ECDSA P-256", "RSA 3072" and whether it is RSA; other types and sizes refused by name.
fn key_of(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> Result<(String, bool), CsrError> {
    match spki.parsed() {
        Ok(PublicKey::RSA(key)) => {
            let bits = key.key_size();
            if bits < MIN_RSA_BITS {
                return Err(CsrError::RsaTooSmall(bits));
            }
            if bits > MAX_RSA_BITS {
                return Err(CsrError::RsaTooLarge(bits));
            }
            Ok((format!("RSA {bits}"), true))
        }
        Ok(PublicKey::EC(_)) => {
            let oid = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            match oid.as_deref().and_then(curve_name) {
                Some(curve @ ("P-256" | "P-384")) => Ok((format!("ECDSA {curve}"), false)),
                Some(other) => Err(CsrError::KeyType(format!("ECDSA {other}"))),
                None => Err(CsrError::KeyType(crate::say!("pki.csr.unknown_curve"))),
            }
        }
        Ok(PublicKey::DSA(_)) => Err(CsrError::KeyType("DSA".into())),
        _ => Err(CsrError::KeyType(key_algorithm_name(
            &spki.algorithm.algorithm.to_id_string(),
        ))),
    }
}

/// What kind of name a subject alternative name is, for a refusal that never echoes it.
fn name_kind(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::OtherName(..) => crate::say!("pki.csr.san.other_name"),
        GeneralName::RFC822Name(_) => crate::say!("pki.csr.san.email"),
        GeneralName::DNSName(_) => crate::say!("pki.csr.san.dns"),
        GeneralName::X400Address(_) => crate::say!("pki.csr.san.x400"),
        GeneralName::DirectoryName(_) => crate::say!("pki.csr.san.directory"),
        GeneralName::EDIPartyName(_) => crate::say!("pki.csr.san.edi"),
        GeneralName::URI(_) => crate::say!("pki.csr.san.uri"),
        GeneralName::IPAddress(_) => crate::say!("pki.csr.san.ip"),
        GeneralName::RegisteredID(_) => crate::say!("pki.csr.san.registered_id"),
        GeneralName::Invalid(..) => crate::say!("pki.csr.san.invalid"),
    }
}

/// The request's DNS names and IP addresses, each checked, at most `MAX_ALT_NAMES` of them.
fn alt_names(csr: &X509CertificationRequest<'_>) -> Result<(Vec<String>, Vec<IpAddr>), CsrError> {
    let mut dns_names = Vec::new();
    let mut ips = Vec::new();
    for ext in csr.requested_extensions().into_iter().flatten() {
        let ParsedExtension::SubjectAlternativeName(san) = ext else {
            continue;
        };
        check_name_count(dns_names.len() + ips.len() + san.general_names.len())
            .map_err(CsrError::BadName)?;
        for name in &san.general_names {
            match name {
                GeneralName::DNSName(dns) => {
                    check_dns_name(dns).map_err(CsrError::BadName)?;
                    dns_names.push(dns.to_string());
                }
                GeneralName::IPAddress(bytes) => ips.push(match bytes.len() {
                    4 => IpAddr::from(<[u8; 4]>::try_from(*bytes).unwrap_or_default()),
                    16 => IpAddr::from(<[u8; 16]>::try_from(*bytes).unwrap_or_default()),
                    n => {
                        return Err(CsrError::BadName(crate::say!(
                            "pki.csr.ip_length",
                            bytes = n
                        )));
                    }
                }),
                other => {
                    return Err(CsrError::BadName(crate::say!(
                        "pki.csr.unsupported_san",
                        kind = name_kind(other)
                    )));
                }
            }
        }
    }
    Ok((dns_names, ips))
}

/// The public key (SPKI DER) of a PEM private key, to match certificates against it.
pub fn private_key_spki(key_pem: &str) -> Result<Vec<u8>, PkiError> {
    let key = KeyPair::from_pem(key_pem).map_err(|e| PkiError::Parse {
        what: super::Parsed::PrivateKey,
        reason: e.to_string(),
    })?;
    Ok(rcgen::PublicKeyData::subject_public_key_info(&key))
}
