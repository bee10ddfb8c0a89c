//! The confirmation screen: the warning, then the (y/n) prompt below. A warning longer than
//! the screen scrolls, its last row saying what is out of view.

use ratatui::layout::Rect;
use ratatui::text::Line;

use super::Body;
use crate::model::Confirm;
use crate::model::confirm::clamp;
use crate::termcaps::Glyphs;
use crate::ui::theme;

pub fn body(confirm: &Confirm, area: Rect, scroll: usize, glyphs: Glyphs) -> Body {
    let mut lines = vec![Line::from("")];
    lines.extend(
        glyphs
            .wrap(&confirm.warning, usize::from(area.width).saturating_sub(4))
            .into_iter()
            .map(|l| Line::styled(format!("  {l}"), theme::WARNING)),
    );
    lines.push(Line::from(""));
    lines.push(Line::from(format!("  {}", confirm.question)));
    lines.push(Line::from(
        "  Type y and Enter to go ahead; anything else declines.",
    ));
    let height = usize::from(area.height);
    if lines.len() <= height {
        return Body::plain(lines);
    }
    let total = lines.len();
    let first = clamp(scroll, total, height);
    let rows = height.saturating_sub(1).max(1);
    let below = total.saturating_sub(first + rows);
    let marker = match (first, below) {
        (0, n) => format!("  ↓ {n} more lines below: ↓ PgDn scroll"),
        (above, 0) => format!("  ↑ {above} lines above: ↑ PgUp scroll back"),
        (above, n) => format!("  ↑ {above} lines above, ↓ {n} below: ↑↓ PgUp PgDn scroll"),
    };
    let mut shown: Vec<Line<'static>> = lines.into_iter().skip(first).take(rows).collect();
    shown.push(Line::styled(marker, theme::DIM));
    Body::plain(shown)
}
