//! The decision: a case's answers in; each child's tier with its reasons, what is still
//! unknown and how high it could reach, and the routes, actions and contacts out.
//! Pure: no I/O, no clock (the moment is passed in), no terminal.
//!
//! A child's tier is the highest of the tier its score reaches (protective factors may
//! lower that a little) and every floor that fires. Nothing depends on the order of the
//! rules: scores are sums and tiers are maxima.

use crate::case::{Case, Child};
use crate::condition::Facts;
use crate::hours::Clock;
use crate::question::{About, Answers, QId, QSet, QuestionBank};
use crate::rules::model::{Action, Area, Contact, Route, RouteRole, ScoreLimit};
pub use crate::rules::score::{Effect, Reason};
use crate::rules::score::{Holds, score};
use crate::values::Tier;

#[derive(Debug, Clone)]
pub struct Outcome<'a> {
    pub area: &'a Area,
    pub case: &'a Case,
    /// When the case was assessed: the case's own time, else the moment of reading.
    pub assessed_at: jiff::ZonedDateTime,
    /// The moment the contacts are for (the moment of reading), London time, and its clock.
    pub contacts_moment: jiff::ZonedDateTime,
    pub contacts_at: Clock,
    /// A child is in immediate danger: ring 999 first.
    pub emergency: bool,
    /// What cannot wait: an emergency, a child at the top tier, or immediate danger not
    /// ruled out. Only then is a number marked "ring now".
    pub urgent: bool,
    /// Immediate danger has not been ruled out (not answered).
    pub danger_not_ruled_out: bool,
    /// The highest child tier; `None` when no children were recorded.
    pub overall: Option<Tier>,
    pub children: Vec<ChildOutcome<'a>>,
    pub routes: Vec<RouteOutcome<'a>>,
    pub actions: Vec<&'a Action>,
    /// What to ring now first.
    pub contacts: Vec<ContactOutcome<'a>>,
}

impl<'a> Outcome<'a> {
    /// Whether the practitioner's recorded tier matches the tool's; `None` if none was
    /// recorded or there are no children.
    pub fn agrees(&self) -> Option<bool> {
        Some(self.case.recorded_level? == self.overall?)
    }

    /// Where the practitioner recorded a higher level than the tool's: that level's actions
    /// and contacts, so a record follows the level the worker chose, not only the tool's.
    pub fn judged_higher(&self) -> Option<Judged<'a>> {
        let recorded = self.case.recorded_level?;
        if recorded <= self.overall? {
            return None;
        }
        let household = Facts {
            tier: Some(recorded),
            unknown_could_raise: self.children.iter().any(|c| c.could_reach > c.level),
            ..Facts::household(&self.case.answers)
        };
        let actions = self
            .area
            .actions
            .iter()
            .filter(|a| a.when.holds(&household))
            .collect();
        let danger = self.emergency || self.danger_not_ruled_out;
        let urgent = danger || recorded == Tier::TOP;
        let contacts = contacts_now(self.area, &self.routes, self.contacts_at, danger, urgent);
        Some(Judged {
            tier: recorded,
            actions,
            contacts,
        })
    }

    /// The result rests on answers not yet known that could raise it (or on immediate
    /// danger not being ruled out): it must lead with what to find out, not reassurance.
    pub fn provisional(&self) -> bool {
        self.danger_not_ruled_out || self.children.iter().any(|c| c.could_reach > c.level)
    }
}

/// What the practitioner's higher level calls for.
#[derive(Debug, Clone)]
pub struct Judged<'a> {
    pub tier: Tier,
    pub actions: Vec<&'a Action>,
    pub contacts: Vec<ContactOutcome<'a>>,
}

#[derive(Debug, Clone)]
pub struct ChildOutcome<'a> {
    pub child: &'a Child,
    pub level: Tier,
    /// Points from weights, less protective factors.
    pub score: i32,
    /// The highest floor that fired.
    pub floor: Option<Tier>,
    /// The tier if every unknown answer that applies turned out to be the worrying one.
    pub could_reach: Tier,
    pub reasons: Vec<Reason<'a>>,
    /// Questions that apply to this child (household ones included) and are not answered.
    pub unknowns: Vec<QId>,
    /// Points alone would have gone past the national limit (see [`ScoreLimit`]): the worries
    /// add up, and the practitioner is asked whether this is significant harm.
    ///
    /// [`ScoreLimit`]: crate::rules::model::ScoreLimit
    pub limited: bool,
    /// The highest tier points alone could give (strengths counted, before the national
    /// limit and any floor) if every unknown answer turned out to be the worrying one.
    pub points_could_reach: Tier,
}

