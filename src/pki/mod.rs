//! Keys and certificates: the Tanium root key pair, reporting keys and certificates, and the
//! inspection the status screens and imports rely on. Nothing here knows about the terminal.

pub mod csr;
pub mod inspect;
pub mod issue;
pub mod names;
mod rsakey;
pub mod verify;

use base64::Engine;
use sha2::{Digest, Sha256};

pub use inspect::{CertSummary, TrustedKey};
pub use issue::{KeyType, RootCa};

/// What could not be parsed, named in the operator's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed {
    PrivateKey,
    Certificate,
    PublicKey,
    RootCertificate,
    RootPrivateKey,
    RequestKey,
}

impl std::fmt::Display for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self {
            Parsed::PrivateKey => crate::say!("pki.part.private_key"),
            Parsed::Certificate => crate::say!("pki.part.certificate"),
            Parsed::PublicKey => crate::say!("pki.part.public_key"),
            Parsed::RootCertificate => crate::say!("pki.part.root_certificate"),
            Parsed::RootPrivateKey => crate::say!("pki.part.root_private_key"),
            Parsed::RequestKey => crate::say!("pki.part.request_key"),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkiError {
    #[error("{}", crate::say!("pki.key_generation", reason = .0))]
    KeyGeneration(String),
    #[error("{}", crate::say!("pki.certificate", reason = .0))]
    Certificate(String),
    #[error("{}", crate::say!("pki.not_pem", reason = .0))]
    NotPem(String),
    #[error("{}", crate::say!("pki.wrong_label", expected = .expected, found = .found))]
    WrongLabel {
        expected: &'static str,
        found: String,
    },
    #[error("{}", crate::say!("pki.parse", what = .what, reason = .reason))]
    Parse { what: Parsed, reason: String },
    #[error(
        "{}",
        crate::say!(
            "pki.validity_out_of_range",
            days = .0,
            min = issue::MIN_VALIDITY_DAYS,
            max = issue::MAX_VALIDITY_DAYS
        )
    )]
    ValidityOutOfRange(i64),
    #[error("{}", crate::say!("pki.root_expired", date = .0))]
    RootExpired(String),
    #[error("{}", crate::say!("pki.root_expiring", date = .0))]
    RootExpiring(String),
    #[error("{}", crate::say!("pki.root_not_yet_valid", date = .0))]
    RootNotYetValid(String),
    #[error(
        "{}",
        crate::say!("pki.beyond_root", days = .days, until = .until, left = .left)
    )]
    BeyondRoot { days: i64, left: i64, until: String },
    #[error("{}", crate::say!("pki.root_mismatch"))]
    RootMismatch,
    #[error("{}", crate::say!("pki.clock", date = .0))]
    Clock(String),
}

/// SHA-256 of a DER SubjectPublicKeyInfo, written as OpenSSH writes fingerprints
/// (`SHA256:` and unpadded base64), short enough to compare on an 80-column screen.
/// The same figure: `openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | base64`.
pub fn spki_fingerprint(spki_der: &[u8]) -> String {
    let digest = Sha256::digest(spki_der);
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    )
}

/// PEM text with LF line endings and a final newline.
pub fn to_pem(label: &str, der: &[u8]) -> String {
    let block = pem::Pem::new(label, der.to_vec());
    pem::encode_config(
        &block,
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

/// The CERTIFICATE blocks of a bundle (`tanium-root.crt` holds every trusted root, the
/// signing one first), each as PEM of its own.
pub fn certificate_blocks(text: &str) -> Result<Vec<String>, PkiError> {
    let blocks = pem::parse_many(text).map_err(|e| PkiError::NotPem(e.to_string()))?;
    Ok(blocks
        .into_iter()
        .filter(|b| b.tag() == "CERTIFICATE")
        .map(|b| to_pem("CERTIFICATE", b.contents()))
        .collect())
}

/// Why DER data could not be read, in words an operator can act on: the parser's own
/// messages name its internal state ("Parsing Error: NomError(Eof)").
pub(crate) fn der_reason(error: &impl std::fmt::Display) -> String {
    let text = error.to_string();
    let text = text.strip_prefix("Parsing Error: ").unwrap_or(&text);
    if text.contains("Eof") || text.contains("Incomplete") {
        crate::say!("pki.data_cut_short")
    } else if text.starts_with("NomError(") || text.starts_with("Error(") {
        crate::say!("pki.data_damaged")
    } else {
        text.to_string()
    }
}
