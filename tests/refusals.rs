//! Every way a case file can be wrong is refused by the real binary: exit code 2, nothing
//! on stdout, the file named as given on the command line, `:LINE:COLUMN` right after it
//! where the parser knows the place, one `help:` line, and never a panic. The fine cases
//! next door (a byte-order mark, CRLF, `true`/`YES`/`No`, `unknown`, stdin) are accepted
//! and their answers really read.
//!
//! The table below is the list of refusals, one fixture in `tests/fixtures/bad/` each; the
//! stderr of each is snapshotted in `tests/snapshots/refusals__*.snap`.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const AT: &str = "2026-11-24T10:00";
const FIXTURES: &str = "tests/fixtures/bad";
/// `case::MAX_CASE_BYTES`: 1 MiB.
const MAX_CASE_BYTES: usize = 1024 * 1024;

/// Where the first line of stderr must say the problem is.
#[derive(Clone, Copy, Debug)]
enum Where {
    /// `PATH:LINE:COL: error: ` with this line.
    Line(usize),
    /// `PATH:LINE:COL: error: ` with this line and column.
    At(usize, usize),
    /// `PATH: error: `: the problem has no one place in the file.
    Nowhere,
}
use Where::*;

fn threshold() -> Command {
    let mut cmd = Command::cargo_bin("threshold").expect("the threshold binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("THRESHOLD_RULES")
        .env("NO_COLOR", "1");
    cmd
}

fn assess(path: &str) -> Command {
    let mut cmd = threshold();
    cmd.args(["assess", path, "--at", AT]);
    cmd
}

/// Run `cmd`, which must refuse: exit 2, empty stdout, no panic, stderr exactly an
/// `error:` line and a non-empty `  help:` line. Returns stderr.
fn run_refused(cmd: &mut Command) -> String {
    let out = cmd.output().expect("threshold runs");
    let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code; stderr:\n{stderr}\nstdout:\n{stdout}"
    );
    assert!(!stderr.contains("panicked"), "panic:\n{stderr}");
    assert!(
        stdout.is_empty(),
        "a refusal prints no result, got stdout:\n{stdout}"
    );
    assert!(
        stderr.ends_with('\n'),
        "stderr ends its last line: {stderr:?}"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "one error line and one help line:\n{stderr}"
    );
    assert!(
        lines[0].contains(": error[E-"),
        "first line is the error, with its code:\n{stderr}"
    );
    let help = lines[1]
        .strip_prefix("  help: ")
        .unwrap_or_else(|| panic!("second line is `  help: ...`:\n{stderr}"));
    assert!(help.trim().len() > 5, "help says what to do:\n{stderr}");
    stderr
}

/// stderr starts with `path`, then the position `at`, then `: error: `.
fn assert_position(stderr: &str, path: &str, at: Where) {
    let rest = stderr
        .strip_prefix(path)
        .unwrap_or_else(|| panic!("stderr does not start with `{path}`:\n{stderr}"));
    let (position, _) = rest
        .split_once(": error[")
        .unwrap_or_else(|| panic!("no `: error[CODE]: ` after the path:\n{stderr}"));
    let line_column = || -> (usize, usize) {
        let parsed = position
            .strip_prefix(':')
            .and_then(|p| p.split_once(':'))
            .and_then(|(l, c)| Some((l.parse().ok()?, c.parse().ok()?)));
        parsed.unwrap_or_else(|| panic!("expected `{path}:LINE:COL: error:`, got:\n{stderr}"))
    };
    match at {
        Line(line) => {
            let (found, column) = line_column();
            assert_eq!(found, line, "wrong line in:\n{stderr}");
            assert!(column >= 1, "columns count from 1:\n{stderr}");
        }
        At(line, column) => assert_eq!(
            line_column(),
            (line, column),
            "wrong position in:\n{stderr}"
        ),
        Nowhere => assert_eq!(
            position, "",
            "expected `{path}: error:` with no position:\n{stderr}"
        ),
    }
}

fn assert_says(stderr: &str, says: &[&str]) {
    for fragment in says {
        assert!(
            stderr.contains(fragment),
            "message lacks {fragment:?}:\n{stderr}"
        );
    }
}

/// How a refusal's stderr is snapshotted: under `name`, with the temporary folder `tmp`
/// (if any) shown as `[TMP]`.
struct Snap<'a> {
    name: &'a str,
    tmp: Option<&'a Path>,
}

