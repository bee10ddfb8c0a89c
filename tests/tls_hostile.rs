//! Hostile input to every parser of the TLS workflow (SPEC §4.3, §4.4; STYLE "Bad input"):
//! each case asserts the operator's message and that no file under any appliance root
//! changed, not a byte and not a mode.

mod support;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};

use tanos_menu::appliance::status::snapshot;
use tanos_menu::appliance::tls::{self, TlsError};
use tanos_menu::appliance::{Appliance, Layout, incoming};
use tanos_menu::date::date;
use tanos_menu::pki::csr::{self, CheckedCsr, CsrError};
use tanos_menu::pki::issue::{self, LeafRequest};
use tanos_menu::pki::{KeyType, TrustedKey, to_pem};
use time::{Duration, OffsetDateTime};

use support::tls::*;

const TEN_MB: usize = 10 * 1024 * 1024;

/// Two Tanium Servers and three Zone Servers, and the PEM texts the cases are made of.
struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    t0: OffsetDateTime,
    ts: Appliance,
    /// A Zone Server with a P-256 key that trusts `ts`.
    zs: Appliance,
    /// A Zone Server that trusts `ts` but has no reporting.pvk.
    zs_nokey: Appliance,
    /// A Zone Server with a key, no trusted root, and the other server's tanium.pub in
    /// /incoming.
    zs_stranger: Appliance,
    ts_fp: String,
    other_fp: String,
    checked: CheckedCsr,
    csr: String,
    cert: String,
    stranger_cert: String,
    trusted: TrustedKey,
    other_key_cert: String,
    other_root_cert: String,
    expired_cert: String,
    expired_on: String,
    future_cert: String,
    valid_from: String,
    /// Every private key on the appliances: never to be echoed in a message.
    secrets: Vec<String>,
}

/// A CSR made by OpenSSL itself (keys it throws away).
fn openssl_csr(args: &str, cwd: &Path) -> String {
    let csr = sh(
        &format!("{OPENSSL} req -new -nodes -keyout /dev/null {args} 2>/dev/null"),
        cwd,
    );
    assert!(
        csr.starts_with("-----BEGIN CERTIFICATE REQUEST-----"),
        "{args}: {csr}"
    );
    csr
}

/// The PEM block of `text` with its DER changed by `f`, re-encoded.
fn mangle(text: &str, f: impl FnOnce(&mut Vec<u8>)) -> String {
    let block = pem::parse(text).expect("a PEM block");
    let mut der = block.contents().to_vec();
    f(&mut der);
    to_pem(block.tag(), &der)
}

/// The PEM text with one base64 character of its second body line replaced by `%`.
fn bad_base64(text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[2].replace_range(10..11, "%");
    lines.join("\n") + "\n"
}

fn cut_in_the_middle(text: &str) -> String {
    text[..text.len() / 2].to_string()
}

