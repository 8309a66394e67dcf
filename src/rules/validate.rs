//! What `threshold rules check` refuses and warns about. Structural mistakes (a misspelt
//! field or question id) are caught while reading, with the parser's position; the checks
//! here need the whole file, and point at the id or key they are about.

use super::model::{Area, Rule};
use crate::condition::{Condition, Test};
use crate::error::{Diagnostic, Location};
use crate::hours::{first_run_where, week_cover};
use crate::question::{About, Answer, Kind, QId, QuestionBank, Worrying};
use std::collections::HashSet;

struct Report<'a> {
    file: &'a str,
    text: &'a str,
    found: Vec<Diagnostic>,
}

impl Report<'_> {
    /// Where `key: value` stands in the file for the `nth` time.
    fn locate(&self, key: &str, value: &str, nth: usize) -> Option<Location> {
        crate::error::find_key_value(self.text, key, value, nth)
    }

    /// Where `key: value` first stands after the line `section:`.
    fn locate_in(&self, section: &str, key: &str, value: &str) -> Option<Location> {
        self.locate_after(
            crate::error::find_key_value(self.text, section, "", 0),
            key,
            value,
        )
    }

    /// Where `key: value` first stands at or after `at`.
    fn locate_after(&self, at: Option<Location>, key: &str, value: &str) -> Option<Location> {
        let start = at?.offset_in(self.text);
        crate::error::find_key_value(&self.text[start..], key, value, 0).map(|found| {
            Location::of_offset(self.text, start + found.offset_in(&self.text[start..]))
        })
    }

    fn error(&mut self, at: Option<Location>, message: String, help: &str) {
        self.found
            .push(Diagnostic::error(self.file, message).at(at).help(help));
    }

    fn warning(&mut self, at: Option<Location>, message: String, help: &str) {
        self.found
            .push(Diagnostic::warning(self.file, message).at(at).help(help));
    }

    /// Every source names a seed file (`NNN_<hex>.txt`) or a public page with the date
    /// it was checked ("checked 2026-11-22").
    fn source(&mut self, at: Option<Location>, what: &str, source: &str) {
        if !cites_something(source) {
            // Point at the source text itself, which follows the item's own line.
            let start: String = source
                .split_whitespace()
                .take(4)
                .collect::<Vec<_>>()
                .join(" ");
            let from = at.map_or(0, |a| a.offset_in(self.text));
            let at = self.text[from..]
                .find(&start)
                .filter(|_| !start.is_empty())
                .map(|i| Location::of_offset(self.text, from + i))
                .or(at);
            let message = if source.trim().is_empty() {
                format!("{what} has no source")
            } else {
                format!(
                    "{what} has a source that names no seed file and no checked date: `{source}`"
                )
            };
            self.error(
                at,
                message,
                "cite a seed file and section (004_6a0c92154672053a.txt, Getting Help) or a public page with `checked YYYY-MM-DD`",
            );
        }
    }
}

fn cites_something(source: &str) -> bool {
    let seed = source
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .any(|word| {
            let word =
                word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '.');
            word.len() == 24
                && word.ends_with(".txt")
                && word.as_bytes()[3] == b'_'
                && word[..3].bytes().all(|b| b.is_ascii_digit())
                && word[4..20].bytes().all(|b| b.is_ascii_hexdigit())
        });
    let checked = source.match_indices("checked ").any(|(i, m)| {
        let date = source[i + m.len()..].get(..10).unwrap_or("");
        date.parse::<jiff::civil::Date>().is_ok()
    });
    seed || checked
}

/// How a condition may use answers where it stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Weights and floors: only the worrying answer, so a more worrying answer never lowers a tier.
    Risk,
    /// Protective factors: only the reassuring answer, so a protective factor never raises one.
    Protective,
    /// Routes: any test, per child.
    Route,
    /// Actions: household answers and the household tier only.
    Action,
    /// When to ask a question: earlier answers, and for a child question the child's age.
    AskWhen { question: QId, about: About },
}

