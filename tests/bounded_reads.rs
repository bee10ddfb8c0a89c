//! Issue 8, item 11: every file the product reads is a regular file of bounded size. A
//! device, a FIFO, a directory or a huge sparse file is refused before it is read (never
//! read until memory runs out, never waited on); path settings are checked when set.
//!
//! Reads that could hang run on a thread and are awaited with a generous deadline: a hang
//! fails the test instead of stopping the suite.

mod support;

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use support::roots;
use tanos_menu::appliance::status::{self, CertState};
use tanos_menu::appliance::{Appliance, Layout, Platform, Role, tls};
use tanos_menu::fsutil;
use time::OffsetDateTime;

const BIN: &str = env!("CARGO_BIN_EXE_tanos-menu");
/// Far beyond any honest read; only a hang or a read of gigabytes gets near it.
const DEADLINE: Duration = Duration::from_secs(120);

fn mkfifo(path: &Path) {
    let c = CString::new(path.as_os_str().as_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

/// A sparse file of 8 GiB: nothing on disk, gigabytes to a reader that does not check.
fn sparse(path: &Path) {
    let file = std::fs::File::create(path).expect("create");
    file.set_len(8 << 30).expect("set_len");
}

/// The hostile files of one test: /dev/zero, a FIFO without a writer, a directory, a huge
/// sparse file, and a symbolic link to /dev/zero.
fn hostile(dir: &Path) -> Vec<PathBuf> {
    let fifo = dir.join("fifo.crt");
    mkfifo(&fifo);
    let directory = dir.join("dir.crt");
    std::fs::create_dir(&directory).expect("mkdir");
    let huge = dir.join("huge.crt");
    sparse(&huge);
    let link = dir.join("zero-link.crt");
    std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
    vec![PathBuf::from("/dev/zero"), fifo, directory, huge, link]
}

/// Runs `f` on a thread; its answer, or a failure after the deadline.
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(DEADLINE)
        .unwrap_or_else(|_| panic!("{what}: no answer: the read hangs or reads without end"))
}

fn zone_server(dir: &Path) -> Appliance {
    roots::appliance_at(dir, "zs", Role::ZoneServer, Platform::V7_3, false, None)
}

fn tanium_server(dir: &Path) -> Appliance {
    roots::appliance_at(dir, "ts", Role::TaniumServer, Platform::V7_3, false, None)
}

#[test]
fn the_bounded_reader_refuses_devices_fifos_directories_and_huge_files() {
    let dir = roots::scratch("bounded_reads", "reader-");
    for path in hostile(dir.path()) {
        let shown = path.display().to_string();
        let p = path.clone();
        let result = within(&shown, move || fsutil::read_bytes(&p, fsutil::LIMIT_LOG));
        let e = result.expect_err(&shown);
        let text = e.to_string();
        assert!(
            text.contains("not a regular file") || text.contains("the limit for this file"),
            "{shown}: {text}"
        );
    }
    let small = dir.path().join("small.txt");
    std::fs::write(&small, "ok\n").expect("write");
    assert_eq!(fsutil::read_text(&small, 3).expect("read"), "ok\n");
    let e = fsutil::read_text(&small, 2).expect_err("over the cap");
    assert!(e.to_string().contains("limit"), "{e}");
    assert!(
        fsutil::read_text_opt(&dir.path().join("missing"), 10)
            .expect("missing is not an error")
            .is_none()
    );
}

/// `config set` of a path setting checks what the path names: the issue's `/dev/zero`, and
/// every other kind of non-file, is refused with settings.toml unchanged.
#[test]
fn config_set_refuses_a_path_that_is_not_a_file() {
    let dir = roots::scratch("bounded_reads", "config-set-");
    let app = tanium_server(dir.path());
    let settings = app.path(Layout::SETTINGS);
    let before = std::fs::read(&settings).expect("settings");
    let refused: Vec<String> = hostile(dir.path())
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    for name in [
        "ReportingTLSCertPath",
        "ReportingTLSKeyPath",
        "ReportingTLSKeyPasswordFile",
    ] {
        for path in &refused {
            let out = Command::new(BIN)
                .args(["config", "set", name, path, "--yes", "--root"])
                .arg(&app.root)
                .output()
                .expect("run");
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name} {path}: {err}");
            assert!(err.contains(name), "{err}");
            assert_eq!(
                std::fs::read(&settings).expect("settings"),
                before,
                "{path}"
            );
        }
    }
    // A file not there yet (a vendor path too) and a real file are accepted.
    for path in [
        "tanium/next.crt",
        "/opt/Tanium/Tanium Server/reporting.crt",
        "tanium/reporting.crt",
    ] {
        let out = Command::new(BIN)
            .args(["config", "set", "ReportingTLSCertPath", path, "--yes"])
            .arg("--root")
            .arg(&app.root)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `init --tanium-pub /dev/zero` (and a FIFO, a directory, a huge file) is refused at once,
/// and no appliance is made.
#[test]
fn init_refuses_a_tanium_pub_that_is_not_a_small_file() {
    let dir = roots::scratch("bounded_reads", "init-");
    for (i, path) in hostile(dir.path()).into_iter().enumerate() {
        let root = dir.path().join(format!("zs{i}"));
        let shown = path.display().to_string();
        let out = within(&shown, {
            let root = root.clone();
            move || {
                Command::new(BIN)
                    .args([
                        "init",
                        "--role",
                        "zone-server",
                        "--hostname",
                        "zs01.example",
                    ])
                    .arg("--tanium-pub")
                    .arg(&path)
                    .arg("--root")
                    .arg(&root)
                    .output()
                    .expect("run")
            }
        });
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{shown}: {err}");
        assert!(err.contains("--tanium-pub"), "{err}");
        assert!(!root.join("appliance.toml").exists(), "{shown}");
    }
}

/// settings.toml edited by hand to point at a device or FIFO: the console's status read
/// reports the certificate unreadable instead of reading forever.
#[test]
fn status_read_of_a_hostile_certificate_path_ends() {
    let dir = roots::scratch("bounded_reads", "status-");
    let app = zone_server(dir.path());
    for path in hostile(dir.path()) {
        let settings = format!(
            "[zone-server]\nReportingTLSCertPath = \"{}\"\n",
            path.display()
        );
        std::fs::write(app.path(Layout::SETTINGS), settings).expect("settings");
        let shown = path.display().to_string();
        let a = app.clone();
        let snap = within(&shown, move || {
            status::snapshot(&a, OffsetDateTime::now_utc())
        });
        assert!(
            matches!(snap.cert, CertState::Unreadable(_)),
            "{shown}: {:?}",
            snap.cert
        );
    }
}

/// The hub's root certificate is read for the longest validity it may still sign (Tanium
/// Status, the CSR prompt): a FIFO, a device or a huge file in its place is refused, not
/// waited on or read without end.
#[test]
fn status_read_of_a_hostile_root_certificate_ends() {
    let dir = roots::scratch("bounded_reads", "root-cert-");
    let app = tanium_server(dir.path());
    let root_cert = app.path(tls::TS_ROOT_CERT);
    let mut hostile = hostile(dir.path());
    // The FIFO first: a reader without a bound waits on it forever rather than filling memory.
    hostile.rotate_left(1);
    for path in hostile {
        std::fs::remove_file(&root_cert).ok();
        std::os::unix::fs::symlink(&path, &root_cert).expect("symlink");
        let shown = path.display().to_string();
        let a = app.clone();
        let snap = within(&shown, move || {
            status::snapshot(&a, OffsetDateTime::now_utc())
        });
        assert!(
            matches!(snap.issue_limit, Some(Err(_))),
            "{shown}: {:?}",
            snap.issue_limit
        );
    }
}

/// The command line's PEM reads (`keyutility reporting-tls-issue`) and the appliance's own
/// files are bounded too: a FIFO in the place of the Zone Server's CSR is refused.
#[test]
fn appliance_files_replaced_by_hostile_ones_are_refused() {
    let dir = roots::scratch("bounded_reads", "files-");
    let app = zone_server(dir.path());
    let csr = app.path(tls::ZS_CSR);
    mkfifo(&csr);
    let key = app.path(tls::ZS_KEY);
    std::os::unix::fs::symlink("/dev/zero", &key).expect("symlink");
    let a = app.clone();
    let has_key = within("trusted root and key", move || {
        tls::check_for_install(&a, "x", OffsetDateTime::now_utc())
            .err()
            .map(|e| e.to_string())
    });
    let text = has_key.expect("refused");
    assert!(text.contains("not a regular file"), "{text}");
    let p = csr.clone();
    let e = within("read_pem_file", move || tls::read_pem_file(&p)).expect_err("fifo");
    assert!(e.to_string().contains("FIFO"), "{e}");
    // The audit log is only appended to a regular file: a FIFO in its place is refused,
    // not waited on.
    let audit = app.path(Layout::AUDIT);
    std::fs::remove_file(&audit).ok();
    mkfifo(&audit);
    let a = app.clone();
    let e = within("audit append", move || {
        tanos_menu::appliance::audit::record_locking(&a, "test", &[], &[], "")
    })
    .expect_err("fifo");
    assert!(!e.to_string().is_empty());
}

/// The appliance's own files replaced by a huge sparse file, a FIFO or a link to a device:
/// each read answers with an error (the console shows it) instead of reading or waiting.
#[test]
fn key_files_settings_and_config_replaced_by_hostile_files_are_refused() {
    let dir = roots::scratch("bounded_reads", "own-files-");
    let app = tanium_server(dir.path());
    let authorized = app.ssh_dir("tancopy").join("authorized_keys");
    std::fs::remove_file(&authorized).ok();
    sparse(&authorized);
    let known = tanos_menu::appliance::users::known_hosts_path(&app);
    std::fs::remove_file(&known).ok();
    mkfifo(&known);
    let a = app.clone();
    let (rows, hosts, added) = within("key files", move || {
        (
            tanos_menu::appliance::users::authorized_rows(&a, "tancopy").map(|_| ()),
            tanos_menu::appliance::users::known_host_rows(&a).map(|_| ()),
            tanos_menu::appliance::users::add_authorized(
                &a,
                "tancopy",
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl x",
            )
            .map(|_| ()),
        )
    });
    assert!(rows.expect_err("huge").to_string().contains("limit"));
    assert!(hosts.expect_err("fifo").to_string().contains("FIFO"));
    assert!(added.is_err());
    assert_eq!(
        std::fs::metadata(&authorized).expect("still there").len(),
        8 << 30,
        "nothing was rewritten"
    );

    let settings = app.path(Layout::SETTINGS);
    std::fs::remove_file(&settings).expect("rm settings");
    std::os::unix::fs::symlink("/dev/zero", &settings).expect("link");
    let a = app.clone();
    let snap = within("settings", move || {
        status::snapshot(&a, OffsetDateTime::now_utc())
    });
    let e = snap.settings.expect_err("refused");
    assert!(e.contains("not a regular file"), "{e}");
    let config = app.path(Layout::CONFIG);
    std::fs::remove_file(&config).expect("rm config");
    mkfifo(&config);
    let root = app.root.clone();
    let opened = within("appliance.toml", move || Appliance::open(&root).map(|_| ()));
    assert!(
        opened.expect_err("fifo").to_string().contains("FIFO"),
        "refused"
    );
}

/// The audit view and the issued ledger: a hostile file in their place is refused, and a
/// log that grew past what the view reads still shows its newest lines.
#[test]
fn the_audit_view_and_issued_ledger_read_bounded() {
    let dir = roots::scratch("bounded_reads", "logs-");
    let app = tanium_server(dir.path());
    for bad in hostile(dir.path()) {
        let audit = app.path(Layout::AUDIT);
        std::fs::remove_file(&audit).ok();
        std::fs::remove_dir(&audit).ok();
        std::os::unix::fs::symlink(&bad, &audit).expect("symlink");
        let root = app.root.clone();
        let r = within("audit view", move || {
            tanos_menu::appliance::audit::recent(&root, 10)
        });
        if bad.ends_with("huge.crt") {
            // A huge regular file is a log that grew: its tail is read, zeros and all.
            assert!(r.is_ok(), "{r:?}");
        } else {
            assert!(r.is_err(), "{}: {r:?}", bad.display());
        }
        let issued = app.path("tanium/issued.jsonl");
        std::fs::remove_file(&issued).ok();
        std::os::unix::fs::symlink(&bad, &issued).expect("symlink");
        let a = app.clone();
        let r = within("issued ledger", move || {
            tanos_menu::appliance::ledger::page(&a, 0, 10, time::OffsetDateTime::now_utc())
                .map(|p| (p.entries.len(), p.unreadable))
        });
        assert!(r.is_err(), "{}: {r:?}", bad.display());
        std::fs::remove_file(&issued).expect("unlink");
    }
    // 6 MiB of old lines, then the newest: the view shows the newest first, no cut line.
    let audit = app.path(Layout::AUDIT);
    std::fs::remove_file(&audit).expect("unlink");
    let old = "{\"time\":\"2020-01-01T00:00:00Z\",\"user\":\"old\",\"action\":\"old\"}\n";
    let mut text = old.repeat(6 * 1024 * 1024 / old.len());
    text.push_str(
        "{\"time\":\"2026-01-01T00:00:00Z\",\"user\":\"tanadmin\",\"action\":\"newest\"}\n",
    );
    std::fs::write(&audit, text).expect("write");
    let lines = tanos_menu::appliance::audit::recent(&app.root, 5).expect("read");
    assert_eq!(lines.len(), 5);
    assert!(lines[0].contains("newest"), "{lines:?}");
    assert!(lines[1..].iter().all(|l| l.contains("old")), "{lines:?}");
}

/// The system files read through the bounded reader too (/proc, /etc/passwd) still answer:
/// procfs files report a size of 0 and are read whole.
#[test]
fn system_files_read_bounded_still_answer() {
    // SAFETY: getppid has no preconditions.
    let parent = u32::try_from(unsafe { libc::getppid() }).expect("pid");
    assert_eq!(
        tanos_menu::appliance::sshd::parent_of(std::process::id()),
        Some(parent)
    );
    let user = tanos_menu::appliance::audit::current_user();
    assert!(!user.is_empty() && !user.contains(':'), "{user}");
    let text = fsutil::read_text(Path::new("/proc/self/stat"), fsutil::LIMIT_PEM).expect("stat");
    assert!(
        text.starts_with(&format!("{} (", std::process::id())),
        "{text}"
    );
}
