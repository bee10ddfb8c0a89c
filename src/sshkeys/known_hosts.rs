//! `known_hosts` of tanadmin: the SFTP peers whose host keys were accepted.
//! Lines are read and written here; hashed entries are kept as they are.

use std::path::Path;

use crate::appliance::fsutil;

/// One line of known_hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownHost {
    /// "host", "[host]:port", "|1|…" (hashed), or a comma-separated list.
    pub hosts: String,
    pub key_type: String,
    pub key_base64: String,
}

/// The name a host has in known_hosts: `host`, or `[host]:port` off port 22.
pub fn host_pattern(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    }
}

pub fn read(path: &Path) -> std::io::Result<Vec<KnownHost>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let hosts = parts.next()?.to_string();
            let key_type = parts.next()?.to_string();
            let key_base64 = parts.next()?.to_string();
            Some(KnownHost {
                hosts,
                key_type,
                key_base64,
            })
        })
        .collect())
}

/// Key types recorded for `host:port` in plain (unhashed) entries.
pub fn recorded_types(entries: &[KnownHost], host: &str, port: u16) -> Vec<String> {
    let pattern = host_pattern(host, port);
    entries
        .iter()
        .filter(|e| e.hosts.split(',').any(|h| h == pattern))
        .map(|e| e.key_type.clone())
        .collect()
}

fn write(path: &Path, entries: &[KnownHost]) -> std::io::Result<()> {
    let text: String = entries
        .iter()
        .map(|e| format!("{} {} {}\n", e.hosts, e.key_type, e.key_base64))
        .collect();
    fsutil::atomic_write(path, text.as_bytes(), fsutil::PRIVATE_FILE)
}

/// Records a host key (atomically: the file is rewritten whole).
pub fn add(path: &Path, entry: KnownHost) -> std::io::Result<()> {
    let mut entries = read(path)?;
    if !entries.contains(&entry) {
        entries.push(entry);
    }
    write(path, &entries)
}

/// Removes the entry on `line` (1-based, as listed); returns it.
pub fn remove(path: &Path, line: usize) -> std::io::Result<Option<KnownHost>> {
    let mut entries = read(path)?;
    if line == 0 || line > entries.len() {
        return Ok(None);
    }
    let removed = entries.remove(line - 1);
    write(path, &entries)?;
    Ok(Some(removed))
}

/// The SHA256 fingerprint of an entry's key, as OpenSSH shows it.
pub fn fingerprint(entry: &KnownHost) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    match base64::engine::general_purpose::STANDARD.decode(entry.key_base64.as_bytes()) {
        Ok(blob) => format!(
            "SHA256:{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(blob))
        ),
        Err(_) => "unreadable key".to_string(),
    }
}
