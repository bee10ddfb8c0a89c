//! What the hub signs and what a Zone Server installs, beyond a signature that verifies:
//! certificates unfit for a TLS server (made with `openssl x509 -req -extfile`), names no
//! certificate should carry, validity past the root's end or under an expired root, a clock
//! at the edge of what a certificate can date, and the refusals that name sizes and types.
//! OpenSSL judges what is issued; every refusal leaves the appliance trees as they were.

mod support;

use std::path::Path;

use tanos_menu::appliance::init::init;
use tanos_menu::appliance::{Appliance, Layout, Platform, Role, incoming, tls};
use tanos_menu::date::date;
use tanos_menu::model::{Key, Msg, Screen, update};
use tanos_menu::pki::csr::{self, CsrError, CsrRequest};
use tanos_menu::pki::issue::{self, LeafRequest, MAX_VALIDITY_DAYS, RootCa};
use tanos_menu::pki::verify::CertError;
use tanos_menu::pki::{CertSummary, KeyType, PkiError, TrustedKey, names};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use support::tls::*;
use support::tree::{assert_unchanged, tree_abs};

const BIN: &str = env!("CARGO_BIN_EXE_tanos-menu");

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A Tanium Server and a Zone Server that trusts it, with a P-256 key and its CSR.
struct Pair {
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
    ts: Appliance,
    zs: Appliance,
}

fn pair(suite: &str) -> Pair {
    let dir = scratch(suite);
    let d = dir.path().to_path_buf();
    let t0 = now();
    let ts = tanium_server(&d, "ts", "ts01.example", t0);
    let zs = zone_server(&d, "zs", t0);
    tls::import_trusted_root(&zs, &read(&ts.path(tls::TS_ROOT_PUB))).expect("trust");
    new_csr(&zs, KeyType::EcdsaP256, t0);
    std::fs::create_dir(d.join("work")).expect("work dir");
    Pair {
        _dir: dir,
        dir: d,
        ts,
        zs,
    }
}

/// The Zone Server's CSR signed by the Tanium Server's root key with OpenSSL, carrying the
/// extensions of `ext` (an OpenSSL extension file; empty for none at all).
fn openssl_signed(p: &Pair, name: &str, ext: &str) -> String {
    let work = p.dir.join("work");
    let out = format!("{name}.crt");
    let (csr, ca, ca_key) = (
        p.zs.path(tls::ZS_CSR),
        p.ts.path(tls::TS_ROOT_CERT),
        p.ts.path(tls::TS_ROOT_KEY),
    );
    let mut args = vec![
        "x509",
        "-req",
        "-in",
        path(&csr),
        "-CA",
        path(&ca),
        "-CAkey",
        path(&ca_key),
        "-set_serial",
        "4242",
        "-days",
        "30",
        "-out",
        &out,
    ];
    let ext_file = format!("{name}.ext");
    if !ext.is_empty() {
        std::fs::write(work.join(&ext_file), ext).expect("write ext file");
        args.extend(["-extfile", &ext_file]);
    }
    openssl(&args, &work);
    // OpenSSL itself finds the chain sound: the refusals below are about the role alone.
    // (It refuses an unknown critical extension as TLS peers do.)
    let verify = openssl_output(&["verify", "-CAfile", path(&ca), &out], &work);
    let said = String::from_utf8_lossy(&verify.stdout).to_string()
        + &String::from_utf8_lossy(&verify.stderr);
    if ext.contains("99999.1=critical") {
        assert!(said.contains("unhandled critical extension"), "{said}");
    } else {
        assert!(verify.status.success(), "openssl verify {name}: {said}");
    }
    read(&work.join(out))
}

