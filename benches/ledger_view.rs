//! The hub's issuance ledger as it grows for years: the view (`2 › Z › 7`, which calls
//! `ledger::page(app, 0, 100, now)`) and the status header's count (`ledger::index` +
//! `expiring_within`) against the ledger's size, `TANOS_BENCH_SIZES` lines
//! (1000,100000,1000000).
//!
//! Each ledger is built once in a scratch hub root: one real issuance gives the shape of a
//! record (`issuance::issue_from_csr`); then lines of that shape for 40 names renewed over ten
//! years, newest last, are written straight to `tanium/issued.jsonl`, and the last one is
//! recorded by the product's `ledger::append`, which finds no index, rebuilds it from the
//! whole ledger and saves it (that first append is timed too). Then:
//!
//! - (a) `page(app, 0, 100, now)` with a valid index, `TANOS_BENCH_N` times (100), files in
//!   the page cache; and the same with the ledger and index evicted from the page cache
//!   before each call (`posix_fadvise(DONTNEED)`, this file only);
//! - (b) peak memory of that call in a child process (this bench re-executed): `VmHWM` of
//!   /proc/self/status after the call, and its rise during the call (the process after
//!   `Appliance::open` is the baseline); a child that does nothing gives the bare process;
//! - (c) the status header's count, time and memory alike;
//! - (d) for information, a stale index: the index file removed before each call (a ledger
//!   written before the index existed; a crash between the ledger and index writes takes the
//!   same path), then the view, which rebuilds the index from the whole ledger without
//!   saving it (a read changes nothing); the console's start (`ledger::repair_index`) saves
//!   it again, and is timed too.
//!
//! The issue's bar: under 10 MB peak and 50 ms whatever the size.

mod support;

use std::io::{BufWriter, Write};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine;
use sha2::{Digest, Sha256};
use support::{Scratch, Stats, iterations, peak_rss_kb, report, report_value};
use tanos_menu::appliance::init::{InitOptions, init};
use tanos_menu::appliance::ledger::{self, IssuedRecord};
use tanos_menu::appliance::{Appliance, Platform, Role, lock};
use tanos_menu::fsutil;
use tanos_menu::pki::KeyType;
use tanos_menu::pki::csr::{CsrRequest, check_csr, generate_csr};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const CHILD: &str = "--ledger-view-child";
const PAGE: usize = 100;
const NAMES: usize = 40;
const YEARS: i64 = 10;

// ------------------------------------------------------------------------------ child

/// In the child: `bare`, or `page`/`header` on the root at `args[1]`, `now` = `args[2]`
/// (unix seconds). Prints the peak RSS (kB) before and after the call.
fn child(args: &[String]) {
    let mode = args[0].as_str();
    if mode == "bare" {
        let kb = peak_rss_kb();
        println!("{kb} {kb}");
        return;
    }
    let app = Appliance::open(Path::new(&args[1])).expect("open the root");
    let now = OffsetDateTime::from_unix_timestamp(args[2].parse().expect("now")).expect("now");
    if mode == "page-stale" {
        // Gone already when the previous view left it missing.
        let _ = std::fs::remove_file(app.path(ledger::INDEX));
    }
    let before = peak_rss_kb();
    let shown = match mode {
        "page" | "page-stale" => ledger::page(&app, 0, PAGE, now)
            .expect("page")
            .entries
            .len(),
        "header" => ledger::index(&app)
            .expect("index")
            .expiring_within(ledger::EXPIRING_DAYS, now),
        other => panic!("unknown child mode {other}"),
    };
    let after = peak_rss_kb();
    std::hint::black_box(shown);
    println!("{before} {after}");
}

/// Peak RSS in kB (before the call, after it) of a child running `mode`: the highest of
/// three runs.
fn child_peak(mode: &str, root: &Path, now: OffsetDateTime) -> (u64, u64) {
    let mut worst = (0, 0);
    for _ in 0..3 {
        let out = Command::new(std::env::current_exe().expect("this bench"))
            .arg(CHILD)
            .arg(mode)
            .arg(root)
            .arg(now.unix_timestamp().to_string())
            .output()
            .expect("cannot re-run this bench");
        assert!(
            out.status.success(),
            "child {mode}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let mut it = text
            .split_whitespace()
            .map(|v| v.parse::<u64>().expect("kB"));
        let (before, after) = (it.next().expect("before"), it.next().expect("after"));
        worst = (worst.0.max(before), worst.1.max(after));
    }
    worst
}

// ------------------------------------------------------------------------------ ledger

/// 64 pseudo-random bits of `x` (splitmix64).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn name(k: usize) -> String {
    format!("zs{:02}.example.com", k + 1)
}

