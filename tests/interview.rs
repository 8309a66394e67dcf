//! `threshold check` driven as a practitioner drives it: the real binary under a
//! pseudo-terminal of 80 columns, keys sent, screens read. Every wait has a time limit.
//!
//! Unix only: Windows has no pseudo-terminal of this kind (the Windows build's CLI tests run
//! under wine in `.ci/run`; the interview's logic is tested on every platform in
//! src/interview/session.rs with a scripted asker).
#![cfg(unix)]

use expectrl::process::unix::WaitStatus;
use expectrl::{Any, Eof, Expect, Session};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const AT: &str = "2026-11-24T10:00";
const UP: &str = "\x1b[A";
const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";
/// The last item of every yes/no menu: the menu is drawn and waiting for a key.
const MENU: &str = "Help: what this means, and the source";
/// The typed yes/no prompt of `--plain`.
const TYPED: &str = "Answer (y yes, n no, k not known, ? help)";

/// The interview on a pseudo-terminal, and everything it has shown so far.
struct Tty {
    session: expectrl::session::OsSession,
    seen: String,
}

impl Tty {
    /// `threshold check --at AT ARGS` in `dir`, on an 80x24 terminal without colour.
    fn start(dir: &Path, args: &[&str]) -> Tty {
        let command = format!(
            "stty cols 80 rows 24; exec '{}' check --at {AT} {}",
            env!("CARGO_BIN_EXE_threshold"),
            args.join(" ")
        );
        let mut shell = Command::new("sh");
        shell
            .args(["-c", &command])
            .current_dir(dir)
            .env("TERM", "xterm-256color")
            .env("NO_COLOR", "1")
            .env_remove("THRESHOLD_RULES");
        let mut session = Session::spawn(shell).expect("spawn under a pty");
        session.set_expect_timeout(Some(Duration::from_secs(10)));
        Tty {
            session,
            seen: String::new(),
        }
    }

    /// Wait for `text` on the screen.
    fn expect(&mut self, text: &str) {
        match self.session.expect(text) {
            Ok(found) => self
                .seen
                .push_str(&String::from_utf8_lossy(found.as_bytes())),
            Err(e) => panic!("waited for {text:?}: {e}\nshown so far:\n{}", self.seen),
        }
    }

    /// Wait for the first of `texts`; returns its index.
    fn expect_any(&mut self, texts: &[&str]) -> usize {
        let found = match self.session.expect(Any(texts)) {
            Ok(found) => found,
            Err(e) => panic!(
                "waited for one of {texts:?}: {e}\nshown so far:\n{}",
                self.seen
            ),
        };
        self.seen
            .push_str(&String::from_utf8_lossy(found.as_bytes()));
        let matched = found.get(0).unwrap_or_default();
        texts
            .iter()
            .position(|t| t.as_bytes() == matched)
            .unwrap_or(0)
    }

    fn send(&mut self, keys: &str) {
        self.session.send(keys).expect("send keys");
    }

    /// At a yes/no menu (started on "Not known"): move to `answer` and press Enter.
    fn menu(&mut self, answer: &str) {
        self.expect(MENU);
        let keys = match answer {
            "yes" => format!("{UP}{UP}{ENTER}"),
            "no" => format!("{UP}{ENTER}"),
            "not known" => ENTER.to_string(),
            "help" => format!("{DOWN}{ENTER}"),
            other => panic!("no menu answer {other}"),
        };
        self.send(&keys);
    }

    /// Ctrl-C: the interview says nothing was saved and exits 2.
    fn stop(mut self) {
        self.send("\x03");
        self.expect("Stopped: nothing was saved.");
        assert_eq!(self.exit_code(), 2);
    }

    /// Type into the prompt that shows `prompt`.
    fn typed(&mut self, prompt: &str, text: &str) {
        self.expect(prompt);
        self.send(&format!("{text}{ENTER}"));
    }

    /// Choose the menu item that shows `item`, `downs` places below where it starts.
    fn pick(&mut self, item: &str, downs: usize) {
        self.expect(item);
        self.send(&format!("{}{ENTER}", DOWN.repeat(downs)));
    }

    /// Answer "no" to each numbered question until `stop` shows; returns how many.
    fn no_until(&mut self, first: usize, stop: &str, plain: bool) -> usize {
        let mut number = first;
        loop {
            let heading = format!("{number:>3}. ");
            if self.expect_any(&[stop, &heading]) == 0 {
                return number - first;
            }
            if plain {
                self.typed(TYPED, "n");
            } else {
                self.menu("no");
            }
            number += 1;
        }
    }

    /// Wait for the end; the exit code.
    fn exit_code(mut self) -> i32 {
        if let Err(e) = self.session.expect(Eof) {
            panic!(
                "the interview did not end: {e}\nshown so far:\n{}",
                self.seen
            );
        }
        match self.session.get_process().wait() {
            Ok(WaitStatus::Exited(_, code)) => code,
            other => panic!("the interview ended with {other:?}"),
        }
    }

