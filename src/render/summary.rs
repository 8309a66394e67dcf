//! The one screen a result ends with (issue: "the result scrolls away"): each child's
//! level, with how high it could reach when that is higher, the first action, and the first
//! numbers to ring with what to do with them — at most `MAX_LINES` lines, wrapped to the
//! terminal's width (60 to 80 columns), so it stays on screen above the menu at 80x24.

use super::{level_label, open_label};
use crate::engine::Outcome;

/// Lines the summary may take, leaving room for the menu below it on a 24-row screen.
pub const MAX_LINES: usize = 15;
const CHILDREN_SHOWN: usize = 4;
const NUMBERS_SHOWN: usize = 3;

/// The width a summary is wrapped to, for a terminal `columns` wide.
pub fn width_for(columns: usize) -> usize {
    columns.clamp(60, 80)
}

pub fn render(outcome: &Outcome, columns: usize) -> String {
    let width = width_for(columns);
    let area = outcome.area;
    let mut lines: Vec<String> = vec![format!(
        "== In short ({}): supports, not replaces, your judgement ==",
        area.name
    )];
    let push = |first: &str, indent: &str, text: &str, lines: &mut Vec<String>| {
        lines.extend(wrap(first, indent, text, width));
    };
    if outcome.emergency {
        push("", "", "EMERGENCY: ring 999 now.", &mut lines);
    } else if outcome.danger_not_ruled_out {
        push(
            "",
            "",
            "Immediate danger NOT ruled out: find out now; if a child is in danger, ring 999.",
            &mut lines,
        );
    }
    match outcome.overall {
        None => push("", "", "No children were recorded.", &mut lines),
        Some(tier) => {
            push(
                "",
                "",
                &format!("Household: {}", level_label(area, tier)),
                &mut lines,
            );
            for c in outcome.children.iter().take(CHILDREN_SHOWN) {
                let reach = if c.could_reach > c.level {
                    format!(
                        "; could reach {} (answers not known)",
                        level_label(area, c.could_reach)
                    )
                } else {
                    String::new()
                };
                let age = c.child.age.map_or("unborn".to_string(), |a| format!("{a}"));
                push(
                    "-",
                    "  ",
                    &format!(
                        "{} ({age}): {}{reach}",
                        c.child.id,
                        level_label(area, c.level)
                    ),
                    &mut lines,
                );
            }
            let more = outcome.children.len().saturating_sub(CHILDREN_SHOWN);
            if more > 0 {
                push(
                    "-",
                    "  ",
                    &format!("and {more} more children (in the result above)"),
                    &mut lines,
                );
            }
        }
    }
    if let Some(action) = outcome.actions.first() {
        let text: String = first_sentence(action.text.trim());
        push("First:", "  ", &text, &mut lines);
    }
    let heading = if outcome.urgent {
        "Ring now:"
    } else {
        "Who to call:"
    };
    lines.push(heading.to_string());
    for (i, c) in outcome.contacts.iter().take(NUMBERS_SHOWN).enumerate() {
        let reach = c
            .contact
            .phone
            .as_deref()
            .or(c.contact.email.as_deref())
            .unwrap_or("");
        push(
            &format!("{:>2}.", i + 1),
            "    ",
            &format!("{} {reach}: {}", c.contact.name, open_label(c)),
            &mut lines,
        );
    }
    lines.push("Details: the result above; \"Why\" below gives every reason and source.".into());
    if lines.len() > MAX_LINES {
        // Keep the numbers: drop children lines from the middle rather than the calls.
        let keep_tail = lines.len() - MAX_LINES;
        let start = lines.iter().position(|l| l.starts_with("- ")).unwrap_or(1);
        lines.drain(start..(start + keep_tail).min(lines.len()));
    }
    lines.truncate(MAX_LINES);
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The first sentence (to a full stop or colon followed by a space), whole if short.
fn first_sentence(text: &str) -> String {
    let end = text
        .match_indices(". ")
        .map(|(i, _)| i + 1)
        .next()
        .unwrap_or(text.len());
    text[..end].to_string()
}

/// Wrap to `width` columns, first line starting with `first`, the others with `indent`.
fn wrap(first: &str, indent: &str, text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    for word in text.split_whitespace() {
        let empty = line.trim().is_empty() || line == first;
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(line.trim_end().to_string());
            line = indent.to_string();
        }
        if !line.is_empty() && !line.ends_with(' ') {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line.trim_end().to_string());
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrapping_keeps_every_line_within_the_width() {
        let text = "one two three four five six seven eight nine ten eleven twelve";
        for line in wrap("-", "  ", text, 20) {
            assert!(line.chars().count() <= 20, "{line}");
        }
        assert_eq!(wrap("", "", "short", 60), vec!["short"]);
    }
}
