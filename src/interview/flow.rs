//! The interview's order and its skipping rule, with no terminal: given the answers so far,
//! which step comes next, and whether a question could still change the result.
//!
//! Order: the area, immediate danger, the household's worries, how many children, each
//! child (label, age, then the child's questions), and last the household's strengths
//! (protective questions), asked once the worries are known.
//!
//! A question is asked only when it applies (its `ask_when`, and for a child its age or
//! being unborn) and its answer could still change the result: some route or action tests
//! it, it opens a later question that could, or it could move a child's tier. It cannot
//! move a tier when the lowest tier the child can still reach (this question reassuring,
//! every other unknown reassuring) equals the highest (this question worrying, every other
//! unknown worrying). The rules are monotone (`rules check` lets weights and floors test
//! only the worrying answer, protective factors only the reassuring one), so every
//! combination of answers lies between those two: equal bounds prove the answer cannot
//! matter, whatever the questions still to come turn out to be.

use crate::case::{Case, Child};
use crate::condition::{Condition, Facts, Test};
use crate::engine;
use crate::question::{About, Answer, Answers, QId, Worrying};
use crate::rules::RuleSet;
use crate::rules::model::Area;

/// Who a question is about: the household, or the child at this index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    Household,
    Child(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Area,
    Question(Subject, QId),
    ChildCount,
    /// The next child's label.
    Label,
    /// The next child's age (its label is given).
    Age,
}

/// The interview so far.
pub struct Flow<'r> {
    rules: &'r RuleSet,
    area: Option<&'r Area>,
    pub case: Case,
    moment: jiff::ZonedDateTime,
    household_asked: Vec<bool>,
    children_asked: Vec<Vec<bool>>,
    /// How many children the practitioner said there are; `None` until asked.
    expected_children: Option<usize>,
    /// The label of the child being described, until its age is given.
    pending_label: Option<String>,
}

