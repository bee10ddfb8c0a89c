//! The terminal side of the console: taking it, reading keys and pastes from it without
//! blocking, noticing when it hangs up.

use std::collections::VecDeque;
use std::io::{self, IsTerminal};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossterm::event::{
    self, EnableBracketedPaste, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};
use crossterm::execute;
use ratatui::Terminal;
use ratatui::backend::Backend;

use super::TERMINAL_UP;
use crate::model::{Key, Model, Msg, Settle};
use crate::termcaps::Colours;
use crate::ui::backend::EraseBackend;

fn key_of(ev: KeyEvent) -> Option<Key> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    Some(match ev.code {
        KeyCode::Char('c') if ctrl => Key::CtrlC,
        KeyCode::Char('d') if ctrl => Key::CtrlD,
        KeyCode::Char(_) if ctrl => return None,
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        _ => return None,
    })
}

/// The messages of one terminal event. Alt+key is how a terminal reports Esc followed
/// quickly by a key (a slow link merges them): it is taken as the two keys.
fn msgs_of(ev: Event) -> Vec<Msg> {
    match ev {
        Event::Key(k)
            if k.modifiers.contains(KeyModifiers::ALT) && k.kind != KeyEventKind::Release =>
        {
            let plain = KeyEvent {
                modifiers: k.modifiers - KeyModifiers::ALT,
                ..k
            };
            std::iter::once(Msg::Key(Key::Esc))
                .chain(key_of(plain).map(Msg::Key))
                .collect()
        }
        Event::Key(k) => key_of(k).map(Msg::Key).into_iter().collect(),
        Event::Paste(text) => vec![Msg::Paste(text)],
        Event::Resize(w, h) => vec![Msg::Resize(w, h)],
        _ => Vec::new(),
    }
}

/// Everything the terminal has sent, waiting up to `wait` for the first of it.
fn read_terminal(wait: Duration) -> io::Result<Vec<Msg>> {
    let mut read = Vec::new();
    if event::poll(wait)? {
        read.extend(msgs_of(event::read()?));
        while event::poll(Duration::ZERO)? {
            read.extend(msgs_of(event::read()?));
        }
    }
    Ok(read)
}

/// One turn's input: what the terminal sent, after `Msg::Resize` when the window's size is
/// not the model's and after `Msg::PasteBurst` when it holds a paste; `Msg::Quiet` once the
/// input was quiet long enough after a paste. `None` when the terminal is gone.
pub(super) fn turn_input<B: Backend>(
    terminal: &Terminal<B>,
    model: &Model,
    settle: &mut Settle,
    stdin_tty: bool,
) -> Option<VecDeque<Msg>> {
    if terminal_hung_up(stdin_tty) {
        return None;
    }
    // Asked every turn, input or not: a window resize reaches crossterm by signal.
    let wait = if stdin_tty {
        Duration::ZERO
    } else {
        Duration::from_millis(50)
    };
    let read = read_terminal(wait).ok()?;
    let mut inbox = VecDeque::new();
    // The size as the terminal has it, before any key: a resize signal can be lost, and keys
    // must not be taken for a screen that is hidden, nor ignored for one that is not.
    if let Ok(size) = terminal.size()
        && (size.width, size.height) != model.size
    {
        inbox.push_back(Msg::Resize(size.width, size.height));
    }
    // A paste holds keys off, those of its own read included, until input is quiet.
    let now = Instant::now();
    if read.is_empty() {
        inbox.extend(settle.idle(now));
    } else {
        inbox.extend(settle.read(&read, now));
    }
    inbox.extend(read);
    Some(inbox)
}

/// Waits up to 50 ms for the terminal on stdin and says whether it hung up (the SSH
/// connection dropped): crossterm would read its end-of-file forever.
pub(super) fn terminal_hung_up(stdin_tty: bool) -> bool {
    if !stdin_tty {
        return false;
    }
    let mut fds = [libc::pollfd {
        fd: 0,
        events: libc::POLLIN,
        revents: 0,
    }];
    // SAFETY: one valid pollfd, its count, a bounded timeout; poll only writes `revents`.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), 1, 50) };
    if n < 0 {
        return io::Error::last_os_error().kind() != io::ErrorKind::Interrupted;
    }
    fds[0].revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
}

