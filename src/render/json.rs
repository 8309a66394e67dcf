//! The JSON result, schema 1 (SPEC section 9). Field names and meanings are a contract:
//! add fields, never rename or remove one.

use crate::engine::Outcome;
use crate::rules::RuleSet;
use crate::values::Tier;
use serde::Serialize;

#[derive(Serialize)]
pub struct Result<'a> {
    schema: u8,
    reference: Option<&'a str>,
    area: AreaRef<'a>,
    rules: RulesRef<'a>,
    assessed_at: String,
    /// The moment the contacts are for (the moment of reading), London time.
    contacts_at: String,
    emergency: bool,
    /// The case cannot wait (emergency, top tier, or immediate danger not ruled out).
    urgent: bool,
    /// The result rests on unknown answers that could raise it.
    provisional: bool,
    /// Whether the contacts' day is a bank holiday; null beyond the published list.
    bank_holiday: Option<bool>,
    overall: Level,
    children: Vec<Child<'a>>,
    routes: Vec<Route<'a>>,
    actions: Vec<Action<'a>>,
    contacts: Vec<Contact<'a>>,
    recorded_level: Option<Tier>,
    /// The practitioner's reason for their level, kept beside the tool's.
    recorded_reason: Option<&'a str>,
    agrees: Option<bool>,
    judgement_note: &'static str,
}

#[derive(Serialize)]
struct AreaRef<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct RulesRef<'a> {
    version: &'a str,
    sha256: &'a str,
    origin: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    reviewed: String,
    edition: &'a str,
}

#[derive(Serialize)]
struct Level {
    level: Option<Tier>,
    name: Option<String>,
}

#[derive(Serialize)]
struct Child<'a> {
    id: &'a str,
    age: Option<u8>,
    unborn: bool,
    level: Tier,
    name: String,
    score: i32,
    floor: Option<Tier>,
    could_reach: Tier,
    could_reach_name: String,
    reasons: Vec<Reason<'a>>,
    unknowns: Vec<&'a str>,
}

#[derive(Serialize)]
struct Reason<'a> {
    rule: &'a str,
    label: &'a str,
    effect: String,
    source: &'a str,
    /// `source` (the document says it), `interpretation` (this project's reading of the
    /// passage) or `calibration` (this project's number); see `rationale`.
    basis: &'static str,
    rationale: Option<&'a str>,
    /// `national` (English law and guidance, in every area) or `local` (the area's own).
    layer: &'static str,
    /// How a person reads the layer and basis after the label (empty for a local rule in
    /// the source's own words): the same words every format shows.
    note: String,
    /// The answers that made the rule hold (question ids).
    because: Vec<&'a str>,
}

#[derive(Serialize)]
struct Route<'a> {
    id: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    detail: &'a [String],
    children: &'a [&'a str],
    source: &'a str,
    /// `national` (a route every area has, in national words) or `local`.
    layer: &'static str,
}

#[derive(Serialize)]
struct Action<'a> {
    text: &'a str,
    source: &'a str,
}

#[derive(Serialize)]
struct Contact<'a> {
    id: &'a str,
    name: &'a str,
    phone: Option<&'a str>,
    email: Option<&'a str>,
    web: Option<&'a str>,
    hours: &'a str,
    hours_confirmed: bool,
    open_now: Option<bool>,
    /// Why it is listed where it is (`ring_now`, `next_working_day`, `if_it_cannot_wait`, …).
    call: &'static str,
    /// Whether to ring it now: only when the case cannot wait.
    ring_now: bool,
    /// When a closed service next opens (London time).
    opens: Option<String>,
    emergency: bool,
    checked: String,
    confidence: &'static str,
    source: &'a str,
}

/// The result object for `outcome`.
pub fn result<'a>(rules: &'a RuleSet, outcome: &'a Outcome<'a>) -> Result<'a> {
    let area = outcome.area;
    let name = |tier: Tier| area.level_name(tier);
    Result {
        schema: 1,
        reference: outcome.case.reference.as_deref(),
        area: AreaRef {
            id: &area.id,
            name: &area.name,
        },
        rules: RulesRef {
            version: &area.version,
            sha256: &rules.sha256,
            origin: rules.origin.label(),
            path: match &rules.origin {
                crate::rules::Origin::Local(dir) => Some(dir.display().to_string()),
                crate::rules::Origin::Bundled => None,
            },
            reviewed: area.reviewed.to_string(),
            edition: &area.edition,
        },
        assessed_at: outcome
            .assessed_at
            .with_time_zone(crate::hours::london().clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        contacts_at: outcome
            .contacts_moment
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        emergency: outcome.emergency,
        urgent: outcome.urgent,
        provisional: outcome.provisional(),
        bank_holiday: outcome.contacts_at.bank_holiday,
        overall: Level {
            level: outcome.overall,
            name: outcome.overall.map(name),
        },
        children: outcome
            .children
            .iter()
            .map(|c| Child {
                id: &c.child.id,
                age: c.child.age,
                unborn: c.child.unborn(),
                level: c.level,
                name: name(c.level),
                score: c.score,
                floor: c.floor,
                could_reach: c.could_reach,
                could_reach_name: name(c.could_reach),
                reasons: c
                    .reasons
                    .iter()
                    .map(|r| Reason {
                        rule: r.rule,
                        label: r.label,
                        effect: r.effect.label(),
                        source: r.source,
                        basis: r.basis.label(),
                        rationale: r.rationale,
                        layer: r.layer.label(),
                        note: r.note().trim().to_string(),
                        because: r.because.iter().map(|q| rules.questions.name(q)).collect(),
                    })
                    .collect(),
                unknowns: c
                    .unknowns
                    .iter()
                    .map(|q| rules.questions.name(*q))
                    .collect(),
            })
            .collect(),
        routes: outcome
            .routes
            .iter()
            .map(|r| Route {
                id: &r.route.id,
                text: &r.route.text,
                detail: &r.route.detail,
                children: &r.children,
                source: &r.route.source,
                layer: r.route.layer.label(),
            })
            .collect(),
        actions: outcome
            .actions
            .iter()
            .map(|a| Action {
                text: &a.text,
                source: &a.source,
            })
            .collect(),
        contacts: outcome
            .contacts
            .iter()
            .map(|c| Contact {
                id: &c.contact.id,
                name: &c.contact.name,
                phone: c.contact.phone.as_deref(),
                email: c.contact.email.as_deref(),
                web: c.contact.web.as_deref(),
                hours: &c.contact.hours.text,
                hours_confirmed: c.contact.hours.confirmed,
                open_now: c.open_now,
                call: c.call.id(),
                ring_now: c.call.ring_now(),
                opens: c.opens.map(|at| at.strftime("%Y-%m-%dT%H:%M").to_string()),
                emergency: c.contact.emergency,
                checked: c.contact.checked.to_string(),
                confidence: c.contact.confidence.label(),
                source: &c.contact.source,
            })
            .collect(),
        recorded_level: outcome.case.recorded_level,
        recorded_reason: outcome.case.recorded_reason.as_deref(),
        agrees: outcome.agrees(),
        judgement_note: super::JUDGEMENT_NOTE,
    }
}

/// The result as pretty JSON text.
pub fn to_string(rules: &RuleSet, outcome: &Outcome) -> String {
    serde_json::to_string_pretty(&result(rules, outcome)).expect("the result serialises")
}
