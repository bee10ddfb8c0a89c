//! Scratch directories under target/ and appliance roots made by `appliance::init::init`.

use std::path::{Path, PathBuf};

use tanos_menu::appliance::init::{InitOptions, init};
use tanos_menu::appliance::{Appliance, Platform, Role};
use time::OffsetDateTime;

/// `target/tmp/<suite>`, created if missing.
pub fn base(suite: &str) -> PathBuf {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join(suite);
    std::fs::create_dir_all(&base).expect("create test base directory");
    base
}

/// A fresh directory `target/tmp/<suite>/<prefix>XXXX`, removed when dropped.
pub fn scratch(suite: &str, prefix: &str) -> tempfile::TempDir {
    scratch_in(&base(suite), prefix)
}

/// A fresh directory `<base>/<prefix>XXXX`, removed when dropped.
pub fn scratch_in(base: &Path, prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(base)
        .expect("create temp dir")
}

/// `init` options with no Tanium Server public key to trust.
pub fn options(role: Role, hostname: &str, platform: Platform, zone_hub: bool) -> InitOptions {
    InitOptions {
        role,
        hostname: hostname.to_string(),
        platform,
        zone_hub,
        tanium_pub: None,
    }
}

/// An appliance made by `init` at `root`; panics with the reason if it fails.
pub fn appliance(root: &Path, opts: &InitOptions, now: OffsetDateTime) -> Appliance {
    init(root, opts, now)
        .unwrap_or_else(|e| panic!("init {:?} at {}: {e}", opts.role, root.display()))
}

/// The hostname the tests give a role: ts01.example or zs01.example.
pub fn host_of(role: Role) -> &'static str {
    match role {
        Role::TaniumServer => "ts01.example",
        Role::ZoneServer => "zs01.example",
    }
}

/// `init` of a root at `dir/name`, named after its role (`host_of`), now.
pub fn appliance_at(
    dir: &Path,
    name: &str,
    role: Role,
    platform: Platform,
    zone_hub: bool,
    tanium_pub: Option<String>,
) -> Appliance {
    let opts = InitOptions {
        tanium_pub,
        ..options(role, host_of(role), platform, zone_hub)
    };
    appliance(&dir.join(name), &opts, OffsetDateTime::now_utc())
}

/// A fresh scratch directory (`scratch(suite, prefix)`) holding one 7.3 appliance of `role`
/// without add-on at `dir/name`. Keep the directory for as long as the root is used.
pub fn scratch_appliance(
    suite: &str,
    prefix: &str,
    name: &str,
    role: Role,
) -> (tempfile::TempDir, Appliance) {
    let dir = scratch(suite, prefix);
    let app = appliance_at(dir.path(), name, role, Platform::V7_3, false, None);
    (dir, app)
}
