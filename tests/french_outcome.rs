//! Issue 12: the sentences about finished steps (src/model/outcome, the executor) speak the
//! console's language. For a sample of every family (SSH keys, certificates, the request
//! list and batches, the ledger and audit log, push and pull, root keys, the TLS check, the
//! session's end and crashes) the text is French in French, without accents in French ASCII,
//! and exactly the English it was in English.

mod support;

use std::path::Path;
use support::voice::{ENGLISH as EN, FRENCH as FR, FRENCH_ASCII as FR_ASCII};

use support::ui::{snapshot, tanium_server, zone_server};
use tanos_menu::appliance::batch::{BatchLine, Skip};
use tanos_menu::appliance::fleet::Occupant;
use tanos_menu::appliance::ledger::{self, IssuedRecord, State};
use tanos_menu::appliance::requests::{Request, RequestInfo, RequestState};
use tanos_menu::appliance::roots::{Added, RootRow, RootState};
use tanos_menu::appliance::status::OlderRoot;
use tanos_menu::appliance::transfer::{Passed, Pulled, Pushed};
use tanos_menu::appliance::trust::RootEntry;
use tanos_menu::appliance::{Platform, Role};
use tanos_menu::menu::MenuTree;
use tanos_menu::model::outcome::{self, tls_check};
use tanos_menu::model::{
    Abandon, Effect, Ended, Finished, KeysDone, Made, Model, Msg, TlsDone, update,
};
use tanos_menu::pki::CertSummary;
use tanos_menu::termcaps::{Caps, Glyphs, LETTERS};
use tanos_menu::texts::{Lang, speak_as};
use tanos_menu::tlscheck::{Check, Failure, Files, Negotiated, Part, Report};
use time::macros::datetime;

/// `say` in English, in French and in French ASCII (this test's thread speaks each in turn).
fn three(say: impl Fn() -> String) -> [String; 3] {
    [EN, FR, FR_ASCII].map(|voice| {
        speak_as(voice);
        let text = say();
        speak_as(EN);
        text
    })
}

fn accented(text: &str) -> bool {
    text.chars().any(|c| LETTERS.iter().any(|(l, _)| *l == c))
}

/// English exactly `english`; French holding `french`; French ASCII its letters plain.
fn check(say: impl Fn() -> String, english: &str, french: &str) {
    let [en, fr, plain] = three(say);
    assert_eq!(en, english);
    assert!(fr.contains(french), "French {french:?} not in:\n{fr}");
    assert!(!accented(&plain), "accents in ASCII:\n{plain}");
    assert_eq!(plain, tanos_menu::text::plain_letters(&fr), "{plain}");
}

fn summary() -> CertSummary {
    CertSummary {
        subject: "CN=zs01.example".into(),
        issuer: "CN=Tanium Root".into(),
        serial: "5a:01".into(),
        not_before: datetime!(2026-01-01 0:00 UTC),
        not_after: datetime!(2027-01-01 0:00 UTC),
        key_fingerprint: "SHA256:leaf".into(),
    }
}

fn root(state: RootState, names: &[&str]) -> RootRow {
    RootRow {
        entry: RootEntry {
            fingerprint: "SHA256:root".into(),
            created: "2026-03-04T00:00:00Z".into(),
            state,
            key: "tanium/roots/a.pvk".into(),
            cert: "tanium/roots/a.crt".into(),
        },
        valid_signed: names.len(),
        names: names.iter().map(|n| n.to_string()).collect(),
    }
}

fn request(file: &str, state: RequestState) -> Request {
    Request {
        file: file.into(),
        state,
    }
}

fn info() -> RequestInfo {
    RequestInfo {
        common_name: "zs01.example".into(),
        key_description: "ECDSA P-256".into(),
        key_fingerprint: "SHA256:req".into(),
    }
}

fn occupant() -> Occupant {
    Occupant {
        place: "/outgoing/zs01.example.crt".into(),
        subject: "CN=zs01.example".into(),
        key_fingerprint: "SHA256:old".into(),
        serial: "01".into(),
    }
}

/// A model's message after `msg`, the model in `lang`, its glyphs ASCII when `ascii`: the
/// model sets the voice itself (this thread stays English).
fn said_after(start: fn() -> Model, lang: Lang, ascii: bool, msg: Msg) -> Model {
    let mut m = start().with_lang(lang);
    if ascii {
        m = m.with_caps(Caps {
            glyphs: Glyphs::Ascii,
            ..Caps::default()
        });
    }
    speak_as(EN);
    update(&mut m, msg);
    m
}

