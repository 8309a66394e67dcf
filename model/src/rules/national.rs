//! The national layer beneath every area (`rules/england.yaml`): how an area inherits it,
//! and the promises `rules check` and the build prove by running the merged rules over
//! every single worry, at every age at which it is asked and unborn.
//!
//! - No worrying answer alone gives tier 1 unless the national layer says it is not a need
//!   on its own; no area goes below the national layer except by a passage of its own.
//! - Every route the national layer requires for a worry fires in every area.
//! - On a single worry the areas differ by at most one tier, unless each area above the
//!   rest holds its tier by a floor that quotes its own document.
//! - No floor that a household worry opens depends on a child question not asked at the
//!   child's age (a floor for children exposed to domestic abuse that needs a school
//!   concern would never reach a child under 4).

use super::model::{Area, Basis, Floor, Layer, National};
use super::score::{Effect, score};
use crate::answer::{Answer, Answers, QId};
use crate::condition::{Condition, Facts, Test};
use crate::error::{Code, Diagnostic, Location};
use crate::question::{About, QuestionBank, Worrying};
use crate::seek::Step;
use crate::values::Tier;

/// Merge `national` into `area`: its floors (as the area's passages lower them), its
/// routes (an area's route of the same id keeps its words and fires on either condition),
/// its limit on points, and its sources. `uses` is worked out again.
pub fn inherit(area: &mut Area, national: &National, bank: &QuestionBank) {
    for floor in &national.floors {
        let mut floor = floor.clone();
        floor.layer = Layer::National;
        if let Some(lowering) = area.lowers_national.iter().find(|l| l.floor == floor.id) {
            let Some(tier) = lowering.tier else { continue };
            floor.tier = tier;
            floor.layer = Layer::Local;
            floor.basis = Basis::Source;
            floor.source = lowering.source.clone();
            floor.rationale = Some(format!(
                "The area's own document goes below the national layer here: \"{}\"",
                lowering.passage
            ));
        }
        area.scoring.floors.push(floor);
    }
    for route in &national.routes {
        match area.routes.iter_mut().find(|r| r.id == route.id) {
            Some(local) => {
                local.when = Condition::Any(vec![route.when.clone(), local.when.clone()]);
            }
            None => {
                let mut route = route.clone();
                route.layer = Layer::National;
                area.routes.push(route);
            }
        }
    }
    if area.top_tier_not_only_section_47.is_none() {
        let mut limit = national.score_limit.clone();
        limit.route.layer = Layer::National;
        area.score_limit = Some(limit);
    }
    for doc in &national.sources {
        if !area.sources.iter().any(|d| d.key == doc.key) {
            area.sources.push(doc.clone());
        }
    }
    area.find_uses(bank);
}

/// A child as the invariants see it: unborn, or born and of this age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Situation {
    Unborn,
    Age(u8),
}

impl Situation {
    /// Unborn, then every age from 0 to 17.
    pub fn all() -> impl Iterator<Item = Situation> {
        std::iter::once(Situation::Unborn).chain((0..=17).map(Situation::Age))
    }

    pub fn age(self) -> Option<u8> {
        match self {
            Situation::Unborn => None,
            Situation::Age(a) => Some(a),
        }
    }

    /// The situation after this one: unborn, then 0, 1, 2 ...
    pub fn next(self) -> Situation {
        match self {
            Situation::Unborn => Situation::Age(0),
            Situation::Age(a) => Situation::Age(a.saturating_add(1)),
        }
    }
}

/// A range of situations, for the grid: "unborn", "unborn, 0-3", "5-17".
pub fn band_label(from: Situation, to: Situation) -> String {
    match (from, to) {
        (Situation::Unborn, Situation::Unborn) => "unborn".into(),
        (Situation::Unborn, Situation::Age(17)) => "every age, unborn too".into(),
        (Situation::Unborn, Situation::Age(0)) => "unborn, 0".into(),
        (Situation::Unborn, Situation::Age(b)) => format!("unborn, 0-{b}"),
        (Situation::Age(a), Situation::Age(b)) if a == b => a.to_string(),
        (Situation::Age(a), Situation::Age(b)) => format!("{a}-{b}"),
        (Situation::Age(_), Situation::Unborn) => "unborn".into(),
    }
}

