//! Where the operator goes next, named by its key path in the shipped menus: the model adds
//! the path to a message, so no key path is written by hand anywhere.

use super::Model;
use crate::appliance::{Addon, ApplianceConfig, Layout, Role};
use crate::menu::{Action, Target};

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
    pub const ALL: [Step; 9] = [
        Step::GenerateCsr,
        Step::ImportRoot,
        Step::PushCsr,
        Step::GenerateTanadminKey,
        Step::ForgetHostKey,
        Step::AuthorizeOnPeer,
        Step::ImportCsrOnServer,
        Step::PasteCsrOnServer,
        Step::PasteCertOnZone,
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
            Step::ImportCsrOnServer => {
                (Target::Submenu("import_csr".into()), None, On::TaniumServer)
            }
            Step::PasteCsrOnServer => (action(Action::PasteCsr), None, On::TaniumServer),
            Step::PasteCertOnZone => (action(Action::PasteCert), None, On::ZoneServer),
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

impl Model {
    /// The appliance whose menus `step` is taken in.
    fn config_for(&self, on: On) -> ApplianceConfig {
        let here = self.snapshot.as_ref().map(|s| &s.config);
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

    /// `message`, with the key path of the step to take first when there is one.
    pub fn with_step(&self, message: &str, first: Option<Step>) -> String {
        match first {
            Some(step) => format!("{message} ({})", self.key_path(step)),
            None => message.to_string(),
        }
    }

    /// The key path of `step` ("2 › Z › 1"), from the shipped menus.
    pub fn key_path(&self, step: Step) -> String {
        let (target, user, on) = step.target();
        self.menus
            .path_to(&target, &self.config_for(on), user)
            .map(|keys| keys.join(" › "))
            .unwrap_or_else(|| "the menus".into())
    }
}
