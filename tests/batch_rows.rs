//! Issue 24, "rows lost or forged": `threshold batch` through the binary, against inputs
//! made to break it. A workbook declaring a far cell, or an .ods of repeated rows, is one
//! refused row and never takes the memory, and the other inputs still get theirs; a line
//! break in a quoted free-text cell is data, and a stray quote takes no case with it; rows
//! for a terminal hold nothing that acts on it; a stopped run leaves no temporary output;
//! an output never replaces the map, the rules or the other output.

mod common;

use assert_cmd::Command;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

const AT: &str = "2026-11-24T10:00";
const OURS: &str = "tests/fixtures/exports/ours.csv";
const GOOD_YAML: &str = "tests/fixtures/batch/mixed/a-good.yaml";
const GOOD_JSON: &str = "tests/fixtures/batch/mixed/b-good.json";

/// The binary, with no local rules chosen by the environment.
fn threshold() -> Command {
    let mut cmd = Command::cargo_bin("threshold").expect("the threshold binary is built");
    cmd.env_remove("THRESHOLD_RULES")
        .env_remove("THRESHOLD_AREA")
        .env_remove("NO_COLOR");
    cmd
}

struct Run {
    /// `None` when the run was ended by a signal (an abort).
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn batch(args: &[&str]) -> Run {
    batch_in(Path::new("."), args)
}

/// The CSV rows of a file or an output, without the header: (source, error) each.
fn rows(text: &str) -> Vec<(String, String)> {
    text.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (cells[1].to_string(), line.to_string())
        })
        .collect()
}

/// The hidden temporary outputs left in `dir`.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".threshold-batch-"))
        .collect()
}

/// An .xlsx of our own columns: the header and the first `rows` rows of `ours.csv`, then
/// whatever `more` writes.
fn workbook(path: &Path, rows: usize, more: impl Fn(&mut rust_xlsxwriter::Worksheet)) {
    let text = std::fs::read_to_string(OURS).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in text.lines().take(rows + 1).enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
    }
    more(sheet);
    book.save(path).unwrap();
}

#[test]
fn a_workbook_declaring_a_far_cell_is_one_refused_row_and_the_rest_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("far.xlsx");
    workbook(&book, 1, |sheet| {
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
    });
    assert!(std::fs::metadata(&book).unwrap().len() < 10_000);
    let out = dir.path().join("out.csv");
    let run = batch(&[
        GOOD_YAML,
        book.to_str().unwrap(),
        GOOD_JSON,
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let written = std::fs::read_to_string(&out).expect("the output is in place");
    let sources: Vec<String> = rows(&written).into_iter().map(|(s, _)| s).collect();
    assert_eq!(
        sources,
        vec![
            GOOD_YAML.to_string(),
            book.display().to_string(),
            GOOD_JSON.to_string()
        ],
        "{written}"
    );
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
}

#[test]
fn a_sheet_far_larger_than_its_cells_is_refused_naming_the_far_cell() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("sparse.xlsx");
    workbook(&book, 4, |sheet| {
        for r in 5..200 {
            sheet.write_string(r, 0, format!("F-{r:03}")).unwrap();
        }
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
    });
    let run = batch(&[book.to_str().unwrap(), GOOD_JSON]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let rows = rows(&run.stdout);
    assert_eq!(rows.len(), 2, "{}", run.stdout);
    assert!(
        rows[0].1.contains("cell XFD1048576") && rows[0].1.contains("E-SHEET"),
        "{}",
        rows[0].1
    );
    assert_eq!(rows[1].0, GOOD_JSON);
}

/// An .ods whose sheet is our header, then one row repeated `times` times with its one
/// value in column `width`: a few hundred bytes declaring `times * width` cells.
fn repeated_ods(path: &Path, times: u64, width: u64) {
    let header: String = std::fs::read_to_string(OURS)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(|name| {
            format!(
                "<table:table-cell office:value-type=\"string\"><text:p>{name}</text:p></table:table-cell>"
            )
        })
        .collect();
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"Sheet1\">\
         <table:table-row>{header}</table:table-row>\
         <table:table-row table:number-rows-repeated=\"{times}\">\
         <table:table-cell table:number-columns-repeated=\"{}\"/>\
         <table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell>\
         </table:table-row></table:table></office:spreadsheet></office:body>\
         </office:document-content>",
        width - 1
    );
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
          <manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">\
          <manifest:file-entry manifest:full-path=\"/\" \
          manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
          <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
          </manifest:manifest>",
    )
    .unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
}