    /// What was shown, with the terminal's line ends made plain.
    fn screen(&self) -> String {
        self.seen.replace("\r\n", "\n")
    }
}

/// What `threshold assess` prints for a case file, at the same moment, without colour.
fn assess(path: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_threshold"))
        .arg("assess")
        .arg(path)
        .args(["--at", AT])
        .env("NO_COLOR", "1")
        .env_remove("THRESHOLD_RULES")
        .output()
        .expect("run assess");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn a_no_concern_visit_takes_at_most_25_questions_and_its_case_file_reloads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let mut tty = Tty::start(dir.path(), &[]);
    tty.expect("If a child is in immediate danger, ring 999.");
    tty.expect("Whose guidance applies?");
    // No area is chosen until an arrow key moves to one: the first is Redbridge.
    tty.pick("Salford", 2);
    let household = tty.no_until(1, "Number of children", false);
    tty.send(&format!("1{ENTER}"));
    tty.typed("Label", "");
    tty.typed("Age", "12");
    let child = tty.no_until(household + 1, "Your answers", false);
    // SPEC section 11: under 25. Going missing, drugs or alcohol and exploitation are asked
    // behind one question naming all three, and a child's care or legal status behind
    // another, so the national layer's questions fit.
    assert!(
        household + child < 25,
        "{household} + {child} questions:\n{}",
        tty.screen()
    );
    tty.expect("Not asked, because no answer to them could change");
    tty.pick("See the result", 0);
    tty.expect("Supports, not replaces, professional judgement.");
    tty.pick("Save the answers as a case file", 3);
    tty.typed("Case reference", "");
    tty.typed("Save the case file as", "visit.yaml");
    tty.expect("Saved visit.yaml (only you can read it).");
    tty.pick("Finish", 5);
    tty.expect("Done. Saved: visit.yaml.");
    let screen = tty.screen();
    assert_eq!(tty.exit_code(), 0);

    let reloaded = assess(&dir.path().join("visit.yaml"));
    assert!(
        screen.contains(&reloaded),
        "assess of the saved case differs from the interview's result:\n{reloaded}\n---\n{screen}"
    );
    assert!(
        reloaded.contains("Household level: 1 Getting Advice"),
        "{reloaded}"
    );
    // A line rewritten in place (a prompt and then its answer) counts from each `\r`.
    for line in screen.split(['\n', '\r']) {
        assert!(
            console::measure_text_width(line) <= 80,
            "wider than 80 columns: {line:?}"
        );
    }
}

#[test]
fn an_emergency_shows_999_right_after_the_first_question() {
    let dir = tempfile::tempdir().unwrap();
    let mut tty = Tty::start(dir.path(), &["--area", "salford"]);
    tty.expect("  1. Is any child in the household in immediate danger right now?");
    tty.menu("yes");
    tty.expect("EMERGENCY: a child may be in immediate danger. Ring 999 now.");
    tty.expect("Police (emergency): 999, RING NOW");
    tty.expect("0161 603 4500");
    tty.expect("Make the call first.");
    let asked = 1 + tty.no_until(2, "Number of children", false);
    tty.send(&format!("1{ENTER}"));
    tty.typed("Label", "");
    tty.typed("Age", "2");
    let asked = asked + tty.no_until(asked + 1, "Your answers", false);
    // What still changes a route or an action: while the children are not yet described
    // one could be unborn, so what opens the national pre-birth route is asked (a parent's
    // mental ill health, drug or alcohol misuse, learning disability, domestic abuse, an
    // adult posing a risk, a housing crisis), then the LADO question and what opens the
    // child's own routes (a disability, going missing or exploitation, a social worker).
    assert!(
        asked <= 11,
        "{asked} questions in an emergency:\n{}",
        tty.screen()
    );
    tty.pick("See the result", 0);
    tty.expect("EMERGENCY: a child may be in immediate danger. Ring 999 now.");
    tty.expect("Household level: 4 Getting Risk Support");
    tty.pick("Finish", 5);
    tty.typed("Nothing has been saved. Finish anyway?", "y");
    tty.expect("Done. Nothing was saved.");
    assert_eq!(tty.exit_code(), 0);
}

#[test]
fn pressing_enter_at_the_area_menu_chooses_no_area() {
    let dir = tempfile::tempdir().unwrap();
    let mut tty = Tty::start(dir.path(), &["--plain"]);
    tty.expect("Whose guidance applies?");
    tty.expect("Number (1-4): ");
    tty.send(ENTER);
    tty.expect("type a number from 1 to 4");
    tty.typed("Number (1-4)", "2");
    tty.expect(TYPED);
    let screen = tty.screen();
    assert!(
        !screen.contains("Number (1-4) ["),
        "no default offered:\n{screen}"
    );
    tty.send("\x03");
    assert_eq!(tty.exit_code(), 2);
}

