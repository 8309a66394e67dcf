//! `threshold rules diff OLD NEW`: what a change to the rules changes.

mod common;

use common::{copy_dir, threshold};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// Two copies of the bundled rules, OLD and NEW, to change.
fn two_copies() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    copy_dir(Path::new("rules"), &old);
    copy_dir(Path::new("rules"), &new);
    (dir, old, new)
}

/// Replace the first `from` after the line `after` in `file`.
fn edit(file: &Path, after: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    let start = text
        .find(after)
        .unwrap_or_else(|| panic!("no `{after}` in {file:?}"));
    let at = start + text[start..].find(from).unwrap();
    let changed = format!("{}{to}{}", &text[..at], &text[at + from.len()..]);
    std::fs::write(file, changed).unwrap();
}

fn run(old: &Path, new: &Path) -> (i32, String, String) {
    let output = threshold()
        .args(["rules", "diff"])
        .arg(old)
        .arg(new)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// The lines under an area's heading, up to the next blank line.
fn moves_in<'a>(out: &'a str, area: &str) -> Vec<&'a str> {
    let heading = format!("\n{area}: ");
    let start = out
        .find(&heading)
        .unwrap_or_else(|| panic!("no {area} in\n{out}"));
    out[start + 1..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(str::trim)
        .collect()
}

/// Salford's young-carer weight goes from 2 to 10 points, and Salford's threshold for
/// tier 4 is 10: every young carer's points now pass tier 4. The bundled subjects with a
/// young carer at tier 3 in Salford are the `young-carer` and `young-carer-needs-assessment`
/// scenarios and the `trafford-young-carer` example case; in each the practitioner answered
/// no to disclosed harm and to suspected significant harm, so the national layer's limit
/// holds them at tier 3 and adds its route asking whether this is significant harm
/// (`worries_add_up`). So exactly those three move in Salford, by that route, and nothing
/// moves in any other area (their files did not change).
#[test]
fn raising_a_weight_lists_the_scenarios_and_cases_it_moves_and_nothing_else() {
    let (_dir, old, new) = two_copies();
    edit(
        &new.join("areas/salford.yaml"),
        "    - id: young_carer\n",
        "points: 2",
        "points: 10",
    );
    let (code, out, err) = run(&old, &new);
    assert_eq!(code, 1, "outcomes moved, so exit 1\n{out}{err}");
    assert_eq!(
        moves_in(&out, "salford"),
        vec![
            "scenario young-carer-needs-assessment: routes +worries_add_up",
            "scenario young-carer: routes +worries_add_up",
            "case trafford-young-carer: routes +worries_add_up",
        ],
        "{out}"
    );
    for area in ["trafford", "redbridge", "torbay"] {
        assert!(
            out.contains(&format!("\n{area}: nothing moves\n")),
            "{area}\n{out}"
        );
    }
    assert!(out.contains("  salford: weight `young_carer`: +2 points -> +10 points\n"));
    let redacted = out
        .replace(&old.display().to_string(), "OLD")
        .replace(&new.display().to_string(), "NEW");
    let redacted = redact_shas(&redacted);
    insta::assert_snapshot!("raise_young_carer_weight", redacted);
}

fn redact_shas(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("(sha256 ") {
        out.push_str(&rest[..i]);
        out.push_str("(sha256 [FINGERPRINT])");
        rest = &rest[i + "(sha256 ".len() + 13..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_same_rules_move_nothing_and_exit_0() {
    let (_dir, old, new) = two_copies();
    let (code, out, _) = run(&old, &new);
    assert_eq!(code, 0, "{out}");
    for area in ["trafford", "redbridge", "torbay", "salford"] {
        assert!(out.contains(&format!("\n{area}: nothing moves\n")), "{out}");
    }
    assert!(out.contains("Rule changes\n  none\n"), "{out}");
}

/// A changed source text and a changed floor tier are listed by id; only the floor moves
/// outcomes.
#[test]
fn rule_changes_are_listed_by_id_and_a_text_change_alone_exits_0() {
    let (_dir, old, new) = two_copies();
    let torbay = new.join("areas/torbay.yaml");
    edit(
        &torbay,
        "  floors:\n",
        "source: ",
        "source: 003_ab244fb51e8edd0b.txt, edited; ",
    );
    let (code, out, _) = run(&old, &new);
    assert_eq!(code, 0, "only a source text changed\n{out}");
    assert!(out.contains("  torbay: floor `"), "{out}");
    assert!(out.contains(" source: \""), "{out}");
    assert!(out.contains("Summary: 0 outcome(s) move"), "{out}");
}

#[test]
fn a_folder_that_is_not_rules_is_refused_naming_the_file() {
    let (dir, old, _) = two_copies();
    threshold()
        .args(["rules", "diff"])
        .arg(&old)
        .arg(dir.path().join("nowhere"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "nowhere{}questions.yaml",
            std::path::MAIN_SEPARATOR
        )))
        .stderr(predicate::str::contains("give two rules folders"));
}

#[test]
fn rules_that_fail_the_check_are_refused_with_line_and_column() {
    let (_dir, old, new) = two_copies();
    edit(
        &new.join("areas/salford.yaml"),
        "    - id: young_carer\n",
        "points: 2",
        "points: 0",
    );
    let (code, out, err) = run(&old, &new);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("areas/salford.yaml:"), "{err}");
    assert!(err.contains("`young_carer` has 0 points"), "{err}");
    assert!(out.is_empty());
}
