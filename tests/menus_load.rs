//! The menu tree (SPEC §3): the shipped menus load and the seed's key paths resolve; every
//! invalid fixture under tests/fixtures/menus/<case>/ fails with its own message and file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use tanos_menu::appliance::{Addon, ApplianceConfig, Platform, Role};
use tanos_menu::menu::{Action, MenuTree, RESERVED_KEYS, ROOT, SHIPPED, Target};

fn config(role: Role, hub: bool) -> ApplianceConfig {
    ApplianceConfig {
        role,
        hostname: "host.example".into(),
        platform: Platform::V7_3,
        addons: if hub {
            vec![Addon::ZoneHub]
        } else {
            Vec::new()
        },
    }
}

fn all_configs() -> [ApplianceConfig; 3] {
    [
        config(Role::TaniumServer, false),
        config(Role::TaniumServer, true),
        config(Role::ZoneServer, false),
    ]
}

fn shipped() -> MenuTree {
    MenuTree::shipped().unwrap_or_else(|e| panic!("the shipped menus do not load: {e}"))
}

// ---------------------------------------------------------------- shipped menus

#[test]
fn shipped_menus_load_and_are_sound() {
    let tree = shipped();
    let ids: BTreeSet<&str> = tree.menus().map(|m| m.id.as_str()).collect();
    let files: BTreeSet<String> = SHIPPED
        .iter()
        .map(|(f, _)| f.trim_end_matches(".toml").to_string())
        .collect();
    assert_eq!(
        ids,
        files.iter().map(String::as_str).collect(),
        "one menu per shipped file"
    );
    assert!(tree.get(ROOT).is_some(), "a root menu");

    let mut opened = BTreeSet::from([ROOT.to_string()]);
    for menu in tree.menus() {
        assert!(!menu.title.trim().is_empty(), "{}: a title", menu.file);
        assert!(!menu.items.is_empty(), "{}: items", menu.file);
        let mut keys = BTreeSet::new();
        for item in &menu.items {
            let key = item.key.to_ascii_uppercase();
            assert!(keys.insert(key.clone()), "{}: key {key} twice", menu.file);
            assert!(
                !RESERVED_KEYS.contains(&key.as_str()),
                "{}: reserved key {key}",
                menu.file
            );
            assert!(
                !item.label.trim().is_empty(),
                "{}: item {key} has a label",
                menu.file
            );
            if let Some(sub) = item.target.menu() {
                assert!(
                    tree.get(sub).is_some(),
                    "{}: submenu {sub} exists",
                    menu.file
                );
                opened.insert(sub.to_string());
            }
        }
    }
    let all: BTreeSet<String> = tree.menus().map(|m| m.id.clone()).collect();
    assert_eq!(opened, all, "every menu is opened by some item");
}

#[test]
fn seed_key_paths_resolve() {
    let tree = shipped();
    for c in all_configs() {
        let role = c.role_label();
        assert_eq!(
            tree.resolve(&[], &c),
            Some(Target::Submenu(ROOT.into())),
            "{role}"
        );
        assert_eq!(
            tree.resolve(&["1"], &c),
            Some(Target::Action(Action::TaniumStatus)),
            "{role}: 1"
        );
        assert_eq!(
            tree.resolve(&["2"], &c),
            Some(Target::Submenu("operations".into())),
            "{role}: 2"
        );
        assert_eq!(
            tree.resolve(&["2", "2"], &c),
            Some(Target::Action(Action::ConfigurationSettings)),
            "{role}: 2 > 2"
        );
        // Keys are typed case-insensitively.
        assert_eq!(
            tree.resolve(&["c"], &c),
            Some(Target::Submenu("users".into())),
            "{role}: c"
        );
        assert_eq!(
            tree.resolve(&["C"], &c),
            Some(Target::Submenu("users".into())),
            "{role}: C"
        );
        // Nothing lies beyond an action, and unknown keys reach nothing.
        assert_eq!(tree.resolve(&["1", "1"], &c), None, "{role}: 1 > 1");
        assert_eq!(tree.resolve(&["9"], &c), None, "{role}: 9");
        assert_eq!(tree.resolve(&["2", "9"], &c), None, "{role}: 2 > 9");
        for reserved in RESERVED_KEYS {
            assert_eq!(
                tree.resolve(&[reserved], &c),
                None,
                "{role}: {reserved} is navigation"
            );
        }
        assert!(!tree.visible(ROOT, &c).is_empty(), "{role}");
    }
}

