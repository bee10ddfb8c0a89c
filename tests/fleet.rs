//! Issue 10 end to end: one Tanium Server with the Zone Server Hub add-on, its own
//! `tanos-menu sshd` on 127.0.0.1, and five Zone Servers of distinct hostnames. Every Zone
//! Server pushes its request by SFTP (one typed in the real console in a pseudo-terminal),
//! the hub issues them all with one batch typed in its console, and every Zone Server pulls
//! and installs its own certificate (one typed in the console). OpenSSL judges the result,
//! and `tanos-menu issued list --json` must list every certificate as valid.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use support::e2e::{Sshd, init, path_str, read, scratch_for_sshd};
use support::fleet::{
    assert_verifies, authorize, cert_public_key, cert_subject, field, host_key, issued_json,
    key_public_key, open, pull, push, squeezed, zone_csr,
};
use support::pty::Console;
use support::sshd_base::PEER;
use tanos_menu::appliance::fleet::{cert_file, csr_file};
use tanos_menu::appliance::requests::{self, RequestState};
use tanos_menu::appliance::tls::{self, CertCheck};
use tanos_menu::pki::csr::check_csr;
use tanos_menu::pki::{CertSummary, TrustedKey};
use time::OffsetDateTime;

const HUB: &str = "hub01.example";
const ZONES: [&str; 5] = [
    "zs01.example",
    "zs02.example",
    "zs03.example",
    "zs04.example",
    "zs05.example",
];
/// The Zone Server whose operator types every step in the console.
const TYPED: usize = 0;

/// The hub and the Zone Servers, each root made by `tanos-menu init`.
struct Fleet {
    _dir: tempfile::TempDir,
    hub: PathBuf,
    zones: Vec<PathBuf>,
}

fn fleet() -> Fleet {
    let dir = scratch_for_sshd("fleet");
    let hub = dir.path().join("hub");
    init(
        &hub,
        &["--role", "tanium-server", "--zone-hub", "--hostname", HUB],
    );
    let zones = ZONES
        .iter()
        .map(|host| {
            let root = dir.path().join(host.split('.').next().unwrap_or(host));
            init(&root, &["--role", "zone-server", "--hostname", host]);
            root
        })
        .collect();
    Fleet {
        _dir: dir,
        hub,
        zones,
    }
}

/// 2 › Z › 1 with every default (the common name is the hostname), then 2 › Z › 8 and the
/// peer form; the hub's host key is compared and trusted.
fn generate_and_push_typed(zs: &Path, host: &str, port: u16, host_fp: &str) {
    let mut c = Console::open("Zone Server console", zs);
    c.step("2", "Z  Zone Server configuration");
    c.step("Z", "1  Generate CSR");
    c.step("1", &format!("Common name [{host}]:"));
    c.step("", "Extra DNS names [none]:");
    c.step("", "IP addresses [none]:");
    c.step("", "Key type [1]:");
    c.step("", "-----BEGIN CERTIFICATE REQUEST-----");

    c.root_menu();
    c.step("2", "Z  Zone Server configuration");
    c.step("Z", "8  Push CSR");
    c.step("8", "Host []:");
    c.step("127.0.0.1", "Port [22]:");
    c.step(&port.to_string(), "User [tancopy]:");
    c.step(PEER, "Trust this host and connect? (y/n):");
    assert!(
        c.screen().contains(host_fp),
        "the unknown host's fingerprint is the hub's {host_fp}:\n{}",
        c.dump()
    );
    c.step(
        "y",
        &format!("The CSR was pushed to 127.0.0.1:/incoming/{host}.csr"),
    );
    c.root_menu();
    let (code, _) = c.exit();
    assert_eq!(code, 0, "X exits the Zone Server console");
}

/// The rows of the batch report that begin a line (issued / skipped / refused), scrolling
/// the view down until every file of `files` was seen.
fn batch_rows(c: &mut Console, files: &[String]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let begins = |row: &str| {
        ["issued    ", "skipped   ", "refused   "]
            .iter()
            .any(|p| row.starts_with(p))
    };
    let about = |row: &str, file: &str| row.split_whitespace().nth(1) == Some(&format!("{file}:"));
    loop {
        for row in c.body() {
            if begins(&row) && !seen.contains(&row) {
                seen.push(row);
            }
        }
        if files.iter().all(|f| seen.iter().any(|row| about(row, f))) {
            return seen;
        }
        // Down scrolls the report a line; a report that ends before every file was seen
        // stays as it is, and the wait fails showing it.
        let before = c.screen();
        c.send("\x1b[B");
        c.wait_until(
            &format!("the batch report to scroll on to every request of {files:?}"),
            |s| s != before,
        );
    }
}

