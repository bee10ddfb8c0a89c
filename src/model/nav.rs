//! Moving through menus: selection by key or by highlighted line, cursor movement.

use super::{Confirm, Effect, Files, Key, Model, PasteDialog, Pending, Screen, SetupStep, TextFor};
use crate::appliance::catalogue::Component;
use crate::appliance::tls;
use crate::menu::{Action, ROOT, Target};

pub(super) fn root_screen() -> Screen {
    Screen::Menu {
        id: ROOT.to_string(),
        cursor: 0,
    }
}

pub(super) fn select_in_menu(m: &mut Model, id: &str, cursor: usize, text: &str) -> Vec<Effect> {
    let Some(snapshot) = &m.snapshot else {
        return Vec::new();
    };
    let visible = m.menus.visible(id, &snapshot.config);
    let item = if text.is_empty() {
        visible.get(cursor).copied()
    } else {
        visible
            .iter()
            .copied()
            .find(|i| i.key.eq_ignore_ascii_case(text))
    };
    let Some(item) = item else {
        if m.at_root() && (text.eq_ignore_ascii_case("B") || text.eq_ignore_ascii_case("RR")) {
            m.info("This is the root menu.");
        } else {
            m.error(format!(
                "'{text}' is not an item of this menu: type a key shown on the left."
            ));
        }
        return Vec::new();
    };
    let target = item.target.clone();
    open(m, &target)
}

/// Opens what an item points at; screens that show appliance data read it afresh.
pub(super) fn open(m: &mut Model, target: &Target) -> Vec<Effect> {
    let screen = match target {
        Target::Submenu(sub) => {
            m.push(Screen::Menu {
                id: sub.clone(),
                cursor: 0,
            });
            return Vec::new();
        }
        Target::Action(Action::TaniumStatus) => Screen::Status,
        Target::Action(Action::ConfigurationSettings) => Screen::Components { cursor: 0 },
        Target::Action(Action::UserOverview) => Screen::Users,
        Target::Users(menu) => {
            m.push(Screen::UserList {
                menu: menu.clone(),
                cursor: 0,
            });
            return vec![Effect::Load];
        }
        Target::Action(
            action @ (Action::GenerateKeypair
            | Action::ShowPublicKey
            | Action::ListAuthorizedKeys
            | Action::AddAuthorizedKey
            | Action::RemoveAuthorizedKey
            | Action::KnownHosts
            | Action::SftpPull
            | Action::SftpPush),
        ) => return super::ssh::open(m, *action),
        Target::Action(action) => return open_tls(m, *action),
    };
    m.push(screen);
    vec![Effect::Load]
}

/// The certificate actions (SPEC §4.2–4.4).
fn open_tls(m: &mut Model, action: Action) -> Vec<Effect> {
    let read = |m: &mut Model, name: &str, purpose: TextFor| {
        m.busy = Some(format!("Reading /incoming/{name}…"));
        vec![Effect::ReadIncoming {
            name: name.to_string(),
            purpose,
        }]
    };
    let list = |m: &mut Model, suffix: &'static str, purpose: TextFor| {
        m.push(Screen::Files(Files {
            purpose,
            suffix,
            names: None,
            cursor: 0,
        }));
        vec![Effect::ListIncoming { suffix, purpose }]
    };
    let show = |m: &mut Model, rel: &'static str, title: &str| {
        m.busy = Some(format!("Reading {rel}…"));
        vec![Effect::ShowFile {
            rel: rel.to_string(),
            title: title.to_string(),
        }]
    };
    match action {
        Action::AuditLog => {
            m.busy = Some("Reading the audit log…".into());
            vec![Effect::ShowAudit]
        }
        Action::GenerateCsr => {
            let host = m
                .snapshot
                .as_ref()
                .map_or_else(String::new, |s| s.config.hostname.clone());
            m.push(Screen::Form(super::form::csr_form(&host)));
            Vec::new()
        }
        Action::ShowCsr => show(m, tls::ZS_CSR, "reporting.csr"),
        Action::ShowRootPublicKey => show(m, tls::TS_ROOT_PUB, "tanium.pub"),
        Action::IssuedCertificates => {
            m.busy = Some("Reading the issued certificates…".into());
            vec![Effect::ShowIssued]
        }
        Action::ImportCsrIncoming => list(m, ".csr", TextFor::Csr),
        Action::PasteCsr => paste(m, TextFor::Csr),
        Action::ImportCertIncoming => read(m, "reporting.crt", TextFor::Cert),
        Action::PasteCert => paste(m, TextFor::Cert),
        Action::ImportRootIncoming => read(m, "tanium.pub", TextFor::RootKey),
        Action::PasteRoot => paste(m, TextFor::RootKey),
        Action::RegenerateTls => {
            let warning = "A new TLS key (tanium/reporting.pvk) and certificate (tanium/reporting.crt) signed by the root key replace the current ones, which are kept as .bak files. Do this when the root keys changed.".to_string();
            m.push(Screen::Confirm(Confirm {
                title: "Regenerate TLS key and certificate".into(),
                warning,
                question: "Regenerate them?".into(),
                on_yes: Pending::RegenerateTls,
            }));
            Vec::new()
        }
        // Opened by `open` and `ssh::open`.
        Action::TaniumStatus
        | Action::ConfigurationSettings
        | Action::UserOverview
        | Action::GenerateKeypair
        | Action::ShowPublicKey
        | Action::ListAuthorizedKeys
        | Action::AddAuthorizedKey
        | Action::RemoveAuthorizedKey
        | Action::KnownHosts
        | Action::SftpPull
        | Action::SftpPush => Vec::new(),
    }
}

