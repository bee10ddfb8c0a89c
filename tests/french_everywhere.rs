//! Issue 12: every screen reads in French. On a real Tanium Server (with the Zone Server
//! Hub) and a real Zone Server, the console in French goes to every item of every menu it
//! shows, runs what the item asks for (a list, a view, a form) and answers each question
//! with Enter (a default, or a decline) and then Esc; a second walk goes ahead instead
//! (defaults taken, confirmations answered `o`) and reads what the steps answer. Every
//! screen drawn on the way is read for English words, drawn on a thread that speaks
//! English. A text left as an English literal in the sources fails here, naming the keys
//! that reach it and the line.

mod support;

use std::path::Path;

use support::console::{drive, model};
use support::e2e::{init, scratch};
use support::ui::render;
use support::voice::{ENGLISH as ENGLISH_VOICE, said_in};
use tanos_menu::menu::{MenuTree, Target};
use tanos_menu::model::{Key, Model, Msg, Screen, update};
use tanos_menu::termcaps::{Caps, Glyphs};
use tanos_menu::texts::Lang;

/// Words of English that French does not use: one of them on a French screen is a text
/// that was not translated.
const ENGLISH: &[&str] = &[
    "the",
    "and",
    "is",
    "are",
    "was",
    "were",
    "with",
    "this",
    "that",
    "these",
    "those",
    "which",
    "will",
    "would",
    "has",
    "have",
    "had",
    "been",
    "from",
    "your",
    "you",
    "into",
    "for",
    "of",
    "to",
    "its",
    "by",
    "be",
    "not",
    "cannot",
    "nothing",
    "any",
    "all",
    "only",
    "each",
    "every",
    "when",
    "where",
    "what",
    "there",
    "here",
    "must",
    "should",
    "could",
    "press",
    "enter",
    "back",
    "show",
    "shown",
    "key",
    "keys",
    "none",
    "yet",
    "than",
    "then",
    "too",
    "after",
    "before",
    "already",
    "still",
    "now",
    "new",
    "certificate",
    "request",
    "requests",
    "settings",
    "setting",
    "value",
    "default",
    "error",
    "expired",
    "issued",
    "private",
    "generate",
    "generated",
    "install",
    "installed",
    "import",
    "imported",
    "pasted",
    "copied",
    "users",
    "select",
    "selection",
    "exit",
    "yes",
    "no",
    "line",
    "lines",
    "days",
    "valid",
    "until",
    "hostname",
    "saved",
    "changed",
    "written",
    "read",
    "list",
    "add",
    "remove",
    "removed",
    "added",
    "trusted",
    "signed",
    "signing",
    "root",
    "roots",
    "help",
    // Not "appliance": the vendor's French says it too (« l'appliance du Zone Server »).
    "waiting",
    "running",
    "cancel",
    "cancelled",
];

/// The English words of one screen line: words made of letters only (a file name, a path,
/// a host or a fingerprint has other characters and is data, not text). A distinguished
/// name (from its first `=` on) is data, and so is a line of the audit log (a date and a
/// time, then the record as written, which stays English) and a PEM armour line.
fn english_words(line: &str) -> Vec<&str> {
    let tokens = line.split_whitespace();
    let is_date = |t: &str| t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-';
    let is_time = |t: &str| t.len() == 8 && t.as_bytes()[2] == b':' && t.as_bytes()[5] == b':';
    let mut words = line.split_whitespace();
    if words.next().is_some_and(is_date) && words.next().is_some_and(is_time) {
        return Vec::new();
    }
    // A PEM block's armour names its label in English, as the PEM format has it.
    if line.trim_start().starts_with("-----") {
        return Vec::new();
    }
    // A distinguished name's attribute (`O=`, `CN=`, `OU=`) starts data to the line's end.
    let dn = |t: &str| {
        t.split_once('=').is_some_and(|(a, _)| {
            !a.is_empty() && a.len() <= 2 && a.chars().all(|c| c.is_ascii_uppercase())
        })
    };
    tokens
        .take_while(|t| !dn(t))
        .map(|t| t.trim_matches(|c: char| ",.;:!?()[]«»\"'".contains(c)))
        .filter(|t| !t.is_empty() && t.chars().all(char::is_alphabetic))
        .filter(|t| ENGLISH.contains(&t.to_lowercase().as_str()))
        .collect()
}

