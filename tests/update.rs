//! The pure update, driven by key sequences: navigation, settings edits, confirmations,
//! first-run setup. No terminal, no disk.

mod support;

use support::ui::*;
use tanos_menu::appliance::catalogue::{Component, Value};
use tanos_menu::appliance::settings::Change;
use tanos_menu::appliance::{Platform, Role};
use tanos_menu::menu::ROOT;
use tanos_menu::model::{Effect, Key, Msg, Screen, SetupStep, update};

fn at_menu(m: &tanos_menu::model::Model) -> Option<String> {
    match m.screen() {
        Screen::Menu { id, .. } => Some(id.clone()),
        _ => None,
    }
}

#[test]
fn two_two_opens_configuration_settings_on_every_role() {
    for (role, hub) in [
        (Role::TaniumServer, false),
        (Role::TaniumServer, true),
        (Role::ZoneServer, false),
    ] {
        let mut m = console(role, hub, Platform::V7_3);
        let effects = typed(&mut m, "2\n2\n");
        assert_eq!(
            m.screen(),
            &Screen::Components { cursor: 0 },
            "{role:?} hub={hub}"
        );
        assert_eq!(
            effects,
            vec![Effect::Load],
            "the settings screen reads the appliance afresh"
        );
        assert_eq!(m.stack.len(), 3);
    }
}

#[test]
fn c_opens_user_administration_upper_or_lower_case() {
    for role in [Role::TaniumServer, Role::ZoneServer] {
        for key in ["C\n", "c\n"] {
            let mut m = console(role, false, Platform::V7_3);
            typed(&mut m, key);
            assert_eq!(at_menu(&m).as_deref(), Some("users"), "{role:?} {key:?}");
        }
    }
}

#[test]
fn one_opens_tanium_status() {
    let mut m = tanium_server();
    let effects = typed(&mut m, "1\n");
    assert_eq!(m.screen(), &Screen::Status);
    assert_eq!(effects, vec![Effect::Load]);
    typed(&mut m, "\n");
    assert_eq!(
        at_menu(&m).as_deref(),
        Some(ROOT),
        "Enter on a view goes back"
    );
}

#[test]
fn unknown_key_is_an_error_and_stays() {
    let mut m = tanium_server();
    let effects = typed(&mut m, "Q\n");
    assert!(effects.is_empty());
    assert_eq!(at_menu(&m).as_deref(), Some(ROOT));
    let flash = m.flash.clone().expect("a message");
    assert!(flash.error);
    assert!(flash.text.contains("'Q' is not an item"), "{}", flash.text);
}

#[test]
fn b_esc_and_rr_go_back_and_to_the_root() {
    let mut m = tanium_server();
    typed(&mut m, "2\n2\n1\n");
    assert!(matches!(
        m.screen(),
        Screen::Settings {
            component: Component::TaniumServer,
            ..
        }
    ));
    typed(&mut m, "b\n");
    assert_eq!(m.screen(), &Screen::Components { cursor: 0 });
    press(&mut m, Key::Esc);
    assert_eq!(at_menu(&m).as_deref(), Some("operations"));
    typed(&mut m, "2\n2\n");
    assert!(
        matches!(
            m.screen(),
            Screen::Settings {
                component: Component::ClientGlobal,
                ..
            }
        ),
        "{:?}",
        m.screen()
    );
    typed(&mut m, "rr\n");
    assert_eq!(m.stack.len(), 1);
    assert_eq!(at_menu(&m).as_deref(), Some(ROOT));
}

#[test]
fn x_exits_only_at_the_root() {
    let mut m = tanium_server();
    typed(&mut m, "2\nX\n");
    assert!(!m.quit, "X below the root does not exit");
    assert!(m.flash.as_ref().is_some_and(|f| f.error));
    typed(&mut m, "B\nx\n");
    assert!(m.quit);
}

#[test]
fn ctrl_c_cancels_and_never_exits() {
    let mut m = tanium_server();
    typed(&mut m, "2");
    press(&mut m, Key::CtrlC);
    assert_eq!(m.input, "", "Ctrl-C clears what was typed");
    for _ in 0..3 {
        press(&mut m, Key::CtrlC);
    }
    assert!(!m.quit);
    assert_eq!(at_menu(&m).as_deref(), Some(ROOT));
    // In an edit prompt, Ctrl-C cancels the prompt.
    typed(&mut m, "2\n2\n1\n1\n");
    assert!(matches!(m.screen(), Screen::Edit(_)));
    typed(&mut m, "12");
    press(&mut m, Key::CtrlC);
    assert!(
        matches!(m.screen(), Screen::Edit(_)),
        "first Ctrl-C clears the value typed"
    );
    press(&mut m, Key::CtrlC);
    assert!(matches!(m.screen(), Screen::Settings { .. }));
    assert!(!m.quit);
}

