//! Hostnames as RFC 1123 writes them: the appliance's own and the names a CSR carries.

use crate::text::escape;

/// Checks a hostname as RFC 1123 does: dot-separated labels of letters, digits and hyphens.
pub fn validate_hostname(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the hostname is empty".into());
    }
    if name.len() > 253 {
        return Err(format!(
            "the hostname is {} characters long; at most 253 are allowed",
            name.len()
        ));
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err(format!(
                "'{}' has an empty label (two dots, or a dot at an end)",
                escape(name)
            ));
        }
        if label.len() > 63 {
            return Err(format!(
                "the label '{}' is longer than 63 characters",
                escape(label)
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(format!(
                "'{}' is not allowed in a hostname (letters, digits, '-' and '.' only)",
                escape(c.encode_utf8(&mut [0; 4]))
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!(
                "the label '{}' starts or ends with '-'",
                escape(label)
            ));
        }
    }
    Ok(())
}
