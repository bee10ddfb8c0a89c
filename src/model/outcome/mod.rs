//! The sentences an operator reads about a finished step, and where to go next, named by
//! its key path in the shipped menus (no key path is written by hand anywhere).

mod fleet;
mod roots;
mod tls;
pub mod tls_check;

pub use fleet::*;
pub use roots::*;

use super::{Model, Outcome, View};
use crate::appliance::batch::BatchLine;
use crate::appliance::ledger;
use crate::appliance::roots::{Added, RootRow};
use crate::appliance::status::Snapshot;
use crate::appliance::{Addon, ApplianceConfig, Layout, Role};
use crate::menu::{Action, MenuTree, Target};
use crate::pki::CertSummary;

/// A step the operator takes, here or on the other appliance of the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Generate CSR, on this Zone Server.
    GenerateCsr,
    /// Import Tanium root public key, on this Zone Server.
    ImportRoot,
    /// Push the CSR over SFTP, on this Zone Server.
    PushCsr,
    /// tanadmin's key pair, here.
    GenerateTanadminKey,
    /// tanadmin's known hosts, here.
    ForgetHostKey,
    /// tancopy's authorized keys (add one) on the other appliance.
    AuthorizeOnPeer,
    /// Import a CSR from /incoming, on the Tanium Server.
    ImportCsrOnServer,
    /// Paste a CSR, on the Tanium Server.
    PasteCsrOnServer,
    /// Paste the signed certificate, on the Zone Server.
    PasteCertOnZone,
    /// The issued certificates, on the Tanium Server.
    IssuedList,
    /// Root key management, on the Tanium Server.
    HubRootKeys,
    /// The trusted root keys, on this Zone Server.
    TrustedRoots,
    /// Pull the signed certificate, on this Zone Server.
    PullCert,
}

/// Which appliance a step is taken on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    Here,
    Peer,
    TaniumServer,
    ZoneServer,
}

impl Step {
    pub const ALL: [Step; 13] = [
        Step::GenerateCsr,
        Step::ImportRoot,
        Step::PushCsr,
        Step::GenerateTanadminKey,
        Step::ForgetHostKey,
        Step::AuthorizeOnPeer,
        Step::ImportCsrOnServer,
        Step::PasteCsrOnServer,
        Step::PasteCertOnZone,
        Step::IssuedList,
        Step::HubRootKeys,
        Step::TrustedRoots,
        Step::PullCert,
    ];

    /// What the step is in the menus, the user a user list takes, and where it is taken.
    fn target(self) -> (Target, Option<&'static str>, On) {
        let [tanadmin, tancopy] = Layout::USERS;
        let action = |a| Target::Action(a);
        match self {
            Step::GenerateCsr => (action(Action::GenerateCsr), None, On::ZoneServer),
            Step::ImportRoot => (Target::Submenu("import_root".into()), None, On::ZoneServer),
            Step::PushCsr => (action(Action::SftpPush), None, On::ZoneServer),
            Step::GenerateTanadminKey => {
                (action(Action::GenerateKeypair), Some(tanadmin), On::Here)
            }
            Step::ForgetHostKey => (action(Action::KnownHosts), Some(tanadmin), On::Here),
            Step::AuthorizeOnPeer => (action(Action::AddAuthorizedKey), Some(tancopy), On::Peer),
            Step::ImportCsrOnServer => (action(Action::ImportCsrIncoming), None, On::TaniumServer),
            Step::PasteCsrOnServer => (action(Action::PasteCsr), None, On::TaniumServer),
            Step::PasteCertOnZone => (action(Action::PasteCert), None, On::ZoneServer),
            Step::IssuedList => (action(Action::IssuedCertificates), None, On::TaniumServer),
            Step::HubRootKeys => (action(Action::RootKeys), None, On::TaniumServer),
            Step::TrustedRoots => (action(Action::TrustedRoots), None, On::ZoneServer),
            Step::PullCert => (action(Action::SftpPull), None, On::ZoneServer),
        }
    }
}

/// An appliance of `role` as its menus see it: a Tanium Server with the Zone Server Hub.
fn appliance_of(role: Role, like: Option<&ApplianceConfig>) -> ApplianceConfig {
    ApplianceConfig {
        role,
        hostname: String::new(),
        platform: like.map_or(crate::appliance::Platform::DEFAULT, |c| c.platform),
        addons: match role {
            Role::TaniumServer => vec![Addon::ZoneHub],
            Role::ZoneServer => Vec::new(),
        },
    }
}

