//! `tanos-menu sshd`: OpenSSH's sshd serving this appliance's transfer area over SFTP only,
//! to public-key logins listed in tancopy's authorized_keys. Host keys and config live in
//! `etc/ssh` of the appliance.
//!
//! Peers log in as an unprivileged account of their own (never root), confined to
//! `transfer/` by ChrootDirectory: `/outgoing` is read-only to them, `/incoming` write-only
//! (sticky, so they cannot touch files they did not create), and OpenSSH's internal-sftp
//! refuses the requests that change modes or make links and directories. The service runs in
//! the foreground and stops with the wrapper whatever signal the wrapper gets.

use std::collections::BTreeSet;
use std::ffi::CString;
use std::fs::{OpenOptions, Permissions};
use std::io;
use std::net::SocketAddr;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use ssh_key::rand_core::OsRng;
use ssh_key::{Algorithm, LineEnding, PrivateKey};

use crate::appliance::{Appliance, Layout};
use crate::fsutil;

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
/// How long sshd and the sessions get to end after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(10);

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

/// What the generated configuration does, for the operator and the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub config: PathBuf,
    pub user: String,
}

/// The unprivileged account peers log in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerAccount {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
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

/// Whether every directory from `/` to `dir` is root-owned and not writable by group or
/// others: what sshd demands of a ChrootDirectory.
pub fn chroot_safe(dir: &Path) -> bool {
    unconfinable(dir).is_none()
}

/// The first directory from `dir` up to `/` that sshd would refuse above a chroot.
fn unconfinable(dir: &Path) -> Option<SshdError> {
    dir.ancestors().find_map(|d| {
        let why = match std::fs::metadata(d) {
            Ok(meta) if meta.uid() != 0 => format!("owned by uid {}, not root", meta.uid()),
            Ok(meta) if meta.mode() & 0o022 != 0 => format!(
                "writable by group or others (mode {:04o})",
                meta.mode() & 0o7777
            ),
            Ok(_) => return None,
            Err(e) => format!("unreadable ({e})"),
        };
        Some(SshdError::Unconfinable {
            path: shown(d),
            why,
        })
    })
}

pub fn running_as_root() -> bool {
    // The effective user of this process, as the kernel reports it.
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// The default login user: tancopy, whether or not this machine has it (`peer_account`
/// says so when it does not).
pub fn default_user() -> String {
    DEFAULT_PEER.to_string()
}

fn valid_user_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && !name.starts_with(['-', '.'])
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The uid and gid of `name` from the system's account database.
fn lookup_account(name: &str) -> io::Result<Option<(u32, u32)>> {
    let cname = CString::new(name).map_err(io::Error::other)?;
    let mut size = 16 * 1024;
    loop {
        let mut buf = vec![0 as libc::c_char; size];
        // SAFETY: a zeroed passwd is a valid out-parameter for getpwnam_r.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer refers to live memory of the given sizes for the call.
        let rc = unsafe {
            libc::getpwnam_r(
                cname.as_ptr(),
                &mut pwd,
                buf.as_mut_ptr(),
                buf.len(),
                &mut found,
            )
        };
        match rc {
            0 if found.is_null() => return Ok(None),
            0 => return Ok(Some((pwd.pw_uid, pwd.pw_gid))),
            libc::ERANGE if size < 1 << 20 => size *= 4,
            libc::ENOENT | libc::ESRCH => return Ok(None),
            rc => return Err(io::Error::from_raw_os_error(rc)),
        }
    }
}

/// Whether /etc/shadow marks `name` locked ('!'), which sshd refuses without PAM.
fn locked(name: &str) -> bool {
    let shadow =
        fsutil::read_text(Path::new("/etc/shadow"), fsutil::LIMIT_KEYS).unwrap_or_default();
    shadow.lines().any(|line| {
        let mut fields = line.split(':');
        fields.next() == Some(name) && fields.next().is_some_and(|p| p.starts_with('!'))
    })
}

/// The account peers will log in as: it must exist, not be root (uid 0) nor locked.
pub fn peer_account(name: &str) -> Result<PeerAccount, SshdError> {
    if !valid_user_name(name) {
        return Err(SshdError::BadUserName(name.to_string()));
    }
    let (uid, gid) = lookup_account(name)
        .map_err(io_err(Path::new("/etc/passwd")))?
        .ok_or_else(|| SshdError::NoSuchUser(name.to_string()))?;
    if uid == 0 {
        return Err(SshdError::RootPeer(name.to_string()));
    }
    if locked(name) {
        return Err(SshdError::LockedPeer(name.to_string()));
    }
    Ok(PeerAccount {
        name: name.to_string(),
        uid,
        gid,
    })
}

/// Whether sshd_config can carry `path` as one word, with no `%` token or comment in it.
fn config_safe(path: &Path) -> bool {
    path.to_str().is_some_and(|s| {
        s.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'%' | b'#' | b'"' | b'\'' | b'\\'))
    })
}