#[test]
fn an_ods_of_repeated_rows_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("repeated.ods");
    repeated_ods(&book, 200_000, 16);
    assert!(std::fs::metadata(&book).unwrap().len() < 4_000);
    let run = batch(&[book.to_str().unwrap(), GOOD_JSON]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let rows = rows(&run.stdout);
    assert_eq!(
        rows.len(),
        2,
        "{}",
        &run.stdout[..run.stdout.len().min(2000)]
    );
    assert!(
        rows[0].1.contains("sheet `Sheet1`") && rows[0].1.contains("E-SHEET"),
        "{}",
        rows[0].1
    );
    assert_eq!(rows[1].0, GOOD_JSON);
}

#[cfg(unix)]
/// Text that would act on a terminal: an escape sequence (clear the screen), a line break
/// and a right-to-left override.
const HOSTILE: &str = "\u{1b}[2J\n\u{202e}";

#[cfg(unix)]
fn acts_on_a_terminal(text: &str) -> bool {
    text.chars()
        .any(|c| c == '\u{1b}' || c == '\u{202e}' || c == '\r')
}

#[cfg(unix)]
#[test]
fn rows_for_a_terminal_show_a_file_name_and_a_refused_reference_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join(format!("export{HOSTILE}.csv"));
    let header = std::fs::read_to_string(OURS).unwrap();
    let header = header.lines().next().unwrap();
    std::fs::write(
        &export,
        format!(
            "{header}\n\"F\u{1b}[2J\u{202e}1\",salford,2026-11-03T12:00,3,C1,11,yes,yes,no,,yes\n"
        ),
    )
    .unwrap();
    for format in ["csv", "table"] {
        let run = batch(&[export.to_str().unwrap(), "--format", format]);
        assert_eq!(run.code, Some(2), "{}", run.stderr);
        assert!(
            !acts_on_a_terminal(&run.stdout),
            "{format}: {:?}",
            run.stdout
        );
        let lines = usize::from(format == "csv") + 1;
        assert_eq!(
            run.stdout.lines().count(),
            lines,
            "{format}: {:?}",
            run.stdout
        );
        assert!(
            run.stdout.contains("\\u{1b}[2J\\n\\u{202e}"),
            "{:?}",
            run.stdout
        );
        if format == "csv" {
            assert!(
                run.stdout.contains("\nF\\u{1b}[2J\\u{202e}1,"),
                "{:?}",
                run.stdout
            );
        }
    }
}

