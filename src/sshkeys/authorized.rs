//! `authorized_keys`: parsing what an operator pastes, adding, listing and removing keys.
//! A change touches only the line it targets: comments, blank lines, options and line ends
//! of the other lines are kept byte for byte. 0600 in a 0700 `.ssh`.

use std::path::Path;

use base64::Engine;
use ssh_key::{Algorithm, HashAlg, PublicKey};

use super::lines::{self, RawLines};
use crate::fsutil;

/// Largest text accepted as one pasted key (RSA 16384 with options fits easily).
pub const MAX_KEY_TEXT: usize = 16 * 1024;

/// One key line of authorized_keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizedKey {
    /// Options before the key (`from="…",no-pty`), kept as given.
    pub options: Option<String>,
    pub key: PublicKey,
}

impl AuthorizedKey {
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(HashAlg::Sha256).to_string()
    }

    /// "ED25519", "RSA 3072", "ECDSA P-256".
    pub fn kind(&self) -> String {
        describe(&self.key)
    }

    pub fn comment(&self) -> &str {
        self.key.comment()
    }

    /// The line as written to the file.
    pub fn line(&self) -> Result<String, KeyError> {
        let key = self
            .key
            .to_openssh()
            .map_err(|e| KeyError::Garbage(e.to_string()))?;
        Ok(match &self.options {
            Some(opts) => format!("{opts} {key}"),
            None => key,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("{}", crate::say!("sshkeys.authorized.empty"))]
    Empty,
    #[error("{}", crate::say!("sshkeys.authorized.too_large", bytes = .0))]
    TooLarge(usize),
    #[error("{}", crate::say!("sshkeys.authorized.private_key"))]
    PrivateKey,
    #[error("{}", crate::say!("sshkeys.authorized.dsa"))]
    Dsa,
    #[error("{}", crate::say!("sshkeys.authorized.rsa_too_small", bits = .0))]
    RsaTooSmall(usize),
    #[error("{}", crate::say!("sshkeys.authorized.unsupported", kind = .0))]
    Unsupported(String),
    #[error("{}", crate::say!("sshkeys.authorized.garbage", reason = .0))]
    Garbage(String),
    #[error("{}", crate::say!("sshkeys.authorized.several", count = .0))]
    Several(usize),
    #[error(
        "{}",
        crate::say!("sshkeys.authorized.duplicate", line = .line, fingerprint = .fingerprint)
    )]
    Duplicate { line: usize, fingerprint: String },
    #[error("{}", crate::say!("sshkeys.authorized.no_such_line", line = .0))]
    NoSuchLine(usize),
    #[error("{}", crate::say!("sshkeys.authorized.bad_file", line = .line, reason = .reason))]
    BadFile { line: usize, reason: String },
    #[error("{}", crate::say!("sshkeys.authorized.read", reason = .0))]
    Read(String),
    #[error("{}", crate::say!("sshkeys.authorized.write", reason = .0))]
    Write(String),
}

pub fn describe(key: &PublicKey) -> String {
    match key.algorithm() {
        Algorithm::Ed25519 => "ED25519".into(),
        Algorithm::Rsa { .. } => format!("RSA {}", rsa_bits(key).unwrap_or(0)),
        Algorithm::Ecdsa { curve } => format!(
            "ECDSA {}",
            curve
                .as_str()
                .trim_start_matches("nist")
                .to_uppercase()
                .replace('P', "P-")
        ),
        other => other.as_str().to_string(),
    }
}

fn rsa_bits(key: &PublicKey) -> Option<usize> {
    let n = key.key_data().rsa()?.n.as_positive_bytes()?;
    let first = *n.first()?;
    Some((n.len() - 1) * 8 + (8 - first.leading_zeros() as usize))
}

/// The double quote around option values and RFC 4716 comments (written by its code point:
/// a quote character in the source would pair with the quotes of the strings around it for
/// the scan of text keys).
const QUOTE: char = '\u{22}';

const KEY_TYPES: [&str; 4] = ["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"];

fn starts_with_key_type(s: &str) -> bool {
    KEY_TYPES.iter().any(|t| s.starts_with(t))
}

/// Splits `options key…` at the first space outside quotes that is followed by a key type.
fn split_options(line: &str) -> (Option<&str>, &str) {
    if starts_with_key_type(line) {
        return (None, line);
    }
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            QUOTE => quoted = !quoted,
            ' ' if !quoted && starts_with_key_type(line[i + 1..].trim_start()) => {
                return (Some(&line[..i]), line[i + 1..].trim_start());
            }
            _ => {}
        }
    }
    (None, line)
}

