//! Text from outside (CSRs, appliance files, arguments, /incoming names, the audit log,
//! issued.jsonl) never reaches the terminal as a control sequence: the real binary is run
//! with hostile inputs and its output searched for raw controls, and the console's views
//! are read as the screen shows them.

mod support;

use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use tanos_menu::appliance::requests;
use tanos_menu::appliance::{Appliance, Layout, Platform, Role};
use tanos_menu::executor::run_effect;
use tanos_menu::model::{Effect, Msg, Outcome, TextFor, update};

use support::pty::{BIN, Console};
use support::roots;
use support::tools::openssl_in;

const ESC: &str = "\x1b";
const BEL: &str = "\x07";

fn scratch() -> tempfile::TempDir {
    roots::scratch("outside_text", "txt-")
}

/// Characters that act on a terminal or hide text: controls other than newline and tab
/// (C0, DEL, C1 as characters), bidirectional overrides and isolates, zero-width ones.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'
        )
}

#[track_caller]
fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<(usize, char)> = text.char_indices().filter(|(_, c)| hidden(*c)).collect();
    assert!(bad.is_empty(), "{what}: raw {bad:?} in {text:?}");
}

/// Runs the binary in `dir` with stdin from /dev/null; stdout and stderr must be clean.
#[track_caller]
fn run(dir: &Path, args: &[&str]) -> (Output, String) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env_remove("TANOS_ROOT")
        .env_remove("TANOS_FAULT")
        .output()
        .expect("run tanos-menu");
    let what = format!("tanos-menu {args:?}");
    assert_clean(&format!("{what} stdout"), &out.stdout);
    assert_clean(&format!("{what} stderr"), &out.stderr);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, all)
}

/// Runs the binary in `dir` with a pseudo-terminal as stdin, stdout and stderr (where
/// argument parsers colour their output and pass escape sequences through); returns all it
/// wrote, which must hold no control but the terminal's CR LF.
#[track_caller]
fn run_tty(dir: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env("TERM", "xterm-256color")
        .env_remove("TANOS_ROOT")
        .env_remove("TANOS_FAULT")
        .env_remove("NO_COLOR");
    // Read until the program's side of the terminal closes (EIO on Linux).
    let out = Console::start("tanos-menu", cmd).read_to_end();
    let text = String::from_utf8_lossy(&out).replace("\r\n", "\n");
    assert_clean(
        &format!("tanos-menu {args:?} on a terminal"),
        text.as_bytes(),
    );
    text
}

fn tanium_server(dir: &Path) -> Appliance {
    roots::appliance_at(dir, "ts", Role::TaniumServer, Platform::V7_3, true, None)
}

/// A P-256 CSR made by OpenSSL with `subject` and, when given, `-addext ext`.
fn hostile_csr(dir: &Path, name: &str, subject: &str, ext: Option<&str>) {
    let mut args = vec![
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "k.pem",
        "-out",
        name,
        "-utf8",
        "-subj",
        subject,
    ];
    if let Some(ext) = ext {
        args.extend(["-addext", ext]);
    }
    let (ok, out) = openssl_in(dir, &args);
    assert!(ok, "openssl req {name}: {out}");
}

