//! Issue 12, the appliance in French: every Configuration Settings description and vendor
//! warning, the values' meanings and the components' names, and a sample of each family of
//! the appliance's errors (settings, settings.toml, TLS steps, opening, lock, init,
//! /incoming, users, sshd, SFTP push, audit view, ledger) are French in a French voice,
//! without accents in French ASCII, and exactly as before in English.

mod support;

use std::path::Path;
use support::voice::{ENGLISH as EN, FRENCH as FR, FRENCH_ASCII as FR_ASCII};

use tanos_menu::appliance::catalogue::{self, CATALOGUE, Component, Value};
use tanos_menu::appliance::init::{InitError, InitOptions, init};
use tanos_menu::appliance::ledger::State;
use tanos_menu::appliance::lock::LockError;
use tanos_menu::appliance::settings::{self, Settings, SettingsError};
use tanos_menu::appliance::sshd::{self, SshdError};
use tanos_menu::appliance::tls::TlsError;
use tanos_menu::appliance::users::{self, UserError};
use tanos_menu::appliance::{
    Addon, Appliance, ApplianceConfig, Platform, Role, audit, forward, incoming, roots, transfer,
};
use tanos_menu::texts::speak_as;
use tanos_menu::transfer::sftp::Peer;
use time::OffsetDateTime;

/// What `say` gives in English, in French and in French ASCII (the thread's voice set for
/// each, English again after).
fn three(say: impl Fn() -> String) -> [String; 3] {
    let out = [EN, FR, FR_ASCII].map(|voice| {
        speak_as(voice);
        say()
    });
    speak_as(EN);
    out
}

/// `say` is `english` exactly in English, says `french` in French, and has no accent in
/// French ASCII.
fn check(say: impl Fn() -> String, english: &str, french: &str) {
    let [en, fr, plain] = three(say);
    assert_eq!(en, english);
    assert!(fr.contains(french), "{french:?} not in {fr:?}");
    assert_ne!(fr, en);
    assert!(plain.is_ascii(), "accents left in {plain:?}");
    assert_eq!(plain, tanos_menu::text::plain_letters(&fr), "{plain:?}");
}

fn config(role: Role, platform: Platform) -> ApplianceConfig {
    ApplianceConfig {
        role,
        hostname: "ts01.example".into(),
        platform,
        addons: if role == Role::TaniumServer {
            vec![Addon::ZoneHub]
        } else {
            Vec::new()
        },
    }
}

/// The message of `validate` refusing `raw` for `name`.
fn refused(config: &ApplianceConfig, component: Component, name: &str, raw: &str) -> String {
    match catalogue::validate(config, component, name, raw) {
        Ok(v) => panic!("{name} = {raw} accepted: {v:?}"),
        Err(e) => e.to_string(),
    }
}

fn appliance(root: &Path, role: Role) -> Appliance {
    let opts = InitOptions {
        role,
        hostname: "app01.example".into(),
        platform: Platform::V7_3,
        zone_hub: false,
        tanium_pub: None,
    };
    init(root, &opts, OffsetDateTime::now_utc()).expect("init")
}

const BEST_PRACTICE: &str = "Best practice: set ReportingTLSMode to 2 (optional) first; set 1 (required) only once TLS connections are confirmed. With 1, a failed TLS handshake means the connection fails.";

#[test]
fn every_setting_has_a_french_description_and_warning() {
    for def in CATALOGUE {
        let [en, fr, plain] = [EN, FR, FR_ASCII].map(|v| def.help(v));
        assert!(
            !en.is_empty() && !en.starts_with("setting."),
            "{}",
            def.name
        );
        assert_ne!(en, fr, "{}: description not French", def.label);
        assert!(plain.is_ascii(), "{}: {plain}", def.label);
        if let Some(warning) = def.warning() {
            let [en, fr, plain] = [EN, FR, FR_ASCII].map(|v| warning.text(v));
            assert_ne!(en, fr, "{}: warning not French", def.label);
            assert!(plain.is_ascii(), "{}: {plain}", def.label);
        }
    }
}

#[test]
fn descriptions_take_the_vendors_french() {
    let ts = config(Role::TaniumServer, Platform::V7_3);
    let def = catalogue::lookup(&ts, Component::TaniumServer, "ReportingTLSMode").unwrap();
    check(
        || def.help(tanos_menu::texts::voice()),
        "TLS for the outbound connections this server initiates. On 7.4+ TLS is required and cannot be disabled.",
        "Configure TLS pour les connexions sortantes que le serveur initie. Dans Tanium Core Platform 7.4 ou version ultérieure",
    );
    let def = catalogue::lookup(
        &ts,
        Component::ClientGlobal,
        "OptionalTLSBackoffIntervalSeconds",
    )
    .unwrap();
    check(
        || def.help(tanos_menu::texts::voice()),
        "Clients 7.2, ReportingTLSMode 2: seconds before retrying TLS; doubles after each failed round.",
        "cet intervalle double après chaque série de tentatives échouées",
    );
}

