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

/// Why a TLS step was refused, in the thread's voice.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{}", crate::say!("appliance.tls.wrong_role", role = .0))]
    WrongRole(&'static str),
    #[error("{0}")]
    Cert(#[from] CertError),
    #[error("{0}")]
    Pki(#[from] crate::pki::PkiError),
    #[error("{}", crate::say!("appliance.tls.no_key"))]
    NoKey,
    #[error("{}", crate::say!("appliance.tls.no_root"))]
    NoRoot,
    #[error("{}", crate::say!("appliance.tls.read", path = .path, error = .source))]
    Read { path: String, source: io::Error },
    #[error("{}", crate::say!("appliance.tls.write", path = .path, error = .source))]
    Write { path: String, source: io::Error },
    #[error("{0}")]
    Settings(#[from] crate::appliance::settings::SettingsError),
    #[error(transparent)]
    Lock(#[from] crate::appliance::lock::LockError),
    #[error(
        "{}",
        crate::say!(
            "appliance.tls.name_taken",
            place = .0.place,
            subject = crate::text::escape(&.0.subject),
            fingerprint = .0.key_fingerprint,
            serial = .0.serial
        )
    )]
    NameTaken(Box<crate::appliance::fleet::Occupant>),
    #[error("{}", crate::say!("appliance.tls.unknown_root", fingerprint = .0))]
    UnknownRoot(String),
    #[error("{}", crate::say!("appliance.tls.revoke_signing"))]
    RevokeSigning,
    #[error("{}", crate::say!("appliance.tls.already_revoked", fingerprint = .0))]
    AlreadyRevoked(String),
    #[error("{}", crate::say!("appliance.tls.remove_current"))]
    RemoveCurrent,
}
