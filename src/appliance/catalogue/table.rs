//! The seed's settings (tables 3, 4, 5), with their values, defaults and warnings.

use super::{Component, Default, Kind, SettingDef};
use crate::appliance::Platform;

const SERVERS: &[Component] = &[
    Component::TaniumServer,
    Component::ZoneServerHub,
    Component::ZoneServer,
];
const RECEIVERS: &[Component] = &[Component::TaniumServer, Component::ZoneServer];
const CLIENTS: &[Component] = &[Component::ClientGlobal];
const ALL_PLATFORMS: &[Platform] = &Platform::ALL;
const UP_TO_7_3: &[Platform] = &[Platform::V7_2, Platform::V7_3];
const FROM_7_4: &[Platform] = &[Platform::V7_4];

const TLS_MODES: &[(u32, &str)] = &[
    (0, "TLS not used"),
    (1, "TLS required"),
    (2, "TLS optional"),
];
const OFF_ON: &[(u32, &str)] = &[(0, "not required"), (1, "required")];

const BEST_PRACTICE: &str = "Best practice: set ReportingTLSMode to 2 (optional) first; set 1 (required) only \
once TLS connections are confirmed. With 1, a failed TLS handshake means the connection fails.";
const ALL_CLIENTS_TLS: &str = "Only set 1 once every deployed Tanium Client is configured to use TLS and you are \
ready to deploy new clients with TLS configured before their first registration: clients without TLS can \
no longer register or be managed.";