fn check_condition(
    report: &mut Report,
    at: Option<Location>,
    what: &str,
    condition: &Condition,
    bank: &QuestionBank,
    usage: Use,
) {
    for atom in condition.atoms() {
        let problem: Option<String> = match (atom, usage) {
            (Condition::Answer(q, test), _) => answer_problem(bank, *q, *test, usage),
            (
                Condition::AgeAtLeast(_) | Condition::AgeUnder(_) | Condition::Unborn,
                Use::Action,
            ) => Some("actions are for the household: a child's age belongs in a route".into()),
            (
                Condition::AgeAtLeast(_) | Condition::AgeUnder(_) | Condition::Unborn,
                Use::AskWhen {
                    about: About::Household,
                    ..
                },
            ) => Some("a household question cannot depend on a child's age".into()),
            (
                Condition::TierAtLeast(_) | Condition::TierIn(_) | Condition::UnknownCouldRaise,
                Use::Risk | Use::Protective | Use::AskWhen { .. },
            ) => Some("scoring and questions cannot depend on the tier they decide".into()),
            (
                Condition::NoChildren,
                Use::Risk | Use::Protective | Use::AskWhen { .. } | Use::Route,
            ) => Some("`no_children` is for actions only".into()),
            (Condition::TierAtLeast(t), _) if !(1..=4).contains(t) => {
                Some(format!("tier {t} does not exist: tiers are 1 to 4"))
            }
            (Condition::TierIn(tiers), _) if tiers.iter().any(|t| !(1..=4).contains(t)) => {
                Some("tiers are 1 to 4".into())
            }
            _ => None,
        };
        if let Some(problem) = problem {
            report.error(
                at,
                format!("{what}: {problem}"),
                "see rules/README.md for what a condition may test where",
            );
        }
    }
}

fn answer_problem(bank: &QuestionBank, q: QId, test: Test, usage: Use) -> Option<String> {
    let question = bank.question(q);
    let id = &question.id;
    match (question.kind, test) {
        (Kind::Yesno, Test::AtLeast(_)) => {
            return Some(format!("`{id}` is yes/no: test it with `is:`"));
        }
        (Kind::Count, Test::Is(_)) => {
            return Some(format!("`{id}` is a count: test it with `at_least:`"));
        }
        _ => {}
    }
    let worrying = match (question.worrying, test) {
        (_, Test::IsUnknown) => None,
        (Worrying::Yes, Test::Is(a)) => Some(a == Answer::Yes),
        (Worrying::No, Test::Is(a)) => Some(a == Answer::No),
        (_, _) => Some(true),
    };
    match usage {
        Use::Risk if worrying != Some(true) => Some(format!(
            "a weight or floor may only test the worrying answer of `{id}`, so that a more worrying answer never lowers a tier"
        )),
        Use::Protective if worrying != Some(false) => Some(format!(
            "a protective factor may only test the reassuring answer of `{id}`, so that it never raises a tier"
        )),
        Use::Action if question.about == About::Child => Some(format!(
            "actions are for the household: `{id}` is about a child and belongs in a route"
        )),
        Use::AskWhen {
            question: asking,
            about,
        } => {
            if q >= asking {
                Some(format!(
                    "`{id}` is not asked before this question: ask_when may only use earlier answers"
                ))
            } else if about == About::Household && question.about == About::Child {
                Some(format!(
                    "a household question cannot depend on the child question `{id}`"
                ))
            } else {
                None
            }
        }
        _ => None,
    }
}

