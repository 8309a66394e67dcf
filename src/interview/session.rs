//! The conversation: the flow's questions put through an `Asker`, the immediate-danger
//! panel at once, the review of every answer, the result, the practitioner's judgement and
//! saving. It knows no terminal, so unit tests drive it with a script.

use super::asker::{Ask, Asker, Given};
use super::flow::{Flow, Step, Subject};
use super::save;
use super::screens::{self, Look};
use super::stop;
use crate::question::{Kind, QId};
use crate::render;
use crate::render::table::wrap;
use crate::values::Tier;
use std::path::{Path, PathBuf};

/// Where the interview is, for section headings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Household,
    Children,
    Child(usize),
    Strengths,
}

/// Where to go after a screen.
enum After {
    /// Ask whatever now could matter, then review.
    Ask,
    Result,
    Finish,
}

/// What can be changed at the review.
#[derive(Clone, Copy)]
enum Change {
    Area,
    Question(Subject, QId),
    Label(usize),
    Age(usize),
    Nothing,
}

/// What can be done once the result is shown.
#[derive(Clone, Copy)]
enum Then {
    Why,
    Judge,
    Record,
    CaseFile,
    Back,
    Finish,
}

pub struct Session<'r> {
    flow: Flow<'r>,
    look: Look,
    /// The case file the answers came from (`--answers`).
    from: Option<String>,
    /// Questions put so far, to number them.
    asked: usize,
    /// The questions answered in the run, in order: where "back" goes.
    answered: Vec<(Subject, QId)>,
    section: Option<Section>,
    reference_asked: bool,
    saved: Vec<PathBuf>,
}

