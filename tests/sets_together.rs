//! Issue 8, item 9: files that belong together (a key and its CSR, a key pair, a key and its
//! certificate) change as one. Each write is killed with strace's fault injection at every
//! rename it makes (`inject=rename:signal=SIGKILL:when=N`, N = 1, 2, … until a run
//! completes); after the next start the files match (OpenSSL and ssh-keygen judge), old
//! pair or new pair, never a mix, and nothing is left aside.
//!
//! The killed process is this test binary re-run as a worker (`sets_child`), so the
//! product's own functions are what gets killed.

mod support;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use support::roots;
use support::tools::run_ok;
use tanos_menu::appliance::status::{self, CertState};
use tanos_menu::appliance::{Appliance, Layout, Role, lock, tls, users};
use tanos_menu::pki::KeyType;
use tanos_menu::pki::csr::{self, CsrRequest};
use time::OffsetDateTime;

const HELPER: &str = "sets_child";
const MODE: &str = "TANOS_SETS_CHILD";
const ROOT: &str = "TANOS_SETS_ROOT";
const BIN: &str = env!("CARGO_BIN_EXE_tanos-menu");
/// More renames than any of these writes makes: a run that is never completed fails.
const MAX_RENAMES: u32 = 40;

fn strace() -> &'static str {
    const PATH: &str = "/usr/bin/strace";
    if !Path::new(PATH).exists() {
        panic!(
            "strace is not installed: apt-get install strace (bash .ci/run installs what the tests need)"
        );
    }
    PATH
}

/// The worker: one write, in the mode the parent asks for. Nothing unless `MODE` is set.
#[test]
fn sets_child() {
    let Some(mode) = std::env::var_os(MODE) else {
        return;
    };
    let root = PathBuf::from(std::env::var_os(ROOT).expect("root"));
    let app = Appliance::open(&root).expect("open");
    let now = OffsetDateTime::now_utc();
    match mode.to_str() {
        Some("write-csr") => {
            support::tls::write_simple_csr(&app, now);
        }
        Some("keypair") => {
            users::regenerate_keypair(&app, "tanadmin", now).expect("keypair");
        }
        Some("server-tls") => {
            tls::regenerate_server_tls(&app, now).expect("server tls");
        }
        other => panic!("unknown mode {other:?}"),
    }
}

/// The system calls that rename: strace counts `when=N` per call, so each is injected alone.
const RENAMES: [&str; 3] = ["rename", "renameat", "renameat2"];

/// Runs the worker under strace, SIGKILLed at its `n`-th call of `syscall`.
fn killed_at(mode: &str, root: &Path, syscall: &str, n: u32) -> ExitStatus {
    let exe = std::env::current_exe().expect("test binary");
    Command::new(strace())
        .args(["-f", "-o", "/dev/null", "-e"])
        .arg(format!("inject={syscall}:signal=SIGKILL:when={n}"))
        .arg(exe)
        .args(["--exact", HELPER, "--nocapture", "--test-threads=1"])
        .env(MODE, mode)
        .env(ROOT, root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run strace")
}

fn was_killed(status: ExitStatus) -> bool {
    status.signal() == Some(libc::SIGKILL) || status.code() == Some(128 + libc::SIGKILL)
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn openssl(args: &[&str], dir: &Path) -> String {
    run_ok("openssl", args, dir)
}

/// Files a killed write may leave aside: staged copies and set journals.
/// A new P-256 private key in PEM, from OpenSSL.
fn new_p256_key(dir: &Path) -> String {
    openssl(
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ],
        dir,
    )
}

fn leftovers(dirs: &[PathBuf]) -> Vec<PathBuf> {
    dirs.iter()
        .flat_map(|d| std::fs::read_dir(d).expect("read dir"))
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(".tanos-") && n != ".tanos-audit-failed")
        })
        .collect()
}

/// Kills `mode` at every rename (each call of each renaming system call, until a run
/// completes); after each, the console's start (`lock::tidy`) and `check`. Returns how many
/// runs were killed.
fn at_every_rename(mode: &str, app: &Appliance, dirs: &[PathBuf], check: impl Fn(u32)) -> u32 {
    let mut kills = 0;
    for syscall in RENAMES {
        let mut completed = false;
        for n in 1..=MAX_RENAMES {
            let status = killed_at(mode, &app.root, syscall, n);
            lock::tidy(app);
            check(n);
            assert_eq!(
                leftovers(dirs),
                Vec::<PathBuf>::new(),
                "{mode} at {syscall} {n}"
            );
            if status.success() {
                completed = true;
                break;
            }
            assert!(was_killed(status), "{mode} at {syscall} {n}: {status}");
            kills += 1;
        }
        assert!(completed, "{mode}: never completed in {MAX_RENAMES} runs");
    }
    assert!(kills >= 3, "{mode}: only {kills} renames were killed");
    kills
}

