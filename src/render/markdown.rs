//! The result as Markdown, ready to paste into case notes.

use super::view::{ContactRow, Line, View};
use crate::engine::Outcome;
use crate::rules::RuleSet;
use std::fmt::Write;

/// Table cells cannot hold a bare `|` or a line break.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Text from a case file in Markdown: escaped for the terminal (`super::shown`: a line
/// break becomes `\n`, so it cannot start a forged line), and Markdown's own marks
/// backslash-escaped, so a reference cannot become a link or emphasis (in a table, put
/// it through `cell` too).
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in super::shown(text).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The numbers as a Markdown table, in order, with what to do with each.
pub fn contacts_table(rows: &[ContactRow]) -> String {
    let mut out = String::from("| # | Who | Phone | Email | When |\n|---|---|---|---|---|\n");
    for (i, c) in rows.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {}: {} |",
            i + 1,
            cell(&c.name),
            c.phone.as_deref().unwrap_or(""),
            c.email.as_deref().unwrap_or(""),
            c.when,
            cell(&c.hours)
        );
    }
    out
}

/// A line of the view: the child's label escaped, then the words.
fn line(line: &Line) -> String {
    match &line.child {
        Some(child) => format!("{}: {}", inline(child), line.text),
        None => line.text.clone(),
    }
}

pub fn render(rules: &RuleSet, outcome: &Outcome) -> String {
    render_view(&View::of(rules, outcome), "Threshold check")
}

/// The view under a second-level heading, `heading: area`.
pub fn render_view(view: &View, heading: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {heading}: {}\n", view.area);
    if let Some(reference) = &view.reference {
        let _ = writeln!(out, "- Reference: {}", inline(reference));
    }
    let _ = writeln!(out, "- Assessed: {}", view.assessed);
    let _ = writeln!(out, "- Rules: {}", view.rules);
    if let Some(emergency) = view.emergency {
        let _ = writeln!(out, "\n**{emergency}**\n");
    }
    if !view.not_yet_known.is_empty() {
        let _ = writeln!(out, "\n**NOT YET KNOWN**\n");
        for l in &view.not_yet_known {
            let _ = writeln!(out, "- {}", line(l));
        }
        out.push('\n');
    }
    match &view.household {
        Some(household) => {
            let _ = writeln!(out, "- Household level: **{household}**");
        }
        None => {
            let _ = writeln!(out, "- Household level: no children were recorded");
        }
    }
    if !view.children.is_empty() {
        let _ = writeln!(
            out,
            "\n### Children\n\n| Child | Age | Level | Score | Could reach |\n|---|---|---|---|---|"
        );
        for c in &view.children {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&inline(&c.id)),
                c.age,
                c.level,
                c.score,
                c.could_reach.as_deref().unwrap_or("no higher")
            );
        }
    }

    let contacts = &view.contacts;
    let _ = writeln!(out, "\n### Contacts\n\n{}\n", contacts.heading);
    if let Some(note) = &contacts.note {
        let _ = writeln!(out, "{note}\n");
    }
    out.push_str(&contacts_table(&contacts.rows));

    let _ = writeln!(out, "\n### Next actions\n");
    for (i, a) in view.actions.iter().enumerate() {
        let _ = writeln!(out, "{}. {}{} _({})_", i + 1, a.text, a.basis, a.source);
    }

    let _ = writeln!(out, "\n### Routes\n");
    for r in &view.routes {
        let who = if r.children.is_empty() {
            String::new()
        } else {
            let ids: Vec<String> = r.children.iter().map(|id| inline(id)).collect();
            format!(" (child {})", ids.join(", "))
        };
        let _ = writeln!(
            out,
            "- **{}**{who}: {}{} _({})_",
            r.id, r.text, r.basis, r.source
        );
        for point in &r.detail {
            let _ = writeln!(out, "  - {point}");
        }
    }

    if !view.unknowns.is_empty() {
        let _ = writeln!(out, "\n### Still unknown\n");
        for u in &view.unknowns {
            let text = format!(
                "- {} (could reach {}): {}",
                inline(&u.child),
                u.could_reach,
                u.text
            );
            let _ = writeln!(out, "{text}");
        }
    }

    if !view.children.is_empty() {
        let _ = writeln!(out, "\n### Why\n");
        for r in &view.reasons {
            if r.effect.is_empty() {
                let _ = writeln!(out, "- {}: {}", inline(&r.child), r.label);
            } else {
                let _ = writeln!(
                    out,
                    "- {}: {} {}{} _({})_",
                    inline(&r.child),
                    r.effect,
                    r.label,
                    r.basis,
                    r.source
                );
            }
        }
    }

    if let Some(recorded) = &view.recorded {
        let reason = recorded
            .reason
            .as_deref()
            .map(|r| format!(" Reason: {}", inline(r)))
            .unwrap_or_default();
        let _ = writeln!(out, "\n{}{}", recorded.line, reason.replace('|', "\\|"));
    }
    let _ = writeln!(out, "\n_{}_", view.judgement_note);
    out
}
