//! Why a setting or a value was refused: the messages the menu, the command line and
//! settings.toml's reader give the operator.

use super::Component;
use crate::appliance::Platform;
use crate::text::escape;

/// Why a setting or value was refused. Messages are for the operator, in the thread's voice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    #[error("{}", crate::say!("setting.error.unknown", name = escape(.0)))]
    Unknown(String),
    #[error("{}", crate::say!("setting.error.unknown_component", name = escape(.0)))]
    UnknownComponent(String),
    #[error(
        "{}",
        crate::say!("setting.error.component_absent", component = .component, role = .role)
    )]
    ComponentAbsent { component: Component, role: String },
    #[error(
        "{}",
        crate::say!("setting.error.not_in_component", name = escape(.name), component = .component)
    )]
    NotInComponent { name: String, component: Component },
    #[error(
        "{}",
        crate::say!("setting.error.ambiguous", name = escape(.name), choices = .choices)
    )]
    Ambiguous { name: String, choices: String },
    #[error(
        "{}",
        crate::say!(
            "setting.error.not_on_platform",
            name = escape(.name),
            applies = .applies,
            platform = .platform
        )
    )]
    NotOnPlatform {
        name: String,
        applies: String,
        platform: Platform,
    },
    #[error("{}", crate::say!("setting.error.not_a_number", name = .name, raw = escape(.raw)))]
    NotANumber { name: String, raw: String },
    #[error(
        "{}",
        crate::say!("setting.error.out_of_range", name = .name, lo = .lo, hi = .hi, value = .value)
    )]
    OutOfRange {
        name: String,
        lo: u32,
        hi: u32,
        value: String,
    },
    #[error(
        "{}",
        crate::say!(
            "setting.error.not_allowed",
            name = .name,
            allowed = .allowed,
            value = escape(.value)
        )
    )]
    NotAllowed {
        name: String,
        allowed: String,
        value: String,
    },
    #[error("{}", crate::say!("setting.error.tls_required", name = .name))]
    TlsRequired { name: String },
    #[error("{}", crate::say!("setting.error.bad_value", name = .name, reason = .reason))]
    BadPath { name: String, reason: String },
    #[error("{}", crate::say!("setting.error.bad_value", name = .name, reason = .reason))]
    BadHost { name: String, reason: String },
}
