//! What `threshold rules check` refuses and warns about. Structural mistakes (a misspelt
//! field or question id) are caught while reading, with the parser's position; the checks
//! here need the whole file, and point at the id or key they are about.

use super::model::{Area, Basis, Citation, Cited, Floor, National, Quotes, Rule, SourceDocument};
use super::sources::{self, Library};
use crate::condition::{Condition, Test};
use crate::error::{Diagnostic, Location};
use crate::hours::{first_run_where, week_cover};
use crate::question::{About, Answer, Kind, QId, QuestionBank, QuestionRole, Worrying};
use crate::seek::Step;
use crate::values::Tier;
use std::collections::HashSet;

/// The most points one rule may give or take, and the highest threshold: with at most a
/// few hundred rules, no sum comes near overflow.
const MAX_POINTS: i32 = 100;
const MAX_THRESHOLD: i32 = 1000;

/// Where something stands in the file: the path the parser follows to it, read only when
/// a message needs it. Where the file does not write the path's last steps (a field left
/// to its default), the message stands at the deepest step it does write.
#[derive(Debug, Clone, Default)]
struct At<'p>(Vec<Step<'p>>);

impl<'p> At<'p> {
    /// The whole file: a message about nothing in particular.
    fn file() -> At<'p> {
        At(Vec::new())
    }

    /// A key of the file's top level.
    fn top(key: &'p str) -> At<'p> {
        At(vec![Step::Key(key)])
    }

    /// The field `key` of what stands here.
    fn then(&self, key: &'p str) -> At<'p> {
        let mut path = self.0.clone();
        path.push(Step::Key(key));
        At(path)
    }

    /// Element `index` of the list that stands here.
    fn nth(&self, index: usize) -> At<'p> {
        let mut path = self.0.clone();
        path.push(Step::Index(index));
        At(path)
    }
}

struct Report<'a> {
    file: &'a str,
    text: &'a str,
    /// The documents a `source:` may cite, by key.
    sources: &'a [SourceDocument],
    /// The shipped texts quotations are checked against, and whether to look for them.
    library: &'a Library,
    quotations: super::Quotations,
    found: Vec<Diagnostic>,
}

/// Whether an item labelled `source` must quote the words it rests on: every item but a
/// question, which cites where its worry is named.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoting {
    Required,
    Optional,
}

impl Report<'_> {
    /// Where `at` stands in the file, found by the parser.
    fn place(&self, at: &At) -> Option<Location> {
        crate::yaml::locate_nearest(self.text, &at.0)
    }

    fn error(&mut self, at: &At, message: String, help: &str) {
        let location = self.place(at);
        self.found.push(
            Diagnostic::error(crate::error::Code::RulesInvariant, self.file, message)
                .at(location)
                .help(help),
        );
    }

    fn warning(&mut self, at: &At, message: String, help: &str) {
        let location = self.place(at);
        self.found.push(
            Diagnostic::warning(crate::error::Code::RulesCheckWarning, self.file, message)
                .at(location)
                .help(help),
        );
    }

    /// Every source begins with the key of a declared document, names no undeclared seed
    /// file, and says "general principle" where it cites a document declared as one.
    fn source(&mut self, item: &At, what: &str, source: &str) {
        if let Some(problem) = citation_problem(self.sources, source) {
            self.error(
                &item.then("source"),
                format!("{what} {problem}"),
                "begin the source with a key declared under `sources:` (a seed file such as 004_6a0c92154672053a.txt, or a public page's key), then the section; see rules/README.md",
            );
        }
    }

    /// An item's citation, its quotations and its basis: the source names declared
    /// documents; every quotation (under `quote:`, or in double quotation marks in the
    /// source or the rationale) stands in a shipped text of a document the item cites; an
    /// item labelled `source` quotes the words it rests on, and not from a third party's
    /// copy; an interpretation or calibration says why. `item` is where the item stands,
    /// `at` where a message about it points (its id).
    fn cites(&mut self, item: &At, at: &At, what: &str, cite: Citation, words: Quoting) {
        self.source(item, what, cite.source);
        let cited: Vec<&SourceDocument> = self
            .sources
            .iter()
            .filter(|d| cite.source.contains(d.key.as_str()))
            .collect();
        let paths: Vec<&str> = cited.iter().filter_map(|d| d.text.as_deref()).collect();
        let mut quoted = false;
        for (nth, quote) in cite.quote.iter().enumerate() {
            quoted = true;
            // (One quotation written as the value of `quote:` itself is placed there.)
            let quote_at = item.then("quote").nth(nth);
            self.quotation(&quote_at, what, quote, &paths, &cited, cite.basis);
        }
        for quote in quoted_runs(cite.source) {
            quoted = true;
            self.quotation(
                &item.then("source"),
                what,
                quote,
                &paths,
                &cited,
                cite.basis,
            );
        }
        if let Some(rationale) = cite.rationale {
            let all: Vec<&SourceDocument> = self.sources.iter().collect();
            let every: Vec<&str> = paths
                .iter()
                .copied()
                .chain(self.sources.iter().filter_map(|d| d.text.as_deref()))
                .collect();
            let rationale_at = item.then("rationale");
            for quote in quoted_runs(rationale) {
                self.quotation(&rationale_at, what, quote, &every, &all, Basis::Calibration);
            }
        }
        if cite.basis == Basis::Source && words == Quoting::Required && !quoted {
            self.error(
                at,
                format!("{what} is labelled `source` but quotes none of the source's words"),
                "add `quote:` with the words it rests on, as they stand in the shipped text; or say `basis: interpretation` (with the passage read) or `basis: calibration`, each with a `rationale:`",
            );
        }
        if cite.basis != Basis::Source && cite.rationale.is_none_or(|r| r.trim().is_empty()) {
            self.error(
                at,
                format!("{what} is {} but gives no rationale", cite.basis.label()),
                "add `rationale:` saying why this reading or number, in words a partnership can check",
            );
        }
    }

    /// One quotation: found in a shipped text of a cited document, or an error showing
    /// the nearest words there.
    fn quotation(
        &mut self,
        at: &At,
        what: &str,
        quote: &str,
        paths: &[&str],
        cited: &[&SourceDocument],
        basis: Basis,
    ) {
        if self.quotations == super::Quotations::Skip {
            return;
        }
        let shown = crate::text::shorten(quote, 70);
        if paths.is_empty() {
            let keys: Vec<&str> = cited.iter().map(|d| d.key.as_str()).collect();
            self.error(
                at,
                format!(
                    "{what} quotes \"{shown}\", but no shipped text is declared for {}",
                    if keys.is_empty() {
                        "its source".to_string()
                    } else {
                        keys.join(", ")
                    }
                ),
                "give the source document `text: sources/...txt` and ship the words there",
            );
            return;
        }
        match self.library.find(quote, paths) {
            Ok(found) if found.secondary && basis == Basis::Source => self.error(
                at,
                format!(
                    "{what} quotes \"{shown}\", found only in a third party's copy ({} line {}), yet is labelled `source`",
                    found.path, found.line
                ),
                "say `basis: interpretation` with a rationale, or quote the document's own words",
            ),
            Ok(_) => {}
            Err(missing) => {
                let help = match missing.nearest {
                    Some((path, line, words)) => format!(
                        "the nearest words are in rules/{path} line {line}: \"{words}\"; quote the source exactly (`...` marks words left out)"
                    ),
                    None => format!(
                        "quote the words as they stand in rules/{}; `...` marks words left out",
                        paths.join(", rules/")
                    ),
                };
                self.error(
                    at,
                    format!("{what} quotes \"{shown}\", which is not in the text of what it cites"),
                    &help,
                );
            }
        }
    }

    /// A contact's phone number and email stand in the words it quotes (so a number
    /// cannot change without its passage): digits compared whatever the spacing.
    fn number_quoted(&mut self, item: &At, what: &str, contact: &super::model::Contact) {
        let digits = |t: &str| -> String { t.chars().filter(char::is_ascii_digit).collect() };
        let quoted: Vec<&String> = contact.quote.iter().collect();
        if quoted.is_empty() {
            return;
        }
        if let Some(phone) = &contact.phone {
            let want = digits(phone);
            let in_quote = quoted.iter().any(|q| {
                let mut run = String::new();
                let mut found = false;
                for c in q.chars() {
                    if c.is_ascii_digit() {
                        run.push(c);
                    } else if !(c == ' ' || c == '\u{a0}' || c == '-' || c == '(' || c == ')') {
                        found |= run == want;
                        run.clear();
                    }
                }
                found || run == want
            });
            if !in_quote {
                self.error(
                    &item.then("phone"),
                    format!("{what}'s number {phone} is not in the words it quotes"),
                    "quote the passage that gives this number, or correct the number to the one the passage gives",
                );
            }
        }
        if let Some(email) = &contact.email
            && !quoted
                .iter()
                .any(|q| q.to_lowercase().contains(&email.to_lowercase()))
        {
            self.error(
                &item.then("email"),
                format!("{what}'s email {email} is not in the words it quotes"),
                "quote the passage that gives this address, or correct it",
            );
        }
    }

    /// Weights and thresholds are always this project's calibration: no seed gives points.
    /// `item`'s basis, where it says (or would say) what it is.
    fn must_calibrate(&mut self, item: &At, what: &str, basis: Basis) {
        if basis != Basis::Calibration {
            self.error(
                &item.then("basis"),
                format!("{what} is a number no source gives: it must say `basis: calibration`"),
                "add `basis: calibration` and a `rationale:` saying why this number",
            );
        }
    }
}

