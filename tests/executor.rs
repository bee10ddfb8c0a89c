//! The effects the console asks for, run against real appliance roots: first-run creation,
//! reloading, saving a setting; and the console opening on empty, existing and foreign roots.

mod support;

use tanos_menu::app::initial_model;
use tanos_menu::appliance::catalogue::{self, Component, Value};
use tanos_menu::appliance::init::InitOptions;
use tanos_menu::appliance::{Platform, Role};
use tanos_menu::executor::run_effect;
use tanos_menu::model::{Effect, Msg, Screen, update};

use support::roots;

fn scratch() -> tempfile::TempDir {
    roots::scratch("executor", "exec-")
}

#[test]
fn first_run_creates_the_appliance_then_the_console_opens_on_it() {
    let dir = scratch();
    let root = dir.path().join("appliance");
    let mut m = initial_model(&root).expect("an empty root opens first-run setup");
    assert!(matches!(m.screen(), Screen::Setup(_)));
    let effects = support::ui::typed(&mut m, "3\nzs-demo\n\ny\n");
    let [Effect::Init(opts)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        opts,
        &InitOptions {
            role: Role::ZoneServer,
            hostname: "zs-demo".into(),
            platform: Platform::V7_3,
            zone_hub: false,
            tanium_pub: None
        }
    );
    let msg = run_effect(&root, effects[0].clone());
    update(&mut m, msg);
    assert!(
        matches!(m.screen(), Screen::Menu { .. }),
        "{:?} {:?}",
        m.screen(),
        m.flash
    );
    assert_eq!(
        m.snapshot.as_ref().map(|s| s.config.hostname.as_str()),
        Some("zs-demo")
    );

    // Reopening the console finds the appliance.
    let again = initial_model(&root).expect("opens");
    assert!(matches!(again.screen(), Screen::Menu { .. }));
}

#[test]
fn saving_a_setting_writes_settings_toml_and_reloads() {
    let dir = scratch();
    let root = dir.path().join("ts");
    let opts = roots::options(Role::TaniumServer, "ts01", Platform::V7_3, true);
    let Msg::Initialized(Ok(snapshot)) = run_effect(&root, Effect::Init(opts)) else {
        panic!("init failed")
    };
    let checked = catalogue::validate(
        &snapshot.config,
        Component::ZoneServerHub,
        "ReportingTLSMode",
        "2",
    )
    .expect("valid");
    let Msg::Saved(Ok((change, after))) = run_effect(&root, Effect::SaveSetting(checked)) else {
        panic!("save failed")
    };
    assert_eq!(change.old, Some(Value::Dword(0)));
    assert_eq!(
        after
            .settings
            .as_ref()
            .unwrap()
            .get(Component::ZoneServerHub, "ReportingTLSMode"),
        Some(&Value::Dword(2))
    );
    let text = std::fs::read_to_string(root.join("settings.toml")).unwrap();
    assert!(text.contains("[zone-server-hub]\nReportingTLSKeyPath = \"tanium/reporting.pvk\"\nReportingTLSMode = 2\n"), "{text}");
    let Msg::Loaded(Ok(loaded)) = run_effect(&root, Effect::Load) else {
        panic!("load failed")
    };
    assert_eq!(loaded, after);
}

#[test]
fn init_on_an_existing_appliance_fails_and_says_why() {
    let dir = scratch();
    let root = dir.path().join("ts");
    let opts = roots::options(Role::TaniumServer, "ts01", Platform::V7_4, false);
    assert!(matches!(
        run_effect(&root, Effect::Init(opts.clone())),
        Msg::Initialized(Ok(_))
    ));
    let Msg::Initialized(Err(e)) = run_effect(&root, Effect::Init(opts)) else {
        panic!("second init must fail")
    };
    assert!(e.contains("already holds an appliance"), "{e}");
}

#[test]
fn a_foreign_directory_is_not_opened() {
    let dir = scratch();
    std::fs::write(dir.path().join("report.txt"), "not an appliance").unwrap();
    let err = initial_model(dir.path()).expect_err("a directory of other files is refused");
    assert!(err.to_string().contains("not an appliance root"), "{err}");
}

