//! Properties the engine must keep for every case, in every area, at every moment:
//! re-ordering rules changes nothing, a more worrying answer never lowers a tier, a
//! protective factor never raises one, `could_reach` is never below the level, floors
//! hold, and 999 comes first whenever immediate danger is not ruled out.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::sync::OnceLock;
use threshold::case::{Case, Child};
use threshold::engine::{self, Outcome};
use threshold::question::{About, Answer, Answers, Kind, QId, QuestionBank, Worrying};
use threshold::rules::model::{Action, Area, RouteRole};
use threshold::rules::{self, Origin, RuleSet};
use threshold::values::Tier;

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
            recorded_reason: None,
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

/// The answer `case` gives to `q` (the household's, or child `i`'s).
fn case_answer(case: &Case, i: usize, q: QId, about: About) -> Answer {
    match about {
        About::Household => case.answers.get(q),
        About::Child => case.children[i].answers.get(q),
    }
}

fn area() -> impl Strategy<Value = usize> {
    0..rules().areas.len()
}

/// Any minute of a week in summer or winter, so opening hours and clock changes are hit.
fn moment() -> impl Strategy<Value = jiff::ZonedDateTime> {
    (prop::bool::ANY, 0i64..7 * 24 * 60).prop_map(|(summer, minute)| {
        let start: jiff::Timestamp = if summer {
            "2026-07-06T00:00:00Z"
        } else {
            "2026-11-23T00:00:00Z"
        }
        .parse()
        .unwrap();
        (start + jiff::SignedDuration::from_mins(minute)).to_zoned_datetime(jiff::tz::TimeZone::UTC)
    })
}

