//! The appliance itself: reading it, creating it, its settings, /incoming, files, audit log.

use std::path::Path;

use time::OffsetDateTime;

use super::open;
use crate::appliance::catalogue::Validated;
use crate::appliance::init::InitOptions;
use crate::appliance::{self, incoming, requests, settings, status};
use crate::fsutil;
use crate::model::{Finished, Msg, Shown, TextFor};

pub(super) fn load(root: &Path, now: OffsetDateTime) -> Msg {
    Msg::Loaded(open(root).map(|app| status::snapshot(&app, now)))
}

pub(super) fn init(root: &Path, opts: &InitOptions, now: OffsetDateTime) -> Msg {
    Msg::Initialized(
        appliance::init::init(root, opts, now)
            .map(|app| status::snapshot(&app, now))
            .map_err(|e| e.to_string()),
    )
}

pub(super) fn save_setting(root: &Path, checked: &Validated, now: OffsetDateTime) -> Msg {
    Msg::Saved(open(root).and_then(|app| {
        let change = settings::save_checked(&app, checked).map_err(|e| e.to_string())?;
        Ok((change, status::snapshot(&app, now)))
    }))
}

pub(super) fn list_requests(root: &Path) -> Msg {
    Msg::Listed(open(root).and_then(|app| requests::list(&app).map_err(|e| e.to_string())))
}

pub(super) fn read_incoming(root: &Path, name: String, purpose: TextFor) -> Msg {
    let result = open(root).and_then(|app| incoming::read(&app, &name).map_err(|e| e.to_string()));
    Msg::TextRead {
        purpose,
        from: name,
        result,
    }
}

pub(super) fn show_file(root: &Path, rel: String, title: String) -> Msg {
    Msg::Finished(open(root).map(|app| {
        match fsutil::read_text(&app.path(&rel), fsutil::LIMIT_PEM) {
            Ok(text) => Finished::Shown(Shown::File { rel, title, text }),
            Err(e) => Finished::Unreadable {
                what: rel,
                error: e.to_string(),
            },
        }
    }))
}

pub(super) fn show_audit(root: &Path, page: usize) -> Msg {
    Msg::Finished(open(root).map(|app| {
        match appliance::audit::page(&app.root, page * super::PAGE, super::PAGE) {
            Ok(found) => Finished::Shown(Shown::Audit {
                page,
                lines: found.lines,
                more: found.more,
            }),
            Err(e) => Finished::Unreadable {
                what: crate::say!("outcome.executor.the_audit_log"),
                error: e.to_string(),
            },
        }
    }))
}
