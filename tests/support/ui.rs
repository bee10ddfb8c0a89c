//! Shared helpers of the console tests: appliance snapshots built in memory, key typing,
//! rendering to an 80x24 test terminal.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tanos_menu::appliance::settings::Settings;
use tanos_menu::appliance::status::{CertState, Snapshot};
use tanos_menu::appliance::{Addon, ApplianceConfig, Platform, Role};
use tanos_menu::menu::MenuTree;
use tanos_menu::model::{Effect, Key, Model, Msg, update};
use tanos_menu::pki::CertSummary;
use tanos_menu::pki::inspect::Validity;
use tanos_menu::sshkeys::UserKeys;
use time::macros::datetime;

pub fn config(role: Role, hub: bool, platform: Platform) -> ApplianceConfig {
    ApplianceConfig {
        role,
        hostname: match role {
            Role::TaniumServer => "ts01.example".into(),
            Role::ZoneServer => "zs01.example".into(),
        },
        platform,
        addons: if hub {
            vec![Addon::ZoneHub]
        } else {
            Vec::new()
        },
    }
}

/// A snapshot as `status::snapshot` would read it from a fresh appliance, with fixed dates.
pub fn snapshot(role: Role, hub: bool, platform: Platform) -> Snapshot {
    let config = config(role, hub, platform);
    let settings = Ok(Settings::defaults(&config));
    let (cert, root_fingerprint, cert_path) = match role {
        Role::TaniumServer => (
            CertState::Installed {
                summary: CertSummary {
                    subject: "CN=ts01.example".into(),
                    issuer: "O=Tanium, CN=Tanium Root ts01.example".into(),
                    serial: "5a:01".into(),
                    not_before: datetime!(2026-11-28 12:00 UTC),
                    not_after: datetime!(2036-11-26 12:00 UTC),
                    key_fingerprint: "SHA256:reportingKEYfingerprintAAAAAAAAAAAAAAAAAAAAA".into(),
                },
                validity: Validity::Valid,
            },
            Some(Ok(
                "SHA256:rootKEYfingerprintBBBBBBBBBBBBBBBBBBBBBBBBBBB".to_string()
            )),
            "tanium/reporting.crt".to_string(),
        ),
        Role::ZoneServer => (
            CertState::None,
            None,
            "zoneserver/reporting.crt".to_string(),
        ),
    };
    let tls_mode = settings.as_ref().ok().and_then(|s: &Settings| {
        s.get(
            tanos_menu::appliance::catalogue::Component::primary(role),
            "ReportingTLSMode",
        )
        .cloned()
    });
    let users = vec![
        UserKeys {
            user: "tanadmin".into(),
            key: Some((
                "ssh-ed25519".into(),
                "SHA256:tanadminKEYfingerprintCCCCCCCCCCCCCCCCCCCCCC".into(),
            )),
            authorized: Ok(0),
        },
        UserKeys {
            user: "tancopy".into(),
            key: None,
            authorized: Ok(1),
        },
    ];
    Snapshot {
        config,
        settings,
        cert_path,
        cert,
        tls_mode,
        root_fingerprint,
        reporting_key: role == Role::TaniumServer,
        issue_limit: None,
        sftp_host_key: None,
        users,
        audit_failure: None,
        issued_expiring: None,
        tls_rotation: None,
        older_root: None,
        forward_failure: None,
    }
}

pub fn console(role: Role, hub: bool, platform: Platform) -> Model {
    Model::console(
        MenuTree::shipped().expect("shipped menus load"),
        "/srv/appliance".into(),
        snapshot(role, hub, platform),
    )
}

pub fn tanium_server() -> Model {
    console(Role::TaniumServer, false, Platform::V7_3)
}

pub fn zone_server() -> Model {
    console(Role::ZoneServer, false, Platform::V7_3)
}

pub fn first_run() -> Model {
    Model::first_run(
        MenuTree::shipped().expect("shipped menus load"),
        "/srv/appliance".into(),
        "tanos-demo".into(),
    )
}

/// Types `text` as an operator would: each character a key, `\n` Enter, `\x1b` Esc,
/// `\x03` Ctrl-C, `\x08` Backspace. Returns every effect asked for.
pub fn typed(m: &mut Model, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        let key = match c {
            '\n' => Key::Enter,
            '\x1b' => Key::Esc,
            '\x03' => Key::CtrlC,
            '\x08' => Key::Backspace,
            c => Key::Char(c),
        };
        effects.extend(update(m, Msg::Key(key)));
    }
    effects
}

pub fn press(m: &mut Model, key: Key) -> Vec<Effect> {
    update(m, Msg::Key(key))
}

/// The screen as text, at the given size.
pub fn render_at(m: &Model, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| tanos_menu::ui::draw(m, frame))
        .expect("draw");
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..height {
        let line: String = (0..width).map(|x| buffer[(x, y)].symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn render(m: &Model) -> String {
    render_at(m, 80, 24)
}
