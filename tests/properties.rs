//! Properties the engine must keep for every case, in every area, at every moment:
//! re-ordering rules changes nothing, a more worrying answer never lowers a tier, a
//! protective factor never raises one, `could_reach` is never below the level, floors
//! hold, and 999 comes first whenever immediate danger is not ruled out.

use proptest::prelude::*;
use std::sync::OnceLock;
use threshold::case::{Case, Child};
use threshold::engine::{self, Outcome};
use threshold::question::{About, Answer, Answers, Kind, QId, QuestionBank, Worrying};
use threshold::rules::model::Area;
use threshold::rules::{self, Origin, RuleSet};

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        let today = jiff::civil::date(2026, 12, 2);
        rules::load(rules::bundled_files(), Origin::Bundled, today)
            .expect("bundled rules load")
            .0
    })
}

fn answer_for(kind: Kind) -> BoxedStrategy<Answer> {
    match kind {
        Kind::Yesno => {
            prop_oneof![Just(Answer::Unknown), Just(Answer::No), Just(Answer::Yes)].boxed()
        }
        Kind::Count => {
            prop_oneof![Just(Answer::Unknown), (0u32..30).prop_map(Answer::Count)].boxed()
        }
    }
}

fn answers_about(bank: &QuestionBank, about: About) -> impl Strategy<Value = Answers> {
    let slots: Vec<BoxedStrategy<Answer>> = bank
        .questions()
        .map(|(_, q)| {
            if q.about == about {
                answer_for(q.kind)
            } else {
                Just(Answer::Unknown).boxed()
            }
        })
        .collect();
    slots.prop_map(Answers)
}

fn case() -> impl Strategy<Value = Case> {
    let bank = &rules().questions;
    let child = (prop::option::of(0u8..18), answers_about(bank, About::Child));
    (
        answers_about(bank, About::Household),
        prop::collection::vec(child, 0..4),
    )
        .prop_map(|(answers, children)| Case {
            area: None,
            reference: None,
            assessed_at: None,
            recorded_level: None,
            answers,
            children: children
                .into_iter()
                .enumerate()
                .map(|(i, (age, answers))| Child {
                    id: format!("C{i}"),
                    age,
                    answers,
                })
                .collect(),
        })
}

fn area() -> impl Strategy<Value = usize> {
    0..rules().areas.len()
}

/// Any minute of a week in summer or winter, so opening hours and clock changes are hit.
fn moment() -> impl Strategy<Value = jiff::Zoned> {
    (prop::bool::ANY, 0i64..7 * 24 * 60).prop_map(|(summer, minute)| {
        let start: jiff::Timestamp = if summer {
            "2026-07-06T00:00:00Z"
        } else {
            "2026-11-23T00:00:00Z"
        }
        .parse()
        .unwrap();
        (start + jiff::SignedDuration::from_mins(minute)).to_zoned(jiff::tz::TimeZone::UTC)
    })
}

/// What must not change when rules are re-ordered: per child, and the set of routes.
/// Per child (level, score, floor, could_reach), and the route ids sorted.
type Summary = (Vec<(u8, i32, Option<u8>, u8)>, Vec<String>);

fn summary(outcome: &Outcome) -> Summary {
    let children = outcome
        .children
        .iter()
        .map(|c| (c.level, c.score, c.floor, c.could_reach))
        .collect();
    let mut routes: Vec<String> = outcome.routes.iter().map(|r| r.route.id.clone()).collect();
    routes.sort();
    (children, routes)
}

