//! The trainer's commands: `scenario list | run | quiz`, `compare` and `rules test`.

use super::{Io, parse_at, read_case};
use crate::engine;
use crate::error::Diagnostic;
use crate::render;
use crate::rules::RuleSet;
use crate::rules::model::Area;
use crate::scenario::{self, Scenario};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

/// What `run` and `quiz` share.
pub struct Options<'a> {
    pub area: &'a str,
    pub at: Option<&'a str>,
    /// Wait for Enter between sections (only when a person is at a terminal).
    pub pause: bool,
}

fn scenarios(rules: &RuleSet, dir: Option<&Path>) -> anyhow::Result<Vec<Scenario>> {
    let files = match dir {
        Some(dir) => scenario::read_dir(dir)?,
        None => scenario::bundled_files(),
    };
    Ok(scenario::load(&files, &rules.questions)?)
}

fn area<'r>(rules: &'r RuleSet, id: &str) -> anyhow::Result<&'r Area> {
    Ok(rules
        .area_or_error(id)
        .map_err(|e| Diagnostic::error("--area", e).help("run `threshold areas`"))?)
}

pub fn list(rules: &RuleSet, dir: Option<&Path>, io: &mut Io) -> anyhow::Result<()> {
    io.stdout
        .write_all(render::trainer::list(&scenarios(rules, dir)?).as_bytes())?;
    Ok(())
}

pub fn run(
    rules: &RuleSet,
    dir: Option<&Path>,
    name: &str,
    options: &Options,
    io: &mut Io,
) -> anyhow::Result<()> {
    let all = scenarios(rules, dir)?;
    let found = scenario::find(&all, name)
        .map_err(|e| Diagnostic::error(name, e).help("threshold scenario list"))?;
    let area = area(rules, options.area)?;
    let moment = parse_at(options.at)?.unwrap_or_else(|| io.now.clone());
    let outcome = engine::assess(area, &rules.questions, &found.case, &moment);
    let moves = scenario::moves(area, &found.case, &outcome);
    let misses = scenario::near_misses(area, &rules.questions, &found.case, &moment, &outcome);
    let sections = [
        render::trainer::story(found, area),
        render::trainer::moves(rules, &moves),
        render::trainer::near_misses(rules, area, &misses),
        render::table::render(rules, &outcome, io.styled),
        render::trainer::teaching(found),
    ];
    let pause = options.pause && io.interactive;
    let mut input = BufReader::new(&mut *io.stdin);
    for (index, section) in sections.iter().enumerate() {
        if index > 0 {
            writeln!(io.stdout)?;
        }
        io.stdout.write_all(section.as_bytes())?;
        if pause && index + 1 < sections.len() {
            write!(io.stdout, "\n[Enter] to go on ")?;
            io.stdout.flush()?;
            let mut line = String::new();
            if input.read_line(&mut line)? == 0 {
                break;
            }
        }
    }
    Ok(())
}

/// Read one answer; `None` at the end of input.
fn ask(
    input: &mut impl BufRead,
    out: &mut dyn Write,
    prompt: &str,
    valid: impl Fn(&str) -> Option<usize>,
) -> anyhow::Result<Option<usize>> {
    loop {
        write!(out, "{prompt} ")?;
        out.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        match valid(line.trim()) {
            Some(choice) => return Ok(Some(choice)),
            None => writeln!(out, "Please answer with one of the numbers shown.")?,
        }
    }
}