/// The runs of two words or more that `text` puts in double quotation marks (straight
/// or curly): each is a quotation to check.
fn quoted_runs(text: &str) -> Vec<&str> {
    let mut runs = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['"', '\u{201C}']) {
        let after = &rest[open + rest[open..].chars().next().map_or(1, char::len_utf8)..];
        let Some(close) = after.find(['"', '\u{201D}']) else {
            break;
        };
        let run = &after[..close];
        if run.split_whitespace().count() >= 2 {
            runs.push(run);
        }
        rest = &after[close + after[close..].chars().next().map_or(1, char::len_utf8)..];
    }
    runs
}

/// The documents a rules file may cite: each key once; a public page with where it is and
/// when it was read (not in the future).
/// `not_after`: no source can have been read after this day — today, or the rules' own
/// review date when the machine's clock is behind it (a wrong clock never stops the
/// bundled rules loading).
fn check_sources(report: &mut Report, not_after: jiff::civil::Date) {
    let mut keys = HashSet::new();
    for (nth, doc) in report.sources.iter().enumerate() {
        let item = At::top("sources").nth(nth);
        let at = &item.then("key");
        if !keys.insert(doc.key.as_str()) {
            report.error(
                at,
                format!("source `{}` is declared twice", doc.key),
                "declare each document once",
            );
        }
        if !is_seed_file(&doc.key) && doc.checked.is_none() {
            report.error(
                at,
                format!(
                    "source `{}` is a public page but gives no `checked:` date",
                    doc.key
                ),
                "add the date the page was read (and its `url:` where it is known)",
            );
        }
        match doc.text.as_deref().map(|t| (t, report.library.get(t))) {
            None => report.error(
                at,
                format!("source `{}` names no shipped text", doc.key),
                "add `text: sources/...txt` naming the document's words shipped in rules/sources/",
            ),
            Some((path, None)) => report.error(
                &item.then("text"),
                format!("source `{}` names `{path}`, which is not a shipped text", doc.key),
                "ship the document's words at that path under the rules folder (see rules/sources/README.md), or fix the path",
            ),
            Some((path, Some(shipped))) => {
                if shipped.checked() != doc.checked && doc.checked.is_some() {
                    report.error(
                        &item.then("checked"),
                        format!(
                            "source `{}` says it was checked on {}, but its shipped text {path} was read on {}",
                            doc.key,
                            doc.checked.map_or("(no date)".into(), |d| d.to_string()),
                            shipped.header.get("checked").map_or("(no date)", String::as_str)
                        ),
                        "the date a page was checked is the date its words were read: make the two agree",
                    );
                }
                let bare = |u: &str| {
                    u.trim()
                        .trim_start_matches("https://")
                        .trim_start_matches("http://")
                        .trim_start_matches("www.")
                        .trim_end_matches('/')
                        .to_lowercase()
                };
                if let Some(url) = &doc.url
                    && !shipped.header.get("url").is_some_and(|u| {
                        let (a, b) = (bare(u), bare(url));
                        a.starts_with(&b) || b.starts_with(&a)
                    })
                {
                    report.error(
                        &item.then("url"),
                        format!("source `{}` is at {url}, but its shipped text {path} says it came from elsewhere", doc.key),
                        "make the `url:` of the source and of its shipped text agree",
                    );
                }
                if shipped.words == sources::Words::Notes && is_seed_file(&doc.key) {
                    report.error(at, format!("seed document `{}` is shipped as notes, not its words", doc.key), "ship the seed's text verbatim");
                }
            }
        }
        if let Some(checked) = doc.checked
            && checked > not_after
        {
            report.error(
                &item.then("checked"),
                format!(
                    "source `{}` was checked on {checked}, which is in the future",
                    doc.key
                ),
                "write the date the page was actually read",
            );
        }
    }
}

fn citation_problem(sources: &[SourceDocument], source: &str) -> Option<String> {
    let source = source.trim();
    if source.is_empty() {
        return Some("has no source".into());
    }
    let begins = sources.iter().any(|doc| {
        source
            .strip_prefix(doc.key.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', ',', ';', '(', ':']))
    });
    if !begins {
        let shown: String = source.chars().take(60).collect();
        return Some(format!(
            "has a source that begins with no declared document: `{shown}`"
        ));
    }
    for word in
        source.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')')
    {
        let word = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '.');
        let word = word.trim_end_matches('.');
        let word = if word.ends_with(".txt") {
            word
        } else {
            continue;
        };
        if !sources.iter().any(|d| d.key == word) {
            return Some(format!(
                "cites `{word}`, which is not declared under `sources:`"
            ));
        }
    }
    sources
        .iter()
        .filter(|d| d.general_principle && source.contains(d.key.as_str()))
        .find(|_| !source.contains("general principle"))
        .map(|d| {
            format!(
                "cites `{}`, another area's or a national document, without saying it is for a general principle",
                d.key
            )
        })
}

fn is_seed_file(word: &str) -> bool {
    word.len() == 24
        && word.ends_with(".txt")
        && word.as_bytes()[3] == b'_'
        && word[..3].bytes().all(|b| b.is_ascii_digit())
        && word[4..20].bytes().all(|b| b.is_ascii_hexdigit())
}

/// How a condition may use answers where it stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Weights and floors: only the worrying answer, so a more worrying answer never lowers a tier.
    Risk,
    /// Protective factors: only the reassuring answer, so a protective factor never raises one.
    Protective,
    /// Routes: any test, per child.
    Route,
    /// Actions: household answers and the household tier only.
    Action,
    /// When to ask a question: earlier answers, and for a child question the child's age.
    AskWhen { question: QId, about: About },
}

