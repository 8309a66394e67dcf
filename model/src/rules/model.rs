//! The rules as written in `rules/`: one question bank and one file per area. Every item
//! that decides something carries `source:` (a seed file and section, or a public page
//! with the date it was checked).

use crate::condition::Condition;
use crate::hours::Hours;
use crate::question::Question;
use crate::values::Tier;
use serde::Deserialize;

/// `rules/questions.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionsFile {
    /// The documents the questions cite, by key.
    pub sources: Vec<SourceDocument>,
    pub questions: Vec<Question>,
}

/// `rules/areas/<id>.yaml`: one local area's threshold guidance.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub id: String,
    pub name: String,
    /// Version of these rules (not of the guidance).
    pub version: String,
    /// Which edition of the local guidance the rules follow.
    pub edition: String,
    /// When the rules were last reviewed against their sources.
    pub reviewed: jiff::civil::Date,
    pub sources: Vec<SourceDocument>,
    /// The area's own ladder, lowest first. Each rung maps to a common tier 1-4; two rungs
    /// may share a tier (for example a five-level ladder).
    pub levels: Vec<Level>,
    pub scoring: Scoring,
    /// Routes in the order they are shown: most urgent first.
    pub routes: Vec<Route>,
    /// Next actions in the order a practitioner does them.
    pub actions: Vec<Action>,
    pub contacts: Vec<Contact>,
    /// Children's social care's front door: the daytime service and the duty team whose
    /// hours together answer every minute of the week.
    pub front_door: FrontDoor,
    /// England and Wales bank holidays (from `rules/bank-holidays.yaml`), shared by every
    /// area: on them the front door keeps its Sunday hours.
    #[serde(skip)]
    pub bank_holidays: std::sync::Arc<crate::hours::BankHolidays>,
    /// Where the area's own document puts a case below the national layer: each entry names
    /// the national floor it lowers and quotes the area's passage that says so. Nothing
    /// else may go below it (`rules check` refuses).
    #[serde(default)]
    pub lowers_national: Vec<Lowering>,
    /// Where the area's top tier is not section 47 alone (it takes in children in need too),
    /// the passage that says so: the national limit on points then does not apply here.
    #[serde(default)]
    pub top_tier_not_only_section_47: Option<Passage>,
    /// Points alone reach at most this tier when its condition holds (from the national
    /// layer); filled in when the rules are loaded.
    #[serde(skip)]
    pub score_limit: Option<ScoreLimit>,
    /// The questions these rules use: every answer a rule, route or action tests, and the
    /// questions that open them. An unknown answer to any other question cannot change a
    /// result here, so it is not listed as unknown. Filled in when the rules are loaded.
    #[serde(skip)]
    pub uses: crate::question::QSet,
    /// For each question asked once the children are known: the conditions of the floors,
    /// weights and routes that test it. Filled in when the rules are loaded, so the engine
    /// can tell cheaply whether such a question could matter for a child.
    #[serde(skip)]
    pub tested_by: Vec<(crate::question::QId, Vec<Condition>)>,
    /// For each question, the scoring rules that test its answer: the rules one answer can
    /// make hold or not (`Holds::tier_if` in `score.rs`). Filled in when the
    /// rules are loaded.
    #[serde(skip)]
    pub scoring_tests: ScoringTests,
}

/// For each question (by its index in the bank), the scoring rules of an area that test
/// its answer.
#[derive(Debug, Clone, Default)]
pub struct ScoringTests(pub Vec<Vec<ScoringRule>>);

/// One scoring rule of an area, by its place among its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoringRule {
    Weight(usize),
    Protective(usize),
    Limit,
    Floor(usize),
}

/// `rules/england.yaml`: what English law and statutory guidance make of each worrying
/// answer in every area. Its floors and routes are inherited by every area.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct National {
    pub id: String,
    pub name: String,
    pub version: String,
    /// When the layer was last reviewed against its sources.
    pub reviewed: jiff::civil::Date,
    pub sources: Vec<SourceDocument>,
    /// Minimum tiers in every area, from national law and guidance.
    pub floors: Vec<Floor>,
    /// Routes every area has. An area may word one itself (the same id): its words are
    /// used and it fires whenever the national route would, or its own condition holds.
    pub routes: Vec<Route>,
    /// Worrying answers that are not a need on their own, each with why.
    pub not_a_need_alone: Vec<NotAlone>,
    /// Points alone do not make "reasonable cause to suspect significant harm".
    pub score_limit: ScoreLimit,
}