fn snap(name: &str) -> Option<Snap<'_>> {
    Some(Snap { name, tmp: None })
}

fn snap_tmp<'a>(name: &'a str, tmp: &'a Path) -> Option<Snap<'a>> {
    Some(Snap {
        name,
        tmp: Some(tmp),
    })
}

/// The whole check of one refusal.
fn check(mut cmd: Command, path: &str, at: Where, says: &[&str], snapshot: Option<Snap>) {
    let stderr = run_refused(&mut cmd);
    assert_position(&stderr, path, at);
    assert_says(&stderr, says);
    if let Some(Snap { name, tmp }) = snapshot {
        let shown = match tmp {
            Some(tmp) => stderr
                .replace(tmp.to_str().expect("UTF-8 temp path"), "[TMP]")
                // On Windows the file's name joins the folder with `\`, and the system words
                // its errors its own way.
                .replace("[TMP]\\", "[TMP]/")
                .replace(
                    "File not found. (os error 2)",
                    "No such file or directory (os error 2)",
                ),
            None => stderr,
        };
        insta::assert_snapshot!(name, shown);
    }
}

fn fixture(file: &str) -> String {
    format!("{FIXTURES}/{file}")
}

fn refused(name: &str, file: &str, at: Where, says: &[&str]) {
    let path = fixture(file);
    check(assess(&path), &path, at, says, snap(name));
}

macro_rules! refusals {
    ( $( $name:ident: $file:literal, $at:expr, [$($says:literal),+ $(,)?]; )* ) => {
        /// Every fixture in the table.
        const TABLE: &[&str] = &[$($file),*];
        $(
            #[test]
            fn $name() {
                refused(stringify!($name), $file, $at, &[$($says),+]);
            }
        )*
    };
}