/// Checks one authorized_keys line (options, key, comment).
pub fn parse_line(line: &str) -> Result<AuthorizedKey, KeyError> {
    let (options, rest) = split_options(line.trim());
    if rest.starts_with("ssh-dss") {
        return Err(KeyError::Dsa);
    }
    let key = PublicKey::from_openssh(rest).map_err(|e| KeyError::Garbage(e.to_string()))?;
    check_allowed(&key)?;
    // A comment is shown by ssh-keygen and cat: escape sequences in it would reach a terminal.
    if key.comment().chars().any(char::is_control) {
        return Err(KeyError::Garbage(crate::say!(
            "sshkeys.authorized.comment_controls"
        )));
    }
    if let Some(opts) = options
        && opts.chars().any(char::is_control)
    {
        return Err(KeyError::Garbage(crate::say!(
            "sshkeys.authorized.options_controls"
        )));
    }
    Ok(AuthorizedKey {
        options: options.map(str::to_string),
        key,
    })
}

fn check_allowed(key: &PublicKey) -> Result<(), KeyError> {
    match key.algorithm() {
        Algorithm::Dsa => Err(KeyError::Dsa),
        Algorithm::Rsa { .. } => match rsa_bits(key) {
            Some(bits) if bits >= 2048 => Ok(()),
            Some(bits) => Err(KeyError::RsaTooSmall(bits)),
            None => Err(KeyError::Garbage(crate::say!(
                "sshkeys.authorized.no_modulus"
            ))),
        },
        Algorithm::Ecdsa { .. } => check_curve_point(key),
        Algorithm::Ed25519 | Algorithm::SkEd25519 | Algorithm::SkEcdsaSha2NistP256 => Ok(()),
        other => Err(KeyError::Unsupported(other.as_str().to_string())),
    }
}

/// An ECDSA key's point must lie on its curve: OpenSSH refuses it otherwise.
fn check_curve_point(key: &PublicKey) -> Result<(), KeyError> {
    use ssh_key::public::EcdsaPublicKey;
    let on_curve = match key.key_data().ecdsa() {
        Some(point @ EcdsaPublicKey::NistP256(_)) => {
            p256::ecdsa::VerifyingKey::try_from(point).is_ok()
        }
        Some(point @ EcdsaPublicKey::NistP384(_)) => {
            p384::ecdsa::VerifyingKey::try_from(point).is_ok()
        }
        Some(point @ EcdsaPublicKey::NistP521(_)) => {
            p521::ecdsa::VerifyingKey::try_from(point).is_ok()
        }
        None => false,
    };
    if on_curve {
        Ok(())
    } else {
        Err(KeyError::Garbage(crate::say!(
            "sshkeys.authorized.off_curve"
        )))
    }
}

/// An RFC 4716 block (`---- BEGIN SSH2 PUBLIC KEY ----`) as an OpenSSH line.
fn from_rfc4716(text: &str) -> Result<String, KeyError> {
    let mut body = String::new();
    let mut comment = None;
    let mut lines = text
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("---- BEGIN SSH2 PUBLIC KEY"));
    lines.next();
    let mut continued: Option<String> = None;
    for line in lines {
        if line.starts_with("---- END SSH2 PUBLIC KEY") {
            break;
        }
        if let Some(mut header) = continued.take() {
            header.push_str(line.trim_end_matches('\\'));
            if line.ends_with('\\') {
                continued = Some(header);
            } else if let Some(c) = header.strip_prefix("Comment:") {
                comment = Some(c.trim().trim_matches(QUOTE).to_string());
            }
            continue;
        }
        if line.contains(':') {
            if line.ends_with('\\') {
                continued = Some(line.trim_end_matches('\\').to_string());
            } else if let Some(c) = line.strip_prefix("Comment:") {
                comment = Some(c.trim().trim_matches(QUOTE).to_string());
            }
            continue;
        }
        body.push_str(line);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|e| {
            KeyError::Garbage(crate::say!("sshkeys.authorized.rfc4716_body", reason = e))
        })?;
    let mut key = PublicKey::from_bytes(&bytes).map_err(|e| KeyError::Garbage(e.to_string()))?;
    if let Some(c) = comment {
        key.set_comment(c);
    }
    key.to_openssh()
        .map_err(|e| KeyError::Garbage(e.to_string()))
}

/// What an operator pasted, as one key: joins a key a terminal wrapped over several lines,
/// converts RFC 4716, refuses private keys, DSA, short RSA, several keys and garbage.
pub fn parse_pasted(text: &str) -> Result<AuthorizedKey, KeyError> {
    if text.len() > MAX_KEY_TEXT {
        return Err(KeyError::TooLarge(text.len()));
    }
    if text.contains("PRIVATE KEY") {
        return Err(KeyError::PrivateKey);
    }
    let lines: Vec<&str> = text
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return Err(KeyError::Empty);
    }
    if lines
        .iter()
        .any(|l| l.starts_with("---- BEGIN SSH2 PUBLIC KEY"))
    {
        return parse_line(&from_rfc4716(&lines.join("\n"))?);
    }
    let starts = lines
        .iter()
        .filter(|l| starts_with_key_type(l) || split_options(l).0.is_some())
        .count();
    if starts > 1 {
        return Err(KeyError::Several(starts));
    }
    // A terminal wraps a long line anywhere: at a space or inside the type, the base64 or the
    // comment. The untrimmed pieces tell which: a space at the end of one piece or the start
    // of the next was in the line. Without them (trimmed text), try the pieces joined with
    // spaces and tight; within each, let the base64 be one or several tokens.
    let raw = join_raw(text);
    let spaced = lines.join(" ");
    let tight = lines.concat();
    let mut first_error = None;
    for candidate in [raw.as_str(), spaced.as_str(), tight.as_str()] {
        for line in rejoinings(candidate) {
            match parse_line(&line) {
                Ok(key) => return Ok(key),
                Err(KeyError::Garbage(e)) => {
                    first_error.get_or_insert(KeyError::Garbage(e));
                }
                Err(refused) => return Err(refused),
            }
        }
    }
    Err(first_error.unwrap_or(KeyError::Empty))
}

