//! Issue 12, the language chosen at start, in a real pseudo-terminal: `--lang`, else the
//! locale's messages (`LC_ALL`, `LC_MESSAGES`, `LANG`), else Configuration Settings ›
//! Console › Language; French accents transliterated when the locale is not UTF-8.

mod support;

use std::path::Path;
use std::process::Command;

use support::pty::{BIN, Console};
use support::roots;
use tanos_menu::appliance::{Platform, Role};

fn tanium_server(test: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = roots::scratch("french_pty", &format!("{test}-"));
    roots::appliance_at(
        dir.path(),
        "ts",
        Role::TaniumServer,
        Platform::V7_3,
        true,
        None,
    );
    let root = dir.path().join("ts");
    (dir, root)
}

/// The first screen of the console opened with `args` and `env`, once `prompt` shows; and
/// every byte written up to the exit (`X`, the same key in every language).
fn first_screen(
    root: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    prompt: &str,
) -> (String, Vec<u8>) {
    let mut console = Console::spawn_with("console", root, args, env);
    console.wait_for(prompt);
    let screen = console.screen();
    let (code, _) = console.exit();
    assert_eq!(code, 0, "{}", console.dump());
    (screen, console.raw.clone())
}

fn set_language(root: &Path, word: &str) {
    let out = Command::new(BIN)
        .args([
            "config",
            "set",
            "Language",
            word,
            "--component",
            "console",
            "--root",
        ])
        .arg(root)
        .env_remove("TANOS_ROOT")
        .output()
        .expect("run tanos-menu config set");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_flag_the_locale_and_the_setting_choose_french() {
    let (_dir, root) = tanium_server("choose");
    for (args, env) in [
        (&["--lang", "fr"][..], &[][..]),
        (&[][..], &[("LANG", "fr_FR.UTF-8")][..]),
        (&[][..], &[("LC_MESSAGES", "fr_CA.UTF-8")][..]),
    ] {
        let (screen, _) = first_screen(&root, args, env, "Votre choix :");
        assert!(
            screen.contains("Opérations Tanium"),
            "{args:?} {env:?}:\n{screen}"
        );
    }
    // The flag wins over the locale; LC_ALL over LANG.
    let (screen, _) = first_screen(
        &root,
        &["--lang", "en"],
        &[("LANG", "fr_FR.UTF-8")],
        "Enter selection:",
    );
    assert!(screen.contains("Tanium Operations"), "{screen}");
    let (screen, _) = first_screen(
        &root,
        &[],
        &[("LC_ALL", "en_US.UTF-8"), ("LANG", "fr_FR.UTF-8")],
        "Enter selection:",
    );
    assert!(screen.contains("Tanium Operations"), "{screen}");

    set_language(&root, "fr");
    let (screen, _) = first_screen(&root, &[], &[], "Votre choix :");
    assert!(
        screen.contains("Administration des utilisateurs"),
        "{screen}"
    );
    let (screen, _) = first_screen(&root, &["--lang", "en"], &[], "Enter selection:");
    assert!(screen.contains("User Administration"), "{screen}");
}

#[test]
fn french_on_a_latin1_terminal_writes_only_ascii() {
    let (_dir, root) = tanium_server("latin1");
    let (screen, bytes) =
        first_screen(&root, &[], &[("LANG", "fr_FR.ISO-8859-1")], "Votre choix :");
    assert!(screen.contains("Operations Tanium"), "{screen}");
    assert!(screen.contains("Journal d'audit"), "{screen}");
    assert_eq!(bytes.iter().find(|b| **b >= 0x80), None, "{screen}");
}
