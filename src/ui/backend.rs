//! The terminal backend: crossterm's, except that a row's blank end is erased (CSI K) rather
//! than overwritten with spaces. A mouse selection in xterm keeps written spaces, so a PEM
//! or key line copied off the screen would carry them; erased cells it leaves out.
//!
//! Colours are written as the terminal has them (`Caps::colours`): crossterm's sequences on a
//! 256-colour terminal; SGR 30–37 and 40–47 on one of eight colours (crossterm writes every
//! colour as `38;5;N`); none at all without colour, bold and reverse video only.

use std::fmt::Write as _;
use std::io::{self, Write};

use crossterm::cursor::MoveTo;
use crossterm::queue;
use crossterm::terminal::{Clear, ClearType as CtClear};
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Rect, Size};
use ratatui::style::{Color, Modifier};
use ratatui::text::Span;

use super::theme::{self, Look};
use crate::termcaps::Colours;

/// Crossterm's backend over `W`, keeping what the screen shows to know where each row's
/// text ends.
pub struct EraseBackend<W: Write> {
    inner: CrosstermBackend<W>,
    /// The screen as drawn through this backend (blank after a clear).
    shown: Buffer,
    /// A size given instead of the terminal's, for writing into something that is not one.
    fixed: Option<Size>,
    cursor: Position,
    /// The colours the terminal shows.
    colours: Colours,
}

impl<W: Write> EraseBackend<W> {
    /// A backend for the terminal `writer` writes to.
    pub fn new(writer: W) -> EraseBackend<W> {
        EraseBackend {
            inner: CrosstermBackend::new(writer),
            shown: Buffer::empty(Rect::ZERO),
            fixed: None,
            cursor: Position::ORIGIN,
            colours: Colours::Full,
        }
    }

    /// The backend writing colours as a terminal with `colours` shows them.
    pub fn with_colours(mut self, colours: Colours) -> EraseBackend<W> {
        self.colours = colours;
        self
    }

    /// A backend of `size` writing into `writer` (a capture, not a terminal).
    pub fn sized(writer: W, size: Size) -> EraseBackend<W> {
        EraseBackend {
            fixed: Some(size),
            ..EraseBackend::new(writer)
        }
    }

    /// The kept screen at the terminal's size; a new size starts blank (ratatui clears).
    fn fit(&mut self) -> io::Result<()> {
        let size = self.size()?;
        let area = Rect::new(0, 0, size.width, size.height);
        if self.shown.area != area {
            self.shown = Buffer::empty(area);
        }
        Ok(())
    }

    /// One row's changed cells: those up to the row's last text are written, the blanks
    /// after it become one erase to the end of the line.
    fn draw_row(&mut self, y: u16, cells: &[(u16, u16, &Cell)]) -> io::Result<()> {
        let area = self.shown.area;
        // A row the kept screen does not cover (the window changed under the frame): written
        // as it comes, nothing taken as blank.
        if y >= area.height || cells.iter().any(|c| c.0 >= area.width) {
            return self.write_cells(cells);
        }
        for (x, _, cell) in cells {
            if let Some(kept) = self.shown.cell_mut(Position::new(*x, y)) {
                *kept = (*cell).clone();
            }
        }
        let text_end = (0..area.width)
            .rev()
            .find_map(|x| {
                let cell = self.shown.cell(Position::new(x, y))?;
                (*cell != Cell::EMPTY).then(|| x + width_of(cell))
            })
            .unwrap_or(0);
        let written: Vec<(u16, u16, &Cell)> =
            cells.iter().copied().filter(|c| c.0 < text_end).collect();
        self.write_cells(&written)?;
        if written.len() == cells.len() {
            return Ok(());
        }
        let at_end = written
            .last()
            .is_some_and(|(x, _, cell)| x + width_of(cell) == text_end);
        if !at_end {
            queue!(self.inner, MoveTo(text_end, y))?;
        }
        queue!(self.inner, Clear(CtClear::UntilNewLine))
    }

    /// Writes `cells`, each at its place, in the colours the terminal has; the terminal is
    /// left in its plain look (an erase after them clears with its own background).
    fn write_cells(&mut self, cells: &[(u16, u16, &Cell)]) -> io::Result<()> {
        if self.colours == Colours::Full {
            return self.inner.draw(cells.iter().copied());
        }
        let plain: Look = (Color::Reset, Color::Reset, Modifier::empty());
        let mut now = plain;
        let mut last: Option<(u16, u16)> = None;
        for &(x, y, cell) in cells {
            if !matches!(last, Some((lx, ly)) if x == lx + 1 && y == ly) {
                queue!(self.inner, MoveTo(x, y))?;
            }
            last = Some((x, y));
            let look = theme::fit((cell.fg, cell.bg, cell.modifier), self.colours);
            if look != now {
                self.inner.write_all(sgr(look).as_bytes())?;
                now = look;
            }
            self.inner.write_all(cell.symbol().as_bytes())?;
        }
        if now != plain {
            self.inner.write_all(b"\x1b[0m")?;
        }
        Ok(())
    }
}

