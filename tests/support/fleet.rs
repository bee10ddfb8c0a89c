//! Helpers of the fleet tests (one hub, many Zone Servers): keys and requests made through
//! the product's own code, SFTP pushes and pulls that answer the unknown-host question as an
//! operator does after comparing fingerprints, the console model driven against real roots,
//! and `tanos-menu issued list` run as a command.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;

use tanos_menu::appliance::tls;
use tanos_menu::appliance::transfer::{Pulled, Pushed, pull_certificate, push_csr};
use tanos_menu::appliance::users::add_authorized;
use tanos_menu::appliance::{Appliance, Platform, Role};
use tanos_menu::model::{Confirm, Model, Screen, View};
use tanos_menu::pki::KeyType;
use tanos_menu::pki::csr::{CheckedCsr, CsrRequest, NewCsr, check_csr, generate_csr};
use tanos_menu::transfer::sftp::{Peer, TransferError};
use time::OffsetDateTime;

use crate::support::console::drive;
use crate::support::e2e::fingerprint;
use crate::support::fs::{path_str, read};
use crate::support::pty::BIN;
use crate::support::roots;
use crate::support::sshd_base::PEER;
use crate::support::tools::openssl;
use crate::support::ui::{render, typed};

/// A 7.3 appliance made by the library's `init` at `root`.
pub fn appliance(root: &Path, role: Role, hostname: &str, zone_hub: bool) -> Appliance {
    let opts = roots::options(role, hostname, Platform::V7_3, zone_hub);
    roots::appliance(root, &opts, OffsetDateTime::now_utc())
}

/// Opens the appliance at `root` as it is on disk now.
pub fn open(root: &Path) -> Appliance {
    Appliance::open(root).unwrap_or_else(|e| panic!("open {}: {e}", root.display()))
}

/// A new ECDSA P-256 key and CSR for `common_name`, nothing written.
pub fn new_csr(common_name: &str) -> NewCsr {
    generate_csr(&CsrRequest {
        common_name: common_name.into(),
        dns_names: Vec::new(),
        ips: Vec::new(),
        key_type: KeyType::EcdsaP256,
    })
    .unwrap_or_else(|e| panic!("generate a CSR for {common_name:?}: {e}"))
}

/// The request checked as the hub checks it.
pub fn checked(new: &NewCsr) -> CheckedCsr {
    check_csr(&new.csr_pem).unwrap_or_else(|e| panic!("check the CSR: {e}"))
}

/// A Zone Server's key and CSR for `common_name`, written as 2 › Z › 1 writes them.
pub fn zone_csr(zs: &Appliance, common_name: &str) -> NewCsr {
    let new = new_csr(common_name);
    tls::write_new_csr(zs, &new, OffsetDateTime::now_utc())
        .unwrap_or_else(|e| panic!("write the CSR on {}: {e}", zs.root.display()));
    new
}

/// SPEC §4.1 through the product's code: the Zone Server's tanadmin public key added to
/// the hub's tancopy authorized keys.
pub fn authorize(hub: &Appliance, zs: &Appliance) {
    let public = read(&zs.ssh_dir("tanadmin").join("id_ed25519.pub"));
    add_authorized(hub, "tancopy", &public)
        .unwrap_or_else(|e| panic!("authorize {}'s tanadmin key: {e}", zs.root.display()));
}

/// The hub's SFTP host key fingerprint, as ssh-keygen reads it: what the operator compares.
pub fn host_key(hub: &Path) -> String {
    fingerprint(&hub.join("etc/ssh/ssh_host_ed25519_key.pub"))
}

pub fn peer(port: u16) -> Peer {
    Peer {
        host: "127.0.0.1".into(),
        port,
        user: PEER.to_string(),
    }
}

pub fn no_cancel() -> AtomicBool {
    AtomicBool::new(false)
}

/// `push_csr` as the library's caller does it: on an unknown host, its fingerprint is
/// compared with the hub's and trusted.
pub fn push(zs: &Appliance, port: u16, hub: &Path) -> Pushed {
    let peer = peer(port);
    let trust = match push_csr(zs, &peer, None, &no_cancel()) {
        Ok(pushed) => return pushed,
        Err(TransferError::UnknownHost { fingerprint, .. }) => {
            assert_eq!(
                fingerprint,
                host_key(hub),
                "the fingerprint shown is the hub's"
            );
            fingerprint
        }
        Err(e) => panic!("push from {}: {e}", zs.root.display()),
    };
    push_csr(zs, &peer, Some(&trust), &no_cancel())
        .unwrap_or_else(|e| panic!("push from {}: {e}", zs.root.display()))
}

/// `pull_certificate` the same way.
pub fn pull(zs: &Appliance, port: u16, hub: &Path) -> Result<Pulled, TransferError> {
    let peer = peer(port);
    match pull_certificate(zs, &peer, None, &no_cancel()) {
        Err(TransferError::UnknownHost { fingerprint, .. }) => {
            assert_eq!(
                fingerprint,
                host_key(hub),
                "the fingerprint shown is the hub's"
            );
            pull_certificate(zs, &peer, Some(&fingerprint), &no_cancel())
        }
        other => other,
    }
}

