//! `settings.toml`: the Configuration Settings of an appliance, read and changed only through
//! the catalogue's validation.

pub(super) mod store;

use super::catalogue::{self, Component, SettingError, Validated, Value};
use super::{Appliance, Layout, audit};
use crate::fsutil;
use crate::text::escape;

pub use store::{Settings, SettingsError};

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
        Ok(meta) if meta.is_dir() => Err(refuse(crate::say!(
            "appliance.settings.target_directory",
            raw = raw
        ))),
        Ok(meta) if !meta.is_file() => Err(refuse(crate::say!(
            "appliance.settings.target_not_file",
            raw = raw
        ))),
        Ok(meta) if meta.len() > fsutil::LIMIT_PEM => Err(refuse(crate::say!(
            "appliance.settings.target_too_big",
            raw = raw,
            size = meta.len(),
            limit = fsutil::LIMIT_PEM
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
                reason: crate::say!("appliance.settings.not_a_socket", path = escape(raw)),
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
        .map(|e| crate::say!("appliance.settings.audit_failed", error = e));
    Ok(Change {
        component: checked.component,
        name: checked.def.name,
        old,
        new: checked.value.clone(),
        audit_error,
    })
}