/// `2 › Z › 2 › 1`, `A`, `y` on the hub's console: the batch report's rows.
fn batch_typed(hub: &Path, files: &[String]) -> Vec<String> {
    let mut c = Console::open("hub console", hub);
    c.step("2", "Z  Zone Server configuration");
    c.step("Z", "2  Import Cert Request");
    c.step("2", "1  Import CSR file from /incoming");
    let n = files.len();
    c.step("1", &format!("{n} request(s) in /incoming, {n} pending"));
    for file in files {
        assert!(
            c.screen().contains(file.as_str()),
            "the list shows {file}:\n{}",
            c.dump()
        );
    }
    c.step("A", &format!("Issue all {n}? (y/n):"));
    c.step(
        "y",
        &format!("{n} of {n} request(s) issued; one line each:"),
    );
    let rows = batch_rows(&mut c, files);
    c.root_menu();
    let (code, _) = c.exit();
    assert_eq!(code, 0, "X exits the hub console");
    rows
}

/// 2 › Z › 3 › 3 on a Zone Server's console: the hub's host key trusted, the root key and
/// the certificate checked and confirmed.
fn pull_typed(zs: &Path, host: &str, port: u16, host_fp: &str, root_fp: &str) {
    let mut c = Console::open("Zone Server console", zs);
    c.step("2", "Z  Zone Server configuration");
    c.step("Z", "3  Import Signed Certificate");
    c.step("3", "3  Pull from the Tanium Server's /outgoing");
    c.step("3", "Host []:");
    c.step("127.0.0.1", "Port [22]:");
    c.step(&port.to_string(), "User [tancopy]:");
    c.step(PEER, "Trust this host and connect? (y/n):");
    assert!(
        c.screen().contains(host_fp),
        "the unknown host's fingerprint is the hub's {host_fp}:\n{}",
        c.dump()
    );
    c.step("y", "Trust it and install? (y/n):");
    // The message line says which file of the hub's /outgoing was taken.
    for want in [
        format!("Downloaded /outgoing/{host}.crt from {PEER}@127.0.0.1:{port}"),
        format!("Subject: CN={host}"),
        root_fp.to_string(),
    ] {
        assert!(
            c.screen().contains(&want),
            "the install confirmation shows {want}:\n{}",
            c.dump()
        );
    }
    c.step("y", &format!("Certificate installed: CN={host}"));
    c.root_menu();
    let (code, _) = c.exit();
    assert_eq!(code, 0, "X exits the Zone Server console");
}

/// A Zone Server's key fingerprint, from the request it generated.
fn key_of(zs: &Path) -> String {
    check_csr(&read(&zs.join("zoneserver/reporting.csr")))
        .expect("the Zone Server's CSR")
        .fingerprint
}

