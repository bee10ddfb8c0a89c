//! The certificate flow of SPEC §4.2–4.4 on two real appliance roots, driven through the
//! console's own code: keys typed and text pasted into `update`, every effect run by the
//! executor against the disk and answered back, OpenSSL as the outside judge.

mod support;

use std::path::{Path, PathBuf};

use support::console::{drive, model};
use support::fs::{bytes, copy, mode, path_str, read};
use support::roots;
use support::tools::openssl;
use support::tree::{Tree, differences, tree_abs};
use support::ui::{press, render, typed};
use tanos_menu::appliance::catalogue::Value;
use tanos_menu::appliance::status::CertState;
use tanos_menu::appliance::{Platform, Role};
use tanos_menu::executor::run_effect;
use tanos_menu::model::{
    Confirm, Effect, FormFor, Key, Model, Msg, PasteDialog, Screen, TextFor, update,
};
use tanos_menu::pki::inspect::Validity;
use tanos_menu::pki::{KeyType, TrustedKey};
use time::OffsetDateTime;

const ZS_HOST: &str = "zs01.example";
const TS_HOST: &str = "ts01.example";

// ---------------------------------------------------------------- two appliances

/// A Tanium Server with the Zone Server Hub add-on and a Zone Server, side by side.
struct Pair {
    _dir: tempfile::TempDir,
    ts: PathBuf,
    zs: PathBuf,
}

fn pair() -> Pair {
    let dir = roots::scratch("console_flow", "case-");
    let ts = dir.path().join("ts");
    let zs = dir.path().join("zs");
    let now = OffsetDateTime::now_utc();
    for (root, role, hostname, zone_hub) in [
        (&ts, Role::TaniumServer, TS_HOST, true),
        (&zs, Role::ZoneServer, ZS_HOST, false),
    ] {
        roots::appliance(
            root,
            &roots::options(role, hostname, Platform::V7_3, zone_hub),
            now,
        );
    }
    Pair { _dir: dir, ts, zs }
}

// ---------------------------------------------------------------- driving the console

/// Types `keys` (see `support::ui::typed`) and runs whatever they start.
fn act(m: &mut Model, root: &Path, keys: &str) -> Vec<String> {
    let effects = typed(m, keys);
    drive(m, root, effects)
}

/// A bracketed paste, and whatever it starts.
fn paste(m: &mut Model, root: &Path, text: &str) {
    let effects = update(m, Msg::Paste(text.to_string()));
    drive(m, root, effects);
}

/// As tmux delivers a paste: a carriage return between lines.
fn as_tmux(text: &str) -> String {
    text.replace('\n', "\r")
}

/// As a Windows client delivers a paste from an indented document: CRLF, indentation,
/// trailing spaces and blank lines.
fn as_windows_indented(text: &str) -> String {
    let mut out = String::from("\r\n   \r\n");
    for line in text.lines() {
        out.push_str(&format!("    {line}  \r\n"));
    }
    out.push_str("\r\n");
    out
}

fn view_text(m: &Model) -> String {
    match m.screen() {
        Screen::View(v) => v.text.clone(),
        other => panic!("expected a view, found {other:?}\n{}", render(m)),
    }
}

fn confirm(m: &Model) -> Confirm {
    match m.screen() {
        Screen::Confirm(c) => c.clone(),
        other => panic!("expected a confirmation, found {other:?}\n{}", render(m)),
    }
}

fn dialog(m: &Model) -> PasteDialog {
    match m.screen() {
        Screen::Paste(d) => d.clone(),
        other => panic!("expected the paste dialog, found {other:?}\n{}", render(m)),
    }
}

fn dialog_error(m: &Model) -> String {
    dialog(m)
        .error
        .unwrap_or_else(|| panic!("the dialog shows no error\n{}", render(m)))
}

fn flash(m: &Model) -> String {
    m.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default()
}

fn at_menu(m: &Model) -> Option<&str> {
    match m.screen() {
        Screen::Menu { id, .. } => Some(id),
        _ => None,
    }
}

fn status_root_fingerprint(m: &Model) -> String {
    match m.snapshot.as_ref().and_then(|s| s.root_fingerprint.clone()) {
        Some(Ok(fp)) => fp,
        other => panic!("no root fingerprint in the snapshot: {other:?}"),
    }
}

// ---------------------------------------------------------------- files and judges

/// Both appliances, every path with its mode and bytes.
fn trees(p: &Pair) -> (Tree, Tree) {
    (tree_abs(&p.ts), tree_abs(&p.zs))
}

