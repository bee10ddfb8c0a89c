//! Issue 12, locale-aware glyphs: the screens at 80x24 in UTF-8 and in ASCII, compared with
//! the snapshots under tests/snapshots/; every screen drawn in ASCII is ASCII, names and
//! subjects that are not shown escaped; every non-ASCII character the console draws has its
//! ASCII form.

mod support;

use std::path::{Path, PathBuf};

use insta::assert_snapshot;
use support::ui::*;
use tanos_menu::appliance::status::CertState;
use tanos_menu::appliance::{Platform, Role};
use tanos_menu::model::{Key, Model, Msg, Outcome, View, update};
use tanos_menu::termcaps::{Caps, DECORATIONS, Glyphs};

fn ascii(m: Model) -> Model {
    m.with_caps(Caps {
        glyphs: Glyphs::Ascii,
        ..Caps::default()
    })
}

/// Where a screen is reached from.
type Start = fn() -> Model;

fn hub() -> Model {
    console(Role::TaniumServer, true, Platform::V7_3)
}

/// The screen `keys` lead to from `start`, drawn in UTF-8 and in ASCII as the snapshots
/// `<name>_utf8` and `<name>_ascii`.
fn both(name: &str, start: Start, keys: &str) {
    let mut utf8 = start();
    typed(&mut utf8, keys);
    let mut plain = ascii(start());
    typed(&mut plain, keys);
    assert_eq!(
        utf8.stack, plain.stack,
        "{name}: the same screen either way"
    );
    let shown = render(&plain);
    assert!(shown.is_ascii(), "{name}:\n{shown}");
    assert_snapshot!(format!("{name}_utf8"), render(&utf8));
    assert_snapshot!(format!("{name}_ascii"), shown);
}

#[test]
fn root_menu() {
    both("root_menu", tanium_server, "");
}

#[test]
fn zone_server_menu() {
    both("zone_server_menu", zone_server, "2\nZ\n");
}

#[test]
fn paste_dialog() {
    both("paste_dialog", hub, "2\nZ\n2\n2\n");
}

#[test]
fn confirmation() {
    both("confirmation", tanium_server, "2\n2\n1\n1\n1\n");
}

#[test]
fn tanium_status() {
    both("tanium_status", tanium_server, "1\n");
}

/// A hostname, a subject and a root path that are not ASCII: escaped in ASCII, never sent
/// as bytes a Latin-1 or ASCII terminal would show as other characters.
#[test]
fn names_that_are_not_ascii_are_shown_escaped() {
    let outside = |m: &mut Model| {
        let s = m.snapshot.as_mut().expect("snapshot");
        s.config.hostname = "ts01.exämple".into();
        if let CertState::Installed { summary, .. } = &mut s.cert {
            summary.subject = "CN=ts01.example, O=Société Générale".into();
        }
        m.root = "/srv/appliancé".into();
    };
    let mut m = ascii(tanium_server());
    outside(&mut m);
    typed(&mut m, "1\n");
    let shown = render(&m);
    assert!(shown.is_ascii(), "{shown}");
    for escaped in [
        "ts01.ex\\u{e4}mple | Tanium Server",
        // Longer once escaped: continued on the next row, not cut.
        "O=Soci\\u{e9}t\\u{e9}\n",
        "G\\u{e9}n\\u{e9}rale\n",
        "/srv/applianc\\u{e9}",
    ] {
        assert!(shown.contains(escaped), "{escaped}:\n{shown}");
    }
    assert_snapshot!("tanium_status_escaped_ascii", shown);
    // In UTF-8 they are shown as they are.
    let mut m = tanium_server();
    outside(&mut m);
    typed(&mut m, "1\n");
    let shown = render(&m);
    assert!(
        shown.contains("ts01.exämple │") && shown.contains("Société"),
        "{shown}"
    );
}

/// A long hostname gives way to the role in ASCII too, cut with "...".
#[test]
fn a_long_hostname_is_cut_with_three_dots() {
    let mut m = ascii(tanium_server());
    let long = format!("{}.example", "a".repeat(70));
    m.snapshot.as_mut().expect("snapshot").config.hostname = long;
    let header = render(&m).lines().next().unwrap_or_default().to_string();
    assert!(
        header.contains("aaa... | Tanium Server | 7.3 | cert"),
        "{header}"
    );
    assert!(header.chars().count() <= 80, "{header}");
}

/// A confirmation longer than the screen says what is out of view with ASCII arrows, and
/// its scroll bounds are those of what is drawn.
#[test]
fn a_long_confirmation_scrolls_in_ascii() {
    let mut m = ascii(tanium_server());
    typed(&mut m, "2\n2\n1\n1\n1\n");
    if let Some(tanos_menu::model::Screen::Confirm(c)) = m.stack.last_mut() {
        c.warning = (0..60)
            .map(|i| format!("name-{i:02}.zone.example — ok"))
            .collect::<Vec<_>>()
            .join(", ");
    }
    let top = render(&m);
    assert!(top.is_ascii(), "{top}");
    assert!(top.contains("v PgDn scroll"), "{top}");
    update(&mut m, Msg::Key(Key::End));
    let end = render(&m);
    assert!(end.contains("^ PgUp scroll back"), "{end}");
    assert!(end.contains("Type y and Enter"), "{end}");
}

