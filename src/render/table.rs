//! The result for a terminal: fits 80 columns, uses colour only when allowed (a terminal,
//! NO_COLOR unset) and never lets colour alone carry meaning.

use super::view::{Line, Unknowns, View};
use super::{shown, shown_list};
use crate::engine::Outcome;
use crate::rules::RuleSet;
use comfy_table::{ContentArrangement, Table, presets};
use console::Style;
use std::fmt::Write;

pub const WIDTH: usize = 80;

/// Text styles that are plain when styling is off.
pub struct Styles {
    pub heading: Style,
    pub alarm: Style,
    pub dim: Style,
}

impl Styles {
    pub fn new(styled: bool) -> Styles {
        Styles {
            heading: Style::new().bold().force_styling(styled),
            alarm: Style::new().red().bold().force_styling(styled),
            dim: Style::new().dim().force_styling(styled),
        }
    }
}

/// A grid that fits the terminal width.
pub fn grid(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(WIDTH as u16)
        .set_header(header.to_vec());
    table
}

/// Wrap `text` to the width: the first line starts with `first` and a space (when
/// `first` is not empty), the others with `indent`.
pub fn wrap(first: &str, indent: &str, text: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = first.is_empty();
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

pub fn render(rules: &RuleSet, outcome: &Outcome, styled: bool) -> String {
    let view = View::of(rules, outcome);
    let s = Styles::new(styled);
    let mut out = String::new();
    let _ = writeln!(out, "{}", s.heading.apply_to(&view.title));
    out.push_str(&wrap("", "  ", &view.rules));
    out.push_str(&assessed_line(&view));
    out.push('\n');

    out.push_str(&alarms(&view, &s));
    out.push_str(&household(&view, &s));
    out.push_str(&contacts(&view, &s));
    let _ = writeln!(out, "{}", s.heading.apply_to("Next actions"));
    for (i, action) in view.actions.iter().enumerate() {
        out.push_str(&wrap(
            &format!("{:>2}.", i + 1),
            "    ",
            &format!("{}{}", action.text, action.basis),
        ));
    }
    out.push('\n');

    let _ = writeln!(out, "{}", s.heading.apply_to("Routes"));
    out.push_str(&route_lines(&view));
    out.push('\n');

    if !view.unknowns.is_empty() {
        let _ = writeln!(out, "{}", s.heading.apply_to("Still unknown"));
        for u in &view.unknowns {
            out.push_str(&wrap("-", "  ", &unknown_line(u)));
        }
        out.push('\n');
    }

    if !view.children.is_empty() {
        let _ = writeln!(out, "{}", s.heading.apply_to("Why"));
        out.push_str(&reason_lines(&view, |source| format!(" [{source}]")));
        out.push('\n');
    }

    out.push_str(&recorded_lines(&view));
    let _ = writeln!(out, "{}", s.dim.apply_to(view.judgement_note));
    out
}

/// The emergency line and what is not yet known, first.
fn alarms(view: &View, s: &Styles) -> String {
    let mut out = String::new();
    if let Some(emergency) = view.emergency {
        let _ = writeln!(out, "{}", s.alarm.apply_to(emergency));
        out.push('\n');
    }
    if !view.not_yet_known.is_empty() {
        let _ = writeln!(out, "{}", s.alarm.apply_to("NOT YET KNOWN"));
        for line in &view.not_yet_known {
            out.push_str(&wrap("-", "  ", &line_text(line)));
        }
        out.push('\n');
    }
    out
}

/// The household's level, and each child's in a table.
fn household(view: &View, s: &Styles) -> String {
    let mut out = String::new();
    match &view.household {
        Some(household) => {
            let _ = writeln!(
                out,
                "{} {household}",
                s.heading.apply_to("Household level:"),
            );
            let mut table = grid(&["Child", "Age", "Level", "Score", "Could reach"]);
            for c in &view.children {
                let reach = match &c.could_reach {
                    Some(level) => format!("{level} if unknowns are worrying"),
                    None => "no higher".to_string(),
                };
                table.add_row(vec![
                    shown(&c.id).into_owned(),
                    c.age.clone(),
                    c.level.clone(),
                    c.score.to_string(),
                    reach,
                ]);
            }
            let _ = writeln!(out, "{table}");
        }
        None => {
            let _ = writeln!(
                out,
                "{} no children were recorded",
                s.heading.apply_to("Household level:")
            );
        }
    }
    out.push('\n');
    out
}

/// The numbers to ring, in order, with when: a number never broken across lines.
fn contacts(view: &View, s: &Styles) -> String {
    let mut out = String::new();
    let contacts = &view.contacts;
    out.push_str(&wrap(
        "",
        "",
        &s.heading.apply_to(&contacts.heading).to_string(),
    ));
    if let Some(note) = &contacts.note {
        out.push_str(&wrap("", "", note));
    }
    let mut table = grid(&["#", "Who", "Number", "When"]);
    for (i, c) in contacts.rows.iter().enumerate() {
        // A number is never broken across lines.
        let number: Vec<String> = [&c.phone, &c.email]
            .into_iter()
            .flatten()
            .map(|n| n.replace(' ', "\u{a0}"))
            .collect();
        table.add_row(vec![
            (i + 1).to_string(),
            c.name.clone(),
            number.join("\n"),
            format!("{}\n{}", c.when, c.hours),
        ]);
    }
    let _ = writeln!(out, "{}", table.to_string().replace('\u{a0}', " "));
    out.push('\n');
    out
}

/// A line of the view for a terminal: the child's label escaped, then the words.
pub fn line_text(line: &Line) -> String {
    match &line.child {
        Some(child) => format!("{}: {}", shown(child), line.text),
        None => line.text.clone(),
    }
}

/// "Assessed Tue 24 Nov 2026, 10:00 GMT, reference R-1", wrapped.
pub fn assessed_line(view: &View) -> String {
    let reference = view
        .reference
        .as_deref()
        .map(|r| format!(", reference {}", shown(r)))
        .unwrap_or_default();
    wrap("", "  ", &format!("Assessed {}{reference}", view.assessed))
}

/// Each route that applies, with the children it applies to and its points, wrapped.
pub fn route_lines(view: &View) -> String {
    let mut out = String::new();
    for r in &view.routes {
        let who = if r.children.is_empty() {
            String::new()
        } else {
            let ids: Vec<&str> = r.children.iter().map(String::as_str).collect();
            format!(" (child {})", shown_list(&ids))
        };
        out.push_str(&wrap(
            "-",
            "  ",
            &format!("{}{who}: {}{}", r.id, r.text, r.basis),
        ));
        for point in &r.detail {
            out.push_str(&wrap("    *", "      ", point));
        }
    }
    out
}

/// "A (could reach Level 4): alone could give Level 4: …".
pub fn unknown_line(u: &Unknowns) -> String {
    format!(
        "{} (could reach {}): {}",
        shown(&u.child),
        u.could_reach,
        u.text
    )
}

/// Each child's reasons (or that no concern was recorded); `source` writes what follows
/// each reason's label, its source.
pub fn reason_lines(view: &View, source: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    for r in &view.reasons {
        let line = if r.effect.is_empty() {
            format!("{}: {}", shown(&r.child), r.label)
        } else {
            format!(
                "{}: {} {}{}{}",
                shown(&r.child),
                r.effect,
                r.label,
                r.basis,
                source(&r.source)
            )
        };
        out.push_str(&wrap("-", "    ", &line));
    }
    out
}

/// The practitioner's level and reason beside the tool's, wrapped; nothing if none.
pub fn recorded_lines(view: &View) -> String {
    let Some(recorded) = &view.recorded else {
        return String::new();
    };
    let reason = recorded
        .reason
        .as_deref()
        .map(|r| format!(" Reason: {}", shown(r)))
        .unwrap_or_default();
    wrap("", "  ", &format!("{}{reason}", recorded.line))
}
