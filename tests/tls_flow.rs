//! The TLS workflow of SPEC §4.2–4.4 on two appliance roots, through the product's own code:
//! CSR on the Zone Server, issuance on the Tanium Server, installation on the Zone Server.
//! Every key, request and certificate is judged by the real OpenSSL.

mod support;

use std::path::Path;

use tanos_menu::appliance::catalogue::{Component, Value};
use tanos_menu::appliance::settings::{self, Settings, SettingsError};
use tanos_menu::appliance::status::{CertState, snapshot};
use tanos_menu::appliance::tls::{self, CertCheck, TlsError};
use tanos_menu::appliance::{Appliance, Layout, incoming};
use tanos_menu::fsutil;
use tanos_menu::pki::KeyType;
use tanos_menu::pki::csr;
use tanos_menu::pki::inspect::Validity;
use time::{Duration, OffsetDateTime};

use support::tls::*;

const PRIVATE_FILE: u32 = 0o600;
const PUBLIC_FILE: u32 = 0o644;
const PRIVATE_DIR: u32 = 0o700;

fn root_fingerprint(app: &Appliance, now: OffsetDateTime) -> String {
    snapshot(app, now)
        .root_fingerprint
        .expect("a root key")
        .expect("a readable root key")
}

fn tls_mode(app: &Appliance) -> Option<Value> {
    Settings::load(app)
        .expect("settings.toml")
        .get(Component::ZoneServer, "ReportingTLSMode")
        .cloned()
}

fn audit_lines(app: &Appliance) -> Vec<String> {
    read(&app.path(Layout::AUDIT))
        .lines()
        .map(str::to_string)
        .collect()
}

/// The audit log holds JSON lines and never key material: no PEM block, no line of any of
/// `secrets` (PEM private keys).
fn assert_audit_clean(app: &Appliance, secrets: &[String]) {
    let log = read(&app.path(Layout::AUDIT));
    assert!(!log.contains("PRIVATE KEY"), "{log}");
    for line in log.lines() {
        assert!(!line.contains("BEGIN"), "{line}");
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
    }
    for secret in secrets {
        for body in pem_body_lines(secret) {
            assert!(
                !log.contains(&body),
                "key material in the audit log: {body}"
            );
        }
    }
}