// ---------------------------------------------------------------- invalid fixtures

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/menus")
}

/// The .toml files of one fixture case, as (file name, text), in name order.
fn fixture(case: &str) -> Vec<(String, String)> {
    let dir = fixtures_dir().join(case);
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let name = p
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned();
            let text =
                std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, text)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "fixture {case} has .toml files");
    files
}

/// Each case: the file the error must name, and substrings its message must hold.
fn expectations() -> BTreeMap<&'static str, (&'static str, &'static [&'static str])> {
    BTreeMap::from([
        (
            "unknown_text_key",
            (
                "root.toml",
                &["item '1': 'menu.root.tanium_staus' is not a text of assets/en.toml"][..],
            ),
        ),
        (
            "unknown_title_key",
            (
                "users.toml",
                &["the title: 'menu.user.title' is not a text of assets/en.toml"][..],
            ),
        ),
        (
            "unknown_action",
            (
                "root.toml",
                &[
                    "unknown variant `tanium_staus`",
                    "line 10 (item 2)",
                    "tanium_status",
                ][..],
            ),
        ),
        (
            "unknown_kind",
            (
                "root.toml",
                &[
                    "line 3 (item 1)",
                    "unknown variant `menu`",
                    "submenu",
                    "action",
                ][..],
            ),
        ),
        (
            "missing_action",
            (
                "root.toml",
                &["line 3 (item 1)", "missing field `action`"][..],
            ),
        ),
        (
            "unknown_item_field",
            (
                "root.toml",
                &["line 3 (item 1)", "unknown field `hotkey`"][..],
            ),
        ),
        (
            "unknown_menu_field",
            ("root.toml", &["unknown field `subtitle`", "line 2"][..]),
        ),
        (
            "duplicate_key",
            (
                "users.toml",
                &[
                    "item 'c' (Configuration Settings)",
                    "duplicate key 'C' in this menu",
                ][..],
            ),
        ),
        (
            "dangling_submenu",
            (
                "root.toml",
                &[
                    "item '2' (Tanium Operations)",
                    "submenu 'operation' does not exist",
                    "menus/operation.toml",
                ][..],
            ),
        ),
        (
            "unreachable_menu",
            ("orphan.toml", &["menu 'orphan' is unreachable"][..]),
        ),
        (
            "unreachable_cycle",
            ("alpha.toml", &["menu 'alpha' is unreachable"][..]),
        ),
        (
            "reserved_key_B",
            (
                "root.toml",
                &["item 'B' (Audit log)", "the key 'B' is kept for navigation"][..],
            ),
        ),
        (
            "reserved_key_x",
            (
                "root.toml",
                &["item 'x'", "the key 'X' is kept for navigation"][..],
            ),
        ),
        (
            "reserved_key_rr",
            (
                "root.toml",
                &["item 'rr'", "the key 'RR' is kept for navigation"][..],
            ),
        ),
        (
            "missing_root",
            ("root.toml", &["the root menu is missing"][..]),
        ),
        (
            "empty_items",
            ("users.toml", &["the menu has no items"][..]),
        ),
        (
            "bad_key_long",
            (
                "root.toml",
                &["item 'ABC'", "a key is one or two letters or digits"][..],
            ),
        ),
        (
            "bad_key_punct",
            (
                "root.toml",
                &["item '!'", "a key is one or two letters or digits"][..],
            ),
        ),
        (
            "bad_key_empty",
            (
                "root.toml",
                &["item ''", "a key is one or two letters or digits"][..],
            ),
        ),
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
        let files = fixture(case);
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let err = match MenuTree::load(&borrowed) {
            Ok(_) => panic!("{case}: the fixture loaded"),
            Err(e) => e,
        };
        assert_eq!(err.file, file, "{case}: {err}");
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("menus/{file}: ")),
            "{case}: {text}"
        );
        for want in wants {
            assert!(text.contains(want), "{case}: {text:?} lacks {want:?}");
        }
    }
}

