//! Issue 11, Zone Server side, end to end: a Zone Server follows a root rotation of its hub
//! by the menus, each console in a real pseudo-terminal and every transfer over the hub's
//! own `tanos-menu sshd`.
//!
//! The Zone Server holds a certificate of root 1. The hub adds root 2 (`2 › K`, `A`, `y`).
//! The Zone Server pulls (`2 › Z › 3 › 3`): the new `tanium.pub` comes with the certificate
//! the hub still has for its key (root 1's, declined: it is the one installed), and Tanium
//! Status now says an older root signed the installed certificate. It renews: a new key and
//! request (`2 › Z › 1`), pushed (`2 › Z › 8`), issued by the hub's batch (`2 › Z › 2 › 1`,
//! `A`), pulled (`2 › Z › 3 › 3`): the confirmation shows both fingerprints, the new one
//! the signing root of `tanos-menu root-key list`; accepted, the certificate is installed,
//! the warning is gone, OpenSSL accepts the certificate under the hub's bundle, and root 1
//! stays in `2 › Z › 4 › 3` until it is removed there.

mod support;

use std::path::Path;

use support::e2e::{Sshd, init, path_str, read, scratch_for_sshd};
use support::fleet::{authorize, checked, cli, host_key, issued_json, open, zone_csr};
use support::pty::Console;
use support::sshd_base::PEER;
use support::tools::openssl;
use tanos_menu::appliance::status;
use tanos_menu::appliance::{issuance, tls};
use tanos_menu::pki::{TrustedKey, certificate_blocks};
use time::OffsetDateTime;

const HUB: &str = "hub01.example";
const ZS: &str = "zs01.example";
/// What Tanium Status says of a certificate an older root signed.
const OLDER: &str = "no longer the Tanium Server's signing key";

/// `tanos-menu root-key list --root <hub>`: (state, fingerprint) per line.
fn root_keys(hub: &Path) -> Vec<(String, String)> {
    let (code, out, err) = cli(&["root-key", "list", "--root", path_str(hub)]);
    assert_eq!(code, 0, "root-key list:\n{out}\n{err}");
    out.lines()
        .map(|l| {
            let mut words = l.split_whitespace();
            let state = words.next().unwrap_or_default().to_string();
            (state, words.next().unwrap_or_default().to_string())
        })
        .collect()
}

fn signing(hub: &Path) -> String {
    root_keys(hub)
        .into_iter()
        .find(|(state, _)| state == "signing")
        .map(|(_, fp)| fp)
        .expect("a signing root")
}

fn verify(ca: &Path, cert: &Path) -> (bool, String) {
    let (ok, out) = openssl(&["verify", "-CAfile", path_str(ca), path_str(cert)]);
    (ok && out.contains(": OK"), out)
}

