//! SSH key management (SPEC §4.1) and SFTP transfers (§4.2 push, §4.4 pull) as the console
//! runs them.

use std::net::IpAddr;

use super::form::{Field, Form, FormFor};
use super::paste::{TextFor, refuse};
use super::{Confirm, Effect, Model, Outcome, Screen, Start, Step, TransferOp};
use crate::appliance::Layout;
use crate::appliance::transfer::Moved;
use crate::say;
use crate::sshkeys::authorized::parse_pasted;
use crate::texts::Voice;
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferFailure {
    /// The peer's host key is not in known_hosts: the operator decides.
    UnknownHost {
        host: String,
        key_type: String,
        fingerprint: String,
    },
    Failed(String),
    /// Refused until the operator takes `first` (here or on the peer).
    Needs {
        message: String,
        first: Step,
    },
}

pub(super) fn pick_user(m: &mut Model, menu: &str, cursor: usize, text: &str) -> Vec<Effect> {
    let users = Layout::USERS;
    let picked = if text.is_empty() {
        Some(cursor.min(users.len() - 1))
    } else {
        Model::line_number(text, users.len())
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
            m.error(say!(m.voice(); "model.not_a_line_here", text = text, last = users.len()));
            Vec::new()
        }
    }
}

/// The user chosen in SSH Key Management, and whether that user has a key pair.
fn chosen_user(m: &Model) -> (String, bool) {
    let user = m
        .user
        .clone()
        .unwrap_or_else(|| Layout::USERS[0].to_string());
    let has_key = m
        .snapshot
        .as_ref()
        .and_then(|s| s.users.iter().find(|u| u.user == user))
        .is_some_and(|u| u.key.is_some());
    (user, has_key)
}

/// A user's authorized keys, or tanadmin's known hosts; `removing` offers lines to remove.
pub(super) fn key_list(m: &mut Model, kind: KeyListKind, removing: bool) -> Vec<Effect> {
    let user = match kind {
        KeyListKind::Authorized => chosen_user(m).0,
        KeyListKind::KnownHosts => Layout::USERS[0].to_string(),
    };
    m.push(Screen::Keys(KeyList {
        kind,
        user: user.clone(),
        rows: None,
        cursor: 0,
        removing,
    }));
    vec![Effect::ListKeys { kind, user }]
}

/// A new key pair for the chosen user; replacing one is confirmed first.
pub(super) fn generate_keypair(m: &mut Model) -> Vec<Effect> {
    let (user, has_key) = chosen_user(m);
    let v = m.voice();
    let start = Start::new(
        say!(v; "model.ssh.keypair_busy", user = user),
        Effect::GenerateKeypair { user: user.clone() },
    );
    if !has_key {
        return m.begin(start);
    }
    m.push(Screen::Confirm(Confirm {
        title: say!(v; "model.ssh.keypair_title", user = user),
        warning: say!(v; "model.ssh.keypair_warning", user = user),
        question: say!(v; "model.ssh.keypair_question"),
        on_yes: start,
    }));
    Vec::new()
}

/// The chosen user's public key, in the copy-friendly view.
pub(super) fn show_public_key(m: &mut Model) -> Vec<Effect> {
    let (user, has_key) = chosen_user(m);
    let v = m.voice();
    if !has_key {
        m.error(say!(v; "model.ssh.no_keypair", user = user));
        return Vec::new();
    }
    let rel = format!("home/{user}/.ssh/{}", crate::sshkeys::PUBLIC_KEY_FILE);
    m.start(
        say!(v; "model.reading_file", path = rel),
        Effect::ShowFile {
            rel,
            title: say!(v; "model.ssh.public_key_title", user = user),
        },
    )
}

