//! Case files, schema 1: one household's answers and its children, in YAML or JSON. They
//! hold opaque references and child labels, never names. Everything a file can get wrong
//! is refused with the file, the line and column where known, and what to do.

use crate::error::{Code, Diagnostic, Location};
use crate::seek::Step;

use crate::parse::{FromScalar, Scalar, ScalarSeed};
use crate::question::{About, Answers, AnswersFor, QId, QuestionBank};
use crate::refused::{Refused, parsing, raise};
use crate::values::{ChildLabel, Reference, Tier};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::sync::Arc;

/// Larger than any real case file by far; refusing early keeps a wrong file from
/// costing memory and time.
pub const MAX_CASE_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub area: Option<String>,
    pub reference: Option<String>,
    pub assessed_at: Option<jiff::ZonedDateTime>,
    /// The tier the practitioner recorded, for audits.
    pub recorded_level: Option<Tier>,
    /// Why the practitioner recorded that level (SPEC section 12): kept beside the tool's.
    pub recorded_reason: Option<String>,
    /// Household and adult answers.
    pub answers: Answers,
    pub children: Vec<Child>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    /// A label ("A", "eldest"), never a name.
    pub id: String,
    /// Whole years 0-17; `None` for an unborn child.
    pub age: Option<u8>,
    pub answers: Answers,
}

impl Case {
    /// A case with no answers and no children, for a bank of `questions`.
    pub fn empty(questions: usize) -> Case {
        Case {
            area: None,
            reference: None,
            assessed_at: None,
            recorded_level: None,
            recorded_reason: None,
            answers: Answers::unknown(questions),
            children: Vec::new(),
        }
    }
}

