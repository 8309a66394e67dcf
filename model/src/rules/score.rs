//! A child's tier from the rules: the score's tier (strengths may lower it a little, never
//! below the child's own need; points alone stop at the national layer's limit) raised by
//! every floor that holds. The engine and `rules check`'s invariants both decide with this,
//! so what the check proves is what the tool does.

use super::model::{Area, Basis, Layer};
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
    let scoring = &area.scoring;
    let mut reasons = Vec::new();
    let tier_for = |points: i32| {
        scoring
            .thresholds
            .iter()
            .filter(|t| points >= t.at_least)
            .map(|t| t.tier)
            .max()
            .unwrap_or(Tier::BOTTOM)
    };
    // Validation bounds every weight, so these sums cannot overflow; saturating keeps a
    // local rule set that slipped past it from wrapping round.
    let mut risk: i32 = 0;
    // The highest tier one of the child's own answers reaches alone: strengths never take
    // a child below it (they shape the plan, not the child's need).
    let mut own_need = Tier::BOTTOM;
    for rule in scoring.weights.iter().filter(|r| r.when.holds(facts)) {
        risk = risk.saturating_add(rule.points);
        // A rule that holds only with the child's own answers (or age) is the child's need.
        if facts.child.is_some() && !rule.when.holds(&Facts::household(facts.household)) {
            own_need = own_need.max(tier_for(rule.points));
        }
        if explain {
            reasons.push(reason(
                (&rule.id, &rule.label, &rule.source),
                (rule.basis, &rule.rationale, Layer::Local),
                Effect::Points(rule.points),
                rule.when.fired_by(facts),
            ));
        }
    }
    let mut protection: i32 = 0;
    for rule in scoring
        .protective
        .factors
        .iter()
        .filter(|r| r.when.holds(facts))
    {
        protection = protection.saturating_add(rule.points);
        if explain {
            reasons.push(reason(
                (&rule.id, &rule.label, &rule.source),
                (rule.basis, &rule.rationale, Layer::Local),
                Effect::Points(rule.points),
                rule.when.fired_by(facts),
            ));
        }
    }
    let unprotected = tier_for(risk);
    let protected = tier_for(risk.saturating_add(protection));
    let protective = &scoring.protective;
    let lowest_allowed = if unprotected >= protective.not_from_tier {
        unprotected
    } else {
        unprotected
            .lowered_by(protective.max_lowering)
            .max(own_need)
    };
    let points_tier = protected.max(lowest_allowed);
    let mut score_tier = points_tier;
    if explain && score_tier > protected {
        reasons.push(reason(
            (
                "protective_limit",
                "Strengths shape the plan; they do not lower the level below the child's own need",
                &protective.source,
            ),
            (Basis::Source, &None, Layer::Local),
            Effect::Held(score_tier),
            QSet::default(),
        ));
    }
    let mut limited = false;
    if let Some(limit) = &area.score_limit
        && score_tier > limit.tier
        && limit.when.holds(facts)
    {
        score_tier = limit.tier;
        limited = true;
        if explain {
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
    }
    let mut floor = None;
    for rule in scoring.floors.iter().filter(|f| f.when.holds(facts)) {
        floor = floor.max(Some(rule.tier));
        if explain {
            reasons.push(reason(
                (&rule.id, &rule.label, &rule.source),
                (rule.basis, &rule.rationale, rule.layer),
                Effect::Floor(rule.tier),
                rule.when.fired_by(facts),
            ));
        }
    }
    let tier = score_tier.max(floor.unwrap_or(Tier::BOTTOM));
    Scored {
        tier,
        score: risk.saturating_add(protection),
        floor,
        limited: limited && tier == score_tier,
        points_tier,
        reasons,
    }
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
