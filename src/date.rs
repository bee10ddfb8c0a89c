//! Dates as the console and its messages write them.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The calendar day of `t` as YYYY-MM-DD.
pub fn date(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// "2026-01-31 12:00:00": a moment as marks and the status screen say it.
pub(crate) fn when(now: OffsetDateTime) -> String {
    let time = now.format(&Rfc3339).unwrap_or_default();
    time.get(..19).unwrap_or(&time).replace('T', " ")
}
