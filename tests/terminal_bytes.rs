//! Issue 12: the console in a real pseudo-terminal under `LANG=C`, `TERM=vt100` and
//! `NO_COLOR=1`, judged on the raw bytes it writes: in ASCII mode no byte >= 0x80 (names
//! that are not ASCII escaped), no 256-colour sequence unless the terminal has 256
//! colours, no colour sequence at all without colour.

mod support;

use std::path::Path;
use std::process::Command;

use support::pty::{BIN, Console};
use support::roots;
use tanos_menu::appliance::{Platform, Role};

fn scratch(test: &str) -> tempfile::TempDir {
    roots::scratch("terminal_bytes", &format!("{test}-"))
}

/// A Tanium Server with the hub add-on at `dir/name`, hostname ts01.example.
fn tanium_server(dir: &Path, name: &str) -> std::path::PathBuf {
    roots::appliance_at(dir, name, Role::TaniumServer, Platform::V7_3, true, None);
    dir.join(name)
}

/// The key paths walked in each terminal: menus, a list, Tanium Status, a paste dialog, a
/// message, the audit log view; then the root menu.
const TOUR: &[(&str, &str)] = &[
    ("1\r", "Hostname"),
    ("\r", "Tanium Operations"),
    ("2\r", "Configuration Settings"),
    ("2\r", "Choose a component"),
    ("1\r", "ReportingTLSMode"),
    ("RR\r", "Tanium Operations"),
    ("2\r", "Zone Server configuration"),
    ("Z\r", "Import Cert Request"),
    ("2\r", "Paste CSR text"),
    ("2\r", "Paste>"),
    ("\x1b", "Paste CSR text"),
    ("RR\r", "Audit log"),
    ("9\r", "is not an item of this menu"),
    ("A\r", "c copies"),
    ("RR\r", "Tanium Status"),
];

/// Opens the console on `root` with `args` and `env`, walks `TOUR`, exits; everything it
/// wrote, and the screens it showed on the way.
fn tour(root: &Path, args: &[&str], env: &[(&str, &str)]) -> (Vec<u8>, Vec<String>) {
    let mut console = Console::spawn_with("console", root, args, env);
    console.wait_for("Enter selection:");
    let mut screens = vec![console.screen()];
    for (keys, expect) in TOUR {
        console.send(keys);
        console.wait_for(expect);
        screens.push(console.screen());
    }
    let (code, _) = console.exit();
    assert_eq!(code, 0, "{}", console.dump());
    (console.raw.clone(), screens)
}

/// Where `bytes` holds a byte >= 0x80, with what surrounds it.
fn first_non_ascii(bytes: &[u8]) -> Option<String> {
    let at = bytes.iter().position(|b| *b >= 0x80)?;
    let from = at.saturating_sub(60);
    let to = (at + 20).min(bytes.len());
    Some(format!(
        "byte {:#04x} at {at}: {:?}",
        bytes[at],
        String::from_utf8_lossy(&bytes[from..to])
    ))
}

/// The parameters of every SGR sequence (`CSI … m`) in `bytes`.
fn sgr_sequences(bytes: &[u8]) -> Vec<Vec<u16>> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(at) = bytes[i..].windows(2).position(|w| w == b"\x1b[") {
        let start = i + at + 2;
        let end = bytes[start..]
            .iter()
            .position(|b| !(b.is_ascii_digit() || *b == b';' || *b == b':'))
            .map_or(bytes.len(), |n| start + n);
        if bytes.get(end) == Some(&b'm') {
            let params = String::from_utf8_lossy(&bytes[start..end]);
            out.push(
                params
                    .split([';', ':'])
                    .map(|p| p.parse().unwrap_or(0))
                    .collect(),
            );
        }
        i = end.max(start);
    }
    out
}

/// What the colour parameters of the SGR sequences in `bytes` ask for.
#[derive(Debug, Default, PartialEq, Eq)]
struct Colouring {
    /// 30–37, 40–47: the eight colours.
    eight: bool,
    /// 39, 49: the terminal's own colours again.
    defaults: bool,
    /// 90–97, 100–107: bright colours.
    bright: bool,
    /// 38;5 / 48;5 (256 colours) or 38;2 / 48;2.
    extended: bool,
    /// 7: reverse video.
    reverse: bool,
    /// 1: bold.
    bold: bool,
}

