//! The console loop: terminal events and effect results become messages, `update` changes the
//! model, `draw` paints it. Effects run on a worker thread so the screen never freezes.

mod terminal;
mod worker;

pub use terminal::{NO_TERMINAL, NoTerminal};
use terminal::{NonBlockingInput, start_terminal, turn_input};
use worker::{WORKER, complete_running, spawn_worker};

use std::collections::VecDeque;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use crossterm::event::DisableBracketedPaste;
use crossterm::execute;
use ratatui::Terminal;
use ratatui::backend::Backend;
use time::OffsetDateTime;

use crate::appliance::catalogue::{Component, Value};
use crate::appliance::settings::Settings;
use crate::appliance::{self, Appliance, RootState, status};
use crate::fsutil;
use crate::menu::MenuTree;
use crate::model::{Effect, Ended, Model, Msg, Settle, update};
use crate::termcaps::{Caps, GlyphChoice, Glyphs, TermEnv};
use crate::texts::{Lang, Voice};
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
    // The texts first: the menus name their titles and labels by text key.
    crate::texts::shipped().map_err(Clone::clone)?;
    let menus = MenuTree::shipped()?;
    let shown = root.display().to_string();
    let state = appliance::root_state(root)
        .with_context(|| crate::say!("app.cannot_read", root = shown))?;
    Ok(match state {
        RootState::Empty => Model::first_run(menus, shown, machine_hostname()),
        RootState::Appliance => {
            let app = Appliance::open(root)?;
            appliance::lock::tidy(&app);
            // Best effort: views read the ledger whole until its index is saved again.
            let _ = appliance::ledger::repair_index(&app);
            Model::console(
                menus,
                shown,
                status::snapshot(&app, OffsetDateTime::now_utc()),
            )
        }
        RootState::Foreign => bail!(crate::say!("app.not_appliance_root", root = shown)),
    })
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

/// A text setting of Configuration Settings › Console (`Language`, `Glyphs`), if set.
fn console_word<'a>(settings: Option<&'a Settings>, name: &str) -> Option<&'a str> {
    match settings?.get(Component::Console, name) {
        Some(Value::Text(word)) => Some(word),
        _ => None,
    }
}

/// The settings `model` read at start, if it could.
fn model_settings(model: &Model) -> Option<&Settings> {
    model
        .snapshot
        .as_ref()
        .and_then(|s| s.settings.as_ref().ok())
}

/// What the terminal shows, from the environment, `--ascii` (`force_ascii`) and
/// Configuration Settings › Console › Glyphs as `model` read them at start.
pub fn terminal_caps(env: &TermEnv, force_ascii: bool, model: &Model) -> Caps {
    caps_with(env, force_ascii, model_settings(model))
}

fn caps_with(env: &TermEnv, force_ascii: bool, settings: Option<&Settings>) -> Caps {
    let choice = if force_ascii {
        GlyphChoice::Ascii
    } else {
        console_word(settings, "Glyphs")
            .and_then(GlyphChoice::from_word)
            .unwrap_or_default()
    };
    Caps::detect(env, choice)
}

/// The language Configuration Settings › Console › Language forces, as `model` read it at
/// start; `None` for `auto`, unset or unreadable.
pub fn configured_lang(model: &Model) -> Option<Lang> {
    console_word(model_settings(model), "Language").and_then(Lang::from_word)
}

/// The voice of a command run on `root`, as the console there would speak: `--lang`
/// (`lang`), else Configuration Settings › Console › Language of the appliance, else the
/// locale; its letters in ASCII as `--ascii`, Console › Glyphs and the locale say. A root
/// that holds no appliance, or whose settings cannot be read, only leaves the settings out:
/// the command itself says what is wrong with it, if it needs it.
pub fn command_voice(root: &Path, lang: Option<Lang>, force_ascii: bool) -> Voice {
    let settings = Appliance::open(root)
        .ok()
        .and_then(|app| Settings::load(&app).ok());
    voice_with(settings.as_ref(), lang, force_ascii)
}

/// The voice `--lang`, `--ascii` and the locale give, no appliance read.
pub fn flags_voice(lang: Option<Lang>, force_ascii: bool) -> Voice {
    voice_with(None, lang, force_ascii)
}

fn voice_with(settings: Option<&Settings>, lang: Option<Lang>, force_ascii: bool) -> Voice {
    let lang = lang.or_else(|| console_word(settings, "Language").and_then(Lang::from_word));
    let caps = caps_with(&TermEnv::from_process(), force_ascii, settings);
    Voice {
        lang: Lang::detect(lang),
        ascii: caps.glyphs == Glyphs::Ascii,
    }
}

/// The voice of a command line not parsed yet: a value refused while clap parses it is said
/// in it. `--lang`, `--ascii` and `--root` (else `TANOS_ROOT`) are taken from `args` as
/// they stand; the rest as in [`command_voice`].
pub fn early_voice(args: &[String]) -> Voice {
    let mut root =
        std::env::var_os("TANOS_ROOT").map_or_else(|| PathBuf::from("appliance"), PathBuf::from);
    let (mut lang, mut ascii) = (None, false);
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let (flag, inline) = match word.split_once('=') {
            Some((flag, value)) => (flag, Some(value)),
            None => (word.as_str(), None),
        };
        match flag {
            "--" => break,
            "--ascii" => ascii = true,
            "--lang" => {
                lang = inline
                    .or_else(|| words.next().map(String::as_str))
                    .and_then(Lang::from_word)
            }
            "--root" => {
                if let Some(value) = inline.or_else(|| words.next().map(String::as_str)) {
                    root = PathBuf::from(value);
                }
            }
            _ => {}
        }
    }
    command_voice(&root, lang, ascii)
}

/// Opens the console on `root` and runs it until the operator exits, the session ends
/// (SIGHUP, SIGTERM) or the idle timeout logs out; in ASCII when `force_ascii`, in `lang`
/// (`--lang`) when given.
pub fn run(root: PathBuf, force_ascii: bool, lang: Option<Lang>) -> anyhow::Result<()> {
    install_panic_log(&root);
    let model = initial_model(&root)?;
    // Chosen once: the terminal does not change under a running console, nor its operator.
    let caps = terminal_caps(&TermEnv::from_process(), force_ascii, &model);
    let lang = lang.or_else(|| configured_lang(&model));
    let mut model = model.with_caps(caps).with_lang(Lang::detect(lang));
    crate::texts::speak_as(model.voice());
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .with_context(|| crate::say!("app.cannot_watch"))?;
    }
    let stdin_tty = io::stdin().is_terminal();
    // The panic hook restores the terminal on panic; the end of `run` on return.
    let mut terminal = start_terminal(caps.colours).inspect_err(|_| {
        if TERMINAL_UP.swap(false, Ordering::SeqCst) {
            let _ = ratatui::try_restore();
        }
    })?;
    let cancel = Arc::new(AtomicBool::new(false));
    let (effects, results, worker) = spawn_worker(root, Arc::clone(&cancel), model.voice());
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
                        .with_context(|| crate::say!("app.worker_stopped"))?,
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
