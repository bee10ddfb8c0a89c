//! SPEC §4.1 on real appliance roots: public keys pasted for a user's authorized_keys, as
//! OpenSSH's own `ssh-keygen` makes them and as terminals deliver them; hostile pastes
//! refused with the file untouched. `ssh-keygen -l` is the outside judge of every file
//! written.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use tanos_menu::appliance::users::{
    add_authorized, authorized_rows, regenerate_keypair, remove_authorized,
};
use tanos_menu::appliance::{Appliance, Platform, Role};
use tanos_menu::sshkeys::authorized::{self, AuthorizedKey, parse_pasted};
use time::OffsetDateTime;

use support::fs::{mode, path_str};
use support::roots;

// ---------------------------------------------------------------- places

/// A 0755 directory under target/ for this test binary's roots and keys.
fn base() -> PathBuf {
    let base = roots::base("authorized_keys");
    std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o755)).expect("chmod base");
    base
}

/// A fresh appliance (a Tanium Server: tancopy's keys are the same on either role).
struct Root {
    _dir: tempfile::TempDir,
    app: Appliance,
}

impl Root {
    fn authorized_keys(&self) -> PathBuf {
        self.app.ssh_dir("tancopy").join("authorized_keys")
    }
}

fn appliance() -> Root {
    let dir = roots::scratch_in(&base(), "case-");
    let opts = roots::options(Role::ZoneServer, "zs01.example", Platform::V7_3, false);
    let app = roots::appliance(&dir.path().join("zs"), &opts, OffsetDateTime::now_utc());
    Root { _dir: dir, app }
}

fn scratch() -> tempfile::TempDir {
    roots::scratch_in(&base(), "scratch-")
}

// ---------------------------------------------------------------- outside judges

fn run(program: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| support::tools::cannot_run(program, &e));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The SHA256 fingerprints `ssh-keygen -l -f` lists for a file, in file order; panics when
/// ssh-keygen refuses the file.
#[track_caller]
fn keygen_fingerprints(file: &Path) -> Vec<String> {
    let (ok, out, err) = run("ssh-keygen", &["-l", "-E", "sha256", "-f", path_str(file)]);
    assert!(
        ok,
        "ssh-keygen -l refused {}:\n{err}\n{}",
        file.display(),
        std::fs::read_to_string(file).unwrap_or_default()
    );
    out.lines()
        .map(|l| {
            l.split_whitespace()
                .nth(1)
                .unwrap_or_else(|| panic!("ssh-keygen -l line: {l}"))
                .to_string()
        })
        .collect()
}

/// The fingerprint column of `authorized_rows`.
fn row_fingerprints(rows: &[String]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            r.split_whitespace()
                .find(|t| t.starts_with("SHA256:"))
                .unwrap_or_else(|| panic!("no fingerprint in row '{r}'"))
                .to_string()
        })
        .collect()
}

/// What every authorized_keys the product writes must be: LF only, a final newline, 0600
/// in a 0700 `.ssh`, and readable by ssh-keygen with the fingerprints the product lists.
#[track_caller]
fn assert_sound(root: &Root) {
    let file = root.authorized_keys();
    let bytes = std::fs::read(&file).expect("authorized_keys");
    assert!(!bytes.contains(&b'\r'), "a CR in {}", file.display());
    if !bytes.is_empty() {
        assert_eq!(bytes.last(), Some(&b'\n'), "no final newline");
        assert!(
            !String::from_utf8_lossy(&bytes).contains("\n\n"),
            "a blank line"
        );
    }
    assert_eq!(mode(&file), 0o600, "authorized_keys mode");
    assert_eq!(mode(file.parent().expect(".ssh")), 0o700, ".ssh mode");
    let rows = authorized_rows(&root.app, "tancopy").expect("rows");
    if !bytes.is_empty() {
        assert_eq!(
            keygen_fingerprints(&file),
            row_fingerprints(&rows),
            "ssh-keygen -l and the product list the same keys"
        );
    } else {
        assert!(rows.is_empty());
    }
}

// ---------------------------------------------------------------- keys made by ssh-keygen

