//! The Tanium root keys a Zone Server trusts: `zoneserver/tanium.pub`, the newest one
//! accepted, and the earlier ones in `zoneserver/roots/`, still trusted until the operator
//! removes them, so a root rotation on the Tanium Server never cuts a Zone Server off
//! half-way (its installed certificate keeps chaining to a root it trusts).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use serde::{Deserialize, Serialize};

use super::tls::error::{TlsError, ZS_ROOT};
use super::{Appliance, Role, audit};
use crate::fsutil;
use crate::pki::TrustedKey;

/// The root key types are shared with the Tanium Server's root key management, which
/// lists its own keys with them.
/// Where a root key stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RootState {
    /// Signs what the server issues now.
    Signing,
    /// Signed earlier; what it signed is still accepted.
    Trusted,
    /// No longer trusted: left out of tanium-root.crt.
    Revoked,
}

/// One root key of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootEntry {
    pub fingerprint: String,
    /// RFC 3339.
    pub created: String,
    pub state: RootState,
    /// The key's file and its certificate's, relative to the appliance root.
    pub key: String,
    pub cert: String,
}

/// A root key as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootRow {
    pub entry: RootEntry,
    /// Certificates of the ledger it signed that are the newest of their name and valid.
    pub valid_signed: usize,
    /// Their names, for the revocation question.
    pub names: Vec<String>,
}

pub const ZS_ROOTS_DIR: &str = super::Layout::ZS_ROOTS_DIR;

/// One trusted root key and the file it is kept in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trusted {
    pub rel: String,
    pub key: TrustedKey,
    /// `zoneserver/tanium.pub`: the newest accepted.
    pub current: bool,
}

fn require_zone(app: &Appliance) -> Result<(), TlsError> {
    match app.config.role {
        Role::ZoneServer => Ok(()),
        Role::TaniumServer => Err(TlsError::WrongRole(Role::TaniumServer.label())),
    }
}

fn read_key(app: &Appliance, rel: &str) -> Result<Option<TrustedKey>, TlsError> {
    match fsutil::read_bytes_opt(&app.path(rel), fsutil::LIMIT_PEM) {
        Ok(Some(bytes)) => Ok(Some(TrustedKey::from_pem(&bytes)?)),
        Ok(None) => Ok(None),
        Err(source) => Err(TlsError::Read {
            path: rel.into(),
            source,
        }),
    }
}

/// The earlier roots kept in `zoneserver/roots/`, newest first (their names begin with the
/// time they were set aside).
fn kept(app: &Appliance) -> Result<Vec<String>, TlsError> {
    let dir = app.path(ZS_ROOTS_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(TlsError::Read {
                path: ZS_ROOTS_DIR.into(),
                source,
            });
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".pub") && !n.starts_with('.'))
        .collect();
    names.sort_unstable_by(|a, b| b.cmp(a));
    Ok(names
        .into_iter()
        .map(|n| format!("{ZS_ROOTS_DIR}/{n}"))
        .collect())
}

/// Every trusted root key, the current one first; a key kept twice is listed once.
pub fn trusted(app: &Appliance) -> Result<Vec<Trusted>, TlsError> {
    let mut out: Vec<Trusted> = Vec::new();
    if let Some(key) = read_key(app, ZS_ROOT)? {
        out.push(Trusted {
            rel: ZS_ROOT.into(),
            key,
            current: true,
        });
    }
    for rel in kept(app)? {
        let Some(key) = read_key(app, &rel)? else {
            continue;
        };
        if out.iter().all(|t| t.key.fingerprint != key.fingerprint) {
            out.push(Trusted {
                rel,
                key,
                current: false,
            });
        }
    }
    Ok(out)
}