fn flash(m: &Model) -> String {
    m.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default()
}

#[test]
fn a_finished_step_speaks_the_models_language() {
    let added = || {
        Msg::Finished(Ok(Finished::Changed(
            Made::Keys(KeysDone::KeyAdded {
                user: "tancopy".into(),
                fingerprint: "SHA256:abc".into(),
            }),
            Box::new(snapshot(Role::TaniumServer, true, Platform::DEFAULT)),
        )))
    };
    let en = flash(&said_after(tanium_server, Lang::En, false, added()));
    assert_eq!(en, "Key SHA256:abc added to tancopy's authorized keys.");
    let fr = flash(&said_after(tanium_server, Lang::Fr, false, added()));
    assert_eq!(fr, "Clé SHA256:abc ajoutée aux clés autorisées de tancopy.");
    let plain = flash(&said_after(tanium_server, Lang::Fr, true, added()));
    assert_eq!(
        plain,
        "Cle SHA256:abc ajoutee aux cles autorisees de tancopy."
    );

    let installed = || {
        Msg::Finished(Ok(Finished::Changed(
            Made::Tls(TlsDone::Installed(summary())),
            Box::new(snapshot(Role::ZoneServer, false, Platform::DEFAULT)),
        )))
    };
    let en = flash(&said_after(zone_server, Lang::En, false, installed()));
    assert_eq!(
        en,
        "Certificate installed: CN=zs01.example, valid until 2027-01-01."
    );
    let fr = flash(&said_after(zone_server, Lang::Fr, false, installed()));
    assert_eq!(
        fr,
        "Certificat installé : CN=zs01.example, valide jusqu'au 2027-01-01."
    );
}

#[test]
fn views_of_keys_and_certificates() {
    let tree = MenuTree::shipped().expect("menus");
    let here = support::ui::config(Role::ZoneServer, false, Platform::DEFAULT);
    let made = |made: Made| {
        let snap = Box::new(snapshot(Role::ZoneServer, false, Platform::DEFAULT));
        Finished::Changed(made, snap)
            .outcome(&tree, Some(&here))
            .expect("outcome")
    };
    let pair = || {
        made(Made::Keys(KeysDone::KeypairMade {
            user: "tanadmin".into(),
            fingerprint: "SHA256:k".into(),
            public_key: "ssh-ed25519 AAAA".into(),
        }))
    };
    check(
        || pair().view.unwrap().title,
        "tanadmin's public key",
        "Clé publique de tanadmin",
    );
    check(
        || pair().view.unwrap().intro[1].clone(),
        "Add the public key below to tancopy's authorized keys on the other appliance (C › 3 › tancopy › 3 › 2).",
        "aux clés autorisées de tancopy sur l'autre appliance (C › 3 › tancopy › 3 › 2).",
    );
    let csr = || {
        made(Made::Tls(TlsDone::CsrWritten {
            files: vec!["zoneserver/reporting.csr".into()],
            key_fingerprint: "SHA256:k".into(),
            csr_pem: "csr".into(),
        }))
    };
    check(
        || csr().message,
        "New key and CSR written.",
        "Nouvelle clé et nouveau CSR écrits.",
    );
    check(
        || csr().view.unwrap().intro[1].clone(),
        "Key fingerprint: SHA256:k",
        "Empreinte de la clé : SHA256:k",
    );
    let issued = || {
        made(Made::Tls(TlsDone::Issued {
            summary: summary(),
            cert_pem: "crt".into(),
            files: vec![
                "zs01.crt".into(),
                "reporting.crt".into(),
                "tanium.pub".into(),
            ],
        }))
    };
    check(
        || issued().view.unwrap().intro[1].clone(),
        "Valid until 2027-01-01 UTC; written to /outgoing/zs01.crt and /outgoing/reporting.crt",
        "écrit dans /outgoing/zs01.crt et /outgoing/reporting.crt",
    );
    let unreadable = || {
        Finished::Unreadable {
            what: "zoneserver/reporting.csr".into(),
            error: "gone".into(),
        }
        .outcome(&tree, Some(&here))
        .unwrap_err()
    };
    check(
        unreadable,
        "Cannot read zoneserver/reporting.csr: gone",
        "Impossible de lire zoneserver/reporting.csr : gone",
    );
}

