//! threshold-web: `threshold check` as one offline HTML page. The same library (rules,
//! engine, the interview's flow, the JSON result and the decision record) compiled to
//! WebAssembly, behind one narrow JSON boundary: `handle` takes a request as JSON text and
//! returns JSON text. The page (web/page/) keeps the visit in the browser's memory and sends
//! it whole with each request, so this side holds nothing between calls but the rules.
//!
//! Requests (`op`):
//! - `start`: the areas, their level names and the rules' fingerprint.
//! - `next` with a `visit`: what to ask next (the flow of `threshold check`), the result so
//!   far (SPEC section 9 JSON), the immediate-danger panel, and the review of every answer.
//! - `record` with a `visit`: the result, the Markdown decision record and the case file.
//! - `read_case` with `name` and `text`: a schema-1 case file (YAML or JSON), read by the
//!   same reader as `threshold assess`, as a visit's case, with its `reason`.
//! - `check_label` with `label`: whether it may label a child (the rule every way in uses).
//!
//! A visit is `{"at": TIME, "child_count": N|null, "reason": TEXT|null, "case": CASE}`,
//! where CASE has the shape of a schema-1 case in JSON (SPEC section 7): `area`,
//! `reference`, `recorded_level`, `answers` and `children` (`id`, `age` or `unborn`,
//! `answers`). An answer `"unknown"` written explicitly means asked and not known; a
//! missing one, not asked. Answers that a later change left inapplicable are kept and
//! flagged, as the terminal interview keeps them. Any failure is `{"error": TEXT}`.

mod ffi;
pub mod page;

use serde_json::{Map, Value, json};
use std::sync::OnceLock;
use threshold::case::{Case, Child};
use threshold::condition::Facts;
use threshold::interview::answers;
use threshold::interview::flow::{FIRST, Flow, Step, Subject};
use threshold::question::{About, Answer, Answers, Kind, QId};
use threshold::rules::{self, RuleSet};
use threshold::values::{ChildCount, ChildLabel, Reference, Tier};

/// The bundled rules (checked when the page was built), read once.
fn rules() -> Result<&'static RuleSet, String> {
    static RULES: OnceLock<Result<RuleSet, String>> = OnceLock::new();
    RULES
        .get_or_init(|| rules::bundled().map_err(|e| format!("the bundled rules do not load: {e}")))
        .as_ref()
        .map_err(Clone::clone)
}

/// Answer one request (JSON text) with JSON text.
pub fn handle(request: &str) -> String {
    let reply = serde_json::from_str::<Value>(request)
        .map_err(|e| format!("the request is not JSON: {e}"))
        .and_then(|request| dispatch(&request));
    match reply {
        Ok(value) => value.to_string(),
        Err(error) => json!({ "error": error }).to_string(),
    }
}

fn dispatch(request: &Value) -> Result<Value, String> {
    let op = request.get("op").and_then(Value::as_str).unwrap_or("");
    let at = request
        .get("visit")
        .and_then(|v| v.get("at"))
        .or_else(|| request.get("at"));
    let moment = match at {
        Some(Value::String(at)) => Some(threshold::hours::parse_moment(at)?),
        None | Some(Value::Null) => None,
        Some(_) => return Err("`at` must be a time, such as 2026-11-24T10:00:00Z".into()),
    };
    let rules = rules()?;
    let moment = || {
        moment
            .clone()
            .ok_or("the visit has no `at`: the time it is for")
    };
    match op {
        "start" => Ok(start(rules)),
        "next" => {
            let flow = visit(rules, request, moment()?)?;
            Ok(next(&flow))
        }
        "record" => {
            let flow = visit(rules, request, moment()?)?;
            Ok(record(&flow))
        }
        "read_case" => read_case(rules, request),
        "check_label" => Ok(check_label(request)),
        other => Err(format!(
            "unknown request `{other}`: use start, next, record, read_case or check_label"
        )),
    }
}

