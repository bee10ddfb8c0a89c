//! RSA keys from `tanos-menu keyutility reporting-tls-request --key-type rsaN`, judged by
//! OpenSSL: the key passes `openssl pkey -check` with the size asked for, it is the PKCS#8
//! "PRIVATE KEY" the rest of the product reads, the CSR's self-signature verifies and carries
//! that key, and a certificate the product issues for it verifies under the root.

mod support;

use std::path::Path;
use std::process::Command;

use support::fs::{mode, read};
use support::roots;
use support::tools::openssl_in as openssl;

const BIN: &str = env!("CARGO_BIN_EXE_tanos-menu");

#[track_caller]
fn tanos(dir: &Path, args: &[&str]) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("TANOS_ROOT")
        .output()
        .expect("run tanos-menu");
    assert!(
        out.status.success(),
        "tanos-menu {args:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `openssl` in `dir`, which must succeed; returns its output.
#[track_caller]
fn openssl_ok(dir: &Path, args: &[&str]) -> String {
    let (ok, out) = openssl(dir, args);
    assert!(ok, "openssl {args:?}:\n{out}");
    out
}

/// The root key and certificate of a Tanium Server made by `tanos-menu init`, beside the
/// request in `dir`.
fn root_material(dir: &Path) {
    let root = dir.join("ts-root");
    let root_arg = root.to_str().expect("utf-8 path");
    tanos(
        dir,
        &["init", "--root", root_arg, "--role", "tanium-server"],
    );
    for name in ["tanium.pvk", "tanium-root.crt"] {
        std::fs::copy(root.join("tanium").join(name), dir.join(name)).expect("copy root");
    }
}

fn rsa_key_and_csr(key_type: &str, bits: u32) {
    let dir = roots::scratch("rsa_keys", &format!("{key_type}-"));
    let d = dir.path();
    tanos(
        d,
        &[
            "keyutility",
            "reporting-tls-request",
            "--common-name",
            "zs01.example",
            "--key-type",
            key_type,
            "--force",
        ],
    );

    let key = read(&d.join("reporting.pvk"));
    assert!(
        key.starts_with("-----BEGIN PRIVATE KEY-----\n"),
        "a PKCS#8 key: {}",
        key.lines().next().unwrap_or_default()
    );
    assert_eq!(mode(&d.join("reporting.pvk")), 0o600);
    let checked = openssl_ok(d, &["pkey", "-in", "reporting.pvk", "-check", "-noout"]);
    assert!(checked.contains("Key is valid"), "{checked}");
    let text = openssl_ok(d, &["pkey", "-in", "reporting.pvk", "-noout", "-text"]);
    assert!(
        text.contains(&format!("Private-Key: ({bits} bit, 2 primes)")),
        "{key_type}: {}",
        text.lines().next().unwrap_or_default()
    );
    assert!(text.contains("publicExponent: 65537"), "{key_type}");

    let (ok, csr) = openssl(
        d,
        &["req", "-in", "reporting.csr", "-noout", "-verify", "-text"],
    );
    assert!(
        ok && csr.contains("verify OK"),
        "openssl req -verify:\n{csr}"
    );
    assert!(csr.contains(&format!("Public-Key: ({bits} bit)")), "{csr}");
    assert!(csr.contains("sha256WithRSAEncryption"), "{csr}");
    let csr_public = openssl_ok(d, &["req", "-in", "reporting.csr", "-noout", "-pubkey"]);
    let key_public = openssl_ok(d, &["pkey", "-in", "reporting.pvk", "-pubout"]);
    assert_eq!(csr_public, key_public, "the CSR carries the key written");

    root_material(d);
    tanos(
        d,
        &[
            "keyutility",
            "reporting-tls-issue",
            "reporting.csr",
            "reporting.crt",
            "tanium.pvk",
        ],
    );
    let verified = openssl_ok(
        d,
        &["verify", "-CAfile", "tanium-root.crt", "reporting.crt"],
    );
    assert!(verified.contains("reporting.crt: OK"), "{verified}");
    let cert_public = openssl_ok(d, &["x509", "-in", "reporting.crt", "-noout", "-pubkey"]);
    assert_eq!(cert_public, key_public, "the certificate is for the key");
}

#[test]
fn rsa_2048_key_and_csr_pass_openssl() {
    rsa_key_and_csr("rsa2048", 2048);
}

#[test]
fn rsa_3072_key_and_csr_pass_openssl() {
    rsa_key_and_csr("rsa3072", 3072);
}

#[test]
fn rsa_4096_key_and_csr_pass_openssl() {
    rsa_key_and_csr("rsa4096", 4096);
}
