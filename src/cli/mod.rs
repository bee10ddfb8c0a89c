//! The command line (SPEC §5, §4.6): the same domain functions the menus call.

mod issued;
mod roots;
mod tls_check;
mod tools;

pub use roots::{run_root_key, run_rotate_due};
pub use tls_check::{Endpoint, run_tls_check, run_tls_listen};
pub use tools::{run_keyutility, run_sshd};

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use time::OffsetDateTime;

use crate::appliance::catalogue::{self, Component, SettingError};
use crate::appliance::init::{self, InitError, InitOptions};
use crate::appliance::settings::{self, Settings, SettingsError};
use crate::appliance::{Appliance, Platform, Role};
use crate::pki::KeyType;
use crate::text::{escape, escape_path, escape_text};

#[derive(Debug, Parser)]
#[command(
    name = "tanos-menu",
    version,
    about = "TanOS console for Tanium Server and Zone Server appliances"
)]
pub struct Cli {
    /// Appliance root directory.
    #[arg(long, global = true, env = "TANOS_ROOT", default_value = "appliance")]
    pub root: PathBuf,
    /// Draw the console in ASCII whatever the locale (default: ASCII unless the locale is
    /// UTF-8, or as Configuration Settings › Console › Glyphs says).
    #[arg(long, global = true)]
    pub ascii: bool,
    /// The console's language, `en` or `fr` (default: French when the locale's messages
    /// are, from `LC_ALL`, `LC_MESSAGES`, `LANG`; English otherwise).
    #[arg(long, global = true, value_parser = parse_lang)]
    pub lang: Option<crate::texts::Lang>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

fn parse_lang(word: &str) -> Result<crate::texts::Lang, String> {
    crate::texts::Lang::from_word(word).ok_or_else(|| "en or fr".to_string())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new appliance root (SPEC §6 layout, keys and default settings).
    Init(InitArgs),
    /// Read and change Configuration Settings, with the console's validation.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Run OpenSSH's sshd in the foreground, serving this appliance's transfer area over SFTP.
    Sshd {
        /// Address and port to listen on.
        #[arg(long, value_name = "ADDR:PORT")]
        listen: std::net::SocketAddr,
        /// Account peers log in as (default: tancopy); never root, and it must exist.
        #[arg(long)]
        user: Option<String>,
        /// Write and check the configuration, then exit without serving.
        #[arg(long)]
        check: bool,
    },
    /// The seed's KeyUtility: reporting TLS key, CSR and certificate files.
    #[command(subcommand)]
    Keyutility(KeyutilityCommand),
    /// The issuance ledger of a Tanium Server with the Zone Server Hub add-on.
    #[command(subcommand)]
    Issued(IssuedCommand),
    /// The Tanium Server's root keys: list, add a new signing one, revoke a trusted one.
    #[command(subcommand)]
    RootKey(RootKeyCommand),
    /// Rotates the Tanium Server's own TLS key when ReportingTLSKeyRotationDays says it is
    /// due (7.4 and later; for a timer): exit 0 with what was done, or "nothing due".
    RotateDue,
    /// TLS self-test of the installed certificate, or a probe of a peer, under the seed's
    /// policy (TLS 1.2 or later, its ten suites); exit 0 passed, 1 failed, 2 usage.
    TlsCheck {
        /// Probe this peer instead of testing the installed certificate.
        #[arg(long, value_name = "HOST:PORT", value_parser = tls_check::parse_endpoint)]
        connect: Option<Endpoint>,
        /// The name the peer's certificate must carry (default: the HOST of --connect).
        #[arg(long, value_name = "NAME", requires = "connect", value_parser = tls_check::parse_name)]
        name: Option<String>,
    },
    /// Serve the installed certificate under the same policy, in the foreground, until
    /// SIGTERM or SIGINT.
    TlsListen {
        /// Address and port to listen on.
        #[arg(long, value_name = "ADDR:PORT")]
        listen: std::net::SocketAddr,
    },
}

#[derive(Debug, Subcommand)]
pub enum RootKeyCommand {
    /// Every root key with its state and how many valid certificates it signs.
    List,
    /// A new signing root key; the server's own TLS key and certificate follow it.
    Add {
        /// Confirm, after reading what it does.
        #[arg(long)]
        yes: bool,
    },
    /// Revoke a trusted root key (never the signing one), by its SHA256: fingerprint.
    Revoke {
        fingerprint: String,
        /// Confirm, after reading what it still signs.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum IssuedCommand {
    /// Every certificate signed with this appliance's root key, newest first, with its
    /// state (valid, expiring, expired, superseded).
    List {
        /// One JSON array of records, each with its "state".
        #[arg(long)]
        json: bool,
        /// Only the certificates that end within DAYS (the newest of each name).
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(i64).range(0..=36500))]
        expiring: Option<i64>,
    },
}

