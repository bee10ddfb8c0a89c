//! Dates as the console and its messages write them.

use time::OffsetDateTime;

/// The calendar day of `t` as YYYY-MM-DD.
pub fn date(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}
