//! SFTP pull of a 2 KB `outgoing/reporting.crt`: the product's client
//! (`tanos_menu::transfer::sftp::download`, in process) against OpenSSH's `sftp -b` (a whole
//! process per pull, as an operator would run it), on the same `tanos-menu sshd`, measured
//! in the same run, interleaved (product, sftp, product, sftp…) so drift hits both alike.
//!
//! With `TANOS_BENCH_PORT`, `TANOS_BENCH_TS`, `TANOS_BENCH_ZS`, `TANOS_BENCH_WORK` (and
//! `TANOS_BENCH_USER`) it uses an sshd that `bench/run.sh` started; without them it makes its own two roots under
//! `target/bench/` and runs `tanos-menu sshd` itself. `TANOS_BENCH_N` pulls of each (50).
//!
//! Then the same pull, step by step with the ssh2 calls `download` makes, to show where the
//! time goes (TCP connect, key exchange, host key check, user auth, SFTP channel, read).

mod support;

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use ssh2::{CheckResult, KnownHostFileKind, MethodType, Session};
use support::{Scratch, Stats, init_root, iterations, product_binary, report, report_value};
use tanos_menu::transfer::sftp::{self, ClientKeys, Peer, TransferError};

const REMOTE: &str = "outgoing/reporting.crt";

/// The `tanos-menu sshd` this bench started: its process group is ended on drop.
struct SshdGuard(Child);

impl Drop for SshdGuard {
    fn drop(&mut self) {
        // The wrapper and the sshd it runs share the group made at spawn: end that group only.
        let pgid = self.0.id() as libc::pid_t;
        // SAFETY: a signal to the process group this bench created (see `setup`).
        unsafe {
            libc::kill(-pgid, libc::SIGTERM);
        }
        let _ = self.0.wait();
    }
}

