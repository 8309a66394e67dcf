//! What each command prints, as a person or a program reads it.

mod common;

use common::{redact_fingerprint, threshold};

use predicates::str::contains;

const IN_HOURS: &str = "2026-11-24T10:00";

fn stdout(args: &[&str]) -> String {
    let output = threshold().args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn example(name: &str) -> String {
    format!("examples/cases/{name}")
}

#[test]
fn the_table_result_reads_as_a_practitioner_needs_it() {
    let out = stdout(&[
        "assess",
        &example("salford-domestic-abuse-cumulative.yaml"),
        "--at",
        IN_HOURS,
    ]);
    insta::assert_snapshot!(
        "assess_table_salford_domestic_abuse",
        redact_fingerprint(&out)
    );
}

#[test]
fn an_emergency_says_so_first_and_puts_999_first() {
    let out = stdout(&[
        "assess",
        &example("trafford-immediate-danger.yaml"),
        "--at",
        IN_HOURS,
    ]);
    let emergency = out
        .find("EMERGENCY: a child may be in immediate danger. Ring 999 now.")
        .expect("emergency line");
    let ring_now = out.find("Ring now").unwrap();
    assert!(emergency < ring_now);
    let first_row = out[ring_now..]
        .lines()
        .find(|l| l.contains("│ 1 "))
        .unwrap();
    assert!(first_row.contains("999"), "{first_row}");
}

/// Christmas Day 2025 is before the published bank holidays begin: the result cannot know
/// whether the daytime service is open, says so, and lists both front-door numbers.
#[test]
fn a_day_before_the_published_bank_holidays_is_not_taken_for_a_working_day() {
    let path = example("salford-domestic-abuse-cumulative.yaml");
    let out = stdout(&[
        "assess",
        &path,
        "--at",
        "2025-12-25T10:00",
        "--format",
        "markdown",
    ]);
    assert!(
        out.contains("Bank holidays before 2026 are not in the published list: if 2025-12-25 is one, the daytime service is closed; both numbers are listed."),
        "{out}"
    );
    assert!(
        out.contains("0161 603 4500") && out.contains("0161 794 8888"),
        "{out}"
    );
}

#[test]
fn the_markdown_result_is_ready_for_case_notes() {
    let out = stdout(&[
        "assess",
        &example("torbay-unknowns.yaml"),
        "--at",
        IN_HOURS,
        "--format",
        "markdown",
    ]);
    insta::assert_snapshot!("assess_markdown_torbay_unknowns", redact_fingerprint(&out));
}

#[test]
fn every_result_says_it_supports_professional_judgement() {
    for format in ["table", "json", "markdown"] {
        let out = stdout(&[
            "assess",
            &example("redbridge-no-children.yaml"),
            "--at",
            IN_HOURS,
            "--format",
            format,
        ]);
        assert!(
            out.contains("Supports, not replaces, professional judgement."),
            "{format}"
        );
    }
}

#[test]
fn no_line_is_wider_than_80_columns_and_no_colour_goes_down_a_pipe() {
    for entry in std::fs::read_dir("examples/cases").unwrap() {
        let path = entry.unwrap().path();
        let out = stdout(&["assess", path.to_str().unwrap(), "--at", IN_HOURS]);
        assert!(
            !out.contains('\u{1b}'),
            "{}: escape codes in a pipe",
            path.display()
        );
        for line in out.lines() {
            assert!(
                line.chars().count() <= 80,
                "{}: {} columns: {line}",
                path.display(),
                line.chars().count()
            );
        }
    }
    for args in [&["areas"][..], &["contacts", "--at", IN_HOURS][..]] {
        for line in stdout(args).lines() {
            assert!(line.chars().count() <= 80, "{args:?}: {line}");
        }
    }
}

#[test]
fn the_json_result_has_the_contract_fields() {
    let out = stdout(&[
        "assess",
        &example("torbay-disclosure.yaml"),
        "--at",
        IN_HOURS,
        "--format",
        "json",
    ]);
    let result: serde_json::Value = serde_json::from_str(&out).unwrap();
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    for key in [
        "schema",
        "reference",
        "area",
        "rules",
        "assessed_at",
        "emergency",
        "overall",
        "children",
        "routes",
        "actions",
        "contacts",
        "recorded_level",
        "agrees",
        "judgement_note",
    ] {
        assert!(keys(&result).contains(&key.to_string()), "missing {key}");
    }
    assert_eq!(result["schema"], 1);
    assert_eq!(
        result["area"],
        serde_json::json!({"id": "torbay", "name": "Torbay"})
    );
    assert_eq!(result["assessed_at"], "2026-11-24T10:00:00+00:00");
    assert_eq!(
        result["overall"],
        serde_json::json!({"level": 4, "name": "Level 4: Statutory Intervention"})
    );
    assert_eq!(result["rules"]["origin"], "bundled");
    assert_eq!(result["rules"]["sha256"].as_str().unwrap().len(), 64);
    let child = &result["children"][0];
    for key in [
        "id",
        "age",
        "unborn",
        "level",
        "name",
        "score",
        "floor",
        "could_reach",
        "reasons",
        "unknowns",
    ] {
        assert!(keys(child).contains(&key.to_string()), "child lacks {key}");
    }
    assert_eq!(child["floor"], 4);
    let reason = &child["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "disclosed_harm")
        .unwrap();
    assert_eq!(reason["effect"], "floor 4");
    assert!(
        reason["source"]
            .as_str()
            .unwrap()
            .starts_with("003_ab244fb51e8edd0b.txt")
    );
    for key in [
        "id", "name", "phone", "email", "hours", "open_now", "source",
    ] {
        assert!(
            keys(&result["contacts"][0]).contains(&key.to_string()),
            "contact lacks {key}"
        );
    }
    for key in ["id", "text", "source"] {
        assert!(
            keys(&result["routes"][0]).contains(&key.to_string()),
            "route lacks {key}"
        );
    }
}

/// `call` (docs/case-files.md, SPEC section 12) says why each number stands where it does:
/// what cannot wait rings the front door open now (999 first where a child may be in
/// danger); what can wait shows the daytime front door first, in hours "open_now" and out of
/// hours "next_working_day", with the duty team after it "if_it_cannot_wait"; a route's own
/// service is "specialist"; 999 is always listed, last when no child is in danger. Written
/// from that passage, in order of the contacts listed, at a weekday morning and a Saturday
/// night.
#[test]
fn the_json_call_values_are_the_documented_contract() {
    let calls = |case: &str, at: &str| -> Vec<String> {
        let out = stdout(&["assess", &example(case), "--at", at, "--format", "json"]);
        let result: serde_json::Value = serde_json::from_str(&out).unwrap();
        let contacts = result["contacts"].as_array().unwrap();
        // `ring_now` is true only for what cannot wait (docs/case-files.md).
        for c in contacts {
            let cannot_wait = matches!(c["call"].as_str(), Some("emergency" | "ring_now"));
            assert_eq!(c["ring_now"], cannot_wait, "{case} at {at}: {c}");
        }
        contacts
            .iter()
            .map(|c| c["call"].as_str().unwrap().to_string())
            .collect()
    };
    const SATURDAY_NIGHT: &str = "2026-11-28T22:00";
    // A child in immediate danger: 999 first, then the front door open now.
    let danger = calls("trafford-immediate-danger.yaml", IN_HOURS);
    assert_eq!(danger[..2], ["emergency", "ring_now"], "{danger:?}");
    assert!(
        !danger.contains(&"emergency_last".to_string()),
        "{danger:?}"
    );
    // Nothing urgent in hours: the daytime front door open now; 999 last.
    let calm = calls("salford-no-concerns.yaml", IN_HOURS);
    assert_eq!(
        calm.first().map(String::as_str),
        Some("open_now"),
        "{calm:?}"
    );
    assert_eq!(
        calm.last().map(String::as_str),
        Some("emergency_last"),
        "{calm:?}"
    );
    // Nothing urgent on a Saturday night: the daytime front door for the next working day,
    // then the duty team only if it cannot wait.
    let night = calls("salford-no-concerns.yaml", SATURDAY_NIGHT);
    assert_eq!(
        night[..2],
        ["next_working_day", "if_it_cannot_wait"],
        "{night:?}"
    );
    assert_eq!(
        night.last().map(String::as_str),
        Some("emergency_last"),
        "{night:?}"
    );
    // Level 4 on a Saturday night: the duty team rings now, the daytime door later.
    let urgent = calls("salford-domestic-abuse-cumulative.yaml", SATURDAY_NIGHT);
    assert_eq!(urgent[..2], ["ring_now", "later"], "{urgent:?}");
    // An allegation against someone who works with children: the LADO is a specialist.
    let lado = calls("redbridge-allegation-lado.yaml", IN_HOURS);
    assert!(lado.contains(&"specialist".to_string()), "{lado:?}");
}

/// A repeated child id is refused as the parser reads it, so it is placed on the repeated
/// id itself (line 7, column 9), not on a quoted value that reads like it (the reason on
/// line 3) nor on the first child (line 5).
#[test]
fn a_repeated_child_id_is_refused_at_the_repeat_not_at_a_quotation_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case.yaml");
    std::fs::write(
        &case,
        "schema: 1\narea: torbay\nrecorded_reason: \"see id: A\"\nchildren:\n  - id: A\n    age: 4\n  - id: A\n    age: 5\n",
    )
    .unwrap();
    let path = case.to_str().unwrap();
    threshold()
        .args(["assess", path])
        .assert()
        .code(2)
        .stderr(contains(format!(
            "{path}:7:9: error[E-CASE-CHILD]: children[1].id: two children have the id `A`"
        )));
}

/// An unknown `area:` is the case's error at its own line, whichever command reads the
/// case: `check --answers` once said E-USAGE-AREA with no line, and every command pointed at
/// a comment that mentioned the area (line 2) instead of the field (line 4).
#[test]
fn an_unknown_area_is_refused_at_its_line_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case.yaml");
    std::fs::write(
        &case,
        "schema: 1\n# area: nowhere is where the family moved from\nreference: X\narea: nowhere\nchildren: []\n",
    )
    .unwrap();
    let path = case.to_str().unwrap();
    let at = format!("{path}:4:1: error[E-CASE-AREA]: unknown area `nowhere`");
    for args in [
        vec!["assess", path],
        vec!["check", "--answers", path],
        vec!["batch", path, "--format", "jsonl"],
    ] {
        let output = threshold().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(said.contains(&at), "{args:?}: {said}");
    }
}

