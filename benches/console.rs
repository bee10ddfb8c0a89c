//! The console as an operator meets it: the release binary spawned in an 80x24 PTY
//! (expectrl), its output fed to a terminal emulator (vt100).
//!
//! - time from spawn to the first full frame (the screen shows "Enter selection");
//! - bytes written to the terminal per menu keystroke after the first frame (ratatui draws
//!   only the cells that changed);
//! - peak memory (`/usr/bin/time -v`, "Maximum resident set size") of a short scripted session
//!   that ends with X at the root menu.
//!
//! `TANOS_BENCH_ROOT` names the appliance root to open (else a Tanium Server + hub root is made
//! under `target/bench/`); `TANOS_BIN` the binary (else the one cargo built);
//! `TANOS_BENCH_N` the number of start-ups timed (30).

mod support;

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::Session;
use expectrl::session::OsSession;
use support::{Scratch, Stats, init_root, iterations, product_binary, report, report_value};

const ROWS: NonZeroU16 = NonZeroU16::new(24).unwrap();
const COLS: NonZeroU16 = NonZeroU16::new(80).unwrap();
const PROMPT: &str = "Enter selection";

/// One keystroke as the terminal sends it, and what the screen must show after it.
struct Step {
    bytes: &'static [u8],
    name: &'static str,
    expect: Option<&'static str>,
}

const fn key(bytes: &'static [u8], name: &'static str, expect: Option<&'static str>) -> Step {
    Step {
        bytes,
        name,
        expect,
    }
}

/// A short tour of the menus: typed keys, Enter, Back, arrows. Each entry is one keystroke.
const TOUR: &[Step] = &[
    key(b"2", "2", None),
    key(b"\r", "Enter", Some("Configuration Settings")),
    key(b"B", "B", None),
    key(b"\r", "Enter", Some("Tanium Operations")),
    key(b"\x1b[B", "Down", None),
    key(b"\x1b[B", "Down", None),
    key(b"\x1b[A", "Up", None),
    key(b"\x1b[A", "Up", None),
    key(b"1", "1", None),
    key(b"\r", "Enter", Some("Tanium Status")),
    key(b"B", "B", None),
    key(b"\r", "Enter", Some("User Administration")),
    key(b"C", "C", None),
    key(b"\r", "Enter", Some("SSH Key Management")),
    key(b"B", "B", None),
    key(b"\r", "Enter", Some("Tanium Operations")),
];

struct Console {
    session: OsSession,
    parser: vt100::Parser,
    bytes: usize,
}

impl Console {
    fn spawn(cmd: Command) -> Console {
        let session = Session::spawn(cmd).expect("cannot spawn the console in a PTY");
        Console {
            session,
            parser: vt100::Parser::new(ROWS, COLS, 0),
            bytes: 0,
        }
    }

    /// Reads what is there within `wait`; false at end of output (the process closed the PTY).
    fn pump(&mut self, wait: Duration) -> bool {
        let fd = self.session.get_stream().as_raw_fd();
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = wait.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd.
        let ready = unsafe { libc::poll(&mut pfd, 1, ms) };
        if ready <= 0 {
            return true;
        }
        let mut buf = [0u8; 65536];
        match self.session.get_stream_mut().read(&mut buf) {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.bytes += n;
                self.parser.process(&buf[..n]);
                true
            }
        }
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Reads until the screen contains `text`; the time it took.
    fn until(&mut self, text: &str, limit: Duration) -> Duration {
        let start = Instant::now();
        while !self.screen().contains(text) {
            let left = limit.saturating_sub(start.elapsed());
            assert!(
                !left.is_zero(),
                "no '{text}' on the screen within {limit:?}:\n{}",
                self.screen()
            );
            assert!(
                self.pump(left),
                "the console ended before showing '{text}':\n{}",
                self.screen()
            );
        }
        start.elapsed()
    }

