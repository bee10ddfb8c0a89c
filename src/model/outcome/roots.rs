//! The sentences of root key management: the list, adding a root, revoking one.

use crate::appliance::Platform;
use crate::appliance::roots::{Added, RootRow, RootState};
use crate::date::date;
use crate::text::{escape, prefix};

/// One root of the list: state, fingerprint, creation day, what it still signs.
pub fn root_row(row: &RootRow) -> String {
    let state = match row.entry.state {
        RootState::Signing => "signing",
        RootState::Trusted => "trusted",
        RootState::Revoked => "revoked",
    };
    format!(
        "{state:<8} {}  created {}  signs {} valid",
        row.entry.fingerprint,
        escape(prefix(&row.entry.created, 10)),
        row.valid_signed
    )
}

pub fn roots_intro(rows: &[RootRow]) -> [String; 2] {
    let trusted = rows.iter().filter(|r| r.entry.state != RootState::Revoked).count();
    [
        format!(
            "{} root key(s), {trusted} trusted. A adds a new signing root; a line number revokes a trusted one.",
            rows.len()
        ),
        "Zone Servers compare these fingerprints before they trust a new root.".into(),
    ]
}

pub fn revoke_signing() -> String {
    "The signing root key cannot be revoked: add a new root key (A) first.".into()
}

pub fn revoked_already(fingerprint: &str) -> String {
    format!("The root key {fingerprint} is revoked already.")
}

pub fn revoke_title() -> String {
    "Revoke a root key".into()
}

pub fn revoke_question() -> String {
    "Revoke it?".into()
}

pub fn revoke_busy() -> String {
    "Revoking the root key…".into()
}

pub fn revoke_warning(row: &RootRow) -> String {
    let mut out = format!(
        "Root key {} leaves tanium-root.crt: certificates it signed are no longer accepted.",
        row.entry.fingerprint
    );
    match row.names.len() {
        0 => out.push_str("\nIt signs no valid certificate of the issuance ledger."),
        n => out.push_str(&format!(
            "\nIt still signs {n} valid certificate(s): {}. Re-issue them first, or those Zone Servers stop being trusted.",
            row.names.iter().map(|n| escape(n)).collect::<Vec<_>>().join(", ")
        )),
    }
    out
}

pub fn add_root_title() -> String {
    "Add a new root key".into()
}

pub fn add_root_question() -> String {
    "Add a new root key?".into()
}

pub fn add_root_busy() -> String {
    "Generating the new root key and the server's TLS key…".into()
}

/// What adding a root does, by platform (seed: 7.2/7.3 regenerate reporting.pvk and
/// reporting.crt after a root change; 7.4+ pushes the change to every subordinate key).
pub fn add_root_warning(platform: Platform, renew_at: &str) -> String {
    let subordinate = if platform >= Platform::V7_4 {
        "As on 7.4 and later, the server's own TLS key and certificate are re-issued under the new root at once, and every certificate issued under an older root is marked 're-issue needed'."
    } else {
        "As the seed requires on 7.2/7.3, the server's own reporting.pvk and reporting.crt are generated again, signed by the new root, in the same step."
    };
    format!(
        "A new root key pair signs from now on: tanium.pvk, tanium.pub, tanium-root.crt and /outgoing/tanium.pub follow it. The current root is kept (tanium/roots/, 0600) and stays trusted until you revoke it.\n{subordinate}\nThen each Zone Server pulls the new tanium.pub, compares its fingerprint with this list and accepts it; issue their certificates again ({renew_at} lists them)."
    )
}

/// The message after a root was added.
pub fn root_added(added: &Added) -> String {
    format!(
        "New signing root key {} (the previous one, {}, stays trusted). The server's TLS certificate was issued again, valid until {}. {} issued certificate(s) need re-issuing.",
        added.signing,
        added.previous,
        date(added.server_cert.not_after),
        added.reissue_needed
    )
}

/// The message after a root was revoked.
pub fn root_revoked(row: &RootRow) -> String {
    format!(
        "Root key {} revoked: it is no longer in tanium-root.crt ({} valid certificate(s) it signed are no longer accepted).",
        row.entry.fingerprint, row.valid_signed
    )
}

/// Tanium Status: when the server's own TLS key is rotated next.
pub fn rotation_status(rotation: &crate::appliance::roots::Rotation) -> String {
    format!(
        "{} (every {} days, ReportingTLSKeyRotationDays; tanos-menu rotate-due makes it)",
        date(rotation.due),
        rotation.every_days
    )
}
