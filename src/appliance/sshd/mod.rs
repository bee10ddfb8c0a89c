//! `tanos-menu sshd`: OpenSSH's sshd serving this appliance's transfer area over SFTP only,
//! to public-key logins listed in tancopy's authorized_keys. Host keys and config live in
//! `etc/ssh` of the appliance.
//!
//! Peers log in as an unprivileged account of their own (never root), confined to
//! `transfer/` by ChrootDirectory: `/outgoing` is read-only to them, `/incoming` write-only
//! (sticky, so they cannot touch files they did not create), and OpenSSH's internal-sftp
//! refuses the requests that change modes or make links and directories. The service runs in
//! the foreground and stops with the wrapper whatever signal the wrapper gets.
//!
//! By concern: `peer` checks the account peers log in as, `area` gives the transfer area
//! its modes and owners, `config` writes the host key and sshd_config, and `service` runs
//! sshd and stops it (and every session) with the wrapper.

mod area;
mod config;
mod peer;
mod service;

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

pub use area::{chroot_safe, secure_transfer};
pub use config::{Prepared, prepare, test_config};
pub use peer::{PeerAccount, default_user, peer_account};
pub use service::{Ended, children_of, parent_of, run, signal_name};

pub const SSHD: &str = "/usr/sbin/sshd";
pub const HOST_KEY: &str = "etc/ssh/ssh_host_ed25519_key";
pub const CONFIG: &str = "etc/ssh/sshd_config";
/// The account peers log in as unless `--user` names another (SPEC §1).
pub const DEFAULT_PEER: &str = "tancopy";
/// What internal-sftp refuses to peers: mode, owner and time changes, links, directories.
pub const DENIED_REQUESTS: &str = "setstat,fsetstat,lsetstat,symlink,hardlink,mkdir,rmdir";
/// `/incoming`: the appliance owner reads and clears it; the peer's group may only add
/// files (no listing), and the sticky bit keeps each file to whoever made it.
pub const INCOMING_MODE: u32 = 0o1730;
/// `transfer/` (the chroot) and `/outgoing`: written by the appliance only.
pub const READ_ONLY_DIR: u32 = 0o755;

#[derive(Debug, thiserror::Error)]
pub enum SshdError {
    #[error(
        "OpenSSH's sshd is not installed ({SSHD} is missing): install it with `apt-get install openssh-server` (Debian/Ubuntu) or `dnf install openssh-server`"
    )]
    NotInstalled,
    #[error(
        "tanos-menu sshd must run as root: only then does sshd log peers in as {0} and confine them to transfer/; nothing was changed"
    )]
    NotRoot(String),
    #[error(
        "{0:?} cannot be the peer account: use letters, digits, '.', '_' and '-' (at most 32, not starting with '-' or '.'); nothing was changed"
    )]
    BadUserName(String),
    #[error(
        "there is no account '{0}' on this machine for peers to log in as; create it (`useradd --system --no-create-home --shell /usr/sbin/nologin -p '*' {0}`) or name another with --user; nothing was changed"
    )]
    NoSuchUser(String),
    #[error(
        "peers must never log in as root, and '{0}' has uid 0: name an unprivileged account with --user; nothing was changed"
    )]
    RootPeer(String),
    #[error(
        "the account '{0}' is locked (its password field in /etc/shadow starts with '!'), and sshd refuses locked accounts even for keys: unlock it with `usermod -p '*' {0}`; nothing was changed"
    )]
    LockedPeer(String),
    #[error(
        "the peer account '{user}' owns {path}: peers would write what they must only read; give it to root or the appliance's owner; nothing was changed"
    )]
    PeerOwns { user: String, path: String },
    #[error(
        "{path} is {why}: peers are confined to transfer/ only when every directory above it is owned by root and not writable by group or others; nothing was changed"
    )]
    Unconfinable { path: String, why: String },
    #[error("{0} must be a directory (not a link or a file); nothing was changed")]
    NotADirectory(String),
    #[error(
        "{path} is writable by group or others (mode {mode:04o}): peers must only read /outgoing; fix its mode or remove it; nothing was changed"
    )]
    Writable { path: String, mode: u32 },
    #[error(
        "sshd_config cannot hold the path {0:?} (spaces, '%', '#', quotes, backslashes and control characters are not allowed); move the appliance; nothing was changed"
    )]
    UnsafePath(String),
    #[error("cannot prepare {path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("cannot make the host key: {0}")]
    HostKey(String),
    #[error("sshd rejected the generated configuration: {0}")]
    BadConfig(String),
}

/// A path as messages show it: control and invisible characters escaped, so a file name
/// cannot act on the terminal.
fn shown(path: &Path) -> String {
    path.display().to_string().escape_debug().to_string()
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SshdError + '_ {
    move |source| SshdError::Io {
        path: shown(path),
        source,
    }
}

pub fn running_as_root() -> bool {
    // The effective user of this process, as the kernel reports it.
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}
