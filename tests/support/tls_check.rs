//! Helpers of the TLS check tests: certificates signed by a hub's root with the product's
//! own pki code (at any moment, so expired ones too), `tanos-menu tls-check` and
//! `tls-listen`, and `openssl s_server` / `s_client` as the outside judges.

use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tanos_menu::appliance::tls::{self, TS_ROOT_CERT, TS_ROOT_KEY, TS_ROOT_PUB};
use tanos_menu::appliance::{Appliance, Platform, Role};
use tanos_menu::pki::issue::{LeafRequest, generate_key, sign_leaf};
use tanos_menu::pki::{KeyType, TrustedKey};
use time::{Duration as Days, OffsetDateTime};

use crate::support::roots;
use crate::support::tls::{issue_via_incoming, new_csr, read, tanium_server, zone_server};
use crate::support::tools::cannot_run;

pub const BIN: &str = env!("CARGO_BIN_EXE_tanos-menu");
pub const OPENSSL: &str = "/usr/bin/openssl";
/// How long a listener may take to come up on a loaded machine.
const START: Duration = Duration::from_secs(90);

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

pub fn scratch(suite: &str) -> tempfile::TempDir {
    roots::scratch(suite, "case-")
}

/// A Tanium Server with the hub add-on whose root was made `days_ago` days ago, so it can
/// sign certificates dated in the past.
pub fn hub(dir: &Path, name: &str, days_ago: i64) -> Appliance {
    let opts = roots::options(Role::TaniumServer, "ts01.example", Platform::V7_3, true);
    roots::appliance(&dir.join(name), &opts, now() - Days::days(days_ago))
}

/// The kinds of leaf key the tests serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaf {
    P256,
    Rsa2048,
    Ed25519,
}

/// A certificate for `names` (DNS names and addresses) signed by `hub`'s root at `at`,
/// valid `days` days, and its key, written to `dir/<file>.crt` and `.key`.
pub fn leaf(
    hub: &Appliance,
    dir: &Path,
    file: &str,
    kind: Leaf,
    names: &[&str],
    at: OffsetDateTime,
    days: i64,
) -> (PathBuf, PathBuf) {
    // The key as PEM (PKCS#8, as OpenSSL reads it) and its public half to sign.
    let (key_pem, spki_der) = match kind {
        Leaf::P256 | Leaf::Rsa2048 => {
            let key_type = if kind == Leaf::P256 {
                KeyType::EcdsaP256
            } else {
                KeyType::Rsa2048
            };
            let key = generate_key(key_type).expect("key");
            let spki = rcgen::PublicKeyData::subject_public_key_info(&key);
            (key.serialize_pem(), spki)
        }
        Leaf::Ed25519 => {
            let key = openssl::pkey::PKey::generate_ed25519().expect("ed25519 key");
            let pem = key.private_key_to_pem_pkcs8().expect("pem");
            let spki = key.public_key_to_der().expect("spki");
            (String::from_utf8(pem).expect("utf-8"), spki)
        }
    };
    let key = rcgen::SubjectPublicKeyInfo::from_der(&spki_der).expect("spki");
    let (dns, ips): (Vec<&str>, Vec<&str>) = names
        .iter()
        .partition(|n| n.parse::<std::net::IpAddr>().is_err());
    let request = LeafRequest {
        common_name: names[0].to_string(),
        dns_names: dns.iter().map(|n| n.to_string()).collect(),
        ips: ips.iter().map(|n| n.parse().expect("ip")).collect(),
        days,
        rsa: kind == Leaf::Rsa2048,
    };
    let root_key = read(&hub.path(TS_ROOT_KEY));
    let root_cert = read(&hub.path(TS_ROOT_CERT));
    let cert = sign_leaf(&request, &key, &root_key, &root_cert, at).expect("sign leaf");
    let (crt, pvk) = (
        dir.join(format!("{file}.crt")),
        dir.join(format!("{file}.key")),
    );
    std::fs::write(&crt, cert).expect("write cert");
    std::fs::write(&pvk, key_pem).expect("write key");
    (crt, pvk)
}