/// Line `i` of a ledger of `n` lines: the certificate of name `i % NAMES`, issued at an even
/// pace over `YEARS` years ending a day before `now`, shaped like `template` (a real one).
fn record(template: &IssuedRecord, i: usize, n: usize, now: OffsetDateTime) -> IssuedRecord {
    let k = i % NAMES;
    let span = time::Duration::days(365 * YEARS);
    let step = span / n as f64;
    let issued = now - time::Duration::days(1) - step * (n - 1 - i) as f64;
    // Most names get 397 days, a few short-lived ones make the header's count non-zero.
    let days = [397, 397, 365, 90, 45, 30, 397, 60][k % 8];
    let serial: String = (0..16)
        .map(|b| format!("{:02x}", (mix(i as u64 * 16 + b) & 0xff) as u8))
        .collect::<Vec<_>>()
        .join(":");
    let key = Sha256::digest((i as u64).to_le_bytes());
    let host = name(k);
    IssuedRecord {
        time: issued.format(&Rfc3339).expect("time"),
        serial,
        subject: format!("CN={host}"),
        common_name: host.clone(),
        dns_names: vec![host.clone()],
        ips: vec![format!("10.20.{}.{}", k / 250, k % 250 + 1)],
        not_after: (issued + time::Duration::days(days))
            .format(&Rfc3339)
            .expect("not after"),
        key_fingerprint: format!(
            "SHA256:{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(key)
        ),
        root_fingerprint: template.root_fingerprint.clone(),
        source: format!("/incoming/{host}.csr"),
    }
}

/// A real record of this hub: one certificate issued the product's way.
fn real_record(app: &Appliance) -> IssuedRecord {
    let host = name(0);
    let new = generate_csr(&CsrRequest {
        common_name: host.clone(),
        dns_names: vec![host],
        ips: vec!["10.20.0.1".parse().expect("ip")],
        key_type: KeyType::EcdsaP256,
    })
    .expect("key + CSR");
    let checked = check_csr(&new.csr_pem).expect("CSR");
    tanos_menu::appliance::issuance::issue_from_csr(app, &checked, 397, OffsetDateTime::now_utc())
        .expect("issue");
    let mut all = Vec::new();
    ledger::each(app, OffsetDateTime::now_utc(), |record, _| {
        all.push(record.clone());
        Ok(())
    })
    .expect("ledger");
    assert_eq!(all.len(), 1);
    all.pop().expect("one record")
}

struct Built {
    _scratch: Scratch,
    app: Appliance,
    now: OffsetDateTime,
    last: IssuedRecord,
    bytes: u64,
    /// The first `ledger::append` on the ledger written without its index.
    first_append: Duration,
}

