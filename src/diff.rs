//! What a change to the rules changes (`threshold rules diff OLD NEW`): every scenario and
//! example case whose level, routes or first contact moves in an area, and the rules
//! added, removed or changed, by id. Pure: the caller reads the folders and gives the
//! moment.

use crate::engine;
use crate::question::QuestionBank;
use crate::rules::RuleSet;
use crate::rules::model::{Area, RouteRole};
use crate::scenario;
use crate::values::Tier;
use std::collections::BTreeSet;

/// Something assessed under both rule sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Scenario,
    Case,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Scenario => "scenario",
            Kind::Case => "case",
        }
    }
}

/// A scenario or case file, read under each rule set's question bank in turn (a question
/// added or removed may make it readable under one and not the other).
#[derive(Debug, Clone)]
pub struct Subject {
    pub kind: Kind,
    /// The scenario's name, or the case file's name without `.yaml`.
    pub name: String,
    pub path: String,
    pub text: String,
}

/// What an outcome comes to, as far as the diff is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// "3 Getting More Help", or "no children".
    pub level: String,
    pub tier: Option<Tier>,
    pub routes: Vec<String>,
    /// The first number to ring at the given moment: the contact's id and name.
    pub first: Option<(String, String)>,
    /// The first number to ring out of hours (at the `out_of_hours` moment given to
    /// `compare`), so a change to the duty team shows too.
    pub first_out_of_hours: Option<(String, String)>,
}

/// One subject whose outcome moved in one area.
#[derive(Debug, Clone)]
pub struct Move {
    pub area: String,
    pub kind: Kind,
    pub name: String,
    /// `Err` when the subject cannot be read under that rule set's questions.
    pub old: Result<Snapshot, String>,
    pub new: Result<Snapshot, String>,
}

impl Move {
    /// What moved, in words: "level 2 Getting Help -> 3 Getting More Help; routes +referral
    /// -early_help; first call bridge -> salford_edt".
    pub fn describe(&self) -> String {
        match (&self.old, &self.new) {
            (Ok(old), Ok(new)) => {
                let mut parts = Vec::new();
                if old.tier != new.tier {
                    parts.push(format!("level {} -> {}", old.level, new.level));
                }
                if old.routes != new.routes {
                    let added: Vec<String> = new
                        .routes
                        .iter()
                        .filter(|r| !old.routes.contains(r))
                        .map(|r| format!("+{r}"))
                        .collect();
                    let removed: Vec<String> = old
                        .routes
                        .iter()
                        .filter(|r| !new.routes.contains(r))
                        .map(|r| format!("-{r}"))
                        .collect();
                    let mut words = added;
                    words.extend(removed);
                    if words.is_empty() {
                        words.push("reordered".into());
                    }
                    parts.push(format!("routes {}", words.join(" ")));
                }
                let name = |f: &Option<(String, String)>| {
                    f.as_ref()
                        .map_or("none".to_string(), |(id, name)| format!("{id} ({name})"))
                };
                if old.first != new.first {
                    parts.push(format!(
                        "first call {} -> {}",
                        name(&old.first),
                        name(&new.first)
                    ));
                }
                if old.first_out_of_hours != new.first_out_of_hours {
                    parts.push(format!(
                        "first call out of hours {} -> {}",
                        name(&old.first_out_of_hours),
                        name(&new.first_out_of_hours)
                    ));
                }
                parts.join("; ")
            }
            (old, new) => {
                let side = |s: &Result<Snapshot, String>| match s {
                    Ok(s) => s.level.clone(),
                    Err(e) => format!("cannot be read ({e})"),
                };
                format!("{} -> {}", side(old), side(new))
            }
        }
    }
}

/// The whole comparison.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The areas compared, in the new rules' order.
    pub areas: Vec<String>,
    pub scenarios: usize,
    pub cases: usize,
    pub moves: Vec<Move>,
    /// Rule-level differences: (area id, or "questions" / "bank holidays", what changed).
    pub changes: Vec<(String, String)>,
}

