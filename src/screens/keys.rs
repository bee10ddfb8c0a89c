//! SSH Key Management: the users by line number, authorized keys and known hosts.

use ratatui::text::Line;

use super::{Body, entry};
use crate::model::{KeyList, KeyListKind, Model, RootList, outcome};
use crate::termcaps::Glyphs;
use crate::ui::theme;

pub fn users(m: &Model, cursor: usize) -> Body {
    let Some(s) = &m.snapshot else {
        return Body::plain(vec![Line::from("  Loading…")]);
    };
    let mut lines = vec![
        Line::from(""),
        Line::from("  Choose a user by line number:"),
        Line::from(""),
        Line::styled(
            format!(
                "  {:<5}{:<12}{:<14}{}",
                "Line", "User", "Key pair", "Authorized keys"
            ),
            theme::LABEL,
        ),
    ];
    let first = lines.len();
    for (i, u) in s.users.iter().enumerate() {
        let (key, authorized) = (u.key_label(m.voice()), u.authorized_label(m.voice()));
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

pub fn list(list: &KeyList) -> Body {
    let mut lines = vec![Line::from("")];
    let (empty, heading) = match list.kind {
        KeyListKind::Authorized => (
            format!("{} has no authorized keys: 2 adds one by paste.", list.user),
            format!(
                "{}'s authorized keys (type, fingerprint, comment):",
                list.user
            ),
        ),
        KeyListKind::KnownHosts => (
            "No host is known yet: the first SFTP connection to a host asks to trust it."
                .to_string(),
            "Hosts whose keys tanadmin trusts:".to_string(),
        ),
    };
    match &list.rows {
        None => lines.push(Line::from("  Reading…")),
        Some(rows) if rows.is_empty() => lines.push(Line::from(format!("  {empty}"))),
        Some(rows) => {
            lines.push(Line::from(format!("  {heading}")));
            if list.removing {
                lines.push(Line::from(
                    "  Choose the line to remove; Enter alone goes back.",
                ));
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
pub fn roots(list: &RootList, width: u16, hub: bool, g: Glyphs) -> Body {
    let mut lines = vec![Line::from("")];
    let Some(rows) = &list.rows else {
        lines.push(Line::from("  Reading the root keys…"));
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
