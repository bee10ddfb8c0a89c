//! The console in a real pseudo-terminal of 80x24, the one harness of every test that runs
//! the binary on a terminal: the test owns the master side alone (a hang-up is closing it,
//! as a dropped SSH connection does to sshd's PTY), the console is a session leader with the
//! terminal as its controlling one, as sshd gives a login shell, and everything it writes is
//! kept and fed to `vt100`, whose screen the tests read.

use std::fs::File;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use tanos_menu::texts::Lang;

pub const BIN: &str = env!("CARGO_BIN_EXE_tanos-menu");
pub const ROWS: u16 = 24;
pub const COLS: u16 = 80;
/// How long one screen may take to appear: generous, as SFTP and key work run in debug builds
/// on a loaded machine. Waits end as soon as the text is there.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// What one read of the pseudo-terminal gave.
enum Read1 {
    Bytes,
    Idle,
    Eof,
}

/// A new pseudo-terminal of `ROWS` x `COLS`: (master, slave). Both ends are opened
/// close-on-exec (std's default), so no other child of the test process keeps the terminal
/// open behind the console.
fn open_pty() -> (File, File) {
    let open = |path: &Path| {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY)
            .open(path)
            .unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
    };
    let master = open(Path::new("/dev/ptmx"));
    let mut name = [0 as libc::c_char; 128];
    // SAFETY: the master descriptor is open; `name` is a buffer of the length given.
    let named = unsafe {
        libc::grantpt(master.as_raw_fd()) == 0
            && libc::unlockpt(master.as_raw_fd()) == 0
            && libc::ptsname_r(master.as_raw_fd(), name.as_mut_ptr(), name.len()) == 0
    };
    assert!(
        named,
        "a new pseudo-terminal: {}",
        std::io::Error::last_os_error()
    );
    // SAFETY: ptsname_r wrote a NUL-terminated path into `name`.
    let slave_path = unsafe { std::ffi::CStr::from_ptr(name.as_ptr()) }
        .to_str()
        .expect("utf-8 terminal name")
        .to_string();
    let slave = open(Path::new(&slave_path));
    set_size(&slave, COLS, ROWS);
    // SAFETY: fcntl on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(master.as_raw_fd(), libc::F_GETFL);
        assert_ne!(
            libc::fcntl(master.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK),
            -1
        );
    }
    (master, slave)
}

/// The window size of the terminal `fd` belongs to (SIGWINCH to its foreground group).
fn set_size(fd: &File, cols: u16, rows: u16) {
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads one winsize from a valid pointer.
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCSWINSZ, &size) };
    assert_eq!(rc, 0, "set the window size");
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

/// A `vt100` terminal of `cols` x `rows` that has been sent `bytes`.
pub fn parsed(bytes: &[u8], cols: u16, rows: u16) -> vt100::Parser {
    let size = |n| NonZeroU16::new(n).expect("non-zero size");
    let mut parser = vt100::Parser::new(size(rows), size(cols), 0);
    parser.process(bytes);
    parser
}

/// Whether the last frame is drawn down to the prompt: ratatui writes a frame row by row, in
/// several writes, and ends it by putting the cursor on the prompt row. A screen read before
/// that can hold rows of two frames.
fn drawn(parser: &vt100::Parser) -> bool {
    parser.screen().cursor_position().0 >= ROWS - 2
}

/// One program in a pseudo-terminal of 80x24, and everything it wrote.
pub struct Console {
    pub name: &'static str,
    child: Child,
    /// The terminal's master side; `None` once hung up.
    master: Option<File>,
    pub parser: vt100::Parser,
    pub raw: Vec<u8>,
    status: Option<ExitStatus>,
    /// The language the console was opened in (`--lang`); English unless `open_in`.
    pub lang: Lang,
}