/// The appliance whose menus a step `on` is taken in, seen from `here`.
fn config_for(here: Option<&ApplianceConfig>, on: On) -> ApplianceConfig {
    let role = here.map_or(Role::ZoneServer, |c| c.role);
    match (on, here) {
        (On::Here, Some(config)) => config.clone(),
        (On::Here, None) => appliance_of(role, here),
        (On::Peer, _) => match role {
            Role::TaniumServer => appliance_of(Role::ZoneServer, here),
            Role::ZoneServer => appliance_of(Role::TaniumServer, here),
        },
        (On::TaniumServer, _) => appliance_of(Role::TaniumServer, here),
        (On::ZoneServer, _) => appliance_of(Role::ZoneServer, here),
    }
}

impl Model {
    /// `message`, with the key path of the step to take first when there is one.
    pub fn with_step(&self, message: &str, first: Option<Step>) -> String {
        match first {
            Some(step) => format!("{message} ({})", self.key_path(step)),
            None => message.to_string(),
        }
    }

    /// The key path of `step` ("2 › Z › 1"), from the shipped menus.
    pub fn key_path(&self, step: Step) -> String {
        path_of(&self.menus, self.snapshot.as_ref().map(|s| &s.config), step)
    }

    /// The sentences of a finished step, as this appliance's operator reads them.
    pub(super) fn outcome_of(&self, finished: Finished) -> Result<Outcome, String> {
        finished.outcome(&self.menus, self.snapshot.as_ref().map(|s| &s.config))
    }
}

/// What a step that changed or showed something did, as the executor found it: the model
/// writes every sentence the operator reads about it (`Finished::outcome`).
#[derive(Debug, Clone, PartialEq)]
pub enum Finished {
    /// A change made, and the appliance as it is now.
    Changed(Made, Box<Snapshot>),
    Shown(Shown),
    /// A file to show could not be read: `what` names it.
    Unreadable {
        what: String,
        error: String,
    },
}

/// A change made.
#[derive(Debug, Clone, PartialEq)]
pub enum Made {
    Tls(TlsDone),
    Keys(KeysDone),
}

/// The certificate steps (SPEC §4.2–4.4).
#[derive(Debug, Clone, PartialEq)]
pub enum TlsDone {
    CsrWritten {
        files: Vec<String>,
        key_fingerprint: String,
        csr_pem: String,
    },
    Issued {
        summary: CertSummary,
        cert_pem: String,
        /// Files written in /outgoing.
        files: Vec<String>,
    },
    /// The requests of /incoming issued at once, one line each.
    Batch(Vec<BatchLine>),
    /// A new signing root key.
    RootAdded(Added),
    /// A trusted root key revoked.
    RootRevoked(RootRow),
    /// An earlier root key a Zone Server no longer trusts.
    RootUntrusted(RootRow),
    Installed(CertSummary),
    RootTrusted(String),
    Regenerated(CertSummary),
}

/// The SSH key steps (SPEC §4.1).
#[derive(Debug, Clone, PartialEq)]
pub enum KeysDone {
    KeypairMade {
        user: String,
        fingerprint: String,
        public_key: String,
    },
    KeyAdded {
        user: String,
        fingerprint: String,
    },
    KeyRemoved {
        user: String,
        fingerprint: String,
    },
    HostForgotten(String),
}

/// What was read to be shown, nothing changed.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    File {
        rel: String,
        title: String,
        text: String,
    },
    Issued {
        page: usize,
        ledger: ledger::Page,
    },
    Audit {
        page: usize,
        lines: Vec<String>,
        more: bool,
    },
}

/// A message, and the text shown for copying, if any.
pub(super) type Sentences = (String, Option<View>);

impl Finished {
    /// The message and view the operator reads, key paths from `menus` as seen from `here`.
    pub fn outcome(
        self,
        menus: &MenuTree,
        here: Option<&ApplianceConfig>,
    ) -> Result<Outcome, String> {
        let at = |step: Step| path_of(menus, here, step);
        let (message, view) = match self {
            Finished::Changed(made, snapshot) => {
                let (message, view) = match made {
                    Made::Tls(done) => done.sentences(&at),
                    Made::Keys(done) => done.sentences(&at),
                };
                return Ok(Outcome {
                    message,
                    snapshot: Some(*snapshot),
                    view,
                });
            }
            Finished::Shown(shown) => (String::new(), Some(shown.view())),
            Finished::Unreadable { what, error } => {
                return Err(crate::say!(
                    "outcome.cannot_read",
                    what = what,
                    error = error
                ));
            }
        };
        Ok(Outcome {
            message,
            snapshot: None,
            view,
        })
    }
}

