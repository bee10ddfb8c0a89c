//! One hub, many Zone Servers: the whole fleet flow, in process, against one hub served by
//! the real `tanos-menu sshd`, as the operators of a fleet run it (SPEC §6 fleet naming):
//!
//! 1. on each Zone Server in turn: a new P-256 key and CSR (`pki::csr::generate_csr`,
//!    `tls::write_new_csr`), pushed over SFTP to the hub's `/incoming/<hostname>.csr`
//!    (`transfer::push_csr`, the host key accepted by its fingerprint, as at `2 › Z › 8`);
//! 2. on the hub, once: the pending requests listed (`requests::list`, `2 › Z › 2 › 1`) and
//!    issued in one batch (`batch::issue_batch`, `A`);
//! 3. on each Zone Server in turn: its certificate pulled from `/outgoing/<hostname>.crt`
//!    (`transfer::pull_certificate`), checked (`tls::check_for_install`) and installed with
//!    the hub's root key accepted (`tls::install_certificate`).
//!
//! Each repetition starts from fresh roots (the hub's and `TANOS_BENCH_ZONES` Zone Servers',
//! 20 by default, tanadmin's keys exchanged into the hub's tancopy `authorized_keys`) and a
//! fresh sshd; that set-up is not timed. After each repetition, outside the timing, every
//! Zone Server's certificate must be its own (name, key) and `openssl verify -CAfile
//! tanium-root.crt` must accept it. `TANOS_BENCH_N` repetitions (5). Figures: the whole flow,
//! per Zone Server, and each step.

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use support::{Scratch, Sshd, Stats, iterations, peer_user, report, report_value};
use tanos_menu::appliance::batch::{self, BatchLine, Listed};
use tanos_menu::appliance::init::{InitOptions, init};
use tanos_menu::appliance::tls::{self, CertCheck};
use tanos_menu::appliance::{Appliance, Platform, Role, incoming, requests, transfer, users};
use tanos_menu::pki::KeyType;
use tanos_menu::pki::csr::{CsrRequest, generate_csr};
use tanos_menu::transfer::sftp::{self, ClientKeys, Peer, TransferError};
use time::OffsetDateTime;

const HUB: &str = "hub.bench";
const DAYS: i64 = 3650;

fn zone_name(i: usize) -> String {
    format!("zs{:02}.bench", i + 1)
}

/// The roots of one repetition and the sshd serving the hub.
struct Fleet {
    hub: Appliance,
    zones: Vec<Appliance>,
    peer: Peer,
    /// The hub's host key fingerprint, as the operator compares it at the first push.
    trust: String,
    sshd: Sshd,
    scratch: Scratch,
}

fn make_root(dir: &Path, role: Role, hostname: &str, zone_hub: bool) -> Appliance {
    let opts = InitOptions {
        role,
        hostname: hostname.to_string(),
        platform: Platform::V7_3,
        zone_hub,
        tanium_pub: None,
    };
    init(dir, &opts, OffsetDateTime::now_utc())
        .unwrap_or_else(|e| panic!("init {hostname} at {}: {e}", dir.display()))
}

fn setup(rep: usize, zones: usize, user: &str) -> Fleet {
    let scratch = Scratch::new(&format!("fleet{rep}"));
    let dir = scratch.path();
    let hub = make_root(&dir.join("hub"), Role::TaniumServer, HUB, true);
    let zones: Vec<Appliance> = (0..zones)
        .map(|i| {
            let name = zone_name(i);
            make_root(&dir.join(&name), Role::ZoneServer, &name, false)
        })
        .collect();
    // SPEC §4.1: each Zone Server's tanadmin public key in the hub's tancopy authorized keys.
    for zone in &zones {
        let public = std::fs::read_to_string(zone.ssh_dir("tanadmin").join("id_ed25519.pub"))
            .expect("tanadmin's public key");
        users::add_authorized(&hub, "tancopy", &public).expect("authorize a Zone Server");
    }
    let sshd = Sshd::start(&hub.root, user, &dir.join("sshd.log"));
    let peer = Peer {
        host: "127.0.0.1".into(),
        port: sshd.port,
        user: user.to_string(),
    };
    // The fingerprint the operator is shown at the first connection (nothing is written).
    let keys = ClientKeys::in_dir(&zones[0].ssh_dir("tanadmin"));
    let trust = match sftp::download(
        &peer,
        &keys,
        "outgoing/tanium.pub",
        64 * 1024,
        None,
        &AtomicBool::new(false),
    ) {
        Err(TransferError::UnknownHost { fingerprint, .. }) => fingerprint,
        other => panic!("expected an unknown host at the first connection, got {other:?}"),
    };
    Fleet {
        hub,
        zones,
        peer,
        trust,
        sshd,
        scratch,
    }
}

