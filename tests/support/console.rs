//! The console driven through its own code: `update` for keys and answers, every effect
//! run by the executor against a real appliance root.

use std::collections::VecDeque;
use std::path::Path;

use tanos_menu::app::initial_model;
use tanos_menu::executor::run_effect;
use tanos_menu::model::{Effect, Model, update};

/// The console as it opens on `root`.
pub fn model(root: &Path) -> Model {
    initial_model(root).unwrap_or_else(|e| panic!("open {}: {e}", root.display()))
}

/// Runs the effects, and those their answers ask for, until none is left. Returns the
/// texts of `Effect::Copy`, which the terminal loop answers, not the executor.
pub fn drive(m: &mut Model, root: &Path, effects: Vec<Effect>) -> Vec<String> {
    let mut queue: VecDeque<Effect> = effects.into();
    let mut copies = Vec::new();
    let mut runs = 0;
    while let Some(effect) = queue.pop_front() {
        runs += 1;
        assert!(runs < 32, "the effects never settle");
        if let Effect::Copy(text) = effect {
            copies.push(text);
            continue;
        }
        let answer = run_effect(root, effect);
        queue.extend(update(m, answer));
    }
    assert!(m.busy.is_none(), "still busy: {:?}", m.busy);
    copies
}
