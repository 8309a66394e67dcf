//! The rules book: one area's rules written out for the safeguarding partnership that
//! signs them off (not for a programmer): the ladder, every rule with its condition in
//! words, its effect and its basis, the routes, contacts and front door, and what every
//! bundled scenario comes to in every area. Markdown or one self-contained HTML file.
//!
//! The book is built once as a list of blocks and written out by either writer, so the
//! two formats always say the same.

use super::html_escape;
use super::level_label;
use crate::engine;
use crate::question::QuestionBank;
use crate::rules::model::{
    Area, Basis, Citation, Cited, Contact, Quotes, RouteRole, Rule, SourceDocument,
};
use crate::rules::sources::Library;
use crate::rules::{Origin, RuleSet};
use crate::scenario::{self, Scenario};
use crate::values::Tier;
use std::collections::BTreeMap;

/// The moment every outcome in a book (and in `rules diff`) is worked out at: a Tuesday
/// morning, when every daytime front door is open and no bank holiday falls.
pub const MOMENT: &str = "2026-11-24T10:00";
/// How the book names that moment.
pub const MOMENT_WORDS: &str = "Tuesday 24 November 2026, 10:00 London time";

/// Out of hours, for `rules diff`'s second look at the first call: a Saturday night.
pub const OUT_OF_HOURS: &str = "2026-11-28T02:00";
pub const OUT_OF_HOURS_WORDS: &str = "Saturday 28 November 2026, 02:00";

/// The out-of-hours moment as a London time.
pub fn out_of_hours() -> jiff::ZonedDateTime {
    crate::hours::parse_moment(OUT_OF_HOURS).expect("a valid London time")
}

/// The fixed moment as a London time.
pub fn moment() -> jiff::ZonedDateTime {
    crate::hours::parse_moment(MOMENT).expect("the book's moment is a valid London time")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
}

/// A piece of text: plain words, an identifier (shown as code) or emphasis.
#[derive(Debug, Clone)]
enum Span {
    Text(String),
    Code(String),
    Strong(String),
    /// Words that lead somewhere: a quotation's place in its shipped source text.
    Link(String, String),
}

type Line = Vec<Span>;

#[derive(Debug, Clone)]
enum Block {
    Heading(u8, String),
    Para(Line),
    List(Vec<Line>),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<Line>>,
    },
}

fn text(s: impl Into<String>) -> Line {
    vec![Span::Text(s.into())]
}

fn code(s: impl Into<String>) -> Line {
    vec![Span::Code(s.into())]
}

/// Folded YAML keeps single line breaks in a few texts: one paragraph reads as one line.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where the rules' quotations stand: the shipped source texts, and the text each cited key
/// names (in the area's sources, the national layer's and the question bank's).
pub struct Citations<'a> {
    library: &'a Library,
    texts: BTreeMap<&'a str, &'a str>,
    /// How a path under the rules folder is reached from the book: a relative link for the
    /// bundled rules' books (kept in docs/rules/), the folder's path for a local copy.
    base: String,
    link: bool,
}