#[track_caller]
fn assert_unchanged(p: &Pair, before: &(Tree, Tree), what: &str) {
    let after = trees(p);
    let mut diff = differences(&before.0, &after.0);
    diff.extend(differences(&before.1, &after.1));
    assert!(diff.is_empty(), "{what} changed files: {diff:#?}");
}

#[track_caller]
fn assert_verifies(ca: &Path, cert: &Path) {
    let (ok, out) = openssl(&["verify", "-CAfile", path_str(ca), path_str(cert)]);
    assert!(
        ok && out.contains(&format!("{}: OK", cert.display())),
        "openssl verify refused {}:\n{out}",
        cert.display()
    );
}

/// `openssl req -verify -text` of a CSR file; panics unless the self-signature verifies.
#[track_caller]
fn assert_csr_verifies(csr: &Path) -> String {
    let (ok, out) = openssl(&["req", "-in", path_str(csr), "-noout", "-verify", "-text"]);
    assert!(
        ok && out.contains("verify OK"),
        "openssl req -verify:\n{out}"
    );
    out
}

fn public_of_key(key: &Path) -> String {
    let (ok, out) = openssl(&["pkey", "-pubout", "-in", path_str(key)]);
    assert!(ok, "{out}");
    out
}

fn public_of_cert(cert: &Path) -> String {
    let (ok, out) = openssl(&["x509", "-noout", "-pubkey", "-in", path_str(cert)]);
    assert!(ok, "{out}");
    out
}

// ---------------------------------------------------------------- flow steps

/// 2 › Z › 1 with every default but the names: returns the CSR shown for copying.
fn generate_csr(zs: &mut Model, root: &Path, key_line: &str) -> String {
    act(zs, root, "RR\n2\nZ\n1\n");
    match zs.screen() {
        Screen::Form(f) => {
            assert_eq!(f.purpose, FormFor::Csr);
            assert_eq!(
                f.fields[0].default, ZS_HOST,
                "the CN defaults to the hostname"
            );
        }
        other => panic!("expected the CSR form, found {other:?}"),
    }
    act(
        zs,
        root,
        &format!("\nzs01-alt.example\n10.0.0.5\n{key_line}\n"),
    );
    view_text(zs)
}

/// 2 › Z › 2 › 2 on the Tanium Server: pastes the CSR as tmux does, accepts 3650 days,
/// confirms. Returns the certificate shown for copying.
fn issue_by_paste(ts: &mut Model, root: &Path, csr: &str) -> String {
    act(ts, root, "RR\n2\nZ\n2\n2\n");
    assert_eq!(dialog(ts).purpose, TextFor::Csr);
    paste(ts, root, &as_tmux(csr));
    match ts.screen() {
        Screen::Form(f) => {
            assert!(matches!(f.purpose, FormFor::Issue(_)));
            assert_eq!(f.fields[0].default, "3650");
            let intro = f.intro.join("\n");
            assert!(intro.contains("CN=zs01.example"), "{intro}");
        }
        other => panic!("expected the issue form, found {other:?}\n{}", render(ts)),
    }
    act(ts, root, "\n");
    let c = confirm(ts);
    assert!(c.warning.contains("valid 3650 days"), "{}", c.warning);
    assert!(
        c.warning.contains(&status_root_fingerprint(ts)),
        "the confirmation names the root key: {}",
        c.warning
    );
    act(ts, root, "y\n");
    view_text(ts)
}

// ---------------------------------------------------------------- scenarios

/// `n` at the new key's confirmation: nothing changes, the key stays.
fn decline_new_key(zs: &mut Model, p: &Pair, key_before: &[u8]) {
    let before = trees(p);
    act(zs, &p.zs, "n\n");
    assert_unchanged(p, &before, "declining a new key");
    assert_eq!(bytes(&p.zs.join("zoneserver/reporting.pvk")), key_before);
}

