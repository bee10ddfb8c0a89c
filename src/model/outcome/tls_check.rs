//! The sentences of the TLS check: its form, its busy lines, the report (the console's view
//! and `tanos-menu tls-check` print the same lines), each failure's reason, and the step
//! that fixes it.

use crate::appliance::Role;
use crate::date::date;
use crate::menu::{Action, Target};
use crate::say;
use crate::text::escape;
use crate::tlscheck::{CertFacts, Check, Failure, Files, Part, Report, TLS12_SUITES, TLS13_SUITES};

use super::super::View;

/// Width of a report line's label, at least.
const LABEL: usize = 16;

/// Tanium's client port, where its TLS service listens.
pub const DEFAULT_PORT: &str = "17472";

pub fn self_test_busy() -> String {
    say!("outcome.tls_check.self_test_busy")
}

pub fn probe_title() -> String {
    say!("outcome.tls_check.probe_title")
}

pub fn probe_intro() -> String {
    say!("outcome.tls_check.probe_intro")
}

pub fn host_help() -> String {
    say!("outcome.tls_check.host_help")
}

pub fn port_help() -> String {
    say!("outcome.tls_check.port_help")
}

pub fn name_help() -> String {
    say!("outcome.tls_check.name_help")
}

pub fn no_host() -> String {
    say!("outcome.tls_check.no_host")
}

pub fn not_a_port(raw: &str) -> String {
    say!("outcome.tls_check.not_a_port", value = escape(raw))
}

/// The busy line of a probe: bounded by the connection's and the diagnosis's deadlines.
pub fn probe_busy(host: &str, port: u16) -> String {
    say!(
        "outcome.tls_check.probe_busy",
        endpoint = endpoint(host, port),
        seconds = 2 * crate::tlscheck::HANDSHAKE_SECONDS
    )
}

/// `host:port`, an IPv6 address in brackets.
fn endpoint(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{}]:{port}", escape(host))
    } else {
        format!("{}:{port}", escape(host))
    }
}

fn file(files: &Files, part: Part) -> String {
    let known = match part {
        Part::Certificate => &files.cert,
        Part::Key => &files.key,
        Part::Root => &files.root,
    };
    known.clone().unwrap_or_else(|| match part {
        Part::Certificate => say!("outcome.tls_check.the_certificate"),
        Part::Key => say!("outcome.tls_check.the_private_key"),
        Part::Root => say!("outcome.tls_check.the_trusted_root"),
    })
}

/// Why a check failed, for the operator.
pub fn failure_text(failure: &Failure, files: &Files) -> String {
    match failure {
        Failure::Missing { part } => missing(*part, files),
        Failure::Unreadable { part, reason } => say!(
            "outcome.tls_check.unreadable",
            file = file(files, *part),
            reason = escape(reason)
        ),
        Failure::KeyMismatch { cert_key, key } => say!(
            "outcome.tls_check.key_mismatch",
            file = file(files, Part::Key),
            key = key,
            cert_key = cert_key
        ),
        Failure::UnusableKey { key } => {
            say!("outcome.tls_check.unusable_key", key = escape(key))
        }
        Failure::Untrusted { issuer, roots } => say!(
            "outcome.tls_check.untrusted",
            roots = roots.join(", "),
            issuer = escape(issuer)
        ),
        Failure::Expired { on } => say!("outcome.tls_check.expired", date = date(*on)),
        Failure::NotYetValid { from } => {
            say!("outcome.tls_check.not_yet_valid", date = date(*from))
        }
        Failure::NameMismatch { wanted, names } => name_mismatch(wanted, names),
        Failure::OldProtocol { version } => {
            say!("outcome.tls_check.old_protocol", version = escape(version))
        }
        Failure::SuiteOutsideList { version, suite } => say!(
            "outcome.tls_check.suite_outside_list",
            suite = escape(suite),
            version = escape(version)
        ),
        Failure::Resolve { host, reason } => say!(
            "outcome.tls_check.resolve",
            host = escape(host),
            reason = escape(reason)
        ),
        Failure::Connect { addr, reason } => say!(
            "outcome.tls_check.connect",
            addr = escape(addr),
            reason = escape(reason)
        ),
        Failure::TimedOut { during, seconds } => {
            say!(
                "outcome.tls_check.timed_out",
                seconds = seconds,
                during = during
            )
        }
        Failure::Handshake { reason } => {
            say!("outcome.tls_check.handshake", reason = escape(reason))
        }
        Failure::NoPeerCertificate => say!("outcome.tls_check.no_peer_certificate"),
        Failure::Setup { reason } => say!("outcome.tls_check.setup", reason = escape(reason)),
    }
}

