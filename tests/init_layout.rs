//! `appliance::init` (SPEC §5 `init`, §6 root layout): every path and mode of the contract,
//! refusals that change nothing, and the keys and certificates judged by the real OpenSSL and
//! OpenSSH tools.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use tanos_menu::appliance::init::{InitOptions, init};
use tanos_menu::appliance::status::snapshot;
use tanos_menu::appliance::{Appliance, ApplianceConfig, Layout, Platform, Role};

use support::fs::{mode, read};
use support::roots;
use support::tools::run_ok as run;
use support::tree::{Entry, tree};

fn sh(script: &str, cwd: &Path) -> String {
    run("/bin/sh", &["-c", script], cwd)
}

const OPENSSL: &str = "/usr/bin/openssl";
const SSH_KEYGEN: &str = "/usr/bin/ssh-keygen";

// ---------------------------------------------------------------- helpers

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// A fresh directory under target/ to hold one or more appliance roots.
fn scratch() -> tempfile::TempDir {
    roots::scratch("init_layout", "case-")
}

fn opts(role: Role, hostname: &str, zone_hub: bool) -> InitOptions {
    roots::options(role, hostname, Platform::V7_3, zone_hub)
}

fn server(dir: &Path, zone_hub: bool) -> Appliance {
    init(
        &dir.join("ts"),
        &opts(Role::TaniumServer, "ts.example", zone_hub),
        now(),
    )
    .expect("init tanium server")
}

/// The SHA-256 fingerprint of a PEM public key as OpenSSL computes it, written as the
/// console writes it.
fn openssl_fingerprint(pub_pem: &str, cwd: &Path) -> String {
    let b64 = sh(
        &format!(
            "{OPENSSL} pkey -pubin -in {pub_pem} -outform DER | {OPENSSL} dgst -sha256 -binary | base64"
        ),
        cwd,
    );
    format!("SHA256:{}", b64.trim().trim_end_matches('='))
}

// ---------------------------------------------------------------- the layout

const PUBLIC_DIR: u32 = 0o755;
const PRIVATE_DIR: u32 = 0o700;
const PUBLIC_FILE: u32 = 0o644;
const PRIVATE_FILE: u32 = 0o600;

/// Every path `init` makes for `role`, with its kind and mode (None: directory).
fn expected_layout(role: Role) -> BTreeMap<PathBuf, (bool, u32)> {
    let mut paths: Vec<(&str, bool, u32)> = vec![
        ("appliance.toml", true, PUBLIC_FILE),
        (".tanos.lock", true, PRIVATE_FILE),
        ("settings.toml", true, PUBLIC_FILE),
        ("transfer", false, PUBLIC_DIR),
        ("transfer/incoming", false, PUBLIC_DIR),
        ("transfer/outgoing", false, PUBLIC_DIR),
        ("etc", false, PUBLIC_DIR),
        ("etc/ssh", false, PRIVATE_DIR),
        ("log", false, PRIVATE_DIR),
        ("log/audit.jsonl", true, PRIVATE_FILE),
        ("home", false, PUBLIC_DIR),
        ("home/tanadmin", false, PUBLIC_DIR),
        ("home/tanadmin/.ssh", false, PRIVATE_DIR),
        ("home/tanadmin/.ssh/id_ed25519", true, PRIVATE_FILE),
        ("home/tanadmin/.ssh/id_ed25519.pub", true, PUBLIC_FILE),
        ("home/tancopy", false, PUBLIC_DIR),
        ("home/tancopy/.ssh", false, PRIVATE_DIR),
        ("home/tancopy/.ssh/authorized_keys", true, PRIVATE_FILE),
    ];
    match role {
        Role::TaniumServer => paths.extend([
            ("tanium", false, PRIVATE_DIR),
            ("tanium/tanium.pvk", true, PRIVATE_FILE),
            ("tanium/tanium.pub", true, PUBLIC_FILE),
            ("tanium/tanium-root.crt", true, PUBLIC_FILE),
            ("tanium/reporting.pvk", true, PRIVATE_FILE),
            ("tanium/reporting.crt", true, PUBLIC_FILE),
        ]),
        Role::ZoneServer => paths.push(("zoneserver", false, PRIVATE_DIR)),
    }
    paths
        .into_iter()
        .map(|(p, file, mode)| (PathBuf::from(p), (file, mode)))
        .collect()
}

