//! Issue 12: the domain modules' refusals (keys, requests, certificates, names, authorized
//! keys, SFTP, the TLS check's reasons, syslog forwarding, bounded reads, hostnames, the
//! clipboard) speak in the voice of the thread that says them: each sample is said on a
//! thread of its own in English (exactly as before), in French, and in French written in
//! ASCII (the same text without its accents).

mod support;

use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};
use support::voice::{ENGLISH, FRENCH, FRENCH_ASCII, said_in};

use tanos_menu::pki::csr::{CsrRequest, check_csr, generate_csr};
use tanos_menu::pki::issue::{LeafRequest, issue_limit_pem, parse_validity_days, sign_leaf};
use tanos_menu::pki::names::{check_common_name, check_dns_name};
use tanos_menu::pki::verify::{certificate_der, check_certificate};
use tanos_menu::pki::{KeyType, RootCa, TrustedKey, to_pem};
use tanos_menu::sshkeys::authorized::{self, parse_line, parse_pasted};
use tanos_menu::syslog::{Collector, SendError, Stage as SendStage, Transport, send_collector};
use tanos_menu::text::{LETTERS, plain_letters};
use tanos_menu::tlscheck::Stage;
use tanos_menu::transfer::sftp::{ClientKeys, Peer, TransferError, download};
use time::OffsetDateTime;

/// One sample as each voice says it.
struct Said {
    en: String,
    fr: String,
    ascii: String,
}

/// `make` said in English, French and French ASCII; the French is not the English, and its
/// ASCII form is the same text with the accents taken off.
fn said(make: &(dyn Fn() -> String + Sync)) -> Said {
    let s = Said {
        en: said_in(ENGLISH, make),
        fr: said_in(FRENCH, make),
        ascii: said_in(FRENCH_ASCII, make),
    };
    assert_ne!(s.fr, s.en, "not translated: {}", s.en);
    assert_eq!(s.ascii, plain_letters(&s.fr), "{}", s.fr);
    assert!(
        !s.ascii
            .chars()
            .any(|c| LETTERS.iter().any(|(l, _)| *l == c)),
        "accents in ASCII: {}",
        s.ascii
    );
    s
}

/// `make` says exactly `english` in English, and `french` (a part of it) in French.
fn says(make: &(dyn Fn() -> String + Sync), english: &str, french: &str) -> Said {
    let s = said(make);
    assert_eq!(s.en, english);
    assert!(s.fr.contains(french), "{french:?} not in {:?}", s.fr);
    s
}

fn err<T, E: std::fmt::Display>(result: Result<T, E>) -> String {
    match result {
        Ok(_) => panic!("refused"),
        Err(e) => e.to_string(),
    }
}

fn request() -> CsrRequest {
    CsrRequest {
        common_name: "zs01.example".into(),
        dns_names: Vec::new(),
        ips: Vec::new(),
        key_type: KeyType::EcdsaP256,
    }
}

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).expect("a date")
}

/// 2000-01-01 and 2030-01-01, 00:00 UTC.
const Y2000: i64 = 946_684_800;
const Y2030: i64 = 1_893_456_000;

#[test]
fn refused_requests_in_french() {
    says(
        &|| err(check_csr("")),
        "the text is empty",
        "le texte est vide",
    );
    let private = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
    says(
        &|| err(check_csr(private)),
        "this is a EC PRIVATE KEY: a private key must never leave its appliance; nothing was stored",
        "c'est un bloc EC PRIVATE KEY : une clé privée ne doit jamais quitter son appliance",
    );
    // The last byte of the signature changed: the request still reads, its signature not.
    let csr = generate_csr(&request()).expect("a CSR");
    let mut der = pem::parse(&csr.csr_pem).expect("PEM").contents().to_vec();
    *der.last_mut().expect("bytes") ^= 1;
    let altered = to_pem("CERTIFICATE REQUEST", &der);
    let s = says(
        &|| err(check_csr(&altered)),
        "the request's signature does not verify: it was altered or not signed by its own key",
        "la signature de la demande n'est pas valide",
    );
    assert!(s.ascii.contains("cle"), "{}", s.ascii);
}

