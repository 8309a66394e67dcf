//! `threshold batch --map` (SPEC section 12) through the binary: a case system's own
//! export, read through a map, gives the results the same cases give in our CSV; nothing
//! in it is guessed (a value the map does not give refuses its case, located; a column it
//! does not use is listed once); factor codes; workbooks; the HTML audit report.

mod common;

use common::Run;
use serde_json::Value;
use std::path::Path;

const AT: &str = "2026-11-24T10:00";
const DIR: &str = "tests/fixtures/exports";

fn batch(args: &[&str]) -> Run {
    common::batch_at(AT, args)
}

fn fixture(name: &str) -> String {
    format!("{DIR}/{name}")
}

fn json_rows(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each row is JSON"))
        .collect()
}

/// A result without what says where it was read from (its source and the map).
fn comparable(mut row: Value) -> Value {
    let object = row.as_object_mut().expect("a row is an object");
    for key in ["source", "map", "unmapped_codes"] {
        object.remove(key);
    }
    row
}

fn sha256_of(path: &str) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).unwrap();
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_foreign_export_through_its_map_gives_the_results_of_the_same_cases_in_our_csv() {
    let map = fixture("foreign-map.yaml");
    let foreign = batch(&["--map", &map, &fixture("foreign.csv"), "--format", "jsonl"]);
    assert_eq!(foreign.code, 0, "{}", foreign.stderr);
    let ours = batch(&[&fixture("ours.csv"), "--format", "jsonl"]);
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    let foreign_rows = json_rows(&foreign.stdout);
    let our_rows = json_rows(&ours.stdout);
    assert_eq!(foreign_rows.len(), 4, "one row per household");
    assert_eq!(foreign_rows.len(), our_rows.len());
    for (theirs, ours) in foreign_rows.iter().zip(&our_rows) {
        assert_eq!(theirs["map"]["sha256"], sha256_of(&map));
        assert_eq!(theirs["map"]["path"], map.as_str());
        assert_eq!(comparable(theirs.clone()), comparable(ours.clone()));
    }
    // The household met again further down (F-001's third child) is the same case.
    let children = foreign_rows[0]["children"].as_array().unwrap();
    assert_eq!(children.len(), 3);
}

