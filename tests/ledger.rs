//! The issuance ledger (`tanium/issued.jsonl` and its index): pages read from the end, the
//! state of each certificate, an index that follows hand edits, the paged `2 › Z › 7` view,
//! the hub's header count and `tanos-menu issued list`.

mod support;

use std::process::Command;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use tanos_menu::appliance::ledger::{self, IssuedRecord, State};
use tanos_menu::appliance::{Appliance, Platform, Role};
use tanos_menu::executor::run_effect;
use tanos_menu::model::{Effect, Screen, update};

use support::pty::BIN;
use support::roots;
use support::tree;

fn hub(dir: &std::path::Path) -> Appliance {
    roots::appliance_at(dir, "ts", Role::TaniumServer, Platform::V7_3, true, None)
}

fn record(
    app: &Appliance,
    name: &str,
    serial: usize,
    ends: OffsetDateTime,
    key: &str,
) -> IssuedRecord {
    IssuedRecord {
        time: "2026-01-01T00:00:00Z".into(),
        serial: format!("{serial:04x}"),
        subject: format!("CN={name}"),
        common_name: name.into(),
        dns_names: vec![name.into()],
        ips: Vec::new(),
        not_after: ends.format(&Rfc3339).expect("date"),
        key_fingerprint: format!("SHA256:{key}"),
        root_fingerprint: ledger::signing_root(app),
        source: format!("/incoming/{name}.csr"),
    }
}

/// 250 certificates for 10 names, oldest first; the last of each name is its newest.
fn fill(app: &Appliance, now: OffsetDateTime) {
    for i in 0..250 {
        let name = format!("zs{:02}.example", i % 10);
        let ends = now + time::Duration::days(if i % 10 == 3 { 10 } else { 400 });
        let line = record(app, &name, i, ends, &format!("k{i}"));
        ledger::append(app, &line).expect("append");
    }
}

#[test]
fn pages_come_newest_first_with_each_certificates_state() {
    let dir = roots::scratch("ledger", "pages-");
    let app = hub(dir.path());
    let now = OffsetDateTime::now_utc();
    fill(&app, now);
    let first = ledger::page(&app, 0, 100, now).expect("page 1");
    assert_eq!(
        (first.entries.len(), first.more, first.total),
        (100, true, 250)
    );
    assert_eq!(first.entries[0].0.serial, format!("{:04x}", 249));
    // The ten newest are the newest of their names; zs03 ends within 30 days.
    for (record, state) in &first.entries[..10] {
        let want = if record.common_name == "zs03.example" {
            State::Expiring(9)
        } else {
            State::Valid
        };
        assert!(
            *state == want || (want == State::Expiring(9) && *state == State::Expiring(10)),
            "{record:?} {state:?}"
        );
    }
    assert!(
        first.entries[10..]
            .iter()
            .all(|(_, s)| *s == State::Superseded)
    );
    let last = ledger::page(&app, 200, 100, now).expect("page 3");
    assert_eq!((last.entries.len(), last.more), (50, false));
    assert_eq!(last.entries[49].0.serial, "0000");
    let index = ledger::index(&app).expect("index");
    assert_eq!(index.expiring_within(ledger::EXPIRING_DAYS, now), 1);
}

#[test]
fn a_ledger_edited_by_hand_is_read_as_it_is_and_reading_writes_nothing() {
    let dir = roots::scratch("ledger", "edited-");
    let app = hub(dir.path());
    let now = OffsetDateTime::now_utc();
    fill(&app, now);
    // A line added by another tool, and a garbage line: the index no longer matches.
    let newer = record(
        &app,
        "zs05.example",
        999,
        now - time::Duration::days(1),
        "other",
    );
    let mut text = std::fs::read_to_string(app.path(ledger::LEDGER)).expect("ledger");
    text.push_str("not a record \u{1b}]0;x\u{7}\n");
    text.push_str(&serde_json::to_string(&newer).expect("json"));
    text.push('\n');
    std::fs::write(app.path(ledger::LEDGER), text).expect("edit");
    let before = tree::tree_abs(&app.root);
    let page = ledger::page(&app, 0, 20, now).expect("page");
    assert_eq!(page.entries[0].0.serial, "03e7");
    assert_eq!(page.entries[0].1, State::Expired);
    assert_eq!(page.unreadable, 1);
    let older_zs05 = page
        .entries
        .iter()
        .find(|(r, _)| r.serial == format!("{:04x}", 245));
    assert_eq!(older_zs05.map(|(_, s)| *s), Some(State::Superseded));
    assert_eq!(page.total, 251);
    tree::assert_unchanged(&app.root, &before, "reading the ledger");
}

