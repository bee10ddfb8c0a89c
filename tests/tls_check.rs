//! The TLS self-test and `tanos-menu tls-listen`, judged from outside: `tls-check` on
//! appliances made and filled by the product, and `openssl s_client` against `tls-listen`
//! with each suite (the seed's ten, TLS 1.3's three, and some outside the list).

mod support;

use std::collections::BTreeSet;

use support::tls_check::*;
use tanos_menu::appliance::Appliance;
use tanos_menu::appliance::tls::{TS_CERT, TS_KEY, TS_ROOT_CERT, ZS_KEY};
use tanos_menu::pki::KeyType;
use tanos_menu::pki::issue::generate_key;
use tanos_menu::tlscheck::{TLS12_SUITES, TLS13_SUITES};
use time::Duration as Days;

const SUITE: &str = "tls_check";

/// The self-test's verdict on `app`, which must fail: its one-line reason on stderr.
fn failing(app: &Appliance) -> String {
    let (code, out, err) = tls_check(&app.root, &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    let verdict = err
        .lines()
        .find_map(|l| l.strip_prefix("tanos-menu: TLS self-test failed: "))
        .unwrap_or_else(|| panic!("no verdict: {out}{err}"))
        .to_string();
    assert!(out.contains("Result          FAILED: "), "{out}");
    verdict
}

/// Installs `cert` and `key` as a Tanium Server's own TLS pair, over what is there.
fn install_on_server(ts: &Appliance, (cert, key): (std::path::PathBuf, std::path::PathBuf)) {
    std::fs::copy(cert, ts.path(TS_CERT)).expect("copy cert");
    std::fs::copy(key, ts.path(TS_KEY)).expect("copy key");
}

#[test]
fn the_self_test_passes_on_a_freshly_set_up_tanium_server() {
    let dir = scratch(SUITE);
    let ts = fresh_hub(dir.path(), "ts");
    let (code, out, err) = tls_check(&ts.root, &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    for line in [
        "Served          tanium/reporting.crt with tanium/reporting.pvk",
        "Expected name   ts01.example",
        "Trusted root    tanium/tanium-root.crt",
        "Certificate     CN=ts01.example",
        "  Key           ECDSA P-256 SHA256:",
        "Chains to root  yes (SHA256:",
        "Result          passed",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    let agreed = out
        .lines()
        .find_map(|l| l.strip_prefix("Suite           "))
        .expect("a suite");
    assert!(
        TLS13_SUITES.contains(&agreed) || TLS12_SUITES.contains(&agreed),
        "{agreed}"
    );
    assert!(out.contains("TLS self-test passed: TLSv1."), "{out}");
}

#[test]
fn the_self_test_passes_on_a_zone_server_with_its_certificate_of_each_key_type() {
    for (key_type, label) in [
        (KeyType::EcdsaP256, "ECDSA P-256"),
        (KeyType::Rsa2048, "RSA 2048"),
    ] {
        let dir = scratch(SUITE);
        let ts = fresh_hub(dir.path(), "ts");
        let zs = zone_with_cert(&ts, dir.path(), key_type);
        let (code, out, err) = tls_check(&zs.root, &[]);
        assert_eq!(code, Some(0), "{label}: {out}{err}");
        assert!(
            out.contains("Trusted root    zoneserver/tanium.pub"),
            "{out}"
        );
        assert!(out.contains(&format!("  Key           {label} ")), "{out}");
        assert!(out.contains("Result          passed"), "{out}");
    }
}

#[test]
fn the_self_test_fails_with_its_own_reason_for_each_fault() {
    let dir = scratch(SUITE);
    let mut reasons = BTreeSet::new();

    // A Zone Server whose private key was replaced by another.
    let ts = fresh_hub(dir.path(), "ts");
    let zs = zone_with_cert(&ts, dir.path(), KeyType::EcdsaP256);
    let other = generate_key(KeyType::EcdsaP256).expect("key");
    std::fs::write(zs.path(ZS_KEY), other.serialize_pem()).expect("write key");
    let mismatch = failing(&zs);
    assert!(
        mismatch.starts_with(
            "the private key does not match the certificate: zoneserver/reporting.pvk is SHA256:"
        ),
        "{mismatch}"
    );
    reasons.insert(mismatch);

    // A Tanium Server whose root was made 400 days ago, so it can sign in the past.
    let hub = hub(dir.path(), "old-hub", 400);
    let long_ago = now() - Days::days(399);
    install_on_server(
        &hub,
        leaf(
            &hub,
            dir.path(),
            "expired",
            Leaf::P256,
            &["ts01.example"],
            long_ago,
            1,
        ),
    );
    let expired = failing(&hub);
    assert!(
        expired.starts_with("the certificate expired on "),
        "{expired}"
    );
    reasons.insert(expired);

    install_on_server(
        &hub,
        leaf(
            &hub,
            dir.path(),
            "ed",
            Leaf::Ed25519,
            &["ts01.example"],
            now(),
            30,
        ),
    );
    let unusable = failing(&hub);
    assert!(
        unusable.starts_with("the certificate's key is Ed25519: no suite of the list can use it"),
        "{unusable}"
    );
    reasons.insert(unusable);

    install_on_server(
        &hub,
        leaf(
            &ts,
            dir.path(),
            "foreign",
            Leaf::P256,
            &["ts01.example"],
            now(),
            30,
        ),
    );
    let untrusted = failing(&hub);
    assert!(
        untrusted.starts_with("the certificate is not signed by the trusted root key (SHA256:"),
        "{untrusted}"
    );
    reasons.insert(untrusted);

    install_on_server(
        &hub,
        leaf(
            &hub,
            dir.path(),
            "named",
            Leaf::P256,
            &["other.example"],
            now(),
            30,
        ),
    );
    let misnamed = failing(&hub);
    assert_eq!(
        misnamed,
        "the certificate does not name ts01.example; it names other.example."
    );
    reasons.insert(misnamed);

    std::fs::remove_file(hub.path(TS_KEY)).expect("remove key");
    let missing = failing(&hub);
    assert!(
        missing.starts_with("no private key (tanium/reporting.pvk)"),
        "{missing}"
    );
    reasons.insert(missing);
    assert_eq!(reasons.len(), 6, "{reasons:#?}");
}

/// `s_client` with `args` against `port`, trusting `ca`: the suite agreed, or the failure.
fn agree(port: u16, ca: &std::path::Path, args: &[&str]) -> Result<String, String> {
    let ca = ca.to_str().expect("utf-8");
    let mut all = args.to_vec();
    all.extend(["-CAfile", ca, "-verify_return_error"]);
    let (ok, out) = s_client(port, &all);
    let cipher = out
        .lines()
        .find_map(|l| l.split("Cipher is ").nth(1))
        .unwrap_or("")
        .to_string();
    if ok && cipher != "(NONE)" {
        Ok(cipher)
    } else {
        Err(out)
    }
}

#[test]
fn tls_listen_serves_each_listed_suite_its_key_allows_and_nothing_else() {
    for (key_type, auth, outside) in [
        (KeyType::EcdsaP256, "ECDHE-ECDSA-", "ECDHE-ECDSA-AES128-SHA"),
        (KeyType::Rsa2048, "ECDHE-RSA-", "ECDHE-RSA-AES128-SHA"),
    ] {
        let dir = scratch(SUITE);
        let ts = fresh_hub(dir.path(), "ts");
        let zs = zone_with_cert(&ts, dir.path(), key_type);
        let server = tls_listen(&zs.root);
        let ca = ts.path(TS_ROOT_CERT);
        let listed: Vec<&str> = TLS12_SUITES
            .iter()
            .copied()
            .filter(|s| s.starts_with(auth))
            .collect();
        assert_eq!(listed.len(), 5);
        for suite in listed {
            let agreed = agree(server.port, &ca, &["-tls1_2", "-cipher", suite]);
            assert_eq!(agreed.as_deref(), Ok(suite), "{auth}");
        }
        for suite in TLS13_SUITES {
            let agreed = agree(server.port, &ca, &["-tls1_3", "-ciphersuites", suite]);
            assert_eq!(agreed.as_deref(), Ok(suite), "{auth}");
        }
        // Refused by the server (its alert), not by the client.
        for suite in [outside, "AES128-GCM-SHA256", "AES256-SHA256"] {
            let refused = agree(server.port, &ca, &["-tls1_2", "-cipher", suite]);
            let out = refused.expect_err(suite);
            assert!(out.contains("alert handshake failure"), "{suite}: {out}");
        }
        let refused = agree(
            server.port,
            &ca,
            &["-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_SHA256"],
        );
        assert!(
            refused
                .expect_err("ccm")
                .contains("alert handshake failure")
        );
        let old = agree(
            server.port,
            &ca,
            &["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
        );
        let out = old.expect_err("tls 1.1");
        assert!(out.contains("alert protocol version"), "{out}");
        assert_eq!(server.terminate(), Some(0));
    }
}

#[test]
fn tls_listen_refuses_to_serve_a_key_that_does_not_match() {
    let dir = scratch(SUITE);
    let ts = fresh_hub(dir.path(), "ts");
    let other = generate_key(KeyType::EcdsaP256).expect("key");
    std::fs::write(ts.path(TS_KEY), other.serialize_pem()).expect("write key");
    let root = ts.root.to_str().expect("utf-8");
    let out = tanos(&["tls-listen", "--root", root, "--listen", "127.0.0.1:0"]);
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the private key does not match the certificate"),
        "{err}"
    );
}