pub const CATALOGUE: &[SettingDef] = &[
    SettingDef {
        name: "ReportingTLSMode",
        label: "ReportingTLSMode",
        components: SERVERS,
        platforms: ALL_PLATFORMS,
        kind: Kind::Choice(TLS_MODES),
        default: Default::ServerTlsMode,
        present_by_default: true,
        help: "TLS for the outbound connections this server initiates. On 7.4+ TLS is required and cannot be disabled.",
        risky: &[1],
        warning: BEST_PRACTICE,
    },
    SettingDef {
        name: "ReportingTLSCertPath",
        label: "ReportingTLSCertPath",
        components: SERVERS,
        platforms: ALL_PLATFORMS,
        kind: Kind::Path,
        default: Default::InstallPath("reporting.crt"),
        present_by_default: false,
        help: "Path of reporting.crt for inbound connections; only needed when it differs from the install path.",
        risky: &[],
        warning: "",
    },
    SettingDef {
        name: "ReportingTLSKeyPath",
        label: "ReportingTLSKeyPath",
        components: SERVERS,
        platforms: ALL_PLATFORMS,
        kind: Kind::Path,
        default: Default::InstallPath("reporting.pvk"),
        present_by_default: true,
        help: "Path of reporting.pvk for inbound connections; must be present on a Zone Server.",
        risky: &[],
        warning: "",
    },
    SettingDef {
        name: "ReportingTLSKeyPasswordFile",
        label: "ReportingTLSKeyPasswordFile",
        components: SERVERS,
        platforms: ALL_PLATFORMS,
        kind: Kind::Path,
        default: Default::Unset,
        present_by_default: false,
        help: "Hardware security modules only.",
        risky: &[],
        warning: "This setting applies only to hardware security modules (HSM). Contact Tanium Support before setting it.",
    },
    SettingDef {
        name: "RequireIncomingEncryption",
        label: "RequireIncomingEncryption",
        components: RECEIVERS,
        platforms: UP_TO_7_3,
        kind: Kind::Choice(OFF_ON),
        default: Default::Fixed(0),
        present_by_default: true,
        help: "Inbound connections of Tanium Clients 7.2+ to servers 7.3 or earlier: 1 accepts TLS connections only.",
        risky: &[1],
        warning: ALL_CLIENTS_TLS,
    },
    SettingDef {
        name: "require_client_tls_314_flag",
        label: "require_client_tls_314_flag",
        components: CLIENTS,
        platforms: FROM_7_4,
        kind: Kind::Choice(&[
            (0, "TLS and non-TLS clients allowed"),
            (1, "TLS clients only"),
        ]),
        default: Default::Fixed(0),
        present_by_default: true,
        help: "1: the Tanium Server accepts Tanium Client connections only over TLS.",
        risky: &[1],
        warning: ALL_CLIENTS_TLS,
    },
    SettingDef {
        name: "require_client_tls_315_flag",
        label: "require_client_tls_315_flag",
        components: CLIENTS,
        platforms: FROM_7_4,
        kind: Kind::Choice(&[
            (1, "7.4+ clients over TLS only"),
            (0, "TLS and non-TLS 7.4+ clients"),
        ]),
        default: Default::Fixed(1),
        present_by_default: true,
        help: "1 (default): Tanium Clients 7.4+ connect only over TLS. Tanium strongly recommends keeping 1.",
        risky: &[0],
        warning: "Tanium strongly recommends keeping 1. Contact Tanium Support ([email protected]) before setting 0.",
    },
    SettingDef {
        name: "TLSMode",
        label: "TLS Mode (clients 7.4+)",
        components: CLIENTS,
        platforms: FROM_7_4,
        kind: Kind::Choice(&[(0, "TLS not used"), (1, "TLS required")]),
        default: Default::Fixed(1),
        present_by_default: true,
        help: "Whether Tanium Clients 7.4+ require TLS between clients and with servers.",
        risky: &[0],
        warning: "With 0, Tanium Clients 7.4+ stop using TLS. Tanium strongly recommends keeping the default, 1.",
    },
    SettingDef {
        name: "ReportingTLSMode",
        label: "ReportingTLSMode (clients 7.2)",
        components: CLIENTS,
        platforms: UP_TO_7_3,
        kind: Kind::Choice(TLS_MODES),
        default: Default::Fixed(0),
        present_by_default: true,
        help: "TLS from Tanium Clients 7.2 to the Tanium Server or Zone Server.",
        risky: &[1],
        warning: BEST_PRACTICE,
    },
    SettingDef {
        name: "OptionalTLSMinAttemptCount",
        label: "OptionalTLSMinAttemptCount",
        components: CLIENTS,
        platforms: UP_TO_7_3,
        kind: Kind::Range(1, 100),
        default: Default::Fixed(3),
        present_by_default: true,
        help: "Clients 7.2, ReportingTLSMode 2: TLS attempts before falling back to a non-TLS connection.",
        risky: &[],
        warning: "",
    },
    SettingDef {
        name: "OptionalTLSBackoffIntervalSeconds",
        label: "OptionalTLSBackoffIntervalSeconds",
        components: CLIENTS,
        platforms: UP_TO_7_3,
        kind: Kind::Range(1, 86400),
        default: Default::Fixed(1),
        present_by_default: true,
        help: "Clients 7.2, ReportingTLSMode 2: seconds before retrying TLS; doubles after each failed round.",
        risky: &[],
        warning: "",
    },
    SettingDef {
        name: "OptionalTLSMaxBackoffSeconds",
        label: "OptionalTLSMaxBackoffSeconds",
        components: CLIENTS,
        platforms: UP_TO_7_3,
        kind: Kind::Range(1, 86400),
        default: Default::Fixed(3600),
        present_by_default: true,
        help: "Clients 7.2, ReportingTLSMode 2: the longest back-off interval, in seconds.",
        risky: &[],
        warning: "",
    },
    SettingDef {
        name: "IdleTimeoutSeconds",
        label: "IdleTimeoutSeconds",
        components: &[Component::Console],
        platforms: ALL_PLATFORMS,
        kind: Kind::Range(10, 86400),
        default: Default::Fixed(600),
        present_by_default: true,
        help: "The console logs out after this many seconds without a key press, as a hardened appliance console must.",
        risky: &[],
        warning: "",
    },
];
