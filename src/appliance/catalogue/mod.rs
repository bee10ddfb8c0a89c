//! The Configuration Settings catalogue (seed tables 3, 4, 5; SPEC §4.5) and its validation.
//! Pure: the menu, the command line and the settings store all validate through `validate`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{ApplianceConfig, Platform, Role};
use crate::text::escape;

/// A group of settings, as the seed's registry keys and Global Settings page group them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Component {
    TaniumServer,
    ZoneServerHub,
    ZoneServer,
    ClientGlobal,
    /// This console itself (idle logout).
    Console,
}

impl Component {
    pub const ALL: [Component; 5] = [
        Component::TaniumServer,
        Component::ZoneServerHub,
        Component::ZoneServer,
        Component::ClientGlobal,
        Component::Console,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Component::TaniumServer => "Tanium Server",
            Component::ZoneServerHub => "Zone Server Hub",
            Component::ZoneServer => "Zone Server",
            Component::ClientGlobal => "Client Global Settings",
            Component::Console => "Console",
        }
    }

    /// The name on the command line and the section in settings.toml.
    pub fn id(self) -> &'static str {
        match self {
            Component::TaniumServer => "tanium-server",
            Component::ZoneServerHub => "zone-server-hub",
            Component::ZoneServer => "zone-server",
            Component::ClientGlobal => "client-global",
            Component::Console => "console",
        }
    }

    pub fn parse(s: &str) -> Option<Component> {
        let s = s.trim().to_ascii_lowercase().replace([' ', '_'], "-");
        Component::ALL
            .into_iter()
            .find(|c| c.id() == s || c.label().to_ascii_lowercase().replace(' ', "-") == s)
    }

    /// The components an appliance has, in menu order.
    pub fn for_appliance(config: &ApplianceConfig) -> Vec<Component> {
        let mut components = match config.role {
            Role::TaniumServer if config.has_zone_hub() => {
                vec![
                    Component::TaniumServer,
                    Component::ZoneServerHub,
                    Component::ClientGlobal,
                ]
            }
            Role::TaniumServer => vec![Component::TaniumServer, Component::ClientGlobal],
            Role::ZoneServer => vec![Component::ZoneServer],
        };
        components.push(Component::Console);
        components
    }

    /// The component the role's own settings live in (the default for `config get/set`).
    pub fn primary(role: Role) -> Component {
        match role {
            Role::TaniumServer => Component::TaniumServer,
            Role::ZoneServer => Component::ZoneServer,
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A stored setting value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Dword(u32),
    Text(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Dword(n) => write!(f, "{n}"),
            Value::Text(s) => f.write_str(s),
        }
    }
}

/// What values a setting takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// REG_DWORD restricted to listed values, each with its meaning.
    Choice(&'static [(u32, &'static str)]),
    /// REG_DWORD in an inclusive range.
    Range(u32, u32),
    /// REG_SZ holding a file path.
    Path,
    /// A host name or an IP address, or `none`.
    Host,
    /// One word of a list, each with its meaning.
    Word(&'static [(&'static str, &'static str)]),
    /// The absolute path of a local socket, or `none`.
    Socket,
}

impl Kind {
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::Choice(_) | Kind::Range(..) => "dword",
            Kind::Path | Kind::Host | Kind::Word(_) | Kind::Socket => "string",
        }
    }
}

/// Where a default comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Default {
    Fixed(u32),
    /// ReportingTLSMode of a server: platform- and component-dependent (seed table 3).
    ServerTlsMode,
    /// A file in the role's install directory.
    InstallPath(&'static str),
    /// A fixed text (a word, a path).
    Text(&'static str),
    /// No default: the setting is absent until added.
    Unset,
}

/// One catalogue entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingDef {
    pub name: &'static str,
    /// A longer label where the seed uses one ("TLS Mode").
    pub label: &'static str,
    pub components: &'static [Component],
    pub platforms: &'static [Platform],
    pub kind: Kind,
    default: Default,
    /// Written by `init`; the others are added with `A` when wanted.
    pub present_by_default: bool,
    pub help: &'static str,
    /// The seed's warning, and the values that trigger it.
    pub risky: &'static [u32],
    pub warning: &'static str,
}

mod table;
mod values;

pub use table::CATALOGUE;

/// The value of a host or socket setting that turns that destination off.
pub const OFF: &str = "none";

