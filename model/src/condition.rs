//! Conditions on answers, a child's age and the tier reached: when a question is asked,
//! when a weight, floor, route or action applies. Pure data, evaluated without I/O.

use crate::answer::{Answer, Answers, QId, QRef, QSet};
use crate::values::Tier;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Answer(QId, Test),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    /// A born child aged at least this many whole years.
    AgeAtLeast(u8),
    /// A born child younger than this many whole years.
    AgeUnder(u8),
    /// An unborn child.
    Unborn,
    /// The tier reached (the child's for routes; the household's for actions).
    TierAtLeast(Tier),
    /// The tier reached is one of these.
    TierIn(Vec<Tier>),
    /// Some unknown answer, if it were the worrying one, would raise the tier.
    UnknownCouldRaise,
    /// No unknown answer could raise the tier: the result is settled, not provisional.
    Settled,
    /// The case records no children (actions only).
    NoChildren,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    Is(Answer),
    IsUnknown,
    AtLeast(u32),
}

/// What a condition is evaluated against.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub household: &'a Answers,
    pub child: Option<ChildFacts<'a>>,
    pub tier: Option<Tier>,
    pub unknown_could_raise: bool,
    pub no_children: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct ChildFacts<'a> {
    pub answers: &'a Answers,
    /// Whole years; `None` for an unborn child.
    pub age: Option<u8>,
}

impl<'a> Facts<'a> {
    /// Household answers alone, with nothing decided yet (no tier).
    pub fn household(household: &'a Answers) -> Facts<'a> {
        Facts {
            household,
            child: None,
            tier: None,
            unknown_could_raise: false,
            no_children: false,
        }
    }

    /// A child's answers and age beside the household's, with nothing decided yet: what
    /// scoring rules and `ask_when` are evaluated against.
    pub fn child(household: &'a Answers, answers: &'a Answers, age: Option<u8>) -> Facts<'a> {
        Facts {
            child: Some(ChildFacts { answers, age }),
            ..Facts::household(household)
        }
    }

    fn answer(&self, q: QId) -> Answer {
        // Household and child answers fill disjoint slots of the bank.
        match self.household.get(q) {
            Answer::Unknown => self.child.map_or(Answer::Unknown, |c| c.answers.get(q)),
            known => known,
        }
    }
}

impl Condition {
    pub fn holds(&self, facts: &Facts) -> bool {
        match self {
            Condition::Answer(q, test) => match (test, facts.answer(*q)) {
                (Test::IsUnknown, answer) => answer.is_unknown(),
                (Test::Is(expected), answer) => answer == *expected,
                (Test::AtLeast(n), Answer::Count(c)) => c >= *n,
                (Test::AtLeast(_), _) => false,
            },
            Condition::All(parts) => parts.iter().all(|c| c.holds(facts)),
            Condition::Any(parts) => parts.iter().any(|c| c.holds(facts)),
            Condition::AgeAtLeast(n) => {
                matches!(facts.child, Some(ChildFacts { age: Some(a), .. }) if a >= *n)
            }
            Condition::AgeUnder(n) => {
                matches!(facts.child, Some(ChildFacts { age: Some(a), .. }) if a < *n)
            }
            Condition::Unborn => matches!(facts.child, Some(ChildFacts { age: None, .. })),
            Condition::TierAtLeast(n) => facts.tier.is_some_and(|t| t >= *n),
            Condition::TierIn(tiers) => facts.tier.is_some_and(|t| tiers.contains(&t)),
            Condition::UnknownCouldRaise => facts.unknown_could_raise,
            Condition::Settled => !facts.unknown_could_raise,
            Condition::NoChildren => facts.no_children,
        }
    }