#[test]
fn the_csv_rows_end_with_the_maps_fingerprint() {
    let map = fixture("foreign-map.yaml");
    let run = batch(&["--map", &map, &fixture("foreign.csv")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut lines = run.stdout.lines();
    let header = lines.next().unwrap();
    assert!(
        header.ends_with(",error,rules_origin,error_code,map_sha256,unmapped_codes"),
        "{header}"
    );
    let sha = sha256_of(&map);
    for line in lines {
        assert!(line.ends_with(&format!(",bundled,,{sha},")), "{line}");
    }
}

#[test]
fn a_column_the_map_does_not_use_is_listed_once() {
    let run = batch(&[
        "--map",
        &fixture("foreign-map.yaml"),
        &fixture("foreign.csv"),
    ]);
    let notes: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("does not use"))
        .collect();
    assert_eq!(notes.len(), 1, "{}", run.stderr);
    assert!(notes[0].contains("`Team` (column 12)"), "{}", notes[0]);
    assert!(
        !notes[0].contains("Worker"),
        "ignored columns are not listed"
    );
}

#[test]
fn a_value_the_map_does_not_give_refuses_its_case_where_it_is_and_the_rest_are_read() {
    let run = batch(&[
        "--map",
        &fixture("foreign-map.yaml"),
        &fixture("bad-values.csv"),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let errors: Vec<String> = run
        .stdout
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.splitn(11, ',').collect();
            format!("{} | {}", cells[0], cells[10])
        })
        .collect();
    insta::assert_snapshot!("bad_values", errors.join("\n"));
    assert_eq!(run.stdout.lines().count(), 1 + 6, "one row per case");
}

#[test]
fn a_bad_map_is_refused_before_anything_is_read_naming_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "map: 1\ncolumns: {reference: a, child_id: b, age: c}\nquestions:\n  domestic_abus: {column: x}\n",
            ":4:3: error[E-MAP]: unknown question `domestic_abus` (did you mean `domestic_abuse`?)",
        ),
        (
            "map: 1\ncolumns: {reference: a, child_id: b}\n",
            "exactly one of `columns: age` and `columns: date_of_birth`",
        ),
        (
            "map: 1\ncolumns: {reference: a, child_id: b, age: c}\ncolour: red\n",
            "unknown field `colour`",
        ),
        (
            "map: 1\ncolumns: {reference: a, child_id: b, age: c}\nrecorded_level: {column: o, values: {CIN: 7}}\n",
            "recorded level `CIN` is 7: a level is 1 to 4",
        ),
        (
            "map: 1\ncolumns: {reference: a, child_id: b, age: c, unborn: d}\n",
            "`columns: unborn` is read in the words of `answers:`, which gives none",
        ),
    ];
    for (index, (text, expected)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("map{index}.yaml"));
        std::fs::write(&path, text).unwrap();
        let run = batch(&["--map", path.to_str().unwrap(), &fixture("foreign.csv")]);
        assert_eq!(run.code, 2, "{text}");
        assert!(run.stdout.is_empty(), "nothing is written: {}", run.stdout);
        assert!(
            run.stderr.contains(expected) && run.stderr.contains(path.to_str().unwrap()),
            "{text}\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_column_the_map_names_but_the_export_lacks_refuses_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.yaml");
    std::fs::write(
        &map,
        "map: 1\ncolumns: {reference: Family Ref, child_id: Child ID, age: Age in years}\n",
    )
    .unwrap();
    let run = batch(&["--map", map.to_str().unwrap(), &fixture("foreign.csv")]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout
            .contains("the header has no column `Age in years`, which the map"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_unborn_child_is_read_from_its_own_column_and_its_expected_date_gives_no_age() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    std::fs::write(
        path("map.yaml"),
        "map: 1\narea: torbay\ncolumns: {reference: Family Ref, child_id: Child, \
         date_of_birth: DOB / EDD, unborn: Pre-birth, assessed_at: Assessed}\n\
         date_format: \"%d/%m/%Y\"\nanswers: {yes: [Y], no: [N]}\n\
         questions:\n  adult_learning_disability: {column: Parent LD}\n",
    )
    .unwrap();
    std::fs::write(
        path("export.csv"),
        "Family Ref,Child,DOB / EDD,Pre-birth,Assessed,Parent LD\r\n\
         P-1,U1,15/02/2027,Y,24/11/2026,Y\r\n\
         P-2,C1,01/01/2020,N,24/11/2026,N\r\n\
         P-3,C1,01/01/2020,Y,24/11/2026,N\r\n\
         P-4,C1,01/01/2020,maybe,24/11/2026,N\r\n",
    )
    .unwrap();
    std::fs::write(
        path("ours.csv"),
        "reference,area,assessed_at,child_id,child_age,child_unborn,adult_learning_disability\n\
         P-1,torbay,2026-11-24T12:00,U1,,yes,yes\n\
         P-2,torbay,2026-11-24T12:00,C1,6,no,no\n",
    )
    .unwrap();
    let mapped = batch(&[
        "--map",
        &path("map.yaml"),
        &path("export.csv"),
        "--format",
        "jsonl",
    ]);
    assert_eq!(mapped.code, 2, "two cases are refused: {}", mapped.stderr);
    let rows = json_rows(&mapped.stdout);
    assert_eq!(rows.len(), 4, "one row per case");
    let ours = batch(&[&path("ours.csv"), "--format", "jsonl"]);
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    let our_rows = json_rows(&ours.stdout);
    assert_eq!(rows[0]["children"][0]["unborn"], true, "{}", rows[0]);
    for (theirs, ours) in rows.iter().zip(&our_rows) {
        assert_eq!(comparable(theirs.clone()), comparable(ours.clone()));
    }
    let error = |row: &Value| row["error"].as_str().unwrap_or_default().to_string();
    assert!(
        error(&rows[2]).contains("export.csv:4:3:")
            && error(&rows[2]).contains("but the child is recorded as unborn"),
        "{}",
        rows[2]
    );
    assert!(
        error(&rows[3]).contains("export.csv:5:4:") && error(&rows[3]).contains("`maybe`"),
        "{}",
        rows[3]
    );
}

#[test]
fn yaml_cases_beside_a_mapped_export_keep_their_own_reading() {
    let run = batch(&[
        "--map",
        &fixture("foreign-map.yaml"),
        "--format",
        "jsonl",
        "examples/cases/salford-no-concerns.yaml",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    assert_eq!(rows.len(), 1);
    assert!(rows[0]["map"]["sha256"].is_string());
    assert!(Path::new("examples/cases/salford-no-concerns.yaml").exists());
}

const CIN_MAP: &str = "examples/maps/cin-census.yaml";
const CIN_EXPORT: &str = "examples/exports/cin-census-synthetic.csv";
const SSD_MAP: &str = "examples/maps/ssd-assessments.yaml";
const SSD_EXPORT: &str = "examples/exports/ssd-synthetic.csv";

#[test]
fn factor_codes_answer_yes_household_codes_are_the_union_and_an_absent_code_stays_unknown() {
    let mapped = batch(&["--map", CIN_MAP, CIN_EXPORT, "--format", "jsonl"]);
    assert_eq!(mapped.code, 0, "{}", mapped.stderr);
    let mapped = json_rows(&mapped.stdout);
    assert_eq!(mapped.len(), 10, "one row per family");
    // The same families written in our CSV, with every question no code names left blank
    // (unknown): the results are the same, so an absent code was read as unknown, not no,
    // and a parent's code on one child's row answers for the household.
    let ours = batch(&[&fixture("cin-ours.csv"), "--format", "jsonl"]);
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    let ours = json_rows(&ours.stdout);
    assert_eq!(ours.len(), 3);
    for our in &ours {
        let theirs = mapped
            .iter()
            .find(|r| r["reference"] == our["reference"])
            .expect("the family is in the export");
        assert_eq!(comparable(theirs.clone()), comparable(our.clone()));
    }
    // A mapped run differs from an unmapped one where a code was read as no (a check that
    // the comparison above can fail).
    let no = std::fs::read_to_string(fixture("cin-ours.csv"))
        .unwrap()
        .replace(",5,,,", ",5,no,no,no");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no.csv");
    std::fs::write(&path, no).unwrap();
    let all_no = json_rows(&batch(&[path.to_str().unwrap(), "--format", "jsonl"]).stdout);
    let fam3 = |rows: &[Value]| {
        rows.iter()
            .find(|r| r["reference"] == "FAM-0003")
            .cloned()
            .map(comparable)
    };
    assert_ne!(fam3(&all_no), fam3(&mapped));
}

#[test]
fn codes_with_no_question_are_listed_on_their_cases_row() {
    let run = batch(&["--map", CIN_MAP, CIN_EXPORT, "--format", "jsonl"]);
    let rows = json_rows(&run.stdout);
    let codes: Vec<(String, Value)> = rows
        .iter()
        .map(|r| {
            (
                r["reference"].as_str().unwrap().to_string(),
                r["unmapped_codes"].clone(),
            )
        })
        .filter(|(_, c)| c.as_array().is_some_and(|a| !a.is_empty()))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("FAM-0003".to_string(), serde_json::json!(["21"])),
            ("FAM-0005".to_string(), serde_json::json!(["4A"])),
            ("FAM-0007".to_string(), serde_json::json!(["17A"])),
            ("FAM-0010".to_string(), serde_json::json!(["20"])),
        ]
    );
    let csv = batch(&["--map", CIN_MAP, CIN_EXPORT]);
    let fam7 = csv
        .stdout
        .lines()
        .find(|l| l.starts_with("FAM-0007"))
        .unwrap();
    assert!(fam7.ends_with(",17A"), "{fam7}");
}

#[test]
fn the_cin_census_map_names_which_codes_need_local_sign_off() {
    let map = std::fs::read_to_string(CIN_MAP).unwrap();
    assert!(map.contains("LOCAL SIGN-OFF"));
    for code in ["1C:", "3A:", "6A:", "12A:", "13A:", "16A:"] {
        let line = map
            .lines()
            .find(|l| l.trim_start().starts_with(code))
            .unwrap();
        assert!(line.contains("[sign-off]"), "{line}");
    }
}

/// The rows of `foreign.csv` (BOM and CRLF aside), as cells.
fn foreign_rows() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(fixture("foreign.csv")).unwrap();
    text.trim_start_matches('\u{feff}')
        .lines()
        .map(|line| line.split(',').map(str::to_string).collect())
        .collect()
}

