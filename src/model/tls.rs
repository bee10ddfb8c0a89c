//! The TLS flows of SPEC §4.2–4.4 as the console runs them: what each step asks, confirms
//! and hands to the executor.

use super::paste::{TextFor, refuse};
use super::update::{finish, start, take_discard};
use super::{Confirm, Effect, Model, Pending, Screen};
use crate::appliance::tls::CertCheck;
use crate::date::date;
use crate::pki::csr::{self, CheckedCsr, CsrRequest, NewCsr};
use crate::pki::{CertSummary, TrustedKey};

fn push_confirm(
    m: &mut Model,
    title: &str,
    warning: String,
    question: &str,
    on_yes: Pending,
) -> Vec<Effect> {
    m.push(Screen::Confirm(Confirm {
        title: title.into(),
        warning,
        question: question.into(),
        on_yes,
    }));
    Vec::new()
}

/// After the CSR questions: replacing an existing key needs a confirmation first.
pub(super) fn request_csr(m: &mut Model, request: CsrRequest) -> Vec<Effect> {
    let Some(snapshot) = &m.snapshot else {
        return Vec::new();
    };
    if !snapshot.reporting_key {
        return start_generation(m, request);
    }
    let installed = match &snapshot.cert {
        crate::appliance::status::CertState::Installed { summary, .. }
        | crate::appliance::status::CertState::KeyMismatch { summary, .. }
        | crate::appliance::status::CertState::Untrusted { summary, .. } => {
            format!(
                "The installed certificate ({}, {}) stops matching and TLS fails until a certificate for the new key is installed.",
                summary.subject,
                snapshot.cert.short()
            )
        }
        _ => "No certificate is installed yet.".to_string(),
    };
    let warning = format!(
        "zoneserver/reporting.pvk exists and will be replaced by a new {} key.\n{installed}\nThe current key and CSR are kept as .bak files beside them.",
        request.key_type.label()
    );
    push_confirm(
        m,
        "Replace the private key",
        warning,
        "Generate a new key and CSR?",
        Pending::GenerateCsr(request),
    )
}

pub(super) fn start_generation(m: &mut Model, request: CsrRequest) -> Vec<Effect> {
    let label = request.key_type.label();
    m.busy = Some(format!("Generating the {label} key and CSR… (Esc cancels)"));
    m.cancellable = true;
    vec![Effect::GenerateCsr(request)]
}

pub(super) fn generated(m: &mut Model, result: Result<NewCsr, String>) -> Vec<Effect> {
    if take_discard(m) {
        return Vec::new();
    }
    m.busy = None;
    m.cancellable = false;
    match result {
        Ok(new) => start(m, "Writing the key and CSR…", Effect::WriteCsr(new)),
        Err(e) => {
            finish(m, Err(e));
            Vec::new()
        }
    }
}

/// Every name the certificate will carry, one kind a paragraph.
fn names_of(csr: &CheckedCsr) -> String {
    let mut out = format!("Common name: {}", csr.common_name);
    if !csr.dns_names.is_empty() {
        out.push_str(&format!(
            "\nDNS names ({}): {}",
            csr.dns_names.len(),
            csr.dns_names.join(", ")
        ));
    }
    if !csr.ips.is_empty() {
        out.push_str(&format!(
            "\nIP addresses ({}): {}",
            csr.ips.len(),
            super::form::ip_list(&csr.ips)
        ));
    }
    out
}

pub(super) fn confirm_issue(m: &mut Model, csr: CheckedCsr, days: i64) -> Vec<Effect> {
    let root = match m.snapshot.as_ref().and_then(|s| s.root_fingerprint.clone()) {
        Some(Ok(fp)) => fp,
        _ => "unknown".into(),
    };
    let warning = format!(
        "Certificate for {} ({} key), valid {days} days, signed by the root key {root}.\n{}\nIt is written to /outgoing/reporting.crt (replacing any file there) with tanium.pub beside it. The server's own tanium/reporting.crt is not touched.",
        csr.common_name,
        csr.key_description,
        names_of(&csr)
    );
    push_confirm(
        m,
        "Issue the certificate",
        warning,
        "Issue it?",
        Pending::IssueCert { csr, days },
    )
}

/// A text pasted or read from /incoming, for `purpose`.
pub(super) fn received(m: &mut Model, purpose: TextFor, text: &str) -> Vec<Effect> {
    match purpose {
        TextFor::Csr => match csr::check_csr(text) {
            Ok(checked) => {
                match m.snapshot.as_ref().and_then(|s| s.issue_limit.clone()) {
                    Some(Err(why)) => refuse(m, format!("Nothing can be issued: {why}.")),
                    Some(Ok(limit)) => {
                        m.push(Screen::Form(super::form::issue_form(checked, Some(limit))))
                    }
                    None => m.push(Screen::Form(super::form::issue_form(checked, None))),
                }
                Vec::new()
            }
            Err(e) => {
                refuse(m, format!("The CSR was refused: {e}"));
                Vec::new()
            }
        },
        TextFor::AuthorizedKey => super::ssh::received_key(m, text),
        TextFor::Cert => start(
            m,
            "Checking the certificate…",
            Effect::CheckCert(text.to_string()),
        ),
        TextFor::RootKey => match TrustedKey::from_pem(text.as_bytes()) {
            Ok(key) => {
                let warning = format!(
                    "Root key fingerprint: {}\nCompare it with the 'Root key' line of Tanium Status on the Tanium Server. Trust it only if they are identical: certificates signed by this key will be installed.",
                    key.fingerprint
                );
                push_confirm(
                    m,
                    "Trust this root key",
                    warning,
                    "Trust it?",
                    Pending::ImportRoot(text.to_string()),
                )
            }
            Err(e) => {
                refuse(m, format!("The root public key was refused: {e}"));
                Vec::new()
            }
        },
    }
}

fn describe(summary: &CertSummary) -> String {
    format!(
        "Subject: {}\nIssuer: {}\nExpires: {} UTC",
        summary.subject,
        summary.issuer,
        date(summary.not_after)
    )
}

/// The executor's answer to `Effect::CheckCert`.
pub(super) fn checked(m: &mut Model, text: String, result: Result<CertCheck, String>) {
    match result {
        Ok(CertCheck::Ready(summary)) => {
            let warning = format!(
                "{}\nIt matches zoneserver/reporting.pvk and was signed by the trusted root key.\nThe current certificate, if any, is kept as a .bak file; ReportingTLSMode becomes 2 (optional) unless you already set it.",
                describe(&summary)
            );
            push_confirm(
                m,
                "Install the certificate",
                warning,
                "Install it?",
                Pending::InstallCert { text, trust: None },
            );
        }
        Ok(CertCheck::NeedsTrust { summary, candidate }) => {
            let warning = format!(
                "{}\nNo trusted root key yet. The certificate was signed by the key in /incoming/tanium.pub:\n{}\nCompare it with the 'Root key' line of Tanium Status on the Tanium Server. Answer y only if they are identical: the key is then trusted and the certificate installed.",
                describe(&summary),
                candidate.fingerprint
            );
            push_confirm(
                m,
                "Trust the root key and install",
                warning,
                "Trust it and install?",
                Pending::InstallCert {
                    text,
                    trust: Some(candidate),
                },
            );
        }
        Err(e) => refuse(m, format!("The certificate was refused: {e}")),
    }
}
