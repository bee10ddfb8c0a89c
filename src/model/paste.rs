//! The paste dialog (every paste of a PEM or key).
//! A private key is discarded the moment it is seen; nothing pasted is echoed back.

use super::{Key, Model, Screen};
use crate::pemtext::{has_pem_end, has_private_key, normalize, unify_line_ends};
use crate::pki::csr::MAX_PEM_BYTES;
use crate::say;
use crate::sshkeys::authorized::parse_pasted;
use crate::texts::Voice;

/// What a pasted or read text is meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFor {
    Csr,
    Cert,
    RootKey,
    /// An OpenSSH public key for the chosen user's authorized_keys.
    AuthorizedKey,
}

impl TextFor {
    /// What the text is, with its article, as it follows a verb ("Paste {what} instead").
    fn the_text(self, v: Voice) -> String {
        match self {
            TextFor::Csr => say!(v; "model.paste.the_csr"),
            TextFor::Cert => say!(v; "model.paste.the_cert"),
            TextFor::RootKey => say!(v; "model.paste.the_root_key"),
            TextFor::AuthorizedKey => say!(v; "model.paste.the_authorized_key"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasteDialog {
    pub purpose: TextFor,
    /// What was received so far, normalized.
    pub text: String,
    pub error: Option<String>,
    /// Inside a private key typed line by line: every line is dropped up to its END line.
    pub discarding: bool,
}

impl PasteDialog {
    pub fn new(purpose: TextFor) -> PasteDialog {
        PasteDialog {
            purpose,
            text: String::new(),
            error: None,
            discarding: false,
        }
    }
}

fn dialog(m: &mut Model) -> Option<&mut PasteDialog> {
    match m.screen_mut() {
        Screen::Paste(d) => Some(d),
        _ => None,
    }
}

/// Adds a chunk to the dialog; refuses private keys and oversize input on sight.
/// Returns whether the text is complete: a PEM block ended, or a whole public key.
fn accumulate(m: &mut Model, chunk: &str, bracketed: bool) -> bool {
    let v = m.voice();
    let Some(d) = dialog(m) else { return false };
    if still_discarding(d, chunk) || refused_private(d, chunk, v) {
        return false;
    }
    // A one-line key keeps its spaces: they tell where a terminal wrapped it.
    let added = if d.purpose == TextFor::AuthorizedKey {
        unify_line_ends(chunk)
    } else {
        normalize(chunk)
    };
    if d.text.len() + added.len() > MAX_PEM_BYTES {
        d.text.clear();
        d.error = Some(too_big(v));
        return false;
    }
    d.error = None;
    d.text.push_str(&added);
    match d.purpose {
        TextFor::AuthorizedKey => {
            let blank_line = added.is_empty() && !d.text.is_empty();
            bracketed
                || blank_line
                || added.contains("---- END SSH2")
                || parse_pasted(&d.text).is_ok()
        }
        _ => has_pem_end(&added),
    }
}

/// An END marker (or its first half) of a PEM block, or of a private key.
fn is_end(line: &str) -> bool {
    let l = line.trim();
    (l.starts_with("-----END ") && l.ends_with("-----") && l.len() > 14)
        || (l.contains("-----END") && l.contains("PRIVATE"))
}

/// Whether `chunk` still falls inside a private key being dropped: an END marker closes
/// it; so does the start of another block, when the key's END never came.
fn still_discarding(d: &mut PasteDialog, chunk: &str) -> bool {
    if !d.discarding {
        return false;
    }
    let lines = || chunk.split(['\r', '\n']);
    let starts_other = lines().any(|l| {
        let l = l.trim();
        l.starts_with("-----BEGIN ") && l.ends_with("-----") && l.len() > 16 && !has_private_key(l)
    });
    if starts_other {
        d.discarding = false;
        return false;
    }
    d.discarding = !lines().any(is_end);
    true
}

/// Refuses a chunk holding a private key (the pieces of one paste may split the BEGIN
/// line: what came before is looked at too): the text is dropped, and so is the rest of
/// the key while its END line has not come.
fn refused_private(d: &mut PasteDialog, chunk: &str, v: Voice) -> bool {
    let mut tail_start = d.text.len().saturating_sub(64);
    while !d.text.is_char_boundary(tail_start) {
        tail_start -= 1;
    }
    let tail = &d.text[tail_start..];
    if !(has_private_key(chunk) || has_private_key(&format!("{tail}{chunk}"))) {
        return false;
    }
    d.text.clear();
    // Still inside the key unless an END line follows its last marker in this piece.
    let pieces: Vec<&str> = chunk.split(['\r', '\n']).collect();
    d.discarding = match pieces.iter().rposition(|l| has_private_key(l)) {
        Some(i) => !pieces[i..].iter().any(|l| is_end(l)),
        None => !pieces.iter().any(|l| is_end(l)),
    };
    d.error = Some(say!(v; "model.paste.private_key", what = d.purpose.the_text(v)));
    true
}

/// A text the dialog received whole: what it is meant to be, and the text.
pub(super) type Received = Option<(TextFor, String)>;

/// A bracketed paste (or a burst of text): taken whole, submitted when it ends a PEM block.
pub(super) fn pasted(m: &mut Model, text: &str) -> Received {
    // What was typed before the paste comes before it.
    if !m.input.is_empty() {
        let typed = std::mem::take(&mut m.input);
        if accumulate(m, &format!("{typed}\n"), false) {
            return submit(m);
        }
    }
    let v = m.voice();
    // Terminals that split a paste may send it in pieces: bound each piece as the whole.
    if text.len() > MAX_PEM_BYTES {
        if let Some(d) = dialog(m) {
            d.text.clear();
            d.error = Some(too_big(v));
        }
        return None;
    }
    if normalize(text).is_empty() {
        if let Some(d) = dialog(m).filter(|d| !d.discarding) {
            d.error = Some(say!(v; "model.paste.empty", what = d.purpose.the_text(v)));
        }
        return None;
    }
    if accumulate(m, text, true) {
        submit(m)
    } else {
        None
    }
}

/// Enter or Ctrl-D in the dialog, for text typed or pasted without bracketed paste.
pub(super) fn typed_line(m: &mut Model, key: Key) -> Received {
    let line = std::mem::take(&mut m.input);
    let ended = accumulate(m, &format!("{line}\n"), false);
    if ended || key == Key::CtrlD {
        submit(m)
    } else {
        None
    }
}

fn submit(m: &mut Model) -> Received {
    let v = m.voice();
    let d = dialog(m)?;
    let text = std::mem::take(&mut d.text);
    let purpose = d.purpose;
    if text.is_empty() {
        d.error = Some(say!(v; "model.paste.nothing", what = purpose.the_text(v)));
        return None;
    }
    Some((purpose, text))
}

/// Shows a refusal where the operator is: in the dialog, or as the message line.
pub(super) fn refuse(m: &mut Model, message: String) {
    let v = m.voice();
    match dialog(m) {
        Some(d) => d.error = Some(say!(v; "model.paste.refused", reason = message)),
        None => m.error(message),
    }
}

/// A paste refused for its size.
fn too_big(v: Voice) -> String {
    say!(v; "model.paste.too_big", kib = MAX_PEM_BYTES / 1024)
}
