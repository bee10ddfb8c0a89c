//! The Configuration Settings catalogue (seed tables 3, 4, 5; SPEC §4.5) and its validation.
//! Pure: the menu, the command line and the settings store all validate through `validate`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{ApplianceConfig, Platform, Role};
use crate::texts::{Voice, voice};

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

    /// The English name: what `parse` also accepts and the command line lists.
    pub fn label(self) -> &'static str {
        match self {
            Component::TaniumServer => "Tanium Server",
            Component::ZoneServerHub => "Zone Server Hub",
            Component::ZoneServer => "Zone Server",
            Component::ClientGlobal => "Client Global Settings",
            Component::Console => "Console",
        }
    }

    /// The name as the operator reads it, in `voice`.
    pub fn title(self, voice: Voice) -> String {
        match self {
            Component::TaniumServer => crate::say!(voice; "setting.component.tanium_server"),
            Component::ZoneServerHub => crate::say!(voice; "setting.component.zone_server_hub"),
            Component::ZoneServer => crate::say!(voice; "setting.component.zone_server"),
            Component::ClientGlobal => crate::say!(voice; "setting.component.client_global"),
            Component::Console => crate::say!(voice; "setting.component.console"),
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

/// The name in the thread's voice.
impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title(voice()))
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
    /// REG_DWORD restricted to listed values, each with the text key of its meaning.
    Choice(&'static [(u32, &'static str)]),
    /// REG_DWORD in an inclusive range.
    Range(u32, u32),
    /// REG_SZ holding a file path.
    Path,
    /// A host name or an IP address, or `none`.
    Host,
    /// One word of a list, each with the text key of its meaning.
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
    /// The text key of its description (`help`).
    help: &'static str,
    /// The values that trigger the seed's warning.
    pub risky: &'static [u32],
    /// The text key of the seed's warning (`warning`).
    warning: Option<&'static str>,
}

impl SettingDef {
    /// What the setting does, in `voice`.
    pub fn help(&self, voice: Voice) -> String {
        voice.say(self.help)
    }

    /// The seed's warning for a risky value, if the setting has one.
    pub fn warning(&self) -> Option<Warning> {
        self.warning.map(Warning)
    }
}

mod error;
mod said;
mod table;
mod values;

pub use error::SettingError;
pub use said::{Warning, allowed_text, allowed_text_in, describe_in};
pub use table::CATALOGUE;

/// The value of a host or socket setting that turns that destination off.
pub const OFF: &str = "none";

/// A value that passed validation, with the seed's warning when it is a risky one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validated {
    pub def: &'static SettingDef,
    pub component: Component,
    pub value: Value,
    pub warning: Option<Warning>,
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
            applies: said::platforms_text(here[0].platforms),
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
        Value::Dword(n) if def.risky.contains(n) && !tls_locked(config, def) => def.warning(),
        Value::Text(_) => def.warning(),
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
