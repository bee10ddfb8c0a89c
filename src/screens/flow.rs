//! The steps of the certificate flows: questions, the paste dialog, the /incoming list and
//! the copy-friendly view.

use ratatui::text::Line;

use super::{Body, entry, field};
use crate::model::{Files, Form, Model, PasteDialog, TextFor, View, outcome};
use crate::pemtext::pem_label;
use crate::say;
use crate::termcaps::Glyphs;
use crate::ui::theme;

fn error_lines(lines: &mut Vec<Line<'static>>, error: Option<&String>, width: u16, g: Glyphs) {
    if let Some(e) = error {
        lines.push(Line::from(""));
        lines.extend(
            g.wrap(e, usize::from(width).saturating_sub(4))
                .into_iter()
                .map(|l| Line::styled(format!("  {l}"), theme::ERROR)),
        );
    }
}

pub fn form(form: &Form, width: u16, g: Glyphs) -> Body {
    let mut lines = vec![Line::from("")];
    let room = usize::from(width).saturating_sub(4);
    lines.extend(
        form.intro
            .iter()
            .flat_map(|l| g.wrap(l, room))
            .map(|l| Line::from(format!("  {l}"))),
    );
    lines.push(Line::from(""));
    for (i, f) in form.fields.iter().enumerate().take(form.step) {
        let value = f.value.clone().unwrap_or_default();
        let shown = match value.parse::<usize>() {
            Ok(n) if !f.choices.is_empty() => f.choices.get(n - 1).cloned().unwrap_or(value),
            _ => value,
        };
        lines.push(field(&format!("{}. {}", i + 1, f.label), shown));
    }
    let mut selected = None;
    if let Some(f) = form.fields.get(form.step) {
        lines.push(Line::styled(
            format!("  {}. {}", form.step + 1, f.label),
            theme::TITLE,
        ));
        lines.extend(
            g.wrap(&f.help, room.saturating_sub(3))
                .into_iter()
                .map(|l| Line::from(format!("     {l}"))),
        );
        for (i, choice) in f.choices.iter().enumerate() {
            if i == form.cursor {
                selected = Some(lines.len());
            }
            lines.push(entry(
                &(i + 1).to_string(),
                choice.clone(),
                i == form.cursor,
            ));
        }
    }
    error_lines(&mut lines, form.error.as_ref(), width, g);
    Body {
        lines,
        selected,
        scroll: 0,
    }
}

/// Intro above, then the text on lines of its own with nothing else on them, so a mouse
/// selection copies exactly the text. The text is ASCII (a PEM, a key) in every glyph set;
/// anything else in it (a name in a record) is shown as the glyph set shows it.
pub fn view(view: &View, width: u16, g: Glyphs) -> Body {
    let room = usize::from(width).saturating_sub(4);
    let mut lines: Vec<Line<'static>> = view
        .intro
        .iter()
        .flat_map(|l| g.wrap(l, room))
        .map(|l| Line::styled(format!("  {l}"), theme::LABEL))
        .collect();
    lines.push(Line::from(""));
    // A line wider than the screen is cut into rows of the full width, nothing added: a
    // selection copies the pieces, and every paste joins a wrapped key or PEM line again.
    let width = usize::from(width).max(1);
    for line in view.text.lines() {
        let chars: Vec<char> = g.show(line).chars().collect();
        if chars.is_empty() {
            lines.push(Line::raw(String::new()));
        }
        lines.extend(
            chars
                .chunks(width)
                .map(|piece| Line::raw(piece.iter().collect::<String>())),
        );
    }
    Body {
        lines,
        selected: None,
        scroll: view.scroll,
    }
}

/// The paste dialog's title: "Paste CSR".
pub fn paste_title(m: &Model, purpose: TextFor) -> String {
    let v = m.voice();
    match purpose {
        TextFor::Csr => say!(v; "screens.paste.title_csr"),
        TextFor::Cert => say!(v; "screens.paste.title_cert"),
        TextFor::RootKey => say!(v; "screens.paste.title_root_key"),
        TextFor::AuthorizedKey => say!(v; "screens.paste.title_authorized_key"),
    }
}

/// What to paste, and how the paste ends.
fn paste_intro(m: &Model, purpose: TextFor) -> String {
    let v = m.voice();
    let (what, ends) = match purpose {
        TextFor::Csr => (
            say!(v; "screens.paste.csr"),
            say!(v; "screens.paste.ends_at_end_line"),
        ),
        TextFor::Cert => (
            say!(v; "screens.paste.cert"),
            say!(v; "screens.paste.ends_at_end_line"),
        ),
        TextFor::RootKey => (
            say!(v; "screens.paste.root_key"),
            say!(v; "screens.paste.ends_at_end_line"),
        ),
        TextFor::AuthorizedKey => (
            say!(v; "screens.paste.authorized_key"),
            say!(v; "screens.paste.ends_with_empty_line"),
        ),
    };
    format!("{what} {ends}")
}

pub fn paste(m: &Model, dialog: &PasteDialog, width: u16) -> Body {
    let (g, v) = (m.glyphs(), m.voice());
    let mut lines = vec![Line::from("")];
    let intro = paste_intro(m, dialog.purpose);
    lines.extend(
        g.wrap(&intro, usize::from(width).saturating_sub(4))
            .into_iter()
            .map(|l| Line::from(format!("  {l}"))),
    );
    lines.push(Line::from(""));
    let received = dialog.text.lines().count();
    if received > 0 {
        // Only the block's kind and size are shown: nothing pasted is echoed back.
        let kind = dialog
            .text
            .lines()
            .find_map(pem_label)
            .map_or_else(|| say!(v; "screens.paste.no_begin_line"), String::from);
        let size = match received {
            1 => say!(v; "screens.paste.lines_one", count = received, kind = kind),
            _ => say!(v; "screens.paste.lines", count = received, kind = kind),
        };
        lines.push(field(&say!(v; "screens.paste.received"), size));
    }
    error_lines(&mut lines, dialog.error.as_ref(), width, g);
    Body::plain(lines)
}

pub fn files(m: &Model, files: &Files, width: u16) -> Body {
    let g = m.glyphs();
    let mut lines = vec![Line::from("")];
    let room = usize::from(width).saturating_sub(8).max(10);
    match &files.rows {
        None => lines.push(Line::from(format!(
            "  {}",
            say!(m.voice(); "screens.files.reading")
        ))),
        Some(rows) if rows.is_empty() => {
            lines.extend(outcome::no_request().map(|l| Line::from(format!("  {l}"))));
        }
        Some(rows) => {
            for l in outcome::request_list_intro(rows) {
                lines.extend(
                    g.wrap(&l, room)
                        .into_iter()
                        .map(|l| Line::from(format!("  {l}"))),
                );
            }
            lines.push(Line::from(""));
            // Names are shown escaped and whole: a long one continues on the next lines.
            let shown = rows.iter().map(|request| {
                let (name, detail) = outcome::request_row(request);
                let chars: Vec<char> = g.show(&name).chars().collect();
                let mut row: Vec<String> = chars.chunks(room).map(|c| c.iter().collect()).collect();
                row.extend(super::wrapped(m, &detail, room));
                row
            });
            let cursor = files.cursor.min(rows.len() - 1);
            return super::numbered_rows(lines, shown, Some(files.cursor), Some(cursor), "       ");
        }
    }
    Body::plain(lines)
}