/// `issued list`.
pub fn run_issued(root: &Path, cmd: IssuedCommand) -> ExitCode {
    match cmd {
        IssuedCommand::List { json, expiring } => issued::run(root, json, expiring),
    }
}

#[derive(Debug, Subcommand)]
pub enum KeyutilityCommand {
    /// Generate a private key and a certificate signing request.
    #[command(
        override_usage = "tanos-menu keyutility reporting-tls-request [<reporting.pvk>] [<out>]"
    )]
    ReportingTlsRequest {
        /// Private key to write.
        #[arg(value_name = "reporting.pvk", default_value = "reporting.pvk")]
        key: PathBuf,
        /// CSR to write.
        #[arg(value_name = "out", default_value = "reporting.csr")]
        out: PathBuf,
        /// Common name (default: this machine's name).
        #[arg(long)]
        common_name: Option<String>,
        /// Extra DNS name (repeatable).
        #[arg(long = "dns")]
        dns_names: Vec<String>,
        /// Extra IP address (repeatable).
        #[arg(long = "ip")]
        ips: Vec<std::net::IpAddr>,
        /// p256 (default), p384, rsa2048, rsa3072 or rsa4096.
        #[arg(long, default_value = "p256", value_parser = parse_key_type)]
        key_type: KeyType,
        /// Replace existing files.
        #[arg(long)]
        force: bool,
    },
    /// Issue a reporting TLS certificate.
    #[command(
        override_usage = "tanos-menu keyutility reporting-tls-issue <reporting.csr> <out> [<tanium.pvk>]"
    )]
    ReportingTlsIssue {
        #[arg(value_name = "reporting.csr")]
        csr_arg: Option<PathBuf>,
        #[arg(value_name = "out")]
        out_arg: Option<PathBuf>,
        #[arg(value_name = "tanium.pvk")]
        root_key_arg: Option<PathBuf>,
        /// Path to tanium root private key
        #[arg(long, value_name = "arg", default_value = "tanium.pvk")]
        root_key: PathBuf,
        /// Path to certificate signing request to issue a certificate for
        #[arg(long, value_name = "arg", default_value = "reporting.csr")]
        csr: PathBuf,
        /// Output path for generated certificate.
        #[arg(short = 'o', long, value_name = "arg", default_value = "reporting.crt")]
        out: PathBuf,
        /// Certificate expiration in days
        #[arg(long, value_name = "arg", default_value_t = 3650, value_parser = tools::parse_expiration)]
        expiration: i64,
        /// Replace an existing output file.
        #[arg(long)]
        force: bool,
    },
}

fn parse_key_type(s: &str) -> Result<KeyType, String> {
    KeyType::parse(s).ok_or_else(|| crate::say!("cli.args.not_a_key_type", value = escape(s)))
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    TaniumServer,
    ZoneServer,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// Hostname of the appliance (default: this machine's name).
    #[arg(long)]
    pub hostname: Option<String>,
    /// Install the Zone Server Hub add-on (Tanium Server only).
    #[arg(long)]
    pub zone_hub: bool,
    /// Tanium Core Platform version: 7.2, 7.3 or 7.4 (7.4 and later).
    #[arg(long, default_value = "7.3", value_parser = parse_platform)]
    pub platform: Platform,
    /// The Tanium Server's root public key (tanium.pub) to trust (Zone Server only).
    #[arg(long, value_name = "FILE")]
    pub tanium_pub: Option<PathBuf>,
}

