//! Issue 10: each audit event also goes to syslog as an RFC 5424 message (authpriv.notice,
//! APP-NAME tanos-menu, MSGID the action, MSG the audit.jsonl line): to the local socket
//! (SyslogSocket, /dev/log by default) and to the collector Configuration Settings › Console
//! names (SyslogHost, SyslogPort, SyslogTransport udp|tcp|tls, SyslogCAFile). Real receivers
//! on 127.0.0.1; every change is made with `tanos-menu config set`, as an operator would.
//! The forwarding settings are refused, with nothing changed, when their values are bad.

mod support;

use std::path::Path;
use std::time::Duration;

use support::roots;
use support::syslog::{
    self, audit_line, config_set, config_set_ok, frames, rfc5424_msg, self_signed,
};
use tanos_menu::appliance::{Appliance, Role, forward, status};

const WAIT: Duration = Duration::from_secs(10);
const HOST: &str = "zs01.example";

fn root(prefix: &str) -> (tempfile::TempDir, Appliance) {
    let (dir, app) = roots::scratch_appliance("audit_forward", prefix, "zs", Role::ZoneServer);
    // No system log of this machine in the tests: each names its own socket, or none.
    config_set_ok(&app.root, "SyslogSocket", "none");
    (dir, app)
}

fn no_failure(app: &Appliance) {
    assert_eq!(forward::failure(&app.root), None);
    let snap = status::snapshot(app, time::OffsetDateTime::now_utc());
    assert_eq!(snap.forward_failure, None);
}

#[test]
fn udp_and_the_local_socket_get_one_message_per_event() {
    let (dir, app) = root("udp-");
    let socket = dir.path().join("log.sock");
    let local = syslog::unix(&socket);
    let (port, udp) = syslog::udp();
    config_set_ok(&app.root, "SyslogSocket", socket.to_str().expect("utf-8"));
    config_set_ok(&app.root, "SyslogPort", &port.to_string());
    config_set_ok(&app.root, "SyslogHost", "127.0.0.1");
    config_set_ok(&app.root, "IdleTimeoutSeconds", "700");
    let needle = "IdleTimeoutSeconds = 700";
    let line = audit_line(&app.root, needle);
    for got in [udp.wait_for(needle, WAIT), local.wait_for(needle, WAIT)] {
        // One datagram, one message: no framing.
        let message = String::from_utf8(got).expect("UTF-8");
        assert_eq!(rfc5424_msg(&message, HOST, "settings.set"), line);
    }
    no_failure(&app);
}

#[test]
fn tcp_frames_each_message_with_its_octet_count() {
    let (_dir, app) = root("tcp-");
    let (port, tcp) = syslog::tcp();
    config_set_ok(&app.root, "SyslogTransport", "TCP");
    config_set_ok(&app.root, "SyslogPort", &port.to_string());
    config_set_ok(&app.root, "SyslogHost", "localhost");
    config_set_ok(&app.root, "IdleTimeoutSeconds", "701");
    let needle = "IdleTimeoutSeconds = 701";
    let got = tcp.wait_for(needle, WAIT);
    let text = String::from_utf8_lossy(&got).into_owned();
    let messages = frames(&got);
    assert_eq!(messages.len(), 1, "{text}");
    assert!(
        text.starts_with(&format!("{} <85>1 ", messages[0].len())),
        "{text}"
    );
    let msg = rfc5424_msg(&messages[0], HOST, "settings.set");
    assert_eq!(msg, audit_line(&app.root, needle));
    no_failure(&app);
}

