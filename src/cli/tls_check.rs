//! `tls-check` and `tls-listen` (SPEC §5): the console's TLS check, and the installed
//! certificate served under the same policy until a signal stops it.

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use time::OffsetDateTime;

use super::{REFUSED, fail, tell, warn};
use crate::appliance::{Appliance, tlscheck};
use crate::model::outcome::tls_check::{failure_text, report_lines, verdict};
use crate::text::{escape, escape_path};

/// A peer to probe, as `--connect` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
}

/// `HOST:PORT`, `[IPV6]:PORT`: a host name or address and a port from 1 to 65535.
pub(super) fn parse_endpoint(text: &str) -> Result<Endpoint, String> {
    let refused =
        |why: String| crate::say!("cli.args.not_host_port", value = escape(text), why = why);
    let (host, port) = text
        .rsplit_once(':')
        .ok_or_else(|| refused(crate::say!("cli.args.no_port")))?;
    let port = match port.parse::<u16>() {
        Ok(p) if p > 0 => p,
        _ => return Err(refused(crate::say!("cli.args.bad_port"))),
    };
    let host = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) if v6.parse::<std::net::Ipv6Addr>().is_ok() => v6.to_string(),
        Some(_) => return Err(refused(crate::say!("cli.args.not_ipv6"))),
        None if host.parse::<IpAddr>().is_ok() => host.to_string(),
        None => {
            crate::hostname::validate_hostname(host).map_err(refused)?;
            host.to_string()
        }
    };
    Ok(Endpoint { host, port })
}

/// `--name`: a host name or an IP address.
pub(super) fn parse_name(text: &str) -> Result<String, String> {
    if text.parse::<IpAddr>().is_ok() {
        return Ok(text.to_string());
    }
    crate::hostname::validate_hostname(text)
        .map(|()| text.to_string())
        .map_err(|e| crate::say!("cli.args.not_a_host", value = escape(text), error = e))
}

fn open(root: &Path) -> Result<Appliance, ExitCode> {
    Appliance::open(root).map_err(|e| {
        let what = escape_path(root);
        fail(REFUSED, crate::say!("frame.about", what = what, reason = e))
    })
}

/// `tls-check`: the report on stdout; 0 passed, 1 failed, 2 usage.
pub fn run_tls_check(root: &Path, connect: Option<Endpoint>, name: Option<String>) -> ExitCode {
    let app = match open(root) {
        Ok(app) => app,
        Err(code) => return code,
    };
    let now = OffsetDateTime::now_utc();
    let report = match connect {
        None => tlscheck::self_test(&app, now),
        Some(peer) => {
            let name = name.unwrap_or_else(|| peer.host.clone());
            tlscheck::probe(&app, &peer.host, peer.port, &name, now)
        }
    };
    for line in report_lines(&report) {
        tell(line);
    }
    if report.passed() {
        tell(verdict(&report));
        ExitCode::SUCCESS
    } else {
        fail(1, verdict(&report))
    }
}

/// `tls-listen`: serves the installed certificate under the policy until SIGTERM or
/// SIGINT, answering each connection with a handshake and closing it.
pub fn run_tls_listen(root: &Path, listen: SocketAddr) -> ExitCode {
    let app = match open(root) {
        Ok(app) => app,
        Err(code) => return code,
    };
    let files = tlscheck::files(app.config.role);
    let serving = match tlscheck::serving(&app) {
        Ok(serving) => serving,
        Err(failure) => return fail(1, failure_text(&failure, &files)),
    };
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        if let Err(e) = signal_hook::flag::register(signal, Arc::clone(&stop)) {
            return fail(1, crate::say!("cli.tls.cannot_watch", error = e));
        }
    }
    let listener = match TcpListener::bind(listen) {
        Ok(listener) => listener,
        Err(e) => {
            return fail(
                1,
                crate::say!("cli.tls.cannot_listen", address = listen, error = e),
            );
        }
    };
    let bound = listener.local_addr().unwrap_or(listen);
    warn(crate::say!(
        "cli.tls.serving",
        cert = files.cert.unwrap_or_default(),
        subject = escape(&serving.facts.summary.subject),
        key = serving.facts.key.label(),
        address = bound,
    ));
    match crate::tlscheck::listen(&listener, &serving, &stop) {
        Ok(()) => {
            warn(crate::say!("cli.tls.stopped"));
            ExitCode::SUCCESS
        }
        Err(e) => fail(
            1,
            crate::say!("cli.tls.cannot_serve", address = bound, error = e),
        ),
    }
}
