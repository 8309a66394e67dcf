//! Bounded fuzzing on the stable toolchain: arbitrary bytes and mutated files into the
//! case reader and the rules loader. Nothing may panic, every refusal names the file, every
//! case accepted assesses in every area and renders in every format, and pathological
//! input (alias bombs, deep nesting, huge files) is refused, not hung on.

use proptest::prelude::*;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use threshold::question::QuestionBank;
use threshold::rules::{self, Origin, RuleFile};

fn bank() -> &'static Arc<QuestionBank> {
    static BANK: OnceLock<Arc<QuestionBank>> = OnceLock::new();
    BANK.get_or_init(|| {
        let today = jiff::civil::date(2026, 12, 2);
        rules::load(rules::bundled_files(), Origin::Bundled, today)
            .unwrap()
            .0
            .questions
    })
}

const CASE: &str = include_str!("../examples/cases/salford-domestic-abuse-cumulative.yaml");
const CASE_JSON: &str = r#"{"schema": 1, "area": "torbay", "answers": {"immediate_danger": "no", "domestic_abuse_incidents_12m": 3},
 "children": [{"id": "A", "age": 4, "answers": {"young_carer": "yes"}}, {"id": "B", "unborn": true}]}"#;

fn rule_set() -> &'static threshold::rules::RuleSet {
    static RULES: OnceLock<threshold::rules::RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        rules::load(
            rules::bundled_files(),
            Origin::Bundled,
            jiff::civil::date(2026, 12, 2),
        )
        .unwrap()
        .0
    })
}

/// Read `bytes` as a case named `name`: it may be refused, but never panic, and a refusal
/// names the file first. A case that is accepted assesses in every area and renders in
/// every format, each showing the judgement note.
fn read_is_safe(bytes: &[u8], name: &str) -> Result<(), TestCaseError> {
    match threshold::case::read(bytes, name, bank()) {
        Err(diagnostic) => {
            let text = diagnostic.to_string();
            prop_assert!(text.starts_with(name), "{text}");
            prop_assert!(text.contains(": error[E-"), "{text}");
        }
        Ok(case) => assesses_and_renders(&case)?,
    }
    Ok(())
}

fn assesses_and_renders(case: &threshold::case::Case) -> Result<(), TestCaseError> {
    use threshold::render;
    let rules = rule_set();
    let at: jiff::Timestamp = "2026-11-28T22:00:00Z".parse().unwrap();
    let at = at.to_zoned_datetime(jiff::tz::TimeZone::UTC);
    for area in &rules.areas {
        let outcome = threshold::engine::assess(area, &rules.questions, case, &at);
        prop_assert_eq!(outcome.children.len(), case.children.len());
        for child in &outcome.children {
            prop_assert!(child.could_reach >= child.level);
        }
        prop_assert!(
            outcome.contacts.iter().any(|c| c.contact.emergency),
            "999 is always listed"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render::json::to_string(rules, &outcome)).unwrap();
        prop_assert_eq!(
            &json["overall"]["level"],
            &serde_json::json!(outcome.overall)
        );
        for text in [
            render::table::render(rules, &outcome, false),
            render::plain::render(rules, &outcome, true),
            render::markdown::render(rules, &outcome),
        ] {
            prop_assert!(text.contains(render::JUDGEMENT_NOTE), "{text}");
        }
        // The one screen says it in fewer words.
        let screen = render::summary::render(rules, &outcome, 80);
        prop_assert!(
            screen.contains("Supports, not replaces, your judgement."),
            "{screen}"
        );
    }
    Ok(())
}