pub fn questions(bank: &QuestionBank, text: &str, file: &str) -> Vec<Diagnostic> {
    let mut report = Report {
        file,
        text,
        found: Vec::new(),
    };
    let mut seen = HashSet::new();
    for (q, question) in bank.questions() {
        let id = question.id.as_str();
        let at = report.locate("id", id, 0);
        if !seen.insert(id) {
            let again = report.locate("id", id, 1);
            report.error(
                again,
                format!("question id `{id}` is used twice"),
                "give each question its own id",
            );
        }
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            report.error(
                at,
                format!("question id `{id}` must be lower_snake_case"),
                "ids are part of the case-file format",
            );
        }
        match (question.kind, question.worrying) {
            (Kind::Yesno, Worrying::More) => report.error(
                at,
                format!("`{id}` is yes/no, so its worrying answer is yes or no"),
                "set `worrying: yes` or `worrying: no`",
            ),
            (Kind::Count, Worrying::Yes | Worrying::No) => report.error(
                at,
                format!("`{id}` is a count, so its worrying answer is `more`"),
                "set `worrying: more`",
            ),
            _ => {}
        }
        if question.unborn && question.about == About::Household {
            report.error(
                at,
                format!("`{id}` is a household question and cannot be marked `unborn`"),
                "remove `unborn: true`",
            );
        }
        if let Some(when) = &question.ask_when {
            let usage = Use::AskWhen {
                question: q,
                about: question.about,
            };
            let at = report.locate_after(at, "ask_when", "").or(at);
            check_condition(
                &mut report,
                at,
                &format!("question `{id}` ask_when"),
                when,
                bank,
                usage,
            );
        }
        report.source(at, &format!("question `{id}`"), &question.source);
    }
    report.found
}

pub fn area(
    area: &Area,
    bank: &QuestionBank,
    path: &str,
    text: &str,
    file: &str,
    today: jiff::civil::Date,
) -> Vec<Diagnostic> {
    let mut report = Report {
        file,
        text,
        found: Vec::new(),
    };
    let expected = format!("{}/{}.yaml", super::AREAS_DIR, area.id);
    if path != expected {
        let at = report.locate("id", &area.id, 0);
        report.error(
            at,
            format!("area `{}` is in {path}", area.id),
            &format!("name the file {expected}"),
        );
    }
    if area.sources.is_empty() {
        report.error(
            None,
            "the area lists no source documents".into(),
            "list the seed documents under `sources:`",
        );
    }
    levels(&mut report, area);
    scoring(&mut report, area, bank);
    routes_and_actions(&mut report, area, bank);
    contacts(&mut report, area, today);
    report.found
}

fn levels(report: &mut Report, area: &Area) {
    let mut previous = 0;
    for level in &area.levels {
        let at = report.locate("name", &level.name, 0);
        if !(1..=4).contains(&level.tier) {
            report.error(
                at,
                format!(
                    "level `{}` maps to tier {}, but tiers are 1 to 4",
                    level.name, level.tier
                ),
                "map each rung to a common tier 1-4",
            );
        } else if level.tier < previous {
            report.error(
                at,
                format!("level `{}` is out of order", level.name),
                "list the ladder lowest first",
            );
        }
        previous = previous.max(level.tier);
        report.source(at, &format!("level `{}`", level.name), &level.source);
    }
    for tier in 1..=4 {
        if !area.levels.iter().any(|l| l.tier == tier) {
            report.error(
                report.locate("levels", "", 0),
                format!("no level of the ladder maps to tier {tier}"),
                "every tier 1-4 needs at least one rung",
            );
        }
    }
}

