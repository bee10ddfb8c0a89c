//! SFTP pull and push with tanadmin's key, host keys checked against tanadmin's known_hosts
//! as OpenSSH does. Bounded in time and size; cancellable between chunks.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use base64::Engine;
use ssh2::{CheckResult, HashType, HostKeyType, KnownHostFileKind, MethodType, Session};

use crate::sshkeys::known_hosts::{self, Entry, KnownHost};

/// Where to connect, and as whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub host: String,
    pub port: u16,
    pub user: String,
}

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}:{}", self.user, self.host, self.port)
    }
}

/// tanadmin's key pair and known_hosts.
#[derive(Debug, Clone)]
pub struct ClientKeys {
    pub private_key: PathBuf,
    pub public_key: PathBuf,
    pub known_hosts: PathBuf,
}

impl ClientKeys {
    pub fn in_dir(ssh_dir: &Path) -> ClientKeys {
        ClientKeys {
            private_key: ssh_dir.join(crate::sshkeys::PRIVATE_KEY_FILE),
            public_key: ssh_dir.join(crate::sshkeys::PUBLIC_KEY_FILE),
            known_hosts: ssh_dir.join("known_hosts"),
        }
    }
}

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Every blocking step of the session (handshake, auth, reads) is bounded too.
const SESSION_TIMEOUT_MS: u32 = 15_000;
const CHUNK: usize = 16 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    #[error("{}", crate::say!("transfer.unreachable", peer = .0))]
    Unreachable(String),
    #[error("{}", crate::say!("transfer.handshake", peer = .peer, reason = .reason))]
    Handshake { peer: String, reason: String },
    #[error(
        "{}",
        crate::say!(
            "transfer.unknown_host",
            host = .host,
            key_type = .key_type,
            fingerprint = .fingerprint
        )
    )]
    UnknownHost {
        host: String,
        key_type: String,
        fingerprint: String,
    },
    #[error(
        "{}",
        crate::say!("transfer.host_key_changed", host = .host, fingerprint = .fingerprint)
    )]
    HostKeyChanged { host: String, fingerprint: String },
    #[error(
        "{}",
        crate::say!("transfer.host_key_revoked", host = .host, fingerprint = .fingerprint)
    )]
    HostKeyRevoked { host: String, fingerprint: String },
    #[error("{}", crate::say!("transfer.auth_refused", peer = .peer))]
    AuthRefused { peer: String, user: String },
    #[error("{}", crate::say!("transfer.no_client_key"))]
    NoClientKey,
    #[error("{}", crate::say!("transfer.no_csr"))]
    NoCsr,
    #[error("{}", crate::say!("transfer.no_key"))]
    NoKey,
    #[error(
        "{}",
        crate::say!("transfer.no_certificate", peer = .peer, key = .key, tried = .tried)
    )]
    NoCertificate {
        peer: String,
        key: String,
        tried: String,
    },
    #[error("{}", crate::say!("transfer.not_found", path = .path, peer = .peer))]
    NotFound { peer: String, path: String },
    #[error(
        "{}",
        crate::say!("transfer.too_large", path = .path, size = .size, limit = .limit)
    )]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("{}", crate::say!("transfer.io", reason = .0))]
    Io(String),
    #[error("{}", crate::say!("transfer.cancelled"))]
    Cancelled,
}

fn fingerprint(sess: &Session) -> String {
    let hash = sess.host_key_hash(HashType::Sha256).unwrap_or_default();
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(hash)
    )
}

fn key_type_name(kind: HostKeyType) -> &'static str {
    match kind {
        HostKeyType::Rsa => "ssh-rsa",
        HostKeyType::Dss => "ssh-dss",
        HostKeyType::Ecdsa256 => "ecdsa-sha2-nistp256",
        HostKeyType::Ecdsa384 => "ecdsa-sha2-nistp384",
        HostKeyType::Ecdsa521 => "ecdsa-sha2-nistp521",
        HostKeyType::Ed25519 => "ssh-ed25519",
        HostKeyType::Unknown => "unknown",
    }
}