impl<'a> Citations<'a> {
    pub fn new(library: &'a Library, rules: &'a RuleSet, area: &'a Area) -> Citations<'a> {
        let mut texts = BTreeMap::new();
        for doc in area
            .sources
            .iter()
            .chain(&rules.national.sources)
            .chain(rules.question_sources.iter())
        {
            if let Some(text) = &doc.text {
                texts.entry(doc.key.as_str()).or_insert(text.as_str());
            }
        }
        let (base, link) = match &rules.origin {
            Origin::Bundled => ("../../rules/".to_string(), true),
            Origin::Local(dir) => (format!("{}/", dir.display()), false),
        };
        Citations {
            library,
            texts,
            base,
            link,
        }
    }

    /// Each quotation of an item, with the line of the shipped text it stands on.
    fn quotes(&self, quotes: &Quotes, source: &str) -> Line {
        let paths: Vec<&str> = self
            .texts
            .iter()
            .filter(|(key, _)| source.contains(*key))
            .map(|(_, path)| *path)
            .collect();
        let mut line = Vec::new();
        for quote in quotes.iter() {
            line.push(Span::Text(format!(" \u{201C}{}\u{201D}", flat(quote))));
            if let Ok(found) = self.library.find(quote, &paths) {
                let place = format!("{} line {}", found.path, found.line);
                let place = if found.secondary {
                    format!("{place}, a third party's copy")
                } else {
                    place
                };
                line.push(Span::Text(" (".into()));
                if self.link {
                    line.push(Span::Link(
                        place,
                        format!("{}{}#L{}", self.base, found.path, found.line),
                    ));
                } else {
                    line.push(Span::Text(format!("{}{place}", self.base)));
                }
                line.push(Span::Text(")".into()));
            }
        }
        line
    }

    /// The shipped text a document's words are checked against, and what it holds.
    fn shipped(&self, doc: &SourceDocument) -> String {
        match doc.text.as_deref().and_then(|t| self.library.get(t)) {
            Some(text) => format!("{} ({})", text.path, text.words.label()),
            None => "none shipped".into(),
        }
    }
}

/// The book for `area`, with the outcome of every scenario in every area of `rules`.
pub fn render(
    rules: &RuleSet,
    library: &Library,
    area: &Area,
    scenarios: &[Scenario],
    format: Format,
) -> String {
    let citations = Citations::new(library, rules, area);
    let blocks = blocks(rules, &citations, area, scenarios);
    match format {
        Format::Markdown => markdown(&blocks),
        Format::Html => html(&format!("Rules book: {}", area.name), &blocks),
    }
}

/// Scored rules (concerns or strengths, named by `what`): each with when it applies, its
/// points and its basis.
fn points_table(what: &str, rules: &[Rule], bank: &QuestionBank, cite: &Citations) -> Block {
    Block::Table {
        head: vec![
            "Rule".into(),
            what.into(),
            "Applies when".into(),
            "Points".into(),
            "Basis".into(),
        ],
        rows: rules
            .iter()
            .map(|r| {
                vec![
                    code(&r.id),
                    text(&r.label),
                    text(bank.describe(&r.when)),
                    text(format!("{:+}", r.points)),
                    basis_line(r.citation(), cite),
                ]
            })
            .collect(),
    }
}

fn basis_line(item: Citation, cite: &Citations) -> Line {
    let mut line = basis_words(item.basis, item.rationale, item.source);
    line.extend(cite.quotes(item.quote, item.source));
    line
}

fn basis_words(basis: Basis, rationale: Option<&str>, source: &str) -> Line {
    match basis {
        Basis::Source => vec![
            Span::Strong("Source:".into()),
            Span::Text(format!(" {}", flat(source))),
        ],
        Basis::Interpretation => vec![
            Span::Strong("Interpretation:".into()),
            Span::Text(format!(
                " {} ",
                flat(rationale.unwrap_or("(no rationale given)"))
            )),
            Span::Strong("Reading:".into()),
            Span::Text(format!(" {}", flat(source))),
        ],
        Basis::Calibration => vec![
            Span::Strong("Calibration:".into()),
            Span::Text(format!(
                " {} ",
                flat(rationale.unwrap_or("(no rationale given)"))
            )),
            Span::Strong("Resting on:".into()),
            Span::Text(format!(" {}", flat(source))),
        ],
    }
}

fn reach(contact: &Contact) -> String {
    [&contact.phone, &contact.email, &contact.web]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("; ")
}

/// A table of documents: key, title, publisher, where and when read, and the shipped text
/// their words are checked against.
fn sources_table(docs: &[SourceDocument], cite: &Citations) -> Block {
    Block::Table {
        head: vec![
            "Key".into(),
            "Document".into(),
            "Publisher".into(),
            "Where, and when read".into(),
            "Words shipped in".into(),
        ],
        rows: docs
            .iter()
            .map(|doc| {
                let mut title = doc.title.clone();
                if doc.general_principle {
                    title.push_str(" (general principle only)");
                }
                let place = match (&doc.url, doc.checked) {
                    (Some(url), Some(checked)) => format!("{url}, read {checked}"),
                    (Some(url), None) => url.clone(),
                    (None, Some(checked)) => format!("read {checked}"),
                    (None, None) => "seed document".into(),
                };
                vec![
                    code(&doc.key),
                    text(title),
                    text(&doc.publisher),
                    text(place),
                    code(cite.shipped(doc)),
                ]
            })
            .collect(),
    }
}

/// Every item of the area's merged rules that decides something: what it is, its layer
/// and what it rests on.
fn items(area: &Area) -> Vec<(String, &'static str, Citation<'_>)> {
    let local = "local";
    let scoring = &area.scoring;
    let mut items: Vec<(String, &'static str, Citation)> = Vec::new();
    items.extend(
        area.levels
            .iter()
            .map(|l| (format!("level {}", l.name), local, l.citation())),
    );
    items.extend(scoring.thresholds.iter().map(|t| {
        (
            format!("threshold for tier {}", t.tier),
            local,
            t.citation(),
        )
    }));
    items.extend(
        scoring
            .weights
            .iter()
            .chain(&scoring.protective.factors)
            .map(|r| (format!("points {}", r.id), local, r.citation())),
    );
    items.extend(
        scoring
            .floors
            .iter()
            .map(|f| (format!("floor {}", f.id), f.layer.label(), f.citation())),
    );
    items.push((
        "how strengths count".into(),
        local,
        scoring.protective.citation(),
    ));
    items.extend(
        area.routes
            .iter()
            .map(|r| (format!("route {}", r.id), r.layer.label(), r.citation())),
    );
    items.extend(
        area.actions
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("next action {}", i + 1), local, a.citation())),
    );
    items.extend(
        area.contacts
            .iter()
            .map(|c| (format!("contact {}", c.id), local, c.citation())),
    );
    items.push(("front door".into(), local, area.front_door.citation()));
    items
}

