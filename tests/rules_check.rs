//! `threshold rules check` passes on the bundled rules and refuses a broken copy with the
//! file, line and column of the problem and what to do.

mod common;

use common::{copy_dir, threshold};

use std::path::Path;

/// A copy of the bundled rules with `find` replaced by `replace` in `file`; returns the
/// folder and the 1-based line where the replacement starts.
fn broken(file: &str, find: &str, replace: &str) -> (tempfile::TempDir, usize) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("rules"), dir.path());
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text
        .find(find)
        .unwrap_or_else(|| panic!("{find:?} is not in {file}"));
    let line = text[..at].matches('\n').count() + 1;
    std::fs::write(&path, text.replacen(find, replace, 1)).unwrap();
    (dir, line)
}

#[test]
fn the_bundled_rules_pass() {
    let bank = std::fs::read_to_string("rules/questions.yaml").unwrap();
    let questions = bank.lines().filter(|l| l.starts_with("  - id: ")).count();
    threshold()
        .args(["rules", "check"])
        .assert()
        .success()
        .stdout(predicates::str::contains(format!(
            "rules OK: {questions} questions, 4 areas (redbridge, salford, torbay, trafford), 0 warning(s)"
        )));
}

#[test]
fn a_local_copy_of_the_bundled_rules_passes_and_is_named_local() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("rules"), dir.path());
    threshold()
        .args(["rules", "check"])
        .arg(dir.path())
        .assert()
        .success();
    let output = threshold()
        .arg("--rules")
        .arg(dir.path())
        .args([
            "assess",
            "examples/cases/torbay-neglect.yaml",
            "--format",
            "json",
            "--at",
            "2026-11-24T10:00",
        ])
        .output()
        .unwrap();
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result["rules"]["origin"], "local");
    assert_eq!(result["rules"]["path"], dir.path().display().to_string());
    let bundled = threshold()
        .args([
            "assess",
            "examples/cases/torbay-neglect.yaml",
            "--format",
            "json",
            "--at",
            "2026-11-24T10:00",
        ])
        .output()
        .unwrap();
    let bundled: serde_json::Value = serde_json::from_slice(&bundled.stdout).unwrap();
    assert_eq!(bundled["rules"]["origin"], "bundled");
    assert_eq!(
        bundled["rules"]["sha256"], result["rules"]["sha256"],
        "the same files have the same fingerprint"
    );
}

#[test]
fn the_environment_variable_selects_local_rules_too() {
    let (dir, _) = broken(
        "areas/torbay.yaml",
        "      at_least: 5\n",
        "      at_least: 6\n",
    );
    let output = threshold()
        .env("THRESHOLD_RULES", dir.path())
        .args([
            "assess",
            "examples/cases/torbay-neglect.yaml",
            "--at",
            "2026-11-24T10:00",
            // Markdown, whose lines are not wrapped: a long temporary path (Windows') would
            // be broken across the table's lines.
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains(&format!("LOCAL rules from {}", dir.path().display())),
        "{stdout}"
    );
}

/// Each broken copy: which file, what to break, a fragment of the message, and where the
/// error must point, exactly: `None` at the line where the break starts, or the first line
/// that starts with this text (lines that start with each of its lines, in turn).
type Breakage = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);

