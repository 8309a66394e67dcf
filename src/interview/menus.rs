//! The interview on a terminal with dialoguer: each answer chosen from a menu with the
//! arrow keys and Enter, colour where allowed.

use super::asker::{
    Ask, Asker, COUNT_HINT, Given, Interrupted, help_text, is_back, parse_count, word,
};
use crate::question::Answer;
use console::Term;
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, Select};

const YES_NO_ITEMS: [&str; 4] = [
    "Yes",
    "No",
    "Not known",
    "Help: what this means, and the source",
];
/// The last item, where there is a question before this one.
const BACK: &str = "Back: the question before";

/// The item a yes/no menu starts on: the current answer, else "Not known", so that
/// pressing Enter without reading never records a reassuring answer.
fn menu_start(current: Option<Answer>) -> usize {
    match current {
        Some(Answer::Yes) => 0,
        Some(Answer::No) => 1,
        _ => 2,
    }
}

/// dialoguer's error for Ctrl-C (the key read is interrupted) becomes `Interrupted`.
fn stopped(error: dialoguer::Error) -> anyhow::Error {
    let dialoguer::Error::IO(io) = error;
    if io.kind() == std::io::ErrorKind::Interrupted {
        anyhow::Error::new(Interrupted)
    } else {
        anyhow::Error::new(io).context("cannot read from the terminal")
    }
}

pub struct MenuAsker {
    term: Term,
    theme: ColorfulTheme,
    /// How a recorded answer is marked (dim when colour is allowed).
    done: console::Style,
}

impl MenuAsker {
    pub fn new(styled: bool) -> MenuAsker {
        console::set_colors_enabled(styled);
        console::set_colors_enabled_stderr(styled);
        MenuAsker {
            term: Term::stdout(),
            theme: ColorfulTheme::default(),
            done: console::Style::new().dim(),
        }
    }

    /// One pass of the yes/no menu; `None` asks for help.
    fn yes_no_once(&mut self, ask: &Ask) -> anyhow::Result<Option<Given>> {
        let mut items = YES_NO_ITEMS.to_vec();
        if ask.can_go_back {
            items.push(BACK);
        }
        // dialoguer's own report would also echo "Help" as if it were an answer.
        let chosen = Select::with_theme(&self.theme)
            .with_prompt("Answer")
            .items(&items)
            .default(menu_start(ask.current))
            .report(false)
            .interact_on(&self.term)
            .map_err(stopped)?;
        let answer = match chosen {
            0 => Answer::Yes,
            1 => Answer::No,
            2 => Answer::Unknown,
            3 => return Ok(None),
            _ => return Ok(Some(Given::Back)),
        };
        let line = format!(
            "     {} {}\n",
            self.done.apply_to("Answer:"),
            YES_NO_ITEMS[chosen]
        );
        self.say(&line)?;
        Ok(Some(Given::Answer(answer)))
    }
}

impl Asker for MenuAsker {
    fn say(&mut self, text: &str) -> anyhow::Result<()> {
        self.term.write_str(text)?;
        self.term.flush()?;
        Ok(())
    }

    fn yes_no(&mut self, ask: &Ask) -> anyhow::Result<Given> {
        self.say(&ask.heading())?;
        loop {
            match self.yes_no_once(ask)? {
                Some(answer) => return Ok(answer),
                None => self.say(&help_text(ask))?,
            }
        }
    }

    fn count(&mut self, ask: &Ask) -> anyhow::Result<Given> {
        self.say(&ask.heading())?;
        loop {
            let back = ask.can_go_back;
            let mut input = Input::<String>::with_theme(&self.theme)
                .with_prompt("Number (or k not known, ? help)")
                .report(false)
                .validate_with(move |text: &String| {
                    if back && is_back(text) {
                        return Ok(());
                    }
                    parse_count(text).map(|_| ()).ok_or(COUNT_HINT)
                });
            if let Some(current) = ask.current {
                input = input.default(word(current));
            }
            let typed = input.interact_text_on(&self.term).map_err(stopped)?;
            if back && is_back(&typed) {
                return Ok(Given::Back);
            }
            match parse_count(&typed) {
                Some(Some(answer)) => {
                    let shown = match answer {
                        Answer::Count(n) => n.to_string(),
                        _ => "Not known".to_string(),
                    };
                    self.say(&format!("     {} {shown}\n", self.done.apply_to("Answer:")))?;
                    return Ok(Given::Answer(answer));
                }
                _ => self.say(&help_text(ask))?,
            }
        }
    }

    fn choose(
        &mut self,
        prompt: &str,
        items: &[String],
        default: Option<usize>,
    ) -> anyhow::Result<usize> {
        let mut select = Select::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(items)
            .max_length(12);
        // Without a default, dialoguer starts on no item and ignores Enter until an arrow
        // key picks one.
        if let Some(default) = default {
            select = select.default(default);
        }
        select.interact_on(&self.term).map_err(stopped)
    }

    fn text(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        check: &dyn Fn(&str) -> Result<(), String>,
    ) -> anyhow::Result<String> {
        let mut input = Input::<String>::with_theme(&self.theme)
            .with_prompt(prompt)
            .allow_empty(true)
            .validate_with(|text: &String| check(text.trim()));
        if let Some(default) = default {
            input = input.default(default.to_string());
        }
        let text = input.interact_text_on(&self.term).map_err(stopped)?;
        Ok(text.trim().to_string())
    }

    fn confirm(&mut self, prompt: &str, default: bool) -> anyhow::Result<bool> {
        Confirm::with_theme(&self.theme)
            .with_prompt(prompt)
            .default(default)
            .wait_for_newline(true)
            .interact_on(&self.term)
            .map_err(stopped)
    }
}
