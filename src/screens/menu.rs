//! Menus and the help screen.

use ratatui::text::Line;

use super::{Body, entry, loading, say};
use crate::model::Model;

pub fn body(m: &Model, id: &str, cursor: usize) -> Body {
    let Some(snapshot) = &m.snapshot else {
        return loading(m);
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
        lines.push(entry("X", say(m, "menu.nav.exit"), false));
    } else {
        lines.push(entry("B", say(m, "menu.nav.back"), false));
        lines.push(entry("RR", say(m, "menu.nav.root_menu"), false));
    }
    Body {
        lines,
        selected: Some(first + cursor.min(items.len().saturating_sub(1))),
        scroll: 0,
    }
}

pub fn help(m: &Model) -> Body {
    let text = say(m, "help.body");
    Body::plain(
        text.split('\n')
            .map(|l| Line::from(l.to_string()))
            .collect(),
    )
}
