//! The server side: an installed certificate and key checked and served under the policy,
//! once for a self-test or to every client until stopped (`tanos-menu tls-listen`).

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use openssl::error::ErrorStack;
use openssl::pkey::PKey;
use openssl::ssl::{HandshakeError, Ssl, SslContext};
use openssl::x509::X509;

use super::conn::{Deadlined, is_timeout};
use super::failure::{Failure, Part};
use super::policy::{self, HANDSHAKE_SECONDS};
use super::report::CertFacts;
use super::trust;

/// How long an idle accept loop sleeps between looks (the listener does not block, so a
/// stop request is seen within this).
const POLL: Duration = Duration::from_millis(20);
/// Handshakes served at once; a connection beyond them is closed at once.
const MAX_ACTIVE: usize = 64;

/// A certificate and key ready to serve.
#[derive(Clone)]
pub struct Serving {
    pub context: SslContext,
    pub facts: CertFacts,
    pub(super) cert_der: Vec<u8>,
}

impl std::fmt::Debug for Serving {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serving")
            .field("facts", &self.facts)
            .finish_non_exhaustive()
    }
}

/// OpenSSL's reasons, without its file and line noise.
pub(super) fn reasons(stack: &ErrorStack) -> String {
    let reasons: Vec<String> = stack
        .errors()
        .iter()
        .map(|e| {
            e.reason()
                .map_or_else(|| crate::say!("tlscheck.unknown_error"), str::to_string)
        })
        .collect();
    if reasons.is_empty() {
        crate::say!("tlscheck.no_reason")
    } else {
        reasons.join("; ")
    }
}

/// Why a certificate and key cannot be served, and the certificate's facts when it could
/// be read.
#[derive(Debug, Clone)]
pub struct Unservable {
    pub failure: Failure,
    pub cert: Option<CertFacts>,
}

/// The installed certificate and key, checked as a server would need them: both readable,
/// the key the certificate's, a key some listed suite can use.
pub fn serving(cert_pem: &str, key_pem: &str) -> Result<Serving, Box<Unservable>> {
    let unreadable = |part, reason: String| {
        Box::new(Unservable {
            failure: Failure::Unreadable { part, reason },
            cert: None,
        })
    };
    let cert = X509::from_pem(cert_pem.as_bytes())
        .map_err(|e| unreadable(Part::Certificate, reasons(&e)))?;
    let cert_der = cert
        .to_der()
        .map_err(|e| unreadable(Part::Certificate, reasons(&e)))?;
    let facts = trust::facts(&cert_der).map_err(|e| unreadable(Part::Certificate, e))?;
    let fail = |failure| {
        Box::new(Unservable {
            failure,
            cert: Some(facts.clone()),
        })
    };
    let key = PKey::private_key_from_pem(key_pem.as_bytes()).map_err(|e| {
        fail(Failure::Unreadable {
            part: Part::Key,
            reason: reasons(&e),
        })
    })?;
    let cert_key = cert.public_key().map_err(|e| {
        fail(Failure::Unreadable {
            part: Part::Certificate,
            reason: reasons(&e),
        })
    })?;
    if !cert_key.public_eq(&key) {
        let key_fingerprint = key
            .public_key_to_der()
            .map(|der| crate::pki::spki_fingerprint(&der))
            .unwrap_or_default();
        return Err(fail(Failure::KeyMismatch {
            cert_key: facts.summary.key_fingerprint.clone(),
            key: key_fingerprint,
        }));
    }
    if !facts.key.usable() {
        return Err(fail(Failure::UnusableKey {
            key: facts.key.label(),
        }));
    }
    let context = policy::server_context(&cert, &key).map_err(|e| {
        fail(Failure::Setup {
            reason: reasons(&e),
        })
    })?;
    Ok(Serving {
        context,
        facts,
        cert_der,
    })
}

/// One handshake as the server, then a polite close. The reason when it fails.
pub(super) fn answer(context: &SslContext, stream: Deadlined) -> Result<(), String> {
    let ssl = Ssl::new(context).map_err(|e| reasons(&e))?;
    match ssl.accept(stream) {
        Ok(mut tls) => {
            let _ = tls.shutdown();
            Ok(())
        }
        Err(HandshakeError::SetupFailure(e)) => Err(reasons(&e)),
        Err(HandshakeError::Failure(mid) | HandshakeError::WouldBlock(mid)) => {
            let error = mid.error();
            Err(match (error.io_error(), error.ssl_error()) {
                (Some(io), _) if is_timeout(io) => crate::say!("tlscheck.no_answer"),
                (Some(io), _) => io.to_string(),
                (None, Some(stack)) => reasons(stack),
                (None, None) => error.to_string(),
            })
        }
    }
}

/// Waits for one client until `deadline`, and answers it.
pub(super) fn answer_one(
    listener: &TcpListener,
    context: &SslContext,
    deadline: Instant,
) -> Result<(), String> {
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(e) if is_timeout(&e) && Instant::now() < deadline => std::thread::sleep(POLL),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => return Err(crate::say!("tlscheck.no_client")),
            Err(e) => return Err(e.to_string()),
        }
    };
    stream.set_nonblocking(false).map_err(|e| e.to_string())?;
    answer(context, Deadlined { stream, deadline })
}

/// Answers every connection on `listener` with a handshake under the policy, then closes
/// it, until `stop` is set. Each handshake runs on a thread of its own, bounded in time.
pub fn listen(listener: &TcpListener, serving: &Serving, stop: &AtomicBool) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let active = Arc::new(AtomicUsize::new(0));
    while !stop.load(Ordering::SeqCst) {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            // A client that gave up before it was accepted, a descriptor limit: the service
            // goes on.
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => {
                std::thread::sleep(POLL);
                continue;
            }
        };
        if active.load(Ordering::SeqCst) >= MAX_ACTIVE {
            continue;
        }
        if stream.set_nonblocking(false).is_err() {
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let (context, count) = (serving.context.clone(), Arc::clone(&active));
        let deadline = Instant::now() + Duration::from_secs(HANDSHAKE_SECONDS);
        let spawned = std::thread::Builder::new()
            .name("tls-answer".into())
            .spawn(move || {
                let _ = answer(&context, Deadlined { stream, deadline });
                count.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
    Ok(())
}