#[test]
fn by_paste_csr_to_the_server_and_certificate_back_to_the_zone_server() {
    let p = pair();
    let mut zs = model(&p.zs);
    let mut ts = model(&p.ts);
    let server_cert_before = bytes(&p.ts.join("tanium/reporting.crt"));

    // Zone Server: 2 › Z › 1, Enter through the prompts.
    let csr = generate_csr(&mut zs, &p.zs, "1");
    assert!(
        csr.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"),
        "{csr}"
    );
    assert_eq!(csr, read(&p.zs.join("zoneserver/reporting.csr")));
    assert_eq!(csr, read(&p.zs.join("transfer/outgoing/reporting.csr")));
    assert_eq!(mode(&p.zs.join("zoneserver/reporting.pvk")), 0o600);
    let text = assert_csr_verifies(&p.zs.join("zoneserver/reporting.csr"));
    assert!(text.contains("CN = zs01.example"), "{text}");
    assert!(text.contains("DNS:zs01-alt.example"), "{text}");
    assert!(text.contains("IP Address:10.0.0.5"), "{text}");
    assert!(
        text.contains("prime256v1"),
        "key type 1 is ECDSA P-256: {text}"
    );
    assert_eq!(
        press(&mut zs, Key::Char('c')),
        vec![Effect::Copy(csr.clone())],
        "c copies exactly the CSR"
    );

    // Tanium Server: 2 › Z › 2 › 2, paste as tmux sends it, Enter, y.
    let cert = issue_by_paste(&mut ts, &p.ts, &csr);
    assert!(cert.starts_with("-----BEGIN CERTIFICATE-----\n"), "{cert}");
    assert_eq!(cert, read(&p.ts.join("transfer/outgoing/reporting.crt")));
    assert_verifies(
        &p.ts.join("tanium/tanium-root.crt"),
        &p.ts.join("transfer/outgoing/reporting.crt"),
    );
    assert_eq!(
        bytes(&p.ts.join("tanium/reporting.crt")),
        server_cert_before,
        "the server's own certificate is never overwritten"
    );

    // Zone Server: 2 › Z › 4 › 2, paste tanium.pub.
    let root_pub = read(&p.ts.join("tanium/tanium.pub"));
    let ts_fp = status_root_fingerprint(&ts);
    act(&mut zs, &p.zs, "RR\n2\nZ\n4\n2\n");
    assert_eq!(dialog(&zs).purpose, TextFor::RootKey);
    paste(&mut zs, &p.zs, &as_tmux(&root_pub));
    let c = confirm(&zs);
    assert!(c.warning.contains(&ts_fp), "{}", c.warning);
    let before = trees(&p);
    act(&mut zs, &p.zs, "n\n");
    assert_unchanged(&p, &before, "declining the root key");
    assert!(!p.zs.join("zoneserver/tanium.pub").exists());
    // Pasted again from a Windows client out of an indented document.
    paste(&mut zs, &p.zs, &as_windows_indented(&root_pub));
    let c = confirm(&zs);
    assert!(c.warning.contains(&ts_fp), "{}", c.warning);
    act(&mut zs, &p.zs, "y\n");
    assert!(flash(&zs).contains(&ts_fp), "{}", flash(&zs));
    let trusted = TrustedKey::from_pem(&bytes(&p.zs.join("zoneserver/tanium.pub")))
        .expect("trusted root saved");
    assert_eq!(trusted.fingerprint, ts_fp);

    // Zone Server: 2 › Z › 3 › 2, paste the certificate, y.
    act(&mut zs, &p.zs, "RR\n2\nZ\n3\n2\n");
    assert_eq!(dialog(&zs).purpose, TextFor::Cert);
    paste(&mut zs, &p.zs, &as_tmux(&cert));
    let c = confirm(&zs);
    assert_eq!(c.title, "Install the certificate");
    assert!(
        c.warning.contains("Subject: CN=zs01.example"),
        "{}",
        c.warning
    );
    act(&mut zs, &p.zs, "y\n");
    assert!(
        flash(&zs).contains("Certificate installed"),
        "{}",
        flash(&zs)
    );

    // Tanium Status shows it.
    act(&mut zs, &p.zs, "RR\n1\n");
    assert_eq!(zs.screen(), &Screen::Status);
    let snap = zs.snapshot.clone().expect("snapshot");
    match &snap.cert {
        CertState::Installed { summary, validity } => {
            assert_eq!(summary.subject, "CN=zs01.example");
            assert_eq!(*validity, Validity::Valid);
        }
        other => panic!("certificate not installed: {other:?}"),
    }
    assert_eq!(snap.tls_mode, Some(Value::Dword(2)));
    assert_verifies(
        &p.ts.join("tanium/tanium-root.crt"),
        &p.zs.join("zoneserver/reporting.crt"),
    );
    assert_eq!(
        public_of_cert(&p.zs.join("zoneserver/reporting.crt")),
        public_of_key(&p.zs.join("zoneserver/reporting.pvk"))
    );

    // A new CSR now would break the installed certificate: asked first, `n` keeps the key.
    let key_before = bytes(&p.zs.join("zoneserver/reporting.pvk"));
    act(&mut zs, &p.zs, "RR\n2\nZ\n1\n\n\n\n\n");
    let c = confirm(&zs);
    assert!(
        c.warning
            .contains("The installed certificate (CN=zs01.example"),
        "{}",
        c.warning
    );
    decline_new_key(&mut zs, &p, &key_before);
    assert!(flash(&zs).contains("nothing was changed"), "{}", flash(&zs));
}