fn snapshot(area: &Area, outcome: &engine::Outcome, out_of_hours: &engine::Outcome) -> Snapshot {
    Snapshot {
        first_out_of_hours: out_of_hours
            .contacts
            .first()
            .map(|c| (c.contact.id.clone(), c.contact.name.clone())),
        level: outcome.overall.map_or("no children".to_string(), |t| {
            crate::render::level_label(area, t)
        }),
        tier: outcome.overall,
        routes: outcome.routes.iter().map(|r| r.route.id.clone()).collect(),
        first: outcome
            .contacts
            .first()
            .map(|c| (c.contact.id.clone(), c.contact.name.clone())),
    }
}

/// Each subject read under `bank`: its case, or why it cannot be read.
fn read_all(
    subjects: &[Subject],
    bank: &std::sync::Arc<QuestionBank>,
) -> Vec<Result<crate::case::Case, String>> {
    subjects
        .iter()
        .map(|s| match s.kind {
            Kind::Scenario => {
                let file = crate::rules::RuleFile {
                    path: s.path.clone(),
                    text: s.text.clone(),
                };
                scenario::load(std::slice::from_ref(&file), bank)
                    .map(|mut found| found.remove(0).case)
                    .map_err(|e| e.0.first().map_or(String::new(), |d| d.message.clone()))
            }
            Kind::Case => {
                crate::case::read(s.text.as_bytes(), &s.path, bank).map_err(|e| e.message)
            }
        })
        .collect()
}

/// Compare `old` and `new`: every subject in every area both have, at `at` (and the first
/// call also at `out_of_hours`).
pub fn compare(
    old: &RuleSet,
    new: &RuleSet,
    subjects: &[Subject],
    at: &jiff::ZonedDateTime,
    out_of_hours: &jiff::ZonedDateTime,
) -> Report {
    let old_cases = read_all(subjects, &old.questions);
    let new_cases = read_all(subjects, &new.questions);
    let mut report = Report {
        areas: new.areas.iter().map(|a| a.id.clone()).collect(),
        scenarios: subjects.iter().filter(|s| s.kind == Kind::Scenario).count(),
        cases: subjects.iter().filter(|s| s.kind == Kind::Case).count(),
        ..Report::default()
    };
    for new_area in &new.areas {
        let Some(old_area) = old.area(&new_area.id) else {
            continue;
        };
        for (i, subject) in subjects.iter().enumerate() {
            let assess =
                |area: &Area, rules: &RuleSet, case: &Result<crate::case::Case, String>| {
                    case.as_ref()
                        .map(|case| {
                            snapshot(
                                area,
                                &engine::assess(area, &rules.questions, case, at),
                                &engine::assess(area, &rules.questions, case, out_of_hours),
                            )
                        })
                        .map_err(Clone::clone)
                };
            let before = assess(old_area, old, &old_cases[i]);
            let after = assess(new_area, new, &new_cases[i]);
            if before != after {
                report.moves.push(Move {
                    area: new_area.id.clone(),
                    kind: subject.kind,
                    name: subject.name.clone(),
                    old: before,
                    new: after,
                });
            }
        }
    }
    report.changes = rule_changes(old, new);
    report
}

/// A short text for a changed field: the whole of it when short, else its first words.
fn short(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Control and invisible characters shown as escapes, never acted on.
    let flat = threshold_model::text::printable(&flat).into_owned();
    if flat.chars().count() <= 70 {
        format!("\"{flat}\"")
    } else {
        format!("\"{}...\"", flat.chars().take(67).collect::<String>())
    }
}

struct Changes<'a> {
    area: &'a str,
    found: Vec<(String, String)>,
}

impl Changes<'_> {
    fn push(&mut self, what: String) {
        self.found.push((self.area.to_string(), what));
    }

    /// `what` changed from `old` to `new` (compared as written, shown shortened).
    fn text(&mut self, what: &str, old: &str, new: &str) {
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat(old) != flat(new) {
            self.push(format!("{what}: {} -> {}", short(old), short(new)));
        }
    }

    fn value<T: PartialEq + std::fmt::Display>(&mut self, what: &str, old: T, new: T) {
        if old != new {
            self.push(format!("{what}: {old} -> {new}"));
        }
    }
}

/// A weight, floor or factor as the diff compares it.
struct Scored<'a> {
    id: &'a str,
    label: &'a str,
    /// "+3 points" or "floor at tier 4".
    effect: String,
    when: String,
    source: &'a str,
    basis: &'static str,
    rationale: &'a str,
}