impl<'r> Session<'r> {
    pub fn new(flow: Flow<'r>, look: Look, from: Option<String>) -> Session<'r> {
        let reference_asked = flow.case.reference.is_some();
        Session {
            flow,
            look,
            from,
            asked: 0,
            answered: Vec::new(),
            section: None,
            reference_asked,
            saved: Vec::new(),
        }
    }

    /// The whole interview; returns the files saved.
    pub fn run(mut self, asker: &mut dyn Asker) -> anyhow::Result<Vec<PathBuf>> {
        asker.say(&screens::opening(self.look))?;
        if let Some(from) = &self.from {
            asker.say(&wrap(
                "",
                "",
                &format!(
                    "Starting from the answers in {from}: only questions still open are asked, \
                     then every answer is shown for review."
                ),
            ))?;
            // A saved "yes" to immediate danger is shown at once, as if just answered.
            let first = self.flow.rules().questions.immediate_danger();
            if first.is_some_and(|q| self.flow.case.answers.get(q) == crate::question::Answer::Yes)
            {
                self.show_danger(asker)?;
            }
        }
        loop {
            self.ask_all(asker)?;
            if let After::Ask = self.review(asker)? {
                continue;
            }
            if let After::Finish = self.result(asker)? {
                return Ok(self.saved);
            }
        }
    }

    /// Ask until nothing left could change the result.
    fn ask_all(&mut self, asker: &mut dyn Asker) -> anyhow::Result<()> {
        self.section = None;
        while let Some(step) = self.flow.next() {
            match step {
                Step::Area => self.ask_area(asker)?,
                Step::Question(subject, q) => {
                    self.heading(subject, q, asker)?;
                    if let Given::Back = self.ask_question(subject, q, true, asker)? {
                        self.back(asker)?;
                    }
                }
                Step::ChildCount => self.ask_child_count(asker)?,
                Step::Label => self.ask_label(asker)?,
                Step::Age => self.ask_age(asker)?,
            }
        }
        Ok(())
    }

    fn heading(&mut self, subject: Subject, q: QId, asker: &mut dyn Asker) -> anyhow::Result<()> {
        let section = match subject {
            Subject::Household if self.flow.is_deferred(q) => Section::Strengths,
            Subject::Household => Section::Household,
            Subject::Child(i) => Section::Child(i),
        };
        if self.section == Some(section) {
            return Ok(());
        }
        self.section = Some(section);
        let title = match section {
            Section::Household => "Household and adult".to_string(),
            Section::Children => "Children".to_string(),
            Section::Child(i) => screens::child_title(&self.flow, i),
            Section::Strengths => "What is working well".to_string(),
        };
        asker.say(&screens::heading(self.look, &title))
    }

    fn ask_area(&mut self, asker: &mut dyn Asker) -> anyhow::Result<()> {
        let areas = &self.flow.rules().areas;
        let names: Vec<String> = areas.iter().map(|a| a.name.clone()).collect();
        let current = self
            .flow
            .area()
            .and_then(|now| areas.iter().position(|a| a.id == now.id));
        asker.say("\nWhose guidance applies? Choose the area where the child lives.\n")?;
        let chosen = asker.choose("Area", &names, current)?;
        if let Some(area) = areas.iter().nth(chosen) {
            self.flow.set_area(area);
        }
        Ok(())
    }

    /// Back a question: the last answer given in the run is forgotten (as never asked), so
    /// the flow asks it again next.
    fn back(&mut self, asker: &mut dyn Asker) -> anyhow::Result<()> {
        if let Some((subject, q)) = self.answered.pop() {
            self.flow.forget(subject, q);
            // This question, and the one before (asked again next), are numbered again.
            self.asked = self.asked.saturating_sub(2);
            self.section = None;
            asker.say("\n     Back to the question before.\n")?;
        }
        Ok(())
    }

    /// Put one question; `numbered` in the interview's run, not when changing an answer
    /// (only the run offers "back").
    fn ask_question(
        &mut self,
        subject: Subject,
        q: QId,
        numbered: bool,
        asker: &mut dyn Asker,
    ) -> anyhow::Result<Given> {
        let rules = self.flow.rules();
        let question = rules.questions.question(q);
        let label = match subject {
            Subject::Household => None,
            Subject::Child(i) => Some(self.flow.case.children[i].id.clone()),
        };
        if numbered {
            self.asked += 1;
        }
        let ask = Ask {
            number: numbered.then_some(self.asked),
            question,
            child: label.as_deref(),
            current: self
                .flow
                .asked(subject, q)
                .then(|| self.flow.answer_of(subject, q)),
            source: crate::render::view::question_source(rules, &question.source),
            can_go_back: numbered && !self.answered.is_empty(),
        };
        let given = match question.kind {
            Kind::Yesno => asker.yes_no(&ask)?,
            Kind::Count => asker.count(&ask)?,
        };
        let Given::Answer(answer) = given else {
            return Ok(given);
        };
        self.flow.answer(subject, q, answer);
        if numbered {
            self.answered.push((subject, q));
        }
        if Some(q) == rules.questions.immediate_danger() {
            self.show_danger(asker)?;
        }
        Ok(given)
    }

    /// The immediate-danger panel, when the answer so far calls for one.
    fn show_danger(&self, asker: &mut dyn Asker) -> anyhow::Result<()> {
        match screens::danger(&self.flow, self.look) {
            Some(panel) => asker.say(&panel),
            None => Ok(()),
        }
    }

    fn ask_child_count(&mut self, asker: &mut dyn Asker) -> anyhow::Result<()> {
        self.section = Some(Section::Children);
        asker.say(&screens::heading(self.look, "Children"))?;
        asker.say(&wrap(
            "",
            "",
            "How many children under 18 live in the household or often stay there? Count a \
             baby on the way. Type 0 if there are none.",
        ))?;
        let typed = asker.text("Number of children", None, &|text| {
            parse_child_count(text).map(|_| ())
        })?;
        self.flow
            .set_child_count(parse_child_count(&typed).unwrap_or(0));
        Ok(())
    }

    fn ask_label(&mut self, asker: &mut dyn Asker) -> anyhow::Result<()> {
        let free = self.flow.free_label();
        let number = self.flow.case.children.len() + 1;
        asker.say(&format!(
            "\nChild {number}: a label such as {free}, \"eldest\" or \"baby\". Never a name.\n"
        ))?;
        let flow = &self.flow;
        let label = asker.text("Label", Some(&free), &|text| {
            check_label(text, |t| flow.label_taken(t))
        })?;
        let label = if label.is_empty() { free } else { label };
        self.flow.set_label(label);
        Ok(())
    }

    fn ask_age(&mut self, asker: &mut dyn Asker) -> anyhow::Result<()> {
        let label = self.flow.pending_label().unwrap_or("").to_string();
        let age = self.age_of(&label, None, asker)?;
        self.flow.set_age(age);
        Ok(())
    }

    fn age_of(
        &mut self,
        label: &str,
        current: Option<&str>,
        asker: &mut dyn Asker,
    ) -> anyhow::Result<Option<u8>> {
        asker.say(&format!(
            "Child {label}'s age in whole years, 0 to 17 (your best estimate), or u if unborn.\n"
        ))?;
        let typed = asker.text("Age", current, &|text| parse_age(text).map(|_| ()))?;
        Ok(parse_age(&typed).unwrap_or(None))
    }

    fn review(&mut self, asker: &mut dyn Asker) -> anyhow::Result<After> {
        asker.say(&screens::review(&self.flow, self.look))?;
        let mut items = vec![
            "See the result".to_string(),
            "Change an answer".to_string(),
            "Add a child".to_string(),
        ];
        if !self.flow.case.children.is_empty() {
            items.push("Remove a child".to_string());
        }
        asker.say("\n")?;
        match asker.choose("Next", &items, Some(0))? {
            0 => Ok(After::Result),
            1 => {
                self.change(asker)?;
                Ok(After::Ask)
            }
            2 => {
                self.flow.add_child();
                Ok(After::Ask)
            }
            _ => {
                self.remove_child(asker)?;
                Ok(After::Ask)
            }
        }
    }

    /// Everything that can be changed, as menu entries.
    fn changes(&self) -> Vec<(String, Change)> {
        let area = self.flow.area().map_or("not chosen", |a| a.name.as_str());
        let mut entries = vec![(format!("Area: {area}"), Change::Area)];
        let mut child_shown = None;
        for (subject, q) in self.flow.questions() {
            if let Subject::Child(i) = subject
                && child_shown != Some(i)
            {
                child_shown = Some(i);
                let child = &self.flow.case.children[i];
                let age = child.age.map_or("unborn".to_string(), |a| a.to_string());
                let id = crate::render::shown(&child.id);
                entries.push((format!("Child {id} · label"), Change::Label(i)));
                entries.push((format!("Child {id} · age: {age}"), Change::Age(i)));
            }
            let shown =
                self.flow.applies(subject, q) || !self.flow.answer_of(subject, q).is_unknown();
            if shown {
                entries.push((
                    screens::entry(&self.flow, subject, q),
                    Change::Question(subject, q),
                ));
            }
        }
        entries.push(("Back: change nothing".to_string(), Change::Nothing));
        entries
    }

    fn change(&mut self, asker: &mut dyn Asker) -> anyhow::Result<()> {
        let entries = self.changes();
        let items: Vec<String> = entries.iter().map(|(text, _)| text.clone()).collect();
        let chosen = asker.choose("Change which answer?", &items, Some(0))?;
        match entries.get(chosen).map(|(_, change)| *change) {
            Some(Change::Area) => self.ask_area(asker)?,
            Some(Change::Question(subject, q)) => {
                self.ask_question(subject, q, false, asker)?;
            }
            Some(Change::Label(i)) => {
                let current = self.flow.case.children[i].id.clone();
                let flow = &self.flow;
                let label = asker.text("Label", Some(&current), &|text| {
                    check_label(text, |t| t != current && flow.label_taken(t))
                })?;
                if !label.is_empty() {
                    self.flow.relabel(i, label);
                }
            }
            Some(Change::Age(i)) => {
                let child = &self.flow.case.children[i];
                let label = child.id.clone();
                let current = child.age.map_or("u".to_string(), |a| a.to_string());
                let age = self.age_of(&label, Some(&current), asker)?;
                self.flow.set_child_age(i, age);
            }
            Some(Change::Nothing) | None => {}
        }
        let cleared = self.flow.clear_stale();
        if !cleared.is_empty() {
            let bank = &self.flow.rules().questions;
            let names: Vec<String> = cleared
                .iter()
                .map(|(subject, q)| {
                    let name = bank.question(*q).short.clone();
                    match subject {
                        Subject::Household => name,
                        Subject::Child(i) => {
                            format!("{} ({})", name, self.flow.case.children[*i].id)
                        }
                    }
                })
                .collect();
            asker.say(&wrap(
                "",
                "  ",
                &format!(
                    "Cleared, because they no longer apply after that change: {}.",
                    names.join(", ")
                ),
            ))?;
        }
        Ok(())
    }

    fn remove_child(&mut self, asker: &mut dyn Asker) -> anyhow::Result<()> {
        let mut items: Vec<String> = (0..self.flow.case.children.len())
            .map(|i| screens::child_title(&self.flow, i))
            .collect();
        items.push("Back: remove no one".to_string());
        let chosen = asker.choose("Remove which child?", &items, Some(items.len() - 1))?;
        if chosen >= self.flow.case.children.len() {
            return Ok(());
        }
        let prompt = format!("Remove {} and its answers?", items[chosen]);
        if asker.confirm(&prompt, false)? {
            self.flow.remove_child(chosen);
        }
        Ok(())
    }

    fn result(&mut self, asker: &mut dyn Asker) -> anyhow::Result<After> {
        self.show_result(asker)?;
        loop {
            let menu = self.result_menu();
            let items: Vec<String> = menu.iter().map(|(text, _)| text.to_string()).collect();
            asker.say("\n")?;
            match menu[asker
                .choose("What next?", &items, Some(0))?
                .min(menu.len() - 1)]
            .1
            {
                Then::Why => {
                    if let Some(outcome) = self.flow.outcome() {
                        asker.say(&format!(
                            "\n{}",
                            render::plain::reasons(self.flow.rules(), &outcome)
                        ))?;
                    }
                }
                Then::Judge => self.judge(asker)?,
                Then::Record => self.save_record(asker)?,
                Then::CaseFile => self.save_case(asker)?,
                Then::Back => return Ok(After::Ask),
                Then::Finish => {
                    if self.finish(asker)? {
                        return Ok(After::Finish);
                    }
                }
            }
        }
    }

    fn result_menu(&self) -> Vec<(&'static str, Then)> {
        let has_level = self.flow.outcome().is_some_and(|o| o.overall.is_some());
        let mut menu = vec![("Why: the reasons and their sources", Then::Why)];
        if has_level {
            menu.push((
                "Record your own judgement (a different level, with a reason)",
                Then::Judge,
            ));
        }
        menu.extend([
            (
                "Save a decision record for the case notes (Markdown)",
                Then::Record,
            ),
            (
                "Save the answers as a case file (reloads with assess)",
                Then::CaseFile,
            ),
            ("Back to the answers", Then::Back),
            ("Finish", Then::Finish),
        ]);
        menu
    }

    fn show_result(&mut self, asker: &mut dyn Asker) -> anyhow::Result<()> {
        let Some(outcome) = self.flow.outcome() else {
            return Ok(());
        };
        let rules = self.flow.rules();
        let text = if self.look.plain {
            render::plain::render(rules, &outcome, false)
        } else {
            render::table::render(rules, &outcome, self.look.styled)
        };
        asker.say(&format!("\n{text}"))?;
        // The result ends with one screen: what matters on the doorstep stays visible above
        // the menu, however long the full result was.
        asker.say(&format!(
            "\n{}",
            render::summary::render(self.flow.rules(), &outcome, self.look.columns)
        ))
    }

    fn judge(&mut self, asker: &mut dyn Asker) -> anyhow::Result<()> {
        let (Some(area), Some(tool)) = (
            self.flow.area(),
            self.flow.outcome().and_then(|o| o.overall),
        ) else {
            return Ok(());
        };
        let items: Vec<String> = Tier::ALL
            .into_iter()
            .map(|tier| {
                let label = render::level_label(area, tier);
                if tier == tool {
                    format!("{label} (the tool's level)")
                } else {
                    label
                }
            })
            .collect();
        let start = self.flow.case.recorded_level.unwrap_or(tool);
        asker.say("\n")?;
        asker.say(&wrap(
            "",
            "",
            "The level you judge right for the household. The tool's level is kept beside \
             yours.",
        ))?;
        let at_start = Tier::ALL.iter().position(|&t| t == start);
        let chosen = asker.choose("Your level", &items, at_start)?;
        let tier = Tier::ALL[chosen.min(Tier::ALL.len() - 1)];
        if tier == tool {
            self.flow.case.recorded_level = Some(tier);
            self.flow.case.recorded_reason = None;
            let line = format!(
                "Recorded: you agree with the tool's level, {}.",
                render::level_label(area, tier)
            );
            return asker.say(&wrap("", "  ", &line));
        }
        asker.say(&wrap(
            "",
            "",
            "Why do you judge it differently? Say what you know that the questions did not \
             capture. It goes in the decision record. Use no names.",
        ))?;
        let reason = asker.text(
            "Reason",
            self.flow.case.recorded_reason.as_deref(),
            &|text| {
                if text.is_empty() {
                    Err("a reason is needed when your level differs from the tool's".into())
                } else {
                    crate::case::check_reason(text)
                }
            },
        )?;
        self.flow.case.recorded_level = Some(tier);
        self.flow.case.recorded_reason = Some(reason);
        let line = format!(
            "Recorded: {} (the tool says {}; both are kept).",
            render::level_label(area, tier),
            render::level_label(area, tool)
        );
        asker.say(&wrap("", "  ", &line))
    }

    /// The start of the files' names; asks for a case reference the first time.
    fn stem(&mut self, asker: &mut dyn Asker) -> anyhow::Result<String> {
        if !self.reference_asked {
            self.reference_asked = true;
            asker.say("\n")?;
            asker.say(&wrap(
                "",
                "",
                "A case reference goes in the files and their names: an opaque code from \
                 your case system, never a name. Press Enter for none.",
            ))?;
            let reference = asker.text("Case reference", None, &check_reference)?;
            if !reference.is_empty() {
                self.flow.case.reference = Some(reference);
            }
        }
        Ok(super::answers::file_stem(
            self.flow.case.reference.as_deref(),
            self.flow.moment(),
        ))
    }

    fn save_case(&mut self, asker: &mut dyn Asker) -> anyhow::Result<()> {
        let stem = self.stem(asker)?;
        // Offered in the current folder, by a name short enough to read at a glance.
        let default = PathBuf::from(format!("{stem}.yaml"));
        let Some((path, replace)) = self.where_to_save(asker, "case file", &default)? else {
            return Ok(());
        };
        let flow = &self.flow;
        let text = crate::case::to_yaml(&flow.case, &flow.rules().questions, |child, q| {
            let subject = child.map_or(Subject::Household, Subject::Child);
            flow.asked(subject, q) && flow.answer_of(subject, q).is_unknown()
        });
        self.write(asker, &path, &text, replace)
    }

    fn save_record(&mut self, asker: &mut dyn Asker) -> anyhow::Result<()> {
        let stem = self.stem(asker)?;
        let default = PathBuf::from(format!("{stem}-record.md"));
        let Some((path, replace)) = self.where_to_save(asker, "decision record", &default)? else {
            return Ok(());
        };
        let Some(outcome) = self.flow.outcome() else {
            return Ok(());
        };
        let notes = render::record::Notes {
            answers: screens::sections(&self.flow, true)
                .into_iter()
                .map(|s| render::record::Answers {
                    title: s.title,
                    rows: s.rows,
                })
                .collect(),
            not_asked: screens::not_asked_names(&self.flow),
        };
        let text = render::record::render(self.flow.rules(), &outcome, &notes, "`threshold check`");
        self.write(asker, &path, &text, replace)
    }

    /// The path to save to, and whether to replace a file there; `None` to save nothing.
    fn where_to_save(
        &mut self,
        asker: &mut dyn Asker,
        what: &str,
        default: &Path,
    ) -> anyhow::Result<Option<(PathBuf, bool)>> {
        let suggested = default.display().to_string();
        let typed = asker.text(&format!("Save the {what} as"), Some(&suggested), &|text| {
            if text.is_empty() {
                Err("type a file name".into())
            } else {
                Ok(())
            }
        })?;
        let path = PathBuf::from(typed);
        if path.is_dir() {
            asker.say(&format!(
                "{} is a folder: not saved. Choose the save again and give a file name.\n",
                path.display()
            ))?;
            return Ok(None);
        }
        if path.exists() {
            let prompt = format!("{} exists. Replace it?", path.display());
            if !asker.confirm(&prompt, false)? {
                asker.say("Not saved. Choose the save again to give another name.\n")?;
                return Ok(None);
            }
            return Ok(Some((path, true)));
        }
        Ok(Some((path, false)))
    }

    fn write(
        &mut self,
        asker: &mut dyn Asker,
        path: &Path,
        text: &str,
        replace: bool,
    ) -> anyhow::Result<()> {
        match stop::saving(path, || save::write_private(path, text, replace)) {
            Ok(save::Private::Yes) => {
                self.saved.push(path.to_path_buf());
                asker.say(&format!(
                    "Saved {} (only you can read it).\n",
                    path.display()
                ))
            }
            Ok(save::Private::No(why)) => {
                self.saved.push(path.to_path_buf());
                asker.say(&wrap(
                    "",
                    "",
                    &format!(
                        "Saved {}, but it could not be made readable by you only ({why}): \
                         others who use this computer may be able to read it. Move it to a \
                         folder only you can open, or delete it once it is in the case notes.",
                        path.display()
                    ),
                ))
            }
            Err(error) => asker.say(&format!(
                "Not saved: {}: {error}. Nothing was written.\n",
                path.display()
            )),
        }
    }

    /// Whether to end: asks first when nothing was saved.
    fn finish(&mut self, asker: &mut dyn Asker) -> anyhow::Result<bool> {
        if self.saved.is_empty() {
            if !asker.confirm("Nothing has been saved. Finish anyway?", false)? {
                return Ok(false);
            }
            asker.say("Done. Nothing was saved.\n")?;
            return Ok(true);
        }
        let names: Vec<String> = self.saved.iter().map(|p| p.display().to_string()).collect();
        asker.say(&format!("Done. Saved: {}.\n", names.join(", ")))?;
        Ok(true)
    }
}

/// A number of children, 0 to [`ChildCount::MAX`].
fn parse_child_count(text: &str) -> Result<usize, String> {
    crate::values::ChildCount::parse(text).map(crate::values::ChildCount::get)
}

/// An age: whole years 0-17, or unborn (`None`).
fn parse_age(text: &str) -> Result<Option<u8>, String> {
    let text = text.trim().to_ascii_lowercase();
    if matches!(text.as_str(), "u" | "unborn" | "expected" | "pregnant") {
        return Ok(None);
    }
    match text.parse::<u32>() {
        Ok(age @ 0..=17) => Ok(Some(age as u8)),
        Ok(_) => Err("record children under 18 only: 0 to 17, or u if unborn".into()),
        Err(_) if text.contains("month") || text.contains("week") => {
            Err("ages are whole years: a baby under one is 0, so type 0".into())
        }
        Err(_) => Err("type whole years 0 to 17 (0 for a baby under one), or u if unborn".into()),
    }
}

fn check_label(text: &str, taken: impl Fn(&str) -> bool) -> Result<(), String> {
    crate::values::ChildLabel::new(text).map_err(|problem| format!("this label {problem}"))?;
    if taken(text) {
        Err(format!(
            "another child is labelled {text}: choose another label"
        ))
    } else {
        Ok(())
    }
}

/// A reference, or nothing (Enter for none).
fn check_reference(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    crate::values::Reference::new(text)
        .map(|_| ())
        .map_err(|problem| format!("this reference {problem}"))
}

#[cfg(test)]
mod tests {
    use super::super::flow::tests::{blank, moment, rules};
    use super::super::scripted::{Reply, Scripted};
    use super::*;
    use Reply::*;