/// One worry alone: question `question` answered worrying for a household with one child
/// in `situation`, with what opens the question answered so that it is asked, and nothing
/// else known.
#[derive(Debug, Clone)]
pub struct Single {
    pub question: QId,
    pub situation: Situation,
    pub household: Answers,
    pub child: Answers,
}

impl Single {
    pub fn facts(&self) -> Facts<'_> {
        Facts::child(&self.household, &self.child, self.situation.age())
    }
}

/// Every worry alone: each question whose worrying answer is a worry (not a strength), in
/// every situation in which it is asked.
pub fn singles(bank: &QuestionBank) -> Vec<Single> {
    let mut found = Vec::new();
    for (q, question) in bank.questions() {
        if question.worrying == Worrying::No {
            continue;
        }
        for situation in Situation::all() {
            let mut single = Single {
                question: q,
                situation,
                household: Answers::unknown(bank.len()),
                child: Answers::unknown(bank.len()),
            };
            if open_question(bank, q, &mut single, 0) {
                set(bank, q, question.worrying.worst(), &mut single);
                found.push(single);
            }
        }
    }
    found
}

fn set(bank: &QuestionBank, q: QId, answer: Answer, single: &mut Single) {
    match bank.question(q).about {
        About::Household => single.household.set(q, answer),
        About::Child => single.child.set(q, answer),
    }
}

/// Answer what opens `q` so that it is asked in `single`'s situation; false when it is
/// never asked there.
fn open_question(bank: &QuestionBank, q: QId, single: &mut Single, depth: usize) -> bool {
    let question = bank.question(q);
    if question.about == About::Child && single.situation == Situation::Unborn && !question.unborn {
        return false;
    }
    match &question.ask_when {
        None => true,
        Some(when) => depth < 16 && satisfy(bank, when, single, depth + 1),
    }
}

/// Answer unknown questions so that `when` holds, preferring what adds no worry (a branch
/// that holds while something is not known); false when it cannot hold.
fn satisfy(bank: &QuestionBank, when: &Condition, single: &mut Single, depth: usize) -> bool {
    match when {
        Condition::Answer(o, test) => {
            let current = match bank.question(*o).about {
                About::Household => single.household.get(*o),
                About::Child => single.child.get(*o),
            };
            let wanted = match test {
                Test::IsUnknown => return current.is_unknown(),
                Test::Is(answer) => *answer,
                Test::AtLeast(n) => Answer::Count(*n),
            };
            if !current.is_unknown() {
                return when.holds(&single.facts());
            }
            if !open_question(bank, *o, single, depth) {
                return false;
            }
            set(bank, *o, wanted, single);
            true
        }
        Condition::All(parts) => parts.iter().all(|p| satisfy(bank, p, single, depth)),
        Condition::Any(parts) => {
            let mut branches: Vec<&Condition> = parts.iter().collect();
            branches.sort_by_key(|p| !matches!(p, Condition::Answer(_, Test::IsUnknown)));
            for branch in branches {
                let mut trial = single.clone();
                if satisfy(bank, branch, &mut trial, depth) {
                    *single = trial;
                    return true;
                }
            }
            false
        }
        atom => atom.could_hold(&single.facts()),
    }
}

/// The tier the national layer alone gives a single worry (its floors).
pub fn national_tier(national: &National, single: &Single) -> Tier {
    let facts = single.facts();
    national
        .floors
        .iter()
        .filter(|f| f.when.holds(&facts))
        .map(|f| f.tier)
        .max()
        .unwrap_or(Tier::BOTTOM)
}

/// Whether the national layer says the single worry is not a need on its own.
pub fn not_a_need_alone(national: &National, single: &Single) -> bool {
    national.not_a_need_alone.iter().any(|n| {
        n.question.0 == single.question && n.when.as_ref().is_none_or(|w| w.holds(&single.facts()))
    })
}

/// Whether the national layer lists `q` as not a need on its own (for some children at least).
pub fn not_a_need_alone_anywhere(national: &National, q: QId) -> bool {
    national.not_a_need_alone.iter().any(|n| n.question.0 == q)
}

/// One row of the grid a rules book prints: a worry alone, a band of ages with the same
/// tiers, the national layer's tier and each area's.
#[derive(Debug, Clone)]
pub struct GridRow {
    pub question: QId,
    pub band: String,
    pub national: Tier,
    pub areas: Vec<Tier>,
}

