//! What trainers project: a scenario walked through answer by answer, the same case under
//! every area side by side, and an area's rules as a readable table.

use super::table::{grid, wrap};
use super::{level_label, open_label};
use crate::engine::{Call, Outcome};
use crate::rules::RuleSet;
use crate::rules::model::Area;
use crate::scenario::{FirstCall, Move, NearMiss, Scenario};
use crate::values::Tier;
use std::fmt::Write;

/// The scenarios there are.
/// Each scenario's name on a line of its own, whole (to copy into `scenario run`), then
/// its title and situation wrapped beneath it.
pub fn list(scenarios: &[Scenario]) -> String {
    let mut out = String::new();
    for s in scenarios {
        out.push_str(&s.name);
        out.push('\n');
        out.push_str(&wrap(
            "   ",
            "    ",
            &format!("{}: {}", s.title.trim(), s.situation.trim()),
        ));
    }
    out.push_str("\nRun one: threshold scenario run NAME --area AREA\n");
    out
}

/// The story, as a trainer reads it out.
pub fn story(scenario: &Scenario, area: &Area) -> String {
    let mut out = format!("{} ({})\n\n", scenario.title, area.name);
    out.push_str(&wrap("", "", &scenario.story));
    out
}

/// What is known, answer by answer, and what each answer moved; the answers that moved
/// nothing share one line per group, so the ones that matter stand out.
pub fn moves(rules: &RuleSet, moves: &[Move]) -> String {
    let mut out = String::from("What we know, and what each answer moved\n");
    let mut groups: Vec<(String, Vec<&Move>)> = Vec::new();
    for m in moves {
        let who = m
            .child
            .map_or("The household and the adult".to_string(), |c| {
                format!("Child {c}")
            });
        match groups.last_mut() {
            Some((name, members)) if *name == who => members.push(m),
            _ => groups.push((who, vec![m])),
        }
    }
    for (who, members) in groups {
        let _ = writeln!(out, "\n{who}");
        let mut unmoved = Vec::new();
        for m in members {
            let question = rules.questions.question(m.question);
            if m.effects.is_empty() {
                unmoved.push(format!("{} {}", question.short, m.answer.label()));
            } else {
                let text = format!(
                    "{}: {} -> {}",
                    question.short,
                    m.answer.label(),
                    moved_words(&m.effects)
                );
                out.push_str(&wrap("-", "    ", &text));
            }
        }
        if !unmoved.is_empty() {
            out.push_str(&wrap(
                "-",
                "    ",
                &format!("moved nothing: {}", unmoved.join(", ")),
            ));
        }
    }
    out
}

/// What one more worrying answer would have changed. Answers that force a level by a
/// floor (a disclosure, immediate danger) are gathered on one line: trainers need the
/// ones that tip a case over by adding up.
pub fn near_misses(rules: &RuleSet, area: &Area, misses: &[NearMiss]) -> String {
    let mut out =
        String::from("Near misses: one more worrying answer would have raised the level\n\n");
    let mut floors: Vec<String> = Vec::new();
    let mut shown = 0;
    for miss in misses {
        let question = &rules.questions.question(miss.question).short;
        let whose = miss
            .child
            .as_ref()
            .map(|c| format!(" for child {c}"))
            .unwrap_or_default();
        if miss.by_floor {
            let name = format!("{question} ({})", level_label(area, miss.level));
            if !floors.contains(&name) {
                floors.push(name);
            }
            continue;
        }
        shown += 1;
        let text = format!(
            "{question}{whose}: the household would reach {}",
            level_label(area, miss.level)
        );
        out.push_str(&wrap("-", "  ", &text));
    }
    if shown == 0 {
        out.push_str("- no answer would raise the level by adding up\n");
    }
    if !floors.is_empty() {
        out.push_str(&wrap(
            "-",
            "  ",
            &format!(
                "and, by a floor whatever else is true: {}",
                floors.join(", ")
            ),
        ));
    }
    out
}

