//! The seed's TLS policy as OpenSSL contexts: TLS 1.2 or later, exactly the ten suites (and
//! their three TLS 1.3 forms, see the module note), ECDHE groups, signatures with SHA-2.

use openssl::error::ErrorStack;
use openssl::nid::Nid;
use openssl::pkey::{HasPublic, Id, PKeyRef, Private};
use openssl::ssl::{
    SslContext, SslContextBuilder, SslMethod, SslOptions, SslSessionCacheMode, SslVerifyMode,
    SslVersion,
};
use openssl::x509::X509Ref;

use super::failure::Failure;

/// The seed's suites, in the order a server prefers them (OpenSSL's names).
pub const TLS12_SUITES: [&str; 10] = [
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA384",
    "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA256",
];

/// The TLS 1.3 suites allowed: the AEAD ciphers of the list (the CCM suites are not in it).
pub const TLS13_SUITES: [&str; 3] = [
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256",
];

/// Every TLS 1.3 suite OpenSSL knows: offered only when diagnosing a peer.
const TLS13_ALL: &str = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256";

/// Handshake signatures: ECDSA and RSA with SHA-2 (no SHA-1, no EdDSA: no listed suite
/// names an EdDSA key).
const SIGALGS: &str = "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:RSA+SHA256:RSA+SHA384:RSA+SHA512";

/// Key exchange groups: elliptic curves only, so TLS 1.3 is ECDHE like the list.
const GROUPS: &str = "X25519:P-256:P-384:P-521";

/// OpenSSL's level 2: 112-bit security, so RSA keys of 2048 bits or more (SPEC §7).
const SECURITY_LEVEL: u32 = 2;

/// The longest a connection and its handshake may take, client or server side.
pub const HANDSHAKE_SECONDS: u64 = 10;

/// A certificate's key, as far as the suites care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    /// The curve's NIST name ("P-256") or OpenSSL's short name for another.
    Ecdsa(String),
    Rsa(u32),
    /// Any other kind, named ("Ed25519", "DSA 2048").
    Other(String),
}

impl KeyKind {
    pub fn label(&self) -> String {
        match self {
            KeyKind::Ecdsa(curve) => format!("ECDSA {curve}"),
            KeyKind::Rsa(bits) => format!("RSA {bits}"),
            KeyKind::Other(name) => name.clone(),
        }
    }

    /// The TLS 1.2 suites of the list a server with this key can negotiate; none for a key
    /// no listed suite can use.
    pub fn suites(&self) -> Vec<&'static str> {
        let auth = match self {
            KeyKind::Ecdsa(curve) if ["P-256", "P-384", "P-521"].contains(&curve.as_str()) => {
                "ECDHE-ECDSA-"
            }
            KeyKind::Rsa(bits) if *bits >= 2048 => "ECDHE-RSA-",
            KeyKind::Ecdsa(_) | KeyKind::Rsa(_) | KeyKind::Other(_) => return Vec::new(),
        };
        TLS12_SUITES
            .into_iter()
            .filter(|s| s.starts_with(auth))
            .collect()
    }

    pub fn usable(&self) -> bool {
        !self.suites().is_empty()
    }
}

/// What kind of key `key` is.
pub fn key_kind<T: HasPublic>(key: &PKeyRef<T>) -> KeyKind {
    match key.id() {
        Id::RSA => KeyKind::Rsa(key.bits()),
        Id::EC => {
            let curve = key.ec_key().ok().and_then(|k| k.group().curve_name());
            KeyKind::Ecdsa(match curve {
                Some(Nid::X9_62_PRIME256V1) => "P-256".into(),
                Some(Nid::SECP384R1) => "P-384".into(),
                Some(Nid::SECP521R1) => "P-521".into(),
                Some(nid) => nid
                    .short_name()
                    .map_or_else(|_| crate::say!("tlscheck.unnamed_curve"), str::to_string),
                None => crate::say!("tlscheck.explicit_curve"),
            })
        }
        Id::ED25519 => KeyKind::Other("Ed25519".into()),
        Id::ED448 => KeyKind::Other("Ed448".into()),
        Id::DSA => KeyKind::Other(format!("DSA {}", key.bits())),
        Id::RSA_PSS => KeyKind::Other(format!("RSA-PSS {}", key.bits())),
        Id::DH => KeyKind::Other("DH".into()),
        other => KeyKind::Other(crate::say!("tlscheck.key_type", id = other.as_raw())),
    }
}