/// How many of the area's items rest on the sources' words, on this project's reading, and
/// on its calibration.
pub fn basis_counts(area: &Area) -> [(Basis, usize); 3] {
    let items = items(area);
    [Basis::Source, Basis::Interpretation, Basis::Calibration]
        .map(|b| (b, items.iter().filter(|(_, _, c)| c.basis == b).count()))
}

/// Every reading and every number this project chose, in one table for sign-off.
fn sign_off(area: &Area, cite: &Citations) -> Vec<Block> {
    let items = items(area);
    let counts = basis_counts(area);
    let rows = items
        .iter()
        .filter(|(_, _, c)| c.basis != Basis::Source)
        .map(|(what, layer, c)| {
            let mut passage = text(flat(c.source));
            passage.extend(cite.quotes(c.quote, c.source));
            vec![
                text(what),
                text(*layer),
                text(c.basis.label()),
                text(flat(c.rationale.unwrap_or("(no rationale given)"))),
                passage,
            ]
        })
        .collect();
    vec![
        Block::Heading(2, "Readings and numbers to sign off".into()),
        Block::Para(text(format!(
            "Of the {} items above that decide something (levels, thresholds, points, floors, \
             strengths, routes, actions, contacts, front door), {} rest on the words of a source, \
             each quotation checked against the shipped text; {} are this project's reading \
             of a named passage (interpretation) and {} are numbers this project chose \
             (calibration). Every interpretation and calibration is below, with why: these are \
             what a partnership signs off.",
            items.len(),
            counts[0].1,
            counts[1].1,
            counts[2].1
        ))),
        Block::Table {
            head: vec![
                "Item".into(),
                "Layer".into(),
                "Basis".into(),
                "Why".into(),
                "Passage".into(),
            ],
            rows,
        },
    ]
}

/// The book: each part in the order a partnership reads it.
fn blocks(rules: &RuleSet, cite: &Citations, area: &Area, scenarios: &[Scenario]) -> Vec<Block> {
    let mut out = opening(rules, area);
    out.extend(sources(rules, area, cite));
    out.extend(ladder(area, cite));
    out.extend(scoring(rules, area, cite));
    out.extend(routes(&rules.questions, area, cite));
    out.extend(actions(&rules.questions, area, cite));
    out.extend(contacts(area, cite));
    out.extend(front_door(area, cite));
    out.extend(sign_off(area, cite));
    out.extend(grid(rules, area, scenarios));
    out.extend(questions(&rules.questions, cite));
    out
}