#[derive(Debug, Clone)]
pub struct RouteOutcome<'a> {
    pub route: &'a Route,
    /// The children it applies to; empty when it comes from household answers alone.
    pub children: Vec<&'a str>,
    /// The answers that made it fire, for the household and each child it applies to.
    pub because: QSet,
    /// What made it fire for each of `children`, in the same order: a child's own answer
    /// moved the route only if it is in that child's set.
    pub because_each: Vec<QSet>,
}

impl RouteOutcome<'_> {
    /// Whether the answer to `q` (a child's, when `child` is given) helped it fire.
    pub fn moved_by(&self, q: QId, child: Option<&str>) -> bool {
        match child {
            None => self.because.contains(q),
            Some(id) => self
                .children
                .iter()
                .position(|c| *c == id)
                .is_some_and(|i| self.because_each[i].contains(q)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ContactOutcome<'a> {
    pub contact: &'a Contact,
    /// `None` when the contact's hours are not known.
    pub open_now: Option<bool>,
    pub call: Call,
    /// When a closed service next opens (London wall time).
    pub opens: Option<jiff::civil::DateTime>,
}

impl<'a> ContactOutcome<'a> {
    /// `contact` of `area` as it stands at `clock`, listed as `call`.
    pub fn at(area: &Area, contact: &'a Contact, clock: Clock, call: Call) -> ContactOutcome<'a> {
        let open_now = contact.hours.open_at(clock.wall);
        ContactOutcome {
            contact,
            open_now,
            call,
            opens: match open_now {
                Some(false) => area.bank_holidays.next_opening(&contact.hours, clock),
                _ => None,
            },
        }
    }
}

/// Why a number is listed where it is, and what to do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// 999, first: a child is in danger or danger is not ruled out.
    Emergency,
    /// The front door that is open now, for what cannot wait.
    RingNow,
    /// The daytime front door, open now, for what can wait until it is answered.
    OpenNow,
    /// The daytime front door is closed: what can wait goes to it when it opens.
    NextWorkingDay,
    /// The duty team, open now, for a case that can wait: only if it cannot.
    IfItCannotWait,
    /// The front door that is closed now, with when it opens.
    Later,
    /// A route's own specialist.
    Specialist,
    /// 999, last: always listed.
    EmergencyLast,
}

impl Call {
    pub fn id(self) -> &'static str {
        match self {
            Call::Emergency => "emergency",
            Call::RingNow => "ring_now",
            Call::OpenNow => "open_now",
            Call::NextWorkingDay => "next_working_day",
            Call::IfItCannotWait => "if_it_cannot_wait",
            Call::Later => "later",
            Call::Specialist => "specialist",
            Call::EmergencyLast => "emergency_last",
        }
    }

    /// Whether the number is to be rung now.
    pub fn ring_now(self) -> bool {
        matches!(self, Call::Emergency | Call::RingNow)
    }
}

/// How much of a result to work out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// All of it.
    Full,
    /// The levels (each child's and the case's, what each could reach, whether points were
    /// limited), the routes that fire and whether one is the emergency's: what a batch's
    /// CSV row, workbook row and table line show. Left empty: each child's reasons and
    /// unknowns, what made each route fire (`because`, `because_each`), the actions and
    /// the contacts. The levels and routes are those [`Detail::Full`] gives.
    Levels,
}

/// Decide `case` under `area`'s rules at moment `at`.
pub fn assess<'a>(
    area: &'a Area,
    bank: &QuestionBank,
    case: &'a Case,
    at: &jiff::ZonedDateTime,
) -> Outcome<'a> {
    assess_to(area, bank, case, at, Detail::Full)
}