fn scoring(report: &mut Report, area: &Area, bank: &QuestionBank) {
    let scoring = &area.scoring;
    let mut ids = HashSet::new();
    let mut check_id = |report: &mut Report, id: &str| {
        if !ids.insert(id.to_string()) {
            let at = report.locate("id", id, 1);
            report.error(
                at,
                format!("rule id `{id}` is used twice in the scoring"),
                "give each weight, floor and factor its own id",
            );
        }
    };
    let max_score: i32 = scoring.weights.iter().map(|w| w.points.max(0)).sum();
    let mut previous = 0;
    for tier in 2..=4u8 {
        let matching: Vec<_> = scoring
            .thresholds
            .iter()
            .filter(|t| t.tier == tier)
            .collect();
        let at = report.locate_in("thresholds", "tier", &tier.to_string());
        match matching.as_slice() {
            [threshold] => {
                if threshold.at_least <= previous {
                    report.error(
                        at,
                        format!(
                            "the threshold for tier {tier} ({}) is not above the one below it",
                            threshold.at_least
                        ),
                        "thresholds rise with the tier",
                    );
                }
                previous = threshold.at_least;
                report.source(at, &format!("threshold for tier {tier}"), &threshold.source);
                let floored = scoring.floors.iter().any(|f| f.tier == tier);
                if threshold.at_least > max_score {
                    let message = format!(
                        "tier {tier} ({}) cannot be reached by score: its threshold {} is above the highest possible score {max_score}",
                        area.level_name(tier),
                        threshold.at_least
                    );
                    if floored {
                        report.warning(
                            at,
                            message,
                            "only a floor reaches this tier: lower the threshold or add weights",
                        );
                    } else {
                        report.error(
                            at,
                            format!("{message}, and no floor gives it"),
                            "lower the threshold, add weights or add a floor",
                        );
                    }
                }
            }
            _ => report.error(
                at,
                format!(
                    "tier {tier} needs exactly one threshold, found {}",
                    matching.len()
                ),
                "list one threshold each for tiers 2, 3 and 4",
            ),
        }
    }
    for rule in &scoring.weights {
        check_id(report, &rule.id);
        scored_rule(report, rule, bank, Use::Risk);
    }
    for floor in &scoring.floors {
        check_id(report, &floor.id);
        let at = report.locate("id", &floor.id, 0);
        if !(1..=4).contains(&floor.tier) {
            report.error(
                at,
                format!(
                    "floor `{}` forces tier {}, but tiers are 1 to 4",
                    floor.id, floor.tier
                ),
                "a floor is a tier from 1 to 4",
            );
        }
        let when = report.locate_after(at, "when", "").or(at);
        check_condition(
            report,
            when,
            &format!("floor `{}`", floor.id),
            &floor.when,
            bank,
            Use::Risk,
        );
        report.source(at, &format!("floor `{}`", floor.id), &floor.source);
    }
    let protective = &scoring.protective;
    let at = report.locate("max_lowering", &protective.max_lowering.to_string(), 0);
    if protective.max_lowering > 3 || !(2..=4).contains(&protective.not_from_tier) {
        report.error(
            at,
            "protective factors: max_lowering is 0 to 3 and not_from_tier is 2 to 4".into(),
            "see rules/README.md",
        );
    }
    report.source(at, "protective factors", &protective.source);
    for rule in &protective.factors {
        check_id(report, &rule.id);
        scored_rule(report, rule, bank, Use::Protective);
    }
}

fn scored_rule(report: &mut Report, rule: &Rule, bank: &QuestionBank, usage: Use) {
    let at = report.locate("id", &rule.id, 0);
    let (ok, need) = match usage {
        Use::Risk => (rule.points > 0, "a weight has points above 0"),
        _ => (rule.points < 0, "a protective factor has points below 0"),
    };
    if !ok {
        report.error(
            at,
            format!("`{}` has {} points: {need}", rule.id, rule.points),
            "move it to the right list or fix its points",
        );
    }
    let when = report.locate_after(at, "when", "").or(at);
    check_condition(
        report,
        when,
        &format!("`{}`", rule.id),
        &rule.when,
        bank,
        usage,
    );
    report.source(at, &format!("`{}`", rule.id), &rule.source);
}

fn routes_and_actions(report: &mut Report, area: &Area, bank: &QuestionBank) {
    let mut ids = HashSet::new();
    for route in &area.routes {
        let at = report.locate("id", &route.id, 0);
        if !ids.insert(route.id.as_str()) {
            let again = report.locate("id", &route.id, 1);
            report.error(
                again,
                format!("route `{}` is listed twice", route.id),
                "merge the two into one route with an `any:` condition",
            );
        }
        let when = report.locate_after(at, "when", "").or(at);
        check_condition(
            report,
            when,
            &format!("route `{}`", route.id),
            &route.when,
            bank,
            Use::Route,
        );
        for contact in &route.contacts {
            if area.contact(contact).is_none() {
                let from = at.map_or(0, |a| a.offset_in(report.text));
                let near = crate::rules::find_word(report.text, contact, from).or(at);
                report.error(near, format!("route `{}` names contact `{contact}`, which is not in this area's contacts", route.id), "add the contact or fix the id");
            }
        }
        report.source(at, &format!("route `{}`", route.id), &route.source);
    }
    match area.routes.iter().find(|r| r.id == "emergency") {
        None => report.error(
            None,
            "there is no `emergency` route".into(),
            "every area needs an emergency route whose first contact is 999",
        ),
        Some(route) => {
            let first_is_999 = route
                .contacts
                .first()
                .and_then(|c| area.contact(c))
                .is_some_and(|c| c.emergency);
            if !first_is_999 {
                let at = report.locate("id", "emergency", 0);
                report.error(
                    report.locate_after(at, "contacts", "").or(at),
                    "the emergency route must list an emergency contact (999) first".into(),
                    "put the contact with `emergency: true` first",
                );
            }
        }
    }
    for action in &area.actions {
        let at = report.locate("text", &action.text, 0);
        check_condition(report, at, "action", &action.when, bank, Use::Action);
        report.source(at, "action", &action.source);
    }
}

