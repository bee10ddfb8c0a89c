//! Reading what a peer dropped in `transfer/incoming`: plain files only, by plain name, no
//! symlinks, bounded size. Anything else is refused before a byte is read.

use std::fs::OpenOptions;
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;

use super::{Appliance, Layout};
use crate::pki::csr::MAX_PEM_BYTES;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncomingError {
    #[error("'{0}' is not a plain file name in /incoming")]
    BadName(String),
    #[error("/incoming/{0} does not exist")]
    Missing(String),
    #[error("/incoming/{0} is a symbolic link; only plain files are read")]
    Symlink(String),
    #[error("/incoming/{0} is not a regular file")]
    NotFile(String),
    #[error("/incoming/{name} is {size} bytes; the limit is {MAX_PEM_BYTES}")]
    TooLarge { name: String, size: u64 },
    #[error("cannot read /incoming/{name}: {reason}")]
    Io { name: String, reason: String },
}

fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains('/')
        && !name.contains('\0')
        && name != ".."
}

/// Regular files in /incoming whose name ends with `suffix`, sorted.
pub fn list(app: &Appliance, suffix: &str) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(app.path(Layout::INCOMING))? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if plain_name(&name) && name.ends_with(suffix) && entry.file_type()?.is_file() {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// The text of /incoming/`name`, refused unless it is a small regular file.
pub fn read(app: &Appliance, name: &str) -> Result<String, IncomingError> {
    if !plain_name(name) {
        return Err(IncomingError::BadName(name.to_string()));
    }
    let path = app.path(Layout::INCOMING).join(name);
    let io_err = |e: io::Error| IncomingError::Io {
        name: name.to_string(),
        reason: e.to_string(),
    };
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(IncomingError::Missing(name.to_string()));
        }
        Err(e) => return Err(io_err(e)),
    };
    if meta.file_type().is_symlink() {
        return Err(IncomingError::Symlink(name.to_string()));
    }
    if !meta.is_file() {
        return Err(IncomingError::NotFile(name.to_string()));
    }
    if meta.len() > MAX_PEM_BYTES as u64 {
        return Err(IncomingError::TooLarge {
            name: name.to_string(),
            size: meta.len(),
        });
    }
    // O_NOFOLLOW: a symlink swapped in after the check is still refused.
    let mut file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .map_err(io_err)?;
    let mut text = String::new();
    file.by_ref()
        .take(MAX_PEM_BYTES as u64 + 1)
        .read_to_string(&mut text)
        .map_err(io_err)?;
    if text.len() > MAX_PEM_BYTES {
        return Err(IncomingError::TooLarge {
            name: name.to_string(),
            size: text.len() as u64,
        });
    }
    // Files made on other systems may end lines with CR or CRLF: read them as a paste.
    Ok(crate::paste::normalize(&text))
}
