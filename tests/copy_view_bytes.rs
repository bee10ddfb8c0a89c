//! Issue 8, item 14: the bytes the console writes for a copy view. A PEM line drawn over a
//! screen that had text must end where the line ends, the rest of its row erased: written
//! blanks are text to xterm's mouse selection, erased cells are not. The bytes are captured
//! from the console's backend and read back through `vt100`, cell by cell.

mod support;

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::layout::{Rect, Size};
use ratatui::{Terminal, TerminalOptions, Viewport};
use support::pty::parsed;
use support::ui::console;
use tanos_menu::appliance::{Platform, Role};
use tanos_menu::model::{Model, Msg, Outcome, View, update};
use tanos_menu::pki::csr::{CsrRequest, generate_csr};
use tanos_menu::pki::issue::KeyType;
use tanos_menu::ui::backend::EraseBackend;

/// A writer whose bytes the test keeps.
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn csr_pem(key_type: KeyType) -> String {
    let request = CsrRequest {
        common_name: "zs01.example".into(),
        dns_names: vec!["zs01.example".into()],
        ips: Vec::new(),
        key_type,
    };
    generate_csr(&request).expect("generate a CSR").csr_pem
}

/// The help screen (long rows of text), then the copy view of `pem` drawn over it.
fn frames<B: Backend>(terminal: &mut Terminal<B>, pem: &str, width: u16, height: u16) -> Model {
    let mut m: Model = console(Role::ZoneServer, false, Platform::V7_3);
    update(&mut m, Msg::Resize(width, height));
    update(&mut m, Msg::Key(tanos_menu::model::Key::Char('?')));
    update(&mut m, Msg::Key(tanos_menu::model::Key::Enter));
    draw(terminal, &m);
    let view = View::new(
        "reporting.csr",
        vec!["Copy the CSR below.".into()],
        pem.to_string(),
    );
    update(
        &mut m,
        Msg::Done(Ok(Outcome {
            message: "New key and CSR written.".into(),
            snapshot: None,
            view: Some(view),
        })),
    );
    draw(terminal, &m);
    m
}

fn draw<B: Backend>(terminal: &mut Terminal<B>, m: &Model) {
    terminal
        .draw(|frame| tanos_menu::ui::draw(m, frame))
        .unwrap_or_else(|_| panic!("draw"));
}

/// Cells after a PEM line's text that hold something (a written blank), per PEM row.
fn written_after_pem(bytes: &[u8], pem: &str, width: u16, height: u16) -> (usize, Vec<String>) {
    let parser = parsed(bytes, width, height);
    let screen = parser.screen();
    let mut rows = 0;
    let mut written = Vec::new();
    for (y, row) in screen.rows(0, width).enumerate() {
        let row = row.trim_end().to_string();
        let Some(line) = pem.lines().find(|l| *l == row) else {
            continue;
        };
        rows += 1;
        let y = u16::try_from(y).expect("row");
        let from = u16::try_from(line.len()).expect("width");
        for x in from..width {
            let cell = screen.cell(y, x).expect("cell");
            if cell.has_contents() {
                written.push(format!("row {y} column {x}: {:?}", cell.contents()));
            }
        }
    }
    (rows, written)
}

#[test]
fn pem_rows_of_a_copy_view_are_erased_not_blanked() {
    let pem = csr_pem(KeyType::EcdsaP256);
    for (width, height) in [(80, 24), (120, 40)] {
        let capture = Capture::default();
        let backend = EraseBackend::sized(capture.clone(), Size::new(width, height));
        let mut terminal = Terminal::new(backend).expect("terminal");
        frames(&mut terminal, &pem, width, height);
        let bytes = capture.0.borrow().clone();
        let (rows, written) = written_after_pem(&bytes, &pem, width, height);
        assert_eq!(
            rows,
            pem.lines().count(),
            "every PEM line on a row of its own"
        );
        assert!(
            written.is_empty(),
            "{width}x{height}: blanks written: {written:?}"
        );
        assert!(
            bytes.windows(3).any(|w| w == b"\x1b[K"),
            "the rows were not erased"
        );
    }
}

/// The same frames through crossterm's own backend write the blanks the issue saw: the
/// earlier screen is a real adversary for the test above.
#[test]
fn crossterms_backend_writes_blanks_over_the_earlier_screen() {
    let pem = csr_pem(KeyType::EcdsaP256);
    let capture = Capture::default();
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
    };
    let mut terminal =
        Terminal::with_options(CrosstermBackend::new(capture.clone()), options).expect("terminal");
    frames(&mut terminal, &pem, 80, 24);
    let bytes = capture.0.borrow().clone();
    let (_, written) = written_after_pem(&bytes, &pem, 80, 24);
    assert!(
        !written.is_empty(),
        "no blank written: the earlier screen did not overlap"
    );
}

/// Scrolling a long PEM (RSA 4096) moves shorter lines over longer ones: still erased.
#[test]
fn scrolling_a_long_pem_erases_what_lines_leave() {
    let pem = csr_pem(KeyType::Rsa4096);
    let capture = Capture::default();
    let backend = EraseBackend::sized(capture.clone(), Size::new(80, 24));
    let mut terminal = Terminal::new(backend).expect("terminal");
    let mut m = frames(&mut terminal, &pem, 80, 24);
    for _ in 0..40 {
        update(&mut m, Msg::Key(tanos_menu::model::Key::Down));
        draw(&mut terminal, &m);
    }
    let bytes = capture.0.borrow().clone();
    let (rows, written) = written_after_pem(&bytes, &pem, 80, 24);
    assert!(rows > 5, "{rows} PEM rows on the screen");
    assert!(written.is_empty(), "blanks written: {written:?}");
    let parser = parsed(&bytes, 80, 24);
    let screen = parser.screen().contents();
    assert!(
        screen.contains("-----END CERTIFICATE REQUEST-----"),
        "not scrolled to the end:\n{screen}"
    );
}

/// Cells outside the screen the backend keeps (the window changed under a frame) are
/// written as they come: no panic, nothing taken as blank.
#[test]
fn cells_beyond_the_kept_screen_are_written_as_they_come() {
    let capture = Capture::default();
    let mut backend = EraseBackend::sized(capture.clone(), Size::new(10, 2));
    let x = ratatui::buffer::Cell::new("x");
    let blank = ratatui::buffer::Cell::EMPTY;
    let cells = [(3, 1, &blank), (15, 1, &x), (2, 5, &x)];
    backend.draw(cells.into_iter()).expect("draw");
    let bytes = capture.0.borrow().clone();
    assert_eq!(bytes.iter().filter(|b| **b == b'x').count(), 2, "{bytes:?}");
}