/// What must not change when rules are re-ordered: per child, and the set of routes.
/// Per child (level, score, floor, could_reach), and the route ids sorted.
type Summary = (Vec<(Tier, i32, Option<Tier>, Tier)>, Vec<String>);

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
            prop_assert!(c.level >= c.floor.unwrap_or(Tier::One), "a floor did not hold");
        }
    }

    /// What is listed as not known is what could raise the child, and only what can be
    /// asked of them.
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
            // An unborn baby is asked only what is asked before birth: nothing else is
            // listed to find out.
            if c.child.unborn() {
                for q in &c.unknowns {
                    let question = bank.question(*q);
                    prop_assert!(question.about == About::Household || question.unborn,
                        "`{}` is listed for an unborn child", &question.id);
                }
            }
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
            prop_assert!(a.level >= b.level.lowered_by(area.scoring.protective.max_lowering), "protective factors lowered by more than allowed");
        }
    }

    /// Strengths shape the plan; they never lower a child below the tier one of the child's
    /// own answers reaches alone, and in the bundled rules they change no level and remove
    /// no route (a referral least of all). Checked also against a copy of each area that
    /// lets strengths lower three levels, as a local rule set might.
    #[test]
    fn strengths_never_take_a_child_below_their_own_need(
        case in case(),
        index in area(),
        at in moment(),
    ) {
        let bank = &rules().questions;
        let bundled = &rules().areas[index];
        let mut lenient = bundled.clone();
        lenient.scoring.protective.max_lowering = 3;
        let mut protected = case.clone();
        for (q, question) in bank.questions() {
            if question.worrying == Worrying::No && question.about == About::Household {
                protected.answers.set(q, Answer::Yes);
            }
        }
        let before = engine::assess(bundled, bank, &case, &at);
        let after = engine::assess(bundled, bank, &protected, &at);
        let routes = |o: &Outcome| {
            let mut ids: Vec<String> = o.routes.iter().map(|r| r.route.id.clone()).collect();
            ids.sort();
            ids
        };
        for (b, a) in before.children.iter().zip(&after.children) {
            prop_assert_eq!(a.level, b.level, "strengths changed a level in {}", &bundled.id);
        }
        if before.routes.iter().any(|r| r.route.id == "referral") {
            prop_assert!(after.routes.iter().any(|r| r.route.id == "referral"), "strengths removed a referral");
        }
        prop_assert!(routes(&after).iter().all(|r| routes(&before).contains(r) || r == "family_network"),
            "strengths added a route other than one for the family network: {:?} -> {:?}", routes(&before), routes(&after));

        let lenient_after = engine::assess(&lenient, bank, &protected, &at);
        for (i, child) in protected.children.iter().enumerate() {
            for (q, answer) in child.answers.given() {
                let mut alone = Case { children: vec![Child { answers: Answers::unknown(bank.len()), ..child.clone() }], ..protected.clone() };
                alone.answers = Answers::unknown(bank.len());
                alone.children[0].answers.set(q, answer);
                let own = engine::assess(&lenient, bank, &alone, &at).children[0].level;
                prop_assert!(lenient_after.children[i].level >= own,
                    "{}: child {} at {} though `{}` alone reaches {}", &lenient.id, &child.id, lenient_after.children[i].level, bank.name(q), own);
            }
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
                prop_assert!(outcome.children.iter().all(|c| c.level == Tier::Four));
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

    /// A practitioner who records a higher level gets that level's numbers with the same
    /// urgency: while immediate danger is not ruled out (or is answered yes), 999 first.
    #[test]
    fn a_higher_judgement_keeps_999_first_while_danger_is_not_ruled_out(
        case in case(),
        recorded in 2u8..=4,
        index in area(),
        at in moment(),
    ) {
        let bank = &rules().questions;
        let area = &rules().areas[index];
        let mut case = case;
        case.recorded_level = Some(Tier::try_from(recorded).unwrap());
        let outcome = engine::assess(area, bank, &case, &at);
        if let Some(judged) = outcome.judged_higher()
            && (outcome.emergency || outcome.danger_not_ruled_out)
        {
            let first = judged.contacts.first().map(|c| c.contact.phone.as_deref());
            prop_assert_eq!(first, Some(Some("999")));
            prop_assert_eq!(judged.contacts[0].call, engine::Call::Emergency);
        }
    }

    /// Each route gives what moved it for each child it names, one set a child; and the
    /// question put back when points alone are stopped below the top tier names each child
    /// they were stopped for, and comes straight after the emergency route, before every
    /// other.
    #[test]
    fn a_route_has_a_reason_per_child_and_the_score_limit_follows_the_emergency_route(
        case in case(),
        index in area(),
        at in moment(),
    ) {
        let bank = &rules().questions;
        let area = &rules().areas[index];
        let outcome = engine::assess(area, bank, &case, &at);
        for route in &outcome.routes {
            prop_assert_eq!(route.because_each.len(), route.children.len(), "{}", &route.route.id);
        }
        let limit = area.score_limit.as_ref().map(|l| l.route.id.as_str());
        // Put back for exactly the children whose points alone were stopped.
        let limited: Vec<&str> = (outcome.children.iter())
            .filter(|c| c.limited)
            .map(|c| c.child.id.as_str())
            .collect();
        let put_back = outcome.routes.iter().find(|r| Some(r.route.id.as_str()) == limit);
        prop_assert_eq!(put_back.map_or(Vec::new(), |r| r.children.clone()), limited);
        if let Some(place) = outcome.routes.iter().position(|r| Some(r.route.id.as_str()) == limit) {
            let emergencies = outcome
                .routes
                .iter()
                .filter(|r| r.route.role == Some(RouteRole::Emergency))
                .count();
            prop_assert_eq!(place, emergencies);
        }
    }

    /// The audit's what-ifs (`engine::Trial`) test again only the rules that read the
    /// answer tried: each must be the level `assess` gives the case with that one answer
    /// changed, for every question, about the household or the child, and every answer
    /// (yes, no, not known, counts), tried one after another on the same trial.
    #[test]
    fn a_trial_of_one_answer_is_the_level_assess_gives_it(
        case in case(),
        index in area(),
        at in moment(),
        counts in proptest::collection::vec(0u32..6, 4),
    ) {
        let area = &rules().areas[index];
        let bank = &rules().questions;
        let outcome = engine::assess(area, bank, &case, &at);
        for (i, child) in case.children.iter().enumerate() {
            let mut trial = engine::Trial::new(area, &case.answers, child);
            for (q, question) in bank.questions() {
                let answers = match question.kind {
                    Kind::Yesno => vec![Answer::Yes, Answer::No, Answer::Unknown],
                    Kind::Count => counts.iter().map(|n| Answer::Count(*n)).chain([Answer::Unknown]).collect(),
                };
                for answer in answers {
                    let mut changed = case.clone();
                    match question.about {
                        About::Household => changed.answers.set(q, answer),
                        About::Child => changed.children[i].answers.set(q, answer),
                    }
                    let expected = engine::assess(area, bank, &changed, &at).children[i].level;
                    prop_assert_eq!(
                        trial.level_if(q, question.about, answer),
                        expected,
                        "{} = {:?} for child {}", &question.id, answer, i
                    );
                }
            }
            // Each try is put back: the trial still gives the child's own level.
            let (q, question) = bank.questions().next().unwrap();
            prop_assert_eq!(
                trial.level_if(q, question.about, case_answer(&case, i, q, question.about)),
                outcome.children[i].level
            );
        }
    }

    /// A child with a social worker is known to children's social care: never at the level
    /// of no additional needs, so "No additional needs found" never shows beside "tell the
    /// child's social worker" (Children Act 1989 s17; national_has_social_worker).
    #[test]
    fn a_child_with_a_social_worker_is_never_told_no_additional_needs(
        case in case(),
        index in area(),
        at in moment(),
    ) {
        let bank = &rules().questions;
        let area = &rules().areas[index];
        let social_worker = bank.get("has_social_worker").unwrap();
        let outcome = engine::assess(area, bank, &case, &at);
        let known = outcome
            .children
            .iter()
            .zip(&case.children)
            .filter(|(_, child)| child.answers.get(social_worker) == Answer::Yes)
            .map(|(c, _)| c.level)
            .collect::<Vec<_>>();
        prop_assume!(!known.is_empty());
        prop_assert!(known.iter().all(|&level| level >= Tier::Three), "levels {:?}", known);
        let told = outcome.actions.iter().map(|a| a.text.as_str()).collect::<Vec<_>>();
        prop_assert!(
            told.iter().all(|t| !t.starts_with("No additional needs found")),
            "{:?}",
            told
        );
    }

    #[test]
    fn the_front_door_comes_first_and_specialists_open_first(
        case in case(),
        index in area(),
        at in moment(),
    ) {
        let bank = &rules().questions;
        let area = &rules().areas[index];
        let outcome = engine::assess(area, bank, &case, &at);
        check_contacts(&outcome)?;
    }
}

/// The contacts contract (SPEC section 12): 999 first exactly when a child is in danger
/// or danger is not ruled out, otherwise last; then the front door — for what cannot wait
/// the service open now, for what can wait the daytime service — with the other front door
/// always listed straight after it; then the routes' own specialists, open before unknown
/// hours before closed.
fn check_contacts(outcome: &Outcome) -> Result<(), TestCaseError> {
    let area = outcome.area;
    let contacts = &outcome.contacts;
    let danger = outcome.emergency || outcome.danger_not_ruled_out;
    let front = if danger { 1 } else { 0 };
    prop_assert_eq!(contacts[0].contact.emergency, danger);
    prop_assert!(contacts.last().unwrap().contact.emergency || danger);
    let doors = [&area.front_door.daytime, &area.front_door.out_of_hours];
    let first = contacts[front].contact;
    let second = contacts[front + 1].contact;
    prop_assert!(
        doors.contains(&&first.id) && doors.contains(&&second.id) && first.id != second.id
    );
    if outcome.urgent {
        prop_assert_eq!(
            contacts[front].open_now,
            Some(true),
            "{} is closed at {} but was listed to ring now",
            &first.id,
            outcome.contacts_moment
        );
        prop_assert!(contacts[front].call.ring_now());
    } else {
        prop_assert_eq!(&first.id, &area.front_door.daytime);
        prop_assert!(!contacts[front].call.ring_now());
    }
    let ranks: Vec<u8> = contacts[front + 2..]
        .iter()
        .filter(|c| !c.contact.emergency)
        .map(|c| match c.open_now {
            Some(true) => 0,
            None => 1,
            Some(false) => 2,
        })
        .collect();
    prop_assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "specialists out of order: {:?}",
        ranks
    );
    Ok(())
}