/// A key pair made by `ssh-keygen` at test time.
#[derive(Debug, Clone)]
struct Generated {
    name: &'static str,
    /// What the product calls it ("RSA 3072").
    kind: &'static str,
    /// The .pub line, without its newline.
    line: String,
    private: String,
    /// `ssh-keygen -e` of the public key.
    rfc4716: String,
    /// `ssh-keygen -l` of the public key.
    fingerprint: String,
}

impl Generated {
    fn key_type(&self) -> &str {
        self.line.split(' ').next().expect("type")
    }

    fn blob(&self) -> &str {
        self.line.split(' ').nth(1).expect("base64")
    }

    /// The line with another comment.
    fn with_comment(&self, comment: &str) -> String {
        format!("{} {} {comment}", self.key_type(), self.blob())
    }
}

struct Keys {
    accepted: Vec<Generated>,
    rsa1024: Generated,
    dsa: Option<Generated>,
}

const ACCEPTED: [(&str, &str, &[&str]); 7] = [
    ("ed25519", "ED25519", &["-t", "ed25519"]),
    ("ecdsa256", "ECDSA P-256", &["-t", "ecdsa", "-b", "256"]),
    ("ecdsa384", "ECDSA P-384", &["-t", "ecdsa", "-b", "384"]),
    ("ecdsa521", "ECDSA P-521", &["-t", "ecdsa", "-b", "521"]),
    ("rsa2048", "RSA 2048", &["-t", "rsa", "-b", "2048"]),
    ("rsa3072", "RSA 3072", &["-t", "rsa", "-b", "3072"]),
    ("rsa4096", "RSA 4096", &["-t", "rsa", "-b", "4096"]),
];

fn collect(dir: &Path, name: &'static str, kind: &'static str) -> Generated {
    let file = dir.join(name);
    let public = dir.join(format!("{name}.pub"));
    let line = std::fs::read_to_string(&public)
        .expect("read .pub")
        .trim_end()
        .to_string();
    let private = std::fs::read_to_string(&file).expect("read private key");
    let (ok, rfc4716, err) = run("ssh-keygen", &["-e", "-f", path_str(&public)]);
    assert!(ok, "ssh-keygen -e {name}: {err}");
    let fps = keygen_fingerprints(&public);
    Generated {
        name,
        kind,
        line,
        private,
        rfc4716,
        fingerprint: fps[0].clone(),
    }
}

/// `ssh-keygen -t rsa -b 1024`, or, where it refuses, `openssl genrsa 1024` and
/// `ssh-keygen -y` of it.
fn rsa1024(dir: &Path) -> Generated {
    let file = dir.join("rsa1024");
    let (ok, _, _) = run(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "rsa",
            "-b",
            "1024",
            "-N",
            "",
            "-C",
            "weak@old-laptop",
            "-f",
            path_str(&file),
        ],
    );
    if !ok {
        let (ok, _, err) = run("openssl", &["genrsa", "-out", path_str(&file), "1024"]);
        assert!(ok, "openssl genrsa 1024: {err}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let (ok, public, err) = run("ssh-keygen", &["-y", "-f", path_str(&file)]);
        assert!(ok, "ssh-keygen -y: {err}");
        std::fs::write(
            dir.join("rsa1024.pub"),
            format!("{} weak@old-laptop\n", public.trim()),
        )
        .expect("write rsa1024.pub");
    }
    collect(dir, "rsa1024", "RSA 1024")
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = scratch();
        // Started together: RSA 4096 takes a while.
        let children: Vec<_> = ACCEPTED
            .iter()
            .map(|(name, _, args)| {
                let file = dir.path().join(name);
                let comment = format!("{name}@tanos-test");
                Command::new("ssh-keygen")
                    .args(["-q", "-N", "", "-C", &comment, "-f", path_str(&file)])
                    .args(*args)
                    .stdin(Stdio::null())
                    .spawn()
                    .unwrap_or_else(|e| support::tools::cannot_run("ssh-keygen", &e))
            })
            .collect();
        for (mut child, (name, _, _)) in children.into_iter().zip(ACCEPTED) {
            let status = child.wait().expect("wait ssh-keygen");
            assert!(status.success(), "ssh-keygen {name}: {status}");
        }
        let accepted = ACCEPTED
            .iter()
            .map(|(name, kind, _)| collect(dir.path(), name, kind))
            .collect();
        let dsa_file = dir.path().join("dsa");
        let (dsa_ok, _, _) = run(
            "ssh-keygen",
            &[
                "-q",
                "-t",
                "dsa",
                "-N",
                "",
                "-C",
                "dsa@old-laptop",
                "-f",
                path_str(&dsa_file),
            ],
        );
        let dsa = dsa_ok.then(|| collect(dir.path(), "dsa", "DSA"));
        Keys {
            accepted,
            rsa1024: rsa1024(dir.path()),
            dsa,
        }
    })
}

