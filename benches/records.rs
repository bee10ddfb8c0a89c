//! The audit view against the size of the log: `audit::page(root, 0, PAGE)` on an
//! `audit.jsonl` of 1k, 100k and 1M lines (about 260 bytes each, as real entries are; the
//! 1M-line file is some 260 MB, a log from before rotation), and one page deep into the
//! log. Each figure comes from a process of its own (this bench run as a child), so its
//! peak memory (VmHWM of /proc/self/status) is the view's and nothing else's; the child's
//! resident size before the first read is shown beside it.
//!
//! `cargo bench --bench records`; `TANOS_BENCH_N` sets the timed calls per child (20),
//! `TANOS_BENCH_SIZES` the line counts (`1000,100000,1000000`).

mod support;

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{Scratch, Stats, iterations, report, report_value};
use tanos_menu::appliance::audit;

/// Lines per page: what the console's audit view asks for.
const PAGE: usize = 500;
const CHILD: &str = "--records-child";

/// A realistic audit line: time, user, action, files, fingerprints, detail.
fn line(n: usize) -> String {
    format!(
        "{{\"time\":\"2026-01-{:02}T{:02}:{:02}:{:02}.{:09}Z\",\"user\":\"tanadmin\",\"action\":\"tls.issue\",\"files\":[\"transfer/outgoing/zs{n:07}.example.crt\"],\"fingerprints\":[\"SHA256:{:043}\"],\"detail\":\"serial {n:016x} CN=zs{n:07}.example\"}}\n",
        1 + n % 28,
        n / 3600 % 24,
        n / 60 % 60,
        n % 60,
        n,
        n
    )
}

fn write_log(root: &Path, lines: usize) -> u64 {
    let dir = root.join("log");
    std::fs::create_dir_all(&dir).expect("cannot create log/");
    let path = dir.join("audit.jsonl");
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).expect("create"));
    for n in 0..lines {
        out.write_all(line(n).as_bytes()).expect("write");
    }
    out.flush().expect("flush");
    std::fs::metadata(&path).expect("stat").len()
}

fn status_kb(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The child: `n` timed calls of `audit::page(root, skip, PAGE)`, then its times (ms,
/// one per line), its resident size before the first call and its peak, in kB.
fn child(root: &Path, skip: usize, n: usize) {
    let before = status_kb("VmRSS:");
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let page = audit::page(root, skip, PAGE).expect("the audit view reads");
        times.push(t.elapsed());
        assert_eq!(page.lines.len(), PAGE);
        std::hint::black_box(page);
    }
    for t in times {
        println!("time {}", t.as_secs_f64());
    }
    println!("base {before}");
    println!("peak {}", status_kb("VmHWM:"));
}

struct Measured {
    times: Vec<Duration>,
    base_kb: u64,
    peak_kb: u64,
}

fn measure(root: &Path, skip: usize, n: usize) -> Measured {
    let exe = std::env::current_exe().expect("the bench executable");
    let out = Command::new(exe)
        .arg(CHILD)
        .arg(root)
        .arg(skip.to_string())
        .arg(n.to_string())
        .output()
        .expect("cannot run the child");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut m = Measured {
        times: Vec::new(),
        base_kb: 0,
        peak_kb: 0,
    };
    for l in text.lines() {
        match l.split_once(' ') {
            Some(("time", s)) => m.times.push(Duration::from_secs_f64(s.parse().expect("s"))),
            Some(("base", kb)) => m.base_kb = kb.parse().expect("kB"),
            Some(("peak", kb)) => m.peak_kb = kb.parse().expect("kB"),
            _ => {}
        }
    }
    m
}

fn sizes() -> Vec<usize> {
    std::env::var("TANOS_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![1_000, 100_000, 1_000_000])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == CHILD) {
        let root = Path::new(&args[i + 1]);
        let skip = args[i + 2].parse().expect("skip");
        let n = args[i + 3].parse().expect("n");
        return child(root, skip, n);
    }
    let n = iterations(20);
    let mut table = Vec::new();
    for lines in sizes() {
        let scratch = Scratch::new(&format!("records-{lines}"));
        let bytes = write_log(scratch.path(), lines);
        let mut skips = vec![0];
        if lines >= 100 * PAGE {
            skips.push(lines / 2);
        }
        for skip in skips {
            let m = measure(scratch.path(), skip, n);
            let stats = Stats::of(&m.times);
            let id = format!("records.page.{lines}.skip{skip}");
            let label = format!("audit::page(skip {skip}, {PAGE}) of {lines} lines");
            report(&id, &label, &stats);
            report_value(
                &format!("{id}.peak"),
                &format!("{label}: peak RSS"),
                m.peak_kb as f64,
                "kB",
            );
            table.push((
                lines,
                bytes,
                skip,
                stats.median_ms,
                stats.max_ms,
                m.base_kb,
                m.peak_kb,
            ));
        }
    }
    println!();
    println!("| lines | log size | skip | median | max | RSS before | peak RSS |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (lines, bytes, skip, median, max, base, peak) in table {
        println!(
            "| {lines} | {:.1} MB | {skip} | {median:.2} ms | {max:.2} ms | {:.1} MB | {:.1} MB |",
            bytes as f64 / 1e6,
            base as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
}
