//! The rules every name a certificate carries follows (common name, DNS names, how many),
//! and how a refused name is shown: for requests the hub signs and for its own certificates.

use std::net::IpAddr;

use crate::hostname::validate_hostname;

/// The most subject alternative names (DNS names and IP addresses together) in a request
/// or a certificate: a reporting certificate names one server, not a fleet.
pub const MAX_ALT_NAMES: usize = 100;

/// Characters a name must not hold: what must not reach a terminal as itself
/// (`text::is_hidden`: controls, direction overrides and isolates, zero-width and other
/// format characters), and also spaces other than ' ', fillers, private-use and
/// non-characters, which change how a name looks without showing themselves.
pub fn unfit_in_name(c: char) -> bool {
    crate::text::is_hidden(c)
        || matches!(c,
            '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}'
            | '\u{2800}' | '\u{3000}' | '\u{E000}'..='\u{F8FF}' | '\u{FDD0}'..='\u{FDEF}'
            | '\u{F0000}'..='\u{10FFFF}')
        || (u32::from(c) & 0xFFFE) == 0xFFFE
        || ('\u{0600}'..='\u{0605}').contains(&c)
}

/// A name as a message may show it: every character unfit in a name in the visible form
/// the rest of the product uses (`\e`, `\u{202e}`), cut at 80 characters.
pub fn shown(text: &str) -> String {
    let cut = crate::text::prefix(text, 80);
    let mut out = crate::text::escape_where(cut, |c| c.is_control() || unfit_in_name(c));
    if cut.len() < text.len() {
        out.push('…');
    }
    out
}

/// A character's code point as messages write it after "U+": `001B`.
fn code_point(c: char) -> String {
    format!("{:04X}", u32::from(c))
}

/// Checks a common name: printable text of at most 64 characters, with nothing hidden in it;
/// one written as a wildcard follows the rules of a wildcard DNS name.
pub fn check_common_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(crate::say!("pki.names.cn_empty"));
    }
    if name.chars().count() > 64 {
        return Err(crate::say!("pki.names.cn_too_long"));
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(crate::say!("pki.names.cn_control", code = code_point(c)));
    }
    if let Some(c) = name.chars().find(|c| unfit_in_name(*c)) {
        return Err(crate::say!("pki.names.cn_hidden", code = code_point(c)));
    }
    if name.contains('*') {
        check_wildcard(name)
            .map_err(|e| crate::say!("pki.names.cn_wildcard", name = name, reason = e))?;
    }
    Ok(())
}

/// A wildcard is the whole leftmost label, with at least two labels after it.
fn check_wildcard(name: &str) -> Result<(), String> {
    let mut labels = name.split('.');
    let first = labels.next().unwrap_or_default();
    let rest: Vec<&str> = labels.collect();
    if rest.iter().any(|l| l.contains('*')) {
        return Err(crate::say!("pki.names.wildcard_not_leftmost"));
    }
    if first != "*" {
        return Err(crate::say!("pki.names.wildcard_partial"));
    }
    if rest.len() < 2 {
        return Err(crate::say!("pki.names.wildcard_short"));
    }
    validate_hostname(&rest.join("."))
}

/// Whether a name would be read as an IPv4 address: its last label is a number (decimal, or
/// hexadecimal with 0x), as browsers and resolvers read `192.168.1.1`, `10.1` or `0x7f.1`.
fn ends_in_a_number(name: &str) -> bool {
    let last = name
        .trim_end_matches('.')
        .rsplit('.')
        .next()
        .unwrap_or_default();
    let hex = last
        .strip_prefix("0x")
        .or_else(|| last.strip_prefix("0X"))
        .is_some_and(|h| h.chars().all(|c| c.is_ascii_hexdigit()));
    hex || (!last.is_empty() && last.chars().all(|c| c.is_ascii_digit()))
}

/// Checks a subject alternative DNS name: a hostname, `*.` allowed as the whole first label
/// of a name with two labels or more after it; never an IP address written as a name.
pub fn check_dns_name(name: &str) -> Result<(), String> {
    let named = |e: String| crate::say!("pki.names.dns_name", name = shown(name), reason = e);
    if let Some(c) = name.chars().find(|c| c.is_control() || unfit_in_name(*c)) {
        return Err(named(crate::say!(
            "pki.names.dns_hidden",
            code = code_point(c)
        )));
    }
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<IpAddr>().is_ok() || name.contains(':') || ends_in_a_number(name) {
        return Err(named(crate::say!("pki.names.dns_ip")));
    }
    if name.contains('*') {
        return check_wildcard(name).map_err(named);
    }
    validate_hostname(name).map_err(named)
}

/// Refuses more than `MAX_ALT_NAMES` alternative names.
pub fn check_name_count(count: usize) -> Result<(), String> {
    if count > MAX_ALT_NAMES {
        return Err(crate::say!(
            "pki.names.too_many",
            count = count,
            max = MAX_ALT_NAMES
        ));
    }
    Ok(())
}
