//! SFTP pull and push between appliances, with tanadmin's key: what goes where, bounded,
//! audited. The Zone Server pulls into its own /incoming, then imports from there.

use std::sync::atomic::AtomicBool;

use super::{Appliance, Layout, audit};
use crate::fsutil;
use crate::pki::csr::MAX_PEM_BYTES;
use crate::transfer::sftp::{self, ClientKeys, Peer, TransferError};

fn keys(app: &Appliance) -> ClientKeys {
    ClientKeys::in_dir(&app.ssh_dir(Layout::USERS[0]))
}

fn write_incoming(app: &Appliance, name: &str, bytes: &[u8]) -> Result<(), TransferError> {
    let _lock = super::lock::acquire(app).map_err(|e| TransferError::Io(e.to_string()))?;
    let path = app.path(Layout::INCOMING).join(name);
    fsutil::atomic_write(&path, bytes, fsutil::PUBLIC_FILE)
        .map_err(|e| TransferError::Io(format!("/incoming/{name}: {e}")))
}

/// Downloads the Tanium Server's `/outgoing/reporting.crt` (and `tanium.pub` when it is
/// there) into this appliance's /incoming. Nothing is installed here.
pub fn pull_certificate(
    app: &Appliance,
    peer: &Peer,
    trust: Option<&str>,
    cancel: &AtomicBool,
) -> Result<Vec<String>, TransferError> {
    // One connection for both files: the certificate, and the root key when it is there.
    let mut files = sftp::download_all(
        peer,
        &keys(app),
        &["outgoing/reporting.crt", "outgoing/tanium.pub"],
        MAX_PEM_BYTES as u64,
        trust,
        cancel,
    )?
    .into_iter();
    let cert = files
        .next()
        .flatten()
        .ok_or_else(|| TransferError::NotFound {
            peer: peer.to_string(),
            path: "outgoing/reporting.crt".into(),
        })?;
    let root = files.next().flatten();
    write_incoming(app, "reporting.crt", &cert)?;
    let mut files = vec!["transfer/incoming/reporting.crt".to_string()];
    if let Some(bytes) = root {
        write_incoming(app, "tanium.pub", &bytes)?;
        files.push("transfer/incoming/tanium.pub".into());
    }
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let _ = audit::record(&app.root, "sftp.pull", &refs, &[], &peer.to_string());
    Ok(files)
}

/// Uploads `zoneserver/reporting.csr` to the Tanium Server's `/incoming`.
pub fn push_csr(
    app: &Appliance,
    peer: &Peer,
    trust: Option<&str>,
    cancel: &AtomicBool,
) -> Result<(), TransferError> {
    let csr = match fsutil::read_bytes_opt(&app.path(super::tls::ZS_CSR), fsutil::LIMIT_PEM) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(TransferError::NoCsr),
        Err(e) => {
            return Err(TransferError::Io(format!(
                "cannot read zoneserver/reporting.csr: {e}"
            )));
        }
    };
    sftp::upload(
        peer,
        &keys(app),
        "incoming/reporting.csr",
        &csr,
        trust,
        cancel,
    )?;
    let _ = audit::record(
        &app.root,
        "sftp.push",
        &[super::tls::ZS_CSR],
        &[],
        &peer.to_string(),
    );
    Ok(())
}
