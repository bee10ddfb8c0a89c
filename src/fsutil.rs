//! Atomic, permission-aware file writes: every change to the appliance goes through here.

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

mod bounded;
mod journal;
mod reverse;
mod rotate;

pub use bounded::{
    LIMIT_CONFIG, LIMIT_KEYS, LIMIT_LOG, LIMIT_PEM, open_record_file, read_bytes, read_bytes_opt,
    read_tail_opt, read_text, read_text_opt,
};
pub use journal::{complete_sets, recover_sets};
pub use reverse::{LINE_CAP, RevLine, ReverseLines, SCAN_CAP, forward_lines, reverse_lines};
pub use rotate::{rotate, rotated, with_rotated};

/// Mode of private keys and other secrets.
pub const PRIVATE_FILE: u32 = 0o600;
/// Mode of public files (certificates, public keys, settings).
pub const PUBLIC_FILE: u32 = 0o644;
/// Mode of directories holding secrets.
pub const PRIVATE_DIR: u32 = 0o700;
/// Mode of directories anyone on the appliance may read.
pub const PUBLIC_DIR: u32 = 0o755;

/// The directory a file lives in ("." for a bare name).
pub fn dir_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// An OS error without the temporary file's name, which means nothing to the operator.
pub(crate) fn plain(e: io::Error) -> io::Error {
    // tempfile wraps the OS error with the temporary path: find the OS error inside.
    let mut code = e.raw_os_error();
    let mut inner: Option<&(dyn std::error::Error + 'static)> = e.get_ref().map(|r| r as _);
    while code.is_none() {
        let Some(err) = inner else { break };
        code = err
            .downcast_ref::<io::Error>()
            .and_then(io::Error::raw_os_error);
        inner = err.source();
    }
    match code {
        Some(code) => io::Error::from_raw_os_error(code),
        // tempfile says "<error> at path <temporary file>": keep the error.
        None => {
            let text = e.to_string();
            let cause = text.split(" at path ").next().unwrap_or(&text).to_string();
            io::Error::new(e.kind(), cause)
        }
    }
}

/// A complete, synced temporary copy of `bytes` beside `path`, not yet in place.
pub(crate) fn stage(path: &Path, bytes: &[u8], mode: u32) -> io::Result<tempfile::NamedTempFile> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".tanos-")
        .suffix(".tmp")
        .permissions(Permissions::from_mode(mode))
        .tempfile_in(dir_of(path))
        .map_err(plain)?;
    tmp.write_all(bytes).map_err(plain)?;
    // The umask may have narrowed the mode given at creation: set it explicitly.
    tmp.as_file()
        .set_permissions(Permissions::from_mode(mode))
        .map_err(plain)?;
    tmp.as_file().sync_all().map_err(plain)?;
    Ok(tmp)
}

/// Writes `bytes` to `path` so that readers see either the old file or the new one, never a
/// partial one: a temporary file in the same directory, fsync, rename, fsync of the directory.
pub fn atomic_write(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    atomic_write_all(&[(path, bytes, mode)])
}

/// Writes files that belong together (a key and its CSR, a key pair, a key and its
/// certificate) so that they change as one, even across a kill or a power cut:
///
/// 1. every file is written and synced aside (a full disk or any write error leaves all of
///    them as they were);
/// 2. a journal naming the staged files and their places is written into every directory
///    concerned, the first file's directory last: that journal is the commit point;
/// 3. the staged files are renamed into place, then the journals are removed.
///
/// A write killed before step 2 ends leaves the old set (the next start removes the staged
/// files); a write killed after it leaves a journal, and the next start
/// ([`recover_sets`]) renames the rest into place: old set or new set, never a mix.
pub fn atomic_write_all(files: &[(&Path, &[u8], u32)]) -> io::Result<()> {
    let staged = files
        .iter()
        .map(|(path, bytes, mode)| stage(path, bytes, *mode))
        .collect::<io::Result<Vec<_>>>()?;
    if let [single] = files {
        let tmp = staged.into_iter().next().expect("one staged file");
        tmp.persist(single.0).map_err(|e| plain(e.error))?;
        return sync_dir(dir_of(single.0));
    }
    let mut dirs: Vec<&Path> = files.iter().map(|(path, _, _)| dir_of(path)).collect();
    dirs.dedup();
    for dir in &dirs {
        sync_dir(dir)?;
    }
    let set = journal::Set::new(files.iter().map(|(p, _, _)| *p), &staged)?;
    // From here on the staged files belong to the set: they are not removed on drop.
    let kept: Vec<std::path::PathBuf> = staged
        .into_iter()
        .map(|tmp| tmp.into_temp_path().keep().map_err(|e| plain(e.error)))
        .collect::<io::Result<_>>()?;
    if let Err(e) = set.commit() {
        for path in kept {
            let _ = fs::remove_file(path);
        }
        return Err(e);
    }
    set.apply()
}

/// Appends one line to `path` (created with `mode` when missing) and syncs it. Only to a
/// regular file: a symbolic link, a device or a FIFO in its place is refused, not written.
/// A last line left without its end (a write cut short, an edit by hand) is ended first, so
/// it never swallows the line appended after it.
pub fn append_line(path: &Path, line: &str, mode: u32) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => io::Error::new(
                io::ErrorKind::InvalidInput,
                crate::say!("fsutil.is_symlink"),
            ),
            _ => e,
        })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            crate::say!("fsutil.not_regular"),
        ));
    }
    let mut buf = Vec::with_capacity(line.len() + 2);
    let mut last = [0u8; 1];
    if meta.len() > 0 {
        std::os::unix::fs::FileExt::read_exact_at(&file, &mut last, meta.len() - 1)?;
        if last[0] != b'\n' {
            buf.push(b'\n');
        }
    }
    buf.extend_from_slice(line.as_bytes());
    buf.push(b'\n');
    if let Err(e) = file.write_all(&buf) {
        // A short write (a full disk) would leave a cut line: the file goes back to its
        // length before the append.
        let _ = file.set_len(meta.len());
        return Err(e);
    }
    file.sync_data()
}