#[test]
fn refused_keys_and_names_of_requests_in_french() {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).expect("Ed25519");
    let params = rcgen::CertificateParams::new(vec!["zs01.example".to_string()]).expect("names");
    let ed25519 = params
        .serialize_request(&key)
        .expect("CSR")
        .pem()
        .expect("PEM");
    says(
        &|| err(check_csr(&ed25519)),
        "Ed25519 keys are not allowed: use ECDSA P-256, ECDSA P-384 or RSA of 2048 to 8192 bits",
        "les clés de type Ed25519 ne sont pas acceptées",
    );
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("P-256");
    let mut params = rcgen::CertificateParams::new(vec!["zs01.example".to_string()]).expect("n");
    params.subject_alt_names.push(rcgen::SanType::Rfc822Name(
        "ops@example.com"
            .to_string()
            .try_into()
            .expect("an address"),
    ));
    let email = params
        .serialize_request(&key)
        .expect("CSR")
        .pem()
        .expect("PEM");
    says(
        &|| err(check_csr(&email)),
        "invalid name in the request: unsupported subject alternative name (an e-mail address): only DNS names and IP addresses are signed",
        "nom non valide dans la demande : nom alternatif du sujet non pris en charge (une adresse e-mail) : seuls les noms DNS",
    );
    says(
        &|| err(check_dns_name("10.0.0.1")),
        "DNS name '10.0.0.1': an IP address is not a DNS name: list it among the IP addresses",
        "nom DNS « 10.0.0.1 » : une adresse IP n'est pas un nom DNS",
    );
    says(
        &|| err(check_common_name("a*.example.com")),
        "the common name 'a*.example.com': a wildcard must be the whole leftmost label ('*.example.com', not 'a*.example.com')",
        "le nom commun « a*.example.com » : un caractère générique doit former toute la première étiquette",
    );
}

#[test]
fn refused_certificates_in_french() {
    let now = OffsetDateTime::now_utc();
    let (signer, trusted) = (
        RootCa::generate("ts01", now).expect("a root"),
        RootCa::generate("ts02", now).expect("another root"),
    );
    let new = generate_csr(&request()).expect("a CSR");
    let checked = check_csr(&new.csr_pem).expect("its own CSR");
    let key = rcgen::KeyPair::from_pem(&new.key_pem).expect("its key");
    let leaf = LeafRequest {
        common_name: checked.common_name.clone(),
        dns_names: checked.dns_names.clone(),
        ips: Vec::new(),
        days: 365,
        rsa: false,
    };
    let cert = sign_leaf(&leaf, &key, &signer.key_pem, &signer.cert_pem, now).expect("signed");
    let root = TrustedKey::from_pem(trusted.public_pem.as_bytes()).expect("a root key");
    says(
        &|| {
            err(check_certificate(
                &cert,
                &checked.spki_der,
                &root.spki_der,
                now,
            ))
        },
        &format!(
            "the certificate was not signed by the trusted Tanium root key ({})",
            root.fingerprint
        ),
        "le certificat n'a pas été signé par la clé racine Tanium de confiance (SHA256:",
    );
    says(
        &|| err(certificate_der(&new.csr_pem)),
        "expected a CERTIFICATE, found a CERTIFICATE REQUEST",
        "bloc CERTIFICATE attendu, bloc CERTIFICATE REQUEST trouvé",
    );
    let too_long = LeafRequest { days: 0, ..leaf };
    says(
        &|| {
            err(sign_leaf(
                &too_long,
                &key,
                &signer.key_pem,
                &signer.cert_pem,
                now,
            ))
        },
        "a validity of 0 days is out of range: 1 to 7305 days",
        "une validité de 0 jours est hors limites : de 1 à 7305 jours",
    );
}