/// Every hour of a winter week and a summer week, Christmas Day and the Boxing Day
/// substitute, both clock changes, and a day past the published bank holidays: for every
/// area and every example case (and a case for every tier), the contacts contract holds,
/// and on a bank holiday the daytime service is never shown open.
#[test]
fn the_right_number_at_every_hour_of_the_year() {
    let bank = &rules().questions;
    let mut moments: Vec<jiff::ZonedDateTime> = Vec::new();
    let london = threshold::hours::london();
    for start in [
        "2026-11-23T00:00:00Z",
        "2026-07-06T00:00:00Z",
        "2026-12-24T00:00:00Z",
        "2026-03-28T00:00:00Z",
        "2026-10-24T00:00:00Z",
        "2028-01-03T00:00:00Z",
    ] {
        let start: jiff::Timestamp = start.parse().unwrap();
        for half_hour in 0..(7 * 48) {
            moments.push(
                (start + jiff::SignedDuration::from_mins(30 * half_hour))
                    .to_zoned_datetime(london.clone()),
            );
        }
    }
    let cases = tier_cases(bank);
    for area in &rules().areas {
        for case in &cases {
            for at in &moments {
                let outcome = engine::assess(area, bank, case, at);
                check_contacts(&outcome).unwrap_or_else(|e| panic!("{} at {at}: {e}", area.id));
                if outcome.contacts_at.bank_holiday == Some(true) {
                    let daytime = outcome
                        .contacts
                        .iter()
                        .find(|c| c.contact.id == area.front_door.daytime)
                        .unwrap();
                    assert_eq!(
                        daytime.open_now,
                        Some(false),
                        "{} open on a bank holiday at {at}",
                        area.id
                    );
                }
            }
        }
    }
}

