//! The TLS flows of SPEC §4.2–4.4 as the console runs them: what each step asks, confirms
//! and hands to the executor.

use std::net::IpAddr;

use super::form::{Field, Form, FormFor, IssueTarget};
use super::paste::refuse;
use super::{Confirm, Effect, Failure, Model, Screen, Start};
use crate::appliance::fleet::Occupant;
use crate::appliance::issuance::{Order, Replace, Source};
use crate::appliance::tls::CertCheck;
use crate::date::date;
use crate::pki::KeyType;
use crate::pki::csr::{self, CheckedCsr, CsrRequest, NewCsr};
use crate::pki::issue::{
    DEFAULT_VALIDITY_DAYS, IssueLimit, MAX_VALIDITY_DAYS, MIN_VALIDITY_DAYS, parse_validity_days,
};
use crate::pki::{CertSummary, TrustedKey, names};

/// The CSR questions, the Zone Server's name offered as the common name.
pub(super) fn open_csr_form(m: &mut Model) -> Vec<Effect> {
    let host = m
        .snapshot
        .as_ref()
        .map_or_else(String::new, |s| s.config.hostname.clone());
    m.push(Screen::Form(csr_form(&host)));
    Vec::new()
}

pub fn csr_form(hostname: &str) -> Form {
    let key_types = KeyType::ALL.iter().map(|k| k.label().to_string()).collect();
    let mut key_type_field = Field::text(
        "Key type",
        "ECDSA P-256 suits every supported cipher suite; RSA takes longer to generate.",
        "1",
        2,
        |_, raw| key_type(raw).map(drop),
    );
    key_type_field.choices = key_types;
    Form::new(
        "Generate CSR".into(),
        vec![
            "A new private key (zoneserver/reporting.pvk) and its certificate signing request."
                .into(),
        ],
        FormFor::Csr,
        vec![
            Field::text(
                "Common name",
                "The Zone Server's name as clients reach it.",
                hostname,
                64,
                |_, raw| names::check_common_name(raw),
            ),
            Field::text(
                "Extra DNS names",
                "Separated by commas or spaces; 'none' for none.",
                "none",
                1024,
                |_, raw| dns_names(raw).map(drop),
            ),
            Field::text(
                "IP addresses",
                "Separated by commas or spaces; 'none' for none.",
                "none",
                512,
                |form, raw| csr_ips(form, raw).map(drop),
            ),
            key_type_field,
        ],
    )
}

/// The validity question for `checked`; `limit` (from the root certificate) lowers the
/// longest validity, and so the default, near the root's end.
pub fn issue_form(checked: CheckedCsr, limit: Option<IssueLimit>, source: Source) -> Form {
    let mut intro = vec![format!(
        "Request for CN={}, {} key",
        checked.common_name, checked.key_description
    )];
    if !checked.dns_names.is_empty() {
        intro.push(format!("DNS names: {}", some_of(&checked.dns_names)));
    }
    if !checked.ips.is_empty() {
        let ips: Vec<String> = checked.ips.iter().map(IpAddr::to_string).collect();
        intro.push(format!("IP addresses: {}", some_of(&ips)));
    }
    intro.push(format!("Key fingerprint: {}", checked.fingerprint));
    intro.push("The request's signature, key and names were checked.".into());
    let max_days = limit.map_or(MAX_VALIDITY_DAYS, |l| l.max_days);
    let help = match limit {
        Some(l) if l.max_days < MAX_VALIDITY_DAYS => format!(
            "From {MIN_VALIDITY_DAYS} to {max_days}: the root certificate expires on {}, and no certificate outlasts it.",
            date(l.root_not_after)
        ),
        _ => format!("From {MIN_VALIDITY_DAYS} to {max_days}."),
    };
    let default = DEFAULT_VALIDITY_DAYS.min(max_days).to_string();
    // Room for a figure past the bound, so it is refused rather than cut to fit.
    let width = MAX_VALIDITY_DAYS.to_string().len() + 2;
    let field = Field::text(
        "Validity in days",
        &help,
        &default,
        width,
        |form, raw| match &form.purpose {
            FormFor::Issue(target) => days(raw, target.max_days).map(drop),
            FormFor::Csr | FormFor::Peer(_) | FormFor::TlsPeer => Ok(()),
        },
    );
    Form::new(
        "Issue certificate".into(),
        intro,
        FormFor::Issue(Box::new(IssueTarget {
            csr: checked,
            max_days,
            source,
        })),
        vec![field],
    )
}