const BREAKAGES: &[Breakage] = &[
    (
        "areas/salford.yaml",
        "  - id: immediate_danger_unknown\n",
        "  - id: immediate_danger_unknown\n    role: emergency\n",
        "route `immediate_danger_unknown` is a second route with `role: emergency`",
        None,
    ),
    (
        "questions.yaml",
        "  - id: adult_mental_health\n",
        "  - id: adult_mental_health\n    role: immediate_danger\n",
        "`adult_mental_health` is a second question with `role: immediate_danger`",
        None,
    ),
    (
        "questions.yaml",
        "  - id: young_carer\n",
        "  - id: young_carer\n    role: immediate_danger\n",
        "`young_carer` has `role: immediate_danger`, so it is a household yes/no question",
        None,
    ),
    (
        "areas/salford.yaml",
        "when: {answer: adult_mental_health, is: yes}",
        "when: {answer: adult_mentl_health, is: yes}",
        "unknown question id `adult_mentl_health` (did you mean `adult_mental_health`?)",
        None,
    ),
    (
        "areas/salford.yaml",
        "    - id: adult_substance_misuse\n",
        "    - id: adult_mental_health\n",
        "rule id `adult_mental_health` is used twice",
        None,
    ),
    (
        "areas/trafford.yaml",
        "      label: A child is in immediate danger\n      when: {answer: immediate_danger, is: yes}\n      tier: 4",
        "      label: A child is in immediate danger\n      when: {answer: immediate_danger, is: yes}\n      tier: 5",
        // A tier is 1 to 4 by its type: the parser refuses a 5 where it stands.
        "scoring.floors[0].tier: a level is 1 to 4, not 5",
        Some("      tier: 5"),
    ),
    (
        "areas/redbridge.yaml",
        "    phone: \"020 8708 5350\"\n",
        "",
        // About the contact: at its id.
        "contact `redbridge_lado` has no phone and no email",
        Some("  - id: redbridge_lado"),
    ),
    (
        "areas/torbay.yaml",
        "        - {days: Sat-Sun, from: \"09:00\", to: \"09:00\"}\n",
        "",
        "the front door leaves a gap: neither service is open from Sat 09:00",
        Some("front_door:"),
    ),
    (
        "areas/salford.yaml",
        "        - {days: Mon-Fri, from: \"16:30\", to: \"08:30\"}",
        "        - {days: Mon-Fri, from: \"16:00\", to: \"08:30\"}",
        "overlap from Mon 16:00",
        Some("front_door:"),
    ),
    (
        "areas/torbay.yaml",
        "    source: 003_ab244fb51e8edd0b.txt, 11.4\n",
        "    source: the protocol\n",
        "has a source that begins with no declared document: `the protocol`",
        None,
    ),
    // A citation of a document that does not exist.
    (
        "areas/torbay.yaml",
        "    source: 003_ab244fb51e8edd0b.txt, 11.4\n",
        "    source: 003_ab244fb51e8edd0b.txt, 11.4 and 999_0123456789abcdef.txt, 2.1\n",
        "cites `999_0123456789abcdef.txt`, which is not declared under `sources:`",
        None,
    ),
    // A page read in the future.
    (
        "areas/redbridge.yaml",
        "    checked: 2026-11-22\n",
        "    checked: 2099-01-01\n",
        "which is in the future",
        None,
    ),
    (
        "areas/redbridge.yaml",
        "      at_least: 2\n",
        "      at_least: 1000\n",
        "tier 2 (Level 2: additional needs) cannot be reached by score",
        None,
    ),
    // Weights that would overflow a sum.
    (
        "areas/salford.yaml",
        "      points: 3\n",
        "      points: 2147483647\n",
        "a rule's points are at most 100 either way",
        None,
    ),
    // A number that is not in any source, not marked as calibration.
    (
        "areas/salford.yaml",
        "      basis: calibration\n",
        "",
        // With no `basis:` to point at, at the threshold it belongs to.
        "it must say `basis: calibration`",
        Some("    - tier: 2"),
    ),
    (
        "areas/salford.yaml",
        "      when: {answer: support_network, is: yes}",
        "      when: {answer: support_network, is: no}",
        "may only test the reassuring answer of `support_network`",
        None,
    ),
    (
        "areas/salford.yaml",
        "      when: {answer: basic_needs_unmet, is: yes}",
        "      when: {answer: basic_needs_unmet, is: no}",
        "may only test the worrying answer of `basic_needs_unmet`",
        None,
    ),
    (
        "areas/torbay.yaml",
        "    contacts: [torbay_lado]",
        "    contacts: [torbay_ladoo]",
        "names contact `torbay_ladoo`",
        None,
    ),
    (
        "areas/torbay.yaml",
        "    contacts: [torbay_lado]",
        "    contacts: [torbay_lado, torbay_mash]",
        "lists `torbay_mash`, which every result lists already",
        None,
    ),
    // The emergency route fires on a "no", so a child in danger gets no 999.
    (
        "areas/trafford.yaml",
        "  - id: emergency\n    role: emergency\n    when: {answer: immediate_danger, is: yes}",
        "  - id: emergency\n    role: emergency\n    when: {answer: immediate_danger, is: no}",
        "the emergency route does not fire on immediate danger alone",
        None,
    ),
    // An emergency number that is not 999.
    (
        "areas/salford.yaml",
        "    phone: \"999\"\n",
        "    phone: \"998\"\n",
        "has the number 998, not 999",
        Some("  - id: police_999"),
    ),
    // A number written out in prose, so a changed contact would leave it behind.
    (
        "areas/trafford.yaml",
        "ring the Police on {contact:police_999} now",
        "ring the Police on 999 now, then 0161 912 5125",
        "writes the number 0161 912 5125 out",
        Some("    text: >-\n      A child's immediate safety is at risk"),
    ),
    (
        "areas/trafford.yaml",
        "ring the Police on {contact:police_999} now",
        "ring the Police on {contact:police_99} now",
        "names `{contact:police_99}`, which is not in this area's contacts",
        Some("    text: >-\n      A child's immediate safety is at risk"),
    ),
    (
        "questions.yaml",
        "    ask_when: {answer: young_carer, is: yes}",
        "    ask_when: {answer: has_social_worker, is: yes}",
        "is not asked before this question",
        None,
    ),
    (
        "questions.yaml",
        "  - id: self_harm\n    short: self-harm or suicidal thoughts\n",
        "  - id: self_harm\n    short: self-harm or suicidal thoughts\n    colour: red\n",
        "unknown field `colour`",
        Some("    colour: red"),
    ),
    (
        "areas/salford.yaml",
        "    checked: 2026-11-22\n    confidence: seed_only\n    source: 004_6a0c92154672053a.txt, Getting More Help",
        "    checked: 2026-11-22\n    confidence: sure\n    source: 004_6a0c92154672053a.txt, Getting More Help",
        "unknown variant `sure`",
        Some("    confidence: sure"),
    ),
];

