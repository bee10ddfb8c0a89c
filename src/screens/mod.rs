//! What each screen shows. Each screen turns the model into lines; `draw_body` scrolls them
//! so the highlighted line stays in view. Nothing here changes the model.

mod confirm;
mod flow;
mod keys;
mod menu;
mod settings;
mod setup;
mod status;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::model::{Model, Screen, SetupStep};
use crate::say;
use crate::termcaps::Glyphs;
use crate::texts;
use crate::ui::theme;

/// A screen's lines and which of them is highlighted.
pub struct Body {
    pub lines: Vec<Line<'static>>,
    pub selected: Option<usize>,
    /// First line shown when nothing is highlighted.
    pub scroll: usize,
}

impl Body {
    fn plain(lines: Vec<Line<'static>>) -> Body {
        Body {
            lines,
            selected: None,
            scroll: 0,
        }
    }
}

pub fn draw_body(m: &Model, frame: &mut Frame, area: Rect) {
    let g = m.glyphs();
    let body = match m.screen() {
        Screen::Setup(setup) => setup::body(m, setup, area.width),
        Screen::Menu { id, cursor } => menu::body(m, id, *cursor),
        Screen::Status => status::body(m),
        Screen::Users => status::users(m),
        Screen::Help => menu::help(m),
        Screen::Components { cursor } => settings::components(m, *cursor),
        Screen::Settings { component, cursor } => settings::list_settings(m, *component, *cursor),
        Screen::AddSetting { component, cursor } => settings::addable(m, *component, *cursor),
        Screen::Edit(edit) => settings::edit(m, edit, area.width),
        Screen::Confirm(confirm) => confirm::body(m, confirm, area),
        Screen::Form(form) => flow::form(form, area.width, g),
        Screen::View(view) => flow::view(view, area.width, g),
        Screen::Paste(dialog) => flow::paste(m, dialog, area.width),
        Screen::Files(files) => flow::files(m, files, area.width),
        Screen::UserList { cursor, .. } => keys::users(m, *cursor),
        Screen::Keys(list) => keys::list(m, list),
        Screen::Roots(list) => keys::roots(m, list, area.width),
    };
    let height = usize::from(area.height);
    let offset = body
        .selected
        .map_or(body.scroll, |s| (s + 1).saturating_sub(height));
    let lines: Vec<Line> = body
        .lines
        .into_iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, line)| {
            let line = shown(g, said(m, line));
            if Some(i) == body.selected {
                line.patch_style(theme::SELECTED)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// `text` cut into rows of `width` as `m` draws it, the system's reasons in it said in the
/// operator's language first: a reason cut across two rows would be left as it came.
fn wrapped(m: &Model, text: &str, width: usize) -> Vec<String> {
    m.glyphs().wrap(&texts::os_errors(m.voice(), text), width)
}

/// `line` with the system's reasons in it (an unreadable file's) in the operator's language.
fn said(m: &Model, line: Line<'static>) -> Line<'static> {
    // Drawn every frame: a line without a reason (nearly all) is kept as it is.
    if !line.spans.iter().any(|s| s.content.contains("(os error ")) {
        return line;
    }
    let spans = line
        .spans
        .into_iter()
        .map(|span| match texts::os_errors(m.voice(), &span.content) {
            std::borrow::Cow::Owned(text) => Span::styled(text, span.style),
            std::borrow::Cow::Borrowed(_) => span,
        })
        .collect();
    Line { spans, ..line }
}

/// `line` as `glyphs` draws it (see `Glyphs::show`), its styles kept.
pub fn shown(glyphs: Glyphs, line: Line<'static>) -> Line<'static> {
    if glyphs == Glyphs::Unicode {
        return line;
    }
    let spans = line
        .spans
        .into_iter()
        .map(|span| Span::styled(glyphs.show(&span.content).into_owned(), span.style))
        .collect();
    Line { spans, ..line }
}

/// "tanadmin › Tanium Operations › Configuration Settings".
pub fn breadcrumb(m: &Model, width: u16) -> String {
    let names: Vec<String> = m
        .stack
        .iter()
        .map(|s| match s {
            Screen::Setup(_) => say(m, "screen.setup"),
            // A menu opened for a chosen user names it: "Keys of {user}".
            Screen::Menu { id, .. } => m.menus.get(id).map_or_else(
                || id.clone(),
                |menu| {
                    let user = m.user.as_deref().unwrap_or("?");
                    texts::fill(&m.glyphs().text(menu.title_in(m.lang)), &[("user", user)])
                },
            ),
            Screen::Status => say(m, "screen.status"),
            Screen::Users => say(m, "screen.users"),
            Screen::Help => say(m, "screen.help"),
            Screen::Components { .. } => say(m, "screen.components"),
            Screen::Settings { component, .. } => component.title(m.voice()),
            Screen::AddSetting { .. } => say(m, "screen.add_setting"),
            Screen::Edit(edit) => edit.name.into(),
            Screen::Confirm(c) => c.title.clone(),
            Screen::Form(f) => f.title.clone(),
            Screen::View(v) => v.title.clone(),
            Screen::Paste(d) => flow::paste_title(m, d.purpose),
            Screen::Files(_) => "/incoming".into(),
            Screen::UserList { .. } => say(m, "screen.user_list"),
            Screen::Roots(_) if is_hub(m) => say(m, "screen.roots"),
            Screen::Roots(_) => say(m, "screen.trusted_roots"),
            Screen::Keys(list) => match list.kind {
                crate::model::KeyListKind::Authorized => {
                    say!(m.voice(); "screen.authorized_keys", user = list.user)
                }
                crate::model::KeyListKind::KnownHosts => say(m, "screen.known_hosts"),
            },
        })
        .collect();
    let names: Vec<String> = names
        .iter()
        .map(|n| m.glyphs().show(n).into_owned())
        .collect();
    fit_trail(&names, usize::from(width), m.glyphs())
}

/// Joins the trail with " › ", dropping its first steps for "…" when it is too wide.
fn fit_trail(names: &[String], width: usize, glyphs: Glyphs) -> String {
    let mut skip = 0;
    let sep = glyphs.show(" › ");
    loop {
        let shown = &names[skip..];
        let text = if skip == 0 {
            format!(" {}", shown.join(&sep))
        } else {
            format!(" {}{sep}{}", glyphs.show("…"), shown.join(&sep))
        };
        if text.chars().count() <= width || shown.len() <= 1 {
            return text;
        }
        skip += 1;
    }
}

/// The prompt line's label, with the default Enter accepts.
pub fn prompt_label(m: &Model) -> String {
    match m.screen() {
        Screen::Setup(setup) => match setup.step {
            SetupStep::Role | SetupStep::Platform => {
                let line = (setup.cursor + 1).to_string();
                say!(m.voice(); "prompt.selection_default", default = line)
            }
            SetupStep::Hostname => {
                say!(m.voice(); "prompt.hostname", default = setup.default_hostname)
            }
        },
        Screen::Edit(edit) => match &edit.default {
            Some(d) if d.chars().count() <= 30 => {
                say!(m.voice(); "prompt.new_value_default", default = d)
            }
            Some(_) => say(m, "prompt.new_value_keep"),
            None => say(m, "prompt.new_value"),
        },
        Screen::Confirm(c) => say!(
            m.voice();
            "screens.confirm_prompt",
            question = c.question,
            yes_no = say(m, "prompt.yes_no")
        ),
        Screen::Status | Screen::Users | Screen::Help => say(m, "prompt.go_back"),
        Screen::View(_) => say(m, "prompt.view"),
        Screen::Paste(_) => say!(m.voice(); "screens.paste_prompt"),
        Screen::Form(form) => {
            let f = form.field();
            let default = if f.choices.is_empty() {
                f.default.clone()
            } else {
                (form.cursor + 1).to_string()
            };
            say!(m.voice(); "screens.form_prompt", label = f.label, default = default)
        }
        Screen::Menu { .. }
        | Screen::Components { .. }
        | Screen::Settings { .. }
        | Screen::AddSetting { .. }
        | Screen::Files(_)
        | Screen::UserList { .. }
        | Screen::Keys(_)
        | Screen::Roots(_) => say(m, "prompt.selection"),
    }
}

/// The text `key` in the operator's language, as the terminal shows it.
pub(super) fn say(m: &Model, key: &str) -> String {
    m.glyphs().text(texts::text(m.lang, key)).into_owned()
}

/// The body of a screen whose appliance is still being read.
fn loading(m: &Model) -> Body {
    Body::plain(vec![Line::from(format!(
        "  {}",
        say!(m.voice(); "screens.loading")
    ))])
}

/// A column's heading over the line numbers, right-aligned over them: "  Line ".
fn line_heading(m: &Model) -> String {
    format!("{:>6} ", say!(m.voice(); "screens.line"))
}

/// "  label  value" with the label in a fixed column.
fn field(label: &str, value: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("  {label:<28}"), theme::LABEL),
        Span::raw(value.into()),
    ])
}

/// A field whose value is one of the console's own sentences: wrapped at spaces under the
/// value column when it is longer than the row.
fn text_field(label: &str, value: &str, width: u16) -> Vec<Line<'static>> {
    let room = usize::from(width).saturating_sub(30).max(20);
    crate::text::wrap(value, room)
        .into_iter()
        .enumerate()
        .map(|(i, row)| match i {
            0 => field(label, row),
            _ => Line::from(format!("{:30}{row}", "")),
        })
        .collect()
}

