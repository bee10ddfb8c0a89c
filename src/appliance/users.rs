//! The TanOS users' SSH keys on the appliance: key pairs, authorized_keys, tanadmin's
//! known_hosts. Every change is atomic and audited.

use time::OffsetDateTime;

use super::{Appliance, Layout, audit};
use crate::fsutil;
use crate::sshkeys::authorized::{self, AuthorizedKey, KeyError};
use crate::sshkeys::{self, known_hosts};

/// Why a change to a user's keys was refused, in the thread's voice.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("{}", crate::say!("appliance.users.no_such_user", user = .0))]
    NoSuchUser(String),
    #[error("{0}")]
    Key(#[from] KeyError),
    #[error("{0}")]
    SshKey(#[from] sshkeys::SshKeyError),
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Lock(#[from] super::lock::LockError),
    #[error("{}", crate::say!("appliance.users.changed", line = .0))]
    Changed(usize),
}

/// Refuses unless line `line` of `rows` (as listed now) is still `shown` (as confirmed):
/// another writer may have moved the lines since the list was drawn.
fn still_listed(rows: &[String], line: usize, shown: Option<&str>) -> Result<(), UserError> {
    match shown {
        Some(shown) if line == 0 || rows.get(line - 1).map(String::as_str) != Some(shown) => {
            Err(UserError::Changed(line))
        }
        _ => Ok(()),
    }
}

fn check_user(user: &str) -> Result<(), UserError> {
    if Layout::USERS.contains(&user) {
        Ok(())
    } else {
        Err(UserError::NoSuchUser(user.to_string()))
    }
}

fn io(e: std::io::Error) -> UserError {
    UserError::Io(e.to_string())
}

/// A new ed25519 key pair for `user`; the old pair is kept as .bak files. Returns the new
/// public key's fingerprint.
pub fn regenerate_keypair(
    app: &Appliance,
    user: &str,
    now: OffsetDateTime,
) -> Result<String, UserError> {
    let _lock = super::lock::acquire(app)?;
    check_user(user)?;
    let dir = app.ssh_dir(user);
    fsutil::create_dir(&dir, fsutil::PRIVATE_DIR).map_err(io)?;
    let mut files = Vec::new();
    for name in [sshkeys::PRIVATE_KEY_FILE, sshkeys::PUBLIC_KEY_FILE] {
        if let Some(copy) = fsutil::backup(&dir.join(name), now).map_err(io)? {
            files.push(
                copy.strip_prefix(&app.root)
                    .unwrap_or(&copy)
                    .display()
                    .to_string(),
            );
        }
    }
    let fingerprint = sshkeys::write_new_keypair(&dir, &format!("{user}@{}", app.config.hostname))?;
    files.push(format!("home/{user}/.ssh/{}", sshkeys::PRIVATE_KEY_FILE));
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let _ = audit::record(
        &_lock,
        "ssh.keypair",
        &refs,
        std::slice::from_ref(&fingerprint),
        user,
    );
    Ok(fingerprint)
}

fn authorized_path(app: &Appliance, user: &str) -> std::path::PathBuf {
    app.ssh_dir(user).join(sshkeys::AUTHORIZED_KEYS)
}

/// Adds a pasted public key to `user`'s authorized_keys.
pub fn add_authorized(app: &Appliance, user: &str, text: &str) -> Result<AuthorizedKey, UserError> {
    let _lock = super::lock::acquire(app)?;
    check_user(user)?;
    let key = authorized::parse_pasted(text)?;
    authorized::add(&authorized_path(app, user), key.clone())?;
    let file = format!("home/{user}/.ssh/{}", sshkeys::AUTHORIZED_KEYS);
    let _ = audit::record(
        &_lock,
        "ssh.authorize",
        &[&file],
        &[key.fingerprint()],
        key.comment(),
    );
    Ok(key)
}

/// Removes line `line` (1-based, as listed) of `user`'s authorized_keys.
pub fn remove_authorized(
    app: &Appliance,
    user: &str,
    line: usize,
) -> Result<AuthorizedKey, UserError> {
    remove_authorized_listed(app, user, line, None)
}

/// `remove_authorized`, only while line `line` still reads `shown` (its row in
/// [`authorized_rows`]) when given: the row the operator confirmed, not whatever is there now.
pub fn remove_authorized_listed(
    app: &Appliance,
    user: &str,
    line: usize,
    shown: Option<&str>,
) -> Result<AuthorizedKey, UserError> {
    let _lock = super::lock::acquire(app)?;
    check_user(user)?;
    if shown.is_some() {
        still_listed(&authorized_rows(app, user)?, line, shown)?;
    }
    let removed = authorized::remove(&authorized_path(app, user), line)?;
    let file = format!("home/{user}/.ssh/{}", sshkeys::AUTHORIZED_KEYS);
    let _ = audit::record(
        &_lock,
        "ssh.unauthorize",
        &[&file],
        &[removed.fingerprint()],
        removed.comment(),
    );
    Ok(removed)
}

/// Per key, in file order: "ED25519  SHA256:…" and, on a second line, its comment.
pub fn authorized_rows(app: &Appliance, user: &str) -> Result<Vec<String>, UserError> {
    check_user(user)?;
    let keys = authorized::read(&authorized_path(app, user))?;
    Ok(keys
        .iter()
        .map(|k| {
            let options = if k.options.is_some() {
                format!(" {}", crate::say!("appliance.users.options"))
            } else {
                String::new()
            };
            let comment = if k.comment().is_empty() {
                crate::say!("appliance.users.no_comment")
            } else {
                k.comment().to_string()
            };
            format!("{:<12}{}\n{comment}{options}", k.kind(), k.fingerprint())
        })
        .collect())
}

pub fn known_hosts_path(app: &Appliance) -> std::path::PathBuf {
    app.ssh_dir(Layout::USERS[0]).join("known_hosts")
}

/// Per entry of tanadmin's known_hosts: "host  type" and, on a second line, its fingerprint.
pub fn known_host_rows(app: &Appliance) -> Result<Vec<String>, UserError> {
    let entries = known_hosts::entries(&known_hosts_path(app)).map_err(io)?;
    Ok(entries
        .iter()
        .map(|e| {
            format!(
                "{}  {}\n{}",
                e.label(),
                e.host.key_type,
                known_hosts::fingerprint_shown(&e.host)
            )
        })
        .collect())
}

pub fn remove_known_host(app: &Appliance, line: usize) -> Result<String, UserError> {
    remove_known_host_listed(app, line, None)
}

/// `remove_known_host`, only while line `line` still reads `shown` (its row in
/// [`known_host_rows`]) when given.
pub fn remove_known_host_listed(
    app: &Appliance,
    line: usize,
    shown: Option<&str>,
) -> Result<String, UserError> {
    let _lock = super::lock::acquire(app)?;
    if shown.is_some() {
        still_listed(&known_host_rows(app)?, line, shown)?;
    }
    let removed = known_hosts::remove(&known_hosts_path(app), line).map_err(io)?;
    let Some(entry) = removed else {
        return Err(UserError::Key(KeyError::NoSuchLine(line)));
    };
    let _ = audit::record(
        &_lock,
        "ssh.forget-host",
        &["home/tanadmin/.ssh/known_hosts"],
        &[known_hosts::fingerprint(&entry.host)],
        &entry.label(),
    );
    Ok(entry.label())
}