/// The pieces of a wrapped line joined back: with one space where a piece ended or the next
/// began with white space, tight elsewhere.
fn join_raw(text: &str) -> String {
    let mut joined = String::new();
    for piece in text.split(['\r', '\n']).filter(|p| !p.trim().is_empty()) {
        if !joined.is_empty()
            && (joined.ends_with(char::is_whitespace) || piece.starts_with(char::is_whitespace))
        {
            joined.truncate(joined.trim_end().len());
            joined.push(' ');
        }
        joined.push_str(piece.trim_start());
    }
    joined.trim().to_string()
}

/// `candidate` as is, then with its base64 made of the first 2, 3, … tokens after the type.
fn rejoinings(candidate: &str) -> Vec<String> {
    let (options, rest) = split_options(candidate);
    let prefix = options.map(|o| format!("{o} ")).unwrap_or_default();
    let tokens: Vec<&str> = rest.split_whitespace().collect();
    let mut lines = vec![candidate.to_string()];
    for k in 2..tokens.len() {
        let blob = tokens[1..=k].concat();
        let comment = tokens[k + 1..].join(" ");
        lines.push(
            format!("{prefix}{} {blob} {comment}", tokens[0])
                .trim_end()
                .to_string(),
        );
    }
    lines
}

/// Each key line of a file with its line index; the first bad line refuses the file.
fn indexed(lines: &RawLines) -> Result<Vec<(usize, AuthorizedKey)>, KeyError> {
    lines
        .texts()
        .filter(|(_, t)| lines::is_entry(t))
        .map(|(i, t)| {
            parse_line(&t)
                .map(|k| (i, k))
                .map_err(|e| KeyError::BadFile {
                    line: i + 1,
                    reason: e.to_string(),
                })
        })
        .collect()
}

fn read_lines(path: &Path) -> Result<RawLines, KeyError> {
    RawLines::read(path).map_err(|e| KeyError::Read(e.to_string()))
}

/// The keys of an authorized_keys file, in file order (comments and blank lines skipped).
pub fn read(path: &Path) -> Result<Vec<AuthorizedKey>, KeyError> {
    Ok(indexed(&read_lines(path)?)?
        .into_iter()
        .map(|(_, k)| k)
        .collect())
}

fn write(path: &Path, lines: &RawLines) -> Result<(), KeyError> {
    if let Some(dir) = path.parent() {
        fsutil::create_dir(dir, fsutil::PRIVATE_DIR).map_err(|e| KeyError::Write(e.to_string()))?;
    }
    fsutil::atomic_write(path, &lines.bytes(), fsutil::PRIVATE_FILE)
        .map_err(|e| KeyError::Write(e.to_string()))
}

/// Adds a key at the end; the same key (whatever its options or comment) is reported and not
/// added. Every line already there stays byte for byte.
pub fn add(path: &Path, key: AuthorizedKey) -> Result<Vec<AuthorizedKey>, KeyError> {
    let mut lines = read_lines(path)?;
    let mut keys: Vec<AuthorizedKey> = indexed(&lines)?.into_iter().map(|(_, k)| k).collect();
    if let Some(i) = keys
        .iter()
        .position(|k| k.key.key_data() == key.key.key_data())
    {
        return Err(KeyError::Duplicate {
            line: i + 1,
            fingerprint: key.fingerprint(),
        });
    }
    lines.push(&key.line()?);
    write(path, &lines)?;
    keys.push(key);
    Ok(keys)
}

/// Removes the key on `line` (1-based, as listed); returns it. Every other line (comments,
/// blank lines, other keys) stays byte for byte.
pub fn remove(path: &Path, line: usize) -> Result<AuthorizedKey, KeyError> {
    let mut lines = read_lines(path)?;
    let mut keys = indexed(&lines)?;
    if line == 0 || line > keys.len() {
        return Err(KeyError::NoSuchLine(line));
    }
    let (index, removed) = keys.remove(line - 1);
    lines.remove(index);
    write(path, &lines)?;
    Ok(removed)
}
