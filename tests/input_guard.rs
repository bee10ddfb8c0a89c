//! Issue 8, items 1, 15 and 16, driven through `update` as the console loop drives it: each
//! frame drawn is reported (`Msg::Drawn`), a read holding a paste comes after
//! `Msg::PasteBurst`, and `Msg::Quiet` says the terminal's input went quiet. Keys that came
//! with a paste, keys typed before a question was drawn and keys typed while the window is
//! too small answer nothing; messages are shown whole.

mod support;

use std::time::{Duration, Instant};

use support::ui::{console, render_at, typed};
use tanos_menu::appliance::{Platform, Role};
use tanos_menu::model::{
    Effect, Key, Model, Msg, QUIET_AFTER_PASTE, Screen, Settle, TransferFailure, TransferOp, update,
};
use tanos_menu::pki::csr::{CsrRequest, generate_csr};
use tanos_menu::pki::issue::KeyType;
use tanos_menu::transfer::sftp::{Peer, TransferError};

fn hub() -> Model {
    console(Role::TaniumServer, true, Platform::V7_3)
}

/// A frame drawn by the console loop.
fn frame(m: &mut Model) {
    assert!(update(m, Msg::Drawn).is_empty());
}

/// Keys typed one read at a time, each after the screen it answers was drawn.
fn step(m: &mut Model, keys: &str) -> Vec<Effect> {
    frame(m);
    typed(m, keys)
}

fn csr_pem() -> String {
    let request = CsrRequest {
        common_name: "zs01.example".into(),
        dns_names: vec!["zs01.example".into()],
        ips: Vec::new(),
        key_type: KeyType::EcdsaP256,
    };
    generate_csr(&request).expect("generate a CSR").csr_pem
}

fn flash(m: &Model) -> String {
    m.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default()
}

/// The hub at 2 › Z › 2 › 2, its paste dialog drawn.
fn at_csr_paste() -> Model {
    let mut m = hub();
    for key in ["2\n", "Z\n", "2\n", "2\n"] {
        assert!(step(&mut m, key).is_empty());
    }
    assert!(matches!(m.screen(), Screen::Paste(_)), "{:?}", m.screen());
    frame(&mut m);
    m
}

#[test]
fn settle_clock_waits_for_the_input_to_go_quiet() {
    let t0 = Instant::now();
    let mut settle = Settle::default();
    let key = Msg::Key(Key::Char('y'));
    // Keys alone, no paste: nothing held.
    assert_eq!(settle.read(std::slice::from_ref(&key), t0), None);
    assert_eq!(settle.idle(t0 + QUIET_AFTER_PASTE * 5), None);
    // A read with a paste holds; keys arriving later keep it holding.
    let read = [Msg::Paste("text".into()), key.clone()];
    assert_eq!(settle.read(&read, t0), Some(Msg::PasteBurst));
    let later = t0 + QUIET_AFTER_PASTE - Duration::from_millis(100);
    assert_eq!(settle.read(std::slice::from_ref(&key), later), None);
    assert_eq!(
        settle.idle(t0 + QUIET_AFTER_PASTE),
        None,
        "not quiet since the key"
    );
    assert_eq!(settle.idle(later + QUIET_AFTER_PASTE), Some(Msg::Quiet));
    assert_eq!(
        settle.idle(later + QUIET_AFTER_PASTE * 2),
        None,
        "told once"
    );
}

/// `2 › Z › 2 › 2` + a CSR whose paste ends early, followed by `\ry\r`: the hub issued a
/// certificate with no keystroke. The keys, in the paste's read and in later ones, are
/// ignored until the input is quiet; then the operator answers each question as drawn.
#[test]
fn keys_carried_by_a_paste_issue_nothing() {
    let mut m = at_csr_paste();
    assert!(update(&mut m, Msg::PasteBurst).is_empty());
    assert!(update(&mut m, Msg::Paste(csr_pem().replace('\n', "\r"))).is_empty());
    assert!(typed(&mut m, "\ny\n").is_empty(), "the paste's keys acted");
    assert!(matches!(m.screen(), Screen::Form(_)), "{:?}", m.screen());
    assert!(m.input.is_empty());
    let screen = render_at(&m, 80, 24);
    assert!(screen.contains("Reading the paste"), "{screen}");
    assert!(
        !screen.contains("Validity in days ["),
        "prompt shown early:\n{screen}"
    );
    // The tail of the paste on a slow link: a later read, the input not quiet yet.
    frame(&mut m);
    assert!(typed(&mut m, "\ny\n").is_empty());
    assert!(update(&mut m, Msg::Quiet).is_empty());
    assert!(
        flash(&m).contains("6 keys arrived with the paste"),
        "{}",
        flash(&m)
    );
    assert!(matches!(m.screen(), Screen::Form(_)), "{:?}", m.screen());
    // The prompt is drawn now: the operator's Enter takes the default validity.
    assert!(step(&mut m, "\n").is_empty());
    assert!(matches!(m.screen(), Screen::Confirm(_)), "{:?}", m.screen());
    // The y sent with that Enter, before "Issue it?" was drawn, answers nothing.
    assert!(typed(&mut m, "y\n").is_empty());
    assert!(
        flash(&m).contains("before this question appeared"),
        "{}",
        flash(&m)
    );
    assert!(matches!(m.screen(), Screen::Confirm(_)));
    let effects = step(&mut m, "y\n");
    assert!(
        matches!(effects.as_slice(), [Effect::IssueCert { .. }]),
        "{effects:?}"
    );
}

