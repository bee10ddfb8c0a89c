//! Issue 10, records that stay cheap: `log/audit.jsonl` is rotated by size under the
//! appliance lock (audit.jsonl.1 newest … .5), by renames only. Every change here is a real
//! one (`settings::set`, or `tanos-menu config set` run under strace): no line is lost, cut
//! or duplicated, even when the rotation is SIGKILLed at any of its renames, and the audit
//! view pages across the files newest first.

mod support;

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use support::roots;
use tanos_menu::appliance::audit::{self, AuditPage, KEPT_FILES};
use tanos_menu::appliance::catalogue::Component;
use tanos_menu::appliance::{Appliance, Layout, Role, settings};
use tanos_menu::fsutil;

const BIN: &str = env!("CARGO_BIN_EXE_tanos-menu");
/// The smallest size the catalogue allows: a rotation every dozen changes or so.
const SMALL: &str = "4096";
/// More renames than one change makes: a run never completed fails the test.
const MAX_RENAMES: u32 = 20;
const RENAMES: [&str; 3] = ["rename", "renameat", "renameat2"];

fn console_set(app: &Appliance, name: &str, value: &str) {
    settings::set(app, Component::Console, name, value, false)
        .unwrap_or_else(|e| panic!("{name} {value}: {e}"));
}

/// A Zone Server whose audit log rotates at 4096 bytes and sends nothing to syslog.
fn small_log_root(dir: &Path) -> Appliance {
    let app = roots::appliance_at(
        dir,
        "zs",
        Role::ZoneServer,
        tanos_menu::appliance::Platform::V7_3,
        false,
        None,
    );
    console_set(&app, "SyslogSocket", "none");
    console_set(&app, "AuditLogMaxBytes", SMALL);
    app
}

fn audit_files(root: &Path) -> Vec<PathBuf> {
    fsutil::with_rotated(&root.join(Layout::AUDIT), KEPT_FILES)
}

/// Every line of every audit file, newest file first, each file oldest line first.
fn raw_lines(root: &Path) -> Vec<String> {
    audit_files(root)
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .flat_map(|bytes| {
            let text = String::from_utf8(bytes).expect("audit lines are UTF-8");
            assert!(
                text.is_empty() || text.ends_with('\n'),
                "a file ends in a cut line"
            );
            text.lines().map(str::to_string).collect::<Vec<_>>()
        })
        .collect()
}

/// The IdleTimeoutSeconds value a settings.set line records.
fn idle_value(shown: &str) -> Option<u32> {
    let rest = shown.split("IdleTimeoutSeconds = ").nth(1)?;
    rest.split_whitespace().next()?.parse().ok()
}

#[test]
fn the_log_rotates_past_its_size_keeping_five_older_files_in_order() {
    let dir = roots::scratch("audit_rotation", "rotate-");
    let app = small_log_root(dir.path());
    for value in 1000..1200u32 {
        console_set(&app, "IdleTimeoutSeconds", &value.to_string());
    }
    let files = audit_files(&app.root);
    for file in &files {
        let len = std::fs::metadata(file)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
            .len();
        assert!(len <= 4096, "{} holds {len} bytes", file.display());
    }
    assert!(!fsutil::rotated(&app.path(Layout::AUDIT), 6).exists());
    // Newest first across the files, one value after the other: nothing lost within
    // what is kept, nothing twice.
    let all = audit::page(&app.root, 0, 10_000).expect("page");
    assert!(!all.more);
    assert_eq!(all.lines.len(), raw_lines(&app.root).len());
    let values: Vec<u32> = all.lines.iter().filter_map(|l| idle_value(l)).collect();
    assert_eq!(values[0], 1199);
    let oldest = *values.last().expect("values");
    assert!(oldest > 1000, "the oldest lines went with the sixth file");
    assert_eq!(values, (oldest..=1199).rev().collect::<Vec<_>>());
    // Pages of 7 put together are the whole view; `more` says whether one follows.
    let mut joined = Vec::new();
    let mut skip = 0;
    loop {
        let AuditPage { lines, more } = audit::page(&app.root, skip, 7).expect("page");
        skip += lines.len();
        joined.extend(lines);
        if !more {
            break;
        }
    }
    assert_eq!(joined, all.lines);
    assert_eq!(audit::recent(&app.root, 3).expect("recent"), all.lines[..3]);
}

