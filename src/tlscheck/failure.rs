//! Why a check failed, and the file a failure names: what the policy's own checks and the
//! report share.

use time::OffsetDateTime;

/// A file the check needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Certificate,
    Key,
    Root,
}

pub use crate::resolve::Stage;

/// Why a check failed: each its own reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A file the check needs is not there (`Report::files` names it).
    Missing {
        part: Part,
    },
    /// A file is there but cannot be read or parsed.
    Unreadable {
        part: Part,
        reason: String,
    },
    /// The private key is not the certificate's.
    KeyMismatch {
        cert_key: String,
        key: String,
    },
    /// No suite of the list can use a key of this kind.
    UnusableKey {
        key: String,
    },
    /// The certificate was not signed by a trusted root key.
    Untrusted {
        issuer: String,
        roots: Vec<String>,
    },
    Expired {
        on: OffsetDateTime,
    },
    NotYetValid {
        from: OffsetDateTime,
    },
    /// The certificate does not name the host the client asked for.
    NameMismatch {
        wanted: String,
        names: Vec<String>,
    },
    /// The peer negotiated a protocol below TLS 1.2 when offered any.
    OldProtocol {
        version: String,
    },
    /// The peer negotiated a suite outside the list when offered any.
    SuiteOutsideList {
        version: String,
        suite: String,
    },
    Resolve {
        host: String,
        reason: String,
    },
    Connect {
        addr: String,
        reason: String,
    },
    /// No answer by the deadline; `during` says what was waited for.
    TimedOut {
        during: Stage,
        seconds: u64,
    },
    /// The handshake failed for another reason (OpenSSL's words).
    Handshake {
        reason: String,
    },
    NoPeerCertificate,
    /// OpenSSL refused the configuration itself.
    Setup {
        reason: String,
    },
}
