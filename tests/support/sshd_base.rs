//! A base directory for appliance roots that OpenSSH's sshd will serve. sshd's StrictModes
//! and ChrootDirectory refuse a path with a directory above it that is writable by group or
//! others (like /tmp), so where the checkout lives decides whether target/ can be used.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The account the tests' peers log in as (`tanos-menu sshd --user`): unprivileged, present
/// on every Debian machine, and never the user running the tests (root). The product's
/// default, tancopy, is an account an operator creates; the tests create none.
pub const PEER: &str = "nobody";

fn euid() -> u32 {
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(u32::MAX)
}

/// Every directory from `/` to `dir` owned by root or us and not group/other-writable.
fn safe(dir: &Path) -> bool {
    let me = euid();
    dir.ancestors().all(|d| {
        std::fs::metadata(d).is_ok_and(|m| (m.uid() == 0 || m.uid() == me) && m.mode() & 0o022 == 0)
    })
}

fn make(dir: &Path) -> bool {
    std::fs::create_dir_all(dir).is_ok()
        && std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).is_ok()
        && safe(dir)
}

/// `target/tmp/<suite>` when the checkout allows it; else `/run/tanos-menu-tests/<suite>`
/// (root), else `~/.cache/tanos-menu-tests/<suite>`.
pub fn sshd_base(suite: &str) -> PathBuf {
    crate::support::tools::need("/usr/sbin/sshd");
    crate::support::tools::need("sftp");
    let mut candidates = vec![Path::new(env!("CARGO_TARGET_TMPDIR")).join(suite)];
    if euid() == 0 {
        candidates.push(Path::new("/run/tanos-menu-tests").join(suite));
    }
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cache/tanos-menu-tests").join(suite));
    }
    for dir in &candidates {
        if make(dir) {
            return dir.clone();
        }
    }
    panic!(
        "no directory sshd accepts for test appliances: tried {candidates:?}; every directory above one must be owned by root (or this user) and not writable by group or others"
    )
}