#[test]
fn a_broken_copy_is_refused_with_a_located_error() {
    for (file, find, replace, message, anchor) in BREAKAGES {
        let (dir, line) = broken(file, find, replace);
        let output = threshold()
            .args(["rules", "check"])
            .arg(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{file}: {replace:?}\n{stderr}"
        );
        assert!(
            stderr.contains(message),
            "{file}: expected {message:?} in\n{stderr}"
        );
        let path = dir.path().join(file).display().to_string();
        let error = stderr.lines().find(|l| l.contains(message)).unwrap();
        assert!(
            error.starts_with(&format!("{path}:")),
            "not located in {path}: {error}"
        );
        let position: Vec<usize> = error[path.len() + 1..]
            .split(':')
            .take(2)
            .map(|n| {
                n.parse()
                    .unwrap_or_else(|_| panic!("no line:column in {error}"))
            })
            .collect();
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        let expected = match anchor {
            Some(anchor) => common::line_of(&text, anchor),
            None => line,
        };
        assert!(
            position[0] == expected,
            "{file}: {message:?} reported at line {} but expected at line {expected}",
            position[0]
        );
        assert!(stderr.contains("help: "), "{stderr}");
    }
}

/// A folder without one of the four areas, or with a rules file far larger than any rules
/// need, is refused naming the file.
#[test]
fn a_missing_area_or_an_oversized_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("rules"), dir.path());
    std::fs::remove_file(dir.path().join("areas/torbay.yaml")).unwrap();
    threshold()
        .args(["rules", "check"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "{}: error[E-RULES-SOURCE]: the rules for torbay are missing",
            dir.path().join("areas/torbay.yaml").display()
        )));

    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("rules"), dir.path());
    // Joined a part at a time: the file is named as the folder listing names it, with the
    // platform's separator throughout.
    let path = dir.path().join("areas").join("salford.yaml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&"# padding\n".repeat(100_000));
    std::fs::write(&path, text).unwrap();
    threshold()
        .args(["rules", "check"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "{}: error[E-RULES-SOURCE]: is over 512 KiB",
            path.display()
        )));
}