/// A workbook with a cover sheet first and the export on sheet `Contacts`; the dates of
/// birth are real date cells, the rest text. `edit` may change a cell first.
fn write_workbook(path: &Path, edit: impl Fn(usize, usize, &str) -> String) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let cover = book.add_worksheet();
    cover.set_name("Cover").unwrap();
    cover
        .write_string(0, 0, "Synthetic export: no real data")
        .unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Contacts").unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (r, row) in foreign_rows().iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            let text = edit(r, c, text);
            let (row_n, col_n) = (r as u32, c as u16);
            let parts: Vec<u16> = text
                .split('/')
                .filter_map(|p| p.parse::<u16>().ok())
                .collect();
            if r > 0 && c == 2 && parts.len() == 3 {
                let when =
                    ExcelDateTime::from_ymd(parts[2], parts[1] as u8, parts[0] as u8).unwrap();
                sheet
                    .write_datetime_with_format(row_n, col_n, &when, &date)
                    .unwrap();
            } else if !text.is_empty() {
                sheet.write_string(row_n, col_n, text.trim()).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn an_xlsx_sheet_and_an_ods_sheet_give_the_results_of_the_csv_export() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("export.xlsx");
    write_workbook(&book, |_, _, text| text.to_string());
    let map = fixture("foreign-map.yaml");
    let csv =
        json_rows(&batch(&["--map", &map, &fixture("foreign.csv"), "--format", "jsonl"]).stdout);
    let ods = fixture("foreign.ods");
    for path in [book.to_str().unwrap(), ods.as_str()] {
        let run = batch(&[
            "--map", &map, path, "--sheet", "Contacts", "--format", "jsonl",
        ]);
        assert_eq!(run.code, 0, "{path}: {}", run.stderr);
        let rows = json_rows(&run.stdout);
        assert_eq!(rows.len(), csv.len(), "{path}");
        for (sheet, csv) in rows.iter().zip(&csv) {
            assert_eq!(comparable(sheet.clone()), comparable(csv.clone()), "{path}");
        }
        assert!(run.stderr.contains("`Team` (column L)"), "{}", run.stderr);
    }
}

