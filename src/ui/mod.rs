//! Drawing: read-only over the model. Header, breadcrumb, the screen's body, message line,
//! prompt and footer hints.

pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::model::{MIN_SIZE, Model, commands};
use crate::screens;

/// Progress frames of the busy line, one per tick.
const SPINNER: [char; 4] = ['|', '/', '-', '\\'];

pub fn draw(m: &Model, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        too_small(frame, area);
        return;
    }
    // A long message takes up to three rows rather than being cut at the edge.
    let message_len = m
        .busy
        .as_ref()
        .or(m.flash.as_ref().map(|f| &f.text))
        .map_or(0, |t| t.chars().count() + 2);
    let message_rows = message_len.div_ceil(usize::from(area.width)).clamp(1, 3) as u16;
    let [header, crumbs, rule, body, flash, prompt, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(message_rows),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(header_line(m, usize::from(area.width))).style(theme::HEADER),
        header,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(
            screens::breadcrumb(m, area.width),
            theme::TITLE,
        )),
        crumbs,
    );
    frame.render_widget(
        Paragraph::new("─".repeat(usize::from(rule.width))).style(theme::DIM),
        rule,
    );
    screens::draw_body(m, frame, body);
    if let Some(text) = m.busy.as_ref() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!("{} {text}", SPINNER[m.tick % SPINNER.len()]),
                theme::BUSY,
            )),
            flash,
        );
    } else if let Some(f) = &m.flash {
        let style = if f.error { theme::ERROR } else { theme::INFO };
        frame.render_widget(
            Paragraph::new(Line::styled(f.text.as_str(), style)).wrap(Wrap { trim: true }),
            flash,
        );
    }
    if m.settling {
        // No prompt until the paste has ended: nothing invites an answer meanwhile.
        frame.render_widget(
            Paragraph::new(Line::styled(
                "Reading the paste… keys wait until it has ended.",
                theme::BUSY,
            )),
            prompt,
        );
        frame.set_cursor_position((prompt.x, prompt.y));
    } else {
        let label = screens::prompt_label(m);
        let typed = Line::from(vec![
            Span::styled(label.clone(), theme::PROMPT),
            Span::raw(m.input.as_str()),
        ]);
        frame.render_widget(Paragraph::new(typed), prompt);
        let cursor_x = prompt.x
            + (label.chars().count() + m.input.chars().count())
                .min(usize::from(prompt.width - 1)) as u16;
        frame.set_cursor_position((cursor_x, prompt.y));
    }
    frame.render_widget(Paragraph::new(footer_line(m)).style(theme::FOOTER), footer);
}

fn header_line(m: &Model, width: usize) -> Line<'static> {
    let Some(s) = &m.snapshot else {
        return Line::from(format!(" TanOS │ new appliance │ {}", m.root));
    };
    let tail = format!(
        " │ {} │ {} │ cert {}",
        s.config.role_short(),
        s.config.platform,
        s.cert.short()
    );
    // A long hostname gives way to the role and certificate state.
    let room = width.saturating_sub(tail.chars().count() + 1).max(8);
    let host: String = if s.config.hostname.chars().count() > room {
        s.config
            .hostname
            .chars()
            .take(room - 1)
            .chain(['…'])
            .collect()
    } else {
        s.config.hostname.clone()
    };
    Line::from(format!(" {host}{tail}"))
}

/// Key hints from the screen's real bindings.
fn footer_line(m: &Model) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for (i, b) in commands(m).iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(b.key, theme::KEY));
        spans.push(Span::raw(format!(" {}", b.label)));
    }
    Line::from(spans)
}

fn too_small(frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::styled("Terminal too small", theme::ERROR),
        Line::from(format!(
            "{}x{} here; the console needs at least {}x{}.",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        )),
        Line::from("Enlarge the window; nothing is lost meanwhile."),
    ];
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

pub use crate::text::wrap;
