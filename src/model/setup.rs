//! First-run setup on an empty root: role, hostname, platform, confirmation, then `init`.

use super::{Confirm, Effect, Model, Screen, Start};
use crate::appliance::init::InitOptions;
use crate::appliance::status::Snapshot;
use crate::appliance::{Platform, Role};
use crate::hostname::validate_hostname;

/// The roles offered, as (label, role, Zone Server Hub add-on).
pub const SETUP_ROLES: [(&str, Role, bool); 3] = [
    ("Tanium Server", Role::TaniumServer, false),
    (
        "Tanium Server with Zone Server Hub",
        Role::TaniumServer,
        true,
    ),
    ("Zone Server", Role::ZoneServer, false),
];

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
                setup.error = Some(format!(
                    "'{text}' is not a line number (1-{}).",
                    SETUP_ROLES.len()
                ))
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
                setup.error = Some(format!(
                    "'{text}' is not a line number (1-{}).",
                    Platform::ALL.len()
                ))
            }
        },
    }
    set(m, setup);
    Vec::new()
}

/// The last question answered: what will be created, asked before anything is.
fn confirm_creation(m: &mut Model, setup: Setup, platform: Platform) {
    let (label, role, zone_hub) = SETUP_ROLES[setup.role];
    let opts = InitOptions {
        role,
        hostname: setup.hostname.clone(),
        platform,
        zone_hub,
        tanium_pub: None,
    };
    let what = match role {
        Role::TaniumServer => {
            "a root key pair (tanium.pvk, tanium.pub, tanium-root.crt), a TLS key and certificate, "
        }
        Role::ZoneServer => "",
    };
    let confirm = Confirm {
        title: "Create the appliance".into(),
        warning: format!(
            "{label} '{}', platform {}, in {}.\nThis creates {what}tanadmin's SSH key pair and the default settings.",
            opts.hostname, opts.platform, m.root
        ),
        question: "Create it?".into(),
        on_yes: Start::new(
            "Creating the appliance: keys and certificates…",
            Effect::Init(opts),
        ),
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
            m.info("Type X and Enter to leave without creating the appliance.");
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
            let what = format!(
                "Appliance created: {} '{}'.",
                snapshot.config.role_label(),
                snapshot.config.hostname
            );
            m.snapshot = Some(snapshot);
            m.stack = vec![Model::root_screen()];
            m.input.clear();
            m.info(what);
        }
        Err(e) => {
            m.stack.truncate(1);
            m.error(format!("The appliance was not created: {e}"));
        }
    }
}
