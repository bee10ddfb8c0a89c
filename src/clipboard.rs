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
    match (osc, local) {
        (true, true) => format!(
            "Copied {lines} lines: to your terminal's clipboard (OSC 52) and this display's (arboard)."
        ),
        (true, false) => format!(
            "Copied {lines} lines to your terminal's clipboard (OSC 52; tmux needs 'set-clipboard on'). You can also select the text with the mouse."
        ),
        (false, true) => format!("Copied {lines} lines to this display's clipboard (arboard)."),
        (false, false) => "Could not copy: select the text with the mouse instead.".to_string(),
    }
}
