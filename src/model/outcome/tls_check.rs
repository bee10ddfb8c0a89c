//! The sentences of the TLS check: its form, its busy lines, the report (the console's view
//! and `tanos-menu tls-check` print the same lines), each failure's reason, and the step
//! that fixes it.

use crate::appliance::Role;
use crate::date::date;
use crate::menu::{Action, Target};
use crate::text::escape;
use crate::tlscheck::{CertFacts, Check, Failure, Files, Part, Report, TLS12_SUITES, TLS13_SUITES};

use super::super::View;

/// Width of a report line's label.
const LABEL: usize = 16;

pub const SELF_TEST_BUSY: &str =
    "TLS self-test: serving the installed certificate on 127.0.0.1 and connecting to it…";
pub const PROBE_TITLE: &str = "Probe a peer's TLS service";
pub const PROBE_INTRO: &str = "Connects to another appliance's TLS service as a client limited to TLS 1.2 or later and the seed's suites, trusting only this appliance's root key, and reports what was agreed and the peer's certificate.";
pub const HOST_HELP: &str = "The peer's name or address (its certificate must name it).";
pub const PORT_HELP: &str = "Its TLS port.";
pub const NAME_HELP: &str = "The name its certificate must carry; Enter: the host above (give the peer's own name when the host is an address its certificate does not list).";
/// Tanium's client port, where its TLS service listens.
pub const DEFAULT_PORT: &str = "17472";

pub fn no_host() -> String {
    "type the peer's name or address".into()
}

pub fn not_a_port(raw: &str) -> String {
    format!("'{}' is not a port (1-65535)", escape(raw))
}