/// A worrying answer that, alone, national law and guidance do not treat as a need.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotAlone {
    pub question: crate::answer::QRef,
    /// Only for children for whom this holds (for example `{age_at_least: 5}`); always
    /// when absent.
    #[serde(default)]
    pub when: Option<Condition>,
    pub rationale: String,
    pub source: String,
    /// The source's words this rests on (see [`Quotes`]).
    #[serde(default)]
    pub quote: Quotes,
}

/// Where points alone stop: with no floor, a score reaches at most `tier` while `when`
/// holds, and `route` says the worries add up and asks the practitioner to consider more.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreLimit {
    pub id: String,
    pub label: String,
    pub tier: Tier,
    pub when: Condition,
    pub source: String,
    /// The source's words this rests on (see [`Quotes`]).
    #[serde(default)]
    pub quote: Quotes,
    pub basis: Basis,
    pub rationale: String,
    pub route: Route,
}

/// An area's passage that puts a case below the national layer: the national floor it
/// lowers, the tier it gives instead (none: the floor does not apply), and where it says so.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lowering {
    pub floor: String,
    #[serde(default)]
    pub tier: Option<Tier>,
    /// The area's own words, quoted.
    pub passage: String,
    pub source: String,
}

/// An area's own words, quoted, and where they stand.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Passage {
    pub passage: String,
    pub source: String,
}

/// A document the rules cite. Every `source:` begins with a declared key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDocument {
    /// How rules cite it: a seed file name ("004_6a0c92154672053a.txt") or a short name of
    /// a public page ("Torbay threshold tool").
    pub key: String,
    pub title: String,
    pub publisher: String,
    /// Where a public page is (a seed document has none).
    #[serde(default)]
    pub url: Option<String>,
    /// When a public page was last read; a seed document has none.
    #[serde(default)]
    pub checked: Option<jiff::civil::Date>,
    /// Another area's document, or a national one, cited for a general principle only:
    /// every citation of it must say "general principle".
    #[serde(default)]
    pub general_principle: bool,
    /// The shipped text of the document (or of the part relied on), relative to the rules
    /// folder: `sources/...txt`. Quotations are checked against it.
    #[serde(default)]
    pub text: Option<String>,
}

pub use crate::cite::Quotes;

/// What an item rests on: what it cites, the words it quotes, and its basis.
#[derive(Debug, Clone, Copy)]
pub struct Citation<'a> {
    pub source: &'a str,
    pub quote: &'a Quotes,
    pub basis: Basis,
    pub rationale: Option<&'a str>,
}

/// An item of the rules that cites a source.
pub trait Cited {
    fn citation(&self) -> Citation<'_>;
}

/// Items with `basis:` and `rationale:` of their own.
macro_rules! cited {
    ($($item:ty),*) => {$(
        impl Cited for $item {
            fn citation(&self) -> Citation<'_> {
                Citation {
                    source: &self.source,
                    quote: &self.quote,
                    basis: self.basis,
                    rationale: self.rationale.as_deref(),
                }
            }
        }
    )*};
}

cited!(
    Level, Threshold, Rule, Floor, Protective, Route, Action, FrontDoor
);

/// A contact rests on its source's words: the passage that gives its number.
impl Cited for Contact {
    fn citation(&self) -> Citation<'_> {
        Citation {
            source: &self.source,
            quote: &self.quote,
            basis: Basis::Source,
            rationale: None,
        }
    }
}

/// A question cites where its worry is named.
impl Cited for Question {
    fn citation(&self) -> Citation<'_> {
        Citation {
            source: &self.source,
            quote: &self.quote,
            basis: Basis::Source,
            rationale: None,
        }
    }
}

/// That a worry is not a need alone is always this project's reading.
impl Cited for NotAlone {
    fn citation(&self) -> Citation<'_> {
        Citation {
            source: &self.source,
            quote: &self.quote,
            basis: Basis::Interpretation,
            rationale: Some(&self.rationale),
        }
    }
}

impl Cited for ScoreLimit {
    fn citation(&self) -> Citation<'_> {
        Citation {
            source: &self.source,
            quote: &self.quote,
            basis: self.basis,
            rationale: Some(&self.rationale),
        }
    }
}

/// What a number rests on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The source's own words say it.
    #[default]
    Source,
    /// This project's reading of a named passage; `rationale` says why.
    Interpretation,
    /// This project's calibration of guidance written in words; `rationale` says why.
    Calibration,
}

impl Basis {
    pub fn label(self) -> &'static str {
        match self {
            Basis::Source => "source",
            Basis::Interpretation => "interpretation",
            Basis::Calibration => "calibration",
        }
    }
}

/// Where a rule comes from: the national layer (`rules/england.yaml`, English law and
/// statutory guidance, beneath every area) or the area's own file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layer {
    National,
    #[default]
    Local,
}