impl Child {
    pub fn unborn(&self) -> bool {
        self.age.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

impl Format {
    /// By the file's extension, else by its first character.
    pub fn detect(name: &str, text: &str) -> Format {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Format::Json
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Format::Yaml
        } else if text.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

/// Read one case from `bytes`. `name` is how the file is named in messages.
pub fn read(bytes: &[u8], name: &str, bank: &Arc<QuestionBank>) -> Result<Case, Diagnostic> {
    if bytes.len() > MAX_CASE_BYTES {
        return Err(Diagnostic::error(
            crate::error::Code::CaseTooLarge,
            name,
            format!("the file is too large: a case file is at most {MAX_CASE_BYTES} bytes (1 MiB)"),
        )
        .help("check that this is a case file: one case is a few kilobytes"));
    }
    let text = crate::parse::decode_text(bytes).map_err(|(code, message, at)| {
        Diagnostic::error(code, name, message)
            .at(at)
            .help("save the file as UTF-8")
    })?;
    parse(&text, Format::detect(name, &text), name, bank)
}

/// Parse one case from text in the given format.
pub fn parse(
    text: &str,
    format: Format,
    name: &str,
    bank: &Arc<QuestionBank>,
) -> Result<Case, Diagnostic> {
    let case = parse_before_applies(text, format, name, bank)?;
    applies(&case, bank, text, format, name)?;
    Ok(case)
}

/// Every check of [`parse`] but whether each answer can apply ([`applies`]): for the
/// offline page's visit, whose changes leave answers that no longer apply, which the
/// interview's flow clears itself (as `threshold check` does) before anything is scored.
pub fn parse_before_applies(
    text: &str,
    format: Format,
    name: &str,
    bank: &Arc<QuestionBank>,
) -> Result<Case, Diagnostic> {
    let help = "fix the case file; docs/case-files.md shows the format (schema 1)";
    if text.trim().is_empty() {
        return Err(
            Diagnostic::error(crate::error::Code::CaseEmpty, name, "the file is empty")
                .help("a case file starts with `schema: 1`"),
        );
    }
    if format == Format::Json && text.trim_start().starts_with('[') {
        return Err(Diagnostic::error(crate::error::Code::CaseSyntax,
            name,
            "the top level of a case file must be a mapping (schema, answers, children), not a list",
        )
        .at(Some(Location { line: 1, column: 1 }))
        .help("one case per file; for several cases use JSON Lines, one case a line"));
    }
    let written = crate::question::with_bank(bank, || match format {
        Format::Yaml => crate::yaml::from_str::<Written>(text).map_err(|e| {
            let e = crate::parse::narrow(text, e);
            (e.code, e.help, e.message, e.location)
        }),
        Format::Json => parsing(|| serde_json::from_str::<Written>(text)).map_err(|(e, cause)| {
            let message = crate::yaml::strip_position(&e.to_string());
            let at = (e.line() > 0)
                .then_some(Location {
                    line: e.line(),
                    column: e.column(),
                })
                .map(|at| crate::parse::narrow_back(text, at, &message));
            let code = crate::yaml::parser_code(&message, cause.as_ref());
            (code, cause.and_then(|c| c.help()), message, at)
        }),
    });
    let written = written.map_err(|(code, refusal_help, message, at)| {
        if top_level_is_not_a_mapping(text, format) {
            return Diagnostic::error(
                Code::CaseSyntax,
                name,
                "the top level of a case file must be a mapping (schema, answers, children)",
            )
            .at(at)
            .help("start the file with `schema: 1`");
        }
        Diagnostic::error(code.unwrap_or(Code::CaseSyntax), name, message)
            .at(at)
            .help(refusal_help.unwrap_or(help))
    })?;
    written.into_case(bank.len()).map_err(|refused| {
        Diagnostic::error(refused.code(), name, refused.to_string())
            .at(missing_field_at(text))
            .help(refused.help().unwrap_or(help))
    })
}

/// An answer given to a question that cannot apply: the question, the child whose
/// answer it is (`None` for the household), and what rules it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotApplicable {
    pub question: QId,
    pub child: Option<usize>,
    pub why: String,
}

/// Every answer given must be to a question that can apply: its `ask_when` (opening
/// answers, the child's age) could hold, and an unborn child is asked only what is asked
/// before birth. An explicit answer is never ignored: one that cannot apply is refused,
/// naming the answer and what rules it out, so it is never scored silently. The refusal
/// stands on the answer's own key, where the parser reads it in `text`.
pub fn applies(
    case: &Case,
    bank: &QuestionBank,
    text: &str,
    format: Format,
    name: &str,
) -> Result<(), Diagnostic> {
    match not_applicable(case, bank) {
        None => Ok(()),
        Some(found) => {
            let id = bank.name(found.question);
            let at = match found.child {
                None => locate(text, format, &[Step::Key("answers"), Step::Key(id)]),
                Some(i) => locate(
                    text,
                    format,
                    &[
                        Step::Key("children"),
                        Step::Index(i),
                        Step::Key("answers"),
                        Step::Key(id),
                    ],
                ),
            };
            Err(not_applicable_error(case, bank, &found, name).at(at))
        }
    }
}

/// Where the case in `text` (the file `name`) writes its `area:`, found by the parser.
pub fn area_at(text: &str, name: &str) -> Option<Location> {
    locate(text, Format::detect(name, text), &[Step::Key("area")])
}

/// Where the value at `path` stands in a case's `text`, found by the parser of its format.
pub fn locate(text: &str, format: Format, path: &[Step]) -> Option<Location> {
    match format {
        Format::Yaml => crate::yaml::locate(text, path),
        Format::Json => crate::seek::in_json(text, path),
    }
}

/// The refusal of an answer that cannot apply, not yet placed in its file.
pub fn not_applicable_error(
    case: &Case,
    bank: &QuestionBank,
    found: &NotApplicable,
    name: &str,
) -> Diagnostic {
    let whose = found.child.map_or(String::new(), |i| {
        format!("child `{}`: ", case.children[i].id)
    });
    Diagnostic::error(
        crate::error::Code::CaseNotApplicable,
        name,
        format!("{whose}`{}` is answered, but {}", bank.name(found.question), found.why),
    )
    .help("remove the answer, or correct the answer that rules it out; an answer that cannot apply is never scored silently")
}

/// The first answer (household first, then each child) given to a question that cannot
/// apply. The reassuring answer to such a question agrees with what rules it out ("no
/// incidents" where there is no abuse; exports fill every column): it is kept and, like
/// the question, counts for nothing. Any other answer is a contradiction.
pub fn not_applicable(case: &Case, bank: &QuestionBank) -> Option<NotApplicable> {
    use crate::condition::Facts;
    let reassuring = |q: QId| bank.question(q).worrying.reassuring();
    let household = Facts::household(&case.answers);
    for (q, answer) in case.answers.given() {
        if answer == reassuring(q) {
            continue;
        }
        if let Some(when) = &bank.question(q).ask_when
            && !when.could_hold(&household)
        {
            return Some(NotApplicable {
                question: q,
                child: None,
                why: format!("it applies only when {}", bank.describe(when)),
            });
        }
    }
    for (index, child) in case.children.iter().enumerate() {
        let facts = Facts::child(&case.answers, &child.answers, child.age);
        for (q, answer) in child.answers.given() {
            if answer == reassuring(q) {
                continue;
            }
            let question = bank.question(q);
            let why = if child.unborn() && !question.unborn {
                "it is not asked before birth (the child is `unborn: true`)".to_string()
            } else if let Some(when) = &question.ask_when
                && !when.could_hold(&facts)
            {
                let age = child
                    .age
                    .map_or("unborn".to_string(), |a| format!("aged {a}"));
                format!(
                    "it applies only when {} (the child is {age})",
                    bank.describe(when)
                )
            } else {
                continue;
            };
            return Some(NotApplicable {
                question: q,
                child: Some(index),
                why,
            });
        }
    }
    None
}

/// The reference of a case that was refused for something else, so its row can still
/// say which case it is: read from the text as JSON or YAML ignoring everything else, or
/// failing that from a `reference:` line. Only a reference that is a valid identifier is
/// given (a hostile one is not repeated).
pub fn reference_in(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Only {
        #[serde(default)]
        reference: Option<serde_json::Value>,
    }
    let written = serde_json::from_str::<Only>(text)
        .ok()
        .or_else(|| crate::yaml::from_str::<Only>(text).ok())
        .and_then(|only| only.reference)
        .and_then(|value| match value {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Number(n) if n.is_u64() => Some(n.to_string()),
            _ => None,
        })
        .or_else(|| {
            text.lines().find_map(|line| {
                let value = line.strip_prefix("reference:")?.trim();
                let value = match value.split_once(" #") {
                    Some((value, _comment)) => value.trim_end(),
                    None => value,
                };
                let unquoted = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')));
                Some(unquoted.unwrap_or(value).to_string())
            })
        })?;
    (!written.is_empty() && crate::text::identifier_problem(&written).is_none()).then_some(written)
}

/// Make the parsers' words for common mistakes into the user's.
/// Whether the document's top level is not a mapping (a list, a number, text), asked
/// only once reading it has failed, so the refusal can say so in the case file's terms.
fn top_level_is_not_a_mapping(text: &str, format: Format) -> bool {
    let value = match format {
        Format::Yaml => crate::yaml::from_str::<serde_json::Value>(text).ok(),
        Format::Json => serde_json::from_str::<serde_json::Value>(text).ok(),
    };
    value.is_some_and(|v| !v.is_object())
}

/// Where a parser reports a field missing from the top-level mapping: the start of a
/// YAML mapping, the closing brace of a JSON object.
fn missing_field_at(text: &str) -> Option<Location> {
    let trimmed = text.trim_end();
    if trimmed.trim_start().starts_with('{') {
        return Some(Location::of_offset(text, trimmed.len().checked_sub(1)?));
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_start();
        if !content.trim().is_empty() && !content.starts_with('#') && content.trim() != "---" {
            return Some(Location::of_offset(
                text,
                offset + line.len() - content.len(),
            ));
        }
        offset += line.len();
    }
    None
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a case file")]
struct Written {
    /// Required: refused in `into_case` when missing, after the rest has been read (as a
    /// parser would).
    #[serde(default)]
    schema: Option<Schema>,
    #[serde(default)]
    area: Option<String>,
    #[serde(default)]
    reference: Option<Label>,
    #[serde(default)]
    assessed_at: Option<Moment>,
    #[serde(default)]
    recorded_level: Option<Recorded>,
    #[serde(default)]
    recorded_reason: Option<Reason>,
    #[serde(default, deserialize_with = "household_answers")]
    answers: Option<Answers>,
    #[serde(default)]
    children: Option<Children>,
}

fn household_answers<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Answers>, D::Error> {
    AnswersFor(About::Household).deserialize(d).map(Some)
}

impl Written {
    /// The case, once the rest has been read: a missing `schema:` is refused last, as a
    /// parser refuses a missing field.
    fn into_case(self, questions: usize) -> Result<Case, Refused> {
        if self.schema.is_none() {
            return Err(Refused::NoSchema);
        }
        let mut answers = self.answers.unwrap_or_default();
        answers.0.resize(questions, Default::default());
        Ok(Case {
            area: self.area,
            reference: self.reference.map(|l| l.0),
            assessed_at: self.assessed_at.map(|m| m.0),
            recorded_level: self.recorded_level.map(|r| r.0),
            recorded_reason: self.recorded_reason.map(|r| r.0),
            answers,
            children: self.children.map(|c| c.0).unwrap_or_default(),
        })
    }
}

/// A case's children, each checked as it is read, so the parser places a refusal where it
/// stands: a repeated id at the repeat, a missing or contradictory age at its child.
struct Children(Vec<Child>);

impl<'de> Deserialize<'de> for Children {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(ChildrenVisitor).map(Children)
    }
}

struct ChildrenVisitor;

impl<'de> Visitor<'de> for ChildrenVisitor {
    type Value = Vec<Child>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of children")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Child>, A::Error> {
        let mut children = Vec::new();
        while let Some(child) = seq.next_element_seed(ChildOf { before: &children })? {
            children.push(child);
        }
        Ok(children)
    }
}

/// One child of a case, whose id must differ from those `before` it.
struct ChildOf<'a> {
    before: &'a [Child],
}

