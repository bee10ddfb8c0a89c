//! The TLS check in the console (Tanium Operations › TLS check) at 80x24, compared with the
//! snapshots under tests/snapshots/, and the effects its keys ask for. Fixed reports only:
//! dates, serials and fingerprints written out below.

mod support;

use insta::assert_snapshot;
use support::ui::*;
use tanos_menu::appliance::Role;
use tanos_menu::appliance::tlscheck::files;
use tanos_menu::menu::{Action, Target};
use tanos_menu::model::{Effect, Model, Msg, Screen, Step, update};
use tanos_menu::pki::CertSummary;
use tanos_menu::tlscheck::{CertFacts, Check, Failure, KeyKind, Negotiated, Part, Report};
use time::macros::datetime;

const ROOT_KEY: &str = "SHA256:rootKEYfingerprintBBBBBBBBBBBBBBBBBBBBBBBBBBB";

/// The keys that reach `target` on `m`'s appliance, from the shipped menus, typed.
fn keys_to_target(m: &Model, target: Target) -> String {
    let config = &m.snapshot.as_ref().expect("snapshot").config;
    let keys = m.menus.path_to(&target, config, None).expect("a path");
    keys.iter().map(|k| format!("{k}\n")).collect()
}

fn keys_to(m: &Model, action: Action) -> String {
    keys_to_target(m, Target::Action(action))
}

fn facts(subject: &str, key: KeyKind, names: &[&str]) -> CertFacts {
    CertFacts {
        summary: CertSummary {
            subject: subject.into(),
            issuer: "O=Tanium, CN=Tanium Root ts01.example".into(),
            serial: "3c:9e:01".into(),
            not_before: datetime!(2026-11-28 12:00 UTC),
            not_after: datetime!(2036-11-26 12:00 UTC),
            key_fingerprint: "SHA256:zoneKEYfingerprintDDDDDDDDDDDDDDDDDDDDDDDDDDD".into(),
        },
        key,
        names: names.iter().map(|n| n.to_string()).collect(),
    }
}

fn passed_self_test() -> Report {
    Report {
        files: files(Role::ZoneServer),
        name: Some("zs01.example".into()),
        roots: vec![ROOT_KEY.into()],
        negotiated: Some(Negotiated {
            version: "TLSv1.3".into(),
            suite: "TLS_AES_256_GCM_SHA384".into(),
        }),
        chain: vec![facts(
            "CN=zs01.example",
            KeyKind::Ecdsa("P-256".into()),
            &["zs01.example", "10.0.0.5"],
        )],
        signed_by: Some(ROOT_KEY.into()),
        ..Report::new(Check::SelfTest)
    }
}

fn probe(host: &str) -> Check {
    Check::Probe {
        host: host.into(),
        port: 17472,
        name: host.into(),
    }
}

#[test]
fn the_tls_check_menu() {
    let mut m = zone_server();
    let path = keys_to_target(&m, Target::Submenu("tls_check".into()));
    typed(&mut m, &path);
    assert!(matches!(m.screen(), Screen::Menu { id, .. } if id == "tls_check"));
    assert_snapshot!(render(&m));
}

#[test]
fn the_self_test_runs_at_once_on_both_roles() {
    for mut m in [zone_server(), tanium_server()] {
        let path = keys_to(&m, Action::TlsSelfTest);
        let effects = typed(&mut m, &path);
        assert_eq!(effects, vec![Effect::TlsCheck(Check::SelfTest)]);
        assert!(m.busy.is_some());
    }
}

#[test]
fn the_probe_form_and_what_it_asks_for() {
    let mut m = tanium_server();
    let path = keys_to(&m, Action::TlsProbe);
    assert!(typed(&mut m, &path).is_empty());
    assert!(matches!(m.screen(), Screen::Form(_)));
    assert_snapshot!(render(&m));
    // A port out of range is refused at its question.
    typed(&mut m, "zs01.example\n0\n");
    let Screen::Form(form) = m.screen() else {
        panic!("the form");
    };
    assert_eq!(form.step, 1);
    assert!(form.error.is_some());
    // Enter takes the default port, and the host as the name.
    let effects = typed(&mut m, "\n\n");
    assert_eq!(effects, vec![Effect::TlsCheck(probe("zs01.example"))]);
    // Another name than the host, when the host is an address.
    let mut m = tanium_server();
    typed(&mut m, &path);
    let effects = typed(&mut m, "127.0.0.1\n8443\nzs01.example\n");
    assert_eq!(
        effects,
        vec![Effect::TlsCheck(Check::Probe {
            host: "127.0.0.1".into(),
            port: 8443,
            name: "zs01.example".into(),
        })]
    );
}