refusals! {
    // Syntax.
    malformed_syntax_yaml: "malformed_syntax.yaml", At(5, 2), ["error[E-CASE-SYNTAX]: ", "did not find expected key"];
    malformed_tab_yaml: "malformed_tab.yaml", At(5, 1), ["error[E-CASE-SYNTAX]: ", "tab character"];
    malformed_syntax_json: "malformed_syntax.json", At(4, 3), ["error[E-CASE-SYNTAX]: ", "expected `,` or `}`"];
    // Misspelt question ids, with the nearest real id.
    misspelt_household_id_yaml: "misspelt_household_id.yaml", At(5, 3),
        ["error[E-CASE-UNKNOWN-ID]: ", "unknown question id `adult_mentl_health`", "did you mean `adult_mental_health`?"];
    misspelt_household_id_json: "misspelt_household_id.json", Line(6),
        ["error[E-CASE-UNKNOWN-ID]: ", "unknown question id `adult_mentl_health`", "did you mean `adult_mental_health`?"];
    misspelt_child_id_yaml: "misspelt_child_id.yaml", At(9, 7),
        ["error[E-CASE-UNKNOWN-ID]: ", "unknown question id `young_carr`", "did you mean `young_carer`?"];
    misspelt_child_id_json: "misspelt_child_id.json", Line(5),
        ["error[E-CASE-UNKNOWN-ID]: ", "unknown question id `young_carr`", "did you mean `young_carer`?"];
    // Questions in the wrong place.
    household_question_under_child_yaml: "household_question_under_child.yaml", At(8, 7),
        ["error[E-CASE-WRONG-PLACE]: ", "`adult_mental_health` is a question about the household or adult", "top-level `answers`"];
    household_question_under_child_json: "household_question_under_child.json", Line(5),
        ["error[E-CASE-WRONG-PLACE]: ", "`adult_mental_health` is a question about the household or adult", "top-level `answers`"];
    child_question_in_household_yaml: "child_question_in_household.yaml", At(5, 3),
        ["error[E-CASE-WRONG-PLACE]: ", "`young_carer` is a question about a child", "under the child's `answers`"];
    child_question_in_household_json: "child_question_in_household.json", Line(5),
        ["error[E-CASE-WRONG-PLACE]: ", "`young_carer` is a question about a child", "under the child's `answers`"];
    // Answers that are not answers.
    answer_maybe_yaml: "answer_maybe.yaml", At(5, 24),
        ["error[E-CASE-ANSWER]: ", "`adult_mental_health` has the answer `maybe`", "use yes, no or unknown"];
    answer_maybe_json: "answer_maybe.json", Line(4),
        ["error[E-CASE-ANSWER]: ", "`adult_mental_health` has the answer `maybe`", "use yes, no or unknown"];
    answer_number_for_yesno_yaml: "answer_number_for_yesno.yaml", At(5, 24),
        ["error[E-CASE-ANSWER]: ", "`adult_mental_health` has the answer 1,", "use yes, no or unknown"];
    answer_number_for_yesno_json: "answer_number_for_yesno.json", Line(5),
        ["error[E-CASE-ANSWER]: ", "`adult_mental_health` has the answer 1,", "use yes, no or unknown"];
    answer_yes_for_count_yaml: "answer_yes_for_count.yaml", At(5, 33),
        ["error[E-CASE-ANSWER]: ", "`domestic_abuse_incidents_12m` has the answer `yes`", "use a whole number 0 or more, or unknown"];
    answer_yes_for_count_json: "answer_yes_for_count.json", Line(5),
        ["error[E-CASE-ANSWER]: ", "`domestic_abuse_incidents_12m` has the answer `yes`", "use a whole number 0 or more, or unknown"];
    answer_fraction_for_count_json: "answer_fraction_for_count.json", Line(4),
        ["error[E-CASE-ANSWER]: ", "`domestic_abuse_incidents_12m` has the answer 2.5", "whole number"];
    answer_empty_yaml: "answer_empty.yaml", Line(5),
        ["error[E-CASE-ANSWER]: ", "`adult_mental_health` has no answer", "write yes, no or unknown"];
    negative_count_yaml: "negative_count.yaml", At(5, 19),
        ["error[E-CASE-ANSWER]: ", "`dash_yes_count` is a count and cannot be negative (-2)"];
    negative_count_json: "negative_count.json", Line(6),
        ["error[E-CASE-ANSWER]: ", "`dash_yes_count` is a count and cannot be negative (-2)"];
    // Children.
    age_18_yaml: "age_18.yaml", Line(7), ["error[E-CASE-AGE]: ", "`age` 18 is outside 0-17"];
    age_18_json: "age_18.json", Line(5), ["error[E-CASE-AGE]: ", "`age` 18 is outside 0-17"];
    age_minus_1_yaml: "age_minus_1.yaml", Line(5), ["error[E-CASE-AGE]: ", "`age` -1 is outside 0-17"];
    age_not_a_number_yaml: "age_not_a_number.yaml", At(5, 10), ["error[E-CASE-AGE]: ", "`age` must be whole years from 0 to 17"];
    unborn_with_age_yaml: "unborn_with_age.yaml", At(6, 9),
        ["error[E-CASE-AGE]: ", "child `B` has an age and `unborn: true`", "remove one of them"];
    unborn_with_age_json: "unborn_with_age.json", Line(6), ["error[E-CASE-AGE]: ", "child `B` has an age and `unborn: true`"];
    child_without_age_yaml: "child_without_age.yaml", At(6, 9),
        ["error[E-CASE-AGE]: ", "child `B` has no age", "`age:` in whole years 0-17, or `unborn: true`"];
    child_without_age_json: "child_without_age.json", Line(6), ["error[E-CASE-AGE]: ", "child `B` has no age"];
    duplicate_child_id_yaml: "duplicate_child_id.yaml", At(6, 9), ["error[E-CASE-CHILD]: ", "two children have the id `A`"];
    duplicate_child_id_json: "duplicate_child_id.json", Line(6), ["error[E-CASE-CHILD]: ", "two children have the id `A`"];
    // Area.
    unknown_area_yaml: "unknown_area.yaml", At(2, 1),
        ["error[E-CASE-AREA]: ", "unknown area `slford` (did you mean `salford`?)", "redbridge, salford, torbay, trafford"];
    unknown_area_json: "unknown_area.json", At(3, 3), ["error[E-CASE-AREA]: ", "unknown area `slford` (did you mean `salford`?)"];
    no_area_yaml: "no_area.yaml", Nowhere, ["error[E-CASE-AREA]: ", "the case names no area", "pass --area"];
    // Schema.
    unknown_schema_yaml: "unknown_schema.yaml", At(1, 9), ["error[E-CASE-SYNTAX]: ", "unknown `schema` 2", "schema 1"];
    unknown_schema_json: "unknown_schema.json", Line(2), ["error[E-CASE-SYNTAX]: ", "unknown `schema` 2", "schema 1"];
    unknown_schema_second_yaml: "unknown_schema_second.yaml", Line(2), ["error[E-CASE-SYNTAX]: ", "unknown `schema` 2"];
    unknown_schema_last_json: "unknown_schema_last.json", Line(3), ["error[E-CASE-SYNTAX]: ", "unknown `schema` 2"];
    missing_schema_yaml: "missing_schema.yaml", Line(1), ["error[E-CASE-SYNTAX]: ", "no `schema:`", "add `schema: 1`"];
    missing_schema_json: "missing_schema.json", Line(4), ["error[E-CASE-SYNTAX]: ", "no `schema:`", "add `schema: 1`"];
    // A top level that is not a mapping.
    root_list_yaml: "root_list.yaml", Line(1), ["error[E-CASE-SYNTAX]: ", "must be a mapping"];
    root_string_yaml: "root_string.yaml", Line(1), ["error[E-CASE-SYNTAX]: ", "must be a mapping"];
    root_array_json: "root_array.json", Line(1), ["error[E-CASE-SYNTAX]: ", "must be a mapping"];
    root_string_json: "root_string.json", Line(1), ["error[E-CASE-SYNTAX]: ", "must be a mapping"];
    // Duplicates (pointing at the repeat) and misspelt fields.
    duplicate_answer_yaml: "duplicate_answer.yaml", Line(6), ["error[E-CASE-DUPLICATE]: ", "`adult_mental_health` is answered twice"];
    duplicate_answer_json: "duplicate_answer.json", Line(6), ["error[E-CASE-DUPLICATE]: ", "`adult_mental_health` is answered twice"];
    duplicate_schema_yaml: "duplicate_schema.yaml", Line(3), ["error[E-CASE-DUPLICATE]: ", "duplicate field `schema`"];
    duplicate_schema_json: "duplicate_schema.json", Line(4), ["error[E-CASE-DUPLICATE]: ", "duplicate field `schema`"];
    // A field written twice inside a child: the second place, and the duplicate code (it
    // was E-CASE-SYNTAX at the first, the parser's message starting with the child's path).
    duplicate_child_field_yaml: "duplicate_child_field.yaml", At(6, 5), ["error[E-CASE-DUPLICATE]: ", "children[0]: duplicate field `age`"];
    duplicate_child_field_json: "duplicate_child_field.json", Line(6), ["error[E-CASE-DUPLICATE]: ", "duplicate field `age`"];
    misspelt_field_yaml: "misspelt_field.yaml", At(3, 1), ["error[E-CASE-SYNTAX]: ", "unknown field `childern`", "`children`"];
    misspelt_field_json: "misspelt_field.json", Line(4), ["error[E-CASE-SYNTAX]: ", "unknown field `childern`", "`children`"];
    // Nothing there.
    empty_yaml: "empty.yaml", Nowhere, ["error[E-CASE-EMPTY]: ", "the file is empty", "schema: 1"];
    blank_yaml: "blank.yaml", Nowhere, ["error[E-CASE-EMPTY]: ", "the file is empty"];
}