fn check_condition(
    report: &mut Report,
    at: &At,
    what: &str,
    condition: &Condition,
    bank: &QuestionBank,
    usage: Use,
) {
    for atom in condition.atoms() {
        let problem: Option<String> = match (atom, usage) {
            (Condition::Answer(q, test), _) => answer_problem(bank, *q, *test, usage),
            (
                Condition::AgeAtLeast(_) | Condition::AgeUnder(_) | Condition::Unborn,
                Use::Action,
            ) => Some("actions are for the household: a child's age belongs in a route".into()),
            (
                Condition::AgeAtLeast(_) | Condition::AgeUnder(_) | Condition::Unborn,
                Use::AskWhen {
                    about: About::Household,
                    ..
                },
            ) => Some("a household question cannot depend on a child's age".into()),
            (
                Condition::TierAtLeast(_)
                | Condition::TierIn(_)
                | Condition::UnknownCouldRaise
                | Condition::Settled,
                Use::Risk | Use::Protective | Use::AskWhen { .. },
            ) => Some("scoring and questions cannot depend on the tier they decide".into()),
            (
                Condition::NoChildren,
                Use::Risk | Use::Protective | Use::AskWhen { .. } | Use::Route,
            ) => Some("`no_children` is for actions only".into()),
            _ => None,
        };
        if let Some(problem) = problem {
            report.error(
                at,
                format!("{what}: {problem}"),
                "see rules/README.md for what a condition may test where",
            );
        }
    }
}

fn answer_problem(bank: &QuestionBank, q: QId, test: Test, usage: Use) -> Option<String> {
    let question = bank.question(q);
    let id = &question.id;
    match (question.kind, test) {
        (Kind::Yesno, Test::AtLeast(_)) => {
            return Some(format!("`{id}` is yes/no: test it with `is:`"));
        }
        (Kind::Count, Test::Is(_)) => {
            return Some(format!("`{id}` is a count: test it with `at_least:`"));
        }
        _ => {}
    }
    let worrying = match (question.worrying, test) {
        (_, Test::IsUnknown) => None,
        (Worrying::Yes, Test::Is(a)) => Some(a == Answer::Yes),
        (Worrying::No, Test::Is(a)) => Some(a == Answer::No),
        (_, _) => Some(true),
    };
    match usage {
        Use::Risk if worrying != Some(true) => Some(format!(
            "a weight or floor may only test the worrying answer of `{id}`, so that a more worrying answer never lowers a tier"
        )),
        Use::Protective if worrying != Some(false) => Some(format!(
            "a protective factor may only test the reassuring answer of `{id}`, so that it never raises a tier"
        )),
        Use::Action if question.about == About::Child => Some(format!(
            "actions are for the household: `{id}` is about a child and belongs in a route"
        )),
        Use::AskWhen {
            question: asking,
            about,
        } => {
            if q >= asking {
                Some(format!(
                    "`{id}` is not asked before this question: ask_when may only use earlier answers"
                ))
            } else if about == About::Household && question.about == About::Child {
                Some(format!(
                    "a household question cannot depend on the child question `{id}`"
                ))
            } else {
                None
            }
        }
        _ => None,
    }
}

pub fn questions(
    bank: &QuestionBank,
    (library, quotations): (&Library, super::Quotations),
    sources: &[SourceDocument],
    text: &str,
    file: &str,
    not_after: jiff::civil::Date,
) -> Vec<Diagnostic> {
    let mut report = Report {
        file,
        text,
        sources,
        library,
        quotations,
        found: Vec::new(),
    };
    check_sources(&mut report, not_after);
    if bank.len() > crate::question::QSet::CAPACITY {
        report.error(
            &At::file(),
            format!(
                "the bank has {} questions; the engine's trace holds at most {}",
                bank.len(),
                crate::question::QSet::CAPACITY
            ),
            "merge questions, or widen QSet in src/question.rs",
        );
    }
    let mut seen = HashSet::new();
    for (q, question) in bank.questions() {
        check_question(&mut report, bank, q, question, &mut seen);
    }
    let mut danger = bank
        .questions()
        .filter(|(_, question)| question.role == Some(QuestionRole::ImmediateDanger));
    if danger.next().is_none() {
        report.error(
            &At::file(),
            "no question has `role: immediate_danger`".into(),
            "give the question about a child in immediate danger `role: immediate_danger`: it is asked first and puts 999 first",
        );
    }
    if let Some((q, second)) = danger.next() {
        report.error(
            &At::top("questions").nth(q.index()).then("id"),
            format!(
                "`{}` is a second question with `role: immediate_danger`",
                second.id
            ),
            "the bank has one immediate-danger question: remove the other's `role:`",
        );
    }
    report.found
}

/// One question of the bank: its id, its kind and worrying answer, what it becomes before
/// birth, when it is asked, its role and its source.
fn check_question<'a>(
    report: &mut Report<'_>,
    bank: &QuestionBank,
    q: QId,
    question: &'a crate::question::Question,
    seen: &mut HashSet<&'a str>,
) {
    let id = question.id.as_str();
    let item = At::top("questions").nth(q.index());
    let at = &item.then("id");
    if !seen.insert(id) {
        report.error(
            at,
            format!("question id `{id}` is used twice"),
            "give each question its own id",
        );
    }
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        report.error(
            at,
            format!("question id `{id}` must be lower_snake_case"),
            "ids are part of the case-file format",
        );
    }
    match (question.kind, question.worrying) {
        (Kind::Yesno, Worrying::More) => report.error(
            at,
            format!("`{id}` is yes/no, so its worrying answer is yes or no"),
            "set `worrying: yes` or `worrying: no`",
        ),
        (Kind::Count, Worrying::Yes | Worrying::No) => report.error(
            at,
            format!("`{id}` is a count, so its worrying answer is `more`"),
            "set `worrying: more`",
        ),
        _ => {}
    }
    match (&question.before_birth, question.about, question.unborn) {
        (None, About::Child, false) => report.error(
            at,
            format!("`{id}` is not asked before birth, and does not say what carries its worry for an unborn baby"),
            "add `before_birth: {carried_by: [IDS]}` (household questions, or child ones asked before birth) or `before_birth: {cannot: \"why\"}`",
        ),
        (Some(_), About::Household, _) | (Some(_), _, true) => report.error(
            at,
            format!("`{id}` is asked of an unborn child already, or is a household question: it needs no `before_birth`"),
            "remove `before_birth:`",
        ),
        (Some(before), _, _) => {
            if before.carried_by.is_empty() == before.cannot.as_deref().is_none_or(|w| w.trim().is_empty()) {
                report.error(
                    at,
                    format!("`{id}`'s `before_birth` must give either `carried_by` or `cannot`, not both or neither"),
                    "name the questions that carry the worry before birth, or say why it cannot arise",
                );
            }
            for carrier in &before.carried_by {
                let other = bank.question(carrier.0);
                if other.about == About::Child && !other.unborn {
                    report.error(
                        at,
                        format!("`{id}`'s worry before birth is carried by `{}`, which is not asked before birth either", other.id),
                        "name household questions, or child questions with `unborn: true`",
                    );
                }
            }
        }
        (None, _, _) => {}
    }
    if question.after_children && question.about == About::Child {
        report.error(
            at,
            format!("`{id}` is a child question: `after_children` is for household questions"),
            "remove `after_children: true`",
        );
    }
    if question.unborn && question.about == About::Household {
        report.error(
            at,
            format!("`{id}` is a household question and cannot be marked `unborn`"),
            "remove `unborn: true`",
        );
    }
    if let Some(when) = &question.ask_when
        && super::national::TOP_TIER_ALONE.contains(&id)
        && when
            .atoms()
            .iter()
            .any(|a| matches!(a, Condition::Answer(..)))
    {
        report.error(
            &item.then("ask_when"),
            format!("`{id}` is asked only after other answers: it must be asked whenever a child's age allows"),
            "`ask_when` here may test only the child's age",
        );
    }
    if let Some(when) = &question.ask_when {
        let usage = Use::AskWhen {
            question: q,
            about: question.about,
        };
        check_condition(
            report,
            &item.then("ask_when"),
            &format!("question `{id}` ask_when"),
            when,
            bank,
            usage,
        );
    }
    if question.role == Some(QuestionRole::ImmediateDanger)
        && (question.about, question.kind, question.worrying)
            != (About::Household, Kind::Yesno, Worrying::Yes)
    {
        report.error(
            at,
            format!("`{id}` has `role: immediate_danger`, so it is a household yes/no question whose worrying answer is yes"),
            "set `about: household`, `kind: yesno` and `worrying: yes`",
        );
    }
    report.cites(
        &item,
        at,
        &format!("question `{id}`"),
        question.citation(),
        Quoting::Optional,
    );
}

