//! `tanos-menu init`: a new appliance root with the layout of SPEC §6, built in a staging
//! directory and renamed into place, so a failure leaves nothing half-made.

use std::io;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use super::settings::Settings;
use super::{
    Addon, Appliance, ApplianceConfig, Layout, Platform, Role, RootState, audit, root_state,
};
use crate::fsutil;
use crate::hostname::validate_hostname;
use crate::pki::{self, KeyType, RootCa, TrustedKey, issue};
use crate::sshkeys;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitOptions {
    pub role: Role,
    pub hostname: String,
    pub platform: Platform,
    pub zone_hub: bool,
    /// PEM text of the Tanium Server's root public key (Zone Server only).
    pub tanium_pub: Option<String>,
}

/// Why `init` made nothing, in the thread's voice.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{}", crate::say!("appliance.init.already_appliance", path = .0.display()))]
    AlreadyAppliance(PathBuf),
    #[error("{}", crate::say!("appliance.init.not_empty", path = .0.display()))]
    NotEmpty(PathBuf),
    #[error("{}", crate::say!("appliance.init.hostname", reason = .0))]
    Hostname(String),
    #[error("{}", crate::say!("appliance.init.hub_on_zone_server"))]
    HubOnZoneServer,
    #[error("{}", crate::say!("appliance.init.tanium_pub_on_server"))]
    TaniumPubOnServer,
    #[error("{}", crate::say!("appliance.init.tanium_pub", error = .0))]
    TaniumPub(pki::PkiError),
    #[error("{0}")]
    Pki(#[from] pki::PkiError),
    #[error("{0}")]
    SshKey(#[from] sshkeys::SshKeyError),
    #[error("{}", crate::say!("appliance.init.io", path = .path.display(), error = .source))]
    Io { path: PathBuf, source: io::Error },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> InitError + '_ {
    move |source| InitError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates the appliance at `root`. `root` must be missing or empty.
pub fn init(root: &Path, opts: &InitOptions, now: OffsetDateTime) -> Result<Appliance, InitError> {
    match root_state(root).map_err(io_at(root))? {
        RootState::Appliance => return Err(InitError::AlreadyAppliance(root.to_path_buf())),
        RootState::Foreign => return Err(InitError::NotEmpty(root.to_path_buf())),
        RootState::Empty => {}
    }
    validate_hostname(&opts.hostname).map_err(InitError::Hostname)?;
    if opts.zone_hub && opts.role == Role::ZoneServer {
        return Err(InitError::HubOnZoneServer);
    }
    let trusted = match (&opts.tanium_pub, opts.role) {
        (Some(_), Role::TaniumServer) => return Err(InitError::TaniumPubOnServer),
        (Some(text), Role::ZoneServer) => {
            Some(TrustedKey::from_pem(text.as_bytes()).map_err(InitError::TaniumPub)?)
        }
        (None, _) => None,
    };
    let config = ApplianceConfig {
        role: opts.role,
        hostname: opts.hostname.clone(),
        platform: opts.platform,
        addons: if opts.zone_hub {
            vec![Addon::ZoneHub]
        } else {
            Vec::new()
        },
    };

    let parent = match root.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fsutil::create_dir_all_public(&parent).map_err(io_at(&parent))?;
    let staging = tempfile::Builder::new()
        .prefix(".tanos-init-")
        .tempdir_in(&parent)
        .map_err(io_at(&parent))?;
    let fingerprints = populate(staging.path(), &config, trusted.as_ref(), now)?;
    fsutil::create_dir(staging.path(), fsutil::PUBLIC_DIR).map_err(io_at(staging.path()))?;
    // rename(2) replaces an empty directory, so an existing empty root works too.
    std::fs::rename(staging.path(), root).map_err(io_at(root))?;
    let _ = staging.keep();
    fsutil::sync_dir(&parent).map_err(io_at(&parent))?;

    let app = Appliance::open(root).map_err(|e| InitError::Io {
        path: root.to_path_buf(),
        source: io::Error::other(e.to_string()),
    })?;
    let detail = format!(
        "{} {} platform {}",
        config.role_label(),
        config.hostname,
        config.platform
    );
    // The appliance exists now; a missing audit line must not undo it.
    let _ = audit::record_locking(&app, "init", &[Layout::CONFIG], &fingerprints, &detail);
    Ok(app)
}

/// Writes every file of a new appliance into `dir`; returns the fingerprints of the keys made.
fn populate(
    dir: &Path,
    config: &ApplianceConfig,
    trusted: Option<&TrustedKey>,
    now: OffsetDateTime,
) -> Result<Vec<String>, InitError> {
    write_config(dir, config)?;
    make_dirs(dir)?;
    let mut fingerprints = vec![user_files(dir, config)?];
    match config.role {
        Role::TaniumServer => fingerprints.push(tanium_server_files(dir, config, now)?),
        Role::ZoneServer => {
            mkdir(dir, Layout::ZONE_DIR, fsutil::PRIVATE_DIR)?;
            if let Some(key) = trusted {
                let pem = key.to_pem();
                write(
                    dir,
                    "zoneserver/tanium.pub",
                    pem.as_bytes(),
                    fsutil::PUBLIC_FILE,
                )?;
                fingerprints.push(key.fingerprint.clone());
            }
        }
    }
    Ok(fingerprints)
}

fn mkdir(dir: &Path, rel: &str, mode: u32) -> Result<(), InitError> {
    let path = dir.join(rel);
    fsutil::create_dir(&path, mode).map_err(io_at(&path))
}

fn write(dir: &Path, rel: &str, bytes: &[u8], mode: u32) -> Result<(), InitError> {
    let path = dir.join(rel);
    fsutil::atomic_write(&path, bytes, mode).map_err(io_at(&path))
}

/// appliance.toml, the change lock and the default settings.
fn write_config(dir: &Path, config: &ApplianceConfig) -> Result<(), InitError> {
    let toml = toml::to_string(config).map_err(|e| InitError::Io {
        path: dir.join(Layout::CONFIG),
        source: io::Error::other(e),
    })?;
    write(dir, Layout::CONFIG, toml.as_bytes(), fsutil::PUBLIC_FILE)?;
    // The change lock exists from the start, so no change ever adds a file beside the others.
    write(dir, super::lock::LOCK_FILE, b"", fsutil::PRIVATE_FILE)?;
    let settings = Settings::defaults(config).to_toml();
    write(
        dir,
        Layout::SETTINGS,
        settings.as_bytes(),
        fsutil::PUBLIC_FILE,
    )
}

/// The transfer area, the sshd and log directories, and each user's home.
fn make_dirs(dir: &Path) -> Result<(), InitError> {
    mkdir(dir, "transfer", fsutil::PUBLIC_DIR)?;
    mkdir(dir, Layout::INCOMING, fsutil::PUBLIC_DIR)?;
    mkdir(dir, Layout::OUTGOING, fsutil::PUBLIC_DIR)?;
    mkdir(dir, "etc", fsutil::PUBLIC_DIR)?;
    mkdir(dir, Layout::ETC_SSH, fsutil::PRIVATE_DIR)?;
    mkdir(dir, "log", fsutil::PRIVATE_DIR)?;
    mkdir(dir, "home", fsutil::PUBLIC_DIR)?;
    for user in Layout::USERS {
        mkdir(dir, &format!("home/{user}"), fsutil::PUBLIC_DIR)?;
        mkdir(dir, &format!("home/{user}/.ssh"), fsutil::PRIVATE_DIR)?;
    }
    Ok(())
}

/// tanadmin's key pair and tancopy's empty authorized keys: the key pair's fingerprint.
fn user_files(dir: &Path, config: &ApplianceConfig) -> Result<String, InitError> {
    let tanadmin_ssh = dir.join("home/tanadmin/.ssh");
    let fingerprint =
        sshkeys::write_new_keypair(&tanadmin_ssh, &format!("tanadmin@{}", config.hostname))?;
    let authorized = format!("home/tancopy/.ssh/{}", sshkeys::AUTHORIZED_KEYS);
    write(dir, &authorized, b"", fsutil::PRIVATE_FILE)?;
    Ok(fingerprint)
}

/// The root key pair and certificate, and the server's own TLS key and certificate signed
/// by it: the root key's fingerprint.
fn tanium_server_files(
    dir: &Path,
    config: &ApplianceConfig,
    now: OffsetDateTime,
) -> Result<String, InitError> {
    mkdir(dir, Layout::TANIUM_DIR, fsutil::PRIVATE_DIR)?;
    let root = RootCa::generate(&config.hostname, now)?;
    write(
        dir,
        "tanium/tanium.pvk",
        root.key_pem.as_bytes(),
        fsutil::PRIVATE_FILE,
    )?;
    write(
        dir,
        "tanium/tanium.pub",
        root.public_pem.as_bytes(),
        fsutil::PUBLIC_FILE,
    )?;
    write(
        dir,
        "tanium/tanium-root.crt",
        root.cert_pem.as_bytes(),
        fsutil::PUBLIC_FILE,
    )?;
    let key = issue::generate_key(KeyType::EcdsaP256)?;
    let request = issue::LeafRequest {
        common_name: config.hostname.clone(),
        dns_names: vec![config.hostname.clone()],
        ips: Vec::new(),
        days: issue::DEFAULT_VALIDITY_DAYS,
        rsa: false,
    };
    let cert = issue::sign_leaf(&request, &key, &root.key_pem, &root.cert_pem, now)?;
    let key_pem = key.serialize_pem();
    write(
        dir,
        "tanium/reporting.pvk",
        key_pem.as_bytes(),
        fsutil::PRIVATE_FILE,
    )?;
    write(
        dir,
        "tanium/reporting.crt",
        cert.as_bytes(),
        fsutil::PUBLIC_FILE,
    )?;
    Ok(root.fingerprint)
}
