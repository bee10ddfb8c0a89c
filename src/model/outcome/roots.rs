//! The sentences of root key management: the list, adding a root, revoking one.

use crate::appliance::Platform;
use crate::appliance::roots::{Added, RootRow, RootState};
use crate::date::date;
use crate::say;
use crate::text::{escape, prefix};

/// One root of the list, on two lines: state and fingerprint, then creation day and what it
/// still signs. On a Zone Server: the newest accepted, or an earlier one, and since when.
pub fn root_row(row: &RootRow, hub: bool) -> [String; 2] {
    let day = escape(prefix(&row.entry.created, 10));
    let fingerprint = &row.entry.fingerprint;
    if !hub {
        let words = [say!("outcome.roots.current"), say!("outcome.roots.earlier")];
        let state = match row.entry.state {
            RootState::Signing => &words[0],
            RootState::Trusted | RootState::Revoked => &words[1],
        };
        return [
            format!("{state:<width$} {fingerprint}", width = state_width(&words)),
            say!("outcome.roots.trusted_since", day = day),
        ];
    }
    let words = [
        say!("outcome.roots.signing"),
        say!("outcome.roots.trusted"),
        say!("outcome.roots.revoked"),
    ];
    let state = match row.entry.state {
        RootState::Signing => &words[0],
        RootState::Trusted => &words[1],
        RootState::Revoked => &words[2],
    };
    [
        format!("{state:<width$} {fingerprint}", width = state_width(&words)),
        say!("outcome.roots.created", day = day, count = row.valid_signed),
    ]
}

/// The column of a root's state: 8 wide, wider when a word of the language needs it.
fn state_width(words: &[String]) -> usize {
    let longest = words.iter().map(|w| w.chars().count()).max().unwrap_or(0);
    (longest + 1).max(8)
}

pub fn roots_intro(rows: &[RootRow], hub: bool) -> [String; 2] {
    let trusted = rows
        .iter()
        .filter(|r| r.entry.state != RootState::Revoked)
        .count();
    if !hub {
        return [
            say!("outcome.roots.zone_intro", count = rows.len()),
            say!("outcome.roots.zone_intro_hint"),
        ];
    }
    [
        say!(
            "outcome.roots.hub_intro",
            count = rows.len(),
            trusted = trusted
        ),
        say!("outcome.roots.hub_intro_hint"),
    ]
}

pub fn revoke_signing(hub: bool) -> String {
    if hub {
        say!("outcome.roots.signing_not_revoked")
    } else {
        say!("outcome.roots.current_not_removed")
    }
}

pub fn revoked_already(fingerprint: &str) -> String {
    say!("outcome.roots.revoked_already", fingerprint = fingerprint)
}

pub fn revoke_title(hub: bool) -> String {
    if hub {
        say!("outcome.roots.revoke_title")
    } else {
        say!("outcome.roots.untrust_title")
    }
}

pub fn revoke_question(hub: bool) -> String {
    if hub {
        say!("outcome.roots.revoke_question")
    } else {
        say!("outcome.roots.untrust_question")
    }
}

pub fn revoke_busy(hub: bool) -> String {
    if hub {
        say!("outcome.roots.revoke_busy")
    } else {
        say!("outcome.roots.untrust_busy")
    }
}

pub fn revoke_warning(row: &RootRow, hub: bool) -> String {
    let fingerprint = &row.entry.fingerprint;
    if !hub {
        return say!(
            "outcome.roots.untrust_warning",
            fingerprint = fingerprint,
            cert = escape(&row.entry.cert)
        );
    }
    let mut out = say!("outcome.roots.revoke_warning", fingerprint = fingerprint);
    out.push('\n');
    out.push_str(&match row.names.len() {
        0 => say!("outcome.roots.signs_none"),
        n => say!(
            "outcome.roots.still_signs",
            count = n,
            names = row
                .names
                .iter()
                .map(|n| escape(n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    out
}

pub fn add_root_title() -> String {
    say!("outcome.roots.add_title")
}

pub fn add_root_question() -> String {
    say!("outcome.roots.add_question")
}

pub fn add_root_busy() -> String {
    say!("outcome.roots.add_busy")
}

/// What adding a root does, by platform (seed: 7.2/7.3 regenerate reporting.pvk and
/// reporting.crt after a root change; 7.4+ pushes the change to every subordinate key).
pub fn add_root_warning(platform: Platform, renew_at: &str) -> String {
    let subordinate = if platform >= Platform::V7_4 {
        say!("outcome.roots.add_subordinate_7_4")
    } else {
        say!("outcome.roots.add_subordinate_7_2")
    };
    say!(
        "outcome.roots.add_warning",
        subordinate = subordinate,
        renew_at = renew_at
    )
}

/// The message after a root was added.
pub fn root_added(added: &Added) -> String {
    say!(
        "outcome.roots.added",
        signing = added.signing,
        previous = added.previous,
        until = date(added.server_cert.not_after),
        count = added.reissue_needed
    )
}

/// The message after a root was revoked (on a Zone Server: no longer trusted).
pub fn root_revoked(row: &RootRow, hub: bool) -> String {
    let fingerprint = &row.entry.fingerprint;
    if !hub {
        return say!("outcome.roots.untrusted", fingerprint = fingerprint);
    }
    say!(
        "outcome.roots.revoked_done",
        fingerprint = fingerprint,
        count = row.valid_signed
    )
}

/// Tanium Status: when the server's own TLS key is rotated next.
pub fn rotation_status(rotation: &crate::appliance::roots::Rotation) -> String {
    say!(
        "outcome.roots.rotation_status",
        due = date(rotation.due),
        days = rotation.every_days
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
    say!(
        "outcome.roots.new_root_warning",
        described = described,
        candidate = candidate,
        current = current,
        hub_list_at = hub_list_at,
        untrust_at = untrust_at
    )
}

/// Tanium Status on a Zone Server whose certificate an older root signed; `renew` are the
/// key paths of generate, push, pull.
pub fn older_root_text(older: &crate::appliance::status::OlderRoot, renew: &[String; 3]) -> String {
    say!(
        "outcome.roots.older_root",
        signed_by = older.signed_by,
        hub_signing = older.hub_signing,
        generate_at = renew[0],
        push_at = renew[1],
        pull_at = renew[2]
    )
}
