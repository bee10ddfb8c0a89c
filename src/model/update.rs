//! `update`: every message changes the model here, and only here.

use super::{
    Binding, Cmd, Confirm, Effect, Ended, FormFor, Key, Model, Msg, Prompt, Screen, TextFor,
    commands, form, input, nav, paste, requests, roots, settings, setup, ssh, tls, tls_check, view,
};
use crate::appliance::issuance::Source;
use crate::say;
use crate::texts::Lang;

/// The one place state changes.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    // What this thread says next (an error's text, an effect run here) is in the console's voice.
    crate::texts::speak_as(m.voice());
    // Input the operator cannot have meant for the prompt up now acts on nothing.
    if matches!(msg, Msg::Key(_) | Msg::Paste(_)) && input::held_back(m, &msg) {
        return Vec::new();
    }
    match msg {
        Msg::Key(Key::Esc) if m.busy.is_some() && m.cancellable => {
            m.busy = None;
            m.cancellable = false;
            m.discard += 1;
            let what = m.abandon.take();
            m.info(super::outcome::abandoned(what));
            vec![Effect::Cancel]
        }
        Msg::Key(_) | Msg::Paste(_) if m.busy.is_some() => Vec::new(),
        Msg::Paste(text) => on_paste(m, &text),
        Msg::Key(key) => on_key(m, key),
        Msg::Resize(w, h) => on_terminal(m, Terminal::Resize(w, h)),
        Msg::Tick => on_terminal(m, Terminal::Tick),
        Msg::Drawn => on_terminal(m, Terminal::Drawn),
        Msg::PasteBurst => on_terminal(m, Terminal::PasteBurst),
        Msg::Quiet => on_terminal(m, Terminal::Quiet),
        Msg::IdleTimeout => on_terminal(m, Terminal::IdleTimeout),
        Msg::Copied(message) => on_terminal(m, Terminal::Copied(message)),
        Msg::Loaded(_)
        | Msg::Initialized(_)
        | Msg::Saved(_)
        | Msg::Done(_)
        | Msg::Finished(_)
        | Msg::CsrGenerated(_)
        | Msg::CertChecked { .. }
        | Msg::Listed(_)
        | Msg::RootsListed(_)
        | Msg::TextRead { .. }
        | Msg::NameTaken { .. }
        | Msg::KeysListed { .. }
        | Msg::Transferred { .. }
        | Msg::TlsChecked(_) => on_result(m, msg),
    }
}

/// What the terminal and the clock tell, apart from keys and pastes.
enum Terminal {
    Resize(u16, u16),
    Tick,
    Drawn,
    PasteBurst,
    Quiet,
    IdleTimeout,
    Copied(String),
}

/// What the terminal and the clock tell: nothing to run follows.
fn on_terminal(m: &mut Model, told: Terminal) -> Vec<Effect> {
    match told {
        Terminal::Resize(w, h) => {
            let was_small = m.too_small();
            m.size = (w, h);
            input::resized(m, was_small);
        }
        Terminal::Drawn => input::drawn(m),
        Terminal::PasteBurst => m.settling = true,
        Terminal::Quiet => input::settled(m),
        Terminal::Tick if m.busy.is_some() => m.tick = m.tick.wrapping_add(1),
        // Time passing with nothing running.
        Terminal::Tick => {}
        Terminal::IdleTimeout => {
            let secs = m.idle_timeout_secs();
            m.quit = true;
            m.goodbye = Some(Ended::IdleTimeout { secs });
        }
        Terminal::Copied(message) => m.info(message),
    }
    Vec::new()
}

