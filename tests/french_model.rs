//! Issue 12, the model's own texts in French: forms (titles, field labels, help, checks),
//! confirmations (titles, bodies, questions), the paste dialog, busy lines and the messages
//! of the flows. Each case is driven three times through `update`: in English, where every
//! sentence is word for word what it was; in French, where it reads in French; in French on
//! an ASCII terminal, where the same French has lost its accents.

mod support;

use support::ui::*;
use tanos_menu::appliance::catalogue::{Component, Value};
use tanos_menu::appliance::settings::Change;
use tanos_menu::appliance::tls::CertCheck;
use tanos_menu::model::{
    Failure, Key, KeyListKind, Model, Msg, Screen, TransferFailure, TransferOp, update,
};
use tanos_menu::pki::csr::{CsrRequest, MAX_PEM_BYTES, check_csr, generate_csr, private_key_spki};
use tanos_menu::pki::issue::{MAX_VALIDITY_DAYS, MIN_VALIDITY_DAYS};
use tanos_menu::pki::{CertSummary, KeyType, TrustedKey, to_pem};
use tanos_menu::termcaps::{Caps, Glyphs, LETTERS};
use tanos_menu::text::plain_letters;
use tanos_menu::texts::Lang;
use tanos_menu::transfer::sftp::Peer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Speech {
    English,
    French,
    FrenchAscii,
}

const SPEECHES: [Speech; 3] = [Speech::English, Speech::French, Speech::FrenchAscii];

fn speaking(m: Model, speech: Speech) -> Model {
    match speech {
        Speech::English => m,
        Speech::French => m.with_lang(Lang::Fr),
        Speech::FrenchAscii => m.with_lang(Lang::Fr).with_caps(Caps {
            glyphs: Glyphs::Ascii,
            ..Caps::default()
        }),
    }
}

/// What the model says up now: the message line, the busy line, and the texts the screen
/// on top holds (a confirmation's, a form's, the paste dialog's, setup's, an edit's).
fn said(m: &Model) -> String {
    let mut out: Vec<String> = Vec::new();
    out.extend(m.flash.as_ref().map(|f| f.text.clone()));
    out.extend(m.busy.clone());
    match m.screen() {
        Screen::Confirm(c) => out.extend([c.title.clone(), c.warning.clone(), c.question.clone()]),
        Screen::Form(f) => {
            out.push(f.title.clone());
            out.extend(f.intro.iter().cloned());
            for field in &f.fields {
                out.extend([field.label.clone(), field.help.clone()]);
            }
            out.extend(f.error.clone());
        }
        Screen::Paste(d) => out.extend(d.error.clone()),
        Screen::Setup(s) => out.extend(s.error.clone()),
        Screen::Edit(e) => out.extend(e.error.clone()),
        _ => {}
    }
    out.join("\n")
}

/// Runs `steps` from `start` in each speech: English says every sentence of `english` word
/// for word; French says every phrase of `french` and none of the English; French on an
/// ASCII terminal says them without accents, and its screen draws no escaped letter.
fn check(start: fn() -> Model, steps: impl Fn(&mut Model), english: &[&str], french: &[&str]) {
    for speech in SPEECHES {
        let mut m = speaking(start(), speech);
        steps(&mut m);
        let told = said(&m);
        match speech {
            Speech::English => {
                for text in english {
                    assert!(told.contains(text), "English lacks {text:?}:\n{told}");
                }
            }
            Speech::French => {
                for text in french {
                    assert!(told.contains(text), "French lacks {text:?}:\n{told}");
                }
                for text in english {
                    assert!(!told.contains(text), "English left {text:?}:\n{told}");
                }
            }
            Speech::FrenchAscii => {
                for text in french {
                    let plain = plain_letters(text);
                    assert!(told.contains(&*plain), "ASCII lacks {plain:?}:\n{told}");
                }
                let accented = told.chars().find(|c| LETTERS.iter().any(|(l, _)| l == c));
                assert_eq!(accented, None, "an accent in ASCII:\n{told}");
                let shown = render(&m);
                assert!(!shown.contains("\\u{"), "a letter escaped:\n{shown}");
            }
        }
    }
}