/// The peer questions of an SFTP pull or push.
pub(super) fn open_peer_form(m: &mut Model, op: TransferOp) -> Vec<Effect> {
    m.push(Screen::Form(peer_form(m.voice(), op, m.peer.as_ref())));
    Vec::new()
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
    let v = m.voice();
    let rows = list.rows.clone().unwrap_or_default();
    if !list.removing {
        if text.is_empty() {
            m.back();
        } else {
            m.error(say!(v; "model.not_a_choice", text = text));
        }
        return Vec::new();
    }
    let picked = if text.is_empty() {
        None
    } else {
        Model::line_number(text, rows.len())
    };
    let Some(i) = picked else {
        if text.is_empty() {
            m.back();
        } else {
            m.error(say!(v; "model.not_a_line_here", text = text, last = rows.len()));
        }
        return Vec::new();
    };
    let (line, row) = (i + 1, rows[i].clone());
    let (title, what, effect) = match list.kind {
        KeyListKind::Authorized => (
            say!(v; "model.ssh.remove_title", user = list.user),
            say!(v; "model.ssh.remove_warning", line = line, row = row),
            Effect::RemoveAuthorized {
                user: list.user.clone(),
                line,
                row,
            },
        ),
        KeyListKind::KnownHosts => (
            say!(v; "model.ssh.forget_title"),
            say!(v; "model.ssh.forget_warning", line = line, row = row),
            Effect::RemoveKnownHost { line, row },
        ),
    };
    m.push(Screen::Confirm(Confirm {
        title,
        warning: what,
        question: say!(v; "model.ssh.remove_question"),
        on_yes: Start::new(say!(v; "model.ssh.remove_busy", line = line), effect),
    }));
    Vec::new()
}

