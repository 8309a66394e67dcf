//! A child's tier from the rules: the score's tier (strengths may lower it a little, never
//! below the child's own need; points alone stop at the national layer's limit) raised by
//! every floor that holds. The engine and `rules check`'s invariants both decide with this,
//! so what the check proves is what the tool does.

use super::model::{Area, Basis, Layer, ScoringRule};
use crate::answer::QSet;
use crate::condition::Facts;
use crate::values::Tier;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason<'a> {
    pub rule: &'a str,
    pub label: &'a str,
    pub effect: Effect,
    pub source: &'a str,
    /// Whether the number is the source's words, this project's reading of them, or this
    /// project's calibration.
    pub basis: Basis,
    pub rationale: Option<&'a str>,
    /// National (inherited by every area) or the area's own.
    pub layer: Layer,
    /// The answers that made the rule hold (the trace).
    pub because: QSet,
}

impl Reason<'_> {
    /// What a person reads after the reason's label: whether it is national, and whether
    /// the number is this tool's reading or calibration rather than the source's words.
    pub fn note(&self) -> String {
        let layer = match self.layer {
            Layer::National => " [national: English law and guidance]",
            Layer::Local => "",
        };
        let basis = match (self.basis, self.effect) {
            (Basis::Source, _) => "",
            (Basis::Interpretation, _) => " (this tool's reading of the source)",
            (Basis::Calibration, Effect::Points(_)) => " (points: this tool's calibration)",
            (Basis::Calibration, _) => " (this tool's calibration)",
        };
        format!("{layer}{basis}")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Points added (or, when negative, taken off by a protective factor).
    Points(i32),
    /// The tier cannot be below this.
    Floor(Tier),
    /// Protective factors would have lowered the tier further; held at this tier.
    Held(Tier),
    /// Points alone would have gone higher; they stop at this tier (the national limit).
    Limited(Tier),
}

impl Effect {
    pub fn label(self) -> String {
        match self {
            Effect::Points(p) => format!("{p:+}"),
            Effect::Floor(t) => format!("floor {t}"),
            Effect::Held(t) => format!("held at {t}"),
            Effect::Limited(t) => format!("points stop at {t}"),
        }
    }
}

pub struct Scored<'a> {
    pub tier: Tier,
    pub score: i32,
    pub floor: Option<Tier>,
    /// Points alone would have reached a higher tier than the national limit allows.
    pub limited: bool,
    /// The tier points alone give, strengths counted, before the national limit and any
    /// floor.
    pub points_tier: Tier,
    pub reasons: Vec<Reason<'a>>,
}

/// Score `facts` (a child's, beside the household's) under `area`; with `explain`, the
/// reasons too.
pub fn score<'a>(area: &'a Area, facts: &Facts, explain: bool) -> Scored<'a> {
    let holds = Holds::of(area, facts);
    let settled = settle(area, &holds.sums);
    let mut reasons = Vec::new();
    if explain {
        let scoring = &area.scoring;
        for (rule, _) in scoring
            .weights
            .iter()
            .zip(&holds.weights)
            .filter(|(_, h)| **h)
        {
            reasons.push(reason(
                (&rule.id, &rule.label, &rule.source),
                (rule.basis, &rule.rationale, Layer::Local),
                Effect::Points(rule.points),
                rule.when.fired_by(facts),
            ));
        }
        let factors = scoring.protective.factors.iter().zip(&holds.protective);
        for (rule, _) in factors.filter(|(_, h)| **h) {
            reasons.push(reason(
                (&rule.id, &rule.label, &rule.source),
                (rule.basis, &rule.rationale, Layer::Local),
                Effect::Points(rule.points),
                rule.when.fired_by(facts),
            ));
        }
        if settled.held {
            reasons.push(reason(
                (
                    "protective_limit",
                    "Strengths shape the plan; they do not lower the level below the child's own need",
                    &scoring.protective.source,
                ),
                (Basis::Source, &None, Layer::Local),
                Effect::Held(settled.points_tier),
                QSet::default(),
            ));
        }
        if let (true, Some(limit)) = (settled.limited_at_all, &area.score_limit) {
            reasons.push(Reason {
                rule: &limit.id,
                label: &limit.label,
                effect: Effect::Limited(limit.tier),
                source: &limit.source,
                basis: limit.basis,
                rationale: Some(&limit.rationale),
                layer: Layer::National,
                because: limit.when.fired_by(facts),
            });
        }
        for (rule, _) in scoring
            .floors
            .iter()
            .zip(&holds.floors)
            .filter(|(_, h)| **h)
        {
            reasons.push(reason(
                (&rule.id, &rule.label, &rule.source),
                (rule.basis, &rule.rationale, rule.layer),
                Effect::Floor(rule.tier),
                rule.when.fired_by(facts),
            ));
        }
    }
    Scored {
        tier: settled.tier,
        score: settled.score,
        floor: settled.floor,
        limited: settled.limited_at_all && settled.tier == settled.score_tier,
        points_tier: settled.points_tier,
        reasons,
    }
}