pub fn area(
    area: &Area,
    bank: &QuestionBank,
    (library, quotations): (&Library, super::Quotations),
    path: &str,
    text: &str,
    file: &str,
    today: jiff::civil::Date,
) -> Vec<Diagnostic> {
    let mut report = Report {
        file,
        text,
        sources: &area.sources,
        library,
        quotations,
        found: Vec::new(),
    };
    let not_after = today.max(area.reviewed);
    check_sources(&mut report, not_after);
    if area.reviewed > today {
        report.warning(
            &At::top("reviewed"),
            format!(
                "the rules say they were reviewed on {}, after today ({today})",
                area.reviewed
            ),
            "check this computer's date, or correct `reviewed:`",
        );
    }
    let expected = format!("{}/{}.yaml", super::AREAS_DIR, area.id);
    if path != expected {
        report.error(
            &At::top("id"),
            format!("area `{}` is in {path}", area.id),
            &format!("name the file {expected}"),
        );
    }
    if area.sources.is_empty() {
        report.error(
            &At::file(),
            "the area lists no source documents".into(),
            "list the seed documents under `sources:`",
        );
    }
    levels(&mut report, area);
    scoring(&mut report, area, bank);
    routes_and_actions(&mut report, area, bank);
    contacts(&mut report, area, today, not_after);
    safety_invariants(&mut report, area);
    let passages = area
        .lowers_national
        .iter()
        .enumerate()
        .map(|(nth, l)| {
            (
                At::top("lowers_national").nth(nth),
                format!("`lowers_national` for `{}`", l.floor),
                &l.passage,
                &l.source,
            )
        })
        .chain(area.top_tier_not_only_section_47.iter().map(|p| {
            (
                At::top("top_tier_not_only_section_47"),
                "`top_tier_not_only_section_47`".to_string(),
                &p.passage,
                &p.source,
            )
        }));
    for (item, what, passage, source) in passages {
        let quote = Quotes(vec![passage.clone()]);
        report.cites(
            &item,
            &item.then("passage"),
            &what,
            Citation {
                source,
                quote: &quote,
                basis: Basis::Source,
                rationale: None,
            },
            Quoting::Required,
        );
    }
    report.found
}

/// The national layer on its own: its sources, floors, routes, the worries it says are not
/// a need alone, and its limit on points. What it promises across the areas is checked
/// once they have inherited it (`national::invariants`).
pub fn national(
    national: &National,
    bank: &QuestionBank,
    (library, quotations): (&Library, super::Quotations),
    text: &str,
    file: &str,
    not_after: jiff::civil::Date,
) -> Vec<Diagnostic> {
    let mut report = Report {
        file,
        text,
        sources: &national.sources,
        library,
        quotations,
        found: Vec::new(),
    };
    check_sources(&mut report, not_after.max(national.reviewed));
    let mut ids = HashSet::new();
    for (nth, floor) in national.floors.iter().enumerate() {
        let item = At::top("floors").nth(nth);
        if !ids.insert(floor.id.as_str()) {
            report.error(
                &item.then("id"),
                format!("floor `{}` is listed twice", floor.id),
                "give each national floor its own id",
            );
        }
        // A national floor that gives tier 1 would say nothing.
        check_floor(&mut report, &item, floor, bank, Tier::Two);
    }
    let routes = (national.routes.iter().enumerate())
        .map(|(nth, route)| (At::top("routes").nth(nth), route))
        .chain([(
            At::top("score_limit").then("route"),
            &national.score_limit.route,
        )]);
    for (item, route) in routes {
        let at = &item.then("id");
        if !ids.insert(route.id.as_str()) {
            report.error(
                at,
                format!("`{}` is listed twice", route.id),
                "give each national route its own id",
            );
        }
        let what = format!("route `{}`", route.id);
        check_condition(
            &mut report,
            &item.then("when"),
            &what,
            &route.when,
            bank,
            Use::Route,
        );
        if !route.contacts.is_empty()
            || std::iter::once(&route.text)
                .chain(&route.detail)
                .any(|t| t.contains("{contact:") || phone_like(t).is_some())
        {
            report.error(
                at,
                format!("national {what} names a contact or a number"),
                "contacts are the areas' own: a national route says what to do; an area words it with its contacts (a route of the same id)",
            );
        }
        report.cites(&item, at, &what, route.citation(), Quoting::Required);
    }
    for (nth, entry) in national.not_a_need_alone.iter().enumerate() {
        let id = bank.name(entry.question.0);
        let item = At::top("not_a_need_alone").nth(nth);
        let at = &item.then("question");
        if entry.rationale.trim().is_empty() {
            report.error(
                at,
                format!("`{id}` is said not to be a need alone, with no rationale"),
                "say why, in words a partnership can check",
            );
        }
        if bank.question(entry.question.0).worrying == Worrying::No {
            report.error(
                at,
                format!("`{id}` is a strength, not a worry"),
                "list only worries here",
            );
        }
        if national
            .floors
            .iter()
            .any(|f| matches!(&f.when, Condition::Answer(q, _) if *q == entry.question.0))
        {
            report.error(
                at,
                format!("`{id}` is said not to be a need alone, but a national floor gives it a tier alone"),
                "keep one: the floor, or the entry here",
            );
        }
        report.cites(
            &item,
            at,
            &format!("`{id}` (not a need alone)"),
            entry.citation(),
            Quoting::Required,
        );
    }
    let limit = &national.score_limit;
    let item = At::top("score_limit");
    let at = &item.then("id");
    if limit.tier == Tier::TOP {
        report.error(
            at,
            format!(
                "the score limit is tier {}: points alone stop at 1 to 3",
                limit.tier
            ),
            "points alone stop below the top tier (only a floor reaches tier 4 then)",
        );
    }
    let what = format!("score limit `{}`", limit.id);
    // A limit lowers, so like a strength it may test only reassuring answers: a more
    // worrying answer lifts it and never lowers a tier.
    check_condition(
        &mut report,
        &item.then("when"),
        &what,
        &limit.when,
        bank,
        Use::Protective,
    );
    report.cites(&item, at, &what, limit.citation(), Quoting::Required);
    report.found
}

/// The emergency contact is 999. (What the rules promise a child in danger is proved over
/// the merged rules: `national::invariants`.)
fn safety_invariants(report: &mut Report, area: &Area) {
    for (nth, contact) in area.contacts.iter().enumerate() {
        if contact.emergency && contact.phone.as_deref() != Some("999") {
            report.error(
                &At::top("contacts").nth(nth).then("id"),
                format!(
                    "the emergency contact `{}` has the number {}, not 999",
                    contact.id,
                    contact.phone.as_deref().unwrap_or("(none)")
                ),
                "the emergency number is 999",
            );
        }
    }
}