#[test]
fn summer_time_is_london_time() {
    let out = stdout(&[
        "assess",
        &example("salford-no-concerns.yaml"),
        "--at",
        "2026-07-01T09:00",
        "--format",
        "json",
    ]);
    let result: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(result["assessed_at"], "2026-07-01T09:00:00+01:00");
}

#[test]
fn a_recorded_level_is_kept_beside_the_tools() {
    let case = "schema: 1\narea: redbridge\nrecorded_level: 2\nanswers:\n  immediate_danger: no\nchildren:\n  - id: A\n    age: 9\n    answers:\n      disclosed_harm: yes\n";
    let output = threshold()
        .args(["assess", "-", "--at", IN_HOURS, "--format", "json"])
        .write_stdin(case)
        .output()
        .unwrap();
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result["recorded_level"], 2);
    assert_eq!(result["overall"]["level"], 4);
    assert_eq!(result["agrees"], false);
    let table = threshold()
        .args(["assess", "-", "--at", IN_HOURS])
        .write_stdin(case)
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    let words = table.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("Recorded level: Level 2: additional needs (the tool says Level 4: acute needs; both are kept)."),
        "{table}"
    );
}

#[test]
fn area_on_the_command_line_overrides_the_case() {
    let out = stdout(&[
        "assess",
        &example("salford-no-concerns.yaml"),
        "--area",
        "torbay",
        "--at",
        IN_HOURS,
        "--format",
        "json",
    ]);
    let result: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(result["area"]["id"], "torbay");
}

