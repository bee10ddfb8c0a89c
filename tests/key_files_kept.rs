//! Issue 8, item 8: a change to known_hosts or authorized_keys touches only the line it
//! targets. Every other line (markers, hashed hosts, comments, blank lines, CRLF ends,
//! trailing blanks, options) is compared byte for byte after each add and remove, and
//! ssh-keygen still reads the files.

mod support;

use std::path::{Path, PathBuf};

use support::roots;
use support::tools::{run, run_ok, ssh_keygen_ed25519};
use tanos_menu::appliance::users::{
    add_authorized, authorized_rows, known_host_rows, known_hosts_path, remove_authorized,
    remove_known_host,
};
use tanos_menu::appliance::{Appliance, Platform, Role};
use tanos_menu::sshkeys::known_hosts::{self, KnownHost};

fn zone_server(dir: &Path) -> Appliance {
    roots::appliance_at(dir, "zs", Role::ZoneServer, Platform::V7_3, false, None)
}

/// A fresh ed25519 public key line from ssh-keygen: (type, base64, comment).
fn new_key(dir: &Path, name: &str) -> (String, String, String) {
    let text = ssh_keygen_ed25519(&dir.join(name), &format!("{name}@test"));
    let mut parts = text.split_whitespace().map(str::to_string);
    (
        parts.next().expect("type"),
        parts.next().expect("key"),
        parts.next().expect("comment"),
    )
}

fn line_of(key: &(String, String, String)) -> String {
    format!("{} {} {}", key.0, key.1, key.2)
}

/// `host key` hashed by ssh-keygen -H: the `|1|…` line it writes.
fn hashed_line(dir: &Path, host: &str, key: &(String, String, String)) -> String {
    let file = dir.join("to-hash");
    std::fs::write(&file, format!("{host} {} {}\n", key.0, key.1)).expect("write");
    run_ok(
        "ssh-keygen",
        &["-q", "-H", "-f", file.to_str().expect("utf-8")],
        dir,
    );
    let hashed = std::fs::read_to_string(&file).expect("hashed");
    let line = hashed.lines().next().expect("a line").to_string();
    assert!(line.starts_with("|1|"), "{line}");
    line
}

/// The file's bytes equal `expected`; shown as text when they do not.
#[track_caller]
fn assert_bytes(path: &Path, expected: &[u8]) {
    let actual = bytes(path);
    assert_eq!(
        String::from_utf8_lossy(&actual),
        String::from_utf8_lossy(expected),
        "{}",
        path.display()
    );
    assert_eq!(actual, expected, "{}", path.display());
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Removes the first occurrence of `line` from `text`.
fn without(text: &[u8], line: &[u8]) -> Vec<u8> {
    let at = text
        .windows(line.len())
        .position(|w| w == line)
        .expect("line present");
    [&text[..at], &text[at + line.len()..]].concat()
}

/// Whether `ssh-keygen -F host -f file` finds `host` with the key `base64`.
fn keygen_finds(file: &Path, host: &str, base64: &str) -> bool {
    let (ok, out) = run(
        "ssh-keygen",
        &["-F", host, "-f", file.to_str().expect("utf-8")],
    );
    ok && out.contains(base64)
}

struct KnownHostsCase {
    _dir: tempfile::TempDir,
    app: Appliance,
    file: PathBuf,
    original: Vec<u8>,
    plain: String,
    revoked: String,
    ca: String,
    hashed_key: (String, String, String),
    /// The base64 of: plain (ts01), crlf (ts02:2222), spaced (ts03).
    others: [String; 3],
}

fn known_hosts_case() -> KnownHostsCase {
    let dir = roots::scratch("key_files_kept", "known-hosts-");
    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys).expect("keys dir");
    let app = zone_server(dir.path());
    let [revoked, ca, hashed, plain, crlf, spaced] =
        ["revoked", "ca", "hashed", "plain", "crlf", "spaced"].map(|n| new_key(&keys, n));
    let revoked_line = format!("@revoked * {} {}", revoked.0, revoked.1);
    let ca_line = format!(
        "@cert-authority *.zone.example {} {} the zone CA",
        ca.0, ca.1
    );
    let plain_line = format!("ts01.example {} {}", plain.0, plain.1);
    let text = format!(
        "# peers of tanadmin, kept by hand\n\n{revoked_line}\n{ca_line}\n{}\n   \n{plain_line}\n[ts02.example]:2222 {} {}\r\n# trailing blanks next\nts03.example {} {}   \n#last comment without end of line",
        hashed_line(&keys, "ts09.example", &hashed),
        crlf.0,
        crlf.1,
        spaced.0,
        spaced.1,
    );
    // A comment that is not UTF-8 (Latin-1 from another system) is kept as it is too.
    let mut original = b"# h\xf4te g\xe9r\xe9 \x00 ailleurs\n".to_vec();
    original.extend_from_slice(text.as_bytes());
    let file = known_hosts_path(&app);
    std::fs::write(&file, &original).expect("write known_hosts");
    KnownHostsCase {
        _dir: dir,
        app,
        file,
        original,
        plain: plain_line,
        revoked: revoked_line,
        ca: ca_line,
        hashed_key: hashed,
        others: [plain.1, crlf.1, spaced.1],
    }
}

