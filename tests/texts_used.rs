//! Issue 12: the texts of `assets/` and the sources name the same keys. Every key the
//! sources or the menus name (a quoted `area.name` the texts have the first part of) is in
//! the shipped files, and every key of the files is named by a source or a menu: no dead
//! text, no text asked for that is not there.

use std::collections::BTreeSet;
use std::path::Path;

use tanos_menu::texts::{Lang, shipped};

/// Whether `piece` looks like a text key: words of lower case, digits and `_`, joined by
/// dots, at least two of them.
fn is_key(piece: &str) -> bool {
    piece.contains('.')
        && piece.split('.').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// The string literals of Rust `code`, read as the compiler reads them: comments, character
/// literals (`'"'`), escapes (`"\""`) and raw strings (`r#"…"#`) do not start or end one;
/// a test module (`#[cfg(test)]` and what follows) names nothing.
fn rust_strings(code: &str) -> Vec<String> {
    let code = code.split("#[cfg(test)]").next().unwrap_or(code);
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match (chars[i], chars.get(i + 1).copied()) {
            ('/', Some('/')) => i = skip_to(&chars, i, "\n"),
            ('/', Some('*')) => i = skip_to(&chars, i + 2, "*/"),
            ('\'', _) => i = char_literal_end(&chars, i),
            ('r', Some('"' | '#')) if i == 0 || !is_ident(chars[i - 1]) => {
                let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
                let start = i + 2 + hashes;
                let close: String = std::iter::once('"')
                    .chain("#".repeat(hashes).chars())
                    .collect();
                let end = skip_to(&chars, start, &close);
                out.push(
                    chars[start..end.saturating_sub(close.len())]
                        .iter()
                        .collect(),
                );
                i = end;
            }
            ('"', _) => {
                let mut text = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    text.extend(chars.get(i));
                    i += 1;
                }
                out.push(text);
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The index just after the first `end` at or after `from` (the end of `chars` if none).
fn skip_to(chars: &[char], from: usize, end: &str) -> usize {
    let end: Vec<char> = end.chars().collect();
    (from..chars.len())
        .find(|&i| chars[i..].starts_with(&end))
        .map_or(chars.len(), |i| i + end.len())
}

/// After a `'` at `at`: the end of its character literal (`'"'`, `'\''`), or just past the
/// `'` when it opens a lifetime (`'a`, `'static`).
fn char_literal_end(chars: &[char], at: usize) -> usize {
    match (chars.get(at + 1), chars.get(at + 2), chars.get(at + 3)) {
        (Some('\\'), _, _) => skip_to(chars, at + 3, "'"),
        (Some(_), Some('\''), _) => at + 3,
        _ => at + 1,
    }
}

/// The keys a file names: string literals of Rust code, quoted values of a menu file
/// (its `#` comments left out).
fn keys_named(file: &Path, text: &str) -> Vec<String> {
    let strings = if file.extension().is_some_and(|e| e == "rs") {
        rust_strings(text)
    } else {
        text.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .flat_map(|l| {
                l.split('"')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    strings.into_iter().filter(|s| is_key(s)).collect()
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
        for key in keys_named(&file, &text) {
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
    let code = r##"
        say!("pki.too_big", bits = n); "a sentence. Two"; "x.y_2"
        let q = '"'; let e = "\""; let b = b'"'; fn f<'a>(x: &'a str) {}
        say!("a.after_quotes"); // say!("in.a_comment")
        /* "in.a_block" */ let r = r#"raw.key"#;
        #[cfg(test)]
        mod tests { say!("only.in_tests"); }
    "##;
    let found: Vec<String> = rust_strings(code)
        .into_iter()
        .filter(|s| is_key(s))
        .collect();
    assert_eq!(found, ["pki.too_big", "x.y_2", "a.after_quotes", "raw.key"]);
}
