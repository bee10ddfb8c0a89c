//! Every menu action and what opening it does: the one table a new action is added to.

use super::{Confirm, Effect, KeyListKind, Model, PasteDialog, Screen, Start, TextFor};
use super::{TransferOp, requests, roots, ssh, tls, tls_check};
use crate::appliance::tls::{TS_ROOT_PUB, ZS_CSR};
use crate::menu::{Action, Target};
use crate::say;

/// Opens what an item points at; screens that show appliance data read it afresh.
pub(super) fn open(m: &mut Model, target: &Target) -> Vec<Effect> {
    match target {
        Target::Submenu(sub) => {
            m.push(Screen::Menu {
                id: sub.clone(),
                cursor: 0,
            });
            Vec::new()
        }
        Target::Users(menu) => screen(
            m,
            Screen::UserList {
                menu: menu.clone(),
                cursor: 0,
            },
        ),
        Target::Action(action) => run(m, *action),
    }
}

/// The action table (SPEC §4): one arm an action.
fn run(m: &mut Model, action: Action) -> Vec<Effect> {
    match action {
        Action::TaniumStatus => screen(m, Screen::Status),
        Action::ConfigurationSettings => screen(m, Screen::Components { cursor: 0 }),
        Action::UserOverview => screen(m, Screen::Users),
        Action::GenerateCsr => tls::open_csr_form(m),
        Action::ShowCsr => show(m, ZS_CSR, "reporting.csr"),
        Action::ImportCsrIncoming => requests::open(m),
        Action::PasteCsr => paste(m, TextFor::Csr),
        Action::IssuedCertificates => m.start(
            say!(m.voice(); "model.reading_issued"),
            Effect::ShowIssued { page: 0 },
        ),
        Action::ShowRootPublicKey => show(m, TS_ROOT_PUB, "tanium.pub"),
        Action::ImportCertIncoming => read(m, "reporting.crt", TextFor::Cert),
        Action::PasteCert => paste(m, TextFor::Cert),
        Action::ImportRootIncoming => read(m, "tanium.pub", TextFor::RootKey),
        Action::PasteRoot => paste(m, TextFor::RootKey),
        Action::RegenerateTls => regenerate_tls(m),
        Action::RootKeys | Action::TrustedRoots => roots::open(m),
        Action::GenerateKeypair => ssh::generate_keypair(m),
        Action::ShowPublicKey => ssh::show_public_key(m),
        Action::ListAuthorizedKeys => ssh::key_list(m, KeyListKind::Authorized, false),
        Action::AddAuthorizedKey => paste(m, TextFor::AuthorizedKey),
        Action::RemoveAuthorizedKey => ssh::key_list(m, KeyListKind::Authorized, true),
        Action::KnownHosts => ssh::key_list(m, KeyListKind::KnownHosts, true),
        Action::SftpPull => ssh::open_peer_form(m, TransferOp::PullCertificate),
        Action::SftpPush => ssh::open_peer_form(m, TransferOp::PushCsr),
        Action::AuditLog => m.start(
            say!(m.voice(); "model.reading_audit"),
            Effect::ShowAudit { page: 0 },
        ),
        Action::TlsSelfTest => tls_check::self_test(m),
        Action::TlsProbe => tls_check::open_peer_form(m),
    }
}

/// A screen of appliance data, read afresh.
fn screen(m: &mut Model, screen: Screen) -> Vec<Effect> {
    m.push(screen);
    vec![Effect::Load]
}

fn read(m: &mut Model, name: &str, purpose: TextFor) -> Vec<Effect> {
    m.start(
        say!(m.voice(); "model.reading_incoming", name = name),
        Effect::ReadIncoming {
            name: name.to_string(),
            purpose,
        },
    )
}

fn show(m: &mut Model, rel: &'static str, title: &str) -> Vec<Effect> {
    m.start(
        say!(m.voice(); "model.reading_file", path = rel),
        Effect::ShowFile {
            rel: rel.to_string(),
            title: title.to_string(),
        },
    )
}

fn paste(m: &mut Model, purpose: TextFor) -> Vec<Effect> {
    m.push(Screen::Paste(PasteDialog::new(purpose)));
    Vec::new()
}

fn regenerate_tls(m: &mut Model) -> Vec<Effect> {
    let v = m.voice();
    m.push(Screen::Confirm(Confirm {
        title: say!(v; "model.regenerate_tls.title"),
        warning: say!(v; "model.regenerate_tls.warning"),
        question: say!(v; "model.regenerate_tls.question"),
        on_yes: Start::new(say!(v; "model.regenerate_tls.busy"), Effect::RegenerateTls),
    }));
    Vec::new()
}
