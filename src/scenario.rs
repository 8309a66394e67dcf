//! Trainer scenarios: a story to read out, a case, what each area's rules should make of
//! it, and teaching points with their sources. They double as the rules' regression suite
//! (`threshold rules test`). The walkthrough helpers here explain a result answer by
//! answer; they are pure, like the engine.

use crate::case::Case;
use crate::condition::Facts;
use crate::engine::{self, Call, ContactOutcome, Outcome};
use crate::error::{Diagnostic, Diagnostics};
use crate::question::{About, Answer, QId, QuestionBank};
use crate::rules::model::Area;
use crate::rules::{RuleFile, RuleSet};
use crate::values::Tier;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_scenarios.rs"));
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The file name without `.yaml`: how a trainer names the scenario.
    #[serde(skip)]
    pub name: String,
    pub title: String,
    pub situation: String,
    pub story: String,
    pub case: Case,
    /// The household tier and routes that must be among the result's, for every area.
    pub expect: Expect,
    pub teaching: Vec<TeachingPoint>,
}

/// What the rules should make of a scenario. Written once for every area, from the passage
/// (national or local) that decides it, with an override for each area whose own document
/// makes it differ; or, as older scenario files do, spelled out per area.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Expect {
    Common(Common),
    PerArea(BTreeMap<String, Expectation>),
}

/// One expectation for every area, and the areas that differ.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Common {
    pub level: Option<Tier>,
    #[serde(default)]
    pub routes: Vec<String>,
    /// Where the expectation comes from: the national layer's floor or route, or a passage.
    pub basis: String,
    /// Per area id: where the area's own document makes it differ.
    #[serde(default)]
    pub areas: BTreeMap<String, Override>,
}

/// An area that differs from the default, and the passage of its own that makes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub level: Option<Tier>,
    #[serde(default)]
    pub routes: Vec<String>,
    /// The area's passage: a source beginning with a document the area's rules declare.
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub level: Option<Tier>,
    #[serde(default)]
    pub routes: Vec<String>,
}

impl Expect {
    /// What is expected of `area`; `None` where a per-area scenario names no expectation
    /// for it (a scenario with a default covers every area, a new one included).
    pub fn for_area(&self, area: &str) -> Option<Expectation> {
        match self {
            Expect::PerArea(map) => map.get(area).cloned(),
            Expect::Common(d) => Some(match d.areas.get(area) {
                Some(o) => Expectation {
                    level: o.level,
                    routes: o.routes.clone(),
                },
                None => Expectation {
                    level: d.level,
                    routes: d.routes.clone(),
                },
            }),
        }
    }

