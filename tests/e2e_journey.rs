//! Issue 5: the operator journey end to end in real terminals. Two consoles, a Tanium Server
//! with the Zone Server Hub add-on and a Zone Server, each on its own appliance root with its
//! own `tanos-menu sshd`, run in 80x24 pseudo-terminals. Keys are typed as an operator types
//! them, text is read off the screen as `vt100` shows it and pasted into the other console as
//! a terminal pastes it; OpenSSL, ssh-keygen and OpenSSH's sshd judge the result.

mod support;

use std::path::{Path, PathBuf};
use std::time::Instant;

use support::e2e::{
    Sshd, euid, fingerprint, init, login_user, path_str, read, run, scratch, scratch_for_sshd,
    ssh_keygen_l,
};
use support::pty::Console;
use tanos_menu::texts::Lang;

const TS_HOST: &str = "ts01.example";
const ZS_HOST: &str = "zs01.example";

/// Both appliance roots of one run.
struct Appliances {
    _dir: tempfile::TempDir,
    ts: PathBuf,
    zs: PathBuf,
}

fn appliances() -> Appliances {
    let dir = scratch_for_sshd("e2e_journey");
    let ts = dir.path().join("ts");
    let zs = dir.path().join("zs");
    init(
        &ts,
        &[
            "--role",
            "tanium-server",
            "--zone-hub",
            "--hostname",
            TS_HOST,
        ],
    );
    init(&zs, &["--role", "zone-server", "--hostname", ZS_HOST]);
    Appliances { _dir: dir, ts, zs }
}

/// The rows a public key is shown on in the copy-friendly view: from its `ssh-` row to the
/// next blank row (a line longer than the screen may be wrapped over several rows).
fn key_rows(c: &Console) -> Vec<String> {
    let body = c.body();
    let start = body
        .iter()
        .position(|r| r.starts_with("ssh-ed25519"))
        .unwrap_or_else(|| panic!("no ssh-ed25519 line on the screen:\n{}", c.dump()));
    body[start..]
        .iter()
        .take_while(|r| !r.trim().is_empty())
        .cloned()
        .collect()
}

/// "Z  Zone Server configuration" reached from the root menu (2).
fn zone_menu(c: &mut Console) {
    let zone = item(c, "Z", "menu.operations.zone");
    c.step("2", &zone);
}

/// A menu row: its key and its label in the console's language.
fn item(c: &Console, key: &str, label: &str) -> String {
    format!("{key}  {}", c.t(label))
}

/// A form's prompt for the field `label`, with its default.
fn field(c: &Console, label: &str, default: &str) -> String {
    let text = tanos_menu::texts::text(c.lang, "screens.form_prompt");
    tanos_menu::texts::fill(text, &[("label", &c.t(label)), ("default", default)])
        .trim_end()
        .to_string()
}

/// A confirmation's prompt: the question `key` and the (y/n) of the console's language.
fn ask(c: &Console, key: &str) -> String {
    let text = tanos_menu::texts::text(c.lang, "screens.confirm_prompt");
    let yes_no = c.t("prompt.yes_no");
    tanos_menu::texts::fill(text, &[("question", &c.t(key)), ("yes_no", &yes_no)])
        .trim_end()
        .to_string()
}

/// Enters the key menu of `user`: C › 3 › line of `user`.
fn key_menu(c: &mut Console, user: &str) {
    c.root_menu();
    let item = format!("3  {}", c.t("menu.users.ssh_keys"));
    c.step("C", &item);
    c.step("3", &c.t("screens.keys.choose_user"));
    let line = c.line_of(user);
    c.step(&line, &c.t_through("menu.ssh_user.title", "user", user));
}