    fn session(area: Option<&str>) -> Session<'static> {
        let rules = rules();
        let area = area.map(|id| rules.area(id).unwrap());
        let flow = Flow::new(rules, area, blank(rules), moment());
        let look = Look {
            plain: true,
            styled: false,
            columns: 80,
        };
        Session::new(flow, look, None)
    }

    /// Salford, nothing worrying, one child of 7: the replies up to the review.
    fn no_concerns() -> Vec<Reply> {
        vec![
            Pick("Salford"),
            NoToAll,
            Text("1"),
            Text(""),
            Text("7"),
            NoToAll,
        ]
    }

    /// No children, then the result, and finish saving nothing.
    fn no_children_then_finish() -> [Reply; 4] {
        [
            Text("0"),
            Pick("See the result"),
            Pick("Finish"),
            Confirm(true),
        ]
    }

    fn run(session: Session<'static>, replies: Vec<Reply>) -> (Vec<PathBuf>, Scripted) {
        let mut asker = Scripted::new(replies);
        let ended = session.run(&mut asker);
        let saved = ended.unwrap_or_else(|e| panic!("{e:#}\n{}", asker.transcript));
        assert!(asker.is_done(), "replies left over:\n{}", asker.transcript);
        (saved, asker)
    }

    fn at(transcript: &str, text: &str) -> usize {
        transcript
            .find(text)
            .unwrap_or_else(|| panic!("{text:?} not shown:\n{transcript}"))
    }

