//! The host key (made once), sshd_config for the peer, and `sshd -t` reading it back.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use ssh_key::rand_core::OsRng;
use ssh_key::{Algorithm, LineEnding, PrivateKey};

use super::area::{check_transfer, secure_transfer};
use super::{
    CONFIG, DENIED_REQUESTS, HOST_KEY, PeerAccount, SSHD, SshdError, io_err, running_as_root,
};
use crate::appliance::{Appliance, Layout};
use crate::fsutil;

/// What the generated configuration does, for the operator and the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub config: PathBuf,
    pub user: String,
}

/// Whether sshd_config can carry `path` as one word, with no `%` token or comment in it.
fn config_safe(path: &Path) -> bool {
    path.to_str().is_some_and(|s| {
        s.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'%' | b'#' | b'"' | b'\'' | b'\\'))
    })
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

pub(super) fn sshd_command(config: &Path) -> Result<Command, SshdError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
