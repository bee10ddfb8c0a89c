//! Shared by the bench targets (harness = false, plain `std::time`): statistics of a sample,
//! reporting (a human line on stdout, and one JSON object per figure appended to the file
//! named by `TANOS_BENCH_JSON` for `bench/report.py`), and scratch directories that satisfy
//! sshd's StrictModes/ChrootDirectory rules (0755 directories under `target/`, root-owned
//! when the bench runs as root).

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Summary of one sample of durations, in milliseconds.
#[derive(Debug, Clone)]
pub struct Stats {
    pub runs: usize,
    pub mean_ms: f64,
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub stddev_ms: f64,
}

impl Stats {
    pub fn of(sample: &[Duration]) -> Stats {
        assert!(!sample.is_empty(), "an empty sample");
        let mut ms: Vec<f64> = sample.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        ms.sort_by(|a, b| a.total_cmp(b));
        let n = ms.len();
        let mean = ms.iter().sum::<f64>() / n as f64;
        let median = if n % 2 == 1 {
            ms[n / 2]
        } else {
            (ms[n / 2 - 1] + ms[n / 2]) / 2.0
        };
        let var = ms.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        Stats {
            runs: n,
            mean_ms: mean,
            median_ms: median,
            min_ms: ms[0],
            max_ms: ms[n - 1],
            stddev_ms: var.sqrt(),
        }
    }
}

/// The number of iterations: `TANOS_BENCH_N` when set, else `default`.
pub fn iterations(default: usize) -> usize {
    std::env::var("TANOS_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

fn append_json(value: serde_json::Value) {
    if let Some(path) = std::env::var_os("TANOS_BENCH_JSON") {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", Path::new(&path).display()));
        writeln!(f, "{value}").expect("cannot append to TANOS_BENCH_JSON");
    }
}

/// Prints a timing figure and records it for the report.
pub fn report(id: &str, label: &str, stats: &Stats) {
    println!(
        "{id:<28} {label:<52} median {:>9.3} ms  mean {:>9.3} ms  (min {:.3}, max {:.3}, sd {:.3}, n={})",
        stats.median_ms, stats.mean_ms, stats.min_ms, stats.max_ms, stats.stddev_ms, stats.runs
    );
    append_json(serde_json::json!({
        "id": id,
        "label": label,
        "kind": "time",
        "runs": stats.runs,
        "mean_ms": stats.mean_ms,
        "median_ms": stats.median_ms,
        "min_ms": stats.min_ms,
        "max_ms": stats.max_ms,
        "stddev_ms": stats.stddev_ms,
    }));
}

/// Prints a figure that is not a duration (bytes, kilobytes…) and records it.
pub fn report_value(id: &str, label: &str, value: f64, unit: &str) {
    let digits = if unit == "x" { 3 } else { 1 };
    println!("{id:<28} {label:<52} {value:.digits$} {unit}");
    append_json(serde_json::json!({
        "id": id, "label": label, "kind": "value", "value": value, "unit": unit,
    }));
}

/// The workspace's `target/` directory (benches run with the package root as cwd).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// A fresh 0755 scratch directory `target/bench/<name>-<pid>`, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        use std::os::unix::fs::PermissionsExt;
        let base = target_dir().join("bench");
        std::fs::create_dir_all(&base).expect("cannot create target/bench");
        std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o755))
            .expect("cannot chmod target/bench");
        let dir = base.join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).expect("cannot create the scratch directory");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
            .expect("cannot chmod the scratch directory");
        Scratch(std::fs::canonicalize(&dir).expect("canonical scratch path"))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::env::var_os("TANOS_BENCH_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The release binary: `TANOS_BIN` when set, else the one cargo built for this bench.
pub fn product_binary() -> PathBuf {
    std::env::var_os("TANOS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_tanos-menu")))
}

/// `tanos-menu init --root <root> --role <role> [extra…]`, panicking on failure.
pub fn init_root(root: &Path, role: &str, extra: &[&str]) {
    let out = std::process::Command::new(product_binary())
        .arg("init")
        .arg("--root")
        .arg(root)
        .args(["--role", role])
        .args(extra)
        .output()
        .expect("cannot run tanos-menu init");
    assert!(
        out.status.success(),
        "tanos-menu init failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The account peers log in as on a bench's `tanos-menu sshd` (never root):
/// `TANOS_BENCH_USER` when set, else tancopy where the machine has it, else nobody.
pub fn peer_user() -> String {
    if let Ok(user) = std::env::var("TANOS_BENCH_USER") {
        return user;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    if passwd.lines().any(|l| l.starts_with("tancopy:")) {
        "tancopy".into()
    } else {
        "nobody".into()
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// A `tanos-menu sshd` this bench started, in its own process group: the group (the
/// wrapper and the OpenSSH sshd it runs) is ended on drop.
pub struct Sshd {
    child: std::process::Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Sshd {
    /// `tanos-menu --root <root> sshd --listen 127.0.0.1:<free port> --user <user>`, once it
    /// listens; its output goes to `log`.
    pub fn start(root: &Path, user: &str, log: &Path) -> Sshd {
        use std::os::unix::process::CommandExt;
        let port = free_port();
        let out = std::fs::File::create(log).expect("sshd log");
        let mut cmd = std::process::Command::new(product_binary());
        cmd.arg("--root")
            .arg(root)
            .arg("sshd")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--user")
            .arg(user)
            .stdin(std::process::Stdio::null())
            .stdout(out.try_clone().expect("sshd log"))
            .stderr(out)
            .process_group(0);
        let child = cmd.spawn().expect("cannot run tanos-menu sshd");
        let sshd = Sshd {
            child,
            port,
            log: log.to_path_buf(),
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "tanos-menu sshd did not listen on {port}: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        sshd
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: a signal to the process group made at spawn (`process_group(0)`) for this
        // sshd alone.
        unsafe {
            libc::kill(-pgid, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}

/// The peak resident set size of this process so far (`VmHWM` of /proc/self/status), in kB.
pub fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}