#[test]
fn a_workbooks_errors_name_the_sheet_and_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("export.xlsx");
    // Row 3 (the second child), column F (DA Concern): a value the map does not give.
    write_workbook(&book, |r, c, text| {
        if (r, c) == (2, 5) {
            "Maybe".into()
        } else {
            text.into()
        }
    });
    let map = fixture("foreign-map.yaml");
    let path = book.to_str().unwrap();
    let run = batch(&["--map", &map, path, "--sheet", "contacts"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let f001 = run.stdout.lines().find(|l| l.starts_with("F-001")).unwrap();
    assert!(
        f001.contains("`DA Concern` is `Maybe` at sheet `Contacts`, cell F3"),
        "{f001}"
    );
    assert_eq!(
        run.stdout.lines().count(),
        1 + 4,
        "the other households are read"
    );
    // The first sheet is read when none is named: the cover has no such columns.
    let run = batch(&["--map", &map, path]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("(sheet `Cover`, row 1)"),
        "{}",
        run.stdout
    );
    // A sheet that is not there is named, with the ones that are.
    let run = batch(&["--map", &map, path, "--sheet", "November"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout
            .contains("the workbook has no sheet `November` (it has `Cover`, `Contacts`)"),
        "{}",
        run.stdout
    );
    // A file that is not a workbook is one row, not a panic.
    let fake = dir.path().join("fake.xlsx");
    std::fs::write(&fake, "not a zip").unwrap();
    let run = batch(&[
        "--map",
        &map,
        fake.to_str().unwrap(),
        &fixture("foreign.csv"),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("cannot read the workbook"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 1 + 1 + 4);
}

/// Issue 24's "values shown after translation", on a sheet: an answer that cannot apply
/// (a witness where the export says no domestic abuse) is refused quoting the sheet's own
/// `Y`, at its cell, not the `yes` it was read as.
#[test]
fn a_workbooks_translated_cell_is_quoted_as_the_sheet_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("export.xlsx");
    // Row 4 (F-002), column G (Witnessed DA?), where DA Concern is N.
    write_workbook(&book, |r, c, text| {
        if (r, c) == (3, 6) {
            "Y".into()
        } else {
            text.into()
        }
    });
    let map = fixture("foreign-map.yaml");
    let run = batch(&["--map", &map, book.to_str().unwrap(), "--sheet", "contacts"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let f002 = run.stdout.lines().find(|l| l.starts_with("F-002")).unwrap();
    assert!(
        f002.contains("`Witnessed DA?` is `Y` at sheet `Contacts`, cell G4: `children_witness_abuse` is answered, but it applies only when"),
        "{f002}"
    );
    assert!(!f002.contains("`yes`"), "{f002}");
}

#[test]
fn a_workbook_in_our_own_columns_is_read_without_a_map() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ours.xlsx");
    let text = std::fs::read_to_string(fixture("ours.csv")).unwrap();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            match cell.parse::<f64>() {
                Ok(n) if r > 0 => sheet.write_number(r as u32, c as u16, n).unwrap(),
                _ if cell.is_empty() => sheet,
                _ => sheet.write_string(r as u32, c as u16, cell).unwrap(),
            };
        }
    }
    sheet.write_string(3, 5, "three").unwrap(); // F-001's third child: age `three`
    book.save(&path).unwrap();
    let run = batch(&[path.to_str().unwrap(), "--format", "jsonl"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let rows = json_rows(&run.stdout);
    assert_eq!(rows.len(), 4);
    let error = rows[0]["error"].as_str().unwrap();
    assert!(error.contains("(sheet `Sheet1`, cell F4)"), "{error}");
    let csv = json_rows(&batch(&[&fixture("ours.csv"), "--format", "jsonl"]).stdout);
    for (sheet, csv) in rows.iter().zip(&csv).skip(1) {
        assert_eq!(comparable(sheet.clone()), comparable(csv.clone()));
    }
}

/// The audit of the synthetic CIN census export, as a report in `dir` whose export has the
/// file name `name`.
#[cfg(unix)]
fn report_of(dir: &Path, name: &str) -> (Run, std::path::PathBuf) {
    let export = dir.join(name);
    std::fs::copy(CIN_EXPORT, &export).unwrap();
    let report = dir.join("audit.html");
    let run = batch(&[
        "--map",
        CIN_MAP,
        export.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--output",
        dir.join("rows.csv").to_str().unwrap(),
    ]);
    (run, report)
}

#[test]
fn the_summary_is_the_audit_per_area() {
    let run = batch(&["--map", CIN_MAP, CIN_EXPORT, "--format", "summary"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The run's own moment is the clock's: the rest is the snapshot.
    let (first, rest) = run.stdout.split_once('\n').unwrap();
    assert!(first.starts_with("Audit, run "), "{first}");
    assert!(
        first.ends_with(": cases assessed on 24 Nov 2026"),
        "{first}"
    );
    insta::assert_snapshot!("cin_summary", rest);
}

/// Unix only: the export's hostile file name (control characters) cannot exist on
/// Windows, and owner-only there is an access list checked by the interview's tests.
#[cfg(unix)]
#[test]
fn the_report_is_one_owner_only_page_that_runs_and_fetches_nothing_with_every_text_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let (run, report) = report_of(dir.path(), "nov<b>&'export'.csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(&report).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&report).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only you may read it");
    }
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    ));
    let lower = html.to_lowercase();
    for banned in [
        "<script", "<img", "<link", "<iframe", "src=", "http://", "https://", "url(", "@import",
    ] {
        let allowed = banned == "http://"
            && lower.matches("http://").count()
                == lower
                    .matches("xmlns=\"http://www.w3.org/2000/svg\"")
                    .count();
        assert!(!lower.contains(banned) || allowed, "{banned}");
    }
    assert!(
        html.contains("nov&lt;b&gt;&amp;&#39;export&#39;.csv:4"),
        "the file name is escaped"
    );
    assert!(!html.contains("nov<b>"));
    // The run and the period first, every case accounted for, the matrix, the rates, the
    // months, the reasons, the unknowns, the cases recorded below with their reasons, and
    // the downloads. One case more is recorded below since the national layer
    // (rules/england.yaml) holds a worry the local guidance is silent on.
    let run_at = html
        .find("<p id=\"run\"><strong>Run ")
        .expect("the run first");
    assert!(run_at < html.find("<svg").unwrap());
    assert!(
        html.contains("Period: cases assessed on 24 Nov 2026."),
        "{html}"
    );
    assert!(
        html.contains("10 cases in = 10 assessed + 0 refused"),
        "{html}"
    );
    assert!(html.contains("6 agree (60%)"), "{html}");
    assert!(html.contains("3 recorded below the guidance"));
    assert!(html.contains("(in 1 of them answers not known could explain it)"));
    assert!(html.contains("<th scope=\"row\">2026-11</th>"), "{html}");
    assert!(html.contains("<td>FAM-0002</td>"));
    assert!(html.contains("Unknown answers that most often could raise the level"));
    assert!(html.contains("<svg"));
    assert!(
        html.contains("<a href=\"audit-cases.csv\" download>"),
        "{html}"
    );
    // The downloads: every case, owner-only, beside the report.
    let cases = std::fs::read_to_string(dir.path().join("audit-cases.csv")).unwrap();
    assert_eq!(cases.lines().count(), 1 + 10, "{cases}");
    assert!(cases.contains("FAM-0002,"), "{cases}");
    let refused = std::fs::read_to_string(dir.path().join("audit-refused.csv")).unwrap();
    assert_eq!(refused, "reference,source,why\n");
    // The cases again as a workbook, the levels as numbers.
    {
        use calamine::{Data, Reader};
        let mut book = calamine::open_workbook_auto(dir.path().join("audit-cases.xlsx")).unwrap();
        let sheet = book.worksheet_range("cases").unwrap();
        assert_eq!(sheet.rows().count(), 1 + 10);
        assert_eq!(
            sheet.get((0, 4)),
            Some(&Data::String("recorded_level".into()))
        );
        assert!(
            matches!(sheet.get((1, 4)), Some(Data::Float(_))),
            "{:?}",
            sheet.get((1, 4))
        );
    }
    {
        use std::os::unix::fs::PermissionsExt;
        for name in ["audit-cases.csv", "audit-refused.csv", "audit-cases.xlsx"] {
            let mode = std::fs::metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}: only you may read it");
        }
    }
}

/// Every case is accounted for: refused cases are counted in the report and listed with
/// why, and the summary on standard error names them.
#[cfg(unix)]
#[test]
fn refused_cases_are_counted_listed_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.csv");
    std::fs::copy(CIN_EXPORT, &export).unwrap();
    let broken = dir.path().join("broken.yaml");
    std::fs::write(
        &broken,
        "schema: 1\narea: salford\nchildren:\n  - id: A\n    age: 30\n",
    )
    .unwrap();
    let report = dir.path().join("audit.html");
    let run = batch(&[
        "--map",
        CIN_MAP,
        export.to_str().unwrap(),
        broken.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--output",
        dir.path().join("rows.csv").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("not read: ") && run.stderr.contains("`age` 30 is outside 0-17"),
        "{}",
        run.stderr
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("11 cases in = 10 assessed + 1 refused"),
        "{html}"
    );
    assert!(html.contains("<h2>Refused (1)</h2>"), "{html}");
    assert!(html.contains("`age` 30 is outside 0-17"), "{html}");
    let refused = std::fs::read_to_string(dir.path().join("audit-refused.csv")).unwrap();
    assert_eq!(refused.lines().count(), 2, "{refused}");
}

#[test]
fn a_report_over_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.csv");
    std::fs::copy(CIN_EXPORT, &export).unwrap();
    let before = std::fs::read(&export).unwrap();
    let e = export.to_str().unwrap();
    let run = batch(&["--map", CIN_MAP, e, "--report", e]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("the results would replace it"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&export).unwrap(), before);
}

