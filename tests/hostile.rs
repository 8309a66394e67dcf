//! Hostile input and output: nothing in a file can forge what a person or a spreadsheet
//! sees. Escape sequences and look-alike identifiers are refused at the case-file
//! boundary and escaped wherever they reach a person anyway; CSV cells a spreadsheet would
//! run are neutralised; a stray quote in an export loses no rows; `--output` never
//! replaces an input; size limits hold for devices and pipes; local rules are announced
//! in every output.
//!
//! Unix only: many of these tests need FIFOs, character devices, symlinks, sparse files or
//! signals; the library code they pin is the same on Windows, where the CLI suite runs
//! under wine.
#![cfg(unix)]

mod common;

use common::threshold;
use std::path::Path;
use std::sync::Arc;

const AT: &str = "2026-11-24T10:00";
const HOSTILE: &str = "tests/fixtures/hostile";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    run_with_stdin(args, "")
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Run {
    let output = threshold().args(args).write_stdin(stdin).output().unwrap();
    Run {
        code: output.status.code().expect("an exit code, not a signal"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Nothing a terminal would act on: no ESC, no C1 control, no BEL, no other control
/// character but the line end.
fn assert_inert(text: &str, what: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect();
    assert!(bad.is_empty(), "{what} holds {bad:?}:\n{text}");
}

#[test]
fn control_characters_in_references_and_ids_are_refused_where_they_are() {
    for (file, at) in [
        ("escape_in_reference.yaml", ":3:12: "),
        ("newline_in_reference.json", ":1:35: "),
        ("zero_width_child_id.yaml", ":7:9: "),
        ("cyrillic_child_id.yaml", ":7:9: "),
        ("trailing_space_reference.yaml", ":3:12: "),
    ] {
        let path = format!("{HOSTILE}/{file}");
        for command in ["assess", "compare"] {
            let out = run(&[command, &path, "--at", AT]);
            assert_eq!(out.code, 2, "{command} {file}: {}", out.stderr);
            assert!(out.stdout.is_empty(), "{command} {file}: {}", out.stdout);
            assert!(
                out.stderr.starts_with(&format!("{path}{at}error[E-")),
                "{command} {file}: {}",
                out.stderr
            );
            assert!(
                out.stderr.contains("printable ASCII")
                    && out.stderr.contains("no space at either end"),
                "{}",
                out.stderr
            );
            assert_inert(&out.stderr, file);
        }
    }
}

#[test]
fn look_alike_child_ids_are_refused_not_taken_as_different_children() {
    insta::assert_snapshot!(
        "zero_width_child_id",
        run(&["assess", &format!("{HOSTILE}/zero_width_child_id.yaml")]).stderr
    );
    insta::assert_snapshot!(
        "cyrillic_child_id",
        run(&["assess", &format!("{HOSTILE}/cyrillic_child_id.yaml")]).stderr
    );
}

#[test]
fn the_interview_refuses_a_hostile_answers_file() {
    let out = run(&[
        "check",
        "--plain",
        "--answers",
        &format!("{HOSTILE}/escape_in_reference.yaml"),
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("printable ASCII"), "{}", out.stderr);
    assert_inert(&out.stderr, "check --answers");
}

#[test]
fn a_huge_unknown_key_is_echoed_cut_short() {
    let key = "k".repeat(100_000);
    let case = format!("{{\"schema\": 1, \"area\": \"salford\", \"{key}\": 1}}");
    let out = run_with_stdin(&["assess", "-"], &case);
    assert_eq!(out.code, 2);
    assert!(out.stderr.len() < 2_000, "{} bytes", out.stderr.len());
    assert!(
        out.stderr.contains(&format!("`{}…`", "k".repeat(60))),
        "{}",
        out.stderr
    );
    let answer = format!("{{\"schema\": 1, \"answers\": {{\"{key}\": \"yes\"}}}}");
    let out = run_with_stdin(&["assess", "-"], &answer);
    assert_eq!(out.code, 2);
    assert!(out.stderr.len() < 2_000, "{} bytes", out.stderr.len());
}

fn rules() -> &'static threshold::rules::RuleSet {
    static RULES: std::sync::OnceLock<threshold::rules::RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        let today = jiff::civil::date(2026, 11, 23);
        threshold::rules::load(
            threshold::rules::bundled_files(),
            threshold::rules::Origin::Bundled,
            today,
        )
        .unwrap()
        .0
    })
}

/// Text that case files refuse but a renderer may still be handed (a case built in
/// code): every human format shows it escaped, so it cannot clear the screen, set the
/// clipboard (OSC 52), hide a link (OSC 8) or start a forged line of case notes.
#[test]
fn hostile_text_that_reaches_a_renderer_is_shown_escaped() {
    let rules = rules();
    let bank: &Arc<_> = &rules.questions;
    let text = std::fs::read_to_string("examples/cases/torbay-disclosure.yaml").unwrap();
    let mut case =
        threshold::case::parse(&text, threshold::case::Format::Yaml, "case", bank).unwrap();
    case.reference =
        Some("R\u{1b}[2J\u{1b}[HHousehold level: 1 (no concerns)\n- Household level: 1".into());
    case.children[0].id = "A\u{1b}]52;c;aGk=\u{7}\u{1b}]8;;http://x\u{1b}\\\u{9b}2J".into();
    let area = rules.area("torbay").unwrap();
    let moment = threshold::hours::parse_moment(AT).unwrap();
    let outcome = threshold::engine::assess(area, bank, &case, &moment);
    let notes = threshold::render::record::Notes {
        answers: Vec::new(),
        not_asked: Vec::new(),
    };
    for (what, shown) in [
        (
            "table",
            threshold::render::table::render(rules, &outcome, true),
        ),
        (
            "plain",
            threshold::render::plain::render(rules, &outcome, true),
        ),
        (
            "markdown",
            threshold::render::markdown::render(rules, &outcome),
        ),
        (
            "record",
            threshold::render::record::render(rules, &outcome, &notes, "`threshold check`"),
        ),
    ] {
        let unstyled: String = console::strip_ansi_codes(&shown).into_owned();
        assert_inert(&unstyled, what);
        assert!(
            !shown.lines().any(|l| l.starts_with("- Household level: 1")),
            "{what}: a forged line\n{shown}"
        );
        assert!(shown.contains("\\u{1b}"), "{what}:\n{shown}");
    }
}

#[test]
fn a_file_name_with_escape_sequences_is_shown_escaped_in_the_batch_table() {
    let dir = tempfile::tempdir().unwrap();
    let name = dir.path().join("x\u{1b}[2J\u{1b}]52;c;aGk=\u{7}.yaml");
    std::fs::copy("examples/cases/salford-no-concerns.yaml", &name).unwrap();
    let bad = dir.path().join("y\u{1b}[2J.yaml");
    std::fs::write(&bad, "schema: 2\n").unwrap();
    let folder = dir.path().to_str().unwrap();
    let out = run(&["batch", folder, "--format", "table", "--at", AT]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_inert(&out.stdout, "batch table");
    assert_inert(&out.stderr, "batch summary");
    assert!(out.stdout.contains("x\\u{1b}[2J"), "{}", out.stdout);
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
}

#[test]
fn csv_cells_a_spreadsheet_would_run_are_neutralised() {
    let lines = [
        r#"{"schema": 1, "area": "salford", "reference": "=HYPERLINK(\"http://x\",\"A\")", "children": [{"id": "A", "age": 4}]}"#,
        r#"{"schema": 1, "area": "salford", "reference": "+1", "children": [{"id": "A", "age": 4}]}"#,
        r#"{"schema": 1, "area": "salford", "reference": "-2+3", "children": [{"id": "A", "age": 4}]}"#,
        r#"{"schema": 1, "area": "salford", "reference": "@SUM(A1)", "children": [{"id": "A", "age": 4}]}"#,
        r#"{"schema": 1, "area": "nowhere", "reference": "=1+1", "children": [{"id": "A", "age": 4}]}"#,
    ];
    let out = run_with_stdin(&["batch", "-", "--at", AT], &(lines.join("\n") + "\n"));
    assert_eq!(out.code, 2, "{}", out.stderr);
    let rows: Vec<&str> = out.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 5, "{}", out.stdout);
    let cells: Vec<&str> = [
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"A\"\")\",",
        "\"'+1\",",
        "\"'-2+3\",",
        "\"'@SUM(A1)\",",
        "\"'=1+1\",",
    ]
    .to_vec();
    for (row, cell) in rows.iter().zip(cells) {
        assert!(row.starts_with(cell), "{row} should start {cell}");
    }
    for row in &rows {
        for field in row.split(',') {
            assert!(
                !field.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{row}"
            );
        }
    }
}

/// A copy of the bundled rules, as a partnership would keep one.
fn local_rules() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(Path::new("rules"), dir.path());
    dir
}

