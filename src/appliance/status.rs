//! What Tanium Status and the console header show, read from disk in one go.

use time::OffsetDateTime;

use super::catalogue::{Component, Value};
use super::settings::Settings;
use super::{Appliance, ApplianceConfig, Role};
use crate::date::date;
use crate::fsutil;
use crate::pki::inspect::Validity;
use crate::pki::{CertSummary, TrustedKey};
use crate::say;
use crate::texts::Voice;

/// State of the appliance's reporting (TLS) certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertState {
    None,
    Installed {
        summary: CertSummary,
        validity: Validity,
    },
    /// A certificate whose public key is not the installed private key's (or with no key
    /// beside it): TLS fails with it, whatever its dates say.
    KeyMismatch {
        summary: CertSummary,
        reason: String,
    },
    /// A certificate for the installed key that the root this appliance trusts did not sign
    /// (or with that root unreadable): peers that trust the root refuse it.
    Untrusted {
        summary: CertSummary,
        reason: String,
    },
    Unreadable(String),
}

impl CertState {
    /// One line for the header: "valid until 2036-11-25", "EXPIRED 2020-01-01", "none",
    /// in this thread's voice.
    pub fn short(&self) -> String {
        self.short_in(crate::texts::voice())
    }

    /// The header's line in `voice` (a screen says it in its model's voice).
    pub fn short_in(&self, voice: Voice) -> String {
        match self {
            CertState::None => say!(voice; "status.cert.none"),
            CertState::Installed { summary, validity } => {
                let day = date(summary.not_after);
                match validity {
                    Validity::Valid => say!(voice; "status.cert.valid_until", date = day),
                    Validity::Expired => say!(voice; "status.cert.expired", date = day),
                    Validity::NotYetValid => say!(
                        voice;
                        "status.cert.not_yet_valid",
                        date = date(summary.not_before)
                    ),
                }
            }
            CertState::KeyMismatch { .. } => say!(voice; "status.cert.key_mismatch"),
            CertState::Untrusted { .. } => say!(voice; "status.cert.untrusted"),
            CertState::Unreadable(_) => say!(voice; "status.cert.unreadable"),
        }
    }
}

/// Everything the console shows about the appliance, taken at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub config: ApplianceConfig,
    pub settings: Result<Settings, String>,
    pub cert_path: String,
    pub cert: CertState,
    pub tls_mode: Option<Value>,
    /// The root key's fingerprint: the Tanium Server's own, or the Zone Server's trusted one.
    pub root_fingerprint: Option<Result<String, String>>,
    /// Whether the role's reporting.pvk exists (a new CSR then replaces it).
    pub reporting_key: bool,
    /// On a Tanium Server, how long a certificate issued now may be valid, or why none can be
    /// issued (the root certificate expired, or is unreadable).
    pub issue_limit: Option<Result<crate::pki::issue::IssueLimit, String>>,
    /// Fingerprint of the SFTP host key of `tanos-menu sshd`, once made: peers compare it.
    pub sftp_host_key: Option<String>,
    pub users: Vec<crate::sshkeys::UserKeys>,
    /// Why the last change's audit line could not be written; stays until one is written.
    pub audit_failure: Option<String>,
    /// On a hub, how many names' newest certificates expire within 30 days.
    pub issued_expiring: Option<usize>,
    /// On a Tanium Server 7.4+, when its own TLS key is next rotated.
    pub tls_rotation: Option<super::roots::Rotation>,
    /// On a Zone Server, a certificate signed by a root the Tanium Server no longer signs with.
    pub older_root: Option<OlderRoot>,
    /// Why the last audit event was not forwarded to syslog (when, which event, where to);
    /// stays until an event is delivered.
    pub forward_failure: Option<String>,
}

/// A path setting of `component`, or the role's install path of `file`.
fn setting_path(
    app: &Appliance,
    settings: Option<&Settings>,
    component: Component,
    name: &str,
    file: &str,
) -> String {
    match settings.and_then(|s| s.get(component, name)) {
        Some(Value::Text(p)) => p.clone(),
        _ => format!(
            "{}/{file}",
            app.tls_dir()
                .strip_prefix(&app.root)
                .unwrap_or(&app.tls_dir())
                .display()
        ),
    }
}