/// The title, what the rules are and where they come from, and what the book is for.
fn opening(rules: &RuleSet, area: &Area) -> Vec<Block> {
    let mut out = Vec::new();
    out.push(Block::Heading(1, format!("Rules book: {}", area.name)));
    let origin = match &rules.origin {
        Origin::Bundled => "the rules bundled with threshold".to_string(),
        Origin::Local(dir) => format!("a LOCAL copy of the rules from {}", dir.display()),
    };
    out.push(Block::List(vec![
        text(format!("Guidance followed: {}", flat(&area.edition))),
        text(format!(
            "Rules version {} (area id {}), last reviewed against their sources on {}",
            area.version, area.id, area.reviewed
        )),
        text(format!(
            "Written from {origin}; fingerprint (SHA-256 of every rules file) {}",
            rules.sha256
        )),
    ]));
    out.push(Block::Para(text(
        "This book sets out everything the tool does for this area, so that the partnership \
         can check it against its own guidance and sign it off. Each number is marked \
         either with the passage of a source document that gives it, or as calibration: a \
         number this project chose to put guidance written in words into practice, with \
         the reason for it. The tool supports, and does not replace, professional \
         judgement.",
    )));
    out
}

/// The documents the area, the national layer and the question bank cite.
fn sources(rules: &RuleSet, area: &Area, cite: &Citations) -> Vec<Block> {
    vec![
        Block::Heading(2, "Sources".into()),
        Block::Para(text(
            "The documents the rules cite. Every source below begins with one of these keys. \
             A document marked \"general principle\" is another area's or a national one, \
             cited only for a principle that holds everywhere.",
        )),
        sources_table(&area.sources, cite),
        Block::Para(text(
            "The national layer (rules/england.yaml), beneath every area, cites these:",
        )),
        sources_table(&rules.national.sources, cite),
        Block::Para(text(
            "The question bank (rules/questions.yaml), shared by every area, cites these:",
        )),
        sources_table(&rules.question_sources, cite),
    ]
}

/// The area's levels of need and the common tier of each.
fn ladder(area: &Area, cite: &Citations) -> Vec<Block> {
    let mut out = Vec::new();
    out.push(Block::Heading(2, "The ladder".into()));
    out.push(Block::Para(text(
        "The area's levels of need, lowest first. Each maps to a common tier from 1 to 4, \
         which is how the tool compares areas.",
    )));
    out.push(Block::Table {
        head: vec![
            "Tier".into(),
            "Level".into(),
            "What it means".into(),
            "Source".into(),
        ],
        rows: area
            .levels
            .iter()
            .map(|l| {
                vec![
                    text(l.tier.to_string()),
                    text(&l.name),
                    text(flat(&l.descriptor)),
                    basis_line(l.citation(), cite),
                ]
            })
            .collect(),
    });
    out
}

/// How a child's level is decided: thresholds, points, floors, the national grid and
/// strengths.
fn scoring(rules: &RuleSet, area: &Area, cite: &Citations) -> Vec<Block> {
    let bank = &rules.questions;
    let mut out = Vec::new();
    let scoring = &area.scoring;
    out.push(Block::Heading(2, "How a child's level is decided".into()));
    out.push(Block::Para(text(
        "Each child is scored on the household's answers and their own. Points from the \
         concerns that apply are added up, and the score reaches a level at the thresholds \
         below. A floor puts a child at a level whatever the score. The child's level is \
         the highest of the two, and the household's is the highest of its children's. \
         The order the rules are written in changes nothing.",
    )));
    out.push(Block::Heading(3, "Thresholds".into()));
    out.push(Block::Table {
        head: vec!["Level".into(), "Reached at".into(), "Basis".into()],
        rows: scoring
            .thresholds
            .iter()
            .map(|t| {
                vec![
                    text(level_label(area, t.tier)),
                    text(format!("{} points or more", t.at_least)),
                    basis_line(t.citation(), cite),
                ]
            })
            .collect(),
    });
    out.push(Block::Heading(3, "Concerns that add points".into()));
    out.push(points_table("Concern", &scoring.weights, bank, cite));
    out.push(Block::Heading(3, "Floors".into()));
    out.push(Block::Para(text(
        "When one of these applies the child is at least at the level shown, whatever the \
         score and whatever the family's strengths.",
    )));
    out.push(Block::Table {
        head: vec![
            "Rule".into(),
            "What it is".into(),
            "Applies when".into(),
            "At least".into(),
            "Layer".into(),
            "Basis".into(),
        ],
        rows: scoring
            .floors
            .iter()
            .map(|f| {
                vec![
                    code(&f.id),
                    text(&f.label),
                    text(bank.describe(&f.when)),
                    text(level_label(area, f.tier)),
                    text(f.layer.label()),
                    basis_line(f.citation(), cite),
                ]
            })
            .collect(),
    });
    out.extend(national_grid(rules, area));
    let protective = &scoring.protective;
    out.push(Block::Heading(3, "Strengths (protective factors)".into()));
    let lowering = match protective.max_lowering {
        0 => "In this area strengths never lower a level: their points show in the score, and they shape the plan.".to_string(),
        n => format!(
            "Strengths may lower a level reached by score by at most {n}, never from {} or above, and never below the level one of the child's own needs reaches alone.",
            level_label(area, protective.not_from_tier)
        ),
    };
    let mut line = vec![Span::Text(format!("{lowering} "))];
    line.extend(basis_line(protective.citation(), cite));
    out.push(Block::Para(line));
    out.push(points_table("Strength", &protective.factors, bank, cite));
    out
}