    /// Whether the condition could still hold once the unknown answers are known: an
    /// answer test on an unknown answer might; age, birth and answered questions are read
    /// as they are. (The tier is not known while answers are read, so it might.)
    pub fn could_hold(&self, facts: &Facts) -> bool {
        match self {
            Condition::Answer(q, _) if facts.answer(*q).is_unknown() => true,
            Condition::All(parts) => parts.iter().all(|c| c.could_hold(facts)),
            Condition::Any(parts) => parts.iter().any(|c| c.could_hold(facts)),
            Condition::TierAtLeast(_)
            | Condition::TierIn(_)
            | Condition::UnknownCouldRaise
            | Condition::Settled
            | Condition::NoChildren => true,
            atom => atom.holds(facts),
        }
    }

    /// The answers that make the condition hold on `facts`: every answer an atom tests that
    /// holds, within the parts that hold (all parts of an `all`, the holding branches of an
    /// `any`). Empty when it does not hold, or holds on age or tier alone. This is the
    /// engine's trace: every explanation of what an answer moved is built on it.
    pub fn fired_by(&self, facts: &Facts) -> QSet {
        if !self.holds(facts) {
            return QSet::default();
        }
        match self {
            Condition::Answer(q, _) => QSet::of(*q),
            Condition::All(parts) | Condition::Any(parts) => parts
                .iter()
                .map(|p| p.fired_by(facts))
                .fold(QSet::default(), QSet::union),
            _ => QSet::default(),
        }
    }

    /// Whether this condition holds whenever `q` is answered yes, whatever every other
    /// answer, the child's age (or being unborn) and the tier — proved from its shape: `q`
    /// yes itself, any list with one such branch, or an all-list of only such conditions.
    /// A condition that also needs another answer, an age or a tier does not count.
    pub fn holds_whenever_yes(&self, q: QId) -> bool {
        match self {
            Condition::Answer(x, Test::Is(Answer::Yes)) => *x == q,
            Condition::Any(list) => list.iter().any(|c| c.holds_whenever_yes(q)),
            Condition::All(list) => {
                !list.is_empty() && list.iter().all(|c| c.holds_whenever_yes(q))
            }
            _ => false,
        }
    }

    /// Whether the condition tests the answer to `q`.
    pub fn mentions(&self, q: QId) -> bool {
        match self {
            Condition::Answer(x, _) => *x == q,
            Condition::All(parts) | Condition::Any(parts) => parts.iter().any(|p| p.mentions(q)),
            _ => false,
        }
    }

    /// Every atom of the condition, depth first.
    pub fn atoms(&self) -> Vec<&Condition> {
        match self {
            Condition::All(parts) | Condition::Any(parts) => {
                parts.iter().flat_map(Condition::atoms).collect()
            }
            atom => vec![atom],
        }
    }
}

/// A condition as written in YAML: exactly one of these shapes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    answer: Option<QRef>,
    is: Option<IsWord>,
    at_least: Option<u32>,
    all: Option<Vec<Condition>>,
    any: Option<Vec<Condition>>,
    age_at_least: Option<u8>,
    age_under: Option<u8>,
    unborn: Option<bool>,
    tier_at_least: Option<Tier>,
    tier: Option<Vec<Tier>>,
    unknown_could_raise: Option<bool>,
    no_children: Option<bool>,
}

