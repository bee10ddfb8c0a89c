//! Issue 11: "a SIGKILL at any moment leaves either the old or the new root in force, never a
//! root key without its certificate or a TLS certificate signed by a key that is not
//! trusted". `tanos-menu root-key add --yes` is killed, on several hubs, at each of its
//! renames and writes (strace's fault injection, `inject=SYSCALL:signal=SIGKILL:when=N`,
//! N = 1, 2, … until a run completes) and after random delays. After every kill, once the
//! next command (`root-key list`) or the next console start has run:
//!
//! - `tanium.pvk`, `tanium.pub` and the first certificate of `tanium-root.crt` are one key,
//!   the one before the kill or a new one, and `/outgoing/tanium.pub` is that key;
//! - `reporting.crt` is for `reporting.pvk` and was signed by that root (so
//!   `openssl verify -CAfile tanium-root.crt` accepts it): the old pair with the old root,
//!   a new pair with a new root;
//! - `tanium/roots.json` agrees: its signing root is that key, kept in `tanium/roots/`, and
//!   the bundle holds exactly its signing and trusted roots;
//! - no staged file or journal is left anywhere;
//!
//! and a further `root-key add --yes` succeeds. OpenSSL judges every tenth state (and the
//! last of each series); the product's own parsers the others, to keep the loop short.

mod support;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

use support::faults::XorShift;
use support::fs::path_str;
use support::pty::BIN;
use support::roots;
use support::tools::openssl;
use tanos_menu::appliance::{Appliance, Platform, Role};
use tanos_menu::pki::csr::private_key_spki;
use tanos_menu::pki::verify::check_certificate;
use tanos_menu::pki::{CertSummary, TrustedKey, certificate_blocks, spki_fingerprint};
use time::OffsetDateTime;

const STRACE: &str = "/usr/bin/strace";
/// More calls of one kind than an add makes: a series that never completes fails.
const MAX_CALLS: u32 = 120;

fn strace() -> &'static str {
    support::tools::need(STRACE);
    STRACE
}

/// `tanos-menu root-key add --yes --root <root>` under strace, SIGKILLed at its `n`-th call
/// of `syscall`.
fn add_killed_at(root: &Path, syscall: &str, n: u32) -> ExitStatus {
    Command::new(strace())
        .args(["-f", "-o", "/dev/null", "-e"])
        .arg(format!("inject={syscall}:signal=SIGKILL:when={n}"))
        .arg(BIN)
        .args(["root-key", "add", "--yes", "--root"])
        .arg(root)
        .env_remove("TANOS_ROOT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run strace")
}