/// A text that names contacts by reference, `{contact:ID}`, never by number: every
/// reference names a contact of this area, and no contact's number is written out.
fn texts_name_contacts(report: &mut Report, area: &Area, at: &At, what: &str, text: &str) {
    let mut rest = text;
    while let Some(start) = rest.find("{contact:") {
        let after = &rest[start + "{contact:".len()..];
        let Some(end) = after.find('}') else {
            report.error(
                at,
                format!("{what}: `{{contact:` is not closed"),
                "write {contact:ID}",
            );
            break;
        };
        let id = &after[..end];
        if area.contact(id).is_none() {
            report.error(
                at,
                format!("{what} names `{{contact:{id}}}`, which is not in this area's contacts"),
                "fix the id",
            );
        }
        rest = &after[end..];
    }
    let mut prose = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{contact:") {
        prose.push_str(&rest[..start]);
        rest = rest[start..]
            .find('}')
            .map_or("", |end| &rest[start + end + 1..]);
    }
    prose.push_str(rest);
    let prose = prose.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(number) = phone_like(&prose)
        && !area
            .contacts
            .iter()
            .any(|c| c.phone.as_deref() == Some(number))
    {
        report.error(
            at,
            format!("{what} writes the number {number} out"),
            "make it a contact and write {contact:ID}, or list it with the contact it belongs to",
        );
    }
    for contact in &area.contacts {
        let Some(phone) = &contact.phone else {
            continue;
        };
        if contains_number(&prose, phone) {
            report.error(
                at,
                format!(
                    "{what} writes the number {phone} out: a changed number would leave it behind"
                ),
                &format!(
                    "write {{contact:{}}} instead; the number is filled in from the contact",
                    contact.id
                ),
            );
        }
    }
}

/// The first phone-number-like run in `text`: digits in groups separated by single spaces,
/// six digits or more in all.
fn phone_like(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let (start, mut end, mut digits) = (i, i, 0);
            let mut j = i;
            while j < bytes.len() {
                if bytes[j].is_ascii_digit() {
                    digits += 1;
                    end = j + 1;
                } else if !(bytes[j] == b' '
                    && j + 1 < bytes.len()
                    && bytes[j + 1].is_ascii_digit())
                {
                    break;
                }
                j += 1;
            }
            if digits >= 6 {
                return Some(&text[start..end]);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

/// Whether `number` stands in `text` as a number of its own (not inside a longer one).
fn contains_number(text: &str, number: &str) -> bool {
    text.match_indices(number).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + number.len()..].chars().next();
        before.is_none_or(|c| !c.is_ascii_digit()) && after.is_none_or(|c| !c.is_ascii_digit())
    })
}

/// Words in a level's name that say which tiers it can be: a rung named as universal
/// cannot be the top tier, nor one named as child protection the bottom.
const LEVEL_WORDS: [(&str, &[Tier]); 17] = [
    ("no additional needs", &[Tier::One]),
    ("universal", &[Tier::One]),
    ("getting advice", &[Tier::One]),
    ("getting help", &[Tier::Two]),
    ("additional needs", &[Tier::Two]),
    ("early help", &[Tier::Two, Tier::Three]),
    ("targeted", &[Tier::Two, Tier::Three]),
    ("getting more help", &[Tier::Three]),
    ("complex", &[Tier::Three, Tier::Four]),
    ("child in need", &[Tier::Three, Tier::Four]),
    ("specialist", &[Tier::Three, Tier::Four]),
    ("acute", &[Tier::Four]),
    ("statutory", &[Tier::Three, Tier::Four]),
    ("getting risk support", &[Tier::Four]),
    ("child protection", &[Tier::Four]),
    ("significant harm", &[Tier::Four]),
    ("protection", &[Tier::Four]),
];

/// What a level's name says that its tier or place contradicts.
fn level_name_problem(name: &str, tier: Tier, rung: usize) -> Option<String> {
    let lower = name.to_lowercase();
    let mut rest = lower.clone();
    for (words, tiers) in LEVEL_WORDS {
        if rest.contains(words) {
            if !tiers.contains(&tier) {
                return Some(format!("is named \"{words}\", which is not tier {tier}"));
            }
            rest = rest.replace(words, " ");
        }
    }
    let number = lower
        .strip_prefix("level ")
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse::<usize>().ok());
    match number {
        Some(n) if n != rung => Some(format!(
            "is named Level {n} but is rung {rung} of the ladder"
        )),
        _ => None,
    }
}

fn levels(report: &mut Report, area: &Area) {
    let mut previous = Tier::BOTTOM;
    for (rung, level) in area.levels.iter().enumerate() {
        let item = At::top("levels").nth(rung);
        let at = &item.then("name");
        if let Some(problem) = level_name_problem(&level.name, level.tier, rung + 1) {
            report.error(
                at,
                format!(
                    "level `{}` maps to tier {}, but {problem}",
                    level.name, level.tier
                ),
                "name each rung as the area's document does, and map it to the tier it is",
            );
        }
        if level.tier < previous {
            report.error(
                at,
                format!("level `{}` is out of order", level.name),
                "list the ladder lowest first",
            );
        }
        previous = previous.max(level.tier);
        report.cites(
            &item,
            at,
            &format!("level `{}`", level.name),
            level.citation(),
            Quoting::Required,
        );
    }
    for tier in Tier::ALL {
        if !area.levels.iter().any(|l| l.tier == tier) {
            report.error(
                &At::top("levels"),
                format!("no level of the ladder maps to tier {tier}"),
                "every tier 1-4 needs at least one rung",
            );
        }
    }
}

fn scoring(report: &mut Report, area: &Area, bank: &QuestionBank) {
    let scoring = &area.scoring;
    let mut ids = HashSet::new();
    let mut check_id = |report: &mut Report, at: &At, id: &str| {
        if !ids.insert(id.to_string()) {
            report.error(
                at,
                format!("rule id `{id}` is used twice in the scoring"),
                "give each weight, floor and factor its own id",
            );
        }
    };
    let max_score: i32 = scoring
        .weights
        .iter()
        .map(|w| w.points.clamp(0, MAX_POINTS))
        .sum();
    let mut previous = 0;
    for tier in Tier::ALL.into_iter().filter(|&t| t != Tier::BOTTOM) {
        let matching: Vec<_> = (scoring.thresholds.iter().enumerate())
            .filter(|(_, t)| t.tier == tier)
            .collect();
        let thresholds = At::top("scoring").then("thresholds");
        let item = matching
            .first()
            .map_or(thresholds.clone(), |(nth, _)| thresholds.nth(*nth));
        let at = &item.then("tier");
        match matching.as_slice() {
            [(_, threshold)] => {
                let number = &item.then("at_least");
                if threshold.at_least <= previous {
                    report.error(
                        number,
                        format!(
                            "the threshold for tier {tier} ({}) is not above the one below it",
                            threshold.at_least
                        ),
                        "thresholds rise with the tier",
                    );
                }
                previous = threshold.at_least;
                if !(1..=MAX_THRESHOLD).contains(&threshold.at_least) {
                    report.error(
                        number,
                        format!("the threshold for tier {tier} is {}: thresholds are 1 to {MAX_THRESHOLD}", threshold.at_least),
                        "keep thresholds small: they are counts of points",
                    );
                }
                let what = format!("threshold for tier {tier}");
                report.must_calibrate(&item, &what, threshold.basis);
                report.cites(&item, at, &what, threshold.citation(), Quoting::Required);
                let floored = scoring.floors.iter().any(|f| f.tier == tier);
                if threshold.at_least > max_score {
                    let message = format!(
                        "tier {tier} ({}) cannot be reached by score: its threshold {} is above the highest possible score {max_score}",
                        area.level_name(tier),
                        threshold.at_least
                    );
                    if floored {
                        report.warning(
                            number,
                            message,
                            "only a floor reaches this tier: lower the threshold or add weights",
                        );
                    } else {
                        report.error(
                            number,
                            format!("{message}, and no floor gives it"),
                            "lower the threshold, add weights or add a floor",
                        );
                    }
                }
            }
            _ => report.error(
                at,
                format!(
                    "tier {tier} needs exactly one threshold, found {}",
                    matching.len()
                ),
                "list one threshold each for tiers 2, 3 and 4",
            ),
        }
    }
    let scoring_at = At::top("scoring");
    for (nth, rule) in scoring.weights.iter().enumerate() {
        let item = scoring_at.then("weights").nth(nth);
        check_id(report, &item.then("id"), &rule.id);
        scored_rule(report, &item, rule, bank, Use::Risk);
    }
    for (nth, floor) in scoring.floors.iter().enumerate() {
        let item = scoring_at.then("floors").nth(nth);
        check_id(report, &item.then("id"), &floor.id);
        check_floor(report, &item, floor, bank, Tier::One);
    }
    let protective = &scoring.protective;
    let protective_at = scoring_at.then("protective");
    let at = &protective_at.then("max_lowering");
    if protective.max_lowering > 3 || protective.not_from_tier == Tier::BOTTOM {
        report.error(
            at,
            "protective factors: max_lowering is 0 to 3 and not_from_tier is 2 to 4".into(),
            "see rules/README.md",
        );
    }
    report.cites(
        &protective_at,
        at,
        "protective factors",
        protective.citation(),
        Quoting::Required,
    );
    for (nth, rule) in protective.factors.iter().enumerate() {
        let item = protective_at.then("factors").nth(nth);
        check_id(report, &item.then("id"), &rule.id);
        scored_rule(report, &item, rule, bank, Use::Protective);
    }
}

