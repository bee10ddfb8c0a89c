//! SSH key management (SPEC §4.1) and SFTP transfers (§4.2 push, §4.4 pull) as the console
//! runs them.

use super::form::peer_form;
use super::paste::{TextFor, refuse};
use super::update::{finish, start, take_discard};
use super::{Confirm, Effect, Model, Outcome, PasteDialog, Pending, Screen, nav::line_number};
use crate::appliance::Layout;
use crate::menu::Action;
use crate::sshkeys::authorized::parse_pasted;
use crate::transfer::sftp::Peer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyListKind {
    Authorized,
    KnownHosts,
}

/// A user's authorized keys or tanadmin's known hosts, listed or offered for removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyList {
    pub kind: KeyListKind,
    pub user: String,
    /// `None` until read.
    pub rows: Option<Vec<String>>,
    pub cursor: usize,
    /// Choosing a line removes it (after confirmation).
    pub removing: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferOp {
    /// `/outgoing/reporting.crt` (and `tanium.pub`) from the Tanium Server into /incoming,
    /// then the install checks.
    PullCertificate,
    /// `zoneserver/reporting.csr` to the Tanium Server's `/incoming`.
    PushCsr,
}

impl TransferOp {
    pub fn label(self) -> &'static str {
        match self {
            TransferOp::PullCertificate => "Pull the signed certificate",
            TransferOp::PushCsr => "Push the CSR",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferFailure {
    /// The peer's host key is not in known_hosts: the operator decides.
    UnknownHost {
        host: String,
        key_type: String,
        fingerprint: String,
    },
    Failed(String),
}

pub(super) fn pick_user(m: &mut Model, menu: &str, cursor: usize, text: &str) -> Vec<Effect> {
    let users = Layout::USERS;
    let picked = if text.is_empty() {
        Some(cursor.min(users.len() - 1))
    } else {
        line_number(text, users.len())
    };
    match picked {
        Some(i) => {
            m.user = Some(users[i].to_string());
            m.push(Screen::Menu {
                id: menu.to_string(),
                cursor: 0,
            });
            vec![Effect::Load]
        }
        None => {
            m.error(format!(
                "'{text}' is not a line number here (1-{}).",
                users.len()
            ));
            Vec::new()
        }
    }
}

fn key_list(m: &mut Model, kind: KeyListKind, user: String, removing: bool) -> Vec<Effect> {
    m.push(Screen::Keys(KeyList {
        kind,
        user: user.clone(),
        rows: None,
        cursor: 0,
        removing,
    }));
    vec![Effect::ListKeys { kind, user }]
}

/// The actions of the user key menu and the SFTP items.
pub(super) fn open(m: &mut Model, action: Action) -> Vec<Effect> {
    let user = m
        .user
        .clone()
        .unwrap_or_else(|| Layout::USERS[0].to_string());
    let has_key = m
        .snapshot
        .as_ref()
        .and_then(|s| s.users.iter().find(|u| u.user == user))
        .is_some_and(|u| u.key.is_some());
    match action {
        Action::GenerateKeypair if has_key => {
            let warning = format!(
                "{user} already has a key pair. The new one replaces it; the old pair is kept as .bak files.\nAppliances that trust the old public key (in their tancopy authorized keys) refuse the new one until it is added there."
            );
            m.push(Screen::Confirm(Confirm {
                title: format!("New key pair for {user}"),
                warning,
                question: "Generate a new key pair?".into(),
                on_yes: Pending::GenerateKeypair { user },
            }));
            Vec::new()
        }
        Action::GenerateKeypair => start(
            m,
            format!("Generating {user}'s key pair…"),
            Effect::GenerateKeypair { user },
        ),
        Action::ShowPublicKey if !has_key => {
            m.error(format!("{user} has no key pair yet: 1 generates one."));
            Vec::new()
        }
        Action::ShowPublicKey => {
            let rel = format!("home/{user}/.ssh/{}", crate::sshkeys::PUBLIC_KEY_FILE);
            start(
                m,
                format!("Reading {rel}…"),
                Effect::ShowFile {
                    rel,
                    title: format!("{user}'s public key"),
                },
            )
        }
        Action::ListAuthorizedKeys => key_list(m, KeyListKind::Authorized, user, false),
        Action::RemoveAuthorizedKey => key_list(m, KeyListKind::Authorized, user, true),
        Action::KnownHosts => key_list(
            m,
            KeyListKind::KnownHosts,
            Layout::USERS[0].to_string(),
            true,
        ),
        Action::AddAuthorizedKey => {
            m.push(Screen::Paste(PasteDialog::new(TextFor::AuthorizedKey)));
            Vec::new()
        }
        Action::SftpPull => {
            m.push(Screen::Form(peer_form(
                TransferOp::PullCertificate,
                m.peer.as_ref(),
            )));
            Vec::new()
        }
        Action::SftpPush => {
            m.push(Screen::Form(peer_form(
                TransferOp::PushCsr,
                m.peer.as_ref(),
            )));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

pub(super) fn listed(m: &mut Model, kind: super::KeyListKind, result: Result<Vec<String>, String>) {
    match (m.screen_mut(), result) {
        (Screen::Keys(list), Ok(rows)) if list.kind == kind => list.rows = Some(rows),
        (Screen::Keys(_), Err(e)) => {
            m.back();
            m.error(e);
        }
        _ => {}
    }
}

pub(super) fn pick_key(m: &mut Model, list: KeyList, text: &str) -> Vec<Effect> {
    let rows = list.rows.clone().unwrap_or_default();
    if !list.removing {
        if text.is_empty() {
            m.back();
        } else {
            m.error(format!(
                "'{text}' is not a choice here: Enter or B goes back."
            ));
        }
        return Vec::new();
    }
    let picked = if text.is_empty() {
        None
    } else {
        line_number(text, rows.len())
    };
    let Some(i) = picked else {
        if text.is_empty() {
            m.back();
        } else {
            m.error(format!(
                "'{text}' is not a line number here (1-{}).",
                rows.len()
            ));
        }
        return Vec::new();
    };
    let line = i + 1;
    let (title, what, on_yes) = match list.kind {
        KeyListKind::Authorized => (
            format!("Remove a key of {}", list.user),
            format!(
                "Line {line}: {}\nLogins with this key are refused from now on.",
                rows[i]
            ),
            Pending::RemoveAuthorized {
                user: list.user.clone(),
                line,
                row: rows[i].clone(),
            },
        ),
        KeyListKind::KnownHosts => (
            "Forget a host key".to_string(),
            format!(
                "Line {line}: {}\nThe next connection to this host asks again whether to trust its key.",
                rows[i]
            ),
            Pending::RemoveKnownHost {
                line,
                row: rows[i].clone(),
            },
        ),
    };
    m.push(Screen::Confirm(Confirm {
        title,
        warning: what,
        question: "Remove it?".into(),
        on_yes,
    }));
    Vec::new()
}

/// A public key pasted for the chosen user's authorized_keys.
pub(super) fn received_key(m: &mut Model, text: &str) -> Vec<Effect> {
    let user = m
        .user
        .clone()
        .unwrap_or_else(|| Layout::USERS[1].to_string());
    match parse_pasted(text) {
        Ok(key) => {
            let options = key
                .options
                .as_ref()
                .map(|o| format!("\nOptions: {o}"))
                .unwrap_or_default();
            let warning = format!(
                "{} {}\nComment: {}{options}\nThe holder of the matching private key can log in as {user} (SFTP to the transfer area).",
                key.kind(),
                key.fingerprint(),
                if key.comment().is_empty() {
                    "(none)"
                } else {
                    key.comment()
                }
            );
            let confirm = Confirm {
                title: format!("Authorize a key for {user}"),
                warning,
                question: "Add this key?".into(),
                on_yes: Pending::AddAuthorized {
                    user,
                    text: text.to_string(),
                },
            };
            m.push(Screen::Confirm(confirm));
        }
        Err(e) => refuse(m, format!("The key was refused: {e}")),
    }
    Vec::new()
}

/// Starts an SFTP transfer; Esc abandons it.
pub(super) fn start_transfer(
    m: &mut Model,
    op: TransferOp,
    peer: Peer,
    trust: Option<String>,
) -> Vec<Effect> {
    m.peer = Some(peer.clone());
    m.busy = Some(format!(
        "{} over SFTP with {peer}… (Esc cancels)",
        op.label()
    ));
    m.cancellable = true;
    vec![Effect::Transfer { op, peer, trust }]
}

pub(super) fn transferred(
    m: &mut Model,
    op: TransferOp,
    peer: Peer,
    result: Result<(), TransferFailure>,
) -> Vec<Effect> {
    if take_discard(m) {
        return Vec::new();
    }
    m.busy = None;
    m.cancellable = false;
    match (result, op) {
        (Ok(()), TransferOp::PullCertificate) => {
            m.info(format!(
                "Downloaded reporting.crt from {peer} into /incoming; checking it…"
            ));
            start(
                m,
                "Reading /incoming/reporting.crt…",
                Effect::ReadIncoming {
                    name: "reporting.crt".into(),
                    purpose: TextFor::Cert,
                },
            )
        }
        (Ok(()), TransferOp::PushCsr) => {
            let message = format!(
                "reporting.csr pushed to {}:/incoming; import it there with 2 › Z › 2 › 1.",
                peer.host
            );
            finish(
                m,
                Ok(Outcome {
                    message,
                    snapshot: None,
                    view: None,
                }),
            );
            Vec::new()
        }
        (
            Err(TransferFailure::UnknownHost {
                host,
                key_type,
                fingerprint,
            }),
            _,
        ) => {
            let warning = format!(
                "The authenticity of host {host} can't be established.\nIts {key_type} host key fingerprint is:\n{fingerprint}\nCompare it with 'SFTP host key' on that appliance's Tanium Status. Answer y only if they are identical: the key is recorded in tanadmin's known_hosts."
            );
            m.push(Screen::Confirm(Confirm {
                title: "Unknown host".into(),
                warning,
                question: "Trust this host and connect?".into(),
                on_yes: Pending::TrustHost {
                    op,
                    peer,
                    fingerprint,
                },
            }));
            Vec::new()
        }
        (Err(TransferFailure::Failed(e)), _) => {
            finish(m, Err(e));
            Vec::new()
        }
    }
}