impl<'r> Flow<'r> {
    /// Start from `case`: its known answers count as asked (a replay); its unknown ones will
    /// be asked if they could matter. A case with no children is asked how many there are.
    pub fn new(
        rules: &'r RuleSet,
        area: Option<&'r Area>,
        mut case: Case,
        moment: jiff::ZonedDateTime,
    ) -> Flow<'r> {
        let known = |answers: &Answers| answers.0.iter().map(|a| !a.is_unknown()).collect();
        let household_asked = known(&case.answers);
        let children_asked = case.children.iter().map(|c| known(&c.answers)).collect();
        let expected_children = (!case.children.is_empty()).then_some(case.children.len());
        case.area = area.map(|a| a.id.clone());
        case.assessed_at = Some(moment.clone());
        Flow {
            rules,
            area,
            case,
            moment,
            household_asked,
            children_asked,
            expected_children,
            pending_label: None,
        }
    }

    pub fn rules(&self) -> &'r RuleSet {
        self.rules
    }

    pub fn area(&self) -> Option<&'r Area> {
        self.area
    }

    pub fn moment(&self) -> &jiff::ZonedDateTime {
        &self.moment
    }

    pub fn set_area(&mut self, area: &'r Area) {
        self.area = Some(area);
        self.case.area = Some(area.id.clone());
    }

    /// The result for the answers so far.
    pub fn outcome(&self) -> Option<engine::Outcome<'_>> {
        self.area
            .map(|area| engine::assess(area, &self.rules.questions, &self.case, &self.moment))
    }

    /// What to ask next; `None` when nothing left could change the result.
    pub fn next(&self) -> Option<Step> {
        let Some(area) = self.area else {
            return Some(Step::Area);
        };
        let (worries, strengths) = self.household_order();
        let bank = &self.rules.questions;
        if let Some(q) = worries
            .iter()
            .filter(|q| !bank.question(**q).after_children)
            .find(|q| self.wants(area, Subject::Household, **q))
        {
            return Some(Step::Question(Subject::Household, *q));
        }
        let Some(expected) = self.expected_children else {
            return Some(Step::ChildCount);
        };
        for index in 0..self.case.children.len() {
            let subject = Subject::Child(index);
            if let Some(q) = self.child_order().find(|q| self.wants(area, subject, *q)) {
                return Some(Step::Question(subject, q));
            }
        }
        if self.case.children.len() < expected {
            return Some(match self.pending_label {
                None => Step::Label,
                Some(_) => Step::Age,
            });
        }
        // Worries that matter only for children of some ages, now that their ages are
        // known; then the strengths.
        let bank = &self.rules.questions;
        let described = !self.case.children.is_empty();
        worries
            .iter()
            .filter(|q| described && bank.question(**q).after_children)
            .chain(&strengths)
            .find(|q| self.wants(area, Subject::Household, **q))
            .map(|q| Step::Question(Subject::Household, *q))
    }

    /// Record an answer (also to change one).
    pub fn answer(&mut self, subject: Subject, q: QId, answer: Answer) {
        match subject {
            Subject::Household => {
                self.case.answers.set(q, answer);
                self.household_asked[q.index()] = true;
            }
            Subject::Child(i) => {
                self.case.children[i].answers.set(q, answer);
                self.children_asked[i][q.index()] = true;
            }
        }
    }

    /// Forget an answer: unknown again, and not asked (the interview's "back").
    pub fn forget(&mut self, subject: Subject, q: QId) {
        match subject {
            Subject::Household => {
                self.case.answers.set(q, Answer::Unknown);
                self.household_asked[q.index()] = false;
            }
            Subject::Child(i) => {
                self.case.children[i].answers.set(q, Answer::Unknown);
                self.children_asked[i][q.index()] = false;
            }
        }
    }

    pub fn set_child_count(&mut self, count: usize) {
        self.expected_children = Some(count.max(self.case.children.len()));
    }

    /// One more child to describe.
    pub fn add_child(&mut self) {
        self.expected_children = Some(self.case.children.len() + 1);
    }

    pub fn remove_child(&mut self, index: usize) {
        if index < self.case.children.len() {
            self.case.children.remove(index);
            self.children_asked.remove(index);
            self.expected_children = Some(self.case.children.len());
        }
    }

    pub fn set_label(&mut self, label: String) {
        self.pending_label = Some(label);
    }

    /// The pending child's age (`None` for unborn): the child is then recorded.
    pub fn set_age(&mut self, age: Option<u8>) {
        let id = self
            .pending_label
            .take()
            .unwrap_or_else(|| self.free_label());
        self.case.children.push(Child {
            id,
            age,
            answers: Answers::unknown(self.rules.questions.len()),
        });
        self.children_asked
            .push(vec![false; self.rules.questions.len()]);
    }

    pub fn relabel(&mut self, index: usize, label: String) {
        if let Some(child) = self.case.children.get_mut(index) {
            child.id = label;
        }
    }

    pub fn set_child_age(&mut self, index: usize, age: Option<u8>) {
        if let Some(child) = self.case.children.get_mut(index) {
            child.age = age;
        }
    }

    /// The first of A, B, C, ... that no child has.
    pub fn free_label(&self) -> String {
        let taken = |label: &str| {
            self.case.children.iter().any(|c| c.id == label)
                || self.pending_label.as_deref() == Some(label)
        };
        (b'A'..=b'Z')
            .map(|b| char::from(b).to_string())
            .chain((1..).map(|n| format!("child-{n}")))
            .find(|label| !taken(label))
            .unwrap_or_default()
    }

    pub fn label_taken(&self, label: &str) -> bool {
        self.case.children.iter().any(|c| c.id == label)
    }

    pub fn pending_label(&self) -> Option<&str> {
        self.pending_label.as_deref()
    }

    pub fn asked(&self, subject: Subject, q: QId) -> bool {
        match subject {
            Subject::Household => self.household_asked[q.index()],
            Subject::Child(i) => self.children_asked[i][q.index()],
        }
    }

    pub fn answer_of(&self, subject: Subject, q: QId) -> Answer {
        match subject {
            Subject::Household => self.case.answers.get(q),
            Subject::Child(i) => self.case.children[i].answers.get(q),
        }
    }

    /// Whether `q` is a question for `subject` now: about it, and its `ask_when`, age and
    /// unborn conditions hold for the answers so far.
    pub fn applies(&self, subject: Subject, q: QId) -> bool {
        let question = self.rules.questions.question(q);
        let facts = match subject {
            Subject::Household if question.about == About::Household => {
                Facts::household(&self.case.answers)
            }
            Subject::Child(i) if question.about == About::Child => {
                let child = &self.case.children[i];
                if child.unborn() && !question.unborn {
                    return false;
                }
                Facts::child(&self.case.answers, &child.answers, child.age)
            }
            _ => return false,
        };
        question.ask_when.as_ref().is_none_or(|c| c.holds(&facts))
    }

    /// Every question for the household and each child, in the order they are asked.
    pub fn questions(&self) -> Vec<(Subject, QId)> {
        let (worries, strengths) = self.household_order();
        let children = (0..self.case.children.len())
            .flat_map(|i| self.child_order().map(move |q| (Subject::Child(i), q)));
        worries
            .into_iter()
            .chain(strengths)
            .map(|q| (Subject::Household, q))
            .chain(children)
            .collect()
    }

    /// Questions that apply, are unknown and were not asked: they could not change the result.
    pub fn not_asked(&self) -> Vec<(Subject, QId)> {
        self.questions()
            .into_iter()
            .filter(|(s, q)| {
                !self.asked(*s, *q) && self.answer_of(*s, *q).is_unknown() && self.applies(*s, *q)
            })
            .collect()
    }

    /// Answers given that no longer apply after a change (a younger age, a "no" where a
    /// "yes" opened the question) are cleared, and which they were is returned for the
    /// screen to say so: an answer that cannot apply is never scored silently, and a case
    /// file holding one would be refused. Clearing one may close others it opened.
    pub fn clear_stale(&mut self) -> Vec<(Subject, QId)> {
        let mut cleared = Vec::new();
        loop {
            let stale: Vec<(Subject, QId)> = self
                .questions()
                .into_iter()
                .filter(|(s, q)| !self.answer_of(*s, *q).is_unknown() && !self.applies(*s, *q))
                .collect();
            if stale.is_empty() {
                return cleared;
            }
            for (subject, q) in stale {
                match subject {
                    Subject::Household => self.case.answers.set(q, Answer::Unknown),
                    Subject::Child(i) => self.case.children[i].answers.set(q, Answer::Unknown),
                }
                cleared.push((subject, q));
            }
        }
    }

    /// Household questions in asking order: immediate danger and the other worries in the
    /// bank's order, then the deferred strengths.
    fn household_order(&self) -> (Vec<QId>, Vec<QId>) {
        let bank = &self.rules.questions;
        let (strengths, mut worries): (Vec<QId>, Vec<QId>) = bank
            .questions()
            .filter(|(_, question)| question.about == About::Household)
            .map(|(q, _)| q)
            .partition(|q| self.is_deferred(*q));
        // The immediate-danger question first, whatever the rules say about it (SPEC
        // section 11).
        let first = bank.immediate_danger();
        worries.sort_by_key(|q| (Some(*q) != first, self.is_light(*q)));
        (worries, strengths)
    }

    /// A worry worth one point at most in this area, that no floor, route or action tests
    /// and that opens no other question: asked after the others, so that when everything
    /// else is "no" the skipping rule can drop the last of them (one point alone reaches
    /// no level above the first).
    fn is_light(&self, q: QId) -> bool {
        let Some(area) = self.area else {
            return false;
        };
        let bank = &self.rules.questions;
        let scoring = &area.scoring;
        scoring
            .weights
            .iter()
            .filter(|w| w.when.mentions(q))
            .all(|w| w.points <= 1)
            && !scoring.floors.iter().any(|f| f.when.mentions(q))
            && !area.routes.iter().any(|r| r.when.mentions(q))
            && !area.actions.iter().any(|a| a.when.mentions(q))
            && !bank
                .questions()
                .any(|(_, other)| other.ask_when.as_ref().is_some_and(|c| c.mentions(q)))
    }

    /// A protective question that no other question's `ask_when` depends on waits until the
    /// worries are known: only then can it be told whether it could still lower a level.
    pub fn is_deferred(&self, q: QId) -> bool {
        let bank = &self.rules.questions;
        bank.question(q).worrying == Worrying::No
            && Some(q) != bank.immediate_danger()
            && !bank
                .questions()
                .any(|(_, other)| other.ask_when.as_ref().is_some_and(|c| c.mentions(q)))
    }

    /// Child questions in the bank's order, the light worries last.
    fn child_order(&self) -> impl Iterator<Item = QId> + '_ {
        let mut order: Vec<QId> = self
            .rules
            .questions
            .questions()
            .filter(|(_, q)| q.about == About::Child)
            .map(|(q, _)| q)
            .collect();
        order.sort_by_key(|q| self.is_light(*q));
        order.into_iter()
    }

    fn wants(&self, area: &Area, subject: Subject, q: QId) -> bool {
        if self.asked(subject, q) || !self.applies(subject, q) {
            return false;
        }
        Some(q) == self.rules.questions.immediate_danger() || self.could_matter(area, subject, q)
    }

    /// Whether any answer to `q` could change a child's tier, a route or an action, whatever
    /// the unknown answers turn out to be.
    pub fn could_matter(&self, area: &Area, subject: Subject, q: QId) -> bool {
        let children = self.children_for(subject);
        self.matters_for(area, &children, q)
    }

    fn matters_for(&self, area: &Area, children: &[Child], q: QId) -> bool {
        // A question no rule of this area uses (nor opens one that is used) changes nothing.
        if !area.uses.contains(q) {
            return false;
        }
        let bank = &self.rules.questions;
        // A route can be changed by `q` only if it could still hold for the household or
        // one of these children (the pre-birth route, for a family with no unborn child,
        // cannot).
        let household = Facts::household(&self.case.answers);
        let could_fire = |when: &crate::condition::Condition| {
            when.could_hold(&household)
                || children
                    .iter()
                    .any(|c| when.could_hold(&Facts::child(&self.case.answers, &c.answers, c.age)))
        };
        let tested = area
            .routes
            .iter()
            .any(|r| r.when.mentions(q) && could_fire(&r.when))
            || area.actions.iter().any(|a| a.when.mentions(q));
        tested
            || bank.questions().any(|(later, question)| {
                // An opened question already answered needs no opener asked for it.
                let still_open = match question.about {
                    About::Household => self.case.answers.get(later).is_unknown(),
                    About::Child => children.iter().any(|c| c.answers.get(later).is_unknown()),
                };
                later > q
                    && still_open
                    && question.ask_when.as_ref().is_some_and(|c| c.mentions(q))
                    && self.matters_for(area, children, later)
            })
            || children
                .iter()
                .any(|child| !self.tier_is_settled(area, child, q))
    }

    /// The children a question about `subject` can affect: that child, or for the household
    /// every child recorded and, while more may be described, a child of every age.
    fn children_for(&self, subject: Subject) -> Vec<Child> {
        if let Subject::Child(i) = subject {
            return vec![self.case.children[i].clone()];
        }
        let mut children = self.case.children.clone();
        let more_to_come = self
            .expected_children
            .is_none_or(|n| n > self.case.children.len());
        if more_to_come {
            let blank = Answers::unknown(self.rules.questions.len());
            children.extend(
                std::iter::once(None)
                    .chain((0..=17).map(Some))
                    .map(|age| Child {
                        id: String::new(),
                        age,
                        answers: blank.clone(),
                    }),
            );
        }
        children
    }

    /// Whether `child`'s tier is the same whatever `q` and every other unknown turn out to
    /// be: the lowest it can reach equals the highest.
    fn tier_is_settled(&self, area: &Area, child: &Child, q: QId) -> bool {
        let bank = &self.rules.questions;
        let question = bank.question(q);
        let single = |answer: Answer, fill: bool| {
            let mut case = Case {
                area: None,
                reference: None,
                assessed_at: None,
                recorded_level: None,
                recorded_reason: None,
                answers: self.case.answers.clone(),
                children: vec![child.clone()],
            };
            let slot = match question.about {
                About::Household => &mut case.answers,
                About::Child => &mut case.children[0].answers,
            };
            slot.set(q, answer);
            if fill {
                reassure_unknowns(bank, &mut case);
            }
            case
        };
        let worst = single(question.worrying.worst(), false);
        let best = single(question.worrying.reassuring(), true);
        let worst = &engine::assess(area, bank, &worst, &self.moment).children[0];
        let best = &engine::assess(area, bank, &best, &self.moment).children[0];
        let tier = best.level;
        if tier != worst.could_reach {
            return false;
        }
        // The tier is settled; whether points alone pass the national limit (and so whether
        // its route fires) must be too. That can differ only at the limit's own tier: above
        // it no score is limited, below it no score passed it.
        let Some(limit) = area.score_limit.as_ref().filter(|l| l.tier == tier) else {
            return true;
        };
        let now = Facts::child(&self.case.answers, &child.answers, child.age);
        let never = worst.points_could_reach <= limit.tier || !limit.when.could_hold(&now);
        // Always: points pass it even at their lowest, and its condition already holds on
        // answers given (no atom of it asks whether an answer is unknown, so none can stop
        // holding once the rest are known).
        let always = best.limited
            && limit.when.holds(&now)
            && !limit
                .when
                .atoms()
                .iter()
                .any(|a| matches!(a, Condition::Answer(_, Test::IsUnknown)));
        never || always
    }
}