#[test]
fn refusals_under_a_root_in_french() {
    let old = RootCa::generate("ts01", at(Y2000)).expect("a root of 2000");
    says(
        &|| err(issue_limit_pem(&old.cert_pem, at(Y2030))),
        "the root certificate (tanium-root.crt) expired on 2020-01-01: nothing can be issued under it",
        "le certificat racine (tanium-root.crt) a expiré le 2020-01-01",
    );
    let s = said(&|| err(issue_limit_pem("not a certificate", at(Y2030))));
    assert!(
        s.en.starts_with("the root certificate (tanium-root.crt) could not be parsed: "),
        "{}",
        s.en
    );
    assert!(
        s.fr.starts_with("impossible de lire le certificat racine (tanium-root.crt) : "),
        "{}",
        s.fr
    );
    says(
        &|| err(TrustedKey::from_pem(old.key_pem.as_bytes())),
        "expected a PUBLIC KEY PEM block, found 'a private key (never share it)'",
        "bloc PEM PUBLIC KEY attendu, « une clé privée (ne la partagez jamais) » trouvé",
    );
    says(
        &|| err(parse_validity_days("soon", 3650)),
        "not a number of days from 1 to 3650",
        "ce n'est pas un nombre de jours de 1 à 3650",
    );
}

#[test]
fn refused_authorized_keys_in_french() {
    says(
        &|| err(parse_pasted("ssh-dss AAAAB3NzaC1kc3M= old")),
        "DSA keys are refused: OpenSSH no longer accepts them; use ed25519, ECDSA or RSA of 2048 bits or more",
        "les clés DSA sont refusées : OpenSSH ne les accepte plus",
    );
    says(
        &|| err(parse_pasted("-----BEGIN OPENSSH PRIVATE KEY-----")),
        "this is a private key: it was discarded, not stored; paste the public key (the .pub file)",
        "c'est une clé privée : elle a été écartée sans être enregistrée",
    );
    let key =
        ssh_key::PrivateKey::random(&mut ssh_key::rand_core::OsRng, ssh_key::Algorithm::Ed25519)
            .expect("a key");
    let line = key.public_key().to_openssh().expect("a line");
    says(
        &|| err(parse_line(&format!("{line} ops\x1b[2J"))),
        "not an OpenSSH public key: control characters in the comment",
        "ce n'est pas une clé publique OpenSSH : caractères de contrôle dans le commentaire",
    );
    let dir = tempfile::tempdir().expect("a directory");
    let file = dir.path().join("authorized_keys");
    let pasted = parse_pasted(&line).expect("a public key");
    authorized::add(&file, pasted.clone()).expect("added once");
    let before = std::fs::read(&file).expect("the file");
    says(
        &|| err(authorized::add(&file, pasted.clone())),
        &format!(
            "this key is already authorized (line 1, {}); nothing was changed",
            pasted.fingerprint()
        ),
        "cette clé est déjà autorisée (ligne 1, SHA256:",
    );
    says(
        &|| err(authorized::remove(&file, 5)),
        "there is no line 5",
        "il n'y a pas de ligne 5",
    );
    assert_eq!(std::fs::read(&file).expect("the file"), before);
}

#[test]
fn transfer_refusals_in_french() {
    let dir = tempfile::tempdir().expect("a directory");
    let peer = Peer {
        host: "127.0.0.1".into(),
        port: 22,
        user: "tancopy".into(),
    };
    let keys = ClientKeys::in_dir(dir.path());
    says(
        &|| {
            let cancel = AtomicBool::new(false);
            err(download(
                &peer,
                &keys,
                "outgoing/reporting.crt",
                1,
                None,
                &cancel,
            ))
        },
        "tanadmin has no key pair here: generate it first",
        "tanadmin n'a pas de paire de clés ici : générez-la d'abord",
    );
    let changed = TransferError::HostKeyChanged {
        host: "ts01".into(),
        fingerprint: "SHA256:abc".into(),
    };
    let s = says(
        &|| changed.to_string(),
        "WARNING: THE HOST KEY OF ts01 HAS CHANGED. It now presents SHA256:abc, not the key recorded in tanadmin's known_hosts. Someone may be intercepting the connection. Nothing was transferred. If the change is expected, remove the old entry from tanadmin's known hosts and connect again.",
        "ATTENTION : LA CLÉ D'HÔTE DE ts01 A CHANGÉ.",
    );
    assert!(
        s.ascii
            .starts_with("ATTENTION : LA CLE D'HOTE DE ts01 A CHANGE.")
    );
}