struct Setup {
    ts: PathBuf,
    zs: PathBuf,
    port: u16,
    user: String,
    work: PathBuf,
    _sshd: Option<SshdGuard>,
    _scratch: Option<Scratch>,
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

fn wait_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "sshd did not listen on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// 2048 bytes of PEM-looking text.
fn two_kb() -> Vec<u8> {
    let mut text = String::from("-----BEGIN CERTIFICATE-----\n");
    let footer = "-----END CERTIFICATE-----\n";
    let mut i = 0u32;
    while text.len() + footer.len() < 2048 {
        let line = format!("{:064x}", u128::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let room = 2048 - footer.len() - text.len();
        let take = room.min(65) - 1;
        text.push_str(&line[..take.min(64)]);
        text.push('\n');
        i += 1;
    }
    text.push_str(footer);
    assert_eq!(text.len(), 2048);
    text.into_bytes()
}

fn setup() -> Setup {
    if let Ok(port) = std::env::var("TANOS_BENCH_PORT") {
        let var = |name: &str| {
            PathBuf::from(std::env::var_os(name).unwrap_or_else(|| panic!("{name} is not set")))
        };
        let work = var("TANOS_BENCH_WORK");
        return Setup {
            ts: var("TANOS_BENCH_TS"),
            zs: var("TANOS_BENCH_ZS"),
            port: port.parse().expect("TANOS_BENCH_PORT is a port"),
            user: std::env::var("TANOS_BENCH_USER")
                .unwrap_or_else(|_| tanos_menu::appliance::sshd::default_user()),
            work,
            _sshd: None,
            _scratch: None,
        };
    }
    let scratch = Scratch::new("sftp");
    let dir = scratch.path().to_path_buf();
    let (ts, zs) = (dir.join("ts"), dir.join("zs"));
    init_root(
        &ts,
        "tanium-server",
        &["--zone-hub", "--hostname", "ts.bench"],
    );
    init_root(&zs, "zone-server", &["--hostname", "zs.bench"]);
    // The zone server's tanadmin key may log in to the server's tancopy account.
    let public = std::fs::read_to_string(zs.join("home/tanadmin/.ssh/id_ed25519.pub"))
        .expect("tanadmin's public key");
    let authorized = ts.join("home/tancopy/.ssh/authorized_keys");
    let mut text = std::fs::read_to_string(&authorized).unwrap_or_default();
    text.push_str(public.trim());
    text.push('\n');
    std::fs::write(&authorized, text).expect("authorized_keys");
    std::fs::write(ts.join("transfer").join(REMOTE), two_kb()).expect("2 KB file");
    // What an issuance leaves beside the certificate: the menu's pull fetches it too.
    std::fs::copy(
        ts.join("tanium/tanium.pub"),
        ts.join("transfer/outgoing/tanium.pub"),
    )
    .expect("outgoing/tanium.pub");
    let port = free_port();
    let log = std::fs::File::create(dir.join("sshd.log")).expect("sshd.log");
    let mut cmd = Command::new(product_binary());
    cmd.arg("--root")
        .arg(&ts)
        .arg("sshd")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        // The peer account, never root: present on every Debian machine.
        .arg("--user")
        .arg("nobody")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log);
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let child = cmd.spawn().expect("tanos-menu sshd");
    let guard = SshdGuard(child);
    wait_listening(port);
    let work = dir.join("work");
    std::fs::create_dir(&work).expect("work dir");
    Setup {
        ts,
        zs,
        port,
        user: "nobody".into(),
        work,
        _sshd: Some(guard),
        _scratch: Some(scratch),
    }
}

fn product_pull(
    peer: &Peer,
    keys: &ClientKeys,
    trust: Option<&str>,
) -> Result<Vec<u8>, TransferError> {
    sftp::download(
        peer,
        keys,
        REMOTE,
        64 * 1024,
        trust,
        &AtomicBool::new(false),
    )
}

fn openssh_pull(s: &Setup, keys: &ClientKeys, batch: &Path) {
    let status = Command::new("sftp")
        .arg("-b")
        .arg(batch)
        .arg("-i")
        .arg(&keys.private_key)
        .arg("-o")
        .arg(format!("UserKnownHostsFile={}", keys.known_hosts.display()))
        .arg("-P")
        .arg(s.port.to_string())
        .arg(format!("{}@127.0.0.1", s.user))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .expect("cannot run sftp");
    assert!(status.success(), "sftp -b failed: {status}");
}

/// Keeps TCP_QUICKACK set on a socket (Linux resets it after a few ACKs) from a helper
/// thread until dropped: a probe of what the pull costs when this side never delays an ACK.
/// Not what the product does.
struct QuickAck {
    stop: std::sync::Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl QuickAck {
    fn on(socket: &TcpStream) -> QuickAck {
        use std::os::fd::AsRawFd;
        use std::sync::atomic::Ordering;
        let socket = socket.try_clone().expect("socket clone");
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let one: libc::c_int = 1;
            while !flag.load(Ordering::Relaxed) {
                // SAFETY: a valid socket and a c_int option of the right size.
                unsafe {
                    libc::setsockopt(
                        socket.as_raw_fd(),
                        libc::IPPROTO_TCP,
                        libc::TCP_QUICKACK,
                        (&one as *const libc::c_int).cast(),
                        std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                    );
                }
                std::thread::sleep(Duration::from_micros(200));
            }
        });
        QuickAck {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for QuickAck {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// An authenticated session made with the ssh2 calls and preferences of `sftp::download`,
/// with the time of each step: TCP connect, handshake, known_hosts check, user auth.
fn authenticated(
    peer: &Peer,
    keys: &ClientKeys,
    quickack: bool,
) -> (Session, Option<QuickAck>, [Duration; 4]) {
    let mut t = Instant::now();
    let mut lap = || {
        let d = t.elapsed();
        t = Instant::now();
        d
    };
    let tcp = TcpStream::connect((peer.host.as_str(), peer.port)).expect("connect");
    let _ = tcp.set_nodelay(true);
    let connect = lap();
    let probe = quickack.then(|| QuickAck::on(&tcp));
    let _ = lap(); // the probe's thread start is no step of the pull
    let mut sess = Session::new().expect("session");
    sess.set_timeout(15_000);
    sess.method_pref(
        MethodType::Kex,
        "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group14-sha256",
    )
    .expect("kex pref");
    sess.method_pref(MethodType::HostKey, "ssh-ed25519")
        .expect("host key pref");
    sess.set_tcp_stream(tcp);
    sess.handshake().expect("handshake");
    let handshake = lap();
    let (key, _) = sess.host_key().expect("host key");
    let key = key.to_vec();
    let mut known = sess.known_hosts().expect("known hosts");
    known
        .read_file(&keys.known_hosts, KnownHostFileKind::OpenSSH)
        .expect("read known_hosts");
    assert!(matches!(
        known.check_port(&peer.host, peer.port, &key),
        CheckResult::Match
    ));
    let host_check = lap();
    sess.userauth_pubkey_file(&peer.user, Some(&keys.public_key), &keys.private_key, None)
        .expect("auth");
    let auth = lap();
    (sess, probe, [connect, handshake, host_check, auth])
}

/// The whole pull, step by step: the four steps above, SFTP channel (`Session::sftp`:
/// channel open, subsystem, FXP_INIT), then stat + open + read + close.
fn phases(peer: &Peer, keys: &ClientKeys, quickack: bool) -> [Duration; 6] {
    let (sess, probe, [connect, handshake, host_check, auth]) = authenticated(peer, keys, quickack);
    let t = Instant::now();
    let sftp = sess.sftp().expect("sftp channel");
    let channel = t.elapsed();
    let t = Instant::now();
    let path = Path::new(REMOTE);
    let _ = sftp.stat(path).expect("stat");
    let mut file = sftp.open(path).expect("open");
    let mut out = Vec::new();
    file.read_to_end(&mut out).expect("read");
    drop(file);
    drop(sftp);
    let read = t.elapsed();
    drop(probe);
    assert_eq!(out.len(), 2048);
    [connect, handshake, host_check, auth, channel, read]
}

/// The SFTP channel step split: channel open, `subsystem sftp` request, SSH_FXP_INIT/VERSION
/// (raw packets on the channel, as libssh2's `sftp_init` sends them).
fn channel_steps(peer: &Peer, keys: &ClientKeys) -> [Duration; 3] {
    use std::io::Write;
    let (sess, _, _) = authenticated(peer, keys, false);
    let t = Instant::now();
    let mut channel = sess.channel_session().expect("channel");
    let open = t.elapsed();
    let t = Instant::now();
    channel.subsystem("sftp").expect("subsystem");
    let subsystem = t.elapsed();
    let t = Instant::now();
    // uint32 length 5, byte SSH_FXP_INIT (1), uint32 version 3.
    channel
        .write_all(&[0, 0, 0, 5, 1, 0, 0, 0, 3])
        .expect("FXP_INIT");
    channel.flush().expect("flush");
    let mut len = [0u8; 4];
    channel.read_exact(&mut len).expect("FXP_VERSION length");
    let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
    channel.read_exact(&mut body).expect("FXP_VERSION body");
    let init = t.elapsed();
    assert_eq!(body.first(), Some(&2), "SSH_FXP_VERSION");
    [open, subsystem, init]
}

fn main() {
    let n = iterations(50);
    let s = setup();
    let keys = ClientKeys::in_dir(&s.zs.join("home/tanadmin/.ssh"));
    let peer = Peer {
        host: "127.0.0.1".into(),
        port: s.port,
        user: s.user.clone(),
    };
    let expected = std::fs::read(s.ts.join("transfer").join(REMOTE)).expect("the 2 KB file");
    // Connect once with trust, as the operator does when shown the fingerprint: known_hosts
    // gets the host key, which OpenSSH's sftp then reads as well.
    let got = match product_pull(&peer, &keys, None) {
        Ok(bytes) => bytes,
        Err(TransferError::UnknownHost { fingerprint, .. }) => {
            product_pull(&peer, &keys, Some(&fingerprint)).expect("pull with the host trusted")
        }
        Err(e) => panic!("first pull: {e}"),
    };
    assert_eq!(got, expected, "the product pulled other bytes");
    let batch = s.work.join("sftp.batch");
    let local = s.work.join("openssh-reporting.crt");
    std::fs::write(&batch, format!("get {REMOTE} {}\n", local.display())).expect("batch");
    openssh_pull(&s, &keys, &batch);
    assert_eq!(std::fs::read(&local).expect("sftp's copy"), expected);

    println!(
        "sshd 127.0.0.1:{} user {}, {} bytes, {n} pulls each, interleaved",
        s.port,
        s.user,
        expected.len()
    );
    for _ in 0..3 {
        product_pull(&peer, &keys, None).expect("warm-up pull");
        openssh_pull(&s, &keys, &batch);
    }
    let mut ours = Vec::with_capacity(n);
    let mut theirs = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let bytes = product_pull(&peer, &keys, None).expect("pull");
        ours.push(t.elapsed());
        assert_eq!(bytes.len(), expected.len());
        let t = Instant::now();
        openssh_pull(&s, &keys, &batch);
        theirs.push(t.elapsed());
    }
    let (a, b) = (Stats::of(&ours), Stats::of(&theirs));
    report(
        "sftp.product",
        "product pull, sftp::download in process",
        &a,
    );
    report("sftp.openssh", "sftp -b (whole process), same sshd", &b);
    report_value(
        "sftp.ratio.median",
        "product / sftp -b (median)",
        a.median_ms / b.median_ms,
        "x",
    );
    report_value(
        "sftp.ratio.mean",
        "product / sftp -b (mean)",
        a.mean_ms / b.mean_ms,
        "x",
    );

    // The console's "Pull from the Tanium Server's /outgoing" (SPEC §6 fleet naming): it
    // takes the certificate for this Zone Server's own key, `<hostname>.crt` else
    // `reporting.crt`, with tanium.pub, over one connection, into its own /incoming,
    // audited. So the Zone Server gets a key and the hub issues its certificate (which also
    // writes `reporting.crt`: the 2 KB file the pulls above read is put back after).
    let zone = tanos_menu::appliance::Appliance::open(&s.zs).expect("the zone server root");
    let hub = tanos_menu::appliance::Appliance::open(&s.ts).expect("the hub root");
    let now = time::OffsetDateTime::now_utc();
    let new = tanos_menu::pki::csr::generate_csr(&tanos_menu::pki::csr::CsrRequest {
        common_name: zone.config.hostname.clone(),
        dns_names: Vec::new(),
        ips: Vec::new(),
        key_type: tanos_menu::pki::KeyType::EcdsaP256,
    })
    .expect("key + CSR");
    tanos_menu::appliance::tls::write_new_csr(&zone, &new, now).expect("write the CSR");
    let checked = tanos_menu::pki::csr::check_csr(&new.csr_pem).expect("CSR");
    tanos_menu::appliance::issuance::issue_from_csr(&hub, &checked, 3650, now).expect("issue");
    std::fs::write(s.ts.join("transfer").join(REMOTE), &expected).expect("2 KB file back");
    let own = tanos_menu::appliance::fleet::cert_file(&zone.config.hostname);
    let mut menu = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let pulled = tanos_menu::appliance::transfer::pull_certificate(
            &zone,
            &peer,
            None,
            &AtomicBool::new(false),
        )
        .expect("menu pull");
        menu.push(t.elapsed());
        assert_eq!(pulled.taken, own);
    }
    let menu = Stats::of(&menu);
    report(
        "sftp.menu_pull",
        &format!("menu pull: pull_certificate ({own}, reporting.crt, tanium.pub)"),
        &menu,
    );
    report_value(
        "sftp.menu_pull.ratio",
        "menu pull / one download (median)",
        menu.median_ms / a.median_ms,
        "x",
    );

    let steps = [
        ("connect", "TCP connect"),
        ("handshake", "SSH handshake (kex, host key)"),
        ("hostcheck", "known_hosts check"),
        ("auth", "public key user auth"),
        ("channel", "SFTP channel (open, subsystem, init)"),
        ("read", "stat + open + read 2 KB + close"),
    ];
    for quickack in [false, true] {
        let mut laps: Vec<Vec<Duration>> = vec![Vec::with_capacity(n); steps.len()];
        let mut totals = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            for (i, d) in phases(&peer, &keys, quickack).into_iter().enumerate() {
                laps[i].push(d);
            }
            totals.push(t.elapsed());
        }
        let (suffix, note) = if quickack {
            (".quickack", " [probe: client TCP_QUICKACK]")
        } else {
            ("", "")
        };
        for ((id, label), sample) in steps.iter().zip(&laps) {
            report(
                &format!("sftp.phase.{id}{suffix}"),
                &format!("step: {label}{note}"),
                &Stats::of(sample),
            );
        }
        report(
            &format!("sftp.phase.total{suffix}"),
            &format!("step-by-step pull, total{note}"),
            &Stats::of(&totals),
        );
    }
    let split = [
        ("channel.open", "SFTP channel: channel open"),
        ("channel.subsystem", "SFTP channel: subsystem request"),
        ("channel.init", "SFTP channel: FXP_INIT/VERSION"),
    ];
    let mut laps: Vec<Vec<Duration>> = vec![Vec::with_capacity(n); split.len()];
    for _ in 0..n {
        for (i, d) in channel_steps(&peer, &keys).into_iter().enumerate() {
            laps[i].push(d);
        }
    }
    for ((id, label), sample) in split.iter().zip(&laps) {
        report(&format!("sftp.phase.{id}"), label, &Stats::of(sample));
    }
}