#[test]
fn five_zone_servers_push_one_batch_issues_them_and_each_installs_its_own() {
    let started = Instant::now();
    let f = fleet();
    let hub = open(&f.hub);
    // SPEC §4.1: each Zone Server's tanadmin key in the hub's tancopy authorized keys.
    for zs in &f.zones {
        authorize(&hub, &open(zs));
    }

    // 1. Every Zone Server pushes its request to the hub's /incoming/<hostname>.csr.
    let sshd = Sshd::start(&f.hub);
    let host_fp = host_key(&f.hub);
    generate_and_push_typed(&f.zones[TYPED], ZONES[TYPED], sshd.port, &host_fp);
    for (i, zs) in f.zones.iter().enumerate().filter(|(i, _)| *i != TYPED) {
        let app = open(zs);
        zone_csr(&app, ZONES[i]);
        let pushed = push(&app, sshd.port, &f.hub);
        assert_eq!(pushed.remote, csr_file(ZONES[i]), "{}", sshd.log_text());
        assert_eq!(pushed.beside, None);
    }
    let first_port = sshd.port;
    drop(sshd);
    let files: Vec<String> = ZONES.iter().map(|h| csr_file(h)).collect();
    for (zs, file) in f.zones.iter().zip(&files) {
        assert_eq!(
            read(&f.hub.join("transfer/incoming").join(file)),
            read(&zs.join("zoneserver/reporting.csr")),
            "/incoming/{file} is the request of its own Zone Server"
        );
    }
    let listed = requests::list(&open(&f.hub)).expect("list /incoming");
    let names: Vec<&str> = listed.rows.iter().map(|r| r.file.as_str()).collect();
    assert_eq!(names, files, "no request overwrote another");
    assert!(
        listed.rows.iter().all(|r| r.pending().is_some()),
        "{listed:?}"
    );

    // 2. One batch typed on the hub's console; the screen reports each request.
    let rows = batch_typed(&f.hub, &files);
    for (host, file) in ZONES.iter().zip(&files) {
        let prefix = format!("issued    {file}: CN={host} serial ");
        assert!(
            rows.iter().any(|r| r.starts_with(&prefix)),
            "the report says {file} was issued: {rows:#?}"
        );
    }
    assert_eq!(rows.len(), ZONES.len(), "one line a request: {rows:#?}");
    let outgoing = f.hub.join("transfer/outgoing");
    assert!(
        !outgoing.join("reporting.crt").exists(),
        "a batch writes no seed reporting.crt: it would name one of many"
    );
    let listed = requests::list(&open(&f.hub)).expect("list /incoming again");
    assert!(
        listed
            .rows
            .iter()
            .all(|r| matches!(r.state, RequestState::Issued { .. })),
        "every request now shows as issued: {listed:?}"
    );

    // 3. Every Zone Server pulls its own certificate. The hub's SFTP service is back on
    // another port (as after a move): each Zone Server meets it as a host it does not know
    // yet, and its operator compares the same host key fingerprint before trusting it.
    let sshd = loop {
        let s = Sshd::start(&f.hub);
        if s.port != first_port {
            break s;
        }
    };
    let root_fp = TrustedKey::from_pem(read(&f.hub.join("tanium/tanium.pub")).as_bytes())
        .expect("the hub's root key")
        .fingerprint;
    pull_typed(&f.zones[TYPED], ZONES[TYPED], sshd.port, &host_fp, &root_fp);
    for (i, zs) in f.zones.iter().enumerate().filter(|(i, _)| *i != TYPED) {
        let app = open(zs);
        let pulled = pull(&app, sshd.port, &f.hub)
            .unwrap_or_else(|e| panic!("pull on {}: {e}\n{}", ZONES[i], sshd.log_text()));
        assert_eq!(pulled.taken, cert_file(ZONES[i]));
        let text = read(&zs.join("transfer/incoming/reporting.crt"));
        let now = OffsetDateTime::now_utc();
        let candidate = match tls::check_for_install(&app, &text, now) {
            Ok(CertCheck::NeedsTrust {
                summary, candidate, ..
            }) => {
                assert_eq!(summary.subject, format!("CN={}", ZONES[i]));
                candidate
            }
            other => panic!(
                "{}: expected the root key to be offered: {other:?}",
                ZONES[i]
            ),
        };
        assert_eq!(
            candidate.fingerprint, root_fp,
            "the root key pulled is the hub's"
        );
        tls::install_certificate(&app, &text, Some(&candidate), now)
            .unwrap_or_else(|e| panic!("install on {}: {e}", ZONES[i]));
    }
    drop(sshd);

    // 4. OpenSSL: each installed certificate verifies under the hub's root, is for its own
    // key and name, and is the one the hub wrote for that name; none overwrote another.
    let ca = f.hub.join("tanium/tanium-root.crt");
    let mut serials = BTreeSet::new();
    let mut issued = BTreeSet::new();
    for (zs, host) in f.zones.iter().zip(ZONES) {
        let installed = zs.join("zoneserver/reporting.crt");
        assert_verifies(&ca, &installed);
        assert_eq!(
            cert_public_key(&installed),
            key_public_key(&zs.join("zoneserver/reporting.pvk")),
            "{host}'s certificate is for its own key"
        );
        assert_eq!(cert_subject(&installed), format!("CN={host}"));
        let written = read(&outgoing.join(cert_file(host)));
        assert_eq!(
            squeezed(&read(&installed)),
            squeezed(&written),
            "{host} installed /outgoing/{}",
            cert_file(host)
        );
        issued.insert(squeezed(&written));
        let summary = CertSummary::from_pem(written.as_bytes()).expect("an issued certificate");
        assert_eq!(summary.key_fingerprint, key_of(zs));
        serials.insert(summary.serial);
    }
    assert_eq!(issued.len(), ZONES.len(), "five distinct certificates");
    assert_eq!(serials.len(), ZONES.len(), "five distinct serials");

    // 5. The ledger lists all of them, valid, each for its Zone Server's key.
    let (records, stderr) = issued_json(&f.hub);
    assert!(stderr.trim().is_empty(), "no warning: {stderr}");
    assert_eq!(records.len(), ZONES.len(), "{records:#?}");
    for (zs, host) in f.zones.iter().zip(ZONES) {
        let record = records
            .iter()
            .find(|r| field(r, "common_name") == host)
            .unwrap_or_else(|| panic!("issued list names {host}: {records:#?}"));
        assert_eq!(field(record, "state"), "valid", "{record}");
        assert_eq!(field(record, "key_fingerprint"), key_of(zs), "{record}");
        assert_eq!(
            field(record, "source"),
            format!("/incoming/{}", csr_file(host)),
            "{record}"
        );
        assert!(serials.contains(field(record, "serial")), "{record}");
    }
    eprintln!(
        "fleet of {} Zone Servers, push, batch, pull and install: {:.1?} ({})",
        ZONES.len(),
        started.elapsed(),
        path_str(&f.hub)
    );
}