/// The executor's answers, each handed to the feature that asked.
fn on_result(m: &mut Model, msg: Msg) -> Vec<Effect> {
    // Every answer but a reload and the two a cancelled effect may send ends the wait.
    if !matches!(
        msg,
        Msg::Loaded(_)
            | Msg::CsrGenerated(_)
            | Msg::KeysListed { .. }
            | Msg::Transferred { .. }
            | Msg::TlsChecked(_)
    ) {
        m.busy = None;
    }
    match msg {
        Msg::Loaded(Ok(snapshot)) => m.snapshot = Some(snapshot),
        Msg::Loaded(Err(e)) => m.error(e),
        Msg::Initialized(result) => setup::initialized(m, result),
        Msg::Saved(result) => settings::saved(m, result),
        Msg::Done(result) => m.finish(result),
        Msg::Finished(result) => {
            let outcome = result.and_then(|finished| m.outcome_of(finished));
            m.finish(outcome);
        }
        Msg::CsrGenerated(result) => return tls::generated(m, result),
        Msg::CertChecked { text, result } => tls::checked(m, text, result),
        Msg::Listed(result) => requests::listed(m, result),
        Msg::RootsListed(result) => roots::listed(m, result),
        Msg::TextRead {
            purpose,
            from,
            result,
        } => match result {
            Ok(text) => return received(m, Some((purpose, text)), Source::Incoming(from)),
            Err(e) => m.error(e),
        },
        Msg::NameTaken { order, occupant } => tls::name_taken(m, order, &occupant),
        Msg::KeysListed { kind, result } => ssh::listed(m, kind, result),
        Msg::Transferred { op, peer, result } => return ssh::transferred(m, op, peer, result),
        Msg::TlsChecked(result) => tls_check::checked(m, result),
        Msg::Key(_)
        | Msg::Paste(_)
        | Msg::Resize(..)
        | Msg::Tick
        | Msg::Drawn
        | Msg::PasteBurst
        | Msg::Quiet
        | Msg::IdleTimeout
        | Msg::Copied(_) => {}
    }
    Vec::new()
}

/// A paste: into the paste dialog, or its first line as a value typed at a prompt.
fn on_paste(m: &mut Model, text: &str) -> Vec<Effect> {
    if matches!(m.screen(), Screen::Paste(_)) {
        let pasted = paste::pasted(m, text);
        return received(m, pasted, Source::Paste);
    }
    // Without control characters.
    let line = text
        .split(['\r', '\n'])
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let room = m.input_limit().saturating_sub(m.input.chars().count());
    m.input
        .extend(line.trim().chars().filter(|c| !c.is_control()).take(room));
    Vec::new()
}

fn on_key(m: &mut Model, key: Key) -> Vec<Effect> {
    // A message longer than the screen scrolls first: it is read whole before anything else.
    if m.busy.is_none()
        && m.message_overflow() > 0
        && matches!(key, Key::PageUp | Key::PageDown | Key::Home | Key::End)
    {
        view::scroll_message(m, key);
        return Vec::new();
    }
    if let Some(effects) = screen_key(m, key) {
        return effects;
    }
    match key {
        Key::Char(c) if !c.is_control() => {
            if m.input.chars().count() < m.input_limit() {
                m.input.push(c);
            }
        }
        Key::Char(_) | Key::CtrlD => {}
        Key::Backspace => {
            m.input.pop();
        }
        Key::CtrlC => cancel(m),
        Key::Esc => escape(m),
        Key::Up | Key::Down | Key::PageUp | Key::PageDown | Key::Home | Key::End => {
            nav::move_cursor(m, key);
        }
        Key::Enter => {
            m.flash = None;
            let text = std::mem::take(&mut m.input);
            return submit(m, text.trim());
        }
    }
    Vec::new()
}

/// The keys some screens take at once, without Enter: what they ask for, or `None` when
/// the key is not one of theirs.
fn screen_key(m: &mut Model, key: Key) -> Option<Vec<Effect>> {
    let paging = matches!(
        key,
        Key::Up | Key::Down | Key::PageUp | Key::PageDown | Key::Home | Key::End
    );
    match (m.screen(), key) {
        (Screen::View(view), Key::Char('c' | 'C')) if m.input.is_empty() => {
            Some(vec![Effect::Copy(view.text.clone())])
        }
        (Screen::View(_), _) if paging => {
            view::scroll(m, key);
            Some(Vec::new())
        }
        (Screen::Confirm(_), _) if paging => {
            super::confirm::scroll(m, key);
            Some(Vec::new())
        }
        (Screen::Paste(_), Key::Enter | Key::CtrlD) => {
            let typed = paste::typed_line(m, key);
            Some(received(m, typed, Source::Paste))
        }
        _ => None,
    }
}

/// Ctrl-C: cancels what is being typed or the prompt open; never leaves the console.
fn cancel(m: &mut Model) {
    if !m.input.is_empty() {
        m.input.clear();
        m.info(say!(m.voice(); "model.cancelled"));
        return;
    }
    match m.screen() {
        Screen::Setup(_) => setup::step_back(m),
        s if s.is_transient() => {
            m.back();
            m.info(say!(m.voice(); "model.cancelled_nothing_changed"));
        }
        _ => m.info(say!(m.voice(); "model.ctrl_c_at_menu")),
    }
}