/// `text` with a few bytes overwritten, inserted or deleted.
fn mutated(text: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let edits = prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8);
    edits.prop_map(move |edits| {
        let mut bytes = text.as_bytes().to_vec();
        for (at, byte, kind) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match kind {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => {
                    bytes.remove(i);
                }
            }
        }
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        read_is_safe(&bytes, "fuzz.yaml")?;
        read_is_safe(&bytes, "fuzz.json")?;
    }

    #[test]
    fn a_mutated_yaml_case_never_panics(bytes in mutated(CASE)) {
        read_is_safe(&bytes, "case.yaml")?;
    }

    #[test]
    fn a_mutated_json_case_never_panics(bytes in mutated(CASE_JSON)) {
        read_is_safe(&bytes, "case.json")?;
    }

    /// Whole characters, not bytes: a wide character where a reader slices by byte
    /// position (the page found one in a moment's offset) is what byte edits rarely make.
    #[test]
    fn any_text_in_any_text_field_never_panics(
        field in prop::sample::select(vec!["area", "reference", "assessed_at", "recorded_reason", "recorded_level"]),
        text in "\\PC{0,24}",
        child_label in "\\PC{0,12}",
    ) {
        let mut case: serde_json::Value = serde_json::from_str(CASE_JSON).unwrap();
        case[field] = serde_json::Value::String(text.clone());
        case["children"][0]["id"] = serde_json::Value::String(child_label);
        read_is_safe(case.to_string().as_bytes(), "case.json")?;
        let now = "2026-11-28T22:00:00Z".parse::<jiff::Timestamp>().unwrap().to_zoned_datetime(jiff::tz::TimeZone::UTC);
        let _ = threshold::hours::parse_at_flag(&text, &now);
    }

    #[test]
    fn a_mutated_rules_file_never_panics(bytes in mutated(include_str!("../rules/areas/torbay.yaml")), which in 0usize..2) {
        let mut files = rules::bundled_files();
        let path = if which == 0 { "areas/torbay.yaml" } else { "questions.yaml" };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        // For the questions file: splice the first 40 characters (not bytes: the mutated
        // text may hold multi-byte characters) in place of one worrying answer.
        let splice: String = text.chars().take(40).collect();
        let text = if which == 0 { text } else { files.iter().find(|f| f.path == path).unwrap().text.replacen("worrying: yes", &splice, 1) };
        files.retain(|f| f.path != path);
        files.push(RuleFile { path: path.to_string(), text });
        if let Err(errors) = rules::load(files, Origin::Bundled, jiff::civil::date(2026, 12, 2)) {
            for diagnostic in &errors.0 {
                prop_assert!(diagnostic.to_string().starts_with("rules/"), "{diagnostic}");
            }
        }
    }
}

/// Run `work` on another thread; fail rather than hang if it takes over ten seconds.
fn within_ten_seconds<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(work());
    });
    receive
        .recv_timeout(Duration::from_secs(10))
        .expect("refused within ten seconds, not hung")
}

#[test]
fn a_yaml_alias_bomb_is_refused() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..12 {
        let previous = (b'a' + level - 1) as char;
        let name = (b'a' + level) as char;
        text.push_str(&format!("{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"));
    }
    text.push_str("schema: 1\n");
    let refused = within_ten_seconds(move || {
        threshold::case::read(text.as_bytes(), "bomb.yaml", bank()).map(|_| ())
    });
    let error = refused.expect_err("an alias bomb is refused").to_string();
    assert!(error.starts_with("bomb.yaml"), "{error}");
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    for (name, text) in [
        (
            "deep.yaml",
            format!(
                "schema: 1\nanswers: {}{}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
        ),
        (
            "deep.json",
            format!(
                "{{\"schema\": 1, \"answers\": {}{}}}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
        ),
    ] {
        let refused = within_ten_seconds(move || {
            threshold::case::read(text.as_bytes(), name, bank()).map(|_| ())
        });
        let error = refused.expect_err("deep nesting is refused").to_string();
        assert!(error.starts_with(name), "{error}");
    }
}

#[test]
fn a_huge_file_is_refused_before_it_is_parsed() {
    let huge = vec![b'#'; 64 * 1024 * 1024];
    let refused =
        within_ten_seconds(move || threshold::case::read(&huge, "huge.yaml", bank()).map(|_| ()));
    assert!(
        refused
            .expect_err("refused")
            .to_string()
            .contains("at most 1048576 bytes")
    );
}

/// A CSV export with a few bytes changed, read by `threshold batch`: it ends with exit
/// code 0, 1 or 2, never a panic.
#[test]
fn a_mutated_csv_export_never_panics() {
    use proptest::test_runner::{Config, TestRunner};
    let csv = "reference,area,assessed_at,recorded_level,child_id,child_age,child_unborn,immediate_danger,adult_mental_health,domestic_abuse_incidents_12m,young_carer\n\
               R1,salford,,2,A,7,no,no,yes,3,yes\nR1,salford,,2,B,,yes,no,yes,3,\nR2,torbay,2026-11-24T10:00,,,,,no,no,0,\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    let mut runner = TestRunner::new(Config {
        cases: 48,
        ..Config::default()
    });
    runner
        .run(
            &mutated(Box::leak(csv.to_string().into_boxed_str())),
            |bytes| {
                std::fs::write(&path, &bytes).unwrap();
                let output = assert_cmd::Command::cargo_bin("threshold")
                    .unwrap()
                    .args(["batch", "--format", "csv"])
                    .arg(&path)
                    .output()
                    .unwrap();
                let stderr = String::from_utf8_lossy(&output.stderr);
                prop_assert!(matches!(output.status.code(), Some(0..=2)), "{stderr}");
                prop_assert!(!stderr.contains("panicked"), "{stderr}");
                Ok(())
            },
        )
        .unwrap();
}

