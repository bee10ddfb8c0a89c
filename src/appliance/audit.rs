//! `log/audit.jsonl`: one JSON line per change. Never key material: paths, names and
//! fingerprints only.

use std::io;
use std::path::Path;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Layout;
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
        "an audit line could not be written".to_string()
    } else {
        text.to_string()
    })
}

fn note(root: &Path, action: &str, result: &io::Result<()>) {
    let mark = root.join(FAILURE_MARK);
    match result {
        Ok(()) => {
            if std::fs::remove_file(&mark).is_ok() {
                let _ = fsutil::sync_dir(root);
            }
        }
        Err(e) => {
            let time = OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default();
            let when = time.get(..19).unwrap_or(&time).replace('T', " ");
            let text = format!("{when} UTC, {action}: {e}\n");
            let _ = fsutil::atomic_write(&mark, text.as_bytes(), fsutil::PRIVATE_FILE);
        }
    }
}

/// Appends one entry; `files` are relative to the appliance root. A failure is also left in
/// [`FAILURE_MARK`] (cleared by the next line written), for the status screen.
pub fn record(
    root: &Path,
    action: &str,
    files: &[&str],
    fingerprints: &[String],
    detail: &str,
) -> io::Result<()> {
    let entry = Entry {
        time: OffsetDateTime::now_utc()
            .format(&Rfc3339)
            .unwrap_or_default(),
        user: current_user(),
        action,
        files,
        fingerprints,
        detail,
    };
    let result = append(root, &entry);
    note(root, action, &result);
    result
}

fn append(root: &Path, entry: &Entry) -> io::Result<()> {
    let line = serde_json::to_string(entry).map_err(io::Error::other)?;
    let path = root.join(Layout::AUDIT);
    if let Some(dir) = path.parent()
        && !dir.exists()
    {
        fsutil::create_dir(dir, fsutil::PRIVATE_DIR)?;
    }
    fsutil::append_line(&path, &line, fsutil::PRIVATE_FILE)
}

/// How much of the end of the audit log its view reads.
const VIEW_TAIL_BYTES: u64 = 4 * 1024 * 1024;

/// The audit log for reading, most recent first: "time  user  action  files  detail".
/// Read line by line: a line that is not UTF-8 or not JSON is shown escaped, the others
/// as they are; every field is escaped, as the file may have been edited by hand.
pub fn recent(root: &Path, limit: usize) -> io::Result<Vec<String>> {
    // The newest lines are at the end: only the tail of a log that grows for years is read.
    let Some(bytes) = fsutil::read_tail_opt(&root.join(Layout::AUDIT), VIEW_TAIL_BYTES)? else {
        return Ok(Vec::new());
    };
    Ok(bytes
        .split(|b| *b == b'\n')
        .filter(|line| !line.trim_ascii().is_empty())
        .rev()
        .take(limit)
        .map(shown)
        .collect())
}

/// One audit line as the audit view shows it.
fn shown(line: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(line) else {
        let head = &line[..line.len().min(120)];
        return format!("(unreadable line) {}", text::escape_bytes(head));
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