fn escape(m: &mut Model) {
    match m.screen().prompt() {
        Some(Prompt::Setup(_)) => setup::step_back(m),
        Some(Prompt::Form(_)) => form::step_back(m),
        Some(Prompt::Edit(_) | Prompt::Confirm(_) | Prompt::Paste(_)) => {
            m.back();
            m.info(say!(m.voice(); "model.cancelled_nothing_changed"));
        }
        None if m.at_root() => {
            m.input.clear();
            m.info(say!(m.voice(); "model.esc_at_root"));
        }
        None => m.back(),
    }
}

fn submit(m: &mut Model, text: &str) -> Vec<Effect> {
    if !text.is_empty() {
        let typed = commands(m)
            .into_iter()
            .find(|b| b.cmd.is_some() && b.key.eq_ignore_ascii_case(text));
        if let Some(Binding { cmd: Some(cmd), .. }) = typed {
            return run_command(m, cmd);
        }
    }
    match m.screen().clone() {
        Screen::Menu { id, cursor } => nav::select_in_menu(m, &id, cursor, text),
        Screen::Status | Screen::Users | Screen::Help | Screen::View(_) => {
            if text.is_empty() {
                m.back();
            } else {
                m.error(say!(m.voice(); "model.not_a_choice", text = text));
            }
            Vec::new()
        }
        Screen::Components { .. } => settings::select_component(m, text),
        Screen::Settings { component, .. } => settings::select_setting(m, component, text),
        Screen::AddSetting { component, .. } => settings::select_addable(m, component, text),
        Screen::Edit(edit) => settings::submit_value(m, edit, text),
        Screen::Confirm(confirm) => answer(m, confirm, text),
        Screen::Setup(setup) => setup::submit(m, setup, text),
        Screen::Form(form) => {
            let entered = form::submit(m, form, text);
            form_entered(m, entered)
        }
        Screen::Files(files) => requests::pick_file(m, files, text),
        Screen::UserList { menu, cursor } => ssh::pick_user(m, &menu, cursor, text),
        Screen::Keys(list) => ssh::pick_key(m, list, text),
        Screen::Roots(list) => roots::pick(m, list, text),
        // Enter in the paste dialog is handled before typing reaches here.
        Screen::Paste(_) => Vec::new(),
    }
}

fn run_command(m: &mut Model, cmd: Cmd) -> Vec<Effect> {
    match cmd {
        Cmd::Back => m.back(),
        Cmd::Root => {
            m.stack.truncate(1);
            m.input.clear();
        }
        Cmd::Exit => m.quit = true,
        Cmd::Help => m.push(Screen::Help),
        Cmd::Add => return settings::open_add(m),
        Cmd::IssueAll => return requests::issue_all(m),
        Cmd::AddRoot => return roots::add(m),
        Cmd::Older | Cmd::Newer => return view::turn_page(m, cmd == Cmd::Older),
    }
    Vec::new()
}

/// The one confirmation path: only `y` goes ahead, and starts what the confirmation carries.
fn answer(m: &mut Model, confirm: Confirm, text: &str) -> Vec<Effect> {
    // In French `o` (oui) confirms too; `y` confirms in every language.
    let yes =
        text.eq_ignore_ascii_case("y") || (m.lang == Lang::Fr && text.eq_ignore_ascii_case("o"));
    if !yes {
        m.back();
        m.info(say!(m.voice(); "confirm.declined"));
        return Vec::new();
    }
    m.begin(confirm.on_yes)
}

/// A form answered to its end, handed to the feature that opened it.
fn form_entered(m: &mut Model, entered: Option<(FormFor, Vec<String>)>) -> Vec<Effect> {
    match entered {
        None => Vec::new(),
        Some((FormFor::Csr, values)) => tls::csr_entered(m, &values),
        Some((FormFor::Issue(target), values)) => tls::days_entered(m, *target, &values),
        Some((FormFor::Peer(op), values)) => ssh::peer_entered(m, op, &values),
        Some((FormFor::TlsPeer, values)) => tls_check::peer_entered(m, &values),
    }
}

/// A text pasted, or read from /incoming, handed to the feature it is meant for.
fn received(m: &mut Model, received: Option<(TextFor, String)>, from: Source) -> Vec<Effect> {
    match received {
        None => Vec::new(),
        Some((TextFor::Csr, text)) => tls::received_csr(m, &text, from),
        Some((TextFor::Cert, text)) => tls::received_cert(m, &text),
        Some((TextFor::RootKey, text)) => tls::received_root(m, &text),
        Some((TextFor::AuthorizedKey, text)) => ssh::received_key(m, &text),
    }
}
