//! One result, shown the same everywhere: every example case and every scenario, in every
//! area, at a weekday morning and at a Saturday night, rendered as the terminal table, the
//! plain lines, Markdown, the decision record and the one screen. Each shows what the one
//! view of the result holds: the levels, the urgency, the numbers in the same order, what
//! is not yet known, the unknowns and every basis (the page is held to the same in
//! tests/web.rs).

mod common;

use common::shows::{Shows, missing, normalise};
use threshold::case::Case;
use threshold::render::view::View;
use threshold::render::{markdown, plain, record, summary, table};

/// A Tuesday morning, when the daytime services are open, and a Saturday night, when
/// only the duty team is.
const MOMENTS: [&str; 2] = ["2026-11-24T10:00", "2026-11-28T23:00"];

fn cases(rules: &threshold::rules::RuleSet) -> Vec<(String, Case)> {
    let mut cases = Vec::new();
    for entry in std::fs::read_dir("examples/cases").unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let case = threshold::case::read(&bytes, &name, &rules.questions).unwrap();
        cases.push((name, case));
    }
    let scenarios =
        threshold::scenario::load(&threshold::scenario::bundled_files(), &rules.questions).unwrap();
    for s in scenarios {
        cases.push((format!("scenario {}", s.name), s.case));
    }
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    cases
}

#[test]
fn every_format_shows_the_same_result() {
    let rules = threshold::rules::bundled().unwrap();
    let notes = record::Notes {
        answers: Vec::new(),
        not_asked: Vec::new(),
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, case) in cases(&rules) {
        for area in &rules.areas {
            for at in MOMENTS {
                let moment = threshold::hours::parse_moment(at).unwrap();
                let outcome = threshold::engine::assess(area, &rules.questions, &case, &moment);
                let view = View::of(&rules, &outcome);
                let formats = [
                    (
                        "table",
                        table::render(&rules, &outcome, false),
                        Shows::Everything,
                    ),
                    (
                        "plain",
                        plain::render(&rules, &outcome, true),
                        Shows::Everything,
                    ),
                    (
                        "markdown",
                        markdown::render(&rules, &outcome),
                        Shows::Everything,
                    ),
                    (
                        "record",
                        record::render(&rules, &outcome, &notes, "`threshold check`"),
                        Shows::Everything,
                    ),
                    (
                        "one screen",
                        summary::render(&rules, &outcome, 80),
                        Shows::OneScreen,
                    ),
                ];
                for (format, text, shows) in formats {
                    checked += 1;
                    let gaps = missing(&view, &normalise(&text), shows);
                    if !gaps.is_empty() {
                        failures.push(format!("{name} in {} at {at}, {format}: {gaps:?}", area.id));
                    }
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} renderings checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} renderings do not show their result:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}

/// The checker itself: a rendering that drops the urgency, swaps two numbers or shows
/// calibration as source is caught.
#[test]
fn the_check_catches_a_dropped_urgency_a_swapped_number_and_a_lost_basis() {
    let rules = threshold::rules::bundled().unwrap();
    let bytes = std::fs::read("examples/cases/salford-domestic-abuse-cumulative.yaml").unwrap();
    let case = threshold::case::read(&bytes, "case", &rules.questions).unwrap();
    let area = rules.area("salford").unwrap();
    let moment = threshold::hours::parse_moment(MOMENTS[1]).unwrap();
    let outcome = threshold::engine::assess(area, &rules.questions, &case, &moment);
    let view = View::of(&rules, &outcome);
    let text = markdown::render(&rules, &outcome);
    assert!(missing(&view, &normalise(&text), Shows::Everything).is_empty());

    let heading = &view.contacts.heading;
    let (said, other) = if view.contacts.urgent {
        ("Ring now, in this order", "Who to call, in this order")
    } else {
        ("Who to call, in this order", "Ring now, in this order")
    };
    assert!(heading.starts_with(said), "{heading}");
    let dropped = text.replace(said, other);
    assert!(!missing(&view, &normalise(&dropped), Shows::Everything).is_empty());

    let phones: Vec<&str> = view
        .contacts
        .rows
        .iter()
        .filter_map(|r| r.phone.as_deref())
        .collect();
    let swapped = text
        .replace(phones[0], "FIRST")
        .replace(phones[1], phones[0])
        .replace("FIRST", phones[1]);
    assert!(!missing(&view, &normalise(&swapped), Shows::Everything).is_empty());

    assert!(text.contains("(points: this tool's calibration)"), "{text}");
    let lost = text.replacen(" (points: this tool's calibration)", "", 1);
    assert!(!missing(&view, &normalise(&lost), Shows::Everything).is_empty());
}