/// Decide `case` under `area`'s rules at moment `at`, working out `detail` of the result.
pub fn assess_to<'a>(
    area: &'a Area,
    bank: &QuestionBank,
    case: &'a Case,
    at: &jiff::ZonedDateTime,
    detail: Detail,
) -> Outcome<'a> {
    let full = detail == Detail::Full;
    let (worst_household, household_unknowns) = worst_case(bank, &case.answers, None);
    let children: Vec<ChildOutcome> = case
        .children
        .iter()
        .map(|child| {
            assess_child(
                area,
                bank,
                (&case.answers, &worst_household, &household_unknowns),
                child,
                full,
            )
        })
        .collect();
    let overall = children.iter().map(|c| c.level).max();

    let household = Facts {
        household: &case.answers,
        child: None,
        tier: overall,
        unknown_could_raise: children.iter().any(|c| c.could_reach > c.level),
        no_children: children.is_empty(),
    };
    let mut routes: Vec<RouteOutcome> = area
        .routes
        .iter()
        .filter_map(|route| {
            let mut because = if full {
                route.when.fired_by(&household)
            } else {
                QSet::default()
            };
            let mut because_each = Vec::new();
            let for_children: Vec<&str> = children
                .iter()
                .filter(|c| {
                    let facts = child_facts(&case.answers, c);
                    // Most routes do not fire: test first, trace only what holds.
                    let holds = route.when.holds(&facts);
                    if holds && full {
                        let fired = route.when.fired_by(&facts);
                        because = because.union(fired);
                        because_each.push(fired);
                    }
                    holds
                })
                .map(|c| c.child.id.as_str())
                .collect();
            (route.when.holds(&household) || !for_children.is_empty()).then_some(RouteOutcome {
                route,
                children: for_children,
                because,
                because_each,
            })
        })
        .collect();
    if let Some(limit) = &area.score_limit {
        put_back_to_the_practitioner(limit, &children, &mut routes);
    }
    let actions = if full {
        (area.actions.iter())
            .filter(|a| a.when.holds(&household))
            .collect()
    } else {
        Vec::new()
    };
    let emergency = routes
        .iter()
        .any(|r| r.route.role == Some(RouteRole::Emergency));
    let danger_not_ruled_out = case
        .answers
        .get(
            bank.immediate_danger()
                .expect("rules that load have a question with `role: immediate_danger`"),
        )
        .is_unknown();
    let urgent = emergency || danger_not_ruled_out || overall == Some(Tier::TOP);
    let clock = area.bank_holidays.clock(at);
    let contacts = if full {
        contacts_now(
            area,
            &routes,
            clock,
            emergency || danger_not_ruled_out,
            urgent,
        )
    } else {
        Vec::new()
    };
    Outcome {
        area,
        case,
        assessed_at: case.assessed_at.clone().unwrap_or_else(|| at.clone()),
        contacts_moment: at.with_time_zone(crate::hours::london().clone()),
        contacts_at: clock,
        emergency,
        urgent,
        danger_not_ruled_out,
        overall,
        children,
        routes,
        actions,
        contacts,
    }
}

/// Where points alone were stopped below the top tier for some children (`limit`), the
/// question of significant harm is put back to the practitioner for them: asked straight
/// after the emergency route, as the most urgent one left.
fn put_back_to_the_practitioner<'a>(
    limit: &'a ScoreLimit,
    children: &[ChildOutcome<'a>],
    routes: &mut Vec<RouteOutcome<'a>>,
) {
    let limited: Vec<&ChildOutcome> = children.iter().filter(|c| c.limited).collect();
    if limited.is_empty() {
        return;
    }
    let at = routes
        .iter()
        .position(|r| r.route.role != Some(RouteRole::Emergency))
        .unwrap_or(routes.len());
    let because_each: Vec<QSet> = limited
        .iter()
        .map(|c| {
            c.reasons
                .iter()
                .map(|r| r.because)
                .fold(QSet::default(), QSet::union)
        })
        .collect();
    routes.insert(
        at,
        RouteOutcome {
            route: &limit.route,
            children: limited.iter().map(|c| c.child.id.as_str()).collect(),
            because: because_each
                .iter()
                .copied()
                .fold(QSet::default(), QSet::union),
            because_each,
        },
    );
}

fn child_facts<'a>(household: &'a Answers, outcome: &'a ChildOutcome) -> Facts<'a> {
    Facts {
        tier: Some(outcome.level),
        unknown_could_raise: outcome.could_reach > outcome.level,
        ..Facts::child(household, &outcome.child.answers, outcome.child.age)
    }
}

