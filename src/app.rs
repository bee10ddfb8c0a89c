//! The console loop: terminal events and effect results become messages, `update` changes the
//! model, `draw` paints it. Effects run on a worker thread so the screen never freezes.

use std::collections::VecDeque;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use crossterm::event::{
    self, DisableBracketedPaste, EnableBracketedPaste, Event, KeyCode, KeyEvent, KeyEventKind,
    KeyModifiers,
};
use crossterm::execute;
use ratatui::Terminal;
use ratatui::backend::Backend;
use time::OffsetDateTime;

use crate::appliance::{self, Appliance, RootState, status};
use crate::executor::run_effect_with;
use crate::fsutil;
use crate::menu::MenuTree;
use crate::model::{Effect, Ended, Key, Model, Msg, Settle, update};
use crate::ui;
use crate::ui::backend::EraseBackend;

/// The machine's name, offered as the default hostname at first run.
pub fn machine_hostname() -> String {
    crate::fsutil::read_text(
        std::path::Path::new("/proc/sys/kernel/hostname"),
        crate::fsutil::LIMIT_PEM,
    )
    .ok()
    .map(|s| s.trim().to_string())
    .filter(|s| crate::hostname::validate_hostname(s).is_ok())
    .unwrap_or_else(|| "tanos".to_string())
}

/// The model the console opens with: the appliance, or first-run setup on an empty root.
pub fn initial_model(root: &Path) -> anyhow::Result<Model> {
    let menus = MenuTree::shipped()?;
    let shown = root.display().to_string();
    let state = appliance::root_state(root).with_context(|| format!("cannot read {shown}"))?;
    Ok(match state {
        RootState::Empty => Model::first_run(menus, shown, machine_hostname()),
        RootState::Appliance => {
            let app = Appliance::open(root)?;
            appliance::lock::tidy(&app);
            Model::console(
                menus,
                shown,
                status::snapshot(&app, OffsetDateTime::now_utc()),
            )
        }
        RootState::Foreign => bail!(
            "{shown} holds files but no appliance.toml: it is not an appliance root. Open an empty directory for a new appliance."
        ),
    })
}

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
fn turn_input<B: Backend>(
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

/// The worker thread: effects run one at a time; `cancel` abandons a running transfer.
/// An effect that panics is answered as a failure of that effect, so the console leaves its
/// busy state, tells the operator, and stays answerable; the crash log keeps the details.
fn spawn_worker(
    root: PathBuf,
    cancel: Arc<AtomicBool>,
) -> (Sender<Effect>, Receiver<Msg>, JoinHandle<()>) {
    let (effect_tx, effect_rx) = mpsc::channel::<Effect>();
    let (msg_tx, msg_rx) = mpsc::channel();
    let log = crash_log(&root);
    let worker = std::thread::spawn(move || {
        WORKER.with(|w| w.set(true));
        for effect in effect_rx {
            cancel.store(false, Ordering::Relaxed);
            let kept = effect.clone();
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                worker_fault();
                run_effect_with(&root, effect, &cancel)
            }));
            let msg = ran.unwrap_or_else(|payload| {
                let what = crate::text::escape(panic_text(payload.as_ref()));
                crate::executor::failed(
                    &kept,
                    crate::model::step_panicked(&what, &crate::text::escape_path(&log)),
                )
            });
            if msg_tx.send(msg).is_err() {
                break;
            }
        }
    });
    (effect_tx, msg_rx, worker)
}

thread_local! {
    /// Set on the worker thread: its panics are caught and answered, not fatal.
    static WORKER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Fault injection for the tests: `TANOS_FAULT=worker-panic` makes every effect panic.
fn worker_fault() {
    if std::env::var_os("TANOS_FAULT").is_some_and(|v| v == "worker-panic") {
        panic!("fault injected by TANOS_FAULT=worker-panic \x1b[31m");
    }
}

/// The text a panic was raised with.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "no message"
    }
}

