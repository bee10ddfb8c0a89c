//! The one way the product reads a file: a regular file only, never more than a cap per kind
//! of file. A device (`/dev/zero`), a FIFO or a directory is refused before a byte is read,
//! and opening never waits (O_NONBLOCK: a FIFO without a writer does not hang the console).

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// PEM keys, CSRs, certificates, OpenSSH public keys.
pub const LIMIT_PEM: u64 = 64 * 1024;
/// appliance.toml, settings.toml, a set journal.
pub const LIMIT_CONFIG: u64 = 1024 * 1024;
/// authorized_keys and known_hosts.
pub const LIMIT_KEYS: u64 = 4 * 1024 * 1024;
/// Append-only records: issued.jsonl.
pub const LIMIT_LOG: u64 = 64 * 1024 * 1024;

/// Why `meta` is not a regular file, as one sentence per kind.
fn not_regular(meta: &Metadata) -> String {
    let t = meta.file_type();
    if t.is_dir() {
        crate::say!("fsutil.is_directory")
    } else if t.is_char_device() {
        crate::say!("fsutil.is_char_device")
    } else if t.is_block_device() {
        crate::say!("fsutil.is_block_device")
    } else if t.is_fifo() {
        crate::say!("fsutil.is_fifo")
    } else if t.is_socket() {
        crate::say!("fsutil.is_socket")
    } else {
        crate::say!("fsutil.is_other")
    }
}

fn too_large(size: u64, limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        crate::say!("fsutil.too_large", size = size, limit = limit),
    )
}

/// Opens `path` for reading and checks it is a regular file no larger than `limit`.
fn open_checked(path: &Path, limit: u64) -> io::Result<(File, u64)> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    // The opened file is what is checked: no swap between a check and the read.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            not_regular(&meta),
        ));
    }
    if meta.len() > limit {
        return Err(too_large(meta.len(), limit));
    }
    Ok((file, meta.len()))
}

/// The bytes of the regular file `path`, at most `limit` of them.
pub fn read_bytes(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let (file, len) = open_checked(path, limit)?;
    let mut bytes = Vec::with_capacity(len as usize);
    // The file may grow after the check: never read past the cap.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// The UTF-8 text of the regular file `path`, at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read_bytes(path, limit)?).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            crate::say!("fsutil.not_utf8", byte = e.utf8_error().valid_up_to()),
        )
    })
}

fn optional<T>(result: io::Result<T>) -> io::Result<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// `read_bytes`, with `None` for a missing file.
pub fn read_bytes_opt(path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    optional(read_bytes(path, limit))
}

/// `read_text`, with `None` for a missing file.
pub fn read_text_opt(path: &Path, limit: u64) -> io::Result<Option<String>> {
    optional(read_text(path, limit))
}

/// The last `limit` bytes of the regular file `path` (all of it when smaller), starting at a
/// line: for logs that only grow, where the newest lines are the ones shown. `None` when the
/// file is missing.
/// `path` opened for reading, whatever its size, with its length; `None` when missing.
pub(super) fn open_optional(path: &Path) -> io::Result<Option<(File, u64)>> {
    optional(open_checked(path, u64::MAX))
}

/// A record file (a ledger, a log) opened to be read a line at a time, whatever its size:
/// a regular file only; `None` when missing.
pub fn open_record_file(path: &Path) -> io::Result<Option<File>> {
    Ok(open_optional(path)?.map(|(file, _)| file))
}

pub fn read_tail_opt(path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    use std::io::{Seek, SeekFrom};
    let opened = optional(open_checked(path, u64::MAX))?;
    let Some((mut file, len)) = opened else {
        return Ok(None);
    };
    let start = len.saturating_sub(limit);
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes)?;
    if start > 0 {
        // The first line is cut: it starts before what was read.
        let cut = bytes
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| i + 1);
        bytes.drain(..cut);
    }
    Ok(Some(bytes))
}
