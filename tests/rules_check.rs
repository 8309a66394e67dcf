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
    threshold()
        .args(["rules", "check"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "rules OK: 29 questions, 4 areas (redbridge, salford, torbay, trafford)",
        ));
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

/// Each broken copy: which file, what to break, and a fragment of the message.
const BREAKAGES: &[(&str, &str, &str, &str)] = &[
    (
        "areas/salford.yaml",
        "when: {answer: adult_mental_health, is: yes}",
        "when: {answer: adult_mentl_health, is: yes}",
        "unknown question id `adult_mentl_health` (did you mean `adult_mental_health`?)",
    ),
    (
        "areas/salford.yaml",
        "    - id: adult_substance_misuse\n",
        "    - id: adult_mental_health\n",
        "rule id `adult_mental_health` is used twice",
    ),
    (
        "areas/trafford.yaml",
        "      tier: 4\n      source: 002_ffdf3abb778c93c0.txt, Assessment of Need (\"has",
        "      tier: 5\n      source: 002_ffdf3abb778c93c0.txt, Assessment of Need (\"has",
        "forces tier 5, but tiers are 1 to 4",
    ),
    (
        "areas/redbridge.yaml",
        "    phone: \"020 8708 5350\"\n",
        "",
        "contact `redbridge_lado` has no phone and no email",
    ),
    (
        "areas/torbay.yaml",
        "        - {days: Sat-Sun, from: \"09:00\", to: \"09:00\"}\n",
        "",
        "no contact in `cover` is open from Sat 09:00",
    ),
    (
        "areas/salford.yaml",
        "        - {days: Mon-Fri, from: \"16:30\", to: \"08:30\"}",
        "        - {days: Mon-Fri, from: \"16:00\", to: \"08:30\"}",
        "overlap from Mon 16:00",
    ),
    (
        "areas/torbay.yaml",
        "    source: 003_ab244fb51e8edd0b.txt, 11.4\n",
        "    source: the protocol\n",
        "names no seed file and no checked date",
    ),
    (
        "areas/redbridge.yaml",
        "      at_least: 2\n",
        "      at_least: 1000\n",
        "tier 2 (Level 2: additional needs) cannot be reached by score",
    ),
    (
        "areas/salford.yaml",
        "      when: {answer: support_network, is: yes}",
        "      when: {answer: support_network, is: no}",
        "may only test the reassuring answer of `support_network`",
    ),
    (
        "areas/salford.yaml",
        "      when: {answer: basic_needs_unmet, is: yes}",
        "      when: {answer: basic_needs_unmet, is: no}",
        "may only test the worrying answer of `basic_needs_unmet`",
    ),
    (
        "areas/torbay.yaml",
        "    contacts: [torbay_lado]",
        "    contacts: [torbay_ladoo]",
        "names contact `torbay_ladoo`",
    ),
    (
        "areas/trafford.yaml",
        "    contacts: [police_999, trafford_cfr, trafford_edt]",
        "    contacts: [trafford_cfr, police_999]",
        "must list an emergency contact (999) first",
    ),
    (
        "questions.yaml",
        "    ask_when: {answer: young_carer, is: yes}",
        "    ask_when: {answer: has_social_worker, is: yes}",
        "is not asked before this question",
    ),
    (
        "questions.yaml",
        "  - id: self_harm\n    short: self-harm or suicidal thoughts\n",
        "  - id: self_harm\n    short: self-harm or suicidal thoughts\n    colour: red\n",
        "unknown field `colour`",
    ),
    (
        "areas/salford.yaml",
        "    checked: 2026-11-22\n    confidence: seed_only\n    source: 004_6a0c92154672053a.txt, Getting More Help",
        "    checked: 2026-11-22\n    confidence: sure\n    source: 004_6a0c92154672053a.txt, Getting More Help",
        "unknown variant `sure`",
    ),
];

#[test]
fn a_broken_copy_is_refused_with_a_located_error() {
    for (file, find, replace, message) in BREAKAGES {
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
        let about_cover = message.contains("cover") || message.contains("overlap");
        let expected = if about_cover {
            text.lines().position(|l| l == "cover:").unwrap() + 1
        } else {
            line
        };
        assert!(
            position[0].abs_diff(expected) <= 3,
            "{file}: {message:?} reported at line {} but expected near line {expected}",
            position[0]
        );
        assert!(stderr.contains("help: "), "{stderr}");
    }
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
            "warning: contact `bridge_advice` was last checked on 2024-01-01, over 12 months ago",
        ));
}

#[test]
fn a_threshold_only_a_floor_can_reach_is_a_warning() {
    let (dir, _) = broken(
        "areas/redbridge.yaml",
        "      at_least: 10\n",
        "      at_least: 1000\n",
    );
    threshold()
        .args(["rules", "check"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "warning: tier 4 (Level 4: acute needs) cannot be reached by score",
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
            "/nonexistent/rules{}questions.yaml: error: cannot read",
            std::path::MAIN_SEPARATOR
        )));
}