fn key(name: &str) -> &'static Generated {
    keys()
        .accepted
        .iter()
        .find(|k| k.name == name)
        .unwrap_or_else(|| panic!("no key {name}"))
}

/// An `ssh-dss` line: ssh-keygen's when it still makes DSA keys, else a DSA blob built by
/// hand (string "ssh-dss", then p, q, g, y as mpints).
fn dsa_line() -> String {
    if let Some(dsa) = &keys().dsa {
        return dsa.line.clone();
    }
    use base64::Engine;
    let mut blob = Vec::new();
    let mut put = |bytes: &[u8]| {
        blob.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        blob.extend_from_slice(bytes);
    };
    put(b"ssh-dss");
    for len in [129usize, 21, 128, 128] {
        let mut n = vec![0x5au8; len];
        n[0] = if len % 2 == 1 { 0 } else { 0x3c };
        put(&n);
    }
    format!(
        "ssh-dss {} dsa@old-laptop",
        base64::engine::general_purpose::STANDARD.encode(blob)
    )
}

#[track_caller]
fn parsed(text: &str) -> AuthorizedKey {
    parse_pasted(text).unwrap_or_else(|e| panic!("refused: {e}\n{text:?}"))
}

#[track_caller]
fn assert_same_key(got: &AuthorizedKey, want: &Generated) {
    assert_eq!(got.fingerprint(), want.fingerprint, "{}", want.name);
    assert_eq!(got.kind(), want.kind, "{}", want.name);
    let line = got.key.to_openssh().expect("OpenSSH line");
    let mut tokens = line.split(' ');
    assert_eq!(tokens.next(), Some(want.key_type()), "{line}");
    assert_eq!(tokens.next(), Some(want.blob()), "{line}");
}

// ---------------------------------------------------------------- accepted

#[test]
fn every_key_ssh_keygen_makes_is_accepted_as_given() {
    let root = appliance();
    for k in &keys().accepted {
        let key = parsed(&k.line);
        assert_same_key(&key, k);
        assert_eq!(key.comment(), format!("{}@tanos-test", k.name));
        assert_eq!(key.options, None);
        assert_eq!(key.line().expect("line"), k.line, "written as given");
        // As `cat id.pub` prints it, with its newline.
        let added = add_authorized(&root.app, "tancopy", &format!("{}\n", k.line)).expect("add");
        assert_eq!(added.fingerprint(), k.fingerprint);
        assert_sound(&root);
    }
    let text = std::fs::read_to_string(root.authorized_keys()).expect("read");
    let expected: String = keys()
        .accepted
        .iter()
        .map(|k| format!("{}\n", k.line))
        .collect();
    assert_eq!(text, expected, "one line per key, in the order added");
    let rows = authorized_rows(&root.app, "tancopy").expect("rows");
    assert_eq!(rows.len(), keys().accepted.len());
    for (row, k) in rows.iter().zip(&keys().accepted) {
        assert!(row.starts_with(k.kind), "{row}");
        assert!(row.contains(&k.fingerprint), "{row}");
        assert!(row.ends_with(&format!("{}@tanos-test", k.name)), "{row}");
    }
    // read() gives the same keys back.
    let read = authorized::read(&root.authorized_keys()).expect("read");
    let fps: Vec<String> = read.iter().map(AuthorizedKey::fingerprint).collect();
    let want: Vec<String> = keys()
        .accepted
        .iter()
        .map(|k| k.fingerprint.clone())
        .collect();
    assert_eq!(fps, want);
}

