//! The command line's tools: the seed's KeyUtility and the transfer area's sshd.

use std::path::Path;
use std::process::ExitCode;

use time::OffsetDateTime;

use super::{KeyutilityCommand, REFUSED, fail, say, warn};
use crate::appliance::Appliance;
use crate::fsutil;
use crate::pki::csr::{self, CsrRequest};
use crate::text::escape_path;

fn refuse_existing(paths: &[&Path], force: bool) -> Result<(), String> {
    match paths.iter().find(|p| p.exists()) {
        Some(p) if !force => Err(format!(
            "{} exists; nothing was written (add --force to replace it)",
            escape_path(p)
        )),
        _ => Ok(()),
    }
}

/// `--expiration`: the same bound as the console's validity prompt.
pub(super) fn parse_expiration(text: &str) -> Result<i64, String> {
    crate::pki::issue::parse_validity_days(text, crate::pki::issue::MAX_VALIDITY_DAYS)
}

/// A signing refusal, with the option that gets past a root's end when that is the reason.
fn issue_refusal(e: &crate::pki::PkiError) -> String {
    match e {
        crate::pki::PkiError::BeyondRoot { left, .. } => {
            format!("{e}; nothing was written (use --expiration {left} or fewer)")
        }
        _ => e.to_string(),
    }
}

pub fn run_keyutility(cmd: KeyutilityCommand) -> ExitCode {
    match cmd {
        KeyutilityCommand::ReportingTlsRequest {
            key,
            out,
            common_name,
            dns_names,
            ips,
            key_type,
            force,
        } => {
            // A request killed after its commit point is completed before anything is
            // decided (one killed before it left the old pair in place).
            fsutil::complete_sets(&[
                fsutil::dir_of(&key).to_path_buf(),
                fsutil::dir_of(&out).to_path_buf(),
            ]);
            if let Err(e) = refuse_existing(&[&key, &out], force) {
                return fail(REFUSED, e);
            }
            let request = CsrRequest {
                common_name: common_name.unwrap_or_else(crate::app::machine_hostname),
                dns_names,
                ips,
                key_type,
            };
            say(format!("Generating key: '{}'", escape_path(&key)));
            let new = match csr::generate_csr(&request) {
                Ok(new) => new,
                Err(e) => return fail(REFUSED, e),
            };
            // The key and its CSR land together or not at all.
            let written = fsutil::atomic_write_all(&[
                (&key, new.key_pem.as_bytes(), fsutil::PRIVATE_FILE),
                (&out, new.csr_pem.as_bytes(), fsutil::PUBLIC_FILE),
            ]);
            if let Err(e) = written {
                return fail(
                    1,
                    format!(
                        "cannot write {} and {}: {e}; neither was changed",
                        escape_path(&key),
                        escape_path(&out)
                    ),
                );
            }
            say(format!(
                "Successfully generated certificate signing request: '{}'",
                escape_path(&out)
            ));
            ExitCode::SUCCESS
        }
        KeyutilityCommand::ReportingTlsIssue {
            csr_arg,
            out_arg,
            root_key_arg,
            root_key,
            csr,
            out,
            expiration,
            force,
        } => {
            let csr_path = csr_arg.unwrap_or(csr);
            let out = out_arg.unwrap_or(out);
            let root_key = root_key_arg.unwrap_or(root_key);
            let root_cert = root_key.with_file_name("tanium-root.crt");
            if let Err(e) = refuse_existing(&[&out], force) {
                return fail(REFUSED, e);
            }
            let read =
                |p: &Path| crate::appliance::tls::read_pem_file(p).map_err(|e| e.to_string());
            let (text, key_pem, cert_pem) =
                match (read(&csr_path), read(&root_key), read(&root_cert)) {
                    (Ok(t), Ok(k), Ok(c)) => (t, k, c),
                    (Err(e), _, _) | (_, Err(e), _) => return fail(REFUSED, e),
                    (_, _, Err(e)) => {
                        return fail(
                            REFUSED,
                            format!("{e} (the root certificate is read from beside the root key)"),
                        );
                    }
                };
            let checked = match csr::check_csr(&text) {
                Ok(c) => c,
                Err(e) => return fail(REFUSED, format!("{}: {e}", escape_path(&csr_path))),
            };
            let request = crate::pki::issue::LeafRequest {
                common_name: checked.common_name.clone(),
                dns_names: checked.dns_names.clone(),
                ips: checked.ips.clone(),
                days: expiration,
                rsa: checked.rsa,
            };
            let issued = rcgen::SubjectPublicKeyInfo::from_der(&checked.spki_der)
                .map_err(|e| e.to_string())
                .and_then(|spki| {
                    crate::pki::issue::sign_leaf(
                        &request,
                        &spki,
                        &key_pem,
                        &cert_pem,
                        OffsetDateTime::now_utc(),
                    )
                    .map_err(|e| issue_refusal(&e))
                });
            let cert = match issued {
                Ok(cert) => cert,
                Err(e) => return fail(REFUSED, e),
            };
            if let Err(e) = fsutil::atomic_write(&out, cert.as_bytes(), fsutil::PUBLIC_FILE) {
                return fail(1, format!("cannot write {}: {e}", escape_path(&out)));
            }
            say(format!(
                "Successfully issued new certificate: '{}'",
                escape_path(&out)
            ));
            ExitCode::SUCCESS
        }
    }
}

pub fn run_sshd(
    root: &Path,
    listen: std::net::SocketAddr,
    user: Option<String>,
    check: bool,
) -> ExitCode {
    use crate::appliance::sshd;
    let user = user.unwrap_or_else(sshd::default_user);
    // Before anything is read or written: peers never log in as root, and only root can
    // confine them to transfer/ under an account of their own.
    if !sshd::running_as_root() {
        let shown = user.escape_debug().to_string();
        return fail(REFUSED, sshd::SshdError::NotRoot(shown));
    }
    let peer = match sshd::peer_account(&user) {
        Ok(peer) => peer,
        Err(e) => return fail(REFUSED, e),
    };
    let app = match Appliance::open(root) {
        Ok(app) => app,
        Err(e) => return fail(1, e),
    };
    let prepared = match sshd::prepare(&app, listen, &peer) {
        Ok(p) => p,
        Err(e) => return fail(REFUSED, e),
    };
    if let Err(e) = sshd::test_config(&prepared.config) {
        return fail(1, e);
    }
    warn(format!(
        "SFTP for {} on {listen}, keys of home/tancopy/.ssh/authorized_keys, confined to transfer/ (chroot): /outgoing read-only, /incoming write-only; config {}",
        crate::text::escape(&user),
        escape_path(&prepared.config)
    ));
    if check {
        return ExitCode::SUCCESS;
    }
    match sshd::run(&prepared.config) {
        Ok(sshd::Ended::Stopped { signal, .. }) => {
            eprintln!(
                "tanos-menu: sshd and its sessions stopped on {}",
                sshd::signal_name(signal)
            );
            ExitCode::SUCCESS
        }
        Ok(sshd::Ended::Exited(status)) if status.success() => ExitCode::SUCCESS,
        Ok(sshd::Ended::Exited(status)) => fail(1, format!("sshd stopped: {status}")),
        Err(e) => fail(1, e),
    }
}
