//! The decision: a case's answers in; each child's tier with its reasons, what is still
//! unknown and how high it could reach, and the routes, actions and contacts out.
//! Pure: no I/O, no clock (the moment is passed in), no terminal.
//!
//! A child's tier is the highest of the tier its score reaches (protective factors may
//! lower that a little) and every floor that fires. Nothing depends on the order of the
//! rules: scores are sums and tiers are maxima.

use crate::case::{Case, Child};
use crate::condition::Facts;
use crate::hours::WallClock;
use crate::question::{About, Answer, Answers, QId, QuestionBank, Worrying};
use crate::rules::model::{Action, Area, Contact, Route};

#[derive(Debug, Clone)]
pub struct Outcome<'a> {
    pub area: &'a Area,
    pub case: &'a Case,
    pub assessed_at: jiff::Zoned,
    /// A child is in immediate danger: ring 999 first.
    pub emergency: bool,
    /// The highest child tier; `None` when no children were recorded.
    pub overall: Option<u8>,
    pub children: Vec<ChildOutcome<'a>>,
    pub routes: Vec<RouteOutcome<'a>>,
    pub actions: Vec<&'a Action>,
    /// What to ring now first.
    pub contacts: Vec<ContactOutcome<'a>>,
}

impl Outcome<'_> {
    /// Whether the practitioner's recorded tier matches the tool's; `None` if none was
    /// recorded or there are no children.
    pub fn agrees(&self) -> Option<bool> {
        Some(self.case.recorded_level? == self.overall?)
    }
}

#[derive(Debug, Clone)]
pub struct ChildOutcome<'a> {
    pub child: &'a Child,
    pub level: u8,
    /// Points from weights, less protective factors.
    pub score: i32,
    /// The highest floor that fired.
    pub floor: Option<u8>,
    /// The tier if every unknown answer that applies turned out to be the worrying one.
    pub could_reach: u8,
    pub reasons: Vec<Reason<'a>>,
    /// Questions that apply to this child (household ones included) and are not answered.
    pub unknowns: Vec<QId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason<'a> {
    pub rule: &'a str,
    pub label: &'a str,
    pub effect: Effect,
    pub source: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Points added (or, when negative, taken off by a protective factor).
    Points(i32),
    /// The tier cannot be below this.
    Floor(u8),
    /// Protective factors would have lowered the tier further; held at this tier.
    Held(u8),
}

impl Effect {
    pub fn label(self) -> String {
        match self {
            Effect::Points(p) => format!("{p:+}"),
            Effect::Floor(t) => format!("floor {t}"),
            Effect::Held(t) => format!("held at {t}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RouteOutcome<'a> {
    pub route: &'a Route,
    /// The children it applies to; empty when it comes from household answers alone.
    pub children: Vec<&'a str>,
}

#[derive(Debug, Clone)]
pub struct ContactOutcome<'a> {
    pub contact: &'a Contact,
    /// `None` when the contact's hours are not known.
    pub open_now: Option<bool>,
}

/// Decide `case` under `area`'s rules at moment `at`.
pub fn assess<'a>(
    area: &'a Area,
    bank: &QuestionBank,
    case: &'a Case,
    at: &jiff::Zoned,
) -> Outcome<'a> {
    let (worst_household, household_unknowns) = worst_case(bank, &case.answers, None);
    let children: Vec<ChildOutcome> = case
        .children
        .iter()
        .map(|child| {
            assess_child(
                area,
                bank,
                &case.answers,
                &worst_household,
                &household_unknowns,
                child,
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
    let routes: Vec<RouteOutcome> = area
        .routes
        .iter()
        .filter_map(|route| {
            let for_children: Vec<&str> = children
                .iter()
                .filter(|c| route.when.holds(&child_facts(&case.answers, c)))
                .map(|c| c.child.id.as_str())
                .collect();
            (route.when.holds(&household) || !for_children.is_empty()).then_some(RouteOutcome {
                route,
                children: for_children,
            })
        })
        .collect();
    let actions = area
        .actions
        .iter()
        .filter(|a| a.when.holds(&household))
        .collect();
    let emergency = routes.iter().any(|r| r.route.id == "emergency");
    let contacts = contacts_now(area, &routes, WallClock::of(at));
    Outcome {
        area,
        case,
        assessed_at: at.clone(),
        emergency,
        overall,
        children,
        routes,
        actions,
        contacts,
    }
}

fn child_facts<'a>(household: &'a Answers, outcome: &'a ChildOutcome) -> Facts<'a> {
    Facts {
        tier: Some(outcome.level),
        unknown_could_raise: outcome.could_reach > outcome.level,
        ..Facts::child(household, &outcome.child.answers, outcome.child.age)
    }
}

fn assess_child<'a>(
    area: &'a Area,
    bank: &QuestionBank,
    household: &Answers,
    worst_household: &Answers,
    household_unknowns: &[QId],
    child: &'a Child,
) -> ChildOutcome<'a> {
    let facts = Facts::child(household, &child.answers, child.age);
    let known = score(area, &facts, true);
    let (worst_answers, child_unknowns) =
        worst_case(bank, &child.answers, Some((worst_household, child)));
    let worst_facts = Facts::child(worst_household, &worst_answers, child.age);
    let worst = score(area, &worst_facts, false);
    let mut unknowns = household_unknowns.to_vec();
    unknowns.extend(child_unknowns);
    ChildOutcome {
        child,
        level: known.tier,
        score: known.score,
        floor: known.floor,
        could_reach: worst.tier.max(known.tier),
        reasons: known.reasons,
        unknowns,
    }
}

struct Scored<'a> {
    tier: u8,
    score: i32,
    floor: Option<u8>,
    reasons: Vec<Reason<'a>>,
}

