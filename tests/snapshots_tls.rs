//! The certificate screens at 80x24, compared with the snapshots under tests/snapshots/.
//! Fixed inputs only: the in-memory appliance of tests/common, a CSR generated once and kept
//! below, fixed dates and fingerprints.

mod support;

use insta::assert_snapshot;
use support::ui::*;
use tanos_menu::appliance::requests::{Request, RequestInfo, RequestState, Requests};
use tanos_menu::appliance::roots::{RootEntry, RootRow, RootState};
use tanos_menu::appliance::tls::CertCheck;
use tanos_menu::appliance::{Platform, Role};
use tanos_menu::model::{Model, Msg, Outcome, Screen, View, update};
use tanos_menu::pki::{CertSummary, TrustedKey};
use time::macros::datetime;

/// Made once with `tanos-menu keyutility reporting-tls-request --common-name zs01.example
/// --dns zs01-alt.example --ip 10.0.0.5`; `openssl req -verify` accepts it.
const FIXED_CSR: &str = "-----BEGIN CERTIFICATE REQUEST-----
MIIBFDCBuwIBADAXMRUwEwYDVQQDDAx6czAxLmV4YW1wbGUwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAARcqRPmUAYUzs29eDnnOWc80QPwGajlt4zO2YNtYoc9QVcl
NyxOTOS8qDjoj2ZzrcdzNnBH8llpK4th1JJW7w9RoEIwQAYJKoZIhvcNAQkOMTMw
MTAvBgNVHREEKDAmggx6czAxLmV4YW1wbGWCEHpzMDEtYWx0LmV4YW1wbGWHBAoA
AAUwCgYIKoZIzj0EAwIDSAAwRQIhAPOv5dpG9snDYG9s2NQ9xiuSer9L2rc6zcM7
RW0szM/vAiBJL+ul/1dXICUBQEWINQFOw0P5TPURXNCcoShGQJ+n5w==
-----END CERTIFICATE REQUEST-----
";

fn hub() -> Model {
    console(Role::TaniumServer, true, Platform::V7_3)
}

fn fixed_summary() -> CertSummary {
    CertSummary {
        subject: "CN=zs01.example".into(),
        issuer: "O=Tanium, CN=Tanium Root ts01.example".into(),
        serial: "3c:9e:01".into(),
        not_before: datetime!(2026-11-28 12:00 UTC),
        not_after: datetime!(2036-11-26 12:00 UTC),
        key_fingerprint: "SHA256:zoneKEYfingerprintDDDDDDDDDDDDDDDDDDDDDDDDDDD".into(),
    }
}

#[test]
fn copy_friendly_view_of_a_csr() {
    let mut m = zone_server();
    typed(&mut m, "2\nZ\n");
    let intro = vec![
        "Written: zoneserver/reporting.pvk, zoneserver/reporting.csr, transfer/outgoing/reporting.csr".to_string(),
        "Key fingerprint: SHA256:zoneKEYfingerprintDDDDDDDDDDDDDDDDDDDDDDDDDDD".to_string(),
        "Copy the CSR below (select it, or press c) and paste it on the Tanium Server at 2 › Z › 2 › 2.".to_string(),
    ];
    update(
        &mut m,
        Msg::Done(Ok(Outcome {
            message: "New key and CSR written.".into(),
            snapshot: None,
            view: Some(View::new("reporting.csr", intro, FIXED_CSR)),
        })),
    );
    let screen = render(&m);
    // Each PEM line stands alone: a mouse selection copies exactly the text.
    for line in FIXED_CSR.lines() {
        assert!(screen.lines().any(|l| l == line), "{line}\n{screen}");
    }
    assert_snapshot!(screen);
}

