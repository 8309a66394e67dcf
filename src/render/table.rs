//! The result for a terminal: fits 80 columns, uses colour only when allowed (a terminal,
//! NO_COLOR unset) and never lets colour alone carry meaning.

use super::{
    JUDGEMENT_NOTE, bank_holiday_note, contacts_heading, level_label, moment_label, open_label,
    provisional_lines, recorded_line, rules_label, shown, shown_list, unknown_labels,
};
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
    let s = Styles::new(styled);
    let area = outcome.area;
    let mut out = String::new();
    let case = outcome.case;
    let _ = writeln!(
        out,
        "{}",
        s.heading.apply_to(format!("threshold: {}", area.name))
    );
    out.push_str(&wrap("", "  ", &rules_label(rules, area)));
    let reference = case
        .reference
        .as_deref()
        .map(|r| format!(", reference {}", shown(r)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "Assessed {}{reference}",
        moment_label(&outcome.assessed_at)
    );
    out.push('\n');

    if outcome.emergency {
        let _ = writeln!(
            out,
            "{}",
            s.alarm
                .apply_to("EMERGENCY: a child may be in immediate danger. Ring 999 now.")
        );
        out.push('\n');
    }
    let provisional = provisional_lines(rules, outcome);
    if !provisional.is_empty() {
        let _ = writeln!(out, "{}", s.alarm.apply_to("NOT YET KNOWN"));
        for line in &provisional {
            out.push_str(&wrap("-", "  ", line));
        }
        out.push('\n');
    }

    match outcome.overall {
        Some(tier) => {
            let _ = writeln!(
                out,
                "{} {}",
                s.heading.apply_to("Household level:"),
                level_label(area, tier)
            );
            let mut table = grid(&["Child", "Age", "Level", "Score", "Could reach"]);
            for c in &outcome.children {
                let age = c.child.age.map_or("unborn".to_string(), |a| a.to_string());
                let reach = if c.could_reach > c.level {
                    format!(
                        "{} if unknowns are worrying",
                        level_label(area, c.could_reach)
                    )
                } else {
                    "no higher".to_string()
                };
                table.add_row(vec![
                    shown(&c.child.id).into_owned(),
                    age,
                    level_label(area, c.level),
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

    out.push_str(&wrap(
        "",
        "",
        &s.heading.apply_to(contacts_heading(outcome)).to_string(),
    ));
    if let Some(note) = bank_holiday_note(outcome) {
        out.push_str(&wrap("", "", &note));
    }
    let mut table = grid(&["#", "Who", "Number", "When"]);
    for (i, c) in outcome.contacts.iter().enumerate() {
        let number = match (&c.contact.phone, &c.contact.email) {
            (Some(p), Some(e)) => format!("{p}\n{e}"),
            (Some(p), None) => p.clone(),
            (None, Some(e)) => e.clone(),
            (None, None) => String::new(),
        };
        let when = format!("{}\n{}", open_label(c), c.contact.hours.text);
        table.add_row(vec![
            (i + 1).to_string(),
            c.contact.name.clone(),
            number,
            when,
        ]);
    }
    let _ = writeln!(out, "{table}");
    out.push('\n');

    let _ = writeln!(out, "{}", s.heading.apply_to("Next actions"));
    for (i, action) in outcome.actions.iter().enumerate() {
        out.push_str(&wrap(&format!("{:>2}.", i + 1), "    ", &action.text));
    }
    out.push('\n');

    let _ = writeln!(out, "{}", s.heading.apply_to("Routes"));
    out.push_str(&route_lines(outcome));
    out.push('\n');

    let unknown: Vec<usize> = (0..outcome.children.len())
        .filter(|i| !outcome.children[*i].unknowns.is_empty())
        .collect();
    if !unknown.is_empty() {
        let _ = writeln!(out, "{}", s.heading.apply_to("Still unknown"));
        for i in unknown {
            let c = &outcome.children[i];
            let reach = format!("could reach {}", level_label(area, c.could_reach));
            let line = format!(
                "{} ({reach}): {}",
                shown(&c.child.id),
                unknown_labels(rules, outcome, i).join(", ")
            );
            out.push_str(&wrap("-", "  ", &line));
        }
        out.push('\n');
    }

    if !outcome.children.is_empty() {
        let _ = writeln!(out, "{}", s.heading.apply_to("Why"));
        out.push_str(&reason_lines(outcome, |source| format!(" [{source}]")));
        out.push('\n');
    }

    if let Some(line) = recorded_line(outcome, |r| shown(r).into_owned()) {
        out.push_str(&wrap("", "  ", &line));
    }
    let _ = writeln!(out, "{}", s.dim.apply_to(JUDGEMENT_NOTE));
    out
}

/// Each route that applies, with the children it applies to and its points, wrapped.
pub fn route_lines(outcome: &Outcome) -> String {
    let mut out = String::new();
    for r in &outcome.routes {
        let who = if r.children.is_empty() {
            String::new()
        } else {
            format!(" (child {})", shown_list(&r.children))
        };
        out.push_str(&wrap(
            "-",
            "  ",
            &format!("{}{who}: {}", r.route.id, r.route.text),
        ));
        for point in &r.route.detail {
            out.push_str(&wrap("    *", "      ", point));
        }
    }
    out
}

/// Each child's reasons (or that no concern was recorded); `source` writes what follows
/// each reason's label, its source.
pub fn reason_lines(outcome: &Outcome, source: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    for c in &outcome.children {
        if c.reasons.is_empty() {
            out.push_str(&wrap(
                "-",
                "  ",
                &format!("{}: no concern recorded", shown(&c.child.id)),
            ));
        }
        for r in &c.reasons {
            let basis = r.note();
            let line = format!(
                "{}: {} {}{basis}{}",
                shown(&c.child.id),
                r.effect.label(),
                r.label,
                source(r.source.trim())
            );
            out.push_str(&wrap("-", "    ", &line));
        }
    }
    out
}
