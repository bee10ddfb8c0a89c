//! The TLS check: a self-test of the installed certificate or a probe of a peer. Reads only.

use std::path::Path;

use time::OffsetDateTime;

use super::open;
use crate::appliance::tlscheck;
use crate::model::Msg;
use crate::tlscheck::Check;

pub(super) fn run(root: &Path, check: Check, now: OffsetDateTime) -> Msg {
    Msg::TlsChecked(open(root).map(|app| {
        Box::new(match check {
            Check::SelfTest => tlscheck::self_test(&app, now),
            Check::Probe { host, port, name } => tlscheck::probe(&app, &host, port, &name, now),
        })
    }))
}