/// Every row accounted for, per input file: a household of two rows refused for one bad
/// date is two rows in one refused case, beside the export's assessed rows.
#[cfg(unix)]
#[test]
fn every_row_of_an_export_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.csv");
    let mut text = std::fs::read_to_string(CIN_EXPORT).unwrap();
    text.push_str("FAM-0100,SYN0100,31/02/2015,1A,21/10/2026,03/11/2026,3B,CIN\n");
    text.push_str("FAM-0100,SYN0101,02/09/2019,1A,21/10/2026,03/11/2026,3B,CIN\n");
    std::fs::write(&export, text).unwrap();
    let report = dir.path().join("audit.html");
    let run = batch(&[
        "--map",
        CIN_MAP,
        export.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--output",
        dir.path().join("rows.csv").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let line = format!(
        "{}: 15 rows = 13 rows in 10 cases assessed + 2 rows in 1 case refused",
        export.display()
    );
    assert!(run.stderr.contains(&line), "{}", run.stderr);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains(
            "<td class=\"n\">15</td><td class=\"n\">13 (10)</td><td class=\"n\">2 (1)</td>"
        ),
        "{html}"
    );
}

/// Agreement by team or service (issue 24: "by month and by team or service (columns
/// the map names)"): the SSD map names the dataset's team column, so the page and the
/// summary give each team's cases, a case whose rows name two teams counts under its
/// first row's and is said, and every assessed case's team is in the cases download.
#[test]
fn the_report_gives_agreement_by_the_team_the_map_names() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("ssd.csv");
    let text = std::fs::read_to_string(SSD_EXPORT).unwrap();
    // FAM-S07's second child was allocated to another team.
    let moved = text.replace(
        "\"[\"\"13A\"\"]\",CP,Assessment North",
        "\"[\"\"13A\"\"]\",CP,Assessment South",
    );
    assert_ne!(moved, text, "the row is in the export");
    std::fs::write(&export, moved).unwrap();
    let report = dir.path().join("audit.html");
    let run = batch(&[
        "--map",
        SSD_MAP,
        export.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--output",
        dir.path().join("rows.csv").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "the planted rows are refused: {}", run.stderr);
    let html = std::fs::read_to_string(&report).unwrap();
    let start = html
        .find("<h2>By team or service</h2>")
        .expect("a section by team");
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    // Assessed: North S01, S03, S07 (its first row's team); South S02, S05, S06;
    // Disabled Children S04. The most cases first, ties by name.
    let rows: Vec<&str> = section
        .lines()
        .filter(|l| l.starts_with("<tr><th scope=\"row\">"))
        .collect();
    assert_eq!(rows.len(), 3, "{section}");
    for (row, (team, cases)) in rows.iter().zip([
        ("Assessment North", 3),
        ("Assessment South", 3),
        ("Disabled Children", 1),
    ]) {
        let start = format!("<tr><th scope=\"row\">{team}</th><td class=\"n\">{cases}</td>");
        assert!(row.starts_with(&start), "{start}\n{section}");
    }
    assert!(
        section
            .contains("1 case whose rows name more than one team is counted under the first row"),
        "{section}"
    );
    // The cases recorded below the guidance name their team beside their area.
    let below = &html[html
        .find("<table id=\"below\">")
        .expect("cases recorded below")..];
    let below = &below[..below.find("</table>").unwrap()];
    assert!(
        below.contains("<th scope=\"col\">Area; team</th>"),
        "{below}"
    );
    for line in below.lines().skip(2) {
        assert!(
            [
                "; Assessment North</td>",
                "; Assessment South</td>",
                "; Disabled Children</td>"
            ]
            .iter()
            .any(|team| line.contains(team)),
            "{line}"
        );
    }
    let summary = batch(&[
        "--map",
        SSD_MAP,
        export.to_str().unwrap(),
        "--format",
        "summary",
    ]);
    assert!(
        summary
            .stdout
            .contains("By team or service:\n  Assessment North: 3 compared"),
        "{}",
        summary.stdout
    );
    let cases = std::fs::read_to_string(dir.path().join("audit-cases.csv")).unwrap();
    let mut lines = cases.lines();
    assert!(lines.next().unwrap().ends_with(",team"), "{cases}");
    let teams: Vec<(&str, &str)> = lines
        .map(|l| (l.split(',').next().unwrap(), l.rsplit(',').next().unwrap()))
        .collect();
    assert_eq!(
        teams,
        [
            ("FAM-S01", "Assessment North"),
            ("FAM-S02", "Assessment South"),
            ("FAM-S03", "Assessment North"),
            ("FAM-S04", "Disabled Children"),
            ("FAM-S05", "Assessment South"),
            ("FAM-S06", "Assessment South"),
            ("FAM-S07", "Assessment North"),
        ]
    );
}

