//! The worker thread that runs effects one at a time, and the end of a session that lets a
//! confirmed change finish.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use super::crash_log;
use crate::executor::run_effect_with;
use crate::model::{Effect, Model, Msg, update};

/// The worker thread, speaking in `voice`: effects run one at a time; `cancel` abandons a running transfer.
/// An effect that panics is answered as a failure of that effect, so the console leaves its
/// busy state, tells the operator, and stays answerable; the crash log keeps the details.
pub(super) fn spawn_worker(
    root: PathBuf,
    cancel: Arc<AtomicBool>,
    voice: crate::texts::Voice,
) -> (Sender<Effect>, Receiver<Msg>, JoinHandle<()>) {
    let (effect_tx, effect_rx) = mpsc::channel::<Effect>();
    let (msg_tx, msg_rx) = mpsc::channel();
    let log = crash_log(&root);
    let worker = std::thread::spawn(move || {
        WORKER.with(|w| w.set(true));
        crate::texts::speak_as(voice);
        for effect in effect_rx {
            cancel.store(false, Ordering::Relaxed);
            let kept = effect.clone();
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                worker_fault();
                run_effect_with(&root, effect, &cancel)
            }));
            let msg = ran.unwrap_or_else(|payload| {
                let what = crate::text::escape(&panic_text(payload.as_ref()));
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
    pub(super) static WORKER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Fault injection for the tests: `TANOS_FAULT=worker-panic` makes every effect panic.
fn worker_fault() {
    if std::env::var_os("TANOS_FAULT").is_some_and(|v| v == "worker-panic") {
        panic!("fault injected by TANOS_FAULT=worker-panic \x1b[31m");
    }
}

/// The text a panic was raised with.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        crate::say!("app.panic_no_message")
    }
}

/// The session ended (hang-up, signal) while a confirmed change runs: the effects that
/// follow from it (a generated key's write) run to the end, with no input and nothing drawn.
pub(super) fn complete_running(
    model: &mut Model,
    effects: &Sender<Effect>,
    results: &Receiver<Msg>,
) {
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
