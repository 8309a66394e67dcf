//! What the interview shows between questions: the opening words, the immediate-danger
//! panel, section headings and the review of every answer. Text only; it fits 80 columns.

use super::flow::{FIRST, Flow, Subject};
use crate::condition::Facts;
use crate::question::Answer;
use crate::render::table::{Styles, grid, wrap};
use crate::render::{JUDGEMENT_NOTE, open_label};
use crate::rules::model::Area;

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

/// Shown at once after the immediate-danger question, before anything else: the area's
/// routes that test it and hold (999 for a yes; "find out now" for not known, where the
/// area says so), with their numbers, emergency first.
pub fn danger(flow: &Flow, area: &Area, look: Look) -> Option<String> {
    let bank = &flow.rules().questions;
    let first = bank.get(FIRST)?;
    let facts = Facts::household(&flow.case.answers);
    let routes: Vec<_> = area
        .routes
        .iter()
        .filter(|r| r.when.mentions(first) && r.when.holds(&facts))
        .collect();
    if routes.is_empty() {
        return None;
    }
    let s = look.styles();
    let yes = flow.case.answers.get(first) == Answer::Yes;
    let mut out = String::from("\n");
    if yes {
        let alarm = crate::render::view::EMERGENCY;
        out.push_str(&format!("{}\n", s.alarm.apply_to(alarm)));
    }
    for route in &routes {
        out.push_str(&wrap("", "", route.text.trim()));
    }
    // Danger yes or not ruled out: 999 first, then the front door open now.
    let clock = area.bank_holidays.clock(flow.moment());
    let contacts = crate::engine::contacts_now(area, &[], clock, true, true);
    for (i, open) in contacts
        .iter()
        .filter(|c| c.call.ring_now() || c.call == crate::engine::Call::Later)
        .enumerate()
    {
        let contact = open.contact;
        let reach = contact
            .phone
            .as_deref()
            .or(contact.email.as_deref())
            .unwrap_or("");
        let line = format!("{}: {reach}, {}", contact.name, open_label(open));
        out.push_str(&wrap(&format!("{:>3}.", i + 1), "     ", &line));
    }
    if yes {
        out.push_str(&wrap(
            "",
            "",
            "Make the call first. The questions go on below when you are ready; they add \
             what else to do.",
        ));
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
