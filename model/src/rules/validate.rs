//! What `threshold rules check` refuses and warns about. Structural mistakes (a misspelt
//! field or question id) are caught while reading, with the parser's position; the checks
//! here need the whole file, and point at the id or key they are about.

use super::model::{Area, Basis, Floor, National, Rule, SourceDocument};
use crate::condition::{Condition, Test};
use crate::error::{Diagnostic, Location};
use crate::hours::{first_run_where, week_cover};
use crate::question::{About, Answer, Kind, QId, QuestionBank, Worrying};
use std::collections::HashSet;

/// The most points one rule may give or take, and the highest threshold: with at most a
/// few hundred rules, no sum comes near overflow.
const MAX_POINTS: i32 = 100;
const MAX_THRESHOLD: i32 = 1000;

struct Report<'a> {
    file: &'a str,
    text: &'a str,
    /// The documents a `source:` may cite, by key.
    sources: &'a [SourceDocument],
    found: Vec<Diagnostic>,
}

impl Report<'_> {
    /// Where `key: value` stands in the file for the `nth` time.
    fn locate(&self, key: &str, value: &str, nth: usize) -> Option<Location> {
        crate::error::find_key_value(self.text, key, value, nth)
    }

    /// The first line that is exactly `line` (indentation included).
    fn locate_line(&self, line: &str) -> Option<Location> {
        let mut offset = 0;
        for l in self.text.split_inclusive('\n') {
            if l.trim_end() == line {
                return Some(Location::of_offset(self.text, offset));
            }
            offset += l.len();
        }
        None
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
        self.found.push(
            Diagnostic::error(crate::error::Code::RulesInvariant, self.file, message)
                .at(at)
                .help(help),
        );
    }

    fn warning(&mut self, at: Option<Location>, message: String, help: &str) {
        self.found.push(
            Diagnostic::warning(crate::error::Code::RulesCheckWarning, self.file, message)
                .at(at)
                .help(help),
        );
    }

    /// Every source begins with the key of a declared document, names no undeclared seed
    /// file, and says "general principle" where it cites a document declared as one.
    fn source(&mut self, at: Option<Location>, what: &str, source: &str) {
        if let Some(problem) = citation_problem(self.sources, source) {
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
            self.error(
                at,
                format!("{what} {problem}"),
                "begin the source with a key declared under `sources:` (a seed file such as 004_6a0c92154672053a.txt, or a public page's key), then the section; see rules/README.md",
            );
        }
    }

    /// A number's basis: weights and thresholds are always this project's calibration (no
    /// seed gives points) and say why; anything marked calibration gives its rationale.
    fn basis(
        &mut self,
        at: Option<Location>,
        what: &str,
        basis: Basis,
        rationale: &Option<String>,
        must_calibrate: bool,
    ) {
        if must_calibrate && basis != Basis::Calibration {
            self.error(
                at,
                format!("{what} is a number no source gives: it must say `basis: calibration`"),
                "add `basis: calibration` and a `rationale:` saying why this number",
            );
        }
        if basis != Basis::Source && rationale.as_deref().is_none_or(|r| r.trim().is_empty()) {
            self.error(
                at,
                format!("{what} is {} but gives no rationale", basis.label()),
                "add `rationale:` saying why this reading or number, in words a partnership can check",
            );
        }
    }
}

/// The documents a rules file may cite: each key once; a public page with where it is and
/// when it was read (not in the future).
/// `not_after`: no source can have been read after this day — today, or the rules' own
/// review date when the machine's clock is behind it (a wrong clock never stops the
/// bundled rules loading).
fn check_sources(report: &mut Report, not_after: jiff::civil::Date) {
    let mut keys = HashSet::new();
    for doc in report.sources {
        let at = report.locate("key", &doc.key, 0);
        if !keys.insert(doc.key.as_str()) {
            report.error(
                report.locate("key", &doc.key, 1),
                format!("source `{}` is declared twice", doc.key),
                "declare each document once",
            );
        }
        if !is_seed_file(&doc.key) && doc.checked.is_none() {
            report.error(
                at,
                format!(
                    "source `{}` is a public page but gives no `checked:` date",
                    doc.key
                ),
                "add the date the page was read (and its `url:` where it is known)",
            );
        }
        if let Some(checked) = doc.checked
            && checked > not_after
        {
            report.error(
                report.locate_after(at, "checked", "").or(at),
                format!(
                    "source `{}` was checked on {checked}, which is in the future",
                    doc.key
                ),
                "write the date the page was actually read",
            );
        }
    }
}

