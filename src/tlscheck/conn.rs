//! Connections that end by a deadline, whatever the other side does: a name server that
//! does not answer, an address that drops packets, a peer that accepts and never speaks.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::failure::{Failure, Stage};

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

/// The addresses of `host`. A name is resolved on a thread of its own: getaddrinfo cannot be
/// given a timeout.
pub(super) fn resolve(
    host: &str,
    port: u16,
    deadline: Instant,
    seconds: u64,
) -> Result<Vec<SocketAddr>, Failure> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let failed = |reason: String| Failure::Resolve {
        host: host.to_string(),
        reason,
    };
    let (tx, rx) = mpsc::channel();
    let name = host.to_string();
    std::thread::Builder::new()
        .name("tls-resolve".into())
        .spawn(move || {
            let found = (name.as_str(), port)
                .to_socket_addrs()
                .map(Iterator::collect::<Vec<_>>);
            let _ = tx.send(found);
        })
        .map_err(|e| failed(e.to_string()))?;
    let wait = left(deadline).map_err(|_| timed_out(Stage::Resolving, seconds))?;
    match rx.recv_timeout(wait) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(failed(crate::say!("tlscheck.no_address"))),
        Ok(Err(e)) => Err(failed(e.to_string())),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(timed_out(Stage::Resolving, seconds)),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(failed(crate::say!("tlscheck.resolver_stopped")))
        }
    }
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
