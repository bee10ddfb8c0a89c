//! What the operator's terminal can show, decided once at start: the glyph set (from the
//! locale's character set, `--ascii` or Console › Glyphs) and the colour depth (from
//! `NO_COLOR`, `TERM` and `COLORTERM`). A terminal reached over SSH from PuTTY, a serial
//! console or a jump host with `LANG=C` is not ours to assume UTF-8 and 256 colours of.

use std::borrow::Cow;

pub use crate::text::LETTERS;

/// The characters the console draws decorations with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Glyphs {
    /// Box rules, arrows and the ellipsis as Unicode (a UTF-8 locale).
    #[default]
    Unicode,
    /// Every byte ASCII: decorations in their ASCII form, anything else non-ASCII escaped.
    Ascii,
}

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Colours {
    /// No colour sequence at all (`NO_COLOR`, `dumb`, `vt100`): emphasis by bold and
    /// reverse video only.
    None,
    /// The eight ANSI colours, as SGR 30–37 and 40–47 (`linux`, plain `xterm`, `screen`).
    Eight,
    /// 256 colours (`*-256color`, `COLORTERM=truecolor`).
    #[default]
    Full,
}

/// The terminal's capabilities, chosen at start and never changed while the console runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Caps {
    pub glyphs: Glyphs,
    pub colours: Colours,
}

/// Which glyphs the operator asked for: Configuration Settings › Console › Glyphs, or
/// `--ascii`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GlyphChoice {
    /// As the locale's character set says.
    #[default]
    Auto,
    Ascii,
    Unicode,
}

impl GlyphChoice {
    /// The choice a value of the Glyphs setting names; `None` for anything else.
    pub fn from_word(word: &str) -> Option<GlyphChoice> {
        match word.to_ascii_lowercase().as_str() {
            "auto" => Some(GlyphChoice::Auto),
            "ascii" => Some(GlyphChoice::Ascii),
            "unicode" => Some(GlyphChoice::Unicode),
            _ => None,
        }
    }
}

/// The environment variables that decide, as the process has them (`None`: unset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermEnv {
    pub lc_all: Option<String>,
    pub lc_ctype: Option<String>,
    pub lang: Option<String>,
    pub term: Option<String>,
    pub colorterm: Option<String>,
    pub no_color: Option<String>,
}

impl TermEnv {
    /// The variables of this process.
    pub fn from_process() -> TermEnv {
        let var = |name: &str| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
        TermEnv {
            lc_all: var("LC_ALL"),
            lc_ctype: var("LC_CTYPE"),
            lang: var("LANG"),
            term: var("TERM"),
            colorterm: var("COLORTERM"),
            no_color: var("NO_COLOR"),
        }
    }
}

impl Caps {
    /// The capabilities `env` and the operator's `choice` give.
    pub fn detect(env: &TermEnv, choice: GlyphChoice) -> Caps {
        let utf8 = locale_is_utf8(
            env.lc_all.as_deref(),
            env.lc_ctype.as_deref(),
            env.lang.as_deref(),
        );
        let glyphs = match choice {
            GlyphChoice::Ascii => Glyphs::Ascii,
            GlyphChoice::Unicode => Glyphs::Unicode,
            GlyphChoice::Auto if utf8 => Glyphs::Unicode,
            GlyphChoice::Auto => Glyphs::Ascii,
        };
        Caps {
            glyphs,
            colours: colours_of(
                env.term.as_deref(),
                env.colorterm.as_deref(),
                env.no_color.as_deref(),
            ),
        }
    }
}

/// Whether the locale's character set is UTF-8: the first of `LC_ALL`, `LC_CTYPE`, `LANG`
/// set and non-empty decides; none, `C` and `POSIX` are not UTF-8; `lang_territory.codeset@modifier`
/// is when its codeset is `UTF-8` or `utf8`, in any case.
pub fn locale_is_utf8(lc_all: Option<&str>, lc_ctype: Option<&str>, lang: Option<&str>) -> bool {
    let Some(locale) = [lc_all, lc_ctype, lang]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
    else {
        return false;
    };
    if locale == "C" || locale == "POSIX" {
        return false;
    }
    let Some((_, rest)) = locale.split_once('.') else {
        return false;
    };
    let codeset = rest.split('@').next().unwrap_or(rest);
    codeset.eq_ignore_ascii_case("UTF-8") || codeset.eq_ignore_ascii_case("utf8")
}

