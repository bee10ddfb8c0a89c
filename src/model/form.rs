//! Prompts asked one after the other, each with a default Enter accepts: the CSR questions
//! on the Zone Server, the validity of a certificate on the Tanium Server.

use std::net::IpAddr;

use super::ssh::TransferOp;
use super::{Effect, Model, Screen, ssh, tls};
use crate::date::date;
use crate::pki::KeyType;
use crate::pki::csr::{self, CheckedCsr, CsrRequest};
use crate::pki::issue::{
    DEFAULT_VALIDITY_DAYS, IssueLimit, MAX_VALIDITY_DAYS, MIN_VALIDITY_DAYS, parse_validity_days,
};
use crate::transfer::sftp::Peer;

#[derive(Debug, Clone, PartialEq)]
pub enum FormFor {
    Csr,
    Issue(Box<IssueTarget>),
    Peer(TransferOp),
}

/// The request a certificate is issued for, and the longest validity the root allows now.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueTarget {
    pub csr: CheckedCsr,
    pub max_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: &'static str,
    pub help: String,
    pub default: String,
    /// Chosen by line number when not empty.
    pub choices: Vec<String>,
    pub value: Option<String>,
    /// The longest answer accepted at the prompt (a private key typed on by mistake, or the
    /// tail of a paste, never fills the screen or a message).
    pub max_len: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub title: String,
    /// Lines shown above the questions (what the form is about).
    pub intro: Vec<String>,
    pub purpose: FormFor,
    pub fields: Vec<Field>,
    pub step: usize,
    /// Highlighted choice of a choice field.
    pub cursor: usize,
    pub error: Option<String>,
}

impl Form {
    pub fn field(&self) -> &Field {
        &self.fields[self.step.min(self.fields.len() - 1)]
    }
}

fn text_field(label: &'static str, help: &str, default: &str, max_len: usize) -> Field {
    Field {
        label,
        help: help.to_string(),
        default: default.to_string(),
        choices: Vec::new(),
        value: None,
        max_len,
    }
}

pub fn csr_form(hostname: &str) -> Form {
    let key_types = KeyType::ALL.iter().map(|k| k.label().to_string()).collect();
    Form {
        title: "Generate CSR".into(),
        intro: vec![
            "A new private key (zoneserver/reporting.pvk) and its certificate signing request."
                .into(),
        ],
        purpose: FormFor::Csr,
        fields: vec![
            text_field(
                "Common name",
                "The Zone Server's name as clients reach it.",
                hostname,
                64,
            ),
            text_field(
                "Extra DNS names",
                "Separated by commas or spaces; 'none' for none.",
                "none",
                1024,
            ),
            text_field(
                "IP addresses",
                "Separated by commas or spaces; 'none' for none.",
                "none",
                512,
            ),
            Field {
                label: "Key type",
                help:
                    "ECDSA P-256 suits every supported cipher suite; RSA takes seconds to generate."
                        .into(),
                default: "1".into(),
                choices: key_types,
                value: None,
                max_len: 2,
            },
        ],
        step: 0,
        cursor: 0,
        error: None,
    }
}

/// The validity question for `checked`; `limit` (from the root certificate) lowers the
/// longest validity, and so the default, near the root's end.
pub fn issue_form(checked: CheckedCsr, limit: Option<IssueLimit>) -> Form {
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
    Form {
        title: "Issue certificate".into(),
        intro,
        purpose: FormFor::Issue(Box::new(IssueTarget {
            csr: checked,
            max_days,
        })),
        fields: vec![text_field("Validity in days", &help, &default, width)],
        step: 0,
        cursor: 0,
        error: None,
    }
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

pub(super) fn ip_list(ips: &[IpAddr]) -> String {
    ips.iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where to connect for an SFTP pull or push: Enter accepts the last peer of the session.
pub fn peer_form(op: TransferOp, last: Option<&Peer>) -> Form {
    let (host, port, user) = match last {
        Some(p) => (p.host.clone(), p.port.to_string(), p.user.clone()),
        None => (String::new(), "22".to_string(), "tancopy".to_string()),
    };
    let intro = match op {
        TransferOp::PullCertificate => {
            "Downloads /outgoing/reporting.crt (and tanium.pub) from the Tanium Server with tanadmin's key, then checks and installs it."
        }
        TransferOp::PushCsr => {
            "Uploads zoneserver/reporting.csr to the Tanium Server's /incoming with tanadmin's key."
        }
    };
    Form {
        title: op.label().to_string(),
        intro: vec![intro.to_string()],
        purpose: FormFor::Peer(op),
        fields: vec![
            text_field("Host", "The Tanium Server's name or address.", &host, 253),
            text_field("Port", "Its SSH port.", &port, 5),
            text_field("User", "The transfer account there.", &user, 32),
        ],
        step: 0,
        cursor: 0,
        error: None,
    }
}

fn host(raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Err("type the Tanium Server's name or address".into());
    }
    if raw.parse::<IpAddr>().is_ok() {
        return Ok(raw.to_string());
    }
    crate::hostname::validate_hostname(raw).map(|()| raw.to_string())
}

fn port(raw: &str) -> Result<u16, String> {
    match raw.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(format!("'{raw}' is not a port (1-65535)")),
    }
}

