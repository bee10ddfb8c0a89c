//! Issue 11, root key management on the Tanium Server, judged from outside: after a new root
//! key is added (`tanos-menu root-key add --yes`, and `2 › K › A` in the console) OpenSSL
//! accepts the server's new TLS certificate and what is issued afterwards under
//! `tanium/tanium-root.crt`, still accepts what the earlier root signed until that root is
//! revoked, and refuses it once it is; the root key pair, `tanium.pub`, the bundle's first
//! certificate and `/outgoing/tanium.pub` are one key; the ledger marks what the earlier
//! root signed "re-issue needed"; `rotate-due` rotates the server's own pair when it is due.

mod support;

use std::path::{Path, PathBuf};

use support::fleet::{act, checked, cli, confirm, field, flash, issued_json, new_csr};
use support::fs::{bytes, path_str, read};
use support::roots;
use support::tools::openssl;
use support::tree::{assert_unchanged, tree_abs};
use support::ui::render;
use tanos_menu::appliance::{Appliance, Platform, Role, issuance};
use tanos_menu::model::{Model, Screen};
use tanos_menu::pki::certificate_blocks;
use time::{Duration, OffsetDateTime};

const HUB: &str = "ts01.example";

/// A Tanium Server with the Zone Server Hub add-on at `dir/name`, made at `now`.
fn hub(dir: &Path, name: &str, platform: Platform, now: OffsetDateTime) -> Appliance {
    let opts = roots::options(Role::TaniumServer, HUB, platform, true);
    roots::appliance(&dir.join(name), &opts, now)
}

/// `tanos-menu <args> --root <root>`: exit code, stdout, stderr.
fn tanos(root: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = args.to_vec();
    all.extend(["--root", path_str(root)]);
    cli(&all)
}

/// As `tanos`, failing unless it exits 0; returns stdout.
#[track_caller]
fn tanos_ok(root: &Path, args: &[&str]) -> String {
    let (code, out, err) = tanos(root, args);
    assert_eq!(code, 0, "tanos-menu {args:?} failed:\n{out}\n{err}");
    out
}

/// One line of `root-key list`: (state, fingerprint, "signs N valid" count).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Listed {
    state: String,
    fingerprint: String,
    signs: usize,
}

fn root_keys(root: &Path) -> Vec<Listed> {
    let out = tanos_ok(root, &["root-key", "list"]);
    out.lines()
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let signs = words
                .iter()
                .position(|w| *w == "signs")
                .and_then(|i| words.get(i + 1))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no 'signs N' in {line:?}"));
            Listed {
                state: words[0].to_string(),
                fingerprint: words[1].to_string(),
                signs,
            }
        })
        .collect()
}

fn signing_of(list: &[Listed]) -> String {
    let signing: Vec<&Listed> = list.iter().filter(|l| l.state == "signing").collect();
    assert_eq!(signing.len(), 1, "one signing root: {list:#?}");
    signing[0].fingerprint.clone()
}

/// What OpenSSL prints; fails unless it succeeds.
#[track_caller]
fn openssl_ok(args: &[&str]) -> String {
    let (ok, out) = openssl(args);
    assert!(ok, "openssl {args:?} failed:\n{out}");
    out
}

/// The public key of a private key, of a public key and of a certificate, as OpenSSL writes
/// them (one PEM form, so they compare as text).
fn pub_of_private(path: &Path) -> String {
    openssl_ok(&["pkey", "-in", path_str(path), "-pubout"])
}

fn pub_of_public(path: &Path) -> String {
    openssl_ok(&["pkey", "-pubin", "-in", path_str(path), "-pubout"])
}

fn pub_of_cert(path: &Path) -> String {
    openssl_ok(&["x509", "-in", path_str(path), "-noout", "-pubkey"])
}

/// `openssl verify -CAfile <ca> <cert>`: whether it accepts, and what it said.
fn verify(ca: &Path, cert: &Path) -> (bool, String) {
    let (ok, out) = openssl(&["verify", "-CAfile", path_str(ca), path_str(cert)]);
    (ok && out.contains(&format!("{}: OK", cert.display())), out)
}

