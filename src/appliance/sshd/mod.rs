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

/// Why the SFTP service was not started, in the thread's voice.
#[derive(Debug, thiserror::Error)]
pub enum SshdError {
    #[error("{}", crate::say!("appliance.sshd.not_installed", sshd = SSHD))]
    NotInstalled,
    #[error("{}", crate::say!("appliance.sshd.not_root", user = .0))]
    NotRoot(String),
    #[error("{}", crate::say!("appliance.sshd.bad_user_name", name = format!("{:?}", .0)))]
    BadUserName(String),
    #[error("{}", crate::say!("appliance.sshd.no_such_user", user = .0))]
    NoSuchUser(String),
    #[error("{}", crate::say!("appliance.sshd.root_peer", user = .0))]
    RootPeer(String),
    #[error("{}", crate::say!("appliance.sshd.locked_peer", user = .0))]
    LockedPeer(String),
    #[error("{}", crate::say!("appliance.sshd.peer_owns", user = .user, path = .path))]
    PeerOwns { user: String, path: String },
    #[error("{}", crate::say!("appliance.sshd.unconfinable", path = .path, why = .why))]
    Unconfinable { path: String, why: String },
    #[error("{}", crate::say!("appliance.sshd.not_a_directory", path = .0))]
    NotADirectory(String),
    #[error(
        "{}",
        crate::say!("appliance.sshd.writable", path = .path, mode = format!("{:04o}", .mode))
    )]
    Writable { path: String, mode: u32 },
    #[error("{}", crate::say!("appliance.sshd.unsafe_path", path = format!("{:?}", .0)))]
    UnsafePath(String),
    #[error("{}", crate::say!("appliance.sshd.io", path = .path, error = .source))]
    Io { path: String, source: io::Error },
    #[error("{}", crate::say!("appliance.sshd.host_key", reason = .0))]
    HostKey(String),
    #[error("{}", crate::say!("appliance.sshd.bad_config", reason = .0))]
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