/// A paste that holds a fake end and a fake start of a paste: the second "paste" is text
/// for the prompt it lands on, never an answer; the keys after it are ignored.
#[test]
fn a_paste_inside_a_paste_answers_nothing() {
    let mut m = at_csr_paste();
    assert!(update(&mut m, Msg::PasteBurst).is_empty());
    assert!(update(&mut m, Msg::Paste(csr_pem())).is_empty());
    assert!(typed(&mut m, "\x03\x1bRR\nC\n3\n2\n3\n2\n").is_empty());
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+0oWQy8gFaRq7pOQo2kv x";
    assert!(update(&mut m, Msg::Paste(key.into())).is_empty());
    assert!(typed(&mut m, "y\n").is_empty());
    assert!(update(&mut m, Msg::Quiet).is_empty());
    assert!(matches!(m.screen(), Screen::Form(_)), "{:?}", m.screen());
    assert!(flash(&m).contains("ignored"), "{}", flash(&m));
}

/// A paste never answers a confirmation, settling or not: not even a pasted "y".
#[test]
fn a_paste_at_a_confirmation_is_ignored() {
    let mut m = hub();
    assert!(step(&mut m, "2\n").is_empty());
    assert!(step(&mut m, "R\n").is_empty());
    assert!(matches!(m.screen(), Screen::Confirm(_)), "{:?}", m.screen());
    frame(&mut m);
    assert!(update(&mut m, Msg::Paste("y".into())).is_empty());
    assert!(
        m.input.is_empty(),
        "the paste filled the answer: {:?}",
        m.input
    );
    assert!(
        flash(&m).contains("does not answer a confirmation"),
        "{}",
        flash(&m)
    );
    assert!(typed(&mut m, "\n").is_empty(), "Enter declines");
    assert!(!matches!(m.screen(), Screen::Confirm(_)));
}

/// Keys typed ahead in one read: the menu steps are taken, the answer to the confirmation
/// they open is not, as the confirmation was not drawn when it was typed.
#[test]
fn keys_typed_ahead_do_not_answer_a_new_confirmation() {
    let mut m = hub();
    frame(&mut m);
    assert!(
        typed(&mut m, "2\nR\ny\n").is_empty(),
        "typed ahead and acted"
    );
    assert!(matches!(m.screen(), Screen::Confirm(_)), "{:?}", m.screen());
    assert!(
        flash(&m).contains("before this question appeared"),
        "{}",
        flash(&m)
    );
    let effects = step(&mut m, "y\n");
    assert_eq!(effects, vec![Effect::RegenerateTls]);
}

/// Item 15: "Add this key? (y/n)" with the window shrunk below 80x24, `y` Enter added the
/// key. While "Terminal too small" is shown, no key acts, not even Esc.
#[test]
fn keys_on_a_hidden_screen_act_on_nothing() {
    for reported in [true, false] {
        let mut m = hub();
        assert!(step(&mut m, "2\n").is_empty());
        assert!(step(&mut m, "R\n").is_empty());
        let before = m.stack.clone();
        for size in [(79, 24), (80, 23), (20, 5)] {
            update(&mut m, Msg::Resize(size.0, size.1));
            if reported {
                frame(&mut m);
            }
            let screen = render_at(&m, size.0, size.1);
            assert!(screen.contains("Terminal too small"), "{screen}");
            assert!(typed(&mut m, "y\n").is_empty(), "a key acted at {size:?}");
            assert!(typed(&mut m, "\x1b\x03").is_empty());
            assert!(update(&mut m, Msg::Paste("y\r".into())).is_empty());
            assert_eq!(m.stack, before, "the hidden screen changed at {size:?}");
            assert!(m.input.is_empty());
        }
        update(&mut m, Msg::Resize(80, 24));
        assert!(
            flash(&m).contains("typed while the window was too small"),
            "{}",
            flash(&m)
        );
        assert_eq!(m.stack, before);
        let effects = step(&mut m, "y\n");
        assert_eq!(effects, vec![Effect::RegenerateTls], "reported {reported}");
    }
}