/// Each fixture differs from a valid tree by its one fault: mending it makes the tree load.
#[test]
fn fixtures_fail_for_the_reason_given() {
    let mend: &[(&str, &str, &str, &str)] = &[
        (
            "unknown_text_key",
            "root.toml",
            "menu.root.tanium_staus",
            "menu.root.tanium_status",
        ),
        (
            "unknown_title_key",
            "users.toml",
            "menu.user.title",
            "menu.users.title",
        ),
        (
            "unknown_action",
            "root.toml",
            "tanium_staus",
            "tanium_status",
        ),
        (
            "unknown_kind",
            "root.toml",
            "kind = \"menu\"",
            "kind = \"action\"",
        ),
        ("unknown_item_field", "root.toml", "hotkey = \"F1\"\n", ""),
        (
            "unknown_menu_field",
            "root.toml",
            "subtitle = \"welcome\"\n",
            "",
        ),
        ("duplicate_key", "users.toml", "key = \"c\"", "key = \"2\""),
        (
            "dangling_submenu",
            "root.toml",
            "menu = \"operation\"",
            "menu = \"operations\"",
        ),
        ("reserved_key_B", "root.toml", "key = \"B\"", "key = \"3\""),
        ("reserved_key_x", "root.toml", "key = \"x\"", "key = \"3\""),
        (
            "reserved_key_rr",
            "root.toml",
            "key = \"rr\"",
            "key = \"3\"",
        ),
        ("bad_key_long", "root.toml", "key = \"ABC\"", "key = \"AB\""),
        ("bad_key_punct", "root.toml", "key = \"!\"", "key = \"3\""),
        ("bad_key_empty", "root.toml", "key = \"\"", "key = \"3\""),
    ];
    for (case, file, from, to) in mend {
        let mut files = fixture(case);
        let target = files
            .iter_mut()
            .find(|(n, _)| n == file)
            .unwrap_or_else(|| panic!("{case}: {file}"));
        assert!(target.1.contains(from), "{case}: {file} holds {from:?}");
        target.1 = target.1.replacen(from, to, 1);
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        if let Err(e) = MenuTree::load(&borrowed) {
            panic!("{case}: still fails once mended: {e}");
        }
    }
}

#[test]
fn the_same_menu_twice_is_refused() {
    let root = SHIPPED
        .iter()
        .find(|(f, _)| *f == "root.toml")
        .expect("root.toml")
        .1;
    let mut files: Vec<(&str, &str)> = SHIPPED.to_vec();
    files.push(("root.toml", root));
    let err = MenuTree::load(&files).expect_err("two root menus");
    assert_eq!(err.file, "root.toml");
    assert!(
        err.to_string().contains("a second menu named 'root'"),
        "{err}"
    );
}

#[test]
fn not_toml_at_all_names_the_file() {
    for text in [
        "",
        "title = ",
        "[[items]]\nkind = \"action\"\n",
        "\u{feff}title = \"x\"\nitems = 3\n",
    ] {
        let err = MenuTree::load(&[("root.toml", text)]).expect_err("not a menu");
        assert_eq!(err.file, "root.toml", "{text:?}");
        assert!(
            err.to_string().starts_with("menus/root.toml: "),
            "{text:?}: {err}"
        );
    }
}

#[test]
fn inline_items_report_their_own_line() {
    let good = "title = \"menu.root.title\"\nitems = [\n  { kind = \"action\", key = \"1\", label = \"menu.root.tanium_status\", action = \"tanium_status\" },\n]\n";
    let tree = MenuTree::load(&[("root.toml", good)]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        tree.resolve(&["1"], &config(Role::ZoneServer, false)),
        Some(Target::Action(Action::TaniumStatus))
    );

    let bad = "title = \"menu.root.title\"\nitems = [\n  { kind = \"action\", key = \"1\", label = \"menu.root.tanium_status\", action = \"tanium_status\" },\n  { kind = \"action\", key = \"2\", label = \"menu.root.users\", action = \"users\" },\n]\n";
    let err = MenuTree::load(&[("root.toml", bad)]).expect_err("unknown action");
    let text = err.to_string();
    assert!(
        text.contains("line 4 (item 2)") && text.contains("unknown variant `users`"),
        "{text}"
    );
}
