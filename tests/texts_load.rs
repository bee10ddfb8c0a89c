//! The texts (SPEC §6, assets/): every shipped language loads, with the same keys and
//! placeholders as English; every invalid fixture under tests/fixtures/texts/<case>/ fails
//! with its own message, naming the file and the line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use tanos_menu::texts::{self, Lang, SHIPPED, Texts, placeholders};

#[test]
fn every_shipped_language_loads_with_the_same_keys_and_placeholders() {
    let texts = Texts::load(SHIPPED).unwrap_or_else(|e| panic!("the shipped texts: {e}"));
    assert_eq!(texts::shipped().ok(), Some(&texts));
    let english = texts.catalogue(Lang::En).expect("English");
    let keys: BTreeSet<&str> = english.keys().collect();
    assert!(!keys.is_empty());
    for (lang, file, _) in SHIPPED {
        let catalogue = texts.catalogue(*lang).expect(file);
        assert_eq!(catalogue.keys().collect::<BTreeSet<_>>(), keys, "{file}");
        for key in &keys {
            let (theirs, ours) = (catalogue.get(key).expect(key), english.get(key).expect(key));
            assert_eq!(placeholders(theirs), placeholders(ours), "{file}: {key}");
        }
    }
}

#[test]
fn french_uses_the_vendor_terms() {
    for (key, want) in [
        ("menu.root.operations", "Opérations Tanium"),
        (
            "menu.operations.configuration_settings",
            "Paramètres de configuration",
        ),
        ("menu.operations.zone", "Configuration du Zone Server"),
        ("menu.zone.generate_csr", "Générer un CSR"),
        ("menu.zone.import_csr", "Importer la demande de certificat"),
        ("menu.zone.import_cert", "Importer le certificat signé"),
        ("menu.root.users", "Administration des utilisateurs"),
        ("menu.users.ssh_keys", "Gestion des clés SSH"),
        ("menu.ssh_user.authorized_keys", "Clés autorisées"),
    ] {
        assert_eq!(texts::text(Lang::Fr, key), want, "{key}");
    }
    assert_eq!(
        texts::text(Lang::En, "menu.zone.generate_csr"),
        "Generate CSR"
    );
}

#[test]
fn placeholders_are_filled_by_name() {
    assert_eq!(
        tanos_menu::say!(texts::Voice { lang: Lang::Fr, ascii: false }; "menu.ssh_user.title", user = "tanadmin"),
        "Clés de tanadmin"
    );
    assert_eq!(texts::fill("{a} and {b}", &[("a", "1")]), "1 and {b}");
    assert_eq!(texts::fill("{unclosed", &[]), "{unclosed");
}

#[test]
fn the_language_follows_the_flag_then_the_messages_locale() {
    let from = Lang::from_locale;
    assert_eq!(from(None, None, None), Lang::En);
    assert_eq!(from(None, None, Some("fr_FR.UTF-8")), Lang::Fr);
    assert_eq!(from(None, None, Some("fr_CA.ISO-8859-1")), Lang::Fr);
    assert_eq!(from(None, Some("fr_FR"), Some("en_US.UTF-8")), Lang::Fr);
    assert_eq!(from(Some("C"), Some("fr_FR"), None), Lang::En);
    assert_eq!(from(Some(""), Some(""), Some("fr_BE.utf8")), Lang::Fr);
    assert_eq!(from(None, None, Some("POSIX")), Lang::En);
    assert_eq!(from(None, None, Some("de_DE.UTF-8")), Lang::En);
    assert_eq!(Lang::detect(Some(Lang::Fr)), Lang::Fr);
    assert_eq!(Lang::from_word("FR"), Some(Lang::Fr));
    assert_eq!(Lang::from_word("de"), None);
}

// ---------------------------------------------------------------- invalid fixtures

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/texts")
}

fn fixture(case: &str) -> (String, String) {
    let read = |f: &str| {
        std::fs::read_to_string(fixtures_dir().join(case).join(f))
            .unwrap_or_else(|e| panic!("{case}/{f}: {e}"))
    };
    (read("en.toml"), read("fr.toml"))
}

