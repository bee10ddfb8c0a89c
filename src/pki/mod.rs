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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkiError {
    #[error("could not generate the key: {0}")]
    KeyGeneration(String),
    #[error("could not build the certificate: {0}")]
    Certificate(String),
    #[error("not PEM text: {0}")]
    NotPem(String),
    #[error("expected a {expected} PEM block, found '{found}'")]
    WrongLabel {
        expected: &'static str,
        found: String,
    },
    #[error("the {what} could not be parsed: {reason}")]
    Parse { what: &'static str, reason: String },
    #[error(
        "a validity of {0} days is out of range: {min} to {max} days",
        min = issue::MIN_VALIDITY_DAYS,
        max = issue::MAX_VALIDITY_DAYS
    )]
    ValidityOutOfRange(i64),
    #[error(
        "the root certificate (tanium-root.crt) expired on {0}: nothing can be issued under it"
    )]
    RootExpired(String),
    #[error(
        "the root certificate (tanium-root.crt) expires on {0}, in less than a day: nothing can be issued under it"
    )]
    RootExpiring(String),
    #[error(
        "the root certificate (tanium-root.crt) is not valid before {0}: check this appliance's clock"
    )]
    RootNotYetValid(String),
    #[error(
        "a validity of {days} days would outlast the root certificate (tanium-root.crt), which expires on {until}: at most {left} days can be issued"
    )]
    BeyondRoot { days: i64, left: i64, until: String },
    #[error(
        "the root private key (tanium.pvk) does not match the root certificate (tanium-root.crt)"
    )]
    RootMismatch,
    #[error(
        "the clock reads {0}, where no certificate can be dated: set this appliance's clock and try again"
    )]
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
        "the data ends too early (it was cut short)".into()
    } else if text.starts_with("NomError(") || text.starts_with("Error(") {
        "the data is damaged or is not this kind of data".into()
    } else {
        text.to_string()
    }
}