#[test]
fn by_incoming_csr_listed_and_certificate_installed_with_a_trusted_key() {
    let p = pair();
    let mut zs = model(&p.zs);
    let mut ts = model(&p.ts);
    generate_csr(&mut zs, &p.zs, "1");

    // The peer drops the CSR (and a file that is not one) in the server's /incoming.
    let incoming = p.ts.join("transfer/incoming");
    copy(
        &p.zs.join("transfer/outgoing/reporting.csr"),
        &incoming.join("reporting.csr"),
    );
    std::fs::write(incoming.join("notes.txt"), "not a CSR\n").expect("write notes");
    act(&mut ts, &p.ts, "2\nZ\n2\n1\n");
    match ts.screen() {
        Screen::Files(f) => {
            let rows = f.rows.as_ref().expect("listed");
            let names: Vec<&str> = rows.iter().map(|r| r.file.as_str()).collect();
            assert_eq!(names, vec!["reporting.csr"]);
            assert!(rows[0].pending().is_some(), "{rows:?}");
        }
        other => panic!("expected the /incoming list, found {other:?}"),
    }
    assert!(render(&ts).contains("reporting.csr"), "{}", render(&ts));
    act(&mut ts, &p.ts, "1\n");
    match ts.screen() {
        Screen::Form(f) => assert!(matches!(f.purpose, FormFor::Issue(_))),
        other => panic!("expected the issue form, found {other:?}\n{}", render(&ts)),
    }
    act(&mut ts, &p.ts, "\n");
    confirm(&ts);
    act(&mut ts, &p.ts, "y\n");
    let cert = view_text(&ts);
    assert_eq!(cert, read(&p.ts.join("transfer/outgoing/reporting.crt")));

    // The server's Tanium Status shows the root key fingerprint the operator compares.
    act(&mut ts, &p.ts, "RR\n1\n");
    let ts_fp = status_root_fingerprint(&ts);
    assert!(render(&ts).contains(&ts_fp), "{}", render(&ts));

    // The peer drops the certificate and tanium.pub in the zone server's /incoming.
    let zs_incoming = p.zs.join("transfer/incoming");
    copy(
        &p.ts.join("transfer/outgoing/reporting.crt"),
        &zs_incoming.join("reporting.crt"),
    );
    copy(
        &p.ts.join("transfer/outgoing/tanium.pub"),
        &zs_incoming.join("tanium.pub"),
    );
    assert!(
        !p.zs.join("zoneserver/tanium.pub").exists(),
        "no trusted root yet"
    );
    act(&mut zs, &p.zs, "RR\n2\nZ\n3\n1\n");
    let c = confirm(&zs);
    assert!(
        c.question.to_lowercase().contains("trust"),
        "{}",
        c.question
    );
    assert!(c.warning.contains(&ts_fp), "{}", c.warning);
    let before = trees(&p);
    act(&mut zs, &p.zs, "\n");
    assert_unchanged(&p, &before, "Enter (decline) at the trust question");
    act(&mut zs, &p.zs, "RR\n2\nZ\n3\n1\n");
    confirm(&zs);
    act(&mut zs, &p.zs, "y\n");
    let trusted = TrustedKey::from_pem(&bytes(&p.zs.join("zoneserver/tanium.pub")))
        .expect("tanium.pub trusted");
    assert_eq!(trusted.fingerprint, ts_fp);
    assert_verifies(
        &p.ts.join("tanium/tanium-root.crt"),
        &p.zs.join("zoneserver/reporting.crt"),
    );
    assert!(matches!(
        zs.snapshot.as_ref().map(|s| &s.cert),
        Some(CertState::Installed { .. })
    ));

    // 2 › Z › 7 lists what was issued; 2 › Z › 6 shows tanium.pub; c copies exactly it.
    act(&mut ts, &p.ts, "RR\n2\nZ\n7\n");
    let issued = view_text(&ts);
    assert!(
        issued.contains("zs01.example") && issued.contains("valid"),
        "{issued}"
    );
    act(&mut ts, &p.ts, "RR\n2\nZ\n6\n");
    let shown = view_text(&ts);
    let root_pub = read(&p.ts.join("tanium/tanium.pub"));
    assert_eq!(shown, root_pub);
    assert!(shown.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{shown}");
    assert_eq!(press(&mut ts, Key::Char('c')), vec![Effect::Copy(root_pub)]);
    for line in shown.lines() {
        assert!(
            render(&ts).lines().any(|l| l == line),
            "'{line}' stands on a line of its own:\n{}",
            render(&ts)
        );
    }
}

#[test]
fn a_second_csr_is_confirmed_and_rsa_2048_works() {
    let p = pair();
    let mut zs = model(&p.zs);
    generate_csr(&mut zs, &p.zs, "1");
    let key_before = bytes(&p.zs.join("zoneserver/reporting.pvk"));

    act(&mut zs, &p.zs, "RR\n2\nZ\n1\n\n\n\n3\n");
    let c = confirm(&zs);
    assert!(c.warning.contains("RSA 2048"), "{}", c.warning);
    assert!(
        c.warning.contains("No certificate is installed"),
        "{}",
        c.warning
    );
    decline_new_key(&mut zs, &p, &key_before);

    act(&mut zs, &p.zs, "RR\n2\nZ\n1\n\n\n\n3\n");
    confirm(&zs);
    act(&mut zs, &p.zs, "y\n");
    let csr = view_text(&zs);
    assert_eq!(csr, read(&p.zs.join("zoneserver/reporting.csr")));
    assert_ne!(bytes(&p.zs.join("zoneserver/reporting.pvk")), key_before);
    assert_eq!(mode(&p.zs.join("zoneserver/reporting.pvk")), 0o600);
    let text = assert_csr_verifies(&p.zs.join("zoneserver/reporting.csr"));
    assert!(text.contains("Public-Key: (2048 bit)"), "{text}");
    // The replaced key is kept beside it.
    let backups: Vec<_> = std::fs::read_dir(p.zs.join("zoneserver"))
        .expect("zoneserver dir")
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("reporting.pvk.") && name.ends_with(".bak")
        })
        .map(|e| e.path())
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(bytes(&backups[0]), key_before);

    // The RSA request goes through the server too.
    let mut ts = model(&p.ts);
    issue_by_paste(&mut ts, &p.ts, &csr);
    assert_verifies(
        &p.ts.join("tanium/tanium-root.crt"),
        &p.ts.join("transfer/outgoing/reporting.crt"),
    );
}

