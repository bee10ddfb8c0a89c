//! The console's state and its pure `update`: messages in, state changed, effects out.
//! No file, clock or terminal access here: the executor in `app.rs` runs the effects.

mod actions;
mod bindings;
pub mod confirm;
mod form;
mod input;
mod messages;
mod nav;
pub mod outcome;
mod paste;
mod requests;
mod roots;
mod settings;
mod setup;
mod ssh;
mod steps;
mod tls;
mod tls_check;
mod update;
mod view;

use crate::appliance::catalogue::Component;
use crate::appliance::status::Snapshot;
use crate::menu::MenuTree;
use crate::termcaps::{Caps, Glyphs};
use crate::texts::Lang;
use crate::transfer::sftp::Peer;

pub use bindings::{Binding, Cmd, commands};
pub use form::{Check, CheckFn, Field, Form, FormFor, IssueTarget};
pub use input::{PromptId, QUIET_AFTER_PASTE, Settle, Sight};
pub use messages::{Abandon, Effect, Failure, Key, Msg, Outcome, Start, TransferOp};
pub use outcome::{
    Ended, Finished, KeysDone, Made, Shown, Step, TlsDone, audit_failure_text, clipboard_elsewhere,
    console_panicked, forward_failure_text, step_panicked,
};
pub use paste::{PasteDialog, TextFor};
pub use requests::Files;
pub use roots::RootList;
pub use setup::{SETUP_ROLES, Setup, SetupStep, setup_role};
pub use ssh::{KeyList, KeyListKind, TransferFailure};
pub use update::update;
pub use view::{PAGE_LINES, Paged, Pager, View, message_layout, message_lines};

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub title: String,
    /// The seed's warning, or what is about to happen.
    pub warning: String,
    pub question: String,
    pub on_yes: Start,
}

/// A setting being edited or added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub component: Component,
    pub name: &'static str,
    /// The value Enter accepts: the current one, or the default when adding.
    pub default: Option<String>,
    pub adding: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Setup(Setup),
    Menu {
        id: String,
        cursor: usize,
    },
    Status,
    Users,
    Help,
    Components {
        cursor: usize,
    },
    Settings {
        component: Component,
        cursor: usize,
    },
    AddSetting {
        component: Component,
        cursor: usize,
    },
    Edit(Edit),
    Confirm(Confirm),
    Form(Form),
    View(View),
    Paste(PasteDialog),
    Files(Files),
    /// TanOS users by line number; the one chosen opens `menu`.
    UserList {
        menu: String,
        cursor: usize,
    },
    Keys(KeyList),
    /// The Tanium Server's root keys.
    Roots(RootList),
}

impl Screen {
    /// The prompt this screen is, when it takes a value or an answer; `None` for
    /// the screens that take a menu selection.
    pub fn prompt(&self) -> Option<Prompt<'_>> {
        match self {
            Screen::Setup(setup) => Some(Prompt::Setup(setup)),
            Screen::Edit(edit) => Some(Prompt::Edit(edit)),
            Screen::Confirm(confirm) => Some(Prompt::Confirm(confirm)),
            Screen::Form(form) => Some(Prompt::Form(form)),
            Screen::Paste(paste) => Some(Prompt::Paste(paste)),
            Screen::Menu { .. }
            | Screen::Status
            | Screen::Users
            | Screen::Help
            | Screen::Components { .. }
            | Screen::Settings { .. }
            | Screen::AddSetting { .. }
            | Screen::View(_)
            | Screen::Files(_)
            | Screen::UserList { .. }
            | Screen::Keys(_)
            | Screen::Roots(_) => None,
        }
    }

    /// Screens whose prompt takes a menu selection (as opposed to a value or an answer).
    pub fn takes_selection(&self) -> bool {
        self.prompt().is_none()
    }

    /// Steps of a flow, left when the flow ends; menus and lists stay.
    fn is_transient(&self) -> bool {
        match self {
            Screen::Edit(_)
            | Screen::Confirm(_)
            | Screen::AddSetting { .. }
            | Screen::Form(_)
            | Screen::Paste(_)
            | Screen::Files(_)
            | Screen::Keys(_)
            | Screen::Roots(_) => true,
            Screen::Setup(_)
            | Screen::Menu { .. }
            | Screen::Status
            | Screen::Users
            | Screen::Help
            | Screen::Components { .. }
            | Screen::Settings { .. }
            | Screen::View(_)
            | Screen::UserList { .. } => false,
        }
    }
}

