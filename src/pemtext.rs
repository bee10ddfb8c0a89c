//! Pasted text as terminals deliver it: lines ended by CR (tmux and most terminals), CRLF
//! (Windows clients) or LF, indented, with trailing spaces and blank lines. Pure text work.

/// Lines of `text` with any line ending, trimmed, blank ones dropped, joined by LF with a
/// final LF. Empty when nothing but whitespace was given.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Lines of `text` with any line ending, blank ones dropped, each kept whole (spaces at its
/// ends tell where a terminal wrapped a one-line key), joined by LF with a final LF.
pub fn unify_line_ends(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split(['\r', '\n']).filter(|l| !l.trim().is_empty()) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Whether a normalized text holds a line that ends a PEM block.
pub fn has_pem_end(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("-----END"))
}

/// Whether the text holds a private key of any kind (PEM or OpenSSH).
/// Base64 holds no space, so "PRIVATE KEY" anywhere (even split by a line end, or after a
/// stray character or a byte-order mark) can only be a private key's BEGIN or END line.
pub fn has_private_key(text: &str) -> bool {
    let flat: String = text.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    // A marker cut by the way the text arrived still ends in "KEY-----"; only public keys
    // may carry that.
    flat.contains("PRIVATE KEY")
        || text.split(['\r', '\n']).any(|l| {
            // "PRIVATE" beside a dash or a space (neither is base64) is a marker, whole or cut.
            (l.contains("PRIVATE") && (l.contains('-') || l.contains(' ')))
                || (l.contains("KEY-----") && !l.contains("PUBLIC KEY-----"))
        })
}

/// "-----BEGIN CERTIFICATE REQUEST-----" → "CERTIFICATE REQUEST".
pub fn pem_label(line: &str) -> Option<&str> {
    line.strip_prefix("-----BEGIN ")?.strip_suffix("-----")
}
