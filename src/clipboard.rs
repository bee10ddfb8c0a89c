//! Copying text to the operator's clipboard: OSC 52 through the terminal (works over SSH and
//! inside tmux), and arboard when this machine has a display of its own.

use std::io::Write;

use crossterm::clipboard::CopyToClipboard;
use crossterm::execute;

/// Sends `text` to the clipboard(s) and says which were reached.
pub fn copy(text: &str, terminal: &mut impl Write) -> String {
    let lines = text.lines().count();
    let osc = execute!(terminal, CopyToClipboard::to_clipboard_from(text)).is_ok();
    let has_display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let local = has_display
        && arboard::Clipboard::new()
            .and_then(|mut c| c.set_text(text.to_string()))
            .is_ok();
    let one = lines == 1;
    match (osc, local, one) {
        (true, true, false) => crate::say!("clipboard.both", lines = lines),
        (true, true, true) => crate::say!("clipboard.both_one", lines = lines),
        (true, false, false) => crate::say!("clipboard.terminal", lines = lines),
        (true, false, true) => crate::say!("clipboard.terminal_one", lines = lines),
        (false, true, false) => crate::say!("clipboard.display", lines = lines),
        (false, true, true) => crate::say!("clipboard.display_one", lines = lines),
        (false, false, _) => crate::say!("clipboard.failed"),
    }
}