/// `batch ARGS` run in `dir` (so that `./NAME` and `NAME` are two spellings of one file).
fn batch_in(dir: &Path, args: &[&str]) -> Run {
    let output = threshold()
        .current_dir(dir)
        .arg("batch")
        .args(args)
        .args(["--at", AT])
        .timeout(Duration::from_secs(120))
        .output()
        .expect("threshold runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[cfg(unix)]
#[test]
fn an_output_is_refused_when_it_is_the_map_a_rules_file_or_the_other_output() {
    let dir = tempfile::tempdir().unwrap();
    let here = |name: &str| dir.path().join(name);
    std::fs::copy("tests/fixtures/exports/foreign.csv", here("export.csv")).unwrap();
    std::fs::copy("tests/fixtures/exports/foreign-map.yaml", here("map.yaml")).unwrap();
    std::os::unix::fs::symlink("map.yaml", here("link.yaml")).unwrap();
    let rules = here("rules");
    common::copy_dir(Path::new("rules"), &rules);
    let map_before = std::fs::read(here("map.yaml")).unwrap();
    let questions = std::fs::read(rules.join("questions.yaml")).unwrap();
    let mapped = ["export.csv", "--map", "map.yaml"];
    let refused: [(&[&str], &[&str], &str); 5] = [
        (&mapped, &["--output", "./map.yaml"], "the map map.yaml"),
        (&mapped, &["--report", "link.yaml"], "the map map.yaml"),
        (
            &mapped,
            &["--output", "out.csv", "--report", "./out.csv"],
            "--output out.csv",
        ),
        (
            &["export.csv", "--map", "map.yaml", "--rules", "rules"],
            &["--output", "rules/questions.yaml"],
            "the rules folder rules",
        ),
        (
            &["export.csv", "--map", "map.yaml", "--rules", "./rules"],
            &["--report", "rules/areas/audit.html"],
            "the rules folder ./rules",
        ),
    ];
    for (inputs, outputs, named) in refused {
        let args: Vec<&str> = inputs.iter().chain(outputs).copied().collect();
        let run = batch_in(dir.path(), &args);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("E-USAGE-OUTPUT"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(named), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}: nothing is read");
    }
    assert_eq!(std::fs::read(here("map.yaml")).unwrap(), map_before);
    assert_eq!(
        std::fs::read(rules.join("questions.yaml")).unwrap(),
        questions
    );
    assert!(!here("out.csv").exists());
    assert!(!rules.join("areas/audit.html").exists());
}

#[cfg(unix)]
/// Wait up to 30 s for `ready`.
fn wait_for(mut ready: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[cfg(unix)]
#[test]
fn a_batch_stopped_by_sigterm_or_sighup_leaves_no_temporary_output() {
    use std::process::Stdio;
    for signal in ["TERM", "HUP", "INT"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.csv");
        // Cases from standard input, which stays open: the run is mid-batch until stopped.
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("threshold"))
            .env_remove("THRESHOLD_RULES")
            .args(["batch", "-", "--at", AT, "--output", out.to_str().unwrap()])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(
                std::fs::read_to_string(GOOD_JSON)
                    .unwrap()
                    .replace('\n', " ")
                    .as_bytes(),
            )
            .unwrap();
        stdin.write_all(b"\n").unwrap();
        assert!(
            wait_for(|| temporaries(dir.path()).len() == 1),
            "SIG{signal}: the run never started writing"
        );
        let killed = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        drop(stdin);
        assert_eq!(status.code(), Some(2), "SIG{signal}: {status:?}");
        assert_eq!(temporaries(dir.path()), Vec::<String>::new(), "SIG{signal}");
        assert!(!out.exists(), "SIG{signal}");
    }
}

#[test]
fn a_line_break_inside_a_quoted_cell_is_data_not_a_row() {
    let dir = tempfile::tempdir().unwrap();
    // Our own columns: a recorded reason of two lines (CRLF line ends, as Excel saves).
    let ours = dir.path().join("ours.csv");
    std::fs::write(
        &ours,
        "reference,area,assessed_at,recorded_level,recorded_reason,child_id,child_age,domestic_abuse\r\n\
         F-001,salford,2026-11-03T12:00,3,\"Seen at home.\r\nSchool told, 4 Nov.\",C1,11,yes\r\n\
         F-002,salford,2026-11-05T12:00,1,,C1,15,no\r\n",
    )
    .unwrap();
    let run = batch(&[ours.to_str().unwrap(), "--format", "jsonl"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let rows: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sources: Vec<&str> = rows.iter().map(|r| r["source"].as_str().unwrap()).collect();
    let name = ours.display().to_string();
    assert_eq!(sources, vec![format!("{name}:2"), format!("{name}:4")]);
    // A case system's export through a map: a free-text column of several lines.
    let foreign = dir.path().join("foreign.csv");
    let text = std::fs::read_to_string("tests/fixtures/exports/foreign.csv").unwrap();
    std::fs::write(
        &foreign,
        text.replacen(
            "A. Smith,North",
            "\"A. Smith\n(duty, \"\"on call\"\")\nweek 45\",North",
            1,
        ),
    )
    .unwrap();
    let run = batch(&[
        "--map",
        "tests/fixtures/exports/foreign-map.yaml",
        foreign.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.lines().count(), 4, "{}", run.stdout);
}

#[test]
fn a_csv_quoting_error_names_the_field_and_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("ours.csv");
    std::fs::write(
        &ours,
        "reference,area,assessed_at,recorded_level,child_id,child_age,domestic_abuse\n\
         F-001,\"salford\"x,2026-11-03T12:00,3,C1,11,yes\n\
         F-002,salford,2026-11-05T12:00,1,C1,15,no\n",
    )
    .unwrap();
    let run = batch(&[ours.to_str().unwrap()]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let rows = rows(&run.stdout);
    assert_eq!(rows.len(), 2, "{}", run.stdout);
    assert!(
        rows[0].1.contains("field 2 (header `area`)"),
        "{}",
        rows[0].1
    );
}

#[test]
fn a_stray_quote_in_a_free_text_column_never_takes_the_cases_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let header = "reference,area,assessed_at,recorded_level,recorded_reason,child_id,child_age,domestic_abuse";
    let later = [
        // A quote later on closes it, with text after the quote.
        "F-003,salford,2026-11-05T12:00,1,\"Mum said, fine\",C1,9,no",
        // A quote at a line's end closes it, into a row narrower than the header.
        "F-003,salford,2026-11-05T12:00,1,,C1,9,no 5\"",
        // No quote closes it.
        "F-003,salford,2026-11-05T12:00,1,,C1,9,no",
    ];
    for (n, third) in later.iter().enumerate() {
        let path = dir.path().join(format!("stray{n}.csv"));
        std::fs::write(
            &path,
            format!(
                "{header}\nF-001,salford,2026-11-03T12:00,3,\"Seen at home,C1,11,yes\n\
                 F-002,salford,2026-11-05T12:00,4,,C1,15,yes\n{third}\n"
            ),
        )
        .unwrap();
        let run = batch(&[path.to_str().unwrap()]);
        assert_eq!(run.code, Some(2), "{}", run.stderr);
        let rows = rows(&run.stdout);
        let name = path.display().to_string();
        let sources: Vec<String> = rows.iter().map(|(s, _)| s.clone()).collect();
        assert_eq!(
            sources,
            vec![
                format!("{name}:2"),
                format!("{name}:3"),
                format!("{name}:4")
            ],
            "{}",
            run.stdout
        );
        assert!(
            rows[0]
                .1
                .contains("field 5 (header `recorded_reason`) starting at line 2")
        );
        assert!(rows[1].1.starts_with("F-002,"), "{}", rows[1].1);
        assert!(!rows[1].1.contains("E-CSV"), "{}", rows[1].1);
    }
}

#[test]
fn a_line_of_a_free_text_cell_is_never_taken_for_a_case_of_its_own() {
    // R-1 after R-2 sends the reader back over the lines before it for their references:
    // the second line of R-2's reason, which starts `R-9,`, is not a case R-9.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unsorted.csv");
    std::fs::write(
        &path,
        "reference,area,assessed_at,recorded_level,recorded_reason,child_id,child_age,domestic_abuse\n\
         R-2,salford,2026-11-03T12:00,3,\"Seen at home.\nR-9, the neighbour, was told\",C1,11,yes\n\
         R-1,salford,2026-11-05T12:00,1,,C1,15,no\n\
         R-9,salford,2026-11-05T12:00,1,,C1,9,no\n",
    )
    .unwrap();
    let run = batch(&[path.to_str().unwrap()]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(rows(&run.stdout).len(), 3, "{}", run.stdout);
}

#[test]
fn a_blank_row_in_a_sheet_is_skipped_as_a_blank_line_is() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("gap.xlsx");
    let text = std::fs::read_to_string(OURS).unwrap();
    let mut sheet_book = rust_xlsxwriter::Workbook::new();
    let sheet = sheet_book.add_worksheet();
    // The header and F-002's row, with an empty row between them.
    for (r, line) in [
        (0, text.lines().next().unwrap()),
        (2, text.lines().nth(4).unwrap()),
    ] {
        for (c, cell) in line.split(',').enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r, c as u16, cell).unwrap();
            }
        }
    }
    sheet_book.save(&book).unwrap();
    let run = batch(&[book.to_str().unwrap()]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let rows = rows(&run.stdout);
    assert_eq!(rows.len(), 1, "{}", run.stdout);
    assert!(rows[0].1.starts_with("F-002,"), "{}", rows[0].1);
}