/// Steps that type `text` (see `support::ui::typed`).
fn keys(text: &'static str) -> impl Fn(&mut Model) {
    move |m| {
        typed(m, text);
    }
}

fn hub() -> Model {
    console(
        tanos_menu::appliance::Role::TaniumServer,
        true,
        tanos_menu::appliance::Platform::V7_3,
    )
}

/// A request for zs01.example, as a Zone Server makes it.
fn csr_pem() -> String {
    csr_for("zs01.example").csr_pem
}

fn csr_for(name: &str) -> tanos_menu::pki::csr::NewCsr {
    generate_csr(&CsrRequest {
        common_name: name.into(),
        dns_names: vec!["zs01.example".into()],
        ips: Vec::new(),
        key_type: KeyType::EcdsaP256,
    })
    .expect("a CSR")
}

fn summary() -> CertSummary {
    let time = time::macros::datetime!(2027-01-01 12:00 UTC);
    CertSummary {
        subject: "CN=zs01.example".into(),
        issuer: "O=Tanium, CN=Tanium Root ts01.example".into(),
        serial: "01".into(),
        not_before: time,
        not_after: time,
        key_fingerprint: "SHA256:zs".into(),
    }
}

#[test]
fn menus_and_cancelling_speak_french() {
    check(
        tanium_server,
        keys("Q\n"),
        &["'Q' is not an item of this menu: type a key shown on the left."],
        &["« Q » n'est pas une entrée de ce menu : tapez une touche affichée à gauche."],
    );
    check(
        tanium_server,
        keys("B\n"),
        &["This is the root menu."],
        &["Vous êtes au menu principal."],
    );
    check(
        tanium_server,
        keys("\x1b"),
        &["This is the root menu: type X and Enter to exit."],
        &["tapez X puis Entrée pour quitter."],
    );
    check(
        tanium_server,
        keys("\x03"),
        &["Ctrl-C cancels a prompt. To leave, type X and Enter at the root menu."],
        &["Ctrl-C annule une saisie."],
    );
    check(tanium_server, keys("x\x03"), &["Cancelled."], &["Annulé."]);
    check(
        tanium_server,
        keys("1\nQ\n"),
        &["'Q' is not a choice here: Enter or B goes back."],
        &["n'est pas un choix possible ici : Entrée ou B pour revenir."],
    );
    check(
        tanium_server,
        keys("2\nR\n\x1b"),
        &["Cancelled; nothing was changed."],
        &["Annulé ; rien n'a été modifié."],
    );
}

#[test]
fn input_held_back_is_told_in_french() {
    check(
        tanium_server,
        |m| {
            typed(m, "2\nR\n");
            update(m, Msg::Paste("y".into()));
        },
        &["A paste does not answer a confirmation: it was ignored. Type y or n."],
        &["Un collage ne répond pas à une confirmation : il a été ignoré. Tapez o ou n."],
    );
    check(
        tanium_server,
        |m| {
            update(m, Msg::Drawn);
            typed(m, "2\nR\ny");
        },
        &["A key typed before this question appeared was ignored: read it, then answer."],
        &["Une touche tapée avant l'affichage de cette question a été ignorée"],
    );
    let after_paste = |n: usize| {
        move |m: &mut Model| {
            update(m, Msg::PasteBurst);
            for _ in 0..n {
                press(m, Key::Char('y'));
            }
            update(m, Msg::Quiet);
        }
    };
    check(
        tanium_server,
        after_paste(1),
        &[
            "1 key arrived with the paste and was ignored (a pasted text can carry keys); nothing was answered.",
        ],
        &["1 touche arrivée avec le collage a été ignorée"],
    );
    check(
        tanium_server,
        after_paste(3),
        &[
            "3 keys arrived with the paste and were ignored (a pasted text can carry keys); nothing was answered.",
        ],
        &["3 touches arrivées avec le collage ont été ignorées"],
    );
    check(
        tanium_server,
        |m| {
            update(m, Msg::Resize(40, 10));
            typed(m, "yy");
            update(m, Msg::Resize(80, 24));
        },
        &["2 keys typed while the window was too small were ignored; nothing was answered."],
        &["2 touches tapées pendant que la fenêtre était trop petite ont été ignorées"],
    );
}

