//! Issue 8, item 10: with log/audit.jsonl unwritable (a directory in its place, a symbolic
//! link loop, a link to elsewhere), a certificate install and a key addition report the
//! change AND that its audit line was not written; Tanium Status shows the failure until an
//! audit line is written again. Tests run as root, so the failures are structural, not modes.

mod support;

use std::path::Path;

use support::roots;
use support::tools::run_ok;
use support::ui::{render_at, typed};
use tanos_menu::appliance::incoming;
use tanos_menu::appliance::{Appliance, Layout, Platform, Role, tls};
use tanos_menu::executor::run_effect;
use tanos_menu::model::{Effect, Model, update};
use tanos_menu::pki::csr;
use time::OffsetDateTime;

const WARNING: &str = "AUDIT LOG NOT WRITTEN";

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A Tanium Server and a Zone Server that trusts its root, the Zone Server with a key and
/// CSR; returns them with the certificate the Tanium Server issued for that CSR.
fn pair(dir: &Path) -> (Appliance, Appliance, String) {
    let ts = roots::appliance_at(dir, "ts", Role::TaniumServer, Platform::V7_3, true, None);
    let root_pub = std::fs::read_to_string(ts.path(tls::TS_ROOT_PUB)).expect("tanium.pub");
    let zs = roots::appliance_at(
        dir,
        "zs",
        Role::ZoneServer,
        Platform::V7_3,
        false,
        Some(root_pub),
    );
    support::tls::write_simple_csr(&zs, now());
    std::fs::copy(
        zs.path(tls::OUT_CSR),
        ts.path(Layout::INCOMING).join("zs.csr"),
    )
    .expect("copy csr");
    let text = incoming::read(&ts, "zs.csr").expect("read csr");
    let checked = csr::check_csr(&text).expect("check csr");
    let issued =
        tanos_menu::appliance::issuance::issue_from_csr(&ts, &checked, 365, now()).expect("issue");
    (ts, zs, issued.cert_pem)
}

fn console(root: &Path) -> Model {
    let mut m = tanos_menu::app::initial_model(root).expect("open console");
    m.size = (120, 50);
    m
}

/// Runs one effect through the executor and gives its answer to the model.
fn run(m: &mut Model, root: &Path, effect: Effect) {
    let more = update(m, run_effect(root, effect));
    assert!(more.is_empty(), "{more:?}");
}

fn flash(m: &Model) -> (bool, String) {
    let f = m.flash.as_ref().expect("a message");
    (f.error, f.text.clone())
}

fn status_screen(m: &mut Model) -> String {
    typed(m, "1\n");
    let screen = render_at(m, 120, 50);
    assert!(screen.contains("Tanium Status"), "{screen}");
    typed(m, "\x1b");
    screen
}

/// The three ways log/audit.jsonl is made unwritable, then put back.
fn break_audit(app: &Appliance, how: usize) {
    let audit = app.path(Layout::AUDIT);
    std::fs::remove_file(&audit).ok();
    match how {
        0 => std::fs::create_dir(&audit).expect("a directory in its place"),
        1 => std::os::unix::fs::symlink("audit.jsonl", &audit).expect("a link loop"),
        _ => std::os::unix::fs::symlink("/nonexistent-dir/audit.jsonl", &audit)
            .expect("a dangling link"),
    }
}

fn mend_audit(app: &Appliance) {
    let audit = app.path(Layout::AUDIT);
    if audit.is_dir() && !audit.is_symlink() {
        std::fs::remove_dir(&audit).expect("rmdir");
    } else {
        std::fs::remove_file(&audit).expect("rm");
    }
}

/// A certificate install with the audit log unwritable: installed, and said so, with the
/// warning; Tanium Status keeps the warning until an audit line is written.
/// The install of `cert` as the operator confirms it, with the key already trusted.
fn install(m: &mut Model, zs: &Appliance, cert: &str) {
    let text = cert.to_string();
    run(m, &zs.root, Effect::InstallCert { text, trust: None });
}

#[test]
fn certificate_install_reports_an_unwritten_audit_line() {
    for how in 0..3 {
        let dir = roots::scratch("audit_warning", "install-");
        let (_ts, zs, cert) = pair(dir.path());
        let mut m = console(&zs.root);
        break_audit(&zs, how);
        install(&mut m, &zs, &cert);
        let (error, text) = flash(&m);
        assert!(text.contains("Certificate installed"), "{text}");
        assert!(text.contains(WARNING), "{text}");
        assert!(error, "shown as an error: {text}");
        // Installed all the same: the file is the certificate, OpenSSL reads it.
        let subject = run_ok(
            "openssl",
            &["x509", "-in", "reporting.crt", "-noout", "-subject"],
            &zs.path(Layout::ZONE_DIR),
        );
        assert!(subject.contains("zs01.example"), "{subject}");
        // A dangling link was not followed: nothing was written where it points.
        assert!(!Path::new("/nonexistent-dir").exists());

        // Tanium Status says so, in a console opened later too, until a line is written.
        assert!(status_screen(&mut m).contains(WARNING));
        let mut later = console(&zs.root);
        assert!(status_screen(&mut later).contains(WARNING));

        mend_audit(&zs);
        install(&mut m, &zs, &cert);
        let (error, text) = flash(&m);
        assert!(!error && !text.contains(WARNING), "{text}");
        assert!(!status_screen(&mut m).contains(WARNING));
        let log = std::fs::read_to_string(zs.path(Layout::AUDIT)).expect("audit");
        assert!(log.contains("cert.install"), "{log}");
    }
}

/// A key addition with the audit log unwritable: the key is added and the warning shown.
#[test]
fn key_addition_reports_an_unwritten_audit_line() {
    let (dir, app) = roots::scratch_appliance("audit_warning", "key-", "ts", Role::TaniumServer);
    let mut m = console(&app.root);
    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys).expect("keys");
    let mut lines = Vec::new();
    for name in ["a", "b"] {
        run_ok(
            "ssh-keygen",
            &["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", name],
            &keys,
        );
        lines.push(std::fs::read_to_string(keys.join(format!("{name}.pub"))).expect("pub"));
    }
    break_audit(&app, 0);
    run(
        &mut m,
        &app.root,
        Effect::AddAuthorized {
            user: "tancopy".into(),
            text: lines[0].clone(),
        },
    );
    let (error, text) = flash(&m);
    assert!(
        text.contains("added to tancopy's authorized keys"),
        "{text}"
    );
    assert!(text.contains(WARNING) && error, "{text}");
    let file = app.ssh_dir("tancopy").join("authorized_keys");
    let (ok, out) = support::tools::run("ssh-keygen", &["-l", "-f", file.to_str().expect("utf-8")]);
    assert!(ok && out.contains(" a "), "{out}");
    assert!(status_screen(&mut m).contains(WARNING));

    mend_audit(&app);
    run(
        &mut m,
        &app.root,
        Effect::AddAuthorized {
            user: "tancopy".into(),
            text: lines[1].clone(),
        },
    );
    let (error, text) = flash(&m);
    assert!(!error && !text.contains(WARNING), "{text}");
    assert!(!status_screen(&mut m).contains(WARNING));
}
