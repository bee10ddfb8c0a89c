//! OpenSSH key pairs of the TanOS users and their authorized_keys. No terminal code here.

use std::io;
use std::path::Path;

use ssh_key::rand_core::OsRng;
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey};

use crate::fsutil;

pub const PRIVATE_KEY_FILE: &str = "id_ed25519";
pub const PUBLIC_KEY_FILE: &str = "id_ed25519.pub";
pub const AUTHORIZED_KEYS: &str = "authorized_keys";

#[derive(Debug, thiserror::Error)]
pub enum SshKeyError {
    #[error("{}", crate::say!("sshkeys.keypair.generate", reason = .0))]
    Generate(ssh_key::Error),
    #[error("{}", crate::say!("sshkeys.keypair.write", path = .path, reason = .source))]
    Write { path: String, source: io::Error },
}

/// Generates an ed25519 key pair and writes it into `ssh_dir` (0700): the private key 0600,
/// the public key 0644. Returns the public key's SHA256 fingerprint.
pub fn write_new_keypair(ssh_dir: &Path, comment: &str) -> Result<String, SshKeyError> {
    let mut key =
        PrivateKey::random(&mut OsRng, Algorithm::Ed25519).map_err(SshKeyError::Generate)?;
    key.set_comment(comment);
    let private = key
        .to_openssh(LineEnding::LF)
        .map_err(SshKeyError::Generate)?;
    let public = key
        .public_key()
        .to_openssh()
        .map_err(SshKeyError::Generate)?;
    // The pair lands together: a public key never stands beside another private key.
    let (private_path, public_path) = (
        ssh_dir.join(PRIVATE_KEY_FILE),
        ssh_dir.join(PUBLIC_KEY_FILE),
    );
    let public_line = format!("{public}\n");
    fsutil::atomic_write_all(&[
        (&private_path, private.as_bytes(), fsutil::PRIVATE_FILE),
        (&public_path, public_line.as_bytes(), fsutil::PUBLIC_FILE),
    ])
    .map_err(|source| SshKeyError::Write {
        path: private_path.display().to_string(),
        source,
    })?;
    Ok(key.public_key().fingerprint(HashAlg::Sha256).to_string())
}

/// A user's key state, for the user overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserKeys {
    pub user: String,
    /// Algorithm and SHA256 fingerprint of the user's own key pair.
    pub key: Option<(String, String)>,
    /// Number of keys in authorized_keys, or why it could not be read.
    pub authorized: Result<usize, String>,
}

pub fn user_keys(ssh_dir: &Path, user: &str) -> UserKeys {
    let key = fsutil::read_text(&ssh_dir.join(PUBLIC_KEY_FILE), fsutil::LIMIT_PEM)
        .ok()
        .and_then(|text| PublicKey::from_openssh(text.trim()).ok())
        .map(|k| {
            (
                k.algorithm().to_string(),
                k.fingerprint(HashAlg::Sha256).to_string(),
            )
        });
    let authorized =
        match fsutil::read_bytes_opt(&ssh_dir.join(AUTHORIZED_KEYS), fsutil::LIMIT_KEYS) {
            Ok(bytes) => Ok(String::from_utf8_lossy(&bytes.unwrap_or_default())
                .lines()
                .filter(|l| super::lines::is_entry(l))
                .count()),
            Err(e) => Err(e.to_string()),
        };
    UserKeys {
        user: user.to_string(),
        key,
        authorized,
    }
}