fn real_dir(path: &Path) -> Result<std::fs::Metadata, SshdError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_dir() => Ok(meta),
        Ok(_) => Err(SshdError::NotADirectory(shown(path))),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// Refuses an entry of `dir` that the peer owns or (not being a link) group or others may
/// write; `skip` names entries checked elsewhere.
fn check_entries(dir: &Path, peer: &PeerAccount, skip: &[&str]) -> Result<(), SshdError> {
    let entries = std::fs::read_dir(dir).map_err(io_err(dir))?;
    for entry in entries {
        let entry = entry.map_err(io_err(dir))?;
        if skip.iter().any(|s| entry.file_name() == **s) {
            continue;
        }
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).map_err(io_err(&path))?;
        if meta.uid() == peer.uid {
            return Err(SshdError::PeerOwns {
                user: peer.name.clone(),
                path: shown(&path),
            });
        }
        if !meta.file_type().is_symlink() && meta.mode() & 0o022 != 0 {
            return Err(SshdError::Writable {
                path: shown(&path),
                mode: meta.mode() & 0o7777,
            });
        }
    }
    Ok(())
}

/// Everything `secure_transfer` needs, checked before anything is changed.
fn check_transfer(root: &Path, peer: &PeerAccount) -> Result<(), SshdError> {
    let transfer = root.join("transfer");
    if let Some(e) = transfer.parent().and_then(unconfinable) {
        return Err(e);
    }
    let owner = std::fs::metadata(root).map_err(io_err(root))?;
    if owner.uid() == peer.uid {
        return Err(SshdError::PeerOwns {
            user: peer.name.clone(),
            path: shown(root),
        });
    }
    for dir in [&transfer, &root.join(Layout::INCOMING)] {
        real_dir(dir)?;
    }
    let outgoing = root.join(Layout::OUTGOING);
    if real_dir(&outgoing)?.uid() == peer.uid {
        return Err(SshdError::PeerOwns {
            user: peer.name.clone(),
            path: shown(&outgoing),
        });
    }
    check_entries(&transfer, peer, &["incoming", "outgoing"])?;
    check_entries(&outgoing, peer, &[])
}

/// Gives the directory `path` (never a link) exactly this owner, group and mode.
fn set_dir(path: &Path, uid: u32, gid: u32, mode: u32) -> Result<(), SshdError> {
    let dir = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(path)
        .map_err(io_err(path))?;
    std::os::unix::fs::fchown(&dir, Some(uid), Some(gid)).map_err(io_err(path))?;
    dir.set_permissions(Permissions::from_mode(mode))
        .map_err(io_err(path))
}

/// The transfer area as the peer must find it: `transfer/` root's and read-only (what
/// ChrootDirectory demands), `/outgoing` the appliance owner's and read-only, `/incoming`
/// the owner's, write-only to the peer's group and sticky. Checks first; changes nothing
/// when it refuses.
pub fn secure_transfer(root: &Path, peer: &PeerAccount) -> Result<(), SshdError> {
    check_transfer(root, peer)?;
    let owner = std::fs::metadata(root).map_err(io_err(root))?;
    set_dir(&root.join("transfer"), 0, 0, READ_ONLY_DIR)?;
    let outgoing = root.join(Layout::OUTGOING);
    set_dir(&outgoing, owner.uid(), owner.gid(), READ_ONLY_DIR)?;
    let incoming = root.join(Layout::INCOMING);
    set_dir(&incoming, owner.uid(), peer.gid, INCOMING_MODE)
}