/// Every key path from the root menu to an item the appliance shows (a user list takes
/// its first line).
fn paths(tree: &MenuTree, m: &Model) -> Vec<Vec<String>> {
    let config = &m.snapshot.as_ref().expect("a console").config;
    let mut out = Vec::new();
    let mut todo = vec![("root".to_string(), Vec::<String>::new())];
    while let Some((menu, keys)) = todo.pop() {
        for item in tree.visible(&menu, config) {
            let mut next = keys.clone();
            next.push(item.key.clone());
            match &item.target {
                Target::Submenu(sub) => todo.push((sub.clone(), next.clone())),
                Target::Users(sub) => {
                    let mut user = next.clone();
                    user.push("1".into());
                    todo.push((sub.clone(), user));
                }
                Target::Action(_) => {}
            }
            out.push(next);
        }
    }
    out
}

fn french(root: &Path, glyphs: Glyphs) -> Model {
    model(root).with_lang(Lang::Fr).with_caps(Caps {
        glyphs,
        ..Caps::default()
    })
}

/// Keys typed as the operator types them, every effect run against `root`.
fn press(m: &mut Model, root: &Path, key: Key) {
    let effects = update(m, Msg::Key(key));
    drive(m, root, effects);
}

fn typed(m: &mut Model, root: &Path, keys: &str) {
    for c in keys.chars() {
        press(m, root, Key::Char(c));
    }
    press(m, root, Key::Enter);
}

/// The English words of the screen drawn now, as "keys: line". The screen is drawn on a
/// thread that speaks English: what it shows comes from the model's language, not from
/// the voice of the thread drawing it.
fn read(m: &Model, path: &str, found: &mut Vec<String>) {
    let shown = said_in(ENGLISH_VOICE, &|| render(m));
    for line in shown.lines() {
        let words = english_words(line);
        if !words.is_empty() {
            found.push(format!("{path}: {words:?} in {:?}", line.trim()));
        }
    }
}

