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
//! missing one, not asked. Answers that a later change left inapplicable are cleared, as
//! `threshold check` clears them. Any failure is `{"error": TEXT}`.

mod ffi;
pub mod page;

use serde_json::{Map, Value, json};
use std::sync::OnceLock;
use threshold::interview::answers;
use threshold::interview::flow::{Flow, Step, Subject};
use threshold::question::{About, Answer, Answers, Kind, QId};
use threshold::rules::{self, RuleSet};
use threshold::values::{ChildCount, ChildLabel};

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
                "levels": threshold::values::Tier::ALL.into_iter().map(|tier| json!({
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

/// The visit in `request` as the interview's flow. Its case is read by the case reader
/// (`threshold::case`), as `threshold assess` reads a file, with the visit's reason as
/// the case's `recorded_reason`; only whether each answer can still apply is left to the
/// flow, which clears what a change ruled out, as `threshold check` does.
fn visit<'r>(
    rules: &'r RuleSet,
    request: &Value,
    moment: jiff::ZonedDateTime,
) -> Result<Flow<'r>, String> {
    let visit = request.get("visit").ok_or("the request has no `visit`")?;
    let Some(Value::Object(written)) = visit.get("case") else {
        return Err("the visit has no `case` (a mapping)".into());
    };
    let mut written = written.clone();
    written.entry("schema").or_insert(json!(1));
    match visit.get("reason") {
        None | Some(Value::Null) => {}
        Some(Value::String(reason)) if reason.trim().is_empty() => {}
        Some(Value::String(reason)) => {
            written.insert("recorded_reason".into(), json!(reason.trim()));
        }
        Some(_) => return Err("`reason` must be text".into()),
    }
    let bank = &rules.questions;
    let written = Value::Object(written);
    let case = threshold::case::parse_before_applies(
        &written.to_string(),
        threshold::case::Format::Json,
        "the visit",
        bank,
    )
    .map_err(|e| e.message)?;
    let area = case
        .area
        .as_deref()
        .map(|id| rules.area_or_error(id))
        .transpose()?;
    let asked = explicit_unknowns(rules, &written);
    let mut flow = Flow::new(rules, area, case, moment);
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
    Ok(flow)
}

/// The questions the case (already read) answers "unknown" in so many words: asked and
/// not known, where a missing answer was not asked.
fn explicit_unknowns(rules: &RuleSet, case: &Value) -> Vec<(Subject, QId)> {
    let bank = &rules.questions;
    let unknowns = |answers: Option<&Value>| -> Vec<QId> {
        answers
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, answer)| {
                answer
                    .as_str()
                    .is_some_and(|a| a.trim().eq_ignore_ascii_case("unknown"))
            })
            .filter_map(|(id, _)| bank.get(id))
            .collect()
    };
    let mut asked: Vec<(Subject, QId)> = unknowns(case.get("answers"))
        .into_iter()
        .map(|q| (Subject::Household, q))
        .collect();
    let children = case.get("children").and_then(Value::as_array);
    for (i, child) in children.into_iter().flatten().enumerate() {
        asked.extend(
            unknowns(child.get("answers"))
                .into_iter()
                .map(|q| (Subject::Child(i), q)),
        );
    }
    asked
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

/// The panel `threshold check` shows at once after the immediate-danger question
/// (`threshold::interview::danger`, decided there for both).
fn danger(flow: &Flow) -> Value {
    threshold::interview::danger::panel(flow)
        .and_then(|panel| serde_json::to_value(panel).ok())
        .unwrap_or(Value::Null)
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
        assert_eq!(reply["step"]["id"], "immediate_danger", "{reply}");
        assert!(reply["danger"].is_null());
    }

    #[test]
    fn a_yes_to_immediate_danger_gives_the_999_panel_and_an_emergency_result() {
        let visit = json!({"at": "2026-11-24T10:00:00Z",
            "case": {"area": "trafford", "answers": {"immediate_danger": "yes"}}});
        let reply = call(json!({"op": "next", "visit": visit}));
        assert_eq!(reply["danger"]["emergency"], true, "{reply}");
        assert_eq!(reply["result"]["emergency"], true, "{reply}");
        assert_ne!(reply["step"]["id"], "immediate_danger");
    }

    #[test]
    fn an_explicit_unknown_counts_as_asked_and_a_missing_answer_does_not() {
        let at = "2026-11-24T10:00:00Z";
        let asked = json!({"at": at, "case": {"area": "salford", "answers": {"immediate_danger": "unknown"}}});
        let reply = call(json!({"op": "next", "visit": asked}));
        assert_ne!(reply["step"]["id"], "immediate_danger", "{reply}");
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

    /// The visit is read by the case reader `threshold assess` uses: what it refuses in a
    /// file, the page refuses too (two children with one label, a label or reference it
    /// would not save, the answer word "not known", a reason with a bidi override).
    #[test]
    fn a_visit_is_refused_where_a_case_file_would_be() {
        let at = "2026-11-24T10:00:00Z";
        let child = |id: &str| json!({"id": id, "age": 4, "answers": {}});
        for (case, reason, says) in [
            (
                json!({"area": "salford", "children": [child("A"), child("A")]}),
                Value::Null,
                "two children",
            ),
            (
                json!({"area": "salford", "children": [child("Zoë")]}),
                Value::Null,
                "Zo",
            ),
            (
                json!({"area": "salford", "reference": "x".repeat(41)}),
                Value::Null,
                "reference",
            ),
            (
                json!({"area": "salford", "answers": {"immediate_danger": "not known"}}),
                Value::Null,
                "immediate_danger",
            ),
            (
                json!({"area": "salford", "recorded_level": 5}),
                Value::Null,
                "recorded_level",
            ),
            (
                json!({"area": "salford"}),
                json!("fine\u{202e}"),
                "recorded_reason",
            ),
        ] {
            let visit = json!({"at": at, "reason": reason, "case": case});
            let reply = call(json!({"op": "next", "visit": visit}));
            let error = reply["error"]
                .as_str()
                .unwrap_or_else(|| panic!("{visit}: {reply}"));
            assert!(error.contains(says), "{visit}: {error}");
        }
    }

    /// An answer a change has ruled out is cleared, as `threshold check` clears it, not
    /// refused as a case file's would be: the visit goes on.
    #[test]
    fn an_answer_a_change_ruled_out_is_cleared_not_refused() {
        let at = "2026-11-24T10:00:00Z";
        let case = json!({"area": "salford", "answers": {"immediate_danger": "no",
            "domestic_abuse": "no", "domestic_abuse_severe": "yes"}});
        let reply = call(json!({"op": "record", "visit": {"at": at, "case": case}}));
        let saved = reply["case_file"]
            .as_str()
            .unwrap_or_else(|| panic!("{reply}"));
        assert!(!saved.contains("domestic_abuse_severe: yes"), "{saved}");
        assert!(saved.contains("domestic_abuse: no"), "{saved}");
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
