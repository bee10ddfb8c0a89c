//! Issue 8, item 17: with an RSA 4096 generation confirmed and running, a dropped session
//! ended the console after the generation and threw the result away. A confirmed change is
//! completed and written before the console ends, whether the terminal hangs up or SIGHUP
//! or SIGTERM arrives; OpenSSL judges the key and CSR written.

mod support;

use std::path::Path;
use std::time::Duration;

use support::faults::{appliance, read, scratch, temp_leftovers, text};
use support::pty::Console;
use support::tools::openssl;
use tanos_menu::appliance::{Appliance, Role, tls};
use tanos_menu::pki::KeyType;
use tanos_menu::pki::csr::{self, CsrRequest};
use time::OffsetDateTime;

const STEP: Duration = Duration::from_secs(20);
/// RSA 4096 generation on a loaded machine: generous, the wait ends at the exit.
const GENERATION: Duration = Duration::from_secs(300);
/// What the console shows once the change is written: seen, the session ended too late.
const WRITTEN: &str = "New key and CSR written";

/// A Zone Server with a P-256 key and CSR already, so a new key is a confirmed change.
fn zone_server(test: &str) -> (tempfile::TempDir, Appliance) {
    let dir = scratch(test);
    let zs = appliance(dir.path(), "zs", Role::ZoneServer, false, None);
    let request = CsrRequest {
        common_name: zs.config.hostname.clone(),
        dns_names: Vec::new(),
        ips: Vec::new(),
        key_type: KeyType::EcdsaP256,
    };
    let new = csr::generate_csr(&request).expect("generate");
    tls::write_new_csr(&zs, &new, OffsetDateTime::now_utc()).expect("write the first CSR");
    (dir, zs)
}

/// The keys of 2 › Z › 1 with RSA 4096, each typed once its prompt is shown, confirmed.
const JOURNEY: [(&str, &str); 8] = [
    ("2\r", "Z  Zone Server configuration"),
    ("Z\r", "1  Generate CSR"),
    ("1\r", "Common name ["),
    ("\r", "Extra DNS names ["),
    ("\r", "IP addresses ["),
    ("\r", "Key type ["),
    ("5\r", "Generate a new key and CSR? (y/n):"),
    ("y\r", "Generating the RSA 4096 key"),
];

/// The new RSA 4096 key and its CSR are in place and belong together.
fn assert_written(zs: &Appliance, old_key: &[u8], how: &str) {
    let key = zs.path(tls::ZS_KEY);
    let csr = zs.path(tls::ZS_CSR);
    assert_ne!(
        read(&key),
        old_key,
        "{how}: the generated key was thrown away"
    );
    let path = |p: &Path| p.to_str().expect("utf-8 path").to_string();
    let (ok, out) = openssl(&["req", "-in", &path(&csr), "-noout", "-verify", "-text"]);
    assert!(ok, "{how}: openssl req -verify: {out}");
    assert!(out.contains("Public-Key: (4096 bit)"), "{how}: {out}");
    let (ok, from_key) = openssl(&["pkey", "-in", &path(&key), "-pubout"]);
    assert!(ok, "{how}: openssl pkey: {from_key}");
    let (ok, from_csr) = openssl(&["req", "-in", &path(&csr), "-noout", "-pubkey"]);
    assert!(ok, "{how}: {from_csr}");
    assert_eq!(
        from_key, from_csr,
        "{how}: the key and the CSR do not match"
    );
    assert_eq!(
        read(&zs.path(tls::OUT_CSR)),
        read(&csr),
        "{how}: /outgoing/reporting.csr is not the new CSR"
    );
    let left = temp_leftovers(&zs.root);
    assert!(left.is_empty(), "{how}: half-written files left: {left:?}");
}

/// A console on `zs` that has gone through the journey up to the running generation.
fn at_the_generation(zs: &Appliance) -> Console {
    let mut console = Console::spawn(&zs.root, &[]);
    console.wait_shown_within("Enter selection", STEP);
    for (keys, shown) in JOURNEY {
        console.send(keys.as_bytes());
        console.wait_shown_within(shown, STEP);
    }
    console
}

/// SIGHUP or SIGTERM while the key is generated: the console writes it, then ends.
fn signal_during_generation(signal: libc::c_int, test: &str) {
    for round in 0..3 {
        let (_dir, zs) = zone_server(&format!("{test}-{round}"));
        let old_key = read(&zs.path(tls::ZS_KEY));
        let mut console = at_the_generation(&zs);
        console.signal(signal);
        let code = console.exit_code(GENERATION);
        let out = text(&console.bytes());
        assert_eq!(code, 0, "exit after signal {signal}: {out}");
        assert!(out.contains("session ended"), "no goodbye: {out}");
        assert_written(&zs, &old_key, &format!("signal {signal}"));
        if !out.contains(WRITTEN) {
            return;
        }
        eprintln!("{test} round {round}: the key was written before the signal; again");
    }
    panic!("the generation always ended before the signal: nothing was tested");
}

#[test]
fn sighup_during_a_confirmed_generation_writes_it() {
    signal_during_generation(libc::SIGHUP, "drop_sighup");
}

#[test]
fn sigterm_during_a_confirmed_generation_writes_it() {
    signal_during_generation(libc::SIGTERM, "drop_sigterm");
}

/// The SSH connection drops: the terminal hangs up under the running generation.
#[test]
fn a_dropped_connection_during_a_confirmed_generation_writes_it() {
    for round in 0..3 {
        let (_dir, zs) = zone_server(&format!("drop_hangup-{round}"));
        let old_key = read(&zs.path(tls::ZS_KEY));
        let mut console = at_the_generation(&zs);
        console.hang_up();
        let status = console.wait_exit(GENERATION);
        assert!(
            status.is_some_and(|s| s.success()),
            "the console after the hang-up: {status:?}\n{}\ncrash log: {}",
            text(&console.raw),
            std::fs::read_to_string(zs.path("log/console.log")).unwrap_or_default()
        );
        assert_written(&zs, &old_key, "a hang-up");
        if !text(&console.raw).contains(WRITTEN) {
            return;
        }
        eprintln!("hang-up round {round}: the key was written before the hang-up; again");
    }
    panic!("the generation always ended before the hang-up: nothing was tested");
}
