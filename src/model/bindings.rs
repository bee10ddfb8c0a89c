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
    /// The key as typed; a key named in words is a text key (`keys.line_enter`,
    /// `keyname.enter`).
    pub key: &'static str,
    /// The text key of what the key does (`hint.back`), in the operator's language when drawn.
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

impl Binding {
    /// Whether the key is named in words, a text in the operator's language (`Enter`,
    /// `Entrée`), rather than shown as typed (`B`, `RR`, `↑↓`).
    pub fn in_words(&self) -> bool {
        self.key.starts_with("keys.") || self.key.starts_with("keyname.")
    }
}

const fn hint(key: &'static str, label: &'static str) -> Binding {
    Binding {
        key,
        label,
        cmd: None,
    }
}

const BACK: Binding = typed("B", "hint.back", Cmd::Back);
const ROOT: Binding = typed("RR", "hint.root_menu", Cmd::Root);
const HELP: Binding = typed("?", "hint.help", Cmd::Help);
const MOVE: Binding = hint("↑↓", "hint.move");

/// The bindings of the current screen, in footer order.
pub fn commands(m: &Model) -> Vec<Binding> {
    let mut bindings = screen_commands(m);
    if m.message_overflow() > 0 {
        bindings.insert(0, hint("keyname.pages", "hint.read_the_message"));
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
            hint("keys.key_enter", "hint.select"),
            MOVE,
            typed("X", "hint.exit", Cmd::Exit),
            HELP,
        ],
        Screen::Menu { .. } => vec![
            hint("keys.key_enter", "hint.select"),
            MOVE,
            BACK,
            ROOT,
            HELP,
        ],
        Screen::Status | Screen::Users => {
            vec![hint("keyname.enter", "hint.back"), BACK, ROOT, HELP]
        }
        Screen::Help => vec![hint("keyname.enter", "hint.back"), BACK, ROOT],
        Screen::Components { .. } | Screen::AddSetting { .. } => {
            vec![
                hint("keys.line_enter", "hint.select"),
                MOVE,
                BACK,
                ROOT,
                HELP,
            ]
        }
        Screen::Settings { .. } => {
            vec![
                hint("keys.line_enter", "hint.edit"),
                typed("A", "hint.add_a_setting", Cmd::Add),
                MOVE,
                BACK,
                ROOT,
                HELP,
            ]
        }
        Screen::View(view) => view_commands(view.pager),
        Screen::Files(files) => files_commands(files),
        Screen::UserList { .. } => vec![
            hint("keys.line_enter", "hint.select"),
            MOVE,
            BACK,
            ROOT,
            HELP,
        ],
        Screen::Keys(list) => keys_commands(list),
        Screen::Roots(_) => roots_commands(super::roots::is_hub(m)),
    }
}

/// /incoming's requests: `A` while some are pending.
fn files_commands(files: &super::Files) -> Vec<Binding> {
    let mut keys = vec![hint("keys.line_enter", "hint.read")];
    if !files.pending().is_empty() {
        keys.push(typed("A", "hint.issue_all_pending", Cmd::IssueAll));
    }
    keys.extend([MOVE, BACK, ROOT]);
    keys
}

/// Authorized keys or known hosts, listed or offered for removal.
fn keys_commands(list: &super::KeyList) -> Vec<Binding> {
    let first = if list.removing {
        hint("keys.line_enter", "hint.remove")
    } else {
        hint("keyname.enter", "hint.back")
    };
    vec![first, MOVE, BACK, ROOT]
}

/// The Tanium Server's root keys (revoke, add), or those a Zone Server trusts (remove).
fn roots_commands(hub: bool) -> Vec<Binding> {
    if !hub {
        return vec![hint("keys.line_enter", "hint.remove"), MOVE, BACK, ROOT];
    }
    vec![
        hint("keys.line_enter", "hint.revoke"),
        typed("A", "hint.add_a_root_key", Cmd::AddRoot),
        MOVE,
        BACK,
        ROOT,
    ]
}

/// The keys of the copy-friendly view; a paged one turns pages too.
fn view_commands(pager: Option<super::Pager>) -> Vec<Binding> {
    let mut keys = vec![
        hint("c", "hint.copy"),
        hint("keyname.scroll", "hint.scroll"),
    ];
    if let Some(pager) = pager {
        if pager.more {
            keys.push(typed("N", "hint.older", Cmd::Older));
        }
        if pager.page > 0 {
            keys.push(typed("P", "hint.newer", Cmd::Newer));
        }
    }
    keys.extend([hint("keyname.enter", "hint.back"), BACK, ROOT]);
    keys
}

/// The keys of a prompt that takes a value or an answer.
fn prompt_commands(prompt: Prompt<'_>) -> Vec<Binding> {
    match prompt {
        Prompt::Setup(setup) => match setup.step {
            SetupStep::Role => vec![
                hint("1-3", "hint.choose"),
                MOVE,
                typed("X", "hint.exit", Cmd::Exit),
            ],
            SetupStep::Hostname => vec![
                hint("keyname.enter", "hint.accept"),
                hint("keyname.esc", "hint.previous_step"),
            ],
            SetupStep::Platform => vec![
                hint("1-3", "hint.choose"),
                MOVE,
                hint("keyname.esc", "hint.previous_step"),
            ],
        },
        Prompt::Edit(_) => vec![
            hint("keyname.enter", "hint.save"),
            hint("keyname.esc", "hint.cancel"),
            hint("Ctrl-C", "hint.cancel"),
        ],
        Prompt::Form(form) if !form.field().choices.is_empty() => {
            vec![
                hint("keys.line_enter", "hint.choose"),
                MOVE,
                hint("keyname.esc", "hint.previous_question"),
                hint("Ctrl-C", "hint.cancel"),
            ]
        }
        Prompt::Form(_) => vec![
            hint("keyname.enter", "hint.accept"),
            hint("keyname.esc", "hint.previous_question"),
            hint("Ctrl-C", "hint.cancel"),
        ],
        Prompt::Paste(d) if d.purpose == TextFor::AuthorizedKey => vec![
            hint("keys.paste", "hint.the_key"),
            hint("keys.empty_line_ctrl_d", "hint.end_typed_text"),
            hint("keyname.esc", "hint.cancel"),
        ],
        Prompt::Paste(_) => vec![
            hint("keys.paste", "hint.pem_text"),
            hint("Ctrl-D", "hint.end_typed_text"),
            hint("keyname.esc", "hint.cancel"),
        ],
        Prompt::Confirm(_) => vec![
            hint("keys.yes_enter", "hint.confirm"),
            hint("keyname.enter", "hint.decline"),
            hint("keyname.esc", "hint.cancel"),
        ],
    }
}