#[test]
fn a_risky_setting_is_confirmed_and_saved_in_french() {
    let risky = "2\n2\n1\n1\n1\n";
    check(
        tanium_server,
        keys(risky),
        &[
            "Warning: ReportingTLSMode",
            "Set ReportingTLSMode = 1 on Tanium Server?",
        ],
        &[
            "Avertissement : ReportingTLSMode",
            "Définir ReportingTLSMode = 1 sur Tanium Server ?",
        ],
    );
    check(
        tanium_server,
        keys("2\n2\n1\n1\n1\ny\n"),
        &["Saving ReportingTLSMode…"],
        &["Enregistrement de ReportingTLSMode…"],
    );
    check(
        tanium_server,
        |m| {
            typed(m, "2\n2\n1\n1\n1\ny\n");
            let change = Change {
                component: Component::TaniumServer,
                name: "ReportingTLSMode",
                old: None,
                new: Value::Dword(1),
                audit_error: None,
            };
            let snapshot = m.snapshot.clone().expect("a snapshot");
            update(m, Msg::Saved(Ok((change, snapshot))));
        },
        &["Saved: ReportingTLSMode = 1 (was unset)."],
        &["Enregistré : ReportingTLSMode = 1 (valeur précédente : non défini)."],
    );
    check(
        tanium_server,
        keys("2\n2\n1\n1\n\n"),
        &["ReportingTLSMode unchanged."],
        &["ReportingTLSMode inchangé."],
    );
    check(
        tanium_server,
        |m| {
            typed(m, "2\n2\n1\n");
            if let Some(s) = m.snapshot.as_mut() {
                s.settings = Err("settings.toml: bad line 3".into());
            }
            typed(m, "1\n");
        },
        &["Settings cannot be edited: settings.toml: bad line 3"],
        &["Les paramètres ne peuvent pas être modifiés : settings.toml: bad line 3"],
    );
    check(
        tanium_server,
        keys("2\n2\n9\n"),
        &["'9' is not a line number here (1-"],
        &["« 9 » n'est pas un numéro de ligne valide ici (1-"],
    );
}

#[test]
fn first_run_setup_speaks_french() {
    check(
        first_run,
        keys("9\n"),
        &["'9' is not a line number (1-3)."],
        &["« 9 » n'est pas un numéro de ligne valide (1-3)."],
    );
    check(
        first_run,
        keys("2\n\n\n"),
        &[
            "Create the appliance",
            "Tanium Server with Zone Server Hub 'tanos-demo', platform ",
            "This creates a root key pair (tanium.pvk, tanium.pub, tanium-root.crt), a TLS key and certificate, tanadmin's SSH key pair and the default settings.",
            "Create it?",
        ],
        &[
            "Créer l'appliance",
            "Tanium Server avec hub Zone Server « tanos-demo », plateforme ",
            "Cela crée une paire de clés racine",
            "La créer ?",
        ],
    );
    check(
        first_run,
        keys("3\n\n\n"),
        &["This creates tanadmin's SSH key pair and the default settings."],
        &["Cela crée la paire de clés SSH de tanadmin et les paramètres par défaut."],
    );
    check(
        first_run,
        keys("\x1b"),
        &["Type X and Enter to leave without creating the appliance."],
        &["Tapez X puis Entrée pour quitter sans créer l'appliance."],
    );
    check(
        first_run,
        |m| {
            typed(m, "1\n\n\ny\n");
            update(m, Msg::Initialized(Err("no room left".into())));
        },
        &["The appliance was not created: no room left"],
        &["L'appliance n'a pas été créée : no room left"],
    );
    check(
        first_run,
        |m| {
            update(
                m,
                Msg::Initialized(Ok(tanium_server().snapshot.expect("a snapshot"))),
            );
        },
        &["Appliance created: Tanium Server 'ts01.example'."],
        &["Appliance créée : Tanium Server « ts01.example »."],
    );
}

