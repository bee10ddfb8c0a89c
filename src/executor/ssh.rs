//! SSH key management (SPEC §4.1) and the SFTP transfers (§4.2 push, §4.4 pull).

use std::path::Path;
use std::sync::atomic::AtomicBool;

use time::OffsetDateTime;

use super::{open, snapshot};
use crate::appliance::transfer::Moved;
use crate::appliance::{self, Appliance, users};
use crate::fsutil;
use crate::model::{Finished, KeyListKind, KeysDone, Made, Msg, Step, TransferFailure, TransferOp};
use crate::transfer::sftp::{Peer, TransferError};

/// A step that changes a user's keys: the domain call, then the appliance as it is now.
fn change<T>(
    root: &Path,
    step: impl FnOnce(&Appliance) -> Result<T, users::UserError>,
    done: impl FnOnce(T) -> KeysDone,
) -> Msg {
    Msg::Finished(open(root).and_then(|app| {
        let value = step(&app).map_err(|e| e.to_string())?;
        Ok(changed(done(value), &app))
    }))
}

fn changed(done: KeysDone, app: &Appliance) -> Finished {
    Finished::Changed(Made::Keys(done), Box::new(snapshot(app)))
}

pub(super) fn generate_keypair(root: &Path, user: String, now: OffsetDateTime) -> Msg {
    Msg::Finished(open(root).and_then(|app| {
        let fingerprint = users::regenerate_keypair(&app, &user, now).map_err(|e| e.to_string())?;
        let rel = format!("home/{user}/.ssh/{}", crate::sshkeys::PUBLIC_KEY_FILE);
        Ok(
            match fsutil::read_text(&app.path(&rel), fsutil::LIMIT_PEM) {
                Ok(public_key) => changed(
                    KeysDone::KeypairMade {
                        user,
                        fingerprint,
                        public_key,
                    },
                    &app,
                ),
                Err(e) => Finished::Unreadable {
                    what: rel,
                    error: e.to_string(),
                },
            },
        )
    }))
}

pub(super) fn add_authorized(root: &Path, user: String, text: &str) -> Msg {
    change(
        root,
        |app| users::add_authorized(app, &user, text),
        |key| KeysDone::KeyAdded {
            fingerprint: key.fingerprint().to_string(),
            user: user.clone(),
        },
    )
}

pub(super) fn remove_authorized(root: &Path, user: String, line: usize, row: &str) -> Msg {
    change(
        root,
        |app| users::remove_authorized_listed(app, &user, line, Some(row)),
        |key| KeysDone::KeyRemoved {
            fingerprint: key.fingerprint().to_string(),
            user: user.clone(),
        },
    )
}

pub(super) fn remove_known_host(root: &Path, line: usize, row: &str) -> Msg {
    change(
        root,
        |app| users::remove_known_host_listed(app, line, Some(row)),
        KeysDone::HostForgotten,
    )
}

pub(super) fn list_keys(root: &Path, kind: KeyListKind, user: &str) -> Msg {
    let result = open(root).and_then(|app| {
        match kind {
            KeyListKind::Authorized => users::authorized_rows(&app, user),
            KeyListKind::KnownHosts => users::known_host_rows(&app),
        }
        .map_err(|e| e.to_string())
    });
    Msg::KeysListed { kind, result }
}

/// A refused transfer as the model takes it: the host to decide on, or the step to take.
fn failure(e: TransferError) -> TransferFailure {
    let first = match &e {
        TransferError::UnknownHost {
            host,
            key_type,
            fingerprint,
        } => {
            return TransferFailure::UnknownHost {
                host: host.clone(),
                key_type: key_type.clone(),
                fingerprint: fingerprint.clone(),
            };
        }
        TransferError::NoCsr | TransferError::NoKey => Step::GenerateCsr,
        TransferError::NoCertificate { .. } => Step::PushCsr,
        TransferError::NoClientKey => Step::GenerateTanadminKey,
        TransferError::HostKeyChanged { .. } => Step::ForgetHostKey,
        TransferError::AuthRefused { .. } => Step::AuthorizeOnPeer,
        _ => return TransferFailure::Failed(e.to_string()),
    };
    TransferFailure::Needs {
        message: e.to_string(),
        first,
    }
}

pub(super) fn transfer(
    root: &Path,
    op: TransferOp,
    peer: Peer,
    trust: Option<&str>,
    cancel: &AtomicBool,
) -> Msg {
    let result = open(root).map_err(TransferFailure::Failed).and_then(|app| {
        match op {
            TransferOp::PullCertificate => {
                appliance::transfer::pull_certificate(&app, &peer, trust, cancel).map(Moved::Pulled)
            }
            TransferOp::PushCsr => {
                appliance::transfer::push_csr(&app, &peer, trust, cancel).map(Moved::Pushed)
            }
        }
        .map_err(failure)
    });
    Msg::Transferred { op, peer, result }
}
