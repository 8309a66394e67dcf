//! `threshold batch --map` (SPEC section 12), the map's side of the analyst's real export
//! (issue 24): a key written twice in a map is refused where it stands; factor codes held
//! as a JSON list in one cell are read; a factors column the map recognises almost nothing
//! in is refused, never read as "nothing identified"; `absent: no`; and the shipped map for
//! a Standard Safeguarding Dataset-shaped export.

mod common;

use common::Run;
use serde_json::Value;
use std::path::Path;

const AT: &str = "2026-11-24T10:00";
const CIN_MAP: &str = "examples/maps/cin-census.yaml";
const CIN_EXPORT: &str = "examples/exports/cin-census-synthetic.csv";
const SSD_MAP: &str = "examples/maps/ssd-assessments.yaml";
const SSD_EXPORT: &str = "examples/exports/ssd-synthetic.csv";

fn batch(args: &[&str]) -> Run {
    common::batch_at(AT, args)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn json_rows(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each row is JSON"))
        .collect()
}

fn row<'a>(rows: &'a [Value], reference: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["reference"] == reference)
        .unwrap_or_else(|| panic!("no row for {reference}"))
}

/// The unknown answers of a case's first child.
fn unknowns(row: &Value) -> Vec<String> {
    row["children"][0]["unknowns"]
        .as_array()
        .unwrap_or_else(|| panic!("no unknowns in {row}"))
        .iter()
        .map(|u| u.as_str().unwrap().to_string())
        .collect()
}

/// The CIN census map with `extra` inserted after its line starting `after`.
fn cin_map_with(after: &str, extra: &str) -> (String, usize) {
    let map = std::fs::read_to_string(CIN_MAP).unwrap();
    let mut out = String::new();
    let mut inserted_at = 0;
    for (index, line) in map.lines().enumerate() {
        out.push_str(line);
        out.push('\n');
        if inserted_at == 0 && line.starts_with(after) {
            out.push_str(extra);
            inserted_at = index + 2;
        }
    }
    assert!(inserted_at > 0, "no line starts {after:?}");
    (out, inserted_at)
}

/// Where a cell stands, as an error names it: `line N, column M`, M the character column
/// of `starts` (the cell as written) on line N of `text`.
fn place(text: &str, line: usize, starts: &str) -> String {
    let written = text.lines().nth(line - 1).expect("the line is in the text");
    let at = written.find(starts).expect("the cell is on its line");
    // The field, as a spreadsheet numbers columns: the commas before it outside quotes.
    let mut quoted = false;
    let mut field = 1;
    for ch in written[..at].chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => field += 1,
            _ => {}
        }
    }
    format!("line {line}, column {field}")
}

const CIN_HEADER: &str = "FamilyID,LAchildID,PersonBirthDate,AssessmentAuthorisationDate,AssessmentFactors,LocalLevel,ExpectedPersonBirthDate\n";

