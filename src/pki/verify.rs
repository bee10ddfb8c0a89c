//! Checks a signed certificate before a Zone Server installs it.

use time::OffsetDateTime;
use x509_parser::extensions::{ExtendedKeyUsage, ParsedExtension};
use x509_parser::prelude::{FromDer, SubjectPublicKeyInfo, X509Certificate};

use super::csr::{CsrError, pem_blocks};
use super::inspect::Validity;
use super::{CertSummary, spki_fingerprint};
use crate::date::date;

/// Why a certificate was refused. Messages are for the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("{0}")]
    Text(String),
    #[error("{}", crate::say!("pki.cert.several_blocks", count = .0))]
    SeveralBlocks(usize),
    #[error("{}", crate::say!("pki.cert.wrong_kind", found = .0))]
    WrongKind(String),
    #[error("{}", crate::say!("pki.cert.decode", reason = .0))]
    Decode(String),
    #[error("{}", crate::say!("pki.cert.other_key", cert = .cert, key = .key))]
    OtherKey { cert: String, key: String },
    #[error("{}", crate::say!("pki.cert.not_signed_by_root", root = .0))]
    NotSignedByRoot(String),
    #[error("{}", crate::say!("pki.cert.expired", date = .0))]
    Expired(String),
    #[error("{}", crate::say!("pki.cert.not_yet_valid", date = .0))]
    NotYetValid(String),
    #[error("{}", crate::say!("pki.cert.bad_root", reason = .0))]
    BadRoot(String),
    #[error("{}", crate::say!("pki.cert.is_ca"))]
    IsCa,
    #[error("{}", crate::say!("pki.cert.key_cert_sign"))]
    KeyCertSign,
    #[error("{}", crate::say!("pki.cert.crl_sign"))]
    CrlSign,
    #[error("{}", crate::say!("pki.cert.no_digital_signature", usage = .0))]
    NoDigitalSignature(String),
    #[error("{}", crate::say!("pki.cert.no_server_auth", purposes = .0))]
    NoServerAuth(String),
    #[error("{}", crate::say!("pki.cert.unknown_critical", oid = .0))]
    UnknownCritical(String),
    #[error("{}", crate::say!("pki.cert.bad_extension", oid = .0, reason = .1))]
    BadExtension(String, String),
}

fn text_error(e: CsrError) -> CertError {
    match e {
        CsrError::SeveralBlocks(n) => CertError::SeveralBlocks(n),
        CsrError::TooLarge(n) => CertError::Text(crate::say!("pki.cert.too_large", bytes = n)),
        // CsrError's own wording says "certificate request".
        CsrError::NotPem(reason) => {
            CertError::Text(crate::say!("pki.cert.not_pem", reason = reason))
        }
        other => CertError::Text(other.to_string()),
    }
}

/// The DER of the single CERTIFICATE block in `text`.
pub fn certificate_der(text: &str) -> Result<Vec<u8>, CertError> {
    let blocks = pem_blocks(text).map_err(text_error)?;
    if blocks.len() > 1 {
        return Err(CertError::SeveralBlocks(blocks.len()));
    }
    if blocks[0].tag() != "CERTIFICATE" {
        return Err(CertError::WrongKind(blocks[0].tag().to_string()));
    }
    Ok(blocks[0].contents().to_vec())
}

/// The fingerprint of the key that signed the certificate, when `candidate` (an SPKI) did.
pub fn signed_by(cert_der: &[u8], candidate_spki: &[u8]) -> Result<bool, CertError> {
    let (_, cert) = X509Certificate::from_der(cert_der)
        .map_err(|e| CertError::Decode(super::der_reason(&e)))?;
    let (_, spki) = SubjectPublicKeyInfo::from_der(candidate_spki)
        .map_err(|e| CertError::BadRoot(e.to_string()))?;
    Ok(cert.verify_signature(Some(&spki)).is_ok())
}