/// Each route: its layer, condition, words, own contacts and basis.
fn routes(bank: &QuestionBank, area: &Area, cite: &Citations) -> Vec<Block> {
    let mut out = Vec::new();
    out.push(Block::Heading(2, "Routes".into()));
    out.push(Block::Para(text(
        "What the practitioner is told to do, in the order shown, most urgent first. A \
         route applies when its condition holds for the household or for any child.",
    )));
    for route in &area.routes {
        out.push(Block::Heading(3, format!("Route {}", route.id)));
        let mut items = vec![
            vec![
                Span::Strong("Layer:".into()),
                Span::Text(format!(" {}", route.layer.label())),
            ],
            vec![
                Span::Strong("Applies when:".into()),
                Span::Text(format!(" {}", bank.describe(&route.when))),
            ],
            vec![
                Span::Strong("Says:".into()),
                Span::Text(format!(" {}", flat(&route.text))),
            ],
        ];
        if route.role == Some(RouteRole::Emergency) {
            items.insert(
                1,
                vec![
                    Span::Strong("Role:".into()),
                    Span::Text(
                        " emergency (999 first; a result it is part of is an emergency)".into(),
                    ),
                ],
            );
        }
        for line in &route.detail {
            items.push(vec![
                Span::Strong("Point:".into()),
                Span::Text(format!(" {}", flat(line))),
            ]);
        }
        if !route.contacts.is_empty() {
            let names: Vec<String> = route
                .contacts
                .iter()
                .map(|id| area.contact(id).map_or(id.clone(), |c| c.name.clone()))
                .collect();
            items.push(vec![
                Span::Strong("Its own contacts, in order:".into()),
                Span::Text(format!(" {}", names.join("; "))),
            ]);
        }
        items.push(basis_line(route.citation(), cite));
        out.push(Block::List(items));
    }
    out
}

/// The next actions and when each applies.
fn actions(bank: &QuestionBank, area: &Area, cite: &Citations) -> Vec<Block> {
    let mut out = Vec::new();
    out.push(Block::Heading(2, "Next actions".into()));
    out.push(Block::Table {
        head: vec!["Applies when".into(), "Action".into(), "Source".into()],
        rows: area
            .actions
            .iter()
            .map(|a| {
                vec![
                    text(bank.describe(&a.when)),
                    text(flat(&a.text)),
                    basis_line(a.citation(), cite),
                ]
            })
            .collect(),
    });
    out
}

/// Every number the tool can show.
fn contacts(area: &Area, cite: &Citations) -> Vec<Block> {
    let mut out = Vec::new();
    out.push(Block::Heading(2, "Contacts".into()));
    out.push(Block::Para(text(
        "Every number the tool can show, with its hours, when it was last checked and how \
         sure that check is. Texts above name these contacts; their numbers are filled in \
         from here, so a changed number is changed in one place.",
    )));
    out.push(Block::Table {
        head: vec![
            "Contact".into(),
            "Number".into(),
            "Hours".into(),
            "Checked".into(),
            "Confidence".into(),
            "Source".into(),
        ],
        rows: area
            .contacts
            .iter()
            .map(|c| {
                let mut hours = flat(&c.hours.text);
                if !c.hours.confirmed {
                    hours.push_str(" (times not confirmed)");
                }
                let mut name = c.name.clone();
                if c.emergency {
                    name.push_str(" (emergency)");
                }
                vec![
                    vec![Span::Text(format!("{name} ")), Span::Code(c.id.clone())],
                    text(reach(c)),
                    text(hours),
                    text(c.checked.to_string()),
                    text(c.confidence.label()),
                    basis_line(c.citation(), cite),
                ]
            })
            .collect(),
    });
    out
}