    /// The area ids the expectation names.
    pub fn areas(&self) -> Vec<&str> {
        match self {
            Expect::PerArea(map) => map.keys().map(String::as_str).collect(),
            Expect::Common(d) => d.areas.keys().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeachingPoint {
    pub point: String,
    pub source: String,
    /// The areas the point is about (it names their services or rules); empty: every area.
    #[serde(default)]
    pub areas: Vec<String>,
}

impl TeachingPoint {
    /// Whether the point is shown to a room using `area`'s rules.
    pub fn applies_to(&self, area: &str) -> bool {
        self.areas.is_empty() || self.areas.iter().any(|a| a == area)
    }
}

impl Scenario {
    /// The teaching points for a room using `area`'s rules, in the file's order.
    pub fn teaching_for(&self, area: &str) -> Vec<&TeachingPoint> {
        self.teaching
            .iter()
            .filter(|t| t.applies_to(area))
            .collect()
    }
}

/// The scenarios compiled into the binary (from `examples/scenarios/`).
pub fn bundled_files() -> Vec<RuleFile> {
    embedded::FILES
        .iter()
        .map(|(path, text)| RuleFile {
            path: format!("examples/scenarios/{path}"),
            text: (*text).to_string(),
        })
        .collect()
}

/// Every `.yaml` file in `dir`.
pub fn read_dir(dir: &Path) -> Result<Vec<RuleFile>, Diagnostic> {
    let entries = crate::files::entries(dir).map_err(|e| {
        Diagnostic::error(
            crate::error::Code::ScenarioSource,
            dir.display().to_string(),
            format!("cannot read the scenarios folder: {e}"),
        )
        .help("give a folder of scenario files (*.yaml)")
    })?;
    entries
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|path| {
            let file = path.display().to_string();
            let limit = crate::rules::MAX_RULES_FILE_BYTES;
            let bytes = crate::files::read_limited(&path, limit)
                .map_err(|e| Diagnostic::error(crate::error::Code::ScenarioSource, &file, e))?;
            if bytes.len() > limit {
                return Err(Diagnostic::error(
                    crate::error::Code::ScenarioSource,
                    &file,
                    format!("the file is too large: a scenario file is at most {limit} bytes"),
                ));
            }
            let text = crate::parse::decode_text(&bytes).map_err(|(_, message, at)| {
                Diagnostic::error(crate::error::Code::ScenarioSource, &file, message)
                    .at(at)
                    .help("save the file as UTF-8")
            })?;
            Ok(RuleFile { path: file, text })
        })
        .collect()
}

/// A scenario's words reach a trainer's terminal and the handouts: a control, escape,
/// bidirectional or other invisible character in any of them (after YAML's own escapes are
/// read) refuses the file, as in a rules file.
fn unsafe_text(file: &RuleFile) -> Option<Diagnostic> {
    let value: serde_json::Value = crate::yaml::from_str(&file.text).ok()?;
    crate::rules::validate::strings(&value)
        .into_iter()
        .find_map(|written| {
            let c = (written.string.chars()).find(|&c| crate::text::is_unsafe(c) && c != '\n')?;
            Some(
                Diagnostic::error(
                    crate::error::Code::ScenarioSource,
                    &file.path,
                    format!(
                        "a control, escape or invisible character (U+{:04X}) in \"{}\"",
                        c as u32,
                        crate::text::printable(&crate::text::shorten(written.string, 60))
                    ),
                )
                .at(crate::yaml::locate_nearest(&file.text, &written.path)
                    .map(|at| crate::rules::validate::character_in(&file.text, at, c)))
                .help("a scenario is plain words: remove it (in a double-quoted YAML string, look for a backslash escape such as \\e, \\x1b or \\u202e)"),
            )
        })
}

/// Parse scenario files; every file that cannot be read is reported.
pub fn load(files: &[RuleFile], bank: &Arc<QuestionBank>) -> Result<Vec<Scenario>, Diagnostics> {
    let mut scenarios = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        let parsed =
            crate::question::with_bank(bank, || crate::yaml::from_str::<Scenario>(&file.text));
        if let Some(problem) = unsafe_text(file) {
            problems.push(problem);
            continue;
        }
        match parsed {
            Ok(mut scenario) => {
                scenario.name = Path::new(&file.path)
                    .file_stem()
                    .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
                scenarios.push(scenario);
            }
            Err(e) => {
                let e = crate::parse::narrow(&file.text, e);
                problems.push(
                    Diagnostic::error(crate::error::Code::ScenarioSource, &file.path, e.message)
                        .at(e.location)
                        .help(e.help.unwrap_or(
                            "fix the scenario; examples/scenarios/README.md shows the format",
                        )),
                );
            }
        }
    }
    if problems.is_empty() {
        Ok(scenarios)
    } else {
        Err(Diagnostics(problems))
    }
}

/// The scenario called `name`, or an error listing the names there are.
pub fn find<'a>(scenarios: &'a [Scenario], name: &str) -> Result<&'a Scenario, String> {
    scenarios.iter().find(|s| s.name == name).ok_or_else(|| {
        let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
        let near = crate::error::nearest(name, names.iter().copied())
            .map(|n| format!(" (did you mean `{n}`?)"))
            .unwrap_or_default();
        format!("no scenario `{name}`{near}; `threshold scenario list` shows them")
    })
}

/// One way a scenario and the rules disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub scenario: String,
    pub area: String,
    pub problem: String,
}

/// Check every scenario's expectation against the rules, for every area the rules have.
pub fn check(rules: &RuleSet, scenarios: &[Scenario], at: &jiff::ZonedDateTime) -> Vec<Mismatch> {
    let mut found = Vec::new();
    for scenario in scenarios {
        let mismatch = |area: &str, problem: String| Mismatch {
            scenario: scenario.name.clone(),
            area: area.to_string(),
            problem,
        };
        for id in scenario
            .expect
            .areas()
            .into_iter()
            .filter(|id| rules.area(id).is_none())
        {
            found.push(mismatch(id, "the rules have no such area".into()));
        }
        if let Expect::Common(d) = &scenario.expect {
            if d.basis.trim().is_empty() {
                found.push(mismatch(
                    "every area",
                    "the expectation gives no `basis:` (the national rule or passage it rests on)"
                        .into(),
                ));
            }
            for (id, o) in &d.areas {
                let Some(area) = rules.area(id) else { continue };
                let cites = area
                    .sources
                    .iter()
                    .any(|doc| o.source.trim().starts_with(doc.key.as_str()));
                if !cites {
                    found.push(mismatch(
                        id,
                        "the override cites no document of the area's rules: begin `source:` with a declared key".into(),
                    ));
                }
            }
        }
        for (number, point) in scenario.teaching.iter().enumerate() {
            for id in point.areas.iter().filter(|id| rules.area(id).is_none()) {
                found.push(mismatch(
                    id,
                    format!(
                        "teaching point {} is for `{id}`, an area the rules do not have",
                        number + 1
                    ),
                ));
            }
        }
        for area in &rules.areas {
            let Some(expected) = scenario.expect.for_area(&area.id) else {
                found.push(mismatch(
                    &area.id,
                    "the scenario states no expectation for this area".into(),
                ));
                continue;
            };
            let outcome = engine::assess(area, &rules.questions, &scenario.case, at);
            if outcome.overall != expected.level {
                let show = |level: Option<Tier>| {
                    level.map_or("no level".to_string(), |t| area.level_label(t))
                };
                found.push(mismatch(
                    &area.id,
                    format!(
                        "expected {}, the rules give {}",
                        show(expected.level),
                        show(outcome.overall)
                    ),
                ));
            }
            for route in &expected.routes {
                if !outcome.routes.iter().any(|r| &r.route.id == route) {
                    found.push(mismatch(
                        &area.id,
                        format!("expected the route `{route}`, which did not fire"),
                    ));
                }
            }
        }
    }
    found
}

