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
use crate::text::{escape, prefix};

pub fn names_not_utf8(count: usize) -> String {
    format!(
        "{count} file(s) in /incoming are not offered: their names are not valid UTF-8. Rename them on the sending side."
    )
}

pub fn cannot_list(error: &str) -> String {
    format!("Cannot list /incoming: {error}")
}

pub fn not_a_line(text: &str, len: usize) -> String {
    match len {
        0 => "No file to choose: /incoming holds none.".into(),
        n => format!("'{}' is not a line number here (1-{n}).", escape(text)),
    }
}

pub fn nothing_pending() -> String {
    "No pending request: every request in /incoming was issued already or refused.".into()
}

pub fn nothing_can_be_issued(why: &str) -> String {
    format!("Nothing can be issued: {why}.")
}

/// One row of the request list: file, then what it is and where it stands.
pub fn request_row(request: &Request) -> (String, String) {
    let detail = match &request.state {
        RequestState::Pending(info) => format!(
            "pending   CN={}  {}",
            escape(&info.common_name),
            info.key_description
        ),
        RequestState::Issued {
            info,
            serial,
            not_after,
        } => format!(
            "issued    CN={}  {}  serial {}  until {}",
            escape(&info.common_name),
            info.key_description,
            escape(prefix(serial, 16)),
            escape(prefix(not_after, 10))
        ),
        RequestState::Refused(why) => format!("refused   {}", escape(why)),
    };
    (escape(&request.file), detail)
}

/// The lines above the request list.
pub fn request_list_intro(rows: &[Request]) -> Vec<String> {
    let pending = rows.iter().filter(|r| r.pending().is_some()).count();
    let mut intro = vec![format!(
        "{} request(s) in /incoming, {pending} pending; choose one by line number.",
        rows.len()
    )];
    if pending > 0 {
        intro.push(format!(
            "A issues all {pending} pending request(s) after one confirmation."
        ));
    }
    intro
}

/// The empty request list.
pub fn no_request() -> [&'static str; 2] {
    [
        "No .csr file in /incoming.",
        "Zone Servers push theirs over SFTP (user tancopy); or go back and paste one.",
    ]
}

pub fn batch_title(count: usize) -> String {
    format!("Issue {count} certificate(s)")
}

pub fn batch_question(count: usize) -> String {
    format!("Issue all {count}?")
}

pub fn batch_busy(count: usize) -> String {
    format!("Issuing {count} certificate(s)…")
}

/// The batch confirmation: every pending request, and what each issuance writes.
pub fn batch_warning(pending: &[&Request], days: i64) -> String {
    let mut out = format!(
        "Each request below gets a certificate signed by the root key, valid {days} days, written to /outgoing/<common name>.crt with tanium.pub beside it:"
    );
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
    out.push_str("\nA request whose name already has a certificate of another key is skipped (issue it alone to replace it); one refused request stops none of the others.");
    out
}