fn ensure_host_key(app: &Appliance, host_key: &Path) -> Result<(), SshdError> {
    if host_key.exists() {
        return Ok(());
    }
    let mut key = PrivateKey::random(&mut OsRng, Algorithm::Ed25519)
        .map_err(|e| SshdError::HostKey(e.to_string()))?;
    key.set_comment(format!("host@{}", app.config.hostname));
    let pem = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| SshdError::HostKey(e.to_string()))?;
    let public = key
        .public_key()
        .to_openssh()
        .map_err(|e| SshdError::HostKey(e.to_string()))?;
    fsutil::atomic_write(host_key, pem.as_bytes(), fsutil::PRIVATE_FILE)
        .map_err(io_err(host_key))?;
    let pub_path = host_key.with_extension("pub");
    fsutil::atomic_write(
        &pub_path,
        format!("{public}\n").as_bytes(),
        fsutil::PUBLIC_FILE,
    )
    .map_err(io_err(&pub_path))
}

/// The program sshd runs, as root, to read tancopy's authorized_keys: the file stays
/// root's and 0600 while the peer account, which cannot read it, logs in with its keys.
fn key_reader() -> &'static str {
    if Path::new("/usr/bin/cat").exists() {
        "/usr/bin/cat"
    } else {
        "/bin/cat"
    }
}

fn config_text(root: &Path, listen: SocketAddr, user: &str) -> String {
    format!(
        "# Written by tanos-menu sshd: SFTP only, for {user}, with the public keys of tancopy's authorized_keys.\n\
         ListenAddress {listen}\n\
         HostKey {host_key}\n\
         PidFile {pid}\n\
         AuthorizedKeysFile none\n\
         AuthorizedKeysCommand {reader} {authorized}\n\
         AuthorizedKeysCommandUser root\n\
         PubkeyAuthentication yes\n\
         PasswordAuthentication no\n\
         KbdInteractiveAuthentication no\n\
         PermitRootLogin no\n\
         UsePAM no\n\
         StrictModes yes\n\
         AllowUsers {user}\n\
         DisableForwarding yes\n\
         AllowTcpForwarding no\n\
         AllowAgentForwarding no\n\
         X11Forwarding no\n\
         PermitTTY no\n\
         PermitTunnel no\n\
         PermitUserRC no\n\
         PermitUserEnvironment no\n\
         Subsystem sftp internal-sftp\n\
         ChrootDirectory {transfer}\n\
         ForceCommand internal-sftp -d / -u 0022 -P {DENIED_REQUESTS}\n",
        host_key = root.join(HOST_KEY).display(),
        pid = root.join(Layout::ETC_SSH).join("sshd.pid").display(),
        reader = key_reader(),
        authorized = root
            .join("home/tancopy/.ssh")
            .join(crate::sshkeys::AUTHORIZED_KEYS)
            .display(),
        transfer = root.join("transfer").display(),
    )
}

/// Checks the peer's confinement, then writes the host key (made once) and sshd_config for
/// `listen` and secures the transfer area. Refuses, changing nothing, unless run as root.
pub fn prepare(
    app: &Appliance,
    listen: SocketAddr,
    peer: &PeerAccount,
) -> Result<Prepared, SshdError> {
    if !running_as_root() {
        return Err(SshdError::NotRoot(peer.name.clone()));
    }
    let root = std::fs::canonicalize(&app.root).map_err(io_err(&app.root))?;
    if !config_safe(&root) {
        return Err(SshdError::UnsafePath(root.display().to_string()));
    }
    check_transfer(&root, peer)?;
    let etc = root.join(Layout::ETC_SSH);
    fsutil::create_dir(&etc, fsutil::PRIVATE_DIR).map_err(io_err(&etc))?;
    ensure_host_key(app, &root.join(HOST_KEY))?;
    secure_transfer(&root, peer)?;
    let config = root.join(CONFIG);
    let text = config_text(&root, listen, &peer.name);
    fsutil::atomic_write(&config, text.as_bytes(), fsutil::PUBLIC_FILE).map_err(io_err(&config))?;
    Ok(Prepared {
        config,
        user: peer.name.clone(),
    })
}

fn sshd_command(config: &Path) -> Result<Command, SshdError> {
    if !Path::new(SSHD).exists() {
        return Err(SshdError::NotInstalled);
    }
    if running_as_root() {
        // sshd's privilege separation directory; shared with any other sshd, never removed.
        let _ = fsutil::create_dir_all_public(Path::new("/run/sshd"));
    }
    let mut cmd = Command::new(SSHD);
    cmd.arg("-f").arg(config);
    Ok(cmd)
}