impl<'de> DeserializeSeed<'de> for ChildOf<'_> {
    type Value = Child;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Child, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ChildOf<'_> {
    type Value = Child;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a child: `id`, `age` or `unborn`, and `answers`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Child, A::Error> {
        const FIELDS: &[&str] = &["id", "age", "unborn", "answers"];
        let mut id: Option<String> = None;
        let mut age: Option<Option<Age>> = None;
        let mut unborn: Option<bool> = None;
        let mut answers: Option<Answers> = None;
        while let Some(key) = map.next_key::<String>()? {
            let (field, repeated) = match key.as_str() {
                "id" => {
                    let read = map.next_value_seed(ChildId {
                        before: self.before,
                    })?;
                    ("id", id.replace(read).is_some())
                }
                "age" => ("age", age.replace(map.next_value()?).is_some()),
                "unborn" => ("unborn", unborn.replace(map.next_value()?).is_some()),
                "answers" => {
                    let read = map.next_value_seed(AnswersFor(About::Child))?;
                    ("answers", answers.replace(read).is_some())
                }
                other => return Err(de::Error::unknown_field(other, FIELDS)),
            };
            if repeated {
                return Err(de::Error::duplicate_field(field));
            }
        }
        let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        let age = match (age.flatten(), unborn.unwrap_or(false)) {
            (Some(_), true) => return Err(raise(Refused::AgeAndUnborn { child: id })),
            (None, false) => return Err(raise(Refused::NoAge { child: id })),
            (Some(Age(age)), false) => Some(age),
            (None, true) => None,
        };
        let mut answers = answers.unwrap_or_default();
        answers
            .0
            .resize(crate::question::bank_len_in_scope()?, Default::default());
        Ok(Child { id, age, answers })
    }
}