fn build(n: usize) -> Built {
    let scratch = Scratch::new(&format!("ledger-{n}"));
    let root = scratch.path().join("hub");
    let opts = InitOptions {
        role: Role::TaniumServer,
        hostname: "hub.bench".into(),
        platform: Platform::V7_3,
        zone_hub: true,
        tanium_pub: None,
    };
    let app = init(&root, &opts, OffsetDateTime::now_utc()).expect("init the hub");
    let template = real_record(&app);
    let (ledger_path, index_path) = (app.path(ledger::LEDGER), app.path(ledger::INDEX));
    std::fs::remove_file(&ledger_path).expect("remove the ledger");
    let _ = std::fs::remove_file(&index_path);
    // Whole seconds: the view formats times as written.
    let now = OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp())
        .expect("now");
    let t = Instant::now();
    let file = std::fs::File::create(&ledger_path).expect("create the ledger");
    let mut out = BufWriter::with_capacity(1 << 20, file);
    for i in 0..n - 1 {
        serde_json::to_writer(&mut out, &record(&template, i, n, now)).expect("write");
        out.write_all(b"\n").expect("write");
    }
    let file = out.into_inner().expect("flush the ledger");
    file.sync_all().expect("sync the ledger");
    drop(file);
    let written = t.elapsed();
    let last = record(&template, n - 1, n, now);
    let t = Instant::now();
    {
        let _lock = lock::acquire(&app).expect("the appliance lock");
        ledger::append(&app, &last).expect("append");
    }
    let first_append = t.elapsed();
    let bytes = std::fs::metadata(&ledger_path).expect("ledger").len();
    let stored: ledger::Index =
        serde_json::from_slice(&std::fs::read(&index_path).expect("the index was saved"))
            .expect("index");
    assert_eq!(
        stored.ledger_bytes, bytes,
        "the saved index describes the ledger"
    );
    assert_eq!((stored.records, stored.latest.len()), (n, NAMES.min(n)));
    println!(
        "ledger of {n} lines: {:.1} MB ({} B a line), written in {:.1} s; index {} B",
        bytes as f64 / 1e6,
        bytes / n as u64,
        written.as_secs_f64(),
        std::fs::metadata(&index_path).expect("index").len()
    );
    Built {
        _scratch: scratch,
        app,
        now,
        last,
        bytes,
        first_append,
    }
}

// ------------------------------------------------------------------------------ figures

fn timed<T>(runs: usize, mut before: impl FnMut(), mut f: impl FnMut() -> T) -> Stats {
    let mut sample = Vec::with_capacity(runs);
    for _ in 0..runs {
        before();
        let t = Instant::now();
        std::hint::black_box(f());
        sample.push(t.elapsed());
    }
    Stats::of(&sample)
}

/// Drops `path`'s pages from the page cache (clean pages only: the files were synced).
fn evict(path: &Path) {
    let file = std::fs::File::open(path).expect("open to evict");
    // SAFETY: a valid descriptor; advice only.
    let rc = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    assert_eq!(rc, 0, "posix_fadvise");
}

fn check_page(b: &Built, n: usize) {
    let page = ledger::page(&b.app, 0, PAGE, b.now).expect("page");
    assert_eq!(page.entries.len(), PAGE.min(n));
    assert_eq!(page.total, n);
    assert_eq!(page.more, n > PAGE);
    assert_eq!(page.unreadable, 0);
    assert_eq!(page.entries[0].0, b.last, "newest first");
}

fn report_memory(id: &str, label: &str, (before, after): (u64, u64)) {
    report_value(
        &format!("{id}.peak"),
        &format!("{label}: child's peak RSS"),
        after as f64 / 1024.0,
        "MB",
    );
    report_value(
        &format!("{id}.rise"),
        &format!("{label}: peak RSS rise during the call"),
        after.saturating_sub(before) as f64,
        "kB",
    );
}

fn sizes() -> Vec<usize> {
    std::env::var("TANOS_BENCH_SIZES")
        .ok()
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().parse().expect("TANOS_BENCH_SIZES: numbers"))
                .collect()
        })
        .unwrap_or_else(|| vec![1_000, 100_000, 1_000_000])
}