impl Colouring {
    fn of(bytes: &[u8]) -> Colouring {
        let mut c = Colouring::default();
        for params in sgr_sequences(bytes) {
            let mut p = params.iter();
            while let Some(&n) = p.next() {
                match n {
                    1 => c.bold = true,
                    7 => c.reverse = true,
                    30..=37 | 40..=47 => c.eight = true,
                    39 | 49 => c.defaults = true,
                    90..=97 | 100..=107 => c.bright = true,
                    38 | 48 => {
                        c.extended = true;
                        // The colour's own numbers are no parameters of their own.
                        match p.next() {
                            Some(5) => drop(p.next()),
                            Some(2) => drop(p.nth(2)),
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
        }
        c
    }

    fn any_colour(&self) -> bool {
        self.eight || self.defaults || self.bright || self.extended
    }
}

#[test]
fn the_reader_sees_each_kind_of_sgr() {
    let c = Colouring::of(b"\x1b[0;1;37;44mX\x1b[38;5;9m\x1b[?1049h\x1b[7m\x1b[39m");
    assert_eq!(
        c,
        Colouring {
            eight: true,
            defaults: true,
            bright: false,
            extended: true,
            reverse: true,
            bold: true,
        }
    );
    // 38;5;31 is one colour, not 31.
    let c = Colouring::of(b"\x1b[38;5;31m");
    assert!(c.extended && !c.eight);
    assert_eq!(
        Colouring::of(b"\x1b[0m\x1b[2J\x1b[1;1H"),
        Colouring::default()
    );
}

/// `LANG=C` (and `LC_ALL=C`): every byte the console writes is ASCII, from its first frame
/// to its exit, the highlighted item marked by ">" and reverse video.
#[test]
fn lang_c_writes_only_ascii() {
    let dir = scratch("lang-c");
    let root = tanium_server(dir.path(), "ts");
    for env in [
        &[("LANG", "C")][..],
        &[("LC_ALL", "C")][..],
        // LC_ALL before LANG.
        &[("LC_ALL", "POSIX"), ("LANG", "en_US.UTF-8")][..],
    ] {
        let (bytes, screens) = tour(&root, &[], env);
        if let Some(at) = first_non_ascii(&bytes) {
            panic!("{env:?}: {at}");
        }
        let first = &screens[0];
        assert!(first.contains(" >  1  Tanium Status"), "{first}");
        assert!(
            first.contains(" ts01.example | Tanium Server+Hub | 7.3"),
            "{first}"
        );
        assert!(first.contains("^v move"), "{first}");
        assert!(first.contains(&"-".repeat(80)), "{first}");
        assert!(
            screens
                .iter()
                .any(|s| s.contains("tanadmin > Tanium Operations > ")),
            "{env:?}: no ASCII trail"
        );
        assert!(Colouring::of(&bytes).reverse, "{env:?}: no reverse video");
    }
}

/// The same console under a UTF-8 locale draws its Unicode glyphs: the switch is the
/// locale's, and tests elsewhere see the console as before.
#[test]
fn a_utf8_locale_keeps_the_unicode_glyphs() {
    let dir = scratch("utf8");
    let root = tanium_server(dir.path(), "ts");
    let (bytes, screens) = tour(&root, &[], &[("LANG", "en_US.UTF-8")]);
    assert!(first_non_ascii(&bytes).is_some());
    assert!(
        screens[0].contains(" ▸  1  Tanium Status"),
        "{}",
        screens[0]
    );
    assert!(screens[0].contains("↑↓ move"), "{}", screens[0]);
}

/// A name from outside that is not ASCII (here the appliance root's own directory) is shown
/// escaped: the terminal still gets only ASCII.
#[test]
fn a_name_that_is_not_ascii_is_shown_escaped() {
    let dir = scratch("escaped");
    let root = tanium_server(dir.path(), "applianc\u{e9}-ts");
    let mut console = Console::spawn(&root, &[("LANG", "C")]);
    console.wait_for("Enter selection:");
    console.step("1", "Appliance root");
    // The path may continue on the next row: its end is what counts.
    assert!(
        console.screen().contains("applianc\\u{e9}-ts\n"),
        "{}",
        console.dump()
    );
    console.step("", "Enter selection:");
    let (code, _) = console.exit();
    assert_eq!(code, 0, "{}", console.dump());
    if let Some(at) = first_non_ascii(&console.raw) {
        panic!("{at}");
    }
}

/// `tanos-menu config set Glyphs WORD --component console`.
fn set_glyphs(root: &Path, word: &str) {
    let out = Command::new(BIN)
        .args([
            "config",
            "set",
            "Glyphs",
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

/// The root menu's first screen and every byte up to the exit.
fn root_menu(root: &Path, args: &[&str], env: &[(&str, &str)]) -> (String, Vec<u8>) {
    let mut console = Console::spawn_with("console", root, args, env);
    console.wait_for("Enter selection:");
    let screen = console.screen();
    let (code, _) = console.exit();
    assert_eq!(code, 0, "{}", console.dump());
    (screen, console.raw.clone())
}

/// `--ascii` and Configuration Settings › Console › Glyphs force either way.
#[test]
fn the_flag_and_the_setting_force_either_way() {
    let dir = scratch("forced");
    let root = tanium_server(dir.path(), "ts");
    let utf8 = [("LANG", "C.UTF-8")];
    let c = [("LANG", "C")];

    let (screen, bytes) = root_menu(&root, &["--ascii"], &utf8);
    assert!(
        screen.contains(" >  1  Tanium Status"),
        "--ascii:\n{screen}"
    );
    assert_eq!(first_non_ascii(&bytes), None, "--ascii");

    set_glyphs(&root, "unicode");
    let (screen, _) = root_menu(&root, &[], &c);
    assert!(
        screen.contains(" ▸  1  Tanium Status"),
        "unicode:\n{screen}"
    );
    // The flag wins over the setting.
    let (screen, bytes) = root_menu(&root, &["--ascii"], &c);
    assert!(screen.contains(" >  1  Tanium Status"), "{screen}");
    assert_eq!(first_non_ascii(&bytes), None, "--ascii over unicode");

    set_glyphs(&root, "ascii");
    let (screen, bytes) = root_menu(&root, &[], &utf8);
    assert!(screen.contains(" >  1  Tanium Status"), "ascii:\n{screen}");
    assert_eq!(first_non_ascii(&bytes), None, "Glyphs ascii");

    set_glyphs(&root, "auto");
    let (screen, _) = root_menu(&root, &[], &utf8);
    assert!(screen.contains(" ▸  1  Tanium Status"), "auto:\n{screen}");
}

/// `TERM` decides the colours: none for dumb and the DEC VTs, the eight for linux and
/// plain xterm or screen, 256 only for a terminal that says so.
#[test]
fn the_terminal_type_decides_the_colours() {
    let dir = scratch("term");
    let root = tanium_server(dir.path(), "ts");
    for (term, colorterm) in [
        ("vt100", ""),
        ("vt220", ""),
        ("dumb", ""),
        // A COLORTERM passed along does not make a VT100 a colour terminal.
        ("vt100", "truecolor"),
        ("linux", ""),
        ("xterm", ""),
        ("screen", ""),
        ("xterm-256color", ""),
        ("screen", "truecolor"),
    ] {
        let (bytes, _) = tour(&root, &[], &[("TERM", term), ("COLORTERM", colorterm)]);
        let c = Colouring::of(&bytes);
        let what = format!("TERM={term} COLORTERM={colorterm}: {c:?}");
        let many = term.ends_with("256color") || !colorterm.is_empty();
        match term {
            "vt100" | "vt220" | "dumb" => {
                assert!(!c.any_colour(), "{what}");
                assert!(c.reverse && c.bold, "{what}: the highlight shows");
            }
            _ if many => assert!(c.extended, "{what}"),
            _ => {
                assert!(c.eight && !c.extended && !c.bright, "{what}");
                let raw = String::from_utf8_lossy(&bytes);
                assert!(!raw.contains("38;5;") && !raw.contains("48;5;"), "{what}");
            }
        }
    }
}

/// `NO_COLOR=1`: no colour sequence at all, even on a 256-colour terminal; the highlighted
/// item and the header and footer bars in reverse video.
#[test]
fn no_color_means_no_colour_at_all() {
    let dir = scratch("no-color");
    let root = tanium_server(dir.path(), "ts");
    let env = [
        ("NO_COLOR", "1"),
        ("TERM", "xterm-256color"),
        ("COLORTERM", "truecolor"),
    ];
    let (bytes, screens) = tour(&root, &[], &env);
    let c = Colouring::of(&bytes);
    assert!(!c.any_colour(), "{c:?}");
    assert!(c.reverse && c.bold, "{c:?}");
    let raw = String::from_utf8_lossy(&bytes);
    assert!(!raw.contains("38;5;") && !raw.contains("48;5;"));
    // Only the colours go: the glyphs are the locale's.
    assert!(
        screens[0].contains(" ▸  1  Tanium Status"),
        "{}",
        screens[0]
    );
}