fn worrying(bank: &QuestionBank, q: QId) -> Answer {
    match bank.question(q).worrying {
        Worrying::Yes => Answer::Yes,
        Worrying::No => Answer::No,
        Worrying::More => Answer::Count(1000),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn reordering_rules_never_changes_a_result(
        case in case(),
        index in area(),
        at in moment(),
        seed in any::<u64>(),
    ) {
        let bank = &rules().questions;
        let area = &rules().areas[index];
        let mut shuffled: Area = area.clone();
        let rotate = |len: usize| if len == 0 { 0 } else { (seed as usize) % len };
        let s = &mut shuffled.scoring;
        let n = rotate(s.weights.len());
        s.weights.rotate_left(n);
        s.weights.reverse();
        let n = rotate(s.floors.len());
        s.floors.rotate_left(n);
        s.thresholds.reverse();
        s.protective.factors.reverse();
        let n = rotate(shuffled.routes.len());
        shuffled.routes.rotate_left(n);
        let before = engine::assess(area, bank, &case, &at);
        let after = engine::assess(&shuffled, bank, &case, &at);
        prop_assert_eq!(summary(&before), summary(&after));
        prop_assert_eq!(before.emergency, after.emergency);
    }

    #[test]
    fn a_more_worrying_answer_never_lowers_a_tier(
        case in case(),
        index in area(),
        at in moment(),
        pick in any::<prop::sample::Index>(),
    ) {
        let bank = &rules().questions;
        let area = &rules().areas[index];
        let q = QId(pick.index(bank.len()) as u16);
        let mut worse = case.clone();
        match bank.question(q).about {
            About::Household => worse.answers.set(q, worrying(bank, q)),
            About::Child => worse.children.iter_mut().for_each(|c| c.answers.set(q, worrying(bank, q))),
        }
        let before = engine::assess(area, bank, &case, &at);
        let after = engine::assess(area, bank, &worse, &at);
        for (b, a) in before.children.iter().zip(&after.children) {
            prop_assert!(a.level >= b.level, "{} made {} drop from {} to {}", bank.name(q), a.child.id, b.level, a.level);
            prop_assert!(a.could_reach >= b.could_reach, "{} lowered could_reach", bank.name(q));
        }
    }

    #[test]
    fn could_reach_is_never_below_the_level_and_floors_hold(
        case in case(),
        index in area(),
        at in moment(),
    ) {
        let bank = &rules().questions;
        let area = &rules().areas[index];
        let outcome = engine::assess(area, bank, &case, &at);
        for c in &outcome.children {
            prop_assert!(c.could_reach >= c.level);
            prop_assert!(c.level >= c.floor.unwrap_or(1), "a floor did not hold");
            prop_assert!((1..=4).contains(&c.level));
        }
    }

    #[test]
    fn answering_the_listed_unknowns_worryingly_reaches_could_reach(
        case in case(),
        index in area(),
        at in moment(),
    ) {
        let bank = &rules().questions;
        let area = &rules().areas[index];
        let outcome = engine::assess(area, bank, &case, &at);
        for c in &outcome.children {
            let mut alone = case.clone();
            alone.children = vec![c.child.clone()];
            for q in &c.unknowns {
                match bank.question(*q).about {
                    About::Household => alone.answers.set(*q, worrying(bank, *q)),
                    About::Child => alone.children[0].answers.set(*q, worrying(bank, *q)),
                }
            }
            let answered = engine::assess(area, bank, &alone, &at);
            prop_assert_eq!(answered.children[0].level, c.could_reach, "child {}", &c.child.id);
            prop_assert!(answered.children[0].unknowns.is_empty());
        }
    }

    #[test]
    fn a_protective_factor_never_raises_a_tier(
        case in case(),
        index in area(),
        at in moment(),
    ) {
        let bank = &rules().questions;
        let area = &rules().areas[index];
        let mut protected = case.clone();
        for (q, question) in bank.questions() {
            if question.worrying == Worrying::No && question.about == About::Household {
                protected.answers.set(q, Answer::Yes);
            }
        }
        let before = engine::assess(area, bank, &case, &at);
        let after = engine::assess(area, bank, &protected, &at);
        for (b, a) in before.children.iter().zip(&after.children) {
            prop_assert!(a.level <= b.level);
            prop_assert!(a.level + area.scoring.protective.max_lowering >= b.level, "protective factors lowered by more than allowed");
        }
    }

    #[test]
    fn immediate_danger_not_ruled_out_puts_999_first(
        case in case(),
        index in area(),
        at in moment(),
    ) {
        let bank = &rules().questions;
        let area = &rules().areas[index];
        let danger = bank.get("immediate_danger").unwrap();
        let outcome = engine::assess(area, bank, &case, &at);
        let first = outcome.contacts.first().map(|c| c.contact.phone.as_deref());
        match case.answers.get(danger) {
            Answer::Yes => {
                prop_assert!(outcome.emergency);
                prop_assert_eq!(first, Some(Some("999")));
                prop_assert!(outcome.children.iter().all(|c| c.level == 4));
            }
            Answer::Unknown => {
                prop_assert!(!outcome.emergency);
                prop_assert_eq!(first, Some(Some("999")));
            }
            _ => {
                prop_assert!(!outcome.emergency);
                prop_assert_eq!(outcome.contacts.last().map(|c| c.contact.emergency), Some(true));
            }
        }
    }

    #[test]
    fn open_contacts_come_before_closed_ones(
        case in case(),
        index in area(),
        at in moment(),
    ) {
        let bank = &rules().questions;
        let area = &rules().areas[index];
        let outcome = engine::assess(area, bank, &case, &at);
        let ranks: Vec<u8> = outcome
            .contacts
            .iter()
            .filter(|c| !c.contact.emergency)
            .map(|c| match c.open_now { Some(true) => 0, None => 1, Some(false) => 2 })
            .collect();
        prop_assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "contacts out of order: {:?}", ranks);
    }
}

#[test]
fn household_level_is_the_highest_child_level_and_none_without_children() {
    let bank = &rules().questions;
    let area = rules().area("salford").unwrap();
    let at: jiff::Zoned = "2026-11-24T10:00:00+00:00[Europe/London]".parse().unwrap();
    let mut case = Case {
        area: None,
        reference: None,
        assessed_at: None,
        recorded_level: None,
        answers: Answers::unknown(bank.len()),
        children: vec![],
    };
    case.answers
        .set(bank.get("immediate_danger").unwrap(), Answer::No);
    let outcome = engine::assess(area, bank, &case, &at);
    assert_eq!(outcome.overall, None);
    assert!(
        outcome
            .actions
            .iter()
            .any(|a| a.text.contains("No children were recorded"))
    );

    let mut harmed = Answers::unknown(bank.len());
    harmed.set(bank.get("disclosed_harm").unwrap(), Answer::Yes);
    case.children = vec![
        Child {
            id: "A".into(),
            age: Some(4),
            answers: Answers::unknown(bank.len()),
        },
        Child {
            id: "B".into(),
            age: Some(9),
            answers: harmed,
        },
    ];
    let outcome = engine::assess(area, bank, &case, &at);
    assert_eq!(outcome.children[1].level, 4);
    assert_eq!(
        outcome.overall,
        Some(outcome.children.iter().map(|c| c.level).max().unwrap())
    );
}
