//! Issue 12, a French console (first increment: menu titles and item labels): the root menu
//! and the Zone Server menu at 80x24 in French, UTF-8 and ASCII (accents transliterated),
//! compared with the snapshots under tests/snapshots/; the keys are the English ones.

mod support;

use std::path::Path;

use insta::assert_snapshot;
use support::ui::*;
use tanos_menu::model::{Model, Screen};
use tanos_menu::termcaps::{Caps, DECORATIONS, Glyphs, LETTERS};
use tanos_menu::texts::{Lang, SHIPPED};

fn french(m: Model) -> Model {
    m.with_lang(Lang::Fr)
}

fn ascii(m: Model) -> Model {
    m.with_caps(Caps {
        glyphs: Glyphs::Ascii,
        ..Caps::default()
    })
}

/// Whether two models show the same screens: a confirmation holds its sentences (a vendor
/// warning) in the model's language, so only its kind is compared.
fn same_screens(a: &Model, b: &Model) -> bool {
    a.stack.len() == b.stack.len()
        && a.stack.iter().zip(&b.stack).all(|(x, y)| match (x, y) {
            (Screen::Confirm(_), Screen::Confirm(_)) => true,
            _ => x == y,
        })
}

/// The screen `keys` lead to from `start` in French, drawn in UTF-8 and in ASCII as the
/// snapshots `<name>_fr_utf8` and `<name>_fr_ascii`; the same keys reach the same screen
/// as in English.
fn both(name: &str, start: fn() -> Model, keys: &str) {
    let mut english = start();
    typed(&mut english, keys);
    let mut utf8 = french(start());
    typed(&mut utf8, keys);
    let mut plain = ascii(french(start()));
    typed(&mut plain, keys);
    assert!(
        same_screens(&english, &utf8),
        "{name}: the keys do not change"
    );
    assert!(
        same_screens(&utf8, &plain),
        "{name}: the same screen either way"
    );
    let shown = render(&plain);
    assert!(shown.is_ascii(), "{name}:\n{shown}");
    assert!(!shown.contains("\\u{"), "{name}: letters escaped:\n{shown}");
    assert_snapshot!(format!("{name}_fr_utf8"), render(&utf8));
    assert_snapshot!(format!("{name}_fr_ascii"), shown);
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
fn the_menus_read_in_french() {
    let mut m = french(zone_server());
    typed(&mut m, "2\nZ\n");
    let shown = render(&m);
    for text in [
        "Opérations Tanium",
        "Configuration du Zone Server",
        "Générer un CSR",
        "Importer le certificat signé",
    ] {
        assert!(shown.contains(text), "{text}:\n{shown}");
    }
    assert!(!shown.contains("Generate CSR"), "{shown}");
}

/// Every letter of the shipped texts outside ASCII has an ASCII form: a French text added
/// with a letter the ASCII mode cannot write fails here.
#[test]
fn every_letter_of_the_texts_has_an_ascii_form() {
    let mut missing = Vec::new();
    for (_, file, text) in SHIPPED {
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("");
            for c in line.chars().filter(|c| !c.is_ascii()) {
                if !LETTERS.iter().chain(DECORATIONS).any(|(l, _)| *l == c) {
                    missing.push(format!("assets/{file}:{}: {c:?}", n + 1));
                }
            }
        }
    }
    assert!(missing.is_empty(), "no ASCII form: {missing:#?}");
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets")
            .is_dir()
    );
}

/// A name from outside keeps its escape: only the console's own texts lose their accents.
#[test]
fn names_from_outside_are_still_escaped() {
    assert_eq!(Glyphs::Ascii.show("Société"), "Soci\\u{e9}t\\u{e9}");
    assert_eq!(Glyphs::Ascii.text("Générer un CSR"), "Generer un CSR");
    assert_eq!(Glyphs::Unicode.text("Générer un CSR"), "Générer un CSR");
}

#[test]
fn help_screen() {
    both("help_screen", tanium_server, "?\n");
}

#[test]
fn confirmation() {
    both("confirmation", tanium_server, "2\n2\n1\n1\n1\n");
}

/// In French `o` (oui) confirms as `y` does; in English `o` declines.
#[test]
fn o_and_y_both_confirm_in_french() {
    let confirm = "2\n2\n1\n1\n1\n";
    for (lang, answer, confirmed) in [
        (Lang::Fr, "o\n", true),
        (Lang::Fr, "O\n", true),
        (Lang::Fr, "y\n", true),
        (Lang::Fr, "n\n", false),
        (Lang::En, "o\n", false),
        (Lang::En, "y\n", true),
    ] {
        let mut m = tanium_server().with_lang(lang);
        typed(&mut m, confirm);
        assert!(
            matches!(m.screen(), tanos_menu::model::Screen::Confirm(_)),
            "a confirmation"
        );
        let effects = typed(&mut m, answer);
        assert_eq!(
            !effects.is_empty() || m.busy.is_some(),
            confirmed,
            "{lang:?} {answer:?}"
        );
    }
}

/// The breadcrumb names every screen in French, accents dropped in ASCII.
#[test]
fn the_breadcrumb_reads_in_french() {
    for (keys, utf8, plain) in [
        (
            "1\n",
            "tanadmin › État de Tanium",
            "tanadmin > Etat de Tanium",
        ),
        (
            "C\n3\n",
            "tanadmin › Administration des utilisateurs › Gestion des clés SSH",
            "tanadmin > Administration des utilisateurs > Gestion des cles SSH",
        ),
        (
            "2\n2\n",
            "tanadmin › Opérations Tanium › Paramètres de configuration",
            "tanadmin > Operations Tanium > Parametres de configuration",
        ),
    ] {
        let mut m = french(tanium_server());
        typed(&mut m, keys);
        assert!(render(&m).contains(utf8), "{keys:?}:\n{}", render(&m));
        let mut m = ascii(french(tanium_server()));
        typed(&mut m, keys);
        assert!(render(&m).contains(plain), "{keys:?}:\n{}", render(&m));
    }
}

/// The prompts under the screens read in French; the values in brackets are as they are.
#[test]
fn the_prompts_read_in_french() {
    let m = french(first_run());
    assert!(render(&m).contains("Votre choix [1] :"), "{}", render(&m));
    let mut m = ascii(french(tanium_server()));
    typed(&mut m, "1\n");
    assert!(
        render(&m).contains("Appuyez sur Entree pour revenir :"),
        "{}",
        render(&m)
    );
}
