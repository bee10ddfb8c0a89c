//! `tanos-menu issued list`: the issuance ledger of a hub, newest first, as the console's
//! `2 › Z › 7` shows it, or as JSON; read a line at a time whatever its size.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{REFUSED, fail, warn};
use crate::appliance::Appliance;
use crate::appliance::ledger::{self, IssuedRecord, State};
use crate::text::escape;

/// Whether `record` ends within `days` of `now` (and has not ended), newest of its name.
fn expiring_within(record: &IssuedRecord, state: State, days: i64, now: OffsetDateTime) -> bool {
    let end = OffsetDateTime::parse(&record.not_after, &Rfc3339).ok();
    state != State::Superseded
        && end.is_some_and(|end| end > now && end <= now + time::Duration::days(days))
}

/// The state as the text list says it (`State::word`, in English, is the JSON's).
fn state_word(state: State) -> String {
    match state {
        State::Valid => crate::say!("cli.issued.state_valid"),
        State::Expiring(_) => crate::say!("cli.issued.state_expiring"),
        State::Expired => crate::say!("cli.issued.state_expired"),
        State::Superseded => crate::say!("cli.issued.state_superseded"),
        State::ReissueNeeded => crate::say!("cli.issued.state_reissue_needed"),
    }
}

fn text_line(r: &IssuedRecord, state: State) -> String {
    crate::say!(
        "cli.issued.line",
        state = format!("{:<10}", state_word(state)),
        name = escape(r.name()),
        not_after = escape(&r.not_after),
        serial = escape(&r.serial),
        key = escape(&r.key_fingerprint),
        source = escape(&r.source),
    )
}

fn json_line(r: &IssuedRecord, state: State) -> io::Result<String> {
    let mut value = serde_json::to_value(r).map_err(io::Error::other)?;
    if let Some(object) = value.as_object_mut() {
        object.insert("state".into(), state.word().into());
    }
    serde_json::to_string(&value).map_err(io::Error::other)
}

/// Prints the ledger; `expiring` keeps the certificates that end within that many days.
pub fn run(root: &Path, json: bool, expiring: Option<i64>) -> ExitCode {
    let app = match Appliance::open(root) {
        Ok(app) => app,
        Err(e) => return fail(1, e),
    };
    if !app.config.has_zone_hub() {
        return fail(REFUSED, crate::say!("cli.issued.not_hub"));
    }
    let now = OffsetDateTime::now_utc();
    let out = io::stdout();
    let mut out = io::BufWriter::new(out.lock());
    let mut first = true;
    let printed = (|| -> io::Result<usize> {
        if json {
            out.write_all(b"[")?;
        }
        let unreadable = ledger::each(&app, now, |record, state| {
            if expiring.is_some_and(|days| !expiring_within(record, state, days, now)) {
                return Ok(());
            }
            match json {
                true => {
                    let sep = if first { "\n" } else { ",\n" };
                    write!(out, "{sep}{}", json_line(record, state)?)?;
                }
                false => writeln!(out, "{}", super::shown(&text_line(record, state)))?,
            }
            first = false;
            Ok(())
        })?;
        if json {
            out.write_all(if first { b"]\n" } else { b"\n]\n" })?;
        }
        out.flush()?;
        Ok(unreadable)
    })();
    match printed {
        Ok(0) => ExitCode::SUCCESS,
        Ok(n) => {
            warn(match n {
                1 => crate::say!("cli.issued.skipped_one", count = n, file = ledger::LEDGER),
                _ => crate::say!("cli.issued.skipped_many", count = n, file = ledger::LEDGER),
            });
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(
            1,
            crate::say!("cli.issued.cannot_read", file = ledger::LEDGER, error = e),
        ),
    }
}