/// One SGR sequence setting `look` from scratch: reset, emphasis, then the colours as
/// 30–37 and 40–47 (`look` holds only those, or `Reset`).
fn sgr(look: Look) -> String {
    let (fg, bg, modifier) = look;
    let mut out = String::from("\x1b[0");
    for (m, code) in [
        (Modifier::BOLD, 1),
        (Modifier::DIM, 2),
        (Modifier::ITALIC, 3),
        (Modifier::UNDERLINED, 4),
        (Modifier::SLOW_BLINK, 5),
        (Modifier::RAPID_BLINK, 6),
        (Modifier::REVERSED, 7),
        (Modifier::HIDDEN, 8),
        (Modifier::CROSSED_OUT, 9),
    ] {
        if modifier.contains(m) {
            let _ = write!(out, ";{code}");
        }
    }
    if let Some(n) = theme::ansi8(fg) {
        let _ = write!(out, ";3{n}");
    }
    if let Some(n) = theme::ansi8(bg) {
        let _ = write!(out, ";4{n}");
    }
    out.push('m');
    out
}

/// Columns a cell's symbol takes on the terminal.
fn width_of(cell: &Cell) -> u16 {
    u16::try_from(Span::raw(cell.symbol()).width())
        .unwrap_or(1)
        .max(1)
}

impl<W: Write> Backend for EraseBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.fit()?;
        let cells: Vec<(u16, u16, &Cell)> = content.collect();
        // The changes come row by row, left to right.
        for row in cells.chunk_by(|a, b| a.1 == b.1) {
            self.draw_row(row[0].1, row)?;
        }
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        match self.fixed {
            Some(_) => Ok(self.cursor),
            None => self.inner.get_cursor_position(),
        }
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let position = position.into();
        self.cursor = position;
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.shown.reset();
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        if clear_type == ClearType::All {
            self.shown.reset();
        } else {
            // What is left is not known: no row end is taken as blank until redrawn.
            let unknown = Cell::new("\u{1}");
            let area = self.shown.area;
            self.shown = Buffer::filled(area, unknown);
        }
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        match self.fixed {
            Some(size) => Ok(size),
            None => self.inner.size(),
        }
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        match self.fixed {
            Some(columns_rows) => Ok(WindowSize {
                columns_rows,
                pixels: Size::ZERO,
            }),
            None => self.inner.window_size(),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::text::Line;
    use ratatui::widgets::Paragraph;

    /// What a backend wrote, kept where the test reads it.
    #[derive(Clone, Default)]
    struct Capture(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl Write for Capture {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// The bytes of one frame: a header bar, a highlighted row, an error, in `colours`.
    fn frame_bytes(colours: Colours) -> String {
        let capture = Capture::default();
        let backend = EraseBackend::sized(capture.clone(), Size::new(20, 3)).with_colours(colours);
        let mut terminal = Terminal::new(backend).expect("terminal");
        terminal
            .draw(|f| {
                let lines = vec![
                    Line::styled(" host", theme::HEADER),
                    Line::styled(" >  1  Status", theme::SELECTED),
                    Line::styled("refused", theme::ERROR),
                ];
                f.render_widget(Paragraph::new(lines), f.area());
            })
            .expect("draw");
        String::from_utf8_lossy(&capture.0.borrow()).into_owned()
    }

    #[test]
    fn colours_are_written_as_the_terminal_has_them() {
        let full = frame_bytes(Colours::Full);
        assert!(full.contains("38;5;"), "{full:?}");
        let eight = frame_bytes(Colours::Eight);
        assert!(
            !eight.contains("38;5;") && !eight.contains("48;5;"),
            "{eight:?}"
        );
        assert!(eight.contains("\x1b[0;1;37;44m"), "{eight:?}");
        assert!(eight.contains("\x1b[0;1;31m"), "{eight:?}");
        let none = frame_bytes(Colours::None);
        assert!(!none.contains("38;") && !none.contains("[39m"), "{none:?}");
        // The header bar and the highlighted row in reverse video, the error in bold.
        assert!(none.contains("\x1b[0;1;7m host"), "{none:?}");
        assert!(none.contains("\x1b[0;7m >  1  Status"), "{none:?}");
        assert!(none.contains("\x1b[0;1mrefused"), "{none:?}");
        assert!(none.contains("\x1b[0m"), "{none:?}");
    }
}
