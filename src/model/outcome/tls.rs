//! The sentences of the certificate steps (SPEC §4.2–4.4) and of root key changes.

use super::{
    Sentences, Step, TlsDone, View, batch_report, outgoing_files, root_added, root_revoked,
};
use crate::date::date;
use crate::pki::CertSummary;

impl TlsDone {
    pub(super) fn sentences(self, at: &dyn Fn(Step) -> String) -> Sentences {
        match self {
            TlsDone::CsrWritten {
                files,
                key_fingerprint,
                csr_pem,
            } => csr_written(&files, &key_fingerprint, csr_pem, at),
            TlsDone::Issued {
                summary,
                cert_pem,
                files,
            } => issued(&summary, cert_pem, &files, at),
            TlsDone::RootAdded(added) => (root_added(&added), None),
            TlsDone::RootRevoked(row) => (root_revoked(&row, true), None),
            TlsDone::RootUntrusted(row) => (root_revoked(&row, false), None),
            TlsDone::Batch(lines) => {
                let (message, view) = batch_report(&lines);
                (message, Some(view))
            }
            TlsDone::Installed(s) => {
                let until = date(s.not_after);
                let subject = &s.subject;
                let message =
                    crate::say!("outcome.tls.installed", subject = subject, until = until);
                (message, None)
            }
            TlsDone::RootTrusted(fingerprint) => (
                crate::say!("outcome.tls.root_trusted", fingerprint = fingerprint),
                None,
            ),
            TlsDone::Regenerated(s) => {
                let until = date(s.not_after);
                (crate::say!("outcome.tls.regenerated", until = until), None)
            }
        }
    }
}

fn csr_written(
    files: &[String],
    key_fingerprint: &str,
    csr_pem: String,
    at: &dyn Fn(Step) -> String,
) -> Sentences {
    let intro = vec![
        crate::say!("outcome.tls.csr_files", files = files.join(", ")),
        crate::say!("outcome.tls.csr_fingerprint", fingerprint = key_fingerprint),
        crate::say!(
            "outcome.tls.csr_copy",
            paste_at = at(Step::PasteCsrOnServer),
            push_at = at(Step::PushCsr)
        ),
    ];
    let view = View::new("reporting.csr", intro, csr_pem);
    (crate::say!("outcome.tls.csr_written"), Some(view))
}

fn issued(
    summary: &CertSummary,
    cert_pem: String,
    files: &[String],
    at: &dyn Fn(Step) -> String,
) -> Sentences {
    let intro = vec![
        crate::say!(
            "outcome.tls.issued_serial",
            subject = summary.subject,
            serial = summary.serial
        ),
        crate::say!(
            "outcome.tls.issued_until",
            until = date(summary.not_after),
            files = outgoing_files(files)
        ),
        crate::say!("outcome.tls.issued_copy", path = at(Step::PasteCertOnZone)),
    ];
    let view = View::new("reporting.crt", intro, cert_pem);
    let message = crate::say!("outcome.tls.issued", subject = summary.subject);
    (message, Some(view))
}