fn start(rules: &RuleSet) -> Value {
    let areas: Vec<Value> = rules
        .areas
        .iter()
        .map(|area| {
            json!({
                "id": area.id,
                "name": area.name,
                "version": area.version,
                "reviewed": area.reviewed.to_string(),
                "edition": area.edition,
                "levels": (1..=4u8).map(|tier| json!({
                    "level": tier,
                    "name": area.level_name(tier),
                    "label": threshold::render::level_label(area, tier),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let questions: Map<String, Value> = rules
        .questions
        .questions()
        .map(|(_, q)| {
            let kind = match q.kind {
                Kind::Yesno => "yesno",
                Kind::Count => "count",
            };
            let about = match q.about {
                About::Household => "household",
                About::Child => "child",
            };
            let entry = json!({"id": q.id, "short": q.short, "prompt": q.prompt.trim(),
                "help": q.help.trim(), "source": threshold::render::view::question_source(rules, &q.source), "type": kind, "about": about});
            (q.id.clone(), entry)
        })
        .collect();
    json!({
        "program": format!("threshold-web {}", env!("CARGO_PKG_VERSION")),
        "questions": questions,
        "rules": {"sha256": rules.sha256, "origin": rules.origin.label()},
        "areas": areas,
        "judgement_note": threshold::render::JUDGEMENT_NOTE,
    })
}

/// The visit in `request` as the interview's flow, the practitioner's reason on its case.
fn visit<'r>(
    rules: &'r RuleSet,
    request: &Value,
    moment: jiff::ZonedDateTime,
) -> Result<Flow<'r>, String> {
    let visit = request.get("visit").ok_or("the request has no `visit`")?;
    let case = visit.get("case").ok_or("the visit has no `case`")?;
    let bank = &rules.questions;
    let area = match case.get("area") {
        Some(Value::String(id)) => Some(rules.area_or_error(id)?),
        None | Some(Value::Null) => None,
        Some(_) => return Err("`area` must be an area's id".into()),
    };
    let mut built = Case::empty(bank.len());
    built.reference = text_field(case, "reference")?
        .map(|r| {
            Reference::new(&r)
                .map(Reference::into_string)
                .map_err(|problem| format!("the reference {problem}"))
        })
        .transpose()?;
    built.recorded_level = match case.get("recorded_level") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or("`recorded_level` must be a level, 1 to 4".to_string())
                .and_then(Tier::new)?
                .get(),
        ),
    };
    let mut asked = Vec::new();
    read_answers(rules, case, About::Household, &mut built.answers, |q| {
        asked.push((Subject::Household, q));
    })?;
    let children = match case.get("children") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(children)) => children.clone(),
        Some(_) => return Err("`children` must be a list".into()),
    };
    for (i, child) in children.iter().enumerate() {
        let id = text_field(child, "id")?.ok_or(format!("child {} has no `id`", i + 1))?;
        let id = ChildLabel::new(&id)
            .map_err(|problem| format!("child {}'s label {problem}", i + 1))?
            .into_string();
        let unborn = child.get("unborn").and_then(Value::as_bool) == Some(true);
        let age = match child.get("age") {
            None | Some(Value::Null) if unborn => None,
            Some(v) if !unborn => Some(
                v.as_u64()
                    .filter(|a| *a <= 17)
                    .ok_or(format!("child {id}: `age` must be 0 to 17"))? as u8,
            ),
            _ => {
                return Err(format!(
                    "child {id}: give an age 0 to 17, or `unborn: true`"
                ));
            }
        };
        let mut answers = Answers::unknown(bank.len());
        read_answers(rules, child, About::Child, &mut answers, |q| {
            asked.push((Subject::Child(i), q));
        })?;
        built.children.push(Child { id, age, answers });
    }
    built.area = area.map(|a| a.id.clone());
    let mut flow = Flow::new(rules, area, built, moment);
    for (subject, q) in asked {
        flow.answer(subject, q, Answer::Unknown);
    }
    match visit.get("child_count") {
        None | Some(Value::Null) => {}
        Some(v) => {
            let count = v
                .as_u64()
                .ok_or("`child_count` must be a whole number".to_string())
                .and_then(ChildCount::new)?;
            flow.set_child_count(count.get());
        }
    }
    // What a change ruled out is cleared, as in `check`: never scored, never saved.
    flow.clear_stale();
    let reason = text_field(visit, "reason")?;
    if let Some(reason) = &reason {
        threshold::case::check_reason(reason)?;
    }
    flow.case.recorded_reason = reason;
    Ok(flow)
}

fn text_field(object: &Value, key: &str) -> Result<Option<String>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(format!("`{key}` must be text")),
    }
}

