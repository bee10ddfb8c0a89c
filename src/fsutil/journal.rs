//! Sets of files that change as one: the journal `atomic_write_all` commits before it renames
//! anything, and the recovery that completes or undoes a set at the next start.
//!
//! A journal `.tanos-set-<id>.journal` names each staged file and its place. It is written
//! into every directory the set touches, the first file's directory (the primary) last: a
//! set is committed once its primary journal exists. At the next start a committed set is
//! rolled forward (the staged files still aside are renamed into place); a set whose
//! primary journal is missing was never committed and is rolled back (its staged files are
//! removed, the old files were never touched).

use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{LIMIT_CONFIG, PRIVATE_FILE, dir_of, read_text, sync_dir};

const PREFIX: &str = ".tanos-set-";
const SUFFIX: &str = ".journal";
const HEADER: &str = "tanos-set 1";

/// One set being written or recovered.
#[derive(Debug)]
pub(super) struct Set {
    /// Where its journal lives, the primary last.
    journals: Vec<PathBuf>,
    /// (staged file, its place).
    files: Vec<(PathBuf, PathBuf)>,
}

fn absolute(path: &Path) -> io::Result<PathBuf> {
    std::path::absolute(path)
}

fn hex(path: &Path) -> String {
    path.as_os_str()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unhex(text: &str) -> Option<PathBuf> {
    if !text.len().is_multiple_of(2) || text.is_empty() {
        return None;
    }
    let bytes = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some(PathBuf::from(OsString::from_vec(bytes)))
}

fn new_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{:x}-{nanos:x}-{n:x}", std::process::id())
}

