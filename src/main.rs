use std::process::ExitCode;

use clap::Parser;
use tanos_menu::cli::{self, Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => match tanos_menu::app::run(cli.root) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("tanos-menu: {e:#}");
                ExitCode::FAILURE
            }
        },
        Some(Command::Init(args)) => cli::run_init(&cli.root, args),
        Some(Command::Config(cmd)) => cli::run_config(&cli.root, cmd),
        Some(Command::Keyutility(cmd)) => cli::run_keyutility(cmd),
        Some(Command::Sshd {
            listen,
            user,
            check,
        }) => cli::run_sshd(&cli.root, listen, user, check),
    }
}