/// Every check of SPEC §4.4: parses, matches the private key, signed by the trusted root,
/// within its validity.
pub fn check_certificate(
    text: &str,
    key_spki: &[u8],
    root_spki: &[u8],
    now: OffsetDateTime,
) -> Result<CertSummary, CertError> {
    let der = certificate_der(text)?;
    let (rest, cert) =
        X509Certificate::from_der(&der).map_err(|e| CertError::Decode(super::der_reason(&e)))?;
    if !rest.is_empty() {
        return Err(CertError::Decode(crate::say!("pki.cert.trailing")));
    }
    if cert.public_key().raw != key_spki {
        return Err(CertError::OtherKey {
            cert: spki_fingerprint(cert.public_key().raw),
            key: spki_fingerprint(key_spki),
        });
    }
    let (_, root) =
        SubjectPublicKeyInfo::from_der(root_spki).map_err(|e| CertError::BadRoot(e.to_string()))?;
    if cert.verify_signature(Some(&root)).is_err() {
        return Err(CertError::NotSignedByRoot(spki_fingerprint(root_spki)));
    }
    check_role(&cert)?;
    let summary = CertSummary::of(&cert);
    match summary.validity_at(now) {
        Validity::Valid => Ok(summary),
        Validity::Expired => Err(CertError::Expired(date(summary.not_after))),
        Validity::NotYetValid => Err(CertError::NotYetValid(date(summary.not_before))),
    }
}

/// The names of the purposes an extended key usage lists: "codeSigning, 1.2.3.4".
fn purposes(eku: &ExtendedKeyUsage<'_>) -> String {
    let known = [
        (eku.any, "anyExtendedKeyUsage"),
        (eku.server_auth, "serverAuth"),
        (eku.client_auth, "clientAuth"),
        (eku.code_signing, "codeSigning"),
        (eku.email_protection, "emailProtection"),
        (eku.time_stamping, "timeStamping"),
        (eku.ocsp_signing, "OCSPSigning"),
    ];
    let mut names: Vec<String> = known
        .iter()
        .filter(|(set, _)| *set)
        .map(|(_, name)| (*name).to_string())
        .collect();
    names.extend(eku.other.iter().map(|oid| oid.to_id_string()));
    if names.is_empty() {
        crate::say!("pki.cert.none")
    } else {
        names.join(", ")
    }
}

/// A Zone Server's certificate serves TLS and nothing more: not a CA, no certificate or CRL
/// signing, a key usage that signs handshakes, TLS server authentication when purposes are
/// listed (none listed allows every purpose), and no critical extension left unread.
fn check_role(cert: &X509Certificate<'_>) -> Result<(), CertError> {
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::ParseError { error } => {
                return Err(CertError::BadExtension(
                    ext.oid.to_id_string(),
                    error.to_string(),
                ));
            }
            ParsedExtension::UnsupportedExtension { .. } if ext.critical => {
                return Err(CertError::UnknownCritical(ext.oid.to_id_string()));
            }
            _ => {}
        }
    }
    let bad = |e: x509_parser::error::X509Error| CertError::Decode(super::der_reason(&e));
    if cert
        .basic_constraints()
        .map_err(bad)?
        .is_some_and(|bc| bc.value.ca)
    {
        return Err(CertError::IsCa);
    }
    if let Some(usage) = cert.key_usage().map_err(bad)? {
        let usage = usage.value;
        if usage.key_cert_sign() {
            return Err(CertError::KeyCertSign);
        }
        if usage.crl_sign() {
            return Err(CertError::CrlSign);
        }
        if !usage.digital_signature() {
            let listed = usage.to_string();
            let listed = if listed.is_empty() {
                crate::say!("pki.cert.none")
            } else {
                listed
            };
            return Err(CertError::NoDigitalSignature(listed));
        }
    }
    if let Some(eku) = cert.extended_key_usage().map_err(bad)?
        && !eku.value.server_auth
    {
        return Err(CertError::NoServerAuth(purposes(eku.value)));
    }
    Ok(())
}
