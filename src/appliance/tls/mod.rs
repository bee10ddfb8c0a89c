//! The TLS workflows on the appliance's files (SPEC §4.2–4.4): write a new key and CSR,
//! issue a certificate from a CSR, install a signed certificate, trust a root key.
//! Every write is atomic; every refusal happens before the first write.

use std::path::Path;

use time::OffsetDateTime;

use super::catalogue::{self, Component, Value};
use super::settings::{self, Settings};
use super::{Appliance, Layout, Role, audit, trust};
use crate::fsutil;
use crate::pki::csr::{self, NewCsr};
use crate::pki::issue::{self, LeafRequest};
use crate::pki::verify::{self, CertError};
use crate::pki::{CertSummary, TrustedKey};

pub mod error;

pub use error::*;

fn read(app: &Appliance, rel: &str) -> Result<Option<String>, TlsError> {
    fsutil::read_text_opt(&app.path(rel), fsutil::LIMIT_PEM).map_err(|source| TlsError::Read {
        path: rel.to_string(),
        source,
    })
}

/// Keeps a copy of `rel` as `rel.<stamp>.bak` (same mode) before it is replaced.
fn backup(app: &Appliance, rel: &str, now: OffsetDateTime) -> Result<Option<String>, TlsError> {
    let made = fsutil::backup(&app.path(rel), now).map_err(|source| TlsError::Write {
        path: format!("{rel}.bak"),
        source,
    })?;
    Ok(made.map(|path| {
        path.strip_prefix(&app.root)
            .unwrap_or(&path)
            .display()
            .to_string()
    }))
}

fn require(app: &Appliance, role: Role) -> Result<(), TlsError> {
    if app.config.role == role {
        Ok(())
    } else {
        Err(TlsError::WrongRole(app.config.role.label()))
    }
}

/// Whether a reporting key exists already (the CSR step then asks before replacing it).
pub fn has_zone_key(app: &Appliance) -> bool {
    app.path(ZS_KEY).exists()
}

/// Writes a new key and CSR on a Zone Server; the previous key and certificate are kept as
/// backups. Returns the files written.
pub fn write_new_csr(
    app: &Appliance,
    new: &NewCsr,
    now: OffsetDateTime,
) -> Result<Vec<String>, TlsError> {
    require(app, Role::ZoneServer)?;
    let _lock = super::lock::acquire(app)?;
    let mut files = Vec::new();
    for rel in [ZS_KEY, ZS_CSR] {
        files.extend(backup(app, rel, now)?);
    }
    // Key and CSR land together or not at all: a new key beside an old CSR is a trap.
    let (key, csr, out) = (app.path(ZS_KEY), app.path(ZS_CSR), app.path(OUT_CSR));
    fsutil::atomic_write_all(&[
        (&key, new.key_pem.as_bytes(), fsutil::PRIVATE_FILE),
        (&csr, new.csr_pem.as_bytes(), fsutil::PUBLIC_FILE),
        (&out, new.csr_pem.as_bytes(), fsutil::PUBLIC_FILE),
    ])
    .map_err(|source| TlsError::Write {
        path: ZS_KEY.to_string(),
        source,
    })?;
    files.extend([ZS_KEY.to_string(), ZS_CSR.to_string(), OUT_CSR.to_string()]);
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let _ = audit::record(
        &_lock,
        "csr.generate",
        &refs,
        std::slice::from_ref(&new.key_fingerprint),
        "",
    );
    Ok(files)
}

/// The root private key and its certificate, as PEM.
/// The certificate is the first of `tanium-root.crt`, which holds every trusted root.
pub(super) fn root_material(app: &Appliance) -> Result<(String, String), TlsError> {
    let key = read(app, TS_ROOT_KEY)?.ok_or(TlsError::NoRoot)?;
    let bundle = read(app, TS_ROOT_CERT)?.ok_or(TlsError::NoRoot)?;
    let cert = crate::pki::certificate_blocks(&bundle)?
        .into_iter()
        .next()
        .ok_or(TlsError::NoRoot)?;
    Ok((key, cert))
}

/// The Zone Server's trusted root key, if one was imported.
pub fn trusted_root(app: &Appliance) -> Result<Option<TrustedKey>, TlsError> {
    match read(app, ZS_ROOT)? {
        Some(text) => Ok(Some(TrustedKey::from_pem(text.as_bytes())?)),
        None => Ok(None),
    }
}

/// The outcome of checking a certificate before installing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertCheck {
    /// Every check passed against a trusted root.
    Ready(CertSummary),
    /// No trusted root signed it; `candidate` (the Tanium Server's tanium.pub, found in
    /// /incoming) did. The operator compares its fingerprint with the Tanium Server's root
    /// key list before it is trusted; `trusted` is the current trusted root, if any, which
    /// stays trusted.
    NeedsTrust {
        summary: CertSummary,
        candidate: TrustedKey,
        trusted: Option<String>,
    },
}