#[test]
fn keyutility_shows_hostile_csr_names_escaped() {
    let dir = scratch();
    let ts = tanium_server(dir.path());
    let key = ts.path("tanium/tanium.pvk");
    let key = key.to_str().expect("utf-8 path");
    let osc52 = format!("{ESC}]52;c;UFdORUQ={BEL}");
    let cases = [
        (
            "dns.csr",
            "/CN=ok.example".to_string(),
            Some(format!("subjectAltName=DNS:a{ESC}]0;PWNED{BEL}.example")),
            "\\e]0;PWNED\\x07",
        ),
        (
            "mail.csr",
            "/CN=ok.example".into(),
            Some(format!("subjectAltName=email:x{osc52}@example.com")),
            // Refused by its kind: the address itself is never echoed.
            "unsupported subject alternative name (an e-mail address)",
        ),
        (
            "uri.csr",
            "/CN=ok.example".into(),
            Some(format!("subjectAltName=URI:http://x{ESC}[2J{BEL}/")),
            "(a URI)",
        ),
        (
            "c1.csr",
            "/CN=ok.example".into(),
            Some("subjectAltName=DNS:a\u{9b}31m.example".into()),
            "\\u{9b}",
        ),
        (
            "bidi.csr",
            "/CN=ok.example".into(),
            Some("subjectAltName=DNS:moc.\u{202e}evil.example".into()),
            "\\u{202e}",
        ),
        (
            "cn.csr",
            format!("/CN=ok{ESC}]0;T{BEL}.example/O=Ev{ESC}[31mil"),
            None,
            "common name",
        ),
    ];
    for (name, subject, ext, shown) in &cases {
        hostile_csr(dir.path(), name, subject, ext.as_deref());
        let (out, all) = run(
            dir.path(),
            &["keyutility", "reporting-tls-issue", name, "out.crt", key],
        );
        assert_eq!(out.status.code(), Some(2), "{name}: {all}");
        assert!(all.contains(shown), "{name} should show {shown}: {all}");
        assert!(!dir.path().join("out.crt").exists(), "{name} was issued");
    }
}