/// Question x age band -> tier, nationally and in each of `areas`.
pub fn grid(bank: &QuestionBank, national: &National, areas: &[&Area]) -> Vec<GridRow> {
    let mut rows: Vec<GridRow> = Vec::new();
    let mut open: Option<(QId, Situation, Situation, Tier, Vec<Tier>)> = None;
    let mut close = |open: &mut Option<(QId, Situation, Situation, Tier, Vec<Tier>)>| {
        if let Some((question, from, to, national, areas)) = open.take() {
            rows.push(GridRow {
                question,
                band: band_label(from, to),
                national,
                areas,
            });
        }
    };
    for single in singles(bank) {
        let tiers: Vec<Tier> = areas
            .iter()
            .map(|a| score(a, &single.facts(), false).tier)
            .collect();
        let nat = national_tier(national, &single);
        let continues = matches!(&open, Some((q, _, to, n, t))
            if *q == single.question && *n == nat && *t == tiers
                && single.situation == to.next());
        if continues {
            if let Some(row) = open.as_mut() {
                row.2 = single.situation;
            }
        } else {
            close(&mut open);
            open = Some((
                single.question,
                single.situation,
                single.situation,
                nat,
                tiers,
            ));
        }
    }
    close(&mut open);
    rows
}

/// Where a rule stands in one of the files, for a located message.
struct Texts<'a> {
    files: &'a [(&'a str, String)],
}

impl Texts<'_> {
    fn file(&self, index: usize) -> &(&str, String) {
        &self.files[index.min(self.files.len().saturating_sub(1))]
    }

    /// The refusal of what stands at `path` in file `index`, placed there by the parser.
    fn error(&self, index: usize, path: &[Step], message: String, help: &str) -> Diagnostic {
        let (text, file) = self.file(index);
        let at: Option<Location> = crate::yaml::locate_nearest(text, path);
        Diagnostic::error(Code::RulesInvariant, file.clone(), message)
            .at(at)
            .help(help)
    }

    /// The path to the `id:` of the item `id` of the list at `list` in file `index` (the
    /// rules merged, an item's place in its file is read from the file); the list itself
    /// if no item there has that id.
    fn id_in<'p>(&self, index: usize, list: &[Step<'p>], id: &'p str) -> Vec<Step<'p>> {
        let (text, _) = self.file(index);
        let nth = crate::yaml::from_str::<crate::yaml::Value>(text)
            .ok()
            .and_then(|document| {
                let items = list.iter().try_fold(&document, |at, step| match step {
                    Step::Key(key) => at.get(*key),
                    Step::Index(nth) => at.get(*nth),
                    Step::Value => Some(at),
                })?;
                items.as_sequence()?.iter().position(|item| {
                    item.get("id").and_then(crate::yaml::Value::as_str) == Some(id)
                })
            });
        match nth {
            Some(nth) => [list, &[Step::Index(nth), Step::Key("id")]].concat(),
            None => list.to_vec(),
        }
    }
}

/// The national layer's promises over `areas` (each already merged with it). `files` holds
/// each area's text and display name in the order of `areas`, then the national layer's.
pub fn invariants(
    areas: &[Area],
    national: &National,
    bank: &QuestionBank,
    files: &[(&str, String)],
) -> Vec<Diagnostic> {
    let texts = Texts { files };
    let national_file = areas.len();
    let mut found = Vec::new();
    for (i, area) in areas.iter().enumerate() {
        lowerings(&texts, i, area, national, &mut found);
        floors_by_age(&texts, i, area, bank, &mut found);
        promises(&texts, i, area, national, bank, &mut found);
    }
    let singles = singles(bank);
    let mut reported_gap = std::collections::HashSet::new();
    for single in &singles {
        let q = single.question;
        let name = bank.name(q);
        let at = describe(single.situation);
        let nat = national_tier(national, single);
        let alone = not_a_need_alone(national, single);
        if nat == Tier::BOTTOM && !alone && reported_gap.insert(q) {
            found.push(texts.error(
                national_file,
                &[Step::Key("not_a_need_alone")],
                format!(
                    "the national layer says nothing of `{name}` alone ({at}): it gives tier 1, \"no additional needs\""
                ),
                "give it a national floor citing the law or statutory guidance, or list it under `not_a_need_alone:` with why",
            ));
        }
        let tiers: Vec<Tier> = areas
            .iter()
            .map(|a| score(a, &single.facts(), false).tier)
            .collect();
        for (i, area) in areas.iter().enumerate() {
            let lowered = area.lowers_national.iter().any(|l| {
                national
                    .floors
                    .iter()
                    .any(|f| f.id == l.floor && f.when.holds(&single.facts()))
            });
            if tiers[i] < nat && !lowered {
                found.push(texts.error(
                    i,
                    &[Step::Key("id")],
                    format!(
                        "`{name}` alone ({at}) gives tier {} here, below the national layer's tier {nat}",
                        tiers[i]
                    ),
                    "an area goes below the national layer only with a passage of its own: add it under `lowers_national:`",
                ));
            }
            routes_fire(
                &texts,
                (i, area),
                national,
                (single, name),
                tiers[i],
                &mut found,
            );
        }
        spread(&texts, areas, single, &tiers, bank, &mut found);
    }
    // One message per problem: the same gap at every age says nothing more.
    let mut seen = std::collections::HashSet::new();
    found.retain(|d| {
        seen.insert((
            d.file.clone(),
            d.message.split(" (").next().map(str::to_string),
        ))
    });
    found
}

