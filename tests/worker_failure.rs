//! A step that fails inside the console's worker (a panic, injected with
//! `TANOS_FAULT=worker-panic`) ends the busy state with a message, leaves the terminal as
//! the console holds it, and the console stays answerable: driven in a real pseudo-terminal.

mod support;

use std::time::Duration;

use support::faults::{after_last, appliance, contains, scratch, text};
use support::pty::Console;
use tanos_menu::appliance::{Layout, Role};

/// The screen with its rows joined by spaces and runs of blanks made one: a message the
/// console wrapped reads as one sentence.
fn flat(screen: &str) -> String {
    screen.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Waits until the screen, flattened, holds `needle`; fails with the screen after `timeout`.
fn wait_flat(console: &mut Console, needle: &str, timeout: Duration) -> String {
    console.wait_screen_within(&format!("{needle:?} (flattened)"), timeout, |s| {
        flat(s).contains(needle)
    });
    console.screen()
}

#[test]
fn a_failing_step_ends_busy_with_a_message_and_the_console_answers() {
    let dir = scratch("worker-failure");
    let ts = appliance(dir.path(), "ts", Role::TaniumServer, true, None);
    let before = std::fs::read(ts.path(Layout::SETTINGS)).expect("settings.toml");
    let mut console = Console::spawn(&ts.root, &[("TANOS_FAULT", "worker-panic")]);
    console.wait_shown_within("Enter selection", Duration::from_secs(20));
    let drawn = console.bytes().len();
    // Tanium Operations › Zone Server configuration › Issued certificates.
    console.send(b"2\r");
    console.wait_shown_within("Zone Server", Duration::from_secs(20));
    console.send(b"Z\r");
    console.wait_shown_within("Issued certificates", Duration::from_secs(20));
    console.send(b"7\r");
    let screen = wait_flat(
        &mut console,
        "stopped on an internal error",
        Duration::from_secs(30),
    );

    let shown = flat(&screen);
    assert!(
        !shown.contains("Reading the issued"),
        "still busy:\n{screen}"
    );
    // The panic text holds an escape sequence: it is shown escaped, never sent.
    assert!(shown.contains("\\e[31m"), "{screen}");
    let after = console.bytes();
    assert!(
        !contains(&after[drawn..], b"\x1b[31m);"),
        "the raw sequence reached the terminal"
    );
    assert!(
        !contains(&after[drawn..], b"\x1b[?1049l"),
        "the worker's failure left the alternate screen: {}",
        text(&after[drawn..])
    );
    assert!(
        !console.cooked(),
        "the worker's failure restored cooked mode"
    );
    // Still answerable: back to the root menu, then exit.
    console.send(b"RR\r");
    console.wait_shown_within("1  Tanium Status", Duration::from_secs(20));
    console.send(b"X\r");
    let code = console.exit_code(Duration::from_secs(30));
    let out = console.bytes();
    assert_eq!(code, 0, "{}", text(after_last(&out, b"\x1b[?1049l")));
    assert!(console.cooked(), "the terminal was left in raw mode");
    let log = std::fs::read_to_string(ts.path("log/console.log")).expect("the crash log");
    assert!(log.contains("worker-panic"), "{log}");
    assert!(
        !log.contains('\x1b'),
        "the crash log holds a raw escape: {log:?}"
    );
    assert_eq!(
        std::fs::read(ts.path(Layout::SETTINGS)).expect("settings.toml"),
        before
    );
}

#[test]
fn a_hostile_issued_record_is_listed_and_the_console_answers() {
    let dir = scratch("worker-issued");
    let ts = appliance(dir.path(), "ts", Role::TaniumServer, true, None);
    let record = "{\"time\":\"t\",\"serial\":\"0a\",\"subject\":\"CN=x\\u001b]0;PWNED\\u0007\",\"not_after\":\"2027-01-0\u{e9}1\",\"key_fingerprint\":\"f\"}\n{broken\n";
    std::fs::write(ts.path("tanium/issued.jsonl"), record).expect("write issued.jsonl");
    let mut console = Console::spawn(&ts.root, &[]);
    console.wait_shown_within("Enter selection", Duration::from_secs(20));
    console.send(b"2\r");
    console.wait_shown_within("Zone Server", Duration::from_secs(20));
    console.send(b"Z\r");
    console.wait_shown_within("Issued certificates", Duration::from_secs(20));
    console.send(b"7\r");
    let screen = wait_flat(&mut console, "1 certificate(s)", Duration::from_secs(30));
    let shown = flat(&screen);
    assert!(shown.contains("CN=x\\e]0;PWNED\\x07"), "{screen}");
    assert!(shown.contains("until 2027-01-0\u{e9}"), "{screen}");
    assert!(shown.contains("1 line(s)"), "{screen}");
    assert!(
        !contains(&console.bytes(), b"PWNED\x07"),
        "the raw title sequence was sent"
    );
    console.send(b"RR\r");
    console.wait_shown_within("1  Tanium Status", Duration::from_secs(20));
    console.send(b"X\r");
    assert_eq!(console.exit_code(Duration::from_secs(30)), 0);
}

#[test]
fn a_crash_message_is_printed_escaped() {
    let dir = scratch("crash-escape");
    let ts = appliance(dir.path(), "ts", Role::TaniumServer, true, None);
    let mut console = Console::spawn(&ts.root, &[("TANOS_FAULT", "panic-escape")]);
    let code = console.exit_code(Duration::from_secs(30));
    let out = console.bytes();
    assert_ne!(code, 0, "{}", text(&out));
    let restored = after_last(&out, b"\x1b[?1049l");
    assert!(
        restored.len() < out.len(),
        "the alternate screen was not left"
    );
    let message = text(restored);
    assert!(
        message.contains("stopped on an internal error"),
        "{message:?}"
    );
    assert!(message.contains("\\e]0;PWNED\\x07"), "{message:?}");
    assert!(!contains(restored, b"\x1b]0;PWNED"), "{message:?}");
    assert!(!contains(restored, b"\x07"), "{message:?}");
    assert!(console.cooked(), "the terminal was left in raw mode");
}