#[test]
fn the_request_list_and_batches() {
    check(
        || outcome::request_row(&request("zs01.csr", RequestState::Pending(info()))).1,
        "pending   CN=zs01.example  ECDSA P-256",
        "en attente  CN=zs01.example",
    );
    let rows = [
        request("a.csr", RequestState::Pending(info())),
        request("b.csr", RequestState::Refused("not a CSR".into())),
    ];
    check(
        || outcome::request_list_intro(&rows).join("\n"),
        "2 request(s) in /incoming, 1 pending; choose one by line number.\nA issues all 1 pending request(s) after one confirmation.",
        "2 demande(s) dans /incoming, dont 1 en attente",
    );
    check(
        || outcome::no_request().join(" "),
        "No .csr file in /incoming. Zone Servers push theirs over SFTP (user tancopy); or go back and paste one.",
        "Aucun fichier .csr dans /incoming.",
    );
    check(
        || outcome::not_a_line("9", 2),
        "'9' is not a line number here (1-2).",
        "« 9 » n'est pas un numéro de ligne valide ici (1-2).",
    );
    check(
        || outcome::batch_busy(3),
        "Issuing 3 certificate(s)…",
        "Émission de 3 certificat(s)…",
    );
    let lines = [
        BatchLine::Issued {
            file: "a.csr".into(),
            summary: summary(),
            written: "/outgoing/zs01.example.crt".into(),
        },
        BatchLine::Skipped {
            file: "b.csr".into(),
            why: Skip::NameTaken(occupant()),
        },
        BatchLine::Refused {
            file: "c.csr".into(),
            why: "not a CSR".into(),
        },
    ];
    check(
        || outcome::batch_report(&lines).0,
        "1 of 3 certificate(s) issued.",
        "1 certificat(s) émis sur 3.",
    );
    check(
        || outcome::batch_report(&lines).1.text,
        "issued    a.csr: CN=zs01.example serial 5a:01, until 2027-01-01 -> /outgoing/zs01.example.crt\n\
         skipped   b.csr: /outgoing/zs01.example.crt holds a certificate of another key (SHA256:old) for this name; issue it alone to replace it\n\
         refused   c.csr: not a CSR",
        "ignorée   b.csr : /outgoing/zs01.example.crt contient un certificat d'une autre clé",
    );
}

#[test]
fn the_ledger_and_the_audit_log() {
    let record: IssuedRecord = serde_json::from_str(
        r#"{"time":"2026-01-01T00:00:00Z","serial":"5a01","subject":"CN=zs01.example",
            "common_name":"zs01.example","not_after":"2027-01-01T00:00:00Z",
            "key_fingerprint":"SHA256:leaf"}"#,
    )
    .unwrap();
    let page = ledger::Page {
        entries: vec![(record.clone(), State::ReissueNeeded)],
        more: false,
        unreadable: 1,
        total: 1,
    };
    check(
        || outcome::ledger_view(0, &page).intro.join("\n"),
        "1 certificate(s) signed with the root key, newest first; 1 to 1 shown.\nWarning: 1 line(s) of tanium/issued.jsonl could not be read and were skipped.",
        "du plus récent au plus ancien ; 1 à 1 affichés.",
    );
    check(
        || outcome::ledger_view(0, &page).text,
        "re-issue needed  zs01.example  until 2027-01-01  serial 5a01  SHA256:leaf",
        "à réémettre      zs01.example  jusqu'au 2027-01-01  série 5a01",
    );
    check(
        || outcome::ledger_view(0, &page).title,
        "Issued certificates",
        "Certificats émis",
    );
    check(
        || outcome::audit_view(0, Vec::new(), false).text,
        "No change recorded yet.",
        "Aucune modification enregistrée pour l'instant.",
    );
    check(
        || outcome::expiring_header(2).unwrap(),
        "2 issued cert(s) expire within 30 days ",
        "2 cert(s) émis expire(nt) d'ici 30 jours ",
    );
}