fn scored<'a>(area: &'a Area, bank: &QuestionBank) -> [(&'static str, Vec<Scored<'a>>); 3] {
    let rule = |r: &'a crate::rules::model::Rule| Scored {
        id: &r.id,
        label: &r.label,
        effect: format!("{:+} points", r.points),
        when: bank.describe(&r.when),
        source: &r.source,
        basis: r.basis.label(),
        rationale: r.rationale.as_deref().unwrap_or(""),
    };
    let s = &area.scoring;
    [
        ("weight", s.weights.iter().map(rule).collect()),
        (
            "floor",
            s.floors
                .iter()
                .map(|f| Scored {
                    id: &f.id,
                    label: &f.label,
                    effect: format!("floor at tier {}", f.tier),
                    when: bank.describe(&f.when),
                    source: &f.source,
                    basis: f.basis.label(),
                    rationale: f.rationale.as_deref().unwrap_or(""),
                })
                .collect(),
        ),
        (
            "protective factor",
            s.protective.factors.iter().map(rule).collect(),
        ),
    ]
}

fn rule_changes(old: &RuleSet, new: &RuleSet) -> Vec<(String, String)> {
    let mut all = Vec::new();
    let mut questions = Changes {
        area: "questions",
        found: Vec::new(),
    };
    let ids = |rules: &RuleSet| -> BTreeSet<String> {
        rules
            .questions
            .questions()
            .map(|(_, q)| q.id.clone())
            .collect()
    };
    let (old_ids, new_ids) = (ids(old), ids(new));
    for id in new_ids.difference(&old_ids) {
        questions.push(format!("question `{id}` added"));
    }
    for id in old_ids.difference(&new_ids) {
        questions.push(format!("question `{id}` removed"));
    }
    for (_, q) in new.questions.questions() {
        if let Some(before) = old.questions.get(&q.id).map(|o| old.questions.question(o)) {
            questions.text(
                &format!("question `{}` prompt", q.id),
                &before.prompt,
                &q.prompt,
            );
            questions.text(
                &format!("question `{}` source", q.id),
                &before.source,
                &q.source,
            );
        }
    }
    all.extend(questions.found);

    for old_area in &old.areas {
        if new.area(&old_area.id).is_none() {
            all.push((old_area.id.clone(), "area removed".into()));
        }
    }
    let mut holidays_done = false;
    for area in &new.areas {
        let Some(before) = old.area(&area.id) else {
            all.push((area.id.clone(), "area added".into()));
            continue;
        };
        if !holidays_done {
            holidays_done = true;
            let mut c = Changes {
                area: "bank holidays",
                found: Vec::new(),
            };
            let (o, n) = (&before.bank_holidays, &area.bank_holidays);
            let show = |d: Option<jiff::civil::Date>| d.map_or("none".into(), |d| d.to_string());
            c.value("published to", show(o.published_to), show(n.published_to));
            for d in n.dates.iter().filter(|d| !o.dates.contains(d)) {
                c.push(format!("{d} added"));
            }
            for d in o.dates.iter().filter(|d| !n.dates.contains(d)) {
                c.push(format!("{d} removed"));
            }
            c.text("source", &o.source, &n.source);
            all.extend(c.found);
        }
        all.extend(area_changes(before, &old.questions, area, &new.questions));
    }
    all
}

fn area_changes(
    old: &Area,
    old_bank: &QuestionBank,
    new: &Area,
    new_bank: &QuestionBank,
) -> Vec<(String, String)> {
    let mut c = Changes {
        area: &new.id,
        found: Vec::new(),
    };
    c.ladder(old, new);
    c.thresholds(old, new);
    c.scoring(old, old_bank, new, new_bank);
    c.routes(old, old_bank, new, new_bank);
    c.actions(old, old_bank, new, new_bank);
    c.contacts(old, new);
    c.front_door_and_sources(old, new);
    c.found
}