impl Set {
    /// The set of `targets`, staged as `staged` (same order).
    pub(super) fn new<'a>(
        targets: impl Iterator<Item = &'a Path>,
        staged: &[tempfile::NamedTempFile],
    ) -> io::Result<Set> {
        let files = targets
            .zip(staged)
            .map(|(target, tmp)| Ok((absolute(tmp.path())?, absolute(target)?)))
            .collect::<io::Result<Vec<_>>>()?;
        let name = format!("{PREFIX}{}{SUFFIX}", new_id());
        let mut dirs: Vec<PathBuf> = Vec::new();
        for (_, target) in files.iter().rev() {
            let dir = dir_of(target).to_path_buf();
            dirs.retain(|d| *d != dir);
            dirs.push(dir);
        }
        let journals = dirs.into_iter().map(|d| d.join(&name)).collect();
        Ok(Set { journals, files })
    }

    fn text(&self) -> String {
        let mut text = format!("{HEADER}\n");
        for journal in &self.journals {
            text.push_str(&format!("journal {}\n", hex(journal)));
        }
        for (staged, target) in &self.files {
            text.push_str(&format!("file {} {}\n", hex(staged), hex(target)));
        }
        text
    }

    fn parse(text: &str) -> Option<Set> {
        let mut lines = text.lines();
        if lines.next()? != HEADER {
            return None;
        }
        let (mut journals, mut files) = (Vec::new(), Vec::new());
        for line in lines {
            let mut words = line.split(' ');
            match (words.next()?, words.next(), words.next(), words.next()) {
                ("journal", Some(path), None, None) => journals.push(unhex(path)?),
                ("file", Some(staged), Some(target), None) => {
                    files.push((unhex(staged)?, unhex(target)?))
                }
                _ => return None,
            }
        }
        let set = Set { journals, files };
        set.is_ours().then_some(set)
    }

    /// Only what this module writes is acted on: staged files are `.tanos-*.tmp` beside
    /// their place, journals sit in the directories of the set's files.
    fn is_ours(&self) -> bool {
        let staged_ok = self.files.iter().all(|(staged, target)| {
            staged
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| {
                    n.starts_with(".tanos-") && n.ends_with(".tmp") && !n.contains('/')
                })
                && staged.parent() == target.parent()
                && staged.is_absolute()
        });
        let journals_ok = self.journals.iter().all(|j| {
            self.files
                .iter()
                .any(|(_, target)| target.parent() == j.parent())
        });
        staged_ok && journals_ok && !self.files.is_empty() && !self.journals.is_empty()
    }

    fn primary(&self) -> &Path {
        self.journals.last().expect("a set has a journal")
    }

    /// Writes the journals, the primary last: once it is on disk the set is committed.
    pub(super) fn commit(&self) -> io::Result<()> {
        let text = self.text();
        for journal in &self.journals {
            super::atomic_write(journal, text.as_bytes(), PRIVATE_FILE)?;
        }
        Ok(())
    }

    fn dirs(&self) -> Vec<&Path> {
        let mut dirs: Vec<&Path> = Vec::new();
        for (_, target) in &self.files {
            let dir = dir_of(target);
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        dirs
    }

    /// Renames what is still staged into place, then removes the journals (the primary last).
    pub(super) fn apply(&self) -> io::Result<()> {
        for (staged, target) in &self.files {
            if fs::symlink_metadata(staged).is_ok() && !written_here(staged) {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    crate::say!("fsutil.staged_elsewhere"),
                ));
            }
            match fs::rename(staged, target) {
                Ok(()) => {}
                // Already renamed by the write that was interrupted.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        for dir in self.dirs() {
            sync_dir(dir)?;
        }
        self.remove_journals()
    }

    fn remove_journals(&self) -> io::Result<()> {
        for journal in &self.journals {
            match fs::remove_file(journal) {
                Ok(()) => sync_dir(dir_of(journal))?,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// A set that was never committed: its staged files go, its places were never touched.
    fn roll_back(&self) -> io::Result<()> {
        for (staged, _) in &self.files {
            match fs::remove_file(staged) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        self.remove_journals()
    }
}

/// Whether `path` is a regular file owned by the account this process runs as: what this
/// module writes. A file another account dropped (in a shared directory such as /tmp) is
/// never renamed into place nor taken for a journal.
fn written_here(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file() && m.uid() == euid)
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::symlink_metadata(a), fs::symlink_metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Which of `dirs` is the directory `parent` names (by identity, followed as it is now).
fn dir_among<'a>(parent: Option<&Path>, dirs: &'a [PathBuf]) -> Option<&'a PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(parent?).ok()?;
    dirs.iter().find(|d| {
        fs::metadata(d).is_ok_and(|m| m.is_dir() && m.dev() == meta.dev() && m.ino() == meta.ino())
    })
}

/// `path` moved into the one of `dirs` its directory is, keeping its file name: a set acts
/// only inside the directories being recovered, through their own paths (never through a
/// link the journal names), or not at all.
fn confine(path: &Path, dirs: &[PathBuf]) -> Option<PathBuf> {
    let name = path.file_name()?;
    Some(dir_among(path.parent(), dirs)?.join(name))
}

impl Set {
    /// This set with every journal, staged file and place inside `dirs`, its journals all
    /// named as the one read (`name`); `None` when it names anything else.
    fn confined(&self, dirs: &[PathBuf], name: &std::ffi::OsStr) -> Option<Set> {
        let journals = self
            .journals
            .iter()
            .map(|j| (j.file_name() == Some(name)).then(|| confine(j, dirs))?)
            .collect::<Option<Vec<_>>>()?;
        let files = self
            .files
            .iter()
            .map(|(staged, target)| Some((confine(staged, dirs)?, confine(target, dirs)?)))
            .collect::<Option<Vec<_>>>()?;
        Some(Set { journals, files })
    }
}

fn journals_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
                && e.file_type().is_ok_and(|t| t.is_file())
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Completes (or undoes) every set of files a killed write left half-renamed in `dirs`.
/// Run it before stale temporary files are removed, with the appliance lock held.
/// Returns how many sets were found.
pub fn recover_sets(dirs: &[PathBuf]) -> usize {
    recover(dirs, true)
}

/// Completes the committed sets in `dirs`, leaving uncommitted ones alone: safe without the
/// appliance lock (a set being committed right now is not undone under its writer).
pub fn complete_sets(dirs: &[PathBuf]) -> usize {
    recover(dirs, false)
}

fn recover(dirs: &[PathBuf], undo: bool) -> usize {
    let mut found = 0;
    for dir in dirs {
        for journal in journals_in(dir) {
            if !written_here(&journal) {
                continue;
            }
            let Ok(text) = read_text(&journal, LIMIT_CONFIG) else {
                continue;
            };
            let Some(set) = Set::parse(&text) else {
                continue;
            };
            // A journal naming a file outside the directories recovered (`/etc/passwd` as
            // a journal to remove, a place elsewhere) is not acted on at all.
            let Some(set) = journal.file_name().and_then(|n| set.confined(dirs, n)) else {
                continue;
            };
            // The journal must name itself (by identity: the root may be reached through
            // another path than at write time); one copied from elsewhere is not acted on.
            if !set.journals.iter().any(|j| same_file(j, &journal)) {
                continue;
            }
            found += 1;
            // A set that cannot be completed now stays journaled for the next start.
            let _ = if set.primary().exists() {
                set.apply()
            } else if undo {
                set.roll_back()
            } else {
                Ok(())
            };
        }
    }
    found
}