pub fn quiz(
    rules: &RuleSet,
    dir: Option<&Path>,
    names: &[String],
    options: &Options,
    io: &mut Io,
) -> anyhow::Result<()> {
    let all = scenarios(rules, dir)?;
    let chosen = names
        .iter()
        .map(|name| {
            scenario::find(&all, name)
                .map_err(|e| Diagnostic::error(name, e).help("threshold scenario list"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let area = area(rules, options.area)?;
    let moment = parse_at(options.at)?.unwrap_or_else(|| io.now.clone());
    let mut input = BufReader::new(&mut *io.stdin);
    let out = &mut *io.stdout;
    let (mut scored, mut possible) = (0u32, 0u32);
    for (number, found) in chosen.iter().enumerate() {
        let outcome = engine::assess(area, &rules.questions, &found.case, &moment);
        let Some(level) = outcome.overall else {
            continue;
        };
        writeln!(
            out,
            "Scenario {} of {}: {}",
            number + 1,
            chosen.len(),
            render::trainer::story(found, area)
        )?;
        let moves = scenario::moves(area, &found.case, &outcome);
        let known: Vec<String> = moves
            .iter()
            .map(|m| {
                let who = m.child.map(|c| format!(" (child {c})")).unwrap_or_default();
                format!(
                    "{}{who}: {}",
                    rules.questions.question(m.question).short,
                    m.answer.label()
                )
            })
            .collect();
        out.write_all(render::table::wrap("What we know:", "  ", &known.join("; ")).as_bytes())?;
        let ladder: Vec<String> = (1..=4).map(|t| render::level_label(area, t)).collect();
        writeln!(out, "\nLevels: {}", ladder.join(" | "))?;
        let pick_level = |s: &str| s.parse::<usize>().ok().filter(|n| (1..=4).contains(n));
        let Some(guess) = ask(
            &mut input,
            out,
            "Your level for the household (1-4)?",
            pick_level,
        )?
        else {
            break;
        };
        writeln!(out, "\nWho do you ring first?")?;
        for (i, contact) in area.contacts.iter().enumerate() {
            let number = contact
                .phone
                .as_deref()
                .or(contact.email.as_deref())
                .unwrap_or("");
            writeln!(out, "  {}. {} ({number})", i + 1, contact.name)?;
        }
        let count = area.contacts.len();
        let pick_contact = |s: &str| s.parse::<usize>().ok().filter(|n| (1..=count).contains(n));
        let Some(call) = ask(
            &mut input,
            out,
            &format!("Your first call (1-{count})?"),
            pick_contact,
        )?
        else {
            break;
        };
        let right_call = outcome.contacts.first().map(|c| c.contact.id.as_str());
        let call_right = right_call == Some(area.contacts[call - 1].id.as_str());
        let points = scenario::quiz_points(level, guess as u8, call_right);
        scored += u32::from(points);
        possible += u32::from(scenario::QUIZ_MAX);
        let first = outcome.contacts.first().map_or(String::new(), |c| {
            format!(
                "{} on {}",
                c.contact.name,
                c.contact.phone.as_deref().unwrap_or("")
            )
        });
        writeln!(
            out,
            "\nThe rules say: {}; ring first: {first}.",
            render::level_label(area, level)
        )?;
        writeln!(
            out,
            "You scored {points} of {} (running total {scored} of {possible}).\n",
            scenario::QUIZ_MAX
        )?;
        out.write_all(render::trainer::teaching(found).as_bytes())?;
        writeln!(out)?;
    }
    writeln!(
        out,
        "Final score: {scored} of {possible}. {}",
        render::JUDGEMENT_NOTE
    )?;
    Ok(())
}

pub fn compare(rules: &RuleSet, path: &str, at: Option<&str>, io: &mut Io) -> anyhow::Result<()> {
    let at = parse_at(at)?;
    let (case, _) = read_case(path, rules, io)?;
    let moment = at
        .or_else(|| case.assessed_at.clone())
        .unwrap_or_else(|| io.now.clone());
    let outcomes: Vec<_> = rules
        .areas
        .iter()
        .map(|area| engine::assess(area, &rules.questions, &case, &moment))
        .collect();
    let header = format!(
        "The same case under each area's rules, at {}\n{}",
        render::moment_label(&moment),
        render::local_rules_line(rules)
    );
    io.stdout.write_all(header.as_bytes())?;
    io.stdout
        .write_all(render::trainer::compare(&outcomes).as_bytes())?;
    Ok(())
}

/// Exit 1 when any scenario's expectation is not met.
pub fn rules_test(rules: &RuleSet, dir: Option<&Path>, io: &mut Io) -> anyhow::Result<u8> {
    let all = scenarios(rules, dir)?;
    let mismatches = scenario::check(rules, &all, &io.now);
    for m in &mismatches {
        writeln!(io.stdout, "FAIL {} ({}): {}", m.scenario, m.area, m.problem)?;
    }
    let checks = all.len() * rules.areas.len();
    if mismatches.is_empty() {
        writeln!(
            io.stdout,
            "rules test: {} scenarios x {} areas = {checks} checks, all as expected",
            all.len(),
            rules.areas.len()
        )?;
        Ok(0)
    } else {
        writeln!(
            io.stdout,
            "rules test: {} problem(s) in {checks} checks",
            mismatches.len()
        )?;
        Ok(1)
    }
}
