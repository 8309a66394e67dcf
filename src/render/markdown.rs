//! The result as Markdown, ready to paste into case notes.

use super::{
    JUDGEMENT_NOTE, bank_holiday_note, contacts_heading, level_label, moment_label, open_label,
    provisional_lines, recorded_line, rules_label, unknown_labels,
};
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
pub fn contacts_table(contacts: &[crate::engine::ContactOutcome]) -> String {
    let mut out = String::from("| # | Who | Phone | Email | When |\n|---|---|---|---|---|\n");
    for (i, c) in contacts.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {}: {} |",
            i + 1,
            cell(&c.contact.name),
            c.contact.phone.as_deref().unwrap_or(""),
            c.contact.email.as_deref().unwrap_or(""),
            open_label(c),
            cell(&c.contact.hours.text)
        );
    }
    out
}

pub fn render(rules: &RuleSet, outcome: &Outcome) -> String {
    let area = outcome.area;
    let case = outcome.case;
    let mut out = String::new();
    let _ = writeln!(out, "## Threshold check: {}\n", area.name);
    if let Some(reference) = &case.reference {
        let _ = writeln!(out, "- Reference: {}", inline(reference));
    }
    let _ = writeln!(out, "- Assessed: {}", moment_label(&outcome.assessed_at));
    let _ = writeln!(out, "- Rules: {}", rules_label(rules, area));
    if outcome.emergency {
        let _ = writeln!(
            out,
            "\n**EMERGENCY: a child may be in immediate danger. Ring 999 now.**\n"
        );
    }
    let provisional = provisional_lines(rules, outcome);
    if !provisional.is_empty() {
        let _ = writeln!(out, "\n**NOT YET KNOWN**\n");
        for line in &provisional {
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }
    match outcome.overall {
        Some(tier) => {
            let _ = writeln!(out, "- Household level: **{}**", level_label(area, tier));
        }
        None => {
            let _ = writeln!(out, "- Household level: no children were recorded");
        }
    }
    if !outcome.children.is_empty() {
        let _ = writeln!(
            out,
            "\n### Children\n\n| Child | Age | Level | Score | Could reach |\n|---|---|---|---|---|"
        );
        for c in &outcome.children {
            let age = c.child.age.map_or("unborn".to_string(), |a| a.to_string());
            let _ = writeln!(
                out,
                "| {} | {age} | {} | {} | {} |",
                cell(&inline(&c.child.id)),
                level_label(area, c.level),
                c.score,
                level_label(area, c.could_reach)
            );
        }
    }

    let _ = writeln!(out, "\n### Contacts\n\n{}\n", contacts_heading(outcome));
    if let Some(note) = bank_holiday_note(outcome) {
        let _ = writeln!(out, "{note}\n");
    }
    out.push_str(&contacts_table(&outcome.contacts));

    let _ = writeln!(out, "\n### Next actions\n");
    for (i, a) in outcome.actions.iter().enumerate() {
        let _ = writeln!(out, "{}. {} _({})_", i + 1, a.text.trim(), a.source.trim());
    }

    let _ = writeln!(out, "\n### Routes\n");
    for r in &outcome.routes {
        let who = if r.children.is_empty() {
            String::new()
        } else {
            let ids: Vec<String> = r.children.iter().map(|id| inline(id)).collect();
            format!(" (child {})", ids.join(", "))
        };
        let _ = writeln!(
            out,
            "- **{}**{who}: {} _({})_",
            r.route.id,
            r.route.text.trim(),
            r.route.source.trim()
        );
        for point in &r.route.detail {
            let _ = writeln!(out, "  - {point}");
        }
    }

    if outcome.children.iter().any(|c| !c.unknowns.is_empty()) {
        let _ = writeln!(out, "\n### Still unknown\n");
        for (i, c) in outcome
            .children
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.unknowns.is_empty())
        {
            let _ = writeln!(
                out,
                "- {} (could reach {}): {}",
                cell(&inline(&c.child.id)),
                level_label(area, c.could_reach),
                unknown_labels(rules, outcome, i).join(", ")
            );
        }
    }

    if !outcome.children.is_empty() {
        let _ = writeln!(out, "\n### Why\n");
        for c in &outcome.children {
            if c.reasons.is_empty() {
                let _ = writeln!(out, "- {}: no concern recorded", inline(&c.child.id));
            }
            for r in &c.reasons {
                let _ = writeln!(
                    out,
                    "- {}: {} {} _({})_",
                    cell(&inline(&c.child.id)),
                    r.effect.label(),
                    r.label,
                    r.source.trim()
                );
            }
        }
    }

    if let Some(line) = recorded_line(outcome, inline) {
        let _ = writeln!(out, "\n{}", line.replace('|', "\\|"));
    }
    let _ = writeln!(out, "\n_{JUDGEMENT_NOTE}_");
    out
}
