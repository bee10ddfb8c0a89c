//! The confirmation screen: the warning, then the (y/n) prompt below.

use ratatui::text::Line;

use super::Body;
use crate::model::Confirm;
use crate::ui::{theme, wrap};

pub fn body(confirm: &Confirm, width: u16) -> Body {
    let mut lines = vec![Line::from("")];
    lines.extend(
        wrap(&confirm.warning, usize::from(width).saturating_sub(4))
            .into_iter()
            .map(|l| Line::styled(format!("  {l}"), theme::WARNING)),
    );
    lines.push(Line::from(""));
    lines.push(Line::from(format!("  {}", confirm.question)));
    lines.push(Line::from(
        "  Type y and Enter to go ahead; anything else declines.",
    ));
    Body::plain(lines)
}
