//! The TLS check on this appliance's files: which certificate and key it serves, which root
//! keys its client trusts. A Tanium Server serves `tanium/reporting.crt` with
//! `reporting.pvk` and trusts the keys of `tanium/tanium-root.crt` (every trusted root, the
//! signing one first); a Zone Server serves `zoneserver/reporting.crt` with `reporting.pvk`
//! and trusts `zoneserver/tanium.pub` and the earlier roots it still trusts, bare public
//! keys. Nothing is written.

use time::OffsetDateTime;

use super::tls::{TS_CERT, TS_KEY, TS_ROOT_CERT, ZS_CERT, ZS_KEY, ZS_ROOT};
use super::{Appliance, Role};
use crate::fsutil;
use crate::pki::TrustedKey;
use crate::tlscheck::{self, Check, Failure, Files, Material, Part, Report, Serving};

/// The files the check of an appliance of `role` uses.
pub fn files(role: Role) -> Files {
    let (cert, key, root) = match role {
        Role::TaniumServer => (TS_CERT, TS_KEY, TS_ROOT_CERT),
        Role::ZoneServer => (ZS_CERT, ZS_KEY, ZS_ROOT),
    };
    Files {
        cert: Some(cert.to_string()),
        key: Some(key.to_string()),
        root: Some(root.to_string()),
    }
}

/// A file of the check, bounded like every read: missing and unreadable are told apart.
fn read(app: &Appliance, rel: Option<&String>, part: Part) -> Result<String, Failure> {
    let Some(rel) = rel else {
        return Err(Failure::Missing { part });
    };
    match fsutil::read_text_opt(&app.path(rel), fsutil::LIMIT_PEM) {
        Ok(Some(text)) => Ok(text),
        Ok(None) => Err(Failure::Missing { part }),
        Err(e) => Err(Failure::Unreadable {
            part,
            reason: e.to_string(),
        }),
    }
}

/// The root keys this appliance's client trusts (those a rotation left trusted too).
pub fn roots(app: &Appliance) -> Result<Vec<TrustedKey>, Failure> {
    let unreadable = |reason: String| Failure::Unreadable {
        part: Part::Root,
        reason,
    };
    let keys = match app.config.role {
        Role::TaniumServer => {
            let text = read(app, files(app.config.role).root.as_ref(), Part::Root)?;
            crate::pki::certificate_blocks(&text)
                .map_err(|e| unreadable(e.to_string()))?
                .iter()
                .map(|pem| TrustedKey::from_pem(pem.as_bytes()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| unreadable(e.to_string()))?
        }
        Role::ZoneServer => super::trust::trusted(app)
            .map_err(|e| unreadable(e.to_string()))?
            .into_iter()
            .map(|t| t.key)
            .collect(),
    };
    if keys.is_empty() {
        return Err(Failure::Missing { part: Part::Root });
    }
    Ok(keys)
}

/// The installed certificate and key, checked and ready to serve (`tanos-menu tls-listen`).
pub fn serving(app: &Appliance) -> Result<Serving, Failure> {
    let files = files(app.config.role);
    let key = read(app, files.key.as_ref(), Part::Key)?;
    let cert = read(app, files.cert.as_ref(), Part::Certificate)?;
    tlscheck::serving(&cert, &key).map_err(|unservable| unservable.failure)
}

/// The self-test: the installed certificate and key served on 127.0.0.1, to a client that
/// trusts only this appliance's root key and expects its hostname.
pub fn self_test(app: &Appliance, now: OffsetDateTime) -> Report {
    let files = files(app.config.role);
    let material = (|| {
        Ok::<_, Failure>(Material {
            key_pem: read(app, files.key.as_ref(), Part::Key)?,
            cert_pem: read(app, files.cert.as_ref(), Part::Certificate)?,
            roots: roots(app)?,
            name: app.config.hostname.clone(),
        })
    })();
    let mut report = match material {
        Ok(material) => tlscheck::self_test(&material, now),
        Err(failure) => Report {
            name: Some(app.config.hostname.clone()),
            ..Report::failed(Check::SelfTest, failure)
        },
    };
    report.files = files;
    report
}

/// A probe of another appliance's TLS service at `host:port`, trusting only this
/// appliance's root key, expecting a certificate for `name`.
pub fn probe(app: &Appliance, host: &str, port: u16, name: &str, now: OffsetDateTime) -> Report {
    let check = Check::Probe {
        host: host.to_string(),
        port,
        name: name.to_string(),
    };
    let files = Files {
        root: files(app.config.role).root,
        ..Files::default()
    };
    let mut report = match roots(app) {
        Ok(roots) => tlscheck::probe(host, port, name, &roots, now),
        Err(failure) => Report::failed(check, failure),
    };
    report.files = files;
    report
}