/// A Zone Server at `dir/zs` with a `key_type` key and a certificate issued by `ts` and
/// installed through the product's own steps, as the menus would.
pub fn zone_with_cert(ts: &Appliance, dir: &Path, key_type: KeyType) -> Appliance {
    let now = now();
    let zs = zone_server(dir, "zs", now);
    new_csr(&zs, key_type, now);
    let issued = issue_via_incoming(ts, &zs, "zs01.example.csr", 3650, now);
    let trust = TrustedKey::from_pem(read(&ts.path(TS_ROOT_PUB)).as_bytes()).expect("root");
    tls::install_certificate(&zs, &issued.cert_pem, Some(&trust), now).expect("install");
    zs
}

/// A fresh Tanium Server with the hub add-on at `dir/name`, made now.
pub fn fresh_hub(dir: &Path, name: &str) -> Appliance {
    tanium_server(dir, name, "ts01.example", now())
}

/// `tanos-menu` with `args`; no input.
pub fn tanos(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run tanos-menu")
}

pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `tanos-menu tls-check --root ROOT [args]`: exit code, stdout, stderr.
pub fn tls_check(root: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let root = root.to_str().expect("utf-8 root");
    let mut all = vec!["tls-check", "--root", root];
    all.extend_from_slice(args);
    let out = tanos(&all);
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, stderr)
}

/// A server process, killed when dropped; its output drained so it never blocks.
pub struct Server {
    child: Child,
    pub port: u16,
    _stdin: Option<ChildStdin>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> Option<i32> {
        let pid = i32::try_from(self.child.id()).expect("pid");
        // SAFETY: a plain kill(2) of our own child.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        self.child.wait().expect("wait").code()
    }
}

/// Lines of `from`, sent on a channel by a thread that reads until the end.
fn lines_of(from: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                // Nobody listens any more: keep draining so the writer never blocks.
                continue;
            }
        }
    });
    rx
}

/// Waits for a line for which `found` gives a value; panics with what came otherwise.
fn wait_line<T>(rx: &mpsc::Receiver<String>, what: &str, found: impl Fn(&str) -> Option<T>) -> T {
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + START;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                if let Some(value) = found(&line) {
                    return value;
                }
                seen.push(line);
            }
            Err(_) => panic!("{what} did not start: {seen:#?}"),
        }
    }
}

/// `tanos-menu tls-listen` on a port of its choosing, once it says where it listens.
pub fn tls_listen(root: &Path) -> Server {
    let mut child = Command::new(BIN)
        .args(["tls-listen", "--root"])
        .arg(root)
        .args(["--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tls-listen");
    let rx = lines_of(child.stderr.take().expect("stderr"));
    let port = wait_line(&rx, "tls-listen", |line| {
        let at = line.split(" on 127.0.0.1:").nth(1)?;
        at.split(':').next()?.parse::<u16>().ok()
    });
    Server {
        child,
        port,
        _stdin: None,
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `openssl s_server` with `cert` and `key` and `args`, once it accepts connections.
pub fn s_server(cert: &Path, key: &Path, args: &[&str]) -> Server {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let mut child = Command::new(OPENSSL)
        .args(["s_server", "-accept", &accept, "-cert"])
        .arg(cert)
        .arg("-key")
        .arg(key)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| cannot_run(OPENSSL, &e));
    let out = lines_of(child.stdout.take().expect("stdout"));
    let _err = lines_of(child.stderr.take().expect("stderr"));
    let stdin = child.stdin.take();
    wait_line(&out, "openssl s_server", |line| {
        (line == "ACCEPT").then_some(())
    });
    Server {
        child,
        port,
        _stdin: stdin,
    }
}

/// `openssl s_client` to 127.0.0.1:`port` with `args`, no input: whether the handshake
/// succeeded, and what it printed.
pub fn s_client(port: u16, args: &[&str]) -> (bool, String) {
    let connect = format!("127.0.0.1:{port}");
    let out = Command::new(OPENSSL)
        .args(["s_client", "-connect", &connect])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| cannot_run(OPENSSL, &e));
    let (stdout, stderr) = text(&out);
    (out.status.success(), format!("{stdout}{stderr}"))
}