/// The time of each step of one repetition.
#[derive(Default)]
struct Laps {
    total: Duration,
    csr: Vec<Duration>,
    push: Vec<Duration>,
    list: Duration,
    batch: Duration,
    pull: Vec<Duration>,
    install: Vec<Duration>,
}

fn lap<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

fn run(f: &Fleet) -> Laps {
    let cancel = AtomicBool::new(false);
    let mut laps = Laps::default();
    let start = Instant::now();
    for zone in &f.zones {
        let name = &zone.config.hostname;
        let ((), d) = lap(|| {
            let new = generate_csr(&CsrRequest {
                common_name: name.clone(),
                dns_names: Vec::new(),
                ips: Vec::new(),
                key_type: KeyType::EcdsaP256,
            })
            .expect("key + CSR");
            tls::write_new_csr(zone, &new, OffsetDateTime::now_utc()).expect("write the CSR");
        });
        laps.csr.push(d);
        let (pushed, d) = lap(|| {
            transfer::push_csr(zone, &f.peer, Some(&f.trust), &cancel)
                .unwrap_or_else(|e| panic!("push from {name}: {e}\n{}", sshd_log(f)))
        });
        laps.push.push(d);
        assert_eq!(pushed.remote, format!("{name}.csr"));
        assert_eq!(pushed.beside, None);
    }
    let (listed, d) = lap(|| {
        let list = requests::list(&f.hub).expect("list /incoming");
        list.rows
            .iter()
            .filter_map(|r| {
                r.pending().map(|info| Listed {
                    file: r.file.clone(),
                    key_fingerprint: info.key_fingerprint.clone(),
                })
            })
            .collect::<Vec<_>>()
    });
    laps.list = d;
    assert_eq!(listed.len(), f.zones.len(), "every request pending");
    let (lines, d) = lap(|| {
        batch::issue_batch(&f.hub, &listed, DAYS, OffsetDateTime::now_utc())
            .expect("batch issuance")
    });
    laps.batch = d;
    for line in &lines {
        assert!(matches!(line, BatchLine::Issued { .. }), "{line:?}");
    }
    for zone in &f.zones {
        let name = &zone.config.hostname;
        let (pulled, d) = lap(|| {
            transfer::pull_certificate(zone, &f.peer, None, &cancel)
                .unwrap_or_else(|e| panic!("pull to {name}: {e}\n{}", sshd_log(f)))
        });
        laps.pull.push(d);
        assert_eq!(pulled.taken, format!("{name}.crt"));
        let (summary, d) = lap(|| {
            let now = OffsetDateTime::now_utc();
            let text = incoming::read(zone, "reporting.crt").expect("pulled certificate");
            match tls::check_for_install(zone, &text, now).expect("check") {
                CertCheck::NeedsTrust { candidate, .. } => {
                    tls::install_certificate(zone, &text, Some(&candidate), now)
                }
                CertCheck::Ready(_) => tls::install_certificate(zone, &text, None, now),
            }
            .expect("install")
        });
        laps.install.push(d);
        assert_eq!(summary.subject, format!("CN={name}"));
    }
    laps.total = start.elapsed();
    laps
}

fn sshd_log(f: &Fleet) -> String {
    std::fs::read_to_string(&f.sshd.log).unwrap_or_default()
}

