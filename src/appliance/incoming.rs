//! Reading what a peer dropped in `transfer/incoming`: plain files only, by plain name, no
//! symlinks, bounded size. Anything else is refused before a byte is read.

use std::fs::OpenOptions;
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;

use super::{Appliance, Layout};
use crate::pki::csr::MAX_PEM_BYTES;
use crate::text::escape;

/// Why a file of /incoming was not read, in the thread's voice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncomingError {
    #[error("{}", crate::say!("appliance.incoming.bad_name", name = escape(.0)))]
    BadName(String),
    #[error("{}", crate::say!("appliance.incoming.missing", name = escape(.0)))]
    Missing(String),
    #[error("{}", crate::say!("appliance.incoming.symlink", name = escape(.0)))]
    Symlink(String),
    #[error("{}", crate::say!("appliance.incoming.not_file", name = escape(.0)))]
    NotFile(String),
    #[error(
        "{}",
        crate::say!(
            "appliance.incoming.too_large",
            name = escape(.name),
            size = .size,
            limit = MAX_PEM_BYTES
        )
    )]
    TooLarge { name: String, size: u64 },
    #[error(
        "{}",
        crate::say!("appliance.incoming.io", name = escape(.name), reason = .reason)
    )]
    Io { name: String, reason: String },
}

fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains('/')
        && !name.contains('\0')
        && name != ".."
}

/// What /incoming offers for one step.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Listing {
    /// Regular files with a plain name ending with the suffix, sorted.
    pub names: Vec<String>,
    /// Regular files ending with the suffix whose names are not UTF-8: not offered.
    pub not_utf8: usize,
}

/// Regular files in /incoming whose name ends with `suffix`, sorted, and how many such
/// files are not offered because their names are not UTF-8.
pub fn list(app: &Appliance, suffix: &str) -> io::Result<Listing> {
    use std::os::unix::ffi::OsStrExt;
    let mut listing = Listing::default();
    for entry in std::fs::read_dir(app.path(Layout::INCOMING))? {
        let entry = entry?;
        let raw = entry.file_name();
        if !raw.as_bytes().ends_with(suffix.as_bytes()) || !entry.file_type()?.is_file() {
            continue;
        }
        match raw.into_string() {
            Ok(name) if plain_name(&name) => listing.names.push(name),
            Ok(_) => {}
            Err(_) => listing.not_utf8 += 1,
        }
    }
    listing.names.sort();
    Ok(listing)
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
    // O_NOFOLLOW: a symlink swapped in after the check is still refused; O_NONBLOCK and the
    // check of what was opened: a FIFO or device swapped in is refused, not waited on.
    let mut file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(&path)
        .map_err(io_err)?;
    if !file.metadata().map_err(io_err)?.is_file() {
        return Err(IncomingError::NotFile(name.to_string()));
    }
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
    Ok(crate::pemtext::normalize(&text))
}
