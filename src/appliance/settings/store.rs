//! The reading half of `settings.toml`: the Configuration Settings as parsed and checked by
//! the catalogue, without saving (the audit log and its forwarding read them too).

use std::collections::BTreeMap;
use std::io;

use crate::appliance::catalogue::{self, Component, SettingError, Validated, Value};
use crate::appliance::{Appliance, ApplianceConfig, Layout};
use crate::fsutil;
use crate::text::escape;

/// Values per component; a setting absent here is "not set" (its default applies).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settings {
    values: BTreeMap<Component, BTreeMap<String, Value>>,
}

/// Why settings.toml could not be read or changed, in the thread's voice.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{}", crate::say!("appliance.settings.invalid", reason = .0))]
    Invalid(String),
    #[error("{}", crate::say!("appliance.settings.read", error = .0))]
    Read(io::Error),
    #[error("{}", crate::say!("appliance.settings.write", error = .0))]
    Write(io::Error),
    #[error(transparent)]
    Lock(#[from] crate::appliance::lock::LockError),
    #[error(transparent)]
    Setting(#[from] SettingError),
    #[error(
        "{}",
        crate::say!(
            "appliance.settings.needs_confirmation",
            warning = .warning,
            name = .name,
            value = .value
        )
    )]
    NeedsConfirmation {
        name: &'static str,
        value: Value,
        warning: catalogue::Warning,
    },
}

impl Settings {
    /// What `init` writes: every setting present by default, at its default.
    pub fn defaults(config: &ApplianceConfig) -> Settings {
        let mut values = BTreeMap::new();
        for component in Component::for_appliance(config) {
            let section: BTreeMap<String, Value> = catalogue::defs_for(config, component)
                .into_iter()
                .filter(|d| d.present_by_default)
                .filter_map(|d| {
                    catalogue::default_value(config, component, d).map(|v| (d.name.to_string(), v))
                })
                .collect();
            values.insert(component, section);
        }
        Settings { values }
    }

    /// Parses settings.toml, checking every value as the menu would.
    pub fn parse(config: &ApplianceConfig, text: &str) -> Result<Settings, SettingsError> {
        let raw: BTreeMap<String, BTreeMap<String, toml::Value>> = toml::from_str(text)
            .map_err(|e| SettingsError::Invalid(e.message().trim().to_string()))?;
        let mut values = BTreeMap::new();
        for (section, entries) in raw {
            let section = escape(&section);
            let component = Component::parse(&section).ok_or_else(|| {
                SettingsError::Invalid(crate::say!(
                    "appliance.settings.unknown_section",
                    section = section
                ))
            })?;
            if !Component::for_appliance(config).contains(&component) {
                let absent = SettingError::ComponentAbsent {
                    component,
                    role: config.role_label(),
                };
                return Err(SettingsError::Invalid(format!("[{section}] {absent}")));
            }
            let mut out = BTreeMap::new();
            for (name, v) in entries {
                let name = escape(&name);
                let text = match &v {
                    toml::Value::Integer(n) => n.to_string(),
                    toml::Value::String(s) => s.clone(),
                    other => {
                        return Err(SettingsError::Invalid(crate::say!(
                            "appliance.settings.not_a_value",
                            section = section,
                            name = name,
                            kind = other.type_str()
                        )));
                    }
                };
                let checked = catalogue::validate(config, component, &name, &text)
                    .map_err(|e| SettingsError::Invalid(format!("[{section}] {e}")))?;
                if out
                    .insert(checked.def.name.to_string(), checked.value)
                    .is_some()
                {
                    return Err(SettingsError::Invalid(crate::say!(
                        "appliance.settings.set_twice",
                        section = section,
                        name = checked.def.name
                    )));
                }
            }
            if values.insert(component, out).is_some() {
                return Err(SettingsError::Invalid(crate::say!(
                    "appliance.settings.section_twice",
                    section = section
                )));
            }
        }
        Ok(Settings { values })
    }

    pub fn load(app: &Appliance) -> Result<Settings, SettingsError> {
        match fsutil::read_text_opt(&app.path(Layout::SETTINGS), fsutil::LIMIT_CONFIG) {
            Ok(Some(text)) => Settings::parse(&app.config, &text),
            Ok(None) => Ok(Settings::default()),
            Err(e) => Err(SettingsError::Read(e)),
        }
    }

    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# Configuration Settings; change them with the console or `tanos-menu config set`.\n",
        );
        for (component, entries) in &self.values {
            out.push_str(&format!("\n[{}]\n", component.id()));
            for (name, value) in entries {
                match value {
                    Value::Dword(n) => out.push_str(&format!("{name} = {n}\n")),
                    Value::Text(s) => {
                        out.push_str(&format!("{name} = {}\n", toml::Value::String(s.clone())))
                    }
                }
            }
        }
        out
    }

    pub fn get(&self, component: Component, name: &str) -> Option<&Value> {
        self.values.get(&component)?.get(name)
    }

    /// The settings present in a component, in catalogue order.
    pub fn present(
        &self,
        config: &ApplianceConfig,
        component: Component,
    ) -> Vec<(&'static catalogue::SettingDef, Value)> {
        catalogue::defs_for(config, component)
            .into_iter()
            .filter_map(|d| self.get(component, d.name).map(|v| (d, v.clone())))
            .collect()
    }

    /// Catalogue settings of a component not yet present: what `A` offers.
    pub fn addable(
        &self,
        config: &ApplianceConfig,
        component: Component,
    ) -> Vec<&'static catalogue::SettingDef> {
        catalogue::defs_for(config, component)
            .into_iter()
            .filter(|d| self.get(component, d.name).is_none())
            .collect()
    }

    pub fn with(&self, checked: &Validated) -> Settings {
        let mut next = self.clone();
        next.values
            .entry(checked.component)
            .or_default()
            .insert(checked.def.name.to_string(), checked.value.clone());
        next
    }
}
