//! The client side: the self-test (a server on 127.0.0.1 in the process and a client of its
//! own) and the probe of a peer, both under the policy and trusting only the root keys.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openssl::ssl::{HandshakeError, Ssl, SslContext, SslVerifyMode};
use time::OffsetDateTime;

use super::conn::{self, Deadlined, is_timeout};
use super::failure::{Failure, Stage};
use super::policy::{self, HANDSHAKE_SECONDS, check_negotiated};
use super::report::{CertFacts, Check, Negotiated, Report};
use super::serve::{self, reasons};
use super::trust::{self, Expect, PeerName};
use crate::pki::TrustedKey;

/// What a self-test serves and trusts.
#[derive(Debug, Clone)]
pub struct Material {
    pub cert_pem: String,
    pub key_pem: String,
    pub roots: Vec<TrustedKey>,
    /// The name the certificate must carry: the appliance's own.
    pub name: String,
}

/// A handshake the client completed and accepted.
struct Session {
    negotiated: Negotiated,
    /// DER, leaf first.
    chain: Vec<Vec<u8>>,
}

/// A handshake that failed: why, the leaf the client saw, and whether it was the client's
/// own judgement of that leaf (rather than the protocol) that ended it.
struct Refused {
    failure: Failure,
    leaf: Option<Vec<u8>>,
    judged: bool,
}

/// What the verify callback saw of the peer's leaf.
#[derive(Clone)]
struct Seen {
    leaf: Vec<u8>,
    verdict: Result<(), Failure>,
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(HANDSHAKE_SECONDS)
}

fn setup(e: openssl::error::ErrorStack) -> Failure {
    Failure::Setup {
        reason: reasons(&e),
    }
}

/// Why a client handshake failed, when the client's judgement did not end it.
fn handshake_failure<S>(e: HandshakeError<S>) -> Failure {
    let timed_out = Failure::TimedOut {
        during: Stage::Handshake,
        seconds: HANDSHAKE_SECONDS,
    };
    match e {
        HandshakeError::SetupFailure(e) => setup(e),
        HandshakeError::WouldBlock(_) => timed_out,
        HandshakeError::Failure(mid) => {
            let error = mid.error();
            match (error.io_error(), error.ssl_error()) {
                (Some(io), _) if is_timeout(io) => timed_out,
                (Some(io), _) => Failure::Handshake {
                    reason: io.to_string(),
                },
                (None, Some(stack)) => Failure::Handshake {
                    reason: reasons(stack),
                },
                (None, None) => Failure::Handshake {
                    reason: error.to_string(),
                },
            }
        }
    }
}

/// A handshake under the policy, judging the peer's leaf in the verify callback.
/// What the verify callback saw of the peer's leaf, shared with the handshake's caller.
type SeenCell = Arc<Mutex<Option<Seen>>>;

fn refused_by(failure: Failure) -> Refused {
    Refused {
        failure,
        leaf: None,
        judged: false,
    }
}

/// A client session that judges the peer's leaf itself, against the root keys only.
fn judging_ssl(expect: &Expect) -> Result<(Ssl, SeenCell), Refused> {
    let context = policy::client_context().map_err(|e| refused_by(setup(e)))?;
    let mut ssl = Ssl::new(&context).map_err(|e| refused_by(setup(e)))?;
    if let PeerName::Dns(name) = &expect.name {
        // Server name indication; a name OpenSSL refuses to send is judged all the same.
        let _ = ssl.set_hostname(name);
    }
    let seen: SeenCell = Arc::new(Mutex::new(None));
    let (cell, judge) = (Arc::clone(&seen), expect.clone());
    ssl.set_verify_callback(SslVerifyMode::PEER, move |_, ctx| {
        // Only the leaf is judged, against the root keys; what else the peer sent and the
        // empty certificate store's complaints about it decide nothing.
        if ctx.error_depth() != 0 {
            return true;
        }
        let Some(der) = ctx.current_cert().and_then(|c| c.to_der().ok()) else {
            return false;
        };
        let Ok(mut cell) = cell.lock() else {
            return false;
        };
        let seen = cell.get_or_insert_with(|| Seen {
            verdict: trust::judge(&der, &judge),
            leaf: der,
        });
        seen.verdict.is_ok()
    });
    Ok((ssl, seen))
}