/// tanadmin's known_hosts, read once: every entry (revocations included) and the plain
/// host lines libssh2 checks against.
struct Recorded {
    entries: Vec<Entry>,
    hosts: Vec<KnownHost>,
}

/// A handshake failure with `peer` named.
fn handshake_err(peer: &str) -> impl Fn(ssh2::Error) -> TransferError + Copy + '_ {
    move |e| TransferError::Handshake {
        peer: peer.to_string(),
        reason: e.message().to_string(),
    }
}

/// An authenticated session, host key checked. `trust` is the fingerprint the operator
/// accepted for an unknown host: it is recorded when the host presents exactly it.
fn connect(peer: &Peer, keys: &ClientKeys, trust: Option<&str>) -> Result<Session, TransferError> {
    let name = peer.to_string();
    check_client_keys(keys)?;
    let tcp = tcp_connect(peer, &name)?;
    let (sess, recorded) = handshake(peer, &name, keys, tcp)?;
    check_host_key(&sess, peer, &name, keys, &recorded, trust)?;
    authenticate(&sess, peer, &name, keys)?;
    Ok(sess)
}

/// tanadmin's key pair, present and fit to hand to libssh2.
fn check_client_keys(keys: &ClientKeys) -> Result<(), TransferError> {
    if !keys.private_key.exists() {
        return Err(TransferError::NoClientKey);
    }
    // libssh2 opens the key files itself: only regular files of a key's size reach it (a
    // FIFO or a device in their place would hang the connection or fill memory).
    for path in [&keys.private_key, &keys.public_key] {
        crate::fsutil::read_bytes(path, crate::fsutil::LIMIT_PEM).map_err(|e| {
            let what = crate::text::escape_path(path);
            TransferError::Io(crate::say!("frame.about", what = what, reason = e))
        })?;
    }
    Ok(())
}

/// The TCP connection to the peer's first address, bounded by `CONNECT_TIMEOUT`.
fn tcp_connect(peer: &Peer, name: &str) -> Result<TcpStream, TransferError> {
    let addr = (peer.host.as_str(), peer.port)
        .to_socket_addrs()
        .map_err(|e| {
            TransferError::Unreachable(crate::say!("frame.about", what = name, reason = e))
        })?
        .next()
        .ok_or_else(|| {
            TransferError::Unreachable(crate::say!(
                "frame.about",
                what = name,
                reason = crate::say!("transfer.no_address")
            ))
        })?;
    let tcp = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).map_err(|e| {
        TransferError::Unreachable(crate::say!("frame.about", what = name, reason = e))
    })?;
    // Small files over a link with latency: no Nagle delay on each SFTP packet.
    let _ = tcp.set_nodelay(true);
    Ok(tcp)
}

/// The SSH handshake over `tcp`, every blocking step bounded, asking first for the host
/// key types known_hosts recorded for the peer; with known_hosts as read for the check.
fn handshake(
    peer: &Peer,
    name: &str,
    keys: &ClientKeys,
    tcp: TcpStream,
) -> Result<(Session, Recorded), TransferError> {
    let mut sess = Session::new().map_err(|e| TransferError::Handshake {
        peer: name.to_string(),
        reason: e.to_string(),
    })?;
    sess.set_timeout(SESSION_TIMEOUT_MS);
    let hs_err = handshake_err(name);
    // A fast key exchange first; then the host key types known_hosts recorded, so a host
    // known by its ed25519 key is not asked for another type and reported as changed.
    sess.method_pref(MethodType::Kex, "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group14-sha256")
        .map_err(hs_err)?;
    // Read once, bounded: libssh2 never opens the file itself (a FIFO or a device put in
    // its place would hang or fill memory), and the revocations it ignores are read here.
    let entries = known_hosts::entries(&keys.known_hosts).map_err(|e| {
        TransferError::Io(crate::say!("frame.about", what = "known_hosts", reason = e))
    })?;
    let hosts: Vec<KnownHost> = entries
        .iter()
        .filter(|e| e.marker.is_none())
        .map(|e| e.host.clone())
        .collect();
    let types = known_hosts::recorded_types(&hosts, &peer.host, peer.port);
    if !types.is_empty() {
        sess.method_pref(MethodType::HostKey, &types.join(","))
            .map_err(hs_err)?;
    }
    sess.set_tcp_stream(tcp);
    sess.handshake().map_err(hs_err)?;
    Ok((sess, Recorded { entries, hosts }))
}

