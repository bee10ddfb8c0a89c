//! SFTP pull and push between appliances, with tanadmin's key: what goes where, bounded,
//! audited. A Zone Server pushes its request under its own name and pulls the certificate
//! made for its own key (SPEC §6 fleet naming); it pulls into its own /incoming, then
//! imports from there.

use std::sync::atomic::AtomicBool;

use super::fleet::{self, ROOT_PUB, SEED_CERT};
use super::{Appliance, Layout, audit};
use crate::fsutil;
use crate::pki::csr::{self, MAX_PEM_BYTES};
use crate::pki::{CertSummary, spki_fingerprint};
use crate::transfer::sftp::{ClientKeys, Connection, Peer, TransferError};

fn keys(app: &Appliance) -> ClientKeys {
    ClientKeys::in_dir(&app.ssh_dir(Layout::USERS[0]))
}

fn write_incoming(app: &Appliance, name: &str, bytes: &[u8]) -> Result<(), TransferError> {
    let _lock = super::lock::acquire(app).map_err(|e| TransferError::Io(e.to_string()))?;
    let path = app.path(Layout::INCOMING).join(name);
    fsutil::atomic_write(&path, bytes, fsutil::PUBLIC_FILE).map_err(|e| {
        TransferError::Io(crate::say!(
            "appliance.transfer.write_incoming",
            name = name,
            error = e
        ))
    })
}

/// What a transfer moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved {
    Pulled(Pulled),
    Pushed(Pushed),
}

/// The certificate a pull took, and why the other candidates were passed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    /// The file of the peer's /outgoing taken, now in this appliance's /incoming as
    /// reporting.crt.
    pub taken: String,
    pub passed: Vec<(String, Passed)>,
}

/// Why a candidate certificate was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Passed {
    /// The peer has no such file.
    Missing,
    /// It is for another key (this fingerprint).
    OtherKey(String),
    /// It is not a certificate.
    Unreadable,
    /// An earlier candidate matched already.
    NotNeeded,
}

/// Where a push left the request on the peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The name in the peer's /incoming.
    pub remote: String,
    /// The name tried first when it held another key's request (left as it was).
    pub beside: Option<String>,
}

/// The fingerprint of the Zone Server's reporting key.
fn own_key_fingerprint(app: &Appliance) -> Result<String, TransferError> {
    let pem = fsutil::read_text_opt(&app.path(super::tls::ZS_KEY), fsutil::LIMIT_PEM)
        .map_err(|e| TransferError::Io(crate::say!("appliance.transfer.read_key", error = e)))?
        .ok_or(TransferError::NoKey)?;
    let spki = csr::private_key_spki(&pem).map_err(|e| TransferError::Io(e.to_string()))?;
    Ok(spki_fingerprint(&spki))
}

/// The first candidate for `key`, and what became of every candidate.
fn choose(
    candidates: &[String],
    fetched: &[Option<Vec<u8>>],
    key: &str,
) -> (Option<usize>, Vec<(String, Passed)>) {
    let mut taken = None;
    let mut passed = Vec::new();
    for (i, (name, bytes)) in candidates.iter().zip(fetched).enumerate() {
        let why = match bytes.as_deref().map(CertSummary::from_pem) {
            None => Passed::Missing,
            Some(Err(_)) => Passed::Unreadable,
            Some(Ok(s)) if s.key_fingerprint != key => Passed::OtherKey(s.key_fingerprint),
            Some(Ok(_)) if taken.is_some() => Passed::NotNeeded,
            Some(Ok(_)) => {
                taken = Some(i);
                continue;
            }
        };
        passed.push((name.clone(), why));
    }
    (taken, passed)
}