fn missing(part: Part, files: &Files) -> String {
    let file = file(files, part);
    match part {
        Part::Certificate => say!("outcome.tls_check.no_certificate", file = file),
        Part::Key => say!("outcome.tls_check.no_private_key", file = file),
        Part::Root => say!("outcome.tls_check.no_trusted_root", file = file),
    }
}

fn name_mismatch(wanted: &str, names: &[String]) -> String {
    let wanted = escape(wanted);
    if names.is_empty() {
        return say!("outcome.tls_check.name_mismatch_none", wanted = wanted);
    }
    say!(
        "outcome.tls_check.name_mismatch",
        wanted = wanted,
        names = names_text(names)
    )
}

fn names_text(names: &[String]) -> String {
    if names.is_empty() {
        say!("outcome.tls_check.no_name")
    } else {
        names
            .iter()
            .map(|n| escape(n))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn what(check: &Check) -> String {
    match check {
        Check::SelfTest => say!("outcome.tls_check.self_test"),
        Check::Probe { host, port, .. } => {
            say!(
                "outcome.tls_check.probe_of",
                endpoint = endpoint(host, *port)
            )
        }
    }
}

/// One line: passed with what was agreed, or failed and why.
pub fn verdict(report: &Report) -> String {
    match &report.outcome {
        Ok(()) => passed(report),
        Err(failure) => {
            let why = failure_text(failure, &report.files);
            match &report.check {
                Check::SelfTest => say!("outcome.tls_check.self_test_failed", why = why),
                Check::Probe { host, port, .. } => say!(
                    "outcome.tls_check.probe_failed",
                    endpoint = endpoint(host, *port),
                    why = why
                ),
            }
        }
    }
}

fn passed(report: &Report) -> String {
    let Some(agreed) = &report.negotiated else {
        return match &report.check {
            Check::SelfTest => say!("outcome.tls_check.self_test_passed"),
            Check::Probe { host, port, .. } => say!(
                "outcome.tls_check.probe_passed",
                endpoint = endpoint(host, *port)
            ),
        };
    };
    let (version, suite) = (escape(&agreed.version), escape(&agreed.suite));
    match &report.check {
        Check::SelfTest => say!(
            "outcome.tls_check.self_test_passed_with",
            version = version,
            suite = suite
        ),
        Check::Probe { host, port, .. } => say!(
            "outcome.tls_check.probe_passed_with",
            endpoint = endpoint(host, *port),
            version = version,
            suite = suite
        ),
    }
}

/// The labels of a report's lines in the thread's voice, and the width they are padded to:
/// 16, or more when a label of the language needs it.
struct Labels {
    check: String,
    served: String,
    expected_name: String,
    trusted_root: String,
    root_key: String,
    policy: String,
    protocol: String,
    suite: String,
    offered_any: String,
    chains_to_root: String,
    result: String,
    certificate: String,
    /// The certificate's facts, indented under it.
    facts: [String; 5],
    width: usize,
}

impl Labels {
    fn new() -> Labels {
        let mut labels = Labels {
            check: say!("outcome.tls_check.label.check"),
            served: say!("outcome.tls_check.label.served"),
            expected_name: say!("outcome.tls_check.label.expected_name"),
            trusted_root: say!("outcome.tls_check.label.trusted_root"),
            root_key: say!("outcome.tls_check.label.root_key"),
            policy: say!("outcome.tls_check.label.policy"),
            protocol: say!("outcome.tls_check.label.protocol"),
            suite: say!("outcome.tls_check.label.suite"),
            offered_any: say!("outcome.tls_check.label.offered_any"),
            chains_to_root: say!("outcome.tls_check.label.chains_to_root"),
            result: say!("outcome.tls_check.label.result"),
            certificate: say!("outcome.tls_check.label.certificate"),
            facts: [
                say!("outcome.tls_check.label.names"),
                say!("outcome.tls_check.label.key"),
                say!("outcome.tls_check.label.issuer"),
                say!("outcome.tls_check.label.serial"),
                say!("outcome.tls_check.label.valid"),
            ]
            .map(|l| format!("  {l}")),
            width: LABEL,
        };
        labels.width = labels.widest() + 2;
        labels.width = labels.width.max(LABEL);
        labels
    }

    fn widest(&self) -> usize {
        let chain = say!("outcome.tls_check.label.chain", n = 99);
        [
            &self.check,
            &self.served,
            &self.expected_name,
            &self.trusted_root,
            &self.root_key,
            &self.policy,
            &self.protocol,
            &self.suite,
            &self.offered_any,
            &self.chains_to_root,
            &self.result,
            &self.certificate,
            &chain,
        ]
        .into_iter()
        .chain(&self.facts)
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
    }

    fn row(&self, label: &str, value: impl std::fmt::Display) -> String {
        format!("{label:<width$}{value}", width = self.width)
    }
}

fn cert_lines(l: &Labels, lines: &mut Vec<String>, n: usize, cert: &CertFacts) {
    let s = &cert.summary;
    let label = if n == 0 {
        l.certificate.clone()
    } else {
        say!("outcome.tls_check.label.chain", n = n + 1)
    };
    let [names, key, issuer, serial, valid] = &l.facts;
    lines.push(l.row(&label, escape(&s.subject)));
    lines.push(l.row(names, names_text(&cert.names)));
    lines.push(l.row(
        key,
        format!("{} {}", escape(&cert.key.label()), s.key_fingerprint),
    ));
    lines.push(l.row(issuer, escape(&s.issuer)));
    lines.push(l.row(serial, escape(&s.serial)));
    let (from, to) = (date(s.not_before), date(s.not_after));
    lines.push(l.row(
        valid,
        say!("outcome.tls_check.valid_dates", from = from, to = to),
    ));
}

/// The report, a fact a line, as the console's view shows it and the command line prints it.
pub fn report_lines(report: &Report) -> Vec<String> {
    let l = Labels::new();
    let mut lines = Vec::new();
    lines.push(l.row(&l.check, checked_what(&report.check)));
    if let (Some(cert), Some(key)) = (&report.files.cert, &report.files.key) {
        let served = say!("outcome.tls_check.served", cert = cert, key = key);
        lines.push(l.row(&l.served, served));
    }
    if let Some(name) = &report.name {
        lines.push(l.row(&l.expected_name, escape(name)));
    }
    if let Some(root) = &report.files.root {
        lines.push(l.row(&l.trusted_root, root));
    }
    for root in &report.roots {
        lines.push(l.row(&l.root_key, root));
    }
    let policy = say!(
        "outcome.tls_check.policy",
        tls12 = TLS12_SUITES.len(),
        tls13 = TLS13_SUITES.len()
    );
    lines.push(l.row(&l.policy, policy));
    agreed_lines(&l, &mut lines, report);
    for (n, cert) in report.chain.iter().enumerate() {
        cert_lines(&l, &mut lines, n, cert);
    }
    if !report.chain.is_empty() {
        let chains = match &report.signed_by {
            Some(root) => say!("outcome.tls_check.chains_yes", root = root),
            None => say!("outcome.tls_check.chains_no"),
        };
        lines.push(l.row(&l.chains_to_root, chains));
    }
    let result = match &report.outcome {
        Ok(()) => say!("outcome.tls_check.result_passed"),
        Err(failure) => say!(
            "outcome.tls_check.result_failed",
            why = failure_text(failure, &report.files)
        ),
    };
    lines.push(l.row(&l.result, result));
    lines
}

/// What the report's first line says was checked.
fn checked_what(check: &Check) -> String {
    match check {
        Check::SelfTest => say!("outcome.tls_check.check_self_test"),
        Check::Probe { host, port, .. } => say!(
            "outcome.tls_check.check_probe",
            endpoint = endpoint(host, *port)
        ),
    }
}

/// The protocol and suite agreed, and what the peer chose when offered any.
fn agreed_lines(l: &Labels, lines: &mut Vec<String>, report: &Report) {
    match &report.negotiated {
        Some(agreed) => {
            lines.push(l.row(&l.protocol, escape(&agreed.version)));
            lines.push(l.row(&l.suite, escape(&agreed.suite)));
        }
        None => lines.push(l.row(&l.protocol, say!("outcome.tls_check.none_agreed"))),
    }
    if let Some(offered) = &report.diagnosed {
        let chose = say!(
            "outcome.tls_check.peer_chose",
            version = escape(&offered.version),
            suite = escape(&offered.suite)
        );
        lines.push(l.row(&l.offered_any, chose));
    }
}

/// The step that fixes a failure, as the report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    Regenerate,
    NewKey,
    ImportRoot,
    ImportCert,
}

impl std::fmt::Display for Fix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self {
            Fix::Regenerate => say!("outcome.tls_check.fix_regenerate"),
            Fix::NewKey => say!("outcome.tls_check.fix_new_key"),
            Fix::ImportRoot => say!("outcome.tls_check.fix_import_root"),
            Fix::ImportCert => say!("outcome.tls_check.fix_import_cert"),
        })
    }
}

