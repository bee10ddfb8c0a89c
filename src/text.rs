//! Plain text layout shared by the model (scroll bounds) and the screens.

use std::borrow::Cow;

/// Splits `text` into lines of at most `width` characters at spaces, keeping paragraph breaks.
/// French punctuation set off by a space (`:` `;` `?` `!` `»`, and `«` before its word)
/// stays on the row of its word: no row starts with `:`.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(10);
    let mut out = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in &words(paragraph) {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push(line);
    }
    out
}

/// The words of `paragraph`, each spaced punctuation mark joined to its word.
fn words(paragraph: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut opening = String::new();
    for word in paragraph.split_whitespace() {
        let closing = word
            .chars()
            .all(|c| matches!(c, ':' | ';' | '?' | '!' | '\u{bb}'));
        if word == "\u{ab}" {
            opening.push_str("\u{ab} ");
        } else if closing && opening.is_empty() && !out.is_empty() {
            if let Some(last) = out.last_mut() {
                last.push(' ');
                last.push_str(word);
            }
        } else {
            out.push(format!("{}{word}", std::mem::take(&mut opening)));
        }
    }
    if !opening.is_empty() {
        out.push(opening.trim_end().to_string());
    }
    out
}

/// Whether `c` must not reach a terminal as itself: C0 and C1 controls, DEL, the
/// bidirectional overrides and isolates, and the other invisible format characters
/// (zero-width spaces and joiners, soft hyphen, BOM, tags, variation selectors, fillers).
pub fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\0'..='\x1f'
            | '\x7f'..='\u{9f}'
            | '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fffb}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

fn push_visible(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = match c {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        '\x1b' => out.write_str("\\e"),
        '\0'..='\x1f' | '\x7f' => write!(out, "\\x{:02x}", c as u32),
        _ => write!(out, "\\u{{{:x}}}", c as u32),
    };
}

/// `text` with every hidden character (newlines too) in a visible form: `\e`, `\x07`,
/// `\n`, `\u{202e}`. For a name or value quoted on one line.
pub fn escape(text: &str) -> String {
    escape_keeping(text, &[])
}

/// `escape`, keeping line breaks and tabs: for a message of several lines.
pub fn escape_text(text: &str) -> String {
    escape_keeping(text, &['\n', '\t'])
}

fn escape_keeping(text: &str, kept: &[char]) -> String {
    escape_where(text, |c| is_hidden(c) && !kept.contains(&c))
}

/// `text` as ASCII: what `escape` shows escaped, and every other non-ASCII character as
/// `\u{e9}`. For a terminal that is not UTF-8: the operator sees which character it is.
pub fn escape_ascii(text: &str) -> String {
    escape_where(text, |c| is_hidden(c) || !c.is_ascii())
}

