//! Runs the effects `update` asks for against the appliance on disk and answers each with a
//! message. Everything here may take time or touch files; nothing here draws.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use time::OffsetDateTime;

use crate::appliance::tls;
use crate::appliance::{self, Appliance, incoming, settings, status};
use crate::model::{Effect, Failure, Msg, Outcome, Step, TransferFailure, TransferOp, View};
use crate::pki::csr;
use crate::text::{self, escape};
use crate::transfer::sftp::TransferError;

fn open(root: &Path) -> Result<Appliance, String> {
    Appliance::open(root).map_err(|e| e.to_string())
}

/// An outcome with the appliance as it is now.
fn outcome(app: &Appliance, message: String, view: Option<View>) -> Outcome {
    Outcome {
        message,
        snapshot: Some(status::snapshot(app, OffsetDateTime::now_utc())),
        view,
    }
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
        Effect::Load => Msg::Loaded(open(root).map(|app| status::snapshot(&app, now))),
        Effect::Init(opts) => Msg::Initialized(
            appliance::init::init(root, &opts, now).map(|app| status::snapshot(&app, now)).map_err(|e| e.to_string()),
        ),
        Effect::SaveSetting(checked) => Msg::Saved(open(root).and_then(|app| {
            let change = settings::save_checked(&app, &checked).map_err(|e| e.to_string())?;
            Ok((change, status::snapshot(&app, now)))
        })),
        Effect::GenerateCsr(request) => Msg::CsrGenerated(csr::generate_csr(&request).map_err(|e| e.to_string())),
        Effect::WriteCsr(new) => Msg::Done(open(root).and_then(|app| {
            let files = tls::write_new_csr(&app, &new, now).map_err(|e| e.to_string())?;
            let intro = vec![
                format!("Written: {}", files.join(", ")),
                format!("Key fingerprint: {}", new.key_fingerprint),
                "Copy the CSR below (select it, or press c) and paste it on the Tanium Server at 2 › Z › 2 › 2, or push it to the server's /incoming over SFTP with 2 › Z › 8.".into(),
            ];
            let view = View::new("reporting.csr", intro, new.csr_pem.clone());
            Ok(outcome(&app, "New key and CSR written.".into(), Some(view)))
        })),
        Effect::IssueCert { csr, days } => Msg::Done(open(root).and_then(|app| {
            let issued = tls::issue_from_csr(&app, &csr, days, now).map_err(|e| e.to_string())?;
            let s = &issued.summary;
            let intro = vec![
                format!("Issued {} serial {}", s.subject, s.serial),
                format!("Valid until {} UTC; written to /outgoing/reporting.crt", status::date(s.not_after)),
                "Copy it below (select it, or press c) and paste it on the Zone Server at 2 › Z › 3 › 2.".into(),
            ];
            let view = View::new("reporting.crt", intro, issued.cert_pem.clone());
            Ok(outcome(&app, format!("Certificate issued for {}.", s.subject), Some(view)))
        })),
        Effect::CheckCert(text) => {
            let result = open(root).map_err(Failure::from).and_then(|app| tls::check_for_install(&app, &text, now).map_err(|e| {
                let first = match e {
                    tls::TlsError::NoKey => Some(Step::GenerateCsr),
                    tls::TlsError::NoRoot => Some(Step::ImportRoot),
                    _ => None,
                };
                Failure { message: e.to_string(), first }
            }));
            Msg::CertChecked { text, result }
        }
        Effect::InstallCert { text, trust } => Msg::Done(open(root).and_then(|app| {
            let summary = tls::install_certificate(&app, &text, trust.as_ref(), now).map_err(|e| e.to_string())?;
            let message = format!("Certificate installed: {}, valid until {}.", summary.subject, status::date(summary.not_after));
            Ok(outcome(&app, message, None))
        })),
        Effect::ImportRoot(text) => Msg::Done(open(root).and_then(|app| {
            let fingerprint = tls::import_trusted_root(&app, &text).map_err(|e| e.to_string())?;
            Ok(outcome(&app, format!("Trusted root key saved: {fingerprint}."), None))
        })),
        Effect::RegenerateTls => Msg::Done(open(root).and_then(|app| {
            let summary = tls::regenerate_server_tls(&app, now).map_err(|e| e.to_string())?;
            Ok(outcome(&app, format!("New TLS key and certificate, valid until {}.", status::date(summary.not_after)), None))
        })),
        Effect::ListIncoming { suffix, purpose } => Msg::Listed {
            purpose,
            result: open(root).and_then(|app| incoming::list(&app, suffix).map_err(|e| e.to_string())),
        },
        Effect::ReadIncoming { name, purpose } => Msg::TextRead {
            purpose,
            result: open(root).and_then(|app| incoming::read(&app, &name).map_err(|e| e.to_string())),
        },
        Effect::ShowFile { rel, title } => Msg::Done(open(root).and_then(|app| match appliance::fsutil::read_text(&app.path(&rel), appliance::fsutil::LIMIT_PEM) {
            Ok(text) => {
                let view = View::new(title, vec![format!("{rel}:")], text);
                Ok(Outcome { message: String::new(), snapshot: None, view: Some(view) })
            }
            Err(e) => Err(format!("Cannot read {rel}: {e}")),
        })),
        Effect::ShowIssued => Msg::Done(open(root).and_then(|app| {
            let (records, unreadable) = tls::issued_counting(&app).map_err(|e| e.to_string())?;
            let mut lines: Vec<String> = records
                .iter()
                .map(|r| format!("{}  expires {}  serial {}", escape(&r.subject), escape(text::prefix(&r.not_after, 10)), escape(&r.serial)))
                .collect();
            if lines.is_empty() {
                lines.push("No certificate issued yet.".into());
            }
            let mut intro = vec![format!("{} issued, most recent first:", records.len())];
            if unreadable > 0 {
                intro.push(format!("{unreadable} line(s) of tanium/issued.jsonl could not be read and are not shown."));
            }
            let view = View::new("Issued certificates", intro, lines.join("\n"));
            Ok(Outcome { message: String::new(), snapshot: None, view: Some(view) })
        })),
        Effect::GenerateKeypair { user } => Msg::Done(open(root).and_then(|app| {
            let fingerprint = appliance::users::regenerate_keypair(&app, &user, now).map_err(|e| e.to_string())?;
            let rel = format!("home/{user}/.ssh/{}", crate::sshkeys::PUBLIC_KEY_FILE);
            let text = appliance::fsutil::read_text(&app.path(&rel), appliance::fsutil::LIMIT_PEM).map_err(|e| format!("Cannot read {rel}: {e}"))?;
            let intro = vec![
                format!("New key pair for {user}: {fingerprint}"),
                "Add the public key below to tancopy's authorized keys on the other appliance (C › 3 › tancopy › 3 › 2).".into(),
            ];
            Ok(outcome(&app, format!("New key pair for {user}."), Some(View::new(format!("{user}'s public key"), intro, text))))
        })),
        Effect::AddAuthorized { user, text } => Msg::Done(open(root).and_then(|app| {
            let key = appliance::users::add_authorized(&app, &user, &text).map_err(|e| e.to_string())?;
            Ok(outcome(&app, format!("Key {} added to {user}'s authorized keys.", key.fingerprint()), None))
        })),
        Effect::RemoveAuthorized { user, line } => Msg::Done(open(root).and_then(|app| {
            let key = appliance::users::remove_authorized(&app, &user, line).map_err(|e| e.to_string())?;
            Ok(outcome(&app, format!("Key {} removed from {user}'s authorized keys.", key.fingerprint()), None))
        })),
        Effect::RemoveKnownHost { line } => Msg::Done(open(root).and_then(|app| {
            let host = appliance::users::remove_known_host(&app, line).map_err(|e| e.to_string())?;
            Ok(outcome(&app, format!("The key of {host} is forgotten; the next connection asks again."), None))
        })),
        Effect::ListKeys { kind, user } => Msg::KeysListed {
            kind,
            result: open(root).and_then(|app| {
                match kind {
                    crate::model::KeyListKind::Authorized => appliance::users::authorized_rows(&app, &user),
                    crate::model::KeyListKind::KnownHosts => appliance::users::known_host_rows(&app),
                }
                .map_err(|e| e.to_string())
            }),
        },
        Effect::Transfer { op, peer, trust } => {
            let result = match open(root) {
                Err(e) => Err(TransferFailure::Failed(e)),
                Ok(app) => {
                    let done = match op {
                        TransferOp::PullCertificate => appliance::transfer::pull_certificate(&app, &peer, trust.as_deref(), cancel).map(drop),
                        TransferOp::PushCsr => appliance::transfer::push_csr(&app, &peer, trust.as_deref(), cancel),
                    };
                    done.map_err(|e| match e {
                        TransferError::UnknownHost { host, key_type, fingerprint } => TransferFailure::UnknownHost { host, key_type, fingerprint },
                        e @ TransferError::NoCsr => TransferFailure::Needs { message: e.to_string(), first: Step::GenerateCsr },
                        e @ TransferError::NoClientKey => TransferFailure::Needs { message: e.to_string(), first: Step::GenerateTanadminKey },
                        e @ TransferError::HostKeyChanged { .. } => TransferFailure::Needs { message: e.to_string(), first: Step::ForgetHostKey },
                        e @ TransferError::AuthRefused { .. } => TransferFailure::Needs { message: e.to_string(), first: Step::AuthorizeOnPeer },
                        other => TransferFailure::Failed(other.to_string()),
                    })
                }
            };
            Msg::Transferred { op, peer, result }
        }
        Effect::ShowAudit => Msg::Done(open(root).and_then(|app| {
            let lines = appliance::audit::recent(&app.root, 500).map_err(|e| format!("Cannot read the audit log: {e}"))?;
            let intro = vec![format!("log/audit.jsonl, most recent first ({} shown). Keys are named by fingerprint only.", lines.len())];
            let text = if lines.is_empty() { "No change recorded yet.".to_string() } else { lines.join("\n") };
            Ok(Outcome { message: String::new(), snapshot: None, view: Some(View::new("Audit log", intro, text)) })
        })),
        Effect::Copy(_) => Msg::Copied("The clipboard is reached through the terminal only.".into()),
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
        Effect::ListIncoming { purpose, .. } => Msg::Listed {
            purpose: *purpose,
            result: Err(error),
        },
        Effect::ReadIncoming { purpose, .. } => Msg::TextRead {
            purpose: *purpose,
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
        Effect::Copy(_) => Msg::Copied(error),
        Effect::Cancel => Msg::Tick,
        Effect::WriteCsr(_)
        | Effect::IssueCert { .. }
        | Effect::InstallCert { .. }
        | Effect::ImportRoot(_)
        | Effect::RegenerateTls
        | Effect::ShowFile { .. }
        | Effect::ShowIssued
        | Effect::GenerateKeypair { .. }
        | Effect::AddAuthorized { .. }
        | Effect::RemoveAuthorized { .. }
        | Effect::RemoveKnownHost { .. }
        | Effect::ShowAudit => Msg::Done(Err(error)),
    }
}
