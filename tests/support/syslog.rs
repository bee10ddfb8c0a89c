//! Syslog receivers on 127.0.0.1 for the forwarding tests, written here: UDP, TCP and TLS
//! listeners (TLS with OpenSSL's acceptor and a certificate `openssl req -x509` made), a unix
//! datagram socket standing in for /dev/log, hostile collectors (one that accepts and never
//! reads, one that never answers a TLS handshake), and the RFC 6587 octet-counting parser
//! that checks the frames received.

use std::io::Read;
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use openssl::ssl::{SslAcceptor, SslFiletype, SslMethod};

/// What a receiver got: one entry per datagram, or per connection (all its bytes).
pub struct Received(mpsc::Receiver<Vec<u8>>);

impl Received {
    /// The first entry holding `needle`, waiting at most `within`; panics when none came.
    pub fn wait_for(&self, needle: &str, within: Duration) -> Vec<u8> {
        let end = Instant::now() + within;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.0.recv_timeout(left) {
                Ok(bytes) if contains(&bytes, needle.as_bytes()) => return bytes,
                Ok(_) => continue,
                Err(_) => panic!("nothing holding {needle:?} came within {within:?}"),
            }
        }
    }

    /// Whether anything holding `needle` comes within `within`.
    pub fn gets(&self, needle: &str, within: Duration) -> bool {
        let end = Instant::now() + within;
        while let Ok(bytes) = self
            .0
            .recv_timeout(end.saturating_duration_since(Instant::now()))
        {
            if contains(&bytes, needle.as_bytes()) {
                return true;
            }
        }
        false
    }
}

pub fn contains(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle)
}

fn spawn(f: impl FnOnce() + Send + 'static) {
    std::thread::spawn(f);
}

/// A UDP receiver: each datagram as it came.
pub fn udp() -> (u16, Received) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind udp");
    let port = socket.local_addr().expect("addr").port();
    let (tx, rx) = mpsc::channel();
    spawn(move || {
        let mut buf = vec![0u8; 65536];
        while let Ok(n) = socket.recv(&mut buf) {
            if tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    (port, Received(rx))
}

/// A unix datagram socket at `path`, as a syslog daemon binds /dev/log.
pub fn unix(path: &Path) -> Received {
    let socket = UnixDatagram::bind(path).expect("bind unix datagram socket");
    let (tx, rx) = mpsc::channel();
    spawn(move || {
        let mut buf = vec![0u8; 65536];
        while let Ok(n) = socket.recv(&mut buf) {
            if tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    Received(rx)
}

/// Reads a connection to its end (or a quiet 5 s), keeping what came.
fn drain(mut stream: impl Read) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return all,
            Ok(n) => all.extend_from_slice(&buf[..n]),
        }
    }
}

/// A TCP receiver: the bytes of each connection.
pub fn tcp() -> (u16, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind tcp");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = mpsc::channel();
    spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            if tx.send(drain(stream)).is_err() {
                break;
            }
        }
    });
    (port, Received(rx))
}

/// A TLS receiver serving `cert` and `key`: the decrypted bytes of each connection.
pub fn tls(cert: &Path, key: &Path) -> (u16, Received) {
    let mut builder = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).expect("ssl");
    builder
        .set_private_key_file(key, SslFiletype::PEM)
        .expect("key");
    builder.set_certificate_chain_file(cert).expect("cert");
    let acceptor = builder.build();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind tls");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = mpsc::channel();
    spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            // A client that refuses the certificate ends the handshake: nothing to keep.
            let Ok(tls) = acceptor.accept(stream) else {
                continue;
            };
            if tx.send(drain(tls)).is_err() {
                break;
            }
        }
    });
    (port, Received(rx))
}

/// A collector that accepts connections and never reads from them nor writes to them (a
/// TLS handshake is never answered). The connections stay open as long as the test runs.
pub fn silent() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind silent");
    let port = listener.local_addr().expect("addr").port();
    spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

/// A port on 127.0.0.1 that nothing listens on (bound, then let go).
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A self-signed certificate and its key in `dir`, made by `openssl req -x509`.
pub fn self_signed(dir: &Path, name: &str, cn: &str, san: &str) -> (PathBuf, PathBuf) {
    let cert = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    let (ok, out) = crate::support::tools::openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "2",
        "-subj",
        &format!("/CN={cn}"),
        "-addext",
        &format!("subjectAltName={san}"),
        "-keyout",
        key.to_str().expect("utf-8 path"),
        "-out",
        cert.to_str().expect("utf-8 path"),
    ]);
    assert!(ok, "openssl req -x509: {out}");
    (cert, key)
}

/// The messages of an RFC 6587 octet-counted stream (`LEN SP MSG`…); panics unless the
/// bytes are exactly whole frames, each LEN the length of its MSG.
pub fn frames(mut bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let space = bytes.iter().position(|b| *b == b' ').unwrap_or_else(|| {
            panic!(
                "no SP after MSG-LEN in {:?}",
                String::from_utf8_lossy(bytes)
            )
        });
        let len: usize = std::str::from_utf8(&bytes[..space])
            .ok()
            .filter(|d| !d.starts_with('0') && d.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(|| panic!("MSG-LEN is not a number: {:?}", &bytes[..space]));
        let rest = &bytes[space + 1..];
        assert!(
            rest.len() >= len,
            "a frame of {len} bytes holds {}",
            rest.len()
        );
        out.push(String::from_utf8(rest[..len].to_vec()).expect("a UTF-8 message"));
        bytes = &rest[len..];
    }
    out
}

/// `tanos-menu config set NAME VALUE --component console --root ROOT`, as an operator runs it.
pub fn config_set(root: &Path, name: &str, value: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_tanos-menu"))
        .args([
            "config",
            "set",
            name,
            value,
            "--component",
            "console",
            "--root",
        ])
        .arg(root)
        .env_remove("TANOS_ROOT")
        .output()
        .expect("run tanos-menu")
}

/// `config_set` that must succeed.
pub fn config_set_ok(root: &Path, name: &str, value: &str) {
    let out = config_set(root, name, value);
    assert!(
        out.status.success(),
        "config set {name} {value}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The audit.jsonl line that holds `needle`.
pub fn audit_line(root: &Path, needle: &str) -> String {
    let text = std::fs::read_to_string(root.join("log/audit.jsonl")).expect("audit.jsonl");
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no audit line holds {needle:?}"))
        .to_string()
}

/// Checks an RFC 5424 message from `host` for `action` and returns its MSG.
pub fn rfc5424_msg(message: &str, host: &str, action: &str) -> String {
    let parts: Vec<&str> = message.splitn(8, ' ').collect();
    assert_eq!(parts.len(), 8, "{message}");
    // authpriv (10) * 8 + notice (5), version 1.
    assert_eq!(parts[0], "<85>1", "{message}");
    let time = parts[1];
    assert!(
        time.len() == 27 && time.ends_with('Z') && time.as_bytes()[10] == b'T',
        "RFC 5424 TIMESTAMP with microseconds: {time}"
    );
    assert_eq!(parts[2], host);
    assert_eq!(parts[3], "tanos-menu", "APP-NAME");
    assert!(
        parts[4].bytes().all(|b| b.is_ascii_digit()),
        "PROCID {}",
        parts[4]
    );
    assert_eq!(parts[5], action, "MSGID");
    assert_eq!(parts[6], "-", "no STRUCTURED-DATA");
    parts[7].to_string()
}