fn strict_handshake(stream: Deadlined, expect: &Expect) -> Result<Session, Refused> {
    let (ssl, seen) = judging_ssl(expect)?;
    let result = ssl.connect(stream);
    let seen = seen.lock().ok().and_then(|s| s.clone());
    let mut tls = match result {
        Ok(tls) => tls,
        Err(e) => {
            return Err(match seen {
                Some(Seen {
                    leaf,
                    verdict: Err(failure),
                }) => Refused {
                    failure,
                    leaf: Some(leaf),
                    judged: true,
                },
                other => Refused {
                    failure: handshake_failure(e),
                    leaf: other.map(|s| s.leaf),
                    judged: false,
                },
            });
        }
    };
    let negotiated = Negotiated {
        version: tls.ssl().version_str().to_string(),
        suite: tls
            .ssl()
            .current_cipher()
            .map_or("none", |c| c.name())
            .to_string(),
    };
    let chain: Vec<Vec<u8>> = tls
        .ssl()
        .peer_cert_chain()
        .map(|stack| stack.iter().filter_map(|c| c.to_der().ok()).collect())
        .unwrap_or_default();
    let _ = tls.shutdown();
    session_of(negotiated, chain, seen)
}

/// The session, once the handshake went through, as the leaf's judgement says.
fn session_of(
    negotiated: Negotiated,
    mut chain: Vec<Vec<u8>>,
    seen: Option<Seen>,
) -> Result<Session, Refused> {
    match seen {
        Some(Seen {
            leaf,
            verdict: Ok(()),
        }) => {
            if chain.first() != Some(&leaf) {
                chain.insert(0, leaf);
            }
            Ok(Session { negotiated, chain })
        }
        Some(Seen {
            leaf,
            verdict: Err(failure),
        }) => Err(Refused {
            failure,
            leaf: Some(leaf),
            judged: true,
        }),
        None => Err(refused_by(Failure::NoPeerCertificate)),
    }
}

/// What a peer that refused the policy agrees to when offered anything from TLS 1.0 on,
/// and the leaf it sends then.
fn offered_anything(addrs: &[SocketAddr]) -> Option<(Negotiated, Option<Vec<u8>>)> {
    let stream = conn::connect(addrs, deadline(), HANDSHAKE_SECONDS).ok()?;
    let context: SslContext = policy::anything_context().ok()?;
    let mut tls = Ssl::new(&context).ok()?.connect(stream).ok()?;
    let negotiated = Negotiated {
        version: tls.ssl().version_str().to_string(),
        suite: tls.ssl().current_cipher()?.name().to_string(),
    };
    let leaf = tls.ssl().peer_certificate().and_then(|c| c.to_der().ok());
    let _ = tls.shutdown();
    Some((negotiated, leaf))
}

fn facts_of(chain: &[Vec<u8>]) -> Vec<CertFacts> {
    chain
        .iter()
        .filter_map(|der| trust::facts(der).ok())
        .collect()
}

/// Fills `report` from an accepted handshake.
fn accepted(report: &mut Report, session: Session, roots: &[TrustedKey]) {
    report.outcome = check_negotiated(&session.negotiated.version, &session.negotiated.suite);
    report.negotiated = Some(session.negotiated);
    report.chain = facts_of(&session.chain);
    report.signed_by = session
        .chain
        .first()
        .and_then(|leaf| trust::signer(leaf, roots));
}

fn report_for(check: Check, roots: &[TrustedKey], name: &str) -> Report {
    Report {
        roots: roots.iter().map(|r| r.fingerprint.clone()).collect(),
        name: Some(name.to_string()),
        ..Report::new(check)
    }
}

/// Serves the installed certificate and key on 127.0.0.1 from a thread, and connects to it
/// with a client that trusts only `material.roots` and expects the appliance's name.
/// The client side of the self-test, against the server thread at `addr`.
fn local_client(
    addr: std::io::Result<std::net::SocketAddr>,
    until: Instant,
    expect: &Expect,
) -> Result<Session, Refused> {
    let stream = match addr {
        Ok(addr) => conn::connect(&[addr], until, HANDSHAKE_SECONDS).map_err(refused_by)?,
        Err(e) => {
            return Err(refused_by(Failure::Connect {
                addr: "127.0.0.1".into(),
                reason: e.to_string(),
            }));
        }
    };
    strict_handshake(stream, expect)
}

