//! sshd in the foreground under this wrapper: the wrapper's stop signals are taken, not
//! suffered, and sshd and every session it left stop with the wrapper.

use std::collections::BTreeSet;
use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use super::config::sshd_command;
use super::{SSHD, SshdError, io_err};
use crate::fsutil;

/// How long sshd and the sessions get to end after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// How the service ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// sshd exited by itself.
    Exited(ExitStatus),
    /// The wrapper got `signal`; sshd and every session were stopped with it.
    Stopped { signal: i32, status: ExitStatus },
}

/// The name of a signal the wrapper stops on ("a signal" in the thread's voice for another).
pub fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGTERM => "SIGTERM".into(),
        libc::SIGINT => "SIGINT".into(),
        libc::SIGHUP => "SIGHUP".into(),
        libc::SIGQUIT => "SIGQUIT".into(),
        _ => crate::say!("appliance.sshd.a_signal"),
    }
}

/// The stop signals and SIGCHLD, blocked in this thread so they are taken with
/// `next_signal` instead of ending the wrapper and leaving sshd behind. Every signal whose
/// default is to end a process is a stop signal here (SIGUSR1, SIGALRM… too): any of them
/// would otherwise end the wrapper and leave the peers' sessions running.
fn block_signals() -> libc::sigset_t {
    // SAFETY: sigset_t is plain data, initialised by sigemptyset before use.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid sigset_t; the signal numbers are valid.
    unsafe {
        libc::sigemptyset(&mut set);
        for sig in [
            libc::SIGTERM,
            libc::SIGINT,
            libc::SIGHUP,
            libc::SIGQUIT,
            libc::SIGUSR1,
            libc::SIGUSR2,
            libc::SIGALRM,
            libc::SIGVTALRM,
            libc::SIGPROF,
            libc::SIGIO,
            libc::SIGPWR,
            libc::SIGXCPU,
            libc::SIGXFSZ,
            libc::SIGCHLD,
        ] {
            libc::sigaddset(&mut set, sig);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
    set
}

/// A blocked signal of `set` taken within `wait`, if one came.
fn next_signal(set: &libc::sigset_t, wait: Duration) -> Option<i32> {
    let timeout = libc::timespec {
        tv_sec: wait.as_secs() as libc::time_t,
        tv_nsec: wait.subsec_nanos() as libc::c_long,
    };
    // SAFETY: `set` and `timeout` are valid for the call; no siginfo is asked for.
    let sig = unsafe { libc::sigtimedwait(set, std::ptr::null_mut(), &timeout) };
    (sig > 0).then_some(sig)
}

/// sshd started in the foreground (`-D`, never a daemon), told by the kernel to end
/// (SIGTERM) when this wrapper dies, even by SIGKILL.
fn spawn_tied(mut cmd: Command) -> io::Result<Child> {
    // SAFETY: getpid has no preconditions.
    let wrapper = unsafe { libc::getpid() };
    // SAFETY: the closure runs between fork and exec and calls only async-signal-safe
    // functions (sigemptyset, pthread_sigmask, prctl, getppid); it allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            let mut none: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut none);
            libc::pthread_sigmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGTERM as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                return Err(io::Error::last_os_error());
            }
            // The wrapper may have died before the request took hold: then its death
            // signal will never come, so do not start at all.
            if libc::getppid() != wrapper {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
    cmd.spawn()
}

fn send(pid: u32, signal: i32) {
    // SAFETY: kill(2) of a child of this wrapper that it has not reaped yet.
    unsafe {
        libc::kill(pid as libc::pid_t, signal);
    }
}

/// Reaps every ended child of the wrapper, sshd and the orphans of its sessions alike (a
/// subreaper inherits them), and keeps sshd's status.
struct Reaper {
    sshd: u32,
    status: Option<ExitStatus>,
}

impl Reaper {
    fn reap(&mut self, block: bool) {
        loop {
            let mut raw = 0;
            let flags = if block && self.status.is_none() {
                0
            } else {
                libc::WNOHANG
            };
            // SAFETY: waitpid on any child of this process.
            let pid = unsafe { libc::waitpid(-1, &mut raw, flags) };
            if pid <= 0 {
                return;
            }
            if pid as u32 == self.sshd {
                self.status = Some(ExitStatus::from_raw(raw));
            }
        }
    }
}

/// Stops sshd: SIGTERM, then SIGKILL after the grace time or at a second stop signal.
fn stop_sshd(reaper: &mut Reaper, set: &libc::sigset_t) -> ExitStatus {
    send(reaper.sshd, libc::SIGTERM);
    let deadline = Instant::now() + STOP_GRACE;
    loop {
        reaper.reap(false);
        if let Some(status) = reaper.status {
            return status;
        }
        let again = next_signal(set, Duration::from_millis(100));
        if Instant::now() >= deadline || again.is_some_and(|s| s != libc::SIGCHLD) {
            send(reaper.sshd, libc::SIGKILL);
            reaper.reap(true);
            return reaper
                .status
                .unwrap_or_else(|| ExitStatus::from_raw(libc::SIGKILL));
        }
    }
}

fn supervise(reaper: &mut Reaper, set: &libc::sigset_t) -> Ended {
    loop {
        reaper.reap(false);
        if let Some(status) = reaper.status {
            return Ended::Exited(status);
        }
        match next_signal(set, Duration::from_millis(500)) {
            Some(libc::SIGCHLD) | None => {}
            Some(signal) => {
                let status = stop_sshd(reaper, set);
                return Ended::Stopped { signal, status };
            }
        }
    }
}

/// The processes whose parent is `pid`, from the process table.
pub fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| parent_of(*child) == Some(pid))
        .collect()
}

