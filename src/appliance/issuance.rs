//! The hub signs Zone Servers' requests (SPEC §4.3 and the fleet naming of §6): each
//! certificate goes to `/outgoing/<common name>.crt` with `tanium.pub` beside it (and to the
//! seed's `/outgoing/reporting.crt` when issued from a single request), is recorded in the
//! issuance ledger, and never silently replaces a certificate of another key.

use std::net::IpAddr;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::fleet::{self, Occupant, ROOT_PUB, SEED_CERT};
use super::ledger::{self, IssuedRecord};
use super::lock::Lock;
use super::tls::{TS_ROOT_PUB, TlsError, root_material};
use super::{Appliance, Layout, Role, audit};
use crate::fsutil;
use crate::pki::CertSummary;
use crate::pki::csr::CheckedCsr;
use crate::pki::issue::{self, LeafRequest};

/// Where a request came from, as the ledger records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file of /incoming, by name.
    Incoming(String),
    Paste,
    /// A path given on the command line.
    File(String),
}

impl Source {
    pub fn label(&self) -> String {
        match self {
            Source::Incoming(name) => format!("/incoming/{name}"),
            Source::Paste => "paste".into(),
            Source::File(path) => path.clone(),
        }
    }
}

/// What issuing a request will do, known before the operator confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Files written in /outgoing, by name.
    pub files: Vec<String>,
    /// A certificate of another key this one replaces (the operator must accept it).
    pub replaces: Option<Occupant>,
    /// The newest certificate already issued for this very key, if any.
    pub already: Option<ledger::Latest>,
}

/// A certificate issued from a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub cert_pem: String,
    pub summary: CertSummary,
    /// Files written in /outgoing, by name.
    pub files: Vec<String>,
}

/// An order to issue: the request, the validity, where it came from, and which certificate
/// of another key for the same name it may replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub csr: CheckedCsr,
    pub days: i64,
    pub source: Source,
    pub replace: Replace,
}

/// Which certificate of another key an issuance may replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replace {
    /// None: the issuance is refused if there is one.
    Never,
    /// The one of this key fingerprint, which the operator saw and accepted.
    Key(String),
    /// Whatever is there (the seed's single-pair flow by the library).
    Any,
}

pub(super) fn require_hub(app: &Appliance) -> Result<(), TlsError> {
    match app.config.role {
        Role::TaniumServer => Ok(()),
        Role::ZoneServer => Err(TlsError::WrongRole(Role::ZoneServer.label())),
    }
}

fn outgoing(app: &Appliance, name: &str) -> std::path::PathBuf {
    app.path(Layout::OUTGOING).join(name)
}

/// The certificate in `/outgoing/<file>` when it is for another key than `fingerprint`.
fn occupant_file(app: &Appliance, file: &str, fingerprint: &str) -> Option<Occupant> {
    let text = fsutil::read_bytes_opt(&outgoing(app, file), fsutil::LIMIT_PEM).ok()??;
    let summary = CertSummary::from_pem(&text).ok()?;
    (summary.key_fingerprint != fingerprint).then(|| Occupant {
        place: format!("/outgoing/{file}"),
        subject: summary.subject,
        key_fingerprint: summary.key_fingerprint,
        serial: summary.serial,
    })
}

/// The newest certificate of `name` in the ledger when it is for another key and still
/// valid at `now`.
fn occupant_ledger(
    index: &ledger::Index,
    name: &str,
    fingerprint: &str,
    now: OffsetDateTime,
) -> Option<Occupant> {
    let latest = index.latest_of(name)?;
    let live = OffsetDateTime::parse(&latest.not_after, &Rfc3339).is_ok_and(|end| end > now);
    (live && latest.key_fingerprint != fingerprint).then(|| Occupant {
        place: crate::say!("appliance.issuance.ledger"),
        subject: format!("CN={name}"),
        key_fingerprint: latest.key_fingerprint.clone(),
        serial: latest.serial.clone(),
    })
}

/// What issuing `csr` writes and replaces; `single` adds the seed's reporting.crt.
pub fn plan(
    app: &Appliance,
    csr: &CheckedCsr,
    single: bool,
    now: OffsetDateTime,
) -> Result<Plan, TlsError> {
    require_hub(app)?;
    let index = ledger::index(app).map_err(|source| TlsError::Read {
        path: ledger::LEDGER.into(),
        source,
    })?;
    let file = fleet::cert_file(&csr.common_name);
    let replaces = occupant_file(app, &file, &csr.fingerprint)
        .or_else(|| occupant_ledger(&index, &csr.common_name, &csr.fingerprint, now));
    let already = index
        .latest_of(&csr.common_name)
        .filter(|l| l.key_fingerprint == csr.fingerprint)
        .cloned();
    let mut files = vec![file];
    if single && files[0] != SEED_CERT {
        files.push(SEED_CERT.into());
    }
    files.push(ROOT_PUB.into());
    Ok(Plan {
        files,
        replaces,
        already,
    })
}

/// Signs `csr` with the root key, nothing written.
pub(super) fn sign(
    csr: &CheckedCsr,
    days: i64,
    root: &(String, String),
    now: OffsetDateTime,
) -> Result<(String, CertSummary), TlsError> {
    let request = LeafRequest {
        common_name: csr.common_name.clone(),
        dns_names: csr.dns_names.clone(),
        ips: csr.ips.clone(),
        days,
        rsa: csr.rsa,
    };
    let spki = rcgen::SubjectPublicKeyInfo::from_der(&csr.spki_der).map_err(|e| {
        crate::pki::PkiError::Parse {
            what: crate::pki::Parsed::RequestKey,
            reason: e.to_string(),
        }
    })?;
    let cert_pem = issue::sign_leaf(&request, &spki, &root.0, &root.1, now)?;
    let summary = CertSummary::from_pem(cert_pem.as_bytes())?;
    Ok((cert_pem, summary))
}

