//! Helpers of the fault tests: appliance roots under target/, a seeded xorshift for kill
//! moments, the scan for interrupted writes' temporary files, and the console in a real
//! pseudo-terminal with its screen read through vt100.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use tanos_menu::appliance::{Appliance, Platform, Role};

use crate::support::roots;

/// The product binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_tanos-menu");

/// A fresh directory under target/ for the roots of one test.
pub fn scratch(test: &str) -> tempfile::TempDir {
    roots::scratch(&format!("faults/{test}"), "case-")
}

/// `init` of a root at `dir/name`.
pub fn appliance(
    dir: &Path,
    name: &str,
    role: Role,
    zone_hub: bool,
    tanium_pub: Option<String>,
) -> Appliance {
    roots::appliance_at(dir, name, role, Platform::V7_3, zone_hub, tanium_pub)
}

/// Runs `tanos-menu ARGS --root ROOT` to completion.
pub fn tanos(root: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--root")
        .arg(root)
        .env_remove("TANOS_ROOT")
        .env_remove("TANOS_FAULT")
        .output()
        .expect("run tanos-menu")
}

pub fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Marsaglia's xorshift64: reproducible "random" kill moments without a rand crate.
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> XorShift {
        // Spread small seeds over the state; the state must never be zero.
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A delay of 0 to `max_ms` milliseconds, in microsecond steps.
    pub fn delay(&mut self, max_ms: u64) -> Duration {
        Duration::from_micros(self.next_u64() % (max_ms * 1000 + 1))
    }
}

/// Whether `name` is the temporary file of an `atomic_write` that did not finish.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with(".tanos-") && name.ends_with(".tmp")
}

/// Every temporary file left under `root` by interrupted writes.
pub fn temp_leftovers(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                walk(&path, out);
            } else if is_temp_name(&entry.file_name().to_string_lossy()) {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out.sort();
    out
}

/// A new ed25519 public key as one OpenSSH line.
pub fn ed25519_line(comment: &str) -> String {
    let key =
        ssh_key::PrivateKey::random(&mut ssh_key::rand_core::OsRng, ssh_key::Algorithm::Ed25519)
            .expect("ed25519 key");
    let mut public = key.public_key().clone();
    public.set_comment(comment);
    public.to_openssh().expect("openssh public key")
}

// ---------------------------------------------------------------- the console in a PTY

/// `tanos-menu --root ROOT` in an 80x24 pseudo-terminal; everything it writes is kept.
pub struct Console {
    session: OsSession,
    output: Arc<Mutex<Vec<u8>>>,
    /// The PTY master, for the terminal modes (a read on the slave side's termios).
    master: std::fs::File,
    status: Option<WaitStatus>,
}