/// Regression: the nesting guard took an apostrophe inside a plain scalar (`O'Neil`) for
/// the start of a quote, and so never saw the brackets after it (120,000 of them: 40 s).
#[test]
fn an_apostrophe_in_a_plain_scalar_does_not_hide_deep_nesting() {
    for prefix in [
        "schema: 1\nreference: O'Neil-7\n",
        "schema: 1\nreference: O\"Neil-7\nanswers: ",
        "schema: 1\nreference: a 'b # c\nanswers: ",
    ] {
        let text = format!("{prefix}{}", "[".repeat(120_000));
        let error = threshold::case::read(text.as_bytes(), "deep.yaml", bank())
            .expect_err("refused")
            .to_string();
        assert!(
            error.starts_with("deep.yaml:") && error.contains("nested more than 100 levels deep"),
            "{error}"
        );
    }
}

/// Pieces of YAML that move the tokenizer between plain, quoted, comment and flow states.
const PIECES: &[&str] = &[
    "reference: ",
    "O'Neil",
    "'",
    "''",
    "\"",
    "\\\"",
    "\\",
    "#",
    " #",
    " ",
    "\n",
    "  ",
    "- ",
    ": ",
    ":",
    "[",
    "]",
    "{",
    "}",
    ", ",
    ",",
    "|\n",
    ">-\n",
    "&a",
    "*a",
    "!t",
    "a",
    "x y",
    "---\n",
    "? ",
    "\t",
    "é",
];

fn yaml_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..24).prop_map(|p| p.concat())
}

