//! `log/audit.jsonl`: one JSON line per change. Never key material: paths, names and
//! fingerprints only. Rotated by size under the appliance lock (`audit.jsonl.1` newest …
//! `.5`), read from its end a page at a time, and each line also forwarded to syslog
//! (`super::forward`).

use std::io;
use std::path::Path;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::lock::{self, Lock};
use super::settings::store::Settings;
use super::{Appliance, Layout, forward};
use crate::date::when;
use crate::fsutil;
use crate::text;

#[derive(Debug, Serialize)]
struct Entry<'a> {
    time: String,
    user: String,
    action: &'a str,
    files: &'a [&'a str],
    fingerprints: &'a [String],
    detail: &'a str,
}

/// The operator: the Unix account running the console, as the audit trail must say who
/// changed what (from the process's uid in /etc/passwd; $USER when not listed there).
pub fn current_user() -> String {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
    let passwd = super::fsutil::read_text(Path::new("/etc/passwd"), super::fsutil::LIMIT_KEYS)
        .unwrap_or_default();
    let listed = uid.and_then(|uid| {
        passwd.lines().find_map(|l| {
            let mut fields = l.split(':');
            let name = fields.next()?;
            let id: u32 = fields.nth(1)?.parse().ok()?;
            (id == uid).then(|| name.to_string())
        })
    });
    listed
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| uid.map(|u| format!("uid {u}")))
        .unwrap_or_else(|| "unknown".to_string())
}

/// Left at the appliance root while the audit log cannot be written: what failed, when. It
/// outlives the console, so Tanium Status shows the failure until an audit line is written.
pub const FAILURE_MARK: &str = ".tanos-audit-failed";

/// Why the last audit line could not be written, while no later one was.
pub fn failure(root: &Path) -> Option<String> {
    let text = fsutil::read_text_opt(&root.join(FAILURE_MARK), 4096).ok()??;
    let text = text.trim();
    Some(if text.is_empty() {
        crate::say!("appliance.audit.failed")
    } else {
        text.to_string()
    })
}

fn note(root: &Path, action: &str, result: &io::Result<()>, now: OffsetDateTime) {
    let mark = root.join(FAILURE_MARK);
    match result {
        Ok(()) => {
            if std::fs::remove_file(&mark).is_ok() {
                let _ = fsutil::sync_dir(root);
            }
        }
        Err(e) => {
            // A record: English, whoever wrote it.
            let text = crate::texts::in_english(|| format!("{} UTC, {action}: {e}\n", when(now)));
            let _ = fsutil::atomic_write(&mark, text.as_bytes(), fsutil::PRIVATE_FILE);
        }
    }
}

/// Older files kept beside `audit.jsonl`: `audit.jsonl.1` (newest) to `.5`.
pub const KEPT_FILES: usize = 5;
/// The size past which `audit.jsonl` is rotated when AuditLogMaxBytes is not set.
pub const DEFAULT_MAX_BYTES: u32 = 10 * 1024 * 1024;
/// The Configuration Settings (Console) that sets that size.
pub const MAX_BYTES_SETTING: &str = "AuditLogMaxBytes";

/// Appends one entry, under the appliance lock the caller holds (the log is rotated first
/// when the line would take it past AuditLogMaxBytes), then forwards it to syslog; `files`
/// are relative to the appliance root. A failure to append is returned and left in
/// [`FAILURE_MARK`] (cleared by the next line written); one to forward never is: it goes to
/// `forward::FAILURE_MARK`.
pub fn record(
    lock: &Lock,
    action: &str,
    files: &[&str],
    fingerprints: &[String],
    detail: &str,
) -> io::Result<()> {
    let event = Event {
        action,
        files,
        fingerprints,
        detail,
    };
    write_event(lock.appliance(), Some(lock), &event)
}

/// [`record`] for a caller that holds no lock: takes it. When another change keeps it past
/// the usual wait, the line is appended all the same, only not rotated: an append never
/// loses a line to a rotation (it lands in the file it opened, renamed or not).
pub fn record_locking(
    app: &Appliance,
    action: &str,
    files: &[&str],
    fingerprints: &[String],
    detail: &str,
) -> io::Result<()> {
    let event = Event {
        action,
        files,
        fingerprints,
        detail,
    };
    match lock::acquire(app) {
        Ok(held) => write_event(app, Some(&held), &event),
        Err(_) => write_event(app, None, &event),
    }
}

struct Event<'a> {
    action: &'a str,
    files: &'a [&'a str],
    fingerprints: &'a [String],
    detail: &'a str,
}

