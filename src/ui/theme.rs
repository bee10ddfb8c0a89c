//! Colours and emphasis, kept to what reads well on any terminal over a slow link.

use ratatui::style::{Color, Modifier, Style};

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
