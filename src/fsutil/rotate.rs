//! Rotation of a record file that only grows (`log/audit.jsonl`) by renames only: a rotation
//! killed at any moment loses no line and duplicates none, and a writer that opened the file
//! before a rename keeps appending to the same file under its new name. Call it with the
//! lock that its writers hold.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

/// The `n`-th older copy of `path`: `path.n`, 1 being the newest.
pub fn rotated(path: &Path, n: usize) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

/// `path` then its `keep` older copies, newest first: the order a reader goes through.
pub fn with_rotated(path: &Path, keep: usize) -> Vec<PathBuf> {
    std::iter::once(path.to_path_buf())
        .chain((1..=keep).map(|n| rotated(path, n)))
        .collect()
}

/// Moves `path` to `path.1`, `path.1` to `path.2`, … keeping `keep` older copies (the oldest
/// one is replaced), the oldest first so that each rename frees the next name. A copy that
/// is missing (a rotation killed half-way leaves a gap) is skipped, and the order stays.
pub fn rotate(path: &Path, keep: usize) -> io::Result<()> {
    let names = with_rotated(path, keep.max(1));
    for pair in names.windows(2).rev() {
        match std::fs::rename(&pair[0], &pair[1]) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    super::sync_dir(super::dir_of(path))
}