impl Console {
    pub fn spawn(root: &Path, env: &[(&str, &str)]) -> Console {
        let mut cmd = Command::new(BIN);
        cmd.arg("--root")
            .arg(root)
            .env("TERM", "xterm-256color")
            .env_remove("TANOS_ROOT")
            .env_remove("TANOS_FAULT");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let session = OsSession::spawn(cmd).expect("spawn the console in a PTY");
        let mut reader = session.get_process().get_raw_handle().expect("PTY reader");
        let master = session.get_process().get_raw_handle().expect("PTY handle");
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&output);
        // Reads until the last holder of the terminal exits (EIO on Linux).
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("output").extend_from_slice(&buf[..n]);
            }
        });
        Console {
            session,
            output,
            master,
            status: None,
        }
    }

    pub fn pid(&self) -> i32 {
        self.session.get_process().pid().as_raw()
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.session.write_all(bytes).expect("write to the PTY");
        self.session.flush().expect("flush the PTY");
    }

    /// Everything the console wrote so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.output.lock().expect("output").clone()
    }

    /// The screen as an 80x24 terminal shows it now.
    pub fn screen(&self) -> String {
        let rows = NonZeroU16::new(24).expect("rows");
        let cols = NonZeroU16::new(80).expect("cols");
        let mut parser = vt100::Parser::new(rows, cols, 0);
        parser.process(&self.bytes());
        parser.screen().contents()
    }

    /// Waits until the screen shows `needle`; fails with the screen after `timeout`.
    pub fn wait_for(&self, needle: &str, timeout: Duration) {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return;
            }
            if start.elapsed() > timeout {
                panic!("'{needle}' not shown within {timeout:?}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for the console to exit; `None` if it still runs after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<WaitStatus> {
        let start = Instant::now();
        while self.status.is_none() {
            match self.session.get_process().status() {
                Ok(WaitStatus::StillAlive) => {}
                Ok(status) => self.status = Some(status),
                Err(e) => panic!("waitpid: {e}"),
            }
            if self.status.is_none() {
                if start.elapsed() > timeout {
                    return None;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        // The reader thread catches up with the last bytes written before the exit.
        let settled = Instant::now();
        let mut len = self.bytes().len();
        while settled.elapsed() < Duration::from_millis(300) {
            std::thread::sleep(Duration::from_millis(50));
            let now = self.bytes().len();
            if now == len {
                break;
            }
            len = now;
        }
        self.status
    }

    /// The exit code, failing the test if the console did not exit in time or was killed.
    pub fn exit_code(&mut self, timeout: Duration) -> i32 {
        match self.wait_exit(timeout) {
            Some(WaitStatus::Exited(_, code)) => code,
            Some(other) => panic!(
                "the console did not exit normally: {other:?}; output:\n{}",
                text(&self.bytes())
            ),
            None => {
                let _ = self
                    .session
                    .get_process_mut()
                    .kill(expectrl::process::unix::Signal::SIGKILL);
                panic!(
                    "the console still ran after {timeout:?}; the screen:\n{}",
                    self.screen()
                )
            }
        }
    }

    /// Whether the terminal is in cooked mode (canonical input, signals, output processing):
    /// what it was before the console's raw mode.
    pub fn cooked(&self) -> bool {
        // SAFETY: tcgetattr only fills the zeroed struct it is given, on a descriptor we own.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::tcgetattr(self.master.as_raw_fd(), &mut t) };
        assert_eq!(rc, 0, "tcgetattr: {}", std::io::Error::last_os_error());
        t.c_lflag & libc::ICANON != 0 && t.c_lflag & libc::ISIG != 0 && t.c_oflag & libc::OPOST != 0
    }

    /// Sends `signal` to the console process.
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill(2) on the pid of our own child, which has not been reaped yet.
        let rc = unsafe { libc::kill(self.pid(), signal) };
        assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
    }
}

/// The part of `bytes` after the last occurrence of `marker` (all of it when absent).
pub fn after_last<'a>(bytes: &'a [u8], marker: &[u8]) -> &'a [u8] {
    bytes
        .windows(marker.len())
        .rposition(|w| w == marker)
        .map_or(bytes, |i| &bytes[i + marker.len()..])
}

pub fn contains(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------- the test binary as a child

/// The environment variable that turns the helper test `fault_child` into a worker.
pub const CHILD_MODE: &str = "TANOS_FAULT_CHILD";
/// The appliance root the worker changes.
pub const CHILD_ROOT: &str = "TANOS_FAULT_CHILD_ROOT";
/// A directory of inputs (certificates, keys) prepared by the parent.
pub const CHILD_INPUTS: &str = "TANOS_FAULT_CHILD_INPUTS";
/// Printed by a worker once it starts changing files.
pub const READY: &str = "TANOS-FAULT-CHILD-READY";

/// A worker: this test binary re-run with only the helper test, in `mode`.
pub struct Worker {
    pub child: std::process::Child,
    /// Kept open until the worker is reaped, so it never writes into a closed pipe.
    stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl Worker {
    pub fn start(helper: &str, mode: &str, root: &Path, inputs: &Path) -> Worker {
        let exe = std::env::current_exe().expect("the test binary");
        let mut child = Command::new(exe)
            .args(["--exact", helper, "--nocapture", "--test-threads=1"])
            .env(CHILD_MODE, mode)
            .env(CHILD_ROOT, root)
            .env(CHILD_INPUTS, inputs)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("re-run the test binary");
        let stdout = std::io::BufReader::new(child.stdout.take().expect("worker stdout"));
        Worker { child, stdout }
    }

    /// Waits until the worker says it is changing files; fails with its stderr if it stops.
    pub fn wait_ready(&mut self) {
        use std::io::BufRead;
        let mut line = String::new();
        loop {
            line.clear();
            let n = self.stdout.read_line(&mut line).expect("worker stdout");
            if n == 0 {
                let status = self.child.wait().expect("wait worker");
                panic!(
                    "the worker stopped before it was ready ({status}): {}",
                    self.stderr()
                );
            }
            if line.contains(READY) {
                return;
            }
        }
    }

    /// Waits for the worker to end: its status, the rest of its stdout, its stderr.
    pub fn finish(mut self) -> (std::process::ExitStatus, String, String) {
        let mut out = String::new();
        let _ = self.stdout.read_to_string(&mut out);
        let errors = self.stderr();
        let status = self.child.wait().expect("wait worker");
        (status, out, errors)
    }

    /// SIGKILL (std's `Child::kill`), then reap; returns how the worker ended.
    pub fn kill(&mut self) -> std::process::ExitStatus {
        // An already finished worker is reaped as it is: kill(2) on a zombie succeeds.
        let _ = self.child.kill();
        self.child.wait().expect("wait worker")
    }

    pub fn stderr(&mut self) -> String {
        let mut err = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut err);
        }
        err
    }
}