pub fn self_test(material: &Material, now: OffsetDateTime) -> Report {
    let mut report = report_for(Check::SelfTest, &material.roots, &material.name);
    let serving = match serve::serving(&material.cert_pem, &material.key_pem) {
        Ok(serving) => serving,
        Err(unservable) => {
            report.chain = unservable.cert.into_iter().collect();
            report.outcome = Err(unservable.failure);
            return report;
        }
    };
    report.chain = vec![serving.facts.clone()];
    report.signed_by = trust::signer(&serving.cert_der, &material.roots);
    let listener = match TcpListener::bind((Ipv4Addr::LOCALHOST, 0)) {
        Ok(listener) => listener,
        Err(e) => {
            report.outcome = Err(Failure::Connect {
                addr: "127.0.0.1".into(),
                reason: e.to_string(),
            });
            return report;
        }
    };
    let addr = listener.local_addr();
    let until = deadline();
    let context = serving.context.clone();
    // The server's reasons join the client's sentence: said in the same voice.
    let voice = crate::texts::voice();
    let server = std::thread::Builder::new()
        .name("tls-self-test".into())
        .spawn(move || {
            crate::texts::speak_as(voice);
            serve::answer_one(&listener, &context, until)
        });
    let expect = Expect {
        roots: material.roots.clone(),
        name: PeerName::of(&material.name),
        now,
    };
    let client = local_client(addr, until, &expect);
    let served = match server {
        Ok(handle) => handle
            .join()
            .unwrap_or_else(|_| Err(crate::say!("tlscheck.server_stopped"))),
        Err(e) => Err(e.to_string()),
    };
    match client {
        Ok(session) => accepted(&mut report, session, &material.roots),
        Err(Refused {
            failure: Failure::Handshake { reason },
            ..
        }) => {
            // Both sides' reasons: the server often knows better (no shared suite).
            let reason = match served {
                Err(server) => {
                    crate::say!("tlscheck.with_server", reason = reason, server = server)
                }
                Ok(()) => reason,
            };
            report.outcome = Err(Failure::Handshake { reason });
        }
        Err(refused) => report.outcome = Err(refused.failure),
    }
    report
}

/// Connects to `host:port` as a client under the policy that trusts only `roots` and expects
/// a certificate for `name` (sent as the server name when it is not an address). When the
/// peer refuses the policy, a second connection offering anything learns what it would
/// agree to, so the report says which rule it breaks (an old protocol, a suite outside the
/// list, a key no listed suite can use).
pub fn probe(
    host: &str,
    port: u16,
    name: &str,
    roots: &[TrustedKey],
    now: OffsetDateTime,
) -> Report {
    let check = Check::Probe {
        host: host.to_string(),
        port,
        name: name.to_string(),
    };
    let mut report = report_for(check, roots, name);
    let until = deadline();
    let addrs = match conn::resolve(host, port, until, HANDSHAKE_SECONDS) {
        Ok(addrs) => addrs,
        Err(failure) => {
            report.outcome = Err(failure);
            return report;
        }
    };
    let expect = Expect {
        roots: roots.to_vec(),
        name: PeerName::of(name),
        now,
    };
    let refused = match conn::connect(&addrs, until, HANDSHAKE_SECONDS)
        .map(|s| strict_handshake(s, &expect))
    {
        Err(failure) => {
            report.outcome = Err(failure);
            return report;
        }
        Ok(Ok(session)) => {
            accepted(&mut report, session, roots);
            return report;
        }
        Ok(Err(refused)) => refused,
    };
    if let Some(leaf) = &refused.leaf {
        report.chain = facts_of(std::slice::from_ref(leaf));
        report.signed_by = trust::signer(leaf, roots);
    }
    report.outcome = Err(match refused.failure {
        failure @ Failure::Handshake { .. } if !refused.judged => {
            diagnose(&mut report, &addrs, roots, failure)
        }
        failure => failure,
    });
    report
}

/// The rule a peer that failed the policy's handshake breaks, learnt by offering it
/// anything; `failure` when it breaks none of them.
fn diagnose(
    report: &mut Report,
    addrs: &[SocketAddr],
    roots: &[TrustedKey],
    failure: Failure,
) -> Failure {
    let Some((negotiated, leaf)) = offered_anything(addrs) else {
        return failure;
    };
    let leaf_facts = leaf.as_deref().and_then(|der| trust::facts(der).ok());
    if report.chain.is_empty()
        && let (Some(facts), Some(der)) = (&leaf_facts, &leaf)
    {
        report.chain = vec![facts.clone()];
        report.signed_by = trust::signer(der, roots);
    }
    let broken = check_negotiated(&negotiated.version, &negotiated.suite);
    report.diagnosed = Some(negotiated);
    match (broken, leaf_facts) {
        (Err(rule), _) => rule,
        (Ok(()), Some(facts)) if !facts.key.usable() => Failure::UnusableKey {
            key: facts.key.label(),
        },
        (Ok(()), _) => failure,
    }
}