const SHAPES: &str = "write one of: {answer: ID, is: yes|no|unknown}, {answer: ID, at_least: N}, \
{all: [...]}, {any: [...]}, {age_at_least: N}, {age_under: N}, {unborn: true}, \
{tier_at_least: N}, {tier: [N, ...]}, {unknown_could_raise: true|false}, {no_children: true}";

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let w = Written::deserialize(deserializer)?;
        let shapes_used = [
            w.answer.is_some() || w.is.is_some() || w.at_least.is_some(),
            w.all.is_some(),
            w.any.is_some(),
            w.age_at_least.is_some(),
            w.age_under.is_some(),
            w.unborn.is_some(),
            w.tier_at_least.is_some(),
            w.tier.is_some(),
            w.unknown_could_raise.is_some(),
            w.no_children.is_some(),
        ];
        let refuse =
            || de::Error::custom(format!("a condition must have exactly one shape: {SHAPES}"));
        if shapes_used.iter().filter(|used| **used).count() != 1 {
            return Err(refuse());
        }
        match w {
            Written {
                answer: Some(QRef(q)),
                is: Some(IsWord(test)),
                at_least: None,
                ..
            } => Ok(Condition::Answer(q, test)),
            Written {
                answer: Some(QRef(q)),
                is: None,
                at_least: Some(n),
                ..
            } => Ok(Condition::Answer(q, Test::AtLeast(n))),
            Written {
                all: Some(parts), ..
            } => Ok(Condition::All(parts)),
            Written {
                any: Some(parts), ..
            } => Ok(Condition::Any(parts)),
            Written {
                age_at_least: Some(n),
                ..
            } => Ok(Condition::AgeAtLeast(n)),
            Written {
                age_under: Some(n), ..
            } => Ok(Condition::AgeUnder(n)),
            Written {
                unborn: Some(true), ..
            } => Ok(Condition::Unborn),
            Written {
                tier_at_least: Some(n),
                ..
            } => Ok(Condition::TierAtLeast(n)),
            Written {
                tier: Some(tiers), ..
            } => Ok(Condition::TierIn(tiers)),
            Written {
                unknown_could_raise: Some(true),
                ..
            } => Ok(Condition::UnknownCouldRaise),
            Written {
                unknown_could_raise: Some(false),
                ..
            } => Ok(Condition::Settled),
            Written {
                no_children: Some(true),
                ..
            } => Ok(Condition::NoChildren),
            _ => Err(refuse()),
        }
    }
}

/// `is:` accepts yes, no, unknown (and true/false), in any case.
struct IsWord(Test);