/// The key the Tanium Server sent beside the certificate, when it is not trusted yet.
fn candidate_root(app: &Appliance, trusted: &[trust::Trusted]) -> Option<TrustedKey> {
    let pem = super::incoming::read(app, "tanium.pub").ok()?;
    let key = TrustedKey::from_pem(pem.as_bytes()).ok()?;
    trusted
        .iter()
        .all(|t| t.key.fingerprint != key.fingerprint)
        .then_some(key)
}

/// Checks `text` as a certificate for this Zone Server (SPEC §4.4) without writing anything:
/// against every trusted root, then against a new root the Tanium Server sent.
pub fn check_for_install(
    app: &Appliance,
    text: &str,
    now: OffsetDateTime,
) -> Result<CertCheck, TlsError> {
    require(app, Role::ZoneServer)?;
    let key_pem = read(app, ZS_KEY)?.ok_or(TlsError::NoKey)?;
    let key_spki = csr::private_key_spki(&key_pem)?;
    let trusted = trust::trusted(app)?;
    let mut first_error = None;
    for root in &trusted {
        match verify::check_certificate(text, &key_spki, &root.key.spki_der, now) {
            Ok(summary) => return Ok(CertCheck::Ready(summary)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let not_signed = matches!(first_error, None | Some(CertError::NotSignedByRoot(_)));
    match candidate_root(app, &trusted) {
        Some(candidate) if not_signed => {
            let summary = verify::check_certificate(text, &key_spki, &candidate.spki_der, now)?;
            let trusted = trusted.first().map(|t| t.key.fingerprint.clone());
            Ok(CertCheck::NeedsTrust {
                summary,
                candidate,
                trusted,
            })
        }
        _ => Err(first_error.map_or(TlsError::NoRoot, TlsError::Cert)),
    }
}

/// Installs a certificate after `check_for_install` accepted it, checking it again against
/// the files as they are now. `trust` is the root key the operator accepted: it becomes the
/// current trusted root, the previous one staying trusted; root and certificate land
/// together.
pub fn install_certificate(
    app: &Appliance,
    text: &str,
    trust: Option<&TrustedKey>,
    now: OffsetDateTime,
) -> Result<CertSummary, TlsError> {
    require(app, Role::ZoneServer)?;
    let _lock = super::lock::acquire(app)?;
    let key_pem = read(app, ZS_KEY)?.ok_or(TlsError::NoKey)?;
    let key_spki = csr::private_key_spki(&key_pem)?;
    let trusted = trust::trusted(app)?;
    let signer = match trust {
        Some(accepted) => accepted.clone(),
        None => trusted
            .iter()
            .find(|t| verify::check_certificate(text, &key_spki, &t.key.spki_der, now).is_ok())
            .or(trusted.first())
            .map(|t| t.key.clone())
            .ok_or(TlsError::NoRoot)?,
    };
    let summary = verify::check_certificate(text, &key_spki, &signer.spki_der, now)?;
    let der = verify::certificate_der(text)?;
    // Decided before the first write: an unreadable settings.toml refuses the whole install.
    let tls_mode = default_tls_mode(app)?;
    let mut set = match trust {
        Some(accepted) => trust::promote(app, accepted, now)?,
        None => Vec::new(),
    };
    let mut files: Vec<String> = backup(app, ZS_CERT, now)?.into_iter().collect();
    set.push((
        ZS_CERT.into(),
        crate::pki::to_pem("CERTIFICATE", &der).into_bytes(),
        fsutil::PUBLIC_FILE,
    ));
    trust::write_set(app, &set)?;
    files.extend(set.iter().map(|(rel, _, _)| rel.clone()));
    if let Some(checked) = tls_mode {
        settings::save_locked(app, &_lock, &checked)?;
        files.push(format!("{} (ReportingTLSMode = 2)", Layout::SETTINGS));
    }
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let detail = format!("serial {} subject {}", summary.serial, summary.subject);
    let _ = audit::record(
        &_lock,
        "cert.install",
        &refs,
        &[summary.key_fingerprint.clone(), signer.fingerprint.clone()],
        &detail,
    );
    Ok(summary)
}

/// Seed step 3: installing sets ReportingTLSMode to 2 (optional) unless the operator set it.
fn default_tls_mode(app: &Appliance) -> Result<Option<catalogue::Validated>, TlsError> {
    let component = Component::ZoneServer;
    let Ok(def) = catalogue::lookup(&app.config, component, "ReportingTLSMode") else {
        return Ok(None);
    };
    let current = Settings::load(app)?.get(component, def.name).cloned();
    let default = catalogue::default_value(&app.config, component, def);
    if current.is_some() && current != default {
        return Ok(None);
    }
    match catalogue::validate(&app.config, component, def.name, "2") {
        Ok(checked) if current.as_ref() != Some(&Value::Dword(2)) => Ok(Some(checked)),
        _ => Ok(None),
    }
}

/// Stores a root public key as the Zone Server's trusted root; returns its fingerprint.
/// The previous current root stays trusted, kept in `zoneserver/roots/`.
pub fn import_trusted_root(app: &Appliance, text: &str) -> Result<String, TlsError> {
    require(app, Role::ZoneServer)?;
    let _lock = super::lock::acquire(app)?;
    let key = TrustedKey::from_pem(text.as_bytes())?;
    let now = OffsetDateTime::now_utc();
    let set = trust::promote(app, &key, now)?;
    trust::write_set(app, &set)?;
    let files: Vec<String> = set.iter().map(|(rel, _, _)| rel.clone()).collect();
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let _ = audit::record(
        &_lock,
        "root.trust",
        &refs,
        std::slice::from_ref(&key.fingerprint),
        "",
    );
    Ok(key.fingerprint)
}

/// Regenerates the Tanium Server's own TLS key and certificate, signed by the root key
/// (seed: needed when the root keys change). The old pair is kept as backups.
pub fn regenerate_server_tls(
    app: &Appliance,
    now: OffsetDateTime,
) -> Result<CertSummary, TlsError> {
    require(app, Role::TaniumServer)?;
    let _lock = super::lock::acquire(app)?;
    let root = root_material(app)?;
    let pair = server_pair(app, &root, now)?;
    let (key_pem, cert_pem, summary) = (pair.key_pem, pair.cert_pem, pair.summary);
    let mut files = backup_pair(app, now)?;
    // Key and certificate land together: a certificate never names a key that is not on disk.
    let (key_path, cert_path) = (app.path(TS_KEY), app.path(TS_CERT));
    fsutil::atomic_write_all(&[
        (&key_path, key_pem.as_bytes(), fsutil::PRIVATE_FILE),
        (&cert_path, cert_pem.as_bytes(), fsutil::PUBLIC_FILE),
    ])
    .map_err(|source| TlsError::Write {
        path: TS_KEY.to_string(),
        source,
    })?;
    files.extend([TS_KEY.to_string(), TS_CERT.to_string()]);
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let _ = audit::record(
        &_lock,
        "tls.regenerate",
        &refs,
        std::slice::from_ref(&summary.key_fingerprint),
        "",
    );
    Ok(summary)
}

/// Keeps the server's own TLS key and certificate as backups before they are replaced:
/// the backups made.
pub(super) fn backup_pair(app: &Appliance, now: OffsetDateTime) -> Result<Vec<String>, TlsError> {
    let mut made = Vec::new();
    for rel in [TS_KEY, TS_CERT] {
        made.extend(backup(app, rel, now)?);
    }
    Ok(made)
}

/// The Tanium Server's own TLS key and certificate, made and signed in memory.
pub(super) struct ServerPair {
    pub key_pem: zeroize::Zeroizing<String>,
    pub cert_pem: String,
    pub summary: CertSummary,
}

/// A new TLS key for the server itself and its certificate signed by `root` (key and
/// certificate PEM); nothing written.
pub(super) fn server_pair(
    app: &Appliance,
    root: &(String, String),
    now: OffsetDateTime,
) -> Result<ServerPair, TlsError> {
    // Near the root's end the server's own certificate ends with it, never after.
    let limit = issue::issue_limit_pem(&root.1, now)?;
    let key = issue::generate_key(issue::KeyType::EcdsaP256)?;
    let host = app.config.hostname.clone();
    let request = LeafRequest {
        common_name: host.clone(),
        dns_names: vec![host],
        ips: Vec::new(),
        days: issue::DEFAULT_VALIDITY_DAYS.min(limit.max_days),
        rsa: false,
    };
    let cert_pem = issue::sign_leaf(&request, &key, &root.0, &root.1, now)?;
    let summary = CertSummary::from_pem(cert_pem.as_bytes())?;
    Ok(ServerPair {
        key_pem: zeroize::Zeroizing::new(key.serialize_pem()),
        cert_pem,
        summary,
    })
}

/// Reads a PEM file from anywhere (command line), bounded like everything else.
pub fn read_pem_file(path: &Path) -> Result<String, TlsError> {
    let err = |source| TlsError::Read {
        path: path.display().to_string(),
        source,
    };
    fsutil::read_text(path, fsutil::LIMIT_PEM).map_err(err)
}