/// Every path of `root`'s menus walked in French, each from a console just opened.
fn walk(root: &Path, glyphs: Glyphs) -> Vec<String> {
    let tree = MenuTree::shipped().expect("shipped menus");
    let mut found = Vec::new();
    let start = french(root, glyphs);
    read(&start, "(start)", &mut found);
    for path in paths(&tree, &start) {
        let shown = path.join(" ");
        let mut m = french(root, glyphs);
        for key in &path {
            typed(&mut m, root, key);
        }
        read(&m, &shown, &mut found);
        for step in ["Enter", "Enter", "Enter", "Esc", "Esc"] {
            let key = if step == "Enter" {
                Key::Enter
            } else {
                Key::Esc
            };
            press(&mut m, root, key);
            read(&m, &format!("{shown} {step}"), &mut found);
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Every path of `root`'s menus walked in French, going ahead wherever the console asks:
/// each form takes its defaults, each confirmation is answered `o`, a list its first line
/// (the root keys: A, a new one), a paste dialog is left; what the steps answer (their
/// results, or why they could not be done) is read too. Returns the English found and how
/// many confirmations were answered.
fn walk_ahead(root: &Path) -> (Vec<String>, usize) {
    let tree = MenuTree::shipped().expect("shipped menus");
    let mut found = Vec::new();
    let mut confirmed = 0;
    let start = french(root, Glyphs::Unicode);
    for path in paths(&tree, &start) {
        let shown = path.join(" ");
        let mut m = french(root, Glyphs::Unicode);
        for key in &path {
            typed(&mut m, root, key);
        }
        for step in 0..10 {
            read(&m, &format!("{shown} +{step}"), &mut found);
            match m.screen() {
                Screen::Confirm(_) => {
                    confirmed += 1;
                    typed(&mut m, root, "o");
                }
                Screen::Paste(_) => press(&mut m, root, Key::Esc),
                Screen::Form(_) | Screen::Edit(_) => press(&mut m, root, Key::Enter),
                // A list goes ahead with its first line; the root keys with A (a new one).
                Screen::Components { .. } | Screen::Settings { .. } => typed(&mut m, root, "1"),
                Screen::Roots(_) if step == 0 => typed(&mut m, root, "A"),
                _ => break,
            }
        }
    }
    found.sort();
    found.dedup();
    (found, confirmed)
}

fn appliances(dir: &Path) -> [std::path::PathBuf; 2] {
    let ts = dir.join("ts");
    let zs = dir.join("zs");
    init(
        &ts,
        &[
            "--role",
            "tanium-server",
            "--zone-hub",
            "--hostname",
            "ts01.example",
        ],
    );
    init(
        &zs,
        &["--role", "zone-server", "--hostname", "zs01.example"],
    );
    [ts, zs]
}

#[test]
fn every_screen_of_both_appliances_reads_in_french() {
    let dir = scratch("french_everywhere");
    let mut found = Vec::new();
    for root in appliances(dir.path()) {
        found.extend(walk(&root, Glyphs::Unicode));
    }
    assert!(
        found.is_empty(),
        "English on French screens ({}):\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn what_confirmed_steps_answer_reads_in_french() {
    let dir = scratch("french_everywhere_ahead");
    let mut found = Vec::new();
    let mut confirmed = 0;
    for root in appliances(dir.path()) {
        let (english, answered) = walk_ahead(&root);
        found.extend(english);
        confirmed += answered;
    }
    // A key pair on each, the server's TLS key, a new root key.
    assert!(confirmed >= 4, "the walk went ahead only {confirmed} times");
    assert!(
        found.is_empty(),
        "English on French screens ({}):\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn in_ascii_the_french_screens_are_ascii_without_escaped_letters() {
    let dir = scratch("french_everywhere_ascii");
    let tree = MenuTree::shipped().expect("shipped menus");
    for root in appliances(dir.path()) {
        let start = french(&root, Glyphs::Ascii);
        for path in paths(&tree, &start) {
            let mut m = french(&root, Glyphs::Ascii);
            for key in &path {
                typed(&mut m, &root, key);
            }
            for step in [None, Some(Key::Enter), Some(Key::Enter), Some(Key::Esc)] {
                if let Some(key) = step {
                    press(&mut m, &root, key);
                }
                let shown = render(&m);
                assert!(shown.is_ascii(), "{path:?} {step:?}:\n{shown}");
                assert!(
                    !shown.contains("\\u{"),
                    "{path:?} {step:?}: letters escaped:\n{shown}"
                );
            }
        }
    }
}

/// The detector itself: English words are found, French ones and data are not.
#[test]
fn the_detector_finds_english_and_only_english() {
    assert_eq!(
        english_words("  Press Enter to go back: the key of ts01.example"),
        ["Press", "Enter", "to", "back", "the", "key", "of"]
    );
    assert!(
        english_words("Appuyez sur Entrée pour revenir : tanium-root.crt SHA256:abc").is_empty()
    );
    assert!(english_words("  1  Générer un CSR   /incoming/zs01.csr").is_empty());
    assert!(english_words("  émetteur  O=Tanium, CN=Tanium Root ts01.example").is_empty());
    assert!(english_words("2026-12-05 13:35:31  root  init").is_empty());
    assert_eq!(english_words("2026-12-05 the root"), ["the", "root"]);
    assert_eq!(
        english_words("  Valeur = 1 : the value"),
        ["the", "value"],
        "an = that is not a name's attribute stops nothing"
    );
}
