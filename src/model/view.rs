//! The copy-friendly view: a PEM or key on lines of its own, scrollable, `c` to copy.

use super::{Key, Model, Screen};
use crate::termcaps::Glyphs;

/// Lines of a paged view (the issued certificates, the audit log) read at a time.
pub const PAGE_LINES: usize = 100;

/// Rows around the body and the message: header, trail, rule, prompt, footer.
const FIXED_ROWS: u16 = 5;
/// Body rows a long message leaves when the screen has them.
const MIN_BODY_ROWS: u16 = 3;
/// Progress frames of the busy line, one per tick.
const SPINNER: [char; 4] = ['|', '/', '-', '\\'];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub title: String,
    /// What the text is and what was done, shown above it.
    pub intro: Vec<String>,
    /// The text to copy, shown with no decoration.
    pub text: String,
    /// First line shown.
    pub scroll: usize,
    /// A record read a page at a time: which page this is.
    pub pager: Option<Pager>,
}

/// The records shown a page at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paged {
    Issued,
    Audit,
}

/// Which page of a record a view shows, and whether older ones exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pager {
    pub what: Paged,
    /// 0 is the newest.
    pub page: usize,
    pub more: bool,
}

impl Pager {
    /// The effect reading page `page` of the same record.
    pub fn read(self, page: usize) -> super::Effect {
        match self.what {
            Paged::Issued => super::Effect::ShowIssued { page },
            Paged::Audit => super::Effect::ShowAudit { page },
        }
    }
}

impl View {
    /// The system's reasons in `intro` and `text` (a failure's, in a report) are said in the
    /// thread's voice here, whole: drawn, they are cut into rows at the screen's width.
    pub fn new(title: impl Into<String>, intro: Vec<String>, text: impl Into<String>) -> View {
        let voice = crate::texts::voice();
        let said = |line: String| crate::texts::os_errors(voice, &line).into_owned();
        View {
            title: title.into(),
            intro: intro.into_iter().map(said).collect(),
            text: said(text.into()),
            scroll: 0,
            pager: None,
        }
    }

    /// A page of a record read a page at a time.
    pub fn paged(mut self, pager: Pager) -> View {
        self.pager = Some(pager);
        self
    }

    /// Lines of the whole body at `width` columns, drawn with `glyphs`: wrapped intro, a
    /// blank line, the text.
    pub fn line_count(&self, width: u16, glyphs: Glyphs) -> usize {
        let room = usize::from(width).saturating_sub(4);
        let intro: usize = self.intro.iter().map(|l| glyphs.wrap(l, room).len()).sum();
        let rows = |l: &str| {
            glyphs
                .show(l)
                .chars()
                .count()
                .div_ceil(usize::from(width).max(1))
                .max(1)
        };
        intro + 1 + self.text.lines().map(rows).sum::<usize>()
    }
}

/// `N` (older) or `P` (newer) in a paged view: reads that page.
pub(super) fn turn_page(m: &mut Model, older: bool) -> Vec<super::Effect> {
    let Screen::View(View {
        pager: Some(pager), ..
    }) = m.screen()
    else {
        return Vec::new();
    };
    let pager = *pager;
    let page = match (older, pager.more, pager.page) {
        (true, true, page) => page + 1,
        (false, _, page) if page > 0 => page - 1,
        // Not offered (the footer shows only the ways there are).
        _ => return Vec::new(),
    };
    m.start(super::outcome::page_busy(page), pager.read(page))
}

pub(super) fn scroll(m: &mut Model, key: Key) {
    let page = m.body_rows().max(1);
    let (width, glyphs) = (m.size.0, m.glyphs());
    let Screen::View(view) = m.screen_mut() else {
        return;
    };
    let last = view.line_count(width, glyphs).saturating_sub(page);
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

/// A message as the message area shows it at `width`: wrapped at spaces, a word wider than
/// the screen cut into pieces, nothing dropped.
pub fn message_lines(text: &str, width: u16) -> Vec<String> {
    let width = usize::from(width).max(1);
    let mut lines = Vec::new();
    for line in crate::text::wrap(text, width) {
        let chars: Vec<char> = line.chars().collect();
        if chars.len() <= width {
            lines.push(line);
        } else {
            lines.extend(chars.chunks(width).map(|c| c.iter().collect::<String>()));
        }
    }
    lines
}

/// How a screen `height` rows high splits between the body and a message of `lines`
/// rows: (body rows, message rows). The message takes the body's rows when it needs them.
pub fn message_layout(lines: usize, height: u16) -> (u16, u16) {
    let middle = height.saturating_sub(FIXED_ROWS);
    let wanted = u16::try_from(lines).unwrap_or(u16::MAX).max(1);
    if wanted + MIN_BODY_ROWS <= middle {
        (middle - wanted, wanted)
    } else {
        let rows = wanted.min(middle);
        (middle - rows, rows)
    }
}

impl Model {
    /// The message (or busy line) as drawn, wrapped at the screen's width.
    pub fn message_lines(&self) -> Vec<String> {
        let text = match (&self.busy, &self.flash) {
            (Some(busy), _) => format!("{} {busy}", SPINNER[self.tick % SPINNER.len()]),
            (None, Some(flash)) => flash.text.clone(),
            (None, None) => return Vec::new(),
        };
        let text = crate::texts::os_errors(self.voice(), &text);
        message_lines(&self.glyphs().show(&text), self.size.0)
    }

    /// Rows of the screen's body as drawn: the screen less header, trail, rule, message,
    /// prompt and footer. Scrolling pages by it; the one place it is computed.
    pub fn body_rows(&self) -> usize {
        let (body, _) = message_layout(self.message_lines().len(), self.size.1);
        usize::from(body)
    }

    /// Rows of the message below the message area: PgUp/PgDn scroll it when any.
    pub fn message_overflow(&self) -> usize {
        let lines = self.message_lines().len();
        let (_, rows) = message_layout(lines, self.size.1);
        lines.saturating_sub(usize::from(rows))
    }
}

/// PgUp, PgDn, Home, End over a message longer than the screen.
pub(super) fn scroll_message(m: &mut Model, key: Key) {
    let last = m.message_overflow();
    let Some(flash) = m.flash.as_mut() else {
        return;
    };
    flash.scroll = match key {
        Key::PageUp => flash.scroll.saturating_sub(3),
        Key::PageDown => (flash.scroll + 3).min(last),
        Key::Home => 0,
        Key::End => last,
        _ => flash.scroll,
    };
}