/// `object.answers` into `answers`; `asked_unknown` hears of each explicit "unknown".
fn read_answers(
    rules: &RuleSet,
    object: &Value,
    about: About,
    answers: &mut Answers,
    mut asked_unknown: impl FnMut(QId),
) -> Result<(), String> {
    let bank = &rules.questions;
    let Some(given) = object.get("answers") else {
        return Ok(());
    };
    let empty = Map::new();
    let given = match given {
        Value::Object(map) => map,
        Value::Null => &empty,
        _ => return Err("`answers` must be a mapping of question ids to answers".into()),
    };
    for (id, value) in given {
        let q = bank.get(id).ok_or_else(|| bank.unknown_id_message(id))?;
        let question = bank.question(q);
        if question.about != about {
            return Err(format!("`{id}` is not a question about the {about:?}").to_lowercase());
        }
        let answer = match (question.kind, value) {
            (_, Value::Null) => Answer::Unknown,
            (Kind::Count, Value::Number(n)) => Answer::Count(
                n.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or(format!("`{id}`: a count is a whole number 0 or more"))?,
            ),
            (Kind::Yesno, Value::Bool(b)) => {
                if *b {
                    Answer::Yes
                } else {
                    Answer::No
                }
            }
            (kind, Value::String(s)) => match (kind, s.trim().to_ascii_lowercase().as_str()) {
                (_, "unknown") => Answer::Unknown,
                (Kind::Yesno, "yes" | "true") => Answer::Yes,
                (Kind::Yesno, "no" | "false") => Answer::No,
                (Kind::Count, n) => Answer::Count(
                    n.parse()
                        .map_err(|_| format!("`{id}`: a count is a whole number 0 or more"))?,
                ),
                _ => return Err(format!("`{id}`: answer yes, no or unknown")),
            },
            _ => return Err(format!("`{id}`: `{value}` is not an answer")),
        };
        if answer.is_unknown() {
            asked_unknown(q);
        }
        answers.set(q, answer);
    }
    Ok(())
}

fn subject_json(subject: Subject) -> Value {
    match subject {
        Subject::Household => Value::Null,
        Subject::Child(i) => json!(i),
    }
}

fn answer_json(answer: Answer) -> Value {
    match answer {
        Answer::Unknown => json!("unknown"),
        Answer::Yes => json!("yes"),
        Answer::No => json!("no"),
        Answer::Count(n) => json!(n),
    }
}

fn next(flow: &Flow) -> Value {
    let rules = flow.rules();
    let bank = &rules.questions;
    let step = match flow.next() {
        None => json!({"kind": "review"}),
        Some(Step::Area) => json!({"kind": "area"}),
        Some(Step::ChildCount) => json!({"kind": "child_count"}),
        Some(Step::Label | Step::Age) => json!({
            "kind": "child",
            "number": flow.case.children.len() + 1,
            "suggested_label": flow.free_label(),
        }),
        Some(Step::Question(subject, q)) => {
            let question = bank.question(q);
            let (section, title) = match subject {
                Subject::Household if flow.is_deferred(q) => {
                    ("strengths", "What is working well".to_string())
                }
                Subject::Household => ("household", "Household and adult".to_string()),
                Subject::Child(i) => ("child", answers::child_title(flow, i)),
            };
            json!({
                "kind": "question",
                "child": subject_json(subject),
                "child_label": match subject {
                    Subject::Child(i) => json!(flow.case.children[i].id),
                    Subject::Household => Value::Null,
                },
                "id": bank.name(q),
                "type": match question.kind { Kind::Yesno => "yesno", Kind::Count => "count" },
                "prompt": question.prompt.trim(),
                "short": question.short,
                "help": question.help.trim(),
                "source": threshold::render::view::question_source(rules, &question.source),
                "section": section,
                "section_title": title,
                "current": if flow.asked(subject, q) { answer_json(flow.answer_of(subject, q)) } else { Value::Null },
            })
        }
    };
    let outcome = flow.outcome();
    let result = outcome
        .as_ref()
        .map_or(Value::Null, |o| json_result(rules, o));
    let view = outcome.as_ref().map_or(Value::Null, |o| view(rules, o));
    json!({
        "step": step,
        "result": result,
        "view": view,
        "danger": danger(flow),
        "review": review(flow),
    })
}

/// The result as every format shows it (`threshold::render::view`): the page renders this
/// and decides nothing of its own.
fn view(rules: &RuleSet, outcome: &threshold::engine::Outcome) -> Value {
    serde_json::to_value(threshold::render::view::View::of(rules, outcome)).unwrap_or(Value::Null)
}

fn json_result(rules: &RuleSet, outcome: &threshold::engine::Outcome) -> Value {
    serde_json::to_value(threshold::render::json::result(rules, outcome)).unwrap_or(Value::Null)
}