fn score<'a>(area: &'a Area, facts: &Facts, explain: bool) -> Scored<'a> {
    let scoring = &area.scoring;
    let mut reasons = Vec::new();
    let mut risk = 0;
    for rule in scoring.weights.iter().filter(|r| r.when.holds(facts)) {
        risk += rule.points;
        if explain {
            reasons.push(Reason {
                rule: &rule.id,
                label: &rule.label,
                effect: Effect::Points(rule.points),
                source: &rule.source,
            });
        }
    }
    let mut protection = 0;
    for rule in scoring
        .protective
        .factors
        .iter()
        .filter(|r| r.when.holds(facts))
    {
        protection += rule.points;
        if explain {
            reasons.push(Reason {
                rule: &rule.id,
                label: &rule.label,
                effect: Effect::Points(rule.points),
                source: &rule.source,
            });
        }
    }
    let tier_for = |points: i32| {
        scoring
            .thresholds
            .iter()
            .filter(|t| points >= t.at_least)
            .map(|t| t.tier)
            .max()
            .unwrap_or(1)
    };
    let unprotected = tier_for(risk);
    let protected = tier_for(risk + protection);
    let protective = &scoring.protective;
    let lowest_allowed = if unprotected >= protective.not_from_tier {
        unprotected
    } else {
        unprotected.saturating_sub(protective.max_lowering).max(1)
    };
    let score_tier = protected.max(lowest_allowed);
    if explain && score_tier > protected {
        reasons.push(Reason {
            rule: "protective_limit",
            label: "Protective factors may lower the level only so far",
            effect: Effect::Held(score_tier),
            source: &protective.source,
        });
    }
    let mut floor = None;
    for rule in scoring.floors.iter().filter(|f| f.when.holds(facts)) {
        floor = floor.max(Some(rule.tier));
        if explain {
            reasons.push(Reason {
                rule: &rule.id,
                label: &rule.label,
                effect: Effect::Floor(rule.tier),
                source: &rule.source,
            });
        }
    }
    Scored {
        tier: score_tier.max(floor.unwrap_or(1)),
        score: risk + protection,
        floor,
        reasons,
    }
}

fn worrying_answer(worrying: Worrying) -> Answer {
    match worrying {
        Worrying::Yes => Answer::Yes,
        Worrying::No => Answer::No,
        Worrying::More => Answer::Count(u32::MAX),
    }
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
    let mut unknowns = Vec::new();
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
            worst.set(q, worrying_answer(question.worrying));
            unknowns.push(q);
        }
    }
    (worst, unknowns)
}

/// The contacts of the routes that fired, what is open now first. The emergency number
/// is always listed: first when a route that fired puts it first (a child in danger, or
/// danger not ruled out), otherwise last.
fn contacts_now<'a>(
    area: &'a Area,
    routes: &[RouteOutcome<'a>],
    now: WallClock,
) -> Vec<ContactOutcome<'a>> {
    let urgent = routes.iter().any(|r| {
        r.route
            .contacts
            .first()
            .and_then(|id| area.contact(id))
            .is_some_and(|c| c.emergency)
    });
    let mut listed: Vec<ContactOutcome> = Vec::new();
    for id in routes.iter().flat_map(|r| &r.route.contacts) {
        if let Some(contact) = area.contact(id).filter(|c| !c.emergency)
            && !listed.iter().any(|l| l.contact.id == contact.id)
        {
            listed.push(ContactOutcome {
                contact,
                open_now: contact.hours.open_at(now),
            });
        }
    }
    listed.sort_by_key(|c| match c.open_now {
        Some(true) => 0,
        None => 1,
        Some(false) => 2,
    });
    let emergency = area
        .contacts
        .iter()
        .filter(|c| c.emergency)
        .map(|contact| ContactOutcome {
            contact,
            open_now: contact.hours.open_at(now),
        });
    if urgent {
        emergency.chain(listed).collect()
    } else {
        listed.into_iter().chain(emergency).collect()
    }
}
