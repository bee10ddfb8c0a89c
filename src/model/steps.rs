//! The steps every feature shares: starting an effect, finishing a flow, dropping an
//! abandoned answer, reading a line number, the length of the list on screen.

use super::{
    Effect, Model, Outcome, SETUP_ROLES, Screen, SetupStep, Start, View, audit_failure_text,
};
use crate::appliance::catalogue::Component;

impl Model {
    /// The root menu, where the console starts.
    pub(super) fn root_screen() -> Screen {
        Screen::Menu {
            id: crate::menu::ROOT.to_string(),
            cursor: 0,
        }
    }

    /// A line number typed by the operator, 1-based, within `len`.
    pub(super) fn line_number(text: &str, len: usize) -> Option<usize> {
        let n: usize = text.parse().ok()?;
        (1..=len).contains(&n).then(|| n - 1)
    }

    /// Marks the model busy with a running effect and returns it.
    pub(super) fn start(&mut self, what: impl Into<String>, effect: Effect) -> Vec<Effect> {
        self.begin(Start::new(what, effect))
    }

    /// Marks the model busy with `start`'s effect and returns it.
    pub(super) fn begin(&mut self, start: Start) -> Vec<Effect> {
        self.busy = Some(start.busy);
        self.cancellable = start.cancel.is_some();
        self.abandon = start.cancel;
        vec![start.effect]
    }

    /// A step finished: back to where its flow began, with its message and what it shows.
    pub(super) fn finish(&mut self, result: Result<Outcome, String>) {
        while self.stack.len() > 1 && self.screen().is_transient() {
            self.back();
        }
        match result {
            Ok(outcome) => {
                let audit = outcome
                    .snapshot
                    .as_ref()
                    .and_then(|s| s.audit_failure.clone());
                if let Some(snapshot) = outcome.snapshot {
                    self.snapshot = Some(snapshot);
                }
                if let Some(view) = outcome.view {
                    self.show(view);
                }
                match audit {
                    Some(e) => {
                        self.error(format!("{} {}", outcome.message, audit_failure_text(&e)))
                    }
                    None => self.info(outcome.message),
                }
            }
            Err(e) => self.error(e),
        }
    }

    /// Shows `view`; another page of the record on screen takes that page's place.
    fn show(&mut self, view: View) {
        let what = view.pager.map(|p| p.what);
        if what.is_some()
            && matches!(self.screen(), Screen::View(v) if v.pager.map(|p| p.what) == what)
        {
            self.back();
        }
        self.push(Screen::View(view));
    }

    /// Whether the result just arrived belongs to an abandoned effect, and is to be dropped.
    /// Effects run one after another, so abandoned results arrive first, in order.
    pub(super) fn take_discard(&mut self) -> bool {
        if self.discard == 0 {
            return false;
        }
        self.discard -= 1;
        true
    }

    /// The current screen's cursor and how many lines it moves over; `None` on a screen
    /// without a cursor.
    pub(super) fn list_cursor(&mut self) -> Option<(&mut usize, usize)> {
        let config = self.snapshot.as_ref().map(|s| &s.config);
        let settings = self
            .snapshot
            .as_ref()
            .and_then(|s| s.settings.as_ref().ok());
        let menus = &self.menus;
        let last = self.stack.len() - 1;
        Some(match &mut self.stack[last] {
            Screen::Setup(setup) => {
                let len = match setup.step {
                    SetupStep::Role => SETUP_ROLES.len(),
                    SetupStep::Platform => crate::appliance::Platform::ALL.len(),
                    SetupStep::Hostname => 0,
                };
                (&mut setup.cursor, len)
            }
            Screen::Menu { id, cursor } => {
                (cursor, config.map_or(0, |c| menus.visible(id, c).len()))
            }
            Screen::Components { cursor } => (
                cursor,
                config.map_or(0, |c| Component::for_appliance(c).len()),
            ),
            Screen::Settings { component, cursor } => {
                let len = config
                    .zip(settings)
                    .map_or(0, |(c, s)| s.present(c, *component).len());
                (cursor, len)
            }
            Screen::AddSetting { component, cursor } => {
                let len = config
                    .zip(settings)
                    .map_or(0, |(c, s)| s.addable(c, *component).len());
                (cursor, len)
            }
            Screen::Form(form) => {
                let len = form.field().choices.len();
                (&mut form.cursor, len)
            }
            Screen::Files(files) => (&mut files.cursor, rows(&files.rows)),
            Screen::UserList { cursor, .. } => (cursor, crate::appliance::Layout::USERS.len()),
            Screen::Roots(list) => (&mut list.cursor, rows(&list.rows)),
            Screen::Keys(list) => (&mut list.cursor, rows(&list.rows)),
            Screen::Status
            | Screen::Users
            | Screen::Help
            | Screen::Edit(_)
            | Screen::Confirm(_)
            | Screen::View(_)
            | Screen::Paste(_) => return None,
        })
    }
}

/// How many rows a list read from the appliance has (none while it is being read).
fn rows<T>(rows: &Option<Vec<T>>) -> usize {
    rows.as_ref().map_or(0, Vec::len)
}