#[test]
fn the_view_reads_across_a_gap_a_killed_rotation_left() {
    let dir = roots::scratch("audit_rotation", "gap-");
    let log = dir.path().join("log");
    std::fs::create_dir(&log).expect("mkdir");
    let line = |n: u32| {
        format!("{{\"time\":\"2026-01-01T00:00:00Z\",\"user\":\"u\",\"action\":\"a{n}\"}}\n")
    };
    let write = |name: &str, range: std::ops::Range<u32>| {
        let text: String = range.map(line).collect();
        std::fs::write(log.join(name), text).expect("write");
    };
    write("audit.jsonl", 30..40);
    write("audit.jsonl.1", 20..30);
    // No audit.jsonl.2: a rotation was killed between two renames.
    write("audit.jsonl.3", 10..20);
    write("audit.jsonl.5", 0..10);
    let all = audit::page(dir.path(), 0, 100).expect("page");
    let actions: Vec<String> = all
        .lines
        .iter()
        .map(|l| l.split_whitespace().nth(3).unwrap_or("").to_string())
        .collect();
    let want: Vec<String> = (0..40).rev().map(|n| format!("a{n}")).collect();
    assert_eq!(actions, want);
    let page = audit::page(dir.path(), 8, 4).expect("page");
    assert!(page.more);
    assert!(page.lines[0].contains(" a31"), "{:?}", page.lines);
    assert!(page.lines[3].contains(" a28"), "{:?}", page.lines);
    let last = audit::page(dir.path(), 36, 10).expect("page");
    assert_eq!(last.lines.len(), 4);
    assert!(!last.more);
}

#[test]
fn a_runaway_line_in_an_older_file_ends_that_file_only() {
    let dir = roots::scratch("audit_rotation", "runaway-");
    let log = dir.path().join("log");
    std::fs::create_dir(&log).expect("mkdir");
    let line = "{\"time\":\"2026-01-01T00:00:00Z\",\"user\":\"u\",\"action\":\"kept\"}\n";
    std::fs::write(log.join("audit.jsonl"), line.repeat(3)).expect("write");
    // A sparse file of zeros, far longer than any record: the reading gives up on it with a
    // line that says so, and the next older file is read as usual.
    let huge = std::fs::File::create(log.join("audit.jsonl.1")).expect("create");
    huge.set_len(4 << 30).expect("sparse");
    std::fs::write(log.join("audit.jsonl.2"), line.replace("kept", "older")).expect("write");
    let start = std::time::Instant::now();
    let all = audit::page(dir.path(), 0, 100).expect("page");
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(all.lines.len(), 5, "{:?}", all.lines);
    assert!(
        all.lines[..3].iter().all(|l| l.contains("kept")),
        "{:?}",
        all.lines
    );
    assert!(
        all.lines[3].contains("log/audit.jsonl.1 not read"),
        "{}",
        all.lines[3]
    );
    assert!(all.lines[4].contains("older"), "{}", all.lines[4]);
    let page = audit::page(dir.path(), 3, 1).expect("page");
    assert!(page.more && page.lines[0].contains("not read"), "{page:?}");
}

// ---------------------------------------------------------------- killed rotations

fn strace() -> &'static str {
    const PATH: &str = "/usr/bin/strace";
    if !Path::new(PATH).exists() {
        panic!(
            "strace is not installed: apt-get install strace (bash .ci/run installs what the tests need)"
        );
    }
    PATH
}

fn was_killed(status: ExitStatus) -> bool {
    status.signal() == Some(libc::SIGKILL) || status.code() == Some(128 + libc::SIGKILL)
}

/// `tanos-menu config set IdleTimeoutSeconds VALUE`, SIGKILLed at its `n`-th `syscall`.
fn config_set_killed(root: &Path, value: u32, kill: Option<(&str, u32)>) -> ExitStatus {
    let mut cmd = match kill {
        Some((syscall, n)) => {
            let mut c = Command::new(strace());
            c.args(["-f", "-o", "/dev/null", "-e"])
                .arg(format!("inject={syscall}:signal=SIGKILL:when={n}"))
                .arg(BIN);
            c
        }
        None => Command::new(BIN),
    };
    cmd.args(["config", "set", "IdleTimeoutSeconds", &value.to_string()])
        .args(["--component", "console", "--root"])
        .arg(root)
        .env_remove("TANOS_ROOT")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run tanos-menu")
}

