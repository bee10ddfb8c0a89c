//! The commands each screen answers to. `update` dispatches typed commands from this table
//! and the footer draws its hints from it, so the two cannot drift apart.

use super::{Model, Prompt, Screen, SetupStep, TextFor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Back,
    Root,
    Exit,
    Help,
    Add,
    /// Issue every pending request of /incoming.
    IssueAll,
    /// Add a new signing root key.
    AddRoot,
    /// The next (older) page of a paged view.
    Older,
    /// The previous (newer) page.
    Newer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub key: &'static str,
    pub label: &'static str,
    /// The command typed as `key` + Enter; `None` for keys handled by the screen itself.
    pub cmd: Option<Cmd>,
}

const fn typed(key: &'static str, label: &'static str, cmd: Cmd) -> Binding {
    Binding {
        key,
        label,
        cmd: Some(cmd),
    }
}

const fn hint(key: &'static str, label: &'static str) -> Binding {
    Binding {
        key,
        label,
        cmd: None,
    }
}

const BACK: Binding = typed("B", "back", Cmd::Back);
const ROOT: Binding = typed("RR", "root menu", Cmd::Root);
const HELP: Binding = typed("?", "help", Cmd::Help);
const MOVE: Binding = hint("↑↓", "move");

/// The bindings of the current screen, in footer order.
pub fn commands(m: &Model) -> Vec<Binding> {
    let mut bindings = screen_commands(m);
    if m.message_overflow() > 0 {
        bindings.insert(0, hint("PgUp PgDn", "read the message"));
    }
    bindings
}

fn screen_commands(m: &Model) -> Vec<Binding> {
    match m.screen() {
        Screen::Setup(_)
        | Screen::Edit(_)
        | Screen::Form(_)
        | Screen::Paste(_)
        | Screen::Confirm(_) => m.screen().prompt().map_or_else(Vec::new, prompt_commands),
        Screen::Menu { .. } if m.at_root() => vec![
            hint("key Enter", "select"),
            MOVE,
            typed("X", "exit", Cmd::Exit),
            HELP,
        ],
        Screen::Menu { .. } => vec![hint("key Enter", "select"), MOVE, BACK, ROOT, HELP],
        Screen::Status | Screen::Users => vec![hint("Enter", "back"), BACK, ROOT, HELP],
        Screen::Help => vec![hint("Enter", "back"), BACK, ROOT],
        Screen::Components { .. } | Screen::AddSetting { .. } => {
            vec![hint("line Enter", "select"), MOVE, BACK, ROOT, HELP]
        }
        Screen::Settings { .. } => {
            vec![
                hint("line Enter", "edit"),
                typed("A", "add a setting", Cmd::Add),
                MOVE,
                BACK,
                ROOT,
                HELP,
            ]
        }
        Screen::View(view) => view_commands(view.pager),
        Screen::Files(files) if !files.pending().is_empty() => vec![
            hint("line Enter", "read"),
            typed("A", "issue all pending", Cmd::IssueAll),
            MOVE,
            BACK,
            ROOT,
        ],
        Screen::Files(_) => vec![hint("line Enter", "read"), MOVE, BACK, ROOT],
        Screen::UserList { .. } => vec![hint("line Enter", "select"), MOVE, BACK, ROOT, HELP],
        Screen::Keys(list) if list.removing => vec![hint("line Enter", "remove"), MOVE, BACK, ROOT],
        Screen::Keys(_) => vec![hint("Enter", "back"), MOVE, BACK, ROOT],
        Screen::Roots(_) if super::roots::is_hub(m) => vec![
            hint("line Enter", "revoke"),
            typed("A", "add a root key", Cmd::AddRoot),
            MOVE,
            BACK,
            ROOT,
        ],
        Screen::Roots(_) => vec![hint("line Enter", "remove"), MOVE, BACK, ROOT],
    }
}

/// The keys of the copy-friendly view; a paged one turns pages too.
fn view_commands(pager: Option<super::Pager>) -> Vec<Binding> {
    let mut keys = vec![hint("c", "copy"), hint("↑↓ PgUp PgDn", "scroll")];
    if let Some(pager) = pager {
        if pager.more {
            keys.push(typed("N", "older", Cmd::Older));
        }
        if pager.page > 0 {
            keys.push(typed("P", "newer", Cmd::Newer));
        }
    }
    keys.extend([hint("Enter", "back"), BACK, ROOT]);
    keys
}

/// The keys of a prompt that takes a value or an answer.
fn prompt_commands(prompt: Prompt<'_>) -> Vec<Binding> {
    match prompt {
        Prompt::Setup(setup) => match setup.step {
            SetupStep::Role => vec![hint("1-3", "choose"), MOVE, typed("X", "exit", Cmd::Exit)],
            SetupStep::Hostname => vec![hint("Enter", "accept"), hint("Esc", "previous step")],
            SetupStep::Platform => vec![hint("1-3", "choose"), MOVE, hint("Esc", "previous step")],
        },
        Prompt::Edit(_) => vec![
            hint("Enter", "save"),
            hint("Esc", "cancel"),
            hint("Ctrl-C", "cancel"),
        ],
        Prompt::Form(form) if !form.field().choices.is_empty() => {
            vec![
                hint("line Enter", "choose"),
                MOVE,
                hint("Esc", "previous question"),
                hint("Ctrl-C", "cancel"),
            ]
        }
        Prompt::Form(_) => vec![
            hint("Enter", "accept"),
            hint("Esc", "previous question"),
            hint("Ctrl-C", "cancel"),
        ],
        Prompt::Paste(d) if d.purpose == TextFor::AuthorizedKey => vec![
            hint("paste", "the key"),
            hint("empty line/Ctrl-D", "end typed text"),
            hint("Esc", "cancel"),
        ],
        Prompt::Paste(_) => vec![
            hint("paste", "PEM text"),
            hint("Ctrl-D", "end typed text"),
            hint("Esc", "cancel"),
        ],
        Prompt::Confirm(_) => vec![
            hint("y Enter", "confirm"),
            hint("Enter", "decline"),
            hint("Esc", "cancel"),
        ],
    }
}
