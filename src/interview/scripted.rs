//! A scripted `Asker` for unit tests: replies in order, a transcript of everything shown
//! and asked, and how many prompts were put.

use super::asker::{Ask, Asker, Given, help_text};
use crate::question::Answer;
use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Yes,
    No,
    NotKnown,
    Help,
    Count(u32),
    /// The menu item that contains this text.
    Pick(&'static str),
    Text(&'static str),
    Confirm(bool),
    /// Back to the question before.
    Back,
    /// "No" to every yes/no question until something else is asked: scripts need not
    /// count how many questions the bank holds today.
    NoToAll,
}

const YES_NO: &str = "a yes/no question";

#[derive(Default)]
pub struct Scripted {
    replies: VecDeque<Reply>,
    pub transcript: String,
    /// Every prompt put: questions, menus, text and confirmations.
    pub prompts: usize,
}

impl Scripted {
    pub fn new(replies: impl IntoIterator<Item = Reply>) -> Scripted {
        Scripted {
            replies: replies.into_iter().collect(),
            ..Scripted::default()
        }
    }

    fn next(&mut self, wanted: &str) -> anyhow::Result<Reply> {
        self.prompts += 1;
        if self.replies.front() == Some(&Reply::NoToAll) {
            if wanted == YES_NO {
                return Ok(Reply::No);
            }
            self.replies.pop_front();
        }
        self.replies.pop_front().ok_or_else(|| {
            anyhow::anyhow!(
                "the script ran out at {wanted}; transcript:\n{}",
                self.transcript
            )
        })
    }

    fn wrong(&self, reply: &Reply, wanted: &str) -> anyhow::Error {
        anyhow::anyhow!(
            "the script gave {reply:?} where {wanted} was asked; transcript:\n{}",
            self.transcript
        )
    }

    pub fn is_done(&self) -> bool {
        self.replies.is_empty()
    }
}

impl Asker for Scripted {
    fn say(&mut self, text: &str) -> anyhow::Result<()> {
        self.transcript.push_str(text);
        Ok(())
    }

    fn yes_no(&mut self, ask: &Ask) -> anyhow::Result<Given> {
        self.transcript.push_str(&ask.heading());
        loop {
            let answer = match self.next(YES_NO)? {
                Reply::Yes => Answer::Yes,
                Reply::No => Answer::No,
                Reply::NotKnown => Answer::Unknown,
                Reply::Back if ask.can_go_back => return Ok(Given::Back),
                Reply::Help => {
                    self.transcript.push_str(&help_text(ask));
                    continue;
                }
                other => return Err(self.wrong(&other, YES_NO)),
            };
            return Ok(Given::Answer(answer));
        }
    }

    fn count(&mut self, ask: &Ask) -> anyhow::Result<Given> {
        self.transcript.push_str(&ask.heading());
        loop {
            let answer = match self.next("a count")? {
                Reply::Count(n) => Answer::Count(n),
                Reply::NotKnown => Answer::Unknown,
                Reply::Back if ask.can_go_back => return Ok(Given::Back),
                Reply::Help => {
                    self.transcript.push_str(&help_text(ask));
                    continue;
                }
                other => return Err(self.wrong(&other, "a count")),
            };
            return Ok(Given::Answer(answer));
        }
    }

    fn choose(
        &mut self,
        prompt: &str,
        items: &[String],
        _default: Option<usize>,
    ) -> anyhow::Result<usize> {
        self.transcript.push_str(&format!("[{prompt}]\n"));
        match self.next(prompt)? {
            Reply::Pick(text) => items
                .iter()
                .position(|item| item.contains(text))
                .ok_or_else(|| anyhow::anyhow!("no item {text:?} at {prompt}: {items:?}")),
            other => Err(self.wrong(&other, prompt)),
        }
    }

    fn text(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        check: &dyn Fn(&str) -> Result<(), String>,
    ) -> anyhow::Result<String> {
        loop {
            self.transcript.push_str(&format!("[{prompt}]\n"));
            let typed = match self.next(prompt)? {
                Reply::Text(text) => text,
                other => return Err(self.wrong(&other, prompt)),
            };
            let typed = match (typed.is_empty(), default) {
                (true, Some(default)) => default.to_string(),
                _ => typed.to_string(),
            };
            match check(&typed) {
                Ok(()) => return Ok(typed),
                Err(why) => self.transcript.push_str(&format!("refused: {why}\n")),
            }
        }
    }

    fn confirm(&mut self, prompt: &str, _default: bool) -> anyhow::Result<bool> {
        self.transcript.push_str(&format!("[{prompt}]\n"));
        match self.next(prompt)? {
            Reply::Confirm(yes) => Ok(yes),
            other => Err(self.wrong(&other, prompt)),
        }
    }
}