/// Children's social care's front door by time of day, and bank holidays.
fn front_door(area: &Area, cite: &Citations) -> Vec<Block> {
    let mut out = Vec::new();
    out.push(Block::Heading(2, "The front door".into()));
    let [daytime, duty] = area.front_doors();
    let holidays = &area.bank_holidays;
    let published = holidays
        .published_to
        .map_or("no date".to_string(), |d| d.to_string());
    out.push(Block::List(vec![
        text(format!(
            "Daytime: {} ({}), {}",
            daytime.name,
            reach(daytime),
            flat(&daytime.hours.text)
        )),
        text(format!(
            "Out of hours: {} ({}), {}",
            duty.name,
            reach(duty),
            flat(&duty.hours.text)
        )),
        basis_line(area.front_door.citation(), cite),
        text(format!(
            "Bank holidays count as out of hours: the daytime service is closed and the duty \
             team answers. The list runs to {published} ({} dates); after it, a result lists \
             both numbers and says it cannot know.",
            holidays.dates.len()
        )),
        vec![
            Span::Strong("Bank holidays source:".into()),
            Span::Text(format!(" {}", flat(&holidays.source))),
        ],
    ]));
    out.push(Block::Para(text(
        "What cannot wait (an emergency, the top level, or immediate danger not ruled out) \
         is told to ring the service open at that moment. What can wait is shown the \
         daytime service first, with when it opens, and the duty team \"if it cannot \
         wait\". 999 comes first whenever a child may be in danger, and is always listed.",
    )));
    out
}

/// The questions the conditions above name, with the words a practitioner is asked.
/// Each worry alone, by age band: the tier the national layer gives, this area's, and every
/// other area's, so a partnership sees where it stands against the law and its neighbours.
fn national_grid(rules: &RuleSet, area: &Area) -> Vec<Block> {
    use crate::rules::national;
    let bank = &rules.questions;
    let others: Vec<&Area> = rules.areas.iter().filter(|a| a.id != area.id).collect();
    let mut areas = vec![area];
    areas.extend(&others);
    let mut head = vec!["Worry alone".into(), "Age".into(), "National".into()];
    head.extend(areas.iter().map(|a| a.name.clone()));
    let rows = national::grid(bank, &rules.national, &areas)
        .into_iter()
        .map(|row| {
            let mut line = vec![
                text(&bank.question(row.question).short),
                text(row.band),
                text(
                    if national::not_a_need_alone_anywhere(&rules.national, row.question)
                        && row.national == Tier::BOTTOM
                    {
                        "1 (not a need alone)".to_string()
                    } else {
                        row.national.to_string()
                    },
                ),
            ];
            line.extend(row.areas.iter().map(|t| text(t.to_string())));
            line
        })
        .collect();
    let lowered: Vec<Line> = area
        .lowers_national
        .iter()
        .map(|l| {
            vec![
                Span::Strong(format!("{}:", l.floor)),
                Span::Text(format!(
                    " {} \"{}\" ({})",
                    l.tier
                        .map_or("does not apply here".to_string(), |t| format!(
                            "lowered to tier {t}"
                        )),
                    flat(&l.passage),
                    flat(&l.source)
                )),
            ]
        })
        .collect();
    let mut out = vec![
        Block::Heading(3, "Each worry alone, against the national layer".into()),
        Block::Para(text(
            "The tier each worrying answer gives on its own (everything else unknown), by the \
             child's age, under the national layer (English law and statutory guidance, \
             rules/england.yaml) and in each area. An area goes below the national layer only \
             where its own document says so (listed below the table).",
        )),
        Block::Table { head, rows },
    ];
    if lowered.is_empty() {
        out.push(Block::Para(text(format!(
            "{} goes below the national layer nowhere.",
            area.name
        ))));
    } else {
        out.push(Block::Para(text(format!(
            "Where {} goes below the national layer, in its own words:",
            area.name
        ))));
        out.push(Block::List(lowered));
    }
    out
}