/// A list short enough to leave the question in view: the first names, then how many more
/// (the confirmation lists them all).
fn some_of(names: &[String]) -> String {
    const ROOM: usize = 150;
    let mut shown = Vec::new();
    let mut used = 0;
    for name in names {
        let len = name.chars().count() + 2;
        if used + len > ROOM && !shown.is_empty() {
            break;
        }
        used += len;
        shown.push(name.as_str());
    }
    let rest = names.len() - shown.len();
    match rest {
        0 => shown.join(", "),
        n => format!(
            "{}, … and {n} more (the confirmation lists them all)",
            shown.join(", ")
        ),
    }
}

fn ip_list(ips: &[IpAddr]) -> String {
    ips.iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// "none", "" or a list separated by commas or spaces.
fn list(raw: &str) -> Vec<String> {
    if raw.trim().eq_ignore_ascii_case("none") {
        return Vec::new();
    }
    raw.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn dns_names(raw: &str) -> Result<Vec<String>, String> {
    let names = list(raw);
    names::check_name_count(names.len())?;
    for name in &names {
        names::check_dns_name(name)?;
    }
    Ok(names)
}

fn ips(raw: &str) -> Result<Vec<IpAddr>, String> {
    let items = list(raw);
    names::check_name_count(items.len())?;
    items
        .iter()
        .map(|s| {
            s.parse()
                .map_err(|_| format!("'{}' is not an IP address", names::shown(s)))
        })
        .collect()
}

/// The IP addresses of the CSR form, counted with the DNS names already given.
fn csr_ips(form: &Form, raw: &str) -> Result<Vec<IpAddr>, String> {
    let found = ips(raw)?;
    let dns = form.fields[1].value.as_deref().map_or(0, |v| list(v).len());
    names::check_name_count(dns + found.len())?;
    Ok(found)
}

fn key_type(raw: &str) -> Result<KeyType, String> {
    raw.parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| KeyType::ALL.get(i).copied())
        .ok_or_else(|| format!("'{raw}' is not a line number (1-{})", KeyType::ALL.len()))
}

fn days(raw: &str, max: i64) -> Result<i64, String> {
    parse_validity_days(raw, max).map_err(|e| format!("'{raw}' is {e}"))
}

/// The answers of the CSR form, in its order.
pub(super) fn csr_entered(m: &mut Model, values: &[String]) -> Vec<Effect> {
    let request = (|| -> Result<CsrRequest, String> {
        Ok(CsrRequest {
            common_name: values[0].clone(),
            dns_names: dns_names(&values[1])?,
            ips: ips(&values[2])?,
            key_type: key_type(&values[3])?,
        })
    })();
    match request {
        Ok(request) => request_csr(m, request),
        Err(e) => {
            m.error(e);
            Vec::new()
        }
    }
}

/// The validity typed for `target`.
pub(super) fn days_entered(m: &mut Model, target: IssueTarget, values: &[String]) -> Vec<Effect> {
    match days(&values[0], target.max_days) {
        Ok(days) => {
            let order = Order {
                csr: target.csr,
                days,
                source: target.source,
                replace: Replace::Never,
            };
            confirm_issue(m, Box::new(order))
        }
        Err(e) => {
            m.error(e);
            Vec::new()
        }
    }
}

fn push_confirm(
    m: &mut Model,
    title: &str,
    warning: String,
    question: &str,
    on_yes: Start,
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
fn request_csr(m: &mut Model, request: CsrRequest) -> Vec<Effect> {
    let Some(snapshot) = &m.snapshot else {
        return Vec::new();
    };
    if !snapshot.reporting_key {
        return m.begin(generation(request));
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
        generation(request),
    )
}

/// A key generation to start; Esc abandons it.
fn generation(request: CsrRequest) -> Start {
    let label = request.key_type.label();
    Start::cancellable(
        format!("Generating the {label} key and CSR… (Esc cancels)"),
        Effect::GenerateCsr(request),
        super::Abandon::KeyGeneration,
    )
}

pub(super) fn generated(m: &mut Model, result: Result<NewCsr, String>) -> Vec<Effect> {
    if m.take_discard() {
        return Vec::new();
    }
    m.busy = None;
    m.cancellable = false;
    match result {
        Ok(new) => m.start("Writing the key and CSR…", Effect::WriteCsr(new)),
        Err(e) => {
            m.finish(Err(e));
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
            ip_list(&csr.ips)
        ));
    }
    out
}

fn root_fingerprint(m: &Model) -> String {
    match m.snapshot.as_ref().and_then(|s| s.root_fingerprint.clone()) {
        Some(Ok(fp)) => fp,
        _ => "unknown".into(),
    }
}

/// The confirmation of one issuance: what is signed, for which names, written where.
fn confirm_issue(m: &mut Model, order: Box<Order>) -> Vec<Effect> {
    let warning =
        super::outcome::issue_warning(&order, &root_fingerprint(m), &names_of(&order.csr));
    push_confirm(
        m,
        "Issue the certificate",
        warning,
        "Issue it?",
        Start::new("Issuing the certificate…", Effect::IssueCert(order)),
    )
}

/// The issuance was refused because its name has a certificate of another key: replacing
/// it takes a confirmation of its own, naming that key.
pub(super) fn name_taken(m: &mut Model, mut order: Box<Order>, occupant: &Occupant) {
    // The question answered already gives way: declining this one declines the issuance.
    if matches!(m.screen(), Screen::Confirm(_)) {
        m.back();
    }
    let warning = super::outcome::replace_warning(&order, occupant);
    order.replace = Replace::Key(occupant.key_fingerprint.clone());
    push_confirm(
        m,
        "Replace a certificate of another key",
        warning,
        "Issue it and replace that certificate?",
        Start::new("Issuing the certificate…", Effect::IssueCert(order)),
    );
}

/// A CSR pasted or read from /incoming: checked, then the validity question.
pub(super) fn received_csr(m: &mut Model, text: &str, source: Source) -> Vec<Effect> {
    match csr::check_csr(text) {
        Ok(checked) => match m.snapshot.as_ref().and_then(|s| s.issue_limit.clone()) {
            Some(Err(why)) => refuse(m, format!("Nothing can be issued: {why}.")),
            Some(Ok(limit)) => m.push(Screen::Form(issue_form(checked, Some(limit), source))),
            None => m.push(Screen::Form(issue_form(checked, None, source))),
        },
        Err(e) => refuse(m, format!("The CSR was refused: {e}")),
    }
    Vec::new()
}

/// A signed certificate pasted or read from /incoming: the executor checks it.
pub(super) fn received_cert(m: &mut Model, text: &str) -> Vec<Effect> {
    m.start(
        "Checking the certificate…",
        Effect::CheckCert(text.to_string()),
    )
}

/// A root public key pasted or read from /incoming: trusted once confirmed.
pub(super) fn received_root(m: &mut Model, text: &str) -> Vec<Effect> {
    match TrustedKey::from_pem(text.as_bytes()) {
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
                Start::new(
                    "Saving the trusted root key…",
                    Effect::ImportRoot(text.to_string()),
                ),
            )
        }
        Err(e) => {
            refuse(m, format!("The root public key was refused: {e}"));
            Vec::new()
        }
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
pub(super) fn checked(m: &mut Model, text: String, result: Result<CertCheck, Failure>) {
    let (title, warning, question, trust) = match result {
        Ok(CertCheck::Ready(summary)) => (
            "Install the certificate",
            format!(
                "{}\nIt matches zoneserver/reporting.pvk and was signed by the trusted root key.\nThe current certificate, if any, is kept as a .bak file; ReportingTLSMode becomes 2 (optional) unless you already set it.",
                describe(&summary)
            ),
            "Install it?",
            None,
        ),
        Ok(CertCheck::NeedsTrust {
            summary,
            candidate,
            trusted: Some(current),
        }) => (
            "A new Tanium root key",
            super::outcome::new_root_warning(
                &describe(&summary),
                &candidate.fingerprint,
                &current,
                &m.key_path(super::Step::HubRootKeys),
                &m.key_path(super::Step::TrustedRoots),
            ),
            "Trust the new root key and install?",
            Some(candidate),
        ),
        Ok(CertCheck::NeedsTrust {
            summary,
            candidate,
            trusted: None,
        }) => (
            "Trust the root key and install",
            format!(
                "{}\nNo trusted root key yet. The certificate was signed by the key in /incoming/tanium.pub:\n{}\nCompare it with the 'Root key' line of Tanium Status on the Tanium Server. Answer y only if they are identical: the key is then trusted and the certificate installed.",
                describe(&summary),
                candidate.fingerprint
            ),
            "Trust it and install?",
            Some(candidate),
        ),
        Err(e) => {
            let why = m.with_step(&e.message, e.first);
            refuse(m, format!("The certificate was refused: {why}"));
            return;
        }
    };
    let start = Start::new(
        "Installing the certificate…",
        Effect::InstallCert { text, trust },
    );
    push_confirm(m, title, warning, question, start);
}
