//! The Configuration Settings catalogue and store (SPEC §4.5): defaults per platform and role,
//! every boundary and hostile value, risky values behind confirmation, and proof on a real
//! appliance root that a refused change leaves every file as it was.

mod support;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use tanos_menu::appliance::catalogue::{self, Component, SettingError, Value};
use tanos_menu::appliance::settings::{self, Settings, SettingsError};
use tanos_menu::appliance::{Addon, Appliance, ApplianceConfig, Layout, Platform, Role};

use Component::{ClientGlobal, TaniumServer as TsC, ZoneServer as ZsC, ZoneServerHub as HubC};
use Platform::{V7_2, V7_3, V7_4};
use support::fs::mode;
use support::roots;
use support::tree::{changed_paths as changed, tree};

// ---------------------------------------------------------------- helpers

fn config(role: Role, platform: Platform, hub: bool) -> ApplianceConfig {
    ApplianceConfig {
        role,
        hostname: "host.example".into(),
        platform,
        addons: if hub {
            vec![Addon::ZoneHub]
        } else {
            Vec::new()
        },
    }
}

fn ts(platform: Platform) -> ApplianceConfig {
    config(Role::TaniumServer, platform, false)
}

fn hub(platform: Platform) -> ApplianceConfig {
    config(Role::TaniumServer, platform, true)
}

fn zs(platform: Platform) -> ApplianceConfig {
    config(Role::ZoneServer, platform, false)
}

fn d(n: u32) -> Value {
    Value::Dword(n)
}

