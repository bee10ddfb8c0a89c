//! The sentences of root key management: the list, adding a root, revoking one.

use crate::appliance::Platform;
use crate::appliance::roots::{Added, RootRow, RootState};
use crate::date::date;
use crate::text::{escape, prefix};

/// One root of the list, on two lines: state and fingerprint, then creation day and what it
/// still signs. On a Zone Server: the newest accepted, or an earlier one, and since when.
pub fn root_row(row: &RootRow, hub: bool) -> [String; 2] {
    let day = escape(prefix(&row.entry.created, 10));
    if !hub {
        let state = match row.entry.state {
            RootState::Signing => "current",
            RootState::Trusted | RootState::Revoked => "earlier",
        };
        return [
            format!("{state:<8} {}", row.entry.fingerprint),
            format!("trusted since {day}"),
        ];
    }
    let state = match row.entry.state {
        RootState::Signing => "signing",
        RootState::Trusted => "trusted",
        RootState::Revoked => "revoked",
    };
    [
        format!("{state:<8} {}", row.entry.fingerprint),
        format!(
            "created {day}, signs {} valid certificate(s)",
            row.valid_signed
        ),
    ]
}

pub fn roots_intro(rows: &[RootRow], hub: bool) -> [String; 2] {
    let trusted = rows
        .iter()
        .filter(|r| r.entry.state != RootState::Revoked)
        .count();
    if !hub {
        return [
            format!(
                "{} trusted root key(s); the first is the newest accepted. A line number stops trusting an earlier one.",
                rows.len()
            ),
            "Remove an earlier root once this Zone Server's certificate is signed by the newest."
                .into(),
        ];
    }
    [
        format!(
            "{} root key(s), {trusted} trusted. A adds a new signing root; a line number revokes a trusted one.",
            rows.len()
        ),
        "Zone Servers compare these fingerprints before they trust a new root.".into(),
    ]
}

pub fn revoke_signing(hub: bool) -> String {
    if hub {
        "The signing root key cannot be revoked: add a new root key (A) first.".into()
    } else {
        "The current trusted root key cannot be removed: trust the Tanium Server's new root key first.".into()
    }
}

pub fn revoked_already(fingerprint: &str) -> String {
    format!("The root key {fingerprint} is revoked already.")
}

pub fn revoke_title(hub: bool) -> String {
    if hub {
        "Revoke a root key"
    } else {
        "Stop trusting a root key"
    }
    .into()
}

pub fn revoke_question(hub: bool) -> String {
    if hub {
        "Revoke it?"
    } else {
        "Stop trusting it?"
    }
    .into()
}

pub fn revoke_busy(hub: bool) -> String {
    if hub {
        "Revoking the root key…"
    } else {
        "Removing the root key…"
    }
    .into()
}

pub fn revoke_warning(row: &RootRow, hub: bool) -> String {
    if !hub {
        return format!(
            "Root key {} ({}) is no longer trusted: a certificate it signed is refused from now on, this Zone Server's own included if that root signed it.",
            row.entry.fingerprint,
            escape(&row.entry.cert)
        );
    }
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

/// The message after a root was revoked (on a Zone Server: no longer trusted).
pub fn root_revoked(row: &RootRow, hub: bool) -> String {
    if !hub {
        return format!("Root key {} is no longer trusted.", row.entry.fingerprint);
    }
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

/// A certificate signed by a root the Zone Server does not trust yet, while it trusts
/// another one: both fingerprints, and where to compare them.
pub fn new_root_warning(
    described: &str,
    candidate: &str,
    current: &str,
    hub_list_at: &str,
    untrust_at: &str,
) -> String {
    format!(
        "{described}\nIt was signed by a root key this Zone Server does not trust yet:\n  new:     {candidate}\n  trusted: {current}\nThe Tanium Server may have added a root key. Compare the new fingerprint with its Root key management list ({hub_list_at}, on the Tanium Server). Answer y only if it is listed there: the new key becomes the trusted root and the certificate is installed. The current root stays trusted until you remove it ({untrust_at})."
    )
}

/// Tanium Status on a Zone Server whose certificate an older root signed; `renew` are the
/// key paths of generate, push, pull.
pub fn older_root_text(older: &crate::appliance::status::OlderRoot, renew: &[String; 3]) -> String {
    format!(
        "Certificate signed by root {}, no longer the Tanium Server's signing key {}. Renew: {}, {}, then {}.",
        older.signed_by, older.hub_signing, renew[0], renew[1], renew[2]
    )
}