#[test]
fn esc_while_an_rsa_key_is_generated_writes_nothing() {
    let p = pair();
    let mut zs = model(&p.zs);
    let before = trees(&p);
    let effects = typed(&mut zs, "2\nZ\n1\n\n\n\n3\n");
    let [Effect::GenerateCsr(request)] = effects.as_slice() else {
        panic!("expected one GenerateCsr, got {effects:?}");
    };
    assert_eq!(request.key_type, KeyType::Rsa2048);
    assert!(zs.busy.is_some() && zs.cancellable, "busy and cancellable");
    assert_eq!(
        press(&mut zs, Key::Esc),
        vec![Effect::Cancel],
        "only the cancelling"
    );
    assert!(zs.busy.is_none(), "Esc ends the wait");
    assert!(!zs.cancellable);
    assert!(flash(&zs).contains("nothing was written"), "{}", flash(&zs));

    // The generation finishes later: its answer is dropped.
    let answer = run_effect(&p.zs, effects[0].clone());
    assert!(matches!(answer, Msg::CsrGenerated(Ok(_))), "{answer:?}");
    assert_eq!(update(&mut zs, answer), Vec::new(), "no write follows");
    assert!(zs.busy.is_none());
    assert_unchanged(&p, &before, "a cancelled generation");
    assert!(!p.zs.join("zoneserver/reporting.pvk").exists());

    // The console goes on: Ctrl-C leaves the form, Tanium Status reads no key.
    press(&mut zs, Key::CtrlC);
    act(&mut zs, &p.zs, "RR\n1\n");
    assert_eq!(zs.screen(), &Screen::Status);
    assert!(!zs.snapshot.as_ref().expect("snapshot").reporting_key);

    // The same after `y` to replacing an existing key: the key on disk stays.
    generate_csr(&mut zs, &p.zs, "1");
    let before = trees(&p);
    act(&mut zs, &p.zs, "RR\n2\nZ\n1\n\n\n\n3\n");
    confirm(&zs);
    let effects = typed(&mut zs, "y\n");
    assert!(
        matches!(effects.as_slice(), [Effect::GenerateCsr(r)] if r.key_type == KeyType::Rsa2048),
        "{effects:?}"
    );
    assert!(zs.busy.is_some() && zs.cancellable);
    assert_eq!(press(&mut zs, Key::Esc), vec![Effect::Cancel]);
    assert!(zs.busy.is_none());
    let answer = run_effect(&p.zs, effects[0].clone());
    assert_eq!(update(&mut zs, answer), Vec::new(), "no write follows");
    assert_unchanged(&p, &before, "a cancelled replacement key");
}

