//! The result as plain lines, for screen readers (`threshold check --plain`): the same
//! content as the table, with no colour and no box drawing, every line within 80 columns,
//! and the reasons on request.

use super::table::wrap;
use super::{
    JUDGEMENT_NOTE, bank_holiday_note, contacts_heading, level_label, moment_label, open_label,
    provisional_lines, recorded_line, rules_label, shown, unknown_labels,
};
use crate::engine::Outcome;
use crate::rules::RuleSet;

/// The result; the reasons only when `reasons` is set (otherwise `reasons()` on request).
pub fn render(rules: &RuleSet, outcome: &Outcome, reasons: bool) -> String {
    let area = outcome.area;
    let case = outcome.case;
    let mut out = format!("threshold: {}\n", area.name);
    out.push_str(&wrap("", "  ", &rules_label(rules, area)));
    let reference = case
        .reference
        .as_deref()
        .map(|r| format!(", reference {}", shown(r)))
        .unwrap_or_default();
    out.push_str(&format!(
        "Assessed {}{reference}\n\n",
        moment_label(&outcome.assessed_at)
    ));
    if outcome.emergency {
        out.push_str("EMERGENCY: a child may be in immediate danger. Ring 999 now.\n\n");
    }
    let provisional = provisional_lines(rules, outcome);
    if !provisional.is_empty() {
        out.push_str("NOT YET KNOWN:\n");
        for line in &provisional {
            out.push_str(&wrap("-", "  ", line));
        }
        out.push('\n');
    }
    out.push_str(&levels(outcome));
    out.push_str(&contacts(outcome));
    out.push_str("Next actions:\n");
    for (i, action) in outcome.actions.iter().enumerate() {
        out.push_str(&wrap(&format!("{:>2}.", i + 1), "    ", &action.text));
    }
    out.push('\n');
    out.push_str(&routes(outcome));
    out.push_str(&unknowns(rules, outcome));
    if reasons {
        out.push_str(&self::reasons(outcome));
    }
    out.push_str(&recorded(outcome));
    out.push_str(JUDGEMENT_NOTE);
    out.push('\n');
    out
}

fn levels(outcome: &Outcome) -> String {
    let area = outcome.area;
    let Some(tier) = outcome.overall else {
        return "Household level: no children were recorded.\n\n".into();
    };
    let mut out = format!("Household level: {}\n", level_label(area, tier));
    for c in &outcome.children {
        let age = c
            .child
            .age
            .map_or("unborn".to_string(), |a| format!("age {a}"));
        let reach = if c.could_reach > c.level {
            format!(
                "could reach {} if unknowns are worrying",
                level_label(area, c.could_reach)
            )
        } else {
            "could reach no higher".to_string()
        };
        let line = format!(
            "Child {}, {age}: {}, score {}; {reach}.",
            shown(&c.child.id),
            level_label(area, c.level),
            c.score
        );
        out.push_str(&wrap("-", "  ", &line));
    }
    out.push('\n');
    out
}

fn contacts(outcome: &Outcome) -> String {
    let mut out = wrap("", "", &format!("{}:", contacts_heading(outcome)));
    if let Some(note) = bank_holiday_note(outcome) {
        out.push_str(&wrap("", "", &note));
    }
    for (i, c) in outcome.contacts.iter().enumerate() {
        let reach: Vec<&str> = [c.contact.phone.as_deref(), c.contact.email.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let open = open_label(c);
        let mut open = open.chars();
        let open: String = open
            .next()
            .map(|first| first.to_uppercase().chain(open).collect())
            .unwrap_or_default();
        let line = format!(
            "{}: {}. {open}. Hours: {}.",
            c.contact.name,
            reach.join(" or "),
            c.contact.hours.text
        );
        out.push_str(&wrap(&format!("{:>2}.", i + 1), "    ", &line));
    }
    out.push('\n');
    out
}

fn routes(outcome: &Outcome) -> String {
    format!("Routes:\n{}\n", super::table::route_lines(outcome))
}

fn unknowns(rules: &RuleSet, outcome: &Outcome) -> String {
    let area = outcome.area;
    let mut out = String::new();
    for (i, c) in outcome.children.iter().enumerate() {
        if c.unknowns.is_empty() {
            continue;
        }
        let line = format!(
            "{} (could reach {}): {}",
            shown(&c.child.id),
            level_label(area, c.could_reach),
            unknown_labels(rules, outcome, i).join(", ")
        );
        out.push_str(&wrap("-", "  ", &line));
    }
    if out.is_empty() {
        return out;
    }
    format!("Still unknown:\n{out}\n")
}

/// Why each child's level is what it is: every rule that moved it, with its source.
pub fn reasons(outcome: &Outcome) -> String {
    if outcome.children.is_empty() {
        return "Why: no children were recorded, so no level was decided.\n\n".into();
    }
    let mut out = String::from("Why:\n");
    out.push_str(&super::table::reason_lines(outcome, |source| {
        format!(". Source: {source}")
    }));
    out.push('\n');
    out
}

fn recorded(outcome: &Outcome) -> String {
    recorded_line(outcome, |r| shown(r).into_owned())
        .map_or(String::new(), |line| wrap("", "  ", &line))
}