#[test]
fn the_csr_form_asks_and_checks_in_french() {
    check(
        zone_server,
        keys("2\nZ\n1\n"),
        &[
            "Generate CSR",
            "A new private key (zoneserver/reporting.pvk) and its certificate signing request.",
            "Common name",
            "The Zone Server's name as clients reach it.",
            "Extra DNS names",
            "Separated by commas or spaces; 'none' for none.",
            "Key type",
        ],
        &[
            "Générer un CSR",
            "Une nouvelle clé privée (zoneserver/reporting.pvk)",
            "Nom commun",
            "Noms DNS supplémentaires",
            "Adresses IP",
            "« aucun » s'il n'y en a pas.",
            "Type de clé",
        ],
    );
    check(
        zone_server,
        keys("2\nZ\n1\n\n\nnot-an-ip\n"),
        &["'not-an-ip' is not an IP address"],
        &["« not-an-ip » n'est pas une adresse IP"],
    );
    check(
        zone_server,
        keys("2\nZ\n1\n\n\n\n9\n"),
        &["'9' is not a line number (1-5)"],
        &["« 9 » n'est pas un numéro de ligne valide (1-5)"],
    );
    check(
        zone_server,
        keys("2\nZ\n1\n\x1b"),
        &["Cancelled; nothing was changed."],
        &["Annulé ; rien n'a été modifié."],
    );
    check(
        zone_server,
        keys("2\nZ\n1\n\n\n\n\n"),
        &["Generating the ECDSA P-256 key and CSR… (Esc cancels)"],
        &["Génération de la clé ECDSA P-256 et du CSR… (Échap annule)"],
    );
    // A key there already: replacing it is confirmed first.
    check(
        zone_server,
        |m| {
            if let Some(s) = m.snapshot.as_mut() {
                s.reporting_key = true;
            }
            typed(m, "2\nZ\n1\n\n\n\n\n");
        },
        &[
            "Replace the private key",
            "zoneserver/reporting.pvk exists and will be replaced by a new ECDSA P-256 key.\nNo certificate is installed yet.\nThe current key and CSR are kept as .bak files beside them.",
            "Generate a new key and CSR?",
        ],
        &[
            "Remplacer la clé privée",
            "sera remplacée par une nouvelle clé ECDSA P-256.\nAucun certificat n'est encore installé.",
            "Générer une nouvelle clé et un nouveau CSR ?",
        ],
    );
}

#[test]
fn a_pasted_csr_is_issued_in_french() {
    let pem = csr_pem();
    let checked = check_csr(&pem).expect("checked");
    let to_form = move |m: &mut Model| {
        typed(m, "2\nZ\n2\n2\n");
        update(m, Msg::Paste(pem.clone()));
    };
    let request = format!(
        "Request for CN=zs01.example, {} key",
        checked.key_description
    );
    let help = format!("From {MIN_VALIDITY_DAYS} to {MAX_VALIDITY_DAYS}.");
    check(
        hub,
        &to_form,
        &[
            "Issue certificate",
            &request,
            "DNS names: zs01.example",
            "The request's signature, key and names were checked.",
            "Validity in days",
            &help,
        ],
        &[
            "Émettre le certificat",
            "Demande pour CN=zs01.example, clé ",
            "Noms DNS : zs01.example",
            "Empreinte de la clé : SHA256:",
            "Validité en jours",
        ],
    );
    let days = |typed_days: &'static str| {
        let to_form = to_form.clone();
        move |m: &mut Model| {
            to_form(m);
            typed(m, typed_days);
        }
    };
    let not_days = format!("'0' is not a number of days from {MIN_VALIDITY_DAYS} to ");
    check(
        hub,
        days("0\n"),
        &[&not_days],
        &["« 0 » n'est pas un nombre de jours de 1 à "],
    );
    check(
        hub,
        days("\n"),
        &[
            "Issue the certificate",
            "Common name: zs01.example",
            "DNS names (1): zs01.example",
            "Issue it?",
        ],
        &[
            "Nom commun : zs01.example",
            "Noms DNS (1) : zs01.example",
            "L'émettre ?",
        ],
    );
}

