//! The operator's language, decided once at start: `--lang`, else the locale's messages
//! category (`LC_ALL`, `LC_MESSAGES`, `LANG`, the first set and non-empty).

/// A language the console speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    /// The language a word names (`en`, `fr`, any case); `None` for anything else.
    pub fn from_word(word: &str) -> Option<Lang> {
        match word.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The language's code, as `--lang` takes it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language of a locale's messages: the first of `lc_all`, `lc_messages`, `lang`
    /// set and non-empty; `fr` (`fr_FR.UTF-8`, `fr_CA`, `fr`) is French, anything else
    /// (none, `C`, `POSIX`, `en_US`) English.
    pub fn from_locale(
        lc_all: Option<&str>,
        lc_messages: Option<&str>,
        lang: Option<&str>,
    ) -> Lang {
        let locale = [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty());
        match locale {
            Some(l) if l.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("fr")) => Lang::Fr,
            _ => Lang::En,
        }
    }

    /// The language of this process: `flag` (`--lang`) if given, else its locale.
    pub fn detect(flag: Option<Lang>) -> Lang {
        if let Some(lang) = flag {
            return lang;
        }
        let var = |name: &str| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
        Lang::from_locale(
            var("LC_ALL").as_deref(),
            var("LC_MESSAGES").as_deref(),
            var("LANG").as_deref(),
        )
    }
}
