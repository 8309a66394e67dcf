//! The result as plain lines, for screen readers (`threshold check --plain`): the sections of
//! the [`View`], with no colour and no box drawing, every line within 80 columns, and the
//! reasons on request.

use super::shown;
use super::table::wrap;
use super::view::View;
use crate::engine::Outcome;
use crate::rules::RuleSet;

/// The result; the reasons only when `reasons` is set (otherwise `reasons()` on request).
pub fn render(rules: &RuleSet, outcome: &Outcome, reasons: bool) -> String {
    let view = View::of(rules, outcome);
    let mut out = format!("{}\n", view.title);
    out.push_str(&wrap("", "  ", &view.rules));
    out.push_str(&super::table::assessed_line(&view));
    out.push('\n');
    if let Some(emergency) = view.emergency {
        out.push_str(&format!("{emergency}\n\n"));
    }
    if !view.not_yet_known.is_empty() {
        out.push_str("NOT YET KNOWN:\n");
        for line in &view.not_yet_known {
            out.push_str(&wrap("-", "  ", &super::table::line_text(line)));
        }
        out.push('\n');
    }
    out.push_str(&levels(&view));
    out.push_str(&contacts(&view));
    out.push_str("Next actions:\n");
    for (i, action) in view.actions.iter().enumerate() {
        out.push_str(&wrap(
            &format!("{:>2}.", i + 1),
            "    ",
            &format!("{}{}", action.text, action.basis),
        ));
    }
    out.push('\n');
    out.push_str(&format!("Routes:\n{}\n", super::table::route_lines(&view)));
    out.push_str(&unknowns(&view));
    if reasons {
        out.push_str(&why(&view));
    }
    out.push_str(&super::table::recorded_lines(&view));
    out.push_str(view.judgement_note);
    out.push('\n');
    out
}

fn levels(view: &View) -> String {
    let Some(household) = &view.household else {
        return "Household level: no children were recorded.\n\n".into();
    };
    let mut out = format!("Household level: {household}\n");
    for c in &view.children {
        let age = if c.age == "unborn" {
            c.age.clone()
        } else {
            format!("age {}", c.age)
        };
        let reach = match &c.could_reach {
            Some(level) => format!("could reach {level} if unknowns are worrying"),
            None => "could reach no higher".to_string(),
        };
        let line = format!(
            "Child {}, {age}: {}, score {}; {reach}.",
            shown(&c.id),
            c.level,
            c.score
        );
        out.push_str(&wrap("-", "  ", &line));
    }
    out.push('\n');
    out
}

fn contacts(view: &View) -> String {
    let contacts = &view.contacts;
    let mut out = wrap("", "", &format!("{}:", contacts.heading));
    if let Some(note) = &contacts.note {
        out.push_str(&wrap("", "", note));
    }
    for (i, c) in contacts.rows.iter().enumerate() {
        let reach: Vec<&str> = [c.phone.as_deref(), c.email.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let mut when = c.when.chars();
        let when: String = when
            .next()
            .map(|first| first.to_uppercase().chain(when).collect())
            .unwrap_or_default();
        let line = format!(
            "{}: {}. {when}. Hours: {}.",
            c.name,
            reach.join(" or "),
            c.hours
        );
        out.push_str(&wrap(&format!("{:>2}.", i + 1), "    ", &line));
    }
    out.push('\n');
    out
}

fn unknowns(view: &View) -> String {
    if view.unknowns.is_empty() {
        return String::new();
    }
    let mut out = String::from("Still unknown:\n");
    for u in &view.unknowns {
        out.push_str(&wrap("-", "  ", &super::table::unknown_line(u)));
    }
    out.push('\n');
    out
}

/// Why each child's level is what it is: every rule that moved it, with its source.
pub fn reasons(rules: &RuleSet, outcome: &Outcome) -> String {
    why(&View::of(rules, outcome))
}

fn why(view: &View) -> String {
    if view.children.is_empty() {
        return "Why: no children were recorded, so no level was decided.\n\n".into();
    }
    let mut out = String::from("Why:\n");
    out.push_str(&super::table::reason_lines(view, |source| {
        format!(". Source: {source}")
    }));
    out.push('\n');
    out
}
