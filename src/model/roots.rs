//! Root key management on the Tanium Server (seed: key changes): the root keys by line
//! number, `A` adds a new signing root, a line number revokes a trusted one.

use super::{Confirm, Effect, Model, Screen, Start};
use crate::appliance::roots::{RootRow, RootState};

/// The root keys, as last read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootList {
    /// `None` until read.
    pub rows: Option<Vec<RootRow>>,
    pub cursor: usize,
}

pub(super) fn open(m: &mut Model) -> Vec<Effect> {
    m.push(Screen::Roots(RootList {
        rows: None,
        cursor: 0,
    }));
    vec![Effect::ListRoots]
}

pub(super) fn listed(m: &mut Model, result: Result<Vec<RootRow>, String>) {
    match (m.screen_mut(), result) {
        (Screen::Roots(list), Ok(rows)) => list.rows = Some(rows),
        (Screen::Roots(_), Err(e)) => {
            m.back();
            m.error(e);
        }
        _ => {}
    }
}

/// A line number: the revocation of that root, confirmed with what it still signs.
pub(super) fn pick(m: &mut Model, list: RootList, text: &str) -> Vec<Effect> {
    let rows = list.rows.unwrap_or_default();
    if text.is_empty() {
        m.back();
        return Vec::new();
    }
    let Some(row) = Model::line_number(text, rows.len()).map(|i| rows[i].clone()) else {
        m.error(super::outcome::not_a_line(text, rows.len()));
        return Vec::new();
    };
    let hub = is_hub(m);
    match row.entry.state {
        RootState::Signing => m.error(super::outcome::revoke_signing(hub)),
        RootState::Revoked => m.error(super::outcome::revoked_already(&row.entry.fingerprint)),
        RootState::Trusted => {
            let fingerprint = row.entry.fingerprint.clone();
            m.push(Screen::Confirm(Confirm {
                title: super::outcome::revoke_title(hub),
                warning: super::outcome::revoke_warning(&row, hub),
                question: super::outcome::revoke_question(hub),
                on_yes: Start::new(
                    super::outcome::revoke_busy(hub),
                    Effect::RevokeRoot { fingerprint },
                ),
            }));
        }
    }
    Vec::new()
}

/// The list is the Tanium Server's own root keys, or the ones a Zone Server trusts.
pub(super) fn is_hub(m: &Model) -> bool {
    m.snapshot
        .as_ref()
        .is_some_and(|s| s.config.role == crate::appliance::Role::TaniumServer)
}

/// `A`: a new signing root, after a confirmation that says what follows it.
pub(super) fn add(m: &mut Model) -> Vec<Effect> {
    let platform = m
        .snapshot
        .as_ref()
        .map_or(crate::appliance::Platform::DEFAULT, |s| s.config.platform);
    let renew_at = m.key_path(super::Step::IssuedList);
    m.push(Screen::Confirm(Confirm {
        title: super::outcome::add_root_title(),
        warning: super::outcome::add_root_warning(platform, &renew_at),
        question: super::outcome::add_root_question(),
        on_yes: Start::new(super::outcome::add_root_busy(), Effect::AddRoot),
    }));
    Vec::new()
}