/// The root holds exactly the expected paths, each of the right kind and mode.
fn assert_layout(app: &Appliance, extra: &[(&str, bool, u32)]) {
    let mut want = expected_layout(app.config.role);
    for (p, file, mode) in extra {
        want.insert(PathBuf::from(p), (*file, *mode));
    }
    let got: BTreeMap<PathBuf, (bool, u32)> = tree(&app.root)
        .into_iter()
        .map(|(p, e)| match e {
            Entry::Dir(m) => (p, (false, m)),
            Entry::File(m, _) => (p, (true, m)),
            other => panic!("{}: neither file nor directory: {other:?}", p.display()),
        })
        .collect();
    assert_eq!(got, want, "layout of {}", app.root.display());
    assert_eq!(mode(&app.root), PUBLIC_DIR, "the root itself");
    // Over SFTP only transfer/ is reachable: nothing is in it yet, least of all a key.
    assert!(
        std::fs::read_dir(app.path(Layout::INCOMING))
            .expect("incoming")
            .next()
            .is_none()
    );
    assert!(
        std::fs::read_dir(app.path(Layout::OUTGOING))
            .expect("outgoing")
            .next()
            .is_none()
    );
}

/// Only the root is left in its parent: no staging directory, no temporary file.
fn assert_no_leftovers(parent: &Path, roots: &[&str]) {
    let mut names: Vec<String> = std::fs::read_dir(parent)
        .expect("read parent")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want: Vec<String> = roots.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(names, want, "entries of {}", parent.display());
}

fn appliance_toml(app: &Appliance) -> toml::Table {
    read(&app.path(Layout::CONFIG))
        .parse::<toml::Table>()
        .expect("appliance.toml is TOML")
}

#[test]
fn tanium_server_layout() {
    let dir = scratch();
    let app = server(dir.path(), false);
    assert_layout(&app, &[]);
    assert_no_leftovers(dir.path(), &["ts"]);
    assert!(!app.path(Layout::ZONE_DIR).exists());

    let toml = appliance_toml(&app);
    let want: toml::Table = r#"
        role = "tanium-server"
        hostname = "ts.example"
        platform = "7.3"
        addons = []
    "#
    .parse()
    .expect("expected TOML");
    assert_eq!(toml, want);
    let reopened = Appliance::open(&app.root).expect("reopen");
    assert_eq!(
        reopened.config,
        ApplianceConfig {
            role: Role::TaniumServer,
            hostname: "ts.example".into(),
            platform: Platform::V7_3,
            addons: vec![]
        }
    );
    assert!(!reopened.config.has_zone_hub());
}

#[test]
fn tanium_server_with_zone_hub_layout() {
    let dir = scratch();
    let app = server(dir.path(), true);
    assert_layout(&app, &[]);
    assert_no_leftovers(dir.path(), &["ts"]);
    let toml = appliance_toml(&app);
    assert_eq!(
        toml.get("role").and_then(|v| v.as_str()),
        Some("tanium-server")
    );
    assert_eq!(
        toml.get("addons"),
        Some(&toml::Value::Array(vec![toml::Value::String(
            "zone-hub".into()
        )]))
    );
    let reopened = Appliance::open(&app.root).expect("reopen");
    assert!(reopened.config.has_zone_hub());
    assert_eq!(
        reopened.config.role_label(),
        "Tanium Server + Zone Server Hub"
    );
}

