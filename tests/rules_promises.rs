//! Local copies of the rules edited as someone might edit them to break a promise, on
//! purpose or not: each must be refused by `threshold rules check`, at the file, line and
//! column of the edit, saying what to do. These are the copies a review found passing
//! before quotations were checked and the promises were proved over every answer.

mod common;

use common::{copy_dir, threshold};
use std::path::Path;

/// One edit of a copy: in `file`, replace `find` (which must be there) with `replace`.
struct Edit {
    file: &'static str,
    find: &'static str,
    replace: &'static str,
}

const fn edit(file: &'static str, find: &'static str, replace: &'static str) -> Edit {
    Edit {
        file,
        find,
        replace,
    }
}

/// A hostile copy: its edits, a fragment of the message refusing it, and where the error
/// must point, exactly: the first edit's line, or (`Some`) the line of that file the anchor
/// finds (`common::line_of`).
struct Hostile {
    why: &'static str,
    edits: &'static [Edit],
    message: &'static str,
    anchor: Option<&'static str>,
}

const TRAFFORD: &str = "areas/trafford.yaml";
const SALFORD: &str = "areas/salford.yaml";
const ENGLAND: &str = "england.yaml";
const HOLIDAYS: &str = "bank-holidays.yaml";

const HOSTILE: &[Hostile] = &[
    Hostile {
        why: "an emergency route that needs immediate danger and another answer",
        edits: &[edit(
            TRAFFORD,
            "  - id: emergency\n    role: emergency\n    when: {answer: immediate_danger, is: yes}",
            "  - id: emergency\n    role: emergency\n    when: {all: [{answer: immediate_danger, is: yes}, {answer: adult_mental_health, is: yes}]}",
        )],
        message: "the emergency route does not fire on immediate danger alone",
        anchor: Some("  - id: emergency"),
    },
    Hostile {
        why: "an emergency route that also fires without danger",
        edits: &[edit(
            TRAFFORD,
            "  - id: emergency\n    role: emergency\n    when: {answer: immediate_danger, is: yes}",
            "  - id: emergency\n    role: emergency\n    when: {any: [{answer: immediate_danger, is: yes}, {answer: adult_mental_health, is: yes}]}",
        )],
        message: "the emergency route's condition tests more than immediate danger",
        anchor: Some("  - id: emergency"),
    },
    Hostile {
        why: "disclosed harm at tier 4 only from age 8, locally and nationally",
        edits: &[
            edit(
                TRAFFORD,
                "      label: The child has disclosed harm\n      when: {answer: disclosed_harm, is: yes}",
                "      label: The child has disclosed harm\n      when: {all: [{answer: disclosed_harm, is: yes}, {age_at_least: 8}]}",
            ),
            edit(
                ENGLAND,
                "    when: {answer: disclosed_harm, is: yes}\n    tier: 4",
                "    when: {all: [{answer: disclosed_harm, is: yes}, {age_at_least: 8}]}\n    tier: 4",
            ),
        ],
        message: "no floor puts every child at tier 4 when `disclosed_harm` is yes",
        anchor: Some("  floors:"),
    },
    Hostile {
        why: "immediate danger at tier 4 only from age 5: a baby in danger at tier 1",
        edits: &[
            edit(
                TRAFFORD,
                "      when: {answer: immediate_danger, is: yes}\n      tier: 4",
                "      when: {all: [{answer: immediate_danger, is: yes}, {age_at_least: 5}]}\n      tier: 4",
            ),
            edit(
                ENGLAND,
                "    when: {answer: immediate_danger, is: yes}\n    tier: 4",
                "    when: {all: [{answer: immediate_danger, is: yes}, {age_at_least: 5}]}\n    tier: 4",
            ),
        ],
        message: "no floor puts every child at tier 4 when `immediate_danger` is yes",
        anchor: Some("  floors:"),
    },
    Hostile {
        why: "the national floor for immediate danger lowered by an area's passage",
        edits: &[edit(
            SALFORD,
            "  - floor: national_child_disability",
            "  - floor: national_immediate_danger",
        )],
        message: "`lowers_national` lowers `national_immediate_danger`, which meets `immediate_danger` with the top tier",
        anchor: None,
    },
    Hostile {
        why: "an escape sequence in a label that would forge a line of the result",
        edits: &[edit(
            TRAFFORD,
            "      label: Parent or carer with mental ill health",
            "      label: \"Parent or carer with mental ill health\\e[2K\\rHousehold level: 1\"",
        )],
        message: "holds a control, escape or invisible character (U+001B)",
        anchor: None,
    },
    Hostile {
        why: "an escape in a contact's name",
        edits: &[edit(
            TRAFFORD,
            "    name: Children's First Response (referrals and advice)",
            "    name: \"Children's First Response\\x1b[1A\"",
        )],
        message: "holds a control, escape or invisible character (U+001B)",
        anchor: None,
    },
    Hostile {
        why: "a bidirectional override in a level's name",
        edits: &[edit(
            SALFORD,
            "    name: Getting Risk Support",
            "    name: \"Getting Risk Support\\u202E\"",
        )],
        message: "holds a control, escape or invisible character (U+202E)",
        anchor: None,
    },
    Hostile {
        why: "a number in a route's words, written with hyphens",
        edits: &[edit(
            TRAFFORD,
            "ring the Police on {contact:police_999} now, then",
            "ring the Police on {contact:police_999} now (or 0161-912-5125), then",
        )],
        message: "writes the number 0161-912-5125",
        anchor: None,
    },
    Hostile {
        why: "a number in a route's words, split by a zero-width space",
        edits: &[edit(
            TRAFFORD,
            "ring the Police on {contact:police_999} now, then",
            "ring the Police on {contact:police_999} now (or 0161\u{200B}912 5125), then",
        )],
        message: "holds a control, escape or invisible character (U+200B)",
        anchor: None,
    },
    Hostile {
        why: "a number in a route's words, in full-width digits",
        edits: &[edit(
            TRAFFORD,
            "ring the Police on {contact:police_999} now, then",
            "ring the Police on {contact:police_999} now (or \u{FF10}\u{FF11}\u{FF16}\u{FF11} 912 5125), then",
        )],
        message: "a digit that is not 0-9",
        anchor: None,
    },
    Hostile {
        why: "a number in a contact's name",
        edits: &[edit(
            TRAFFORD,
            "    name: Children's First Response (referrals and advice)",
            "    name: Children's First Response (if engaged 0161 912 2020)",
        )],
        message: "writes the number 0161 912 2020",
        anchor: None,
    },
    Hostile {
        why: "a number in a contact's hours",
        edits: &[edit(
            TRAFFORD,
            "      text: daytime, Mon-Fri 08:30-16:30",
            "      text: daytime, Mon-Fri 08:30-16:30, if engaged ring 07700 900123",
        )],
        message: "writes the number 07700 900123",
        anchor: None,
    },
    Hostile {
        why: "hours that tell a person not to ring a service that is open",
        edits: &[edit(
            TRAFFORD,
            "      text: daytime, Mon-Fri 08:30-16:30",
            "      text: CLOSED - do not ring",
        )],
        message: "hours text says \"closed\"",
        anchor: None,
    },
    Hostile {
        why: "a bank holiday removed",
        edits: &[edit(HOLIDAYS, "  - 2026-12-25 # Christmas Day\n", "")],
        message: "the published bank holiday 2026-12-25 is missing",
        anchor: Some("dates:"),
    },
    Hostile {
        why: "bank holidays said to be published to 2099",
        edits: &[edit(
            HOLIDAYS,
            "published_to: 2027-12-31",
            "published_to: 2099-12-31",
        )],
        message: "goes beyond the published list, which ends with 2027",
        anchor: None,
    },
    Hostile {
        why: "an invented bank holiday",
        edits: &[edit(
            HOLIDAYS,
            "  - 2027-12-28 # Boxing Day (substitute day)\n",
            "  - 2027-12-28 # Boxing Day (substitute day)\n  - 2028-01-03 # New Year\n",
        )],
        message: "2028-01-03 is not a bank holiday in the published list",
        anchor: Some("  - 2028-01-03"),
    },
    Hostile {
        why: "an invented seed-shaped source",
        edits: &[edit(
            TRAFFORD,
            "sources:\n",
            "sources:\n  - key: 005_0123456789abcdef.txt\n    title: \"Levels of need\"\n    publisher: \"Trafford\"\n",
        )],
        message: "source `005_0123456789abcdef.txt` names no shipped text",
        anchor: Some("  - key: 005_0123456789abcdef.txt"),
    },
    Hostile {
        why: "a public page said to be read on another day than its shipped words",
        edits: &[edit(
            TRAFFORD,
            "    checked: 2026-12-07\n    text: sources/pages/nspcc.txt",
            "    checked: 2025-01-01\n    text: sources/pages/nspcc.txt",
        )],
        message: "says it was checked on 2025-01-01, but its shipped text sources/pages/nspcc.txt was read on 2026-12-07",
        anchor: None,
    },
    Hostile {
        why: "the top tier named as the bottom one",
        edits: &[edit(
            SALFORD,
            "    name: Getting Risk Support",
            "    name: Getting Advice",
        )],
        message: "is named \"getting advice\", which is not tier 4",
        anchor: None,
    },
    Hostile {
        why: "one word of a quotation changed",
        edits: &[edit(
            TRAFFORD,
            "please phone Trafford Children's First Response on 0161 912 5125 during the day",
            "please phone Trafford Children's First Response on 0161 912 5125 during the night",
        )],
        message: "which is not in the text of what it cites",
        anchor: None,
    },
    Hostile {
        why: "one digit of a contact's number changed",
        edits: &[edit(
            TRAFFORD,
            "    phone: \"0161 912 5125\"",
            "    phone: \"0161 912 5126\"",
        )],
        message: "number 0161 912 5126 is not in the words it quotes",
        anchor: None,
    },
];

