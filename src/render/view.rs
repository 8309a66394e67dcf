//! One view of a result, built once from the engine's outcome: the sections a person reads,
//! in order, with every sentence worded here. The terminal table, the plain lines, the
//! Markdown, the one screen, the decision record and the page render this and decide
//! nothing: none of them words the emergency, the urgency, what is not yet known or a
//! reason's basis on its own.
//!
//! Text that comes from a case file (a reference, a child's label, the practitioner's
//! reason) is kept as it was given, in fields of its own, and each format escapes it for
//! itself (`shown` for a terminal, `markdown::inline`, the page's `textContent`).

use super::{bank_holiday_note, contacts_heading, level_label, open_label, rules_label};
use crate::engine::{self, ContactOutcome, Outcome, Raise};
use crate::question::{QId, Worrying};
use crate::rules::RuleSet;
use crate::rules::model::{Area, Basis, SourceDocument};
use serde::Serialize;

/// The sentence every emergency leads with, in every format.
pub const EMERGENCY: &str = "EMERGENCY: a child may be in immediate danger. Ring 999 now.";
/// The line a result that rests on unknown answers ends its lead with.
pub const PROVISIONAL: &str = "This result is provisional: it rests on answers not yet known.";
/// What a result leads with while immediate danger has not been ruled out.
pub const DANGER_NOT_RULED_OUT: &str = "Immediate danger has NOT been ruled out: find out now whether any child is in danger. If one is, ring 999.";
/// How many unknown answers the lead names for a child, the ones that raise it most.
pub const FIND_OUT_FIRST: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// "threshold: Trafford".
    pub title: String,
    pub area: String,
    /// Which rules, their version, review date, origin and fingerprint.
    pub rules: String,
    /// When the case was assessed, in words.
    pub assessed: String,
    /// The case's reference, as given.
    pub reference: Option<String>,
    /// [`EMERGENCY`] when a child may be in immediate danger.
    pub emergency: Option<&'static str>,
    /// What is not yet known, first: empty when nothing unknown could raise the result.
    pub not_yet_known: Vec<Line>,
    /// "Level 2 Getting Help"; `None` when no children were recorded.
    pub household: Option<String>,
    pub children: Vec<ChildRow>,
    pub contacts: Contacts,
    pub actions: Vec<Cited>,
    pub routes: Vec<RouteRow>,
    /// Each child with unknown answers, and which.
    pub unknowns: Vec<Unknowns>,
    /// Why each child's level is what it is.
    pub reasons: Vec<ReasonRow>,
    pub recorded: Option<Recorded>,
    pub judgement_note: &'static str,
}