fn label(n: usize) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(CHILD) {
        child(&args[2..]);
        return;
    }
    let runs = iterations(100);
    let cold_runs = (runs / 5).max(3);
    let stale_runs: usize = std::env::var("TANOS_BENCH_STALE_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(3);
    let (bare, _) = child_peak("bare", Path::new("/"), OffsetDateTime::now_utc());
    report_value(
        "ledger.bare.peak",
        "bare bench process (child doing nothing): peak RSS",
        bare as f64 / 1024.0,
        "MB",
    );
    for n in sizes() {
        assert!(n > 0, "a ledger of at least one line");
        let b = build(n);
        let tag = label(n);
        let id = format!("ledger.{tag}");
        let (ledger_path, index_path) = (b.app.path(ledger::LEDGER), b.app.path(ledger::INDEX));
        report_value(
            &format!("{id}.size"),
            &format!("{tag} lines: ledger size"),
            b.bytes as f64 / 1e6,
            "MB",
        );
        report(
            &format!("{id}.first_append"),
            &format!("{tag}: first append, no index (rebuild + save)"),
            &Stats::of(&[b.first_append]),
        );
        check_page(&b, n);

        // (a) the view, valid index.
        for _ in 0..3 {
            std::hint::black_box(ledger::page(&b.app, 0, PAGE, b.now).expect("warm-up"));
        }
        report(
            &format!("{id}.page"),
            &format!("{tag}: page(0, {PAGE}), valid index, cached"),
            &timed(
                runs,
                || {},
                || ledger::page(&b.app, 0, PAGE, b.now).expect("page"),
            ),
        );
        report(
            &format!("{id}.page.cold"),
            &format!("{tag}: page(0, {PAGE}), valid index, files evicted"),
            &timed(
                cold_runs,
                || {
                    evict(&ledger_path);
                    evict(&index_path);
                },
                || ledger::page(&b.app, 0, PAGE, b.now).expect("page"),
            ),
        );
        // (b) its memory.
        report_memory(
            &format!("{id}.page.mem"),
            &format!("{tag}: page(0, {PAGE})"),
            child_peak("page", &b.app.root, b.now),
        );

        // (c) the status header's count.
        let expiring = ledger::index(&b.app)
            .expect("index")
            .expiring_within(ledger::EXPIRING_DAYS, b.now);
        report(
            &format!("{id}.header"),
            &format!("{tag}: header count, index + expiring_within ({expiring})"),
            &timed(
                runs,
                || {},
                || {
                    ledger::index(&b.app)
                        .expect("index")
                        .expiring_within(ledger::EXPIRING_DAYS, b.now)
                },
            ),
        );
        report_memory(
            &format!("{id}.header.mem"),
            &format!("{tag}: header count"),
            child_peak("header", &b.app.root, b.now),
        );

        // (d) a stale index: the view rebuilds it from the whole ledger.
        let saved = std::fs::read(&index_path).expect("the index");
        report(
            &format!("{id}.page.stale"),
            &format!("{tag}: page(0, {PAGE}), no index (full rebuild)"),
            &timed(
                stale_runs,
                || {
                    let _ = std::fs::remove_file(&index_path);
                },
                || ledger::page(&b.app, 0, PAGE, b.now).expect("page"),
            ),
        );
        report(
            &format!("{id}.repair"),
            &format!("{tag}: repair_index at console start, no index"),
            &timed(
                stale_runs,
                || {
                    let _ = std::fs::remove_file(&index_path);
                },
                || ledger::repair_index(&b.app).expect("repair"),
            ),
        );
        let kept = std::fs::read(&index_path).ok();
        println!(
            "  after the console's repair, the index file {}",
            match &kept {
                Some(bytes) if *bytes == saved => "is saved again, as an issuance saves it",
                Some(_) => "is saved again, but differs from an issuance's",
                None => "is still missing",
            }
        );
        // Where a rebuild's time goes: reading the lines (`fsutil::forward_lines`, as
        // `ledger::rebuild` reads them), then parsing each as a record as well.
        report(
            &format!("{id}.scan"),
            &format!("{tag}: forward_lines over the ledger, no parsing"),
            &timed(
                stale_runs,
                || {},
                || {
                    let file = std::fs::File::open(&ledger_path).expect("ledger");
                    let mut lines = 0usize;
                    fsutil::forward_lines(file, |_, _| lines += 1).expect("scan");
                    assert_eq!(lines, n);
                },
            ),
        );
        report(
            &format!("{id}.scan_parse"),
            &format!("{tag}: forward_lines + serde_json record parse"),
            &timed(
                stale_runs,
                || {},
                || {
                    let file = std::fs::File::open(&ledger_path).expect("ledger");
                    let mut records = 0usize;
                    fsutil::forward_lines(file, |line, _| {
                        records += usize::from(serde_json::from_slice::<IssuedRecord>(line).is_ok())
                    })
                    .expect("scan");
                    assert_eq!(records, n);
                },
            ),
        );
        report_memory(
            &format!("{id}.page.stale.mem"),
            &format!("{tag}: page(0, {PAGE}), no index"),
            child_peak("page-stale", &b.app.root, b.now),
        );
        std::fs::write(&index_path, saved).expect("restore the index");
        check_page(&b, n);
    }
}