/// The panel `threshold check` shows at once after the immediate-danger question: the
/// area's routes that test it and hold, with their contacts, emergency first.
fn danger(flow: &Flow) -> Value {
    let (Some(area), Some(first)) = (flow.area(), flow.rules().questions.get(FIRST)) else {
        return Value::Null;
    };
    if !flow.asked(Subject::Household, first) {
        return Value::Null;
    }
    let facts = Facts::household(&flow.case.answers);
    // Danger yes or not ruled out: 999 first, then the front door open now (as `check`).
    let clock = area.bank_holidays.clock(flow.moment());
    let contacts: Vec<Value> = threshold::engine::contacts_now(area, &[], clock, true, true)
        .iter()
        .filter(|c| c.call.ring_now() || c.call == threshold::engine::Call::Later)
        .map(|open| {
            json!({
                "name": open.contact.name,
                "phone": open.contact.phone,
                "email": open.contact.email,
                "open": threshold::render::open_label(open),
            })
        })
        .collect();
    let routes: Vec<Value> = area
        .routes
        .iter()
        .filter(|r| r.when.mentions(first) && r.when.holds(&facts))
        .map(|route| json!({"id": route.id, "text": route.text.trim(), "contacts": contacts}))
        .collect();
    if routes.is_empty() {
        return Value::Null;
    }
    let emergency = flow.case.answers.get(first) == Answer::Yes;
    json!({
        "emergency": emergency,
        "alarm": emergency.then_some(threshold::render::view::EMERGENCY),
        "routes": routes,
    })
}

/// Every answer by household and child (as the terminal's review shows them), what was
/// not asked, and what can be changed.
fn review(flow: &Flow) -> Value {
    let bank = &flow.rules().questions;
    let sections: Vec<Value> = answers::sections(flow, false)
        .into_iter()
        .map(|s| json!({"title": s.title, "rows": s.rows.iter().map(|(q, a)| json!([q, a])).collect::<Vec<_>>()}))
        .collect();
    let changeable: Vec<Value> = flow
        .questions()
        .into_iter()
        .filter(|(s, q)| flow.applies(*s, *q) || !flow.answer_of(*s, *q).is_unknown())
        .map(|(subject, q)| {
            let question = bank.question(q);
            json!({
                "child": subject_json(subject),
                "id": bank.name(q),
                "short": question.short,
                "answer": answers::answer_word(flow.answer_of(subject, q), flow.asked(subject, q)),
                // A change's stale answers are cleared when the visit is read.
                "stale": false,
            })
        })
        .collect();
    json!({
        "sections": sections,
        "not_asked": answers::not_asked_names(flow),
        "stale": false,
        "changeable": changeable,
    })
}

fn record(flow: &Flow) -> Value {
    let rules = flow.rules();
    let Some(outcome) = flow.outcome() else {
        return json!({"error": "choose an area first"});
    };
    let notes = threshold::render::record::Notes {
        answers: answers::sections(flow, true)
            .into_iter()
            .map(|s| threshold::render::record::Answers {
                title: s.title,
                rows: s.rows,
            })
            .collect(),
        not_asked: answers::not_asked_names(flow),
    };
    let record = threshold::render::record::render(
        rules,
        &outcome,
        &notes,
        "threshold-web, the offline page of `threshold check`",
    );
    let case_file = threshold::case::to_yaml(&flow.case, &rules.questions, |child, q| {
        let subject = child.map_or(Subject::Household, Subject::Child);
        flow.asked(subject, q) && flow.answer_of(subject, q).is_unknown()
    });
    json!({
        "result": json_result(rules, &outcome),
        "view": view(rules, &outcome),
        "record": record,
        "case_file": case_file,
        "file_stem": answers::file_stem(flow.case.reference.as_deref(), flow.moment()),
    })
}

/// Whether `label` may label a child, by the rule every way in uses: `{"problem": TEXT}`
/// or `{"problem": null}`.
fn check_label(request: &Value) -> Value {
    let label = request.get("label").and_then(Value::as_str).unwrap_or("");
    let problem = ChildLabel::new(label)
        .err()
        .map(|problem| format!("The label {problem}."));
    json!({ "problem": problem })
}