#[test]
fn local_rules_are_announced_in_every_output() {
    let rules = local_rules();
    let dir = rules.path().to_str().unwrap();
    let case = "examples/cases/salford-no-concerns.yaml";
    let local = |args: &[&str]| {
        let mut all = vec!["--rules", dir];
        all.extend_from_slice(args);
        run(&all)
    };
    let contacts = local(&["contacts", "salford", "--at", AT]);
    assert!(
        contacts.stdout.contains("LOCAL rules from"),
        "{}",
        contacts.stdout
    );
    let compare = local(&["compare", case, "--at", AT]);
    assert!(
        compare.stdout.contains("LOCAL rules from"),
        "{}",
        compare.stdout
    );
    let csv = local(&["batch", case, "--at", AT]);
    let mut lines = csv.stdout.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",error,rules_origin,error_code")
    );
    assert!(lines.next().unwrap().ends_with(",local,"), "{}", csv.stdout);
    assert!(csv.stderr.contains("LOCAL rules from"), "{}", csv.stderr);
    let jsonl = local(&["batch", case, "--format", "jsonl", "--at", AT]);
    let row: serde_json::Value = serde_json::from_str(jsonl.stdout.trim()).unwrap();
    assert_eq!(row["rules_origin"], "local");
    let table = local(&["batch", case, "--format", "table", "--at", AT]);
    assert!(table.stdout.contains("LOCAL rules"), "{}", table.stdout);
    let failed = local(&["batch", &format!("{HOSTILE}/escape_in_reference.yaml")]);
    let failed_row = failed.stdout.lines().nth(1).unwrap();
    assert!(failed_row.ends_with(",local,E-CASE-SYNTAX"), "{failed_row}");
    // And the bundled rules say they are bundled, not local.
    let bundled = run(&["batch", case, "--at", AT]);
    assert!(
        bundled
            .stdout
            .lines()
            .nth(1)
            .unwrap()
            .ends_with(",bundled,")
    );
    assert!(!bundled.stderr.contains("LOCAL"));
    assert!(!run(&["contacts", "--at", AT]).stdout.contains("LOCAL"));
}

