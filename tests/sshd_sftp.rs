//! SPEC §4.1, §4.2 push, §4.4 pull and §5 `sshd` against a real OpenSSH sshd, started by
//! the product's own `tanos-menu sshd` on 127.0.0.1: keys exchanged through the product's
//! code, host keys checked as OpenSSH does, nothing outside transfer/ reachable.

use support::sshd_base::PEER;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use tanos_menu::appliance::status::CertState;
use tanos_menu::appliance::tls::{self, CertCheck};
use tanos_menu::appliance::transfer::{Passed, pull_certificate, push_csr};
use tanos_menu::appliance::users::{add_authorized, remove_known_host};
use tanos_menu::appliance::{Appliance, Platform, Role};
use tanos_menu::executor::run_effect;
use tanos_menu::model::{
    Confirm, Effect, FormFor, Key, Model, Msg, Screen, TransferFailure, TransferOp,
};
use tanos_menu::pki::KeyType;
use tanos_menu::pki::csr::{CsrRequest, check_csr, generate_csr};
use tanos_menu::pki::inspect::Validity;
use tanos_menu::transfer::sftp::{self, ClientKeys, Peer, TransferError};
use time::OffsetDateTime;

use support::console::{drive, model};
use support::fs::{bytes, mode, path_str, read};
use support::roots;
use support::tools::run;
use support::tree::{Entry, assert_unchanged, tree_abs};

mod support;

const LIMIT: u64 = 64 * 1024;

// ---------------------------------------------------------------- two appliances

/// A 0755 directory under target/: sshd's StrictModes and ChrootDirectory want every
/// component of the roots root-owned and not writable by group or others.
fn base() -> PathBuf {
    let base = support::sshd_base::sshd_base("sshd_sftp");
    for dir in base.ancestors() {
        let mode = std::fs::metadata(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o022,
            0,
            "{} is writable by group or others: sshd would refuse roots under it",
            dir.display()
        );
    }
    base
}

struct Pair {
    dir: tempfile::TempDir,
    ts: Appliance,
    zs: Appliance,
}

fn pair() -> Pair {
    let dir = roots::scratch_in(&base(), "case-");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod case dir");
    let now = OffsetDateTime::now_utc();
    let mut made = Vec::new();
    for (name, role, hostname, zone_hub) in [
        ("ts", Role::TaniumServer, "ts01.example", true),
        ("zs", Role::ZoneServer, "zs01.example", false),
    ] {
        let opts = roots::options(role, hostname, Platform::V7_3, zone_hub);
        made.push(roots::appliance(&dir.path().join(name), &opts, now));
    }
    let zs = made.pop().expect("zs");
    let ts = made.pop().expect("ts");
    Pair { dir, ts, zs }
}

/// SPEC §4.1 through the product's code: tanadmin's public key of the Zone Server pasted
/// into tancopy's authorized keys on the Tanium Server.
fn exchange_keys(p: &Pair) {
    let public = read(&p.zs.ssh_dir("tanadmin").join("id_ed25519.pub"));
    add_authorized(&p.ts, "tancopy", &public).expect("authorize tanadmin's key");
}

/// Zone Server CSR (§4.2), certificate issued on the Tanium Server (§4.3): the server's
/// /outgoing then holds reporting.crt and tanium.pub.
fn issue_certificate(p: &Pair) {
    let now = OffsetDateTime::now_utc();
    let new = generate_csr(&CsrRequest {
        common_name: "zs01.example".into(),
        dns_names: vec!["zs01-alt.example".into()],
        ips: Vec::new(),
        key_type: KeyType::EcdsaP256,
    })
    .expect("generate a CSR");
    tls::write_new_csr(&p.zs, &new, now).expect("write the CSR");
    let checked = check_csr(&new.csr_pem).expect("check the CSR");
    tanos_menu::appliance::issuance::issue_from_csr(&p.ts, &checked, 3650, now).expect("issue");
}

fn peer(port: u16) -> Peer {
    Peer {
        host: "127.0.0.1".into(),
        port,
        user: PEER.to_string(),
    }
}

fn client_keys(app: &Appliance) -> ClientKeys {
    ClientKeys::in_dir(&app.ssh_dir("tanadmin"))
}

// ---------------------------------------------------------------- the product's sshd

/// A port nothing listens on, never handed out twice in this process: a test that stops
/// its server must not find another test's server on its port.
fn free_port() -> u16 {
    static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free port");
        let port = listener.local_addr().expect("local address").port();
        if given.insert(port) {
            return port;
        }
    }
}

/// Whether an SSH server answers on `port` with its banner.
fn answers(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut banner = [0u8; 8];
    stream.read_exact(&mut banner).is_ok() && &banner == b"SSH-2.0-"
}

fn accepts_connections(port: u16) -> bool {
    TcpStream::connect_timeout(
        &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        Duration::from_millis(500),
    )
    .is_ok()
}

