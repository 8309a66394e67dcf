//! What the interview shows between questions: the opening words, the immediate-danger
//! panel, section headings and the review of every answer. Text only; it fits 80 columns.

use super::flow::{Flow, Subject};
use crate::render::JUDGEMENT_NOTE;
use crate::render::table::{Styles, grid, wrap};

pub use super::answers::{Section, answer_word, child_title, not_asked_names, sections};

/// How the interview draws: colour and box drawing, or neither (`--plain`).
#[derive(Debug, Clone, Copy)]
pub struct Look {
    pub plain: bool,
    pub styled: bool,
    /// The terminal's width in columns (the one-screen summary wraps to it, 60 to 80).
    pub columns: usize,
}

impl Look {
    fn styles(self) -> Styles {
        Styles::new(self.styled && !self.plain)
    }
}

pub fn opening(look: Look) -> String {
    let s = look.styles();
    let mut out = format!(
        "{}\n",
        s.heading
            .apply_to("threshold check: safeguarding threshold interview for a home visit")
    );
    out.push_str(&wrap(
        "",
        "",
        &format!(
            "{} It does not replace your agency's procedures or your safeguarding lead.",
            JUDGEMENT_NOTE
        ),
    ));
    out.push_str(&format!(
        "{}\n",
        s.alarm
            .apply_to("If a child is in immediate danger, ring 999.")
    ));
    out.push_str(&wrap(
        "",
        "",
        "Answer \"Not known\" when you do not know: it is never taken as reassuring. \
         Only questions that could change the result are asked. Ctrl-C stops at any \
         time; nothing is saved unless you ask.",
    ));
    out
}

pub fn heading(look: Look, text: &str) -> String {
    format!("\n{}\n", look.styles().heading.apply_to(text))
}

/// The immediate-danger panel ([`super::danger`]) as text.
pub fn danger(flow: &Flow, look: Look) -> Option<String> {
    let panel = super::danger::panel(flow)?;
    let s = look.styles();
    let mut out = String::from("\n");
    if let Some(alarm) = panel.alarm {
        out.push_str(&format!("{}\n", s.alarm.apply_to(alarm)));
    }
    for text in &panel.routes {
        out.push_str(&wrap("", "", text));
    }
    for (i, contact) in panel.contacts.iter().enumerate() {
        let line = format!("{}: {}, {}", contact.name, contact.reach, contact.open);
        out.push_str(&wrap(&format!("{:>3}.", i + 1), "     ", &line));
    }
    if let Some(then) = panel.then {
        out.push_str(&wrap("", "", then));
    }
    out.push('\n');
    Some(out)
}

/// The review: every answer, what was not asked, and answers a change left behind.
pub fn review(flow: &Flow, look: Look) -> String {
    let mut out = heading(look, "Your answers");
    if let Some(area) = flow.area() {
        out.push_str(&format!("Area: {}\n", area.name));
    }
    for section in sections(flow, false) {
        out.push_str(&section_text(&section, look));
    }
    if flow.case.children.is_empty() {
        out.push_str("No children recorded.\n");
    }
    let note = not_asked_note(flow);
    if !note.is_empty() {
        out.push('\n');
        out.push_str(&note);
    }
    out
}

fn section_text(section: &Section, look: Look) -> String {
    if look.plain {
        let mut out = format!("\n{}:\n", section.title);
        if section.rows.is_empty() {
            out.push_str("- no answers yet\n");
        }
        for (question, answer) in &section.rows {
            out.push_str(&wrap("-", "  ", &format!("{question}: {answer}")));
        }
        return out;
    }
    let mut table = grid(&[section.title.as_str(), "Answer"]);
    for (question, answer) in &section.rows {
        table.add_row(vec![question.clone(), answer.clone()]);
    }
    if section.rows.is_empty() {
        table.add_row(vec!["no answers yet".to_string(), String::new()]);
    }
    format!("{table}\n")
}

/// "Not asked, because no answer could change the result: ..." (empty if none).
pub fn not_asked_note(flow: &Flow) -> String {
    let names = not_asked_names(flow);
    if names.is_empty() {
        return String::new();
    }
    wrap(
        "",
        "",
        &format!(
            "Not asked, because no answer to them could change the level, routes or \
             actions (they stay unknown; you can answer them with \"Change an answer\"): {}.",
            names.join(", ")
        ),
    )
}

/// What an entry in "Change an answer" says.
pub fn entry(flow: &Flow, subject: Subject, q: crate::question::QId) -> String {
    let question = flow.rules().questions.question(q);
    let who = match subject {
        Subject::Household => "Household".to_string(),
        Subject::Child(i) => format!("Child {}", flow.case.children[i].id),
    };
    let answer = answer_word(flow.answer_of(subject, q), flow.asked(subject, q));
    format!("{who} · {}: {answer}", question.short)
}