/// The peer's host key against known_hosts, as OpenSSH checks it: refused when revoked or
/// changed; when unknown, recorded only if it is the one the operator accepted (`trust`).
fn check_host_key(
    sess: &Session,
    peer: &Peer,
    name: &str,
    keys: &ClientKeys,
    recorded: &Recorded,
    trust: Option<&str>,
) -> Result<(), TransferError> {
    let hs_err = handshake_err(name);
    let (key, kind) = sess.host_key().ok_or_else(|| TransferError::Handshake {
        peer: name.to_string(),
        reason: crate::say!("transfer.no_host_key"),
    })?;
    let key = key.to_vec();
    let host = known_hosts::host_pattern(&peer.host, peer.port);
    let fp = fingerprint(sess);
    if known_hosts::is_revoked(&recorded.entries, &key) {
        return Err(TransferError::HostKeyRevoked {
            host,
            fingerprint: fp,
        });
    }
    let mut known = sess.known_hosts().map_err(hs_err)?;
    for e in &recorded.hosts {
        let line = format!("{} {} {}", e.hosts, e.key_type, e.key_base64);
        known
            .read_str(&line, KnownHostFileKind::OpenSSH)
            .map_err(hs_err)?;
    }
    match known.check_port(&peer.host, peer.port, &key) {
        CheckResult::Match => Ok(()),
        CheckResult::Mismatch => Err(TransferError::HostKeyChanged {
            host,
            fingerprint: fp,
        }),
        CheckResult::NotFound | CheckResult::Failure => {
            if trust != Some(fp.as_str()) {
                return Err(TransferError::UnknownHost {
                    host,
                    key_type: key_type_name(kind).into(),
                    fingerprint: fp,
                });
            }
            let entry = KnownHost {
                hosts: host,
                key_type: key_type_name(kind).into(),
                key_base64: base64::engine::general_purpose::STANDARD.encode(&key),
            };
            known_hosts::add(&keys.known_hosts, entry).map_err(|e| {
                TransferError::Io(crate::say!("frame.about", what = "known_hosts", reason = e))
            })
        }
    }
}

/// Public-key login as `peer.user` with tanadmin's key pair.
fn authenticate(
    sess: &Session,
    peer: &Peer,
    name: &str,
    keys: &ClientKeys,
) -> Result<(), TransferError> {
    sess.userauth_pubkey_file(&peer.user, Some(&keys.public_key), &keys.private_key, None)
        .map_err(|_| TransferError::AuthRefused {
            peer: name.to_string(),
            user: peer.user.clone(),
        })?;
    if !sess.authenticated() {
        return Err(TransferError::AuthRefused {
            peer: name.to_string(),
            user: peer.user.clone(),
        });
    }
    Ok(())
}

/// Downloads `remote` (a path relative to the transfer area, like `outgoing/reporting.crt`)
/// into memory, at most `limit` bytes.
pub fn download(
    peer: &Peer,
    keys: &ClientKeys,
    remote: &str,
    limit: u64,
    trust: Option<&str>,
    cancel: &AtomicBool,
) -> Result<Vec<u8>, TransferError> {
    let mut files = download_all(peer, keys, &[remote], limit, trust, cancel)?;
    files
        .pop()
        .flatten()
        .ok_or_else(|| TransferError::NotFound {
            peer: peer.to_string(),
            path: remote.to_string(),
        })
}

