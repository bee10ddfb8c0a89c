//! Issue 12, what the screens draw: Tanium Status on both roles and its certificate states,
//! the header bar, footer hints with key names, the users and key lists, the settings lists,
//! first-run setup, the paste and confirmation screens, and the too-small screen, in French
//! (UTF-8 and ASCII) and in English, which keeps its exact texts.

mod support;

use std::path::Path;
use support::voice::{FRENCH as FR, FRENCH_ASCII as FR_ASCII};

use support::roots;
use support::ui::*;
use tanos_menu::appliance::status::{self, CertState};
use tanos_menu::appliance::{Appliance, Platform, Role, tls};
use tanos_menu::model::{
    Confirm, Effect, Files, KeyListKind, Model, Msg, RootList, Screen, Start, View, update,
};
use tanos_menu::pki::CertSummary;
use tanos_menu::pki::inspect::Validity;
use tanos_menu::termcaps::{Caps, Glyphs};
use tanos_menu::texts::{Lang, Voice, speak_as};
use time::OffsetDateTime;
use time::macros::datetime;

/// One screen drawn in English, in French, and in French on an ASCII terminal.
struct Drawn {
    en: String,
    fr: String,
    ascii: String,
}

impl Drawn {
    /// Each text is on the English screen as it is.
    fn english(&self, texts: &[&str]) -> &Self {
        for text in texts {
            assert!(self.en.contains(text), "English {text:?}:\n{}", self.en);
        }
        self
    }

    /// Each text is on the French screen; in ASCII, the same text without its accents, and
    /// the whole screen is ASCII with no letter escaped.
    fn french(&self, texts: &[&str]) -> &Self {
        for text in texts {
            assert!(self.fr.contains(text), "French {text:?}:\n{}", self.fr);
            let plain = Glyphs::Ascii.text(text).into_owned();
            assert!(
                self.ascii.contains(&plain),
                "ASCII {plain:?}:\n{}",
                self.ascii
            );
        }
        assert!(self.ascii.is_ascii(), "{}", self.ascii);
        assert!(!self.ascii.contains("\\u{"), "{}", self.ascii);
        self
    }

    /// None of these English texts is left on the French screen.
    fn not_french(&self, texts: &[&str]) -> &Self {
        for text in texts {
            assert!(
                !self.fr.contains(text),
                "English {text:?} in French:\n{}",
                self.fr
            );
        }
        self
    }
}

fn in_lang(m: Model, lang: Lang, ascii: bool) -> Model {
    let m = m.with_lang(lang);
    if ascii {
        m.with_caps(Caps {
            glyphs: Glyphs::Ascii,
            ..Caps::default()
        })
    } else {
        m
    }
}

/// The screen reached from `start` by `keys`, then `then`, drawn at `width`x`height`.
fn drawn_at(
    start: fn() -> Model,
    keys: &str,
    then: impl Fn(&mut Model),
    (width, height): (u16, u16),
) -> Drawn {
    let draw = |lang, ascii| {
        let mut m = in_lang(start(), lang, ascii);
        typed(&mut m, keys);
        then(&mut m);
        render_at(&m, width, height)
    };
    Drawn {
        en: draw(Lang::En, false),
        fr: draw(Lang::Fr, false),
        ascii: draw(Lang::Fr, true),
    }
}

fn drawn(start: fn() -> Model, keys: &str, then: impl Fn(&mut Model)) -> Drawn {
    drawn_at(start, keys, then, (80, 24))
}

fn nothing(_: &mut Model) {}

/// "  label  value" as Tanium Status lays out its fields.
fn field(label: &str, value: &str) -> String {
    format!("  {label:<28}{value}")
}

