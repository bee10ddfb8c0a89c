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
use crate::say;
use crate::texts::Voice;

/// The CSR questions, the Zone Server's name offered as the common name.
pub(super) fn open_csr_form(m: &mut Model) -> Vec<Effect> {
    let host = m
        .snapshot
        .as_ref()
        .map_or_else(String::new, |s| s.config.hostname.clone());
    m.push(Screen::Form(csr_form(m.voice(), &host)));
    Vec::new()
}

pub fn csr_form(v: Voice, hostname: &str) -> Form {
    let key_types = KeyType::ALL.iter().map(|k| k.label().to_string()).collect();
    let mut key_type_field = Field::text(
        say!(v; "model.tls.key_type"),
        &say!(v; "model.tls.key_type_help"),
        "1",
        2,
        |_, raw| key_type(raw).map(drop),
    );
    key_type_field.choices = key_types;
    let list_help = say!(v; "model.tls.list_help");
    Form::new(
        say!(v; "model.tls.csr_title"),
        vec![say!(v; "model.tls.csr_intro")],
        FormFor::Csr,
        vec![
            Field::text(
                say!(v; "model.tls.common_name"),
                &say!(v; "model.tls.common_name_help"),
                hostname,
                64,
                |_, raw| names::check_common_name(raw),
            ),
            Field::text(
                say!(v; "model.tls.dns_names"),
                &list_help,
                &say!(v; "model.tls.none_word"),
                1024,
                |_, raw| dns_names(raw).map(drop),
            ),
            Field::text(
                say!(v; "model.tls.ip_addresses"),
                &list_help,
                &say!(v; "model.tls.none_word"),
                512,
                |form, raw| csr_ips(form, raw).map(drop),
            ),
            key_type_field,
        ],
    )
}

/// What the issue form says of the request: its name, key and alternative names.
fn request_intro(v: Voice, checked: &CheckedCsr) -> Vec<String> {
    let mut intro = vec![say!(v; "model.tls.request_for",
        common_name = checked.common_name, key = checked.key_description)];
    if !checked.dns_names.is_empty() {
        intro.push(say!(v; "model.tls.request_dns", names = some_of(v, &checked.dns_names)));
    }
    if !checked.ips.is_empty() {
        let ips: Vec<String> = checked.ips.iter().map(IpAddr::to_string).collect();
        intro.push(say!(v; "model.tls.request_ips", ips = some_of(v, &ips)));
    }
    intro.push(say!(v; "model.tls.request_fingerprint", fingerprint = checked.fingerprint));
    intro.push(say!(v; "model.tls.request_checked"));
    intro
}

