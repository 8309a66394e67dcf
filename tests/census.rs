//! The shipped CIN census maps, in both shapes an export takes (the factors as a list of
//! codes in one cell, and one yes/no column per factor), each read over a synthetic export
//! of more than 5,000 rows in its real shape (issue 24's "done when"): households with
//! several children, repeat assessments, siblings recorded at different levels, unborn
//! children, two date formats, rows filtered out; every clean row is assessed and each
//! planted fault is refused with its place and reason. The same for the Standard
//! Safeguarding Dataset's shape (the codes as a JSON list, the team) through its map.
//! Opaque references only; the export is made here, the same every time.

mod common;

use common::threshold;
use jiff::civil::{Date, date};
use serde_json::Value;

const AT: &str = "2026-11-24T10:00";

/// The census's factor codes (schema 2024).
const CODES: [&str; 42] = [
    "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B", "5C", "6A",
    "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A", "14A", "15A",
    "16A", "17A", "18B", "18C", "19B", "19C", "20", "21", "22A", "23A", "24A",
];
/// Codes about the household, for a child of any age, one unborn too (16A, neglect, is
/// listed on an unborn child's row, not read: its worry is asked before birth by other
/// questions).
const HOUSEHOLD: [&str; 10] = ["1B", "2B", "2C", "3B", "3C", "4B", "4C", "5B", "6B", "16A"];
/// Codes about an older child.
const OLDER: [&str; 9] = ["1A", "2A", "5A", "6A", "7A", "10A", "11A", "15A", "24A"];
/// Codes no question of the map takes.
const OTHER: [&str; 4] = ["4A", "17A", "20", "21"];
const LEVELS: [&str; 4] = ["NFA", "Early Help", "CIN", "CP"];

/// A small deterministic generator (the same export every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// `AssessmentFactors` holds the codes, comma separated or as a JSON list.
    OneCell,
    /// A `Factor_XX` column of Y or N for each code.
    Columns,
}

/// One row of the export, in the terms of the generator.
struct Child {
    family: String,
    id: String,
    born: Option<Date>,
    expected: Option<Date>,
    assessed: Date,
    codes: Vec<&'static str>,
    level: &'static str,
    iso: bool,
    status: &'static str,
}

/// A planted fault: what is written wrong, and what its refusal must say.
struct Fault {
    line: usize,
    /// The cell at fault starts with this on its line (`None`: the line's first cell).
    starts: Option<&'static str>,
    says: &'static str,
}

struct Export {
    text: String,
    rows: usize,
    /// Cases that must be assessed (each assessment of a household).
    clean: usize,
    filtered: usize,
    /// Unborn children recorded with neglect (16A): each case assessed, 16A listed.
    unborn_neglect: usize,
    faults: Vec<Fault>,
}

fn written(d: Date, iso: bool) -> String {
    if iso {
        d.to_string()
    } else {
        d.strftime("%d/%m/%Y").to_string()
    }
}

