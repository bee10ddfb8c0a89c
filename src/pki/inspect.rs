//! Reading certificates and public keys for status screens, checks and imports.

use time::OffsetDateTime;
use x509_parser::pem::Pem;
use x509_parser::prelude::{FromDer, SubjectPublicKeyInfo, X509Certificate};

use super::{PkiError, spki_fingerprint, to_pem};

/// The facts about a certificate an operator reads on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSummary {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// Fingerprint of the certificate's public key.
    pub key_fingerprint: String,
}

/// Where a certificate stands at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    NotYetValid,
    Valid,
    Expired,
}

fn single_pem(text: &[u8], expected: &'static str) -> Result<Pem, PkiError> {
    let (_, block) =
        x509_parser::pem::parse_x509_pem(text).map_err(|e| PkiError::NotPem(e.to_string()))?;
    if block.label != expected {
        return Err(PkiError::WrongLabel {
            expected,
            found: block.label,
        });
    }
    Ok(block)
}

fn time_of(t: x509_parser::time::ASN1Time) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t.timestamp()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl CertSummary {
    pub fn from_pem(text: &[u8]) -> Result<CertSummary, PkiError> {
        let block = single_pem(text, "CERTIFICATE")?;
        let cert = block.parse_x509().map_err(|e| PkiError::Parse {
            what: super::Parsed::Certificate,
            reason: e.to_string(),
        })?;
        Ok(CertSummary::of(&cert))
    }

    pub fn of(cert: &X509Certificate<'_>) -> CertSummary {
        CertSummary {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            serial: cert.raw_serial_as_string(),
            not_before: time_of(cert.validity().not_before),
            not_after: time_of(cert.validity().not_after),
            key_fingerprint: spki_fingerprint(cert.public_key().raw),
        }
    }

    pub fn validity_at(&self, now: OffsetDateTime) -> Validity {
        if now < self.not_before {
            Validity::NotYetValid
        } else if now > self.not_after {
            Validity::Expired
        } else {
            Validity::Valid
        }
    }
}

/// A trusted root public key (the Zone Server's `tanium.pub`), from a PUBLIC KEY block or
/// taken out of a CERTIFICATE block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    pub spki_der: Vec<u8>,
    pub fingerprint: String,
}

impl TrustedKey {
    pub fn from_pem(text: &[u8]) -> Result<TrustedKey, PkiError> {
        let (_, block) =
            x509_parser::pem::parse_x509_pem(text).map_err(|e| PkiError::NotPem(e.to_string()))?;
        let spki_der = match block.label.as_str() {
            "PUBLIC KEY" => {
                let (rest, _) = SubjectPublicKeyInfo::from_der(&block.contents).map_err(|e| {
                    PkiError::Parse {
                        what: super::Parsed::PublicKey,
                        reason: e.to_string(),
                    }
                })?;
                if !rest.is_empty() {
                    return Err(PkiError::Parse {
                        what: super::Parsed::PublicKey,
                        reason: crate::say!("pki.trailing_key"),
                    });
                }
                block.contents.clone()
            }
            "CERTIFICATE" => {
                let cert = block.parse_x509().map_err(|e| PkiError::Parse {
                    what: super::Parsed::Certificate,
                    reason: e.to_string(),
                })?;
                cert.public_key().raw.to_vec()
            }
            other if other.contains("PRIVATE KEY") => {
                return Err(PkiError::WrongLabel {
                    expected: "PUBLIC KEY",
                    found: crate::say!("pki.found_private_key"),
                });
            }
            other => {
                return Err(PkiError::WrongLabel {
                    expected: "PUBLIC KEY",
                    found: other.to_string(),
                });
            }
        };
        let fingerprint = spki_fingerprint(&spki_der);
        Ok(TrustedKey {
            spki_der,
            fingerprint,
        })
    }

    pub fn to_pem(&self) -> String {
        to_pem("PUBLIC KEY", &self.spki_der)
    }
}
