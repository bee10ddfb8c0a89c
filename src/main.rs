use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use tanos_menu::app::{NO_TERMINAL, NoTerminal};
use tanos_menu::cli::{self, Cli, Command};

/// An error and its causes on one line, each cause once (a message that already quotes its
/// cause is not followed by it again), escaped: the causes may quote a file.
fn error_text(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let cause = cause.to_string();
        if text.contains(&cause) {
            continue;
        }
        text = if text.is_empty() {
            cause
        } else {
            tanos_menu::say!("frame.about", what = text, reason = cause)
        };
    }
    cli::shown(&text)
}

/// The command line, parsed. A refused argument is reported escaped and plain: clap would
/// otherwise send the argument's own escape sequences to the terminal.
fn parse() -> Result<Cli, ExitCode> {
    use clap::error::ErrorKind;
    if let Ok(cli) = Cli::try_parse() {
        return Ok(cli);
    }
    // A value clap refuses is checked by our parsers: parsed again in the voice the command
    // would speak, they say why in it. Only a refused line pays for reading the appliance.
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    tanos_menu::texts::speak_as(tanos_menu::app::early_voice(&args));
    match Cli::try_parse() {
        Ok(cli) => Ok(cli),
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
            _ => {
                let text = tanos_menu::text::escape_text(&e.render().to_string());
                eprint!("{text}");
                Err(ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)))
            }
        },
    }
}

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    // A command speaks as the console would: `--lang`, else Configuration Settings › Console ›
    // Language of the appliance at `--root` (when one can be read), else the locale. The
    // console reads its appliance itself and speaks from what it read; until then, as the
    // flags and the locale say.
    let voice = match cli.command {
        Some(_) => tanos_menu::app::command_voice(&cli.root, cli.lang, cli.ascii),
        None => tanos_menu::app::flags_voice(cli.lang, cli.ascii),
    };
    tanos_menu::texts::speak_as(voice);
    match cli.command {
        None => match tanos_menu::app::run(cli.root, cli.ascii, cli.lang) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                // The terminal may be gone (a dropped session): writing must not panic on that.
                let _ = writeln!(std::io::stderr(), "tanos-menu: {}", error_text(&e));
                if e.downcast_ref::<NoTerminal>().is_some() {
                    ExitCode::from(NO_TERMINAL)
                } else {
                    ExitCode::FAILURE
                }
            }
        },
        Some(Command::Init(args)) => cli::run_init(&cli.root, args),
        Some(Command::Config(cmd)) => cli::run_config(&cli.root, cmd),
        Some(Command::Keyutility(cmd)) => cli::run_keyutility(cmd),
        Some(Command::Issued(cmd)) => cli::run_issued(&cli.root, cmd),
        Some(Command::RootKey(cmd)) => cli::run_root_key(&cli.root, cmd),
        Some(Command::RotateDue) => cli::run_rotate_due(&cli.root),
        Some(Command::TlsCheck { connect, name }) => cli::run_tls_check(&cli.root, connect, name),
        Some(Command::TlsListen { listen }) => cli::run_tls_listen(&cli.root, listen),
        Some(Command::Sshd {
            listen,
            user,
            check,
        }) => cli::run_sshd(&cli.root, listen, user, check),
    }
}