fn write_event(app: &Appliance, lock: Option<&Lock>, event: &Event) -> io::Result<()> {
    let now = OffsetDateTime::now_utc();
    let entry = Entry {
        time: now.format(&Rfc3339).unwrap_or_default(),
        user: current_user(),
        action: event.action,
        files: event.files,
        fingerprints: event.fingerprints,
        detail: event.detail,
    };
    let line = serde_json::to_string(&entry).map_err(io::Error::other);
    let settings = Settings::load(app).map_err(|e| e.to_string());
    let result = line.as_ref().map_err(clone_error).and_then(|line| {
        if lock.is_some() {
            // A log that cannot be rotated keeps growing: the line matters more.
            let _ = rotate_if_due(app, settings.as_ref().ok(), line.len());
        }
        append(&app.root, line)
    });
    note(&app.root, event.action, &result, now);
    if let Ok(line) = &line {
        forward::forward(app, settings.as_ref(), event.action, line, now);
    }
    result
}

fn clone_error(e: &io::Error) -> io::Error {
    io::Error::new(e.kind(), e.to_string())
}

/// Rotates the log when `adding` more bytes would take it past AuditLogMaxBytes.
fn rotate_if_due(app: &Appliance, settings: Option<&Settings>, adding: usize) -> io::Result<()> {
    let max = match forward::console_value(app, settings, MAX_BYTES_SETTING) {
        Some(super::catalogue::Value::Dword(n)) => u64::from(n),
        _ => u64::from(DEFAULT_MAX_BYTES),
    };
    let path = app.path(Layout::AUDIT);
    let len = match std::fs::symlink_metadata(&path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if len > 0 && len + adding as u64 + 1 > max {
        fsutil::rotate(&path, KEPT_FILES)?;
    }
    Ok(())
}

fn append(root: &Path, line: &str) -> io::Result<()> {
    let path = root.join(Layout::AUDIT);
    if let Some(dir) = path.parent()
        && !dir.exists()
    {
        fsutil::create_dir(dir, fsutil::PRIVATE_DIR)?;
    }
    fsutil::append_line(&path, line, fsutil::PRIVATE_FILE)
}

/// One page of the audit view: lines newest first, as the view shows them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditPage {
    pub lines: Vec<String>,
    /// Older lines exist beyond this page.
    pub more: bool,
}

/// Lines `skip..skip + take` of the audit log counted from the newest, across
/// `audit.jsonl` and its rotated files. Only the blocks that hold them (and the next one,
/// for `more`) are read, whatever the log's size. A line that is not UTF-8 or not JSON is
/// shown escaped, the others as they are; every field is escaped, as the files may have
/// been edited by hand. A file that cannot be read on (a line of many megabytes: no record)
/// ends with a line saying so, and the next older file is read.
pub fn page(root: &Path, skip: usize, take: usize) -> io::Result<AuditPage> {
    let mut out = AuditPage::default();
    let end = skip.saturating_add(take);
    let mut seen = 0usize;
    for path in fsutil::with_rotated(&root.join(Layout::AUDIT), KEPT_FILES) {
        let Some(lines) = fsutil::reverse_lines(&path)? else {
            continue;
        };
        for line in lines {
            if seen >= end {
                out.more = true;
                return Ok(out);
            }
            if seen >= skip {
                out.lines.push(match &line {
                    Ok(line) => shown(&line.bytes),
                    Err(e) => unread(root, &path, e),
                });
            }
            seen += 1;
            // The reader stops at an error: what is older in this file stays unread.
            if line.is_err() {
                break;
            }
        }
    }
    Ok(out)
}

fn unread(root: &Path, path: &Path, e: &io::Error) -> String {
    let name = text::escape_path(path.strip_prefix(root).unwrap_or(path));
    crate::say!(
        "appliance.audit.older_unread",
        name = name,
        error = text::escape(&e.to_string())
    )
}

/// The newest `limit` lines of the audit log, as the audit view shows them.
pub fn recent(root: &Path, limit: usize) -> io::Result<Vec<String>> {
    page(root, 0, limit).map(|p| p.lines)
}

/// One audit line as the audit view shows it.
fn shown(line: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(line) else {
        let head = &line[..line.len().min(120)];
        return crate::say!(
            "appliance.audit.unreadable_line",
            line = text::escape_bytes(head)
        );
    };
    let field = |k: &str| text::escape(v.get(k).and_then(|x| x.as_str()).unwrap_or(""));
    let time = field("time");
    let when = text::prefix(&time, 19).replace('T', " ");
    let files = v
        .get("files")
        .and_then(|f| f.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str())
                .map(text::escape)
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let detail = field("detail");
    let what = [files, detail]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    format!("{when}  {}  {}\n    {what}", field("user"), field("action"))
        .trim_end()
        .to_string()
}