#[test]
fn the_paste_dialog_refuses_in_french() {
    let private = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    check(
        zone_server,
        move |m| {
            typed(m, "2\nZ\n3\n2\n");
            update(m, Msg::Paste(private.into()));
        },
        &[
            "A private key was pasted. It was discarded: not stored, not shown. Paste the signed certificate instead.",
        ],
        &[
            "Une clé privée a été collée. Elle a été écartée : ni enregistrée, ni affichée. Collez plutôt le certificat signé.",
        ],
    );
    check(
        zone_server,
        |m| {
            typed(m, "2\nZ\n4\n2\n");
            update(m, Msg::Paste(" \n \n".into()));
        },
        &["The paste was empty. Paste the Tanium root public key (tanium.pub), or Esc to cancel."],
        &[
            "Le collage était vide. Collez la clé publique racine Tanium (tanium.pub), ou Échap pour annuler.",
        ],
    );
    check(
        hub,
        |m| {
            typed(m, "2\nZ\n2\n2\n");
            press(m, Key::CtrlD);
        },
        &["Nothing was pasted. Paste the certificate request (CSR), or Esc to cancel."],
        &[
            "Rien n'a été collé. Collez la demande de signature de certificat (CSR), ou Échap pour annuler.",
        ],
    );
    check(
        hub,
        |m| {
            typed(m, "2\nZ\n2\n2\n");
            update(m, Msg::Paste("A".repeat(MAX_PEM_BYTES + 1)));
        },
        &["The paste is over 64 KiB and was refused; a PEM text is a few kilobytes."],
        &["Le collage dépasse 64 Kio et a été refusé"],
    );
    let garbage = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
    check(
        hub,
        move |m| {
            typed(m, "2\nZ\n2\n2\n");
            update(m, Msg::Paste(garbage.into()));
        },
        &[
            "The CSR was refused: ",
            ". Nothing was changed; paste again or Esc.",
        ],
        &[
            "Le CSR a été refusé : ",
            ". Rien n'a été modifié ; collez à nouveau, ou Échap pour annuler.",
        ],
    );
}