impl Layer {
    pub fn label(self) -> &'static str {
        match self {
            Layer::National => "national",
            Layer::Local => "local",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub tier: Tier,
    pub name: String,
    pub descriptor: String,
    pub source: String,
    /// The source's words this rests on (see [`Quotes`]).
    #[serde(default)]
    pub quote: Quotes,
    #[serde(default)]
    pub basis: Basis,
    #[serde(default)]
    pub rationale: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    /// The score at which each tier above 1 is reached.
    pub thresholds: Vec<Threshold>,
    pub weights: Vec<Rule>,
    /// Minimum tiers that no score or protective factor can go below.
    pub floors: Vec<Floor>,
    pub protective: Protective,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub tier: Tier,
    pub at_least: i32,
    pub source: String,
    /// The source's words this rests on (see [`Quotes`]).
    #[serde(default)]
    pub quote: Quotes,
    #[serde(default)]
    pub basis: Basis,
    #[serde(default)]
    pub rationale: Option<String>,
}

/// A scored rule: a weight (points > 0) or a protective factor (points < 0).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub label: String,
    pub when: Condition,
    pub points: i32,
    pub source: String,
    /// The source's words this rests on (see [`Quotes`]).
    #[serde(default)]
    pub quote: Quotes,
    #[serde(default)]
    pub basis: Basis,
    #[serde(default)]
    pub rationale: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Floor {
    pub id: String,
    pub label: String,
    pub when: Condition,
    pub tier: Tier,
    pub source: String,
    /// The source's words this rests on (see [`Quotes`]).
    #[serde(default)]
    pub quote: Quotes,
    #[serde(default)]
    pub basis: Basis,
    #[serde(default)]
    pub rationale: Option<String>,
    /// Set when the rules are loaded: national floors are inherited by every area.
    #[serde(skip)]
    pub layer: Layer,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protective {
    /// How many tiers protective factors may lower a score-based tier by. Whatever it says,
    /// they never lower a child below the tier one of the child's own answers reaches alone.
    pub max_lowering: u8,
    /// A score-based tier at or above this is never lowered.
    pub not_from_tier: Tier,
    pub source: String,
    /// The source's words this rests on (see [`Quotes`]).
    #[serde(default)]
    pub quote: Quotes,
    #[serde(default)]
    pub basis: Basis,
    #[serde(default)]
    pub rationale: Option<String>,
    pub factors: Vec<Rule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub id: String,
    /// What the route means to the program, if anything (see [`RouteRole`]).
    #[serde(default)]
    pub role: Option<RouteRole>,
    pub when: Condition,
    pub text: String,
    /// Points to read with the route (for example the golden rules of information sharing).
    #[serde(default)]
    pub detail: Vec<String>,
    /// The route's own specialists' contact ids, in the order to try them. The front door
    /// and 999 are never listed here: every result derives them.
    #[serde(default)]
    pub contacts: Vec<String>,
    pub source: String,
    /// The source's words this rests on (see [`Quotes`]).
    #[serde(default)]
    pub quote: Quotes,
    #[serde(default)]
    pub basis: Basis,
    #[serde(default)]
    pub rationale: Option<String>,
    /// Set when the rules are loaded: a national route an area has not worded itself is
    /// inherited as it is; one it has keeps the area's words and fires on either condition.
    #[serde(skip)]
    pub layer: Layer,
}

/// What a route means to the program itself: the area's rules declare it (`role:
/// emergency`) and no code names the route by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteRole {
    /// A child in immediate danger: 999 first, and the result is urgent. It fires on the
    /// immediate-danger question's "yes", and on nothing else (`rules check`).
    Emergency,
}

impl RouteRole {
    /// As the rules write it (`role: emergency`), or "none".
    pub fn label(role: Option<RouteRole>) -> &'static str {
        match role {
            Some(RouteRole::Emergency) => "emergency",
            None => "none",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub when: Condition,
    pub text: String,
    pub source: String,
    /// The source's words this rests on (see [`Quotes`]).
    #[serde(default)]
    pub quote: Quotes,
    #[serde(default)]
    pub basis: Basis,
    #[serde(default)]
    pub rationale: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Confirmed by the seed and a current public page, or by several public pages.
    Confirmed,
    /// One public source.
    OneSource,
    /// Given by the seed document only; not confirmed on a current page.
    SeedOnly,
}

impl Confidence {
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed",
            Confidence::OneSource => "one source",
            Confidence::SeedOnly => "from the seed document only",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub web: Option<String>,
    pub hours: Hours,
    /// The emergency number: always listed, and first when a child may be in danger.
    #[serde(default)]
    pub emergency: bool,
    /// When the number was last checked against its source.
    pub checked: jiff::civil::Date,
    pub confidence: Confidence,
    pub source: String,
    /// The source's words this rests on (see [`Quotes`]).
    #[serde(default)]
    pub quote: Quotes,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontDoor {
    /// The daytime service (referrals and advice in working hours).
    pub daytime: String,
    /// The duty team that answers whenever the daytime service is closed.
    pub out_of_hours: String,
    pub source: String,
    /// The source's words this rests on (see [`Quotes`]).
    #[serde(default)]
    pub quote: Quotes,
    #[serde(default)]
    pub basis: Basis,
    #[serde(default)]
    pub rationale: Option<String>,
}

impl Area {
    /// The route with `role`: the first, as `rules check` refuses an area with two.
    pub fn route_with_role(&self, role: RouteRole) -> Option<&Route> {
        self.routes.iter().find(|r| r.role == Some(role))
    }

