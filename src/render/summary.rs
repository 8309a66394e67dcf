//! The one screen a result ends with (issue: "the result scrolls away"): each child's
//! level, with how high it could reach when that is higher, the first action, and the first
//! numbers to ring with what to do with them — at most `MAX_LINES` lines, wrapped to the
//! terminal's width (60 to 80 columns), so it stays on screen above the menu at 80x24.

use super::{level_label, open_label};
use crate::engine::Outcome;

/// Lines the summary may take, leaving room for the menu below it on a 24-row screen.
pub const MAX_LINES: usize = 13;
const NUMBERS_SHOWN: usize = 3;

/// The width a summary is wrapped to, for a terminal `columns` wide.
pub fn width_for(columns: usize) -> usize {
    columns.clamp(60, 80)
}

pub fn render(outcome: &Outcome, columns: usize) -> String {
    let width = width_for(columns);
    let area = outcome.area;
    let wrapped = |first: &str, indent: &str, text: &str| wrap(first, indent, text, width);
    let mut head = vec![format!("== In short: {} ==", area.name)];
    if outcome.emergency {
        head.extend(wrapped("", "", "EMERGENCY: ring 999 now."));
    } else if outcome.danger_not_ruled_out {
        head.extend(wrapped(
            "",
            "",
            "Immediate danger NOT ruled out: find out now; if a child is in danger, ring 999.",
        ));
    }
    // Each child is one block of lines, kept whole or left out whole.
    let mut children: Vec<Vec<String>> = Vec::new();
    match outcome.overall {
        None => head.extend(wrapped("", "", "No children were recorded.")),
        Some(tier) => {
            head.extend(wrapped(
                "",
                "",
                &format!("Household: {}", level_label(area, tier)),
            ));
            for c in &outcome.children {
                let reach = if c.could_reach > c.level {
                    format!(
                        "; could reach {} (answers not known)",
                        level_label(area, c.could_reach)
                    )
                } else {
                    String::new()
                };
                let age = c.child.age.map_or("unborn".to_string(), |a| format!("{a}"));
                let id = super::shown(&c.child.id);
                children.push(wrapped(
                    "-",
                    "  ",
                    &format!("{id} ({age}): {}{reach}", level_label(area, c.level)),
                ));
            }
        }
    }
    let first = outcome
        .actions
        .first()
        .map(|a| wrapped("First:", "  ", &first_sentence(a.text.trim())))
        .unwrap_or_default();
    let calls_for = |numbers: usize| {
        let mut calls = vec![
            if outcome.urgent {
                "Ring now:"
            } else {
                "Who to call:"
            }
            .to_string(),
        ];
        for (i, c) in outcome.contacts.iter().take(numbers).enumerate() {
            // A number is never broken across lines: its spaces are kept together.
            let reach = c
                .contact
                .phone
                .as_deref()
                .or(c.contact.email.as_deref())
                .unwrap_or("")
                .replace(' ', KEEP);
            calls.extend(wrapped(
                &format!("{:>2}.", i + 1),
                "    ",
                &format!("{} {reach}: {}", c.contact.name, open_label(c)),
            ));
        }
        calls
    };
    let foot = wrapped(
        "",
        "",
        "Supports, not replaces, your judgement. \"Why\": every reason.",
    );
    // What matters most on a doorstep: every child's level, then the numbers. When it
    // does not all fit, the first action shortens first, then fewer numbers are shown,
    // and only then are children left out (saying how many).
    let all_children: Vec<String> = children.iter().flatten().cloned().collect();
    let mut chosen = None;
    'fit: for numbers in [NUMBERS_SHOWN, 2, 1] {
        for first_lines in [first.len(), 1, 0] {
            let calls = calls_for(numbers);
            let lines = head.len() + all_children.len() + first_lines + calls.len() + foot.len();
            if lines <= MAX_LINES {
                chosen = Some((first_lines, calls));
                break 'fit;
            }
        }
    }
    let (first_lines, calls, shown_children) = match chosen {
        Some((first_lines, calls)) => (first_lines, calls, all_children),
        None => {
            let calls = calls_for(1);
            let room = MAX_LINES.saturating_sub(head.len() + calls.len() + foot.len() + 1);
            let mut kept: Vec<String> = Vec::new();
            let mut left_out = 0;
            for block in &children {
                if left_out == 0 && kept.len() + block.len() <= room {
                    kept.extend(block.iter().cloned());
                } else {
                    left_out += 1;
                }
            }
            kept.extend(wrapped(
                "-",
                "  ",
                &format!("and {left_out} more (in the result above)"),
            ));
            (0, calls, kept)
        }
    };
    let lines: Vec<String> = head
        .into_iter()
        .chain(shown_children)
        .chain(first.into_iter().take(first_lines))
        .chain(calls)
        .chain(foot)
        .collect();
    let mut out = lines.join("\n").replace(KEEP, " ");
    out.push('\n');
    out
}

/// Holds a phone number's groups together while wrapping (a no-break space, replaced by a
/// plain space in the output).
const KEEP: &str = "\u{a0}";

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
    // Split on plain spaces only: a no-break space holds a phone number together.
    for word in text.split([' ', '\n', '\t']).filter(|w| !w.is_empty()) {
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
