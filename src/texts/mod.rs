//! The texts shown to the operator, one file per language in `assets/`, embedded in the
//! binary and checked together at start: every key in every language, with the same
//! placeholders (`{user}`). A fault is a load error naming the file and the line.

mod lang;
mod os;
mod voice;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

pub use lang::Lang;
pub use os::os_errors;
pub use voice::{Voice, in_english, in_voice, say, say_with, speak_as, voice};

/// The language files shipped in the binary, as (language, file name, text); English first,
/// the reference the others are checked against.
pub const SHIPPED: &[(Lang, &str, &str)] = &[
    (Lang::En, "en.toml", include_str!("../../assets/en.toml")),
    (Lang::Fr, "fr.toml", include_str!("../../assets/fr.toml")),
];

/// A language file that cannot be used; the message names the line where it can.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("assets/{file}: {message}")]
pub struct TextError {
    pub file: String,
    pub message: String,
}

/// One text and the line of its file it stands on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    text: String,
    line: usize,
}

/// One language's texts by key (`menu.zone.generate_csr`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Catalogue {
    entries: BTreeMap<String, Entry>,
}

impl Catalogue {
    /// The text of `key`, if the file has it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(|e| e.text.as_str())
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// Reads one file: nested tables flatten into dotted keys; every leaf is a text.
    pub fn parse(file: &str, text: &str) -> Result<Catalogue, TextError> {
        let err = |message: String| TextError {
            file: file.to_string(),
            message,
        };
        let table = toml::de::DeTable::parse(text)
            .map_err(|e| err(e.to_string().trim_end().to_string()))?;
        let newlines: Vec<usize> = text.match_indices('\n').map(|(at, _)| at).collect();
        let mut catalogue = Catalogue::default();
        let mut todo = vec![(String::new(), table.into_inner())];
        while let Some((prefix, table)) = todo.pop() {
            for (key, value) in table {
                let name = format!("{prefix}{}", key.get_ref());
                let line = line_of(&newlines, value.span().start);
                match value.into_inner() {
                    toml::de::DeValue::String(s) => {
                        let text = s.into_owned();
                        if text.trim().is_empty() {
                            return Err(err(format!("line {line}: '{name}' is empty")));
                        }
                        check_braces(&text)
                            .map_err(|m| err(format!("line {line}: '{name}' {m}")))?;
                        catalogue.entries.insert(name, Entry { text, line });
                    }
                    toml::de::DeValue::Table(t) => todo.push((format!("{name}."), t)),
                    _ => {
                        return Err(err(format!(
                            "line {line}: '{name}' is not a text (a quoted string)"
                        )));
                    }
                }
            }
        }
        if catalogue.entries.is_empty() {
            return Err(err("no texts".into()));
        }
        Ok(catalogue)
    }
}

/// The 1-based line of byte `at`, given where the text's newlines are.
fn line_of(newlines: &[usize], at: usize) -> usize {
    newlines.partition_point(|&n| n < at) + 1
}

/// Every `{` opens a placeholder named by a snake_case word and closed by `}`.
fn check_braces(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("has a '}' without its '{'".into());
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err("has a '{' without its '}'".into());
        };
        let name = &after[..close];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(format!(
                "has a placeholder '{{{name}}}' that is not a snake_case name"
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// The placeholders a text takes (`{user}` → `user`).
pub fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.insert(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

/// Every shipped language, checked against the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texts {
    languages: Vec<(Lang, Catalogue)>,
}

impl Texts {
    /// Loads and checks language files given as (language, file name, text); the first is
    /// the reference: every other holds exactly its keys, each with the same placeholders.
    pub fn load(files: &[(Lang, &str, &str)]) -> Result<Texts, TextError> {
        let mut languages = Vec::with_capacity(files.len());
        for (lang, file, text) in files {
            languages.push((*lang, file, Catalogue::parse(file, text)?));
        }
        if let Some(((_, ref_file, reference), others)) = languages.split_first() {
            for (_, file, other) in others {
                compare(ref_file, reference, file, other)?;
            }
        }
        Ok(Texts {
            languages: languages.into_iter().map(|(l, _, c)| (l, c)).collect(),
        })
    }

    /// The catalogue of `lang`, if shipped.
    pub fn catalogue(&self, lang: Lang) -> Option<&Catalogue> {
        self.languages
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, c)| c)
    }

    /// The text of `key` in `lang`; English when `lang` lacks it, the key itself when no
    /// file has it (a checked catalogue and checked menus leave neither case).
    pub fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        self.catalogue(lang)
            .and_then(|c| c.get(key))
            .or_else(|| self.catalogue(Lang::En).and_then(|c| c.get(key)))
            .unwrap_or(key)
    }
}

fn compare(
    ref_file: &str,
    reference: &Catalogue,
    file: &str,
    other: &Catalogue,
) -> Result<(), TextError> {
    let err = |message: String| TextError {
        file: file.to_string(),
        message,
    };
    for (key, entry) in &reference.entries {
        let Some(theirs) = other.entries.get(key) else {
            return Err(err(format!(
                "'{key}' is missing (assets/{ref_file} line {} has it)",
                entry.line
            )));
        };
        let want = placeholders(&entry.text);
        let got = placeholders(&theirs.text);
        if want != got {
            let show = |set: &BTreeSet<&str>| {
                if set.is_empty() {
                    "none".to_string()
                } else {
                    set.iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                }
            };
            return Err(err(format!(
                "line {}: '{key}' has the placeholders {} where assets/{ref_file} line {} has {}",
                theirs.line,
                show(&got),
                entry.line,
                show(&want)
            )));
        }
    }
    if let Some((key, entry)) = other
        .entries
        .iter()
        .find(|(k, _)| !reference.entries.contains_key(*k))
    {
        return Err(err(format!(
            "line {}: '{key}' is in this file only (not in assets/{ref_file})",
            entry.line
        )));
    }
    Ok(())
}

static SHIPPED_TEXTS: LazyLock<Result<Texts, TextError>> = LazyLock::new(|| Texts::load(SHIPPED));

/// The texts shipped in the binary, checked once.
pub fn shipped() -> Result<&'static Texts, &'static TextError> {
    SHIPPED_TEXTS.as_ref()
}

/// The text of `key` in `lang` from the shipped files (the key itself if they cannot load,
/// which the start of the console and the tests rule out).
pub fn text(lang: Lang, key: &str) -> &str {
    match shipped() {
        Ok(texts) => texts.get(lang, key),
        Err(_) => key,
    }
}

/// Fills `{name}` placeholders of `template` from `args`.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        match args.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => out.push_str(value),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}
