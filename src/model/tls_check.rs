//! The TLS check as the console runs it: the self-test at once, the probe after its host and
//! port form; the report shown in the copy-friendly view.

use std::net::IpAddr;

use super::form::{Field, Form, FormFor};
use super::outcome::tls_check as say;
use super::{Effect, Model, Outcome, Screen, Start};
use crate::texts::Voice;
use crate::tlscheck::{Check, Report};

pub(super) fn self_test(m: &mut Model) -> Vec<Effect> {
    m.start(say::self_test_busy(), Effect::TlsCheck(Check::SelfTest))
}

/// The host and port questions of a probe; the host defaults to the last SFTP peer.
pub(super) fn open_peer_form(m: &mut Model) -> Vec<Effect> {
    let host = m.peer.as_ref().map(|p| p.host.clone()).unwrap_or_default();
    m.push(Screen::Form(peer_form(m.voice(), &host)));
    Vec::new()
}

pub fn peer_form(v: Voice, host: &str) -> Form {
    Form::new(
        say::probe_title(),
        vec![say::probe_intro()],
        FormFor::TlsPeer,
        vec![
            Field::text(
                crate::say!(v; "model.form.host"),
                &say::host_help(),
                host,
                253,
                |_, raw| check_host(raw).map(drop),
            ),
            Field::text(
                crate::say!(v; "model.form.port"),
                &say::port_help(),
                say::DEFAULT_PORT,
                5,
                |_, raw| check_port(raw).map(drop),
            ),
            Field::text(
                crate::say!(v; "model.form.name"),
                &say::name_help(),
                "",
                253,
                |_, raw| check_name(raw).map(drop),
            ),
        ],
    )
}

fn check_host(raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Err(say::no_host());
    }
    if raw.parse::<IpAddr>().is_ok() {
        return Ok(raw.to_string());
    }
    crate::hostname::validate_hostname(raw).map(|()| raw.to_string())
}

/// The name the certificate must carry; empty: the host.
fn check_name(raw: &str) -> Result<Option<String>, String> {
    if raw.is_empty() {
        return Ok(None);
    }
    check_host(raw).map(Some)
}

fn check_port(raw: &str) -> Result<u16, String> {
    match raw.parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(say::not_a_port(raw)),
    }
}

/// The answers of the probe form: host, port, name.
pub(super) fn peer_entered(m: &mut Model, values: &[String]) -> Vec<Effect> {
    let entered = check_host(&values[0]).and_then(|host| {
        let port = check_port(&values[1])?;
        let name = check_name(&values[2])?.unwrap_or_else(|| host.clone());
        Ok(Check::Probe { host, port, name })
    });
    match entered {
        Ok(check) => {
            let busy = match &check {
                Check::Probe { host, port, .. } => say::probe_busy(host, *port),
                Check::SelfTest => say::self_test_busy(),
            };
            let start = Start::cancellable(busy, Effect::TlsCheck(check), super::Abandon::TlsCheck);
            m.begin(start)
        }
        Err(e) => {
            m.error(e);
            Vec::new()
        }
    }
}

/// A check ran: its report in the view, its verdict as the message (an error when it failed,
/// with the step that fixes it).
pub(super) fn checked(m: &mut Model, result: Result<Box<Report>, String>) {
    if m.take_discard() {
        return;
    }
    m.busy = None;
    m.cancellable = false;
    let report = match result {
        Ok(report) => report,
        Err(e) => return m.finish(Err(e)),
    };
    let config = m.snapshot.as_ref().map(|s| s.config.clone());
    let next = config.as_ref().and_then(|config| {
        let (target, what) = say::next_step(&report, config.role)?;
        let keys = m.menus.path_to(&target, config, None)?;
        Some((what, keys.join(" › ")))
    });
    let (message, view) = say::report_view(&report, next.as_ref().map(|(w, p)| (*w, p.as_str())));
    m.finish(Ok(Outcome {
        message: message.clone(),
        snapshot: None,
        view: Some(view),
    }));
    if !report.passed() {
        m.error(message);
    }
}
