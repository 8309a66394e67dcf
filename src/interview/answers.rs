//! The answers of an interview as the review and the decision record list them: by
//! household and child, with what was not asked, and the name their files are saved under.
//! Text only, no terminal: `threshold check` and `threshold-web` (web/) give the same
//! record.

use super::flow::{Flow, Subject};
use crate::question::Answer;

/// An answer as the review and the record show it.
pub fn answer_word(answer: Answer, asked: bool) -> String {
    match answer {
        Answer::Unknown if asked => "not known".into(),
        Answer::Unknown => "not asked".into(),
        other => other.label(),
    }
}

/// One section of answers: its title and (question, answer) rows.
pub struct Section {
    pub title: String,
    pub rows: Vec<(String, String)>,
}

/// "Child A, age 7" or "Child B, unborn".
pub fn child_title(flow: &Flow, index: usize) -> String {
    let child = &flow.case.children[index];
    match child.age {
        Some(age) => format!("Child {}, age {age}", crate::render::shown(&child.id)),
        None => format!("Child {}, unborn", crate::render::shown(&child.id)),
    }
}

/// Every answer given or asked, by household and child. `full` gives the question's
/// prompt (for the record); otherwise its short name (for the screen).
pub fn sections(flow: &Flow, full: bool) -> Vec<Section> {
    let bank = &flow.rules().questions;
    let mut sections = vec![Section {
        title: "Household and adult".into(),
        rows: Vec::new(),
    }];
    sections.extend((0..flow.case.children.len()).map(|i| Section {
        title: child_title(flow, i),
        rows: Vec::new(),
    }));
    for (subject, q) in flow.questions() {
        let answer = flow.answer_of(subject, q);
        let asked = flow.asked(subject, q);
        if answer.is_unknown() && !asked {
            continue;
        }
        let question = bank.question(q);
        let name = if full {
            question.prompt.trim().to_string()
        } else {
            question.short.clone()
        };
        let word = answer_word(answer, asked);
        let index = match subject {
            Subject::Household => 0,
            Subject::Child(i) => i + 1,
        };
        sections[index].rows.push((name, word));
    }
    sections
}

/// The questions that applied but were not asked, by short name (and child).
pub fn not_asked_names(flow: &Flow) -> Vec<String> {
    let bank = &flow.rules().questions;
    flow.not_asked()
        .into_iter()
        .map(|(subject, q)| {
            let short = &bank.question(q).short;
            match subject {
                Subject::Household => short.clone(),
                Subject::Child(i) => format!(
                    "{short} ({})",
                    crate::render::shown(&flow.case.children[i].id)
                ),
            }
        })
        .collect()
}

/// A file name from a case reference and the time: letters, digits, `-` and `_` only.
pub fn file_stem(reference: Option<&str>, moment: &jiff::ZonedDateTime) -> String {
    let reference: String = reference
        .unwrap_or("threshold")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    let london = moment.with_time_zone(crate::hours::london().clone());
    format!("{reference}-{}", london.strftime("%Y-%m-%d-%H%M"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_stem_keeps_only_safe_characters() {
        let at = crate::hours::parse_moment("2026-11-24T10:00").unwrap();
        assert_eq!(
            file_stem(Some("CASE 42/../x"), &at),
            "CASE-42----x-2026-11-24-1000"
        );
        assert_eq!(file_stem(None, &at), "threshold-2026-11-24-1000");
    }
}
