//! The issuance ledger, `tanium/issued.jsonl`: one line for every certificate signed with
//! this appliance's root key, from the menus or from `keyutility reporting-tls-issue`.
//!
//! It grows for years, so nothing reads it whole to show it: a page is read from its end,
//! and the newest certificate of each name (what decides "superseded" and what the status
//! header counts) is kept in a small index beside it, `tanium/issued.index.json`, rewritten
//! with each line. An index that does not describe the ledger as it is (a crash between the
//! two writes, a ledger written before the index existed, an edit by hand) is rebuilt from
//! the ledger, read line by line, and saved again when no change is under way.

use std::collections::BTreeMap;
use std::io;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Appliance;
use crate::fsutil;

pub const LEDGER: &str = "tanium/issued.jsonl";
pub const INDEX: &str = "tanium/issued.index.json";
/// A certificate this close to its end is reported as expiring.
pub const EXPIRING_DAYS: i64 = 30;

/// One certificate signed with the root key. Fields added over time default when absent,
/// so lines written by earlier versions still read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedRecord {
    pub time: String,
    pub serial: String,
    pub subject: String,
    #[serde(default)]
    pub common_name: String,
    #[serde(default)]
    pub dns_names: Vec<String>,
    #[serde(default)]
    pub ips: Vec<String>,
    pub not_after: String,
    pub key_fingerprint: String,
    #[serde(default)]
    pub root_fingerprint: String,
    /// Where the request came from: an /incoming file, "paste", or a path given to the CLI.
    #[serde(default)]
    pub source: String,
}

impl IssuedRecord {
    /// The name certificates supersede each other by: the common name, else the subject.
    pub fn name(&self) -> &str {
        if self.common_name.is_empty() {
            &self.subject
        } else {
            &self.common_name
        }
    }

    fn not_after(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(&self.not_after, &Rfc3339).ok()
    }
}

/// The newest certificate of one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latest {
    pub serial: String,
    pub not_after: String,
    pub key_fingerprint: String,
    /// The root key that signed it ("" for lines written before it was recorded).
    #[serde(default)]
    pub root_fingerprint: String,
}

/// The index's format: one saved by another format is rebuilt.
const INDEX_VERSION: u32 = 2;

/// The newest certificate of every name, and the ledger size it describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// `INDEX_VERSION` when saved; names are keyed by `fleet::name_key`.
    #[serde(default)]
    pub version: u32,
    pub ledger_bytes: u64,
    pub latest: BTreeMap<String, Latest>,
    /// Certificates in the ledger (its readable lines).
    #[serde(default)]
    pub records: usize,
    /// Ledger lines that could not be read as a record.
    #[serde(default)]
    pub unreadable: usize,
}

impl Default for Index {
    fn default() -> Index {
        // A derived Default would say version 0, which reads as an index to rebuild.
        Index {
            version: INDEX_VERSION,
            ledger_bytes: 0,
            latest: BTreeMap::new(),
            records: 0,
            unreadable: 0,
        }
    }
}

impl Index {
    fn add(&mut self, record: &IssuedRecord) {
        let latest = Latest {
            serial: record.serial.clone(),
            not_after: record.not_after.clone(),
            key_fingerprint: record.key_fingerprint.clone(),
            root_fingerprint: record.root_fingerprint.clone(),
        };
        self.latest
            .insert(super::fleet::name_key(record.name()), latest);
        self.records += 1;
    }

    /// Whether `record` is the newest certificate of its name.
    pub fn is_latest(&self, record: &IssuedRecord) -> bool {
        self.latest
            .get(&super::fleet::name_key(record.name()))
            .is_none_or(|l| l.serial == record.serial)
    }

    /// The newest certificate issued for `name`.
    pub fn latest_of(&self, name: &str) -> Option<&Latest> {
        self.latest.get(&super::fleet::name_key(name))
    }

