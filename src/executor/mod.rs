//! Runs the effects `update` asks for against the appliance on disk and answers each with a
//! message carrying a typed result. Everything here may take time or touch files; nothing
//! here draws, and no sentence for the operator is written here (the model writes them).

mod appliance;
mod ssh;
mod tls;
mod tls_check;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use time::OffsetDateTime;

use crate::appliance::{Appliance, status};
use crate::model::{Effect, Msg, TransferFailure, clipboard_elsewhere};

/// Lines of a paged view read at a time.
const PAGE: usize = crate::model::PAGE_LINES;

fn open(root: &Path) -> Result<Appliance, String> {
    Appliance::open(root).map_err(|e| e.to_string())
}

/// The appliance as it is now, for a step that changed it.
fn snapshot(app: &Appliance) -> status::Snapshot {
    status::snapshot(app, OffsetDateTime::now_utc())
}

/// Runs one effect against the appliance at `root` and answers with its message.
/// `Effect::Copy` belongs to the terminal and is answered by the console loop instead.
pub fn run_effect(root: &Path, effect: Effect) -> Msg {
    run_effect_with(root, effect, &AtomicBool::new(false))
}

/// `run_effect`, abandoning a transfer when `cancel` is set.
pub fn run_effect_with(root: &Path, effect: Effect, cancel: &AtomicBool) -> Msg {
    let now = OffsetDateTime::now_utc();
    match effect {
        Effect::Load => appliance::load(root, now),
        Effect::Init(opts) => appliance::init(root, &opts, now),
        Effect::SaveSetting(checked) => appliance::save_setting(root, &checked, now),
        Effect::ListRequests => appliance::list_requests(root),
        Effect::ListRoots => tls::list_roots(root, now),
        Effect::AddRoot => tls::add_root(root, now),
        Effect::RevokeRoot { fingerprint } => tls::revoke_root(root, &fingerprint, now),
        Effect::ReadIncoming { name, purpose } => appliance::read_incoming(root, name, purpose),
        Effect::ShowFile { rel, title } => appliance::show_file(root, rel, title),
        Effect::ShowAudit { page } => appliance::show_audit(root, page),
        Effect::GenerateCsr(request) => tls::generate_csr(&request),
        Effect::WriteCsr(new) => tls::write_csr(root, new, now),
        Effect::IssueCert(order) => tls::issue(root, order, now),
        Effect::IssueBatch { listed, days } => tls::issue_batch(root, &listed, days, now),
        Effect::CheckCert(text) => tls::check(root, text, now),
        Effect::InstallCert { text, trust } => tls::install(root, &text, trust.as_ref(), now),
        Effect::ImportRoot(text) => tls::import_root(root, &text),
        Effect::RegenerateTls => tls::regenerate(root, now),
        Effect::ShowIssued { page } => tls::show_issued(root, page, now),
        Effect::GenerateKeypair { user } => ssh::generate_keypair(root, user, now),
        Effect::AddAuthorized { user, text } => ssh::add_authorized(root, user, &text),
        Effect::RemoveAuthorized { user, line, row } => {
            ssh::remove_authorized(root, user, line, &row)
        }
        Effect::RemoveKnownHost { line, row } => ssh::remove_known_host(root, line, &row),
        Effect::ListKeys { kind, user } => ssh::list_keys(root, kind, &user),
        Effect::Transfer { op, peer, trust } => {
            ssh::transfer(root, op, peer, trust.as_deref(), cancel)
        }
        Effect::TlsCheck(check) => tls_check::run(root, check, now),
        Effect::Copy(_) => Msg::Copied(clipboard_elsewhere()),
        // Cancelling belongs to the console loop; here there is nothing running to stop.
        Effect::Cancel => Msg::Tick,
    }
}

/// The answer to `effect` when running it failed before it could answer (it panicked):
/// the message that effect is answered with, carrying `error`, so the console leaves its
/// busy state whatever the step was.
pub fn failed(effect: &Effect, error: String) -> Msg {
    match effect {
        Effect::Load => Msg::Loaded(Err(error)),
        Effect::Init(_) => Msg::Initialized(Err(error)),
        Effect::SaveSetting(_) => Msg::Saved(Err(error)),
        Effect::GenerateCsr(_) => Msg::CsrGenerated(Err(error)),
        Effect::CheckCert(text) => Msg::CertChecked {
            text: text.clone(),
            result: Err(error.into()),
        },
        Effect::ListRequests => Msg::Listed(Err(error)),
        Effect::ListRoots => Msg::RootsListed(Err(error)),
        Effect::ReadIncoming { purpose, name } => Msg::TextRead {
            purpose: *purpose,
            from: name.clone(),
            result: Err(error),
        },
        Effect::ListKeys { kind, .. } => Msg::KeysListed {
            kind: *kind,
            result: Err(error),
        },
        Effect::Transfer { op, peer, .. } => Msg::Transferred {
            op: *op,
            peer: peer.clone(),
            result: Err(TransferFailure::Failed(error)),
        },
        Effect::TlsCheck(_) => Msg::TlsChecked(Err(error)),
        Effect::Copy(_) => Msg::Copied(error),
        Effect::Cancel => Msg::Tick,
        Effect::WriteCsr(_)
        | Effect::IssueCert(_)
        | Effect::IssueBatch { .. }
        | Effect::AddRoot
        | Effect::RevokeRoot { .. }
        | Effect::InstallCert { .. }
        | Effect::ImportRoot(_)
        | Effect::RegenerateTls
        | Effect::ShowFile { .. }
        | Effect::ShowIssued { .. }
        | Effect::GenerateKeypair { .. }
        | Effect::AddAuthorized { .. }
        | Effect::RemoveAuthorized { .. }
        | Effect::RemoveKnownHost { .. }
        | Effect::ShowAudit { .. } => Msg::Finished(Err(error)),
    }
}