/// `text` with every run of blanks made one space, so a sentence wrapped over rows reads
/// whole.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The screen with its rows joined, so a sentence wrapped over rows reads whole.
fn joined(c: &Console) -> String {
    c.body()
        .iter()
        .map(|r| r.trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Tanium Status (`1`) as the 80x24 console shows it, its rows joined. It is drawn at once
/// from what the console read last, then again once read afresh: with `warned`, the wait is
/// for the warning; without, the screen is read after it had time to settle.
fn status_text(c: &mut Console, warned: bool) -> String {
    c.root_menu();
    c.step("1", "ReportingTLSMode");
    if warned {
        c.wait_until("the older-root warning", |s| flat(s).contains(OLDER));
    } else {
        let settle = std::time::Instant::now() + std::time::Duration::from_secs(2);
        while std::time::Instant::now() < settle {
            let _ = c.bytes();
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    joined(c)
}

/// Tanium Status of the appliance at `root` as the console draws it on a terminal tall
/// enough for all of it (at 80x24 the screen cuts what does not fit, and it does not scroll).
fn whole_status(root: &Path) -> String {
    let mut m = support::console::model(root);
    m.size = (80, 40);
    let _ = support::ui::typed(&mut m, "1\n");
    support::ui::render_at(&m, 80, 40)
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `2 › Z › 3 › 3` up to the first question after the transfer; the hub's host key is
/// trusted when asked (its fingerprint compared first).
fn pull(c: &mut Console, port: u16, host_fp: &str) {
    c.root_menu();
    c.step("2", "Z  Zone Server configuration");
    c.step("Z", "3  Import Signed Certificate");
    c.step("3", "3  Pull from the Tanium Server's /outgoing");
    c.step("3", "Host [");
    c.step("127.0.0.1", "Port [");
    c.step(&port.to_string(), "User [");
    c.send(format!("{PEER}\r"));
    c.wait_until("the host question or the certificate", |s| {
        s.contains("Trust this host and connect? (y/n):") || s.contains("? (y/n):")
    });
    if c.screen().contains("Trust this host and connect? (y/n):") {
        assert!(
            c.screen().contains(host_fp),
            "the unknown host's fingerprint is the hub's {host_fp}:\n{}",
            c.dump()
        );
        c.send("y\r");
        c.wait_until("the certificate's confirmation", |s| {
            s.contains("? (y/n):") && !s.contains("Trust this host and connect?")
        });
    }
}

#[test]
fn a_zone_server_follows_a_root_rotation_by_the_menus() {
    let dir = scratch_for_sshd("rotation_fleet");
    let hub_root = dir.path().join("hub");
    let zs_root = dir.path().join("zs01");
    init(
        &hub_root,
        &[
            "--role",
            "tanium-server",
            "--zone-hub",
            "--hostname",
            HUB,
            "--platform",
            "7.4",
        ],
    );
    init(
        &zs_root,
        &[
            "--role",
            "zone-server",
            "--hostname",
            ZS,
            "--platform",
            "7.4",
        ],
    );
    let (hub, zs) = (open(&hub_root), open(&zs_root));
    authorize(&hub, &zs);

    // The Zone Server's first certificate, from root 1 (the steps the fleet test types).
    let now = OffsetDateTime::now_utc();
    let first = zone_csr(&zs, ZS);
    let issued = issuance::issue_from_csr(&hub, &checked(&first), 365, now).expect("issue");
    tls::import_trusted_root(&zs, &read(&hub_root.join("tanium/tanium.pub"))).expect("trust");
    tls::install_certificate(&zs, &issued.cert_pem, None, now).expect("install");
    let root1 = signing(&hub_root);
    let old_cert = read(&zs_root.join("zoneserver/reporting.crt"));
    assert!(
        status::snapshot(&zs, now).older_root.is_none(),
        "root 1 signs and signed it"
    );

    // 1. The hub adds root 2 in its console.
    let mut c = Console::open("hub console", &hub_root);
    c.step("2", "K  Root key management");
    c.step("K", "A adds a new signing root");
    assert!(c.screen().contains(&root1), "{}", c.dump());
    c.step("A", "Add a new root key? (y/n):");
    c.step("y", "New signing root key");
    c.root_menu();
    assert_eq!(c.exit().0, 0);
    let root2 = signing(&hub_root);
    assert_ne!(root1, root2);
    assert_eq!(
        root_keys(&hub_root),
        vec![
            ("signing".to_string(), root2.clone()),
            ("trusted".to_string(), root1.clone())
        ]
    );

    // 2. The Zone Server pulls: the new tanium.pub, and root 1's certificate for its key,
    // which it has already (declined).
    let sshd = Sshd::start(&hub_root);
    let host_fp = host_key(&hub_root);
    let mut c = Console::open("Zone Server console", &zs_root);
    assert!(
        !status_text(&mut c, false).contains(OLDER),
        "no warning before the hub's new key is known:\n{}",
        c.dump()
    );
    pull(&mut c, sshd.port, &host_fp);
    c.wait_for("Install it? (y/n):");
    c.step("n", "Declined; nothing was changed.");
    // Back at the pull form's last question: Ctrl-C until a menu is back.
    for _ in 0..3 {
        if c.screen().contains("Enter selection:") {
            break;
        }
        let before = c.screen();
        c.send("\x03");
        c.wait_until("Ctrl-C to be taken", |s| s != before);
    }
    assert!(c.screen().contains("Enter selection:"), "{}", c.dump());
    assert_eq!(
        read(&zs_root.join("transfer/incoming/tanium.pub")),
        read(&hub_root.join("tanium/tanium.pub")),
        "the pull brought the hub's new tanium.pub"
    );
    assert_eq!(
        read(&zs_root.join("zoneserver/reporting.crt")),
        old_cert,
        "declined: nothing installed"
    );

    // Tanium Status: the installed certificate is root 1's, the hub signs with root 2.
    let text = status_text(&mut c, true);
    assert!(
        text.contains(OLDER) && text.contains(&root1),
        "Tanium Status warns that an older root signed the certificate:\n{}",
        c.dump()
    );
    let whole = whole_status(&zs_root);
    for want in [
        OLDER,
        &root1,
        &root2,
        "2 › Z › 1",
        "2 › Z › 8",
        "2 › Z › 3 › 3",
    ] {
        assert!(
            whole.contains(want),
            "the warning names {want} (the hub's signing root, the keys to renew):\n{whole}"
        );
    }

    // 3. Renew: a new key and request, pushed to the hub.
    c.root_menu();
    c.step("2", "Z  Zone Server configuration");
    c.step("Z", "1  Generate CSR");
    c.step("1", &format!("Common name [{ZS}]:"));
    c.step("", "Extra DNS names [");
    c.step("", "IP addresses [");
    c.step("", "Key type [");
    c.step("", "Generate a new key and CSR? (y/n):");
    c.step("y", "-----BEGIN CERTIFICATE REQUEST-----");
    c.root_menu();
    c.step("2", "Z  Zone Server configuration");
    c.step("Z", "8  Push CSR");
    c.step("8", "Host [");
    c.step("127.0.0.1", "Port [");
    c.step(&sshd.port.to_string(), "User [");
    c.step(
        PEER,
        &format!("The CSR was pushed to 127.0.0.1:/incoming/{ZS}.csr"),
    );

    // The hub issues it, signed by root 2: the request by its line number, the validity,
    // the issuance, and the replacement of the name's certificate of the old key.
    let mut h = Console::open("hub console", &hub_root);
    h.step("2", "Z  Zone Server configuration");
    h.step("Z", "2  Import Cert Request");
    h.step("2", "1  Import CSR file from /incoming");
    h.step("1", "1 request(s) in /incoming, 1 pending");
    h.step("1", "Validity in days [");
    h.step("", "Issue it? (y/n):");
    assert!(
        joined(&h).contains(&root2),
        "the issuance names the signing root {root2}:\n{}",
        h.dump()
    );
    h.step("y", "Issue it and replace that certificate? (y/n):");
    h.step("y", "-----BEGIN CERTIFICATE-----");
    h.root_menu();
    assert_eq!(h.exit().0, 0);

    // 4. Pull again: the certificate of root 2, with both fingerprints to compare.
    pull(&mut c, sshd.port, &host_fp);
    c.wait_for("Trust the new root key and install? (y/n):");
    let rows = c.body();
    let row_with = |label: &str, fp: &str| {
        rows.iter()
            .any(|r| r.trim_start().starts_with(label) && r.contains(fp))
    };
    assert!(
        row_with("new:", &root2) && row_with("trusted:", &root1),
        "the confirmation shows the new root ({root2}) and the trusted one ({root1}):\n{}",
        c.dump()
    );
    assert_eq!(
        signing(&hub_root),
        root2,
        "the new fingerprint is the hub's signing root"
    );
    c.step("y", &format!("Certificate installed: CN={ZS}"));
    let text = status_text(&mut c, false);
    assert!(
        !text.contains(OLDER) && !whole_status(&zs_root).contains(OLDER),
        "no warning once renewed:\n{}",
        c.dump()
    );

    // OpenSSL: the new certificate chains to the hub's bundle, and to root 2 alone.
    let installed = zs_root.join("zoneserver/reporting.crt");
    let bundle = hub_root.join("tanium/tanium-root.crt");
    let (ok, out) = verify(&bundle, &installed);
    assert!(ok, "openssl verify -CAfile tanium-root.crt:\n{out}");
    let blocks = certificate_blocks(&read(&bundle)).expect("bundle");
    let only2 = dir.path().join("root2.crt");
    std::fs::write(&only2, &blocks[0]).expect("write root 2");
    let (ok, out) = verify(&only2, &installed);
    assert!(ok, "signed by root 2:\n{out}");
    let current = TrustedKey::from_pem(read(&zs_root.join("zoneserver/tanium.pub")).as_bytes())
        .expect("current root");
    assert_eq!(
        current.fingerprint, root2,
        "root 2 is the current trusted root"
    );
    let (records, _) = issued_json(&hub_root);
    let states: Vec<(String, String)> = records
        .iter()
        .map(|r| {
            (
                r["state"].as_str().unwrap_or_default().to_string(),
                r["root_fingerprint"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![
            ("valid".to_string(), root2.clone()),
            ("superseded".to_string(), root1.clone())
        ],
        "newest first: {records:#?}"
    );

    // 5. Root 1 is still trusted (2 › Z › 4 › 3) until it is removed there.
    c.root_menu();
    c.step("2", "Z  Zone Server configuration");
    c.step("Z", "4  Import Tanium root public key");
    c.step("4", "3  Trusted root keys");
    c.step("3", "2 trusted root key(s)");
    let line_of = |c: &Console, fp: &str| {
        c.body()
            .iter()
            .find(|r| r.contains(fp))
            .and_then(|r| r.split_whitespace().find(|w| *w != "▸").map(str::to_string))
            .unwrap_or_else(|| panic!("{fp} listed:\n{}", c.dump()))
    };
    assert!(
        c.body()
            .iter()
            .any(|r| r.contains("current") && r.contains(&root2)),
        "{}",
        c.dump()
    );
    assert!(
        c.body()
            .iter()
            .any(|r| r.contains("earlier") && r.contains(&root1)),
        "{}",
        c.dump()
    );
    let current_line = line_of(&c, &root2);
    c.step(&current_line, "cannot be removed");
    let earlier = line_of(&c, &root1);
    c.step(&earlier, "Stop trusting it? (y/n):");
    c.send("y\r");
    let removed = format!("Root key {root1} is no longer trusted.");
    c.wait_until("the removal's message", |s| {
        !s.contains("Stop trusting it?") && flat(s).contains(&removed)
    });
    c.root_menu();
    c.step("2", "Z  Zone Server configuration");
    c.step("Z", "4  Import Tanium root public key");
    c.step("4", "3  Trusted root keys");
    c.step("3", "1 trusted root key(s)");
    assert!(!c.screen().contains(&root1), "{}", c.dump());
    let text = status_text(&mut c, false);
    assert!(!text.contains(OLDER), "{text}");
    c.root_menu();
    assert_eq!(c.exit().0, 0);
    drop(sshd);
}