#[track_caller]
fn assert_accepts(ca: &Path, cert: &Path) {
    let (ok, out) = verify(ca, cert);
    assert!(ok, "openssl verify -CAfile {ca:?} refused {cert:?}:\n{out}");
}

#[track_caller]
fn assert_refuses(ca: &Path, cert: &Path) {
    let (ok, out) = verify(ca, cert);
    assert!(
        !ok,
        "openssl verify -CAfile {ca:?} accepted {cert:?}:\n{out}"
    );
}

/// The certificates of the bundle `tanium/tanium-root.crt`.
fn bundle(app: &Appliance) -> Vec<String> {
    certificate_blocks(&read(&app.path("tanium/tanium-root.crt"))).expect("the bundle is PEM")
}

/// Writes `text` to `dir/name` and returns the path.
fn put(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

/// A certificate for a new key of `common_name`, issued by the hub's library as `2 › Z › 2`
/// issues it, at `now`; written to `dir/<file>`.
fn issue(app: &Appliance, dir: &Path, common_name: &str, file: &str) -> PathBuf {
    let now = OffsetDateTime::now_utc();
    let issued = issuance::issue_from_csr(app, &checked(&new_csr(common_name)), 365, now)
        .unwrap_or_else(|e| panic!("issue {common_name}: {e}"));
    put(dir, file, &issued.cert_pem)
}

/// The hub's files that a root change is about, as they are now.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pair {
    root_pub: String,
    /// The signing root's certificate (the bundle's first).
    root_cert: String,
    server_key: Vec<u8>,
    server_cert: Vec<u8>,
}

fn pair(app: &Appliance) -> Pair {
    Pair {
        root_pub: pub_of_public(&app.path("tanium/tanium.pub")),
        root_cert: bundle(app)[0].clone(),
        server_key: bytes(&app.path("tanium/reporting.pvk")),
        server_cert: bytes(&app.path("tanium/reporting.crt")),
    }
}

/// What must hold after a root was added, judged by OpenSSL: `tanium.pvk`, `tanium.pub`, the
/// bundle's first certificate and `/outgoing/tanium.pub` are one new key; the server's own
/// key and certificate are new, belong together, and chain to the new root (alone, and in
/// the bundle), not to the one before.
#[track_caller]
fn assert_rotated(app: &Appliance, before: &Pair, scratch: &Path, what: &str) {
    let blocks = bundle(app);
    let first = put(scratch, "signing-root.crt", &blocks[0]);
    let private = pub_of_private(&app.path("tanium/tanium.pvk"));
    assert_eq!(
        private,
        pub_of_public(&app.path("tanium/tanium.pub")),
        "{what}: tanium.pvk and tanium.pub are one key"
    );
    assert_eq!(
        private,
        pub_of_cert(&first),
        "{what}: the bundle's first certificate is tanium.pvk's"
    );
    assert_ne!(private, before.root_pub, "{what}: a new root key");
    assert_eq!(
        bytes(&app.path("transfer/outgoing/tanium.pub")),
        bytes(&app.path("tanium/tanium.pub")),
        "{what}: /outgoing/tanium.pub carries the new root"
    );
    let now = pair(app);
    assert_ne!(
        now.server_key, before.server_key,
        "{what}: a new reporting.pvk"
    );
    assert_ne!(
        now.server_cert, before.server_cert,
        "{what}: a new reporting.crt"
    );
    let cert = app.path("tanium/reporting.crt");
    assert_eq!(
        pub_of_cert(&cert),
        pub_of_private(&app.path("tanium/reporting.pvk")),
        "{what}: reporting.crt is for reporting.pvk"
    );
    assert_accepts(&app.path("tanium/tanium-root.crt"), &cert);
    assert_accepts(&first, &cert);
    let old_root = put(scratch, "before-root.crt", &before.root_cert);
    assert_refuses(&old_root, &cert);
}