fn describe(situation: Situation) -> String {
    match situation {
        Situation::Unborn => "an unborn child".into(),
        Situation::Age(a) => format!("a child aged {a}"),
    }
}

/// Each lowering names a national floor, lowers it, and quotes the area's own passage.
/// The answers whose "yes" every area meets with the top tier, whatever else is answered:
/// immediate danger (with the emergency route, 999 first), harm disclosed, and significant
/// harm suspected.
pub const TOP_TIER_ALONE: [&str; 3] = [
    "immediate_danger",
    "disclosed_harm",
    "suspected_significant_harm",
];

/// What no area's rules can break, proved from the shape of its merged conditions (so over
/// every answer, every age and before birth, not one probe): immediate danger fires the
/// emergency route; each answer of [`TOP_TIER_ALONE`] has a tier-4 floor that needs nothing
/// else; and no area lowers such a floor.
fn promises(
    texts: &Texts,
    i: usize,
    area: &Area,
    national: &National,
    bank: &QuestionBank,
    found: &mut Vec<Diagnostic>,
) {
    emergency_fires_on_danger(texts, i, area, bank, found);
    promises_of_floors(texts, i, area, national, bank, found);
}

/// The emergency route fires on immediate danger alone, and on nothing else.
fn emergency_fires_on_danger(
    texts: &Texts,
    i: usize,
    area: &Area,
    bank: &QuestionBank,
    found: &mut Vec<Diagnostic>,
) {
    // A bank or an area without its role is reported with the bank's or the area's checks.
    let (Some(danger), Some(route)) = (bank.immediate_danger(), area.emergency_route()) else {
        return;
    };
    let give = format!("give it `when: {{answer: {}, is: yes}}`", bank.name(danger));
    if !route.when.holds_whenever_yes(danger) {
        found.push(texts.error(
            i,
            &texts.id_in(i, &[Step::Key("routes")], &route.id),
            "the emergency route does not fire on immediate danger alone: whatever else is answered, a child in immediate danger gets the emergency route and 999 first".into(),
            &format!("{give} (an `any:` may add more, an `all:` may not)"),
        ));
    } else if route
        .when
        .atoms()
        .iter()
        .any(|a| !matches!(a, Condition::Answer(q, _) if *q == danger))
    {
        found.push(texts.error(
            i,
            &texts.id_in(i, &[Step::Key("routes")], &route.id),
            "the emergency route's condition tests more than immediate danger: it fires on immediate danger, and on nothing else".into(),
            &give,
        ));
    }
}