impl Fixture {
    fn new() -> Fixture {
        let t0 = now();
        let dir = scratch("tls_hostile");
        let d = dir.path();
        // Made 90 days ago, so its root can also sign the certificate that expired since.
        let ts = tanium_server(d, "ts", "ts01.example", t0 - Duration::days(90));
        let other = tanium_server(d, "other", "ts02.example", t0);
        let zs = zone_server(d, "zs", t0);
        let zs_nokey = zone_server(d, "zs-nokey", t0);
        let zs_stranger = zone_server(d, "zs-stranger", t0);
        let ts_pub = read(&ts.path(tls::TS_ROOT_PUB));
        for z in [&zs, &zs_nokey] {
            tls::import_trusted_root(z, &ts_pub).expect("trust");
        }
        copy(
            &other.path(tls::TS_ROOT_PUB),
            &zs_stranger.path(Layout::INCOMING).join("tanium.pub"),
        );

        let new = new_csr(&zs, KeyType::EcdsaP256, t0);
        let csr = new.csr_pem.clone();
        let checked = csr::check_csr(&csr).expect("good csr");
        let cert = tanos_menu::appliance::issuance::issue_from_csr(&ts, &checked, 3650, t0)
            .expect("issue")
            .cert_pem;
        new_csr(&zs_stranger, KeyType::EcdsaP256, t0);
        let stranger_csr = csr::check_csr(&read(&zs_stranger.path(tls::ZS_CSR))).expect("csr");
        let stranger_cert =
            tanos_menu::appliance::issuance::issue_from_csr(&ts, &stranger_csr, 3650, t0)
                .expect("issue")
                .cert_pem;

        let elsewhere = csr::generate_csr(&request(KeyType::EcdsaP256)).expect("csr");
        let elsewhere = csr::check_csr(&elsewhere.csr_pem).expect("csr");
        let other_key_cert =
            tanos_menu::appliance::issuance::issue_from_csr(&ts, &elsewhere, 3650, t0)
                .expect("issue")
                .cert_pem;
        let other_root_cert =
            tanos_menu::appliance::issuance::issue_from_csr(&other, &checked, 3650, t0)
                .expect("issue")
                .cert_pem;
        let expired_cert = tanos_menu::appliance::issuance::issue_from_csr(
            &ts,
            &checked,
            30,
            t0 - Duration::days(60),
        )
        .expect("issue")
        .cert_pem;
        let expired_on = date(t0 - Duration::days(30));
        let later = t0 + Duration::days(30);
        let spki = rcgen::SubjectPublicKeyInfo::from_der(&checked.spki_der).expect("spki");
        let future_cert = issue::sign_leaf(
            &LeafRequest {
                common_name: checked.common_name.clone(),
                dns_names: checked.dns_names.clone(),
                ips: checked.ips.clone(),
                days: 3650,
                rsa: false,
            },
            &spki,
            &read(&ts.path(tls::TS_ROOT_KEY)),
            &read(&ts.path(tls::TS_ROOT_CERT)),
            later,
        )
        .expect("sign");
        let valid_from = date(later - Duration::minutes(5));

        let ts_fp = snapshot(&ts, t0)
            .root_fingerprint
            .expect("root")
            .expect("ok");
        let other_fp = snapshot(&other, t0)
            .root_fingerprint
            .expect("root")
            .expect("ok");
        let trusted = TrustedKey::from_pem(ts_pub.as_bytes()).expect("key");
        let mut secrets = Vec::new();
        for app in [&ts, &other] {
            for rel in [tls::TS_ROOT_KEY, tls::TS_KEY] {
                secrets.push(read(&app.path(rel)));
            }
        }
        for app in [&zs, &zs_stranger] {
            secrets.push(read(&app.path(tls::ZS_KEY)));
        }
        for app in [&ts, &zs] {
            secrets.push(read(&app.path("home/tanadmin/.ssh/id_ed25519")));
        }
        Fixture {
            dir: d.to_path_buf(),
            _dir: dir,
            t0,
            ts,
            zs,
            zs_nokey,
            zs_stranger,
            ts_fp,
            other_fp,
            checked,
            csr,
            cert,
            stranger_cert,
            trusted,
            other_key_cert,
            other_root_cert,
            expired_cert,
            expired_on,
            future_cert,
            valid_from,
            secrets,
        }
    }

    fn tree(&self) -> BTreeMap<PathBuf, Entry> {
        tree(&self.dir)
    }
}

/// Collects every failed expectation, so one run reports them all.
struct Judge<'a> {
    fixture: &'a Fixture,
    before: BTreeMap<PathBuf, Entry>,
    failures: Vec<String>,
    cases: usize,
}