#[test]
fn paste_dialog_refuses_hostile_input_and_changes_nothing() {
    let p = pair();
    let mut ts = model(&p.ts);
    let csr = tanos_menu::pki::csr::generate_csr(&tanos_menu::pki::csr::CsrRequest {
        common_name: ZS_HOST.into(),
        dns_names: Vec::new(),
        ips: Vec::new(),
        key_type: KeyType::EcdsaP256,
    })
    .expect("generate a CSR")
    .csr_pem;
    let private_key = read(&p.ts.join("tanium/tanium.pvk"));
    assert!(private_key.contains("PRIVATE KEY"), "{private_key}");
    let certificate = read(&p.ts.join("tanium/reporting.crt"));
    let before = trees(&p);

    act(&mut ts, &p.ts, "2\nZ\n2\n2\n");
    assert_eq!(dialog(&ts).purpose, TextFor::Csr);

    // A private key, bracketed: discarded on sight, never shown.
    for text in [private_key.clone(), format!("{csr}{private_key}")] {
        assert!(update(&mut ts, Msg::Paste(as_tmux(&text))).is_empty());
        let error = dialog_error(&ts);
        assert!(error.contains("private key"), "{error}");
        assert!(dialog(&ts).text.is_empty(), "nothing of it is kept");
        let screen = render(&ts);
        for line in private_key.lines().filter(|l| !l.trim().is_empty()) {
            assert!(!screen.contains(line.trim()), "'{line}' shown:\n{screen}");
        }
        assert!(!format!("{:?}", ts.stack).contains(private_key.lines().nth(1).expect("body")));
    }

    // Over 64 KiB in one paste, or in pieces.
    let big = "A".repeat(65 * 1024);
    assert!(update(&mut ts, Msg::Paste(big)).is_empty());
    assert!(
        dialog_error(&ts).contains("64 KiB"),
        "{}",
        dialog_error(&ts)
    );
    assert!(dialog(&ts).text.is_empty());
    let piece = format!("{}\n", "B".repeat(40 * 1024));
    assert!(update(&mut ts, Msg::Paste(piece.clone())).is_empty());
    assert!(dialog(&ts).error.is_none());
    assert!(update(&mut ts, Msg::Paste(piece)).is_empty());
    assert!(
        dialog_error(&ts).contains("64 KiB"),
        "{}",
        dialog_error(&ts)
    );
    assert!(dialog(&ts).text.is_empty());

    // An empty paste leaves nothing; Ctrl-D with nothing says so.
    assert!(update(&mut ts, Msg::Paste(String::new())).is_empty());
    assert!(update(&mut ts, Msg::Paste("\r\r  \r\n".into())).is_empty());
    assert!(dialog(&ts).text.is_empty());
    assert!(press(&mut ts, Key::CtrlD).is_empty());
    assert!(
        dialog_error(&ts).contains("Nothing was pasted"),
        "{}",
        dialog_error(&ts)
    );

    // A certificate where a CSR is expected.
    assert!(update(&mut ts, Msg::Paste(as_tmux(&certificate))).is_empty());
    let error = dialog_error(&ts);
    assert!(error.contains("found a CERTIFICATE"), "{error}");

    // Typed lines of garbage, ended by Ctrl-D: submitted and refused.
    assert!(typed(&mut ts, "hello\nworld\n").is_empty());
    assert!(
        render(&ts).contains("2 lines (no BEGIN line yet)"),
        "{}",
        render(&ts)
    );
    assert!(press(&mut ts, Key::CtrlD).is_empty());
    assert!(
        dialog_error(&ts).contains("The CSR was refused"),
        "{}",
        dialog_error(&ts)
    );
    assert!(matches!(ts.screen(), Screen::Paste(_)));
    assert_unchanged(&p, &before, "the refused pastes");

    // Typed line by line (no bracketed paste): the -----END line submits.
    let lines: Vec<&str> = csr.lines().collect();
    assert!(typed(&mut ts, &format!("{}\n{}\n", lines[0], lines[1])).is_empty());
    let screen = render(&ts);
    assert!(screen.contains("2 lines (CERTIFICATE REQUEST)"), "{screen}");
    assert!(
        !screen.contains(lines[1]),
        "pasted text is not echoed: {screen}"
    );
    let rest: String = lines[2..].iter().map(|l| format!("{l}\n")).collect();
    assert!(typed(&mut ts, &rest).is_empty());
    assert!(
        matches!(ts.screen(), Screen::Form(f) if matches!(f.purpose, FormFor::Issue(_))),
        "{}",
        render(&ts)
    );

    // Ctrl-D submits what was typed, the unfinished last line included.
    press(&mut ts, Key::Esc);
    assert!(matches!(ts.screen(), Screen::Paste(_)), "{}", render(&ts));
    let all_but_enter = csr.trim_end();
    assert!(typed(&mut ts, all_but_enter).is_empty());
    assert!(matches!(ts.screen(), Screen::Paste(_)));
    assert!(press(&mut ts, Key::CtrlD).is_empty());
    assert!(
        matches!(ts.screen(), Screen::Form(f) if matches!(f.purpose, FormFor::Issue(_))),
        "{}",
        render(&ts)
    );
    assert_unchanged(&p, &before, "reaching the issue form");

    // The same private key in the root key dialog of the Zone Server.
    let mut zs = model(&p.zs);
    act(&mut zs, &p.zs, "2\nZ\n4\n2\n");
    assert!(update(&mut zs, Msg::Paste(as_tmux(&private_key))).is_empty());
    assert!(
        dialog_error(&zs).contains("private key"),
        "{}",
        dialog_error(&zs)
    );
    assert_unchanged(&p, &before, "a private key pasted as the root key");
}

