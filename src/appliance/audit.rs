//! `log/audit.jsonl`: one JSON line per change. Never key material: paths, names and
//! fingerprints only.

use std::io;
use std::path::Path;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Layout, fsutil};

#[derive(Debug, Serialize)]
struct Entry<'a> {
    time: String,
    user: String,
    action: &'a str,
    files: &'a [&'a str],
    fingerprints: &'a [String],
    detail: &'a str,
}

/// The operator: the login name, as the audit trail must say who changed what.
pub fn current_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "tanadmin".to_string())
}

/// Appends one entry; `files` are relative to the appliance root.
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
    let line = serde_json::to_string(&entry).map_err(io::Error::other)?;
    let path = root.join(Layout::AUDIT);
    if let Some(dir) = path.parent() {
        if !dir.exists() {
            fsutil::create_dir(dir, fsutil::PRIVATE_DIR)?;
        }
    }
    fsutil::append_line(&path, &line, fsutil::PRIVATE_FILE)
}
