//! The Tanium Server's root keys (seed: key changes). One signs; earlier ones stay trusted
//! until revoked, so a rotation never cuts a Zone Server off half-way.
//!
//! `tanium/tanium.pvk`, `tanium.pub` are the signing root; `tanium/tanium-root.crt` holds the
//! certificate of every trusted root, the signing one first, so `openssl verify -CAfile`
//! accepts what any trusted root signed and refuses what a revoked one signed. Every root's
//! key (0600) and certificate are also kept in `tanium/roots/`, listed in
//! `tanium/roots.json`. An appliance made before the registry has one signing root: its
//! files are the registry until the first change.
//!
//! Adding a root writes the new root, the bundle, the registry, the server's own TLS key
//! and certificate signed by the new root, and `/outgoing/tanium.pub` as one set: killed at
//! any moment, the old root and its TLS pair, or the new root and its TLS pair, are in force.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::fleet::ROOT_PUB;
use super::tls::{self, TS_CERT, TS_KEY, TS_ROOT_CERT, TS_ROOT_KEY, TS_ROOT_PUB, TlsError};
use super::trust::Staged;
use super::{Appliance, Layout, Role, audit, ledger};
use crate::fsutil;
use crate::pki::{CertSummary, RootCa, TrustedKey, certificate_blocks};

pub const REGISTRY: &str = "tanium/roots.json";
pub const ROOTS_DIR: &str = Layout::ROOTS_DIR;

pub use super::trust::{RootEntry, RootRow, RootState};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Registry {
    roots: Vec<RootEntry>,
}

fn require_hub(app: &Appliance) -> Result<(), TlsError> {
    match app.config.role {
        Role::TaniumServer => Ok(()),
        Role::ZoneServer => Err(TlsError::WrongRole(Role::ZoneServer.label())),
    }
}

fn read_text(app: &Appliance, rel: &str) -> Result<Option<String>, TlsError> {
    fsutil::read_text_opt(&app.path(rel), fsutil::LIMIT_PEM).map_err(|source| TlsError::Read {
        path: rel.into(),
        source,
    })
}

/// The registry, or the one signing root of an appliance made before it.
fn registry(app: &Appliance) -> Result<Registry, TlsError> {
    if let Some(text) = read_text(app, REGISTRY)? {
        return serde_json::from_str(&text).map_err(|e| TlsError::Read {
            path: REGISTRY.into(),
            source: std::io::Error::other(e),
        });
    }
    let (_, cert) = tls::root_material(app)?;
    let summary = CertSummary::from_pem(cert.as_bytes())?;
    Ok(Registry {
        roots: vec![RootEntry {
            fingerprint: summary.key_fingerprint,
            created: summary.not_before.format(&Rfc3339).unwrap_or_default(),
            state: RootState::Signing,
            key: TS_ROOT_KEY.into(),
            cert: TS_ROOT_CERT.into(),
        }],
    })
}

/// Every root key, signing first, with what each still signs.
pub fn list(app: &Appliance, now: OffsetDateTime) -> Result<Vec<RootRow>, TlsError> {
    require_hub(app)?;
    let registry = registry(app)?;
    let index = ledger::index(app).map_err(|source| TlsError::Read {
        path: ledger::LEDGER.into(),
        source,
    })?;
    Ok(registry
        .roots
        .into_iter()
        .map(|entry| {
            let names = index.valid_signed_by(&entry.fingerprint, now);
            RootRow {
                valid_signed: names.len(),
                names,
                entry,
            }
        })
        .collect())
}

/// A root added: the one it took over from, the new one, the server's new TLS certificate,
/// and how many issued certificates now need re-issuing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub previous: String,
    pub signing: String,
    pub server_cert: CertSummary,
    pub reissue_needed: usize,
}

/// The file names a root is kept under in `tanium/roots/`.
fn kept_as(fingerprint: &str, created: &str) -> (String, String) {
    let tag: String = fingerprint
        .trim_start_matches("SHA256:")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    let day: String = created
        .chars()
        .filter(char::is_ascii_digit)
        .take(8)
        .collect();
    let stem = format!("{ROOTS_DIR}/{day}-{tag}");
    (format!("{stem}.pvk"), format!("{stem}.crt"))
}

/// The bundle of trusted roots' certificates, signing first; a certificate about to be
/// written with the same set is taken from `staged`.
fn bundle(
    app: &Appliance,
    roots: &[RootEntry],
    signing_cert: &str,
    staged: &[Staged],
) -> Result<String, TlsError> {
    let mut out = signing_cert.to_string();
    for entry in roots.iter().filter(|e| e.state == RootState::Trusted) {
        let text = match staged.iter().find(|(rel, _, _)| *rel == entry.cert) {
            Some((_, bytes, _)) => Some(String::from_utf8_lossy(bytes).into_owned()),
            None => read_text(app, &entry.cert)?,
        };
        let text = text.ok_or(TlsError::NoRoot)?;
        let first = certificate_blocks(&text)?.into_iter().next();
        out.push_str(&first.ok_or(TlsError::NoRoot)?);
    }
    Ok(out)
}

