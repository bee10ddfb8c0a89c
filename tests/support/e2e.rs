//! Helpers of the end-to-end tests: the console in a real pseudo-terminal, its screen read
//! through `vt100`, appliance roots under target/ that OpenSSH's StrictModes and
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

use expectrl::session::OsSession;

pub use crate::support::fs::{path_str, read};
use crate::support::roots;
pub use crate::support::tools::run;

pub const BIN: &str = env!("CARGO_BIN_EXE_tanos-menu");
pub const ROWS: u16 = 24;
pub const COLS: u16 = 80;
/// How long one screen may take to appear: generous, as SFTP and key work run in debug builds
/// on a loaded machine. Waits end as soon as the text is there.
pub const TIMEOUT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------- the terminal

/// What one read of the pseudo-terminal gave.
enum Read1 {
    Bytes,
    Idle,
    Eof,
}

/// Reads what the console wrote within `wait`, feeds it to `parser`, keeps it in `raw`.
fn pump(
    session: &mut OsSession,
    parser: &mut vt100::Parser,
    raw: &mut Vec<u8>,
    wait: Duration,
) -> Read1 {
    let mut fds = libc::pollfd {
        fd: session.get_stream().as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = i32::try_from(wait.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: one valid pollfd for the duration of the call.
    let ready = unsafe { libc::poll(&mut fds, 1, ms) };
    if ready <= 0 {
        return Read1::Idle;
    }
    let mut buf = [0u8; 8192];
    let mut got = false;
    loop {
        match session.try_read(&mut buf) {
            Ok(0) => return Read1::Eof,
            Ok(n) => {
                parser.process(&buf[..n]);
                raw.extend_from_slice(&buf[..n]);
                got = true;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // Linux reports the end of the child's side of the terminal as EIO.
            Err(_) => return Read1::Eof,
        }
    }
    if got { Read1::Bytes } else { Read1::Idle }
}

/// The screen as `vt100` holds it, one string per row.
pub fn rows(parser: &vt100::Parser) -> Vec<String> {
    parser
        .screen()
        .rows(0, COLS)
        .map(|r| r.trim_end().to_string())
        .collect()
}

/// The screen with numbered rows, for failure messages.
pub fn dump(parser: &vt100::Parser) -> String {
    rows(parser)
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{i:2}|{r}\n"))
        .collect()
}

/// Whether the last frame is drawn down to the prompt: ratatui writes a frame row by row, in
/// several writes, and ends it by putting the cursor on the prompt row. A screen read before
/// that can hold rows of two frames.
fn drawn(parser: &vt100::Parser) -> bool {
    parser.screen().cursor_position().0 >= ROWS - 2
}

/// Reads until `done` holds for a whole frame, bounded by `timeout`; panics with the screen.
fn wait_until_raw(
    session: &mut OsSession,
    parser: &mut vt100::Parser,
    raw: &mut Vec<u8>,
    what: &str,
    timeout: Duration,
    done: &dyn Fn(&vt100::Parser) -> bool,
) {
    let deadline = Instant::now() + timeout;
    loop {
        if drawn(parser) && done(parser) {
            return;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            panic!(
                "waited {timeout:?} for {what}; the screen is:\n{}",
                dump(parser)
            );
        }
        if let Read1::Eof = pump(session, parser, raw, left.min(Duration::from_millis(50))) {
            if done(parser) {
                return;
            }
            panic!(
                "the console ended while waiting for {what}; the screen is:\n{}",
                dump(parser)
            );
        }
    }
}

/// Reads the console's output into `parser` until its screen contains `text`.
pub fn wait_for(
    session: &mut OsSession,
    parser: &mut vt100::Parser,
    text: &str,
    timeout: Duration,
) {
    let mut raw = Vec::new();
    wait_until_raw(
        session,
        parser,
        &mut raw,
        &format!("{text:?}"),
        timeout,
        &|p| p.screen().contents().contains(text),
    );
}

/// One console in a pseudo-terminal of 80x24, and everything it wrote.
pub struct Console {
    pub name: &'static str,
    pub session: OsSession,
    pub parser: vt100::Parser,
    pub raw: Vec<u8>,
}

impl Console {
    /// `tanos-menu --root <root>` in a fresh 80x24 terminal, waiting for its root menu.
    pub fn open(name: &'static str, root: &Path) -> Console {
        let mut cmd = Command::new(BIN);
        cmd.arg("--root")
            .arg(root)
            .env("TERM", "xterm-256color")
            .env_remove("TANOS_ROOT");
        if let Some(dir) = root.parent() {
            cmd.current_dir(dir);
        }
        let mut session =
            OsSession::spawn(cmd).unwrap_or_else(|e| panic!("spawn the {name} console: {e}"));
        session
            .get_process_mut()
            .set_window_size(COLS, ROWS)
            .expect("set the window size");
        let size = |n| NonZeroU16::new(n).expect("non-zero size");
        let mut console = Console {
            name,
            session,
            parser: vt100::Parser::new(size(ROWS), size(COLS), 0),
            raw: Vec::new(),
        };
        console.wait_for("Enter selection:");
        console
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    pub fn rows(&self) -> Vec<String> {
        rows(&self.parser)
    }

    /// The rows between the header rule and the message line (rows 3 to 20).
    pub fn body(&self) -> Vec<String> {
        let rows = self.rows();
        rows[3..usize::from(ROWS) - 3].to_vec()
    }

    /// The message line above the prompt.
    pub fn flash(&self) -> String {
        self.rows()[usize::from(ROWS) - 3].clone()
    }

    pub fn dump(&self) -> String {
        format!("[{}]\n{}", self.name, dump(&self.parser))
    }

    pub fn wait_until(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        let what = format!("{what} on the {}", self.name);
        wait_until_raw(
            &mut self.session,
            &mut self.parser,
            &mut self.raw,
            &what,
            TIMEOUT,
            &|p| done(&p.screen().contents()),
        );
    }

    pub fn wait_for(&mut self, text: &str) {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text));
    }

    /// Waits for `text` on the screen, however the frame ends (a screen without a prompt,
    /// such as "Terminal too small", leaves the cursor anywhere).
    pub fn wait_shown(&mut self, text: &str) {
        self.wait_shown_until(&format!("{text:?}"), |s| s.contains(text));
    }

    /// Waits until `done` holds for the screen, however the frame ends.
    pub fn wait_shown_until(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while !done(&self.screen()) {
            assert!(
                Instant::now() < deadline,
                "waited {TIMEOUT:?} for {what}:\n{}",
                self.dump()
            );
            let left = deadline.saturating_duration_since(Instant::now());
            let wait = left.min(Duration::from_millis(50));
            if let Read1::Eof = pump(&mut self.session, &mut self.parser, &mut self.raw, wait) {
                panic!("the console ended waiting for {what}:\n{}", self.dump());
            }
        }
    }

    /// Resizes the terminal window, as a terminal emulator does (SIGWINCH to the console).
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.session
            .get_process_mut()
            .set_window_size(cols, rows)
            .expect("set the window size");
    }

    pub fn send(&mut self, bytes: &str) {
        self.session
            .write_all(bytes.as_bytes())
            .and_then(|()| self.session.flush())
            .unwrap_or_else(|e| panic!("type into the {}: {e}", self.name));
    }

    /// Types `key` and Enter, then waits for the screen it leads to.
    pub fn step(&mut self, key: &str, expect: &str) {
        self.send(&format!("{key}\r"));
        self.wait_for(expect);
    }

    /// A bracketed paste as a terminal sends it: lines separated by carriage returns.
    pub fn paste(&mut self, text: &str) {
        let text = text.trim_end_matches('\n').replace('\n', "\r");
        self.send(&format!("\x1b[200~{text}\x1b[201~"));
    }

    /// Back to the root menu from anywhere.
    pub fn root_menu(&mut self) {
        self.step("RR", "1  Tanium Status");
    }

    /// The line number the list on screen gives `name` ("▸  2  tancopy …" → "2").
    pub fn line_of(&self, name: &str) -> String {
        self.body()
            .iter()
            .find_map(|row| {
                let words: Vec<&str> = row.split_whitespace().filter(|w| *w != "▸").collect();
                match words.as_slice() {
                    [n, user, ..] if *user == name && n.parse::<usize>().is_ok() => {
                        Some(n.to_string())
                    }
                    _ => None,
                }
            })
            .unwrap_or_else(|| panic!("no line for {name}:\n{}", self.dump()))
    }

    /// The value of a "  Label      value" row of the screen.
    pub fn value_of(&self, label: &str) -> String {
        self.body()
            .iter()
            .find_map(|row| {
                row.trim_start()
                    .strip_prefix(label)
                    .map(|v| v.trim().to_string())
            })
            .unwrap_or_else(|| panic!("no '{label}' row:\n{}", self.dump()))
    }

    /// The PEM block labelled `label` read off the copy-friendly view, scrolling down one
    /// line at a time while its END line is below the screen.
    pub fn read_pem(&mut self, label: &str) -> String {
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        self.wait_for(&begin);
        let mut lines = pem_rows(&self.body());
        let mut scrolled = 0;
        while !lines.contains(&end) {
            scrolled += 1;
            assert!(
                scrolled < 100,
                "no END line after scrolling:\n{}",
                self.dump()
            );
            let before = self.body();
            self.send("\x1b[B");
            let what = format!("the view to scroll down on the {}", self.name);
            wait_until_raw(
                &mut self.session,
                &mut self.parser,
                &mut self.raw,
                &what,
                TIMEOUT,
                &|p| rows(p)[3..usize::from(ROWS) - 3] != before[..],
            );
            let more = pem_rows(&self.body());
            merge_overlapping(&mut lines, &more).unwrap_or_else(|| {
                panic!("the scrolled view does not follow on:\n{}", self.dump())
            });
        }
        let from = lines
            .iter()
            .position(|l| *l == begin)
            .unwrap_or_else(|| panic!("no BEGIN line:\n{}", self.dump()));
        let to = lines
            .iter()
            .position(|l| *l == end)
            .unwrap_or_else(|| panic!("no END line:\n{}", self.dump()));
        let mut pem = lines[from..=to].join("\n");
        pem.push('\n');
        pem
    }

    /// `X` at the root menu: the console ends. Returns its exit code and what it wrote
    /// from the moment X was typed.
    pub fn exit(&mut self) -> (i32, Vec<u8>) {
        let from = self.raw.len();
        self.send("X\r");
        let deadline = Instant::now() + TIMEOUT;
        loop {
            assert!(
                Instant::now() < deadline,
                "the console did not end after X:\n{}",
                self.dump()
            );
            if let Read1::Eof = pump(
                &mut self.session,
                &mut self.parser,
                &mut self.raw,
                Duration::from_millis(50),
            ) {
                break;
            }
        }
        let status = self
            .session
            .get_process()
            .wait()
            .unwrap_or_else(|e| panic!("wait for the {}: {e}", self.name));
        let code = match status {
            expectrl::process::unix::WaitStatus::Exited(_, code) => code,
            other => panic!("the {} ended with {other:?}", self.name),
        };
        (code, self.raw[from..].to_vec())
    }
}

/// Rows that are part of a PEM block shown for copying: at the left edge, nothing else on
/// them.
fn pem_rows(body: &[String]) -> Vec<String> {
    body.iter()
        .filter(|row| {
            let armour = row.starts_with("-----") && row.ends_with("-----") && row.len() > 10;
            let base64 = !row.is_empty()
                && row.len() <= 64
                && row
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='));
            armour || base64
        })
        .cloned()
        .collect()
}

/// Appends `more` to `lines` where the two windows overlap; None when they do not.
fn merge_overlapping(lines: &mut Vec<String>, more: &[String]) -> Option<()> {
    let most = lines.len().min(more.len());
    let k = (1..=most)
        .rev()
        .find(|&k| lines[lines.len() - k..] == more[..k])?;
    lines.extend_from_slice(&more[k..]);
    Some(())
}

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
        let err = out.try_clone().expect("clone the sshd log");
        let child = Command::new(BIN)
            .arg("sshd")
            .arg("--root")
            .arg(root)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--user")
            .arg(login_user())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
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
