//! The trainer's commands: `scenario list | run | quiz`, `compare` and `rules test`.

use super::{Io, parse_at, read_case};
use crate::case::Case;
use crate::engine;
use crate::error::Diagnostic;
use crate::render;
use crate::rules::RuleSet;
use crate::rules::model::Area;
use crate::scenario::{self, Scenario};
use crate::values::Tier;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

/// What `run` and `quiz` share.
pub struct Options<'a> {
    /// `--area`, or `THRESHOLD_AREA`.
    pub area: Option<&'a str>,
    /// Which of the two gave the area: "--area" or "THRESHOLD_AREA".
    pub area_origin: &'static str,
    pub at: Option<&'a str>,
    /// Wait between steps (only when a person is at a terminal).
    pub pause: bool,
    /// Print a worksheet and an answer sheet instead.
    pub handout: Option<render::trainer::Handout>,
}

impl<'a> Options<'a> {
    /// Options without pauses between steps.
    pub fn new(
        area: Option<&'a str>,
        area_origin: &'static str,
        at: Option<&'a str>,
        handout: Option<render::trainer::Handout>,
    ) -> Options<'a> {
        Options {
            area,
            area_origin,
            at,
            pause: false,
            handout,
        }
    }
}

fn scenarios(rules: &RuleSet, dir: Option<&Path>) -> anyhow::Result<Vec<Scenario>> {
    let files = match dir {
        Some(dir) => scenario::read_dir(dir)?,
        None => scenario::bundled_files(),
    };
    Ok(scenario::load(&files, &rules.questions)?)
}

/// The area of `scenario run|quiz`: `--area`, else `THRESHOLD_AREA`; an unknown one is
/// reported against whichever gave it.
fn area<'r>(rules: &'r RuleSet, options: &Options) -> anyhow::Result<&'r Area> {
    let ids: Vec<&str> = rules.areas.iter().map(|a| a.id.as_str()).collect();
    let Some(id) = options.area else {
        return Err(
            Diagnostic::error(crate::error::Code::UsageArea, "--area", "no area given")
                .help(format!(
                    "pass --area AREA, or set THRESHOLD_AREA, to one of: {}",
                    ids.join(", ")
                ))
                .into(),
        );
    };
    Ok(rules.area_or_error(id).map_err(|e| {
        if options.area_origin == "THRESHOLD_AREA" {
            Diagnostic::error(crate::error::Code::UsageArea,
                "THRESHOLD_AREA",
                format!("{e} (from the environment variable THRESHOLD_AREA)"),
            )
            .help("set THRESHOLD_AREA to an area id from `threshold areas`, or unset it and pass --area")
        } else {
            Diagnostic::error(crate::error::Code::UsageArea, "--area", e).help("run `threshold areas`")
        }
    })?)
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
    let found = scenario::find(&all, name).map_err(|e| {
        Diagnostic::error(crate::error::Code::ScenarioUnknown, name, e)
            .help("threshold scenario list")
    })?;
    let area = area(rules, options)?;
    let moment = parse_at(options.at, &io.now)?.unwrap_or_else(|| io.now.clone());
    let outcome = engine::assess(area, &rules.questions, &found.case, &moment);
    if let Some(format) = options.handout {
        let worked = [render::trainer::Worked {
            scenario: found,
            outcome: &outcome,
        }];
        let text = render::trainer::scenario_handout(rules, area, &worked, &moment, format);
        io.stdout.write_all(text.as_bytes())?;
        return Ok(());
    }
    let moves = scenario::moves(&found.case, &outcome);
    let misses = scenario::near_misses(area, &rules.questions, &found.case, &moment, &outcome);
    let sections = [
        render::trainer::story(found, area),
        render::trainer::moves(rules, &moves),
        render::trainer::near_misses(rules, area, &misses),
        render::table::render(rules, &outcome, io.styled),
        render::trainer::teaching(found, area),
    ];
    if !(options.pause && io.interactive) {
        for (index, section) in sections.iter().enumerate() {
            if index > 0 {
                writeln!(io.stdout)?;
            }
            io.stdout.write_all(section.as_bytes())?;
        }
        return Ok(());
    }
    let rows = console::Term::stdout()
        .size_checked()
        .map_or(24, |(rows, _)| usize::from(rows));
    steps(&sections, rows, io)
}