/// The colours a terminal of type `term` shows: none with `NO_COLOR` set and non-empty, or
/// for `dumb`, the DEC VTs (`vt100`, `vt220` …) and an unset `TERM`; 256 when `TERM` or
/// `COLORTERM` says so; the eight ANSI colours otherwise (`linux`, `xterm`, `screen`).
pub fn colours_of(term: Option<&str>, colorterm: Option<&str>, no_color: Option<&str>) -> Colours {
    if no_color.is_some_and(|v| !v.is_empty()) {
        return Colours::None;
    }
    let term = term.unwrap_or("").to_ascii_lowercase();
    let family = term.split('-').next().unwrap_or("");
    let dec_vt = family
        .strip_prefix("vt")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if term.is_empty() || family == "dumb" || dec_vt {
        return Colours::None;
    }
    let colorterm = colorterm.unwrap_or("").to_ascii_lowercase();
    let says_many = term.contains("256color")
        || term.ends_with("-direct")
        || matches!(colorterm.as_str(), "truecolor" | "24bit")
        || colorterm.contains("256");
    if says_many {
        Colours::Full
    } else {
        Colours::Eight
    }
}

/// Every non-ASCII character the console itself draws, with its ASCII form. A test keeps
/// this list and the sources in step.
pub const DECORATIONS: &[(char, &str)] = &[
    ('─', "-"),
    ('│', "|"),
    ('▸', ">"),
    ('›', ">"),
    ('↑', "^"),
    ('↓', "v"),
    ('…', "..."),
    ('·', "-"),
];