#[test]
fn a_zone_server_refuses_certificates_unfit_for_a_tls_server() {
    let p = pair("tls_policy");
    let trusted = TrustedKey::from_pem(read(&p.ts.path(tls::TS_ROOT_PUB)).as_bytes()).expect("key");
    let cases: Vec<(&str, &str, &str)> = vec![
        (
            "ca",
            "basicConstraints=critical,CA:TRUE\n",
            "the certificate is a CA certificate (basic constraints CA:TRUE)",
        ),
        (
            "ca-noncritical",
            "basicConstraints=CA:TRUE,pathlen:0\nkeyUsage=digitalSignature\n",
            "the certificate is a CA certificate (basic constraints CA:TRUE)",
        ),
        (
            "keycertsign",
            "keyUsage=critical,digitalSignature,keyCertSign\n",
            "the certificate's key usage allows signing certificates (keyCertSign)",
        ),
        (
            "crlsign",
            "keyUsage=digitalSignature,cRLSign\n",
            "the certificate's key usage allows signing revocation lists (cRLSign)",
        ),
        (
            "no-digital-signature",
            "keyUsage=keyAgreement\n",
            "the certificate's key usage (Key Agreement) lacks Digital Signature",
        ),
        (
            "codesigning",
            "extendedKeyUsage=codeSigning\n",
            "the certificate's extended key usage (codeSigning) does not include TLS server authentication",
        ),
        (
            "clientauth-only",
            "extendedKeyUsage=clientAuth,emailProtection\n",
            "the certificate's extended key usage (clientAuth, emailProtection) does not include TLS server authentication",
        ),
        (
            "any-eku",
            "extendedKeyUsage=anyExtendedKeyUsage\n",
            "(anyExtendedKeyUsage) does not include TLS server authentication",
        ),
        (
            "unknown-critical",
            "basicConstraints=CA:FALSE\n1.3.6.1.4.1.99999.1=critical,DER:05:00\n",
            "a critical extension this appliance does not know (1.3.6.1.4.1.99999.1)",
        ),
    ];
    // Every refusal reads differently.
    let mut wants: Vec<&str> = cases.iter().map(|(_, _, want)| *want).collect();
    wants.sort_unstable();
    wants.dedup();
    assert_eq!(
        wants.len(),
        cases.len() - 1,
        "one message per kind of refusal"
    );

    let mut failures = Vec::new();
    for (name, ext, want) in &cases {
        let cert = openssl_signed(&p, name, ext);
        std::fs::write(
            p.zs.path(Layout::INCOMING).join(format!("{name}.crt")),
            &cert,
        )
        .expect("place in /incoming");
        let before = tree_abs(&p.dir);
        // OpenSSL dates its certificates from its own start: judged from then on.
        let t0 = now();
        let from_file = incoming::read(&p.zs, &format!("{name}.crt")).expect("read /incoming");
        let results = [
            ("check", tls::check_for_install(&p.zs, &cert, t0).map(drop)),
            (
                "check /incoming",
                tls::check_for_install(&p.zs, &from_file, t0).map(drop),
            ),
            (
                "install",
                tls::install_certificate(&p.zs, &cert, None, t0).map(drop),
            ),
            (
                "install, root accepted",
                tls::install_certificate(&p.zs, &cert, Some(&trusted), t0).map(drop),
            ),
        ];
        for (how, result) in results {
            match result {
                Ok(()) => failures.push(format!("{name} ({how}): installed")),
                Err(e) if !e.to_string().contains(want) => {
                    failures.push(format!("{name} ({how}): {e}"));
                }
                Err(_) => {}
            }
        }
        assert_unchanged(&p.dir, &before, &format!("refusing {name}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The typed errors behind the messages.
    let ca = openssl_signed(&p, "ca-typed", "basicConstraints=CA:TRUE\n");
    assert!(matches!(
        tls::check_for_install(&p.zs, &ca, now()),
        Err(tls::TlsError::Cert(CertError::IsCa))
    ));

    // Fit certificates are installed: a TLS server's usages, or no usages listed at all.
    for (name, ext) in [
        (
            "fit",
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n",
        ),
        ("no-extensions", ""),
    ] {
        let cert = openssl_signed(&p, name, ext);
        let t0 = now();
        let checked = tls::check_for_install(&p.zs, &cert, t0);
        assert!(
            matches!(checked, Ok(tls::CertCheck::Ready(_))),
            "{name} refused: {checked:?}"
        );
        tls::install_certificate(&p.zs, &cert, None, t0).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// A CSR made by OpenSSL with `args` (its key thrown away).
fn openssl_csr(args: &str, cwd: &Path) -> String {
    let csr = sh(
        &format!("{OPENSSL} req -new -nodes -keyout /dev/null -utf8 {args} 2>/dev/null"),
        cwd,
    );
    assert!(
        csr.starts_with("-----BEGIN CERTIFICATE REQUEST-----"),
        "{args}: {csr}"
    );
    csr
}

const P256: &str = "-newkey ec -pkeyopt ec_paramgen_curve:P-256";

fn san_csr(san: &str, cwd: &Path) -> String {
    openssl_csr(
        &format!("{P256} -subj /CN=zs01.example -addext 'subjectAltName={san}'"),
        cwd,
    )
}

#[test]
fn the_hub_refuses_names_no_certificate_should_carry() {
    let p = pair("tls_policy");
    let w = p.dir.join("work");
    let many = |n: usize| {
        (0..n)
            .map(|i| format!("DNS:h{i}.zs01.example"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let cn = |bytes: &str| {
        openssl_csr(
            &format!(r#"{P256} -subj "$(printf '/CN=zs01{bytes}example')""#),
            &w,
        )
    };
    let wildcard = "a wildcard";
    let ip_as_dns = "an IP address is not a DNS name";
    let san = |label: &'static str, ext: &str, want: &'static str| (label, san_csr(ext, &w), want);
    let cases: Vec<(&str, String, &str)> = vec![
        san(
            "*.com",
            "DNS:*.com",
            "a wildcard needs at least two labels after it",
        ),
        san(
            "*",
            "DNS:*",
            "a wildcard needs at least two labels after it",
        ),
        san(
            "a*.example.com",
            "DNS:a*.example.com",
            "a wildcard must be the whole leftmost label",
        ),
        san(
            "*.*.example.com",
            "DNS:*.*.example.com",
            "a wildcard is only allowed as the whole leftmost label",
        ),
        san("foo.*.com", "DNS:foo.*.com", wildcard),
        san(
            "DNS:192.168.1.1",
            "DNS:192.168.1.1",
            "DNS name '192.168.1.1': an IP address is not a DNS name",
        ),
        san("DNS:10.1", "DNS:10.1", ip_as_dns),
        san("DNS:0x7f.1", "DNS:host.0x7f", ip_as_dns),
        san("DNS:2001:db8::1", "DNS:2001:db8::1", ip_as_dns),
        san("DNS:[::1]", "DNS:[::1]", ip_as_dns),
        (
            "2000 names",
            san_csr(&many(2000), &w),
            "2000 alternative names (DNS names and IP addresses) were given; at most 100",
        ),
        (
            "101 names",
            san_csr(&format!("{},IP:10.0.0.1", many(100)), &w),
            "101 alternative names",
        ),
        (
            "right-to-left override",
            cn(r"\342\200\256"),
            "the common name holds an invisible or direction-changing character (U+202E)",
        ),
        ("zero-width space", cn(r"\342\200\213"), "(U+200B)"),
        ("byte order mark", cn(r"\357\273\277"), "(U+FEFF)"),
        ("left-to-right isolate", cn(r"\342\201\246"), "(U+2066)"),
        ("no-break space", cn(r"\302\240"), "(U+00A0)"),
        (
            "C1 control",
            cn(r"\302\233"),
            "a control character (U+009B)",
        ),
        ("BEL", cn(r"\007"), "a control character (U+0007)"),
        (
            "wildcard common name",
            openssl_csr(&format!("{P256} -subj '/CN=*.com'"), &w),
            wildcard,
        ),
        (
            "terminal title in a DNS name",
            openssl_csr(
                &format!(
                    r#"{P256} -subj /CN=zs01.example -addext "$(printf 'subjectAltName=DNS:a\033]0;PWNED\007.example')""#
                ),
                &w,
            ),
            "DNS name 'a\\e]0;PWNED\\x07.example': it holds an invisible or control character (U+001B)",
        ),
        (
            "clipboard write in an e-mail name",
            openssl_csr(
                &format!(
                    r#"{P256} -subj /CN=zs01.example -addext "$(printf 'subjectAltName=email:a\033]52;c;aGk=\007@x.example')""#
                ),
                &w,
            ),
            "unsupported subject alternative name (an e-mail address)",
        ),
        san(
            "invisible in a DNS name",
            "DNS:zs01\u{200B}.example",
            "invisible or control character (U+200B)",
        ),
    ];
    let before = tree_abs(&p.dir);
    let mut failures = Vec::new();
    for (label, text, want) in &cases {
        match csr::check_csr(text) {
            Ok(c) => failures.push(format!(
                "{label}: accepted {:?} {:?}",
                c.common_name, c.dns_names
            )),
            Err(e) if !e.to_string().contains(want) => failures.push(format!("{label}: {e}")),
            Err(e) => {
                let msg = e.to_string();
                // Nothing hidden is echoed back: the character is named by its code.
                if msg
                    .chars()
                    .any(|c| c.is_control() || names::unfit_in_name(c))
                {
                    failures.push(format!("{label}: echoes hidden characters: {msg:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_unchanged(&p.dir, &before, "checking the CSRs");

    // What stays allowed: a proper wildcard, 100 names, a CN written as an IP address.
    for (label, text) in [
        (
            "*.zone.example",
            san_csr("DNS:*.zone.example,DNS:zs01.example", &w),
        ),
        ("100 names", san_csr(&many(100), &w)),
        (
            "IP common name",
            openssl_csr(&format!("{P256} -subj /CN=10.0.0.5"), &w),
        ),
        ("accented common name", cn(r"-\303\251t\303\251.")),
    ] {
        csr::check_csr(&text).unwrap_or_else(|e| panic!("{label}: {e}"));
    }

    // The Zone Server's own CSR follows the same rules.
    let base = CsrRequest {
        common_name: "zs01.example".into(),
        dns_names: Vec::new(),
        ips: Vec::new(),
        key_type: KeyType::EcdsaP256,
    };
    for (label, request, want) in [
        (
            "*.com",
            CsrRequest {
                dns_names: vec!["*.com".into()],
                ..base.clone()
            },
            "at least two labels",
        ),
        (
            "IP as DNS",
            CsrRequest {
                dns_names: vec!["192.168.1.1".into()],
                ..base.clone()
            },
            "an IP address is not a DNS name",
        ),
        (
            "101 names",
            CsrRequest {
                dns_names: (0..101).map(|i| format!("h{i}.example")).collect(),
                ..base.clone()
            },
            "at most 100",
        ),
        (
            "RLO common name",
            CsrRequest {
                common_name: "zs01\u{202E}elpmaxe.example".into(),
                ..base.clone()
            },
            "(U+202E)",
        ),
    ] {
        match csr::generate_csr(&request) {
            Ok(_) => panic!("{label}: a CSR was made"),
            Err(e) => assert!(e.to_string().contains(want), "{label}: {e}"),
        }
    }
    // A common name written as an IP address is no longer copied in as a DNS name.
    let ip_cn = csr::generate_csr(&CsrRequest {
        common_name: "10.0.0.5".into(),
        ..base
    })
    .expect("csr");
    let checked = csr::check_csr(&ip_cn.csr_pem).expect("check");
    assert!(checked.dns_names.is_empty(), "{:?}", checked.dns_names);

    // And the console's CSR form refuses them at the prompt.
    let mut m = support::ui::zone_server();
    support::ui::typed(&mut m, "2\nZ\n1\n\n*.com\n");
    let Screen::Form(form) = m.screen() else {
        panic!("not the form")
    };
    let error = form.error.clone().unwrap_or_default();
    assert!(error.contains("at least two labels"), "{error}");
    support::ui::typed(&mut m, &format!("{}\n", "\u{8}".repeat(5)));
    support::ui::typed(&mut m, "\n10.0.0.1 10.0.0.2\n");
    assert!(
        matches!(m.screen(), Screen::Form(f) if f.step == 3),
        "{}",
        support::ui::render(&m)
    );
}

/// A CSR with `n` DNS names, `ips` IP addresses and a common name made for this test.
fn wide_csr(n: usize, ips: usize, cwd: &Path) -> String {
    let mut san: Vec<String> = (0..n)
        .map(|i| format!("DNS:reporting-node-{i:03}.zone-{}.example", i % 7))
        .collect();
    san.extend((0..ips).map(|i| format!("IP:10.20.{}.{}", i / 200, i % 200 + 1)));
    san.push("IP:2001:db8::1".into());
    openssl_csr(
        &format!(
            "{P256} -subj /CN=zs01.example -addext 'subjectAltName={}'",
            san.join(",")
        ),
        cwd,
    )
}

#[test]
fn the_issue_confirmation_shows_every_name_at_80x24() {
    let p = pair("tls_policy");
    let w = p.dir.join("work");
    let text = wide_csr(90, 9, &w);
    let checked = csr::check_csr(&text).expect("a CSR of 100 names");
    assert_eq!(checked.dns_names.len() + checked.ips.len(), 100);
    let mut m = support::console::model(&p.ts.root);
    support::ui::typed(&mut m, "2\nZ\n2\n2\n");
    update(&mut m, Msg::Paste(text.replace('\n', "\r")));
    // The validity question stays in view above a hundred names.
    let form = support::ui::render(&m);
    assert!(
        form.contains("1. Validity in days") && form.contains("From 1 to"),
        "{form}"
    );
    assert!(
        form.contains("… and 86 more (the confirmation lists"),
        "{form}"
    );
    support::ui::typed(&mut m, "\n");
    assert!(
        matches!(m.screen(), Screen::Confirm(_)),
        "{}",
        support::ui::render(&m)
    );

    // Scrolled from top to bottom, every name appears on some screen, and the question is
    // always on the prompt line.
    let mut seen = String::new();
    let mut screens = 0;
    loop {
        let screen = support::ui::render(&m);
        assert!(screen.contains("Issue it? (y/n):"), "{screen}");
        seen.push_str(&screen);
        screens += 1;
        if screen.contains("lines above: ↑ PgUp scroll back") || screens > 40 {
            break;
        }
        assert!(screen.contains("below"), "no way on shown:\n{screen}");
        support::ui::press(&mut m, Key::PageDown);
    }
    assert!(screens > 1 && screens <= 40, "{screens} screens");
    let words: Vec<&str> = seen
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .collect();
    let mut missing: Vec<String> = checked
        .dns_names
        .iter()
        .filter(|n| !words.contains(&n.as_str()))
        .cloned()
        .collect();
    missing.extend(
        checked
            .ips
            .iter()
            .map(ToString::to_string)
            .filter(|ip| !words.contains(&ip.as_str())),
    );
    assert!(missing.is_empty(), "never shown: {missing:?}\n{seen}");
    assert!(seen.contains("Common name: zs01.example"), "{seen}");
    assert!(seen.contains("DNS names (90):") && seen.contains("IP addresses (10):"));
    // Back to the top, and a y still answers it.
    support::ui::press(&mut m, Key::Home);
    assert!(support::ui::render(&m).contains("Certificate for zs01.example"));
    let effects = support::ui::typed(&mut m, "y\n");
    support::console::drive(&mut m, &p.ts.root, effects);
    let issued = read(&p.ts.path(tls::OUT_CERT));
    let summary = CertSummary::from_pem(issued.as_bytes()).expect("issued");
    assert_eq!(summary.subject, "CN=zs01.example");
    std::fs::write(w.join("wide.crt"), &issued).expect("write");
    let sans = openssl(
        &[
            "x509",
            "-in",
            "wide.crt",
            "-noout",
            "-ext",
            "subjectAltName",
        ],
        &w,
    );
    assert!(sans.contains("reporting-node-089.zone-5.example") && sans.contains("10.20.0.9"));
}

/// A root key and certificate made by OpenSSL, valid for `days` from now, installed as the
/// Tanium Server's root (tanium.pvk, tanium.pub, tanium-root.crt).
fn openssl_root(ts: &Appliance, days: u32, work: &Path) {
    openssl(
        &[
            "req",
            "-x509",
            "-new",
            "-nodes",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-keyout",
            "short.pvk",
            "-out",
            "short-root.crt",
            "-days",
            &days.to_string(),
            "-subj",
            "/O=Tanium/CN=Short Root",
            "-addext",
            "basicConstraints=critical,CA:TRUE,pathlen:0",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
        ],
        work,
    );
    openssl(
        &["pkey", "-in", "short.pvk", "-pubout", "-out", "short.pub"],
        work,
    );
    for (from, to) in [
        ("short.pvk", tls::TS_ROOT_KEY),
        ("short-root.crt", tls::TS_ROOT_CERT),
        ("short.pub", tls::TS_ROOT_PUB),
    ] {
        copy(&work.join(from), &ts.path(to));
    }
}

fn not_after_of(pem: &str) -> OffsetDateTime {
    CertSummary::from_pem(pem.as_bytes())
        .expect("certificate")
        .not_after
}

#[test]
fn the_hub_never_issues_past_its_roots_end() {
    let p = pair("tls_policy");
    let w = p.dir.join("work");
    openssl_root(&p.ts, 10, &w);
    let root_end = not_after_of(&read(&p.ts.path(tls::TS_ROOT_CERT)));
    let t0 = now();
    let checked = csr::check_csr(&read(&p.zs.path(tls::ZS_CSR))).expect("csr");

    let before = tree_abs(&p.dir);
    let refused = tanos_menu::appliance::issuance::issue_from_csr(&p.ts, &checked, 3650, t0)
        .expect_err("past the root");
    let msg = refused.to_string();
    assert!(
        msg.contains(&format!(
            "a validity of 3650 days would outlast the root certificate (tanium-root.crt), which expires on {}: at most 9 days can be issued",
            date(root_end)
        )),
        "{msg}"
    );
    assert!(matches!(
        refused,
        tls::TlsError::Pki(PkiError::BeyondRoot { left: 9, .. })
    ));
    assert_unchanged(&p.dir, &before, "refusing to outlast the root");

    // The shorter validity offered is issued, ends within the root, and OpenSSL verifies it.
    let issued =
        tanos_menu::appliance::issuance::issue_from_csr(&p.ts, &checked, 9, t0).expect("9 days");
    assert!(issued.summary.not_after <= root_end);
    std::fs::write(w.join("short.crt"), &issued.cert_pem).expect("write");
    openssl(&["verify", "-CAfile", "short-root.crt", "short.crt"], &w);
    let late = (issued.summary.not_after - Duration::minutes(1))
        .unix_timestamp()
        .to_string();
    openssl(
        &[
            "verify",
            "-attime",
            &late,
            "-CAfile",
            "short-root.crt",
            "short.crt",
        ],
        &w,
    );
    // It installs on the Zone Server, which now trusts that root.
    tls::import_trusted_root(&p.zs, &read(&p.ts.path(tls::TS_ROOT_PUB))).expect("trust");
    tls::install_certificate(&p.zs, &issued.cert_pem, None, t0).expect("install");

    // The console: the prompt offers the days left, its default among them, and refuses more.
    let mut m = support::console::model(&p.ts.root);
    support::ui::typed(&mut m, "2\nZ\n2\n2\n");
    update(
        &mut m,
        Msg::Paste(read(&p.zs.path(tls::ZS_CSR)).replace('\n', "\r")),
    );
    let screen = support::ui::render(&m);
    assert!(
        screen.contains(&format!(
            "From 1 to 9: the root certificate expires on {}",
            date(root_end)
        )),
        "{screen}"
    );
    assert!(screen.contains("Validity in days [9]:"), "{screen}");
    support::ui::typed(&mut m, "3650\n");
    let Screen::Form(form) = m.screen() else {
        panic!("left the prompt: {}", support::ui::render(&m))
    };
    assert_eq!(
        form.error.as_deref(),
        Some("'3650' is not a number of days from 1 to 9")
    );
    support::ui::typed(&mut m, &"\u{8}".repeat(4));
    support::ui::typed(&mut m, "\n");
    assert!(
        support::ui::render(&m).contains("valid 9 days"),
        "{}",
        support::ui::render(&m)
    );
    let effects = support::ui::typed(&mut m, "y\n");
    support::console::drive(&mut m, &p.ts.root, effects);
    let out = read(&p.ts.path(tls::OUT_CERT));
    assert!(not_after_of(&out) <= root_end);
    std::fs::write(w.join("console.crt"), &out).expect("write");
    openssl(&["verify", "-CAfile", "short-root.crt", "console.crt"], &w);

    // The command line refuses with the number of days allowed.
    let ts_dir = p.ts.path("tanium");
    let cli = |days: &str, out: &str| {
        std::process::Command::new(BIN)
            .args([
                "keyutility",
                "reporting-tls-issue",
                "--csr",
                path(&p.zs.path(tls::ZS_CSR)),
                "--root-key",
                path(&ts_dir.join("tanium.pvk")),
                "-o",
                out,
                "--expiration",
                days,
            ])
            .current_dir(&w)
            .env_remove("TANOS_ROOT")
            .output()
            .expect("run tanos-menu")
    };
    let before = tree_abs(&p.dir);
    let out = cli("3650", "cli.crt");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("at most 9 days can be issued")
            && stderr.contains("--expiration 9 or fewer"),
        "{stderr}"
    );
    assert_unchanged(&p.dir, &before, "the command line's refusal");
    assert!(cli("9", "cli.crt").status.success());
    openssl(&["verify", "-CAfile", "short-root.crt", "cli.crt"], &w);

    // The server's own certificate, regenerated, ends with the root too.
    let own = tls::regenerate_server_tls(&p.ts, now()).expect("regenerate");
    assert!(own.not_after <= root_end);
    openssl(
        &[
            "verify",
            "-CAfile",
            "short-root.crt",
            path(&p.ts.path(tls::TS_CERT)),
        ],
        &w,
    );
}

#[test]
fn nothing_is_issued_under_a_root_that_is_not_valid_now() {
    let dir = scratch("tls_policy");
    let d = dir.path();
    let t0 = now();
    // Made 7400 days ago: its root (7305 days) expired 95 days ago.
    let old = tanium_server(d, "old", "ts01.example", t0 - Duration::days(7400));
    let zs = zone_server(d, "zs", t0);
    new_csr(&zs, KeyType::EcdsaP256, t0);
    let csr_text = read(&zs.path(tls::ZS_CSR));
    let checked = csr::check_csr(&csr_text).expect("csr");
    let root_end = not_after_of(&read(&old.path(tls::TS_ROOT_CERT)));
    let fresh = tanium_server(d, "fresh", "ts02.example", t0);
    let before = tree_abs(d);
    let expired = format!(
        "the root certificate (tanium-root.crt) expired on {}: nothing can be issued under it",
        date(root_end)
    );
    for days in [1, 30, 3650] {
        let e = tanos_menu::appliance::issuance::issue_from_csr(&old, &checked, days, t0)
            .expect_err("expired root");
        assert!(e.to_string().contains(&expired), "{e}");
    }
    let e = tls::regenerate_server_tls(&old, t0).expect_err("expired root");
    assert!(e.to_string().contains(&expired), "{e}");
    // A clock behind the root's start.
    let e = tanos_menu::appliance::issuance::issue_from_csr(
        &fresh,
        &checked,
        30,
        t0 - Duration::days(2),
    )
    .expect_err("early");
    assert!(
        e.to_string()
            .contains("the root certificate (tanium-root.crt) is not valid before"),
        "{e}"
    );
    // A root ending within the day.
    let e = tanos_menu::appliance::issuance::issue_from_csr(
        &fresh,
        &checked,
        1,
        t0 + Duration::days(7305) - Duration::hours(2),
    )
    .expect_err("ending");
    assert!(e.to_string().contains("in less than a day"), "{e}");
    assert_unchanged(d, &before, "refusing under a root not valid now");

    // The console says so as soon as the CSR arrives; the command line refuses too.
    let mut m = support::console::model(&old.root);
    support::ui::typed(&mut m, "2\nZ\n2\n2\n");
    update(&mut m, Msg::Paste(csr_text.replace('\n', "\r")));
    let screen = support::ui::render(&m);
    assert!(!matches!(m.screen(), Screen::Form(_)), "{screen}");
    assert!(
        screen.contains("Nothing can be issued: the root certificate"),
        "{screen}"
    );
    let out = std::process::Command::new(BIN)
        .args([
            "keyutility",
            "reporting-tls-issue",
            path(&zs.path(tls::ZS_CSR)),
            path(&d.join("cli.crt")),
            path(&old.path(tls::TS_ROOT_KEY)),
        ])
        .env_remove("TANOS_ROOT")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&expired), "{stderr}");
    assert_unchanged(d, &before, "the console and command line refusals");
}

#[test]
fn a_clock_at_the_year_9999_is_refused_not_a_crash() {
    let dir = scratch("tls_policy");
    let d = dir.path();
    let late = datetime!(9999-06-01 12:00 UTC);
    // init of a Tanium Server: a root valid 7305 days from then cannot be dated.
    let opts = support::roots::options(Role::TaniumServer, "ts01.example", Platform::V7_3, true);
    let e = init(&d.join("ts"), &opts, late).expect_err("no root can be dated");
    assert!(
        e.to_string()
            .contains("the clock reads 9999-06-01, where no certificate can be dated"),
        "{e}"
    );
    assert!(!d.join("ts").exists(), "a half-made appliance was left");
    assert!(matches!(
        RootCa::generate("ts01.example", late),
        Err(PkiError::Clock(_))
    ));

    // Issuing with that clock under a root of today: the root has expired by then.
    let t0 = now();
    let ts = tanium_server(d, "ts", "ts01.example", t0);
    let zs = zone_server(d, "zs", t0);
    new_csr(&zs, KeyType::EcdsaP256, t0);
    let checked = csr::check_csr(&read(&zs.path(tls::ZS_CSR))).expect("csr");
    let before = tree_abs(d);
    let e = tanos_menu::appliance::issuance::issue_from_csr(&ts, &checked, 365, late)
        .expect_err("expired by then");
    assert!(e.to_string().contains("expired on"), "{e}");
    assert_unchanged(d, &before, "issuing with a far clock");

    // Under a root that lasts to the end of 9999: a validity past it cannot be dated.
    let w = d.join("work");
    std::fs::create_dir(&w).expect("work");
    let to_9999 = (datetime!(9999-12-30 00:00 UTC) - t0)
        .whole_days()
        .to_string();
    openssl(
        &[
            "req",
            "-x509",
            "-new",
            "-nodes",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-keyout",
            "k.pem",
            "-out",
            "r.pem",
            "-days",
            &to_9999,
            "-subj",
            "/CN=Far Root",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ],
        &w,
    );
    let root_cert = read(&w.join("r.pem"));
    let root_end = not_after_of(&root_cert);
    assert_eq!(root_end.year(), 9999, "{root_end}");
    let spki = rcgen::SubjectPublicKeyInfo::from_der(&checked.spki_der).expect("spki");
    let request = LeafRequest {
        common_name: "zs01.example".into(),
        dns_names: vec!["zs01.example".into()],
        ips: Vec::new(),
        days: 30,
        rsa: false,
    };
    let at = root_end - Duration::days(40);
    let signed = issue::sign_leaf(&request, &spki, &read(&w.join("k.pem")), &root_cert, at)
        .expect("30 days before the end of 9999");
    assert_eq!(not_after_of(&signed).year(), 9999);
    let over = LeafRequest {
        days: 60,
        ..request
    };
    assert!(matches!(
        issue::sign_leaf(&over, &spki, &read(&w.join("k.pem")), &root_cert, at),
        Err(PkiError::BeyondRoot { left: 39 | 40, .. })
    ));
}

#[test]
fn the_validity_bound_is_one_and_is_kept_at_the_prompt() {
    assert_eq!(MAX_VALIDITY_DAYS, 7305);
    // The prompt, on an appliance's snapshot (no root end near): the bound is shown, and a
    // figure above it refused at the prompt, never at the confirmation.
    let mut m = support::ui::console(Role::TaniumServer, true, Platform::V7_3);
    support::ui::typed(&mut m, "2\nZ\n2\n2\n");
    let dir = scratch("tls_policy");
    let zs = zone_server(dir.path(), "zs", now());
    new_csr(&zs, KeyType::EcdsaP256, now());
    update(
        &mut m,
        Msg::Paste(read(&zs.path(tls::ZS_CSR)).replace('\n', "\r")),
    );
    assert!(
        support::ui::render(&m).contains("From 1 to 7305."),
        "{}",
        support::ui::render(&m)
    );
    for typed in ["36500", "7306", "0", "-1", "1e3", "99999999"] {
        support::ui::typed(&mut m, &format!("{typed}\n"));
        let Screen::Form(form) = m.screen() else {
            panic!("{typed} left the prompt:\n{}", support::ui::render(&m))
        };
        let error = form.error.clone().unwrap_or_default();
        assert!(
            error.ends_with("is not a number of days from 1 to 7305"),
            "{typed}: {error}"
        );
        // The figure is shown whole, never cut to one that fits.
        if typed.len() <= 6 {
            assert!(error.starts_with(&format!("'{typed}'")), "{error}");
        } else {
            assert!(!error.starts_with("'9999'"), "{error}");
        }
    }
    support::ui::typed(&mut m, "7305\n");
    assert!(
        support::ui::render(&m).contains("valid 7305 days"),
        "{}",
        support::ui::render(&m)
    );

    // The command line takes the same bound.
    let out = std::process::Command::new(BIN)
        .args(["keyutility", "reporting-tls-issue", "--expiration", "36500"])
        .current_dir(dir.path())
        .env_remove("TANOS_ROOT")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("not a number of days from 1 to 7305"),
        "{stderr}"
    );
    assert!(!dir.path().join("reporting.crt").exists());
}

/// Made once with `openssl req -new -newkey rsa:16384 -subj /CN=zs01.example` (and
/// rsa:8192), keys thrown away: generating them takes minutes. `openssl req -verify` accepts
/// both.
const RSA16384_CSR: &str = include_str!("fixtures/csr/rsa16384.csr");
const RSA8192_CSR: &str = include_str!("fixtures/csr/rsa8192.csr");

#[test]
fn key_types_and_sizes_are_refused_by_name() {
    let dir = scratch("tls_policy");
    let w = dir.path();
    std::fs::write(w.join("big.csr"), RSA16384_CSR).expect("write");
    let (ok, out) = support::tools::openssl_in(w, &["req", "-in", "big.csr", "-noout", "-verify"]);
    assert!(ok && out.contains("verify OK"), "{out}");
    // The largest size taken is checked and signed like any other.
    let large = csr::check_csr(RSA8192_CSR).expect("RSA 8192");
    assert_eq!(large.key_description, "RSA 8192");
    let e = csr::check_csr(RSA16384_CSR).expect_err("too large");
    assert_eq!(e, CsrError::RsaTooLarge(16384));
    assert!(
        e.to_string().contains("RSA 16384-bit keys are larger than this appliance accepts: use RSA of 2048 to 8192 bits"),
        "{e}"
    );
    for (args, want) in [
        ("-newkey ed25519", "Ed25519 keys are not allowed"),
        ("-newkey ed448", "Ed448 keys are not allowed"),
        (
            "-newkey ec -pkeyopt ec_paramgen_curve:secp256k1",
            "ECDSA secp256k1 keys are not allowed",
        ),
        (
            "-newkey ec -pkeyopt ec_paramgen_curve:brainpoolP256r1",
            "ECDSA brainpoolP256r1 keys",
        ),
        (
            "-newkey rsa-pss -pkeyopt rsa_keygen_bits:2048",
            "RSA-PSS keys are not allowed",
        ),
    ] {
        let text = openssl_csr(&format!("{args} -subj /CN=zs01.example"), w);
        let e = csr::check_csr(&text).expect_err(args);
        let msg = e.to_string();
        assert!(msg.contains(want), "{args}: {msg}");
        assert!(!msg.contains("1.3.101"), "{args}: an OID for a name: {msg}");
    }
}

#[test]
fn the_command_line_request_follows_the_same_name_rules() {
    let dir = scratch("tls_policy");
    let d = dir.path();
    for (args, want) in [
        (
            vec!["--dns", "*.com"],
            "a wildcard needs at least two labels after it",
        ),
        (
            vec!["--dns", "192.168.1.1"],
            "an IP address is not a DNS name",
        ),
        (
            vec!["--common-name", "zs01\u{202E}elpmaxe.example"],
            "(U+202E)",
        ),
    ] {
        let before = tree_abs(d);
        let mut all = vec!["keyutility", "reporting-tls-request"];
        if !args.contains(&"--common-name") {
            all.extend(["--common-name", "zs01.example"]);
        }
        all.extend(args.iter().copied());
        let out = std::process::Command::new(BIN)
            .args(&all)
            .current_dir(d)
            .env_remove("TANOS_ROOT")
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        assert_unchanged(d, &before, &format!("{args:?}"));
    }
}

/// The hub's own certificate follows the name rules too: a hostname in appliance.toml
/// holding a terminal escape, a bare wildcard or an IP address is refused when the server's
/// TLS certificate is regenerated, and nothing changes.
#[test]
fn the_hub_never_signs_a_hostile_hostname_of_its_own() {
    let dir = scratch("tls_policy");
    let d = dir.path().to_path_buf();
    let ts = tanium_server(&d, "ts", "ts01.example", now());
    let config = ts.path(Layout::CONFIG);
    let original = std::fs::read_to_string(&config).expect("appliance.toml");
    for (hostile, written) in [
        (
            "ts\u{1b}]0;PWNED\u{7}.example",
            "ts\\u001b]0;PWNED\\u0007.example",
        ),
        ("*.com", "*.com"),
        ("192.168.1.1", "192.168.1.1"),
    ] {
        let text = original.replace("\"ts01.example\"", &format!("\"{written}\""));
        assert_ne!(text, original, "hostname line found");
        std::fs::write(&config, &text).expect("hostile appliance.toml");
        // Opening checks the hostname as `init` does (an IP address is a valid hostname)…
        match Appliance::open(&ts.root) {
            Ok(app) => assert_eq!(app.config.hostname, hostile),
            Err(e) => assert!(e.to_string().contains("hostname"), "{hostile}: {e}"),
        }
        // …and signing checks it again, whatever the appliance was opened with.
        let mut app = ts.clone();
        app.config.hostname = hostile.to_string();
        let before = tree_abs(&d);
        let result = tls::regenerate_server_tls(&app, now());
        assert!(result.is_err(), "{hostile}: signed {result:?}");
        assert_unchanged(&d, &before, hostile);
    }
}