#[test]
fn keyutility_arguments_are_printed_escaped() {
    let dir = scratch();
    let hostile = format!("x{ESC}]0;T{BEL}\u{202e}.csr");
    let (out, all) = run(
        dir.path(),
        &[
            "keyutility",
            "reporting-tls-issue",
            &hostile,
            "o.crt",
            "no.pvk",
        ],
    );
    assert_ne!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("x\\e]0;T\\x07\\u{202e}.csr"), "{all}");
    let made = format!("k{ESC}[2J.pvk");
    let csr = format!("c{BEL}.csr");
    let (out, all) = run(
        dir.path(),
        &[
            "keyutility",
            "reporting-tls-request",
            &made,
            &csr,
            "--common-name",
            "a.example",
        ],
    );
    assert!(out.status.success(), "{all}");
    assert!(
        all.contains("k\\e[2J.pvk") && all.contains("c\\x07.csr"),
        "{all}"
    );
    // Refused: the file exists now; the message names it escaped.
    let (out, all) = run(
        dir.path(),
        &["keyutility", "reporting-tls-request", &made, &csr],
    );
    assert_eq!(out.status.code(), Some(2), "{all}");
    let bad_cn = format!("a{ESC}]0;X{BEL}");
    let (out, _) = run(
        dir.path(),
        &[
            "keyutility",
            "reporting-tls-request",
            "k2.pvk",
            "c2.csr",
            "--common-name",
            &bad_cn,
            "--dns",
            &bad_cn,
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn hostile_appliance_toml_is_reported_escaped() {
    let dir = scratch();
    let ts = tanium_server(dir.path());
    let root = ts.root.to_str().expect("utf-8 path");
    std::fs::write(
        ts.path(Layout::CONFIG),
        "role = \"\\u001b]0;PWNED\\u0007\\u202e\"\nhostname = \"ts\"\nplatform = \"7.3\"\n",
    )
    .expect("write appliance.toml");
    for args in [
        vec!["--root", root, "config", "list"],
        vec!["--root", root, "config", "get", "IdleTimeoutSeconds"],
        vec!["--root", root],
    ] {
        let (out, all) = run(dir.path(), &args);
        assert!(!out.status.success(), "{args:?}: {all}");
        assert!(all.contains("\\e]0;PWNED\\x07\\u{202e}"), "{args:?}: {all}");
    }
}

/// A hand-edited hostname in appliance.toml is checked when the appliance opens, as `init`
/// checks it: it would name the appliance in certificates, host keys and the header.
#[test]
fn a_hostile_hostname_in_appliance_toml_is_refused_escaped() {
    let dir = scratch();
    let ts = tanium_server(dir.path());
    let root = ts.root.to_str().expect("utf-8 path");
    let cases = [
        ("ts\\u001b]0;PWNED\\u0007.example", "\\e"),
        ("*.com", "'*'"),
        ("a..example", "empty label"),
    ];
    for (hostname, shown) in cases {
        std::fs::write(
            ts.path(Layout::CONFIG),
            format!("role = \"tanium-server\"\nhostname = \"{hostname}\"\nplatform = \"7.3\"\n"),
        )
        .expect("write appliance.toml");
        for args in [vec!["--root", root, "config", "list"], vec!["--root", root]] {
            let (out, all) = run(dir.path(), &args);
            assert!(!out.status.success(), "{hostname} {args:?}: {all}");
            assert!(all.contains("hostname"), "{hostname} {args:?}: {all}");
            assert!(all.contains(shown), "{hostname} {args:?}: {all}");
        }
    }
}

#[test]
fn hostile_settings_toml_names_and_values_are_reported_escaped() {
    let dir = scratch();
    let ts = tanium_server(dir.path());
    let root = ts.root.to_str().expect("utf-8 path");
    let settings = ts.path(Layout::SETTINGS);
    let good = std::fs::read_to_string(&settings).expect("settings.toml");
    let cases = [
        ("[\"\\u001b[31mred\"]\nX = 1\n", "\\e[31mred"),
        (
            "[console]\n\"\\u001b]52;c;QUJD\\u0007\" = 1\n",
            "\\e]52;c;QUJD\\x07",
        ),
        (
            "[console]\nIdleTimeoutSeconds = \"1\\u001b[2J\"\n",
            "1\\e[2J",
        ),
        ("[\"\\u202econsole\"]\n", "\\u{202e}console"),
    ];
    for (text, shown) in cases {
        std::fs::write(&settings, text).expect("write settings.toml");
        let (out, all) = run(dir.path(), &["--root", root, "config", "list"]);
        assert_eq!(out.status.code(), Some(1), "{text}: {all}");
        assert!(all.contains(shown), "{text} should show {shown}: {all}");
    }
    // A value that passes validation but holds an invisible character is echoed escaped.
    std::fs::write(&settings, &good).expect("restore settings.toml");
    let value = "tanium/a\u{202e}trc.crt";
    let (out, all) = run(
        dir.path(),
        &[
            "--root",
            root,
            "config",
            "set",
            "ReportingTLSCertPath",
            value,
        ],
    );
    if out.status.success() {
        assert!(all.contains("tanium/a\\u{202e}trc.crt"), "{all}");
        let (_, listed) = run(dir.path(), &["--root", root, "config", "list"]);
        assert!(listed.contains("\\u{202e}"), "{listed}");
        let (_, got) = run(
            dir.path(),
            &["--root", root, "config", "get", "ReportingTLSCertPath"],
        );
        assert!(got.contains("\\u{202e}"), "{got}");
    }
}

#[test]
fn hostile_arguments_are_echoed_escaped() {
    let dir = scratch();
    let ts = tanium_server(dir.path());
    let root = ts.root.to_str().expect("utf-8 path");
    let idle = format!("Idle{ESC}]0;X{BEL}");
    let clear = format!("6{ESC}[2J");
    let (bel, esc) = (format!("no{BEL}"), format!("c{ESC}"));
    // The arguments after --root, the exit code wanted (when checked), what is echoed.
    let cases: [(Vec<&str>, Option<i32>, &str); 4] = [
        (
            vec!["config", "get", &idle],
            Some(2),
            "unknown setting 'Idle\\e]0;X\\x07'",
        ),
        (
            vec!["config", "set", "IdleTimeoutSeconds", &clear],
            Some(2),
            "6\\e[2J",
        ),
        (
            vec!["config", "get", "X", "--component", &bel],
            Some(2),
            "unknown component 'no\\x07'",
        ),
        (
            vec!["config", "list", "--component", &esc],
            None,
            "unknown component 'c\\e'",
        ),
    ];
    for (args, code, want) in cases {
        let args: Vec<&str> = ["--root", root].into_iter().chain(args).collect();
        let (out, all) = run(dir.path(), &args);
        if code.is_some() {
            assert_eq!(out.status.code(), code, "{args:?}: {all}");
        }
        assert!(all.contains(want), "{args:?}: {all}");
    }
    for bad in [
        format!("a{ESC}]0;X{BEL}.example"),
        "ts\u{200b}01.example".to_string(),
        "ts01.\u{202e}elpmaxe".to_string(),
        format!("{}.example", "x\u{9b}".repeat(40)),
    ] {
        let fresh = dir.path().join("fresh");
        let fresh = fresh.to_str().expect("utf-8 path");
        let (out, all) = run(
            dir.path(),
            &[
                "--root",
                fresh,
                "init",
                "--role",
                "tanium-server",
                "--hostname",
                &bad,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {all}");
        assert!(all.contains("\\"), "{bad:?} should be shown escaped: {all}");
        assert!(
            !all.contains("''"),
            "an invisible character shown as nothing: {all}"
        );
    }
}

#[test]
fn component_names_are_quoted_once() {
    let dir = scratch();
    let ts = tanium_server(dir.path());
    let root = ts.root.to_str().expect("utf-8 path");
    let (out, all) = run(
        dir.path(),
        &[
            "--root",
            root,
            "config",
            "get",
            "IdleTimeoutSeconds",
            "--component",
            "no-such",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("unknown component 'no-such'"), "{all}");
    assert!(!all.contains("unknown setting"), "{all}");
}

#[test]
fn an_os_error_is_named_once() {
    let dir = scratch();
    let root = dir.path().join("odd");
    std::fs::create_dir_all(root.join(Layout::CONFIG)).expect("a directory named appliance.toml");
    let root = root.to_str().expect("utf-8 path");
    for args in [vec!["--root", root], vec!["--root", root, "config", "list"]] {
        let (out, all) = run(dir.path(), &args);
        assert!(!out.status.success(), "{all}");
        // Said once: by the OS ("Is a directory (os error 21)") or by the bounded reader.
        let said = all.to_lowercase().matches("is a directory").count();
        assert_eq!(said, 1, "{args:?}: {all}");
    }
}

#[test]
fn the_console_without_a_terminal_says_so_and_exits_3() {
    let dir = scratch();
    let ts = tanium_server(dir.path());
    let root = ts.root.to_str().expect("utf-8 path");
    let (out, all) = run(dir.path(), &["--root", root]);
    assert_eq!(out.status.code(), Some(3), "{all}");
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(text.lines().count(), 1, "one line: {text}");
    assert!(text.contains("needs a terminal"), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(out.stdout.is_empty(), "nothing drawn: {:?}", out.stdout);
}

// ---------------------------------------------------------------- the console's views

fn done_view(msg: Msg) -> (Vec<String>, String) {
    // The executor's typed result, in the sentences the model writes for it.
    let msg = match msg {
        Msg::Finished(Ok(finished)) => {
            let menus = tanos_menu::menu::MenuTree::shipped().expect("menus");
            Msg::Done(finished.outcome(&menus, None))
        }
        other => other,
    };
    match msg {
        Msg::Done(Ok(Outcome {
            view: Some(view), ..
        })) => (view.intro, view.text),
        other => panic!("expected a view: {other:?}"),
    }
}

#[test]
fn hostile_issued_records_are_shown_not_a_panic() {
    let dir = scratch();
    let ts = tanium_server(dir.path());
    let good = r#"{"time":"2026-01-01T00:00:00Z","serial":"01","subject":"CN=good.example","not_after":"2027-01-01T00:00:00Z","key_fingerprint":"SHA256:x"}"#;
    let multibyte = r#"{"time":"t","serial":"02","subject":"CN=mb","not_after":"2027-01-0é1T00","key_fingerprint":"f"}"#;
    let short =
        r#"{"time":"t","serial":"03","subject":"CN=short","not_after":"é","key_fingerprint":"f"}"#;
    let escapes = "{\"time\":\"t\",\"serial\":\"04\\u001b[2J\",\"subject\":\"CN=\\u001b]0;PWNED\\u0007\\u202e\",\"not_after\":\"2027\\u009b1\",\"key_fingerprint\":\"f\"}";
    let mut bytes = Vec::new();
    for line in [good, multibyte, short, escapes, "{not json", "", "[1,2]"] {
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(b"{\"time\":\"\xff\xfe\"}\n");
    std::fs::write(ts.path("tanium/issued.jsonl"), &bytes).expect("write issued.jsonl");
    let (intro, text) = done_view(run_effect(&ts.root, Effect::ShowIssued { page: 0 }));
    let intro = intro.join("\n");
    assert!(intro.starts_with("4 certificate(s)"), "{intro}");
    assert!(
        intro.contains("3 line(s)"),
        "unreadable lines are counted: {intro}"
    );
    assert!(text.contains("until 2027-01-0é "), "{text}");
    assert!(text.contains("CN=\\e]0;PWNED\\x07\\u{202e}"), "{text}");
    assert!(text.contains("serial 04\\e[2J"), "{text}");
    assert_clean("issued view", text.as_bytes());
    assert_clean("issued intro", intro.as_bytes());
}

#[test]
fn one_bad_audit_line_leaves_the_others_readable() {
    let dir = scratch();
    let ts = tanium_server(dir.path());
    let audit = ts.path(Layout::AUDIT);
    let mut bytes = std::fs::read(&audit).expect("init writes an audit line");
    bytes.extend_from_slice(b"{\"time\":\"2026-05-01T10:00:00Z\",\"user\":\"ev\xffil\"}\n");
    bytes.extend_from_slice(b"garbage \x1b]0;PWNED\x07 \xc3\n");
    bytes.extend_from_slice(
        "{\"time\":\"2026-05-02T10:00:00Z\",\"user\":\"op\\u001b[31m\",\"action\":\"x\\u202e\",\"files\":[\"a\\u0007\"],\"detail\":\"d\\u009b\"}\n"
            .as_bytes(),
    );
    std::fs::write(&audit, &bytes).expect("write audit.jsonl");
    let (intro, text) = done_view(run_effect(&ts.root, Effect::ShowAudit { page: 0 }));
    assert!(intro[0].contains("4 shown"), "{intro:?}");
    assert!(text.contains("init"), "the good line is kept: {text}");
    assert!(text.contains("op\\e[31m  x\\u{202e}"), "{text}");
    assert!(text.contains("a\\x07 · d\\u{9b}"), "{text}");
    assert!(
        text.contains("(unreadable line) garbage \\e]0;PWNED\\x07 \\xc3"),
        "{text}"
    );
    assert!(text.contains("ev\\xffil"), "{text}");
    assert_clean("audit view", text.as_bytes());
}

#[test]
fn incoming_names_are_offered_escaped_whole_or_counted() {
    let dir = scratch();
    let ts = tanium_server(dir.path());
    let inbox = ts.path(Layout::INCOMING);
    let long = format!("{}.csr", "long-name-".repeat(15));
    let odd = [
        "two\nlines.csr".to_string(),
        format!("esc{ESC}]0;X{BEL}.csr"),
        "rlo\u{202e}rsc.csr".to_string(),
        long.clone(),
        "plain.csr".to_string(),
    ];
    for name in &odd {
        std::fs::write(inbox.join(name), "x").expect("write /incoming file");
    }
    let bad = std::ffi::OsStr::from_bytes(b"latin1-\xe9.csr");
    std::fs::write(inbox.join(bad), "x").expect("write a non-UTF-8 name");
    std::fs::write(
        inbox.join(std::ffi::OsStr::from_bytes(b"other-\xff.crt")),
        "x",
    )
    .expect("write");
    let listing = requests::list(&ts).expect("list");
    assert_eq!(listing.not_utf8, 1, "{listing:?}");
    assert_eq!(listing.rows.len(), odd.len(), "{listing:?}");

    let mut m = support::ui::console(Role::TaniumServer, true, Platform::V7_3);
    support::ui::typed(&mut m, "2\nZ\n2\n1\n");
    update(&mut m, Msg::Listed(Ok(listing)));
    let flash = m.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(
        flash.contains("1 file(s)") && flash.contains("UTF-8"),
        "{flash:?}"
    );
    let screen = support::ui::render_at(&m, 80, 40);
    assert_clean("the /incoming list", screen.as_bytes());
    assert!(screen.contains("two\\nlines.csr"), "{screen}");
    assert!(screen.contains("esc\\e]0;X\\x07.csr"), "{screen}");
    assert!(screen.contains("rlo\\u{202e}rsc.csr"), "{screen}");
    let joined: String = screen.lines().map(str::trim).collect();
    assert!(
        joined.contains(&long),
        "the long name is shown whole: {screen}"
    );

    // The model still reads the real name, not its shown form.
    let listing = requests::list(&ts).expect("list");
    let Some(i) = listing.rows.iter().position(|r| r.file.contains('\n')) else {
        panic!("{listing:?}")
    };
    update(&mut m, Msg::Listed(Ok(listing)));
    let effects = support::ui::typed(&mut m, &format!("{}\n", i + 1));
    assert!(
        matches!(effects.as_slice(), [Effect::ReadIncoming { name, .. }] if name == "two\nlines.csr"),
        "{effects:?}"
    );
}

#[test]
fn a_hostile_incoming_name_is_refused_escaped() {
    let dir = scratch();
    let ts = tanium_server(dir.path());
    let msg = run_effect(
        &ts.root,
        Effect::ReadIncoming {
            name: format!("../x{ESC}[2J"),
            purpose: TextFor::Csr,
        },
    );
    let Msg::TextRead { result: Err(e), .. } = msg else {
        panic!("{msg:?}")
    };
    assert!(e.contains("x\\e[2J"), "{e}");
    assert_clean("the refusal", e.as_bytes());
}

#[test]
fn refused_arguments_reach_a_terminal_escaped() {
    let dir = scratch();
    let hostile = format!("p{ESC}]0;PWNED{BEL}\u{9b}2J\u{202e}");
    let fresh = dir.path().join("fresh");
    let fresh = fresh.to_str().expect("utf-8 path");
    let cases: Vec<Vec<String>> = vec![
        vec![
            "keyutility".into(),
            "reporting-tls-request".into(),
            "--key-type".into(),
            hostile.clone(),
        ],
        vec![format!("--{hostile}")],
        vec![hostile.clone()],
        vec!["init".into(), "--role".into(), hostile.clone()],
        vec![
            "init".into(),
            "--role".into(),
            "zone-server".into(),
            "--platform".into(),
            hostile.clone(),
        ],
        vec!["sshd".into(), "--listen".into(), hostile.clone()],
        vec![
            "--root".into(),
            fresh.into(),
            "init".into(),
            "--role".into(),
            "tanium-server".into(),
            "--hostname".into(),
            hostile.clone(),
        ],
        vec![
            "keyutility".into(),
            "reporting-tls-issue".into(),
            hostile.clone(),
            "o.crt".into(),
            "k.pvk".into(),
        ],
    ];
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let text = run_tty(dir.path(), &args);
        assert!(
            text.contains("error") || text.contains("tanos-menu:"),
            "{args:?}: {text}"
        );
    }
    assert!(
        !Path::new(fresh).exists(),
        "a refused init created the root"
    );
}

#[test]
fn the_console_screen_never_holds_a_hidden_character() {
    use tanos_menu::model::View;
    let hostile = format!(
        "a{ESC}]0;PWNED{BEL}b \u{9b}31m c\u{202e}d \u{2066}e\u{2069} f\u{200b}g \u{feff}h \u{200e}i\u{7f} j\u{200d}k l\u{e0041}m"
    );
    let mut m = support::ui::console(Role::TaniumServer, true, Platform::V7_3);
    let view = View::new(hostile.clone(), vec![hostile.clone()], hostile.clone());
    update(
        &mut m,
        Msg::Done(Ok(Outcome {
            message: hostile.clone(),
            snapshot: None,
            view: Some(view),
        })),
    );
    let screen = support::ui::render_at(&m, 100, 30);
    assert_clean("the console screen", screen.as_bytes());
    assert!(screen.contains("PWNED"), "{screen}");
    let mut m = support::ui::console(Role::TaniumServer, true, Platform::V7_3);
    update(&mut m, Msg::Done(Err(hostile)));
    let screen = support::ui::render_at(&m, 100, 30);
    assert_clean("an error on the console", screen.as_bytes());
}
