//! The values each kind of setting takes (a number in a list or a range, a file path, a
//! host, a word of a list, a socket path), each checked here and stored in one spelling.

use std::net::IpAddr;

use super::{ApplianceConfig, Kind, OFF, SettingDef, SettingError, Value};
use super::{allowed_on_platform, allowed_text};

pub(super) fn parse_value(
    config: &ApplianceConfig,
    def: &SettingDef,
    raw: &str,
) -> Result<Value, SettingError> {
    let name = def.name.to_string();
    let raw = raw.trim();
    match def.kind {
        Kind::Path => check_path(raw)
            .map(|()| Value::Text(raw.to_string()))
            .map_err(|reason| SettingError::BadPath { name, reason }),
        Kind::Host => host(&name, raw),
        Kind::Word(words) => word(&name, words, raw),
        Kind::Socket => socket(&name, raw),
        Kind::Choice(_) | Kind::Range(..) => {
            if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
                return Err(SettingError::NotANumber {
                    name,
                    raw: raw.chars().take(40).collect(),
                });
            }
            // Digits only: the sole failure left is overflow, reported as out of range.
            let wide: u64 = raw.parse().unwrap_or(u64::MAX);
            // The number as typed: an overflow must not show as 18446744073709551615.
            let digits = raw.trim_start_matches('0');
            let shown = match digits.len() {
                0 => "0".to_string(),
                1..=40 => digits.to_string(),
                _ => format!("{}…", &digits[..40]),
            };
            match def.kind {
                Kind::Range(lo, hi) if wide < u64::from(lo) || wide > u64::from(hi) => {
                    Err(SettingError::OutOfRange {
                        name,
                        lo,
                        hi,
                        value: shown,
                    })
                }
                Kind::Choice(values) if !values.iter().any(|(v, _)| u64::from(*v) == wide) => {
                    Err(SettingError::NotAllowed {
                        name,
                        allowed: allowed_text(config, def),
                        value: shown,
                    })
                }
                _ => {
                    let n = u32::try_from(wide).unwrap_or(u32::MAX);
                    if allowed_on_platform(config, def, n) {
                        Ok(Value::Dword(n))
                    } else {
                        Err(SettingError::TlsRequired { name })
                    }
                }
            }
        }
    }
}

fn check_path(raw: &str) -> Result<(), String> {
    if raw.is_empty() {
        return Err(crate::say!("setting.value.path_empty"));
    }
    if raw.len() > 4096 {
        return Err(crate::say!("setting.value.path_too_long", max = 4096));
    }
    if raw.chars().any(char::is_control) {
        return Err(crate::say!("setting.value.path_control"));
    }
    if raw.split('/').any(|part| part == "..") {
        return Err(crate::say!("setting.value.path_dot_dot"));
    }
    if raw.ends_with('/') {
        return Err(crate::say!("setting.value.path_directory"));
    }
    Ok(())
}

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
            crate::say!("setting.value.not_an_ip", raw = crate::text::escape(raw)),
        ));
    }
    if raw.contains(':') {
        return Err(bad_host(
            name,
            crate::say!(
                "setting.value.host_with_port",
                raw = crate::text::escape(raw)
            ),
        ));
    }
    crate::hostname::validate_hostname(raw).map_err(|reason| {
        bad_host(
            name,
            crate::say!("setting.value.bad_host", reason = reason, off = OFF),
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
    check_path(raw).map_err(refuse)?;
    if !raw.starts_with('/') {
        return Err(refuse(crate::say!(
            "setting.value.socket_not_absolute",
            raw = crate::text::escape(raw),
            off = OFF
        )));
    }
    Ok(Value::Text(raw.to_string()))
}
