//! A batch of requests from the hub's /incoming (`2 › Z › 2 › 1 › A`): each issued on its
//! own, one bad request stopping nothing and changing nothing for itself, none replacing
//! another key's certificate.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::fleet;
use super::issuance::{
    Source, plan, record, record_of, require_hub, root_fingerprint, sign, write_outgoing,
};
use super::lock::Lock;
use super::tls::{TlsError, root_material};
use super::{Appliance, fleet::Occupant};
use crate::pki::CertSummary;
use crate::pki::csr::{self, CheckedCsr};

/// A request of a batch, as the operator saw it listed: its file and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub file: String,
    pub key_fingerprint: String,
}

/// What became of one request of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchLine {
    Issued {
        file: String,
        summary: CertSummary,
        written: String,
    },
    /// Left for the operator to decide, one at a time.
    Skipped {
        file: String,
        why: Skip,
    },
    Refused {
        file: String,
        why: String,
    },
}

/// Why a request of a batch was left alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Its name already has a certificate of another key.
    NameTaken(Occupant),
    /// Another request of the batch is for the same name with another key.
    SameName { name: String, others: Vec<String> },
    /// The file changed since it was listed (another key now).
    Changed,
}

/// Issues every listed request (`2 › Z › 2 › 1 › A`): each on its own, one bad request
/// stopping nothing and changing nothing for itself; none replaces another key's
/// certificate. No seed `reporting.crt` is written: it would name one of many.
pub fn issue_batch(
    app: &Appliance,
    listed: &[Listed],
    days: i64,
    now: OffsetDateTime,
) -> Result<Vec<BatchLine>, TlsError> {
    require_hub(app)?;
    let _lock = super::lock::acquire(app)?;
    let root = root_material(app)?;
    let root_fp = root_fingerprint(&root.1);
    let requests: Vec<(String, Result<CheckedCsr, String>)> = listed
        .iter()
        .map(|l| (l.file.clone(), read_request(app, l)))
        .collect();
    let clashes = same_name_clashes(&requests);
    let mut lines = Vec::new();
    for (file, request) in requests {
        let line = match request {
            Err(why) if why.is_empty() => BatchLine::Skipped {
                file,
                why: Skip::Changed,
            },
            Err(why) => BatchLine::Refused { file, why },
            Ok(csr) => {
                let others: Vec<String> = clashes
                    .get(&fleet::file_stem(&csr.common_name))
                    .into_iter()
                    .flatten()
                    .filter(|f| **f != file)
                    .cloned()
                    .collect();
                let signer = Signer {
                    lock: &_lock,
                    root: &root,
                    root_fp: &root_fp,
                };
                issue_one(&signer, file, &csr, &others, days, now)
            }
        };
        lines.push(line);
    }
    Ok(lines)
}

/// A listed request read again; `Err("")` when it is another key's now.
fn read_request(app: &Appliance, listed: &Listed) -> Result<CheckedCsr, String> {
    let text = super::incoming::read(app, &listed.file).map_err(|e| e.to_string())?;
    let csr = csr::check_csr(&text).map_err(|e| e.to_string())?;
    if csr.fingerprint != listed.key_fingerprint {
        return Err(String::new());
    }
    Ok(csr)
}

/// The files of the batch by the file stem of their common name, when two keys share one.
fn same_name_clashes(
    requests: &[(String, Result<CheckedCsr, String>)],
) -> BTreeMap<String, Vec<String>> {
    let mut by_name: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (file, csr) in requests {
        if let Ok(csr) = csr {
            let entry = by_name
                .entry(fleet::file_stem(&csr.common_name))
                .or_default();
            entry.push((file.clone(), csr.fingerprint.clone()));
        }
    }
    by_name
        .into_iter()
        .filter(|(_, v)| v.iter().any(|(_, fp)| *fp != v[0].1))
        .map(|(k, v)| (k, v.into_iter().map(|(f, _)| f).collect()))
        .collect()
}

/// What a batch signs with: the held lock, the root key and certificate, its fingerprint.
struct Signer<'a> {
    lock: &'a Lock,
    root: &'a (String, String),
    root_fp: &'a str,
}

/// One request of a batch: skipped when its name has another key's certificate, or when
/// `others` of the batch ask for the same name with other keys; issued otherwise.
fn issue_one(
    signer: &Signer,
    file: String,
    csr: &CheckedCsr,
    others: &[String],
    days: i64,
    now: OffsetDateTime,
) -> BatchLine {
    let Signer {
        lock,
        root,
        root_fp,
    } = *signer;
    let app = lock.appliance();
    let plan = match plan(app, csr, false, now) {
        Ok(plan) => plan,
        Err(e) => {
            return BatchLine::Refused {
                file,
                why: e.to_string(),
            };
        }
    };
    if let Some(occupant) = plan.replaces {
        return BatchLine::Skipped {
            file,
            why: Skip::NameTaken(occupant),
        };
    }
    if !others.is_empty() {
        let why = Skip::SameName {
            name: csr.common_name.clone(),
            others: others.to_vec(),
        };
        return BatchLine::Skipped { file, why };
    }
    let done = sign(csr, days, root, now).and_then(|(pem, summary)| {
        write_outgoing(app, &plan.files, &pem)?;
        let source = Source::Incoming(file.clone());
        record(
            lock,
            &record_of(csr, &summary, root_fp, &source, now),
            &plan.files,
        )?;
        Ok(summary)
    });
    match done {
        Ok(summary) => BatchLine::Issued {
            written: format!("/outgoing/{}", plan.files[0]),
            file,
            summary,
        },
        Err(e) => BatchLine::Refused {
            file,
            why: e.to_string(),
        },
    }
}
