//! The certificate requests waiting in the hub's /incoming (`2 › Z › 2 › 1`): each with its
//! common name, key type and whether the ledger shows it issued already (same name, same
//! public key), read afresh every time the list is shown.

use std::io;

use super::incoming::{self, Listing};
use super::{Appliance, ledger};
use crate::pki::csr;

/// What a request file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInfo {
    pub common_name: String,
    /// "ECDSA P-256", "RSA 3072".
    pub key_description: String,
    pub key_fingerprint: String,
}

/// Where a request of /incoming stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestState {
    /// Not issued for this key yet.
    Pending(RequestInfo),
    /// The newest certificate of its name is for this key.
    Issued {
        info: RequestInfo,
        serial: String,
        not_after: String,
    },
    /// The file is not a request this hub would sign: why.
    Refused(String),
}

/// One `.csr` file of /incoming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub file: String,
    pub state: RequestState,
}

impl Request {
    pub fn pending(&self) -> Option<&RequestInfo> {
        match &self.state {
            RequestState::Pending(info) => Some(info),
            RequestState::Issued { .. } | RequestState::Refused(_) => None,
        }
    }
}

/// The requests of /incoming, sorted by file name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Requests {
    pub rows: Vec<Request>,
    /// `.csr` files whose names are not UTF-8: not offered.
    pub not_utf8: usize,
}

/// Reads every `.csr` file of /incoming and the ledger's index.
pub fn list(app: &Appliance) -> io::Result<Requests> {
    let Listing { names, not_utf8 } = incoming::list(app, ".csr")?;
    let index = ledger::index(app)?;
    let rows = names
        .into_iter()
        .map(|file| {
            let state = state_of(app, &file, &index);
            Request { file, state }
        })
        .collect();
    Ok(Requests { rows, not_utf8 })
}

fn state_of(app: &Appliance, file: &str, index: &ledger::Index) -> RequestState {
    let checked = incoming::read(app, file)
        .map_err(|e| e.to_string())
        .and_then(|text| csr::check_csr(&text).map_err(|e| e.to_string()));
    let csr = match checked {
        Ok(csr) => csr,
        Err(why) => return RequestState::Refused(why),
    };
    let info = RequestInfo {
        common_name: csr.common_name.clone(),
        key_description: csr.key_description.clone(),
        key_fingerprint: csr.fingerprint.clone(),
    };
    match index.latest_of(&csr.common_name) {
        Some(latest) if latest.key_fingerprint == csr.fingerprint => RequestState::Issued {
            info,
            serial: latest.serial.clone(),
            not_after: latest.not_after.clone(),
        },
        _ => RequestState::Pending(info),
    }
}
