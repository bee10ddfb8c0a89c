//! The sentences of the fleet steps: the request list of /incoming, one issuance and a
//! batch, the issuance ledger, and where a push or pull left its file.

use super::super::{Paged, Pager, View};
use crate::appliance::batch::{BatchLine, Skip};
use crate::appliance::fleet::{self, Occupant};
use crate::appliance::issuance::Order;
use crate::appliance::ledger::{self, IssuedRecord, State};
use crate::appliance::requests::{Request, RequestState};
use crate::appliance::transfer::{Passed, Pulled, Pushed};
use crate::date::date;
use crate::say;
use crate::text::{escape, prefix};

pub fn names_not_utf8(count: usize) -> String {
    say!("outcome.fleet.names_not_utf8", count = count)
}

pub fn cannot_list(error: &str) -> String {
    say!("outcome.fleet.cannot_list", error = error)
}

pub fn not_a_line(text: &str, len: usize) -> String {
    match len {
        0 => say!("outcome.fleet.no_file_to_choose"),
        n => say!("outcome.fleet.not_a_line", text = escape(text), last = n),
    }
}

pub fn nothing_pending() -> String {
    say!("outcome.fleet.nothing_pending")
}

pub fn nothing_can_be_issued(why: &str) -> String {
    say!("outcome.fleet.nothing_can_be_issued", why = why)
}

/// One row of the request list: file, then what it is and where it stands.
pub fn request_row(request: &Request) -> (String, String) {
    let detail = match &request.state {
        RequestState::Pending(info) => say!(
            "outcome.fleet.row_pending",
            cn = escape(&info.common_name),
            key = info.key_description
        ),
        RequestState::Issued {
            info,
            serial,
            not_after,
        } => say!(
            "outcome.fleet.row_issued",
            cn = escape(&info.common_name),
            key = info.key_description,
            serial = escape(prefix(serial, 16)),
            until = escape(prefix(not_after, 10))
        ),
        RequestState::Refused(why) => say!("outcome.fleet.row_refused", why = escape(why)),
    };
    (escape(&request.file), detail)
}

/// The lines above the request list.
pub fn request_list_intro(rows: &[Request]) -> Vec<String> {
    let pending = rows.iter().filter(|r| r.pending().is_some()).count();
    let mut intro = vec![say!(
        "outcome.fleet.list_intro",
        count = rows.len(),
        pending = pending
    )];
    if pending > 0 {
        intro.push(say!("outcome.fleet.list_issue_all", pending = pending));
    }
    intro
}

/// The empty request list.
pub fn no_request() -> [String; 2] {
    [
        say!("outcome.fleet.no_request"),
        say!("outcome.fleet.no_request_hint"),
    ]
}

pub fn batch_title(count: usize) -> String {
    say!("outcome.fleet.batch_title", count = count)
}

pub fn batch_question(count: usize) -> String {
    say!("outcome.fleet.batch_question", count = count)
}

pub fn batch_busy(count: usize) -> String {
    say!("outcome.fleet.batch_busy", count = count)
}

/// The batch confirmation: every pending request, and what each issuance writes.
pub fn batch_warning(pending: &[&Request], days: i64) -> String {
    let mut out = say!("outcome.fleet.batch_warning", days = days);
    for request in pending {
        if let Some(info) = request.pending() {
            out.push_str(&format!(
                "\n  {}  CN={}  {}  {}",
                escape(&request.file),
                escape(&info.common_name),
                info.key_description,
                info.key_fingerprint
            ));
        }
    }
    out.push('\n');
    out.push_str(&say!("outcome.fleet.batch_warning_skips"));
    out
}

fn occupant_line(o: &Occupant) -> String {
    say!(
        "outcome.fleet.occupant",
        place = o.place,
        subject = escape(&o.subject),
        fingerprint = o.key_fingerprint,
        serial = escape(&o.serial)
    )
}

/// The single issuance's confirmation.
pub fn issue_warning(order: &Order, root: &str, names: &str) -> String {
    let csr = &order.csr;
    let mut files = vec![fleet::cert_file(&csr.common_name)];
    if files[0] != fleet::SEED_CERT {
        files.push(fleet::SEED_CERT.into());
    }
    let files: Vec<String> = files
        .iter()
        .map(|f| format!("/outgoing/{}", escape(f)))
        .collect();
    say!(
        "outcome.fleet.issue_warning",
        cn = escape(&csr.common_name),
        key = csr.key_description,
        days = order.days,
        root = root,
        names = names,
        files = super::both(&files)
    )
}

/// The second confirmation, when the name has a certificate of another key.
pub fn replace_warning(order: &Order, occupant: &Occupant) -> String {
    say!(
        "outcome.fleet.replace_warning",
        occupant = occupant_line(occupant),
        cn = escape(&order.csr.common_name),
        fingerprint = order.csr.fingerprint
    )
}

/// The report of a batch: one line a request.
pub fn batch_report(lines: &[BatchLine]) -> (String, View) {
    let issued = lines
        .iter()
        .filter(|l| matches!(l, BatchLine::Issued { .. }))
        .count();
    let text: Vec<String> = lines.iter().map(batch_line).collect();
    let count = lines.len();
    let intro = vec![
        say!("outcome.fleet.batch_intro", issued = issued, count = count),
        say!("outcome.fleet.batch_pull_hint"),
    ];
    let message = say!("outcome.fleet.batch_done", issued = issued, count = count);
    let title = say!("outcome.fleet.batch_report_title");
    (message, View::new(title, intro, text.join("\n")))
}