#[test]
fn vendor_warnings_are_french() {
    let ts = config(Role::TaniumServer, Platform::V7_3);
    let checked =
        catalogue::validate(&ts, Component::TaniumServer, "ReportingTLSMode", "1").unwrap();
    let warning = checked.warning.expect("a risky value");
    check(
        || warning.to_string(),
        BEST_PRACTICE,
        "Meilleure pratique : définissez d'abord ReportingTLSMode sur 2 (facultatif)",
    );
    let checked = catalogue::validate(
        &ts,
        Component::TaniumServer,
        "RequireIncomingEncryption",
        "1",
    )
    .unwrap();
    let warning = checked.warning.expect("a risky value");
    check(
        || warning.to_string(),
        "Only set 1 once every deployed Tanium Client is configured to use TLS and you are ready to deploy new clients with TLS configured before their first registration: clients without TLS can no longer register or be managed.",
        "avec TLS configuré avant l'inscription initiale",
    );
    let password = catalogue::validate(
        &ts,
        Component::TaniumServer,
        "ReportingTLSKeyPasswordFile",
        "hsm.txt",
    )
    .unwrap()
    .warning
    .expect("always warned");
    check(
        || password.to_string(),
        "This setting applies only to hardware security modules (HSM). Contact Tanium Support before setting it.",
        "modules de sécurité matérielle (HSM). Contactez l'assistance Tanium",
    );
    let confirm = SettingsError::NeedsConfirmation {
        name: "ReportingTLSMode",
        value: Value::Dword(1),
        warning: checked.warning.unwrap(),
    };
    check(
        || confirm.to_string(),
        "Only set 1 once every deployed Tanium Client is configured to use TLS and you are ready to deploy new clients with TLS configured before their first registration: clients without TLS can no longer register or be managed.\nConfirm to set ReportingTLSMode = 1 (in the console answer y; on the command line add --yes). Nothing was changed.",
        "\nConfirmez pour définir ReportingTLSMode = 1 (dans la console, répondez o ; en ligne de commande, ajoutez --yes). Rien n'a été modifié.",
    );
}

#[test]
fn value_meanings_and_components_are_french() {
    let ts = config(Role::TaniumServer, Platform::V7_3);
    let mode = catalogue::lookup(&ts, Component::TaniumServer, "ReportingTLSMode").unwrap();
    check(
        || catalogue::describe_in(tanos_menu::texts::voice(), mode, &Value::Dword(2)),
        "2 (TLS optional)",
        "2 (TLS facultatif)",
    );
    assert_eq!(
        catalogue::describe_in(FR, mode, &Value::Dword(0)),
        "0 (TLS non utilisé)"
    );
    let incoming =
        catalogue::lookup(&ts, Component::TaniumServer, "RequireIncomingEncryption").unwrap();
    check(
        || catalogue::allowed_text(&ts, incoming),
        "0 (not required), 1 (required)",
        "0 (non requis), 1 (requis)",
    );
    let path = catalogue::lookup(&ts, Component::TaniumServer, "ReportingTLSCertPath").unwrap();
    assert_eq!(
        catalogue::allowed_text_in(FR_ASCII, &ts, path),
        "un chemin de fichier, relatif a la racine de l'appliance ou absolu"
    );
    check(
        || Component::ClientGlobal.to_string(),
        "Client Global Settings",
        "Paramètres globaux des clients",
    );
    assert_eq!(Component::ZoneServerHub.title(FR_ASCII), "Hub Zone Server");
    // The command line and settings.toml still name components in English.
    speak_as(FR);
    assert_eq!(Component::ClientGlobal.label(), "Client Global Settings");
    assert_eq!(
        Component::parse("Client Global Settings"),
        Some(Component::ClientGlobal)
    );
    speak_as(EN);
}