fn t(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// A real appliance root made by `init`, kept alive with its temporary directory.
struct Root {
    _dir: tempfile::TempDir,
    app: Appliance,
}

fn new_root(role: Role, platform: Platform, zone_hub: bool) -> Root {
    let dir = roots::scratch("settings_catalogue", "root-");
    let opts = roots::options(role, "host.example", platform, zone_hub);
    let app = roots::appliance(
        &dir.path().join("appliance"),
        &opts,
        time::OffsetDateTime::now_utc(),
    );
    Root { _dir: dir, app }
}

fn audit_lines(app: &Appliance) -> Vec<String> {
    std::fs::read_to_string(app.path(Layout::AUDIT))
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

fn settings_text(app: &Appliance) -> String {
    std::fs::read_to_string(app.path(Layout::SETTINGS)).expect("read settings.toml")
}

/// What `tanos-menu config get NAME` shows: the component the bare name resolves to, then
/// the value stored there.
fn config_get(app: &Appliance, name: &str) -> Option<Value> {
    let component = catalogue::resolve_component(&app.config, name).ok()?;
    let def = catalogue::lookup(&app.config, component, name).ok()?;
    Settings::load(app).ok()?.get(component, def.name).cloned()
}

// ---------------------------------------------------------------- defaults

/// The settings present after `init`, per component, in catalogue order.
fn expected_defaults(c: &ApplianceConfig) -> Vec<(Component, Vec<(&'static str, Value)>)> {
    let old = c.platform != V7_4;
    let server = |component: Component, mode: u32, dir: &str, incoming: bool| {
        let mut v = vec![
            ("ReportingTLSMode", d(mode)),
            ("ReportingTLSKeyPath", t(&format!("{dir}/reporting.pvk"))),
        ];
        if incoming {
            v.push(("RequireIncomingEncryption", d(0)));
        }
        (component, v)
    };
    let clients = if old {
        vec![
            ("ReportingTLSMode", d(0)),
            ("OptionalTLSMinAttemptCount", d(3)),
            ("OptionalTLSBackoffIntervalSeconds", d(1)),
            ("OptionalTLSMaxBackoffSeconds", d(3600)),
        ]
    } else {
        vec![
            ("require_client_tls_314_flag", d(0)),
            ("require_client_tls_315_flag", d(1)),
            ("TLSMode", d(1)),
        ]
    };
    let mut out = match (c.role, c.has_zone_hub()) {
        (Role::TaniumServer, with_hub) => {
            let mut out = vec![server(TsC, if old { 2 } else { 1 }, "tanium", old)];
            if with_hub {
                out.push(server(HubC, if old { 0 } else { 1 }, "tanium", false));
            }
            out.push((ClientGlobal, clients));
            out
        }
        (Role::ZoneServer, _) => vec![server(ZsC, if old { 0 } else { 1 }, "zoneserver", old)],
    };
    // Every appliance's console logs out after ten idle minutes by default.
    out.push((Component::Console, vec![("IdleTimeoutSeconds", d(600))]));
    out
}

fn all_configs() -> Vec<ApplianceConfig> {
    let mut out = Vec::new();
    for platform in Platform::ALL {
        out.push(ts(platform));
        out.push(hub(platform));
        out.push(zs(platform));
    }
    out
}

#[test]
fn defaults_per_platform_and_role() {
    for c in all_configs() {
        let defaults = Settings::defaults(&c);
        let expected = expected_defaults(&c);
        let components: Vec<Component> = expected.iter().map(|(comp, _)| *comp).collect();
        assert_eq!(
            Component::for_appliance(&c),
            components,
            "components of {c:?}"
        );
        for (component, want) in expected {
            let got: Vec<(&str, Value)> = defaults
                .present(&c, component)
                .into_iter()
                .map(|(def, v)| (def.name, v))
                .collect();
            assert_eq!(got, want, "defaults of {component:?} on {c:?}");
        }
        // Nothing beyond the appliance's components: a foreign section would be empty.
        for component in Component::ALL {
            if !Component::for_appliance(&c).contains(&component) {
                assert!(
                    defaults.present(&c, component).is_empty(),
                    "{component:?} has values on {c:?}"
                );
            }
        }
    }
}

#[test]
fn defaults_spot_checks_from_the_seed() {
    /// On these platforms, the appliance of this role, this setting has this default.
    type Row = (
        &'static [Platform],
        fn(Platform) -> ApplianceConfig,
        Component,
        &'static str,
        Option<Value>,
    );
    const OLD: &[Platform] = &[V7_2, V7_3];
    let rows: [Row; 20] = [
        (&[V7_2], ts, TsC, "ReportingTLSMode", Some(d(2))),
        (&[V7_3], ts, TsC, "ReportingTLSMode", Some(d(2))),
        (&[V7_4], ts, TsC, "ReportingTLSMode", Some(d(1))),
        (&[V7_2], zs, ZsC, "ReportingTLSMode", Some(d(0))),
        (&[V7_3], zs, ZsC, "ReportingTLSMode", Some(d(0))),
        (&[V7_4], zs, ZsC, "ReportingTLSMode", Some(d(1))),
        (OLD, ts, TsC, "RequireIncomingEncryption", Some(d(0))),
        (OLD, zs, ZsC, "RequireIncomingEncryption", Some(d(0))),
        (OLD, ts, ClientGlobal, "require_client_tls_314_flag", None),
        (
            OLD,
            ts,
            ClientGlobal,
            "OptionalTLSMinAttemptCount",
            Some(d(3)),
        ),
        (
            OLD,
            ts,
            ClientGlobal,
            "OptionalTLSBackoffIntervalSeconds",
            Some(d(1)),
        ),
        (
            OLD,
            ts,
            ClientGlobal,
            "OptionalTLSMaxBackoffSeconds",
            Some(d(3600)),
        ),
        (&[V7_4], ts, TsC, "RequireIncomingEncryption", None),
        (
            &[V7_4],
            ts,
            ClientGlobal,
            "require_client_tls_314_flag",
            Some(d(0)),
        ),
        (
            &[V7_4],
            ts,
            ClientGlobal,
            "require_client_tls_315_flag",
            Some(d(1)),
        ),
        (&[V7_4], ts, ClientGlobal, "TLSMode", Some(d(1))),
        (
            &[V7_4],
            ts,
            ClientGlobal,
            "OptionalTLSMinAttemptCount",
            None,
        ),
        (&[V7_4], zs, ZsC, "RequireIncomingEncryption", None),
        (
            &Platform::ALL,
            zs,
            ZsC,
            "ReportingTLSKeyPath",
            Some(t("zoneserver/reporting.pvk")),
        ),
        (
            &Platform::ALL,
            ts,
            TsC,
            "ReportingTLSKeyPath",
            Some(t("tanium/reporting.pvk")),
        ),
    ];
    for (platforms, config, component, name, want) in rows {
        for &p in platforms {
            assert_eq!(
                Settings::defaults(&config(p)).get(component, name),
                want.as_ref(),
                "{component:?} {name} on {p:?}"
            );
        }
    }
}

#[test]
fn defaults_round_trip_through_settings_toml() {
    for c in all_configs() {
        let defaults = Settings::defaults(&c);
        let parsed =
            Settings::parse(&c, &defaults.to_toml()).unwrap_or_else(|e| panic!("{c:?}: {e}"));
        assert_eq!(parsed, defaults, "round trip on {c:?}");
    }
}

#[test]
fn init_writes_the_defaults() {
    for (role, platform, zone_hub) in [
        (Role::TaniumServer, V7_2, false),
        (Role::TaniumServer, V7_4, true),
        (Role::ZoneServer, V7_3, false),
        (Role::ZoneServer, V7_4, false),
    ] {
        let root = new_root(role, platform, zone_hub);
        let loaded = Settings::load(&root.app).expect("load settings.toml");
        assert_eq!(
            loaded,
            Settings::defaults(&root.app.config),
            "{role:?} {platform:?} hub={zone_hub}"
        );
    }
}

// ---------------------------------------------------------------- validation table

#[derive(Debug, Clone)]
enum Want {
    Ok(Value),
    Err(&'static str),
}

struct Case {
    config: ApplianceConfig,
    component: Component,
    name: &'static str,
    raw: &'static str,
    want: Want,
}

fn case(
    config: ApplianceConfig,
    component: Component,
    name: &'static str,
    raw: &'static str,
    want: Want,
) -> Case {
    Case {
        config,
        component,
        name,
        raw,
        want,
    }
}

fn ok(n: u32) -> Want {
    Want::Ok(d(n))
}

fn err(msg: &'static str) -> Want {
    Want::Err(msg)
}

fn validation_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let c73 = ts(V7_3);
    let c74 = ts(V7_4);

    // Ranges: every boundary.
    for (name, hi, hi_text, over) in [
        ("OptionalTLSMinAttemptCount", 100, "100", "101"),
        ("OptionalTLSBackoffIntervalSeconds", 86400, "86400", "86401"),
        ("OptionalTLSMaxBackoffSeconds", 86400, "86400", "86401"),
    ] {
        let range: &'static str = match hi {
            100 => "must be between 1 and 100; ",
            _ => "must be between 1 and 86400; ",
        };
        cases.push(case(c73.clone(), ClientGlobal, name, "0", err(range)));
        cases.push(case(
            c73.clone(),
            ClientGlobal,
            name,
            "0",
            err("0 is out of range"),
        ));
        cases.push(case(c73.clone(), ClientGlobal, name, "1", ok(1)));
        cases.push(case(c73.clone(), ClientGlobal, name, hi_text, ok(hi)));
        cases.push(case(c73.clone(), ClientGlobal, name, over, err(range)));
        cases.push(case(
            c73.clone(),
            ClientGlobal,
            name,
            over,
            err(if hi == 100 {
                "101 is out"
            } else {
                "86401 is out"
            }),
        ));
        cases.push(case(
            c73.clone(),
            ClientGlobal,
            name,
            "99999999999999999999",
            err(range),
        ));
        cases.push(case(
            c73.clone(),
            ClientGlobal,
            name,
            "99999999999999999999",
            err("99999999999999999999 is out of range"),
        ));
        cases.push(case(
            c73.clone(),
            ClientGlobal,
            name,
            "4294967297",
            err("4294967297 is out of range"),
        ));
    }
    // Leading zeros and surrounding blanks are a number all the same.
    cases.push(case(
        c73.clone(),
        ClientGlobal,
        "OptionalTLSMinAttemptCount",
        "007",
        ok(7),
    ));
    cases.push(case(
        c73.clone(),
        ClientGlobal,
        "OptionalTLSMinAttemptCount",
        " 42 ",
        ok(42),
    ));
    cases.push(case(
        c73.clone(),
        ClientGlobal,
        "OptionalTLSMinAttemptCount",
        "0000000000000000000000000000000000000000000000000005",
        ok(5),
    ));
    cases.push(case(
        c73.clone(),
        ClientGlobal,
        "OptionalTLSMinAttemptCount",
        "00101",
        err("; 101 is out of range"),
    ));
    cases.push(case(
        c73.clone(),
        ClientGlobal,
        "OptionalTLSMinAttemptCount",
        "100000000000000000000000000000000000000000000000000000000000",
        err("; 1000000000000000000000000000000000000000… is out of range"),
    ));

    // Not numbers.
    for (raw, shown) in [
        ("abc", "'abc' is not one"),
        ("1.5", "'1.5' is not one"),
        ("-1", "'-1' is not one"),
        ("+5", "'+5' is not one"),
        ("", "'' is not one"),
        (" ", "'' is not one"),
        ("0x10", "'0x10' is not one"),
        ("1e3", "'1e3' is not one"),
        ("٣", "is not one"),
        ("3 4", "'3 4' is not one"),
    ] {
        cases.push(case(
            c73.clone(),
            ClientGlobal,
            "OptionalTLSMinAttemptCount",
            raw,
            err("takes a whole number"),
        ));
        cases.push(case(
            c73.clone(),
            ClientGlobal,
            "OptionalTLSMinAttemptCount",
            raw,
            err(shown),
        ));
        cases.push(case(
            c73.clone(),
            TsC,
            "ReportingTLSMode",
            raw,
            err("ReportingTLSMode takes a whole number"),
        ));
    }

    // Names: unknown, case and blanks ignored, wrong component, absent component.
    cases.push(case(
        c73.clone(),
        TsC,
        "NoSuchSetting",
        "1",
        err("unknown setting 'NoSuchSetting'"),
    ));
    cases.push(case(c73.clone(), TsC, "", "1", err("unknown setting ''")));
    cases.push(case(c73.clone(), TsC, "reportingtlsmode", "2", ok(2)));
    cases.push(case(c74.clone(), ClientGlobal, "TLS Mode", "1", ok(1)));
    cases.push(case(
        c73.clone(),
        TsC,
        "OptionalTLSMinAttemptCount",
        "3",
        err("OptionalTLSMinAttemptCount is not a Tanium Server setting"),
    ));
    cases.push(case(
        c73.clone(),
        HubC,
        "ReportingTLSMode",
        "2",
        err("Zone Server Hub is not a component of this appliance (Tanium Server)"),
    ));
    cases.push(case(
        zs(V7_3),
        ClientGlobal,
        "OptionalTLSMinAttemptCount",
        "3",
        err("Client Global Settings is not a component of this appliance (Zone Server)"),
    ));
    cases.push(case(
        hub(V7_3),
        HubC,
        "RequireIncomingEncryption",
        "0",
        err("RequireIncomingEncryption is not a Zone Server Hub setting"),
    ));

    // Platform: settings of another platform, and TLS that cannot be disabled on 7.4.
    cases.push(case(c74.clone(), TsC, "RequireIncomingEncryption", "0", err("RequireIncomingEncryption applies to platform 7.2 and 7.3 only; this appliance runs 7.4+")));
    cases.push(case(
        zs(V7_4),
        ZsC,
        "RequireIncomingEncryption",
        "1",
        err("applies to platform 7.2 and 7.3 only"),
    ));
    cases.push(case(
        c73.clone(),
        ClientGlobal,
        "require_client_tls_314_flag",
        "0",
        err("require_client_tls_314_flag applies to platform 7.4+ only; this appliance runs 7.3"),
    ));
    cases.push(case(
        ts(V7_2),
        ClientGlobal,
        "require_client_tls_315_flag",
        "1",
        err("applies to platform 7.4+ only; this appliance runs 7.2"),
    ));
    cases.push(case(
        c73.clone(),
        ClientGlobal,
        "TLSMode",
        "1",
        err("applies to platform 7.4+ only"),
    ));
    cases.push(case(
        c74.clone(),
        ClientGlobal,
        "OptionalTLSMinAttemptCount",
        "3",
        err("OptionalTLSMinAttemptCount applies to platform 7.2 and 7.3 only"),
    ));
    cases.push(case(
        c74.clone(),
        ClientGlobal,
        "ReportingTLSMode",
        "1",
        err("ReportingTLSMode applies to platform 7.2 and 7.3 only"),
    ));
    for raw in ["0", "2"] {
        cases.push(case(
            c74.clone(),
            TsC,
            "ReportingTLSMode",
            raw,
            err(
                "on platform 7.4+ TLS is required and cannot be disabled: ReportingTLSMode stays 1",
            ),
        ));
        cases.push(case(
            zs(V7_4),
            ZsC,
            "ReportingTLSMode",
            raw,
            err("TLS is required and cannot be disabled"),
        ));
        cases.push(case(
            hub(V7_4),
            HubC,
            "ReportingTLSMode",
            raw,
            err("TLS is required and cannot be disabled"),
        ));
    }
    cases.push(case(c74.clone(), TsC, "ReportingTLSMode", "1", ok(1)));

    // Choice lists.
    cases.push(case(c73.clone(), TsC, "ReportingTLSMode", "3", err("ReportingTLSMode takes 0 (TLS not used), 1 (TLS required), 2 (TLS optional); 3 is not allowed")));
    cases.push(case(
        c74.clone(),
        TsC,
        "ReportingTLSMode",
        "3",
        err("ReportingTLSMode takes 1 (TLS required); 3 is not allowed"),
    ));
    cases.push(case(
        c73.clone(),
        TsC,
        "ReportingTLSMode",
        "4294967296",
        err("4294967296 is not allowed"),
    ));
    for v in [0, 1, 2] {
        cases.push(case(
            c73.clone(),
            TsC,
            "ReportingTLSMode",
            ["0", "1", "2"][v as usize],
            ok(v),
        ));
        cases.push(case(
            zs(V7_2),
            ZsC,
            "ReportingTLSMode",
            ["0", "1", "2"][v as usize],
            ok(v),
        ));
        cases.push(case(
            c73.clone(),
            ClientGlobal,
            "ReportingTLSMode",
            ["0", "1", "2"][v as usize],
            ok(v),
        ));
    }
    cases.push(case(
        c73.clone(),
        TsC,
        "RequireIncomingEncryption",
        "2",
        err("RequireIncomingEncryption takes 0 (not required), 1 (required); 2 is not allowed"),
    ));
    cases.push(case(
        c74.clone(),
        ClientGlobal,
        "require_client_tls_314_flag",
        "2",
        err("2 is not allowed"),
    ));
    cases.push(case(
        c74.clone(),
        ClientGlobal,
        "require_client_tls_315_flag",
        "7",
        err("7 is not allowed"),
    ));
    cases.push(case(
        c74.clone(),
        ClientGlobal,
        "TLSMode",
        "2",
        err("TLSMode takes 0 (TLS not used), 1 (TLS required); 2 is not allowed"),
    ));

    // Paths.
    let path =
        |raw: &'static str, want: Want| case(c73.clone(), TsC, "ReportingTLSCertPath", raw, want);
    cases.push(path("tanium/custom.crt", Want::Ok(t("tanium/custom.crt"))));
    cases.push(path(
        "/opt/Tanium/reporting.crt",
        Want::Ok(t("/opt/Tanium/reporting.crt")),
    ));
    cases.push(path("", err("ReportingTLSCertPath: the path is empty")));
    cases.push(path("   ", err("the path is empty")));
    cases.push(path(
        "../../etc/shadow",
        err("the path may not contain '..'"),
    ));
    cases.push(path("tanium/../x.crt", err("may not contain '..'")));
    cases.push(path("tanium/", err("the path names a directory")));
    cases.push(path("a\tb.crt", err("control characters")));
    cases.push(path("a\u{1b}[2Jb", err("control characters")));
    cases
}

#[test]
fn validate_table() {
    for (i, c) in validation_cases().iter().enumerate() {
        let got = catalogue::validate(&c.config, c.component, c.name, c.raw);
        let label = format!(
            "case {i}: {:?} {:?} {:?} = {:?}",
            c.config.platform, c.component, c.name, c.raw
        );
        match (&c.want, got) {
            (Want::Ok(v), Ok(checked)) => {
                assert_eq!(&checked.value, v, "{label}");
                assert_eq!(checked.component, c.component, "{label}");
            }
            (Want::Err(msg), Err(e)) => {
                let text = e.to_string();
                assert!(
                    text.contains(msg),
                    "{label}: message {text:?} lacks {msg:?}"
                );
            }
            (want, got) => panic!("{label}: wanted {want:?}, got {got:?}"),
        }
    }
}

/// One root per role, platform and add-on, shared by the cases that run on it.
type Roots = BTreeMap<(String, Platform, bool), Root>;

fn root_for<'a>(roots: &'a mut Roots, config: &ApplianceConfig) -> &'a Root {
    let key = (
        config.role.id().to_string(),
        config.platform,
        config.has_zone_hub(),
    );
    roots
        .entry(key)
        .or_insert_with(|| new_root(config.role, config.platform, config.has_zone_hub()))
}

