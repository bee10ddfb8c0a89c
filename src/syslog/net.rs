//! Where a message goes: the local socket, or a collector over UDP, TCP or TLS. Every call
//! ends by its deadline, whatever the other side does (a blackholed address, a collector
//! that accepts and never reads, a handshake never answered, a name server that is down).

use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::stream::{SendError, Stage, connect, left, timed};

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
    let wait = left(deadline).map_err(|_| SendError::TimedOut(Stage::Resolving))?;
    match rx.recv_timeout(wait) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(failed(crate::say!("syslog.no_address"))),
        Ok(Err(e)) => Err(failed(e.to_string())),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(SendError::TimedOut(Stage::Resolving)),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(failed(crate::say!("syslog.resolver_stopped")))
        }
    }
}

fn send_udp(addrs: &[SocketAddr], message: &[u8], deadline: Instant) -> Result<(), SendError> {
    let Some(&addr) = addrs.first() else {
        return Err(SendError::TimedOut(Stage::Resolving));
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
        return Err(SendError::Io(io::Error::other(crate::say!(
            "syslog.datagram_cut"
        ))));
    }
    Ok(())
}