/// The table and the folder agree: no fixture without a test, no row without a fixture.
#[test]
fn every_fixture_is_in_the_table_once() {
    let mut on_disk: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURES))
            .expect("fixtures folder")
            .map(|e| {
                e.expect("entry")
                    .file_name()
                    .into_string()
                    .expect("UTF-8 name")
            })
            .collect();
    on_disk.sort();
    let mut in_table: Vec<String> = TABLE.iter().map(|s| s.to_string()).collect();
    in_table.sort();
    let before = in_table.len();
    in_table.dedup();
    assert_eq!(before, in_table.len(), "a fixture is in the table twice");
    assert_eq!(on_disk, in_table);
}

// ---------------------------------------------------------------------------------------
// Refusals whose input is made here: bytes that are awkward to commit, or too big.

fn temp_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write temp case");
    path.to_str().expect("UTF-8 temp path").to_string()
}

fn refused_file(name: &str, file: &str, bytes: &[u8], at: Where, says: &[&str]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = temp_file(&dir, file, bytes);
    check(assess(&path), &path, at, says, snap_tmp(name, dir.path()));
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut units: Vec<u16> = Vec::new();
    if bom {
        units.push(0xFEFF);
    }
    units.extend(text.encode_utf16());
    units
        .into_iter()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

const SMALL_CASE: &str = "schema: 1\narea: salford\nanswers:\n  adult_mental_health: yes\n";

#[test]
fn invalid_utf8_yaml() {
    let bytes = b"schema: 1\narea: salford\nanswers:\n  immediate_danger: n\xe9\n";
    refused_file(
        "invalid_utf8_yaml",
        "case.yaml",
        bytes,
        At(4, 22),
        &["not valid UTF-8", "save the file as UTF-8"],
    );
}

#[test]
fn invalid_utf8_json() {
    let bytes = b"{\"schema\": 1,\n \"area\": \"sal\xffford\"}";
    refused_file(
        "invalid_utf8_json",
        "case.json",
        bytes,
        At(2, 14),
        &["not valid UTF-8"],
    );
}

#[test]
fn utf16_little_endian_with_bom() {
    let bytes = utf16(SMALL_CASE, false, true);
    refused_file(
        "utf16_le",
        "case.yaml",
        &bytes,
        Nowhere,
        &["the file is UTF-16, not UTF-8", "save the file as UTF-8"],
    );
}

#[test]
fn utf16_big_endian_with_bom() {
    let bytes = utf16(SMALL_CASE, true, true);
    refused_file(
        "utf16_be",
        "case.yaml",
        &bytes,
        Nowhere,
        &["the file is UTF-16, not UTF-8"],
    );
}

#[test]
fn utf16_without_bom_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = temp_file(&dir, "case.yaml", &utf16(SMALL_CASE, false, false));
    let stderr = run_refused(&mut assess(&path));
    assert!(
        stderr.starts_with(&format!("{path}:")),
        "names the file:\n{stderr}"
    );
}