#[test]
fn two_children_in_plain_mode_each_get_their_own_questions() {
    let dir = tempfile::tempdir().unwrap();
    let mut tty = Tty::start(dir.path(), &["--area", "salford", "--plain"]);
    let household = tty.no_until(1, "Number of children", true);
    tty.send(&format!("2{ENTER}"));
    tty.typed("Label", "eldest");
    tty.typed("Age", "9");
    tty.expect("Child eldest, age 9");
    let first = tty.no_until(household + 1, "Label", true);
    tty.send(ENTER);
    tty.typed("Age", "u");
    tty.expect("Child A, unborn");
    let second = tty.no_until(household + first + 1, "Your answers", true);
    assert!(first > second, "an unborn child is asked fewer questions");
    tty.expect("Child eldest, age 9:");
    tty.expect("Child A, unborn:");
    tty.typed("Number (1-4)", "1");
    tty.expect("Household level: 1 Getting Advice");
    tty.expect("- Child eldest, age 9: 1 Getting Advice");
    tty.expect("- Child A, unborn: 1 Getting Advice");
    let screen = tty.screen();
    assert!(
        !screen.contains('┌') && !screen.contains('│') && !screen.contains('\x1b'),
        "plain output has box drawing or escapes:\n{screen}"
    );
    tty.typed("Number (1-6)", "6");
    tty.typed("Finish anyway?", "y");
    assert_eq!(tty.exit_code(), 0);
}

#[test]
fn help_shows_the_help_and_source_then_asks_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut tty = Tty::start(dir.path(), &["--area", "torbay"]);
    tty.menu("help");
    tty.expect("Help: For example a child has just been seriously hurt");
    tty.expect("Source: Adult practitioners' procedures: safeguarding children");
    tty.menu("no");
    tty.expect("  2. Does a parent or carer have mental ill health?");
    tty.stop();
}

/// A wrong key at question 2: "Back" (offered from the second question on) puts question 1
/// again, and its new answer is the one kept.
#[test]
fn back_puts_the_question_before_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut tty = Tty::start(dir.path(), &["--area", "torbay"]);
    tty.expect("  1. Is any child in the household in immediate danger");
    tty.menu("not known");
    tty.expect("  2. Does a parent or carer have mental ill health?");
    tty.expect(MENU);
    tty.expect("Back: the question before");
    tty.send(&format!("{DOWN}{DOWN}{ENTER}"));
    tty.expect("Back to the question before.");
    tty.expect("  1. Is any child in the household in immediate danger");
    tty.menu("no");
    tty.expect("  2. Does a parent or carer have mental ill health?");
    tty.stop();
}

#[test]
fn an_answer_changed_at_review_changes_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let mut tty = Tty::start(dir.path(), &["--area", "redbridge", "--plain"]);
    let household = tty.no_until(1, "Number of children", true);
    tty.send(&format!("1{ENTER}"));
    tty.typed("Label", "");
    tty.typed("Age", "6");
    let asked = household + tty.no_until(household + 1, "Your answers", true);
    tty.expect("2. Change an answer");
    tty.typed("Number (1-4)", "2");
    tty.expect("Household · adult drug or alcohol misuse: no");
    let screen = tty.screen();
    let entry = screen
        .lines()
        .find(|l| l.contains("Household · adult drug or alcohol misuse: no"))
        .and_then(|l| l.trim().split('.').next())
        .and_then(|n| n.trim().parse::<usize>().ok())
        .expect("a numbered entry");
    tty.typed("Number (1-", &entry.to_string());
    tty.typed(TYPED, "y");
    // The change opens relapse, which is asked next (and answered yes); the strengths are
    // not asked, as they cannot lower the level.
    tty.expect(&format!(
        "{:>3}. Is the adult in relapse or crisis now",
        asked + 1
    ));
    tty.typed(TYPED, "y");
    // It also opens whether a parent's threats or delusions involve a child (a national
    // floor at tier 4), answered no here; nothing else could change the result.
    assert_eq!(tty.no_until(asked + 2, "Your answers", true), 1);
    assert!(
        tty.screen().contains(&format!(
            "{:>3}. Has a parent threatened to harm or kill a child",
            asked + 2
        )),
        "{}",
        tty.screen()
    );
    assert!(!tty.screen().contains("What is working well"));
    tty.expect("adult drug or alcohol misuse: yes");
    tty.typed("Number (1-4)", "1");
    // Redbridge: a parent misusing drugs and in relapse is one of the "adults with
    // significant needs of their own, particularly those with substance misuse" whose
    // children "are more likely to be at risk of being harmed" (001, Introduction para 1):
    // 2 + 4 points, Level 3.
    tty.expect("Household level: Level 3");
    tty.typed("Number (1-6)", "6");
    tty.typed("Finish anyway?", "y");
    assert_eq!(tty.exit_code(), 0);
}