/// Outside the timing: each Zone Server holds a certificate for its own name and key that
/// `openssl verify` accepts against the hub's root certificate, and the hub issued each once.
fn judge(f: &Fleet) {
    let mut certs = Vec::new();
    for zone in &f.zones {
        let cert = zone.path("zoneserver/reporting.crt");
        let text = std::fs::read_to_string(&cert).expect("installed certificate");
        match tls::check_for_install(zone, &text, OffsetDateTime::now_utc()).expect("own key") {
            CertCheck::Ready(s) => assert_eq!(s.subject, format!("CN={}", zone.config.hostname)),
            other => panic!("the root key was not stored: {other:?}"),
        }
        certs.push(cert);
    }
    let out = Command::new("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(f.hub.path("tanium/tanium-root.crt"))
        .args(&certs)
        .output()
        .expect("cannot run openssl (apt-get install -y openssl)");
    assert!(
        out.status.success(),
        "openssl verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let issued = tanos_menu::appliance::ledger::index(&f.hub).expect("ledger index");
    assert_eq!(issued.records, f.zones.len());
    assert_eq!(issued.latest.len(), f.zones.len());
}

fn main() {
    let reps = iterations(5);
    let zones: usize = std::env::var("TANOS_BENCH_ZONES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(20);
    let user = peer_user();
    println!("fleet: one hub, {zones} Zone Servers (P-256), {reps} repetitions, sshd user {user}");
    let mut all: Vec<Laps> = Vec::with_capacity(reps);
    // One repetition more than reported: the first warms the page cache and the binaries.
    for rep in 0..=reps {
        let fleet = setup(rep, zones, &user);
        let laps = run(&fleet);
        judge(&fleet);
        println!(
            "  repetition {rep}{}: {:.1} ms ({:.1} ms per Zone Server; batch of {zones}: {:.1} ms) in {}",
            if rep == 0 { " (warm-up)" } else { "" },
            laps.total.as_secs_f64() * 1e3,
            laps.total.as_secs_f64() * 1e3 / zones as f64,
            laps.batch.as_secs_f64() * 1e3,
            fleet.scratch.path().display()
        );
        if rep > 0 {
            all.push(laps);
        }
    }
    let each = |pick: fn(&Laps) -> Duration| Stats::of(&all.iter().map(pick).collect::<Vec<_>>());
    let per_zone = |pick: fn(&Laps) -> &Vec<Duration>| {
        Stats::of(
            &all.iter()
                .flat_map(|l| pick(l).iter().copied())
                .collect::<Vec<_>>(),
        )
    };
    report(
        "fleet.total",
        &format!("whole flow, {zones} Zone Servers (per repetition)"),
        &each(|l| l.total),
    );
    report(
        "fleet.per_zone",
        "whole flow / Zone Servers (per repetition)",
        &Stats::of(
            &all.iter()
                .map(|l| l.total / zones as u32)
                .collect::<Vec<_>>(),
        ),
    );
    report(
        "fleet.zone_own",
        "one Zone Server's steps: CSR + push + pull + install",
        &Stats::of(
            &all.iter()
                .flat_map(|l| (0..zones).map(|i| l.csr[i] + l.push[i] + l.pull[i] + l.install[i]))
                .collect::<Vec<_>>(),
        ),
    );
    report(
        "fleet.list",
        &format!("hub: list the {zones} requests (requests::list)"),
        &each(|l| l.list),
    );
    report(
        "fleet.batch",
        &format!("hub: batch issuance of {zones} (issue_batch)"),
        &each(|l| l.batch),
    );
    report(
        "fleet.batch_per_cert",
        "hub: batch issuance / certificates",
        &Stats::of(
            &all.iter()
                .map(|l| l.batch / zones as u32)
                .collect::<Vec<_>>(),
        ),
    );
    report(
        "fleet.csr",
        "Zone Server: P-256 key + CSR written",
        &per_zone(|l| &l.csr),
    );
    report(
        "fleet.push",
        "Zone Server: push over SFTP (push_csr)",
        &per_zone(|l| &l.push),
    );
    report(
        "fleet.pull",
        "Zone Server: pull over SFTP (pull_certificate)",
        &per_zone(|l| &l.pull),
    );
    report(
        "fleet.install",
        "Zone Server: check + install (root key accepted)",
        &per_zone(|l| &l.install),
    );
    let total: f64 = all.iter().map(|l| l.total.as_secs_f64()).sum();
    let sftp: f64 = all
        .iter()
        .flat_map(|l| l.push.iter().chain(&l.pull))
        .map(Duration::as_secs_f64)
        .sum();
    report_value(
        "fleet.sftp_share",
        "share of the whole flow spent in SFTP push + pull",
        100.0 * sftp / total,
        "%",
    );
}
