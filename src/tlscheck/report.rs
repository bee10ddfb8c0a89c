//! What a check found, as facts: the model and the command line write the sentences.

use super::failure::Failure;
use super::policy::KeyKind;
use crate::pki::CertSummary;

/// Which check ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The installed certificate and key served in the process, to a client of its own.
    SelfTest,
    /// Another appliance's TLS service at `host:port`, whose certificate must name `name`
    /// (the host, unless it is reached by another name or address).
    Probe {
        host: String,
        port: u16,
        name: String,
    },
}

/// The protocol and suite a handshake agreed on (OpenSSL's names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// "TLSv1.2", "TLSv1.3".
    pub version: String,
    pub suite: String,
}

/// A certificate as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFacts {
    pub summary: CertSummary,
    pub key: KeyKind,
    /// DNS names and IP addresses (the common name when there are none).
    pub names: Vec<String>,
}

/// The appliance files a self-test served and trusted (empty for a probe's own files).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    pub cert: Option<String>,
    pub key: Option<String>,
    pub root: Option<String>,
}

/// Everything a check found, passed or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub check: Check,
    pub files: Files,
    /// The name the certificate must carry.
    pub name: Option<String>,
    /// Fingerprints of the root keys the client trusts.
    pub roots: Vec<String>,
    pub negotiated: Option<Negotiated>,
    /// The certificates the server sent (leaf first), or the installed one when the
    /// handshake did not get that far.
    pub chain: Vec<CertFacts>,
    /// The trusted root key that signed the leaf, `None` when none did or it is unknown.
    pub signed_by: Option<String>,
    /// What the peer agreed to when offered anything (a probe that failed), if learnt.
    pub diagnosed: Option<Negotiated>,
    pub outcome: Result<(), Failure>,
}

impl Report {
    pub fn new(check: Check) -> Report {
        Report {
            check,
            files: Files::default(),
            name: None,
            roots: Vec::new(),
            negotiated: None,
            chain: Vec::new(),
            signed_by: None,
            diagnosed: None,
            outcome: Ok(()),
        }
    }

    /// A report that stopped before any handshake.
    pub fn failed(check: Check, failure: Failure) -> Report {
        Report {
            outcome: Err(failure),
            ..Report::new(check)
        }
    }

    pub fn passed(&self) -> bool {
        self.outcome.is_ok()
    }
}