/// Which of an area's scoring rules hold for one child's facts: everything its score is
/// made of. Kept, it lets an audit try one answer after another ([`Holds::tier_if`]) testing
/// only the rules that read that answer, and settles the score the same way [`score`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holds {
    /// Each weight, in order.
    weights: Vec<bool>,
    /// Each weight that holds only with the child's own answers (or age): the child's need.
    own: Vec<bool>,
    protective: Vec<bool>,
    /// The national score limit's condition (false where the area has none).
    limit: bool,
    floors: Vec<bool>,
    /// What the score is made of, from these.
    sums: Sums,
}

/// A score settled from [`Holds`].
struct Settled {
    tier: Tier,
    score: i32,
    floor: Option<Tier>,
    points_tier: Tier,
    /// The tier before any floor: points, strengths and the limit.
    score_tier: Tier,
    /// Strengths would have taken the tier below the child's own need.
    held: bool,
    /// Points alone went past the limit's tier and its condition holds.
    limited_at_all: bool,
}

impl Holds {
    /// Test every scoring rule of `area` against `facts`.
    pub fn of(area: &Area, facts: &Facts) -> Holds {
        let scoring = &area.scoring;
        let weights: Vec<bool> = scoring
            .weights
            .iter()
            .map(|r| r.when.holds(facts))
            .collect();
        let own = scoring
            .weights
            .iter()
            .zip(&weights)
            .map(|(rule, holds)| *holds && own_need(&rule.when, facts))
            .collect();
        let mut holds = Holds {
            weights,
            own,
            protective: (scoring.protective.factors.iter())
                .map(|r| r.when.holds(facts))
                .collect(),
            limit: area
                .score_limit
                .as_ref()
                .is_some_and(|l| l.when.holds(facts)),
            floors: scoring.floors.iter().map(|f| f.when.holds(facts)).collect(),
            // Made from the rules above, next.
            sums: Sums {
                risk: 0,
                protection: 0,
                own_need: Tier::BOTTOM,
                limit: false,
                floor: None,
            },
        };
        holds.sums = holds.sums_with(area, &[]);
        holds
    }

    /// The tier if every rule that tests `q` were tested again against `facts` (the facts
    /// these were found with, but for the answer to `q`), the rules that do not test `q`
    /// holding as they did: the tier [`score`] gives those facts.
    pub fn tier_if(&self, area: &Area, facts: &Facts, q: crate::answer::QId) -> Tier {
        let scoring = &area.scoring;
        let tier_for = |points: i32| tier_for(area, points);
        let mut sums = self.sums.clone();
        // What starts to hold is added; where a rule stops holding (a test of an unknown
        // answer), the sums are made again from every rule.
        let mut again = Vec::new();
        let mut lowered = false;
        for &rule in &area.scoring_tests.0[q.index()] {
            match rule {
                ScoringRule::Weight(i) => {
                    let when = &scoring.weights[i].when;
                    let holds = when.holds(facts);
                    let own = holds && own_need(when, facts);
                    let points = scoring.weights[i].points;
                    match (self.weights[i], holds) {
                        (false, true) => sums.risk = sums.risk.saturating_add(points),
                        (true, false) => lowered = true,
                        _ => {}
                    }
                    match (self.own[i], own) {
                        (false, true) => sums.own_need = sums.own_need.max(tier_for(points)),
                        (true, false) => lowered = true,
                        _ => {}
                    }
                    again.push((rule, holds, own));
                }
                ScoringRule::Protective(i) => {
                    let holds = scoring.protective.factors[i].when.holds(facts);
                    let points = scoring.protective.factors[i].points;
                    match (self.protective[i], holds) {
                        (false, true) => sums.protection = sums.protection.saturating_add(points),
                        (true, false) => lowered = true,
                        _ => {}
                    }
                    again.push((rule, holds, false));
                }
                ScoringRule::Limit => {
                    sums.limit = area
                        .score_limit
                        .as_ref()
                        .is_some_and(|l| l.when.holds(facts));
                }
                ScoringRule::Floor(i) => {
                    let holds = scoring.floors[i].when.holds(facts);
                    match (self.floors[i], holds) {
                        (false, true) => sums.floor = sums.floor.max(Some(scoring.floors[i].tier)),
                        (true, false) => lowered = true,
                        _ => {}
                    }
                    again.push((rule, holds, false));
                }
            }
        }
        if lowered {
            let limit = sums.limit;
            sums = self.sums_with(area, &again);
            sums.limit = limit;
        }
        settle(area, &sums).tier
    }