/// Each answer of [`TOP_TIER_ALONE`] has a tier-4 floor that needs nothing else, and no
/// area lowers such a floor.
fn promises_of_floors(
    texts: &Texts,
    i: usize,
    area: &Area,
    national: &National,
    bank: &QuestionBank,
    found: &mut Vec<Diagnostic>,
) {
    for id in TOP_TIER_ALONE {
        let Some(q) = bank.get(id) else {
            // The ids are the case-file format's: a bank without one would drop a promise.
            found.push(texts.error(
                i,
                &[Step::Key("scoring"), Step::Key("floors")],
                format!("the question bank has no `{id}`, so the promise that it alone meets the top tier cannot be checked"),
                &format!("keep the question `{id}` in questions.yaml: case files and the national promises name it"),
            ));
            continue;
        };
        let floors: Vec<&Floor> = area
            .scoring
            .floors
            .iter()
            .filter(|f| f.when.holds_whenever_yes(q))
            .collect();
        if !floors.iter().any(|f| f.tier == Tier::TOP) {
            found.push(texts.error(
                i,
                &[Step::Key("scoring"), Step::Key("floors")],
                format!("no floor puts every child at tier 4 when `{id}` is yes, whatever else is answered and at every age"),
                &format!("add a floor `when: {{answer: {id}, is: yes}}`, `tier: 4`, with no other condition"),
            ));
        }
        // Checked against the national layer as written: a lowering that drops a floor
        // leaves nothing of it in the merged rules.
        for (nth, lowering) in area.lowers_national.iter().enumerate() {
            let lowers_it = national
                .floors
                .iter()
                .any(|f| f.id == lowering.floor && f.when.holds_whenever_yes(q));
            if lowers_it {
                found.push(texts.error(
                    i,
                    &[
                        Step::Key("lowers_national"),
                        Step::Index(nth),
                        Step::Key("floor"),
                    ],
                    format!("`lowers_national` lowers `{}`, which meets `{id}` with the top tier: no area may", lowering.floor),
                    "remove the lowering",
                ));
            }
        }
    }
}

fn lowerings(
    texts: &Texts,
    i: usize,
    area: &Area,
    national: &National,
    found: &mut Vec<Diagnostic>,
) {
    for (nth, lowering) in area.lowers_national.iter().enumerate() {
        let path = [
            Step::Key("lowers_national"),
            Step::Index(nth),
            Step::Key("floor"),
        ];
        let at = |message: String, help: &str| texts.error(i, &path, message, help);
        let floor = national.floors.iter().find(|f| f.id == lowering.floor);
        match (floor, lowering.tier) {
            (None, _) => found.push(at(
                format!("`lowers_national` names `{}`, which is not a national floor", lowering.floor),
                "name a floor of rules/england.yaml",
            )),
            (Some(floor), Some(tier)) if tier >= floor.tier => found.push(at(
                format!(
                    "`lowers_national` gives `{}` tier {tier}, which does not lower its national tier {}",
                    lowering.floor,
                    floor.tier
                ),
                "give a lower tier (1 or more), or none to drop the floor here",
            )),
            _ => {}
        }
        if lowering.passage.trim().chars().count() < 20 {
            found.push(at(
                format!(
                    "`lowers_national` for `{}` quotes no passage",
                    lowering.floor
                ),
                "quote the area's own words that put this case below the national layer",
            ));
        }
        if !area
            .sources
            .iter()
            .any(|d| lowering.source.trim().starts_with(d.key.as_str()))
        {
            found.push(at(
                format!(
                    "`lowers_national` for `{}` cites no declared document",
                    lowering.floor
                ),
                "begin the source with a key declared under `sources:`",
            ));
        }
    }
    if let Some(passage) = &area.top_tier_not_only_section_47 {
        let cites = area
            .sources
            .iter()
            .any(|d| passage.source.trim().starts_with(d.key.as_str()));
        if passage.passage.trim().chars().count() < 20 || !cites {
            found.push(texts.error(
                i,
                &[Step::Key("top_tier_not_only_section_47")],
                "`top_tier_not_only_section_47` needs the area's own passage and a declared source".into(),
                "quote the words that put children in need (section 17) in the top tier, and cite them",
            ));
        }
    }
    for floor in area
        .scoring
        .floors
        .iter()
        .filter(|f| f.layer == Layer::Local)
    {
        if national.floors.iter().any(|n| n.id == floor.id)
            && !area.lowers_national.iter().any(|l| l.floor == floor.id)
        {
            found.push(texts.error(
                i,
                &texts.id_in(i, &[Step::Key("scoring"), Step::Key("floors")], &floor.id),
                format!("floor `{}` has the id of a national floor", floor.id),
                "give the area's floor its own id",
            ));
        }
    }
}

