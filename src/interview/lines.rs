//! The interview for screen readers (`--plain`): every prompt printed once on its own line
//! and every answer typed on one line, read in the terminal's ordinary line mode. Nothing is
//! redrawn or cleared, and there is no colour or box drawing, so what a screen reader reads
//! is exactly what was asked and answered. Ctrl-C in line mode is SIGINT (see `stop.rs`);
//! the end of input (Ctrl-D) stops the interview the same way.

use super::asker::{
    Ask, Asker, COUNT_HINT, Given, Interrupted, YES_NO_HINT, help_text, is_back, parse_count,
    parse_yes_no, word,
};
use crate::question::Answer;
use crate::render::table::wrap;
use std::io::{Read, Write};

pub struct LineAsker<'a> {
    input: &'a mut dyn Read,
    output: &'a mut dyn Write,
}

impl<'a> LineAsker<'a> {
    pub fn new(input: &'a mut dyn Read, output: &'a mut dyn Write) -> LineAsker<'a> {
        LineAsker { input, output }
    }

    /// Show `prompt` (and the default, in brackets) and read one line.
    fn line(&mut self, prompt: &str, default: Option<&str>) -> anyhow::Result<String> {
        let shown = default.map(|d| format!(" [{d}]")).unwrap_or_default();
        write!(self.output, "{prompt}{shown}: ")?;
        self.output.flush()?;
        let mut bytes = Vec::new();
        let mut byte = [0u8];
        loop {
            match self.input.read(&mut byte) {
                Ok(0) if bytes.is_empty() => return Err(anyhow::Error::new(Interrupted)),
                Ok(0) => break,
                Ok(_) if byte[0] == b'\n' => break,
                Ok(_) => bytes.push(byte[0]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(anyhow::Error::new(e).context("cannot read the answer")),
            }
        }
        let text = String::from_utf8_lossy(&bytes).trim().to_string();
        Ok(match (text.is_empty(), default) {
            (true, Some(default)) => default.to_string(),
            _ => text,
        })
    }

    /// Ask until `parse` accepts (or "b" goes back, where it can); `None` from it shows
    /// the help.
    fn until(
        &mut self,
        ask: &Ask,
        prompt: &str,
        hint: &str,
        parse: fn(&str) -> Option<Option<Answer>>,
    ) -> anyhow::Result<Given> {
        self.say(&ask.heading())?;
        let current = ask.current.map(word);
        loop {
            let typed = self.line(prompt, current.as_deref())?;
            if ask.can_go_back && is_back(&typed) {
                return Ok(Given::Back);
            }
            match parse(&typed) {
                Some(Some(answer)) => return Ok(Given::Answer(answer)),
                Some(None) => self.say(&help_text(ask))?,
                None => self.say(&format!("  {hint}\n"))?,
            }
        }
    }
}

impl Asker for LineAsker<'_> {
    fn say(&mut self, text: &str) -> anyhow::Result<()> {
        self.output.write_all(text.as_bytes())?;
        self.output.flush()?;
        Ok(())
    }

    fn yes_no(&mut self, ask: &Ask) -> anyhow::Result<Given> {
        let prompt = "Answer (y yes, n no, k not known, ? help)";
        self.until(ask, prompt, YES_NO_HINT, parse_yes_no)
    }

    fn count(&mut self, ask: &Ask) -> anyhow::Result<Given> {
        let prompt = "Number (or k not known, ? help)";
        self.until(ask, prompt, COUNT_HINT, parse_count)
    }

    fn choose(
        &mut self,
        prompt: &str,
        items: &[String],
        default: Option<usize>,
    ) -> anyhow::Result<usize> {
        let mut list = format!("{prompt}\n");
        for (i, item) in items.iter().enumerate() {
            list.push_str(&wrap(&format!("{:>3}.", i + 1), "     ", item));
        }
        self.say(&list)?;
        let count = items.len();
        let first = default.map(|d| (d + 1).to_string());
        loop {
            let typed = self.line(&format!("Number (1-{count})"), first.as_deref())?;
            match typed.parse::<usize>() {
                Ok(n) if (1..=count).contains(&n) => return Ok(n - 1),
                _ => self.say(&format!("  type a number from 1 to {count}\n"))?,
            }
        }
    }

    fn text(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        check: &dyn Fn(&str) -> Result<(), String>,
    ) -> anyhow::Result<String> {
        loop {
            let typed = self.line(prompt, default)?;
            match check(&typed) {
                Ok(()) => return Ok(typed),
                Err(why) => self.say(&format!("  {why}\n"))?,
            }
        }
    }

    fn confirm(&mut self, prompt: &str, default: bool) -> anyhow::Result<bool> {
        let shown = if default { "y" } else { "n" };
        loop {
            let typed = self.line(&format!("{prompt} (y/n)"), Some(shown))?;
            match typed.to_ascii_lowercase().as_str() {
                "y" | "yes" => return Ok(true),
                "n" | "no" => return Ok(false),
                _ => self.say("  type y or n\n")?,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked<T>(input: &str, ask: impl FnOnce(&mut LineAsker) -> anyhow::Result<T>) -> (T, String) {
        let mut input = input.as_bytes();
        let mut output = Vec::new();
        let answer = ask(&mut LineAsker::new(&mut input, &mut output)).unwrap();
        (answer, String::from_utf8(output).unwrap())
    }

    #[test]
    fn a_typed_answer_is_asked_again_until_it_is_one_and_help_is_shown_on_request() {
        let rules = super::super::flow::tests::rules();
        let q = rules.questions.get("immediate_danger").unwrap();
        let question = rules.questions.question(q);
        let mut ask = Ask {
            number: Some(1),
            question,
            child: None,
            current: None,
            source: crate::render::view::question_source(rules, &question.source),
            can_go_back: false,
        };
        let (answer, shown) = asked("maybe\n?\nb\nn\n", |a| a.yes_no(&ask));
        assert_eq!(answer, Given::Answer(Answer::No));
        assert!(shown.contains(YES_NO_HINT), "{shown}");
        assert!(shown.contains("Help: For example"), "{shown}");
        // The source by its title, never a seed's file name.
        assert!(question.source.contains(".txt"), "{}", question.source);
        assert!(!shown.contains(".txt"), "{shown}");
        // "b" goes back only where there is a question before.
        ask.can_go_back = true;
        assert_eq!(asked("b\n", |a| a.count(&ask)).0, Given::Back);
        assert!(!shown.contains('\x1b'), "{shown}");
    }

    #[test]
    fn the_end_of_input_stops_the_interview() {
        let mut input: &[u8] = b"";
        let mut output = Vec::new();
        let stopped = LineAsker::new(&mut input, &mut output)
            .confirm("Finish?", false)
            .unwrap_err();
        assert!(stopped.is::<Interrupted>());
    }
}