fn occupant_line(o: &Occupant) -> String {
    format!(
        "{} holds a certificate for {} with ANOTHER KEY ({}, serial {}).",
        o.place,
        escape(&o.subject),
        o.key_fingerprint,
        escape(&o.serial)
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
    format!(
        "Certificate for {} ({} key), valid {} days, signed by the root key {root}.\n{names}\nIt is written to {} with tanium.pub beside it. The server's own tanium/reporting.crt is not touched.",
        escape(&csr.common_name),
        csr.key_description,
        order.days,
        files.join(" and ")
    )
}

/// The second confirmation, when the name has a certificate of another key.
pub fn replace_warning(order: &Order, occupant: &Occupant) -> String {
    format!(
        "WARNING: {}\nThis request (CN={}, key {}) would replace it for that name. Answer y only if the Zone Server confirms this request's key fingerprint is the one it uses now (its key changed, or the other certificate was issued by mistake).",
        occupant_line(occupant),
        escape(&order.csr.common_name),
        order.csr.fingerprint
    )
}

/// The report of a batch: one line a request.
pub fn batch_report(lines: &[BatchLine]) -> (String, View) {
    let issued = lines
        .iter()
        .filter(|l| matches!(l, BatchLine::Issued { .. }))
        .count();
    let text: Vec<String> = lines.iter().map(batch_line).collect();
    let intro = vec![
        format!(
            "{issued} of {} request(s) issued; one line each:",
            lines.len()
        ),
        "Each Zone Server pulls its own certificate from /outgoing/<its name>.crt.".into(),
    ];
    let message = format!("{issued} of {} certificate(s) issued.", lines.len());
    (
        message,
        View::new("Issued from /incoming", intro, text.join("\n")),
    )
}

fn batch_line(line: &BatchLine) -> String {
    match line {
        BatchLine::Issued {
            file,
            summary,
            written,
        } => format!(
            "issued    {}: {} serial {}, until {} -> {}",
            escape(file),
            escape(&summary.subject),
            escape(&summary.serial),
            date(summary.not_after),
            escape(written)
        ),
        BatchLine::Skipped { file, why } => format!("skipped   {}: {}", escape(file), skip(why)),
        BatchLine::Refused { file, why } => format!("refused   {}: {}", escape(file), escape(why)),
    }
}

fn skip(why: &Skip) -> String {
    match why {
        Skip::NameTaken(o) => format!(
            "{} holds a certificate of another key ({}) for this name; issue it alone to replace it",
            o.place, o.key_fingerprint
        ),
        Skip::SameName { name, others } => format!(
            "{} is also requested with another key by {}; check the fingerprints with the Zone Servers and issue the right one alone",
            escape(name),
            others
                .iter()
                .map(|o| escape(o))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Skip::Changed => "the file changed since it was listed; list again".into(),
    }
}

/// The message after one issuance.
pub fn issued_intro(files: &[String]) -> String {
    let written: Vec<String> = files
        .iter()
        .filter(|f| *f != crate::appliance::fleet::ROOT_PUB)
        .map(|f| format!("/outgoing/{}", escape(f)))
        .collect();
    format!("written to {}", written.join(" and "))
}

/// A page of the issuance ledger.
pub fn ledger_view(page: usize, ledger: &ledger::Page) -> View {
    let first = page * super::super::PAGE_LINES;
    let lines: Vec<String> = ledger
        .entries
        .iter()
        .map(|(r, s)| ledger_line(r, *s))
        .collect();
    let mut intro = vec![format!(
        "{} certificate(s) signed with the root key, newest first; {} to {} shown.",
        ledger.total,
        first + usize::from(!lines.is_empty()),
        first + lines.len()
    )];
    if ledger.unreadable > 0 {
        intro.push(format!(
            "Warning: {} line(s) of {} could not be read and were skipped.",
            ledger.unreadable,
            ledger::LEDGER
        ));
    }
    let text = if lines.is_empty() {
        "No certificate issued yet.".to_string()
    } else {
        lines.join("\n")
    };
    let pager = Pager {
        what: Paged::Issued,
        page,
        more: ledger.more,
    };
    View::new("Issued certificates", intro, text).paged(pager)
}

fn ledger_line(r: &IssuedRecord, state: State) -> String {
    let state = match state {
        State::Expiring(days) => format!("expires in {days} d"),
        other => other.word().to_string(),
    };
    format!(
        "{:<16} {}  until {}  serial {}  {}",
        state,
        escape(r.name()),
        escape(prefix(&r.not_after, 10)),
        escape(prefix(&r.serial, 20)),
        escape(prefix(&r.key_fingerprint, 20))
    )
}

/// A page of the audit log.
pub fn audit_view(page: usize, lines: Vec<String>, more: bool) -> View {
    let intro = vec![format!(
        "log/audit.jsonl, most recent first (page {}, {} shown). Keys are named by fingerprint only.",
        page + 1,
        lines.len()
    )];
    let text = if lines.is_empty() {
        "No change recorded yet.".to_string()
    } else {
        lines.join("\n")
    };
    let pager = Pager {
        what: Paged::Audit,
        page,
        more,
    };
    View::new("Audit log", intro, text).paged(pager)
}

/// Where a pull found this Zone Server's certificate, and why others were passed over.
pub fn pulled(peer: &str, pulled: &Pulled) -> String {
    let mut out = format!(
        "Downloaded /outgoing/{} from {peer} into /incoming/reporting.crt (it is for this Zone Server's key)",
        escape(&pulled.taken)
    );
    for (name, why) in &pulled.passed {
        let why = match why {
            Passed::Missing => continue,
            Passed::OtherKey(fp) => format!("is for another key ({fp})"),
            Passed::Unreadable => "is not a certificate".into(),
            Passed::NotNeeded => "is also for this key; the first one was taken".into(),
        };
        out.push_str(&format!("; /outgoing/{} {why}", escape(name)));
    }
    out.push_str("; checking it…");
    out
}

/// Where a push left the request, and where to issue it.
pub fn pushed(host: &str, pushed: &Pushed, import_at: &str) -> String {
    let mut out = format!(
        "The CSR was pushed to {}:/incoming/{}",
        escape(host),
        escape(&pushed.remote)
    );
    if let Some(beside) = &pushed.beside {
        out.push_str(&format!(
            " (/incoming/{} there holds a request of another key: another Zone Server of this name, or this one's earlier key; it was left as it was)",
            escape(beside)
        ));
    }
    out.push_str(&format!("; issue it there with {import_at}."));
    out
}

/// The hub's header: how many certificates expire soon (nothing when none).
pub fn expiring_header(count: usize) -> Option<String> {
    (count > 0).then(|| {
        format!(
            "{count} issued cert(s) expire within {} days ",
            ledger::EXPIRING_DAYS
        )
    })
}

/// Tanium Status on a hub: the ledger's certificates that expire soon.
pub fn expiring_status(count: usize, list_at: &str) -> String {
    format!(
        "{count} expire within {} days ({list_at} lists them)",
        ledger::EXPIRING_DAYS
    )
}

pub fn page_busy(page: usize) -> String {
    format!("Reading page {}…", page + 1)
}
