//! Where a message goes: the local socket, or a collector over UDP, TCP or TLS. Every call
//! ends by its deadline, whatever the other side does (a blackholed address, a collector
//! that accepts and never reads, a handshake never answered, a name server that is down).

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How a collector is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// One datagram per message (RFC 5426).
    Udp,
    /// Octet-counted frames over TCP (RFC 6587).
    Tcp,
    /// Octet-counted frames over TLS 1.2 or later (RFC 5425).
    Tls,
}

impl Transport {
    pub const ALL: [Transport; 3] = [Transport::Udp, Transport::Tcp, Transport::Tls];

    pub fn id(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
            Transport::Tls => "tls",
        }
    }

    pub fn parse(word: &str) -> Option<Transport> {
        Transport::ALL
            .into_iter()
            .find(|t| t.id().eq_ignore_ascii_case(word.trim()))
    }
}

/// A syslog collector.
#[derive(Debug, Clone, Copy)]
pub struct Collector<'a> {
    /// A host name or an IP address; a TLS collector's certificate must name it.
    pub host: &'a str,
    pub port: u16,
    pub transport: Transport,
    /// PEM certificates a TLS collector's certificate must chain to; `None`: the system's.
    pub ca_pem: Option<&'a [u8]>,
}

/// Why a message was not delivered; written for the operator.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the host name {host} does not resolve: {reason}")]
    Resolve { host: String, reason: String },
    #[error("no answer within the time allowed ({0})")]
    TimedOut(&'static str),
    #[error("cannot connect to {addr}: {source}")]
    Connect { addr: SocketAddr, source: io::Error },
    #[error("cannot send: {0}")]
    Io(#[from] io::Error),
    #[error("the collector's certificate was refused: {0}")]
    Untrusted(String),
    #[error("TLS failed: {0}")]
    Tls(String),
    #[error("SyslogCAFile holds no usable certificate: {0}")]
    CaFile(String),
}

/// Sends one datagram to the local system log socket at `path`, waiting at most `wait`.
pub fn send_local(path: &Path, message: &[u8], wait: Duration) -> Result<(), SendError> {
    let socket = UnixDatagram::unbound()?;
    // A syslog daemon that stopped reading must not hold the change up.
    socket.set_write_timeout(Some(wait.max(Duration::from_millis(1))))?;
    socket.send_to(message, path).map_err(timed)?;
    Ok(())
}

/// Sends one message to `collector` (framed as its transport needs), by `deadline`.
pub fn send_collector(
    collector: &Collector,
    message: &str,
    deadline: Instant,
) -> Result<(), SendError> {
    let addrs = resolve(collector.host, collector.port, deadline)?;
    match collector.transport {
        Transport::Udp => send_udp(&addrs, message.as_bytes(), deadline),
        Transport::Tcp => {
            let mut stream = connect(&addrs, deadline)?;
            stream.write_all(&super::octet_counted(message))?;
            stream.flush()?;
            Ok(())
        }
        Transport::Tls => {
            let stream = connect(&addrs, deadline)?;
            let frame = super::octet_counted(message);
            super::tls::send(stream, collector.host, collector.ca_pem, &frame)
        }
    }
}

/// The time left before `deadline`; an error once it has passed.
fn left(deadline: Instant) -> io::Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "no answer within the time allowed",
        ))
    } else {
        Ok(left)
    }
}

/// A socket timeout reads as EAGAIN: said as what it is.
fn timed(e: io::Error) -> io::Error {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            io::Error::new(io::ErrorKind::TimedOut, "no answer within the time allowed")
        }
        _ => e,
    }
}

/// The addresses of `host`. A name is resolved on a thread of its own: getaddrinfo cannot be
/// given a timeout, and a name server that does not answer must not hold the change up.
fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, SendError> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::channel();
    let name = host.to_string();
    let spawned = std::thread::Builder::new()
        .name("syslog-resolve".into())
        .spawn(move || {
            let found = (name.as_str(), port)
                .to_socket_addrs()
                .map(Iterator::collect::<Vec<_>>);
            let _ = tx.send(found);
        });
    let failed = |reason: String| SendError::Resolve {
        host: host.to_string(),
        reason,
    };
    spawned.map_err(|e| failed(e.to_string()))?;
    let wait = left(deadline).map_err(|_| SendError::TimedOut("resolving the host name"))?;
    match rx.recv_timeout(wait) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(failed("no address".into())),
        Ok(Err(e)) => Err(failed(e.to_string())),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(SendError::TimedOut("resolving the host name")),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(failed("the resolver stopped".into())),
    }
}

fn send_udp(addrs: &[SocketAddr], message: &[u8], deadline: Instant) -> Result<(), SendError> {
    let Some(&addr) = addrs.first() else {
        return Err(SendError::TimedOut("resolving the host name"));
    };
    let local: SocketAddr = if addr.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(local)?;
    socket.set_write_timeout(Some(left(deadline)?))?;
    let sent = socket.send_to(message, addr).map_err(timed)?;
    if sent < message.len() {
        return Err(SendError::Io(io::Error::other("the datagram was cut")));
    }
    Ok(())
}

/// A TCP connection to the first address that answers by `deadline`.
fn connect(addrs: &[SocketAddr], deadline: Instant) -> Result<Deadlined, SendError> {
    let mut last = None;
    for addr in addrs {
        let Ok(wait) = left(deadline) else { break };
        match TcpStream::connect_timeout(addr, wait) {
            Ok(stream) => return Ok(Deadlined { stream, deadline }),
            Err(source) => {
                last = Some(SendError::Connect {
                    addr: *addr,
                    source: timed(source),
                })
            }
        }
    }
    Err(last.unwrap_or(SendError::TimedOut("connecting")))
}

/// A TCP stream whose every read and write ends by the deadline: the socket timeout is set
/// to the time left before each call, so a peer that trickles bytes cannot stretch it.
#[derive(Debug)]
pub(super) struct Deadlined {
    stream: TcpStream,
    deadline: Instant,
}

impl Read for Deadlined {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_timeout(Some(left(self.deadline)?))?;
        self.stream.read(buf).map_err(timed)
    }
}

impl Write for Deadlined {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.set_write_timeout(Some(left(self.deadline)?))?;
        self.stream.write(buf).map_err(timed)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}