    #[test]
    fn back_asks_the_question_before_again_and_only_the_new_answer_counts() {
        let mut replies = vec![Pick("Salford"), NotKnown, Back, No, NoToAll];
        replies.extend(no_children_then_finish());
        let (_, asker) = run(session(None), replies);
        let t = &asker.transcript;
        let first = "  1. Is any child in the household in immediate danger";
        assert_eq!(t.matches(first).count(), 2, "{t}");
        let back = at(t, "Back to the question before.");
        assert!(
            at(t, "  2. ") < back && back < t.rfind(first).unwrap(),
            "{t}"
        );
        // Danger is ruled out by the answer given after going back, not left unknown.
        assert!(!t.contains("NOT been ruled out"), "{t}");
    }

    #[test]
    fn an_age_in_months_is_told_to_type_0() {
        let refused = parse_age("5 months").unwrap_err();
        assert!(refused.contains("type 0"), "{refused}");
        assert_eq!(parse_age("0"), Ok(Some(0)));
        assert!(parse_age("x").unwrap_err().contains("0 for a baby"));
    }

    #[test]
    fn a_no_concern_visit_saves_a_case_that_reloads_to_the_same_result() {
        let dir = tempfile::tempdir().unwrap();
        let case_path: &'static str = Box::leak(
            dir.path()
                .join("case.yaml")
                .display()
                .to_string()
                .into_boxed_str(),
        );
        let mut replies = no_concerns();
        replies.extend([
            Pick("See the result"),
            Pick("Save the answers as a case file"),
            Text("REF-1"),
            Text(case_path),
            Pick("Finish"),
        ]);
        let (saved, asker) = run(session(None), replies);
        assert_eq!(saved, vec![PathBuf::from(case_path)]);
        let bytes = std::fs::read(case_path).unwrap();
        let mut reloaded = crate::case::read(&bytes, case_path, &rules().questions).unwrap();
        assert_eq!(reloaded.reference.as_deref(), Some("REF-1"));
        // The result was shown before the reference was asked for, at the first save.
        reloaded.reference = None;
        let area = rules().area("salford").unwrap();
        let at = reloaded.assessed_at.clone().unwrap();
        let outcome = crate::engine::assess(area, &rules().questions, &reloaded, &at);
        let shown = render::plain::render(rules(), &outcome, false);
        assert!(
            asker.transcript.contains(&shown),
            "the reloaded case gives a different result:\n{shown}\n---\n{}",
            asker.transcript
        );
        assert!(shown.contains("Household level: 1 Getting Advice"));
        assert!(asker.transcript.contains("Done. Saved:"));
    }

    #[test]
    fn yes_to_immediate_danger_shows_999_before_any_other_question() {
        let mut replies = vec![Yes, NoToAll, Text("0")];
        replies.extend([Pick("See the result"), Pick("Finish"), Confirm(true)]);
        let (_, asker) = run(session(Some("trafford")), replies);
        let t = &asker.transcript;
        let first = at(t, "  1. Is any child");
        let alarm = at(
            t,
            "EMERGENCY: a child may be in immediate danger. Ring 999 now.",
        );
        let police = at(t, "Police (emergency): 999, RING NOW");
        let second = at(t, "  2. ");
        assert!(first < alarm && alarm < police && police < second, "{t}");
        assert!(t.contains("Done. Nothing was saved."));
    }

    #[test]
    fn help_shows_the_help_and_the_source_then_asks_again() {
        let mut replies = vec![Pick("Salford"), Help, No, NoToAll];
        replies.extend(no_children_then_finish());
        let (_, asker) = run(session(None), replies);
        let t = &asker.transcript;
        let question = at(t, "  1. Is any child");
        let help = at(t, "Help: For example a child has just been seriously hurt");
        let source = at(
            t,
            "Source: Adult practitioners' procedures: safeguarding children",
        );
        let next = at(t, "  2. ");
        assert!(question < help && help < source && source < next, "{t}");
    }

    #[test]
    fn changing_an_answer_at_review_asks_what_it_opens_and_changes_the_result() {
        let mut replies = no_concerns();
        replies.extend([
            Pick("Change an answer"),
            Pick("Household · domestic abuse: no"),
            Yes,
            // Now open: the incidents, the Dash count, whether the children are exposed,
            // then (answered no) threats to a child, how serious the abuse is, whether what
            // was seen contradicts what was said, and a repeat since a MARAC referral.
            // Strengths are not asked: they shape the plan but cannot lower a level, so no
            // answer to them changes the result.
            Count(1),
            Count(0),
            Yes,
            NoToAll,
            Pick("See the result"),
            // Back, and the abuse was a misunderstanding: what it opened is cleared.
            Pick("Back to the answers"),
            Pick("Change an answer"),
            Pick("Household · domestic abuse: yes"),
            No,
            Pick("See the result"),
            Pick("Finish"),
            Confirm(true),
        ]);
        let (_, asker) = run(session(None), replies);
        let t = &asker.transcript;
        let exposed = at(t, "Do the children see or hear the abuse");
        // A child exposed to domestic abuse is a victim of it in their own right (the
        // national layer, Domestic Abuse Act 2021 s3): at least a child in need.
        let raised = at(t, "Household level: 3 Getting More Help");
        assert!(exposed < raised, "{t}");
        assert!(!t.contains("What is working well"), "{t}");
        let cleared = at(
            t,
            "Cleared, because they no longer apply after that change:",
        );
        assert!(raised < cleared, "{t}");
        let line = t[cleared..t[cleared..].find(".\n").map_or(t.len(), |e| cleared + e)]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(line.contains("children exposed to the abuse"), "{line}");
        assert!(
            line.contains("domestic abuse incidents in 12 months"),
            "{line}"
        );
        let back = t[cleared..].find("Household level: 1 Getting Advice");
        assert!(back.is_some(), "the abuse no longer counts:\n{t}");
    }

    #[test]
    fn a_different_level_needs_a_reason_and_the_record_keeps_both() {
        let dir = tempfile::tempdir().unwrap();
        let record: &'static str = Box::leak(
            dir.path()
                .join("record.md")
                .display()
                .to_string()
                .into_boxed_str(),
        );
        let mut replies = no_concerns();
        replies.extend([
            Pick("See the result"),
            Pick("Record your own judgement"),
            Pick("2 Getting Help"),
            Text(""),
            Text("Father's drinking is hidden from services"),
            Pick("Save a decision record"),
            Text(""),
            Text(record),
            Pick("Finish"),
        ]);
        let (_, asker) = run(session(None), replies);
        let t = &asker.transcript;
        assert!(t.contains("refused: a reason is needed"), "{t}");
        assert!(
            t.contains("Recorded: 2 Getting Help (the tool says 1 Getting Advice; both are kept).")
        );
        let text = std::fs::read_to_string(record).unwrap();
        for part in [
            "# Safeguarding threshold decision record",
            "| Date and time | Tue 24 Nov 2026, 10:00 GMT (Europe/London) |",
            "| Area | Salford (`salford`) |",
            &format!("| Rules fingerprint (SHA-256) | `{}` |", rules().sha256),
            "- The tool's level for the household: **1 Getting Advice**",
            "- The practitioner's judgement: **2 Getting Help**, different from the tool's; both are kept.",
            "- The practitioner's reason: Father's drinking is hidden from services",
            "### Contacts",
            "### Why",
            "| Is any child in the household in immediate danger right now? | no |",
            "### Child A, age 7",
            "Not asked, because no answer to them could change",
            "## Sign-off",
        ] {
            assert!(
                text.contains(part),
                "{part:?} missing from the record:\n{text}"
            );
        }
    }

    #[test]
    fn an_existing_file_is_replaced_only_when_the_practitioner_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("case.yaml");
        std::fs::write(&path, "kept").unwrap();
        let path: &'static str = Box::leak(path.display().to_string().into_boxed_str());
        let mut replies = no_concerns();
        replies.extend([
            Pick("See the result"),
            Pick("Save the answers as a case file"),
            Text(""),
            Text(path),
            Confirm(false),
            Pick("Finish"),
            Confirm(true),
        ]);
        let (saved, asker) = run(session(None), replies);
        assert!(saved.is_empty(), "{}", asker.transcript);
        assert_eq!(std::fs::read_to_string(path).unwrap(), "kept");
        assert!(asker.transcript.contains("Not saved."));
    }

    #[test]
    fn counts_take_a_number_and_not_known_is_saved_as_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path: &'static str = Box::leak(
            dir.path()
                .join("case.yaml")
                .display()
                .to_string()
                .into_boxed_str(),
        );
        let mut replies = vec![Pick("Salford"), No, No, No, Yes, Count(4), NotKnown];
        // Exposure, then the rest of the household (a repeat referral to MARAC among them).
        replies.extend([Yes, NoToAll]);
        replies.extend([Text("1"), Text(""), Text("7"), NoToAll]);
        replies.extend([
            Pick("See the result"),
            Pick("Save the answers as a case file"),
            Text(""),
            Text(path),
            Pick("Finish"),
        ]);
        let (_, asker) = run(session(None), replies);
        let text = std::fs::read_to_string(path).unwrap();
        assert!(
            text.contains("  domestic_abuse_incidents_12m: 4\n"),
            "{text}"
        );
        assert!(text.contains("  dash_yes_count: unknown\n"), "{text}");
        assert!(
            !text.contains("adult_learning_disability: unknown"),
            "{text}"
        );
        assert!(
            asker
                .transcript
                .contains("Household level: 3 Getting More Help"),
            "{}",
            asker.transcript
        );
    }

    #[test]
    fn a_replayed_case_with_a_child_in_danger_shows_999_before_anything_is_asked() {
        let rules = rules();
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/cases/trafford-immediate-danger.yaml"
        );
        let bytes = std::fs::read(path).unwrap();
        let case = crate::case::read(&bytes, path, &rules.questions).unwrap();
        let flow = Flow::new(rules, rules.area("trafford"), case, moment());
        let look = Look {
            plain: true,
            styled: false,
            columns: 80,
        };
        let session = Session::new(flow, look, Some(path.to_string()));
        // The file answers what it knew; questions added to the bank since (the child's
        // own exploitation, for one) are asked after the emergency, then the review.
        let replies = [
            NoToAll,
            Pick("See the result"),
            Pick("Finish"),
            Confirm(true),
        ];
        let (_, asker) = run(session, replies.to_vec());
        let t = &asker.transcript;
        let alarm = at(
            t,
            "EMERGENCY: a child may be in immediate danger. Ring 999 now.",
        );
        assert!(alarm < at(t, "Your answers"), "{t}");
        assert!(
            !t.contains("  1. Is any child"),
            "a question was asked again:\n{t}"
        );
    }
}