/// Generate CSR (2 › Z › 1) killed at each rename: reporting.pvk and reporting.csr match
/// after the next start, and /outgoing holds the same CSR.
#[test]
fn key_and_csr_change_as_one_whatever_rename_is_killed() {
    let (_dir, app) = roots::scratch_appliance("sets_together", "csr-", "zs", Role::ZoneServer);
    let zs = app.path(Layout::ZONE_DIR);
    let new = csr::generate_csr(&CsrRequest {
        common_name: "zs01.example".into(),
        dns_names: Vec::new(),
        ips: Vec::new(),
        key_type: KeyType::EcdsaP256,
    })
    .expect("csr");
    tls::write_new_csr(&app, &new, OffsetDateTime::now_utc()).expect("first pair");
    let dirs = [zs.clone(), app.path(Layout::OUTGOING)];
    let kills = at_every_rename("write-csr", &app, &dirs, |n| {
        let key = openssl(&["pkey", "-in", "reporting.pvk", "-pubout"], &zs);
        let csr = openssl(
            &[
                "req",
                "-in",
                "reporting.csr",
                "-pubkey",
                "-noout",
                "-verify",
            ],
            &zs,
        );
        assert_eq!(key, csr, "key and CSR differ after a kill at rename {n}");
        assert_eq!(
            bytes(&app.path(tls::ZS_CSR)),
            bytes(&app.path(tls::OUT_CSR)),
            "/outgoing CSR differs after a kill at rename {n}"
        );
    });
    assert!(kills >= 3, "{kills}");
}

/// New key pair for a TanOS user killed at each rename: id_ed25519.pub is the public half
/// of id_ed25519 (ssh-keygen -y).
#[test]
fn key_pair_changes_as_one_whatever_rename_is_killed() {
    let (_dir, app) =
        roots::scratch_appliance("sets_together", "keypair-", "ts", Role::TaniumServer);
    let ssh = app.ssh_dir("tanadmin");
    at_every_rename("keypair", &app, std::slice::from_ref(&ssh), |n| {
        let derived = run_ok("ssh-keygen", &["-y", "-f", "id_ed25519"], &ssh);
        let public = String::from_utf8(bytes(&ssh.join("id_ed25519.pub"))).expect("utf-8");
        let key_of = |l: &str| l.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
        assert_eq!(
            key_of(&derived),
            key_of(&public),
            "key pair differs after a kill at rename {n}"
        );
    });
}

/// The Tanium Server's own TLS key and certificate killed at each rename: the certificate
/// is for the key (OpenSSL), and Tanium Status calls it valid.
#[test]
fn server_key_and_certificate_change_as_one_whatever_rename_is_killed() {
    let (_dir, app) =
        roots::scratch_appliance("sets_together", "server-tls-", "ts", Role::TaniumServer);
    let tanium = app.path(Layout::TANIUM_DIR);
    at_every_rename("server-tls", &app, std::slice::from_ref(&tanium), |n| {
        let key = openssl(&["pkey", "-in", "reporting.pvk", "-pubout"], &tanium);
        let cert = openssl(
            &["x509", "-in", "reporting.crt", "-pubkey", "-noout"],
            &tanium,
        );
        assert_eq!(
            key, cert,
            "key and certificate differ after a kill at rename {n}"
        );
        let snap = status::snapshot(&app, OffsetDateTime::now_utc());
        assert!(
            matches!(snap.cert, CertState::Installed { .. }),
            "{:?}",
            snap.cert
        );
    });
}