/// Forgetting one host removes that line only: the revocation, the CA line, the hashed host,
/// comments, blank lines, CRLF and trailing blanks stay byte for byte.
#[test]
fn forgetting_a_host_keeps_every_other_line_byte_for_byte() {
    let case = known_hosts_case();
    let rows = known_host_rows(&case.app).expect("rows");
    assert_eq!(rows.len(), 6, "{rows:#?}");
    assert!(
        rows[0].starts_with("@revoked *  ssh-ed25519"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].starts_with("@cert-authority *.zone.example  ssh-ed25519"),
        "{}",
        rows[1]
    );
    let plain_row = rows
        .iter()
        .position(|r| r.starts_with("ts01.example "))
        .expect("listed");
    let forgotten = remove_known_host(&case.app, plain_row + 1).expect("forget");
    assert_eq!(forgotten, "ts01.example");
    let expected = without(&case.original, format!("{}\n", case.plain).as_bytes());
    assert_bytes(&case.file, &expected);
    let [plain, crlf, spaced] = &case.others;
    assert!(!keygen_finds(&case.file, "ts01.example", plain));
    assert!(
        keygen_finds(&case.file, "ts09.example", &case.hashed_key.1),
        "hashed host kept"
    );
    assert!(
        keygen_finds(&case.file, "[ts02.example]:2222", crlf),
        "CRLF host kept"
    );
    assert!(
        keygen_finds(&case.file, "ts03.example", spaced),
        "spaced host kept"
    );

    // Forgetting the revocation itself removes that line, and nothing else.
    let before = bytes(&case.file);
    remove_known_host(&case.app, 1).expect("forget the revocation");
    assert_bytes(
        &case.file,
        &without(&before, format!("{}\n", case.revoked).as_bytes()),
    );
    assert!(
        String::from_utf8_lossy(&bytes(&case.file)).contains(&case.ca),
        "CA line whole"
    );
}

/// Recording a host appends its line; every line before it stays byte for byte (the last
/// one only gains the end of line it lacked). A known key is not added twice.
#[test]
fn recording_a_host_keeps_every_other_line_byte_for_byte() {
    let case = known_hosts_case();
    let new = KnownHost {
        hosts: "[ts04.example]:2022".into(),
        key_type: case.hashed_key.0.clone(),
        key_base64: case.hashed_key.1.clone(),
    };
    known_hosts::add(&case.file, new.clone()).expect("add");
    let mut expected = case.original.clone();
    expected.extend_from_slice(
        format!(
            "\n[ts04.example]:2022 {} {}\n",
            new.key_type, new.key_base64
        )
        .as_bytes(),
    );
    assert_bytes(&case.file, &expected);
    known_hosts::add(&case.file, new).expect("add again");
    assert_eq!(bytes(&case.file), expected, "not added twice");
    assert!(keygen_finds(
        &case.file,
        "[ts04.example]:2022",
        &case.hashed_key.1
    ));
    assert!(keygen_finds(&case.file, "ts09.example", &case.hashed_key.1));
    // A revoked key is not a host's recorded key: it does not steer the key exchange.
    let plain = known_hosts::read(&case.file).expect("read");
    assert!(plain.iter().all(|h| !h.hosts.starts_with('@')));
    assert_eq!(plain.len(), 5, "{plain:#?}");
}