#[test]
fn refused_values_are_explained_in_french() {
    let ts = config(Role::TaniumServer, Platform::V7_3);
    let ts74 = config(Role::TaniumServer, Platform::V7_4);
    let zs = config(Role::ZoneServer, Platform::V7_3);
    use Component::{ClientGlobal, Console, TaniumServer};
    #[rustfmt::skip]
    let cases = [
        (&ts, TaniumServer, "Bogus", "1",
            "unknown setting 'Bogus'; `tanos-menu config list` shows the settings of this appliance",
            "paramètre inconnu « Bogus » ; `tanos-menu config list` affiche les paramètres"),
        (&ts, Console, "IdleTimeoutSeconds", "5",
            "IdleTimeoutSeconds must be between 10 and 86400; 5 is out of range",
            "doit être compris entre 10 et 86400 ; 5 est hors plage"),
        (&ts, TaniumServer, "ReportingTLSMode", "7",
            "ReportingTLSMode takes 0 (TLS not used), 1 (TLS required), 2 (TLS optional); 7 is not allowed",
            "ReportingTLSMode accepte 0 (TLS non utilisé), 1 (TLS requis), 2 (TLS facultatif) ; 7 n'est pas admis"),
        (&ts74, TaniumServer, "ReportingTLSMode", "2",
            "on platform 7.4+ TLS is required and cannot be disabled: ReportingTLSMode stays 1",
            "TLS est requis et ne peut pas être désactivé : ReportingTLSMode reste à 1"),
        (&ts74, TaniumServer, "RequireIncomingEncryption", "1",
            "RequireIncomingEncryption applies to platform 7.2 and 7.3 only; this appliance runs 7.4+",
            "ne s'applique qu'à la plateforme 7.2 et 7.3"),
        (&zs, ClientGlobal, "TLSMode", "1",
            "Client Global Settings is not a component of this appliance (Zone Server)",
            "Paramètres globaux des clients n'est pas un composant de cette appliance (Zone Server)"),
        (&ts, TaniumServer, "ReportingTLSCertPath", "a/../b",
            "ReportingTLSCertPath: the path may not contain '..'",
            "ReportingTLSCertPath : le chemin ne peut pas contenir « .. »"),
        (&ts, Console, "SyslogHost", "1.2.3",
            "SyslogHost: 1.2.3 is not an IP address",
            "SyslogHost : 1.2.3 n'est pas une adresse IP"),
        (&ts, ClientGlobal, "OptionalTLSMinAttemptCount", "abc",
            "OptionalTLSMinAttemptCount takes a whole number; 'abc' is not one",
            "attend un nombre entier ; « abc » n'en est pas un"),
    ];
    for (config, component, name, raw, english, french) in cases {
        check(|| refused(config, component, name, raw), english, french);
    }
}

#[test]
fn settings_toml_and_path_targets_are_explained_in_french() {
    let ts = config(Role::TaniumServer, Platform::V7_3);
    check(
        || match Settings::parse(&ts, "[bogus]\nx = 1\n") {
            Err(e) => e.to_string(),
            Ok(_) => panic!("parsed"),
        },
        "settings.toml: unknown component [bogus]",
        "settings.toml : composant inconnu [bogus]",
    );
    let dir = tempfile::tempdir().unwrap();
    let app = appliance(&dir.path().join("ts"), Role::TaniumServer);
    check(
        || match settings::set(
            &app,
            Component::TaniumServer,
            "ReportingTLSCertPath",
            "tanium",
            true,
        ) {
            Err(e) => e.to_string(),
            Ok(c) => panic!("saved {c:?}"),
        },
        "ReportingTLSCertPath: tanium is a directory; give the file",
        "ReportingTLSCertPath : tanium est un répertoire ; indiquez le fichier",
    );
}

#[test]
fn tls_steps_and_root_keys_are_refused_in_french() {
    check(
        || TlsError::NoKey.to_string(),
        "no private key yet: generate the CSR first",
        "pas encore de clé privée : générez d'abord le CSR",
    );
    check(
        || TlsError::WrongRole("Zone Server").to_string(),
        "this is a Zone Server; the step belongs to the other appliance",
        "cette appliance est un Zone Server ; cette étape relève de l'autre appliance",
    );
    check(
        || TlsError::RemoveCurrent.to_string(),
        "the current trusted root key cannot be removed: trust the Tanium Server's new root key first",
        "la clé racine de confiance actuelle ne peut pas être retirée",
    );
    let dir = tempfile::tempdir().unwrap();
    let app = appliance(&dir.path().join("ts"), Role::TaniumServer);
    let now = OffsetDateTime::now_utc();
    check(
        || match roots::revoke(&app, "SHA256:nope", now) {
            Err(e) => e.to_string(),
            Ok(row) => panic!("revoked {row:?}"),
        },
        "no root key SHA256:nope on this Tanium Server",
        "aucune clé racine SHA256:nope sur ce serveur Tanium",
    );
}