/// A public key pasted for the chosen user's authorized_keys.
pub(super) fn received_key(m: &mut Model, text: &str) -> Vec<Effect> {
    let v = m.voice();
    let user = m
        .user
        .clone()
        .unwrap_or_else(|| Layout::USERS[1].to_string());
    match parse_pasted(text) {
        Ok(key) => {
            let comment = match key.comment() {
                "" => say!(v; "model.ssh.no_comment"),
                comment => comment.to_string(),
            };
            let mut warning = vec![
                format!("{} {}", key.kind(), key.fingerprint()),
                say!(v; "model.ssh.comment", comment = comment),
            ];
            if let Some(options) = &key.options {
                warning.push(say!(v; "model.ssh.options", options = options));
            }
            warning.push(say!(v; "model.ssh.holder", user = user));
            let confirm = Confirm {
                title: say!(v; "model.ssh.authorize_title", user = user),
                warning: warning.join("\n"),
                question: say!(v; "model.ssh.authorize_question"),
                on_yes: Start::new(
                    say!(v; "model.ssh.authorize_busy", user = user),
                    Effect::AddAuthorized {
                        user,
                        text: text.to_string(),
                    },
                ),
            };
            m.push(Screen::Confirm(confirm));
        }
        Err(e) => refuse(m, say!(v; "model.ssh.refused", reason = e)),
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
    m.begin(transfer_start(m.voice(), op, peer, trust))
}

/// An SFTP transfer to start; Esc abandons it.
fn transfer_start(v: Voice, op: TransferOp, peer: Peer, trust: Option<String>) -> Start {
    let busy = match op {
        TransferOp::PullCertificate => say!(v; "model.transfer.pull_busy", peer = peer),
        TransferOp::PushCsr => say!(v; "model.transfer.push_busy", peer = peer),
    };
    Start::cancellable(
        busy,
        Effect::Transfer { op, peer, trust },
        super::Abandon::Transfer,
    )
}

pub(super) fn transferred(
    m: &mut Model,
    op: TransferOp,
    peer: Peer,
    result: Result<Moved, TransferFailure>,
) -> Vec<Effect> {
    if m.take_discard() {
        return Vec::new();
    }
    m.busy = None;
    m.cancellable = false;
    let failure = match result {
        Ok(moved) => return transfer_done(m, &peer, moved),
        Err(failure) => failure,
    };
    match failure {
        TransferFailure::UnknownHost {
            host,
            key_type,
            fingerprint,
        } => {
            let v = m.voice();
            let warning = say!(v; "model.transfer.unknown_host_warning",
                host = host, key_type = key_type, fingerprint = fingerprint);
            m.push(Screen::Confirm(Confirm {
                title: say!(v; "model.transfer.unknown_host_title"),
                warning,
                question: say!(v; "model.transfer.unknown_host_question"),
                on_yes: transfer_start(v, op, peer, Some(fingerprint)),
            }));
        }
        TransferFailure::Failed(e) => m.finish(Err(e)),
        TransferFailure::Needs { message, first } => {
            let message = m.with_step(&message, Some(first));
            m.finish(Err(message));
        }
    }
    Vec::new()
}

/// A transfer made: a pulled certificate is checked next; a pushed CSR is imported there.
fn transfer_done(m: &mut Model, peer: &Peer, moved: Moved) -> Vec<Effect> {
    match moved {
        Moved::Pulled(pulled) => {
            // The peer's questions are answered: declining the install goes back to the menu.
            while matches!(m.screen(), Screen::Form(_) | Screen::Confirm(_)) {
                m.back();
            }
            m.info(super::outcome::pulled(&peer.to_string(), &pulled));
            m.start(
                say!(m.voice(); "model.reading_incoming", name = "reporting.crt"),
                Effect::ReadIncoming {
                    name: crate::appliance::fleet::SEED_CERT.into(),
                    purpose: TextFor::Cert,
                },
            )
        }
        Moved::Pushed(pushed) => {
            let at = m.key_path(Step::ImportCsrOnServer);
            let message = super::outcome::pushed(&peer.host, &pushed, &at);
            m.finish(Ok(Outcome {
                message,
                snapshot: None,
                view: None,
            }));
            Vec::new()
        }
    }
}

/// Where to connect for an SFTP pull or push: Enter accepts the last peer of the session.
pub fn peer_form(v: Voice, op: TransferOp, last: Option<&Peer>) -> Form {
    let (host, port, user) = match last {
        Some(p) => (p.host.clone(), p.port.to_string(), p.user.clone()),
        None => (String::new(), "22".to_string(), "tancopy".to_string()),
    };
    let intro = match op {
        TransferOp::PullCertificate => say!(v; "model.transfer.pull_intro"),
        TransferOp::PushCsr => say!(v; "model.transfer.push_intro"),
    };
    Form::new(
        op.label(v),
        vec![intro],
        FormFor::Peer(op),
        vec![
            Field::text(
                say!(v; "model.form.host"),
                &say!(v; "model.transfer.host_help"),
                &host,
                253,
                |_, raw| check_host(raw).map(drop),
            ),
            Field::text(
                say!(v; "model.form.port"),
                &say!(v; "model.transfer.port_help"),
                &port,
                5,
                |_, raw| check_port(raw).map(drop),
            ),
            Field::text(
                say!(v; "model.form.user"),
                &say!(v; "model.transfer.user_help"),
                &user,
                32,
                |_, raw| check_login(raw).map(drop),
            ),
        ],
    )
}

fn check_host(raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Err(say!("model.transfer.no_host"));
    }
    if raw.parse::<IpAddr>().is_ok() {
        return Ok(raw.to_string());
    }
    crate::hostname::validate_hostname(raw).map(|()| raw.to_string())
}

fn check_port(raw: &str) -> Result<u16, String> {
    match raw.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(say!("model.transfer.not_a_port", value = raw)),
    }
}

fn check_login(raw: &str) -> Result<String, String> {
    let ok = !raw.is_empty()
        && raw.len() <= 32
        && raw
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(raw.to_string())
    } else {
        Err(say!("model.transfer.not_a_user", value = raw))
    }
}

/// The answers of the peer form: host, port, user.
pub(super) fn peer_entered(m: &mut Model, op: TransferOp, values: &[String]) -> Vec<Effect> {
    let peer = (|| -> Result<Peer, String> {
        Ok(Peer {
            host: check_host(&values[0])?,
            port: check_port(&values[1])?,
            user: check_login(&values[2])?,
        })
    })();
    match peer {
        Ok(peer) => start_transfer(m, op, peer, None),
        Err(e) => {
            m.error(e);
            Vec::new()
        }
    }
}
