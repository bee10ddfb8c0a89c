//! Issue 12: the texts of `assets/` and the sources name the same keys. Every key the
//! sources or the menus name (a quoted `area.name` the texts have the first part of) is in
//! the shipped files, and every key of the files is named by a source or a menu: no dead
//! text, no text asked for that is not there.

use std::collections::BTreeSet;
use std::path::Path;

use tanos_menu::texts::{Lang, shipped};

/// Every quoted string of `text` that looks like a text key: words of lower case, digits
/// and `_`, joined by dots, at least two of them.
fn quoted_keys(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, piece) in text.split('"').enumerate() {
        let is_key = i % 2 == 1
            && piece.contains('.')
            && piece.split('.').all(|w| {
                !w.is_empty()
                    && w.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            });
        if is_key {
            out.push(piece.to_string());
        }
    }
    out
}

fn files_under(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// The keys named in `src/` and `menus/`, with the file naming each, restricted to the
/// areas (first words) the English file has.
fn named(areas: &BTreeSet<String>) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    files_under(&root.join("src"), "rs", &mut files);
    files_under(&root.join("menus"), "toml", &mut files);
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let shown = file.strip_prefix(root).unwrap().display().to_string();
        for key in quoted_keys(&text) {
            let area = key.split('.').next().unwrap_or_default();
            if areas.contains(area) {
                out.push((key, shown.clone()));
            }
        }
    }
    out
}

fn english_keys() -> BTreeSet<String> {
    let texts = shipped().expect("the shipped texts load");
    texts
        .catalogue(Lang::En)
        .unwrap()
        .keys()
        .map(str::to_string)
        .collect()
}

#[test]
fn every_key_the_sources_name_is_shipped() {
    let keys = english_keys();
    let areas: BTreeSet<String> = keys
        .iter()
        .map(|k| k.split('.').next().unwrap().to_string())
        .collect();
    let missing: Vec<String> = named(&areas)
        .into_iter()
        .filter(|(key, _)| !keys.contains(key))
        .map(|(key, file)| format!("{file}: {key}"))
        .collect();
    assert!(
        missing.is_empty(),
        "named but not in assets/:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_shipped_key_is_named_by_a_source_or_a_menu() {
    let keys = english_keys();
    let areas: BTreeSet<String> = keys
        .iter()
        .map(|k| k.split('.').next().unwrap().to_string())
        .collect();
    let used: BTreeSet<String> = named(&areas).into_iter().map(|(k, _)| k).collect();
    let dead: Vec<&String> = keys.iter().filter(|k| !used.contains(*k)).collect();
    assert!(dead.is_empty(), "in assets/ but named nowhere: {dead:?}");
}

#[test]
fn the_scan_finds_keys_and_only_keys() {
    let found = quoted_keys(r#"say!("pki.too_big", bits = n); "a sentence. Two"; "x.y_2""#);
    assert_eq!(found, ["pki.too_big", "x.y_2"]);
}
