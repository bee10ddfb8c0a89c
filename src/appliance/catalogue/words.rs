//! The text kinds of setting beside paths: a host, a word of a list, a socket path. Each
//! value is checked here and stored in one spelling.

use std::net::IpAddr;

use super::{OFF, SettingError, Value};

fn bad_host(name: &str, reason: String) -> SettingError {
    SettingError::BadHost {
        name: name.to_string(),
        reason,
    }
}

/// A host name (RFC 1123), an IPv4 or IPv6 address, or `none`.
pub(super) fn host(name: &str, raw: &str) -> Result<Value, SettingError> {
    if raw.eq_ignore_ascii_case(OFF) {
        return Ok(Value::Text(OFF.to_string()));
    }
    let bare = raw
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(raw);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(Value::Text(ip.to_string()));
    }
    let dotted_digits = bare
        .split('.')
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    if dotted_digits {
        return Err(bad_host(
            name,
            format!("{} is not an IP address", crate::text::escape(raw)),
        ));
    }
    if raw.contains(':') {
        return Err(bad_host(
            name,
            format!(
                "{} is neither a host name nor an IP address; the port goes in SyslogPort",
                crate::text::escape(raw)
            ),
        ));
    }
    crate::hostname::validate_hostname(raw).map_err(|reason| {
        bad_host(
            name,
            format!("{reason}; give a host name, an IP address, or {OFF}"),
        )
    })?;
    Ok(Value::Text(raw.to_ascii_lowercase()))
}

/// One of `words`, in any case; stored as the list spells it.
pub(super) fn word(
    name: &str,
    words: &'static [(&'static str, &'static str)],
    raw: &str,
) -> Result<Value, SettingError> {
    match words.iter().find(|(w, _)| w.eq_ignore_ascii_case(raw)) {
        Some((w, _)) => Ok(Value::Text((*w).to_string())),
        None => Err(SettingError::NotAllowed {
            name: name.to_string(),
            allowed: words.iter().map(|(w, _)| *w).collect::<Vec<_>>().join(", "),
            value: raw.chars().take(40).collect(),
        }),
    }
}

/// An absolute path (a local socket such as /dev/log), or `none`.
pub(super) fn socket(name: &str, raw: &str) -> Result<Value, SettingError> {
    if raw.eq_ignore_ascii_case(OFF) {
        return Ok(Value::Text(OFF.to_string()));
    }
    let refuse = |reason: String| SettingError::BadPath {
        name: name.to_string(),
        reason,
    };
    super::check_path(raw).map_err(refuse)?;
    if !raw.starts_with('/') {
        return Err(refuse(format!(
            "{} is not an absolute path (such as /dev/log), nor {OFF}",
            crate::text::escape(raw)
        )));
    }
    Ok(Value::Text(raw.to_string()))
}