/// Why a setting or value was refused. Messages are for the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    #[error(
        "unknown setting '{}'; `tanos-menu config list` shows the settings of this appliance",
        escape(.0)
    )]
    Unknown(String),
    #[error(
        "unknown component '{}'; `tanos-menu config list` shows the components of this appliance",
        escape(.0)
    )]
    UnknownComponent(String),
    #[error("{component} is not a component of this appliance ({role})")]
    ComponentAbsent { component: Component, role: String },
    #[error("{} is not a {component} setting", escape(.name))]
    NotInComponent { name: String, component: Component },
    #[error(
        "{} is set in several components ({choices}); name one with --component",
        escape(.name)
    )]
    Ambiguous { name: String, choices: String },
    #[error(
        "{} applies to platform {applies} only; this appliance runs {platform}",
        escape(.name)
    )]
    NotOnPlatform {
        name: String,
        applies: String,
        platform: Platform,
    },
    #[error("{name} takes a whole number; '{}' is not one", escape(.raw))]
    NotANumber { name: String, raw: String },
    #[error("{name} must be between {lo} and {hi}; {value} is out of range")]
    OutOfRange {
        name: String,
        lo: u32,
        hi: u32,
        value: String,
    },
    #[error("{name} takes {allowed}; {} is not allowed", escape(.value))]
    NotAllowed {
        name: String,
        allowed: String,
        value: String,
    },
    #[error("on platform 7.4+ TLS is required and cannot be disabled: {name} stays 1")]
    TlsRequired { name: String },
    #[error("{name}: {reason}")]
    BadPath { name: String, reason: String },
    #[error("{name}: {reason}")]
    BadHost { name: String, reason: String },
}

/// A value that passed validation, with the seed's warning when it is a risky one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validated {
    pub def: &'static SettingDef,
    pub component: Component,
    pub value: Value,
    pub warning: Option<&'static str>,
}

fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase()
    };
    norm(a) == norm(b)
}

fn platforms_text(platforms: &[Platform]) -> String {
    platforms
        .iter()
        .map(|p| p.label())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The entry for `name` in `component` on this appliance's platform.
pub fn lookup(
    config: &ApplianceConfig,
    component: Component,
    name: &str,
) -> Result<&'static SettingDef, SettingError> {
    if !Component::for_appliance(config).contains(&component) {
        return Err(SettingError::ComponentAbsent {
            component,
            role: config.role_label(),
        });
    }
    let named: Vec<&'static SettingDef> = CATALOGUE
        .iter()
        .filter(|d| same_name(d.name, name))
        .collect();
    if named.is_empty() {
        return Err(SettingError::Unknown(name.to_string()));
    }
    let here: Vec<&'static SettingDef> = named
        .iter()
        .copied()
        .filter(|d| d.components.contains(&component))
        .collect();
    if here.is_empty() {
        return Err(SettingError::NotInComponent {
            name: named[0].name.to_string(),
            component,
        });
    }
    match here.iter().find(|d| d.platforms.contains(&config.platform)) {
        Some(def) => Ok(def),
        None => Err(SettingError::NotOnPlatform {
            name: here[0].name.to_string(),
            applies: platforms_text(here[0].platforms),
            platform: config.platform,
        }),
    }
}

/// The settings of a component on this platform, in catalogue order.
pub fn defs_for(config: &ApplianceConfig, component: Component) -> Vec<&'static SettingDef> {
    CATALOGUE
        .iter()
        .filter(|d| d.components.contains(&component) && d.platforms.contains(&config.platform))
        .collect()
}

/// The default value of `def` in `component` on this appliance, if it has one.
pub fn default_value(
    config: &ApplianceConfig,
    component: Component,
    def: &SettingDef,
) -> Option<Value> {
    match def.default {
        Default::Fixed(n) => Some(Value::Dword(n)),
        Default::ServerTlsMode => Some(Value::Dword(match (config.platform, component) {
            (Platform::V7_4, _) => 1,
            // Seed table 3, appliances 7.2/7.3: TLS on by default on the Tanium Server,
            // off on the Zone Server and the Zone Server Hub.
            (_, Component::TaniumServer) => 2,
            _ => 0,
        })),
        Default::InstallPath(file) => {
            let dir = match component {
                Component::ZoneServer => super::Layout::ZONE_DIR,
                _ => super::Layout::TANIUM_DIR,
            };
            Some(Value::Text(format!("{dir}/{file}")))
        }
        Default::Text(text) => Some(Value::Text(text.to_string())),
        Default::Unset => None,
    }
}