/// The step that fixes a failure of a check run on an appliance of `role`, and what it
/// does; a probe's failures are the peer's to fix, but for a missing root.
pub fn next_step(report: &Report, role: Role) -> Option<(Target, Fix)> {
    let failure = report.outcome.as_ref().err()?;
    let self_test = report.check == Check::SelfTest;
    let action = |a| Target::Action(a);
    let submenu = |m: &str| Target::Submenu(m.to_string());
    let regenerate = (action(Action::RegenerateTls), Fix::Regenerate);
    let new_key = (action(Action::GenerateCsr), Fix::NewKey);
    match (role, failure) {
        (Role::ZoneServer, Failure::Missing { part: Part::Root }) => {
            Some((submenu("import_root"), Fix::ImportRoot))
        }
        _ if !self_test => None,
        (Role::ZoneServer, Failure::Missing { part: Part::Key }) => Some(new_key),
        (
            Role::ZoneServer,
            Failure::Missing {
                part: Part::Certificate,
            }
            | Failure::KeyMismatch { .. },
        ) => Some((submenu("import_cert"), Fix::ImportCert)),
        (
            Role::ZoneServer,
            Failure::UnusableKey { .. }
            | Failure::Untrusted { .. }
            | Failure::Expired { .. }
            | Failure::NameMismatch { .. },
        ) => Some(new_key),
        (
            Role::TaniumServer,
            Failure::Missing {
                part: Part::Certificate | Part::Key,
            }
            | Failure::Unreadable {
                part: Part::Certificate | Part::Key,
                ..
            }
            | Failure::KeyMismatch { .. }
            | Failure::UnusableKey { .. }
            | Failure::Untrusted { .. }
            | Failure::Expired { .. }
            | Failure::NameMismatch { .. },
        ) => Some(regenerate),
        _ => None,
    }
}

/// The message and the copy-friendly view of a report; `next` is the step that fixes a
/// failure and its key path, when there is one.
pub fn report_view(report: &Report, next: Option<(Fix, &str)>) -> (String, View) {
    let mut message = verdict(report);
    let title = what(&report.check);
    let mut intro = vec![match report.check {
        Check::SelfTest => say!("outcome.tls_check.self_test_intro"),
        Check::Probe { .. } => say!("outcome.tls_check.probe_intro_done"),
    }];
    if let Some((fix, path)) = next {
        let step = say!("outcome.tls_check.to_fix", fix = fix, path = path);
        intro.push(step.clone());
        message = format!("{message} {step}");
    }
    intro.push(say!("outcome.tls_check.copy_report"));
    let text = report_lines(report).join("\n");
    (message, View::new(title, intro, text))
}