#[test]
fn arrows_and_enter_select_the_highlighted_item() {
    let mut m = tanium_server();
    press(&mut m, Key::Down);
    press(&mut m, Key::Enter);
    assert_eq!(at_menu(&m).as_deref(), Some("operations"));
    press(&mut m, Key::Esc);
    press(&mut m, Key::Up);
    assert_eq!(
        m.screen(),
        &Screen::Menu {
            id: ROOT.into(),
            cursor: 0
        },
        "Esc keeps the root's highlight; Up wraps from 1 to the last"
    );
}

#[test]
fn up_wraps_to_the_last_item() {
    let mut m = tanium_server();
    press(&mut m, Key::Up);
    assert_eq!(
        m.screen(),
        &Screen::Menu {
            id: ROOT.into(),
            cursor: 3
        }
    );
    let effects = press(&mut m, Key::Enter);
    assert_eq!(
        effects,
        vec![Effect::ShowAudit { page: 0 }],
        "the last item of the root is the audit log"
    );
}

#[test]
fn out_of_range_value_is_refused_with_no_effect() {
    let mut m = tanium_server();
    // Client Global Settings is line 2 on a Tanium Server without the hub; line 2 of it is
    // OptionalTLSMinAttemptCount on 7.3.
    typed(&mut m, "2\n2\n2\n2\n");
    let Screen::Edit(edit) = m.screen() else {
        panic!("edit screen expected, got {:?}", m.screen())
    };
    assert_eq!(edit.name, "OptionalTLSMinAttemptCount");
    for bad in ["101", "0", "abc", "-1", "1.5"] {
        let effects = typed(&mut m, &format!("{bad}\n"));
        assert!(effects.is_empty(), "{bad}");
        let Screen::Edit(edit) = m.screen() else {
            panic!("stays in the edit screen")
        };
        assert!(edit.error.is_some(), "{bad}");
        assert_eq!(m.input, bad, "the value stays for correction");
        m.input.clear();
    }
    let effects = typed(&mut m, "100\n");
    let [Effect::SaveSetting(checked)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(checked.value, Value::Dword(100));
    assert_eq!(checked.component, Component::ClientGlobal);
    assert!(m.busy.is_some());
}

#[test]
fn enter_on_an_empty_value_keeps_the_current_one() {
    let mut m = tanium_server();
    typed(&mut m, "2\n2\n1\n1\n");
    let effects = typed(&mut m, "\n");
    assert!(effects.is_empty());
    assert!(matches!(m.screen(), Screen::Settings { .. }));
    assert!(
        m.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("unchanged"))
    );
}