fn paste(m: &mut Model, purpose: TextFor) -> Vec<Effect> {
    m.push(Screen::Paste(PasteDialog::new(purpose)));
    Vec::new()
}

/// How many lines the current screen's cursor moves over.
pub fn list_len(m: &Model) -> usize {
    let config = m.snapshot.as_ref().map(|s| &s.config);
    match (m.screen(), config) {
        (Screen::Setup(setup), _) => match setup.step {
            SetupStep::Role => super::SETUP_ROLES.len(),
            SetupStep::Platform => crate::appliance::Platform::ALL.len(),
            SetupStep::Hostname => 0,
        },
        (Screen::Menu { id, .. }, Some(config)) => m.menus.visible(id, config).len(),
        (Screen::Components { .. }, Some(config)) => Component::for_appliance(config).len(),
        (Screen::Settings { component, .. }, Some(config)) => m
            .snapshot
            .as_ref()
            .and_then(|s| s.settings.as_ref().ok())
            .map_or(0, |s| s.present(config, *component).len()),
        (Screen::AddSetting { component, .. }, Some(config)) => m
            .snapshot
            .as_ref()
            .and_then(|s| s.settings.as_ref().ok())
            .map_or(0, |s| s.addable(config, *component).len()),
        (Screen::Form(form), _) => form.field().choices.len(),
        (Screen::Files(files), _) => files.names.as_ref().map_or(0, Vec::len),
        (Screen::UserList { .. }, _) => crate::appliance::Layout::USERS.len(),
        (Screen::Keys(list), _) => list.rows.as_ref().map_or(0, Vec::len),
        _ => 0,
    }
}

pub(super) fn move_cursor(m: &mut Model, key: Key) {
    let len = list_len(m);
    if len == 0 {
        return;
    }
    let cursor = match m.screen_mut() {
        Screen::Menu { cursor, .. }
        | Screen::Components { cursor }
        | Screen::Settings { cursor, .. }
        | Screen::AddSetting { cursor, .. } => cursor,
        Screen::Setup(setup) => &mut setup.cursor,
        Screen::Form(form) => &mut form.cursor,
        Screen::UserList { cursor, .. } => cursor,
        Screen::Keys(list) => &mut list.cursor,
        Screen::Files(files) => &mut files.cursor,
        _ => return,
    };
    *cursor = match key {
        Key::Up => cursor.checked_sub(1).unwrap_or(len - 1),
        Key::Down => (*cursor + 1) % len,
        Key::PageUp | Key::Home => 0,
        Key::PageDown | Key::End => len - 1,
        _ => *cursor,
    };
}

/// A line number typed by the operator, 1-based, within `len`.
pub(super) fn line_number(text: &str, len: usize) -> Option<usize> {
    let n: usize = text.parse().ok()?;
    (1..=len).contains(&n).then(|| n - 1)
}