/// A line that may be about one child: the child's label (as given) and the words after it.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub child: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChildRow {
    pub id: String,
    /// "6" or "unborn".
    pub age: String,
    pub level: String,
    pub score: i32,
    /// How high unknown answers could take the child; `None` when no higher.
    pub could_reach: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Contacts {
    /// What the order follows and the moment it is for: "Ring now, in this order (…)" or
    /// "Who to call, in this order (this can wait for the daytime service; …)".
    pub heading: String,
    /// The case cannot wait.
    pub urgent: bool,
    /// What the list must say about a bank holiday, if anything.
    pub note: Option<String>,
    pub rows: Vec<ContactRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactRow {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// What to do with it now: "RING NOW", "next working day: opens Mon 28 Dec 08:30", …
    pub when: String,
    pub hours: String,
    /// Ring this one now (999 in danger, or the service open now for what cannot wait).
    pub ring_now: bool,
}

/// Something to do or read, with its source by title and what it rests on.
#[derive(Debug, Clone, Serialize)]
pub struct Cited {
    pub text: String,
    pub source: String,
    /// " (this tool's reading of the source)" and the like; empty when the source says it.
    pub basis: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouteRow {
    pub id: String,
    /// The children it is for, as given; empty when it comes from household answers.
    pub children: Vec<String>,
    pub text: String,
    pub detail: Vec<String>,
    pub source: String,
    pub basis: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unknowns {
    pub child: String,
    pub could_reach: String,
    /// The unknown answers that alone could raise the level, by the level each could give,
    /// highest first.
    pub alone: Vec<Raising>,
    /// Unknown answers that could raise it only together with others.
    pub together: Vec<String>,
    /// Strengths not known: they shape the plan and never raise a level.
    pub strengths: Vec<String>,
    /// All of it in words (see [`Unknowns::words`]).
    pub text: String,
}

/// The unknown answers (short phrases) that alone could give `level`.
#[derive(Debug, Clone, Serialize)]
pub struct Raising {
    pub level: String,
    pub questions: Vec<String>,
}

impl Unknowns {
    /// "alone could give Level 4: a, b; alone could give Level 3: c; with other answers: d;
    /// strengths not known (they never raise a level): e".
    fn words(&self) -> String {
        let mut parts: Vec<String> = self
            .alone
            .iter()
            .map(|g| format!("alone could give {}: {}", g.level, g.questions.join(", ")))
            .collect();
        if !self.together.is_empty() {
            let with = if self.alone.is_empty() {
                "could raise it together"
            } else {
                "with other answers"
            };
            parts.push(format!("{with}: {}", self.together.join(", ")));
        }
        if !self.strengths.is_empty() {
            parts.push(format!(
                "strengths not known (they never raise a level): {}",
                self.strengths.join(", ")
            ));
        }
        parts.join("; ")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ReasonRow {
    pub child: String,
    /// "+2", "floor 3", "held at 2", "points stop at 3"; empty for "no concern recorded".
    pub effect: String,
    pub label: String,
    /// The basis and layer, as words to put after the label; empty when the source says it.
    pub basis: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    /// "Recorded level: 2 Getting Help (the tool says 1 Getting Advice; both are kept)."
    pub line: String,
    /// The practitioner's reason as given, its white space collapsed.
    pub reason: Option<String>,
}

impl View {
    /// The view of `outcome` under `rules` (whose question bank words the unknowns).
    pub fn of(rules: &RuleSet, outcome: &Outcome) -> View {
        let area = outcome.area;
        let case = outcome.case;
        let raised = engine::raised_by(outcome, &rules.questions, &outcome.contacts_moment);
        View {
            title: format!("threshold: {}", area.name),
            area: area.name.clone(),
            rules: rules_label(rules, area),
            assessed: super::moment_label(&outcome.assessed_at),
            reference: case.reference.clone(),
            emergency: outcome.emergency.then_some(EMERGENCY),
            not_yet_known: not_yet_known(rules, outcome, &raised),
            household: outcome.overall.map(|tier| level_label(area, tier)),
            children: outcome
                .children
                .iter()
                .map(|c| ChildRow {
                    id: c.child.id.clone(),
                    age: c.child.age.map_or("unborn".into(), |a| a.to_string()),
                    level: level_label(area, c.level),
                    score: c.score,
                    could_reach: (c.could_reach > c.level)
                        .then(|| level_label(area, c.could_reach)),
                })
                .collect(),
            contacts: Contacts {
                heading: contacts_heading(outcome),
                urgent: outcome.urgent,
                note: bank_holiday_note(outcome),
                rows: contact_rows(&outcome.contacts),
            },
            actions: outcome
                .actions
                .iter()
                .map(|a| Cited {
                    text: a.text.trim().to_string(),
                    source: source_label(rules, area, &a.source),
                    basis: basis_note(a.basis),
                })
                .collect(),
            routes: outcome
                .routes
                .iter()
                .map(|r| RouteRow {
                    id: r.route.id.clone(),
                    children: r.children.iter().map(|c| c.to_string()).collect(),
                    text: r.route.text.trim().to_string(),
                    detail: r.route.detail.clone(),
                    source: source_label(rules, area, &r.route.source),
                    basis: basis_note(r.route.basis),
                })
                .collect(),
            unknowns: unknowns(rules, outcome, &raised),
            reasons: reasons(rules, outcome),
            recorded: recorded(outcome),
            judgement_note: super::JUDGEMENT_NOTE,
        }
    }
}

/// The contacts as rows, in order.
pub fn contact_rows(contacts: &[ContactOutcome]) -> Vec<ContactRow> {
    contacts
        .iter()
        .map(|c| ContactRow {
            name: c.contact.name.clone(),
            phone: c.contact.phone.clone(),
            email: c.contact.email.clone(),
            when: open_label(c),
            hours: c.contact.hours.text.trim().to_string(),
            ring_now: c.call.ring_now(),
        })
        .collect()
}

/// A rule's source as a person reads it: each document it cites by its title in place of
/// its key (a seed's file name, a page's short name), then the section as written.
pub fn source_label(rules: &RuleSet, area: &Area, source: &str) -> String {
    titled(
        area.sources.iter().chain(rules.question_sources.iter()),
        source,
    )
}

/// Each part of `source` (parts are separated by "; ") that begins with a document's key,
/// with the document's title in place of the key.
fn titled<'d>(documents: impl Iterator<Item = &'d SourceDocument> + Clone, source: &str) -> String {
    source
        .trim()
        .split("; ")
        .map(|part| {
            let best = documents
                .clone()
                .filter(|d| part.starts_with(d.key.as_str()))
                .max_by_key(|d| d.key.len());
            match best {
                Some(d) => format!("{}{}", d.title, &part[d.key.len()..]),
                None => part.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A question's source as a person reads it: the document's title, then the section.
pub fn question_source(rules: &RuleSet, source: &str) -> String {
    titled(rules.question_sources.iter(), source)
}

fn basis_note(basis: Basis) -> String {
    match basis {
        Basis::Source => String::new(),
        Basis::Interpretation => " (this tool's reading of the source)".into(),
        Basis::Calibration => " (this tool's calibration)".into(),
    }
}

fn not_yet_known(rules: &RuleSet, outcome: &Outcome, raised: &[Vec<engine::Raise>]) -> Vec<Line> {
    let mut lines = Vec::new();
    if !outcome.provisional() {
        return lines;
    }
    let area = outcome.area;
    if outcome.danger_not_ruled_out {
        lines.push(Line {
            child: None,
            text: DANGER_NOT_RULED_OUT.into(),
        });
    }
    for (c, raises) in outcome.children.iter().zip(raised) {
        if c.could_reach <= c.level {
            continue;
        }
        let find = match raises.first() {
            None => "no one answer alone raises it, but together the unknown answers could: see \"Still unknown\"".to_string(),
            Some(top) => {
                let first: Vec<&Raise> = raises
                    .iter()
                    .filter(|r| r.to == top.to)
                    .take(FIND_OUT_FIRST)
                    .collect();
                let named: Vec<&str> = first
                    .iter()
                    .map(|r| rules.questions.question(r.question).short.as_str())
                    .collect();
                let each = if named.len() == 1 { "alone" } else { "each alone" };
                let more = raises.len() - named.len();
                let more = if more > 0 {
                    format!("; {more} more under \"Still unknown\"")
                } else {
                    String::new()
                };
                format!(
                    "find out first: {} ({each} could give {}{more})",
                    named.join(", "),
                    level_label(area, top.to)
                )
            }
        };
        lines.push(Line {
            child: Some(c.child.id.clone()),
            text: format!(
                "at {} now, could reach {}; {find}.",
                level_label(area, c.level),
                level_label(area, c.could_reach),
            ),
        });
    }
    lines.push(Line {
        child: None,
        text: PROVISIONAL.into(),
    });
    lines
}

fn unknowns(rules: &RuleSet, outcome: &Outcome, raised: &[Vec<engine::Raise>]) -> Vec<Unknowns> {
    let bank = &rules.questions;
    let area = outcome.area;
    let short = |q: QId| bank.question(q).short.clone();
    outcome
        .children
        .iter()
        .zip(raised)
        .filter(|(c, _)| !c.unknowns.is_empty())
        .map(|(c, raises)| {
            let mut alone: Vec<Raising> = Vec::new();
            for r in raises {
                let level = level_label(area, r.to);
                match alone.last_mut() {
                    Some(group) if group.level == level => group.questions.push(short(r.question)),
                    _ => alone.push(Raising {
                        level,
                        questions: vec![short(r.question)],
                    }),
                }
            }
            let (strengths, together): (Vec<QId>, Vec<QId>) = c
                .unknowns
                .iter()
                .copied()
                .filter(|q| !raises.iter().any(|r| r.question == *q))
                .partition(|q| bank.question(*q).worrying == Worrying::No);
            let mut unknowns = Unknowns {
                child: c.child.id.clone(),
                could_reach: level_label(area, c.could_reach),
                alone,
                together: together.into_iter().map(short).collect(),
                strengths: strengths.into_iter().map(short).collect(),
                text: String::new(),
            };
            unknowns.text = unknowns.words();
            unknowns
        })
        .collect()
}

fn reasons(rules: &RuleSet, outcome: &Outcome) -> Vec<ReasonRow> {
    let mut rows = Vec::new();
    for c in &outcome.children {
        if c.reasons.is_empty() {
            rows.push(ReasonRow {
                child: c.child.id.clone(),
                effect: String::new(),
                label: "no concern recorded".into(),
                basis: String::new(),
                source: String::new(),
            });
        }
        for r in &c.reasons {
            rows.push(ReasonRow {
                child: c.child.id.clone(),
                effect: r.effect.label(),
                label: r.label.trim().to_string(),
                basis: r.note(),
                source: source_label(rules, outcome.area, r.source),
            });
        }
    }
    rows
}

fn recorded(outcome: &Outcome) -> Option<Recorded> {
    let (recorded, tier) = (outcome.case.recorded_level?, outcome.overall?);
    let area = outcome.area;
    let verdict = if recorded == tier {
        "the tool agrees".to_string()
    } else {
        format!("the tool says {}; both are kept", level_label(area, tier))
    };
    Some(Recorded {
        line: format!(
            "Recorded level: {} ({verdict}).",
            level_label(area, recorded)
        ),
        reason: outcome
            .case
            .recorded_reason
            .as_deref()
            .map(|r| r.split_whitespace().collect::<Vec<_>>().join(" ")),
    })
}