impl Changes<'_> {
    /// The rules' version, review date, edition and ladder.
    fn ladder(&mut self, old: &Area, new: &Area) {
        self.value("version", &old.version, &new.version);
        self.value("reviewed", old.reviewed, new.reviewed);
        self.text("edition", &old.edition, &new.edition);

        for tier in Tier::ALL {
            self.text(
                &format!("level name for tier {tier}"),
                &old.level_name(tier),
                &new.level_name(tier),
            );
        }
        for level in &new.levels {
            if let Some(o) = old.levels.iter().find(|l| l.name == level.name) {
                self.text(
                    &format!("level `{}` descriptor", level.name),
                    &o.descriptor,
                    &level.descriptor,
                );
                self.text(
                    &format!("level `{}` source", level.name),
                    &o.source,
                    &level.source,
                );
            }
        }
    }

    /// The points each level is reached at.
    fn thresholds(&mut self, old: &Area, new: &Area) {
        for t in &new.scoring.thresholds {
            let what = format!("threshold for tier {}", t.tier);
            match old.scoring.thresholds.iter().find(|o| o.tier == t.tier) {
                None => self.push(format!("{what} added: {} points", t.at_least)),
                Some(o) => {
                    self.value(&format!("{what} points"), o.at_least, t.at_least);
                    self.value(&format!("{what} basis"), o.basis.label(), t.basis.label());
                    self.text(
                        &format!("{what} rationale"),
                        o.rationale.as_deref().unwrap_or(""),
                        t.rationale.as_deref().unwrap_or(""),
                    );
                    self.text(&format!("{what} source"), &o.source, &t.source);
                }
            }
        }
        for o in &old.scoring.thresholds {
            if !new.scoring.thresholds.iter().any(|t| t.tier == o.tier) {
                self.push(format!("threshold for tier {} removed", o.tier));
            }
        }
    }

    /// Weights, floors and strengths, and how far strengths may lower a level.
    fn scoring(
        &mut self,
        old: &Area,
        old_bank: &QuestionBank,
        new: &Area,
        new_bank: &QuestionBank,
    ) {
        let old_rules = scored(old, old_bank);
        let new_rules = scored(new, new_bank);
        for ((kind, before), (_, after)) in old_rules.iter().zip(&new_rules) {
            for rule in after {
                let what = format!("{kind} `{}`", rule.id);
                match before.iter().find(|o| o.id == rule.id) {
                    None => self.push(format!("{what} added: {}, when {}", rule.effect, rule.when)),
                    Some(o) => {
                        self.value(&what, &o.effect, &rule.effect);
                        self.text(&format!("{what} condition"), &o.when, &rule.when);
                        self.text(&format!("{what} label"), o.label, rule.label);
                        self.value(&format!("{what} basis"), o.basis, rule.basis);
                        self.text(&format!("{what} rationale"), o.rationale, rule.rationale);
                        self.text(&format!("{what} source"), o.source, rule.source);
                    }
                }
            }
            for o in before {
                if !after.iter().any(|r| r.id == o.id) {
                    self.push(format!(
                        "{kind} `{}` removed (was {}, when {})",
                        o.id, o.effect, o.when
                    ));
                }
            }
        }
        let (op, np) = (&old.scoring.protective, &new.scoring.protective);
        self.value("protective max_lowering", op.max_lowering, np.max_lowering);
        self.value(
            "protective not_from_tier",
            op.not_from_tier,
            np.not_from_tier,
        );
        self.text("protective source", &op.source, &np.source);
    }

    /// Each route, and their order.
    fn routes(&mut self, old: &Area, old_bank: &QuestionBank, new: &Area, new_bank: &QuestionBank) {
        for route in &new.routes {
            let what = format!("route `{}`", route.id);
            match old.routes.iter().find(|o| o.id == route.id) {
                None => self.push(format!(
                    "{what} added, when {}",
                    new_bank.describe(&route.when)
                )),
                Some(o) => {
                    self.text(
                        &format!("{what} condition"),
                        &old_bank.describe(&o.when),
                        &new_bank.describe(&route.when),
                    );
                    self.value(
                        &format!("{what} role"),
                        RouteRole::label(o.role),
                        RouteRole::label(route.role),
                    );
                    self.text(&format!("{what} text"), &o.text, &route.text);
                    self.text(
                        &format!("{what} points"),
                        &o.detail.join(" / "),
                        &route.detail.join(" / "),
                    );
                    self.value(
                        &format!("{what} contacts"),
                        o.contacts.join(", "),
                        route.contacts.join(", "),
                    );
                    self.text(&format!("{what} source"), &o.source, &route.source);
                }
            }
        }
        for o in &old.routes {
            if !new.routes.iter().any(|r| r.id == o.id) {
                self.push(format!("route `{}` removed", o.id));
            }
        }
        let order = |a: &Area| a.routes.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        let (oo, no) = (order(old), order(new));
        let common = |list: &[String], other: &[String]| {
            list.iter()
                .filter(|id| other.contains(id))
                .cloned()
                .collect::<Vec<_>>()
        };
        if common(&oo, &no) != common(&no, &oo) {
            self.push("routes reordered".into());
        }
    }

    /// Actions, compared by their condition and words.
    fn actions(
        &mut self,
        old: &Area,
        old_bank: &QuestionBank,
        new: &Area,
        new_bank: &QuestionBank,
    ) {
        let action = |a: &crate::rules::model::Action, bank: &QuestionBank| {
            format!(
                "when {}: {}",
                bank.describe(&a.when),
                a.text.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        };
        let old_actions: Vec<String> = old.actions.iter().map(|a| action(a, old_bank)).collect();
        let new_actions: Vec<String> = new.actions.iter().map(|a| action(a, new_bank)).collect();
        for a in new_actions.iter().filter(|a| !old_actions.contains(a)) {
            self.push(format!("action added: {}", short(a)));
        }
        for a in old_actions.iter().filter(|a| !new_actions.contains(a)) {
            self.push(format!("action removed: {}", short(a)));
        }
    }

    /// Each contact.
    fn contacts(&mut self, old: &Area, new: &Area) {
        for contact in &new.contacts {
            let what = format!("contact `{}`", contact.id);
            match old.contact(&contact.id) {
                None => self.push(format!("{what} added")),
                Some(o) => {
                    let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".into());
                    self.value(&format!("{what} name"), &o.name, &contact.name);
                    self.value(
                        &format!("{what} phone"),
                        show(&o.phone),
                        show(&contact.phone),
                    );
                    self.value(
                        &format!("{what} email"),
                        show(&o.email),
                        show(&contact.email),
                    );
                    self.text(&format!("{what} hours"), &o.hours.text, &contact.hours.text);
                    self.value(&format!("{what} checked"), o.checked, contact.checked);
                    self.value(
                        &format!("{what} confidence"),
                        o.confidence.label(),
                        contact.confidence.label(),
                    );
                    self.text(&format!("{what} source"), &o.source, &contact.source);
                }
            }
        }
        for o in &old.contacts {
            if new.contact(&o.id).is_none() {
                self.push(format!("contact `{}` removed", o.id));
            }
        }
    }

    /// The front door and the documents the area declares.
    fn front_door_and_sources(&mut self, old: &Area, new: &Area) {
        self.value(
            "front door daytime",
            &old.front_door.daytime,
            &new.front_door.daytime,
        );
        self.value(
            "front door out of hours",
            &old.front_door.out_of_hours,
            &new.front_door.out_of_hours,
        );
        self.text(
            "front door source",
            &old.front_door.source,
            &new.front_door.source,
        );
        let keys = |a: &Area| {
            a.sources
                .iter()
                .map(|s| s.key.clone())
                .collect::<BTreeSet<_>>()
        };
        let (ok, nk) = (keys(old), keys(new));
        for k in nk.difference(&ok) {
            self.push(format!("source `{k}` declared"));
        }
        for k in ok.difference(&nk) {
            self.push(format!("source `{k}` no longer declared"));
        }
    }
}