#[test]
fn options_are_kept_as_given() {
    let root = appliance();
    let ed = key("ed25519");
    let ec = key("ecdsa256");
    let rsa = key("rsa2048");
    let cases = [
        (
            format!("from=\"10.0.0.0/8\",no-pty {}", ed.line),
            "from=\"10.0.0.0/8\",no-pty",
            ed,
        ),
        (
            format!("command=\"echo hi there\" {}", ec.line),
            "command=\"echo hi there\"",
            ec,
        ),
        (
            format!(
                "no-port-forwarding,command=\"echo a b\",from=\"192.168.1.0/24\" {}",
                rsa.line
            ),
            "no-port-forwarding,command=\"echo a b\",from=\"192.168.1.0/24\"",
            rsa,
        ),
    ];
    for (line, options, k) in &cases {
        let key = parsed(line);
        assert_same_key(&key, k);
        assert_eq!(key.options.as_deref(), Some(*options), "{line}");
        assert_eq!(&key.line().expect("line"), line, "kept as given");
        add_authorized(&root.app, "tancopy", line).expect("add");
        assert_sound(&root);
    }
    let text = std::fs::read_to_string(root.authorized_keys()).expect("read");
    let expected: String = cases.iter().map(|(l, _, _)| format!("{l}\n")).collect();
    assert_eq!(text, expected);
    for row in authorized_rows(&root.app, "tancopy").expect("rows") {
        assert!(row.ends_with("[options]"), "{row}");
    }
}

#[test]
fn comments_with_spaces_are_kept() {
    let root = appliance();
    let comments = [
        ("ed25519", "Jane Doe laptop (office 2)"),
        ("ecdsa384", "  two  spaces inside  "),
        ("rsa3072", "backup key: do not remove"),
        ("ecdsa521", ""),
    ];
    for (name, comment) in comments {
        let k = key(name);
        let line = k.with_comment(comment);
        let key = parsed(&line);
        assert_same_key(&key, k);
        // The rest of the line; where the spaces around it go is of no consequence.
        assert_eq!(key.comment().trim(), comment.trim(), "{line:?}");
        add_authorized(&root.app, "tancopy", &line).expect("add");
        assert_sound(&root);
    }
    let rows = authorized_rows(&root.app, "tancopy").expect("rows");
    assert!(
        rows[0].ends_with("Jane Doe laptop (office 2)"),
        "{}",
        rows[0]
    );
    assert!(rows[1].ends_with("two  spaces inside"), "{}", rows[1]);
    let text = std::fs::read_to_string(root.authorized_keys()).expect("read");
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| l.ends_with(" Jane Doe laptop (office 2)")),
        "{text}"
    );
}

/// `line` cut every `width` characters, as a terminal that wraps a long line delivers it.
fn wrapped(line: &str, width: usize, ending: &str, indent: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    chars
        .chunks(width)
        .map(|c| format!("{indent}{}{ending}", c.iter().collect::<String>()))
        .collect()
}

/// Whether a cut every `width` characters falls next to a space (the space then ends a
/// piece or starts the next), and whether one falls inside a word of the comment.
fn cuts(line: &str, width: usize, comment_start: usize) -> (bool, bool) {
    let bytes = line.as_bytes();
    let mut on_space = false;
    let mut in_comment_word = false;
    for b in (width..line.len()).step_by(width) {
        let next_to_space = bytes[b] == b' ' || bytes[b - 1] == b' ';
        on_space |= next_to_space;
        in_comment_word |= b > comment_start && !next_to_space;
    }
    (on_space, in_comment_word)
}

#[test]
fn a_key_wrapped_by_a_terminal_is_joined_again() {
    let mut seen_on_space = false;
    let mut seen_inside_base64 = false;
    for k in &keys().accepted {
        for options in ["", "no-pty "] {
            let comment = format!("{}@tanos-test", k.name);
            let line = format!("{options}{}", k.line);
            let comment_start = line.len() - comment.len();
            let (on_space, in_comment_word) = cuts(&line, 40, comment_start);
            seen_on_space |= on_space;
            seen_inside_base64 |= !on_space;
            for ending in ["\r", "\r\n", "\n"] {
                for indent in ["", "    ", "\t"] {
                    let text = wrapped(&line, 40, ending, indent);
                    let pieces = text.split(['\r', '\n']).filter(|l| !l.is_empty());
                    assert!(pieces.count() >= 3, "{text:?}");
                    let key = parsed(&text);
                    assert_same_key(&key, k);
                    assert_eq!(
                        key.options.as_deref(),
                        (!options.is_empty()).then_some("no-pty"),
                        "{text:?}"
                    );
                    if !in_comment_word {
                        assert_eq!(key.comment(), comment, "{text:?}");
                        assert_eq!(key.line().expect("line"), line, "{text:?}");
                    }
                }
            }
        }
    }
    assert!(
        seen_on_space && seen_inside_base64,
        "both kinds of cut tried"
    );

    // Added to the file, a wrapped key is one LF-ended line that ssh-keygen reads.
    let root = appliance();
    for k in &keys().accepted {
        add_authorized(&root.app, "tancopy", &wrapped(&k.line, 40, "\r", "  ")).expect("add");
    }
    assert_sound(&root);
    assert_eq!(
        std::fs::read_to_string(root.authorized_keys())
            .expect("read")
            .lines()
            .count(),
        keys().accepted.len()
    );
}

