//! Adding an area is its rules file, its sources and the scenario overrides its documents
//! justify, with no change to the program. A fifth area, Exampleshire, is made in a copy of
//! the rules from Salford's file under another id and name (so Salford's sources serve it),
//! and is then checked, listed, assessed, batched and tested as the four shipped areas are.

mod common;

use common::{copy_dir, threshold};
use std::path::{Path, PathBuf};

const AT: &str = "2026-12-07T10:00";

/// A copy of the bundled rules with Exampleshire added, in `dir/rules`.
fn rules_with_a_fifth_area(dir: &Path) -> PathBuf {
    let rules = dir.join("rules");
    copy_dir(Path::new("rules"), &rules);
    let salford = std::fs::read_to_string("rules/areas/salford.yaml").unwrap();
    let fifth = salford
        .replacen("\nid: salford\n", "\nid: exampleshire\n", 1)
        .replacen("\nname: Salford\n", "\nname: Exampleshire\n", 1);
    assert_ne!(fifth, salford, "Salford's file names its id and name");
    std::fs::write(rules.join("areas/exampleshire.yaml"), fifth).unwrap();
    rules
}

/// The scenarios, with each of Salford's overrides given to Exampleshire too: the
/// overrides its documents (Salford's, here) justify.
fn scenarios_with_overrides_for_the_fifth_area(dir: &Path) -> PathBuf {
    let scenarios = dir.join("scenarios");
    copy_dir(Path::new("examples/scenarios"), &scenarios);
    for entry in std::fs::read_dir(&scenarios).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut out = String::new();
        let mut lines = text.lines().peekable();
        while let Some(line) = lines.next() {
            out.push_str(line);
            out.push('\n');
            if line != "    salford:" {
                continue;
            }
            let mut block = vec!["    exampleshire:".to_string()];
            while let Some(next) = lines.next_if(|l| l.starts_with("      ")) {
                out.push_str(next);
                out.push('\n');
                block.push(next.to_string());
            }
            for copied in block {
                out.push_str(&copied);
                out.push('\n');
            }
        }
        std::fs::write(&path, out).unwrap();
    }
    scenarios
}

fn json(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    let output = cmd.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&output.stderr)))
}

#[test]
fn a_fifth_area_is_checked_listed_and_assessed_with_no_code_change() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_with_a_fifth_area(dir.path());
    threshold()
        .args(["rules", "check"])
        .arg(&rules)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "5 areas (exampleshire, redbridge, salford, torbay, trafford)",
        ));
    threshold()
        .arg("--rules")
        .arg(&rules)
        .arg("areas")
        .assert()
        .success()
        .stdout(predicates::str::contains("Exampleshire"));

    // The same household in Salford and in Exampleshire, whose rules are Salford's: the
    // same levels, routes and numbers, each under its own area.
    let case =
        std::fs::read_to_string("examples/cases/salford-domestic-abuse-cumulative.yaml").unwrap();
    let fifth = dir.path().join("exampleshire.yaml");
    std::fs::write(
        &fifth,
        case.replacen("area: salford", "area: exampleshire", 1),
    )
    .unwrap();
    let assess = |path: &Path| {
        json(
            threshold()
                .arg("--rules")
                .arg(&rules)
                .args(["assess", "--format", "json", "--at", AT])
                .arg(path),
        )
    };
    let salford = assess(Path::new(
        "examples/cases/salford-domestic-abuse-cumulative.yaml",
    ));
    let exampleshire = assess(&fifth);
    assert_eq!(exampleshire["area"]["id"], "exampleshire");
    assert_eq!(exampleshire["area"]["name"], "Exampleshire");
    for field in ["overall", "children", "routes", "actions", "contacts"] {
        assert_eq!(exampleshire[field], salford[field], "{field}");
    }
    assert!(
        salford["overall"]["level"].as_u64().unwrap() >= 2,
        "{salford}"
    );

    // Batch reads the area from each case like any other.
    let run = threshold()
        .arg("--rules")
        .arg(&rules)
        .args(["batch", "--format", "jsonl", "--at", AT])
        .arg(&fifth)
        .output()
        .unwrap();
    let row: serde_json::Value =
        serde_json::from_str(String::from_utf8(run.stdout).unwrap().trim()).unwrap();
    assert_eq!(row["area"]["id"], "exampleshire");
    assert_eq!(row["overall"], salford["overall"]);
}

/// Every scenario's default covers an area added later; where it does not, the new area's
/// documents justify an override, as Salford's do for Salford.
#[test]
fn the_scenarios_test_a_fifth_area_by_their_defaults_and_its_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_with_a_fifth_area(dir.path());
    let without = threshold()
        .args(["rules", "test"])
        .arg(&rules)
        .output()
        .unwrap();
    let report =
        String::from_utf8(without.stdout).unwrap() + &String::from_utf8(without.stderr).unwrap();
    assert_eq!(without.status.code(), Some(1), "{report}");
    let failures: Vec<&str> = report.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(!failures.is_empty(), "{report}");
    assert!(
        failures.iter().all(|l| l.contains("(exampleshire)")),
        "only the new area, where Salford has overrides, falls short: {failures:#?}"
    );

    let scenarios = scenarios_with_overrides_for_the_fifth_area(dir.path());
    threshold()
        .args(["rules", "test"])
        .arg(&rules)
        .arg("--scenarios")
        .arg(&scenarios)
        .assert()
        .success();
}