/// Waits up to 50 ms for the terminal on stdin and says whether it hung up (the SSH
/// connection dropped): crossterm would read its end-of-file forever.
fn terminal_hung_up(stdin_tty: bool) -> bool {
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
struct NonBlockingInput {
    saved: libc::c_int,
}

impl NonBlockingInput {
    fn open() -> Option<NonBlockingInput> {
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

/// Where a crash is recorded: the appliance's log directory, else the system's temp dir.
fn crash_log(root: &Path) -> PathBuf {
    let dir = root.join("log");
    if dir.is_dir() {
        dir.join("console.log")
    } else {
        std::env::temp_dir().join("tanos-menu-console.log")
    }
}

/// Set while the console holds the terminal (raw mode, alternate screen).
static TERMINAL_UP: AtomicBool = AtomicBool::new(false);

/// On a panic: the record goes to the crash log. A panic of the worker thread is answered
/// by the worker (see `spawn_worker`) and only logged; any other one restores the terminal
/// and tells the operator where the record is, the message escaped.
fn install_panic_log(root: &Path) {
    let log = crash_log(root);
    std::panic::set_hook(Box::new(move |info| {
        let backtrace = std::backtrace::Backtrace::force_capture();
        let when = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let info = crate::text::escape_text(&info.to_string());
        let record = format!(
            "{when} tanos-menu {} panicked: {info}\n{backtrace}",
            env!("CARGO_PKG_VERSION")
        );
        let kept = fsutil::append_line(&log, &record, fsutil::PRIVATE_FILE).is_ok();
        if WORKER.with(|w| w.get()) {
            return;
        }
        if TERMINAL_UP.swap(false, Ordering::SeqCst) {
            let _ = execute!(io::stdout(), DisableBracketedPaste);
            let _ = ratatui::try_restore();
        }
        let place = kept.then(|| crate::text::escape_path(&log));
        let _ = writeln!(
            io::stderr(),
            "{}",
            crate::model::console_panicked(&info, place.as_deref())
        );
    }));
}

/// Why the console did not start: it needs a terminal. `main` exits with `NO_TERMINAL`.
#[derive(Debug, thiserror::Error)]
#[error(
    "the console needs a terminal on standard input and output ({0}); run it from an SSH session or a terminal, or use the command-line subcommands (tanos-menu --help)"
)]
pub struct NoTerminal(String);

/// Exit code of a console started without a terminal.
pub const NO_TERMINAL: u8 = 3;

/// Takes the terminal: raw mode, the alternate screen, bracketed paste. Refused with
/// `NoTerminal` when standard output is no terminal or no terminal can be read.
fn start_terminal() -> anyhow::Result<Terminal<EraseBackend<io::Stdout>>> {
    if !io::stdout().is_terminal() {
        return Err(NoTerminal("standard output is not a terminal".into()).into());
    }
    if !io::stdin().is_terminal() && std::fs::File::open("/dev/tty").is_err() {
        return Err(NoTerminal("standard input is not a terminal".into()).into());
    }
    crossterm::terminal::enable_raw_mode().map_err(|e| NoTerminal(e.to_string()))?;
    TERMINAL_UP.store(true, Ordering::SeqCst);
    execute!(
        io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        EnableBracketedPaste
    )?;
    // Rows end in an erase, not in written blanks: a copied PEM line is exactly the line.
    let terminal = Terminal::new(EraseBackend::new(io::stdout()))?;
    // Fault injection for the crash tests: a panic whose text holds an escape sequence.
    if std::env::var_os("TANOS_FAULT").is_some_and(|v| v == "panic-escape") {
        panic!("fault injected by TANOS_FAULT=panic-escape \x1b]0;PWNED\x07");
    }
    Ok(terminal)
}

/// The session ended (hang-up, signal) while a confirmed change runs: the effects that
/// follow from it (a generated key's write) run to the end, with no input and nothing drawn.
fn complete_running(model: &mut Model, effects: &Sender<Effect>, results: &Receiver<Msg>) {
    while model.busy.is_some() {
        let Ok(msg) = results.recv() else { return };
        for effect in update(model, msg) {
            // The clipboard is the terminal's, which is gone.
            if !matches!(effect, Effect::Copy(_) | Effect::Cancel) && effects.send(effect).is_err()
            {
                return;
            }
        }
    }
}

/// Opens the console on `root` and runs it until the operator exits, the session ends
/// (SIGHUP, SIGTERM) or the idle timeout logs out.
pub fn run(root: PathBuf) -> anyhow::Result<()> {
    install_panic_log(&root);
    let mut model = initial_model(&root)?;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .context("cannot watch for session end")?;
    }
    let stdin_tty = io::stdin().is_terminal();
    // The panic hook restores the terminal on panic; the end of `run` on return.
    let mut terminal = start_terminal().inspect_err(|_| {
        if TERMINAL_UP.swap(false, Ordering::SeqCst) {
            let _ = ratatui::try_restore();
        }
    })?;
    let cancel = Arc::new(AtomicBool::new(false));
    let (effects, results, worker) = spawn_worker(root, Arc::clone(&cancel));
    let input = stdin_tty.then(NonBlockingInput::open).flatten();
    let session = Session {
        effects,
        results,
        cancel,
        stop,
        stdin_tty,
        fault_panic: std::env::var_os("TANOS_FAULT").is_some_and(|v| v == "panic"),
    };
    let outcome = session.console(&mut terminal, &mut model);
    // A confirmed change is finished, never cut: transfers stop, the rest runs to its end.
    session.cancel.store(true, Ordering::Relaxed);
    complete_running(&mut model, &session.effects, &session.results);
    drop(session);
    let _ = worker.join();
    drop(input);
    // The terminal may be gone (a dropped session): nothing here may fail on that.
    let _ = execute!(io::stdout(), DisableBracketedPaste);
    TERMINAL_UP.store(false, Ordering::SeqCst);
    let _ = ratatui::try_restore();
    if let Some(goodbye) = &model.goodbye {
        let _ = writeln!(io::stderr(), "tanos-menu: {goodbye}");
    }
    outcome
}