/// Downloads several files over one connection; `None` for a file the peer does not have.
pub fn download_all(
    peer: &Peer,
    keys: &ClientKeys,
    remotes: &[&str],
    limit: u64,
    trust: Option<&str>,
    cancel: &AtomicBool,
) -> Result<Vec<Option<Vec<u8>>>, TransferError> {
    let conn = Connection::open(peer, keys, trust)?;
    remotes
        .iter()
        .map(|remote| conn.fetch(remote, limit, cancel))
        .collect()
}

/// Uploads `bytes` to `remote` (relative to the transfer area, like `incoming/reporting.csr`).
pub fn upload(
    peer: &Peer,
    keys: &ClientKeys,
    remote: &str,
    bytes: &[u8],
    trust: Option<&str>,
    cancel: &AtomicBool,
) -> Result<(), TransferError> {
    Connection::open(peer, keys, trust)?.put(remote, bytes, cancel)
}

/// One SFTP session with a peer, for several reads and writes.
pub struct Connection {
    // The session outlives its SFTP channel.
    sftp: ssh2::Sftp,
    _session: Session,
}

impl Connection {
    /// Connects and logs in as `connect` does.
    pub fn open(
        peer: &Peer,
        keys: &ClientKeys,
        trust: Option<&str>,
    ) -> Result<Connection, TransferError> {
        let session = connect(peer, keys, trust)?;
        let sftp = session
            .sftp()
            .map_err(|e| TransferError::Io(e.message().to_string()))?;
        Ok(Connection {
            sftp,
            _session: session,
        })
    }

    /// The bytes of `remote`, at most `limit`; `None` when the peer does not have it or does
    /// not let it be read.
    pub fn fetch(
        &self,
        remote: &str,
        limit: u64,
        cancel: &AtomicBool,
    ) -> Result<Option<Vec<u8>>, TransferError> {
        let path = Path::new(remote);
        let Ok(stat) = self.sftp.stat(path) else {
            return Ok(None);
        };
        let size = stat.size.unwrap_or(0);
        if size > limit {
            return Err(TransferError::TooLarge {
                path: remote.to_string(),
                size,
                limit,
            });
        }
        let Ok(mut file) = self.sftp.open(path) else {
            return Ok(None);
        };
        let mut bytes = Vec::with_capacity(size as usize);
        let mut buf = vec![0u8; CHUNK];
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(TransferError::Cancelled);
            }
            let n = file
                .read(&mut buf)
                .map_err(|e| TransferError::Io(e.to_string()))?;
            if n == 0 {
                return Ok(Some(bytes));
            }
            bytes.extend_from_slice(&buf[..n]);
            if bytes.len() as u64 > limit {
                return Err(TransferError::TooLarge {
                    path: remote.to_string(),
                    size: bytes.len() as u64,
                    limit,
                });
            }
        }
    }

    /// Writes `bytes` to `remote` under a hidden name, then renames it into place: the peer
    /// never reads half a file.
    pub fn put(
        &self,
        remote: &str,
        bytes: &[u8],
        cancel: &AtomicBool,
    ) -> Result<(), TransferError> {
        let target = Path::new(remote);
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("upload");
        let partial = target.with_file_name(format!(".{name}.part"));
        let io = |e: ssh2::Error| {
            TransferError::Io(crate::say!(
                "frame.about",
                what = remote,
                reason = e.message()
            ))
        };
        let mut file = self.sftp.create(&partial).map_err(io)?;
        for chunk in bytes.chunks(CHUNK) {
            if cancel.load(Ordering::Relaxed) {
                drop(file);
                let _ = self.sftp.unlink(&partial);
                return Err(TransferError::Cancelled);
            }
            file.write_all(chunk)
                .map_err(|e| TransferError::Io(e.to_string()))?;
        }
        file.close().map_err(io)?;
        let _ = self.sftp.unlink(target);
        self.sftp.rename(&partial, target, None).map_err(io)?;
        Ok(())
    }
}