/// A case file read by the same reader as `threshold assess`, as a visit's case.
fn read_case(rules: &RuleSet, request: &Value) -> Result<Value, String> {
    let name = request
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("case.yaml");
    let text = request
        .get("text")
        .and_then(Value::as_str)
        .ok_or("the request has no `text`")?;
    let case = threshold::case::read(text.as_bytes(), name, &rules.questions)
        .map_err(|e| e.to_string())?;
    let bank = &rules.questions;
    let answers_of = |answers: &Answers| -> Map<String, Value> {
        answers
            .given()
            .map(|(q, a)| (bank.name(q).to_string(), answer_json(a)))
            .collect()
    };
    let children: Vec<Value> = case
        .children
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "age": c.age,
                "unborn": c.unborn(),
                "answers": answers_of(&c.answers),
            })
        })
        .collect();
    Ok(json!({
        "case": {
            "area": case.area,
            "reference": case.reference,
            "recorded_level": case.recorded_level,
            "answers": answers_of(&case.answers),
            "children": children,
        },
        "at": case.assessed_at.map(|at| at.timestamp().to_string()),
        "reason": case.recorded_reason,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(request: Value) -> Value {
        serde_json::from_str(&handle(&request.to_string())).unwrap()
    }

    #[test]
    fn a_visit_starts_with_the_area_then_immediate_danger() {
        let at = "2026-11-24T10:00:00Z";
        let visit = json!({"at": at, "case": {}});
        let reply = call(json!({"op": "next", "visit": visit}));
        assert_eq!(reply["step"]["kind"], "area", "{reply}");
        let visit = json!({"at": at, "case": {"area": "salford"}});
        let reply = call(json!({"op": "next", "visit": visit}));
        assert_eq!(reply["step"]["id"], FIRST, "{reply}");
        assert!(reply["danger"].is_null());
    }

    #[test]
    fn a_yes_to_immediate_danger_gives_the_999_panel_and_an_emergency_result() {
        let visit = json!({"at": "2026-11-24T10:00:00Z",
            "case": {"area": "trafford", "answers": {"immediate_danger": "yes"}}});
        let reply = call(json!({"op": "next", "visit": visit}));
        assert_eq!(reply["danger"]["emergency"], true, "{reply}");
        assert_eq!(reply["result"]["emergency"], true, "{reply}");
        assert_ne!(reply["step"]["id"], FIRST);
    }

    #[test]
    fn an_explicit_unknown_counts_as_asked_and_a_missing_answer_does_not() {
        let at = "2026-11-24T10:00:00Z";
        let asked = json!({"at": at, "case": {"area": "salford", "answers": {"immediate_danger": "unknown"}}});
        let reply = call(json!({"op": "next", "visit": asked}));
        assert_ne!(reply["step"]["id"], FIRST, "{reply}");
        assert_eq!(reply["step"]["current"], Value::Null);
    }

    #[test]
    fn bad_requests_are_refused_with_words_never_a_panic() {
        for request in [
            "not json",
            r#"{"op": "fly"}"#,
            r#"{"op": "next"}"#,
            r#"{"op": "next", "visit": {"case": {}}}"#,
            r#"{"op": "next", "visit": {"at": "2026-11-24T10:00:00Z", "case": {"area": "atlantis"}}}"#,
            r#"{"op": "next", "visit": {"at": "2026-11-24T10:00:00Z", "case": {"answers": {"immediate_dangr": "yes"}}}}"#,
            r#"{"op": "next", "visit": {"at": "2026-11-24T10:00:00Z", "case": {"children": [{"id": "A", "age": 40}]}}}"#,
            r#"{"op": "next", "visit": {"at": "yesterday", "case": {}}}"#,
            r#"{"op": "read_case", "name": "x.yaml", "text": "schema: 7"}"#,
        ] {
            let reply: Value = serde_json::from_str(&handle(request)).unwrap();
            let error = reply["error"]
                .as_str()
                .unwrap_or_else(|| panic!("{request}: {reply}"));
            assert!(!error.is_empty());
        }
        let reply: Value = serde_json::from_str(&handle(
            r#"{"op": "next", "visit": {"at": "2026-11-24T10:00:00Z", "case": {"answers": {"immediate_dangr": "yes"}}}}"#,
        ))
        .unwrap();
        assert!(
            reply["error"]
                .as_str()
                .unwrap()
                .contains("immediate_danger"),
            "{reply}"
        );
    }

    #[test]
    fn the_record_keeps_the_judgement_and_the_case_file_reads_back() {
        let visit = json!({"at": "2026-11-24T10:00:00Z", "child_count": 1, "reason": "Known to school nurse.",
            "case": {"area": "redbridge", "reference": "R-1", "recorded_level": 3,
                "answers": {"immediate_danger": "no"},
                "children": [{"id": "A", "age": 6, "answers": {}}]}});
        let reply = call(json!({"op": "record", "visit": visit}));
        let record = reply["record"].as_str().unwrap();
        assert!(record.contains("Known to school nurse."), "{record}");
        assert!(record.contains("threshold-web"), "{record}");
        let back =
            call(json!({"op": "read_case", "name": "saved.yaml", "text": reply["case_file"]}));
        assert_eq!(back["case"]["reference"], "R-1", "{back}");
        assert_eq!(back["case"]["children"][0]["age"], 6, "{back}");
        assert!(
            reply["file_stem"]
                .as_str()
                .unwrap()
                .starts_with("R-1-2026-11-24")
        );
    }
}
