//! The one screen a result ends with (issue: "the result scrolls away"): each child's
//! level, with how high it could reach when that is higher, the first action, and the first
//! numbers to ring with what to do with them — at most `MAX_LINES` lines, wrapped to the
//! terminal's width (60 to 80 columns), so it stays on screen above the menu at 80x24.

use super::view::View;
use crate::engine::Outcome;
use crate::rules::RuleSet;

/// Lines the summary may take, leaving room for the menu below it on a 24-row screen.
pub const MAX_LINES: usize = 13;
const NUMBERS_SHOWN: usize = 3;

/// The width a summary is wrapped to, for a terminal `columns` wide.
pub fn width_for(columns: usize) -> usize {
    columns.clamp(60, 80)
}

pub fn render(rules: &RuleSet, outcome: &Outcome, columns: usize) -> String {
    let view = View::of(rules, outcome);
    let width = width_for(columns);
    let wrapped = |first: &str, indent: &str, text: &str| wrap(first, indent, text, width);
    let mut head = vec![format!("== In short: {} ==", view.area)];
    if let Some(emergency) = view.emergency {
        head.extend(wrapped("", "", emergency));
    } else if outcome.danger_not_ruled_out {
        head.extend(wrapped("", "", super::view::DANGER_NOT_RULED_OUT));
    }
    // Each child is one block of lines, kept whole or left out whole.
    let mut children: Vec<Vec<String>> = Vec::new();
    match &view.household {
        None => head.extend(wrapped("", "", "No children were recorded.")),
        Some(household) => {
            head.extend(wrapped("", "", &format!("Household: {household}")));
            for c in &view.children {
                let reach = c
                    .could_reach
                    .as_ref()
                    .map(|level| format!("; could reach {level} (answers not known)"))
                    .unwrap_or_default();
                let id = super::shown(&c.id);
                children.push(wrapped(
                    "-",
                    "  ",
                    &format!("{id} ({}): {}{reach}", c.age, c.level),
                ));
            }
        }
    }
    let first = view
        .actions
        .first()
        .map(|a| wrapped("First:", "  ", &first_sentence(&a.text)))
        .unwrap_or_default();
    let rows = &view.contacts.rows;
    // 999 is never left off: when it is not among the first numbers (no danger), it is
    // shown after them, with its place in the full list.
    let emergency = rows.iter().position(|c| c.phone.as_deref() == Some("999"));
    let calls_for = |numbers: usize| {
        let mut calls = vec![
            if view.contacts.urgent {
                "Ring now:"
            } else {
                "Who to call:"
            }
            .to_string(),
        ];
        let mut shown: Vec<usize> = (0..rows.len()).take(numbers).collect();
        if let Some(e) = emergency
            && !shown.contains(&e)
        {
            shown.push(e);
        }
        for i in shown {
            let c = &rows[i];
            // A number is never broken across lines: its spaces are kept together.
            let reach = c
                .phone
                .as_deref()
                .or(c.email.as_deref())
                .unwrap_or("")
                .replace(' ', KEEP);
            calls.extend(wrapped(
                &format!("{:>2}.", i + 1),
                "    ",
                &format!("{} {reach}: {}", c.name, c.when),
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