impl Judge<'_> {
    /// `result` must be a refusal whose message holds `want`, echoes no key material, and
    /// leaves every file as it was.
    fn refused<T: Debug, E: std::fmt::Display>(
        &mut self,
        label: &str,
        result: Result<T, E>,
        want: &str,
    ) {
        self.cases += 1;
        match result {
            Ok(v) => self.failures.push(format!("{label}: accepted: {v:?}")),
            Err(e) => {
                let msg = e.to_string();
                if !msg.contains(want) {
                    self.failures
                        .push(format!("{label}: {msg:?} does not contain {want:?}"));
                }
                // A refusal that quotes its input runs long; these never do.
                if msg.len() > 400 {
                    self.failures
                        .push(format!("{label}: {} bytes: {msg:?}", msg.len()));
                }
                for secret in &self.fixture.secrets {
                    if let Some(line) = pem_body_lines(secret)
                        .into_iter()
                        .filter_map(|l| l.get(..16).map(str::to_string))
                        .find(|l| msg.contains(l))
                    {
                        self.failures
                            .push(format!("{label}: key material echoed ({line}): {msg:?}"));
                    }
                }
            }
        }
        let after = self.fixture.tree();
        let diff = changed(&self.before, &after);
        if !diff.is_empty() {
            self.failures
                .push(format!("{label}: files changed: {diff:?}"));
            self.before = after;
        }
    }

    /// A pasted CSR, then the same text read from the Tanium Server's /incoming/`name`.
    fn csr(&mut self, label: &str, text: &str, want: &str, name: &str, want_file: &str) {
        let ts = self.fixture.ts.clone();
        self.refused(&format!("{label} (paste)"), csr::check_csr(text), want);
        let result = incoming::read(&ts, name)
            .map_err(|e| e.to_string())
            .and_then(|t| csr::check_csr(&t).map_err(|e| e.to_string()));
        self.refused(&format!("{label} (/incoming/{name})"), result, want_file);
    }

    /// A certificate pasted on a Zone Server: checking and installing all refuse.
    fn cert_on(&mut self, app: &Appliance, label: &str, text: &str, want: &str) {
        let t0 = self.fixture.t0;
        let trusted = self.fixture.trusted.clone();
        self.refused(
            &format!("{label} (check)"),
            tls::check_for_install(app, text, t0),
            want,
        );
        self.refused(
            &format!("{label} (install)"),
            tls::install_certificate(app, text, None, t0),
            want,
        );
        self.refused(
            &format!("{label} (install, root accepted)"),
            tls::install_certificate(app, text, Some(&trusted), t0),
            want,
        );
    }

    /// A certificate pasted on the Zone Server, then read from its /incoming/`name`.
    fn cert(&mut self, label: &str, text: &str, want: &str, name: &str, want_file: &str) {
        let zs = self.fixture.zs.clone();
        let t0 = self.fixture.t0;
        self.cert_on(&zs, label, text, want);
        let result = incoming::read(&zs, name)
            .map_err(|e| e.to_string())
            .and_then(|t| tls::check_for_install(&zs, &t, t0).map_err(|e| e.to_string()));
        self.refused(&format!("{label} (/incoming/{name})"), result, want_file);
    }
}