/// A floor that a household worry can open must not need a child question the child is
/// too young (or not yet born) to be asked.
fn floors_by_age(
    texts: &Texts,
    i: usize,
    area: &Area,
    bank: &QuestionBank,
    found: &mut Vec<Diagnostic>,
) {
    for floor in &area.scoring.floors {
        let household_worry = floor.when.atoms().iter().any(|atom| {
            matches!(atom, Condition::Answer(q, _) if bank.question(*q).about == About::Household)
        });
        if !household_worry {
            continue;
        }
        let missed: Vec<Situation> = Situation::all()
            .filter(|s| {
                reachable(bank, &floor.when, *s, true) && !reachable(bank, &floor.when, *s, false)
            })
            .collect();
        if let (Some(first), Some(last)) = (missed.first(), missed.last()) {
            let (file_index, list) = if floor.layer == Layer::National {
                (texts.files.len() - 1, &[Step::Key("floors")][..])
            } else {
                (i, &[Step::Key("scoring"), Step::Key("floors")][..])
            };
            found.push(texts.error(
                file_index,
                &texts.id_in(file_index, list, &floor.id),
                format!(
                    "floor `{}` can never hold for a child aged {} in {}: it needs a child question not asked at that age",
                    floor.id,
                    band_label(*first, *last),
                    area.name
                ),
                "make the floor hold without that question for those ages (an `any:` with what is asked), or say the ages it is for with `age_at_least:`",
            ));
        }
    }
}

/// Whether `when` can hold for a child in `situation`: ages as they are, child questions
/// only where they are asked at that age (or, with `ignore_gates`, always).
fn reachable(
    bank: &QuestionBank,
    when: &Condition,
    situation: Situation,
    ignore_gates: bool,
) -> bool {
    let facts_answers = Answers::default();
    let facts = Facts::child(&facts_answers, &facts_answers, situation.age());
    match when {
        Condition::Answer(q, _) => {
            let question = bank.question(*q);
            if question.about == About::Household || ignore_gates {
                return true;
            }
            if situation == Situation::Unborn && !question.unborn {
                return false;
            }
            question
                .ask_when
                .as_ref()
                .is_none_or(|c| reachable(bank, c, situation, false))
        }
        Condition::All(parts) => parts
            .iter()
            .all(|p| reachable(bank, p, situation, ignore_gates)),
        Condition::Any(parts) => parts
            .iter()
            .any(|p| reachable(bank, p, situation, ignore_gates)),
        atom => atom.could_hold(&facts),
    }
}

/// Every national route that the single worry calls for fires in the area.
fn routes_fire(
    texts: &Texts,
    (i, area): (usize, &Area),
    national: &National,
    (single, name): (&Single, &str),
    tier: Tier,
    found: &mut Vec<Diagnostic>,
) {
    let facts = Facts {
        tier: Some(tier),
        ..single.facts()
    };
    for route in national.routes.iter().filter(|r| r.when.holds(&facts)) {
        let fires = area
            .routes
            .iter()
            .any(|r| r.id == route.id && r.when.holds(&facts));
        if !fires {
            found.push(texts.error(
                i,
                &[Step::Key("id")],
                format!(
                    "the national route `{}` does not fire here for `{}` alone ({})",
                    route.id,
                    name,
                    describe(single.situation)
                ),
                "a route every area has cannot be narrowed: remove the area's condition on it",
            ));
        }
    }
}