/// SPEC §4.1 one way: tanadmin's public key read off `from`'s screen (C › 3 › tanadmin › 2)
/// and pasted into tancopy's authorized keys on `to` (C › 3 › tancopy › 3 › 2, y).
fn exchange_key(
    from: &mut Console,
    from_root: &Path,
    to: &mut Console,
    to_root: &Path,
    findings: &mut Vec<String>,
) {
    let public = from_root.join("home/tanadmin/.ssh/id_ed25519.pub");
    let file_line = read(&public).trim_end().to_string();
    let fp = fingerprint(&public);

    key_menu(from, "tanadmin");
    from.step("2", &from.t("prompt.view"));
    let rows = key_rows(from);
    // Rebuilt from the rows: a wrap at the space before the comment loses that space.
    if rows.concat() != file_line && rows.join(" ") != file_line {
        findings.push(format!(
            "the {} shows tanadmin's public key (C › 3 › tanadmin › 2) as {rows:?}, not the whole line of {}: {file_line:?}",
            from.name,
            public.display()
        ));
    }

    key_menu(to, "tancopy");
    to.step("3", &format!("2  {}", to.t("menu.authorized_keys.add")));
    to.step("2", &to.t("screens.paste_prompt"));
    // A selection of several rows reaches the terminal as lines: pasted as such.
    to.paste(&rows.join("\n"));
    to.wait_for(&ask(to, "model.ssh.authorize_question"));
    assert!(
        to.screen().contains(&fp),
        "the confirmation names the key {fp}:\n{}",
        to.dump()
    );
    to.send("y\r");
    to.wait_words(&to.t_through("outcome.keys.added", "fingerprint", &fp));

    let authorized = to_root.join("home/tancopy/.ssh/authorized_keys");
    let listed = ssh_keygen_l(&authorized);
    assert!(
        listed
            .iter()
            .any(|l| l.split_whitespace().nth(1) == Some(fp.as_str())),
        "ssh-keygen -l -f {} lists {listed:?}, not {fp}",
        authorized.display()
    );
    let comment = file_line.split_whitespace().nth(2).unwrap_or_default();
    if !read(&authorized).contains(comment) {
        findings.push(format!(
            "{} holds the key without its comment {comment:?}: only what the screen showed could be copied",
            authorized.display()
        ));
    }
}

/// sftp with `key` as `user` against the sshd on `port`: whether OpenSSH lets it in.
fn sftp_login(key: &Path, user: &str, port: u16, known_hosts: &Path) -> (bool, String) {
    let batch = known_hosts.with_extension("batch");
    std::fs::write(&batch, "ls /\n").expect("write the sftp batch file");
    run(
        "sftp",
        &[
            "-F",
            "/dev/null",
            "-i",
            path_str(key),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            &format!("UserKnownHostsFile={}", path_str(known_hosts)),
            "-P",
            &port.to_string(),
            "-b",
            path_str(&batch),
            &format!("{user}@127.0.0.1"),
        ],
    )
}

fn backups_of(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{name}.")) && n.ends_with(".bak"))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn operator_journey_across_two_consoles_in_real_terminals() {
    journey(Lang::En);
}

/// The same journey, the same keys, in French: every screen waited for is read in French.
#[test]
fn operator_journey_in_french() {
    journey(Lang::Fr);
}