/// Per case: the file at fault and what its message says.
fn expectations() -> BTreeMap<&'static str, (&'static str, &'static [&'static str])> {
    BTreeMap::from([
        (
            "missing_key",
            (
                "fr.toml",
                &["'menu.root.operations' is missing (assets/en.toml line 3 has it)"][..],
            ),
        ),
        (
            "extra_key",
            (
                "fr.toml",
                &["line 7: 'menu.ssh_user.users' is in this file only (not in assets/en.toml)"][..],
            ),
        ),
        (
            "placeholder_differs",
            (
                "fr.toml",
                &[
                    "line 6: 'menu.ssh_user.title' has the placeholders {utilisateur} where assets/en.toml line 6 has {user}",
                ][..],
            ),
        ),
        (
            "placeholder_dropped",
            (
                "fr.toml",
                &[
                    "line 6: 'menu.ssh_user.title' has the placeholders none where assets/en.toml line 6 has {user}",
                ][..],
            ),
        ),
        (
            "not_a_text",
            (
                "fr.toml",
                &["line 3: 'menu.root.operations' is not a text"][..],
            ),
        ),
        (
            "unclosed_brace",
            (
                "fr.toml",
                &["line 6: 'menu.ssh_user.title' has a '{' without its '}'"][..],
            ),
        ),
        (
            "empty_text",
            ("fr.toml", &["line 3: 'menu.root.operations' is empty"][..]),
        ),
        ("not_toml", ("fr.toml", &["line 2"][..])),
    ])
}

#[test]
fn every_fixture_has_an_expectation() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures dir")
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = expectations().keys().map(|k| k.to_string()).collect();
    assert_eq!(on_disk, expected);
}

#[test]
fn invalid_fixtures_fail_with_their_own_message() {
    for (case, (file, wants)) in expectations() {
        let (en, fr) = fixture(case);
        let files = [
            (Lang::En, "en.toml", en.as_str()),
            (Lang::Fr, "fr.toml", fr.as_str()),
        ];
        let err = match Texts::load(&files) {
            Ok(_) => panic!("{case}: the fixture loaded"),
            Err(e) => e,
        };
        assert_eq!(err.file, file, "{case}: {err}");
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("assets/{file}: ")),
            "{case}: {text}"
        );
        for want in wants {
            assert!(text.contains(want), "{case}: {text:?} lacks {want:?}");
        }
    }
}

/// Each fixture's English file is sound on its own: the fault is the French file's.
#[test]
fn each_fixture_faults_only_its_french_file() {
    for case in expectations().keys() {
        let (en, _) = fixture(case);
        let files = [
            (Lang::En, "en.toml", en.as_str()),
            (Lang::Fr, "fr.toml", en.as_str()),
        ];
        if let Err(e) = Texts::load(&files) {
            panic!("{case}: the English file alone fails: {e}");
        }
    }
}

/// Every text key the sources name (`"hint.back"`, `"prompt.yes_no"`) is in the files: a
/// misspelled key fails here, not as a raw key on the operator's screen.
#[test]
fn every_text_key_in_the_sources_exists() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let english = Texts::load(SHIPPED).expect("the shipped texts");
    let english = english.catalogue(Lang::En).expect("English");
    let sections: BTreeSet<String> = english
        .keys()
        .filter_map(|k| k.split('.').next())
        .map(|s| format!("\"{s}."))
        .collect();
    let (mut found, mut missing) = (0, Vec::new());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file");
        for (n, line) in text.lines().enumerate() {
            for section in &sections {
                for (at, _) in line.match_indices(section.as_str()) {
                    let rest = &line[at + 1..];
                    let key: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_' || *c == '.')
                        .collect();
                    // A prefix (`"keys."`) is not a key.
                    if key.ends_with('.') || !rest[key.len()..].starts_with('"') {
                        continue;
                    }
                    found += 1;
                    if english.get(&key).is_none() {
                        missing.push(format!("{}:{}: {key}", file.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(found > 30, "the sources name {found} text keys");
    assert!(missing.is_empty(), "not in assets/en.toml: {missing:#?}");
}
