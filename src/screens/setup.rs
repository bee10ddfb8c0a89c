//! First-run setup: role, hostname, platform.

use ratatui::text::Line;

use super::{Body, entry, field};
use crate::appliance::Platform;
use crate::model::{Model, SETUP_ROLES, Setup, SetupStep};
use crate::say;
use crate::ui::theme;

pub fn body(m: &Model, setup: &Setup, width: u16) -> Body {
    let mut lines = vec![Line::from("")];
    lines.extend(
        m.glyphs()
            .wrap(
                &say!(m.voice(); "screens.setup.intro"),
                usize::from(width) - 4,
            )
            .into_iter()
            .map(|l| Line::from(format!("  {l}"))),
    );
    lines.push(Line::from(""));
    let selected = match setup.step {
        SetupStep::Role => role(m, setup, &mut lines),
        SetupStep::Hostname => hostname(m, setup, width, &mut lines),
        SetupStep::Platform => platform(m, setup, &mut lines),
    };
    if let Some(e) = &setup.error {
        lines.push(Line::from(""));
        let rows = m.glyphs().wrap(e, usize::from(width).saturating_sub(4));
        lines.extend(
            rows.into_iter()
                .map(|row| Line::styled(format!("  {row}"), theme::ERROR)),
        );
    }
    Body {
        lines,
        selected,
        scroll: 0,
    }
}

fn title(text: String) -> Line<'static> {
    Line::styled(format!("  {text}"), theme::TITLE)
}

/// The first question: the roles by line number; the line of the cursor.
fn role(m: &Model, setup: &Setup, lines: &mut Vec<Line<'static>>) -> Option<usize> {
    lines.push(title(say!(m.voice(); "screens.setup.role_question")));
    lines.push(Line::from(""));
    let mut selected = None;
    for i in 0..SETUP_ROLES.len() {
        if i == setup.cursor {
            selected = Some(lines.len());
        }
        let label = crate::model::setup_role(m.voice(), i);
        lines.push(entry(&(i + 1).to_string(), label, i == setup.cursor));
    }
    selected
}

/// The second question, under the role chosen.
fn hostname(m: &Model, setup: &Setup, width: u16, lines: &mut Vec<Line<'static>>) -> Option<usize> {
    let v = m.voice();
    lines.push(field(
        &say!(v; "status.field.role"),
        crate::model::setup_role(m.voice(), setup.role),
    ));
    lines.push(Line::from(""));
    lines.push(title(say!(v; "screens.setup.hostname_question")));
    let help = say!(v; "screens.setup.hostname_help");
    let room = usize::from(width).saturating_sub(7);
    lines.extend(
        m.glyphs()
            .wrap(&help, room)
            .into_iter()
            .map(|l| Line::from(format!("     {l}"))),
    );
    None
}

/// The third question: the platform versions by line number; the line of the cursor.
fn platform(m: &Model, setup: &Setup, lines: &mut Vec<Line<'static>>) -> Option<usize> {
    let v = m.voice();
    lines.push(field(
        &say!(v; "status.field.role"),
        crate::model::setup_role(m.voice(), setup.role),
    ));
    lines.push(field(
        &say!(v; "status.field.hostname"),
        setup.hostname.clone(),
    ));
    lines.push(Line::from(""));
    lines.push(title(say!(v; "screens.setup.platform_question")));
    lines.push(Line::from(""));
    let mut selected = None;
    for (i, p) in Platform::ALL.iter().enumerate() {
        if i == setup.cursor {
            selected = Some(lines.len());
        }
        lines.push(entry(&(i + 1).to_string(), p.label(), i == setup.cursor));
    }
    selected
}