/// A wrap that cuts a word of the comment must not put a space into it: the comment is
/// what the key's owner wrote, and the list shows it to tell keys apart.
#[test]
fn a_wrap_inside_the_comment_keeps_the_comment() {
    let k = key("ed25519");
    // "ssh-ed25519 " and the base64 are 80 characters: the comment starts at 81, the cut
    // at 120 falls inside "workstation".
    let comment = "operator@zone-server-01.example workstation";
    let line = k.with_comment(comment);
    let (_, in_comment_word) = cuts(&line, 40, line.len() - comment.len());
    assert!(
        in_comment_word,
        "the cut falls inside a word of the comment"
    );
    for ending in ["\r", "\r\n", "\n"] {
        let key = parsed(&wrapped(&line, 40, ending, ""));
        assert_same_key(&key, k);
        assert_eq!(key.comment(), comment, "ending {ending:?}");
    }
}

#[test]
fn rfc4716_is_converted_with_its_comment() {
    let root = appliance();
    for k in &keys().accepted {
        assert!(
            k.rfc4716.starts_with("---- BEGIN SSH2 PUBLIC KEY ----"),
            "{}",
            k.rfc4716
        );
        let header = k
            .rfc4716
            .lines()
            .find_map(|l| l.strip_prefix("Comment: "))
            .expect("ssh-keygen -e writes a Comment header")
            .trim_matches('"')
            .to_string();
        for text in [
            k.rfc4716.clone(),
            k.rfc4716.replace('\n', "\r"),
            k.rfc4716.replace('\n', "\r\n"),
            k.rfc4716.lines().map(|l| format!("   {l}\n")).collect(),
        ] {
            let key = parsed(&text);
            assert_same_key(&key, k);
            assert_eq!(key.comment(), header, "{text:?}");
            assert_eq!(key.options, None);
        }
        add_authorized(&root.app, "tancopy", &k.rfc4716).expect("add");
        assert_sound(&root);
    }
    // A Comment header continued over two lines with a backslash (RFC 4716 §3.3).
    let k = key("ed25519");
    let body: String = k
        .rfc4716
        .lines()
        .filter(|l| !l.starts_with("----") && !l.contains(':'))
        .map(|l| format!("{l}\n"))
        .collect();
    let text = format!(
        "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"a long comment that goes on \\\nand on\"\n{body}---- END SSH2 PUBLIC KEY ----\n"
    );
    let key = parsed(&text);
    assert_same_key(&key, k);
    assert_eq!(key.comment(), "a long comment that goes on and on");
    let text = std::fs::read_to_string(root.authorized_keys()).expect("read");
    assert!(
        text.lines().all(|l| !l.contains("----")),
        "stored as OpenSSH lines: {text}"
    );
}

