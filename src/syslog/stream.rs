//! A TCP connection bounded by a deadline, and why a message was not delivered: what the
//! collector transports (plain TCP here, TLS in `super::tls`) share.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Why a message was not delivered; written for the operator.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{}", crate::say!("syslog.resolve", host = .host, reason = .reason))]
    Resolve { host: String, reason: String },
    #[error("{}", crate::say!("syslog.timed_out", during = .0))]
    TimedOut(Stage),
    #[error("{}", crate::say!("syslog.connect", addr = .addr, reason = .source))]
    Connect { addr: SocketAddr, source: io::Error },
    #[error("{}", crate::say!("syslog.io", reason = .0))]
    Io(#[from] io::Error),
    #[error("{}", crate::say!("syslog.untrusted", reason = .0))]
    Untrusted(String),
    #[error("{}", crate::say!("syslog.tls", reason = .0))]
    Tls(String),
    #[error("{}", crate::say!("syslog.ca_file", reason = .0))]
    CaFile(String),
}

pub use crate::resolve::Stage;

/// A timeout, said as what it is.
fn no_answer() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, crate::say!("syslog.no_answer"))
}

/// The time left before `deadline`; an error once it has passed.
pub(super) fn left(deadline: Instant) -> io::Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(no_answer())
    } else {
        Ok(left)
    }
}

/// A socket timeout reads as EAGAIN: said as what it is.
pub(super) fn timed(e: io::Error) -> io::Error {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => no_answer(),
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
    Err(last.unwrap_or(SendError::TimedOut(Stage::Connecting)))
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
