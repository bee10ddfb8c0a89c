//! Menus and the help screen.

use ratatui::text::Line;

use super::{Body, entry};
use crate::model::Model;

pub fn body(m: &Model, id: &str, cursor: usize) -> Body {
    let Some(snapshot) = &m.snapshot else {
        return Body::plain(vec![Line::from("  Loading…")]);
    };
    let items = m.menus.visible(id, &snapshot.config);
    let mut lines = vec![Line::from("")];
    let first = lines.len();
    lines.extend(items.iter().enumerate().map(|(i, item)| {
        entry(
            &item.key,
            m.glyphs().text(item.label_in(m.lang)).into_owned(),
            i == cursor,
        )
    }));
    lines.push(Line::from(""));
    if m.at_root() {
        lines.push(entry("X", "Exit", false));
    } else {
        lines.push(entry("B", "Back", false));
        lines.push(entry("RR", "Root menu", false));
    }
    Body {
        lines,
        selected: Some(first + cursor.min(items.len().saturating_sub(1))),
        scroll: 0,
    }
}

pub fn help() -> Body {
    let text = [
        "",
        "  Type an item's key and press Enter (upper or lower case), or move the",
        "  highlight with the arrow keys and press Enter.",
        "",
        "  Lists of users, components and settings are chosen by line number.",
        "",
        "  B or Esc      back one level",
        "  RR            the root (tanadmin) menu",
        "  X             exit, from the root menu",
        "  Ctrl-C        cancel the prompt or value being typed; never exits",
        "  Backspace     edit what you typed",
        "",
        "  A prompt shows its default in brackets: Enter accepts it.",
        "  A confirmation asks (y/n): anything but y declines.",
        "  Risky settings show the vendor's warning and need a y to be saved.",
        "  Keys and certificates shown for copying stand alone on their lines:",
        "  select them with the mouse, or press c to send them to your clipboard.",
    ];
    Body::plain(text.iter().map(|l| Line::from(*l)).collect())
}