#[test]
fn generated_key_pairs_are_read_by_ssh_keygen() {
    let root = appliance();
    for user in ["tanadmin", "tancopy"] {
        for _ in 0..2 {
            let fp =
                regenerate_keypair(&root.app, user, OffsetDateTime::now_utc()).expect("regenerate");
            let dir = root.app.ssh_dir(user);
            let public = dir.join("id_ed25519.pub");
            let private = dir.join("id_ed25519");
            assert_eq!(keygen_fingerprints(&public), vec![fp.clone()]);
            assert_eq!(mode(&private), 0o600);
            assert_eq!(mode(&dir), 0o700);
            // The private key is a real OpenSSH key of the same public key.
            let (ok, derived, err) = run("ssh-keygen", &["-y", "-f", path_str(&private)]);
            assert!(ok, "ssh-keygen -y: {err}");
            let pub_text = std::fs::read_to_string(&public).expect("pub");
            let mut derived = derived.split_whitespace();
            let mut written = pub_text.split_whitespace();
            assert_eq!(derived.next(), written.next());
            assert_eq!(derived.next(), written.next());
            assert_eq!(
                written.next(),
                Some(format!("{user}@zs01.example").as_str())
            );
            // The exchange of §4.1: this public key pasted into tancopy's authorized_keys.
            let added = add_authorized(&root.app, "tancopy", &pub_text).expect("add");
            assert_eq!(added.fingerprint(), fp);
            assert_sound(&root);
        }
    }
    let rows = authorized_rows(&root.app, "tancopy").expect("rows");
    assert_eq!(rows.len(), 4);
    assert_eq!(
        keygen_fingerprints(&root.authorized_keys()),
        row_fingerprints(&rows)
    );
}

// ---------------------------------------------------------------- removing

#[test]
fn remove_by_line_number_removes_exactly_that_key() {
    let root = appliance();
    let names = ["ed25519", "ecdsa256", "rsa2048", "ecdsa384"];
    for name in names {
        add_authorized(&root.app, "tancopy", &key(name).line).expect("add");
    }
    let before = std::fs::read_to_string(root.authorized_keys()).expect("read");
    let lines: Vec<&str> = before.lines().collect();

    let removed = remove_authorized(&root.app, "tancopy", 2).expect("remove line 2");
    assert_eq!(removed.fingerprint(), key("ecdsa256").fingerprint);
    let after = std::fs::read_to_string(root.authorized_keys()).expect("read");
    assert_eq!(after, format!("{}\n{}\n{}\n", lines[0], lines[2], lines[3]));
    assert_sound(&root);

    let removed = remove_authorized(&root.app, "tancopy", 3).expect("remove the last line");
    assert_eq!(removed.fingerprint(), key("ecdsa384").fingerprint);
    assert_eq!(
        std::fs::read_to_string(root.authorized_keys()).expect("read"),
        format!("{}\n{}\n", lines[0], lines[2])
    );
    assert_sound(&root);

    let removed = remove_authorized(&root.app, "tancopy", 1).expect("remove line 1");
    assert_eq!(removed.fingerprint(), key("ed25519").fingerprint);
    let removed = remove_authorized(&root.app, "tancopy", 1).expect("remove line 1 again");
    assert_eq!(removed.fingerprint(), key("rsa2048").fingerprint);
    assert_eq!(
        std::fs::read_to_string(root.authorized_keys()).expect("read"),
        ""
    );
    assert_sound(&root);

    // A removed key can be added again.
    add_authorized(&root.app, "tancopy", &key("ed25519").line).expect("add again");
    assert_sound(&root);
}

// ---------------------------------------------------------------- hostile input