fn add_command(root: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["root-key", "add", "--yes", "--root"])
        .arg(root)
        .env_remove("TANOS_ROOT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// A `root-key add --yes` run to its end: it must succeed.
#[track_caller]
fn add_ok(root: &Path) {
    let out = add_command(root).output().expect("run root-key add");
    assert!(
        out.status.success(),
        "root-key add --yes failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn was_killed(status: ExitStatus) -> bool {
    status.signal() == Some(libc::SIGKILL) || status.code() == Some(128 + libc::SIGKILL)
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text_opt(path: &Path) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// What the hub holds in force: the signing root, the server's pair, the registry's size.
#[derive(Debug, Clone, PartialEq, Eq)]
struct InForce {
    root: String,
    server_key: String,
    server_cert: String,
    /// Roots in `tanium/roots.json` (1 without a registry).
    roots: usize,
}

/// The state after a kill, checked with the product's parsers, `after` the last one.
fn in_force(app: &Appliance, what: &str) -> InForce {
    let tanium = app.path("tanium");
    let pvk = text(&tanium.join("tanium.pvk"));
    let public = text(&tanium.join("tanium.pub"));
    let bundle = text(&tanium.join("tanium-root.crt"));
    let blocks = certificate_blocks(&bundle).unwrap_or_else(|e| panic!("{what}: bundle: {e}"));
    assert!(!blocks.is_empty(), "{what}: an empty tanium-root.crt");
    let of_private = spki_fingerprint(
        &private_key_spki(&pvk).unwrap_or_else(|e| panic!("{what}: tanium.pvk: {e}")),
    );
    let root = TrustedKey::from_pem(public.as_bytes())
        .unwrap_or_else(|e| panic!("{what}: tanium.pub: {e}"));
    let first = CertSummary::from_pem(blocks[0].as_bytes())
        .unwrap_or_else(|e| panic!("{what}: the bundle's first certificate: {e}"));
    assert_eq!(
        of_private, root.fingerprint,
        "{what}: tanium.pvk and tanium.pub are not one key"
    );
    assert_eq!(
        first.key_fingerprint, root.fingerprint,
        "{what}: the bundle's first certificate is not tanium.pub's"
    );
    if let Some(out) = text_opt(&app.path("transfer/outgoing/tanium.pub")) {
        assert_eq!(out, public, "{what}: /outgoing/tanium.pub is another key");
    }
    // The server's pair: for each other, and signed by the signing root.
    let server_key = text(&tanium.join("reporting.pvk"));
    let server_cert = text(&tanium.join("reporting.crt"));
    let key_spki =
        private_key_spki(&server_key).unwrap_or_else(|e| panic!("{what}: reporting.pvk: {e}"));
    check_certificate(
        &server_cert,
        &key_spki,
        &root.spki_der,
        OffsetDateTime::now_utc(),
    )
    .unwrap_or_else(|e| {
        panic!("{what}: reporting.crt against reporting.pvk and the signing root: {e}")
    });
    // The registry names that root as signing, and the bundle holds what it trusts.
    let roots = match text_opt(&app.path("tanium/roots.json")) {
        None => {
            assert_eq!(
                blocks.len(),
                1,
                "{what}: no registry, one root in the bundle"
            );
            1
        }
        Some(json) => {
            let value: serde_json::Value = serde_json::from_str(&json)
                .unwrap_or_else(|e| panic!("{what}: roots.json: {e}\n{json}"));
            let entries = value["roots"]
                .as_array()
                .unwrap_or_else(|| panic!("{what}: roots.json has no roots: {json}"));
            let field = |e: &serde_json::Value, name: &str| {
                e[name]
                    .as_str()
                    .unwrap_or_else(|| panic!("{what}: no {name} in {e}"))
                    .to_string()
            };
            let signing: Vec<&serde_json::Value> = entries
                .iter()
                .filter(|e| field(e, "state") == "signing")
                .collect();
            assert_eq!(signing.len(), 1, "{what}: one signing root: {json}");
            assert_eq!(
                field(signing[0], "fingerprint"),
                root.fingerprint,
                "{what}: roots.json's signing root is not tanium.pub"
            );
            let kept_key = text(&app.path(&field(signing[0], "key")));
            assert_eq!(
                kept_key, pvk,
                "{what}: the signing root kept is not tanium.pvk"
            );
            let mut in_bundle: Vec<String> = blocks
                .iter()
                .map(|b| {
                    CertSummary::from_pem(b.as_bytes())
                        .unwrap_or_else(|e| panic!("{what}: a bundle certificate: {e}"))
                        .key_fingerprint
                })
                .collect();
            let mut trusted: Vec<String> = entries
                .iter()
                .filter(|e| field(e, "state") != "revoked")
                .map(|e| field(e, "fingerprint"))
                .collect();
            for entry in entries {
                let cert = text(&app.path(&field(entry, "cert")));
                let kept = CertSummary::from_pem(cert.as_bytes())
                    .unwrap_or_else(|e| panic!("{what}: {entry}: {e}"));
                assert_eq!(kept.key_fingerprint, field(entry, "fingerprint"), "{what}");
                assert!(
                    app.path(&field(entry, "key")).is_file(),
                    "{what}: {entry}: no key kept"
                );
            }
            in_bundle.sort();
            trusted.sort();
            assert_eq!(
                in_bundle, trusted,
                "{what}: the bundle is not the signing and trusted roots of roots.json"
            );
            entries.len()
        }
    };
    InForce {
        root: root.fingerprint,
        server_key,
        server_cert,
        roots,
    }
}

/// The same as OpenSSL sees it: one key three times, and the server's certificate for its
/// key and accepted under the bundle.
fn openssl_agrees(app: &Appliance, what: &str) {
    let tanium = app.path("tanium");
    let run = |args: &[&str]| {
        let (ok, out) = openssl(args);
        assert!(ok, "{what}: openssl {args:?}:\n{out}");
        out
    };
    let at = |name: &str| tanium.join(name);
    let pvk = at("tanium.pvk");
    let public = at("tanium.pub");
    let bundle = at("tanium-root.crt");
    let key = run(&["pkey", "-in", path_str(&pvk), "-pubout"]);
    assert_eq!(
        key,
        run(&["pkey", "-pubin", "-in", path_str(&public), "-pubout"]),
        "{what}: openssl: tanium.pvk and tanium.pub"
    );
    // `openssl x509` reads the first certificate of a file.
    assert_eq!(
        key,
        run(&["x509", "-in", path_str(&bundle), "-noout", "-pubkey"]),
        "{what}: openssl: tanium.pvk and the bundle's first certificate"
    );
    let cert = at("reporting.crt");
    assert_eq!(
        run(&["x509", "-in", path_str(&cert), "-noout", "-pubkey"]),
        run(&["pkey", "-in", path_str(&at("reporting.pvk")), "-pubout"]),
        "{what}: openssl: reporting.crt and reporting.pvk"
    );
    let out = run(&["verify", "-CAfile", path_str(&bundle), path_str(&cert)]);
    assert!(out.contains(": OK"), "{what}: {out}");
}

/// Files an interrupted write left: staged copies and journals (`.tanos-*`), anywhere.
fn leftovers(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(&path, out);
            } else if name.starts_with(".tanos-") && name != ".tanos-audit-failed" {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out
}

/// The next start after a kill: `root-key list` as a command, or (`console`) the console's
/// own start on the root.
fn next_start(app: &Appliance, console: bool, what: &str) {
    if console {
        let _ = tanos_menu::app::initial_model(&app.root)
            .unwrap_or_else(|e| panic!("{what}: the console does not open: {e}"));
        return;
    }
    let out = Command::new(BIN)
        .args(["root-key", "list", "--root"])
        .arg(&app.root)
        .env_remove("TANOS_ROOT")
        .output()
        .expect("run root-key list");
    assert!(
        out.status.success(),
        "{what}: root-key list failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.lines().any(|l| l.starts_with("signing ")),
        "{what}: root-key list shows no signing root:\n{listed}"
    );
}

/// Counts kills, and has OpenSSL judge every tenth state.
struct Judge {
    kills: u32,
    checked: u32,
    /// Kills by series ("fresh73 rename": 11), for the summary.
    series: Vec<(String, u32)>,
    /// Kills after which the new root was in force (the set rolled forward), and the old.
    new_root: u32,
    old_root: u32,
}

impl Judge {
    fn count(&mut self, before: &InForce, after: &InForce) {
        if before.root == after.root {
            self.old_root += 1;
        } else {
            self.new_root += 1;
        }
    }
}

impl Judge {
    /// After a run (killed or not): the next start, then every invariant against `before`.
    /// Returns the state now in force.
    fn after(&mut self, app: &Appliance, before: &InForce, what: &str) -> InForce {
        next_start(app, self.checked % 2 == 1, what);
        let now = in_force(app, what);
        if now.root == before.root {
            assert_eq!(
                (&now.server_key, &now.server_cert, now.roots),
                (&before.server_key, &before.server_cert, before.roots),
                "{what}: the old root is in force with another server pair or registry"
            );
        } else {
            assert_ne!(
                now.server_key, before.server_key,
                "{what}: a new root with the old server key"
            );
            assert_eq!(
                now.roots,
                before.roots + 1,
                "{what}: a new root, but not one more in roots.json"
            );
            assert_eq!(
                text_opt(&app.path("transfer/outgoing/tanium.pub")).as_deref(),
                Some(text(&app.path("tanium/tanium.pub")).as_str()),
                "{what}: a new root that /outgoing does not carry"
            );
        }
        assert_eq!(
            leftovers(&app.root),
            Vec::<PathBuf>::new(),
            "{what}: left after the next start"
        );
        if self.checked.is_multiple_of(10) {
            openssl_agrees(app, what);
        }
        self.checked += 1;
        now
    }
}

/// Where a series runs: always the same hub (each kill starting from what the last one
/// left), or a fresh copy of a template for each kill (each kill at the same point of the
/// same first add).
enum Target<'a> {
    Same(&'a Appliance),
    CopyOf(&'a Appliance),
}

impl Target<'_> {
    fn name(&self) -> String {
        let app = match self {
            Target::Same(app) | Target::CopyOf(app) => app,
        };
        app.root
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    }

    fn for_run(&self, syscall: &str, n: u32) -> Appliance {
        match self {
            Target::Same(app) => (*app).clone(),
            Target::CopyOf(template) => {
                let to = template
                    .root
                    .with_file_name(format!("{}-{syscall}-{n}", self.name()));
                let out = Command::new("cp")
                    .arg("-a")
                    .arg(&template.root)
                    .arg(&to)
                    .output()
                    .expect("run cp");
                assert!(out.status.success(), "cp -a: {out:?}");
                Appliance::open(&to).expect("open the copy")
            }
        }
    }
}

/// Kills `root-key add` at each call of `syscall` (N = 1, 2, …) until a run completes;
/// after each kill and the checks, a further add must succeed and put a new root in force.
fn at_every_call(target: Target<'_>, syscall: &str, judge: &mut Judge) {
    let from = judge.kills;
    for n in 1..=MAX_CALLS {
        let app = target.for_run(syscall, n);
        let before = in_force(&app, "before");
        let status = add_killed_at(&app.root, syscall, n);
        let what = format!("{} killed at {syscall} {n}", app.root.display());
        let state = judge.after(&app, &before, &what);
        if status.success() {
            judge
                .series
                .push((format!("{} {syscall}", target.name()), judge.kills - from));
            return;
        }
        assert!(was_killed(status), "{what}: {status}");
        judge.kills += 1;
        judge.count(&before, &state);
        add_ok(&app.root);
        let then = judge.after(&app, &state, &format!("{what}, then an add"));
        assert_ne!(
            then.root, state.root,
            "{what}: the further add made no new root"
        );
    }
    panic!("root-key add never completed in {MAX_CALLS} runs at {syscall}");
}

/// A SIGKILL after a random delay within how long an add takes.
fn at_random_moments(app: &Appliance, runs: u32, seed: u64, judge: &mut Judge) {
    let mut rng = XorShift::new(seed);
    let started = Instant::now();
    add_ok(&app.root);
    let typical = started.elapsed().as_millis().max(5) as u64;
    let mut state = in_force(app, "before");
    let from = judge.kills;
    for i in 0..runs {
        let delay = rng.delay(typical);
        let mut child = add_command(&app.root).spawn().expect("spawn root-key add");
        std::thread::sleep(delay);
        let _ = child.kill();
        let status = child.wait().expect("wait root-key add");
        let what = format!(
            "{} killed after {delay:?} (run {i}, {status})",
            app.root.display()
        );
        let after = judge.after(app, &state, &what);
        if was_killed(status) {
            judge.kills += 1;
            judge.count(&state, &after);
        }
        state = after;
    }
    judge
        .series
        .push(("random moments".into(), judge.kills - from));
}

/// Three hubs: 7.3 before any registry (its first root is kept aside by the add), 7.4 with
/// a registry, and 7.4 with a revoked root and issued certificates in its ledger.
#[test]
fn root_key_add_killed_anywhere_leaves_one_root_in_force() {
    let started = Instant::now();
    let dir = roots::scratch("rotation_killed", "hubs-");
    let make = |name: &str, platform: Platform| {
        let opts = roots::options(Role::TaniumServer, "ts01.example", platform, true);
        roots::appliance(&dir.path().join(name), &opts, OffsetDateTime::now_utc())
    };
    let fresh = make("fresh73", Platform::V7_3);
    let registry = make("registry74", Platform::V7_4);
    add_ok(&registry.root);
    let revoked = make("revoked74", Platform::V7_4);
    for cn in ["zs01.example", "zs02.example"] {
        let new = support::fleet::new_csr(cn);
        tanos_menu::appliance::issuance::issue_from_csr(
            &revoked,
            &support::fleet::checked(&new),
            365,
            OffsetDateTime::now_utc(),
        )
        .expect("issue");
    }
    add_ok(&revoked.root);
    let old = in_force(&revoked, "revoked74");
    let listed = Command::new(BIN)
        .args(["root-key", "list", "--root", path_str(&revoked.root)])
        .output()
        .expect("list");
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    let trusted = listed
        .lines()
        .find(|l| l.starts_with("trusted "))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or_else(|| panic!("a trusted root: {listed}"))
        .to_string();
    assert_ne!(trusted, old.root);
    let out = Command::new(BIN)
        .args(["root-key", "revoke", &trusted, "--yes", "--root"])
        .arg(&revoked.root)
        .output()
        .expect("revoke");
    assert!(out.status.success(), "{out:?}");
    add_ok(&revoked.root);

    let mut judge = Judge {
        kills: 0,
        checked: 0,
        series: Vec::new(),
        new_root: 0,
        old_root: 0,
    };
    for syscall in ["rename", "renameat", "renameat2"] {
        for target in [
            Target::CopyOf(&fresh),
            Target::Same(&registry),
            Target::Same(&revoked),
        ] {
            at_every_call(target, syscall, &mut judge);
        }
    }
    let by_rename = judge.kills;
    assert!(by_rename >= 30, "only {by_rename} kills at a rename");
    at_every_call(Target::Same(&registry), "write", &mut judge);
    at_every_call(Target::CopyOf(&fresh), "fsync", &mut judge);
    at_random_moments(&revoked, 40, 11, &mut judge);
    for app in [&fresh, &registry, &revoked] {
        openssl_agrees(app, &format!("{} at the end", app.root.display()));
        add_ok(&app.root);
        in_force(app, "after a last add");
    }
    assert!(
        judge.kills >= 100,
        "only {} kills ({by_rename} at a rename)",
        judge.kills
    );
    // Both ways out of a kill were taken: undone (old root) and completed (new root).
    assert!(
        judge.new_root >= 10 && judge.old_root >= 10,
        "new root after {} kills, old root after {}",
        judge.new_root,
        judge.old_root
    );
    eprintln!(
        "{} kills ({by_rename} at a rename; {} left the new root, {} the old), {} states judged, in {:.1?}: {:?}",
        judge.kills,
        judge.new_root,
        judge.old_root,
        judge.checked,
        started.elapsed(),
        judge.series
    );
}