/// A field whose value is a name from outside (a subject, a path): a value the glyph set
/// escapes (`\u{e9}` in ASCII) grows, and is continued on rows of its own under the value
/// column rather than losing its end at the screen's edge. A value drawn as it is keeps its
/// one row, as in every glyph set.
fn long_field(label: &str, value: &str, width: u16, glyphs: Glyphs) -> Vec<Line<'static>> {
    let shown = glyphs.show(value);
    let room = usize::from(width).saturating_sub(30).max(20);
    if shown == value || shown.chars().count() <= room {
        return vec![field(label, shown.into_owned())];
    }
    let pieces = crate::text::wrap(&shown, room)
        .into_iter()
        .flat_map(|line| {
            let chars: Vec<char> = line.chars().collect();
            chars
                .chunks(room)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
        });
    pieces
        .enumerate()
        .map(|(i, piece)| match i {
            0 => field(label, piece),
            _ => Line::from(format!("{:30}{piece}", "")),
        })
        .collect()
}

/// Numbered rows under `lines`: each row's first line is numbered, its next lines stand
/// below it after `indent`. `marked` is the row drawn with the marker, `shown` the one the
/// page keeps in view.
fn numbered_rows(
    mut lines: Vec<Line<'static>>,
    rows: impl Iterator<Item = Vec<String>>,
    marked: Option<usize>,
    shown: Option<usize>,
    indent: &str,
) -> Body {
    let mut selected = None;
    for (i, row) in rows.enumerate() {
        let mut parts = row.into_iter();
        if shown == Some(i) {
            selected = Some(lines.len());
        }
        let first = parts.next().unwrap_or_default();
        lines.push(entry(&(i + 1).to_string(), first, marked == Some(i)));
        lines.extend(parts.map(|rest| Line::from(format!("{indent}{rest}"))));
    }
    Body {
        selected,
        lines,
        scroll: 0,
    }
}

fn entry(key: &str, text: impl Into<String>, selected: bool) -> Line<'static> {
    let marker = if selected { "▸" } else { " " };
    Line::from(vec![
        Span::raw(format!(" {marker}")),
        Span::styled(format!("{key:>3}"), theme::KEY),
        Span::raw(format!("  {}", text.into())),
    ])
}

/// Whether the appliance is a Tanium Server (its own root keys) or a Zone Server (the ones
/// it trusts).
fn is_hub(m: &Model) -> bool {
    m.snapshot
        .as_ref()
        .is_some_and(|s| s.config.role == crate::appliance::Role::TaniumServer)
}
