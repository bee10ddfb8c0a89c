//! Colours and emphasis, kept to what reads well on any terminal over a slow link. The
//! styles are written for a terminal of 256 colours; `fit` brings a cell's to what the
//! terminal has: the eight ANSI colours, or none (bold and reverse video only, a coloured
//! bar shown in reverse video). The highlighted item reads without colour: it is marked
//! (`▸` or `>`) and reversed.

use ratatui::style::{Color, Modifier, Style};

use crate::termcaps::Colours;

pub const HEADER: Style = Style::new()
    .fg(Color::White)
    .bg(Color::Blue)
    .add_modifier(Modifier::BOLD);
pub const TITLE: Style = Style::new().add_modifier(Modifier::BOLD);
pub const DIM: Style = Style::new().fg(Color::DarkGray);
pub const ERROR: Style = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
pub const INFO: Style = Style::new().fg(Color::Green);
pub const BUSY: Style = Style::new().fg(Color::Yellow);
pub const WARNING: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
pub const PROMPT: Style = Style::new().add_modifier(Modifier::BOLD);
pub const FOOTER: Style = Style::new().fg(Color::Black).bg(Color::Gray);
pub const KEY: Style = Style::new().add_modifier(Modifier::BOLD);
pub const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);
pub const LABEL: Style = Style::new().fg(Color::Cyan);

/// A cell's look: foreground, background, emphasis.
pub type Look = (Color, Color, Modifier);

/// The look `(fg, bg, modifier)` on a terminal with `colours`. With eight colours every
/// colour is one of `Color::Black` to `Color::Gray` (SGR 30–37, 40–47) or the terminal's
/// own (`Reset`); with none, both are `Reset` and a background becomes reverse video.
pub fn fit(look: Look, colours: Colours) -> Look {
    let (fg, bg, modifier) = look;
    match colours {
        Colours::Full => look,
        Colours::Eight => (basic(fg), basic(bg), modifier),
        Colours::None if bg != Color::Reset => {
            (Color::Reset, Color::Reset, modifier | Modifier::REVERSED)
        }
        Colours::None => (Color::Reset, Color::Reset, modifier),
    }
}

/// `color` among the eight ANSI colours; dark grey, which they lack, and colours beyond them
/// are the terminal's own.
fn basic(color: Color) -> Color {
    match color {
        Color::Black => Color::Black,
        Color::Red | Color::LightRed => Color::Red,
        Color::Green | Color::LightGreen => Color::Green,
        Color::Yellow | Color::LightYellow => Color::Yellow,
        Color::Blue | Color::LightBlue => Color::Blue,
        Color::Magenta | Color::LightMagenta => Color::Magenta,
        Color::Cyan | Color::LightCyan => Color::Cyan,
        Color::Gray | Color::White => Color::Gray,
        Color::Indexed(n @ 0..=15) if n != 8 => basic(ansi16(n % 8)),
        _ => Color::Reset,
    }
}

fn ansi16(n: u8) -> Color {
    [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
    ][usize::from(n)]
}

/// The SGR number (0–7) of one of the eight colours `basic` gives; `None` for `Reset`.
pub fn ansi8(color: Color) -> Option<u8> {
    match color {
        Color::Black => Some(0),
        Color::Red => Some(1),
        Color::Green => Some(2),
        Color::Yellow => Some(3),
        Color::Blue => Some(4),
        Color::Magenta => Some(5),
        Color::Cyan => Some(6),
        Color::Gray => Some(7),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(style: Style) -> Look {
        (
            style.fg.unwrap_or(Color::Reset),
            style.bg.unwrap_or(Color::Reset),
            style.add_modifier,
        )
    }

    const ALL: [Style; 13] = [
        HEADER,
        TITLE,
        DIM,
        ERROR,
        INFO,
        BUSY,
        WARNING,
        PROMPT,
        FOOTER,
        KEY,
        SELECTED,
        LABEL,
        Style::new(),
    ];

    #[test]
    fn without_colour_bars_are_reversed_and_emphasis_stays() {
        for style in ALL {
            let (fg, bg, modifier) = fit(look(style), Colours::None);
            assert_eq!((fg, bg), (Color::Reset, Color::Reset), "{style:?}");
            assert!(modifier.contains(style.add_modifier), "{style:?}");
        }
        assert!(
            fit(look(HEADER), Colours::None)
                .2
                .contains(Modifier::REVERSED)
        );
        assert!(
            fit(look(FOOTER), Colours::None)
                .2
                .contains(Modifier::REVERSED)
        );
        assert!(
            fit(look(SELECTED), Colours::None)
                .2
                .contains(Modifier::REVERSED)
        );
        assert!(fit(look(ERROR), Colours::None).2.contains(Modifier::BOLD));
    }

    #[test]
    fn eight_colours_are_the_ansi_eight() {
        for style in ALL {
            let (fg, bg, modifier) = fit(look(style), Colours::Eight);
            for c in [fg, bg] {
                assert!(c == Color::Reset || ansi8(c).is_some(), "{style:?}: {c:?}");
            }
            assert_eq!(modifier, style.add_modifier);
        }
        assert_eq!(
            fit(look(HEADER), Colours::Eight),
            (Color::Gray, Color::Blue, Modifier::BOLD)
        );
        assert_eq!(fit(look(DIM), Colours::Eight).0, Color::Reset);
        assert_eq!(basic(Color::Indexed(9)), Color::Red);
        assert_eq!(basic(Color::Indexed(200)), Color::Reset);
    }

    #[test]
    fn full_colour_is_the_theme_as_written() {
        for style in ALL {
            assert_eq!(fit(look(style), Colours::Full), look(style));
        }
    }
}