/// `sshd -t`: the configuration as sshd itself reads it.
pub fn test_config(config: &Path) -> Result<(), SshdError> {
    let out = sshd_command(config)?
        .arg("-t")
        .output()
        .map_err(io_err(Path::new(SSHD)))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(SshdError::BadConfig(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ))
    }
}

// ---------------------------------------------------------------- running and stopping

/// How the service ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// sshd exited by itself.
    Exited(ExitStatus),
    /// The wrapper got `signal`; sshd and every session were stopped with it.
    Stopped { signal: i32, status: ExitStatus },
}

/// The name of a signal the wrapper stops on.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        libc::SIGHUP => "SIGHUP",
        libc::SIGQUIT => "SIGQUIT",
        _ => "a signal",
    }
}

/// The stop signals and SIGCHLD, blocked in this thread so they are taken with
/// `next_signal` instead of ending the wrapper and leaving sshd behind. Every signal whose
/// default is to end a process is a stop signal here (SIGUSR1, SIGALRM… too): any of them
/// would otherwise end the wrapper and leave the peers' sessions running.
fn block_signals() -> libc::sigset_t {
    // SAFETY: sigset_t is plain data, initialised by sigemptyset before use.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid sigset_t; the signal numbers are valid.
    unsafe {
        libc::sigemptyset(&mut set);
        for sig in [
            libc::SIGTERM,
            libc::SIGINT,
            libc::SIGHUP,
            libc::SIGQUIT,
            libc::SIGUSR1,
            libc::SIGUSR2,
            libc::SIGALRM,
            libc::SIGVTALRM,
            libc::SIGPROF,
            libc::SIGIO,
            libc::SIGPWR,
            libc::SIGXCPU,
            libc::SIGXFSZ,
            libc::SIGCHLD,
        ] {
            libc::sigaddset(&mut set, sig);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
    set
}

/// A blocked signal of `set` taken within `wait`, if one came.
fn next_signal(set: &libc::sigset_t, wait: Duration) -> Option<i32> {
    let timeout = libc::timespec {
        tv_sec: wait.as_secs() as libc::time_t,
        tv_nsec: wait.subsec_nanos() as libc::c_long,
    };
    // SAFETY: `set` and `timeout` are valid for the call; no siginfo is asked for.
    let sig = unsafe { libc::sigtimedwait(set, std::ptr::null_mut(), &timeout) };
    (sig > 0).then_some(sig)
}

/// sshd started in the foreground (`-D`, never a daemon), told by the kernel to end
/// (SIGTERM) when this wrapper dies, even by SIGKILL.
fn spawn_tied(mut cmd: Command) -> io::Result<Child> {
    // SAFETY: getpid has no preconditions.
    let wrapper = unsafe { libc::getpid() };
    // SAFETY: the closure runs between fork and exec and calls only async-signal-safe
    // functions (sigemptyset, pthread_sigmask, prctl, getppid); it allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            let mut none: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut none);
            libc::pthread_sigmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGTERM as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                return Err(io::Error::last_os_error());
            }
            // The wrapper may have died before the request took hold: then its death
            // signal will never come, so do not start at all.
            if libc::getppid() != wrapper {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
    cmd.spawn()
}

fn send(pid: u32, signal: i32) {
    // SAFETY: kill(2) of a child of this wrapper that it has not reaped yet.
    unsafe {
        libc::kill(pid as libc::pid_t, signal);
    }
}

/// Reaps every ended child of the wrapper, sshd and the orphans of its sessions alike (a
/// subreaper inherits them), and keeps sshd's status.
struct Reaper {
    sshd: u32,
    status: Option<ExitStatus>,
}

impl Reaper {
    fn reap(&mut self, block: bool) {
        loop {
            let mut raw = 0;
            let flags = if block && self.status.is_none() {
                0
            } else {
                libc::WNOHANG
            };
            // SAFETY: waitpid on any child of this process.
            let pid = unsafe { libc::waitpid(-1, &mut raw, flags) };
            if pid <= 0 {
                return;
            }
            if pid as u32 == self.sshd {
                self.status = Some(ExitStatus::from_raw(raw));
            }
        }
    }
}

/// Stops sshd: SIGTERM, then SIGKILL after the grace time or at a second stop signal.
fn stop_sshd(reaper: &mut Reaper, set: &libc::sigset_t) -> ExitStatus {
    send(reaper.sshd, libc::SIGTERM);
    let deadline = Instant::now() + STOP_GRACE;
    loop {
        reaper.reap(false);
        if let Some(status) = reaper.status {
            return status;
        }
        let again = next_signal(set, Duration::from_millis(100));
        if Instant::now() >= deadline || again.is_some_and(|s| s != libc::SIGCHLD) {
            send(reaper.sshd, libc::SIGKILL);
            reaper.reap(true);
            return reaper
                .status
                .unwrap_or_else(|| ExitStatus::from_raw(libc::SIGKILL));
        }
    }
}

fn supervise(reaper: &mut Reaper, set: &libc::sigset_t) -> Ended {
    loop {
        reaper.reap(false);
        if let Some(status) = reaper.status {
            return Ended::Exited(status);
        }
        match next_signal(set, Duration::from_millis(500)) {
            Some(libc::SIGCHLD) | None => {}
            Some(signal) => {
                let status = stop_sshd(reaper, set);
                return Ended::Stopped { signal, status };
            }
        }
    }
}

/// The processes whose parent is `pid`, from the process table.
pub fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| parent_of(*child) == Some(pid))
        .collect()
}

