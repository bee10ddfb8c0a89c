//! The confirmation screen: the warning, then the (y/n) prompt below. A warning longer than
//! the screen scrolls, its last row saying what is out of view.

use ratatui::layout::Rect;
use ratatui::text::Line;

use super::Body;
use crate::model::confirm::clamp;
use crate::model::{Confirm, Model};
use crate::say;
use crate::ui::theme;

pub fn body(m: &Model, confirm: &Confirm, area: Rect) -> Body {
    let mut lines = vec![Line::from("")];
    lines.extend(
        m.glyphs()
            .wrap(&confirm.warning, usize::from(area.width).saturating_sub(4))
            .into_iter()
            .map(|l| Line::styled(format!("  {l}"), theme::WARNING)),
    );
    lines.push(Line::from(""));
    lines.push(Line::from(format!("  {}", confirm.question)));
    lines.push(Line::from(format!(
        "  {}",
        say!(m.voice(); "screens.confirm.go_ahead")
    )));
    let height = usize::from(area.height);
    if lines.len() <= height {
        return Body::plain(lines);
    }
    let total = lines.len();
    let first = clamp(m.confirm_scroll, total, height);
    let rows = height.saturating_sub(1).max(1);
    let below = total.saturating_sub(first + rows);
    let marker = format!("  {}", out_of_view(m, first, below));
    let mut shown: Vec<Line<'static>> = lines.into_iter().skip(first).take(rows).collect();
    shown.push(Line::styled(marker, theme::DIM));
    Body::plain(shown)
}

/// What is out of view, above and below, and the keys that bring it in.
fn out_of_view(m: &Model, above: usize, below: usize) -> String {
    let v = m.voice();
    match (above, below) {
        (0, 1) => say!(v; "screens.confirm.below_one", below = below),
        (0, n) => say!(v; "screens.confirm.below", below = n),
        (1, 0) => say!(v; "screens.confirm.above_one", above = above),
        (above, 0) => say!(v; "screens.confirm.above", above = above),
        (1, n) => say!(v; "screens.confirm.both_one", above = above, below = n),
        (above, n) => say!(v; "screens.confirm.both", above = above, below = n),
    }
}
