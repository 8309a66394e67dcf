//! How the interview asks: the `Asker` trait, which the conversation only ever talks
//! through, so tests drive it with a script (`scripted.rs`) and the pseudo-terminal tests
//! drive the real thing. Two implementations on a terminal: `menus.rs` (dialoguer: arrow
//! keys and Enter) and, for `--plain`, `lines.rs` (one typed line per answer).

use crate::question::{Answer, Question};
use crate::render::table::wrap;

/// The practitioner pressed Ctrl-C: stop, and save nothing.
#[derive(Debug)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stopped before the end (Ctrl-C, or the end of input)")
    }
}

impl std::error::Error for Interrupted {}

/// What the practitioner gave for a question: an answer, or "back" to the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Given {
    Answer(Answer),
    Back,
}

/// What typing goes back a question ("b" or "back"), where one can.
pub fn is_back(text: &str) -> bool {
    matches!(text.trim().to_ascii_lowercase().as_str(), "b" | "back")
}

/// One question from the bank, as it is put.
pub struct Ask<'a> {
    /// Its number in this interview, shown before the prompt; `None` when changing an answer.
    pub number: Option<usize>,
    pub question: &'a Question,
    /// The child it is about, by label; `None` for the household.
    pub child: Option<&'a str>,
    /// The answer recorded so far, when changing one.
    pub current: Option<Answer>,
    /// Where the question comes from, the document named by its title.
    pub source: String,
    /// There is a question before it to go back to.
    pub can_go_back: bool,
}

impl Ask<'_> {
    /// "12. Child A: Does the child ...?", wrapped to the width.
    pub fn heading(&self) -> String {
        let about = self
            .child
            .map(|label| format!("Child {}: ", crate::render::shown(label)))
            .unwrap_or_default();
        let number = self
            .number
            .map_or("   *".to_string(), |n| format!("{n:>3}."));
        wrap(
            &number,
            "     ",
            &format!("{about}{}", self.question.prompt.trim()),
        )
    }
}

/// The question's help and its source, as shown on request.
pub fn help_text(ask: &Ask) -> String {
    let mut text = wrap("     Help:", "       ", ask.question.help.trim());
    text.push_str(&wrap("     Source:", "       ", &ask.source));
    text
}

/// Everything the interview asks or says goes through this.
pub trait Asker {
    /// Show text (it ends with a newline).
    fn say(&mut self, text: &str) -> anyhow::Result<()>;
    /// Yes, no or not known (or back, where `ask.can_go_back`); help on request, then the
    /// question again.
    fn yes_no(&mut self, ask: &Ask) -> anyhow::Result<Given>;
    /// A whole number or not known (or back, where `ask.can_go_back`); help on request,
    /// then the question again.
    fn count(&mut self, ask: &Ask) -> anyhow::Result<Given>;
    /// One of `items`, starting on `default`; with none, Enter alone chooses nothing (the
    /// area menu: pressing Enter without reading must not pick whose guidance applies).
    fn choose(
        &mut self,
        prompt: &str,
        items: &[String],
        default: Option<usize>,
    ) -> anyhow::Result<usize>;
    /// A line of text that `check` accepts (it returns why not otherwise).
    fn text(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        check: &dyn Fn(&str) -> Result<(), String>,
    ) -> anyhow::Result<String>;
    fn confirm(&mut self, prompt: &str, default: bool) -> anyhow::Result<bool>;
}

/// A typed yes/no answer: `Some(None)` asks for help.
pub fn parse_yes_no(text: &str) -> Option<Option<Answer>> {
    match text.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Some(Some(Answer::Yes)),
        "n" | "no" => Some(Some(Answer::No)),
        "k" | "u" | "unknown" | "not known" | "dk" => Some(Some(Answer::Unknown)),
        "?" | "h" | "help" => Some(None),
        _ => None,
    }
}

/// A typed count: `Some(None)` asks for help.
pub fn parse_count(text: &str) -> Option<Option<Answer>> {
    let text = text.trim().to_ascii_lowercase();
    match text.as_str() {
        "k" | "u" | "unknown" | "not known" | "dk" => Some(Some(Answer::Unknown)),
        "?" | "h" | "help" => Some(None),
        _ => text.parse::<u32>().ok().map(|n| Some(Answer::Count(n))),
    }
}

/// An answer as the practitioner types it.
pub fn word(answer: Answer) -> String {
    match answer {
        Answer::Unknown => "k".into(),
        Answer::Yes => "y".into(),
        Answer::No => "n".into(),
        Answer::Count(n) => n.to_string(),
    }
}

pub const YES_NO_HINT: &str = "type y, n or k (not known), ? for help, or b to go back";
pub const COUNT_HINT: &str =
    "type a whole number 0 or more, k if not known, ? for help, or b to go back";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_answers_are_read_generously() {
        assert_eq!(parse_yes_no(" Yes "), Some(Some(Answer::Yes)));
        assert_eq!(parse_yes_no("n"), Some(Some(Answer::No)));
        assert_eq!(parse_yes_no("not known"), Some(Some(Answer::Unknown)));
        assert_eq!(parse_yes_no("?"), Some(None));
        assert_eq!(parse_yes_no("maybe"), None);
        assert_eq!(parse_count("3"), Some(Some(Answer::Count(3))));
        assert_eq!(parse_count("k"), Some(Some(Answer::Unknown)));
        assert_eq!(parse_count("-1"), None);
    }
}
