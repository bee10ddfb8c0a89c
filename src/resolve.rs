//! A host name's addresses by a deadline, and the stages a connection waits through. A
//! name is looked up on a thread of its own: getaddrinfo cannot be given a timeout, and a
//! name server that does not answer must not hold anything up.

use std::fmt;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Instant;

/// What a connection was waiting for when its time ran out, said in the thread's voice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Resolving,
    Connecting,
    Handshake,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&match self {
            Stage::Resolving => crate::say!("resolve.during.resolving"),
            Stage::Connecting => crate::say!("resolve.during.connecting"),
            Stage::Handshake => crate::say!("resolve.during.handshake"),
        })
    }
}

/// Why `host` gave no address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// The deadline passed first.
    TimedOut,
    /// The resolver's reason, in the thread's voice.
    Failed(String),
}

/// The addresses of `host` (an IP address is its own), looked up on a thread named
/// `thread` and waited for until `deadline`.
pub fn addresses(
    host: &str,
    port: u16,
    deadline: Instant,
    thread: &str,
) -> Result<Vec<SocketAddr>, Unresolved> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::channel();
    let name = host.to_string();
    std::thread::Builder::new()
        .name(thread.into())
        .spawn(move || {
            let found = (name.as_str(), port)
                .to_socket_addrs()
                .map(Iterator::collect::<Vec<_>>);
            let _ = tx.send(found);
        })
        .map_err(|e| Unresolved::Failed(e.to_string()))?;
    let wait = deadline.saturating_duration_since(Instant::now());
    if wait.is_zero() {
        return Err(Unresolved::TimedOut);
    }
    match rx.recv_timeout(wait) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(Unresolved::Failed(crate::say!("resolve.no_address"))),
        Ok(Err(e)) => Err(Unresolved::Failed(e.to_string())),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Unresolved::TimedOut),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(Unresolved::Failed(crate::say!("resolve.resolver_stopped")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn an_address_is_its_own_and_a_passed_deadline_times_out() {
        let soon = Instant::now() + Duration::from_secs(30);
        assert_eq!(
            addresses("127.0.0.1", 514, soon, "t"),
            Ok(vec!["127.0.0.1:514".parse().unwrap()])
        );
        assert_eq!(
            addresses("localhost.invalid", 514, Instant::now(), "t"),
            Err(Unresolved::TimedOut)
        );
    }
}
