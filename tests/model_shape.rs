//! The shape of the console model (issue 9): its files import one way, every screen's page
//! is the height drawn, and cancelling is an effect.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use support::ui::*;
use tanos_menu::appliance::{Platform, Role};
use tanos_menu::model::{Confirm, Effect, Flash, Key, Msg, Screen, Start, update};

/// The sibling files a model file takes names from: `super::name` and `super::{.., name}`.
fn siblings_used(source: &str, files: &BTreeSet<String>) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for (i, _) in source.match_indices("super::") {
        let rest = &source[i + "super::".len()..];
        let group = if let Some(inner) = rest.strip_prefix('{') {
            &inner[..inner.find('}').unwrap_or(inner.len())]
        } else {
            &rest[..rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(0)]
        };
        for word in group.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            if files.contains(word) {
                used.insert(word.to_string());
            }
        }
    }
    used
}

/// A file of `graph` that reaches itself again, if any.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn walk(
        at: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == at) {
            return Some(path[i..].to_vec());
        }
        if !done.insert(at.to_string()) {
            return None;
        }
        path.push(at.to_string());
        for next in graph.get(at).into_iter().flatten() {
            if let Some(found) = walk(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|start| walk(start, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_model_file_imports_one_that_imports_it_back() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model");
    let mut sources = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("src/model") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        if name != "mod" && path.extension().is_some_and(|e| e == "rs") {
            sources.insert(name, std::fs::read_to_string(&path).expect("source"));
        }
    }
    assert!(sources.len() > 8, "{:?}", sources.keys());
    let files: BTreeSet<String> = sources.keys().cloned().collect();
    let graph: BTreeMap<String, BTreeSet<String>> = sources
        .iter()
        .map(|(name, source)| (name.clone(), siblings_used(source, &files)))
        .collect();
    assert!(graph["update"].contains("tls"), "the reader sees imports");
    assert_eq!(circle(&graph), None, "{graph:#?}");
    // The reader itself finds a circle when there is one.
    let mut looped = graph.clone();
    looped.get_mut("tls").expect("tls").insert("update".into());
    assert!(circle(&looped).is_some());
}

/// A message of three rows takes two rows from a confirmation's body: End still shows its
/// last line, as the screen draws it (the model pages by the height drawn).
#[test]
fn a_long_confirmation_ends_on_its_last_line_under_a_long_message() {
    let mut m = console(Role::ZoneServer, false, Platform::V7_3);
    let names: Vec<String> = (0..60)
        .map(|i| format!("node-{i:02}.zone.example"))
        .collect();
    let confirm = Confirm {
        title: "Long".into(),
        warning: names.join("\n"),
        question: "Go ahead?".into(),
        on_yes: Start::new("Loading…", Effect::Load),
    };
    m.stack.push(Screen::Confirm(confirm));
    m.flash = Some(Flash {
        error: false,
        text: "word ".repeat(40),
        scroll: 0,
    });
    assert_eq!(m.message_lines().len(), 3, "{:?}", m.message_lines());
    update(&mut m, Msg::Key(Key::End));
    let screen = render(&m);
    assert!(
        screen.contains("Type y and Enter to go ahead; anything else declines."),
        "{screen}"
    );
    assert!(screen.contains("lines above"), "{screen}");
}

/// Esc during a key generation hands the loop one effect: cancelling, nothing else.
#[test]
fn esc_during_a_key_generation_is_the_cancel_effect() {
    let mut m = console(Role::ZoneServer, false, Platform::V7_3);
    let effects = typed(&mut m, "2\nZ\n1\n\n\n\n3\n");
    assert!(
        matches!(effects.as_slice(), [Effect::GenerateCsr(_)]),
        "{effects:?}"
    );
    assert!(m.cancellable);
    assert_eq!(update(&mut m, Msg::Key(Key::Esc)), vec![Effect::Cancel]);
    // Esc with nothing running cancels nothing.
    assert_eq!(update(&mut m, Msg::Key(Key::Esc)), Vec::new());
    assert!(!update(&mut m, Msg::Key(Key::Esc)).contains(&Effect::Cancel));
}

/// The goodbye and internal-error sentences are the model's: the console loop only picks
/// which one, and writes no operator prose of its own.
#[test]
fn the_console_loop_writes_no_operator_sentence() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("src/app") {
        let path = entry.expect("entry").path();
        let app = std::fs::read_to_string(&path).expect("read");
        files += 1;
        let code: String = app
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for prose in [
            "The session ended",
            "The terminal closed",
            "Logged out after",
            "internal error",
            "half-written",
            "could not be written",
        ] {
            assert!(!code.contains(prose), "{} writes {prose:?}", path.display());
        }
    }
    assert!(files >= 3, "the console loop's files: {files}");
    use tanos_menu::model::{Ended, console_panicked, step_panicked};
    assert_eq!(
        Ended::IdleTimeout { secs: 10 }.to_string(),
        "Logged out after 10 seconds without a key press (IdleTimeoutSeconds)."
    );
    assert_eq!(
        Ended::Signalled.to_string(),
        "The session ended (hang-up or termination signal)."
    );
    assert_eq!(
        Ended::TerminalClosed.to_string(),
        "The terminal closed (the SSH session dropped)."
    );
    assert!(step_panicked("boom", "/x/crash.log").contains("(boom)"));
    assert!(
        console_panicked("boom", None).ends_with("Details: nowhere (the log could not be written)")
    );
}