#[test]
fn tls_checks_the_collector_against_the_ca_file_and_frames_the_messages() {
    let (dir, app) = root("tls-");
    let (cert, key) = self_signed(dir.path(), "collector", "127.0.0.1", "IP:127.0.0.1");
    let (port, tls) = syslog::tls(&cert, &key);
    config_set_ok(&app.root, "SyslogCAFile", cert.to_str().expect("utf-8"));
    config_set_ok(&app.root, "SyslogTransport", "tls");
    config_set_ok(&app.root, "SyslogPort", &port.to_string());
    config_set_ok(&app.root, "SyslogHost", "127.0.0.1");
    config_set_ok(&app.root, "IdleTimeoutSeconds", "702");
    let needle = "IdleTimeoutSeconds = 702";
    let messages = frames(&tls.wait_for(needle, WAIT));
    assert_eq!(messages.len(), 1);
    let msg = rfc5424_msg(&messages[0], HOST, "settings.set");
    assert_eq!(msg, audit_line(&app.root, needle));
    no_failure(&app);
}

/// The values of each forwarding setting that are refused, with a word of the message.
const REFUSED: &[(&str, &str, &str)] = &[
    ("SyslogTransport", "smtp", "udp, tcp, tls"),
    ("SyslogTransport", "", "udp, tcp, tls"),
    ("SyslogHost", "bad host!", "not allowed in a hostname"),
    ("SyslogHost", "collector.example:514", "SyslogPort"),
    ("SyslogHost", "300.1.1.1", "not an IP address"),
    ("SyslogHost", "lead-.example", "starts or ends with '-'"),
    ("SyslogHost", "a\u{1b}[2J", "not allowed"),
    ("SyslogPort", "0", "between 1 and 65535"),
    ("SyslogPort", "65536", "between 1 and 65535"),
    ("SyslogPort", "tls", "whole number"),
    ("SyslogSocket", "dev/log", "absolute"),
    ("SyslogSocket", "/dev/../log", "'..'"),
    ("AuditLogMaxBytes", "100", "between 4096"),
    ("SyslogCAFile", "/", "directory"),
];

fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = ["settings.toml", "log/audit.jsonl"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(root.join(f)).expect("read")))
        .collect();
    files.sort();
    files
}

#[test]
fn bad_forwarding_values_are_refused_and_change_nothing() {
    let (dir, app) = root("refused-");
    let regular = dir.path().join("not-a-socket");
    std::fs::write(&regular, b"x").expect("write");
    let regular = regular.to_str().expect("utf-8").to_string();
    let mut cases: Vec<(&str, &str, &str)> = REFUSED.to_vec();
    cases.push(("SyslogSocket", &regular, "is not a socket"));
    for (name, value, why) in cases {
        let before = tree(&app.root);
        let out = config_set(&app.root, name, value);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name} {value:?}: {stderr}");
        assert!(stderr.contains(why), "{name} {value:?}: {stderr}");
        assert!(!stderr.contains('\u{1b}'), "escaped: {stderr}");
        assert_eq!(tree(&app.root), before, "{name} {value:?} changed a file");
    }
    // The accepted spellings are stored in one form.
    config_set_ok(&app.root, "SyslogTransport", "TLS");
    config_set_ok(&app.root, "SyslogHost", "[::1]");
    config_set_ok(&app.root, "SyslogHost", "Collector.Example");
    let settings = std::fs::read_to_string(app.path("settings.toml")).expect("settings");
    assert!(settings.contains("SyslogTransport = \"tls\""), "{settings}");
    assert!(
        settings.contains("SyslogHost = \"collector.example\""),
        "{settings}"
    );
    config_set_ok(&app.root, "SyslogHost", "none");
}

#[test]
fn the_settings_show_their_values_and_defaults() {
    let (_dir, app) = root("list-");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tanos-menu"))
        .args(["config", "list", "--component", "console", "--root"])
        .arg(&app.root)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    for name in [
        "AuditLogMaxBytes",
        "SyslogSocket",
        "SyslogHost",
        "SyslogPort",
        "SyslogTransport",
        "SyslogCAFile",
    ] {
        assert!(text.contains(name), "{name} missing from: {text}");
    }
    assert!(text.contains("10485760"), "{text}");
    assert!(text.contains("514"), "{text}");
}