/// A child's id: text, or a number written without quotes, checked as every way in checks
/// it ([`ChildLabel`]) and against the ids of the children `before` it, and refused as it
/// is read so the parser places the refusal on the id.
struct ChildId<'a> {
    before: &'a [Child],
}

impl<'de> DeserializeSeed<'de> for ChildId<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        crate::parse::scalar_with(d, self)
    }
}

impl ScalarSeed for ChildId<'_> {
    type Value = String;

    fn read<E: de::Error>(self, scalar: Scalar<'_>) -> Result<String, E> {
        let text = match scalar {
            Scalar::Text(s) => s.to_string(),
            Scalar::Whole(n) if u64::try_from(n).is_ok() => n.to_string(),
            _ => return Err(E::custom("a child's `id` must be text")),
        };
        let id = ChildLabel::new(&text)
            .map(ChildLabel::into_string)
            .map_err(|problem| {
                E::custom(format!(
                    "a child's `id` `{}` {problem}",
                    crate::text::echo(&text)
                ))
            })?;
        if self.before.iter().any(|c| c.id == id) {
            return Err(raise(Refused::ChildTwice { child: id }));
        }
        Ok(id)
    }
}

/// A case inside another document (a trainer's scenario). Errors are raised through the
/// surrounding parser, so they carry its line and column.
impl<'de> Deserialize<'de> for Case {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let written = Written::deserialize(d)?;
        let questions = crate::question::bank_len_in_scope::<D::Error>()?;
        written.into_case(questions).map_err(raise)
    }
}

