//! Every case in `examples/cases/` gives, through the real binary, the tier, routes and
//! first number to ring that `examples/expected-cases.yaml` documents, in office hours and
//! out of hours.

use assert_cmd::Command;
use serde::Deserialize;
use std::collections::BTreeMap;

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
    #[serde(default)]
    could_reach: BTreeMap<String, u8>,
    overall: Option<u8>,
    routes: Vec<String>,
    in_hours: Call,
    out_of_hours: Call,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Call {
    first_call: String,
}

fn expectations() -> Vec<Expected> {
    let text = std::fs::read_to_string("examples/expected-cases.yaml").unwrap();
    serde_yaml::from_str(&text).unwrap()
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

#[test]
fn examples_land_where_their_expectation_says() {
    for expected in expectations() {
        let file = &expected.file;
        for (at, call) in [
            (IN_HOURS, &expected.in_hours),
            (OUT_OF_HOURS, &expected.out_of_hours),
        ] {
            let result = assess(file, at);
            let context = format!("{file} ({}) at {at}", expected.situation);
            assert_eq!(
                result["overall"]["level"].as_u64().map(|l| l as u8),
                expected.overall,
                "{context}"
            );
            assert_eq!(result["emergency"], expected.emergency, "{context}");
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
            assert_eq!(levels, expected.levels, "{context}");
            for (child, reach) in &expected.could_reach {
                let found = result["children"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["id"] == child.as_str())
                    .unwrap();
                assert_eq!(found["could_reach"], *reach, "{context}");
            }
            let routes: Vec<&str> = result["routes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap())
                .collect();
            assert_eq!(routes, expected.routes, "{context}");
            assert_eq!(
                result["contacts"][0]["phone"],
                call.first_call.as_str(),
                "{context}"
            );
        }
    }
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