/// A child's outcome beside the household's answers, their worst case and its unknowns;
/// `full`: with its reasons and unknowns (see [`Detail`]).
fn assess_child<'a>(
    area: &'a Area,
    bank: &QuestionBank,
    (household, worst_household, household_unknowns): (&Answers, &Answers, &[QId]),
    child: &'a Child,
    full: bool,
) -> ChildOutcome<'a> {
    let facts = Facts::child(household, &child.answers, child.age);
    let known = score(area, &facts, full);
    let (worst_answers, child_unknowns) =
        worst_case(bank, &child.answers, Some((worst_household, child)));
    let worst_facts = Facts::child(worst_household, &worst_answers, child.age);
    let worst = score(area, &worst_facts, false);
    // Only what these rules use: an unknown no rule of the area tests cannot change it. A
    // question asked once the children are known (a baby's carers) is listed for a child
    // only where a rule that tests it could hold for that child.
    let mut unknowns: Vec<QId> = Vec::new();
    if full {
        unknowns.extend_from_slice(household_unknowns);
        unknowns.extend(child_unknowns);
        unknowns.retain(|q| {
            area.uses.contains(*q)
                && (!bank.question(*q).after_children || could_matter_for(area, *q, &facts))
        });
    }
    ChildOutcome {
        child,
        level: known.tier,
        score: known.score,
        floor: known.floor,
        could_reach: worst.tier.max(known.tier),
        reasons: known.reasons,
        unknowns,
        limited: known.limited,
        points_could_reach: worst.points_tier.max(known.points_tier),
    }
}

/// Whether a floor, weight or route that tests `q` could still hold for this child.
fn could_matter_for(area: &Area, q: QId, facts: &Facts) -> bool {
    area.tested_by
        .iter()
        .filter(|(tested, _)| *tested == q)
        .flat_map(|(_, conditions)| conditions)
        .any(|when| when.could_hold(facts))
}

/// A child's level tried with one answer after another, each alone, for an audit: its
/// scoring rules are tested once, and each try tests again only the rules that read the
/// answer tried ([`Holds::tier_if`]).
pub struct Trial<'c> {
    area: &'c Area,
    /// The household's answers and the child's, each try set in them and put back after.
    household: Answers,
    answers: Answers,
    age: Option<u8>,
    holds: Holds,
}

impl<'c> Trial<'c> {
    pub fn new(area: &'c Area, household: &Answers, child: &Child) -> Trial<'c> {
        let facts = Facts::child(household, &child.answers, child.age);
        Trial {
            area,
            household: household.clone(),
            answers: child.answers.clone(),
            age: child.age,
            holds: Holds::of(area, &facts),
        }
    }

    /// The level the child would be at if the answer to `q` (a question about `about`)
    /// were `answer`, every other answer as it is: the level [`assess`] gives the child
    /// with those answers.
    pub fn level_if(&mut self, q: QId, about: About, answer: crate::question::Answer) -> Tier {
        let slot = match about {
            About::Household => &mut self.household,
            About::Child => &mut self.answers,
        };
        let was = slot.get(q);
        slot.set(q, answer);
        let facts = Facts::child(&self.household, &self.answers, self.age);
        let tier = self.holds.tier_if(self.area, &facts, q);
        match about {
            About::Household => self.household.set(q, was),
            About::Child => self.answers.set(q, was),
        }
        tier
    }
}

/// One unknown answer that alone could raise a child's level: the question, and the level
/// the child would be at if it (with the questions it opens) turned out to be worrying and
/// every other unknown stayed unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raise {
    pub question: QId,
    pub to: Tier,
}

/// For each child of `outcome`, the unknown answers that alone could raise its level, the
/// highest first (then those that need the fewest other answers, then the bank's order). A
/// strength never raises a level, so none is listed; a child whose level only a combination
/// of unknowns could raise lists none.
pub fn raised_by(
    outcome: &Outcome,
    bank: &QuestionBank,
    at: &jiff::ZonedDateTime,
) -> Vec<Vec<Raise>> {
    let case = outcome.case;
    outcome
        .children
        .iter()
        .enumerate()
        .map(|(i, child)| {
            if child.could_reach <= child.level {
                return Vec::new();
            }
            let mut raises: Vec<(Raise, usize)> = child
                .unknowns
                .iter()
                .filter_map(|&q| {
                    let mut what_if = case.clone();
                    let opened = opened_by(bank, q, &child.unknowns);
                    for &r in &opened {
                        let question = bank.question(r);
                        let slot = match question.about {
                            About::Household => &mut what_if.answers,
                            About::Child => &mut what_if.children[i].answers,
                        };
                        slot.set(r, question.worrying.worst());
                    }
                    let to = assess(outcome.area, bank, &what_if, at).children[i].level;
                    (to > child.level).then_some((Raise { question: q, to }, opened.len()))
                })
                .collect();
            // Highest first; of those, the ones that need fewest other answers (a question
            // that raises it by itself before one that opens others), then the bank's order.
            raises.sort_by_key(|(r, opened)| (std::cmp::Reverse(r.to), *opened, r.question));
            raises.into_iter().map(|(r, _)| r).collect()
        })
        .collect()
}

