//! Turning an outcome into what a person or a program reads: a terminal table, JSON
//! (SPEC section 9) or Markdown for case notes. No decisions are made here.

pub mod json;
pub mod markdown;
#[cfg(feature = "cli")]
pub mod plain;
pub mod record;
#[cfg(feature = "cli")]
pub mod table;
#[cfg(feature = "cli")]
pub mod trainer;

use crate::engine::{ContactOutcome, Outcome};
use crate::rules::RuleSet;
use crate::rules::model::Area;

/// Every result says this.
pub const JUDGEMENT_NOTE: &str = "Supports, not replaces, professional judgement.";

/// "3 Getting More Help"; just "Level 3" where the area's name already says the tier.
pub fn level_label(area: &Area, tier: u8) -> String {
    let name = area.level_name(tier);
    if name.starts_with(&format!("Level {tier}")) {
        name
    } else {
        format!("{tier} {name}")
    }
}

/// "open now", "closed now" or "hours not known", with "(times not confirmed)" where so.
pub fn open_label(contact: &ContactOutcome) -> String {
    let state = match contact.open_now {
        Some(true) => "open now",
        Some(false) => "closed now",
        None => "hours not known",
    };
    if contact.open_now.is_some() && !contact.contact.hours.confirmed {
        format!("{state} (times not confirmed)")
    } else {
        state.to_string()
    }
}

/// "2026-11-24 10:00 GMT".
pub fn moment_label(moment: &jiff::Zoned) -> String {
    moment
        .with_time_zone(crate::hours::london().clone())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// What the header of every result says about the rules used.
pub fn rules_label(rules: &RuleSet, area: &Area) -> String {
    let origin = match &rules.origin {
        crate::rules::Origin::Bundled => "bundled rules".to_string(),
        crate::rules::Origin::Local(dir) => format!("LOCAL rules from {}", dir.display()),
    };
    format!(
        "{} rules {} (reviewed {}), {origin}, sha256 {}",
        area.name,
        area.version,
        area.reviewed,
        &rules.sha256[..12]
    )
}

/// The question ids as short phrases, for people.
pub fn unknown_labels(rules: &RuleSet, outcome: &Outcome, child: usize) -> Vec<String> {
    outcome.children[child]
        .unknowns
        .iter()
        .map(|q| rules.questions.question(*q).short.clone())
        .collect()
}