/// Padded with a comment to exactly `len` bytes.
fn case_of_size(len: usize) -> Vec<u8> {
    let mut text = SMALL_CASE.to_string() + "# ";
    text.push_str(&"x".repeat(len - text.len() - 1));
    text.push('\n');
    assert_eq!(text.len(), len);
    text.into_bytes()
}

#[test]
fn over_the_size_limit() {
    let bytes = case_of_size(MAX_CASE_BYTES + 1);
    refused_file(
        "too_large",
        "case.yaml",
        &bytes,
        Nowhere,
        &["the file is too large: a case file is at most 1048576 bytes"],
    );
}

#[test]
fn over_the_size_limit_on_stdin() {
    let mut cmd = assess("-");
    cmd.write_stdin(case_of_size(MAX_CASE_BYTES + 1));
    check(
        cmd,
        "<stdin>",
        Nowhere,
        &["a case file is at most 1048576 bytes"],
        snap("too_large_stdin"),
    );
}

#[test]
fn at_the_size_limit_is_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = temp_file(&dir, "case.yaml", &case_of_size(MAX_CASE_BYTES));
    accepted(&mut assess(&path));
}

#[test]
fn nonexistent_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("no-such-case.yaml");
    let path = path.to_str().expect("UTF-8 temp path");
    check(
        assess(path),
        path,
        Nowhere,
        &["cannot read the case file", "check the path"],
        snap_tmp("nonexistent", dir.path()),
    );
}

#[test]
fn a_directory_is_not_a_case_file() {
    check(
        assess(FIXTURES),
        FIXTURES,
        Nowhere,
        &["a folder, not a case file", "threshold batch FOLDER"],
        snap("directory"),
    );
}

#[test]
fn crlf_keeps_lines_and_columns_right() {
    let bytes = b"schema: 1\r\narea: salford\r\nanswers:\r\n  immediate_danger: no\r\n  adult_mentl_health: yes\r\n";
    refused_file(
        "crlf_misspelt_id",
        "case.yaml",
        bytes,
        At(5, 3),
        &["did you mean `adult_mental_health`?"],
    );
}

#[test]
fn bom_does_not_shift_columns() {
    let bytes = b"\xef\xbb\xbfschemaa: 1\narea: salford\n";
    refused_file(
        "bom_misspelt_field",
        "case.yaml",
        bytes,
        At(1, 1),
        &["unknown field `schemaa`"],
    );
}