/// The journey with both consoles in `lang` (`--lang`): the keys are the same in every
/// language; what is waited for is read from the texts of `lang`.
fn journey(lang: Lang) {
    let started = Instant::now();
    let a = appliances();
    let user = login_user();
    let ts_sshd = Sshd::start(&a.ts);
    let zs_sshd = Sshd::start(&a.zs);
    if euid() == 0 {
        for (sshd, root) in [(&ts_sshd, &a.ts), (&zs_sshd, &a.zs)] {
            assert!(
                sshd.log_text().contains("confined to transfer/ (chroot)"),
                "run as root under a root-owned 0755 path, sshd of {} confines logins to transfer/:\n{}",
                root.display(),
                sshd.log_text()
            );
        }
    }
    let mut ts = Console::open_in("Tanium Server", &a.ts, lang);
    let mut zs = Console::open_in("Zone Server", &a.zs, lang);
    let mut findings = Vec::new();

    // 1. SSH keys both ways: Zone Server's tanadmin → Tanium Server's tancopy, and back.
    exchange_key(&mut zs, &a.zs, &mut ts, &a.ts, &mut findings);
    exchange_key(&mut ts, &a.ts, &mut zs, &a.zs, &mut findings);
    // The Zone Server's sshd lets the Tanium Server's tanadmin in with what was pasted.
    let (ok, out) = sftp_login(
        &a.ts.join("home/tanadmin/.ssh/id_ed25519"),
        &user,
        zs_sshd.port,
        &a.ts.with_extension("known_hosts"),
    );
    assert!(
        ok,
        "OpenSSH's sshd of the Zone Server refused the pasted key:\n{out}\n{}",
        zs_sshd.log_text()
    );
    assert!(
        out.contains("incoming") && out.contains("outgoing"),
        "{out}"
    );

    // 2. Zone Server: 2 › Z › 1, Enter through the prompts; the CSR read off the screen.
    zs.root_menu();
    zone_menu(&mut zs);
    zs.step("Z", &item(&zs, "1", "menu.zone.generate_csr"));
    zs.step("1", &field(&zs, "model.tls.common_name", ZS_HOST));
    let none = zs.t("model.tls.none_word");
    zs.step("", &field(&zs, "model.tls.dns_names", &none));
    zs.step("", &field(&zs, "model.tls.ip_addresses", &none));
    zs.step("", &field(&zs, "model.tls.key_type", "1"));
    zs.step("", "-----BEGIN CERTIFICATE REQUEST-----");
    let csr = zs.read_pem("CERTIFICATE REQUEST");
    assert_eq!(csr, read(&a.zs.join("zoneserver/reporting.csr")));
    let (ok, out) = run(
        "openssl",
        &[
            "req",
            "-in",
            path_str(&a.zs.join("zoneserver/reporting.csr")),
            "-noout",
            "-verify",
        ],
    );
    assert!(ok && out.contains("verify OK"), "{out}");

    // Tanium Server: 2 › Z › 2 › 2, paste, Enter (3650 days), y; the certificate read back.
    let server_cert_before = read(&a.ts.join("tanium/reporting.crt"));
    ts.root_menu();
    zone_menu(&mut ts);
    ts.step("Z", &item(&ts, "2", "menu.zone.import_csr"));
    ts.step("2", &item(&ts, "2", "menu.import_csr.paste"));
    ts.step("2", &ts.t("screens.paste_prompt"));
    ts.paste(&csr);
    ts.wait_for(&field(&ts, "model.tls.validity", "3650"));
    assert!(
        ts.screen().contains(&format!("CN={ZS_HOST}")),
        "{}",
        ts.dump()
    );
    ts.step("", &ask(&ts, "model.tls.issue_question"));
    let valid = ts.t_through("outcome.fleet.issue_warning", "days", "3650");
    let valid = valid.rsplit(", ").next().unwrap_or_default();
    assert!(ts.screen().contains(valid), "{valid}:\n{}", ts.dump());
    ts.send("y\r");
    let cert = ts.read_pem("CERTIFICATE");
    assert_eq!(cert, read(&a.ts.join("transfer/outgoing/reporting.crt")));
    assert_eq!(
        read(&a.ts.join("tanium/reporting.crt")),
        server_cert_before,
        "the server's own certificate is never overwritten"
    );

    // 3. The root key: the Tanium Server's Tanium Status and 2 › Z › 6 on one side,
    // 2 › Z › 4 › 2 on the Zone Server, then the certificate pasted at 2 › Z › 3 › 2.
    ts.root_menu();
    let root_key = ts.t("status.field.root_key");
    ts.step("1", &root_key);
    let root_fp = ts.value_of(&root_key);
    let ts_host_key = ts.value_of(&ts.t("status.field.sftp_host_key"));
    assert!(root_fp.starts_with("SHA256:"), "{}", ts.dump());
    ts.root_menu();
    zone_menu(&mut ts);
    ts.step("Z", &item(&ts, "6", "menu.zone.show_root_public_key"));
    ts.step("6", "-----BEGIN PUBLIC KEY-----");
    let root_pub = ts.read_pem("PUBLIC KEY");
    assert_eq!(root_pub, read(&a.ts.join("tanium/tanium.pub")));

    zs.root_menu();
    zone_menu(&mut zs);
    zs.step("Z", &item(&zs, "4", "menu.zone.import_root"));
    zs.step("4", &item(&zs, "2", "menu.import_root.paste"));
    zs.step("2", &zs.t("screens.paste_prompt"));
    zs.paste(&root_pub);
    zs.wait_for(&ask(&zs, "model.tls.trust_root_question"));
    assert!(
        zs.screen().contains(&root_fp),
        "the operator compares {root_fp} from the server's Tanium Status:\n{}",
        zs.dump()
    );
    zs.send("y\r");
    zs.wait_words(&zs.t_through("outcome.tls.root_trusted", "fingerprint", &root_fp));

    zs.root_menu();
    zone_menu(&mut zs);
    zs.step("Z", &item(&zs, "3", "menu.zone.import_cert"));
    zs.step("3", &item(&zs, "2", "menu.import_cert.paste"));
    zs.step("2", &zs.t("screens.paste_prompt"));
    zs.paste(&cert);
    zs.wait_for(&ask(&zs, "model.tls.install_question"));
    let subject = format!("CN={ZS_HOST}");
    let described = zs.t_through("model.tls.describe", "subject", &subject);
    assert!(
        zs.screen().contains(&described),
        "{described}:\n{}",
        zs.dump()
    );
    let installed = zs.t_through("outcome.tls.installed", "subject", &subject);
    zs.send("y\r");
    zs.wait_words(&installed);
    assert_eq!(read(&a.zs.join("zoneserver/reporting.crt")), cert);

    // 4. Again by SFTP from the Tanium Server's sshd: 2 › Z › 3 › 3.
    let host_fp = fingerprint(&a.ts.join("etc/ssh/ssh_host_ed25519_key.pub"));
    assert!(
        ts_host_key.contains(&host_fp),
        "the server's Tanium Status shows its SFTP host key {host_fp}: {ts_host_key:?}"
    );
    zs.root_menu();
    zone_menu(&mut zs);
    zs.step("Z", &item(&zs, "3", "menu.zone.import_cert"));
    zs.step("3", &item(&zs, "3", "menu.import_cert.sftp_pull"));
    zs.step("3", &field(&zs, "model.form.host", ""));
    zs.step("127.0.0.1", &field(&zs, "model.form.port", "22"));
    zs.step(
        &ts_sshd.port.to_string(),
        &field(&zs, "model.form.user", "tancopy"),
    );
    zs.step(&user, &ask(&zs, "model.transfer.unknown_host_question"));
    assert!(
        zs.screen().contains(&host_fp),
        "the unknown host's fingerprint is ssh-keygen's {host_fp}:\n{}",
        zs.dump()
    );
    zs.step("y", &ask(&zs, "model.tls.install_question"));
    assert!(!zs.screen().contains(&installed), "{}", zs.dump());
    zs.send("y\r");
    zs.wait_words(&installed);
    assert_eq!(
        read(&a.zs.join("transfer/incoming/reporting.crt")),
        cert,
        "the pulled file lands in /incoming"
    );
    assert_eq!(read(&a.zs.join("zoneserver/reporting.crt")), cert);
    let backups = backups_of(&a.zs.join("zoneserver"), "reporting.crt");
    assert_eq!(
        backups.len(),
        1,
        "the previous certificate is kept: {backups:?}"
    );
    assert_eq!(read(&backups[0]), cert);
    let known = ssh_keygen_l(&a.zs.join("home/tanadmin/.ssh/known_hosts"));
    assert!(
        known
            .iter()
            .any(|l| l.split_whitespace().nth(1) == Some(host_fp.as_str())),
        "tanadmin's known_hosts records the accepted host key: {known:?}"
    );

    // 5. Tanium Status on the Zone Server, OpenSSL agreeing, X at the root.
    zs.root_menu();
    let trusted = zs.t("status.field.trusted_root");
    zs.step("1", &trusted);
    let state = zs.value_of(&zs.t("status.field.state"));
    let valid_until = zs.t_through("status.cert.valid_until", "date", "");
    assert!(state.starts_with(&valid_until), "{}", zs.dump());
    assert_eq!(zs.value_of(&trusted), root_fp);
    let crt = a.zs.join("zoneserver/reporting.crt");
    let (ok, out) = run(
        "openssl",
        &[
            "verify",
            "-CAfile",
            path_str(&a.ts.join("tanium/tanium-root.crt")),
            path_str(&crt),
        ],
    );
    assert!(
        ok && out.contains(&format!("{}: OK", crt.display())),
        "{out}"
    );

    for console in [&mut zs, &mut ts] {
        console.root_menu();
        let (code, tail) = console.exit();
        assert_eq!(code, 0, "X exits the {} with status 0", console.name);
        let tail = String::from_utf8_lossy(&tail);
        assert!(
            tail.contains("\x1b[?1049l"),
            "the {} leaves the alternate screen on exit: {tail:?}",
            console.name
        );
        assert!(!console.parser.screen().alternate_screen());
    }

    // The copy-friendly view (src/screens/flow.rs `view`, drawn by an unwrapped Paragraph in
    // src/screens/mod.rs `draw_body`) must show a line wider than the screen whole (SPEC §3.1).
    assert!(
        findings.is_empty(),
        "the journey went through, but the product is wrong here:\n- {}",
        findings.join("\n- ")
    );
    eprintln!("operator journey ({lang:?}): {:.1?}", started.elapsed());
}

/// The SSH connection drops: the terminal closes under the console. The kernel hangs the
/// terminal up (SIGHUP, then end-of-file on every read); the console must end, not stay
/// behind reading nothing.
#[test]
fn a_terminal_closed_under_the_console_ends_it() {
    use std::time::Duration;

    let dir = scratch("e2e_hangup");
    let zs = dir.path().join("zs");
    init(&zs, &["--role", "zone-server", "--hostname", ZS_HOST]);
    // The root menu is up.
    let mut console = Console::open("zone server", &zs);

    // The connection drops.
    console.hang_up();
    let status = console.wait_exit(Duration::from_secs(5));
    let cpu = console.cpu_seconds();
    assert!(
        status.is_some(),
        "the console was still running 5 s after its terminal closed (CPU seconds used so far: {cpu:.1}): src/app `run` waits in crossterm's event::poll, which reads end-of-file from the hung-up terminal forever and never returns, so the SIGHUP flag is never looked at"
    );
}