fn batch_line(line: &BatchLine) -> String {
    match line {
        BatchLine::Issued {
            file,
            summary,
            written,
        } => say!(
            "outcome.fleet.line_issued",
            file = escape(file),
            subject = escape(&summary.subject),
            serial = escape(&summary.serial),
            until = date(summary.not_after),
            written = escape(written)
        ),
        BatchLine::Skipped { file, why } => {
            say!(
                "outcome.fleet.line_skipped",
                file = escape(file),
                why = skip(why)
            )
        }
        BatchLine::Refused { file, why } => {
            say!(
                "outcome.fleet.line_refused",
                file = escape(file),
                why = escape(why)
            )
        }
    }
}

fn skip(why: &Skip) -> String {
    match why {
        Skip::NameTaken(o) => say!(
            "outcome.fleet.skip_name_taken",
            place = o.place,
            fingerprint = o.key_fingerprint
        ),
        Skip::SameName { name, others } => say!(
            "outcome.fleet.skip_same_name",
            name = escape(name),
            others = others
                .iter()
                .map(|o| escape(o))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Skip::Changed => say!("outcome.fleet.skip_changed"),
    }
}

/// The files one issuance wrote in /outgoing, tanium.pub aside ("a and b").
pub fn outgoing_files(files: &[String]) -> String {
    let written: Vec<String> = files
        .iter()
        .filter(|f| *f != crate::appliance::fleet::ROOT_PUB)
        .map(|f| format!("/outgoing/{}", escape(f)))
        .collect();
    super::both(&written)
}

/// A page of the issuance ledger.
pub fn ledger_view(page: usize, ledger: &ledger::Page) -> View {
    let first = page * super::super::PAGE_LINES;
    let lines: Vec<String> = ledger
        .entries
        .iter()
        .map(|(r, s)| ledger_line(r, *s))
        .collect();
    let mut intro = vec![say!(
        "outcome.fleet.ledger_intro",
        total = ledger.total,
        from = first + usize::from(!lines.is_empty()),
        to = first + lines.len()
    )];
    if ledger.unreadable > 0 {
        intro.push(say!(
            "outcome.fleet.ledger_unreadable",
            count = ledger.unreadable,
            file = ledger::LEDGER
        ));
    }
    let text = if lines.is_empty() {
        say!("outcome.fleet.ledger_empty")
    } else {
        lines.join("\n")
    };
    let pager = Pager {
        what: Paged::Issued,
        page,
        more: ledger.more,
    };
    View::new(say!("outcome.fleet.ledger_title"), intro, text).paged(pager)
}

fn ledger_line(r: &IssuedRecord, state: State) -> String {
    let state = match state {
        State::Valid => say!("outcome.fleet.state_valid"),
        State::Expiring(days) => say!("outcome.fleet.state_expiring", days = days),
        State::Expired => say!("outcome.fleet.state_expired"),
        State::Superseded => say!("outcome.fleet.state_superseded"),
        State::ReissueNeeded => say!("outcome.fleet.state_reissue_needed"),
    };
    say!(
        "outcome.fleet.ledger_line",
        state = format!("{state:<16}"),
        name = escape(r.name()),
        until = escape(prefix(&r.not_after, 10)),
        serial = escape(prefix(&r.serial, 20)),
        fingerprint = escape(prefix(&r.key_fingerprint, 20))
    )
}

/// A page of the audit log.
pub fn audit_view(page: usize, lines: Vec<String>, more: bool) -> View {
    let intro = vec![say!(
        "outcome.fleet.audit_intro",
        page = page + 1,
        count = lines.len()
    )];
    let text = if lines.is_empty() {
        say!("outcome.fleet.audit_empty")
    } else {
        lines.join("\n")
    };
    let pager = Pager {
        what: Paged::Audit,
        page,
        more,
    };
    View::new(say!("outcome.fleet.audit_title"), intro, text).paged(pager)
}

/// Where a pull found this Zone Server's certificate, and why others were passed over.
pub fn pulled(peer: &str, pulled: &Pulled) -> String {
    let mut out = say!(
        "outcome.fleet.pulled",
        taken = escape(&pulled.taken),
        peer = peer
    );
    for (name, why) in &pulled.passed {
        let name = escape(name);
        out.push_str(&match why {
            Passed::Missing => continue,
            Passed::OtherKey(fp) => {
                say!(
                    "outcome.fleet.passed_other_key",
                    name = name,
                    fingerprint = fp
                )
            }
            Passed::Unreadable => say!("outcome.fleet.passed_unreadable", name = name),
            Passed::NotNeeded => say!("outcome.fleet.passed_not_needed", name = name),
        });
    }
    out.push_str(&say!("outcome.fleet.pulled_checking"));
    out
}

/// Where a push left the request, and where to issue it.
pub fn pushed(host: &str, pushed: &Pushed, import_at: &str) -> String {
    let host = escape(host);
    let remote = escape(&pushed.remote);
    match &pushed.beside {
        None => say!(
            "outcome.fleet.pushed",
            host = host,
            remote = remote,
            import_at = import_at
        ),
        Some(beside) => say!(
            "outcome.fleet.pushed_beside",
            host = host,
            remote = remote,
            beside = escape(beside),
            import_at = import_at
        ),
    }
}

/// The hub's header: how many certificates expire soon (nothing when none).
pub fn expiring_header(count: usize) -> Option<String> {
    (count > 0).then(|| {
        say!(
            "outcome.fleet.expiring_header",
            count = count,
            days = ledger::EXPIRING_DAYS
        )
    })
}

/// Tanium Status on a hub: the ledger's certificates that expire soon.
pub fn expiring_status(count: usize, list_at: &str) -> String {
    say!(
        "outcome.fleet.expiring_status",
        count = count,
        days = ledger::EXPIRING_DAYS,
        list_at = list_at
    )
}

pub fn page_busy(page: usize) -> String {
    say!("outcome.fleet.page_busy", page = page + 1)
}