#[test]
fn status_reflects_the_installed_certificate() {
    let dir = scratch();
    let root = dir.path().join("ts");
    let opts = roots::options(Role::TaniumServer, "ts01", Platform::V7_3, false);
    let Msg::Initialized(Ok(snapshot)) = run_effect(&root, Effect::Init(opts)) else {
        panic!()
    };
    assert!(
        snapshot.cert.short().starts_with("valid until "),
        "{:?}",
        snapshot.cert
    );
    assert!(matches!(snapshot.root_fingerprint, Some(Ok(ref fp)) if fp.starts_with("SHA256:")));
    std::fs::write(root.join("tanium/reporting.crt"), "garbage").unwrap();
    let Msg::Loaded(Ok(snapshot)) = run_effect(&root, Effect::Load) else {
        panic!()
    };
    assert_eq!(snapshot.cert.short(), "UNREADABLE");
}

/// A step that failed before it could answer (a panic on the worker) is answered with its
/// own message, carrying the reason: the console leaves its busy state and says why.
#[test]
fn a_failed_step_ends_the_busy_state_whatever_the_step() {
    use tanos_menu::executor::failed;
    use tanos_menu::model::{TextFor, TransferOp};
    use tanos_menu::pki::KeyType;
    use tanos_menu::pki::csr::CsrRequest;
    use tanos_menu::transfer::sftp::Peer;
    let peer = Peer {
        host: "ts01.example".into(),
        port: 22,
        user: "tancopy".into(),
    };
    use tanos_menu::appliance::issuance::{Order, Replace, Source};
    let csr = tanos_menu::pki::csr::CheckedCsr {
        common_name: "zs01.example".into(),
        dns_names: Vec::new(),
        ips: Vec::new(),
        key_description: "ECDSA P-256".into(),
        rsa: false,
        spki_der: Vec::new(),
        fingerprint: "SHA256:k".into(),
    };
    let order = Box::new(Order {
        csr,
        days: 365,
        source: Source::Paste,
        replace: Replace::Never,
    });
    let effects = [
        Effect::IssueCert(order.clone()),
        Effect::IssueBatch {
            listed: Vec::new(),
            days: 365,
        },
        Effect::ShowIssued { page: 0 },
        Effect::ShowAudit { page: 0 },
        Effect::RegenerateTls,
        Effect::ReadIncoming {
            name: "reporting.crt".into(),
            purpose: TextFor::Cert,
        },
        Effect::ShowFile {
            rel: "tanium/tanium.pub".into(),
            title: "tanium.pub".into(),
        },
        Effect::CheckCert("text".into()),
        Effect::ImportRoot("text".into()),
        Effect::InstallCert {
            text: "text".into(),
            trust: None,
        },
        Effect::GenerateCsr(CsrRequest {
            common_name: "zs01.example".into(),
            dns_names: Vec::new(),
            ips: Vec::new(),
            key_type: KeyType::EcdsaP256,
        }),
        Effect::GenerateKeypair {
            user: "tanadmin".into(),
        },
        Effect::RemoveKnownHost {
            line: 1,
            row: String::new(),
        },
        Effect::Transfer {
            op: TransferOp::PushCsr,
            peer: peer.clone(),
            trust: None,
        },
        Effect::Transfer {
            op: TransferOp::PullCertificate,
            peer,
            trust: None,
        },
    ];
    for effect in effects {
        for role in [Role::TaniumServer, Role::ZoneServer] {
            let mut m = support::ui::console(role, role == Role::TaniumServer, Platform::V7_3);
            m.busy = Some("Working…".into());
            update(&mut m, failed(&effect, "internal error 42".into()));
            assert!(m.busy.is_none(), "{effect:?} left the console busy");
            let flash = m.flash.as_ref().map(|f| f.text.as_str()).unwrap_or("");
            assert!(flash.contains("internal error 42"), "{effect:?}: {flash:?}");
        }
    }
    // The /incoming list being read closes with the reason instead of "Reading /incoming…".
    let mut m = support::ui::console(Role::TaniumServer, true, Platform::V7_3);
    let effects = support::ui::typed(&mut m, "2\nZ\n2\n1\n");
    let [effect @ Effect::ListRequests] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(matches!(m.screen(), Screen::Files(_)));
    update(&mut m, failed(effect, "internal error 43".into()));
    assert!(!matches!(m.screen(), Screen::Files(_)), "{:?}", m.screen());
    let flash = m.flash.as_ref().map(|f| f.text.as_str()).unwrap_or("");
    assert!(flash.contains("internal error 43"), "{flash:?}");
}