/// Christmas Day at 10:00 is out of hours everywhere: the duty team rings now for what
/// cannot wait, and the daytime service is shown closed with when it opens. Past the last
/// published bank holiday, or before the first year the list covers (Christmas Day 2025),
/// the calendar says it cannot know, and the daytime service is never shown as open.
#[test]
fn bank_holidays_are_out_of_hours_and_unknown_past_the_published_list() {
    let bank = &rules().questions;
    let london = threshold::hours::london();
    let christmas: jiff::ZonedDateTime = jiff::civil::datetime(2026, 12, 25, 10, 0, 0, 0)
        .to_zoned_datetime(london.clone())
        .unwrap();
    let later: jiff::ZonedDateTime = jiff::civil::datetime(2028, 1, 4, 10, 0, 0, 0)
        .to_zoned_datetime(london.clone())
        .unwrap();
    let cases = tier_cases(bank);
    for area in &rules().areas {
        let harmed = engine::assess(area, bank, &cases[5], &christmas);
        assert_eq!(harmed.contacts_at.bank_holiday, Some(true));
        assert!(harmed.urgent);
        assert_eq!(
            harmed.contacts[0].contact.id, area.front_door.out_of_hours,
            "{}",
            area.id
        );
        let daytime = &harmed.contacts[1];
        assert_eq!(daytime.contact.id, area.front_door.daytime);
        assert_eq!(daytime.open_now, Some(false), "{}", area.id);
        let opens = daytime.opens.expect("the daytime service opens again");
        assert_eq!(
            opens.date(),
            jiff::civil::date(2026, 12, 29),
            "{}: Mon 28 Dec is the Boxing Day substitute",
            area.id
        );
        let beyond = engine::assess(area, bank, &cases[5], &later);
        assert_eq!(beyond.contacts_at.bank_holiday, None);
        let before: jiff::ZonedDateTime = jiff::civil::datetime(2025, 12, 25, 10, 0, 0, 0)
            .to_zoned_datetime(london.clone())
            .unwrap();
        let before = engine::assess(area, bank, &cases[5], &before);
        assert_eq!(before.contacts_at.bank_holiday, None, "{}", area.id);
    }
}