#[test]
fn tanium_status_of_a_tanium_server() {
    drawn(tanium_server, "1\n", nothing)
        .english(&[
            " ts01.example │ Tanium Server │ 7.3 │ cert valid until 2036-11-26",
            &field("Hostname", "ts01.example"),
            &field("Platform version", "7.3"),
            &field("Appliance root", "/srv/appliance"),
            &field("TLS certificate", "tanium/reporting.crt"),
            &field("  state", "valid until 2036-11-26"),
            &field("  issuer", "O=Tanium, CN=Tanium Root ts01.example"),
            &field("  expires", "2036-11-26 UTC"),
            &field("Root key (tanium.pub)", "SHA256:rootKEY"),
            &field("SFTP host key", "none (tanos-menu sshd makes it)"),
            "Press Enter to go back:",
            " Enter back  B back  RR root menu  ? help",
        ])
        .french(&[
            " ts01.example │ Tanium Server │ 7.3 │ certificat valide jusqu'au 2036-11-26",
            &field("Nom d'hôte", "ts01.example"),
            &field("Rôle", "Tanium Server"),
            &field("Version de la plateforme", "7.3"),
            &field("Racine de l'appliance", "/srv/appliance"),
            &field("Certificat TLS", "tanium/reporting.crt"),
            &field("  état", "valide jusqu'au 2036-11-26"),
            &field("  sujet", "CN=ts01.example"),
            &field("  émetteur", "O=Tanium, CN=Tanium Root ts01.example"),
            &field("  expiration", "2036-11-26 UTC"),
            &field("Clé racine (tanium.pub)", "SHA256:rootKEY"),
            &field("Clé d'hôte SFTP", "aucune (tanos-menu sshd la crée)"),
            " Entrée retour  B retour  RR menu principal  ? aide",
        ])
        .not_french(&["Hostname", "valid until", "cert ", "Enter back", "none"]);
}

#[test]
fn tanium_status_of_a_zone_server() {
    drawn(zone_server, "1\n", nothing)
        .english(&[
            " zs01.example │ Zone Server │ 7.3 │ cert none",
            &field("  state", "none installed"),
            &field("Trusted root (tanium.pub)", "none"),
        ])
        .french(&[
            " zs01.example │ Zone Server │ 7.3 │ certificat absent",
            &field("  état", "aucun certificat installé"),
            &field("Clé racine de confiance", "aucune"),
        ])
        .not_french(&["Trusted root", "none installed"]);
}

/// A screen drawn before the appliance is read says so.
#[test]
fn a_screen_waiting_for_the_appliance() {
    let unread = |m: &mut Model| m.snapshot = None;
    drawn(tanium_server, "1\n", unread)
        .english(&["  Loading…"])
        .french(&[
            "  Chargement…",
            " TanOS │ nouvelle appliance │ /srv/appliance",
        ]);
}

fn summary() -> CertSummary {
    CertSummary {
        subject: "CN=ts01.example".into(),
        issuer: "CN=Tanium Root".into(),
        serial: "01".into(),
        not_before: datetime!(2026-11-28 12:00 UTC),
        not_after: datetime!(2036-11-26 12:00 UTC),
        key_fingerprint: "SHA256:key".into(),
    }
}

/// Every state of the certificate, as the header bar and Tanium Status say it.
#[test]
fn every_certificate_state() {
    let installed = |validity| CertState::Installed {
        summary: summary(),
        validity,
    };
    let reason = String::from("why");
    let states = [
        (CertState::None, "none", "absent"),
        (
            installed(Validity::Valid),
            "valid until 2036-11-26",
            "valide jusqu'au 2036-11-26",
        ),
        (
            installed(Validity::Expired),
            "EXPIRED 2036-11-26",
            "EXPIRÉ le 2036-11-26",
        ),
        (
            installed(Validity::NotYetValid),
            "not valid before 2026-11-28",
            "non valide avant le 2026-11-28",
        ),
        (
            CertState::KeyMismatch {
                summary: summary(),
                reason: reason.clone(),
            },
            "DOES NOT MATCH the private key",
            "NE CORRESPOND PAS à la clé",
        ),
        (
            CertState::Untrusted {
                summary: summary(),
                reason,
            },
            "NOT SIGNED by the trusted root",
            "NON SIGNÉ par la clé racine",
        ),
        (
            CertState::Unreadable("bad".into()),
            "UNREADABLE",
            "ILLISIBLE",
        ),
    ];
    for (state, english, french) in states {
        let shown = header_with(&state, Lang::En);
        assert!(shown.ends_with(&format!(" │ cert {english}")), "{shown}");
        let shown = header_with(&state, Lang::Fr);
        assert!(
            shown.ends_with(&format!(" │ certificat {french}")),
            "{shown}"
        );
        assert!(shown.starts_with(" ts01.ex"), "{shown}");
        assert_eq!(state.short(), english);
        assert_eq!(state.short_in(Voice::default()), english);
        assert_eq!(state.short_in(FR), french);
        assert_eq!(state.short_in(FR_ASCII), Glyphs::Ascii.text(french));
        assert!(state.short_in(FR_ASCII).is_ascii());
    }
}