/// A section cut into screens of at most `page` lines, never inside a block: a wrapped
/// line's continuation (indented), or a table row's wrapped cells, stays on the screen of
/// the line it continues. Only a block longer than a screen is cut, at the screen's end.
fn screens_of(section: &str, page: usize) -> Vec<String> {
    let continues = |line: &str| {
        line.starts_with(' ')
            || line.starts_with(['└', '╞'])
            || line
                .strip_prefix('│')
                .and_then(|rest| rest.split('┆').next())
                .is_some_and(|first| first.trim().is_empty())
    };
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    for line in section.trim_end().lines() {
        match blocks.last_mut() {
            Some(block) if continues(line) => block.push(line),
            _ => blocks.push(vec![line]),
        }
    }
    let mut screens: Vec<Vec<&str>> = Vec::new();
    for block in blocks {
        for part in block.chunks(page) {
            match screens.last_mut() {
                Some(screen) if screen.len() + part.len() <= page => screen.extend(part),
                _ => screens.push(part.to_vec()),
            }
        }
    }
    screens.into_iter().map(|lines| lines.join("\n")).collect()
}

/// The sections cut into screens of at most `rows - 2` lines (the prompt needs two), each
/// shown on a clear screen; Enter goes on, `b` back, `r` shows the step again, `q` stops.
fn steps(sections: &[String], rows: usize, io: &mut Io) -> anyhow::Result<()> {
    let page = rows.saturating_sub(2).max(6);
    let screens: Vec<String> = sections
        .iter()
        .flat_map(|section| screens_of(section, page))
        .collect();
    let mut input = BufReader::new(&mut *io.stdin);
    let mut step = 0;
    while step < screens.len() {
        write!(io.stdout, "\x1b[H\x1b[2J{}\n\n", screens[step])?;
        let last = step + 1 == screens.len();
        write!(
            io.stdout,
            "[{} of {}] Enter {}, b back, r repeat, q quit: ",
            step + 1,
            screens.len(),
            if last { "to finish" } else { "next" }
        )?;
        io.stdout.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(io.stdout)?;
            break;
        }
        match line.trim().to_ascii_lowercase().as_str() {
            "" => step += 1,
            "b" => step = step.saturating_sub(1),
            "q" => break,
            // `r`, and anything else: the same step again.
            _ => {}
        }
    }
    Ok(())
}