/// A map without `columns: team` gives no section by team (the census has no team).
#[test]
fn a_map_that_names_no_team_gives_no_agreement_by_team() {
    let run = batch(&["--map", CIN_MAP, CIN_EXPORT, "--format", "summary"]);
    assert!(!run.stdout.contains("By team"), "{}", run.stdout);
}

/// The report's downloads are outputs too: an export named like one is never replaced.
#[test]
fn a_report_whose_download_would_replace_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("audit-cases.csv");
    std::fs::copy(CIN_EXPORT, &export).unwrap();
    let before = std::fs::read(&export).unwrap();
    let report = dir.path().join("audit.html");
    let run = batch(&[
        "--map",
        CIN_MAP,
        export.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("the results would replace it"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&export).unwrap(), before);
    assert!(!report.exists());
}

/// Unix only: the browser is Debian's Chromium, which a Windows build under wine cannot
/// start.
#[cfg(unix)]
#[test]
fn the_report_renders_in_a_browser_and_prints() {
    if !common::tool("/usr/bin/chromium") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (run, report) = report_of(dir.path(), "export.csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let browser = |extra: &[&str]| common::headless(&report, extra);
    let dom = String::from_utf8(browser(&["--dump-dom"]).stdout).unwrap();
    assert!(dom.contains("Recorded against recommended levels"), "{dom}");
    assert!(dom.contains("<td>FAM-0002</td>"));
    assert!(
        dom.contains("10 cases in = 10 assessed + 0 refused"),
        "{dom}"
    );
    assert!(!dom.to_lowercase().contains("<script"));
    let png = dir.path().join("report.png");
    browser(&[
        "--window-size=1000,1400",
        &format!("--screenshot={}", png.display()),
    ]);
    assert!(
        std::fs::metadata(&png).unwrap().len() > 10_000,
        "a page was drawn"
    );
    let pdf = dir.path().join("report.pdf");
    browser(&[
        &format!("--print-to-pdf={}", pdf.display()),
        "--no-pdf-header-footer",
    ]);
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "the report prints");
}