/// authorized_keys: adding and removing keep comments, blank lines, options-bearing lines,
/// CRLF ends and trailing blanks of the other lines byte for byte; ssh-keygen -l reads it.
#[test]
fn authorized_keys_edits_keep_every_other_line_byte_for_byte() {
    let dir = roots::scratch("key_files_kept", "authorized-");
    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys).expect("keys dir");
    let app = zone_server(dir.path());
    let [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map(|n| new_key(&keys, n));
    let with_options = format!(
        "from=\"10.0.0.0/8\",no-pty,command=\"internal-sftp\" {}",
        line_of(&b)
    );
    let text = format!(
        "# tancopy: transfer peers\n\n{}\r\n{with_options}\n  # indented comment\n{}   \n\t\n{}",
        line_of(&a),
        line_of(&c),
        line_of(&d),
    );
    let file = app.ssh_dir("tancopy").join("authorized_keys");
    std::fs::write(&file, &text).expect("write");
    let original = text.into_bytes();

    add_authorized(&app, "tancopy", &line_of(&e)).expect("add");
    let mut expected = original.clone();
    expected.extend_from_slice(format!("\n{}\n", line_of(&e)).as_bytes());
    assert_bytes(&file, &expected);

    // Remove the key with options (listed second): only its line goes.
    let removed = remove_authorized(&app, "tancopy", 2).expect("remove");
    assert_eq!(removed.comment(), "b@test");
    let expected = without(&expected, format!("{with_options}\n").as_bytes());
    assert_bytes(&file, &expected);

    // Remove the CRLF line: its CR goes with it, nothing else changes.
    remove_authorized(&app, "tancopy", 1).expect("remove");
    let expected = without(&expected, format!("{}\r\n", line_of(&a)).as_bytes());
    assert_bytes(&file, &expected);

    let rows = authorized_rows(&app, "tancopy").expect("rows");
    let (ok, out) = run(
        "ssh-keygen",
        &["-l", "-E", "sha256", "-f", file.to_str().expect("utf-8")],
    );
    assert!(ok, "{out}");
    assert_eq!(out.lines().count(), rows.len(), "{out}");
    for row in &rows {
        let fp = row.split_whitespace().nth(2).expect("fingerprint");
        assert!(out.contains(fp), "{fp} in {out}");
    }
    assert_eq!(rows.len(), 3);
}

/// Types `text` into the console, one key per character ('\n' is Enter).
fn typed(m: &mut tanos_menu::model::Model, text: &str) -> Vec<tanos_menu::model::Effect> {
    use tanos_menu::model::{Key, Msg, update};
    text.chars()
        .flat_map(|c| {
            let key = if c == '\n' { Key::Enter } else { Key::Char(c) };
            update(m, Msg::Key(key))
        })
        .collect()
}

/// The console removes the entry the operator confirmed, or nothing: when another writer
/// moved the lines between the list and the answer (another session forgot a host first),
/// the line number now points at another entry, which is kept, and the operator is told.
#[test]
fn a_removal_confirmed_on_a_stale_list_removes_nothing() {
    use support::console::{drive, model};
    use tanos_menu::model::Screen;
    let dir = roots::scratch("key_files_kept", "stale-");
    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys).expect("keys dir");
    let app = zone_server(dir.path());
    let [h1, h2, a, b] = ["h1", "h2", "a", "b"].map(|n| new_key(&keys, n));
    let known = known_hosts_path(&app);
    std::fs::write(
        &known,
        format!(
            "ts01.example {} {}\nts02.example {} {}\n",
            h1.0, h1.1, h2.0, h2.1
        ),
    )
    .expect("known_hosts");
    let authorized = app.ssh_dir("tancopy").join("authorized_keys");
    std::fs::write(&authorized, format!("{}\n{}\n", line_of(&a), line_of(&b))).expect("keys");
    for (keys, file, gone_first) in [
        (
            "C\n3\n1\n4\n",
            &known,
            format!("ts02.example {} {}\n", h2.0, h2.1),
        ),
        ("C\n3\n2\n3\n3\n", &authorized, format!("{}\n", line_of(&b))),
    ] {
        let mut m = model(&app.root);
        let effects = typed(&mut m, keys);
        drive(&mut m, &app.root, effects);
        // The operator picks line 1, then another session rewrites the file without it.
        let effects = typed(&mut m, "1\n");
        drive(&mut m, &app.root, effects);
        assert!(
            matches!(m.screen(), Screen::Confirm(_)),
            "{keys}: no confirmation"
        );
        std::fs::write(file, &gone_first).expect("the other session's change");
        let effects = typed(&mut m, "y\n");
        drive(&mut m, &app.root, effects);
        assert_bytes(file, gone_first.as_bytes());
        let told = format!("{:?}", m.flash);
        assert!(
            told.contains("changed since it was listed"),
            "{keys}: {told}"
        );
    }
}