/// The case's scalars are read by [`FromScalar`], so each refusal is placed on its value.
macro_rules! read_as_scalar {
    ($($t:ty),*) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::parse::scalar(d)
            }
        }
    )*};
}
read_as_scalar!(Schema, Label, Reason, Age, Recorded, Moment);

/// `schema: 1`, the only schema there is.
struct Schema;

impl FromScalar for Schema {
    fn from_scalar<E: de::Error>(scalar: Scalar<'_>) -> Result<Self, E> {
        match scalar {
            Scalar::Whole(1) => Ok(Schema),
            Scalar::Whole(n) if n >= 0 && u64::try_from(n).is_ok() => Err(E::custom(format!(
                "unknown `schema` {n}: this threshold reads case files of schema 1"
            ))),
            _ => Err(E::custom("`schema` must be the number 1")),
        }
    }
}

/// A reference: text, or a number written without quotes, checked as every way in checks
/// it ([`Reference`]) and refused here so the parser locates the refusal.
struct Label(String);

impl FromScalar for Label {
    fn from_scalar<E: de::Error>(scalar: Scalar<'_>) -> Result<Self, E> {
        let text = match scalar {
            Scalar::Text(s) => s.to_string(),
            Scalar::Whole(n) if u64::try_from(n).is_ok() => n.to_string(),
            _ => return Err(E::custom("`reference` must be text")),
        };
        Reference::new(&text)
            .map(|r| Label(r.into_string()))
            .map_err(|problem| {
                E::custom(format!(
                    "`reference` `{}` {problem}",
                    crate::text::echo(&text)
                ))
            })
    }
}

/// The practitioner's reason: text of at most `MAX_REASON` characters, line breaks allowed
/// but no other control characters (nothing that could redraw a screen).
struct Reason(String);

pub const MAX_REASON: usize = 2000;

impl FromScalar for Reason {
    fn from_scalar<E: de::Error>(scalar: Scalar<'_>) -> Result<Self, E> {
        let Scalar::Text(text) = scalar else {
            return Err(E::custom("`recorded_reason` must be text"));
        };
        check_reason(text).map_err(E::custom)?;
        Ok(Reason(text.to_string()))
    }
}

/// Whether `text` may be kept as a practitioner's reason.
pub fn check_reason(text: &str) -> Result<(), String> {
    if text.chars().count() > MAX_REASON {
        return Err(format!(
            "`recorded_reason` is over {MAX_REASON} characters: keep the reason short and put detail in the case record"
        ));
    }
    if text
        .chars()
        .any(|c| threshold_model::text::is_unsafe(c) && c != '\n')
    {
        return Err(
            "`recorded_reason` holds a control or invisible character (an escape, a bidirectional override, a zero-width space): write plain text"
                .into(),
        );
    }
    Ok(())
}

struct Age(u8);

impl FromScalar for Age {
    fn from_scalar<E: de::Error>(scalar: Scalar<'_>) -> Result<Self, E> {
        match scalar {
            Scalar::Whole(age @ 0..=17) => Ok(Age(age as u8)),
            Scalar::Whole(age) => match i64::try_from(age) {
                Ok(age) => Err(raise(Refused::AgeOutside { age })),
                Err(_) => Err(raise(Refused::AgeNotNumber)),
            },
            _ => Err(raise(Refused::AgeNotNumber)),
        }
    }
}