#[test]
fn what_a_tls_check_waited_for_in_french() {
    says(
        &|| Stage::Resolving.to_string(),
        "resolving the host name",
        "résolution du nom d'hôte",
    );
    says(
        &|| Stage::Handshake.to_string(),
        "the TLS handshake",
        "poignée de main TLS",
    );
}

#[test]
fn syslog_forwarding_failures_in_french() {
    says(
        &|| SendError::TimedOut(SendStage::Connecting).to_string(),
        "no answer within the time allowed (connecting)",
        "aucune réponse dans le délai imparti (connexion)",
    );
    // A collector on this machine, and a CA file that holds no certificate.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("its address").port();
    let collector = Collector {
        host: "127.0.0.1",
        port,
        transport: Transport::Tls,
        ca_pem: Some(b"no certificate here"),
    };
    let s = said(&|| {
        let deadline = Instant::now() + Duration::from_secs(5);
        err(send_collector(&collector, "event", deadline))
    });
    assert!(
        s.en.starts_with("SyslogCAFile holds no usable certificate: "),
        "{}",
        s.en
    );
    assert!(
        s.fr.starts_with("SyslogCAFile ne contient aucun certificat utilisable : "),
        "{}",
        s.fr
    );
}

#[test]
fn bounded_reads_in_french() {
    let dir = tempfile::tempdir().expect("a directory");
    let big = dir.path().join("big.pem");
    std::fs::write(&big, [b'x'; 20]).expect("written");
    says(
        &|| err(tanos_menu::fsutil::read_bytes(&big, 10)),
        "it holds 20 bytes or more; the limit for this file is 10",
        "le fichier contient 20 octets ou plus ; la limite pour ce fichier est de 10 octets",
    );
    says(
        &|| err(tanos_menu::fsutil::read_bytes(dir.path(), 10)),
        "it is a directory, not a regular file",
        "c'est un répertoire, pas un fichier ordinaire",
    );
    let latin1 = dir.path().join("latin1.txt");
    std::fs::File::create(&latin1)
        .and_then(|mut f| f.write_all(b"ab\xe9"))
        .expect("written");
    says(
        &|| err(tanos_menu::fsutil::read_text(&latin1, 10)),
        "it is not UTF-8 text (byte 2 is not)",
        "ce n'est pas du texte UTF-8 (l'octet 2 ne l'est pas)",
    );
}

#[test]
fn invalid_hostnames_in_french() {
    says(
        &|| err(tanos_menu::hostname::validate_hostname("zone_server")),
        "'_' is not allowed in a hostname (letters, digits, '-' and '.' only)",
        "« _ » n'est pas permis dans un nom d'hôte (lettres, chiffres, « - » et « . » seulement)",
    );
    says(
        &|| err(tanos_menu::hostname::validate_hostname("zs01..example")),
        "'zs01..example' has an empty label (two dots, or a dot at an end)",
        "« zs01..example » a une étiquette vide",
    );
}

#[test]
fn clipboard_copies_in_french() {
    // Where the copy went depends on this machine's display; the count is said either way.
    let s = said(&|| tanos_menu::clipboard::copy("one line", &mut Vec::new()));
    assert!(s.en.starts_with("Copied 1 line "), "{}", s.en);
    assert!(s.fr.starts_with("1 ligne copiée"), "{}", s.fr);
    let s = said(&|| tanos_menu::clipboard::copy("two\nlines", &mut Vec::new()));
    assert!(s.en.starts_with("Copied 2 lines"), "{}", s.en);
    assert!(s.fr.starts_with("2 lignes copiées"), "{}", s.fr);
}
