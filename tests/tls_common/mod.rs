//! Helpers of the TLS workflow tests: appliance roots under target/, whole-tree snapshots,
//! and the real OpenSSL as the outside judge.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tanos_menu::appliance::Appliance;
use tanos_menu::appliance::Platform;
use tanos_menu::appliance::Role;
use tanos_menu::appliance::init::{InitOptions, init};
use tanos_menu::appliance::{incoming, tls};
use tanos_menu::pki::KeyType;
use tanos_menu::pki::csr::{self, CsrRequest, NewCsr};
use time::OffsetDateTime;

pub const OPENSSL: &str = "/usr/bin/openssl";
pub const ZS_HOST: &str = "zs01.example";

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A fresh directory under target/ to hold the appliance roots of one test.
pub fn scratch(suite: &str) -> tempfile::TempDir {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join(suite);
    std::fs::create_dir_all(&base).expect("create test base directory");
    tempfile::Builder::new()
        .prefix("case-")
        .tempdir_in(&base)
        .expect("create temp dir")
}

fn opts(role: Role, hostname: &str, zone_hub: bool) -> InitOptions {
    InitOptions {
        role,
        hostname: hostname.to_string(),
        platform: Platform::V7_3,
        zone_hub,
        tanium_pub: None,
    }
}

/// A Tanium Server with the Zone Server Hub add-on at `dir/name`.
pub fn tanium_server(dir: &Path, name: &str, hostname: &str, now: OffsetDateTime) -> Appliance {
    init(
        &dir.join(name),
        &opts(Role::TaniumServer, hostname, true),
        now,
    )
    .expect("init tanium server")
}

/// A Zone Server (no key, no trusted root yet) at `dir/name`.
pub fn zone_server(dir: &Path, name: &str, now: OffsetDateTime) -> Appliance {
    init(
        &dir.join(name),
        &opts(Role::ZoneServer, ZS_HOST, false),
        now,
    )
    .expect("init zone server")
}

pub fn request(key_type: KeyType) -> CsrRequest {
    CsrRequest {
        common_name: ZS_HOST.to_string(),
        dns_names: vec![ZS_HOST.to_string(), "*.zone.example".to_string()],
        ips: vec!["10.0.0.5".parse().expect("ip"), "::1".parse().expect("ip")],
        key_type,
    }
}

/// Generate CSR on the Zone Server (2 › Z › 1): a new key and CSR written to its files.
pub fn new_csr(zs: &Appliance, key_type: KeyType, now: OffsetDateTime) -> NewCsr {
    let new = csr::generate_csr(&request(key_type)).expect("generate csr");
    tls::write_new_csr(zs, &new, now).expect("write new csr");
    new
}

/// Copies the Zone Server's outgoing CSR into the Tanium Server's /incoming as `name`, as
/// the peer's SFTP push would, and issues the certificate from it through /incoming.
/// Returns the certificate text the Tanium Server put in its /outgoing.
pub fn issue_via_incoming(
    ts: &Appliance,
    zs: &Appliance,
    name: &str,
    days: i64,
    now: OffsetDateTime,
) -> tls::Issued {
    copy(
        &zs.path(tls::OUT_CSR),
        &ts.path("transfer/incoming").join(name),
    );
    let text = incoming::read(ts, name).expect("read csr from /incoming");
    let checked = csr::check_csr(&text).expect("check csr");
    tls::issue_from_csr(ts, &checked, days, now).expect("issue certificate")
}

pub fn copy(from: &Path, to: &Path) {
    std::fs::copy(from, to)
        .unwrap_or_else(|e| panic!("copy {} -> {}: {e}", from.display(), to.display()));
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// One path of a tree, as far as a test can tell it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Dir(u32),
    File(u32, Vec<u8>),
    Link(PathBuf),
    /// FIFO, socket, device: never opened (a FIFO would block).
    Special(u32),
}

/// Every path under `root` with its mode and (for regular files) its bytes.
pub fn tree(root: &Path) -> BTreeMap<PathBuf, Entry> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Entry>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("dir entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            let mode = meta.permissions().mode() & 0o7777;
            let rel = path.strip_prefix(root).expect("under root").to_path_buf();
            let kind = meta.file_type();
            if kind.is_symlink() {
                out.insert(
                    rel,
                    Entry::Link(std::fs::read_link(&path).expect("readlink")),
                );
            } else if kind.is_dir() {
                out.insert(rel, Entry::Dir(mode));
                walk(root, &path, out);
            } else if kind.is_file() {
                out.insert(rel, Entry::File(mode, bytes(&path)));
            } else {
                assert!(
                    kind.is_fifo() || kind.is_socket() || kind.is_block_device(),
                    "{}",
                    path.display()
                );
                out.insert(rel, Entry::Special(mode));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// The paths whose entry differs between two trees, for a readable failure.
pub fn changed(before: &BTreeMap<PathBuf, Entry>, after: &BTreeMap<PathBuf, Entry>) -> Vec<String> {
    let mut out = Vec::new();
    for (path, entry) in before {
        match after.get(path) {
            None => out.push(format!("removed {}", path.display())),
            Some(e) if e != entry => out.push(format!("changed {}", path.display())),
            Some(_) => {}
        }
    }
    for path in after.keys().filter(|p| !before.contains_key(*p)) {
        out.push(format!("added {}", path.display()));
    }
    out
}

/// Runs OpenSSL in `cwd` without judging its exit status.
pub fn openssl_output(args: &[&str], cwd: &Path) -> Output {
    Command::new(OPENSSL)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {OPENSSL}: {e}"))
}

/// Runs OpenSSL; panics with its output unless it succeeds. Returns stdout.
pub fn openssl(args: &[&str], cwd: &Path) -> String {
    let out = openssl_output(args, cwd);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "openssl {args:?} in {} failed ({}):\n{stdout}\n{}",
        cwd.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs a shell script; panics unless it succeeds. Returns stdout.
pub fn sh(script: &str, cwd: &Path) -> String {
    let out = Command::new("/bin/sh")
        .args(["-c", script])
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("cannot run /bin/sh: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{script} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The base64 body lines of a PEM text (what must never appear in a log or a message).
pub fn pem_body_lines(pem: &str) -> Vec<String> {
    pem.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .map(str::to_string)
        .collect()
}
