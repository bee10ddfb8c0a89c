//! Issue 12: the command line speaks as the console would, `--lang`, else Configuration
//! Settings › Console › Language of the appliance at `--root`, else the locale; in ASCII
//! letters (é → e) when the locale is not UTF-8. English stays word for word; JSON output
//! stays English whatever the language.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_tanos-menu");

/// The locale a command runs under, and `--lang` if given.
#[derive(Clone, Copy)]
enum Voice {
    /// `LANG=C`: English, as before issue 12.
    English,
    /// `--lang fr` on a UTF-8 locale that is not French.
    FlagFr,
    /// `LANG=fr_FR.UTF-8`.
    FrUtf8,
    /// `LANG=fr_FR`: French in ASCII letters.
    FrAscii,
    /// `LANG=C.UTF-8`, no flag: the appliance's setting decides.
    Utf8,
}

struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, voice: Voice, args: &[&str]) -> Ran {
    let mut cmd = Command::new(BIN);
    for var in [
        "LC_ALL",
        "LC_MESSAGES",
        "LC_CTYPE",
        "LANG",
        "TANOS_ROOT",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    let lang = match voice {
        Voice::English => "C",
        Voice::FlagFr | Voice::Utf8 => "C.UTF-8",
        Voice::FrUtf8 => "fr_FR.UTF-8",
        Voice::FrAscii => "fr_FR",
    };
    cmd.env("LANG", lang).env("TERM", "xterm").current_dir(dir);
    if matches!(voice, Voice::FlagFr) {
        cmd.args(["--lang", "fr"]);
    }
    let out = cmd.args(args).output().expect("run tanos-menu");
    Ran {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

fn scratch() -> tempfile::TempDir {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("french_cli");
    std::fs::create_dir_all(&base).expect("test base");
    tempfile::Builder::new()
        .prefix("fc-")
        .tempdir_in(base)
        .expect("temp dir")
}

/// A new appliance `name` in `dir` (English, its output checked elsewhere).
fn init(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec!["init", "--root", name, "--hostname", "appl01"];
    args.extend_from_slice(extra);
    let ran = run_in(dir, Voice::English, &args);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    dir.join(name)
}

fn hub(dir: &Path) -> PathBuf {
    init(dir, "ts", &["--role", "tanium-server", "--zone-hub"])
}

#[track_caller]
fn has(text: &str, part: &str) {
    assert!(text.contains(part), "{part:?} not in:\n{text}");
}

#[track_caller]
fn ascii_only(ran: &Ran) {
    for text in [&ran.stdout, &ran.stderr] {
        assert!(text.is_ascii(), "not ASCII:\n{text}");
    }
}

#[test]
fn init_speaks_french_and_english_as_before() {
    let dir = scratch();
    let args = ["init", "--role", "tanium-server", "--zone-hub"];
    let fr = run_in(
        dir.path(),
        Voice::FlagFr,
        &[&args[..], &["--root", "fr", "--hostname", "appl01"]].concat(),
    );
    assert_eq!(fr.code, Some(0), "{}", fr.stderr);
    has(
        &fr.stdout,
        "Appliance Tanium Server + Zone Server Hub « appl01 » (plateforme 7.3) créée dans fr\n",
    );
    has(&fr.stdout, "\n  clé racine (tanium.pub) : SHA256:");
    has(&fr.stdout, "\n  clé SSH de tanadmin :     SHA256:");
    let en = run_in(
        dir.path(),
        Voice::English,
        &[&args[..], &["--root", "en", "--hostname", "appl01"]].concat(),
    );
    assert_eq!(en.code, Some(0), "{}", en.stderr);
    let lines: Vec<&str> = en.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "Created Tanium Server + Zone Server Hub 'appl01' (platform 7.3) in en"
    );
    assert!(
        lines[1].starts_with("  root key (tanium.pub): SHA256:"),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with("  tanadmin SSH key:      SHA256:"),
        "{lines:?}"
    );
}

#[test]
fn config_speaks_the_locale() {
    let dir = scratch();
    hub(dir.path());
    let list = [
        "config",
        "list",
        "--root",
        "ts",
        "--component",
        "tanium-server",
    ];
    let utf8 = run_in(dir.path(), Voice::FrUtf8, &list);
    has(
        &utf8.stdout,
        "  ReportingTLSCertPath (non défini ; valeur par défaut tanium/reporting.crt)\n",
    );
    let ascii = run_in(dir.path(), Voice::FrAscii, &list);
    has(
        &ascii.stdout,
        "  ReportingTLSCertPath (non defini ; valeur par defaut tanium/reporting.crt)\n",
    );
    ascii_only(&ascii);
    let en = run_in(dir.path(), Voice::English, &list);
    has(
        &en.stdout,
        "  ReportingTLSCertPath (not set; default tanium/reporting.crt)\n",
    );
    let get = ["config", "get", "--root", "ts", "ReportingTLSCertPath"];
    let fr = run_in(dir.path(), Voice::FrUtf8, &get);
    assert_eq!(fr.code, Some(1));
    has(&fr.stderr, "ReportingTLSCertPath n'est pas défini sur ");
    let en = run_in(dir.path(), Voice::English, &get);
    assert_eq!(
        en.stderr,
        "tanos-menu: ReportingTLSCertPath is not set on Tanium Server\n"
    );
}

#[test]
fn config_set_says_what_it_replaced() {
    let dir = scratch();
    hub(dir.path());
    let set = |voice, value: &str| {
        let args = ["config", "set", "--root", "ts", "AuditLogMaxBytes", value];
        run_in(dir.path(), voice, &args).stdout
    };
    assert_eq!(
        set(Voice::FlagFr, "2000000"),
        "AuditLogMaxBytes = 2000000 sur console (n'était pas défini)\n"
    );
    assert_eq!(
        set(Voice::FrAscii, "3000000"),
        "AuditLogMaxBytes = 3000000 sur console (valeur precedente : 2000000)\n"
    );
    assert_eq!(
        set(Voice::English, "4000000"),
        "AuditLogMaxBytes = 4000000 on console (was 3000000)\n"
    );
}

#[test]
fn the_appliance_setting_chooses_french_and_the_flag_wins() {
    let dir = scratch();
    hub(dir.path());
    let set = ["config", "set", "--root", "ts", "Language", "fr"];
    assert_eq!(
        run_in(dir.path(), Voice::English, &set).stdout,
        "Language = fr on console (was unset)\n"
    );
    let due = ["rotate-due", "--root", "ts"];
    let utf8 = run_in(dir.path(), Voice::Utf8, &due);
    assert_eq!(
        utf8.stdout,
        "rien à faire (aucun calendrier de rotation : 7.4 et versions ultérieures, ReportingTLSKeyRotationDays)\n"
    );
    // LANG=C: the setting's French, in the letters the locale can show.
    let c = run_in(dir.path(), Voice::English, &due);
    has(
        &c.stdout,
        "rien a faire (aucun calendrier de rotation : 7.4 et versions ulterieures",
    );
    ascii_only(&c);
    let flag = run_in(
        dir.path(),
        Voice::English,
        &["--lang", "en", "rotate-due", "--root", "ts"],
    );
    assert_eq!(
        flag.stdout,
        "nothing due (no rotation schedule: 7.4 and later, ReportingTLSKeyRotationDays)\n"
    );
    // Console › Glyphs = ascii writes the letters in ASCII on a UTF-8 terminal too.
    run_in(
        dir.path(),
        Voice::English,
        &["config", "set", "--root", "ts", "Glyphs", "ascii"],
    );
    let glyphs = run_in(dir.path(), Voice::FrUtf8, &due);
    has(&glyphs.stdout, "7.4 et versions ulterieures");
}

#[test]
fn an_appliance_that_cannot_be_read_fails_no_command() {
    let dir = scratch();
    let root = hub(dir.path());
    run_in(
        dir.path(),
        Voice::English,
        &["config", "set", "--root", "ts", "Language", "fr"],
    );
    std::fs::write(root.join("settings.toml"), "[console\nLanguage = ").expect("spoil");
    let args = [
        "--root",
        "ts",
        "keyutility",
        "reporting-tls-request",
        "k.pvk",
        "k.csr",
    ];
    let ran = run_in(dir.path(), Voice::English, &args);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(
        ran.stdout,
        "Generating key: 'k.pvk'\nSuccessfully generated certificate signing request: 'k.csr'\n"
    );
    let ran = run_in(
        dir.path(),
        Voice::FrUtf8,
        &[
            "--root",
            "nowhere",
            "keyutility",
            "reporting-tls-request",
            "n.pvk",
            "n.csr",
        ],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    has(&ran.stdout, "Génération de la clé : 'n.pvk'\n");
}

#[test]
fn keyutility_request_speaks_french() {
    let dir = scratch();
    hub(dir.path());
    let request = ["keyutility", "reporting-tls-request", "r.pvk", "r.csr"];
    let fr = run_in(dir.path(), Voice::FrUtf8, &request);
    assert_eq!(
        fr.stdout,
        "Génération de la clé : 'r.pvk'\nDemande de signature de certificat (CSR) générée : 'r.csr'\n"
    );
    let again = run_in(dir.path(), Voice::FrAscii, &request);
    assert_eq!(again.code, Some(2));
    assert_eq!(
        again.stderr,
        "tanos-menu: r.pvk existe ; rien n'a ete ecrit (ajoutez --force pour le remplacer)\n"
    );
    let en = run_in(dir.path(), Voice::English, &request);
    assert_eq!(
        en.stderr,
        "tanos-menu: r.pvk exists; nothing was written (add --force to replace it)\n"
    );
}

/// A CSR `r.csr` for `zs01.example` in `dir` (and its key `r.pvk`).
fn request(dir: &Path) {
    let args = [
        "keyutility",
        "reporting-tls-request",
        "r.pvk",
        "r.csr",
        "--common-name",
        "zs01.example",
    ];
    assert_eq!(run_in(dir, Voice::English, &args).code, Some(0));
}

#[test]
fn keyutility_issue_speaks_french() {
    let dir = scratch();
    hub(dir.path());
    request(dir.path());
    std::fs::copy(
        dir.path().join("ts/tanium/tanium.pvk"),
        dir.path().join("alone.pvk"),
    )
    .expect("copy the root key");
    let beside = [
        "keyutility",
        "reporting-tls-issue",
        "r.csr",
        "b.crt",
        "alone.pvk",
    ];
    has(
        &run_in(dir.path(), Voice::FlagFr, &beside).stderr,
        " (le certificat racine est lu à côté de la clé racine)\n",
    );
    has(
        &run_in(dir.path(), Voice::English, &beside).stderr,
        " (the root certificate is read from beside the root key)\n",
    );
    let issue = [
        "keyutility",
        "reporting-tls-issue",
        "r.csr",
        "r.crt",
        "ts/tanium/tanium.pvk",
    ];
    let fr = run_in(dir.path(), Voice::FlagFr, &issue);
    assert_eq!(
        fr.stdout, "Nouveau certificat émis : 'r.crt'\n",
        "{}",
        fr.stderr
    );
    let issue = [
        "keyutility",
        "reporting-tls-issue",
        "r.csr",
        "e.crt",
        "ts/tanium/tanium.pvk",
    ];
    let en = run_in(dir.path(), Voice::English, &issue);
    assert_eq!(en.stdout, "Successfully issued new certificate: 'e.crt'\n");
}

#[test]
fn issued_list_speaks_french_and_its_json_stays_english() {
    let dir = scratch();
    hub(dir.path());
    request(dir.path());
    let issue = [
        "keyutility",
        "reporting-tls-issue",
        "r.csr",
        "r.crt",
        "ts/tanium/tanium.pvk",
    ];
    assert_eq!(run_in(dir.path(), Voice::English, &issue).code, Some(0));
    let list = ["issued", "list", "--root", "ts"];
    let fr = run_in(dir.path(), Voice::FlagFr, &list);
    assert!(
        fr.stdout
            .starts_with("valide     zs01.example  fin de validité "),
        "{}",
        fr.stdout
    );
    has(&fr.stdout, "  numéro de série ");
    has(&fr.stdout, "  origine r.csr\n");
    let en = run_in(dir.path(), Voice::English, &list);
    assert!(
        en.stdout.starts_with("valid      zs01.example  not after "),
        "{}",
        en.stdout
    );
    has(&en.stdout, "  from r.csr\n");
    let json = run_in(
        dir.path(),
        Voice::FlagFr,
        &["issued", "list", "--root", "ts", "--json"],
    );
    has(&json.stdout, "\"state\":\"valid\"");
}

#[test]
fn unreadable_ledger_lines_are_counted_in_french() {
    let dir = scratch();
    hub(dir.path());
    let list = ["issued", "list", "--root", "ts"];
    let ledger = dir.path().join("ts/tanium/issued.jsonl");
    let mut text = String::from("not a record\n");
    std::fs::write(&ledger, &text).expect("spoil one line");
    assert_eq!(
        run_in(dir.path(), Voice::FrUtf8, &list).stderr,
        "tanos-menu: 1 ligne de tanium/issued.jsonl n'a pas pu être lue et a été ignorée\n"
    );
    text.push_str("nor this\n");
    std::fs::write(&ledger, &text).expect("spoil two lines");
    assert_eq!(
        run_in(dir.path(), Voice::FrAscii, &list).stderr,
        "tanos-menu: 2 lignes de tanium/issued.jsonl n'ont pas pu etre lues et ont ete ignorees\n"
    );
    assert_eq!(
        run_in(dir.path(), Voice::English, &list).stderr,
        "tanos-menu: 2 lines of tanium/issued.jsonl could not be read and were skipped\n"
    );
}

#[test]
fn refusals_by_role_speak_french() {
    let dir = scratch();
    init(dir.path(), "zs", &["--role", "zone-server"]);
    init(dir.path(), "plain", &["--role", "tanium-server"]);
    let fr = run_in(
        dir.path(),
        Voice::FlagFr,
        &["root-key", "list", "--root", "zs"],
    );
    assert_eq!(fr.code, Some(2));
    has(
        &fr.stderr,
        "cette appliance est un Zone Server : les clés racines appartiennent au serveur Tanium",
    );
    let en = run_in(
        dir.path(),
        Voice::English,
        &["root-key", "list", "--root", "zs"],
    );
    assert_eq!(
        en.stderr,
        "tanos-menu: this appliance is a Zone Server: root keys belong to the Tanium Server\n"
    );
    let fr = run_in(
        dir.path(),
        Voice::FrUtf8,
        &["issued", "list", "--root", "plain"],
    );
    has(
        &fr.stderr,
        "doté du module complémentaire Hub Zone Server : elle n'émet aucun certificat",
    );
    let en = run_in(
        dir.path(),
        Voice::English,
        &["issued", "list", "--root", "plain"],
    );
    assert_eq!(
        en.stderr,
        "tanos-menu: this appliance is not a Tanium Server with the Zone Server Hub add-on: it issues no certificates\n"
    );
}

#[test]
fn root_keys_and_rotation_speak_french() {
    let dir = scratch();
    hub(dir.path());
    init(
        dir.path(),
        "t74",
        &["--role", "tanium-server", "--platform", "7.4"],
    );
    let add = ["root-key", "add", "--root", "ts"];
    let fr = run_in(dir.path(), Voice::FrAscii, &add);
    assert_eq!(fr.code, Some(2));
    assert!(
        fr.stderr.ends_with(
            "tanos-menu: rien n'a ete modifie : ajoutez --yes pour ajouter une nouvelle cle racine\n"
        ),
        "{}",
        fr.stderr
    );
    let en = run_in(dir.path(), Voice::English, &add);
    assert!(
        en.stderr
            .ends_with("tanos-menu: nothing was changed: add --yes to add a new root key\n"),
        "{}",
        en.stderr
    );
    let due = ["rotate-due", "--root", "t74"];
    has(
        &run_in(dir.path(), Voice::FrUtf8, &due).stdout,
        "rien à faire (prochaine rotation le ",
    );
    has(
        &run_in(dir.path(), Voice::English, &due).stdout,
        "nothing due (next rotation ",
    );
}

#[test]
fn tls_listen_speaks_french() {
    let dir = scratch();
    hub(dir.path());
    let busy = TcpListener::bind("127.0.0.1:0").expect("a port");
    let address = busy.local_addr().expect("its address").to_string();
    let args = ["tls-listen", "--root", "ts", "--listen", &address];
    let fr = run_in(dir.path(), Voice::FlagFr, &args);
    assert_eq!(fr.code, Some(1));
    has(
        &fr.stderr,
        &format!("tanos-menu: impossible d'écouter sur {address} : "),
    );
    let en = run_in(dir.path(), Voice::English, &args);
    has(
        &en.stderr,
        &format!("tanos-menu: cannot listen on {address}: "),
    );
}

#[test]
fn the_console_start_speaks_french() {
    let dir = scratch();
    std::fs::create_dir(dir.path().join("empty")).expect("empty root");
    let console = ["--root", "empty"];
    let fr = run_in(dir.path(), Voice::FrUtf8, &console);
    assert_eq!(fr.code, Some(3));
    assert_eq!(
        fr.stderr,
        "tanos-menu: la console a besoin d'un terminal sur l'entrée et la sortie standard (la sortie standard n'est pas un terminal) ; lancez-la depuis une session SSH ou un terminal, ou utilisez les sous-commandes de la ligne de commande (tanos-menu --help)\n"
    );
    ascii_only(&run_in(dir.path(), Voice::FrAscii, &console));
    let en = run_in(dir.path(), Voice::English, &console);
    assert_eq!(
        en.stderr,
        "tanos-menu: the console needs a terminal on standard input and output (standard output is not a terminal); run it from an SSH session or a terminal, or use the command-line subcommands (tanos-menu --help)\n"
    );
    std::fs::create_dir(dir.path().join("other")).expect("foreign root");
    std::fs::write(dir.path().join("other/notes.txt"), "x").expect("a file");
    let foreign = ["--root", "other"];
    let fr = run_in(dir.path(), Voice::FlagFr, &foreign);
    assert_eq!(
        fr.stderr,
        "tanos-menu: other contient des fichiers mais aucun appliance.toml : ce n'est pas la racine d'une appliance. Ouvrez un répertoire vide pour une nouvelle appliance.\n"
    );
    let en = run_in(dir.path(), Voice::English, &foreign);
    assert_eq!(
        en.stderr,
        "tanos-menu: other holds files but no appliance.toml: it is not an appliance root. Open an empty directory for a new appliance.\n"
    );
}

#[test]
fn the_console_takes_the_appliance_setting_before_the_terminal() {
    let dir = scratch();
    hub(dir.path());
    run_in(
        dir.path(),
        Voice::English,
        &["config", "set", "--root", "ts", "Language", "fr"],
    );
    let ran = run_in(dir.path(), Voice::Utf8, &["--root", "ts"]);
    assert_eq!(ran.code, Some(3));
    has(&ran.stderr, "la console a besoin d'un terminal");
}