/// Text for inside a quoted scalar: brackets, quotes, escapes, comment marks, line ends.
fn quoted_content() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "[", "]", "{", "}", "'", "\"", "\\", "#", " #", " ", "a", "\n", ":", ", ",
    ];
    prop::collection::vec(prop::sample::select(PIECES), 0..200).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The pre-scan against the parser itself: whatever comes before 140 nested brackets,
    /// if the scan lets the text through, the parser never nests past its own limit
    /// (which it would, slowly, if the scan had missed brackets it takes as nesting).
    #[test]
    fn the_nesting_scan_never_misses_what_the_parser_nests(
        before in yaml_soup(),
        separator in prop::sample::select(&["", "\n", "\nk: ", ": ", " ", ", ", "\n- "][..]),
        after in yaml_soup(),
    ) {
        let text = format!("{before}{separator}{}{}{after}", "[".repeat(140), "]".repeat(140));
        let too_deep = |text: &str| {
            threshold::yaml::parse_unscanned::<threshold::yaml::Value>(text)
                .is_err_and(|e| e.contains("recursion limit exceeded"))
        };
        // An alias inside its own anchor (`&a` then `*a: `) reaches the parser's limit
        // with no brackets at all: only nesting the brackets bring is the scan's to catch.
        let without = format!("{before}{separator}{after}");
        if threshold::yaml::refuse_deep_nesting(&text).is_ok() && !too_deep(&without) {
            prop_assert!(
                !too_deep(&text),
                "the scan let through nesting the parser met: {text:?}"
            );
        }
    }

    /// And the other way: brackets inside quoted scalars, however escaped, are text, so a
    /// file that is fine is never refused for them.
    #[test]
    fn brackets_in_quoted_scalars_are_never_counted(
        content in quoted_content(),
        single in any::<bool>(),
        plain_before in prop::sample::select(&["", "O'Neil", "a\"b", "x # y"][..]),
    ) {
        let quoted = if single {
            format!("'{}'", content.replace('\'', "''"))
        } else {
            serde_json::to_string(&content).unwrap()
        };
        let text = format!("before: {plain_before}\nvalue: {quoted}\nafter: [[1]]\n");
        prop_assert!(threshold::yaml::refuse_deep_nesting(&text).is_ok(), "{text:?}");
        let value: threshold::yaml::Value = threshold::yaml::parse_unscanned(&text).unwrap();
        let folded = value["value"].as_str().unwrap().to_string();
        // YAML folds a line break inside a flow scalar into a space; nothing else changes.
        if !content.contains('\n') {
            prop_assert_eq!(folded, content);
        }
    }
}

/// Cells for a CSV export's child column: ids, stray quotes, quoted cells with commas,
/// doubled quotes and line breaks.
const CELLS: &[&str] = &[
    "A",
    "B",
    "\"A\"",
    "\"A,B\"",
    "\"A",
    "A\"",
    "\"\"",
    "\"a\"\"b\"",
    "\"two\nlines\"",
    "\"open\nB",
    "\"",
    "x\"y",
    "\"A\" ",
    "\"A\"x",
];

/// An export of one-child cases, each on its line with its own reference, whatever is in
/// the child's cell: `batch` gives exactly one row per case, in order (a stray quote never
/// swallows the cases after it).
#[test]
fn a_csv_export_with_quotes_and_line_breaks_keeps_one_row_per_case() {
    use proptest::test_runner::{Config, TestRunner};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    let mut runner = TestRunner::new(Config {
        cases: 64,
        ..Config::default()
    });
    let cells = prop::collection::vec(prop::sample::select(CELLS), 1..40);
    runner
        .run(&cells, |cells| {
            let mut export = String::from("reference,area,child_id,child_age,immediate_danger\n");
            for (i, cell) in cells.iter().enumerate() {
                export.push_str(&format!("R{i},salford,{cell},4,no\n"));
            }
            std::fs::write(&path, &export).unwrap();
            let mut stdout = Vec::new();
            let mut stderr = Vec::new();
            let mut io = threshold::Io {
                stdin: &mut std::io::empty(),
                stdout: &mut stdout,
                stderr: &mut stderr,
                styled: false,
                now: threshold::hours::parse_moment("2026-11-24T10:00").unwrap(),
                interactive: false,
            };
            let args = ["threshold", "batch", "--jobs", "1", path.to_str().unwrap()];
            let code = threshold::run(args, &mut io);
            let stdout = String::from_utf8(stdout).unwrap();
            prop_assert!(code <= 2, "{}", String::from_utf8_lossy(&stderr));
            // Every case has its row, in order. A line break written inside a cell makes
            // the rest of that line a line of its own, which gets a row too: refused.
            let mut cases = Vec::new();
            for row in stdout.lines().skip(1) {
                let reference = row.split(',').next().unwrap();
                let case = reference
                    .strip_prefix('R')
                    .and_then(|n| n.parse::<usize>().ok());
                match case {
                    Some(n) => cases.push(n),
                    None => prop_assert!(row.contains(": error[E-"), "{}", row),
                }
            }
            let expected: Vec<usize> = (0..cells.len()).collect();
            prop_assert_eq!(cases, expected, "{}", export);
            Ok(())
        })
        .unwrap();
}
