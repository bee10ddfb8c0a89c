//! RFC 5425: the octet-counted frame over TLS 1.2 or later, the collector's certificate
//! checked against the system's roots (or the CA certificates given) and its name against
//! the host the operator named.

use std::io::Write;

use openssl::ssl::{HandshakeError, SslConnector, SslMethod, SslVersion};
use openssl::x509::X509;
use openssl::x509::store::X509StoreBuilder;

use super::stream::{Deadlined, SendError, Stage};

fn tls_error(e: openssl::error::ErrorStack) -> SendError {
    SendError::Tls(e.to_string())
}

fn connector(ca_pem: Option<&[u8]>) -> Result<SslConnector, SendError> {
    // The builder starts from OpenSSL's defaults: the system's roots, peer verification on.
    let mut builder = SslConnector::builder(SslMethod::tls_client()).map_err(tls_error)?;
    builder
        .set_min_proto_version(Some(SslVersion::TLS1_2))
        .map_err(tls_error)?;
    if let Some(pem) = ca_pem {
        let certs = X509::stack_from_pem(pem).map_err(|e| SendError::CaFile(e.to_string()))?;
        if certs.is_empty() {
            return Err(SendError::CaFile(crate::say!("syslog.no_pem")));
        }
        // Only the operator's CA certificates, not the system's as well: the collector is
        // one the operator named, and only its own CA may vouch for it.
        let mut store = X509StoreBuilder::new().map_err(tls_error)?;
        for cert in certs {
            store.add_cert(cert).map_err(tls_error)?;
        }
        builder.set_cert_store(store.build());
    }
    Ok(builder.build())
}

/// Connects TLS over `stream` (SNI and name check for `host`), sends `frame`, closes.
pub(super) fn send(
    stream: Deadlined,
    host: &str,
    ca_pem: Option<&[u8]>,
    frame: &[u8],
) -> Result<(), SendError> {
    let connector = connector(ca_pem)?;
    // `connect` checks the certificate's name against `host`, or its IP address.
    let mut tls = match connector.connect(host, stream) {
        Ok(tls) => tls,
        Err(HandshakeError::Failure(mid)) | Err(HandshakeError::WouldBlock(mid)) => {
            return Err(handshake_failed(mid.ssl(), mid.error()));
        }
        Err(HandshakeError::SetupFailure(e)) => return Err(tls_error(e)),
    };
    tls.write_all(frame)?;
    tls.flush()?;
    // close_notify is sent; the collector's own is not waited for.
    let _ = tls.shutdown();
    Ok(())
}

fn handshake_failed(ssl: &openssl::ssl::SslRef, error: &openssl::ssl::Error) -> SendError {
    let verify = ssl.verify_result();
    if verify != openssl::x509::X509VerifyResult::OK {
        return SendError::Untrusted(verify.error_string().to_string());
    }
    match error.io_error() {
        Some(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            SendError::TimedOut(Stage::Handshake)
        }
        Some(e) => SendError::Tls(e.to_string()),
        None => SendError::Tls(
            error
                .ssl_error()
                .map_or_else(|| error.to_string(), |stack| stack.to_string()),
        ),
    }
}
