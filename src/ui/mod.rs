//! Drawing: read-only over the model. Header, breadcrumb, the screen's body, message line,
//! prompt and footer hints, in the glyphs the model's terminal shows (its colours are the
//! backend's: see `backend`).

pub mod backend;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::model::{MIN_SIZE, Model, commands, message_layout};
use crate::say;
use crate::screens::{self, shown};

/// Draws the model; what the screens say (their own texts and the sentences they take from
/// the model's outcomes) is in the model's voice, whatever the voice of the drawing thread.
pub fn draw(m: &Model, frame: &mut Frame) {
    crate::texts::in_voice(m.voice(), || draw_in_voice(m, frame));
}

fn draw_in_voice(m: &Model, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        too_small(m, frame, area);
        return;
    }
    // A message is shown whole: it takes the rows it needs, the body's too if it must.
    let message = m.message_lines();
    let (body_rows, message_rows) = message_layout(message.len(), area.height);
    let [header, crumbs, rule, body, flash, prompt, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(body_rows),
        Constraint::Length(message_rows),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(header_line(m, usize::from(area.width))).style(theme::HEADER),
        header,
    );
    draw_crumbs(m, frame, crumbs);
    frame.render_widget(
        Paragraph::new(m.glyphs().show("─").repeat(usize::from(rule.width))).style(theme::DIM),
        rule,
    );
    screens::draw_body(m, frame, body);
    draw_message(m, frame, flash, message);
    draw_prompt(m, frame, prompt);
    frame.render_widget(
        Paragraph::new(footer_line(m, footer.width)).style(theme::FOOTER),
        footer,
    );
    scrub_hidden(frame.buffer_mut());
}

/// Where the operator is, and on a hub how many issued certificates expire soon.
fn draw_crumbs(m: &Model, frame: &mut Frame, area: Rect) {
    let expiring = m
        .snapshot
        .as_ref()
        .and_then(|s| s.issued_expiring)
        .and_then(crate::model::outcome::expiring_header)
        .map(|t| m.glyphs().show(&t).into_owned());
    let room = expiring.as_ref().map_or(0, |t| t.chars().count() as u16);
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(room)]).areas(area);
    frame.render_widget(
        Paragraph::new(Line::styled(
            screens::breadcrumb(m, left.width),
            theme::TITLE,
        )),
        left,
    );
    if let Some(text) = expiring {
        frame.render_widget(Paragraph::new(Line::styled(text, theme::ERROR)), right);
    }
}

/// The message rows: what is in view of a message longer than its area, styled by kind.
fn draw_message(m: &Model, frame: &mut Frame, area: Rect, message: Vec<String>) {
    let style = match (&m.busy, &m.flash) {
        (Some(_), _) => theme::BUSY,
        (None, Some(f)) if f.error => theme::ERROR,
        _ => theme::INFO,
    };
    let first = if m.busy.is_some() {
        0
    } else {
        m.flash
            .as_ref()
            .map_or(0, |f| f.scroll.min(m.message_overflow()))
    };
    let shown: Vec<Line> = message
        .into_iter()
        .skip(first)
        .take(usize::from(area.height))
        .map(|l| Line::styled(l, style))
        .collect();
    frame.render_widget(Paragraph::new(shown), area);
}

/// The prompt row and the cursor; none while a paste settles.
fn draw_prompt(m: &Model, frame: &mut Frame, prompt: Rect) {
    if m.settling {
        // No prompt until the paste has ended: nothing invites an answer meanwhile.
        frame.render_widget(
            Paragraph::new(Line::styled(
                m.glyphs()
                    .show(&say!(m.voice(); "screens.settling"))
                    .into_owned(),
                theme::BUSY,
            )),
            prompt,
        );
        frame.set_cursor_position((prompt.x, prompt.y));
        return;
    }
    let label = m.glyphs().show(&screens::prompt_label(m)).into_owned();
    let input = m.glyphs().show(&m.input);
    let cursor_x = prompt.x
        + (label.chars().count() + input.chars().count()).min(usize::from(prompt.width - 1)) as u16;
    let typed = Line::from(vec![Span::styled(label, theme::PROMPT), Span::raw(input)]);
    frame.render_widget(Paragraph::new(typed), prompt);
    frame.set_cursor_position((cursor_x, prompt.y));
}