/// A floor's tier (`lowest` or above: a national floor's is 2 to 4), its condition
/// (worrying answers only), basis and source.
fn check_floor(report: &mut Report, item: &At, floor: &Floor, bank: &QuestionBank, lowest: Tier) {
    let at = &item.then("id");
    if floor.tier < lowest {
        report.error(
            at,
            format!(
                "floor `{}` forces tier {}, but a national floor is 2 to 4",
                floor.id, floor.tier
            ),
            "a national floor raises a child to tier 2, 3 or 4",
        );
    }
    let what = format!("floor `{}`", floor.id);
    check_condition(
        report,
        &item.then("when"),
        &what,
        &floor.when,
        bank,
        Use::Risk,
    );
    report.cites(item, at, &what, floor.citation(), Quoting::Required);
}

fn scored_rule(report: &mut Report, item: &At, rule: &Rule, bank: &QuestionBank, usage: Use) {
    let at = &item.then("id");
    let (ok, need) = match usage {
        Use::Risk => (rule.points > 0, "a weight has points above 0"),
        _ => (rule.points < 0, "a protective factor has points below 0"),
    };
    let points = &item.then("points");
    if !ok {
        report.error(
            points,
            format!("`{}` has {} points: {need}", rule.id, rule.points),
            "move it to the right list or fix its points",
        );
    }
    if rule.points.unsigned_abs() > MAX_POINTS as u32 {
        report.error(
            points,
            format!(
                "`{}` has {} points: a rule's points are at most {MAX_POINTS} either way",
                rule.id, rule.points
            ),
            "keep points small; no sum of them can then overflow",
        );
    }
    report.must_calibrate(item, &format!("`{}`", rule.id), rule.basis);
    check_condition(
        report,
        &item.then("when"),
        &format!("`{}`", rule.id),
        &rule.when,
        bank,
        usage,
    );
    report.cites(
        item,
        at,
        &format!("`{}`", rule.id),
        rule.citation(),
        Quoting::Required,
    );
}

fn routes_and_actions(report: &mut Report, area: &Area, bank: &QuestionBank) {
    let mut ids = HashSet::new();
    for (nth, route) in area.routes.iter().enumerate() {
        let item = At::top("routes").nth(nth);
        let at = &item.then("id");
        if !ids.insert(route.id.as_str()) {
            report.error(
                at,
                format!("route `{}` is listed twice", route.id),
                "merge the two into one route with an `any:` condition",
            );
        }
        check_condition(
            report,
            &item.then("when"),
            &format!("route `{}`", route.id),
            &route.when,
            bank,
            Use::Route,
        );
        let doors = [&area.front_door.daytime, &area.front_door.out_of_hours];
        for (k, contact) in route.contacts.iter().enumerate() {
            let near = &item.then("contacts").nth(k);
            match area.contact(contact) {
                None => report.error(near, format!("route `{}` names contact `{contact}`, which is not in this area's contacts", route.id), "add the contact or fix the id"),
                Some(c) if c.emergency || doors.contains(&contact) => report.error(
                    near,
                    format!("route `{}` lists `{contact}`, which every result lists already", route.id),
                    "999 and the front door are derived for every result; list only the route's own specialists",
                ),
                Some(_) => {}
            }
        }
        let what = format!("route `{}`", route.id);
        texts_name_contacts(report, area, &item.then("text"), &what, &route.text);
        for (k, line) in route.detail.iter().enumerate() {
            texts_name_contacts(report, area, &item.then("detail").nth(k), &what, line);
        }
        report.cites(&item, at, &what, route.citation(), Quoting::Required);
    }
    let mut emergency = (area.routes.iter().enumerate())
        .filter(|(_, r)| r.role == Some(super::model::RouteRole::Emergency));
    if emergency.next().is_none() {
        report.error(
            &At::file(),
            "there is no emergency route (a route with `role: emergency`)".into(),
            "every area needs an emergency route for a child in immediate danger: give it `role: emergency`",
        );
    }
    if let Some((nth, second)) = emergency.next() {
        report.error(
            &At::top("routes").nth(nth).then("id"),
            format!(
                "route `{}` is a second route with `role: emergency`",
                second.id
            ),
            "an area has one emergency route: merge the two, or remove one's `role:`",
        );
    }
    for (nth, action) in area.actions.iter().enumerate() {
        let item = At::top("actions").nth(nth);
        let at = &item.then("text");
        check_condition(
            report,
            &item.then("when"),
            "action",
            &action.when,
            bank,
            Use::Action,
        );
        texts_name_contacts(report, area, at, "action", &action.text);
        report.cites(&item, at, "action", action.citation(), Quoting::Required);
    }
}

fn contacts(
    report: &mut Report,
    area: &Area,
    today: jiff::civil::Date,
    not_after: jiff::civil::Date,
) {
    use jiff::ToSpan;
    let mut ids = HashSet::new();
    for (nth, contact) in area.contacts.iter().enumerate() {
        let item = At::top("contacts").nth(nth);
        let at = &item.then("id");
        if !ids.insert(contact.id.as_str()) {
            report.error(
                at,
                format!("contact `{}` is listed twice", contact.id),
                "give each contact its own id",
            );
        }
        if contact.phone.is_none() && contact.email.is_none() {
            report.error(
                at,
                format!("contact `{}` has no phone and no email", contact.id),
                "a contact must be reachable; put a web-only route in the route's text",
            );
        }
        if let Some(phone) = &contact.phone
            && (!phone.bytes().all(|b| b.is_ascii_digit() || b == b' ')
                || phone.bytes().filter(u8::is_ascii_digit).count() < 3)
        {
            report.error(
                at,
                format!(
                    "contact `{}` has the phone number `{phone}`, which is not digits and spaces",
                    contact.id
                ),
                "write the number as dialled, e.g. 0161 603 4500",
            );
        }
        let stale = contact
            .checked
            .checked_add(12.months())
            .is_ok_and(|due| due < today);
        if stale {
            report.warning(
                at,
                format!(
                    "contact `{}` was last checked on {}, over 12 months ago",
                    contact.id, contact.checked
                ),
                "check the number against its source and update `checked:`",
            );
        }
        if contact.checked > not_after {
            report.error(
                &item.then("checked"),
                format!(
                    "contact `{}` was checked on {}, which is in the future",
                    contact.id, contact.checked
                ),
                "write the date the number was actually checked",
            );
        }
        if let Some(problem) = contact.hours.text_problem() {
            report.error(
                &item.then("hours").then("text"),
                format!("contact `{}`'s hours text {problem}", contact.id),
                "write the hours as the windows give them (e.g. Mon-Fri 08:30-16:30), and nothing else",
            );
        }
        let what = format!("contact `{}`", contact.id);
        report.cites(&item, at, &what, contact.citation(), Quoting::Required);
        report.number_quoted(&item, &what, contact);
    }
    if !area.contacts.iter().any(|c| c.emergency) {
        report.error(
            &At::top("contacts"),
            "no contact is marked `emergency: true`".into(),
            "add police 999 as the emergency contact",
        );
    }
    front_door(report, area);
}