/// Whether OpenSSL says the certificate at `cert` verifies under `root` (absolute paths).
fn openssl_verifies(root: &Path, cert: &Path, purpose: Option<&str>) -> bool {
    let root = root.to_str().expect("utf-8 path");
    let cert = cert.to_str().expect("utf-8 path");
    let mut args = vec!["verify"];
    if let Some(p) = purpose {
        args.extend(["-purpose", p]);
    }
    args.extend(["-CAfile", root, cert]);
    let out = openssl_output(&args, Path::new("/"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    out.status.success() && stdout.contains(&format!("{cert}: OK"))
}

fn public_of_key(key: &Path) -> String {
    openssl(
        &["pkey", "-pubout", "-in", key.to_str().expect("utf-8")],
        Path::new("/"),
    )
}

fn public_of_cert(cert: &Path) -> String {
    openssl(
        &[
            "x509",
            "-noout",
            "-pubkey",
            "-in",
            cert.to_str().expect("utf-8"),
        ],
        Path::new("/"),
    )
}

/// The value line under "X509v3 Key Usage" in `openssl x509 -text`.
fn key_usage(text: &str) -> String {
    let mut lines = text.lines();
    lines
        .find(|l| l.contains("X509v3 Key Usage"))
        .unwrap_or_else(|| panic!("no key usage:\n{text}"));
    lines.next().expect("key usage value").trim().to_string()
}

/// The fingerprint of a PEM key's public half as OpenSSL computes it, written as the console
/// writes it.
fn openssl_fingerprint(key_pem: &Path, private: bool) -> String {
    let input = if private { "" } else { "-pubin" };
    let b64 = sh(
        &format!(
            "{OPENSSL} pkey {input} -in '{}' -pubout -outform DER | {OPENSSL} dgst -sha256 -binary | base64",
            key_pem.display()
        ),
        Path::new("/"),
    );
    format!("SHA256:{}", b64.trim().trim_end_matches('='))
}

// ---------------------------------------------------------------- the whole flow

#[test]
fn every_key_type_goes_from_csr_to_installed_certificate() {
    let t0 = now();
    let dir = scratch("tls_flow");
    let ts = tanium_server(dir.path(), "ts", "ts01.example", t0);
    let ts_fp = root_fingerprint(&ts, t0);
    let root_crt = ts.path(tls::TS_ROOT_CERT);
    let own_key = bytes(&ts.path(tls::TS_KEY));
    let own_cert = bytes(&ts.path(tls::TS_CERT));
    let root_files: Vec<Vec<u8>> = [tls::TS_ROOT_KEY, tls::TS_ROOT_PUB, tls::TS_ROOT_CERT]
        .iter()
        .map(|rel| bytes(&ts.path(rel)))
        .collect();

    for (i, key_type) in KeyType::ALL.into_iter().enumerate() {
        let label = key_type.label();
        let zs = zone_server(dir.path(), &format!("zs-{i}"), t0);

        // ---- Étape 1: key and CSR on the Zone Server.
        let new = csr::generate_csr(&request(key_type)).expect("generate csr");
        let files = tls::write_new_csr(&zs, &new, t0).expect("write new csr");
        assert_eq!(files, [tls::ZS_KEY, tls::ZS_CSR, tls::OUT_CSR], "{label}");
        assert_eq!(mode(&zs.path(tls::ZS_KEY)), PRIVATE_FILE, "{label}");
        assert_eq!(mode(&zs.path(Layout::ZONE_DIR)), PRIVATE_DIR, "{label}");
        assert_eq!(mode(&zs.path(tls::ZS_CSR)), PUBLIC_FILE, "{label}");
        assert_eq!(read(&zs.path(tls::ZS_KEY)), *new.key_pem, "{label}");
        let csr_text = read(&zs.path(tls::ZS_CSR));
        assert_eq!(csr_text, new.csr_pem, "{label}");
        assert_eq!(
            bytes(&zs.path(tls::OUT_CSR)),
            bytes(&zs.path(tls::ZS_CSR)),
            "{label}: the outgoing copy is identical"
        );
        assert!(
            csr_text.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"),
            "{csr_text}"
        );
        assert_eq!(
            openssl_fingerprint(&zs.path(tls::ZS_KEY), true),
            new.key_fingerprint,
            "{label}: the console shows OpenSSL's fingerprint of the key"
        );

        let verify = openssl_output(&["req", "-verify", "-noout", "-in", tls::ZS_CSR], &zs.root);
        assert!(
            verify.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&verify.stderr)
        );
        let text = openssl(&["req", "-noout", "-text", "-in", tls::ZS_CSR], &zs.root);
        for want in [
            "Subject: CN = zs01.example",
            "DNS:zs01.example",
            "DNS:*.zone.example",
            "IP Address:10.0.0.5",
            "IP Address:0:0:0:0:0:0:0:1",
        ] {
            assert!(text.contains(want), "{label}: {want:?} missing:\n{text}");
        }
        let key_line = match key_type.rsa_bits() {
            Some(bits) => format!("Public-Key: ({bits} bit)"),
            None if key_type == KeyType::EcdsaP256 => "NIST CURVE: P-256".to_string(),
            None => "NIST CURVE: P-384".to_string(),
        };
        assert!(text.contains(&key_line), "{label}: {key_line}:\n{text}");

        // ---- Étape 2: the Tanium Server takes the CSR from /incoming and issues.
        let name = format!("zs-{i}.csr");
        copy(
            &zs.path(tls::OUT_CSR),
            &ts.path(Layout::INCOMING).join(&name),
        );
        let listed = incoming::list(&ts, ".csr").expect("list /incoming").names;
        assert!(listed.contains(&name), "{label}: {listed:?}");
        let incoming_text = incoming::read(&ts, &name).expect("read /incoming");
        assert_eq!(incoming_text, csr_text, "{label}");
        let checked = csr::check_csr(&incoming_text).expect("a good CSR");
        assert_eq!(checked.common_name, ZS_HOST, "{label}");
        assert_eq!(
            checked.dns_names,
            ["zs01.example", "*.zone.example"],
            "{label}"
        );
        assert_eq!(
            checked.ips,
            [
                "10.0.0.5".parse::<std::net::IpAddr>().expect("ip"),
                "::1".parse().expect("ip")
            ],
            "{label}"
        );
        assert_eq!(checked.key_description, label);
        assert_eq!(checked.rsa, key_type.rsa_bits().is_some(), "{label}");
        assert_eq!(checked.fingerprint, new.key_fingerprint, "{label}");

        let issued = tanos_menu::appliance::issuance::issue_from_csr(&ts, &checked, 3650, t0)
            .expect("issue");
        let out_cert = ts.path(tls::OUT_CERT);
        assert_eq!(read(&out_cert), issued.cert_pem, "{label}");
        assert_eq!(mode(&out_cert), PUBLIC_FILE, "{label}");
        assert_eq!(
            read(&ts.path(tls::OUT_ROOT)),
            read(&ts.path(tls::TS_ROOT_PUB)),
            "{label}: tanium.pub goes out beside the certificate"
        );
        assert_eq!(bytes(&ts.path(tls::TS_CERT)), own_cert, "{label}: own cert");
        assert_eq!(bytes(&ts.path(tls::TS_KEY)), own_key, "{label}: own key");
        assert_eq!(issued.summary.subject, "CN=zs01.example", "{label}");
        assert_eq!(issued.summary.key_fingerprint, new.key_fingerprint);
        let mut records = support::tls::ledger_records(&ts);
        records.reverse();
        assert_eq!(records.len(), i + 1, "{label}: {records:?}");
        assert_eq!(
            records[0].serial, issued.summary.serial,
            "{label}: newest first"
        );
        assert_eq!(records[0].subject, "CN=zs01.example", "{label}");
        assert_eq!(records[0].key_fingerprint, new.key_fingerprint, "{label}");
        let due = t0 + Duration::days(3650);
        assert!(
            (issued.summary.not_after - due).abs() <= Duration::seconds(1),
            "{label}: not after {} instead of {due}",
            issued.summary.not_after
        );

        // The outside judge on the issued certificate.
        assert!(openssl_verifies(&root_crt, &out_cert, None), "{label}");
        for purpose in ["sslserver", "sslclient"] {
            assert!(
                openssl_verifies(&root_crt, &out_cert, Some(purpose)),
                "{label}: {purpose}"
            );
        }
        assert_eq!(
            public_of_cert(&out_cert),
            public_of_key(&zs.path(tls::ZS_KEY)),
            "{label}: the certificate carries the Zone Server's key"
        );
        let end = openssl(
            &["x509", "-noout", "-enddate", "-in", tls::OUT_CERT],
            &ts.root,
        );
        assert!(
            end.starts_with("notAfter=") && end.contains(&format!(" {} GMT", due.year())),
            "{label}: {end}"
        );
        let day = 86_400;
        let still_valid = openssl_output(
            &[
                "x509",
                "-noout",
                "-checkend",
                &(3649 * day).to_string(),
                "-in",
                tls::OUT_CERT,
            ],
            &ts.root,
        );
        assert!(
            still_valid.status.success(),
            "{label}: expires before 3649 days"
        );
        let gone = openssl_output(
            &[
                "x509",
                "-noout",
                "-checkend",
                &(3651 * day).to_string(),
                "-in",
                tls::OUT_CERT,
            ],
            &ts.root,
        );
        assert!(
            !gone.status.success(),
            "{label}: still valid after 3651 days"
        );
        let cert_text = openssl(&["x509", "-noout", "-text", "-in", tls::OUT_CERT], &ts.root);
        for want in [
            "TLS Web Server Authentication, TLS Web Client Authentication",
            "CA:FALSE",
            "Subject: CN = zs01.example",
            "Issuer: O = Tanium, CN = Tanium Root ts01.example",
            "DNS:zs01.example",
            "DNS:*.zone.example",
            "IP Address:10.0.0.5",
        ] {
            assert!(cert_text.contains(want), "{label}: {want:?}:\n{cert_text}");
        }
        let usage = key_usage(&cert_text);
        if key_type.rsa_bits().is_some() {
            assert!(usage.contains("Digital Signature"), "{label}: {usage}");
            assert!(usage.contains("Key Encipherment"), "{label}: {usage}");
        } else {
            assert_eq!(usage, "Digital Signature", "{label}");
        }

        // ---- Étape 3 (a): the Zone Server trusts tanium.pub and installs.
        assert_eq!(
            tls_mode(&zs),
            Some(Value::Dword(0)),
            "{label}: the 7.3 default"
        );
        let fp = tls::import_trusted_root(&zs, &read(&ts.path(tls::OUT_ROOT))).expect("trust");
        assert_eq!(fp, ts_fp, "{label}");
        assert_eq!(root_fingerprint(&zs, t0), ts_fp, "{label}");
        let cert_pem = read(&out_cert);
        let summary = match tls::check_for_install(&zs, &cert_pem, t0).expect("check") {
            CertCheck::Ready(summary) => summary,
            other => panic!("{label}: {other:?}"),
        };
        assert_eq!(summary.serial, issued.summary.serial, "{label}");
        assert_eq!(summary.subject, "CN=zs01.example", "{label}");
        let installed = tls::install_certificate(&zs, &cert_pem, None, t0).expect("install");
        assert_eq!(installed, summary, "{label}");
        let zs_cert = zs.path(tls::ZS_CERT);
        assert_eq!(mode(&zs_cert), PUBLIC_FILE, "{label}");
        assert!(openssl_verifies(&root_crt, &zs_cert, None), "{label}");
        assert_eq!(
            public_of_cert(&zs_cert),
            public_of_cert(&out_cert),
            "{label}"
        );
        let serial = |p: &Path| {
            openssl(
                &[
                    "x509",
                    "-noout",
                    "-serial",
                    "-in",
                    p.to_str().expect("utf-8"),
                ],
                Path::new("/"),
            )
        };
        assert_eq!(serial(&zs_cert), serial(&out_cert), "{label}");
        match snapshot(&zs, t0).cert {
            CertState::Installed { summary, validity } => {
                assert_eq!(validity, Validity::Valid, "{label}");
                assert_eq!(summary.subject, "CN=zs01.example", "{label}");
                assert_eq!(summary.serial, issued.summary.serial, "{label}");
            }
            other => panic!("{label}: {other:?}"),
        }
        assert_eq!(tls_mode(&zs), Some(Value::Dword(2)), "{label}");
        assert_eq!(snapshot(&zs, t0).tls_mode, Some(Value::Dword(2)), "{label}");
        let log = audit_lines(&zs);
        for action in ["\"csr.generate\"", "\"root.trust\"", "\"cert.install\""] {
            assert!(
                log.iter().any(|l| l.contains(action)),
                "{label}: {action}: {log:?}"
            );
        }
        assert_audit_clean(&zs, &[new.key_pem.to_string()]);
    }

    let root_after: Vec<Vec<u8>> = [tls::TS_ROOT_KEY, tls::TS_ROOT_PUB, tls::TS_ROOT_CERT]
        .iter()
        .map(|rel| bytes(&ts.path(rel)))
        .collect();
    assert_eq!(
        root_after, root_files,
        "the root key pair is never rewritten"
    );
    let issues = audit_lines(&ts)
        .iter()
        .filter(|l| l.contains("\"cert.issue\""))
        .count();
    assert_eq!(issues, KeyType::ALL.len());
    assert_audit_clean(
        &ts,
        &[
            read(&ts.path(tls::TS_ROOT_KEY)),
            read(&ts.path(tls::TS_KEY)),
        ],
    );
}

/// A Tanium Server and a Zone Server with a P-256 key whose certificate was issued.
fn issued_pair(dir: &Path, t0: OffsetDateTime) -> (Appliance, Appliance, String) {
    let ts = tanium_server(dir, "ts", "ts01.example", t0);
    let zs = zone_server(dir, "zs", t0);
    new_csr(&zs, KeyType::EcdsaP256, t0);
    let issued = issue_via_incoming(&ts, &zs, "reporting.csr", 3650, t0);
    (ts, zs, issued.cert_pem)
}

#[test]
fn without_a_trusted_root_the_operator_compares_the_fingerprint() {
    let t0 = now();
    let dir = scratch("tls_flow");
    let (ts, zs, _) = issued_pair(dir.path(), t0);
    let ts_fp = root_fingerprint(&ts, t0);
    // What an SFTP pull of the Tanium Server's /outgoing leaves in the Zone Server's /incoming.
    for name in ["reporting.crt", "tanium.pub"] {
        copy(
            &ts.path(Layout::OUTGOING).join(name),
            &zs.path(Layout::INCOMING).join(name),
        );
    }
    assert_eq!(
        snapshot(&zs, t0).root_fingerprint,
        None,
        "nothing trusted yet"
    );
    let text = incoming::read(&zs, "reporting.crt").expect("read /incoming/reporting.crt");

    let before = tree(dir.path());
    let (summary, candidate) = match tls::check_for_install(&zs, &text, t0).expect("check") {
        CertCheck::NeedsTrust {
            summary, candidate, ..
        } => (summary, candidate),
        other => panic!("{other:?}"),
    };
    assert_eq!(tree(dir.path()), before, "checking writes nothing");
    assert_eq!(
        candidate.fingerprint, ts_fp,
        "what Tanium Status shows on the server"
    );
    assert_eq!(
        candidate.fingerprint,
        openssl_fingerprint(&ts.path(tls::TS_ROOT_PUB), false)
    );
    assert_eq!(summary.subject, "CN=zs01.example");

    let installed =
        tls::install_certificate(&zs, &text, Some(&candidate), t0).expect("install with trust");
    assert_eq!(installed, summary);
    assert_eq!(
        read(&zs.path(tls::ZS_ROOT)),
        read(&ts.path(tls::TS_ROOT_PUB)),
        "the accepted key is stored as zoneserver/tanium.pub"
    );
    assert_eq!(mode(&zs.path(tls::ZS_ROOT)), PUBLIC_FILE);
    assert_eq!(root_fingerprint(&zs, t0), ts_fp);
    assert!(openssl_verifies(
        &ts.path(tls::TS_ROOT_CERT),
        &zs.path(tls::ZS_CERT),
        None
    ));
    assert!(matches!(
        snapshot(&zs, t0).cert,
        CertState::Installed {
            validity: Validity::Valid,
            ..
        }
    ));
    // From now on the stored root is used, whatever lies in /incoming.
    assert!(matches!(
        tls::check_for_install(&zs, &text, t0).expect("check"),
        CertCheck::Ready(_)
    ));
    let log = read(&zs.path(Layout::AUDIT));
    assert!(
        log.contains("\"cert.install\"") && log.contains(&ts_fp),
        "{log}"
    );
    assert_audit_clean(&zs, &[read(&zs.path(tls::ZS_KEY))]);
}

#[test]
fn without_any_root_nothing_is_installed() {
    let t0 = now();
    let dir = scratch("tls_flow");
    let (_ts, zs, cert_pem) = issued_pair(dir.path(), t0);
    let before = tree(dir.path());
    let err = tls::check_for_install(&zs, &cert_pem, t0).expect_err("no root");
    assert!(matches!(err, TlsError::NoRoot), "{err:?}");
    assert!(
        err.to_string().contains("no trusted Tanium root key"),
        "{err}"
    );
    let err = tls::install_certificate(&zs, &cert_pem, None, t0).expect_err("no root");
    assert!(matches!(err, TlsError::NoRoot), "{err:?}");
    assert_eq!(changed(&before, &tree(dir.path())), Vec::<String>::new());
    assert!(!zs.path(tls::ZS_CERT).exists());
    assert_eq!(tls_mode(&zs), Some(Value::Dword(0)));
}

#[test]
fn an_operator_tls_mode_is_kept() {
    let t0 = now();
    let dir = scratch("tls_flow");
    let (ts, zs, cert_pem) = issued_pair(dir.path(), t0);
    tls::import_trusted_root(&zs, &read(&ts.path(tls::TS_ROOT_PUB))).expect("trust");

    // 1 (required) is a risky value: refused unconfirmed, saved once confirmed.
    let err = settings::set(&zs, Component::ZoneServer, "ReportingTLSMode", "1", false)
        .expect_err("needs confirmation");
    assert!(
        matches!(err, SettingsError::NeedsConfirmation { .. }),
        "{err:?}"
    );
    assert_eq!(tls_mode(&zs), Some(Value::Dword(0)));
    settings::set(&zs, Component::ZoneServer, "ReportingTLSMode", "1", true).expect("set 1");
    assert_eq!(tls_mode(&zs), Some(Value::Dword(1)));

    tls::install_certificate(&zs, &cert_pem, None, t0).expect("install");
    assert_eq!(
        tls_mode(&zs),
        Some(Value::Dword(1)),
        "the operator's choice stays"
    );
    assert_eq!(snapshot(&zs, t0).tls_mode, Some(Value::Dword(1)));
}

#[test]
fn a_second_install_keeps_the_previous_certificate() {
    let t0 = now();
    let dir = scratch("tls_flow");
    let (ts, zs, first) = issued_pair(dir.path(), t0);
    tls::import_trusted_root(&zs, &read(&ts.path(tls::TS_ROOT_PUB))).expect("trust");
    let installs = |zs: &Appliance| {
        audit_lines(zs)
            .into_iter()
            .filter(|l| l.contains("\"cert.install\""))
            .collect::<Vec<_>>()
    };
    let lines_before = audit_lines(&zs).len();
    tls::install_certificate(&zs, &first, None, t0).expect("first install");
    let installed_first = bytes(&zs.path(tls::ZS_CERT));
    assert_eq!(installs(&zs).len(), 1);
    // The install and the ReportingTLSMode default it set.
    let lines_first = audit_lines(&zs).len();
    assert_eq!(lines_first, lines_before + 2);
    assert!(
        audit_lines(&zs)
            .iter()
            .any(|l| l.contains("\"settings.set\"") && l.contains("ReportingTLSMode")),
        "{:?}",
        audit_lines(&zs)
    );

    // A renewal an hour later, issued from the same CSR.
    let t1 = t0 + Duration::hours(1);
    let second = issue_via_incoming(&ts, &zs, "renew.csr", 3650, t1);
    let summary = tls::install_certificate(&zs, &second.cert_pem, None, t1).expect("second");
    assert_eq!(summary.serial, second.summary.serial);
    let records = support::tls::ledger_records(&ts);
    assert_ne!(summary.serial, records[records.len() - 2].serial);

    let backup = zs.path(&format!("{}.{}.bak", tls::ZS_CERT, fsutil::stamp(t1)));
    assert_eq!(
        bytes(&backup),
        installed_first,
        "the previous certificate is kept"
    );
    assert_eq!(mode(&backup), PUBLIC_FILE);
    assert_ne!(bytes(&zs.path(tls::ZS_CERT)), installed_first);
    match snapshot(&zs, t1).cert {
        CertState::Installed { summary, validity } => {
            assert_eq!(validity, Validity::Valid);
            assert_eq!(summary.serial, second.summary.serial);
        }
        other => panic!("{other:?}"),
    }
    // The mode is 2 already: only the install is logged.
    assert_eq!(audit_lines(&zs).len(), lines_first + 1);
    let log = installs(&zs);
    assert_eq!(log.len(), 2);
    let last = log.last().expect("a line");
    assert!(last.contains("\"cert.install\""), "{last}");
    assert!(last.contains(&second.summary.serial), "{last}");
    assert!(
        last.contains(&format!("reporting.crt.{}.bak", fsutil::stamp(t1))),
        "the backup is named: {last}"
    );
    assert_audit_clean(&zs, &[read(&zs.path(tls::ZS_KEY))]);
}

#[test]
fn regenerating_the_server_tls_keeps_the_old_pair() {
    let t0 = now();
    let dir = scratch("tls_flow");
    let ts = tanium_server(dir.path(), "ts", "ts01.example", t0);
    let old_key = bytes(&ts.path(tls::TS_KEY));
    let old_cert = bytes(&ts.path(tls::TS_CERT));
    let root_key = bytes(&ts.path(tls::TS_ROOT_KEY));
    let root_cert = bytes(&ts.path(tls::TS_ROOT_CERT));

    let t1 = t0 + Duration::minutes(1);
    let summary = tls::regenerate_server_tls(&ts, t1).expect("regenerate");
    assert_eq!(summary.subject, "CN=ts01.example");

    let key_bak = ts.path(&format!("{}.{}.bak", tls::TS_KEY, fsutil::stamp(t1)));
    let cert_bak = ts.path(&format!("{}.{}.bak", tls::TS_CERT, fsutil::stamp(t1)));
    assert_eq!(bytes(&key_bak), old_key);
    assert_eq!(mode(&key_bak), PRIVATE_FILE, "a key backup stays private");
    assert_eq!(bytes(&cert_bak), old_cert);
    assert_eq!(mode(&cert_bak), PUBLIC_FILE);
    assert_ne!(bytes(&ts.path(tls::TS_KEY)), old_key);
    assert_ne!(bytes(&ts.path(tls::TS_CERT)), old_cert);
    assert_eq!(mode(&ts.path(tls::TS_KEY)), PRIVATE_FILE);
    assert_eq!(bytes(&ts.path(tls::TS_ROOT_KEY)), root_key);
    assert_eq!(bytes(&ts.path(tls::TS_ROOT_CERT)), root_cert);

    assert!(openssl_verifies(
        &ts.path(tls::TS_ROOT_CERT),
        &ts.path(tls::TS_CERT),
        Some("sslserver")
    ));
    assert_eq!(
        public_of_cert(&ts.path(tls::TS_CERT)),
        public_of_key(&ts.path(tls::TS_KEY)),
        "the new key matches the new certificate"
    );
    assert_ne!(
        public_of_key(&ts.path(tls::TS_KEY)),
        public_of_key(&key_bak),
        "a new key, not the old one re-signed"
    );
    match snapshot(&ts, t1).cert {
        CertState::Installed {
            summary: s,
            validity,
        } => {
            assert_eq!(validity, Validity::Valid);
            assert_eq!(s.serial, summary.serial);
        }
        other => panic!("{other:?}"),
    }
    let log = read(&ts.path(Layout::AUDIT));
    assert!(log.contains("\"tls.regenerate\""), "{log}");
    assert_audit_clean(
        &ts,
        &[
            read(&ts.path(tls::TS_KEY)),
            read(&key_bak),
            read(&ts.path(tls::TS_ROOT_KEY)),
        ],
    );
}

#[test]
fn a_new_csr_keeps_the_previous_key() {
    let t0 = now();
    let dir = scratch("tls_flow");
    let (ts, zs, first_cert) = issued_pair(dir.path(), t0);
    tls::import_trusted_root(&zs, &read(&ts.path(tls::TS_ROOT_PUB))).expect("trust");
    tls::install_certificate(&zs, &first_cert, None, t0).expect("install");
    let first_key = read(&zs.path(tls::ZS_KEY));
    let first_csr = read(&zs.path(tls::ZS_CSR));

    let t1 = t0 + Duration::seconds(1);
    let second = csr::generate_csr(&request(KeyType::EcdsaP384)).expect("csr");
    let files = tls::write_new_csr(&zs, &second, t1).expect("write");
    let key_bak = format!("{}.{}.bak", tls::ZS_KEY, fsutil::stamp(t1));
    let csr_bak = format!("{}.{}.bak", tls::ZS_CSR, fsutil::stamp(t1));
    assert_eq!(
        files,
        [
            key_bak.as_str(),
            csr_bak.as_str(),
            tls::ZS_KEY,
            tls::ZS_CSR,
            tls::OUT_CSR
        ]
    );
    assert_eq!(read(&zs.path(&key_bak)), first_key);
    assert_eq!(mode(&zs.path(&key_bak)), PRIVATE_FILE);
    assert_eq!(read(&zs.path(&csr_bak)), first_csr);
    assert_eq!(read(&zs.path(tls::ZS_KEY)), *second.key_pem);
    assert_eq!(mode(&zs.path(tls::ZS_KEY)), PRIVATE_FILE);
    assert_eq!(read(&zs.path(tls::OUT_CSR)), second.csr_pem);
    openssl(&["req", "-verify", "-noout", "-in", tls::OUT_CSR], &zs.root);

    // The installed certificate names the old key now: installing it again is refused.
    let err = tls::check_for_install(&zs, &first_cert, t1).expect_err("old key");
    assert!(err.to_string().contains("is for another key"), "{err}");

    // A third CSR in the same second: both earlier keys survive among the backups.
    let third = csr::generate_csr(&request(KeyType::EcdsaP256)).expect("csr");
    tls::write_new_csr(&zs, &third, t1).expect("write");
    let mut kept = Vec::new();
    for entry in std::fs::read_dir(zs.path(Layout::ZONE_DIR)).expect("zoneserver/") {
        let entry = entry.expect("entry");
        let name = entry.file_name().into_string().expect("utf-8 name");
        if name.starts_with("reporting.pvk.") && name.ends_with(".bak") {
            assert_eq!(mode(&entry.path()), PRIVATE_FILE, "{name}");
            kept.push(read(&entry.path()));
        }
    }
    kept.sort();
    let mut want = vec![first_key, second.key_pem.to_string()];
    want.sort();
    assert_eq!(kept, want, "every replaced key is kept once");
    assert_audit_clean(
        &zs,
        &[second.key_pem.to_string(), third.key_pem.to_string()],
    );
}

/// The backups' names above come from the product's own stamp; its shape is pinned here:
/// zero-padded, sortable, one per second.
#[test]
fn backup_stamps_sort_by_time() {
    let at = |s: i64| OffsetDateTime::from_unix_timestamp(s).expect("a time");
    // 2026-03-04 05:06:07 UTC
    assert_eq!(fsutil::stamp(at(1_772_600_767)), "20260304-050607");
    assert_eq!(fsutil::stamp(at(0)), "19700101-000000");
    let times = [0, 59, 60, 3_599, 86_399, 86_400, 1_772_600_767];
    let stamps: Vec<String> = times.iter().map(|&s| fsutil::stamp(at(s))).collect();
    assert!(stamps.windows(2).all(|w| w[0] < w[1]), "{stamps:?}");
}
