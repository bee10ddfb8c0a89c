//! First-run setup: role, hostname, platform.

use ratatui::text::Line;

use super::{Body, entry, field};
use crate::appliance::Platform;
use crate::model::{SETUP_ROLES, Setup, SetupStep};
use crate::termcaps::Glyphs;
use crate::ui::theme;

pub fn body(setup: &Setup, width: u16, g: Glyphs) -> Body {
    let mut lines = vec![Line::from("")];
    lines.extend(
        g.wrap("This appliance root is empty. Answer three questions to set it up; Enter accepts the default shown in brackets.", usize::from(width) - 4)
            .into_iter()
            .map(|l| Line::from(format!("  {l}"))),
    );
    lines.push(Line::from(""));
    let mut selected = None;
    match setup.step {
        SetupStep::Role => {
            lines.push(Line::styled("  1. Role of this appliance", theme::TITLE));
            lines.push(Line::from(""));
            for (i, (label, _, _)) in SETUP_ROLES.iter().enumerate() {
                if i == setup.cursor {
                    selected = Some(lines.len());
                }
                lines.push(entry(&(i + 1).to_string(), *label, i == setup.cursor));
            }
        }
        SetupStep::Hostname => {
            lines.push(field("Role", SETUP_ROLES[setup.role].0));
            lines.push(Line::from(""));
            lines.push(Line::styled("  2. Hostname", theme::TITLE));
            lines.push(Line::from(
                "     Letters, digits, '-' and '.'; the default is this machine's name.",
            ));
        }
        SetupStep::Platform => {
            lines.push(field("Role", SETUP_ROLES[setup.role].0));
            lines.push(field("Hostname", setup.hostname.clone()));
            lines.push(Line::from(""));
            lines.push(Line::styled(
                "  3. Tanium Core Platform version",
                theme::TITLE,
            ));
            lines.push(Line::from(""));
            for (i, p) in Platform::ALL.iter().enumerate() {
                if i == setup.cursor {
                    selected = Some(lines.len());
                }
                lines.push(entry(&(i + 1).to_string(), p.label(), i == setup.cursor));
            }
        }
    }
    if let Some(e) = &setup.error {
        lines.push(Line::from(""));
        lines.push(Line::styled(format!("  {e}"), theme::ERROR));
    }
    Body {
        lines,
        selected,
        scroll: 0,
    }
}
