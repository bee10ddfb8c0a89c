//! A confirmation longer than the screen (a certificate with a hundred names) scrolls, so
//! everything it asks about can be read before the answer.

use super::{Confirm, Key, Model, Screen};
use crate::termcaps::Glyphs;

/// Lines of the confirmation's body at `width` columns, drawn with `glyphs`: a blank line,
/// the wrapped warning, a blank line, the question and how to answer it.
pub fn line_count(confirm: &Confirm, width: u16, glyphs: Glyphs) -> usize {
    let room = usize::from(width).saturating_sub(4);
    glyphs.wrap(&confirm.warning, room).len() + 4
}

/// The first line shown when the body holds `total` lines in `height` rows: the last row
/// then says what is above or below.
pub fn clamp(scroll: usize, total: usize, height: usize) -> usize {
    if total <= height {
        0
    } else {
        scroll.min(total - height.saturating_sub(1).max(1))
    }
}

pub(super) fn scroll(m: &mut Model, key: Key) {
    let height = m.body_rows().max(1);
    let page = height.saturating_sub(2).max(1);
    let Screen::Confirm(confirm) = m.screen() else {
        return;
    };
    let total = line_count(confirm, m.size.0, m.glyphs());
    let now = m.confirm_scroll;
    let wanted = match key {
        Key::Up => now.saturating_sub(1),
        Key::Down => now + 1,
        Key::PageUp => now.saturating_sub(page),
        Key::PageDown => now + page,
        Key::Home => 0,
        Key::End => usize::MAX,
        _ => now,
    };
    m.confirm_scroll = clamp(wanted, total, height);
}