impl Console {
    /// Runs `cmd` on a new terminal, in a session of its own with the terminal as its
    /// controlling one.
    pub fn start(name: &'static str, mut cmd: Command) -> Console {
        let (master, slave) = open_pty();
        let dup = || slave.try_clone().expect("dup the terminal");
        cmd.stdin(dup()).stdout(dup()).stderr(dup());
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawn the {name}: {e}"));
        drop(cmd); // the parent's copies of the slave side
        drop(slave);
        Console {
            name,
            child,
            master: Some(master),
            parser: parsed(b"", COLS, ROWS),
            raw: Vec::new(),
            status: None,
            lang: Lang::En,
        }
    }

    /// `tanos-menu --root ROOT` with `env` added, from the directory above the root. The
    /// terminal is a UTF-8 xterm of 256 colours unless `env` says otherwise (`LANG=C`,
    /// `TERM=vt100`, `NO_COLOR=1`).
    pub fn spawn(root: &Path, env: &[(&str, &str)]) -> Console {
        Console::spawn_named("console", root, env)
    }

    fn spawn_named(name: &'static str, root: &Path, env: &[(&str, &str)]) -> Console {
        Console::spawn_with(name, root, &[], env)
    }

    /// As `spawn`, with `args` after `--root ROOT` (`--ascii`).
    pub fn spawn_with(
        name: &'static str,
        root: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Console {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .arg("--root")
            .arg(root)
            .env("TERM", "xterm-256color")
            .env("LANG", "C.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_CTYPE")
            .env_remove("LC_MESSAGES")
            .env_remove("COLORTERM")
            .env_remove("NO_COLOR")
            .env_remove("TANOS_ROOT")
            .env_remove("TANOS_FAULT");
        for (k, v) in env {
            cmd.env(k, v);
        }
        if let Some(dir) = root.parent() {
            cmd.current_dir(dir);
        }
        Console::start(name, cmd)
    }

    /// `tanos-menu --root <root>` in a fresh 80x24 terminal, waiting for its root menu.
    pub fn open(name: &'static str, root: &Path) -> Console {
        let mut console = Console::spawn_named(name, root, &[]);
        console.wait_for(&console.t("prompt.selection"));
        console
    }

    /// `open`, in `lang` (`--lang`).
    pub fn open_in(name: &'static str, root: &Path, lang: Lang) -> Console {
        let mut console = Console::spawn_with(name, root, &["--lang", lang.code()], &[]);
        console.lang = lang;
        console.wait_for(&console.t("prompt.selection"));
        console
    }

    /// The text `key` in the console's language, without its trailing blanks (as a screen
    /// row shows it).
    pub fn t(&self, key: &str) -> String {
        tanos_menu::texts::text(self.lang, key)
            .trim_end()
            .to_string()
    }

    /// The text `key` in the console's language up to and including its placeholder
    /// `name`, filled with `value` ("Key {fingerprint} added…" → "Key SHA256:…"): the part
    /// of a long sentence that stays on one row.
    pub fn t_through(&self, key: &str, name: &str, value: &str) -> String {
        let text = tanos_menu::texts::text(self.lang, key);
        let mark = format!("{{{name}}}");
        let end = text
            .find(&mark)
            .unwrap_or_else(|| panic!("{key} has no {mark}: {text}"))
            + mark.len();
        text[..end].replace(&mark, value)
    }

    /// Reads what the program wrote within `wait`, feeds it to the parser, keeps it.
    fn pump(&mut self, wait: Duration) -> Read1 {
        let Some(master) = self.master.as_mut() else {
            return Read1::Eof;
        };
        let mut fds = libc::pollfd {
            fd: master.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = i32::try_from(wait.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: one valid pollfd for the duration of the call.
        if unsafe { libc::poll(&mut fds, 1, ms) } <= 0 {
            return Read1::Idle;
        }
        let mut buf = [0u8; 8192];
        let mut got = false;
        loop {
            match master.read(&mut buf) {
                Ok(0) => return Read1::Eof,
                Ok(n) => {
                    self.parser.process(&buf[..n]);
                    self.raw.extend_from_slice(&buf[..n]);
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

    /// Everything the program wrote until its side of the terminal closed.
    pub fn read_to_end(&mut self) -> Vec<u8> {
        let deadline = Instant::now() + TIMEOUT;
        while !matches!(self.pump(Duration::from_millis(50)), Read1::Eof) {
            assert!(
                Instant::now() < deadline,
                "the {} still writes after {TIMEOUT:?}:\n{}",
                self.name,
                self.dump()
            );
        }
        self.raw.clone()
    }

    pub fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).expect("pid fits")
    }

    /// Everything the program wrote so far.
    pub fn bytes(&mut self) -> Vec<u8> {
        self.pump(Duration::ZERO);
        self.raw.clone()
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    pub fn rows(&self) -> Vec<String> {
        rows(&self.parser)
    }

    /// The rows between the header rule and the message line (rows 3 to 20).
    pub fn body(&self) -> Vec<String> {
        self.rows()[3..usize::from(ROWS) - 3].to_vec()
    }

    /// The message line above the prompt.
    pub fn flash(&self) -> String {
        self.rows()[usize::from(ROWS) - 3].clone()
    }

    pub fn dump(&self) -> String {
        format!("[{}]\n{}", self.name, dump(&self.parser))
    }

    /// Reads until `done` holds for a whole frame (or, unless `framed`, for the screen
    /// however the frame ends), bounded by `timeout`; panics with the screen.
    fn wait_raw(
        &mut self,
        what: &str,
        timeout: Duration,
        framed: bool,
        done: &dyn Fn(&vt100::Parser) -> bool,
    ) {
        let deadline = Instant::now() + timeout;
        loop {
            if (!framed || drawn(&self.parser)) && done(&self.parser) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "waited {timeout:?} for {what} on the {}; the screen is:\n{}",
                self.name,
                self.dump()
            );
            if let Read1::Eof = self.pump(left.min(Duration::from_millis(50))) {
                if done(&self.parser) {
                    return;
                }
                panic!(
                    "the {} ended while waiting for {what}; the screen is:\n{}",
                    self.name,
                    self.dump()
                );
            }
        }
    }

    pub fn wait_until(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        self.wait_raw(what, TIMEOUT, true, &|p| done(&p.screen().contents()));
    }

    /// Waits for a whole frame that shows `text`.
    pub fn wait_for(&mut self, text: &str) {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text));
    }

    /// Waits for the words of `text` in a row on the screen, wherever the message wrapped
    /// them (a sentence is as long as its language makes it).
    pub fn wait_words(&mut self, text: &str) {
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let want = words(text);
        self.wait_until(&format!("{want:?}"), |s| words(s).contains(&want));
    }

    /// Waits for `text` on the screen, however the frame ends (a screen without a prompt,
    /// such as "Terminal too small", leaves the cursor anywhere).
    pub fn wait_shown(&mut self, text: &str) {
        self.wait_shown_until(&format!("{text:?}"), |s| s.contains(text));
    }

    /// Waits until `done` holds for the screen, however the frame ends.
    pub fn wait_shown_until(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        self.wait_raw(what, TIMEOUT, false, &|p| done(&p.screen().contents()));
    }

    /// As `wait_shown`, bounded by `timeout` rather than `TIMEOUT`.
    pub fn wait_shown_within(&mut self, text: &str, timeout: Duration) {
        self.wait_screen_within(&format!("{text:?}"), timeout, |s| s.contains(text));
    }

    /// As `wait_shown_until`, bounded by `timeout` rather than `TIMEOUT`.
    pub fn wait_screen_within(
        &mut self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&str) -> bool,
    ) {
        self.wait_raw(what, timeout, false, &|p| done(&p.screen().contents()));
    }

    /// Resizes the terminal window, as a terminal emulator does (SIGWINCH to the console).
    pub fn resize(&mut self, cols: u16, rows: u16) {
        set_size(self.master.as_ref().expect("terminal open"), cols, rows);
    }

    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        let name = self.name;
        let master = self.master.as_mut().expect("terminal open");
        master
            .write_all(bytes.as_ref())
            .and_then(|()| master.flush())
            .unwrap_or_else(|e| panic!("type into the {name}: {e}"));
    }

    /// Types `key` and Enter, then waits for the screen it leads to.
    pub fn step(&mut self, key: &str, expect: &str) {
        self.send(format!("{key}\r"));
        self.wait_for(expect);
    }

    /// A bracketed paste as a terminal sends it: lines separated by carriage returns.
    pub fn paste(&mut self, text: &str) {
        let text = text.trim_end_matches('\n').replace('\n', "\r");
        self.send(format!("\x1b[200~{text}\x1b[201~"));
    }

    /// Back to the root menu from anywhere.
    pub fn root_menu(&mut self) {
        let status = format!("1  {}", self.t("menu.root.tanium_status"));
        self.step("RR", &status);
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
            self.wait_raw("the view to scroll down", TIMEOUT, true, &|p| {
                rows(p)[3..usize::from(ROWS) - 3] != before[..]
            });
            let more = pem_rows(&self.body());
            merge_overlapping(&mut lines, &more).unwrap_or_else(|| {
                panic!("the scrolled view does not follow on:\n{}", self.dump())
            });
        }
        let at = |want: &str| {
            lines
                .iter()
                .position(|l| l == want)
                .unwrap_or_else(|| panic!("no {want} line:\n{}", self.dump()))
        };
        let mut pem = lines[at(&begin)..=at(&end)].join("\n");
        pem.push('\n');
        pem
    }