#[test]
fn paste_dialog_refusing_a_private_key() {
    let mut m = hub();
    typed(&mut m, "2\nZ\n2\n2\n");
    update(
        &mut m,
        Msg::Paste("-----BEGIN PRIVATE KEY-----\rMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\r-----END PRIVATE KEY-----\r".into()),
    );
    let screen = render(&m);
    assert!(!screen.contains("MIGHAgEA"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn paste_dialog_after_a_partial_typed_paste() {
    let mut m = hub();
    typed(&mut m, "2\nZ\n2\n2\n");
    let first: String = FIXED_CSR
        .lines()
        .take(3)
        .map(|l| format!("{l}\n"))
        .collect();
    typed(&mut m, &first);
    let screen = render(&m);
    assert!(screen.contains("3 lines (CERTIFICATE REQUEST)"), "{screen}");
    assert_snapshot!(screen);
}

/// `FIXED_CSR`'s names and 40 more: the confirmation lists them all and scrolls.
#[test]
fn issue_confirmation_with_many_names_scrolls() {
    let mut m = hub();
    typed(&mut m, "2\nZ\n2\n2\n");
    update(&mut m, Msg::Paste(FIXED_CSR.replace('\n', "\r")));
    typed(&mut m, "\n");
    let Screen::Confirm(confirm) = m.screen().clone() else {
        panic!("{}", render(&m))
    };
    let extra: Vec<String> = (0..40)
        .map(|i| format!("node-{i:02}.zone.example"))
        .collect();
    let mut wide = confirm.clone();
    wide.warning = wide.warning.replace(
        "DNS names (2): zs01.example, zs01-alt.example",
        &format!(
            "DNS names (42): zs01.example, zs01-alt.example, {}",
            extra.join(", ")
        ),
    );
    assert_ne!(wide, confirm);
    *m.stack.last_mut().expect("screen") = Screen::Confirm(wide);
    assert_snapshot!("issue_confirmation_many_names_top", render(&m));
    update(&mut m, Msg::Key(tanos_menu::model::Key::End));
    assert_snapshot!("issue_confirmation_many_names_end", render(&m));
}

/// Which screen a case must be on when it is drawn.
#[derive(Clone, Copy)]
enum On {
    Any,
    Form,
    Confirm,
}

/// One screen: reached from `start` by `keys`, then `msgs`, then `after`, drawn as the
/// snapshot `name`.
struct Case {
    name: &'static str,
    start: fn() -> Model,
    keys: &'static str,
    msgs: Vec<Msg>,
    after: &'static str,
    on: On,
}

fn case(name: &'static str, start: fn() -> Model, keys: &'static str, msgs: Vec<Msg>) -> Case {
    Case {
        name,
        start,
        keys,
        msgs,
        after: "",
        on: On::Any,
    }
}

fn fixed_cert() -> String {
    "-----BEGIN CERTIFICATE-----\nfixed\n-----END CERTIFICATE-----\n".into()
}

fn cases() -> Vec<Case> {
    let listed = |listing: Requests| Msg::Listed(Ok(listing));
    let pasted_csr = || vec![Msg::Paste(FIXED_CSR.replace('\n', "\r"))];
    let needs_trust = Msg::CertChecked {
        text: fixed_cert(),
        result: Ok(CertCheck::NeedsTrust {
            summary: fixed_summary(),
            candidate: TrustedKey {
                spki_der: vec![0x30, 0x00],
                fingerprint: "SHA256:rootKEYfingerprintBBBBBBBBBBBBBBBBBBBBBBBBBBB".into(),
            },
            trusted: None,
        }),
    };
    let new_root = Msg::CertChecked {
        text: fixed_cert(),
        result: Ok(CertCheck::NeedsTrust {
            summary: fixed_summary(),
            candidate: TrustedKey {
                spki_der: vec![0x30, 0x00],
                fingerprint: "SHA256:rootKEYfingerprintBBBBBBBBBBBBBBBBBBBBBBBBBBB".into(),
            },
            trusted: Some("SHA256:oldROOTfingerprintCCCCCCCCCCCCCCCCCCCCCCCCCCCC".into()),
        }),
    };
    let ready = Msg::CertChecked {
        text: fixed_cert(),
        result: Ok(CertCheck::Ready(fixed_summary())),
    };
    let garbage = Msg::Paste("hello\rthis is not\r-----END OF IT-----\r".into());
    let info = |cn: &str, fp: &str| RequestInfo {
        common_name: cn.into(),
        key_description: "ECDSA P-256".into(),
        key_fingerprint: format!("SHA256:{fp}"),
    };
    let row = |file: &str, state| Request {
        file: file.into(),
        state,
    };
    let two = Requests {
        rows: vec![
            row(
                "reporting.csr",
                RequestState::Pending(info("zs01.example", "one")),
            ),
            row(
                "zs02.example.csr",
                RequestState::Issued {
                    info: info("zs02.example", "two"),
                    serial: "5A17".into(),
                    not_after: "2036-11-26T00:00:00Z".into(),
                },
            ),
            row(
                "zs03.example.csr",
                RequestState::Pending(info("zs03.example", "three")),
            ),
            row(
                "notes.csr",
                RequestState::Refused("not a PEM certificate request: no BEGIN line".into()),
            ),
        ],
        not_utf8: 0,
    };
    let (zs, ts) = (zone_server as fn() -> Model, tanium_server as fn() -> Model);
    let form = On::Form;
    let confirm = On::Confirm;
    vec![
        Case {
            on: form,
            ..case("csr_first_prompt", zs, "2\nZ\n1\n", vec![])
        },
        case("csr_key_type_choice", zs, "2\nZ\n1\n\n\n\n", vec![]),
        case(
            "csr_prompt_with_an_error",
            zs,
            "2\nZ\n1\n\nbad_name!\n",
            vec![],
        ),
        case(
            "paste_dialog_refusing_garbage",
            hub,
            "2\nZ\n2\n2\n",
            vec![garbage],
        ),
        case(
            "incoming_files_list",
            hub,
            "2\nZ\n2\n1\n",
            vec![listed(two.clone())],
        ),
        Case {
            after: "A\n",
            ..case(
                "incoming_batch_confirmation",
                hub,
                "2\nZ\n2\n1\n",
                vec![listed(two)],
            )
        },
        case(
            "incoming_files_list_empty",
            hub,
            "2\nZ\n2\n1\n",
            vec![listed(Requests::default())],
        ),
        Case {
            on: form,
            ..case(
                "issue_form_with_the_csr_summary",
                hub,
                "2\nZ\n2\n2\n",
                pasted_csr(),
            )
        },
        Case {
            after: "\n",
            on: confirm,
            ..case("issue_confirmation", hub, "2\nZ\n2\n2\n", pasted_csr())
        },
        Case {
            on: confirm,
            ..case(
                "trust_the_root_and_install_confirmation",
                zs,
                "2\nZ\n3\n1\n",
                vec![needs_trust],
            )
        },
        Case {
            on: confirm,
            ..case(
                "new_root_and_install_confirmation",
                zs,
                "2\nZ\n3\n3\n",
                vec![new_root],
            )
        },
        case(
            "install_confirmation_with_a_trusted_root",
            zs,
            "2\nZ\n3\n2\n",
            vec![ready],
        ),
        case("regenerate_tls_confirmation", ts, "2\nR\n", vec![]),
        case(
            "root_keys_of_the_hub",
            hub,
            "2\nK\n",
            vec![Msg::RootsListed(Ok(root_rows()))],
        ),
        Case {
            after: "2\n",
            on: confirm,
            ..case(
                "root_key_revocation_confirmation",
                hub,
                "2\nK\n",
                vec![Msg::RootsListed(Ok(root_rows()))],
            )
        },
        Case {
            after: "A\n",
            on: confirm,
            ..case(
                "root_key_add_confirmation",
                hub,
                "2\nK\n",
                vec![Msg::RootsListed(Ok(root_rows()))],
            )
        },
        case(
            "trusted_roots_of_a_zone_server",
            zs,
            "2\nZ\n4\n3\n",
            vec![Msg::RootsListed(Ok(root_rows()))],
        ),
    ]
}

/// Two root keys: the signing one, and an earlier one still trusted that signs two
/// certificates.
fn root_rows() -> Vec<RootRow> {
    let row = |fp: &str, created: &str, state, names: &[&str]| RootRow {
        entry: RootEntry {
            fingerprint: format!("SHA256:{fp}"),
            created: created.into(),
            state,
            key: String::new(),
            cert: "tanium/roots/x.crt".into(),
        },
        valid_signed: names.len(),
        names: names.iter().map(|n| n.to_string()).collect(),
    };
    vec![
        row(
            "newROOTfingerprintDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD",
            "2026-12-05T10:00:00Z",
            RootState::Signing,
            &[],
        ),
        row(
            "oldROOTfingerprintCCCCCCCCCCCCCCCCCCCCCCCCCCCC",
            "2026-01-01T10:00:00Z",
            RootState::Trusted,
            &["zs01.example", "zs02.example"],
        ),
    ]
}

#[test]
fn screens_reached_by_keys_and_results() {
    for c in cases() {
        let mut m = (c.start)();
        typed(&mut m, c.keys);
        for msg in c.msgs {
            update(&mut m, msg);
        }
        typed(&mut m, c.after);
        let on = match (c.on, m.screen()) {
            (On::Any, _) | (On::Form, Screen::Form(_)) | (On::Confirm, Screen::Confirm(_)) => true,
            (On::Form | On::Confirm, _) => false,
        };
        assert!(on, "{}: not on the screen wanted\n{}", c.name, render(&m));
        assert_snapshot!(c.name, render(&m));
    }
}