/// The review's case: emerging needs of the child's own beside two strengths, under a rule
/// set that would let strengths lower three levels, still keeps the child at the level
/// their own need reaches.
#[test]
fn a_childs_own_need_holds_against_strengths_even_under_lenient_rules() {
    let bank = &rules().questions;
    let q = |id: &str| bank.get(id).unwrap();
    for bundled in &rules().areas {
        let mut lenient = bundled.clone();
        lenient.scoring.protective.max_lowering = 3;
        let mut answers = Answers::unknown(bank.len());
        answers.set(q("immediate_danger"), Answer::No);
        answers.set(q("support_network"), Answer::Yes);
        answers.set(q("engaging_with_services"), Answer::Yes);
        let mut child = Answers::unknown(bank.len());
        child.set(q("basic_needs_unmet"), Answer::Yes);
        let case = Case {
            area: None,
            reference: None,
            assessed_at: None,
            recorded_level: None,
            recorded_reason: None,
            answers: answers.clone(),
            children: vec![Child {
                id: "A".into(),
                age: Some(6),
                answers: child.clone(),
            }],
        };
        let at = threshold::hours::parse_moment("2026-11-24T10:00").unwrap();
        let with_strengths = engine::assess(&lenient, bank, &case, &at).children[0].level;
        let mut alone = case.clone();
        alone.answers = Answers::unknown(bank.len());
        let own = engine::assess(&lenient, bank, &alone, &at).children[0].level;
        assert!(
            own >= Tier::Two,
            "{}: neglect alone reaches early help at least",
            bundled.id
        );
        assert!(
            with_strengths >= own,
            "{}: strengths took neglect from {own} to {with_strengths}",
            bundled.id
        );
    }
}

/// A case at each tier, one with danger not ruled out, one with a child in danger, one
/// with no children: enough to reach every route that changes the contacts.
fn tier_cases(bank: &QuestionBank) -> Vec<Case> {
    let q = |id: &str| bank.get(id).unwrap();
    let base = |danger: Answer| {
        let mut answers = Answers::unknown(bank.len());
        answers.set(q("immediate_danger"), danger);
        answers
    };
    let child = |sets: &[(&str, Answer)]| {
        let mut answers = Answers::unknown(bank.len());
        for (id, a) in sets {
            answers.set(q(id), *a);
        }
        Child {
            id: "A".into(),
            age: Some(9),
            answers,
        }
    };
    let case = |answers: Answers, children: Vec<Child>| Case {
        area: None,
        reference: None,
        assessed_at: None,
        recorded_level: None,
        recorded_reason: None,
        answers,
        children,
    };
    let mut every_no = base(Answer::No);
    for (id, question) in bank.questions() {
        if question.about == About::Household
            && question.kind == Kind::Yesno
            && id != q("immediate_danger")
        {
            every_no.set(id, Answer::No);
        }
    }
    vec![
        case(base(Answer::Unknown), vec![child(&[])]),
        case(base(Answer::Yes), vec![child(&[])]),
        case(every_no.clone(), vec![]),
        case(
            every_no.clone(),
            vec![child(&[
                ("young_carer", Answer::Yes),
                ("private_fostering", Answer::Yes),
            ])],
        ),
        case(
            every_no.clone(),
            vec![child(&[("disability_substantial_impact", Answer::Yes)])],
        ),
        case(every_no, vec![child(&[("disclosed_harm", Answer::Yes)])]),
    ]
}