/// The report as text for a person: outcomes that move per area, then rule changes.
pub fn render(report: &Report, old_label: &str, new_label: &str, moment_words: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "Rules diff: {old_label} -> {new_label}");
    let _ = writeln!(
        out,
        "Outcomes at {moment_words}: {} scenarios and {} example cases in each of {} areas.\n",
        report.scenarios,
        report.cases,
        report.areas.len()
    );
    let _ = writeln!(out, "What moves (level, routes or first call), old -> new");
    for area in &report.areas {
        let moves: Vec<&Move> = report.moves.iter().filter(|m| &m.area == area).collect();
        if moves.is_empty() {
            let _ = writeln!(out, "\n{area}: nothing moves");
            continue;
        }
        let _ = writeln!(out, "\n{area}: {} move(s)", moves.len());
        for m in moves {
            let _ = writeln!(out, "  {} {}: {}", m.kind.label(), m.name, m.describe());
        }
    }
    let _ = writeln!(out, "\nRule changes");
    if report.changes.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for (area, what) in &report.changes {
        let _ = writeln!(
            out,
            "  {}: {}",
            threshold_model::text::printable(area),
            threshold_model::text::printable(what)
        );
    }
    let scenarios: BTreeSet<&str> = report
        .moves
        .iter()
        .filter(|m| m.kind == Kind::Scenario)
        .map(|m| m.name.as_str())
        .collect();
    let cases: BTreeSet<&str> = report
        .moves
        .iter()
        .filter(|m| m.kind == Kind::Case)
        .map(|m| m.name.as_str())
        .collect();
    let areas: BTreeSet<&str> = report.moves.iter().map(|m| m.area.as_str()).collect();
    let _ = writeln!(
        out,
        "\nSummary: {} outcome(s) move ({} scenario(s), {} case(s)) in {} area(s); {} rule change(s).",
        report.moves.len(),
        scenarios.len(),
        cases.len(),
        areas.len(),
        report.changes.len()
    );
    out
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_cases.rs"));
}