/// The teaching points for a room using `area`'s rules, and their sources.
pub fn teaching(scenario: &Scenario, area: &Area) -> String {
    let mut out = String::from("Teaching points\n\n");
    for point in scenario.teaching_for(&area.id) {
        out.push_str(&wrap(
            "-",
            "  ",
            &format!("{} [{}]", point.point, point.source.trim()),
        ));
    }
    out
}

/// The quiz's choices for "who do you ring first?": every contact of the area, in its
/// file's order, then no call at all.
pub fn call_choices(area: &Area) -> Vec<String> {
    let mut choices: Vec<String> = area
        .contacts
        .iter()
        .map(
            |contact| match contact.phone.as_deref().or(contact.email.as_deref()) {
                Some(number) => format!("{} ({number})", contact.name),
                None => contact.name.clone(),
            },
        )
        .collect();
    choices.push(NO_CALL.to_string());
    choices
}

/// The quiz's last choice.
pub const NO_CALL: &str = "No call needed: universal services";

/// "ring first: MASH on 01803 208100, next working day: opens Mon 30 Nov 08:30", or "no
/// call needed: universal services".
pub fn first_call_label(call: Option<&FirstCall>) -> String {
    match call {
        Some(FirstCall::Ring(c)) => {
            let number = c
                .contact
                .phone
                .as_deref()
                .or(c.contact.email.as_deref())
                .unwrap_or("");
            let when = if c.call == Call::OpenNow || c.call == Call::RingNow {
                String::new()
            } else {
                format!(", {}", open_label(c))
            };
            format!("ring first: {} on {number}{when}", c.contact.name)
        }
        Some(FirstCall::Universal) => "no call needed: universal services".to_string(),
        None => "no first call (no children recorded)".to_string(),
    }
}