#[test]
fn hostile_input_is_refused_and_changes_nothing() {
    let f = Fixture::new();
    let work = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("work dir");
    let w = work.path();

    // ---- what the cases are made of
    let csr_text = f.csr.clone();
    let cert = f.cert.clone();
    let zs_key = read(&f.zs.path(tls::ZS_KEY));
    let root_key = read(&f.ts.path(tls::TS_ROOT_KEY));
    let ssh_key = read(&f.ts.path("home/tanadmin/.ssh/id_ed25519"));
    let ts_pub = read(&f.ts.path(tls::TS_ROOT_PUB));
    let root_cert = read(&f.ts.path(tls::TS_ROOT_CERT));
    let rsa1024 = openssl_csr("-newkey rsa:1024 -subj /CN=x", w);
    sh(
        &format!(
            "{OPENSSL} genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out dsa.param 2>/dev/null"
        ),
        w,
    );
    let dsa = openssl_csr("-newkey dsa:dsa.param -subj /CN=zs01.example", w);
    let p521 = openssl_csr(
        "-newkey ec -pkeyopt ec_paramgen_curve:P-521 -subj /CN=zs01.example",
        w,
    );
    let ed25519 = openssl_csr("-newkey ed25519 -subj /CN=zs01.example", w);
    let p256 = "-newkey ec -pkeyopt ec_paramgen_curve:P-256";
    let bad_dns = openssl_csr(
        &format!("{p256} -subj /CN=zs01.example -addext subjectAltName=DNS:bad_name"),
        w,
    );
    let email_san = openssl_csr(
        &format!("{p256} -subj /CN=zs01.example -addext subjectAltName=email:ops@zs01.example"),
        w,
    );
    let no_cn = openssl_csr(&format!("{p256} -subj /O=Tanium"), w);
    // A terminal escape sequence in the name (it would clear the operator's screen).
    let bad_cn = openssl_csr(
        &format!(r#"{p256} -subj "$(printf '/CN=zs01\033[2Jexample')""#),
        w,
    );
    let broken_csr = mangle(&csr_text, |der| {
        let last = der.len() - 1;
        der[last] ^= 0x01;
    });
    let trailing_csr = mangle(&csr_text, |der| der.extend([0, 0]));
    let broken_cert = mangle(&cert, |der| {
        let last = der.len() - 1;
        der[last] ^= 0x01;
    });
    let trailing_cert = mangle(&cert, |der| der.extend([0, 0]));
    // A key pasted from a terminal that sends CR between lines, or flattened to one line.
    let key_cr = zs_key.replace('\n', "\r");
    let key_one_line = zs_key.replace('\n', " ");
    let big = format!(
        "-----BEGIN CERTIFICATE REQUEST-----\n{}\n-----END CERTIFICATE REQUEST-----\n",
        "A".repeat(TEN_MB)
    );
    let big_len = big.len().to_string();

    let csr_cases: Vec<(&str, String, &str)> = vec![
        ("empty", String::new(), "the text is empty"),
        (
            "whitespace only",
            " \n\t\r\n   \r".into(),
            "the text is empty",
        ),
        (
            "garbage",
            "hello, this is not a certificate request\n".into(),
            "not a PEM certificate request: no -----BEGIN",
        ),
        (
            "truncated PEM",
            cut_in_the_middle(&csr_text),
            "not a PEM certificate request: the -----END",
        ),
        (
            "bad base64",
            bad_base64(&csr_text),
            "not a PEM certificate request",
        ),
        (
            "broken signature",
            broken_csr,
            "the request's signature does not verify",
        ),
        (
            "trailing bytes",
            trailing_csr,
            "could not be decoded: trailing bytes after the request",
        ),
        (
            "RSA 1024",
            rsa1024,
            "RSA 1024-bit keys are too weak: at least 2048 bits are required",
        ),
        ("DSA", dsa, "DSA keys are not allowed"),
        ("P-521", p521, "ECDSA P-521 keys are not allowed"),
        ("Ed25519", ed25519, "Ed25519 keys are not allowed"),
        (
            "bad DNS name",
            bad_dns,
            "invalid name in the request: DNS name 'bad_name': '_' is not allowed",
        ),
        (
            "e-mail name",
            email_san,
            "invalid name in the request: unsupported subject alternative name",
        ),
        (
            "no common name",
            no_cn,
            "the request has no common name (CN)",
        ),
        (
            "escape sequence in the common name",
            bad_cn,
            "invalid name in the request: the common name holds a control character (U+001B)",
        ),
        (
            "reporting key",
            zs_key.clone(),
            "this is a PRIVATE KEY: a private key must never leave its appliance",
        ),
        (
            "root key",
            root_key.clone(),
            "this is a PRIVATE KEY: a private key must never leave its appliance",
        ),
        (
            "ssh key",
            ssh_key.clone(),
            "this is a OPENSSH PRIVATE KEY: a private key must never leave",
        ),
        (
            "key with CR line ends",
            key_cr.clone(),
            "this is a PRIVATE KEY: a private key must never leave",
        ),
        (
            "key on one line",
            key_one_line.clone(),
            "this is a PRIVATE KEY: a private key must never leave",
        ),
        (
            "10 MB",
            big.clone(),
            "a CSR is a few kilobytes (limit 65536)",
        ),
        (
            "two CSRs",
            format!("{csr_text}{csr_text}"),
            "2 PEM blocks were given; paste exactly one certificate request",
        ),
        (
            "certificate and CSR",
            format!("{cert}\n{csr_text}"),
            "2 PEM blocks were given; paste exactly one certificate request",
        ),
        (
            "certificate",
            cert.clone(),
            "expected a CERTIFICATE REQUEST, found a CERTIFICATE",
        ),
        (
            "public key",
            ts_pub.clone(),
            "expected a CERTIFICATE REQUEST, found a PUBLIC KEY",
        ),
    ];

    let cert_cases: Vec<(&str, String, &str)> = vec![
        ("empty", String::new(), "the text is empty"),
        ("whitespace only", "\r\n  \t \n".into(), "the text is empty"),
        (
            "garbage",
            "-----not a certificate at all\n".into(),
            "not a PEM certificate: no -----BEGIN",
        ),
        (
            "truncated PEM",
            cut_in_the_middle(&cert),
            "not a PEM certificate: the -----END",
        ),
        ("bad base64", bad_base64(&cert), "not a PEM certificate: "),
        (
            "for another key",
            f.other_key_cert.clone(),
            "the certificate is for another key",
        ),
        (
            "signed by another root",
            f.other_root_cert.clone(),
            "the certificate was not signed by the trusted Tanium root key (SHA256:",
        ),
        (
            "broken signature",
            broken_cert,
            "the certificate was not signed by the trusted Tanium root key (SHA256:",
        ),
        (
            "trailing bytes",
            trailing_cert,
            "could not be decoded: trailing bytes after the certificate",
        ),
        (
            "expired",
            f.expired_cert.clone(),
            "the certificate expired on ",
        ),
        (
            "not yet valid",
            f.future_cert.clone(),
            "the certificate is not valid before ",
        ),
        (
            "the root certificate",
            root_cert.clone(),
            "the certificate is for another key",
        ),
        (
            "reporting key",
            zs_key.clone(),
            "this is a PRIVATE KEY: a private key must never leave its appliance",
        ),
        (
            "key with CR line ends",
            key_cr.clone(),
            "this is a PRIVATE KEY: a private key must never leave",
        ),
        (
            "10 MB",
            big.replace("CERTIFICATE REQUEST", "CERTIFICATE"),
            "bytes; a certificate is a few kilobytes",
        ),
        (
            "two certificates",
            format!("{cert}{cert}"),
            "2 PEM blocks were given; paste exactly one certificate",
        ),
        (
            "certificate and CSR",
            format!("{cert}{csr_text}"),
            "2 PEM blocks were given; paste exactly one certificate",
        ),
        (
            "CSR",
            csr_text.clone(),
            "expected a CERTIFICATE, found a CERTIFICATE REQUEST",
        ),
        (
            "public key",
            ts_pub.clone(),
            "expected a CERTIFICATE, found a PUBLIC KEY",
        ),
    ];

    // Every text also arrives as a file in /incoming, placed before the snapshot.
    let file_name = |prefix: &str, i: usize, ext: &str| format!("{prefix}-{i:02}.{ext}");
    for (i, (_, text, _)) in csr_cases.iter().enumerate() {
        std::fs::write(
            f.ts.path(Layout::INCOMING)
                .join(file_name("case", i, "csr")),
            text,
        )
        .expect("write");
    }
    for (i, (_, text, _)) in cert_cases.iter().enumerate() {
        std::fs::write(
            f.zs.path(Layout::INCOMING)
                .join(file_name("case", i, "crt")),
            text,
        )
        .expect("write");
    }

    // /incoming traps: a link to the root key, a FIFO, a directory, DER bytes, a big file.
    let incoming_ts = f.ts.path(Layout::INCOMING);
    std::os::unix::fs::symlink(f.ts.path(tls::TS_ROOT_KEY), incoming_ts.join("evil.csr"))
        .expect("symlink");
    std::os::unix::fs::symlink(
        f.ts.path(tls::TS_ROOT_KEY),
        f.zs.path(Layout::INCOMING).join("reporting.crt"),
    )
    .expect("symlink");
    sh("mkfifo pipe.csr", &incoming_ts);
    std::fs::create_dir(incoming_ts.join("folder.csr")).expect("mkdir");
    let der = pem::parse(&csr_text).expect("pem").contents().to_vec();
    std::fs::write(incoming_ts.join("binary.csr"), der).expect("write");
    std::fs::write(incoming_ts.join("large.csr"), "A".repeat(70_000)).expect("write");

    let mut judge = Judge {
        fixture: &f,
        before: f.tree(),
        failures: Vec::new(),
        cases: 0,
    };

    let too_large = "bytes; the limit is 65536";
    for (i, (label, text, want)) in csr_cases.iter().enumerate() {
        let want_file = if text.len() > csr::MAX_PEM_BYTES {
            too_large
        } else {
            want
        };
        let name = file_name("case", i, "csr");
        judge.csr(&format!("CSR {label}"), text, want, &name, want_file);
    }
    for (i, (label, text, want)) in cert_cases.iter().enumerate() {
        let want_file = if text.len() > csr::MAX_PEM_BYTES {
            too_large
        } else {
            want
        };
        let name = file_name("case", i, "crt");
        judge.cert(
            &format!("certificate {label}"),
            text,
            want,
            &name,
            want_file,
        );
    }

    // Exact dates and fingerprints where the message names them.
    let expired = format!("the certificate expired on {}", f.expired_on);
    let zs = f.zs.clone();
    judge.cert_on(&zs, "expired, dated", &f.expired_cert, &expired);
    let future = format!(
        "the certificate is not valid before {}; check the clocks of both appliances",
        f.valid_from
    );
    judge.cert_on(&zs, "not yet valid, dated", &f.future_cert, &future);
    let root = format!(
        "the certificate was not signed by the trusted Tanium root key ({})",
        f.ts_fp
    );
    judge.cert_on(&zs, "other root, named", &f.other_root_cert, &root);
    let counted = format!("the text is {big_len} bytes; a CSR is a few kilobytes (limit 65536)");
    judge.refused("CSR 10 MB, counted", csr::check_csr(&big), &counted);

    // /incoming by name.
    for (name, want) in [
        (
            "evil.csr",
            "/incoming/evil.csr is a symbolic link; only plain files are read",
        ),
        (
            "../tanium/tanium.pvk",
            "'../tanium/tanium.pvk' is not a plain file name in /incoming",
        ),
        ("..", "'..' is not a plain file name in /incoming"),
        ("", "'' is not a plain file name in /incoming"),
        (".hidden.csr", "is not a plain file name in /incoming"),
        (
            "/etc/passwd",
            "'/etc/passwd' is not a plain file name in /incoming",
        ),
        ("pipe.csr", "/incoming/pipe.csr is not a regular file"),
        ("folder.csr", "/incoming/folder.csr is not a regular file"),
        ("absent.csr", "/incoming/absent.csr does not exist"),
        (
            "large.csr",
            "/incoming/large.csr is 70000 bytes; the limit is 65536",
        ),
        ("binary.csr", "cannot read /incoming/binary.csr"),
    ] {
        judge.refused(
            &format!("/incoming/{name}"),
            incoming::read(&f.ts, name),
            want,
        );
    }
    judge.refused(
        "zone /incoming/reporting.crt",
        incoming::read(&f.zs, "reporting.crt"),
        "/incoming/reporting.crt is a symbolic link",
    );
    let listed = incoming::list(&f.ts, ".csr").expect("list").names;
    for hidden in ["evil.csr", "pipe.csr", "folder.csr"] {
        if listed.iter().any(|n| n == hidden) {
            judge
                .failures
                .push(format!("{hidden} is listed: {listed:?}"));
        }
    }
    if !listed.iter().any(|n| n == "binary.csr") {
        judge
            .failures
            .push(format!("a plain file is not listed: {listed:?}"));
    }
    let listed = incoming::list(&f.zs, ".crt").expect("list").names;
    if listed.iter().any(|n| n == "reporting.crt") {
        judge.failures.push(format!("a link is listed: {listed:?}"));
    }

    // The appliance cannot take this step.
    judge.cert_on(
        &f.zs_nokey.clone(),
        "no reporting.pvk",
        &cert,
        "no private key yet: generate the CSR first",
    );
    judge.refused(
        "certificate on the Tanium Server",
        tls::check_for_install(&f.ts, &cert, f.t0),
        "this is a Tanium Server; the step belongs to the other appliance",
    );
    judge.refused(
        "install on the Tanium Server",
        tls::install_certificate(&f.ts, &cert, Some(&f.trusted), f.t0),
        "this is a Tanium Server; the step belongs to the other appliance",
    );
    judge.refused(
        "issue on the Zone Server",
        tanos_menu::appliance::issuance::issue_from_csr(&f.zs, &f.checked, 3650, f.t0),
        "this is a Zone Server; the step belongs to the other appliance",
    );
    judge.refused(
        "trust a private key",
        tls::import_trusted_root(&f.zs, &root_key),
        "a private key (never share it)",
    );
    judge.refused(
        "trust a private key with CR line ends",
        tls::import_trusted_root(&f.zs, &key_cr),
        "not PEM text",
    );
    judge.refused(
        "trust garbage",
        tls::import_trusted_root(&f.zs, "tanium.pub\n"),
        "not PEM text",
    );

    // No trusted root: the key in /incoming is another server's, which did not sign it.
    let stranger = f.zs_stranger.clone();
    let other_root = format!(
        "the certificate was not signed by the trusted Tanium root key ({})",
        f.other_fp
    );
    judge.refused(
        "candidate root that did not sign",
        tls::check_for_install(&stranger, &f.stranger_cert, f.t0),
        &other_root,
    );
    let candidate =
        TrustedKey::from_pem(&bytes(&stranger.path(Layout::INCOMING).join("tanium.pub")))
            .expect("key");
    judge.refused(
        "install trusting that candidate",
        tls::install_certificate(&stranger, &f.stranger_cert, Some(&candidate), f.t0),
        &other_root,
    );
    judge.refused(
        "install with no root accepted",
        tls::install_certificate(&stranger, &f.stranger_cert, None, f.t0),
        "no trusted Tanium root key",
    );

    // Validity the root cannot vouch for.
    for days in [0, -1, i64::MAX, 100_000] {
        judge.refused(
            &format!("issue for {days} days"),
            tanos_menu::appliance::issuance::issue_from_csr(&f.ts, &f.checked, days, f.t0),
            "days is out of range",
        );
    }

    let Judge {
        failures, cases, ..
    } = judge;
    assert!(cases >= 100, "{cases} cases");
    assert!(
        failures.is_empty(),
        "{} of {cases} expectations failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_refusal_is_a_typed_error() {
    // The console matches on these, not on text: the variants behind the messages above.
    let f = Fixture::new();
    assert_eq!(csr::check_csr(""), Err(CsrError::Empty));
    assert_eq!(
        csr::check_csr(&format!("{}{}", f.csr, f.csr)),
        Err(CsrError::SeveralBlocks(2))
    );
    assert!(matches!(
        csr::check_csr(&read(&f.zs.path(tls::ZS_KEY))),
        Err(CsrError::PrivateKey(_))
    ));
    assert!(matches!(
        tls::check_for_install(&f.zs_nokey, &f.cert, f.t0),
        Err(TlsError::NoKey)
    ));
    assert!(matches!(
        tls::check_for_install(&f.zs, &f.expired_cert, f.t0),
        Err(TlsError::Cert(tanos_menu::pki::verify::CertError::Expired(
            _
        )))
    ));
    assert!(matches!(
        tls::check_for_install(&f.zs, &f.other_key_cert, f.t0),
        Err(TlsError::Cert(
            tanos_menu::pki::verify::CertError::OtherKey { .. }
        ))
    ));
    assert!(matches!(
        incoming::read(&f.ts, "../tanium/tanium.pvk"),
        Err(incoming::IncomingError::BadName(_))
    ));
    // And the good inputs the cases were made from are accepted: the refusals are real.
    assert!(csr::check_csr(&f.csr).is_ok());
    assert!(matches!(
        tls::check_for_install(&f.zs, &f.cert, f.t0),
        Ok(tls::CertCheck::Ready(_))
    ));
}