#[test]
fn stdin_refusals_name_stdin() {
    let cases: [(&str, &str, Where, &str); 3] = [
        (
            "stdin_misspelt_yaml",
            "schema: 1\narea: salford\nanswers:\n  adult_mentl_health: yes\n",
            At(4, 3),
            "did you mean `adult_mental_health`?",
        ),
        (
            "stdin_misspelt_json",
            "{\"schema\": 1, \"area\": \"salford\",\n\"answers\": {\"adult_mentl_health\": \"yes\"}}",
            Line(2),
            "did you mean `adult_mental_health`?",
        ),
        ("stdin_empty", "", Nowhere, "the file is empty"),
    ];
    for (name, input, at, says) in cases {
        let mut cmd = assess("-");
        cmd.write_stdin(input);
        check(cmd, "<stdin>", at, &[says], snap(name));
    }
}

#[test]
fn area_flag_must_be_an_area() {
    for (area, name, says) in [
        (
            "nowhere",
            "area_flag_nowhere",
            "unknown area `nowhere`; the areas are: redbridge, salford, torbay, trafford",
        ),
        (
            "slford",
            "area_flag_slford",
            "unknown area `slford` (did you mean `salford`?)",
        ),
    ] {
        let mut cmd = assess("-");
        cmd.args(["--area", area]).write_stdin(SMALL_CASE);
        check(
            cmd,
            "--area",
            Nowhere,
            &[says, "threshold areas"],
            snap(name),
        );
    }
}

// ---------------------------------------------------------------------------------------
// Fine cases: accepted, and the answers really read.

/// Run `cmd` with `--format json`, which must succeed quietly; the result.
fn accepted(cmd: &mut Command) -> Value {
    let out = cmd
        .args(["--format", "json"])
        .output()
        .expect("threshold runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "exit code; stderr:\n{stderr}");
    assert!(stderr.is_empty(), "nothing on stderr:\n{stderr}");
    serde_json::from_slice(&out.stdout).expect("JSON result")
}

fn accepted_file(file: &str, bytes: &[u8]) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = temp_file(&dir, file, bytes);
    accepted(&mut assess(&path))
}

/// The rules that fired for child `index`, and the questions still unknown for it.
fn child(result: &Value, index: usize) -> (Vec<String>, Vec<String>) {
    let child = &result["children"][index];
    let strings = |v: &Value, key: Option<&str>| -> Vec<String> {
        v.as_array()
            .unwrap_or_else(|| panic!("an array in {result}"))
            .iter()
            .map(|x| key.map_or(x, |k| &x[k]).as_str().expect("text").to_string())
            .collect()
    };
    (
        strings(&child["reasons"], Some("rule")),
        strings(&child["unknowns"], None),
    )
}

/// The case every fine variant below writes: adult mental ill health, a young carer.
const YAML_CASE: &str = "schema: 1\narea: salford\nanswers:\n  adult_mental_health: yes\n  immediate_danger: no\nchildren:\n  - id: A\n    age: 7\n    answers:\n      young_carer: yes\n";
const JSON_CASE: &str = r#"{"schema": 1, "area": "salford", "answers": {"adult_mental_health": "yes", "immediate_danger": "no"}, "children": [{"id": "A", "age": 7, "answers": {"young_carer": "yes"}}]}"#;

fn assert_read_the_case(result: &Value) {
    let (reasons, unknowns) = child(result, 0);
    for q in ["adult_mental_health", "young_carer"] {
        assert!(
            reasons.contains(&q.to_string()),
            "`{q}: yes` was read: {reasons:?}"
        );
        assert!(
            !unknowns.contains(&q.to_string()),
            "`{q}` is answered: {unknowns:?}"
        );
    }
    assert!(
        !unknowns.contains(&"immediate_danger".to_string()),
        "`immediate_danger: no` was read"
    );
    assert_eq!(result["emergency"], Value::Bool(false));
}

#[test]
fn the_fine_case_is_accepted() {
    assert_read_the_case(&accepted_file("case.yaml", YAML_CASE.as_bytes()));
    assert_read_the_case(&accepted_file("case.json", JSON_CASE.as_bytes()));
}