    /// The names whose newest certificate `root` signed and that are still valid at `now`.
    pub fn valid_signed_by(&self, root: &str, now: OffsetDateTime) -> Vec<String> {
        self.latest
            .iter()
            .filter(|(_, l)| l.root_fingerprint == root && live(&l.not_after, now))
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// How many names' newest certificates, still valid, were signed by another root than
    /// `signing`: they need issuing again.
    pub fn reissue_needed(&self, signing: &str, now: OffsetDateTime) -> usize {
        self.latest
            .values()
            .filter(|l| needs_reissue(&l.root_fingerprint, signing) && live(&l.not_after, now))
            .count()
    }

    /// How many names' newest certificates expire within `days` (and have not yet).
    pub fn expiring_within(&self, days: i64, now: OffsetDateTime) -> usize {
        let until = now + time::Duration::days(days);
        self.latest
            .values()
            .filter_map(|l| OffsetDateTime::parse(&l.not_after, &Rfc3339).ok())
            .filter(|end| *end > now && *end <= until)
            .count()
    }
}

fn live(not_after: &str, now: OffsetDateTime) -> bool {
    OffsetDateTime::parse(not_after, &Rfc3339).is_ok_and(|end| end > now)
}

/// A certificate signed by a root that no longer signs (lines written before the root was
/// recorded are not judged).
fn needs_reissue(root: &str, signing: &str) -> bool {
    !root.is_empty() && !signing.is_empty() && root != signing
}

/// Where a certificate of the ledger stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Valid,
    /// Ends within `EXPIRING_DAYS`: this many whole days are left.
    Expiring(i64),
    Expired,
    /// A newer certificate was issued for the same name.
    Superseded,
    /// Valid, but signed by a root key that no longer signs: issue it again.
    ReissueNeeded,
}

impl State {
    /// `signing` is the fingerprint of the root key that signs now.
    pub fn of(record: &IssuedRecord, index: &Index, signing: &str, now: OffsetDateTime) -> State {
        if !index.is_latest(record) {
            return State::Superseded;
        }
        match record.not_after() {
            Some(end) if end <= now => State::Expired,
            _ if needs_reissue(&record.root_fingerprint, signing) => State::ReissueNeeded,
            Some(end) if end - now <= time::Duration::days(EXPIRING_DAYS) => {
                State::Expiring((end - now).whole_days())
            }
            _ => State::Valid,
        }
    }

    /// The word in English, as `issued list --json` records it.
    pub fn word(self) -> &'static str {
        match self {
            State::Valid => "valid",
            State::Expiring(_) => "expiring",
            State::Expired => "expired",
            State::Superseded => "superseded",
            State::ReissueNeeded => "re-issue needed",
        }
    }

    /// The word the list shows the operator, in `voice`.
    pub fn label(self, voice: crate::texts::Voice) -> String {
        match self {
            State::Valid => crate::say!(voice; "appliance.ledger.valid"),
            State::Expiring(_) => crate::say!(voice; "appliance.ledger.expiring"),
            State::Expired => crate::say!(voice; "appliance.ledger.expired"),
            State::Superseded => crate::say!(voice; "appliance.ledger.superseded"),
            State::ReissueNeeded => crate::say!(voice; "appliance.ledger.reissue_needed"),
        }
    }
}

fn parse(line: &[u8]) -> Option<IssuedRecord> {
    serde_json::from_slice(line).ok()
}

fn ledger_len(app: &Appliance) -> io::Result<u64> {
    match std::fs::metadata(app.path(LEDGER)) {
        Ok(meta) => Ok(meta.len()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e),
    }
}

/// The index built from the whole ledger, read a line at a time.
fn rebuild(app: &Appliance) -> io::Result<Index> {
    let mut index = Index::default();
    let Some(file) = fsutil::open_record_file(&app.path(LEDGER))? else {
        return Ok(index);
    };
    index.ledger_bytes = fsutil::forward_lines(file, |line, cut| {
        if line.trim_ascii().is_empty() && !cut {
            return;
        }
        match (!cut).then(|| parse(line)).flatten() {
            Some(record) => index.add(&record),
            None => index.unreadable += 1,
        }
    })?;
    Ok(index)
}

fn stored_index(app: &Appliance) -> Option<Index> {
    let text = fsutil::read_bytes_opt(&app.path(INDEX), fsutil::LIMIT_LOG).ok()??;
    serde_json::from_slice(&text).ok()
}

/// The index as the ledger is now: the stored one when it describes it, else rebuilt (and
/// saved for the readers after this one).
pub fn index(app: &Appliance) -> io::Result<Index> {
    let len = ledger_len(app)?;
    match stored_index(app) {
        Some(index) if index.ledger_bytes == len && index.version == INDEX_VERSION => Ok(index),
        _ => rebuild(app),
    }
}