/// The busy line of a probe: bounded by the connection's and the diagnosis's deadlines.
pub fn probe_busy(host: &str, port: u16) -> String {
    format!(
        "TLS probe of {}: connecting (at most {} seconds; Esc cancels)…",
        endpoint(host, port),
        2 * crate::tlscheck::HANDSHAKE_SECONDS
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

fn row(label: &str, value: impl std::fmt::Display) -> String {
    format!("{label:<LABEL$}{value}")
}

fn file(files: &Files, part: Part) -> String {
    let (known, fallback) = match part {
        Part::Certificate => (&files.cert, "the certificate"),
        Part::Key => (&files.key, "the private key"),
        Part::Root => (&files.root, "the trusted root key"),
    };
    known.clone().unwrap_or_else(|| fallback.to_string())
}

/// Why a check failed, for the operator.
pub fn failure_text(failure: &Failure, files: &Files) -> String {
    match failure {
        Failure::Missing { part } => match part {
            Part::Certificate => format!(
                "no certificate is installed ({})",
                file(files, Part::Certificate)
            ),
            Part::Key => format!("no private key ({})", file(files, Part::Key)),
            Part::Root => format!("no trusted root key ({})", file(files, Part::Root)),
        },
        Failure::Unreadable { part, reason } => {
            format!("{} cannot be read: {}", file(files, *part), escape(reason))
        }
        Failure::KeyMismatch { cert_key, key } => format!(
            "the private key does not match the certificate: {} is {key}, the certificate's key is {cert_key}",
            file(files, Part::Key)
        ),
        Failure::UnusableKey { key } => format!(
            "the certificate's key is {}: no suite of the list can use it (ECDSA P-256, P-384 or P-521 keys take the ECDHE-ECDSA suites, RSA keys of 2048 bits or more the ECDHE-RSA ones)",
            escape(key)
        ),
        Failure::Untrusted { issuer, roots } => format!(
            "the certificate is not signed by the trusted root key ({}); its issuer is {}",
            roots.join(", "),
            escape(issuer)
        ),
        Failure::Expired { on } => format!("the certificate expired on {}", date(*on)),
        Failure::NotYetValid { from } => format!(
            "the certificate is not valid before {}; check the clocks of both appliances",
            date(*from)
        ),
        Failure::NameMismatch { wanted, names } => format!(
            "the certificate does not name {}; it names {}",
            escape(wanted),
            names_text(names)
        ),
        Failure::OldProtocol { version } => format!(
            "the peer speaks {} at most: TLS 1.2 is the minimum",
            escape(version)
        ),
        Failure::SuiteOutsideList { version, suite } => format!(
            "the peer accepts no suite of the list: offered any, it chose {} ({}), a suite outside the seed's list",
            escape(suite),
            escape(version)
        ),
        Failure::Resolve { host, reason } => format!(
            "the host name {} does not resolve: {}",
            escape(host),
            escape(reason)
        ),
        Failure::Connect { addr, reason } => {
            format!("cannot connect to {}: {}", escape(addr), escape(reason))
        }
        Failure::TimedOut { during, seconds } => {
            format!("no answer within {seconds} seconds ({during})")
        }
        Failure::Handshake { reason } => {
            format!("the TLS handshake failed: {}", escape(reason))
        }
        Failure::NoPeerCertificate => "the peer sent no certificate".into(),
        Failure::Setup { reason } => {
            format!("OpenSSL refused the TLS settings: {}", escape(reason))
        }
    }
}

fn names_text(names: &[String]) -> String {
    if names.is_empty() {
        "no name".into()
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
        Check::SelfTest => "TLS self-test".into(),
        Check::Probe { host, port, .. } => format!("TLS probe of {}", endpoint(host, *port)),
    }
}

/// One line: passed with what was agreed, or failed and why.
pub fn verdict(report: &Report) -> String {
    let what = what(&report.check);
    match (&report.outcome, &report.negotiated) {
        (Ok(()), Some(agreed)) => {
            let trusted = match report.check {
                Check::SelfTest => "the client trusts only the root key",
                Check::Probe { .. } => "the peer's certificate chains to this appliance's root key",
            };
            format!(
                "{what} passed: {} with {}; {trusted}.",
                escape(&agreed.version),
                escape(&agreed.suite)
            )
        }
        (Ok(()), None) => format!("{what} passed."),
        (Err(failure), _) => format!("{what} failed: {}.", failure_text(failure, &report.files)),
    }
}

fn cert_lines(lines: &mut Vec<String>, n: usize, cert: &CertFacts) {
    let s = &cert.summary;
    let label = if n == 0 {
        "Certificate".to_string()
    } else {
        format!("Chain {}", n + 1)
    };
    lines.push(row(&label, escape(&s.subject)));
    lines.push(row("  Names", names_text(&cert.names)));
    lines.push(row(
        "  Key",
        format!("{} {}", escape(&cert.key.label()), s.key_fingerprint),
    ));
    lines.push(row("  Issuer", escape(&s.issuer)));
    lines.push(row("  Serial", escape(&s.serial)));
    lines.push(row(
        "  Valid",
        format!("{} to {}", date(s.not_before), date(s.not_after)),
    ));
}

/// The report, a fact a line, as the console's view shows it and the command line prints it.
pub fn report_lines(report: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    match &report.check {
        Check::SelfTest => lines.push(row("Check", "self-test on 127.0.0.1")),
        Check::Probe { host, port, .. } => {
            lines.push(row("Check", format!("probe of {}", endpoint(host, *port))))
        }
    }
    if let (Some(cert), Some(key)) = (&report.files.cert, &report.files.key) {
        lines.push(row("Served", format!("{cert} with {key}")));
    }
    if let Some(name) = &report.name {
        lines.push(row("Expected name", escape(name)));
    }
    if let Some(root) = &report.files.root {
        lines.push(row("Trusted root", root));
    }
    for root in &report.roots {
        lines.push(row("Root key", root));
    }
    lines.push(row(
        "Policy",
        format!(
            "TLS 1.2 ({} suites of the seed), TLS 1.3 ({} suites)",
            TLS12_SUITES.len(),
            TLS13_SUITES.len()
        ),
    ));
    match &report.negotiated {
        Some(agreed) => {
            lines.push(row("Protocol", escape(&agreed.version)));
            lines.push(row("Suite", escape(&agreed.suite)));
        }
        None => lines.push(row("Protocol", "none agreed")),
    }
    if let Some(offered) = &report.diagnosed {
        lines.push(row(
            "Offered any",
            format!(
                "the peer chose {} with {}",
                escape(&offered.version),
                escape(&offered.suite)
            ),
        ));
    }
    for (n, cert) in report.chain.iter().enumerate() {
        cert_lines(&mut lines, n, cert);
    }
    if !report.chain.is_empty() {
        let chains = match &report.signed_by {
            Some(root) => format!("yes ({root})"),
            None => "no".into(),
        };
        lines.push(row("Chains to root", chains));
    }
    let result = match &report.outcome {
        Ok(()) => "passed".to_string(),
        Err(failure) => format!("FAILED: {}", failure_text(failure, &report.files)),
    };
    lines.push(row("Result", result));
    lines
}

/// The step that fixes a failure of a check run on an appliance of `role`, and what it
/// does; a probe's failures are the peer's to fix, but for a missing root.
pub fn next_step(report: &Report, role: Role) -> Option<(Target, &'static str)> {
    let failure = report.outcome.as_ref().err()?;
    let self_test = report.check == Check::SelfTest;
    let action = |a| Target::Action(a);
    let submenu = |m: &str| Target::Submenu(m.to_string());
    let regenerate = (
        action(Action::RegenerateTls),
        "regenerate the TLS key and certificate",
    );
    let new_key = (
        action(Action::GenerateCsr),
        "generate a new key and CSR, then have it signed",
    );
    match (role, failure) {
        (Role::ZoneServer, Failure::Missing { part: Part::Root }) => {
            Some((submenu("import_root"), "import the Tanium root public key"))
        }
        _ if !self_test => None,
        (Role::ZoneServer, Failure::Missing { part: Part::Key }) => Some(new_key),
        (
            Role::ZoneServer,
            Failure::Missing {
                part: Part::Certificate,
            }
            | Failure::KeyMismatch { .. },
        ) => Some((submenu("import_cert"), "import the signed certificate")),
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
pub fn report_view(report: &Report, next: Option<(&str, &str)>) -> (String, View) {
    let mut message = verdict(report);
    let title = match &report.check {
        Check::SelfTest => "TLS self-test".to_string(),
        Check::Probe { host, port, .. } => format!("TLS probe of {}", endpoint(host, *port)),
    };
    let mut intro = vec![match report.check {
        Check::SelfTest => "The installed certificate and key were served on 127.0.0.1 to a client limited to TLS 1.2 or later and the seed's suites, trusting only the root key.".to_string(),
        Check::Probe { .. } => "A client limited to TLS 1.2 or later and the seed's suites, trusting only this appliance's root key, connected to the peer.".to_string(),
    }];
    if let Some((what, path)) = next {
        let step = format!("To fix it, {what} ({path}).");
        intro.push(step.clone());
        message = format!("{message} {step}");
    }
    intro.push("Copy the report below (select it, or press c).".into());
    let text = report_lines(report).join("\n");
    (message, View::new(title, intro, text))
}