#[test]
fn the_ledger_view_turns_pages_in_place() {
    let dir = roots::scratch("ledger", "view-");
    let app = hub(dir.path());
    fill(&app, OffsetDateTime::now_utc());
    let mut m = support::ui::console(Role::TaniumServer, true, Platform::V7_3);
    let effects = support::ui::typed(&mut m, "2\nZ\n7\n");
    assert_eq!(effects, vec![Effect::ShowIssued { page: 0 }]);
    update(&mut m, run_effect(&app.root, effects[0].clone()));
    let depth = m.stack.len();
    let screen = support::ui::render(&m);
    assert!(screen.contains("250 certificate(s)"), "{screen}");
    assert!(
        screen.contains("N older") && !screen.contains("P newer"),
        "{screen}"
    );
    let effects = support::ui::typed(&mut m, "P\n");
    assert!(effects.is_empty(), "{effects:?}");
    assert!(
        m.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("not a choice"))
    );
    let effects = support::ui::typed(&mut m, "N\n");
    assert_eq!(effects, vec![Effect::ShowIssued { page: 1 }]);
    update(&mut m, run_effect(&app.root, effects[0].clone()));
    assert_eq!(
        m.stack.len(),
        depth,
        "the page takes the place of the one before"
    );
    let screen = support::ui::render(&m);
    assert!(screen.contains("101 to 200"), "{screen}");
    assert!(
        screen.contains("N older") && screen.contains("P newer"),
        "{screen}"
    );
    let effects = support::ui::typed(&mut m, "N\n");
    update(&mut m, run_effect(&app.root, effects[0].clone()));
    assert!(support::ui::render(&m).contains("201 to 250"));
    assert!(support::ui::typed(&mut m, "N\n").is_empty());
    // Back leaves the view whatever the page.
    support::ui::typed(&mut m, "B\n");
    assert!(
        matches!(m.screen(), Screen::Menu { .. }),
        "{:?}",
        m.screen()
    );
}

#[test]
fn the_hub_header_counts_certificates_that_expire_soon() {
    let dir = roots::scratch("ledger", "header-");
    let app = hub(dir.path());
    let now = OffsetDateTime::now_utc();
    fill(&app, now);
    let mut m = support::ui::console(Role::TaniumServer, true, Platform::V7_3);
    update(&mut m, run_effect(&app.root, Effect::Load));
    let Some(snapshot) = &m.snapshot else {
        panic!("loaded")
    };
    assert_eq!(snapshot.issued_expiring, Some(1));
    let screen = support::ui::render(&m);
    let header: Vec<&str> = screen.lines().take(2).collect();
    assert!(
        header[1].contains("1 issued cert(s) expire within 30 days"),
        "{screen}"
    );
    let effects = support::ui::typed(&mut m, "1\n");
    for effect in effects {
        update(&mut m, run_effect(&app.root, effect));
    }
    let status = support::ui::render(&m);
    assert!(
        status.contains("1 expire within 30 days (2 › Z › 7"),
        "{status}"
    );
}

fn issued_list(root: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(["--root"])
        .arg(root)
        .args(["issued", "list"])
        .args(args)
        .output()
        .expect("run tanos-menu issued list");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn issued_list_prints_the_ledger_as_text_or_json() {
    let dir = roots::scratch("ledger", "cli-");
    let app = hub(dir.path());
    fill(&app, OffsetDateTime::now_utc());
    let (code, text, _) = issued_list(&app.root, &[]);
    assert_eq!(code, 0);
    assert_eq!(text.lines().count(), 250);
    assert!(
        text.lines().next().is_some_and(|l| l.starts_with("valid")),
        "{text}"
    );
    let (code, json, _) = issued_list(&app.root, &["--json"]);
    assert_eq!(code, 0);
    let list: Vec<serde_json::Value> = serde_json::from_str(&json).expect("one JSON array");
    assert_eq!(list.len(), 250);
    assert_eq!(list[0]["state"], "valid");
    assert_eq!(list[249]["state"], "superseded");
    let (code, soon, _) = issued_list(&app.root, &["--expiring", "30", "--json"]);
    assert_eq!(code, 0);
    let soon: Vec<serde_json::Value> = serde_json::from_str(&soon).expect("JSON");
    assert_eq!(soon.len(), 1, "{soon:?}");
    assert_eq!(soon[0]["common_name"], "zs03.example");
    // An appliance that issues nothing says so.
    let zs = roots::appliance_at(
        dir.path(),
        "zs",
        Role::ZoneServer,
        Platform::V7_3,
        false,
        None,
    );
    let (code, _, err) = issued_list(&zs.root, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Zone Server Hub"), "{err}");
    let (code, json, _) = issued_list(&hub(&dir.path().join("empty")).root, &["--json"]);
    assert_eq!(code, 0);
    assert_eq!(json.trim(), "[]");
}

#[test]
fn an_index_that_no_longer_describes_the_ledger_is_saved_again_at_the_console_start() {
    let dir = roots::scratch("ledger", "repair-");
    let app = hub(dir.path());
    let now = OffsetDateTime::now_utc();
    fill(&app, now);
    let index_path = app.path(ledger::INDEX);
    let saved = std::fs::read(&index_path).expect("the index an issuance saves");
    // Fresh: nothing to do.
    assert!(!ledger::repair_index(&app).expect("repair"));
    // Gone (a ledger from before the index), or of another format: saved again, the same.
    std::fs::remove_file(&index_path).expect("remove the index");
    assert!(!index_path.exists());
    assert!(ledger::repair_index(&app).expect("repair"));
    assert_eq!(std::fs::read(&index_path).expect("saved again"), saved);
    let mut old_format: serde_json::Value = serde_json::from_slice(&saved).expect("JSON");
    old_format
        .as_object_mut()
        .expect("an object")
        .remove("version");
    std::fs::write(&index_path, old_format.to_string()).expect("an index of an earlier format");
    assert!(ledger::repair_index(&app).expect("repair"));
    assert_eq!(std::fs::read(&index_path).expect("saved again"), saved);
    // A console opened on the appliance does it too.
    std::fs::remove_file(&index_path).expect("remove the index");
    let mut console = support::pty::Console::spawn(&app.root, &[]);
    console.wait_shown_within("Enter selection", std::time::Duration::from_secs(30));
    assert_eq!(std::fs::read(&index_path).expect("saved at start"), saved);
    console.send(b"X\r");
    assert_eq!(console.exit_code(std::time::Duration::from_secs(30)), 0);
}