/// Hostile pastes: each is refused with its message and the file stays byte-identical.
#[test]
fn hostile_pastes_are_refused_and_change_nothing() {
    let root = appliance();
    let ed = key("ed25519");
    let rsa = key("rsa2048");
    add_authorized(&root.app, "tancopy", &ed.line).expect("a first key");
    add_authorized(
        &root.app,
        "tancopy",
        &format!("from=\"10.1.0.0/16\" {}", rsa.line),
    )
    .expect("a second key");

    let (_, pem_ec, err) = run(
        "openssl",
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ],
    );
    assert!(
        pem_ec.contains("BEGIN PRIVATE KEY"),
        "openssl genpkey: {err}"
    );
    let (_, pem_rsa, err) = run("openssl", &["genpkey", "-algorithm", "RSA", "-traditional"]);
    let pem_rsa = if pem_rsa.contains("PRIVATE KEY") {
        pem_rsa
    } else {
        let (_, text, _) = run("openssl", &["genrsa", "2048"]);
        assert!(text.contains("PRIVATE KEY"), "openssl genrsa: {err}");
        text
    };
    let truncated = format!("{} {}", ed.key_type(), &ed.blob()[..ed.blob().len() / 2]);
    let truncated_rsa = format!("{} {} x@y", rsa.key_type(), &rsa.blob()[..200]);
    let two = format!("{}\n{}\n", ed.line, key("ecdsa256").line);
    let two_tmux = format!("{}\r{}\r", key("ecdsa384").line, rsa.line);
    let huge = format!("{} {}", ed.line, "A".repeat(20 * 1024));
    let dsa = dsa_line();
    let dsa_with_options = format!("no-pty {dsa}");

    let table: Vec<(&str, String, &str)> = vec![
        (
            "OpenSSH private key",
            ed.private.clone(),
            "this is a private key",
        ),
        (
            "OpenSSH private key, as tmux pastes it",
            ed.private.replace('\n', "\r"),
            "this is a private key",
        ),
        (
            "public and private key together",
            format!("{}\n{}", ed.line, rsa.private),
            "this is a private key",
        ),
        ("PEM private key (PKCS#8)", pem_ec, "this is a private key"),
        (
            "PEM private key (traditional RSA)",
            pem_rsa,
            "this is a private key",
        ),
        ("DSA key", dsa.clone(), "DSA keys are refused"),
        (
            "DSA key with options",
            dsa_with_options,
            "DSA keys are refused",
        ),
        (
            "RSA 1024",
            keys().rsa1024.line.clone(),
            "RSA 1024-bit keys are too weak",
        ),
        (
            "RSA 1024 as RFC 4716",
            keys().rsa1024.rfc4716.clone(),
            "RSA 1024-bit keys are too weak",
        ),
        ("garbage", "hello world".into(), "not an OpenSSH public key"),
        (
            "garbage with a key type",
            "ssh-ed25519 this-is-not-base64!!! me@here".into(),
            "not an OpenSSH public key",
        ),
        (
            "a certificate PEM",
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n".into(),
            "not an OpenSSH public key",
        ),
        ("truncated base64", truncated, "not an OpenSSH public key"),
        (
            "truncated RSA base64",
            truncated_rsa,
            "not an OpenSSH public key",
        ),
        (
            "type without a key",
            "ssh-ed25519".into(),
            "not an OpenSSH public key",
        ),
        ("two keys in one paste", two, "2 keys were pasted"),
        ("two keys, CR-separated", two_tmux, "2 keys were pasted"),
        ("empty", String::new(), "nothing was pasted"),
        (
            "whitespace only",
            " \r\n\t\r  \n".into(),
            "nothing was pasted",
        ),
        ("a 20 KB paste", huge, "bytes; a public key is at most"),
        (
            "the same key again",
            format!("{}\n", ed.line),
            "this key is already authorized (line 1",
        ),
        (
            "the same key, another comment",
            ed.with_comment("someone else"),
            "this key is already authorized (line 1",
        ),
        (
            "the same key, with options",
            format!("no-pty,from=\"10.0.0.1\" {}", ed.line),
            "this key is already authorized (line 1",
        ),
        (
            "the second key again, without its options",
            rsa.with_comment(""),
            "this key is already authorized (line 2",
        ),
        (
            "the same key, wrapped",
            wrapped(&ed.line, 40, "\r", ""),
            "this key is already authorized (line 1",
        ),
        (
            "the same key, as RFC 4716",
            ed.rfc4716.clone(),
            "this key is already authorized (line 1",
        ),
        (
            "an escape sequence in the options",
            format!("command=\"echo \x1b[2J\" {}", key("ecdsa521").line),
            "control characters in the options",
        ),
        (
            "a BEL in the options",
            format!("no-pty,from=\"10.0.0.1\x07\" {}", key("ecdsa521").line),
            "control characters in the options",
        ),
        (
            "a NUL in the options",
            format!("no-pty\0,no-agent-forwarding {}", key("ecdsa521").line),
            "control characters in the options",
        ),
    ];

    let file = root.authorized_keys();
    let before = std::fs::read(&file).expect("read");
    for (what, text, message) in &table {
        let error = parse_pasted(text).err();
        let added = add_authorized(&root.app, "tancopy", text);
        let shown = match &added {
            Ok(key) => panic!("{what}: accepted as {}", key.fingerprint()),
            Err(e) => e.to_string(),
        };
        assert!(
            shown.contains(message),
            "{what}: the message is '{shown}', expected '{message}'"
        );
        // Duplicates are a refusal of add, not of the paste.
        if !message.starts_with("this key is already") {
            let error = error.unwrap_or_else(|| panic!("{what}: parse_pasted accepted it"));
            assert!(error.to_string().contains(message), "{what}: {error}");
        }
        assert!(
            !shown.contains("PRIVATE KEY") && !shown.contains("b3BlbnNzaC1rZXktdjE"),
            "{what}: the message echoes key material: {shown}"
        );
        assert_eq!(std::fs::read(&file).expect("read"), before, "{what}");
        assert_eq!(mode(&file), 0o600, "{what}");
        assert_eq!(mode(file.parent().expect(".ssh")), 0o700, "{what}");
    }

    // Lines that are not there.
    for line in [0, 3, 4, 1000] {
        let e = remove_authorized(&root.app, "tancopy", line)
            .err()
            .unwrap_or_else(|| panic!("line {line} removed"));
        assert!(
            e.to_string().contains(&format!("there is no line {line}")),
            "{e}"
        );
        assert_eq!(std::fs::read(&file).expect("read"), before, "line {line}");
    }
    assert_sound(&root);

    // Users that are not TanOS users.
    for user in ["root", "../tanadmin", ""] {
        let e = add_authorized(&root.app, user, &key("ecdsa256").line)
            .err()
            .unwrap_or_else(|| panic!("user '{user}' accepted"));
        assert!(e.to_string().contains("is not a TanOS user"), "{e}");
    }
    assert_eq!(std::fs::read(&file).expect("read"), before);
}