fn questions(bank: &crate::question::QuestionBank, cite: &Citations) -> Vec<Block> {
    use crate::question::{About, Kind, Worrying};
    vec![
        Block::Heading(2, "The questions".into()),
        Block::Para(text(
            "The conditions above name questions by the short words in the first column. \
             The question bank is shared by every area; case files use the ids.",
        )),
        Block::Table {
            head: vec![
                "Question".into(),
                "What is asked".into(),
                "About".into(),
                "Worrying answer".into(),
                "Source".into(),
            ],
            rows: bank
                .questions()
                .map(|(_, q)| {
                    let about = match q.about {
                        About::Household => "the household",
                        About::Child => "each child",
                    };
                    let worrying = match (q.kind, q.worrying) {
                        (Kind::Count, _) | (_, Worrying::More) => "a higher count",
                        (_, Worrying::Yes) => "yes",
                        (_, Worrying::No) => "no (a strength)",
                    };
                    vec![
                        vec![
                            Span::Text(format!("{} ", q.short)),
                            Span::Code(q.id.clone()),
                        ],
                        text(flat(&q.prompt)),
                        text(about),
                        text(worrying),
                        basis_line(q.citation(), cite),
                    ]
                })
                .collect(),
        },
    ]
}

/// Every scenario in every area: the household's level and the routes, at the book's moment.
fn grid(rules: &RuleSet, area: &Area, scenarios: &[Scenario]) -> Vec<Block> {
    let at = moment();
    let mut out = vec![Block::Heading(2, "Scenario outcomes in every area".into())];
    out.push(Block::Para(vec![
        Span::Text(format!(
            "Each bundled trainer scenario assessed under each area's rules at {MOMENT_WORDS} \
             (contacts depend on the time; levels and routes do not). This area is {}. A \
             cell marked \"not as expected\" differs from what the scenario says the rules \
             should give; ",
            area.name
        )),
        Span::Code("threshold rules test".into()),
        Span::Text(" lists those.".into()),
    ]));
    let mismatches = scenario::check(rules, scenarios, &at);
    let mut head = vec!["Scenario".to_string()];
    head.extend(rules.areas.iter().map(|a| a.name.clone()));
    let rows = scenarios
        .iter()
        .map(|s| {
            let mut row = vec![vec![
                Span::Text(format!("{} ", s.title)),
                Span::Code(s.name.clone()),
            ]];
            for other in &rules.areas {
                let outcome = engine::assess(other, &rules.questions, &s.case, &at);
                let level = outcome
                    .overall
                    .map_or("no children".to_string(), |t| level_label(other, t));
                let routes: Vec<&str> =
                    outcome.routes.iter().map(|r| r.route.id.as_str()).collect();
                let mut cell = vec![
                    Span::Strong(level),
                    Span::Text(format!("; routes: {}", routes.join(", "))),
                ];
                if mismatches
                    .iter()
                    .any(|m| m.scenario == s.name && m.area == other.id)
                {
                    cell.push(Span::Strong(" (not as expected)".into()));
                }
                row.push(cell);
            }
            row
        })
        .collect();
    out.push(Block::Table { head, rows });
    out
}

// ------------------------------------------------------------------------------ Markdown

/// Markdown that reads as plain text: only what would be taken for markup is escaped.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let word = |j: Option<&char>| j.is_some_and(|c| c.is_alphanumeric());
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' => true,
            '_' => !(word(i.checked_sub(1).and_then(|j| chars.get(j))) && word(chars.get(i + 1))),
            '#' => i == 0,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn md_line(line: &Line) -> String {
    line.iter()
        .map(|span| match span {
            Span::Text(s) => md_escape(s),
            // Emphasis may not begin or end with a space: keep the spaces outside it.
            Span::Strong(s) => {
                let before = &s[..s.len() - s.trim_start().len()];
                let after = &s[s.trim_end().len()..];
                format!("{before}**{}**{after}", md_escape(s.trim()))
            }
            Span::Code(s) => {
                let fence = if s.contains('`') { "`` " } else { "`" };
                let close = if s.contains('`') { " ``" } else { "`" };
                format!("{fence}{}{close}", s.replace('|', "\\|"))
            }
            Span::Link(words, href) => format!(
                "[{}]({})",
                md_escape(words),
                href.replace(' ', "%20").replace(')', "%29")
            ),
        })
        .collect()
}

fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(level, title) => {
                out.push_str(&format!(
                    "{} {}\n\n",
                    "#".repeat(usize::from(*level)),
                    md_escape(title)
                ));
            }
            Block::Para(line) => out.push_str(&format!("{}\n\n", md_line(line))),
            Block::List(items) => {
                for item in items {
                    out.push_str(&format!("- {}\n", md_line(item)));
                }
                out.push('\n');
            }
            Block::Table { head, rows } => {
                let head: Vec<String> = head.iter().map(|h| md_escape(h)).collect();
                out.push_str(&format!("| {} |\n", head.join(" | ")));
                out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(md_line).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.push('\n');
            }
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------- HTML

fn html_line(line: &Line) -> String {
    line.iter()
        .map(|span| match span {
            Span::Text(s) => html_escape(s),
            Span::Strong(s) => format!("<strong>{}</strong>", html_escape(s)),
            Span::Code(s) => format!("<code>{}</code>", html_escape(s)),
            // The page links to nothing: it must read the same printed or alone.
            Span::Link(words, _) => html_escape(words),
        })
        .collect()
}

/// One page, no script and nothing fetched: the style is inline and the policy forbids
/// anything else, so the file reads the same offline, in any browser, and on paper.
pub const HTML_STYLE: &str = "
body, li { overflow-wrap: break-word; }
body { font-family: Georgia, 'Times New Roman', serif; line-height: 1.45; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #111; background: #fff; }
h1, h2, h3 { font-family: Arial, Helvetica, sans-serif; line-height: 1.2; }
h2 { border-bottom: 2px solid #333; padding-bottom: 0.2rem; margin-top: 2.5rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #888; padding: 0.3rem 0.45rem; vertical-align: top; text-align: left; }
th { background: #e8e8e8; }
code { font-family: 'Courier New', monospace; font-size: 0.85em; overflow-wrap: anywhere; }
ul { padding-left: 1.2rem; }
@media print {
  body { max-width: none; margin: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  tr, li { break-inside: avoid; }
  thead { display: table-header-group; }
  th { background: none; }
}
";

fn html(title: &str, blocks: &[Block]) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", html_escape(title)));
    out.push_str(&format!("<style>{HTML_STYLE}</style>\n</head>\n<body>\n"));
    for block in blocks {
        match block {
            Block::Heading(level, title) => {
                out.push_str(&format!("<h{level}>{}</h{level}>\n", html_escape(title)));
            }
            Block::Para(line) => out.push_str(&format!("<p>{}</p>\n", html_line(line))),
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    out.push_str(&format!("<li>{}</li>\n", html_line(item)));
                }
                out.push_str("</ul>\n");
            }
            Block::Table { head, rows } => {
                out.push_str("<table>\n<thead><tr>");
                for h in head {
                    out.push_str(&format!("<th>{}</th>", html_escape(h)));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        out.push_str(&format!("<td>{}</td>", html_line(cell)));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_markup_but_not_words() {
        assert_eq!(md_escape("a_b 004_6a0c.txt"), "a_b 004_6a0c.txt");
        assert_eq!(
            md_escape("_x_ *y* [z] <b> a|b"),
            "\\_x\\_ \\*y\\* \\[z\\] \\<b\\> a\\|b"
        );
        assert_eq!(md_escape("# not a heading"), "\\# not a heading");
    }

    #[test]
    fn markdown_emphasis_keeps_its_spaces_outside() {
        let line = vec![
            Span::Text("a".into()),
            Span::Strong(" b_c ".into()),
            Span::Code("x|y".into()),
        ];
        assert_eq!(md_line(&line), "a **b_c** `x\\|y`");
    }

    #[test]
    fn html_escapes_everything_that_could_be_markup() {
        assert_eq!(
            html_escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn the_moment_is_a_tuesday_morning_in_london() {
        let at = moment();
        assert_eq!(at.weekday(), jiff::civil::Weekday::Tuesday);
        assert_eq!((at.hour(), at.minute()), (10, 0));
        assert_eq!(at.time_zone().iana_name(), Some("Europe/London"));
    }
}