#[test]
fn push_and_pull() {
    let pulled = Pulled {
        taken: "zs01.example.crt".into(),
        passed: vec![
            ("a.crt".into(), Passed::OtherKey("SHA256:x".into())),
            ("b.crt".into(), Passed::Missing),
            ("reporting.crt".into(), Passed::NotNeeded),
        ],
    };
    check(
        || outcome::pulled("tancopy@ts01", &pulled),
        "Downloaded /outgoing/zs01.example.crt from tancopy@ts01 into /incoming/reporting.crt (it is for this Zone Server's key); /outgoing/a.crt is for another key (SHA256:x); /outgoing/reporting.crt is also for this key; the first one was taken; checking it…",
        " ; /outgoing/a.crt correspond à une autre clé (SHA256:x) ;",
    );
    let beside = Pushed {
        remote: "zs01.example-2.csr".into(),
        beside: Some("zs01.example.csr".into()),
    };
    check(
        || outcome::pushed("ts01", &beside, "2 › Z › 2 › 1"),
        "The CSR was pushed to ts01:/incoming/zs01.example-2.csr (/incoming/zs01.example.csr there holds a request of another key: another Zone Server of this name, or this one's earlier key; it was left as it was); issue it there with 2 › Z › 2 › 1.",
        "Le CSR a été envoyé dans ts01:/incoming/zs01.example-2.csr (/incoming/zs01.example.csr y contient",
    );
    let alone = Pushed {
        remote: "zs01.example.csr".into(),
        beside: None,
    };
    check(
        || outcome::pushed("ts01", &alone, "2 › Z › 2 › 1"),
        "The CSR was pushed to ts01:/incoming/zs01.example.csr; issue it there with 2 › Z › 2 › 1.",
        "; émettez-y son certificat avec 2 › Z › 2 › 1.",
    );
}

#[test]
fn root_keys() {
    check(
        || outcome::root_row(&root(RootState::Trusted, &[]), true).join("|"),
        "trusted  SHA256:root|created 2026-03-04, signs 0 valid certificate(s)",
        "confiance  SHA256:root|créée le 2026-03-04",
    );
    check(
        || outcome::root_row(&root(RootState::Signing, &[]), false).join("|"),
        "current  SHA256:root|trusted since 2026-03-04",
        "actuelle  SHA256:root|de confiance depuis le 2026-03-04",
    );
    check(
        || outcome::revoke_warning(&root(RootState::Trusted, &["zs01", "zs02"]), true),
        "Root key SHA256:root leaves tanium-root.crt: certificates it signed are no longer accepted.\nIt still signs 2 valid certificate(s): zs01, zs02. Re-issue them first, or those Zone Servers stop being trusted.",
        "Elle signe encore 2 certificat(s) valide(s) : zs01, zs02.",
    );
    check(
        || outcome::add_root_warning(Platform::V7_4, "2 › Z › 7"),
        "A new root key pair signs from now on: tanium.pvk, tanium.pub, tanium-root.crt and /outgoing/tanium.pub follow it. The current root is kept (tanium/roots/, 0600) and stays trusted until you revoke it.\nAs on 7.4 and later, the server's own TLS key and certificate are re-issued under the new root at once, and every certificate issued under an older root is marked 're-issue needed'.\nThen each Zone Server pulls the new tanium.pub, compares its fingerprint with this list and accepts it; issue their certificates again (2 › Z › 7 lists them).",
        "marqué « à réémettre »",
    );
    let added = Added {
        previous: "SHA256:old".into(),
        signing: "SHA256:new".into(),
        server_cert: summary(),
        reissue_needed: 2,
    };
    check(
        || outcome::root_added(&added),
        "New signing root key SHA256:new (the previous one, SHA256:old, stays trusted). The server's TLS certificate was issued again, valid until 2027-01-01. 2 issued certificate(s) need re-issuing.",
        "Nouvelle clé racine de signature SHA256:new",
    );
    let older = OlderRoot {
        signed_by: "SHA256:old".into(),
        hub_signing: "SHA256:new".into(),
    };
    let renew = [
        "2 › Z › 1".to_string(),
        "2 › Z › 8".into(),
        "2 › Z › 3 › 3".into(),
    ];
    check(
        || outcome::older_root_text(&older, &renew),
        "Certificate signed by root SHA256:old, no longer the Tanium Server's signing key SHA256:new. Renew: 2 › Z › 1, 2 › Z › 8, then 2 › Z › 3 › 3.",
        "Renouvelez : 2 › Z › 1, 2 › Z › 8, puis 2 › Z › 3 › 3.",
    );
    check(
        || outcome::revoke_question(false),
        "Stop trusting it?",
        "Lui retirer la confiance ?",
    );
}