/// `keyutility reporting-tls-request --force` killed at each rename: the next run finds the
/// key and CSR matching (it completes or undoes the interrupted pair before anything else).
#[test]
fn keyutility_request_changes_key_and_csr_as_one() {
    let dir = roots::scratch("sets_together", "keyutility-");
    let work = dir.path();
    let request = |force: bool| {
        let mut cmd = Command::new(BIN);
        cmd.args(["keyutility", "reporting-tls-request", "k.pvk", "k.csr"])
            .current_dir(work)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if force {
            cmd.arg("--force");
        }
        cmd
    };
    assert!(request(false).status().expect("first").success());
    let mut kills = 0;
    for syscall in RENAMES {
        for n in 1..=MAX_RENAMES {
            let mut traced = Command::new(strace());
            traced
                .args(["-f", "-o", "/dev/null", "-e"])
                .arg(format!("inject={syscall}:signal=SIGKILL:when={n}"))
                .arg(BIN)
                .args([
                    "keyutility",
                    "reporting-tls-request",
                    "k.pvk",
                    "k.csr",
                    "--force",
                ])
                .current_dir(work)
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let status = traced.status().expect("strace");
            // The next start of the tool (here a run that refuses to replace) recovers first.
            let _ = request(false).status().expect("next run");
            let key = openssl(&["pkey", "-in", "k.pvk", "-pubout"], work);
            let csr = openssl(&["req", "-in", "k.csr", "-pubkey", "-noout"], work);
            assert_eq!(key, csr, "key and CSR differ after a kill at {syscall} {n}");
            let journals = leftovers(&[work.to_path_buf()])
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "journal"))
                .count();
            assert_eq!(journals, 0, "a journal left after {syscall} {n}");
            if status.success() {
                break;
            }
            assert!(was_killed(status), "{status}");
            kills += 1;
        }
    }
    assert!(kills >= 2, "{kills}");
}