/// Called by a worker when it starts changing files.
pub fn say_ready() {
    println!("{READY}");
    std::io::stdout().flush().expect("flush stdout");
}

// ---------------------------------------------------------------- a terminal that goes away

/// The console on a pseudo-terminal the test owns alone, so that closing the master side is
/// what a dropped SSH connection does to sshd's PTY: the kernel hangs up the terminal.
pub struct Detachable {
    pub child: std::process::Child,
    master: Option<std::fs::File>,
    pub output: Vec<u8>,
}

fn cloexec_nonblock(fd: libc::c_int, nonblock: bool) {
    // SAFETY: fcntl on descriptors openpty just gave us.
    unsafe {
        assert_ne!(libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC), -1);
        if nonblock {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            assert_ne!(libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK), -1);
        }
    }
}

impl Detachable {
    pub fn spawn(root: &Path) -> Detachable {
        use std::os::fd::FromRawFd;
        use std::os::unix::process::CommandExt;
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty fills two descriptors; no name buffer, default termios.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        cloexec_nonblock(master, true);
        cloexec_nonblock(slave, false);
        // SAFETY: both descriptors are ours from here on, each owned once.
        let (master, slave) = unsafe {
            (
                std::fs::File::from_raw_fd(master),
                std::fs::File::from_raw_fd(slave),
            )
        };
        let mut cmd = Command::new(BIN);
        cmd.arg("--root")
            .arg(root)
            .env("TERM", "xterm-256color")
            .env_remove("TANOS_ROOT")
            .env_remove("TANOS_FAULT")
            .stdin(slave.try_clone().expect("slave"))
            .stdout(slave.try_clone().expect("slave"))
            .stderr(slave);
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                // A session of its own with this terminal as its controlling one, as sshd does.
                if libc::setsid() == -1 || libc::ioctl(0, libc::TIOCSCTTY, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn the console");
        drop(cmd); // the parent's copies of the slave side
        Detachable {
            child,
            master: Some(master),
            output: Vec::new(),
        }
    }

    fn pump(&mut self) {
        let Some(master) = self.master.as_mut() else {
            return;
        };
        let mut buf = [0u8; 8192];
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            self.output.extend_from_slice(&buf[..n]);
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.master
            .as_mut()
            .expect("terminal open")
            .write_all(bytes)
            .expect("write to the PTY");
    }

    pub fn wait_for(&mut self, needle: &str, timeout: Duration) {
        let start = Instant::now();
        loop {
            self.pump();
            let mut parser = vt100::Parser::new(
                NonZeroU16::new(24).expect("rows"),
                NonZeroU16::new(80).expect("cols"),
                0,
            );
            parser.process(&self.output);
            let screen = parser.screen().contents();
            if screen.contains(needle) {
                return;
            }
            assert!(
                start.elapsed() < timeout,
                "'{needle}' not shown within {timeout:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Closes the terminal's master side: the connection is gone.
    pub fn hang_up(&mut self) {
        self.pump();
        self.master = None;
    }

    /// How the console ended, or `None` if it still runs after `timeout` (it is killed
    /// when this is dropped).
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if start.elapsed() > timeout {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// CPU time (user + system) the running console has used, from /proc.
    pub fn cpu_seconds(&self) -> f64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // Fields after the command name, which ends with the last ')': utime and stime are
        // the 12th and 13th of them.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let ticks: u64 = rest
            .split_whitespace()
            .skip(11)
            .take(2)
            .filter_map(|f| f.parse::<u64>().ok())
            .sum();
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1);
        ticks as f64 / hz as f64
    }
}

impl Drop for Detachable {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
