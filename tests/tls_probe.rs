//! The probe of a peer (`tanos-menu tls-check --connect`), judged against real servers:
//! another appliance's `tls-listen`, and `openssl s_server` configured to break the policy
//! one way at a time. Each failure is exit 1 with its own message.

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use support::tls_check::*;
use tanos_menu::appliance::Appliance;
use tanos_menu::pki::KeyType;
use time::Duration as Days;

const SUITE: &str = "tls_probe";
/// The names of the test peers' certificates: the probe connects to the address.
const PEER: [&str; 2] = ["peer.example", "127.0.0.1"];

fn connect(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

/// The probe from `app` to `port`, which must pass: its report.
fn passing(app: &Appliance, port: u16, extra: &[&str]) -> String {
    let target = connect(port);
    let mut args = vec!["--connect", target.as_str()];
    args.extend_from_slice(extra);
    let (code, out, err) = tls_check(&app.root, &args);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("Result          passed"), "{out}");
    assert!(out.contains("Chains to root  yes (SHA256:"), "{out}");
    out
}

/// The probe from `app` to `port`, which must fail: the reason it prints on stderr.
fn failing(app: &Appliance, port: u16) -> String {
    let target = connect(port);
    let (code, out, err) = tls_check(&app.root, &["--connect", &target]);
    assert_eq!(code, Some(1), "{out}{err}");
    let prefix = format!("tanos-menu: TLS probe of {target} failed: ");
    let reason = err
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("no verdict: {out}{err}"));
    // The verdict is a sentence; the report's line holds the same reason.
    let reason = reason.strip_suffix('.').unwrap_or(reason).to_string();
    assert!(
        out.contains(&format!("Result          FAILED: {reason}")),
        "{out}"
    );
    reason
}

#[test]
fn a_hub_and_its_zone_server_probe_each_others_tls_listen() {
    let dir = scratch(SUITE);
    let ts = fresh_hub(dir.path(), "ts");
    let zs = zone_with_cert(&ts, dir.path(), KeyType::Rsa2048);
    let zone = tls_listen(&zs.root);
    let server = tls_listen(&ts.root);

    let out = passing(&ts, zone.port, &["--name", "zs01.example"]);
    assert!(out.contains("Expected name   zs01.example"), "{out}");
    assert!(out.contains("  Key           RSA 2048 SHA256:"), "{out}");
    assert!(out.contains("Protocol        TLSv1.3"), "{out}");
    let out = passing(&zs, server.port, &["--name", "ts01.example"]);
    assert!(
        out.contains("Trusted root    zoneserver/tanium.pub"),
        "{out}"
    );
    assert!(out.contains("Certificate     CN=ts01.example"), "{out}");

    // By address, a certificate that does not list it is refused.
    let reason = failing(&ts, zone.port);
    assert_eq!(
        reason,
        "the certificate does not name 127.0.0.1; it names zs01.example, *.zone.example, 10.0.0.5, ::1"
    );
}

#[test]
fn the_probe_passes_a_peer_that_keeps_to_the_policy_in_tls_1_2_and_1_3() {
    let dir = scratch(SUITE);
    let hub = fresh_hub(dir.path(), "ts");
    let (cert, key) = leaf(&hub, dir.path(), "rsa", Leaf::Rsa2048, &PEER, now(), 30);
    let modern = s_server(&cert, &key, &[]);
    let out = passing(&hub, modern.port, &[]);
    assert!(out.contains("Protocol        TLSv1.3"), "{out}");
    let tls12 = s_server(&cert, &key, &["-tls1_2"]);
    let out = passing(&hub, tls12.port, &[]);
    assert!(out.contains("Protocol        TLSv1.2"), "{out}");
    assert!(out.contains("Suite           ECDHE-RSA-"), "{out}");
}