impl KeysDone {
    fn sentences(self, at: &dyn Fn(Step) -> String) -> Sentences {
        match self {
            KeysDone::KeypairMade {
                user,
                fingerprint,
                public_key,
            } => {
                let intro = vec![
                    crate::say!(
                        "outcome.keys.new_pair_intro",
                        user = user,
                        fingerprint = fingerprint
                    ),
                    crate::say!(
                        "outcome.keys.authorize_on_peer",
                        path = at(Step::AuthorizeOnPeer)
                    ),
                ];
                let title = crate::say!("outcome.keys.public_key_title", user = user);
                let view = View::new(title, intro, public_key);
                (
                    crate::say!("outcome.keys.new_pair", user = user),
                    Some(view),
                )
            }
            KeysDone::KeyAdded { user, fingerprint } => (
                crate::say!("outcome.keys.added", fingerprint = fingerprint, user = user),
                None,
            ),
            KeysDone::KeyRemoved { user, fingerprint } => (
                crate::say!(
                    "outcome.keys.removed",
                    fingerprint = fingerprint,
                    user = user
                ),
                None,
            ),
            KeysDone::HostForgotten(host) => (
                crate::say!("outcome.keys.host_forgotten", host = host),
                None,
            ),
        }
    }
}

impl Shown {
    fn view(self) -> View {
        match self {
            Shown::File { rel, title, text } => View::new(
                title,
                vec![crate::say!("outcome.file_intro", rel = rel)],
                text,
            ),
            Shown::Issued { page, ledger } => ledger_view(page, &ledger),
            Shown::Audit { page, lines, more } => audit_view(page, lines, more),
        }
    }
}

/// The key path of `step` in `menus`, seen from the appliance `here`.
fn path_of(menus: &MenuTree, here: Option<&ApplianceConfig>, step: Step) -> String {
    let (target, user, on) = step.target();
    menus
        .path_to(&target, &config_for(here, on), user)
        .map(|keys| keys.join(" › "))
        .unwrap_or_else(|| crate::say!("outcome.the_menus"))
}

/// Names joined as a sentence joins them: "a and b" ("a et b").
fn both(items: &[String]) -> String {
    let mut rest = items.iter();
    let first = rest.next().cloned().unwrap_or_default();
    rest.fold(first, |left, right| {
        crate::say!("outcome.and", left = left, right = right)
    })
}

/// Why the console ended when it was not the operator's choice; printed after exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// A hang-up or a termination signal.
    Signalled,
    /// The terminal went away (the SSH session dropped) while drawing or reading.
    TerminalClosed,
    /// No key press for IdleTimeoutSeconds.
    IdleTimeout { secs: u64 },
}

impl std::fmt::Display for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            Ended::Signalled => crate::say!("outcome.ended.signalled"),
            Ended::TerminalClosed => crate::say!("outcome.ended.terminal_closed"),
            Ended::IdleTimeout { secs } => crate::say!("outcome.ended.idle_timeout", secs = secs),
        };
        f.write_str(&text)
    }
}

/// A step that panicked on the worker: `what` is the panic's text, `log` the crash log's
/// path, both already escaped.
pub fn step_panicked(what: &str, log: &str) -> String {
    crate::say!("outcome.step_panicked", what = what, log = log)
}

/// The console itself panicked; `place` is the crash log's path (escaped), `None` when the
/// log could not be written.
pub fn console_panicked(info: &str, place: Option<&str>) -> String {
    let place = match place {
        Some(place) => place.to_string(),
        None => crate::say!("outcome.crash_log_nowhere"),
    };
    crate::say!("outcome.console_panicked", info = info, place = place)
}

/// The answer to a copy asked of the executor: the clipboard is the terminal's.
pub fn clipboard_elsewhere() -> String {
    crate::say!("outcome.clipboard_elsewhere")
}

/// The warning on Tanium Status while audit events are not forwarded: what failed and when
/// (`reason`, from the mark), where the events are, and which settings to check.
pub fn forward_failure_text(reason: &str) -> String {
    crate::say!("outcome.audit.not_forwarded", reason = reason)
}

/// The warning shown with a change, and on Tanium Status, while audit lines are not written.
pub fn audit_failure_text(reason: &str) -> String {
    crate::say!("outcome.audit.not_written", reason = reason)
}

/// The message when Esc abandoned a running step.
pub fn abandoned(what: Option<super::Abandon>) -> String {
    match what {
        Some(super::Abandon::KeyGeneration) | None => crate::say!("outcome.cancelled.key"),
        Some(super::Abandon::Transfer) => crate::say!("outcome.cancelled.transfer"),
        Some(super::Abandon::TlsCheck) => crate::say!("outcome.cancelled.tls_check"),
    }
}