/// The example cases compiled into the binary (from `examples/cases/`), as subjects.
pub fn bundled_cases() -> Vec<Subject> {
    embedded::FILES
        .iter()
        .map(|(path, text)| Subject {
            kind: Kind::Case,
            name: path.trim_end_matches(".yaml").to_string(),
            path: format!("examples/cases/{path}"),
            text: (*text).to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(tier: Tier, routes: &[&str], first: &str, night: &str) -> Snapshot {
        let contact = |id: &str| Some((id.to_string(), format!("{id} name")));
        Snapshot {
            level: format!("Level {tier}"),
            tier: Some(tier),
            routes: routes.iter().map(|r| r.to_string()).collect(),
            first: contact(first),
            first_out_of_hours: contact(night),
        }
    }

    fn moved(old: Result<Snapshot, String>, new: Result<Snapshot, String>) -> String {
        Move {
            area: "salford".into(),
            kind: Kind::Scenario,
            name: "x".into(),
            old,
            new,
        }
        .describe()
    }

    #[test]
    fn a_move_says_what_moved_and_nothing_else() {
        let old = snap(
            Tier::Two,
            &["early_help", "information_sharing"],
            "bridge",
            "bridge",
        );
        let new = snap(
            Tier::Three,
            &["referral", "information_sharing"],
            "bridge",
            "salford_edt",
        );
        assert_eq!(
            moved(Ok(old.clone()), Ok(new)),
            "level Level 2 -> Level 3; routes +referral -early_help; \
             first call out of hours bridge (bridge name) -> salford_edt (salford_edt name)"
        );
        let reordered = snap(
            Tier::Two,
            &["information_sharing", "early_help"],
            "edt",
            "bridge",
        );
        assert_eq!(
            moved(Ok(old.clone()), Ok(reordered)),
            "routes reordered; first call bridge (bridge name) -> edt (edt name)"
        );
        assert_eq!(
            moved(Ok(old), Err("unknown question `x`".into())),
            "Level 2 -> cannot be read (unknown question `x`)"
        );
    }

    #[test]
    fn a_route_that_gains_or_loses_its_role_is_a_change() {
        let rules = crate::rules::bundled().unwrap();
        let old = rules.area("salford").unwrap();
        let mut new = old.clone();
        let at = new
            .routes
            .iter()
            .position(|r| r.role == Some(RouteRole::Emergency))
            .unwrap();
        new.routes[at].role = None;
        let bank = &rules.questions;
        let found = area_changes(old, bank, &new, bank);
        assert_eq!(
            found,
            vec![(
                "salford".to_string(),
                "route `emergency` role: emergency -> none".to_string()
            )]
        );
        assert!(area_changes(old, bank, old, bank).is_empty());
    }
}