/// Removes what the widgets let through of invisible characters (a zero-width joiner, a
/// variation selector, tag characters ride on the character before them): nothing on
/// screen is there without being seen.
fn scrub_hidden(buf: &mut ratatui::buffer::Buffer) {
    for cell in &mut buf.content {
        if cell.symbol().chars().any(crate::text::is_hidden) {
            let kept: String = cell
                .symbol()
                .chars()
                .filter(|c| !crate::text::is_hidden(*c))
                .collect();
            cell.set_symbol(if kept.is_empty() { " " } else { &kept });
        }
    }
}

fn header_line(m: &Model, width: usize) -> Line<'static> {
    let g = m.glyphs();
    let Some(s) = &m.snapshot else {
        let new = say!(m.voice(); "screens.header.new_appliance");
        return shown(g, Line::from(format!(" TanOS │ {new} │ {}", m.root)));
    };
    let cert = say!(m.voice(); "screens.header.cert", state = s.cert.short_in(m.voice()));
    let tail = g
        .show(&format!(
            " │ {} │ {} │ {cert}",
            s.config.role_short(),
            s.config.platform,
        ))
        .into_owned();
    // A long hostname gives way to the role and certificate state.
    let room = width.saturating_sub(tail.chars().count() + 1).max(8);
    let hostname = g.show(&s.config.hostname);
    let ellipsis = g.show("…");
    let host: String = if hostname.chars().count() > room {
        let kept = room.saturating_sub(ellipsis.chars().count()).max(1);
        hostname
            .chars()
            .take(kept)
            .chain(ellipsis.chars())
            .collect()
    } else {
        hostname.into_owned()
    };
    Line::from(format!(" {host}{tail}"))
}

/// Key hints from the screen's real bindings. A row too narrow for them all (in French, most
/// often) spaces them closer, then leaves out the arrows' hint, then the last ones: a hint is
/// shown whole or not at all.
fn footer_line(m: &Model, width: u16) -> Line<'static> {
    let (g, v) = (m.glyphs(), m.voice());
    // (key, what it does, whether it is the arrows' hint), as drawn.
    let mut hints: Vec<(String, String, bool)> = commands(m)
        .iter()
        .map(|b| {
            // A key named in words is a text; a key as typed (`B`, `RR`, `↑↓`) is not.
            let key = if b.in_words() {
                v.say(b.key)
            } else {
                b.key.to_string()
            };
            let label = format!(" {}", v.say(b.label));
            let key = g.show(&key).into_owned();
            (key, g.show(&label).into_owned(), b.key == "↑↓")
        })
        .collect();
    let wide = |hints: &[(String, String, bool)], gap: usize| {
        let text: usize = hints
            .iter()
            .map(|(k, l, _)| k.chars().count() + l.chars().count())
            .sum();
        1 + text + gap * hints.len().saturating_sub(1)
    };
    let room = usize::from(width);
    let gap = if wide(&hints, 2) <= room { 2 } else { 1 };
    if wide(&hints, gap) > room {
        hints.retain(|(_, _, arrows)| !arrows);
    }
    while wide(&hints, gap) > room && hints.len() > 1 {
        hints.pop();
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, (key, label, _)) in hints.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" ".repeat(gap)));
        }
        spans.push(Span::styled(key, theme::KEY));
        spans.push(Span::raw(label));
    }
    Line::from(spans)
}

fn too_small(m: &Model, frame: &mut Frame, area: Rect) {
    let v = m.voice();
    let mut text = vec![
        Line::styled(say!(v; "screens.too_small.title"), theme::ERROR),
        Line::from(say!(
            v;
            "screens.too_small.size",
            width = area.width,
            height = area.height,
            min_width = MIN_SIZE.0,
            min_height = MIN_SIZE.1
        )),
        Line::from(say!(v; "screens.too_small.enlarge")),
    ];
    if m.ignored > 0 {
        text.push(Line::from(
            say!(v; "screens.too_small.ignored", count = m.ignored),
        ));
    }
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}