impl Glyphs {
    /// One of the console's own texts (a menu label in the operator's language) as this
    /// glyph set draws it: in ASCII its accented letters lose their accents, then `show`.
    pub fn text(self, text: &str) -> Cow<'_, str> {
        if self == Glyphs::Unicode || text.is_ascii() {
            return Cow::Borrowed(text);
        }
        let plain = crate::text::plain_letters(text);
        Cow::Owned(self.show(&plain).into_owned())
    }

    /// `text` as this glyph set draws it: unchanged in Unicode; in ASCII each decoration in
    /// its ASCII form and any other non-ASCII character (a name, a subject) escaped as
    /// `\u{e9}`. ASCII text is always returned as it is (a PEM block stays the PEM block).
    pub fn show(self, text: &str) -> Cow<'_, str> {
        if self == Glyphs::Unicode || text.is_ascii() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            match DECORATIONS.iter().find(|(d, _)| *d == c) {
                Some((_, ascii)) => out.push_str(ascii),
                None if c.is_ascii() => out.push(c),
                None => out.push_str(&crate::text::escape_ascii(c.encode_utf8(&mut [0; 4]))),
            }
        }
        Cow::Owned(out)
    }

    /// `text` shown (see `show`), then wrapped at `width` as `text::wrap` does: the width is
    /// that of what is drawn.
    pub fn wrap(self, text: &str, width: usize) -> Vec<String> {
        crate::text::wrap(&self.show(text), width)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three variables as the process has them (`None`: unset), and what they decide.
    type Row<T> = (
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        T,
    );

    #[test]
    fn the_first_locale_variable_set_decides() {
        let utf8 = Some("en_US.UTF-8");
        let table: &[Row<bool>] = &[
            (None, None, None, false),
            (None, None, utf8, true),
            (None, utf8, None, true),
            (utf8, None, None, true),
            // LC_ALL before LC_CTYPE before LANG.
            (Some("C"), utf8, utf8, false),
            (None, Some("POSIX"), utf8, false),
            (Some("fr_FR.UTF-8"), Some("C"), Some("C"), true),
            // Set but empty counts as unset.
            (Some(""), Some(""), utf8, true),
            (Some(""), None, None, false),
            (None, None, Some("C"), false),
            (None, None, Some("POSIX"), false),
            (None, None, Some("C.UTF-8"), true),
            (None, None, Some("C.utf8"), true),
            (None, None, Some("en_US.utf8"), true),
            (None, None, Some("de_DE.Utf-8@euro"), true),
            (None, None, Some("en_US"), false),
            (None, None, Some("fr_FR.ISO-8859-1"), false),
            (None, None, Some("fr_FR.ISO-8859-15@euro"), false),
            (None, None, Some("ja_JP.eucJP"), false),
            (None, None, Some("en_US.UTF-16"), false),
        ];
        for (lc_all, lc_ctype, lang, want) in table {
            assert_eq!(
                locale_is_utf8(*lc_all, *lc_ctype, *lang),
                *want,
                "LC_ALL={lc_all:?} LC_CTYPE={lc_ctype:?} LANG={lang:?}"
            );
        }
    }

    #[test]
    fn the_terminal_type_decides_the_colours() {
        use Colours::{Eight, Full};
        let table: &[Row<Colours>] = &[
            (Some("xterm-256color"), None, None, Full),
            (Some("screen-256color"), None, None, Full),
            (Some("tmux-256color"), None, None, Full),
            (Some("putty-256color"), None, None, Full),
            (Some("xterm-direct"), None, None, Full),
            (Some("xterm"), None, None, Eight),
            (Some("screen"), None, None, Eight),
            (Some("tmux"), None, None, Eight),
            (Some("linux"), None, None, Eight),
            (Some("putty"), None, None, Eight),
            (Some("xterm"), Some("truecolor"), None, Full),
            (Some("xterm"), Some("24bit"), None, Full),
            (Some("screen"), Some("256"), None, Full),
            (Some("xterm"), Some("yes"), None, Eight),
            (Some("dumb"), None, None, Colours::None),
            (Some("vt100"), None, None, Colours::None),
            (Some("vt102"), None, None, Colours::None),
            (Some("vt220"), None, None, Colours::None),
            (Some("vt100-am"), None, None, Colours::None),
            (Some("VT220"), None, None, Colours::None),
            // The terminal's own type wins over a COLORTERM passed along from elsewhere.
            (Some("vt100"), Some("truecolor"), None, Colours::None),
            (Some("dumb"), Some("24bit"), None, Colours::None),
            (None, None, None, Colours::None),
            (Some(""), Some("truecolor"), None, Colours::None),
            // NO_COLOR set and non-empty: no colour, whatever the terminal.
            (
                Some("xterm-256color"),
                Some("truecolor"),
                Some("1"),
                Colours::None,
            ),
            (Some("linux"), None, Some("yes"), Colours::None),
            (Some("xterm-256color"), None, Some(""), Full),
        ];
        for (term, colorterm, no_color, want) in table {
            assert_eq!(
                colours_of(*term, *colorterm, *no_color),
                *want,
                "TERM={term:?} COLORTERM={colorterm:?} NO_COLOR={no_color:?}"
            );
        }
    }

    #[test]
    fn the_operator_forces_either_way() {
        let c = TermEnv {
            lang: Some("C".into()),
            term: Some("xterm-256color".into()),
            ..TermEnv::default()
        };
        let utf8 = TermEnv {
            lang: Some("en_GB.UTF-8".into()),
            ..c.clone()
        };
        let glyphs = |env: &TermEnv, choice| Caps::detect(env, choice).glyphs;
        assert_eq!(glyphs(&c, GlyphChoice::Auto), Glyphs::Ascii);
        assert_eq!(glyphs(&c, GlyphChoice::Unicode), Glyphs::Unicode);
        assert_eq!(glyphs(&utf8, GlyphChoice::Auto), Glyphs::Unicode);
        assert_eq!(glyphs(&utf8, GlyphChoice::Ascii), Glyphs::Ascii);
        assert_eq!(Caps::detect(&c, GlyphChoice::Auto).colours, Colours::Full);
        assert_eq!(GlyphChoice::from_word("ASCII"), Some(GlyphChoice::Ascii));
        assert_eq!(GlyphChoice::from_word("latin1"), None);
    }

    #[test]
    fn ascii_draws_decorations_plainly_and_escapes_the_rest() {
        let a = Glyphs::Ascii;
        assert_eq!(
            a.show(" ts01 │ Tanium Server │ 7.3"),
            " ts01 | Tanium Server | 7.3"
        );
        assert_eq!(a.show(" ▸  1  Tanium Status"), " >  1  Tanium Status");
        assert_eq!(a.show("… › Help"), "... > Help");
        assert_eq!(a.show("↑↓ move"), "^v move");
        assert_eq!(a.show("Loading…"), "Loading...");
        assert_eq!(a.show("───"), "---");
        assert_eq!(a.show("CN=café 名"), "CN=caf\\u{e9} \\u{540d}");
        assert_eq!(a.show("a\u{202e}b"), "a\\u{202e}b");
        // Already ASCII: the same text, not a copy.
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB+/=\n";
        assert!(matches!(a.show(pem), Cow::Borrowed(p) if p == pem));
        // Shown twice is shown once.
        let once = a.show("é › …").into_owned();
        assert_eq!(a.show(&once), once);
        assert_eq!(Glyphs::Unicode.show("▸ é"), "▸ é");
        assert!(a.show("─│▸›↑↓…· é").is_ascii());
    }

    #[test]
    fn ascii_wraps_what_it_draws() {
        let lines = Glyphs::Ascii.wrap("Reading the appliance… then éé", 20);
        assert_eq!(
            lines,
            ["Reading the", "appliance... then", "\\u{e9}\\u{e9}"]
        );
    }
}
