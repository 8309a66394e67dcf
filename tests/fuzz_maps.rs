//! Bounded fuzzing of `threshold batch --map` (issue 25), on the stable toolchain: each
//! shipped map with bytes and whole characters edited, and exports in each map's shape
//! (CSV, and a workbook) with whole characters edited into their cells. Nothing may
//! panic; a map refused is refused in the map's name with a code (and a line where the
//! parser gives one); every row of an export is accounted for, assessed, refused or
//! filtered out, and every case has its one row.
//!
//! Whole characters, not only bytes: a wide character (`𐀀`, `é`), a bidi override, CR,
//! NEL, a quote or a comma where a reader slices text by byte position or splits it is
//! what byte edits rarely make.
//!
//! Each run is in-process (`threshold::run`, one job): a panic inside a worker is caught
//! by batch and ends the run as an internal error, and is counted here by a panic hook.

use proptest::prelude::*;
use proptest::sample::Index;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

const AT: &str = "2026-11-24T10:00";

/// The shipped maps, and the shape of export each reads.
const MAPS: [(&str, Shape); 3] = [
    ("examples/maps/cin-census.yaml", Shape::OneCell),
    ("examples/maps/cin-census-columns.yaml", Shape::Columns),
    ("examples/maps/ssd-assessments.yaml", Shape::Ssd),
];

/// Characters a reader that slices by byte, or splits on line ends, stumbles on.
const CHARS: &[char] = &[
    '𐀀', 'é', '\u{202E}', '\r', '\n', '\u{85}', '\u{2028}', '\u{FEFF}', ',', '"', ' ', '\t', '#',
    ':', '[', '0', 'A',
];

/// Panics on batch's own threads (its workers, a workbook's reader), which batch catches
/// and the hook still sees. They are unnamed; a test's thread has the test's name, and a
/// panic there fails its test anyway. (A worker's panic is seen by whichever test looks
/// next: any is a bug.)
static PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_panics() {
    static HOOK: OnceLock<()> = OnceLock::new();
    HOOK.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name().is_none() {
                PANICS.fetch_add(1, Ordering::SeqCst);
            }
            previous(info);
        }));
    });
}

struct Run {
    code: u8,
    stdout: String,
    stderr: String,
}

/// `threshold batch --map MAP EXPORT --format jsonl --jobs 1 --at AT`, in this process.
fn batch(map: &Path, export: &Path) -> Result<Run, TestCaseError> {
    count_panics();
    let before = PANICS.load(Ordering::SeqCst);
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut io = threshold::Io {
        stdin: &mut std::io::empty(),
        stdout: &mut stdout,
        stderr: &mut stderr,
        styled: false,
        now: threshold::hours::parse_moment(AT).unwrap(),
        interactive: false,
    };
    let args = [
        "threshold".as_ref(),
        "batch".as_ref(),
        "--map".as_ref(),
        map.as_os_str(),
        export.as_os_str(),
        "--format".as_ref(),
        "jsonl".as_ref(),
        "--jobs".as_ref(),
        "1".as_ref(),
        "--at".as_ref(),
        AT.as_ref(),
    ];
    let code = threshold::run(args, &mut io);
    let run = Run {
        code,
        stdout: String::from_utf8(stdout).expect("UTF-8 rows"),
        stderr: String::from_utf8(stderr).expect("UTF-8 summary"),
    };
    prop_assert_eq!(
        PANICS.load(Ordering::SeqCst),
        before,
        "a panic: {}",
        run.stderr
    );
    prop_assert!(run.code <= 2, "{}", run.stderr);
    prop_assert!(!run.stderr.contains("internal error"), "{}", run.stderr);
    Ok(run)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// The CIN census, the factors as codes in one cell (cin-census.yaml).
    OneCell,
    /// The CIN census, a Y/N column per factor, and a status filtered on
    /// (cin-census-columns.yaml).
    Columns,
    /// The Standard Safeguarding Dataset, the codes as a JSON list (ssd-assessments.yaml).
    Ssd,
}

/// The census's factor codes (schema 2024), as tests/census.rs has them.
const CODES: [&str; 42] = [
    "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B", "5C", "6A",
    "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A", "14A", "15A",
    "16A", "17A", "18B", "18C", "19B", "19C", "20", "21", "22A", "23A", "24A",
];