impl<'de> Deserialize<'de> for IsWord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Words;
        impl Visitor<'_> for Words {
            type Value = IsWord;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("yes, no or unknown")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<IsWord, E> {
                Ok(IsWord(Test::Is(if v { Answer::Yes } else { Answer::No })))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IsWord, E> {
                match v.to_ascii_lowercase().as_str() {
                    "yes" | "true" => Ok(IsWord(Test::Is(Answer::Yes))),
                    "no" | "false" => Ok(IsWord(Test::Is(Answer::No))),
                    "unknown" => Ok(IsWord(Test::IsUnknown)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        deserializer.deserialize_any(Words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: QId = QId(0);
    const B: QId = QId(1);
    const COUNT: QId = QId(2);

    fn answers(a: Answer, b: Answer, count: Answer) -> Answers {
        Answers(vec![a, b, count])
    }

    fn yes(q: QId) -> Condition {
        Condition::Answer(q, Test::Is(Answer::Yes))
    }

    #[test]
    fn a_count_holds_from_its_least_and_not_below() {
        let at_least_3 = Condition::Answer(COUNT, Test::AtLeast(3));
        for (count, holds) in [(2, false), (3, true), (4, true)] {
            let household = answers(Answer::No, Answer::No, Answer::Count(count));
            assert_eq!(
                at_least_3.holds(&Facts::household(&household)),
                holds,
                "{count}"
            );
        }
        let unknown = answers(Answer::No, Answer::No, Answer::Unknown);
        assert!(!at_least_3.holds(&Facts::household(&unknown)));
    }

    #[test]
    fn ages_tiers_and_settling_hold_on_their_own_side_of_the_line() {
        let household = Answers::default();
        let child = Answers::default();
        let aged = |age| Facts::child(&household, &child, age);
        assert!(Condition::AgeAtLeast(10).holds(&aged(Some(10))));
        assert!(!Condition::AgeAtLeast(10).holds(&aged(Some(9))));
        assert!(!Condition::AgeAtLeast(0).holds(&aged(None)));
        assert!(Condition::AgeUnder(1).holds(&aged(Some(0))));
        assert!(!Condition::AgeUnder(1).holds(&aged(Some(1))));
        assert!(Condition::Unborn.holds(&aged(None)));
        assert!(!Condition::Unborn.holds(&aged(Some(0))));

        let at = |tier, unknown_could_raise| Facts {
            tier,
            unknown_could_raise,
            ..Facts::household(&household)
        };
        assert!(Condition::TierAtLeast(Tier::Three).holds(&at(Some(Tier::Three), false)));
        assert!(Condition::TierAtLeast(Tier::Three).holds(&at(Some(Tier::Four), false)));
        assert!(!Condition::TierAtLeast(Tier::Three).holds(&at(Some(Tier::Two), false)));
        assert!(!Condition::TierAtLeast(Tier::One).holds(&at(None, false)));
        assert!(Condition::TierIn(vec![Tier::Two, Tier::Four]).holds(&at(Some(Tier::Four), false)));
        assert!(
            !Condition::TierIn(vec![Tier::Two, Tier::Four]).holds(&at(Some(Tier::Three), false))
        );
        assert!(Condition::Settled.holds(&at(Some(Tier::One), false)));
        assert!(!Condition::Settled.holds(&at(Some(Tier::One), true)));
        assert!(Condition::UnknownCouldRaise.holds(&at(Some(Tier::One), true)));
        assert!(!Condition::UnknownCouldRaise.holds(&at(Some(Tier::One), false)));
    }

    #[test]
    fn a_condition_could_hold_only_where_an_unknown_answer_leaves_it_open() {
        let both = Condition::All(vec![yes(A), yes(B)]);
        let open = answers(Answer::Yes, Answer::Unknown, Answer::Unknown);
        assert!(!both.holds(&Facts::household(&open)));
        assert!(both.could_hold(&Facts::household(&open)));
        let closed = answers(Answer::Yes, Answer::No, Answer::Unknown);
        assert!(!both.could_hold(&Facts::household(&closed)));
        let known_yes = answers(Answer::Yes, Answer::Yes, Answer::Unknown);
        assert!(both.could_hold(&Facts::household(&known_yes)));
        let older = Condition::All(vec![yes(A), Condition::AgeAtLeast(10)]);
        let child = Answers::default();
        assert!(!older.could_hold(&Facts::child(&open, &child, Some(9))));
        assert!(Condition::TierAtLeast(Tier::Four).could_hold(&Facts::household(&closed)));
    }

    #[test]
    fn the_trace_names_the_answers_of_the_branches_that_hold() {
        let household = answers(Answer::Yes, Answer::No, Answer::Count(5));
        let facts = Facts::household(&household);
        let either = Condition::Any(vec![
            yes(A),
            yes(B),
            Condition::Answer(COUNT, Test::AtLeast(3)),
        ]);
        let fired = either.fired_by(&facts);
        assert!(fired.contains(A) && fired.contains(COUNT), "{fired:?}");
        assert!(!fired.contains(B), "{fired:?}");
        assert_eq!(yes(A).fired_by(&facts), QSet::of(A));
        assert!(yes(B).fired_by(&facts).is_empty());
        let with_b = Condition::All(vec![yes(A), yes(B)]);
        assert!(with_b.fired_by(&facts).is_empty());
        let on_age = Condition::All(vec![yes(A), Condition::AgeUnder(18)]);
        let child = Answers::default();
        assert_eq!(
            on_age.fired_by(&Facts::child(&household, &child, Some(4))),
            QSet::of(A)
        );
    }

    #[test]
    fn whenever_yes_is_proved_from_the_shape() {
        assert!(yes(A).holds_whenever_yes(A));
        assert!(!yes(A).holds_whenever_yes(B));
        assert!(Condition::Any(vec![yes(B), yes(A)]).holds_whenever_yes(A));
        assert!(!Condition::Any(vec![yes(B)]).holds_whenever_yes(A));
        assert!(Condition::All(vec![yes(A), Condition::Any(vec![yes(A)])]).holds_whenever_yes(A));
        assert!(!Condition::All(vec![yes(A), yes(B)]).holds_whenever_yes(A));
        assert!(!Condition::All(vec![]).holds_whenever_yes(A));
        assert!(!Condition::All(vec![yes(A), Condition::AgeAtLeast(0)]).holds_whenever_yes(A));
        assert!(!Condition::Answer(A, Test::IsUnknown).holds_whenever_yes(A));
    }

    #[test]
    fn a_condition_mentions_the_answers_it_tests_however_deep() {
        let nested = Condition::All(vec![
            Condition::AgeAtLeast(5),
            Condition::Any(vec![yes(B), Condition::Answer(COUNT, Test::AtLeast(2))]),
        ]);
        assert!(nested.mentions(B) && nested.mentions(COUNT));
        assert!(!nested.mentions(A));
        assert!(yes(A).mentions(A) && !yes(A).mentions(B));
        assert!(!Condition::TierAtLeast(Tier::Three).mentions(A));
        let atoms: Vec<String> = nested.atoms().iter().map(|a| format!("{a:?}")).collect();
        assert_eq!(atoms.len(), 3, "{atoms:?}");
        assert_eq!(
            yes(A)
                .atoms()
                .iter()
                .map(|a| format!("{a:?}"))
                .collect::<Vec<_>>(),
            vec![format!("{:?}", yes(A))]
        );
    }

    fn read(text: &str) -> Result<Condition, String> {
        let bank = std::sync::Arc::new(crate::question::QuestionBank::names_only(vec![
            "a".into(),
            "b".into(),
            "count".into(),
        ]));
        crate::question::with_bank(&bank, || crate::yaml::from_str::<Condition>(text))
            .map_err(|e| e.message)
    }

    #[test]
    fn each_written_shape_reads_as_its_condition_and_two_shapes_are_refused() {
        let cases = [
            ("{answer: a, is: yes}", yes(A)),
            (
                "{answer: b, is: No}",
                Condition::Answer(B, Test::Is(Answer::No)),
            ),
            (
                "{answer: b, is: false}",
                Condition::Answer(B, Test::Is(Answer::No)),
            ),
            (
                "{answer: a, is: unknown}",
                Condition::Answer(A, Test::IsUnknown),
            ),
            (
                "{answer: count, at_least: 3}",
                Condition::Answer(COUNT, Test::AtLeast(3)),
            ),
            (
                "{all: [{answer: a, is: yes}]}",
                Condition::All(vec![yes(A)]),
            ),
            (
                "{any: [{answer: b, is: yes}]}",
                Condition::Any(vec![yes(B)]),
            ),
            ("{age_at_least: 10}", Condition::AgeAtLeast(10)),
            ("{age_under: 1}", Condition::AgeUnder(1)),
            ("{unborn: true}", Condition::Unborn),
            ("{tier_at_least: 3}", Condition::TierAtLeast(Tier::Three)),
            (
                "{tier: [2, 4]}",
                Condition::TierIn(vec![Tier::Two, Tier::Four]),
            ),
            ("{unknown_could_raise: true}", Condition::UnknownCouldRaise),
            ("{unknown_could_raise: false}", Condition::Settled),
            ("{no_children: true}", Condition::NoChildren),
        ];
        for (text, expected) in cases {
            assert_eq!(
                read(text).map(|c| format!("{c:?}")),
                Ok(format!("{expected:?}")),
                "{text}"
            );
        }
        for text in [
            "{answer: a, is: yes, age_under: 3}",
            "{answer: a, age_under: 3}",
            "{is: yes, age_under: 3}",
            "{at_least: 2, tier_at_least: 3}",
            "{all: [], any: []}",
            "{answer: a}",
            "{answer: a, is: yes, at_least: 2}",
            "{unborn: false}",
            "{no_children: false}",
            "{}",
        ] {
            let error = read(text).expect_err(text);
            assert!(error.contains("exactly one shape"), "{text}: {error}");
        }
        let maybe = read("{answer: a, is: maybe}").expect_err("maybe");
        assert!(maybe.contains("yes, no or unknown"), "{maybe}");
        assert!(read("{answer: nowhere, is: yes}").is_err());
    }
}
