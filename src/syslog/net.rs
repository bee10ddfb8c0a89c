//! Where a message goes: the local socket, or a collector over UDP, TCP or TLS. Every call
//! ends by its deadline, whatever the other side does (a blackholed address, a collector
//! that accepts and never reads, a handshake never answered, a name server that is down).

use std::io::{self, Write};
use std::net::{SocketAddr, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::time::{Duration, Instant};

use super::stream::{SendError, Stage, connect, left, timed};
use crate::resolve::Unresolved;

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

/// The addresses of `host` by `deadline`.
fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, SendError> {
    crate::resolve::addresses(host, port, deadline, "syslog-resolve").map_err(|e| match e {
        Unresolved::TimedOut => SendError::TimedOut(Stage::Resolving),
        Unresolved::Failed(reason) => SendError::Resolve {
            host: host.to_string(),
            reason,
        },
    })
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
