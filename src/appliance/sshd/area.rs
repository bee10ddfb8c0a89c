//! The transfer area as sshd's chroot demands and the peer must find it: checked first,
//! then given its owners and modes.

use std::fs::{OpenOptions, Permissions};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use super::{INCOMING_MODE, PeerAccount, READ_ONLY_DIR, SshdError, io_err, shown};
use crate::appliance::Layout;

/// Whether every directory from `/` to `dir` is root-owned and not writable by group or
/// others: what sshd demands of a ChrootDirectory.
pub fn chroot_safe(dir: &Path) -> bool {
    unconfinable(dir).is_none()
}

/// The first directory from `dir` up to `/` that sshd would refuse above a chroot.
fn unconfinable(dir: &Path) -> Option<SshdError> {
    dir.ancestors().find_map(|d| {
        let why = match std::fs::metadata(d) {
            Ok(meta) if meta.uid() != 0 => {
                crate::say!("appliance.sshd.owned_by_uid", uid = meta.uid())
            }
            Ok(meta) if meta.mode() & 0o022 != 0 => crate::say!(
                "appliance.sshd.group_writable",
                mode = format!("{:04o}", meta.mode() & 0o7777)
            ),
            Ok(_) => return None,
            Err(e) => crate::say!("appliance.sshd.unreadable", error = e),
        };
        Some(SshdError::Unconfinable {
            path: shown(d),
            why,
        })
    })
}

fn real_dir(path: &Path) -> Result<std::fs::Metadata, SshdError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_dir() => Ok(meta),
        Ok(_) => Err(SshdError::NotADirectory(shown(path))),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// Refuses an entry of `dir` that the peer owns or (not being a link) group or others may
/// write; `skip` names entries checked elsewhere.
fn check_entries(dir: &Path, peer: &PeerAccount, skip: &[&str]) -> Result<(), SshdError> {
    let entries = std::fs::read_dir(dir).map_err(io_err(dir))?;
    for entry in entries {
        let entry = entry.map_err(io_err(dir))?;
        if skip.iter().any(|s| entry.file_name() == **s) {
            continue;
        }
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).map_err(io_err(&path))?;
        if meta.uid() == peer.uid {
            return Err(SshdError::PeerOwns {
                user: peer.name.clone(),
                path: shown(&path),
            });
        }
        if !meta.file_type().is_symlink() && meta.mode() & 0o022 != 0 {
            return Err(SshdError::Writable {
                path: shown(&path),
                mode: meta.mode() & 0o7777,
            });
        }
    }
    Ok(())
}

/// Everything `secure_transfer` needs, checked before anything is changed.
pub(super) fn check_transfer(root: &Path, peer: &PeerAccount) -> Result<(), SshdError> {
    let transfer = root.join("transfer");
    if let Some(e) = transfer.parent().and_then(unconfinable) {
        return Err(e);
    }
    let owner = std::fs::metadata(root).map_err(io_err(root))?;
    if owner.uid() == peer.uid {
        return Err(SshdError::PeerOwns {
            user: peer.name.clone(),
            path: shown(root),
        });
    }
    for dir in [&transfer, &root.join(Layout::INCOMING)] {
        real_dir(dir)?;
    }
    let outgoing = root.join(Layout::OUTGOING);
    if real_dir(&outgoing)?.uid() == peer.uid {
        return Err(SshdError::PeerOwns {
            user: peer.name.clone(),
            path: shown(&outgoing),
        });
    }
    check_entries(&transfer, peer, &["incoming", "outgoing"])?;
    check_entries(&outgoing, peer, &[])
}

/// Gives the directory `path` (never a link) exactly this owner, group and mode.
fn set_dir(path: &Path, uid: u32, gid: u32, mode: u32) -> Result<(), SshdError> {
    let dir = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(path)
        .map_err(io_err(path))?;
    std::os::unix::fs::fchown(&dir, Some(uid), Some(gid)).map_err(io_err(path))?;
    dir.set_permissions(Permissions::from_mode(mode))
        .map_err(io_err(path))
}

/// The transfer area as the peer must find it: `transfer/` root's and read-only (what
/// ChrootDirectory demands), `/outgoing` the appliance owner's and read-only, `/incoming`
/// the owner's, write-only to the peer's group and sticky. Checks first; changes nothing
/// when it refuses.
pub fn secure_transfer(root: &Path, peer: &PeerAccount) -> Result<(), SshdError> {
    check_transfer(root, peer)?;
    let owner = std::fs::metadata(root).map_err(io_err(root))?;
    set_dir(&root.join("transfer"), 0, 0, READ_ONLY_DIR)?;
    let outgoing = root.join(Layout::OUTGOING);
    set_dir(&outgoing, owner.uid(), owner.gid(), READ_ONLY_DIR)?;
    let incoming = root.join(Layout::INCOMING);
    set_dir(&incoming, owner.uid(), peer.gid, INCOMING_MODE)
}
