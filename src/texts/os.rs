//! The operating system's reasons (`No such file or directory (os error 2)`, as Rust writes
//! an I/O error) in the operator's language: the common ones have a text of their own; any
//! other stays as the system wrote it.

use std::borrow::Cow;

use super::{Lang, Voice};

/// The reasons with a text, by error number (Linux).
const KNOWN: &[(i32, &str)] = &[
    (1, "os.eperm"),
    (2, "os.enoent"),
    (5, "os.eio"),
    (13, "os.eacces"),
    (17, "os.eexist"),
    (20, "os.enotdir"),
    (21, "os.eisdir"),
    (28, "os.enospc"),
    (30, "os.erofs"),
    (32, "os.epipe"),
    (36, "os.enametoolong"),
    (39, "os.enotempty"),
    (40, "os.eloop"),
    (98, "os.eaddrinuse"),
    (99, "os.eaddrnotavail"),
    (101, "os.enetunreach"),
    (104, "os.econnreset"),
    (110, "os.etimedout"),
    (111, "os.econnrefused"),
    (113, "os.ehostunreach"),
];

/// The resolver's reasons for a host name that does not resolve, as Rust writes them
/// ("failed to lookup address information: Name or service not known"): the English of
/// each key is the system's own.
const RESOLVER: &[&str] = &[
    "os.resolver.lookup_failed",
    "os.resolver.unknown_name",
    "os.resolver.temporary",
    "os.resolver.no_address",
];

/// `text` with every system reason of `KNOWN` and `RESOLVER` said in `voice` ("fichier ou
/// répertoire introuvable (erreur système 2)"); unchanged in English and when it holds none.
pub fn os_errors(voice: Voice, text: &str) -> Cow<'_, str> {
    let lookup = super::text(Lang::En, RESOLVER[0]);
    if voice.lang == Lang::En || !(text.contains("(os error ") || text.contains(lookup)) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for key in RESOLVER {
        out = out.replace(super::text(Lang::En, key), &voice.say(key));
    }
    for (code, key) in KNOWN {
        let english = std::io::Error::from_raw_os_error(*code).to_string();
        if out.contains(&english) {
            let said = voice.say_with(
                "os.with_code",
                &[("reason", &voice.say(key)), ("code", code)],
            );
            out = out.replace(&english, &said);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_reason_is_said_in_french_and_any_other_left_as_written() {
        let fr = Voice {
            lang: Lang::Fr,
            ascii: false,
        };
        let missing = std::io::Error::from_raw_os_error(2).to_string();
        let odd = std::io::Error::from_raw_os_error(71).to_string();
        let text = format!("impossible de lire a.csr : {missing}; {odd}");
        assert_eq!(
            os_errors(fr, &text),
            format!(
                "impossible de lire a.csr : fichier ou répertoire introuvable (erreur système 2); {odd}"
            )
        );
        let ascii = Voice { ascii: true, ..fr };
        assert!(os_errors(ascii, &text).contains("fichier ou repertoire introuvable"));
        assert_eq!(os_errors(Voice::default(), &text), text);
    }

    /// The English texts are the system's own, so an English console reads the same either way.
    #[test]
    fn the_english_texts_are_the_systems() {
        for (code, key) in KNOWN {
            let english = std::io::Error::from_raw_os_error(*code).to_string();
            let said = Voice::default().say_with(
                "os.with_code",
                &[("reason", &Voice::default().say(key)), ("code", code)],
            );
            assert_eq!(said, english, "{key}");
        }
    }
}