#[test]
fn a_passed_self_test_in_the_copy_friendly_view() {
    let mut m = zone_server();
    let path = keys_to(&m, Action::TlsSelfTest);
    typed(&mut m, &path);
    update(&mut m, Msg::TlsChecked(Ok(Box::new(passed_self_test()))));
    assert!(matches!(m.screen(), Screen::View(_)));
    assert!(m.busy.is_none());
    let flash = m.flash.as_ref().expect("a message");
    assert!(!flash.error, "{}", flash.text);
    let screen = render(&m);
    assert!(
        screen
            .lines()
            .any(|l| l == "Suite           TLS_AES_256_GCM_SHA384"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn a_failed_probe_says_which_rule_the_peer_breaks() {
    let mut m = tanium_server();
    let path = keys_to(&m, Action::TlsProbe);
    typed(&mut m, &path);
    typed(&mut m, "zs01.example\n\n\n");
    let mut report = Report {
        files: files(Role::TaniumServer),
        roots: vec![ROOT_KEY.into()],
        name: Some("zs01.example".into()),
        diagnosed: Some(Negotiated {
            version: "TLSv1.1".into(),
            suite: "ECDHE-RSA-AES256-SHA".into(),
        }),
        chain: vec![facts(
            "CN=zs01.example",
            KeyKind::Rsa(2048),
            &["zs01.example"],
        )],
        signed_by: Some(ROOT_KEY.into()),
        outcome: Err(Failure::OldProtocol {
            version: "TLSv1.1".into(),
        }),
        ..Report::new(probe("zs01.example"))
    };
    report.files.cert = None;
    report.files.key = None;
    update(&mut m, Msg::TlsChecked(Ok(Box::new(report))));
    let flash = m.flash.as_ref().expect("a message");
    assert!(flash.error);
    assert_eq!(
        flash.text,
        "TLS probe of zs01.example:17472 failed: the peer speaks TLSv1.1 at most: TLS 1.2 is the minimum."
    );
    assert_snapshot!(render(&m));
}

#[test]
fn a_failed_self_test_names_the_step_that_fixes_it() {
    let mut m = zone_server();
    let path = keys_to(&m, Action::TlsSelfTest);
    typed(&mut m, &path);
    let report = Report {
        files: files(Role::ZoneServer),
        ..Report::failed(Check::SelfTest, Failure::Missing { part: Part::Key })
    };
    update(&mut m, Msg::TlsChecked(Ok(Box::new(report))));
    let flash = m.flash.as_ref().expect("a message");
    assert!(flash.error);
    assert_eq!(
        flash.text,
        format!(
            "TLS self-test failed: no private key (zoneserver/reporting.pvk). To fix it, generate a new key and CSR, then have it signed ({}).",
            m.key_path(Step::GenerateCsr)
        )
    );
    // A Tanium Server whose key does not match its certificate: regenerate them.
    let mut m = tanium_server();
    let path = keys_to(&m, Action::TlsSelfTest);
    typed(&mut m, &path);
    let report = Report {
        files: files(Role::TaniumServer),
        ..Report::failed(
            Check::SelfTest,
            Failure::KeyMismatch {
                cert_key: "SHA256:a".into(),
                key: "SHA256:b".into(),
            },
        )
    };
    update(&mut m, Msg::TlsChecked(Ok(Box::new(report))));
    let text = &m.flash.as_ref().expect("a message").text;
    let regenerate = keys_to(&m, Action::RegenerateTls)
        .trim_end()
        .replace('\n', " › ");
    assert!(
        text.ends_with(&format!(
            "regenerate the TLS key and certificate ({regenerate})."
        )),
        "{text}"
    );
}
