//! What the catalogue says to the operator, in a voice: a setting's warning, the values it
//! takes and what a value means.

use std::fmt;

use super::{ApplianceConfig, Kind, SettingDef, Value, allowed_on_platform};
use crate::appliance::Platform;
use crate::texts::{Voice, voice};

/// The seed's warning of a setting: said in the voice of the thread that shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Warning(pub(super) &'static str);

impl Warning {
    /// The warning in `voice`.
    pub fn text(self, voice: Voice) -> String {
        voice.say(self.0)
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(voice()))
    }
}

/// "7.2 and 7.3", in the thread's voice.
pub(super) fn platforms_text(platforms: &[Platform]) -> String {
    match platforms {
        [] => String::new(),
        [one] => one.label().to_string(),
        [first @ .., last] => {
            let first = first.iter().map(|p| p.label()).collect::<Vec<_>>();
            crate::say!(
                "setting.error.and",
                first = first.join(", "),
                last = last.label()
            )
        }
    }
}

/// The values a setting takes, as shown to the operator: "0 (TLS not used), 1 (…)" or
/// "1–100", in the thread's voice.
pub fn allowed_text(config: &ApplianceConfig, def: &SettingDef) -> String {
    allowed_text_in(voice(), config, def)
}

/// `allowed_text` in `voice`.
pub fn allowed_text_in(voice: Voice, config: &ApplianceConfig, def: &SettingDef) -> String {
    match def.kind {
        Kind::Choice(values) => values
            .iter()
            .filter(|(v, _)| allowed_on_platform(config, def, *v))
            .map(|(v, meaning)| format!("{v} ({})", voice.say(meaning)))
            .collect::<Vec<_>>()
            .join(", "),
        Kind::Range(lo, hi) => format!("{lo}-{hi}"),
        Kind::Path => crate::say!(voice; "setting.allowed.path"),
        Kind::Host => crate::say!(voice; "setting.allowed.host"),
        Kind::Word(words) => words
            .iter()
            .map(|(word, meaning)| format!("{word} ({})", voice.say(meaning)))
            .collect::<Vec<_>>()
            .join(", "),
        Kind::Socket => crate::say!(voice; "setting.allowed.socket"),
    }
}

/// `describe` in `voice`.
pub fn describe_in(voice: Voice, def: &SettingDef, value: &Value) -> String {
    match (def.kind, value) {
        (Kind::Choice(values), Value::Dword(n)) => match values.iter().find(|(v, _)| v == n) {
            Some((_, meaning)) => format!("{n} ({})", voice.say(meaning)),
            None => n.to_string(),
        },
        (Kind::Word(words), Value::Text(text)) => match words.iter().find(|(w, _)| w == text) {
            Some((_, meaning)) => format!("{text} ({})", voice.say(meaning)),
            None => text.clone(),
        },
        _ => value.to_string(),
    }
}