/// The header bar of a Tanium Server with the hub add-on (the longest role) whose
/// certificate is in `state`: it has room for the longest state.
fn header_with(state: &CertState, lang: Lang) -> String {
    let mut m = console(Role::TaniumServer, true, Platform::V7_4).with_lang(lang);
    if let Some(s) = m.snapshot.as_mut() {
        s.cert = state.clone();
    }
    render(&m).lines().next().unwrap_or_default().to_string()
}

/// Tanium Status of `app` read in `voice`, drawn in its language, its lines joined.
fn status_in(app: &Appliance, voice: Voice) -> String {
    speak_as(voice);
    let snapshot = status::snapshot(app, OffsetDateTime::now_utc());
    speak_as(Voice::default());
    let mut m = in_lang(tanium_server(), voice.lang, voice.ascii);
    m.snapshot = Some(snapshot);
    typed(&mut m, "1\n");
    render(&m)
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Tanium Status of `app` says each of `english` in English and each of `french` in French,
/// and in ASCII without accents.
fn says(app: &Appliance, english: &[&str], french: &[&str]) {
    let en = status_in(app, Voice::default());
    let fr = status_in(app, FR);
    let ascii = status_in(app, FR_ASCII);
    for text in english {
        assert!(en.contains(text), "{text:?}: {en}");
    }
    for text in french {
        assert!(fr.contains(text), "{text:?}: {fr}");
        let plain = Glyphs::Ascii.text(text).into_owned();
        assert!(ascii.contains(&plain), "{plain:?}: {ascii}");
    }
    assert!(ascii.is_ascii(), "{ascii}");
}

/// Tanium Status of a real Tanium Server whose certificate lost its key, then whose
/// trusted root is another's: the reasons are said in the voice the snapshot was read in.
#[test]
fn why_a_certificate_does_not_match_its_key() {
    let dir = roots::scratch("french_screens", "key-");
    let (app, other) = two_servers(dir.path());
    std::fs::remove_file(app.path(tls::TS_KEY)).expect("remove the key");
    says(
        &app,
        &[
            "DOES NOT MATCH the private key",
            "there is no private key at tanium/reporting.pvk",
        ],
        &[
            "certificat NE CORRESPOND PAS à la clé",
            "la clé privée tanium/reporting.pvk est absente",
        ],
    );
    std::fs::write(app.path(tls::TS_KEY), "not a key").expect("write a bad key");
    says(
        &app,
        &["the private key tanium/reporting.pvk is not usable:"],
        &["la clé privée tanium/reporting.pvk est inutilisable :"],
    );
    std::fs::copy(other.path(tls::TS_KEY), app.path(tls::TS_KEY)).expect("b's key in a");
    says(
        &app,
        &["it was issued for another key than tanium/reporting.pvk: install a certificate"],
        &["il a été émis pour une autre clé que tanium/reporting.pvk : installez un certificat"],
    );
}

#[test]
fn why_a_certificate_is_not_trusted() {
    let dir = roots::scratch("french_screens", "root-");
    let (app, other) = two_servers(dir.path());
    std::fs::copy(other.path(tls::TS_ROOT_PUB), app.path(tls::TS_ROOT_PUB)).expect("b's root");
    let root = tls::TS_ROOT_PUB;
    says(
        &app,
        &[
            "NOT SIGNED by the trusted root",
            &format!("the trusted root {root} (SHA256:"),
            "did not sign it: install a certificate the Tanium Server issued with that root",
        ],
        &[
            "certificat NON SIGNÉ par la clé racine",
            &format!("la racine de confiance {root} (SHA256:"),
            "ne l'a pas signé : installez un certificat que le serveur Tanium a émis avec cette racine",
        ],
    );
    std::fs::write(app.path(tls::TS_ROOT_PUB), "not a key").expect("a bad root");
    says(
        &app,
        &[&format!("the trusted root {root} cannot be used:")],
        &[&format!("la racine de confiance {root} est inutilisable :")],
    );
}

/// Two Tanium Servers made by `init` under `dir`, each with its own keys.
fn two_servers(dir: &Path) -> (Appliance, Appliance) {
    let server =
        |name| roots::appliance_at(dir, name, Role::TaniumServer, Platform::V7_3, false, None);
    (server("a"), server("b"))
}

#[test]
fn tanos_users() {
    drawn(zone_server, "C\n1\n", nothing)
        .english(&[
            "      User        Key pair      Authorized keys",
            "  2   tancopy     none          1",
        ])
        .french(&[
            "      Utilisateur Paire de clés Clés autorisées",
            "  2   tancopy     aucune        1",
        ])
        .not_french(&["Key pair"]);
}

#[test]
fn ssh_key_management_users() {
    drawn(zone_server, "C\n3\n", nothing)
        .english(&[
            "  Choose a user by line number:",
            "  Line User        Key pair      Authorized keys",
            " line Enter select  ↑↓ move  B back  RR root menu  ? help",
        ])
        .french(&[
            "  Choisissez un utilisateur par son numéro de ligne :",
            " Ligne Utilisateur Paire de clés Clés autorisées",
            "tanadmin    ssh-ed25519   0",
        ]);
}

/// Two rows as `appliance::users::authorized_rows` writes them.
fn listed(kind: KeyListKind, rows: Vec<String>) -> impl Fn(&mut Model) {
    move |m: &mut Model| {
        update(
            m,
            Msg::KeysListed {
                kind,
                result: Ok(rows.clone()),
            },
        );
    }
}

fn key_rows() -> Vec<String> {
    vec!["ED25519     SHA256:zoneADMIN\ntanadmin@zs01.example".to_string()]
}

#[test]
fn authorized_keys_lists() {
    drawn(
        zone_server,
        "C\n3\n2\n3\n3\n",
        listed(KeyListKind::Authorized, key_rows()),
    )
    .english(&[
        "  tancopy's authorized keys (type, fingerprint, comment):",
        "  Choose the line to remove; Enter alone goes back.",
        " line Enter remove  ↑↓ move  B back  RR root menu",
    ])
    .french(&[
        "  Clés autorisées de tancopy (type, empreinte, commentaire) :",
        "  Choisissez la ligne à retirer ; Entrée seule pour revenir.",
        " ligne Entrée retirer  ↑↓ déplacer  B retour  RR menu principal",
    ]);
    drawn(
        zone_server,
        "C\n3\n2\n3\n1\n",
        listed(KeyListKind::Authorized, Vec::new()),
    )
    .english(&["  tancopy has no authorized keys: 2 adds one by paste."])
    .french(&["  tancopy n'a aucune clé autorisée : 2 en ajoute une par collage."]);
    drawn(zone_server, "C\n3\n2\n3\n1\n", nothing)
        .english(&["  Reading…", " Enter back"])
        .french(&["  Lecture…", " Entrée retour"]);
}

#[test]
fn known_hosts_lists() {
    let rows = vec!["ts01.example  ssh-ed25519\nSHA256:tsHOST".to_string()];
    drawn(
        zone_server,
        "C\n3\n1\n4\n",
        listed(KeyListKind::KnownHosts, rows),
    )
    .english(&["  Hosts whose keys tanadmin trusts:"])
    .french(&["  Hôtes dont les clés sont de confiance pour tanadmin :"]);
    drawn(
        zone_server,
        "C\n3\n1\n4\n",
        listed(KeyListKind::KnownHosts, Vec::new()),
    )
    .english(&["  No host is known yet: the first SFTP connection to a host asks to trust"])
    .french(&["  Aucun hôte n'est encore connu : la première connexion SFTP à un hôte"]);
}

#[test]
fn lists_still_being_read() {
    let roots = |m: &mut Model| {
        m.stack.push(Screen::Roots(RootList {
            rows: None,
            cursor: 0,
        }))
    };
    drawn(tanium_server, "", roots)
        .english(&["  Reading the root keys…", " line Enter revoke"])
        .french(&["  Lecture des clés racines…", " ligne Entrée révoquer"]);
    let files = |m: &mut Model| {
        m.stack.push(Screen::Files(Files {
            rows: None,
            cursor: 0,
        }))
    };
    drawn(tanium_server, "", files)
        .english(&["  Reading /incoming…"])
        .french(&["  Lecture de /incoming…"]);
}

#[test]
fn configuration_settings_lists() {
    drawn(zone_server, "2\n2\n", nothing)
        .english(&["  Choose a component by line number:"])
        .french(&["  Choisissez un composant par son numéro de ligne :"]);
    drawn(zone_server, "2\n2\n1\n", nothing)
        .english(&[
            "  Zone Server, platform 7.3",
            "  Line Setting                             Value",
            " line Enter edit  A add a setting",
        ])
        .french(&[
            "  Zone Server, plateforme 7.3",
            " Ligne Paramètre                           Valeur",
        ])
        // Too wide for 80 columns in French: closer, without the arrows, every other hint whole.
        .french(&[
            " ligne Entrée modifier A ajouter un paramètre B retour RR menu principal ? aide\n",
        ]);
    drawn(zone_server, "2\n2\n1\nA\n", nothing)
        .english(&[
            "  Catalogue settings of Zone Server not yet present:",
            "default zoneserver/reporting.crt",
            "ReportingTLSKeyPasswordFile         no default",
        ])
        .french(&[
            "  Paramètres du catalogue de Zone Server pas encore présents :",
            "par défaut zoneserver/reporting.crt",
            "ReportingTLSKeyPasswordFile         pas de valeur par défaut",
        ]);
}

#[test]
fn a_setting_being_edited() {
    drawn(tanium_server, "2\n2\n2\n2\n101\n", nothing)
        .english(&[
            &field("Setting", "OptionalTLSMinAttemptCount"),
            &field("Component", "Client Global Settings"),
            &field("Current value", "3"),
            &field("Default", "3"),
            "  Nothing was changed. Correct the value, or Esc to cancel.",
            " Enter save  Esc cancel  Ctrl-C cancel",
        ])
        .french(&[
            &field("Paramètre", "OptionalTLSMinAttemptCount"),
            &field("Composant", "Paramètres globaux des clients"),
            &field("Valeurs", "1-100"),
            &field("Valeur actuelle", "3"),
            &field("Valeur par défaut", "3"),
            "  Rien n'a été modifié. Corrigez la valeur, ou Échap pour annuler.",
            " Entrée enregistrer  Échap annuler  Ctrl-C annuler",
        ])
        .not_french(&["Esc"]);
    drawn(zone_server, "2\n2\n1\nA\n2\n", nothing)
        .english(&[&field("Current value", "not set")])
        .french(&[&field("Valeur actuelle", "non définie")]);
}

#[test]
fn first_run_setup() {
    drawn(first_run, "", nothing)
        .english(&[
            " TanOS │ new appliance │ /srv/appliance",
            "  This appliance root is empty. Answer three questions to set it up; Enter",
            "  1. Role of this appliance",
            "  2  Tanium Server with Zone Server Hub",
            " 1-3 choose  ↑↓ move  X exit",
        ])
        .french(&[
            " TanOS │ nouvelle appliance │ /srv/appliance",
            "  Cette racine d'appliance est vide. Répondez à trois questions pour la",
            "  1. Rôle de cette appliance",
            "  2  Tanium Server avec hub Zone Server",
            " 1-3 choisir  ↑↓ déplacer  X quitter",
        ]);
    drawn(first_run, "2\n", nothing)
        .english(&[
            &field("Role", "Tanium Server with Zone Server Hub"),
            "  2. Hostname",
            "     Letters, digits, '-' and '.'; the default is this machine's name.",
            " Enter accept  Esc previous step",
        ])
        .french(&[
            &field("Rôle", "Tanium Server avec hub Zone Server"),
            "  2. Nom d'hôte",
            "     Lettres, chiffres, « - » et « . » ; la valeur par défaut est le nom de\n     cette machine.",
            " Entrée accepter  Échap étape précédente",
        ]);
    drawn(first_run, "3\nts-east\n", nothing)
        .english(&[
            &field("Hostname", "ts-east"),
            "  3. Tanium Core Platform version",
        ])
        .french(&[
            &field("Nom d'hôte", "ts-east"),
            "  3. Version de Tanium Core Platform",
        ]);
}

#[test]
fn paste_dialogs() {
    drawn(zone_server, "C\n3\n2\n3\n2\n", nothing)
        .english(&[
            " … › SSH Key Management › Keys of tancopy › Authorized Keys › Paste public key",
            "  Paste the public key (one line: ssh-ed25519 AAAA… comment) now. A paste is",
            "Paste>",
            " paste the key  empty line/Ctrl-D end typed text  Esc cancel",
        ])
        .french(&[
            "Coller la clé publique",
            "  Collez maintenant la clé publique (une ligne : ssh-ed25519 AAAA…",
            "Collez>",
            "Échap annuler",
        ]);
    drawn(
        zone_server,
        "2\nZ\n3\n2\n-----BEGIN CERTIFICATE-----\n",
        nothing,
    )
    .english(&[
        "Paste certificate",
        "  Paste the signed certificate now. A paste is read at once; text typed or",
        &field("Received", "1 line (CERTIFICATE)"),
    ])
    .french(&[
        "Coller le certificat",
        "  Collez maintenant le certificat signé. Un collage est lu d'un seul coup ;",
        &field("Reçu", "1 ligne (CERTIFICATE)"),
    ]);
    drawn(zone_server, "2\nZ\n3\n2\nMIIB\nMIIC\n", nothing)
        .english(&[&field("Received", "2 lines (no BEGIN line yet)")])
        .french(&[&field("Reçu", "2 lignes (pas encore de ligne BEGIN)")]);
    let settling = |m: &mut Model| m.settling = true;
    drawn(zone_server, "2\nZ\n3\n2\n", settling)
        .english(&["Reading the paste… keys wait until it has ended."])
        .french(&["Lecture du collage… les touches attendent qu'il soit terminé."]);
}

/// A warning longer than the screen: what is out of view, and the keys that scroll.
#[test]
fn a_long_confirmation() {
    let long = |m: &mut Model| {
        m.stack.push(Screen::Confirm(Confirm {
            title: "Long".into(),
            warning: (0..40)
                .map(|i| format!("node-{i:02}"))
                .collect::<Vec<_>>()
                .join("\n"),
            question: "Go ahead?".into(),
            on_yes: Start::new("Loading…", Effect::Load),
        }))
    };
    drawn(tanium_server, "", long)
        .english(&[
            "  ↓ 27 more lines below: ↓ PgDn scroll",
            "Go ahead? (y/n):",
            " y Enter confirm  Enter decline  Esc cancel",
        ])
        .french(&[
            "  ↓ 27 lignes de plus en dessous : ↓ PgSuiv pour défiler",
            "Go ahead? (o/n) :",
            " o Entrée confirmer  Entrée refuser  Échap annuler",
        ]);
    let scrolled = |m: &mut Model| {
        long(m);
        m.confirm_scroll = 1;
    };
    drawn(tanium_server, "", scrolled)
        .english(&["  ↑ 1 line above, ↓ 26 below: ↑↓ PgUp PgDn scroll"])
        .french(&["  ↑ 1 ligne au-dessus, ↓ 26 en dessous : ↑↓ PgPréc PgSuiv pour défiler"]);
    let bottom = |m: &mut Model| {
        long(m);
        m.confirm_scroll = 100;
    };
    drawn(tanium_server, "", bottom)
        .english(&["  ↑ 27 lines above: ↑ PgUp scroll back"])
        .french(&["  ↑ 27 lignes au-dessus : ↑ PgPréc pour remonter"]);
    drawn(tanium_server, "2\n2\n1\n1\n1\n", nothing)
        .english(&["  Type y and Enter to go ahead; anything else declines."])
        .french(&["  Tapez o puis Entrée pour continuer ; toute autre réponse refuse."]);
}

/// The copy-friendly view's keys: the page keys are named in the operator's language.
#[test]
fn a_view_names_its_keys() {
    let view = |m: &mut Model| {
        m.stack.push(Screen::View(View {
            title: "tanium.pub".into(),
            intro: Vec::new(),
            text: "-----BEGIN PUBLIC KEY-----".into(),
            scroll: 0,
            pager: None,
        }))
    };
    drawn(tanium_server, "", view)
        .english(&[" c copy  ↑↓ PgUp PgDn scroll  Enter back  B back  RR root menu"])
        .french(&[" c copier  ↑↓ PgPréc PgSuiv défiler  Entrée retour  B retour"]);
}

#[test]
fn terminal_too_small() {
    let small = |m: &mut Model| {
        update(m, Msg::Resize(60, 20));
        typed(m, "1");
    };
    let joined = |s: &str| s.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    let d = drawn_at(tanium_server, "", small, (60, 20));
    let d = Drawn {
        en: joined(&d.en),
        fr: joined(&d.fr),
        ascii: joined(&d.ascii),
    };
    d.english(&[
        "Terminal too small 60x20 here; the console needs at least 80x24.",
        "Enlarge the window; nothing is lost meanwhile. Keys do nothing until then.",
        "Keys ignored: 1.",
    ])
    .french(&[
        "Terminal trop petit 60x20 ici ; la console demande au moins 80x24.",
        "Agrandissez la fenêtre ; rien n'est perdu entre-temps. Les touches sont sans effet d'ici là.",
        "Touches ignorées : 1.",
    ]);
}