/// One case under every area: level, how high it could reach, the first action, the
/// first number to ring, and the routes. Rows and routes that differ are marked `*`.
pub fn compare(outcomes: &[Outcome]) -> String {
    let mut header = vec!["".to_string()];
    header.extend(outcomes.iter().map(|o| o.area.name.clone()));
    let mut table = grid(&header.iter().map(String::as_str).collect::<Vec<_>>());
    let reach = |o: &Outcome| o.children.iter().map(|c| c.could_reach).max();
    let rows: [(&str, Vec<Option<Tier>>); 2] = [
        ("Level", outcomes.iter().map(|o| o.overall).collect()),
        ("Could reach", outcomes.iter().map(reach).collect()),
    ];
    for (label, tiers) in rows {
        let differs = tiers.windows(2).any(|w| w[0] != w[1]);
        let mut row = vec![if differs {
            format!("{label} *")
        } else {
            label.to_string()
        }];
        row.extend(
            outcomes.iter().zip(tiers).map(|(o, tier)| {
                tier.map_or("no children".to_string(), |t| level_label(o.area, t))
            }),
        );
        table.add_row(row);
    }
    let mut first_action = vec!["First action".to_string()];
    first_action.extend(outcomes.iter().map(|o| {
        o.actions
            .first()
            .map_or(String::new(), |a| a.text.trim().to_string())
    }));
    table.add_row(first_action);
    let mut ring = vec!["Ring first".to_string()];
    ring.extend(outcomes.iter().map(|o| {
        o.contacts.first().map_or(String::new(), |c| {
            let number = c
                .contact
                .phone
                .clone()
                .or_else(|| c.contact.email.clone())
                .unwrap_or_default();
            format!("{}\n{number}\n{}", c.contact.name, open_label(c))
        })
    }));
    table.add_row(ring);
    let route_sets: Vec<Vec<&str>> = outcomes
        .iter()
        .map(|o| o.routes.iter().map(|r| r.route.id.as_str()).collect())
        .collect();
    let mut routes = vec!["Routes".to_string()];
    routes.extend(route_sets.iter().map(|set| {
        set.iter()
            .map(|id| {
                // Spaces let a narrow column wrap between words.
                let words = id.replace('_', " ");
                if route_sets.iter().all(|other| other.contains(id)) {
                    words
                } else {
                    format!("{words}*")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }));
    table.add_row(routes);
    format!(
        "{table}\n* differs between areas. {}\n",
        super::JUDGEMENT_NOTE
    )
}

/// An area's rules as a trainer projects them: the ladder, what moves a child up, the
/// floors, the protective factors and the routes.
pub fn show(rules: &RuleSet, area: &Area) -> String {
    let bank = &rules.questions;
    let scoring = &area.scoring;
    let mut out = wrap("", "", &format!("{}: {}", area.name, area.edition.trim()));
    let about = format!(
        "Rules {} reviewed {}; every rule's source is in rules/areas/{}.yaml",
        area.version, area.reviewed, area.id
    );
    out.push_str(&wrap("", "", &about));
    out.push('\n');

    let mut ladder = grid(&["Tier", "Level", "What it means"]);
    for level in &area.levels {
        ladder.add_row(vec![
            level.tier.to_string(),
            level.name.clone(),
            level.descriptor.trim().to_string(),
        ]);
    }
    let _ = writeln!(out, "The ladder\n{ladder}\n");

    let mut thresholds: Vec<_> = scoring.thresholds.iter().collect();
    thresholds.sort_by_key(|t| t.tier);
    let reached: Vec<String> = thresholds
        .iter()
        .map(|t| format!("{} from {} points", level_label(area, t.tier), t.at_least))
        .collect();
    let weights = scored_rules("What moves a child up", &scoring.weights, bank);
    out.push_str(&wrap(
        "",
        "",
        &format!(
            "What moves a child up (points add up; {})",
            reached.join(", ")
        ),
    ));
    let _ = writeln!(out, "{weights}\n");

    let mut floors = grid(&["At least", "Floor", "When"]);
    for floor in &scoring.floors {
        floors.add_row(vec![
            level_label(area, floor.tier),
            floor.label.clone(),
            bank.describe(&floor.when),
        ]);
    }
    let _ = writeln!(out, "Floors: whatever the score, never below\n{floors}\n");

    let protective = &scoring.protective;
    let factors = scored_rules("Protective factor", &protective.factors, bank);
    out.push_str(&wrap(
        "",
        "",
        &if protective.max_lowering == 0 {
            "Protective factors (strengths): shape the plan and are shown in the score; they never lower a level".to_string()
        } else {
            format!(
                "Protective factors: lower a level by at most {}, never from {}, never below a floor or the child's own need",
                protective.max_lowering,
                level_label(area, protective.not_from_tier)
            )
        },
    ));
    let _ = writeln!(out, "{factors}\n");

    let mut routes = grid(&["Route", "When", "What to do"]);
    for route in &area.routes {
        routes.add_row(vec![
            route.id.clone(),
            bank.describe(&route.when),
            route.text.trim().to_string(),
        ]);
    }
    let _ = writeln!(out, "Routes\n{routes}");
    out
}

/// Points, label and condition of each rule, as a table.
fn scored_rules(
    heading: &str,
    rules: &[crate::rules::model::Rule],
    bank: &crate::question::QuestionBank,
) -> comfy_table::Table {
    let mut table = grid(&["Points", heading, "When"]);
    for rule in rules {
        table.add_row(vec![
            format!("{:+}", rule.points),
            rule.label.clone(),
            bank.describe(&rule.when),
        ]);
    }
    table
}

/// A handout's format: Markdown, or one self-contained HTML page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handout {
    Markdown,
    Html,
}

/// What a handout is made of; the same blocks become Markdown or HTML, each escaped once
/// where it is written out.
enum Block {
    Title(String),
    Heading(String),
    Subheading(String),
    Para(String),
    Strong(String),
    List(Vec<String>),
    Table(Vec<String>, Vec<Vec<String>>),
    /// A line for the trainee to write on.
    Blank(String),
    /// The answer sheet starts on a new page.
    NewSheet,
}

/// One scenario's outcome, ready for a handout.
pub struct Worked<'s, 'o, 'a> {
    pub scenario: &'s Scenario,
    pub outcome: &'o Outcome<'a>,
}

/// The worksheet (story, what is known, blanks for the level and the first call) and the
/// answer sheet (the result, what each answer moved, the right first call and why, the
/// teaching points for this area with their sources) for scenarios in one area.
pub fn scenario_handout(
    rules: &RuleSet,
    area: &Area,
    worked: &[Worked],
    moment: &jiff::ZonedDateTime,
    format: Handout,
) -> String {
    let mut blocks = vec![
        Block::Title(format!("Worksheet: {}", area.name)),
        Block::Para(format!(
            "Threshold scenarios under {}'s rules; numbers as they stand at {}.",
            area.name,
            super::moment_label(moment)
        )),
    ];
    let ladder: Vec<String> = Tier::ALL
        .into_iter()
        .map(|t| level_label(area, t))
        .collect();
    let choices = call_choices(area);
    for (number, w) in worked.iter().enumerate() {
        blocks.push(Block::Heading(format!(
            "Scenario {}: {}",
            number + 1,
            w.scenario.title
        )));
        blocks.push(Block::Para(w.scenario.story.trim().to_string()));
        blocks.push(Block::Subheading("What we know".into()));
        blocks.push(known_table(
            rules,
            &crate::scenario::moves(&w.scenario.case, w.outcome),
        ));
        blocks.push(Block::Subheading("Your answers".into()));
        blocks.push(Block::Para(format!("Levels: {}.", ladder.join("; "))));
        blocks.push(Block::Blank("Your level for the household (1-4)".into()));
        blocks.push(Block::Blank("Your first call (who, and when)".into()));
        blocks.push(Block::Blank("Why".into()));
    }
    blocks.push(Block::Subheading("Who you could ring".into()));
    blocks.push(Block::List(choices));
    blocks.push(Block::NewSheet);
    blocks.push(Block::Title(format!("Answer sheet: {}", area.name)));
    for (number, w) in worked.iter().enumerate() {
        blocks.push(Block::Heading(format!(
            "Scenario {}: {}",
            number + 1,
            w.scenario.title
        )));
        answers(rules, w.outcome, &mut blocks);
        let points: Vec<String> = w
            .scenario
            .teaching_for(&area.id)
            .iter()
            .map(|t| format!("{} [{}]", one_line(&t.point), one_line(&t.source)))
            .collect();
        if !points.is_empty() {
            blocks.push(Block::Subheading("Teaching points".into()));
            blocks.push(Block::List(points));
        }
    }
    blocks.push(Block::Para(super::JUDGEMENT_NOTE.into()));
    write(
        &format!("Threshold scenarios: {}", area.name),
        &blocks,
        format,
    )
}

/// The same case under every area: a worksheet with a row per area to fill in, and an
/// answer sheet with each area's result, first call and what each answer moved.
pub fn compare_handout(
    rules: &RuleSet,
    case_name: &str,
    outcomes: &[Outcome],
    moment: &jiff::ZonedDateTime,
    format: Handout,
) -> String {
    let mut blocks = vec![
        Block::Title("Worksheet: one case, every area".into()),
        Block::Para(format!(
            "The case {case_name}; numbers as they stand at {}.",
            super::moment_label(moment)
        )),
    ];
    if let Some(first) = outcomes.first() {
        blocks.push(Block::Subheading("What we know".into()));
        blocks.push(known_table(
            rules,
            &crate::scenario::moves(first.case, first),
        ));
    }
    blocks.push(Block::Subheading("Your answers".into()));
    blocks.push(Block::Table(
        vec![
            "Area".into(),
            "Your level (1-4)".into(),
            "Your first call".into(),
        ],
        outcomes
            .iter()
            .map(|o| vec![o.area.name.clone(), String::new(), String::new()])
            .collect(),
    ));
    blocks.push(Block::Blank("Where the areas differ, and why".into()));
    blocks.push(Block::NewSheet);
    blocks.push(Block::Title("Answer sheet: one case, every area".into()));
    for outcome in outcomes {
        blocks.push(Block::Heading(outcome.area.name.clone()));
        answers(rules, outcome, &mut blocks);
    }
    blocks.push(Block::Para(super::JUDGEMENT_NOTE.into()));
    write(
        &format!("Threshold: {case_name} in every area"),
        &blocks,
        format,
    )
}

/// The answers given, as a table a trainee reads: who, the question, the answer.
fn known_table(rules: &RuleSet, moves: &[Move]) -> Block {
    let rows = moves
        .iter()
        .map(|m| {
            vec![
                m.child
                    .map_or("Household".to_string(), |c| format!("Child {c}")),
                rules.questions.question(m.question).short.clone(),
                m.answer.label(),
            ]
        })
        .collect();
    Block::Table(vec!["Who".into(), "Question".into(), "Answer".into()], rows)
}

/// The result, what each answer moved, and the right first call with why.
fn answers(rules: &RuleSet, outcome: &Outcome, blocks: &mut Vec<Block>) {
    let area = outcome.area;
    blocks.push(Block::Strong(format!(
        "The rules give: {}",
        outcome
            .overall
            .map_or("no level (no children recorded)".to_string(), |t| {
                level_label(area, t)
            })
    )));
    let unknown: Vec<String> = super::view::View::of(rules, outcome)
        .not_yet_known
        .iter()
        .map(|l| match &l.child {
            Some(child) => format!("{child}: {}", l.text),
            None => l.text.clone(),
        })
        .collect();
    if !unknown.is_empty() {
        blocks.push(Block::List(unknown));
    }
    let routes: Vec<String> = outcome
        .routes
        .iter()
        .map(|r| r.route.id.replace('_', " "))
        .collect();
    if !routes.is_empty() {
        blocks.push(Block::Para(format!("Routes: {}.", routes.join(", "))));
    }
    blocks.push(Block::Subheading("The right first call".into()));
    let right = crate::scenario::right_first_call(outcome);
    let mut call = first_call_label(right.as_ref());
    if let Some(first) = call.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    blocks.push(Block::Strong(format!("{call}.")));
    if let Some(right) = &right {
        blocks.push(Block::Para(format!(
            "Why: {}.",
            crate::scenario::first_call_reason(outcome, right)
        )));
    }
    blocks.push(Block::Subheading("What each answer moved".into()));
    let moves = crate::scenario::moves(outcome.case, outcome);
    let mut moved = Vec::new();
    let mut unmoved = Vec::new();
    for m in &moves {
        let who = m.child.map(|c| format!(" (child {c})")).unwrap_or_default();
        let question = &rules.questions.question(m.question).short;
        if m.effects.is_empty() {
            unmoved.push(format!("{question}{who}"));
        } else {
            moved.push(format!(
                "{question}{who}: {} moved {}",
                m.answer.label(),
                moved_words(&m.effects)
            ));
        }
    }
    if !unmoved.is_empty() {
        moved.push(format!("Moved nothing: {}.", unmoved.join(", ")));
    }
    blocks.push(Block::List(moved));
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn write(title: &str, blocks: &[Block], format: Handout) -> String {
    match format {
        Handout::Markdown => markdown(blocks),
        Handout::Html => html(title, blocks),
    }
}

/// Markdown text that shows as written: the characters that would start markup are
/// escaped (an underscore only where it could open emphasis).
fn md(text: &str) -> String {
    let text = one_line(text);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let inside_word = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_alphanumeric())
        };
        let escape = match c {
            '\\' | '*' | '`' | '[' | ']' | '<' | '>' | '|' | '#' => true,
            '_' => !(inside_word(i.checked_sub(1)) && inside_word(Some(i + 1))),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Title(t) => {
                let _ = writeln!(out, "# {}\n", md(t));
            }
            Block::Heading(t) => {
                let _ = writeln!(out, "## {}\n", md(t));
            }
            Block::Subheading(t) => {
                let _ = writeln!(out, "### {}\n", md(t));
            }
            Block::Para(t) => {
                let _ = writeln!(out, "{}\n", md(t));
            }
            Block::Strong(t) => {
                let _ = writeln!(out, "**{}**\n", md(t));
            }
            Block::List(items) => {
                for item in items {
                    let _ = writeln!(out, "- {}", md(item));
                }
                out.push('\n');
            }
            Block::Table(header, rows) => {
                let cells = |row: &[String]| {
                    row.iter()
                        .map(|c| if c.is_empty() { " ".to_string() } else { md(c) })
                        .collect::<Vec<_>>()
                        .join(" | ")
                };
                let _ = writeln!(out, "| {} |", cells(header));
                let _ = writeln!(out, "|{}", " --- |".repeat(header.len()));
                for row in rows {
                    let _ = writeln!(out, "| {} |", cells(row));
                }
                out.push('\n');
            }
            Block::Blank(label) => {
                let _ = writeln!(
                    out,
                    "**{}:** ________________________________________\n",
                    md(label)
                );
            }
            Block::NewSheet => out.push_str("---\n\n"),
        }
    }
    out
}