#[test]
fn regenerate_tls_on_the_tanium_server() {
    let p = pair();
    let mut ts = model(&p.ts);
    let cert = p.ts.join("tanium/reporting.crt");
    let key = p.ts.join("tanium/reporting.pvk");
    let cert_before = bytes(&cert);

    act(&mut ts, &p.ts, "2\nR\n");
    let c = confirm(&ts);
    assert!(c.title.contains("Regenerate"), "{}", c.title);
    let before = trees(&p);
    act(&mut ts, &p.ts, "n\n");
    assert_unchanged(&p, &before, "declining the regeneration");
    assert_eq!(at_menu(&ts), Some("operations"));

    act(&mut ts, &p.ts, "R\n");
    confirm(&ts);
    act(&mut ts, &p.ts, "y\n");
    assert!(
        flash(&ts).contains("New TLS key and certificate"),
        "{}",
        flash(&ts)
    );
    assert_ne!(bytes(&cert), cert_before, "tanium/reporting.crt replaced");
    assert_eq!(mode(&key), 0o600);
    assert_verifies(&p.ts.join("tanium/tanium-root.crt"), &cert);
    assert_eq!(public_of_cert(&cert), public_of_key(&key));
    assert!(matches!(
        ts.snapshot.as_ref().map(|s| &s.cert),
        Some(CertState::Installed {
            validity: Validity::Valid,
            ..
        })
    ));
}

