//! Issue 12: English that still reached an operator who chose French, each found by going
//! down an error path, and now said in French (in ASCII letters when asked), English word
//! for word as before: the component titles of `config list`, a known host whose key cannot
//! be read, a system reason cut across two rows of a report or a list, the report of
//! `tls-check` on stdout, the resolver's reasons, values the command line refuses as it
//! parses them, a thing and its reason, long sentences cut at the edge, the command line's
//! ASCII output; and what stays English: the forwarding failure mark, a record.

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use support::voice::{ENGLISH, FRENCH, FRENCH_ASCII, said_in};

use tanos_menu::appliance::requests::{Request, RequestState, Requests};
use tanos_menu::appliance::users::{known_host_rows, known_hosts_path};
use tanos_menu::appliance::{Platform, Role};
use tanos_menu::model::{Model, Msg, update};
use tanos_menu::text::plain_letters;
use tanos_menu::texts::{Lang, os_errors};

use support::console::{drive, model};
use support::fleet::{appliance, new_csr, view};
use support::ui::{console, render, render_at, typed};

const BIN: &str = env!("CARGO_BIN_EXE_tanos-menu");

fn scratch() -> tempfile::TempDir {
    support::roots::scratch("french_leaks", "fl-")
}

/// The command line run with `args` under `LANG=C.UTF-8`: (stdout, stderr).
fn run(args: &[&str]) -> (String, String) {
    let mut cmd = Command::new(BIN);
    for var in ["LC_ALL", "LC_MESSAGES", "LC_CTYPE", "TANOS_ROOT"] {
        cmd.env_remove(var);
    }
    let out = cmd
        .env("LANG", "C.UTF-8")
        .env("TERM", "xterm")
        .args(args)
        .output()
        .expect("run tanos-menu");
    (
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

/// The screen's rows as one line of words: a sentence wrapped over rows reads whole.
fn words(screen: &str) -> String {
    screen.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

#[test]
fn config_list_titles_the_components_in_french() {
    let dir = scratch();
    let root = dir.path().join("ts");
    appliance(&root, Role::TaniumServer, "ts01", true);
    let root = root.to_str().expect("utf-8 root");
    let list = |lang: &str, extra: &[&str]| {
        let mut args = vec!["--lang", lang, "--root", root];
        args.extend_from_slice(extra);
        args.extend(["config", "list"]);
        run(&args).0
    };
    let en = list("en", &[]);
    assert!(
        en.contains("[client-global] Client Global Settings\n"),
        "{en}"
    );
    let fr = list("fr", &[]);
    assert!(
        fr.contains("[client-global] Paramètres globaux des clients\n"),
        "{fr}"
    );
    assert!(!fr.contains("Client Global Settings"), "{fr}");
    let ascii = list("fr", &["--ascii"]);
    assert!(ascii.contains("Parametres globaux des clients"), "{ascii}");
}

#[test]
fn a_known_host_whose_key_cannot_be_read_is_said_in_french() {
    let dir = scratch();
    let root = dir.path().join("zs");
    let app = appliance(&root, Role::ZoneServer, "zs01", false);
    std::fs::write(known_hosts_path(&app), "badhost ssh-ed25519 !!!notbase64\n")
        .expect("write known_hosts");
    let rows = || known_host_rows(&app).expect("rows").join("\n");
    assert_eq!(
        said_in(ENGLISH, &rows),
        "badhost  ssh-ed25519\nunreadable key"
    );
    assert_eq!(
        said_in(FRENCH, &rows),
        "badhost  ssh-ed25519\nclé illisible"
    );
    assert_eq!(
        said_in(FRENCH_ASCII, &rows),
        "badhost  ssh-ed25519\ncle illisible"
    );
}

/// 2 › Z › 2 › 1, then A and y: every pending request issued at once, one refused because
/// its certificate's place in /outgoing is a directory.
/// The report's text, and the screen's words.
fn batch_report(lang: Lang) -> (String, String) {
    let dir = scratch();
    let root = dir.path().join("ts");
    appliance(&root, Role::TaniumServer, "ts01", true);
    let incoming = root.join("transfer/incoming");
    std::fs::write(incoming.join("zs03.csr"), new_csr("zs03").csr_pem).expect("csr");
    std::fs::create_dir(root.join("transfer/outgoing/zs03.crt")).expect("in the way");
    let mut m = model(&root).with_lang(lang);
    let effects = typed(&mut m, "2\nZ\n2\n1\n");
    drive(&mut m, &root, effects);
    let effects = typed(&mut m, "A\ny\n");
    drive(&mut m, &root, effects);
    (view(&m).text, words(&render(&m)))
}

#[test]
fn a_system_reason_in_a_report_is_french_on_every_row() {
    let (en, _) = batch_report(Lang::En);
    assert!(en.contains("Is a directory (os error 21)"), "{en}");
    let (fr, screen) = batch_report(Lang::Fr);
    assert!(fr.contains("est un répertoire (erreur système 21)"), "{fr}");
    assert!(!screen.contains("Is a directory"), "{screen}");
}

/// The /incoming list (2 › Z › 2 › 1) of a hub, in `lang`, with requests the hub could not
/// read, their names of every length from 12 to 24: on one row or another the system's
/// reason is cut between two rows.
fn unreadable_requests(lang: Lang) -> String {
    let mut m: Model = console(Role::TaniumServer, true, Platform::V7_3).with_lang(lang);
    typed(&mut m, "2\nZ\n2\n1\n");
    let reason = std::io::Error::from_raw_os_error(13);
    let rows = (12..=24)
        .map(|len| {
            let file = format!("{}.csr", "r".repeat(len - 4));
            let state = RequestState::Refused(format!("cannot read /incoming/{file}: {reason}"));
            Request { file, state }
        })
        .collect();
    update(&mut m, Msg::Listed(Ok(Requests { rows, not_utf8: 0 })));
    words(&render_at(&m, 80, 60))
}

#[test]
fn a_system_reason_in_a_list_row_is_french_on_every_row() {
    let en = unreadable_requests(Lang::En);
    assert_eq!(
        en.matches("Permission denied (os error 13)").count(),
        13,
        "{en}"
    );
    let fr = unreadable_requests(Lang::Fr);
    assert_eq!(
        fr.matches("permission refusée (erreur système 13)").count(),
        13,
        "{fr}"
    );
    assert!(
        fr.contains("permission refusée (erreur système 13)"),
        "{fr}"
    );
    assert!(!fr.contains("Permission denied"), "{fr}");
}

#[test]
fn the_tls_check_report_on_stdout_says_the_system_reason_in_french() {
    let dir = scratch();
    let root = dir.path().join("ts");
    appliance(&root, Role::TaniumServer, "ts01", true);
    let root = root.to_str().expect("utf-8 root");
    let peer = format!("127.0.0.1:{}", closed_port());
    let check = |extra: &[&str]| {
        let mut args = extra.to_vec();
        args.extend(["--root", root, "tls-check", "--connect", &peer]);
        run(&args).0
    };
    let en = check(&["--lang", "en"]);
    assert!(en.contains("Connection refused (os error 111)"), "{en}");
    let fr = check(&["--lang", "fr"]);
    assert!(
        fr.contains("connexion refusée (erreur système 111)"),
        "{fr}"
    );
    assert!(!fr.contains("Connection refused"), "{fr}");
    let ascii = check(&["--lang", "fr", "--ascii"]);
    assert!(
        ascii.contains("connexion refusee (erreur systeme 111)"),
        "{ascii}"
    );
}

#[test]
fn the_resolvers_reasons_are_french() {
    let text = "cannot reach tancopy@nowhere.invalid:22: \
                failed to lookup address information: Name or service not known";
    assert_eq!(os_errors(ENGLISH, text), text);
    let fr = os_errors(FRENCH, text);
    assert!(
        fr.ends_with("échec de la résolution du nom : nom ou service inconnu"),
        "{fr}"
    );
    for (english, french) in [
        (
            "Temporary failure in name resolution",
            "échec temporaire de la résolution de noms",
        ),
        (
            "No address associated with hostname",
            "aucune adresse associée à ce nom d'hôte",
        ),
    ] {
        let text = format!("failed to lookup address information: {english}");
        assert_eq!(os_errors(ENGLISH, &text), text);
        assert!(os_errors(FRENCH, &text).ends_with(french), "{text}");
        let ascii = os_errors(FRENCH_ASCII, &text);
        assert!(ascii.ends_with(&*plain_letters(french)), "{ascii}");
        assert!(ascii.is_ascii(), "{ascii}");
    }
}

/// A value the command line refuses as it parses it, in each voice: (English, French,
/// French in ASCII), each the refusal's first line on stderr.
fn refused(args: &[&str]) -> [String; 3] {
    let first = |extra: &[&str]| {
        let mut all = extra.to_vec();
        all.extend_from_slice(args);
        run(&all).1.lines().next().unwrap_or_default().to_string()
    };
    [
        first(&["--lang", "en"]),
        first(&["--lang", "fr"]),
        first(&["--lang=fr", "--ascii"]),
    ]
}

#[test]
fn values_refused_while_parsing_the_command_line_are_french() {
    let dir = scratch();
    let fresh = dir.path().join("new");
    let fresh = fresh.to_str().expect("utf-8 root");
    let cases: [(Vec<&str>, &str, &str); 5] = [
        (
            vec!["tls-check", "--connect", "foo"],
            "'foo' is not HOST:PORT: no port",
            "'foo' n'est pas de la forme HÔTE:PORT : le port manque",
        ),
        (
            vec!["tls-check", "--connect", "foo:0"],
            "'foo:0' is not HOST:PORT: the port is not a number from 1 to 65535",
            "le port n'est pas un nombre de 1 à 65535",
        ),
        (
            vec!["tls-check", "--connect", "[zz]:1"],
            "'[zz]:1' is not HOST:PORT: the address in brackets is not an IPv6 address",
            "l'adresse entre crochets n'est pas une adresse IPv6",
        ),
        (
            vec![
                "init",
                "--root",
                fresh,
                "--role",
                "zone-server",
                "--platform",
                "9",
            ],
            "'9' is not a platform version: use 7.2, 7.3 or 7.4",
            "'9' n'est pas une version de plateforme : utilisez 7.2, 7.3 ou 7.4",
        ),
        (
            vec!["keyutility", "reporting-tls-request", "--key-type", "dsa"],
            "'dsa' is not a key type: use p256, p384, rsa2048, rsa3072 or rsa4096",
            "'dsa' n'est pas un type de clé : utilisez p256",
        ),
    ];
    for (args, english, french) in cases {
        let [en, fr, ascii] = refused(&args);
        assert!(en.ends_with(&format!(": {english}")), "{en}");
        assert!(fr.contains(french), "{fr}");
        assert!(ascii.contains(&*plain_letters(french)), "{ascii}");
        assert!(ascii.is_ascii(), "{ascii}");
    }
    let [en, fr, _] = refused(&["tls-check", "--name", "a b"]);
    assert!(en.contains("'a b' is not a host name or address: "), "{en}");
    assert!(
        fr.contains("'a b' n'est ni un nom d'hôte ni une adresse : "),
        "{fr}"
    );
    assert!(!Path::new(fresh).exists());
}

/// A thing and what went wrong with it reads "thing : raison" in French, with the space
/// French puts before a colon: a root that holds no appliance, refused by `tls-check`.
#[test]
fn a_thing_and_its_reason_are_joined_as_each_language_writes_them() {
    let dir = scratch();
    let root = dir.path().join("empty");
    std::fs::create_dir(&root).expect("an empty directory");
    let root = root.to_str().expect("utf-8 path");
    let refusal = |lang: &str| run(&["--lang", lang, "--root", root, "tls-check"]).1;
    let en = refusal("en");
    assert!(en.contains(&format!("{root}: ")), "{en}");
    let fr = refusal("fr");
    assert!(fr.contains(&format!("{root} : ")), "{fr}");
}

/// The console's own sentences longer than a row wrap under their column, in every
/// language, rather than losing their end at the screen's edge: a setting's values, a
/// first-run refusal.
#[test]
fn long_french_sentences_wrap_instead_of_being_cut() {
    let mut m = console(Role::ZoneServer, false, Platform::V7_4).with_lang(Lang::Fr);
    // Configuration Settings › Console › the CA file of the collector.
    typed(&mut m, "2\n2\n");
    let screen = render(&m);
    let console_line = screen
        .lines()
        .find_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            (words.get(1) == Some(&"Console")).then(|| words[0].trim_start_matches('▸').to_string())
        })
        .unwrap_or_else(|| panic!("no Console line:\n{screen}"));
    typed(&mut m, &format!("{console_line}\nA\n"));
    let screen = render(&m);
    let ca_line = screen
        .lines()
        .find_map(|l| {
            let words: Vec<&str> = l.split_whitespace().filter(|w| *w != "▸").collect();
            (words.get(1) == Some(&"SyslogCAFile")).then(|| words[0].to_string())
        })
        .unwrap_or_else(|| panic!("no SyslogCAFile line:\n{screen}"));
    typed(&mut m, &format!("{ca_line}\n"));
    let screen = render_at(&m, 80, 24);
    let snapshot = m.snapshot.as_ref().expect("a console");
    let def = tanos_menu::appliance::catalogue::lookup(
        &snapshot.config,
        tanos_menu::appliance::catalogue::Component::Console,
        "SyslogCAFile",
    )
    .expect("SyslogCAFile is in the catalogue");
    let values = tanos_menu::appliance::catalogue::allowed_text_in(FRENCH, &snapshot.config, def);
    assert!(
        words(&screen).contains(&words(&values)),
        "{values}:\n{screen}"
    );

    let mut setup = support::ui::first_run().with_lang(Lang::Fr);
    typed(&mut setup, "1\n");
    typed(&mut setup, &format!("{}\n", "a".repeat(70) + ".-bad-"));
    let screen = render(&setup);
    let error = setup_error(&setup);
    assert!(
        words(&screen).contains(&words(&error)),
        "{error}:\n{screen}"
    );
}

fn setup_error(m: &Model) -> String {
    match m.screen() {
        tanos_menu::model::Screen::Setup(s) => s.error.clone().expect("a refused hostname"),
        other => panic!("not the setup: {other:?}"),
    }
}

/// The forwarding failure mark is a record: written in English whoever forwarded, the
/// console or a command in French; Tanium Status shows it as written.
#[test]
fn the_forwarding_failure_mark_stays_english_in_french() {
    let dir = scratch();
    let root = dir.path().join("ts");
    appliance(&root, Role::TaniumServer, "ts01", false);
    let r = root.to_str().expect("utf-8 root");
    let port = closed_port().to_string();
    for (name, value) in [
        ("SyslogTransport", "tcp"),
        ("SyslogHost", "127.0.0.1"),
        ("SyslogPort", port.as_str()),
    ] {
        run(&[
            "--root",
            r,
            "config",
            "set",
            name,
            value,
            "--component",
            "console",
        ]);
    }
    run(&[
        "--lang",
        "fr",
        "--root",
        r,
        "config",
        "set",
        "IdleTimeoutSeconds",
        "601",
        "--component",
        "console",
    ]);
    let mark = root.join(tanos_menu::appliance::forward::FAILURE_MARK);
    let text = std::fs::read_to_string(&mark).expect("the forwarding failure mark");
    assert!(
        text.contains(&format!("the collector 127.0.0.1:{port} (tcp)")),
        "{text}"
    );
    assert!(text.contains("Connection refused"), "{text}");
    assert!(text.is_ascii(), "{text}");
}

/// In ASCII the command line writes no byte above 0x7f: its own drawing characters (`…`)
/// in their ASCII form and a name from outside escaped, as the console draws them; in
/// UTF-8 as they are.
#[test]
fn the_command_line_in_ascii_writes_ascii() {
    let line = "the -----END … ----- line of Soci\u{e9}t\u{e9}.csr is missing";
    let ascii = said_in(FRENCH_ASCII, &|| tanos_menu::cli::shown(line));
    assert_eq!(
        ascii,
        "the -----END ... ----- line of Soci\\u{e9}t\\u{e9}.csr is missing"
    );
    assert_eq!(said_in(FRENCH, &|| tanos_menu::cli::shown(line)), line);
}