/// Text for HTML, on one line, every character that could be markup escaped.
fn esc(text: &str) -> String {
    super::html_escape(&one_line(text))
}

/// The style of an HTML handout: plain, and readable printed (the answer sheet starts on
/// a new page).
const HANDOUT_CSS: &str = "body{font-family:Georgia,'Times New Roman',serif;font-size:12pt;\
line-height:1.45;color:#000;background:#fff;max-width:46em;margin:2em auto;padding:0 1em}\
h1{font-size:1.6em;margin:0 0 .4em}h2{font-size:1.25em;margin-top:1.6em;\
border-bottom:1px solid #888}h3{font-size:1.05em;margin-bottom:.3em}\
table{border-collapse:collapse;width:100%;margin:.4em 0}th,td{border:1px solid #777;\
padding:.25em .5em;text-align:left;vertical-align:top}td:empty{height:2.4em}\
.blank{margin:1.2em 0}.blank span{display:inline-block;min-width:22em;\
border-bottom:1px solid #000;height:1.1em}\
.sheet{break-before:page;page-break-before:always}\
@media print{body{margin:0;max-width:none}h2,h3{break-after:avoid}li,tr{break-inside:avoid}}";

fn html(title: &str, blocks: &[Block]) -> String {
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", esc(title));
    let _ = writeln!(
        out,
        "<style>{HANDOUT_CSS}</style>\n</head>\n<body>\n<section>"
    );
    for block in blocks {
        match block {
            Block::Title(t) => {
                let _ = writeln!(out, "<h1>{}</h1>", esc(t));
            }
            Block::Heading(t) => {
                let _ = writeln!(out, "<h2>{}</h2>", esc(t));
            }
            Block::Subheading(t) => {
                let _ = writeln!(out, "<h3>{}</h3>", esc(t));
            }
            Block::Para(t) => {
                let _ = writeln!(out, "<p>{}</p>", esc(t));
            }
            Block::Strong(t) => {
                let _ = writeln!(out, "<p><strong>{}</strong></p>", esc(t));
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(out, "<li>{}</li>", esc(item));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(header, rows) => {
                out.push_str("<table>\n<thead><tr>");
                for h in header {
                    let _ = write!(out, "<th scope=\"col\">{}</th>", esc(h));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        let _ = write!(out, "<td>{}</td>", esc(cell));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::Blank(label) => {
                let _ = writeln!(
                    out,
                    "<p class=\"blank\"><strong>{}:</strong> <span></span></p>",
                    esc(label)
                );
            }
            Block::NewSheet => out.push_str("</section>\n<section class=\"sheet\">\n"),
        }
    }
    out.push_str("</section>\n</body>\n</html>\n");
    out
}

/// What an answer moved, in words: "+2 Parent or carer with mental ill health (A); route lado".
fn moved_words(effects: &[crate::scenario::Moved]) -> String {
    effects
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