fn write_set(app: &Appliance, set: &[Staged]) -> Result<(), TlsError> {
    super::trust::write_in(app, (ROOTS_DIR, fsutil::PRIVATE_DIR), set)
}

fn registry_bytes(registry: &Registry) -> Result<Vec<u8>, TlsError> {
    serde_json::to_vec_pretty(registry).map_err(|e| TlsError::Write {
        path: REGISTRY.into(),
        source: std::io::Error::other(e),
    })
}

/// Makes sure every root of the registry is kept in `tanium/roots/` (an appliance made
/// before the registry keeps its root only as `tanium.pvk`): the files to add to the set.
fn keep_current(app: &Appliance, registry: &mut Registry) -> Result<Vec<Staged>, TlsError> {
    let mut staged = Vec::new();
    for entry in &mut registry.roots {
        if entry.key != TS_ROOT_KEY {
            continue;
        }
        let (key_rel, cert_rel) = kept_as(&entry.fingerprint, &entry.created);
        let key = read_text(app, TS_ROOT_KEY)?.ok_or(TlsError::NoRoot)?;
        let (_, cert) = tls::root_material(app)?;
        staged.push((key_rel.clone(), key.into_bytes(), fsutil::PRIVATE_FILE));
        staged.push((cert_rel.clone(), cert.into_bytes(), fsutil::PUBLIC_FILE));
        (entry.key, entry.cert) = (key_rel, cert_rel);
    }
    Ok(staged)
}

/// Adds a new root key (seed: key changes): it signs from now on; `tanium.pvk`,
/// `tanium.pub`, `tanium-root.crt` and `/outgoing/tanium.pub` follow it; the previous one
/// stays trusted until revoked; the server's own TLS key and certificate are made again,
/// signed by the new root, in the same step.
pub fn add(app: &Appliance, now: OffsetDateTime) -> Result<Added, TlsError> {
    require_hub(app)?;
    let lock = super::lock::acquire(app)?;
    let mut registry = registry(app)?;
    let mut set = keep_current(app, &mut registry)?;
    let previous = demote_signing(&mut registry)?;
    let root = new_root(app, &mut registry, now)?;
    let pair = tls::server_pair(app, &(root.key_pem.clone(), root.cert_pem.clone()), now)?;
    stage_root(app, &mut set, &registry, &root)?;
    set.extend([
        (
            TS_KEY.into(),
            pair.key_pem.as_bytes().to_vec(),
            fsutil::PRIVATE_FILE,
        ),
        (
            TS_CERT.into(),
            pair.cert_pem.clone().into_bytes(),
            fsutil::PUBLIC_FILE,
        ),
    ]);
    let backups = tls::backup_pair(app, now)?;
    write_set(app, &set)?;
    let reissue_needed = ledger::index(app)
        .map(|i| i.reissue_needed(&root.fingerprint, now))
        .unwrap_or(0);
    let mut files: Vec<&str> = set.iter().map(|(rel, _, _)| rel.as_str()).collect();
    files.extend(backups.iter().map(String::as_str));
    let fps = [previous.clone(), root.fingerprint.clone()];
    let _ = audit::record(&lock, "root.add", &files, &fps, "");
    Ok(Added {
        previous,
        signing: root.fingerprint,
        server_cert: pair.summary,
        reissue_needed,
    })
}

/// The signing root becomes a trusted one: its fingerprint.
fn demote_signing(registry: &mut Registry) -> Result<String, TlsError> {
    let previous = registry
        .roots
        .iter_mut()
        .find(|e| e.state == RootState::Signing)
        .ok_or(TlsError::NoRoot)?;
    previous.state = RootState::Trusted;
    Ok(previous.fingerprint.clone())
}

/// A new root, named with its date, entered in the registry as the signing one.
fn new_root(
    app: &Appliance,
    registry: &mut Registry,
    now: OffsetDateTime,
) -> Result<RootCa, TlsError> {
    let created = now.format(&Rfc3339).unwrap_or_default();
    let name = format!(
        "Tanium Root {} {}",
        app.config.hostname,
        crate::text::prefix(&created, 16)
    );
    let root = RootCa::named(&name, now)?;
    let (key, cert) = kept_as(&root.fingerprint, &created);
    let entry = RootEntry {
        fingerprint: root.fingerprint.clone(),
        created,
        state: RootState::Signing,
        key,
        cert,
    };
    registry.roots.insert(0, entry);
    Ok(root)
}

