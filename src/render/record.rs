//! The decision record a practitioner files in the case notes after `threshold check`
//! (Markdown): when, where and under which rules; the tool's result with its reasons and
//! sources; the practitioner's own judgement and reason, kept beside it; every answer.

use super::{level_label, moment_label};
use crate::engine::Outcome;
use crate::rules::{Origin, RuleSet};
use std::fmt::Write;

/// A heading and its (question, answer) rows.
pub struct Answers {
    pub title: String,
    pub rows: Vec<(String, String)>,
}

/// What the record holds beyond the result.
pub struct Notes {
    pub answers: Vec<Answers>,
    /// Questions that applied but were not asked, because no answer could change the result.
    pub not_asked: Vec<String>,
}

/// Table cells cannot hold a bare `|` or a line break (nor anything else unsafe).
fn cell(text: &str) -> String {
    super::shown(&text.replace('|', "\\|").replace('\n', " ")).into_owned()
}

/// The record; `made_with` names what made it (`threshold check`, or the offline page).
pub fn render(rules: &RuleSet, outcome: &Outcome, notes: &Notes, made_with: &str) -> String {
    let reason = outcome.case.recorded_reason.as_deref();
    let mut out = String::from("# Safeguarding threshold decision record\n\n");
    out.push_str(&provenance(rules, outcome));
    out.push_str(&judgement(outcome, reason));
    // The result as `threshold assess --format markdown` gives it for the same case.
    out.push_str(&super::markdown::render_view(
        &super::view::View::of(rules, outcome),
        "Result",
    ));
    out.push_str(&answers(notes));
    out.push_str(
        "\n## Sign-off\n\n- Completed by (name, role): \n- Discussed with (manager or \
         safeguarding lead), date: \n",
    );
    let _ = writeln!(
        out,
        "\n---\n\n_Made with {made_with}. A case file saved with this record \
         reloads the answers in `threshold assess` or `threshold check --answers`._"
    );
    out
}

fn provenance(rules: &RuleSet, outcome: &Outcome) -> String {
    let area = outcome.area;
    let origin = match &rules.origin {
        Origin::Bundled => "bundled with the program".to_string(),
        Origin::Local(dir) => format!("LOCAL copy from {}", dir.display()),
    };
    let reference = outcome
        .case
        .reference
        .as_deref()
        .map_or("none given".to_string(), super::markdown::inline);
    let mut out = String::from("| | |\n|---|---|\n");
    let rows = [
        (
            "Date and time",
            format!("{} (Europe/London)", moment_label(&outcome.assessed_at)),
        ),
        ("Area", format!("{} (`{}`)", area.name, area.id)),
        ("Guidance followed", area.edition.clone()),
        (
            "Rules",
            format!(
                "version {}, reviewed {}, {origin}",
                area.version, area.reviewed
            ),
        ),
        ("Rules fingerprint (SHA-256)", format!("`{}`", rules.sha256)),
        ("Case reference", reference),
        (
            "Program",
            format!("threshold {}", env!("CARGO_PKG_VERSION")),
        ),
    ];
    for (field, value) in rows {
        let _ = writeln!(out, "| {field} | {} |", cell(&value));
    }
    out.push('\n');
    out
}

fn judgement(outcome: &Outcome, reason: Option<&str>) -> String {
    let area = outcome.area;
    let mut out = String::from("## Professional judgement\n\n");
    let Some(tool) = outcome.overall else {
        out.push_str("No children were recorded, so the tool decided no level.\n\n");
        return out;
    };
    let _ = writeln!(
        out,
        "- The tool's level for the household: **{}**",
        level_label(area, tool)
    );
    match outcome.case.recorded_level {
        None => out.push_str("- The practitioner recorded no level of their own.\n"),
        Some(level) if level == tool => {
            out.push_str("- The practitioner agrees with the tool's level.\n");
        }
        Some(level) => {
            let _ = writeln!(
                out,
                "- The practitioner's judgement: **{}**, different from the tool's; both are kept.",
                level_label(area, level)
            );
            let _ = writeln!(
                out,
                "- The practitioner's reason: {}",
                reason.map_or("not given".to_string(), |r| cell(&super::markdown::inline(
                    r.trim()
                )))
            );
        }
    }
    if let Some(judged) = outcome.judged_higher() {
        let _ = writeln!(
            out,
            "\n### What {} calls for (the practitioner's level)\n",
            level_label(area, judged.tier)
        );
        for (i, action) in judged.actions.iter().enumerate() {
            let _ = writeln!(out, "{}. {}", i + 1, action.text.trim());
        }
        out.push('\n');
        out.push_str(&super::markdown::contacts_table(
            &super::view::contact_rows(&judged.contacts),
        ));
    }
    out.push('\n');
    out
}

fn answers(notes: &Notes) -> String {
    let mut out = String::from("\n## Answers given\n");
    for section in &notes.answers {
        let _ = writeln!(
            out,
            "\n### {}\n\n| Question | Answer |\n|---|---|",
            cell(&section.title)
        );
        if section.rows.is_empty() {
            out.push_str("| (none) | |\n");
        }
        for (question, answer) in &section.rows {
            let _ = writeln!(out, "| {} | {} |", cell(question), cell(answer));
        }
    }
    if !notes.not_asked.is_empty() {
        let _ = writeln!(
            out,
            "\nNot asked, because no answer to them could change the level, routes or actions \
             (they are recorded as unknown): {}.",
            notes.not_asked.join(", ")
        );
    }
    out
}