/// `tanos-menu sshd --root <ts> --listen 127.0.0.1:<port>` in its own process group (so
/// that sshd, its child, goes with it), stopped when dropped.
struct Server {
    child: Option<Child>,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn start(root: &Path, port: u16, log: PathBuf) -> Server {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("sshd log");
        let child = support::e2e::sshd_command(root, port, &out)
            .spawn()
            .expect("start tanos-menu sshd");
        let mut server = Server {
            child: Some(child),
            port,
            log,
        };
        for _ in 0..200 {
            if answers(port) {
                return server;
            }
            if let Some(status) = server
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                server.child = None;
                panic!(
                    "tanos-menu sshd exited ({status}) before serving:\n{}",
                    server.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("sshd never answered on port {port}:\n{}", server.log());
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The pid of `tanos-menu sshd` itself.
    fn pid(&self) -> u32 {
        self.child.as_ref().expect("the wrapper runs").id()
    }

    /// Sends `signal` to the wrapper alone (not its group) and waits until it has ended.
    fn signal_wrapper(&mut self, signal: i32) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("the wrapper runs");
        // SAFETY: kill(2) of the wrapper this guard started and has not reaped.
        unsafe {
            libc::kill(child.id() as libc::pid_t, signal);
        }
        let mut status = None;
        eventually("the wrapper ends", || {
            status = child.try_wait().expect("wait for the wrapper");
            status.is_some()
        });
        status.expect("ended")
    }

    /// Stops tanos-menu and sshd, and waits until the port is closed.
    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let group = child.id() as libc::pid_t;
        // SAFETY: a plain kill(2) of the process group this guard created.
        unsafe {
            libc::kill(-group, libc::SIGTERM);
        }
        let _ = child.wait();
        for _ in 0..200 {
            if !accepts_connections(self.port) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // SAFETY: as above; sshd did not go on SIGTERM.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(p: &Pair, port: u16) -> Server {
    Server::start(&p.ts.root, port, p.dir.path().join("sshd.log"))
}

/// A pair after the key exchange and the issue, the Tanium Server's sshd up, and the Zone
/// Server's peer for it. Bind it in this order: the server stops before the roots go.
struct Served {
    p: Pair,
    port: u16,
    server: Server,
    peer: Peer,
}

fn served() -> Served {
    let p = pair();
    exchange_keys(&p);
    issue_certificate(&p);
    let port = free_port();
    let server = serve(&p, port);
    Served {
        p,
        port,
        server,
        peer: peer(port),
    }
}

/// The first pull: the host key trusted as asked, the downloaded files removed again.
/// Returns the fingerprint trusted.
fn first_pull(p: &Pair, peer: &Peer, port: u16) -> String {
    let fp = unknown_host(
        pull_certificate(&p.zs, peer, None, &no_cancel()),
        &p.ts,
        port,
    );
    pull_certificate(&p.zs, peer, Some(&fp), &no_cancel()).expect("first pull");
    for name in ["reporting.crt", "tanium.pub"] {
        std::fs::remove_file(p.zs.path("transfer/incoming").join(name)).expect("remove");
    }
    fp
}

// ---------------------------------------------------------------- files and judges

/// `ssh-keygen -l` of the server's host key: what the operator compares.
fn host_key_fingerprint(ts: &Appliance) -> String {
    let public = ts.path("etc/ssh/ssh_host_ed25519_key.pub");
    let (ok, out) = run(
        "ssh-keygen",
        &["-l", "-E", "sha256", "-f", path_str(&public)],
    );
    assert!(ok, "ssh-keygen -l {}: {out}", public.display());
    out.split_whitespace()
        .nth(1)
        .expect("fingerprint field")
        .to_string()
}

#[track_caller]
fn assert_verifies(ca: &Path, cert: &Path) {
    let (ok, out) = run(
        "openssl",
        &["verify", "-CAfile", path_str(ca), path_str(cert)],
    );
    assert!(
        ok && out.contains(&format!("{}: OK", cert.display())),
        "openssl verify refused {}:\n{out}",
        cert.display()
    );
}

/// The first call of a connection to an unknown host: its fingerprint, nothing written.
#[track_caller]
fn unknown_host<T: std::fmt::Debug>(
    result: Result<T, TransferError>,
    ts: &Appliance,
    port: u16,
) -> String {
    match result {
        Err(TransferError::UnknownHost {
            host,
            key_type,
            fingerprint,
        }) => {
            assert_eq!(host, format!("[127.0.0.1]:{port}"));
            assert_eq!(key_type, "ssh-ed25519");
            assert_eq!(
                fingerprint,
                host_key_fingerprint(ts),
                "the fingerprint shown is the one ssh-keygen reads from the server's host key"
            );
            fingerprint
        }
        other => panic!("expected an unknown host, got {other:?}"),
    }
}

fn no_cancel() -> AtomicBool {
    AtomicBool::new(false)
}

// ---------------------------------------------------------------- sshd --check

/// `tanos-menu sshd --root <root> --listen 127.0.0.1:<port> --check --user <PEER>`.
fn check_config(root: &Path, port: u16) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tanos-menu"))
        .arg("sshd")
        .arg("--root")
        .arg(root)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--check")
        .arg("--user")
        .arg(PEER)
        .env_remove("TANOS_ROOT")
        .output()
        .expect("run tanos-menu sshd --check")
}

#[test]
fn sshd_check_writes_a_configuration_sshd_accepts() {
    let p = pair();
    let port = free_port();
    let out = check_config(&p.ts.root, port);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "sshd --check failed: {stderr}");
    assert!(
        stderr.contains("confined to transfer/ (chroot)"),
        "run as root under root-owned directories, logins are confined: {stderr}"
    );

    let config = p.ts.path("etc/ssh/sshd_config");
    let key = p.ts.path("etc/ssh/ssh_host_ed25519_key");
    assert_eq!(mode(&key), 0o600, "host key mode");
    assert_eq!(mode(&p.ts.path("etc/ssh")), 0o700, "etc/ssh mode");
    let text = read(&config);
    let root = std::fs::canonicalize(&p.ts.root).expect("canonical root");
    for line in [
        format!("ListenAddress 127.0.0.1:{port}"),
        format!(
            "HostKey {}",
            root.join("etc/ssh/ssh_host_ed25519_key").display()
        ),
        "AuthorizedKeysFile none".into(),
        format!(
            "AuthorizedKeysCommand /usr/bin/cat {}",
            root.join("home/tancopy/.ssh/authorized_keys").display()
        ),
        "AuthorizedKeysCommandUser root".into(),
        "PasswordAuthentication no".into(),
        "PermitRootLogin no".into(),
        format!("AllowUsers {PEER}"),
        format!("ChrootDirectory {}", root.join("transfer").display()),
        "ForceCommand internal-sftp -d / -u 0022 -P setstat,fsetstat,lsetstat,symlink,hardlink,mkdir,rmdir".into(),
    ] {
        assert!(
            text.lines().any(|l| l.trim() == line),
            "'{line}' missing from:\n{text}"
        );
    }
    let (ok, out) = run("/usr/sbin/sshd", &["-t", "-f", path_str(&config)]);
    assert!(ok, "sshd -t refused the configuration:\n{out}\n{text}");
    // The host key is a real OpenSSH key.
    let (ok, out) = run("ssh-keygen", &["-y", "-f", path_str(&key)]);
    assert!(ok && out.starts_with("ssh-ed25519 "), "{out}");

    // Checking again keeps the host key: peers that recorded it still recognise it.
    let before = bytes(&key);
    let status = check_config(&p.ts.root, port);
    assert!(status.status.success());
    assert_eq!(bytes(&key), before);
}

// ---------------------------------------------------------------- pull (§4.4)

#[test]
fn after_the_key_exchange_the_pull_downloads_and_the_certificate_installs() {
    let Served {
        p,
        port,
        server,
        peer,
    } = served();

    // Unknown host: the operator is asked; nothing is written anywhere.
    let (ts_before, zs_before) = (tree_abs(&p.ts.root), tree_abs(&p.zs.root));
    let fingerprint = unknown_host(
        pull_certificate(&p.zs, &peer, None, &no_cancel()),
        &p.ts,
        port,
    );
    assert_unchanged(&p.zs.root, &zs_before, "an unknown host");
    assert_unchanged(&p.ts.root, &ts_before, "an unknown host");
    // A fingerprint that is not the host's is not recorded either.
    let wrong = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    unknown_host(
        pull_certificate(&p.zs, &peer, Some(wrong), &no_cancel()),
        &p.ts,
        port,
    );
    assert_unchanged(
        &p.zs.root,
        &zs_before,
        "a fingerprint the host does not present",
    );

    // Accepted: downloaded into /incoming, host recorded.
    let pulled = pull_certificate(&p.zs, &peer, Some(&fingerprint), &no_cancel())
        .unwrap_or_else(|e| panic!("pull: {e}\n{}", server.log()));
    // The certificate named after the Zone Server is taken; the seed's copy is the same.
    assert_eq!(pulled.taken, "zs01.example.crt");
    assert_eq!(
        pulled.passed,
        vec![("reporting.crt".to_string(), Passed::NotNeeded)]
    );
    let incoming = p.zs.path("transfer/incoming");
    assert_eq!(
        bytes(&incoming.join("reporting.crt")),
        bytes(&p.ts.path("transfer/outgoing/reporting.crt"))
    );
    assert_eq!(
        bytes(&incoming.join("tanium.pub")),
        bytes(&p.ts.path("transfer/outgoing/tanium.pub"))
    );
    let known_hosts = p.zs.ssh_dir("tanadmin").join("known_hosts");
    assert_eq!(mode(&known_hosts), 0o600);
    let host_pub = read(&p.ts.path("etc/ssh/ssh_host_ed25519_key.pub"));
    let blob = host_pub.split_whitespace().nth(1).expect("host key blob");
    assert_eq!(
        read(&known_hosts),
        format!("[127.0.0.1]:{port} ssh-ed25519 {blob}\n")
    );
    // OpenSSH finds the entry too.
    let (ok, out) = run(
        "ssh-keygen",
        &[
            "-F",
            &format!("[127.0.0.1]:{port}"),
            "-f",
            path_str(&known_hosts),
        ],
    );
    assert!(ok && out.contains(blob), "ssh-keygen -F: {out}");

    // Known now: no question, no second entry.
    pull_certificate(&p.zs, &peer, None, &no_cancel()).expect("pull from a known host");
    assert_eq!(read(&known_hosts).lines().count(), 1);

    // §4.4: checked against the key and the root key found beside it, then installed.
    let now = OffsetDateTime::now_utc();
    let text = read(&incoming.join("reporting.crt"));
    let candidate = match tls::check_for_install(&p.zs, &text, now).expect("check") {
        CertCheck::NeedsTrust {
            summary, candidate, ..
        } => {
            assert_eq!(summary.subject, "CN=zs01.example");
            candidate
        }
        other => panic!("expected the root key to be confirmed first: {other:?}"),
    };
    let ts_root = tanos_menu::pki::TrustedKey::from_pem(&bytes(&p.ts.path("tanium/tanium.pub")))
        .expect("server root key");
    assert_eq!(candidate.fingerprint, ts_root.fingerprint);
    tls::install_certificate(&p.zs, &text, Some(&candidate), now).expect("install");
    assert_verifies(
        &p.ts.path("tanium/tanium-root.crt"),
        &p.zs.path("zoneserver/reporting.crt"),
    );
    assert_eq!(
        bytes(&p.zs.path("zoneserver/tanium.pub")),
        bytes(&p.ts.path("tanium/tanium.pub"))
    );
}

#[test]
fn without_the_key_exchange_the_login_is_refused_and_nothing_is_written() {
    let p = pair();
    issue_certificate(&p);
    let port = free_port();
    let server = serve(&p, port);
    let peer = peer(port);
    let known_hosts = p.zs.ssh_dir("tanadmin").join("known_hosts");

    let (ts_before, zs_before) = (tree_abs(&p.ts.root), tree_abs(&p.zs.root));
    let fingerprint = unknown_host(
        pull_certificate(&p.zs, &peer, None, &no_cancel()),
        &p.ts,
        port,
    );
    assert_unchanged(&p.zs.root, &zs_before, "an unknown host");

    // The operator accepts the host key: like OpenSSH, it is recorded before the login
    // is tried, and that is the only file written.
    let e = pull_certificate(&p.zs, &peer, Some(&fingerprint), &no_cancel())
        .expect_err("refused without the key exchange");
    assert!(
        matches!(e, TransferError::AuthRefused { .. }),
        "{e:?}\n{}",
        server.log()
    );
    let message = e.to_string();
    assert!(message.contains("refused tanadmin's key"), "{message}");
    let mut zs_with_host = zs_before.clone();
    zs_with_host.insert(known_hosts.clone(), Entry::File(0o600, bytes(&known_hosts)));
    assert_unchanged(&p.zs.root, &zs_with_host, "a refused login");
    assert_unchanged(&p.ts.root, &ts_before, "a refused login");

    // Again, the host known: refused, nothing written on either side.
    let e = pull_certificate(&p.zs, &peer, None, &no_cancel()).expect_err("refused");
    assert!(e.to_string().contains("refused tanadmin's key"), "{e}");
    let e = push_csr(&p.zs, &peer, None, &no_cancel()).expect_err("push refused");
    assert!(e.to_string().contains("refused tanadmin's key"), "{e}");
    assert_unchanged(&p.zs.root, &zs_with_host, "refused logins");
    assert_unchanged(&p.ts.root, &ts_before, "refused logins");

    // Through the executor, as the console sees it.
    let answer = run_effect(
        &p.zs.root,
        Effect::Transfer {
            op: TransferOp::PullCertificate,
            peer: peer.clone(),
            trust: None,
        },
    );
    match answer {
        Msg::Transferred {
            result: Err(TransferFailure::Needs { message, first }),
            ..
        } => {
            assert!(message.contains("refused tanadmin's key"), "{message}");
            // The console's message says where to fix it, the key path from the menus.
            let shown = model(&p.zs.root).with_step(&message, Some(first));
            assert!(shown.contains("C › 3 › "), "says where to fix it: {shown}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_unchanged(&p.zs.root, &zs_with_host, "a refused login in the console");
}

// ---------------------------------------------------------------- push (§4.2)

#[test]
fn the_pushed_csr_lands_in_the_servers_incoming() {
    let Served {
        p,
        port: _,
        server,
        peer,
    } = served();
    // Pushed under the Zone Server's own name (SPEC §6 fleet naming).
    let target = p.ts.path("transfer/incoming/zs01.example.csr");
    assert!(!target.exists());

    let e = push_csr(&p.zs, &peer, None, &no_cancel()).expect_err("unknown host first");
    let TransferError::UnknownHost { fingerprint, .. } = e else {
        panic!("expected an unknown host, got {e:?}");
    };
    assert_eq!(fingerprint, host_key_fingerprint(&p.ts));
    assert!(
        !target.exists(),
        "nothing pushed before the host is trusted"
    );

    let pushed = push_csr(&p.zs, &peer, Some(&fingerprint), &no_cancel())
        .unwrap_or_else(|e| panic!("push: {e}\n{}", server.log()));
    assert_eq!(pushed.remote, "zs01.example.csr");
    assert_eq!(pushed.beside, None);
    assert_eq!(
        bytes(&target),
        bytes(&p.zs.path("zoneserver/reporting.csr"))
    );
    let names: Vec<String> = std::fs::read_dir(p.ts.path("transfer/incoming"))
        .expect("incoming")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["zs01.example.csr".to_string()],
        "no partial file left"
    );
    // Pushed again, same key: the same file, replaced.
    let again = push_csr(&p.zs, &peer, None, &no_cancel()).expect("push the same again");
    assert_eq!(again.remote, "zs01.example.csr");

    // Pushed after a new CSR (another key): beside the first, which stays as it was.
    let first = bytes(&target);
    let new = generate_csr(&CsrRequest {
        common_name: "zs01.example".into(),
        dns_names: Vec::new(),
        ips: Vec::new(),
        key_type: KeyType::EcdsaP384,
    })
    .expect("CSR");
    tls::write_new_csr(&p.zs, &new, OffsetDateTime::now_utc()).expect("write CSR");
    let pushed = push_csr(&p.zs, &peer, None, &no_cancel()).expect("push again");
    assert_eq!(pushed.beside.as_deref(), Some("zs01.example.csr"));
    assert!(pushed.remote.starts_with("zs01.example-") && pushed.remote.ends_with(".csr"));
    assert_eq!(
        bytes(&target),
        first,
        "the other key's request is left as it was"
    );
    let beside = p.ts.path("transfer/incoming").join(&pushed.remote);
    assert_eq!(read(&beside), new.csr_pem);
    // The Tanium Server imports what landed (2 › Z › 2 › 1 reads it from there).
    check_csr(&read(&beside)).expect("a valid CSR");
}

// ---------------------------------------------------------------- host keys

#[test]
fn a_changed_host_key_is_refused_until_the_old_entry_is_removed() {
    let Served {
        p,
        port,
        mut server,
        peer,
    } = served();
    let first = first_pull(&p, &peer, port);

    // The server gets a new host key.
    server.stop();
    for name in ["ssh_host_ed25519_key", "ssh_host_ed25519_key.pub"] {
        std::fs::remove_file(p.ts.path("etc/ssh").join(name)).expect("remove host key");
    }
    let server = serve(&p, port);
    let second = host_key_fingerprint(&p.ts);
    assert_ne!(first, second, "a new host key");

    let zs_before = tree_abs(&p.zs.root);
    for trust in [None, Some(second.as_str()), Some(first.as_str())] {
        let e = pull_certificate(&p.zs, &peer, trust, &no_cancel())
            .expect_err("a changed host key is refused");
        match &e {
            TransferError::HostKeyChanged { host, fingerprint } => {
                assert_eq!(host, &format!("[127.0.0.1]:{port}"));
                assert_eq!(fingerprint, &second);
            }
            other => panic!("expected HostKeyChanged, got {other:?}\n{}", server.log()),
        }
        let message = e.to_string();
        assert!(message.contains("HAS CHANGED"), "{message}");
        assert!(message.contains(&second), "{message}");
        assert_unchanged(&p.zs.root, &zs_before, "a changed host key");
    }
    let e = push_csr(&p.zs, &peer, None, &no_cancel()).expect_err("push refused too");
    assert!(matches!(e, TransferError::HostKeyChanged { .. }), "{e:?}");
    assert!(!p.ts.path("transfer/incoming/zs01.example.csr").exists());

    // The operator removes the old entry (C › 3 › tanadmin › 4): asked again.
    let removed = remove_known_host(&p.zs, 1).expect("remove the entry");
    assert_eq!(removed, format!("[127.0.0.1]:{port}"));
    assert_eq!(read(&p.zs.ssh_dir("tanadmin").join("known_hosts")), "");
    let asked = unknown_host(
        pull_certificate(&p.zs, &peer, None, &no_cancel()),
        &p.ts,
        port,
    );
    assert_eq!(asked, second);
    pull_certificate(&p.zs, &peer, Some(&asked), &no_cancel()).expect("pull after removal");
    assert!(p.zs.path("transfer/incoming/reporting.crt").exists());
}

/// A host key tanadmin's known_hosts marks `@revoked` is refused as OpenSSH refuses it:
/// whatever the operator answers, never trusted, never recorded, nothing transferred.
/// Beside it, a plain entry for another host and a comment: the revocation is read among
/// them.
#[test]
fn a_revoked_host_key_is_refused_even_when_trusted() {
    let p = pair();
    exchange_keys(&p);
    issue_certificate(&p);
    let port = free_port();
    let server = serve(&p, port);
    let peer = peer(port);
    let public = read(&p.ts.path("etc/ssh/ssh_host_ed25519_key.pub"));
    let mut words = public.split_whitespace();
    let (kind, base64) = (words.next().expect("type"), words.next().expect("key"));
    let known = p.zs.ssh_dir("tanadmin").join("known_hosts");
    let text = format!(
        "# kept by hand
other.example {kind} AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ
@revoked * {kind} {base64}
"
    );
    std::fs::write(&known, &text).expect("known_hosts");
    let fp = host_key_fingerprint(&p.ts);
    let zs_before = tree_abs(&p.zs.root);
    for trust in [None, Some(fp.as_str())] {
        let e = pull_certificate(&p.zs, &peer, trust, &no_cancel())
            .expect_err("a revoked host key is refused");
        assert!(
            matches!(&e, TransferError::HostKeyRevoked { fingerprint, .. } if *fingerprint == fp),
            "expected HostKeyRevoked, got {e:?}\n{}",
            server.log()
        );
        assert!(e.to_string().contains("REVOKED"), "{e}");
        assert_unchanged(&p.zs.root, &zs_before, "a revoked host key");
        let e = push_csr(&p.zs, &peer, trust, &no_cancel()).expect_err("push refused too");
        assert!(matches!(e, TransferError::HostKeyRevoked { .. }), "{e:?}");
    }
    assert!(!p.ts.path("transfer/incoming/zs01.example.csr").exists());
    assert_eq!(read(&known), text);
}

/// tanadmin's known_hosts or private key replaced by a FIFO (no writer) is refused, not
/// waited on: known_hosts is read bounded, once, and libssh2 never opens it; the key files
/// reach libssh2 only when they are regular files of a key's size.
#[test]
fn a_fifo_in_place_of_known_hosts_or_the_key_is_refused_not_waited_on() {
    let p = pair();
    exchange_keys(&p);
    issue_certificate(&p);
    let port = free_port();
    let _server = serve(&p, port);
    // The host known first: with the FIFO in place of the key, the login is what reads it.
    let fp = unknown_host(
        pull_certificate(&p.zs, &peer(port), None, &no_cancel()),
        &p.ts,
        port,
    );
    pull_certificate(&p.zs, &peer(port), Some(&fp), &no_cancel()).expect("first pull");
    for name in ["known_hosts", "id_ed25519"] {
        let file = p.zs.ssh_dir("tanadmin").join(name);
        let kept = file.with_extension("kept");
        std::fs::rename(&file, &kept).ok();
        let c = std::ffi::CString::new(path_str(&file)).expect("path");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
        refused_not_waited_on(&p, port);
        std::fs::remove_file(&file).expect("remove FIFO");
        std::fs::rename(&kept, &file).ok();
    }
}

fn refused_not_waited_on(p: &Pair, port: u16) {
    let (tx, rx) = std::sync::mpsc::channel();
    let zs = p.zs.clone();
    std::thread::spawn(move || {
        let _ = tx.send(pull_certificate(&zs, &peer(port), None, &no_cancel()));
    });
    // Far beyond any honest connection; only a read that waits forever gets near it.
    let result = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("no answer: the connection waits on the FIFO");
    match result {
        Err(TransferError::Io(e)) => assert!(e.contains("FIFO"), "{e}"),
        other => panic!("expected a refusal of known_hosts, got {other:?}"),
    }
}

#[test]
fn a_stopped_server_gives_a_clear_error_and_nothing_is_installed() {
    let Served {
        p,
        port,
        mut server,
        peer,
    } = served();
    first_pull(&p, &peer, port);

    server.stop();
    let zs_before = tree_abs(&p.zs.root);
    let zoneserver_before = tree_abs(&p.zs.path("zoneserver"));
    let e = pull_certificate(&p.zs, &peer, None, &no_cancel()).expect_err("server stopped");
    assert!(
        matches!(e, TransferError::Unreachable(_) | TransferError::Io(_)),
        "{e:?}"
    );
    assert!(
        e.to_string().contains(&format!("127.0.0.1:{port}")),
        "names the peer: {e}"
    );

    // The console: the pull fails with the message, nothing is installed.
    let mut zs = model(&p.zs.root);
    let effects = typed_peer(&mut zs, TransferOp::PullCertificate, port);
    drive(&mut zs, &p.zs.root, effects);
    let flash = zs.flash.clone().expect("a message");
    assert!(flash.error, "{flash:?}");
    assert!(flash.text.contains("cannot reach"), "{}", flash.text);
    assert!(matches!(
        zs.snapshot.as_ref().map(|s| &s.cert),
        Some(CertState::None)
    ));
    assert_unchanged(
        &p.zs.path("zoneserver"),
        &zoneserver_before,
        "a failed pull",
    );
    assert_unchanged(&p.zs.root, &zs_before, "a failed pull");
}

// ---------------------------------------------------------------- confinement

#[test]
fn paths_outside_transfer_are_never_served() {
    let Served {
        p,
        port,
        server,
        peer,
    } = served();
    let keys = client_keys(&p.zs);
    let cancel = no_cancel();
    let fp = unknown_host(pull_certificate(&p.zs, &peer, None, &cancel), &p.ts, port);
    pull_certificate(&p.zs, &peer, Some(&fp), &cancel).expect("pull");

    // What is there is served.
    let cert = sftp::download(&peer, &keys, "outgoing/reporting.crt", LIMIT, None, &cancel)
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    assert_eq!(cert, bytes(&p.ts.path("transfer/outgoing/reporting.crt")));
    let cert = sftp::download(
        &peer,
        &keys,
        "/outgoing/reporting.crt",
        LIMIT,
        None,
        &cancel,
    )
    .expect("absolute path inside the transfer area");
    assert_eq!(cert, bytes(&p.ts.path("transfer/outgoing/reporting.crt")));

    // What is not is never.
    for remote in [
        "../tanium/tanium.pvk",
        "/tanium/tanium.pvk",
        "../../etc/passwd",
        "outgoing/../../tanium/tanium.pvk",
        "../../../../../../../../etc/shadow",
        "../etc/ssh/ssh_host_ed25519_key",
        "../home/tanadmin/.ssh/id_ed25519",
        &format!("{}/tanium/tanium.pvk", p.ts.root.display()),
    ] {
        match sftp::download(&peer, &keys, remote, LIMIT, None, &cancel) {
            Err(TransferError::NotFound { path, .. }) => assert_eq!(path, remote),
            Ok(bytes) => panic!("{remote}: {} bytes served", bytes.len()),
            Err(other) => panic!("{remote}: expected NotFound, got {other:?}"),
        }
    }

    // Nor written.
    let ts_before = tree_abs(&p.ts.root);
    for remote in [
        "../tanium/tanium.pub",
        "../home/tancopy/.ssh/authorized_keys",
        "/../etc/ssh/sshd_config",
    ] {
        let e = sftp::upload(&peer, &keys, remote, b"overwritten\n", None, &cancel)
            .expect_err("an upload outside transfer/");
        assert!(matches!(e, TransferError::Io(_)), "{remote}: {e:?}");
    }
    assert_unchanged(&p.ts.root, &ts_before, "uploads outside transfer/");

    // OpenSSH's own sftp client, with the same key and known_hosts.
    let local = p.dir.path().join("fetched");
    std::fs::create_dir_all(&local).expect("local dir");
    let sftp_batch = |commands: &str| {
        let batch = p.dir.path().join("batch");
        std::fs::write(&batch, commands).expect("batch file");
        let port = port.to_string();
        let known = p.zs.ssh_dir("tanadmin").join("known_hosts");
        let key = p.zs.ssh_dir("tanadmin").join("id_ed25519");
        run(
            "sftp",
            &[
                "-F",
                "/dev/null",
                "-b",
                path_str(&batch),
                "-P",
                &port,
                "-i",
                path_str(&key),
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                &format!("UserKnownHostsFile={}", path_str(&known)),
                &format!("{}@127.0.0.1", peer.user),
            ],
        )
    };
    let (ok, out) = sftp_batch(&format!(
        "get outgoing/reporting.crt {}\n",
        local.join("reporting.crt").display()
    ));
    assert!(ok, "sftp get outgoing/reporting.crt: {out}");
    assert_eq!(
        bytes(&local.join("reporting.crt")),
        bytes(&p.ts.path("transfer/outgoing/reporting.crt"))
    );
    for remote in [
        "../tanium/tanium.pvk",
        "/tanium/tanium.pvk",
        "../../etc/passwd",
    ] {
        let (ok, out) = sftp_batch(&format!(
            "get {remote} {}\n",
            local.join("stolen").display()
        ));
        assert!(!ok, "sftp get {remote} succeeded: {out}");
        assert!(!local.join("stolen").exists(), "{remote} was fetched");
    }
    // Nothing but SFTP: a shell command is refused.
    let (ok, out) = run(
        "ssh",
        &[
            "-F",
            "/dev/null",
            "-p",
            &port.to_string(),
            "-i",
            path_str(&p.zs.ssh_dir("tanadmin").join("id_ed25519")),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            &format!(
                "UserKnownHostsFile={}",
                path_str(&p.zs.ssh_dir("tanadmin").join("known_hosts"))
            ),
            &format!("{}@127.0.0.1", peer.user),
            "cat",
            "/etc/passwd",
        ],
    );
    assert!(
        !out.contains("root:x:0:0"),
        "a shell command ran: {ok} {out}"
    );
}

// ---------------------------------------------------------------- the console

fn act(m: &mut Model, root: &Path, keys: &str) {
    let effects = support::ui::typed(m, keys);
    drive(m, root, effects);
}

fn confirm(m: &Model) -> Confirm {
    match m.screen() {
        Screen::Confirm(c) => c.clone(),
        other => panic!(
            "expected a confirmation, found {other:?}\nflash: {:?}\n{}",
            m.flash,
            support::ui::render(m)
        ),
    }
}

/// 2 › Z › 3 › 3 (or 2 › Z › 1's push), then Host, Port and User typed at the peer form;
/// returns the effects the last Enter starts.
fn typed_peer(m: &mut Model, op: TransferOp, port: u16) -> Vec<Effect> {
    let path = match op {
        TransferOp::PullCertificate => "RR\n2\nZ\n3\n3\n",
        TransferOp::PushCsr => unreachable!("the push is offered after 2 › Z › 1"),
    };
    assert!(support::ui::typed(m, path).is_empty());
    match m.screen() {
        Screen::Form(f) => {
            assert_eq!(f.purpose, FormFor::Peer(op));
            assert_eq!(f.fields[0].label, "Host");
        }
        other => panic!("expected the peer form, found {other:?}"),
    }
    assert!(support::ui::typed(m, "127.0.0.1\n").is_empty());
    assert!(support::ui::typed(m, &format!("{port}\n")).is_empty());
    let effects = support::ui::typed(m, &format!("{PEER}\n"));
    assert_eq!(
        effects,
        vec![Effect::Transfer {
            op,
            peer: peer(port),
            trust: None
        }]
    );
    effects
}

#[test]
fn the_whole_pull_through_the_console() {
    let p = pair();
    exchange_keys(&p);
    issue_certificate(&p);
    let port = free_port();
    let server = serve(&p, port);
    let mut zs = model(&p.zs.root);
    assert!(matches!(
        zs.snapshot.as_ref().map(|s| &s.cert),
        Some(CertState::None)
    ));

    let effects = typed_peer(&mut zs, TransferOp::PullCertificate, port);
    drive(&mut zs, &p.zs.root, effects);
    let c = confirm(&zs);
    assert_eq!(c.title, "Unknown host");
    let fingerprint = host_key_fingerprint(&p.ts);
    assert!(c.warning.contains(&fingerprint), "{}", c.warning);
    assert!(
        matches!(&c.on_yes.effect, Effect::Transfer { trust: Some(f), .. } if *f == fingerprint),
        "{:?}",
        c.on_yes
    );
    // The server's Tanium Status shows the same fingerprint to compare with.
    let ts = model(&p.ts.root);
    assert_eq!(
        ts.snapshot.as_ref().and_then(|s| s.sftp_host_key.clone()),
        Some(fingerprint.clone())
    );
    // `n` declines: nothing recorded, nothing downloaded.
    let zs_before = tree_abs(&p.zs.root);
    act(&mut zs, &p.zs.root, "n\n");
    assert_unchanged(&p.zs.root, &zs_before, "declining the host");

    let effects = typed_peer(&mut zs, TransferOp::PullCertificate, port);
    drive(&mut zs, &p.zs.root, effects);
    assert_eq!(confirm(&zs).title, "Unknown host");
    act(&mut zs, &p.zs.root, "y\n");

    // Downloaded; no trusted root yet: the root key from /incoming/tanium.pub is offered.
    let c = confirm(&zs);
    assert!(
        c.question.to_lowercase().contains("trust"),
        "{}\n{}",
        c.question,
        server.log()
    );
    let ts_root = tanos_menu::pki::TrustedKey::from_pem(&bytes(&p.ts.path("tanium/tanium.pub")))
        .expect("server root key");
    assert!(c.warning.contains(&ts_root.fingerprint), "{}", c.warning);
    act(&mut zs, &p.zs.root, "y\n");

    let flash = zs.flash.clone().expect("a message");
    assert!(
        flash.text.contains("Certificate installed"),
        "{}",
        flash.text
    );
    match zs.snapshot.as_ref().map(|s| &s.cert) {
        Some(CertState::Installed { summary, validity }) => {
            assert_eq!(summary.subject, "CN=zs01.example");
            assert_eq!(*validity, Validity::Valid);
        }
        other => panic!("certificate not installed: {other:?}"),
    }
    assert_verifies(
        &p.ts.path("tanium/tanium-root.crt"),
        &p.zs.path("zoneserver/reporting.crt"),
    );
    // The peer is remembered for the next transfer of the session.
    act(&mut zs, &p.zs.root, "RR\n2\nZ\n3\n3\n");
    match zs.screen() {
        Screen::Form(f) => {
            assert_eq!(f.fields[0].default, "127.0.0.1");
            assert_eq!(f.fields[1].default, port.to_string());
            assert_eq!(f.fields[2].default, PEER);
        }
        other => panic!("expected the peer form, found {other:?}"),
    }
    support::ui::press(&mut zs, Key::Esc);
}

// ---------------------------------------------------------------- waiting on a loaded machine

/// Polls `done` until it holds; panics naming `what` after a deadline generous enough for
/// a loaded machine.
#[track_caller]
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !done() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---------------------------------------------------------------- the peer's rights

/// Owner, group and mode of `dir` and of every path under it (links not followed), with the
/// bytes of files and the targets of links: all a peer's attempt must leave as it was.
type Owned = BTreeMap<PathBuf, (u32, u32, u32, Option<Vec<u8>>)>;

fn owned_tree(dir: &Path) -> Owned {
    fn walk(path: &Path, out: &mut Owned) {
        let meta = std::fs::symlink_metadata(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let content = if meta.file_type().is_file() {
            Some(bytes(path))
        } else if meta.file_type().is_symlink() {
            Some(
                std::fs::read_link(path)
                    .expect("readlink")
                    .into_os_string()
                    .into_encoded_bytes(),
            )
        } else {
            None
        };
        out.insert(
            path.to_path_buf(),
            (meta.uid(), meta.gid(), meta.mode() & 0o7777, content),
        );
        if meta.file_type().is_dir() {
            for entry in std::fs::read_dir(path).expect("read_dir") {
                walk(&entry.expect("entry").path(), out);
            }
        }
    }
    let mut out = Owned::new();
    walk(dir, &mut out);
    out
}

#[track_caller]
fn assert_owned_unchanged(dir: &Path, before: &Owned, what: &str) {
    let after = owned_tree(dir);
    let changed: Vec<_> = before
        .keys()
        .chain(after.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|p| before.get(*p) != after.get(*p))
        .map(|p| {
            (
                p,
                before.get(p).map(|e| (e.0, e.1, e.2)),
                after.get(p).map(|e| (e.0, e.1, e.2)),
            )
        })
        .collect();
    assert!(
        changed.is_empty(),
        "{what} changed (path, before, after): {changed:#?}"
    );
}

/// uid and primary gid of an account, as `id` reports them.
fn account(user: &str) -> (u32, u32) {
    let id = |flag: &str| {
        let (ok, out) = run("id", &[flag, user]);
        assert!(ok, "id {flag} {user}: {out}");
        out.trim().parse::<u32>().expect("a number")
    };
    (id("-u"), id("-g"))
}

/// OpenSSH's own sftp client with the Zone Server's tanadmin key, checking the server's
/// host key against its own public key file.
struct OpenSshPeer {
    dir: PathBuf,
    key: PathBuf,
    known: PathBuf,
    port: u16,
}

impl OpenSshPeer {
    fn new(p: &Pair, port: u16) -> OpenSshPeer {
        let dir = p.dir.path().join("openssh-peer");
        std::fs::create_dir_all(&dir).expect("peer dir");
        let known = dir.join("known_hosts");
        let host = read(&p.ts.path("etc/ssh/ssh_host_ed25519_key.pub"));
        std::fs::write(&known, format!("[127.0.0.1]:{port} {host}")).expect("known_hosts");
        OpenSshPeer {
            dir,
            key: p.zs.ssh_dir("tanadmin").join("id_ed25519"),
            known,
            port,
        }
    }

    fn args(&self) -> Vec<String> {
        [
            "-F",
            "/dev/null",
            "-P",
            &self.port.to_string(),
            "-i",
            path_str(&self.key),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            &format!("UserKnownHostsFile={}", path_str(&self.known)),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    /// `sftp -b` with one batch of commands as `user`: whether every command succeeded.
    fn batch(&self, user: &str, commands: &str) -> (bool, String) {
        let batch = self.dir.join("batch");
        std::fs::write(&batch, format!("{commands}\n")).expect("batch file");
        let mut args = self.args();
        args.extend([
            "-b".into(),
            path_str(&batch).into(),
            format!("{user}@127.0.0.1"),
        ]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run("sftp", &args)
    }

    fn local(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

#[test]
fn the_peer_reads_outgoing_and_only_adds_its_own_files_to_incoming() {
    let p = pair();
    exchange_keys(&p);
    issue_certificate(&p);
    let transfer = p.ts.path("transfer");
    // Something in /incoming the peer did not put there (another Zone Server's CSR).
    let other = transfer.join("incoming/zs02.example.csr");
    std::fs::write(&other, "another Zone Server's CSR\n").expect("other CSR");
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let port = free_port();
    let server = serve(&p, port);
    let openssh = OpenSshPeer::new(&p, port);
    let (peer_uid, peer_gid) = account(PEER);

    // The transfer area as sshd serves it: the chroot and /outgoing root's and read-only,
    // /incoming write-only to the peer's group and sticky.
    let owners = |rel: &str| {
        let m = std::fs::symlink_metadata(transfer.join(rel)).expect("metadata");
        (m.uid(), m.gid(), m.mode() & 0o7777)
    };
    assert_eq!(owners(""), (0, 0, 0o755), "transfer/");
    assert_eq!(owners("outgoing"), (0, 0, 0o755), "transfer/outgoing");
    assert_eq!(
        owners("incoming"),
        (0, peer_gid, 0o1730),
        "transfer/incoming"
    );

    // What the peer is for: pull from /outgoing, push into /incoming, replace its own push.
    for name in ["tanium.pub", "reporting.crt"] {
        let local = openssh.local(name);
        let (ok, out) = openssh.batch(PEER, &format!("get /outgoing/{name} {}", local.display()));
        assert!(ok, "get /outgoing/{name}: {out}\n{}", server.log());
        assert_eq!(bytes(&local), bytes(&transfer.join("outgoing").join(name)));
    }
    let csr = p.zs.path("zoneserver/reporting.csr");
    for _ in 0..2 {
        let (ok, out) = openssh.batch(
            PEER,
            &format!("put {} /incoming/zs01.example.csr", csr.display()),
        );
        assert!(ok, "put into /incoming: {out}\n{}", server.log());
    }
    let pushed = transfer.join("incoming/zs01.example.csr");
    assert_eq!(bytes(&pushed), bytes(&csr));
    let meta = std::fs::metadata(&pushed).expect("pushed");
    assert_eq!(meta.uid(), peer_uid, "the push is the peer's, not root's");
    assert_eq!(meta.mode() & 0o022, 0, "not writable by group or others");

    // Everything else is refused and leaves every path, owner, mode and byte as it was.
    let evil = openssh.local("evil");
    std::fs::write(&evil, "-----BEGIN PUBLIC KEY-----\nforged\n").expect("evil file");
    let evil = evil.display().to_string();
    let ts_before = tree_abs(&p.ts.root);
    let before = owned_tree(&transfer);
    let hostile = [
        format!("put {evil} /outgoing/tanium.pub"),
        format!("put {evil} /outgoing/reporting.crt"),
        format!("put {evil} /outgoing/new.crt"),
        format!("put {evil} /tanium.pub"),
        format!("put {evil} /incoming/zs02.example.csr"),
        format!("put -p {evil} /outgoing/tanium.pub"),
        "chmod 777 /".into(),
        "chmod 777 /outgoing".into(),
        "chmod 777 /incoming".into(),
        "chmod 666 /outgoing/tanium.pub".into(),
        "chmod 666 /incoming/zs02.example.csr".into(),
        // Not even its own push: modes are not the peer's to change.
        "chmod 666 /incoming/zs01.example.csr".into(),
        "chown 65534 /outgoing/tanium.pub".into(),
        "chgrp 65534 /outgoing".into(),
        "rename /outgoing/tanium.pub /incoming/tanium.pub".into(),
        "rename /outgoing/tanium.pub /outgoing/old.pub".into(),
        "rename /outgoing /gone".into(),
        "rename /incoming /gone".into(),
        "rename /incoming/zs02.example.csr /incoming/mine.csr".into(),
        "rename /incoming/zs01.example.csr /incoming/zs02.example.csr".into(),
        "rename /incoming/zs01.example.csr /outgoing/reporting.crt".into(),
        "rename /incoming/zs01.example.csr /tanium.pub".into(),
        "rm /outgoing/tanium.pub".into(),
        "rm /incoming/zs02.example.csr".into(),
        "rmdir /outgoing".into(),
        "rmdir /incoming".into(),
        "symlink /outgoing/tanium.pub /incoming/link.pub".into(),
        "symlink /outgoing/tanium.pub /outgoing/link.pub".into(),
        "symlink / /incoming/root".into(),
        "ln /outgoing/tanium.pub /incoming/hard.pub".into(),
        "ln /incoming/zs01.example.csr /incoming/hard.csr".into(),
        "ln /incoming/zs01.example.csr /outgoing/hard.csr".into(),
        "mkdir /new".into(),
        "mkdir /outgoing/new".into(),
        "mkdir /incoming/new".into(),
        // Write-only: the peer does not list what others pushed.
        "ls /incoming".into(),
    ];
    for command in &hostile {
        let (ok, out) = openssh.batch(PEER, command);
        assert!(!ok, "the peer's `{command}` succeeded:\n{out}");
        assert_owned_unchanged(&transfer, &before, command);
    }
    assert_unchanged(&p.ts.root, &ts_before, "the peer's refused requests");

    // Only the peer account logs in: not root, not another account, with the same key.
    for user in ["root", "daemon", "tancopy"] {
        let (ok, out) = openssh.batch(user, "ls /");
        assert!(!ok, "{user} logged in:\n{out}");
        assert!(out.contains("Permission denied"), "{user}: {out}");
    }
    assert_owned_unchanged(&transfer, &before, "refused logins");

    // And the product's own client still pulls and pushes.
    let keys = client_keys(&p.zs);
    let cancel = no_cancel();
    let peer = peer(port);
    let fp = host_key_fingerprint(&p.ts);
    pull_certificate(&p.zs, &peer, Some(&fp), &cancel)
        .unwrap_or_else(|e| panic!("pull: {e}\n{}", server.log()));
    push_csr(&p.zs, &peer, None, &cancel).expect("push");
    assert_eq!(
        bytes(&transfer.join("incoming/zs01.example.csr")),
        bytes(&csr)
    );
    let cert = sftp::download(&peer, &keys, "outgoing/reporting.crt", LIMIT, None, &cancel)
        .expect("download");
    assert_eq!(cert, bytes(&transfer.join("outgoing/reporting.crt")));
}

/// `tanos-menu sshd --root <ts> --listen … --check` with `args`, as root or as `as_uid`.
fn sshd_check(root: &Path, args: &[&str], as_uid: Option<u32>) -> (bool, i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tanos-menu"));
    cmd.arg("sshd")
        .arg("--root")
        .arg(root)
        .arg("--listen")
        .arg(format!("127.0.0.1:{}", free_port()))
        .arg("--check")
        .args(args)
        .env_remove("TANOS_ROOT")
        .stdin(Stdio::null());
    if let Some(uid) = as_uid {
        cmd.uid(uid).gid(uid);
    }
    let out = cmd.output().expect("run tanos-menu sshd");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), out.status.code().unwrap_or(-1), text)
}

#[track_caller]
fn assert_refused(root: &Path, args: &[&str], as_uid: Option<u32>, expect: &str) {
    let before = owned_tree(root);
    let (ok, code, out) = sshd_check(root, args, as_uid);
    assert!(
        !ok && code == 2,
        "{args:?} was not refused (exit {code}):\n{out}"
    );
    assert!(
        out.contains(expect),
        "{args:?}: expected '{expect}' in:\n{out}"
    );
    assert!(out.contains("nothing was changed"), "{args:?}: {out}");
    assert!(
        out.bytes().all(|b| b == b'\n' || !b.is_ascii_control()) && !out.contains('\u{202e}'),
        "{args:?}: control characters reach the terminal: {out:?}"
    );
    assert_owned_unchanged(root, &before, &format!("the refused {args:?}"));
}

#[test]
fn peers_never_log_in_as_root_nor_as_a_missing_or_malformed_account() {
    let p = pair();
    let root = &p.ts.root;
    assert_refused(root, &["--user", "root"], None, "never log in as root");
    assert_refused(
        root,
        &["--user", "tanos-no-such-peer"],
        None,
        "no account 'tanos-no-such-peer'",
    );
    for name in [
        "nobody\nForceCommand /bin/sh",
        "*",
        "nobody,root",
        "-oops",
        "",
        "a\u{1b}]0;PWNED\u{7}",
    ] {
        let arg = format!("--user={name}");
        assert_refused(root, &[&arg], None, "cannot be the peer account");
    }
    // Without --user the peer account is tancopy, which this machine may not have.
    let (has_tancopy, _) = run("id", &["-u", "tancopy"]);
    if !has_tancopy {
        assert_refused(root, &[], None, "no account 'tancopy'");
    }
    // Not run by root, the service cannot confine anyone: refused before anything is read.
    let (nobody, _) = account(PEER);
    assert_refused(root, &["--user", PEER], Some(nobody), "must run as root");
    assert_refused(
        root,
        &["--user=a\u{1b}]52;c;eA==\u{7}"],
        Some(nobody),
        "must run as root",
    );
    // The one that is fine, for contrast.
    let (ok, _, out) = sshd_check(root, &["--user", PEER], None);
    assert!(ok, "{out}");
}

#[test]
fn an_appliance_sshd_cannot_confine_peers_in_is_refused() {
    let p = pair();
    let (nobody, nogroup) = account(PEER);
    for (name, mode, owner) in [
        ("open", 0o777, 0),
        ("group", 0o775, 0),
        ("owned", 0o755, nobody),
    ] {
        let dir = p.dir.path().join(name);
        std::fs::create_dir(&dir).expect("mkdir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode)).expect("chmod");
        std::os::unix::fs::chown(
            &dir,
            Some(owner),
            Some(if owner == 0 { 0 } else { nogroup }),
        )
        .expect("chown");
        let opts = roots::options(Role::TaniumServer, "ts01.example", Platform::V7_3, true);
        let app = roots::appliance(&dir.join("ts"), &opts, OffsetDateTime::now_utc());
        let expect = if owner == 0 {
            "writable by group or others"
        } else {
            "not root"
        };
        assert_refused(&app.root, &["--user", PEER], None, expect);
    }
    // The appliance itself owned by the peer account: the peer would own /outgoing.
    let dir = p.dir.path().join("peer-owned");
    std::fs::create_dir(&dir).expect("mkdir");
    let opts = roots::options(Role::TaniumServer, "ts01.example", Platform::V7_3, true);
    let app = roots::appliance(&dir.join("ts"), &opts, OffsetDateTime::now_utc());
    std::os::unix::fs::chown(&app.root, Some(nobody), Some(nogroup)).expect("chown");
    assert_refused(&app.root, &["--user", PEER], None, "owned by uid");
}

#[test]
fn a_tampered_transfer_area_is_put_right_or_refused() {
    let p = pair();
    issue_certificate(&p);
    let transfer = p.ts.path("transfer");
    let (nobody, nogroup) = account(PEER);
    let set = |rel: &str, mode: u32, uid: u32, gid: u32| {
        let path = transfer.join(rel);
        std::os::unix::fs::lchown(&path, Some(uid), Some(gid)).expect("chown");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    // What the peer left when it logged in as root: every directory open to all.
    set("", 0o777, 0, 0);
    set("outgoing", 0o777, 0, nogroup);
    set("incoming", 0o777, nobody, nogroup);
    let (ok, _, out) = sshd_check(&p.ts.root, &["--user", PEER], None);
    assert!(ok, "{out}");
    let owners = |rel: &str| {
        let m = std::fs::symlink_metadata(transfer.join(rel)).expect("metadata");
        (m.uid(), m.gid(), m.mode() & 0o7777)
    };
    assert_eq!(owners(""), (0, 0, 0o755));
    assert_eq!(owners("outgoing"), (0, 0, 0o755));
    assert_eq!(owners("incoming"), (0, nogroup, 0o1730));

    // What the service cannot vouch for is named, and nothing is changed.
    let public = transfer.join("outgoing/tanium.pub");
    set("outgoing/tanium.pub", 0o644, nobody, nogroup);
    assert_refused(&p.ts.root, &["--user", PEER], None, "owns");
    set("outgoing/tanium.pub", 0o666, 0, 0);
    assert_refused(&p.ts.root, &["--user", PEER], None, "mode 0666");
    set("outgoing/tanium.pub", 0o644, 0, 0);
    // A planted name holding escape sequences is named escaped (assert_refused checks).
    let hostile = "a\u{1b}]0;PWNED\u{7}\u{202e}.crt";
    std::fs::write(transfer.join("outgoing").join(hostile), "x").expect("planted file");
    set(&format!("outgoing/{hostile}"), 0o666, 0, 0);
    assert_refused(&p.ts.root, &["--user", PEER], None, "PWNED");
    std::fs::remove_file(transfer.join("outgoing").join(hostile)).expect("remove");
    let planted = transfer.join("planted");
    std::fs::create_dir(&planted).expect("mkdir");
    set("planted", 0o755, nobody, nogroup);
    assert_refused(&p.ts.root, &["--user", PEER], None, "owns");
    std::fs::remove_dir(&planted).expect("rmdir");
    // /incoming or /outgoing replaced by a link: refused, the link left alone.
    let incoming = transfer.join("incoming");
    std::fs::rename(&incoming, transfer.join("incoming.real")).expect("move aside");
    std::os::unix::fs::symlink(p.ts.path("tanium"), &incoming).expect("symlink");
    assert_refused(&p.ts.root, &["--user", PEER], None, "must be a directory");
    assert_eq!(
        mode(&p.ts.path("tanium")),
        0o700,
        "the link's target untouched"
    );
    std::fs::remove_file(&incoming).expect("remove link");
    std::fs::rename(transfer.join("incoming.real"), &incoming).expect("move back");
    let (ok, _, out) = sshd_check(&p.ts.root, &["--user", PEER], None);
    assert!(ok, "{out}");
    assert_eq!(read(&public), read(&p.ts.path("tanium/tanium.pub")));
}

// ---------------------------------------------------------------- stopping the service

/// State and start time of `pid` (fields 3 and 22 of /proc/PID/stat), if it exists.
fn proc_stat(pid: u32) -> Option<(u32, char, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split(' ').collect();
    let state = fields.first()?.chars().next()?;
    Some((
        fields.get(1)?.parse().ok()?,
        state,
        fields.get(19)?.parse().ok()?,
    ))
}

/// The processes below `pid`, each with its start time (a pid used again is another).
fn descendants(pid: u32) -> Vec<(u32, u64)> {
    let all: Vec<(u32, u32, u64)> = std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|p| proc_stat(p).map(|(ppid, _, start)| (p, ppid, start)))
        .collect();
    let mut found = Vec::new();
    let mut parents = vec![pid];
    while let Some(parent) = parents.pop() {
        for &(p, ppid, start) in &all {
            if ppid == parent {
                found.push((p, start));
                parents.push(p);
            }
        }
    }
    found
}

/// Whether that process still runs (a zombie no longer does).
fn alive(pid: u32, start: u64) -> bool {
    proc_stat(pid).is_some_and(|(_, state, s)| s == start && state != 'Z')
}

fn uid_of(pid: u32) -> Option<u32> {
    std::fs::metadata(format!("/proc/{pid}"))
        .ok()
        .map(|m| m.uid())
}

fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
fn every_stop_signal_stops_sshd_and_its_sessions_with_the_wrapper() {
    let p = pair();
    exchange_keys(&p);
    for signal in [
        libc::SIGTERM,
        libc::SIGINT,
        libc::SIGHUP,
        libc::SIGQUIT,
        // Signals whose default also ends a process: the wrapper must not die of them
        // leaving the peer's session behind.
        libc::SIGUSR1,
        libc::SIGALRM,
    ] {
        let port = free_port();
        let mut server = serve(&p, port);
        let openssh = OpenSshPeer::new(&p, port);
        // A peer logged in and idle: its session must end with the service too.
        let mut args = openssh.args();
        args.push(format!("{PEER}@127.0.0.1"));
        let mut client = Command::new("sftp")
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sftp");
        let (nobody, _) = account(PEER);
        let wrapper = server.pid();
        eventually("the peer's session runs under the wrapper", || {
            descendants(wrapper)
                .iter()
                .any(|(pid, _)| uid_of(*pid) == Some(nobody))
        });
        let running = descendants(wrapper);
        assert!(
            running.iter().any(|(pid, _)| comm(*pid) == "sshd"),
            "sshd runs: {running:?}"
        );
        let status = server.signal_wrapper(signal);
        assert!(
            status.success(),
            "signal {signal}: the wrapper ended with {status}\n{}",
            server.log()
        );
        eventually(&format!("signal {signal}: every sshd process ends"), || {
            running.iter().all(|(pid, start)| !alive(*pid, *start))
        });
        eventually(&format!("signal {signal}: port {port} closes"), || {
            !accepts_connections(port)
        });
        let _ = client.kill();
        let _ = client.wait();
    }
}

#[test]
fn a_killed_wrapper_takes_sshd_with_it() {
    let p = pair();
    let port = free_port();
    let mut server = serve(&p, port);
    let running = descendants(server.pid());
    assert!(
        running.iter().any(|(pid, _)| comm(*pid) == "sshd"),
        "sshd runs under the wrapper: {running:?}"
    );
    let status = server.signal_wrapper(libc::SIGKILL);
    assert!(!status.success());
    eventually("sshd ends when its wrapper is killed", || {
        running.iter().all(|(pid, start)| !alive(*pid, *start))
    });
    eventually("the port closes", || !accepts_connections(port));
}

#[test]
fn the_readme_match_block_is_one_sshd_accepts_with_the_services_confinement() {
    let readme = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let block: String = readme
        .split("\n```\n")
        .find(|part| part.starts_with("Match User tancopy"))
        .expect("a Match block in the README")
        .to_string();
    let p = pair();
    let (ok, _, out) = sshd_check(&p.ts.root, &["--user", PEER], None);
    assert!(ok, "{out}");
    let root = std::fs::canonicalize(&p.ts.root).expect("canonical root");
    let block = block.replace("/opt/tanos/appliance", path_str(&root));
    // The service's own configuration confines as the README's block does.
    let service = read(&p.ts.path("etc/ssh/sshd_config"));
    for line in block.lines().skip(1).map(str::trim) {
        assert!(
            service.lines().any(|l| l.trim() == line),
            "the service lacks the README's '{line}':\n{service}"
        );
    }
    let config = p.dir.path().join("system_sshd_config");
    std::fs::write(
        &config,
        format!(
            "HostKey {}\nUsePAM no\n{block}\n",
            p.ts.path("etc/ssh/ssh_host_ed25519_key").display()
        ),
    )
    .expect("config");
    let (ok, out) = run("/usr/sbin/sshd", &["-t", "-f", path_str(&config)]);
    assert!(ok, "sshd -t refused the README's block:\n{out}\n{block}");
}

/// The peer's SFTP session through libssh2 (a second client beside OpenSSH's), whose
/// requests are the raw protocol: SSH_FXP_RENAME (which OpenSSH's server does with link(2)
/// then unlink(2)), opens with any flags and modes, setstat, symlink.
fn libssh2_peer(p: &Pair, port: u16) -> ssh2::Sftp {
    let tcp = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
    let mut sess = ssh2::Session::new().expect("session");
    sess.set_tcp_stream(tcp);
    sess.handshake().expect("handshake");
    let ssh = p.zs.ssh_dir("tanadmin");
    sess.userauth_pubkey_file(
        PEER,
        Some(&ssh.join("id_ed25519.pub")),
        &ssh.join("id_ed25519"),
        None,
    )
    .expect("the peer logs in");
    sess.sftp().expect("sftp")
}

#[test]
fn raw_sftp_requests_cannot_write_link_or_move_what_the_peer_must_only_read() {
    use ssh2::{FileStat, OpenFlags, OpenType};
    let p = pair();
    exchange_keys(&p);
    issue_certificate(&p);
    let port = free_port();
    let _server = serve(&p, port);
    let sftp = libssh2_peer(&p, port);
    let transfer = p.ts.path("transfer");
    let before = owned_tree(&transfer);
    let ts_before = tree_abs(&p.ts.root);
    let path = Path::new;
    let open = |name: &str, flags: OpenFlags| {
        sftp.open_mode(path(name), flags, 0o666, OpenType::File)
            .map(|_| ())
    };
    let chmod = |name: &str| {
        let stat = FileStat {
            size: None,
            uid: None,
            gid: None,
            perm: Some(0o777),
            atime: None,
            mtime: None,
        };
        sftp.setstat(path(name), stat)
    };
    let attempts: Vec<(&str, Result<(), ssh2::Error>)> = vec![
        (
            "append to /outgoing/tanium.pub",
            open("/outgoing/tanium.pub", OpenFlags::WRITE | OpenFlags::APPEND),
        ),
        (
            "write into /outgoing/tanium.pub",
            open("/outgoing/tanium.pub", OpenFlags::WRITE),
        ),
        (
            "create /outgoing/new.crt",
            open("/outgoing/new.crt", OpenFlags::WRITE | OpenFlags::CREATE),
        ),
        (
            "create /new",
            open("/new", OpenFlags::WRITE | OpenFlags::CREATE),
        ),
        (
            "legacy rename out of /outgoing",
            sftp.rename(
                path("/outgoing/tanium.pub"),
                path("/incoming/stolen.pub"),
                None,
            ),
        ),
        (
            "legacy rename of /outgoing",
            sftp.rename(path("/outgoing"), path("/incoming/outgoing"), None),
        ),
        ("setstat /", chmod("/")),
        ("setstat /outgoing", chmod("/outgoing")),
        ("setstat /incoming", chmod("/incoming")),
        (
            "setstat /outgoing/tanium.pub",
            chmod("/outgoing/tanium.pub"),
        ),
        (
            "symlink into /incoming",
            sftp.symlink(
                path("/outgoing/reporting.crt"),
                path("/incoming/reporting.csr"),
            ),
        ),
        (
            "unlink /outgoing/reporting.crt",
            sftp.unlink(path("/outgoing/reporting.crt")),
        ),
        ("rmdir /incoming", sftp.rmdir(path("/incoming"))),
        ("mkdir /incoming/d", sftp.mkdir(path("/incoming/d"), 0o777)),
        (
            "opendir /incoming",
            sftp.opendir(path("/incoming")).map(|_| ()),
        ),
    ];
    for (what, result) in attempts {
        assert!(result.is_err(), "the peer could {what}");
        assert_owned_unchanged(&transfer, &before, what);
    }
    assert_unchanged(&p.ts.root, &ts_before, "raw requests");

    // A file the peer creates, whatever mode it asks for, is writable by it alone.
    let mut file = sftp
        .open_mode(
            path("/incoming/wide.csr"),
            OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::TRUNCATE,
            0o777,
            OpenType::File,
        )
        .expect("create in /incoming");
    std::io::Write::write_all(&mut file, b"csr\n").expect("write");
    drop(file);
    let wide = transfer.join("incoming/wide.csr");
    assert_eq!(mode(&wide) & 0o022, 0, "mode {:o}", mode(&wide));
    // Its own file it may move within /incoming (the product's push does), not elsewhere.
    sftp.rename(
        path("/incoming/wide.csr"),
        path("/incoming/moved.csr"),
        None,
    )
    .expect("rename within /incoming");
    let moved = sftp.rename(
        path("/incoming/moved.csr"),
        path("/outgoing/moved.csr"),
        None,
    );
    assert!(moved.is_err(), "moved into /outgoing");
    assert_eq!(read(&transfer.join("incoming/moved.csr")), "csr\n");
}

/// The processes, anywhere, whose command line names `config`: sshd serving that appliance.
fn sshd_processes_of(config: &Path) -> Vec<u32> {
    let needle = config.as_os_str().as_encoded_bytes();
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let running = proc_stat(*pid).is_some_and(|(_, state, _)| state != 'Z');
            running && comm(*pid) == "sshd" && cmdline.windows(needle.len()).any(|w| w == needle)
        })
        .collect()
}

#[test]
fn a_signal_at_any_moment_of_startup_leaves_no_sshd_behind() {
    let p = pair();
    let config = std::fs::canonicalize(&p.ts.root)
        .expect("canonical root")
        .join("etc/ssh/sshd_config");
    let log = p.dir.path().join("startup.log");
    // Early signals land before sshd is started, during its start (between fork and the
    // parent-death request: the getppid check), or once it serves.
    for signal in [libc::SIGKILL, libc::SIGTERM] {
        for delay_ms in [0, 1, 2, 5, 10, 20, 40, 80, 160, 320] {
            let out = std::fs::File::create(&log).expect("log");
            let mut child = Command::new(env!("CARGO_BIN_EXE_tanos-menu"))
                .arg("sshd")
                .arg("--root")
                .arg(&p.ts.root)
                .arg("--listen")
                .arg(format!("127.0.0.1:{}", free_port()))
                .arg("--user")
                .arg(PEER)
                .env_remove("TANOS_ROOT")
                .stdin(Stdio::null())
                .stdout(out.try_clone().expect("log"))
                .stderr(out)
                .process_group(0)
                .spawn()
                .expect("start tanos-menu sshd");
            std::thread::sleep(Duration::from_millis(delay_ms));
            // SAFETY: kill(2) of the wrapper this test started and has not reaped.
            unsafe {
                libc::kill(child.id() as libc::pid_t, signal);
            }
            child.wait().expect("wait for the wrapper");
            eventually(
                &format!("signal {signal} after {delay_ms} ms: no sshd of this appliance runs"),
                || sshd_processes_of(&config).is_empty(),
            );
        }
    }
}