#[test]
fn pressing_enter_without_reading_records_not_known_never_no() {
    let dir = tempfile::tempdir().unwrap();
    let mut tty = Tty::start(dir.path(), &["--area", "torbay"]);
    tty.expect("  1. Is any child in the household in immediate danger right now?");
    tty.send(ENTER);
    tty.expect("Answer: Not known");
    // Not known is not a no: the "find out now" route and 999 come at once.
    tty.expect("999");
    tty.stop();
}

#[test]
fn ctrl_c_shows_the_cursor_says_nothing_was_saved_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut tty = Tty::start(dir.path(), &["--area", "trafford"]);
    tty.expect(MENU);
    tty.send("\x03");
    tty.expect("Stopped: nothing was saved.");
    assert!(tty.seen.contains("\x1b[?25h"), "the cursor was left hidden");
    assert_eq!(tty.exit_code(), 2);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn ctrl_c_at_a_typed_prompt_also_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut tty = Tty::start(dir.path(), &["--area", "trafford", "--plain"]);
    tty.expect(TYPED);
    tty.send("y");
    tty.stop();
}

#[test]
fn the_decision_record_is_owner_only_and_keeps_both_levels() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("taken.md"), "someone else's").unwrap();
    let mut tty = Tty::start(dir.path(), &["--area", "salford", "--plain"]);
    let household = tty.no_until(1, "Number of children", true);
    tty.send(&format!("1{ENTER}"));
    tty.typed("Label", "");
    tty.typed("Age", "5");
    tty.no_until(household + 1, "Your answers", true);
    tty.typed("Number (1-4)", "1");
    tty.typed("Number (1-6)", "2");
    tty.typed("Number (1-4)", "2");
    tty.typed("Reason", "");
    tty.expect("a reason is needed");
    tty.send(&format!("Parent hides drinking from services{ENTER}"));
    tty.expect("both are kept");
    tty.typed("Number (1-6)", "3");
    tty.typed("Case reference", "REF-9");
    tty.typed("Save the decision record as", "taken.md");
    tty.typed("taken.md exists. Replace it?", "n");
    tty.expect("Not saved.");
    tty.typed("Number (1-6)", "3");
    tty.typed("Save the decision record as", "");
    tty.expect("(only you can read it)");
    tty.typed("Number (1-6)", "6");
    assert_eq!(tty.exit_code(), 0);

    assert_eq!(
        std::fs::read_to_string(dir.path().join("taken.md")).unwrap(),
        "someone else's"
    );
    let record = dir.path().join("REF-9-2026-11-24-1000-record.md");
    let mode = std::fs::metadata(&record).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the record is readable by others");
    let text = std::fs::read_to_string(&record).unwrap();
    for part in [
        "| Date and time | Tue 24 Nov 2026, 10:00 GMT (Europe/London) |",
        "| Case reference | REF-9 |",
        "- The tool's level for the household: **1 Getting Advice**",
        "- The practitioner's judgement: **2 Getting Help**",
        "- The practitioner's reason: Parent hides drinking from services",
        "Recorded level: 2 Getting Help (the tool says 1 Getting Advice; both are kept).",
    ] {
        assert!(text.contains(part), "{part:?} missing:\n{text}");
    }
}

#[test]
fn replaying_a_case_file_asks_only_what_is_still_open() {
    let dir = tempfile::tempdir().unwrap();
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/cases/torbay-unknowns.yaml");
    let case = case.display().to_string();
    let mut tty = Tty::start(dir.path(), &["--plain", "--answers", &case]);
    tty.expect("Starting from the answers in");
    let asked = tty.no_until(1, "Your answers", true);
    let screen = tty.screen();
    assert!(asked > 0, "{screen}");
    for answered in [
        "immediate danger right now?",
        "mental ill health?",
        "school attendance",
    ] {
        assert!(
            !screen.contains(answered),
            "{answered} was asked again:\n{screen}"
        );
    }
    tty.typed("Number (1-4)", "1");
    tty.expect("threshold: Torbay");
    tty.typed("Number (1-6)", "6");
    tty.typed("Finish anyway?", "y");
    assert_eq!(tty.exit_code(), 0);
}

#[test]
fn without_a_terminal_check_refuses_and_points_to_assess() {
    let output = Command::new(env!("CARGO_BIN_EXE_threshold"))
        .args(["check", "--area", "salford"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run check");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("needs a terminal"), "{stderr}");
    assert!(stderr.contains("threshold assess CASE"), "{stderr}");
    assert!(output.stdout.is_empty());
}