/// `text` with every character `hide` picks in the visible form `escape` uses: for a check
/// stricter than the terminal's (a name that must not even hold a no-break space).
pub fn escape_where(text: &str, hide: impl Fn(char) -> bool) -> String {
    if !text.chars().any(&hide) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hide(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Bytes that should be UTF-8 text, as one escaped line: invalid bytes as `\xNN`.
pub fn escape_bytes(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(&escape(chunk.valid()));
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// A file name as an operator may read it: escaped, invalid UTF-8 bytes as `\xNN`.
pub fn escape_os(name: &std::ffi::OsStr) -> String {
    use std::os::unix::ffi::OsStrExt;
    escape_bytes(name.as_bytes())
}

/// A path as an operator may read it (see `escape_os`).
pub fn escape_path(path: &std::path::Path) -> String {
    escape_os(path.as_os_str())
}

/// The first `n` characters of `text`, never cutting a character.
pub fn prefix(text: &str, n: usize) -> &str {
    match text.char_indices().nth(n) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// The letters of the console's own texts (assets/) outside ASCII, with the ASCII form the
/// ASCII mode writes them in (é → e): an operator reads French without accents rather
/// than escapes. A name from outside with these letters is still escaped by `show`.
pub const LETTERS: &[(char, &str)] = &[
    ('\u{e0}', "a"),
    ('\u{e2}', "a"),
    ('\u{e7}', "c"),
    ('\u{e9}', "e"),
    ('\u{e8}', "e"),
    ('\u{ea}', "e"),
    ('\u{eb}', "e"),
    ('\u{ee}', "i"),
    ('\u{ef}', "i"),
    ('\u{f4}', "o"),
    ('\u{f9}', "u"),
    ('\u{fb}', "u"),
    ('\u{fc}', "u"),
    ('\u{ff}', "y"),
    ('\u{153}', "oe"),
    ('\u{e6}', "ae"),
    ('\u{c0}', "A"),
    ('\u{c2}', "A"),
    ('\u{c7}', "C"),
    ('\u{c9}', "E"),
    ('\u{c8}', "E"),
    ('\u{ca}', "E"),
    ('\u{ce}', "I"),
    ('\u{d4}', "O"),
    ('\u{152}', "OE"),
    ('\u{2019}', "'"),
    ('\u{ab}', "\""),
    ('\u{bb}', "\""),
    ('\u{a0}', " "),
];

/// `text` with the letters of `LETTERS` in their ASCII form (é → e); anything else as it is.
pub fn plain_letters(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| LETTERS.iter().any(|(l, _)| *l == c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match LETTERS.iter().find(|(l, _)| *l == c) {
            Some((_, ascii)) => out.push_str(ascii),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaced_punctuation_stays_with_its_word() {
        let text = "Séparer par des virgules ou des espaces ; « aucun » pour aucun.";
        for width in 10..70 {
            for row in wrap(text, width) {
                assert!(
                    !row.starts_with([';', ':', '»', '?', '!']),
                    "{width}: {row:?}"
                );
                assert!(!row.ends_with('«'), "{width}: {row:?}");
            }
        }
        assert_eq!(
            wrap("Clé racine enregistrée : SHA256:abc", 24),
            ["Clé racine enregistrée :", "SHA256:abc"]
        );
        assert_eq!(wrap("a b c", 80), ["a b c"]);
    }

    #[test]
    fn hidden_characters_are_shown_not_sent() {
        assert_eq!(escape("a\x1b]0;X\x07b"), "a\\e]0;X\\x07b");
        assert_eq!(escape("x\u{9b}31m"), "x\\u{9b}31m");
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(
            escape("zero\u{200b}width\u{feff}"),
            "zero\\u{200b}width\\u{feff}"
        );
        assert_eq!(escape("del\x7f"), "del\\x7f");
        assert_eq!(escape("two\nlines\r"), "two\\nlines\\r");
        assert_eq!(escape_text("two\nlines\tok\x1b"), "two\nlines\tok\\e");
        assert_eq!(escape("café ünïcode 名前"), "café ünïcode 名前");
        // Escaping its own output changes nothing.
        let once = escape("\x1b[2J\u{2066}");
        assert_eq!(escape(&once), once);
    }

    #[test]
    fn ascii_escaping_leaves_only_ascii() {
        assert_eq!(escape_ascii("café\x1b名"), "caf\\u{e9}\\e\\u{540d}");
        assert_eq!(escape_ascii("plain"), "plain");
        assert!(escape_ascii("ünïcode \u{202e} 名前").is_ascii());
    }

    #[test]
    fn invalid_bytes_are_shown_as_hex() {
        assert_eq!(escape_bytes(b"ok\xff\xfe\x1bend"), "ok\\xff\\xfe\\eend");
        assert_eq!(escape_bytes("é".as_bytes()), "é");
    }

    #[test]
    fn prefixes_never_cut_a_character() {
        assert_eq!(prefix("2026-01-0é1", 10), "2026-01-0é");
        assert_eq!(prefix("ééé", 10), "ééé");
        assert_eq!(prefix("", 3), "");
    }
}
