//! Whether a rendering of a result shows what its view holds: the levels, the urgency, the
//! numbers in the same order, what is not yet known, the unknowns and every basis. The
//! parity tests hold every format (and the page) to this.

use threshold::render::view::View;

/// What a format is expected to show in full; the one screen shows a part.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shows {
    Everything,
    OneScreen,
}

/// `text` with tables read back into rows (a cell's wrapped lines joined), Markdown's
/// escapes and emphasis taken off, and white space collapsed, so a sentence can be found
/// whatever the format did to lay it out.
pub fn normalise(text: &str) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut out: Vec<String> = Vec::new();
    let flush = |rows: &mut Vec<Vec<String>>, out: &mut Vec<String>| {
        for row in rows.drain(..) {
            out.push(row.join(" | "));
        }
    };
    for line in text.lines() {
        if let Some(inner) = line.strip_prefix('│') {
            let cells: Vec<String> = inner
                .trim_end_matches('│')
                .split('┆')
                .map(|c| c.trim().to_string())
                .collect();
            match rows.last_mut() {
                // A row goes on while its first cell is blank (a wrapped cell).
                Some(row) if cells[0].is_empty() && row.len() == cells.len() => {
                    for (cell, more) in row.iter_mut().zip(cells) {
                        if !more.is_empty() {
                            cell.push(' ');
                            cell.push_str(&more);
                        }
                    }
                }
                _ => rows.push(cells),
            }
        } else {
            flush(&mut rows, &mut out);
            if !line.starts_with(['┌', '╞', '└', '├']) {
                out.push(line.to_string());
            }
        }
    }
    flush(&mut rows, &mut out);
    let text = out.join("\n");
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|n| n.is_ascii_punctuation()) => {}
            '*' => {}
            '\u{a0}' => plain.push(' '),
            c => plain.push(c),
        }
    }
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every way `text` (already normalised) fails to show `view`; empty when it shows it all.
pub fn missing(view: &View, text: &str, shows: Shows) -> Vec<String> {
    let mut missing = Vec::new();
    let mut must = |what: &str, found: bool| {
        if !found {
            missing.push(what.to_string());
        }
    };
    let has = |s: &str| text.contains(&normalise(s));
    match view.emergency {
        Some(sentence) => must(&format!("the emergency: {sentence}"), has(sentence)),
        None => must("no emergency", !text.contains("EMERGENCY")),
    }
    match &view.household {
        Some(level) => must(&format!("the household level {level}"), has(level)),
        None => must(
            "no children",
            text.to_lowercase().contains("no children were recorded"),
        ),
    }
    for c in &view.children {
        must(
            &format!("child {}'s level {}", c.id, c.level),
            has(&c.level),
        );
        if let Some(reach) = &c.could_reach {
            must(&format!("child {} could reach {reach}", c.id), has(reach));
        }
    }
    let urgency = match shows {
        Shows::Everything => view.contacts.heading.clone(),
        Shows::OneScreen if view.contacts.urgent => "Ring now:".into(),
        Shows::OneScreen => "Who to call:".into(),
    };
    must(&format!("the urgency: {urgency}"), has(&urgency));
    // The numbers in the view's order; the one screen shows the first few and 999.
    let mut from = 0;
    for (i, row) in view.contacts.rows.iter().enumerate() {
        let Some(phone) = &row.phone else { continue };
        if shows == Shows::OneScreen && i >= 1 && phone != "999" {
            continue;
        }
        match text[from..].find(phone.as_str()) {
            Some(at) => from += at + phone.len(),
            None => must(&format!("number {} ({phone}) in order", i + 1), false),
        }
    }
    if shows == Shows::OneScreen {
        return missing;
    }
    for line in &view.not_yet_known {
        let words = match &line.child {
            Some(child) => format!("{child}: {}", line.text),
            None => line.text.clone(),
        };
        must(&format!("not yet known: {words}"), has(&words));
    }
    for u in &view.unknowns {
        must(
            &format!("unknowns of {}: {}", u.child, u.text),
            has(&u.text),
        );
    }
    for basis in [
        "this tool's reading of the source",
        "this tool's calibration",
    ] {
        let expected = view
            .reasons
            .iter()
            .map(|r| r.basis.matches(basis).count())
            .chain(view.actions.iter().map(|a| a.basis.matches(basis).count()))
            .chain(view.routes.iter().map(|r| r.basis.matches(basis).count()))
            .sum::<usize>();
        let found = text.matches(basis).count();
        must(
            &format!("{expected} times \"{basis}\" (found {found})"),
            found == expected,
        );
    }
    if let Some(recorded) = &view.recorded {
        must(
            &format!("the recorded level: {}", recorded.line),
            has(&recorded.line),
        );
    }
    must("the judgement note", has(view.judgement_note));
    missing
}