#[test]
fn root_keys_and_certificates_are_confirmed_in_french() {
    let key = csr_for("root.example");
    let spki = private_key_spki(&key.key_pem).expect("spki");
    let public = to_pem("PUBLIC KEY", &spki);
    let fingerprint = TrustedKey::from_pem(public.as_bytes())
        .expect("a key")
        .fingerprint;
    let trust_line = format!("Root key fingerprint: {fingerprint}");
    check(
        zone_server,
        move |m| {
            typed(m, "2\nZ\n4\n2\n");
            update(m, Msg::Paste(public.clone()));
        },
        &[
            "Trust this root key",
            &trust_line,
            "Compare it with the 'Root key' line of Tanium Status on the Tanium Server.",
            "Trust it?",
        ],
        &[
            "Faire confiance à cette clé racine",
            "Empreinte de la clé racine : SHA256:",
            "Lui faire confiance ?",
        ],
    );
    let checked = |result: Result<CertCheck, Failure>| {
        move |m: &mut Model| {
            update(
                m,
                Msg::CertChecked {
                    text: "PEM".into(),
                    result: result.clone(),
                },
            );
        }
    };
    check(
        zone_server,
        checked(Ok(CertCheck::Ready(summary()))),
        &[
            "Install the certificate",
            "Subject: CN=zs01.example\nIssuer: O=Tanium, CN=Tanium Root ts01.example\nExpires: 2027-01-01 UTC",
            "It matches zoneserver/reporting.pvk and was signed by the trusted root key.",
            "Install it?",
        ],
        &[
            "Installer le certificat",
            "Sujet : CN=zs01.example\nÉmetteur : O=Tanium",
            "L'installer ?",
        ],
    );
    let candidate = TrustedKey::from_pem(to_pem("PUBLIC KEY", &spki).as_bytes()).expect("key");
    check(
        zone_server,
        checked(Ok(CertCheck::NeedsTrust {
            summary: summary(),
            candidate,
            trusted: None,
        })),
        &[
            "Trust the root key and install",
            "No trusted root key yet. The certificate was signed by the key in /incoming/tanium.pub:",
            "Trust it and install?",
        ],
        &[
            "Faire confiance à la clé racine et installer",
            "Aucune clé racine de confiance pour l'instant.",
            "Lui faire confiance et installer ?",
        ],
    );
    check(
        zone_server,
        checked(Err(Failure::from("it expired".to_string()))),
        &["The certificate was refused: it expired"],
        &["Le certificat a été refusé : it expired"],
    );
    check(
        tanium_server,
        keys("2\nR\n"),
        &[
            "Regenerate TLS key and certificate",
            "Do this when the root keys changed.",
            "Regenerate them?",
        ],
        &["Régénérer la clé et le certificat TLS", "Les régénérer ?"],
    );
}

#[test]
fn ssh_keys_speak_french() {
    check(
        tanium_server,
        keys("C\n3\n1\n1\n"),
        &[
            "New key pair for tanadmin",
            "tanadmin already has a key pair. The new one replaces it; the old pair is kept as .bak files.",
            "Generate a new key pair?",
        ],
        &[
            "Nouvelle paire de clés pour tanadmin",
            "tanadmin a déjà une paire de clés.",
            "Générer une nouvelle paire de clés ?",
        ],
    );
    check(
        tanium_server,
        keys("C\n3\n2\n2\n"),
        &["tancopy has no key pair yet: 1 generates one."],
        &["tancopy n'a pas encore de paire de clés : 1 en génère une."],
    );
    let listed = |kind: KeyListKind, path: &'static str| {
        move |m: &mut Model| {
            typed(m, path);
            let rows = Ok(vec!["ssh-ed25519 AAAA x".to_string()]);
            update(m, Msg::KeysListed { kind, result: rows });
            typed(m, "1\n");
        }
    };
    check(
        tanium_server,
        listed(KeyListKind::Authorized, "C\n3\n2\n3\n3\n"),
        &[
            "Remove a key of tancopy",
            "Line 1: ssh-ed25519 AAAA x\nLogins with this key are refused from now on.",
            "Remove it?",
        ],
        &[
            "Retirer une clé de tancopy",
            "Ligne 1 : ssh-ed25519 AAAA x\nLes connexions avec cette clé sont refusées",
            "La retirer ?",
        ],
    );
    check(
        tanium_server,
        listed(KeyListKind::KnownHosts, "C\n3\n1\n4\n"),
        &[
            "Forget a host key",
            "The next connection to this host asks again",
        ],
        &[
            "Oublier une clé d'hôte",
            "La prochaine connexion à cet hôte",
        ],
    );
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+0oWQy8gFaRq7pOQo2kv";
    check(
        tanium_server,
        move |m| {
            typed(m, "C\n3\n2\n3\n2\n");
            update(m, Msg::Paste(key.into()));
        },
        &[
            "Authorize a key for tancopy",
            "\nComment: (none)\nThe holder of the matching private key can log in as tancopy (SFTP to the transfer area).",
            "Add this key?",
        ],
        &[
            "Autoriser une clé pour tancopy",
            "Commentaire : (aucun)",
            "peut se connecter en tant que tancopy",
            "Ajouter cette clé ?",
        ],
    );
}

