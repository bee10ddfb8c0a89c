//! Every audit event also goes to the system log and, when Configuration Settings › Console
//! names one, to a collector (a SIEM), as hardened appliances must forward their audit
//! records. A destination that is down never blocks or fails a change: the event stays in
//! log/audit.jsonl, the wait ends within [`BUDGET`], and the failure is left in
//! [`FAILURE_MARK`] for Tanium Status until an event is delivered again.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::Appliance;
use super::catalogue::{self, Component, Value};
use super::settings::store::Settings;
use crate::date::when;
use crate::fsutil;
use crate::syslog::{self, Collector, Message, Transport};

/// Left at the appliance root while events are not delivered: when, which event, where to
/// and why. Cleared by the next event that every destination took.
pub const FAILURE_MARK: &str = ".tanos-forward-failed";
/// The longest one event waits for its destinations, all of them together.
pub const BUDGET: Duration = Duration::from_millis(1000);
/// The part of it the local socket may take: a local daemon answers at once or not at all.
const LOCAL_WAIT: Duration = Duration::from_millis(250);

/// The Configuration Settings (Console) that say where events go.
pub const SOCKET: &str = "SyslogSocket";
pub const HOST: &str = "SyslogHost";
pub const PORT: &str = "SyslogPort";
pub const TRANSPORT: &str = "SyslogTransport";
pub const CA_FILE: &str = "SyslogCAFile";

/// A collector as the settings name it.
struct Target {
    host: String,
    port: u16,
    transport: Transport,
    ca_file: Option<PathBuf>,
}

impl Target {
    fn describe(&self) -> String {
        format!(
            "the collector {}:{} ({})",
            self.host,
            self.port,
            self.transport.id()
        )
    }
}

/// A Console setting's value, or its default when it is not set (or the settings are
/// unreadable).
pub(super) fn console_value(
    app: &Appliance,
    settings: Option<&Settings>,
    name: &str,
) -> Option<Value> {
    settings
        .and_then(|s| s.get(Component::Console, name).cloned())
        .or_else(|| {
            let def = catalogue::lookup(&app.config, Component::Console, name).ok()?;
            catalogue::default_value(&app.config, Component::Console, def)
        })
}

fn text_value(app: &Appliance, settings: Option<&Settings>, name: &str) -> Option<String> {
    match console_value(app, settings, name)? {
        Value::Text(text) if !text.eq_ignore_ascii_case(catalogue::OFF) => Some(text),
        _ => None,
    }
}

fn target(app: &Appliance, settings: Option<&Settings>) -> Option<Target> {
    let host = text_value(app, settings, HOST)?;
    let port = match console_value(app, settings, PORT) {
        Some(Value::Dword(n)) => u16::try_from(n).unwrap_or(514),
        _ => 514,
    };
    let transport = text_value(app, settings, TRANSPORT)
        .and_then(|word| Transport::parse(&word))
        .unwrap_or(Transport::Udp);
    let ca_file = text_value(app, settings, CA_FILE).map(|raw| app.resolve(&raw));
    Some(Target {
        host,
        port,
        transport,
        ca_file,
    })
}

/// Sends the audit line `line` of `action` wherever the settings say, within [`BUDGET`],
/// and leaves the outcome in [`FAILURE_MARK`].
pub(super) fn forward(
    app: &Appliance,
    settings: Result<&Settings, &String>,
    action: &str,
    line: &str,
    now: OffsetDateTime,
) {
    let deadline = Instant::now() + BUDGET;
    let message = Message {
        facility: syslog::FACILITY_AUTHPRIV,
        severity: syslog::SEVERITY_NOTICE,
        time: now,
        hostname: &app.config.hostname,
        procid: std::process::id(),
        msgid: action,
        msg: line,
    }
    .to_rfc5424();
    // The failure mark is a record: English, whoever forwarded.
    let failures = crate::texts::in_english(|| failures(app, settings, &message, deadline));
    mark(app, action, now, &failures);
}

/// Sends `message` to the local system log and the collector the settings name; what
/// could not be sent, a line each.
fn failures(
    app: &Appliance,
    settings: Result<&Settings, &String>,
    message: &str,
    deadline: Instant,
) -> Vec<String> {
    let mut failures = Vec::new();
    if let Err(e) = settings {
        failures.push(format!("{e}; the event went to the local system log only"));
    }
    let settings = settings.ok();
    if let Some(path) = text_value(app, settings, SOCKET).map(|raw| app.resolve(&raw))
        // "When present": an appliance without a system log daemon has no socket.
        && path.exists()
        && let Err(e) = syslog::send_local(&path, message.as_bytes(), LOCAL_WAIT)
    {
        failures.push(format!("the local system log {}: {e}", path.display()));
    }
    if let Some(target) = target(app, settings)
        && let Err(e) = send(&target, message, deadline)
    {
        failures.push(format!("{}: {e}", target.describe()));
    }
    failures
}

fn send(target: &Target, message: &str, deadline: Instant) -> Result<(), String> {
    let ca = match &target.ca_file {
        Some(path) if target.transport == Transport::Tls => Some(
            fsutil::read_bytes(path, fsutil::LIMIT_PEM)
                .map_err(|e| format!("{CA_FILE} {}: {e}", path.display()))?,
        ),
        _ => None,
    };
    let collector = Collector {
        host: &target.host,
        port: target.port,
        transport: target.transport,
        ca_pem: ca.as_deref(),
    };
    syslog::send_collector(&collector, message, deadline).map_err(|e| e.to_string())
}

fn mark(app: &Appliance, action: &str, now: OffsetDateTime, failures: &[String]) {
    let path = app.path(FAILURE_MARK);
    if failures.is_empty() {
        if std::fs::remove_file(&path).is_ok() {
            let _ = fsutil::sync_dir(&app.root);
        }
        return;
    }
    let text = format!("{} UTC, {action}: {}\n", when(now), failures.join("; "));
    let _ = fsutil::atomic_write(&path, text.as_bytes(), fsutil::PRIVATE_FILE);
}

/// What the last event's forwarding left unsent, while no later event was delivered.
pub fn failure(root: &std::path::Path) -> Option<String> {
    let text = fsutil::read_text_opt(&root.join(FAILURE_MARK), 4096).ok()??;
    let text = crate::text::escape(text.trim());
    Some(if text.is_empty() {
        crate::say!("appliance.forward.failed")
    } else {
        text
    })
}