// ---------------------------------------------------------------- the console model

/// Types `keys` (see `support::ui::typed`) and runs whatever they start against `root`.
pub fn act(m: &mut Model, root: &Path, keys: &str) {
    let effects = typed(m, keys);
    drive(m, root, effects);
}

pub fn view(m: &Model) -> View {
    match m.screen() {
        Screen::View(v) => v.clone(),
        other => panic!(
            "expected a view, found {other:?}\nflash: {:?}\n{}",
            m.flash,
            render(m)
        ),
    }
}

pub fn confirm(m: &Model) -> Confirm {
    match m.screen() {
        Screen::Confirm(c) => c.clone(),
        other => panic!(
            "expected a confirmation, found {other:?}\nflash: {:?}\n{}",
            m.flash,
            render(m)
        ),
    }
}

/// The message line's text, or "".
pub fn flash(m: &Model) -> String {
    m.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default()
}

/// 2 › Z › 2 › 1 on the hub: the request files listed, in order.
pub fn request_list(m: &mut Model, root: &Path) -> Vec<String> {
    act(m, root, "RR\n2\nZ\n2\n1\n");
    match m.screen() {
        Screen::Files(files) => files
            .rows
            .as_ref()
            .expect("/incoming listed")
            .iter()
            .map(|r| r.file.clone())
            .collect(),
        other => panic!(
            "expected the /incoming list, found {other:?}\n{}",
            render(m)
        ),
    }
}

/// 2 › Z › 2 › 1, `A`, and the batch confirmation's warning; `y` is left to the caller.
pub fn batch_confirmation(m: &mut Model, root: &Path) -> Confirm {
    request_list(m, root);
    act(m, root, "A\n");
    confirm(m)
}

/// The line of the batch report about `file`.
#[track_caller]
pub fn report_line(report: &View, file: &str) -> String {
    let found: Vec<&str> = report
        .text
        .lines()
        .filter(|l| {
            l.split_once(": ")
                .is_some_and(|(head, _)| head.split_whitespace().nth(1) == Some(file))
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one line of the batch report is about {file}:\n{}",
        report.text
    );
    found[0].to_string()
}

// ---------------------------------------------------------------- commands and judges

/// `tanos-menu <args>`: exit code, stdout, stderr.
pub fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("TANOS_ROOT")
        .output()
        .unwrap_or_else(|e| panic!("run tanos-menu {args:?}: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `tanos-menu issued list --json --root <hub>`, parsed: it must be JSON whatever the ledger
/// holds. Returns the records and stderr.
pub fn issued_json(hub: &Path) -> (Vec<serde_json::Value>, String) {
    let (code, stdout, stderr) = cli(&["issued", "list", "--json", "--root", path_str(hub)]);
    assert_eq!(code, 0, "issued list --json failed:\n{stdout}\n{stderr}");
    let value: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("issued list --json is not JSON ({e}):\n{stdout}"));
    let records = value
        .as_array()
        .unwrap_or_else(|| panic!("issued list --json is not an array:\n{stdout}"))
        .clone();
    (records, stderr)
}

/// A string field of a JSON record.
pub fn field<'a>(record: &'a serde_json::Value, name: &str) -> &'a str {
    record[name]
        .as_str()
        .unwrap_or_else(|| panic!("no string {name:?} in {record}"))
}

/// What OpenSSL prints for `openssl <args>`; panics unless it succeeds.
#[track_caller]
pub fn openssl_ok(args: &[&str]) -> String {
    let (ok, out) = openssl(args);
    assert!(ok, "openssl {args:?} failed:\n{out}");
    out
}

/// The public key of a certificate, as OpenSSL extracts it.
pub fn cert_public_key(cert: &Path) -> String {
    openssl_ok(&["x509", "-noout", "-pubkey", "-in", path_str(cert)])
}

/// The public key of a private key, as OpenSSL derives it.
pub fn key_public_key(key: &Path) -> String {
    openssl_ok(&["pkey", "-pubout", "-in", path_str(key)])
}

/// `openssl x509 -noout -subject -nameopt RFC2253`: "CN=…".
pub fn cert_subject(cert: &Path) -> String {
    openssl_ok(&[
        "x509",
        "-noout",
        "-subject",
        "-nameopt",
        "RFC2253",
        "-in",
        path_str(cert),
    ])
    .trim()
    .trim_start_matches("subject=")
    .trim()
    .to_string()
}

/// Panics unless `openssl verify -CAfile <ca> <cert>` accepts `cert`.
#[track_caller]
pub fn assert_verifies(ca: &Path, cert: &Path) {
    let (ok, out) = openssl(&["verify", "-CAfile", path_str(ca), path_str(cert)]);
    assert!(
        ok && out.contains(&format!("{}: OK", cert.display())),
        "openssl verify -CAfile {} refused {}:\n{out}",
        ca.display(),
        cert.display()
    );
}

/// A PEM text with every blank removed, to compare two encodings of one certificate.
pub fn squeezed(pem: &str) -> String {
    pem.split_whitespace().collect()
}
