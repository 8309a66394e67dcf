//! `threshold batch` through the binary, as a script uses it: one row per input case in
//! input order (cases that could not be read included), CSV exports grouped by reference,
//! standard input, an output file that is never half written, the audit counts and exit
//! codes, order under parallel workers, and no progress bar where no person watches.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

const AT: &str = "2026-11-24T10:00";
const FIXTURES: &str = "tests/fixtures/batch";

/// The binary, with no local rules chosen by the environment.
fn threshold() -> Command {
    let mut cmd = Command::cargo_bin("threshold").expect("the threshold binary is built");
    cmd.env_remove("THRESHOLD_RULES").env_remove("NO_COLOR");
    cmd
}

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("threshold")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn batch(args: &[&str]) -> Run {
    batch_with_stdin(args, "")
}

fn batch_with_stdin(args: &[&str], stdin: &str) -> Run {
    let output = threshold()
        .arg("batch")
        .args(args)
        .args(["--at", AT])
        .write_stdin(stdin)
        .output()
        .expect("threshold runs");
    Run {
        code: output.status.code().expect("an exit code, not a signal"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 rows"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 summary"),
    }
}

/// The rows of a `--format jsonl` run.
fn json_rows(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each row is a JSON object"))
        .collect()
}

fn field<'v>(row: &'v Value, name: &str) -> &'v str {
    row[name].as_str().unwrap_or_default()
}

fn sources(rows: &[Value]) -> Vec<&str> {
    rows.iter().map(|r| field(r, "source")).collect()
}

/// The error text of each row that has one, by source.
fn errors(rows: &[Value]) -> Vec<(&str, &str)> {
    rows.iter()
        .filter(|r| r.get("error").is_some())
        .map(|r| (field(r, "source"), field(r, "error")))
        .collect()
}

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