/// Areas differ by at most one tier on a single worry, unless each area above the rest
/// holds its tier by a floor quoting its own document.
fn spread(
    texts: &Texts,
    areas: &[Area],
    single: &Single,
    tiers: &[Tier],
    bank: &QuestionBank,
    found: &mut Vec<Diagnostic>,
) {
    let (Some(&low), Some(&high)) = (tiers.iter().min(), tiers.iter().max()) else {
        return;
    };
    if high.distance(low) <= 1 {
        return;
    }
    for (i, area) in areas.iter().enumerate() {
        if tiers[i].distance(low) <= 1 {
            continue;
        }
        let scored = score(area, &single.facts(), true);
        let cited = scored.reasons.iter().any(|r| {
            r.effect == Effect::Floor(tiers[i])
                && r.layer == Layer::Local
                && r.basis == Basis::Source
        });
        if !cited {
            let lowest = areas
                .iter()
                .zip(tiers)
                .find(|(_, t)| **t == low)
                .map_or("", |(a, _)| a.name.as_str());
            found.push(texts.error(
                i,
                &[Step::Key("id")],
                format!(
                    "`{}` alone ({}) gives tier {} in {} but tier {low} in {lowest}: areas differ by more than one tier only where the higher area's own document says so",
                    bank.name(single.question),
                    describe(single.situation),
                    tiers[i],
                    area.name
                ),
                "hold the tier by a floor that quotes the area's passage (basis: source), or bring the points in line",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{Origin, RuleFile, load, read_dir};
    use crate::values::Tier;
    use std::path::Path;

    fn bundled() -> Vec<RuleFile> {
        read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules")).unwrap()
    }

    /// The bundled rules with `from` replaced by `to` once in `path`; the messages `load`
    /// refuses them with.
    fn refused(path: &str, from: &str, to: &str) -> String {
        let mut files = bundled();
        let file = files.iter_mut().find(|f| f.path == path).unwrap();
        assert!(file.text.contains(from), "{path} has no {from:?}");
        file.text = file.text.replacen(from, to, 1);
        let today = jiff::civil::date(2026, 12, 7);
        match load(files, Origin::Bundled, today) {
            Ok(_) => String::new(),
            Err(errors) => errors.to_string(),
        }
    }

    #[test]
    fn the_bundled_rules_keep_every_national_promise() {
        assert_eq!(refused("england.yaml", "", ""), "");
    }

    #[test]
    fn a_worry_the_national_layer_says_nothing_of_is_refused() {
        let found = refused(
            "england.yaml",
            "when: {answer: child_substance_misuse, is: yes}",
            "when: {answer: child_substance_misuse_impact, is: yes}",
        );
        assert!(
            found.contains("says nothing of `child_substance_misuse` alone"),
            "{found}"
        );
    }

    #[test]
    fn a_household_floor_that_needs_a_school_is_refused_for_the_under_fours() {
        // Redbridge's floor for repeated exposure as it stood before the national layer:
        // its impact shown only at school, which is asked from age 4.
        let found = refused(
            "areas/redbridge.yaml",
            "          - {age_at_least: 0}\n          # The impact, asked at every age: at school, or in the child's emotional or\n          # mental health (so a child too young for school is not left out).\n          - any:\n              - {answer: school_concerns, is: yes}\n              - {answer: child_emotional_mental_health, is: yes}\n",
            "          - {answer: school_concerns, is: yes}\n",
        );
        assert!(
            found.contains(
                "floor `cumulative_exposure_with_impact` can never hold for a child aged unborn, 0-3"
            ),
            "{found}"
        );
        assert!(found.contains("rules/areas/redbridge.yaml:"), "{found}");
    }

    #[test]
    fn going_below_the_national_layer_needs_the_areas_own_passage() {
        let found = refused(
            "areas/salford.yaml",
            "      Most children in Salford who require services will receive those through universal\n      provisions within their local community. The same should be true for children with\n      disabilities, who can be supported through the Local Offer in Salford.\n",
            "      Local Offer\n",
        );
        assert!(
            found.contains("`lowers_national` for `national_child_disability` quotes no passage"),
            "{found}"
        );
        let found = refused(
            "areas/salford.yaml",
            "  - floor: national_child_disability",
            "  - floor: national_no_such_floor",
        );
        assert!(found.contains("not a national floor"), "{found}");
    }

    #[test]
    fn areas_more_than_a_tier_apart_on_one_worry_need_the_higher_areas_passage() {
        // A Trafford floor putting early signs of neglect at tier 4 by calibration, where
        // the national layer and the other areas give tier 2.
        let found = refused(
            "areas/trafford.yaml",
            "  floors:\n",
            "  floors:\n    - id: spread_test\n      label: early signs at the top\n      when: {answer: early_signs_of_neglect, is: yes}\n      tier: 4\n      basis: calibration\n      rationale: a broken copy\n      source: 002_ffdf3abb778c93c0.txt, A Shared Responsibility\n",
        );
        assert!(
            found.contains("areas differ by more than one tier only where the higher area's own document says so"),
            "{found}"
        );
    }

    #[test]
    fn points_alone_stop_below_significant_harm_where_none_is_suspected() {
        use crate::answer::{Answer, Answers};
        use crate::condition::Facts;
        let today = jiff::civil::date(2026, 12, 7);
        let (rules, _) = load(bundled(), Origin::Bundled, today).unwrap();
        let bank = &rules.questions;
        let trafford = rules.area("trafford").unwrap();
        let torbay = rules.area("torbay").unwrap();
        let mut household = Answers::unknown(bank.len());
        let mut child = Answers::unknown(bank.len());
        for (id, answer) in [
            ("adult_mental_health", Answer::Yes),
            ("adult_substance_misuse", Answer::Yes),
            ("parenting_capacity_concern", Answer::Yes),
            ("housing_or_financial_crisis", Answer::Yes),
            ("relapse_or_crisis", Answer::Yes),
        ] {
            household.set(bank.get(id).unwrap(), answer);
        }
        for (id, answer) in [
            ("young_carer", Answer::Yes),
            ("young_carer_impact", Answer::Yes),
            ("school_concerns", Answer::Yes),
            ("basic_needs_unmet", Answer::Yes),
        ] {
            child.set(bank.get(id).unwrap(), answer);
        }
        let facts = Facts::child(&household, &child, Some(9));
        let unlimited = super::score(trafford, &facts, false);
        assert_eq!(
            unlimited.tier,
            Tier::Four,
            "the points reach tier 4 while harm is not ruled out"
        );
        for id in ["disclosed_harm", "suspected_significant_harm"] {
            child.set(bank.get(id).unwrap(), Answer::No);
        }
        let facts = Facts::child(&household, &child, Some(9));
        let limited = super::score(trafford, &facts, true);
        assert_eq!(limited.tier, Tier::Three);
        assert!(limited.limited);
        // Disclosure is not asked before birth: suspected significant harm answered no is
        // enough there.
        let mut unborn = Answers::unknown(bank.len());
        unborn.set(bank.get("suspected_significant_harm").unwrap(), Answer::No);
        for id in ["domestic_abuse", "children_witness_abuse"] {
            household.set(bank.get(id).unwrap(), Answer::Yes);
        }
        let facts = Facts::child(&household, &unborn, None);
        let before_birth = super::score(trafford, &facts, false);
        assert_eq!(before_birth.tier, Tier::Three);
        assert!(before_birth.limited);
        // Torbay's top tier takes in children in need (section 17): no limit there.
        assert!(torbay.score_limit.is_none());
    }
}

#[cfg(test)]
mod before_birth {
    use super::{Single, Situation};
    use crate::answer::Answers;
    use crate::question::About;
    use crate::rules::{Origin, load, read_dir};
    use crate::values::Tier;
    use std::path::Path;

    /// Every worry the bank can express for a born child can be carried for an unborn one:
    /// each child question not asked before birth names questions that are, and each of
    /// those, answered worrying alone for an unborn baby, is a need (tier 2 or above) in
    /// every area; or the question says why its worry cannot arise before birth.
    #[test]
    fn an_unborn_child_can_carry_every_worry_a_born_one_can() {
        let files = read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules")).unwrap();
        let (rules, _) = load(files, Origin::Bundled, jiff::civil::date(2026, 12, 7)).unwrap();
        let bank = &rules.questions;
        let mut carried = 0;
        for (_, question) in bank.questions() {
            if question.about != About::Child || question.unborn {
                continue;
            }
            let before = question
                .before_birth
                .as_ref()
                .unwrap_or_else(|| panic!("`{}` says nothing of before birth", question.id));
            if before.carried_by.is_empty() {
                assert!(before.cannot.is_some(), "{}", question.id);
                continue;
            }
            for carrier in &before.carried_by {
                let q = carrier.0;
                let mut single = Single {
                    question: q,
                    situation: Situation::Unborn,
                    household: Answers::unknown(bank.len()),
                    child: Answers::unknown(bank.len()),
                };
                let worst = bank.question(q).worrying.worst();
                match bank.question(q).about {
                    About::Household => single.household.set(q, worst),
                    About::Child => single.child.set(q, worst),
                }
                for area in &rules.areas {
                    let tier = crate::rules::score::score(area, &single.facts(), false).tier;
                    assert!(
                        tier >= Tier::Two,
                        "{}: `{}` carries `{}` before birth but gives tier {tier}",
                        area.id,
                        bank.name(q),
                        question.id
                    );
                    carried += 1;
                }
            }
        }
        assert!(carried > 0);
    }
}