/// The parent of `pid` (field 4 of /proc/PID/stat, after the command name).
pub fn parent_of(pid: u32) -> Option<u32> {
    let stat =
        fsutil::read_text(Path::new(&format!("/proc/{pid}/stat")), fsutil::LIMIT_PEM).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Ends the sessions sshd left (they come to this wrapper, the subreaper, when sshd
/// ends): SIGTERM, then SIGKILL after the grace time.
fn end_sessions(reaper: &mut Reaper) {
    let me = std::process::id();
    let deadline = Instant::now() + STOP_GRACE;
    let mut asked = BTreeSet::new();
    loop {
        reaper.reap(false);
        let left = children_of(me);
        if left.is_empty() || Instant::now() > deadline + STOP_GRACE {
            return;
        }
        for pid in left {
            if Instant::now() >= deadline {
                send(pid, libc::SIGKILL);
            } else if asked.insert(pid) {
                send(pid, libc::SIGTERM);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// sshd in the foreground (`-D -e`), logging to stderr, until it exits or this wrapper gets
/// SIGTERM, SIGINT, SIGHUP or SIGQUIT: sshd and its sessions then stop too. If the wrapper
/// is killed outright, the kernel stops sshd. Call from the main thread, before any other
/// thread starts.
pub fn run(config: &Path) -> Result<Ended, SshdError> {
    let mut cmd = sshd_command(config)?;
    cmd.arg("-D").arg("-e");
    let set = block_signals();
    // SAFETY: prctl with a flag argument; makes orphaned sessions children of this wrapper.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1 as libc::c_ulong, 0, 0, 0);
    }
    let child = spawn_tied(cmd).map_err(io_err(Path::new(SSHD)))?;
    let mut reaper = Reaper {
        sshd: child.id(),
        status: None,
    };
    let ended = supervise(&mut reaper, &set);
    end_sessions(&mut reaper);
    Ok(ended)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_process_table_names_this_process_as_a_child_of_its_parent() {
        // SAFETY: getppid has no preconditions.
        let parent = unsafe { libc::getppid() } as u32;
        assert_eq!(parent_of(std::process::id()), Some(parent));
        assert!(children_of(parent).contains(&std::process::id()));
        assert_eq!(signal_name(libc::SIGHUP), "SIGHUP");
    }
}
