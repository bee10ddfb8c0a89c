//! Helpers of the end-to-end tests (the console itself runs in `support::pty`): appliance roots under target/ that OpenSSH's StrictModes and
//! ChrootDirectory accept, and a `tanos-menu sshd` per appliance.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::num::NonZeroU16;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use crate::support::fs::{path_str, read};
use crate::support::roots;
pub use crate::support::tools::run;

pub use crate::support::pty::{BIN, TIMEOUT};

// ---------------------------------------------------------------- appliances on disk

/// The uid running the tests.
pub fn euid() -> u32 {
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .expect("read /proc/self")
}

/// The account `tanos-menu sshd` lets peers in as (`--user`): never root.
pub fn login_user() -> String {
    crate::support::sshd_base::PEER.to_string()
}

/// A 0755 directory for one test under target/.
pub fn scratch(suite: &str) -> tempfile::TempDir {
    let base = roots::base(suite);
    let public = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(&base, public.clone()).expect("chmod the test base directory");
    let dir = roots::scratch_in(&base, "case-");
    std::fs::set_permissions(dir.path(), public).expect("chmod the test directory");
    dir
}

/// As `scratch`, checking that every directory above it is owned by root (or the current
/// user) and not writable by group or others, as sshd's StrictModes and ChrootDirectory
/// require of the paths to authorized_keys and to the transfer area.
pub fn scratch_for_sshd(suite: &str) -> tempfile::TempDir {
    let base = crate::support::sshd_base::sshd_base(suite);
    let dir = roots::scratch_in(&base, "case-");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod the test directory");
    let me = euid();
    for d in dir.path().ancestors() {
        let meta = std::fs::metadata(d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        assert!(
            (meta.uid() == 0 || meta.uid() == me) && meta.mode() & 0o022 == 0,
            "{} (uid {}, mode {:o}) would make sshd refuse the appliance: every directory above an appliance root must be owned by root and not group/other-writable",
            d.display(),
            meta.uid(),
            meta.mode() & 0o7777
        );
    }
    dir
}

/// `tanos-menu init --root <root> …`
pub fn init(root: &Path, args: &[&str]) {
    let out = Command::new(BIN)
        .arg("init")
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("run tanos-menu init");
    assert!(
        out.status.success(),
        "init {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// `tanos-menu sshd --root <root> --listen 127.0.0.1:<port> --user <PEER>` writing to `log`,
/// in a process group of its own so that its OpenSSH sshd child can be stopped with it.
pub fn sshd_command(root: &Path, port: u16, log: &std::fs::File) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("sshd")
        .arg("--root")
        .arg(root)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--user")
        .arg(login_user())
        .env_remove("TANOS_ROOT")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("clone the sshd log"))
        .stderr(log.try_clone().expect("clone the sshd log"))
        .process_group(0);
    cmd
}

/// `tanos-menu sshd` for one appliance, in a process group of its own so its OpenSSH sshd
/// child ends with it.
pub struct Sshd {
    child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Sshd {
    pub fn start(root: &Path) -> Sshd {
        let port = free_port();
        let log = root.with_extension("sshd.log");
        let out = std::fs::File::create(&log).expect("create the sshd log");
        let child = sshd_command(root, port, &out)
            .spawn()
            .expect("spawn tanos-menu sshd");
        let mut sshd = Sshd { child, port, log };
        sshd.wait_listening();
        sshd
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait_listening(&mut self) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                // sshd greets first: a banner proves it is OpenSSH answering, not a stray socket.
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut banner = [0u8; 8];
                if stream.read_exact(&mut banner).is_ok() && banner.starts_with(b"SSH-") {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("tanos-menu sshd ended ({status}):\n{}", self.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "sshd never listened on port {}:\n{}",
                self.port,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let group = -i32::try_from(self.child.id()).expect("pid fits");
        // SAFETY: signals the process group this test created, nothing else.
        unsafe { libc::kill(group, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: as above.
        unsafe { libc::kill(group, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------- outside judges

/// `ssh-keygen -l -f <path>`: one "bits SHA256:… comment (TYPE)" line per key.
pub fn ssh_keygen_l(path: &Path) -> Vec<String> {
    let (ok, out) = run("ssh-keygen", &["-l", "-f", path_str(path)]);
    assert!(ok, "ssh-keygen -l -f {} refused it:\n{out}", path.display());
    out.lines().map(str::to_string).collect()
}

/// The SHA256 fingerprint of the only key of `path`, as ssh-keygen prints it.
pub fn fingerprint(path: &Path) -> String {
    let lines = ssh_keygen_l(path);
    assert_eq!(lines.len(), 1, "one key in {}: {lines:?}", path.display());
    lines[0]
        .split_whitespace()
        .nth(1)
        .expect("a fingerprint")
        .to_string()
}