/// The certificate under each of `files` and the root key beside them, as one set.
pub(super) fn write_outgoing(
    app: &Appliance,
    files: &[String],
    cert_pem: &str,
) -> Result<(), TlsError> {
    let root_public =
        fsutil::read_text_opt(&app.path(TS_ROOT_PUB), fsutil::LIMIT_PEM).map_err(|source| {
            TlsError::Read {
                path: TS_ROOT_PUB.into(),
                source,
            }
        })?;
    let paths: Vec<_> = files.iter().map(|f| outgoing(app, f)).collect();
    let mut set = Vec::new();
    for (name, path) in files.iter().zip(&paths) {
        match (name.as_str(), &root_public) {
            (ROOT_PUB, Some(public)) => set.push((path.as_path(), public.as_bytes())),
            (ROOT_PUB, None) => {}
            _ => set.push((path.as_path(), cert_pem.as_bytes())),
        }
    }
    let set: Vec<_> = set
        .into_iter()
        .map(|(p, b)| (p, b, fsutil::PUBLIC_FILE))
        .collect();
    fsutil::atomic_write_all(&set).map_err(|source| TlsError::Write {
        path: format!("/outgoing/{}", files[0]),
        source,
    })
}

/// The ledger's line for a certificate just signed.
pub fn record_of(
    csr: &CheckedCsr,
    summary: &CertSummary,
    root_fingerprint: &str,
    source: &Source,
    now: OffsetDateTime,
) -> IssuedRecord {
    IssuedRecord {
        time: now.format(&Rfc3339).unwrap_or_default(),
        serial: summary.serial.clone(),
        subject: summary.subject.clone(),
        common_name: csr.common_name.clone(),
        dns_names: csr.dns_names.clone(),
        ips: csr.ips.iter().map(IpAddr::to_string).collect(),
        not_after: summary.not_after.format(&Rfc3339).unwrap_or_default(),
        key_fingerprint: summary.key_fingerprint.clone(),
        root_fingerprint: root_fingerprint.to_string(),
        source: source.label(),
    }
}

/// Records a certificate in the ledger and the audit log, under the lock the caller holds.
pub fn record(lock: &Lock, record: &IssuedRecord, files: &[String]) -> Result<(), TlsError> {
    let app = lock.appliance();
    ledger::append(app, record).map_err(|source| TlsError::Write {
        path: ledger::LEDGER.into(),
        source,
    })?;
    let mut written: Vec<String> = files
        .iter()
        .map(|f| format!("transfer/outgoing/{f}"))
        .collect();
    written.push(ledger::LEDGER.into());
    let refs: Vec<&str> = written.iter().map(String::as_str).collect();
    let detail = format!(
        "serial {} subject {} from {}",
        record.serial, record.subject, record.source
    );
    let _ = audit::record(
        lock,
        "cert.issue",
        &refs,
        std::slice::from_ref(&record.key_fingerprint),
        &detail,
    );
    Ok(())
}

pub(super) fn root_fingerprint(root_cert_pem: &str) -> String {
    CertSummary::from_pem(root_cert_pem.as_bytes())
        .map_or_else(|_| String::new(), |s| s.key_fingerprint)
}

/// Issues one request (SPEC §4.3): refused when it would replace a certificate of another
/// key the operator did not accept (`order.replace` names that key).
pub fn issue(app: &Appliance, order: &Order, now: OffsetDateTime) -> Result<Issued, TlsError> {
    require_hub(app)?;
    let _lock = super::lock::acquire(app)?;
    let plan = plan(app, &order.csr, true, now)?;
    if let Some(occupant) = &plan.replaces {
        let accepted = match &order.replace {
            Replace::Never => false,
            Replace::Key(fp) => *fp == occupant.key_fingerprint,
            Replace::Any => true,
        };
        if !accepted {
            return Err(TlsError::NameTaken(Box::new(occupant.clone())));
        }
    }
    let root = root_material(app)?;
    let (cert_pem, summary) = sign(&order.csr, order.days, &root, now)?;
    write_outgoing(app, &plan.files, &cert_pem)?;
    let line = record_of(
        &order.csr,
        &summary,
        &root_fingerprint(&root.1),
        &order.source,
        now,
    );
    record(&_lock, &line, &plan.files)?;
    Ok(Issued {
        cert_pem,
        summary,
        files: plan.files,
    })
}

/// Signs a checked CSR with the root key and writes it to `/outgoing/<common name>.crt` and
/// the seed's `/outgoing/reporting.crt`, with `tanium.pub` beside them, replacing whatever
/// is there (the seed's single-pair flow; the console asks first when a certificate of
/// another key would be replaced). Never touches the server's own `tanium/reporting.crt`.
pub fn issue_from_csr(
    app: &Appliance,
    checked: &CheckedCsr,
    days: i64,
    now: OffsetDateTime,
) -> Result<Issued, TlsError> {
    let order = Order {
        csr: checked.clone(),
        days,
        source: Source::Paste,
        replace: Replace::Any,
    };
    issue(app, &order, now)
}