/// Read one answer; `None` at the end of input.
fn ask<T>(
    input: &mut impl BufRead,
    out: &mut dyn Write,
    prompt: &str,
    valid: impl Fn(&str) -> Option<T>,
) -> anyhow::Result<Option<T>> {
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

/// What the scenario says was answered, and the area's ladder to choose from.
fn show_what_we_know(
    out: &mut dyn Write,
    rules: &RuleSet,
    area: &Area,
    case: &Case,
    outcome: &engine::Outcome,
) -> std::io::Result<()> {
    let known: Vec<String> = scenario::moves(case, outcome)
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
    let ladder: Vec<String> = Tier::ALL
        .into_iter()
        .map(|t| render::level_label(area, t))
        .collect();
    writeln!(out, "\nLevels: {}", ladder.join(" | "))
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
            scenario::find(&all, name).map_err(|e| {
                Diagnostic::error(crate::error::Code::ScenarioUnknown, name, e)
                    .help("threshold scenario list")
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let area = area(rules, options)?;
    let moment = parse_at(options.at, &io.now)?.unwrap_or_else(|| io.now.clone());
    if let Some(format) = options.handout {
        let outcomes: Vec<_> = chosen
            .iter()
            .map(|s| engine::assess(area, &rules.questions, &s.case, &moment))
            .collect();
        let worked: Vec<_> = chosen
            .iter()
            .zip(&outcomes)
            .map(|(scenario, outcome)| render::trainer::Worked { scenario, outcome })
            .collect();
        let text = render::trainer::scenario_handout(rules, area, &worked, &moment, format);
        io.stdout.write_all(text.as_bytes())?;
        return Ok(());
    }
    let mut input = BufReader::new(&mut *io.stdin);
    let out = &mut *io.stdout;
    let (mut scored, mut possible) = (0u32, 0u32);
    let total = chosen.len();
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
        show_what_we_know(out, rules, area, &found.case, &outcome)?;
        let pick_level = |s: &str| s.parse::<u8>().ok().and_then(|n| Tier::try_from(n).ok());
        let Some(guess) = ask(
            &mut input,
            out,
            "Your level for the household (1-4)?",
            pick_level,
        )?
        else {
            break;
        };
        // The story stays in view: it is shown again above the second question.
        writeln!(out, "\n{}", render::trainer::story(found, area))?;
        writeln!(out, "Who do you ring first?")?;
        let choices = render::trainer::call_choices(area);
        for (i, choice) in choices.iter().enumerate() {
            writeln!(out, "  {}. {choice}", i + 1)?;
        }
        let count = choices.len();
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
        let right = scenario::right_first_call(&outcome);
        // The last choice is "no call needed"; the others are the area's contacts in order.
        let chosen = area.contacts.get(call - 1).map(|c| c.id.as_str());
        let call_right = right.is_some_and(|r| r.contact_id() == chosen);
        let points = scenario::quiz_points(level, guess, call_right);
        scored += u32::from(points);
        possible += u32::from(scenario::QUIZ_MAX);
        // The teaching points first, and the answer and score last, just above the pause:
        // the answer stays on screen until the trainer moves on.
        writeln!(out)?;
        out.write_all(render::trainer::teaching(found, area).as_bytes())?;
        writeln!(
            out,
            "\nThe rules say: {}; {}.",
            render::level_label(area, level),
            render::trainer::first_call_label(right.as_ref())
        )?;
        if let Some(right) = &right {
            writeln!(
                out,
                "Why: {}.",
                scenario::first_call_reason(&outcome, right)
            )?;
        }
        writeln!(
            out,
            "You scored {points} of {} (running total {scored} of {possible}).\n",
            scenario::QUIZ_MAX
        )?;
        if number + 1 < total {
            write!(out, "Enter for the next scenario, q to stop: ")?;
            out.flush()?;
            let mut line = String::new();
            if input.read_line(&mut line)? == 0 || line.trim().eq_ignore_ascii_case("q") {
                writeln!(out)?;
                break;
            }
            writeln!(out)?;
        }
    }
    writeln!(
        out,
        "Final score: {scored} of {possible}. {}",
        render::JUDGEMENT_NOTE
    )?;
    Ok(())
}

pub fn compare(
    rules: &RuleSet,
    path: &str,
    at: Option<&str>,
    handout: Option<render::trainer::Handout>,
    io: &mut Io,
) -> anyhow::Result<()> {
    let at = parse_at(at, &io.now)?;
    let (mut case, _) = read_case(path, rules, io)?;
    if let Some(at) = &at {
        case.assessed_at = Some(at.clone());
    }
    let moment = at.unwrap_or_else(|| io.now.clone());
    let outcomes: Vec<_> = rules
        .areas
        .iter()
        .map(|area| engine::assess(area, &rules.questions, &case, &moment))
        .collect();
    if let Some(format) = handout {
        let name = if path == "-" { "<stdin>" } else { path };
        let text = render::trainer::compare_handout(rules, name, &outcomes, &moment, format);
        io.stdout.write_all(text.as_bytes())?;
        return Ok(());
    }
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

#[cfg(test)]
mod tests {
    use super::screens_of;

    #[test]
    fn a_screen_never_starts_inside_a_wrapped_line_and_nothing_is_lost() {
        let section = "Title\n- one two\n    three four\n    five\n- six\n    seven\n- eight";
        let screens = screens_of(section, 4);
        assert_eq!(
            screens,
            vec![
                "Title\n- one two\n    three four\n    five",
                "- six\n    seven\n- eight"
            ]
        );
        // A block longer than a screen is cut at the screen's end.
        let long = "- a\n    b\n    c\n    d\n    e";
        assert_eq!(
            screens_of(long, 3),
            vec!["- a\n    b\n    c", "    d\n    e"]
        );
    }
}