fn generate(shape: Shape) -> Export {
    let mut random = Lcg(24);
    let mut children: Vec<Child> = Vec::new();
    let mut cases = 0;
    let mut next_child = 0;
    for family in 1..=1_900 {
        let family_id = format!("FAM-{family:05}");
        let assessed = date(2026, 1, 5)
            .checked_add(jiff::Span::new().days(random.next(300) as i64))
            .unwrap();
        let iso = family % 5 == 0;
        let count = 1 + random.next(4) as usize;
        let level = LEVELS[random.next(4) as usize];
        let mut members = Vec::new();
        for index in 0..count {
            next_child += 1;
            let id = format!("C{next_child:06}");
            // Every 25th household has a child not yet born.
            let unborn = family % 25 == 0 && index == 0;
            let age_days = 30 + random.next(17 * 365) as i64;
            let (born, expected) = if unborn {
                let due = assessed
                    .checked_add(jiff::Span::new().days(20 + random.next(200) as i64))
                    .unwrap();
                (None, Some(due))
            } else {
                let born = assessed
                    .checked_sub(jiff::Span::new().days(age_days))
                    .unwrap();
                (Some(born), None)
            };
            let older = !unborn && age_days > 12 * 365;
            let mut codes = Vec::new();
            for _ in 0..random.next(4) {
                let code = match random.next(3) {
                    0 => HOUSEHOLD[random.next(HOUSEHOLD.len() as u64) as usize],
                    1 if older => OLDER[random.next(OLDER.len() as u64) as usize],
                    _ => OTHER[random.next(OTHER.len() as u64) as usize],
                };
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
            // One household in ten recorded its children at different levels.
            let level = if family % 10 == 3 {
                LEVELS[random.next(4) as usize]
            } else {
                level
            };
            members.push(Child {
                family: family_id.clone(),
                id,
                born,
                expected,
                assessed,
                codes,
                level,
                iso,
                status: "Complete",
            });
        }
        cases += 1;
        // One household in seven was assessed again, months later: another case.
        let again: Vec<Child> = if family % 7 == 0 {
            let later = assessed.checked_add(jiff::Span::new().days(40)).unwrap();
            members
                .iter()
                .filter(|c| c.born.is_some())
                .map(|c| Child {
                    family: c.family.clone(),
                    id: c.id.clone(),
                    assessed: later,
                    codes: vec!["21"],
                    ..*c
                })
                .collect()
        } else {
            Vec::new()
        };
        if !again.is_empty() {
            cases += 1;
        }
        children.extend(members);
        children.extend(again);
    }
    // The export is in the order of the children's ids, not of households: a household's
    // rows need not be next to each other.
    children.sort_by(|a, b| (a.id.as_str(), a.assessed).cmp(&(b.id.as_str(), b.assessed)));
    let mut filtered = 0;
    if shape == Shape::Columns {
        // Assessments still open, filtered out by the map: rows of their own, counted,
        // never cases (and never read: an open one's date of birth is not yet checked).
        let mut with_open = Vec::with_capacity(children.len() + children.len() / 90);
        for (index, child) in children.into_iter().enumerate() {
            let open = (index % 97 == 5).then(|| Child {
                family: child.family.clone(),
                id: child.id.clone(),
                born: None,
                codes: vec!["3B"],
                status: "Open",
                ..child
            });
            with_open.push(child);
            if let Some(open) = open {
                filtered += 1;
                with_open.push(open);
            }
        }
        children = with_open;
    }
    let mut text = header(shape);
    let mut line = 1;
    for child in &children {
        line += 1;
        text.push_str(&row(shape, child, None));
    }
    // Households whose one row is wrong, each a case of its own, each refused.
    let mut faults = Vec::new();
    let planted: [(&str, &str); 6] = [
        ("date_of_birth", "31/02/2015"),
        ("level", "Level 5"),
        ("family", ""),
        ("date_of_birth", "14/03/2031"),
        ("factors", "bad"),
        ("date_of_birth", ""),
    ];
    let model = Child {
        family: String::new(),
        id: String::new(),
        born: Some(date(2014, 3, 14)),
        expected: None,
        assessed: date(2026, 11, 3),
        codes: vec!["3B"],
        level: "CIN",
        iso: false,
        status: "Complete",
    };
    for (index, (what, value)) in planted.iter().enumerate() {
        line += 1;
        let child = Child {
            family: if *what == "family" {
                String::new()
            } else {
                format!("FAM-9{index:04}")
            },
            id: format!("X{index:05}"),
            ..model.clone_shallow()
        };
        let written = row(shape, &child, Some((what, value)));
        text.push_str(&written);
        let (starts, says) = match (*what, shape) {
            ("date_of_birth", _) if value.is_empty() => (
                None,
                "neither a date of birth nor an expected date of birth",
            ),
            ("date_of_birth", _) if value.starts_with("31") => (Some("31/02/2015"), "not a date"),
            ("date_of_birth", _) => (Some("14/03/2031"), "more than 10 months after"),
            ("level", _) => (Some("Level 5"), "gives no level"),
            ("family", _) => (None, "has no household reference"),
            (_, Shape::OneCell) => (Some("\"[\"\"3B\"\", \""), "not a JSON list of codes"),
            (_, Shape::Columns) => (Some("maybe"), "does not give"),
        };
        faults.push(Fault { line, starts, says });
    }
    Export {
        text,
        rows: line - 1,
        clean: cases,
        filtered,
        unborn_neglect: children
            .iter()
            .filter(|c| c.born.is_none() && c.codes.contains(&"16A"))
            .count(),
        faults,
    }
}

impl Child {
    fn clone_shallow(&self) -> Child {
        Child {
            family: self.family.clone(),
            id: self.id.clone(),
            codes: self.codes.clone(),
            ..*self
        }
    }
}

fn header(shape: Shape) -> String {
    let mut text = "LAchildID,FamilyID,GenderCurrent,PersonBirthDate,ExpectedPersonBirthDate,CINreferralDate,ReferralSource,PrimaryNeedCode,AssessmentActualStartDate,AssessmentAuthorisationDate".to_string();
    match shape {
        Shape::OneCell => text.push_str(",AssessmentFactors"),
        Shape::Columns => {
            text.push_str(",AssessmentStatus");
            for code in CODES {
                text.push_str(&format!(",Factor_{code}"));
            }
        }
    }
    text.push_str(",LocalLevel\n");
    text
}

/// A row; `fault` writes one cell wrong.
fn row(shape: Shape, child: &Child, fault: Option<(&str, &str)>) -> String {
    let wrong = |what: &str| {
        fault
            .filter(|(w, _)| *w == what)
            .map(|(_, v)| v.to_string())
    };
    let date_of = |d: Option<Date>| d.map_or(String::new(), |d| written(d, child.iso));
    let start = child
        .assessed
        .checked_sub(jiff::Span::new().days(12))
        .unwrap();
    let referral = child
        .assessed
        .checked_sub(jiff::Span::new().days(20))
        .unwrap();
    let mut cells = vec![
        child.id.clone(),
        wrong("family").unwrap_or_else(|| child.family.clone()),
        "1".to_string(),
        wrong("date_of_birth").unwrap_or_else(|| date_of(child.born)),
        date_of(child.expected),
        written(referral, child.iso),
        "3A".to_string(),
        "N4".to_string(),
        written(start, child.iso),
        written(child.assessed, child.iso),
    ];
    match shape {
        Shape::OneCell => {
            let cell = if wrong("factors").is_some() {
                "\"[\"\"3B\"\", \"".to_string()
            } else if child.id.ends_with('3') {
                // The Standard Safeguarding Dataset's form: a JSON list.
                let quoted: Vec<String> =
                    child.codes.iter().map(|c| format!("\"\"{c}\"\"")).collect();
                format!("\"[{}]\"", quoted.join(","))
            } else {
                format!("\"{}\"", child.codes.join(","))
            };
            cells.push(cell);
        }
        Shape::Columns => {
            cells.push(child.status.to_string());
            for code in CODES {
                let flag = if child.codes.contains(&code) {
                    "Y"
                } else {
                    "N"
                };
                let flag = match wrong("factors") {
                    Some(_) if code == "3B" => "maybe",
                    _ => flag,
                };
                cells.push(flag.to_string());
            }
        }
    }
    cells.push(wrong("level").unwrap_or_else(|| child.level.to_string()));
    cells.join(",") + "\n"
}

fn place(text: &str, line: usize, starts: Option<&str>) -> String {
    let written = text.lines().nth(line - 1).unwrap();
    let column = match starts {
        // The blank date of birth: the fourth cell.
        None => 4,
        Some(starts) => field_at(written, written.find(starts).unwrap()),
    };
    format!("line {line}, column {column}")
}

/// The field (1-based, as a spreadsheet counts columns) of the cell that starts at byte
/// `at` of a CSV line: the commas before it outside quotes, and one.
fn field_at(line: &str, at: usize) -> usize {
    let mut quoted = false;
    let mut field = 1;
    for ch in line[..at].chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => field += 1,
            _ => {}
        }
    }
    field
}