#[test]
fn sftp_questions_and_hosts_speak_french() {
    check(
        zone_server,
        keys("2\nZ\n8\n"),
        &[
            "Push the CSR",
            "Uploads zoneserver/reporting.csr to the Tanium Server's /incoming with tanadmin's key.",
            "Host",
            "The Tanium Server's name or address.",
            "Its SSH port.",
            "User",
        ],
        &[
            "Envoyer le CSR",
            "Dépose zoneserver/reporting.csr dans /incoming du serveur Tanium",
            "Hôte",
            "Son port SSH.",
            "Utilisateur",
            "Le compte de transfert sur ce serveur.",
        ],
    );
    check(
        zone_server,
        keys("2\nZ\n8\nts01\nabc\n"),
        &["'abc' is not a port (1-65535)"],
        &["« abc » n'est pas un port (1-65535)"],
    );
    check(
        zone_server,
        keys("2\nZ\n8\nts01\n\nBad!\n"),
        &["'Bad!' is not a user name (lower-case letters, digits, '_' and '-')"],
        &["« Bad! » n'est pas un nom d'utilisateur"],
    );
    check(
        zone_server,
        keys("2\nZ\n8\nts01\n\n\n"),
        &["Pushing the CSR over SFTP to tancopy@ts01:22… (Esc cancels)"],
        &["Envoi du CSR par SFTP à tancopy@ts01:22… (Échap annule)"],
    );
    let peer = Peer {
        host: "ts01".into(),
        port: 22,
        user: "tancopy".into(),
    };
    check(
        zone_server,
        move |m| {
            typed(m, "2\nZ\n3\n3\nts01\n\n\n");
            let unknown = TransferFailure::UnknownHost {
                host: "ts01".into(),
                key_type: "ED25519".into(),
                fingerprint: "SHA256:host".into(),
            };
            update(
                m,
                Msg::Transferred {
                    op: TransferOp::PullCertificate,
                    peer: peer.clone(),
                    result: Err(unknown),
                },
            );
        },
        &[
            "Unknown host",
            "The authenticity of host ts01 can't be established.\nIts ED25519 host key fingerprint is:\nSHA256:host\n",
            "Trust this host and connect?",
        ],
        &[
            "Hôte inconnu",
            "L'authenticité de l'hôte ts01 ne peut pas être établie.",
            "Faire confiance à cet hôte et se connecter ?",
        ],
    );
    // The probe's questions: each label as its own text ("Port" is French too).
    for (speech, want) in [
        (Speech::English, ["Host", "Port", "Name"]),
        (Speech::French, ["Hôte", "Port", "Nom"]),
        (Speech::FrenchAscii, ["Hote", "Port", "Nom"]),
    ] {
        let mut m = speaking(tanium_server(), speech);
        typed(&mut m, "2\nT\n2\n");
        let Screen::Form(form) = m.screen() else {
            panic!("{speech:?}: the probe's questions")
        };
        let labels: Vec<&str> = form.fields.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(labels, want, "{speech:?}");
    }
}

#[test]
fn busy_lines_speak_french() {
    check(
        tanium_server,
        keys("A\n"),
        &["Reading the audit log…"],
        &["Lecture du journal d'audit…"],
    );
    check(
        hub,
        keys("2\nZ\n7\n"),
        &["Reading the issued certificates…"],
        &["Lecture des certificats émis…"],
    );
    check(
        zone_server,
        keys("2\nZ\n5\n"),
        &["Reading zoneserver/reporting.csr…"],
        &["Lecture de zoneserver/reporting.csr…"],
    );
    check(
        zone_server,
        keys("2\nZ\n3\n1\n"),
        &["Reading /incoming/reporting.crt…"],
        &["Lecture de /incoming/reporting.crt…"],
    );
}