/// `recorded_level`, checked as every way in checks a level ([`Tier::new`]), with the
/// field named in the refusal.
struct Recorded(Tier);

impl FromScalar for Recorded {
    fn from_scalar<E: de::Error>(scalar: Scalar<'_>) -> Result<Self, E> {
        let level = match scalar {
            Scalar::Whole(n) => i64::try_from(n).ok(),
            _ => None,
        }
        .ok_or_else(|| E::custom("`recorded_level` must be a tier from 1 to 4"))?;
        u64::try_from(level)
            .map_err(|_| format!("a level is 1 to 4, not {level}"))
            .and_then(Tier::new)
            .map(Recorded)
            .map_err(|problem| E::custom(format!("`recorded_level`: {problem}")))
    }
}

struct Moment(jiff::ZonedDateTime);

impl FromScalar for Moment {
    fn from_scalar<E: de::Error>(scalar: Scalar<'_>) -> Result<Self, E> {
        let Scalar::Text(text) = scalar else {
            return Err(E::custom(
                "`assessed_at` must be a date and time written as text",
            ));
        };
        crate::hours::parse_moment(text)
            .map(Moment)
            .map_err(E::custom)
    }
}

/// The case as a schema-1 YAML file that `read` reads back to an equal case (what
/// `threshold check` saves). Known answers are written; an unknown one only where
/// `asked_unknown(child, q)` says it was asked and not known (`child` is `None` for the
/// household), so the file shows what was asked; a missing answer reads as unknown too.
/// Text is written as JSON strings, which YAML reads as double-quoted scalars.
pub fn to_yaml(
    case: &Case,
    bank: &QuestionBank,
    asked_unknown: impl Fn(Option<usize>, crate::question::QId) -> bool,
) -> String {
    let text = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut out = String::from(
        "# A threshold case file (schema 1). It holds no names: the reference is an opaque\n\
         # code and each child has a label.\nschema: 1\n",
    );
    if let Some(area) = &case.area {
        out.push_str(&format!("area: {}\n", text(area)));
    }
    if let Some(reference) = &case.reference {
        out.push_str(&format!("reference: {}\n", text(reference)));
    }
    if let Some(moment) = &case.assessed_at {
        out.push_str(&format!(
            "assessed_at: {}\n",
            moment.strftime("%Y-%m-%dT%H:%M:%S%:z")
        ));
    }
    if let Some(level) = case.recorded_level {
        out.push_str(&format!("recorded_level: {level}\n"));
    }
    if let Some(reason) = &case.recorded_reason {
        out.push_str(&format!("recorded_reason: {}\n", text(reason)));
    }
    out.push_str(&answers_yaml(
        &case.answers,
        bank,
        About::Household,
        "",
        |q| asked_unknown(None, q),
    ));
    if case.children.is_empty() {
        out.push_str("children: []\n");
        return out;
    }
    out.push_str("children:\n");
    for (index, child) in case.children.iter().enumerate() {
        out.push_str(&format!("  - id: {}\n", text(&child.id)));
        match child.age {
            Some(age) => out.push_str(&format!("    age: {age}\n")),
            None => out.push_str("    unborn: true\n"),
        }
        out.push_str(&answers_yaml(
            &child.answers,
            bank,
            About::Child,
            "    ",
            |q| asked_unknown(Some(index), q),
        ));
    }
    out
}

fn answers_yaml(
    answers: &Answers,
    bank: &QuestionBank,
    about: About,
    indent: &str,
    asked_unknown: impl Fn(crate::question::QId) -> bool,
) -> String {
    let lines: Vec<String> = bank
        .questions()
        .filter(|(_, question)| question.about == about)
        .map(|(q, _)| (q, answers.get(q)))
        .filter(|(q, answer)| !answer.is_unknown() || asked_unknown(*q))
        .map(|(q, answer)| format!("{indent}  {}: {}\n", bank.name(q), answer.label()))
        .collect();
    if lines.is_empty() {
        return format!("{indent}answers: {{}}\n");
    }
    format!("{indent}answers:\n{}", lines.concat())
}