fn contacts(report: &mut Report, area: &Area, today: jiff::civil::Date) {
    use jiff::ToSpan;
    let mut ids = HashSet::new();
    for contact in &area.contacts {
        let at = report.locate("id", &contact.id, 0);
        if !ids.insert(contact.id.as_str()) {
            let again = report.locate("id", &contact.id, 1);
            report.error(
                again,
                format!("contact `{}` is listed twice", contact.id),
                "give each contact its own id",
            );
        }
        if contact.phone.is_none() && contact.email.is_none() {
            report.error(
                at,
                format!("contact `{}` has no phone and no email", contact.id),
                "a contact must be reachable; put a web-only route in the route's text",
            );
        }
        if let Some(phone) = &contact.phone
            && (!phone.bytes().all(|b| b.is_ascii_digit() || b == b' ')
                || phone.bytes().filter(u8::is_ascii_digit).count() < 3)
        {
            report.error(
                at,
                format!(
                    "contact `{}` has the phone number `{phone}`, which is not digits and spaces",
                    contact.id
                ),
                "write the number as dialled, e.g. 0161 603 4500",
            );
        }
        let stale = contact
            .checked
            .checked_add(12.months())
            .is_ok_and(|due| due < today);
        if stale {
            report.warning(
                at,
                format!(
                    "contact `{}` was last checked on {}, over 12 months ago",
                    contact.id, contact.checked
                ),
                "check the number against its source and update `checked:`",
            );
        }
        report.source(at, &format!("contact `{}`", contact.id), &contact.source);
    }
    if !area.contacts.iter().any(|c| c.emergency) {
        report.error(
            report.locate("contacts", "", 0),
            "no contact is marked `emergency: true`".into(),
            "add police 999 as the emergency contact",
        );
    }
    let at = report.locate("cover", "", 0);
    let mut covering = Vec::new();
    for id in &area.cover.contacts {
        match area.contact(id) {
            Some(contact) if contact.hours.always || !contact.hours.open.is_empty() => {
                covering.push(&contact.hours)
            }
            Some(_) => report.error(
                at,
                format!("cover: contact `{id}` has no opening hours to count"),
                "give it `open:` windows",
            ),
            None => report.error(
                at,
                format!("cover names contact `{id}`, which is not in this area's contacts"),
                "fix the id",
            ),
        }
    }
    let cover = week_cover(covering);
    if let Some(gap) = first_run_where(&cover, |c| c == 0) {
        report.error(at, format!("the area claims 24/7 cover but no contact in `cover` is open from {gap} (Europe/London)"), "fix the opening hours so the cover has no gaps");
    }
    if let Some(overlap) = first_run_where(&cover, |c| c > 1) {
        report.error(
            at,
            format!("the opening hours in `cover` overlap from {overlap} (Europe/London)"),
            "fix the opening hours so exactly one service covers each minute",
        );
    }
    report.source(at, "cover", &area.cover.source);
}

#[cfg(test)]
mod tests {
    use super::cites_something;

    #[test]
    fn a_source_names_a_seed_file_or_a_checked_date() {
        assert!(cites_something("004_6a0c92154672053a.txt, Getting Help"));
        assert!(cites_something(
            "salford.gov.uk/thresholds.htm (checked 2026-11-22)"
        ));
        assert!(!cites_something("the internet"));
        assert!(!cites_something("checked recently"));
        assert!(!cites_something(""));
    }
}
