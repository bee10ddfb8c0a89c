//! Configuration Settings: components, a component's settings, the add list, the edit form.

use ratatui::text::Line;

use super::{Body, entry, field, line_heading, loading, text_field};
use crate::appliance::catalogue::{self, Component};
use crate::appliance::settings::Settings;
use crate::model::{Edit, Model};
use crate::say;
use crate::ui::theme;

fn settings(m: &Model) -> Result<&Settings, String> {
    match m.snapshot.as_ref().map(|s| &s.settings) {
        Some(Ok(settings)) => Ok(settings),
        Some(Err(e)) => Err(e.clone()),
        None => Err(say!(m.voice(); "screens.loading")),
    }
}

/// A list under a heading, with its highlighted line.
fn numbered(heading: Vec<Line<'static>>, rows: Vec<String>, cursor: usize) -> Body {
    let mut lines = heading;
    let first = lines.len();
    lines.extend(
        rows.into_iter()
            .enumerate()
            .map(|(i, row)| entry(&(i + 1).to_string(), row, i == cursor)),
    );
    let selected = (lines.len() > first).then(|| first + cursor.min(lines.len() - first - 1));
    Body {
        lines,
        selected,
        scroll: 0,
    }
}

pub fn components(m: &Model, cursor: usize) -> Body {
    let Some(s) = &m.snapshot else {
        return loading(m);
    };
    let rows = Component::for_appliance(&s.config)
        .iter()
        .map(|c| c.title(m.voice()))
        .collect();
    numbered(
        vec![
            Line::from(""),
            Line::from(format!(
                "  {}",
                say!(m.voice(); "screens.settings.choose_component")
            )),
            Line::from(""),
        ],
        rows,
        cursor,
    )
}

pub fn list_settings(m: &Model, component: Component, cursor: usize) -> Body {
    let (Some(s), settings) = (&m.snapshot, settings(m)) else {
        return Body::plain(Vec::new());
    };
    let settings = match settings {
        Ok(settings) => settings,
        Err(e) => {
            return Body::plain(vec![
                Line::from(""),
                Line::styled(format!("  {e}"), theme::ERROR),
            ]);
        }
    };
    let rows: Vec<String> = settings
        .present(&s.config, component)
        .iter()
        .map(|(def, value)| {
            format!(
                "{:<36}{}",
                def.label,
                catalogue::describe_in(m.voice(), def, value)
            )
        })
        .collect();
    let v = m.voice();
    let heading = vec![
        Line::from(""),
        Line::styled(
            format!(
                "  {}",
                say!(v; "screens.settings.heading", component = component.title(v), platform = s.config.platform)
            ),
            theme::TITLE,
        ),
        Line::styled(
            format!(
                "{}{:<36}{}",
                line_heading(m),
                say!(v; "screens.settings.setting"),
                say!(v; "screens.settings.value")
            ),
            theme::LABEL,
        ),
    ];
    if rows.is_empty() {
        let mut lines = heading;
        lines.push(Line::from(format!(
            "  {}",
            say!(v; "screens.settings.none_yet")
        )));
        return Body::plain(lines);
    }
    numbered(heading, rows, cursor)
}

pub fn addable(m: &Model, component: Component, cursor: usize) -> Body {
    let (Some(s), Ok(settings)) = (&m.snapshot, settings(m)) else {
        return Body::plain(Vec::new());
    };
    let v = m.voice();
    let rows = settings
        .addable(&s.config, component)
        .iter()
        .map(|def| {
            let default = catalogue::default_value(&s.config, component, def).map_or_else(
                || say!(v; "screens.settings.no_default"),
                |value| say!(v; "screens.settings.default_value", value = value),
            );
            format!("{:<36}{}", def.label, default)
        })
        .collect();
    numbered(
        vec![
            Line::from(""),
            Line::from(format!(
                "  {}",
                say!(v; "screens.settings.addable", component = component.title(v))
            )),
            Line::from(""),
        ],
        rows,
        cursor,
    )
}

pub fn edit(m: &Model, edit: &Edit, width: u16) -> Body {
    let Some(s) = &m.snapshot else {
        return Body::plain(Vec::new());
    };
    let mut lines = vec![Line::from("")];
    let Ok(def) = catalogue::lookup(&s.config, edit.component, edit.name) else {
        return Body::plain(lines);
    };
    edit_fields(m, edit, def, width, &mut lines);
    lines.push(Line::from(""));
    let width = usize::from(width).saturating_sub(4);
    let g = m.glyphs();
    lines.extend(
        g.wrap(&def.help(m.voice()), width)
            .into_iter()
            .map(|l| Line::from(format!("  {l}"))),
    );
    if let Some(e) = &edit.error {
        lines.push(Line::from(""));
        lines.extend(
            g.wrap(e, width)
                .into_iter()
                .map(|l| Line::styled(format!("  {l}"), theme::ERROR)),
        );
        lines.push(Line::from(format!(
            "  {}",
            say!(m.voice(); "screens.settings.nothing_changed")
        )));
    }
    Body::plain(lines)
}

/// The setting's name, component, type, values, current value and default.
fn edit_fields(
    m: &Model,
    edit: &Edit,
    def: &catalogue::SettingDef,
    width: u16,
    lines: &mut Vec<Line<'static>>,
) {
    let (Some(s), v) = (&m.snapshot, m.voice()) else {
        return;
    };
    lines.push(field(&say!(v; "screens.settings.setting"), def.label));
    lines.push(field(
        &say!(v; "screens.settings.component"),
        edit.component.title(v),
    ));
    lines.push(field(
        &say!(v; "screens.settings.type"),
        def.kind.type_name(),
    ));
    lines.extend(text_field(
        &say!(v; "screens.settings.values"),
        &catalogue::allowed_text_in(v, &s.config, def),
        width,
    ));
    let current = if edit.adding {
        say!(v; "screens.settings.not_set")
    } else {
        edit.default.clone().unwrap_or_default()
    };
    lines.push(field(&say!(v; "screens.settings.current_value"), current));
    if let Some(d) = catalogue::default_value(&s.config, edit.component, def) {
        lines.push(field(&say!(v; "screens.settings.default"), d.to_string()));
    }
}