/// Creates `path` (and missing parents) and gives it exactly `mode`.
pub fn create_dir(path: &Path, mode: u32) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(mode).create(path)?;
    fs::set_permissions(path, Permissions::from_mode(mode))
}

/// Flushes a directory entry change (rename, create) to disk.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The permission bits of `path`, for checks and status screens.
pub fn mode_of(path: &Path) -> io::Result<u32> {
    Ok(fs::metadata(path)?.permissions().mode() & 0o7777)
}

/// Creates missing directories above an appliance root with the usual public mode,
/// leaving existing ones as they are.
pub fn create_dir_all_public(path: &Path) -> io::Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    DirBuilder::new()
        .recursive(true)
        .mode(PUBLIC_DIR)
        .create(path)
}

/// The time stamp in a backup's name (`path.<stamp>.bak`): `now` as `YYYYMMDD-HHMMSS`.
pub fn stamp(now: time::OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// Keeps a copy of `path` as `path.<stamp>.bak` (same mode) before it is replaced; returns
/// the copy, or `None` when there was nothing to keep.
pub fn backup(path: &Path, now: time::OffsetDateTime) -> io::Result<Option<std::path::PathBuf>> {
    let Some(bytes) = read_bytes_opt(path, LIMIT_KEYS)? else {
        return Ok(None);
    };
    let mode = mode_of(path).unwrap_or(PRIVATE_FILE);
    let stamp = stamp(now);
    let name = |suffix: String| {
        let mut os = path.as_os_str().to_owned();
        os.push(format!(".{stamp}{suffix}.bak"));
        std::path::PathBuf::from(os)
    };
    // Two replacements within one second must not overwrite the first backup (a lost key),
    // nor take a name pruned before (it would sort as the oldest): the next number after
    // the highest of this second.
    let mut copy = name(String::new());
    if fs::symlink_metadata(&copy).is_ok() || latest_of_second(path, &stamp).is_some() {
        let mut n = latest_of_second(path, &stamp).unwrap_or(0) + 1;
        copy = name(format!("-{n}"));
        while fs::symlink_metadata(&copy).is_ok() {
            n += 1;
            copy = name(format!("-{n}"));
        }
    }
    atomic_write(&copy, &bytes, mode)?;
    prune_backups(path, KEPT_BACKUPS)?;
    Ok(Some(copy))
}

/// How many backups of one file are kept: the newest ones.
pub const KEPT_BACKUPS: usize = 5;

/// Removes the oldest `path.<stamp>.bak` files beyond `keep`. The stamps sort by time.
fn prune_backups(path: &Path, keep: usize) -> io::Result<()> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Ok(());
    };
    let prefix = format!("{name}.");
    let mut backups: Vec<std::path::PathBuf> = fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| {
            // "id_ed25519.<stamp>.bak", not "id_ed25519.pub.<stamp>.bak": a digit follows.
            e.file_name().to_str().is_some_and(|n| {
                n.strip_prefix(&prefix)
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
                    && n.ends_with(".bak")
            })
        })
        .map(|e| e.path())
        .collect();
    // By stamp, then by the number a second backup within the same second carries
    // ("<stamp>.bak" first, then "<stamp>-1.bak", … "<stamp>-10.bak"): not by name.
    backups.sort_by_cached_key(|p| backup_order(p, &prefix));
    let excess = backups.len().saturating_sub(keep);
    for old in &backups[..excess] {
        fs::remove_file(old)?;
    }
    Ok(())
}

/// The highest number of the backups of `path` made in the second `stamp` (0 for the one
/// without a number), if any.
fn latest_of_second(path: &Path, stamp: &str) -> Option<u64> {
    let (dir, name) = (path.parent()?, path.file_name()?.to_str()?);
    let prefix = format!("{name}.");
    fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with(&format!("{prefix}{stamp}")) && n.ends_with(".bak"))
        .map(|n| backup_order(Path::new(&n), &prefix))
        .filter(|(s, _)| s == stamp)
        .map(|(_, n)| n)
        .max()
}

/// The order of a backup named `<prefix><yyyymmdd>-<hhmmss>[-<n>].bak`: its stamp, then n.
fn backup_order(path: &Path, prefix: &str) -> (String, u64) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let rest = name
        .strip_prefix(prefix)
        .and_then(|r| r.strip_suffix(".bak"))
        .unwrap_or(name);
    let mut parts = rest.splitn(3, '-');
    let stamp = format!(
        "{}-{}",
        parts.next().unwrap_or(""),
        parts.next().unwrap_or("")
    );
    let n = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    (stamp, n)
}

/// Removes temporary files (`.tanos-*.tmp`) left by a write that was killed half-way, in the
/// directories the appliance writes to. Call with the appliance lock held.
pub fn remove_stale_temps(dirs: &[std::path::PathBuf]) -> usize {
    let mut removed = 0;
    for dir in dirs {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let is_temp = entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(".tanos-") && n.ends_with(".tmp"));
            if is_temp
                && entry.file_type().is_ok_and(|t| t.is_file())
                && fs::remove_file(entry.path()).is_ok()
            {
                removed += 1;
            }
        }
    }
    removed
}