/// The comment is shown in the console's list and written to a file an operator may `cat`:
/// an escape sequence there would reach the operator's terminal.
#[test]
fn control_characters_in_the_comment_are_refused() {
    let root = appliance();
    let file = root.authorized_keys();
    let before = std::fs::read(&file).expect("read");
    let k = key("ecdsa256");
    for comment in ["evil\x1b[2J\x1b[31mred", "bell\x07here", "back\x08space"] {
        let text = k.with_comment(comment);
        let result = add_authorized(&root.app, "tancopy", &text);
        assert!(
            result.is_err(),
            "a comment with control characters was stored: {comment:?}"
        );
        assert_eq!(std::fs::read(&file).expect("read"), before, "{comment:?}");
    }
}

/// A file edited by hand (CRLF, comments, blank lines) is read; a change touches only the
/// line it targets: every other line stays byte for byte (issue 8, item 8).
#[test]
fn a_hand_edited_file_is_read_and_kept_byte_for_byte() {
    let root = appliance();
    let file = root.authorized_keys();
    let text = format!(
        "# keys of the transfer account\r\n\r\n{}\r\n   \r\n{}\r\n",
        key("ed25519").line,
        key("rsa3072").line
    );
    std::fs::write(&file, &text).expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let rows = authorized_rows(&root.app, "tancopy").expect("rows");
    assert_eq!(
        row_fingerprints(&rows),
        vec![
            key("ed25519").fingerprint.clone(),
            key("rsa3072").fingerprint.clone()
        ]
    );
    add_authorized(&root.app, "tancopy", &key("ecdsa384").line).expect("add");
    let added = format!("{text}{}\n", key("ecdsa384").line);
    assert_eq!(std::fs::read(&file).expect("read"), added.as_bytes());
    remove_authorized(&root.app, "tancopy", 1).expect("remove");
    let removed = added.replace(&format!("{}\r\n", key("ed25519").line), "");
    assert_eq!(std::fs::read(&file).expect("read"), removed.as_bytes());
    let rows = authorized_rows(&root.app, "tancopy").expect("rows");
    assert_eq!(keygen_fingerprints(&file), row_fingerprints(&rows));
    assert_eq!(mode(&file), 0o600, "authorized_keys mode");

    // A line that is no key: reported with its line number, nothing rewritten.
    let broken = format!("{}\nnot a key at all\n", key("ed25519").line);
    std::fs::write(&file, &broken).expect("write");
    let e = add_authorized(&root.app, "tancopy", &key("ecdsa256").line).expect_err("refused");
    assert!(
        e.to_string()
            .contains("authorized_keys line 2 is not a valid key"),
        "{e}"
    );
    assert_eq!(std::fs::read_to_string(&file).expect("read"), broken);
}