#[test]
fn risky_value_needs_y() {
    let mut m = tanium_server();
    // Tanium Server line 3 on 7.3: RequireIncomingEncryption.
    typed(&mut m, "2\n2\n1\n3\n");
    let effects = typed(&mut m, "1\n");
    assert!(effects.is_empty());
    let Screen::Confirm(confirm) = m.screen() else {
        panic!("confirmation expected, got {:?}", m.screen())
    };
    assert!(
        confirm.warning.contains("every deployed Tanium Client"),
        "{}",
        confirm.warning
    );
    assert!(matches!(confirm.on_yes.effect, Effect::SaveSetting(_)));
    // Anything but y declines.
    for answer in ["n\n", "\n", "yes\n"] {
        let mut declined = m.clone();
        assert!(typed(&mut declined, answer).is_empty(), "{answer:?}");
        assert!(matches!(declined.screen(), Screen::Edit(_)));
    }
    let effects = typed(&mut m, "Y\n");
    let [Effect::SaveSetting(checked)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(checked.def.name, "RequireIncomingEncryption");
    assert_eq!(checked.value, Value::Dword(1));
}

#[test]
fn saved_returns_to_the_list_with_the_new_snapshot() {
    let mut m = tanium_server();
    typed(&mut m, "2\n2\n1\n3\n1\ny\n");
    let mut next = snapshot(Role::TaniumServer, false, Platform::V7_3);
    next.tls_mode = Some(Value::Dword(1));
    let change = Change {
        component: Component::TaniumServer,
        name: "RequireIncomingEncryption",
        old: Some(Value::Dword(0)),
        new: Value::Dword(1),
        audit_error: None,
    };
    update(&mut m, Msg::Saved(Ok((change, next.clone()))));
    assert!(m.busy.is_none());
    assert!(matches!(
        m.screen(),
        Screen::Settings {
            component: Component::TaniumServer,
            ..
        }
    ));
    assert_eq!(m.snapshot.as_ref(), Some(&next));
    assert_eq!(
        m.flash.as_ref().map(|f| f.text.as_str()),
        Some("Saved: RequireIncomingEncryption = 1 (was 0).")
    );
}

#[test]
fn save_failure_is_shown() {
    let mut m = tanium_server();
    typed(&mut m, "2\n2\n2\n2\n50\n");
    update(
        &mut m,
        Msg::Saved(Err(
            "cannot save settings.toml: No space left on device; the file is unchanged".into(),
        )),
    );
    assert!(matches!(m.screen(), Screen::Settings { .. }));
    assert!(
        m.flash
            .as_ref()
            .is_some_and(|f| f.error && f.text.contains("No space left"))
    );
}

#[test]
fn keys_wait_while_busy() {
    let mut m = tanium_server();
    typed(&mut m, "2\n2\n2\n2\n50\n");
    assert!(m.busy.is_some());
    let before = m.clone();
    assert!(typed(&mut m, "x\nRR\n").is_empty());
    assert_eq!(m, before);
}

#[test]
fn a_adds_a_catalogue_setting_with_its_default() {
    let mut m = tanium_server();
    typed(&mut m, "2\n2\n1\nA\n");
    assert!(matches!(
        m.screen(),
        Screen::AddSetting {
            component: Component::TaniumServer,
            ..
        }
    ));
    // Line 1: ReportingTLSCertPath, default tanium/reporting.crt.
    typed(&mut m, "1\n");
    let Screen::Edit(edit) = m.screen() else {
        panic!()
    };
    assert!(edit.adding);
    assert_eq!(edit.default.as_deref(), Some("tanium/reporting.crt"));
    let effects = typed(&mut m, "\n");
    let [Effect::SaveSetting(checked)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(checked.value, Value::Text("tanium/reporting.crt".into()));
}

#[test]
fn a_setting_with_no_default_needs_a_value_and_its_warning() {
    let mut m = tanium_server();
    typed(&mut m, "2\n2\n1\nA\n2\n");
    let Screen::Edit(edit) = m.screen() else {
        panic!()
    };
    assert_eq!(edit.name, "ReportingTLSKeyPasswordFile");
    assert!(typed(&mut m, "\n").is_empty());
    let Screen::Edit(edit) = m.screen() else {
        panic!()
    };
    assert!(
        edit.error
            .as_deref()
            .is_some_and(|e| e.contains("no default"))
    );
    assert!(typed(&mut m, "../etc/shadow\n").is_empty());
    let Screen::Edit(edit) = m.screen() else {
        panic!()
    };
    assert!(edit.error.as_deref().is_some_and(|e| e.contains("..")));
    m.input.clear();
    typed(&mut m, "tanium/hsm.pass\n");
    assert!(
        matches!(m.screen(), Screen::Confirm(_)),
        "the HSM warning is confirmed first"
    );
}

#[test]
fn paste_at_a_prompt_takes_the_first_line_without_control_characters() {
    let mut m = tanium_server();
    typed(&mut m, "2\n2\n2\n2\n");
    update(&mut m, Msg::Paste("  42 \r\n\r\n".into()));
    assert_eq!(m.input, "42");
}

#[test]
fn seven_four_refuses_disabling_tls() {
    let mut m = console(Role::ZoneServer, false, Platform::V7_4);
    typed(&mut m, "2\n2\n1\n1\n");
    let Screen::Edit(edit) = m.screen() else {
        panic!("{:?}", m.screen())
    };
    assert_eq!(edit.name, "ReportingTLSMode");
    assert!(typed(&mut m, "0\n").is_empty());
    let Screen::Edit(edit) = m.screen() else {
        panic!()
    };
    assert!(
        edit.error
            .as_deref()
            .is_some_and(|e| e.contains("cannot be disabled")),
        "{:?}",
        edit.error
    );
}

#[test]
fn first_run_defaults_create_a_tanium_server() {
    let mut m = first_run();
    typed(&mut m, "\n");
    let Screen::Setup(setup) = m.screen() else {
        panic!()
    };
    assert_eq!(setup.step, SetupStep::Hostname);
    typed(&mut m, "\n\n");
    let Screen::Confirm(confirm) = m.screen() else {
        panic!("{:?}", m.screen())
    };
    let Effect::Init(opts) = &confirm.on_yes.effect else {
        panic!()
    };
    assert_eq!(opts.role, Role::TaniumServer);
    assert_eq!(opts.hostname, "tanos-demo");
    assert_eq!(opts.platform, Platform::V7_3);
    assert!(!opts.zone_hub);
    let effects = typed(&mut m, "y\n");
    assert!(matches!(effects.as_slice(), [Effect::Init(_)]));
    update(
        &mut m,
        Msg::Initialized(Ok(snapshot(Role::TaniumServer, false, Platform::V7_3))),
    );
    assert_eq!(at_menu(&m).as_deref(), Some(ROOT));
    assert_eq!(m.stack.len(), 1);
}

#[test]
fn first_run_choices_and_errors() {
    let mut m = first_run();
    typed(&mut m, "4\n");
    let Screen::Setup(setup) = m.screen() else {
        panic!()
    };
    assert!(setup.error.is_some());
    typed(&mut m, "3\nbad_name\n");
    let Screen::Setup(setup) = m.screen() else {
        panic!()
    };
    assert_eq!(setup.step, SetupStep::Hostname);
    assert!(
        setup.error.as_deref().is_some_and(|e| e.contains("'_'")),
        "{:?}",
        setup.error
    );
    typed(&mut m, "zs-west.example\n1\n");
    let Screen::Confirm(confirm) = m.screen() else {
        panic!()
    };
    let Effect::Init(opts) = &confirm.on_yes.effect else {
        panic!()
    };
    assert_eq!(
        (opts.role, opts.hostname.as_str(), opts.platform),
        (Role::ZoneServer, "zs-west.example", Platform::V7_2)
    );
    // Declining returns to the last question, nothing created.
    assert!(typed(&mut m, "n\n").is_empty());
    assert!(matches!(m.screen(), Screen::Setup(_)));
    // Esc walks back through the steps; X exits from the first one.
    typed(&mut m, "\x1b\x1b");
    let Screen::Setup(setup) = m.screen() else {
        panic!()
    };
    assert_eq!(setup.step, SetupStep::Role);
    typed(&mut m, "x\n");
    assert!(m.quit);
}

#[test]
fn failed_init_is_reported_and_setup_stays() {
    let mut m = first_run();
    typed(&mut m, "\n\n\ny\n");
    update(
        &mut m,
        Msg::Initialized(Err("cannot create the appliance: Permission denied".into())),
    );
    assert!(matches!(m.screen(), Screen::Setup(_)));
    assert!(
        m.flash
            .as_ref()
            .is_some_and(|f| f.error && f.text.contains("Permission denied"))
    );
}

/// Esc abandons a running TLS probe or transfer, and the message says what was abandoned;
/// the late answer of the abandoned step is dropped, whatever it says.
#[test]
fn esc_abandons_a_probe_or_a_transfer_and_says_which() {
    let mut m = zone_server();
    let effects = typed(&mut m, "2\nT\n2\n127.0.0.1\n\n\n");
    assert!(
        matches!(effects.as_slice(), [Effect::TlsCheck(_)]),
        "{effects:?}"
    );
    assert!(m.busy.is_some() && m.cancellable);
    assert_eq!(update(&mut m, Msg::Key(Key::Esc)), vec![Effect::Cancel]);
    let flash = m.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("TLS check is abandoned"), "{flash}");
    assert!(m.busy.is_none());
    update(&mut m, Msg::TlsChecked(Err("late answer".into())));
    let after = m.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert_eq!(after, flash, "the abandoned probe's answer is dropped");

    let mut m = zone_server();
    let effects = typed(&mut m, "2\nZ\n8\nts01.example\n\n\n");
    assert!(
        matches!(effects.as_slice(), [Effect::Transfer { .. }]),
        "{effects:?}"
    );
    assert_eq!(update(&mut m, Msg::Key(Key::Esc)), vec![Effect::Cancel]);
    let flash = m.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("transfer is abandoned"), "{flash}");
}