/// What the console loop works with: the worker's channels and what ends the session.
struct Session {
    effects: Sender<Effect>,
    results: Receiver<Msg>,
    /// Set to abandon the running effect (a transfer).
    cancel: Arc<AtomicBool>,
    /// Set by SIGTERM or SIGHUP.
    stop: Arc<AtomicBool>,
    stdin_tty: bool,
    /// Fault injection for the crash tests: a panic with a full screen up.
    fault_panic: bool,
}

impl Session {
    /// Draws, reads the terminal and the worker, updates, until the operator or the session
    /// ends it.
    fn console(
        &self,
        terminal: &mut Terminal<EraseBackend<io::Stdout>>,
        model: &mut Model,
    ) -> anyhow::Result<()> {
        let size = terminal.size()?;
        update(model, Msg::Resize(size.width, size.height));
        let mut dirty = true;
        let mut last_key = Instant::now();
        let mut settle = Settle::default();
        while !model.quit {
            if self.stop.load(Ordering::Relaxed) {
                model.goodbye = Some(Ended::Signalled);
                break;
            }
            if dirty && !self.draw(terminal, model) {
                model.goodbye = Some(Ended::TerminalClosed);
                break;
            }
            let Some(mut inbox) = turn_input(terminal, model, &mut settle, self.stdin_tty) else {
                model.goodbye = Some(Ended::TerminalClosed);
                break;
            };
            note_idle(&mut inbox, model, &mut last_key);
            inbox.extend(self.results.try_iter());
            if inbox.is_empty() && model.busy.is_some() {
                inbox.push_back(Msg::Tick);
            }
            // Drawn again when anything came in: a key, a result, a tick.
            dirty = !inbox.is_empty();
            self.dispatch(model, inbox)?;
        }
        Ok(())
    }

    /// One frame; false when the terminal is gone (the connection dropped mid-frame).
    fn draw<B: Backend>(&self, terminal: &mut Terminal<B>, model: &mut Model) -> bool {
        if terminal.draw(|frame| ui::draw(model, frame)).is_err() {
            return false;
        }
        // Keys read from now on were typed with this frame's prompt in view.
        update(model, Msg::Drawn);
        if self.fault_panic {
            panic!("fault injected by TANOS_FAULT=panic");
        }
        true
    }

    /// Every message through `update`; the effects it asks for run here or on the worker.
    fn dispatch(&self, model: &mut Model, mut inbox: VecDeque<Msg>) -> anyhow::Result<()> {
        while let Some(msg) = inbox.pop_front() {
            for effect in update(model, msg) {
                match effect {
                    // Abandons the running effect now; the worker clears it for the next.
                    Effect::Cancel => self.cancel.store(true, Ordering::Relaxed),
                    // The clipboard is reached through this terminal: answered here, at once.
                    Effect::Copy(text) => inbox.push_back(Msg::Copied(crate::clipboard::copy(
                        &text,
                        &mut io::stdout(),
                    ))),
                    other => self
                        .effects
                        .send(other)
                        .context("the worker thread stopped")?,
                }
            }
        }
        Ok(())
    }
}

/// A key or paste restarts the idle clock; without one for the configured time, and with
/// nothing running, the console logs out.
fn note_idle(inbox: &mut VecDeque<Msg>, model: &Model, last_key: &mut Instant) {
    if inbox
        .iter()
        .any(|m| matches!(m, Msg::Key(_) | Msg::Paste(_)))
    {
        *last_key = Instant::now();
    } else if last_key.elapsed() >= Duration::from_secs(model.idle_timeout_secs())
        && model.busy.is_none()
    {
        inbox.push_back(Msg::IdleTimeout);
    }
}
