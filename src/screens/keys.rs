//! SSH Key Management: the users by line number, authorized keys and known hosts.

use ratatui::text::Line;

use super::{Body, entry, line_heading, loading};
use crate::model::{KeyList, KeyListKind, Model, RootList, outcome};
use crate::say;
use crate::ui::theme;

pub fn users(m: &Model, cursor: usize) -> Body {
    let Some(s) = &m.snapshot else {
        return loading(m);
    };
    let v = m.voice();
    let mut lines = vec![
        Line::from(""),
        Line::from(format!("  {}", say!(v; "screens.keys.choose_user"))),
        Line::from(""),
        Line::styled(
            format!(
                "{}{:<12}{:<14}{}",
                line_heading(m),
                say!(v; "screens.users.user"),
                say!(v; "screens.users.key_pair"),
                say!(v; "screens.users.authorized_keys")
            ),
            theme::LABEL,
        ),
    ];
    let first = lines.len();
    for (i, u) in s.users.iter().enumerate() {
        let (key, authorized) = super::status::user_labels(m, u);
        lines.push(entry(
            &(i + 1).to_string(),
            format!("{:<12}{:<14}{}", u.user, key, authorized),
            i == cursor,
        ));
    }
    let selected = (!s.users.is_empty()).then(|| first + cursor.min(s.users.len() - 1));
    Body {
        lines,
        selected,
        scroll: 0,
    }
}

pub fn list(m: &Model, list: &KeyList) -> Body {
    let v = m.voice();
    let mut lines = vec![Line::from("")];
    let (empty, heading) = match list.kind {
        KeyListKind::Authorized => (
            say!(v; "screens.keys.no_authorized_key", user = list.user),
            say!(v; "screens.keys.authorized_heading", user = list.user),
        ),
        KeyListKind::KnownHosts => (
            say!(v; "screens.keys.no_known_host"),
            say!(v; "screens.keys.known_hosts_heading"),
        ),
    };
    match &list.rows {
        None => lines.push(Line::from(format!("  {}", say!(v; "screens.reading")))),
        Some(rows) if rows.is_empty() => lines.push(Line::from(format!("  {empty}"))),
        Some(rows) => {
            lines.push(Line::from(format!("  {heading}")));
            if list.removing {
                lines.push(Line::from(format!(
                    "  {}",
                    say!(v; "screens.keys.choose_removal")
                )));
            }
            lines.push(Line::from(""));
            // A row's first line is numbered; its next lines (the long parts) stand below it,
            // so nothing is cut at 80 columns.
            let chosen = list.removing.then(|| list.cursor.min(rows.len() - 1));
            let parts = rows
                .iter()
                .map(|row| row.split('\n').map(String::from).collect());
            return super::numbered_rows(lines, parts, chosen, chosen, "        ");
        }
    }
    Body::plain(lines)
}

/// The Tanium Server's root keys by line number.
pub fn roots(m: &Model, list: &RootList, width: u16) -> Body {
    let (hub, g) = (super::is_hub(m), m.glyphs());
    let mut lines = vec![Line::from("")];
    let Some(rows) = &list.rows else {
        lines.push(Line::from(format!(
            "  {}",
            say!(m.voice(); "screens.keys.reading_roots")
        )));
        return Body::plain(lines);
    };
    let room = usize::from(width).saturating_sub(4);
    lines.extend(
        outcome::roots_intro(rows, hub)
            .iter()
            .flat_map(|l| g.wrap(l, room))
            .map(|l| Line::from(format!("  {l}"))),
    );
    lines.push(Line::from(""));
    let shown = rows.iter().map(|row| outcome::root_row(row, hub).to_vec());
    let cursor = list.cursor.min(rows.len().saturating_sub(1));
    super::numbered_rows(
        lines,
        shown,
        Some(list.cursor),
        (!rows.is_empty()).then_some(cursor),
        "       ",
    )
}
