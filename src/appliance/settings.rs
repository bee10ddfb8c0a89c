//! `settings.toml`: the Configuration Settings of an appliance, read and changed only through
//! the catalogue's validation.

use std::collections::BTreeMap;
use std::io;

use super::catalogue::{self, Component, SettingError, Validated, Value};
use super::{Appliance, ApplianceConfig, Layout, audit};
use crate::fsutil;
use crate::text::escape;

/// Values per component; a setting absent here is "not set" (its default applies).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settings {
    values: BTreeMap<Component, BTreeMap<String, Value>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("settings.toml: {0}")]
    Invalid(String),
    #[error("cannot read settings.toml: {0}")]
    Read(io::Error),
    #[error("cannot save settings.toml: {0}; the file is unchanged")]
    Write(io::Error),
    #[error(transparent)]
    Lock(#[from] super::lock::LockError),
    #[error(transparent)]
    Setting(#[from] SettingError),
    #[error(
        "{warning}\nConfirm to set {name} = {value} (in the console answer y; on the command line add --yes). Nothing was changed."
    )]
    NeedsConfirmation {
        name: &'static str,
        value: Value,
        warning: &'static str,
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
            let component = Component::parse(&section)
                .ok_or_else(|| SettingsError::Invalid(format!("unknown component [{section}]")))?;
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
                        return Err(SettingsError::Invalid(format!(
                            "[{section}] {name}: a {} is not a setting value",
                            other.type_str()
                        )));
                    }
                };
                let checked = catalogue::validate(config, component, &name, &text)
                    .map_err(|e| SettingsError::Invalid(format!("[{section}] {e}")))?;
                if out
                    .insert(checked.def.name.to_string(), checked.value)
                    .is_some()
                {
                    return Err(SettingsError::Invalid(format!(
                        "[{section}] {} is set twice",
                        checked.def.name
                    )));
                }
            }
            if values.insert(component, out).is_some() {
                return Err(SettingsError::Invalid(format!(
                    "[{section}] the component appears twice"
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

/// A change that was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub component: Component,
    pub name: &'static str,
    pub old: Option<Value>,
    pub new: Value,
    /// Set when the change landed but its audit line did not.
    pub audit_error: Option<String>,
}

/// Validates and saves one setting atomically; risky values need `confirmed`.
/// On any error settings.toml is left as it was.
pub fn set(
    app: &Appliance,
    component: Component,
    name: &str,
    raw: &str,
    confirmed: bool,
) -> Result<Change, SettingsError> {
    let checked = catalogue::validate(&app.config, component, name, raw)?;
    check_target(app, &checked)?;
    if let (Some(warning), false) = (checked.warning, confirmed) {
        return Err(SettingsError::NeedsConfirmation {
            name: checked.def.name,
            value: checked.value,
            warning,
        });
    }
    save_checked(app, &checked)
}

/// What a path setting names on disk: a regular file of at most 64 KiB (a certificate, a key,
/// a password file), or nothing yet. A relative path is relative to the appliance root. A device, a FIFO, a directory or a huge file is refused
/// when set, so the console never reads it.
fn check_target(app: &Appliance, checked: &Validated) -> Result<(), SettingsError> {
    if let (catalogue::Kind::Socket, Value::Text(raw)) = (checked.def.kind, &checked.value) {
        return check_socket(checked.def.name, raw);
    }
    let (catalogue::Kind::Path, Value::Text(raw)) = (checked.def.kind, &checked.value) else {
        return Ok(());
    };
    let refuse = |reason: String| {
        SettingsError::Setting(SettingError::BadPath {
            name: checked.def.name.to_string(),
            reason,
        })
    };
    let path = app.resolve(raw);
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_dir() => Err(refuse(format!("{raw} is a directory; give the file"))),
        Ok(meta) if !meta.is_file() => Err(refuse(format!(
            "{raw} is not a regular file (a device, FIFO or socket); give a certificate or key file"
        ))),
        Ok(meta) if meta.len() > fsutil::LIMIT_PEM => Err(refuse(format!(
            "{raw} holds {} bytes; a certificate or key file is at most {}",
            meta.len(),
            fsutil::LIMIT_PEM
        ))),
        Ok(_) => Ok(()),
        // Nothing there (a certificate to come, a vendor path like /opt/Tanium/…): nothing
        // is read until a regular file is put there, and every read is bounded.
        Err(_) => Ok(()),
    }
}

/// What a socket setting names: a socket, or nothing yet (the value `none` included). A
/// regular file, a directory or a device there is refused: nothing would be sent to it.
fn check_socket(name: &str, raw: &str) -> Result<(), SettingsError> {
    use std::os::unix::fs::FileTypeExt;
    match std::fs::metadata(raw) {
        Ok(meta) if !meta.file_type().is_socket() => {
            Err(SettingsError::Setting(SettingError::BadPath {
                name: name.to_string(),
                reason: format!("{} is not a socket", escape(raw)),
            }))
        }
        _ => Ok(()),
    }
}

/// Saves a value that already passed `catalogue::validate` (and its confirmation).
pub fn save_checked(app: &Appliance, checked: &Validated) -> Result<Change, SettingsError> {
    let lock = super::lock::acquire(app)?;
    save_locked(app, &lock, checked)
}

/// `save_checked` for a caller that already holds the appliance lock.
pub(super) fn save_locked(
    app: &Appliance,
    lock: &super::lock::Lock,
    checked: &Validated,
) -> Result<Change, SettingsError> {
    check_target(app, checked)?;
    let current = Settings::load(app)?;
    let old = current.get(checked.component, checked.def.name).cloned();
    let next = current.with(checked);
    let path = app.path(Layout::SETTINGS);
    fsutil::atomic_write(&path, next.to_toml().as_bytes(), fsutil::PUBLIC_FILE)
        .map_err(SettingsError::Write)?;
    let detail = format!(
        "{} {} = {} (was {})",
        checked.component.id(),
        checked.def.name,
        checked.value,
        old.as_ref().map_or("unset".to_string(), Value::to_string)
    );
    let audit_error = audit::record(lock, "settings.set", &[Layout::SETTINGS], &[], &detail)
        .err()
        .map(|e| format!("the change was saved but the audit log could not be written: {e}"));
    Ok(Change {
        component: checked.component,
        name: checked.def.name,
        old,
        new: checked.value.clone(),
        audit_error,
    })
}