/// Downloads this Zone Server's certificate from the Tanium Server's /outgoing:
/// `<hostname>.crt`, else the seed's `reporting.crt`, whichever is for this appliance's
/// key, with `tanium.pub`, into this appliance's /incoming. Nothing is installed here, and
/// nothing is written when no candidate is for this key.
pub fn pull_certificate(
    app: &Appliance,
    peer: &Peer,
    trust: Option<&str>,
    cancel: &AtomicBool,
) -> Result<Pulled, TransferError> {
    let key = own_key_fingerprint(app)?;
    let mut candidates = vec![fleet::cert_file(&app.config.hostname)];
    if candidates[0] != SEED_CERT {
        candidates.push(SEED_CERT.to_string());
    }
    let conn = Connection::open(peer, &keys(app), trust)?;
    let limit = MAX_PEM_BYTES as u64;
    let fetched = candidates
        .iter()
        .map(|name| conn.fetch(&format!("outgoing/{name}"), limit, cancel))
        .collect::<Result<Vec<_>, _>>()?;
    let root = conn.fetch(&format!("outgoing/{ROOT_PUB}"), limit, cancel)?;
    drop(conn);
    let (taken, passed) = choose(&candidates, &fetched, &key);
    let Some(taken) = taken else {
        return Err(no_certificate(peer, &key, &passed));
    };
    let cert = fetched[taken].as_deref().unwrap_or_default();
    write_incoming(app, SEED_CERT, cert)?;
    let mut files = vec![format!("transfer/incoming/{SEED_CERT}")];
    if let Some(bytes) = root {
        write_incoming(app, ROOT_PUB, &bytes)?;
        files.push(format!("transfer/incoming/{ROOT_PUB}"));
    }
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let detail = format!("{peer} /outgoing/{}", candidates[taken]);
    let _ = audit::record_locking(app, "sftp.pull", &refs, std::slice::from_ref(&key), &detail);
    Ok(Pulled {
        taken: candidates[taken].clone(),
        passed,
    })
}

fn no_certificate(peer: &Peer, key: &str, passed: &[(String, Passed)]) -> TransferError {
    let tried = passed
        .iter()
        .map(|(name, why)| match why {
            Passed::Missing => crate::say!("appliance.transfer.not_there", name = name),
            Passed::OtherKey(fp) => {
                crate::say!(
                    "appliance.transfer.other_key",
                    name = name,
                    fingerprint = fp
                )
            }
            Passed::Unreadable | Passed::NotNeeded => {
                crate::say!("appliance.transfer.not_a_certificate", name = name)
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    TransferError::NoCertificate {
        peer: peer.to_string(),
        key: key.to_string(),
        tried: crate::text::escape(&tried),
    }
}

/// Uploads `zoneserver/reporting.csr` to the Tanium Server's `/incoming/<hostname>.csr`.
/// A request of another key already there (another Zone Server of the same name, or this
/// one's before its key changed) is left alone: this one goes beside it, its name tagged
/// with the key's fingerprint.
pub fn push_csr(
    app: &Appliance,
    peer: &Peer,
    trust: Option<&str>,
    cancel: &AtomicBool,
) -> Result<Pushed, TransferError> {
    let csr = match fsutil::read_bytes_opt(&app.path(super::tls::ZS_CSR), fsutil::LIMIT_PEM) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(TransferError::NoCsr),
        Err(e) => {
            return Err(TransferError::Io(crate::say!(
                "appliance.transfer.read_csr",
                error = e
            )));
        }
    };
    let own = std::str::from_utf8(&csr)
        .ok()
        .and_then(|text| csr::check_csr(text).ok())
        .ok_or_else(|| TransferError::Io(crate::say!("appliance.transfer.bad_csr")))?;
    let conn = Connection::open(peer, &keys(app), trust)?;
    let first = fleet::csr_file(&app.config.hostname);
    let there = conn.fetch(&format!("incoming/{first}"), MAX_PEM_BYTES as u64, cancel)?;
    let same_key = |bytes: &[u8]| {
        std::str::from_utf8(bytes)
            .ok()
            .and_then(|t| csr::check_csr(t).ok())
            .is_some_and(|c| c.fingerprint == own.fingerprint)
    };
    let pushed = match there {
        Some(bytes) if !same_key(&bytes) => Pushed {
            remote: fleet::csr_file_for_key(&app.config.hostname, &own.fingerprint),
            beside: Some(first),
        },
        _ => Pushed {
            remote: first,
            beside: None,
        },
    };
    conn.put(&format!("incoming/{}", pushed.remote), &csr, cancel)?;
    let detail = format!("{peer} /incoming/{}", pushed.remote);
    let _ = audit::record_locking(
        app,
        "sftp.push",
        &[super::tls::ZS_CSR],
        std::slice::from_ref(&own.fingerprint),
        &detail,
    );
    Ok(pushed)
}
