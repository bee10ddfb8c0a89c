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
    #[error("{0} PEM blocks were given; paste exactly one certificate")]
    SeveralBlocks(usize),
    #[error("expected a CERTIFICATE, found a {0}")]
    WrongKind(String),
    #[error("the certificate could not be decoded: {0}")]
    Decode(String),
    #[error(
        "the certificate is for another key ({cert}), not this Zone Server's reporting.pvk ({key}); generate the CSR again or import the matching certificate"
    )]
    OtherKey { cert: String, key: String },
    #[error("the certificate was not signed by the trusted Tanium root key ({0})")]
    NotSignedByRoot(String),
    #[error("the certificate expired on {0}")]
    Expired(String),
    #[error("the certificate is not valid before {0}; check the clocks of both appliances")]
    NotYetValid(String),
    #[error("the trusted root key could not be read: {0}")]
    BadRoot(String),
    #[error(
        "the certificate is a CA certificate (basic constraints CA:TRUE): a Zone Server's certificate must not be able to sign others"
    )]
    IsCa,
    #[error(
        "the certificate's key usage allows signing certificates (keyCertSign): a Zone Server's certificate must not"
    )]
    KeyCertSign,
    #[error(
        "the certificate's key usage allows signing revocation lists (cRLSign): a Zone Server's certificate must not"
    )]
    CrlSign,
    #[error(
        "the certificate's key usage ({0}) lacks Digital Signature: its key could not sign a TLS handshake"
    )]
    NoDigitalSignature(String),
    #[error(
        "the certificate's extended key usage ({0}) does not include TLS server authentication (serverAuth)"
    )]
    NoServerAuth(String),
    #[error(
        "the certificate carries a critical extension this appliance does not know ({0}): TLS peers would refuse it"
    )]
    UnknownCritical(String),
    #[error("the certificate's extension {0} could not be decoded: {1}")]
    BadExtension(String, String),
}

fn text_error(e: CsrError) -> CertError {
    match e {
        CsrError::SeveralBlocks(n) => CertError::SeveralBlocks(n),
        CsrError::TooLarge(n) => CertError::Text(format!(
            "the text is {n} bytes; a certificate is a few kilobytes"
        )),
        // CsrError's own wording says "certificate request".
        CsrError::NotPem(reason) => CertError::Text(format!("not a PEM certificate: {reason}")),
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
        return Err(CertError::Decode(
            "trailing bytes after the certificate".into(),
        ));
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
        "none".into()
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
                "none".into()
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