/// Why the certificate does not go with the installed private key, if it does not.
fn key_mismatch(app: &Appliance, key_rel: &str, summary: &CertSummary) -> Option<String> {
    let key = match fsutil::read_text_opt(&app.resolve(key_rel), fsutil::LIMIT_PEM) {
        Ok(Some(text)) => text,
        Ok(None) => return Some(say!("status.reason.no_private_key", path = key_rel)),
        Err(e) => {
            return Some(say!(
                "status.reason.key_unreadable",
                path = key_rel,
                error = e
            ));
        }
    };
    match crate::pki::csr::private_key_spki(&key) {
        Ok(spki) if crate::pki::spki_fingerprint(&spki) == summary.key_fingerprint => None,
        Ok(_) => Some(say!("status.reason.other_key", path = key_rel)),
        Err(e) => Some(say!(
            "status.reason.key_unusable",
            path = key_rel,
            error = e
        )),
    }
}

/// The root this appliance trusts (its own on a Tanium Server), read once per snapshot:
/// `None` when there is none yet, an error when it cannot be read or used.
type Root = Option<Result<TrustedKey, String>>;

fn trusted_root(app: &Appliance) -> (&'static str, Root) {
    let root_rel = match app.config.role {
        Role::ZoneServer => super::tls::ZS_ROOT,
        Role::TaniumServer => super::tls::TS_ROOT_PUB,
    };
    let root = match fsutil::read_bytes_opt(&app.path(root_rel), fsutil::LIMIT_PEM) {
        Ok(Some(bytes)) => Some(TrustedKey::from_pem(&bytes).map_err(|e| e.to_string())),
        Ok(None) => None,
        Err(e) => Some(Err(e.to_string())),
    };
    (root_rel, root)
}

/// The fingerprint of the root of `roots` that signed the certificate, if one did.
fn signer(cert_pem: &[u8], roots: &[TrustedKey]) -> Option<String> {
    let der = std::str::from_utf8(cert_pem)
        .ok()
        .and_then(|pem| crate::pki::verify::certificate_der(pem).ok())?;
    roots
        .iter()
        .find(|r| crate::pki::verify::signed_by(&der, &r.spki_der).unwrap_or(false))
        .map(|r| r.fingerprint.clone())
}

/// A Zone Server's certificate signed by a root that is no longer the Tanium Server's
/// signing key: the one that signed it, and the Tanium Server's (from the tanium.pub last
/// pulled into /incoming, or the one trusted last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OlderRoot {
    pub signed_by: String,
    pub hub_signing: String,
}

/// Every root key a Zone Server trusts, the current one first (none on a Tanium Server),
/// read once per snapshot.
fn zone_trusted(app: &Appliance) -> Vec<TrustedKey> {
    if app.config.role != Role::ZoneServer {
        return Vec::new();
    }
    super::trust::trusted(app)
        .map(|all| all.into_iter().map(|t| t.key).collect())
        .unwrap_or_default()
}

fn older_root(app: &Appliance, cert_rel: &str, trusted: &[TrustedKey]) -> Option<OlderRoot> {
    if app.config.role != Role::ZoneServer {
        return None;
    }
    let cert = fsutil::read_bytes_opt(&app.resolve(cert_rel), fsutil::LIMIT_PEM).ok()??;
    let signed_by = signer(&cert, trusted)?;
    let pulled = super::incoming::read(app, "tanium.pub")
        .ok()
        .and_then(|pem| TrustedKey::from_pem(pem.as_bytes()).ok());
    let hub_signing = pulled.or_else(|| trusted.first().cloned())?.fingerprint;
    (signed_by != hub_signing).then_some(OlderRoot {
        signed_by,
        hub_signing,
    })
}

/// Why the certificate is not one the root this appliance trusts signed, when it is not.
/// Without a trusted root yet there is nothing to judge it by.
fn root_mismatch(
    (root_rel, root): &(&str, Root),
    earlier: &[TrustedKey],
    cert_pem: &[u8],
) -> Option<String> {
    let root = match root.as_ref()? {
        Ok(root) => root,
        Err(e) => {
            return Some(say!(
                "status.reason.root_unusable",
                path = root_rel,
                error = e
            ));
        }
    };
    if signer(cert_pem, std::slice::from_ref(root)).is_some() {
        return None;
    }
    // A Zone Server also trusts the roots it accepted before, until they are removed.
    match signer(cert_pem, earlier) {
        Some(_) => None,
        _ => Some(say!(
            "status.reason.root_did_not_sign",
            path = root_rel,
            fingerprint = root.fingerprint
        )),
    }
}

