//! The sentences of the certificate steps (SPEC §4.2–4.4) and of root key changes.

use super::{Sentences, Step, TlsDone, View, batch_report, issued_intro, root_added, root_revoked};
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
                let message = format!("Certificate installed: {}, valid until {until}.", s.subject);
                (message, None)
            }
            TlsDone::RootTrusted(fingerprint) => {
                (format!("Trusted root key saved: {fingerprint}."), None)
            }
            TlsDone::Regenerated(s) => {
                let until = date(s.not_after);
                let message = format!("New TLS key and certificate, valid until {until}.");
                (message, None)
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
        format!("Written: {}", files.join(", ")),
        format!("Key fingerprint: {key_fingerprint}"),
        format!(
            "Copy the CSR below (select it, or press c) and paste it on the Tanium Server at {}, or push it to the server's /incoming over SFTP with {}.",
            at(Step::PasteCsrOnServer),
            at(Step::PushCsr)
        ),
    ];
    let view = View::new("reporting.csr", intro, csr_pem);
    ("New key and CSR written.".into(), Some(view))
}

fn issued(
    summary: &CertSummary,
    cert_pem: String,
    files: &[String],
    at: &dyn Fn(Step) -> String,
) -> Sentences {
    let intro = vec![
        format!("Issued {} serial {}", summary.subject, summary.serial),
        format!(
            "Valid until {} UTC; {}",
            date(summary.not_after),
            issued_intro(files)
        ),
        format!(
            "Copy it below (select it, or press c) and paste it on the Zone Server at {}.",
            at(Step::PasteCertOnZone)
        ),
    ];
    let view = View::new("reporting.crt", intro, cert_pem);
    let message = format!("Certificate issued for {}.", summary.subject);
    (message, Some(view))
}