/// Root key management through the command line, OpenSSL the judge: add, issue, revoke.
#[test]
fn cli_rotation_trusts_the_new_root_keeps_the_old_until_revoked() {
    let dir = roots::scratch("root_rotation", "cli-");
    let work = dir.path();
    let app = hub(work, "hub", Platform::V7_3, OffsetDateTime::now_utc());
    let ca = app.path("tanium/tanium-root.crt");

    // Root 1 signs a Zone Server's certificate; the server's own pair is kept to compare.
    let before_old = issue(&app, work, "zs01.example", "zs01-root1.crt");
    let old_server = put(
        work,
        "server-root1.crt",
        &read(&app.path("tanium/reporting.crt")),
    );
    let before = pair(&app);
    let listed = root_keys(&app.root);
    assert_eq!(listed.len(), 1, "{listed:#?}");
    let root1 = signing_of(&listed);
    assert_eq!(listed[0].signs, 1, "root 1 signs zs01: {listed:#?}");
    let bundle1 = bytes(&ca);

    // Add root 2.
    let out = tanos_ok(&app.root, &["root-key", "add", "--yes"]);
    assert!(out.contains("New signing root key"), "{out}");
    assert!(
        out.contains("1 issued certificate(s) need re-issuing"),
        "{out}"
    );
    assert_rotated(&app, &before, work, "root-key add");
    let listed = root_keys(&app.root);
    let root2 = signing_of(&listed);
    assert_ne!(root1, root2);
    assert!(out.contains(&root2) && out.contains(&root1), "{out}");
    assert_eq!(bundle(&app).len(), 2, "the bundle holds both roots");
    let trusted: Vec<&Listed> = listed.iter().filter(|l| l.state == "trusted").collect();
    assert_eq!(trusted.len(), 1, "{listed:#?}");
    assert_eq!(trusted[0].fingerprint, root1);
    assert_eq!(trusted[0].signs, 1, "root 1 still signs zs01: {listed:#?}");

    // What root 1 signed is still accepted; what is issued now is signed by root 2.
    assert_accepts(&ca, &before_old);
    assert_accepts(&ca, &old_server);
    let after = issue(&app, work, "zs02.example", "zs02-root2.crt");
    assert_accepts(&ca, &after);
    let only_root2 = put(work, "root2-only.crt", &bundle(&app)[0]);
    assert_accepts(&only_root2, &after);
    assert_refuses(&only_root2, &before_old);

    // The ledger: zs01 (root 1) needs re-issuing, zs02 (root 2) is valid; the list counts.
    let (records, _) = issued_json(&app.root);
    let state_of = |cn: &str| {
        let r = records
            .iter()
            .find(|r| field(r, "common_name") == cn)
            .unwrap_or_else(|| panic!("{cn} in the ledger: {records:#?}"));
        (
            field(r, "state").to_string(),
            field(r, "root_fingerprint").to_string(),
        )
    };
    assert_eq!(
        state_of("zs01.example"),
        ("re-issue needed".into(), root1.clone())
    );
    assert_eq!(state_of("zs02.example"), ("valid".into(), root2.clone()));
    let listed = root_keys(&app.root);
    let count = |fp: &str| listed.iter().find(|l| l.fingerprint == fp).map(|l| l.signs);
    assert_eq!(count(&root1), Some(1), "{listed:#?}");
    assert_eq!(count(&root2), Some(1), "{listed:#?}");

    // Revoking the signing root is refused with its message and changes nothing.
    let snapshot = tree_abs(&app.root);
    let (code, out, err) = tanos(&app.root, &["root-key", "revoke", &root2, "--yes"]);
    assert_eq!(code, 2, "refused:\n{out}\n{err}");
    assert!(
        err.contains("the signing root key cannot be revoked"),
        "{out}\n{err}"
    );
    assert_unchanged(&app.root, &snapshot, "revoking the signing root");
    // An unknown fingerprint too.
    let (code, _, err) = tanos(
        &app.root,
        &["root-key", "revoke", "SHA256:nosuchkey", "--yes"],
    );
    assert_eq!(code, 2, "{err}");
    assert_unchanged(&app.root, &snapshot, "revoking an unknown root");
    // Without --yes: what it still signs, and nothing changed.
    let (code, _, err) = tanos(&app.root, &["root-key", "revoke", &root1]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("zs01.example"), "what it still signs: {err}");
    assert_unchanged(&app.root, &snapshot, "revoke without --yes");

    // Revoke root 1: the bundle changes and what it signed is refused from then on.
    let out = tanos_ok(&app.root, &["root-key", "revoke", &root1, "--yes"]);
    assert!(out.contains(&root1), "{out}");
    assert_ne!(bytes(&ca), bundle1);
    assert_eq!(bundle(&app).len(), 1, "only root 2 is left in the bundle");
    assert_refuses(&ca, &before_old);
    assert_refuses(&ca, &old_server);
    assert_accepts(&ca, &after);
    assert_accepts(&ca, &app.path("tanium/reporting.crt"));
    assert_eq!(
        bytes(&app.path("transfer/outgoing/tanium.pub")),
        bytes(&app.path("tanium/tanium.pub")),
        "/outgoing/tanium.pub carries the current root"
    );
    let listed = root_keys(&app.root);
    let states: Vec<(String, String)> = listed
        .iter()
        .map(|l| (l.state.clone(), l.fingerprint.clone()))
        .collect();
    assert_eq!(
        states,
        vec![
            ("signing".to_string(), root2.clone()),
            ("revoked".to_string(), root1.clone())
        ]
    );
    // Revoked twice: refused.
    let snapshot = tree_abs(&app.root);
    let (code, _, err) = tanos(&app.root, &["root-key", "revoke", &root1, "--yes"]);
    assert_eq!(code, 2, "{err}");
    assert_unchanged(&app.root, &snapshot, "revoking a revoked root");

    // A third root: the bundle holds roots 3 and 2, never the revoked 1.
    let before = pair(&app);
    tanos_ok(&app.root, &["root-key", "add", "--yes"]);
    assert_rotated(&app, &before, work, "a second root-key add");
    assert_eq!(bundle(&app).len(), 2);
    assert_accepts(&ca, &after);
    assert_refuses(&ca, &before_old);
    let listed = root_keys(&app.root);
    assert_eq!(listed.len(), 3, "{listed:#?}");
    assert_eq!(listed[1].state, "trusted");
    assert_eq!(listed[1].fingerprint, root2);
    assert_eq!(listed[2].state, "revoked");
}