/// The key kind of a certificate, or `Other` when its key cannot be read.
pub(super) fn cert_key_kind(cert: &X509Ref) -> KeyKind {
    match cert.public_key() {
        Ok(key) => key_kind(&key),
        Err(_) => KeyKind::Other(crate::say!("tlscheck.unreadable_key")),
    }
}

/// Whether a protocol and suite a handshake agreed on are the policy's.
pub fn check_negotiated(version: &str, suite: &str) -> Result<(), Failure> {
    let listed = match version {
        "TLSv1.2" => TLS12_SUITES.contains(&suite),
        "TLSv1.3" => TLS13_SUITES.contains(&suite),
        _ => {
            return Err(Failure::OldProtocol {
                version: version.to_string(),
            });
        }
    };
    if listed {
        Ok(())
    } else {
        Err(Failure::SuiteOutsideList {
            version: version.to_string(),
            suite: suite.to_string(),
        })
    }
}

/// A context limited to the policy, client or server.
fn limited(method: SslMethod) -> Result<SslContextBuilder, ErrorStack> {
    let mut builder = SslContextBuilder::new(method)?;
    builder.set_min_proto_version(Some(SslVersion::TLS1_2))?;
    builder.set_max_proto_version(None)?;
    builder.set_security_level(SECURITY_LEVEL);
    builder.set_cipher_list(&TLS12_SUITES.join(":"))?;
    builder.set_ciphersuites(&TLS13_SUITES.join(":"))?;
    builder.set_sigalgs_list(SIGALGS)?;
    builder.set_groups_list(GROUPS)?;
    builder.set_options(
        SslOptions::NO_COMPRESSION | SslOptions::NO_RENEGOTIATION | SslOptions::NO_TICKET,
    );
    builder.set_session_cache_mode(SslSessionCacheMode::OFF);
    Ok(builder)
}

/// A server serving `cert` with `key` under the policy, the list's order preferred.
pub(super) fn server_context(
    cert: &X509Ref,
    key: &PKeyRef<Private>,
) -> Result<SslContext, ErrorStack> {
    let mut builder = limited(SslMethod::tls_server())?;
    builder.set_options(SslOptions::CIPHER_SERVER_PREFERENCE);
    builder.set_certificate(cert)?;
    builder.set_private_key(key)?;
    builder.check_private_key()?;
    Ok(builder.build())
}

/// A client under the policy. It trusts nothing by itself: each connection judges the
/// peer's certificate against the root keys (`trust`).
pub(super) fn client_context() -> Result<SslContext, ErrorStack> {
    let mut builder = limited(SslMethod::tls_client())?;
    builder.set_verify(SslVerifyMode::PEER);
    Ok(builder.build())
}

/// A client that accepts anything a peer offers, from TLS 1.0 on, and verifies nothing:
/// used only to learn what a peer that refused the policy would agree to.
pub(super) fn anything_context() -> Result<SslContext, ErrorStack> {
    let mut builder = SslContextBuilder::new(SslMethod::tls_client())?;
    builder.set_security_level(0);
    builder.set_min_proto_version(Some(SslVersion::TLS1))?;
    builder.set_max_proto_version(None)?;
    builder.set_cipher_list("ALL:@SECLEVEL=0")?;
    builder.set_ciphersuites(TLS13_ALL)?;
    builder.set_verify(SslVerifyMode::NONE);
    Ok(builder.build())
}
