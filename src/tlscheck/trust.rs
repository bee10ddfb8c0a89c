//! Trusting only the root key. A Zone Server holds the Tanium root as a public key, not a
//! certificate, so no certificate store can anchor the chain: the client's verify callback
//! judges the peer's leaf itself. The leaf must be signed by a trusted root key directly
//! (the Tanium root signs reporting certificates without intermediates), be valid now, and
//! name the host asked for. Whatever else the peer sends in its chain vouches for nothing.

use std::net::IpAddr;

use time::OffsetDateTime;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::failure::Failure;
use super::policy::cert_key_kind;
use super::report::CertFacts;
use crate::pki::inspect::Validity;
use crate::pki::{CertSummary, TrustedKey};

/// The name a client asks for: the certificate must carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerName {
    Dns(String),
    Ip(IpAddr),
}

impl PeerName {
    /// A host as typed: an IP address, else a DNS name.
    pub fn of(host: &str) -> PeerName {
        match host.trim_matches(['[', ']']).parse::<IpAddr>() {
            Ok(ip) => PeerName::Ip(ip),
            Err(_) => PeerName::Dns(host.to_string()),
        }
    }

    pub fn text(&self) -> String {
        match self {
            PeerName::Dns(name) => name.clone(),
            PeerName::Ip(ip) => ip.to_string(),
        }
    }

    /// Whether `names` (DNS names and addresses of a certificate) include this one; a
    /// wildcard stands for one whole left-most label.
    fn is_in(&self, names: &[String]) -> bool {
        match self {
            PeerName::Ip(ip) => names.iter().any(|n| n.parse::<IpAddr>().ok() == Some(*ip)),
            PeerName::Dns(host) => {
                let host = normal(host);
                names.iter().map(|n| normal(n)).any(|name| {
                    if name == host {
                        return true;
                    }
                    match (name.strip_prefix("*."), host.split_once('.')) {
                        (Some(rest), Some((label, host_rest))) => {
                            !label.is_empty() && rest == host_rest
                        }
                        _ => false,
                    }
                })
            }
        }
    }
}

/// A DNS name as compared: lower case, without a final dot.
fn normal(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// What the client expects of the peer's certificate.
#[derive(Debug, Clone)]
pub(super) struct Expect {
    pub roots: Vec<TrustedKey>,
    pub name: PeerName,
    pub now: OffsetDateTime,
}

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, String> {
    X509Certificate::from_der(der)
        .map(|(_, cert)| cert)
        .map_err(|e| e.to_string())
}

/// The DNS names and IP addresses a certificate carries; its common name when it has none.
fn names_of(cert: &X509Certificate<'_>) -> Vec<String> {
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(dns) => names.push((*dns).to_string()),
                GeneralName::IPAddress(bytes) => {
                    let ip = match bytes.len() {
                        4 => <[u8; 4]>::try_from(*bytes).ok().map(IpAddr::from),
                        16 => <[u8; 16]>::try_from(*bytes).ok().map(IpAddr::from),
                        _ => None,
                    };
                    names.extend(ip.map(|ip| ip.to_string()));
                }
                _ => {}
            }
        }
        return names;
    }
    names.extend(
        cert.subject()
            .iter_common_name()
            .filter_map(|cn| cn.as_str().ok())
            .map(str::to_string),
    );
    names
}

/// The facts of a DER certificate the report shows.
pub(super) fn facts(der: &[u8]) -> Result<CertFacts, String> {
    let cert = parse(der)?;
    let key = openssl::x509::X509::from_der(der)
        .map(|c| cert_key_kind(&c))
        .map_err(|e| e.to_string())?;
    Ok(CertFacts {
        summary: CertSummary::of(&cert),
        key,
        names: names_of(&cert),
    })
}

/// The fingerprint of the trusted root key that signed `der`, if one did.
pub(super) fn signer(der: &[u8], roots: &[TrustedKey]) -> Option<String> {
    roots
        .iter()
        .find(|root| crate::pki::verify::signed_by(der, &root.spki_der).unwrap_or(false))
        .map(|root| root.fingerprint.clone())
}

/// The client's judgement of the peer's leaf certificate.
pub(super) fn judge(der: &[u8], expect: &Expect) -> Result<(), Failure> {
    let cert = parse(der).map_err(|reason| Failure::Handshake {
        reason: crate::say!("tlscheck.undecodable_peer", reason = reason),
    })?;
    if signer(der, &expect.roots).is_none() {
        return Err(Failure::Untrusted {
            issuer: cert.issuer().to_string(),
            roots: expect.roots.iter().map(|r| r.fingerprint.clone()).collect(),
        });
    }
    let summary = CertSummary::of(&cert);
    match summary.validity_at(expect.now) {
        Validity::Valid => {}
        Validity::Expired => {
            return Err(Failure::Expired {
                on: summary.not_after,
            });
        }
        Validity::NotYetValid => {
            return Err(Failure::NotYetValid {
                from: summary.not_before,
            });
        }
    }
    let names = names_of(&cert);
    if !expect.name.is_in(&names) {
        return Err(Failure::NameMismatch {
            wanted: expect.name.text(),
            names,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::PeerName;

    #[test]
    fn names_match_as_dns_compares_them() {
        let names = vec!["zs01.example".to_string(), "*.zone.example".to_string()];
        assert!(PeerName::of("ZS01.example.").is_in(&names));
        assert!(PeerName::of("a.zone.example").is_in(&names));
        assert!(!PeerName::of("a.b.zone.example").is_in(&names));
        assert!(!PeerName::of("zone.example").is_in(&names));
        assert!(!PeerName::of("10.0.0.5").is_in(&names));
        assert!(PeerName::of("::1").is_in(&["0:0::1".to_string()]));
    }
}
