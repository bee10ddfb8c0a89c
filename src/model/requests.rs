//! The requests waiting in the hub's /incoming (`2 › Z › 2 › 1`): chosen by line number one
//! at a time, or all pending ones issued with `A` after one confirmation that lists them.

use super::{Confirm, Effect, Model, Screen, Start, TextFor};
use crate::appliance::batch::Listed;
use crate::appliance::requests::{Request, Requests};
use crate::pki::issue::DEFAULT_VALIDITY_DAYS;

/// The request list, as last read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    /// `None` until /incoming was read.
    pub rows: Option<Vec<Request>>,
    pub cursor: usize,
}

impl Files {
    /// The requests not issued yet for their key.
    pub fn pending(&self) -> Vec<&Request> {
        self.rows
            .iter()
            .flatten()
            .filter(|r| r.pending().is_some())
            .collect()
    }
}

/// Opens the list and reads /incoming.
pub(super) fn open(m: &mut Model) -> Vec<Effect> {
    m.push(Screen::Files(Files {
        rows: None,
        cursor: 0,
    }));
    vec![Effect::ListRequests]
}

pub(super) fn listed(m: &mut Model, result: Result<Requests, String>) {
    match (m.screen_mut(), result) {
        (Screen::Files(files), Ok(requests)) => {
            files.rows = Some(requests.rows);
            if requests.not_utf8 > 0 {
                m.info(super::outcome::names_not_utf8(requests.not_utf8));
            }
        }
        (Screen::Files(_), Err(e)) => {
            m.back();
            m.error(super::outcome::cannot_list(&e));
        }
        _ => {}
    }
}

pub(super) fn pick_file(m: &mut Model, files: Files, text: &str) -> Vec<Effect> {
    let rows = files.rows.unwrap_or_default();
    let picked = if text.is_empty() {
        (files.cursor < rows.len()).then_some(files.cursor)
    } else {
        Model::line_number(text, rows.len())
    };
    match picked {
        Some(i) => {
            let name = rows[i].file.clone();
            m.start(
                crate::say!(m.voice(); "model.reading_incoming", name = crate::text::escape(&name)),
                Effect::ReadIncoming {
                    name,
                    purpose: TextFor::Csr,
                },
            )
        }
        None => {
            m.error(super::outcome::not_a_line(text, rows.len()));
            Vec::new()
        }
    }
}

/// `A`: every pending request, issued after one confirmation that lists them.
pub(super) fn issue_all(m: &mut Model) -> Vec<Effect> {
    let Screen::Files(files) = m.screen() else {
        return Vec::new();
    };
    let pending = files.pending();
    if pending.is_empty() {
        m.error(super::outcome::nothing_pending());
        return Vec::new();
    }
    let days = match m.snapshot.as_ref().and_then(|s| s.issue_limit.clone()) {
        Some(Ok(limit)) => DEFAULT_VALIDITY_DAYS.min(limit.max_days),
        Some(Err(why)) => {
            m.error(super::outcome::nothing_can_be_issued(&why));
            return Vec::new();
        }
        None => DEFAULT_VALIDITY_DAYS,
    };
    let warning = super::outcome::batch_warning(&pending, days);
    let listed = pending
        .iter()
        .filter_map(|r| {
            r.pending().map(|info| Listed {
                file: r.file.clone(),
                key_fingerprint: info.key_fingerprint.clone(),
            })
        })
        .collect();
    let count = pending.len();
    m.push(Screen::Confirm(Confirm {
        title: super::outcome::batch_title(count),
        warning,
        question: super::outcome::batch_question(count),
        on_yes: Start::new(
            super::outcome::batch_busy(count),
            Effect::IssueBatch { listed, days },
        ),
    }));
    Vec::new()
}
