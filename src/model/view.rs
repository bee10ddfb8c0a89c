//! The copy-friendly view: a PEM or key on lines of its own, scrollable, `c` to copy.

use super::{Key, Model, Screen};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub title: String,
    /// What the text is and what was done, shown above it.
    pub intro: Vec<String>,
    /// The text to copy, shown with no decoration.
    pub text: String,
    /// First line shown.
    pub scroll: usize,
}

impl View {
    pub fn new(title: impl Into<String>, intro: Vec<String>, text: impl Into<String>) -> View {
        View {
            title: title.into(),
            intro,
            text: text.into(),
            scroll: 0,
        }
    }

    /// Lines of the whole body at `width` columns: wrapped intro, a blank line, the text.
    pub fn line_count(&self, width: u16) -> usize {
        let room = usize::from(width).saturating_sub(4);
        let intro: usize = self
            .intro
            .iter()
            .map(|l| crate::text::wrap(l, room).len())
            .sum();
        let rows = |l: &str| l.chars().count().div_ceil(usize::from(width).max(1)).max(1);
        intro + 1 + self.text.lines().map(rows).sum::<usize>()
    }
}

pub(super) fn scroll(m: &mut Model, key: Key) {
    // The body is the screen less header, trail, rule, message, prompt and footer.
    let page = usize::from(m.size.1.saturating_sub(6)).max(1);
    let width = m.size.0;
    let Screen::View(view) = m.screen_mut() else {
        return;
    };
    let last = view.line_count(width).saturating_sub(page);
    view.scroll = match key {
        Key::Up => view.scroll.saturating_sub(1),
        Key::Down => (view.scroll + 1).min(last),
        Key::PageUp => view.scroll.saturating_sub(page),
        Key::PageDown => (view.scroll + page).min(last),
        Key::Home => 0,
        Key::End => last,
        _ => view.scroll,
    };
}