    /// What the score is made of, the rules in `again` holding (and, for a weight, being
    /// the child's own need) as it says rather than as these say; the score limit's
    /// condition as these say.
    fn sums_with(&self, area: &Area, again: &[(ScoringRule, bool, bool)]) -> Sums {
        let holds = |rule: ScoringRule, was: bool| {
            (again.iter().find(|(r, _, _)| *r == rule)).map_or(was, |(_, holds, _)| *holds)
        };
        let own = |i: usize| {
            (again.iter().find(|(r, _, _)| *r == ScoringRule::Weight(i)))
                .map_or(self.own[i], |(_, _, own)| *own)
        };
        let scoring = &area.scoring;
        // Validation bounds every weight, so these sums cannot overflow; saturating keeps a
        // local rule set that slipped past it from wrapping round.
        let mut risk: i32 = 0;
        // The highest tier one of the child's own answers reaches alone: strengths never
        // take a child below it (they shape the plan, not the child's need).
        let mut own_need = Tier::BOTTOM;
        for (i, rule) in scoring.weights.iter().enumerate() {
            if holds(ScoringRule::Weight(i), self.weights[i]) {
                risk = risk.saturating_add(rule.points);
            }
            if own(i) {
                own_need = own_need.max(tier_for(area, rule.points));
            }
        }
        let protection = (scoring.protective.factors.iter().enumerate())
            .filter(|(i, _)| holds(ScoringRule::Protective(*i), self.protective[*i]))
            .fold(0i32, |sum, (_, rule)| sum.saturating_add(rule.points));
        let floor = (scoring.floors.iter().enumerate())
            .filter(|(i, _)| holds(ScoringRule::Floor(*i), self.floors[*i]))
            .map(|(_, rule)| rule.tier)
            .max();
        Sums {
            risk,
            protection,
            own_need,
            limit: self.limit,
            floor,
        }
    }
}

/// What a child's score is made of: the points of the weights that hold, of the strengths,
/// the child's own need, whether the score limit's condition holds, and the highest floor.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sums {
    risk: i32,
    protection: i32,
    own_need: Tier,
    limit: bool,
    floor: Option<Tier>,
}

/// The tier `points` reach by the area's thresholds.
fn tier_for(area: &Area, points: i32) -> Tier {
    (area.scoring.thresholds.iter())
        .filter(|t| points >= t.at_least)
        .map(|t| t.tier)
        .max()
        .unwrap_or(Tier::BOTTOM)
}

/// The score settled from what it is made of: strengths lower the points' tier a little,
/// never below the child's own need; points alone stop at the national limit; a floor
/// raises it.
fn settle(area: &Area, sums: &Sums) -> Settled {
    let (risk, protection) = (sums.risk, sums.protection);
    let unprotected = tier_for(area, risk);
    let protected = tier_for(area, risk.saturating_add(protection));
    let protective = &area.scoring.protective;
    let lowest_allowed = if unprotected >= protective.not_from_tier {
        unprotected
    } else {
        unprotected
            .lowered_by(protective.max_lowering)
            .max(sums.own_need)
    };
    let points_tier = protected.max(lowest_allowed);
    let mut score_tier = points_tier;
    let limited_at_all = match &area.score_limit {
        Some(limit) if score_tier > limit.tier && sums.limit => {
            score_tier = limit.tier;
            true
        }
        _ => false,
    };
    Settled {
        tier: score_tier.max(sums.floor.unwrap_or(Tier::BOTTOM)),
        score: risk.saturating_add(protection),
        floor: sums.floor,
        points_tier,
        score_tier,
        held: points_tier > protected,
        limited_at_all,
    }
}

/// Whether a weight that holds for a child holds only with the child's own answers (or
/// age), not on the household's answers alone: then it is the child's own need.
fn own_need(when: &crate::condition::Condition, facts: &Facts) -> bool {
    facts.child.is_some() && !when.holds(&Facts::household(facts.household))
}

/// A reason: the rule (id, label, source), its basis and layer, its effect and what fired it.
fn reason<'a>(
    (rule, label, source): (&'a str, &'a str, &'a str),
    (basis, rationale, layer): (Basis, &'a Option<String>, Layer),
    effect: Effect,
    because: QSet,
) -> Reason<'a> {
    Reason {
        rule,
        label,
        effect,
        source,
        basis,
        rationale: rationale.as_deref(),
        layer,
        because,
    }
}