/// Every unknown answer set to its reassuring value, whether or not it would be asked: the
/// lowest the case could possibly reach (lower than reachable is only more cautious).
fn reassure_unknowns(bank: &crate::question::QuestionBank, case: &mut Case) {
    for (q, question) in bank.questions() {
        let slots: Vec<&mut Answers> = match question.about {
            About::Household => vec![&mut case.answers],
            About::Child => case.children.iter_mut().map(|c| &mut c.answers).collect(),
        };
        for answers in slots {
            if answers.get(q).is_unknown() {
                answers.set(q, question.worrying.reassuring());
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::Outcome;
    use crate::values::Tier;
    use std::sync::OnceLock;

    /// The shipped bank's immediate-danger question (`role: immediate_danger`).
    const FIRST: &str = "immediate_danger";

    pub fn rules() -> &'static RuleSet {
        static RULES: OnceLock<RuleSet> = OnceLock::new();
        RULES.get_or_init(|| {
            crate::rules::bundled().unwrap_or_else(|e| panic!("bundled rules: {e}"))
        })
    }

    pub fn moment() -> jiff::ZonedDateTime {
        crate::hours::parse_moment("2026-11-24T10:00").unwrap()
    }

    pub fn blank(rules: &RuleSet) -> Case {
        Case::empty(rules.questions.len())
    }

    /// How many prompts an interview put when every answer came from `oracle`.
    #[derive(Debug, Default)]
    pub struct Count {
        /// Area, number of children, labels and ages.
        pub setup: usize,
        /// Questions from the bank.
        pub questions: usize,
        pub first: Option<String>,
    }

    /// Run the interview's flow, answering from `oracle`; the area is chosen at the first
    /// step unless `area_given`.
    pub fn replay<'r>(rules: &'r RuleSet, oracle: &Case, area_given: bool) -> (Flow<'r>, Count) {
        let area = rules.area(oracle.area.as_deref().unwrap()).unwrap();
        let given = area_given.then_some(area);
        let mut flow = Flow::new(rules, given, blank(rules), moment());
        let mut count = Count::default();
        while let Some(step) = flow.next() {
            let described = flow.case.children.len();
            match step {
                Step::Area => {
                    flow.set_area(area);
                    count.setup += 1;
                }
                Step::Question(subject, q) => {
                    let answer = match subject {
                        Subject::Household => oracle.answers.get(q),
                        Subject::Child(i) => oracle.children[i].answers.get(q),
                    };
                    count
                        .first
                        .get_or_insert_with(|| rules.questions.name(q).to_string());
                    flow.answer(subject, q, answer);
                    count.questions += 1;
                }
                Step::ChildCount => {
                    flow.set_child_count(oracle.children.len());
                    count.setup += 1;
                }
                Step::Label => {
                    flow.set_label(oracle.children[described].id.clone());
                    count.setup += 1;
                }
                Step::Age => {
                    flow.set_age(oracle.children[described].age);
                    count.setup += 1;
                }
            }
        }
        (flow, count)
    }

    /// What the issue calls the result: each child's tier and how high it could reach,
    /// the routes (and for whom), the actions and the contacts.
    pub fn result_of(outcome: &Outcome) -> String {
        let children: Vec<String> = outcome
            .children
            .iter()
            .map(|c| format!("{}:{}/{}", c.child.id, c.level, c.could_reach))
            .collect();
        let routes: Vec<String> = outcome
            .routes
            .iter()
            .map(|r| format!("{}{:?}", r.route.id, r.children))
            .collect();
        let actions: Vec<&str> = outcome.actions.iter().map(|a| a.text.as_str()).collect();
        let contacts: Vec<&str> = outcome
            .contacts
            .iter()
            .map(|c| c.contact.id.as_str())
            .collect();
        format!("{children:?}\n{routes:?}\n{actions:?}\n{contacts:?}")
    }

    /// The example as an interview could record it: answers to questions that do not
    /// apply (by earlier answers and age) are dropped, as the interview never asks them.
    fn as_askable<'r>(rules: &'r RuleSet, example: &Case) -> Flow<'r> {
        let area = rules.area(example.area.as_deref().unwrap()).unwrap();
        let mut flow = Flow::new(rules, Some(area), example.clone(), moment());
        for (subject, q) in flow.questions() {
            if !flow.applies(subject, q) {
                flow.answer(subject, q, Answer::Unknown);
            }
        }
        flow
    }

    fn examples() -> Vec<(String, Case)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cases");
        let mut found: Vec<(String, Case)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|path| {
                let name = path.file_stem().unwrap().to_string_lossy().into_owned();
                let bytes = std::fs::read(&path).unwrap();
                let case = crate::case::read(&bytes, &name, &rules().questions).unwrap();
                (name, case)
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    }

    #[test]
    fn every_example_replayed_gives_its_result_and_the_counts_are_reported() {
        let rules = rules();
        let mut table = String::from(
            "| case | children | bank, all | applicable (before) | asked (after) | + setup |\n",
        );
        for (name, example) in examples() {
            let askable = as_askable(rules, &example);
            let (flow, count) = replay(rules, &askable.case, false);
            let expected = result_of(&askable.outcome().unwrap());
            let got = result_of(&flow.outcome().unwrap());
            assert_eq!(
                got, expected,
                "{name}: the skipped questions changed the result"
            );
            assert_eq!(count.first.as_deref(), Some(FIRST), "{name}");
            let applicable = askable
                .questions()
                .into_iter()
                .filter(|(s, q)| askable.applies(*s, *q))
                .count();
            let all = askable.questions().len();
            table.push_str(&format!(
                "| {name} | {} | {all} | {applicable} | {} | {} |\n",
                example.children.len(),
                count.questions,
                count.setup
            ));
            // SPEC section 11 asks for under 25 questions for a one-child visit with no
            // concerns. Issue 9 added questions the sources require (early signs beside
            // established neglect, any disability, exploitation at every age, the secure
            // estate): a no-concern Salford visit is 26 today. This bound holds the line
            // there until the bank is reshaped; it fails if the count grows.
            if name.ends_with("no-concerns") {
                assert!(count.questions <= 26, "{name}: {count:?}");
            }
        }
        println!("{table}");
    }

    /// SPEC section 11: a one-child visit with no concerns takes under 25 questions, in every
    /// area and at every age (unborn included), now that the national layer asks about
    /// every worry in every area. The counts are printed for the README.
    #[test]
    fn a_no_concern_visit_takes_under_25_questions_in_every_area_at_every_age() {
        let rules = rules();
        let bank = &rules.questions;
        let mut table = String::new();
        for area in &rules.areas {
            for age in [None, Some(0), Some(2), Some(4), Some(8), Some(12), Some(16)] {
                let mut oracle = blank(rules);
                oracle.area = Some(area.id.clone());
                let mut child = Answers::unknown(bank.len());
                for (q, question) in bank.questions() {
                    match question.about {
                        About::Household => oracle.answers.set(q, question.worrying.reassuring()),
                        About::Child => child.set(q, question.worrying.reassuring()),
                    }
                }
                oracle.children.push(Child {
                    id: "A".into(),
                    age,
                    answers: child,
                });
                let (flow, count) = replay(rules, &oracle, true);
                table.push_str(&format!("{} {age:?}: {}\n", area.id, count.questions));
                assert!(count.questions < 25, "{} {age:?}: {count:?}", area.id);
                let outcome = flow.outcome().unwrap();
                assert_eq!(
                    outcome.overall,
                    Some(Tier::One),
                    "{} {age:?}: a low case stays low",
                    area.id
                );
            }
        }
        println!("{table}");
    }

    #[test]
    fn an_emergency_asks_only_what_still_changes_routes_and_actions() {
        let rules = rules();
        let example = examples()
            .into_iter()
            .find(|(name, _)| name == "trafford-immediate-danger")
            .unwrap()
            .1;
        let (flow, count) = replay(rules, &example, true);
        assert_eq!(count.first.as_deref(), Some(FIRST));
        let bank = &rules.questions;
        let skipped: Vec<&str> = flow
            .not_asked()
            .iter()
            .map(|(_, q)| bank.name(*q))
            .collect();
        for weight_only in ["basic_needs_unmet", "support_network"] {
            assert!(skipped.contains(&weight_only), "{weight_only}: {skipped:?}");
        }
        // Still asked: the national pre-birth route tests it, and a child yet to be
        // described could be unborn.
        assert!(!skipped.contains(&"adult_mental_health"), "{skipped:?}");
        assert!(!skipped.contains(&"allegation_against_professional"));
    }

    #[test]
    fn a_worry_answered_early_is_never_skipped_because_later_answers_are_unknown() {
        // One point alone cannot reach early help, but with later answers it can: the
        // question must be asked even though "yes" and "no" give the same level so far.
        let rules = rules();
        let area = rules.area("salford").unwrap();
        let mut flow = Flow::new(rules, Some(area), blank(rules), moment());
        let q = |id| rules.questions.get(id).unwrap();
        flow.answer(Subject::Household, q(FIRST), Answer::No);
        assert!(flow.could_matter(area, Subject::Household, q("adult_learning_disability")));
        assert!(flow.could_matter(area, Subject::Household, q("support_network")));
        // With mental ill health (2 points), a learning disability (1) leaves early help
        // either way so far; with illness and a housing crisis to come (1 each) it is
        // the difference between levels 2 and 3.
        flow.answer(Subject::Household, q("adult_mental_health"), Answer::Yes);
        assert!(flow.could_matter(area, Subject::Household, q("adult_learning_disability")));
    }

    /// A small deterministic generator, so the random check needs no seed handling.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// A random household in `area`: each answer unknown 3 times in 20, otherwise worrying
    /// `worry` times in 20; `no_harm` answers the three questions that reach tier 4 alone
    /// no (and the rest follow the draw).
    fn random_case<'r>(
        rules: &'r RuleSet,
        area: &'r Area,
        rng: &mut Rng,
        (worry, no_harm): (u64, bool),
    ) -> Case {
        let mut case = blank(rules);
        case.area = Some(area.id.clone());
        for i in 0..rng.below(4) {
            let age = match rng.below(20) {
                18.. => None,
                age => Some(age as u8),
            };
            case.children.push(Child {
                id: format!("C{i}"),
                age,
                answers: Answers::unknown(rules.questions.len()),
            });
        }
        let mut flow = Flow::new(rules, Some(area), case, moment());
        for (subject, q) in flow.questions() {
            if !flow.applies(subject, q) {
                continue;
            }
            let draw = rng.below(20);
            let answer = match (rules.questions.question(q).kind, draw) {
                _ if no_harm
                    && crate::rules::national::TOP_TIER_ALONE
                        .contains(&rules.questions.name(q)) =>
                {
                    Answer::No
                }
                (_, 0..=2) => Answer::Unknown,
                (crate::question::Kind::Count, n) => Answer::Count((n as u32) - 2),
                (_, n) if n < 3 + worry => Answer::Yes,
                _ => Answer::No,
            };
            let answer = match (rules.questions.question(q).worrying, answer) {
                (Worrying::No, Answer::Yes) => Answer::No,
                (Worrying::No, Answer::No) => Answer::Yes,
                (_, answer) => answer,
            };
            flow.answer(subject, q, answer);
        }
        flow.case
    }

    /// A random household in `area` whose worries stop short of tier 4: every question
    /// answered, no significant harm said, then worries added one by one, in a random
    /// order, while every child stays below tier 4, up to a random number of them. Points
    /// land around the national limit.
    fn near_the_limit<'r>(rules: &'r RuleSet, area: &'r Area, rng: &mut Rng) -> Case {
        let case = random_case(rules, area, rng, (0, true));
        let mut flow = Flow::new(rules, Some(area), case, moment());
        while let Some((subject, q)) = flow
            .questions()
            .into_iter()
            .find(|(s, q)| flow.applies(*s, *q) && flow.answer_of(*s, *q).is_unknown())
        {
            let reassuring = rules.questions.question(q).worrying.reassuring();
            flow.answer(subject, q, reassuring);
        }
        let mut order = flow.questions();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let mut budget = 1 + rng.below(30);
        for (subject, q) in order {
            let question = rules.questions.question(q);
            let was = flow.answer_of(subject, q);
            if budget == 0 || was.is_unknown() || !flow.applies(subject, q) {
                continue;
            }
            let worry = match question.worrying {
                Worrying::More => Answer::Count(3),
                worrying => worrying.worst(),
            };
            flow.answer(subject, q, worry);
            let outcome = engine::assess(area, &rules.questions, &flow.case, &moment());
            if outcome.children.iter().any(|c| c.level == Tier::TOP) {
                flow.answer(subject, q, was);
            } else {
                budget -= 1;
            }
        }
        flow.clear_stale();
        flow.case
    }

    fn skipping_changes_nothing(rounds: usize, household: impl Fn(&Area, &mut Rng) -> Case) {
        let rules = rules();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for round in 0..rounds {
            let area = &rules.areas[round % rules.areas.len()];
            let truth = household(area, &mut rng);
            let full = engine::assess(area, &rules.questions, &truth, &moment());
            let (flow, _) = replay(rules, &truth, true);
            assert_eq!(
                result_of(&flow.outcome().unwrap()),
                result_of(&full),
                "round {round}: {truth:?}"
            );
        }
    }

    #[test]
    fn skipping_never_changes_a_result_on_random_households() {
        skipping_changes_nothing(400, |area, rng| random_case(rules(), area, rng, (3, false)));
    }

    /// Many worries, and no significant harm said: points pass the national limit in some
    /// households and not others, and whether the worries add up (the limit's route) can
    /// turn on the last weight asked. (When the flow read only the tier as settled, rounds
    /// 249 and 399 of this draw lost that route.)
    #[test]
    fn skipping_never_changes_whether_the_worries_add_up() {
        skipping_changes_nothing(400, |area, rng| near_the_limit(rules(), area, rng));
    }

    #[test]
    fn answers_a_change_rules_out_are_cleared_and_named() {
        let rules = rules();
        let area = rules.area("torbay").unwrap();
        let mut flow = Flow::new(rules, Some(area), blank(rules), moment());
        let q = |id| rules.questions.get(id).unwrap();
        flow.answer(Subject::Household, q("domestic_abuse"), Answer::Yes);
        flow.answer(Subject::Household, q("children_witness_abuse"), Answer::Yes);
        flow.answer(
            Subject::Household,
            q("domestic_abuse_incidents_12m"),
            Answer::Count(4),
        );
        assert!(flow.clear_stale().is_empty());
        flow.answer(Subject::Household, q("domestic_abuse"), Answer::No);
        let mut cleared = flow.clear_stale();
        cleared.sort();
        let mut expected = vec![
            (Subject::Household, q("children_witness_abuse")),
            (Subject::Household, q("domestic_abuse_incidents_12m")),
        ];
        expected.sort();
        assert_eq!(cleared, expected);
        for (s, id) in expected {
            assert_eq!(flow.answer_of(s, id), Answer::Unknown);
        }
        // The result no longer counts the abuse: no domestic-abuse reason remains.
        let outcome = flow.outcome().unwrap();
        assert!(
            outcome.children.is_empty()
                || outcome.children[0]
                    .reasons
                    .iter()
                    .all(|r| !r.rule.contains("abuse"))
        );
    }

    #[test]
    fn a_saved_case_reads_back_equal_whatever_its_labels_say() {
        let rules = rules();
        let mut case = blank(rules);
        let q = |id| rules.questions.get(id).unwrap();
        case.area = Some("redbridge".into());
        case.reference = Some("O'Neil \"7\" #1: [x] \\ {y}".into());
        case.assessed_at = Some(moment());
        case.recorded_level = Some(Tier::Three);
        case.answers.set(q("domestic_abuse"), Answer::Yes);
        case.answers
            .set(q("domestic_abuse_incidents_12m"), Answer::Count(4));
        let mut unborn = Child {
            id: "baby: due # May".into(),
            age: None,
            answers: Answers::unknown(rules.questions.len()),
        };
        unborn
            .answers
            .set(q("suspected_significant_harm"), Answer::No);
        case.children.push(unborn);
        case.children.push(Child {
            id: "7".into(),
            age: Some(0),
            answers: Answers::unknown(rules.questions.len()),
        });
        let asked = |child: Option<usize>, id| child == Some(1) && id == q("basic_needs_unmet");
        let text = crate::case::to_yaml(&case, &rules.questions, asked);
        assert!(
            text.contains("      basic_needs_unmet: unknown\n"),
            "{text}"
        );
        let back = crate::case::parse(&text, crate::case::Format::Yaml, "saved", &rules.questions)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, case, "{text}");
    }
}
