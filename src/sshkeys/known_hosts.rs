//! `known_hosts` of tanadmin: the SFTP peers whose host keys were accepted.
//! Lines are read and written here; a change touches only the line it targets: hashed
//! entries, markers, comments, blank lines and line ends are kept byte for byte.

use std::path::Path;

use super::lines::{self, RawLines};
use crate::fsutil;

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

/// One entry line as listed: an optional marker (`@revoked`, `@cert-authority`), the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub marker: Option<String>,
    pub host: KnownHost,
}

impl Entry {
    /// "host" or "@revoked host", as lists show it.
    pub fn label(&self) -> String {
        match &self.marker {
            Some(m) => format!("{m} {}", self.host.hosts),
            None => self.host.hosts.clone(),
        }
    }
}

fn parse_entry(text: &str) -> Option<Entry> {
    let mut parts = text.split_whitespace();
    let mut first = parts.next()?;
    let marker = if first.starts_with('@') {
        let m = first.to_string();
        first = parts.next()?;
        Some(m)
    } else {
        None
    };
    let key_type = parts.next()?.to_string();
    let key_base64 = parts.next()?.to_string();
    Some(Entry {
        marker,
        host: KnownHost {
            hosts: first.to_string(),
            key_type,
            key_base64,
        },
    })
}

/// Every entry line in file order, with its line index in the file.
fn indexed(lines: &RawLines) -> Vec<(usize, Entry)> {
    lines
        .texts()
        .filter(|(_, t)| lines::is_entry(t))
        .filter_map(|(i, t)| parse_entry(&t).map(|e| (i, e)))
        .collect()
}

/// Every entry, marked ones included, in file order: what the console lists and removes.
pub fn entries(path: &Path) -> std::io::Result<Vec<Entry>> {
    Ok(indexed(&RawLines::read(path)?)
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}

/// The plain (unmarked) host keys: `@revoked` and `@cert-authority` lines are not a host's
/// recorded key.
pub fn read(path: &Path) -> std::io::Result<Vec<KnownHost>> {
    Ok(entries(path)?
        .into_iter()
        .filter(|e| e.marker.is_none())
        .map(|e| e.host)
        .collect())
}

/// Whether `key` (the raw key blob a host presents) is on a `@revoked` line: OpenSSH refuses
/// such a key whatever the host, and so does every connection made here.
pub fn is_revoked(entries: &[Entry], key: &[u8]) -> bool {
    use base64::Engine;
    entries.iter().any(|e| {
        e.marker.as_deref() == Some("@revoked")
            && base64::engine::general_purpose::STANDARD
                .decode(e.host.key_base64.as_bytes())
                .is_ok_and(|blob| blob == key)
    })
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

/// Records a host key (atomically: the file is rewritten whole, every other line as it was).
pub fn add(path: &Path, entry: KnownHost) -> std::io::Result<()> {
    let mut lines = RawLines::read(path)?;
    if indexed(&lines)
        .iter()
        .any(|(_, e)| e.marker.is_none() && e.host == entry)
    {
        return Ok(());
    }
    lines.push(&format!(
        "{} {} {}",
        entry.hosts, entry.key_type, entry.key_base64
    ));
    fsutil::atomic_write(path, &lines.bytes(), fsutil::PRIVATE_FILE)
}

/// Removes the entry on `line` (1-based, as listed by [`entries`]); returns it. Every other
/// line (comments, blank lines, marked entries) stays byte for byte.
pub fn remove(path: &Path, line: usize) -> std::io::Result<Option<Entry>> {
    let mut lines = RawLines::read(path)?;
    let mut listed = indexed(&lines);
    if line == 0 || line > listed.len() {
        return Ok(None);
    }
    let (index, removed) = listed.remove(line - 1);
    lines.remove(index);
    fsutil::atomic_write(path, &lines.bytes(), fsutil::PRIVATE_FILE)?;
    Ok(Some(removed))
}

/// The SHA256 fingerprint of an entry's key, as OpenSSH shows it; none when its key is not
/// base64.
pub fn key_fingerprint(entry: &KnownHost) -> Option<String> {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let blob = base64::engine::general_purpose::STANDARD
        .decode(entry.key_base64.as_bytes())
        .ok()?;
    Some(format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(blob))
    ))
}

/// The fingerprint as the audit log records it: "unreadable key" when there is none.
pub fn fingerprint(entry: &KnownHost) -> String {
    key_fingerprint(entry).unwrap_or_else(|| "unreadable key".to_string())
}

/// The fingerprint as the operator reads it, in this thread's voice.
pub fn fingerprint_shown(entry: &KnownHost) -> String {
    key_fingerprint(entry).unwrap_or_else(|| crate::say!("sshkeys.known_hosts.unreadable_key"))
}