#[test]
fn a_utf8_byte_order_mark_is_accepted() {
    for (file, text) in [("case.yaml", YAML_CASE), ("case.json", JSON_CASE)] {
        let bytes = [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat();
        assert_read_the_case(&accepted_file(file, &bytes));
    }
}

#[test]
fn crlf_line_endings_are_accepted() {
    for (file, text) in [
        ("case.yaml", YAML_CASE),
        ("case.json", JSON_CASE.replace(", ", ",\n").as_str()),
    ] {
        let crlf = text.replace('\n', "\r\n");
        assert!(crlf.contains("\r\n"));
        assert_read_the_case(&accepted_file(file, crlf.as_bytes()));
    }
}

#[test]
fn true_false_and_any_case_are_answers() {
    let yaml = YAML_CASE
        .replace("adult_mental_health: yes", "adult_mental_health: true")
        .replace(
            "immediate_danger: no",
            "immediate_danger: false\n  domestic_abuse: No",
        )
        .replace("young_carer: yes", "young_carer: YES");
    let json = JSON_CASE
        .replace(
            r#""adult_mental_health": "yes""#,
            r#""adult_mental_health": true"#,
        )
        .replace(
            r#""immediate_danger": "no""#,
            r#""immediate_danger": false, "domestic_abuse": "No""#,
        )
        .replace(r#""young_carer": "yes""#, r#""young_carer": "YES""#);
    for (file, text) in [("case.yaml", yaml), ("case.json", json)] {
        assert!(
            !text.contains("\"yes\"") && !text.contains(": yes"),
            "every answer rewritten: {text}"
        );
        let result = accepted_file(file, text.as_bytes());
        assert_read_the_case(&result);
        let (_, unknowns) = child(&result, 0);
        assert!(
            !unknowns.contains(&"domestic_abuse".to_string()),
            "`domestic_abuse: No` was read"
        );
    }
    // `immediate_danger: YES` is a yes: the emergency route fires.
    let yaml = YAML_CASE.replace("immediate_danger: no", "immediate_danger: YES");
    assert_eq!(
        accepted_file("case.yaml", yaml.as_bytes())["emergency"],
        Value::Bool(true)
    );
}

#[test]
fn unknown_is_an_answer() {
    let yaml = "schema: 1\narea: salford\nanswers:\n  adult_mental_health: unknown\n  domestic_abuse: yes\n  dash_yes_count: Unknown\nchildren:\n  - id: A\n    age: 7\n    answers:\n      young_carer: UNKNOWN\n";
    let json = r#"{"schema": 1, "area": "salford", "answers": {"adult_mental_health": "unknown", "domestic_abuse": "yes", "dash_yes_count": "Unknown"}, "children": [{"id": "A", "age": 7, "answers": {"young_carer": "UNKNOWN"}}]}"#;
    for (file, text) in [("case.yaml", yaml), ("case.json", json)] {
        let result = accepted_file(file, text.as_bytes());
        let (reasons, unknowns) = child(&result, 0);
        for q in ["adult_mental_health", "dash_yes_count", "young_carer"] {
            assert!(
                unknowns.contains(&q.to_string()),
                "`{q}` is unknown: {unknowns:?}"
            );
            assert!(
                !reasons.contains(&q.to_string()),
                "`{q}` did not fire: {reasons:?}"
            );
        }
        assert!(!unknowns.contains(&"domestic_abuse".to_string()));
    }
}

#[test]
fn an_unborn_child_without_age_is_accepted() {
    let yaml = "schema: 1\narea: salford\nchildren:\n  - id: A\n    unborn: true\n";
    let result = accepted_file("case.yaml", yaml.as_bytes());
    assert_eq!(result["children"][0]["unborn"], Value::Bool(true));
    assert_eq!(result["children"][0]["age"], Value::Null);
}

#[test]
fn a_case_on_stdin_is_accepted() {
    for text in [YAML_CASE, JSON_CASE] {
        let mut cmd = assess("-");
        cmd.write_stdin(text);
        assert_read_the_case(&accepted(&mut cmd));
    }
}

// ---------------------------------------------------------------------------------------
// Once known bugs in the made-here inputs, kept as regression tests.

mod made_here_regressions {
    use super::*;

    #[test]
    fn utf16_without_bom_says_utf16() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = temp_file(&dir, "case.yaml", &utf16(SMALL_CASE, false, false));
        let stderr = run_refused(&mut assess(&path));
        assert_says(&stderr, &["UTF-16", "save the file as UTF-8"]);
    }

    #[test]
    fn oversized_stdin_is_not_misreported() {
        let mut cmd = assess("-");
        cmd.write_stdin(case_of_size(3 * MAX_CASE_BYTES));
        let stderr = run_refused(&mut cmd);
        assert_says(&stderr, &["at most 1048576 bytes"]);
        assert!(
            !stderr.contains("1048577"),
            "claims a size the input does not have:\n{stderr}"
        );
    }
}