#[test]
fn areas_lists_each_area_with_its_level_names() {
    let out = stdout(&["areas"]);
    assert!(out.contains("Rules: bundled\nsha256 "));
    // The fingerprint changes with every edit of the rules; the rest is the contract.
    insta::assert_snapshot!(
        "areas",
        out.lines()
            .filter(|l| !l.starts_with("sha256 "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn contacts_say_what_is_open_at_the_time_given() {
    let day = stdout(&["contacts", "redbridge", "--at", IN_HOURS]);
    let night = stdout(&["contacts", "redbridge", "--at", "2026-11-28T22:00"]);
    let row = |text: &str, name: &str| -> String {
        let start = text.find(name).unwrap();
        text[start..].lines().next().unwrap().to_string() + text[start..].lines().nth(1).unwrap()
    };
    assert!(row(&day, "Child Protection").contains("open now"));
    assert!(row(&night, "Child Protection").contains("closed now"));
    assert!(row(&day, "Emergency Duty").contains("closed now"));
    assert!(row(&night, "Emergency Duty").contains("open now"));
    assert!(day.contains("Contacts at Tue 24 Nov 2026, 10:00 GMT (Europe/London)"));
}

#[test]
fn bad_usage_exits_2() {
    threshold()
        .args(["assess"])
        .assert()
        .code(2)
        .stderr(contains("Usage"));
    threshold().args(["nonsense"]).assert().code(2);
    threshold()
        .args([
            "assess",
            &example("salford-no-concerns.yaml"),
            "--at",
            "yesterday",
        ])
        .assert()
        .code(2)
        .stderr(contains(
            "--at: error[E-USAGE-AT]: `yesterday` is not a time",
        ));
    threshold()
        .args([
            "assess",
            &example("salford-no-concerns.yaml"),
            "--at",
            "¡a 𐀀 𐀀𐀀",
        ])
        .assert()
        .code(2)
        .stderr(contains("is not a time"));
    threshold()
        .args(["contacts", "wigan"])
        .assert()
        .code(2)
        .stderr(contains("unknown area `wigan`"));
}

#[test]
fn version_and_help_exit_0() {
    threshold()
        .arg("--version")
        .assert()
        .success()
        .stdout(contains(env!("CARGO_PKG_VERSION")));
    threshold()
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("ring 999"));
}

/// With every answer unknown (immediate danger included), every area and every format
/// leads with immediate danger not ruled out and what to find out; 999 is first; nothing
/// says "no additional needs".
#[test]
fn an_all_unknown_case_leads_with_what_is_not_known() {
    let case = "tests/fixtures/cases/all-unknown.yaml";
    for area in ["trafford", "redbridge", "torbay", "salford"] {
        let table = stdout(&["assess", case, "--area", area, "--at", IN_HOURS]);
        let lead = table.find("NOT YET KNOWN").expect("a provisional block");
        let level = table.find("Household level:").unwrap();
        assert!(
            lead < level,
            "{area}: the level comes before the unknowns:\n{table}"
        );
        assert!(
            table[lead..level].contains("Immediate danger has NOT been ruled out"),
            "{area}:\n{table}"
        );
        assert!(!table.contains("No additional needs"), "{area}:\n{table}");
        assert!(
            !table.contains("universal services meet"),
            "{area}:\n{table}"
        );

        let markdown = stdout(&[
            "assess", case, "--area", area, "--at", IN_HOURS, "--format", "markdown",
        ]);
        let lead = markdown.find("**NOT YET KNOWN**").unwrap();
        assert!(
            lead < markdown.find("Household level").unwrap(),
            "{area}:\n{markdown}"
        );
        assert!(
            !markdown.contains("No additional needs"),
            "{area}:\n{markdown}"
        );

        let json = stdout(&[
            "assess", case, "--area", area, "--at", IN_HOURS, "--format", "json",
        ]);
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(json["provisional"], true, "{area}");
        assert_eq!(json["urgent"], true, "{area}");
        assert_eq!(json["contacts"][0]["phone"], "999", "{area}");
        assert_eq!(json["contacts"][0]["ring_now"], true, "{area}");
        assert!(
            json["children"][0]["could_reach"].as_u64() == Some(4),
            "{area}"
        );
    }
}

/// A London time the clocks skip, or show twice, is refused saying which offsets to
/// write; `now` is accepted; JSON times carry the London offset whatever the input's.
#[test]
fn london_times_are_never_guessed_and_json_times_are_london_time() {
    let case = example("salford-no-concerns.yaml");
    threshold()
        .args(["assess", &case, "--at", "2026-03-29T01:30"])
        .assert()
        .code(2)
        .stderr(contains("does not exist in London: the clocks go forward"));
    threshold()
        .args(["assess", &case, "--at", "2026-10-25T01:30"])
        .assert()
        .code(2)
        .stderr(contains("happens twice in London: the clocks go back"));
    threshold()
        .args(["assess", &case, "--at", "2026-11-24T10:00[Europe/Paris]"])
        .assert()
        .code(2)
        .stderr(contains("names a zone but no offset"));
    let json = stdout(&[
        "assess",
        &case,
        "--at",
        "2026-07-01T08:00:00Z",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["assessed_at"], "2026-07-01T09:00:00+01:00");
    assert_eq!(json["contacts_at"], "2026-07-01T09:00:00+01:00");
    let json = stdout(&[
        "assess",
        &case,
        "--at",
        "2026-10-25T01:30+01:00",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["assessed_at"], "2026-10-25T01:30:00+01:00");
    stdout(&["assess", &case, "--at", "now"]);
}

/// A saved case reopened later shows the hours at the moment of reading, and keeps its
/// own assessment time.
#[test]
fn a_reopened_case_shows_the_hours_now_and_keeps_its_own_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved.yaml");
    std::fs::write(
        &path,
        "schema: 1\narea: salford\nassessed_at: 2026-11-28T22:00:00Z\nanswers: {immediate_danger: no}\nchildren: [{id: A, age: 4}]\n",
    )
    .unwrap();
    let json = stdout(&["assess", &path.display().to_string(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["assessed_at"], "2026-11-28T22:00:00+00:00");
    // The clock of the machine running the test: any day after the visit.
    let read_at = json["contacts_at"].as_str().unwrap();
    assert!(read_at > "2026-11-29", "contacts at {read_at}");
}

/// The practitioner's reason is part of the case file (schema 1, SPEC 12): it shows beside
/// the recorded level in every format, JSON carries it, and a reason that could redraw a
/// screen is refused at its line.
#[test]
fn a_recorded_reason_is_kept_beside_the_recorded_level() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("judged.yaml");
    std::fs::write(
        &path,
        "schema: 1\narea: salford\nrecorded_level: 3\nrecorded_reason: \"Father's drinking is hidden from services\"\nanswers: {immediate_danger: no}\nchildren: [{id: A, age: 4}]\n",
    )
    .unwrap();
    let path = path.display().to_string();
    let table = stdout(&["assess", &path, "--at", IN_HOURS]);
    assert!(
        table.contains("Reason: Father's drinking is hidden from services"),
        "{table}"
    );
    let json = stdout(&["assess", &path, "--at", IN_HOURS, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["recorded_level"], 3);
    assert_eq!(
        json["recorded_reason"],
        "Father's drinking is hidden from services"
    );

    // An escape sequence would redraw the screen; a bidirectional override would reverse
    // what the reason seems to say.
    let bad = dir.path().join("bad.yaml");
    for reason in ["fine\\u001b[2J", "no \\u202Eecnerefer"] {
        std::fs::write(
            &bad,
            format!("schema: 1\narea: salford\nrecorded_level: 3\nrecorded_reason: \"{reason}\"\nchildren: []\n"),
        )
        .unwrap();
        threshold()
            .args(["assess", &bad.display().to_string()])
            .assert()
            .code(2)
            .stderr(contains(
                "`recorded_reason` holds a control or invisible character",
            ));
    }

    // A Markdown image or HTML in the reason stays words in case notes: pasted into a
    // Markdown viewer it must not fetch anything or become markup.
    let image = dir.path().join("image.yaml");
    std::fs::write(
        &image,
        "schema: 1\narea: salford\nrecorded_level: 3\nrecorded_reason: \"see ![x](https://example.org/p.png) <img src=x>\"\nanswers: {immediate_danger: no}\nchildren: [{id: A, age: 6}]\n",
    )
    .unwrap();
    let image = image.display().to_string();
    let markdown = stdout(&["assess", &image, "--at", IN_HOURS, "--format", "markdown"]);
    assert!(
        markdown.contains("Reason: see \\!\\[x\\](https://example.org/p.png) \\<img src=x\\>"),
        "{markdown}"
    );
    assert!(!markdown.contains("![x]("), "{markdown}");
    assert!(!markdown.contains(" <img"), "{markdown}");
}

/// A refusal that needs the whole case read (an area the rules do not have, an answer
/// that cannot apply) stands where the value is written, found by the parser: never on
/// words that only mention it (a reason's text), never on another child's answer.
#[test]
fn a_refusal_of_the_whole_case_stands_on_the_value_not_on_words_that_mention_it() {
    let dir = tempfile::tempdir().unwrap();
    let mentioned = dir.path().join("mentioned.yaml");
    std::fs::write(
        &mentioned,
        "schema: 1\nreference: R-7\nrecorded_level: 2\nrecorded_reason: |\n  the old file said\n  area: nowhere\narea: nowhere\nanswers: {immediate_danger: no}\nchildren: [{id: A, age: 4}]\n",
    )
    .unwrap();
    let shown = mentioned.display().to_string();
    for args in [vec!["assess", &shown], vec!["batch", &shown]] {
        threshold()
            .args(&args)
            .assert()
            .code(2)
            .stderr(contains(format!("{shown}:7:1: error[E-CASE-AREA]")));
    }
    // One line of JSON: child B's answer, not child A's (the same question, which
    // applies to A), nor the first place the question's name is written.
    let line = r#"{"schema":1,"area":"salford","answers":{"immediate_danger":"no"},"children":[{"id":"A","age":9,"answers":{"young_carer":"yes","young_carer_impact":"yes"}},{"id":"B","age":9,"answers":{"young_carer":"no","young_carer_impact":"yes"}}]}"#;
    let column = 1 + line.rfind("\"young_carer_impact\"").unwrap();
    let json = dir.path().join("two.json");
    std::fs::write(&json, line).unwrap();
    let shown = json.display().to_string();
    threshold()
        .args(["assess", &shown])
        .assert()
        .code(2)
        .stderr(contains(format!(
            "{shown}:1:{column}: error[E-CASE-NOT-APPLICABLE]: child `B`: `young_carer_impact` is answered"
        )));
    let lines = dir.path().join("cases.jsonl");
    std::fs::write(
        &lines,
        format!(
            "{}\n{line}\n",
            line.replace("\"B\"", "\"C\"")
                .replace("\"no\",\"young", "\"yes\",\"young")
        ),
    )
    .unwrap();
    let shown = lines.display().to_string();
    let out = threshold()
        .args(["batch", &shown, "--format", "jsonl"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!("{shown}:2:{column}: error[E-CASE-NOT-APPLICABLE]")),
        "{stderr}"
    );
}

/// An answer whose opening question rules it out, or outside its age gate, is refused
/// naming both (SPEC 12), in a case file and in a batch row.
#[test]
fn an_answer_that_cannot_apply_is_refused_naming_what_rules_it_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ruled-out.yaml");
    std::fs::write(
        &path,
        "schema: 1\narea: salford\nanswers:\n  immediate_danger: no\n  domestic_abuse: no\n  children_witness_abuse: yes\nchildren: [{id: A, age: 4}]\n",
    )
    .unwrap();
    let shown = path.display().to_string();
    threshold()
        .args(["assess", &shown])
        .assert()
        .code(2)
        .stderr(contains(format!(
            "{shown}:6:3: error[E-CASE-NOT-APPLICABLE]: `children_witness_abuse` is answered, but it applies only when domestic abuse is yes"
        )));
    let young = dir.path().join("young-carer-impact.yaml");
    std::fs::write(
        &young,
        "schema: 1\narea: salford\nanswers: {immediate_danger: no}\nchildren:\n  - id: A\n    age: 9\n    answers:\n      young_carer: no\n      young_carer_impact: yes\n",
    )
    .unwrap();
    threshold()
        .args(["assess", &young.display().to_string()])
        .assert()
        .code(2)
        .stderr(contains("child `A`: `young_carer_impact` is answered, but it applies only when young carer is yes"));
    let out = threshold()
        .args([
            "batch",
            &shown,
            &young.display().to_string(),
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let rows = String::from_utf8(out.stdout).unwrap();
    assert_eq!(rows.lines().count(), 2, "one row per case:\n{rows}");
    assert_eq!(
        rows.matches("is answered, but it applies only when")
            .count(),
        2,
        "{rows}"
    );
}

/// The interview ends every result with one screen (issue 16): for every example, in every
/// area, at 80 and 60 columns, it fits (at most 15 lines, none wider than the terminal),
/// names each child's level, and lists what to ring first.
#[test]
fn the_closing_screen_fits_80x24_and_60_columns_for_every_example() {
    let today = jiff::civil::date(2026, 12, 2);
    let (rules, _) = threshold::rules::load(
        threshold::rules::bundled_files(),
        threshold::rules::Origin::Bundled,
        today,
    )
    .unwrap();
    let at = threshold::hours::parse_moment("2026-11-28T23:00").unwrap();
    for entry in std::fs::read_dir("examples/cases").unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let case =
            threshold::case::read(&bytes, &path.display().to_string(), &rules.questions).unwrap();
        for area in &rules.areas {
            let outcome = threshold::engine::assess(area, &rules.questions, &case, &at);
            for columns in [80, 60] {
                let screen = threshold::render::summary::render(&rules, &outcome, columns);
                let lines: Vec<&str> = screen.lines().collect();
                let context = format!(
                    "{} in {} at {columns} columns:\n{screen}",
                    path.display(),
                    area.id
                );
                assert!(
                    lines.len() <= threshold::render::summary::MAX_LINES,
                    "{context}"
                );
                assert!(
                    lines.iter().all(|l| l.chars().count() <= columns),
                    "{context}"
                );
                assert!(
                    screen.contains("Ring now:") || screen.contains("Who to call:"),
                    "{context}"
                );
                for c in &outcome.children {
                    assert!(screen.contains(&format!("{} (", c.child.id)), "{context}");
                }
                if outcome.emergency {
                    assert!(lines[1].contains("999"), "{context}");
                }
            }
        }
    }
    // A large household: children that do not fit are counted, never silently dropped,
    // and the first number to ring stays on the screen.
    let many: String = (0..9)
        .map(|i| format!("  - {{id: C{i}, age: {}}}\n", i + 1))
        .collect();
    let text = format!("schema: 1\nanswers: {{immediate_danger: yes}}\nchildren:\n{many}");
    let case = threshold::case::parse(
        &text,
        threshold::case::Format::Yaml,
        "many",
        &rules.questions,
    )
    .unwrap();
    let area = rules.area("salford").unwrap();
    let outcome = threshold::engine::assess(area, &rules.questions, &case, &at);
    let screen = threshold::render::summary::render(&rules, &outcome, 60);
    assert!(
        screen.lines().count() <= threshold::render::summary::MAX_LINES,
        "{screen}"
    );
    assert!(screen.contains("more (in the result above)"), "{screen}");
    assert!(screen.contains("999"), "{screen}");
}

/// THRESHOLD_AREA gives the area when neither --area nor the case names one (SPEC 12); the
/// case's own area still wins over it, and an unknown value is refused naming the variable.
#[test]
fn threshold_area_is_the_default_area_after_the_flag_and_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-area.yaml");
    std::fs::write(
        &path,
        "schema: 1\nanswers: {immediate_danger: no}\nchildren: [{id: A, age: 5}]\n",
    )
    .unwrap();
    let shown = path.display().to_string();
    let out = threshold()
        .env("THRESHOLD_AREA", "torbay")
        .args(["assess", &shown, "--at", IN_HOURS, "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["area"]["id"], "torbay");
    let out = threshold()
        .env("THRESHOLD_AREA", "torbay")
        .args([
            "assess",
            &example("salford-no-concerns.yaml"),
            "--at",
            IN_HOURS,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["area"]["id"], "salford", "the case's own area wins");
    threshold()
        .env("THRESHOLD_AREA", "torquay")
        .args(["assess", &shown])
        .assert()
        .code(2)
        .stderr(contains(
            "THRESHOLD_AREA: error[E-USAGE-AREA]: unknown area `torquay`",
        ));
    // It is read only when it is needed: --area or the case's own area stands without it.
    threshold()
        .env("THRESHOLD_AREA", "torquay")
        .args(["assess", &shown, "--area", "salford", "--at", IN_HOURS])
        .assert()
        .success();
}

/// Where the practitioner judges a higher level than the tool's, the decision record lists
/// what that level calls for: its actions, and the numbers as that level orders them
/// (the top tier cannot wait: the front door open now is RING NOW).
#[test]
fn a_higher_judgement_brings_its_own_actions_and_numbers_into_the_record() {
    let today = jiff::civil::date(2026, 12, 2);
    let (rules, _) = threshold::rules::load(
        threshold::rules::bundled_files(),
        threshold::rules::Origin::Bundled,
        today,
    )
    .unwrap();
    let text = "schema: 1\narea: salford\nrecorded_level: 4\nrecorded_reason: \"Seen bruising\"\nanswers: {immediate_danger: no}\nchildren: [{id: A, age: 5}]\n";
    let case = threshold::case::parse(
        text,
        threshold::case::Format::Yaml,
        "judged",
        &rules.questions,
    )
    .unwrap();
    let at = threshold::hours::parse_moment(IN_HOURS).unwrap();
    let outcome =
        threshold::engine::assess(rules.area("salford").unwrap(), &rules.questions, &case, &at);
    assert!(outcome.overall < Some(threshold::values::Tier::Four));
    let notes = threshold::render::record::Notes {
        answers: Vec::new(),
        not_asked: Vec::new(),
    };
    let record = threshold::render::record::render(&rules, &outcome, &notes, "`threshold check`");
    let section = record
        .find("### What 4 Getting Risk Support calls for (the practitioner's level)")
        .unwrap_or_else(|| panic!("{record}"));
    let rest = &record[section..];
    // Salford's action for its top level (`tier: [4]`), which the tool's own level does
    // not call for.
    assert!(rest.contains("Refer to The Bridge now"), "{rest}");
    assert!(rest.contains("RING NOW (open now)"), "{rest}");
    assert!(
        record.contains("- The practitioner's reason: Seen bruising"),
        "{record}"
    );
}

/// From an independent review against the seeds: children "cared for by adults with
/// significant needs of their own, particularly those with substance misuse or mental ill
/// health problems, or are witnessing repeated domestic violence ... are more likely to be
/// at risk of being harmed" (Redbridge 001, Introduction para 1; Torbay 003, 1.6-1.7):
/// that household reaches at least level 3 with a referral in every area; and in Torbay a
/// parent whose drinking stops them meeting the children's needs is Level 3 too.
#[test]
fn the_combinations_the_seeds_name_reach_a_referral() {
    let dir = tempfile::tempdir().unwrap();
    let trio = dir.path().join("trio.yaml");
    std::fs::write(&trio, "schema: 1\nanswers: {immediate_danger: no, adult_mental_health: yes, adult_substance_misuse: yes, domestic_abuse: yes, children_witness_abuse: no}\nchildren: [{id: A, age: 7}]\n").unwrap();
    let capacity = dir.path().join("capacity.yaml");
    std::fs::write(&capacity, "schema: 1\narea: torbay\nanswers: {immediate_danger: no, adult_substance_misuse: yes, parenting_capacity_concern: yes}\nchildren: [{id: A, age: 7}]\n").unwrap();
    let level = |path: &std::path::Path, area: &str| {
        let json = stdout(&[
            "assess",
            &path.display().to_string(),
            "--area",
            area,
            "--at",
            IN_HOURS,
            "--format",
            "json",
        ]);
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        let routes: Vec<String> = json["routes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        (json["overall"]["level"].as_u64().unwrap(), routes)
    };
    for area in ["trafford", "redbridge", "torbay", "salford"] {
        let (tier, routes) = level(&trio, area);
        assert!(tier >= 3, "{area}: {tier}");
        assert!(routes.iter().any(|r| r == "referral"), "{area}: {routes:?}");
    }
    let (tier, routes) = level(&capacity, "torbay");
    assert!(
        tier >= 3 && routes.iter().any(|r| r == "referral"),
        "{tier} {routes:?}"
    );
}

/// A result is provisional only while an answer not yet known could raise it (or danger is
/// not ruled out): a household whose every question has its reassuring answer, written
/// from the bank itself, is settled in every area: not provisional, nothing to find out,
/// and no child could reach above its level. `agrees` compares a recorded level with it.
#[test]
fn a_case_with_every_answer_known_is_not_provisional() {
    let rules = threshold::rules::bundled().unwrap();
    let bank = &rules.questions;
    let reassuring = |about| {
        bank.questions()
            .filter(|(_, q)| q.about == about)
            .map(|(_, q)| {
                let answer = match q.worrying.reassuring() {
                    threshold::question::Answer::Yes => "yes".to_string(),
                    threshold::question::Answer::No => "no".to_string(),
                    threshold::question::Answer::Count(n) => n.to_string(),
                    threshold::question::Answer::Unknown => unreachable!("a reassuring answer"),
                };
                format!("\"{}\": {answer}", q.id)
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let household = reassuring(threshold::question::About::Household);
    let child = reassuring(threshold::question::About::Child);
    let dir = tempfile::tempdir().unwrap();
    // With no level recorded, one that agrees (1) and one that does not (2): `agrees` is
    // null, true and false.
    for (recorded, agrees) in [
        ("", serde_json::Value::Null),
        (
            "recorded_level: 1\nrecorded_reason: \"as the tool\"\n",
            true.into(),
        ),
        (
            "recorded_level: 2\nrecorded_reason: \"more worried\"\n",
            false.into(),
        ),
    ] {
        let path = dir.path().join("settled.yaml");
        std::fs::write(
            &path,
            format!(
                "schema: 1\nreference: SETTLED-1\n{recorded}answers: {{{household}}}\nchildren: [{{id: A, age: 9, answers: {{{child}}}}}]\n"
            ),
        )
        .unwrap();
        let case = path.to_str().unwrap();
        for area in ["trafford", "redbridge", "torbay", "salford"] {
            let json = stdout(&[
                "assess", case, "--area", area, "--at", IN_HOURS, "--format", "json",
            ]);
            let json: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(json["provisional"], false, "{area}: {json}");
            assert_eq!(json["overall"]["level"], 1, "{area}");
            assert_eq!(json["agrees"], agrees, "{area} {recorded:?}");
            let child = &json["children"][0];
            assert_eq!(child["could_reach"], child["level"], "{area}: {child}");
            assert_eq!(child["unknowns"], serde_json::json!([]), "{area}: {child}");
        }
    }
}