/// The screen with all white space taken out, to find a message whatever its wrapping.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn host_key_changed(m: &mut Model) -> String {
    let text = TransferError::HostKeyChanged {
        host: "ts01.datacenter-east.example.com".into(),
        fingerprint: "SHA256:Xq9dzBkwz0Q5wVOgXKpqsi1aSb2fU3Kj4cR8eW7hZnA".into(),
    }
    .to_string();
    let peer = Peer {
        host: "ts01.datacenter-east.example.com".into(),
        port: 22,
        user: "tancopy".into(),
    };
    update(
        m,
        Msg::Transferred {
            op: TransferOp::PullCertificate,
            peer,
            result: Err(TransferFailure::Failed(text.clone())),
        },
    );
    text
}

/// Item 16: the changed-host-key warning ended "… remove the old entry (C › 3 › tanadmin"
/// at 120 columns. It is shown whole at 80x24 and at 120 columns, with the screen's body.
#[test]
fn the_changed_host_key_warning_is_shown_whole() {
    for (w, h) in [(80, 24), (120, 24), (120, 40), (100, 30)] {
        let mut m = hub();
        update(&mut m, Msg::Resize(w, h));
        let text = host_key_changed(&mut m);
        let screen = render_at(&m, w, h);
        assert!(
            squeezed(&screen).contains(&squeezed(&text)),
            "cut at {w}x{h}:\n{screen}"
        );
        assert!(
            screen.contains("Tanium Status"),
            "the menu is gone:\n{screen}"
        );
    }
}

/// The longest messages (a long path in an OS error, a 1024-character value echoed back):
/// whole at 80x24 when they fit beside the body, read with PgUp/PgDn when longer than the
/// screen, the footer saying so.
#[test]
fn a_message_longer_than_the_screen_is_read_by_scrolling() {
    let path = format!("/srv/{}/settings.toml", "d".repeat(1800));
    let value = "9".repeat(1024);
    let long = format!(
        "cannot write {path}: No space left on device; nothing else was changed. The value '{value}' was not saved."
    );
    let mut m = hub();
    update(&mut m, Msg::Resize(80, 24));
    update(&mut m, Msg::Done(Err(long.clone())));
    let first = render_at(&m, 80, 24);
    assert!(first.contains("PgUp PgDn"), "{first}");
    let mut seen = squeezed(&first);
    for _ in 0..40 {
        update(&mut m, Msg::Key(Key::PageDown));
        seen.push_str(&squeezed(&render_at(&m, 80, 24)));
    }
    let whole = squeezed(&long);
    // Every piece of the message was on the screen at some point, in order.
    for piece in whole.as_bytes().chunks(60) {
        let piece = std::str::from_utf8(piece).expect("ascii");
        assert!(seen.contains(piece), "never shown: {piece}");
    }
    assert!(
        render_at(&m, 80, 24).contains("was not saved."),
        "the end is reached"
    );
    update(&mut m, Msg::Key(Key::Home));
    assert!(render_at(&m, 80, 24).contains("cannot write"));

    // A long message that fits is whole at once, and Enter clears it.
    let mut m = hub();
    let text = format!(
        "The value '{}' is out of range: 1 to 7305 days.",
        "9".repeat(700)
    );
    update(&mut m, Msg::Done(Err(text.clone())));
    let screen = render_at(&m, 80, 24);
    assert!(squeezed(&screen).contains(&squeezed(&text)), "{screen}");
    assert!(!screen.contains("PgUp PgDn"), "{screen}");
}

/// A terminal without bracketed paste sends a paste as typed keys: a CSR typed line by line
/// and then `\ry\r` in the same read. The CSR is taken (the dialog was drawn); the keys after
/// it reach questions not drawn yet and answer nothing.
#[test]
fn an_unbracketed_paste_carrying_answers_answers_nothing() {
    let mut m = at_csr_paste();
    let text = format!("{}\ny\n\n", csr_pem().trim_end());
    assert!(typed(&mut m, &text).is_empty(), "the typed tail acted");
    assert!(matches!(m.screen(), Screen::Form(_)), "{:?}", m.screen());
    assert!(
        flash(&m).contains("before this question appeared"),
        "{}",
        flash(&m)
    );
}

/// A paste at a menu carrying `X\r` does not end the console; its text stays visible at the
/// prompt once the paste has ended, for the operator to read.
#[test]
fn a_paste_at_a_menu_carrying_x_enter_does_not_exit() {
    let mut m = hub();
    frame(&mut m);
    assert!(update(&mut m, Msg::PasteBurst).is_empty());
    assert!(update(&mut m, Msg::Paste("X".into())).is_empty());
    assert!(typed(&mut m, "\n").is_empty());
    assert!(update(&mut m, Msg::Quiet).is_empty());
    assert!(!m.quit, "the console ended on a pasted X and its Enter");
    assert_eq!(m.input, "X", "what was pasted is shown");
    assert!(
        flash(&m).contains("1 key arrived with the paste"),
        "{}",
        flash(&m)
    );
}
