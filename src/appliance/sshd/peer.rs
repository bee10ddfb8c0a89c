//! The account peers log in as: a plain name, an existing unprivileged account, not locked.

use std::ffi::CString;
use std::io;
use std::path::Path;

use super::{DEFAULT_PEER, SshdError, io_err};
use crate::fsutil;

/// The unprivileged account peers log in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerAccount {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

/// The default login user: tancopy, whether or not this machine has it (`peer_account`
/// says so when it does not).
pub fn default_user() -> String {
    DEFAULT_PEER.to_string()
}

fn valid_user_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && !name.starts_with(['-', '.'])
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The uid and gid of `name` from the system's account database.
fn lookup_account(name: &str) -> io::Result<Option<(u32, u32)>> {
    let cname = CString::new(name).map_err(io::Error::other)?;
    let mut size = 16 * 1024;
    loop {
        let mut buf = vec![0 as libc::c_char; size];
        // SAFETY: a zeroed passwd is a valid out-parameter for getpwnam_r.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer refers to live memory of the given sizes for the call.
        let rc = unsafe {
            libc::getpwnam_r(
                cname.as_ptr(),
                &mut pwd,
                buf.as_mut_ptr(),
                buf.len(),
                &mut found,
            )
        };
        match rc {
            0 if found.is_null() => return Ok(None),
            0 => return Ok(Some((pwd.pw_uid, pwd.pw_gid))),
            libc::ERANGE if size < 1 << 20 => size *= 4,
            libc::ENOENT | libc::ESRCH => return Ok(None),
            rc => return Err(io::Error::from_raw_os_error(rc)),
        }
    }
}

/// Whether /etc/shadow marks `name` locked ('!'), which sshd refuses without PAM.
fn locked(name: &str) -> bool {
    let shadow =
        fsutil::read_text(Path::new("/etc/shadow"), fsutil::LIMIT_KEYS).unwrap_or_default();
    shadow.lines().any(|line| {
        let mut fields = line.split(':');
        fields.next() == Some(name) && fields.next().is_some_and(|p| p.starts_with('!'))
    })
}

/// The account peers will log in as: it must exist, not be root (uid 0) nor locked.
pub fn peer_account(name: &str) -> Result<PeerAccount, SshdError> {
    if !valid_user_name(name) {
        return Err(SshdError::BadUserName(name.to_string()));
    }
    let (uid, gid) = lookup_account(name)
        .map_err(io_err(Path::new("/etc/passwd")))?
        .ok_or_else(|| SshdError::NoSuchUser(name.to_string()))?;
    if uid == 0 {
        return Err(SshdError::RootPeer(name.to_string()));
    }
    if locked(name) {
        return Err(SshdError::LockedPeer(name.to_string()));
    }
    Ok(PeerAccount {
        name: name.to_string(),
        uid,
        gid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_account_names_reach_sshd_config() {
        for good in ["tancopy", "nobody", "svc_copy-2", "a.b", "Tan1"] {
            assert!(valid_user_name(good), "{good}");
        }
        let long = "a".repeat(33);
        for bad in [
            "",
            "-o",
            ".hidden",
            "a b",
            "a\nForceCommand /bin/sh",
            "*",
            "a,b",
            "a@host",
            "!root",
            "a\u{1b}]0;x\u{7}",
            "é",
            long.as_str(),
        ] {
            assert!(!valid_user_name(bad), "{bad:?}");
        }
    }
}