fn parse_platform(s: &str) -> Result<Platform, String> {
    Platform::parse(s).ok_or_else(|| crate::say!("cli.args.not_a_platform", value = escape(s)))
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// List the settings of every component of this appliance.
    List {
        #[arg(long)]
        component: Option<String>,
    },
    /// Print one setting's value.
    Get {
        name: String,
        #[arg(long)]
        component: Option<String>,
    },
    /// Change one setting; risky values need --yes after reading the warning.
    Set {
        name: String,
        value: String,
        #[arg(long)]
        component: Option<String>,
        /// Confirm a value the vendor warns about.
        #[arg(long)]
        yes: bool,
    },
}

/// Exit code of a refused request (bad value, existing appliance): nothing was changed.
pub(crate) const REFUSED: u8 = 2;

/// Prints a refusal or failure on stderr, escaped (it may quote a file, a CSR or an
/// argument), and returns its exit code.
pub(crate) fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    warn(message);
    ExitCode::from(code)
}

/// One message on stderr, with every control or invisible character in a visible form.
pub(crate) fn warn(message: impl std::fmt::Display) {
    eprintln!("tanos-menu: {}", shown(&message.to_string()));
}

/// A line as the command line writes it: the system's reasons in it in the operator's
/// language, every control or invisible character in a visible form; in ASCII (`--ascii`,
/// a locale that is not UTF-8) every other character in its ASCII form or escaped, as the
/// console draws it.
pub fn shown(text: &str) -> String {
    let voice = crate::texts::voice();
    let text = escape_text(&crate::texts::os_errors(voice, text));
    if voice.ascii {
        crate::termcaps::Glyphs::Ascii.show(&text).into_owned()
    } else {
        text
    }
}

/// One line of output on stdout, escaped: what the command line prints may come from a file.
/// A reader that went away (`| head`) ends nothing here: the line is dropped.
pub(crate) fn tell(line: impl std::fmt::Display) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "{}", shown(&line.to_string()));
}

pub fn run_init(root: &Path, args: InitArgs) -> ExitCode {
    let tanium_pub = match &args.tanium_pub {
        Some(path) => match crate::fsutil::read_text(path, crate::fsutil::LIMIT_PEM) {
            Ok(text) => Some(text),
            Err(e) => {
                let what = format!("--tanium-pub {}", escape_path(path));
                return fail(REFUSED, crate::say!("frame.about", what = what, reason = e));
            }
        },
        None => None,
    };
    let opts = InitOptions {
        role: match args.role {
            RoleArg::TaniumServer => Role::TaniumServer,
            RoleArg::ZoneServer => Role::ZoneServer,
        },
        hostname: args.hostname.unwrap_or_else(crate::app::machine_hostname),
        platform: args.platform,
        zone_hub: args.zone_hub,
        tanium_pub,
    };
    match init::init(root, &opts, OffsetDateTime::now_utc()) {
        Ok(app) => {
            let snapshot = crate::appliance::status::snapshot(&app, OffsetDateTime::now_utc());
            tell(crate::say!(
                "cli.init.created",
                role = app.config.role_label(),
                hostname = escape(&app.config.hostname),
                platform = app.config.platform,
                root = escape_path(root),
            ));
            if let Some(Ok(fp)) = &snapshot.root_fingerprint {
                tell(crate::say!("cli.init.root_key", fingerprint = fp));
            }
            if let Some((_, fp)) = snapshot.users.first().and_then(|u| u.key.as_ref()) {
                tell(crate::say!("cli.init.ssh_key", fingerprint = fp));
            }
            ExitCode::SUCCESS
        }
        Err(e @ InitError::Io { .. })
        | Err(e @ InitError::Pki(_))
        | Err(e @ InitError::SshKey(_)) => fail(1, e),
        Err(e) => fail(REFUSED, e),
    }
}

fn component_arg(
    app: &Appliance,
    given: Option<&str>,
    name: &str,
) -> Result<Component, SettingError> {
    match given {
        Some(text) => {
            Component::parse(text).ok_or_else(|| SettingError::UnknownComponent(escape(text)))
        }
        None => catalogue::resolve_component(&app.config, name),
    }
}