    /// Reads until nothing more comes for `quiet`.
    fn settle(&mut self, quiet: Duration) {
        loop {
            let before = self.bytes;
            if !self.pump(quiet) || self.bytes == before {
                return;
            }
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        let stream = self.session.get_stream_mut();
        stream.write_all(bytes).expect("write to the PTY");
        stream.flush().expect("flush the PTY");
    }

    /// X at the root menu, then waits for the process to end (killed after 10 s).
    fn exit(mut self) {
        self.send(b"X");
        self.send(b"\r");
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.pump(Duration::from_millis(20)) {
            if Instant::now() > deadline {
                break;
            }
            if !self.session.get_process().is_alive().unwrap_or(false) {
                break;
            }
        }
        while self.session.get_process().is_alive().unwrap_or(false) {
            if Instant::now() > deadline {
                let pid = self.session.get_process().pid().as_raw();
                // SAFETY: the pid of the console this bench spawned.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                panic!("the console did not exit on X:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

fn console_command(prefix: &[&str], root: &Path) -> Command {
    let bin = product_binary();
    let mut cmd = match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(&bin);
            c
        }
        None => Command::new(&bin),
    };
    cmd.arg("--root")
        .arg(root)
        .env("TERM", "xterm-256color")
        .env("LANG", "C.UTF-8");
    cmd.env_remove("TANOS_FAULT");
    cmd
}

/// One start-up with `args`: spawn to `prompt` on the screen, spawn to exec, and the bytes
/// written up to the settled first frame.
fn start_up(root: &Path, args: &[&str], prompt: &str) -> (Duration, Duration, usize) {
    let t = Instant::now();
    let mut cmd = console_command(&[], root);
    cmd.args(args);
    let mut c = Console::spawn(cmd);
    // expectrl's spawn returns once the child has exec'd the binary.
    let exec = t.elapsed();
    c.until(prompt, Duration::from_secs(10));
    let elapsed = t.elapsed();
    c.settle(Duration::from_millis(100));
    let bytes = c.bytes;
    c.exit();
    (elapsed, exec, bytes)
}

/// Runs the tour; returns the bytes written per keystroke (one figure per step).
fn tour(console: &mut Console) -> Vec<usize> {
    let mut sizes = Vec::with_capacity(TOUR.len());
    for step in TOUR {
        let before = console.bytes;
        console.send(step.bytes);
        if let Some(text) = step.expect {
            console.until(text, Duration::from_secs(5));
        }
        console.settle(Duration::from_millis(150));
        sizes.push(console.bytes - before);
    }
    sizes
}

fn max_rss_kb(report: &str) -> Option<f64> {
    report
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
}

fn main() {
    let n = iterations(30);
    let scratch = Scratch::new("console");
    let root: PathBuf = match std::env::var_os("TANOS_BENCH_ROOT") {
        Some(r) => PathBuf::from(r),
        None => {
            let r = scratch.path().join("ts");
            init_root(
                &r,
                "tanium-server",
                &["--zone-hub", "--hostname", "ts.bench"],
            );
            r
        }
    };
    println!(
        "console {} --root {}, PTY {COLS}x{ROWS}",
        product_binary().display(),
        root.display()
    );

    // Reference: a process that prints one byte, spawned the same way.
    let mut trivial = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let mut c = Console::spawn(Command::new("/bin/echo"));
        while c.pump(Duration::from_secs(5)) {}
        trivial.push(t.elapsed());
    }
    report(
        "console.pty_echo",
        "reference: /bin/echo in a PTY until EOF",
        &Stats::of(&trivial),
    );

    // Start-up to the first full frame, in English and in French by turns (the French
    // prompt is the French file's): the two figures of one run compare.
    let french_prompt = tanos_menu::texts::text(tanos_menu::texts::Lang::Fr, "prompt.selection")
        .trim_end()
        .trim_end_matches(':')
        .trim_end();
    let mut first = Vec::with_capacity(n);
    let mut first_fr = Vec::with_capacity(n);
    let mut spawned = Vec::with_capacity(n);
    let mut after_exec = Vec::with_capacity(n);
    let mut frame_bytes = 0;
    for i in 0..=n {
        let (elapsed, exec, bytes) = start_up(&root, &[], PROMPT);
        let (elapsed_fr, _, _) = start_up(&root, &["--lang", "fr"], french_prompt);
        if i > 0 {
            // The first start-up warms the page cache: not counted.
            first.push(elapsed);
            first_fr.push(elapsed_fr);
            spawned.push(exec);
            after_exec.push(elapsed - exec);
        }
        frame_bytes = bytes;
    }
    let (en, fr) = (Stats::of(&first), Stats::of(&first_fr));
    report(
        "console.first_frame_fr",
        "spawn to first full frame in French (--lang fr)",
        &fr,
    );
    report_value(
        "console.first_frame_fr_vs_en",
        "French / English first frame, by median",
        fr.median_ms / en.median_ms,
        "x",
    );
    report(
        "console.first_frame",
        "spawn to first full frame (\"Enter selection\")",
        &en,
    );
    report(
        "console.spawn",
        "of which: PTY + fork + exec (spawn returned)",
        &Stats::of(&spawned),
    );
    report(
        "console.after_exec",
        "of which: exec to first full frame",
        &Stats::of(&after_exec),
    );
    report_value(
        "console.first_frame_bytes",
        "bytes written up to the first frame (settled)",
        frame_bytes as f64,
        "bytes",
    );

    // Bytes per keystroke after the first frame.
    let mut c = Console::spawn(console_command(&[], &root));
    c.until(PROMPT, Duration::from_secs(10));
    c.settle(Duration::from_millis(150));
    let sizes = tour(&mut c);
    c.exit();
    let total: usize = sizes.iter().sum();
    let detail: Vec<String> = TOUR
        .iter()
        .zip(&sizes)
        .map(|(s, b)| format!("{}={b}", s.name))
        .collect();
    println!("bytes per keystroke: {}", detail.join(" "));
    report_value(
        "console.bytes_per_key",
        &format!("bytes per keystroke, mean of {} keystrokes", sizes.len()),
        total as f64 / sizes.len() as f64,
        "bytes",
    );
    let mut sorted = sizes.clone();
    sorted.sort_unstable();
    report_value(
        "console.bytes_per_key.max",
        "bytes per keystroke, largest (a whole new screen)",
        sorted[sorted.len() - 1] as f64,
        "bytes",
    );
    report_value(
        "console.bytes_per_key.median",
        "bytes per keystroke, median",
        sorted[sorted.len() / 2] as f64,
        "bytes",
    );
    if let Some(path) = std::env::var_os("TANOS_BENCH_JSON") {
        // Per-step detail for the report.
        let detail_path = PathBuf::from(path).with_extension("keys.txt");
        let _ = std::fs::write(detail_path, detail.join(" "));
    }

    // Peak memory of a scripted session, measured by /usr/bin/time -v.
    let time_bin = Path::new("/usr/bin/time");
    if time_bin.exists() {
        let out = scratch.path().join("time-v.txt");
        let out_s = out.display().to_string();
        let mut c = Console::spawn(console_command(
            &["/usr/bin/time", "-v", "-o", &out_s],
            &root,
        ));
        c.until(PROMPT, Duration::from_secs(10));
        c.settle(Duration::from_millis(150));
        tour(&mut c);
        // Back to the root menu, then X.
        c.send(b"R");
        c.send(b"R");
        c.send(b"\r");
        c.settle(Duration::from_millis(150));
        c.exit();
        let text = std::fs::read_to_string(&out).expect("the /usr/bin/time -v report");
        match max_rss_kb(&text) {
            Some(kb) => report_value(
                "console.max_rss",
                "peak memory (Maximum resident set size), scripted session",
                kb / 1024.0,
                "MB",
            ),
            None => eprintln!("no 'Maximum resident set size' in {out_s}:\n{text}"),
        }
    } else {
        eprintln!("/usr/bin/time is missing: peak memory not measured (apt-get install time)");
    }
}
