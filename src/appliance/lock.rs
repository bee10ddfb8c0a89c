//! One change at a time per appliance: every read-modify-write of its files holds this lock,
//! so two consoles (or a console and a script) never lose each other's changes.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use super::Appliance;

/// The lock file, beside appliance.toml.
pub const LOCK_FILE: &str = ".tanos.lock";
/// How long a change waits for another one to finish before giving up.
pub const WAIT: Duration = Duration::from_secs(3);

/// Why the appliance could not be locked, in the thread's voice.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{}", crate::say!("appliance.lock.busy"))]
    Busy,
    #[error("{}", crate::say!("appliance.lock.io", error = .0))]
    Io(io::Error),
}

/// Held while a change is made; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct Lock {
    _file: File,
    /// The appliance it is held on: what is done under it (an audit line, a rotation)
    /// happens on this appliance and no other.
    app: Appliance,
}

impl Lock {
    pub fn appliance(&self) -> &Appliance {
        &self.app
    }
}

pub fn acquire(app: &Appliance) -> Result<Lock, LockError> {
    acquire_within(app, WAIT)
}

pub fn acquire_within(app: &Appliance, wait: Duration) -> Result<Lock, LockError> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(app.path(LOCK_FILE))
        .map_err(LockError::Io)?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => {
                return Ok(Lock {
                    _file: file,
                    app: app.clone(),
                });
            }
            Err(TryLockError::WouldBlock) if start.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(TryLockError::WouldBlock) => return Err(LockError::Busy),
            Err(TryLockError::Error(e)) => return Err(LockError::Io(e)),
        }
    }
}

/// Clears what writes killed half-way left behind: sets of files that belong together (a
/// key and its CSR) are completed or undone first, then the staged copies of single-file
/// writes are removed (never read as real files, but a killed private-key write leaves a
/// copy of the key). Skipped when another change is running.
pub fn tidy(app: &Appliance) -> usize {
    let Ok(_lock) = acquire_within(app, Duration::from_millis(200)) else {
        return 0;
    };
    let mut dirs: Vec<std::path::PathBuf> = [
        "",
        super::Layout::TANIUM_DIR,
        super::Layout::ZONE_DIR,
        super::Layout::INCOMING,
        super::Layout::OUTGOING,
        super::Layout::ETC_SSH,
        "log",
        // Root keys are written in sets with the files above: a set's primary journal
        // may sit here, and a set is recovered only when all its directories are.
        super::Layout::ROOTS_DIR,
        super::Layout::ZS_ROOTS_DIR,
    ]
    .iter()
    .map(|d| app.path(d))
    .collect();
    dirs.extend(super::Layout::USERS.iter().map(|u| app.ssh_dir(u)));
    // What peers can write (/incoming) never tells this process what to rename.
    let incoming = app.path(super::Layout::INCOMING);
    let own: Vec<std::path::PathBuf> = dirs.iter().filter(|d| **d != incoming).cloned().collect();
    crate::fsutil::recover_sets(&own);
    crate::fsutil::remove_stale_temps(&dirs)
}