/// `q` and every unknown question it opens (by `ask_when`, at any depth).
fn opened_by(bank: &QuestionBank, q: QId, unknowns: &[QId]) -> Vec<QId> {
    let mut found = vec![q];
    let mut i = 0;
    while i < found.len() {
        let opener = found[i];
        for &r in unknowns {
            let opens = bank
                .question(r)
                .ask_when
                .as_ref()
                .is_some_and(|c| c.mentions(opener));
            if opens && !found.contains(&r) {
                found.push(r);
            }
        }
        i += 1;
    }
    found
}

/// `answers` with every unknown that applies (by `ask_when`, itself read pessimistically,
/// and for an unborn child only the questions asked before birth) set to its worrying
/// value; and which questions those were. For a child's answers, `child` gives the child
/// and the worst household answers its questions may depend on.
fn worst_case(
    bank: &QuestionBank,
    answers: &Answers,
    child: Option<(&Answers, &Child)>,
) -> (Answers, Vec<QId>) {
    let about = if child.is_some() {
        About::Child
    } else {
        About::Household
    };
    let mut worst = answers.clone();
    let mut unknowns = Vec::with_capacity(bank.len());
    for (q, question) in bank.questions().filter(|(_, q)| q.about == about) {
        let not_before_birth = child.is_some_and(|(_, c)| c.unborn() && !question.unborn);
        if !worst.get(q).is_unknown() || not_before_birth {
            continue;
        }
        let facts = match child {
            None => Facts::household(&worst),
            Some((household, c)) => Facts::child(household, &worst, c.age),
        };
        if question.ask_when.as_ref().is_none_or(|c| c.holds(&facts)) {
            worst.set(q, question.worrying.worst());
            unknowns.push(q);
        }
    }
    (worst, unknowns)
}

/// What to ring, derived for every result: 999 first when a child is in danger or danger is
/// not ruled out; then the front door — for what cannot wait, whichever service is open now;
/// for what can wait, the daytime door (with when it opens) and the duty team "if it cannot
/// wait"; then the routes' own specialists, open ones first and unknown hours never above a
/// service known to be open; 999 last when it was not first.
pub fn contacts_now<'a>(
    area: &'a Area,
    routes: &[RouteOutcome<'a>],
    clock: Clock,
    danger: bool,
    urgent: bool,
) -> Vec<ContactOutcome<'a>> {
    let outcome = |contact: &'a Contact, call: Call| ContactOutcome::at(area, contact, clock, call);
    let emergency: Vec<&Contact> = area.contacts.iter().filter(|c| c.emergency).collect();
    let mut listed: Vec<ContactOutcome> = Vec::new();
    if danger {
        listed.extend(emergency.iter().map(|c| outcome(c, Call::Emergency)));
    }
    let [daytime, duty] = area.front_doors();
    let daytime_open = daytime.hours.open_at(clock.wall) == Some(true);
    if urgent {
        let (first, second) = if daytime_open {
            (daytime, duty)
        } else {
            (duty, daytime)
        };
        listed.push(outcome(first, Call::RingNow));
        listed.push(outcome(second, Call::Later));
    } else if daytime_open {
        listed.push(outcome(daytime, Call::OpenNow));
        listed.push(outcome(duty, Call::Later));
    } else {
        listed.push(outcome(daytime, Call::NextWorkingDay));
        listed.push(outcome(duty, Call::IfItCannotWait));
    }
    let mut specialists: Vec<ContactOutcome> = Vec::new();
    for id in routes.iter().flat_map(|r| &r.route.contacts) {
        if let Some(contact) = area.contact(id)
            && !contact.emergency
            && !listed
                .iter()
                .chain(&specialists)
                .any(|l| l.contact.id == contact.id)
        {
            specialists.push(outcome(contact, Call::Specialist));
        }
    }
    specialists.sort_by_key(|c| match c.open_now {
        Some(true) => 0,
        None => 1,
        Some(false) => 2,
    });
    listed.extend(specialists);
    if !danger {
        listed.extend(emergency.iter().map(|c| outcome(c, Call::EmergencyLast)));
    }
    listed
}