/// However many cases, the report prints on 20 pages or fewer (5,010 cases once printed
/// on 1,502): every case is in the downloads, the page lists the first few.
#[cfg(unix)]
#[test]
fn the_report_of_thousands_of_cases_prints_on_twenty_pages_or_fewer() {
    if !common::tool("/usr/bin/chromium") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.jsonl");
    let areas = ["salford", "trafford", "redbridge", "torbay"];
    let yes_no = |yes: bool| if yes { "yes" } else { "no" };
    let lines: String = (0..5000)
        .map(|i| {
            format!(
                "{{\"schema\":1,\"area\":\"{}\",\"reference\":\"C{i}\",\"recorded_level\":{},\"assessed_at\":\"2026-{:02}-10T10:00:00Z\",\"answers\":{{\"immediate_danger\":\"no\",\"adult_mental_health\":\"{}\",\"domestic_abuse\":\"{}\"}},\"children\":[{{\"id\":\"A\",\"age\":9,\"answers\":{{\"disclosed_harm\":\"{}\",\"self_harm\":\"{}\"}}}}]}}\n",
                areas[i % 4],
                1 + i % 4,
                1 + i % 12,
                yes_no(i % 3 == 0),
                yes_no(i % 5 == 0),
                yes_no(i % 7 == 0),
                yes_no(i % 11 == 0)
            )
        })
        .collect();
    std::fs::write(&cases, lines).unwrap();
    let report = dir.path().join("audit.html");
    let run = batch(&[
        cases.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--output",
        dir.path().join("rows.csv").to_str().unwrap(),
    ]);
    assert!(run.code <= 1, "{}", run.stderr);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("5000 cases in = 5000 assessed + 0 refused"),
        "{}",
        &html[..2000]
    );
    let pdf = dir.path().join("report.pdf");
    common::headless(
        &report,
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
        ],
    );
    let bytes = std::fs::read(&pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page\n").count()
        + text.matches("/Type /Page/").count()
        + text.matches("/Type /Page ").count()
        + text.matches("/Type /Page>").count();
    assert!((1..=20).contains(&pages), "{pages} pages");
}

#[test]
fn two_columns_that_match_one_name_are_refused_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.csv");
    std::fs::write(
        &export,
        "Family Ref,Child ID,DOB,Date of Assessment,Outcome,DA Concern,DA concern,Witnessed DA?,Parent MH,Substance Misuse,School\n\
         F-1,C1,01/02/2015,03/11/2026,CIN,Y,N,,N,,\n",
    )
    .unwrap();
    let run = batch(&[
        "--map",
        &fixture("foreign-map.yaml"),
        export.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains(
            "two columns match `DA Concern` (the answer to `domestic_abuse`): `DA Concern` (column 6) and `DA concern` (column 7)"
        ),
        "{}",
        run.stdout
    );
}
