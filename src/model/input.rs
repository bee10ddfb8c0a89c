//! What keeps input from answering a prompt the operator has not seen: the keys a pasted
//! text carries past its own end-of-paste marker, keys typed ahead of a new question, keys
//! typed while the screen is hidden. All of it is ignored, and the operator is told.

use std::time::{Duration, Instant};

use super::{Model, Msg, Screen};
use crate::say;

/// How long the terminal's input stays quiet after a paste before keys count again: longer
/// than the gaps inside one paste on a slow link, shorter than reading a question.
pub const QUIET_AFTER_PASTE: Duration = Duration::from_millis(1000);

/// What the terminal last showed of the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    /// Nothing reports drawing (the model driven without a terminal): keys are taken as
    /// typed at the prompt in the model.
    Unreported,
    /// The last frame hid the prompt: the window was too small, or a paste was being read.
    Hidden,
    /// The last frame showed this prompt.
    Shown(PromptId),
}

/// Which prompt is up: a new screen, a step back, the next question of a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromptId {
    generation: u64,
    depth: usize,
    step: usize,
}

impl Model {
    pub fn prompt_id(&self) -> PromptId {
        let step = match self.screen() {
            Screen::Form(form) => form.step,
            Screen::Setup(setup) => setup.step as usize,
            _ => 0,
        };
        PromptId {
            generation: self.prompt_gen,
            depth: self.stack.len(),
            step,
        }
    }

    /// Prompts whose answer changes something or leads straight to a change: confirmations,
    /// values, questions, the paste dialog. Menus and lists take keys typed ahead.
    pub fn prompt_acts(&self) -> bool {
        matches!(
            self.screen(),
            Screen::Confirm(_)
                | Screen::Edit(_)
                | Screen::Form(_)
                | Screen::Setup(_)
                | Screen::Paste(_)
        )
    }

    /// Whether the prompt up now is the one the terminal last showed.
    pub fn prompt_seen(&self) -> bool {
        match self.sight {
            Sight::Unreported => true,
            Sight::Hidden => false,
            Sight::Shown(id) => id == self.prompt_id(),
        }
    }
}

/// `Msg::Drawn`: what the frame just drawn showed of the prompt.
pub(super) fn drawn(m: &mut Model) {
    m.sight = if m.too_small() || m.settling {
        Sight::Hidden
    } else {
        Sight::Shown(m.prompt_id())
    };
}

/// `Msg::Quiet`: the paste has ended; says what was ignored meanwhile.
pub(super) fn settled(m: &mut Model) {
    m.settling = false;
    if m.ignored > 0 {
        let n = std::mem::take(&mut m.ignored);
        let told = if n == 1 {
            say!(m.voice(); "model.input.paste_keys_one", count = n)
        } else {
            say!(m.voice(); "model.input.paste_keys_many", count = n)
        };
        m.error(told);
    }
}

/// After a resize: back to a usable size, says what was ignored while the screen was hidden.
pub(super) fn resized(m: &mut Model, was_small: bool) {
    if was_small && !m.too_small() && !m.settling && m.ignored > 0 {
        let n = std::mem::take(&mut m.ignored);
        let told = if n == 1 {
            say!(m.voice(); "model.input.small_keys_one", count = n)
        } else {
            say!(m.voice(); "model.input.small_keys_many", count = n)
        };
        m.error(told);
    }
}

/// Whether a key or paste is held back from the prompt (and why, on the message line).
pub(super) fn held_back(m: &mut Model, msg: &Msg) -> bool {
    let paste = matches!(msg, Msg::Paste(_));
    let at_confirm = matches!(m.screen(), Screen::Confirm(_));
    if m.too_small() || (m.settling && (!paste || at_confirm)) {
        m.ignored += 1;
        return true;
    }
    if paste && at_confirm {
        m.error(say!(m.voice(); "model.input.paste_at_confirm"));
        return true;
    }
    if !paste && m.prompt_acts() && !m.prompt_seen() {
        m.error(say!(m.voice(); "model.input.typed_ahead"));
        return true;
    }
    false
}

/// The console loop's clock for pastes: it reports each read of the terminal and each turn
/// without input, and is told when a paste begins and when the input has gone quiet.
#[derive(Debug, Default)]
pub struct Settle {
    /// The last input since a paste; `None` when no paste is settling.
    last: Option<Instant>,
}

impl Settle {
    /// One read of the terminal at `now`: `Msg::PasteBurst` when it holds a paste, to be
    /// handled before the read's keys. Any input while a paste settles keeps it settling.
    pub fn read(&mut self, msgs: &[Msg], now: Instant) -> Option<Msg> {
        if msgs.iter().any(|m| matches!(m, Msg::Paste(_))) {
            self.last = Some(now);
            return Some(Msg::PasteBurst);
        }
        if self.last.is_some() && msgs.iter().any(|m| matches!(m, Msg::Key(_))) {
            self.last = Some(now);
        }
        None
    }

    /// A turn without input at `now`: `Msg::Quiet` once the input stayed quiet long enough.
    pub fn idle(&mut self, now: Instant) -> Option<Msg> {
        match self.last {
            Some(last) if now.saturating_duration_since(last) >= QUIET_AFTER_PASTE => {
                self.last = None;
                Some(Msg::Quiet)
            }
            _ => None,
        }
    }
}