/// A screen that takes a value or an answer, borrowed from it.
#[derive(Debug, Clone, Copy)]
pub enum Prompt<'a> {
    Setup(&'a Setup),
    Edit(&'a Edit),
    Confirm(&'a Confirm),
    Form(&'a Form),
    Paste(&'a PasteDialog),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub error: bool,
    pub text: String,
    /// First row shown of a message longer than the screen.
    pub scroll: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The appliance root, as shown to the operator.
    pub root: String,
    pub menus: MenuTree,
    pub snapshot: Option<Snapshot>,
    pub stack: Vec<Screen>,
    /// What the operator typed at the prompt.
    pub input: String,
    pub flash: Option<Flash>,
    pub size: (u16, u16),
    /// Set while an effect runs; keys wait.
    pub busy: Option<String>,
    /// The running effect may be abandoned with Esc (key generation).
    pub cancellable: bool,
    /// What Esc abandons while it may.
    pub abandon: Option<Abandon>,
    /// Results of abandoned effects still to come: each is dropped when it arrives.
    pub discard: usize,
    /// Progress animation frame, advanced by `Msg::Tick` while busy.
    pub tick: usize,
    /// The TanOS user chosen in SSH Key Management.
    pub user: Option<String>,
    /// The SFTP peer used last in this session, offered as the default.
    pub peer: Option<Peer>,
    pub quit: bool,
    /// Why the console ended, when it was not the operator's choice (printed after exit).
    pub goodbye: Option<Ended>,
    /// First line shown of a confirmation longer than the screen.
    pub confirm_scroll: usize,
    /// A paste arrived and the terminal's input has not gone quiet since: keys are ignored.
    pub settling: bool,
    /// Keys ignored while a paste settled or the screen was hidden, told when it ends.
    pub ignored: usize,
    /// What the terminal last showed of the prompt: keys answer only a prompt seen.
    pub sight: Sight,
    /// Counts the prompts put up: a new one has to be drawn before keys answer it.
    pub prompt_gen: u64,
    /// What the terminal shows (glyphs, colours): chosen at start, never changed by
    /// `update`; drawing and the scroll bounds read it.
    pub caps: Caps,
    /// The operator's language: chosen at start with `caps`, never changed by `update`.
    pub lang: Lang,
}

/// Idle logout when the setting cannot be read.
pub const DEFAULT_IDLE_SECS: u64 = 600;

/// The smallest terminal the console draws in.
pub const MIN_SIZE: (u16, u16) = (80, 24);
const SELECTION_MAX: usize = 8;
const VALUE_MAX: usize = 1024;

impl Model {
    /// The console on an existing appliance.
    pub fn console(menus: MenuTree, root: String, snapshot: Snapshot) -> Model {
        Model::with_screen(menus, root, Some(snapshot), Model::root_screen())
    }

    /// The first-run setup on an empty root.
    pub fn first_run(menus: MenuTree, root: String, default_hostname: String) -> Model {
        Model::with_screen(
            menus,
            root,
            None,
            Screen::Setup(Setup::new(default_hostname)),
        )
    }

    fn with_screen(
        menus: MenuTree,
        root: String,
        snapshot: Option<Snapshot>,
        screen: Screen,
    ) -> Model {
        Model {
            root,
            menus,
            snapshot,
            stack: vec![screen],
            input: String::new(),
            flash: None,
            size: MIN_SIZE,
            busy: None,
            cancellable: false,
            abandon: None,
            discard: 0,
            tick: 0,
            user: None,
            peer: None,
            quit: false,
            goodbye: None,
            confirm_scroll: 0,
            settling: false,
            ignored: 0,
            sight: Sight::Unreported,
            prompt_gen: 0,
            caps: Caps::default(),
            lang: Lang::default(),
        }
    }

    /// The model drawn for a terminal with `caps`.
    pub fn with_caps(mut self, caps: Caps) -> Model {
        self.caps = caps;
        self
    }

    /// The model speaking `lang`.
    pub fn with_lang(mut self, lang: Lang) -> Model {
        self.lang = lang;
        self
    }

    /// The glyph set the screens are drawn with.
    pub fn glyphs(&self) -> Glyphs {
        self.caps.glyphs
    }

    /// The voice the console speaks in: its language, in ASCII letters when its glyphs are.
    pub fn voice(&self) -> crate::texts::Voice {
        crate::texts::Voice {
            lang: self.lang,
            ascii: self.caps.glyphs == Glyphs::Ascii,
        }
    }

    pub fn screen(&self) -> &Screen {
        // The stack is never empty: `back` keeps the first screen.
        &self.stack[self.stack.len() - 1]
    }

    fn screen_mut(&mut self) -> &mut Screen {
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    /// The idle logout delay of this appliance, from Configuration Settings.
    pub fn idle_timeout_secs(&self) -> u64 {
        let configured = self
            .snapshot
            .as_ref()
            .and_then(|s| s.settings.as_ref().ok())
            .and_then(|s| {
                match s.get(
                    crate::appliance::catalogue::Component::Console,
                    "IdleTimeoutSeconds",
                ) {
                    Some(crate::appliance::catalogue::Value::Dword(n)) => Some(u64::from(*n)),
                    _ => None,
                }
            });
        configured.unwrap_or(DEFAULT_IDLE_SECS)
    }

    pub fn at_root(&self) -> bool {
        self.stack.len() == 1
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_SIZE.0 || self.size.1 < MIN_SIZE.1
    }

    fn info(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            error: false,
            text: text.into(),
            scroll: 0,
        });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            error: true,
            text: text.into(),
            scroll: 0,
        });
    }

    fn push(&mut self, screen: Screen) {
        self.input.clear();
        self.confirm_scroll = 0;
        self.prompt_gen += 1;
        self.stack.push(screen);
    }

    fn back(&mut self) {
        self.input.clear();
        self.prompt_gen += 1;
        if self.stack.len() > 1 {
            self.stack.pop();
        }
    }

    fn input_limit(&self) -> usize {
        if let Screen::Form(form) = self.screen() {
            form.field().max_len
        } else if self.screen().takes_selection() {
            SELECTION_MAX
        } else {
            VALUE_MAX
        }
    }
}
