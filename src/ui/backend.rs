//! The terminal backend: crossterm's, except that a row's blank end is erased (CSI K) rather
//! than overwritten with spaces. A mouse selection in xterm keeps written spaces, so a PEM
//! or key line copied off the screen would carry them; erased cells it leaves out.

use std::io::{self, Write};

use crossterm::cursor::MoveTo;
use crossterm::queue;
use crossterm::terminal::{Clear, ClearType as CtClear};
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Rect, Size};
use ratatui::text::Span;

/// Crossterm's backend over `W`, keeping what the screen shows to know where each row's
/// text ends.
pub struct EraseBackend<W: Write> {
    inner: CrosstermBackend<W>,
    /// The screen as drawn through this backend (blank after a clear).
    shown: Buffer,
    /// A size given instead of the terminal's, for writing into something that is not one.
    fixed: Option<Size>,
    cursor: Position,
}

impl<W: Write> EraseBackend<W> {
    /// A backend for the terminal `writer` writes to.
    pub fn new(writer: W) -> EraseBackend<W> {
        EraseBackend {
            inner: CrosstermBackend::new(writer),
            shown: Buffer::empty(Rect::ZERO),
            fixed: None,
            cursor: Position::ORIGIN,
        }
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
            return self.inner.draw(cells.iter().copied());
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
        self.inner.draw(written.iter().copied())?;
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