/// The front door: a daytime service and a duty team, both this area's contacts, with
/// known hours that together answer every minute of the week exactly once.
fn front_door(report: &mut Report, area: &Area) {
    let item = At::top("front_door");
    let at = &item;
    let door = &area.front_door;
    let mut covering = Vec::new();
    for (role, id) in [
        ("daytime", &door.daytime),
        ("out_of_hours", &door.out_of_hours),
    ] {
        let at = &item.then(role);
        match area.contact(id) {
            Some(contact) if contact.emergency => report.error(
                at,
                format!("front_door: `{role}` names the emergency number `{id}`"),
                "999 is always listed by the tool; name children's social care's own services",
            ),
            Some(contact) if contact.hours.always || !contact.hours.open.is_empty() => {
                covering.push(&contact.hours)
            }
            Some(_) => report.error(
                at,
                format!("front_door: `{id}` has no opening hours to count"),
                "give it `open:` windows",
            ),
            None => report.error(
                at,
                format!("front_door names contact `{id}`, which is not in this area's contacts"),
                "fix the id",
            ),
        }
    }
    if covering.len() == 2 {
        let cover = week_cover(covering);
        if let Some(gap) = first_run_where(&cover, |c| c == 0) {
            report.error(at, format!("the front door leaves a gap: neither service is open from {gap} (Europe/London)"), "fix the opening hours so the daytime service and the duty team cover the whole week");
        }
        if let Some(overlap) = first_run_where(&cover, |c| c > 1) {
            report.error(
                at,
                format!("the front door's opening hours overlap from {overlap} (Europe/London)"),
                "fix the opening hours so exactly one service covers each minute",
            );
        }
    }
    report.cites(&item, at, "front_door", door.citation(), Quoting::Required);
}

/// The bank holidays are exactly the published list shipped in `rules/sources/` (none
/// removed, none invented), and `published_to` goes no further than the list does.
pub fn bank_holidays(
    holidays: &crate::hours::BankHolidays,
    library: &Library,
    text: &str,
    file: &str,
) -> Vec<Diagnostic> {
    let error = |path: &[Step], message: String, help: &str| {
        Diagnostic::error(crate::error::Code::RulesInvariant, file, message)
            .at(crate::yaml::locate(text, path))
            .help(help)
    };
    let Some(shipped) = library.get(&holidays.text) else {
        return vec![error(
            &[Step::Key("text")],
            format!("`{}` is not a shipped text", holidays.text),
            "name the published list shipped under rules/sources/",
        )];
    };
    let published = published_dates(shipped.body());
    let mut found = Vec::new();
    let listed: std::collections::BTreeSet<_> = holidays.dates.iter().copied().collect();
    for date in published.difference(&listed) {
        found.push(error(
            &[Step::Key("dates")],
            format!("the published bank holiday {date} is missing"),
            &format!("list every date of rules/{}", holidays.text),
        ));
    }
    for date in listed.difference(&published) {
        let nth = holidays.dates.iter().position(|d| d == date).unwrap_or(0);
        found.push(error(
            &[Step::Key("dates"), Step::Index(nth)],
            format!("{date} is not a bank holiday in the published list"),
            &format!("list only the dates of rules/{}", holidays.text),
        ));
    }
    let last_year = published.iter().map(|d| d.year()).max();
    if let (Some(to), Some(year)) = (holidays.published_to, last_year)
        && to > jiff::civil::date(year, 12, 31)
    {
        found.push(error(
            &[Step::Key("published_to")],
            format!("`published_to: {to}` goes beyond the published list, which ends with {year}"),
            "a bank holiday not yet published cannot be known: end `published_to` with the list's last year",
        ));
    }
    found
}

/// The dates of a published list: lines `2026: Thu 1 Jan, Fri 3 Apr, ...`, a line without
/// a year continuing the one before.
fn published_dates(body: &str) -> std::collections::BTreeSet<jiff::civil::Date> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let mut dates = std::collections::BTreeSet::new();
    let mut year: Option<i16> = None;
    for line in body.lines() {
        let mut rest = line;
        if let Some((head, tail)) = line.split_once(':')
            && let Ok(y) = head.trim().parse::<i16>()
        {
            year = Some(y);
            rest = tail;
        }
        let words: Vec<&str> = rest
            .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
            .filter(|w| !w.is_empty())
            .collect();
        for w in words.windows(3) {
            if let (Some(y), true, Ok(day), Some(month)) = (
                year,
                DAYS.contains(&w[0]),
                w[1].parse::<i8>(),
                MONTHS.iter().position(|m| *m == w[2]),
            ) && let Ok(date) = jiff::civil::Date::new(y, month as i8 + 1, day)
            {
                dates.insert(date);
            }
        }
    }
    dates
}

/// Every string of a rules file, keys and values, after YAML has unescaped it: no control,
/// escape, bidirectional or other invisible character (a `"\e[..."` in a label can forge a
/// line of output, a bidi override can reverse a level's name); no digit but 0-9; and no
/// run that looks like a phone number, whatever separates its digits, except a contact's
/// own `phone:` and what only cites (a source, a quotation, a rationale, a web address).
/// A number reaches a result only as a contact, whose number is tied to its passage.
pub fn characters(value: &serde_json::Value, text: &str, file: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for Written { key, path, string } in strings(value) {
        let error = |message: String, at: Option<Location>, help: &str| {
            Diagnostic::error(crate::error::Code::RulesInvariant, file, message)
                .at(at)
                .help(help)
        };
        if let Some(c) = string.chars().find(|&c| {
            (crate::text::is_unsafe(c) && c != '\n') || (c.is_numeric() && !c.is_ascii_digit())
        }) {
            let what = if c.is_numeric() {
                "a digit that is not 0-9"
            } else {
                "a control, escape or invisible character"
            };
            found.push(error(
                format!(
                    "`{key}` holds {what} (U+{:04X}): \"{}\"",
                    c as u32,
                    crate::text::printable(&crate::text::shorten(string, 60))
                ),
                crate::yaml::locate_nearest(text, &path).map(|at| character_in(text, at, c)),
                "rules text is plain words: remove it (in a double-quoted YAML string, look for a backslash escape such as \\e, \\x1b or \\u202e)",
            ));
            continue;
        }
        const CITES: [&str; 9] = [
            "phone",
            "source",
            "quote",
            "passage",
            "rationale",
            "url",
            "key",
            "title",
            "edition",
        ];
        if CITES.contains(&key) || string.bytes().filter(u8::is_ascii_digit).count() < 6 {
            continue;
        }
        if let Some(run) = phone_like_run(string) {
            found.push(error(
                format!("`{key}` writes the number {run}: \"{}\"", crate::text::shorten(string, 60)),
                crate::yaml::locate_nearest(text, &path),
                "a number reaches a result only as a contact (`phone:`, quoted from its source); name it with {contact:ID}",
            ));
        }
    }
    found
}

