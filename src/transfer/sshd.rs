//! `tanos-menu sshd`: OpenSSH's sshd serving this appliance's transfer area over SFTP only,
//! to public-key logins listed in tancopy's authorized_keys. Host keys and config live in
//! `etc/ssh` of the appliance.

use std::io;
use std::net::SocketAddr;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use ssh_key::rand_core::OsRng;
use ssh_key::{Algorithm, LineEnding, PrivateKey};

use crate::appliance::{Appliance, Layout, fsutil};

pub const SSHD: &str = "/usr/sbin/sshd";
pub const HOST_KEY: &str = "etc/ssh/ssh_host_ed25519_key";
pub const CONFIG: &str = "etc/ssh/sshd_config";

#[derive(Debug, thiserror::Error)]
pub enum SshdError {
    #[error(
        "OpenSSH's sshd is not installed ({SSHD} is missing): install it with `apt-get install openssh-server` (Debian/Ubuntu) or `dnf install openssh-server`"
    )]
    NotInstalled,
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
    /// Whether logins are confined to `transfer/` by ChrootDirectory (needs root).
    pub chroot: bool,
    pub user: String,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SshdError + '_ {
    move |source| SshdError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Whether every directory from `/` to `dir` is root-owned and not writable by group or
/// others: what sshd demands of a ChrootDirectory.
pub fn chroot_safe(dir: &Path) -> bool {
    dir.ancestors().all(|d| match std::fs::metadata(d) {
        Ok(meta) => meta.uid() == 0 && meta.mode() & 0o022 == 0,
        Err(_) => false,
    })
}

fn running_as_root() -> bool {
    // The effective user of this process, as the kernel reports it.
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// The default login user: `tancopy` where that account exists, else whoever runs this.
pub fn default_user() -> String {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    if passwd.lines().any(|l| l.starts_with("tancopy:")) {
        "tancopy".into()
    } else {
        crate::appliance::audit::current_user()
    }
}

/// Host key (made once) and sshd_config for `listen`.
pub fn prepare(app: &Appliance, listen: SocketAddr, user: &str) -> Result<Prepared, SshdError> {
    let root = std::fs::canonicalize(&app.root).map_err(io_err(&app.root))?;
    let etc = root.join(Layout::ETC_SSH);
    fsutil::create_dir(&etc, fsutil::PRIVATE_DIR).map_err(io_err(&etc))?;
    let host_key = root.join(HOST_KEY);
    if !host_key.exists() {
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
        fsutil::atomic_write(&host_key, pem.as_bytes(), fsutil::PRIVATE_FILE)
            .map_err(io_err(&host_key))?;
        let pub_path = host_key.with_extension("pub");
        fsutil::atomic_write(
            &pub_path,
            format!("{public}\n").as_bytes(),
            fsutil::PUBLIC_FILE,
        )
        .map_err(io_err(&pub_path))?;
    }
    let transfer = root.join("transfer");
    let chroot = running_as_root() && chroot_safe(&transfer);
    let authorized = root
        .join("home/tancopy/.ssh")
        .join(crate::sshkeys::AUTHORIZED_KEYS);
    let (start_dir, confine) = if chroot {
        (
            "/".to_string(),
            format!("    ChrootDirectory {}\n", transfer.display()),
        )
    } else {
        (transfer.display().to_string(), String::new())
    };
    let text = format!(
        "# Written by tanos-menu sshd: SFTP only, public keys of tancopy's authorized_keys only.\n\
         ListenAddress {listen}\n\
         HostKey {host_key}\n\
         PidFile {pid}\n\
         AuthorizedKeysFile {authorized}\n\
         PubkeyAuthentication yes\n\
         PasswordAuthentication no\n\
         KbdInteractiveAuthentication no\n\
         PermitRootLogin prohibit-password\n\
         UsePAM no\n\
         AllowUsers {user}\n\
         AllowTcpForwarding no\n\
         AllowAgentForwarding no\n\
         X11Forwarding no\n\
         PermitTTY no\n\
         PermitTunnel no\n\
         Subsystem sftp internal-sftp\n\
         Match User {user}\n\
         {confine}    ForceCommand internal-sftp -d {start_dir}\n",
        host_key = host_key.display(),
        pid = etc.join("sshd.pid").display(),
        authorized = authorized.display(),
    );
    let config = root.join(CONFIG);
    fsutil::atomic_write(&config, text.as_bytes(), fsutil::PUBLIC_FILE).map_err(io_err(&config))?;
    Ok(Prepared {
        config,
        chroot,
        user: user.to_string(),
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

/// sshd in the foreground (`-D -e`), logging to stderr, until it exits.
pub fn run(config: &Path) -> Result<std::process::ExitStatus, SshdError> {
    let mut cmd = sshd_command(config)?;
    cmd.arg("-D").arg("-e");
    cmd.status().map_err(io_err(Path::new(SSHD)))
}