pub fn run_config(root: &Path, cmd: ConfigCommand) -> ExitCode {
    let app = match Appliance::open(root) {
        Ok(app) => app,
        Err(e) => return fail(1, e),
    };
    match cmd {
        ConfigCommand::List { component } => config_list(&app, component.as_deref()),
        ConfigCommand::Get { name, component } => config_get(&app, &name, component.as_deref()),
        ConfigCommand::Set {
            name,
            value,
            component,
            yes,
        } => config_set(&app, &name, &value, component.as_deref(), yes),
    }
}

/// `config list`: every catalogue setting of the appliance's components, set or default.
fn config_list(app: &Appliance, component: Option<&str>) -> ExitCode {
    let settings = match Settings::load(app) {
        Ok(s) => s,
        Err(e) => return fail(1, e),
    };
    let only = match component.map(|c| Component::parse(c).ok_or(c)) {
        Some(Err(c)) => return fail(REFUSED, SettingError::UnknownComponent(escape(c))),
        Some(Ok(c)) => Some(c),
        None => None,
    };
    for c in Component::for_appliance(&app.config)
        .into_iter()
        .filter(|c| only.is_none_or(|o| o == *c))
    {
        tell(format!("[{}] {}", c.id(), c.title(crate::texts::voice())));
        for def in catalogue::defs_for(&app.config, c) {
            match settings.get(c, def.name) {
                Some(v) => tell(format!("  {} = {}", def.name, escape(&v.to_string()))),
                None => match catalogue::default_value(&app.config, c, def) {
                    Some(d) => tell(crate::say!(
                        "cli.config.not_set_default",
                        name = def.name,
                        default = d
                    )),
                    None => tell(crate::say!("cli.config.not_set", name = def.name)),
                },
            }
        }
    }
    ExitCode::SUCCESS
}

/// `config get NAME`: the value set, or why there is none.
fn config_get(app: &Appliance, name: &str, component: Option<&str>) -> ExitCode {
    let component = match component_arg(app, component, name) {
        Ok(c) => c,
        Err(e) => return fail(REFUSED, e),
    };
    let def = match catalogue::lookup(&app.config, component, name) {
        Ok(def) => def,
        Err(e) => return fail(REFUSED, e),
    };
    match Settings::load(app).map(|s| s.get(component, def.name).cloned()) {
        Ok(Some(v)) => {
            tell(escape(&v.to_string()));
            ExitCode::SUCCESS
        }
        Ok(None) => fail(
            1,
            crate::say!(
                "cli.config.get_not_set",
                name = def.name,
                component = component
            ),
        ),
        Err(e) => fail(1, e),
    }
}

/// What `config set` did: the new value, and the one it replaced.
fn set_done(change: &settings::Change) -> String {
    let value = escape(&change.new.to_string());
    let (name, component) = (&change.name, change.component.id());
    match &change.old {
        Some(was) => crate::say!(
            "cli.config.set_done",
            name = name,
            value = value,
            component = component,
            was = escape(&was.to_string()),
        ),
        None => crate::say!(
            "cli.config.set_done_unset",
            name = name,
            value = value,
            component = component,
        ),
    }
}

/// `config set NAME VALUE`: validated exactly as the menu validates, `--yes` for a warning.
fn config_set(
    app: &Appliance,
    name: &str,
    value: &str,
    component: Option<&str>,
    yes: bool,
) -> ExitCode {
    let component = match component_arg(app, component, name) {
        Ok(c) => c,
        Err(e) => return fail(REFUSED, e),
    };
    match settings::set(app, component, name, value, yes) {
        Ok(change) => {
            tell(set_done(&change));
            if let Some(e) = change.audit_error {
                warn(e);
            }
            ExitCode::SUCCESS
        }
        Err(e @ (SettingsError::Setting(_) | SettingsError::NeedsConfirmation { .. })) => {
            fail(REFUSED, e)
        }
        Err(e) => fail(1, e),
    }
}
