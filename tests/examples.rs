//! Every case in `examples/cases/` gives, through the real binary, the tier, routes and
//! first number to ring that `examples/expected-cases.yaml` documents, in office hours and
//! out of hours, and the rules that decide each child's level (`decided_by`).

use assert_cmd::Command;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

const IN_HOURS: &str = "2026-11-24T10:00";
const OUT_OF_HOURS: &str = "2026-11-28T22:00";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    file: String,
    situation: String,
    #[serde(default)]
    emergency: bool,
    levels: BTreeMap<String, u8>,
    /// Per child: the floor (or floors) whose tier is its level, or `points`.
    decided_by: BTreeMap<String, DecidedBy>,
    #[serde(default)]
    could_reach: BTreeMap<String, u8>,
    overall: Option<u8>,
    routes: Vec<String>,
    in_hours: Call,
    out_of_hours: Call,
}

/// What puts a child at its level: one floor's id, the exact set of floors at that tier,
/// or `points` (no floor at the level: the score reaches it).
#[derive(Deserialize)]
#[serde(untagged)]
enum DecidedBy {
    One(String),
    Many(Vec<String>),
}

impl DecidedBy {
    /// The floors expected at the child's level: none for `points`.
    fn floors(&self, file: &str, child: &str) -> BTreeSet<String> {
        let ids: Vec<&String> = match self {
            DecidedBy::One(id) if id == "points" => return BTreeSet::new(),
            DecidedBy::One(id) => vec![id],
            DecidedBy::Many(ids) => ids.iter().collect(),
        };
        assert!(
            !ids.is_empty() && ids.iter().all(|id| *id != "points"),
            "{file}: {child}'s decided_by is `points` alone or a non-empty list of floors"
        );
        ids.into_iter().cloned().collect()
    }
}

/// A child of the JSON result: the rules with the effect `floor <its level>`, the level, and
/// its highest floor tier (null when no floor holds).
fn floors_at_level(child: &serde_json::Value) -> (BTreeSet<String>, u64, Option<u64>) {
    let level = child["level"].as_u64().unwrap();
    let at_level = format!("floor {level}");
    let floors = child["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["effect"] == at_level.as_str())
        .map(|r| r["rule"].as_str().unwrap().to_string())
        .collect();
    (floors, level, child["floor"].as_u64())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Call {
    first_call: String,
}

fn expectations() -> Vec<Expected> {
    let text = std::fs::read_to_string("examples/expected-cases.yaml").unwrap();
    threshold::yaml::parse_unscanned(&text).unwrap()
}

fn assess(file: &str, at: &str) -> serde_json::Value {
    let output = Command::cargo_bin("threshold")
        .unwrap()
        .args([
            "assess",
            &format!("examples/cases/{file}"),
            "--format",
            "json",
            "--at",
            at,
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{file}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn every_example_has_a_documented_expectation() {
    let documented: Vec<String> = expectations().into_iter().map(|e| e.file).collect();
    let mut present: Vec<String> = std::fs::read_dir("examples/cases")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    let mut sorted = documented.clone();
    sorted.sort();
    assert_eq!(sorted, present);
}

/// Every example at a weekday morning and a Saturday night: its levels, routes and first
/// call as documented. Every mismatch is listed, not only the first.
#[test]
fn examples_land_where_their_expectation_says() {
    let mut wrong: Vec<String> = Vec::new();
    let mut check = |context: &str, what: &str, got: String, want: String| {
        if got != want {
            wrong.push(format!("{context}: {what} is {got}, expected {want}"));
        }
    };
    for expected in expectations() {
        let file = &expected.file;
        for (at, call) in [
            (IN_HOURS, &expected.in_hours),
            (OUT_OF_HOURS, &expected.out_of_hours),
        ] {
            let result = assess(file, at);
            let context = format!("{file} ({}) at {at}", expected.situation);
            check(
                &context,
                "the household level",
                format!("{:?}", result["overall"]["level"].as_u64().map(|l| l as u8)),
                format!("{:?}", expected.overall),
            );
            check(
                &context,
                "emergency",
                result["emergency"].to_string(),
                expected.emergency.to_string(),
            );
            let levels: BTreeMap<String, u8> = result["children"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["id"].as_str().unwrap().to_string(),
                        c["level"].as_u64().unwrap() as u8,
                    )
                })
                .collect();
            check(
                &context,
                "the children's levels",
                format!("{levels:?}"),
                format!("{:?}", expected.levels),
            );
            check(
                &context,
                "the children named in decided_by",
                format!("{:?}", expected.decided_by.keys().collect::<Vec<_>>()),
                format!("{:?}", levels.keys().collect::<Vec<_>>()),
            );
            for (child, decided) in &expected.decided_by {
                let Some(found) = result["children"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["id"] == child.as_str())
                else {
                    continue;
                };
                let want = decided.floors(file, child);
                let (got, level, floor) = floors_at_level(found);
                check(
                    &context,
                    &format!("the floors at {child}'s level {level}"),
                    format!("{got:?}"),
                    format!("{want:?}"),
                );
                // A named floor makes the highest floor the level; `points` leaves every
                // floor below it, so the score reached the level.
                let floor_is_level = floor == Some(level);
                check(
                    &context,
                    &format!(
                        "whether {child}'s level {level} comes from a floor (highest floor {floor:?})"
                    ),
                    floor_is_level.to_string(),
                    (!want.is_empty()).to_string(),
                );
            }
            for (child, reach) in &expected.could_reach {
                let found = result["children"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["id"] == child.as_str())
                    .unwrap();
                check(
                    &context,
                    &format!("{child}'s could_reach"),
                    found["could_reach"].to_string(),
                    reach.to_string(),
                );
            }
            let routes: Vec<&str> = result["routes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap())
                .collect();
            check(
                &context,
                "the routes",
                format!("{routes:?}"),
                format!("{:?}", expected.routes),
            );
            check(
                &context,
                "the first call",
                result["contacts"][0]["phone"].to_string(),
                format!("{:?}", call.first_call),
            );
        }
    }
    assert!(
        wrong.is_empty(),
        "{} mismatches:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn a_batch_over_the_examples_gives_each_its_documented_level() {
    let output = Command::cargo_bin("threshold")
        .unwrap()
        .args([
            "batch",
            "examples/cases",
            "--format",
            "jsonl",
            "--at",
            IN_HOURS,
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let expected = expectations();
    assert_eq!(rows.len(), expected.len(), "one row per example case");
    for e in expected {
        let row = rows
            .iter()
            .find(|r| r["source"].as_str().unwrap().ends_with(&e.file))
            .unwrap_or_else(|| panic!("no row for {}", e.file));
        assert_eq!(
            row["overall"]["level"].as_u64().map(|l| l as u8),
            e.overall,
            "{}",
            e.file
        );
    }
}