fn citation_problem(sources: &[SourceDocument], source: &str) -> Option<String> {
    let source = source.trim();
    if source.is_empty() {
        return Some("has no source".into());
    }
    let begins = sources.iter().any(|doc| {
        source
            .strip_prefix(doc.key.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', ',', ';', '(', ':']))
    });
    if !begins {
        let shown: String = source.chars().take(60).collect();
        return Some(format!(
            "has a source that begins with no declared document: `{shown}`"
        ));
    }
    for word in
        source.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')')
    {
        let word = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '.');
        let word = word.trim_end_matches('.');
        let word = if word.ends_with(".txt") {
            word
        } else {
            continue;
        };
        if !sources.iter().any(|d| d.key == word) {
            return Some(format!(
                "cites `{word}`, which is not declared under `sources:`"
            ));
        }
    }
    sources
        .iter()
        .filter(|d| d.general_principle && source.contains(d.key.as_str()))
        .find(|_| !source.contains("general principle"))
        .map(|d| {
            format!(
                "cites `{}`, another area's or a national document, without saying it is for a general principle",
                d.key
            )
        })
}

fn is_seed_file(word: &str) -> bool {
    word.len() == 24
        && word.ends_with(".txt")
        && word.as_bytes()[3] == b'_'
        && word[..3].bytes().all(|b| b.is_ascii_digit())
        && word[4..20].bytes().all(|b| b.is_ascii_hexdigit())
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
                Condition::TierAtLeast(_)
                | Condition::TierIn(_)
                | Condition::UnknownCouldRaise
                | Condition::Settled,
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

pub fn questions(
    bank: &QuestionBank,
    sources: &[SourceDocument],
    text: &str,
    file: &str,
    not_after: jiff::civil::Date,
) -> Vec<Diagnostic> {
    let mut report = Report {
        file,
        text,
        sources,
        found: Vec::new(),
    };
    check_sources(&mut report, not_after);
    if bank.len() > crate::question::QSet::CAPACITY {
        report.error(
            None,
            format!(
                "the bank has {} questions; the engine's trace holds at most {}",
                bank.len(),
                crate::question::QSet::CAPACITY
            ),
            "merge questions, or widen QSet in src/question.rs",
        );
    }
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
        match (&question.before_birth, question.about, question.unborn) {
            (None, About::Child, false) => report.error(
                at,
                format!("`{id}` is not asked before birth, and does not say what carries its worry for an unborn baby"),
                "add `before_birth: {carried_by: [IDS]}` (household questions, or child ones asked before birth) or `before_birth: {cannot: \"why\"}`",
            ),
            (Some(_), About::Household, _) | (Some(_), _, true) => report.error(
                at,
                format!("`{id}` is asked of an unborn child already, or is a household question: it needs no `before_birth`"),
                "remove `before_birth:`",
            ),
            (Some(before), _, _) => {
                if before.carried_by.is_empty() == before.cannot.as_deref().is_none_or(|w| w.trim().is_empty()) {
                    report.error(
                        at,
                        format!("`{id}`'s `before_birth` must give either `carried_by` or `cannot`, not both or neither"),
                        "name the questions that carry the worry before birth, or say why it cannot arise",
                    );
                }
                for carrier in &before.carried_by {
                    let other = bank.question(carrier.0);
                    if other.about == About::Child && !other.unborn {
                        report.error(
                            at,
                            format!("`{id}`'s worry before birth is carried by `{}`, which is not asked before birth either", other.id),
                            "name household questions, or child questions with `unborn: true`",
                        );
                    }
                }
            }
            (None, _, _) => {}
        }
        if question.after_children && question.about == About::Child {
            report.error(
                at,
                format!("`{id}` is a child question: `after_children` is for household questions"),
                "remove `after_children: true`",
            );
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
        sources: &area.sources,
        found: Vec::new(),
    };
    let not_after = today.max(area.reviewed);
    check_sources(&mut report, not_after);
    if area.reviewed > today {
        report.warning(
            report.locate("reviewed", &area.reviewed.to_string(), 0),
            format!(
                "the rules say they were reviewed on {}, after today ({today})",
                area.reviewed
            ),
            "check this computer's date, or correct `reviewed:`",
        );
    }
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
    contacts(&mut report, area, today, not_after);
    safety_invariants(&mut report, area, bank);
    report.found
}

/// The national layer on its own: its sources, floors, routes, the worries it says are not
/// a need alone, and its limit on points. What it promises across the areas is checked
/// once they have inherited it (`national::invariants`).
pub fn national(
    national: &National,
    bank: &QuestionBank,
    text: &str,
    file: &str,
    not_after: jiff::civil::Date,
) -> Vec<Diagnostic> {
    let mut report = Report {
        file,
        text,
        sources: &national.sources,
        found: Vec::new(),
    };
    check_sources(&mut report, not_after.max(national.reviewed));
    let mut ids = HashSet::new();
    for floor in &national.floors {
        if !ids.insert(floor.id.as_str()) {
            report.error(
                report.locate("id", &floor.id, 1),
                format!("floor `{}` is listed twice", floor.id),
                "give each national floor its own id",
            );
        }
        // A national floor that gives tier 1 would say nothing.
        check_floor(&mut report, floor, bank, 2);
    }
    for route in national.routes.iter().chain([&national.score_limit.route]) {
        let at = report.locate("id", &route.id, 0);
        if !ids.insert(route.id.as_str()) {
            report.error(
                report.locate("id", &route.id, 1),
                format!("`{}` is listed twice", route.id),
                "give each national route its own id",
            );
        }
        let what = format!("route `{}`", route.id);
        let when = report.locate_after(at, "when", "").or(at);
        check_condition(&mut report, when, &what, &route.when, bank, Use::Route);
        if !route.contacts.is_empty()
            || std::iter::once(&route.text)
                .chain(&route.detail)
                .any(|t| t.contains("{contact:") || phone_like(t).is_some())
        {
            report.error(
                at,
                format!("national {what} names a contact or a number"),
                "contacts are the areas' own: a national route says what to do; an area words it with its contacts (a route of the same id)",
            );
        }
        report.source(at, &what, &route.source);
    }
    for entry in &national.not_a_need_alone {
        let id = bank.name(entry.question.0);
        let at = report.locate("question", id, 0);
        if entry.rationale.trim().is_empty() {
            report.error(
                at,
                format!("`{id}` is said not to be a need alone, with no rationale"),
                "say why, in words a partnership can check",
            );
        }
        if bank.question(entry.question.0).worrying == Worrying::No {
            report.error(
                at,
                format!("`{id}` is a strength, not a worry"),
                "list only worries here",
            );
        }
        if national
            .floors
            .iter()
            .any(|f| matches!(&f.when, Condition::Answer(q, _) if *q == entry.question.0))
        {
            report.error(
                at,
                format!("`{id}` is said not to be a need alone, but a national floor gives it a tier alone"),
                "keep one: the floor, or the entry here",
            );
        }
        report.source(at, &format!("`{id}`"), &entry.source);
    }
    let limit = &national.score_limit;
    let at = report.locate("id", &limit.id, 0);
    if !(1..=3).contains(&limit.tier) {
        report.error(
            at,
            format!(
                "the score limit is tier {}: points alone stop at 1 to 3",
                limit.tier
            ),
            "points alone stop below the top tier (only a floor reaches tier 4 then)",
        );
    }
    let what = format!("score limit `{}`", limit.id);
    let when = report.locate_after(at, "when", "").or(at);
    // A limit lowers, so like a strength it may test only reassuring answers: a more
    // worrying answer lifts it and never lowers a tier.
    check_condition(&mut report, when, &what, &limit.when, bank, Use::Protective);
    report.basis(
        at,
        &what,
        limit.basis,
        &Some(limit.rationale.clone()),
        false,
    );
    report.source(at, &what, &limit.source);
    report.found
}

/// The promises every area keeps whatever its rules say, checked by running them: a
/// child in immediate danger gets the emergency route (999 first) and the top tier, and
/// never when danger is ruled out; disclosed harm and suspected significant harm each
/// reach the top tier alone.
fn safety_invariants(report: &mut Report, area: &Area, bank: &QuestionBank) {
    use crate::condition::Facts;
    use crate::question::Answers;
    let Some(danger) = bank.get("immediate_danger") else {
        return;
    };
    let household_with = |answer: Answer| {
        let mut answers = Answers::unknown(bank.len());
        answers.set(danger, answer);
        answers
    };
    let nobody = Answers::unknown(bank.len());
    let emergency_at = report.locate("id", "emergency", 0);
    if let Some(route) = area.routes.iter().find(|r| r.id == "emergency") {
        let yes = household_with(Answer::Yes);
        let no = household_with(Answer::No);
        if !route.when.holds(&Facts::household(&yes)) {
            report.error(
                emergency_at,
                "the emergency route does not fire when a child is in immediate danger".into(),
                "give it `when: {answer: immediate_danger, is: yes}`",
            );
        }
        if route.when.holds(&Facts::household(&no)) {
            report.error(
                emergency_at,
                "the emergency route fires when immediate danger is ruled out".into(),
                "give it `when: {answer: immediate_danger, is: yes}`",
            );
        }
    }
    let floor_reaches_top = |household: &Answers, child: &Answers| {
        let facts = Facts::child(household, child, Some(8));
        area.scoring
            .floors
            .iter()
            .any(|f| f.tier == 4 && f.when.holds(&facts))
    };
    if !floor_reaches_top(&household_with(Answer::Yes), &nobody) {
        report.error(
            report.locate_line("  floors:"),
            "no floor puts a child in immediate danger at tier 4".into(),
            "add a floor: `when: {answer: immediate_danger, is: yes}`, `tier: 4`",
        );
    }
    for id in ["disclosed_harm", "suspected_significant_harm"] {
        let Some(q) = bank.get(id) else { continue };
        let mut child = Answers::unknown(bank.len());
        child.set(q, Answer::Yes);
        if !floor_reaches_top(&nobody, &child) {
            report.error(
                report.locate_line("  floors:"),
                format!("no floor puts a child at tier 4 when `{id}` is yes"),
                &format!("add a floor: `when: {{answer: {id}, is: yes}}`, `tier: 4`"),
            );
        }
    }
    for contact in area.contacts.iter().filter(|c| c.emergency) {
        if contact.phone.as_deref() != Some("999") {
            report.error(
                report.locate("id", &contact.id, 0),
                format!(
                    "the emergency contact `{}` has the number {}, not 999",
                    contact.id,
                    contact.phone.as_deref().unwrap_or("(none)")
                ),
                "the emergency number is 999",
            );
        }
    }
}

/// A text that names contacts by reference, `{contact:ID}`, never by number: every
/// reference names a contact of this area, and no contact's number is written out.
fn texts_name_contacts(
    report: &mut Report,
    area: &Area,
    at: Option<Location>,
    what: &str,
    text: &str,
) {
    let mut rest = text;
    while let Some(start) = rest.find("{contact:") {
        let after = &rest[start + "{contact:".len()..];
        let Some(end) = after.find('}') else {
            report.error(
                at,
                format!("{what}: `{{contact:` is not closed"),
                "write {contact:ID}",
            );
            break;
        };
        let id = &after[..end];
        if area.contact(id).is_none() {
            report.error(
                at,
                format!("{what} names `{{contact:{id}}}`, which is not in this area's contacts"),
                "fix the id",
            );
        }
        rest = &after[end..];
    }
    let mut prose = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{contact:") {
        prose.push_str(&rest[..start]);
        rest = rest[start..]
            .find('}')
            .map_or("", |end| &rest[start + end + 1..]);
    }
    prose.push_str(rest);
    let prose = prose.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(number) = phone_like(&prose)
        && !area
            .contacts
            .iter()
            .any(|c| c.phone.as_deref() == Some(number))
    {
        report.error(
            at,
            format!("{what} writes the number {number} out"),
            "make it a contact and write {contact:ID}, or list it with the contact it belongs to",
        );
    }
    for contact in &area.contacts {
        let Some(phone) = &contact.phone else {
            continue;
        };
        if contains_number(&prose, phone) {
            report.error(
                at,
                format!(
                    "{what} writes the number {phone} out: a changed number would leave it behind"
                ),
                &format!(
                    "write {{contact:{}}} instead; the number is filled in from the contact",
                    contact.id
                ),
            );
        }
    }
}

/// The first phone-number-like run in `text`: digits in groups separated by single spaces,
/// six digits or more in all.
fn phone_like(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let (start, mut end, mut digits) = (i, i, 0);
            let mut j = i;
            while j < bytes.len() {
                if bytes[j].is_ascii_digit() {
                    digits += 1;
                    end = j + 1;
                } else if !(bytes[j] == b' '
                    && j + 1 < bytes.len()
                    && bytes[j + 1].is_ascii_digit())
                {
                    break;
                }
                j += 1;
            }
            if digits >= 6 {
                return Some(&text[start..end]);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

/// Whether `number` stands in `text` as a number of its own (not inside a longer one).
fn contains_number(text: &str, number: &str) -> bool {
    text.match_indices(number).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + number.len()..].chars().next();
        before.is_none_or(|c| !c.is_ascii_digit()) && after.is_none_or(|c| !c.is_ascii_digit())
    })
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
    let max_score: i32 = scoring
        .weights
        .iter()
        .map(|w| w.points.clamp(0, MAX_POINTS))
        .sum();
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
                if !(1..=MAX_THRESHOLD).contains(&threshold.at_least) {
                    report.error(
                        at,
                        format!("the threshold for tier {tier} is {}: thresholds are 1 to {MAX_THRESHOLD}", threshold.at_least),
                        "keep thresholds small: they are counts of points",
                    );
                }
                let what = format!("threshold for tier {tier}");
                report.basis(at, &what, threshold.basis, &threshold.rationale, true);
                report.source(at, &what, &threshold.source);
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
        check_floor(report, floor, bank, 1);
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

/// A floor's tier (`lowest` to 4), its condition (worrying answers only), basis and source.
fn check_floor(report: &mut Report, floor: &Floor, bank: &QuestionBank, lowest: u8) {
    let at = report.locate("id", &floor.id, 0);
    if !(lowest..=4).contains(&floor.tier) {
        let (range, help) = match lowest {
            1 => ("tiers are 1 to 4", "a floor is a tier from 1 to 4"),
            _ => (
                "a national floor is 2 to 4",
                "a national floor raises a child to tier 2, 3 or 4",
            ),
        };
        report.error(
            at,
            format!(
                "floor `{}` forces tier {}, but {range}",
                floor.id, floor.tier
            ),
            help,
        );
    }
    let what = format!("floor `{}`", floor.id);
    let when = report.locate_after(at, "when", "").or(at);
    check_condition(report, when, &what, &floor.when, bank, Use::Risk);
    report.basis(at, &what, floor.basis, &floor.rationale, false);
    report.source(at, &what, &floor.source);
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
    if rule.points.unsigned_abs() > MAX_POINTS as u32 {
        report.error(
            at,
            format!(
                "`{}` has {} points: a rule's points are at most {MAX_POINTS} either way",
                rule.id, rule.points
            ),
            "keep points small; no sum of them can then overflow",
        );
    }
    report.basis(
        at,
        &format!("`{}`", rule.id),
        rule.basis,
        &rule.rationale,
        true,
    );
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
        let doors = [&area.front_door.daytime, &area.front_door.out_of_hours];
        for contact in &route.contacts {
            let from = at.map_or(0, |a| a.offset_in(report.text));
            let near = crate::parse::find_word(report.text, contact, from).or(at);
            match area.contact(contact) {
                None => report.error(near, format!("route `{}` names contact `{contact}`, which is not in this area's contacts", route.id), "add the contact or fix the id"),
                Some(c) if c.emergency || doors.contains(&contact) => report.error(
                    near,
                    format!("route `{}` lists `{contact}`, which every result lists already", route.id),
                    "999 and the front door are derived for every result; list only the route's own specialists",
                ),
                Some(_) => {}
            }
        }
        let what = format!("route `{}`", route.id);
        texts_name_contacts(report, area, at, &what, &route.text);
        for line in &route.detail {
            texts_name_contacts(report, area, at, &what, line);
        }
        report.source(at, &what, &route.source);
    }
    if !area.routes.iter().any(|r| r.id == "emergency") {
        report.error(
            None,
            "there is no `emergency` route".into(),
            "every area needs an emergency route for a child in immediate danger",
        );
    }
    for action in &area.actions {
        let at = report.locate("text", &action.text, 0);
        check_condition(report, at, "action", &action.when, bank, Use::Action);
        texts_name_contacts(report, area, at, "action", &action.text);
        report.source(at, "action", &action.source);
    }
}

