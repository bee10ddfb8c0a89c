//! The command line, run as an operator would: `init`, `config list|get|set`, exit codes,
//! and files left untouched by every refusal.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::roots;
use support::tree::files;

const BIN: &str = env!("CARGO_BIN_EXE_tanos-menu");

fn scratch() -> tempfile::TempDir {
    roots::scratch("cli", "cli-")
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("TANOS_ROOT")
        .output()
        .expect("run tanos-menu")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `root` with its bytes.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files(root)
        .into_iter()
        .map(|(path, (_, data))| (path, data))
        .collect()
}

fn init(root: &Path, extra: &[&str]) {
    let root = root.to_str().expect("utf-8 path");
    let mut args = vec!["init", "--root", root, "--hostname", "appl01"];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "init failed: {:?}", text(&out));
}

#[test]
fn init_prints_what_it_made_and_refuses_a_second_time() {
    let dir = scratch();
    let root = dir.path().join("ts");
    init(&root, &["--role", "tanium-server", "--zone-hub"]);
    let before = tree(&root);
    let out = run(&[
        "init",
        "--root",
        root.to_str().unwrap(),
        "--role",
        "zone-server",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("already holds an appliance"),
        "{:?}",
        text(&out)
    );
    assert_eq!(tree(&root), before, "a refused init changes nothing");
}

#[test]
fn init_reports_its_fingerprints() {
    let dir = scratch();
    let root = dir.path().join("ts");
    let out = run(&[
        "init",
        "--root",
        root.to_str().unwrap(),
        "--role",
        "tanium-server",
        "--hostname",
        "ts9",
    ]);
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("Created Tanium Server 'ts9' (platform 7.3)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("root key (tanium.pub): SHA256:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("tanadmin SSH key:      SHA256:"),
        "{stdout}"
    );
}

#[test]
fn init_refusals_create_nothing() {
    let dir = scratch();
    let root = dir.path().join("x");
    let cases: &[(&[&str], &str)] = &[
        (
            &["--role", "zone-server", "--zone-hub"],
            "--zone-hub applies to a Tanium Server only",
        ),
        (
            &["--role", "tanium-server", "--hostname", "bad_host"],
            "invalid hostname",
        ),
        (
            &["--role", "tanium-server", "--platform", "7.1"],
            "not a platform version",
        ),
        (
            &[
                "--role",
                "zone-server",
                "--tanium-pub",
                "/nonexistent/tanium.pub",
            ],
            "--tanium-pub",
        ),
        (&["--role", "appliance"], "invalid value 'appliance'"),
    ];
    for (extra, message) in cases {
        let mut args = vec!["init", "--root", root.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(
            text(&out).1.contains(message),
            "{extra:?}: {:?}",
            text(&out)
        );
        assert!(!root.exists(), "{extra:?} left {}", root.display());
    }
}

#[test]
fn init_refuses_a_directory_holding_other_files() {
    let dir = scratch();
    let root = dir.path().join("home-dir");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("notes.txt"), "mine").unwrap();
    let out = run(&[
        "init",
        "--root",
        root.to_str().unwrap(),
        "--role",
        "zone-server",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("not empty"), "{:?}", text(&out));
    assert_eq!(tree(&root).len(), 1);
}

#[test]
fn init_fills_an_existing_empty_directory() {
    let dir = scratch();
    let root = dir.path().join("empty");
    std::fs::create_dir(&root).unwrap();
    init(&root, &["--role", "zone-server"]);
    assert!(root.join("appliance.toml").is_file());
}

#[test]
fn zone_server_trusts_the_given_root_public_key() {
    let dir = scratch();
    let ts = dir.path().join("ts");
    let zs = dir.path().join("zs");
    init(&ts, &["--role", "tanium-server"]);
    let ts_pub = ts.join("tanium/tanium.pub");
    init(
        &zs,
        &[
            "--role",
            "zone-server",
            "--tanium-pub",
            ts_pub.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read(zs.join("zoneserver/tanium.pub")).unwrap(),
        std::fs::read(&ts_pub).unwrap()
    );
    // A private key offered as the root public key is refused.
    let zs2 = dir.path().join("zs2");
    let pvk = ts.join("tanium/tanium.pvk");
    let out = run(&[
        "init",
        "--root",
        zs2.to_str().unwrap(),
        "--role",
        "zone-server",
        "--tanium-pub",
        pvk.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("private key"), "{:?}", text(&out));
    assert!(!zs2.exists());
}

#[test]
fn config_list_get_set_round_trip() {
    let dir = scratch();
    let root = dir.path().join("ts");
    init(&root, &["--role", "tanium-server"]);
    let r = root.to_str().unwrap();
    let (list, _) = text(&run(&["config", "list", "--root", r]));
    assert!(list.contains("[tanium-server] Tanium Server"), "{list}");
    assert!(list.contains("  ReportingTLSMode = 2"), "{list}");
    assert!(
        list.contains("  ReportingTLSCertPath (not set; default tanium/reporting.crt)"),
        "{list}"
    );
    assert!(
        list.contains("[client-global] Client Global Settings"),
        "{list}"
    );
    assert!(
        !list.contains("zone-server-hub"),
        "no hub on this appliance: {list}"
    );

    let out = run(&[
        "config",
        "set",
        "OptionalTLSMaxBackoffSeconds",
        "86400",
        "--root",
        r,
    ]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(
        text(&out).0,
        "OptionalTLSMaxBackoffSeconds = 86400 on client-global (was 3600)\n"
    );
    let out = run(&["config", "get", "optionaltlsmaxbackoffseconds", "--root", r]);
    assert_eq!(text(&out).0, "86400\n");
    let audit = std::fs::read_to_string(root.join("log/audit.jsonl")).unwrap();
    assert_eq!(audit.lines().count(), 2, "init and one change: {audit}");
    assert!(
        audit
            .lines()
            .last()
            .unwrap()
            .contains("\"action\":\"settings.set\"")
    );
}

#[test]
fn config_rejections_exit_2_and_change_nothing() {
    let dir = scratch();
    let root = dir.path().join("zs");
    init(&root, &["--role", "zone-server", "--platform", "7.4"]);
    let r = root.to_str().unwrap();
    let before = tree(&root);
    let cases: &[(&[&str], &str)] = &[
        (
            &["set", "ReportingTLSMode", "0"],
            "TLS is required and cannot be disabled",
        ),
        (&["set", "ReportingTLSMode", "two"], "takes a whole number"),
        (
            &["set", "RequireIncomingEncryption", "1"],
            "applies to platform 7.2 and 7.3 only",
        ),
        (
            &["set", "require_client_tls_314_flag", "1"],
            "is not a Zone Server setting",
        ),
        (
            &["set", "NoSuchSetting", "1"],
            "unknown setting 'NoSuchSetting'",
        ),
        (
            &["set", "ReportingTLSKeyPath", "../../etc/shadow"],
            "may not contain '..'",
        ),
        (
            &["set", "ReportingTLSKeyPasswordFile", "zoneserver/hsm.pass"],
            "hardware security modules",
        ),
        (
            &[
                "set",
                "ReportingTLSMode",
                "1",
                "--component",
                "client-global",
            ],
            "not a component of this appliance",
        ),
        (&["get", "NoSuchSetting"], "unknown setting"),
    ];
    for (args, message) in cases {
        let mut full = vec!["config"];
        full.extend_from_slice(args);
        full.extend_from_slice(&["--root", r]);
        let out = run(&full);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {:?}", text(&out));
        assert!(text(&out).1.contains(message), "{args:?}: {:?}", text(&out));
        assert_eq!(tree(&root), before, "{args:?} changed a file");
    }
}

#[test]
fn risky_value_needs_yes() {
    let dir = scratch();
    let root = dir.path().join("ts");
    init(&root, &["--role", "tanium-server", "--platform", "7.4"]);
    let r = root.to_str().unwrap();
    let settings = root.join("settings.toml");
    let before = std::fs::read(&settings).unwrap();
    let out = run(&[
        "config",
        "set",
        "require_client_tls_315_flag",
        "0",
        "--root",
        r,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("Contact Tanium Support"),
        "{:?}",
        text(&out)
    );
    assert_eq!(std::fs::read(&settings).unwrap(), before);
    let out = run(&[
        "config",
        "set",
        "require_client_tls_315_flag",
        "0",
        "--yes",
        "--root",
        r,
    ]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(
        text(&run(&[
            "config",
            "get",
            "require_client_tls_315_flag",
            "--root",
            r
        ]))
        .0,
        "0\n"
    );
}

#[test]
fn config_on_a_missing_appliance_says_so() {
    let dir = scratch();
    let out = run(&[
        "config",
        "list",
        "--root",
        dir.path().join("none").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).1.contains("not an appliance root"),
        "{:?}",
        text(&out)
    );
}

#[test]
fn tanos_root_environment_selects_the_appliance() {
    let dir = scratch();
    let root = dir.path().join("envroot");
    init(&root, &["--role", "zone-server"]);
    let out = Command::new(BIN)
        .args(["config", "get", "ReportingTLSMode"])
        .env("TANOS_ROOT", &root)
        .output()
        .unwrap();
    assert_eq!(text(&out).0, "0\n", "{:?}", text(&out));
}

/// A reader that went away (`config list | head -1`) ends the listing quietly: no panic on
/// the closed pipe, and the command's status stays its own.
#[test]
fn config_list_into_a_closed_pipe_ends_quietly() {
    let dir = scratch();
    let root = dir.path().join("ts");
    init(&root, &["--role", "tanium-server"]);
    let mut child = Command::new(BIN)
        .args(["config", "list", "--root", root.to_str().unwrap()])
        .env_remove("TANOS_ROOT")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run tanos-menu");
    // The reading end closes before the command writes its first line.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for tanos-menu");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
}
