//! Bounded fuzzing on the stable toolchain: arbitrary bytes and mutated files into the
//! case reader and the rules loader. Nothing may panic, every refusal names the file, and
//! pathological input (alias bombs, deep nesting, huge files) is refused, not hung on.

use proptest::prelude::*;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use threshold::question::QuestionBank;
use threshold::rules::{self, Origin, RuleFile};

fn bank() -> &'static Arc<QuestionBank> {
    static BANK: OnceLock<Arc<QuestionBank>> = OnceLock::new();
    BANK.get_or_init(|| {
        let today = jiff::civil::date(2026, 11, 23);
        rules::load(rules::bundled_files(), Origin::Bundled, today)
            .unwrap()
            .0
            .questions
    })
}

const CASE: &str = include_str!("../examples/cases/salford-domestic-abuse-cumulative.yaml");
const CASE_JSON: &str = r#"{"schema": 1, "area": "torbay", "answers": {"immediate_danger": "no", "domestic_abuse_incidents_12m": 3},
 "children": [{"id": "A", "age": 4, "answers": {"young_carer": "yes"}}, {"id": "B", "unborn": true}]}"#;

/// Read `bytes` as a case named `name`: it may be refused, but never panic, and a refusal
/// names the file first.
fn read_is_safe(bytes: &[u8], name: &str) -> Result<(), TestCaseError> {
    if let Err(diagnostic) = threshold::case::read(bytes, name, bank()) {
        let text = diagnostic.to_string();
        prop_assert!(text.starts_with(name), "{text}");
        prop_assert!(text.contains("error: "));
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

    #[test]
    fn a_mutated_rules_file_never_panics(bytes in mutated(include_str!("../rules/areas/torbay.yaml")), which in 0usize..2) {
        let mut files = rules::bundled_files();
        let path = if which == 0 { "areas/torbay.yaml" } else { "questions.yaml" };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let text = if which == 0 { text } else { files.iter().find(|f| f.path == path).unwrap().text.replacen("worrying: yes", &text[..text.len().min(40)], 1) };
        files.retain(|f| f.path != path);
        files.push(RuleFile { path: path.to_string(), text });
        if let Err(errors) = rules::load(files, Origin::Bundled, jiff::civil::date(2026, 11, 23)) {
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