#[test]
fn household_level_is_the_highest_child_level_and_none_without_children() {
    let bank = &rules().questions;
    let area = rules().area("salford").unwrap();
    let at: jiff::ZonedDateTime = "2026-11-24T10:00:00+00:00[Europe/London]".parse().unwrap();
    let mut case = Case {
        area: None,
        reference: None,
        assessed_at: None,
        recorded_level: None,
        recorded_reason: None,
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
    assert_eq!(outcome.children[1].level, Tier::Four);
    assert_eq!(
        outcome.overall,
        Some(outcome.children.iter().map(|c| c.level).max().unwrap())
    );
}

/// A worrying answer given alone (what opens its question answered, every other answer
/// reassuring or not known, at random) never comes out as "no additional needs" with the
/// universal route, in any area, unless the national layer says it is not a need on its
/// own or the area's own passage lowers it (`lowers_national`).
#[test]
fn no_worry_alone_is_universal_unless_the_national_layer_says_so() {
    use proptest::strategy::ValueTree;
    use threshold::rules::national;
    let rules = rules();
    let bank = &rules.questions;
    let singles = national::singles(bank);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let fill = prop::collection::vec(0u8..3, bank.len() * 2);
    let mut checked = 0;
    for _ in 0..6 {
        for single in &singles {
            if national::not_a_need_alone(&rules.national, single) {
                continue;
            }
            let coins = fill.new_tree(&mut runner).unwrap().current();
            let (mut household, mut child) = (single.household.clone(), single.child.clone());
            for (q, question) in bank.questions() {
                let slot = match question.about {
                    About::Household => &mut household,
                    About::Child => &mut child,
                };
                if slot.get(q).is_unknown() && coins[q.index()] == 0 {
                    slot.set(q, question.worrying.reassuring());
                }
            }
            let case = Case {
                area: None,
                reference: None,
                assessed_at: None,
                recorded_level: None,
                recorded_reason: None,
                answers: household,
                children: vec![Child {
                    id: "A".into(),
                    age: single.situation.age(),
                    answers: child,
                }],
            };
            let at = threshold::render::book::moment();
            for area in &rules.areas {
                let lowered = area.lowers_national.iter().any(|l| {
                    rules
                        .national
                        .floors
                        .iter()
                        .any(|f| f.id == l.floor && f.when.holds(&single.facts()))
                });
                if lowered {
                    continue;
                }
                let outcome = engine::assess(area, bank, &case, &at);
                let universal = outcome.routes.iter().any(|r| r.route.id == "universal");
                assert!(
                    outcome.overall > Some(Tier::One) && !universal,
                    "{}: `{}` alone ({:?}) gives {:?}",
                    area.id,
                    bank.name(single.question),
                    single.situation,
                    outcome.overall
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}

/// A practitioner's higher level is answered with the actions that level calls for, read
/// against the same facts as the tool's own: whether an answer not yet known could raise a
/// child's level. No bundled action above tier 1 asks this, so an action that does is added.
#[test]
fn a_higher_judgement_reads_its_actions_against_whether_unknowns_could_raise() {
    let bank = &rules().questions;
    let mut area = rules().areas[0].clone();
    area.actions.push(Action {
        when: threshold::condition::Condition::UnknownCouldRaise,
        text: "find out what is not known".into(),
        ..area.actions[0].clone()
    });
    let at = jiff::civil::date(2026, 12, 2)
        .at(10, 0, 0, 0)
        .in_tz("Europe/London")
        .unwrap();
    let judged = |answers: &dyn Fn(QId) -> Answer| {
        let mut case = Case::empty(bank.len());
        case.recorded_level = Some(Tier::Two);
        let mut child = Answers::unknown(bank.len());
        for (q, question) in bank.questions() {
            match question.about {
                About::Household => case.answers.set(q, answers(q)),
                About::Child => child.set(q, answers(q)),
            }
        }
        case.children.push(Child {
            id: "A".into(),
            age: Some(8),
            answers: child,
        });
        let outcome = engine::assess(&area, bank, &case, &at);
        assert_eq!(outcome.overall, Some(Tier::One));
        let judged = outcome.judged_higher().expect("recorded above the tool's");
        judged
            .actions
            .iter()
            .any(|a| a.text == "find out what is not known")
    };
    let reassuring = |q: QId| bank.question(q).worrying.reassuring();
    assert!(
        !judged(&reassuring),
        "nothing unknown, nothing could raise it"
    );
    let danger = bank.get("immediate_danger").unwrap();
    let unknown_but_danger = |q: QId| {
        if q == danger {
            Answer::No
        } else {
            Answer::Unknown
        }
    };
    assert!(judged(&unknown_but_danger), "unknowns that could raise it");
}
