//! A TLS handshake judged by the seed's policy: a self-test of an installed certificate and
//! key (a server in the process, a client that trusts only the root key), a probe of a peer,
//! and a server that offers nothing else. Knows nothing of the appliance or the terminal.
//!
//! Library: OpenSSL, through the `openssl` crate. It is linked already (libssh2-sys, the
//! syslog TLS transport), so this adds no second crypto stack, and it negotiates all ten of
//! the seed's suites; rustls offers none of the four CBC ones (ECDHE-*-AES*-SHA256/SHA384),
//! so it could neither serve nor probe them.
//!
//! TLS 1.3: the seed asks for "TLS 1.2 minimum", so 1.3 is allowed; its list names TLS 1.2
//! suites only, because a TLS 1.3 suite names no key exchange or signature (those are always
//! ephemeral (EC)DHE and the certificate's key). Allowed in 1.3 are the three suites that are
//! the list's AEAD ciphers: TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 and
//! TLS_AES_128_GCM_SHA256; the CCM suites, which the list does not name, are not. Key
//! exchange is limited to elliptic-curve groups (X25519, P-256, P-384, P-521) in both
//! versions, so every handshake is ECDHE as the list says.

mod conn;
mod failure;
mod policy;
mod report;
mod run;
mod serve;
mod trust;

pub use failure::{Failure, Part, Stage};
pub use policy::{
    HANDSHAKE_SECONDS, KeyKind, TLS12_SUITES, TLS13_SUITES, check_negotiated, key_kind,
};
pub use report::{CertFacts, Check, Files, Negotiated, Report};
pub use run::{Material, probe, self_test};
pub use serve::{Serving, Unservable, listen, serving};
pub use trust::PeerName;
