//! Connections that end by a deadline, whatever the other side does: a name server that
//! does not answer, an address that drops packets, a peer that accepts and never speaks.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use super::failure::{Failure, Stage};
use crate::resolve::Unresolved;

/// The time left before `deadline`; an error once it has passed.
fn left(deadline: Instant) -> io::Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            crate::say!("tlscheck.deadline_passed"),
        ))
    } else {
        Ok(left)
    }
}

/// Whether `e` is a socket timeout (which reads as EAGAIN).
pub(super) fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A TCP stream whose every read and write ends by the deadline: the socket timeout is set
/// to the time left before each call, so a peer that trickles bytes cannot stretch it.
#[derive(Debug)]
pub(super) struct Deadlined {
    pub(super) stream: TcpStream,
    pub(super) deadline: Instant,
}

impl Read for Deadlined {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_timeout(Some(left(self.deadline)?))?;
        self.stream.read(buf)
    }
}

impl Write for Deadlined {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.set_write_timeout(Some(left(self.deadline)?))?;
        self.stream.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

fn timed_out(during: Stage, seconds: u64) -> Failure {
    Failure::TimedOut { during, seconds }
}

/// The addresses of `host` by `deadline` (`seconds` after the check began).
pub(super) fn resolve(
    host: &str,
    port: u16,
    deadline: Instant,
    seconds: u64,
) -> Result<Vec<SocketAddr>, Failure> {
    crate::resolve::addresses(host, port, deadline, "tls-resolve").map_err(|e| match e {
        Unresolved::TimedOut => timed_out(Stage::Resolving, seconds),
        Unresolved::Failed(reason) => Failure::Resolve {
            host: host.to_string(),
            reason,
        },
    })
}

/// A TCP connection to the first of `addrs` that answers by `deadline`.
pub(super) fn connect(
    addrs: &[SocketAddr],
    deadline: Instant,
    seconds: u64,
) -> Result<Deadlined, Failure> {
    let mut last = None;
    for addr in addrs {
        let Ok(wait) = left(deadline) else { break };
        match TcpStream::connect_timeout(addr, wait) {
            Ok(stream) => return Ok(Deadlined { stream, deadline }),
            Err(e) if is_timeout(&e) => last = Some(timed_out(Stage::Connecting, seconds)),
            Err(e) => {
                last = Some(Failure::Connect {
                    addr: addr.to_string(),
                    reason: e.to_string(),
                })
            }
        }
    }
    Err(last.unwrap_or_else(|| timed_out(Stage::Connecting, seconds)))
}