/// A root whose audit.jsonl is full (the next line rotates it), with two older files.
fn full_log(template: &Path) {
    let log = template.join("log");
    let mut lines: Vec<String> = raw_lines(template);
    let fill = |tag: &str, n: usize| {
        format!(
            "{{\"time\":\"2020-01-01T00:00:00Z\",\"user\":\"fill\",\"action\":\"fill\",\"files\":[],\"fingerprints\":[],\"detail\":\"{tag}-{n}\"}}"
        )
    };
    let mut n = 0;
    while lines.iter().map(|l| l.len() + 1).sum::<usize>() < 4000 {
        lines.push(fill("current", n));
        n += 1;
    }
    let text = |lines: &[String]| lines.iter().map(|l| format!("{l}\n")).collect::<String>();
    std::fs::write(log.join("audit.jsonl"), text(&lines)).expect("write");
    for older in 1..=2 {
        let lines: Vec<String> = (0..25).map(|i| fill(&format!("older{older}"), i)).collect();
        std::fs::write(log.join(format!("audit.jsonl.{older}")), text(&lines)).expect("write");
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Each line of `before` once, every line whole JSON, and of the others only the lines of
/// `changes`' values, each at most once (each exactly once when `all_made`).
fn check_lines(root: &Path, before: &[String], changes: &[u32], all_made: bool, at: &str) {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    let now = raw_lines(root);
    for line in &now {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("{at}: a cut line {line:?}: {e}"));
        *count.entry(line).or_default() += 1;
    }
    for line in before {
        assert_eq!(count.get(line.as_str()), Some(&1), "{at}: {line}");
    }
    let new: Vec<&String> = now.iter().filter(|l| !before.contains(l)).collect();
    for line in &new {
        let value = idle_value(line).unwrap_or_else(|| panic!("{at}: unknown line {line}"));
        assert!(changes.contains(&value), "{at}: {line}");
        assert_eq!(count[line.as_str()], 1, "{at}: twice: {line}");
    }
    if all_made {
        assert_eq!(new.len(), changes.len(), "{at}: {new:?}");
    }
    let view = audit::page(root, 0, 1000).expect("page");
    assert_eq!(
        view.lines.len(),
        now.len(),
        "{at}: the view shows every line"
    );
}

#[test]
fn a_rotation_killed_at_any_rename_loses_no_line() {
    let dir = roots::scratch("audit_rotation", "killed-");
    let app = small_log_root(dir.path());
    full_log(&app.root);
    let before = raw_lines(&app.root);
    let mut kills = 0;
    for syscall in RENAMES {
        let mut completed = false;
        for n in 1..=MAX_RENAMES {
            let case = dir.path().join(format!("{syscall}-{n}"));
            copy_tree(&app.root, &case);
            let at = format!("killed at {syscall} {n}");
            let status = config_set_killed(&case, 4000 + n, Some((syscall, n)));
            check_lines(&case, &before, &[4000 + n], status.success(), &at);
            if status.success() {
                let third = fsutil::rotated(&case.join(Layout::AUDIT), 3);
                assert!(third.exists(), "{at}: the change did not rotate the log");
            }
            // The next change completes, and still nothing is lost.
            let after = config_set_killed(&case, 5000, None);
            assert!(after.success(), "{at}: the next change failed");
            check_lines(&case, &before, &[4000 + n, 5000], false, &at);
            let newest = audit::recent(&case, 1).expect("recent");
            assert_eq!(idle_value(&newest[0]), Some(5000), "{at}");
            std::fs::remove_dir_all(&case).expect("rm");
            if status.success() {
                completed = true;
                break;
            }
            assert!(was_killed(status), "{at}: {status}");
            kills += 1;
        }
        assert!(
            completed,
            "{syscall}: never completed in {MAX_RENAMES} runs"
        );
    }
    // settings.toml's rename, then audit.jsonl.2, .1 and audit.jsonl moved one up.
    assert!(kills >= 4, "only {kills} renames were killed");
}
