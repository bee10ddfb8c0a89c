//! The certificate steps (SPEC §4.2–4.4).

use std::path::Path;

use time::OffsetDateTime;

use super::{open, snapshot};
use crate::appliance::batch::{self, Listed};
use crate::appliance::issuance::{self, Order};
use crate::appliance::tls::{self, TlsError};
use crate::appliance::{Role, ledger, roots, trust};
use crate::model::{Failure, Finished, Made, Msg, Shown, Step, TlsDone};
use crate::pki::TrustedKey;
use crate::pki::csr::{self, NewCsr};

/// A step that changes the appliance: the domain call, then the appliance as it is now.
fn change<T>(
    root: &Path,
    step: impl FnOnce(&crate::appliance::Appliance) -> Result<T, TlsError>,
    done: impl FnOnce(T) -> TlsDone,
) -> Msg {
    Msg::Finished(open(root).and_then(|app| {
        let value = step(&app).map_err(|e| e.to_string())?;
        Ok(Finished::Changed(
            Made::Tls(done(value)),
            Box::new(snapshot(&app)),
        ))
    }))
}

pub(super) fn generate_csr(request: &csr::CsrRequest) -> Msg {
    Msg::CsrGenerated(csr::generate_csr(request).map_err(|e| e.to_string()))
}

pub(super) fn write_csr(root: &Path, new: NewCsr, now: OffsetDateTime) -> Msg {
    change(
        root,
        |app| tls::write_new_csr(app, &new, now),
        |files| TlsDone::CsrWritten {
            files,
            key_fingerprint: new.key_fingerprint.clone(),
            csr_pem: new.csr_pem.clone(),
        },
    )
}

pub(super) fn issue(root: &Path, order: Box<Order>, now: OffsetDateTime) -> Msg {
    let app = match open(root) {
        Ok(app) => app,
        Err(e) => return Msg::Finished(Err(e)),
    };
    match issuance::issue(&app, &order, now) {
        Ok(issued) => Msg::Finished(Ok(Finished::Changed(
            Made::Tls(TlsDone::Issued {
                summary: issued.summary,
                cert_pem: issued.cert_pem,
                files: issued.files,
            }),
            Box::new(snapshot(&app)),
        ))),
        Err(TlsError::NameTaken(occupant)) => Msg::NameTaken { order, occupant },
        Err(e) => Msg::Finished(Err(e.to_string())),
    }
}

pub(super) fn issue_batch(root: &Path, listed: &[Listed], days: i64, now: OffsetDateTime) -> Msg {
    change(
        root,
        |app| batch::issue_batch(app, listed, days, now),
        TlsDone::Batch,
    )
}

/// What to take first when a certificate cannot be checked yet.
fn first_step(e: &TlsError) -> Option<Step> {
    match e {
        TlsError::NoKey => Some(Step::GenerateCsr),
        TlsError::NoRoot => Some(Step::ImportRoot),
        _ => None,
    }
}

pub(super) fn check(root: &Path, text: String, now: OffsetDateTime) -> Msg {
    let result = open(root).map_err(Failure::from).and_then(|app| {
        tls::check_for_install(&app, &text, now).map_err(|e| Failure {
            message: e.to_string(),
            first: first_step(&e),
        })
    });
    Msg::CertChecked { text, result }
}

pub(super) fn install(
    root: &Path,
    text: &str,
    trust: Option<&TrustedKey>,
    now: OffsetDateTime,
) -> Msg {
    change(
        root,
        |app| tls::install_certificate(app, text, trust, now),
        TlsDone::Installed,
    )
}

pub(super) fn import_root(root: &Path, text: &str) -> Msg {
    change(
        root,
        |app| tls::import_trusted_root(app, text),
        TlsDone::RootTrusted,
    )
}

pub(super) fn regenerate(root: &Path, now: OffsetDateTime) -> Msg {
    change(
        root,
        |app| tls::regenerate_server_tls(app, now),
        TlsDone::Regenerated,
    )
}

pub(super) fn show_issued(root: &Path, page: usize, now: OffsetDateTime) -> Msg {
    Msg::Finished(open(root).and_then(|app| {
        let ledger = ledger::page(&app, page * super::PAGE, super::PAGE, now).map_err(|e| {
            crate::say!(
                "outcome.executor.cannot_read",
                file = ledger::LEDGER,
                error = e
            )
        })?;
        Ok(Finished::Shown(Shown::Issued { page, ledger }))
    }))
}

/// The Tanium Server's root keys, or the ones a Zone Server trusts.
pub(super) fn list_roots(root: &Path, now: OffsetDateTime) -> Msg {
    Msg::RootsListed(open(root).and_then(|app| {
        match app.config.role {
            Role::TaniumServer => roots::list(&app, now),
            Role::ZoneServer => trust::rows(&app),
        }
        .map_err(|e| e.to_string())
    }))
}

pub(super) fn add_root(root: &Path, now: OffsetDateTime) -> Msg {
    change(root, |app| roots::add(app, now), TlsDone::RootAdded)
}

/// Revokes a Tanium Server's root key; on a Zone Server, stops trusting an earlier one.
pub(super) fn revoke_root(root: &Path, fingerprint: &str, now: OffsetDateTime) -> Msg {
    let zone = open(root).is_ok_and(|app| app.config.role == Role::ZoneServer);
    if zone {
        return change(
            root,
            |app| trust::remove(app, fingerprint),
            TlsDone::RootUntrusted,
        );
    }
    change(
        root,
        |app| roots::revoke(app, fingerprint, now),
        TlsDone::RootRevoked,
    )
}