fn login(raw: &str) -> Result<String, String> {
    let ok = !raw.is_empty()
        && raw.len() <= 32
        && raw
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(raw.to_string())
    } else {
        Err(format!(
            "'{raw}' is not a user name (lower-case letters, digits, '_' and '-')"
        ))
    }
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
    csr::check_name_count(names.len())?;
    for name in &names {
        csr::check_dns_name(name)?;
    }
    Ok(names)
}

fn ips(raw: &str) -> Result<Vec<IpAddr>, String> {
    let items = list(raw);
    csr::check_name_count(items.len())?;
    items
        .iter()
        .map(|s| {
            s.parse()
                .map_err(|_| format!("'{}' is not an IP address", csr::shown(s)))
        })
        .collect()
}

/// The IP addresses of the CSR form, counted with the DNS names already given.
fn csr_ips(form: &Form, raw: &str) -> Result<Vec<IpAddr>, String> {
    let found = ips(raw)?;
    let dns = form.fields[1].value.as_deref().map_or(0, |v| list(v).len());
    csr::check_name_count(dns + found.len())?;
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

fn check(form: &Form, raw: &str) -> Result<(), String> {
    match (&form.purpose, form.step) {
        (FormFor::Csr, 0) => csr::check_common_name(raw),
        (FormFor::Csr, 1) => dns_names(raw).map(drop),
        (FormFor::Csr, 2) => csr_ips(form, raw).map(drop),
        (FormFor::Csr, _) => key_type(raw).map(drop),
        (FormFor::Issue(target), _) => days(raw, target.max_days).map(drop),
        (FormFor::Peer(_), 0) => host(raw).map(drop),
        (FormFor::Peer(_), 1) => port(raw).map(drop),
        (FormFor::Peer(_), _) => login(raw).map(drop),
    }
}

pub(super) fn submit(m: &mut Model, mut form: Form, text: &str) -> Vec<Effect> {
    let field = form.field().clone();
    let raw = match (text, field.choices.is_empty()) {
        ("", true) => field.default.clone(),
        ("", false) => (form.cursor + 1).to_string(),
        (typed, _) => typed.to_string(),
    };
    if let Err(e) = check(&form, &raw) {
        form.error = Some(e);
        *m.screen_mut() = Screen::Form(form);
        return Vec::new();
    }
    form.error = None;
    form.fields[form.step].value = Some(raw);
    form.step += 1;
    form.cursor = 0;
    if form.step < form.fields.len() {
        *m.screen_mut() = Screen::Form(form);
        return Vec::new();
    }
    let value = |i: usize| form.fields[i].value.clone().unwrap_or_default();
    match &form.purpose {
        FormFor::Csr => {
            let request = (|| -> Result<CsrRequest, String> {
                Ok(CsrRequest {
                    common_name: value(0),
                    dns_names: dns_names(&value(1))?,
                    ips: ips(&value(2))?,
                    key_type: key_type(&value(3))?,
                })
            })();
            match request {
                Ok(request) => tls::request_csr(m, request),
                Err(e) => {
                    m.error(e);
                    Vec::new()
                }
            }
        }
        FormFor::Peer(op) => {
            let peer = (|| -> Result<Peer, String> {
                Ok(Peer {
                    host: host(&value(0))?,
                    port: port(&value(1))?,
                    user: login(&value(2))?,
                })
            })();
            match peer {
                Ok(peer) => ssh::start_transfer(m, *op, peer, None),
                Err(e) => {
                    m.error(e);
                    Vec::new()
                }
            }
        }
        FormFor::Issue(target) => match days(&value(0), target.max_days) {
            Ok(days) => tls::confirm_issue(m, target.csr.clone(), days),
            Err(e) => {
                m.error(e);
                Vec::new()
            }
        },
    }
}

/// Esc: the previous question, or out of the form from the first one.
pub(super) fn step_back(m: &mut Model) {
    let Screen::Form(form) = m.screen_mut() else {
        return;
    };
    if form.step == 0 {
        m.back();
        m.info("Cancelled; nothing was changed.");
        return;
    }
    form.step -= 1;
    form.error = None;
    m.input.clear();
}
