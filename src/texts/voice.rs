//! The voice a thread speaks to the operator in: a language, and whether its letters are
//! written in ASCII (é → e) for a terminal that cannot show them.
//!
//! A sentence built where no model is at hand (an error's `Display` in a domain module, a
//! line of the command line) takes the voice of its thread. The console sets it from its
//! model (`update`), the worker from the console, the command line from its flags and
//! locale; a thread nobody set speaks English in UTF-8, as before any choice.

use std::cell::Cell;
use std::fmt::Display;

use super::{Lang, fill, text};

/// A language, and whether its letters are written in ASCII.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Voice {
    pub lang: Lang,
    pub ascii: bool,
}

thread_local! {
    static VOICE: Cell<Voice> = const { Cell::new(Voice { lang: Lang::En, ascii: false }) };
}

/// This thread's sentences from now on are in `voice`.
pub fn speak_as(voice: Voice) {
    VOICE.with(|v| v.set(voice));
}

/// The voice of this thread.
pub fn voice() -> Voice {
    VOICE.with(Cell::get)
}

impl Voice {
    /// The text `key` in this voice.
    pub fn say(self, key: &str) -> String {
        self.written(text(self.lang, key))
    }

    /// The text `key` in this voice, its placeholders filled from `args`: the values are
    /// put in as they are (a name from outside is escaped where it is drawn, not here).
    pub fn say_with(self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        let values: Vec<(&str, String)> = args.iter().map(|(n, v)| (*n, v.to_string())).collect();
        let pairs: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
        fill(&self.written(text(self.lang, key)), &pairs)
    }

    fn written(self, text: &str) -> String {
        if self.ascii {
            // Drawing characters (…, ↑) take their ASCII form where the text is shown: the
            // screen's glyphs, the command line's output.
            crate::text::plain_letters(text).into_owned()
        } else {
            text.to_string()
        }
    }
}

/// What `make` returns, said in English whatever this thread's voice: for what is written
/// to a file (a record stays English, as the audit log does, and reads the same whoever
/// wrote it).
pub fn in_english<T>(make: impl FnOnce() -> T) -> T {
    in_voice(Voice::default(), make)
}

/// What `make` returns, said in `voice`; the thread speaks as before afterwards.
pub fn in_voice<T>(voice: Voice, make: impl FnOnce() -> T) -> T {
    let before = self::voice();
    speak_as(voice);
    let made = make();
    speak_as(before);
    made
}

/// The text `key` in this thread's voice.
pub fn say(key: &str) -> String {
    voice().say(key)
}

/// The text `key` in this thread's voice, with its placeholders filled from `args`.
pub fn say_with(key: &str, args: &[(&str, &dyn Display)]) -> String {
    voice().say_with(key, args)
}

/// A text of `assets/` in this thread's voice: `say!("pki.csr.empty")`, or with its
/// placeholders: `say!("pki.csr.too_large", bytes = n, limit = MAX)`; in a given voice:
/// `say!(m.voice(); "pki.csr.too_large", bytes = n, limit = MAX)`. The key is a literal, so
/// a test finds every key the sources name.
#[macro_export]
macro_rules! say {
    ($voice:expr; $key:literal) => {
        $crate::texts::Voice::say($voice, $key)
    };
    ($voice:expr; $key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::texts::Voice::say_with(
            $voice,
            $key,
            &[$((stringify!($name), &$value as &dyn ::std::fmt::Display)),+],
        )
    };
    ($key:literal) => {
        $crate::texts::say($key)
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::texts::say_with(
            $key,
            &[$((stringify!($name), &$value as &dyn ::std::fmt::Display)),+],
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_speaks_english_until_told_otherwise() {
        std::thread::spawn(|| {
            assert_eq!(voice(), Voice::default());
            assert_eq!(say("menu.root.operations"), "Tanium Operations");
            speak_as(Voice {
                lang: Lang::Fr,
                ascii: false,
            });
            assert_eq!(say("menu.root.operations"), "Opérations Tanium");
            speak_as(Voice {
                lang: Lang::Fr,
                ascii: true,
            });
            assert_eq!(say("menu.root.operations"), "Operations Tanium");
        })
        .join()
        .unwrap();
    }

    #[test]
    fn placeholders_take_values_as_they_are() {
        let v = Voice {
            lang: Lang::Fr,
            ascii: true,
        };
        let shown = crate::say!(v; "menu.ssh_user.title", user = "tancopy\u{e9}");
        assert!(shown.ends_with("tancopy\u{e9}"), "{shown}");
        assert_eq!(crate::say!(v; "menu.ssh_user.title", user = 1), "Cles de 1");
    }
}