#[test]
fn zone_server_layout() {
    let dir = scratch();
    let root = dir.path().join("zs");
    let o = InitOptions {
        platform: Platform::V7_4,
        ..opts(Role::ZoneServer, "zs.example", false)
    };
    let app = init(&root, &o, now()).expect("init zone server");
    assert_layout(&app, &[]);
    assert_no_leftovers(dir.path(), &["zs"]);
    assert!(!app.path(Layout::TANIUM_DIR).exists());
    let want: toml::Table = r#"
        role = "zone-server"
        hostname = "zs.example"
        platform = "7.4"
        addons = []
    "#
    .parse()
    .expect("expected TOML");
    assert_eq!(appliance_toml(&app), want);
    // No trusted root key yet: the status says so rather than inventing one.
    assert_eq!(snapshot(&app, now()).root_fingerprint, None);
}

#[test]
fn audit_log_records_init_without_key_material() {
    let dir = scratch();
    let app = server(dir.path(), false);
    let log = read(&app.path(Layout::AUDIT));
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 1, "{log}");
    let entry: serde_json::Value = serde_json::from_str(lines[0]).expect("JSON line");
    assert_eq!(entry["action"], "init");
    assert_eq!(entry["files"], serde_json::json!(["appliance.toml"]));
    assert!(entry["time"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(entry["user"].as_str().is_some_and(|u| !u.is_empty()));
    let status = snapshot(&app, now());
    let root_fp = status
        .root_fingerprint
        .expect("root key")
        .expect("readable");
    let fps = entry["fingerprints"].as_array().expect("fingerprints");
    assert!(
        fps.iter().any(|f| f == root_fp.as_str()),
        "{fps:?} lacks {root_fp}"
    );
    let tanadmin = status
        .users
        .iter()
        .find(|u| u.user == "tanadmin")
        .expect("tanadmin");
    let (_, ssh_fp) = tanadmin.key.clone().expect("tanadmin key");
    assert!(
        fps.iter().any(|f| f == ssh_fp.as_str()),
        "{fps:?} lacks {ssh_fp}"
    );
    assert!(
        !log.contains("PRIVATE KEY") && !log.contains("BEGIN"),
        "{log}"
    );
}

// ---------------------------------------------------------------- refusals

#[test]
fn init_again_changes_nothing() {
    let dir = scratch();
    let app = server(dir.path(), false);
    let before = tree(dir.path());
    for o in [
        opts(Role::TaniumServer, "ts.example", false),
        opts(Role::ZoneServer, "other.example", false),
        opts(Role::TaniumServer, "bad host", true),
    ] {
        let err = init(&app.root, &o, now()).expect_err("a second init must fail");
        let msg = err.to_string();
        assert!(msg.contains("already"), "{msg}");
        assert!(msg.contains("nothing was changed"), "{msg}");
        assert_eq!(tree(dir.path()), before, "files changed after {o:?}");
    }
}

#[test]
fn init_on_a_foreign_directory_changes_nothing() {
    let dir = scratch();
    let root = dir.path().join("data");
    std::fs::create_dir(&root).expect("mkdir");
    std::fs::write(root.join("notes.txt"), "keep me\n").expect("write");
    let before = tree(dir.path());
    let err = init(&root, &opts(Role::TaniumServer, "ts.example", false), now())
        .expect_err("foreign dir");
    let msg = err.to_string();
    assert!(
        msg.contains("is not empty") && msg.contains("holds no appliance"),
        "{msg}"
    );
    assert_eq!(tree(dir.path()), before);

    // A hidden file is still someone's file.
    let hidden = dir.path().join("hidden");
    std::fs::create_dir(&hidden).expect("mkdir");
    std::fs::write(hidden.join(".profile"), "x").expect("write");
    let before = tree(dir.path());
    init(&hidden, &opts(Role::ZoneServer, "zs.example", false), now()).expect_err("hidden file");
    assert_eq!(tree(dir.path()), before);
}

#[test]
fn init_on_an_existing_empty_directory_works() {
    let dir = scratch();
    let root = dir.path().join("empty");
    std::fs::create_dir(&root).expect("mkdir");
    let app = init(&root, &opts(Role::ZoneServer, "zs.example", false), now())
        .expect("init on empty dir");
    assert_layout(&app, &[]);
    assert_no_leftovers(dir.path(), &["empty"]);
}

#[test]
fn invalid_hostnames_create_nothing() {
    let dir = scratch();
    let parent = dir.path().join("not-yet");
    let root = parent.join("appliance");
    let long_label = "a".repeat(64);
    let long_name = ["abcdefghij"; 26].join(".");
    for (hostname, want) in [
        ("", "the hostname is empty"),
        ("bad_host", "'_' is not allowed"),
        ("host name", "' ' is not allowed"),
        ("ts..example", "empty label"),
        ("ts.example.", "empty label"),
        (".ts", "empty label"),
        ("-ts.example", "starts or ends with '-'"),
        ("ts-.example", "starts or ends with '-'"),
        (long_label.as_str(), "longer than 63 characters"),
        (long_name.as_str(), "at most 253 are allowed"),
        ("tś.example", "'ś' is not allowed"),
        ("ts;rm -rf", "is not allowed"),
        ("ts\n.example", "is not allowed"),
    ] {
        for role in Role::ALL {
            let err =
                init(&root, &opts(role, hostname, false), now()).expect_err("invalid hostname");
            let msg = err.to_string();
            assert!(msg.starts_with("invalid hostname: "), "{hostname:?}: {msg}");
            assert!(msg.contains(want), "{hostname:?}: {msg:?} lacks {want:?}");
            assert!(
                !parent.exists(),
                "{hostname:?}: {} was created",
                parent.display()
            );
        }
    }
    assert_no_leftovers(dir.path(), &[]);
}

#[test]
fn option_mismatches_create_nothing() {
    let dir = scratch();
    let root = dir.path().join("appliance");
    let err = init(&root, &opts(Role::ZoneServer, "zs.example", true), now())
        .expect_err("hub on a zone server");
    assert!(
        err.to_string()
            .contains("--zone-hub applies to a Tanium Server only"),
        "{err}"
    );
    let with_pub = InitOptions {
        tanium_pub: Some("whatever".into()),
        ..opts(Role::TaniumServer, "ts.example", false)
    };
    let err = init(&root, &with_pub, now()).expect_err("tanium pub on a server");
    assert!(
        err.to_string()
            .contains("--tanium-pub applies to a Zone Server only"),
        "{err}"
    );
    assert_no_leftovers(dir.path(), &[]);
}

// ---------------------------------------------------------------- --tanium-pub

#[test]
fn zone_server_trusts_the_given_root_key() {
    let dir = scratch();
    let ts = server(dir.path(), true);
    let ts_fp = snapshot(&ts, now())
        .root_fingerprint
        .expect("server root key")
        .expect("readable");

    for (name, source) in [
        ("zs-pub", "tanium/tanium.pub"),
        ("zs-crt", "tanium/tanium-root.crt"),
    ] {
        let text = read(&ts.path(source));
        let o = InitOptions {
            tanium_pub: Some(text),
            ..opts(Role::ZoneServer, "zs.example", false)
        };
        let zs =
            init(&dir.path().join(name), &o, now()).expect("init zone server with --tanium-pub");
        assert_layout(&zs, &[("zoneserver/tanium.pub", true, PUBLIC_FILE)]);
        let zs_fp = snapshot(&zs, now())
            .root_fingerprint
            .expect("trusted key")
            .expect("readable");
        assert_eq!(zs_fp, ts_fp, "from {source}");
        // The outside judge agrees on the file actually written.
        assert_eq!(
            openssl_fingerprint("zoneserver/tanium.pub", &zs.root),
            ts_fp,
            "from {source}"
        );
        // The trusted key is the server's public key, byte for byte.
        assert_eq!(
            read(&zs.path("zoneserver/tanium.pub")),
            read(&ts.path("tanium/tanium.pub")),
            "from {source}"
        );
        let log = read(&zs.path(Layout::AUDIT));
        assert!(
            log.contains(&ts_fp),
            "the audit line names the trusted key: {log}"
        );
    }
}

#[test]
fn tanium_pub_refuses_private_keys_and_garbage() {
    let dir = scratch();
    let ts = server(dir.path(), false);
    let before = tree(dir.path());
    let root = dir.path().join("zs");
    for (label, text, want) in [
        (
            "root private key",
            read(&ts.path("tanium/tanium.pvk")),
            "private key",
        ),
        (
            "reporting private key",
            read(&ts.path("tanium/reporting.pvk")),
            "private key",
        ),
        (
            "ssh private key",
            read(&ts.path("home/tanadmin/.ssh/id_ed25519")),
            "--tanium-pub",
        ),
        (
            "ssh public key",
            read(&ts.path("home/tanadmin/.ssh/id_ed25519.pub")),
            "--tanium-pub",
        ),
        ("empty", String::new(), "--tanium-pub"),
        ("not pem", "hello world\n".to_string(), "--tanium-pub"),
        (
            "truncated",
            read(&ts.path("tanium/tanium.pub"))
                .lines()
                .take(2)
                .collect::<Vec<_>>()
                .join("\n"),
            "--tanium-pub",
        ),
    ] {
        let o = InitOptions {
            tanium_pub: Some(text),
            ..opts(Role::ZoneServer, "zs.example", false)
        };
        let err = init(&root, &o, now()).expect_err(label);
        let msg = err.to_string();
        assert!(msg.starts_with("--tanium-pub: "), "{label}: {msg}");
        assert!(msg.contains(want), "{label}: {msg:?} lacks {want:?}");
        assert!(
            !msg.contains("BEGIN"),
            "{label}: the key is not echoed: {msg}"
        );
        assert!(!root.exists(), "{label}: the root was created");
        assert_eq!(tree(dir.path()), before, "{label}: files changed");
    }
}

// ---------------------------------------------------------------- outside judges

#[test]
fn openssl_accepts_the_server_pki() {
    let dir = scratch();
    let app = server(dir.path(), false);
    let root = &app.root;

    let out = run(
        OPENSSL,
        &[
            "verify",
            "-CAfile",
            "tanium/tanium-root.crt",
            "tanium/reporting.crt",
        ],
        root,
    );
    assert!(out.contains("tanium/reporting.crt: OK"), "{out}");
    for purpose in ["sslserver", "sslclient"] {
        run(
            OPENSSL,
            &[
                "verify",
                "-purpose",
                purpose,
                "-CAfile",
                "tanium/tanium-root.crt",
                "tanium/reporting.crt",
            ],
            root,
        );
    }
    let out = run(
        OPENSSL,
        &[
            "x509",
            "-noout",
            "-checkhost",
            "ts.example",
            "-in",
            "tanium/reporting.crt",
        ],
        root,
    );
    assert!(out.contains("does match"), "{out}");

    let root_text = run(
        OPENSSL,
        &["x509", "-noout", "-text", "-in", "tanium/tanium-root.crt"],
        root,
    );
    assert!(root_text.contains("CA:TRUE"), "{root_text}");
    assert!(root_text.contains("Certificate Sign"), "{root_text}");
    let leaf_text = run(
        OPENSSL,
        &["x509", "-noout", "-text", "-in", "tanium/reporting.crt"],
        root,
    );
    assert!(!leaf_text.contains("CA:TRUE"), "{leaf_text}");
    assert!(leaf_text.contains("DNS:ts.example"), "{leaf_text}");

    // A self-signed root: subject and issuer agree, and it verifies against itself.
    run(
        OPENSSL,
        &[
            "verify",
            "-CAfile",
            "tanium/tanium-root.crt",
            "tanium/tanium-root.crt",
        ],
        root,
    );

    // tanium.pub is the public half of tanium.pvk and the key of tanium-root.crt.
    let derived = run(
        OPENSSL,
        &["pkey", "-in", "tanium/tanium.pvk", "-pubout"],
        root,
    );
    assert_eq!(derived, read(&root.join("tanium/tanium.pub")));
    let in_cert = run(
        OPENSSL,
        &["x509", "-noout", "-pubkey", "-in", "tanium/tanium-root.crt"],
        root,
    );
    assert_eq!(in_cert, derived);
    // reporting.pvk is the key of reporting.crt.
    let reporting = run(
        OPENSSL,
        &["pkey", "-in", "tanium/reporting.pvk", "-pubout"],
        root,
    );
    let in_leaf = run(
        OPENSSL,
        &["x509", "-noout", "-pubkey", "-in", "tanium/reporting.crt"],
        root,
    );
    assert_eq!(reporting, in_leaf);
    assert_ne!(reporting, derived, "the reporting key is not the root key");

    // Tanium Status shows the fingerprint OpenSSL computes.
    let shown = snapshot(&app, now())
        .root_fingerprint
        .expect("root key")
        .expect("readable");
    assert_eq!(shown, openssl_fingerprint("tanium/tanium.pub", root));
}

#[test]
fn openssl_rejects_a_certificate_of_another_root() {
    // The judge can say no: a reporting certificate does not verify under another server's root.
    let dir = scratch();
    let a = server(dir.path(), false);
    let b = init(
        &dir.path().join("other"),
        &opts(Role::TaniumServer, "other.example", false),
        now(),
    )
    .expect("init");
    let out = Command::new(OPENSSL)
        .args(["verify", "-CAfile"])
        .arg(a.path("tanium/tanium-root.crt"))
        .arg(b.path("tanium/reporting.crt"))
        .output()
        .unwrap_or_else(|e| support::tools::cannot_run(OPENSSL, &e));
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_ne!(
        snapshot(&a, now()).root_fingerprint,
        snapshot(&b, now()).root_fingerprint,
        "two servers, two root keys"
    );
}

#[test]
fn ssh_keygen_accepts_the_tanadmin_key() {
    let dir = scratch();
    for (name, role) in [("ts", Role::TaniumServer), ("zs", Role::ZoneServer)] {
        let host = format!("{name}.example");
        let app = init(&dir.path().join(name), &opts(role, &host, false), now()).expect("init");
        let ssh = app.path("home/tanadmin/.ssh");

        let listed = run(SSH_KEYGEN, &["-l", "-f", "id_ed25519.pub"], &ssh);
        assert!(listed.trim_end().ends_with("(ED25519)"), "{listed}");
        assert!(listed.contains(&format!("tanadmin@{host}")), "{listed}");
        let fp = listed.split_whitespace().nth(1).expect("fingerprint field");
        assert!(fp.starts_with("SHA256:"), "{listed}");
        let status = snapshot(&app, now());
        let tanadmin = status
            .users
            .iter()
            .find(|u| u.user == "tanadmin")
            .expect("tanadmin");
        assert_eq!(
            tanadmin.key.as_ref().map(|(_, f)| f.as_str()),
            Some(fp),
            "the console shows ssh-keygen's fingerprint"
        );

        let derived = run(SSH_KEYGEN, &["-y", "-f", "id_ed25519"], &ssh);
        let public = read(&ssh.join("id_ed25519.pub"));
        let fields = |s: &str| {
            s.split_whitespace()
                .take(2)
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(&derived), fields(&public));
        assert_eq!(fields(&public)[0], "ssh-ed25519");
        assert_eq!(public.lines().count(), 1, "one OpenSSH line: {public:?}");

        // The private key file is the OpenSSH format ssh-keygen reads, not PEM.
        assert!(read(&ssh.join("id_ed25519")).starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
        // tancopy starts with an empty authorized_keys and no key pair of its own.
        assert_eq!(read(&app.path("home/tancopy/.ssh/authorized_keys")), "");
        let tancopy = status
            .users
            .iter()
            .find(|u| u.user == "tancopy")
            .expect("tancopy");
        assert_eq!(tancopy.key, None);
        assert_eq!(tancopy.authorized, Ok(0));
    }
}

#[test]
fn two_roots_have_distinct_keys() {
    let dir = scratch();
    let a = server(dir.path(), false);
    let b = init(
        &dir.path().join("zs"),
        &opts(Role::ZoneServer, "zs.example", false),
        now(),
    )
    .expect("init");
    let key = |app: &Appliance| read(&app.path("home/tanadmin/.ssh/id_ed25519.pub"));
    assert_ne!(key(&a), key(&b));
}