    /// The emergency route. Every area that loads has one (`rules check`).
    pub fn emergency_route(&self) -> Option<&Route> {
        self.route_with_role(RouteRole::Emergency)
    }

    /// The area's name(s) for a tier, lowest rung first ("Level 3 / Level 4").
    pub fn level_name(&self, tier: Tier) -> String {
        let names: Vec<&str> = self
            .levels
            .iter()
            .filter(|l| l.tier == tier)
            .map(|l| l.name.as_str())
            .collect();
        names.join(" / ")
    }

    /// "3 Getting More Help"; just "Level 3" where the area's name already says the tier.
    pub fn level_label(&self, tier: Tier) -> String {
        let name = self.level_name(tier);
        if name.starts_with(&format!("Level {tier}")) {
            name
        } else {
            format!("{tier} {name}")
        }
    }

    pub fn contact(&self, id: &str) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.id == id)
    }

    /// Work out `uses` from the rules and the bank's `ask_when` openers.
    pub fn find_uses(&mut self, bank: &crate::question::QuestionBank) {
        use crate::question::QSet;
        let scoring = &self.scoring;
        let conditions = scoring
            .weights
            .iter()
            .chain(&scoring.protective.factors)
            .map(|r| &r.when)
            .chain(scoring.floors.iter().map(|f| &f.when))
            .chain(self.routes.iter().map(|r| &r.when))
            .chain(self.actions.iter().map(|a| &a.when))
            .chain(self.score_limit.iter().map(|l| &l.when));
        let mut uses = QSet::default();
        for condition in conditions {
            for atom in condition.atoms() {
                if let Condition::Answer(q, _) = atom {
                    uses = uses.union(QSet::of(*q));
                }
            }
        }
        loop {
            let mut grown = uses;
            for q in uses.iter() {
                if let Some(when) = &bank.question(q).ask_when {
                    for atom in when.atoms() {
                        if let Condition::Answer(opener, _) = atom {
                            grown = grown.union(QSet::of(*opener));
                        }
                    }
                }
            }
            if grown == uses {
                break;
            }
            uses = grown;
        }
        self.uses = uses;
        let scoring = &self.scoring;
        let rules = (scoring.weights.iter().enumerate())
            .map(|(i, r)| (ScoringRule::Weight(i), &r.when))
            .chain(
                (scoring.protective.factors.iter().enumerate())
                    .map(|(i, r)| (ScoringRule::Protective(i), &r.when)),
            )
            .chain(
                self.score_limit
                    .iter()
                    .map(|l| (ScoringRule::Limit, &l.when)),
            )
            .chain(
                (scoring.floors.iter().enumerate()).map(|(i, f)| (ScoringRule::Floor(i), &f.when)),
            );
        let mut tests = vec![Vec::new(); bank.len()];
        for (rule, when) in rules {
            for atom in when.atoms() {
                if let Condition::Answer(q, _) = atom
                    && !tests[q.index()].contains(&rule)
                {
                    tests[q.index()].push(rule);
                }
            }
        }
        self.scoring_tests = ScoringTests(tests);
        self.tested_by = bank
            .questions()
            .filter(|(q, question)| question.after_children && uses.contains(*q))
            .map(|(q, _)| {
                let scoring = &self.scoring;
                let conditions = scoring
                    .floors
                    .iter()
                    .map(|f| &f.when)
                    .chain(scoring.weights.iter().map(|w| &w.when))
                    .chain(self.routes.iter().map(|r| &r.when))
                    .filter(|when| when.mentions(q))
                    .cloned()
                    .collect();
                (q, conditions)
            })
            .collect();
    }

    /// The front door's two services, daytime first (validation makes sure both exist).
    pub fn front_doors(&self) -> [&Contact; 2] {
        let find = |id: &str| {
            self.contact(id)
                .expect("validated: the front door names this area's contacts")
        };
        [
            find(&self.front_door.daytime),
            find(&self.front_door.out_of_hours),
        ]
    }
}
