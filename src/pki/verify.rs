//! Checks a signed certificate before a Zone Server installs it.

use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, SubjectPublicKeyInfo, X509Certificate};

use super::csr::{CsrError, pem_blocks};
use super::inspect::Validity;
use super::{CertSummary, spki_fingerprint};
use crate::appliance::status::date;

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
    let (_, cert) =
        X509Certificate::from_der(cert_der).map_err(|e| CertError::Decode(e.to_string()))?;
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
        X509Certificate::from_der(&der).map_err(|e| CertError::Decode(e.to_string()))?;
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
    let summary = CertSummary::of(&cert);
    match summary.validity_at(now) {
        Validity::Valid => Ok(summary),
        Validity::Expired => Err(CertError::Expired(date(summary.not_after))),
        Validity::NotYetValid => Err(CertError::NotYetValid(date(summary.not_before))),
    }
}
