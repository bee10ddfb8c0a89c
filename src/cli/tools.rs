//! The command line's tools: the seed's KeyUtility and the transfer area's sshd.

use std::path::Path;
use std::process::ExitCode;

use time::OffsetDateTime;

use super::{KeyutilityCommand, REFUSED, fail, tell, warn};
use crate::appliance::Appliance;
use crate::fsutil;
use crate::pki::csr::{self, CsrRequest};
use crate::text::escape_path;

fn refuse_existing(paths: &[&Path], force: bool) -> Result<(), String> {
    match paths.iter().find(|p| p.exists()) {
        Some(p) if !force => Err(crate::say!("cli.keyutility.exists", path = escape_path(p))),
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
            crate::say!("cli.keyutility.beyond_root", error = e, days = left)
        }
        _ => e.to_string(),
    }
}

/// A refusal (exit code and what to print) of a KeyUtility command.
type Refusal = (u8, String);

pub fn run_keyutility(cmd: KeyutilityCommand) -> ExitCode {
    let result = match cmd {
        KeyutilityCommand::ReportingTlsRequest {
            key,
            out,
            common_name,
            dns_names,
            ips,
            key_type,
            force,
        } => {
            let request = CsrRequest {
                common_name: common_name.unwrap_or_else(crate::app::machine_hostname),
                dns_names,
                ips,
                key_type,
            };
            tls_request(&key, &out, &request, force)
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
            let csr = csr_arg.unwrap_or(csr);
            let out = out_arg.unwrap_or(out);
            let root_key = root_key_arg.unwrap_or(root_key);
            tls_issue(&csr, &out, &root_key, expiration, force)
        }
    };
    match result {
        Ok(done) => {
            tell(done);
            ExitCode::SUCCESS
        }
        Err((code, message)) => fail(code, message),
    }
}

/// `reporting-tls-request`: a key and its CSR, written together or not at all.
fn tls_request(
    key: &Path,
    out: &Path,
    request: &CsrRequest,
    force: bool,
) -> Result<String, Refusal> {
    // A request killed after its commit point is completed before anything is decided
    // (one killed before it left the old pair in place).
    fsutil::complete_sets(&[
        fsutil::dir_of(key).to_path_buf(),
        fsutil::dir_of(out).to_path_buf(),
    ]);
    refuse_existing(&[key, out], force).map_err(|e| (REFUSED, e))?;
    tell(crate::say!(
        "cli.keyutility.generating",
        path = escape_path(key)
    ));
    let new = csr::generate_csr(request).map_err(|e| (REFUSED, e.to_string()))?;
    fsutil::atomic_write_all(&[
        (key, new.key_pem.as_bytes(), fsutil::PRIVATE_FILE),
        (out, new.csr_pem.as_bytes(), fsutil::PUBLIC_FILE),
    ])
    .map_err(|e| {
        let (k, o) = (escape_path(key), escape_path(out));
        (
            1,
            crate::say!(
                "cli.keyutility.cannot_write_pair",
                key = k,
                csr = o,
                error = e
            ),
        )
    })?;
    Ok(crate::say!(
        "cli.keyutility.generated",
        path = escape_path(out)
    ))
}

/// The CSR, the root key and the root certificate beside it, as `reporting-tls-issue` reads them.
fn issue_inputs(csr: &Path, root_key: &Path) -> Result<(String, String, String), Refusal> {
    let read = |p: &Path| crate::appliance::tls::read_pem_file(p).map_err(|e| e.to_string());
    let root_cert = root_key.with_file_name("tanium-root.crt");
    match (read(csr), read(root_key), read(&root_cert)) {
        // The bundle holds every trusted root, the signing one first.
        (Ok(t), Ok(k), Ok(c)) => match crate::pki::certificate_blocks(&c) {
            Ok(blocks) if !blocks.is_empty() => Ok((t, k, blocks[0].clone())),
            _ => Err((
                REFUSED,
                crate::say!(
                    "cli.keyutility.no_certificate",
                    path = escape_path(&root_cert)
                ),
            )),
        },
        (Err(e), _, _) | (_, Err(e), _) => Err((REFUSED, e)),
        (_, _, Err(e)) => Err((
            REFUSED,
            crate::say!("cli.keyutility.root_cert_beside", error = e),
        )),
    }
}