/// The parent of `pid` (field 4 of /proc/PID/stat, after the command name).
pub fn parent_of(pid: u32) -> Option<u32> {
    let stat =
        fsutil::read_text(Path::new(&format!("/proc/{pid}/stat")), fsutil::LIMIT_PEM).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Ends the sessions sshd left (they come to this wrapper, the subreaper, when sshd
/// ends): SIGTERM, then SIGKILL after the grace time.
fn end_sessions(reaper: &mut Reaper) {
    let me = std::process::id();
    let deadline = Instant::now() + STOP_GRACE;
    let mut asked = BTreeSet::new();
    loop {
        reaper.reap(false);
        let left = children_of(me);
        if left.is_empty() || Instant::now() > deadline + STOP_GRACE {
            return;
        }
        for pid in left {
            if Instant::now() >= deadline {
                send(pid, libc::SIGKILL);
            } else if asked.insert(pid) {
                send(pid, libc::SIGTERM);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// sshd in the foreground (`-D -e`), logging to stderr, until it exits or this wrapper gets
/// SIGTERM, SIGINT, SIGHUP or SIGQUIT: sshd and its sessions then stop too. If the wrapper
/// is killed outright, the kernel stops sshd. Call from the main thread, before any other
/// thread starts.
pub fn run(config: &Path) -> Result<Ended, SshdError> {
    let mut cmd = sshd_command(config)?;
    cmd.arg("-D").arg("-e");
    let set = block_signals();
    // SAFETY: prctl with a flag argument; makes orphaned sessions children of this wrapper.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1 as libc::c_ulong, 0, 0, 0);
    }
    let child = spawn_tied(cmd).map_err(io_err(Path::new(SSHD)))?;
    let mut reaper = Reaper {
        sshd: child.id(),
        status: None,
    };
    let ended = supervise(&mut reaper, &set);
    end_sessions(&mut reaper);
    Ok(ended)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_account_names_reach_sshd_config() {
        for good in ["tancopy", "nobody", "svc_copy-2", "a.b", "Tan1"] {
            assert!(valid_user_name(good), "{good}");
        }
        let long = "a".repeat(33);
        for bad in [
            "",
            "-o",
            ".hidden",
            "a b",
            "a\nForceCommand /bin/sh",
            "*",
            "a,b",
            "a@host",
            "!root",
            "a\u{1b}]0;x\u{7}",
            "é",
            long.as_str(),
        ] {
            assert!(!valid_user_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn paths_with_config_syntax_are_refused() {
        assert!(config_safe(Path::new("/opt/tanos/appliance-1.2_x")));
        for bad in [
            "/opt/a b",
            "/opt/a%h",
            "/opt/a#b",
            "/opt/\"a\"",
            "/opt/a'b",
            "/opt/a\\b",
            "/opt/a\nb",
            "/opt/\u{e9}",
        ] {
            assert!(!config_safe(Path::new(bad)), "{bad:?}");
        }
    }

    #[test]
    fn the_process_table_names_this_process_as_a_child_of_its_parent() {
        // SAFETY: getppid has no preconditions.
        let parent = unsafe { libc::getppid() } as u32;
        assert_eq!(parent_of(std::process::id()), Some(parent));
        assert!(children_of(parent).contains(&std::process::id()));
        assert_eq!(signal_name(libc::SIGHUP), "SIGHUP");
    }
}