/// What one answer did to the result.
#[derive(Debug, Clone)]
pub struct Move<'a> {
    pub question: QId,
    /// The child whose answer it is; `None` for a household answer.
    pub child: Option<&'a str>,
    pub answer: Answer,
    /// What it moved, each the result's own reason or route (words only when shown).
    pub effects: Vec<Moved<'a>>,
}

/// One thing an answer moved in a result.
#[derive(Debug, Clone, Copy)]
pub enum Moved<'a> {
    /// It is part of why a rule applied to a child: the rule's reason, and the child's id.
    Reason {
        reason: &'a engine::Reason<'a>,
        child: &'a str,
    },
    /// It made a route fire.
    Route(&'a crate::rules::model::Route),
}

impl std::fmt::Display for Moved<'_> {
    /// "+2 Parent or carer with mental ill health (A)", "floor 4 ... (A)", "route lado".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Moved::Reason { reason, child } => {
                write!(f, "{} {} ({child})", reason.effect.label(), reason.label)
            }
            Moved::Route(route) => write!(f, "route {}", route.id),
        }
    }
}

/// Every answer given in the case, in the order the interview asks them, with the rules
/// it moved in `outcome`.
pub fn moves<'a>(case: &'a Case, outcome: &'a Outcome) -> Vec<Move<'a>> {
    let mut out = Vec::new();
    let answered = |child: Option<&'a crate::case::Child>| {
        let answers = child.map_or(&case.answers, |c| &c.answers);
        answers.given().collect::<Vec<_>>()
    };
    let mut add = |q: QId, answer: Answer, child: Option<&'a crate::case::Child>| {
        let mut effects = Vec::new();
        for c in &outcome.children {
            if child.is_some_and(|mine| mine.id != c.child.id) {
                continue;
            }
            for reason in &c.reasons {
                if reason.because.contains(q) {
                    effects.push(Moved::Reason {
                        reason,
                        child: &c.child.id,
                    });
                }
            }
        }
        for route in &outcome.routes {
            if route.moved_by(q, child.map(|c| c.id.as_str())) {
                effects.push(Moved::Route(route.route));
            }
        }
        out.push(Move {
            question: q,
            child: child.map(|c| c.id.as_str()),
            answer,
            effects,
        });
    };
    for (q, answer) in answered(None) {
        add(q, answer, None);
    }
    for child in &case.children {
        for (q, answer) in answered(Some(child)) {
            add(q, answer, Some(child));
        }
    }
    out
}

/// A near miss: one answer that, had it been the worrying one, would have raised the
/// household's level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearMiss {
    pub question: QId,
    pub child: Option<String>,
    pub level: Tier,
    /// The new level is a floor's, and this answer is one that made the floor hold (from
    /// the engine's trace): the answer forces the level rather than tipping a score.
    pub by_floor: bool,
}