/// The appliance whose root key `root_key` is (its `tanium/tanium.pvk`), if any: what it
/// signs is then recorded in that appliance's ledger, under its lock.
fn appliance_of_root_key(root_key: &Path) -> Option<Appliance> {
    let key = root_key.canonicalize().ok()?;
    let root = key.parent()?.parent()?;
    if !root.join(crate::appliance::Layout::CONFIG).is_file() {
        return None;
    }
    let app = Appliance::open(root).ok()?;
    let own = app
        .path(crate::appliance::tls::TS_ROOT_KEY)
        .canonicalize()
        .ok()?;
    (own == key).then_some(app)
}

/// `reporting-tls-issue`: the CSR checked, then signed by the root key within its validity.
/// With an appliance's own root key, the certificate is recorded in its ledger.
fn tls_issue(
    csr_path: &Path,
    out: &Path,
    root_key: &Path,
    days: i64,
    force: bool,
) -> Result<String, Refusal> {
    refuse_existing(&[out], force).map_err(|e| (REFUSED, e))?;
    let app = appliance_of_root_key(root_key);
    let _lock = match &app {
        Some(app) => Some(crate::appliance::lock::acquire(app).map_err(|e| (1, e.to_string()))?),
        None => None,
    };
    let (text, key_pem, cert_pem) = issue_inputs(csr_path, root_key)?;
    let checked = csr::check_csr(&text).map_err(|e| {
        let what = escape_path(csr_path);
        (REFUSED, crate::say!("frame.about", what = what, reason = e))
    })?;
    let request = crate::pki::issue::LeafRequest {
        common_name: checked.common_name.clone(),
        dns_names: checked.dns_names.clone(),
        ips: checked.ips.clone(),
        days,
        rsa: checked.rsa,
    };
    let spki = rcgen::SubjectPublicKeyInfo::from_der(&checked.spki_der)
        .map_err(|e| (REFUSED, e.to_string()))?;
    let now = OffsetDateTime::now_utc();
    let cert = crate::pki::issue::sign_leaf(&request, &spki, &key_pem, &cert_pem, now)
        .map_err(|e| (REFUSED, issue_refusal(&e)))?;
    fsutil::atomic_write(out, cert.as_bytes(), fsutil::PUBLIC_FILE).map_err(|e| {
        let path = escape_path(out);
        (
            1,
            crate::say!("cli.keyutility.cannot_write", path = path, error = e),
        )
    })?;
    if let Some(lock) = &_lock {
        record_issued(lock, &checked, &cert, &cert_pem, csr_path, now)?;
    }
    Ok(crate::say!(
        "cli.keyutility.issued",
        path = escape_path(out)
    ))
}

/// The ledger line (and audit line) of a certificate the CLI signed with `app`'s root.
fn record_issued(
    lock: &crate::appliance::lock::Lock,
    checked: &csr::CheckedCsr,
    cert: &str,
    root_cert: &str,
    csr_path: &Path,
    now: OffsetDateTime,
) -> Result<(), Refusal> {
    use crate::appliance::issuance::{self, Source};
    use crate::pki::CertSummary;
    let summary = CertSummary::from_pem(cert.as_bytes()).map_err(|e| (1, e.to_string()))?;
    let root = CertSummary::from_pem(root_cert.as_bytes())
        .map_or_else(|_| String::new(), |s| s.key_fingerprint);
    let source = Source::File(csr_path.display().to_string());
    let record = issuance::record_of(checked, &summary, &root, &source, now);
    issuance::record(lock, &record, &[]).map_err(|e| {
        (
            1,
            crate::say!(
                "cli.keyutility.not_recorded",
                file = crate::appliance::ledger::LEDGER,
                error = e
            ),
        )
    })
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
    warn(crate::say!(
        "cli.sshd.serving",
        user = crate::text::escape(&user),
        address = listen,
        config = escape_path(&prepared.config),
    ));
    if check {
        return ExitCode::SUCCESS;
    }
    match sshd::run(&prepared.config) {
        Ok(sshd::Ended::Stopped { signal, .. }) => {
            let signal = sshd::signal_name(signal);
            super::warn(crate::say!("cli.sshd.stopped", signal = signal));
            ExitCode::SUCCESS
        }
        Ok(sshd::Ended::Exited(status)) if status.success() => ExitCode::SUCCESS,
        Ok(sshd::Ended::Exited(status)) => fail(1, crate::say!("cli.sshd.exited", status = status)),
        Err(e) => fail(1, e),
    }
}
