//! `tanos-menu root-key list|add|revoke` and `tanos-menu rotate-due`: the Tanium Server's
//! root keys and the rotation of its own TLS key, as Root key management does them.

use std::path::Path;
use std::process::ExitCode;

use time::OffsetDateTime;

use super::{REFUSED, RootKeyCommand, fail, tell, warn};
use crate::appliance::roots::{self, RootState};
use crate::appliance::tls::TlsError;
use crate::appliance::{Appliance, Role};
use crate::date::date;

fn open_hub(root: &Path) -> Result<Appliance, ExitCode> {
    let app = Appliance::open(root).map_err(|e| fail(1, e))?;
    // A change killed half-way (a rotation's set) is completed or undone before anything.
    crate::appliance::lock::tidy(&app);
    match app.config.role {
        Role::TaniumServer => Ok(app),
        Role::ZoneServer => Err(fail(REFUSED, crate::say!("cli.root_key.zone_server"))),
    }
}

/// A refusal (exit 2, nothing changed) or a failure (exit 1).
fn refused(e: TlsError) -> ExitCode {
    match e {
        TlsError::UnknownRoot(_) | TlsError::RevokeSigning | TlsError::AlreadyRevoked(_) => {
            fail(REFUSED, e)
        }
        other => fail(1, other),
    }
}

pub fn run_root_key(root: &Path, cmd: RootKeyCommand) -> ExitCode {
    let app = match open_hub(root) {
        Ok(app) => app,
        Err(code) => return code,
    };
    let now = OffsetDateTime::now_utc();
    match cmd {
        RootKeyCommand::List => list(&app, now),
        RootKeyCommand::Add { yes } => add(&app, yes, now),
        RootKeyCommand::Revoke { fingerprint, yes } => revoke(&app, &fingerprint, yes, now),
    }
}

fn list(app: &Appliance, now: OffsetDateTime) -> ExitCode {
    match roots::list(app, now) {
        Ok(rows) => {
            for row in rows {
                tell(crate::model::outcome::root_row(&row, true).join("  "));
            }
            ExitCode::SUCCESS
        }
        Err(e) => refused(e),
    }
}

fn add(app: &Appliance, yes: bool, now: OffsetDateTime) -> ExitCode {
    if !yes {
        warn(crate::model::outcome::add_root_warning(
            app.config.platform,
            "tanos-menu issued list",
        ));
        return fail(REFUSED, crate::say!("cli.root_key.add_needs_yes"));
    }
    match roots::add(app, now) {
        Ok(added) => {
            tell(crate::model::outcome::root_added(&added));
            ExitCode::SUCCESS
        }
        Err(e) => refused(e),
    }
}

fn revoke(app: &Appliance, fingerprint: &str, yes: bool, now: OffsetDateTime) -> ExitCode {
    let rows = match roots::list(app, now) {
        Ok(rows) => rows,
        Err(e) => return refused(e),
    };
    let Some(row) = rows.iter().find(|r| r.entry.fingerprint == fingerprint) else {
        return refused(TlsError::UnknownRoot(fingerprint.to_string()));
    };
    if !yes && row.entry.state == RootState::Trusted {
        warn(crate::model::outcome::revoke_warning(row, true));
        return fail(REFUSED, crate::say!("cli.root_key.revoke_needs_yes"));
    }
    match roots::revoke(app, fingerprint, now) {
        Ok(row) => {
            tell(crate::model::outcome::root_revoked(&row, true));
            ExitCode::SUCCESS
        }
        Err(e) => refused(e),
    }
}

/// `rotate-due`: rotates the server's own TLS key when its schedule says so; exit 0 either
/// way, with what was done.
pub fn run_rotate_due(root: &Path) -> ExitCode {
    let app = match open_hub(root) {
        Ok(app) => app,
        Err(code) => return code,
    };
    let now = OffsetDateTime::now_utc();
    match roots::rotate_due(&app, now) {
        Ok(Some(cert)) => {
            tell(crate::say!(
                "cli.rotate.rotated",
                date = date(cert.not_after)
            ));
            ExitCode::SUCCESS
        }
        Ok(None) => {
            match roots::rotation(&app) {
                Some(r) => tell(crate::say!("cli.rotate.nothing_due", date = date(r.due))),
                None => tell(crate::say!("cli.rotate.no_schedule")),
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(1, e),
    }
}
