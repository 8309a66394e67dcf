//! The page's one JSON boundary (`threshold_web::handle`), fuzzed: any request, well formed
//! or not, gets JSON back (a reply, or `{"error": TEXT}`), never a panic; and a request the
//! page could send with a few values changed is answered or refused in words.

use proptest::prelude::*;
use serde_json::{Value, json};

/// Names the page's requests use, and a few it does not.
const KEYS: &[&str] = &[
    "op",
    "visit",
    "at",
    "case",
    "area",
    "reference",
    "recorded_level",
    "answers",
    "children",
    "id",
    "age",
    "unborn",
    "child_count",
    "reason",
    "name",
    "text",
    "label",
    "schema",
    "immediate_danger",
    "domestic_abuse",
    "young_carer",
    "has_social_worker",
    "nonsense",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (0u64..40).prop_map(|n| json!(n)),
        prop::sample::select(vec![
            "next",
            "record",
            "start",
            "read_case",
            "check_label",
            "salford",
            "torbay",
            "yes",
            "no",
            "unknown",
            "not known",
            "2026-11-24T10:00:00Z",
            "A",
            "Zoë",
            "\u{202e}",
            "",
            "schema: 1\nchildren: []\n",
        ])
        .prop_map(|s| json!(s)),
        ".{0,12}".prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS.to_vec()), inner), 0..6).prop_map(
                |pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            ),
        ]
    })
}

/// A visit the page could send, one value replaced.
fn near_visit() -> impl Strategy<Value = Value> {
    let paths: Vec<&[&str]> = vec![
        &["op"],
        &["visit", "at"],
        &["visit", "child_count"],
        &["visit", "reason"],
        &["visit", "case", "area"],
        &["visit", "case", "reference"],
        &["visit", "case", "recorded_level"],
        &["visit", "case", "answers", "immediate_danger"],
        &["visit", "case", "children"],
        &["visit", "case", "children", "0", "age"],
        &["visit", "case", "children", "0", "id"],
        &["visit", "case", "children", "0", "answers", "young_carer"],
    ];
    (prop::sample::select(paths), value()).prop_map(|(path, replacement)| {
        let mut request = json!({"op": "next", "visit": {"at": "2026-11-24T10:00:00Z",
            "child_count": 1, "reason": null,
            "case": {"area": "salford", "reference": "R-1", "recorded_level": null,
                "answers": {"immediate_danger": "no"},
                "children": [{"id": "A", "age": 9, "unborn": false, "answers": {"young_carer": "yes"}}]}}});
        let mut at = &mut request;
        for key in &path[..path.len() - 1] {
            at = match key.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*key],
            };
        }
        at[path[path.len() - 1]] = replacement;
        request
    })
}

fn answers_in_json(request: &str) -> Result<Value, TestCaseError> {
    let reply = threshold_web::handle(request);
    let reply: Value = serde_json::from_str(&reply)
        .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {reply}")))?;
    prop_assert!(reply.is_object(), "{reply}");
    if let Some(error) = reply.get("error") {
        prop_assert!(error.as_str().is_some_and(|e| !e.is_empty()), "{reply}");
    }
    Ok(reply)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_request_gets_json_back(request in value()) {
        answers_in_json(&request.to_string())?;
    }

    #[test]
    fn any_text_gets_json_back(text in ".{0,64}") {
        answers_in_json(&text)?;
    }

    #[test]
    fn a_near_visit_is_answered_or_refused_in_words(request in near_visit()) {
        let reply = answers_in_json(&request.to_string())?;
        if reply.get("error").is_none() && request["op"] == "next" {
            prop_assert!(reply.get("step").is_some(), "{reply}");
        }
    }
}