/// One child's row, in the generator's terms (as tests/census.rs's `Child`, smaller).
struct Child {
    family: &'static str,
    id: &'static str,
    born: &'static str,
    expected: &'static str,
    assessed: &'static str,
    codes: &'static [&'static str],
    level: &'static str,
    status: &'static str,
}

/// A small export's children: households of several children, one assessed again, an
/// unborn child, siblings at different levels, a code no question takes, an open
/// assessment (filtered out by the map of columns), dates in both formats.
const CHILDREN: [Child; 9] = [
    Child {
        family: "FAM-00001",
        id: "C000001",
        born: "14/03/2014",
        expected: "",
        assessed: "03/11/2026",
        codes: &["3B", "4B"],
        level: "Early Help",
        status: "Complete",
    },
    Child {
        family: "FAM-00001",
        id: "C000002",
        born: "02/09/2019",
        expected: "",
        assessed: "03/11/2026",
        codes: &["3B"],
        level: "CIN",
        status: "Complete",
    },
    Child {
        family: "FAM-00002",
        id: "C000003",
        born: "2011-06-30",
        expected: "",
        assessed: "2026-11-04",
        codes: &["2A", "10A", "24A"],
        level: "CIN",
        status: "Complete",
    },
    Child {
        family: "FAM-00003",
        id: "C000004",
        born: "11/01/2021",
        expected: "",
        assessed: "05/11/2026",
        codes: &["21"],
        level: "NFA",
        status: "Complete",
    },
    Child {
        family: "FAM-00003",
        id: "C000004",
        born: "11/01/2021",
        expected: "",
        assessed: "15/12/2026",
        codes: &["16A", "4A"],
        level: "CP",
        status: "Complete",
    },
    Child {
        family: "FAM-00004",
        id: "C000005",
        born: "",
        expected: "20/01/2027",
        assessed: "06/11/2026",
        codes: &["16A", "1B"],
        level: "CIN",
        status: "Complete",
    },
    Child {
        family: "FAM-00004",
        id: "C000006",
        born: "01/02/2016",
        expected: "",
        assessed: "06/11/2026",
        codes: &[],
        level: "CIN",
        status: "Complete",
    },
    Child {
        family: "FAM-00005",
        id: "C000007",
        born: "30/09/2009",
        expected: "",
        assessed: "07/11/2026",
        codes: &["11A", "15A", "7A"],
        level: "CP",
        status: "Complete",
    },
    Child {
        family: "FAM-00005",
        id: "C000008",
        born: "",
        expected: "",
        assessed: "07/11/2026",
        codes: &["3B"],
        level: "CP",
        status: "Open",
    },
];