#[test]
fn the_probe_fails_with_its_own_message_for_each_way_a_peer_breaks_the_policy() {
    let dir = scratch(SUITE);
    // The prober's root was made 400 days ago, so it can sign a certificate long expired.
    let hub = hub(dir.path(), "ts", 400);
    let rsa = leaf(&hub, dir.path(), "rsa", Leaf::Rsa2048, &PEER, now(), 30);
    let mut reasons = BTreeSet::new();
    let mut served = |(cert, key): &(PathBuf, PathBuf), args: &[&str], expected: &str| {
        let server = s_server(cert, key, args);
        let reason = failing(&hub, server.port);
        assert!(reason.starts_with(expected), "{args:?}: {reason}");
        reasons.insert(reason);
    };

    served(
        &rsa,
        &["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"],
        "the peer accepts no suite of the list: offered any, it chose ECDHE-RSA-AES128-SHA (TLSv1.2), a suite outside the seed's list",
    );
    served(
        &rsa,
        &["-tls1_2", "-cipher", "AES128-GCM-SHA256"],
        "the peer accepts no suite of the list: offered any, it chose AES128-GCM-SHA256 (TLSv1.2)",
    );
    served(
        &rsa,
        &["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
        "the peer speaks TLSv1.1 at most: TLS 1.2 is the minimum",
    );
    let other = fresh_hub(dir.path(), "other");
    let foreign = leaf(&other, dir.path(), "foreign", Leaf::P256, &PEER, now(), 30);
    served(
        &foreign,
        &[],
        "the certificate is not signed by the trusted root key (SHA256:",
    );
    let long_ago = now() - Days::days(399);
    let expired = leaf(&hub, dir.path(), "expired", Leaf::P256, &PEER, long_ago, 1);
    served(&expired, &[], "the certificate expired on ");
    let ed25519 = leaf(&hub, dir.path(), "ed", Leaf::Ed25519, &PEER, now(), 30);
    served(
        &ed25519,
        &[],
        "the certificate's key is Ed25519: no suite of the list can use it",
    );

    // Nobody there.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let reason = failing(&hub, closed);
    assert!(
        reason.starts_with(&format!("cannot connect to 127.0.0.1:{closed}: ")),
        "{reason}"
    );
    reasons.insert(reason);
    assert_eq!(reasons.len(), 7, "{reasons:#?}");
}

#[test]
fn a_bad_peer_argument_is_a_usage_error() {
    let dir = scratch(SUITE);
    let hub = fresh_hub(dir.path(), "ts");
    for bad in [
        "no-port",
        "host:0",
        "host:99999",
        "[zz]:443",
        "bad_host!:443",
    ] {
        let (code, out, err) = tls_check(&hub.root, &["--connect", bad]);
        assert_eq!(code, Some(2), "{bad}: {out}{err}");
        assert!(out.is_empty(), "{out}");
    }
    let (code, _, err) = tls_check(&hub.root, &["--name", "zs01.example"]);
    assert_eq!(code, Some(2), "{err}");
}

#[test]
fn the_check_follows_a_root_rotation_until_the_old_root_is_revoked() {
    use tanos_menu::appliance::roots;
    let dir = scratch(SUITE);
    let ts = fresh_hub(dir.path(), "ts");
    let zs = zone_with_cert(&ts, dir.path(), KeyType::EcdsaP256);
    let added = roots::add(&ts, now()).expect("a new signing root");

    // The server's own pair follows the new root; the client trusts both roots.
    let (code, out, err) = tls_check(&ts.root, &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(out.matches("Root key        SHA256:").count(), 2, "{out}");
    assert!(
        out.contains(&format!("Chains to root  yes ({})", added.signing)),
        "{out}"
    );

    // The Zone Server's certificate of the old root is still accepted, until it is revoked.
    let zone = tls_listen(&zs.root);
    let out = passing(&ts, zone.port, &["--name", "zs01.example"]);
    assert!(
        out.contains(&format!("Chains to root  yes ({})", added.previous)),
        "{out}"
    );
    roots::revoke(&ts, &added.previous, now()).expect("revoke the old root");
    let (code, out, err) = tls_check(
        &ts.root,
        &["--connect", &connect(zone.port), "--name", "zs01.example"],
    );
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        err.contains("the certificate is not signed by the trusted root key"),
        "{err}"
    );
    // The Zone Server itself still trusts the root that signed its certificate.
    let (code, out, err) = tls_check(&zs.root, &[]);
    assert_eq!(code, Some(0), "{out}{err}");
}