/// Every refusal goes through `settings::set` on a real root: the error is the validation's
/// and no file of the root changes, even with the confirmation given.
#[test]
fn rejections_change_no_file() {
    let mut roots = Roots::new();
    let mut rejected = 0;
    for (i, c) in validation_cases().into_iter().enumerate() {
        let Want::Err(msg) = c.want else { continue };
        let root = root_for(&mut roots, &c.config);
        assert_eq!(
            root.app.config, c.config,
            "case {i}: the root matches the case"
        );
        let before = tree(&root.app.root);
        let settings_before =
            std::fs::read(root.app.path(Layout::SETTINGS)).expect("read settings.toml");
        for confirmed in [false, true] {
            let label = format!(
                "case {i}: {:?} {:?} = {:?} confirmed={confirmed}",
                c.component, c.name, c.raw
            );
            match settings::set(&root.app, c.component, c.name, c.raw, confirmed) {
                Err(e @ SettingsError::Setting(_)) => {
                    let text = e.to_string();
                    assert!(
                        text.contains(msg),
                        "{label}: message {text:?} lacks {msg:?}"
                    );
                }
                other => panic!("{label}: wanted a refusal, got {other:?}"),
            }
            assert_eq!(
                std::fs::read(root.app.path(Layout::SETTINGS)).expect("read settings.toml"),
                settings_before,
                "{label}: settings.toml changed"
            );
            assert_eq!(
                changed(&before, &tree(&root.app.root)),
                Vec::<PathBuf>::new(),
                "{label}: files changed"
            );
        }
        rejected += 1;
    }
    assert!(rejected > 50, "the table holds the refusals ({rejected})");
}

