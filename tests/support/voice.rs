//! The three voices the French tests compare (English, French, French in ASCII letters),
//! and a sample said on a thread of its own speaking one of them.

use std::thread;

use tanos_menu::texts::{Lang, Voice, speak_as};

pub const ENGLISH: Voice = Voice {
    lang: Lang::En,
    ascii: false,
};
pub const FRENCH: Voice = Voice {
    lang: Lang::Fr,
    ascii: false,
};
pub const FRENCH_ASCII: Voice = Voice {
    lang: Lang::Fr,
    ascii: true,
};

/// What `make` says on a new thread speaking `voice` (the test's own thread keeps its voice).
pub fn said_in(voice: Voice, make: &(dyn Fn() -> String + Sync)) -> String {
    thread::scope(|s| {
        s.spawn(|| {
            speak_as(voice);
            make()
        })
        .join()
        .expect("the sample's thread")
    })
}
