//! Issue 10: a collector that is down never blocks or fails a change. Each change here is a
//! real one (`tanos-menu config set`); the collector accepts and never reads, never answers
//! a TLS handshake, listens on no port, is a blackholed address, or shows a certificate that
//! does not chain or does not name it. Every time: the change is made, its line is in
//! audit.jsonl, the wait ends (asserted with a generous bound only, as the machine is shared:
//! speed belongs to the benches), and the failure is left for Tanium Status until a later
//! event is delivered.

mod support;

use std::time::{Duration, Instant};

use support::roots;
use support::syslog::{self, audit_line, config_set_ok, frames, self_signed};
use support::ui;
use tanos_menu::appliance::{Appliance, Role, forward, status};
use tanos_menu::model::{Msg, update};

/// Far above the 1 s an event may wait: only "it does not hang" is asserted here.
const GENEROUS: Duration = Duration::from_secs(10);

fn root(prefix: &str) -> (tempfile::TempDir, Appliance) {
    let (dir, app) =
        roots::scratch_appliance("audit_forward_hostile", prefix, "zs", Role::ZoneServer);
    config_set_ok(&app.root, "SyslogSocket", "none");
    (dir, app)
}

fn collector(app: &Appliance, transport: &str, host: &str, port: u16) {
    config_set_ok(&app.root, "SyslogTransport", transport);
    config_set_ok(&app.root, "SyslogPort", &port.to_string());
    config_set_ok(&app.root, "SyslogHost", host);
}

/// One change while the collector misbehaves: made, recorded, within the bound, and its
/// failure on Tanium Status. Returns the failure as the status screen holds it.
fn change_despite_the_collector(app: &Appliance, value: u32) -> String {
    let start = Instant::now();
    config_set_ok(&app.root, "IdleTimeoutSeconds", &value.to_string());
    let took = start.elapsed();
    assert!(took < GENEROUS, "the change waited {took:?}");
    let settings = std::fs::read_to_string(app.path("settings.toml")).expect("settings");
    assert!(settings.contains(&format!("IdleTimeoutSeconds = {value}")));
    audit_line(&app.root, &format!("IdleTimeoutSeconds = {value}"));
    let snap = status::snapshot(app, time::OffsetDateTime::now_utc());
    let failure = snap
        .forward_failure
        .expect("the failure is on Tanium Status");
    assert!(failure.contains("settings.set"), "{failure}");
    assert!(failure.contains(" UTC, "), "when: {failure}");
    failure
}

#[test]
fn a_collector_that_accepts_and_never_reads_does_not_hold_a_change() {
    let (_dir, app) = root("silent-");
    let port = syslog::silent();
    config_set_ok(&app.root, "SyslogTransport", "tcp");
    config_set_ok(&app.root, "SyslogPort", &port.to_string());
    for value in 700..705 {
        let start = Instant::now();
        config_set_ok(&app.root, "SyslogHost", "127.0.0.1");
        config_set_ok(&app.root, "IdleTimeoutSeconds", &value.to_string());
        assert!(start.elapsed() < GENEROUS, "{:?}", start.elapsed());
        audit_line(&app.root, &format!("IdleTimeoutSeconds = {value}"));
    }
}

#[test]
fn a_tls_handshake_never_answered_ends_within_the_wait() {
    let (_dir, app) = root("handshake-");
    collector(&app, "tls", "127.0.0.1", syslog::silent());
    let failure = change_despite_the_collector(&app, 710);
    assert!(failure.contains("time allowed"), "{failure}");
    assert!(failure.contains("(tls)"), "{failure}");
}

#[test]
fn a_port_nobody_listens_on_is_reported_then_cleared_by_a_delivery() {
    let (_dir, app) = root("refused-");
    collector(&app, "tcp", "127.0.0.1", syslog::closed_port());
    let failure = change_despite_the_collector(&app, 720);
    assert!(
        failure.contains("cannot connect to 127.0.0.1:"),
        "{failure}"
    );
    // The collector is back on another port: the very change that names it is delivered.
    let (port, tcp) = syslog::tcp();
    config_set_ok(&app.root, "SyslogPort", &port.to_string());
    let got = tcp.wait_for(&format!("SyslogPort = {port}"), GENEROUS);
    assert_eq!(frames(&got).len(), 1);
    assert_eq!(forward::failure(&app.root), None, "cleared by the delivery");
}

#[test]
fn a_blackholed_address_ends_within_the_wait() {
    let (_dir, app) = root("blackhole-");
    // TEST-NET-1 (RFC 5737): routed nowhere, so a connection never completes.
    collector(&app, "tcp", "192.0.2.1", 6514);
    change_despite_the_collector(&app, 730);
}

#[test]
fn a_certificate_that_does_not_chain_is_refused_and_the_change_made() {
    let (dir, app) = root("untrusted-");
    let (served, key) = self_signed(dir.path(), "rogue", "127.0.0.1", "IP:127.0.0.1");
    let (trusted, _) = self_signed(dir.path(), "ours", "127.0.0.1", "IP:127.0.0.1");
    let (port, tls) = syslog::tls(&served, &key);
    config_set_ok(&app.root, "SyslogCAFile", trusted.to_str().expect("utf-8"));
    collector(&app, "tls", "127.0.0.1", port);
    let failure = change_despite_the_collector(&app, 740);
    assert!(failure.contains("certificate was refused"), "{failure}");
    assert!(!tls.gets("IdleTimeoutSeconds", Duration::from_millis(200)));
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    let (dir, app) = root("name-");
    let (cert, key) = self_signed(dir.path(), "other", "other.example", "DNS:other.example");
    let (port, tls) = syslog::tls(&cert, &key);
    config_set_ok(&app.root, "SyslogCAFile", cert.to_str().expect("utf-8"));
    collector(&app, "tls", "127.0.0.1", port);
    let failure = change_despite_the_collector(&app, 750);
    assert!(failure.contains("certificate was refused"), "{failure}");
    assert!(!tls.gets("IdleTimeoutSeconds", Duration::from_millis(200)));
}

#[test]
fn a_local_socket_nobody_reads_is_reported() {
    let (dir, app) = root("local-");
    let path = dir.path().join("dead.sock");
    // A socket file whose daemon is gone: sends are refused.
    drop(std::os::unix::net::UnixDatagram::bind(&path).expect("bind"));
    config_set_ok(&app.root, "SyslogSocket", path.to_str().expect("utf-8"));
    let failure = change_despite_the_collector(&app, 760);
    assert!(failure.contains("the local system log"), "{failure}");
}

#[test]
fn tanium_status_says_what_failed_and_what_to_check() {
    let (_dir, app) = root("status-");
    // The mark as a failed event leaves it, edited by hand with an escape sequence.
    let mark = "2026-01-31 12:00:00 UTC, settings.set: the collector siem.example:6514 (tls): no answer within the time allowed (the TLS handshake)\u{1b}[2J\n";
    std::fs::write(app.path(forward::FAILURE_MARK), mark).expect("write");
    let snap = status::snapshot(&app, time::OffsetDateTime::now_utc());
    let mut m = ui::zone_server();
    update(&mut m, Msg::Loaded(Ok(snap)));
    ui::typed(&mut m, "1\n");
    let screen = ui::render_at(&m, 100, 40);
    assert!(screen.contains("AUDIT EVENTS NOT FORWARDED"), "{screen}");
    assert!(screen.contains("siem.example:6514 (tls)"), "{screen}");
    assert!(
        screen.contains("Console settings SyslogHost, SyslogPort"),
        "{screen}"
    );
    assert!(screen.contains("\\e[2J"), "shown escaped: {screen}");
}
