//! The files of the TLS workflows and why a step on them was refused: the ground the TLS
//! steps, the root keys and a Zone Server's trusted roots all stand on.

use std::io;

use crate::appliance::Layout;
use crate::pki::verify::CertError;

pub const ZS_KEY: &str = "zoneserver/reporting.pvk";
pub const ZS_CSR: &str = "zoneserver/reporting.csr";
pub const ZS_CERT: &str = "zoneserver/reporting.crt";
pub const ZS_ROOT: &str = "zoneserver/tanium.pub";
pub const OUT_CSR: &str = "transfer/outgoing/reporting.csr";
pub const OUT_CERT: &str = "transfer/outgoing/reporting.crt";
pub const OUT_ROOT: &str = "transfer/outgoing/tanium.pub";
pub const TS_ROOT_KEY: &str = "tanium/tanium.pvk";
pub const TS_ROOT_PUB: &str = Layout::ROOT_PUB;
pub const TS_ROOT_CERT: &str = "tanium/tanium-root.crt";
pub const TS_KEY: &str = "tanium/reporting.pvk";
pub const TS_CERT: &str = "tanium/reporting.crt";
pub const ISSUED: &str = crate::appliance::ledger::LEDGER;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("this is a {0}; the step belongs to the other appliance")]
    WrongRole(&'static str),
    #[error("{0}")]
    Cert(#[from] CertError),
    #[error("{0}")]
    Pki(#[from] crate::pki::PkiError),
    #[error("no private key yet: generate the CSR first")]
    NoKey,
    #[error(
        "no trusted Tanium root key: import the Tanium Server's tanium.pub first, or place it in /incoming beside the certificate"
    )]
    NoRoot,
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: io::Error },
    #[error("cannot write {path}: {source}; nothing else was changed")]
    Write { path: String, source: io::Error },
    #[error("{0}")]
    Settings(#[from] crate::appliance::settings::SettingsError),
    #[error(transparent)]
    Lock(#[from] crate::appliance::lock::LockError),
    #[error(
        "{} holds a certificate for {} with another key ({}, serial {}): a certificate for this request would replace it",
        .0.place, crate::text::escape(&.0.subject), .0.key_fingerprint, .0.serial
    )]
    NameTaken(Box<crate::appliance::fleet::Occupant>),
    #[error("no root key {0} on this Tanium Server")]
    UnknownRoot(String),
    #[error(
        "the signing root key cannot be revoked: add a new root key first, then revoke this one"
    )]
    RevokeSigning,
    #[error("the root key {0} is revoked already")]
    AlreadyRevoked(String),
    #[error(
        "the current trusted root key cannot be removed: trust the Tanium Server's new root key first"
    )]
    RemoveCurrent,
}