#[test]
fn a_mixed_folder_gives_one_row_per_case_in_order_and_exit_2_for_what_could_not_be_read() {
    let run = batch(&[&fixture("mixed"), "--format", "jsonl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    let m = "tests/fixtures/batch/mixed";
    assert_eq!(
        sources(&rows),
        vec![
            format!("{m}/a-good.yaml"),
            format!("{m}/b-good.json"),
            format!("{m}/c-malformed.yaml"),
            format!("{m}/d-empty.yaml"),
            format!("{m}/nested/deeper/stream.yaml#1"),
            format!("{m}/nested/deeper/stream.yaml#2"),
            format!("{m}/nested/deeper/stream.yaml#3"),
            format!("{m}/nested/export.csv:2"),
            format!("{m}/nested/export.csv:4"),
            format!("{m}/nested/export.jsonl:1"),
            format!("{m}/nested/export.jsonl:3"),
            format!("{m}/nested/export.jsonl:4"),
        ],
        "hidden files and other extensions are not read; folders are read in name order"
    );
    assert_eq!(
        errors(&rows),
        vec![
            (
                &*format!("{m}/c-malformed.yaml"),
                &*format!(
                    "{m}/c-malformed.yaml:5:3: error[E-CASE-UNKNOWN-ID]: answers: unknown question id `adult_mentl_health` \
                     (did you mean `adult_mental_health`?); help: fix the case file; docs/case-files.md shows the format (schema 1)"
                )
            ),
            (
                &*format!("{m}/d-empty.yaml"),
                &*format!(
                    "{m}/d-empty.yaml: error[E-CASE-EMPTY]: the file is empty; help: a case file starts with `schema: 1`"
                )
            ),
            (
                &*format!("{m}/nested/deeper/stream.yaml#2"),
                &*format!(
                    "{m}/nested/deeper/stream.yaml:11:1: error[E-CASE-AREA]: unknown area `torquay` (did you mean `torbay`?); \
                     the areas are: redbridge, salford, torbay, trafford; help: fix `area:` in the case file, or pass --area"
                )
            ),
            (
                &*format!("{m}/nested/export.jsonl:3"),
                &*format!(
                    "{m}/nested/export.jsonl:3:74: error[E-CASE-AGE]: `age` 19 is outside 0-17: record children under 18 only, \
                     in whole years (0 for a baby); help: fix the case file; docs/case-files.md shows the format (schema 1)"
                )
            ),
        ]
    );
    let references: Vec<&str> = rows.iter().map(|r| field(r, "reference")).collect();
    assert_eq!(
        references,
        [
            // A case refused for something else keeps the reference it was written with.
            "MIX-01", "MIX-02", "MIX-03", "", "MIX-04", "MIX-05", "MIX-06", "MIX-10", "MIX-11",
            "MIX-07", "MIX-08", "MIX-09"
        ]
    );
    insta::assert_snapshot!("mixed_folder_summary", run.stderr);
}

#[test]
fn the_csv_rows_of_a_mixed_folder_read_as_an_analyst_needs_them() {
    let run = batch(&[&fixture("mixed")]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("mixed_folder_csv", run.stdout);
}

#[test]
fn a_table_is_one_line_per_case() {
    let run = batch(&[&fixture("audit.jsonl"), "--format", "table"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("audit_table", run.stdout);
}

#[test]
fn every_refusal_reads_exactly_as_assess_gives_it() {
    let mut compared = 0;
    for entry in std::fs::read_dir("tests/fixtures/bad").expect("the refusal fixtures") {
        let path = entry.expect("a fixture").path();
        let path = path.to_str().expect("a UTF-8 path");
        let assess = threshold()
            .args(["assess", path])
            .output()
            .expect("assess runs");
        assert_eq!(assess.status.code(), Some(2), "{path} is refused by assess");
        let expected = String::from_utf8_lossy(&assess.stderr)
            .trim_end()
            .replace("\n  help: ", "; help: ");
        let run = batch(&[path, "--format", "jsonl"]);
        assert_eq!(run.code, 2, "{path}");
        let rows = json_rows(&run.stdout);
        assert_eq!(rows.len(), 1, "{path}: one row");
        assert_eq!(field(&rows[0], "error"), expected, "{path}");
        compared += 1;
    }
    assert!(compared >= 40, "only {compared} refusals compared");
}

#[test]
fn a_jsonl_row_is_the_assess_json_result_plus_its_source() {
    let case = fixture("mixed/a-good.yaml");
    let assess = threshold()
        .args(["assess", &case, "--format", "json", "--at", AT])
        .output()
        .expect("assess runs");
    let expected: Value = serde_json::from_slice(&assess.stdout).expect("a JSON result");
    let run = batch(&[&case, "--format", "jsonl"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut rows = json_rows(&run.stdout);
    assert_eq!(rows.len(), 1);
    let source = rows[0].as_object_mut().expect("an object").remove("source");
    assert_eq!(source, Some(Value::from(case)));
    let origin = rows[0]
        .as_object_mut()
        .expect("an object")
        .remove("rules_origin");
    assert_eq!(origin, Some(Value::from("bundled")));
    assert_eq!(rows[0], expected);
}

#[test]
fn csv_rows_sharing_a_reference_are_one_case_and_a_bad_case_spoils_only_itself() {
    let run = batch(&[&fixture("csv/households.csv"), "--format", "jsonl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    let f = "tests/fixtures/batch/csv/households.csv";
    let lines: Vec<String> = [2, 4, 5, 7, 8, 10, 11, 12, 13, 14, 15]
        .iter()
        .map(|line| format!("{f}:{line}"))
        .collect();
    assert_eq!(sources(&rows), lines, "one row per case, at its first line");

    let children = |row: &Value| -> Vec<String> {
        row["children"]
            .as_array()
            .expect("children")
            .iter()
            .map(|c| format!("{}:{}:{}", field(c, "id"), c["age"], c["unborn"]))
            .collect()
    };
    assert_eq!(
        children(&rows[0]),
        ["A:7:false", "B:13:false"],
        "H-01's two rows are one case"
    );
    assert_eq!(rows[0]["recorded_level"], 3);
    assert_eq!(
        children(&rows[1]),
        Vec::<String>::new(),
        "H-02: a household with no children"
    );
    assert_eq!(rows[1]["overall"]["level"], Value::Null);
    assert_eq!(children(&rows[3]), ["U:null:true"], "H-04: an unborn child");
    assert_eq!(field(&rows[10], "reference"), "H-10");
    assert_eq!(rows[10]["agrees"], true);

    let e = |line: usize, col: usize, code: &str, text: &str| {
        format!("{f}:{line}:{col}: error[{code}]: {text}")
    };
    assert_eq!(
        errors(&rows),
        vec![
            (
                &*lines[2],
                &*e(
                    6,
                    27,
                    "E-CSV-ROWS",
                    "the rows of case `H-03` disagree: `adult_mental_health` is `yes` on line 5 but `no` on line 6; help: a case's household columns (area, assessed_at, recorded_level and the household questions) must be the same on each of its rows"
                )
            ),
            (
                &*lines[4],
                &*e(
                    9,
                    16,
                    "E-CASE-CHILD",
                    "two children have the id `A`; help: give each child its own label"
                )
            ),
            (
                &*lines[5],
                &*e(
                    10,
                    19,
                    "E-CASE-AGE",
                    "`child_unborn` is `maybe`: write yes, or no (or leave it empty); help: an unborn child has `child_unborn` yes and an empty `child_age`"
                )
            ),
            (
                &*lines[6],
                &*e(
                    11,
                    30,
                    "E-CASE-ANSWER",
                    "`domestic_abuse_incidents_12m` is a count and cannot be negative (-2): use 0 or more, or unknown; help: fix the cell; docs/batch.md shows the CSV columns and answers"
                )
            ),
            (
                &*lines[7],
                &*e(
                    12,
                    30,
                    "E-CSV-ROWS",
                    "line 12 has a child's answers but no `child_id`; help: give the child's label in `child_id`, or leave the child's columns empty on a row for the household alone"
                )
            ),
            (
                &*lines[8],
                &*e(
                    13,
                    1,
                    "E-CSV-ROWS",
                    "line 13 has 9 cells, but the header has 14 columns; help: check for a missing or extra comma, or a comma in a cell that is not in quotes"
                )
            ),
            (
                &*lines[9],
                &*e(
                    14,
                    1,
                    "E-CSV-ROWS",
                    "the rows of case `H-01` are not together: it is met again at line 14; help: sort the export by reference: a case's rows must be next to each other"
                )
            ),
        ]
    );
    let bad: Vec<&str> = rows
        .iter()
        .filter(|r| r.get("error").is_some())
        .map(|r| field(r, "reference"))
        .collect();
    assert_eq!(
        bad,
        ["H-03", "H-05", "H-06", "H-07", "H-08", "H-09", "H-01"],
        "error rows keep their reference"
    );
}

#[test]
fn an_unknown_csv_column_refuses_the_file_and_suggests_the_nearest_id() {
    let run = batch(&[&fixture("csv/unknown_column.csv"), "--format", "jsonl"]);
    assert_eq!(run.code, 2);
    let rows = json_rows(&run.stdout);
    assert_eq!(
        errors(&rows),
        vec![(
            "tests/fixtures/batch/csv/unknown_column.csv",
            "tests/fixtures/batch/csv/unknown_column.csv:1:35: error[E-CSV-HEADER]: unknown column `adult_mentl_health` (did you mean `adult_mental_health`?); help: the columns are reference, area, assessed_at, recorded_level, child_id, child_age, child_unborn, then question ids (docs/case-files.md lists them)"
        )]
    );
}

#[test]
fn standard_input_is_json_lines_with_each_line_located() {
    let input = "{\"schema\":1,\"area\":\"salford\",\"reference\":\"S-1\",\"children\":[]}\n\
                 \n\
                 not json\r\n\
                 {\"schema\":1,\"reference\":\"S-4\",\"children\":[]}\n\
                 {\"schema\":1,\"area\":\"torbay\",\"reference\":\"S-5\",\"children\":[{\"id\":\"A\",\"age\":3}]}";
    let run = batch_with_stdin(&["-", "--format", "jsonl"], input);
    assert_eq!(run.code, 2);
    let rows = json_rows(&run.stdout);
    assert_eq!(
        sources(&rows),
        ["-:1", "-:3", "-:4", "-:5"],
        "the blank line is no case"
    );
    assert_eq!(
        errors(&rows),
        vec![
            (
                "-:3",
                "-:3:2: error[E-CASE-SYNTAX]: expected ident; help: fix the case file; docs/case-files.md shows the format (schema 1)"
            ),
            (
                "-:4",
                "-:4:1: error[E-CASE-AREA]: the case names no area; help: add `area:` to the case (one of redbridge, salford, torbay, trafford), pass --area, or set THRESHOLD_AREA"
            ),
        ]
    );
    assert_eq!(
        field(&rows[2], "reference"),
        "S-4",
        "a case with no area keeps its reference"
    );
    assert_eq!(
        rows[3]["overall"]["level"], 1,
        "the last line needs no line end"
    );

    let run = batch_with_stdin(
        &["-", "--area", "redbridge"],
        "{\"schema\":1,\"area\":\"salford\",\"children\":[]}\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .lines()
            .nth(1)
            // Standard input's rows start `-`: neutralised, as any cell a spreadsheet would run.
            .is_some_and(|row| row.starts_with(",\"'-:1\",redbridge,")),
        "--area overrides: {}",
        run.stdout
    );
}

#[test]
fn at_overrides_the_case_moment_as_in_assess() {
    let line = "{\"schema\":1,\"area\":\"salford\",\"assessed_at\":\"2026-11-24T23:30:00Z\",\"children\":[]}\n";
    let moment = |args: &[&str]| {
        let output = threshold()
            .arg("batch")
            .args(args)
            .write_stdin(line)
            .output()
            .expect("runs");
        let rows = json_rows(&String::from_utf8_lossy(&output.stdout));
        field(&rows[0], "assessed_at").to_string()
    };
    assert_eq!(
        moment(&["-", "--format", "jsonl"]),
        "2026-11-24T23:30:00+00:00"
    );
    assert_eq!(
        moment(&["-", "--format", "jsonl", "--at", "2026-11-25T09:00"]),
        "2026-11-25T09:00:00+00:00"
    );
}

#[test]
fn a_file_named_outside_the_known_extensions_is_read_by_its_content() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("export.txt");
    let line = "{\"schema\":1,\"area\":\"salford\",\"children\":[]}\n";
    std::fs::write(&path, line.repeat(2)).expect("write");
    let run = batch(&[path.to_str().expect("UTF-8"), "--format", "jsonl"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let name = path.display().to_string();
    assert_eq!(
        sources(&json_rows(&run.stdout)),
        [format!("{name}:1"), format!("{name}:2")]
    );
}

/// A YAML stream's document saved with CR line ends (or NEL, LS, PS) that starts with a
/// comment was taken for a blank document and dropped: no row, exit 0. Each gives a row.
#[test]
fn a_case_with_other_line_ends_after_a_comment_still_gives_its_row() {
    let dir = tempfile::tempdir().expect("a folder");
    let mut paths = Vec::new();
    for (i, end) in ["\r", "\u{85}", "\u{2028}", "\u{2029}"].iter().enumerate() {
        let path = dir.path().join(format!("case-{i}.yaml"));
        let text = format!(
            "schema: 1\narea: salford\nchildren: []\n---\n# exported{end}schema: 1{end}area: salford{end}children: []{end}"
        );
        std::fs::write(&path, text).expect("write");
        paths.push(format!("{}#1", path.display()));
        paths.push(format!("{}#2", path.display()));
    }
    let files: Vec<String> = (0..4)
        .map(|i| {
            dir.path()
                .join(format!("case-{i}.yaml"))
                .display()
                .to_string()
        })
        .collect();
    let mut args: Vec<&str> = files.iter().map(String::as_str).collect();
    args.extend(["--format", "jsonl"]);
    let run = batch(&args);
    let rows = json_rows(&run.stdout);
    assert_eq!(
        sources(&rows),
        paths.iter().map(String::as_str).collect::<Vec<_>>(),
        "{}",
        run.stderr
    );
}

/// `--format xlsx` is the CSV rows, cell for cell, as a workbook (levels as numbers), written
/// like any `--output`; without a `.xlsx` output it is refused before anything is read.
#[test]
fn a_workbook_holds_the_csv_rows_cell_for_cell() {
    use calamine::{Data, Reader};
    let dir = tempfile::tempdir().expect("a folder");
    let book = dir.path().join("rows.xlsx");
    let folder = fixture("mixed");
    let run = batch(&[
        &folder,
        "--format",
        "xlsx",
        "--output",
        book.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let csv = batch(&[&folder, "--format", "csv"]).stdout;
    let mut workbook = calamine::open_workbook_auto(&book).expect("a workbook");
    let sheet = workbook
        .worksheet_range("cases")
        .expect("the sheet `cases`");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(sheet.rows().count(), lines.len());
    for (row, line) in sheet.rows().zip(&lines) {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Data::Float(n) => format!("{n}"),
                Data::Empty => String::new(),
                other => other.to_string(),
            })
            .map(|cell| {
                if cell.contains([',', '"', '\n']) {
                    format!("\"{}\"", cell.replace('"', "\"\""))
                } else {
                    cell
                }
            })
            .collect();
        assert_eq!(cells.join(","), *line);
    }
    assert!(
        sheet.rows().skip(1).any(|r| matches!(r[3], Data::Float(_))),
        "the tier is a number"
    );
    let refused = batch(&[&folder, "--format", "xlsx"]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("give --output FILE.xlsx"),
        "{}",
        refused.stderr
    );
    assert!(refused.stdout.is_empty());
}

#[test]
fn the_summary_counts_the_audit_and_fail_on_conditions_exit_1() {
    let audit = fixture("audit.jsonl");
    let run = batch(&[&audit]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("audit_summary", run.stderr);

    let run = batch(&[&audit, "--fail-on-disagree", "--fail-on-level", "4"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.ends_with(
        "  --fail-on-level 4: 1 case at tier 4 or above\n  --fail-on-disagree: 3 cases where the tool and the recorded level differ\n"
    ), "{}", run.stderr);
    assert_eq!(batch(&[&audit, "--fail-on-level", "3"]).code, 1);
    assert_eq!(batch(&[&audit, "--fail-on-level", "2"]).code, 1);
    assert_eq!(batch(&[&audit, "--fail-on-level", "1"]).code, 1);
    assert_eq!(
        batch(&[&fixture("csv/households.csv"), "--fail-on-level", "4"]).code,
        2,
        "unreadable input comes first"
    );
    let run = batch(&[&audit, "--fail-on-level", "5"]);
    assert_eq!(run.code, 2, "a level outside 1-4 is bad usage");
    assert_eq!(run.stdout, "", "bad usage reads nothing");
}

/// Cases of different sizes (so workers finish out of order), some unreadable.
fn many_cases(n: usize) -> String {
    (0..n)
        .map(|i| match i % 97 {
            13 => format!("{{\"schema\":1,\"reference\":\"R-{i}\",\"area\":\"nowhere\"}}\n"),
            50 => "{broken\n".to_string(),
            _ => {
                let children: Vec<String> = (0..i % 9)
                    .map(|c| format!("{{\"id\":\"C{c}\",\"age\":{},\"answers\":{{\"young_carer\":\"yes\"}}}}", c + 1))
                    .collect();
                format!(
                    "{{\"schema\":1,\"area\":\"{}\",\"reference\":\"R-{i}\",\"answers\":{{\"domestic_abuse\":\"{}\"}},\"children\":[{}]}}\n",
                    ["salford", "trafford", "torbay", "redbridge"][i % 4],
                    if i % 3 == 0 { "yes" } else { "no" },
                    children.join(",")
                )
            }
        })
        .collect()
}

#[test]
fn rows_keep_input_order_whatever_the_number_of_workers() {
    let n = 6000;
    let input = many_cases(n);
    let one = batch_with_stdin(&["-", "--jobs", "1"], &input);
    let four = batch_with_stdin(&["-", "--jobs", "4"], &input);
    assert_eq!(one.code, 2);
    assert_eq!(four.code, 2);
    assert_eq!(one.stdout, four.stdout, "the same rows, in the same order");
    assert_eq!(one.stderr, four.stderr, "the same summary");
    let lines: Vec<&str> = four.stdout.lines().skip(1).collect();
    assert_eq!(lines.len(), n, "one row per line of input");
    for (index, line) in lines.iter().enumerate() {
        assert!(
            line.contains(&format!(",\"'-:{}\",", index + 1)),
            "row {index} is line {}: {line}",
            index + 1
        );
    }
}

#[test]
fn the_output_file_appears_whole_or_not_at_all() {
    let dir = tempfile::tempdir().expect("a folder");
    let out = dir.path().join("results.csv");
    let out_arg = out.to_str().expect("UTF-8");
    let mixed = fixture("mixed");

    let run = batch(&[&mixed, "--output", out_arg]);
    assert_eq!(run.code, 2, "unreadable input still exits 2 ...");
    assert_eq!(run.stdout, "");
    let written = std::fs::read_to_string(&out).expect("... after writing every row");
    assert_eq!(written, batch(&[&mixed]).stdout);

    std::fs::write(&out, "the previous results\n").expect("write");
    let run = batch(&[&mixed, "--output", out_arg, "--area", "nowhere"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        std::fs::read_to_string(&out).expect("kept"),
        "the previous results\n"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("list").count(),
        1,
        "no temporary file left"
    );

    let run = batch(&[
        &mixed,
        "--output",
        dir.path()
            .join("no/such/folder/r.csv")
            .to_str()
            .expect("UTF-8"),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot write the output"),
        "{}",
        run.stderr
    );
}

/// Unix only: Windows' null device is `NUL`, not a path in the file system.
#[cfg(unix)]
#[test]
fn an_output_that_is_a_device_is_written_not_replaced() {
    let run = batch(&[&fixture("audit.jsonl"), "--output", "/dev/null"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let null = std::fs::metadata("/dev/null").expect("/dev/null");
    assert!(!null.is_file(), "/dev/null is still a device");
}

#[test]
fn an_interrupted_run_leaves_the_previous_output_untouched() {
    let dir = tempfile::tempdir().expect("a folder");
    let out = dir.path().join("results.csv");
    std::fs::write(&out, "the previous results\n").expect("write");
    let mut child = std::process::Command::new(binary())
        .args(["batch", "-", "--output"])
        .arg(&out)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("threshold starts");
    let mut stdin = child.stdin.take().expect("a pipe");
    stdin
        .write_all(many_cases(20_000).as_bytes())
        .expect("feed the cases");
    stdin.flush().expect("flush");
    // The input stays open, so the run cannot end. Wait until rows are being written to
    // the temporary file (they are once more than the workers' window has been read),
    // then stop the run hard.
    let temporary = || {
        std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .find(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".threshold-batch-")
            })
            .and_then(|e| e.metadata().ok())
            .is_some_and(|m| m.len() > 0)
    };
    let start = Instant::now();
    while !temporary() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(temporary(), "rows were being written");
    child.kill().expect("stop the run");
    child.wait().expect("it stopped");
    drop(stdin);
    assert_eq!(
        std::fs::read_to_string(&out).expect("kept"),
        "the previous results\n"
    );
    let again = batch(&[dir.path().to_str().expect("UTF-8")]);
    assert!(
        again.stderr.contains("1 case from 1 input"),
        "the hidden temporary file is not read as input: {}",
        again.stderr
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_run_quietly_with_0() {
    let dir = tempfile::tempdir().expect("a folder");
    let input = dir.path().join("many.jsonl");
    std::fs::write(&input, many_cases(20_000)).expect("write");
    let mut child = std::process::Command::new(binary())
        .args(["batch", "--jobs", "2"])
        .arg(&input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("threshold starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("a pipe"))
        .read_line(&mut first)
        .expect("a first line");
    assert!(first.starts_with("reference,source,"), "{first}");
    let output = child.wait_with_output().expect("it ends");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "", "quietly");
}

#[test]
fn no_progress_bar_is_drawn_when_not_on_a_terminal() {
    let dir = tempfile::tempdir().expect("a folder");
    let out = dir.path().join("rows.csv");
    let run = batch(&[
        &fixture("audit.jsonl"),
        "--output",
        out.to_str().expect("UTF-8"),
    ]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.starts_with("batch: 5 cases"),
        "only the summary: {:?}",
        run.stderr
    );
    assert!(
        !run.stderr.contains(['\r', '\u{1b}']),
        "no drawing: {:?}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("cases/s") && !run.stderr.contains("/s "),
        "{:?}",
        run.stderr
    );
}

/// The other side: on a terminal (a pseudo-terminal from `script`), the bar is drawn
/// and then cleared before the summary.
/// Unix only: it needs util-linux's `script` for a terminal.
#[cfg(unix)]
#[test]
fn a_progress_bar_is_drawn_on_a_terminal() {
    if !common::tool("/usr/bin/script") {
        return;
    }
    let dir = tempfile::tempdir().expect("a folder");
    let log = dir.path().join("terminal.log");
    let command = format!(
        "{} batch {} --at {AT} --output {}",
        binary().display(),
        fixture("audit.jsonl"),
        dir.path().join("rows.csv").display()
    );
    let status = std::process::Command::new("/usr/bin/script")
        .args(["-qfec", &command])
        .arg(&log)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .expect("script runs");
    assert!(status.success());
    let screen = std::fs::read_to_string(&log).expect("the terminal's bytes");
    assert!(screen.contains("5 cases"), "{screen:?}");
    assert!(
        screen.contains("\u{1b}[2K"),
        "the bar is cleared: {screen:?}"
    );
    assert!(screen.contains("batch: 5 cases from 1 input"), "{screen:?}");
}

/// The practitioner's reason travels with the case through batch (SPEC 12): a CSV export's
/// `recorded_reason` column reaches the JSON Lines row, as a case file's does.
#[test]
fn a_recorded_reason_survives_batch() {
    let dir = tempfile::tempdir().expect("a folder");
    let csv = dir.path().join("export.csv");
    std::fs::write(
        &csv,
        "reference,area,recorded_level,recorded_reason,child_id,child_age,immediate_danger\nR-1,salford,3,\"Seen bruising, told the school\",A,6,no\n",
    )
    .expect("write");
    let case = dir.path().join("case.yaml");
    std::fs::write(
        &case,
        "schema: 1\nreference: R-2\narea: trafford\nrecorded_level: 2\nrecorded_reason: Known to the health visitor\nanswers: {immediate_danger: no}\nchildren: [{id: A, age: 1}]\n",
    )
    .expect("write");
    let run = batch(&[
        csv.to_str().unwrap(),
        case.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    assert_eq!(rows[0]["recorded_reason"], "Seen bruising, told the school");
    assert_eq!(rows[1]["recorded_reason"], "Known to the health visitor");
}

/// A CSV row with two bad cells is refused at the first in column order, and the message
/// is about that same cell (issue 16: the place and the words used to name different
/// cells).
#[test]
fn a_row_with_two_bad_cells_names_the_cell_it_points_at() {
    let dir = tempfile::tempdir().expect("a folder");
    let csv = dir.path().join("export.csv");
    std::fs::write(
        &csv,
        "reference,area,child_id,child_age,young_carer,adult_mental_health\nR-1,salford,A,6,perhaps,sometimes\n",
    )
    .expect("write");
    let run = batch(&[csv.to_str().unwrap(), "--format", "jsonl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    let error = rows[0]["error"].as_str().expect("an error");
    assert!(
        error.contains(":2:17:"),
        "points at young_carer (line 2, column 17): {error}"
    );
    assert!(
        error.contains("perhaps") && !error.contains("sometimes"),
        "{error}"
    );
}

/// Every header problem is listed at once (issue 16), not one per run.
#[test]
fn every_header_problem_is_listed_at_once() {
    let dir = tempfile::tempdir().expect("a folder");
    let csv = dir.path().join("export.csv");
    std::fs::write(
        &csv,
        "reference,area,young_carr,child_age,young_carer,young_carer\nR-1,salford,x,6,no,no\n",
    )
    .expect("write");
    let run = batch(&[csv.to_str().unwrap(), "--format", "jsonl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let error = json_rows(&run.stdout)[0]["error"]
        .as_str()
        .expect("an error")
        .to_string();
    assert!(error.contains("3 problems in the header"), "{error}");
    assert!(
        error.contains("young_carr")
            && error.contains("twice")
            && error.contains("no `child_id` column"),
        "{error}"
    );
}

/// A case met again is refused however the export is ordered: references in order of text
/// or of number are not kept while the order holds (memory stays flat), and once it breaks
/// the lines before are read again, so an earlier case is still recognised.
#[test]
fn a_reference_met_again_is_refused_in_any_order() {
    let dir = tempfile::tempdir().expect("a folder");
    let csv = dir.path().join("export.csv");
    let rows: String = ["9", "10", "11", "9", "B", "A", "B", "12"]
        .iter()
        .map(|r| format!("{r},salford,A,3\n"))
        .collect();
    std::fs::write(&csv, format!("reference,area,child_id,child_age\n{rows}")).expect("write");
    let run = batch(&[csv.to_str().unwrap(), "--format", "jsonl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    let refused: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (field(r, "reference"), r["error"].as_str().unwrap_or("")))
        .filter(|(_, error)| !error.is_empty())
        .collect();
    let again = |r: &str, line: usize| {
        format!(
            "{}:{line}:1: error[E-CSV-ROWS]: the rows of case `{r}` are not together: it is met again at line {line}; help: sort the export by reference: a case's rows must be next to each other",
            csv.display()
        )
    };
    assert_eq!(
        refused,
        [("9", &*again("9", 5)), ("B", &*again("B", 8))],
        "{}",
        run.stdout
    );
    assert_eq!(rows.len(), 8, "one row per case");
}

/// Reading an export again for its references starts where the first reading did: after
/// a byte-order mark, at the header (here after a blank line), whose `reference` is no case.
#[test]
fn an_export_read_again_skips_its_byte_order_mark_and_header() {
    let dir = tempfile::tempdir().expect("a folder");
    let csv = dir.path().join("export.csv");
    std::fs::write(
        &csv,
        "\u{feff}\nreference,area,child_id,child_age\nzzzzzzzzzz,salford,A,3\nreference,salford,A,4\n",
    )
    .expect("write");
    let run = batch(&[csv.to_str().unwrap(), "--format", "jsonl"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(json_rows(&run.stdout).len(), 2);
}