/// The export of `shape`: its header and rows, cell by cell (the family's cell is
/// `family(shape)` of them).
fn export(shape: Shape) -> Vec<Vec<String>> {
    let iso = |d: &str| match d.split('/').collect::<Vec<_>>()[..] {
        [day, month, year] => format!("{year}-{month}-{day}"),
        _ => d.to_string(),
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    match shape {
        Shape::OneCell | Shape::Columns => {
            let mut header: Vec<&str> = "LAchildID,FamilyID,GenderCurrent,PersonBirthDate,ExpectedPersonBirthDate,CINreferralDate,ReferralSource,PrimaryNeedCode,AssessmentActualStartDate,AssessmentAuthorisationDate".split(',').collect();
            let factors: Vec<String> = CODES.iter().map(|c| format!("Factor_{c}")).collect();
            if shape == Shape::OneCell {
                header.push("AssessmentFactors");
            } else {
                header.push("AssessmentStatus");
                header.extend(factors.iter().map(String::as_str));
            }
            header.push("LocalLevel");
            rows.push(header.iter().map(|h| h.to_string()).collect());
            for (index, child) in CHILDREN.iter().enumerate() {
                if shape == Shape::OneCell && child.status != "Complete" {
                    continue;
                }
                let mut row: Vec<String> = [
                    child.id,
                    child.family,
                    "1",
                    child.born,
                    child.expected,
                    "20/10/2026",
                    "3A",
                    "N4",
                    "21/10/2026",
                    child.assessed,
                ]
                .map(String::from)
                .to_vec();
                if shape == Shape::OneCell {
                    row.push(if index == 2 {
                        // The Standard Safeguarding Dataset's form: a JSON list.
                        serde_json::to_string(child.codes).unwrap()
                    } else {
                        child.codes.join(",")
                    });
                } else {
                    row.push(child.status.to_string());
                    for code in CODES {
                        row.push(
                            if child.codes.contains(&code) {
                                "Y"
                            } else {
                                "N"
                            }
                            .into(),
                        );
                    }
                }
                row.push(child.level.to_string());
                rows.push(row);
            }
        }
        Shape::Ssd => {
            rows.push(
                "fami_family_id,cina_person_id,pers_dob,cina_assessment_id,cina_assessment_start_date,cina_assessment_auth_date,cinf_assessment_factors_json,local_level,cina_assessment_team"
                    .split(',')
                    .map(String::from)
                    .collect(),
            );
            for (index, child) in CHILDREN.iter().enumerate() {
                if child.status != "Complete" {
                    continue;
                }
                // The SSD has no expected date: an unborn child's date of birth is to come.
                let born = if child.born.is_empty() {
                    child.expected
                } else {
                    child.born
                };
                // Nor a case key: the household's second assessment is a household of
                // its own.
                let family = if index == 4 {
                    "FAM-00006"
                } else {
                    child.family
                };
                rows.push(vec![
                    family.to_string(),
                    child.id.to_string(),
                    iso(born),
                    format!("ASM-{index:04}"),
                    "2026-10-21".to_string(),
                    iso(child.assessed),
                    serde_json::to_string(child.codes).unwrap(),
                    child.level.to_string(),
                    ["Assessment North", "Disabled Children"][index % 2].to_string(),
                ]);
            }
        }
    }
    rows
}

/// The column of the household reference.
fn family_column(shape: Shape) -> usize {
    match shape {
        Shape::OneCell | Shape::Columns => 1,
        Shape::Ssd => 0,
    }
}

/// Cells written in place of one: dates whose byte 10 or 16 falls inside a wide
/// character, dates with a bidi override, codes, JSON lists cut short, quotes, commas and
/// line breaks.
const CELLS: &[&str] = &[
    "24/11/2026𐀀",
    "24/11/202é",
    "2026-11-2é",
    "2026-11-24𐀀",
    "2026-11-24T10:0é",
    "2026-11-24T10:00𐀀",
    "2026-11-24 10:0\u{202E}",
    "\u{202E}24/11/2026",
    "24/11/2026\u{85}",
    "24/11/2026\r",
    "2026-11-24\u{2028}",
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999",
    "3B,4B",
    "3b, 4B ,𐀀",
    "[\"3B\",",
    "[\"3B\",\"é\"]",
    "[3B]",
    "{\"2B\":\"No\"}",
    "[]",
    "[[[[",
    "\"",
    "a\"b",
    "\"A,B\"",
    "two\nlines",
    "two\r\nlines",
    "cr\ronly",
    ",",
    "Y",
    "N",
    "y ",
    "Early Help\u{85}",
    "CP𐀀",
    "Open",
    "Complete",
    "FAM-00001",
    "é",
];

#[derive(Clone, Debug)]
enum Edit {
    /// Insert a character at a character position.
    Insert(Index, char),
    /// Delete the character at a position.
    Delete(Index),
    /// Write the cell anew.
    Replace(&'static str),
    /// Add a character at the end.
    Append(char),
}

fn edit() -> impl Strategy<Value = Edit> {
    let char_ = prop::sample::select(CHARS);
    prop_oneof![
        3 => (any::<Index>(), char_.clone()).prop_map(|(at, c)| Edit::Insert(at, c)),
        1 => any::<Index>().prop_map(Edit::Delete),
        3 => prop::sample::select(CELLS).prop_map(Edit::Replace),
        1 => char_.prop_map(Edit::Append),
    ]
}

fn apply(cell: &mut String, edit: &Edit) {
    let chars: Vec<char> = cell.chars().collect();
    match edit {
        Edit::Insert(at, c) => {
            let i = at.index(chars.len() + 1);
            *cell = chars[..i].iter().chain([c]).chain(&chars[i..]).collect();
        }
        Edit::Delete(at) if !chars.is_empty() => {
            let i = at.index(chars.len());
            *cell = chars[..i].iter().chain(&chars[i + 1..]).collect();
        }
        Edit::Delete(_) => {}
        Edit::Replace(text) => *cell = text.to_string(),
        Edit::Append(c) => cell.push(*c),
    }
}

/// A few edits, each at a row (the header too, now and then) and a cell of it.
fn edits() -> impl Strategy<Value = Vec<(Index, Index, Edit)>> {
    prop::collection::vec((any::<Index>(), any::<Index>(), edit()), 1..6)
}

/// The rows with `edits` made; with which rows (by index) were edited.
fn edited(
    mut rows: Vec<Vec<String>>,
    edits: &[(Index, Index, Edit)],
) -> (Vec<Vec<String>>, Vec<bool>) {
    let mut touched = vec![false; rows.len()];
    for (row, column, edit) in edits {
        let r = row.index(rows.len());
        let c = column.index(rows[r].len());
        apply(&mut rows[r][c], edit);
        touched[r] = true;
    }
    (rows, touched)
}

/// The rows as CSV, each cell quoted as RFC 4180 quotes it when it must be: the records
/// are the rows, whatever is in the cells.
fn csv(rows: &[Vec<String>]) -> String {
    let mut text = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                if c.contains([',', '"', '\r', '\n']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

/// What the summary says of `name`: its rows in, and the rows assessed, refused and
/// filtered out, and the cases assessed and refused.
#[derive(Debug, PartialEq)]
struct Accounted {
    rows_in: u64,
    rows: [u64; 3],
    assessed: u64,
    refused: u64,
}

fn accounted(stderr: &str, name: &str) -> Option<Accounted> {
    let shown = threshold::render::shown(name);
    let line = stderr
        .lines()
        .filter_map(|l| l.trim().strip_prefix(&*shown)?.strip_prefix(": "))
        .find(|l| l.contains(" = "))?;
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    Some(match numbers[..] {
        // `N rows = a rows in x cases assessed + b rows in y cases refused [+ f rows filtered out by the map]`
        [rows_in, a, assessed, b, refused, ref filtered @ ..] if line.contains(" in ") => {
            Accounted {
                rows_in,
                rows: [a, b, filtered.first().copied().unwrap_or(0)],
                assessed,
                refused,
            }
        }
        // `N cases = x assessed + y refused`: a row each.
        [rows_in, assessed, refused] => Accounted {
            rows_in,
            rows: [assessed, refused, 0],
            assessed,
            refused,
        },
        _ => panic!("not a count of rows: {line}"),
    })
}

/// The summary's count of `name`'s rows adds up, and each case it counts has its row.
fn adds_up(run: &Run, name: &str) -> Result<Option<Accounted>, TestCaseError> {
    let Some(count) = accounted(&run.stderr, name) else {
        return Ok(None);
    };
    prop_assert_eq!(
        count.rows_in,
        count.rows.iter().sum::<u64>(),
        "{}",
        run.stderr
    );
    prop_assert_eq!(
        run.stdout.lines().count() as u64,
        count.assessed + count.refused,
        "{}",
        run.stderr
    );
    Ok(Some(count))
}

/// Every row of an export accounted for and every case given its one row: the summary's
/// rows in are the export's `records` (each of the `lines` physical lines after the
/// header its own row at most: a line break in a column the map reads ends its row there),
/// its cases are the rows written, and each household in `untouched` has a row.
fn every_row_accounted(
    run: &Run,
    export: &Path,
    records: u64,
    lines: u64,
    untouched: &[String],
) -> Result<(), TestCaseError> {
    let name = export.display().to_string();
    let rows: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each row is JSON"))
        .collect();
    let whole_file_refused = rows.len() == 1
        && rows[0]["error"].is_string()
        && rows[0]["source"].as_str().is_some_and(|s| s == name);
    match adds_up(run, &name)? {
        Some(Accounted { rows_in, .. }) => {
            prop_assert!(
                records <= rows_in && rows_in <= lines,
                "{records} records, {lines} lines, {rows_in} rows in:\n{}",
                run.stderr
            );
        }
        // One case, or a file refused whole (a header the map cannot read).
        None => prop_assert!(
            rows.len() == 1 && (records == 1 || whole_file_refused),
            "{}\n{}",
            run.stdout,
            run.stderr
        ),
    }
    for row in &rows {
        if let Some(error) = row["error"].as_str() {
            prop_assert!(error.starts_with(&name), "{}", error);
            prop_assert!(error.contains(": error[E-"), "{}", error);
        }
    }
    if !whole_file_refused {
        for family in untouched {
            prop_assert!(
                rows.iter().any(|r| r["reference"] == family.as_str()),
                "no row for {}:\n{}\n{}",
                family,
                run.stdout,
                run.stderr
            );
        }
    }
    Ok(())
}

/// The households none of whose rows were edited, nor the header (by the reference as
/// written after the edits: a row edited into another household's reference touches it).
fn untouched(shape: Shape, rows: &[Vec<String>], touched: &[bool]) -> Vec<String> {
    if touched[0] {
        return Vec::new();
    }
    let column = family_column(shape);
    // A row the map filters out gives its household no case.
    let status = rows[0].iter().position(|h| h == "AssessmentStatus");
    let read = |row: &Vec<String>| status.is_none_or(|s| row[s] == "Complete");
    let mut families: Vec<String> = rows[1..]
        .iter()
        .filter(|r| read(r))
        .map(|r| r[column].clone())
        .collect();
    families.sort();
    families.dedup();
    families.retain(|family| {
        rows.iter()
            .zip(touched)
            .skip(1)
            .all(|(row, touched)| row[column] != *family || !touched)
    });
    families
}

/// Physical lines after the header, any line end counted.
fn lines_after_header(text: &str) -> u64 {
    let lines = text.replace("\r\n", "\n").replace('\r', "\n");
    lines.trim_end_matches('\n').split('\n').count() as u64 - 1
}

/// The unedited exports: every household assessed, nothing refused (the generator is
/// sound, so what the edits change is the edits').
#[test]
fn the_unedited_exports_are_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    for (map, shape) in MAPS {
        let rows = export(shape);
        std::fs::write(&path, csv(&rows)).unwrap();
        let run = batch(Path::new(map), &path).unwrap();
        assert_eq!(run.code, 0, "{map}: {}", run.stderr);
        let families = untouched(shape, &rows, &vec![false; rows.len()]);
        assert_eq!(families.len(), 5 + usize::from(shape == Shape::Ssd));
        // Household 3 was assessed twice: two cases.
        assert_eq!(run.stdout.lines().count(), 6, "{map}: {}", run.stdout);
        let filtered = u64::from(shape == Shape::Columns);
        let count = accounted(&run.stderr, &path.display().to_string()).unwrap();
        let expected = Accounted {
            rows_in: 8 + filtered,
            rows: [8, 0, filtered],
            assessed: 6,
            refused: 0,
        };
        assert_eq!(count, expected, "{map}");
        // And the map without its comments, as the map's property edits it, is the same map.
        let bare = dir.path().join("bare.yaml");
        std::fs::write(
            &bare,
            without_comments(&std::fs::read_to_string(map).unwrap()),
        )
        .unwrap();
        let again = batch(&bare, &path).unwrap();
        assert_eq!(again.code, 0, "{map}: {}", again.stderr);
        let count = accounted(&again.stderr, &path.display().to_string()).unwrap();
        assert_eq!(count, expected, "{map} without comments");
    }
}

/// A map's text without its comments (the shipped maps have no `#` but in comments).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| line.split(" #").next().unwrap().trim_end())
        .filter(|line| !line.trim_start().starts_with('#') && !line.is_empty())
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Byte edits (overwrite, insert, delete) and whole-character edits (insert, replace) at
/// positions given as fractions of the text.
#[derive(Clone, Debug)]
enum TextEdit {
    Byte(Index, u8, u8),
    Char(Index, char, bool),
}

fn text_edits(whole_characters: bool) -> impl Strategy<Value = Vec<TextEdit>> {
    let byte =
        (any::<Index>(), any::<u8>(), 0u8..3).prop_map(|(at, b, kind)| TextEdit::Byte(at, b, kind));
    let char_ = (any::<Index>(), prop::sample::select(CHARS), any::<bool>())
        .prop_map(|(at, c, replace)| TextEdit::Char(at, c, replace));
    let one = if whole_characters {
        prop_oneof![byte, char_].boxed()
    } else {
        byte.boxed()
    };
    prop::collection::vec(one, 1..7)
}

/// `text` with `edits` made.
fn mutated(text: &str, edits: &[TextEdit]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for edit in edits {
        match *edit {
            TextEdit::Byte(at, byte, kind) if !bytes.is_empty() => {
                let i = at.index(bytes.len());
                match kind {
                    0 => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => {
                        bytes.remove(i);
                    }
                }
            }
            TextEdit::Byte(..) => {}
            TextEdit::Char(at, c, replace) => {
                // At a character boundary of the valid part of the text as it stands (a
                // byte edit may have broken what follows).
                let valid = std::str::from_utf8(&bytes).map_or_else(|e| e.valid_up_to(), str::len);
                let text = std::str::from_utf8(&bytes[..valid]).unwrap();
                let boundaries: Vec<usize> =
                    text.char_indices().map(|(i, _)| i).chain([valid]).collect();
                let i = boundaries[at.index(boundaries.len())];
                let end = match boundaries.iter().find(|&&b| b > i) {
                    Some(&next) if replace => next,
                    _ => i,
                };
                let mut encoded = [0; 4];
                bytes.splice(i..end, c.encode_utf8(&mut encoded).bytes());
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Each shipped map's export, a few whole characters edited into its cells (dates,
    /// codes, references, the header), quoted as a CSV writer quotes them: never a panic,
    /// every row accounted for, every case one row, every household left alone still
    /// there.
    ///
    /// Catches: a reader slicing a cell by byte (a date cut at byte 10), a row lost or
    /// counted twice (a quoted line break, a stray character at a line's end), a case
    /// merged away or dropped.
    #[test]
    fn an_export_with_whole_characters_edited_into_its_cells_keeps_every_row(
        which in 0..MAPS.len(),
        edits in edits(),
    ) {
        let (map, shape) = MAPS[which];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        let (rows, touched) = edited(export(shape), &edits);
        let text = csv(&rows);
        std::fs::write(&path, &text).unwrap();
        let run = batch(Path::new(map), &path)?;
        every_row_accounted(
            &run,
            &path,
            rows.len() as u64 - 1,
            lines_after_header(&text),
            &untouched(shape, &rows, &touched),
        )?;
    }

    /// Each shipped map's export with a few bytes overwritten, inserted or deleted and
    /// whole characters put in (quotes unbalanced, UTF-8 broken, lines joined): never a
    /// panic, and every case one row.
    #[test]
    fn a_mutated_export_never_panics_and_gives_each_case_one_row(
        which in 0..MAPS.len(),
        edits in text_edits(true),
    ) {
        let (map, shape) = MAPS[which];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        std::fs::write(&path, mutated(&csv(&export(shape)), &edits)).unwrap();
        let run = batch(Path::new(map), &path)?;
        adds_up(&run, &path.display().to_string())?;
    }
}

proptest! {
    // A map is small and refused early: more of them, for as long as an export's run.
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Each shipped map edited, bytes and whole characters, and loaded over its own
    /// export: never a panic. A map refused names the map file first, with an
    /// `error[E-...]` code, and the line the YAML parser gave, where it gave one (within
    /// the file); a map accepted reads its export with every case one row.
    ///
    /// Catches: a panic in the map's checks (a key sliced by byte, a place found by byte
    /// offset in a line of wide characters), a refusal without the map's name or code, a
    /// parser's place lost or past the end of the file.
    #[test]
    fn a_mutated_map_never_panics_and_is_refused_in_its_own_name(
        which in 0..MAPS.len(),
        bare in any::<bool>(),
        edits in text_edits(true),
    ) {
        let (map, shape) = MAPS[which];
        let dir = tempfile::tempdir().unwrap();
        let export_path = dir.path().join("export.csv");
        let map_path = dir.path().join("edited-map.yaml");
        let name = map_path.display().to_string();
        std::fs::write(&export_path, csv(&export(shape))).unwrap();
        let text = std::fs::read_to_string(map).unwrap();
        // Most of a shipped map is comments, where an edit changes nothing: half the time
        // the map without them, so that the edits fall among its keys and values.
        let text = if bare { without_comments(&text) } else { text };
        let bytes = mutated(&text, &edits);
        std::fs::write(&map_path, &bytes).unwrap();
        let run = batch(&map_path, &export_path)?;
        if !run.stderr.contains("batch: ") {
            // No summary: refused before any row, for the map. (A map that filters out
            // every row gives no row, and its summary says so.)
            prop_assert_eq!(run.code, 2);
            prop_assert!(run.stdout.is_empty(), "{}", run.stdout);
            let message = run.stderr.trim_start();
            prop_assert!(message.starts_with(&name), "{}", message);
            prop_assert!(message.contains(": error[E-"), "{}", message);
            let place = &message[name.len()..];
            if let Ok(text) = std::str::from_utf8(&bytes)
                && let Err(e) = threshold::yaml::from_str::<threshold::yaml::Value>(text)
                && let Some(at) = e.location
            {
                // Not YAML: a place is given (the parser's, or the word its message
                // quotes), within the file.
                // Lines as YAML counts them: CR, LF, CR LF, NEL, LS and PS each end one.
                let lines = 1 + text
                    .replace("\r\n", "\n")
                    .matches(['\r', '\n', '\u{85}', '\u{2028}', '\u{2029}'])
                    .count();
                let line = place
                    .strip_prefix(':')
                    .and_then(|p| p.split(':').next())
                    .and_then(|n| n.parse::<usize>().ok());
                prop_assert!(
                    line.is_some_and(|n| (1..=lines).contains(&n)),
                    "{:?} at {:?}, {} lines: {}",
                    e.message,
                    at,
                    lines,
                    message
                );
            }
        } else {
            adds_up(&run, &export_path.display().to_string())?;
        }
    }
}

/// What is written in one cell of a workbook.
#[derive(Clone, Debug)]
enum Cell {
    Text(String),
    Number(f64),
    /// A number shown as a date (`dd/mm/yyyy`): a date cell, whatever its value.
    DateNumber(f64),
    Date(u16, u8, u8),
    Bool(bool),
    Empty,
}

/// Numbers as a sheet may hold them: a date's serial (46350 is 2026-11-24), none, a
/// fraction, past any date (2958466 is after 9999-12-31), huge, negative.
const NUMBERS: &[f64] = &[
    0.0, -1.0, 0.5, 46350.0, 46350.75, 2958466.0, 1e15, 1e20, -1e20, 1e300,
];

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        2 => prop::sample::select(CELLS).prop_map(|c| Cell::Text(c.to_string())),
        2 => "\\PC{0,12}".prop_map(Cell::Text),
        1 => prop::sample::select(NUMBERS).prop_map(Cell::Number),
        1 => prop::sample::select(NUMBERS).prop_map(Cell::DateNumber),
        1 => (1900u16..=9999, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Cell::Date(y, m, d)),
        1 => any::<bool>().prop_map(Cell::Bool),
        1 => Just(Cell::Empty),
    ]
}

/// Whether a cell holds something once read (a reader trims text; a row of nothing but
/// blank cells is no row).
fn filled(cell: &Cell) -> bool {
    match cell {
        Cell::Text(text) => !text.trim().is_empty(),
        Cell::Empty => false,
        _ => true,
    }
}

/// The rows as a workbook of one sheet at `path`.
fn workbook(rows: &[Vec<Cell>], path: &Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(text) => sheet.write_string(r, c, text).map(|_| ()),
                Cell::Number(n) => sheet.write_number(r, c, *n).map(|_| ()),
                Cell::DateNumber(n) => sheet.write_number_with_format(r, c, *n, &date).map(|_| ()),
                Cell::Date(y, m, d) => {
                    let day = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    sheet
                        .write_datetime_with_format(r, c, &day, &date)
                        .map(|_| ())
                }
                Cell::Bool(b) => sheet.write_boolean(r, c, *b).map(|_| ()),
                Cell::Empty => Ok(()),
            }
            .unwrap();
        }
    }
    book.save(path).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// The CIN census (codes in one cell) and SSD exports as workbooks, a few cells
    /// written anew: text with wide characters, numbers, dates, date-formatted numbers past
    /// any date, booleans, nothing. Never a panic (the sheet's reader runs on a thread of
    /// its own, and a fault there would end the rows early), every row that holds
    /// anything accounted for, every case one row, every household left alone still there.
    #[test]
    fn a_workbook_with_any_cells_keeps_every_row(
        ssd in any::<bool>(),
        edits in prop::collection::vec((any::<Index>(), any::<Index>(), cell()), 1..8),
    ) {
        let (map, shape) = if ssd { MAPS[2] } else { MAPS[0] };
        let base = export(shape);
        let mut rows: Vec<Vec<Cell>> = base
            .iter()
            .map(|row| row.iter().map(|c| Cell::Text(c.clone())).collect())
            .collect();
        let mut touched = vec![false; rows.len()];
        for (row, column, cell) in &edits {
            let r = row.index(rows.len());
            let c = column.index(rows[r].len());
            rows[r][c] = cell.clone();
            touched[r] = true;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.xlsx");
        workbook(&rows, &path);
        let records = rows[1..].iter().filter(|row| row.iter().any(filled)).count() as u64;
        // The households by their unedited references (an edited row is touched).
        let run = batch(Path::new(map), &path)?;
        every_row_accounted(&run, &path, records, records, &untouched(shape, &base, &touched))?;
    }
}