#[test]
fn every_hostile_copy_is_refused_where_it_was_edited() {
    for hostile in HOSTILE {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(Path::new("rules"), dir.path());
        let mut first_line = None;
        for e in hostile.edits {
            let path = dir.path().join(e.file);
            let text = std::fs::read_to_string(&path).unwrap();
            let at = text
                .find(e.find)
                .unwrap_or_else(|| panic!("{}: {:?} is not in {}", hostile.why, e.find, e.file));
            first_line.get_or_insert(text[..at].matches('\n').count() + 1);
            std::fs::write(&path, text.replacen(e.find, e.replace, 1)).unwrap();
        }
        let output = threshold()
            .args(["rules", "check"])
            .arg(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}: passed\n{stderr}",
            hostile.why
        );
        let file = hostile.edits[0].file;
        let path = dir.path().join(file).display().to_string();
        let error = stderr
            .lines()
            .find(|l| l.contains(hostile.message))
            .unwrap_or_else(|| {
                panic!(
                    "{}: expected {:?} in\n{stderr}",
                    hostile.why, hostile.message
                )
            });
        assert!(
            error.starts_with(&format!("{path}:")),
            "{}: not located in {path}: {error}",
            hostile.why
        );
        let position: Vec<usize> = error[path.len() + 1..]
            .split(':')
            .take(2)
            .map(|n| {
                n.parse()
                    .unwrap_or_else(|_| panic!("{}: no line:column in {error}", hostile.why))
            })
            .collect();
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        let expected = match hostile.anchor {
            Some(anchor) => common::line_of(&text, anchor),
            None => first_line.unwrap(),
        };
        assert!(
            position[0] == expected && position[1] >= 1,
            "{}: reported at line {} but expected at line {expected}: {error}",
            hostile.why,
            position[0]
        );
        assert!(stderr.contains("help: "), "{}: {stderr}", hostile.why);
        // Whatever the copy holds, what is printed about it acts on no terminal.
        assert!(
            !stderr.contains('\u{1b}') && !stderr.contains('\u{202E}'),
            "{}: {stderr:?}",
            hostile.why
        );
    }
}