/// A string a file writes: the key it stands under (a list's items under the list's key;
/// "a key" for a key), the path to it, and the string.
pub struct Written<'v> {
    pub key: &'v str,
    pub path: Vec<Step<'v>>,
    pub string: &'v str,
}

/// Every string in `value`, keys too, with where each stands (see [`Written`]).
pub fn strings(value: &serde_json::Value) -> Vec<Written<'_>> {
    fn walk<'v>(
        value: &'v serde_json::Value,
        key: &'v str,
        path: &mut Vec<Step<'v>>,
        out: &mut Vec<Written<'v>>,
    ) {
        match value {
            serde_json::Value::String(string) => {
                let mut path = path.clone();
                if let Some(Step::Key(_)) = path.last() {
                    path.push(Step::Value);
                }
                out.push(Written { key, path, string });
            }
            serde_json::Value::Array(items) => {
                for (nth, item) in items.iter().enumerate() {
                    path.push(Step::Index(nth));
                    walk(item, key, path, out);
                    path.pop();
                }
            }
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    path.push(Step::Key(k));
                    out.push(Written {
                        key: "a key",
                        path: path.clone(),
                        string: k,
                    });
                    walk(v, k, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, "", &mut Vec::new(), &mut out);
    out
}

/// Where `c` is written in the value that starts at `at`: the character itself (the first
/// after the value's start is the value's own: it stands there literally unless escaped),
/// or, in a double-quoted value, the first backslash escape, which could have made it; the
/// value's start if neither.
pub fn character_in(text: &str, at: Location, c: char) -> Location {
    let start = at.offset_in(text);
    let rest = &text[start..];
    let found = match rest.strip_prefix('"') {
        Some(inside) => {
            let mut escaped = false;
            let end = inside
                .char_indices()
                .find(|&(_, ch)| {
                    let closes = ch == '"' && !escaped;
                    escaped = ch == '\\' && !escaped;
                    closes
                })
                .map_or(inside.len(), |(i, _)| i);
            let quoted = &inside[..end];
            quoted.find(c).or_else(|| quoted.find('\\')).map(|i| i + 1)
        }
        None => rest.find(c),
    };
    found.map_or(at, |i| Location::of_offset(text, start + i))
}

/// The first run of six digits or more that reads as one number: digits separated by at
/// most two of space, no-break space, hyphen, dash, dot, slash, plus or brackets. A date
/// (2026-11-22) or a span of years (2023-2024) is not a number.
fn phone_like_run(text: &str) -> Option<&str> {
    let is_separator = |c: char| {
        matches!(
            c,
            ' ' | '\u{a0}' | '-' | '.' | '/' | '(' | ')' | '+' | '\u{2010}'..='\u{2015}'
        )
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let after_word = i > 0 && chars[i - 1].1.is_alphanumeric();
        if !c.is_ascii_digit() || after_word {
            i += 1;
            continue;
        }
        let (mut j, mut digits, mut end, mut gap) = (i, 0, start, 0);
        while j < chars.len() {
            let (at, d) = chars[j];
            if d.is_ascii_digit() {
                digits += 1;
                gap = 0;
                end = at + 1;
            } else if is_separator(d) && gap < 2 {
                gap += 1;
            } else {
                break;
            }
            j += 1;
        }
        let run = &text[start..end];
        if digits >= 6 && !is_date_or_years(run) {
            return Some(run);
        }
        i = j.max(i + 1);
    }
    None
}

fn is_date_or_years(run: &str) -> bool {
    let groups: Vec<&str> = run
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    let year = |g: &str| g.len() == 4 && (g.starts_with("19") || g.starts_with("20"));
    match groups.as_slice() {
        [y, m, d] => year(y) && m.len() == 2 && d.len() == 2,
        [a, b] => year(a) && (year(b) || b.len() == 2),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::citation_problem;
    use crate::rules::model::SourceDocument;

    fn doc(key: &str, general_principle: bool) -> SourceDocument {
        SourceDocument {
            key: key.into(),
            title: "t".into(),
            publisher: "p".into(),
            url: None,
            checked: None,
            general_principle,
            text: None,
        }
    }

    #[test]
    fn a_level_name_must_fit_its_tier_and_rung() {
        use super::level_name_problem as problem;
        use crate::values::Tier;
        assert_eq!(problem("Getting Risk Support", Tier::Four, 4), None);
        assert_eq!(
            problem(
                "Level 3: Early Help, coordinated multi-agency",
                Tier::Three,
                3
            ),
            None
        );
        assert_eq!(problem("Level 1: no additional needs", Tier::One, 1), None);
        assert!(problem("Getting Advice", Tier::Four, 4).is_some());
        assert!(problem("Level 4: Universal", Tier::Four, 4).is_some());
        assert!(problem("Level 1", Tier::Four, 4).is_some());
        assert!(problem("Child Protection", Tier::One, 1).is_some());
    }

    #[test]
    fn a_number_is_found_whatever_separates_its_digits() {
        use super::phone_like_run as run;
        assert_eq!(run("ring 0161 603 4500 now"), Some("0161 603 4500"));
        assert_eq!(run("ring 0161-603-4500"), Some("0161-603-4500"));
        assert_eq!(run("ring (0161) 603.4500"), Some("0161) 603.4500"));
        assert_eq!(run("if engaged ring 07700 900123"), Some("07700 900123"));
        assert_eq!(run("Mon-Fri 08:30-16:30"), None);
        assert_eq!(
            run("checked 2026-11-22; reviews 2023-2024 and 2023-24"),
            None
        );
        assert_eq!(run("ring 999 or 101"), None);
        assert_eq!(run("s17(10) and 1.8.3"), None);
    }

    #[test]
    fn rules_text_is_refused_with_an_escape_a_bidi_override_or_odd_digits() {
        let check = |yaml: &str| {
            let value = crate::yaml::from_str(yaml).unwrap();
            super::characters(&value, yaml, "f.yaml")
        };
        assert!(check("name: \"Level 4\"\n").is_empty());
        let found = check("a: ok\nname: \"Level \\e[2K1\"\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].location.map(|l| (l.line, l.column)), Some((2, 14)));
        assert_eq!(check("name: \"Level \\u202E4\"\n").len(), 1);
        assert_eq!(check("text: ring \u{ff10}\u{ff11}\n").len(), 1);
        assert_eq!(
            check("hours: {text: \"if engaged ring 0161\\u200B603 4500\"}\n").len(),
            1
        );
        assert_eq!(check("text: if engaged ring 0161-603-4500\n").len(), 1);
        assert!(check("phone: 0161 603 4500\nsource: 004, p 12 0161 603 4500\n").is_empty());
    }

    #[test]
    fn a_source_begins_with_a_declared_document() {
        let sources = [
            doc("004_6a0c92154672053a.txt", false),
            doc("salford.gov.uk/thresholds.htm", false),
            doc("003_ab244fb51e8edd0b.txt", true),
        ];
        let ok = |s: &str| citation_problem(&sources, s).is_none();
        assert!(ok("004_6a0c92154672053a.txt, Getting Help"));
        assert!(ok("salford.gov.uk/thresholds.htm (checked 2026-11-22)"));
        assert!(ok(
            "004_6a0c92154672053a.txt; 003_ab244fb51e8edd0b.txt, 1.8 (general principle)"
        ));
        assert!(!ok("the internet"));
        assert!(!ok(""));
        assert!(!ok("004_6a0c92154672053a.txtx"));
        assert!(!ok(
            "004_6a0c92154672053a.txt and 999_0123456789abcdef.txt, 1.1"
        ));
        assert!(!ok(
            "004_6a0c92154672053a.txt; 003_ab244fb51e8edd0b.txt, 1.8"
        ));
    }
}