/// The rows of a `batch` run's CSV output, header left out.
fn csv_rows(stdout: &str) -> Vec<&str> {
    stdout.lines().skip(1).collect()
}

#[test]
fn a_stray_quote_in_a_csv_export_loses_no_case() {
    let out = run(&["batch", &format!("{HOSTILE}/stray_quote.csv"), "--at", AT]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let rows = csv_rows(&out.stdout);
    let references: Vec<&str> = rows.iter().map(|r| r.split(',').next().unwrap()).collect();
    assert_eq!(
        references,
        ["Q-01", "Q-02", "Q-03", "Q-04", "Q-05", "Q-06"],
        "one row per case:\n{}",
        out.stdout
    );
    assert!(
        rows[1].contains(
            "stray_quote.csv:3:16: error[E-CSV-SYNTAX]: the quoted cell of field 5 (header \
             `child_id`) starting at line 3 is not closed on its line"
        ),
        "{}",
        rows[1]
    );
    // The two cases in immediate danger between the stray quotes are assessed: 999 first.
    assert!(rows[2].contains(",true,emergency"), "{}", rows[2]);
    assert!(rows[3].contains(",true,emergency"), "{}", rows[3]);
    assert!(rows[4].contains("stray_quote.csv:7:18: error[E-CSV-SYNTAX]: the quoted cell"));
    assert!(
        rows[5].ends_with(",,bundled,"),
        "Q-06 is assessed: {}",
        rows[5]
    );
}

#[test]
fn a_long_export_with_a_stray_quote_keeps_one_row_per_case() {
    let cases = 20_000;
    let mut export = String::from("reference,area,child_id,child_age,immediate_danger\n");
    for i in 0..cases {
        let danger = if i % 1000 == 7 { "yes" } else { "no" };
        let id = if i == 3 { "\"A" } else { "A" };
        export.push_str(&format!("C-{i},salford,{id},4,{danger}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    std::fs::write(&path, &export).unwrap();
    let out = run(&["batch", path.to_str().unwrap(), "--at", AT]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows.len(), cases, "one row per input case");
    for (i, row) in rows.iter().enumerate() {
        assert!(row.starts_with(&format!("C-{i},")), "row {i}: {row}");
    }
    assert_eq!(rows.iter().filter(|r| r.contains(",error:")).count(), 0);
    assert_eq!(
        rows.iter()
            .filter(|r| r.contains(": error[E-CSV-SYNTAX]: "))
            .count(),
        1,
        "only the case with the stray quote is refused"
    );
    assert!(
        out.stderr.contains(&format!(
            "batch: {cases} cases from 1 input: {} assessed, 1 not read",
            cases - 1
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_kept() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.csv");
    std::fs::copy(format!("{HOSTILE}/stray_quote.csv"), &export).unwrap();
    let before = std::fs::read(&export).unwrap();
    let link = dir.path().join("link.csv");
    std::fs::hard_link(&export, &link).unwrap();
    let spelt = dir.path().join(".").join("export.csv");
    let input = export.to_str().unwrap();
    for output in [&export, &spelt, &link] {
        let out = run(&["batch", input, "--output", output.to_str().unwrap()]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(
            out.stderr
                .starts_with("--output: error[E-USAGE-OUTPUT]: the output ")
                && out.stderr.contains("the results would replace it"),
            "{}",
            out.stderr
        );
        assert_eq!(
            std::fs::read(&export).unwrap(),
            before,
            "the export is kept"
        );
    }
    // A case file inside a folder being read is an input too.
    let folder = dir.path().to_str().unwrap();
    let out = run(&["batch", folder, "--output", input]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("inside the input folder"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read(&export).unwrap(), before);
    // A new file beside the input is fine.
    let results = dir.path().join("results.txt");
    let out = run(&["batch", input, "--output", results.to_str().unwrap()]);
    assert_eq!(out.code, 2, "the stray quote: {}", out.stderr);
    assert!(
        std::fs::read_to_string(&results)
            .unwrap()
            .starts_with("reference,")
    );
}

#[test]
fn ctrl_c_during_a_batch_removes_the_temporary_output() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.csv");
    std::fs::write(&out, "the previous results\n").unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_threshold"))
        .args(["batch", "-", "--output"])
        .arg(&out)
        .env_remove("THRESHOLD_RULES")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let line = "{\"schema\":1,\"area\":\"salford\",\"children\":[{\"id\":\"A\",\"age\":4}]}\n";
    stdin.write_all(line.repeat(20_000).as_bytes()).unwrap();
    stdin.flush().unwrap();
    let temporary = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .find(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".threshold-batch-")
            })
            .and_then(|e| e.metadata().ok())
            .is_some_and(|m| m.len() > 0)
    };
    // Wait (at most a minute) until rows are being written to the temporary file.
    for _ in 0..3000 {
        if temporary() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(temporary(), "rows were being written");
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap().code();
    drop(stdin);
    assert_eq!(code, Some(2), "stopped, not done");
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["results.csv"], "no temporary file left");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "the previous results\n"
    );
}

/// Run `threshold ARGS` and wait for it at most a minute: a run that hangs is killed and
/// fails the test (no timing is asserted, only that it ends).
fn run_ending(args: &[&str]) -> Run {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_threshold"))
        .args(args)
        .env_remove("THRESHOLD_RULES")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if child.try_wait().unwrap().is_some() {
            let output = child.wait_with_output().unwrap();
            return Run {
                code: output.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            };
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("threshold {args:?} did not end");
}

fn fifo(dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    path.to_str().unwrap().to_string()
}

#[test]
fn devices_and_named_pipes_are_refused_never_read_without_end() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = fifo(dir.path(), "case.yaml");
    for path in ["/dev/zero", pipe.as_str()] {
        for command in [&["assess", path][..], &["compare", path], &["batch", path]] {
            let out = run_ending(command);
            assert_eq!(out.code, 2, "{command:?}: {}", out.stderr);
            // `batch` gives the refusal as the input's row.
            let said = format!("{}{}", out.stdout, out.stderr);
            assert!(
                said.contains(&format!("{path}: error[E-CASE-READ]: cannot read"))
                    && said.contains("not a file"),
                "{command:?}: {said}"
            );
        }
    }
    let out = run_ending(&["check", "--answers", "/dev/zero"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("character device"), "{}", out.stderr);
    // Local rules whose questions file is a device or a pipe.
    for target in ["/dev/zero", pipe.as_str()] {
        let rules = local_rules();
        let questions = rules.path().join("questions.yaml");
        std::fs::remove_file(&questions).unwrap();
        std::os::unix::fs::symlink(target, &questions).unwrap();
        let dir = rules.path().to_str().unwrap();
        let out = run_ending(&["--rules", dir, "areas"]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains("not a file"), "{}", out.stderr);
    }
}

#[test]
fn a_huge_file_is_refused_after_reading_only_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    // Sparse: 4 GiB on paper, nothing on disk; read whole it would take 4 GiB of memory.
    let huge = dir.path().join("huge.yaml");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    let path = huge.to_str().unwrap();
    for command in [&["assess", path][..], &["compare", path]] {
        let out = run_ending(command);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(
            out.stderr
                .contains("too large: a case file is at most 1048576 bytes"),
            "{}",
            out.stderr
        );
    }
    let rules = local_rules();
    let questions = rules.path().join("questions.yaml");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&questions)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    let out = run_ending(&["--rules", rules.path().to_str().unwrap(), "rules", "check"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("error[E-RULES-SOURCE]: is over 512 KiB, more than any rules file needs"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_refused_json_line_or_yaml_document_keeps_its_reference() {
    let lines = [
        r#"{"schema":1,"area":"salford","reference":"J-1","children":[{"id":"A","age":19}]}"#,
        r#"{"schema":1,"reference":"J-2","area":"salford","answers":{"adult_mentl_health":"yes"}}"#,
        r#"{"schema":1,"reference":7,"unknown_field":true}"#,
        r#"{"schema":1,"reference":"J-4\u001b[2J","children":[]}"#,
    ];
    let out = run_with_stdin(
        &["batch", "-", "--format", "jsonl", "--at", AT],
        &(lines.join("\n") + "\n"),
    );
    assert_eq!(out.code, 2);
    let rows: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let references: Vec<&serde_json::Value> = rows.iter().map(|r| &r["reference"]).collect();
    assert_eq!(
        references,
        ["J-1", "J-2", "7", ""]
            .iter()
            .map(|r| if r.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::Value::from(*r)
            })
            .collect::<Vec<_>>()
            .iter()
            .collect::<Vec<_>>(),
        "a hostile reference is not repeated"
    );
    let dir = tempfile::tempdir().unwrap();
    let stream = dir.path().join("stream.yaml");
    std::fs::write(
        &stream,
        "schema: 1\nreference: Y-1\narea: salford\nchildren:\n  - id: A\n    age: 30\n---\n\
         schema: 1\nreference: 'Y-2' # quoted\narea: [unclosed\n",
    )
    .unwrap();
    let out = run(&["batch", stream.to_str().unwrap(), "--at", AT]);
    let rows = csv_rows(&out.stdout);
    assert!(rows[0].starts_with("Y-1,"), "{}", rows[0]);
    assert!(rows[1].starts_with("Y-2,"), "{}", rows[1]);
}

#[test]
fn a_local_rules_folder_named_with_escape_sequences_is_shown_escaped() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("rules\u{1b}[2J\u{1b}]8;;x\u{7}");
    common::copy_dir(Path::new("rules"), &dir);
    let dir = dir.to_str().unwrap();
    let case = "examples/cases/salford-no-concerns.yaml";
    for args in [
        &["assess", case, "--at", AT][..],
        &["assess", case, "--format", "markdown", "--at", AT],
        &["compare", case, "--at", AT],
        &["contacts", "salford", "--at", AT],
        &["areas"],
        &["batch", case, "--format", "table", "--at", AT],
    ] {
        let mut all = vec!["--rules", dir];
        all.extend_from_slice(args);
        let out = run(&all);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert_inert(&out.stdout, &format!("{args:?}"));
        assert_inert(&out.stderr, &format!("{args:?}"));
        assert!(
            format!("{}{}", out.stdout, out.stderr).contains("LOCAL"),
            "{args:?}"
        );
    }
}