/// The worker runs effects one after the other: a key generation the operator cancelled
/// still answers, before the one started after it. Its key must not be written.
#[test]
fn a_cancelled_key_is_not_written_when_a_new_generation_follows() {
    let p = pair();
    let mut zs = model(&p.zs);
    let cancelled = typed(&mut zs, "2\nZ\n1\n\n\n\n3\n");
    assert!(
        matches!(cancelled.as_slice(), [Effect::GenerateCsr(r)] if r.key_type == KeyType::Rsa2048)
    );
    press(&mut zs, Key::Esc);
    assert!(zs.busy.is_none());

    // The operator starts again at once, with ECDSA P-256.
    press(&mut zs, Key::CtrlC);
    let started = typed(&mut zs, "RR\n2\nZ\n1\n\n\n\n1\n");
    assert!(
        matches!(started.as_slice(), [Effect::GenerateCsr(r)] if r.key_type == KeyType::EcdsaP256),
        "{started:?}"
    );
    let before = trees(&p);
    let stale = run_effect(&p.zs, cancelled[0].clone());
    assert_eq!(
        update(&mut zs, stale),
        Vec::new(),
        "the cancelled RSA key must be dropped, not written"
    );
    assert_unchanged(&p, &before, "the answer of a cancelled generation");
    let fresh = run_effect(&p.zs, started[0].clone());
    let effects = update(&mut zs, fresh);
    assert!(
        matches!(effects.as_slice(), [Effect::WriteCsr(_)]),
        "{effects:?}"
    );
    drive(&mut zs, &p.zs, effects);
    let text = assert_csr_verifies(&p.zs.join("zoneserver/reporting.csr"));
    assert!(
        text.contains("prime256v1"),
        "the key asked for last: {text}"
    );
    let leftovers: Vec<String> = std::fs::read_dir(p.zs.join("zoneserver"))
        .expect("zoneserver dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".bak"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "a cancelled key was written: {leftovers:?}"
    );
}

/// SPEC §3: arrow keys and Enter on a highlighted line work wherever a line is chosen; the
/// key type question's footer offers ↑↓.
#[test]
fn arrow_keys_choose_the_key_type() {
    let p = pair();
    let mut zs = model(&p.zs);
    typed(&mut zs, "2\nZ\n1\n\n\n\n");
    assert!(render(&zs).contains("↑↓"), "{}", render(&zs));
    press(&mut zs, Key::Down);
    press(&mut zs, Key::Down);
    let effects = press(&mut zs, Key::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::GenerateCsr(r)] if r.key_type == KeyType::Rsa2048),
        "two lines down is RSA 2048: {effects:?}"
    );
}

/// The same for the /incoming list, whose footer offers ↑↓ too.
#[test]
fn arrow_keys_choose_the_incoming_file() {
    let p = pair();
    let mut zs = model(&p.zs);
    generate_csr(&mut zs, &p.zs, "3");
    let mut ts = model(&p.ts);
    let other = tanos_menu::pki::csr::generate_csr(&tanos_menu::pki::csr::CsrRequest {
        common_name: "aa-first.example".into(),
        dns_names: Vec::new(),
        ips: Vec::new(),
        key_type: KeyType::EcdsaP256,
    })
    .expect("generate a CSR");
    let incoming = p.ts.join("transfer/incoming");
    std::fs::write(incoming.join("aa-first.csr"), &other.csr_pem).expect("write csr");
    copy(
        &p.zs.join("transfer/outgoing/reporting.csr"),
        &incoming.join("reporting.csr"),
    );
    act(&mut ts, &p.ts, "2\nZ\n2\n1\n");
    assert!(render(&ts).contains("↑↓"), "{}", render(&ts));
    press(&mut ts, Key::Down);
    let effects = press(&mut ts, Key::Enter);
    assert_eq!(
        effects,
        vec![Effect::ReadIncoming {
            name: "reporting.csr".into(),
            purpose: TextFor::Csr
        }],
        "↓ Enter reads the second file"
    );
    drive(&mut ts, &p.ts, effects);
    match ts.screen() {
        Screen::Form(f) => {
            let intro = f.intro.join("\n");
            assert!(intro.contains("CN=zs01.example, RSA 2048"), "{intro}");
        }
        other => panic!("expected the issue form, found {other:?}"),
    }
}

/// SPEC §3.1: without bracketed paste a paste arrives as keystrokes, a line per Enter.
/// A private key typed that way is refused as a private key, and none of its lines is kept.
#[test]
fn a_private_key_typed_line_by_line_is_refused_as_a_private_key() {
    let p = pair();
    let mut ts = model(&p.ts);
    let private_key = read(&p.ts.join("tanium/tanium.pvk"));
    let before = trees(&p);
    act(&mut ts, &p.ts, "2\nZ\n2\n2\n");
    for (i, line) in private_key.lines().enumerate() {
        assert!(typed(&mut ts, &format!("{line}\n")).is_empty());
        let d = dialog(&ts);
        assert!(d.text.is_empty(), "line {} of the key is kept", i + 1);
        let error = d.error.unwrap_or_default();
        assert!(
            error.contains("private key"),
            "after line {} the dialog says: {error:?}",
            i + 1
        );
    }
    let screen = render(&ts);
    for line in private_key.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!screen.contains(line), "'{line}' shown:\n{screen}");
    }
    assert_unchanged(&p, &before, "a typed private key");
}