/// The console (2 › K): `A` and `y` add a root on 7.2, 7.3 and 7.4, the confirmation saying
/// what the platform does; the server's pair is new each time; a line number revokes an
/// earlier root after a confirmation listing what it still signs; the signing one is refused.
#[test]
fn console_adds_a_root_on_every_platform_and_revokes_the_earlier_one() {
    let dir = roots::scratch("root_rotation", "console-");
    for (platform, name, says) in [
        (Platform::V7_2, "hub72", "7.2/7.3"),
        (Platform::V7_3, "hub73", "7.2/7.3"),
        (Platform::V7_4, "hub74", "7.4 and later"),
    ] {
        let work = dir.path().join(name);
        std::fs::create_dir(&work).expect("work dir");
        let app = hub(
            dir.path(),
            &format!("{name}-root"),
            platform,
            OffsetDateTime::now_utc(),
        );
        let root = app.root.clone();
        let signed = issue(&app, &work, "zs09.example", "zs09.crt");
        let before = pair(&app);
        let root1 = signing_of(&root_keys(&root));

        let mut m: Model = support::console::model(&root);
        m.size = (80, 24);
        act(&mut m, &root, "2\nK\n");
        match m.screen() {
            Screen::Roots(list) => {
                let rows = list.rows.as_ref().expect("listed");
                assert_eq!(rows.len(), 1, "{name}");
                assert_eq!(rows[0].entry.fingerprint, root1);
            }
            other => panic!("{name}: expected the root keys, found {other:?}"),
        }
        act(&mut m, &root, "A\n");
        let question = confirm(&m);
        assert!(
            question.warning.contains(says),
            "{name}: the confirmation says what {says} does: {}",
            question.warning
        );
        let unchanged = tree_abs(&root);
        act(&mut m, &root, "n\n");
        assert_unchanged(&root, &unchanged, "declining the new root");
        act(&mut m, &root, "A\ny\n");
        assert!(
            flash(&m).contains("New signing root key"),
            "{name}: {}\n{}",
            flash(&m),
            render(&m)
        );
        assert_rotated(&app, &before, &work, name);
        let listed = root_keys(&root);
        let root2 = signing_of(&listed);
        assert_ne!(root1, root2);
        assert_accepts(&app.path("tanium/tanium-root.crt"), &signed);

        // The list again (2 › K): line 1 is the signing root and cannot be revoked.
        act(&mut m, &root, "RR\n2\nK\n");
        let snapshot = tree_abs(&root);
        act(&mut m, &root, "1\n");
        assert!(
            flash(&m).contains("cannot be revoked"),
            "{name}: {}",
            flash(&m)
        );
        assert_unchanged(&root, &snapshot, "choosing the signing root");
        // Line 2, root 1: the confirmation names what it still signs.
        act(&mut m, &root, "2\n");
        let question = confirm(&m);
        assert!(
            question.warning.contains(&root1) && question.warning.contains("zs09.example"),
            "{name}: {}",
            question.warning
        );
        act(&mut m, &root, "y\n");
        assert!(flash(&m).contains("revoked"), "{name}: {}", flash(&m));
        assert_refuses(&app.path("tanium/tanium-root.crt"), &signed);
        assert_eq!(bundle(&app).len(), 1);

        // 7.4: Tanium Status tells when the server's own key is rotated next.
        act(&mut m, &root, "RR\n1\n");
        let screen = render(&m);
        assert_eq!(
            screen.contains("Next TLS key rotation"),
            platform == Platform::V7_4,
            "{name}:\n{screen}"
        );
    }
}