/// The trusted roots as the root key list shows them: the current one as the one that
/// signs, the others as trusted.
pub fn rows(app: &Appliance) -> Result<Vec<RootRow>, TlsError> {
    require_zone(app)?;
    Ok(trusted(app)?
        .into_iter()
        .map(|t| {
            let created = std::fs::metadata(app.path(&t.rel))
                .and_then(|m| m.modified())
                .map(OffsetDateTime::from)
                .ok()
                .and_then(|at| at.format(&Rfc3339).ok())
                .unwrap_or_default();
            RootRow {
                entry: RootEntry {
                    fingerprint: t.key.fingerprint,
                    created,
                    state: if t.current {
                        RootState::Signing
                    } else {
                        RootState::Trusted
                    },
                    key: String::new(),
                    cert: t.rel,
                },
                valid_signed: 0,
                names: Vec::new(),
            }
        })
        .collect())
}

/// One file of a set: path relative to the root, bytes, mode.
pub type Staged = (String, Vec<u8>, u32);

/// The files that make `key` the current trusted root, the current one kept trusted in
/// `zoneserver/roots/`: nothing when `key` is the current one already.
pub fn promote(
    app: &Appliance,
    key: &TrustedKey,
    now: OffsetDateTime,
) -> Result<Vec<Staged>, TlsError> {
    let current = read_key(app, ZS_ROOT)?;
    if current
        .as_ref()
        .is_some_and(|c| c.fingerprint == key.fingerprint)
    {
        return Ok(Vec::new());
    }
    let mut set = Vec::new();
    if let Some(previous) = current {
        let tag: String = previous
            .fingerprint
            .trim_start_matches("SHA256:")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(12)
            .collect();
        let rel = format!("{ZS_ROOTS_DIR}/{}-{tag}.pub", fsutil::stamp(now));
        set.push((rel, previous.to_pem().into_bytes(), fsutil::PUBLIC_FILE));
    }
    set.push((
        ZS_ROOT.into(),
        key.to_pem().into_bytes(),
        fsutil::PUBLIC_FILE,
    ));
    Ok(set)
}

/// Writes a set of files as one (the roots directory made first).
pub fn write_set(app: &Appliance, set: &[Staged]) -> Result<(), TlsError> {
    write_in(app, (ZS_ROOTS_DIR, fsutil::PUBLIC_DIR), set)
}

/// Writes `set` as one (a journaled set: all or none), after making the directory `dir`
/// (with its mode) when it is missing. Shared with the Tanium Server's root keys.
pub fn write_in(app: &Appliance, (dir, mode): (&str, u32), set: &[Staged]) -> Result<(), TlsError> {
    let made = app.path(dir);
    if !made.is_dir() {
        fsutil::create_dir(&made, mode).map_err(|source| TlsError::Write {
            path: dir.into(),
            source,
        })?;
    }
    let paths: Vec<_> = set.iter().map(|(rel, _, _)| app.path(rel)).collect();
    let files: Vec<_> = set
        .iter()
        .zip(&paths)
        .map(|((_, bytes, mode), path)| (path.as_path(), bytes.as_slice(), *mode))
        .collect();
    let first = set
        .first()
        .map_or_else(|| dir.to_string(), |(rel, _, _)| rel.clone());
    fsutil::atomic_write_all(&files).map_err(|source| TlsError::Write {
        path: first,
        source,
    })
}

/// Stops trusting an earlier root key (never the current one). Returns its row.
pub fn remove(app: &Appliance, fingerprint: &str) -> Result<RootRow, TlsError> {
    require_zone(app)?;
    let lock = super::lock::acquire(app)?;
    let row = rows(app)?
        .into_iter()
        .find(|r| r.entry.fingerprint == fingerprint)
        .ok_or_else(|| TlsError::UnknownRoot(fingerprint.to_string()))?;
    if row.entry.state == RootState::Signing {
        return Err(TlsError::RemoveCurrent);
    }
    // The same key may be kept under several names: every one goes.
    for rel in kept(app)? {
        if read_key(app, &rel)?.is_some_and(|k| k.fingerprint == fingerprint) {
            std::fs::remove_file(app.path(&rel)).map_err(|source| TlsError::Write {
                path: rel.clone(),
                source,
            })?;
        }
    }
    let _ = fsutil::sync_dir(&app.path(ZS_ROOTS_DIR));
    let _ = audit::record(
        &lock,
        "root.untrust",
        &[&row.entry.cert],
        &[fingerprint.to_string()],
        "",
    );
    Ok(row)
}
