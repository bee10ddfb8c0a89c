//! First-run setup on an empty root: role, hostname, platform, confirmation, then `init`.

use super::{Confirm, Effect, Model, Screen, Start};
use crate::appliance::init::InitOptions;
use crate::appliance::status::Snapshot;
use crate::appliance::{Platform, Role};
use crate::hostname::validate_hostname;
use crate::say;
use crate::texts::Voice;

/// The roles offered, as (role, Zone Server Hub add-on).
pub const SETUP_ROLES: [(Role, bool); 3] = [
    (Role::TaniumServer, false),
    (Role::TaniumServer, true),
    (Role::ZoneServer, false),
];

/// The role of line `line` of `SETUP_ROLES` as the operator reads it.
pub fn setup_role(v: Voice, line: usize) -> String {
    match SETUP_ROLES.get(line) {
        Some((Role::TaniumServer, false)) => say!(v; "model.setup.role_tanium_server"),
        Some((Role::TaniumServer, true)) => say!(v; "model.setup.role_tanium_server_hub"),
        Some((Role::ZoneServer, _)) => say!(v; "model.setup.role_zone_server"),
        None => String::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupStep {
    Role,
    Hostname,
    Platform,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    pub step: SetupStep,
    /// Highlighted line of the role or platform list.
    pub cursor: usize,
    pub role: usize,
    pub hostname: String,
    pub default_hostname: String,
    pub error: Option<String>,
}

impl Setup {
    pub fn new(default_hostname: String) -> Setup {
        Setup {
            step: SetupStep::Role,
            cursor: 0,
            role: 0,
            hostname: String::new(),
            default_hostname,
            error: None,
        }
    }

    /// The platform highlighted by default.
    pub fn default_platform_line() -> usize {
        Platform::ALL
            .iter()
            .position(|p| *p == Platform::DEFAULT)
            .unwrap_or(0)
    }
}

fn set(m: &mut Model, setup: Setup) {
    m.input.clear();
    *m.screen_mut() = Screen::Setup(setup);
}

pub(super) fn submit(m: &mut Model, mut setup: Setup, text: &str) -> Vec<Effect> {
    setup.error = None;
    match setup.step {
        SetupStep::Role => match choose(text, setup.cursor, SETUP_ROLES.len()) {
            Some(i) => {
                setup.role = i;
                setup.step = SetupStep::Hostname;
            }
            None => {
                setup.error =
                    Some(say!(m.voice(); "model.not_a_line", text = text, last = SETUP_ROLES.len()))
            }
        },
        SetupStep::Hostname => {
            let name = if text.is_empty() {
                setup.default_hostname.clone()
            } else {
                text.to_string()
            };
            match validate_hostname(&name) {
                Ok(()) => {
                    setup.hostname = name;
                    setup.step = SetupStep::Platform;
                    setup.cursor = Setup::default_platform_line();
                }
                Err(e) => setup.error = Some(e),
            }
        }
        SetupStep::Platform => match choose(text, setup.cursor, Platform::ALL.len()) {
            Some(i) => {
                confirm_creation(m, setup, Platform::ALL[i]);
                return Vec::new();
            }
            None => {
                setup.error = Some(
                    say!(m.voice(); "model.not_a_line", text = text, last = Platform::ALL.len()),
                )
            }
        },
    }
    set(m, setup);
    Vec::new()
}

/// The last question answered: what will be created, asked before anything is.
fn confirm_creation(m: &mut Model, setup: Setup, platform: Platform) {
    let (role, zone_hub) = SETUP_ROLES[setup.role];
    let opts = InitOptions {
        role,
        hostname: setup.hostname.clone(),
        platform,
        zone_hub,
        tanium_pub: None,
    };
    let v = m.voice();
    let label = setup_role(v, setup.role);
    let (hostname, root) = (&opts.hostname, &m.root);
    let warning = match role {
        Role::TaniumServer => say!(v; "model.setup.creates_tanium_server",
            role = label, hostname = hostname, platform = platform, root = root),
        Role::ZoneServer => say!(v; "model.setup.creates_zone_server",
            role = label, hostname = hostname, platform = platform, root = root),
    };
    let confirm = Confirm {
        title: say!(v; "model.setup.title"),
        warning,
        question: say!(v; "model.setup.question"),
        on_yes: Start::new(say!(v; "model.setup.busy"), Effect::Init(opts)),
    };
    set(m, setup);
    m.push(Screen::Confirm(confirm));
}

fn choose(text: &str, cursor: usize, len: usize) -> Option<usize> {
    if text.is_empty() {
        Some(cursor)
    } else {
        Model::line_number(text, len)
    }
}

/// Esc or Ctrl-C during setup: the previous step.
pub(super) fn step_back(m: &mut Model) {
    let Screen::Setup(mut setup) = m.screen().clone() else {
        return;
    };
    setup.error = None;
    setup.step = match setup.step {
        SetupStep::Role => {
            m.input.clear();
            m.info(say!(m.voice(); "model.setup.leave"));
            return;
        }
        SetupStep::Hostname => {
            setup.cursor = setup.role;
            SetupStep::Role
        }
        SetupStep::Platform => SetupStep::Hostname,
    };
    set(m, setup);
}

/// The executor's answer to `Effect::Init`.
pub(super) fn initialized(m: &mut Model, result: Result<Snapshot, String>) {
    match result {
        Ok(snapshot) => {
            let what = say!(m.voice(); "model.setup.created",
                role = snapshot.config.role_label(), hostname = snapshot.config.hostname);
            m.snapshot = Some(snapshot);
            m.stack = vec![Model::root_screen()];
            m.input.clear();
            m.info(what);
        }
        Err(e) => {
            m.stack.truncate(1);
            m.error(say!(m.voice(); "model.setup.not_created", reason = e));
        }
    }
}
