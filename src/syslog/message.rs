//! The RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`.

use time::{OffsetDateTime, UtcOffset};

/// authpriv (10): security records go where only root reads them (`/var/log/secure`,
/// `/var/log/auth.log`), where some systems make the auth facility (4) world-readable.
pub const FACILITY_AUTHPRIV: u8 = 10;
/// notice (5): a normal but significant event, which each change of an appliance is.
pub const SEVERITY_NOTICE: u8 = 5;
/// The APP-NAME of every message.
pub const APP_NAME: &str = "tanos-menu";

/// One event to send.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    pub facility: u8,
    pub severity: u8,
    pub time: OffsetDateTime,
    pub hostname: &'a str,
    pub procid: u32,
    /// What happened, in a word (an audit action such as `settings.set`): collectors filter on it.
    pub msgid: &'a str,
    pub msg: &'a str,
}

/// RFC 5424's byte order mark, which starts a MSG in UTF-8.
const BOM: &str = "\u{feff}";

impl Message<'_> {
    /// The message as sent, without framing. No STRUCTURED-DATA (`-`): the record goes whole
    /// in MSG, as the JSON line `log/audit.jsonl` holds. Collectors parse JSON in MSG, where
    /// SD-PARAM values would need `"`, `\` and `]` escaped (JSON is full of them), and many
    /// drop structured data they do not know; the same line in both places also lets an
    /// auditor match the collector's copy against the appliance's byte for byte.
    pub fn to_rfc5424(&self) -> String {
        let pri = u16::from(self.facility) * 8 + u16::from(self.severity);
        // A MSG in UTF-8 must start with the BOM; plain ASCII is valid as it is (MSG-ANY),
        // and some collectors show the BOM as garbage, so it is added only when needed.
        let bom = if self.msg.is_ascii() { "" } else { BOM };
        format!(
            "<{pri}>1 {} {} {} {} {} - {bom}{}",
            timestamp(self.time),
            header_field(self.hostname, 255),
            APP_NAME,
            self.procid,
            header_field(self.msgid, 32),
            self.msg
        )
    }
}

/// RFC 5424 TIMESTAMP in UTC, at most six digits of fraction as the RFC allows.
fn timestamp(time: OffsetDateTime) -> String {
    let t = time.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// A header field: printable US-ASCII without spaces, at most `max` of them; the NILVALUE
/// `-` when nothing is left.
fn header_field(text: &str, max: usize) -> String {
    let field: String = text
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .take(max)
        .collect();
    if field.is_empty() {
        "-".to_string()
    } else {
        field
    }
}

/// RFC 6587 octet counting (also RFC 5425's framing over TLS): `MSG-LEN SP SYSLOG-MSG`.
pub fn octet_counted(message: &str) -> Vec<u8> {
    let mut frame = format!("{} ", message.len()).into_bytes();
    frame.extend_from_slice(message.as_bytes());
    frame
}
