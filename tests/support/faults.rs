//! Helpers of the fault tests: appliance roots under target/, a seeded xorshift for kill
//! moments, the scan for interrupted writes' temporary files, and the test binary re-run as
//! a worker (the console in a terminal is `support::pty`).

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tanos_menu::appliance::{Appliance, Platform, Role};

use crate::support::roots;

pub use crate::support::pty::BIN;

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