fn contacts(
    report: &mut Report,
    area: &Area,
    today: jiff::civil::Date,
    not_after: jiff::civil::Date,
) {
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
        if contact.checked > not_after {
            report.error(
                at,
                format!(
                    "contact `{}` was checked on {}, which is in the future",
                    contact.id, contact.checked
                ),
                "write the date the number was actually checked",
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
    front_door(report, area);
}

/// The front door: a daytime service and a duty team, both this area's contacts, with
/// known hours that together answer every minute of the week exactly once.
fn front_door(report: &mut Report, area: &Area) {
    let at = report.locate("front_door", "", 0);
    let door = &area.front_door;
    let mut covering = Vec::new();
    for (role, id) in [
        ("daytime", &door.daytime),
        ("out_of_hours", &door.out_of_hours),
    ] {
        let at = report.locate_in("front_door", role, id).or(at);
        match area.contact(id) {
            Some(contact) if contact.emergency => report.error(
                at,
                format!("front_door: `{role}` names the emergency number `{id}`"),
                "999 is always listed by the tool; name children's social care's own services",
            ),
            Some(contact) if contact.hours.always || !contact.hours.open.is_empty() => {
                covering.push(&contact.hours)
            }
            Some(_) => report.error(
                at,
                format!("front_door: `{id}` has no opening hours to count"),
                "give it `open:` windows",
            ),
            None => report.error(
                at,
                format!("front_door names contact `{id}`, which is not in this area's contacts"),
                "fix the id",
            ),
        }
    }
    if covering.len() == 2 {
        let cover = week_cover(covering);
        if let Some(gap) = first_run_where(&cover, |c| c == 0) {
            report.error(at, format!("the front door leaves a gap: neither service is open from {gap} (Europe/London)"), "fix the opening hours so the daytime service and the duty team cover the whole week");
        }
        if let Some(overlap) = first_run_where(&cover, |c| c > 1) {
            report.error(
                at,
                format!("the front door's opening hours overlap from {overlap} (Europe/London)"),
                "fix the opening hours so exactly one service covers each minute",
            );
        }
    }
    report.source(at, "front_door", &door.source);
}

#[cfg(test)]
mod tests {
    use super::citation_problem;
    use crate::rules::model::SourceDocument;

    fn doc(key: &str, general_principle: bool) -> SourceDocument {
        SourceDocument {
            key: key.into(),
            title: "t".into(),
            publisher: "p".into(),
            url: None,
            checked: None,
            general_principle,
        }
    }

    #[test]
    fn a_source_begins_with_a_declared_document() {
        let sources = [
            doc("004_6a0c92154672053a.txt", false),
            doc("salford.gov.uk/thresholds.htm", false),
            doc("003_ab244fb51e8edd0b.txt", true),
        ];
        let ok = |s: &str| citation_problem(&sources, s).is_none();
        assert!(ok("004_6a0c92154672053a.txt, Getting Help"));
        assert!(ok("salford.gov.uk/thresholds.htm (checked 2026-11-22)"));
        assert!(ok(
            "004_6a0c92154672053a.txt; 003_ab244fb51e8edd0b.txt, 1.8 (general principle)"
        ));
        assert!(!ok("the internet"));
        assert!(!ok(""));
        assert!(!ok("004_6a0c92154672053a.txtx"));
        assert!(!ok(
            "004_6a0c92154672053a.txt and 999_0123456789abcdef.txt, 1.1"
        ));
        assert!(!ok(
            "004_6a0c92154672053a.txt; 003_ab244fb51e8edd0b.txt, 1.8"
        ));
    }
}