/// Saves the index again when it no longer describes the ledger (a crash between the two
/// writes, a ledger from before the index, an edit by hand), so views and the status header
/// stop reading the whole ledger. Run when the console opens, with the other repairs,
/// never by a read: a read changes nothing. Skipped while a change holds the lock.
pub fn repair_index(app: &Appliance) -> io::Result<bool> {
    let Ok(_lock) = super::lock::acquire_within(app, std::time::Duration::from_millis(200)) else {
        return Ok(false);
    };
    let len = ledger_len(app)?;
    let fresh =
        stored_index(app).is_some_and(|i| i.ledger_bytes == len && i.version == INDEX_VERSION);
    if fresh || len == 0 {
        return Ok(false);
    }
    let index = rebuild(app)?;
    save_index(app, &index)?;
    Ok(true)
}

fn save_index(app: &Appliance, index: &Index) -> io::Result<()> {
    let bytes = serde_json::to_vec(index).map_err(io::Error::other)?;
    fsutil::atomic_write(&app.path(INDEX), &bytes, fsutil::PUBLIC_FILE)
}

/// Appends `record` and brings the index up to date. The caller holds the appliance lock.
pub fn append(app: &Appliance, record: &IssuedRecord) -> io::Result<()> {
    let mut index = index(app)?;
    let line = serde_json::to_string(record).map_err(io::Error::other)?;
    fsutil::append_line(&app.path(LEDGER), &line, fsutil::PUBLIC_FILE)?;
    index.add(record);
    index.ledger_bytes = ledger_len(app)?;
    // The line is the record; an index left behind is rebuilt by the next reader.
    let _ = save_index(app, &index);
    Ok(())
}

/// The fingerprint of the root key that signs now ("" when it cannot be read).
pub fn signing_root(app: &Appliance) -> String {
    fsutil::read_bytes_opt(&app.path(super::Layout::ROOT_PUB), fsutil::LIMIT_PEM)
        .ok()
        .flatten()
        .and_then(|pem| crate::pki::TrustedKey::from_pem(&pem).ok())
        .map_or_else(String::new, |k| k.fingerprint)
}

/// One page of the ledger, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub entries: Vec<(IssuedRecord, State)>,
    /// Older certificates exist beyond this page.
    pub more: bool,
    /// Lines of the part read that could not be read as a record (skipped).
    pub unreadable: usize,
    /// Certificates in the ledger (readable lines).
    pub total: usize,
}

/// Certificates `skip..skip + take` of the ledger, newest first: only the lines shown (and
/// those before them) are read, from the end of the file.
pub fn page(app: &Appliance, skip: usize, take: usize, now: OffsetDateTime) -> io::Result<Page> {
    let index = index(app)?;
    let signing = signing_root(app);
    let mut page = Page {
        entries: Vec::new(),
        more: false,
        unreadable: 0,
        total: index.records,
    };
    let Some(lines) = fsutil::reverse_lines(&app.path(LEDGER))? else {
        return Ok(page);
    };
    let mut seen = 0;
    for line in lines {
        let line = line?;
        let Some(record) = (!line.cut).then(|| parse(&line.bytes)).flatten() else {
            page.unreadable += 1;
            continue;
        };
        if seen >= skip + take {
            page.more = true;
            break;
        }
        if seen >= skip {
            let state = State::of(&record, &index, &signing, now);
            page.entries.push((record, state));
        }
        seen += 1;
    }
    Ok(page)
}

/// Every certificate of the ledger, newest first, read a line at a time: `visit` gets each
/// record with its state; returns how many lines could not be read.
pub fn each(
    app: &Appliance,
    now: OffsetDateTime,
    mut visit: impl FnMut(&IssuedRecord, State) -> io::Result<()>,
) -> io::Result<usize> {
    let index = index(app)?;
    let signing = signing_root(app);
    let Some(lines) = fsutil::reverse_lines(&app.path(LEDGER))? else {
        return Ok(0);
    };
    let mut unreadable = 0;
    for line in lines {
        let line = line?;
        match (!line.cut).then(|| parse(&line.bytes)).flatten() {
            Some(record) => visit(&record, State::of(&record, &index, &signing, now))?,
            None => unreadable += 1,
        }
    }
    Ok(unreadable)
}
