//! What trainers project: a scenario walked through answer by answer, the same case under
//! every area side by side, and an area's rules as a readable table.

use super::table::{grid, wrap};
use super::{level_label, open_label};
use crate::engine::{Call, Outcome};
use crate::rules::RuleSet;
use crate::rules::model::Area;
use crate::scenario::{FirstCall, Move, NearMiss, Scenario};
use std::fmt::Write;

/// The scenarios there are.
pub fn list(scenarios: &[Scenario]) -> String {
    let mut table = grid(&["Name", "Title", "Situation"]);
    for s in scenarios {
        table.add_row(vec![s.name.clone(), s.title.clone(), s.situation.clone()]);
    }
    format!("{table}\nRun one: threshold scenario run NAME --area AREA\n")
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
                    m.effects.join("; ")
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
    let by_floor = |miss: &NearMiss| {
        area.scoring
            .floors
            .iter()
            .any(|f| f.tier == miss.level && f.when.mentions(miss.question))
    };
    let mut floors: Vec<String> = Vec::new();
    let mut shown = 0;
    for miss in misses {
        let question = &rules.questions.question(miss.question).short;
        let whose = miss
            .child
            .as_ref()
            .map(|c| format!(" for child {c}"))
            .unwrap_or_default();
        if by_floor(miss) {
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
        .map(|contact| {
            let number = contact
                .phone
                .as_deref()
                .or(contact.email.as_deref())
                .unwrap_or("");
            format!("{} ({number})", contact.name)
        })
        .collect();
    choices.push(NO_CALL.to_string());
    choices
}

/// The quiz's last choice.
pub const NO_CALL: &str = "No call needed: universal services";

/// "ring first: MASH on 01803 208100 (next working day: opens Mon 30 Nov 08:30)", or "no
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
                format!(" ({})", open_label(c))
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
    let level = |o: &Outcome, tier: Option<u8>| {
        tier.map_or("no children".to_string(), |t| level_label(o.area, t))
    };
    let reach = |o: &Outcome| o.children.iter().map(|c| c.could_reach).max();
    let rows: Vec<(&str, Vec<String>, Vec<u8>)> = vec![
        (
            "Level",
            outcomes.iter().map(|o| level(o, o.overall)).collect(),
            outcomes.iter().map(|o| o.overall.unwrap_or(0)).collect(),
        ),
        (
            "Could reach",
            outcomes.iter().map(|o| level(o, reach(o))).collect(),
            outcomes.iter().map(|o| reach(o).unwrap_or(0)).collect(),
        ),
    ];
    for (label, cells, tiers) in rows {
        let differs = tiers.windows(2).any(|w| w[0] != w[1]);
        let mut row = vec![if differs {
            format!("{label} *")
        } else {
            label.to_string()
        }];
        row.extend(cells);
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
            floor.when.describe(bank),
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
            route.when.describe(bank),
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
            rule.when.describe(bank),
        ]);
    }
    table
}