/// The terminal's input read through a non-blocking descriptor of its own. crossterm reads
/// until a read gives it an event: on a blocking descriptor, input that ends in an unknown or
/// incomplete sequence (the stray end-of-paste marker of a paste that ended early) leaves it
/// waiting for the next key, deaf to signals, hang-ups and the end of a paste. Output keeps
/// its blocking descriptor: a slow link slows the drawing and never fails it.
pub(super) struct NonBlockingInput {
    saved: libc::c_int,
}

impl NonBlockingInput {
    pub(super) fn open() -> Option<NonBlockingInput> {
        // SAFETY: plain descriptor calls on descriptors opened here or on stdin; every
        // descriptor opened is closed on each path, stdin is put back by `drop`.
        unsafe {
            // The terminal's own device (/dev/pts/N), opened anew: a description of its own.
            let mut name = [0 as libc::c_char; 256];
            if libc::ttyname_r(0, name.as_mut_ptr(), name.len()) != 0 {
                return None;
            }
            let tty = libc::open(
                name.as_ptr(),
                libc::O_RDWR | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC,
            );
            if tty < 0 {
                return None;
            }
            let (mut ours, mut stdin): (libc::stat, libc::stat) = std::mem::zeroed();
            let same = libc::fstat(tty, &mut ours) == 0
                && libc::fstat(0, &mut stdin) == 0
                && ours.st_rdev == stdin.st_rdev;
            let saved = if same {
                libc::fcntl(0, libc::F_DUPFD_CLOEXEC, 10)
            } else {
                -1
            };
            if saved < 0 || libc::dup2(tty, 0) < 0 {
                if saved >= 0 {
                    libc::close(saved);
                }
                libc::close(tty);
                return None;
            }
            libc::close(tty);
            Some(NonBlockingInput { saved })
        }
    }
}

impl Drop for NonBlockingInput {
    fn drop(&mut self) {
        // SAFETY: puts back the stdin descriptor saved by `open`, then closes the copy.
        unsafe {
            libc::dup2(self.saved, 0);
            libc::close(self.saved);
        }
    }
}

/// Why the console did not start: it needs a terminal. `main` exits with `NO_TERMINAL`.
#[derive(Debug, thiserror::Error)]
#[error("{}", crate::say!("app.no_terminal", why = .0))]
pub struct NoTerminal(String);

/// Exit code of a console started without a terminal.
pub const NO_TERMINAL: u8 = 3;

/// Takes the terminal: raw mode, the alternate screen, bracketed paste. Refused with
/// `NoTerminal` when standard output is no terminal or no terminal can be read.
pub(super) fn start_terminal(
    colours: Colours,
) -> anyhow::Result<Terminal<EraseBackend<io::Stdout>>> {
    if !io::stdout().is_terminal() {
        return Err(NoTerminal(crate::say!("app.stdout_not_terminal")).into());
    }
    if !io::stdin().is_terminal() && std::fs::File::open("/dev/tty").is_err() {
        return Err(NoTerminal(crate::say!("app.stdin_not_terminal")).into());
    }
    crossterm::terminal::enable_raw_mode().map_err(|e| NoTerminal(e.to_string()))?;
    TERMINAL_UP.store(true, Ordering::SeqCst);
    execute!(
        io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        EnableBracketedPaste
    )?;
    // Rows end in an erase, not in written blanks: a copied PEM line is exactly the line.
    let terminal = Terminal::new(EraseBackend::new(io::stdout()).with_colours(colours))?;
    // Fault injection for the crash tests: a panic whose text holds an escape sequence.
    if std::env::var_os("TANOS_FAULT").is_some_and(|v| v == "panic-escape") {
        panic!("fault injected by TANOS_FAULT=panic-escape \x1b]0;PWNED\x07");
    }
    Ok(terminal)
}