    /// `X` at the root menu: the console ends. Returns its exit code and what it wrote
    /// from the moment X was typed.
    pub fn exit(&mut self) -> (i32, Vec<u8>) {
        let from = self.raw.len();
        self.send("X\r");
        let deadline = Instant::now() + TIMEOUT;
        while !matches!(self.pump(Duration::from_millis(50)), Read1::Eof) {
            assert!(
                Instant::now() < deadline,
                "the console did not end after X:\n{}",
                self.dump()
            );
        }
        let status = self
            .child
            .wait()
            .unwrap_or_else(|e| panic!("wait for the {}: {e}", self.name));
        self.status = Some(status);
        let code = status
            .code()
            .unwrap_or_else(|| panic!("the {} ended with {status}", self.name));
        (code, self.raw[from..].to_vec())
    }

    /// Waits for the program to end, reading what it writes meanwhile and up to its
    /// terminal's end; `None` if it still runs after `timeout` (it is killed when dropped).
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        while self.status.is_none() {
            self.status = self.child.try_wait().expect("try_wait");
            if self.status.is_none() {
                if start.elapsed() > timeout {
                    return None;
                }
                self.pump(Duration::from_millis(20));
            }
        }
        // The last bytes written before the exit; a grandchild holding the terminal is not
        // waited for.
        let settle = Instant::now() + Duration::from_secs(2);
        while Instant::now() < settle {
            if let Read1::Eof = self.pump(Duration::from_millis(50)) {
                break;
            }
        }
        self.status
    }

    /// The exit code, failing the test if the program did not exit in time or was killed.
    pub fn exit_code(&mut self, timeout: Duration) -> i32 {
        match self.wait_exit(timeout) {
            Some(status) => status.code().unwrap_or_else(|| {
                panic!(
                    "the console did not exit normally: {status}; output:\n{}",
                    String::from_utf8_lossy(&self.raw)
                )
            }),
            None => {
                let _ = self.child.kill();
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
        let master = self.master.as_ref().expect("terminal open");
        // SAFETY: tcgetattr only fills the zeroed struct it is given, on a descriptor we own.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::tcgetattr(master.as_raw_fd(), &mut t) };
        assert_eq!(rc, 0, "tcgetattr: {}", std::io::Error::last_os_error());
        t.c_lflag & libc::ICANON != 0 && t.c_lflag & libc::ISIG != 0 && t.c_oflag & libc::OPOST != 0
    }

    /// Sends `signal` to the console process.
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill(2) on the pid of our own child, which has not been reaped yet.
        let rc = unsafe { libc::kill(self.pid(), signal) };
        assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
    }

    /// Closes the terminal's master side: the connection is gone.
    pub fn hang_up(&mut self) {
        self.pump(Duration::ZERO);
        self.master = None;
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

impl Drop for Console {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
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