/// For every question that applies (by the case's other answers and the child's age) and
/// was answered with the reassuring answer or not known, the household level had it been
/// the worrying one, where that is higher.
pub fn near_misses(
    area: &Area,
    bank: &QuestionBank,
    case: &Case,
    at: &jiff::ZonedDateTime,
    outcome: &Outcome,
) -> Vec<NearMiss> {
    let Some(level) = outcome.overall else {
        return Vec::new();
    };
    let worrying = |q: QId| bank.question(q).worrying.worst();
    let mut misses = Vec::new();
    for (q, question) in bank.questions() {
        let targets: Vec<Option<usize>> = match question.about {
            About::Household => vec![None],
            About::Child => (0..case.children.len()).map(Some).collect(),
        };
        for target in targets {
            let answers = target.map_or(&case.answers, |i| &case.children[i].answers);
            // Only an answer the case could have given: a question its other answers (or the
            // child's age, or being unborn) leave unasked is no near miss.
            let facts = match target {
                None => Facts::household(&case.answers),
                Some(i) => {
                    let child = &case.children[i];
                    if child.unborn() && !question.unborn {
                        continue;
                    }
                    Facts::child(&case.answers, &child.answers, child.age)
                }
            };
            let applies = question.ask_when.as_ref().is_none_or(|c| c.holds(&facts));
            if !applies || answers.get(q) == worrying(q) {
                continue;
            }
            let mut changed = case.clone();
            match target {
                None => changed.answers.set(q, worrying(q)),
                Some(i) => changed.children[i].answers.set(q, worrying(q)),
            }
            let raised = engine::assess(area, bank, &changed, at);
            let new = raised.overall.unwrap_or(level);
            if new > level {
                let by_floor = raised.children.iter().any(|c| {
                    c.reasons
                        .iter()
                        .any(|r| r.effect == engine::Effect::Floor(new) && r.because.contains(q))
                });
                misses.push(NearMiss {
                    question: q,
                    child: target.map(|i| case.children[i].id.clone()),
                    level: new,
                    by_floor,
                });
            }
        }
    }
    misses
}

/// The answer to the quiz's "who do you ring first?".
#[derive(Debug, Clone, Copy)]
pub enum FirstCall<'o, 'a> {
    /// This number, listed in the result.
    Ring(&'o ContactOutcome<'a>),
    /// Nothing needs a call: universal services meet the child's needs.
    Universal,
}

impl FirstCall<'_, '_> {
    /// The contact's id; `None` for universal services.
    pub fn contact_id(&self) -> Option<&str> {
        match self {
            FirstCall::Ring(c) => Some(&c.contact.id),
            FirstCall::Universal => None,
        }
    }
}

/// The right first call, from the outcome and the urgency rule: for what cannot wait, the
/// first number to ring now (999 when danger is yes or not ruled out); for what can wait,
/// the daytime front door (now, or the next working day); and no call at all when the
/// household is at tier 1, nothing unknown could raise it and no route was set off by an
/// answer (a LADO allegation, private fostering, domestic abuse: each needs someone told).
/// `None` only for a case with no children.
pub fn right_first_call<'o, 'a>(outcome: &'o Outcome<'a>) -> Option<FirstCall<'o, 'a>> {
    outcome.overall?;
    if outcome.urgent {
        return outcome
            .contacts
            .iter()
            .find(|c| c.call.ring_now())
            .map(FirstCall::Ring);
    }
    if universal_only(outcome) {
        return Some(FirstCall::Universal);
    }
    outcome
        .contacts
        .iter()
        .find(|c| matches!(c.call, Call::OpenNow | Call::NextWorkingDay))
        .map(FirstCall::Ring)
}

/// Tier 1, nothing unknown could raise it, and every route that fired did so by the level
/// alone (none by an answer).
pub fn universal_only(outcome: &Outcome) -> bool {
    outcome.overall == Some(Tier::BOTTOM)
        && !outcome.provisional()
        && !outcome.urgent
        && outcome.routes.iter().all(|r| r.because.is_empty())
}

/// Why the right first call is right, in one sentence.
pub fn first_call_reason(outcome: &Outcome, call: &FirstCall) -> String {
    match call {
        FirstCall::Universal => "nothing here needs a call: the household is at the lowest \
            level, nothing unknown could raise it and no answer set off a route, so \
            universal services meet the child's needs"
            .to_string(),
        FirstCall::Ring(c) if c.call == Call::Emergency => {
            if outcome.emergency {
                "a child may be in immediate danger: 999 first".to_string()
            } else {
                "immediate danger has not been ruled out: 999 first if it cannot be".to_string()
            }
        }
        FirstCall::Ring(_) if outcome.urgent => {
            "this cannot wait: ring the front door that is open now".to_string()
        }
        FirstCall::Ring(c) if c.call == Call::NextWorkingDay => "this can wait: the daytime \
            front door, on the next working day (the duty team only if it cannot wait)"
            .to_string(),
        FirstCall::Ring(_) => "this can wait: the daytime front door, open now".to_string(),
    }
}

/// Quiz points for one scenario: 2 for the right level, 1 for one level out; 1 for the
/// right first call.
pub fn quiz_points(expected_level: Tier, guessed_level: Tier, first_call_right: bool) -> u8 {
    let level = match expected_level.distance(guessed_level) {
        0 => 2,
        1 => 1,
        _ => 0,
    };
    level + u8::from(first_call_right)
}

/// The most a scenario can score in the quiz.
pub const QUIZ_MAX: u8 = 3;
