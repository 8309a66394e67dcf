//! Error codes are a contract (SPEC section 12): every code used in src/ and model/src/ (the
//! rules model, where the codes are defined) is documented in the "Error codes" table in
//! docs/case-files.md, the table names no code that is not used, and each code is shown in
//! messages and batch rows.

use assert_cmd::Command;
use std::collections::BTreeSet;
use std::path::Path;
use threshold::error::Code;

/// Every `"E-..."` / `"W-..."` string literal in the Rust files under `dir`.
fn codes_in_source(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            codes_in_source(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices('"') {
                let rest = &text[i + 1..];
                let Some(end) = rest.find('"') else { continue };
                let literal = &rest[..end];
                let is_code = (literal.starts_with("E-") || literal.starts_with("W-"))
                    && literal.len() > 2
                    && literal[2..]
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
                if is_code {
                    out.insert(literal.to_string());
                }
            }
        }
    }
}

/// The codes in the first column of the "Error codes" table in docs/case-files.md.
fn codes_in_readme() -> BTreeSet<String> {
    let doc = std::fs::read_to_string("docs/case-files.md").unwrap();
    let section = doc
        .split("\n## Error codes\n")
        .nth(1)
        .expect("docs/case-files.md has a section `## Error codes`");
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .map(|l| l.split('`').next().unwrap().to_string())
        .collect()
}

#[test]
fn every_code_used_in_src_is_in_the_readme_table_and_no_other() {
    let mut used = BTreeSet::new();
    codes_in_source(Path::new("src"), &mut used);
    codes_in_source(Path::new("model/src"), &mut used);
    assert!(used.len() >= 20, "too few codes found in src/: {used:?}");
    let documented = codes_in_readme();
    let missing: Vec<_> = used.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "used in src/ but not in the docs/case-files.md table: {missing:?}"
    );
    let stale: Vec<_> = documented.difference(&used).collect();
    assert!(
        stale.is_empty(),
        "in the docs/case-files.md table but not used in src/: {stale:?}"
    );
    let listed: BTreeSet<String> = Code::ALL.iter().map(|c| c.as_str().to_string()).collect();
    assert_eq!(listed, used, "Code::ALL and the codes in src/ differ");
}

#[test]
fn codes_are_unique() {
    let texts: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(texts.len(), Code::ALL.len(), "two codes share a text");
}

#[test]
fn a_file_cannot_choose_its_own_code() {
    let dir = tempfile::tempdir().unwrap();
    for (text, code, kept) in [
        (
            "schema: 1\narea: salford\n\"[E-CASE-AGE] x\": 1\n",
            "E-CASE-SYNTAX",
            "[E-CASE-AGE] x",
        ),
        (
            "schema: 1\narea: salford\nanswers:\n  \"[E-CASE-AGE] x\": yes\n",
            "E-CASE-UNKNOWN-ID",
            "[E-CASE-AGE] x",
        ),
        // The words of a refusal of ours, written in the file: no refusal was raised.
        (
            "schema: 1\narea: salford\n\"`age` must be whole years from 0 to 17\": 1\n",
            "E-CASE-SYNTAX",
            "`age` must be whole years from 0 to 17",
        ),
    ] {
        let case = dir.path().join("case.yaml");
        std::fs::write(&case, text).unwrap();
        let out = threshold()
            .args(["assess", "--at", "2026-11-24T10:00"])
            .arg(&case)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(&format!("error[{code}]: ")), "{text:?}: {err}");
        assert!(err.contains(kept), "the file's text is kept: {err}");
    }
}

fn threshold() -> Command {
    let mut cmd = Command::cargo_bin("threshold").unwrap();
    cmd.env_remove("THRESHOLD_RULES");
    cmd
}

#[test]
fn a_refusal_shows_its_code_in_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case.yaml");
    std::fs::write(
        &case,
        "schema: 1\narea: salford\nchildren:\n  - id: A\n    age: 18\n",
    )
    .unwrap();
    let out = threshold()
        .args(["assess", "--at", "2026-11-24T10:00"])
        .arg(&case)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains(":5:10: error[E-CASE-AGE]: "), "{err}");

    let out = threshold()
        .args(["assess", "--at", "yesterday"])
        .arg(&case)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("--at: error[E-USAGE-AT]: "), "{err}");
}

#[test]
fn batch_rows_carry_the_code_in_a_last_column_and_a_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.yaml"),
        "schema: 1\narea: salford\nanswers:\n  not_a_question: yes\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("b.yaml"), "schema: 1\narea: salford\n").unwrap();
    let csv = threshold()
        .args(["batch", "--at", "2026-11-24T10:00"])
        .arg(dir.path())
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",agrees,error,rules_origin,error_code")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows[0].ends_with(",bundled,E-CASE-UNKNOWN-ID"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].ends_with(",bundled,"),
        "an assessed row has no code: {}",
        rows[1]
    );

    let jsonl = threshold()
        .args(["batch", "--format", "jsonl", "--at", "2026-11-24T10:00"])
        .arg(dir.path())
        .output()
        .unwrap();
    let first = String::from_utf8(jsonl.stdout).unwrap();
    let row: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    assert_eq!(row["error_code"], "E-CASE-UNKNOWN-ID");
    assert!(
        row["error"]
            .as_str()
            .unwrap()
            .contains("error[E-CASE-UNKNOWN-ID]")
    );
}
