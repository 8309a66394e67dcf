//! The immediate-danger panel, decided once: shown at once after the immediate-danger
//! question, before anything else, by `threshold check` (`screens::danger`) and the
//! offline page alike. The area's routes that test the question and hold (999 for a yes;
//! "find out now" for not known, where the area says so), then the numbers to ring now:
//! 999 first, then the front door open now.

use super::flow::{Flow, Subject};
use crate::condition::Facts;
use crate::engine::{Call, contacts_now};
use crate::question::Answer;
use crate::render::open_label;
use serde::Serialize;

/// What the panel says, in order.
#[derive(Debug, Serialize)]
pub struct Danger<'a> {
    /// A child is in immediate danger (the answer is yes), not only not ruled out.
    pub emergency: bool,
    /// The emergency sentence, for a yes.
    pub alarm: Option<&'static str>,
    /// Each route's words.
    pub routes: Vec<&'a str>,
    pub contacts: Vec<Reach<'a>>,
    /// What to do after the call, for a yes.
    pub then: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct Reach<'a> {
    pub name: &'a str,
    /// The phone number, else the email address.
    pub reach: &'a str,
    /// Open now or when it opens ([`open_label`]).
    pub open: String,
}

pub const THEN: &str =
    "Make the call first. The questions go on below when you are ready; they add what else to do.";

/// The panel, once the immediate-danger question has been asked and a route of the area
/// holds on its answer; `None` otherwise.
pub fn panel<'a>(flow: &'a Flow) -> Option<Danger<'a>> {
    let area = flow.area()?;
    let first = flow.rules().questions.immediate_danger()?;
    if !flow.asked(Subject::Household, first) {
        return None;
    }
    let facts = Facts::household(&flow.case.answers);
    let routes: Vec<&str> = area
        .routes
        .iter()
        .filter(|r| r.when.mentions(first) && r.when.holds(&facts))
        .map(|r| r.text.trim())
        .collect();
    if routes.is_empty() {
        return None;
    }
    let emergency = flow.case.answers.get(first) == Answer::Yes;
    // Danger yes or not ruled out: 999 first, then the front door open now.
    let clock = area.bank_holidays.clock(flow.moment());
    let contacts = contacts_now(area, &[], clock, true, true)
        .into_iter()
        .filter(|c| c.call.ring_now() || c.call == Call::Later)
        .map(|open| Reach {
            name: open.contact.name.as_str(),
            reach: open
                .contact
                .phone
                .as_deref()
                .or(open.contact.email.as_deref())
                .unwrap_or(""),
            open: open_label(&open),
        })
        .collect();
    Some(Danger {
        emergency,
        alarm: emergency.then_some(crate::render::view::EMERGENCY),
        routes,
        contacts,
        then: emergency.then_some(THEN),
    })
}