#[test]
fn a_copy_whose_quotation_is_found_nowhere_is_shown_the_nearest_words() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("rules"), dir.path());
    let path = dir.path().join(TRAFFORD);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen(
            "If you have concerns about a child’s immediate safety you should contact the police.",
            "If you have worries about a child’s immediate safety you should contact the police.",
            1,
        ),
    )
    .unwrap();
    let output = threshold()
        .args(["rules", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr
            .contains("the nearest words are in rules/sources/seeds/000_fda4d71004fa14a2.txt line"),
        "{stderr}"
    );
}

/// A copy read to work results out from (`--rules DIR`) is not searched for its
/// quotations, but every promise and every refusal of text still holds there: a hostile
/// copy is refused before any result is shown.
#[test]
fn a_hostile_copy_is_refused_when_read_for_use_too() {
    let case = "examples/cases/trafford-young-carer.yaml";
    for hostile in HOSTILE
        .iter()
        .filter(|h| !h.message.contains("not in the text of what it cites"))
    {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(Path::new("rules"), dir.path());
        for e in hostile.edits {
            let path = dir.path().join(e.file);
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replacen(e.find, e.replace, 1)).unwrap();
        }
        let output = threshold()
            .arg("--rules")
            .arg(dir.path())
            .args(["assess", case, "--at", "2026-11-24T10:00"])
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}: used\n{stderr}",
            hostile.why
        );
        assert!(
            output.stdout.is_empty(),
            "{}: a result was shown",
            hostile.why
        );
        assert!(
            stderr.contains(hostile.message),
            "{}: {stderr}",
            hostile.why
        );
    }
}