#[test]
fn a_stale_contact_is_a_warning_not_an_error() {
    let (dir, _) = broken(
        "areas/salford.yaml",
        "    checked: 2026-11-22\n    confidence: seed_only\n    source: 004_6a0c92154672053a.txt, Getting More Help",
        "    checked: 2024-01-01\n    confidence: seed_only\n    source: 004_6a0c92154672053a.txt, Getting More Help",
    );
    threshold()
        .args(["rules", "check"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicates::str::contains("1 warning(s)"))
        .stderr(predicates::str::contains(
            "warning[W-RULES-CHECK]: contact `bridge_advice` was last checked on 2024-01-01, over 12 months ago",
        ));
}

#[test]
fn a_threshold_only_a_floor_can_reach_is_a_warning() {
    let (dir, _) = broken(
        "areas/redbridge.yaml",
        "      at_least: 13\n",
        "      at_least: 1000\n",
    );
    threshold()
        .args(["rules", "check"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "warning[W-RULES-CHECK]: tier 4 (Level 4: acute needs) cannot be reached by score",
        ));
}

#[test]
fn a_missing_rules_folder_is_refused() {
    threshold()
        .args(["rules", "check", "/nonexistent/rules"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with(format!(
            // The folder as typed, joined to the file's name by the platform's separator.
            "/nonexistent/rules{}questions.yaml: error[E-RULES-SOURCE]: cannot read",
            std::path::MAIN_SEPARATOR
        )));
}

/// What the program itself knows about a question or a route is declared in the rules
/// (`role:`), never read from an id: without the roles the rules are refused, naming the
/// file; with the emergency route under another id, a child in danger still gets it, 999
/// first.
#[test]
fn the_emergency_route_and_the_danger_question_are_known_by_their_roles() {
    for (file, role, message) in [
        (
            "areas/torbay.yaml",
            "    role: emergency\n",
            "there is no emergency route (a route with `role: emergency`)",
        ),
        (
            "questions.yaml",
            "    role: immediate_danger\n",
            "no question has `role: immediate_danger`",
        ),
    ] {
        let (dir, _) = broken(file, role, "");
        let output = threshold()
            .args(["rules", "check"])
            .arg(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{file}\n{stderr}");
        let path = dir.path().join(file).display().to_string();
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with(&path) && l.contains(message)),
            "{file}: expected {message:?} naming {path} in\n{stderr}"
        );
    }
    let (dir, _) = broken(
        "areas/torbay.yaml",
        "  - id: emergency\n",
        "  - id: police_now\n",
    );
    let case = dir.path().join("danger.yaml");
    std::fs::write(
        &case,
        "schema: 1\nreference: ROLE-1\narea: torbay\nanswers:\n  immediate_danger: yes\nchildren:\n  - id: A\n    age: 4\n",
    )
    .unwrap();
    let output = threshold()
        .env("THRESHOLD_RULES", dir.path())
        .args(["assess", "--format", "json", "--at", "2026-12-07T10:00"])
        .arg(&case)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let result: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(result["emergency"], true, "{result}");
    assert_eq!(result["routes"][0]["id"], "police_now", "{result}");
    assert_eq!(result["contacts"][0]["call"], "emergency", "{result}");
    assert_eq!(result["contacts"][0]["phone"], "999", "{result}");
}