#[test]
fn opening_locking_and_init_are_explained_in_french() {
    let dir = tempfile::tempdir().unwrap();
    let shown = dir.path().display().to_string();
    check(
        || match Appliance::open(dir.path()) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("opened"),
        },
        &format!(
            "{shown} is not an appliance root (no appliance.toml); run `tanos-menu init` or open the console on an empty directory"
        ),
        "n'est pas la racine d'une appliance (pas d'appliance.toml) ; lancez `tanos-menu init`",
    );
    check(
        || LockError::Busy.to_string(),
        "another console on this appliance is saving a change; nothing was changed. Try again in a moment",
        "une autre console de cette appliance enregistre une modification ; rien n'a été modifié",
    );
    let opts = InitOptions {
        role: Role::ZoneServer,
        hostname: "zs01.example".into(),
        platform: Platform::V7_3,
        zone_hub: true,
        tanium_pub: None,
    };
    let root = dir.path().join("zs");
    check(
        || match init(&root, &opts, OffsetDateTime::now_utc()) {
            Err(e @ InitError::HubOnZoneServer) => e.to_string(),
            other => panic!("{other:?}"),
        },
        "--zone-hub applies to a Tanium Server only",
        "--zone-hub ne s'applique qu'à un serveur Tanium",
    );
    assert!(!root.exists(), "nothing made");
}

#[test]
fn incoming_users_and_transfers_are_refused_in_french() {
    let dir = tempfile::tempdir().unwrap();
    let zs = appliance(&dir.path().join("zs"), Role::ZoneServer);
    check(
        || incoming::read(&zs, "nothing.csr").unwrap_err().to_string(),
        "/incoming/nothing.csr does not exist",
        "/incoming/nothing.csr n'existe pas",
    );
    check(
        || users::authorized_rows(&zs, "root").unwrap_err().to_string(),
        "'root' is not a TanOS user here (tanadmin, tancopy)",
        "« root » n'est pas un utilisateur TanOS de cette appliance",
    );
    check(
        || UserError::Changed(3).to_string(),
        "the file changed since it was listed: line 3 is no longer the entry you confirmed; nothing was removed. List it again",
        "la ligne 3 n'est plus l'entrée que vous avez confirmée ; rien n'a été retiré",
    );
    std::fs::write(zs.path("zoneserver/reporting.csr"), "not a request").unwrap();
    let peer = Peer {
        host: "127.0.0.1".into(),
        port: 1,
        user: "tancopy".into(),
    };
    let cancel = std::sync::atomic::AtomicBool::new(false);
    check(
        || {
            transfer::push_csr(&zs, &peer, None, &cancel)
                .unwrap_err()
                .to_string()
        },
        "the transfer failed: zoneserver/reporting.csr is not a valid request; generate the CSR again; nothing was installed",
        "zoneserver/reporting.csr n'est pas une demande valide ; générez à nouveau le CSR",
    );
}

#[test]
fn sshd_refusals_are_french() {
    check(
        || sshd::peer_account("a b").unwrap_err().to_string(),
        "\"a b\" cannot be the peer account: use letters, digits, '.', '_' and '-' (at most 32, not starting with '-' or '.'); nothing was changed",
        "\"a b\" ne peut pas être le compte des pairs : utilisez des lettres, des chiffres",
    );
    let writable = SshdError::Writable {
        path: "/srv/t/transfer/outgoing/x".into(),
        mode: 0o664,
    };
    check(
        || writable.to_string(),
        "/srv/t/transfer/outgoing/x is writable by group or others (mode 0664): peers must only read /outgoing; fix its mode or remove it; nothing was changed",
        "est modifiable par le groupe ou les autres (mode 0664) : les pairs doivent seulement lire /outgoing",
    );
    check(|| sshd::signal_name(999), "a signal", "un signal");
    assert_eq!(sshd::signal_name(15), "SIGTERM");
}

#[test]
fn audit_view_and_ledger_words_are_french() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(audit::FAILURE_MARK), "").unwrap();
    std::fs::write(dir.path().join(forward::FAILURE_MARK), "").unwrap();
    check(
        || audit::failure(dir.path()).unwrap(),
        "an audit line could not be written",
        "une ligne d'audit n'a pas pu être écrite",
    );
    check(
        || forward::failure(dir.path()).unwrap(),
        "an audit event could not be forwarded",
        "un événement d'audit n'a pas pu être transmis",
    );
    check(
        || State::ReissueNeeded.label(tanos_menu::texts::voice()),
        "re-issue needed",
        "à réémettre",
    );
    // `issued list --json` keeps its English words.
    speak_as(FR);
    assert_eq!(State::Expired.word(), "expired");
    speak_as(EN);
}