fn cert_state(
    app: &Appliance,
    (cert_rel, key_rel): (&str, &str),
    (root, earlier): (&(&str, Root), &[TrustedKey]),
    now: OffsetDateTime,
) -> CertState {
    let bytes = match fsutil::read_bytes_opt(&app.resolve(cert_rel), fsutil::LIMIT_PEM) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return CertState::None,
        Err(e) => return CertState::Unreadable(e.to_string()),
    };
    match CertSummary::from_pem(&bytes) {
        Ok(summary) => match key_mismatch(app, key_rel, &summary) {
            Some(reason) => CertState::KeyMismatch { summary, reason },
            None => match root_mismatch(root, earlier, &bytes) {
                Some(reason) => CertState::Untrusted { summary, reason },
                None => {
                    let validity = summary.validity_at(now);
                    CertState::Installed { summary, validity }
                }
            },
        },
        Err(e) => CertState::Unreadable(e.to_string()),
    }
}

fn issue_limit(
    app: &Appliance,
    now: OffsetDateTime,
) -> Option<Result<crate::pki::issue::IssueLimit, String>> {
    if app.config.role != Role::TaniumServer {
        return None;
    }
    // Bounded like every read: a device or FIFO put in its place neither hangs nor fills memory.
    let text = match fsutil::read_text_opt(&app.path(super::tls::TS_ROOT_CERT), fsutil::LIMIT_PEM) {
        Ok(text) => text?,
        Err(e) => {
            return Some(Err(crate::say!(
                "frame.about",
                what = "tanium-root.crt",
                reason = e
            )));
        }
    };
    Some(crate::pki::issue::issue_limit_pem(&text, now).map_err(|e| e.to_string()))
}

pub fn snapshot(app: &Appliance, now: OffsetDateTime) -> Snapshot {
    let config = app.config.clone();
    let settings = Settings::load(app).map_err(|e| e.to_string());
    let component = Component::primary(config.role);
    let ok_settings = settings.as_ref().ok();
    let cert_rel = setting_path(
        app,
        ok_settings,
        component,
        "ReportingTLSCertPath",
        "reporting.crt",
    );
    let key_rel = setting_path(
        app,
        ok_settings,
        component,
        "ReportingTLSKeyPath",
        "reporting.pvk",
    );
    let root = trusted_root(app);
    let trusted = zone_trusted(app);
    let cert = cert_state(app, (&cert_rel, &key_rel), (&root, &trusted), now);
    let older_root = older_root(app, &cert_rel, &trusted);
    let tls_mode = ok_settings
        .and_then(|s| s.get(component, "ReportingTLSMode"))
        .cloned();
    let root_fingerprint = root.1.map(|r| r.map(|k| k.fingerprint));
    let users = super::Layout::USERS
        .iter()
        .map(|u| crate::sshkeys::user_keys(&app.ssh_dir(u), u))
        .collect();
    Snapshot {
        config,
        settings,
        cert_path: cert_rel,
        cert,
        tls_mode,
        root_fingerprint,
        reporting_key: app.tls_dir().join("reporting.pvk").exists(),
        issue_limit: issue_limit(app, now),
        sftp_host_key: fsutil::read_text(
            &app.path("etc/ssh/ssh_host_ed25519_key.pub"),
            fsutil::LIMIT_PEM,
        )
        .ok()
        .and_then(|t| ssh_key::PublicKey::from_openssh(t.trim()).ok())
        .map(|k| k.fingerprint(ssh_key::HashAlg::Sha256).to_string()),
        users,
        audit_failure: super::audit::failure(&app.root),
        issued_expiring: issued_expiring(app, now),
        tls_rotation: super::roots::rotation(app),
        older_root,
        forward_failure: super::forward::failure(&app.root),
    }
}

/// On a hub, the certificates of the ledger that expire within 30 days.
fn issued_expiring(app: &Appliance, now: OffsetDateTime) -> Option<usize> {
    if !app.config.has_zone_hub() {
        return None;
    }
    let index = super::ledger::index(app).ok()?;
    Some(index.expiring_within(super::ledger::EXPIRING_DAYS, now))
}