/// Accepted values of the table land in settings.toml and read back.
#[test]
fn accepted_values_are_saved() {
    let mut roots = Roots::new();
    for (i, c) in validation_cases().into_iter().enumerate() {
        let Want::Ok(value) = c.want else { continue };
        let root = root_for(&mut roots, &c.config);
        let change = settings::set(&root.app, c.component, c.name, c.raw, true)
            .unwrap_or_else(|e| panic!("case {i}: {:?} = {:?}: {e}", c.name, c.raw));
        assert_eq!(change.new, value, "case {i}");
        assert_eq!(change.audit_error, None, "case {i}");
        let parsed = Settings::parse(&root.app.config, &settings_text(&root.app))
            .expect("settings.toml parses");
        assert_eq!(
            parsed.get(c.component, change.name),
            Some(&value),
            "case {i}: {:?}",
            c.name
        );
    }
}

// ---------------------------------------------------------------- risky values

#[test]
fn risky_values_need_confirmation() {
    struct Risky {
        role: Role,
        platform: Platform,
        component: Component,
        name: &'static str,
        raw: &'static str,
        value: Value,
        default: Value,
        warning: &'static str,
    }
    const TS: Role = Role::TaniumServer;
    const ZS: Role = Role::ZoneServer;
    // role, platform, component, name, raw, value, default, what the warning says
    #[rustfmt::skip]
    let rows = [
        (TS, V7_3, TsC, "RequireIncomingEncryption", "1", 1, 0, "Only set 1 once every deployed Tanium Client is configured to use TLS"),
        (ZS, V7_2, ZsC, "RequireIncomingEncryption", "1", 1, 0, "every deployed Tanium Client"),
        (TS, V7_4, ClientGlobal, "require_client_tls_314_flag", "1", 1, 0, "every deployed Tanium Client"),
        (TS, V7_4, ClientGlobal, "require_client_tls_315_flag", "0", 0, 1, "Contact Tanium Support"),
        (TS, V7_4, ClientGlobal, "TLSMode", "0", 0, 1, "stop using TLS"),
        (TS, V7_3, TsC, "ReportingTLSMode", "1", 1, 2, "set ReportingTLSMode to 2 (optional) first"),
        (ZS, V7_3, ZsC, "ReportingTLSMode", "1", 1, 0, "set 1 (required) only once TLS connections are confirmed"),
        (TS, V7_2, ClientGlobal, "ReportingTLSMode", "1", 1, 0, "Best practice"),
    ];
    let cases = rows.map(
        |(role, platform, component, name, raw, value, default, warning)| Risky {
            role,
            platform,
            component,
            name,
            raw,
            value: d(value),
            default: d(default),
            warning,
        },
    );
    for r in cases {
        let label = format!(
            "{:?} {:?} {:?} {} = {}",
            r.role, r.platform, r.component, r.name, r.raw
        );
        let root = new_root(r.role, r.platform, false);
        let app = &root.app;

        let before = tree(&app.root);
        match settings::set(app, r.component, r.name, r.raw, false) {
            Err(e @ SettingsError::NeedsConfirmation { .. }) => {
                let SettingsError::NeedsConfirmation {
                    name,
                    value,
                    warning,
                } = &e
                else {
                    unreachable!()
                };
                assert_eq!(*name, r.name, "{label}");
                assert_eq!(value, &r.value, "{label}");
                assert!(
                    warning.to_string().contains(r.warning),
                    "{label}: warning {warning:?}"
                );
                let text = e.to_string();
                assert!(text.contains(r.warning), "{label}: {text:?}");
                assert!(text.contains("Nothing was changed"), "{label}: {text:?}");
                assert!(
                    text.contains(&format!("{} = {}", r.name, r.value)),
                    "{label}: {text:?}"
                );
            }
            other => panic!("{label}: wanted NeedsConfirmation, got {other:?}"),
        }
        assert_eq!(
            changed(&before, &tree(&app.root)),
            Vec::<PathBuf>::new(),
            "{label}: unconfirmed change wrote files"
        );

        // The same check the console makes before asking.
        let checked =
            catalogue::validate(&app.config, r.component, r.name, r.raw).expect("valid value");
        assert!(
            checked
                .warning
                .is_some_and(|w| w.to_string().contains(r.warning)),
            "{label}"
        );

        let audit_before = audit_lines(app).len();
        let change = settings::set(app, r.component, r.name, r.raw, true)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(change.component, r.component, "{label}");
        assert_eq!(change.name, r.name, "{label}");
        assert_eq!(change.old, Some(r.default.clone()), "{label}");
        assert_eq!(change.new, r.value, "{label}");
        assert_eq!(change.audit_error, None, "{label}");

        let parsed =
            Settings::parse(&app.config, &settings_text(app)).expect("saved settings.toml parses");
        assert_eq!(parsed.get(r.component, r.name), Some(&r.value), "{label}");
        // Everything else stays at its default.
        assert_eq!(
            parsed,
            Settings::defaults(&app.config).with(&checked),
            "{label}"
        );
        if catalogue::resolve_component(&app.config, r.name) == Ok(r.component) {
            assert_eq!(
                config_get(app, r.name),
                Some(r.value.clone()),
                "{label}: config get"
            );
        }

        let audit = audit_lines(app);
        assert_eq!(
            audit.len(),
            audit_before + 1,
            "{label}: one audit line per change"
        );
        let entry: serde_json::Value =
            serde_json::from_str(audit.last().expect("a line")).expect("audit line is JSON");
        assert_eq!(entry["action"], "settings.set", "{label}");
        assert_eq!(
            entry["files"],
            serde_json::json!(["settings.toml"]),
            "{label}"
        );
        let detail = entry["detail"].as_str().expect("detail");
        assert!(
            detail.contains(&format!(
                "{} {} = {} (was {})",
                r.component.id(),
                r.name,
                r.value,
                r.default
            )),
            "{label}: {detail}"
        );

        let after = tree(&app.root);
        let touched = changed(&before, &after);
        assert_eq!(
            touched,
            vec![
                PathBuf::from(Layout::AUDIT),
                PathBuf::from(Layout::SETTINGS)
            ],
            "{label}"
        );
        assert_eq!(mode(&app.path(Layout::SETTINGS)), 0o644, "{label}");
    }
}