fn failed_probe(failure: Failure) -> Report {
    let mut report = Report::new(Check::Probe {
        host: "ts01.example".into(),
        port: 17472,
        name: "ts01.example".into(),
    });
    report.outcome = Err(failure);
    report
}

#[test]
fn the_tls_check() {
    let files = Files::default();
    check(
        || tls_check::failure_text(&Failure::Missing { part: Part::Key }, &files),
        "no private key (the private key)",
        "aucune clé privée (la clé privée)",
    );
    let nameless = Failure::NameMismatch {
        wanted: "ts01.example".into(),
        names: Vec::new(),
    };
    check(
        || tls_check::failure_text(&nameless, &files),
        "the certificate does not name ts01.example; it carries no name at all",
        "le certificat ne nomme pas ts01.example ; il ne porte aucun nom",
    );
    let timed_out = failed_probe(Failure::Connect {
        addr: "192.0.2.1:17472".into(),
        reason: "refused".into(),
    });
    check(
        || tls_check::verdict(&timed_out),
        "TLS probe of ts01.example:17472 failed: cannot connect to 192.0.2.1:17472: refused.",
        "Échec du sondage TLS de ts01.example:17472 : impossible de se connecter à 192.0.2.1:17472 : refused.",
    );
    let mut passed = Report::new(Check::SelfTest);
    passed.outcome = Ok(());
    passed.negotiated = Some(Negotiated {
        version: "TLSv1.3".into(),
        suite: "TLS_AES_256_GCM_SHA384".into(),
    });
    check(
        || tls_check::verdict(&passed),
        "TLS self-test passed: TLSv1.3 with TLS_AES_256_GCM_SHA384; the client trusts only the root key.",
        "Autotest TLS réussi : TLSv1.3 avec TLS_AES_256_GCM_SHA384",
    );
    check(
        || tls_check::report_lines(&passed).join("\n"),
        "Check           self-test on 127.0.0.1\n\
         Policy          TLS 1.2 (10 suites of the seed), TLS 1.3 (3 suites)\n\
         Protocol        TLSv1.3\n\
         Suite           TLS_AES_256_GCM_SHA384\n\
         Result          passed",
        "Vérification         autotest sur 127.0.0.1\n",
    );
    let missing_root = failed_probe(Failure::Missing { part: Part::Root });
    let fix = tls_check::next_step(&missing_root, Role::ZoneServer)
        .expect("a fix")
        .1;
    check(
        || {
            tls_check::report_view(&missing_root, Some((fix, "2 › Z › 4")))
                .1
                .intro[1]
                .clone()
        },
        "To fix it, import the Tanium root public key (2 › Z › 4).",
        "Pour y remédier, importez la clé publique racine Tanium (2 › Z › 4).",
    );
    check(
        tls_check::probe_title,
        "Probe a peer's TLS service",
        "Sonder le service TLS d'un pair",
    );
}

#[test]
fn the_sessions_end_crashes_and_cancels() {
    check(
        || Ended::IdleTimeout { secs: 900 }.to_string(),
        "Logged out after 900 seconds without a key press (IdleTimeoutSeconds).",
        "Déconnexion après 900 secondes",
    );
    check(
        || outcome::console_panicked("boom", None),
        "tanos-menu stopped on an internal error: boom\nThe terminal was restored and no change was left half-written. Details: nowhere (the log could not be written)",
        "Détails : nulle part (le journal n'a pas pu être écrit)",
    );
    check(
        || outcome::abandoned(Some(Abandon::Transfer)),
        "Cancelled: the transfer is abandoned; no half-written file is left.",
        "Annulé : le transfert est abandonné",
    );
    check(
        || tanos_menu::model::audit_failure_text("disk full"),
        "AUDIT LOG NOT WRITTEN: the change was made but its line in log/audit.jsonl could not be written (disk full). Fix log/audit.jsonl; this warning stays until an audit line is written.",
        "JOURNAL D'AUDIT NON ÉCRIT : la modification a été faite",
    );
}

/// The executor answers in its thread's voice (the worker speaks as the console).
#[test]
fn the_executors_words() {
    let copied = || match tanos_menu::executor::run_effect(Path::new("/"), Effect::Copy("x".into()))
    {
        Msg::Copied(text) => text,
        other => panic!("{other:?}"),
    };
    check(
        copied,
        "The clipboard is reached through the terminal only.",
        "Le presse-papiers n'est accessible que par le terminal.",
    );
}
