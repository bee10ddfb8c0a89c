//! Configuration Settings: component by line number, setting by line number, edit, add.

use super::{Confirm, Edit, Effect, Model, Screen, Start};
use crate::appliance::ApplianceConfig;
use crate::appliance::catalogue::{self, Component, Value};
use crate::appliance::settings::{Change, Settings};
use crate::appliance::status::Snapshot;
use crate::say;

fn loaded(m: &Model) -> Option<(&ApplianceConfig, &Settings)> {
    let snapshot = m.snapshot.as_ref()?;
    Some((&snapshot.config, snapshot.settings.as_ref().ok()?))
}

/// Picks the line typed, or the highlighted one on a bare Enter.
fn pick(m: &mut Model, text: &str) -> Option<usize> {
    let (&mut cursor, len) = m.list_cursor()?;
    if text.is_empty() {
        return (cursor < len).then_some(cursor);
    }
    let picked = Model::line_number(text, len);
    if picked.is_none() {
        m.error(say!(m.voice(); "model.not_a_line_here", text = text, last = len));
    }
    picked
}

pub(super) fn select_component(m: &mut Model, text: &str) -> Vec<Effect> {
    let Some(config) = m.snapshot.as_ref().map(|s| s.config.clone()) else {
        return Vec::new();
    };
    if let Some(i) = pick(m, text) {
        let component = Component::for_appliance(&config)[i];
        m.push(Screen::Settings {
            component,
            cursor: 0,
        });
    }
    Vec::new()
}

pub(super) fn select_setting(m: &mut Model, component: Component, text: &str) -> Vec<Effect> {
    let Some((config, settings)) = loaded(m) else {
        let why = m
            .snapshot
            .as_ref()
            .and_then(|s| s.settings.as_ref().err().cloned())
            .unwrap_or_default();
        m.error(say!(m.voice(); "model.settings.cannot_edit", reason = why));
        return Vec::new();
    };
    let present = settings.present(config, component);
    if let Some(i) = pick(m, text) {
        let (def, value) = &present[i];
        let edit = Edit {
            component,
            name: def.name,
            default: Some(value.to_string()),
            adding: false,
            error: None,
        };
        m.push(Screen::Edit(edit));
    }
    Vec::new()
}

pub(super) fn open_add(m: &mut Model) -> Vec<Effect> {
    let Screen::Settings { component, .. } = *m.screen() else {
        return Vec::new();
    };
    match loaded(m).map(|(config, settings)| settings.addable(config, component).is_empty()) {
        Some(false) => m.push(Screen::AddSetting {
            component,
            cursor: 0,
        }),
        Some(true) => m.info(
            say!(m.voice(); "model.settings.all_present", component = component.title(m.voice())),
        ),
        None => m.error(say!(m.voice(); "model.settings.unreadable")),
    }
    Vec::new()
}

pub(super) fn select_addable(m: &mut Model, component: Component, text: &str) -> Vec<Effect> {
    let Some((config, settings)) = loaded(m) else {
        return Vec::new();
    };
    let addable = settings.addable(config, component);
    let defaults: Vec<Option<String>> = addable
        .iter()
        .map(|d| catalogue::default_value(config, component, d).map(|v| v.to_string()))
        .collect();
    if let Some(i) = pick(m, text) {
        m.back();
        let edit = Edit {
            component,
            name: addable[i].name,
            default: defaults[i].clone(),
            adding: true,
            error: None,
        };
        m.push(Screen::Edit(edit));
    }
    Vec::new()
}

/// Enter on the value prompt: validate, then confirm risky values, then save.
pub(super) fn submit_value(m: &mut Model, mut edit: Edit, text: &str) -> Vec<Effect> {
    let Some(config) = m.snapshot.as_ref().map(|s| s.config.clone()) else {
        return Vec::new();
    };
    let raw = match (text, &edit.default) {
        ("", Some(_)) if !edit.adding => {
            m.back();
            m.info(say!(m.voice(); "model.settings.unchanged", name = edit.name));
            return Vec::new();
        }
        ("", Some(default)) => default.clone(),
        ("", None) => {
            edit.error = Some(say!(m.voice(); "model.settings.no_default", name = edit.name));
            *m.screen_mut() = Screen::Edit(edit);
            return Vec::new();
        }
        (typed, _) => typed.to_string(),
    };
    let checked = match catalogue::validate(&config, edit.component, edit.name, &raw) {
        Ok(checked) => checked,
        Err(e) => {
            edit.error = Some(e.to_string());
            *m.screen_mut() = Screen::Edit(edit);
            m.input = raw;
            return Vec::new();
        }
    };
    let current = loaded(m).and_then(|(_, s)| s.get(edit.component, edit.name).cloned());
    if current.as_ref() == Some(&checked.value) {
        m.back();
        m.info(say!(m.voice(); "model.settings.already", name = edit.name, value = checked.value));
        return Vec::new();
    }
    let v = m.voice();
    let busy = say!(v; "model.settings.saving", name = checked.def.name);
    if let Some(warning) = checked.warning {
        let name = checked.def.name;
        m.push(Screen::Confirm(Confirm {
            title: say!(v; "model.settings.risky_title", name = name),
            warning: warning.text(v),
            question: say!(v; "model.settings.risky_question",
                name = name, value = checked.value, component = edit.component.title(v)),
            on_yes: Start::new(busy, Effect::SaveSetting(checked)),
        }));
        return Vec::new();
    }
    m.start(busy, Effect::SaveSetting(checked))
}

/// The executor's answer to `Effect::SaveSetting`.
pub(super) fn saved(m: &mut Model, result: Result<(Change, Snapshot), String>) {
    // Back to the settings list the edit started from.
    while m.stack.len() > 1
        && matches!(
            m.screen(),
            Screen::Edit(_) | Screen::Confirm(_) | Screen::AddSetting { .. }
        )
    {
        m.back();
    }
    match result {
        Ok((change, snapshot)) => {
            m.snapshot = Some(snapshot);
            let v = m.voice();
            let was = change
                .old
                .as_ref()
                .map_or_else(|| say!(v; "model.settings.unset"), Value::to_string);
            match change.audit_error {
                Some(e) => m.error(e),
                None => m.info(say!(v; "model.settings.saved",
                    name = change.name, value = change.new, old = was)),
            }
        }
        Err(e) => m.error(e),
    }
}
