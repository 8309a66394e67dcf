//! `threshold batch --map` (SPEC section 12), the map's side of the analyst's real export
//! (issue 24): a key written twice in a map is refused where it stands.

mod common;

use common::threshold;
use std::path::Path;

const AT: &str = "2026-11-24T10:00";
const CIN_MAP: &str = "examples/maps/cin-census.yaml";
const CIN_EXPORT: &str = "examples/exports/cin-census-synthetic.csv";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn batch(args: &[&str]) -> Run {
    let output = threshold()
        .arg("batch")
        .args(args)
        .args(["--at", AT])
        .output()
        .expect("threshold runs");
    Run {
        code: output.status.code().expect("an exit code"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 rows"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 summary"),
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
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
    }
}