#[test]
fn a_code_written_twice_in_a_map_is_refused_at_its_second_line() {
    let dir = tempfile::tempdir().unwrap();
    let (text, line) = cin_map_with("    4B:", "    3B: adult_substance_misuse\n");
    let map = write(dir.path(), "twice.yaml", &text);
    let run = batch(&["--map", &map, CIN_EXPORT]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing is read: {}", run.stdout);
    let expected = format!("{map}:{line}:5: error[E-MAP]: ");
    assert!(run.stderr.contains(&expected), "{expected}\n{}", run.stderr);
    assert!(
        run.stderr.contains("`3B` is written twice"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("help: "), "{}", run.stderr);
}

#[test]
fn every_mapping_of_a_map_refuses_a_key_written_twice_where_it_is_written_again() {
    let dir = tempfile::tempdir().unwrap();
    let columns = "columns: {reference: a, child_id: b, age: c}\n";
    let cases = [
        (
            format!(
                "map: 1\n{columns}answers: {{yes: [Y], no: [N]}}\nquestions:\n  domestic_abuse: {{column: x}}\n  domestic_abuse: {{column: y}}\n"
            ),
            "6:3",
            "`domestic_abuse`",
        ),
        (
            format!(
                "map: 1\n{columns}recorded_level:\n  column: o\n  values:\n    CIN: 3\n    CIN: 4\n"
            ),
            "7:5",
            "`CIN`",
        ),
        (
            format!("# a map: one `map` key\nmap: 1\n{columns}map: 1\n"),
            "4:1",
            "`map`",
        ),
        (
            "map: 1\ncolumns:\n  reference: a\n  child_id: b\n  age: c\n  reference: d\n"
                .to_string(),
            "6:3",
            "`reference`",
        ),
        // Read as one code (codes are matched whatever their case), so a repeat too.
        (
            format!(
                "map: 1\n{columns}factors:\n  column: f\n  codes:\n    3b: domestic_abuse\n    3B: adult_mental_health\n"
            ),
            "7:5",
            "`3B`",
        ),
        (
            format!("map: 1\n{columns}recorded_level:\n  column: o\n  values: {{CP: 4, cp: 3}}\n"),
            "5:19",
            "`cp`",
        ),
    ];
    for (index, (text, at, word)) in cases.iter().enumerate() {
        let map = write(dir.path(), &format!("map{index}.yaml"), text);
        let run = batch(&["--map", &map, CIN_EXPORT]);
        assert_eq!(run.code, 2, "{text}\n{}", run.stderr);
        assert!(run.stdout.is_empty(), "{text}");
        let expected = format!("{map}:{at}: error[E-MAP]: ");
        assert!(
            run.stderr.contains(&expected) && run.stderr.contains(word),
            "{text}\nexpected {expected} and {word}\n{}",
            run.stderr
        );
        // A repeat is said to be one, in every section: the help says what to do about it.
        assert!(
            run.stderr.contains("help: keep one of the two"),
            "{text}\n{}",
            run.stderr
        );
    }
}

#[test]
fn factors_held_as_a_json_list_in_one_cell_are_read_as_codes() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        ("FAM-1", "C1", "3B|4B", "Early Help"),
        ("FAM-1", "C2", "3B", "Early Help"),
        ("FAM-2", "C3", "2A|10A|24A", "CIN"),
        ("FAM-3", "C4", "21", "NFA"),
    ];
    let export = |json: bool| {
        let mut text = CIN_HEADER.to_string();
        for (family, child, codes, level) in rows {
            let cell = if json {
                let quoted: Vec<String> =
                    codes.split('|').map(|c| format!("\"\"{c}\"\"")).collect();
                format!("\"[{}]\"", quoted.join(", "))
            } else {
                format!("\"{}\"", codes.replace('|', ","))
            };
            text.push_str(&format!(
                "{family},{child},14/03/2014,03/11/2026,{cell},{level}\n"
            ));
        }
        text
    };
    let json = write(dir.path(), "json.csv", &export(true));
    let comma = write(dir.path(), "comma.csv", &export(false));
    assert!(
        std::fs::read_to_string(&json)
            .unwrap()
            .contains(r#""[""3B"", ""4B""]""#)
    );
    let from_json = batch(&["--map", CIN_MAP, &json, "--format", "jsonl"]);
    assert_eq!(from_json.code, 0, "{}", from_json.stderr);
    let from_comma = batch(&["--map", CIN_MAP, &comma, "--format", "jsonl"]);
    assert_eq!(from_comma.code, 0, "{}", from_comma.stderr);
    let (json_rows_, comma_rows) = (json_rows(&from_json.stdout), json_rows(&from_comma.stdout));
    assert_eq!(json_rows_.len(), 3);
    for (a, b) in json_rows_.iter().zip(&comma_rows) {
        let strip = |v: &Value| {
            let mut v = v.clone();
            v.as_object_mut().unwrap().remove("source");
            v.as_object_mut().unwrap().remove("map");
            v
        };
        assert!(
            strip(a) == strip(b),
            "{} differs from its comma-separated twin",
            a["reference"]
        );
    }
    let fam1 = row(&json_rows_, "FAM-1");
    assert_eq!(fam1["overall"]["level"], 2, "3B and 4B read: {fam1}");
    assert!(!unknowns(fam1).contains(&"domestic_abuse".to_string()));
    assert_eq!(
        row(&json_rows_, "FAM-3")["unmapped_codes"],
        serde_json::json!(["21"])
    );
}

#[test]
fn a_factors_cell_that_starts_like_json_but_is_no_list_of_codes_refuses_its_case_located() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{CIN_HEADER}FAM-1,C1,14/03/2014,03/11/2026,\"[\"\"3B\"\"]\",CIN\nFAM-2,C2,14/03/2014,03/11/2026,\"{{\"\"2B\"\":\"\"No\"\"}}\",CIN\nFAM-3,C3,14/03/2014,03/11/2026,\"[\"\"4B\"\", \",CIN\nFAM-4,C4,14/03/2014,03/11/2026,\"[\"\"1B\"\", null]\",CIN\n"
    );
    let export = write(dir.path(), "export.csv", &text);
    let run = batch(&["--map", CIN_MAP, &export, "--format", "jsonl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    assert_eq!(rows.len(), 4, "one row per case");
    assert!(row(&rows, "FAM-1")["error"].is_null(), "{}", run.stdout);
    for (reference, line, starts) in [
        ("FAM-2", 3, "\"{"),
        ("FAM-3", 4, "\"[\"\"4B"),
        ("FAM-4", 5, "\"[\"\"1B"),
    ] {
        let error = row(&rows, reference)["error"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            error.contains("`AssessmentFactors` is")
                && error.contains(&place(&text, line, starts))
                && error.contains("not a JSON list of codes"),
            "{reference}: {error}"
        );
        assert_eq!(row(&rows, reference)["error_code"], "E-MAP-VALUE");
    }
}

#[test]
fn a_factors_column_the_map_recognises_almost_nothing_in_is_refused_with_an_example() {
    let dir = tempfile::tempdir().unwrap();
    // Local words, not census codes: the map recognises one cell in four.
    let text = format!(
        "{CIN_HEADER}FAM-1,C1,14/03/2014,03/11/2026,\"DA, MH\",CIN\nFAM-1,C2,14/03/2015,03/11/2026,DA,CIN\nFAM-2,C3,14/03/2014,03/11/2026,,CIN\nFAM-3,C4,14/03/2014,03/11/2026,Neglect,CIN\nFAM-4,C5,14/03/2014,03/11/2026,3B,CIN\n"
    );
    let export = write(dir.path(), "local-words.csv", &text);
    let run = batch(&["--map", CIN_MAP, &export]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().skip(1).collect();
    assert_eq!(lines.len(), 4, "every case keeps its row:\n{}", run.stdout);
    for line in &lines {
        assert!(
            line.contains("`AssessmentFactors`")
                && line.contains("1 of its 4 cells")
                && line.contains("`DA, MH`")
                && line.contains(&place(&text, 2, "\"DA"))
                && line.contains("E-MAP-VALUE"),
            "{line}"
        );
    }
    // Half the listed cells recognised is read as it is.
    let half = text.replace("Neglect", "16A");
    let export = write(dir.path(), "half.csv", &half);
    let run = batch(&["--map", CIN_MAP, &export]);
    assert_eq!(run.code, 0, "{}\n{}", run.stderr, run.stdout);
}

#[test]
fn absent_no_answers_no_for_each_coded_question_a_listing_row_does_not_list() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _) = cin_map_with("  column: AssessmentFactors", "  absent: no\n");
    let map = write(dir.path(), "absent-no.yaml", &text);
    let run = batch(&["--map", &map, CIN_EXPORT, "--format", "jsonl"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    assert_eq!(rows.len(), 10);
    let default = json_rows(&batch(&["--map", CIN_MAP, CIN_EXPORT, "--format", "jsonl"]).stdout);
    let fam1 = unknowns(row(&rows, "FAM-0001"));
    // No code of the row answers it: no, not unknown, where the map says so ...
    assert!(
        !fam1.contains(&"adult_substance_misuse".to_string()),
        "{fam1:?}"
    );
    assert!(!fam1.contains(&"self_harm".to_string()), "{fam1:?}");
    // ... and only there.
    let before = unknowns(row(&default, "FAM-0001"));
    assert!(
        before.contains(&"adult_substance_misuse".to_string()),
        "{before:?}"
    );
    // A question no code names stays unknown.
    assert!(fam1.contains(&"immediate_danger".to_string()), "{fam1:?}");
    // A child whose cell is blank lists nothing: its own questions stay unknown, never
    // no; the household's are what the other child's codes say (FAM-0008: 3B on the
    // other child's row is yes, 5B on neither is no).
    let fam8 = row(&rows, "FAM-0008");
    assert!(fam8["error"].is_null(), "{fam8}");
    let blank_child = fam8["children"][1]["unknowns"].as_array().unwrap();
    assert!(
        blank_child.contains(&Value::from("child_disability")),
        "{fam8}"
    );
    for household in ["domestic_abuse", "adult_learning_disability"] {
        assert!(
            !blank_child.contains(&Value::from(household)),
            "{household}: {fam8}"
        );
    }
    let before = row(&default, "FAM-0008")["children"][1]["unknowns"].clone();
    assert!(
        before
            .as_array()
            .unwrap()
            .contains(&Value::from("adult_learning_disability"))
    );
}

#[test]
fn with_absent_no_a_code_the_map_does_not_know_refuses_its_case_and_other_codes_are_known() {
    let dir = tempfile::tempdir().unwrap();
    let (map, _) = cin_map_with("  column: AssessmentFactors", "  absent: no\n");
    let map = write(dir.path(), "absent-no.yaml", &map);
    let text = format!(
        "{CIN_HEADER}FAM-1,C1,14/03/2014,03/11/2026,\"3B, 4X\",CIN\nFAM-2,C2,14/03/2014,03/11/2026,21,CIN\nFAM-3,C3,14/03/2014,03/11/2026,\"3B,17A\",CIN\n"
    );
    let export = write(dir.path(), "export.csv", &text);
    let run = batch(&["--map", &map, &export, "--format", "jsonl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    let error = row(&rows, "FAM-1")["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("does not know the code `4X`")
            && error.contains(&place(&text, 2, "\"3B, 4X")),
        "{error}"
    );
    // 21 (no factors identified) and 17A are in the map's `other_codes:`: known, so the
    // row's coded questions are no.
    for reference in ["FAM-2", "FAM-3"] {
        let r = row(&rows, reference);
        assert!(r["error"].is_null(), "{r}");
        assert!(!unknowns(r).contains(&"self_harm".to_string()), "{r}");
    }
}

#[test]
fn codes_in_other_codes_are_known_so_a_column_of_them_is_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{CIN_HEADER}FAM-1,C1,14/03/2014,03/11/2026,21,NFA\nFAM-2,C2,14/03/2014,03/11/2026,20,NFA\nFAM-3,C3,14/03/2014,03/11/2026,\"[\"\"17A\"\"]\",CP\nFAM-4,C4,14/03/2014,03/11/2026,3B,CIN\n"
    );
    let export = write(dir.path(), "export.csv", &text);
    let run = batch(&["--map", CIN_MAP, &export, "--format", "jsonl"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stderr, run.stdout);
    let rows = json_rows(&run.stdout);
    assert_eq!(
        row(&rows, "FAM-1")["unmapped_codes"],
        serde_json::json!(["21"])
    );
    // Without `other_codes:` the same column is refused: one cell in four has a code.
    let map = std::fs::read_to_string(CIN_MAP).unwrap();
    let without: String = map
        .lines()
        .filter(|l| !l.trim_start().starts_with("other_codes:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let map = write(dir.path(), "without.yaml", &without);
    let run = batch(&["--map", &map, &export]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.contains("1 of its 4 cells"), "{}", run.stdout);
}

#[test]
fn absent_no_is_refused_for_a_code_whose_question_is_worrying_when_no() {
    let dir = tempfile::tempdir().unwrap();
    let text = "map: 1\ncolumns: {reference: a, child_id: b, age: c}\nfactors:\n  column: f\n  absent: no\n  codes:\n    3B: domestic_abuse\n    SN: support_network\n";
    let map = write(dir.path(), "worrying-no.yaml", text);
    let run = batch(&["--map", &map, CIN_EXPORT]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{map}:8:5: error[E-MAP]: "))
            && run.stderr.contains("`support_network`"),
        "{}",
        run.stderr
    );
    // Without `absent: no` a code for it is a yes, as before.
    let map = write(
        dir.path(),
        "unknown.yaml",
        &text.replace("  absent: no\n", ""),
    );
    let run = batch(&["--map", &map, CIN_EXPORT]);
    assert!(!run.stderr.contains("error[E-MAP]"), "{}", run.stderr);
}

#[test]
fn the_shipped_cin_census_map_leaves_an_absent_code_unknown() {
    let map = std::fs::read_to_string(CIN_MAP).unwrap();
    assert!(
        !map.lines().any(|l| l.trim_start().starts_with("absent:")),
        "the census map says `absent:` itself"
    );
}

#[test]
fn the_ssd_export_is_read_through_its_map_every_clean_row_assessed_each_dirty_row_refused() {
    let run = batch(&["--map", SSD_MAP, SSD_EXPORT, "--format", "jsonl"]);
    assert_eq!(run.code, 2, "the planted rows are refused: {}", run.stderr);
    let rows = json_rows(&run.stdout);
    let clean = [
        "FAM-S01", "FAM-S02", "FAM-S03", "FAM-S04", "FAM-S05", "FAM-S06", "FAM-S07",
    ];
    for reference in clean {
        let r = row(&rows, reference);
        assert!(r["error"].is_null(), "{reference}: {r}");
        assert!(r["overall"]["level"].is_number(), "{reference}: {r}");
    }
    // The JSON lists were read as codes: 3B and 4B for FAM-S01, 11A (exploitation) for
    // FAM-S07, 21 and 17A listed as codes no question takes.
    assert!(!unknowns(row(&rows, "FAM-S01")).contains(&"domestic_abuse".to_string()));
    assert!(!unknowns(row(&rows, "FAM-S07")).contains(&"exploitation".to_string()));
    assert_eq!(
        row(&rows, "FAM-S03")["unmapped_codes"],
        serde_json::json!(["21"])
    );
    assert_eq!(
        row(&rows, "FAM-S07")["unmapped_codes"],
        serde_json::json!(["17A"])
    );
    // An empty list `[]` (what the dataset writes for none) is a blank cell: unknown.
    assert!(unknowns(row(&rows, "FAM-S06")).contains(&"domestic_abuse".to_string()));
    let text = std::fs::read_to_string(SSD_EXPORT).unwrap();
    let dirty = [
        ("FAM-S08", 12, "\"{", "not a JSON list of codes"),
        ("FAM-S09", 13, "\"[\"\"8E", "not a JSON list of codes"),
        ("FAM-S10", 14, "2012-02-31", "not a date"),
        ("FAM-S11", 15, "Level 5", "gives no level"),
    ];
    for (reference, line, starts, what) in dirty {
        let r = row(&rows, reference);
        let error = r["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{reference} assessed: {r}"));
        let at = place(&text, line, starts);
        assert!(
            error.contains(&at) && error.contains(what),
            "{reference}: {at}: {error}"
        );
        assert!(error.contains("ssd-synthetic.csv"), "{reference}: {error}");
    }
    let lone = rows
        .iter()
        .find(|r| r["source"] == format!("{SSD_EXPORT}:16"))
        .expect("the row with no family id has its own row");
    assert!(
        lone["error"]
            .as_str()
            .unwrap()
            .contains("has no household reference"),
        "{lone}"
    );
    assert_eq!(rows.len(), clean.len() + 5, "one row per case, none lost");
    assert!(run.stderr.contains("5 not read"), "{}", run.stderr);
}

/// A map for `export` of `header`: the CIN census map's codes, `extra` lines at its top.
fn small_map(dir: &Path, extra: &str) -> String {
    let text = format!(
        "map: 1\narea: salford\n{extra}recorded_level:\n  column: LocalLevel\n  values: {{NFA: 1, \"Early Help\": 2, CIN: 3, CP: 4}}\nfactors:\n  column: AssessmentFactors\n  codes: {{3B: domestic_abuse, 4B: adult_mental_health}}\n  other_codes: [21]\n"
    );
    write(dir, "small.yaml", &text)
}

#[test]
fn with_case_key_each_assessment_of_a_household_is_its_own_case_at_its_highest_level() {
    let dir = tempfile::tempdir().unwrap();
    let map = small_map(
        dir.path(),
        "columns:\n  reference: FamilyID\n  child_id: LAchildID\n  date_of_birth: PersonBirthDate\n  assessed_at: AssessmentAuthorisationDate\ndate_format: \"%d/%m/%Y\"\ncase_key: [FamilyID, AssessmentAuthorisationDate]\n",
    );
    // FAM-1: two children assessed on 3 November, one of them again (a repeat
    // assessment) on 10 December 2025, and a third child then; FAM-2: siblings the
    // system recorded at different levels.
    let text = format!(
        "{CIN_HEADER}FAM-1,C1,14/03/2014,03/11/2026,3B,Early Help\nFAM-1,C2,02/09/2019,03/11/2026,3B,Early Help\nFAM-2,C3,30/06/2011,04/11/2026,4B,CIN\nFAM-1,C1,14/03/2014,10/12/2025,21,NFA\nFAM-2,C4,11/01/2016,04/11/2026,3B,CP\nFAM-1,C5,01/05/2012,10/12/2025,21,NFA\n"
    );
    let export = write(dir.path(), "export.csv", &text);
    let run = batch(&["--map", &map, &export, "--format", "jsonl"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stderr, run.stdout);
    let rows = json_rows(&run.stdout);
    assert_eq!(rows.len(), 3, "one row per assessment: {}", run.stdout);
    let sources: Vec<&str> = rows.iter().map(|r| r["source"].as_str().unwrap()).collect();
    assert_eq!(
        sources,
        [
            format!("{export}:2"),
            format!("{export}:4"),
            format!("{export}:5")
        ]
    );
    assert_eq!(rows[0]["reference"], "FAM-1");
    assert_eq!(rows[0]["children"].as_array().unwrap().len(), 2);
    assert_eq!(rows[2]["reference"], "FAM-1");
    assert_eq!(rows[2]["recorded_level"], 1, "{}", rows[2]);
    let ids: Vec<&str> = rows[2]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["C1", "C5"]);
    // The household's recorded level is its highest child's: CP, never a refusal.
    assert_eq!(rows[1]["reference"], "FAM-2");
    assert_eq!(rows[1]["recorded_level"], 4, "{}", rows[1]);
}

#[test]
fn a_case_key_without_the_household_reference_is_refused_in_the_map() {
    let dir = tempfile::tempdir().unwrap();
    let map = small_map(
        dir.path(),
        "columns: {reference: FamilyID, child_id: LAchildID, age: Age}\ncase_key: [AssessmentAuthorisationDate]\n",
    );
    let run = batch(&["--map", &map, CIN_EXPORT]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{map}:4:"))
            && run.stderr.contains("`case_key:`")
            && run.stderr.contains("`FamilyID`"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_expected_date_of_birth_or_a_birth_date_after_the_assessment_makes_the_child_unborn() {
    let dir = tempfile::tempdir().unwrap();
    let map = small_map(
        dir.path(),
        "columns:\n  reference: FamilyID\n  child_id: LAchildID\n  date_of_birth: PersonBirthDate\n  expected_date_of_birth: ExpectedPersonBirthDate\n  assessed_at: AssessmentAuthorisationDate\ndate_format: \"%d/%m/%Y\"\n",
    );
    let header = "FamilyID,LAchildID,PersonBirthDate,ExpectedPersonBirthDate,AssessmentAuthorisationDate,AssessmentFactors,LocalLevel\n";
    let text = format!(
        "{header}FAM-1,U1,,15/02/2027,03/11/2026,3B,CIN\nFAM-2,U2,20/12/2026,,03/11/2026,3B,CIN\nFAM-3,C3,14/03/2014,01/04/2014,03/11/2026,3B,CIN\nFAM-4,C4,,,03/11/2026,3B,CIN\nFAM-5,C5,14/03/2031,,03/11/2026,3B,CIN\nFAM-6,C6,,01/01/2024,03/11/2026,3B,CIN\nFAM-7,C7,,15/02/2029,03/11/2026,3B,CIN\n"
    );
    let export = write(dir.path(), "export.csv", &text);
    let run = batch(&["--map", &map, &export, "--format", "jsonl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    assert_eq!(rows.len(), 7, "one row per case");
    for reference in ["FAM-1", "FAM-2"] {
        let r = row(&rows, reference);
        assert!(r["error"].is_null(), "{r}");
        assert_eq!(r["children"][0]["unborn"], true, "{r}");
        assert!(r["children"][0]["age"].is_null(), "{r}");
    }
    let born = row(&rows, "FAM-3");
    assert_eq!(born["children"][0]["unborn"], false, "{born}");
    assert_eq!(born["children"][0]["age"], 12, "{born}");
    let error = |reference: &str| {
        row(&rows, reference)["error"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    for (reference, line, starts, what) in [
        (
            "FAM-4",
            5,
            ",,,03",
            "neither a date of birth nor an expected date of birth",
        ),
        (
            "FAM-5",
            6,
            "14/03/2031",
            "more than 10 months after the assessment date",
        ),
        ("FAM-6", 7, "01/01/2024", "before the assessment date"),
        (
            "FAM-7",
            8,
            "15/02/2029",
            "more than 10 months after the assessment date",
        ),
    ] {
        let at = place(&text, line, starts);
        // The cell itself: the blank date of birth is the character after the comma.
        let at = if starts == ",,,03" {
            let column: usize = at.rsplit(' ').next().unwrap().parse().unwrap();
            format!("line {line}, column {}", column + 1)
        } else {
            at
        };
        let e = error(reference);
        assert!(
            e.contains(&at) && e.contains(what),
            "{reference}: {at}: {e}"
        );
    }
}

#[test]
fn several_flag_columns_answer_one_question_yes_if_any_no_only_if_all() {
    let dir = tempfile::tempdir().unwrap();
    let map = small_map(
        dir.path(),
        "columns: {reference: FamilyID, child_id: LAchildID, date_of_birth: PersonBirthDate, assessed_at: AssessmentAuthorisationDate}\ndate_format: [\"%d/%m/%Y\", \"%d.%m.%Y\"]\nanswers: {yes: [Y], no: [N]}\nquestions:\n  adult_substance_misuse: {columns: [Alcohol Parent, Drugs Parent, Drugs Other]}\n",
    );
    let header = "FamilyID,LAchildID,PersonBirthDate,AssessmentAuthorisationDate,Alcohol Parent,Drugs Parent,Drugs Other,AssessmentFactors,LocalLevel\n";
    let text = format!(
        "{header}FAM-1,C1,14/03/2014,03/11/2026,N,Y,N,21,CIN\nFAM-2,C2,14.03.2014,2026-11-03,N,N,N,21,CIN\nFAM-3,C3,14/03/2014,03.11.2026,N,,N,21,CIN\nFAM-4,C4,14/03/2014,03/11/2026,N,maybe,N,21,CIN\nFAM-5,C5,14 March 2014,03/11/2026,N,N,N,21,CIN\n"
    );
    let export = write(dir.path(), "export.csv", &text);
    let run = batch(&["--map", &map, &export, "--format", "jsonl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    assert_eq!(rows.len(), 5);
    let answer = |reference: &str| {
        let r = row(&rows, reference);
        assert!(r["error"].is_null(), "{r}");
        let unknown = unknowns(r).contains(&"adult_substance_misuse".to_string());
        let reasons = r["children"][0]["reasons"].to_string();
        (unknown, reasons.contains("\"adult_substance_misuse\""))
    };
    assert_eq!(answer("FAM-1"), (false, true), "one yes is yes");
    assert_eq!(answer("FAM-2"), (false, false), "all no is no");
    assert_eq!(
        answer("FAM-3"),
        (true, false),
        "a blank among noes is unknown"
    );
    let error = |reference: &str| {
        row(&rows, reference)["error"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let e = error("FAM-4");
    assert!(
        e.contains("`Drugs Parent` is `maybe`") && e.contains(&place(&text, 5, "maybe")),
        "{e}"
    );
    let e = error("FAM-5");
    assert!(
        e.contains(&place(&text, 6, "14 March"))
            && e.contains("not a date written %d/%m/%Y or %d.%m.%Y"),
        "{e}"
    );
}

#[test]
fn rows_the_map_filters_out_are_counted_and_said_never_lost() {
    let dir = tempfile::tempdir().unwrap();
    for (filter, kept) in [
        (
            "filter: {column: AssessmentStatus, keep: [Complete]}\n",
            ["FAM-1", "FAM-3"],
        ),
        (
            "filter:\n  - column: AssessmentStatus\n    skip: [Open, Draft]\n",
            ["FAM-1", "FAM-3"],
        ),
    ] {
        let map = small_map(
            dir.path(),
            &format!(
                "columns: {{reference: FamilyID, child_id: LAchildID, date_of_birth: PersonBirthDate, assessed_at: AssessmentAuthorisationDate}}\ndate_format: \"%d/%m/%Y\"\n{filter}"
            ),
        );
        let header = "FamilyID,LAchildID,PersonBirthDate,AssessmentAuthorisationDate,AssessmentStatus,AssessmentFactors,LocalLevel\n";
        // An open assessment's cells are not read: its unfinished date is no refusal.
        let text = format!(
            "{header}FAM-1,C1,14/03/2014,03/11/2026,Complete,3B,CIN\nFAM-2,C2,14/03/2014,not yet,Open,3B,CIN\nFAM-3,C3,14/03/2014,03/11/2026,complete,3B,CIN\nFAM-4,C4,14/03/2014,03/11/2026,Draft,3B,CIN\n"
        );
        let export = write(dir.path(), "export.csv", &text);
        let run = batch(&["--map", &map, &export, "--format", "jsonl"]);
        assert_eq!(run.code, 0, "{filter}{}", run.stderr);
        let rows = json_rows(&run.stdout);
        let references: Vec<&str> = rows
            .iter()
            .map(|r| r["reference"].as_str().unwrap())
            .collect();
        assert_eq!(references, kept, "{filter}");
        assert!(
            run.stderr.contains("2 rows filtered out by the map"),
            "{filter}{}",
            run.stderr
        );
        assert!(
            run.stderr.contains(&format!(
                "{export}: 4 rows = 2 rows in 2 cases assessed + 0 rows in 0 cases refused + 2 rows filtered out by the map"
            )),
            "{filter}{}",
            run.stderr
        );
    }
}

/// A row of a CSV export whose cells are all empty (`,,,`) is a row of the export: counted
/// with the rows filtered out and said, so that every row is accounted for. A blank line,
/// and the line end after the last row, are no rows.
#[test]
fn a_row_of_empty_cells_is_counted_with_the_rows_filtered_out_a_blank_line_is_no_row() {
    let dir = tempfile::tempdir().unwrap();
    let map = small_map(
        dir.path(),
        "columns: {reference: FamilyID, child_id: LAchildID, date_of_birth: PersonBirthDate, assessed_at: AssessmentAuthorisationDate}\ndate_format: \"%d/%m/%Y\"\n",
    );
    let header = "FamilyID,LAchildID,PersonBirthDate,AssessmentAuthorisationDate,AssessmentFactors,LocalLevel\n";
    let text = format!(
        "{header}FAM-1,C1,14/03/2014,03/11/2026,3B,CIN\n,,,,,\n\nFAM-2,C2,14/03/2014,03/11/2026,3B,CIN\n , ,\"\",,,\n   \n"
    );
    let export = write(dir.path(), "export.csv", &text);
    let run = batch(&["--map", &map, &export, "--format", "jsonl"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(json_rows(&run.stdout).len(), 2, "{}", run.stdout);
    assert!(
        run.stderr.contains(&format!(
            "{export}: 4 rows = 2 rows in 2 cases assessed + 0 rows in 0 cases refused + 2 rows filtered out by the map"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("2 rows with every cell empty"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_filter_needs_one_of_keep_and_skip_and_some_values_in_it() {
    let dir = tempfile::tempdir().unwrap();
    // Each refused at the filter at fault: the one filter's line, or its own in a list.
    for (filter, line) in [
        (
            "filter: {column: AssessmentStatus, keep: [Complete], skip: [Open]}\n",
            4,
        ),
        ("filter: {column: AssessmentStatus}\n", 4),
        // Would leave out every row (or none): a mistake, never read as one.
        ("filter: {column: AssessmentStatus, keep: []}\n", 4),
        ("filter:\n  - {column: AssessmentStatus, skip: []}\n", 5),
        (
            "filter:\n  - {column: AssessmentStatus, keep: [Complete]}\n  # skip: []\n  - {column: AssessmentStatus, skip: []}\n",
            7,
        ),
    ] {
        let map = small_map(
            dir.path(),
            &format!("columns: {{reference: FamilyID, child_id: LAchildID, age: Age}}\n{filter}"),
        );
        let run = batch(&["--map", &map, CIN_EXPORT]);
        assert_eq!(run.code, 2, "{filter}{}", run.stderr);
        assert!(run.stdout.is_empty(), "{filter}");
        assert!(
            run.stderr.contains(&format!("{map}:{line}:"))
                && run
                    .stderr
                    .contains("the filter on `AssessmentStatus` needs"),
            "{filter}{}",
            run.stderr
        );
    }
}

#[test]
fn a_household_question_answered_on_each_childs_row_is_yes_if_any_no_only_if_all() {
    let dir = tempfile::tempdir().unwrap();
    let map = small_map(
        dir.path(),
        "columns: {reference: FamilyID, child_id: LAchildID, age: Age}\nanswers: {yes: [Y], no: [N]}\nquestions:\n  adult_substance_misuse: {column: Parent Drugs}\n",
    );
    let text = "FamilyID,LAchildID,Age,Parent Drugs,AssessmentFactors,LocalLevel\nFAM-1,C1,7,N,21,CIN\nFAM-1,C2,9,Y,21,CIN\nFAM-2,C3,7,N,21,CIN\nFAM-2,C4,9,N,21,CIN\nFAM-3,C5,7,N,21,CIN\nFAM-3,C6,9,,21,CIN\n";
    let export = write(dir.path(), "export.csv", text);
    let run = batch(&["--map", &map, &export, "--format", "jsonl"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stderr, run.stdout);
    let rows = json_rows(&run.stdout);
    let answer = |reference: &str| {
        let r = row(&rows, reference);
        let reasons = r["children"][0]["reasons"].to_string();
        (
            unknowns(r).contains(&"adult_substance_misuse".to_string()),
            reasons.contains("\"adult_substance_misuse\""),
        )
    };
    assert_eq!(answer("FAM-1"), (false, true), "one child's row says yes");
    assert_eq!(answer("FAM-2"), (false, false), "every row says no");
    assert_eq!(
        answer("FAM-3"),
        (true, false),
        "a blank among noes: unknown"
    );
}

/// A map of the census's columns with no `case_key:` (so a household's rows must agree on
/// the date), dd/mm/yyyy dates, a filter, and codes for young carer and neglect.
fn messages_map(dir: &Path) -> String {
    write(
        dir,
        "messages.yaml",
        "map: 1\narea: salford\ncolumns:\n  reference: FamilyID\n  child_id: LAchildID\n  date_of_birth: PersonBirthDate\n  expected_date_of_birth: ExpectedPersonBirthDate\n  assessed_at: AssessmentAuthorisationDate\ndate_format: \"%d/%m/%Y\"\nfilter: {column: Status, keep: [Complete]}\nrecorded_level:\n  column: LocalLevel\n  values: {NFA: 1, \"Early Help\": 2, CIN: 3, CP: 4}\nfactors:\n  column: AssessmentFactors\n  codes: {3B: domestic_abuse, 7A: young_carer, 16A: basic_needs_unmet}\n",
    )
}

const MESSAGES_HEADER: &str = "FamilyID,LAchildID,PersonBirthDate,AssessmentAuthorisationDate,AssessmentFactors,LocalLevel,ExpectedPersonBirthDate,Status\n";

/// Issue 24: "values shown after translation (`3` where the file says `CIN`)". A refusal
/// at a cell the map translated (a date, an age worked out from a date of birth, a code
/// read as a yes) quotes the export's own text and names its cell, never the value it was
/// read as (`2026-11-04T12:00`, `36`, `yes`).
#[test]
fn a_refusal_at_a_translated_cell_quotes_the_exports_own_text_and_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let map = messages_map(dir.path());
    let export = write(
        dir.path(),
        "export.csv",
        &format!(
            "{MESSAGES_HEADER}FAM-2,C2,01/01/2020,03/11/2026,3B,CIN,,Complete\nFAM-2,C3,01/01/2021,04/11/2026,3B,CP,,Complete\nFAM-3,C4,01/01/2024,03/11/2026,\"3B,7A\",CIN,,Complete\nFAM-4,C5,01/01/1990,03/11/2026,3B,CIN,,Complete\n"
        ),
    );
    let run = batch(&["--map", &map, &export, "--format", "jsonl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    let error = |reference: &str| row(&rows, reference)["error"].as_str().unwrap().to_string();
    // The household's rows disagree on the date: both dates as written.
    let dates = error("FAM-2");
    assert!(
        dates.contains("`03/11/2026` on line 2 but `04/11/2026` on line 3"),
        "{dates}"
    );
    assert!(!dates.contains("2026-11-0"), "{dates}");
    // 7A for a child of 2: the factors cell as written, at its field (the fifth).
    let carer = error("FAM-3");
    assert!(
        carer.contains("`AssessmentFactors` is `3B,7A` at line 4, column 5: child `C4`: `young_carer` is answered"),
        "{carer}"
    );
    // A date of birth that makes the child 36: the date as written, at its cell.
    let age = error("FAM-4");
    assert!(
        age.contains("`PersonBirthDate` is `01/01/1990` at line 5, column 3: "),
        "{age}"
    );
    assert!(age.starts_with(&format!("{export}:5:3: ")), "{age}");
}

/// Issue 24: "\"column\" is a character position in CSV messages". A mapped CSV cell is
/// placed by its field, as a spreadsheet numbers columns: the date after two quoted cells
/// full of commas is column 4, in the message and in `file:line:column`.
#[test]
fn a_mapped_csv_cells_column_is_its_field_number() {
    let dir = tempfile::tempdir().unwrap();
    let map = messages_map(dir.path());
    let export = write(
        dir.path(),
        "export.csv",
        &format!(
            "{MESSAGES_HEADER}\"FAM-5, block B\",\"C6, twin 1\",01/01/2020,31/13/2026,3B,CIN,,Complete\n"
        ),
    );
    let run = batch(&["--map", &map, &export, "--format", "jsonl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    let error = rows[0]["error"].as_str().unwrap();
    assert!(error.starts_with(&format!("{export}:2:4: ")), "{error}");
    assert!(
        error.contains(
            "`AssessmentAuthorisationDate` is `31/13/2026` at line 2, column 4: not a date"
        ),
        "{error}"
    );
}

/// Issue 24's "every row accounted for": a file whose every row the map filters out still
/// has its line (rows in = rows filtered out), on standard error and in the report.
#[test]
fn a_file_whose_every_row_is_filtered_out_is_still_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let map = messages_map(dir.path());
    let open = write(
        dir.path(),
        "open.csv",
        &format!(
            "{MESSAGES_HEADER}FAM-9,C9,01/01/2020,03/11/2026,3B,CIN,,Open\nFAM-9,C10,01/01/2021,03/11/2026,3B,CIN,,Open\n"
        ),
    );
    let report = dir.path().join("audit.html");
    let run = batch(&[
        "--map",
        &map,
        &open,
        "--report",
        report.to_str().unwrap(),
        "--output",
        dir.path().join("rows.csv").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = format!(
        "{open}: 2 rows = 0 rows in 0 cases assessed + 0 rows in 0 cases refused + 2 rows filtered out by the map"
    );
    assert!(run.stderr.contains(&line), "{line}\n{}", run.stderr);
    let html = std::fs::read_to_string(&report).unwrap();
    let input = format!(
        "<tr><td>{open}</td><td class=\"n\">2</td><td class=\"n\">0 (0)</td><td class=\"n\">0 (0)</td><td class=\"n\">2</td></tr>"
    );
    assert!(html.contains(&input), "{input}\n{html}");
}

/// Issue 24: "Census code 16A is refused for unborn children". The question bank asks
/// neglect before birth through other questions (antenatal care, the home, a parent's
/// substance misuse), so an unborn child's 16A is listed on its case's row, never guessed
/// as one of them and never a refusal; 7A (young carer), which cannot arise before birth,
/// is still refused as a contradiction.
#[test]
fn an_unborn_childs_neglect_code_is_listed_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let map = messages_map(dir.path());
    let export = write(
        dir.path(),
        "export.csv",
        &format!(
            "{MESSAGES_HEADER}FAM-1,C1,,03/11/2026,\"16A,3B\",CIN,01/03/2027,Complete\nFAM-1,C2,01/01/2020,03/11/2026,16A,CIN,,Complete\nFAM-6,C7,,03/11/2026,7A,CIN,01/03/2027,Complete\n"
        ),
    );
    let run = batch(&["--map", &map, &export, "--format", "jsonl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    let unborn = row(&rows, "FAM-1");
    assert!(unborn["error"].is_null(), "{unborn}");
    assert_eq!(unborn["unmapped_codes"], serde_json::json!(["16A"]));
    // The sibling's 16A is read: neglect is not unknown for the child born.
    let children = unborn["children"].as_array().unwrap();
    let born = children.iter().find(|c| c["id"] == "C2").unwrap();
    assert!(
        !born["unknowns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == "basic_needs_unmet"),
        "{born}"
    );
    let carer = row(&rows, "FAM-6")["error"].as_str().unwrap();
    assert!(
        carer.contains("`AssessmentFactors` is `7A` at line 4, column 5")
            && carer.contains("`young_carer` is answered"),
        "{carer}"
    );
}
