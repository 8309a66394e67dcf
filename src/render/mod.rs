//! Turning an outcome into what a person or a program reads: a terminal table, JSON
//! (SPEC section 9) or Markdown for case notes. No decisions are made here.

pub mod book;
pub mod json;
pub mod markdown;
#[cfg(feature = "cli")]
pub mod plain;
pub mod record;
pub mod summary;
#[cfg(feature = "cli")]
pub mod table;
#[cfg(feature = "cli")]
pub mod trainer;
pub mod view;

use crate::engine::{Call, ContactOutcome, Outcome};
use crate::rules::RuleSet;
use crate::rules::model::Area;
use crate::values::Tier;

/// Text from a case file (a reference, a child's id, a file name) as a person is shown it:
/// anything that could act on a terminal or a document is escaped (`text::printable`).
/// Case files refuse such text; this is for whatever reaches a renderer anyway.
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    crate::text::printable(text)
}

/// Child ids as a list ("A, B"), each shown safely.
pub fn shown_list(ids: &[&str]) -> String {
    ids.iter()
        .map(|id| shown(id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Text as HTML: every character that could be markup is escaped (books, handouts,
/// reports).
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Every result says this.
pub const JUDGEMENT_NOTE: &str = "Supports, not replaces, professional judgement.";

/// "3 Getting More Help"; just "Level 3" where the area's name already says the tier.
pub fn level_label(area: &Area, tier: Tier) -> String {
    area.level_label(tier)
}

/// What to do with a number now: "RING NOW", "next working day: opens Mon 28 Dec 08:30",
/// "if it cannot wait (open now)", "closed now, opens …", "hours not known", with "(times
/// not confirmed)" where so.
pub fn open_label(contact: &ContactOutcome) -> String {
    let opens = contact
        .opens
        .map(|at| format!("opens {}", opening_label(at)))
        .unwrap_or_else(|| "closed now".into());
    let state = match (contact.call, contact.open_now) {
        (Call::Emergency, _) => "RING NOW".to_string(),
        (Call::EmergencyLast, _) => "in an emergency".to_string(),
        (Call::RingNow, _) => "RING NOW (open now)".to_string(),
        (Call::NextWorkingDay, _) => format!("next working day: {opens}"),
        (Call::IfItCannotWait, _) => "if it cannot wait (open now)".to_string(),
        (_, Some(true)) => "open now".to_string(),
        (_, Some(false)) if contact.opens.is_some() => format!("closed now, {opens}"),
        (_, Some(false)) => "closed now".to_string(),
        (_, None) => "hours not known".to_string(),
    };
    if contact.open_now.is_some() && !contact.contact.hours.confirmed {
        format!("{state} (times not confirmed)")
    } else {
        state
    }
}

/// "Mon 28 Dec 08:30".
pub fn opening_label(at: jiff::civil::DateTime) -> String {
    at.strftime("%a %-d %b %H:%M").to_string()
}

/// What the contacts list must say about bank holidays at its moment, if anything.
pub fn bank_holiday_note(outcome: &Outcome) -> Option<String> {
    let clock = outcome.contacts_at;
    match clock.bank_holiday {
        Some(true) => Some(format!(
            "{} is a bank holiday: the daytime services are closed and the duty team answers.",
            clock.date
        )),
        Some(false) => None,
        None => {
            let holidays = &outcome.area.bank_holidays;
            let first = holidays.dates.first().map(|d| d.year());
            Some(match first {
                Some(year) if clock.date.year() < year => format!(
                    "Bank holidays before {year} are not in the published list: if {} is one, the daytime service is closed; both numbers are listed.",
                    clock.date
                ),
                _ => format!(
                    "Bank holidays after {} are not published yet: if {} is one, the daytime service is closed; both numbers are listed.",
                    holidays
                        .published_to
                        .map_or_else(|| "today".to_string(), |d| d.to_string()),
                    clock.date
                ),
            })
        }
    }
}

/// The heading over the contacts: what the order follows, and the moment it is for.
pub fn contacts_heading(outcome: &Outcome) -> String {
    let when = outcome
        .contacts_at
        .date
        .at(0, 0, 0, 0)
        .strftime("%a %-d %b")
        .to_string();
    let minute = outcome.contacts_at.wall.minute;
    let moment = format!("{when} {:02}:{:02}", minute / 60, minute % 60);
    if outcome.urgent {
        format!("Ring now, in this order (this cannot wait; numbers as at {moment} London time)")
    } else {
        format!(
            "Who to call, in this order (this can wait for the daytime service; numbers as at {moment} London time)"
        )
    }
}

/// "Tue 24 Nov 2026, 10:00 GMT": a moment in words, London time.
pub fn moment_label(moment: &jiff::ZonedDateTime) -> String {
    moment
        .with_time_zone(crate::hours::london().clone())
        .strftime("%a %-d %b %Y, %H:%M %Z")
        .to_string()
}

/// What the header of every result says about the rules used.
pub fn rules_label(rules: &RuleSet, area: &Area) -> String {
    let origin = match &rules.origin {
        crate::rules::Origin::Bundled => "bundled rules".to_string(),
        crate::rules::Origin::Local(dir) => {
            format!("LOCAL rules from {}", shown(&dir.display().to_string()))
        }
    };
    format!(
        "{} rules {} (reviewed {}), {origin}, sha256 {}",
        area.name,
        area.version,
        area.reviewed,
        &rules.sha256[..12]
    )
}

/// The line that announces local rules, for outputs with no per-area rules header
/// (`contacts`, `compare`): nothing for the bundled rules.
pub fn local_rules_line(rules: &RuleSet) -> String {
    match &rules.origin {
        crate::rules::Origin::Bundled => String::new(),
        crate::rules::Origin::Local(dir) => format!(
            "Using LOCAL rules from {}, sha256 {}\n",
            shown(&dir.display().to_string()),
            &rules.sha256[..12]
        ),
    }
}