/// The files of a new signing root: kept in `tanium/roots/`, as `tanium.pvk`, `tanium.pub`
/// and `/outgoing/tanium.pub`, at the head of the bundle, and the registry.
fn stage_root(
    app: &Appliance,
    set: &mut Vec<Staged>,
    registry: &Registry,
    root: &RootCa,
) -> Result<(), TlsError> {
    let entry = &registry.roots[0];
    let (key, public, cert) = (&root.key_pem, &root.public_pem, &root.cert_pem);
    let outgoing_pub = format!("{}/{ROOT_PUB}", Layout::OUTGOING);
    let bundle = bundle(app, &registry.roots, cert, set)?;
    set.extend([
        (
            entry.key.clone(),
            key.clone().into_bytes(),
            fsutil::PRIVATE_FILE,
        ),
        (
            entry.cert.clone(),
            cert.clone().into_bytes(),
            fsutil::PUBLIC_FILE,
        ),
        (
            TS_ROOT_KEY.into(),
            key.clone().into_bytes(),
            fsutil::PRIVATE_FILE,
        ),
        (
            TS_ROOT_PUB.into(),
            public.clone().into_bytes(),
            fsutil::PUBLIC_FILE,
        ),
        (
            TS_ROOT_CERT.into(),
            bundle.into_bytes(),
            fsutil::PUBLIC_FILE,
        ),
        (
            REGISTRY.into(),
            registry_bytes(registry)?,
            fsutil::PUBLIC_FILE,
        ),
        (
            outgoing_pub,
            public.clone().into_bytes(),
            fsutil::PUBLIC_FILE,
        ),
    ]);
    Ok(())
}

/// Revokes a trusted root (never the signing one): it leaves `tanium-root.crt`, so what it
/// signed is no longer accepted. Returns the names it still signed.
pub fn revoke(
    app: &Appliance,
    fingerprint: &str,
    now: OffsetDateTime,
) -> Result<RootRow, TlsError> {
    require_hub(app)?;
    let lock = super::lock::acquire(app)?;
    let rows = list(app, now)?;
    let row = rows
        .iter()
        .find(|r| r.entry.fingerprint == fingerprint)
        .ok_or_else(|| TlsError::UnknownRoot(fingerprint.to_string()))?
        .clone();
    match row.entry.state {
        RootState::Signing => return Err(TlsError::RevokeSigning),
        RootState::Revoked => return Err(TlsError::AlreadyRevoked(fingerprint.to_string())),
        RootState::Trusted => {}
    }
    let mut registry = registry(app)?;
    let mut set = keep_current(app, &mut registry)?;
    for entry in &mut registry.roots {
        if entry.fingerprint == fingerprint {
            entry.state = RootState::Revoked;
        }
    }
    let (_, signing_cert) = tls::root_material(app)?;
    let public = read_text(app, TS_ROOT_PUB)?.ok_or(TlsError::NoRoot)?;
    set.extend([
        (
            TS_ROOT_CERT.into(),
            bundle(app, &registry.roots, &signing_cert, &set)?.into_bytes(),
            fsutil::PUBLIC_FILE,
        ),
        (
            REGISTRY.into(),
            registry_bytes(&registry)?,
            fsutil::PUBLIC_FILE,
        ),
        (
            format!("{}/{ROOT_PUB}", Layout::OUTGOING),
            public.into_bytes(),
            fsutil::PUBLIC_FILE,
        ),
    ]);
    write_set(app, &set)?;
    let files: Vec<&str> = set.iter().map(|(rel, _, _)| rel.as_str()).collect();
    let detail = format!(
        "{} certificate(s) it signed are no longer accepted",
        row.valid_signed
    );
    let _ = audit::record(
        &lock,
        "root.revoke",
        &files,
        &[fingerprint.to_string()],
        &detail,
    );
    Ok(row)
}

/// The root keys a Zone Server may be shown to compare: the signing one's public key.
pub fn signing_key(app: &Appliance) -> Result<TrustedKey, TlsError> {
    let text = read_text(app, TS_ROOT_PUB)?.ok_or(TlsError::NoRoot)?;
    Ok(TrustedKey::from_pem(text.as_bytes())?)
}

/// When the server's own TLS key is next rotated: 7.4 and later, with
/// ReportingTLSKeyRotationDays above 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub every_days: u32,
    pub due: OffsetDateTime,
}

const ROTATION_SETTING: &str = "ReportingTLSKeyRotationDays";

/// The rotation schedule of the server's own TLS key, if it has one.
pub fn rotation(app: &Appliance) -> Option<Rotation> {
    use super::catalogue::{self, Component, Value};
    let component = Component::TaniumServer;
    let def = catalogue::lookup(&app.config, component, ROTATION_SETTING).ok()?;
    let set = super::settings::Settings::load(app)
        .ok()?
        .get(component, def.name)
        .cloned();
    let every_days = match set.or_else(|| catalogue::default_value(&app.config, component, def)) {
        Some(Value::Dword(n)) if n > 0 => n,
        _ => return None,
    };
    let cert = read_text(app, TS_CERT).ok()??;
    let issued = CertSummary::from_pem(cert.as_bytes()).ok()?.not_before;
    Some(Rotation {
        every_days,
        due: issued + time::Duration::days(i64::from(every_days)),
    })
}

/// Rotates the server's own TLS key and certificate when the schedule says so (for a
/// timer): the new certificate, or `None` when nothing is due.
pub fn rotate_due(app: &Appliance, now: OffsetDateTime) -> Result<Option<CertSummary>, TlsError> {
    require_hub(app)?;
    match rotation(app) {
        Some(r) if r.due <= now => tls::regenerate_server_tls(app, now).map(Some),
        _ => Ok(None),
    }
}
