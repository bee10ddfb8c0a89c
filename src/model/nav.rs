//! Moving through menus: selection by key or by highlighted line, cursor movement.

use super::{Effect, Key, Model, actions};
use crate::say;

pub(super) fn select_in_menu(m: &mut Model, id: &str, cursor: usize, text: &str) -> Vec<Effect> {
    let Some(snapshot) = &m.snapshot else {
        return Vec::new();
    };
    let visible = m.menus.visible(id, &snapshot.config);
    let item = if text.is_empty() {
        visible.get(cursor).copied()
    } else {
        visible
            .iter()
            .copied()
            .find(|i| i.key.eq_ignore_ascii_case(text))
    };
    let Some(item) = item else {
        if m.at_root() && (text.eq_ignore_ascii_case("B") || text.eq_ignore_ascii_case("RR")) {
            m.info(say!(m.voice(); "model.at_root"));
        } else {
            m.error(say!(m.voice(); "model.not_an_item", text = text));
        }
        return Vec::new();
    };
    let target = item.target.clone();
    actions::open(m, &target)
}

pub(super) fn move_cursor(m: &mut Model, key: Key) {
    let Some((cursor, len)) = m.list_cursor() else {
        return;
    };
    if len == 0 {
        return;
    }
    *cursor = match key {
        Key::Up => cursor.checked_sub(1).unwrap_or(len - 1),
        Key::Down => (*cursor + 1) % len,
        Key::PageUp | Key::Home => 0,
        Key::PageDown | Key::End => len - 1,
        _ => *cursor,
    };
}