/// The export of `shape` read through `map`: the export, where it was, the rows and what
/// was said on standard error.
fn read(shape: Shape, map: &str) -> (Export, String, Vec<Value>, String) {
    let export = generate(shape);
    assert!(export.rows >= 5_000, "{} rows", export.rows);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("census.csv");
    std::fs::write(&path, &export.text).unwrap();
    let path = path.to_str().unwrap().to_string();
    let output = threshold()
        .args([
            "batch", "--map", map, &path, "--format", "jsonl", "--at", AT,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let rows: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (export, path, rows, stderr)
}

fn run_shape(shape: Shape, map: &str) {
    let (export, path, rows, stderr) = read(shape, map);
    let path = path.as_str();
    let refused: Vec<&Value> = rows.iter().filter(|r| !r["error"].is_null()).collect();
    let planted: Vec<String> = export
        .faults
        .iter()
        .map(|f| format!("{path}:{}", f.line))
        .collect();
    for r in &refused {
        assert!(
            planted.contains(&r["source"].as_str().unwrap().to_string()),
            "a clean row refused: {}",
            r["error"]
        );
    }
    assert_eq!(
        rows.len() - refused.len(),
        export.clean,
        "every clean case assessed"
    );
    // Neglect recorded for an unborn child is listed on its case's row, not read (nor
    // refused): its code, or in the shape of columns, the column's name.
    let neglect = match shape {
        Shape::OneCell => "16A",
        Shape::Columns => "Factor_16A",
    };
    let listed = rows
        .iter()
        .filter(|r| r["error"].is_null())
        .filter(|r| {
            r["unmapped_codes"]
                .as_array()
                .is_some_and(|codes| codes.iter().any(|c| c == neglect))
        })
        .count();
    assert!(export.unborn_neglect > 0, "the export has such a child");
    assert_eq!(listed, export.unborn_neglect);
    for fault in &export.faults {
        let source = format!("{path}:{}", fault.line);
        let r = rows
            .iter()
            .find(|r| r["source"] == source)
            .unwrap_or_else(|| panic!("no row for {source}"));
        let error = r["error"].as_str().unwrap_or_default();
        let at = match fault.starts {
            None if fault.says.contains("reference") => format!("line {}, column 2", fault.line),
            starts => place(&export.text, fault.line, starts),
        };
        assert!(
            error.contains(&at) && error.contains(fault.says) && error.contains("census.csv"),
            "{source}: {at}, {}: {error}",
            fault.says
        );
    }
    let assessed_rows = export.rows - export.faults.len() - export.filtered;
    let sentence = format!(
        "{path}: {} rows = {assessed_rows} rows in {} cases assessed + 6 rows in 6 cases refused",
        export.rows, export.clean
    );
    assert!(stderr.contains(&sentence), "{sentence}\n{stderr}");
    if export.filtered > 0 {
        let filtered = format!("{} rows filtered out by the map", export.filtered);
        assert!(stderr.contains(&filtered), "{filtered}\n{stderr}");
    }
}

#[test]
fn the_cin_census_map_reads_a_5000_row_export_every_clean_case_assessed_each_fault_refused() {
    run_shape(Shape::OneCell, "examples/maps/cin-census.yaml");
}

#[test]
fn the_cin_census_columns_map_reads_a_5000_row_export_of_one_column_per_factor() {
    run_shape(Shape::Columns, "examples/maps/cin-census-columns.yaml");
}

#[test]
fn both_shapes_of_one_census_give_each_case_the_same_levels_and_unknowns() {
    // Each case as the rows say it: its household, recorded level, overall level, and
    // each child's id, level and unknown answers (in order, so repeats compare as such).
    let cases = |shape, map| {
        let (_, _, rows, _) = read(shape, map);
        let mut cases: Vec<String> = rows
            .iter()
            .filter(|r| r["error"].is_null())
            .map(|r| {
                let children: Vec<String> = r["children"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| format!("{} {} {}", c["id"], c["level"], c["unknowns"]))
                    .collect();
                format!(
                    "{} {} {} {}",
                    r["reference"],
                    r["recorded_level"],
                    r["overall"]["level"],
                    children.join("; ")
                )
            })
            .collect();
        cases.sort();
        cases
    };
    let one_cell = cases(Shape::OneCell, "examples/maps/cin-census.yaml");
    let columns = cases(Shape::Columns, "examples/maps/cin-census-columns.yaml");
    assert!(one_cell.len() > 2_000, "{}", one_cell.len());
    assert_eq!(one_cell.len(), columns.len());
    for (a, b) in one_cell.iter().zip(&columns) {
        assert_eq!(a, b, "the two shapes read one case differently");
    }
}

/// An export in the shape of Data to Insight's Standard Safeguarding Dataset, as
/// `examples/maps/ssd-assessments.yaml` reads it: one row per child's assessment, ISO
/// dates, the census codes as a JSON list in one cell (`[]` for none), the team that
/// completed it; a household assessed on one date, siblings at different levels, unborn
/// children (a date of birth after the assessment), then six planted faults, each a
/// household of one row: the rows, the cases that must be assessed, the unborn children
/// with 16A, and each fault's line, field and what its refusal says.
struct Ssd {
    text: String,
    rows: usize,
    clean: usize,
    unborn_neglect: usize,
    faults: Vec<(usize, usize, &'static str)>,
}

fn generate_ssd() -> Ssd {
    const TEAMS: [&str; 5] = [
        "Assessment North",
        "Assessment South",
        "Assessment East",
        "Disabled Children",
        "Children in Care",
    ];
    let mut random = Lcg(1024);
    let mut text = "fami_family_id,cina_person_id,pers_dob,cina_assessment_id,cina_assessment_start_date,cina_assessment_auth_date,cinf_assessment_factors_json,local_level,cina_assessment_team\n".to_string();
    let (mut rows, mut clean, mut unborn_neglect, mut next) = (0, 0, 0, 0);
    let line = |text: &mut String, cells: [&str; 9]| {
        let quoted: Vec<String> = cells
            .iter()
            .map(|c| {
                if c.contains(['"', ',']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.to_string()
                }
            })
            .collect();
        text.push_str(&quoted.join(","));
        text.push('\n');
    };
    for family in 1..=2_000 {
        let assessed = date(2026, 1, 5)
            .checked_add(jiff::Span::new().days(random.next(300) as i64))
            .unwrap();
        let started = assessed.checked_sub(jiff::Span::new().days(14)).unwrap();
        let team = TEAMS[random.next(TEAMS.len() as u64) as usize];
        let level = LEVELS[random.next(4) as usize];
        for index in 0..1 + random.next(4) as usize {
            next += 1;
            // Every 25th household has a child not yet born: a date of birth to come.
            let unborn = family % 25 == 0 && index == 0;
            let age_days = 30 + random.next(17 * 365) as i64;
            let born = if unborn {
                assessed.checked_add(jiff::Span::new().days(20 + random.next(200) as i64))
            } else {
                assessed.checked_sub(jiff::Span::new().days(age_days))
            }
            .unwrap();
            let older = !unborn && age_days > 12 * 365;
            let mut codes: Vec<&str> = Vec::new();
            for _ in 0..random.next(4) {
                let code = match random.next(3) {
                    0 => HOUSEHOLD[random.next(HOUSEHOLD.len() as u64) as usize],
                    1 if older => OLDER[random.next(OLDER.len() as u64) as usize],
                    _ => OTHER[random.next(OTHER.len() as u64) as usize],
                };
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
            unborn_neglect += usize::from(unborn && codes.contains(&"16A"));
            let json = serde_json::to_string(&codes).unwrap();
            // One household in ten recorded its children at different levels.
            let level = if family % 10 == 3 {
                LEVELS[random.next(4) as usize]
            } else {
                level
            };
            line(
                &mut text,
                [
                    &format!("FAM-{family:05}"),
                    &format!("P{next:06}"),
                    &born.to_string(),
                    &format!("ASM-{next:06}"),
                    &started.to_string(),
                    &assessed.to_string(),
                    &json,
                    level,
                    team,
                ],
            );
            rows += 1;
        }
        clean += 1;
    }
    // The planted faults: (the cell, its value, its field, what the refusal says).
    let planted: [(&str, &str, usize, &str); 6] = [
        ("factors", "{\"2B\":\"No\"}", 7, "not a JSON list of codes"),
        ("factors", "[\"8E\", ", 7, "not a JSON list of codes"),
        ("dob", "2012-02-31", 3, "not a date"),
        ("dob", "2031-03-14", 3, "more than 10 months after"),
        ("level", "Level 5", 8, "gives no level"),
        ("family", "", 1, "has no household reference"),
    ];
    let mut faults = Vec::new();
    for (index, (what, value, field, says)) in planted.into_iter().enumerate() {
        let family = format!("FAM-9{index:04}");
        let cell = |name: &str, good: &'static str| if what == name { value } else { good };
        line(
            &mut text,
            [
                if what == "family" { "" } else { &family },
                &format!("X{index:05}"),
                cell("dob", "2014-03-14"),
                &format!("ASM-X{index:05}"),
                "2026-10-20",
                "2026-11-03",
                cell("factors", "[\"3B\"]"),
                cell("level", "CIN"),
                "Assessment North",
            ],
        );
        rows += 1;
        faults.push((rows + 1, field, says));
    }
    Ssd {
        text,
        rows,
        clean,
        unborn_neglect,
        faults,
    }
}

/// Issue 24's "done when", for the Standard Safeguarding Dataset's shape: a synthetic
/// export of more than 5,000 rows through the shipped map, every clean row assessed (an
/// unborn child's 16A listed, not refused), each planted fault refused at its line and
/// field with why, every row accounted for.
#[test]
fn the_ssd_map_reads_a_5000_row_export_every_clean_case_assessed_each_fault_refused() {
    let export = generate_ssd();
    assert!(export.rows >= 5_000, "{} rows", export.rows);
    assert!(
        export.unborn_neglect > 0,
        "the export has an unborn child with 16A"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ssd.csv");
    std::fs::write(&path, &export.text).unwrap();
    let path = path.to_str().unwrap();
    let output = threshold()
        .args([
            "batch",
            "--map",
            "examples/maps/ssd-assessments.yaml",
            path,
            "--format",
            "jsonl",
            "--at",
            AT,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let rows: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let assessed: Vec<&Value> = rows.iter().filter(|r| r["error"].is_null()).collect();
    assert_eq!(assessed.len(), export.clean, "every clean case assessed");
    assert_eq!(
        rows.len(),
        export.clean + export.faults.len(),
        "one row per case"
    );
    let listed = assessed
        .iter()
        .filter(|r| {
            r["unmapped_codes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "16A")
        })
        .count();
    assert_eq!(listed, export.unborn_neglect);
    for (line, field, says) in &export.faults {
        let source = format!("{path}:{line}");
        let r = rows
            .iter()
            .find(|r| r["source"] == source)
            .unwrap_or_else(|| panic!("no row for {source}"));
        let error = r["error"].as_str().unwrap_or_default();
        let at = format!("line {line}, column {field}");
        assert!(
            error.contains(&at) && error.contains(says) && error.contains("ssd.csv"),
            "{source}: {at}, {says}: {error}"
        );
    }
    let sentence = format!(
        "{path}: {} rows = {} rows in {} cases assessed + 6 rows in 6 cases refused",
        export.rows,
        export.rows - export.faults.len(),
        export.clean
    );
    assert!(stderr.contains(&sentence), "{sentence}\n{stderr}");
}
