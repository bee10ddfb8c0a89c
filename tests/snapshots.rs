//! Screens at 80x24, compared with the snapshots under tests/snapshots/.

mod support;

use insta::assert_snapshot;
use support::ui::*;
use tanos_menu::appliance::{Platform, Role};
use tanos_menu::model::{Msg, update};

#[test]
fn root_menu_of_a_tanium_server() {
    assert_snapshot!(render(&tanium_server()));
}

#[test]
fn root_menu_of_a_tanium_server_with_hub() {
    assert_snapshot!(render(&console(Role::TaniumServer, true, Platform::V7_3)));
}

#[test]
fn root_menu_of_a_zone_server() {
    assert_snapshot!(render(&zone_server()));
}

#[test]
fn tanium_operations() {
    let mut m = zone_server();
    typed(&mut m, "2\n");
    assert_snapshot!(render(&m));
}

#[test]
fn tanium_status_of_a_tanium_server() {
    let mut m = tanium_server();
    typed(&mut m, "1\n");
    assert_snapshot!(render(&m));
}

#[test]
fn tanium_status_of_a_zone_server_without_certificate() {
    let mut m = zone_server();
    typed(&mut m, "1\n");
    assert_snapshot!(render(&m));
}

#[test]
fn configuration_settings_components_with_hub() {
    let mut m = console(Role::TaniumServer, true, Platform::V7_3);
    typed(&mut m, "2\n2\n");
    assert_snapshot!(render(&m));
}

#[test]
fn configuration_settings_client_global_on_7_4() {
    let mut m = console(Role::TaniumServer, false, Platform::V7_4);
    typed(&mut m, "2\n2\n2\n");
    assert_snapshot!(render(&m));
}

#[test]
fn configuration_settings_zone_server_list() {
    let mut m = zone_server();
    typed(&mut m, "2\n2\n1\n");
    assert_snapshot!(render(&m));
}

#[test]
fn edit_with_a_validation_error() {
    let mut m = tanium_server();
    typed(&mut m, "2\n2\n2\n2\n101\n");
    assert_snapshot!(render(&m));
}

#[test]
fn risky_value_confirmation() {
    let mut m = tanium_server();
    typed(&mut m, "2\n2\n1\n1\n1\n");
    assert_snapshot!(render(&m));
}

#[test]
fn add_a_setting_list() {
    let mut m = zone_server();
    typed(&mut m, "2\n2\n1\nA\n");
    assert_snapshot!(render(&m));
}

#[test]
fn tanos_users() {
    let mut m = zone_server();
    typed(&mut m, "C\n1\n");
    assert_snapshot!(render(&m));
}

#[test]
fn help_screen() {
    let mut m = zone_server();
    typed(&mut m, "2\n?\n");
    assert_snapshot!(render(&m));
}

#[test]
fn first_run_role_question() {
    assert_snapshot!(render(&first_run()));
}

#[test]
fn first_run_hostname_error() {
    let mut m = first_run();
    typed(&mut m, "2\n-bad-\n");
    assert_snapshot!(render(&m));
}

#[test]
fn first_run_confirmation() {
    let mut m = first_run();
    typed(&mut m, "2\nts-east\n3\n");
    assert_snapshot!(render(&m));
}

#[test]
fn terminal_too_small() {
    let mut m = tanium_server();
    update(&mut m, Msg::Resize(60, 20));
    assert_snapshot!(render_at(&m, 60, 20));
}

#[test]
fn unknown_item_message() {
    let mut m = tanium_server();
    typed(&mut m, "9\n");
    assert_snapshot!(render(&m));
}