/// Tanium Status does not call a certificate valid when it is not for the installed key:
/// another key, or no key at all, in its place.
#[test]
fn status_says_a_certificate_does_not_match_the_key() {
    let (dir, app) =
        roots::scratch_appliance("sets_together", "mismatch-", "ts", Role::TaniumServer);
    let snap = status::snapshot(&app, OffsetDateTime::now_utc());
    assert!(
        snap.cert.short().starts_with("valid until"),
        "{}",
        snap.cert.short()
    );
    let key = app.path(tls::TS_KEY);
    let other = new_p256_key(dir.path());
    std::fs::write(&key, other).expect("replace key");
    let snap = status::snapshot(&app, OffsetDateTime::now_utc());
    match &snap.cert {
        CertState::KeyMismatch { reason, .. } => {
            assert!(reason.contains("another key"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    let short = snap.cert.short();
    assert!(!short.to_lowercase().contains("valid"), "{short}");
    assert!(short.contains("DOES NOT MATCH"), "{short}");
    std::fs::remove_file(&key).expect("remove key");
    let snap = status::snapshot(&app, OffsetDateTime::now_utc());
    assert!(
        matches!(&snap.cert, CertState::KeyMismatch { reason, .. } if reason.contains("no private key")),
        "{:?}",
        snap.cert
    );
}

fn hex(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A journal the product did not write is never acted on: one naming files outside its
/// directory, one copied from elsewhere (not naming itself), one that peers dropped in
/// /incoming. Nothing is renamed, nothing removed but the product's own leftovers.
#[test]
fn foreign_journals_rename_nothing() {
    let (dir, app) = roots::scratch_appliance("sets_together", "foreign-", "zs", Role::ZoneServer);
    let zone = std::path::absolute(app.path(Layout::ZONE_DIR)).expect("absolute");
    let incoming = std::path::absolute(app.path(Layout::INCOMING)).expect("absolute");
    let victim = zone.join("victim.txt");
    std::fs::write(&victim, "kept\n").expect("victim");
    let outside = dir.path().join("outside.tmp");
    std::fs::write(&outside, "outside\n").expect("outside");
    let peer_staged = incoming.join(".tanos-peer.tmp");
    std::fs::write(&peer_staged, "peer\n").expect("peer staged");
    let journal = |at: &Path, names: &Path, staged: &Path, target: &Path| {
        let text = format!(
            "tanos-set 1\njournal {}\nfile {} {}\n",
            hex(names),
            hex(staged),
            hex(target)
        );
        std::fs::write(at, text).expect("journal");
    };
    // 1. The staged file is not beside its place.
    let j1 = zone.join(".tanos-set-1.journal");
    journal(
        &j1,
        &j1,
        &std::path::absolute(&outside).expect("abs"),
        &victim,
    );
    // 2. Copied from elsewhere: it names another journal.
    let j2 = zone.join(".tanos-set-2.journal");
    let staged = zone.join(".tanos-real.tmp");
    std::fs::write(&staged, "staged\n").expect("staged");
    journal(&j2, &dir.path().join("elsewhere.journal"), &staged, &victim);
    // 3. In /incoming, where peers write.
    let j3 = incoming.join(".tanos-set-3.journal");
    journal(&j3, &j3, &peer_staged, &incoming.join("reporting.crt"));
    lock::tidy(&app);
    assert_eq!(bytes(&victim), b"kept\n");
    assert_eq!(bytes(&outside), b"outside\n");
    assert!(!incoming.join("reporting.crt").exists());
}

/// A journal dropped where the command line writes (a shared directory such as /tmp) never
/// acts outside the directories being recovered: not by naming a file elsewhere as one of
/// its journals (removed once the set is applied: `/etc/passwd`), nor by a place elsewhere
/// (renamed over), nor through a link to another directory.
#[test]
fn a_planted_journal_touches_nothing_outside_its_directories() {
    let dir = roots::scratch("sets_together", "planted-");
    let work = std::path::absolute(dir.path().join("work")).expect("absolute");
    let victims = std::path::absolute(dir.path().join("victims")).expect("absolute");
    std::fs::create_dir(&work).expect("work");
    std::fs::create_dir(&victims).expect("victims");
    std::os::unix::fs::symlink(&victims, work.join("lnk")).expect("link");
    let passwd = victims.join("passwd");
    let shadow = victims.join("shadow");
    let group = victims.join("group");
    for (path, text) in [
        (&passwd, "passwd\n"),
        (&shadow, "shadow\n"),
        (&group, "group\n"),
    ] {
        std::fs::write(path, text).expect("victim");
    }
    for name in [".tanos-b.tmp", ".tanos-c.tmp"] {
        std::fs::write(victims.join(name), "planted\n").expect("planted");
    }
    // Names itself, then /victims/passwd as its primary journal; renames into /victims.
    let j1 = work.join(".tanos-set-1.journal");
    let text = format!(
        "tanos-set 1\njournal {}\njournal {}\nfile {} {}\nfile {} {}\n",
        hex(&j1),
        hex(&passwd),
        hex(&work.join(".tanos-a.tmp")),
        hex(&work.join("a")),
        hex(&victims.join(".tanos-b.tmp")),
        hex(&shadow)
    );
    std::fs::write(&j1, text).expect("journal 1");
    // Through a link in the directory to another one.
    let j2 = work.join(".tanos-set-2.journal");
    let text = format!(
        "tanos-set 1\njournal {}\nfile {} {}\nfile {} {}\n",
        hex(&j2),
        hex(&work.join(".tanos-z.tmp")),
        hex(&work.join("z")),
        hex(&work.join("lnk/.tanos-c.tmp")),
        hex(&work.join("lnk/group"))
    );
    std::fs::write(&j2, text).expect("journal 2");
    let key = work.join("reporting.pvk");
    let csr = work.join("reporting.csr");
    let out = Command::new(BIN)
        .arg("keyutility")
        .arg("reporting-tls-request")
        .arg(&key)
        .arg(&csr)
        .args(["--common-name", "zs01.example"])
        .stdin(Stdio::null())
        .output()
        .expect("run keyutility");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(bytes(&passwd), b"passwd\n", "a file outside was removed");
    assert_eq!(
        bytes(&shadow),
        b"shadow\n",
        "a file outside was renamed over"
    );
    assert_eq!(
        bytes(&group),
        b"group\n",
        "a file behind a link was renamed over"
    );
}

/// A journal or staged file another account dropped in a shared directory is never acted
/// on, even naming only files of that directory: the operator's file there is not replaced
/// by the other account's before the command line looks at it.
#[test]
fn a_journal_of_another_account_renames_nothing() {
    let dir = roots::scratch("sets_together", "other-account-");
    let work = std::path::absolute(dir.path()).expect("absolute");
    let key = work.join("reporting.pvk");
    std::fs::write(&key, "the operator's key\n").expect("key");
    let planted = work.join(".tanos-p.tmp");
    std::fs::write(&planted, "planted\n").expect("planted");
    let journal = work.join(".tanos-set-7.journal");
    let text = format!(
        "tanos-set 1\njournal {}\nfile {} {}\n",
        hex(&journal),
        hex(&planted),
        hex(&key)
    );
    std::fs::write(&journal, text).expect("journal");
    // nobody: another account than the one running the command line.
    for path in [&journal, &planted] {
        std::os::unix::fs::chown(path, Some(65534), Some(65534)).expect("chown");
    }
    let out = Command::new(BIN)
        .arg("keyutility")
        .arg("reporting-tls-request")
        .arg(&key)
        .arg(work.join("reporting.csr"))
        .args(["--common-name", "zs01.example"])
        .stdin(Stdio::null())
        .output()
        .expect("run keyutility");
    assert_eq!(out.status.code(), Some(2), "refused: the key exists");
    assert_eq!(bytes(&key), b"the operator's key\n");
}

/// A kill after the commit point leaves the other half only as a staged copy: the next
/// start (through another path to the root, too) puts it in place rather than removing it
/// as a leftover.
#[test]
fn the_next_start_keeps_the_staged_half_of_a_committed_pair() {
    let (dir, app) =
        roots::scratch_appliance("sets_together", "staged-half-", "zs", Role::ZoneServer);
    let zone = app.path(Layout::ZONE_DIR);
    // Kill at the first plain rename: journals written, key renamed, CSR still staged.
    let status = killed_at("write-csr", &app.root, "rename", 2);
    assert!(was_killed(status), "{status}");
    let staged: Vec<PathBuf> = leftovers(std::slice::from_ref(&zone));
    assert!(
        staged
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "tmp")),
        "the CSR is staged: {staged:?}"
    );
    assert!(app.path(tls::ZS_KEY).exists());
    assert!(!app.path(tls::ZS_CSR).exists(), "no CSR yet");
    // The console opens the appliance through another path than the killed write used.
    let link = dir.path().join("zs-link");
    std::os::unix::fs::symlink(&app.root, &link).expect("symlink");
    lock::tidy(&Appliance::open(&link).expect("open through the link"));
    let key = openssl(&["pkey", "-in", "reporting.pvk", "-pubout"], &zone);
    let csr = openssl(&["req", "-in", "reporting.csr", "-pubkey", "-noout"], &zone);
    assert_eq!(key, csr);
}

/// Tanium Status (the screen) says the certificate does not match, and why.
#[test]
fn status_screen_shows_the_mismatch() {
    let (dir, app) = roots::scratch_appliance(
        "sets_together",
        "mismatch-screen-",
        "ts",
        Role::TaniumServer,
    );
    let other = new_p256_key(dir.path());
    std::fs::write(app.path(tls::TS_KEY), other).expect("replace key");
    let mut m = tanos_menu::app::initial_model(&app.root).expect("console");
    m.size = (80, 24);
    let _ = tanos_menu::model::update(
        &mut m,
        tanos_menu::model::Msg::Key(tanos_menu::model::Key::Char('1')),
    );
    let _ = tanos_menu::model::update(
        &mut m,
        tanos_menu::model::Msg::Key(tanos_menu::model::Key::Enter),
    );
    let backend = ratatui::backend::TestBackend::new(80, 24);
    let mut terminal = ratatui::Terminal::new(backend).expect("terminal");
    terminal
        .draw(|f| tanos_menu::ui::draw(&m, f))
        .expect("draw");
    let buffer = terminal.backend().buffer();
    let screen: String = (0..24)
        .map(|y| (0..80).map(|x| buffer[(x, y)].symbol()).collect::<String>() + "\n")
        .collect();
    assert!(
        screen.contains("DOES NOT MATCH the private key"),
        "{screen}"
    );
    assert!(screen.contains("issued for another key"), "{screen}");
    assert!(!screen.contains("valid until"), "{screen}");
}

/// Tanium Status does not call a certificate valid that the trusted root did not sign: a
/// self-signed one for the installed key, or the installed one once another root is trusted.
#[test]
fn status_says_a_certificate_is_not_signed_by_the_trusted_root() {
    let (dir, app) =
        roots::scratch_appliance("sets_together", "untrusted-", "ts", Role::TaniumServer);
    let cert = app.path(tls::TS_CERT);
    let issued = std::fs::read(&cert).expect("read cert");
    let key = app.path(tls::TS_KEY);
    let key = key.to_str().expect("utf-8 path");
    let own = openssl(
        &[
            "req", "-new", "-x509", "-key", key, "-subj", "/CN=ts", "-days", "30",
        ],
        dir.path(),
    );
    std::fs::write(&cert, own).expect("replace cert");
    let untrusted = |app: &Appliance| {
        let snap = status::snapshot(app, OffsetDateTime::now_utc());
        let short = snap.cert.short();
        assert!(!short.to_lowercase().contains("valid"), "{short}");
        assert!(short.contains("NOT SIGNED"), "{short}");
        match snap.cert {
            CertState::Untrusted { reason, .. } => reason,
            other => panic!("{other:?}"),
        }
    };
    let reason = untrusted(&app);
    assert!(reason.contains("did not sign it"), "{reason}");
    // The issued certificate again, but another root trusted in place of the real one.
    std::fs::write(&cert, issued).expect("restore cert");
    let other = openssl(
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ],
        dir.path(),
    );
    let other_key = dir.path().join("other.pvk");
    std::fs::write(&other_key, other).expect("write key");
    let other_pub = openssl(
        &["pkey", "-in", other_key.to_str().expect("utf-8"), "-pubout"],
        dir.path(),
    );
    std::fs::write(app.path(tls::TS_ROOT_PUB), other_pub).expect("replace root");
    let reason = untrusted(&app);
    assert!(reason.contains("tanium/tanium.pub"), "{reason}");
}
