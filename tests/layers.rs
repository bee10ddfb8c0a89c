//! The house is one-way: each floor of `src/` takes only from the floors below it. Read
//! from the source itself, so a new `use` that points back up fails here.

use std::fs;
use std::path::{Path, PathBuf};

/// The ground floor: plain helpers every domain module may use, using nothing above them.
const GROUND: &[&str] = &[
    "clipboard",
    "date",
    "fsutil",
    "hostname",
    "pemtext",
    "resolve",
    "syslog",
    "termcaps",
    "text",
    "texts",
];
/// The domain modules that know nothing of the appliance's layout.
const DOMAIN: &[&str] = &["pki", "sshkeys", "tlscheck", "transfer"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file at or under `path`.
fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(path) else {
        return out;
    };
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The files of a crate-root module `name`: `src/name.rs` and everything in `src/name/`.
fn module_files(name: &str) -> Vec<PathBuf> {
    let mut files = rust_files(&src().join(format!("{name}.rs")));
    files.extend(rust_files(&src().join(name)));
    assert!(!files.is_empty(), "no source for the module {name}");
    files
}

fn code_of(path: &Path) -> String {
    let text = fs::read_to_string(path).expect("a readable source file");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The crate-root path a file takes things from after each `crate::`, as far as its second
/// segment (`ui::theme`, `appliance`), grouped imports (`crate::{a, b::c}`) included.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let items: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => group.split('}').next().unwrap_or("").split(',').collect(),
            None => vec![rest],
        };
        for item in items {
            let item = item.trim();
            let first = ident(item);
            let second = item
                .strip_prefix(&first)
                .and_then(|r| r.strip_prefix("::"))
                .map(ident)
                .filter(|s| !s.is_empty());
            out.push(match second {
                Some(second) => format!("{first}::{second}"),
                None => first,
            });
        }
    }
    out
}

/// Where the files of `modules` take from a crate-root module outside `allowed`.
fn reaching_out(modules: &[&str], allowed: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for module in modules {
        for file in module_files(module) {
            let code = code_of(&file);
            for path in crate_paths(&code) {
                // `say!` is the texts module's macro, exported at the crate root as every
                // `#[macro_export]` macro is.
                let root = match path.split("::").next().unwrap_or("") {
                    "say" => "texts",
                    other => other,
                };
                if !allowed.contains(&root) {
                    found.push(format!("{} takes crate::{path}", file.display()));
                }
            }
            if code.contains("super::super") {
                found.push(format!("{} climbs with super::super", file.display()));
            }
        }
    }
    found
}

#[test]
fn the_ground_floor_takes_from_nothing_above_it() {
    assert_eq!(reaching_out(GROUND, GROUND), Vec::<String>::new());
}

#[test]
fn pki_sshkeys_tlscheck_and_transfer_take_nothing_from_the_appliance() {
    let allowed: Vec<&str> = GROUND.iter().chain(DOMAIN).copied().collect();
    assert_eq!(reaching_out(DOMAIN, &allowed), Vec::<String>::new());
}

#[test]
fn screens_take_only_the_theme_from_the_drawing_code() {
    let mut found = Vec::new();
    for file in module_files("screens") {
        for path in crate_paths(&code_of(&file)) {
            if (path == "ui" || path.starts_with("ui::")) && path != "ui::theme" {
                found.push(format!("{} takes crate::{path}", file.display()));
            }
        }
    }
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn no_module_at_the_root_shares_a_name_with_a_dialog_of_the_model() {
    let stem = |p: &PathBuf| p.file_stem().map(|s| s.to_string_lossy().into_owned());
    let model: Vec<String> = rust_files(&src().join("model"))
        .iter()
        .filter_map(stem)
        .collect();
    let root: Vec<String> = fs::read_dir(src())
        .expect("src/")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter_map(|p| stem(&p))
        .filter(|name| name != "lib" && name != "main")
        .collect();
    let shared: Vec<&String> = root.iter().filter(|n| model.contains(n)).collect();
    assert!(shared.is_empty(), "shared names: {shared:?}");
}

#[test]
fn the_reader_sees_imports_however_they_are_written() {
    // The judge itself: each way of writing an import is seen.
    let code = "use crate::appliance::status::date;\nuse crate::{text, ui::wrap};\nx = crate::fsutil::read(p);";
    assert_eq!(
        crate_paths(code),
        ["appliance::status", "text", "ui::wrap", "fsutil::read"]
    );
}
