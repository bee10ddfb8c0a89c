//! SSH Key Management (C › 3) and the SFTP host key question at 80x24, compared with the
//! snapshots under tests/snapshots/. Fixed inputs only: the in-memory appliance of
//! tests/common, list rows and fingerprints written out below.

mod support;

use insta::assert_snapshot;
use support::ui::*;
use tanos_menu::model::{KeyListKind, Msg, Screen, TextFor, TransferFailure, TransferOp, update};
use tanos_menu::transfer::sftp::Peer;

/// Two rows as `appliance::users::authorized_rows` writes them.
fn rows() -> Vec<String> {
    vec![
        "ED25519     SHA256:zoneADMINfingerprintEEEEEEEEEEEEEEEEEEEEEEE\ntanadmin@zs01.example"
            .to_string(),
        "RSA 3072    SHA256:backupKEYfingerprintFFFFFFFFFFFFFFFFFFFFFFFF\nbackup [options]"
            .to_string(),
    ]
}

const HOST_FINGERPRINT: &str = "SHA256:hostKEYfingerprintGGGGGGGGGGGGGGGGGGGGGGGGGG";

#[test]
fn ssh_key_management_users() {
    let mut m = zone_server();
    typed(&mut m, "C\n3\n");
    assert!(matches!(m.screen(), Screen::UserList { .. }));
    let screen = render(&m);
    assert!(
        screen.contains("tanadmin") && screen.contains("tancopy"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn key_menu_of_tancopy() {
    let mut m = zone_server();
    typed(&mut m, "C\n3\n2\n");
    assert_eq!(m.user.as_deref(), Some("tancopy"));
    assert!(matches!(m.screen(), Screen::Menu { id, .. } if id == "ssh_user"));
    assert_snapshot!(render(&m));
}

#[test]
fn authorized_keys_list() {
    let mut m = zone_server();
    typed(&mut m, "C\n3\n2\n3\n1\n");
    assert!(matches!(m.screen(), Screen::Keys(l) if !l.removing && l.user == "tancopy"));
    update(
        &mut m,
        Msg::KeysListed {
            kind: KeyListKind::Authorized,
            result: Ok(rows()),
        },
    );
    let screen = render(&m);
    assert!(screen.contains("SHA256:zoneADMINfingerprint"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn authorized_keys_remove_list() {
    let mut m = zone_server();
    typed(&mut m, "C\n3\n2\n3\n3\n");
    assert!(matches!(m.screen(), Screen::Keys(l) if l.removing));
    update(
        &mut m,
        Msg::KeysListed {
            kind: KeyListKind::Authorized,
            result: Ok(rows()),
        },
    );
    assert_snapshot!(render(&m));
}

#[test]
fn authorized_keys_remove_confirmation() {
    let mut m = zone_server();
    typed(&mut m, "C\n3\n2\n3\n3\n");
    update(
        &mut m,
        Msg::KeysListed {
            kind: KeyListKind::Authorized,
            result: Ok(rows()),
        },
    );
    typed(&mut m, "2\n");
    assert!(matches!(m.screen(), Screen::Confirm(_)));
    assert_snapshot!(render(&m));
}

#[test]
fn paste_dialog_refusing_a_dsa_key() {
    let mut m = zone_server();
    typed(&mut m, "C\n3\n2\n3\n2\n");
    assert!(matches!(m.screen(), Screen::Paste(d) if d.purpose == TextFor::AuthorizedKey));
    let blob = "AAAAB3NzaC1kc3MAAACBAOfNqHgsBqRbWYqHvAg6qXnMbLUqBk1r2Y0X";
    update(&mut m, Msg::Paste(format!("ssh-dss {blob} old@laptop\r")));
    let screen = render(&m);
    assert!(screen.contains("DSA keys are refused"), "{screen}");
    assert!(!screen.contains(blob), "the paste is not echoed:\n{screen}");
    assert_snapshot!(screen);
}

#[test]
fn sftp_peer_form() {
    let mut m = zone_server();
    typed(&mut m, "2\nZ\n3\n3\n");
    assert!(matches!(m.screen(), Screen::Form(_)));
    assert_snapshot!(render(&m));
}

#[test]
fn unknown_host_confirmation() {
    let mut m = zone_server();
    typed(&mut m, "2\nZ\n3\n3\n");
    let effects = typed(&mut m, "127.0.0.1\n2222\n\n");
    let peer = Peer {
        host: "127.0.0.1".into(),
        port: 2222,
        user: "tancopy".into(),
    };
    assert_eq!(
        effects,
        vec![tanos_menu::model::Effect::Transfer {
            op: TransferOp::PullCertificate,
            peer: peer.clone(),
            trust: None
        }]
    );
    update(
        &mut m,
        Msg::Transferred {
            op: TransferOp::PullCertificate,
            peer,
            result: Err(TransferFailure::UnknownHost {
                host: "[127.0.0.1]:2222".into(),
                key_type: "ssh-ed25519".into(),
                fingerprint: HOST_FINGERPRINT.into(),
            }),
        },
    );
    assert!(matches!(m.screen(), Screen::Confirm(_)));
    let screen = render(&m);
    // The fingerprint stands whole on a line, for comparing with the server's status.
    assert!(
        screen.lines().any(|l| l.trim() == HOST_FINGERPRINT),
        "{screen}"
    );
    assert_snapshot!(screen);
}

/// tanadmin's known hosts (C › 3 › tanadmin › 4), as `appliance::users::known_host_rows`
/// writes them.
fn known_host_rows() -> Vec<String> {
    vec![
        format!("[127.0.0.1]:2222  ssh-ed25519\n{HOST_FINGERPRINT}"),
        "ts01.example  ssh-ed25519\nSHA256:tsHOSTfingerprintHHHHHHHHHHHHHHHHHHHHHHHHHHH"
            .to_string(),
    ]
}

#[test]
fn known_hosts_list() {
    let mut m = zone_server();
    typed(&mut m, "C\n3\n1\n4\n");
    assert!(matches!(m.screen(), Screen::Keys(l) if l.kind == KeyListKind::KnownHosts));
    update(
        &mut m,
        Msg::KeysListed {
            kind: KeyListKind::KnownHosts,
            result: Ok(known_host_rows()),
        },
    );
    assert_snapshot!(render(&m));
}

/// SPEC §3: the list shows type, fingerprint and comment; the known hosts list is where the
/// operator reads the fingerprint of a host. At 80 columns, the smallest the console draws
/// in, a row must be readable whole (wrapped if need be), not cut at the right edge.
#[test]
fn list_rows_are_shown_whole_at_80_columns() {
    let whole = |screen: &str, text: &str| {
        // Wrapped lines are joined again for the search; the indentation is dropped.
        let joined: String = screen.lines().map(str::trim).collect::<Vec<_>>().join(" ");
        joined.contains(text) || joined.replace(' ', "").contains(&text.replace(' ', ""))
    };
    for (keys, kind, rows) in [
        ("C\n3\n2\n3\n1\n", KeyListKind::Authorized, rows()),
        ("C\n3\n2\n3\n3\n", KeyListKind::Authorized, rows()),
        ("C\n3\n1\n4\n", KeyListKind::KnownHosts, known_host_rows()),
    ] {
        let mut m = zone_server();
        typed(&mut m, keys);
        update(
            &mut m,
            Msg::KeysListed {
                kind,
                result: Ok(rows.clone()),
            },
        );
        let screen = render(&m);
        for row in &rows {
            for part in row
                .split(['\n', ' '])
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                assert!(
                    whole(&screen, part),
                    "'{part}' of '{row}' is not on the screen ({keys:?}):\n{screen}"
                );
            }
        }
    }
}