/// The values a setting takes, as shown to the operator: "0 (TLS not used), 1 (…)" or "1–100".
pub fn allowed_text(config: &ApplianceConfig, def: &SettingDef) -> String {
    match def.kind {
        Kind::Choice(values) => values
            .iter()
            .filter(|(v, _)| allowed_on_platform(config, def, *v))
            .map(|(v, meaning)| format!("{v} ({meaning})"))
            .collect::<Vec<_>>()
            .join(", "),
        Kind::Range(lo, hi) => format!("{lo}-{hi}"),
        Kind::Path => "a file path, relative to the appliance root or absolute".to_string(),
        Kind::Host => "a host name or IP address; none: no collector".to_string(),
        Kind::Word(words) => words
            .iter()
            .map(|(word, meaning)| format!("{word} ({meaning})"))
            .collect::<Vec<_>>()
            .join(", "),
        Kind::Socket => "an absolute socket path; none: no socket".to_string(),
    }
}

/// A value with its meaning, as lists show it: "2 (TLS optional)".
pub fn describe(def: &SettingDef, value: &Value) -> String {
    match (def.kind, value) {
        (Kind::Choice(values), Value::Dword(n)) => match values.iter().find(|(v, _)| v == n) {
            Some((_, meaning)) => format!("{n} ({meaning})"),
            None => n.to_string(),
        },
        (Kind::Word(words), Value::Text(text)) => match words.iter().find(|(w, _)| w == text) {
            Some((_, meaning)) => format!("{text} ({meaning})"),
            None => text.clone(),
        },
        _ => value.to_string(),
    }
}

fn allowed_on_platform(config: &ApplianceConfig, def: &SettingDef, value: u32) -> bool {
    !(tls_locked(config, def) && value != 1)
}

/// A server's ReportingTLSMode on 7.4+: TLS required, 1 the only value.
fn tls_locked(config: &ApplianceConfig, def: &SettingDef) -> bool {
    config.platform == Platform::V7_4 && def.default == Default::ServerTlsMode
}

/// Checks `raw` as a value of `name` in `component`: the one validation every path uses.
pub fn validate(
    config: &ApplianceConfig,
    component: Component,
    name: &str,
    raw: &str,
) -> Result<Validated, SettingError> {
    let def = lookup(config, component, name)?;
    let value = values::parse_value(config, def, raw)?;
    let warning = match &value {
        // On 7.4+ a server's ReportingTLSMode has one value left: nothing to warn about.
        Value::Dword(n) if def.risky.contains(n) && !tls_locked(config, def) => Some(def.warning),
        Value::Text(_) if !def.warning.is_empty() => Some(def.warning),
        _ => None,
    };
    Ok(Validated {
        def,
        component,
        value,
        warning,
    })
}

/// Resolves which component a bare setting name means on this appliance: the role's own
/// component when it has the setting, else the only component that has it.
pub fn resolve_component(config: &ApplianceConfig, name: &str) -> Result<Component, SettingError> {
    let components = Component::for_appliance(config);
    let primary = Component::primary(config.role);
    if lookup(config, primary, name).is_ok() {
        return Ok(primary);
    }
    let having: Vec<Component> = components
        .iter()
        .copied()
        .filter(|c| lookup(config, *c, name).is_ok())
        .collect();
    match having.as_slice() {
        [one] => Ok(*one),
        [] => {
            // Report the most telling reason, from the component that names it at all.
            let err = components
                .iter()
                .map(|c| lookup(config, *c, name))
                .find_map(|r| match r {
                    Err(e @ SettingError::NotOnPlatform { .. }) => Some(e),
                    _ => None,
                })
                .unwrap_or_else(|| match lookup(config, primary, name) {
                    Err(SettingError::NotInComponent { name, .. }) => {
                        SettingError::NotInComponent {
                            name,
                            component: primary,
                        }
                    }
                    Err(e) => e,
                    Ok(_) => SettingError::Unknown(name.to_string()),
                });
            Err(err)
        }
        many => Err(SettingError::Ambiguous {
            name: name.to_string(),
            choices: many.iter().map(|c| c.id()).collect::<Vec<_>>().join(", "),
        }),
    }
}
