//! Hostnames as RFC 1123 writes them: the appliance's own and the names a CSR carries.

use crate::text::escape;

/// Checks a hostname as RFC 1123 does: dot-separated labels of letters, digits and hyphens.
pub fn validate_hostname(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(crate::say!("hostname.empty"));
    }
    if name.len() > 253 {
        return Err(crate::say!("hostname.too_long", length = name.len()));
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err(crate::say!("hostname.empty_label", name = escape(name)));
        }
        if label.len() > 63 {
            return Err(crate::say!(
                "hostname.label_too_long",
                label = escape(label)
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(crate::say!(
                "hostname.bad_character",
                character = escape(c.encode_utf8(&mut [0; 4]))
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(crate::say!("hostname.hyphen_end", label = escape(label)));
        }
    }
    Ok(())
}