/// The validity question for `checked`; `limit` (from the root certificate) lowers the
/// longest validity, and so the default, near the root's end.
pub fn issue_form(
    v: Voice,
    checked: CheckedCsr,
    limit: Option<IssueLimit>,
    source: Source,
) -> Form {
    let intro = request_intro(v, &checked);
    let max_days = limit.map_or(MAX_VALIDITY_DAYS, |l| l.max_days);
    let help = match limit {
        Some(l) if l.max_days < MAX_VALIDITY_DAYS => say!(v; "model.tls.validity_help_root",
            min = MIN_VALIDITY_DAYS, max = max_days, date = date(l.root_not_after)),
        _ => say!(v; "model.tls.validity_help", min = MIN_VALIDITY_DAYS, max = max_days),
    };
    let default = DEFAULT_VALIDITY_DAYS.min(max_days).to_string();
    // Room for a figure past the bound, so it is refused rather than cut to fit.
    let width = MAX_VALIDITY_DAYS.to_string().len() + 2;
    let field = Field::text(
        say!(v; "model.tls.validity"),
        &help,
        &default,
        width,
        |form, raw| match &form.purpose {
            FormFor::Issue(target) => days(raw, target.max_days).map(drop),
            FormFor::Csr | FormFor::Peer(_) | FormFor::TlsPeer => Ok(()),
        },
    );
    Form::new(
        say!(v; "model.tls.issue_title"),
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
fn some_of(v: Voice, names: &[String]) -> String {
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
        n => say!(v; "model.tls.and_more", names = shown.join(", "), count = n),
    }
}

fn ip_list(ips: &[IpAddr]) -> String {
    ips.iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// "none" (in any language the console speaks), "" or a list separated by commas or spaces.
fn list(raw: &str) -> Vec<String> {
    let none = |lang| {
        raw.trim()
            .eq_ignore_ascii_case(crate::texts::text(lang, "model.tls.none_word"))
    };
    if crate::texts::SHIPPED.iter().any(|(lang, _, _)| none(*lang)) {
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
                .map_err(|_| say!("model.tls.not_an_ip", value = names::shown(s)))
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
        .ok_or_else(|| {
            say!(
                "model.tls.not_a_key_type",
                value = raw,
                last = KeyType::ALL.len()
            )
        })
}

fn days(raw: &str, max: i64) -> Result<i64, String> {
    parse_validity_days(raw, max).map_err(|_| {
        say!(
            "model.tls.not_days",
            value = raw,
            min = MIN_VALIDITY_DAYS,
            max = max
        )
    })
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
    let v = m.voice();
    let Some(snapshot) = &m.snapshot else {
        return Vec::new();
    };
    if !snapshot.reporting_key {
        return m.begin(generation(v, request));
    }
    let installed = match &snapshot.cert {
        crate::appliance::status::CertState::Installed { summary, .. }
        | crate::appliance::status::CertState::KeyMismatch { summary, .. }
        | crate::appliance::status::CertState::Untrusted { summary, .. } => {
            say!(v; "model.tls.installed_stops_matching",
                subject = summary.subject, state = snapshot.cert.short_in(v))
        }
        _ => say!(v; "model.tls.no_cert_yet"),
    };
    let warning = say!(v; "model.tls.replace_key_warning",
        key_type = request.key_type.label(), installed = installed);
    push_confirm(
        m,
        &say!(v; "model.tls.replace_key_title"),
        warning,
        &say!(v; "model.tls.replace_key_question"),
        generation(v, request),
    )
}

/// A key generation to start; Esc abandons it.
fn generation(v: Voice, request: CsrRequest) -> Start {
    let label = request.key_type.label();
    Start::cancellable(
        say!(v; "model.tls.generating", key_type = label),
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
        Ok(new) => m.start(say!(m.voice(); "model.tls.writing"), Effect::WriteCsr(new)),
        Err(e) => {
            m.finish(Err(e));
            Vec::new()
        }
    }
}

/// Every name the certificate will carry, one kind a paragraph.
fn names_of(v: Voice, csr: &CheckedCsr) -> String {
    let mut out = vec![say!(v; "model.tls.names_common", name = csr.common_name)];
    if !csr.dns_names.is_empty() {
        out.push(say!(v; "model.tls.names_dns",
            count = csr.dns_names.len(), names = csr.dns_names.join(", ")));
    }
    if !csr.ips.is_empty() {
        out.push(say!(v; "model.tls.names_ips", count = csr.ips.len(), ips = ip_list(&csr.ips)));
    }
    out.join("\n")
}

fn root_fingerprint(m: &Model) -> String {
    match m.snapshot.as_ref().and_then(|s| s.root_fingerprint.clone()) {
        Some(Ok(fp)) => fp,
        _ => say!(m.voice(); "model.tls.unknown"),
    }
}

/// The confirmation of one issuance: what is signed, for which names, written where.
fn confirm_issue(m: &mut Model, order: Box<Order>) -> Vec<Effect> {
    let v = m.voice();
    let warning =
        super::outcome::issue_warning(&order, &root_fingerprint(m), &names_of(v, &order.csr));
    push_confirm(
        m,
        &say!(v; "model.tls.issue_confirm_title"),
        warning,
        &say!(v; "model.tls.issue_question"),
        Start::new(say!(v; "model.tls.issuing"), Effect::IssueCert(order)),
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
    let v = m.voice();
    push_confirm(
        m,
        &say!(v; "model.tls.replace_cert_title"),
        warning,
        &say!(v; "model.tls.replace_cert_question"),
        Start::new(say!(v; "model.tls.issuing"), Effect::IssueCert(order)),
    );
}

/// A CSR pasted or read from /incoming: checked, then the validity question.
pub(super) fn received_csr(m: &mut Model, text: &str, source: Source) -> Vec<Effect> {
    let v = m.voice();
    match csr::check_csr(text) {
        Ok(checked) => match m.snapshot.as_ref().and_then(|s| s.issue_limit.clone()) {
            Some(Err(why)) => refuse(m, say!(v; "model.tls.nothing_issued", reason = why)),
            Some(Ok(limit)) => m.push(Screen::Form(issue_form(v, checked, Some(limit), source))),
            None => m.push(Screen::Form(issue_form(v, checked, None, source))),
        },
        Err(e) => refuse(m, say!(v; "model.tls.csr_refused", reason = e)),
    }
    Vec::new()
}

/// A signed certificate pasted or read from /incoming: the executor checks it.
pub(super) fn received_cert(m: &mut Model, text: &str) -> Vec<Effect> {
    m.start(
        say!(m.voice(); "model.tls.checking"),
        Effect::CheckCert(text.to_string()),
    )
}

/// A root public key pasted or read from /incoming: trusted once confirmed.
pub(super) fn received_root(m: &mut Model, text: &str) -> Vec<Effect> {
    let v = m.voice();
    match TrustedKey::from_pem(text.as_bytes()) {
        Ok(key) => {
            let warning = say!(v; "model.tls.trust_root_warning", fingerprint = key.fingerprint);
            push_confirm(
                m,
                &say!(v; "model.tls.trust_root_title"),
                warning,
                &say!(v; "model.tls.trust_root_question"),
                Start::new(
                    say!(v; "model.tls.saving_root"),
                    Effect::ImportRoot(text.to_string()),
                ),
            )
        }
        Err(e) => {
            refuse(m, say!(v; "model.tls.root_refused", reason = e));
            Vec::new()
        }
    }
}

fn describe(v: Voice, summary: &CertSummary) -> String {
    say!(v; "model.tls.describe",
        subject = summary.subject, issuer = summary.issuer, date = date(summary.not_after))
}

/// The executor's answer to `Effect::CheckCert`.
pub(super) fn checked(m: &mut Model, text: String, result: Result<CertCheck, Failure>) {
    let v = m.voice();
    let (title, warning, question, trust) = match result {
        Ok(CertCheck::Ready(summary)) => (
            say!(v; "model.tls.install_title"),
            say!(v; "model.tls.install_warning", certificate = describe(v, &summary)),
            say!(v; "model.tls.install_question"),
            None,
        ),
        Ok(CertCheck::NeedsTrust {
            summary,
            candidate,
            trusted: Some(current),
        }) => (
            say!(v; "model.tls.new_root_title"),
            super::outcome::new_root_warning(
                &describe(v, &summary),
                &candidate.fingerprint,
                &current,
                &m.key_path(super::Step::HubRootKeys),
                &m.key_path(super::Step::TrustedRoots),
            ),
            say!(v; "model.tls.new_root_question"),
            Some(candidate),
        ),
        Ok(CertCheck::NeedsTrust {
            summary,
            candidate,
            trusted: None,
        }) => (
            say!(v; "model.tls.first_root_title"),
            say!(v; "model.tls.first_root_warning",
                certificate = describe(v, &summary), fingerprint = candidate.fingerprint),
            say!(v; "model.tls.first_root_question"),
            Some(candidate),
        ),
        Err(e) => {
            let why = m.with_step(&e.message, e.first);
            refuse(m, say!(v; "model.tls.cert_refused", reason = why));
            return;
        }
    };
    let start = Start::new(
        say!(v; "model.tls.installing"),
        Effect::InstallCert { text, trust },
    );
    push_confirm(m, &title, warning, &question, start);
}