/// A copy view in ASCII shows its PEM exactly, line for line; the intro's key path is drawn
/// with ">".
#[test]
fn the_copy_view_shows_the_pem_unchanged() {
    let pem = "-----BEGIN CERTIFICATE REQUEST-----\nMIIBFDCBuwIBADAXMRUwEwYDVQQDDAx6czAxLmV4YW1wbGUwWTATBgcqhkjOPQIB\n-----END CERTIFICATE REQUEST-----\n";
    let mut m = ascii(zone_server());
    typed(&mut m, "2\nZ\n");
    update(
        &mut m,
        Msg::Done(Ok(Outcome {
            message: "New key and CSR written; paste it at 2 › Z › 2 › 2.".into(),
            snapshot: None,
            view: Some(View::new(
                "reporting.csr",
                vec!["Paste it on the Tanium Server at 2 › Z › 2 › 2.".into()],
                pem,
            )),
        })),
    );
    let shown = render(&m);
    assert!(shown.is_ascii(), "{shown}");
    for line in pem.lines() {
        assert!(shown.lines().any(|l| l == line), "{line}\n{shown}");
    }
    assert!(shown.contains("at 2 > Z > 2 > 2."), "{shown}");
}

/// Screens across the menus, dialogs, lists and messages: each drawn in ASCII is ASCII.
#[test]
fn every_screen_drawn_in_ascii_is_ascii() {
    let (ts, zs, first) = (
        tanium_server as Start,
        zone_server as Start,
        first_run as Start,
    );
    let cases: &[(Start, &str)] = &[
        (ts, ""),
        (ts, "1\n"),
        (ts, "2\n"),
        (ts, "2\n2\n"),
        (ts, "2\n2\n1\n"),
        (ts, "2\n2\n1\n1\n"),
        (ts, "2\n2\n1\n1\n1\n"),
        (ts, "2\n2\n1\nA\n"),
        (ts, "2\n2\n2\n2\n101\n"),
        (ts, "2\n2\n\x1b"),
        (ts, "2\nR\n"),
        (ts, "2\nR\ny\n"),
        (ts, "2\nK\n"),
        (ts, "2\nT\n"),
        (ts, "2\nT\n2\n"),
        (ts, "C\n"),
        (ts, "C\n1\n"),
        (ts, "C\n3\n"),
        (ts, "C\n3\n1\n"),
        (ts, "C\n3\n1\n3\n"),
        (ts, "?\n"),
        (ts, "A\n"),
        (ts, "9\n"),
        (hub, "2\nZ\n"),
        (hub, "2\nZ\n2\n"),
        (hub, "2\nZ\n2\n1\n"),
        (hub, "2\nZ\n2\n2\n"),
        (hub, "2\nZ\n2\n2\nhello\n"),
        (hub, "2\nZ\n6\n"),
        (hub, "2\nZ\n7\n"),
        (zs, "2\nZ\n"),
        (zs, "2\nZ\n1\n"),
        (zs, "2\nZ\n1\n\n\n\n"),
        (zs, "2\nZ\n1\n\nbad_name!\n"),
        (zs, "2\nZ\n3\n"),
        (zs, "2\nZ\n3\n2\n"),
        (zs, "2\nZ\n3\n3\n"),
        (zs, "2\nZ\n4\n"),
        (zs, "2\nZ\n8\n"),
        (first, ""),
        (first, "2\n"),
        (first, "2\n-bad-\n"),
        (first, "2\nts-east\n3\n"),
    ];
    for (start, keys) in cases {
        let mut m = ascii(start());
        typed(&mut m, keys);
        for tick in 0..2 {
            let shown = render(&m);
            assert!(
                shown.is_ascii(),
                "after {keys:?}, tick {tick}: not ASCII\n{shown}"
            );
            update(&mut m, Msg::Tick);
        }
    }
    let mut m = ascii(tanium_server());
    update(&mut m, Msg::Resize(60, 20));
    assert!(render_at(&m, 60, 20).is_ascii());
}

/// The sources the console draws from, without comments and test modules.
fn drawn_sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "toml") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("src"), &mut files);
    walk(&root.join("menus"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("a readable source");
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let comment = if path.extension().is_some_and(|e| e == "toml") {
                "#"
            } else {
                "//"
            };
            let kept: Vec<&str> = code
                .lines()
                .map(|l| l.split(comment).next().unwrap_or(""))
                .collect();
            (path, kept.join("\n"))
        })
        .collect()
}

/// A glyph added to a screen, a message or a menu without its ASCII form fails here, not on
/// an operator's Latin-1 terminal.
#[test]
fn every_glyph_the_console_draws_has_an_ascii_form() {
    let mut missing = Vec::new();
    for (path, code) in drawn_sources() {
        for (n, line) in code.lines().enumerate() {
            for c in line.chars().filter(|c| !c.is_ascii()) {
                if !DECORATIONS.iter().any(|(d, _)| *d == c) {
                    missing.push(format!("{}:{}: {c:?}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(missing.is_empty(), "no ASCII form: {missing:#?}");
    for (glyph, plain) in DECORATIONS {
        assert!(plain.is_ascii() && !plain.is_empty(), "{glyph}");
    }
}
