//! What Tanium Status and the console header show, read from disk in one go.

use time::OffsetDateTime;

use super::catalogue::{Component, Value};
use super::settings::Settings;
use super::{Appliance, ApplianceConfig, Role};
use crate::pki::inspect::Validity;
use crate::pki::{CertSummary, TrustedKey};

/// State of the appliance's reporting (TLS) certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertState {
    None,
    Installed {
        summary: CertSummary,
        validity: Validity,
    },
    Unreadable(String),
}

impl CertState {
    /// One line for the header: "valid until 2036-11-25", "EXPIRED 2020-01-01", "none".
    pub fn short(&self) -> String {
        match self {
            CertState::None => "none".into(),
            CertState::Installed { summary, validity } => {
                let day = date(summary.not_after);
                match validity {
                    Validity::Valid => format!("valid until {day}"),
                    Validity::Expired => format!("EXPIRED {day}"),
                    Validity::NotYetValid => {
                        format!("not valid before {}", date(summary.not_before))
                    }
                }
            }
            CertState::Unreadable(_) => "UNREADABLE".into(),
        }
    }
}

pub fn date(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
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
}

fn issue_limit(
    app: &Appliance,
    now: OffsetDateTime,
) -> Option<Result<crate::pki::issue::IssueLimit, String>> {
    if app.config.role != Role::TaniumServer {
        return None;
    }
    let text = std::fs::read_to_string(app.path("tanium/tanium-root.crt")).ok()?;
    Some(crate::pki::issue::issue_limit_pem(&text, now).map_err(|e| e.to_string()))
}

pub fn snapshot(app: &Appliance, now: OffsetDateTime) -> Snapshot {
    let config = app.config.clone();
    let settings = Settings::load(app).map_err(|e| e.to_string());
    let component = Component::primary(config.role);
    let ok_settings = settings.as_ref().ok();
    let cert_rel = match ok_settings.and_then(|s| s.get(component, "ReportingTLSCertPath")) {
        Some(Value::Text(p)) => p.clone(),
        _ => format!(
            "{}/reporting.crt",
            app.tls_dir()
                .strip_prefix(&app.root)
                .unwrap_or(&app.tls_dir())
                .display()
        ),
    };
    let cert = match std::fs::read(app.resolve(&cert_rel)) {
        Ok(bytes) => match CertSummary::from_pem(&bytes) {
            Ok(summary) => {
                let validity = summary.validity_at(now);
                CertState::Installed { summary, validity }
            }
            Err(e) => CertState::Unreadable(e.to_string()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => CertState::None,
        Err(e) => CertState::Unreadable(e.to_string()),
    };
    let tls_mode = ok_settings
        .and_then(|s| s.get(component, "ReportingTLSMode"))
        .cloned();
    let root_pub = match config.role {
        Role::TaniumServer => app.path("tanium/tanium.pub"),
        Role::ZoneServer => app.path("zoneserver/tanium.pub"),
    };
    let root_fingerprint = match std::fs::read(&root_pub) {
        Ok(bytes) => Some(
            TrustedKey::from_pem(&bytes)
                .map(|k| k.fingerprint)
                .map_err(|e| e.to_string()),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => Some(Err(e.to_string())),
    };
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
        sftp_host_key: std::fs::read_to_string(app.path("etc/ssh/ssh_host_ed25519_key.pub"))
            .ok()
            .and_then(|t| ssh_key::PublicKey::from_openssh(t.trim()).ok())
            .map(|k| k.fingerprint(ssh_key::HashAlg::Sha256).to_string()),
        users,
    }
}
