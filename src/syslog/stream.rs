//! A TCP connection bounded by a deadline, and why a message was not delivered: what the
//! collector transports (plain TCP here, TLS in `super::tls`) share.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

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

/// The time left before `deadline`; an error once it has passed.
pub(super) fn left(deadline: Instant) -> io::Result<Duration> {
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
pub(super) fn timed(e: io::Error) -> io::Error {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            io::Error::new(io::ErrorKind::TimedOut, "no answer within the time allowed")
        }
        _ => e,
    }
}

/// A TCP connection to the first address that answers by `deadline`.
pub(super) fn connect(addrs: &[SocketAddr], deadline: Instant) -> Result<Deadlined, SendError> {
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