/// `rotate-due`: nothing on a fresh 7.4 hub (exit 0, "nothing due"), nor on 7.3; on a hub
/// whose certificate is older than ReportingTLSKeyRotationDays, a new pair (exit 0), and
/// then nothing again.
#[test]
fn rotate_due_rotates_only_what_is_due() {
    let dir = roots::scratch("root_rotation", "rotate-due-");
    let now = OffsetDateTime::now_utc();

    let fresh = hub(dir.path(), "fresh74", Platform::V7_4, now);
    let snapshot = tree_abs(&fresh.root);
    let out = tanos_ok(&fresh.root, &["rotate-due"]);
    assert!(out.contains("nothing due (next rotation"), "{out}");
    let year = (now + Duration::days(365)).year().to_string();
    assert!(out.contains(&year), "due in a year: {out}");
    assert_unchanged(&fresh.root, &snapshot, "rotate-due with nothing due");

    let old73 = hub(
        dir.path(),
        "old73",
        Platform::V7_3,
        now - Duration::days(10),
    );
    let out = tanos_ok(&old73.root, &["rotate-due"]);
    assert!(out.contains("nothing due (no rotation schedule"), "{out}");

    // Made ten days ago: its certificate's notBefore is ten days back.
    let old = hub(
        dir.path(),
        "old74",
        Platform::V7_4,
        now - Duration::days(10),
    );
    let out = tanos_ok(&old.root, &["rotate-due"]);
    assert!(out.contains("nothing due"), "365 days by default: {out}");
    tanos_ok(
        &old.root,
        &[
            "config",
            "set",
            "ReportingTLSKeyRotationDays",
            "5",
            "--component",
            "tanium-server",
            "--yes",
        ],
    );
    let got = tanos_ok(
        &old.root,
        &[
            "config",
            "get",
            "ReportingTLSKeyRotationDays",
            "--component",
            "tanium-server",
        ],
    );
    assert!(got.contains('5'), "{got}");
    let before = pair(&old);
    let out = tanos_ok(&old.root, &["rotate-due"]);
    assert!(out.starts_with("rotated"), "{out}");
    let after = pair(&old);
    assert_eq!(after.root_pub, before.root_pub, "the root is not changed");
    assert_ne!(after.server_key, before.server_key, "a new reporting.pvk");
    assert_ne!(after.server_cert, before.server_cert, "a new reporting.crt");
    let cert = old.path("tanium/reporting.crt");
    assert_eq!(
        pub_of_cert(&cert),
        pub_of_private(&old.path("tanium/reporting.pvk"))
    );
    assert_accepts(&old.path("tanium/tanium-root.crt"), &cert);
    let out = tanos_ok(&old.root, &["rotate-due"]);
    assert!(out.contains("nothing due (next rotation"), "{out}");
    assert_eq!(pair(&old), after, "nothing rotated twice");
}