/// Values that are not risky save without a confirmation; the risky setting's safe value too.
#[test]
fn safe_values_save_without_confirmation() {
    let root = new_root(Role::TaniumServer, V7_3, false);
    let app = &root.app;
    let change =
        settings::set(app, ClientGlobal, "OptionalTLSMinAttemptCount", "50", false).expect("saved");
    assert_eq!((change.old, change.new), (Some(d(3)), d(50)));
    let change = settings::set(app, TsC, "RequireIncomingEncryption", "0", false).expect("saved");
    assert_eq!((change.old, change.new), (Some(d(0)), d(0)));
    let change = settings::set(app, TsC, "ReportingTLSMode", "0", false).expect("saved");
    assert_eq!(change.new, d(0));
    let change =
        settings::set(app, TsC, "ReportingTLSCertPath", "tanium/other.crt", false).expect("saved");
    assert_eq!((change.old, change.new), (None, t("tanium/other.crt")));
    assert_eq!(config_get(app, "OptionalTLSMinAttemptCount"), Some(d(50)));
    assert_eq!(config_get(app, "ReportingTLSMode"), Some(d(0)));
    assert_eq!(
        config_get(app, "ReportingTLSCertPath"),
        Some(t("tanium/other.crt"))
    );
    // The HSM password file warns whatever its value.
    match settings::set(
        app,
        TsC,
        "ReportingTLSKeyPasswordFile",
        "tanium/hsm.pwd",
        false,
    ) {
        Err(SettingsError::NeedsConfirmation { warning, .. }) => {
            assert!(warning.to_string().contains("hardware security modules"))
        }
        other => panic!("wanted NeedsConfirmation, got {other:?}"),
    }
    // Four saves, four audit lines after init's own.
    let actions: Vec<String> = audit_lines(app)
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("JSON")["action"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(
        actions,
        [
            "init",
            "settings.set",
            "settings.set",
            "settings.set",
            "settings.set"
        ]
    );
}

#[test]
fn ts74_reporting_tls_mode_one_needs_no_confirmation() {
    // On 7.4+ 1 is the only value: warning "set 2 first" would advise what is refused.
    let checked = catalogue::validate(&ts(V7_4), TsC, "ReportingTLSMode", "1").expect("valid");
    assert_eq!(checked.warning, None);
    let checked = catalogue::validate(&ts(V7_3), TsC, "ReportingTLSMode", "1").expect("valid");
    assert!(checked.warning.is_some());
}

// ---------------------------------------------------------------- resolve_component

#[test]
fn resolve_component_cases() {
    let cases: Vec<(ApplianceConfig, &str, Result<Component, &str>)> = vec![
        // Several components have it: the role's own wins.
        (hub(V7_3), "ReportingTLSMode", Ok(TsC)),
        (hub(V7_4), "ReportingTLSKeyPath", Ok(TsC)),
        (ts(V7_3), "ReportingTLSMode", Ok(TsC)),
        (ts(V7_3), "reportingtlsmode", Ok(TsC)),
        (zs(V7_3), "ReportingTLSMode", Ok(ZsC)),
        (zs(V7_4), "ReportingTLSKeyPath", Ok(ZsC)),
        (zs(V7_2), "RequireIncomingEncryption", Ok(ZsC)),
        // Client-only names on a Tanium Server: the client settings.
        (ts(V7_3), "OptionalTLSMinAttemptCount", Ok(ClientGlobal)),
        (hub(V7_2), "OptionalTLSMaxBackoffSeconds", Ok(ClientGlobal)),
        (ts(V7_4), "require_client_tls_314_flag", Ok(ClientGlobal)),
        (ts(V7_4), "require_client_tls_315_flag", Ok(ClientGlobal)),
        (ts(V7_4), "TLS Mode", Ok(ClientGlobal)),
        // Client-only names on a Zone Server: it has no client settings.
        (
            zs(V7_3),
            "OptionalTLSMinAttemptCount",
            Err("OptionalTLSMinAttemptCount is not a Zone Server setting"),
        ),
        (
            zs(V7_4),
            "require_client_tls_314_flag",
            Err("require_client_tls_314_flag is not a Zone Server setting"),
        ),
        (
            zs(V7_4),
            "TLSMode",
            Err("TLSMode is not a Zone Server setting"),
        ),
        // Another platform's settings.
        (
            ts(V7_3),
            "require_client_tls_314_flag",
            Err(
                "require_client_tls_314_flag applies to platform 7.4+ only; this appliance runs 7.3",
            ),
        ),
        (
            ts(V7_4),
            "RequireIncomingEncryption",
            Err("RequireIncomingEncryption applies to platform 7.2 and 7.3 only"),
        ),
        (
            ts(V7_4),
            "OptionalTLSBackoffIntervalSeconds",
            Err("applies to platform 7.2 and 7.3 only"),
        ),
        (
            zs(V7_4),
            "RequireIncomingEncryption",
            Err("applies to platform 7.2 and 7.3 only"),
        ),
        // Unknown.
        (ts(V7_3), "Bogus", Err("unknown setting 'Bogus'")),
        (zs(V7_3), "Bogus", Err("unknown setting 'Bogus'")),
    ];
    for (c, name, want) in cases {
        let got = catalogue::resolve_component(&c, name);
        match (want, got) {
            (Ok(w), Ok(g)) => assert_eq!(g, w, "{name} on {c:?}"),
            (Err(msg), Err(e)) => {
                let text = e.to_string();
                assert!(
                    text.contains(msg),
                    "{name} on {c:?}: {text:?} lacks {msg:?}"
                );
                assert!(
                    !matches!(e, SettingError::Ambiguous { .. }),
                    "{name} on {c:?}"
                );
            }
            (want, got) => panic!("{name} on {c:?}: wanted {want:?}, got {got:?}"),
        }
    }
}

// ---------------------------------------------------------------- settings.toml by hand

#[test]
fn hand_made_settings_toml_is_checked() {
    let c73 = ts(V7_3);
    let c74 = ts(V7_4);
    let cases: Vec<(&ApplianceConfig, &str, &[&str])> = vec![
        (
            &c73,
            "[tanium-server]\nBogusSetting = 1\n",
            &["BogusSetting", "unknown setting"],
        ),
        (
            &c73,
            "[client-global]\nOptionalTLSMinAttemptCount = 0\n",
            &["OptionalTLSMinAttemptCount", "between 1 and 100"],
        ),
        (
            &c73,
            "[client-global]\nOptionalTLSMaxBackoffSeconds = 86401\n",
            &["OptionalTLSMaxBackoffSeconds", "86401 is out of range"],
        ),
        (
            &c73,
            "[client-global]\nOptionalTLSBackoffIntervalSeconds = -5\n",
            &["OptionalTLSBackoffIntervalSeconds", "'-5'"],
        ),
        (
            &c73,
            "[client-global]\nOptionalTLSMinAttemptCount = \"abc\"\n",
            &["OptionalTLSMinAttemptCount", "whole number"],
        ),
        (
            &c73,
            "[tanium-server]\nReportingTLSMode = 5\n",
            &["ReportingTLSMode", "5 is not allowed"],
        ),
        (
            &c73,
            "[tanium-server]\nReportingTLSMode = true\n",
            &["ReportingTLSMode", "boolean"],
        ),
        (
            &c73,
            "[tanium-server]\nReportingTLSMode = 1.0\n",
            &["ReportingTLSMode", "float"],
        ),
        (
            &c73,
            "[tanium-server]\nReportingTLSCertPath = \"../x\"\n",
            &["ReportingTLSCertPath", ".."],
        ),
        (
            &c73,
            "[client-global]\nrequire_client_tls_314_flag = 1\n",
            &["require_client_tls_314_flag", "7.4+ only"],
        ),
        (
            &c74,
            "[tanium-server]\nReportingTLSMode = 2\n",
            &["ReportingTLSMode", "cannot be disabled"],
        ),
        (
            &c74,
            "[tanium-server]\nRequireIncomingEncryption = 0\n",
            &["RequireIncomingEncryption", "7.2 and 7.3 only"],
        ),
        (
            &c73,
            "[tanium-server]\nOptionalTLSMinAttemptCount = 3\n",
            &["OptionalTLSMinAttemptCount", "not a Tanium Server setting"],
        ),
        (
            &c73,
            "[zone-server]\nReportingTLSMode = 0\n",
            &["Zone Server is not a component"],
        ),
        (&c73, "[zone-server]\n", &["zone-server", "not a component"]),
        (
            &c73,
            "[nosuch]\nReportingTLSMode = 1\n",
            &["unknown component [nosuch]"],
        ),
        (&c73, "ReportingTLSMode = 1\n", &["settings.toml"]),
        (
            &c73,
            "[tanium-server]\nReportingTLSMode = 2\nreportingtlsmode = 0\n",
            &["ReportingTLSMode", "twice"],
        ),
        (&c73, "[tanium-server\n", &["settings.toml"]),
        (
            &c73,
            "[tanium-server]\n[Tanium_Server]\n",
            &["appears twice"],
        ),
    ];
    for (c, text, wants) in cases {
        match Settings::parse(c, text) {
            Err(e @ SettingsError::Invalid(_)) => {
                let msg = e.to_string();
                assert!(msg.starts_with("settings.toml: "), "{text:?}: {msg:?}");
                for want in wants {
                    assert!(msg.contains(want), "{text:?}: {msg:?} lacks {want:?}");
                }
            }
            other => panic!("{text:?}: wanted Invalid, got {other:?}"),
        }
    }
}

/// A root whose settings.toml is broken refuses changes without touching it.
#[test]
fn broken_settings_toml_blocks_saves() {
    let root = new_root(Role::TaniumServer, V7_3, false);
    let app = &root.app;
    std::fs::write(
        app.path(Layout::SETTINGS),
        "[client-global]\nOptionalTLSMinAttemptCount = 0\n",
    )
    .expect("write");
    let before = tree(&app.root);
    let err = settings::set(app, TsC, "ReportingTLSMode", "2", true)
        .expect_err("a broken file is not overwritten");
    assert!(
        err.to_string().contains("OptionalTLSMinAttemptCount"),
        "{err}"
    );
    assert_eq!(changed(&before, &tree(&app.root)), Vec::<PathBuf>::new());
}

#[test]
fn a_save_keeps_settings_toml_public() {
    let root = new_root(Role::ZoneServer, V7_3, false);
    let app = &root.app;
    assert_eq!(mode(&app.path(Layout::SETTINGS)), 0o644);
    settings::set(app, ZsC, "ReportingTLSMode", "2", false).expect("saved");
    assert_eq!(mode(&app.path(Layout::SETTINGS)), 0o644);
    // A stricter mode set by hand is replaced by the contract's one.
    std::fs::set_permissions(
        app.path(Layout::SETTINGS),
        std::fs::Permissions::from_mode(0o600),
    )
    .expect("chmod");
    settings::set(app, ZsC, "ReportingTLSMode", "0", false).expect("saved");
    assert_eq!(mode(&app.path(Layout::SETTINGS)), 0o644);
    assert_eq!(config_get(app, "ReportingTLSMode"), Some(d(0)));
    // No temporary file is left beside it.
    let leftovers: Vec<_> = std::fs::read_dir(&app.root)
        .expect("read root")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tanos-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
