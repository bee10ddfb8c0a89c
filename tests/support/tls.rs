//! Helpers of the TLS workflow tests: appliance roots under target/, whole-tree snapshots,
//! and the real OpenSSL as the outside judge.

use std::path::Path;
use std::process::{Command, Output};

use tanos_menu::appliance::Appliance;
use tanos_menu::appliance::Platform;
use tanos_menu::appliance::Role;
use tanos_menu::appliance::init::{InitOptions, init};
use tanos_menu::appliance::{incoming, tls};
use tanos_menu::pki::KeyType;
use tanos_menu::pki::csr::{self, CsrRequest, NewCsr};
use time::OffsetDateTime;

pub use crate::support::fs::{bytes, copy, link_mode as mode, read};
use crate::support::roots;
pub use crate::support::tree::{Entry, changes as changed, tree};

pub const OPENSSL: &str = "/usr/bin/openssl";
pub const ZS_HOST: &str = "zs01.example";

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A fresh directory under target/ to hold the appliance roots of one test.
pub fn scratch(suite: &str) -> tempfile::TempDir {
    roots::scratch(suite, "case-")
}

fn opts(role: Role, hostname: &str, zone_hub: bool) -> InitOptions {
    roots::options(role, hostname, Platform::V7_3, zone_hub)
}

/// A Tanium Server with the Zone Server Hub add-on at `dir/name`.
pub fn tanium_server(dir: &Path, name: &str, hostname: &str, now: OffsetDateTime) -> Appliance {
    init(
        &dir.join(name),
        &opts(Role::TaniumServer, hostname, true),
        now,
    )
    .expect("init tanium server")
}

/// A Zone Server (no key, no trusted root yet) at `dir/name`.
pub fn zone_server(dir: &Path, name: &str, now: OffsetDateTime) -> Appliance {
    init(
        &dir.join(name),
        &opts(Role::ZoneServer, ZS_HOST, false),
        now,
    )
    .expect("init zone server")
}

pub fn request(key_type: KeyType) -> CsrRequest {
    CsrRequest {
        common_name: ZS_HOST.to_string(),
        dns_names: vec![ZS_HOST.to_string(), "*.zone.example".to_string()],
        ips: vec!["10.0.0.5".parse().expect("ip"), "::1".parse().expect("ip")],
        key_type,
    }
}

/// Generate CSR on the Zone Server (2 › Z › 1): a new key and CSR written to its files.
pub fn new_csr(zs: &Appliance, key_type: KeyType, now: OffsetDateTime) -> NewCsr {
    let new = csr::generate_csr(&request(key_type)).expect("generate csr");
    tls::write_new_csr(zs, &new, now).expect("write new csr");
    new
}

/// Copies the Zone Server's outgoing CSR into the Tanium Server's /incoming as `name`, as
/// the peer's SFTP push would, and issues the certificate from it through /incoming.
/// Returns the certificate text the Tanium Server put in its /outgoing.
pub fn issue_via_incoming(
    ts: &Appliance,
    zs: &Appliance,
    name: &str,
    days: i64,
    now: OffsetDateTime,
) -> tanos_menu::appliance::issuance::Issued {
    copy(
        &zs.path(tls::OUT_CSR),
        &ts.path("transfer/incoming").join(name),
    );
    let text = incoming::read(ts, name).expect("read csr from /incoming");
    let checked = csr::check_csr(&text).expect("check csr");
    tanos_menu::appliance::issuance::issue_from_csr(ts, &checked, days, now)
        .expect("issue certificate")
}

/// Runs OpenSSL in `cwd` without judging its exit status.
pub fn openssl_output(args: &[&str], cwd: &Path) -> Output {
    Command::new(OPENSSL)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| crate::support::tools::cannot_run(OPENSSL, &e))
}

/// Runs OpenSSL; panics with its output unless it succeeds. Returns stdout.
pub fn openssl(args: &[&str], cwd: &Path) -> String {
    let out = openssl_output(args, cwd);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "openssl {args:?} in {} failed ({}):\n{stdout}\n{}",
        cwd.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs a shell script; panics unless it succeeds. Returns stdout.
pub fn sh(script: &str, cwd: &Path) -> String {
    let out = Command::new("/bin/sh")
        .args(["-c", script])
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("cannot run /bin/sh: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{script} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The base64 body lines of a PEM text (what must never appear in a log or a message).
pub fn pem_body_lines(pem: &str) -> Vec<String> {
    pem.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .map(str::to_string)
        .collect()
}

/// A P-256 key and CSR for the Zone Server's name alone, written to its files as Generate
/// CSR writes them.
pub fn write_simple_csr(zs: &Appliance, now: OffsetDateTime) -> NewCsr {
    let new = csr::generate_csr(&CsrRequest {
        common_name: ZS_HOST.into(),
        dns_names: vec![ZS_HOST.into()],
        ips: Vec::new(),
        key_type: KeyType::EcdsaP256,
    })
    .expect("csr");
    tls::write_new_csr(zs, &new, now).expect("write csr");
    new
}

/// Every record of an appliance's issuance ledger, oldest first, read as the product reads
/// it (`ledger::each`, a line at a time).
pub fn ledger_records(app: &Appliance) -> Vec<tanos_menu::appliance::ledger::IssuedRecord> {
    let mut records = Vec::new();
    tanos_menu::appliance::ledger::each(app, OffsetDateTime::now_utc(), |record, _| {
        records.push(record.clone());
        Ok(())
    })
    .expect("read the ledger");
    records.reverse();
    records
}
