//! `tanos-menu keyutility` (SPEC §4.6), run as an operator would in a scratch directory and
//! judged by OpenSSL: the CSR and certificate files it writes, and files left untouched by
//! every refusal.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::fs::{mode, read};
use support::roots;
use support::tools::openssl_in as openssl;
use support::tree::files;

const BIN: &str = env!("CARGO_BIN_EXE_tanos-menu");

fn scratch() -> tempfile::TempDir {
    roots::scratch("keyutility", "ku-")
}

/// Runs tanos-menu in `dir`; returns the output with stdout and stderr as text.
fn run(dir: &Path, args: &[&str]) -> (Output, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("TANOS_ROOT")
        .output()
        .expect("run tanos-menu");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

#[track_caller]
fn run_ok(dir: &Path, args: &[&str]) -> String {
    let (out, stdout, stderr) = run(dir, args);
    assert!(
        out.status.success(),
        "tanos-menu {args:?} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    stdout
}

/// Runs a request that must be refused: exit 2, nothing in `dir` changed. Returns stderr.
#[track_caller]
fn run_refused(dir: &Path, args: &[&str]) -> String {
    let before = files(dir);
    let (out, stdout, stderr) = run(dir, args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "tanos-menu {args:?} should be refused:\n{stdout}\n{stderr}"
    );
    assert!(!stderr.trim().is_empty(), "a refusal says why");
    assert_eq!(files(dir), before, "tanos-menu {args:?} changed files");
    stderr
}

/// `openssl req -verify -text`; panics unless the self-signature verifies.
#[track_caller]
fn csr_verifies(dir: &Path, csr: &str) -> String {
    let (ok, out) = openssl(dir, &["req", "-in", csr, "-noout", "-verify", "-text"]);
    assert!(
        ok && out.contains("verify OK"),
        "openssl req -verify {csr}:\n{out}"
    );
    out
}

#[track_caller]
fn cert_verifies(dir: &Path, ca: &str, cert: &str) {
    let (ok, out) = openssl(dir, &["verify", "-CAfile", ca, cert]);
    assert!(
        ok && out.contains(&format!("{cert}: OK")),
        "openssl verify {cert}:\n{out}"
    );
}

fn public_of_key(dir: &Path, key: &str) -> String {
    let (ok, out) = openssl(dir, &["pkey", "-in", key, "-pubout"]);
    assert!(ok, "{out}");
    out
}

fn public_of_cert(dir: &Path, cert: &str) -> String {
    let (ok, out) = openssl(dir, &["x509", "-in", cert, "-noout", "-pubkey"]);
    assert!(ok, "{out}");
    out
}

/// A Tanium Server made by `tanos-menu init`, with its root key and root certificate
/// copied into `dir` as the seed's Windows procedure has them side by side.
fn root_material(dir: &Path) {
    let root = dir.join("ts-root");
    run_ok(
        dir,
        &[
            "init",
            "--root",
            root.to_str().expect("utf-8"),
            "--role",
            "tanium-server",
            "--hostname",
            "ts01.example",
        ],
    );
    for name in ["tanium.pvk", "tanium-root.crt"] {
        std::fs::copy(root.join("tanium").join(name), dir.join(name)).expect("copy root");
    }
    std::fs::remove_dir_all(root).expect("remove the appliance root");
}

fn request(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "keyutility",
        "reporting-tls-request",
        "--common-name",
        "zs01.example",
    ];
    args.extend_from_slice(extra);
    run_ok(dir, &args)
}

// ---------------------------------------------------------------- reporting-tls-request

#[test]
fn request_with_defaults_writes_the_seed_files() {
    let dir = scratch();
    let d = dir.path();
    let (out, stdout, stderr) = run(d, &["keyutility", "reporting-tls-request"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(
        stdout,
        "Generating key: 'reporting.pvk'\nSuccessfully generated certificate signing request: 'reporting.csr'\n"
    );
    assert_eq!(mode(&d.join("reporting.pvk")), 0o600);
    assert!(read(&d.join("reporting.pvk")).contains("PRIVATE KEY"));
    let text = csr_verifies(d, "reporting.csr");
    assert!(
        text.contains("prime256v1"),
        "ECDSA P-256 by default: {text}"
    );
    assert!(text.contains("Subject: CN = "), "{text}");
    // The CSR belongs to the key written beside it.
    let (ok, csr_pub) = openssl(d, &["req", "-in", "reporting.csr", "-noout", "-pubkey"]);
    assert!(ok, "{csr_pub}");
    assert_eq!(csr_pub, public_of_key(d, "reporting.pvk"));
    assert_eq!(
        files(d).len(),
        2,
        "only the two files: {:?}",
        files(d).keys()
    );
}

#[test]
fn request_with_positional_paths() {
    let dir = scratch();
    let d = dir.path();
    let stdout = request(d, &["zs.pvk", "zs.csr"]);
    assert_eq!(
        stdout,
        "Generating key: 'zs.pvk'\nSuccessfully generated certificate signing request: 'zs.csr'\n"
    );
    assert_eq!(mode(&d.join("zs.pvk")), 0o600);
    let text = csr_verifies(d, "zs.csr");
    assert!(text.contains("Subject: CN = zs01.example"), "{text}");
    assert!(!d.join("reporting.pvk").exists());
    assert!(!d.join("reporting.csr").exists());
}

#[test]
fn request_with_rsa_2048_and_extra_names() {
    let dir = scratch();
    let d = dir.path();
    request(
        d,
        &[
            "--key-type",
            "rsa2048",
            "--dns",
            "zs01-alt.example",
            "--dns",
            "zone.example",
            "--ip",
            "10.0.0.5",
            "--ip",
            "fd00::5",
        ],
    );
    assert_eq!(mode(&d.join("reporting.pvk")), 0o600);
    let text = csr_verifies(d, "reporting.csr");
    assert!(text.contains("Public-Key: (2048 bit)"), "{text}");
    for name in [
        "DNS:zs01-alt.example",
        "DNS:zone.example",
        "IP Address:10.0.0.5",
        "IP Address:FD00:0:0:0:0:0:0:5",
    ] {
        assert!(text.contains(name), "{name} missing:\n{text}");
    }
}

#[test]
fn request_refuses_to_overwrite_without_force() {
    let dir = scratch();
    let d = dir.path();
    request(d, &[]);
    let stderr = run_refused(d, &["keyutility", "reporting-tls-request"]);
    assert!(stderr.contains("--force"), "{stderr}");
    // Only the CSR exists: still refused, the key is not written either.
    std::fs::remove_file(d.join("reporting.pvk")).expect("remove key");
    run_refused(d, &["keyutility", "reporting-tls-request"]);
    assert!(!d.join("reporting.pvk").exists());

    let before = read(&d.join("reporting.csr"));
    request(d, &["--force"]);
    assert_ne!(read(&d.join("reporting.csr")), before, "--force replaces");
    csr_verifies(d, "reporting.csr");
    assert_eq!(mode(&d.join("reporting.pvk")), 0o600);
}

#[test]
fn request_refuses_bad_options() {
    let dir = scratch();
    let d = dir.path();
    for bad in [
        &["--key-type", "rsa1024"][..],
        &["--key-type", "dsa"][..],
        &["--ip", "10.0.0.256"][..],
    ] {
        let mut args = vec!["keyutility", "reporting-tls-request"];
        args.extend_from_slice(bad);
        run_refused(d, &args);
    }
    assert!(files(d).is_empty());
}

// ---------------------------------------------------------------- reporting-tls-issue

/// A scratch dir holding tanium.pvk, tanium-root.crt and a reporting.pvk/.csr pair.
fn issuing_dir() -> tempfile::TempDir {
    let dir = scratch();
    root_material(dir.path());
    request(dir.path(), &["--dns", "zs01-alt.example"]);
    dir
}

#[test]
fn issue_with_positional_arguments() {
    let dir = issuing_dir();
    let d = dir.path();
    let stdout = run_ok(
        d,
        &[
            "keyutility",
            "reporting-tls-issue",
            "reporting.csr",
            "reporting.crt",
            "tanium.pvk",
        ],
    );
    assert_eq!(
        stdout,
        "Successfully issued new certificate: 'reporting.crt'\n"
    );
    cert_verifies(d, "tanium-root.crt", "reporting.crt");
    assert_eq!(
        public_of_cert(d, "reporting.crt"),
        public_of_key(d, "reporting.pvk"),
        "the certificate carries the key of the CSR"
    );
    let (ok, text) = openssl(d, &["x509", "-in", "reporting.crt", "-noout", "-text"]);
    assert!(ok, "{text}");
    assert!(text.contains("Subject: CN = zs01.example"), "{text}");
    assert!(text.contains("DNS:zs01-alt.example"), "{text}");
    // 3650 days by default: valid in 3649 days, expired in 3651.
    assert!(checkend(d, "reporting.crt", 3649), "valid for ~3650 days");
    assert!(
        !checkend(d, "reporting.crt", 3651),
        "not more than ~3650 days"
    );
}

/// Whether the certificate is still valid `days` from now (`openssl x509 -checkend`).
fn checkend(dir: &Path, cert: &str, days: u64) -> bool {
    let seconds = (days * 86_400).to_string();
    let (ok, _) = openssl(dir, &["x509", "-in", cert, "-noout", "-checkend", &seconds]);
    ok
}

#[test]
fn issue_with_option_forms_and_expiration() {
    let dir = issuing_dir();
    let d = dir.path();
    std::fs::rename(d.join("reporting.csr"), d.join("zs.csr")).expect("rename csr");
    std::fs::create_dir(d.join("root")).expect("root dir");
    for name in ["tanium.pvk", "tanium-root.crt"] {
        std::fs::rename(d.join(name), d.join("root").join(name)).expect("move root");
    }
    let stdout = run_ok(
        d,
        &[
            "keyutility",
            "reporting-tls-issue",
            "--csr",
            "zs.csr",
            "--root-key",
            "root/tanium.pvk",
            "-o",
            "zs.crt",
            "--expiration",
            "30",
        ],
    );
    assert_eq!(stdout, "Successfully issued new certificate: 'zs.crt'\n");
    cert_verifies(d, "root/tanium-root.crt", "zs.crt");
    assert_eq!(
        public_of_cert(d, "zs.crt"),
        public_of_key(d, "reporting.pvk")
    );
    assert!(checkend(d, "zs.crt", 29), "valid for ~30 days");
    assert!(!checkend(d, "zs.crt", 31), "not beyond ~30 days");
    assert!(!d.join("reporting.crt").exists());

    // --out is the long form of -o.
    run_ok(
        d,
        &[
            "keyutility",
            "reporting-tls-issue",
            "--csr",
            "zs.csr",
            "--root-key",
            "root/tanium.pvk",
            "--out",
            "zs2.crt",
        ],
    );
    cert_verifies(d, "root/tanium-root.crt", "zs2.crt");
}

#[test]
fn issue_help_shows_the_seed_options() {
    let dir = scratch();
    let stdout = run_ok(dir.path(), &["keyutility", "reporting-tls-issue", "--help"]);
    for text in [
        "--root-key",
        "--csr",
        "--out",
        "-o",
        "--expiration",
        "Certificate expiration in days",
        "3650",
    ] {
        assert!(stdout.contains(text), "{text} missing:\n{stdout}");
    }
}

#[test]
fn issue_refuses_a_tampered_csr() {
    let dir = scratch();
    let d = dir.path();
    root_material(d);
    // RSA: the last base64 lines are the 256-byte signature, any byte of it may change.
    request(d, &["--key-type", "rsa2048"]);
    let csr = read(&d.join("reporting.csr"));
    let mut lines: Vec<String> = csr.lines().map(str::to_string).collect();
    let at = lines.len() - 3;
    let flipped: String = lines[at]
        .chars()
        .enumerate()
        .map(|(i, c)| match (i, c) {
            (20, 'A') => 'B',
            (20, _) => 'A',
            (_, c) => c,
        })
        .collect();
    assert_ne!(flipped, lines[at]);
    lines[at] = flipped;
    std::fs::write(d.join("tampered.csr"), lines.join("\n") + "\n").expect("write");
    let (ok, out) = openssl(d, &["req", "-in", "tampered.csr", "-noout", "-verify"]);
    assert!(
        !ok || !out.contains("verify OK"),
        "openssl agrees it is broken: {out}"
    );

    let stderr = run_refused(
        d,
        &[
            "keyutility",
            "reporting-tls-issue",
            "tampered.csr",
            "reporting.crt",
            "tanium.pvk",
        ],
    );
    assert!(stderr.contains("signature"), "{stderr}");
}

#[test]
fn issue_refuses_an_rsa_1024_csr() {
    let dir = scratch();
    let d = dir.path();
    root_material(d);
    let (ok, out) = openssl(
        d,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:1024",
            "-nodes",
            "-keyout",
            "weak.pvk",
            "-out",
            "weak.csr",
            "-subj",
            "/CN=zs01.example",
        ],
    );
    assert!(ok, "{out}");
    let stderr = run_refused(
        d,
        &[
            "keyutility",
            "reporting-tls-issue",
            "weak.csr",
            "reporting.crt",
            "tanium.pvk",
        ],
    );
    assert!(stderr.contains("1024"), "{stderr}");
}

#[test]
fn issue_refuses_without_the_root_certificate_beside_the_key() {
    let dir = issuing_dir();
    let d = dir.path();
    std::fs::create_dir(d.join("keys")).expect("keys dir");
    std::fs::copy(d.join("tanium.pvk"), d.join("keys/tanium.pvk")).expect("copy key");
    let stderr = run_refused(
        d,
        &[
            "keyutility",
            "reporting-tls-issue",
            "reporting.csr",
            "reporting.crt",
            "keys/tanium.pvk",
        ],
    );
    assert!(stderr.contains("tanium-root.crt"), "{stderr}");
}

#[test]
fn issue_refuses_an_existing_output_file() {
    let dir = issuing_dir();
    let d = dir.path();
    std::fs::write(d.join("reporting.crt"), "keep me\n").expect("write");
    let stderr = run_refused(
        d,
        &[
            "keyutility",
            "reporting-tls-issue",
            "reporting.csr",
            "reporting.crt",
            "tanium.pvk",
        ],
    );
    assert!(stderr.contains("reporting.crt"), "{stderr}");
    assert_eq!(read(&d.join("reporting.crt")), "keep me\n");
}

#[test]
fn issue_refuses_a_private_key_given_as_the_csr() {
    let dir = issuing_dir();
    let d = dir.path();
    let stderr = run_refused(
        d,
        &[
            "keyutility",
            "reporting-tls-issue",
            "reporting.pvk",
            "reporting.crt",
            "tanium.pvk",
        ],
    );
    assert!(stderr.contains("private key"), "{stderr}");
    let key = read(&d.join("reporting.pvk"));
    for line in key.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!stderr.contains(line), "the key is echoed: {stderr}");
    }
}

/// A request cut short, or damaged, is refused in words, never in the parser's own terms.
#[test]
fn issue_refuses_a_cut_or_damaged_csr_in_words() {
    let dir = scratch();
    let d = dir.path();
    root_material(d);
    request(d, &[]);
    let body: String = read(&d.join("reporting.csr"))
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let pem = |b64: &str| {
        format!("-----BEGIN CERTIFICATE REQUEST-----\n{b64}\n-----END CERTIFICATE REQUEST-----\n")
    };
    std::fs::write(d.join("cut.csr"), pem(&body[..body.len() / 2 / 4 * 4])).expect("write");
    std::fs::write(d.join("damaged.csr"), pem("AAAAAAAAAAAA")).expect("write");
    for (file, words) in [("cut.csr", "cut short"), ("damaged.csr", "damaged")] {
        let args = [
            "keyutility",
            "reporting-tls-issue",
            file,
            "out.crt",
            "tanium.pvk",
        ];
        let stderr = run_refused(d, &args);
        assert!(stderr.contains(words), "{file}: {stderr}");
        assert!(
            !stderr.contains("NomError") && !stderr.contains("Parsing Error"),
            "{stderr}"
        );
    }
}
